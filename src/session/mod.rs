//! The pure session core: every decision about cells, numbering, the time machine and
//! commands is made here. Events come in, effects go out; no IO.

pub mod input;
pub mod items;
mod request;

pub use request::{Request, RequestId};

use crate::commands::{self, Command, NotifyMode};
use crate::timeline::{CellStatus, JobInfo, SnapshotState, Timeline, VarInfo, choose_evictions};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

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

/// Why a value is not in the archive yet: its cell's values are written in idle time.
pub const NOT_SAVED_YET: &str = "not saved yet";
/// Why a value never reached the archive: its cell's snapshot was evicted or cleared first.
pub const SNAPSHOT_GONE: &str = "its snapshot was gone before it could be saved";
const DONTSAVE: &str = ":dontsave";

/// Why a saved value is gone from the archive.
pub const CLEARED: &str = "cleared by :clear_past";

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

#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            snapshot_budget: 8 << 30,
            notify: NotifyMode::Desktop,
            notify_after: Duration::from_secs(5),
            job_limit: 4,
        }
    }
}

#[derive(Debug)]
pub struct Session {
    timeline: Timeline,
    /// The cell whose state the session is in now (0: the empty session).
    current: u32,
    running: Option<u32>,
    saving: bool,
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
            saving: true,
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

    pub fn is_saving(&self) -> bool {
        self.saving && self.hooked
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
        if trimmed.starts_with(':') {
            return match commands::parse(trimmed) {
                Ok(command) => self.command(command),
                Err(error) => vec![Effect::Show(Notice::error(error.0))],
            };
        }
        let (code, background) = match trimmed.strip_prefix('&') {
            Some(rest) if !rest.trim().is_empty() => (rest.trim_start().to_owned(), true),
            Some(_) => {
                return vec![Effect::Show(Notice::error(
                    "& needs code to run in the background",
                ))];
            }
            None => (input.to_owned(), false),
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
            code,
            // A finished job is always kept: its results are reached through its snapshot.
            snapshot: self.is_saving() || background,
            background,
        })]
    }

    /// A command a front end built without text (a key in the interface), refused like
    /// a typed one while a cell runs.
    pub fn submit_command(&mut self, command: Command) -> Vec<Effect> {
        if self.running.is_some() {
            return vec![Effect::Show(Notice::error("a cell is still running"))];
        }
        self.command(command)
    }

    fn command(&mut self, command: Command) -> Vec<Effect> {
        let show = |n: Notice| vec![Effect::Show(n)];
        match command {
            Command::Help => show(Notice::info(commands::help_text())),
            Command::Cells => show(Notice::info(self.cells_table())),
            Command::Vars(at) => match self.vars_table(at) {
                Ok(text) => show(Notice::info(text)),
                Err(e) => show(Notice::error(e)),
            },
            Command::Past(cell) => match self.check_past(cell) {
                Ok(warning) => {
                    let mut effects = Vec::new();
                    if let Some(w) = warning {
                        effects.push(Effect::Show(Notice::warning(w)));
                    }
                    let forget = self.dontsave.iter().cloned().collect();
                    effects.push(Effect::Engine(Request::Restore { cell, forget }));
                    effects
                }
                Err(e) => show(Notice::error(e)),
            },
            Command::Saving(on) => {
                if !self.hooked && on {
                    return show(Notice::error(
                        "the time machine is unhooked for this session; restart tmrepl to use it",
                    ));
                }
                self.saving = on;
                show(Notice::info(if on {
                    "saving on: a snapshot after every cell"
                } else {
                    "saving off: no snapshots until :saving on"
                }))
            }
            Command::DontSave(name) => {
                let text = format!("{name} will not be brought back by :past");
                self.dontsave.insert(name);
                show(Notice::info(text))
            }
            Command::ClearPast(range) => {
                let cells: Vec<u32> = self
                    .timeline
                    .live_snapshots()
                    .map(|c| c.number)
                    .filter(|n| *n != self.current)
                    .filter(|n| range.is_none_or(|(a, b)| (a..=b).contains(n)))
                    .collect();
                // Saved values of those cells go too (their sources and items stay).
                let saved: Vec<u32> = self
                    .timeline
                    .cells()
                    .iter()
                    .filter(|c| c.number != self.current && c.persisted.is_some())
                    .map(|c| c.number)
                    .filter(|n| range.is_none_or(|(a, b)| (a..=b).contains(n)))
                    .collect();
                if cells.is_empty() && saved.is_empty() {
                    return show(Notice::info("no snapshots to clear"));
                }
                for n in &cells {
                    if let Some(c) = self.timeline.get_mut(*n) {
                        c.snapshot = SnapshotState::Cleared;
                    }
                }
                for n in &saved {
                    if let Some(vars) = self.timeline.get_mut(*n).and_then(|c| c.persisted.as_mut())
                    {
                        for var in vars.iter_mut().filter(|v| v.object.is_some()) {
                            var.object = None;
                            var.not_saved = Some(CLEARED.into());
                        }
                    }
                }
                let mut effects = Vec::new();
                if !cells.is_empty() {
                    effects.push(Effect::Engine(Request::DropSnapshots { cells }));
                }
                if !saved.is_empty() && self.archive.is_some() {
                    effects.push(Effect::Engine(Request::ForgetSaved { cells: saved }));
                }
                effects
            }
            Command::Unhook => {
                self.hooked = false;
                let cells: Vec<u32> = self.timeline.live_snapshots().map(|c| c.number).collect();
                for n in &cells {
                    if let Some(c) = self.timeline.get_mut(*n) {
                        c.snapshot = SnapshotState::Cleared;
                    }
                }
                let mut effects = vec![Effect::Show(Notice::info(
                    "time machine off: no more snapshots; a crash now loses the session's variables",
                ))];
                if !cells.is_empty() {
                    effects.push(Effect::Engine(Request::DropSnapshots { cells }));
                }
                effects
            }
            Command::Memory => vec![
                Effect::Engine(Request::Measure(None)),
                Effect::Show(Notice::info(self.memory_table())),
            ],
            Command::Timing => {
                self.timing = !self.timing;
                show(Notice::info(format!(
                    "timing {}",
                    if self.timing { "on" } else { "off" }
                )))
            }
            Command::Clear => vec![Effect::Engine(Request::Restore {
                cell: 0,
                forget: Vec::new(),
            })],
            // The table shows how long jobs have run: the edge knows the time.
            Command::Jobs => vec![Effect::ShowJobs],
            Command::Kill(cell) => match self.job_cell(cell, ":kill") {
                Ok(c) if matches!(c.status, CellStatus::Running | CellStatus::Queued) => {
                    vec![Effect::Engine(Request::KillJob { cell })]
                }
                Ok(c) => show(Notice::error(format!(
                    ":kill {cell}: job {cell} has already ended ({})",
                    c.status.label()
                ))),
                Err(e) => show(Notice::error(e)),
            },
            Command::Log(cell) => match self.job_cell(cell, ":log") {
                Ok(_) => vec![Effect::Engine(Request::ShowLog { cell })],
                Err(e) => show(Notice::error(e)),
            },
            Command::Take { job, names } => match self.job_cell(job, ":take") {
                Ok(c) if c.status.has_state() => {
                    let missing: Vec<&String> = names
                        .iter()
                        .filter(|n| !c.vars.iter().any(|v| &v.name == *n))
                        .collect();
                    if let Some(name) = missing.first() {
                        show(Notice::error(format!(
                            ":take {job}: job {job} has no variable {name}"
                        )))
                    } else if !c.snapshot.is_live() {
                        show(Notice::error(format!(
                            ":take {job}: the snapshot of job {job} was evicted"
                        )))
                    } else {
                        let vars = c
                            .vars
                            .iter()
                            .filter(|v| names.contains(&v.name))
                            .cloned()
                            .collect();
                        vec![Effect::Engine(Request::Take { job, vars })]
                    }
                }
                Ok(c) => show(Notice::error(format!(
                    ":take {job}: job {job} has not finished ({})",
                    c.status.label()
                ))),
                Err(e) => show(Notice::error(e)),
            },
            Command::Notify(mode) => {
                self.settings.notify = mode;
                show(Notice::info(match mode {
                    NotifyMode::Desktop => {
                        "job notices: desktop (terminal when there is no notification service)"
                    }
                    NotifyMode::Terminal => "job notices: terminal",
                    NotifyMode::Off => "job notices: off",
                }))
            }
            Command::Save { name, replace } => {
                let opening = match (name, &self.archive) {
                    (Some(name), current) if current.as_deref() != Some(name.as_str()) => {
                        Some(name)
                    }
                    (None, None) => Some("default".to_owned()),
                    _ => None,
                };
                match opening {
                    // Once it is open, every cell goes into it.
                    Some(name) => {
                        self.then = Some(Then::SaveAll);
                        let opening = if replace {
                            Opening::Replace
                        } else {
                            Opening::New
                        };
                        vec![Effect::OpenArchive { name, opening }]
                    }
                    None if self.saves_pending() => self.flush_saves(true),
                    None => show(Notice::info(format!(
                        "session {} is saved ({} cells)",
                        self.archive.as_deref().unwrap_or("default"),
                        self.timeline.len()
                    ))),
                }
            }
            Command::Load(name) => {
                if !self.active_jobs().is_empty() {
                    return show(Notice::error(
                        ":load: jobs are still running; :kill them or wait",
                    ));
                }
                if self.saves_pending() {
                    // This session's snapshots go away with the switch: save it first.
                    self.then = Some(Then::Load(name));
                    return self.flush_saves(true);
                }
                vec![Effect::LoadSession { name }]
            }
            Command::Quit => vec![Effect::Quit],
            Command::Evcxr(command) => vec![Effect::Engine(Request::Evcxr(command))],
        }
    }

    fn job_cell(&self, cell: u32, command: &str) -> Result<&crate::timeline::Cell, String> {
        match self.timeline.get(cell) {
            Some(c) if c.job.is_some() => Ok(c),
            Some(_) => Err(format!(
                "{command} {cell}: cell {cell} is not a background job"
            )),
            None => Err(format!("{command} {cell}: no such job")),
        }
    }

    pub fn current_vars(&self) -> &[VarInfo] {
        &self.current_vars
    }

    /// What `:past cell` would change: variables added, removed and changed, or why it
    /// cannot be done.
    pub fn rewind_preview(&self, cell: u32) -> Result<String, String> {
        let warning = self.check_past(cell)?;
        let target = self
            .timeline
            .get(cell)
            .map(|c| c.vars.as_slice())
            .unwrap_or(&[]);
        let mut lines = Vec::new();
        if let Some(w) = warning {
            lines.push(format!("warning: {w}"));
        }
        for var in target {
            match self.current_vars.iter().find(|v| v.name == var.name) {
                None => lines.push(format!("+ {}: {}", var.name, var.type_name)),
                Some(now) if now.type_name != var.type_name => lines.push(format!(
                    "~ {}: {} (now {})",
                    var.name, var.type_name, now.type_name
                )),
                Some(_) => {
                    let changed_since = self.timeline.last_touched(self.current, &var.name)
                        != self.timeline.last_touched(cell, &var.name);
                    if changed_since {
                        lines.push(format!(
                            "~ {}: {} (value as after cell {cell})",
                            var.name, var.type_name
                        ));
                    }
                }
            }
        }
        for var in &self.current_vars {
            if !target.iter().any(|v| v.name == var.name) {
                lines.push(format!("- {}: {}", var.name, var.type_name));
            }
        }
        if lines.is_empty() {
            lines.push("no variable changes".into());
        }
        Ok(lines.join("\n"))
    }

    /// The write of cell `n` to the archive: values that changed since a saved cell wrote
    /// them, read from the cell's snapshot (or the worker, when it is the current cell); the
    /// rest refer to the objects already written. None while a job still runs.
    fn persist_plan(&self, n: u32) -> Option<PersistPlan> {
        let cell = self.timeline.get(n)?;
        if matches!(cell.status, CellStatus::Running | CellStatus::Queued) {
            return None;
        }
        // Saved cells that may hold the same values: this cell's branch and the current one.
        let mut candidates: Vec<u32> = self.timeline.ancestry(n);
        for a in self.timeline.ancestry(self.current) {
            if !candidates.contains(&a) {
                candidates.push(a);
            }
        }
        let from = if cell.snapshot.is_live() {
            Some(Some(n))
        } else if n == self.current && self.running.is_none() && cell.job.is_none() {
            Some(None)
        } else {
            None
        };
        let mut save = Vec::new();
        let mut reuse = Vec::new();
        if cell.status.has_state() {
            for var in &cell.vars {
                let settled = |reason: &str| crate::archive::SavedVar {
                    name: var.name.clone(),
                    type_name: var.type_name.clone(),
                    object: None,
                    not_saved: Some(reason.to_owned()),
                };
                if self.dontsave.contains(&var.name) {
                    reuse.push(settled(DONTSAVE));
                    continue;
                }
                let touched = self.timeline.last_touched(n, &var.name);
                let earlier = candidates.iter().find_map(|a| {
                    let saved = self.timeline.get(*a)?.persisted.as_ref()?;
                    saved
                        .iter()
                        .find(|s| s.name == var.name && s.type_name == var.type_name)
                        .filter(|s| {
                            // Reasons of the session's own making do not carry over.
                            !matches!(
                                s.not_saved.as_deref(),
                                Some(CLEARED | NOT_SAVED_YET | SNAPSHOT_GONE | DONTSAVE)
                            )
                        })
                        .filter(|_| self.timeline.last_touched(*a, &var.name) == touched)
                });
                match (earlier, from) {
                    (Some(saved), _) => reuse.push(saved.clone()),
                    (None, Some(_)) => save.push(var.clone()),
                    (None, None) => reuse.push(settled(SNAPSHOT_GONE)),
                }
            }
        }
        let (status, status_detail) = crate::archive::SavedStatus::of(&cell.status);
        let manifest = crate::archive::Manifest {
            format: crate::archive::FORMAT_VERSION,
            cell: n,
            parent: cell.parent,
            source: cell.source.clone(),
            items: if cell.status.has_state() {
                items::items(&cell.source)
            } else {
                Vec::new()
            },
            deps: Vec::new(),
            vars: Vec::new(),
            status,
            status_detail,
            output: cell.output.clone(),
            value: cell.value.clone(),
            duration_ms: cell.duration.map(|d| d.as_millis() as u64).unwrap_or(0),
            saved_at: 0,
            pending: false,
            job: cell.job.is_some(),
        };
        Some(PersistPlan {
            manifest,
            save,
            reuse,
            from: from.flatten(),
        })
    }

    /// A cell (or job) of a saved session ended: its record goes to disk at once (source,
    /// items, output: cheap), its values in idle time when any changed.
    fn record_cell(&mut self, n: u32) -> Vec<Effect> {
        if self.archive.is_none() {
            return Vec::new();
        }
        let Some(mut plan) = self.persist_plan(n) else {
            return Vec::new();
        };
        if !plan.save.is_empty() {
            self.unsaved.insert(n);
            plan.manifest.pending = true;
            for var in std::mem::take(&mut plan.save) {
                plan.reuse.push(crate::archive::SavedVar {
                    name: var.name,
                    type_name: var.type_name,
                    object: None,
                    not_saved: Some(NOT_SAVED_YET.into()),
                });
            }
        }
        vec![Effect::Engine(Request::Persist(Box::new(plan)))]
    }

    /// Work for idle time: writing the values of the newest unsaved cell. Front ends call
    /// it (through the app) once nothing has happened for a moment.
    pub fn idle(&mut self) -> Vec<Effect> {
        self.next_save()
    }

    /// Writes everything still unsaved, one cell after another (`:save`, `:load`,
    /// quitting). `foreground`: the front end waits until it is done.
    pub fn flush_saves(&mut self, foreground: bool) -> Vec<Effect> {
        self.flushing = Some(Flush {
            foreground,
            ..Flush::default()
        });
        self.next_save()
    }

    /// Whether the archive still lacks some cell's values.
    pub fn saves_pending(&self) -> bool {
        self.archive.is_some() && (!self.unsaved.is_empty() || self.persisting.is_some())
    }

    /// Whether a `:save` is under way (the front end waits for it like for a cell).
    pub fn is_flushing(&self) -> bool {
        self.flushing.is_some_and(|f| f.foreground)
    }

    /// How many cells still wait for their values to be written.
    pub fn unsaved_cells(&self) -> usize {
        self.unsaved.len()
    }

    fn values_persisted(&mut self, cell: u32, summary: PersistSummary) -> Vec<Effect> {
        let mut effects = Vec::new();
        if !summary.not_saved.is_empty() {
            let list: Vec<String> = summary
                .not_saved
                .iter()
                .map(|(n, why)| format!("{n} ({why})"))
                .collect();
            effects.push(Effect::Show(Notice::warning(format!(
                "cell {cell} saved without: {}",
                list.join(", ")
            ))));
        }
        if let Some(flush) = &mut self.flushing {
            flush.cells += 1;
            flush.bytes += summary.bytes_written;
        }
        if let Some(c) = self.timeline.get_mut(cell) {
            c.persisted = Some(summary.vars);
        }
        effects
    }

    fn next_save(&mut self) -> Vec<Effect> {
        if self.archive.is_none() || self.persisting.is_some() || self.running.is_some() {
            return Vec::new();
        }
        while let Some(&n) = self.unsaved.iter().next_back() {
            match self.persist_plan(n) {
                Some(plan) => {
                    self.persisting = Some(n);
                    return vec![Effect::Engine(Request::Persist(Box::new(plan)))];
                }
                None => {
                    self.unsaved.remove(&n);
                }
            }
        }
        let Some(flush) = self.flushing.take() else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if flush.foreground {
            effects.push(Effect::Show(Notice::info(format!(
                "saved session {}: {} cell{} with new values, {} written",
                self.archive.as_deref().unwrap_or("default"),
                flush.cells,
                if flush.cells == 1 { "" } else { "s" },
                human_bytes(flush.bytes)
            ))));
        }
        if let Some(Then::Load(name)) = self.then.take() {
            effects.push(Effect::LoadSession { name });
        }
        effects
    }

    pub fn archive(&self) -> Option<&str> {
        self.archive.as_deref()
    }

    /// Puts a saved session's cells in the timeline and asks the edges to rebuild the state
    /// after `target` (default: the last cell with state).
    /// `:load`: forgets this session's cells and snapshots, then loads `name` like
    /// `--resume` does.
    pub fn switch_to(
        &mut self,
        name: &str,
        manifests: Vec<crate::archive::Manifest>,
    ) -> Vec<Effect> {
        let live: Vec<u32> = self.timeline.live_snapshots().map(|c| c.number).collect();
        let settings = self.settings.clone();
        let dontsave = std::mem::take(&mut self.dontsave);
        let old = std::mem::replace(self, Session::new(settings));
        self.dontsave = dontsave;
        self.timing = old.timing;
        self.saving = old.saving;
        self.hooked = old.hooked;
        let loaded = self.load_history(name, manifests, None);
        let mut effects = Vec::new();
        if !live.is_empty() {
            effects.push(Effect::Engine(Request::DropSnapshots { cells: live }));
        }
        effects.push(Effect::Engine(Request::Restore {
            cell: 0,
            forget: Vec::new(),
        }));
        match loaded {
            Ok(more) => effects.extend(more),
            Err(e) => effects.push(Effect::Show(Notice::error(format!(":load {name}: {e}")))),
        }
        effects
    }

    pub fn load_history(
        &mut self,
        name: &str,
        manifests: Vec<crate::archive::Manifest>,
        target: Option<u32>,
    ) -> Result<Vec<Effect>, String> {
        if !self.timeline.is_empty() {
            return Err("a session can only be resumed into a fresh tmrepl".into());
        }
        let mut by_cell: BTreeMap<u32, crate::archive::Manifest> =
            manifests.into_iter().map(|m| (m.cell, m)).collect();
        let has_state = |m: &crate::archive::Manifest| m.status.has_state();
        let target = match target {
            Some(t) => match by_cell.get(&t) {
                Some(m) if has_state(m) && m.pending => {
                    return Err(format!(
                        "the values of cell {t} of {name} were not saved before tmrepl stopped"
                    ));
                }
                Some(m) if has_state(m) => t,
                Some(_) => {
                    return Err(format!(
                        "cell {t} of {name} did not run to the end, so it has no state"
                    ));
                }
                None => return Err(format!("{name} has no saved cell {t}")),
            },
            // The newest foreground cell whose values all reached the disk.
            None => {
                *by_cell
                    .iter()
                    .rev()
                    .find(|(_, m)| has_state(m) && !m.pending && !m.job)
                    .ok_or_else(|| format!("{name} has no saved cell with state to resume"))?
                    .0
            }
        };
        let last = *by_cell.keys().next_back().unwrap_or(&0);
        for n in 1..=last {
            let (source, parent, status) = match by_cell.get(&n) {
                Some(m) => (
                    m.source.clone(),
                    m.parent,
                    m.status.to_cell_status(m.status_detail.clone()),
                ),
                None => (
                    String::new(),
                    0,
                    CellStatus::Error("not in the archive".into()),
                ),
            };
            let number = self.timeline.push(source, parent);
            if let (Some(cell), Some(m)) = (self.timeline.get_mut(number), by_cell.get(&n)) {
                cell.status = status;
                cell.output = m.output.clone();
                cell.value = m.value.clone();
                cell.duration = Some(Duration::from_millis(m.duration_ms));
                cell.vars = m
                    .vars
                    .iter()
                    .map(|v| VarInfo {
                        name: v.name.clone(),
                        type_name: v.type_name.clone(),
                    })
                    .collect();
                cell.persisted = (!m.pending).then(|| m.vars.clone());
            } else if let Some(cell) = self.timeline.get_mut(number) {
                cell.status = CellStatus::Error("not in the archive".into());
            }
        }
        let mut chain = Vec::new();
        let mut at = target;
        while at != 0 {
            let Some(m) = by_cell.remove(&at) else { break };
            at = m.parent;
            chain.push(m);
        }
        chain.reverse();
        self.running = Some(target);
        Ok(vec![
            Effect::OpenArchive {
                name: name.to_owned(),
                opening: Opening::Continue,
            },
            Effect::Engine(Request::Resume { chain }),
        ])
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
        let Some(target) = self.timeline.get(cell) else {
            let last = self.timeline.len();
            return Err(if last == 0 {
                format!(":past {cell}: there are no cells yet")
            } else {
                format!(":past {cell}: no such cell (cells are 1 to {last})")
            });
        };
        match &target.snapshot {
            SnapshotState::Live { degraded } => Ok(degraded
                .as_ref()
                .map(|why| format!("snapshot {cell} is degraded: {why}"))),
            SnapshotState::Evicted => Err(format!(
                ":past {cell}: its snapshot was evicted to stay within the memory budget"
            )),
            SnapshotState::Cleared => Err(format!(":past {cell}: its snapshot was cleared")),
            SnapshotState::Lost => Err(format!(
                ":past {cell}: its snapshot was lost when the runtime restarted"
            )),
            SnapshotState::None => Err(match &target.status {
                CellStatus::Running | CellStatus::Queued if target.job.is_some() => {
                    format!(":past {cell}: job {cell} has not finished yet")
                }
                CellStatus::Running | CellStatus::Queued => {
                    format!(":past {cell}: the cell is still running")
                }
                CellStatus::Killed => {
                    format!(":past {cell}: the job was killed, so it has no state")
                }
                CellStatus::CompileError => {
                    format!(":past {cell}: the cell failed to compile, so it has no state")
                }
                CellStatus::Crashed(_) | CellStatus::Interrupted => {
                    format!(":past {cell}: the cell did not finish, so it has no state")
                }
                CellStatus::Error(_) => {
                    format!(":past {cell}: the cell failed, so it has no state")
                }
                CellStatus::Ok | CellStatus::Panic => {
                    format!(":past {cell}: no snapshot was taken (saving was off or unhooked)")
                }
            }),
        }
    }

    /// The edges report something.
    pub fn handle(&mut self, event: EngineEvent) -> Vec<Effect> {
        match event {
            EngineEvent::Output { stream: _, text } => {
                if let Some(cell) = self.running.and_then(|n| self.timeline.get_mut(n)) {
                    cell.output.push_str(&text);
                    cell.output.push('\n');
                }
                Vec::new()
            }
            EngineEvent::CellFinished(outcome) => self.cell_finished(outcome),
            EngineEvent::Restored {
                cell,
                elapsed,
                vars,
            } => {
                self.current = cell;
                self.current_vars = vars;
                let ms = elapsed.as_secs_f64() * 1e3;
                vec![Effect::Show(Notice::info(if cell == 0 {
                    format!("cleared: back to an empty session ({ms:.1} ms)")
                } else {
                    format!(
                        "restored to cell {cell} ({ms:.1} ms); the next cell is {}",
                        self.next_cell()
                    )
                }))]
            }
            EngineEvent::RestoreFailed { cell, error } => vec![Effect::Show(Notice::error(
                format!(":past {cell} failed, the session is unchanged: {error}"),
            ))],
            EngineEvent::SnapshotsDropped { cells, freed_bytes } => {
                for n in &cells {
                    if let Some(c) = self.timeline.get_mut(*n) {
                        c.snapshot_bytes = None;
                    }
                }
                vec![Effect::Show(Notice::info(format!(
                    "cleared {} snapshot{}, freed {}",
                    cells.len(),
                    if cells.len() == 1 { "" } else { "s" },
                    human_bytes(freed_bytes)
                )))]
            }
            EngineEvent::Measured {
                snapshots,
                worker_bytes,
            } => {
                self.worker_bytes = worker_bytes;
                for (n, bytes) in snapshots {
                    if let Some(c) = self.timeline.get_mut(n) {
                        c.snapshot_bytes = Some(bytes);
                    }
                }
                self.enforce_budget()
            }
            EngineEvent::MeasureFailed { error } => vec![Effect::Show(Notice::warning(format!(
                "snapshot memory could not be measured: {error}"
            )))],
            EngineEvent::CommandDone { result, vars } => {
                if let Some(vars) = vars {
                    self.current_vars = vars;
                }
                match result {
                    Ok(text) if text.is_empty() => Vec::new(),
                    Ok(text) => vec![Effect::Show(Notice::info(text))],
                    Err(e) => vec![Effect::Show(Notice::error(e))],
                }
            }
            EngineEvent::ArchiveOpened { name, result } => match result {
                Ok(path) => {
                    self.archive = Some(name.clone());
                    let mut effects = vec![Effect::Show(Notice::info(format!(
                        "saving session {name} in {path}"
                    )))];
                    if self.then == Some(Then::SaveAll) {
                        self.then = None;
                        // Every cell goes into the new archive: records now, values next.
                        self.unsaved.clear();
                        let cells: Vec<u32> =
                            self.timeline.cells().iter().map(|c| c.number).collect();
                        for n in cells {
                            effects.extend(self.record_cell(n));
                        }
                        effects.extend(self.flush_saves(true));
                    }
                    effects
                }
                Err(e) => {
                    let what = if self.then == Some(Then::SaveAll) {
                        self.then = None;
                        format!(":save {name}")
                    } else {
                        format!("session {name}")
                    };
                    vec![Effect::Show(Notice::error(format!("{what}: {e}")))]
                }
            },
            EngineEvent::Persisted {
                cell,
                record,
                result,
                ..
            } => {
                let mut effects = match result {
                    Ok(_) if record => Vec::new(),
                    Ok(summary) => self.values_persisted(cell, summary),
                    Err(e) => vec![Effect::Show(Notice::error(format!(
                        "saving cell {cell} failed: {e}"
                    )))],
                };
                if !record && self.persisting == Some(cell) {
                    self.persisting = None;
                    self.unsaved.remove(&cell);
                    if self.flushing.is_some() {
                        effects.extend(self.next_save());
                    }
                }
                effects
            }
            EngineEvent::Resumed { cell, result, vars } => {
                self.running = None;
                match result {
                    Ok(summary) => {
                        self.current = cell;
                        self.current_vars = vars.clone();
                        if let Some(c) = self.timeline.get_mut(cell) {
                            c.vars = vars;
                            if summary.snapshot {
                                c.snapshot = SnapshotState::Live { degraded: None };
                            }
                        }
                        let mut text = format!(
                            "resumed {} at cell {cell}: {} definition{}, {} variable{} restored",
                            self.archive.as_deref().unwrap_or("the session"),
                            summary.items,
                            if summary.items == 1 { "" } else { "s" },
                            summary.restored.len(),
                            if summary.restored.len() == 1 { "" } else { "s" },
                        );
                        let mut effects = Vec::new();
                        if !summary.restored.is_empty() {
                            text.push_str(&format!(" ({})", summary.restored.join(", ")));
                        }
                        effects.push(Effect::Show(Notice::info(text)));
                        for (what, why) in summary.failed {
                            effects.push(Effect::Show(Notice::warning(format!(
                                "not restored: {what}: {why}"
                            ))));
                        }
                        effects
                    }
                    Err(e) => vec![Effect::Show(Notice::error(format!("resuming failed: {e}")))],
                }
            }
            EngineEvent::JobStarted { cell, at } => {
                if let Some(c) = self.timeline.get_mut(cell) {
                    c.status = CellStatus::Running;
                    if let Some(job) = &mut c.job {
                        job.started = Some(at);
                    }
                }
                Vec::new()
            }
            EngineEvent::JobFinished {
                cell,
                end,
                duration,
                peak_bytes,
                degraded,
            } => self.job_finished(cell, end, duration, peak_bytes, degraded),
            EngineEvent::RuntimeRestarted { reason } => {
                for n in 1..=self.timeline.len() as u32 {
                    if let Some(c) = self.timeline.get_mut(n)
                        && c.snapshot.is_live()
                    {
                        c.snapshot = SnapshotState::Lost;
                    }
                }
                self.current = 0;
                self.current_vars.clear();
                vec![Effect::Show(Notice::error(format!(
                    "the runtime restarted ({reason}); variables and snapshots are gone"
                )))]
            }
        }
    }

    fn job_finished(
        &mut self,
        n: u32,
        end: JobOutcome,
        duration: Duration,
        peak_bytes: u64,
        degraded: Option<String>,
    ) -> Vec<Effect> {
        let Some(cell) = self.timeline.get_mut(n) else {
            return Vec::new();
        };
        cell.duration = Some(duration);
        let (status, verb) = match &end {
            JobOutcome::Finished => (CellStatus::Ok, "finished".to_owned()),
            JobOutcome::Panicked => (CellStatus::Panic, "panicked".to_owned()),
            JobOutcome::Crashed(why) => {
                (CellStatus::Crashed(why.clone()), format!("crashed: {why}"))
            }
            JobOutcome::Killed => (CellStatus::Killed, "was killed".to_owned()),
        };
        cell.status = status;
        if let Some(job) = &mut cell.job {
            job.peak_bytes = Some(peak_bytes);
            if !matches!(end, JobOutcome::Finished) {
                job.failure = Some(verb.clone());
            }
        }
        let mut effects = Vec::new();
        if matches!(end, JobOutcome::Finished | JobOutcome::Panicked) {
            cell.snapshot = SnapshotState::Live { degraded };
            effects.push(Effect::Engine(Request::Measure(Some(vec![n]))));
        } else {
            cell.vars.clear();
        }
        let first_line = cell.first_line().to_owned();
        effects.extend(self.record_cell(n));
        let summary = format!("tmrepl: job {n} {verb}");
        let body = format!(
            "{first_line}\n{} — :vars {n}, :past {n}, :log {n}",
            format_duration(duration)
        );
        effects.push(Effect::Show(Notice::info(format!(
            "job {n} {verb} after {}; :log {n} shows its output{}",
            format_duration(duration),
            if matches!(end, JobOutcome::Finished | JobOutcome::Panicked) {
                format!(", :past {n} goes to its state")
            } else {
                String::new()
            }
        ))));
        if self.settings.notify != NotifyMode::Off && duration >= self.settings.notify_after {
            effects.push(Effect::Notify {
                mode: self.settings.notify,
                summary,
                body,
            });
        }
        effects
    }

    fn cell_finished(&mut self, outcome: CellOutcome) -> Vec<Effect> {
        let n = outcome.cell;
        self.running = None;
        let Some(cell) = self.timeline.get_mut(n) else {
            return Vec::new();
        };
        if cell.job.is_some() {
            // The foreground state did not change; the job's variables are its own.
            let already_ended = !matches!(cell.status, CellStatus::Running | CellStatus::Queued);
            if already_ended {
                // A quick job can end before its launch is reported.
                if cell.snapshot.is_live() {
                    cell.vars = outcome.vars;
                }
                return vec![Effect::CellFinished(n)];
            }
            cell.status = outcome.status.clone();
            cell.error_text = outcome.error_text;
            cell.vars = outcome.vars;
            return match outcome.status {
                CellStatus::Running | CellStatus::Queued => {
                    let queued = if outcome.status == CellStatus::Queued {
                        " (queued)"
                    } else {
                        ""
                    };
                    vec![
                        Effect::CellFinished(n),
                        Effect::Show(Notice::info(format!("job {n} started{queued}"))),
                    ]
                }
                _ => {
                    cell.duration = Some(outcome.duration);
                    vec![Effect::CellFinished(n)]
                }
            };
        }
        cell.status = outcome.status.clone();
        cell.value = outcome.value;
        cell.error_text = outcome.error_text;
        cell.duration = Some(outcome.duration);
        let mut effects = vec![Effect::CellFinished(n)];
        if let Some(restored) = outcome.restored_to {
            self.current = restored;
            self.current_vars = outcome.vars;
            let what = match &outcome.status {
                CellStatus::Crashed(why) => format!("cell {n} crashed: {why}"),
                CellStatus::Interrupted => format!("cell {n} was interrupted"),
                other => format!("cell {n} ended: {}", other.label()),
            };
            let back = if restored == 0 {
                "the session is back at its start".to_owned()
            } else {
                format!("the session is back at cell {restored}; earlier variables are intact")
            };
            effects.push(Effect::Show(Notice::warning(format!("{what}; {back}"))));
        } else if outcome.status.has_state() {
            self.current = n;
            cell.vars = outcome.vars.clone();
            self.current_vars = outcome.vars;
            if let Some(snapshot) = outcome.snapshot {
                if let Some(why) = &snapshot.degraded {
                    effects.push(Effect::Show(Notice::warning(format!(
                        "snapshot {n} is degraded: {why}"
                    ))));
                }
                cell.snapshot = SnapshotState::Live {
                    degraded: snapshot.degraded,
                };
                // The new snapshot and its parent change most; everything every 16 cells.
                let parent = cell.parent;
                effects.push(Effect::Engine(Request::Measure(if n.is_multiple_of(16) {
                    None
                } else {
                    Some(vec![n, parent])
                })));
            }
        }
        // A saved session keeps every cell, failed ones too (their source is history).
        effects.extend(self.record_cell(n));
        effects
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

    pub fn cells_table(&self) -> String {
        if self.timeline.is_empty() {
            return "no cells yet".to_owned();
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5}  {:<11} {:>9}  {:<9} {:>9}  {:<5}  source",
            "cell", "status", "time", "snapshot", "memory", "saved"
        );
        for cell in self.timeline.cells() {
            let marker = if cell.number == self.current {
                '>'
            } else {
                ' '
            };
            let time = cell
                .duration
                .map(format_duration)
                .unwrap_or_else(|| "-".into());
            let memory = match (&cell.snapshot, cell.snapshot_bytes) {
                (SnapshotState::Live { .. }, Some(b)) => human_bytes(b),
                _ => "-".into(),
            };
            let branch = match self.timeline.branched_from(cell.number) {
                Some(0) => "  (from start)".to_owned(),
                Some(parent) => format!("  (from {parent})"),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "{marker}{:>4}  {:<11} {:>9}  {:<9} {:>9}  {:<5}  {}{}",
                cell.number,
                cell.status.label(),
                time,
                cell.snapshot.label(),
                memory,
                if cell.persisted.is_some() {
                    "disk"
                } else {
                    "-"
                },
                truncate(cell.first_line(), 48),
                branch
            );
        }
        let _ = write!(
            out,
            "current: {}   snapshots: {} of {}{}",
            if self.current == 0 {
                "start".to_string()
            } else {
                format!("cell {}", self.current)
            },
            human_bytes(self.snapshot_bytes()),
            human_bytes(self.settings.snapshot_budget),
            if !self.hooked {
                "   (unhooked)"
            } else if !self.saving {
                "   (saving off)"
            } else {
                ""
            }
        );
        out
    }

    pub fn vars_table(&self, at: Option<u32>) -> Result<String, String> {
        let (vars, anchor) = match at {
            None => (&self.current_vars, self.current),
            Some(n) => {
                let cell = self
                    .timeline
                    .get(n)
                    .ok_or_else(|| format!(":vars {n}: no such cell"))?;
                if !cell.status.has_state() {
                    return Err(format!(
                        ":vars {n}: the cell did not run to the end, so it has no variables"
                    ));
                }
                (&cell.vars, n)
            }
        };
        if vars.is_empty() {
            return Ok(match at {
                None => "no variables".to_owned(),
                Some(n) => format!("no variables after cell {n}"),
            });
        }
        let mut sorted: Vec<&VarInfo> = vars.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        let width = sorted
            .iter()
            .map(|v| v.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut out = String::new();
        let _ = writeln!(out, "{:<width$}  {:<32} last changed", "name", "type");
        for var in sorted {
            let touched = self
                .timeline
                .last_touched(anchor, &var.name)
                .map(|c| format!("cell {c}"))
                .unwrap_or_else(|| "-".into());
            // What the archive says of it, when the cell was saved.
            let saved = self
                .timeline
                .get(anchor)
                .and_then(|c| c.persisted.as_ref())
                .and_then(|vars| vars.iter().find(|s| s.name == var.name));
            let note = if self.dontsave.contains(&var.name) {
                "   (dontsave: not brought back by :past)".to_owned()
            } else {
                match saved {
                    Some(s) if s.object.is_some() => "   (on disk)".to_owned(),
                    Some(s) => format!(
                        "   (not on disk: {})",
                        s.not_saved.as_deref().unwrap_or("not saved")
                    ),
                    None => String::new(),
                }
            };
            let _ = writeln!(
                out,
                "{:<width$}  {:<32} {touched}{note}",
                var.name, var.type_name
            );
        }
        Ok(out.trim_end().to_owned())
    }

    pub fn jobs_table(&self, now: std::time::Instant) -> String {
        let jobs: Vec<_> = self.timeline.jobs().collect();
        if jobs.is_empty() {
            return "no jobs; a cell that starts with & runs in the background".to_owned();
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5}  {:<10} {:>9} {:>10}  source",
            "job", "state", "time", "peak mem"
        );
        for cell in jobs {
            let job = cell.job.as_ref();
            let state = match &cell.status {
                CellStatus::Ok => "finished",
                CellStatus::Panic | CellStatus::Crashed(_) | CellStatus::Error(_) => "failed",
                CellStatus::CompileError => "error",
                other => other.label(),
            };
            let time = match (&cell.status, job.and_then(|j| j.started)) {
                (CellStatus::Running, Some(started)) => {
                    format_duration(now.saturating_duration_since(started))
                }
                _ => cell
                    .duration
                    .map(format_duration)
                    .unwrap_or_else(|| "-".into()),
            };
            let peak = job
                .and_then(|j| j.peak_bytes)
                .map(human_bytes)
                .unwrap_or_else(|| "-".into());
            let failure = job
                .and_then(|j| j.failure.as_deref())
                .map(|f| format!("  ({f})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:>5}  {:<10} {:>9} {:>10}  {}{}",
                cell.number,
                state,
                time,
                peak,
                truncate(cell.first_line(), 44),
                failure
            );
        }
        out.trim_end().to_owned()
    }

    pub fn memory_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{:>5}  {:>10}", "cell", "private");
        for cell in self.timeline.live_snapshots() {
            let bytes = cell
                .snapshot_bytes
                .map(human_bytes)
                .unwrap_or_else(|| "?".into());
            let _ = writeln!(out, "{:>5}  {:>10}", cell.number, bytes);
        }
        let _ = write!(
            out,
            "snapshots: {} of {} budget; active worker: {}",
            human_bytes(self.snapshot_bytes()),
            human_bytes(self.settings.snapshot_budget),
            human_bytes(self.worker_bytes)
        );
        out
    }
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn format_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests;
