//! Questions with answers. A front end that needs an answer (the rewind preview's values,
//! a cell's variables, a job's log) asks with `Session::ask` and gets an `AskId`; the
//! answer comes back as an `Effect::Reply` carrying that id, whatever else happened
//! meanwhile. The engine's answers to the session's own requests (`Request::Peek`,
//! `Request::ShowLog`, …) are matched the same way: each request carries the `AskId` it
//! was sent under and the event answering it carries it back, so answers may come in any
//! order. A command typed as text has the transcript as its asker: its answer is a notice.

use super::*;

/// Names one question, unique for the life of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AskId(pub u64);

/// What a front end asks without typing a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// The rewind preview of `:past N`, with the values that would change.
    RewindPreview(u32),
    /// `:vars [N] [NAME]`: the table with previews, or one value whole.
    Values {
        at: Option<u32>,
        name: Option<String>,
    },
    /// `:log N`: a job's output so far.
    Log(u32),
    /// `:diff A [B]`: what differs between the states after cells A and B (None: now).
    Diff { from: u32, to: Option<u32> },
}

/// The answer to a `Question`: the text to show, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: AskId,
    pub question: Question,
    pub answer: Result<String, String>,
}

/// Who waits for an answer: a front end's question, or the transcript (a typed command).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Asker {
    Transcript,
    FrontEnd { id: AskId, question: Question },
}

impl Asker {
    /// The effect that gives `answer` to whoever asked.
    pub(super) fn answer(&self, answer: Result<String, String>) -> Effect {
        match self {
            Asker::Transcript => Effect::Show(match answer {
                Ok(text) => Notice::info(text),
                Err(error) => Notice::error(error),
            }),
            Asker::FrontEnd { id, question } => Effect::Reply(Reply {
                id: *id,
                question: question.clone(),
                answer,
            }),
        }
    }
}

/// A request in flight that the engine answers with data: what it is for, and for whom.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pending {
    pub purpose: PeekFor,
    pub asker: Asker,
}

impl Session {
    pub(super) fn new_ask_id(&mut self) -> AskId {
        self.next_ask += 1;
        AskId(self.next_ask)
    }

    /// A front end's question; its answer comes as `Effect::Reply` with the id returned,
    /// now among the effects or later, after the engine has read what it needs.
    pub fn ask(&mut self, question: Question) -> (AskId, Vec<Effect>) {
        let id = self.new_ask_id();
        let asker = Asker::FrontEnd {
            id,
            question: question.clone(),
        };
        if self.running.is_some() {
            return (
                id,
                vec![asker.answer(Err("a cell is still running".into()))],
            );
        }
        let effects = match question {
            Question::RewindPreview(cell) => match self.check_past(cell) {
                Ok(_) => self.peek_for_rewind(cell, asker),
                Err(e) => vec![asker.answer(Err(e))],
            },
            Question::Values { at, name } => self.vars_command(at, name, asker),
            Question::Log(cell) => self.show_log(cell, asker),
            Question::Diff { from, to } => self.diff_command(from, to, asker),
        };
        (id, effects)
    }

    /// Records what the engine's answer to a request sent under a new id is for.
    pub(super) fn expect_answer(&mut self, purpose: PeekFor, asker: Asker) -> AskId {
        let id = self.new_ask_id();
        self.peeks.insert(id, Pending { purpose, asker });
        id
    }

    /// `Request::Peek` of `names` as of snapshot `cell`, answered to `asker` as `purpose`.
    pub(super) fn peek(
        &mut self,
        purpose: PeekFor,
        asker: Asker,
        cell: Option<u32>,
        names: Vec<String>,
        full: bool,
    ) -> Effect {
        let ask = self.expect_answer(purpose, asker);
        Effect::Engine(Request::Peek {
            ask,
            cell,
            names,
            full,
        })
    }

    /// `:log N`, for a typed command or a front end's question.
    pub(super) fn show_log(&mut self, cell: u32, asker: Asker) -> Vec<Effect> {
        match self.job_cell(cell, ":log") {
            Ok(_) => {
                let ask = self.expect_answer(PeekFor::Log, asker);
                vec![Effect::Engine(Request::ShowLog { ask, cell })]
            }
            Err(e) => vec![asker.answer(Err(e))],
        }
    }

    /// The engine's previews for the request sent under `ask`; an answer nobody waits
    /// for any more is dropped.
    pub(super) fn previews_read(&mut self, ask: AskId, result: Previews) -> Vec<Effect> {
        match self.peeks.remove(&ask) {
            Some(Pending { purpose, asker }) => self.peeked(ask, purpose, asker, result),
            None => Vec::new(),
        }
    }

    /// The engine read the log asked for under `ask`.
    pub(super) fn log_read(&mut self, ask: AskId, result: Result<String, String>) -> Vec<Effect> {
        match self.peeks.remove(&ask) {
            Some(Pending { asker, .. }) => vec![asker.answer(result)],
            None => Vec::new(),
        }
    }
}
