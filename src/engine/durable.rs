//! The engine's side of the durable archive: saving values through hidden save jobs (forks
//! of a cell's frozen snapshot, or of the worker, so the foreground never changes), moving
//! what they wrote into the store on a thread of its own, and rebuilding saved sessions.
//!
//! Only compiling the save code happens on the engine thread; serializing runs in the
//! fork and hashing, renaming and fsyncing on the persister thread.

use super::Engine;
use crate::archive::persist::{self, Saved};
use crate::archive::{Manifest, Store, session_dir};
use crate::runtime::protocol::{HostRequest, JobId, SupervisorMessage};
use crate::session::replay::{ReplayPlan, ReplayStep};
use crate::session::{EngineEvent, PersistPlan, ResumeSummary};
use crate::timeline::VarInfo;
use anyhow::{Context, Result, anyhow, bail};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::persister::{Archive, QuietStderr, SaveJob, Work, helper_spec, wait_for_report};

impl Engine {
    pub(super) fn open_archive(&mut self, data_dir: &Path, name: &str) -> EngineEvent {
        let result = (|| -> Result<Archive> {
            let store = Store::open(&session_dir(data_dir, name)?)?;
            let previous = self
                .archive
                .as_ref()
                .map(|a| a.store.clone())
                .filter(|old| old.root() != store.root());
            Ok(Archive { store, previous })
        })();
        match result {
            Ok(archive) => {
                let path = archive.store.root().display().to_string();
                self.archive = Some(archive);
                EngineEvent::ArchiveOpened {
                    name: name.to_owned(),
                    result: Ok(path),
                }
            }
            Err(e) => EngineEvent::ArchiveOpened {
                name: name.to_owned(),
                result: Err(format!("{e:#}")),
            },
        }
    }

    /// Makes the helper crate a dependency of the session before any cell runs. It must
    /// be there from the start: adding a dependency changes the identity of every type the
    /// session defines, and evcxr drops variables of those types when that happens.
    pub(super) fn add_helper(&mut self, data_dir: &Path) -> Result<()> {
        let helper = persist::ensure_helper(data_dir).context("writing the helper crate")?;
        let spec = helper_spec(&helper);
        // evcxr writes cargo's "Compiling …" lines straight to our stderr; these are ours,
        // not the user's, and would only be noise (or scribble over the TUI).
        let quiet = QuietStderr::new();
        let added = (|| -> Result<()> {
            let mut state = self.ctx.state();
            state
                .add_dep("tmrepl_persist", &spec)
                .map_err(|e| anyhow!("adding the helper crate: {e}"))?;
            // rust-analyzer loads the standard library on the other core while the helper
            // builds and the user types; without it the first cell with a `let` waits
            // seconds. Started with the helper already among the dependencies (a changed
            // crate graph makes it start over: measured, started before the dependency
            // it redoes most of its work) but before the build, so that both run at once.
            // Only a speed-up: if it cannot start, the first question does the loading.
            let _ = self.ctx.warm_up_analysis(&state);
            // (evcxr's build cache would keep the helper across sessions, but with it on
            // cargo re-runs every dependency's rustc on every cell: measured, left off.)
            // A new dependency is built by the next evaluation: an empty cell, now, while
            // the user types the first one.
            let built = self.ctx.eval_with_state("{}", state).map(|_| ());
            let _ = self.link.request(&HostRequest::CellDone { snapshot: None });
            self.sync_output(true);
            built.map_err(|e| anyhow!("building the helper crate: {e}"))
        })();
        drop(quiet);
        added?;
        // `:past 0` keeps it too.
        self.save_state(crate::runtime::protocol::BASELINE_SNAPSHOT);
        self.helper = Some(helper);
        Ok(())
    }

    /// Compiles save code for `vars` against the state of snapshot `from` (or the current
    /// one) and starts it as a hidden job in a fork of that snapshot (or of the worker).
    fn start_save_job(
        &mut self,
        vars: &[VarInfo],
        from: Option<u32>,
        staging: PathBuf,
        objects: Option<PathBuf>,
    ) -> Result<SaveJob> {
        let _ = std::fs::remove_dir_all(&staging);
        let report = staging.join("report");
        let refs: Vec<&VarInfo> = vars.iter().collect();
        let code = format!(
            "{};",
            persist::save_code(&refs, &staging, &report, objects.as_deref())
        );
        let (id, log) = self.start_hidden_job(&code, from, "save")?;
        Ok(SaveJob {
            id,
            staging,
            report,
            log,
        })
    }

    /// Compiles `code` against the state of snapshot `from` (or the current one) and runs
    /// it as a hidden job in a fork of that snapshot (or of the worker): the foreground
    /// worker and evcxr's state are left as they were. Returns the job's number and log.
    pub(super) fn start_hidden_job(
        &mut self,
        code: &str,
        from: Option<u32>,
        what: &str,
    ) -> Result<(u32, PathBuf)> {
        let state = match from {
            None => self.ctx.state(),
            Some(cell) => self
                .states
                .get(&cell)
                .map(|saved| saved.state.clone())
                .ok_or_else(|| anyhow!("no saved compiler state for cell {cell}"))?,
        };
        self.start_hidden_job_in(code, from, state, what)
    }

    /// `start_hidden_job` with `code` compiled against `state` (snapshot `from`'s, changed).
    pub(super) fn start_hidden_job_in(
        &mut self,
        code: &str,
        from: Option<u32>,
        mut state: evcxr::ContextState,
        what: &str,
    ) -> Result<(u32, PathBuf)> {
        let helper = self
            .helper
            .clone()
            .ok_or_else(|| anyhow!("the helper crate is not in this session (no data folder)"))?;
        let id = self.next_hidden;
        self.next_hidden += 1;
        let before = self.ctx.state();
        // Already there since the start (this changes nothing then).
        state
            .add_dep("tmrepl_persist", &helper_spec(&helper))
            .map_err(|e| anyhow!("adding the helper crate: {e}"))?;
        let log = self.link.save_job_log(id);
        self.link.request(&HostRequest::PrepareJob {
            job: JobId::Hidden(id),
            log: log.to_string_lossy().into_owned(),
            limit: self.job_limit,
            from,
        })?;
        while self.stderr_marks.try_recv().is_ok() {}
        let result = self.ctx.eval_with_state(code, state);
        let report_message = self.link.request(&HostRequest::CellDone { snapshot: None });
        self.sync_output(matches!(&report_message, Ok(SupervisorMessage::CellDone(r)) if r.ran));
        // Back to the foreground state (no compile when nothing differs).
        let restored = self.ctx.eval_with_state("", before);
        let launched =
            matches!(&report_message, Ok(SupervisorMessage::CellDone(r)) if r.job.is_some());
        match result {
            Err(e) => bail!(
                "the {what} code did not compile: {}",
                super::render::strip_ansi(&e.to_string())
                    .lines()
                    .next()
                    .unwrap_or("")
            ),
            Ok(_) if !launched => bail!("the {what} job could not be started"),
            Ok(_) => {}
        }
        restored.map_err(|e| anyhow!("restoring the foreground state: {e}"))?;
        Ok((id, log))
    }

    /// Starts writing a cell to the archive. The values are read by a save job; the rest
    /// happens on the persister thread, which reports `Persisted`. Returns an event only
    /// when it could not even start.
    pub(super) fn persist(&mut self, mut plan: Box<PersistPlan>) -> Option<EngineEvent> {
        let started = Instant::now();
        let failed = |plan: &PersistPlan, error: String| {
            Some(EngineEvent::Persisted {
                cell: plan.manifest.cell,
                record: plan.manifest.pending,
                result: Err(error),
            })
        };
        let Some(archive) = &self.archive else {
            return failed(&plan, "no archive is open; :save NAME opens one".into());
        };
        let (store, previous) = (archive.store.clone(), archive.previous.clone());
        plan.manifest.saved_at = crate::archive::now_secs();
        let deps = match plan.from {
            Some(cell) => self.states.get(&cell).map(|s| &s.deps),
            None => Some(&self.deps),
        };
        plan.manifest.deps = deps
            .map(|d| d.iter().map(|(n, c)| (n.clone(), c.clone())).collect())
            .unwrap_or_default();
        let compiling = Instant::now();
        let job = if plan.save.is_empty() {
            None
        } else {
            let staging = crate::archive::staging_dir(store.root(), self.next_hidden);
            let objects = Some(store.root().join("objects"));
            match self.start_save_job(&plan.save, plan.from, staging, objects) {
                Ok(job) => Some(job),
                Err(e) => return failed(&plan, format!("{e:#}")),
            }
        };
        let work = Work::Persist {
            plan,
            job,
            store,
            previous,
            started,
            compile: compiling.elapsed(),
        };
        if let Err(e) = self.persister.send(work) {
            let Work::Persist { plan, .. } = e.into_inner() else {
                return None;
            };
            return failed(&plan, "the persister thread has stopped".into());
        }
        None
    }

    /// `:clear_past` on disk, in order with the saves still being finished.
    pub(super) fn forget_saved(&mut self, cells: Vec<u32>) -> Option<EngineEvent> {
        let Some(archive) = &self.archive else {
            return Some(EngineEvent::CommandDone {
                result: Err("no archive is open".into()),
                vars: None,
            });
        };
        let work = Work::Forget {
            store: archive.store.clone(),
            cells,
        };
        match self.persister.send(work) {
            Ok(()) => None,
            Err(_) => Some(EngineEvent::CommandDone {
                result: Err("the persister thread has stopped".into()),
                vars: None,
            }),
        }
    }

    /// `:take`: save the named values in a fork of the job's snapshot and load them into
    /// the current state. The foreground worker is never left.
    pub(super) fn take(
        &mut self,
        job: u32,
        vars: &[VarInfo],
        data_dir: Option<&Path>,
    ) -> Result<String> {
        let data_dir = data_dir.ok_or_else(|| anyhow!("no data folder; pass --data-dir"))?;
        if !self.states.contains_key(&job) {
            bail!("job {job} has no snapshot");
        }
        let staging = data_dir.join(format!("take-{}-{}", std::process::id(), self.next_hidden));
        let save_job = self.start_save_job(vars, Some(job), staging.clone(), None)?;
        let report = wait_for_report(&save_job, &self.hidden_ended);
        let _ = std::fs::remove_file(&save_job.log);
        let report = match report {
            Ok(report) => report,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let mut loads = Vec::new();
        let mut skipped = Vec::new();
        for (name, saved) in report {
            match (saved, vars.iter().find(|v| v.name == name)) {
                (Saved::Value { path, .. }, Some(var)) => loads.push((var, path)),
                (Saved::NotSaved(why), _) => skipped.push(format!("{name} ({why})")),
                _ => {}
            }
        }
        if loads.is_empty() {
            let _ = std::fs::remove_dir_all(&staging);
            bail!("nothing could be copied: {}", skipped.join(", "));
        }
        let result = self.ctx.eval(&persist::load_code(&loads));
        let _ = self.link.request(&HostRequest::CellDone { snapshot: None });
        self.sync_output(true);
        let _ = std::fs::remove_dir_all(&staging);
        result.map_err(|e| {
            anyhow!(
                "loading the values: {}",
                super::render::strip_ansi(&e.to_string())
            )
        })?;
        let taken: Vec<&str> = loads.iter().map(|(v, _)| v.name.as_str()).collect();
        let mut text = format!("took {} from job {job}", taken.join(", "));
        if !skipped.is_empty() {
            text.push_str(&format!("; not taken: {}", skipped.join(", ")));
        }
        Ok(text)
    }

    /// Rebuilds the session whose cells on the way to the target are `chain` (oldest first).
    pub(super) fn resume(
        &mut self,
        chain: Vec<Manifest>,
        replay: Option<Box<ReplayPlan>>,
    ) -> EngineEvent {
        let Some(target) = chain.last().cloned() else {
            return EngineEvent::Resumed {
                cell: 0,
                result: Err("the session has no cells".into()),
                vars: self.vars(),
            };
        };
        let result = self.resume_inner(&chain, &target, replay.as_deref());
        EngineEvent::Resumed {
            cell: target.cell,
            result: result.map_err(|e| format!("{e:#}")),
            vars: self.vars(),
        }
    }

    fn resume_inner(
        &mut self,
        chain: &[Manifest],
        target: &Manifest,
        replay: Option<&ReplayPlan>,
    ) -> Result<ResumeSummary> {
        let mut summary = ResumeSummary::default();
        for (name, spec) in &target.deps {
            let mut state = self.ctx.state();
            let result: Result<()> = state
                .add_dep(name, spec)
                .and_then(|()| self.ctx.eval_with_state("", state).map(drop))
                .map_err(|e| anyhow!("{e}"));
            match result {
                Ok(()) => {
                    self.deps.insert(name.clone(), spec.clone());
                }
                Err(e) => summary
                    .failed
                    .push((format!("dependency {name}"), format!("{e:#}"))),
            }
        }
        // Definitions, in the order they were made (a later one replaces an earlier one).
        let items: Vec<&String> = chain.iter().flat_map(|m| m.items.iter()).collect();
        if !items.is_empty() {
            let all: String = items.iter().map(|i| format!("{i}\n")).collect();
            if self.ctx.eval(&all).is_err() {
                for item in items {
                    if let Err(e) = self.ctx.eval(item) {
                        let first = item.lines().next().unwrap_or("").to_owned();
                        summary
                            .failed
                            .push((first, e.to_string().lines().next().unwrap_or("").to_owned()));
                    }
                }
            }
        }
        summary.items = chain.iter().map(|m| m.items.len()).sum();
        // Values: verified against their hash, then decoded by the helper in the session.
        let store = self
            .archive
            .as_ref()
            .map(|a| a.store.clone())
            .ok_or_else(|| anyhow!("no archive is open"))?;
        if let Some(plan) = replay {
            self.replay(plan, &store, &mut summary);
        }
        let mut loads: Vec<(VarInfo, PathBuf)> = Vec::new();
        for var in &target.vars {
            let Some(hash) = &var.object else {
                // Said by the replay when there was one.
                if replay.is_none() {
                    summary.failed.push((
                        var.name.clone(),
                        var.not_saved
                            .as_ref()
                            .map_or("not saved".to_owned(), ToString::to_string),
                    ));
                }
                continue;
            };
            // Verified here, then decoded by the session straight from the store.
            match store.verify(hash) {
                Ok(path) => {
                    loads.push((
                        VarInfo {
                            name: var.name.clone(),
                            type_name: var.type_name.clone(),
                        },
                        path,
                    ));
                }
                // Damaged, unreadable or badly named: this value only.
                Err(e) => summary.failed.push((var.name.clone(), e.to_string())),
            }
        }
        if !loads.is_empty() {
            let refs: Vec<(&VarInfo, PathBuf)> =
                loads.iter().map(|(v, p)| (v, p.clone())).collect();
            if self.ctx.eval(&persist::load_code(&refs)).is_ok() {
                summary
                    .restored
                    .extend(loads.iter().map(|(v, _)| v.name.clone()));
            } else {
                // Find out which ones fail, and keep the rest.
                for (var, path) in &loads {
                    match self.ctx.eval(&persist::load_code(&[(var, path.clone())])) {
                        Ok(_) => summary.restored.push(var.name.clone()),
                        Err(e) => summary.failed.push((
                            var.name.clone(),
                            super::render::strip_ansi(&e.to_string())
                                .lines()
                                .next()
                                .unwrap_or("")
                                .to_owned(),
                        )),
                    }
                }
            }
            let _ = self.link.request(&HostRequest::CellDone { snapshot: None });
        }
        if replay.is_some() {
            // What replayed cells made besides the target's values, and values a stopped
            // replay left half-made, must not pass for the target's.
            let stray: Vec<String> = self
                .vars()
                .into_iter()
                .map(|v| v.name)
                .filter(|n| !summary.restored.contains(n) && !summary.rebuilt.contains(n))
                .collect();
            if let Err(e) = self.forget_vars(&stray) {
                summary
                    .failed
                    .push((stray.join(", "), format!("could not be dropped: {e:#}")));
            }
        }
        // The rebuilt state is the snapshot of the target cell.
        if let Ok(SupervisorMessage::CellDone(report)) = self.link.request(&HostRequest::CellDone {
            snapshot: Some(target.cell),
        }) && report.snapshot.is_some()
        {
            self.save_state(target.cell);
            summary.snapshot = true;
        }
        Ok(summary)
    }

    /// Runs the cells `plan` chose, their output into the session's replay log. A cell
    /// that fails or makes a value of another type than it first did stops there: the
    /// cells and variables that need it are named as not restored, the rest goes on.
    fn replay(&mut self, plan: &ReplayPlan, store: &Store, summary: &mut ResumeSummary) {
        summary.failed.extend(plan.lost.iter().cloned());
        if plan.steps.is_empty() {
            return;
        }
        let log_path = store.root().join("replay.log");
        match std::fs::File::create(&log_path) {
            Ok(file) => {
                if let Ok(mut log) = self.replay_log.lock() {
                    *log = Some(file);
                    summary.replay_log = Some(log_path.display().to_string());
                }
            }
            Err(e) => summary.failed.push((
                "replay log".into(),
                format!("{}: {e}; replayed output is shown", log_path.display()),
            )),
        }
        // A failed cell stops what needs it; cells that do not need it still run (they
        // read nothing it wrote, or they would need it).
        let mut failed: Vec<(u32, String)> = Vec::new();
        let mut done: HashSet<u32> = HashSet::new();
        let mut loads_done = true;
        for step in &plan.steps {
            if let Some(cell) = step.needs.iter().find(|c| !done.contains(c)) {
                failed.push((step.cell, format!("it needs cell {cell}, not rebuilt")));
                continue;
            }
            match self.replay_step(step, store) {
                Ok(()) => {
                    done.insert(step.cell);
                }
                Err(e) if step.code.trim().is_empty() => {
                    loads_done = false;
                    summary
                        .failed
                        .push(("values saved with earlier cells".into(), format!("{e:#}")));
                }
                Err(e) => failed.push((step.cell, format!("{e:#}"))),
            }
        }
        if let Ok(mut log) = self.replay_log.lock() {
            *log = None;
        }
        for (name, cells) in &plan.rebuilt {
            let first_failed = failed.iter().find(|(cell, _)| cells.contains(cell));
            match first_failed {
                Some((cell, why)) => summary
                    .failed
                    .push((name.clone(), format!("replaying cell {cell} failed: {why}"))),
                // Values stored with an earlier cell come with the loads step.
                None if cells.is_empty() && !loads_done => {}
                None => summary.rebuilt.push(name.clone()),
            }
        }
    }

    /// Loads a replayed cell's stored inputs, runs its statements and checks that what it
    /// made has the types it had.
    fn replay_step(&mut self, step: &ReplayStep, store: &Store) -> Result<()> {
        if !step.inputs.is_empty() {
            let mut loads: Vec<(VarInfo, PathBuf)> = Vec::new();
            for var in &step.inputs {
                let hash = var
                    .object
                    .as_ref()
                    .ok_or_else(|| anyhow!("{} has no saved value", var.name))?;
                let path = store
                    .verify(hash)
                    .with_context(|| format!("the saved value of {}", var.name))?;
                let info = VarInfo {
                    name: var.name.clone(),
                    type_name: var.type_name.clone(),
                };
                loads.push((info, path));
            }
            let refs: Vec<(&VarInfo, PathBuf)> =
                loads.iter().map(|(v, p)| (v, p.clone())).collect();
            self.run_replayed(&persist::load_code(&refs))
                .context("loading its inputs")?;
        }
        if step.code.trim().is_empty() {
            return Ok(());
        }
        self.run_replayed(&step.code)?;
        let now = self.vars();
        for want in &step.expect {
            match now.iter().find(|v| v.name == want.name) {
                Some(v) if v.type_name == want.type_name => {}
                Some(v) => bail!(
                    "{} is now {}, not the {} it was",
                    want.name,
                    v.type_name,
                    want.type_name
                ),
                None => bail!("it no longer makes {}", want.name),
            }
        }
        Ok(())
    }

    /// Runs code for a replay and says how it ended in one line.
    fn run_replayed(&mut self, code: &str) -> Result<()> {
        while self.stderr_marks.try_recv().is_ok() {}
        let code = self.with_objects(code);
        let result = self.ctx.eval(&code);
        let report = self.link.request(&HostRequest::CellDone { snapshot: None });
        self.sync_output(matches!(&report, Ok(SupervisorMessage::CellDone(r)) if r.ran));
        if let Err(e) = result {
            let text = super::render::strip_ansi(&e.to_string());
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            bail!("{}", first.trim());
        }
        match report {
            Ok(SupervisorMessage::CellDone(r)) if r.crash.is_some() => {
                let crash = r.crash.map(|c| (c.description, c.restored_to));
                if let Some((_, restored_to)) = &crash {
                    let _ = self.rewind(*restored_to);
                }
                bail!("it crashed ({})", crash.map(|c| c.0).unwrap_or_default())
            }
            Ok(SupervisorMessage::CellDone(r)) if r.panicked => bail!("it panicked"),
            Ok(_) => Ok(()),
            Err(e) => Err(e.context("the runtime did not answer")),
        }
    }
}
