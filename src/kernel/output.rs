//! How what the session says travels to the notebook: streams, a cell's result and rich
//! output, errors, a command's answer, and the questions a cell asks (stdin).

use super::Kernel;
use super::sockets::Channel;
use crate::app::{App, Update};
use crate::commands::Command;
use crate::frontend::{self, CellReport};
use crate::session::{NoticeKind, Stream, format_duration};
use crate::timeline::CellStatus;
use serde_json::{Value, json};

impl Kernel {
    /// Sends a stream to the running cell, or outside any cell (kept for the next one).
    pub(super) fn stream(&mut self, name: &str, text: &str) {
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
    pub(super) fn command_result(&mut self, text: &str) {
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

    pub(super) fn error(&mut self, ename: &str, text: &str) {
        let evalue = text.lines().next().unwrap_or("").to_owned();
        self.error_with_value(ename, &evalue, text)
    }

    pub(super) fn error_with_value(&mut self, ename: &str, evalue: &str, text: &str) {
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

    pub(super) fn show(&mut self, app: &mut App, update: Update) {
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
            // The kernel asks nothing of its own: its commands come as typed cells.
            Update::Reply(_) => {}
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

    pub(super) fn cell_finished(&mut self, app: &mut App, number: u32) {
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

    pub(super) fn ask_input(&mut self, app: &mut App, prompt: String, password: bool) {
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
pub(super) fn mime_bundle_value(mime_type: &str, content: &str) -> Value {
    let is_json = mime_type == "application/json" || mime_type.ends_with("+json");
    match is_json.then(|| serde_json::from_str(content)) {
        Some(Ok(value)) => value,
        _ => Value::String(content.to_owned()),
    }
}

/// evcxr's `:vars`: "name: type" lines and an HTML table of the same.
/// evcxr's `:vars` bundle (names and types), with tmrepl's stale note beside a value made
/// with a definition a later cell replaced.
pub(super) fn vars_bundle(
    vars: &[crate::timeline::VarInfo],
    stale: &std::collections::BTreeMap<String, crate::session::provenance::Stale>,
) -> Value {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let any_stale = vars.iter().any(|v| stale.contains_key(&v.name));
    let mut plain = String::new();
    let mut html = String::from("<table><tr><th>Variable</th><th>Type</th>");
    html.push_str(if any_stale { "<th></th></tr>" } else { "</tr>" });
    for var in vars {
        let why = stale.get(&var.name).map(|why| format!("stale: {why}"));
        let note = why
            .as_ref()
            .map(|w| format!("   ({w})"))
            .unwrap_or_default();
        plain.push_str(&format!("{}: {}{note}\n", var.name, var.type_name));
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td>",
            escape(&var.name),
            escape(&var.type_name)
        ));
        if any_stale {
            html.push_str(&format!(
                "<td>{}</td>",
                escape(why.as_deref().unwrap_or(""))
            ));
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    json!({"text/plain": plain, "text/html": html})
}

pub(super) fn error_content(ename: &str, evalue: &str, traceback: &[&str]) -> Value {
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
}
