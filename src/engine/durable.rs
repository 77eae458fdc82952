//! The engine's side of the durable archive: saving values through hidden save jobs (forks
//! of a cell's frozen snapshot, or of the worker, so the foreground never changes), moving
//! what they wrote into the store on a thread of its own, and rebuilding saved sessions.
//!
//! Only compiling the save code happens on the engine thread; serializing runs in the
//! fork and hashing, renaming and fsyncing on the persister thread.

use super::{Engine, EngineMessage};
use crate::archive::persist::{self, Saved};
use crate::archive::{Manifest, SavedVar, Store, session_dir};
use crate::runtime::protocol::{HostRequest, JobId, SupervisorMessage};
use crate::session::replay::{ReplayPlan, ReplayStep};
use crate::session::{EngineEvent, PersistPlan, PersistSummary, ResumeSummary};
use crate::timeline::VarInfo;
use anyhow::{Context, Result, anyhow, bail};
use crossbeam_channel::{Receiver, Sender};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SAVE_TIMEOUT: Duration = Duration::from_secs(600);

/// Numbers of hidden save jobs (`JobId::Hidden`) that have ended (filled by the runtime
/// notice forwarder).
pub type HiddenEnded = Arc<Mutex<HashSet<u32>>>;

pub struct Archive {
    pub store: Store,
    /// The archive open before this one (`:save NEW`): values saved there are copied over
    /// when a cell refers to them.
    previous: Option<Store>,
}

/// A started save job: it writes one file per value into `staging`, then `report`.
pub struct SaveJob {
    id: u32,
    staging: PathBuf,
    report: PathBuf,
    log: PathBuf,
}

/// Work for the persister thread, done in order.
pub enum Work {
    Persist {
        plan: Box<PersistPlan>,
        job: Option<SaveJob>,
        store: Store,
        previous: Option<Store>,
        started: Instant,
        compile: Duration,
    },
    Forget {
        store: Store,
        cells: Vec<u32>,
    },
}

/// Starts the thread that finishes saves: waits for each save job's report, moves the
/// staged values into the store, writes the manifest and reports `Persisted`.
pub fn spawn_persister(
    messages: Sender<EngineMessage>,
    ended: HiddenEnded,
) -> Result<Sender<Work>> {
    let (work_tx, work_rx): (Sender<Work>, Receiver<Work>) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("tmrepl-persister".into())
        .spawn(move || {
            for work in work_rx {
                let event = match work {
                    Work::Persist {
                        plan,
                        job,
                        store,
                        previous,
                        started,
                        compile,
                    } => {
                        let cell = plan.manifest.cell;
                        let record = plan.manifest.pending;
                        let result = finish_persist(plan, job, &store, previous.as_ref(), &ended)
                            .map(|mut summary| {
                                summary.elapsed = started.elapsed();
                                summary.compile = compile;
                                summary
                            });
                        EngineEvent::Persisted {
                            cell,
                            record,
                            result: result.map_err(|e| format!("{e:#}")),
                        }
                    }
                    Work::Forget { store, cells } => EngineEvent::CommandDone {
                        result: forget_saved(&store, &cells).map_err(|e| format!("{e:#}")),
                        vars: None,
                    },
                };
                if messages.send(EngineMessage::Event(event)).is_err() {
                    break;
                }
            }
        })?;
    Ok(work_tx)
}

/// Waits for a save job's report; errors name the job's last words when it died first.
fn wait_for_report(job: &SaveJob, ended: &HiddenEnded) -> Result<Vec<(String, Saved)>> {
    let deadline = Instant::now() + SAVE_TIMEOUT;
    let mut ended_seen = false;
    while !job.report.exists() {
        if ended_seen {
            let log = std::fs::read_to_string(&job.log).unwrap_or_default();
            let last = log
                .lines()
                .rfind(|l| !l.starts_with("EVCXR_") && !l.trim().is_empty())
                .unwrap_or("no output");
            bail!("the save job ended without writing its report ({last})");
        }
        if Instant::now() > deadline {
            bail!("saving took longer than {SAVE_TIMEOUT:?}");
        }
        // Look for the report once more after seeing the end, so a report written just
        // before the job ended still counts.
        ended_seen = ended.lock().is_ok_and(|mut set| set.remove(&job.id));
        std::thread::sleep(Duration::from_millis(5));
    }
    if let Ok(mut set) = ended.lock() {
        set.remove(&job.id);
    }
    let text = std::fs::read_to_string(&job.report).context("reading the save report")?;
    Ok(persist::read_report(&text))
}

fn finish_persist(
    plan: Box<PersistPlan>,
    job: Option<SaveJob>,
    store: &Store,
    previous: Option<&Store>,
    ended: &HiddenEnded,
) -> Result<PersistSummary> {
    let PersistPlan {
        mut manifest,
        save,
        reuse,
        ..
    } = *plan;
    let mut summary = PersistSummary::default();
    let mut vars: Vec<SavedVar> = Vec::new();
    // Values saved before: their objects must be in this store (after `:save NEW` they may
    // still be in the previous one only).
    for mut var in reuse {
        if let Some(hash) = var.object.clone()
            && let Err(why) = ensure_object(store, previous, &hash)
        {
            var.object = None;
            var.not_saved = Some(why);
        }
        vars.push(var);
    }
    if let Some(job) = job {
        let staged = wait_for_report(&job, ended);
        let storing = Instant::now();
        let moved = staged.and_then(|report| {
            for (name, saved) in report {
                let type_name = save
                    .iter()
                    .find(|v| v.name == name)
                    .map(|v| v.type_name.clone())
                    .unwrap_or_default();
                // The object holding the value, or why there is none.
                let outcome = match saved {
                    Saved::Value { path, hash } => {
                        // The staged file is renamed into the store, not copied.
                        let (written, len) = store.adopt_file(&path, &hash)?;
                        if written {
                            summary.bytes_written += len;
                        }
                        Ok(hash)
                    }
                    // Read by the cell, not changed: hashed in the job, not written.
                    Saved::Existing(hash) if store.has(&hash) => {
                        summary.unchanged += 1;
                        Ok(hash)
                    }
                    Saved::Existing(hash) => {
                        Err(format!("object {hash} left the store while saving"))
                    }
                    Saved::NotSaved(reason) => {
                        summary.not_saved.push((name.clone(), reason.clone()));
                        Err(reason)
                    }
                };
                if outcome.is_ok() {
                    summary.saved += 1;
                }
                let (object, not_saved) = match outcome {
                    Ok(hash) => (Some(hash), None),
                    Err(why) => (None, Some(why)),
                };
                vars.push(SavedVar {
                    name,
                    type_name,
                    object,
                    not_saved,
                });
            }
            Ok(())
        });
        let _ = std::fs::remove_dir_all(&job.staging);
        let _ = std::fs::remove_file(&job.log);
        moved?;
        summary.store = storing.elapsed();
    }
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    manifest.vars = vars;
    store.write_manifest(&manifest)?;
    summary.vars = manifest.vars;
    Ok(summary)
}

/// Points this process's stderr at /dev/null until dropped. Only the engine thread works
/// while it is in place (the start of a session, before any cell).
struct QuietStderr {
    saved: Option<std::os::fd::OwnedFd>,
}

impl QuietStderr {
    fn new() -> QuietStderr {
        use std::os::fd::AsFd;
        let saved = std::io::stderr().as_fd().try_clone_to_owned().ok();
        let silenced = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .is_ok_and(|null| nix::unistd::dup2_stderr(&null).is_ok());
        QuietStderr {
            saved: saved.filter(|_| silenced),
        }
    }
}

impl Drop for QuietStderr {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = nix::unistd::dup2_stderr(saved);
        }
    }
}

fn helper_spec(helper: &Path) -> String {
    format!("{{ path = {:?} }}", helper.display().to_string())
}

/// Makes sure object `hash` is in `store`, copying it (verified) from `previous`.
fn ensure_object(store: &Store, previous: Option<&Store>, hash: &str) -> Result<(), String> {
    match store.object_path(hash) {
        Ok(path) if path.exists() => return Ok(()),
        Ok(_) => {}
        Err(e) => return Err(e.to_string()),
    }
    let Some(previous) = previous else {
        return Err("its saved value is missing from the archive".into());
    };
    let bytes = previous.get(hash).map_err(|e| e.to_string())?;
    store.put(&bytes).map(|_| ()).map_err(|e| e.to_string())
}

/// `:clear_past` on disk: the cells' manifests keep sources and items but no values,
/// then objects no manifest refers to are deleted. While any manifest is unreadable none
/// is (it may name any of them): the error names that manifest.
fn forget_saved(store: &Store, cells: &[u32]) -> Result<String> {
    for cell in cells {
        let Ok(mut manifest) = store.read_manifest(*cell) else {
            continue;
        };
        for var in manifest.vars.iter_mut().filter(|v| v.object.is_some()) {
            var.object = None;
            var.not_saved = Some(crate::session::CLEARED.into());
        }
        store.write_manifest(&manifest)?;
    }
    let freed = store.collect_garbage()?;
    Ok(format!(
        "removed {} of saved values no cell refers to",
        crate::session::human_bytes(freed)
    ))
}

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
                        var.not_saved.clone().unwrap_or_else(|| "not saved".into()),
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
                    .as_deref()
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
