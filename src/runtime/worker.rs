//! The worker: loads and runs evcxr's compiled cells, holds the variable store, and forks
//! frozen copies of itself on request. Single-threaded by construction.

use super::packet;
use super::protocol::{FromJob, FromWorker, JobRun, ToWorker};
use super::sys::{self, Forked};
use std::io::Write;
use std::os::fd::OwnedFd;
use std::time::Instant;

const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";
const PANIC_NOTIFICATION: &str = "EVCXR_PANIC_NOTIFICATION";

/// The user's own RUST_BACKTRACE, which evcxr overrides with 1 for its child.
pub const USER_BACKTRACE_ENV: &str = "TMREPL_USER_RUST_BACKTRACE";

pub fn run(control: OwnedFd) -> ! {
    sys::default_signal(libc::SIGPIPE);
    let backtrace = std::env::var(USER_BACKTRACE_ENV)
        .ok()
        .filter(|v| !v.is_empty());
    // Right after the fork, before any user code: the worker has one thread.
    let _ = sys::set_env("RUST_BACKTRACE", backtrace.as_deref());
    let mut worker = Worker {
        control,
        cells: sys::Cells::new(),
        snapshots: Vec::new(),
    };
    loop {
        worker.reap_dropped_snapshots();
        let message = match packet::recv::<ToWorker>(&worker.control) {
            Ok(Some((message, _))) => message,
            // The supervisor is gone: nothing may run without it.
            Ok(None) | Err(_) => sys::exit_now(0),
        };
        match message {
            ToWorker::Run { so_path, function } => {
                match worker.cells.run(&so_path, &function) {
                    Ok(()) => {}
                    Err(error) => {
                        eprintln!("tmrepl worker: {error}");
                        println!("{PANIC_NOTIFICATION}");
                    }
                }
                println!("{EXECUTION_COMPLETE}");
                let _ = std::io::stdout().flush();
            }
            ToWorker::RunJob(job) => {
                if worker.launch_job(&job) {
                    // Only in the job's own process, woken as the active worker: its
                    // snapshot must outlive this, so a replacement takes its place.
                    worker.snapshot();
                }
            }
            ToWorker::Snapshot => worker.snapshot(),
            ToWorker::Wake | ToWorker::Go => {}
        }
    }
}

/// What every copy of the worker carries: the socket to the supervisor, evcxr's variable
/// store and the cell libraries the store's values may point into.
struct Worker {
    control: OwnedFd,
    cells: sys::Cells,
    /// The snapshots this copy forked: its children, which the supervisor kills when it
    /// drops them and only this copy can reap (else each stays a zombie, holding a pid).
    snapshots: Vec<libc::pid_t>,
}

impl Worker {
    /// Forks a frozen copy that waits on its own socket, whose other end goes to the
    /// supervisor. When a copy is woken it becomes the active worker and immediately forks
    /// a replacement, so the snapshot survives being restored any number of times.
    fn snapshot(&mut self) {
        loop {
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().flush();
            let threads = thread_count();
            let (mine, theirs) = match packet::pair() {
                Ok(pair) => pair,
                Err(e) => {
                    self.report_failure(e.to_string());
                    return;
                }
            };
            let started = Instant::now();
            match sys::fork_process() {
                Err(e) => {
                    self.report_failure(e.to_string());
                    return;
                }
                Ok(Forked::Parent(pid)) => {
                    drop(mine);
                    self.snapshots.push(pid);
                    let reply = FromWorker::Forked {
                        pid: pid as u32,
                        threads,
                        fork_micros: started.elapsed().as_micros() as u64,
                    };
                    if packet::send(&self.control, &reply, Some(&theirs)).is_err() {
                        sys::exit_now(0);
                    }
                    return;
                }
                Ok(Forked::Child) => {
                    drop(theirs);
                    // Its parent's snapshots are not its children.
                    self.snapshots.clear();
                    self.freeze(&mine);
                    // Woken: loop to fork this copy's replacement, then run as the active
                    // worker.
                }
            }
        }
    }

    /// Reaps the snapshots that were dropped since (never a process the user's code
    /// started: only pids this copy forked as snapshots are asked about).
    fn reap_dropped_snapshots(&mut self) {
        use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
        self.snapshots.retain(|pid| {
            matches!(
                waitpid(nix::unistd::Pid::from_raw(*pid), Some(WaitPidFlag::WNOHANG)),
                Ok(WaitStatus::StillAlive)
            )
        });
    }

    fn report_failure(&self, message: String) {
        let _ = packet::send(&self.control, &FromWorker::ForkFailed { message }, None);
    }

    /// A frozen copy waits here until it is woken as the active worker (then returns).
    /// Meanwhile it can fork jobs that run on its state, such as tmrepl's save jobs.
    fn freeze(&mut self, wake: &OwnedFd) {
        sys::ignore_interrupts();
        loop {
            match packet::recv::<ToWorker>(wake) {
                Ok(Some((ToWorker::Wake, _))) => return,
                Ok(Some((ToWorker::RunJob(job), _))) => {
                    // Whoever forked this copy may still be its parent.
                    let job = JobRun {
                        detach: true,
                        ..job
                    };
                    if self.launch_job(&job) {
                        // The job's process, woken: it is the active worker now.
                        return;
                    }
                }
                Ok(Some(_)) => continue,
                // The supervisor dropped this snapshot or died: a copy must never wake by
                // itself.
                Ok(None) | Err(_) => sys::exit_now(0),
            }
        }
    }

    /// Forks the job as a child of the supervisor: directly (CLONE_PARENT) from the active
    /// worker, or through a short-lived middle process from a frozen copy, whose own parent
    /// may be anybody. The caller returns false at once. The job waits for `Go`, runs with
    /// its output in the log, reports, then exits or waits frozen as a snapshot; returns
    /// true in the job's process once that is woken as the active worker.
    fn launch_job(&mut self, job: &JobRun) -> bool {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        let (ours, theirs) = match packet::pair() {
            Ok(pair) => pair,
            Err(e) => {
                self.report_failure(e.to_string());
                return false;
            }
        };
        let forked = if job.detach {
            match sys::fork_process() {
                Err(e) => {
                    self.report_failure(e.to_string());
                    return false;
                }
                Ok(Forked::Parent(middle)) => {
                    let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(middle), None);
                    return false;
                }
                Ok(Forked::Child) => sys::fork_process(),
            }
        } else {
            sys::fork_sibling()
        };
        match forked {
            Err(e) => {
                self.report_failure(e.to_string());
                if job.detach {
                    sys::exit_now(0);
                }
                false
            }
            Ok(Forked::Parent(pid)) => {
                drop(ours);
                let reply = FromWorker::JobForked { pid: pid as u32 };
                let _ = packet::send(&self.control, &reply, Some(&theirs));
                if job.detach {
                    // The middle process: the job is orphaned to the supervisor.
                    sys::exit_now(0);
                }
                false
            }
            Ok(Forked::Child) => {
                drop(theirs);
                self.run_job(job, ours)
            }
        }
    }

    fn run_job(&mut self, job: &JobRun, socket: OwnedFd) -> bool {
        sys::ignore_interrupts();
        loop {
            match packet::recv::<ToWorker>(&socket) {
                Ok(Some((ToWorker::Go, _))) => break,
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => sys::exit_now(0),
            }
        }
        let saved = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&job.log)
            .and_then(|file| sys::redirect_stdio(&file));
        let saved = match saved {
            Ok(saved) => saved,
            Err(_) => sys::exit_now(72),
        };
        match self.cells.run(&job.so_path, &job.function) {
            Ok(()) => {}
            Err(error) => {
                eprintln!("tmrepl job: {error}");
                println!("{PANIC_NOTIFICATION}");
            }
        }
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        let finished = FromJob::Finished {
            threads: thread_count(),
        };
        if packet::send(&socket, &finished, None).is_err() || !job.keep {
            sys::exit_now(0);
        }
        self.freeze(&socket);
        drop(socket);
        if sys::restore_stdio(saved).is_err() {
            sys::exit_now(73);
        }
        true
    }
}

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| dir.count())
        .unwrap_or(1)
}
