//! `tmrepl kernel`: a Jupyter kernel (protocol 5.3) as a third front end. It drives `App`
//! exactly as line mode does (submit, then show the `Update`s) and only decides how they
//! travel as Jupyter messages: `wire` frames and signs them, `sockets` moves them,
//! `replies` answers what needs no engine, `spec` installs the kernelspec.

pub mod replies;
pub mod sockets;
pub mod spec;
pub mod wire;

use crate::app::{App, Update};
use crate::commands::Command;
use crate::frontend::{self, CellReport};
use crate::session::{NoticeKind, Stream, format_duration, input};
use crate::timeline::CellStatus;
use anyhow::{Context, Result};
use crossbeam_channel::{Receiver, select};
use serde_json::{Value, json};
use sockets::{Channel, Incoming, Sockets};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;
use wire::Message;

/// An execute_request whose cell is under way.
struct Running {
    request: Message,
    count: u32,
    silent: bool,
    allow_stdin: bool,
    /// The error to reply with, once the first one is known.
    error: Option<Value>,
    /// A `:` command, not a cell: what it says is its result, as evcxr's commands give it.
    command: bool,
}

struct Kernel {
    sockets: Sockets,
    rustc_version: String,
    /// Shell requests wait here while a cell runs (shell requests are answered in order).
    queue: VecDeque<Message>,
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
        let message = received.message;
        if let Some(why) = received.content_error {
            self.status(&message, "busy");
            let msg_type = reply_type(message.msg_type());
            let reply = message.reply(&msg_type, error_content("MalformedMessage", &why, &[]));
            self.send(channel, reply);
            self.status(&message, "idle");
            return Vec::new();
        }
        match channel {
            Channel::Stdin => {
                if message.msg_type() == "input_reply" {
                    let value = message.content["value"].as_str().unwrap_or("").to_owned();
                    if let Err(e) = app.answer_input(value) {
                        eprintln!("tmrepl kernel: input_reply: {e}");
                    }
                }
                Vec::new()
            }
            Channel::Control => self.answer(app, Channel::Control, message),
            _ => {
                self.queue.push_back(message);
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
            if front.msg_type() == "execute_request" && app.is_busy() {
                return;
            }
            let Some(message) = self.queue.pop_front() else {
                return;
            };
            let updates = self.answer(app, Channel::Shell, message);
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
    fn answer(&mut self, app: &mut App, channel: Channel, message: Message) -> Vec<Update> {
        self.last_parent = message.header.clone();
        let msg_type = message.msg_type().to_owned();
        self.status(&message, "busy");
        let content = match msg_type.as_str() {
            "kernel_info_request" => replies::kernel_info(&self.rustc_version),
            "is_complete_request" => {
                replies::is_complete(message.content["code"].as_str().unwrap_or(""))
            }
            "complete_request" => replies::complete(
                app.session(),
                message.content["code"].as_str().unwrap_or(""),
                cursor(&message),
                // rust-analyzer is evcxr's: free only between cells.
                (!app.is_busy()).then(|| app.code_completer()).as_ref(),
            ),
            "inspect_request" => replies::inspect(
                app.session(),
                message.content["code"].as_str().unwrap_or(""),
                cursor(&message),
            ),
            "history_request" => replies::history(app.session(), &message.content),
            "comm_info_request" => json!({"status": "ok", "comms": {}}),
            "interrupt_request" => {
                self.interrupt(app);
                json!({"status": "ok"})
            }
            "shutdown_request" => {
                self.shutting_down = true;
                let restart = message.content["restart"].as_bool().unwrap_or(false);
                json!({"status": "ok", "restart": restart})
            }
            "execute_request" => match message.content["code"].as_str() {
                Some(code) => {
                    let code = code.to_owned();
                    return self.execute(app, message, &code);
                }
                None => error_content("MalformedMessage", "execute_request without code", &[]),
            },
            "comm_open" => {
                // No comm targets (widgets): the protocol's answer is to close it at once.
                let comm_id = message.content["comm_id"].clone();
                self.publish(
                    &message,
                    "comm_close",
                    json!({"comm_id": comm_id, "data": {}}),
                );
                self.status(&message, "idle");
                return Vec::new();
            }
            other if other.ends_with("_request") => {
                // An error reply, so a client waiting for one does not hang.
                eprintln!("tmrepl kernel: unknown request type {other:?}");
                error_content(
                    "UnknownMessageType",
                    &format!("tmrepl does not handle {other}"),
                    &[],
                )
            }
            other => {
                eprintln!("tmrepl kernel: ignored a message of unknown type {other:?}");
                self.status(&message, "idle");
                return Vec::new();
            }
        };
        self.send(channel, message.reply(&reply_type(&msg_type), content));
        self.status(&message, "idle");
        Vec::new()
    }

    fn execute(&mut self, app: &mut App, request: Message, code: &str) -> Vec<Update> {
        let silent = request.content["silent"].as_bool().unwrap_or(false);
        let allow_stdin = request.content["allow_stdin"].as_bool().unwrap_or(true);
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
        // evcxr's `:vars` (names and types, as text and an HTML table) answers at once;
        // `:vars N` and `:vars NAME` are tmrepl's, with values.
        if code.trim() == ":vars" {
            if !silent {
                let data = vars_bundle(app.session().current_vars());
                self.publish(
                    &request,
                    "execute_result",
                    json!({"execution_count": count, "data": data, "metadata": {}}),
                );
            }
            self.finish(Running {
                request,
                count,
                silent,
                allow_stdin,
                error: None,
                command: true,
            });
            return Vec::new();
        }
        self.running = Some(Running {
            request,
            count,
            silent,
            allow_stdin,
            error: None,
            command: !is_cell,
        });
        app.submit(code)
    }

    fn finish(&mut self, running: Running) {
        let failed = running.error.is_some();
        let stop_on_error = running.request.content["stop_on_error"]
            .as_bool()
            .unwrap_or(true);
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
        let (aborted, kept): (Vec<Message>, Vec<Message>) = self
            .queue
            .drain(..)
            .partition(|m| m.msg_type() == "execute_request");
        self.queue = kept.into();
        for request in aborted {
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

    /// Sends a stream to the running cell, or outside any cell (kept for the next one).
    fn stream(&mut self, name: &str, text: &str) {
        match &self.running {
            Some(running) if running.silent => {}
            Some(running) => {
                let parent = running.request.clone();
                self.publish(
                    &parent,
                    "stream",
                    json!({"name": name, "text": format!("{text}\n")}),
                );
            }
            None => {
                let parent = self.outside_parent();
                self.publish(
                    &parent,
                    "stream",
                    json!({"name": name, "text": format!("{text}\n")}),
                );
                self.between_cells.push(text.to_owned());
            }
        }
    }

    /// What a `:` command said, as the cell's result (text/plain), as evcxr's are.
    fn command_result(&mut self, text: &str) {
        let Some(running) = &self.running else {
            return;
        };
        if running.silent {
            return;
        }
        let parent = running.request.clone();
        let count = running.count;
        self.publish(
            &parent,
            "execute_result",
            json!({"execution_count": count, "data": {"text/plain": text}, "metadata": {}}),
        );
    }

    fn error(&mut self, ename: &str, text: &str) {
        let evalue = text.lines().next().unwrap_or("").to_owned();
        self.error_with_value(ename, &evalue, text)
    }

    fn error_with_value(&mut self, ename: &str, evalue: &str, text: &str) {
        let lines: Vec<&str> = text.lines().collect();
        let content = error_content(ename, evalue, &lines);
        match &mut self.running {
            Some(running) => {
                if !running.silent {
                    let parent = running.request.clone();
                    let mut shown = content.clone();
                    if let Some(object) = shown.as_object_mut() {
                        object.remove("status");
                    }
                    self.publish(&parent, "error", shown);
                }
                if let Some(running) = &mut self.running
                    && running.error.is_none()
                {
                    running.error = Some(content);
                }
            }
            None => self.stream("stderr", text),
        }
    }

    fn show(&mut self, app: &mut App, update: Update) {
        match update {
            Update::Started { elapsed } => {
                eprintln!("tmrepl kernel: ready in {}", format_duration(elapsed));
            }
            Update::Output { stream, text, .. } => match stream {
                Stream::Stdout => self.stream("stdout", &text),
                Stream::Stderr => self.stream("stderr", &text),
            },
            Update::CellFinished(number) => self.cell_finished(app, number),
            Update::Notice(notice) => match notice.kind {
                NoticeKind::Info if self.running.as_ref().is_some_and(|r| r.command) => {
                    self.command_result(&notice.text)
                }
                NoticeKind::Info => self.stream("stdout", &notice.text),
                NoticeKind::Warning => self.stream("stderr", &format!("warning: {}", notice.text)),
                NoticeKind::Error => self.error("tmrepl", &format!("error: {}", notice.text)),
            },
            Update::Bell(notice) => {
                let why = crate::jobs::why_not_desktop(&notice);
                if !why.is_empty() {
                    self.stream("stderr", why);
                }
            }
            Update::InputRequested { prompt, password } => self.ask_input(app, prompt, password),
            Update::Question(question) => {
                // A kernel starts before any notebook listens: it does not ask, and says no.
                self.stream(
                    "stderr",
                    &format!(
                        "{question}\n(the kernel does not ask: no; --replay-effects in the kernelspec replays them)"
                    ),
                );
                for update in app.command(Command::ReplayEffects(false)) {
                    self.show(app, update);
                }
            }
            Update::Quit => self.stream(
                "stderr",
                ":quit does not stop a kernel; shut it down from the notebook",
            ),
            Update::Fatal(error) => {
                eprintln!("tmrepl kernel: {error}");
                self.error("fatal", &format!("tmrepl: {error}"));
                self.exit_code = 1;
                self.shutting_down = true;
            }
        }
    }

    fn cell_finished(&mut self, app: &mut App, number: u32) {
        let status = app
            .session()
            .timeline()
            .get(number)
            .map(|cell| cell.status.clone());
        // A compile error is named as evcxr_jupyter names it: "Error", with rustc's message.
        let compile_error = matches!(status, Some(CellStatus::CompileError));
        let ename = if compile_error {
            "Error"
        } else {
            status.as_ref().map_or("error", CellStatus::label)
        };
        // The session's warning says what happened and where it went back to; the reply
        // marks the notebook cell failed, so "run all" stops there.
        let failure = match &status {
            Some(CellStatus::Crashed(why)) => Some(format!("cell {number} crashed: {why}")),
            Some(CellStatus::Interrupted) => Some(format!("cell {number} was interrupted")),
            _ => None,
        };
        if let (Some(what), Some(running)) = (failure, &mut self.running)
            && running.error.is_none()
        {
            running.error = Some(error_content(ename, &what, &[]));
        }
        let mut rich = app.take_rich_output(number);
        for report in frontend::finished_cell(app.session(), number) {
            match report {
                CellReport::Value { cell, text } => {
                    let mut data = json!({"text/plain": text});
                    for (mime_type, content) in &rich {
                        data[mime_type] = mime_bundle_value(mime_type, content);
                    }
                    rich.clear();
                    let Some(running) = &self.running else {
                        continue;
                    };
                    if running.silent {
                        continue;
                    }
                    let parent = running.request.clone();
                    self.publish(
                        &parent,
                        "execute_result",
                        json!({"execution_count": cell, "data": data, "metadata": {}}),
                    );
                }
                CellReport::Took(_) => self.stream("stdout", &report.text()),
                CellReport::ErrorText(_) if compile_error => {
                    let text = report.text();
                    let first = text.lines().next().unwrap_or("");
                    // "[E0308] Error: mismatched types" → "mismatched types".
                    let message = first
                        .split_once("Error: ")
                        .map_or(first, |(_, message)| message)
                        .to_owned();
                    self.error_with_value(ename, &message, &text)
                }
                CellReport::ErrorText(_) | CellReport::Failed(_) | CellReport::Panicked(_) => {
                    self.error(ename, &report.text())
                }
            }
        }
        // Rich output of a cell without a text value: the result when the cell ends in an
        // expression (a value's `evcxr_display`, as evcxr_jupyter gives it), else something
        // the code displayed on the way (display_data).
        let ends_in_a_statement = app
            .session()
            .timeline()
            .get(number)
            .is_some_and(|cell| cell.source.trim_end().ends_with(';'));
        if !rich.is_empty()
            && let Some(running) = &self.running
            && !running.silent
        {
            let mut data = json!({});
            for (mime_type, content) in &rich {
                data[mime_type] = mime_bundle_value(mime_type, content);
            }
            let parent = running.request.clone();
            if ends_in_a_statement {
                self.publish(
                    &parent,
                    "display_data",
                    json!({"data": data, "metadata": {}, "transient": {}}),
                );
            } else {
                self.publish(
                    &parent,
                    "execute_result",
                    json!({"execution_count": number, "data": data, "metadata": {}}),
                );
            }
        }
    }

    fn ask_input(&mut self, app: &mut App, prompt: String, password: bool) {
        let Some(running) = &self.running else {
            return;
        };
        if !running.allow_stdin {
            self.stream(
                "stderr",
                "this front end cannot answer input; read an empty line",
            );
            if let Err(e) = app.answer_input(String::new()) {
                eprintln!("tmrepl kernel: {e}");
            }
            return;
        }
        let request = running.request.reply(
            "input_request",
            json!({"prompt": prompt, "password": password}),
        );
        self.send(Channel::Stdin, request);
    }
}

/// JSON MIME types go into a bundle as JSON; everything else as text.
fn mime_bundle_value(mime_type: &str, content: &str) -> Value {
    let is_json = mime_type == "application/json" || mime_type.ends_with("+json");
    match is_json.then(|| serde_json::from_str(content)) {
        Some(Ok(value)) => value,
        _ => Value::String(content.to_owned()),
    }
}

fn cursor(message: &Message) -> usize {
    message.content["cursor_pos"]
        .as_u64()
        .map_or(usize::MAX, |p| p as usize)
}

/// `kernel_info_request` → `kernel_info_reply`.
fn reply_type(msg_type: &str) -> String {
    match msg_type.strip_suffix("_request") {
        Some(stem) => format!("{stem}_reply"),
        None => format!("{msg_type}_reply"),
    }
}

/// evcxr's `:vars`: "name: type" lines and an HTML table of the same.
fn vars_bundle(vars: &[crate::timeline::VarInfo]) -> Value {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut plain = String::new();
    let mut html = String::from("<table><tr><th>Variable</th><th>Type</th></tr>");
    for var in vars {
        plain.push_str(&format!("{}: {}\n", var.name, var.type_name));
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(&var.name),
            escape(&var.type_name)
        ));
    }
    html.push_str("</table>");
    json!({"text/plain": plain, "text/html": html})
}

fn error_content(ename: &str, evalue: &str, traceback: &[&str]) -> Value {
    json!({
        "status": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": traceback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_mime_types_are_embedded_as_json() {
        assert_eq!(
            mime_bundle_value("application/json", r#"{"a": 1}"#),
            json!({"a": 1})
        );
        assert_eq!(mime_bundle_value("text/html", "<b>"), json!("<b>"));
        assert_eq!(mime_bundle_value("application/json", "{bad"), json!("{bad"));
    }

    #[test]
    fn replies_are_named_after_requests() {
        assert_eq!(reply_type("kernel_info_request"), "kernel_info_reply");
        assert_eq!(reply_type("odd"), "odd_reply");
    }
}
