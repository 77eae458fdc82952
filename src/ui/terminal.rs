//! The terminal edge of the full-screen interface: raw mode, the alternate screen, mouse
//! and bracketed paste (`TerminalGuard`, restored on exit and on panic), crossterm's event
//! reader, SIGTERM and SIGHUP, and what happens after the loop (`event_loop`): the input
//! history written, unsaved values saved, the engine stopped.

use super::Tui;
use super::event_loop::{EventSources, run_main_loop};
use super::stderr::StderrCapture;
use crate::app::App;
use crate::frontend;
use crate::history;
use anyhow::Result;
use crossbeam_channel::Receiver;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Restores the terminal when dropped, including on panic.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> Result<TerminalGuard> {
        enable_raw_mode()?;
        execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )?;
        Ok(TerminalGuard)
    }

    fn restore() {
        let _ = disable_raw_mode();
        let _ = execute!(
            std::io::stdout(),
            DisableBracketedPaste,
            DisableMouseCapture,
            LeaveAlternateScreen,
            ratatui::crossterm::cursor::Show
        );
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        TerminalGuard::restore();
    }
}

pub struct TuiOptions {
    pub color: bool,
    pub history: Option<PathBuf>,
    pub history_size: usize,
    /// Standard error as a pipe, shown in the transcript (see `stderr`).
    pub captured_stderr: Option<StderrCapture>,
}

/// Runs the full-screen interface until the user quits. Returns the exit code.
pub fn run(mut app: App, options: TuiOptions) -> Result<i32> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        StderrCapture::restore();
        TerminalGuard::restore();
        previous_hook(info);
    }));
    let terminated = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, terminated.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGHUP, terminated.clone())?;

    let guard = TerminalGuard::enter()?;
    // Without a pipe stderr stays on the terminal: untidy, not fatal.
    let captured = options.captured_stderr;
    let stderr_lines = captured
        .as_ref()
        .map(|c| c.lines().clone())
        .unwrap_or_else(crossbeam_channel::never);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))?;
    let sources = EventSources {
        stderr_lines,
        terminated: terminated.clone(),
        ..EventSources::new(spawn_event_reader(terminated))
    };
    let mut tui = Tui::new(options.color);
    if let Some(path) = &options.history {
        // An unreadable history is not worth refusing to start over.
        tui.view
            .editor
            .set_history(history::load(path, options.history_size).unwrap_or_default());
    }
    let code = run_main_loop(&mut terminal, &mut app, &mut tui, &sources, |_, bell| {
        if bell {
            let _ = std::io::stdout().write_all(b"\x07");
            let _ = std::io::stdout().flush();
        }
    })?;
    drop(terminal);
    drop(captured);
    drop(guard);
    if let Some(path) = &options.history
        && let Err(e) = history::save(path, tui.view.editor.history(), options.history_size)
    {
        let _ = writeln!(
            std::io::stderr(),
            "tmrepl: could not save the input history to {}: {e}",
            path.display()
        );
    }
    // The terminal may be gone (SIGHUP): saving goes on, saying so is best effort.
    let said = frontend::save_before_quit(&mut app, |message| {
        let _ = writeln!(std::io::stderr(), "tmrepl: {message}");
    });
    for notice in frontend::problems(&said) {
        let _ = writeln!(std::io::stderr(), "tmrepl: {}", notice.text);
    }
    app.shutdown();
    Ok(code)
}
fn spawn_event_reader(stop: Arc<AtomicBool>) -> Receiver<Event> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let _ = std::thread::Builder::new()
        .name("tmrepl-terminal".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match event::poll(Duration::from_millis(100)) {
                    Ok(true) => match event::read() {
                        Ok(event) => {
                            if tx.send(event).is_err() {
                                break;
                            }
                        }
                        Err(_) => break,
                    },
                    Ok(false) => {}
                    Err(_) => break,
                }
            }
        });
    rx
}
