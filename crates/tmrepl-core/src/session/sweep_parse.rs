//! Reading a sweep as typed: `&[NAME in VALUES] CODE`, `&[NAME: TYPE in VALUES] CODE`.

use super::*;
use crate::lexer::Kind;

/// The most jobs one sweep may start: each is compiled in the foreground.
pub(in crate::session) const MOST_JOBS: usize = 256;

/// A sweep as typed, read.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::session) struct SweepSpec {
    pub name: String,
    /// `&[n: T in …]`.
    pub type_name: Option<String>,
    /// Each value as Rust text.
    pub values: Vec<String>,
    /// What runs for each value: leading `:` and `!` lines, then Rust.
    pub code: String,
}

/// `body` (a cell without its `&`) as a sweep; None when it is an ordinary job (`&[1, 2]
/// .len()` is Rust: only `[NAME in` or `[NAME:` starts a sweep).
pub(in crate::session) fn parse_sweep(body: &str) -> Option<Result<SweepSpec, String>> {
    let body = body.trim_start();
    let inner = body.strip_prefix('[')?;
    let head = inner.trim_start();
    let name_len = head
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(head.len());
    let (name, after) = head.split_at(name_len);
    let after = after.trim_start();
    let starts = !name.is_empty()
        && (after.starts_with(':') && !after.starts_with("::")
            || after.starts_with("in ")
            || after.starts_with("in\t"));
    if !starts {
        return None;
    }
    Some(read_sweep(body, name))
}

fn read_sweep(body: &str, name: &str) -> Result<SweepSpec, String> {
    const USAGE: &str = "e.g. &[n in 1..=8] let r = fib(n);";
    if name.starts_with(|c: char| c.is_ascii_digit()) || matches!(name, "in" | "let" | "mut" | "fn")
    {
        return Err(format!("& [{name} in …]: `{name}` is not a variable name"));
    }
    let close = closing_bracket(body).ok_or_else(|| format!("& [ is not closed; {USAGE}"))?;
    let inside = &body[1..close];
    let code = body[close + 1..].trim_start().to_owned();
    let (binding, values) =
        split_in(inside).ok_or_else(|| format!("& [{name} …] needs `in`; {USAGE}"))?;
    let type_name = match binding.split_once(':') {
        Some((_, t)) if t.trim().is_empty() => {
            return Err(format!("& [{name}: …]: the type is missing"));
        }
        Some((_, t)) => Some(t.trim().to_owned()),
        None => None,
    };
    let values = sweep_values(values.trim())?;
    let text = input::split_cell(&code);
    if text.rust.trim().is_empty() {
        return Err(format!(
            "& [{name} in …] needs code to run for each value; {USAGE}"
        ));
    }
    Ok(SweepSpec {
        name: name.to_owned(),
        type_name,
        values,
        code,
    })
}

/// The byte offset of the `]` that closes `text`'s leading `[` (strings and comments
/// read as rustc reads them).
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0;
    for token in crate::lexer::tokens(text) {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return (token.text == "]").then_some(token.start);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the tokens `word` stand outside brackets, strings and comments in `text`.
fn top_level(text: &str, word: &str) -> Vec<usize> {
    let mut depth = 0;
    let mut at = Vec::new();
    for token in crate::lexer::tokens(text) {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            _ if depth == 0 && token.text == word => at.push(token.start),
            _ => {}
        }
    }
    at
}

/// `n in VALUES` (or `n: T in VALUES`) split at its first ` in ` outside brackets.
fn split_in(inside: &str) -> Option<(&str, &str)> {
    let at = *top_level(inside, "in").first()?;
    Some((&inside[..at], &inside[at + 2..]))
}

/// What kind of literal a value is: a sweep's values are all of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    Integer,
    Float,
    Str,
    Char,
    Bool,
}

/// The values of `a..b`, `a..=b` or a list of literals, as Rust text.
pub(in crate::session) fn sweep_values(spec: &str) -> Result<Vec<String>, String> {
    if spec.is_empty() {
        return Err("& [n in …]: no values".into());
    }
    let quoted = spec.contains(['"', '\'', ',', '[']);
    if !quoted && let Some((from, to)) = spec.split_once("..") {
        return range_values(spec, from.trim(), to);
    }
    let list = spec
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(spec);
    let mut values = Vec::new();
    let mut kind = None;
    for item in split_commas(list) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let this = literal_kind(item).ok_or_else(|| {
            format!("& [n in …]: `{item}` is not a literal (a number, string, char or bool)")
        })?;
        if kind.is_some_and(|k| k != this) {
            return Err(format!(
                "& [n in …]: `{item}` is not of the same kind as the values before it; a sweep's values are all numbers of one kind, strings, chars or bools"
            ));
        }
        kind = Some(this);
        values.push(item.to_owned());
    }
    if values.is_empty() {
        return Err("& [n in …]: no values".into());
    }
    if values.len() > MOST_JOBS {
        return Err(format!(
            "& [n in …]: {} values; a sweep runs at most {MOST_JOBS} jobs",
            values.len()
        ));
    }
    Ok(values)
}

fn range_values(spec: &str, from: &str, to: &str) -> Result<Vec<String>, String> {
    let (inclusive, to) = match to.strip_prefix('=') {
        Some(to) => (true, to.trim()),
        None => (false, to.trim()),
    };
    let (a, a_suffix) = integer(from)
        .ok_or_else(|| format!("& [n in {spec}]: a range runs between two integers, e.g. 1..=8"))?;
    let (b, b_suffix) = integer(to)
        .ok_or_else(|| format!("& [n in {spec}]: a range runs between two integers, e.g. 1..=8"))?;
    if !a_suffix.is_empty() && !b_suffix.is_empty() && a_suffix != b_suffix {
        return Err(format!(
            "& [n in {spec}]: the two ends have different types"
        ));
    }
    let suffix = if a_suffix.is_empty() {
        b_suffix
    } else {
        a_suffix
    };
    let end = if inclusive { b.checked_add(1) } else { Some(b) };
    let count = end.map(|end| end - a).unwrap_or(0);
    if count <= 0 {
        return Err(format!("& [n in {spec}]: the range is empty"));
    }
    if count > MOST_JOBS as i128 {
        return Err(format!(
            "& [n in {spec}]: {count} values; a sweep runs at most {MOST_JOBS} jobs"
        ));
    }
    Ok((a..a + count).map(|v| format!("{v}{suffix}")).collect())
}

/// An integer literal (decimal, `_` allowed, optionally negative) and its type suffix.
fn integer(text: &str) -> Option<(i128, &str)> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let split = digits
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(digits.len());
    let (number, suffix) = digits.split_at(split);
    const SUFFIXES: &[&str] = &[
        "", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    if number.is_empty() || !SUFFIXES.contains(&suffix) {
        return None;
    }
    let value: i128 = number.replace('_', "").parse().ok()?;
    Some((if negative { -value } else { value }, suffix))
}

/// `list` split at its commas outside strings and brackets.
fn split_commas(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for at in top_level(list, ",") {
        parts.push(&list[start..at]);
        start = at + 1;
    }
    parts.push(&list[start..]);
    parts
}

fn literal_kind(item: &str) -> Option<Literal> {
    let tokens: Vec<_> = crate::lexer::tokens(item)
        .into_iter()
        .filter(|t| t.kind != Kind::Whitespace)
        .collect();
    match tokens.as_slice() {
        [t] if t.kind == (Kind::Str { terminated: true }) => Some(Literal::Str),
        [t] if t.kind == Kind::Char => Some(Literal::Char),
        [t] if t.kind == Kind::Ident && matches!(t.text, "true" | "false") => Some(Literal::Bool),
        [t] | [_, t] if t.kind == Kind::Number && (tokens.len() == 1 || tokens[0].text == "-") => {
            let float = t.text.ends_with("f32")
                || t.text.ends_with("f64")
                || (!t.text.starts_with("0x") && t.text.contains(['.', 'e', 'E']));
            Some(if float {
                Literal::Float
            } else {
                Literal::Integer
            })
        }
        _ => None,
    }
}

/// The job of `spec` for `value`: its leading lines, `let NAME = VALUE;`, then its Rust.
pub(in crate::session) fn job_source(spec: &SweepSpec, value: &str) -> String {
    let text = input::split_cell(&spec.code);
    let leading = &spec.code[..spec.code.len() - text.rust.len()];
    let binding = match &spec.type_name {
        Some(t) => format!("let {}: {t} = {value};", spec.name),
        None => format!("let {} = {value};", spec.name),
    };
    format!("&{leading}{binding}\n{}", text.rust)
}
