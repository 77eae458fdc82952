//! The process side of the time machine: the supervisor and worker that run inside the
//! child process evcxr starts, and the host's link to them. Depends on no other tmrepl
//! module; the only place that forks (ARCHITECTURE.md, "Processes").

mod load_path;
pub mod packet;
pub mod protocol;
pub mod supervisor;
#[allow(unsafe_code)]
mod sys;
pub use sys::{limit_heap_arenas, release_free_heap};
mod worker;

use anyhow::{Context, Result, anyhow, bail};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use protocol::{CONTROL_SOCKET_ENV, HostRequest, SUPERVISOR_ARG, SupervisorMessage};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// Sets an environment variable of this process; refused once it has a second thread.
pub fn set_env_before_threads(key: &str, value: &str) -> std::io::Result<()> {
    sys::set_env(key, Some(value))
}

/// The tmrepl executable to start as evcxr's child (default: this executable).
pub const EXE_ENV: &str = "TMREPL_EXE";

/// Messages the supervisor sends without being asked.
#[derive(Debug, Clone)]
pub enum RuntimeNotice {
    InputRequest { prompt: String, password: bool },
    JobStarted { job: protocol::JobId },
    JobFinished(protocol::JobReport),
}

/// The host's end of the control socket.
pub struct RuntimeLink {
    _socket_dir: tempfile::TempDir,
    listener: UnixListener,
    writer: Option<Arc<Mutex<UnixStream>>>,
    replies: Option<Receiver<SupervisorMessage>>,
    remote: RuntimeRemote,
    notices: Sender<RuntimeNotice>,
}

/// A cloneable handle for the UI thread: interrupts and input answers never wait for the
/// engine thread, which is blocked inside evcxr while a cell runs.
#[derive(Clone)]
pub struct RuntimeRemote {
    writer: Arc<Mutex<Option<Arc<Mutex<UnixStream>>>>>,
    supervisor_pid: Arc<AtomicU32>,
}

impl RuntimeRemote {
    /// Stops the running cell, if any. The supervisor kills the worker and restores the
    /// latest snapshot.
    pub fn interrupt(&self) {
        let pid = self.supervisor_pid.load(Ordering::SeqCst);
        if pid != 0 {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGINT,
            );
        }
    }

    pub fn answer_input(&self, text: String) -> Result<()> {
        let guard = self
            .writer
            .lock()
            .map_err(|_| anyhow!("control lock poisoned"))?;
        let writer = guard
            .as_ref()
            .ok_or_else(|| anyhow!("runtime not connected"))?;
        let mut stream = writer
            .lock()
            .map_err(|_| anyhow!("control lock poisoned"))?;
        protocol::write_frame(&mut *stream, &HostRequest::InputAnswer { text })?;
        Ok(())
    }
}

impl RuntimeLink {
    /// Creates the control socket and the command evcxr should start as its child.
    pub fn prepare(notices: Sender<RuntimeNotice>) -> Result<(RuntimeLink, Command)> {
        let socket_dir = tempfile::Builder::new()
            .prefix("tmrepl-")
            .tempdir()
            .context("creating the control socket folder")?;
        let path = socket_dir.path().join("control.sock");
        let listener = UnixListener::bind(&path).context("binding the control socket")?;
        // Tests and benches that link the library point this at the real binary.
        let exe = match std::env::var_os(EXE_ENV) {
            Some(exe) => std::path::PathBuf::from(exe),
            None => std::env::current_exe().context("finding the tmrepl executable")?,
        };
        let mut command = Command::new(exe);
        command
            .arg(SUPERVISOR_ARG)
            .env(CONTROL_SOCKET_ENV, &path)
            .env(
                worker::USER_BACKTRACE_ENV,
                std::env::var("RUST_BACKTRACE").unwrap_or_default(),
            );
        // Huge pages make fork 30-50x faster for large heaps (ARCHITECTURE.md, "Fork costs").
        let tunables = match std::env::var("GLIBC_TUNABLES") {
            Ok(existing) if !existing.is_empty() => format!("{existing}:glibc.malloc.hugetlb=1"),
            _ => "glibc.malloc.hugetlb=1".to_owned(),
        };
        command.env("GLIBC_TUNABLES", tunables);
        Ok((
            RuntimeLink {
                _socket_dir: socket_dir,
                listener,
                writer: None,
                replies: None,
                remote: RuntimeRemote {
                    writer: Arc::new(Mutex::new(None)),
                    supervisor_pid: Arc::new(AtomicU32::new(0)),
                },
                notices,
            },
            command,
        ))
    }

    /// Accepts the supervisor's connection (made while evcxr started it) and waits for it
    /// to report ready.
    pub fn connect(&mut self) -> Result<()> {
        self.listener.set_nonblocking(true)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let stream = loop {
            match self.listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        bail!("the tmrepl supervisor did not connect");
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e.into()),
            }
        };
        stream.set_nonblocking(false)?;
        let mut reader = stream.try_clone()?;
        let (reply_tx, reply_rx) = crossbeam_channel::unbounded();
        let notices = self.notices.clone();
        std::thread::Builder::new()
            .name("tmrepl-control".into())
            .spawn(move || {
                while let Ok(message) = protocol::read_frame::<SupervisorMessage>(&mut reader) {
                    match message {
                        SupervisorMessage::InputRequest { prompt, password } => {
                            let _ = notices.send(RuntimeNotice::InputRequest { prompt, password });
                        }
                        SupervisorMessage::JobStarted { job } => {
                            let _ = notices.send(RuntimeNotice::JobStarted { job });
                        }
                        SupervisorMessage::JobFinished(report) => {
                            let _ = notices.send(RuntimeNotice::JobFinished(report));
                        }
                        other => {
                            if reply_tx.send(other).is_err() {
                                break;
                            }
                        }
                    }
                }
            })?;
        self.replies = Some(reply_rx);
        let writer = Arc::new(Mutex::new(stream));
        self.writer = Some(writer.clone());
        if let Ok(mut slot) = self.remote.writer.lock() {
            *slot = Some(writer);
        }
        match self.wait_reply()? {
            SupervisorMessage::Ready { pid } => {
                self.remote.supervisor_pid.store(pid, Ordering::SeqCst);
                Ok(())
            }
            other => bail!("unexpected first message from the supervisor: {other:?}"),
        }
    }

    /// Where the user's job for `cell` writes its output (removed with the session).
    pub fn job_log(&self, cell: u32) -> std::path::PathBuf {
        self._socket_dir.path().join(format!("job-{cell}.log"))
    }

    /// Where hidden save job `n` writes its output, apart from the user's job logs.
    pub fn save_job_log(&self, n: u32) -> std::path::PathBuf {
        self._socket_dir.path().join(format!("save-{n}.log"))
    }

    pub fn remote(&self) -> RuntimeRemote {
        self.remote.clone()
    }

    pub fn request(&self, request: &HostRequest) -> Result<SupervisorMessage> {
        {
            let writer = self
                .writer
                .as_ref()
                .ok_or_else(|| anyhow!("the runtime is not connected"))?;
            let mut stream = writer
                .lock()
                .map_err(|_| anyhow!("control lock poisoned"))?;
            protocol::write_frame(&mut *stream, request).context("talking to the supervisor")?;
        }
        match self.wait_reply()? {
            SupervisorMessage::Error { message } => Err(anyhow!(message)),
            reply => Ok(reply),
        }
    }

    fn wait_reply(&self) -> Result<SupervisorMessage> {
        let replies = self
            .replies
            .as_ref()
            .ok_or_else(|| anyhow!("the runtime is not connected"))?;
        match replies.recv_timeout(REPLY_TIMEOUT) {
            Ok(reply) => Ok(reply),
            Err(RecvTimeoutError::Timeout) => bail!("the supervisor did not answer"),
            Err(RecvTimeoutError::Disconnected) => bail!("the supervisor has gone"),
        }
    }
}

/// Call first thing in `main`: runs the supervisor when evcxr started us as its child.
pub fn dispatch_runtime_mode() {
    if std::env::args().nth(1).as_deref() == Some(SUPERVISOR_ARG) {
        supervisor::run();
    }
}
