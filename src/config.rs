//! Settings: command-line flag over config file over default. The file is
//! `$XDG_CONFIG_HOME/tmrepl/config.toml`; every error names the file, line and key.

use crate::cli::{Cli, NotifyArg, parse_size};
use crate::commands::NotifyMode;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditingMode {
    Emacs,
    Vi,
}

/// The file's contents; every key is optional.
/// Snapshots kept in memory by default: the last 32 cells each, and 16 older ones.
pub const DEFAULT_SNAPSHOT_COUNT: u32 = 48;

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub editing_mode: Option<EditingMode>,
    pub color: Option<bool>,
    pub snapshot_memory: Option<String>,
    pub notify: Option<NotifyArg>,
    pub notify_after: Option<f64>,
    pub jobs: Option<u32>,
    pub snapshot_count: Option<u32>,
    pub history_size: Option<usize>,
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Flag,
    Environment,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "config file",
            Source::Flag => "command line",
            Source::Environment => "environment",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub editing_mode: (EditingMode, Source),
    pub color: (bool, Source),
    pub snapshot_memory: (String, u64, Source),
    pub notify: (NotifyMode, Source),
    pub notify_after: (Duration, Source),
    pub jobs: (u32, Source),
    pub snapshot_count: (u32, Source),
    pub history_size: (usize, Source),
    pub data_dir: (Option<PathBuf>, Source),
    /// Not a setting: where the input history lives, shown by `tmrepl config`.
    pub history: Option<PathBuf>,
}

pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("tmrepl").join("config.toml"))
}

/// Reads and checks the file; a missing file is an empty config.
pub fn load_file(path: &Path) -> Result<FileConfig, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    parse_file(&text, path)
}

pub fn parse_file(text: &str, path: &Path) -> Result<FileConfig, String> {
    let config: FileConfig = toml::from_str(text).map_err(|e| locate(text, path, &e))?;
    let bad = |line_key: &str, message: String| {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(line_key))
            .map(|i| i + 1)
            .unwrap_or(0);
        format!("{}:{line}: `{line_key}`: {message}", path.display())
    };
    if let Some(size) = &config.snapshot_memory {
        parse_size(size, 1).map_err(|e| bad("snapshot_memory", e))?;
    }
    if let Some(after) = config.notify_after
        && !(after.is_finite() && after >= 0.0)
    {
        return Err(bad(
            "notify_after",
            "expected a number of seconds, 0 or more".into(),
        ));
    }
    if config.jobs == Some(0) {
        return Err(bad("jobs", "expected 1 or more".into()));
    }
    Ok(config)
}

/// One line: file, line, key and what is wrong.
fn locate(text: &str, path: &Path, error: &toml::de::Error) -> String {
    let message = error.message().trim().replace('\n', " ");
    let Some(span) = error.span() else {
        return format!("{}: {message}", path.display());
    };
    let line_number = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line = text.lines().nth(line_number - 1).unwrap_or("");
    let key = line.split('=').next().unwrap_or("").trim();
    if key.is_empty() || key.starts_with('[') {
        format!("{}:{line_number}: {message}", path.display())
    } else {
        format!("{}:{line_number}: `{key}`: {message}", path.display())
    }
}

impl Config {
    /// Flag over file over default (colour: NO_COLOR over everything).
    pub fn resolve(
        cli: &Cli,
        file: FileConfig,
        path: PathBuf,
        total_ram: u64,
    ) -> Result<Config, String> {
        fn pick<T>(flag: Option<T>, file: Option<T>, default: T) -> (T, Source) {
            match (flag, file) {
                (Some(v), _) => (v, Source::Flag),
                (None, Some(v)) => (v, Source::File),
                (None, None) => (default, Source::Default),
            }
        }
        let (size_text, size_source) = pick(
            cli.snapshot_memory.clone(),
            file.snapshot_memory,
            "50%".to_owned(),
        );
        let bytes = parse_size(&size_text, total_ram).map_err(|e| match size_source {
            Source::Flag => format!("--snapshot-memory: {e}"),
            _ => format!("{}: `snapshot_memory`: {e}", path.display()),
        })?;
        if let Some(after) = cli.notify_after
            && !(after.is_finite() && after >= 0.0)
        {
            return Err("--notify-after: expected a number of seconds, 0 or more".into());
        }
        let notify_after = pick(cli.notify_after, file.notify_after, 5.0);
        let notify = pick(cli.notify, file.notify, NotifyArg::Desktop);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = if no_color {
            (false, Source::Environment)
        } else {
            pick(None, file.color, true)
        };
        Ok(Config {
            editing_mode: pick(None, file.editing_mode, EditingMode::Emacs),
            color,
            snapshot_memory: (size_text, bytes, size_source),
            notify: (notify.0.into(), notify.1),
            notify_after: (Duration::from_secs_f64(notify_after.0), notify_after.1),
            jobs: pick(cli.jobs, file.jobs, 4),
            snapshot_count: pick(
                cli.snapshot_count,
                file.snapshot_count,
                DEFAULT_SNAPSHOT_COUNT,
            ),
            history_size: pick(None, file.history_size, 1000),
            data_dir: {
                let default = dirs::data_dir().map(|d| d.join("tmrepl"));
                match (cli.data_dir.clone(), file.data_dir) {
                    (Some(d), _) => (Some(d), Source::Flag),
                    (None, Some(d)) => (Some(d), Source::File),
                    (None, None) => (default, Source::Default),
                }
            },
            history: crate::history::default_path(),
            path,
        })
    }

    /// `tmrepl config`: the effective values, as a valid config file.
    pub fn render(&self) -> String {
        let mut out = format!("# {}\n", self.path.display());
        let mut line = |key: &str, value: String, source: Source| {
            let setting = format!("{key} = {value}");
            let _ = writeln!(out, "{setting:<44} # {}", source.label());
        };
        line(
            "editing_mode",
            format!("{:?}", format!("{:?}", self.editing_mode.0).to_lowercase()),
            self.editing_mode.1,
        );
        line("color", self.color.0.to_string(), self.color.1);
        line(
            "snapshot_memory",
            format!("{:?}", self.snapshot_memory.0),
            self.snapshot_memory.2,
        );
        let notify = match self.notify.0 {
            NotifyMode::Desktop => "desktop",
            NotifyMode::Terminal => "terminal",
            NotifyMode::Off => "off",
        };
        line("notify", format!("{notify:?}"), self.notify.1);
        line(
            "notify_after",
            format!("{:?}", self.notify_after.0.as_secs_f64()),
            self.notify_after.1,
        );
        line("jobs", self.jobs.0.to_string(), self.jobs.1);
        line(
            "snapshot_count",
            self.snapshot_count.0.to_string(),
            self.snapshot_count.1,
        );
        line(
            "history_size",
            self.history_size.0.to_string(),
            self.history_size.1,
        );
        if let Some(dir) = &self.data_dir.0 {
            line(
                "data_dir",
                format!("{:?}", dir.display().to_string()),
                self.data_dir.1,
            );
        }
        if let Some(history) = &self.history {
            let _ = writeln!(out, "# input history is kept in {}", history.display());
        }
        let _ = write!(
            out,
            "# snapshot_memory is {} on this machine",
            crate::session::human_bytes(self.snapshot_memory.1)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn path() -> PathBuf {
        PathBuf::from("/home/u/.config/tmrepl/config.toml")
    }

    #[test]
    fn a_full_file_parses() {
        let text = "editing_mode = \"vi\"\ncolor = false\nsnapshot_memory = \"4G\"\nnotify = \"terminal\"\nnotify_after = 2.5\njobs = 8\nhistory_size = 50\n";
        let file = parse_file(text, &path()).unwrap();
        assert_eq!(file.editing_mode, Some(EditingMode::Vi));
        assert_eq!(file.jobs, Some(8));
        assert_eq!(file.notify, Some(NotifyArg::Terminal));
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let err = parse_file("jobs = 2\ncolour = true\n", &path()).unwrap_err();
        assert!(
            err.starts_with("/home/u/.config/tmrepl/config.toml:2: `colour`:"),
            "{err}"
        );
        assert!(err.contains("unknown field"), "{err}");
        assert!(!err.contains('\n'));
        let err = parse_file("\n\njobs = \"many\"\n", &path()).unwrap_err();
        assert!(
            err.starts_with("/home/u/.config/tmrepl/config.toml:3: `jobs`:"),
            "{err}"
        );
        let err = parse_file("snapshot_memory = \"lots\"\n", &path()).unwrap_err();
        assert!(
            err.starts_with("/home/u/.config/tmrepl/config.toml:1: `snapshot_memory`:"),
            "{err}"
        );
        let err = parse_file("notify = \"loud\"\n", &path()).unwrap_err();
        assert!(err.contains(":1: `notify`:"), "{err}");
        let err = parse_file("jobs = 0\n", &path()).unwrap_err();
        assert!(err.contains(":1: `jobs`: expected 1 or more"), "{err}");
    }

    #[test]
    fn flag_over_file_over_default() {
        let file = parse_file(
            "jobs = 8\nnotify_after = 1.0\nsnapshot_memory = \"1G\"\n",
            &path(),
        )
        .unwrap();
        let cli = Cli::parse_from(["tmrepl", "--jobs", "2"]);
        let config = Config::resolve(&cli, file, path(), 1 << 34).unwrap();
        assert_eq!(config.jobs, (2, Source::Flag));
        assert_eq!(config.notify_after, (Duration::from_secs(1), Source::File));
        assert_eq!(config.snapshot_memory.1, 1 << 30);
        assert_eq!(config.history_size, (1000, Source::Default));
        let rendered = config.render();
        assert!(rendered.contains("jobs = 2"), "{rendered}");
        assert!(rendered.contains("# command line"), "{rendered}");
        // The rendering is itself a valid config file.
        let reparsed = parse_file(&rendered, &path()).unwrap();
        assert_eq!(reparsed.jobs, Some(2));
    }

    #[test]
    fn a_missing_file_is_empty() {
        let file = load_file(Path::new("/nonexistent/tmrepl/config.toml")).unwrap();
        assert_eq!(file, FileConfig::default());
    }
}
