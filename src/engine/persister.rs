//! Saving values, after the save job wrote them: the persister thread moves what a
//! hidden save job staged into the store (hashing, renaming, fsyncing) off the engine
//! thread, and the store's bookkeeping the engine asks of it (objects copied from the
//! archive open before, values of dropped cells forgotten).

use super::EngineMessage;
use crate::archive::persist::{self, Saved};
use crate::archive::{NotSaved, ObjectId, SavedVar, Store};
use crate::session::{EngineEvent, PersistPlan, PersistSummary};
use anyhow::{Context, Result, bail};
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
    pub(super) previous: Option<Store>,
}

/// A started save job: it writes one file per value into `staging`, then `report`.
pub struct SaveJob {
    pub(super) id: u32,
    pub(super) staging: PathBuf,
    pub(super) report: PathBuf,
    pub(super) log: PathBuf,
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
pub(super) fn wait_for_report(job: &SaveJob, ended: &HiddenEnded) -> Result<Vec<(String, Saved)>> {
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
            var.not_saved = Some(NotSaved::Unsaveable(why));
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
                    Err(why) => (None, Some(NotSaved::Unsaveable(why))),
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

pub(super) fn helper_spec(helper: &Path) -> String {
    format!("{{ path = {:?} }}", helper.display().to_string())
}

/// Makes sure object `hash` is in `store`, copying it (verified) from `previous`.
fn ensure_object(store: &Store, previous: Option<&Store>, hash: &ObjectId) -> Result<(), String> {
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
            var.not_saved = Some(crate::archive::NotSaved::Cleared);
        }
        store.write_manifest(&manifest)?;
    }
    let freed = store.collect_garbage()?;
    Ok(format!(
        "removed {} of saved values no cell refers to",
        crate::session::human_bytes(freed)
    ))
}
