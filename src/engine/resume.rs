//! The engine's side of bringing values back from the archive: `:take` of a job's values
//! (saved in a fork of its snapshot, loaded here), and resuming a saved session (its
//! definitions again, stored values loaded, the replay plan carried out with its output
//! in `replay.log`).

use super::Engine;
use super::persister::wait_for_report;
use super::run::{Code, Ran};
use crate::archive::persist::{self, Saved};
use crate::archive::{Manifest, Store};
use crate::runtime::protocol::{HostRequest, SupervisorMessage};
use crate::session::replay::{ReplayPlan, ReplayStep};
use crate::session::{EngineEvent, ResumeSummary};
use crate::timeline::VarInfo;
use anyhow::{Context, Result, anyhow, bail};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

impl Engine {
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
        let result = self
            .run(Code::Plain(&persist::load_code(&loads)), None)
            .result;
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
            if self.run(Code::Plain(&all), None).result.is_err() {
                for item in items {
                    if let Err(e) = self.run(Code::Plain(item), None).result {
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
            let all = persist::load_code(&refs);
            if self.run(Code::Plain(&all), None).result.is_ok() {
                summary
                    .restored
                    .extend(loads.iter().map(|(v, _)| v.name.clone()));
            } else {
                // Find out which ones fail, and keep the rest.
                for (var, path) in &loads {
                    let one = persist::load_code(&[(var, path.clone())]);
                    match self.run(Code::Plain(&one), None).result {
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
            self.remember_state(target.cell);
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
        let Ran { result, done, .. } = self.run(Code::Plain(code), None);
        if let Err(e) = result {
            let text = super::render::strip_ansi(&e.to_string());
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            bail!("{}", first.trim());
        }
        let Some(report) = done else {
            bail!("the runtime stopped")
        };
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
