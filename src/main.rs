use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use tmrepl::app::App;
use tmrepl::cli::{Cli, parse_size, total_ram};
use tmrepl::plain::{self, PlainOptions};
use tmrepl::session::Settings;

fn main() -> ExitCode {
    // The supervisor and evcxr's rustc wrapper are this same binary: dispatch first.
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();

    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(error) => {
            eprintln!("tmrepl: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let budget = parse_size(&cli.snapshot_memory, total_ram())
        .map_err(|e| anyhow::anyhow!("--snapshot-memory: {e}"))?;
    let data_dir = cli
        .data_dir
        .clone()
        .or_else(|| dirs::data_dir().map(|d| d.join("tmrepl")));
    let interactive = std::io::stdin().is_terminal();
    let full_screen = interactive
        && std::io::stdout().is_terminal()
        && !cli.plain
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(false);
    let interrupts = interrupt_channel()?;
    if !(cli.notify_after.is_finite() && cli.notify_after >= 0.0) {
        anyhow::bail!("--notify-after: expected a number of seconds");
    }
    let app = App::new(Settings {
        snapshot_budget: budget,
        notify: cli.notify.into(),
        notify_after: std::time::Duration::from_secs_f64(cli.notify_after),
        job_limit: cli.jobs,
    });
    let history = data_dir.map(|d| d.join("history"));
    if full_screen {
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        return tmrepl::ui::run(app, tmrepl::ui::TuiOptions { color, history });
    }
    plain::run(
        app,
        PlainOptions {
            interactive,
            history,
        },
        interrupts,
    )
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
