//! Parsing of `:` commands into typed requests, with one-line errors.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Cells,
    Past(u32),
    Vars(Option<u32>),
    Saving(bool),
    DontSave(String),
    ClearPast(Option<(u32, u32)>),
    Unhook,
    Memory,
    Timing,
    Clear,
    Jobs,
    Kill(u32),
    Log(u32),
    Take {
        job: u32,
        names: Vec<String>,
    },
    Notify(NotifyMode),
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
    Dep { spec: String },
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
    TimePasses(Option<bool>),
    BuildEnv { key: String, value: String },
    Version,
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

/// One line per command, shown by `:help`.
pub const HELP: &[(&str, &str)] = &[
    (":help", "show this list"),
    (
        ":cells",
        "the numbered cells: status, time, snapshot, branches (also :history)",
    ),
    (
        ":past N",
        "return the whole session to the state right after cell N",
    ),
    (
        ":vars [N]",
        "variables now, or as of cell N: name, type, last cell that touched it",
    ),
    (
        ":saving on|off",
        "resume or pause snapshotting after each cell",
    ),
    (":dontsave NAME", "never bring NAME back with :past"),
    (
        ":clear_past [A..B]",
        "drop snapshots (all but the current one, or cells A to B)",
    ),
    (":memory", "memory of every snapshot, and the budget"),
    (
        "&CODE",
        "run a cell as a background job on a copy of the session",
    ),
    (":jobs", "background jobs: state, time, peak memory"),
    (":kill N", "stop job N"),
    (":log N", "what job N printed (also while it runs)"),
    (
        ":take N NAME...",
        "copy variables from finished job N (needs the archive)",
    ),
    (
        ":notify desktop|terminal|off",
        "where job-finished notices go",
    ),
    (
        ":save [NAME]",
        "write what is not on disk yet now (values are otherwise saved when idle); NAME: all of it there",
    ),
    (
        ":save! NAME",
        "like :save NAME, replacing what the saved session NAME held",
    ),
    (":load NAME", "switch to the saved session NAME"),
    (":timing", "show each cell's wall time"),
    (":unhook", "turn the time machine off for this session"),
    (":quit", "leave tmrepl (also Ctrl-D)"),
    (
        ":dep NAME [= SPEC]",
        "add a crate dependency, e.g. :dep regex = \"1\"",
    ),
    (":show_deps", "list the dependencies added so far"),
    (":type EXPR-VAR", "show a variable's type (also :t)"),
    (
        ":opt [0|1|2|3|s|z]",
        "show or set the optimisation level for cells",
    ),
    (":explain", "explain the last compile error's code"),
    (":clear", "go back to an empty session (snapshots are kept)"),
    (
        ":efmt [FMT]",
        "show or set the format of error values, e.g. {:?}",
    ),
    (
        ":fmt [FMT]",
        "show or set the format of output values, e.g. {:#?}",
    ),
    (":types", "toggle showing the type of each output value"),
    (
        ":toolchain [NAME]",
        "show or set the rustup toolchain used for cells",
    ),
    (":offline [on|off]", "show or set cargo's offline mode"),
    (":sccache [on|off]", "show or set use of sccache"),
    (
        ":linker [NAME]",
        "show or set the linker (system, lld, mold)",
    ),
    (
        ":preserve_vars_on_panic [on|off]",
        "show or set whether a panic keeps variables",
    ),
    (
        ":time_passes [on|off]",
        "show or set rustc's -Ztime-passes (nightly)",
    ),
    (
        ":build_env KEY VALUE",
        "set an environment variable for compilation",
    ),
    (":version", "versions of tmrepl, evcxr and rustc"),
];

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

fn key_value(args: &str, command: &str) -> Result<(String, String), CommandError> {
    match args.split_once(char::is_whitespace) {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.trim().to_owned())),
        _ => err(format!("usage: {command} KEY VALUE")),
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
    let command = match name {
        "help" | "h" | "?" => {
            no_args(args, &display)?;
            Command::Help
        }
        "cells" | "history" => {
            no_args(args, &display)?;
            Command::Cells
        }
        "past" => {
            if args.is_empty() {
                return err(":past needs a cell number, e.g. :past 3");
            }
            Command::Past(cell_number(args, ":past")?)
        }
        "vars" => Command::Vars(if args.is_empty() {
            None
        } else {
            Some(cell_number(args, ":vars")?)
        }),
        "saving" => Command::Saving(on_off(args, ":saving")?),
        "dontsave" => {
            if !is_identifier(args) {
                return err(":dontsave needs a variable name, e.g. :dontsave big");
            }
            Command::DontSave(args.to_owned())
        }
        "clear_past" => Command::ClearPast(range(args)?),
        "unhook" => {
            no_args(args, &display)?;
            Command::Unhook
        }
        "memory" | "mem" => {
            no_args(args, &display)?;
            Command::Memory
        }
        "timing" => {
            no_args(args, &display)?;
            Command::Timing
        }
        "jobs" => {
            no_args(args, &display)?;
            Command::Jobs
        }
        "kill" => Command::Kill(required_number(args, ":kill", ":kill 3")?),
        "log" => Command::Log(required_number(args, ":log", ":log 3")?),
        "take" => {
            let mut words = args.split_whitespace();
            let job = required_number(words.next().unwrap_or(""), ":take", ":take 3 total")?;
            let names: Vec<String> = words.map(str::to_owned).collect();
            if names.is_empty() || !names.iter().all(|n| is_identifier(n)) {
                return err(":take needs a job and variable names, e.g. :take 3 total");
            }
            Command::Take { job, names }
        }
        "load" => {
            if args.is_empty() || args.contains(char::is_whitespace) {
                return err(":load needs one session name, e.g. :load lab");
            }
            Command::Load(args.to_owned())
        }
        "save" | "save!" => {
            if args.contains(char::is_whitespace) {
                return err(format!("{display} takes at most one session name"));
            }
            Command::Save {
                name: optional(args),
                replace: name == "save!",
            }
        }
        "notify" => Command::Notify(match args {
            "desktop" => NotifyMode::Desktop,
            "terminal" => NotifyMode::Terminal,
            "off" => NotifyMode::Off,
            _ => {
                return err(format!(
                    ":notify: expected desktop, terminal or off, got `{args}`"
                ));
            }
        }),
        "clear" => {
            no_args(args, &display)?;
            Command::Clear
        }
        "quit" | "q" | "exit" => {
            no_args(args, &display)?;
            Command::Quit
        }
        _ => Command::Evcxr(parse_evcxr(name, args, &display)?),
    };
    Ok(command)
}

fn parse_evcxr(name: &str, args: &str, display: &str) -> Result<EvcxrCommand, CommandError> {
    Ok(match name {
        "dep" => {
            if args.is_empty() {
                return err(":dep needs a crate, e.g. :dep regex = \"1\"");
            }
            EvcxrCommand::Dep {
                spec: args.to_owned(),
            }
        }
        "show_deps" => {
            no_args(args, display)?;
            EvcxrCommand::ShowDeps
        }
        "opt" => {
            if !matches!(args, "" | "0" | "1" | "2" | "3" | "s" | "z") {
                return err(format!(":opt: expected 0, 1, 2, 3, s or z, got `{args}`"));
            }
            EvcxrCommand::Opt(optional(args))
        }
        "type" | "t" => {
            if !is_identifier(args) {
                return err(format!("{display} needs a variable name"));
            }
            EvcxrCommand::Type(args.to_owned())
        }
        "explain" => {
            no_args(args, display)?;
            EvcxrCommand::Explain
        }
        "efmt" => EvcxrCommand::ErrorFormat(optional(args)),
        "fmt" => EvcxrCommand::OutputFormat(optional(args)),
        "types" => {
            no_args(args, display)?;
            EvcxrCommand::Types
        }
        "toolchain" => EvcxrCommand::Toolchain(optional(args)),
        "offline" => EvcxrCommand::Offline(optional_on_off(args, display)?),
        "sccache" => EvcxrCommand::Sccache(optional_on_off(args, display)?),
        "linker" => EvcxrCommand::Linker(optional(args)),
        "preserve_vars_on_panic" => {
            EvcxrCommand::PreserveVarsOnPanic(optional_on_off(args, display)?)
        }
        "time_passes" => EvcxrCommand::TimePasses(optional_on_off(args, display)?),
        "build_env" => {
            let (key, value) = key_value(args, display)?;
            EvcxrCommand::BuildEnv { key, value }
        }
        "version" => {
            no_args(args, display)?;
            EvcxrCommand::Version
        }
        "" => return err("empty command; :help lists them"),
        _ => return err(format!("unknown command {display}; :help lists them")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_machine_commands() {
        assert_eq!(parse(":past 7"), Ok(Command::Past(7)));
        assert_eq!(parse("  :past   12  "), Ok(Command::Past(12)));
        assert_eq!(parse(":vars"), Ok(Command::Vars(None)));
        assert_eq!(parse(":vars 3"), Ok(Command::Vars(Some(3))));
        assert_eq!(parse(":saving off"), Ok(Command::Saving(false)));
        assert_eq!(parse(":dontsave big"), Ok(Command::DontSave("big".into())));
        assert_eq!(parse(":clear_past"), Ok(Command::ClearPast(None)));
        assert_eq!(
            parse(":clear_past 2..5"),
            Ok(Command::ClearPast(Some((2, 5))))
        );
        assert_eq!(parse(":clear_past 4"), Ok(Command::ClearPast(Some((4, 4)))));
        assert_eq!(
            parse(":clear_past ..3"),
            Ok(Command::ClearPast(Some((1, 3))))
        );
        assert_eq!(parse(":history"), Ok(Command::Cells));
        assert_eq!(
            parse(":save lab"),
            Ok(Command::Save {
                name: Some("lab".into()),
                replace: false
            })
        );
        assert_eq!(
            parse(":save! lab"),
            Ok(Command::Save {
                name: Some("lab".into()),
                replace: true
            })
        );
        assert!(parse(":save! a b").is_err());
    }

    #[test]
    fn bad_arguments_give_one_line_errors() {
        for bad in [
            ":past",
            ":past x",
            ":past -1",
            ":past 0",
            ":vars y",
            ":saving maybe",
            ":dontsave 1abc",
            ":clear_past 5..2",
            ":cells now",
            ":frobnicate",
            ":",
            ":opt 9",
            ":type",
            ":build_env ONLYKEY",
        ] {
            let error = parse(bad).expect_err(bad);
            assert!(!error.0.contains('\n'), "{bad}: {error}");
            assert!(!error.0.is_empty());
        }
        assert_eq!(
            parse(":frobnicate").unwrap_err().0,
            "unknown command :frobnicate; :help lists them"
        );
    }

    #[test]
    fn evcxr_commands_pass_through_typed() {
        assert_eq!(
            parse(":dep regex = \"1\""),
            Ok(Command::Evcxr(EvcxrCommand::Dep {
                spec: "regex = \"1\"".into()
            }))
        );
        assert_eq!(
            parse(":opt 2"),
            Ok(Command::Evcxr(EvcxrCommand::Opt(Some("2".into()))))
        );
        assert_eq!(
            parse(":t x"),
            Ok(Command::Evcxr(EvcxrCommand::Type("x".into())))
        );
        assert_eq!(
            parse(":offline on"),
            Ok(Command::Evcxr(EvcxrCommand::Offline(Some(true))))
        );
        assert_eq!(
            parse(":build_env RUST_LOG debug"),
            Ok(Command::Evcxr(EvcxrCommand::BuildEnv {
                key: "RUST_LOG".into(),
                value: "debug".into()
            }))
        );
    }

    #[test]
    fn every_help_line_parses() {
        for (usage, _) in HELP {
            let name = usage.split_whitespace().next().unwrap();
            let example = match name {
                ":past" | ":vars" | ":kill" | ":log" => format!("{name} 1"),
                ":take" => ":take 1 x".into(),
                ":load" => ":load x".into(),
                ":notify" => ":notify off".into(),
                "&CODE" => continue,
                ":saving" => ":saving on".into(),
                ":dontsave" | ":type" => format!("{name} x"),
                ":dep" => ":dep regex".into(),
                ":build_env" => format!("{name} K V"),
                _ => name.to_owned(),
            };
            assert!(parse(&example).is_ok(), "{example}");
        }
    }
}
