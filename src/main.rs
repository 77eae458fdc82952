//! The `tmrepl` binary: the supervisor dispatch comes first (evcxr starts this same
//! executable as its child), then the command line, configuration and a front end.

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use tmrepl::app::App;
use tmrepl::cli::{Cli, KernelAction, SessionsAction, SpecPlace, Subcommand, total_ram};
use tmrepl::config::{self, Config};
use tmrepl::plain::{self, PlainOptions};
use tmrepl::session::Settings;

fn main() -> ExitCode {
    // The supervisor and evcxr's rustc wrapper are this same binary: dispatch first.
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();
    // Two arenas hold less freed memory than glibc's default of eight per core, and
    // rust-analyzer's few threads do not contend for more (measured: 10 MiB less).
    tmrepl::runtime::limit_heap_arenas(2);

    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(error) => {
            eprintln!("tmrepl: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let path = cli
        .config
        .clone()
        .or_else(config::default_path)
        .ok_or_else(|| anyhow::anyhow!("no configuration folder; pass --config FILE"))?;
    let file = config::load_file(&path).map_err(anyhow::Error::msg)?;
    Config::resolve(cli, file, path, total_ram()).map_err(anyhow::Error::msg)
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let config = load_config(&cli)?;
    if cli.command == Some(Subcommand::Config) {
        println!("{}", config.render());
        return Ok(0);
    }
    if let Some(Subcommand::Sessions(args)) = &cli.command {
        let dir = config
            .data_dir
            .0
            .clone()
            .ok_or_else(|| anyhow::anyhow!("no data folder; pass --data-dir"))?;
        if let Some(action) = &args.action {
            return sessions_action(&dir, action);
        }
        if let Some(name) = &args.check {
            let report = tmrepl::archive::check_session(&dir, name)?;
            print!("{}", report.render());
            return Ok(if report.is_healthy() { 0 } else { 1 });
        }
        let sessions = tmrepl::archive::list_sessions(&dir)?;
        if sessions.is_empty() {
            println!("no saved sessions in {}", dir.join("sessions").display());
        }
        for s in sessions {
            println!(
                "{:<24} {:>5} cells {:>10} on disk   last used {}",
                s.name,
                s.cells,
                tmrepl::session::human_bytes(s.bytes),
                format_age(s.last_used)
            );
        }
        return Ok(0);
    }
    let kernel_file = match &cli.command {
        Some(Subcommand::Kernel(args)) => match (&args.action, &args.connection_file) {
            (Some(action), _) => return kernel_spec(&cli, action),
            (None, Some(file)) => Some(file.clone()),
            (None, None) => {
                anyhow::bail!("tmrepl kernel needs --connection-file FILE, or install/uninstall")
            }
        },
        _ => None,
    };
    let interactive = std::io::stdin().is_terminal() && kernel_file.is_none();
    let full_screen = interactive
        && std::io::stdout().is_terminal()
        && !cli.plain
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(false);
    // Dependencies built by earlier sessions are reused (held until this returns).
    let build_dir = config
        .data_dir
        .0
        .as_deref()
        .and_then(tmrepl::engine::build_dir::BuildDir::reserve);
    if let Some(dir) = &build_dir
        && let Err(e) = dir.use_for_evcxr()
    {
        eprintln!("tmrepl: dependencies will be built in a new folder: {e}");
    }
    let interrupts = interrupt_channel()?;
    // Taken before the engine starts, so that whatever it writes to stderr (cargo's lines
    // for a `:dep`) lands in the transcript, not over the screen.
    let captured_stderr = if full_screen {
        tmrepl::ui::stderr::StderrCapture::start().ok()
    } else {
        None
    };
    let app = App::new(Settings {
        snapshot_budget: config.snapshot_memory.1,
        notify: config.notify.0,
        notify_after: config.notify_after.0,
        job_limit: config.jobs.0,
        snapshot_count: config.snapshot_count.0,
        explain_past: cli.explain_past,
        replay: !cli.no_replay,
        replay_effects: cli.replay_effects,
        ask_replay_effects: full_screen,
    });
    let mut app = app;
    app.set_data_dir(config.data_dir.0.clone());
    let wanted = match (&cli.session, &cli.resume) {
        (Some(name), _) => Some((Some(name.as_str()), false)),
        (None, Some(name)) => Some(((!name.is_empty()).then_some(name.as_str()), true)),
        (None, None) => None,
    };
    if let Some((name, must_exist)) = wanted {
        let updates = app
            .open_session(name, must_exist, cli.cell)
            .map_err(anyhow::Error::msg)?;
        app.push_startup(updates);
    } else if cli.cell.is_some() {
        anyhow::bail!("--cell goes with --session or --resume");
    }
    let history = config.history.clone();
    if let (Some(new), Some(data_dir)) = (&history, &config.data_dir.0) {
        let old = tmrepl::history::old_path(data_dir);
        if let Err(e) = tmrepl::history::migrate(&old, new) {
            eprintln!(
                "tmrepl: could not move the input history from {} to {}: {e}",
                old.display(),
                new.display()
            );
        }
    }
    if let Some(file) = kernel_file {
        return tmrepl::kernel::run(app, &file, interrupts);
    }
    if full_screen {
        return tmrepl::ui::run(
            app,
            tmrepl::ui::TuiOptions {
                color: config.color.0,
                history,
                history_size: config.history_size.0,
                captured_stderr,
            },
        );
    }
    plain::run(
        app,
        PlainOptions {
            interactive,
            history,
            history_size: config.history_size.0,
            vi: config.editing_mode.0 == config::EditingMode::Vi,
        },
        interrupts,
    )
}

/// `tmrepl kernel install|uninstall`.
fn kernel_spec(cli: &Cli, action: &KernelAction) -> anyhow::Result<i32> {
    use tmrepl::kernel::spec::{self, Env, Place};
    let env = Env::from_process();
    let place = |p: &SpecPlace| match (&p.prefix, p.sys_prefix, p.user) {
        (Some(dir), _, _) => Some(Place::Prefix(dir.clone())),
        (None, true, _) => Some(Place::SysPrefix),
        (None, false, true) => Some(Place::User),
        (None, false, false) => None,
    };
    match action {
        KernelAction::Install(p) => {
            let kernels = env.kernels_dir(&place(p).unwrap_or(Place::User))?;
            let exe = std::env::current_exe()?;
            let extra = spec::session_args(
                cli.data_dir.as_deref(),
                cli.session.as_deref(),
                cli.resume.as_deref(),
            );
            let dir = spec::install(&kernels, &exe, &extra)?;
            println!(
                "installed the kernelspec tmrepl (\"{}\") in {}",
                spec::DISPLAY_NAME,
                dir.display()
            );
        }
        KernelAction::Uninstall(p) => {
            let dir = spec::uninstall(&env, place(p).as_ref())?;
            println!("removed the kernelspec in {}", dir.display());
        }
    }
    Ok(0)
}

/// `tmrepl sessions export|import`.
fn sessions_action(data_dir: &std::path::Path, action: &SessionsAction) -> anyhow::Result<i32> {
    use tmrepl::session::human_bytes;
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match action {
        SessionsAction::Export { name, file } => {
            let done = tmrepl::archive::export_session(data_dir, name, file)?;
            println!(
                "exported session {name} to {}: {}, {}, {}",
                file.display(),
                count(done.cells, "cell"),
                count(done.objects, "value"),
                human_bytes(done.bytes)
            );
        }
        SessionsAction::Import {
            file,
            name,
            replace,
        } => {
            let done = tmrepl::archive::import_session(data_dir, file, name.as_deref(), *replace)?;
            println!(
                "imported session {} from {}: {}, {}, {}, every hash checked; \
                 `tmrepl --resume {}` continues it (resuming runs its cells' code)",
                done.name,
                file.display(),
                count(done.cells, "cell"),
                count(done.objects, "value"),
                human_bytes(done.bytes),
                done.name
            );
        }
    }
    Ok(0)
}

fn format_age(secs: u64) -> String {
    let now = tmrepl::archive::now_secs();
    let ago = now.saturating_sub(secs);
    match ago {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", ago / 60),
        3600..86400 => format!("{} h ago", ago / 3600),
        _ => format!("{} days ago", ago / 86400),
    }
}

/// Ctrl-C while a cell runs stops that cell, never tmrepl.
fn interrupt_channel() -> anyhow::Result<crossbeam_channel::Receiver<()>> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT])?;
    std::thread::Builder::new()
        .name("tmrepl-signals".into())
        .spawn(move || {
            for _ in signals.forever() {
                if tx.send(()).is_err() {
                    break;
                }
            }
        })?;
    Ok(rx)
}
