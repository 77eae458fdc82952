//! The pure session core: every decision about cells, numbering, the time machine and
//! commands is made here. Events come in, effects go out; no IO.

mod ask;
mod bring;
mod compare;
pub mod debug_text;
mod diff;
mod dispatch;
mod events;
mod export;
mod gather;
mod handle;
pub mod input;
pub mod items;
pub mod provenance;
mod rebuild;
pub mod replay;
mod request;
mod saved;
mod saving;
mod sweep;
mod tables;
mod trace;

pub use ask::{AskId, Question, Reply};
use ask::{Asker, Pending};
pub use events::*;
pub use export::{Destination, EXPORT_MARK, ExportPlan, may_write};
pub use request::{Prelude, RebuildStep, Request, RequestId, cell_parts};
pub use saved::{SavedPeek, SavedSession, SavedTake, SavedUse};
pub use tables::{format_duration, human_bytes};

use crate::commands::{self, Command, NotifyMode};
use crate::timeline::{
    CellAccess, CellStatus, JobInfo, NotSaved, SnapshotState, Timeline, ValuePreview, VarInfo,
    choose_evictions,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

#[derive(Debug)]
pub struct Session {
    timeline: Timeline,
    /// The cell whose state the session is in now (0: the empty session).
    current: u32,
    running: Option<u32>,
    /// A snapshot after each cell (`:snapshots on|off`).
    snapshotting: bool,
    hooked: bool,
    dontsave: BTreeSet<String>,
    current_vars: Vec<VarInfo>,
    settings: Settings,
    worker_bytes: u64,
    timing: bool,
    /// The saved session cells are persisted to, once one is open.
    archive: Option<String>,
    /// Cells whose values still have to be written to the archive (newest go first).
    unsaved: BTreeSet<u32>,
    /// The cell whose values are being written.
    persisting: Option<u32>,
    /// `:save` or quitting: saving goes on until nothing is left.
    flushing: Option<Flush>,
    /// What to do once the archive being opened is open, or once saving is done.
    then: Option<Then>,
    /// What each request in flight that the engine answers with data is for, by the id
    /// it was sent under (answers may come in any order).
    peeks: BTreeMap<AskId, Pending>,
    /// The last `AskId` given out.
    next_ask: u64,
    /// A resume waiting for the user's answer on replaying cells with outside effects.
    pending_resume: Option<saving::PendingResume>,
    /// Why the last snapshot taken was degraded, if it was (its warning is said once).
    last_degraded: Option<String>,
    /// A snapshot could not be taken (said once a session): true until one is taken again
    /// (said once too); a system at its process limit may fail again and again.
    snapshots_failing: Option<bool>,
    /// Lone `:dep`s and `:take`s done on branches, for `:export`.
    asides: Vec<export::BranchAside>,
    /// The aside the engine is carrying out, counted once it says it worked.
    pending_aside: Option<export::Aside>,
    /// `&[n in …]` sweeps, oldest first.
    sweeps: Vec<sweep::Sweep>,
    /// `:sweep` tables waiting for their jobs' values (sweep index, one reading per job).
    sweep_reads: BTreeMap<u64, (usize, Vec<Option<Previews>>)>,
    next_sweep_read: u64,
}

/// Values previewed so far, by name, or why there are none.
type Previews = Result<Vec<(String, ValuePreview)>, String>;

#[derive(Debug, Clone, PartialEq)]
enum PeekFor {
    /// `:vars [N]`: the table with a preview column.
    Table { at: Option<u32> },
    /// `:vars [N] NAME`: one value whole.
    Whole { at: Option<u32>, name: String },
    /// The rewind preview of `:past cell`: the values now, given to the `RewindThen`
    /// waiting under `then`…
    RewindNow { then: AskId },
    /// …and the values as of `cell`; the preview is shown when both are in.
    RewindThen {
        cell: u32,
        now: Option<Previews>,
        then: Option<Previews>,
    },
    /// `:log N`: a job's output.
    Log,
    /// `:vars NAME@N [VAR]`: another saved session's variables.
    Saved(Box<saved::SavedTable>),
    /// One reading of several that `:diff` or `:trace` waits for under `of` (gather.rs).
    Part { of: AskId, index: usize },
    /// Readings being gathered, kept under an id of their own until all are in.
    Gathered(Box<gather::Gathering>),
    /// `:sweep`: job `at`'s reading of the table waiting in `sweep_reads` as `table`.
    SweepRow { table: u64, at: usize },
}

#[derive(Debug, Clone, Copy, Default)]
struct Flush {
    /// The front end waits (`:save`).
    foreground: bool,
    cells: usize,
    bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
enum Then {
    /// `:save NEW`: write every cell into the archive just opened.
    SaveAll,
    /// `:load NAME` once this session is saved.
    Load(String),
}

impl Session {
    pub fn new(settings: Settings) -> Self {
        Session {
            timeline: Timeline::default(),
            current: 0,
            running: None,
            snapshotting: true,
            hooked: true,
            dontsave: BTreeSet::new(),
            current_vars: Vec::new(),
            settings,
            worker_bytes: 0,
            timing: false,
            archive: None,
            unsaved: BTreeSet::new(),
            persisting: None,
            flushing: None,
            then: None,
            peeks: BTreeMap::new(),
            next_ask: 0,
            pending_resume: None,
            last_degraded: None,
            snapshots_failing: None,
            asides: Vec::new(),
            pending_aside: None,
            sweeps: Vec::new(),
            sweep_reads: BTreeMap::new(),
            next_sweep_read: 0,
        }
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    pub fn current(&self) -> u32 {
        self.current
    }

    pub fn running(&self) -> Option<u32> {
        self.running
    }

    pub fn next_cell(&self) -> u32 {
        self.timeline.next_number()
    }

    pub fn is_snapshotting(&self) -> bool {
        self.snapshotting && self.hooked
    }

    pub fn snapshot_bytes(&self) -> u64 {
        self.timeline
            .live_snapshots()
            .filter_map(|c| c.snapshot_bytes)
            .sum()
    }

    /// Whether front ends show each cell's wall time (`:timing`).
    pub fn timing(&self) -> bool {
        self.timing
    }

    pub fn budget(&self) -> u64 {
        self.settings.snapshot_budget
    }

    /// The user submitted `input` (a cell or a `:` command).
    pub fn submit(&mut self, input: &str) -> Vec<Effect> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        if self.running.is_some() {
            return vec![Effect::Show(Notice::error("a cell is still running"))];
        }
        let (body, background) = match trimmed.strip_prefix('&') {
            Some(rest) if !rest.trim().is_empty() => (rest.trim_start(), true),
            Some(_) => {
                return vec![Effect::Show(Notice::error(
                    "& needs code to run in the background",
                ))];
            }
            None => (input, false),
        };
        if background && let Some(spec) = sweep::parse_sweep(body) {
            return match spec {
                Ok(spec) => self.start_sweep(input, spec),
                Err(error) => vec![Effect::Show(Notice::error(error))],
            };
        }
        if let Some(line) = input::lone_command(input) {
            return match commands::parse(line) {
                Ok(command) => self.command(command),
                Err(error) => vec![Effect::Show(Notice::error(error.0))],
            };
        }
        let (prelude, code) = match cell_parts(body) {
            Ok(parts) => parts,
            Err(error) => return vec![Effect::Show(Notice::error(error))],
        };
        let cell = self
            .timeline
            .push(input.trim_end().to_owned(), self.current);
        if background && let Some(c) = self.timeline.get_mut(cell) {
            c.job = Some(JobInfo {
                started: None,
                peak_bytes: None,
                failure: None,
            });
        }
        self.running = Some(cell);
        vec![Effect::Engine(Request::Eval {
            cell,
            prelude,
            code,
            // A finished job is always kept: its results are reached through its snapshot.
            snapshot: self.is_snapshotting() || background,
            background,
        })]
    }

    /// A command a front end built without text (a key in the interface), refused like
    /// a typed one while a cell runs.
    pub fn submit_command(&mut self, command: Command) -> Vec<Effect> {
        // The resume that asked is what "runs" until it is answered.
        if self.running.is_some() && !matches!(command, Command::ReplayEffects(_)) {
            return vec![Effect::Show(Notice::error("a cell is still running"))];
        }
        self.command(command)
    }

    /// Jobs that are still queued or running.
    pub fn active_jobs(&self) -> Vec<u32> {
        self.timeline
            .jobs()
            .filter(|c| matches!(c.status, CellStatus::Running | CellStatus::Queued))
            .map(|c| c.number)
            .collect()
    }

    /// Validates `:past N`; Ok carries an optional warning.
    fn check_past(&self, cell: u32) -> Result<Option<String>, String> {
        self.snapshot_of(cell)
            .map_err(|why| format!(":past {cell}: {why}"))
    }

    /// Whether cell `cell`'s snapshot can be used (Ok carries an optional warning), or why
    /// not.
    fn snapshot_of(&self, cell: u32) -> Result<Option<String>, String> {
        let Some(target) = self.timeline.get(cell) else {
            let last = self.timeline.len();
            return Err(if last == 0 {
                "there are no cells yet".to_owned()
            } else {
                format!("no such cell (cells are 1 to {last})")
            });
        };
        match &target.snapshot {
            SnapshotState::Live { degraded } => Ok(degraded
                .as_ref()
                .map(|why| format!("snapshot {cell} is degraded: {why}"))),
            SnapshotState::Thinned => Err(format!(
                "its snapshot was thinned out to keep the number of snapshots bounded; \
                 :past {cell} rebuilds it by replaying cells"
            )),
            SnapshotState::Evicted => {
                Err("its snapshot was evicted to stay within the memory budget".to_owned())
            }
            SnapshotState::Cleared => Err("its snapshot was cleared".to_owned()),
            SnapshotState::Lost => {
                Err("its snapshot was lost when the runtime restarted".to_owned())
            }
            SnapshotState::None => Err(match &target.status {
                CellStatus::Running | CellStatus::Queued if target.job.is_some() => {
                    format!("job {cell} has not finished yet")
                }
                CellStatus::Running | CellStatus::Queued => "the cell is still running".into(),
                CellStatus::Killed => "the job was killed, so it has no state".into(),
                CellStatus::CompileError => "the cell failed to compile, so it has no state".into(),
                CellStatus::Crashed(_) | CellStatus::Interrupted => {
                    "the cell did not finish, so it has no state".into()
                }
                CellStatus::Error(_) => "the cell failed, so it has no state".into(),
                CellStatus::Ok | CellStatus::Panic => {
                    "no snapshot was taken (snapshots were off or unhooked)".into()
                }
            }),
        }
    }

    fn enforce_budget(&mut self) -> Vec<Effect> {
        let sizes: BTreeMap<u32, u64> = self
            .timeline
            .live_snapshots()
            .map(|c| (c.number, c.snapshot_bytes.unwrap_or(0)))
            .collect();
        let victims = choose_evictions(&sizes, self.current, self.settings.snapshot_budget);
        if victims.is_empty() {
            return Vec::new();
        }
        for n in &victims {
            if let Some(c) = self.timeline.get_mut(*n) {
                c.snapshot = SnapshotState::Evicted;
            }
        }
        let list: Vec<String> = victims.iter().map(u32::to_string).collect();
        vec![
            Effect::Show(Notice::info(format!(
                "snapshot memory over budget ({}): evicted cell{} {}",
                human_bytes(self.settings.snapshot_budget),
                if victims.len() == 1 { "" } else { "s" },
                list.join(", ")
            ))),
            Effect::Engine(Request::DropSnapshots { cells: victims }),
        ]
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod history_tests;
