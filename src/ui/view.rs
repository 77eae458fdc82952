//! What the full-screen interface shows and how keys change it. Rendering reads the
//! `Session` (the core) and this view state; it never decides anything about the timeline.

use super::editor::Editor;
use super::highlight::{self, Token};
use crate::app::Update;
use crate::frontend::{self, CellReport};
use crate::session::{NoticeKind, Session, Stream, format_duration, human_bytes};
use crate::timeline::{Cell, CellStatus, SnapshotState};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, MouseEventKind};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::time::Instant;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

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

/// A `:vars` answer the detail view waits for (the next notice is it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwaitingValues {
    /// Cell N's variables with value previews.
    Table(u32),
    /// One variable's whole value as of cell N.
    Whole(u32, String),
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
    /// A `:log N` answer goes to the detail view instead of the transcript.
    pub awaiting_log: Option<u32>,
    /// A cell's values for the detail view (Enter in the panel, then on a variable).
    pub awaiting_values: Option<AwaitingValues>,
    /// The rewind preview with values (Ctrl-T) replaces the overlay's text when it comes.
    pub awaiting_rewind: Option<u32>,
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
            awaiting_log: None,
            awaiting_values: None,
            awaiting_rewind: None,
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
            Update::Notice(notice) => {
                if let Some(cell) = self.awaiting_rewind.take() {
                    // Dismissed or confirmed meanwhile: the names were enough.
                    if let Some(Overlay::Rewind { cell: shown, text }) = &mut self.overlay
                        && *shown == cell
                    {
                        *text = notice.text.clone();
                    }
                    return;
                }
                if let Some(cell) = self.awaiting_log.take() {
                    // Keep the reader's place when a running job's log is refreshed.
                    let scroll = match &self.overlay {
                        Some(Overlay::Detail {
                            follow: Some(c),
                            scroll,
                            ..
                        }) if *c == cell => *scroll,
                        _ => 0,
                    };
                    self.overlay = Some(Overlay::Detail {
                        title: format!("job {cell}: log"),
                        text: notice.text.clone(),
                        scroll,
                        follow: Some(cell),
                        pick: None,
                    });
                    return;
                }
                if let Some(awaiting) = self.awaiting_values.take() {
                    self.show_values(awaiting, &notice.text);
                    return;
                }
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
    fn show_values(&mut self, awaiting: AwaitingValues, text: &str) {
        let Some(Overlay::Detail { pick, .. }) = &self.overlay else {
            return;
        };
        let kept = *pick;
        self.overlay = Some(match awaiting {
            AwaitingValues::Table(cell) => Overlay::Detail {
                title: format!("cell {cell}: variables (Enter: whole value)"),
                text: text.to_owned(),
                scroll: 0,
                follow: None,
                pick: Some(kept.unwrap_or(Pick { cell, selected: 0 })),
            },
            AwaitingValues::Whole(cell, name) => Overlay::Detail {
                title: format!("{name} after cell {cell}"),
                text: text.to_owned(),
                scroll: 0,
                follow: None,
                pick: None,
            },
        });
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

    // ---- rendering ----

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

    fn code_spans(&self, text: &str) -> Vec<Span<'static>> {
        highlight::line(text)
            .into_iter()
            .map(|(token, piece)| {
                let style = match token {
                    Token::Plain => Style::default(),
                    Token::Keyword => Style::default().fg(Color::Magenta),
                    Token::Str => Style::default().fg(Color::Green),
                    Token::Number => Style::default().fg(Color::Cyan),
                    Token::Comment => Style::default().fg(Color::DarkGray),
                    Token::Macro => Style::default().fg(Color::Blue),
                    Token::Type => Style::default().fg(Color::Yellow),
                };
                Span::styled(piece.to_owned(), self.style(style))
            })
            .collect()
    }

    fn entry_lines(&self, entry: &Entry) -> Vec<Line<'static>> {
        let bold_green = self.style(
            Style::default()
                .fg(Color::Green)
                .add_modifier(Modifier::BOLD),
        );
        let red = self.style(Style::default().fg(Color::Red));
        match entry {
            Entry::Input { cell, source } => source
                .lines()
                .enumerate()
                .map(|(i, text)| {
                    let prefix = match (i, cell) {
                        (0, Some(n)) => format!("In [{n}]: "),
                        (0, None) => ">> ".to_owned(),
                        _ => "   ...: ".to_owned(),
                    };
                    let mut spans = vec![Span::styled(prefix, bold_green)];
                    if cell.is_some() {
                        spans.extend(self.code_spans(text));
                    } else {
                        spans.push(Span::raw(text.to_owned()));
                    }
                    Line::from(spans)
                })
                .collect(),
            Entry::Output { stream, text } => vec![Line::styled(
                text.clone(),
                if *stream == Stream::Stderr {
                    self.style(Style::default().fg(Color::LightRed))
                } else {
                    Style::default()
                },
            )],
            Entry::Value { cell, text } => text
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    let prefix = if i == 0 {
                        format!("Out[{cell}]: ")
                    } else {
                        "        ".into()
                    };
                    Line::from(vec![
                        Span::styled(
                            prefix,
                            self.style(
                                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                            ),
                        ),
                        Span::raw(line.to_owned()),
                    ])
                })
                .collect(),
            Entry::Error(text) => text
                .lines()
                .map(|l| Line::styled(l.to_owned(), red))
                .collect(),
            Entry::Mark(text) => vec![Line::styled(
                format!("── {text}"),
                self.style(Style::default().fg(Color::Yellow)),
            )],
            Entry::Notice { kind, text } => {
                let style = match kind {
                    NoticeKind::Info => self.style(Style::default().fg(Color::Cyan)),
                    NoticeKind::Warning => self.style(Style::default().fg(Color::Yellow)),
                    NoticeKind::Error => red,
                };
                text.lines()
                    .map(|l| Line::styled(l.to_owned(), style))
                    .collect()
            }
        }
    }

    fn render_transcript(&self, frame: &mut Frame, area: Rect) {
        let block = Block::default().borders(Borders::ALL).title(" tmrepl ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width.max(1) as usize;
        let height = inner.height as usize;
        // Walk back from the newest entry, wrapping lines, until the window is full.
        let mut rows: Vec<Line<'static>> = Vec::new();
        let wanted = height + self.scroll;
        for entry in self.transcript.iter().rev() {
            let mut lines = Vec::new();
            for line in self.entry_lines(entry) {
                lines.extend(wrap(line, width));
            }
            for line in lines.into_iter().rev() {
                rows.push(line);
            }
            if rows.len() >= wanted {
                break;
            }
        }
        let skip = self.scroll.min(rows.len().saturating_sub(height));
        let visible: Vec<Line> = rows.into_iter().skip(skip).take(height).rev().collect();
        frame.render_widget(Paragraph::new(visible), inner);
    }

    fn glyph(&self, cell: &Cell) -> (&'static str, Color) {
        match &cell.status {
            CellStatus::Running => (SPINNER[self.ticks % SPINNER.len()], Color::Cyan),
            CellStatus::Queued => ("…", Color::Cyan),
            CellStatus::Ok => ("✓", Color::Green),
            CellStatus::CompileError => ("✗", Color::Red),
            CellStatus::Panic => ("!", Color::Yellow),
            CellStatus::Crashed(_) | CellStatus::Error(_) => ("☠", Color::Red),
            CellStatus::Interrupted => ("⏹", Color::Yellow),
            CellStatus::Killed => ("✕", Color::Yellow),
        }
    }

    fn cell_row(
        &self,
        cell: &Cell,
        session: &Session,
        selected: bool,
        width: usize,
        now: Instant,
    ) -> Line<'static> {
        let (glyph, color) = self.glyph(cell);
        let current = match (selected, cell.number == session.current()) {
            (true, true) => "»▸",
            (true, false) => "» ",
            (false, true) => " ▸",
            (false, false) => "  ",
        };
        let branch = if session.timeline().branched_from(cell.number).is_some() {
            "↳"
        } else {
            " "
        };
        let snapshot = match &cell.snapshot {
            SnapshotState::Live { degraded: None } => "●",
            SnapshotState::Live { degraded: Some(_) } => "◐",
            SnapshotState::Thinned => "◌",
            SnapshotState::Evicted | SnapshotState::Cleared | SnapshotState::Lost => "○",
            SnapshotState::None if cell.persisted.is_some() => "▪",
            SnapshotState::None => " ",
        };
        let time = match (&cell.status, cell.job.as_ref().and_then(|j| j.started)) {
            (CellStatus::Running, Some(started)) => {
                format_duration(now.saturating_duration_since(started))
            }
            _ => cell.duration.map(format_duration).unwrap_or_default(),
        };
        let head = format!("{current}{:>3}{branch}{glyph}{snapshot} ", cell.number);
        let tail = format!(" {time:>7}");
        let room = width.saturating_sub(head.chars().count() + tail.chars().count());
        let source: String = {
            let first = cell.first_line();
            if first.chars().count() > room {
                let mut s: String = first.chars().take(room.saturating_sub(1)).collect();
                s.push('…');
                s
            } else {
                format!("{first:<room$}")
            }
        };
        let (marks, text) = if selected {
            let style = if self.color {
                Style::default()
                    .bg(Color::DarkGray)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default().add_modifier(Modifier::REVERSED)
            };
            (style, style)
        } else {
            (self.style(Style::default().fg(color)), Style::default())
        };
        Line::from(vec![
            Span::styled(head, marks),
            Span::styled(source, text),
            Span::styled(tail, marks),
        ])
    }

    fn render_panel(&self, frame: &mut Frame, area: Rect, session: &Session) {
        let jobs: Vec<&Cell> = session.timeline().jobs().collect();
        let job_height = if jobs.is_empty() {
            0
        } else {
            (jobs.len() as u16 + 2).min(area.height / 3).max(3)
        };
        let parts = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Min(3), Constraint::Length(job_height)])
            .split(area);
        let focused = self.focus == Focus::Panel;
        let border = if focused {
            self.style(Style::default().fg(Color::Cyan))
        } else {
            Style::default()
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(" cells (Tab) ");
        let inner = block.inner(parts[0]);
        frame.render_widget(block, parts[0]);
        let width = inner.width as usize;
        let height = inner.height as usize;
        let cells = session.timeline().cells();
        let now = Instant::now();
        let selected = if focused {
            self.selected_cell(session)
        } else {
            None
        };
        // Only the visible window is built: the panel stays cheap with thousands of cells.
        let anchor = self.selected_cell(session).unwrap_or(cells.len() as u32) as usize;
        let end = anchor.max(height.min(cells.len())).min(cells.len());
        let start = end.saturating_sub(height);
        let rows: Vec<Line> = cells[start..end]
            .iter()
            .map(|c| self.cell_row(c, session, Some(c.number) == selected, width, now))
            .collect();
        frame.render_widget(Paragraph::new(rows), inner);

        if job_height > 0 {
            let block = Block::default().borders(Borders::ALL).title(" jobs ");
            let inner = block.inner(parts[1]);
            frame.render_widget(block, parts[1]);
            let visible = inner.height as usize;
            // Running jobs first, then the most recent ended ones.
            let mut ordered: Vec<&Cell> = jobs
                .iter()
                .copied()
                .filter(|c| matches!(c.status, CellStatus::Running | CellStatus::Queued))
                .collect();
            ordered.extend(
                jobs.iter()
                    .rev()
                    .copied()
                    .filter(|c| !matches!(c.status, CellStatus::Running | CellStatus::Queued)),
            );
            let rows: Vec<Line> = ordered
                .into_iter()
                .take(visible)
                .map(|c| {
                    let (glyph, color) = self.glyph(c);
                    let state = match &c.status {
                        CellStatus::Running => {
                            let elapsed = c
                                .job
                                .as_ref()
                                .and_then(|j| j.started)
                                .map(|s| format_duration(now.saturating_duration_since(s)))
                                .unwrap_or_default();
                            format!("running {elapsed}")
                        }
                        CellStatus::Queued => "queued".into(),
                        CellStatus::Ok => format!(
                            "finished {}",
                            c.duration.map(format_duration).unwrap_or_default()
                        ),
                        CellStatus::Killed => "killed".into(),
                        _ => "failed".into(),
                    };
                    let text = format!(
                        "{glyph} job {:<4} {state:<18} {}",
                        c.number,
                        c.first_line().trim_start_matches('&').trim()
                    );
                    let text: String = text.chars().take(inner.width as usize).collect();
                    Line::styled(text, self.style(Style::default().fg(color)))
                })
                .collect();
            frame.render_widget(Paragraph::new(rows), inner);
        }
    }

    /// Draws the editor; where its cursor is on screen when it has the focus.
    fn render_editor(
        &self,
        frame: &mut Frame,
        area: Rect,
        session: &Session,
        busy: bool,
    ) -> Option<(u16, u16)> {
        let title = if let Some(prompt) = &self.input_prompt {
            format!(" {prompt} (Enter answers) ")
        } else if let Some((query, _)) = &self.search {
            format!(" history search: {query} ")
        } else if busy {
            format!(
                " In [{}] — cell {} running, Ctrl-C stops it ",
                session.next_cell(),
                session.running().map(|n| n.to_string()).unwrap_or_default()
            )
        } else {
            format!(" In [{}] ", session.next_cell())
        };
        let focused = self.focus == Focus::Editor && self.overlay.is_none();
        let border = if focused {
            self.style(Style::default().fg(Color::Green))
        } else {
            Style::default()
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines: Vec<Line> = if self.input_prompt.is_some() {
            self.editor
                .lines()
                .iter()
                .map(|l| Line::raw(l.clone()))
                .collect()
        } else {
            self.editor
                .lines()
                .iter()
                .map(|l| Line::from(self.code_spans(l)))
                .collect()
        };
        let (row, col) = self.editor.cursor();
        let scroll_y = (row as u16).saturating_sub(inner.height.saturating_sub(1));
        let prefix: usize = self.editor.lines()[row].chars().take(col).map(|_| 1).sum();
        let scroll_x = (prefix as u16).saturating_sub(inner.width.saturating_sub(1));
        frame.render_widget(Paragraph::new(lines).scroll((scroll_y, scroll_x)), inner);
        if !focused {
            return None;
        }
        let cursor = (
            inner.x + prefix as u16 - scroll_x,
            inner.y + row as u16 - scroll_y,
        );
        frame.set_cursor_position(cursor);
        Some(cursor)
    }

    /// The completion menu, just above the editor, from the cursor's column.
    fn render_completion_menu(
        &self,
        frame: &mut Frame,
        above: Rect,
        cursor: (u16, u16),
        menu: &CompletionMenu,
    ) {
        const ROWS: usize = 10;
        let candidates = &menu.completions.candidates;
        let first = menu.selected.saturating_sub(ROWS - 1);
        let shown = &candidates[first..candidates.len().min(first + ROWS)];
        let widest = shown
            .iter()
            .map(|c| c.label.chars().count())
            .max()
            .unwrap_or(0) as u16;
        let width = (widest + 2).clamp(16, 60).min(above.width);
        let height = (shown.len() as u16 + 2).min(above.height);
        let x = cursor.0.min(above.x + above.width.saturating_sub(width));
        let area = Rect {
            x,
            y: above.y + above.height.saturating_sub(height),
            width,
            height,
        };
        let lines: Vec<Line> = shown
            .iter()
            .enumerate()
            .map(|(i, candidate)| {
                let style = if first + i == menu.selected {
                    // Reverse video, not a colour: visible with colours off too.
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default()
                };
                Line::styled(candidate.label.clone(), style)
            })
            .collect();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(self.style(Style::default().fg(Color::Cyan)))
            .title(format!(" {}/{} ", menu.selected + 1, candidates.len()));
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn render_status(&self, frame: &mut Frame, area: Rect, session: &Session, busy: bool) {
        let current = if session.current() == 0 {
            "start".to_owned()
        } else {
            format!("cell {}", session.current())
        };
        let running_jobs = session.active_jobs().len();
        // Whether everything has reached the disk, when the session is saved.
        let archive = match session.archive() {
            Some(name) if session.saves_pending() => {
                format!(" │ {name}: {} to save", session.unsaved_cells().max(1))
            }
            Some(name) => format!(" │ {name}: saved"),
            None => String::new(),
        };
        let left = format!(
            " {current} │ snapshots {} of {} │ jobs {running_jobs}{archive} │ {}",
            human_bytes(session.snapshot_bytes()),
            human_bytes(session.budget()),
            if busy { "busy" } else { "ready" }
        );
        let message = self.status.as_ref().map(|(_, m)| m.as_str()).unwrap_or("");
        let width = area.width as usize;
        // The key hints never change; a message, when there is one, takes their room.
        let hints = if message.is_empty()
            || width >= left.chars().count() + 47 + 16 + message.chars().count().min(30)
        {
            "F1 help  Tab panel  Ctrl-T rewind  Ctrl-D quit "
        } else {
            "F1 help "
        };
        let room = width.saturating_sub(left.chars().count() + hints.chars().count() + 4);
        // A sliver of a message says nothing: show it only when there is room.
        let message: String = if room >= 12 {
            message.chars().take(room).collect()
        } else {
            String::new()
        };
        let pad = width
            .saturating_sub(
                left.chars().count() + message.chars().count() + hints.chars().count() + 3,
            )
            .max(1);
        let style = self.style(Style::default().bg(Color::Blue).fg(Color::White));
        let line = Line::from(vec![
            Span::styled(left, style),
            Span::styled(" │ ", style),
            Span::styled(message, style),
            Span::styled(" ".repeat(pad), style),
            Span::styled(hints, style),
        ]);
        let line = if self.color {
            line
        } else {
            line.style(Style::default().add_modifier(Modifier::REVERSED))
        };
        frame.render_widget(Paragraph::new(line), area);
    }

    /// A view over the screen; `highlight`: a line shown in reverse video and kept in sight.
    /// Other text is wrapped by `hanging_wrap`, and `scroll` stops at its last page.
    fn render_popup(
        &self,
        frame: &mut Frame,
        area: Rect,
        title: &str,
        text: &str,
        scroll: u16,
        highlight: Option<usize>,
    ) {
        let width = area.width.saturating_sub(4).clamp(20, 90).min(area.width);
        // A pick list: one line per row, unwrapped, so the picked row is the picked line.
        let rows: Vec<String> = match highlight {
            Some(_) => text.lines().map(str::to_owned).collect(),
            None => hanging_wrap(text, width.saturating_sub(2) as usize),
        };
        let height = (rows.len() as u16 + 2)
            .min(area.height.saturating_sub(2))
            .max(3)
            .min(area.height);
        let popup = Rect {
            x: area.x + (area.width.saturating_sub(width)) / 2,
            y: area.y + (area.height.saturating_sub(height)) / 2,
            width,
            height,
        };
        let visible = height.saturating_sub(2).max(1) as usize;
        let last_top = rows.len().saturating_sub(visible);
        self.popup_last_top.set(last_top as u16);
        let top = match highlight {
            Some(picked) => picked.saturating_sub(visible - 1),
            None => (scroll as usize).min(last_top),
        };
        frame.render_widget(Clear, popup);
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(self.style(Style::default().fg(Color::Yellow)))
            .title(title.to_owned());
        if highlight.is_none() && top < last_top {
            block = block.title_bottom(" ↓ more ");
        }
        let lines: Vec<Line> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                if Some(i) == highlight {
                    Line::styled(row, Style::default().add_modifier(Modifier::REVERSED))
                } else {
                    Line::raw(row)
                }
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines).block(block).scroll((top as u16, 0)),
            popup,
        );
    }
}

/// Wraps text to `width` at spaces so that columns stay columns: in a line like
/// `Ctrl-R    search the input history`, the rest of the description goes on under the
/// description, never under the key. When the key column takes more than half the width,
/// the description starts on the next row instead. Other long lines go on two spaces in.
pub fn hanging_wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut rows = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= width {
            rows.push(line.to_owned());
            continue;
        }
        let lead = chars.iter().take_while(|c| **c == ' ').count();
        let (head, rest, indent) = match description_column(&chars[lead..]) {
            Some(at) if lead + at <= width / 2 => {
                let at = lead + at;
                (chars[..at].iter().collect(), &chars[at..], at)
            }
            Some(at) => {
                let key: String = chars[..lead + at].iter().collect();
                rows.push(key.trim_end().to_owned());
                (" ".repeat(lead + 4), &chars[lead + at..], lead + 4)
            }
            None => (" ".repeat(lead), &chars[lead..], lead + 2),
        };
        let rest: String = rest.iter().collect();
        fill(&mut rows, head, &rest, indent, width);
    }
    rows
}

/// Where the second column of a line starts (after a run of two or more spaces), in chars.
fn description_column(chars: &[char]) -> Option<usize> {
    let gap = chars.windows(2).position(|w| w == [' ', ' '])?;
    let at = gap + chars[gap..].iter().take_while(|c| **c == ' ').count();
    (gap > 0 && at < chars.len()).then_some(at)
}

/// Words of `text` after `head`, then on rows `indent` spaces in, none wider than `width`
/// (a word longer than a row is cut).
fn fill(rows: &mut Vec<String>, head: String, text: &str, indent: usize, width: usize) {
    let mut row = head;
    let mut used = row.chars().count();
    // Whether this row has no word yet (then a word that does not fit is cut).
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        while !word.is_empty() {
            let gap = usize::from(!empty);
            if used + gap + word.len() <= width {
                if !empty {
                    row.push(' ');
                }
                row.extend(word.drain(..));
                used = row.chars().count();
                empty = false;
                break;
            }
            if empty {
                let room = width.saturating_sub(used).max(1).min(word.len());
                row.extend(word.drain(..room));
            }
            rows.push(std::mem::replace(&mut row, " ".repeat(indent)));
            used = indent;
            empty = true;
        }
    }
    if !row.trim().is_empty() {
        rows.push(row);
    }
}

/// Splits a line into rows of at most `width` characters, keeping styles.
fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let total: usize = line.spans.iter().map(|s| s.content.chars().count()).sum();
    if total <= width {
        return vec![line];
    }
    let mut rows = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut rest: &str = &span.content;
        while !rest.is_empty() {
            let take = (width - used).min(rest.chars().count());
            let split = rest
                .char_indices()
                .nth(take)
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            current.push(Span::styled(rest[..split].to_owned(), span.style));
            used += take;
            rest = &rest[split..];
            if used == width {
                rows.push(Line::from(std::mem::take(&mut current)));
                used = 0;
            }
        }
    }
    if !current.is_empty() {
        rows.push(Line::from(current));
    }
    rows
}

/// F1: every key, then every command.
pub fn help_text() -> String {
    let mut out = super::keymap::help_text();
    out.push('\n');
    out.push_str(&crate::commands::help_text());
    out
}
