//! The multi-line input editor: text, cursor, input history and its search. Pure.

/// Spaces per indentation level, as rustfmt writes Rust.
const INDENT: usize = 4;

/// LF for every line end: CRLF and a lone CR (a paste from tmux or a browser) too.
pub fn unix_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[derive(Debug, Default, Clone)]
pub struct Editor {
    lines: Vec<String>,
    /// Cursor row and column (in chars).
    row: usize,
    col: usize,
    history: Vec<String>,
    /// Index into `history` while walking it; None when editing a new entry.
    walking: Option<usize>,
    /// The unfinished entry, kept while walking history.
    draft: Option<String>,
}

impl Editor {
    pub fn new() -> Editor {
        Editor {
            lines: vec![String::new()],
            ..Editor::default()
        }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.len() == 1 && self.lines[0].is_empty()
    }

    pub fn set_text(&mut self, text: &str) {
        self.lines = text.split('\n').map(str::to_owned).collect();
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.row = self.lines.len() - 1;
        self.col = self.lines[self.row].chars().count();
    }

    pub fn clear(&mut self) {
        self.set_text("");
        self.walking = None;
        self.draft = None;
    }

    /// Takes the text out (for submission) and records it in the history.
    pub fn take(&mut self) -> String {
        let text = self.text();
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
        }
        self.clear();
        text
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    pub fn set_history(&mut self, history: Vec<String>) {
        self.history = history;
    }

    fn byte_index(line: &str, col: usize) -> usize {
        line.char_indices()
            .nth(col)
            .map(|(i, _)| i)
            .unwrap_or(line.len())
    }

    fn line_len(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    /// Puts `c` at the cursor as it is; what a typed key does is `type_char`.
    pub fn insert_char(&mut self, c: char) {
        let at = Self::byte_index(&self.lines[self.row], self.col);
        self.lines[self.row].insert(at, c);
        self.col += 1;
    }

    /// A typed character: a closing bracket on a line of only indentation takes one level
    /// off it, undoing what `newline` added after the opening one.
    pub fn type_char(&mut self, c: char) {
        if matches!(c, '}' | ')' | ']') {
            let line = &self.lines[self.row];
            let before: String = line.chars().take(self.col).collect();
            if !before.is_empty() && before.chars().all(|c| c == ' ') {
                let kept = (self.col - 1) / INDENT * INDENT;
                let at = Self::byte_index(line, self.col);
                self.lines[self.row].replace_range(..at, &" ".repeat(kept));
                self.col = kept;
            }
        }
        self.insert_char(c);
    }

    /// Types `text` as if key by key (newlines indent, closing brackets dedent).
    pub fn insert_str(&mut self, text: &str) {
        for c in unix_line_ends(text).chars() {
            if c == '\n' {
                self.newline();
            } else {
                self.type_char(c);
            }
        }
    }

    /// Pasted text goes in at the cursor exactly as it was copied: its own indentation
    /// and no more. Terminals send line ends as LF, CRLF or a lone CR (tmux, browsers).
    pub fn paste(&mut self, text: &str) {
        let text = unix_line_ends(text);
        let mut pieces = text.split('\n');
        let at = Self::byte_index(&self.lines[self.row], self.col);
        let tail = self.lines[self.row].split_off(at);
        let first = pieces.next().unwrap_or("");
        self.lines[self.row].push_str(first);
        for piece in pieces {
            self.row += 1;
            self.lines.insert(self.row, piece.to_owned());
        }
        self.col = self.line_len(self.row);
        self.lines[self.row].push_str(&tail);
    }

    /// Splits the line at the cursor, keeping its indentation, one level more after an
    /// opening bracket; between a pair of brackets the closing one gets a line of its own.
    pub fn newline(&mut self) {
        let at = Self::byte_index(&self.lines[self.row], self.col);
        let rest = self.lines[self.row].split_off(at);
        let line = &self.lines[self.row];
        let base: String = line.chars().take_while(|c| *c == ' ').collect();
        let opens = line.trim_end().ends_with(['{', '(', '[']);
        let indent = if opens {
            format!("{base}{}", " ".repeat(INDENT))
        } else {
            base.clone()
        };
        self.row += 1;
        if opens && rest.trim_start().starts_with(['}', ')', ']']) {
            self.lines.insert(self.row, indent.clone());
            self.lines
                .insert(self.row + 1, format!("{base}{}", rest.trim_start()));
        } else {
            self.lines.insert(self.row, format!("{indent}{rest}"));
        }
        self.col = indent.chars().count();
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let at = Self::byte_index(&self.lines[self.row], self.col - 1);
            self.lines[self.row].remove(at);
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.line_len(self.row);
            self.lines[self.row].push_str(&line);
        }
    }

    pub fn delete(&mut self) {
        if self.col < self.line_len(self.row) {
            let at = Self::byte_index(&self.lines[self.row], self.col);
            self.lines[self.row].remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line_len(self.row);
        }
    }

    pub fn right(&mut self) {
        if self.col < self.line_len(self.row) {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.line_len(self.row);
    }

    /// Up: previous line, or the previous history entry from the first line.
    pub fn up(&mut self) {
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.line_len(self.row));
            return;
        }
        let next = match self.walking {
            None if !self.history.is_empty() => self.history.len() - 1,
            Some(i) if i > 0 => i - 1,
            _ => return,
        };
        if self.walking.is_none() {
            self.draft = Some(self.text());
        }
        self.walking = Some(next);
        let entry = self.history[next].clone();
        self.set_text(&entry);
        self.row = 0;
        self.col = self.col.min(self.line_len(0));
    }

    /// Down: next line, or the next history entry (then the draft) from the last line.
    pub fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.line_len(self.row));
            return;
        }
        let Some(i) = self.walking else { return };
        if i + 1 < self.history.len() {
            self.walking = Some(i + 1);
            let entry = self.history[i + 1].clone();
            self.set_text(&entry);
        } else {
            self.walking = None;
            let draft = self.draft.take().unwrap_or_default();
            self.set_text(&draft);
        }
    }

    /// The most recent history entry containing `query`, searching back from `before`.
    pub fn search(&self, query: &str, before: usize) -> Option<usize> {
        if query.is_empty() {
            return None;
        }
        self.history[..before.min(self.history.len())]
            .iter()
            .rposition(|entry| entry.contains(query))
    }

    /// The cursor as a byte offset into `text()`.
    pub fn cursor_offset(&self) -> usize {
        let before: usize = self.lines[..self.row].iter().map(|l| l.len() + 1).sum();
        before + Self::byte_index(&self.lines[self.row], self.col)
    }

    /// Replaces bytes `start..end` of `text()` with `with` and puts the cursor after it.
    /// A range that is not on character boundaries changes nothing.
    pub fn replace_range(&mut self, start: usize, end: usize, with: &str) {
        let text = self.text();
        if start > end
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            return;
        }
        let replaced = format!("{}{with}{}", &text[..start], &text[end..]);
        let cursor = start + with.len();
        self.lines = replaced.split('\n').map(str::to_owned).collect();
        let mut offset = cursor;
        self.row = 0;
        while self.row + 1 < self.lines.len() && offset > self.lines[self.row].len() {
            offset -= self.lines[self.row].len() + 1;
            self.row += 1;
        }
        self.col = self.lines[self.row][..offset].chars().count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_screen_editor_gets_back_what_was_typed_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let mut before = Editor::new();
        before.insert_str(r#"println!("a\nb");"#);
        before.take();
        before.insert_str("fn f() {");
        before.newline();
        before.insert_str("1");
        before.take();
        crate::history::save(&path, before.history(), 100).unwrap();

        let mut after = Editor::new();
        after.set_history(crate::history::load(&path, 100).unwrap());
        after.up();
        assert_eq!(after.lines(), ["fn f() {", "    1"]);
        after.up();
        assert_eq!(after.lines(), [r#"println!("a\nb");"#]);
    }

    #[test]
    fn typing_and_newlines_keep_indentation() {
        let mut e = Editor::new();
        e.insert_str("    let a = 1;");
        e.newline();
        assert_eq!(e.cursor(), (1, 4));
        e.insert_str("a");
        e.home();
        e.backspace();
        assert_eq!(e.text(), "    let a = 1;    a");
        // Enter at the start of a line moves it down whole, without indenting it.
        e.set_text("x");
        e.home();
        e.newline();
        assert_eq!(e.lines(), ["", "x"]);
    }

    #[test]
    fn a_closing_brace_typed_on_an_auto_indented_line_dedents_it() {
        let mut e = Editor::new();
        e.insert_str("fn f() {");
        e.newline();
        assert_eq!(e.cursor(), (1, 4), "one level in after an opening brace");
        e.insert_str("if true {");
        e.newline();
        assert_eq!(e.cursor(), (2, 8));
        e.insert_str("1");
        e.newline();
        e.insert_str("}");
        assert_eq!(e.lines()[3], "    }");
        assert_eq!(e.cursor(), (3, 5));
        e.newline();
        e.insert_str("}");
        assert_eq!(e.text(), "fn f() {\n    if true {\n        1\n    }\n}");
        // After code on the line, a brace is just a brace.
        e.set_text("    let v = vec![1");
        e.insert_str("]");
        assert_eq!(e.text(), "    let v = vec![1]");
        // Enter between a pair of brackets gives the closing one a line of its own.
        e.set_text("    v.iter().map(|x| {})");
        e.left();
        e.left();
        e.newline();
        assert_eq!(e.lines(), ["    v.iter().map(|x| {", "        ", "    })"]);
        assert_eq!(e.cursor(), (1, 8));
    }

    /// A program with its own indentation, a `//` comment and a blank line.
    const PROGRAM: &str = "fn main() {\n    // a comment: the lines after it stay lines\n    let v = [1, 2];\n\n    for x in v {\n        println!(\"{x}\");\n    }\n}";

    #[test]
    fn a_paste_keeps_every_line_whatever_its_line_ends() {
        for line_end in ["\n", "\r\n", "\r"] {
            let mut e = Editor::new();
            e.paste(&PROGRAM.replace('\n', line_end));
            assert_eq!(e.text(), PROGRAM, "line ends {line_end:?}");
            assert_eq!(e.lines().len(), 8, "line ends {line_end:?}");
            assert_eq!(e.cursor(), (7, 1));
        }
    }

    #[test]
    fn a_paste_is_indented_as_pasted_and_goes_where_the_cursor_is() {
        // No auto-indent on top of the paste's own, even after an opening brace.
        let mut e = Editor::new();
        e.paste("if a {\r    b();\r}");
        assert_eq!(e.lines(), ["if a {", "    b();", "}"]);
        // Into the middle of a line: the rest of the line follows the pasted text.
        e.set_text("let x = ;");
        e.left();
        e.paste("1 +\r\n2");
        assert_eq!(e.lines(), ["let x = 1 +", "2;"]);
        assert_eq!(e.cursor(), (1, 1));
        e.set_text("let s = \"\";");
        e.left();
        e.left();
        e.paste("héllo");
        assert_eq!(e.text(), "let s = \"héllo\";");
        assert_eq!(e.cursor(), (0, 14));
    }

    #[test]
    fn history_walks_from_the_edges_and_restores_the_draft() {
        let mut e = Editor::new();
        e.insert_str("let a = 1;");
        e.take();
        e.insert_str("let b = 2;");
        e.take();
        e.insert_str("dra");
        e.up();
        assert_eq!(e.text(), "let b = 2;");
        e.up();
        assert_eq!(e.text(), "let a = 1;");
        e.up();
        assert_eq!(e.text(), "let a = 1;");
        e.down();
        e.down();
        assert_eq!(e.text(), "dra");
    }

    #[test]
    fn search_finds_the_latest_match() {
        let mut e = Editor::new();
        for entry in ["let v = 1;", "v.push(2)", "let w = 3;"] {
            e.insert_str(entry);
            e.take();
        }
        assert_eq!(e.search("let", 3), Some(2));
        assert_eq!(e.search("let", 2), Some(0));
        assert_eq!(e.search("nothing", 3), None);
    }

    #[test]
    fn a_replaced_range_leaves_the_cursor_after_the_replacement() {
        let mut e = Editor::new();
        e.set_text("let a = 1;\nnumbers.so");
        assert_eq!(e.cursor_offset(), 21);
        e.replace_range(19, 21, "sort_unstable()");
        assert_eq!(e.text(), "let a = 1;\nnumbers.sort_unstable()");
        assert_eq!(e.cursor(), (1, 23));
        assert_eq!(e.cursor_offset(), e.text().len());
        // Out of range or inside a character: nothing changes.
        e.replace_range(30, 99, "x");
        e.set_text("é");
        e.replace_range(1, 2, "x");
        assert_eq!(e.text(), "é");
    }

    #[test]
    fn multibyte_text_is_edited_by_chars() {
        let mut e = Editor::new();
        e.insert_str("\"héllo\"");
        e.left();
        e.backspace();
        assert_eq!(e.text(), "\"héll\"");
    }
}
