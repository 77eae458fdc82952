//! The table of `:` commands: each one's name, usage, help and parser, in the order
//! `:help` lists them.

use super::*;

/// Every command, in the order `:help` lists them.
pub const COMMANDS: &[TypableCommand] = &[
    TypableCommand {
        name: "help",
        aliases: &["h", "?"],
        usage: ":help",
        help: "show this list",
        example: ":help",
        parse: |args, display| no_args(args, display).map(|()| Command::Help),
    },
    TypableCommand {
        name: "cells",
        aliases: &["history"],
        usage: ":cells",
        help: "the numbered cells: status, time, snapshot, branches (also :history)",
        example: ":cells",
        parse: |args, display| no_args(args, display).map(|()| Command::Cells),
    },
    TypableCommand {
        name: "past",
        aliases: &[],
        usage: ":past N",
        help: "return the whole session to the state right after cell N",
        example: ":past 3",
        parse: |args, _| {
            if args.is_empty() {
                return err(":past needs a cell number, e.g. :past 3");
            }
            cell_number(args, ":past").map(Command::Past)
        },
    },
    TypableCommand {
        name: "vars",
        aliases: &[],
        usage: ":vars [N|NAME@N] [VAR]",
        help: "variables and their values now, as of cell N, or of saved session NAME's cell N (NAME@: its last); with VAR, that value in full",
        example: ":vars 2 v",
        parse: |args, _| saved::vars(args),
    },
    TypableCommand {
        name: "diff",
        aliases: &[],
        usage: ":diff A [B]",
        help: "what differs between the states after cells A and B, on any branches (B omitted: now): variables with both values, functions, types, dependencies",
        example: ":diff 2 5",
        parse: |args, display| {
            let numbers: Vec<&str> = args.split_whitespace().collect();
            match numbers.as_slice() {
                [from] => Ok(Command::Diff {
                    from: cell_number(from, display)?,
                    to: None,
                }),
                [from, to] => Ok(Command::Diff {
                    from: cell_number(from, display)?,
                    to: Some(cell_number(to, display)?),
                }),
                _ => err(format!(
                    "{display} needs one or two cell numbers, e.g. :diff 2 5 (one: against now)"
                )),
            }
        },
    },
    TypableCommand {
        name: "trace",
        aliases: &[],
        usage: ":trace NAME",
        help: "every cell of this branch that made or changed variable NAME, with its value after each; or that defined fn/type NAME",
        example: ":trace total",
        parse: |args, display| {
            if !is_identifier(args) {
                return err(format!(
                    "{display} needs a variable, function or type name, e.g. :trace total"
                ));
            }
            Ok(Command::Trace(args.to_owned()))
        },
    },
    TypableCommand {
        name: "snapshots",
        // Its name before: "save" means to disk only.
        aliases: &["saving"],
        usage: ":snapshots on|off",
        help: "resume or pause the snapshot after each cell",
        example: ":snapshots off",
        parse: |args, _| on_off(args, ":snapshots").map(Command::Snapshots),
    },
    TypableCommand {
        name: "dontsave",
        aliases: &[],
        usage: ":dontsave NAME",
        help: "never bring NAME back with :past",
        example: ":dontsave big",
        parse: |args, _| {
            if !is_identifier(args) {
                return err(":dontsave needs a variable name, e.g. :dontsave big");
            }
            Ok(Command::DontSave(args.to_owned()))
        },
    },
    TypableCommand {
        name: "clear_past",
        aliases: &[],
        usage: ":clear_past [A..B]",
        help: "drop snapshots (all but the current one, or cells A to B)",
        example: ":clear_past 2..5",
        parse: |args, _| range(args).map(Command::ClearPast),
    },
    TypableCommand {
        name: "memory",
        aliases: &["mem"],
        usage: ":memory",
        help: "memory of every snapshot, and the budget",
        example: ":memory",
        parse: |args, display| no_args(args, display).map(|()| Command::Memory),
    },
    TypableCommand {
        name: "jobs",
        aliases: &[],
        usage: ":jobs",
        help: "background jobs: state, time, peak memory",
        example: ":jobs",
        parse: |args, display| no_args(args, display).map(|()| Command::Jobs),
    },
    TypableCommand {
        name: "kill",
        aliases: &[],
        usage: ":kill N",
        help: "stop job N",
        example: ":kill 3",
        parse: |args, _| required_number(args, ":kill", ":kill 3").map(Command::Kill),
    },
    TypableCommand {
        name: "log",
        aliases: &[],
        usage: ":log N",
        help: "what job N printed (also while it runs)",
        example: ":log 3",
        parse: |args, _| required_number(args, ":log", ":log 3").map(Command::Log),
    },
    TypableCommand {
        name: "take",
        aliases: &[],
        usage: ":take N|NAME@N [VAR...]",
        help: "copy variables (none named: all) from finished job N, or from saved session NAME's cell N as one new cell (:past before it undoes it)",
        example: ":take lab@3 total",
        parse: |args, _| saved::take(args),
    },
    TypableCommand {
        name: "sweep",
        aliases: &[],
        usage: ":sweep [N]",
        help: "the table of a sweep (&[n in 1..=8] CODE): each job's parameter, state and values; N: any of its cells (none: the last sweep)",
        example: ":sweep 12",
        parse: |args, _| branch::sweep(args),
    },
    TypableCommand {
        name: "notify",
        aliases: &[],
        usage: ":notify desktop|terminal|off",
        help: "where job-finished notices go",
        example: ":notify terminal",
        parse: |args, _| {
            Ok(Command::Notify(match args {
                "desktop" => NotifyMode::Desktop,
                "terminal" => NotifyMode::Terminal,
                "off" => NotifyMode::Off,
                _ => {
                    return err(format!(
                        ":notify: expected desktop, terminal or off, got `{args}`"
                    ));
                }
            }))
        },
    },
    TypableCommand {
        name: "export",
        aliases: &[],
        usage: ":export DIR [--cell N] [--force]",
        help: "write a Cargo project (Cargo.toml with the :deps, src/main.rs with the code) that leads to cell N's state on its branch (none: the current cell)",
        example: ":export ../fib --cell 4",
        parse: |args, _| branch::export(args),
    },
    TypableCommand {
        name: "save",
        aliases: &[],
        usage: ":save [NAME]",
        help: "write what is not on disk yet now (values are otherwise saved when idle); NAME: all of it there",
        example: ":save lab",
        parse: |args, display| save(args, display, false),
    },
    TypableCommand {
        name: "save!",
        aliases: &[],
        usage: ":save! NAME",
        help: "like :save NAME, replacing what the saved session NAME held",
        example: ":save! lab",
        parse: |args, display| save(args, display, true),
    },
    TypableCommand {
        name: "load",
        aliases: &[],
        usage: ":load NAME",
        help: "switch to the saved session NAME",
        example: ":load lab",
        parse: |args, _| {
            if args.is_empty() || args.contains(char::is_whitespace) {
                return err(":load needs one session name, e.g. :load lab");
            }
            Ok(Command::Load(args.to_owned()))
        },
    },
    TypableCommand {
        name: "timing",
        aliases: &[],
        usage: ":timing",
        help: "show each cell's wall time",
        example: ":timing",
        parse: |args, display| no_args(args, display).map(|()| Command::Timing),
    },
    TypableCommand {
        name: "unhook",
        aliases: &[],
        usage: ":unhook",
        help: "turn the time machine off for this session",
        example: ":unhook",
        parse: |args, display| no_args(args, display).map(|()| Command::Unhook),
    },
    TypableCommand {
        name: "quit",
        aliases: &["q", "exit"],
        usage: ":quit",
        help: "leave tmrepl (also Ctrl-D)",
        example: ":quit",
        parse: |args, display| no_args(args, display).map(|()| Command::Quit),
    },
    TypableCommand {
        name: "dep",
        aliases: &[],
        usage: ":dep NAME [= SPEC]",
        help: "add a crate dependency, e.g. :dep regex = \"1\"",
        example: ":dep regex = \"1\"",
        parse: |args, _| {
            if args.is_empty() {
                return err(":dep needs a crate, e.g. :dep regex = \"1\"");
            }
            Ok(Command::Evcxr(EvcxrCommand::Dep {
                spec: args.to_owned(),
            }))
        },
    },
    TypableCommand {
        name: "show_deps",
        aliases: &[],
        usage: ":show_deps",
        help: "list the dependencies added so far",
        example: ":show_deps",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::ShowDeps)),
    },
    TypableCommand {
        name: "type",
        aliases: &["t"],
        usage: ":type EXPR-VAR",
        help: "show a variable's type (also :t)",
        example: ":type x",
        parse: |args, display| {
            if !is_identifier(args) {
                return err(format!("{display} needs a variable name"));
            }
            Ok(Command::Evcxr(EvcxrCommand::Type(args.to_owned())))
        },
    },
    TypableCommand {
        name: "opt",
        aliases: &[],
        usage: ":opt [0|1|2|3|s|z]",
        help: "show or set the optimisation level for cells",
        example: ":opt 2",
        parse: |args, _| {
            if !matches!(args, "" | "0" | "1" | "2" | "3" | "s" | "z") {
                return err(format!(":opt: expected 0, 1, 2, 3, s or z, got `{args}`"));
            }
            Ok(Command::Evcxr(EvcxrCommand::Opt(optional(args))))
        },
    },
    TypableCommand {
        name: "explain",
        aliases: &[],
        usage: ":explain",
        help: "explain the last compile error's code",
        example: ":explain",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::Explain)),
    },
    TypableCommand {
        name: "clear",
        aliases: &[],
        usage: ":clear",
        help: "go back to an empty session (snapshots are kept)",
        example: ":clear",
        parse: |args, display| no_args(args, display).map(|()| Command::Clear),
    },
    TypableCommand {
        name: "efmt",
        aliases: &[],
        usage: ":efmt [FMT]",
        help: "show or set the format of error values, e.g. {:?}",
        example: ":efmt {:?}",
        parse: |args, _| Ok(Command::Evcxr(EvcxrCommand::ErrorFormat(optional(args)))),
    },
    TypableCommand {
        name: "fmt",
        aliases: &[],
        usage: ":fmt [FMT]",
        help: "show or set the format of output values, e.g. {:#?}",
        example: ":fmt {:#?}",
        parse: |args, _| Ok(Command::Evcxr(EvcxrCommand::OutputFormat(optional(args)))),
    },
    TypableCommand {
        name: "types",
        aliases: &[],
        usage: ":types",
        help: "toggle showing the type of each output value",
        example: ":types",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::Types)),
    },
    TypableCommand {
        name: "toolchain",
        aliases: &[],
        usage: ":toolchain [NAME]",
        help: "show or set the rustup toolchain used for cells",
        example: ":toolchain nightly",
        parse: |args, _| Ok(Command::Evcxr(EvcxrCommand::Toolchain(optional(args)))),
    },
    TypableCommand {
        name: "offline",
        aliases: &[],
        usage: ":offline [on|off]",
        help: "show or set cargo's offline mode",
        example: ":offline on",
        parse: |args, display| evcxr(optional_on_off(args, display).map(EvcxrCommand::Offline)),
    },
    TypableCommand {
        name: "sccache",
        aliases: &[],
        usage: ":sccache [on|off]",
        help: "show or set use of sccache",
        example: ":sccache off",
        parse: |args, display| evcxr(optional_on_off(args, display).map(EvcxrCommand::Sccache)),
    },
    TypableCommand {
        name: "linker",
        aliases: &[],
        usage: ":linker [NAME]",
        help: "show or set the linker (system, lld, mold)",
        example: ":linker lld",
        parse: |args, _| Ok(Command::Evcxr(EvcxrCommand::Linker(optional(args)))),
    },
    TypableCommand {
        name: "preserve_vars_on_panic",
        aliases: &[],
        usage: ":preserve_vars_on_panic [on|off]",
        help: "show or set whether a panic keeps variables",
        example: ":preserve_vars_on_panic on",
        parse: |args, display| {
            evcxr(optional_on_off(args, display).map(EvcxrCommand::PreserveVarsOnPanic))
        },
    },
    TypableCommand {
        name: "time_passes",
        aliases: &[],
        usage: ":time_passes [on|off]",
        help: "toggle or set rustc's -Ztime-passes (nightly)",
        example: ":time_passes off",
        parse: |args, display| evcxr(optional_on_off(args, display).map(EvcxrCommand::TimePasses)),
    },
    TypableCommand {
        name: "build_env",
        aliases: &[],
        usage: ":build_env KEY=VALUE",
        help: "set an environment variable for compilation",
        example: ":build_env RUST_LOG=debug",
        parse: |args, display| {
            let (key, value) = key_value(args, display)?;
            Ok(Command::Evcxr(EvcxrCommand::BuildEnv { key, value }))
        },
    },
    TypableCommand {
        name: "load_config",
        aliases: &[],
        usage: ":load_config [--quiet]",
        help: "run evcxr's startup configuration: evcxr.toml's dependencies and prelude (or init.evcxr, prelude.rs)",
        example: ":load_config",
        parse: |args, display| match args {
            "" => Ok(Command::Evcxr(EvcxrCommand::LoadConfig { quiet: false })),
            "--quiet" => Ok(Command::Evcxr(EvcxrCommand::LoadConfig { quiet: true })),
            other => err(format!("{display} takes only --quiet, got `{other}`")),
        },
    },
    TypableCommand {
        name: "clear_cache",
        aliases: &[],
        usage: ":clear_cache",
        help: "empty evcxr's compilation cache (see :cache)",
        example: ":clear_cache",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::ClearCache)),
    },
    TypableCommand {
        name: "env",
        aliases: &[],
        usage: ":env KEY=VALUE",
        help: "set an environment variable in the process cells run in, now (evcxr: after :restart); snapshots keep it",
        example: ":env RUST_LOG=debug",
        parse: |args, display| {
            let (key, value) = key_value(args, display)?;
            Ok(Command::Evcxr(EvcxrCommand::Env { key, value }))
        },
    },
    TypableCommand {
        name: "version",
        aliases: &[],
        usage: ":version",
        help: "versions of tmrepl, evcxr and rustc",
        example: ":version",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::Version)),
    },
    TypableCommand {
        name: "doc",
        aliases: &[],
        usage: ":doc NAME",
        help: "documentation of a variable, keyword, type, function or module",
        example: ":doc Vec",
        parse: |args, display| {
            if args.is_empty() {
                return err(format!("{display} needs a name, e.g. :doc Vec"));
            }
            Ok(Command::Evcxr(EvcxrCommand::Doc(args.to_owned())))
        },
    },
    TypableCommand {
        name: "allow_static_linking",
        aliases: &[],
        usage: ":allow_static_linking 0|1",
        help: "1: link dependencies into each cell (the default); 0: as shared libraries, so their statics are shared by all cells",
        example: ":allow_static_linking 1",
        parse: |args, display| {
            Ok(Command::Evcxr(EvcxrCommand::AllowStaticLinking(on_off(
                args, display,
            )?)))
        },
    },
    TypableCommand {
        name: "codegen_backend",
        aliases: &[],
        usage: ":codegen_backend [NAME]",
        help: "show or set rustc's codegen backend (nightly), e.g. cranelift",
        example: ":codegen_backend cranelift",
        parse: |args, _| Ok(Command::Evcxr(EvcxrCommand::CodegenBackend(optional(args)))),
    },
    TypableCommand {
        name: "cache",
        aliases: &[],
        usage: ":cache [MiB]",
        help: "show or set evcxr's compilation cache in MiB (0: off, the default; on, it slows every cell here)",
        example: ":cache 500",
        parse: |args, display| {
            if args.is_empty() {
                return Ok(Command::Evcxr(EvcxrCommand::Cache(None)));
            }
            match args.parse::<u64>() {
                Ok(mib) => Ok(Command::Evcxr(EvcxrCommand::Cache(Some(mib)))),
                Err(_) => err(format!("{display}: expected a size in MiB, got `{args}`")),
            }
        },
    },
    TypableCommand {
        name: "last_compile_dir",
        aliases: &[],
        usage: ":last_compile_dir",
        help: "the folder evcxr compiles cells in",
        example: ":last_compile_dir",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::LastCompileDir)),
    },
    TypableCommand {
        name: "last_error_json",
        aliases: &[],
        usage: ":last_error_json",
        help: "the last compile errors as rustc's JSON (for debugging)",
        example: ":last_error_json",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::LastErrorJson)),
    },
    TypableCommand {
        name: "internal_debug",
        aliases: &[],
        usage: ":internal_debug",
        help: "toggle evcxr's internal debugging output",
        example: ":internal_debug",
        parse: |args, display| evcxr(no_args(args, display).map(|()| EvcxrCommand::InternalDebug)),
    },
];
