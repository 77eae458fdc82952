//! The `:` commands: one table (`COMMANDS`) from which parsing into typed requests,
//! `:help` and name completion all come. Bad input gets a one-line error.

use std::fmt::{self, Write as _};

mod branch;
mod saved;
mod table;
pub use saved::SavedCell;
pub use table::COMMANDS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Cells,
    Past(u32),
    /// `:vars [N] [NAME]`: the variables (with previews of their values) now or as of
    /// cell N; with NAME, that one value in full.
    Vars {
        at: Option<u32>,
        name: Option<String>,
    },
    /// `:vars NAME@N [VAR]`: the variables of saved session NAME as of its cell N, read
    /// from its manifests (neither switched to nor locked); with VAR, that value in full.
    SavedVars {
        from: SavedCell,
        name: Option<String>,
    },
    /// `:diff A [B]`: what differs between the states after cells A and B (None: now).
    Diff {
        from: u32,
        to: Option<u32>,
    },
    /// `:trace NAME`: the cells of this branch that made or changed NAME.
    Trace(String),
    /// The answer to "replay cells that act outside the session?" while resuming (the
    /// full-screen interface asks; not typed).
    ReplayEffects(bool),
    Snapshots(bool),
    DontSave(String),
    ClearPast(Option<(u32, u32)>),
    Unhook,
    Memory,
    Timing,
    Clear,
    Jobs,
    Kill(u32),
    Log(u32),
    /// `:take N [VAR…]`: copy variables (none named: all) from finished job N.
    Take {
        job: u32,
        names: Vec<String>,
    },
    /// `:take NAME@N [VAR…]`: copy variables (none named: all) from saved session NAME as
    /// of its cell N, as one new cell.
    TakeSaved {
        from: SavedCell,
        names: Vec<String>,
    },
    Notify(NotifyMode),
    /// `:export DIR [--cell N] [--force]`: a Cargo project that leads to cell N's state
    /// (the current cell's when None).
    Export {
        dir: String,
        cell: Option<u32>,
        force: bool,
    },
    /// `:sweep [N]`: the table of the sweep cell N belongs to (None: the last sweep).
    Sweep(Option<u32>),
    Save {
        name: Option<String>,
        /// `:save! NAME`: replace what NAME already holds.
        replace: bool,
    },
    Load(String),
    Quit,
    /// One of evcxr's own commands, run by the engine.
    Evcxr(EvcxrCommand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvcxrCommand {
    Dep {
        spec: String,
    },
    ShowDeps,
    Opt(Option<String>),
    Type(String),
    Explain,
    ErrorFormat(Option<String>),
    OutputFormat(Option<String>),
    Types,
    Toolchain(Option<String>),
    Offline(Option<bool>),
    Sccache(Option<bool>),
    Linker(Option<String>),
    PreserveVarsOnPanic(Option<bool>),
    /// `None` toggles, as evcxr's `:time_passes` does.
    TimePasses(Option<bool>),
    BuildEnv {
        key: String,
        value: String,
    },
    /// evcxr's startup configuration, run now.
    LoadConfig {
        quiet: bool,
    },
    ClearCache,
    /// `std::env::set_var` in the running process.
    Env {
        key: String,
        value: String,
    },
    Version,
    /// The documentation rust-analyzer shows for a name, path or expression.
    Doc(String),
    AllowStaticLinking(bool),
    CodegenBackend(Option<String>),
    /// Toggles evcxr's internal debugging output.
    InternalDebug,
    /// Cache size in MiB (0 disables), or `None` to show it.
    Cache(Option<u64>),
    LastCompileDir,
    LastErrorJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyMode {
    Desktop,
    Terminal,
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError(pub String);

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CommandError {}

fn err<T>(message: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError(message.into()))
}

fn cell_number(text: &str, command: &str) -> Result<u32, CommandError> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => err(format!("{command}: expected a cell number, got `{text}`")),
    }
}

fn required_number(args: &str, command: &str, example: &str) -> Result<u32, CommandError> {
    if args.is_empty() {
        return err(format!("{command} needs a cell number, e.g. {example}"));
    }
    cell_number(args, command)
}

fn on_off(text: &str, command: &str) -> Result<bool, CommandError> {
    match text {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => err(format!("{command}: expected on or off, got `{text}`")),
    }
}

fn optional_on_off(args: &str, command: &str) -> Result<Option<bool>, CommandError> {
    if args.is_empty() {
        Ok(None)
    } else {
        on_off(args, command).map(Some)
    }
}

fn optional(args: &str) -> Option<String> {
    (!args.is_empty()).then(|| args.to_owned())
}

fn no_args(args: &str, command: &str) -> Result<(), CommandError> {
    if args.is_empty() {
        Ok(())
    } else {
        err(format!("{command} takes no arguments"))
    }
}

/// `KEY=VALUE` (evcxr's form) or `KEY VALUE`.
fn key_value(args: &str, command: &str) -> Result<(String, String), CommandError> {
    let split = args
        .split_once('=')
        .filter(|(key, _)| !key.contains(char::is_whitespace))
        .or_else(|| args.split_once(char::is_whitespace));
    match split {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        }
        _ => err(format!("usage: {command} KEY=VALUE")),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn range(args: &str) -> Result<Option<(u32, u32)>, CommandError> {
    if args.is_empty() {
        return Ok(None);
    }
    let Some((a, b)) = args.split_once("..") else {
        let n = cell_number(args, ":clear_past")?;
        return Ok(Some((n, n)));
    };
    // Both ends are included: `2..5` and `2..=5` mean cells 2, 3, 4 and 5.
    let b = b.strip_prefix('=').unwrap_or(b);
    let a = if a.is_empty() {
        1
    } else {
        cell_number(a, ":clear_past")?
    };
    let b = if b.is_empty() {
        u32::MAX
    } else {
        cell_number(b, ":clear_past")?
    };
    if a > b {
        return err(format!(":clear_past: empty range {args}"));
    }
    Ok(Some((a, b)))
}

/// One `:` command: everything the parser, `:help` and completion know about it.
pub struct TypableCommand {
    /// Typed after the colon; also what completion offers.
    pub name: &'static str,
    /// Other names the parser accepts (not completed, not listed).
    pub aliases: &'static [&'static str],
    /// The command as `:help` shows it, e.g. `:past N`.
    pub usage: &'static str,
    /// What `:help` says it does.
    pub help: &'static str,
    /// A line that parses to this command; checked by a test so usage and parser agree.
    pub example: &'static str,
    /// Turns the arguments into the typed request. `display` is the name as typed, with
    /// its colon, for error messages.
    pub parse: fn(args: &str, display: &str) -> Result<Command, CommandError>,
}

/// Not a command but a form of input; `:help` lists it before the job commands.
const BACKGROUND_JOB_HELP: &[(&str, &str)] = &[
    (
        "&CODE",
        "run a cell as a background job on a copy of the session",
    ),
    (
        "&[n in 1..=8] CODE",
        "a sweep: one job per value (a..b, a..=b, or a list: 1, 2, 5 / \"a\", \"b\"), each with `let n = VALUE;` first; at most the job limit run at once",
    ),
];

/// evcxr commands tmrepl does not have, and why; typing one gives the reason.
pub const UNAVAILABLE: &[(&str, &str)] = &[(
    "restart",
    "evcxr's :restart starts a new process that has lost every variable; here the process is the time machine's present: :past N returns to the process as it was after cell N, :clear to an empty one",
)];

fn evcxr(command: Result<EvcxrCommand, CommandError>) -> Result<Command, CommandError> {
    command.map(Command::Evcxr)
}

fn save(args: &str, display: &str, replace: bool) -> Result<Command, CommandError> {
    if args.contains(char::is_whitespace) {
        return err(format!("{display} takes at most one session name"));
    }
    Ok(Command::Save {
        name: optional(args),
        replace,
    })
}

/// The command called `name` (without its colon), by name or alias.
pub fn find(name: &str) -> Option<&'static TypableCommand> {
    COMMANDS
        .iter()
        .find(|command| command.name == name || command.aliases.contains(&name))
}

/// Parses a line that starts with `:`.
pub fn parse(line: &str) -> Result<Command, CommandError> {
    let line = line.trim();
    let Some(body) = line.strip_prefix(':') else {
        return err("commands start with `:`");
    };
    let (name, args) = match body.split_once(char::is_whitespace) {
        Some((name, args)) => (name, args.trim()),
        None => (body, ""),
    };
    let display = format!(":{name}");
    if name.is_empty() {
        return err("empty command; :help lists them");
    }
    if let Some(command) = find(name) {
        return (command.parse)(args, &display);
    }
    match UNAVAILABLE
        .iter()
        .find(|(unavailable, _)| *unavailable == name)
    {
        Some((_, why)) => err(format!("{display} is not available in tmrepl: {why}")),
        None => err(format!("unknown command {display}; :help lists them")),
    }
}

/// Command names, with their colon, that complete `word` (which starts with `:`).
pub fn completions(word: &str) -> Vec<String> {
    COMMANDS
        .iter()
        .map(|command| format!(":{}", command.name))
        .filter(|name| name.starts_with(word))
        .collect()
}

/// The text of `:help`: one line per command.
pub fn help_text() -> String {
    let rows: Vec<(&str, &str)> = COMMANDS
        .iter()
        .flat_map(|command| {
            let preface = if command.name == "jobs" {
                BACKGROUND_JOB_HELP
            } else {
                &[]
            };
            preface
                .iter()
                .copied()
                .chain([(command.usage, command.help)])
        })
        .collect();
    let width = rows.iter().map(|(usage, _)| usage.len()).max().unwrap_or(0);
    let mut out = String::from("Cells are Rust, compiled by evcxr. Commands:\n");
    for (usage, what) in rows {
        let _ = writeln!(out, "  {usage:<width$}  {what}");
    }
    let unavailable: Vec<String> = UNAVAILABLE
        .iter()
        .map(|(name, _)| format!(":{name}"))
        .collect();
    let _ = writeln!(
        out,
        "Not in tmrepl (typing one says why): {}",
        unavailable.join(" ")
    );
    out.push_str(
        "Where evcxr's commands differ: :vars also shows values and takes a cell (of this or a \
         saved session); :clear keeps \
         the snapshots; with no argument :opt, :fmt, :offline, :sccache and \
         :preserve_vars_on_panic show the setting; :env applies at once.\n",
    );
    out.push_str("A snapshot of the whole program is kept after every cell; :past N goes back.");
    out
}

#[cfg(test)]
mod tests;
