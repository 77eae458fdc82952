//! The full-screen front end (ratatui + crossterm). It turns keys into `App` calls and
//! draws the `Session`; all time-machine decisions stay in the core.

pub mod editor;
pub mod highlight;
pub mod keymap;
pub mod stderr;
pub mod view;

use crate::app::{App, Update};
use crate::commands::Command;
use crate::completion;
use crate::frontend;
use crate::history;
use crate::session::input::{Completeness, completeness};
use crate::session::{NoticeKind, Stream};
use anyhow::Result;
use crossbeam_channel::{Receiver, select};
use keymap::{Action, Context};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyCode, KeyEvent, KeyEventKind,
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
use stderr::StderrCapture;
use view::{AwaitingValues, CompletionMenu, Entry, Focus, Overlay, Pick, View};

/// What a key did to the session as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Quit,
}

/// The interface's state plus the logic that maps keys to `App` calls. Separate from the
/// terminal so tests can drive it with synthetic keys against a real session.
pub struct Tui {
    pub view: View,
    page: usize,
    /// Cells typed ahead while another one runs, submitted in order when the app is idle.
    queued: std::collections::VecDeque<String>,
}

impl Tui {
    pub fn new(color: bool) -> Tui {
        Tui {
            view: View::new(color),
            page: 10,
            queued: std::collections::VecDeque::new(),
        }
    }

    /// Handles every update from `app`, returning Quit when the session should end.
    pub fn apply(&mut self, app: &App, updates: Vec<Update>) -> Control {
        let mut control = Control::Continue;
        for update in updates {
            match &update {
                Update::Quit => control = self.quit(app),
                Update::Fatal(error) => {
                    self.view.transcript.push(Entry::Notice {
                        kind: NoticeKind::Error,
                        text: format!("tmrepl: {error}"),
                    });
                    self.view.status = Some((NoticeKind::Error, error.clone()));
                }
                _ => self.view.apply(&update, app.session()),
            }
        }
        control
    }

    /// About once a second, re-reads the log of a running job shown in the detail view.
    pub fn refresh_followed_log(&mut self, app: &mut App) {
        let Some(Overlay::Detail {
            follow: Some(cell), ..
        }) = &self.view.overlay
        else {
            return;
        };
        let cell = *cell;
        let running = app
            .session()
            .timeline()
            .get(cell)
            .is_some_and(|c| matches!(c.status, crate::timeline::CellStatus::Running));
        if running && !app.is_busy() && self.view.ticks.is_multiple_of(8) {
            self.view.awaiting_log = Some(cell);
            let updates = app.command(Command::Log(cell));
            self.apply(app, updates);
        }
    }

    /// Submits the next typed-ahead cell once the app is idle.
    pub fn submit_queued(&mut self, app: &mut App) -> Control {
        if app.is_busy() {
            return Control::Continue;
        }
        match self.queued.pop_front() {
            Some(text) => self.submit_text(app, text),
            None => Control::Continue,
        }
    }

    fn quit(&mut self, app: &App) -> Control {
        let Some(jobs) = frontend::jobs_in_the_way(app.session()) else {
            return Control::Quit;
        };
        if self.view.quit_asked {
            return Control::Quit;
        }
        self.view.quit_asked = true;
        self.view.status = Some((NoticeKind::Warning, jobs.press_again()));
        Control::Continue
    }

    fn submit(&mut self, app: &mut App) -> Control {
        let text = self.view.editor.take();
        if app.is_busy() {
            self.queued.push_back(text);
            self.view.status = Some((
                NoticeKind::Info,
                format!(
                    "{} cell(s) queued behind the running one",
                    self.queued.len()
                ),
            ));
            return Control::Continue;
        }
        self.submit_text(app, text)
    }

    fn submit_text(&mut self, app: &mut App, text: String) -> Control {
        if text.trim().is_empty() {
            return Control::Continue;
        }
        let is_code = !text.trim_start().starts_with(':');
        self.view.transcript.push(Entry::Input {
            cell: is_code.then(|| app.session().next_cell()),
            source: text.clone(),
        });
        if text.trim() == ":help" {
            self.view.overlay = Some(Overlay::Help { scroll: 0 });
        }
        let updates = app.submit(&text);
        self.apply(app, updates)
    }

    pub fn handle_event(&mut self, app: &mut App, event: Event) -> Control {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(app, key),
            Event::Resize(_, height) => {
                self.page = (height as usize / 2).max(1);
                Control::Continue
            }
            other => {
                self.view.handle_event(&other);
                Control::Continue
            }
        }
    }

    pub fn handle_key(&mut self, app: &mut App, key: KeyEvent) -> Control {
        // Only Ctrl-D right after Ctrl-D confirms quitting with jobs running.
        if keymap::lookup(&[Context::Global], &key) != Some(Action::QuitOrDeleteChar) {
            self.view.quit_asked = false;
        }
        let action = match keymap::lookup(self.contexts(), &key) {
            Some(action) => action,
            None if self.searching() => keymap::search_fallback(),
            None => return Control::Continue,
        };
        self.perform(app, action, &key)
    }

    /// Where keys are looked up now, most specific first. An open view takes every key.
    fn contexts(&self) -> &'static [Context] {
        match (&self.view.overlay, self.view.focus) {
            (Some(Overlay::Rewind { .. }), _) => &[Context::Rewind, Context::Overlay],
            (Some(Overlay::Detail { .. }), _) => &[Context::Detail, Context::Overlay],
            (Some(Overlay::Help { .. }), _) => &[Context::Overlay],
            (Some(Overlay::Question { .. }), _) => &[Context::Question],
            (None, Focus::Panel) => &[Context::Panel, Context::Global],
            (None, Focus::Editor) if self.view.completion.is_some() => {
                &[Context::Completion, Context::Editor, Context::Global]
            }
            (None, Focus::Editor) if self.view.search.is_some() => {
                &[Context::Search, Context::Global]
            }
            (None, Focus::Editor) => &[Context::Editor, Context::Global],
        }
    }

    fn searching(&self) -> bool {
        self.view.overlay.is_none()
            && self.view.focus == Focus::Editor
            && self.view.search.is_some()
    }

    fn perform(&mut self, app: &mut App, action: Action, key: &KeyEvent) -> Control {
        if let Some(menu) = &mut self.view.completion {
            match action {
                Action::CompletionNext | Action::CompletionPrevious => {
                    menu.step(action == Action::CompletionNext);
                    return Control::Continue;
                }
                Action::CompletionAccept => {
                    let chosen = menu.completions.candidates.get(menu.selected).cloned();
                    let (start, end) = (menu.completions.start, menu.completions.end);
                    if let Some(chosen) = chosen {
                        self.view.editor.replace_range(start, end, &chosen.insert);
                    }
                    self.view.completion = None;
                    return Control::Continue;
                }
                // Any other key closes the menu and then does what it always does.
                _ => self.view.completion = None,
            }
        }
        let session = app.session();
        let editor = &mut self.view.editor;
        match action {
            Action::ShowHelp => self.view.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::InterruptOrClear => {
                if app.is_busy() {
                    app.interrupt();
                } else {
                    editor.clear();
                    self.view.search = None;
                }
            }
            Action::QuitOrDeleteChar => {
                if editor.is_empty() {
                    return self.quit(app);
                }
                editor.delete();
            }
            Action::ScrollTranscriptUp => self.view.scroll += self.page,
            Action::ScrollTranscriptDown => {
                self.view.scroll = self.view.scroll.saturating_sub(self.page)
            }
            Action::PreviewRewind => return self.rewind_preview(app),
            Action::Submit => return self.enter(app),
            Action::Newline => editor.newline(),
            Action::CompleteOrFocusPanel => {
                if editor.is_empty() {
                    self.view.focus = Focus::Panel;
                } else {
                    complete(&mut self.view, app);
                }
            }
            Action::DismissStatus => self.view.status = None,
            // Handled above while the menu is open; Esc has closed it.
            Action::CompletionNext
            | Action::CompletionPrevious
            | Action::CompletionAccept
            | Action::CompletionCancel => {}
            Action::StartSearch => self.view.search = Some((String::new(), None)),
            Action::LineStart => editor.home(),
            Action::LineEnd => editor.end(),
            Action::ClearLine => editor.clear(),
            Action::InsertChar => {
                if let KeyCode::Char(c) = key.code {
                    editor.type_char(c);
                }
            }
            Action::Backspace => editor.backspace(),
            Action::DeleteChar => editor.delete(),
            Action::Left => editor.left(),
            Action::Right => editor.right(),
            Action::Up => editor.up(),
            Action::Down => editor.down(),
            Action::SearchOlder
            | Action::SearchType
            | Action::SearchBackspace
            | Action::AcceptSearch
            | Action::EndSearch => self.search_key(action, key),
            Action::SelectPrevious => self.view.select(session, -1),
            Action::SelectNext => self.view.select(session, 1),
            Action::SelectPageUp => self.view.select(session, -(self.page as i64)),
            Action::SelectPageDown => self.view.select(session, self.page as i64),
            Action::SelectFirst => self.view.select_edge(session, false),
            Action::SelectLast => self.view.select_edge(session, true),
            Action::FocusEditor => self.view.focus = Focus::Editor,
            Action::OpenSelected => return self.open_selected(app),
            Action::KillSelectedJob => {
                if let Some(cell) = self.view.selection(session) {
                    let updates = app.command(Command::Kill(cell));
                    return self.apply(app, updates);
                }
            }
            Action::CloseOverlay => self.view.overlay = None,
            Action::ConfirmRewind => return self.confirm_rewind(app),
            Action::OpenDetailLine => return self.open_detail_line(app),
            Action::AnswerYes | Action::AnswerNo => {
                self.view.overlay = None;
                let updates = app.command(Command::ReplayEffects(action == Action::AnswerYes));
                return self.apply(app, updates);
            }
            Action::DetailUp | Action::DetailDown
                if self.view.move_pick(action == Action::DetailDown) => {}
            Action::ScrollOverlayUp
            | Action::ScrollOverlayDown
            | Action::DetailUp
            | Action::DetailDown => {
                let last_top = self.view.popup_last_top.get();
                if let Some(Overlay::Detail { scroll, .. } | Overlay::Help { scroll }) =
                    &mut self.view.overlay
                {
                    // Up/Down a row, PgUp/PgDn a page; never past the last page.
                    let step = match action {
                        Action::DetailUp | Action::DetailDown => 1,
                        _ => 10,
                    };
                    *scroll = if matches!(action, Action::ScrollOverlayDown | Action::DetailDown) {
                        (*scroll).min(last_top).saturating_add(step).min(last_top)
                    } else {
                        (*scroll).min(last_top).saturating_sub(step)
                    };
                }
            }
        }
        Control::Continue
    }

    /// Enter in the editor: answers a running cell's prompt, continues an unfinished cell,
    /// or runs it.
    fn enter(&mut self, app: &mut App) -> Control {
        let view = &mut self.view;
        if let Some(_prompt) = view.input_prompt.take() {
            let answer = view.editor.take();
            view.transcript.push(Entry::Output {
                stream: Stream::Stdout,
                text: answer.clone(),
            });
            if let Err(e) = app.answer_input(answer) {
                view.status = Some((NoticeKind::Error, e));
            }
            return Control::Continue;
        }
        if completeness(&view.editor.text()) == Completeness::Incomplete {
            view.editor.newline();
            return Control::Continue;
        }
        self.submit(app)
    }

    fn search_key(&mut self, action: Action, key: &KeyEvent) {
        let view = &mut self.view;
        let Some((query, found)) = &mut view.search else {
            return;
        };
        let newest = view.editor.history().len();
        match action {
            Action::SearchOlder => {
                if let Some(i) = view.editor.search(query, found.unwrap_or(newest)) {
                    *found = Some(i);
                }
            }
            Action::SearchType => {
                if let KeyCode::Char(c) = key.code {
                    query.push(c);
                }
                *found = view.editor.search(query, newest);
            }
            Action::SearchBackspace => {
                query.pop();
                *found = view.editor.search(query, newest);
            }
            Action::AcceptSearch => {
                if let Some(i) = found {
                    let entry = view.editor.history()[*i].clone();
                    view.editor.set_text(&entry);
                }
                view.search = None;
            }
            _ => view.search = None,
        }
        if let Some((_, Some(i))) = &view.search {
            let entry = view.editor.history()[*i].clone();
            view.status = Some((
                NoticeKind::Info,
                format!("found: {}", entry.lines().next().unwrap_or("")),
            ));
        }
    }

    /// Ctrl-T: the names at once, then the values when the engine has read them.
    fn rewind_preview(&mut self, app: &mut App) -> Control {
        let Some(cell) = self.view.selection(app.session()) else {
            self.view.status = Some((NoticeKind::Error, "no cells yet".into()));
            return Control::Continue;
        };
        match app.session().rewind_preview(cell) {
            Ok(text) => {
                self.view.overlay = Some(Overlay::Rewind { cell, text });
                self.view.awaiting_rewind = Some(cell);
                let updates = app.command(Command::PreviewPast(cell));
                self.apply(app, updates)
            }
            Err(e) => {
                self.view.status = Some((NoticeKind::Error, e));
                Control::Continue
            }
        }
    }

    fn confirm_rewind(&mut self, app: &mut App) -> Control {
        let Some(Overlay::Rewind { cell, .. }) = self.view.overlay.take() else {
            return Control::Continue;
        };
        self.view.focus = Focus::Editor;
        // Shown as if typed, so the transcript says what happened.
        self.view.transcript.push(Entry::Input {
            cell: None,
            source: format!(":past {cell}"),
        });
        let updates = app.command(Command::Past(cell));
        self.apply(app, updates)
    }

    /// Panel Enter: a job's log (followed while it runs), or a cell's variables.
    fn open_selected(&mut self, app: &mut App) -> Control {
        let session = app.session();
        let Some(cell) = self.view.selection(session) else {
            return Control::Continue;
        };
        let is_job = session
            .timeline()
            .get(cell)
            .is_some_and(|c| c.job.is_some());
        if is_job {
            self.view.awaiting_log = Some(cell);
            let updates = app.command(Command::Log(cell));
            return self.apply(app, updates);
        }
        // Names and types at once; the values replace them when read from the snapshot.
        let text = session.vars_table(Some(cell)).unwrap_or_else(|e| e);
        let has_vars = session.vars_table(Some(cell)).is_ok();
        self.view.overlay = Some(Overlay::Detail {
            title: format!("cell {cell}: variables"),
            text,
            scroll: 0,
            follow: None,
            pick: has_vars.then_some(Pick { cell, selected: 0 }),
        });
        if !has_vars || app.is_busy() {
            return Control::Continue;
        }
        self.view.awaiting_values = Some(AwaitingValues::Table(cell));
        let updates = app.command(Command::Vars {
            at: Some(cell),
            name: None,
        });
        self.apply(app, updates)
    }

    /// Enter in the detail view: a picked variable's whole value; otherwise closes it.
    fn open_detail_line(&mut self, app: &mut App) -> Control {
        let Some((cell, name)) = self.view.picked_variable() else {
            self.view.overlay = None;
            return Control::Continue;
        };
        if app.is_busy() {
            self.view.status = Some((
                NoticeKind::Info,
                "a cell is running; its values can be read when it ends".into(),
            ));
            return Control::Continue;
        }
        self.view.awaiting_values = Some(AwaitingValues::Whole(cell, name.clone()));
        let updates = app.command(Command::Vars {
            at: Some(cell),
            name: Some(name),
        });
        self.apply(app, updates)
    }
}

/// Tab in the editor: one completion is taken at once; several open the menu, after the
/// text they all share is typed in. Code asks rust-analyzer; when it is slow (the first
/// question of a session) or a cell is running, "completions loading…" shows and the
/// answer opens the menu when it comes (`poll_completion`).
fn complete(view: &mut View, app: &App) {
    let text = view.editor.text();
    let cursor = view.editor.cursor_offset();
    let variables: Vec<String> = app
        .session()
        .current_vars()
        .iter()
        .map(|v| v.name.clone())
        .collect();
    let engine = app.code_completer();
    let code = !completion::is_command_line(&text);
    let found = (!(app.is_busy() && code)).then(|| {
        let asked = (!app.is_busy()).then_some(&engine);
        completion::complete_within(&text, cursor, &variables, asked, completion::QUICK_WAIT)
    });
    match found {
        Some(found) if !(found.late && code) => show_completions(view, found),
        _ => {
            view.pending_completion =
                Some(completion::Pending::ask(&engine, &text, cursor, &variables));
            view.status = Some((NoticeKind::Info, "completions loading…".into()));
        }
    }
}

/// Opens the menu once a slow answer came, if the text is still what was completed.
pub fn poll_completion(view: &mut View) {
    let Some(pending) = &view.pending_completion else {
        return;
    };
    if view.editor.text() != pending.source || view.editor.cursor_offset() != pending.cursor {
        view.pending_completion = None;
        view.status = None;
        return;
    }
    if let Some(found) = pending.ready() {
        view.pending_completion = None;
        view.status = None;
        show_completions(view, found);
    }
}

fn show_completions(view: &mut View, mut found: completion::Completions) {
    let cursor = view.editor.cursor_offset();
    match found.candidates.as_slice() {
        [] if found.late => {
            view.status = Some((
                NoticeKind::Info,
                "rust-analyzer is still busy; Tab again in a moment".into(),
            ))
        }
        [] => view.status = Some((NoticeKind::Info, "no completions here".into())),
        [only] => {
            let insert = only.insert.clone();
            view.editor.replace_range(found.start, found.end, &insert);
        }
        _ => {
            let common = found.common_prefix();
            if common.len() > cursor - found.start {
                view.editor.replace_range(found.start, cursor, &common);
                found.end = found.end - cursor + found.start + common.len();
            }
            view.completion = Some(CompletionMenu {
                completions: found,
                selected: 0,
            });
        }
    }
}

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
    let events = spawn_event_reader(terminated.clone());
    let mut tui = Tui::new(options.color);
    if let Some(path) = &options.history {
        // An unreadable history is not worth refusing to start over.
        tui.view
            .editor
            .set_history(history::load(path, options.history_size).unwrap_or_default());
    }
    tui.page = (terminal.size()?.height as usize / 2).max(1);
    let startup = app.take_startup();
    tui.apply(&app, startup);
    let tick = crossbeam_channel::tick(Duration::from_millis(120));
    let mut code = 0;
    'outer: loop {
        terminal.draw(|frame| tui.view.render(frame, app.session(), app.is_busy()))?;
        if std::mem::take(&mut tui.view.ring_bell) {
            let _ = std::io::stdout().write_all(b"\x07");
            let _ = std::io::stdout().flush();
        }
        // Wait for something, then drain everything that is ready before drawing again.
        let mut control = select! {
            recv(events) -> event => match event {
                Ok(event) => tui.handle_event(&mut app, event),
                Err(_) => Control::Quit,
            },
            recv(app.messages()) -> message => match message {
                Ok(message) => {
                    let updates = app.handle(message);
                    tui.apply(&app, updates)
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
                poll_completion(&mut tui.view);
                tui.refresh_followed_log(&mut app);
                let updates = app.tick();
                tui.apply(&app, updates)
            },
        };
        while control == Control::Continue {
            if let Ok(event) = events.try_recv() {
                control = tui.handle_event(&mut app, event);
            } else if let Ok(message) = app.messages().try_recv() {
                let updates = app.handle(message);
                control = tui.apply(&app, updates);
            } else {
                break;
            }
        }
        if control == Control::Continue {
            control = tui.submit_queued(&mut app);
        }
        if terminated.load(Ordering::Relaxed) {
            code = 143;
            break 'outer;
        }
        if control == Control::Quit {
            break;
        }
    }
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
