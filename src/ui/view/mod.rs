//! What the full-screen interface shows and how keys change it. Rendering reads the
//! `Session` (the core) and this view state; it never decides anything about the timeline.
//! This module holds the view state, how updates and keys change it, and the layout of
//! the screen; each part of the screen is drawn by a module of its own: `transcript`
//! (left), `panel` (the cells and jobs, right), `input` (the editor and the completion
//! menu), `status` (the bottom line) and `popup` (the views over the screen, F1's text).

mod input;
mod panel;
mod popup;
mod status;
mod transcript;

pub use popup::{hanging_wrap, help_text};

use super::editor::Editor;
use crate::app::Update;
use crate::frontend::{self, CellReport};
use crate::session::{AskId, NoticeKind, Question, Session, Stream, format_duration};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, MouseEventKind};
use ratatui::layout::{Constraint, Direction, Layout};
use ratatui::style::Style;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Editor,
    Panel,
}

#[derive(Debug, Clone)]
pub enum Entry {
    Input { cell: Option<u32>, source: String },
    Output { stream: Stream, text: String },
    Value { cell: u32, text: String },
    Error(String),
    Mark(String),
    Notice { kind: NoticeKind, text: String },
}

/// Tab's choices when there are several; the editor keeps what was typed until one is
/// taken.
#[derive(Debug, Clone)]
pub struct CompletionMenu {
    pub completions: crate::completion::Completions,
    pub selected: usize,
}

impl CompletionMenu {
    pub fn step(&mut self, forward: bool) {
        let count = self.completions.candidates.len().max(1);
        self.selected = if forward {
            (self.selected + 1) % count
        } else {
            (self.selected + count - 1) % count
        };
    }
}

/// The variable picked in a cell's variables view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub cell: u32,
    /// Index among the variable lines (the table's header is not one).
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    /// F1: every key and command, scrolled `scroll` rows down.
    Help { scroll: u16 },
    Detail {
        title: String,
        text: String,
        scroll: u16,
        /// The job whose log this is: refreshed while it runs.
        follow: Option<u32>,
        /// A cell's variables, one per line after the header: Up/Down pick one, Enter
        /// shows its whole value.
        pick: Option<Pick>,
    },
    /// Ctrl-T: what rewinding to `cell` changes; Enter confirms.
    Rewind { cell: u32, text: String },
    /// A yes/no question from the session (replay cells with outside effects?).
    Question { text: String },
}

pub struct View {
    pub editor: Editor,
    pub focus: Focus,
    /// The cell selected in the side panel; None follows the newest.
    pub selected: Option<u32>,
    /// Transcript lines scrolled back from the bottom.
    pub scroll: usize,
    pub transcript: Vec<Entry>,
    pub overlay: Option<Overlay>,
    /// Open while Tab offers several completions.
    pub completion: Option<CompletionMenu>,
    /// A Tab whose answer from rust-analyzer is still coming.
    pub pending_completion: Option<crate::completion::Pending>,
    /// Reverse history search (Ctrl-R): query and the matching entry.
    pub search: Option<(String, Option<usize>)>,
    /// A running cell asked for a line of input.
    pub input_prompt: Option<String>,
    /// One line for the status bar (last notice, errors).
    pub status: Option<(NoticeKind, String)>,
    /// The question whose answer the overlay waits for (a job's log, a cell's values, the
    /// rewind preview's values); answers to earlier questions are dropped.
    pub awaiting: Option<AskId>,
    pub color: bool,
    pub ticks: usize,
    pub ring_bell: bool,
    pub quit_asked: bool,
    /// How far the last drawn view over the screen scrolls (its rows past one page), so
    /// scrolling stops at its end.
    pub popup_last_top: std::cell::Cell<u16>,
}

impl View {
    pub fn new(color: bool) -> View {
        View {
            editor: Editor::new(),
            focus: Focus::Editor,
            selected: None,
            scroll: 0,
            transcript: Vec::new(),
            overlay: None,
            completion: None,
            pending_completion: None,
            search: None,
            input_prompt: None,
            status: None,
            awaiting: None,
            color,
            ticks: 0,
            ring_bell: false,
            quit_asked: false,
            popup_last_top: std::cell::Cell::new(0),
        }
    }

    fn style(&self, style: Style) -> Style {
        if self.color { style } else { Style::default() }
    }

    /// Records an update from the app in the transcript and status line.
    pub fn apply(&mut self, update: &Update, session: &Session) {
        match update {
            Update::Started { elapsed } => self.transcript.push(Entry::Notice {
                kind: NoticeKind::Info,
                text: format!(
                    "ready in {}. F1 shows every key; :help every command.",
                    format_duration(*elapsed)
                ),
            }),
            Update::Output { stream, text, .. } => self.transcript.push(Entry::Output {
                stream: *stream,
                text: text.clone(),
            }),
            Update::CellFinished(n) => {
                // An unknown cell shows nothing and leaves the reader's place alone.
                if session.timeline().get(*n).is_none() {
                    return;
                }
                for report in frontend::finished_cell(session, *n) {
                    let text = report.text();
                    self.transcript.push(match report {
                        CellReport::ErrorText(_) | CellReport::Failed(_) => Entry::Error(text),
                        CellReport::Panicked(_) | CellReport::Took(_) => Entry::Mark(text),
                        CellReport::Value { cell, .. } => Entry::Value { cell, text },
                    });
                }
            }
            Update::Bell(notice) => {
                // The terminal's stand-in for a job's desktop notification. The session's
                // own notice of that job's end is in the transcript already: saying it
                // again there would print the end twice, so the bell and the status line.
                self.ring_bell = true;
                let one_line = notice.text.lines().next().unwrap_or("").to_owned();
                self.status = Some((notice.kind, one_line));
            }
            Update::Reply(reply) => {
                if self.awaiting != Some(reply.id) {
                    return;
                }
                self.awaiting = None;
                let text = match &reply.answer {
                    Ok(text) | Err(text) => text,
                };
                self.show_answer(&reply.question, text);
            }
            Update::Notice(notice) => {
                let one_line = notice.text.lines().next().unwrap_or("").to_owned();
                self.status = Some((notice.kind, one_line));
                self.transcript.push(Entry::Notice {
                    kind: notice.kind,
                    text: notice.text.clone(),
                });
            }
            Update::InputRequested { prompt, .. } => {
                self.input_prompt = Some(if prompt.is_empty() {
                    "input".into()
                } else {
                    prompt.clone()
                });
            }
            Update::Question(text) => {
                self.overlay = Some(Overlay::Question { text: text.clone() });
            }
            Update::Quit | Update::Fatal(_) => {}
        }
        self.scroll = 0;
    }

    /// What a terminal event that needs no session does: the wheel scrolls the
    /// transcript, a bracketed paste goes into the editor (`paste`).
    pub fn handle_event(&mut self, event: &Event) {
        match event {
            Event::Mouse(mouse) => match mouse.kind {
                MouseEventKind::ScrollUp => self.scroll += 3,
                MouseEventKind::ScrollDown => self.scroll = self.scroll.saturating_sub(3),
                _ => {}
            },
            Event::Paste(text) => self.paste(text),
            _ => {}
        }
    }

    /// A bracketed paste: into the editor as it was copied, which takes the focus. A menu
    /// or a history search open over the old text ends.
    pub fn paste(&mut self, text: &str) {
        self.completion = None;
        self.search = None;
        if self.overlay.is_none() {
            self.focus = Focus::Editor;
        }
        self.editor.paste(text);
    }

    /// The cells the panel lists, newest last.
    fn selected_cell(&self, session: &Session) -> Option<u32> {
        let len = session.timeline().len() as u32;
        if len == 0 {
            return None;
        }
        Some(self.selected.unwrap_or(len).clamp(1, len))
    }

    pub fn select(&mut self, session: &Session, delta: i64) {
        let len = session.timeline().len() as i64;
        if len == 0 {
            return;
        }
        let now = self.selected_cell(session).unwrap_or(1) as i64;
        self.selected = Some((now + delta).clamp(1, len) as u32);
    }

    pub fn select_edge(&mut self, session: &Session, last: bool) {
        let len = session.timeline().len() as u32;
        if len > 0 {
            self.selected = Some(if last { len } else { 1 });
        }
    }

    /// Puts a `:vars` answer in the detail view, unless the view was closed meanwhile.
    /// An answer the overlay waited for, shown in it.
    fn show_answer(&mut self, question: &Question, text: &str) {
        match question {
            Question::RewindPreview(cell) => {
                // Dismissed or confirmed meanwhile: the names were enough.
                if let Some(Overlay::Rewind {
                    cell: shown,
                    text: shown_text,
                }) = &mut self.overlay
                    && shown == cell
                {
                    *shown_text = text.to_owned();
                }
            }
            Question::Diff { from, to } => {
                let to = to
                    .map(|n| format!("cell {n}"))
                    .unwrap_or_else(|| "now".into());
                self.overlay = Some(Overlay::Detail {
                    title: format!("cell {from} → {to}: what differs"),
                    text: text.to_owned(),
                    scroll: 0,
                    follow: None,
                    pick: None,
                });
            }
            Question::Log(cell) => {
                // Keep the reader's place when a running job's log is refreshed.
                let scroll = match &self.overlay {
                    Some(Overlay::Detail {
                        follow: Some(c),
                        scroll,
                        ..
                    }) if c == cell => *scroll,
                    _ => 0,
                };
                self.overlay = Some(Overlay::Detail {
                    title: format!("job {cell}: log"),
                    text: text.to_owned(),
                    scroll,
                    follow: Some(*cell),
                    pick: None,
                });
            }
            Question::Values { at, name } => {
                let Some(Overlay::Detail { pick, .. }) = &self.overlay else {
                    return;
                };
                let cell = at.unwrap_or(0);
                let kept = *pick;
                self.overlay = Some(match name {
                    None => Overlay::Detail {
                        title: format!("cell {cell}: variables (Enter: whole value)"),
                        text: text.to_owned(),
                        scroll: 0,
                        follow: None,
                        pick: Some(kept.unwrap_or(Pick { cell, selected: 0 })),
                    },
                    Some(name) => Overlay::Detail {
                        title: format!("{name} after cell {cell}"),
                        text: text.to_owned(),
                        scroll: 0,
                        follow: None,
                        pick: None,
                    },
                });
            }
        }
    }

    /// The variable on the picked line of a cell's variables view.
    pub fn picked_variable(&self) -> Option<(u32, String)> {
        let Some(Overlay::Detail {
            text,
            pick: Some(pick),
            ..
        }) = &self.overlay
        else {
            return None;
        };
        let line = text.lines().nth(pick.selected + 1)?;
        let name = line.split_whitespace().next()?;
        Some((pick.cell, name.to_owned()))
    }

    /// Moves the pick in a cell's variables view; false when the view has none.
    pub fn move_pick(&mut self, down: bool) -> bool {
        let Some(Overlay::Detail {
            text,
            pick: Some(pick),
            ..
        }) = &mut self.overlay
        else {
            return false;
        };
        let count = text.lines().count().saturating_sub(1);
        if down {
            pick.selected = (pick.selected + 1).min(count.saturating_sub(1));
        } else {
            pick.selected = pick.selected.saturating_sub(1);
        }
        true
    }

    pub fn selection(&self, session: &Session) -> Option<u32> {
        self.selected_cell(session)
    }

    pub fn render(&self, frame: &mut Frame, session: &Session, busy: bool) {
        let area = frame.area();
        let editor_height =
            (self.editor.lines().len() as u16 + 2).clamp(3, area.height.saturating_sub(6).max(3));
        let rows = Layout::default()
            .direction(Direction::Vertical)
            .constraints([
                Constraint::Min(3),
                Constraint::Length(editor_height),
                Constraint::Length(1),
            ])
            .split(area);
        // A third of the screen, within 24 columns (a readable row) and 44.
        let panel_width = (area.width / 3).clamp(24, 44);
        let top = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Min(20), Constraint::Length(panel_width)])
            .split(rows[0]);
        self.render_transcript(frame, top[0]);
        self.render_panel(frame, top[1], session);
        let cursor = self.render_editor(frame, rows[1], session, busy);
        self.render_status(frame, rows[2], session, busy);
        if let (Some(menu), Some(cursor)) = (&self.completion, cursor) {
            self.render_completion_menu(frame, rows[0], cursor, menu);
        }
        match &self.overlay {
            Some(Overlay::Help { scroll }) => self.render_popup(
                frame,
                area,
                " keys and commands (↑↓ PgUp PgDn scroll, Esc closes) ",
                &help_text(),
                *scroll,
                None,
            ),
            Some(Overlay::Detail {
                title,
                text,
                scroll,
                pick,
                ..
            }) => self.render_popup(
                frame,
                area,
                &format!(" {title} (Esc closes) "),
                text,
                *scroll,
                pick.map(|p| p.selected + 1),
            ),
            Some(Overlay::Rewind { cell, text }) => self.render_popup(
                frame,
                area,
                &format!(" rewind to cell {cell}? Enter: yes, Esc: no "),
                text,
                0,
                None,
            ),
            Some(Overlay::Question { text }) => {
                self.render_popup(frame, area, " y: yes, n or Esc: no ", text, 0, None)
            }
            None => {}
        }
    }
}
