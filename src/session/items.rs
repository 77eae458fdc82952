//! Splits a cell into its top-level pieces and tells items (fn, struct, impl, use, …) from
//! statements, so a saved session can rebuild its definitions without re-running code.

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
    split(super::input::split_cell(source).rust)
        .into_iter()
        .filter(|chunk| item_keyword(chunk).is_none())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first keyword after attributes and qualifiers, when it starts an item.
fn item_keyword(chunk: &str) -> Option<&'static str> {
    let mut rest = chunk.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("#[").or_else(|| rest.strip_prefix("#![")) {
            let close = matching_bracket(after)?;
            rest = after[close + 1..].trim_start();
            continue;
        }
        if rest.starts_with("//") {
            rest = rest
                .split_once('\n')
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
            continue;
        }
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
    let bytes = source.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\\') => {
                i += 2;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth -= 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    let chunk = &source[start..=i];
                    if item_keyword(chunk).is_some_and(|k| BRACE_ITEMS.contains(&k)) {
                        chunks.push(chunk);
                        start = i + 1;
                    }
                }
            }
            b';' if depth == 0 => {
                chunks.push(&source[start..=i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
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
    fn qualifiers_and_enums() {
        let cell = "pub(crate) const fn k() -> u8 { 7 }\nenum E { A, B }\nunsafe impl Send for W {}\ntrait Tr { fn t(&self); }";
        assert_eq!(items(cell).len(), 4);
    }
}
