//! The engine's side of the durable archive: saving values through a hidden background job
//! (a fork of the worker, so the foreground never changes) and rebuilding saved sessions.

use super::Engine;
use crate::archive::persist::{self, Saved};
use crate::archive::{ArchiveError, Manifest, SavedVar, Store, session_dir};
use crate::runtime::protocol::HostRequest;
use crate::session::{EngineEvent, PersistSummary, ResumeSummary};
use crate::timeline::{CellStatus, VarInfo};
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Cell ids from here up are the engine's own save jobs, never shown.
pub const HIDDEN_JOBS: u32 = 0xF000_0000;
const SAVE_TIMEOUT: Duration = Duration::from_secs(600);

/// The variables `:take` asked for, and what the save report said of each.
type Taken = (Vec<VarInfo>, Vec<(String, Saved)>);

pub struct Archive {
    pub store: Store,
    helper: PathBuf,
}

impl Engine {
    pub(super) fn open_archive(&mut self, data_dir: &Path, name: &str) -> EngineEvent {
        let result = (|| -> Result<Archive> {
            let store = Store::open(&session_dir(data_dir, name)?)?;
            let helper = persist::ensure_helper(data_dir).context("writing the helper crate")?;
            Ok(Archive { store, helper })
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

    /// Makes the helper crate a dependency of the current state (no compile when present).
    fn ensure_helper_dep(&mut self, helper: &Path) -> Result<()> {
        let spec = format!("{{ path = {:?} }}", helper.display().to_string());
        commit!(self, s => {
            s.add_dep("tmrepl_persist", &spec).map_err(|e| anyhow!("adding the helper crate: {e}"))?;
        });
        Ok(())
    }

    /// Runs generated save code for `vars` as a hidden background job (a fork of the
    /// worker, so the foreground never changes) and returns its report. The staging folder
    /// holds one file per saved value until the caller moves them.
    fn save_values(
        &mut self,
        vars: &[VarInfo],
        staging: &Path,
        helper: &Path,
    ) -> Result<Vec<(String, Saved)>> {
        self.ensure_helper_dep(helper)?;
        let hidden = self.next_hidden;
        self.next_hidden += 1;
        let report = staging.join("report");
        let _ = std::fs::remove_dir_all(staging);
        let refs: Vec<&VarInfo> = vars.iter().collect();
        let code = persist::save_code(&refs, staging, &report);
        let outcome = self.launch_job_keeping(hidden, &format!("{code};"), false);
        let drop_fork = |engine: &mut Engine| {
            let _ = engine.link.request(&HostRequest::Drop {
                snapshots: vec![hidden],
            });
        };
        if !matches!(outcome.status, CellStatus::Running | CellStatus::Queued) {
            drop_fork(self);
            bail!(
                "the save code did not start: {}",
                outcome
                    .error_text
                    .unwrap_or_else(|| outcome.status.label().to_owned())
            );
        }
        let deadline = Instant::now() + SAVE_TIMEOUT;
        let mut ended = false;
        while !report.exists() {
            if ended {
                drop_fork(self);
                bail!("the save job ended without writing its report (see its log)");
            }
            if Instant::now() > deadline {
                let _ = self.link.request(&HostRequest::KillJob { cell: hidden });
                bail!("saving took longer than {SAVE_TIMEOUT:?}");
            }
            // Check for its end once more after seeing it, so a report written just
            // before it ended still counts.
            ended = self.hidden_done.try_iter().any(|id| id == hidden);
            std::thread::sleep(Duration::from_millis(5));
        }
        // Its job is done: free the fork it left behind.
        drop_fork(self);
        let text = std::fs::read_to_string(&report).context("reading the save report")?;
        Ok(persist::read_report(&text))
    }

    pub(super) fn persist(
        &mut self,
        mut manifest: Manifest,
        save: Vec<VarInfo>,
        reuse: Vec<SavedVar>,
    ) -> EngineEvent {
        let cell = manifest.cell;
        let result = self.persist_inner(&mut manifest, save, reuse);
        EngineEvent::Persisted {
            cell,
            result: result.map_err(|e| format!("{e:#}")),
        }
    }

    fn persist_inner(
        &mut self,
        manifest: &mut Manifest,
        save: Vec<VarInfo>,
        reuse: Vec<SavedVar>,
    ) -> Result<PersistSummary> {
        if self.archive.is_none() {
            bail!("no archive is open; :save NAME opens one");
        }
        let started = Instant::now();
        manifest.saved_at = crate::archive::now_secs();
        manifest.deps = self
            .deps
            .iter()
            .map(|(n, c)| (n.clone(), c.clone()))
            .collect();
        let mut summary = PersistSummary::default();
        let mut vars: Vec<SavedVar> = reuse;
        if !save.is_empty() {
            let (root, helper) = {
                let archive = self.archive.as_ref().ok_or_else(|| anyhow!("no archive"))?;
                (archive.store.root().to_owned(), archive.helper.clone())
            };
            let staging = root.join(format!(".staging-{}", self.next_hidden));
            let report = self.save_values(&save, &staging, &helper)?;
            let store = &self
                .archive
                .as_ref()
                .ok_or_else(|| anyhow!("no archive"))?
                .store;
            for (name, saved) in report {
                let type_name = save
                    .iter()
                    .find(|v| v.name == name)
                    .map(|v| v.type_name.clone())
                    .unwrap_or_default();
                match saved {
                    Saved::Value(path) => {
                        // The staged file is renamed into the store, not copied.
                        let (hash, written, len) = store.put_file(&path)?;
                        if written {
                            summary.bytes_written += len;
                        }
                        summary.saved += 1;
                        vars.push(SavedVar {
                            name,
                            type_name,
                            object: Some(hash),
                            not_saved: None,
                        });
                    }
                    Saved::NotSaved(reason) => {
                        summary.not_saved.push((name.clone(), reason.clone()));
                        vars.push(SavedVar {
                            name,
                            type_name,
                            object: None,
                            not_saved: Some(reason),
                        });
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&staging);
        }
        vars.sort_by(|a, b| a.name.cmp(&b.name));
        manifest.vars = vars;
        let store = &self
            .archive
            .as_ref()
            .ok_or_else(|| anyhow!("no archive"))?
            .store;
        store.write_manifest(manifest)?;
        summary.vars = manifest.vars.clone();
        summary.elapsed = started.elapsed();
        Ok(summary)
    }

    /// `:take`: visit the job's snapshot, save the named values there (in a hidden fork),
    /// come back to `back_to` and load them into it.
    pub(super) fn take(
        &mut self,
        job: u32,
        names: &[String],
        back_to: u32,
        data_dir: Option<&Path>,
    ) -> Result<String> {
        let data_dir = data_dir.ok_or_else(|| anyhow!("no data folder; pass --data-dir"))?;
        if !self.states.contains_key(&back_to) {
            bail!("the current state (cell {back_to}) has no snapshot to come back to");
        }
        let helper = persist::ensure_helper(data_dir).context("writing the helper crate")?;
        let staging = data_dir.join(format!("take-{}-{}", std::process::id(), self.next_hidden));
        self.restore(job, &[])?;
        let taken = (|| -> Result<Taken> {
            let vars: Vec<VarInfo> = self
                .vars()
                .into_iter()
                .filter(|v| names.contains(&v.name))
                .collect();
            if let Some(missing) = names.iter().find(|n| !vars.iter().any(|v| &v.name == *n)) {
                bail!("job {job} has no variable {missing}");
            }
            let report = self.save_values(&vars, &staging, &helper)?;
            Ok((vars, report))
        })();
        // Whatever happened there, come back.
        self.restore(back_to, &[])?;
        let (vars, report) = taken?;
        let mut loads = Vec::new();
        let mut skipped = Vec::new();
        for (name, saved) in report {
            match (saved, vars.iter().find(|v| v.name == name)) {
                (Saved::Value(path), Some(var)) => loads.push((var, path)),
                (Saved::NotSaved(why), _) => skipped.push(format!("{name} ({why})")),
                _ => {}
            }
        }
        if loads.is_empty() {
            let _ = std::fs::remove_dir_all(&staging);
            bail!("nothing could be copied: {}", skipped.join(", "));
        }
        self.ensure_helper_dep(&helper)?;
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

    /// `:clear_past` on disk: the cells' manifests keep sources and items but no values,
    /// then objects no manifest refers to are deleted.
    pub(super) fn forget_saved(&mut self, cells: &[u32]) -> Result<String> {
        let store = &self
            .archive
            .as_ref()
            .ok_or_else(|| anyhow!("no archive is open"))?
            .store;
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

    /// Rebuilds the session whose cells on the way to the target are `chain` (oldest first).
    pub(super) fn resume(&mut self, chain: Vec<Manifest>) -> EngineEvent {
        let Some(target) = chain.last().cloned() else {
            return EngineEvent::Resumed {
                cell: 0,
                result: Err("the session has no cells".into()),
                vars: self.vars(),
            };
        };
        let result = self.resume_inner(&chain, &target);
        EngineEvent::Resumed {
            cell: target.cell,
            result: result.map_err(|e| format!("{e:#}")),
            vars: self.vars(),
        }
    }

    fn resume_inner(&mut self, chain: &[Manifest], target: &Manifest) -> Result<ResumeSummary> {
        let mut summary = ResumeSummary::default();
        for (name, spec) in &target.deps {
            let result: Result<()> = (|| {
                commit!(self, s => {
                    s.add_dep(name, spec).map_err(|e| anyhow!("{e}"))?;
                });
                Ok(())
            })();
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
        let mut loads: Vec<(VarInfo, PathBuf)> = Vec::new();
        let staging = {
            let archive = self
                .archive
                .as_ref()
                .ok_or_else(|| anyhow!("no archive is open"))?;
            archive.store.root().join(".staging-resume")
        };
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("creating {}", staging.display()))?;
        for var in &target.vars {
            let Some(hash) = &var.object else {
                summary.failed.push((
                    var.name.clone(),
                    var.not_saved.clone().unwrap_or_else(|| "not saved".into()),
                ));
                continue;
            };
            let store = &self
                .archive
                .as_ref()
                .ok_or_else(|| anyhow!("no archive"))?
                .store;
            match store.get(hash) {
                Ok(bytes) => {
                    let path = staging.join(format!("{}.bin", var.name));
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("writing {}", path.display()))?;
                    loads.push((
                        VarInfo {
                            name: var.name.clone(),
                            type_name: var.type_name.clone(),
                        },
                        path,
                    ));
                }
                Err(e @ ArchiveError::Damaged { .. })
                | Err(e @ ArchiveError::Io { .. })
                | Err(e @ ArchiveError::BadName(_)) => {
                    summary.failed.push((var.name.clone(), e.to_string()));
                }
                Err(e) => summary.failed.push((var.name.clone(), e.to_string())),
            }
        }
        if !loads.is_empty() {
            let helper = self
                .archive
                .as_ref()
                .map(|a| a.helper.clone())
                .ok_or_else(|| anyhow!("no archive is open"))?;
            self.ensure_helper_dep(&helper)?;
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
        let _ = std::fs::remove_dir_all(&staging);
        // The rebuilt state is the snapshot of the target cell.
        if let Ok(crate::runtime::protocol::SupervisorMessage::CellDone(report)) =
            self.link.request(&HostRequest::CellDone {
                snapshot: Some(target.cell),
            })
            && report.snapshot.is_some()
        {
            self.save_state(target.cell);
            summary.snapshot = true;
        }
        Ok(summary)
    }
}
