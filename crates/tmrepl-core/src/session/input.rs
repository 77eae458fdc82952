//! How a cell reads: its leading `:` command and `!` shell lines, then Rust (`split_cell`,
//! as evcxr reads a cell); and is it complete, or does it need more lines (unclosed
//! brackets, strings, block comments)? Read with rustc's tokens (`crate::lexer`), the
//! same the compiler will see.

use crate::lexer::Kind;

/// A line before a cell's Rust code that is not Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leading<'a> {
    /// `:name args`, trimmed.
    Command(&'a str),
    /// `!command`, without the `!`, trimmed.
    Shell(&'a str),
}

/// A cell as evcxr 0.22 reads it (`CodeBlock::from_original_user_code`): leading lines that
/// are commands or shell commands, in order (blank lines and `//` comments among them are
/// skipped), then everything from the first other line on is Rust, `:` lines included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellText<'a> {
    pub leading: Vec<Leading<'a>>,
    /// The Rust code, from the start of its first line; empty when there is none.
    pub rust: &'a str,
}

pub fn split_cell(text: &str) -> CellText<'_> {
    let mut leading = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        // evcxr allows spaces, not tabs, before a command's colon.
        let command = content.trim_start_matches(' ');
        if let Some(shell) = content.strip_prefix('!') {
            leading.push(Leading::Shell(shell.trim()));
        } else if command.starts_with(':') && !command.starts_with("::") {
            // `::std::…` is a path: Rust, where evcxr would report an unknown command.
            leading.push(Leading::Command(command.trim_end()));
        } else if !(content.starts_with("//") || content.trim().is_empty()) {
            return CellText {
                leading,
                rust: &text[offset..],
            };
        }
        offset += line.len();
    }
    CellText { leading, rust: "" }
}

/// The one `:` command that `text` is, when it is a command alone (not a cell: it takes no
/// number). A `&` job, code, a shell line or several commands make a cell.
pub fn lone_command(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    if trimmed.starts_with('&') {
        return None;
    }
    match split_cell(trimmed) {
        CellText { leading, rust: "" } => match leading.as_slice() {
            [Leading::Command(line)] => Some(line),
            _ => None,
        },
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    Incomplete,
}

pub fn completeness(source: &str) -> Completeness {
    let cell = split_cell(source);
    if !cell.leading.is_empty() {
        // Commands are complete on their line; the Rust after them may not be.
        return if cell.rust.is_empty() {
            Completeness::Complete
        } else {
            completeness(cell.rust)
        };
    }
    let mut depth: i64 = 0;
    for token in crate::lexer::tokens(source) {
        match token.kind {
            Kind::Comment { terminated: false } | Kind::Str { terminated: false } => {
                return Completeness::Incomplete;
            }
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            _ => {}
        }
    }
    // Too many closing brackets is a syntax error for the compiler to report, not a reason
    // to wait for more input.
    if depth > 0 || waits_for_more(source) {
        Completeness::Incomplete
    } else {
        Completeness::Complete
    }
}

/// Code whose brackets are balanced but whose last line cannot end an item: an outer
/// attribute alone (`#[derive(Debug)]`, the item comes next) or a `where` before its
/// bounds.
fn waits_for_more(source: &str) -> bool {
    let Some(last) = source
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("//"))
    else {
        return false;
    };
    if last == "where" || last.ends_with(" where") || last.ends_with(")where") {
        return true;
    }
    let mut rest = last;
    while let Some(inner) = rest.strip_prefix("#[") {
        let mut depth = 1;
        let close = inner.char_indices().find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        let Some(close) = close else {
            return false;
        };
        rest = inner[close + 1..].trim_start();
        if rest.is_empty() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use Completeness::*;

    #[test]
    fn brackets() {
        assert_eq!(completeness("let x = 1;"), Complete);
        assert_eq!(completeness("fn f() {"), Incomplete);
        assert_eq!(completeness("fn f() {\n  1\n}"), Complete);
        assert_eq!(completeness("vec![1,\n2"), Incomplete);
        assert_eq!(completeness("foo())"), Complete);
    }

    #[test]
    fn strings_and_chars() {
        assert_eq!(completeness("let s = \"{\";"), Complete);
        assert_eq!(completeness("let s = \"abc"), Incomplete);
        assert_eq!(completeness("let s = \"a\\\"{\";"), Complete);
        assert_eq!(completeness("let c = '{';"), Complete);
        assert_eq!(completeness("let c = '\\'';"), Complete);
        assert_eq!(completeness("let r = r#\"a \" { \"#;"), Complete);
        assert_eq!(completeness("let r = r#\"unclosed"), Incomplete);
        assert_eq!(completeness("let b = b\"{\";"), Complete);
        assert_eq!(completeness("let b = b'{';"), Complete);
    }

    #[test]
    fn lifetimes_are_not_char_literals() {
        assert_eq!(
            completeness("fn f<'a>(x: &'a str) -> &'a str { x }"),
            Complete
        );
        assert_eq!(completeness("'outer: loop { break 'outer; }"), Complete);
        assert_eq!(completeness("struct S<'a> {"), Incomplete);
    }

    #[test]
    fn comments() {
        assert_eq!(completeness("let x = 1; // {"), Complete);
        assert_eq!(completeness("/* {"), Incomplete);
        assert_eq!(completeness("/* /* */ { */ 1"), Complete);
        assert_eq!(completeness("/* /* */ */"), Complete);
    }

    #[test]
    fn identifiers_ending_in_r_or_b_are_not_raw_strings() {
        assert_eq!(completeness("let bar = \"x\"; let b = bar;"), Complete);
        assert_eq!(completeness("let r = 1; r"), Complete);
    }

    #[test]
    fn an_attribute_or_a_where_alone_waits_for_what_follows() {
        assert_eq!(completeness("#[derive(Debug)]"), Incomplete);
        assert_eq!(
            completeness("#[derive(Debug)] #[allow(dead_code)]\n"),
            Incomplete
        );
        assert_eq!(
            completeness("#[derive(Debug)]\nstruct P { x: i32 }"),
            Complete
        );
        assert_eq!(completeness("#[derive(Debug)] struct P;"), Complete);
        assert_eq!(completeness("fn apply<F>(f: F) where"), Incomplete);
        assert_eq!(
            completeness("fn apply<F>(f: F) where\n    F: Fn() {\n    f();\n}"),
            Complete
        );
        assert_eq!(completeness("let somewhere = 1;"), Complete);
        // An inner attribute applies to what it is in: complete.
        assert_eq!(completeness("#![allow(unused)]"), Complete);
    }

    #[test]
    fn commands_are_always_complete() {
        assert_eq!(completeness(":dep regex = \"1"), Complete);
        assert_eq!(completeness("!ls {"), Complete);
    }

    #[test]
    fn rust_after_commands_must_be_complete() {
        assert_eq!(completeness(":dep a = \"1\"\nfn f() {"), Incomplete);
        assert_eq!(completeness(":dep a = \"1\"\nfn f() {}"), Complete);
    }

    #[test]
    fn a_cell_splits_as_evcxr_reads_it() {
        let cell = split_cell(
            ":dep a = \"1\"\n\n// why\n  :dep b = { version = \"2\" }\r\n!ls -l\nlet x = 1;\n:vars\n",
        );
        assert_eq!(
            cell.leading,
            vec![
                Leading::Command(":dep a = \"1\""),
                Leading::Command(":dep b = { version = \"2\" }"),
                Leading::Shell("ls -l"),
            ]
        );
        // A `:` line after Rust is Rust, as in evcxr.
        assert_eq!(cell.rust, "let x = 1;\n:vars\n");
        assert_eq!(split_cell("let y = 2;").leading, vec![]);
        assert_eq!(split_cell("let y = 2;").rust, "let y = 2;");
        assert_eq!(
            split_cell("::std::mem::drop(1)").rust,
            "::std::mem::drop(1)"
        );
        assert_eq!(lone_command("  :vars 3\n"), Some(":vars 3"));
        assert_eq!(lone_command(":dep a = \"1\"\nlet x = 1;"), None);
        assert_eq!(lone_command(":dep a = \"1\"\n:dep b = \"2\""), None);
        assert_eq!(lone_command("& :vars"), None);
        assert_eq!(lone_command("!ls"), None);
        let only = split_cell(":dep a = \"1\"\n// done\n");
        assert_eq!(only.leading.len(), 1);
        assert_eq!(only.rust, "");
    }
}
