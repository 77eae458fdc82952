//! The definitions a value taken from another saved session needs: the items its type
//! and the code replayed to rebuild it name, and what those name in turn. An item that is
//! here already, as written, is not brought again; one that differs from a definition
//! here of the same name is a conflict, refused with both named. Pure.

use super::items;
use crate::timeline::mentions;

/// One item definition, and the cell that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub cell: u32,
    pub text: String,
    key: Key,
}

/// What makes two definitions the same item: the name it defines, the header of an
/// `impl`, else its whole text.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Named(String),
    Impl(String),
    Other(String),
}

/// Whitespace made single spaces, so layout never makes two definitions differ.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Definition {
    pub fn new(cell: u32, text: String) -> Definition {
        let key = match items::item_name(&text) {
            Some(name) => Key::Named(name),
            None if items::item_keyword(&text) == Some("impl") => {
                Key::Impl(normalized(text.split('{').next().unwrap_or(&text)))
            }
            None => Key::Other(normalized(&text)),
        };
        Definition { cell, text, key }
    }

    /// The name it defines (`fn score` → `score`); None for an impl or a glob `use`.
    pub fn name(&self) -> Option<&str> {
        match &self.key {
            Key::Named(name) => Some(name),
            Key::Impl(_) | Key::Other(_) => None,
        }
    }

    /// What it is, in a few words: `fn score`, `struct P`, `impl Display for P`.
    pub fn label(&self) -> String {
        match (&self.key, items::item_keyword(&self.text)) {
            (Key::Named(name), Some(keyword)) => format!("{keyword} {name}"),
            (Key::Impl(header), _) => header.clone(),
            _ => self.quoted(),
        }
    }

    /// Whether both say the same, however laid out.
    pub fn same_text(&self, other: &Definition) -> bool {
        normalized(&self.text) == normalized(&other.text)
    }

    /// Whether both define the same item (a name, an impl's header).
    pub fn same_item(&self, other: &Definition) -> bool {
        self.key == other.key
    }

    fn is_use(&self) -> bool {
        items::item_keyword(&self.text) == Some("use")
    }

    /// The definition's first line, shortened, to name it in one line.
    pub fn quoted(&self) -> String {
        let first = self
            .text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("#[") && !l.starts_with("//"));
        let line = normalized(first.unwrap_or(&self.text));
        let short: String = line.chars().take(60).collect();
        let cut = if short.len() < line.len() { "…" } else { "" };
        format!("`{short}{cut}`")
    }
}

/// The definitions in force after `cells` (oldest first, each with its source): a later
/// item of the same name or header replaces an earlier one.
pub fn in_force<'a>(cells: impl IntoIterator<Item = (u32, &'a str)>) -> Vec<Definition> {
    let mut defined: Vec<Definition> = Vec::new();
    for (cell, source) in cells {
        for item in items::items(source) {
            let definition = Definition::new(cell, item);
            defined.retain(|d| d.key != definition.key);
            defined.push(definition);
        }
    }
    defined
}

/// A definition of theirs that differs from one here of the same name.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub theirs: Definition,
    pub here: Definition,
}

/// Which of `theirs` code that reads `roots` (type names, replayed statements) needs and
/// this session lacks, in their order; or the first that conflicts with one `here`.
pub fn to_bring(
    theirs: &[Definition],
    here: &[Definition],
    roots: &str,
) -> Result<Vec<Definition>, Box<Conflict>> {
    let mut needed = vec![false; theirs.len()];
    let mut text = roots.to_owned();
    // What is needed is named by the roots or by what is needed already: until nothing new.
    loop {
        let mut grew = false;
        for (i, definition) in theirs.iter().enumerate() {
            if needed[i] {
                continue;
            }
            let wanted = match &definition.key {
                // A `use` may be needed unnamed (a trait whose methods the code calls):
                // it comes unless something here has its name.
                Key::Named(_)
                    if definition.is_use() && !here.iter().any(|h| h.key == definition.key) =>
                {
                    true
                }
                Key::Named(name) => mentions(&text, name),
                // An impl of a type that comes along comes with it.
                Key::Impl(header) => theirs.iter().zip(&needed).any(|(d, &n)| {
                    n && matches!(&d.key, Key::Named(name) if mentions(header, name))
                }),
                // A glob `use` or an extern block: whatever it brings may be named.
                Key::Other(_) => true,
            };
            if wanted {
                needed[i] = true;
                text.push('\n');
                text.push_str(&definition.text);
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let mut bring = Vec::new();
    for (definition, _) in theirs.iter().zip(needed).filter(|(_, n)| *n) {
        match here.iter().find(|h| h.key == definition.key) {
            Some(h) if normalized(&h.text) == normalized(&definition.text) => {}
            // Two inherent impls of one type may stand side by side.
            Some(_) if matches!(&definition.key, Key::Impl(h) if !h.contains(" for ")) => {
                bring.push(definition.clone());
            }
            Some(h) => {
                return Err(Box::new(Conflict {
                    theirs: definition.clone(),
                    here: h.clone(),
                }));
            }
            None => bring.push(definition.clone()),
        }
    }
    Ok(bring)
}

/// The dependencies code reading `text` can use: those whose crate it names (crate `a-b`
/// as `a_b`). The others stay out: adding a dependency changes the identity of every type
/// a session defines, and evcxr drops the variables of those types.
pub fn deps_named(deps: &[(String, String)], text: &str) -> Vec<(String, String)> {
    deps.iter()
        .filter(|(name, _)| mentions(text, &name.replace('-', "_")))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_values_need_comes_along_and_what_is_here_stays() {
        let theirs = in_force([
            (
                1,
                "use std::collections::HashMap;\nstruct Acc { n: Vec<u32>, m: HashMap<u8, Unit> }",
            ),
            (
                2,
                "struct Unit;\nimpl Acc { fn total(&self) -> u32 { helper(self) } }\nfn helper(a: &Acc) -> u32 { a.n.iter().sum() }",
            ),
            (
                3,
                "fn unrelated() {}\nstruct Acc { n: Vec<u32>, m: HashMap<u8, Unit> }",
            ),
        ]);
        // Cell 3 redefined Acc as it was: one definition, the later one.
        assert_eq!(
            theirs
                .iter()
                .filter(|d| d.text.starts_with("struct Acc"))
                .count(),
            1
        );
        let here = in_force([(
            1,
            "use std::collections::HashMap;\nfn unrelated() { println!(); }",
        )]);
        let brought = to_bring(&theirs, &here, "Acc").unwrap();
        let texts: Vec<&str> = brought
            .iter()
            .map(|d| d.text.lines().next().unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "struct Unit;",
                "impl Acc { fn total(&self) -> u32 { helper(self) } }",
                "fn helper(a: &Acc) -> u32 { a.n.iter().sum() }",
                "struct Acc { n: Vec<u32>, m: HashMap<u8, Unit> }",
            ]
        );
        // A value of a standard type needs nothing.
        assert!(to_bring(&theirs, &here, "Vec<u8>").unwrap().is_empty());
        // A trait's `use` comes along unnamed (its methods may be called), unless
        // something here has its name.
        let theirs = in_force([(1, "use std::fmt::Write;")]);
        assert_eq!(
            to_bring(&theirs, &[], "let mut s = String::new(); write!(s, \"x\");")
                .unwrap()
                .len(),
            1
        );
        let here = in_force([(2, "struct Write;")]);
        assert!(to_bring(&theirs, &here, "let n = 1;").unwrap().is_empty());
    }

    #[test]
    fn only_the_dependencies_the_code_names_come_along() {
        let deps = [
            ("serde".to_owned(), "\"1\"".to_owned()),
            ("rand-core".to_owned(), "\"0.6\"".to_owned()),
            ("regex".to_owned(), "\"1\"".to_owned()),
        ];
        let text = "#[derive(serde::Serialize)] struct S;\nlet r: rand_core::OsRng;";
        let named: Vec<String> = deps_named(&deps, text)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(named, ["serde", "rand-core"]);
    }

    #[test]
    fn a_definition_that_differs_from_one_here_is_a_conflict_naming_both() {
        let theirs = in_force([(4, "struct Point { x: i64 }")]);
        let here = in_force([(2, "#[derive(Debug)]\nstruct   Point { x: i32 }")]);
        let conflict = to_bring(&theirs, &here, "Point").unwrap_err();
        assert_eq!((conflict.theirs.cell, conflict.here.cell), (4, 2));
        assert_eq!(conflict.theirs.quoted(), "`struct Point { x: i64 }`");
        assert_eq!(conflict.here.quoted(), "`struct Point { x: i32 }`");
        // The same text laid out otherwise is the same definition.
        let same = in_force([(1, "struct Point {\n    x: i64,\n}")]);
        let theirs = in_force([(4, "struct Point {   x: i64, }")]);
        assert!(to_bring(&theirs, &same, "Point").unwrap().is_empty());
    }
}
