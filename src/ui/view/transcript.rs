//! The transcript, the left of the screen: every input, output, value and notice, newest
//! at the bottom, wrapped to the width and scrolled with PgUp/PgDn; code highlighted.

use super::{Entry, View};
use crate::session::{NoticeKind, Stream};
use crate::ui::highlight::{self, Token};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

impl View {
    pub(super) fn code_spans(&self, text: &str) -> Vec<Span<'static>> {
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

    pub(super) fn entry_lines(&self, entry: &Entry) -> Vec<Line<'static>> {
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

    pub(super) fn render_transcript(&self, frame: &mut Frame, area: Rect) {
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
