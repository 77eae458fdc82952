//! What each report of the edges does to the session (`Session::handle`): a cell's
//! outcome recorded, a job's end, output, saves and previews answered.

use super::*;

impl Session {
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
            EngineEvent::CellFinished(outcome) => {
                let cell = outcome.cell;
                let mut effects = self.cell_finished(outcome);
                effects.extend(self.sweep_launched(cell));
                effects
            }
            EngineEvent::Restored {
                cell,
                elapsed,
                vars,
            } => {
                self.end_asides();
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
                self.aside_done(result.is_ok());
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
                        self.end_asides();
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
            EngineEvent::Peeked {
                ask,
                cell: _,
                result,
            } => self.previews_read(ask, result),
            EngineEvent::LogRead { ask, result } => self.log_read(ask, result),
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
                self.end_asides();
                self.current = 0;
                self.current_vars.clear();
                vec![Effect::Show(Notice::error(format!(
                    "the runtime restarted ({reason}); variables and snapshots are gone"
                )))]
            }
        }
    }

    pub(super) fn job_finished(
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
        // A sweep's jobs are told together, when the last one ends.
        let sweep = self.sweep_of(n);
        if self.settings.notify != NotifyMode::Off
            && duration >= self.settings.notify_after
            && sweep.is_none()
        {
            effects.push(Effect::Notify {
                mode: self.settings.notify,
                summary,
                body,
            });
        }
        if let Some(sweep) = sweep {
            effects.extend(self.sweep_ended(sweep));
        }
        effects
    }

    pub(super) fn cell_finished(&mut self, outcome: CellOutcome) -> Vec<Effect> {
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
            self.end_asides();
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
}
