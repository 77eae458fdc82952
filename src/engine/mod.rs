//! The evcxr edge: owns the `EvalContext`, the link to the supervisor and evcxr's host-side
//! state of every snapshot. Runs on its own thread; requests in, events out.

pub mod build_dir;
mod completer;
mod render;

pub use completer::{CodeCandidate, CodeCompleter, CodeCompletions};

use crate::commands::EvcxrCommand;
use crate::runtime::protocol;
use crate::runtime::protocol::{
    BASELINE_SNAPSHOT, HostRequest, JobEnd, STDERR_MARK, SupervisorMessage,
};
use crate::runtime::{RuntimeLink, RuntimeNotice, RuntimeRemote};
use crate::session::{
    CellOutcome, EngineEvent, JobOutcome, Prelude, RebuildStep, Request, RequestId, Stream,
    TakenSnapshot,
};
use crate::timeline::{CellStatus, VarInfo};
use anyhow::{Context, Result, anyhow, bail};
use crossbeam_channel::{Receiver, Sender, select};
use evcxr::{ContextState, EvalContext, EvalOutputs};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// How long the engine sits idle before it trims the heap (rust-analyzer's churn).
const HEAP_TRIM_IDLE: Duration = Duration::from_millis(300);

pub use render::{is_cargo_progress, strip_ansi};

/// A request as the engine receives it: stamped by the app, answered by
/// `EngineMessage::Done` with the same id once its events have been sent.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub id: RequestId,
    pub request: Request,
}

#[derive(Debug, Clone)]
pub enum EngineMessage {
    Started {
        elapsed: Duration,
    },
    StartFailed(String),
    Event(EngineEvent),
    InputRequested {
        prompt: String,
        password: bool,
    },
    /// The request with this id is finished: every event it caused was sent before this.
    Done(RequestId),
    /// Rich output of a cell (evcxr's `EVCXR_BEGIN_CONTENT` blocks other than text/plain:
    /// HTML, images, …) as (MIME type, data), sent before the cell's outcome. Only the
    /// Jupyter kernel can show it.
    Display {
        cell: u32,
        content: Vec<(String, String)>,
    },
}

pub struct EngineHandle {
    pub requests: Sender<Envelope>,
    pub messages: Receiver<EngineMessage>,
    remote: Receiver<RuntimeRemote>,
    remote_cached: Option<RuntimeRemote>,
    thread: Option<std::thread::JoinHandle<()>>,
    completer: CodeCompleter,
}

impl EngineHandle {
    /// The runtime's remote control, once the engine has started.
    pub fn remote(&mut self) -> Option<RuntimeRemote> {
        if self.remote_cached.is_none() {
            self.remote_cached = self.remote.try_recv().ok();
        }
        self.remote_cached.clone()
    }

    /// Asks rust-analyzer for completions, from any thread.
    pub fn completer(&self) -> CodeCompleter {
        self.completer.clone()
    }

    /// Closes the request channel and waits (bounded) for the engine to drop evcxr.
    pub fn shutdown(self) {
        let EngineHandle {
            requests, thread, ..
        } = self;
        drop(requests);
        if let Some(thread) = thread {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

/// An engine run by someone else over these two channels (a test's scripted engine): it
/// has no runtime to interrupt or answer, and code completion answers nothing.
pub fn over_channels(
    requests: Sender<Envelope>,
    messages: Receiver<EngineMessage>,
) -> EngineHandle {
    EngineHandle {
        requests,
        messages,
        remote: crossbeam_channel::never(),
        remote_cached: None,
        thread: None,
        completer: CodeCompleter::new().0,
    }
}

/// Starts evcxr and the supervisor on a thread of their own.
pub fn spawn() -> EngineHandle {
    let (request_tx, request_rx) = crossbeam_channel::unbounded();
    let (message_tx, message_rx) = crossbeam_channel::unbounded();
    let (remote_tx, remote_rx) = crossbeam_channel::bounded(1);
    let (completer, completion_queries) = CodeCompleter::new();
    let spawned = std::thread::Builder::new()
        .name("tmrepl-engine".into())
        .spawn({
            let message_tx = message_tx.clone();
            move || {
                let started = Instant::now();
                match Engine::start(message_tx.clone()) {
                    Ok(mut engine) => {
                        let _ = remote_tx.send(engine.link.remote());
                        let _ = message_tx.send(EngineMessage::Started {
                            elapsed: started.elapsed(),
                        });
                        engine.serve(request_rx, completion_queries);
                    }
                    Err(e) => {
                        let _ = message_tx.send(EngineMessage::StartFailed(format!("{e:#}")));
                    }
                }
            }
        });
    let thread = match spawned {
        Ok(thread) => Some(thread),
        Err(e) => {
            let _ = message_tx.send(EngineMessage::StartFailed(format!(
                "could not start the engine thread: {e}"
            )));
            None
        }
    };
    EngineHandle {
        requests: request_tx,
        messages: message_rx,
        remote: remote_rx,
        remote_cached: None,
        thread,
        completer,
    }
}

/// Applies a changed copy of evcxr's state; compiles only if deps or items changed.
/// (A macro because `ContextState` cannot be named in a signature.)
mod durable;
mod evcxr_commands;
mod forward;
mod peek;
mod saved;

use forward::spawn_forwarders;

/// evcxr's host-side state after a snapshot.
struct SavedState {
    state: ContextState,
    deps: BTreeMap<String, String>,
}

struct Engine {
    ctx: EvalContext,
    link: RuntimeLink,
    states: HashMap<u32, SavedState>,
    deps: BTreeMap<String, String>,
    messages: Sender<EngineMessage>,
    flush_requests: Sender<Sender<()>>,
    stderr_marks: Receiver<()>,
    /// The last cell's compile errors, for `:explain` and `:last_error_json`.
    last_errors: Vec<evcxr::CompilationError>,
    job_limit: u32,
    archive: Option<durable::Archive>,
    /// Ids of hidden save jobs that have ended.
    hidden_ended: durable::HiddenEnded,
    next_hidden: u32,
    persister: Sender<durable::Work>,
    /// The helper crate's folder, once it is a dependency of the session.
    helper: Option<std::path::PathBuf>,
    /// Where saved sessions live (`Request::SetDataDir`); None: no archive.
    data_dir: Option<std::path::PathBuf>,
    /// Set while cells are replayed on resume: their output goes there.
    replay_log: forward::OutputLog,
}

impl Engine {
    fn start(messages: Sender<EngineMessage>) -> Result<Engine> {
        let (notice_tx, notice_rx) = crossbeam_channel::unbounded();
        let (mut link, command) = RuntimeLink::prepare(notice_tx)?;
        let (ctx, outputs) = EvalContext::with_subprocess_command(command)
            .map_err(|e| anyhow!("starting evcxr: {e}"))?;
        link.connect()?;

        let (flush_tx, flush_rx) = crossbeam_channel::unbounded::<Sender<()>>();
        let (mark_tx, mark_rx) = crossbeam_channel::unbounded();
        let hidden_ended = durable::HiddenEnded::default();
        let replay_log = forward::OutputLog::default();
        spawn_forwarders(
            outputs,
            messages.clone(),
            flush_rx,
            mark_tx,
            notice_rx,
            hidden_ended.clone(),
            replay_log.clone(),
        )?;
        let persister = durable::spawn_persister(messages.clone(), hidden_ended.clone())?;

        let mut engine = Engine {
            ctx,
            link,
            states: HashMap::new(),
            deps: BTreeMap::new(),
            messages,
            flush_requests: flush_tx,
            stderr_marks: mark_rx,
            last_errors: Vec::new(),
            job_limit: 4,
            archive: None,
            hidden_ended,
            next_hidden: 0,
            persister,
            helper: None,
            data_dir: None,
            replay_log,
        };
        // Forget evcxr's warm-up run ("42"), then remember the empty session.
        engine
            .link
            .request(&HostRequest::CellDone { snapshot: None })?;
        engine.save_state(BASELINE_SNAPSHOT);
        Ok(engine)
    }

    fn serve(
        &mut self,
        requests: Receiver<Envelope>,
        mut completion_queries: Receiver<completer::CompletionQuery>,
    ) {
        // Whether memory was churned since the heap was last trimmed: trimmed once the
        // engine sits idle, so a cell's answer never waits for it.
        let mut heap_churned = true;
        loop {
            let idle_after = if heap_churned {
                HEAP_TRIM_IDLE
            } else {
                Duration::from_secs(3600)
            };
            let envelope = select! {
                recv(requests) -> envelope => match envelope {
                    Ok(envelope) => envelope,
                    Err(_) => break,
                },
                default(idle_after) => {
                    if heap_churned {
                        crate::runtime::release_free_heap();
                        heap_churned = false;
                    }
                    continue;
                }
                recv(completion_queries) -> query => {
                    match query {
                        Ok(query) => {
                            // The question is about the state after what was asked before
                            // it (the first cell, sent while the engine was still
                            // starting): do that first.
                            while let Ok(envelope) = requests.try_recv() {
                                if !self.serve_one(envelope) {
                                    return;
                                }
                            }
                            completer::answer(&mut self.ctx, query);
                            heap_churned = true;
                        }
                        // Every completer is gone: stop listening, keep serving requests.
                        Err(_) => completion_queries = crossbeam_channel::never(),
                    }
                    continue;
                }
            };
            if !self.serve_one(envelope) {
                break;
            }
            heap_churned = true;
        }
    }

    /// Carries out one request and says it is done; false once nobody listens.
    fn serve_one(&mut self, Envelope { id, request }: Envelope) -> bool {
        if let Some(event) = self.carry_out(request)
            && self.messages.send(EngineMessage::Event(event)).is_err()
        {
            return false;
        }
        self.messages.send(EngineMessage::Done(id)).is_ok()
    }

    /// Does one request; its answer, if it has one now (a save is answered later, by the
    /// persister thread).
    fn carry_out(&mut self, request: Request) -> Option<EngineEvent> {
        Some(match request {
            Request::Eval {
                cell,
                prelude,
                code,
                snapshot,
                background: false,
            } => EngineEvent::CellFinished(self.eval(cell, &prelude, &code, snapshot)),
            Request::Eval {
                cell,
                prelude,
                code,
                background: true,
                ..
            } => EngineEvent::CellFinished(self.launch_job(cell, &prelude, &code)),
            Request::KillJob { cell } => EngineEvent::CommandDone {
                result: match self.link.request(&HostRequest::KillJob { cell }) {
                    Ok(_) => Ok(format!("stopping job {cell}")),
                    Err(e) => Err(format!(":kill {cell}: {e:#}")),
                },
                vars: Some(self.vars()),
            },
            Request::ShowLog { cell } => EngineEvent::CommandDone {
                result: read_log(&self.link.job_log(cell), cell),
                vars: Some(self.vars()),
            },
            Request::OpenArchive { name } => match self.data_dir.clone() {
                Some(data_dir) => self.open_archive(&data_dir, &name),
                None => EngineEvent::ArchiveOpened {
                    name,
                    result: Err("no data folder for saved sessions; pass --data-dir".into()),
                },
            },
            Request::Persist(plan) => self.persist(plan)?,
            Request::Resume { chain, replay } => self.resume(chain, replay),
            Request::Take { job, vars } => EngineEvent::CommandDone {
                result: self
                    .take(job, &vars, self.data_dir.clone().as_deref())
                    .map_err(|e| format!(":take {job}: {e:#}")),
                vars: Some(self.vars()),
            },
            Request::ForgetSaved { cells } => self.forget_saved(cells)?,
            Request::TakeSaved(take) => EngineEvent::CellFinished(self.take_saved(&take)),
            Request::PeekSaved(peek) => EngineEvent::Peeked {
                cell: None,
                result: self.peek_saved(&peek).map_err(|e| format!("{e:#}")),
            },
            Request::Peek { cell, names, full } => EngineEvent::Peeked {
                cell,
                result: if names.is_empty() {
                    Ok(Vec::new())
                } else {
                    self.peek(&names, cell, full).map_err(|e| format!("{e:#}"))
                },
            },
            Request::SetJobLimit(limit) => {
                self.job_limit = limit.max(1);
                return None;
            }
            Request::SetDataDir(dir) => {
                let added = self.add_helper(&dir);
                self.data_dir = Some(dir);
                match added {
                    Ok(()) => return None,
                    Err(e) => EngineEvent::Output {
                        stream: Stream::Stderr,
                        text: format!("tmrepl: values cannot be saved in this session: {e:#}"),
                    },
                }
            }
            Request::Restore { cell, forget } => {
                let started = Instant::now();
                match self.restore(cell, &forget) {
                    Ok(()) => EngineEvent::Restored {
                        cell,
                        elapsed: started.elapsed(),
                        vars: self.vars(),
                    },
                    Err(e) => EngineEvent::RestoreFailed {
                        cell,
                        error: format!("{e:#}"),
                    },
                }
            }
            Request::DropSnapshots { cells } => self.drop_snapshots(cells),
            Request::ThinSnapshots { cells } => {
                // evcxr's state of each stays: rebuilding the cell needs its dependencies.
                let _ = self.link.request(&HostRequest::Drop {
                    snapshots: cells.clone(),
                });
                EngineEvent::SnapshotsThinned { cells }
            }
            Request::Rebuild {
                cell,
                base,
                steps,
                back_to,
                forget,
            } => {
                let started = Instant::now();
                match self.rebuild(cell, base, &steps, &forget) {
                    Ok(log) => EngineEvent::Rebuilt {
                        cell,
                        base,
                        replayed: steps.iter().map(|s| s.cell).collect(),
                        elapsed: started.elapsed(),
                        vars: self.vars(),
                        log,
                    },
                    Err(e) => {
                        // Back where the session was; its snapshot is live.
                        let back = self.restore(back_to, &[]);
                        EngineEvent::RebuildFailed {
                            cell,
                            error: match back {
                                Ok(()) => format!("{e:#}"),
                                Err(b) => {
                                    format!("{e:#} (and going back to cell {back_to}: {b:#})")
                                }
                            },
                        }
                    }
                }
            }
            Request::Measure(cells) => {
                self.measure(cells)
                    .unwrap_or_else(|e| EngineEvent::MeasureFailed {
                        error: format!("{e:#}"),
                    })
            }
            Request::Evcxr(command) => {
                let result = self
                    .command(command)
                    .map_err(|e| self.without_cargo_progress(&format!("{e:#}")));
                EngineEvent::CommandDone {
                    result,
                    vars: Some(self.vars()),
                }
            }
        })
    }

    fn vars(&self) -> Vec<VarInfo> {
        let mut vars: Vec<VarInfo> = self
            .ctx
            .variables_and_types()
            .map(|(name, type_name)| VarInfo {
                name: name.to_owned(),
                type_name: type_name.to_owned(),
            })
            .collect();
        vars.sort_by(|a, b| a.name.cmp(&b.name));
        vars
    }

    fn save_state(&mut self, id: u32) {
        self.states.insert(
            id,
            SavedState {
                state: self.ctx.state(),
                deps: self.deps.clone(),
            },
        );
    }

    /// Makes evcxr's host-side state that of snapshot `id` (no compile unless items differ).
    fn rewind(&mut self, id: u32) -> Result<()> {
        let saved = self
            .states
            .get(&id)
            .ok_or_else(|| anyhow!("no saved compiler state for cell {id}"))?;
        let old = saved.state.clone();
        self.deps = saved.deps.clone();
        self.ctx
            .eval_with_state("", old)
            .map_err(|e| anyhow!("rewinding the compiler state: {e}"))?;
        Ok(())
    }

    /// Waits until every line the cell printed has been forwarded.
    fn sync_output(&self, ran: bool) {
        if ran {
            let _ = self.stderr_marks.recv_timeout(Duration::from_secs(2));
        }
        let (ack_tx, ack_rx) = crossbeam_channel::bounded(1);
        if self.flush_requests.send(ack_tx).is_ok() {
            let _ = ack_rx.recv_timeout(Duration::from_secs(2));
        }
    }

    /// A cell as evcxr runs it: its leading commands change the state its code is compiled
    /// with, its shell commands run first; the state (and `deps`) change only if it all
    /// succeeds, so a dependency that does not resolve changes nothing.
    fn eval_cell(&mut self, prelude: &[Prelude], code: &str) -> Result<EvalOutputs, evcxr::Error> {
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
    fn say_on_stderr(&self, text: String) {
        let _ = self
            .messages
            .send(EngineMessage::Event(EngineEvent::Output {
                stream: Stream::Stderr,
                text,
            }));
    }

    fn eval_prelude_and_code(
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

    fn eval(&mut self, cell: u32, prelude: &[Prelude], code: &str, snapshot: bool) -> CellOutcome {
        // As compiled, so that a compile error's place is shown in the code it is about.
        let compiled = self.with_objects(code).into_owned();
        let code = compiled.as_str();
        while self.stderr_marks.try_recv().is_ok() {}
        let started = Instant::now();
        let result = self.eval_cell(prelude, code);
        let duration = started.elapsed();
        let mut outcome = CellOutcome {
            cell,
            status: CellStatus::Ok,
            value: None,
            error_text: None,
            duration,
            vars: Vec::new(),
            snapshot: None,
            restored_to: None,
        };
        if let Err(evcxr::Error::SubprocessTerminated(message)) = &result {
            self.sync_output(false);
            outcome.status = CellStatus::Crashed(message.lines().last().unwrap_or("").to_owned());
            outcome.restored_to = Some(BASELINE_SNAPSHOT);
            self.runtime_restarted(message);
            outcome.vars = self.vars();
            return outcome;
        }
        // A cell that failed has no state of its own: no snapshot, so a crash later goes
        // back to the cell before it, whose compiler state is kept.
        let report = match self.link.request(&HostRequest::CellDone {
            snapshot: (snapshot && result.is_ok()).then_some(cell),
        }) {
            Ok(SupervisorMessage::CellDone(report)) => Some(report),
            Ok(other) => {
                outcome.status = CellStatus::Error(format!("unexpected reply {other:?}"));
                None
            }
            Err(e) => {
                // The cell ran, but its snapshot could not be taken: say so, keep going.
                self.say_on_stderr(format!("tmrepl: {e:#}"));
                None
            }
        };
        self.sync_output(report.as_ref().is_some_and(|r| r.ran));
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
                        self.save_state(cell);
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
    fn without_cargo_progress(&self, text: &str) -> String {
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
    fn record_failure(&mut self, code: &str, error: evcxr::Error, outcome: &mut CellOutcome) {
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
    fn launch_job(&mut self, cell: u32, prelude: &[Prelude], code: &str) -> CellOutcome {
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
        while self.stderr_marks.try_recv().is_ok() {}
        let started = Instant::now();
        let result = self.eval_cell(prelude, code);
        outcome.duration = started.elapsed();
        let report = self.link.request(&HostRequest::CellDone { snapshot: None });
        self.sync_output(matches!(&report, Ok(SupervisorMessage::CellDone(r)) if r.ran));
        match result {
            Ok(_) => match report {
                Ok(SupervisorMessage::CellDone(r)) if r.job.is_some() => {
                    outcome.vars = self.vars();
                    self.save_state(cell);
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

    /// evcxr restarted its child: a new supervisor is connecting; every snapshot is gone.
    fn runtime_restarted(&mut self, reason: &str) {
        let reason = reason
            .lines()
            .last()
            .unwrap_or("the runtime stopped")
            .to_owned();
        if let Err(e) = self.link.connect() {
            let _ = self.messages.send(EngineMessage::StartFailed(format!(
                "the runtime could not be restarted: {e:#}"
            )));
            return;
        }
        let _ = self.link.request(&HostRequest::CellDone { snapshot: None });
        self.states.clear();
        self.deps.clear();
        self.save_state(BASELINE_SNAPSHOT);
        let _ = self
            .messages
            .send(EngineMessage::Event(EngineEvent::RuntimeRestarted {
                reason,
            }));
    }

    fn restore(&mut self, cell: u32, forget: &[String]) -> Result<()> {
        if !self.states.contains_key(&cell) {
            bail!("no snapshot of cell {cell}");
        }
        match self
            .link
            .request(&HostRequest::Restore { snapshot: cell })?
        {
            SupervisorMessage::Restored { .. } => {}
            other => bail!("unexpected reply {other:?}"),
        }
        self.rewind(cell)?;
        self.forget_vars(forget)
    }

    /// Makes evcxr forget the variables of these names that exist.
    fn forget_vars(&mut self, forget: &[String]) -> Result<()> {
        let present: Vec<&String> = forget
            .iter()
            .filter(|name| {
                self.ctx
                    .variables_and_types()
                    .any(|(v, _)| v == name.as_str())
            })
            .collect();
        if !present.is_empty() {
            // `drop(n)` would leave a `Copy` value in place; shadowing with a value that is
            // not `Copy` and moving it makes evcxr forget the variable, whatever its type.
            let code: String = present
                .iter()
                .map(|n| format!("let {n} = ::std::string::String::new(); ::std::mem::drop({n});"))
                .collect();
            self.ctx
                .eval(&code)
                .map_err(|e| anyhow!("forgetting {present:?}: {e}"))?;
            self.link
                .request(&HostRequest::CellDone { snapshot: None })?;
            self.sync_output(true);
        }
        Ok(())
    }

    /// Runs a thinned cell's branch again from snapshot `base` and snapshots the result as
    /// `cell`; the replayed output goes to a log, whose path is returned.
    fn rebuild(
        &mut self,
        cell: u32,
        base: u32,
        steps: &[RebuildStep],
        forget: &[String],
    ) -> Result<Option<String>> {
        self.restore(base, &[])?;
        let log_path = self
            .link
            .job_log(cell)
            .with_file_name(format!("rebuild-{cell}.log"));
        let logged = std::fs::File::create(&log_path).ok().and_then(|file| {
            let mut log = self.replay_log.lock().ok()?;
            *log = Some(file);
            Some(log_path.display().to_string())
        });
        let result = self.replay_steps(cell, steps);
        if let Ok(mut log) = self.replay_log.lock() {
            *log = None;
        }
        result?;
        self.save_state(cell);
        self.forget_vars(forget)?;
        Ok(logged)
    }

    fn replay_steps(&mut self, cell: u32, steps: &[RebuildStep]) -> Result<()> {
        for (i, step) in steps.iter().enumerate() {
            // The dependencies the cell ran with (a `:dep` alone is no cell to replay).
            let missing: Vec<(String, String)> = self
                .states
                .get(&step.cell)
                .map(|saved| {
                    saved
                        .deps
                        .iter()
                        .filter(|(name, _)| !self.deps.contains_key(*name))
                        .map(|(n, s)| (n.clone(), s.clone()))
                        .collect()
                })
                .unwrap_or_default();
            if !missing.is_empty() {
                let mut state = self.ctx.state();
                for (name, spec) in &missing {
                    state.add_dep(name, spec).map_err(|e| anyhow!("{e}"))?;
                }
                self.ctx
                    .eval_with_state("", state)
                    .map_err(|e| anyhow!("adding the dependencies of cell {}: {e}", step.cell))?;
                self.deps.extend(missing);
            }
            while self.stderr_marks.try_recv().is_ok() {}
            let result = self.eval_cell(&step.prelude, &step.code);
            let last = i + 1 == steps.len();
            let report = self.link.request(&HostRequest::CellDone {
                snapshot: (last && result.is_ok()).then_some(cell),
            });
            self.sync_output(matches!(&report, Ok(SupervisorMessage::CellDone(r)) if r.ran));
            if let Err(e) = result {
                let text = render::strip_ansi(&e.to_string());
                let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                bail!("replaying cell {} failed: {}", step.cell, first.trim());
            }
            match report {
                Ok(SupervisorMessage::CellDone(r)) if r.crash.is_some() => {
                    bail!("replaying cell {} crashed", step.cell)
                }
                Ok(SupervisorMessage::CellDone(r)) if last && r.snapshot.is_none() => {
                    bail!("the rebuilt state could not be snapshotted")
                }
                Ok(SupervisorMessage::CellDone(_)) => {}
                Ok(other) => bail!("unexpected reply {other:?}"),
                Err(e) => return Err(e.context("the runtime did not answer")),
            }
        }
        Ok(())
    }

    fn drop_snapshots(&mut self, cells: Vec<u32>) -> EngineEvent {
        for cell in &cells {
            if *cell != BASELINE_SNAPSHOT {
                self.states.remove(cell);
            }
        }
        let freed_bytes = match self.link.request(&HostRequest::Drop {
            snapshots: cells.clone(),
        }) {
            Ok(SupervisorMessage::Dropped { freed_bytes }) => freed_bytes,
            _ => 0,
        };
        EngineEvent::SnapshotsDropped { cells, freed_bytes }
    }

    fn measure(&mut self, cells: Option<Vec<u32>>) -> Result<EngineEvent> {
        match self
            .link
            .request(&HostRequest::Measure { snapshots: cells })?
        {
            SupervisorMessage::Measured { snapshots, worker } => Ok(EngineEvent::Measured {
                snapshots: snapshots
                    .into_iter()
                    .filter(|(id, _)| *id != BASELINE_SNAPSHOT)
                    .map(|(id, m)| (id, m.private))
                    .collect(),
                worker_bytes: worker.private,
            }),
            other => Err(anyhow!("unexpected reply {other:?}")),
        }
    }
}

/// A job's log without the runtime's protocol lines.
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

fn read_log(path: &std::path::Path, cell: u32) -> Result<String, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("EVCXR_")).collect();
            Ok(if lines.is_empty() {
                format!("job {cell} has printed nothing")
            } else {
                lines.join("\n")
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(format!("job {cell} has printed nothing"))
        }
        Err(e) => Err(format!(":log {cell}: {e}")),
    }
}
