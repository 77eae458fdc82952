//! The worker: loads and runs evcxr's compiled cells, holds the variable store, and forks
//! frozen copies of itself on request. Single-threaded by construction.

use super::packet;
use super::protocol::{FromJob, FromWorker, ToWorker};
use super::sys::{self, Forked};
use std::ffi::c_void;
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
    sys::set_env("RUST_BACKTRACE", backtrace.as_deref());
    let mut store: *mut c_void = std::ptr::null_mut();
    let mut libraries = Vec::new();
    loop {
        let message = match packet::recv::<ToWorker>(&control) {
            Ok(Some((message, _))) => message,
            // The supervisor is gone: nothing may run without it.
            Ok(None) | Err(_) => sys::exit_now(0),
        };
        match message {
            ToWorker::Run { so_path, function } => {
                match sys::load_and_call(&so_path, &function, store) {
                    Ok((library, new_store)) => {
                        store = new_store;
                        libraries.push(library);
                    }
                    Err(error) => {
                        eprintln!("tmrepl worker: {error}");
                        println!("{PANIC_NOTIFICATION}");
                    }
                }
                println!("{EXECUTION_COMPLETE}");
                let _ = std::io::stdout().flush();
            }
            ToWorker::RunJob {
                so_path,
                function,
                log,
            } => {
                if let Some(library) = launch_job(&control, &so_path, &function, &log, &mut store) {
                    // Only in the job's own process, once it was woken as the active worker.
                    libraries.push(library);
                }
            }
            ToWorker::Snapshot => snapshot(&control),
            ToWorker::Wake | ToWorker::Go => {}
        }
    }
}

/// Forks a frozen copy that waits on its own socket, whose other end goes to the supervisor.
/// When a copy is woken it becomes the active worker and immediately forks a replacement,
/// so the snapshot survives being restored any number of times.
fn snapshot(control: &OwnedFd) {
    loop {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        let threads = thread_count();
        let (mine, theirs) = match packet::pair() {
            Ok(pair) => pair,
            Err(e) => {
                let _ = packet::send(
                    control,
                    &FromWorker::ForkFailed {
                        message: e.to_string(),
                    },
                    None,
                );
                return;
            }
        };
        let started = Instant::now();
        match sys::fork_process() {
            Err(e) => {
                let _ = packet::send(
                    control,
                    &FromWorker::ForkFailed {
                        message: e.to_string(),
                    },
                    None,
                );
                return;
            }
            Ok(Forked::Parent(pid)) => {
                drop(mine);
                let reply = FromWorker::Forked {
                    pid: pid as u32,
                    threads,
                    fork_micros: started.elapsed().as_micros() as u64,
                };
                if packet::send(control, &reply, Some(&theirs)).is_err() {
                    sys::exit_now(0);
                }
                return;
            }
            Ok(Forked::Child) => {
                drop(theirs);
                wait_until_woken(&mine);
                // Woken: loop to fork this copy's replacement, then run as the active worker.
            }
        }
    }
}

/// Forks the job as the supervisor's child. The parent returns None at once. The job waits
/// for `Go`, runs with its output in the log, reports, then waits frozen as a snapshot; if it
/// is ever woken it returns (as the active worker) with the library it loaded.
fn launch_job(
    control: &OwnedFd,
    so_path: &str,
    function: &str,
    log: &str,
    store: &mut *mut c_void,
) -> Option<sys::Library> {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    let fail = |message: String| {
        let _ = packet::send(control, &FromWorker::ForkFailed { message }, None);
        None
    };
    let (ours, theirs) = match packet::pair() {
        Ok(pair) => pair,
        Err(e) => return fail(e.to_string()),
    };
    match sys::fork_sibling() {
        Err(e) => fail(e.to_string()),
        Ok(Forked::Parent(pid)) => {
            drop(ours);
            let _ = packet::send(
                control,
                &FromWorker::JobForked { pid: pid as u32 },
                Some(&theirs),
            );
            None
        }
        Ok(Forked::Child) => {
            drop(theirs);
            sys::ignore_interrupts();
            loop {
                match packet::recv::<ToWorker>(&ours) {
                    Ok(Some((ToWorker::Go, _))) => break,
                    Ok(Some(_)) => continue,
                    Ok(None) | Err(_) => sys::exit_now(0),
                }
            }
            let saved = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .and_then(|file| sys::redirect_stdio(&file));
            let saved = match saved {
                Ok(saved) => saved,
                Err(_) => sys::exit_now(72),
            };
            let library = match sys::load_and_call(so_path, function, *store) {
                Ok((library, new_store)) => {
                    *store = new_store;
                    Some(library)
                }
                Err(error) => {
                    eprintln!("tmrepl job: {error}");
                    println!("{PANIC_NOTIFICATION}");
                    None
                }
            };
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().flush();
            let finished = FromJob::Finished {
                threads: thread_count(),
            };
            if packet::send(&ours, &finished, None).is_err() {
                sys::exit_now(0);
            }
            wait_until_woken(&ours);
            drop(ours);
            if sys::restore_stdio(saved).is_err() {
                sys::exit_now(73);
            }
            snapshot(control);
            library
        }
    }
}

fn wait_until_woken(wake: &OwnedFd) {
    sys::ignore_interrupts();
    loop {
        match packet::recv::<ToWorker>(wake) {
            Ok(Some((ToWorker::Wake, _))) => return,
            Ok(Some(_)) => continue,
            // The supervisor dropped this snapshot or died: a copy must never wake by itself.
            Ok(None) | Err(_) => sys::exit_now(0),
        }
    }
}

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| dir.count())
        .unwrap_or(1)
}
