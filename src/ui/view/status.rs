//! The status line at the bottom: where the session is, snapshot memory, jobs, saving,
//! busy or ready, the latest message and the key hints.

use super::View;
use crate::session::{Session, human_bytes};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

impl View {
    pub(super) fn render_status(
        &self,
        frame: &mut Frame,
        area: Rect,
        session: &Session,
        busy: bool,
    ) {
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
}
