//! The editor box under the transcript (its title says what Enter does now) and Tab's
//! completion menu above it.

use super::{CompletionMenu, Focus, View};
use crate::session::Session;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

impl View {
    /// Draws the editor; where its cursor is on screen when it has the focus.
    pub(super) fn render_editor(
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
    pub(super) fn render_completion_menu(
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
}
