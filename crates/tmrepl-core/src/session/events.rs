//! What flows in and out of the session: engine events, effects for the edges, notices,
//! the outcomes and summaries they carry, and the settings.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Notice {
            kind: NoticeKind::Info,
            text: text.into(),
        }
    }
    pub fn warning(text: impl Into<String>) -> Self {
        Notice {
            kind: NoticeKind::Warning,
            text: text.into(),
        }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Notice {
            kind: NoticeKind::Error,
            text: text.into(),
        }
    }
}

/// What the session asks the edges to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Work for the engine; it answers with events and, last, `Done` for the request.
    Engine(Request),
    /// A job ended: tell the user where `mode` says (desktop falls back to the terminal).
    Notify {
        mode: NotifyMode,
        summary: String,
        body: String,
    },
    Show(Notice),
    /// The answer to a front end's `Session::ask`, for that front end alone.
    Reply(Reply),
    /// `:export`: check the folder (`may_write`) and write the project's files.
    Export(Box<ExportPlan>),
    /// `:jobs`: show `Session::jobs_table` as of now.
    ShowJobs,
    /// A cell finished: front ends render it from `Session::timeline()`.
    CellFinished(u32),
    Quit,
    /// Lock (and for a new name, check or empty) the saved session, then
    /// `Request::OpenArchive` it.
    OpenArchive {
        name: String,
        opening: Opening,
    },
    /// Read the saved session's manifests and switch to it (`Session::switch_to`).
    LoadSession {
        name: String,
    },
    /// Read the manifests of another saved session, without its lock, and hand them to
    /// `Session::saved_read` with this.
    ReadSaved(SavedUse),
    /// A yes/no question for the user; the answer comes back as a command
    /// (`Command::ReplayEffects`), and until then the work it guards waits.
    Ask(String),
}

/// One write to the archive: a cell's manifest, and which values to read from its state.
#[derive(Debug, Clone, PartialEq)]
pub struct PersistPlan {
    pub manifest: crate::archive::Manifest,
    /// Values to serialize now.
    pub save: Vec<VarInfo>,
    /// Values unchanged since a saved cell wrote them: their objects are referred to again.
    pub reuse: Vec<crate::archive::SavedVar>,
    /// The snapshot to read `save` from; None: the active worker, which is in this state.
    pub from: Option<u32>,
}

/// A snapshot as the engine reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct TakenSnapshot {
    pub fork_micros: u64,
    pub degraded: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellOutcome {
    pub cell: u32,
    pub status: CellStatus,
    pub value: Option<String>,
    pub error_text: Option<String>,
    pub duration: Duration,
    /// Variables after the cell (after the restore, when it crashed).
    pub vars: Vec<VarInfo>,
    pub snapshot: Option<TakenSnapshot>,
    /// Set when the worker died and this snapshot became the state.
    pub restored_to: Option<u32>,
}

/// How a job ended: the supervisor reports it so (`runtime::protocol::JobReport`), the
/// session records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum JobOutcome {
    Finished,
    Panicked,
    Crashed(String),
    Killed,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersistSummary {
    pub saved: usize,
    pub not_saved: Vec<(String, String)>,
    pub bytes_written: u64,
    /// Values the save job found already in the store (a cell read them): not written.
    pub unchanged: usize,
    pub vars: Vec<crate::archive::SavedVar>,
    /// From the request to the manifest on disk.
    pub elapsed: Duration,
    /// Of which: compiling the save code (engine thread), and hashing, moving and
    /// fsyncing into the store (persister thread). The rest is the save job serializing.
    pub compile: Duration,
    pub store: Duration,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResumeSummary {
    pub items: usize,
    pub restored: Vec<String>,
    /// Values rebuilt by replaying the cells that made them.
    pub rebuilt: Vec<String>,
    /// Where the replayed cells' output went.
    pub replay_log: Option<String>,
    /// What could not be brought back, and why.
    pub failed: Vec<(String, String)>,
    /// Whether the rebuilt state is kept as the target cell's snapshot.
    pub snapshot: bool,
}

/// What the edges report back.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    Output {
        stream: Stream,
        text: String,
    },
    CellFinished(CellOutcome),
    Restored {
        cell: u32,
        elapsed: Duration,
        vars: Vec<VarInfo>,
    },
    RestoreFailed {
        cell: u32,
        error: String,
    },
    /// A thinned cell was rebuilt by replaying `replayed` from snapshot `base`.
    Rebuilt {
        cell: u32,
        base: u32,
        replayed: Vec<u32>,
        elapsed: Duration,
        vars: Vec<VarInfo>,
        /// Where the replayed cells' output went.
        log: Option<String>,
    },
    RebuildFailed {
        cell: u32,
        error: String,
    },
    SnapshotsThinned {
        cells: Vec<u32>,
    },
    /// Cell `cell` ran, but its snapshot could not be taken (sent before its
    /// `CellFinished`).
    SnapshotFailed {
        cell: u32,
        error: String,
    },
    SnapshotsDropped {
        cells: Vec<u32>,
        freed_bytes: u64,
    },
    Measured {
        snapshots: Vec<(u32, u64)>,
        worker_bytes: u64,
    },
    /// Memory could not be measured: sizes stay as they were (not zero).
    MeasureFailed {
        error: String,
    },
    CommandDone {
        result: Result<String, String>,
        /// The current variables, when the command could have changed them.
        vars: Option<Vec<VarInfo>>,
    },
    /// evcxr restarted its child: every snapshot is gone.
    RuntimeRestarted {
        reason: String,
    },
    JobStarted {
        cell: u32,
        /// When it started (the core reads no clock).
        at: std::time::Instant,
    },
    ArchiveOpened {
        name: String,
        /// The session's folder, or why it could not be opened.
        result: Result<String, String>,
    },
    Persisted {
        cell: u32,
        /// Only the cell's record (source, output; values to follow) was written.
        record: bool,
        result: Result<PersistSummary, String>,
    },
    Resumed {
        cell: u32,
        result: Result<ResumeSummary, String>,
        vars: Vec<VarInfo>,
    },
    /// The answer to `Request::Peek` or `PeekSaved` sent with `ask`: a preview per
    /// variable, or why there are none.
    Peeked {
        ask: AskId,
        cell: Option<u32>,
        result: Result<Vec<(String, ValuePreview)>, String>,
    },
    /// The answer to `Request::ShowLog` sent with `ask`.
    LogRead {
        ask: AskId,
        result: Result<String, String>,
    },
    /// The code cell `cell` runs, written by the engine (`:take NAME@N`), before its end.
    CellSource {
        cell: u32,
        source: String,
    },
    JobFinished {
        cell: u32,
        end: JobOutcome,
        duration: Duration,
        peak_bytes: u64,
        degraded: Option<String>,
    },
}

/// What opening a saved session's folder does with what it already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Continue it (`--session`, `--resume`, `:load`).
    Continue,
    /// `:save NEW`: refused when NEW already has saved cells, which are another session's.
    New,
    /// `:save! NEW`: NEW's saved cells are replaced.
    Replace,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Total private memory all snapshots may use.
    pub snapshot_budget: u64,
    pub notify: NotifyMode,
    /// Jobs shorter than this end without a notification.
    pub notify_after: Duration,
    /// Jobs running at once.
    pub job_limit: u32,
    /// Snapshots kept in memory (0: no limit): every one of the last `RECENT_SNAPSHOTS`
    /// cells, older ones ever sparser. A thinned cell is rebuilt by replay when reached.
    pub snapshot_count: u32,
    /// `:past N` first shows what it changes, with values (`--explain-past`).
    pub explain_past: bool,
    /// Resuming rebuilds values the archive could not store by replaying cells (off:
    /// `--no-replay`).
    pub replay: bool,
    /// Cells that act outside the session may be replayed (`--replay-effects`).
    pub replay_effects: bool,
    /// Without `--replay-effects`, ask once (y/N) before resuming whether cells that act
    /// outside the session may be replayed: the full-screen interface does; line mode
    /// never asks, so scripts are not stopped by a question.
    pub ask_replay_effects: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            snapshot_budget: 8 << 30,
            snapshot_count: 48,
            notify: NotifyMode::Desktop,
            notify_after: Duration::from_secs(5),
            job_limit: 4,
            explain_past: false,
            replay: true,
            replay_effects: false,
            ask_replay_effects: false,
        }
    }
}
