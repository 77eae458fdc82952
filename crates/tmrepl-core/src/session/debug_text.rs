//! Reading a value's `Debug` text one level deep, to say where two values of a
//! collection first differ (`:diff`): `[90, 85, 77]` against `[90, 86, 77]` differ first
//! at `[1]`. Pure; it knows brackets, strings and chars, not Rust's grammar.

/// Where two Debug texts first differ, element by element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstDifference {
    /// How the element is reached: `[1]` (sequence, set), `.0` (tuple), `.x` (struct
    /// field), `["key"]` (map).
    pub at: String,
    /// The element on each side; None where that side has no element there.
    pub old: Option<String>,
    pub new: Option<String>,
}

impl FirstDifference {
    /// `first difference at [1]: 85 → 86`, each element cut to `width` characters.
    pub fn describe(&self, width: usize) -> String {
        let side = |element: &Option<String>| match element {
            Some(text) => cut(text, width),
            None => "nothing".to_owned(),
        };
        format!(
            "first difference at {}: {} → {}",
            self.at,
            side(&self.old),
            side(&self.new)
        )
    }
}

/// The first element where `old` and `new` differ, when both are collections of the same
/// shape (`[…]`, `(…)`, `{…}`, `Name { … }`, `Name(…)`) and they differ in an element.
/// `*_cut`: that text stops short (a preview's limit), so its last element may be
/// partial and what follows is unknown.
pub fn first_difference(
    old: &str,
    old_cut: bool,
    new: &str,
    new_cut: bool,
) -> Option<FirstDifference> {
    let old = Collection::read(old.trim(), old_cut)?;
    let new = Collection::read(new.trim(), new_cut)?;
    if old.name != new.name || old.open != new.open {
        return None;
    }
    let longest = old.elements.len().max(new.elements.len());
    for index in 0..longest {
        let (a, b) = (old.elements.get(index), new.elements.get(index));
        // Past the end of a cut side nothing is known.
        if (a.is_none() && old.cut) || (b.is_none() && new.cut) {
            return None;
        }
        if a == b {
            continue;
        }
        let key = |e: Option<&&str>| e.map(|e| old.label(index, e));
        let at = key(a).or_else(|| key(b)).unwrap_or_default();
        let value = |e: Option<&&str>| e.map(|e| old.value(e).to_owned());
        // A map or struct whose keys differ at this place: the whole entries tell more.
        let same_key = match (a, b) {
            (Some(a), Some(b)) => old.label(index, a) == old.label(index, b),
            _ => true,
        };
        return Some(if same_key {
            FirstDifference {
                at,
                old: value(a),
                new: value(b),
            }
        } else {
            FirstDifference {
                at: format!("[{index}]"),
                old: a.map(|e| e.to_string()),
                new: b.map(|e| e.to_string()),
            }
        });
    }
    None
}

/// One level of a Debug text: the type's name (`Point`, or empty), the opening bracket,
/// and the elements between, as written.
struct Collection<'a> {
    name: &'a str,
    open: char,
    elements: Vec<&'a str>,
    /// The text stopped before the closing bracket.
    cut: bool,
}

impl<'a> Collection<'a> {
    fn read(text: &'a str, cut: bool) -> Option<Collection<'a>> {
        let start = text.find(['[', '(', '{'])?;
        let name = text[..start].trim();
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
        {
            return None;
        }
        let open = text[start..].chars().next()?;
        let close = match open {
            '[' => ']',
            '(' => ')',
            _ => '}',
        };
        let body = &text[start + 1..];
        let (elements, end) = split_top_level(body);
        let whole = match end {
            Some(end) => body[end + 1..].trim().is_empty() && body[end..].starts_with(close),
            None => false,
        };
        if !whole && !cut {
            return None;
        }
        let mut elements: Vec<&str> = elements
            .into_iter()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if !whole {
            // The last element may have been cut in the middle.
            elements.pop();
        }
        Some(Collection {
            name,
            open,
            elements,
            cut: !whole,
        })
    }

    /// A struct's fields and a map's entries are `key: value`.
    fn keyed(&self) -> bool {
        self.open == '{'
    }

    fn key_and_value(element: &str) -> Option<(&str, &str)> {
        let (elements, _) = split_top_level_at(element, ':');
        let key = elements.first()?;
        let value = element.get(key.len() + 1..)?;
        (elements.len() > 1).then(|| (key.trim(), value.trim()))
    }

    fn label(&self, index: usize, element: &str) -> String {
        match (self.keyed(), Self::key_and_value(element)) {
            (true, Some((key, _))) if !self.name.is_empty() => format!(".{key}"),
            (true, Some((key, _))) => format!("[{key}]"),
            _ if self.open == '(' => format!(".{index}"),
            _ => format!("[{index}]"),
        }
    }

    fn value<'e>(&self, element: &'e str) -> &'e str {
        match (self.keyed(), Self::key_and_value(element)) {
            (true, Some((_, value))) => value,
            _ => element,
        }
    }
}

/// The pieces of `body` separated by top-level commas, up to the bracket that closes the
/// level `body` is inside; and where that bracket is (None: it is not there).
fn split_top_level(body: &str) -> (Vec<&str>, Option<usize>) {
    split_top_level_at(body, ',')
}

fn split_top_level_at(body: &str, separator: char) -> (Vec<&str>, Option<usize>) {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => skip_quoted(&mut chars, '"'),
            // A char literal, not a lifetime: Debug prints chars as `'a'`, `'\''`.
            '\'' => skip_quoted(&mut chars, '\''),
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' if depth == 0 => {
                pieces.push(&body[start..i]);
                return (pieces, Some(i));
            }
            ']' | ')' | '}' => depth -= 1,
            // `::` in a path is not a key's colon.
            ':' if separator == ':' && chars.peek().is_some_and(|(_, next)| *next == ':') => {
                chars.next();
            }
            c if c == separator && depth == 0 => {
                pieces.push(&body[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    pieces.push(&body[start..]);
    (pieces, None)
}

fn skip_quoted(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, quote: char) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            c if c == quote => return,
            _ => {}
        }
    }
}

/// `text` in at most `width` characters, `…` where it was cut.
pub(super) fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(old: &str, new: &str) -> Option<String> {
        first_difference(old, false, new, false).map(|d| d.describe(20))
    }

    #[test]
    fn a_sequence_differs_at_an_index() {
        assert_eq!(
            said("[90, 85, 77]", "[90, 86, 77]").as_deref(),
            Some("first difference at [1]: 85 → 86")
        );
        assert_eq!(
            said("[1, 2]", "[1, 2, 3]").as_deref(),
            Some("first difference at [2]: nothing → 3")
        );
        assert_eq!(
            said("[1, 2, 3]", "[1]").as_deref(),
            Some("first difference at [1]: 2 → nothing")
        );
        assert_eq!(said("[1, 2]", "[1, 2]"), None);
    }

    #[test]
    fn nesting_strings_and_chars_do_not_split_elements() {
        assert_eq!(
            said(r#"["a, b", "c]"]"#, r#"["a, b", "d]"]"#).as_deref(),
            Some(r#"first difference at [1]: "c]" → "d]""#)
        );
        assert_eq!(
            said("[[1, 2], [3, 4]]", "[[1, 2], [3, 5]]").as_deref(),
            Some("first difference at [1]: [3, 4] → [3, 5]")
        );
        assert_eq!(
            said(r#"[',', '\'', 'x']"#, r#"[',', '\'', 'y']"#).as_deref(),
            Some("first difference at [2]: 'x' → 'y'")
        );
        assert_eq!(
            said(r#"["q\"", 1]"#, r#"["q\"", 2]"#).as_deref(),
            Some("first difference at [1]: 1 → 2")
        );
    }

    #[test]
    fn tuples_structs_and_maps_name_their_element() {
        assert_eq!(
            said("(1, \"a\")", "(1, \"b\")").as_deref(),
            Some("first difference at .1: \"a\" → \"b\"")
        );
        assert_eq!(
            said("Point { x: 1, y: 2 }", "Point { x: 1, y: 3 }").as_deref(),
            Some("first difference at .y: 2 → 3")
        );
        assert_eq!(
            said(r#"{"a": 1, "b": 2}"#, r#"{"a": 1, "b": 5}"#).as_deref(),
            Some(r#"first difference at ["b"]: 2 → 5"#)
        );
        // Different keys at the same place: the entries whole.
        assert_eq!(
            said(r#"{"a": 1}"#, r#"{"z": 1}"#).as_deref(),
            Some(r#"first difference at [0]: "a": 1 → "z": 1"#)
        );
        assert_eq!(
            said("Some([1, 2])", "Some([1, 3])").as_deref(),
            Some("first difference at .0: [1, 2] → [1, 3]")
        );
    }

    #[test]
    fn different_shapes_and_scalars_have_no_element_difference() {
        assert_eq!(said("5", "6"), None);
        assert_eq!(said("[1]", "(1)"), None);
        assert_eq!(said("A { x: 1 }", "B { x: 2 }"), None);
        assert_eq!(said("\"[1, 2]\"", "\"[1, 3]\""), None);
        assert_eq!(said("[1, 2", "[1, 3]"), None, "unclosed and not cut");
    }

    #[test]
    fn a_cut_text_is_compared_only_as_far_as_it_is_whole() {
        let d = |old, old_cut, new, new_cut| {
            first_difference(old, old_cut, new, new_cut).map(|d| d.describe(20))
        };
        assert_eq!(
            d("[1, 2, 3, 4", true, "[1, 9, 3, 4, 5]", false).as_deref(),
            Some("first difference at [1]: 2 → 9")
        );
        // The same as far as the cut side goes: nothing is known past it.
        assert_eq!(d("[1, 2, 3", true, "[1, 2, 7]", false), None);
        assert_eq!(
            FirstDifference {
                at: "[0]".into(),
                old: Some("a".repeat(30)),
                new: None
            }
            .describe(5),
            "first difference at [0]: aaaa… → nothing"
        );
    }
}
