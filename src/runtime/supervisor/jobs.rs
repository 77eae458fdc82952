//! The job table: background jobs by `JobId`, from `PrepareJob` (the next cell evcxr runs
//! is a job) through the fork, the queue and its limit, to their end and report. The
//! user's jobs (`JobId::Cell`) count against the limit and freeze as snapshots when done;
//! hidden save jobs start at once and exit. Kill deadlines live here too.

use super::super::packet;
use super::super::protocol::{
    FromJob, FromWorker, JobId, JobLaunch, JobOutcome, JobReport, JobRun, SupervisorMessage,
    ToWorker,
};
use super::super::sys;
use super::process::{describe_exit, kill_and_reap, peak_memory, worker_reply};
use super::relay::PANIC_NOTIFICATION;
use super::snapshots::Snapshot;
use anyhow::Result;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// Time between a job's SIGTERM and its SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(2);

/// A job the host announced; it is forked when evcxr runs its cell.
pub(super) struct PendingJob {
    pub(super) id: JobId,
    pub(super) log: String,
    pub(super) limit: u32,
    /// The snapshot to fork it from; the active worker when None.
    pub(super) from: Option<u32>,
}

struct Job {
    pid: Pid,
    /// It reports `Finished` here, then (a user's job) waits here to be woken as a snapshot.
    socket: OwnedFd,
    exited: OwnedFd,
    log: String,
    /// None while queued.
    started: Option<Instant>,
    kill_at: Option<Instant>,
    killed: bool,
}

/// What became of a job the worker (or a snapshot) was asked to fork.
pub(super) enum Forked {
    Launched {
        launch: JobLaunch,
        /// Queued jobs that got their turn along with it.
        also_started: Vec<JobId>,
    },
    /// The job does not exist; the reason is for the supervisor's log.
    Failed(String),
}

/// A job's end, for the host, and the snapshot a finished user's job became.
pub(super) struct Ended {
    pub(super) report: JobReport,
    pub(super) snapshot: Option<(u32, Snapshot)>,
}

pub(super) struct Jobs {
    pending: Option<PendingJob>,
    table: BTreeMap<JobId, Job>,
    /// How many of the user's jobs run at once; the rest wait.
    limit: u32,
}

impl Jobs {
    pub(super) fn new() -> Jobs {
        Jobs {
            pending: None,
            table: BTreeMap::new(),
            limit: 4,
        }
    }

    pub(super) fn prepare(&mut self, pending: PendingJob) {
        self.pending = Some(pending);
    }

    /// The job evcxr's next cell is, if the host announced one.
    pub(super) fn take_pending(&mut self) -> Option<PendingJob> {
        self.pending.take()
    }

    /// One socket and one exit pidfd per job, to poll.
    pub(super) fn poll_sources(&self) -> impl Iterator<Item = (JobId, PollFd<'_>, PollFd<'_>)> {
        self.table.iter().map(|(id, job)| {
            (
                *id,
                PollFd::new(job.socket.as_fd(), PollFlags::POLLIN),
                PollFd::new(job.exited.as_fd(), PollFlags::POLLIN),
            )
        })
    }

    /// Until the next kill deadline, or forever.
    pub(super) fn poll_timeout(&self) -> PollTimeout {
        self.table
            .values()
            .filter_map(|j| j.kill_at)
            .min()
            .map(|at| {
                let left = at.saturating_duration_since(Instant::now());
                PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX)
            })
            .unwrap_or(PollTimeout::NONE)
    }

    /// Asks `target` (the worker's control socket, or a snapshot's wake socket) to fork the
    /// job, then starts it or queues it. Errors only when the job forked but cannot be
    /// watched.
    pub(super) fn fork(
        &mut self,
        pending: PendingJob,
        so_path: &str,
        function: &str,
        target: Result<&OwnedFd>,
        control: &OwnedFd,
    ) -> Result<Forked> {
        self.limit = pending.limit.max(1);
        let message = ToWorker::RunJob(JobRun {
            so_path: so_path.to_owned(),
            function: function.to_owned(),
            log: pending.log.clone(),
            detach: pending.from.is_some(),
            keep: pending.id.keeps_state(),
        });
        // From a snapshot, the frozen copy forks it and answers on the worker socket.
        let launched = target
            .and_then(|socket| packet::send(socket, &message, None).map_err(anyhow::Error::from))
            .and_then(|()| worker_reply(control));
        match launched {
            Ok((FromWorker::JobForked { pid }, Some(socket))) => {
                let pid = Pid::from_raw(pid as i32);
                let job = Job {
                    pid,
                    socket,
                    exited: sys::pidfd_open(pid.as_raw())?,
                    log: pending.log,
                    started: None,
                    kill_at: None,
                    killed: false,
                };
                self.table.insert(pending.id, job);
                let mut also_started = self.start_queued();
                let started = also_started.contains(&pending.id);
                also_started.retain(|id| *id != pending.id);
                Ok(Forked::Launched {
                    launch: JobLaunch {
                        pid: pid.as_raw() as u32,
                        queued: !started,
                    },
                    also_started,
                })
            }
            Ok((other, _)) => Ok(Forked::Failed(format!("{other:?}"))),
            Err(e) => Ok(Forked::Failed(format!("{e:#}"))),
        }
    }

    /// Starts queued jobs, oldest first, up to the limit (tmrepl's own save jobs do not
    /// wait for the user's). Returns the ones that started and were told so.
    pub(super) fn start_queued(&mut self) -> Vec<JobId> {
        let mut started = Vec::new();
        loop {
            let running = self
                .table
                .iter()
                .filter(|(id, j)| j.started.is_some() && id.keeps_state())
                .count();
            let room = running < self.limit as usize;
            let Some((&id, job)) = self
                .table
                .iter_mut()
                .find(|(id, j)| j.started.is_none() && (room || !id.keeps_state()))
            else {
                break;
            };
            job.started = Some(Instant::now());
            // One that cannot hear `Go` is gone; its exit reports it.
            if packet::send(&job.socket, &ToWorker::Go, None).is_ok() {
                started.push(id);
            }
        }
        started
    }

    /// A job's socket (`message`) or exit pidfd (`exited`) is ready. Returns its end, if
    /// this was it.
    pub(super) fn on_event(&mut self, id: JobId, message: bool, exited: bool) -> Option<Ended> {
        let job = self.table.get(&id)?;
        let finished = if message && !exited {
            match packet::recv::<FromJob>(&job.socket) {
                Ok(Some((FromJob::Finished { threads }, _))) => Some(threads),
                _ => None,
            }
        } else {
            None
        };
        let job = self.table.remove(&id)?;
        let micros = job
            .started
            .map(|s| s.elapsed().as_micros() as u64)
            .unwrap_or(0);
        let peak_bytes = peak_memory(job.pid);
        let report = |end, degraded| JobReport {
            job: id,
            end,
            micros,
            peak_bytes,
            degraded,
        };
        Some(match (finished, id) {
            (Some(_), JobId::Hidden(_)) => {
                // It exits right after reporting.
                let _ = waitpid(job.pid, None);
                Ended {
                    report: report(JobOutcome::Finished, None),
                    snapshot: None,
                }
            }
            (Some(threads), JobId::Cell(cell)) => {
                let log = std::fs::read_to_string(&job.log).unwrap_or_default();
                let panicked = log.lines().any(|l| l == PANIC_NOTIFICATION);
                let degraded = (threads > 1)
                    .then(|| format!("the job had {threads} threads; its snapshot has only one"));
                let end = if panicked {
                    JobOutcome::Panicked
                } else {
                    JobOutcome::Finished
                };
                Ended {
                    report: report(end, degraded.clone()),
                    snapshot: Some((
                        cell,
                        Snapshot {
                            pid: job.pid,
                            wake: job.socket,
                            degraded,
                        },
                    )),
                }
            }
            (None, _) => {
                let status = waitpid(job.pid, None);
                let end = if job.killed {
                    JobOutcome::Killed
                } else {
                    JobOutcome::Crashed(describe_exit(status))
                };
                Ended {
                    report: report(end, None),
                    snapshot: None,
                }
            }
        })
    }

    /// SIGTERM the user's job for `cell` now, SIGKILL it after the grace time
    /// (`enforce_kill_deadlines`). Save jobs are not the host's to kill.
    pub(super) fn kill(&mut self, cell: u32) -> SupervisorMessage {
        match self.table.get_mut(&JobId::Cell(cell)) {
            Some(job) => {
                job.killed = true;
                let _ = kill(job.pid, Signal::SIGTERM);
                job.kill_at = Some(Instant::now() + KILL_GRACE);
                SupervisorMessage::Killing { cell }
            }
            None => SupervisorMessage::Error {
                message: format!("job {cell} is not running"),
            },
        }
    }

    /// SIGKILL one of tmrepl's own hidden jobs at once; its exit is reported as usual.
    /// One that has ended already is left alone.
    pub(super) fn stop_hidden(&mut self, job: u32) {
        if let Some(job) = self.table.get_mut(&JobId::Hidden(job)) {
            job.killed = true;
            let _ = kill(job.pid, Signal::SIGKILL);
        }
    }

    pub(super) fn enforce_kill_deadlines(&mut self) {
        let now = Instant::now();
        for job in self.table.values_mut() {
            if job.kill_at.is_some_and(|at| at <= now) {
                let _ = kill(job.pid, Signal::SIGKILL);
                job.kill_at = None;
            }
        }
    }

    pub(super) fn kill_all(&mut self) {
        for (_, job) in std::mem::take(&mut self.table) {
            kill_and_reap(job.pid);
        }
    }
}
