//! Messages between the host (tmrepl's UI process), the supervisor and its workers.
//!
//! Host and supervisor talk over a Unix stream socket with length-prefixed bincode frames.
//! Supervisor and workers talk over SOCK_SEQPACKET sockets (one message per packet), which
//! keeps message boundaries without any user-space buffering that a fork could duplicate.

use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};

/// First argument that turns the tmrepl binary into the supervisor evcxr talks to.
pub const SUPERVISOR_ARG: &str = "__tmrepl_supervisor";
/// Path of the host's listening control socket, handed to the supervisor.
pub const CONTROL_SOCKET_ENV: &str = "TMREPL_CONTROL_SOCKET";
/// Written by the supervisor to evcxr's stderr once a cell's stderr has all been relayed.
pub const STDERR_MARK: &str = "\u{1}TMREPL_STDERR_MARK";

/// Snapshot id of the pristine worker, taken before any cell ran.
pub const BASELINE_SNAPSHOT: u32 = 0;

/// A background job. The two kinds are numbered apart, so neither can take the other's id.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JobId {
    /// The user's job for cell N: it becomes snapshot N when it finishes.
    Cell(u32),
    /// One of tmrepl's own save jobs: never shown, exits when done, never waits its turn.
    Hidden(u32),
}

impl JobId {
    /// Whether the job freezes as a snapshot when done (else it exits).
    pub fn keeps_state(self) -> bool {
        matches!(self, JobId::Cell(_))
    }
}

const MAX_FRAME: usize = 16 << 20;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum HostRequest {
    /// evcxr's call for the last cell returned. Report what happened in the worker and,
    /// when `snapshot` is set, keep a frozen copy of the worker under that id.
    CellDone { snapshot: Option<u32> },
    /// Make the frozen copy `snapshot` the active worker (the snapshot itself stays).
    Restore { snapshot: u32 },
    /// Free these snapshots.
    Drop { snapshots: Vec<u32> },
    /// Measure the memory of these snapshots (all when None) and of the active worker.
    Measure { snapshots: Option<Vec<u32>> },
    /// The answer to an `InputRequest` from a running cell.
    InputAnswer { text: String },
    /// The next cell evcxr runs is background job `job`: run it in a fork of the worker
    /// (or of snapshot `from`) with its output in `log`, at most `limit` jobs at once
    /// (others wait, queued). A hidden job (tmrepl's own save jobs) starts at once whatever
    /// the limit and exits when done instead of becoming a snapshot.
    PrepareJob {
        job: JobId,
        log: String,
        limit: u32,
        from: Option<u32>,
    },
    /// SIGTERM the user's job for `cell`, SIGKILL it two seconds later.
    KillJob { cell: u32 },
    /// SIGKILL hidden job `job` now (a preview that ran out of time); answered `Ack`.
    StopHidden { job: u32 },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum SupervisorMessage {
    Ready {
        pid: u32,
    },
    CellDone(CellDoneReport),
    Restored {
        snapshot: u32,
        micros: u64,
    },
    Dropped {
        freed_bytes: u64,
    },
    Measured {
        snapshots: Vec<(u32, Memory)>,
        worker: Memory,
    },
    /// A running cell asked for a line of input (evcxr_input). Sent unprompted.
    InputRequest {
        prompt: String,
        password: bool,
    },
    Error {
        message: String,
    },
    /// Answer to requests that only need acknowledging (PrepareJob).
    Ack,
    /// Answer to KillJob.
    Killing {
        cell: u32,
    },
    /// A queued job got its turn. Sent unprompted.
    JobStarted {
        job: JobId,
    },
    /// A job ended; when a `JobId::Cell(n)` ran to the end it is now snapshot `n`. Sent
    /// unprompted.
    JobFinished(JobReport),
}

/// How a job ended, one type from the supervisor to the session (the core's, pure data).
pub use crate::session::JobOutcome;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct JobReport {
    pub job: JobId,
    pub end: JobOutcome,
    /// Time from the job's start (not its queueing) to its end.
    pub micros: u64,
    /// Peak resident memory (VmHWM).
    pub peak_bytes: u64,
    pub degraded: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct CellDoneReport {
    /// Whether the worker ran any code since the previous report.
    pub ran: bool,
    /// The cell's code panicked (caught by evcxr's wrapper; the worker lives on).
    pub panicked: bool,
    /// The worker died while running the cell and was replaced by a snapshot.
    pub crash: Option<Crash>,
    pub snapshot: Option<SnapshotInfo>,
    /// Why the snapshot asked for could not be taken (fork failed: the process limit or
    /// memory); the cell itself ran.
    pub snapshot_error: Option<String>,
    /// Set when the cell was launched as a background job.
    pub job: Option<JobLaunch>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct JobLaunch {
    pub pid: u32,
    pub queued: bool,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Crash {
    /// One line: what killed the cell.
    pub description: String,
    /// The snapshot that became the active worker.
    pub restored_to: u32,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SnapshotInfo {
    pub id: u32,
    pub pid: u32,
    pub fork_micros: u64,
    /// Set when the worker had other threads: the copy lacks them.
    pub degraded: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Default)]
pub struct Memory {
    pub rss: u64,
    pub pss: u64,
    /// Private_Clean + Private_Dirty: what killing the process gives back.
    pub private: u64,
}

/// Supervisor → worker, and supervisor → frozen snapshot.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum ToWorker {
    Run {
        so_path: String,
        function: String,
    },
    /// Fork a sibling (a child of the supervisor) that runs the cell with its output in
    /// `log`, once told `Go` on the socket that comes back with `JobForked`.
    RunJob(JobRun),
    Snapshot,
    Wake,
    Go,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct JobRun {
    pub so_path: String,
    pub function: String,
    pub log: String,
    /// Sent to a frozen snapshot: fork twice, so the job is orphaned to the supervisor
    /// (the subreaper) whoever the snapshot's parent is.
    pub detach: bool,
    /// Freeze as a snapshot when done (else exit).
    pub keep: bool,
}

/// A job → supervisor, on the job's own socket (which later wakes it as a snapshot).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum FromJob {
    Finished { threads: usize },
}

/// Worker → supervisor. `Forked` carries the new snapshot's wake socket as SCM_RIGHTS.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum FromWorker {
    Forked {
        pid: u32,
        threads: usize,
        fork_micros: u64,
    },
    ForkFailed {
        message: String,
    },
    JobForked {
        pid: u32,
    },
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_FRAME>()
}

pub fn encode<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    bincode::serde::encode_to_vec(value, bincode_config()).map_err(io::Error::other)
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> io::Result<T> {
    bincode::serde::decode_from_slice(bytes, bincode_config())
        .map(|(value, _)| value)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

pub fn write_frame<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let body = encode(value)?;
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&body);
    out.write_all(&frame)?;
    out.flush()
}

pub fn read_frame<T: for<'de> Deserialize<'de>>(input: &mut impl Read) -> io::Result<T> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("control frame of {len} bytes exceeds the limit"),
        ));
    }
    let mut body = vec![0u8; len];
    input.read_exact(&mut body)?;
    decode(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let mut buf = Vec::new();
        let request = HostRequest::Drop {
            snapshots: vec![1, 5, 9],
        };
        write_frame(&mut buf, &request).unwrap();
        write_frame(&mut buf, &HostRequest::Measure { snapshots: None }).unwrap();
        let mut reader = &buf[..];
        assert_eq!(read_frame::<HostRequest>(&mut reader).unwrap(), request);
        assert_eq!(
            read_frame::<HostRequest>(&mut reader).unwrap(),
            HostRequest::Measure { snapshots: None }
        );
        assert!(read_frame::<HostRequest>(&mut reader).is_err());
    }

    #[test]
    fn job_ids_keep_their_kind_on_the_wire() {
        let mut buf = Vec::new();
        let prepare = HostRequest::PrepareJob {
            job: JobId::Hidden(3),
            log: "save-3.log".into(),
            limit: 4,
            from: Some(2),
        };
        write_frame(&mut buf, &prepare).unwrap();
        write_frame(
            &mut buf,
            &SupervisorMessage::JobStarted {
                job: JobId::Cell(3),
            },
        )
        .unwrap();
        let mut reader = &buf[..];
        assert_eq!(read_frame::<HostRequest>(&mut reader).unwrap(), prepare);
        assert_eq!(
            read_frame::<SupervisorMessage>(&mut reader).unwrap(),
            SupervisorMessage::JobStarted {
                job: JobId::Cell(3)
            }
        );
        assert_ne!(JobId::Cell(3), JobId::Hidden(3));
        assert!(JobId::Cell(3).keeps_state() && !JobId::Hidden(3).keeps_state());
        // Queued jobs start in this order: the user's by cell, then save jobs.
        assert!(JobId::Cell(u32::MAX) < JobId::Hidden(0));
    }

    #[test]
    fn oversized_frame_is_refused_before_allocating() {
        let mut bytes = (u32::MAX).to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0; 8]);
        let err = read_frame::<HostRequest>(&mut &bytes[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
