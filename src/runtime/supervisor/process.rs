//! Facts about the supervisor's child processes and how they end: waiting for the worker's
//! answer on its control socket, killing and reaping, describing an exit status, and
//! reading a process's memory from /proc. Shared by the snapshot table, the job table and
//! the event loop; owns no state.

use super::super::packet;
use super::super::protocol::{FromWorker, Memory};
use anyhow::{Result, anyhow, bail};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

const WORKER_REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// Waits for the answer to a snapshot, wake or job request. It always comes on the worker's
/// control socket: frozen snapshots share it with the worker that forked them.
pub(super) fn worker_reply(control: &OwnedFd) -> Result<(FromWorker, Option<OwnedFd>)> {
    let deadline = Instant::now() + WORKER_REPLY_TIMEOUT;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            bail!("the worker did not answer in {WORKER_REPLY_TIMEOUT:?}");
        }
        let ready = {
            let mut fds = [PollFd::new(control.as_fd(), PollFlags::POLLIN)];
            let timeout = PollTimeout::try_from(remaining).unwrap_or(PollTimeout::MAX);
            match poll(&mut fds, timeout) {
                Ok(n) => n > 0,
                Err(nix::errno::Errno::EINTR) => false,
                Err(e) => return Err(e.into()),
            }
        };
        if ready {
            return match packet::recv::<FromWorker>(control)? {
                Some(reply) => Ok(reply),
                None => Err(anyhow!("the worker control socket closed")),
            };
        }
    }
}

/// Reaps children that already died: dropped snapshots that were the old worker's
/// children come to us (the subreaper) when it dies. Never blocks.
pub(super) fn reap_zombies() {
    use nix::sys::wait::WaitPidFlag;
    while let Ok(status) = waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
}

pub(super) fn kill_and_reap(pid: Pid) {
    let _ = kill(pid, Signal::SIGKILL);
    let _ = waitpid(pid, None);
}

pub(super) fn describe_exit(status: nix::Result<WaitStatus>) -> String {
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
pub(super) fn peak_memory(pid: Pid) -> u64 {
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

#[cfg(test)]
mod tests {
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
