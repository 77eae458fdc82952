//! While the full-screen interface owns the terminal, this process's standard error goes
//! into a pipe whose lines are shown in the transcript. evcxr writes cargo's `Compiling
//! <crate>` lines for a `:dep` straight to the host's stderr; on the terminal they
//! scribbled over the screen until the next redraw.

use crossbeam_channel::Receiver;
use nix::unistd::{dup, dup2_stderr, pipe};
use std::io::{BufRead, BufReader};
use std::os::fd::OwnedFd;
use std::sync::Mutex;

/// The terminal's stderr while captured: restored on drop and by the panic hook, so a
/// panic's message reaches the terminal.
static SAVED: Mutex<Option<OwnedFd>> = Mutex::new(None);

pub struct StderrCapture {
    lines: Receiver<String>,
}

impl StderrCapture {
    /// Points fd 2 at a pipe. Fails (and changes nothing) when the pipe cannot be made.
    pub fn start() -> std::io::Result<StderrCapture> {
        let saved = dup(std::io::stderr())?;
        let (read, write) = pipe()?;
        dup2_stderr(&write)?;
        drop(write);
        if let Ok(mut slot) = SAVED.lock() {
            *slot = Some(saved);
        }
        let (tx, rx) = crossbeam_channel::unbounded();
        let _ = std::thread::Builder::new()
            .name("tmrepl-stderr".into())
            .spawn(move || {
                for line in BufReader::new(std::fs::File::from(read)).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        Ok(StderrCapture { lines: rx })
    }

    /// Lines written to stderr since the last call.
    pub fn lines(&self) -> &Receiver<String> {
        &self.lines
    }

    /// Gives fd 2 back to the terminal. Safe to call more than once, and from a panic hook.
    pub fn restore() {
        if let Ok(mut slot) = SAVED.lock()
            && let Some(saved) = slot.take()
        {
            let _ = dup2_stderr(&saved);
        }
    }
}

impl Drop for StderrCapture {
    fn drop(&mut self) {
        StderrCapture::restore();
    }
}
