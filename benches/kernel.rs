//! What the Jupyter kernel adds to a small cell: the same cells through `tmrepl kernel`
//! (a ZeroMQ client here: execute_request until its execute_reply) and through
//! `tmrepl --plain` (a line on stdin until the line it prints), alternating, printed as a
//! table of medians. Run: cargo bench --bench kernel (a minute or two; not a CI step).
//! The budget (issue 15) is that the kernel adds at most 5 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tmrepl::kernel::wire::{Message, Signer, new_header};
use zeromq::{Socket, SocketRecv, SocketSend, ZmqMessage};

const ROUNDS: u32 = 30;
const PAUSE: Duration = Duration::from_millis(300);
const KEY: &str = "bench";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Kernel {
    runtime: tokio::runtime::Runtime,
    child: Child,
    shell: zeromq::DealerSocket,
    iopub: zeromq::SubSocket,
    signer: Signer,
    /// When the last execute_result arrived.
    result_seen: Option<Instant>,
    _dir: tempfile::TempDir,
}

impl Kernel {
    fn start() -> Kernel {
        let dir = tempfile::tempdir().unwrap();
        let ports: Vec<u16> = (0..5).map(|_| free_port()).collect();
        let file = dir.path().join("kernel.json");
        let connection = json!({
            "ip": "127.0.0.1", "transport": "tcp", "key": KEY,
            "signature_scheme": "hmac-sha256",
            "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
            "control_port": ports[3], "hb_port": ports[4],
        });
        std::fs::write(&file, connection.to_string()).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_tmrepl"))
            .args(["kernel", "--connection-file"])
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (shell, iopub) = runtime.block_on(async {
            loop {
                let mut shell = zeromq::DealerSocket::new();
                if shell
                    .connect(&format!("tcp://127.0.0.1:{}", ports[0]))
                    .await
                    .is_ok()
                {
                    let mut iopub = zeromq::SubSocket::new();
                    iopub.subscribe("").await.unwrap();
                    iopub
                        .connect(&format!("tcp://127.0.0.1:{}", ports[1]))
                        .await
                        .unwrap();
                    break (shell, iopub);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Kernel {
            runtime,
            child,
            shell,
            iopub,
            signer: Signer::new(KEY),
            result_seen: None,
            _dir: dir,
        }
    }

    /// Wall time from sending an execute_request to its execute_result on iopub (what a
    /// notebook shows) and to its execute_reply (when the next cell may run).
    fn execute(&mut self, code: &str) -> (Duration, Duration) {
        let started = Instant::now();
        let reply = self.round_trip("execute_request", json!({"code": code, "silent": false}));
        // The result was published before the reply; find when it arrived.
        let shown = self.result_seen.take().map_or(reply, |at| at - started);
        (shown, reply)
    }

    fn round_trip(&mut self, msg_type: &str, content: serde_json::Value) -> Duration {
        let code = content["code"].clone();
        let request = Message {
            identities: Vec::new(),
            header: new_header(msg_type, "bench"),
            parent_header: json!({}),
            metadata: json!({}),
            content,
        };
        let frames: Vec<bytes::Bytes> = request
            .to_frames(&self.signer)
            .into_iter()
            .map(bytes::Bytes::from)
            .collect();
        let started = Instant::now();
        self.runtime
            .block_on(self.shell.send(ZmqMessage::try_from(frames).unwrap()))
            .unwrap();
        let is_execute = msg_type == "execute_request";
        let request_id = request.header["msg_id"].clone();
        let (reply, result_seen) = self.runtime.block_on(async {
            let mut result_seen = None;
            if is_execute {
                // Up to the request's idle status (a cell without a value has no result).
                loop {
                    let got = self.iopub.recv().await.unwrap();
                    let frames: Vec<Vec<u8>> = got.into_vec().into_iter().map(Vec::from).collect();
                    let message = Message::from_frames(&frames, &self.signer).unwrap().message;
                    if message.parent_header["msg_id"] != request_id {
                        continue;
                    }
                    if message.msg_type() == "execute_result" {
                        result_seen = Some(Instant::now());
                    }
                    if message.msg_type() == "status"
                        && message.content["execution_state"] == "idle"
                    {
                        break;
                    }
                }
            }
            (self.shell.recv().await.unwrap(), result_seen)
        });
        let elapsed = started.elapsed();
        self.result_seen = result_seen;
        let frames: Vec<Vec<u8>> = reply.into_vec().into_iter().map(Vec::from).collect();
        let reply = Message::from_frames(&frames, &self.signer).unwrap().message;
        assert_eq!(reply.content["status"], "ok", "{code}: {:?}", reply.content);
        elapsed
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Plain {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Plain {
    fn start() -> Plain {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tmrepl"))
            .arg("--plain")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take().unwrap();
        Plain {
            child,
            stdin,
            lines,
        }
    }

    /// Wall time from writing the cell until its `Out[n]: …` line ends with `expect`.
    fn execute(&mut self, code: &str, expect: &str) -> Duration {
        let started = Instant::now();
        writeln!(self.stdin, "{code}").unwrap();
        self.stdin.flush().unwrap();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(300))
                .expect("tmrepl --plain answers");
            // Not the echo of the piped cell (`In [n]: …`).
            if line.starts_with("Out[") && line.ends_with(expect) {
                return started.elapsed();
            }
        }
    }
}

impl Drop for Plain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let mut kernel = Kernel::start();
    let mut plain = Plain::start();
    // Untimed: the engine's start and the first compile.
    kernel.execute("6 * 7");
    plain.execute("6 * 7", "]: 42");
    let kernel_info: Vec<Duration> = (0..ROUNDS)
        .map(|_| kernel.round_trip("kernel_info_request", json!({})))
        .collect();
    let mut through_kernel = Vec::new();
    let mut through_plain = Vec::new();
    // The same cell both ways: a value, shown once the cell and its snapshot are done.
    // A pause between cells keeps one process's work after a cell (measuring snapshots)
    // out of the other's figure.
    let mut kernel_replies = Vec::new();
    for i in 0..ROUNDS {
        let (k, p) = (1000 + 2 * i, 1001 + 2 * i);
        let (shown, replied) = kernel.execute(&format!("{k} * 1"));
        through_kernel.push(shown);
        kernel_replies.push(replied);
        std::thread::sleep(PAUSE);
        through_plain.push(plain.execute(&format!("{p} * 1"), &format!("]: {p}")));
        std::thread::sleep(PAUSE);
    }
    let (k, p) = (median(through_kernel), median(through_plain));
    println!("a small cell, median of {ROUNDS}: wall time until its value is shown");
    println!("{:<24}{:>12}", "tmrepl --plain", ms(p));
    println!("{:<24}{:>12}", "tmrepl kernel", ms(k));
    println!(
        "{:<24}{:>12}",
        "kernel, until reply",
        ms(median(kernel_replies))
    );
    println!(
        "{:<24}{:>12}",
        "kernel_info round trip",
        ms(median(kernel_info))
    );
    println!(
        "{:<24}{:>12}",
        "kernel adds",
        format!("{:+.1} ms", (k.as_secs_f64() - p.as_secs_f64()) * 1000.0)
    );
}
