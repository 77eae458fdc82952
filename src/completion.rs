//! Tab completion, the same in both front ends: command names on a `:` line and variable
//! names in its arguments; in code, rust-analyzer's answer through the engine (methods,
//! fields, paths, items, variables), as evcxr's own REPL completes. When the engine cannot
//! answer in time (still starting, or a cell is running) code falls back to the session's
//! variable names and common keywords, so Tab never does nothing for long.

use crate::engine::CodeCompleter;
use std::time::Duration;

/// How long a front end waits for rust-analyzer. A warm answer takes tens of milliseconds;
/// the first of a session loads the standard library's sources.
pub const ENGINE_WAIT: Duration = Duration::from_millis(2500);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The text that replaces the completed range.
    pub insert: String,
    /// What a menu shows for it.
    pub label: String,
}

/// Candidates that replace bytes `start..end` of the source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    pub start: usize,
    pub end: usize,
    pub candidates: Vec<Candidate>,
    /// rust-analyzer was asked and did not answer in time (it goes on working, so asking
    /// again soon is quick); the candidates are the fallback's.
    pub late: bool,
}

impl Completions {
    /// The longest text every candidate starts with.
    pub fn common_prefix(&self) -> String {
        let mut candidates = self.candidates.iter().map(|c| c.insert.as_str());
        let Some(first) = candidates.next() else {
            return String::new();
        };
        let mut prefix = first.to_owned();
        for other in candidates {
            let shared: usize = prefix
                .chars()
                .zip(other.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.len_utf8())
                .sum();
            prefix.truncate(shared);
        }
        prefix
    }
}

const KEYWORDS: &[&str] = &[
    "let", "mut", "fn", "struct", "enum", "impl", "trait", "println!", "format!", "vec!", "String",
    "Vec", "HashMap", "Option", "Some", "None", "Result", "Ok", "Err", "match", "loop", "while",
    "for", "return", "use",
];

/// Completions at byte `cursor` of `source`, the text being typed. `variables`: the
/// session's variable names; `engine`: None when code completion should not be asked (a
/// cell is running, so evcxr is busy).
pub fn complete(
    source: &str,
    cursor: usize,
    variables: &[String],
    engine: Option<&CodeCompleter>,
) -> Completions {
    complete_within(source, cursor, variables, engine, ENGINE_WAIT)
}

/// As `complete`, waiting at most `wait` for rust-analyzer.
pub fn complete_within(
    source: &str,
    cursor: usize,
    variables: &[String],
    engine: Option<&CodeCompleter>,
    wait: Duration,
) -> Completions {
    let cursor = clamp_to_boundary(source, cursor);
    let before = &source[..cursor];
    if is_command_line(source) {
        let line = before.trim_start();
        if !line.contains(char::is_whitespace) {
            return by_prefix(cursor, line, crate::commands::completions(line));
        }
        let word = word_before(before);
        return by_prefix(cursor, word, variables.to_vec());
    }
    let answer = engine.map(|engine| engine.complete(source, cursor, wait));
    from_answer(source, cursor, variables, answer)
}

/// Whether Tab on `source` completes a command (no rust-analyzer needed).
pub fn is_command_line(source: &str) -> bool {
    source.trim_start().starts_with(':')
}

/// What Tab offers in code once rust-analyzer answered (`Some(Some(..))`), did not answer
/// in time (`Some(None)`) or was not asked (`None`): its candidates, else the session's
/// variables and keywords that continue the word.
fn from_answer(
    source: &str,
    cursor: usize,
    variables: &[String],
    answer: Option<Option<Result<crate::engine::CodeCompletions, String>>>,
) -> Completions {
    let before = &source[..cursor];
    let mut late = false;
    match answer {
        Some(Some(Ok(found))) => {
            if let Some(found) = engine_candidates(source, cursor, found) {
                return found;
            }
        }
        Some(Some(Err(_))) | None => {}
        Some(None) => late = true,
    }
    let word = word_before(before);
    if word.is_empty() {
        return Completions {
            start: cursor,
            end: cursor,
            candidates: Vec::new(),
            late,
        };
    }
    let mut names = variables.to_vec();
    names.extend(KEYWORDS.iter().map(|k| k.to_string()));
    Completions {
        late,
        ..by_prefix(cursor, word, names)
    }
}

/// How long a full-screen Tab waits before it says "completions loading…" and lets the
/// answer come in the background.
pub const QUICK_WAIT: Duration = Duration::from_millis(250);

/// How long an answer left to come in the background may take (the first of a session
/// loads the standard library; a running cell is answered when it ends).
pub const BACKGROUND_WAIT: Duration = Duration::from_secs(30);

/// A code completion whose answer is still coming: rust-analyzer was slow, or a cell was
/// running. Its asker polls `ready`; nothing waits on it.
pub struct Pending {
    pub source: String,
    pub cursor: usize,
    variables: Vec<String>,
    answer: crossbeam_channel::Receiver<Option<Result<crate::engine::CodeCompletions, String>>>,
}

impl Pending {
    /// Asks rust-analyzer on a thread of its own, waiting up to `BACKGROUND_WAIT`.
    pub fn ask(
        engine: &CodeCompleter,
        source: &str,
        cursor: usize,
        variables: &[String],
    ) -> Pending {
        let cursor = clamp_to_boundary(source, cursor);
        let (reply, answer) = crossbeam_channel::bounded(1);
        let engine = engine.clone();
        let question = source.to_owned();
        // Without a thread the answer channel closes at once, and `ready` gives the fallback.
        let _ = std::thread::Builder::new()
            .name("tmrepl-completion".into())
            .spawn(move || {
                let _ = reply.send(engine.complete(&question, cursor, BACKGROUND_WAIT));
            });
        Pending {
            source: source.to_owned(),
            cursor,
            variables: variables.to_vec(),
            answer,
        }
    }

    /// The completions once the answer came (or could not come: then the fallback's), None
    /// while it is still coming.
    pub fn ready(&self) -> Option<Completions> {
        let answer = match self.answer.try_recv() {
            Ok(answer) => answer,
            Err(crossbeam_channel::TryRecvError::Empty) => return None,
            Err(crossbeam_channel::TryRecvError::Disconnected) => None,
        };
        Some(from_answer(
            &self.source,
            self.cursor,
            &self.variables,
            Some(answer),
        ))
    }
}

/// rust-analyzer's answer as candidates that continue the typed text; None when none do.
fn engine_candidates(
    source: &str,
    cursor: usize,
    found: crate::engine::CodeCompletions,
) -> Option<Completions> {
    // rust-analyzer offers every method of the receiver; keep those that continue
    // what is typed, as a shell does (its range may start before the cursor).
    let start = clamp_to_boundary(source, found.start.min(cursor));
    let typed = &source[start..cursor];
    let mut candidates: Vec<Candidate> = found
        .candidates
        .into_iter()
        .filter(|c| c.insert.starts_with(typed))
        .map(|c| Candidate {
            insert: c.insert,
            label: c.label,
        })
        .collect();
    candidates.sort_by(|a, b| a.insert.cmp(&b.insert));
    candidates.dedup_by(|a, b| a.insert == b.insert);
    (!candidates.is_empty()).then(|| Completions {
        start,
        end: found.end.max(cursor),
        candidates,
        late: false,
    })
}

fn clamp_to_boundary(source: &str, cursor: usize) -> usize {
    let mut cursor = cursor.min(source.len());
    while !source.is_char_boundary(cursor) {
        cursor -= 1;
    }
    cursor
}

/// The identifier (or `:`-command) characters just before the end of `before`.
fn word_before(before: &str) -> &str {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(before.len());
    &before[start..]
}

fn by_prefix(cursor: usize, word: &str, names: Vec<String>) -> Completions {
    let mut names: Vec<String> = names
        .into_iter()
        .filter(|name| name.starts_with(word) && name != word)
        .collect();
    names.sort();
    names.dedup();
    Completions {
        start: cursor - word.len(),
        end: cursor,
        late: false,
        candidates: names
            .into_iter()
            .map(|name| Candidate {
                label: name.clone(),
                insert: name,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inserts(c: &Completions) -> Vec<&str> {
        c.candidates.iter().map(|c| c.insert.as_str()).collect()
    }

    #[test]
    fn a_command_name_completes_from_the_command_table() {
        let found = complete(":pa", 3, &[], None);
        assert_eq!((found.start, found.end), (0, 3));
        assert_eq!(inserts(&found), [":past"]);
    }

    #[test]
    fn a_command_argument_completes_from_variable_names() {
        let vars = vec!["numbers".to_owned(), "name".to_owned(), "other".to_owned()];
        let found = complete(":vars 3 num", 11, &vars, None);
        assert_eq!((found.start, found.end), (8, 11));
        assert_eq!(inserts(&found), ["numbers"]);
    }

    #[test]
    fn without_the_engine_code_falls_back_to_variables_and_keywords() {
        let vars = vec!["values".to_owned()];
        let found = complete("let x = va", 10, &vars, None);
        assert_eq!(inserts(&found), ["values"]);
        assert_eq!(found.start, 8);
        let found = complete("whi", 3, &vars, None);
        assert_eq!(inserts(&found), ["while"]);
    }

    #[test]
    fn nothing_before_the_cursor_offers_nothing_without_the_engine() {
        let found = complete("let x = ", 8, &["a".to_owned()], None);
        assert!(found.candidates.is_empty());
    }

    #[test]
    fn a_cursor_inside_a_character_is_moved_back_to_its_start() {
        let found = complete("é", 1, &[], None);
        assert_eq!(found.end, 0);
    }

    #[test]
    fn the_common_prefix_is_shared_by_all_candidates() {
        let found = by_prefix(
            2,
            "so",
            vec!["sort".into(), "sort_unstable".into(), "sort_by".into()],
        );
        assert_eq!(found.common_prefix(), "sort");
        assert_eq!(Completions::default().common_prefix(), "");
    }
}
