//! `tmrepl kernel` end to end: the built binary serves a connection file, and this test
//! is its Jupyter client over real ZeroMQ sockets (the same pure-Rust zeromq crate).
//! One kernel covers several behaviours, because a session costs seconds to start.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tmrepl::kernel::wire::{Message, Signer, new_header};
use tokio::runtime::Runtime;
use tokio::time::timeout;
use zeromq::{Socket, SocketRecv, SocketSend, ZmqMessage};

const KEY: &str = "a-test-key";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Client {
    runtime: Runtime,
    kernel: Child,
    shell: zeromq::DealerSocket,
    control: zeromq::DealerSocket,
    iopub: zeromq::SubSocket,
    heartbeat: zeromq::ReqSocket,
    signer: Signer,
    session: String,
    _dir: tempfile::TempDir,
}

/// What one request brought: its reply and what iopub said under it, in order.
struct Answer {
    reply: Message,
    iopub: Vec<Message>,
}

impl Answer {
    fn of_type(&self, msg_type: &str) -> Vec<&Value> {
        self.iopub
            .iter()
            .filter(|m| m.msg_type() == msg_type)
            .map(|m| &m.content)
            .collect()
    }

    fn result(&self) -> Option<String> {
        self.of_type("execute_result")
            .first()
            .and_then(|c| c["data"]["text/plain"].as_str())
            .map(str::to_owned)
    }

    fn stream(&self, name: &str) -> String {
        self.of_type("stream")
            .into_iter()
            .filter(|c| c["name"] == name)
            .filter_map(|c| c["text"].as_str())
            .collect()
    }

    fn describe(&self) -> String {
        let iopub: Vec<String> = self
            .iopub
            .iter()
            .map(|m| format!("{} {}", m.msg_type(), m.content))
            .collect();
        format!("reply {}\niopub:\n{}", self.reply.content, iopub.join("\n"))
    }
}

/// Everything a cell printed and showed, as text: its streams and its results.
fn said(answer: &Answer) -> String {
    let results: Vec<&str> = answer
        .of_type("execute_result")
        .into_iter()
        .filter_map(|c| c["data"]["text/plain"].as_str())
        .collect();
    format!(
        "{}{}{}",
        answer.stream("stdout"),
        answer.stream("stderr"),
        results.join("\n")
    )
}

fn frames(message: ZmqMessage) -> Vec<Vec<u8>> {
    message.into_vec().into_iter().map(Vec::from).collect()
}

fn zmq(frames: Vec<Vec<u8>>) -> ZmqMessage {
    let frames: Vec<bytes::Bytes> = frames.into_iter().map(bytes::Bytes::from).collect();
    ZmqMessage::try_from(frames).unwrap()
}

impl Client {
    fn start() -> Client {
        Client::start_with(&[])
    }

    /// A kernel started with `args` before `kernel` (what a kernelspec may add).
    fn start_with(args: &[&str]) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let ports: Vec<u16> = (0..5).map(|_| free_port()).collect();
        let connection = json!({
            "ip": "127.0.0.1", "transport": "tcp", "key": KEY,
            "signature_scheme": "hmac-sha256", "kernel_name": "tmrepl",
            "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
            "control_port": ports[3], "hb_port": ports[4],
        });
        let file = dir.path().join("kernel.json");
        std::fs::write(&file, connection.to_string()).unwrap();
        let kernel = Command::new(env!("CARGO_BIN_EXE_tmrepl"))
            .args(args)
            .args(["kernel", "--connection-file"])
            .arg(&file)
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start tmrepl kernel");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let endpoint = |port: u16| format!("tcp://127.0.0.1:{port}");
        let (shell, control, iopub, heartbeat) = runtime.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(20);
            // The kernel binds its sockets a moment after it starts.
            loop {
                let mut shell = zeromq::DealerSocket::new();
                if shell.connect(&endpoint(ports[0])).await.is_ok() {
                    let mut control = zeromq::DealerSocket::new();
                    control.connect(&endpoint(ports[3])).await.unwrap();
                    let mut iopub = zeromq::SubSocket::new();
                    iopub.subscribe("").await.unwrap();
                    iopub.connect(&endpoint(ports[1])).await.unwrap();
                    let mut heartbeat = zeromq::ReqSocket::new();
                    heartbeat.connect(&endpoint(ports[4])).await.unwrap();
                    break (shell, control, iopub, heartbeat);
                }
                assert!(
                    Instant::now() < deadline,
                    "the kernel never bound its ports"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let mut client = Client {
            runtime,
            kernel,
            shell,
            control,
            iopub,
            heartbeat,
            signer: Signer::new(KEY),
            session: uuid::Uuid::new_v4().to_string(),
            _dir: dir,
        };
        client.wait_for_iopub();
        client
    }

    /// A subscription takes effect a moment after connecting: until then what the kernel
    /// publishes is lost. Asks for kernel_info until its status messages arrive.
    fn wait_for_iopub(&mut self) {
        for _ in 0..50 {
            let message = self.message("kernel_info_request", json!({}));
            self.send_frames(false, message.to_frames(&self.signer));
            self.reply(false, Duration::from_secs(30))
                .expect("kernel_info_reply");
            let heard = self
                .runtime
                .block_on(async { timeout(Duration::from_millis(300), self.iopub.recv()).await });
            if heard.is_ok() {
                // The rest of this request's messages, so they are not taken for later ones.
                while self
                    .runtime
                    .block_on(async {
                        timeout(Duration::from_millis(300), self.iopub.recv()).await
                    })
                    .is_ok()
                {}
                return;
            }
        }
        panic!("iopub never delivered a message");
    }

    fn message(&self, msg_type: &str, content: Value) -> Message {
        Message {
            identities: Vec::new(),
            header: new_header(msg_type, &self.session),
            parent_header: json!({}),
            metadata: json!({}),
            content,
        }
    }

    fn send_frames(&mut self, control: bool, frames: Vec<Vec<u8>>) {
        let socket = if control {
            &mut self.control
        } else {
            &mut self.shell
        };
        self.runtime.block_on(socket.send(zmq(frames))).unwrap();
    }

    /// The next reply on shell (or control) within `wait`.
    fn reply(&mut self, control: bool, wait: Duration) -> Option<Message> {
        let socket = if control {
            &mut self.control
        } else {
            &mut self.shell
        };
        let got = self
            .runtime
            .block_on(async { timeout(wait, socket.recv()).await })
            .ok()?;
        Some(
            Message::from_frames(&frames(got.unwrap()), &self.signer)
                .unwrap()
                .message,
        )
    }

    /// Sends a signed request and collects its reply and iopub messages up to its idle.
    fn request(&mut self, control: bool, msg_type: &str, content: Value) -> Answer {
        let message = self.message(msg_type, content);
        let id = message.header["msg_id"].clone();
        self.send_frames(control, message.to_frames(&self.signer));
        let reply = self
            .reply(control, Duration::from_secs(120))
            .unwrap_or_else(|| panic!("no reply to {msg_type}"));
        assert_eq!(reply.parent_header["msg_id"], id, "{reply:?}");
        let mut iopub = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let Ok(Ok(got)) = self
                .runtime
                .block_on(async { timeout(Duration::from_secs(10), self.iopub.recv()).await })
            else {
                break;
            };
            let message = Message::from_frames(&frames(got), &self.signer)
                .unwrap()
                .message;
            if message.parent_header["msg_id"] != id {
                continue;
            }
            let idle =
                message.msg_type() == "status" && message.content["execution_state"] == "idle";
            iopub.push(message);
            if idle {
                break;
            }
        }
        Answer { reply, iopub }
    }

    /// The first iopub message within `wait` that `wanted` accepts.
    fn iopub_until(
        &mut self,
        wait: Duration,
        wanted: impl Fn(&Message) -> bool,
    ) -> Option<Message> {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let got = self
                .runtime
                .block_on(async { timeout(left, self.iopub.recv()).await })
                .ok()?
                .ok()?;
            let message = Message::from_frames(&frames(got), &self.signer)
                .unwrap()
                .message;
            if wanted(&message) {
                return Some(message);
            }
        }
        None
    }

    /// Asks the kernel to shut down and waits until it has exited.
    fn shut_down(&mut self) {
        let shutdown = self.request(true, "shutdown_request", json!({"restart": false}));
        assert_eq!(shutdown.reply.content["status"], "ok");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.kernel.try_wait().unwrap() {
                assert!(status.success(), "{status:?}");
                return;
            }
            assert!(Instant::now() < deadline, "the kernel did not exit");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn execute(&mut self, code: &str) -> Answer {
        self.request(
            false,
            "execute_request",
            json!({"code": code, "silent": false, "store_history": true,
                   "user_expressions": {}, "allow_stdin": false, "stop_on_error": false}),
        )
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.kernel.kill();
        let _ = self.kernel.wait();
    }
}

#[test]
fn a_notebook_client_runs_cells_rewinds_and_survives_a_crash() {
    let mut client = Client::start();

    let info = client.request(false, "kernel_info_request", json!({}));
    let language = &info.reply.content["language_info"];
    assert_eq!(language["name"], "rust", "{}", info.describe());
    assert_eq!(language["file_extension"], ".rs");
    assert_eq!(info.reply.content["protocol_version"], "5.3");
    assert_eq!(
        info.of_type("status").first().unwrap()["execution_state"],
        "busy"
    );

    // The heartbeat echoes.
    client
        .runtime
        .block_on(client.heartbeat.send(ZmqMessage::from("ping")))
        .unwrap();
    let pong = client
        .runtime
        .block_on(async { timeout(Duration::from_secs(5), client.heartbeat.recv()).await })
        .expect("heartbeat answers")
        .unwrap();
    assert_eq!(frames(pong), vec![b"ping".to_vec()]);

    let first = client.execute("let mut x = 40 + 2; x");
    assert_eq!(
        first.result().as_deref(),
        Some("42"),
        "{}",
        first.describe()
    );
    assert_eq!(first.reply.content["status"], "ok");
    assert_eq!(first.reply.content["execution_count"], 1);
    assert_eq!(first.of_type("execute_input")[0]["execution_count"], 1);

    let printed = client.execute("x += 1; println!(\"hello {x}\");");
    assert_eq!(
        printed.stream("stdout"),
        "hello 43\n",
        "{}",
        printed.describe()
    );

    let broken = client.execute("let broken: i32 = \"not a number\";");
    assert_eq!(
        broken.reply.content["status"],
        "error",
        "{}",
        broken.describe()
    );
    let error = broken.of_type("error");
    assert!(
        error[0]["traceback"]
            .to_string()
            .contains("mismatched types"),
        "{}",
        broken.describe()
    );

    // evcxr's rich output (what evcxr_display types print) becomes display_data.
    let html = client
        .execute(r#"println!("EVCXR_BEGIN_CONTENT text/html\n<b>bold</b>\nEVCXR_END_CONTENT");"#);
    let shown = html.of_type("display_data");
    assert_eq!(
        shown.first().map(|c| &c["data"]["text/html"]),
        Some(&json!("<b>bold</b>")),
        "{}",
        html.describe()
    );

    let past = client.execute(":past 1");
    assert_eq!(past.reply.content["status"], "ok", "{}", past.describe());
    let back = client.execute("x");
    assert_eq!(back.result().as_deref(), Some("42"), "{}", back.describe());

    let crash = client.execute("unsafe { std::ptr::null_mut::<i32>().write_volatile(1); }");
    assert_eq!(
        crash.reply.content["status"],
        "error",
        "{}",
        crash.describe()
    );
    assert!(crash.describe().contains("SIGSEGV"), "{}", crash.describe());
    let after = client.execute("x");
    assert_eq!(
        after.result().as_deref(),
        Some("42"),
        "{}",
        after.describe()
    );

    // A request signed with another key is dropped: no reply, and its code never runs.
    let forged = client.message(
        "execute_request",
        json!({"code": "println!(\"forged\");", "silent": false}),
    );
    client.send_frames(false, forged.to_frames(&Signer::new("not the key")));
    assert!(
        client.reply(false, Duration::from_secs(3)).is_none(),
        "a forged request was answered"
    );
    let still = client.execute("x + 1");
    assert_eq!(
        still.result().as_deref(),
        Some("43"),
        "{}",
        still.describe()
    );
    assert!(!still.describe().contains("forged"), "{}", still.describe());

    // A job's end between cells is told under the cell that launched it, and again at
    // the start of the next cell.
    let job = client.execute("& std::thread::sleep(std::time::Duration::from_millis(300)); 5");
    assert!(
        job.stream("stdout").contains("started"),
        "{}",
        job.describe()
    );
    let launched = job.reply.parent_header["msg_id"].clone();
    let told = client
        .iopub_until(Duration::from_secs(20), |m| {
            m.msg_type() == "stream" && m.content["text"].to_string().contains("finished")
        })
        .expect("the job's end is told on iopub");
    assert_eq!(told.parent_header["msg_id"], launched, "{told:?}");
    let next = client.execute("2 + 2");
    assert!(
        next.stream("stdout").starts_with("job ") && next.stream("stdout").contains("finished"),
        "{}",
        next.describe()
    );
    assert_eq!(next.result().as_deref(), Some("4"));

    // Malformed content gets an error reply, and the kernel carries on.
    let mut garbled = client
        .message("is_complete_request", json!({}))
        .to_frames(&Signer::new(""));
    garbled[5] = b"{not json".to_vec();
    let parts: Vec<&[u8]> = garbled[2..6].iter().map(Vec::as_slice).collect();
    garbled[1] = client.signer.sign(&parts).into_bytes();
    client.send_frames(false, garbled);
    let reply = client.reply(false, Duration::from_secs(10)).unwrap();
    assert_eq!(reply.msg_type(), "is_complete_reply");
    assert_eq!(reply.content["status"], "error");

    // An unknown request gets an error reply; the kernel carries on.
    let unknown = client.request(false, "frobnicate_request", json!({}));
    assert_eq!(unknown.reply.msg_type(), "frobnicate_reply");
    assert_eq!(unknown.reply.content["status"], "error");

    // A widget's comm has no target here: it is closed at once.
    let comm = client.message(
        "comm_open",
        json!({"comm_id": "c1", "target_name": "jupyter.widget", "data": {}}),
    );
    client.send_frames(false, comm.to_frames(&client.signer));
    let closed = client
        .iopub_until(Duration::from_secs(10), |m| m.msg_type() == "comm_close")
        .expect("comm_close");
    assert_eq!(closed.content["comm_id"], "c1");

    let incomplete = client.request(false, "is_complete_request", json!({"code": "fn f() {"}));
    assert_eq!(incomplete.reply.content["status"], "incomplete");
    let complete = client.request(
        false,
        "complete_request",
        json!({"code": ":pa", "cursor_pos": 3}),
    );
    assert!(
        complete.reply.content["matches"]
            .as_array()
            .unwrap()
            .contains(&json!(":past")),
        "{}",
        complete.describe()
    );
    // Methods come from rust-analyzer, as in the terminal; the cursor counts characters.
    let method = client.request(
        false,
        "complete_request",
        json!({"code": "x.checked_ad", "cursor_pos": 12}),
    );
    assert!(
        method.reply.content["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().is_some_and(|m| m.starts_with("checked_add"))),
        "{}",
        method.describe()
    );
    assert_eq!(method.reply.content["cursor_start"], 2);
    assert_eq!(method.reply.content["cursor_end"], 12);
    let inspect = client.request(
        false,
        "inspect_request",
        json!({"code": "x", "cursor_pos": 1, "detail_level": 0}),
    );
    assert_eq!(
        inspect.reply.content["data"]["text/plain"],
        "x: i32",
        "{}",
        inspect.describe()
    );

    // SIGINT (a kernelspec's interrupt_mode "signal") stops the cell like Ctrl-C.
    let sleeping = client.message(
        "execute_request",
        json!({"code": "println!(\"asleep\"); std::thread::sleep(std::time::Duration::from_secs(60));"}),
    );
    client.send_frames(false, sleeping.to_frames(&client.signer));
    let sleeping_id = sleeping.header["msg_id"].clone();
    // Its own output says the cell runs (compiled and loaded), not merely that it came in.
    client
        .iopub_until(Duration::from_secs(60), |m| {
            m.msg_type() == "stream"
                && m.parent_header["msg_id"] == sleeping_id
                && m.content["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("asleep"))
        })
        .expect("the sleeping cell runs");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(client.kernel.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let stopped = client
        .reply(false, Duration::from_secs(30))
        .expect("the cell stops");
    assert_eq!(stopped.parent_header["msg_id"], sleeping_id);
    assert_eq!(stopped.content["status"], "error", "{stopped:?}");
    let kept = client.execute("x");
    assert_eq!(kept.result().as_deref(), Some("42"), "{}", kept.describe());

    // "Run all": after a failing cell, the cells queued behind it are aborted, not run.
    let failing = client.message(
        "execute_request",
        json!({"code": "let y: u8 = \"no\";", "stop_on_error": true}),
    );
    let queued = client.message("execute_request", json!({"code": "println!(\"ran\");"}));
    client.send_frames(false, failing.to_frames(&client.signer));
    client.send_frames(false, queued.to_frames(&client.signer));
    let first = client.reply(false, Duration::from_secs(60)).unwrap();
    let second = client.reply(false, Duration::from_secs(60)).unwrap();
    assert_eq!(first.content["status"], "error", "{first:?}");
    assert_eq!(second.parent_header["msg_id"], queued.header["msg_id"]);
    assert_eq!(second.content["status"], "aborted", "{second:?}");

    client.shut_down();
}

#[test]
fn a_kernelspec_with_session_continues_it_in_the_next_kernel() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let args = ["--data-dir", data_dir, "--session", "notebook"];
    let mut first = Client::start_with(&args);
    let defined = first.execute("let kept = 21;");
    assert_eq!(
        defined.reply.content["status"],
        "ok",
        "{}",
        defined.describe()
    );
    first.shut_down();
    let mut second = Client::start_with(&args);
    let read = second.execute("kept * 2");
    assert_eq!(read.result().as_deref(), Some("42"), "{}", read.describe());
    assert!(
        read.stream("stdout").contains("resumed notebook"),
        "{}",
        read.describe()
    );
    second.shut_down();
}

#[test]
fn a_kernel_whose_jupyter_died_stops() {
    let dir = tempfile::tempdir().unwrap();
    let ports: Vec<u16> = (0..5).map(|_| free_port()).collect();
    let connection = json!({
        "ip": "127.0.0.1", "transport": "tcp", "key": KEY,
        "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
        "control_port": ports[3], "hb_port": ports[4],
    });
    let file = dir.path().join("kernel.json");
    std::fs::write(&file, connection.to_string()).unwrap();
    let pid_file = dir.path().join("kernel.pid");
    // A shell plays jupyter: it starts the kernel naming itself its parent, then exits.
    let status = Command::new("sh")
        .arg("-c")
        .arg("JPY_PARENT_PID=$$ \"$0\" kernel --connection-file \"$1\" >/dev/null 2>&1 & echo $! > \"$2\"")
        .arg(env!("CARGO_BIN_EXE_tmrepl"))
        .arg(&file)
        .arg(&pid_file)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let alive = || {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z ")
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while alive() {
        if Instant::now() > deadline {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
            panic!("the orphaned kernel kept running");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Notebook cells as evcxr's are written: leading `:dep` and `!` lines, then Rust, in one
/// cell with one number; a dependency that does not resolve changes nothing, and `:past`
/// to before a dependency's cell removes it again.
#[test]
fn a_cell_that_begins_with_dep_lines_runs_them_then_its_code() {
    let local = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(local.path().join("src")).unwrap();
    std::fs::write(
        local.path().join("Cargo.toml"),
        "[package]\nname = \"answer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        local.path().join("src/lib.rs"),
        "pub fn answer() -> i32 { 42 }\n",
    )
    .unwrap();
    let mut client = Client::start();
    let first = client.execute("let before = 1;");
    assert_eq!(first.reply.content["status"], "ok", "{}", first.describe());
    let mixed = client.execute(&format!(
        ":dep answer = {{ path = \"{}\" }}\n// the code:\n!echo from-shell\nanswer::answer() + before",
        local.path().display()
    ));
    assert_eq!(mixed.reply.content["status"], "ok", "{}", mixed.describe());
    assert_eq!(mixed.reply.content["execution_count"], 2);
    let result = mixed.result().unwrap_or_default();
    assert!(result.contains("from-shell"), "{}", mixed.describe());
    assert!(result.trim_end().ends_with("43"), "{}", mixed.describe());

    // Features, default features off, a registry version: as notebooks write them.
    let featured = client.execute(
        ":dep itoa = { version = \"1\", default-features = false }\n\
         :dep serde = { version = \"1\", features = [\"derive\"] }\n\
         #[derive(serde::Serialize)] struct Tagged;\n\
         itoa::Buffer::new().format(answer::answer()).to_owned()",
    );
    assert_eq!(
        featured.result().as_deref(),
        Some("\"42\""),
        "{}",
        featured.describe()
    );

    let failed = client.execute(":dep nosuchcrate_xyz = \"1\"\nlet z = 3;");
    assert_eq!(
        failed.reply.content["status"],
        "error",
        "{}",
        failed.describe()
    );
    let said = failed.describe();
    assert!(said.contains("nosuchcrate_xyz"), "{said}");
    assert!(!said.contains("error: error"), "{said}");
    let z = client.execute("z");
    assert_eq!(z.reply.content["status"], "error", "{}", z.describe());
    let deps = client.execute(":show_deps");
    assert!(deps.describe().contains("answer = "), "{}", deps.describe());
    assert!(
        !deps.describe().contains("nosuchcrate"),
        "{}",
        deps.describe()
    );

    let back = client.execute(":past 1");
    assert_eq!(back.reply.content["status"], "ok", "{}", back.describe());
    let gone = client.execute("answer::answer()");
    assert_eq!(gone.reply.content["status"], "error", "{}", gone.describe());
    client.shut_down();
}

/// The commands that read the past answer as notebook cells too: `:vars` marks a value
/// made with a replaced function, `:diff` and `:trace` print their rows, a sweep runs one
/// job per value and tells its end once, and `:export` writes the branch as a project.
#[test]
fn diff_trace_sweeps_and_export_answer_as_notebook_cells() {
    let mut client = Client::start();
    for code in [
        "fn score(x: u32) -> u32 { x * 2 }",
        "let scores = vec![score(1), score(2)];",
        "fn score(x: u32) -> u32 { x * 3 }",
    ] {
        let ran = client.execute(code);
        assert_eq!(ran.reply.content["status"], "ok", "{}", ran.describe());
    }
    let vars = said(&client.execute(":vars"));
    assert!(
        vars.contains("stale: made with fn score of cell 1, redefined in cell 3"),
        "{vars}"
    );
    let diff = said(&client.execute(":diff 2"));
    assert!(diff.contains("cell 2 → now (cell 3):"), "{diff}");
    assert!(diff.contains("~ fn score:"), "{diff}");
    let trace = said(&client.execute(":trace scores"));
    assert!(
        trace.contains("scores: Vec<u32>, bound in cell 2"),
        "{trace}"
    );
    assert!(trace.contains("cell 2    [2, 4]"), "{trace}");

    // A sweep goes by the number of its first job, cell 4.
    let sweep = client.execute("&[n in 1..=3] let r = n * 10;");
    assert_eq!(sweep.reply.content["status"], "ok", "{}", sweep.describe());
    if !said(&sweep).contains("sweep 4 ended") {
        client
            .iopub_until(Duration::from_secs(120), |m| {
                m.msg_type() == "stream" && m.content["text"].to_string().contains("sweep 4 ended")
            })
            .unwrap_or_else(|| panic!("the sweep's end is not told: {}", sweep.describe()));
    }
    let table = said(&client.execute(":sweep 4"));
    for value in ["10", "20", "30"] {
        assert!(
            table
                .lines()
                .any(|l| l.contains("finished") && l.trim_end().ends_with(value)),
            "{table}"
        );
    }

    let out = tempfile::tempdir().unwrap();
    let project = out.path().join("scores");
    let export = said(&client.execute(&format!(":export {}", project.display())));
    assert!(export.contains("exported"), "{export}");
    let main = std::fs::read_to_string(project.join("src/main.rs")).unwrap();
    assert!(main.contains("fn score(x: u32) -> u32 { x * 3 }"), "{main}");
    assert!(
        main.contains("let scores = vec![score(1), score(2)];"),
        "{main}"
    );
    assert!(project.join("Cargo.toml").is_file());
    client.shut_down();
}
