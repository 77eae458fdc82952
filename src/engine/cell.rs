//! Running a cell in evcxr: its leading commands and shell lines, then its code; the
//! outcome the session records (values, output, a compile error with its span); and a `&`
//! cell compiled here and started in a fork of the worker.

use super::run::{Code, Ran};
use super::{Engine, EngineMessage, evcxr_commands, render};
use crate::commands::EvcxrCommand;
use crate::runtime::protocol::{self, BASELINE_SNAPSHOT, HostRequest, SupervisorMessage};
use crate::session::{CellOutcome, EngineEvent, Prelude, Stream, TakenSnapshot};
use crate::timeline::CellStatus;
use evcxr::EvalOutputs;
use std::time::{Duration, Instant};

impl Engine {
    /// A cell as evcxr runs it: its leading commands change the state its code is compiled
    /// with, its shell commands run first; the state (and `deps`) change only if it all
    /// succeeds, so a dependency that does not resolve changes nothing.
    pub(super) fn eval_cell(
        &mut self,
        prelude: &[Prelude],
        code: &str,
    ) -> Result<EvalOutputs, evcxr::Error> {
        let code = self.with_objects(code);
        let result = self.eval_prelude_and_code(prelude, &code);
        // evcxr's words, once, when the cell that redefined the type ran.
        for name in self.ctx.take_variables_lost_to_redefinition() {
            self.say_on_stderr(format!(
                "The type of the variable {name} was redefined, so was lost."
            ));
        }
        result
    }

    /// A line for the front end's stderr, outside any cell's own output.
    pub(super) fn say_on_stderr(&self, text: String) {
        let _ = self
            .messages
            .send(EngineMessage::Event(EngineEvent::Output {
                stream: Stream::Stderr,
                text,
            }));
    }

    pub(super) fn eval_prelude_and_code(
        &mut self,
        prelude: &[Prelude],
        code: &str,
    ) -> Result<EvalOutputs, evcxr::Error> {
        if prelude.is_empty() {
            return self.ctx.eval(code);
        }
        let mut state = self.ctx.state();
        let mut deps = self.deps.clone();
        let mut shown = EvalOutputs::new();
        let mut code = code.to_owned();
        for line in prelude.iter().rev() {
            if let Prelude::Evcxr(EvcxrCommand::Env { key, value }) = line {
                code.insert_str(0, &format!("{}\n", evcxr_commands::env_code(key, value)));
            }
        }
        for line in prelude {
            match line {
                Prelude::Evcxr(command) => {
                    let text = self
                        .apply_command(command.clone(), &mut state, &mut deps)
                        .map_err(|e| evcxr::Error::Message(format!("{e:#}")))?;
                    if !text.is_empty() {
                        shown
                            .content_by_mime_type
                            .insert("text/plain".into(), format!("{text}\n"));
                    }
                }
                Prelude::Shell(command) => shown.merge(shell(command)?),
            }
        }
        let mut outputs = self.ctx.eval_with_state(&code, state)?;
        self.deps = deps;
        shown.merge(std::mem::take(&mut outputs));
        Ok(shown)
    }

    pub(super) fn eval(
        &mut self,
        cell: u32,
        prelude: &[Prelude],
        code: &str,
        snapshot: bool,
    ) -> CellOutcome {
        // As compiled, so that a compile error's place is shown in the code it is about.
        let compiled = self.with_objects(code).into_owned();
        let code = compiled.as_str();
        // A cell that failed has no state of its own: no snapshot, so a crash later goes
        // back to the cell before it, whose compiler state is kept.
        let ran = self.run(Code::Cell { prelude, code }, snapshot.then_some(cell));
        let mut outcome = CellOutcome {
            cell,
            status: CellStatus::Ok,
            value: None,
            error_text: None,
            duration: ran.took,
            vars: Vec::new(),
            snapshot: None,
            restored_to: None,
        };
        let Ran { result, done, .. } = ran;
        if let Err(evcxr::Error::SubprocessTerminated(message)) = &result {
            self.sync_output(false);
            outcome.status = CellStatus::Crashed(message.lines().last().unwrap_or("").to_owned());
            outcome.restored_to = Some(BASELINE_SNAPSHOT);
            self.runtime_restarted(message);
            outcome.vars = self.vars();
            return outcome;
        }
        let report = match done {
            Some(Ok(SupervisorMessage::CellDone(report))) => Some(report),
            Some(Ok(other)) => {
                outcome.status = CellStatus::Error(format!("unexpected reply {other:?}"));
                None
            }
            Some(Err(e)) => {
                // The cell ran, but its snapshot could not be taken: say so, keep going.
                self.say_on_stderr(format!("tmrepl: {e:#}"));
                None
            }
            None => None,
        };
        match result {
            Ok(outputs) => {
                outcome.value = outputs.get("text/plain").map(str::to_owned);
                let mut rich: Vec<(String, String)> = outputs
                    .content_by_mime_type
                    .iter()
                    .filter(|(mime_type, _)| mime_type.as_str() != "text/plain")
                    .map(|(mime_type, data)| (mime_type.clone(), data.clone()))
                    .collect();
                if !rich.is_empty() {
                    rich.sort();
                    let _ = self.messages.send(EngineMessage::Display {
                        cell,
                        content: rich,
                    });
                }
                if let Some(report) = &report {
                    if let Some(crash) = &report.crash {
                        outcome.status = if crash.description == "interrupted" {
                            CellStatus::Interrupted
                        } else {
                            CellStatus::Crashed(crash.description.clone())
                        };
                        outcome.value = None;
                        outcome.restored_to = Some(crash.restored_to);
                        if let Err(e) = self.rewind(crash.restored_to) {
                            outcome.error_text = Some(format!("{e:#}"));
                        }
                    } else if report.panicked {
                        outcome.status = CellStatus::Panic;
                    }
                    if let Some(error) = &report.snapshot_error {
                        let _ =
                            self.messages
                                .send(EngineMessage::Event(EngineEvent::SnapshotFailed {
                                    cell,
                                    error: error.clone(),
                                }));
                    }
                    if let Some(info) = &report.snapshot {
                        outcome.snapshot = Some(TakenSnapshot {
                            fork_micros: info.fork_micros,
                            degraded: info.degraded.clone(),
                        });
                        self.remember_state(cell);
                    }
                }
            }
            Err(error) => self.record_failure(code, error, &mut outcome),
        }
        outcome.vars = self.vars();
        outcome
    }

    /// A failure's message, once: cargo's progress lines in it are shown as the progress
    /// they are (on stderr, with the rest of cargo's), and the front end adds `error: `.
    pub(super) fn without_cargo_progress(&self, text: &str) -> String {
        let (progress, message) = render::split_cargo_progress(text);
        for line in progress {
            self.say_on_stderr(match line.split_once(' ') {
                Some((verb, rest)) => format!("{verb:>12} {rest}"),
                None => line,
            });
        }
        message
    }

    /// A cell that did not run: a compile error (rendered with its span) or another failure.
    pub(super) fn record_failure(
        &mut self,
        code: &str,
        error: evcxr::Error,
        outcome: &mut CellOutcome,
    ) {
        match error {
            evcxr::Error::CompilationErrors(errors) => {
                outcome.status = CellStatus::CompileError;
                outcome.error_text = Some(render::compile_errors(code, &errors));
                self.last_errors = errors;
            }
            other => {
                let message = self.without_cargo_progress(&other.to_string());
                outcome.status = CellStatus::Error(message.lines().next().unwrap_or("").to_owned());
                outcome.error_text = Some(format!("error: {message}"));
            }
        }
    }

    /// Compiles a `&` cell and starts it in a fork of the worker. evcxr's state after the
    /// cell is kept as the job's (for `:past`/`:vars` of it), and the foreground state is
    /// put back: the foreground worker never ran this cell.
    pub(super) fn launch_job(&mut self, cell: u32, prelude: &[Prelude], code: &str) -> CellOutcome {
        let before = self.ctx.state();
        let before_deps = self.deps.clone();
        let log = self.link.job_log(cell);
        let mut outcome = CellOutcome {
            cell,
            status: CellStatus::Running,
            value: None,
            error_text: None,
            duration: Duration::ZERO,
            vars: Vec::new(),
            snapshot: None,
            restored_to: None,
        };
        if let Err(e) = self.link.request(&HostRequest::PrepareJob {
            job: protocol::JobId::Cell(cell),
            log: log.to_string_lossy().into_owned(),
            limit: self.job_limit,
            from: None,
        }) {
            outcome.status = CellStatus::Error(format!("the job could not be prepared: {e:#}"));
            return outcome;
        }
        let ran = self.run(Code::Cell { prelude, code }, None);
        outcome.duration = ran.took;
        match ran.result {
            Ok(_) => match ran.done {
                Some(Ok(SupervisorMessage::CellDone(r))) if r.job.is_some() => {
                    outcome.vars = self.vars();
                    self.remember_state(cell);
                    outcome.status = if r.job.is_some_and(|j| j.queued) {
                        CellStatus::Queued
                    } else {
                        // The session keeps no clock: the job's start is told, with its time.
                        let _ = self
                            .messages
                            .send(EngineMessage::Event(EngineEvent::JobStarted {
                                cell,
                                at: Instant::now(),
                            }));
                        CellStatus::Running
                    };
                }
                _ => {
                    outcome.status = CellStatus::Error("the job could not be started".into());
                }
            },
            Err(error) => self.record_failure(code, error, &mut outcome),
        }
        self.deps = before_deps;
        if let Err(e) = self.ctx.eval_with_state("", before) {
            outcome.error_text = Some(format!("restoring the foreground state: {e}"));
        }
        outcome
    }
}

/// `!command`, as evcxr runs it: `sh -c`, both streams as the cell's text; a failing
/// command fails the cell.
fn shell(command: &str) -> Result<EvalOutputs, evcxr::Error> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| evcxr::Error::Message(format!("!{command}: {e}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(evcxr::Error::Message(format!(
            "!{command} failed with exit code {}: {}",
            output.status.code().unwrap_or_default(),
            stderr.trim_end()
        )));
    }
    let mut outputs = EvalOutputs::new();
    outputs.content_by_mime_type.insert(
        "text/plain".into(),
        format!("{}{stderr}", String::from_utf8_lossy(&output.stdout)),
    );
    Ok(outputs)
}
