//! The supervisor: the only child evcxr knows about. It speaks evcxr's runtime protocol on
//! stdin/stdout, owns the active worker and every frozen snapshot (as child subreaper), and
//! answers the host on the control socket.
//!
//! This module is the event loop and the cell's life cycle; the parts it drives live apart:
//! `relay` (the pipes between evcxr and the worker), `snapshots` (the frozen copies),
//! `jobs` (background jobs and their queue) and `process` (waiting for, killing and
//! measuring child processes).

mod jobs;
mod process;
mod relay;
mod snapshots;

pub use process::{memory_of, parse_smaps_rollup};

use super::packet;
use super::protocol::{
    BASELINE_SNAPSHOT, CONTROL_SOCKET_ENV, CellDoneReport, Crash, HostRequest, JobId, JobLaunch,
    SupervisorMessage, ToWorker, read_frame, write_frame,
};
use super::sys::{self, Forked};
use anyhow::{Context, Result, anyhow, bail};
use jobs::{Jobs, PendingJob};
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;
use process::{describe_exit, kill_and_reap, reap_zombies};
use relay::{FromEvcxr, Relay, WorkerLine};
use snapshots::Snapshots;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::Instant;

/// What a polled descriptor stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// evcxr's commands on our stdin.
    Evcxr,
    WorkerStdout,
    WorkerStderr,
    /// The host's requests on the control socket.
    Host,
    /// SIGINT, through the self-pipe.
    Interrupts,
    /// The active worker's pidfd.
    WorkerExited,
    /// A job's own socket: it reports its end there.
    Job(JobId),
    /// A job's pidfd.
    JobExited(JobId),
}

/// The worker that runs cells now.
struct ActiveWorker {
    pid: Pid,
    /// Its pidfd, readable once it died.
    exited: OwnedFd,
}

/// One run of evcxr's code in the worker, from `LOAD_AND_RUN` to
/// `EVCXR_EXECUTION_COMPLETE` (or the worker's death). Started afresh at each
/// `LOAD_AND_RUN`; once over it still says whether we interrupted it, for a worker death
/// that lands just after.
#[derive(Default)]
struct CellRun {
    running: bool,
    interrupted: bool,
}

/// What the next `CellDone` report tells the host, gathered since the last one (a cell of
/// the host's may be several runs, or a job launch). Taken, and so reset, by that report.
#[derive(Default)]
struct Unreported {
    ran: bool,
    /// evcxr's wrapper caught a panic; the worker lives on.
    panicked: bool,
    /// The cell was a job and no job came of it.
    launch_failed: bool,
    /// The worker died during a run and was replaced by a snapshot.
    crash: Option<Crash>,
    job: Option<JobLaunch>,
}

impl Unreported {
    fn into_report(self) -> CellDoneReport {
        CellDoneReport {
            ran: self.ran,
            // The host shows a job that could not start as a failed cell, like a panic.
            panicked: self.panicked || self.launch_failed,
            crash: self.crash,
            snapshot: None,
            snapshot_error: None,
            job: self.job,
        }
    }
}

struct Supervisor {
    host: UnixStream,
    relay: Relay,
    /// SIGINT's self-pipe.
    interrupts: File,
    /// The active worker's end of its control socket; frozen snapshots share it.
    worker_control: OwnedFd,
    active: Option<ActiveWorker>,
    snapshots: Snapshots,
    jobs: Jobs,
    run: CellRun,
    unreported: Unreported,
}

/// Entry point of `tmrepl __tmrepl_supervisor`. Never returns.
pub fn run() -> ! {
    match start().and_then(|mut supervisor| supervisor.event_loop()) {
        Ok(()) => std::process::exit(0),
        Err(error) => {
            eprintln!("tmrepl supervisor: {error:#}");
            std::process::exit(70);
        }
    }
}

fn pipe() -> Result<(File, File)> {
    let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    Ok((File::from(read), File::from(write)))
}

fn start() -> Result<Supervisor> {
    // A session of our own: the terminal's Ctrl-C reaches the host only, which turns it
    // into a precise interrupt of the running cell.
    let _ = nix::unistd::setsid();
    sys::set_child_subreaper().context("becoming child subreaper")?;
    let socket_path = std::env::var_os(CONTROL_SOCKET_ENV)
        .ok_or_else(|| anyhow!("{CONTROL_SOCKET_ENV} is not set"))?;
    let host = UnixStream::connect(&socket_path).context("connecting to the host")?;

    let (stdin_read, stdin_write) = pipe()?;
    let (stdout_read, stdout_write) = pipe()?;
    let (stderr_read, stderr_write) = pipe()?;
    let (control_ours, control_worker) = packet::pair()?;

    // Fork the worker before this process has any other thread.
    let worker_pid = match sys::fork_process().context("forking the worker")? {
        Forked::Child => {
            let _ = sys::die_with_parent();
            let ok = nix::unistd::dup2_stdin(&stdin_read).is_ok()
                && nix::unistd::dup2_stdout(&stdout_write).is_ok()
                && nix::unistd::dup2_stderr(&stderr_write).is_ok();
            if !ok {
                sys::exit_now(71);
            }
            drop((stdin_read, stdin_write, stdout_read, stdout_write));
            drop((stderr_read, stderr_write, control_ours, host));
            super::worker::run(control_worker);
        }
        Forked::Parent(pid) => Pid::from_raw(pid),
    };
    drop((stdin_read, stdout_write, stderr_write, control_worker));
    for file in [&stdout_read, &stderr_read] {
        fcntl(file, FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
    }

    let (interrupts, interrupt_writer) = UnixStream::pair()?;
    interrupts.set_nonblocking(true)?;
    signal_hook::low_level::pipe::register(libc::SIGINT, interrupt_writer)?;

    let evcxr = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    let mut supervisor = Supervisor {
        host,
        relay: Relay::new(evcxr, stdin_write, stdout_read, stderr_read),
        interrupts: File::from(OwnedFd::from(interrupts)),
        worker_control: control_ours,
        active: Some(ActiveWorker {
            pid: worker_pid,
            exited: sys::pidfd_open(worker_pid.as_raw())?,
        }),
        snapshots: Snapshots::new(),
        jobs: Jobs::new(),
        run: CellRun::default(),
        unreported: Unreported::default(),
    };
    // The pristine worker is the fallback when a crash finds no later snapshot.
    supervisor
        .snapshots
        .take(BASELINE_SNAPSHOT, &supervisor.worker_control)
        .context("taking the baseline snapshot")?;
    supervisor.send_host(&SupervisorMessage::Ready {
        pid: std::process::id(),
    })?;
    Ok(supervisor)
}

impl Supervisor {
    fn event_loop(&mut self) -> Result<()> {
        loop {
            let Some(ready) = self.wait()? else {
                continue;
            };
            if !self.dispatch(&ready)? {
                return self.shutdown();
            }
        }
    }

    /// Polls every source and returns the ready ones; None when a signal cut the wait short.
    fn wait(&self) -> Result<Option<Vec<Source>>> {
        let mut sources = vec![
            (Source::Evcxr, self.relay.evcxr_fd()),
            (Source::WorkerStdout, self.relay.worker_stdout_fd()),
            (Source::WorkerStderr, self.relay.worker_stderr_fd()),
            (Source::Host, self.host.as_fd()),
            (Source::Interrupts, self.interrupts.as_fd()),
        ];
        if let Some(active) = &self.active {
            sources.push((Source::WorkerExited, active.exited.as_fd()));
        }
        let mut polled: Vec<(Source, PollFd)> = sources
            .into_iter()
            .map(|(source, fd)| (source, PollFd::new(fd, PollFlags::POLLIN)))
            .collect();
        for (id, socket, exited) in self.jobs.poll_sources() {
            polled.push((Source::Job(id), socket));
            polled.push((Source::JobExited(id), exited));
        }
        let (tags, mut fds): (Vec<Source>, Vec<PollFd>) = polled.into_iter().unzip();
        match poll(&mut fds, self.jobs.poll_timeout()) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let ready = tags
            .into_iter()
            .zip(&fds)
            .filter(|(_, fd)| fd.revents().is_some_and(|r| !r.is_empty()))
            .map(|(source, _)| source)
            .collect();
        Ok(Some(ready))
    }

    /// Handles what is ready, in a fixed order: jobs, the worker's output, interrupts, the
    /// worker's death, then the host and evcxr. Returns false when either of those two
    /// has gone.
    fn dispatch(&mut self, ready: &[Source]) -> Result<bool> {
        let has = |source: Source| ready.contains(&source);
        // A job's socket and pidfd are handled together: once it has exited, its exit
        // status tells its end, whatever it wrote.
        let jobs: BTreeSet<JobId> = ready
            .iter()
            .filter_map(|source| match source {
                Source::Job(id) | Source::JobExited(id) => Some(*id),
                _ => None,
            })
            .collect();
        for id in jobs {
            self.handle_job(id, has(Source::Job(id)), has(Source::JobExited(id)))?;
        }
        self.jobs.enforce_kill_deadlines();
        if has(Source::WorkerStdout) {
            self.pump_worker_stdout()?;
        }
        if has(Source::WorkerStderr) {
            self.relay.pump_worker_stderr()?;
        }
        if has(Source::Interrupts) {
            self.handle_interrupt();
        }
        if has(Source::WorkerExited) {
            self.handle_worker_exit()?;
        }
        if has(Source::Host) && !self.handle_host()? {
            return Ok(false);
        }
        if has(Source::Evcxr) && !self.handle_evcxr()? {
            return Ok(false);
        }
        Ok(true)
    }

    fn send_host(&mut self, message: &SupervisorMessage) -> Result<()> {
        write_frame(&mut self.host, message).context("writing to the host")
    }

    /// Lines from evcxr: `LOAD_AND_RUN <so> <fn>`. Returns false at end of input.
    fn handle_evcxr(&mut self) -> Result<bool> {
        if !self.relay.read_evcxr()? {
            return Ok(false);
        }
        while let Some(line) = self.relay.next_from_evcxr() {
            match line {
                FromEvcxr::LoadAndRun { so_path, function } => {
                    self.run_cell(&so_path, &function)?;
                }
                FromEvcxr::Unexpected(line) => {
                    eprintln!("tmrepl supervisor: unexpected line from evcxr: {line:?}");
                }
            }
        }
        Ok(true)
    }

    fn run_cell(&mut self, so_path: &str, function: &str) -> Result<()> {
        if let Some(pending) = self.jobs.take_pending() {
            return self.launch_job(pending, so_path, function);
        }
        self.run = CellRun {
            running: true,
            interrupted: false,
        };
        self.unreported.ran = true;
        let message = ToWorker::Run {
            so_path: so_path.to_owned(),
            function: function.to_owned(),
        };
        if packet::send(&self.worker_control, &message, None).is_err() {
            // The worker is gone; its exit is handled when its pidfd fires.
            eprintln!("tmrepl supervisor: the worker was not there to run the cell");
        }
        Ok(())
    }

    /// Forks the job from the worker (or a snapshot), starts it or queues it, and tells
    /// evcxr at once that the cell is done: the prompt comes back while the job runs.
    fn launch_job(&mut self, pending: PendingJob, so_path: &str, function: &str) -> Result<()> {
        self.unreported.ran = true;
        let target = match pending.from {
            None => Ok(&self.worker_control),
            Some(id) => self.snapshots.wake_socket(id),
        };
        let forked = self
            .jobs
            .fork(pending, so_path, function, target, &self.worker_control)?;
        match forked {
            jobs::Forked::Launched {
                launch,
                also_started,
            } => {
                self.announce_started(also_started);
                self.unreported.job = Some(launch);
            }
            jobs::Forked::Failed(why) => {
                eprintln!("tmrepl supervisor: the job could not start: {why}");
                self.unreported.launch_failed = true;
            }
        }
        self.finish_cell(false)
    }

    /// Tells the host which queued jobs got their turn.
    fn announce_started(&mut self, started: Vec<JobId>) {
        for job in started {
            let _ = self.send_host(&SupervisorMessage::JobStarted { job });
        }
    }

    fn handle_job(&mut self, id: JobId, message: bool, exited: bool) -> Result<()> {
        let Some(ended) = self.jobs.on_event(id, message, exited) else {
            return Ok(());
        };
        if let Some((snapshot_id, snapshot)) = ended.snapshot {
            self.snapshots.adopt(snapshot_id, snapshot);
        }
        self.send_host(&SupervisorMessage::JobFinished(ended.report))?;
        let started = self.jobs.start_queued();
        self.announce_started(started);
        Ok(())
    }

    fn pump_worker_stdout(&mut self) -> Result<()> {
        while self.relay.read_worker_stdout()? {
            while let Some(line) = self.relay.next_worker_line() {
                match line {
                    WorkerLine::ExecutionComplete => self.finish_cell(false)?,
                    WorkerLine::InputRequest { prompt, password } => {
                        self.send_host(&SupervisorMessage::InputRequest { prompt, password })?;
                    }
                    WorkerLine::Output { line, panicked } => {
                        if panicked {
                            self.unreported.panicked = true;
                        }
                        self.relay.pass_output(&line, self.run.running)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Tells evcxr the cell is over.
    fn finish_cell(&mut self, crashed: bool) -> Result<()> {
        self.relay.end_cell(crashed)?;
        self.run.running = false;
        Ok(())
    }

    fn handle_interrupt(&mut self) {
        let mut sink = [0u8; 64];
        while matches!(self.interrupts.read(&mut sink), Ok(n) if n > 0) {}
        if self.run.running
            && let Some(active) = &self.active
        {
            self.run.interrupted = true;
            let _ = kill(active.pid, Signal::SIGKILL);
        }
    }

    fn handle_worker_exit(&mut self) -> Result<()> {
        let Some(active) = self.active.take() else {
            return Ok(());
        };
        // Everything it wrote before dying is in the pipes; relay it in order.
        self.pump_worker_stdout()?;
        self.relay.pump_worker_stderr()?;
        let status = waitpid(active.pid, None);
        reap_zombies();
        let description = if self.run.interrupted {
            "interrupted".to_owned()
        } else {
            describe_exit(status)
        };
        let restored_to = self.snapshots.head();
        self.wake_snapshot(restored_to)
            .with_context(|| format!("restoring snapshot {restored_to} after a crash"))?;
        if self.run.running {
            self.unreported.crash = Some(Crash {
                description,
                restored_to,
            });
            self.finish_cell(true)?;
        } else {
            eprintln!(
                "tmrepl: the worker died between cells ({description}); restored the state after cell {restored_to}"
            );
        }
        Ok(())
    }

    /// Returns false when the host has gone.
    fn handle_host(&mut self) -> Result<bool> {
        let request = match read_frame::<HostRequest>(&mut self.host) {
            Ok(request) => request,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let reply = match request {
            HostRequest::CellDone { snapshot } => Some(self.cell_done(snapshot)),
            HostRequest::Restore { snapshot } => {
                let started = Instant::now();
                Some(match self.restore(snapshot) {
                    Ok(()) => SupervisorMessage::Restored {
                        snapshot,
                        micros: started.elapsed().as_micros() as u64,
                    },
                    Err(e) => SupervisorMessage::Error {
                        message: format!("{e:#}"),
                    },
                })
            }
            HostRequest::Drop { snapshots } => Some(SupervisorMessage::Dropped {
                freed_bytes: self.snapshots.drop_all_of(&snapshots),
            }),
            HostRequest::Measure { snapshots } => Some(self.measure(snapshots.as_deref())),
            HostRequest::PrepareJob {
                job,
                log,
                limit,
                from,
            } => {
                self.jobs.prepare(PendingJob {
                    id: job,
                    log,
                    limit,
                    from,
                });
                Some(SupervisorMessage::Ack)
            }
            HostRequest::KillJob { cell } => Some(self.jobs.kill(cell)),
            HostRequest::StopHidden { job } => {
                self.jobs.stop_hidden(job);
                Some(SupervisorMessage::Ack)
            }
            HostRequest::InputAnswer { text } => {
                self.relay.answer_input(text);
                None
            }
        };
        if let Some(reply) = reply {
            self.send_host(&reply)?;
        }
        Ok(true)
    }

    fn cell_done(&mut self, snapshot: Option<u32>) -> SupervisorMessage {
        // A job that never reached LOAD_AND_RUN (compile error) is forgotten here.
        let _ = self.jobs.take_pending();
        let mut report = std::mem::take(&mut self.unreported).into_report();
        if report.job.is_some() {
            return SupervisorMessage::CellDone(report);
        }
        if report.crash.is_none()
            && let Some(id) = snapshot
        {
            match self.snapshots.take(id, &self.worker_control) {
                Ok(info) => report.snapshot = Some(info),
                // The cell ran and its report stands; only its snapshot is missing.
                Err(e) => report.snapshot_error = Some(format!("{e:#}")),
            }
        }
        SupervisorMessage::CellDone(report)
    }

    fn restore(&mut self, id: u32) -> Result<()> {
        if !self.snapshots.contains(id) {
            bail!("there is no snapshot {id}");
        }
        if let Some(active) = self.active.take() {
            let _ = kill(active.pid, Signal::SIGKILL);
            let _ = waitpid(active.pid, None);
            reap_zombies();
            // Whatever it printed in the background goes out before the new worker speaks.
            self.pump_worker_stdout()?;
            self.relay.pump_worker_stderr()?;
        }
        self.wake_snapshot(id)
    }

    /// Makes snapshot `id` the active worker (the snapshot itself stays).
    fn wake_snapshot(&mut self, id: u32) -> Result<()> {
        self.active = Some(self.snapshots.wake(id, &self.worker_control)?);
        Ok(())
    }

    fn measure(&self, only: Option<&[u32]>) -> SupervisorMessage {
        let worker = self
            .active
            .as_ref()
            .and_then(|a| memory_of(a.pid).ok())
            .unwrap_or_default();
        SupervisorMessage::Measured {
            snapshots: self.snapshots.measure(only),
            worker,
        }
    }

    fn shutdown(&mut self) -> Result<()> {
        if let Some(active) = self.active.take() {
            kill_and_reap(active.pid);
        }
        self.jobs.kill_all();
        self.snapshots.kill_all();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_that_could_not_start_reads_as_a_failed_cell() {
        let unreported = Unreported {
            ran: true,
            launch_failed: true,
            ..Unreported::default()
        };
        let report = unreported.into_report();
        assert!(report.ran && report.panicked);
        assert_eq!(report.job, None);
        assert_eq!(
            Unreported::default().into_report(),
            CellDoneReport::default()
        );
    }
}
