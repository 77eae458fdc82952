//! The one reading of Rust text in tmrepl: whether input is complete, how a cell splits
//! into items, what the editor colours and which names a cell mentions all come from
//! these tokens, so a raw string, a nested comment, a lifetime or `'\''` means the same
//! thing to each of them. The tokens are rustc's own (`rustc_lexer`, as published for
//! rust-analyzer, which evcxr builds anyway).

use ra_ap_rustc_lexer::{FrontmatterAllowed, LiteralKind, TokenKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `// …` or `/* … */` (nested ones included); `terminated` is false when the text
    /// ends inside a block comment.
    Comment {
        terminated: bool,
    },
    /// A string of any kind: `"…"`, `b"…"`, `c"…"`, `r#"…"#`; false when the text ends
    /// inside it.
    Str {
        terminated: bool,
    },
    /// `'a'`, `b'a'`, `'\''`.
    Char,
    Number,
    Lifetime,
    /// An identifier or keyword; a raw one (`r#match`) as written.
    Ident,
    Open,
    Close,
    Semi,
    Colon,
    Bang,
    Whitespace,
    /// Any other punctuation, or what rustc would reject.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Byte offset in the text lexed.
    pub start: usize,
}

/// The tokens of `text`, which joined give `text` back.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut start = 0;
    ra_ap_rustc_lexer::tokenize(text, FrontmatterAllowed::No)
        .map(|token| {
            let end = start + token.len as usize;
            let kind = kind(token.kind);
            let token = Token {
                kind,
                text: &text[start..end],
                start,
            };
            start = end;
            token
        })
        .collect()
}

fn kind(kind: TokenKind) -> Kind {
    match kind {
        TokenKind::LineComment { .. } => Kind::Comment { terminated: true },
        TokenKind::BlockComment { terminated, .. } => Kind::Comment { terminated },
        TokenKind::Literal { kind, .. } => match kind {
            LiteralKind::Int { .. } | LiteralKind::Float { .. } => Kind::Number,
            LiteralKind::Char { .. } | LiteralKind::Byte { .. } => Kind::Char,
            LiteralKind::Str { terminated }
            | LiteralKind::ByteStr { terminated }
            | LiteralKind::CStr { terminated } => Kind::Str { terminated },
            LiteralKind::RawStr { n_hashes }
            | LiteralKind::RawByteStr { n_hashes }
            | LiteralKind::RawCStr { n_hashes } => Kind::Str {
                terminated: n_hashes.is_some(),
            },
        },
        TokenKind::Lifetime { .. } | TokenKind::RawLifetime => Kind::Lifetime,
        TokenKind::Ident | TokenKind::RawIdent => Kind::Ident,
        TokenKind::OpenParen | TokenKind::OpenBrace | TokenKind::OpenBracket => Kind::Open,
        TokenKind::CloseParen | TokenKind::CloseBrace | TokenKind::CloseBracket => Kind::Close,
        TokenKind::Semi => Kind::Semi,
        TokenKind::Colon => Kind::Colon,
        TokenKind::Bang => Kind::Bang,
        TokenKind::Whitespace => Kind::Whitespace,
        _ => Kind::Other,
    }
}

/// The names `text` uses, with where each starts: identifiers outside comments, a raw
/// one without its `r#`, and the variables a format string captures (`"{x}"`, `"{x:?}"`),
/// since `println!("{x}")` uses `x` as much as `println!("{}", x)` does.
pub fn names(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for token in tokens(text) {
        match token.kind {
            Kind::Ident => {
                let name = token.text.strip_prefix("r#").unwrap_or(token.text);
                let offset = token.text.len() - name.len();
                found.push((token.start + offset, name));
            }
            Kind::Str { .. } => {
                let captured = format_captures(token.text);
                found.extend(captured.map(|(at, name)| (token.start + at, name)));
            }
            _ => {}
        }
    }
    found
}

/// `{name}` and `{name:…}` in a string's text (`{{` is a literal brace).
fn format_captures(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i] != b'{' {
                i += 1;
                continue;
            }
            if bytes.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            i = end.max(start);
            let name = &text[start..end];
            let starts_well = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if starts_well && matches!(bytes.get(end), Some(b'}' | b':')) {
                return Some((start, name));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text)
            .into_iter()
            .filter(|t| t.kind != Kind::Whitespace)
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn the_tokens_join_to_the_text() {
        let text = "let s = r#\"a \"quoted\" }\"#; /* a /* nested */ comment */ x // end";
        let joined: String = tokens(text).iter().map(|t| t.text).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn raw_strings_keep_their_quotes_and_braces() {
        let found = kinds("r#\"a \"b\" }\"# }");
        assert_eq!(
            found[0],
            (Kind::Str { terminated: true }, "r#\"a \"b\" }\"#")
        );
        assert_eq!(found[1], (Kind::Close, "}"));
        assert_eq!(
            kinds("br##\"x\"#\"##")[0],
            (Kind::Str { terminated: true }, "br##\"x\"#\"##")
        );
        assert_eq!(kinds("r#\"open")[0].0, Kind::Str { terminated: false });
    }

    #[test]
    fn block_comments_nest() {
        let found = kinds("/* a /* b */ c */ d");
        assert_eq!(
            found[0],
            (Kind::Comment { terminated: true }, "/* a /* b */ c */")
        );
        assert_eq!(found[1], (Kind::Ident, "d"));
        assert_eq!(
            kinds("/* a /* b */")[0].0,
            Kind::Comment { terminated: false }
        );
    }

    #[test]
    fn byte_strings_and_c_strings_are_strings() {
        assert_eq!(
            kinds("b\"}\"")[0],
            (Kind::Str { terminated: true }, "b\"}\"")
        );
        assert_eq!(
            kinds("c\"x\"")[0],
            (Kind::Str { terminated: true }, "c\"x\"")
        );
        assert_eq!(kinds("b'{'")[0], (Kind::Char, "b'{'"));
    }

    #[test]
    fn lifetimes_are_told_from_char_literals() {
        let found = kinds("fn f<'a>(x: &'a str) -> char { '\\'' }");
        assert!(found.contains(&(Kind::Lifetime, "'a")));
        assert!(found.contains(&(Kind::Char, "'\\''")));
        assert_eq!(kinds("'{'")[0], (Kind::Char, "'{'"));
        assert_eq!(kinds("'static")[0], (Kind::Lifetime, "'static"));
    }

    #[test]
    fn names_skip_comments_and_read_format_captures() {
        let found: Vec<&str> =
            names("x.push(y); // z\nprintln!(\"{w} {v:?} {{u}} {0} {}\", r#type)")
                .into_iter()
                .map(|(_, name)| name)
                .collect();
        assert_eq!(found, ["x", "push", "y", "println", "w", "v", "type"]);
        let text = "a + \"{b}\"";
        let at = names(text)[1].0;
        assert_eq!(&text[at..at + 1], "b");
    }
}
