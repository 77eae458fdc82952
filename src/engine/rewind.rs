//! Moving the session in time: back to a snapshot (`restore`, `rewind`), a thinned cell
//! rebuilt by replaying the cells after the nearest kept one, snapshots dropped and
//! measured, and the start over when evcxr restarted its child.

use super::run::{Code, Ran};
use super::{Engine, EngineMessage, render};
use crate::runtime::protocol::{BASELINE_SNAPSHOT, HostRequest, SupervisorMessage};
use crate::session::{EngineEvent, RebuildStep};
use anyhow::{Result, anyhow, bail};

impl Engine {
    /// evcxr restarted its child: a new supervisor is connecting; every snapshot is gone.
    pub(super) fn runtime_restarted(&mut self, reason: &str) {
        let reason = reason
            .lines()
            .last()
            .unwrap_or("the runtime stopped")
            .to_owned();
        if let Err(e) = self.link.connect() {
            let _ = self.messages.send(EngineMessage::StartFailed(format!(
                "the runtime could not be restarted: {e:#}"
            )));
            return;
        }
        let _ = self.link.request(&HostRequest::CellDone { snapshot: None });
        self.states.clear();
        self.deps.clear();
        self.remember_state(BASELINE_SNAPSHOT);
        let _ = self
            .messages
            .send(EngineMessage::Event(EngineEvent::RuntimeRestarted {
                reason,
            }));
    }

    pub(super) fn restore(&mut self, cell: u32, forget: &[String]) -> Result<()> {
        if !self.states.contains_key(&cell) {
            bail!("no snapshot of cell {cell}");
        }
        match self
            .link
            .request(&HostRequest::Restore { snapshot: cell })?
        {
            SupervisorMessage::Restored { .. } => {}
            other => bail!("unexpected reply {other:?}"),
        }
        self.rewind(cell)?;
        self.forget_vars(forget)
    }

    /// Makes evcxr forget the variables of these names that exist.
    pub(super) fn forget_vars(&mut self, forget: &[String]) -> Result<()> {
        let present: Vec<&String> = forget
            .iter()
            .filter(|name| {
                self.ctx
                    .variables_and_types()
                    .any(|(v, _)| v == name.as_str())
            })
            .collect();
        if !present.is_empty() {
            // `drop(n)` would leave a `Copy` value in place; shadowing with a value that is
            // not `Copy` and moving it makes evcxr forget the variable, whatever its type.
            let code: String = present
                .iter()
                .map(|n| format!("let {n} = ::std::string::String::new(); ::std::mem::drop({n});"))
                .collect();
            let ran = self.run(Code::Plain(&code), None);
            ran.result
                .map_err(|e| anyhow!("forgetting {present:?}: {e}"))?;
            ran.done
                .ok_or_else(|| anyhow!("forgetting {present:?}: the runtime stopped"))??;
        }
        Ok(())
    }

    /// Runs a thinned cell's branch again from snapshot `base` and snapshots the result as
    /// `cell`; the replayed output goes to a log, whose path is returned.
    pub(super) fn rebuild(
        &mut self,
        cell: u32,
        base: u32,
        steps: &[RebuildStep],
        forget: &[String],
    ) -> Result<Option<String>> {
        self.restore(base, &[])?;
        let log_path = self
            .link
            .job_log(cell)
            .with_file_name(format!("rebuild-{cell}.log"));
        let logged = std::fs::File::create(&log_path).ok().and_then(|file| {
            let mut log = self.replay_log.lock().ok()?;
            *log = Some(file);
            Some(log_path.display().to_string())
        });
        let result = self.replay_steps(cell, steps);
        if let Ok(mut log) = self.replay_log.lock() {
            *log = None;
        }
        result?;
        self.remember_state(cell);
        self.forget_vars(forget)?;
        Ok(logged)
    }

    pub(super) fn replay_steps(&mut self, cell: u32, steps: &[RebuildStep]) -> Result<()> {
        for (i, step) in steps.iter().enumerate() {
            // The dependencies the cell ran with (a `:dep` alone is no cell to replay).
            let missing: Vec<(String, String)> = self
                .states
                .get(&step.cell)
                .map(|saved| {
                    saved
                        .deps
                        .iter()
                        .filter(|(name, _)| !self.deps.contains_key(*name))
                        .map(|(n, s)| (n.clone(), s.clone()))
                        .collect()
                })
                .unwrap_or_default();
            if !missing.is_empty() {
                let mut state = self.ctx.state();
                for (name, spec) in &missing {
                    state.add_dep(name, spec).map_err(|e| anyhow!("{e}"))?;
                }
                self.ctx
                    .eval_with_state("", state)
                    .map_err(|e| anyhow!("adding the dependencies of cell {}: {e}", step.cell))?;
                self.deps.extend(missing);
            }
            let last = i + 1 == steps.len();
            let code = Code::Cell {
                prelude: &step.prelude,
                code: &step.code,
            };
            let Ran { result, done, .. } = self.run(code, last.then_some(cell));
            if let Err(e) = result {
                let text = render::strip_ansi(&e.to_string());
                let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                bail!("replaying cell {} failed: {}", step.cell, first.trim());
            }
            let Some(report) = done else {
                bail!("replaying cell {}: the runtime stopped", step.cell)
            };
            match report {
                Ok(SupervisorMessage::CellDone(r)) if r.crash.is_some() => {
                    bail!("replaying cell {} crashed", step.cell)
                }
                Ok(SupervisorMessage::CellDone(r)) if last && r.snapshot.is_none() => {
                    bail!("the rebuilt state could not be snapshotted")
                }
                Ok(SupervisorMessage::CellDone(_)) => {}
                Ok(other) => bail!("unexpected reply {other:?}"),
                Err(e) => return Err(e.context("the runtime did not answer")),
            }
        }
        Ok(())
    }

    pub(super) fn drop_snapshots(&mut self, cells: Vec<u32>) -> EngineEvent {
        for cell in &cells {
            if *cell != BASELINE_SNAPSHOT {
                self.states.remove(cell);
            }
        }
        let freed_bytes = match self.link.request(&HostRequest::Drop {
            snapshots: cells.clone(),
        }) {
            Ok(SupervisorMessage::Dropped { freed_bytes }) => freed_bytes,
            _ => 0,
        };
        EngineEvent::SnapshotsDropped { cells, freed_bytes }
    }

    pub(super) fn measure(&mut self, cells: Option<Vec<u32>>) -> Result<EngineEvent> {
        match self
            .link
            .request(&HostRequest::Measure { snapshots: cells })?
        {
            SupervisorMessage::Measured { snapshots, worker } => Ok(EngineEvent::Measured {
                snapshots: snapshots
                    .into_iter()
                    .filter(|(id, _)| *id != BASELINE_SNAPSHOT)
                    .map(|(id, m)| (id, m.private))
                    .collect(),
                worker_bytes: worker.private,
            }),
            other => Err(anyhow!("unexpected reply {other:?}")),
        }
    }
}
