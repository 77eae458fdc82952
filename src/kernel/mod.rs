//! `tmrepl kernel`: a Jupyter kernel (protocol 5.3) as a third front end. It drives `App`
//! exactly as line mode does (submit, then show the `Update`s) and only decides how they
//! travel as Jupyter messages: `wire` frames and signs them, `sockets` moves them,
//! `replies` answers what needs no engine, `spec` installs the kernelspec.

mod output;
pub mod replies;
pub mod request;
pub mod sockets;
pub mod spec;
pub mod wire;

use crate::app::{App, Update};
use crate::frontend;
use crate::session::input;
use anyhow::{Context, Result};
use crossbeam_channel::{Receiver, select};
use output::{error_content, vars_bundle};
use request::{Execute, KernelRequest};
use serde_json::{Value, json};
use sockets::{Channel, Incoming, Sockets};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;
use wire::{Message, Received};

/// A shell request waiting its turn: the message (to reply under) and what it asks.
struct Queued {
    message: Message,
    request: KernelRequest,
}

/// An execute_request whose cell is under way.
struct Running {
    request: Message,
    count: u32,
    silent: bool,
    allow_stdin: bool,
    stop_on_error: bool,
    /// The error to reply with, once the first one is known.
    error: Option<Value>,
    /// A `:` command, not a cell: what it says is its result, as evcxr's commands give it.
    command: bool,
}

struct Kernel {
    sockets: Sockets,
    rustc_version: String,
    /// Shell requests wait here while a cell runs (shell requests are answered in order).
    queue: VecDeque<Queued>,
    running: Option<Running>,
    /// What happened between cells (a job ended): told again before the next cell's output.
    between_cells: Vec<String>,
    /// The request that started each cell, so a job's end is told to its notebook cell.
    cell_requests: HashMap<u32, Value>,
    /// The header of the last request, for anything told outside any cell.
    last_parent: Value,
    shutting_down: bool,
    exit_code: i32,
}

/// Serves the kernel described by `connection_file` until a shutdown_request.
pub fn run(mut app: App, connection_file: &Path, interrupts: Receiver<()>) -> Result<i32> {
    let text = std::fs::read_to_string(connection_file)
        .with_context(|| format!("reading {}", connection_file.display()))?;
    let info = wire::ConnectionInfo::parse(&text)
        .with_context(|| format!("in {}", connection_file.display()))?;
    let sockets = sockets::start(&info)?;
    let mut kernel = Kernel {
        sockets,
        rustc_version: rustc_version(),
        queue: VecDeque::new(),
        running: None,
        between_cells: Vec::new(),
        cell_requests: HashMap::new(),
        last_parent: json!({}),
        shutting_down: false,
        exit_code: 0,
    };
    for update in app.take_startup() {
        kernel.show(&mut app, update);
    }
    let tick = crossbeam_channel::tick(std::time::Duration::from_millis(200));
    // jupyter_client names itself here; a kernel whose parent died (and so was handed to
    // another) would otherwise run on forever, holding its snapshots and session lock.
    let parent = std::env::var("JPY_PARENT_PID")
        .ok()
        .and_then(|pid| pid.parse::<u32>().ok());
    while !kernel.shutting_down {
        let jobs_before: BTreeSet<u32> = app.session().active_jobs().into_iter().collect();
        let updates = select! {
            recv(app.messages()) -> message => match message {
                Ok(message) => app.handle(message),
                Err(_) => vec![Update::Fatal("the engine stopped".into())],
            },
            recv(tick) -> _ => {
                if parent.is_some_and(|pid| std::os::unix::process::parent_id() != pid) {
                    eprintln!("tmrepl kernel: the process that started it is gone; stopping");
                    break;
                }
                app.tick()
            },
            recv(interrupts) -> _ => {
                kernel.interrupt(&mut app);
                Vec::new()
            },
            recv(kernel.sockets.incoming) -> incoming => match incoming {
                Ok(incoming) => kernel.receive(&mut app, incoming),
                Err(_) => break,
            },
        };
        if kernel.running.is_none() {
            kernel.point_at_ended_jobs(&app, &jobs_before);
        }
        for update in updates {
            kernel.show(&mut app, update);
        }
        kernel.advance(&mut app);
    }
    kernel.sockets.flush(std::time::Duration::from_secs(2));
    let said = frontend::save_before_quit(&mut app, |message| eprintln!("tmrepl: {message}"));
    for notice in frontend::problems(&said) {
        eprintln!("tmrepl: {}", notice.text);
    }
    app.shutdown();
    Ok(kernel.exit_code)
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|out| replies::rustc_version(&String::from_utf8_lossy(&out.stdout)))
        .unwrap_or_default()
}

impl Kernel {
    fn send(&self, channel: Channel, message: Message) {
        if !self.sockets.send(channel, message) {
            eprintln!("tmrepl kernel: the socket thread has stopped");
        }
    }

    /// Stops the running cell as Ctrl-C does; with none running there is nothing to stop.
    fn interrupt(&self, app: &mut App) {
        if self.running.is_some() {
            app.interrupt();
        }
    }

    fn publish(&self, parent: &Message, msg_type: &str, content: Value) {
        self.send(Channel::Iopub, parent.reply(msg_type, content));
    }

    fn status(&self, parent: &Message, state: &str) {
        self.publish(parent, "status", json!({"execution_state": state}));
    }

    /// The message things outside a request are told under.
    fn outside_parent(&self) -> Message {
        Message {
            identities: Vec::new(),
            header: self.last_parent.clone(),
            parent_header: json!({}),
            metadata: json!({}),
            content: json!({}),
        }
    }

    fn receive(&mut self, app: &mut App, incoming: Incoming) -> Vec<Update> {
        let Incoming { channel, received } = incoming;
        let Received { message, request } = received;
        let request = match request {
            Ok(request) => request,
            Err(why) => {
                self.status(&message, "busy");
                let msg_type = reply_type(message.msg_type());
                let reply = message.reply(&msg_type, error_content("MalformedMessage", &why, &[]));
                self.send(channel, reply);
                self.status(&message, "idle");
                return Vec::new();
            }
        };
        match (channel, request) {
            (Channel::Stdin, KernelRequest::InputReply { value }) => {
                if let Err(e) = app.answer_input(value) {
                    eprintln!("tmrepl kernel: input_reply: {e}");
                }
                Vec::new()
            }
            (Channel::Stdin, _) => Vec::new(),
            (Channel::Control, request) => self.answer(app, Channel::Control, message, request),
            (_, request) => {
                self.queue.push_back(Queued { message, request });
                Vec::new()
            }
        }
    }

    /// Takes queued shell requests while nothing runs; an execute waits for the app.
    fn advance(&mut self, app: &mut App) {
        if self.running.is_some() {
            if app.is_busy() {
                return;
            }
            if let Some(running) = self.running.take() {
                self.finish(running);
            }
        }
        while self.running.is_none() && !self.shutting_down {
            let Some(front) = self.queue.front() else {
                return;
            };
            if matches!(front.request, KernelRequest::Execute(_)) && app.is_busy() {
                return;
            }
            let Some(Queued { message, request }) = self.queue.pop_front() else {
                return;
            };
            let updates = self.answer(app, Channel::Shell, message, request);
            for update in updates {
                self.show(app, update);
            }
            if self.running.is_some() && !app.is_busy() {
                // A command that answered at once.
                if let Some(running) = self.running.take() {
                    self.finish(running);
                }
            }
        }
    }

    /// Answers one request; an execute_request starts its cell and is finished later.
    fn answer(
        &mut self,
        app: &mut App,
        channel: Channel,
        message: Message,
        request: KernelRequest,
    ) -> Vec<Update> {
        self.last_parent = message.header.clone();
        let msg_type = message.msg_type().to_owned();
        self.status(&message, "busy");
        let content = match request {
            KernelRequest::KernelInfo => replies::kernel_info(&self.rustc_version),
            KernelRequest::IsComplete { code } => replies::is_complete(&code),
            KernelRequest::Complete { code, cursor_pos } => replies::complete(
                app.session(),
                &code,
                cursor_pos,
                // rust-analyzer is evcxr's: free only between cells.
                (!app.is_busy()).then(|| app.code_completer()).as_ref(),
            ),
            KernelRequest::Inspect { code, cursor_pos } => {
                replies::inspect(app.session(), &code, cursor_pos)
            }
            KernelRequest::History(history) => replies::history(app.session(), &history),
            KernelRequest::CommInfo => json!({"status": "ok", "comms": {}}),
            KernelRequest::Interrupt => {
                self.interrupt(app);
                json!({"status": "ok"})
            }
            KernelRequest::Shutdown { restart } => {
                self.shutting_down = true;
                json!({"status": "ok", "restart": restart})
            }
            KernelRequest::Execute(execute) => return self.execute(app, message, execute),
            KernelRequest::CommOpen { comm_id } => {
                // No comm targets (widgets): the protocol's answer is to close it at once.
                self.publish(
                    &message,
                    "comm_close",
                    json!({"comm_id": comm_id, "data": {}}),
                );
                self.status(&message, "idle");
                return Vec::new();
            }
            KernelRequest::UnknownRequest(other) => {
                // An error reply, so a client waiting for one does not hang.
                eprintln!("tmrepl kernel: unknown request type {other:?}");
                error_content(
                    "UnknownMessageType",
                    &format!("tmrepl does not handle {other}"),
                    &[],
                )
            }
            KernelRequest::Ignored(_) | KernelRequest::InputReply { .. } => {
                eprintln!("tmrepl kernel: ignored a message of type {msg_type:?} on {channel:?}");
                self.status(&message, "idle");
                return Vec::new();
            }
        };
        self.send(channel, message.reply(&reply_type(&msg_type), content));
        self.status(&message, "idle");
        Vec::new()
    }

    fn execute(&mut self, app: &mut App, request: Message, execute: Execute) -> Vec<Update> {
        let Execute {
            code,
            silent,
            allow_stdin,
            stop_on_error,
        } = execute;
        let code = code.as_str();
        let next = app.session().next_cell();
        let is_cell = !code.trim().is_empty() && input::lone_command(code).is_none();
        // A command adds no cell: it shows under the number of the last one.
        let count = if is_cell {
            next
        } else {
            next.saturating_sub(1)
        };
        if !silent {
            self.publish(
                &request,
                "execute_input",
                json!({"code": code, "execution_count": count}),
            );
        }
        let told = std::mem::take(&mut self.between_cells);
        if !told.is_empty() && !silent {
            self.publish(
                &request,
                "stream",
                json!({"name": "stdout", "text": format!("{}\n", told.join("\n"))}),
            );
        }
        if is_cell {
            self.cell_requests.insert(next, request.header.clone());
        }
        let running = Running {
            request,
            count,
            silent,
            allow_stdin,
            stop_on_error,
            error: None,
            command: !is_cell,
        };
        // evcxr's `:vars` (names and types, as text and an HTML table) answers at once;
        // `:vars N` and `:vars NAME` are tmrepl's, with values. Both mark stale values.
        if code.trim() == ":vars" {
            if !silent {
                let data = vars_bundle(
                    app.session().current_vars(),
                    &app.session().stale_values(None),
                );
                self.publish(
                    &running.request,
                    "execute_result",
                    json!({"execution_count": count, "data": data, "metadata": {}}),
                );
            }
            self.finish(running);
            return Vec::new();
        }
        self.running = Some(running);
        app.submit(code)
    }

    fn finish(&mut self, running: Running) {
        let failed = running.error.is_some();
        let stop_on_error = running.stop_on_error;
        let content = match running.error {
            Some(mut error) => {
                error["execution_count"] = json!(running.count);
                error
            }
            None => json!({
                "status": "ok",
                "execution_count": running.count,
                "user_expressions": {},
                "payload": [],
            }),
        };
        self.send(
            Channel::Shell,
            running.request.reply("execute_reply", content),
        );
        self.status(&running.request, "idle");
        if failed && stop_on_error {
            self.abort_queued_cells();
        }
    }

    /// After a failed cell, the cells queued behind it ("run all") are not run, as the
    /// protocol's stop_on_error asks: each is answered "aborted".
    fn abort_queued_cells(&mut self) {
        let (aborted, kept): (Vec<Queued>, Vec<Queued>) = self
            .queue
            .drain(..)
            .partition(|queued| matches!(queued.request, KernelRequest::Execute(_)));
        self.queue = kept.into();
        for Queued {
            message: request, ..
        } in aborted
        {
            self.status(&request, "busy");
            self.send(
                Channel::Shell,
                request.reply("execute_reply", json!({"status": "aborted"})),
            );
            self.status(&request, "idle");
        }
    }

    /// A job that ended outside any cell is told to the notebook cell that started it.
    fn point_at_ended_jobs(&mut self, app: &App, before: &BTreeSet<u32>) {
        let now: BTreeSet<u32> = app.session().active_jobs().into_iter().collect();
        if let Some(ended) = before.difference(&now).next()
            && let Some(header) = self.cell_requests.get(ended)
        {
            self.last_parent = header.clone();
        }
    }
}

/// `kernel_info_request` → `kernel_info_reply`.
fn reply_type(msg_type: &str) -> String {
    match msg_type.strip_suffix("_request") {
        Some(stem) => format!("{stem}_reply"),
        None => format!("{msg_type}_reply"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_named_after_requests() {
        assert_eq!(reply_type("kernel_info_request"), "kernel_info_reply");
        assert_eq!(reply_type("odd"), "odd_reply");
    }
}
