//! The output relay: the pipes between evcxr and the worker. Reads evcxr's `LOAD_AND_RUN`
//! lines, reads the worker's stdout line by line (picking out evcxr's markers: execution
//! complete, panic, input request) and its stderr as it comes, passes input answers to the
//! worker's stdin, and ends each cell towards evcxr: the cell's stderr, then
//! `STDERR_MARK`, then `EVCXR_EXECUTION_COMPLETE`.

use super::super::load_path;
use super::super::protocol::STDERR_MARK;
use anyhow::Result;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};

const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";
pub(super) const PANIC_NOTIFICATION: &str = "EVCXR_PANIC_NOTIFICATION";
const INPUT_REQUEST: &str = "EVCXR_INPUT_REQUEST";
const INPUT_REQUEST_PASSWORD: &str = "EVCXR_INPUT_REQUEST_PASSWORD";

/// A line from evcxr.
pub(super) enum FromEvcxr {
    /// Run this function of this library (its path already as the worker must load it).
    LoadAndRun {
        so_path: String,
        function: String,
    },
    Unexpected(String),
}

/// A line the worker wrote to its stdout.
pub(super) enum WorkerLine {
    /// evcxr's wrapper returned from the cell's function.
    ExecutionComplete,
    /// The cell asks for a line of input (evcxr_input).
    InputRequest { prompt: String, password: bool },
    /// Anything else, newline included, for evcxr; `panicked` when it is evcxr's panic
    /// notice.
    Output { line: Vec<u8>, panicked: bool },
}

pub(super) struct Relay {
    /// Our stdin: evcxr's commands.
    evcxr: File,
    evcxr_pending: Vec<u8>,
    worker_stdin: File,
    /// Non-blocking.
    worker_stdout: File,
    stdout_pending: Vec<u8>,
    /// Non-blocking.
    worker_stderr: File,
}

impl Relay {
    pub(super) fn new(
        evcxr: File,
        worker_stdin: File,
        worker_stdout: File,
        worker_stderr: File,
    ) -> Relay {
        Relay {
            evcxr,
            evcxr_pending: Vec::new(),
            worker_stdin,
            worker_stdout,
            stdout_pending: Vec::new(),
            worker_stderr,
        }
    }

    pub(super) fn evcxr_fd(&self) -> BorrowedFd<'_> {
        self.evcxr.as_fd()
    }

    pub(super) fn worker_stdout_fd(&self) -> BorrowedFd<'_> {
        self.worker_stdout.as_fd()
    }

    pub(super) fn worker_stderr_fd(&self) -> BorrowedFd<'_> {
        self.worker_stderr.as_fd()
    }

    /// Reads what evcxr sent; its lines come from `next_from_evcxr`. Returns false at the
    /// end of its input.
    pub(super) fn read_evcxr(&mut self) -> Result<bool> {
        let mut buf = [0u8; 4096];
        let n = match self.evcxr.read(&mut buf) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(true),
            Err(e) => return Err(e.into()),
        };
        self.evcxr_pending.extend_from_slice(&buf[..n]);
        Ok(true)
    }

    pub(super) fn next_from_evcxr(&mut self) -> Option<FromEvcxr> {
        let pos = self.evcxr_pending.iter().position(|&b| b == b'\n')?;
        let line: Vec<u8> = self.evcxr_pending.drain(..=pos).collect();
        let line = String::from_utf8_lossy(&line).trim_end().to_string();
        Some(match parse_load_and_run(&line) {
            Some((so_path, function)) => FromEvcxr::LoadAndRun {
                so_path: load_path::loadable(so_path),
                function: function.to_owned(),
            },
            None => FromEvcxr::Unexpected(line),
        })
    }

    /// Reads one chunk of the worker's stdout; its lines come from `next_worker_line`.
    /// Returns false once nothing more is there for now.
    pub(super) fn read_worker_stdout(&mut self) -> Result<bool> {
        let mut buf = [0u8; 65536];
        loop {
            match self.worker_stdout.read(&mut buf) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.stdout_pending.extend_from_slice(&buf[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub(super) fn next_worker_line(&mut self) -> Option<WorkerLine> {
        let pos = self.stdout_pending.iter().position(|&b| b == b'\n')?;
        let line: Vec<u8> = self.stdout_pending.drain(..=pos).collect();
        let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
        Some(if text == EXECUTION_COMPLETE {
            WorkerLine::ExecutionComplete
        } else if let Some(rest) = text.strip_prefix(INPUT_REQUEST) {
            WorkerLine::InputRequest {
                prompt: rest
                    .split_once(':')
                    .map(|(_, p)| p)
                    .unwrap_or("")
                    .to_owned(),
                password: text.starts_with(INPUT_REQUEST_PASSWORD),
            }
        } else {
            WorkerLine::Output {
                panicked: text == PANIC_NOTIFICATION,
                line,
            }
        })
    }

    /// Passes a line of the worker's stdout to evcxr. Between cells nobody reads evcxr's
    /// stdout, so it goes to stderr, which is always drained.
    pub(super) fn pass_output(&self, line: &[u8], cell_running: bool) -> Result<()> {
        if cell_running {
            write_all_stdout(line)
        } else {
            write_all_stderr(line)
        }
    }

    /// Passes everything the worker wrote to its stderr so far to ours.
    pub(super) fn pump_worker_stderr(&mut self) -> Result<()> {
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

    /// Tells evcxr the cell is over, after every byte of its stderr went out first. A
    /// crashed cell reads as a panic to evcxr.
    pub(super) fn end_cell(&mut self, crashed: bool) -> Result<()> {
        self.pump_worker_stderr()?;
        write_all_stderr(format!("{STDERR_MARK}\n").as_bytes())?;
        if crashed {
            write_all_stdout(format!("{PANIC_NOTIFICATION}\n").as_bytes())?;
        }
        write_all_stdout(format!("{EXECUTION_COMPLETE}\n").as_bytes())
    }

    /// The host's answer to an input request, as the line the cell reads.
    pub(super) fn answer_input(&mut self, text: String) {
        let mut line = text.into_bytes();
        line.push(b'\n');
        if let Err(e) = self.worker_stdin.write_all(&line) {
            eprintln!("tmrepl supervisor: could not pass input to the cell: {e}");
        }
    }
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

/// `LOAD_AND_RUN <so path> <fn>`: the path may hold spaces (a home folder's name), the
/// generated function's name never does.
fn parse_load_and_run(line: &str) -> Option<(&str, &str)> {
    let (path, function) = line.strip_prefix("LOAD_AND_RUN ")?.rsplit_once(' ')?;
    (!path.is_empty() && !function.is_empty()).then_some((path, function))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_lines_keep_spaces_in_paths() {
        assert_eq!(
            parse_load_and_run("LOAD_AND_RUN /home/a user/libcode_1.so run_user_code_1"),
            Some(("/home/a user/libcode_1.so", "run_user_code_1"))
        );
        assert_eq!(parse_load_and_run("LOAD_AND_RUN x"), None);
        assert_eq!(parse_load_and_run("HELLO a b"), None);
    }
}
