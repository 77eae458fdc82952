//! Just enough Rust highlighting for cells: keywords, strings, numbers, comments, macros.

use crate::lexer::{self, Kind};

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

/// Splits one line into (token, text) runs, read with rustc's tokens (`crate::lexer`).
/// Block comments and strings spanning lines are not tracked across lines: cells are
/// short and this is only colour.
pub fn line(text: &str) -> Vec<(Token, &str)> {
    let tokens = lexer::tokens(text);
    // (colour, start, end) in bytes of `text`.
    let mut runs: Vec<(Token, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let mut end = token.start + token.text.len();
        let colour = match token.kind {
            Kind::Comment { .. } => Token::Comment,
            Kind::Str { .. } | Kind::Char => Token::Str,
            Kind::Number => Token::Number,
            Kind::Ident
                if tokens
                    .get(i + 1)
                    .is_some_and(|next| next.kind == Kind::Bang) =>
            {
                // `vec!` is one run, its `!` included.
                i += 1;
                end += 1;
                Token::Macro
            }
            Kind::Ident if KEYWORDS.contains(&token.text) => Token::Keyword,
            Kind::Ident if token.text.starts_with(|c: char| c.is_ascii_uppercase()) => Token::Type,
            _ => Token::Plain,
        };
        match runs.last_mut() {
            // Plain runs join, as one stretch of default colour.
            Some((Token::Plain, _, last_end)) if colour == Token::Plain => *last_end = end,
            _ => runs.push((colour, token.start, end)),
        }
        i += 1;
    }
    runs.into_iter()
        .map(|(colour, start, end)| (colour, &text[start..end]))
        .collect()
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
