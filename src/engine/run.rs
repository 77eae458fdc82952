//! The one way code runs in the worker, whoever runs it: a cell, a job's launch, a
//! replayed cell (resume, rebuilding a thinned snapshot), a hidden job, a `:take`'s loads,
//! the helper's first build. What differs between them is what is compiled (`Code`),
//! whether a snapshot is taken, and what the caller makes of the result.

use super::Engine;
use crate::runtime::protocol::{CellDoneReport, HostRequest, SupervisorMessage};
use crate::session::Prelude;
use anyhow::Result;
use evcxr::{ContextState, EvalOutputs};
use std::time::{Duration, Instant};

/// What evcxr is asked to compile and run.
pub(super) enum Code<'a> {
    /// A cell: its leading commands applied to the state its code compiles with.
    Cell {
        prelude: &'a [Prelude],
        code: &'a str,
    },
    /// Code of tmrepl's own (replayed statements, loads of stored values).
    Plain(&'a str),
    /// Code compiled with a state of the caller's making (a hidden job's, new dependencies).
    WithState(&'a str, Box<ContextState>),
}

/// How running it went.
pub(super) struct Ran {
    pub result: Result<EvalOutputs, evcxr::Error>,
    /// Compiling and running.
    pub took: Duration,
    /// What the supervisor said when the cell ended; None when the runtime itself stopped
    /// (evcxr's `SubprocessTerminated`), which is the caller's to handle.
    pub done: Option<Result<SupervisorMessage>>,
}

impl Ran {
    /// The supervisor's report of the cell's end, when it gave one.
    pub fn report(&self) -> Option<&CellDoneReport> {
        match &self.done {
            Some(Ok(SupervisorMessage::CellDone(report))) => Some(report),
            _ => None,
        }
    }
}

impl Engine {
    /// Runs `code`: stale stderr marks dropped, evcxr compiles and runs it (the objects it
    /// names made paths of this store), the supervisor is told the cell is done and takes
    /// snapshot `snapshot` if the code succeeded, and what the code printed is forwarded
    /// before this returns.
    pub(super) fn run(&mut self, code: Code<'_>, snapshot: Option<u32>) -> Ran {
        while self.stderr_marks.try_recv().is_ok() {}
        self.evaluated = true;
        let started = Instant::now();
        let result = match code {
            Code::Cell { prelude, code } => self.eval_cell(prelude, code),
            Code::Plain(code) => {
                let code = self.with_objects(code);
                self.ctx.eval(&code)
            }
            Code::WithState(code, state) => self.ctx.eval_with_state(code, *state),
        };
        let took = started.elapsed();
        if matches!(result, Err(evcxr::Error::SubprocessTerminated(_))) {
            return Ran {
                result,
                took,
                done: None,
            };
        }
        let done = self.link.request(&HostRequest::CellDone {
            snapshot: snapshot.filter(|_| result.is_ok()),
        });
        self.sync_output(matches!(&done, Ok(SupervisorMessage::CellDone(r)) if r.ran));
        Ran {
            result,
            took,
            done: Some(done),
        }
    }
}
