//! Runs the real tmrepl binary in line mode with piped stdin.

#![allow(dead_code)]

pub mod home;
pub mod jupyter;
pub mod procs;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Transcript {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

impl Transcript {
    /// The value printed as `Out[n]: ...`.
    pub fn out(&self, n: u32) -> Option<&str> {
        let prefix = format!("Out[{n}]: ");
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
    }

    pub fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

pub fn tmrepl() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tmrepl"));
    command
        .arg("--plain")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1");
    command
}

/// Feeds `script` on stdin and waits for tmrepl to finish.
pub fn run_script(script: &str) -> Transcript {
    run_command_with_script(tmrepl(), script)
}

pub fn run_command_with_script(mut command: Command, script: &str) -> Transcript {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tmrepl");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("wait for tmrepl");
    Transcript {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    }
}

/// Runs `command` with `input` on stdin and stdout and stderr on one pipe, so every line
/// stays where it was written; panics (with what it printed) past `limit`. Returns how it
/// exited and what it printed.
pub fn run_merged(
    mut command: Command,
    input: String,
    limit: Duration,
) -> (std::process::ExitStatus, String) {
    let (mut reader, writer) = std::io::pipe().unwrap();
    command
        .stdin(Stdio::piped())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer);
    let mut child = command.spawn().expect("start tmrepl");
    // Our copies of the pipe's writing end went into `command`; drop them so the pipe
    // ends when tmrepl (and its runtime processes) exit.
    drop(command);
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (done_tx, done) = mpsc::channel();
    let collected = output.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            collected.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
        let _ = done_tx.send(());
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "tmrepl did not finish within {limit:?}; printed:\n{}",
                String::from_utf8_lossy(&output.lock().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // A process tmrepl started may hold the pipe a moment longer.
    let _ = done.recv_timeout(Duration::from_secs(10));
    feeder.join().unwrap();
    let text = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
    (status, text)
}

/// A session driven line by line, for tests that must act while a cell runs.
pub struct Live {
    pub child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Live {
    pub fn start() -> Live {
        Live::start_env(&[], &[])
    }

    pub fn start_with(args: &[&str]) -> Live {
        Live::start_env(args, &[])
    }

    /// Starts tmrepl with extra arguments and environment (None removes a variable).
    pub fn start_env(args: &[&str], env: &[(&str, Option<&str>)]) -> Live {
        let mut command = tmrepl();
        command.args(args);
        for (key, value) in env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        Live::from_command(command)
    }

    pub fn from_command(mut command: Command) -> Live {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tmrepl");
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for stream in [Box::new(stdout) as Box<dyn Read + Send>, Box::new(stderr)] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let stdin = child.stdin.take();
        Live {
            child,
            stdin,
            lines: rx,
            seen: Vec::new(),
        }
    }

    pub fn send(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for a line containing `needle`; panics with the transcript after `timeout`.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> String {
        match self.try_expect(needle, timeout) {
            Some(line) => line,
            None => panic!(
                "no line containing {needle:?} within {timeout:?}; saw:\n{}",
                self.seen.join("\n")
            ),
        }
    }

    /// Like `expect`, but gives up quietly after `timeout`.
    pub fn try_expect(&mut self, needle: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
                Err(_) => return None,
            }
        }
    }

    /// Waits until every needle has been seen, in any order.
    pub fn expect_all(&mut self, needles: &[&str], timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut missing: Vec<&str> = needles
            .iter()
            .copied()
            .filter(|n| !self.seen.iter().any(|l| l.contains(n)))
            .collect();
        while !missing.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    missing.retain(|n| !line.contains(n));
                    self.seen.push(line);
                }
                Err(_) => panic!(
                    "never saw {missing:?} within {timeout:?}; saw:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Closes stdin, waits for exit, and collects what was printed until then.
    pub fn finish(&mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The reader threads end at end of output; keep what they got.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                return status;
            }
            assert!(Instant::now() < deadline, "tmrepl did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Feeds the engine's messages to the full-screen interface until the app is idle, as its
/// event loop does.
pub fn settle(app: &mut tmrepl::app::App, tui: &mut tmrepl::ui::Tui) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while app.is_busy() {
        assert!(Instant::now() < deadline, "the session did not settle");
        if let Ok(message) = app.messages().recv_timeout(Duration::from_millis(100)) {
            let updates = app.handle(message);
            tui.apply(app, updates);
        }
    }
}
