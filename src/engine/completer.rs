//! Code completion from rust-analyzer, asked of the engine thread between requests.
//!
//! evcxr's `EvalContext` lives on the engine thread and is not shared, so a front end asks
//! through a channel and waits a bounded time. Completion is a read-only question: it does
//! not go through the session (nothing in the time machine depends on it) and never holds
//! the prompt. A question that waited past its deadline (a cell was running) is dropped
//! unanswered instead of costing rust-analyzer time after the cell.

use crossbeam_channel::{Receiver, Sender};
use std::time::{Duration, Instant};

/// One completion rust-analyzer offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCandidate {
    /// What replaces the completed range (`sort_unstable()`, `len()`, `HashMap`).
    pub insert: String,
    /// What a menu shows (`sort_unstable()`, `len()`, or with a signature).
    pub label: String,
    /// Jupyter's kind names: `function`, `class`, `module`, `keyword`, …
    pub kind: &'static str,
}

/// rust-analyzer's answer: candidates that replace bytes `start..end` of the source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeCompletions {
    pub start: usize,
    pub end: usize,
    pub candidates: Vec<CodeCandidate>,
}

/// A question for rust-analyzer, answered on its own `reply` channel: the answer goes to
/// whoever asked, whatever the engine answers meanwhile.
pub struct CompletionQuery {
    pub source: String,
    pub cursor: usize,
    pub deadline: Instant,
    pub reply: Sender<Result<CodeCompletions, String>>,
}

/// Asks the engine for completions; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct CodeCompleter {
    queries: Sender<CompletionQuery>,
}

impl CodeCompleter {
    pub(super) fn new() -> (CodeCompleter, Receiver<CompletionQuery>) {
        let (queries, receiver) = crossbeam_channel::unbounded();
        (CodeCompleter { queries }, receiver)
    }

    /// rust-analyzer's completions at byte `cursor` of `source` (the cell being typed), or
    /// None when the engine cannot answer within `wait` (still starting, or running a cell).
    pub fn complete(
        &self,
        source: &str,
        cursor: usize,
        wait: Duration,
    ) -> Option<Result<CodeCompletions, String>> {
        if cursor > source.len() || !source.is_char_boundary(cursor) {
            return Some(Err(format!("cursor {cursor} is not a character boundary")));
        }
        let (reply, answer) = crossbeam_channel::bounded(1);
        let query = CompletionQuery {
            source: source.to_owned(),
            cursor,
            deadline: Instant::now() + wait,
            reply,
        };
        self.queries.send(query).ok()?;
        answer.recv_timeout(wait).ok()
    }
}

/// Answers one question with evcxr's rust-analyzer, unless its asker gave up waiting.
pub(super) fn answer(ctx: &mut evcxr::EvalContext, query: CompletionQuery) {
    if Instant::now() > query.deadline {
        return;
    }
    let result = ctx
        .completions_for_code(&query.source, query.cursor)
        .map(|found| CodeCompletions {
            start: found.start_offset,
            end: found.end_offset,
            candidates: found
                .completions
                .into_iter()
                .map(|c| CodeCandidate {
                    insert: c.code,
                    label: c.label,
                    kind: c.kind,
                })
                .collect(),
        })
        .map_err(|e| format!("{e:#}"));
    let _ = query.reply.send(result);
}
