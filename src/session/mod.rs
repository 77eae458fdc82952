//! The pure session core: every decision about cells, numbering, the time machine and
//! commands is made here. Events come in, effects go out; no IO.

mod bring;
mod dispatch;
mod events;
pub mod input;
pub mod items;
mod rebuild;
pub mod replay;
mod request;
mod saved;
mod saving;
mod tables;

use events::DONTSAVE;
pub use events::*;
pub use request::{Prelude, RebuildStep, Request, RequestId, cell_parts};
pub use saved::{SavedPeek, SavedSession, SavedTake, SavedUse};
pub use tables::{format_duration, human_bytes};

use crate::commands::{self, Command, NotifyMode};
use crate::timeline::{
    CellAccess, CellStatus, JobInfo, SnapshotState, Timeline, ValuePreview, VarInfo,
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
    /// What each `Request::Peek` in flight is for, oldest first (answers come in order).
    peeks: std::collections::VecDeque<PeekFor>,
    /// A resume waiting for the user's answer on replaying cells with outside effects.
    pending_resume: Option<saving::PendingResume>,
    /// Why the last snapshot taken was degraded, if it was (its warning is said once).
    last_degraded: Option<String>,
    /// A snapshot could not be taken (said once a session): true until one is taken again
    /// (said once too); a system at its process limit may fail again and again.
    snapshots_failing: Option<bool>,
}

/// Values previewed so far, by name, or why there are none.
type Previews = Result<Vec<(String, ValuePreview)>, String>;

#[derive(Debug, Clone, PartialEq)]
enum PeekFor {
    /// `:vars [N]`: the table with a preview column.
    Table { at: Option<u32> },
    /// `:vars [N] NAME`: one value whole.
    Whole { at: Option<u32>, name: String },
    /// The rewind preview of `:past cell`: the values now, kept for the next answer…
    RewindNow { cell: u32 },
    /// …and the values as of `cell`, with which the preview is shown.
    RewindThen { cell: u32, now: Option<Previews> },
    /// `:vars NAME@N [VAR]`: another saved session's variables.
    Saved(Box<saved::SavedTable>),
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
            peeks: std::collections::VecDeque::new(),
            pending_resume: None,
            last_degraded: None,
            snapshots_failing: None,
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
        let (body, background) = match trimmed.strip_prefix('&') {
            Some(rest) if !rest.trim().is_empty() => (rest.trim_start(), true),
            Some(_) => {
                return vec![Effect::Show(Notice::error(
                    "& needs code to run in the background",
                ))];
            }
            None => (input, false),
        };
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
            snapshot: self.is_saving() || background,
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
                    "no snapshot was taken (saving was off or unhooked)".into()
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
            EngineEvent::Rebuilt {
                cell,
                base,
                replayed,
                elapsed,
                vars,
                log,
            } => self.rebuilt(cell, base, &replayed, elapsed, vars, log),
            EngineEvent::RebuildFailed { cell, error } => {
                vec![Effect::Show(Notice::error(format!(
                    ":past {cell}: rebuilding its thinned snapshot failed, the session is \
                     unchanged: {error}"
                )))]
            }
            EngineEvent::SnapshotFailed { cell, error } => self.snapshot_failed(cell, &error),
            EngineEvent::SnapshotsThinned { cells } => {
                for n in &cells {
                    if let Some(c) = self.timeline.get_mut(*n) {
                        c.snapshot_bytes = None;
                    }
                }
                Vec::new()
            }
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
                        if !summary.rebuilt.is_empty() {
                            text.push_str(&format!(
                                "; rebuilt by replaying cells: {}",
                                summary.rebuilt.join(", ")
                            ));
                        }
                        if let Some(log) = &summary.replay_log {
                            text.push_str(&format!(" (their output is in {log})"));
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
            EngineEvent::Peeked { cell: _, result } => self.peeked(result),
            EngineEvent::CellSource { cell, source } => {
                if let Some(c) = self.timeline.get_mut(cell) {
                    c.source = source;
                }
                Vec::new()
            }
            EngineEvent::JobStarted { cell, at } => {
                // A quick job's end can be told before its start: an ended job stays ended.
                if let Some(c) = self.timeline.get_mut(cell)
                    && matches!(c.status, CellStatus::Running | CellStatus::Queued)
                {
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
        let mut thin = false;
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
            cell.access = Some(CellAccess::derive(
                &cell.source,
                &self.current_vars,
                &outcome.vars,
            ));
            cell.vars = outcome.vars.clone();
            self.current_vars = outcome.vars;
            if let Some(snapshot) = outcome.snapshot {
                // Said when it begins to apply and when it stops, not at every cell between.
                match (&self.last_degraded, &snapshot.degraded) {
                    (last, Some(why)) if last.as_ref() != Some(why) => {
                        effects.push(Effect::Show(Notice::warning(format!(
                            "snapshot {n} is degraded: {why} (and so are the next ones \
                             until it has one thread again)"
                        ))))
                    }
                    (Some(_), None) => effects.push(Effect::Show(Notice::info(format!(
                        "snapshot {n} is whole again: the worker has one thread"
                    )))),
                    _ => {}
                }
                self.last_degraded = snapshot.degraded.clone();
                thin = true;
                if self.snapshots_failing == Some(true) {
                    self.snapshots_failing = Some(false);
                    effects.push(Effect::Show(Notice::info(format!(
                        "snapshots are taken again, from cell {n} on"
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
        if thin {
            effects.extend(self.thin());
        }
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
}

#[cfg(test)]
mod tests;
