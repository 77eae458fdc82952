//! The views drawn over the screen (help, a cell's values, the rewind preview, a
//! question), and the hanging wrap that keeps their two columns apart; F1's text.

use super::View;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

impl View {
    /// A view over the screen; `highlight`: a line shown in reverse video and kept in sight.
    /// Other text is wrapped by `hanging_wrap`, and `scroll` stops at its last page.
    pub(super) fn render_popup(
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

/// F1: every key, then every command.
pub fn help_text() -> String {
    let mut out = crate::ui::keymap::help_text();
    out.push('\n');
    out.push_str(&crate::commands::help_text());
    out
}
