//! The full-screen front end (ratatui + crossterm). It turns keys into `App` calls and
//! draws the `Session`; all time-machine decisions stay in the core. This module: `Tui`,
//! the view state plus what each key does through the `App`. `event_loop`: the loop over
//! any ratatui `Backend`; `terminal`: the crossterm edge around it; `complete`: Tab in the
//! editor; `view`: what is drawn; `keymap`: every key; `editor`: the multi-line editor.

mod complete;
pub mod editor;
pub mod event_loop;
pub mod highlight;
pub mod keymap;
pub mod stderr;
mod terminal;
pub mod view;

pub use complete::poll_completion;
pub use event_loop::{EventSources, run_main_loop};
pub use terminal::{TuiOptions, run};

use crate::app::{App, Update};
use crate::commands::Command;
use crate::frontend;
use crate::session::input::{Completeness, completeness};
use crate::session::{NoticeKind, Question, Stream};
use keymap::{Action, Context};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use view::{Entry, Focus, Overlay, Pick, View};

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
            self.ask(app, Question::Log(cell));
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
                    complete::complete(&mut self.view, app);
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
            Action::DiffSelected => {
                if let Some(from) = self.view.selection(session) {
                    return self.ask(app, Question::Diff { from, to: None });
                }
            }
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
                self.ask(app, Question::RewindPreview(cell))
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
            return self.ask(app, Question::Log(cell));
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
        self.ask(
            app,
            Question::Values {
                at: Some(cell),
                name: None,
            },
        )
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
        self.ask(
            app,
            Question::Values {
                at: Some(cell),
                name: Some(name),
            },
        )
    }

    /// Asks the app for what the overlay shows next; its answer replaces any earlier one
    /// still coming.
    fn ask(&mut self, app: &mut App, question: Question) -> Control {
        let (id, updates) = app.ask(question);
        self.view.awaiting = Some(id);
        self.apply(app, updates)
    }
}
