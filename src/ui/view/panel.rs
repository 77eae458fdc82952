//! The cells panel, the right of the screen: one row per cell (status, snapshot, branch,
//! time; ≈ for a cell that made a value with a definition replaced since), the selection when focused, and the jobs box below it while there are jobs.

use super::{Focus, View};
use crate::session::{Session, format_duration};
use crate::timeline::{Cell, CellStatus, SnapshotState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::collections::BTreeSet;
use std::time::Instant;

/// Up to how many cells the panel marks stale ones (≈).
const STALE_MARK_LIMIT: usize = 400;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

impl View {
    pub(super) fn glyph(&self, cell: &Cell) -> (&'static str, Color) {
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

    pub(super) fn cell_row(
        &self,
        cell: &Cell,
        session: &Session,
        selected: bool,
        width: usize,
        now: Instant,
        stale: &BTreeSet<u32>,
    ) -> Line<'static> {
        let (glyph, color) = match self.glyph(cell) {
            // It ran, but a value it made used a definition replaced since (`:vars` says which).
            ("✓", _) if stale.contains(&cell.number) => ("≈", Color::Yellow),
            other => other,
        };
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

    pub(super) fn render_panel(&self, frame: &mut Frame, area: Rect, session: &Session) {
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
        // Reading every cell of the branch each frame: past this many cells, not marked.
        let stale = if cells.len() <= STALE_MARK_LIMIT {
            session.stale_cells()
        } else {
            BTreeSet::new()
        };
        let rows: Vec<Line> = cells[start..end]
            .iter()
            .map(|c| {
                let picked = Some(c.number) == selected;
                self.cell_row(c, session, picked, width, now, &stale)
            })
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
                    // A sweep's jobs say which sweep (its first line is `let n = VALUE;`).
                    let code = c.first_line().trim_start_matches('&').trim();
                    let what = match session.sweep_job(c.number) {
                        Some((sweep, _)) => format!("sweep {sweep} · {code}"),
                        None => code.to_owned(),
                    };
                    let text = format!("{glyph} job {:<4} {state:<18} {what}", c.number);
                    let text: String = text.chars().take(inner.width as usize).collect();
                    Line::styled(text, self.style(Style::default().fg(color)))
                })
                .collect();
            frame.render_widget(Paragraph::new(rows), inner);
        }
    }
}
