//! Splits a cell into its top-level pieces and tells items (fn, struct, impl, use, …) from
//! statements, so a saved session can rebuild its definitions without re-running code.

use crate::lexer::Kind;

const ITEM_KEYWORDS: &[&str] = &[
    "fn",
    "struct",
    "enum",
    "impl",
    "trait",
    "mod",
    "use",
    "type",
    "static",
    "union",
    "extern",
    "macro_rules",
];
/// Items whose body ends with a closing brace rather than a semicolon.
const BRACE_ITEMS: &[&str] = &[
    "fn",
    "impl",
    "trait",
    "mod",
    "enum",
    "struct",
    "union",
    "macro_rules",
];

/// The item definitions of `source`, in order, each as written.
pub fn items(source: &str) -> Vec<String> {
    split(super::input::split_cell(source).rust)
        .into_iter()
        .filter(|chunk| item_keyword(chunk).is_some())
        .map(|chunk| chunk.trim().to_owned())
        .collect()
}

/// Everything of `source` but its items, in order: what replaying the cell runs once its
/// items are defined.
pub fn statements(source: &str) -> String {
    statement_chunks(source).join("\n")
}

/// The statements of `source` one by one, trimmed: each ends with its `;`, but for the
/// last when it is the cell's value (evcxr shows a trailing expression).
pub fn statement_chunks(source: &str) -> Vec<&str> {
    split(super::input::split_cell(source).rust)
        .into_iter()
        .filter(|chunk| item_keyword(chunk).is_none())
        .map(str::trim)
        .collect()
}

/// `code` after its leading attributes and line comments; None when an attribute is not
/// closed.
fn after_attributes(code: &str) -> Option<&str> {
    let mut rest = code.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("#[").or_else(|| rest.strip_prefix("#![")) {
            rest = after[matching_bracket(after)? + 1..].trim_start();
        } else if rest.starts_with("//") {
            rest = rest
                .split_once('\n')
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
        } else {
            return Some(rest);
        }
    }
}

/// The first keyword after attributes and qualifiers, when it starts an item: what makes
/// `chunk` an item (`fn`, `impl`, `use`, …).
pub fn item_keyword(chunk: &str) -> Option<&'static str> {
    let mut rest = chunk;
    loop {
        // Between qualifiers too, as in `pub // …` on a line of its own.
        rest = after_attributes(rest)?;
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = &rest[word.len()..];
        match word.as_str() {
            "pub" => {
                rest = after.trim_start();
                if let Some(inner) = rest.strip_prefix('(') {
                    rest = inner
                        .split_once(')')
                        .map(|(_, r)| r)
                        .unwrap_or("")
                        .trim_start();
                }
            }
            "unsafe" | "async" | "default" => rest = after.trim_start(),
            "const" => {
                // `const fn` is a function; `const X: T = …;` is an item too.
                let next = after.trim_start();
                if next.starts_with("fn") || next.starts_with("unsafe") || next.starts_with("async")
                {
                    rest = next;
                } else {
                    return Some("const");
                }
            }
            "extern" => {
                let next = after.trim_start();
                if next.starts_with("crate") {
                    return Some("extern");
                }
                // extern "C" fn …
                rest = next
                    .trim_start_matches(|c: char| c != ' ' && c != '{')
                    .trim_start();
                if rest.starts_with('{') {
                    return Some("extern");
                }
            }
            w => return ITEM_KEYWORDS.iter().copied().find(|k| *k == w),
        }
    }
}

/// The name an item defines (`struct Acc` → `Acc`, `use std::rc::Rc;` → `Rc`), or None
/// when it defines none of its own (`impl`, `use a::{b, c}`, a glob, an `extern` block).
pub fn item_name(item: &str) -> Option<String> {
    let keyword = item_keyword(item)?;
    let ident = |c: char| c == '_' || c.is_alphanumeric();
    let code = after_attributes(item)?;
    let mut words = code.split(|c: char| !ident(c)).filter(|w| !w.is_empty());
    words.by_ref().find(|w| *w == keyword)?;
    match keyword {
        "impl" => None,
        "use" => {
            let path = code.split_once("use")?.1.split(';').next()?.trim();
            if path.contains(['{', '*']) {
                return None;
            }
            let last = path.rsplit(" as ").next()?.rsplit("::").next()?.trim();
            (!last.is_empty() && last.chars().all(ident)).then(|| last.to_owned())
        }
        "extern" => {
            // `extern crate foo [as bar];` names a crate; an extern block names nothing.
            if words.next() != Some("crate") {
                return None;
            }
            let rest: Vec<&str> = words.collect();
            match rest.as_slice() {
                [_, "as", alias, ..] => Some((*alias).to_owned()),
                [name, ..] => Some((*name).to_owned()),
                [] => None,
            }
        }
        _ => words.find(|w| *w != "mut").map(str::to_owned),
    }
}

fn matching_bracket(text: &str) -> Option<usize> {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Top-level chunks: ended by `;` at depth 0, or by the closing brace of a brace item.
fn split(source: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    for token in crate::lexer::tokens(source) {
        let end = token.start + token.text.len();
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 && token.text == "}" {
                    let chunk = &source[start..end];
                    if item_keyword(chunk).is_some_and(|k| BRACE_ITEMS.contains(&k)) {
                        chunks.push(chunk);
                        start = end;
                    }
                }
            }
            Kind::Semi if depth == 0 => {
                chunks.push(&source[start..end]);
                start = end;
            }
            _ => {}
        }
    }
    if !source[start.min(source.len())..].trim().is_empty() {
        chunks.push(&source[start..]);
    }
    chunks
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_told_from_statements() {
        let cell = "use std::collections::HashMap;\n#[derive(Debug, Clone)]\npub struct P { x: i32 }\nlet mut m = HashMap::new();\nimpl P { fn get(&self) -> i32 { self.x } }\nm.insert(1, P { x: 2 });\nfn f() -> i32 { 1 }\nconst N: usize = 3;\nstruct T(u8);\nf() + N as i32";
        assert_eq!(
            items(cell),
            vec![
                "use std::collections::HashMap;",
                "#[derive(Debug, Clone)]\npub struct P { x: i32 }",
                "impl P { fn get(&self) -> i32 { self.x } }",
                "fn f() -> i32 { 1 }",
                "const N: usize = 3;",
                "struct T(u8);",
            ]
        );
    }

    #[test]
    fn statements_are_what_items_leave() {
        let cell =
            "struct Acc { n: Vec<u32> }\nlet acc = Acc { n: vec![1] };\nfn f() {}\nacc.n.len()";
        assert_eq!(
            statements(cell),
            "let acc = Acc { n: vec![1] };\nacc.n.len()"
        );
    }

    #[test]
    fn braces_in_statements_do_not_end_them() {
        let cell = "let y = match x { 1 => { 2 } _ => 3 };\nlet s = \"fn not_an_item() {}\";\nif y > 1 { println!(\"}}\"); }";
        assert!(items(cell).is_empty());
    }

    #[test]
    fn items_are_named_by_what_they_define() {
        let named = |item: &str| item_name(item);
        assert_eq!(
            named("#[derive(Debug)]\npub struct P<T> { x: T }").as_deref(),
            Some("P")
        );
        assert_eq!(
            named("pub(crate) const fn k() -> u8 { 7 }").as_deref(),
            Some("k")
        );
        assert_eq!(
            named("static mut COUNT: u32 = 0;").as_deref(),
            Some("COUNT")
        );
        assert_eq!(
            named("use std::collections::HashMap;").as_deref(),
            Some("HashMap")
        );
        assert_eq!(
            named("use std::rc::Rc as Shared;").as_deref(),
            Some("Shared")
        );
        assert_eq!(
            named("macro_rules! twice { ($e:expr) => { $e * 2 } }").as_deref(),
            Some("twice")
        );
        assert_eq!(named("extern crate serde as sd;").as_deref(), Some("sd"));
        assert_eq!(named("impl P { fn get(&self) -> i32 { 1 } }"), None);
        assert_eq!(named("use std::io::{Read, Write};"), None);
        assert_eq!(named("let x = 1;"), None);
    }

    #[test]
    fn qualifiers_and_enums() {
        let cell = "pub(crate) const fn k() -> u8 { 7 }\nenum E { A, B }\nunsafe impl Send for W {}\ntrait Tr { fn t(&self); }";
        assert_eq!(items(cell).len(), 4);
    }
}
