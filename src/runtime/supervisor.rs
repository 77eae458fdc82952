//! The supervisor: the only child evcxr knows about. It speaks evcxr's runtime protocol on
//! stdin/stdout, owns the active worker and every frozen snapshot (as child subreaper), and
//! answers the host on the control socket.

use super::load_path;
use super::packet;
use super::protocol::{
    BASELINE_SNAPSHOT, CONTROL_SOCKET_ENV, CellReport, Crash, FromJob, FromWorker, HostRequest,
    JobEnd, JobId, JobLaunch, JobReport, JobRun, Memory, STDERR_MARK, SnapshotInfo,
    SupervisorMessage, ToWorker, read_frame, write_frame,
};
use super::sys::{self, Forked};
use anyhow::{Context, Result, anyhow, bail};
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";
const PANIC_NOTIFICATION: &str = "EVCXR_PANIC_NOTIFICATION";
const INPUT_REQUEST: &str = "EVCXR_INPUT_REQUEST";
const INPUT_REQUEST_PASSWORD: &str = "EVCXR_INPUT_REQUEST_PASSWORD";
const WORKER_REPLY_TIMEOUT: Duration = Duration::from_secs(20);

struct Snapshot {
    pid: Pid,
    wake: OwnedFd,
    degraded: Option<String>,
}

struct Job {
    pid: Pid,
    socket: OwnedFd,
    exited: OwnedFd,
    log: String,
    started: Option<Instant>,
    kill_at: Option<Instant>,
    killed: bool,
}

struct PendingJob {
    id: JobId,
    log: String,
    limit: u32,
    from: Option<u32>,
}

struct ActiveWorker {
    pid: Pid,
    exited: OwnedFd,
}

struct Supervisor {
    host: UnixStream,
    worker_control: OwnedFd,
    worker_stdin: File,
    worker_stdout: File,
    worker_stderr: File,
    stdout_pending: Vec<u8>,
    evcxr_pending: Vec<u8>,
    evcxr_stdin: File,
    interrupts: File,
    active: Option<ActiveWorker>,
    snapshots: BTreeMap<u32, Snapshot>,
    head: u32,
    running: bool,
    ran_since_report: bool,
    panicked: bool,
    interrupted: bool,
    crash: Option<Crash>,
    pending_job: Option<PendingJob>,
    launched_job: Option<JobLaunch>,
    jobs: BTreeMap<JobId, Job>,
    job_limit: u32,
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

    let mut supervisor = Supervisor {
        host,
        worker_control: control_ours,
        worker_stdin: stdin_write,
        worker_stdout: stdout_read,
        worker_stderr: stderr_read,
        stdout_pending: Vec::new(),
        evcxr_pending: Vec::new(),
        evcxr_stdin: File::from(io::stdin().as_fd().try_clone_to_owned()?),
        interrupts: File::from(OwnedFd::from(interrupts)),
        active: Some(ActiveWorker {
            pid: worker_pid,
            exited: sys::pidfd_open(worker_pid.as_raw())?,
        }),
        snapshots: BTreeMap::new(),
        head: BASELINE_SNAPSHOT,
        running: false,
        ran_since_report: false,
        panicked: false,
        interrupted: false,
        crash: None,
        pending_job: None,
        launched_job: None,
        jobs: BTreeMap::new(),
        job_limit: 4,
    };
    // The pristine worker is the fallback when a crash finds no later snapshot.
    supervisor
        .take_snapshot(BASELINE_SNAPSHOT)
        .context("taking the baseline snapshot")?;
    supervisor.send_host(&SupervisorMessage::Ready {
        pid: std::process::id(),
    })?;
    Ok(supervisor)
}

impl Supervisor {
    fn event_loop(&mut self) -> Result<()> {
        loop {
            let active_fd = self.active.as_ref().map(|a| a.exited.as_raw_fd());
            let job_ids: Vec<JobId> = self.jobs.keys().copied().collect();
            let mut job_events = Vec::new();
            let (evcxr_ready, stdout_ready, stderr_ready, host_ready, interrupt_ready, died) = {
                let mut fds = vec![
                    PollFd::new(self.evcxr_stdin.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.worker_stdout.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.worker_stderr.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.host.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.interrupts.as_fd(), PollFlags::POLLIN),
                ];
                if let Some(active) = &self.active {
                    fds.push(PollFd::new(active.exited.as_fd(), PollFlags::POLLIN));
                }
                let job_base = fds.len();
                for job in self.jobs.values() {
                    fds.push(PollFd::new(job.socket.as_fd(), PollFlags::POLLIN));
                    fds.push(PollFd::new(job.exited.as_fd(), PollFlags::POLLIN));
                }
                let timeout = self
                    .jobs
                    .values()
                    .filter_map(|j| j.kill_at)
                    .min()
                    .map(|at| {
                        let left = at.saturating_duration_since(Instant::now());
                        PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX)
                    })
                    .unwrap_or(PollTimeout::NONE);
                match poll(&mut fds, timeout) {
                    Ok(_) => {}
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(e) => return Err(e.into()),
                }
                let ready = |i: usize| {
                    fds.get(i)
                        .and_then(|fd| fd.revents())
                        .is_some_and(|r| !r.is_empty())
                };
                let flags = (
                    ready(0),
                    ready(1),
                    ready(2),
                    ready(3),
                    ready(4),
                    active_fd.is_some() && ready(5),
                );
                for (i, id) in job_ids.iter().enumerate() {
                    let message = ready(job_base + 2 * i);
                    let exited = ready(job_base + 2 * i + 1);
                    if message || exited {
                        job_events.push((*id, message, exited));
                    }
                }
                flags
            };
            for (id, message, exited) in job_events {
                self.handle_job(id, message, exited)?;
            }
            self.enforce_kill_deadlines();
            if stdout_ready {
                self.pump_worker_stdout()?;
            }
            if stderr_ready {
                self.pump_worker_stderr()?;
            }
            if interrupt_ready {
                self.handle_interrupt();
            }
            if died {
                self.handle_worker_exit()?;
            }
            if host_ready && !self.handle_host()? {
                return self.shutdown();
            }
            if evcxr_ready && !self.handle_evcxr()? {
                return self.shutdown();
            }
        }
    }

    fn send_host(&mut self, message: &SupervisorMessage) -> Result<()> {
        write_frame(&mut self.host, message).context("writing to the host")
    }

    /// Lines from evcxr: `LOAD_AND_RUN <so> <fn>`. Returns false at end of input.
    fn handle_evcxr(&mut self) -> Result<bool> {
        let mut buf = [0u8; 4096];
        let n = match self.evcxr_stdin.read(&mut buf) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(true),
            Err(e) => return Err(e.into()),
        };
        self.evcxr_pending.extend_from_slice(&buf[..n]);
        while let Some(pos) = self.evcxr_pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.evcxr_pending.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line).trim_end().to_string();
            match parse_load_and_run(&line) {
                Some((so_path, function)) => {
                    self.run_cell(&load_path::loadable(so_path), function)?;
                }
                None => eprintln!("tmrepl supervisor: unexpected line from evcxr: {line:?}"),
            }
        }
        Ok(true)
    }

    fn run_cell(&mut self, so_path: &str, function: &str) -> Result<()> {
        if let Some(pending) = self.pending_job.take() {
            return self.launch_job(pending, so_path, function);
        }
        self.running = true;
        self.ran_since_report = true;
        self.interrupted = false;
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

    /// Forks the job from the worker, starts it or queues it, and tells evcxr at once that
    /// the cell is done: the prompt comes back while the job runs.
    fn launch_job(&mut self, pending: PendingJob, so_path: &str, function: &str) -> Result<()> {
        self.ran_since_report = true;
        self.job_limit = pending.limit.max(1);
        let message = ToWorker::RunJob(JobRun {
            so_path: so_path.to_owned(),
            function: function.to_owned(),
            log: pending.log.clone(),
            detach: pending.from.is_some(),
            keep: pending.id.keeps_state(),
        });
        // From a snapshot: the frozen copy forks it, and answers on the worker socket.
        let target = match pending.from {
            None => Ok(&self.worker_control),
            Some(id) => self
                .snapshots
                .get(&id)
                .map(|s| &s.wake)
                .ok_or_else(|| anyhow!("there is no snapshot {id} to run the job on")),
        };
        let launched = target
            .and_then(|socket| packet::send(socket, &message, None).map_err(anyhow::Error::from))
            .and_then(|()| self.worker_reply());
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
                self.jobs.insert(pending.id, job);
                let started = self.start_queued_jobs(Some(pending.id));
                self.launched_job = Some(JobLaunch {
                    pid: pid.as_raw() as u32,
                    queued: !started,
                });
            }
            Ok((other, _)) => {
                eprintln!("tmrepl supervisor: the job could not start: {other:?}");
                self.panicked = true;
            }
            Err(e) => {
                eprintln!("tmrepl supervisor: the job could not start: {e:#}");
                self.panicked = true;
            }
        }
        self.finish_cell(false)
    }

    /// Starts queued jobs, oldest first, up to the limit (tmrepl's own save jobs do not
    /// wait for the user's). Returns whether `watch` started.
    fn start_queued_jobs(&mut self, watch: Option<JobId>) -> bool {
        let mut watched_started = false;
        loop {
            let running = self
                .jobs
                .iter()
                .filter(|(id, j)| j.started.is_some() && id.keeps_state())
                .count();
            let room = running < self.job_limit as usize;
            let Some((&id, job)) = self
                .jobs
                .iter_mut()
                .find(|(id, j)| j.started.is_none() && (room || !id.keeps_state()))
            else {
                break;
            };
            if packet::send(&job.socket, &ToWorker::Go, None).is_err() {
                job.started = Some(Instant::now());
                continue;
            }
            job.started = Some(Instant::now());
            if Some(id) == watch {
                watched_started = true;
            } else {
                let _ = self.send_host(&SupervisorMessage::JobStarted { job: id });
            }
        }
        watched_started
    }

    fn handle_job(&mut self, id: JobId, message: bool, exited: bool) -> Result<()> {
        let Some(job) = self.jobs.get(&id) else {
            return Ok(());
        };
        let finished = if message && !exited {
            match packet::recv::<FromJob>(&job.socket) {
                Ok(Some((FromJob::Finished { threads }, _))) => Some(threads),
                _ => None,
            }
        } else {
            None
        };
        let Some(job) = self.jobs.remove(&id) else {
            return Ok(());
        };
        let micros = job
            .started
            .map(|s| s.elapsed().as_micros() as u64)
            .unwrap_or(0);
        let peak_bytes = peak_memory(job.pid);
        let report = match (finished, id) {
            (Some(_), JobId::Hidden(_)) => {
                // It exits right after reporting.
                let _ = waitpid(job.pid, None);
                JobReport {
                    job: id,
                    end: JobEnd::Finished,
                    micros,
                    peak_bytes,
                    degraded: None,
                }
            }
            (Some(threads), JobId::Cell(cell)) => {
                let log = std::fs::read_to_string(&job.log).unwrap_or_default();
                let panicked = log.lines().any(|l| l == PANIC_NOTIFICATION);
                let degraded = (threads > 1)
                    .then(|| format!("the job had {threads} threads; its snapshot has only one"));
                // The finished job is frozen on its socket: it is now snapshot `cell`.
                self.snapshots.insert(
                    cell,
                    Snapshot {
                        pid: job.pid,
                        wake: job.socket,
                        degraded: degraded.clone(),
                    },
                );
                JobReport {
                    job: id,
                    end: if panicked {
                        JobEnd::Panicked
                    } else {
                        JobEnd::Finished
                    },
                    micros,
                    peak_bytes,
                    degraded,
                }
            }
            (None, _) => {
                let status = waitpid(job.pid, None);
                JobReport {
                    job: id,
                    end: if job.killed {
                        JobEnd::Killed
                    } else {
                        JobEnd::Crashed(describe_exit(status))
                    },
                    micros,
                    peak_bytes,
                    degraded: None,
                }
            }
        };
        self.send_host(&SupervisorMessage::JobFinished(report))?;
        self.start_queued_jobs(None);
        Ok(())
    }

    fn kill_job(&mut self, cell: u32) -> SupervisorMessage {
        match self.jobs.get_mut(&JobId::Cell(cell)) {
            Some(job) => {
                job.killed = true;
                let _ = kill(job.pid, Signal::SIGTERM);
                job.kill_at = Some(Instant::now() + Duration::from_secs(2));
                SupervisorMessage::Killing { cell }
            }
            None => SupervisorMessage::Error {
                message: format!("job {cell} is not running"),
            },
        }
    }

    fn enforce_kill_deadlines(&mut self) {
        let now = Instant::now();
        for job in self.jobs.values_mut() {
            if job.kill_at.is_some_and(|at| at <= now) {
                let _ = kill(job.pid, Signal::SIGKILL);
                job.kill_at = None;
            }
        }
    }

    fn pump_worker_stdout(&mut self) -> Result<()> {
        let mut buf = [0u8; 65536];
        loop {
            match self.worker_stdout.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    self.stdout_pending.extend_from_slice(&buf[..n]);
                    self.relay_stdout_lines()?;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn relay_stdout_lines(&mut self) -> Result<()> {
        while let Some(pos) = self.stdout_pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.stdout_pending.drain(..=pos).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
            if text == EXECUTION_COMPLETE {
                self.finish_cell(false)?;
            } else if let Some(rest) = text.strip_prefix(INPUT_REQUEST) {
                let password = text.starts_with(INPUT_REQUEST_PASSWORD);
                let prompt = rest.split_once(':').map(|(_, p)| p).unwrap_or("");
                self.send_host(&SupervisorMessage::InputRequest {
                    prompt: prompt.to_owned(),
                    password,
                })?;
            } else {
                if text == PANIC_NOTIFICATION {
                    self.panicked = true;
                }
                if self.running {
                    write_all_stdout(&line)?;
                } else {
                    // Between cells nobody reads evcxr's stdout; its stderr is always drained.
                    write_all_stderr(&line)?;
                }
            }
        }
        Ok(())
    }

    fn pump_worker_stderr(&mut self) -> Result<()> {
        let mut buf = [0u8; 65536];
        loop {
            match self.worker_stderr.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => write_all_stderr(&buf[..n])?,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Tells evcxr the cell is over, after every byte of its stderr went out first.
    fn finish_cell(&mut self, crashed: bool) -> Result<()> {
        self.pump_worker_stderr()?;
        write_all_stderr(format!("{STDERR_MARK}\n").as_bytes())?;
        if crashed {
            write_all_stdout(format!("{PANIC_NOTIFICATION}\n").as_bytes())?;
        }
        write_all_stdout(format!("{EXECUTION_COMPLETE}\n").as_bytes())?;
        self.running = false;
        Ok(())
    }

    fn handle_interrupt(&mut self) {
        let mut sink = [0u8; 64];
        while matches!(self.interrupts.read(&mut sink), Ok(n) if n > 0) {}
        if self.running
            && let Some(active) = &self.active
        {
            self.interrupted = true;
            let _ = kill(active.pid, Signal::SIGKILL);
        }
    }

    fn handle_worker_exit(&mut self) -> Result<()> {
        let Some(active) = self.active.take() else {
            return Ok(());
        };
        // Everything it wrote before dying is in the pipes; relay it in order.
        self.pump_worker_stdout()?;
        self.pump_worker_stderr()?;
        let status = waitpid(active.pid, None);
        reap_zombies();
        let description = if self.interrupted {
            "interrupted".to_owned()
        } else {
            describe_exit(status)
        };
        let restored_to = self.head;
        self.wake_snapshot(restored_to)
            .with_context(|| format!("restoring snapshot {restored_to} after a crash"))?;
        if self.running {
            self.crash = Some(Crash {
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
            HostRequest::Drop { snapshots } => Some(self.drop_snapshots(&snapshots)),
            HostRequest::Measure { snapshots } => Some(self.measure(snapshots.as_deref())),
            HostRequest::PrepareJob {
                job,
                log,
                limit,
                from,
            } => {
                self.pending_job = Some(PendingJob {
                    id: job,
                    log,
                    limit,
                    from,
                });
                Some(SupervisorMessage::Ack)
            }
            HostRequest::KillJob { cell } => Some(self.kill_job(cell)),
            HostRequest::InputAnswer { text } => {
                let mut line = text.into_bytes();
                line.push(b'\n');
                if let Err(e) = self.worker_stdin.write_all(&line) {
                    eprintln!("tmrepl supervisor: could not pass input to the cell: {e}");
                }
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
        self.pending_job = None;
        let mut report = CellReport {
            ran: std::mem::take(&mut self.ran_since_report),
            panicked: std::mem::take(&mut self.panicked),
            crash: self.crash.take(),
            snapshot: None,
            job: self.launched_job.take(),
        };
        if report.job.is_some() {
            return SupervisorMessage::CellDone(report);
        }
        if report.crash.is_none()
            && let Some(id) = snapshot
        {
            match self.take_snapshot(id) {
                Ok(info) => report.snapshot = Some(info),
                Err(e) => {
                    return SupervisorMessage::Error {
                        message: format!("snapshot of cell {id} failed: {e:#}"),
                    };
                }
            }
        }
        SupervisorMessage::CellDone(report)
    }

    /// Waits for the worker's answer to a snapshot or wake request.
    fn worker_reply(&mut self) -> Result<(FromWorker, Option<OwnedFd>)> {
        let deadline = Instant::now() + WORKER_REPLY_TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                bail!("the worker did not answer in {WORKER_REPLY_TIMEOUT:?}");
            }
            let ready = {
                let mut fds = [PollFd::new(self.worker_control.as_fd(), PollFlags::POLLIN)];
                let timeout = PollTimeout::try_from(remaining).unwrap_or(PollTimeout::MAX);
                match poll(&mut fds, timeout) {
                    Ok(n) => n > 0,
                    Err(nix::errno::Errno::EINTR) => false,
                    Err(e) => return Err(e.into()),
                }
            };
            if ready {
                return match packet::recv::<FromWorker>(&self.worker_control)? {
                    Some(reply) => Ok(reply),
                    None => Err(anyhow!("the worker control socket closed")),
                };
            }
        }
    }

    fn take_snapshot(&mut self, id: u32) -> Result<SnapshotInfo> {
        packet::send(&self.worker_control, &ToWorker::Snapshot, None)?;
        let (reply, fd) = self.worker_reply()?;
        let info = self.register_fork(id, reply, fd)?;
        self.head = id;
        Ok(info)
    }

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
                if let Some(old) = self.snapshots.insert(
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

    fn restore(&mut self, id: u32) -> Result<()> {
        if !self.snapshots.contains_key(&id) {
            bail!("there is no snapshot {id}");
        }
        if let Some(active) = self.active.take() {
            let _ = kill(active.pid, Signal::SIGKILL);
            let _ = waitpid(active.pid, None);
            reap_zombies();
            // Whatever it printed in the background goes out before the new worker speaks.
            self.pump_worker_stdout()?;
            self.pump_worker_stderr()?;
        }
        self.wake_snapshot(id)
    }

    /// Wakes snapshot `id` as the active worker. The copy forks its own replacement first,
    /// which takes over the snapshot's place. The active worker must already be dead, so
    /// every frozen copy is our direct child by now (orphans come to the subreaper).
    fn wake_snapshot(&mut self, id: u32) -> Result<()> {
        let snapshot = self
            .snapshots
            .remove(&id)
            .ok_or_else(|| anyhow!("there is no snapshot {id}"))?;
        packet::send(&snapshot.wake, &ToWorker::Wake, None)?;
        let (reply, fd) = self.worker_reply()?;
        let woken = snapshot.pid;
        let degraded = snapshot.degraded.clone();
        drop(snapshot);
        self.register_fork(id, reply, fd)?;
        if let Some(s) = self.snapshots.get_mut(&id) {
            s.degraded = degraded;
        }
        self.active = Some(ActiveWorker {
            pid: woken,
            exited: sys::pidfd_open(woken.as_raw())?,
        });
        self.head = id;
        Ok(())
    }

    fn drop_snapshots(&mut self, ids: &[u32]) -> SupervisorMessage {
        let mut freed_bytes = 0;
        for id in ids {
            if *id == BASELINE_SNAPSHOT {
                continue;
            }
            if let Some(snapshot) = self.snapshots.remove(id) {
                freed_bytes += memory_of(snapshot.pid).map(|m| m.private).unwrap_or(0);
                kill_and_reap(snapshot.pid);
            }
        }
        if !self.snapshots.contains_key(&self.head) {
            self.head = BASELINE_SNAPSHOT;
        }
        SupervisorMessage::Dropped { freed_bytes }
    }

    /// smaps_rollup walks a process's page tables, so only the snapshots asked for are read.
    fn measure(&self, only: Option<&[u32]>) -> SupervisorMessage {
        let snapshots = self
            .snapshots
            .iter()
            .filter(|(id, _)| only.is_none_or(|ids| ids.contains(id)))
            .map(|(id, s)| (*id, memory_of(s.pid).unwrap_or_default()))
            .collect();
        let worker = self
            .active
            .as_ref()
            .and_then(|a| memory_of(a.pid).ok())
            .unwrap_or_default();
        SupervisorMessage::Measured { snapshots, worker }
    }

    fn shutdown(&mut self) -> Result<()> {
        if let Some(active) = self.active.take() {
            kill_and_reap(active.pid);
        }
        for (_, job) in std::mem::take(&mut self.jobs) {
            kill_and_reap(job.pid);
        }
        for (_, snapshot) in std::mem::take(&mut self.snapshots) {
            kill_and_reap(snapshot.pid);
        }
        Ok(())
    }
}

/// Reaps children that already died: dropped snapshots that were the old worker's
/// children come to us (the subreaper) when it dies. Never blocks.
fn reap_zombies() {
    use nix::sys::wait::WaitPidFlag;
    while let Ok(status) = waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
}

fn kill_and_reap(pid: Pid) {
    let _ = kill(pid, Signal::SIGKILL);
    let _ = waitpid(pid, None);
}

fn write_all_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

fn write_all_stderr(bytes: &[u8]) -> Result<()> {
    let mut err = io::stderr().lock();
    err.write_all(bytes)?;
    err.flush()?;
    Ok(())
}

fn describe_exit(status: nix::Result<WaitStatus>) -> String {
    match status {
        Ok(WaitStatus::Exited(_, code)) => format!("the process exited with status {code}"),
        Ok(WaitStatus::Signaled(_, Signal::SIGKILL, _)) => {
            "killed by SIGKILL (out of memory, or killed from outside)".to_owned()
        }
        Ok(WaitStatus::Signaled(_, signal, core)) => {
            let what = match signal {
                Signal::SIGSEGV => "segmentation fault",
                Signal::SIGABRT => "aborted",
                Signal::SIGBUS => "bus error",
                Signal::SIGILL => "illegal instruction",
                Signal::SIGFPE => "arithmetic exception",
                _ => "killed by a signal",
            };
            let core = if core { ", core dumped" } else { "" };
            format!("{what} ({}{core})", signal.as_str())
        }
        Ok(other) => format!("the worker stopped unexpectedly: {other:?}"),
        Err(e) => format!("the worker vanished ({e})"),
    }
}

/// Peak resident memory (VmHWM) of a live process, 0 when unknown.
fn peak_memory(pid: Pid) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map(|kib| kib * 1024)
        .unwrap_or(0)
}

/// Reads /proc/PID/smaps_rollup.
pub fn memory_of(pid: Pid) -> io::Result<Memory> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    Ok(parse_smaps_rollup(&text))
}

pub fn parse_smaps_rollup(text: &str) -> Memory {
    let mut memory = Memory::default();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(kib) = value.parse::<u64>() else {
            continue;
        };
        let bytes = kib * 1024;
        match key {
            "Rss:" => memory.rss = bytes,
            "Pss:" => memory.pss = bytes,
            "Private_Clean:" | "Private_Dirty:" => memory.private += bytes,
            _ => {}
        }
    }
    memory
}

/// `LOAD_AND_RUN <so path> <fn>`: the path may hold spaces (a home folder's name), the
/// generated function's name never does.
fn parse_load_and_run(line: &str) -> Option<(&str, &str)> {
    let (path, function) = line.strip_prefix("LOAD_AND_RUN ")?.rsplit_once(' ')?;
    (!path.is_empty() && !function.is_empty()).then_some((path, function))
}

#[cfg(test)]
mod tests {
    #[test]
    fn load_lines_keep_spaces_in_paths() {
        assert_eq!(
            super::parse_load_and_run("LOAD_AND_RUN /home/a user/libcode_1.so run_user_code_1"),
            Some(("/home/a user/libcode_1.so", "run_user_code_1"))
        );
        assert_eq!(super::parse_load_and_run("LOAD_AND_RUN x"), None);
        assert_eq!(super::parse_load_and_run("HELLO a b"), None);
    }
    use super::*;

    #[test]
    fn smaps_rollup_is_parsed() {
        let text = "55d0c0000000-7ffd00000000 ---p 00000000 00:00 0 [rollup]\n\
                    Rss:               10240 kB\nPss:                4096 kB\n\
                    Private_Clean:        12 kB\nPrivate_Dirty:      2036 kB\n";
        let memory = parse_smaps_rollup(text);
        assert_eq!(memory.rss, 10240 * 1024);
        assert_eq!(memory.pss, 4096 * 1024);
        assert_eq!(memory.private, 2048 * 1024);
    }

    #[test]
    fn exit_statuses_read_as_sentences() {
        let pid = Pid::from_raw(1);
        assert_eq!(
            describe_exit(Ok(WaitStatus::Exited(pid, 3))),
            "the process exited with status 3"
        );
        assert!(
            describe_exit(Ok(WaitStatus::Signaled(pid, Signal::SIGSEGV, false)))
                .starts_with("segmentation fault (SIGSEGV")
        );
    }
}
