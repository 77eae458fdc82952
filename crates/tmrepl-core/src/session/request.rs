//! The one vocabulary of work the engine does for the session. The session emits these
//! inside `Effect::Engine`; the app stamps each with a `RequestId` and the engine answers
//! every request with a done message after its events, so "busy" is derived from the
//! requests still open, never counted by hand.

use super::{AskId, PersistPlan};
use crate::commands::{self, Command, EvcxrCommand};
use crate::timeline::VarInfo;

/// Names one request from the app to the engine, unique for the life of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Compile and run a cell; in the background (`&`) it becomes a job.
    Eval {
        cell: u32,
        /// evcxr's commands and shell commands that lead the cell, run first, in order;
        /// the cell's number and snapshot cover them and its code together.
        prelude: Vec<Prelude>,
        code: String,
        snapshot: bool,
        background: bool,
    },
    KillJob {
        cell: u32,
    },
    /// A job's output so far, answered by `LogRead` with `ask`.
    ShowLog {
        ask: AskId,
        cell: u32,
    },
    /// Make snapshot `cell` the running state, then forget the `:dontsave` variables.
    Restore {
        cell: u32,
        forget: Vec<String>,
    },
    DropSnapshots {
        cells: Vec<u32>,
    },
    /// Drop these snapshots to keep their number bounded, keeping what rebuilding them
    /// needs (evcxr's state and dependencies of each).
    ThinSnapshots {
        cells: Vec<u32>,
    },
    /// Rebuild thinned cell `cell`: make snapshot `base` the running state, run `steps`
    /// again in order (their output into a log), snapshot the result as `cell`, then forget
    /// the `:dontsave` variables. On failure go back to `back_to`.
    Rebuild {
        cell: u32,
        base: u32,
        steps: Vec<RebuildStep>,
        back_to: u32,
        forget: Vec<String>,
    },
    /// Measure snapshot memory: of these cells, or of all when None.
    Measure(Option<Vec<u32>>),
    /// One of evcxr's own commands (`:dep`, `:opt`, …).
    Evcxr(EvcxrCommand),
    /// Write a cell to the archive (answered by `Persisted`, from the persister thread).
    Persist(Box<PersistPlan>),
    /// Rebuild a saved session: deps, items of every cell on the way, then the cells
    /// `replay` chose run again (None: `--no-replay`), then the stored values of the last.
    Resume {
        chain: Vec<crate::archive::Manifest>,
        replay: Option<Box<super::replay::ReplayPlan>>,
    },
    /// Copy these variables (as typed in the job's state) from a finished job's snapshot
    /// into the current state.
    Take {
        job: u32,
        vars: Vec<VarInfo>,
    },
    /// `:take NAME@N`: write the new cell `SavedTake::cell` (answered by `CellSource`, then
    /// `CellFinished`) from what the saved session holds, and run it.
    TakeSaved(Box<super::SavedTake>),
    /// Previews of a saved session's stored values, answered by `Peeked`.
    PeekSaved(Box<super::SavedPeek>),
    /// Previews of these variables' values as of snapshot `cell` (the running worker when
    /// None), read in a hidden job forked from it; answered by `Peeked`. `full`: each
    /// value whole (pretty, bounded), not one line.
    Peek {
        /// Sent back with the previews.
        ask: AskId,
        cell: Option<u32>,
        names: Vec<String>,
        full: bool,
    },
    /// Drop the saved values of these cells and delete objects nothing refers to.
    ForgetSaved {
        cells: Vec<u32>,
    },
    /// Persist cells to the saved session `name` (already locked by the app) from now on.
    OpenArchive {
        name: String,
    },
    /// How many jobs may run at once; later ones wait.
    SetJobLimit(u32),
    /// The data folder: where the helper crate is written (it becomes a dependency before
    /// any cell runs) and where saved sessions live.
    SetDataDir(std::path::PathBuf),
}

/// One cell run again to rebuild a thinned snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildStep {
    pub cell: u32,
    pub prelude: Vec<Prelude>,
    pub code: String,
}

/// A line of a cell that runs before its Rust code (see `input::split_cell`).
#[derive(Debug, Clone, PartialEq)]
pub enum Prelude {
    Evcxr(EvcxrCommand),
    /// `!command`: run by `sh -c`, its output shown as the cell's.
    Shell(String),
}

impl Request {
    /// Whether the front end waits for this request before taking the next input. Saving
    /// runs in the background and is tracked by the session itself; settings are quick.
    pub fn holds_the_prompt(&self) -> bool {
        !matches!(
            self,
            Request::Persist(_) | Request::SetJobLimit(_) | Request::SetDataDir(_)
        )
    }
}

/// The engine's reading of a cell's leading lines: evcxr's commands and shell commands run
/// with the cell; tmrepl's own commands act on the session, so they cannot be part of one.
fn prelude_of(leading: &[super::input::Leading]) -> Result<Vec<Prelude>, String> {
    leading
        .iter()
        .map(|line| match line {
            super::input::Leading::Shell(command) => Ok(Prelude::Shell((*command).to_owned())),
            super::input::Leading::Command(text) => match commands::parse(text) {
                Ok(Command::Evcxr(command)) => Ok(Prelude::Evcxr(command)),
                Ok(_) => Err(format!(
                    "{text}: tmrepl's own commands go alone in their cell; only evcxr's \
                     commands (:dep, :opt, …) can lead a cell of Rust code"
                )),
                Err(error) => Err(error.0),
            },
        })
        .collect()
}

/// A cell (without its `&`) as the engine runs it: its leading lines, then its code (the
/// whole text when nothing leads it).
pub fn cell_parts(body: &str) -> Result<(Vec<Prelude>, String), String> {
    let text = super::input::split_cell(body);
    let prelude = prelude_of(&text.leading)?;
    let code = if prelude.is_empty() {
        body.to_owned()
    } else {
        text.rust.to_owned()
    };
    Ok((prelude, code))
}
