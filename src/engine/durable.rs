//! The engine's side of the durable archive: saving values through hidden save jobs (forks
//! of a cell's frozen snapshot, or of the worker, so the foreground never changes), moving
//! what they wrote into the store on a thread of its own (`persister.rs`). Bringing values
//! back (`:take`, resuming a saved session) is `resume.rs`.
//!
//! Only compiling the save code happens on the engine thread; serializing runs in the
//! fork and hashing, renaming and fsyncing on the persister thread.

use super::Engine;
use super::run::Code;
use crate::archive::persist;
use crate::archive::{Store, session_dir};
use crate::runtime::protocol::{HostRequest, JobId};
use crate::session::{EngineEvent, PersistPlan};
use crate::timeline::VarInfo;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::persister::{Archive, SaveJob, Work, helper_spec};

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
        let added = (|| -> Result<()> {
            let mut state = self.ctx.state();
            // evcxr copies cargo's "Compiling …" lines to stderr; these are ours, not the
            // user's, and would only be noise (or scribble over the TUI). A `:dep` of the
            // user's reports them again (set back below).
            state.set_report_dependency_builds(false);
            // Nor does it give any value an `evcxr_display` method: final expressions are
            // shown at once with the debug format, not after a build that tries it first.
            state.set_defines_no_evcxr_display("tmrepl_persist");
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
            let built = self
                .run(Code::WithState("{}", Box::new(state)), None)
                .result;
            built
                .map(drop)
                .map_err(|e| anyhow!("building the helper crate: {e}"))
        })();
        self.ctx.set_report_dependency_builds(true);
        added?;
        // `:clear` (back to the empty session, snapshot 0) keeps it too.
        self.remember_state(crate::runtime::protocol::BASELINE_SNAPSHOT);
        self.helper = Some(helper);
        Ok(())
    }

    /// Compiles save code for `vars` against the state of snapshot `from` (or the current
    /// one) and starts it as a hidden job in a fork of that snapshot (or of the worker).
    pub(super) fn start_save_job(
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
        let ran = self.run(Code::WithState(code, Box::new(state)), None);
        // Back to the foreground state (no compile when nothing differs).
        let restored = self.ctx.eval_with_state("", before);
        let launched = ran.report().is_some_and(|r| r.job.is_some());
        match ran.result {
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
}
