//! The snapshot table: every frozen copy of the worker, by id, with the socket that wakes
//! it, and `head`, the snapshot a crash falls back to. Taking a snapshot, waking one as
//! the active worker, dropping and measuring them all happen here.

use super::super::packet;
use super::super::protocol::{BASELINE_SNAPSHOT, FromWorker, Memory, SnapshotInfo, ToWorker};
use super::super::sys;
use super::ActiveWorker;
use super::process::{kill_and_reap, memory_of, worker_reply};
use anyhow::{Result, anyhow};
use nix::unistd::Pid;
use std::collections::BTreeMap;
use std::os::fd::OwnedFd;

/// A frozen copy of the worker, waiting on `wake`.
pub(super) struct Snapshot {
    pub(super) pid: Pid,
    pub(super) wake: OwnedFd,
    /// Why the copy is incomplete (the threads a fork left behind), if it is.
    pub(super) degraded: Option<String>,
}

pub(super) struct Snapshots {
    table: BTreeMap<u32, Snapshot>,
    /// The latest snapshot of the active worker's line: what a crash restores.
    head: u32,
}

impl Snapshots {
    pub(super) fn new() -> Snapshots {
        Snapshots {
            table: BTreeMap::new(),
            head: BASELINE_SNAPSHOT,
        }
    }

    pub(super) fn head(&self) -> u32 {
        self.head
    }

    pub(super) fn contains(&self, id: u32) -> bool {
        self.table.contains_key(&id)
    }

    /// The socket a job forked from snapshot `id` is asked for on.
    pub(super) fn wake_socket(&self, id: u32) -> Result<&OwnedFd> {
        self.table
            .get(&id)
            .map(|s| &s.wake)
            .ok_or_else(|| anyhow!("there is no snapshot {id} to run the job on"))
    }

    /// Freezes a copy of the active worker (reached on `control`) as snapshot `id`.
    pub(super) fn take(&mut self, id: u32, control: &OwnedFd) -> Result<SnapshotInfo> {
        packet::send(control, &ToWorker::Snapshot, None)?;
        let (reply, fd) = worker_reply(control)?;
        let info = self.register_fork(id, reply, fd)?;
        self.head = id;
        Ok(info)
    }

    /// Files the copy the worker just forked under `id`, replacing (and killing) any
    /// snapshot that had it.
    fn register_fork(
        &mut self,
        id: u32,
        reply: FromWorker,
        fd: Option<OwnedFd>,
    ) -> Result<SnapshotInfo> {
        match reply {
            FromWorker::Forked {
                pid,
                threads,
                fork_micros,
            } => {
                let wake = fd.ok_or_else(|| anyhow!("snapshot {id} arrived without its socket"))?;
                let degraded = (threads > 1).then(|| {
                    format!(
                        "the worker had {threads} threads; fork copies only one, so the others are missing from this snapshot"
                    )
                });
                if let Some(old) = self.table.insert(
                    id,
                    Snapshot {
                        pid: Pid::from_raw(pid as i32),
                        wake,
                        degraded: degraded.clone(),
                    },
                ) {
                    kill_and_reap(old.pid);
                }
                Ok(SnapshotInfo {
                    id,
                    pid,
                    fork_micros,
                    degraded,
                })
            }
            FromWorker::ForkFailed { message } => Err(anyhow!("fork failed: {message}")),
            FromWorker::JobForked { .. } => Err(anyhow!("expected a snapshot, got a job")),
        }
    }

    /// A job that ran to the end is frozen on its own socket: it becomes snapshot `id`.
    pub(super) fn adopt(&mut self, id: u32, snapshot: Snapshot) {
        self.table.insert(id, snapshot);
    }

    /// Wakes snapshot `id` as the active worker. The copy forks its own replacement first,
    /// which takes over the snapshot's place. The active worker must already be dead, so
    /// every frozen copy is our direct child by now (orphans come to the subreaper).
    pub(super) fn wake(&mut self, id: u32, control: &OwnedFd) -> Result<ActiveWorker> {
        let snapshot = self
            .table
            .remove(&id)
            .ok_or_else(|| anyhow!("there is no snapshot {id}"))?;
        packet::send(&snapshot.wake, &ToWorker::Wake, None)?;
        let (reply, fd) = worker_reply(control)?;
        let woken = snapshot.pid;
        let degraded = snapshot.degraded.clone();
        drop(snapshot);
        self.register_fork(id, reply, fd)?;
        // The replacement is a copy of the same state, so it lacks the same threads.
        if let Some(s) = self.table.get_mut(&id) {
            s.degraded = degraded;
        }
        let active = ActiveWorker {
            pid: woken,
            exited: sys::pidfd_open(woken.as_raw())?,
        };
        self.head = id;
        Ok(active)
    }

    /// Frees the snapshots (never the baseline) and returns the private bytes they held.
    pub(super) fn drop_all_of(&mut self, ids: &[u32]) -> u64 {
        let mut freed_bytes = 0;
        for id in ids {
            if *id == BASELINE_SNAPSHOT {
                continue;
            }
            if let Some(snapshot) = self.table.remove(id) {
                freed_bytes += memory_of(snapshot.pid).map(|m| m.private).unwrap_or(0);
                kill_and_reap(snapshot.pid);
            }
        }
        if !self.table.contains_key(&self.head) {
            self.head = BASELINE_SNAPSHOT;
        }
        freed_bytes
    }

    /// smaps_rollup walks a process's page tables, so only the snapshots asked for are read.
    pub(super) fn measure(&self, only: Option<&[u32]>) -> Vec<(u32, Memory)> {
        self.table
            .iter()
            .filter(|(id, _)| only.is_none_or(|ids| ids.contains(id)))
            .map(|(id, s)| (*id, memory_of(s.pid).unwrap_or_default()))
            .collect()
    }

    pub(super) fn kill_all(&mut self) {
        for (_, snapshot) in std::mem::take(&mut self.table) {
            kill_and_reap(snapshot.pid);
        }
    }
}
