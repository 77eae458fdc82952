//! The contents of the kernel's answers that need no engine: kernel_info, is_complete,
//! complete, inspect, history. Pure: they read the `Session`, never change it.

use super::request::{History, HistoryAccess};
use crate::session::Session;
use crate::session::input::{Completeness, completeness};
use serde_json::{Value, json};

pub fn kernel_info(rustc_version: &str) -> Value {
    json!({
        "status": "ok",
        "protocol_version": super::wire::PROTOCOL_VERSION,
        "implementation": "tmrepl",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "rust",
            "version": rustc_version,
            "mimetype": "text/rust",
            "file_extension": ".rs",
            "pygments_lexer": "rust",
            "codemirror_mode": "rust",
        },
        "banner": format!(
            "tmrepl {}: Rust with a time machine. :help lists commands; :past N goes back.",
            env!("CARGO_PKG_VERSION")
        ),
        "help_links": [],
    })
}

/// The version from `rustc --version` output (`rustc 1.91.0 (f8297e351 2025-10-28)`).
pub fn rustc_version(output: &str) -> String {
    output.split_whitespace().nth(1).unwrap_or("").to_owned()
}

pub fn is_complete(code: &str) -> Value {
    match completeness(code) {
        Completeness::Complete => json!({"status": "complete"}),
        Completeness::Incomplete => json!({"status": "incomplete", "indent": "    "}),
    }
}

/// Jupyter counts `cursor_pos` in Unicode code points; this is the byte offset.
fn byte_offset(code: &str, cursor_pos: usize) -> usize {
    code.char_indices()
        .nth(cursor_pos)
        .map_or(code.len(), |(at, _)| at)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// complete_reply content: what Tab offers in the terminal (`crate::completion`): command
/// names, variables, and rust-analyzer's methods, fields and paths when `engine` is given.
/// Jupyter counts the cursor in characters, not bytes.
pub fn complete(
    session: &Session,
    code: &str,
    cursor_pos: usize,
    engine: Option<&crate::engine::CodeCompleter>,
) -> Value {
    let end = byte_offset(code, cursor_pos);
    let variables: Vec<String> = session
        .current_vars()
        .iter()
        .map(|var| var.name.clone())
        .collect();
    let found = crate::completion::complete(code, end, &variables, engine);
    let matches: Vec<&str> = found.candidates.iter().map(|c| c.insert.as_str()).collect();
    let chars = |bytes: usize| code[..bytes.min(code.len())].chars().count();
    json!({
        "status": "ok",
        "matches": matches,
        "cursor_start": chars(found.start),
        "cursor_end": chars(found.end.max(end)),
        "metadata": {},
    })
}

/// inspect_reply content: the type of the variable under the cursor.
pub fn inspect(session: &Session, code: &str, cursor_pos: usize) -> Value {
    let at = byte_offset(code, cursor_pos);
    let start = code[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = code[at..]
        .char_indices()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(code.len(), |(i, _)| at + i);
    let name = &code[start..end];
    match session.current_vars().iter().find(|var| var.name == name) {
        Some(var) => json!({
            "status": "ok",
            "found": true,
            "data": {"text/plain": format!("{}: {}", var.name, var.type_name)},
            "metadata": {},
        }),
        None => json!({"status": "ok", "found": false, "data": {}, "metadata": {}}),
    }
}

/// history_reply content for `tail`, `range` and `search` (with `n` and `unique`).
/// Session number 0 is "this session" in Jupyter's terms; line numbers are cell numbers.
pub fn history(session: &Session, request: &History) -> Value {
    let with_output = request.output;
    let last_n = |chosen: &mut Vec<&crate::timeline::Cell>| {
        if let Some(n) = request.n {
            let keep = chosen.len().saturating_sub(n as usize);
            chosen.drain(..keep);
        }
    };
    let mut chosen: Vec<&crate::timeline::Cell> = session.timeline().cells().iter().collect();
    match request.access() {
        Some(HistoryAccess::Tail) => last_n(&mut chosen),
        Some(HistoryAccess::Range) => {
            let start = request.start.unwrap_or(0);
            let stop = request.stop.unwrap_or(u64::MAX);
            chosen.retain(|cell| (start..stop).contains(&u64::from(cell.number)));
        }
        Some(HistoryAccess::Search) => {
            let pattern = request.pattern.as_deref().unwrap_or("*");
            chosen.retain(|cell| glob_matches(pattern, &cell.source));
            if request.unique {
                let mut seen = std::collections::HashSet::new();
                // The latest of each source is kept, as IPython does.
                let mut unique: Vec<_> = chosen
                    .into_iter()
                    .rev()
                    .filter(|cell| seen.insert(cell.source.as_str()))
                    .collect();
                unique.reverse();
                chosen = unique;
            }
            last_n(&mut chosen);
        }
        None => {}
    }
    let history: Vec<Value> = chosen
        .into_iter()
        .map(|cell| {
            if with_output {
                json!([
                    0,
                    cell.number,
                    [cell.source, cell.value.clone().unwrap_or_default()]
                ])
            } else {
                json!([0, cell.number, cell.source])
            }
        })
        .collect();
    json!({"status": "ok", "history": history})
}

/// A glob with `*` (any run) and `?` (any one character) matched against all of `text`.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // matched[j]: the pattern so far matches text[..j].
    let mut matched = vec![false; text.len() + 1];
    matched[0] = true;
    for p in pattern {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match p {
                '*' => matched[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matched[j - 1],
                c => j > 0 && matched[j - 1] && text[j - 1] == c,
            };
        }
        matched = next;
    }
    matched[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{CellOutcome, EngineEvent, Settings};
    use crate::timeline::{CellStatus, VarInfo};
    use std::time::Duration;

    fn session_with(vars: &[(&str, &str)]) -> Session {
        let mut session = Session::new(Settings::default());
        session.submit("let answer = 42;");
        session.handle(EngineEvent::CellFinished(CellOutcome {
            cell: 1,
            status: CellStatus::Ok,
            value: Some("42".into()),
            error_text: None,
            duration: Duration::from_millis(5),
            vars: vars
                .iter()
                .map(|(name, type_name)| VarInfo {
                    name: (*name).into(),
                    type_name: (*type_name).into(),
                })
                .collect(),
            snapshot: None,
            restored_to: None,
        }));
        session
    }

    #[test]
    fn names_complete_from_the_current_variables() {
        let session = session_with(&[("answer", "i32"), ("another", "String"), ("b", "u8")]);
        let reply = complete(&session, "println!(\"{}\", an", 17, None);
        assert_eq!(reply["matches"], json!(["another", "answer"]));
        assert_eq!(reply["cursor_start"], 15);
        assert_eq!(reply["cursor_end"], 17);
    }

    #[test]
    fn commands_complete_at_the_start_of_a_line() {
        let session = session_with(&[]);
        let reply = complete(&session, ":pa", 3, None);
        assert!(
            reply["matches"]
                .as_array()
                .unwrap()
                .contains(&json!(":past")),
            "{reply}"
        );
        assert_eq!(reply["cursor_start"], 0);
    }

    #[test]
    fn inspect_tells_the_type_under_the_cursor() {
        let session = session_with(&[("answer", "i32")]);
        let reply = inspect(&session, "answer + 1", 2);
        assert_eq!(reply["found"], true);
        assert_eq!(reply["data"]["text/plain"], "answer: i32");
        assert_eq!(inspect(&session, "nothing", 2)["found"], false);
    }

    #[test]
    fn names_come_from_the_current_state_not_the_last_cell() {
        // `:take` copies a job's variable into the foreground without a new cell.
        let mut session = session_with(&[("answer", "i32")]);
        session.handle(EngineEvent::CommandDone {
            result: Ok(String::new()),
            vars: Some(vec![
                VarInfo {
                    name: "answer".into(),
                    type_name: "i32".into(),
                },
                VarInfo {
                    name: "taken".into(),
                    type_name: "Vec<u8>".into(),
                },
            ]),
        });
        assert_eq!(inspect(&session, "taken", 0)["found"], true);
        assert_eq!(
            complete(&session, "ta", 2, None)["matches"],
            json!(["taken"])
        );
    }

    #[test]
    fn completeness_uses_the_input_lexer() {
        assert_eq!(is_complete("fn f() {")["status"], "incomplete");
        assert_eq!(is_complete("let x = 1;")["status"], "complete");
    }

    fn history(session: &Session, request: &Value) -> Value {
        let Ok(super::super::request::KernelRequest::History(request)) =
            super::super::request::KernelRequest::parse("history_request", request)
        else {
            panic!("not a history request: {request}");
        };
        super::history(session, &request)
    }

    #[test]
    fn history_lists_the_cells() {
        let session = session_with(&[]);
        let reply = history(&session, &json!({"hist_access_type": "tail", "n": 5}));
        assert_eq!(reply["history"], json!([[0, 1, "let answer = 42;"]]));
        let reply = history(&session, &json!({"output": true}));
        assert_eq!(reply["history"][0][2], json!(["let answer = 42;", "42"]));
        let reply = history(&session, &json!({"hist_access_type": "range", "start": 2}));
        assert_eq!(reply["history"], json!([]));
        let reply = history(
            &session,
            &json!({"hist_access_type": "search", "pattern": "*answer*"}),
        );
        assert_eq!(reply["history"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn globs_match_the_whole_text() {
        assert!(glob_matches("*answer*", "let answer = 42;"));
        assert!(glob_matches("6 ? 7", "6 * 7"));
        assert!(!glob_matches("answer", "let answer = 42;"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn the_rustc_version_is_its_second_word() {
        assert_eq!(
            rustc_version("rustc 1.91.0 (f8297e351 2025-10-28)\n"),
            "1.91.0"
        );
        assert_eq!(
            kernel_info("1.91.0")["language_info"]["file_extension"],
            ".rs"
        );
    }
}
