//! Just enough Rust highlighting for cells: keywords, strings, numbers, comments, macros.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Plain,
    Keyword,
    Str,
    Number,
    Comment,
    Macro,
    Type,
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

/// Splits one line into (token, text) runs. Block comments and strings spanning lines are
/// not tracked across lines: cells are short and this is only colour.
pub fn line(text: &str) -> Vec<(Token, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let token = if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i = bytes.len();
            Token::Comment
        } else if c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            Token::Str
        } else if c.is_ascii_digit() && (start == 0 || !is_ident(bytes[start - 1])) {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
            {
                if bytes[i] == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            Token::Number
        } else if is_ident(c) && (start == 0 || !is_ident(bytes[start - 1])) {
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let word = &text[start..i];
            if bytes.get(i) == Some(&b'!') {
                i += 1;
                Token::Macro
            } else if KEYWORDS.contains(&word) {
                Token::Keyword
            } else if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                Token::Type
            } else {
                i = start;
                Token::Plain
            }
        } else {
            Token::Plain
        };
        if token == Token::Plain {
            // Skip over a whole identifier or one other character.
            if is_ident(bytes[i]) {
                while i < bytes.len() && is_ident(bytes[i]) {
                    i += 1;
                }
            } else {
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
            continue;
        }
        if start > plain_start {
            out.push((Token::Plain, &text[plain_start..start]));
        }
        out.push((token, &text[start..i]));
        plain_start = i;
    }
    if bytes.len() > plain_start {
        out.push((Token::Plain, &text[plain_start..]));
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let runs = line("let v: Vec<u8> = vec![1, 2]; // done \"x\"");
        assert_eq!(runs[0], (Token::Keyword, "let"));
        assert!(runs.contains(&(Token::Type, "Vec")));
        assert!(runs.contains(&(Token::Macro, "vec!")));
        assert!(runs.contains(&(Token::Number, "1")));
        assert_eq!(runs.last(), Some(&(Token::Comment, "// done \"x\"")));
        let joined: String = runs.iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, "let v: Vec<u8> = vec![1, 2]; // done \"x\"");
    }

    #[test]
    fn strings_and_unicode_stay_whole() {
        let text = "println!(\"héllo {}\", x1)";
        let runs = line(text);
        assert!(runs.contains(&(Token::Str, "\"héllo {}\"")));
        let joined: String = runs.iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, text);
    }
}
