//! The command line, shared by main, the man page and the shell completions.

use clap::{Parser, ValueHint};
use std::path::PathBuf;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "tmrepl",
    version,
    about = "A Rust REPL with a time machine: every cell is snapshotted, :past N goes back",
    long_about = "tmrepl is a full-screen Rust REPL. Every input is a numbered cell compiled and \
run by evcxr. After every cell the whole program state is kept as a copy-on-write fork of the \
process that runs your code, so `:past N` returns every variable, function, type and \
dependency to how it was after cell N, and a crash, panic or Ctrl-C never loses earlier state."
)]
pub struct Cli {
    /// Line mode (rustyline) instead of the full-screen interface; implied when stdin is not a terminal
    #[arg(long)]
    pub plain: bool,

    /// Memory all snapshots together may use before old ones are thinned out: bytes with a
    /// unit (512M, 4G) or a share of RAM (50%) [default: 50%]
    #[arg(long, value_name = "SIZE")]
    pub snapshot_memory: Option<String>,

    /// Where job-finished notices go [default: desktop]
    #[arg(long, value_enum)]
    pub notify: Option<NotifyArg>,

    /// Jobs that finish sooner than this many seconds end without a notification [default: 5]
    #[arg(long, value_name = "SECS")]
    pub notify_after: Option<f64>,

    /// How many snapshots stay in memory: every one of the last 32 cells, older ones ever
    /// sparser; `:past` to a thinned cell rebuilds it by replaying cells (0: no limit)
    /// [default: 48]
    #[arg(long, value_name = "N")]
    pub snapshot_count: Option<u32>,

    /// How many `&` jobs run at once; later ones wait, queued [default: 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,

    /// Before `:past N` rewinds, show what it changes with the values now and then (as Ctrl-T
    /// does in the full-screen interface)
    #[arg(long)]
    pub explain_past: bool,

    /// Folder for saved sessions and built dependencies [default: $XDG_DATA_HOME/tmrepl]
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub data_dir: Option<PathBuf>,

    /// Start or continue the saved session NAME: every cell is written to its archive
    #[arg(long, value_name = "NAME", conflicts_with = "resume")]
    pub session: Option<String>,

    /// Reopen the saved session NAME (default: the most recently used one)
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
    pub resume: Option<String>,

    /// With --session or --resume: rebuild the state after this cell instead of the last
    #[arg(long, value_name = "N")]
    pub cell: Option<u32>,

    /// With --resume: bring back only the values on disk, without replaying the cells that
    /// made the others
    #[arg(long)]
    pub no_replay: bool,

    /// With --resume: also replay cells that act outside the session (files, network,
    /// processes, stdin, the clock, randomness) to rebuild values
    #[arg(long, conflicts_with = "no_replay")]
    pub replay_effects: bool,

    /// Configuration file [default: $XDG_CONFIG_HOME/tmrepl/config.toml]
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Subcommand>,
}

#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Subcommand {
    /// Print the effective configuration and where each value comes from
    Config,
    /// List saved sessions (cells, size on disk, last use); check, export or import one
    Sessions(SessionsArgs),
    /// Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec
    Kernel(KernelArgs),
}

#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SessionsArgs {
    /// Check every manifest and object of saved session NAME: list damaged manifests and
    /// the objects they pin (exits 1 if any)
    #[arg(long, value_name = "NAME")]
    pub check: Option<String>,

    #[command(subcommand)]
    pub action: Option<SessionsAction>,
}

#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum SessionsAction {
    /// Write saved session NAME to FILE: one portable file with its manifests and values,
    /// each with its BLAKE3 hash (no lock, staging or absolute paths)
    Export {
        /// The saved session
        #[arg(value_name = "NAME")]
        name: String,
        /// The file to write (replaced whole, never left half written)
        #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
        file: PathBuf,
    },
    /// Unpack an exported FILE as a saved session, checking every hash first; a damaged or
    /// truncated file is refused and nothing is written. Importing runs no code; resuming
    /// the session runs its cells' code, as resuming always does
    Import {
        /// A file `tmrepl sessions export` wrote
        #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
        file: PathBuf,
        /// The name to save it under [default: the name it was exported under]
        #[arg(value_name = "NAME")]
        name: Option<String>,
        /// Replace the saved session NAME if there is one
        #[arg(long)]
        replace: bool,
    },
}

#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KernelArgs {
    /// The connection file Jupyter wrote for this kernel
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub connection_file: Option<PathBuf>,

    #[command(subcommand)]
    pub action: Option<KernelAction>,
}

#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum KernelAction {
    /// Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with
    /// --session NAME before `kernel`, its notebooks use that saved session
    Install(SpecPlace),
    /// Remove the kernelspec [default: the one Jupyter would find first]
    Uninstall(SpecPlace),
}

/// Which Jupyter data folder, as `jupyter kernelspec install` chooses it.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
#[group(multiple = false)]
pub struct SpecPlace {
    /// The user's folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter
    #[arg(long)]
    pub user: bool,
    /// The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)
    #[arg(long)]
    pub sys_prefix: bool,
    /// DIR/share/jupyter
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub prefix: Option<PathBuf>,
}

#[derive(clap::ValueEnum, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NotifyArg {
    Desktop,
    Terminal,
    Off,
}

impl From<NotifyArg> for crate::commands::NotifyMode {
    fn from(arg: NotifyArg) -> Self {
        match arg {
            NotifyArg::Desktop => Self::Desktop,
            NotifyArg::Terminal => Self::Terminal,
            NotifyArg::Off => Self::Off,
        }
    }
}

/// Parses `512M`, `4G`, `1.5GiB`, `123456` or `50%` (of `total_ram`).
pub fn parse_size(text: &str, total_ram: u64) -> Result<u64, String> {
    let text = text.trim();
    if let Some(percent) = text.strip_suffix('%') {
        let value: f64 = percent
            .trim()
            .parse()
            .map_err(|_| format!("invalid percentage `{text}`"))?;
        if !(0.0..=100.0).contains(&value) || value == 0.0 {
            return Err(format!("percentage out of range: `{text}`"));
        }
        return Ok((total_ram as f64 * value / 100.0) as u64);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid size `{text}`: expected e.g. 512M, 4G or 50%"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("invalid size unit in `{text}`: use K, M, G or T")),
    };
    Ok((value * multiplier as f64) as u64)
}

/// Total physical memory, from /proc/meminfo.
pub fn total_ram() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map(|kib| kib * 1024)
        .unwrap_or(8 << 30)
}

/// The man page, generated from the clap definition.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

/// Completion scripts: (file name under completions/, contents).
pub fn completion_scripts() -> Vec<(String, Vec<u8>)> {
    use clap::CommandFactory;
    use clap_complete::Shell;
    [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ]
    .into_iter()
    .map(|shell| {
        let mut command = Cli::command();
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut command, "tmrepl", &mut out);
        let name = match shell {
            Shell::Bash => "tmrepl.bash".to_owned(),
            Shell::Zsh => "_tmrepl".to_owned(),
            Shell::Fish => "tmrepl.fish".to_owned(),
            Shell::Elvish => "tmrepl.elv".to_owned(),
            _ => "_tmrepl.ps1".to_owned(),
        };
        (name, out)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M", 0), Ok(512 << 20));
        assert_eq!(parse_size("4G", 0), Ok(4 << 30));
        assert_eq!(parse_size("1.5GiB", 0), Ok(3 << 29));
        assert_eq!(parse_size("100", 0), Ok(100));
        assert_eq!(parse_size("50%", 1000), Ok(500));
        assert!(parse_size("12X", 0).is_err());
        assert!(parse_size("0%", 100).is_err());
        assert!(parse_size("abc", 0).is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
