//! The loop of the full-screen interface, apart from any terminal: it draws the `View`
//! into a ratatui `Terminal` of any `Backend`, waits for terminal events, engine
//! messages, standard error's lines or a tick, and drains everything that is ready before
//! drawing again. `terminal::run` drives it with crossterm and the real engine; tests
//! drive it with `TestBackend`, a scripted list of events and a scripted engine
//! (`engine::over_channels`).

use super::view::Entry;
use super::{Control, Tui, complete};
use crate::app::App;
use crate::session::{NoticeKind, Stream};
use anyhow::Result;
use crossbeam_channel::{Receiver, select};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::Event;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The exit code after SIGTERM or SIGHUP.
pub const TERMINATED: i32 = 143;

/// What the loop waits for.
pub struct EventSources {
    /// Terminal events: crossterm's reader thread, or a test's script.
    pub events: Receiver<Event>,
    /// Lines written to standard error while the screen is ours (see `stderr`).
    pub stderr_lines: Receiver<String>,
    /// Drives the spinner, followed job logs, slow completions and idle-time saving.
    pub tick: Receiver<Instant>,
    /// Set by SIGTERM or SIGHUP: the loop ends with `TERMINATED`.
    pub terminated: Arc<AtomicBool>,
}

impl EventSources {
    /// Events from `events` and the usual tick; no standard error, never terminated.
    pub fn new(events: Receiver<Event>) -> EventSources {
        EventSources {
            events,
            stderr_lines: crossbeam_channel::never(),
            tick: crossbeam_channel::tick(Duration::from_millis(120)),
            terminated: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// Runs the interface until the user quits (0) or the process is told to end
/// (`TERMINATED`). Shows what `app` said before it started first. After every frame,
/// `after_draw` gets the drawn buffer and whether to ring the terminal bell now.
pub fn run_main_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    tui: &mut Tui,
    sources: &EventSources,
    mut after_draw: impl FnMut(&Buffer, bool),
) -> Result<i32>
where
    B::Error: Send + Sync + 'static,
{
    let EventSources {
        events,
        stderr_lines,
        tick,
        terminated,
    } = sources;
    tui.page = (terminal.size()?.height as usize / 2).max(1);
    let startup = app.take_startup();
    tui.apply(app, startup);
    loop {
        let frame = terminal.draw(|frame| tui.view.render(frame, app.session(), app.is_busy()))?;
        after_draw(frame.buffer, std::mem::take(&mut tui.view.ring_bell));
        // Wait for something, then drain everything that is ready before drawing again.
        let mut control = select! {
            recv(events) -> event => match event {
                Ok(event) => tui.handle_event(app, event),
                Err(_) => Control::Quit,
            },
            recv(app.messages()) -> message => match message {
                Ok(message) => {
                    let updates = app.handle(message);
                    tui.apply(app, updates)
                }
                Err(_) => Control::Quit,
            },
            recv(stderr_lines) -> line => {
                match line {
                    // cargo's progress is progress: the status line, not the transcript.
                    Ok(text) if crate::engine::is_cargo_progress(&text) => {
                        tui.view.status = Some((NoticeKind::Info, text.trim().to_owned()));
                    }
                    Ok(text) => {
                        tui.view.transcript.push(Entry::Output { stream: Stream::Stderr, text });
                    }
                    Err(_) => {}
                }
                Control::Continue
            },
            recv(tick) -> _ => {
                tui.view.ticks += 1;
                complete::poll_completion(&mut tui.view);
                tui.refresh_followed_log(app);
                let updates = app.tick();
                tui.apply(app, updates)
            },
        };
        while control == Control::Continue {
            if let Ok(event) = events.try_recv() {
                control = tui.handle_event(app, event);
            } else if let Ok(message) = app.messages().try_recv() {
                let updates = app.handle(message);
                control = tui.apply(app, updates);
            } else {
                break;
            }
        }
        if control == Control::Continue {
            control = tui.submit_queued(app);
        }
        if terminated.load(Ordering::Relaxed) {
            return Ok(TERMINATED);
        }
        if control == Control::Quit {
            return Ok(0);
        }
    }
}
