//! The text of an export: `Cargo.toml`, `src/main.rs`, and how a cell's last statement
//! becomes one of `main`.

use super::*;

/// A statement chunk with no `;` at its end is the cell's value, unless block statements
/// (`for … { }`, `if … { }`) lead it: those run first. Returns (block statements, value).
pub(super) fn split_tail(tail: &str) -> (&str, &str) {
    use crate::lexer::Kind;
    const BLOCK_LIKE: &[&str] = &["if", "match", "for", "while", "loop", "unsafe"];
    let tokens: Vec<_> = crate::lexer::tokens(tail)
        .into_iter()
        .filter(|t| !matches!(t.kind, Kind::Whitespace | Kind::Comment { .. }))
        .collect();
    let mut start = 0; // index into `tokens` of the current statement's first token
    let mut boundary = 0; // byte offset where the value starts
    let mut last_block = None; // byte offset of the last block statement's start
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                let first = tokens[start];
                let block_like = BLOCK_LIKE.contains(&first.text)
                    || first.text == "{"
                    || first.kind == Kind::Lifetime;
                let continues = tokens
                    .get(i + 1)
                    .is_some_and(|next| matches!(next.text, "." | "?" | "else"));
                if depth == 0 && token.text == "}" && block_like && !continues {
                    last_block = Some(first.start);
                    boundary = token.start + 1;
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    if tail[boundary..].trim().is_empty()
        && let Some(block) = last_block
    {
        // The last block statement is the value (`if c { 1 } else { 2 }`).
        return (tail[..block].trim(), tail[block..].trim());
    }
    (tail[..boundary].trim(), tail[boundary..].trim())
}

/// `text` indented by four spaces, unless a string in it spans lines (indenting would
/// change the string).
fn indented(text: &str) -> String {
    let multiline_string = crate::lexer::tokens(text)
        .iter()
        .any(|t| matches!(t.kind, crate::lexer::Kind::Str { .. }) && t.text.contains('\n'));
    if multiline_string {
        return text.to_owned();
    }
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn cargo_toml(package: &str, target: u32, deps: &BTreeMap<String, String>) -> String {
    let mut out = format!(
        "{EXPORT_MARK} from cell {target}; the dependencies are the :dep lines of its branch.\n\
         [package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\n"
    );
    for (name, config) in deps {
        let _ = writeln!(out, "{name} = {config}");
    }
    // A project of its own even when written inside another workspace.
    out.push_str("\n[workspace]\n");
    out
}

pub(super) fn main_rs(b: &Builder, target: u32) -> String {
    let mut out = format!(
        "// Written by tmrepl :export: the program that leads to cell {target}'s state.\n\
         // Items are at the top level (the last definition of each name); each cell's\n\
         // statements run in main, in order. A cell's value is evaluated, not printed\n\
         // (`let _ = …;`), with what the session showed beside it.\n"
    );
    if !b.left_out.is_empty() {
        out.push_str("//\n// Not exported:\n");
        for line in &b.left_out {
            let _ = writeln!(out, "// - {line}");
        }
    }
    out.push_str("\n#![allow(unused)]\n");
    for item in &b.items {
        let mut note = String::new();
        if !item.replaced.is_empty() {
            let list = |cells: &[u32]| {
                cells
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = write!(note, ", replacing that of cell {}", list(&item.replaced));
            if !item.ran_with_older.is_empty() {
                let _ = write!(
                    note,
                    "; cell {} ran with an earlier definition",
                    list(&item.ran_with_older)
                );
            }
        }
        let _ = write!(out, "\n// cell {}{note}\n{}\n", item.cell, item.text);
    }
    out.push_str("\nfn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    for (i, piece) in b.pieces.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "    // {}", piece.label);
        for statement in &piece.statements {
            let _ = writeln!(out, "{}", indented(statement));
        }
        if let Some(value) = &piece.value {
            let shown = piece
                .shown
                .as_deref()
                .and_then(|v| v.lines().next())
                .filter(|v| *v != "()")
                .map(|v| format!(" // showed: {}", tables::truncate(v, 60)))
                .unwrap_or_default();
            let _ = writeln!(out, "{}{shown}", indented(&format!("let _ = {value};")));
        }
    }
    out.push_str("    Ok(())\n}\n");
    out
}
