//! The evcxr edge: owns the `EvalContext`, the link to the supervisor and evcxr's host-side
//! state of every snapshot. Runs on its own thread; requests in, events out.

pub mod build_dir;
mod render;

use crate::commands::EvcxrCommand;
use crate::runtime::protocol;
use crate::runtime::protocol::{
    BASELINE_SNAPSHOT, HostRequest, JobEnd, STDERR_MARK, SupervisorMessage,
};
use crate::runtime::{RuntimeLink, RuntimeNotice, RuntimeRemote};
use crate::session::{CellOutcome, EngineEvent, JobOutcome, Stream, TakenSnapshot};
use crate::timeline::{CellStatus, VarInfo};
use anyhow::{Context, Result, anyhow, bail};
use crossbeam_channel::{Receiver, Sender, select};
use evcxr::EvalContext;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

pub use render::strip_ansi;

#[derive(Debug, Clone)]
pub enum EngineRequest {
    Eval {
        cell: u32,
        code: String,
        snapshot: bool,
        background: bool,
    },
    KillJob {
        cell: u32,
    },
    ShowLog {
        cell: u32,
    },
    SetJobLimit(u32),
    /// Where the helper crate is written; it becomes a dependency before any cell runs.
    SetDataDir(std::path::PathBuf),
    /// Persist cells to the named session from now on.
    OpenArchive {
        data_dir: std::path::PathBuf,
        name: String,
    },
    /// Write a cell to the archive (answered by `Persisted`, from the persister thread).
    Persist(Box<crate::session::PersistPlan>),
    /// Rebuild a saved session: deps, items of every cell on the way, values of the last.
    Resume {
        chain: Vec<crate::archive::Manifest>,
    },
    ForgetSaved {
        cells: Vec<u32>,
    },
    Take {
        job: u32,
        vars: Vec<VarInfo>,
        data_dir: Option<std::path::PathBuf>,
    },
    Restore {
        cell: u32,
        forget: Vec<String>,
    },
    DropSnapshots {
        cells: Vec<u32>,
    },
    Measure(Option<Vec<u32>>),
    Command(EvcxrCommand),
}

#[derive(Debug, Clone)]
pub enum EngineMessage {
    Started { elapsed: Duration },
    StartFailed(String),
    Event(EngineEvent),
    InputRequested { prompt: String, password: bool },
}

pub struct EngineHandle {
    pub requests: Sender<EngineRequest>,
    pub messages: Receiver<EngineMessage>,
    remote: Receiver<RuntimeRemote>,
    remote_cached: Option<RuntimeRemote>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EngineHandle {
    /// The runtime's remote control, once the engine has started.
    pub fn remote(&mut self) -> Option<RuntimeRemote> {
        if self.remote_cached.is_none() {
            self.remote_cached = self.remote.try_recv().ok();
        }
        self.remote_cached.clone()
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

/// Starts evcxr and the supervisor on a thread of their own.
pub fn spawn() -> EngineHandle {
    let (request_tx, request_rx) = crossbeam_channel::unbounded();
    let (message_tx, message_rx) = crossbeam_channel::unbounded();
    let (remote_tx, remote_rx) = crossbeam_channel::bounded(1);
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
                        engine.serve(request_rx);
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
    }
}

/// Applies a changed copy of evcxr's state; compiles only if deps or items changed.
/// (A macro because `ContextState` cannot be named in a signature.)
macro_rules! commit {
    ($engine:expr, $state:ident => $body:block) => {{
        #[allow(unused_mut)]
        let mut $state = $engine.ctx.state();
        $body
        $engine
            .ctx
            .eval_with_state("", $state)
            .map_err(|e| anyhow!("{e}"))?;
    }};
}

mod durable;

/// evcxr's host-side state after a snapshot. `ContextState` is public but unnameable, so it
/// is kept as `Any` and recovered by type inference from a live one (`same_type_as`).
struct SavedState {
    state: Box<dyn Any>,
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
    last_error_code: Option<String>,
    job_limit: u32,
    archive: Option<durable::Archive>,
    /// Ids of hidden save jobs that have ended.
    hidden_ended: durable::HiddenEnded,
    next_hidden: u32,
    persister: Sender<durable::Work>,
    /// The helper crate's folder, once it is a dependency of the session.
    helper: Option<std::path::PathBuf>,
}

fn same_type_as<'a, T: 'static>(_witness: &T, value: &'a dyn Any) -> Option<&'a T> {
    value.downcast_ref::<T>()
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
        spawn_forwarders(
            outputs,
            messages.clone(),
            flush_rx,
            mark_tx,
            notice_rx,
            hidden_ended.clone(),
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
            last_error_code: None,
            job_limit: 4,
            archive: None,
            hidden_ended,
            next_hidden: 0,
            persister,
            helper: None,
        };
        // Forget evcxr's warm-up run ("42"), then remember the empty session.
        engine
            .link
            .request(&HostRequest::CellDone { snapshot: None })?;
        engine.save_state(BASELINE_SNAPSHOT);
        Ok(engine)
    }

    fn serve(&mut self, requests: Receiver<EngineRequest>) {
        for request in requests {
            let event = match request {
                EngineRequest::Eval {
                    cell,
                    code,
                    snapshot,
                    background: false,
                } => EngineEvent::CellFinished(self.eval(cell, &code, snapshot)),
                EngineRequest::Eval {
                    cell,
                    code,
                    background: true,
                    ..
                } => EngineEvent::CellFinished(self.launch_job(cell, &code)),
                EngineRequest::KillJob { cell } => EngineEvent::CommandDone {
                    result: match self.link.request(&HostRequest::KillJob { cell }) {
                        Ok(_) => Ok(format!("stopping job {cell}")),
                        Err(e) => Err(format!(":kill {cell}: {e:#}")),
                    },
                    vars: Some(self.vars()),
                },
                EngineRequest::ShowLog { cell } => EngineEvent::CommandDone {
                    result: read_log(&self.link.job_log(cell), cell),
                    vars: Some(self.vars()),
                },
                EngineRequest::OpenArchive { data_dir, name } => {
                    self.open_archive(&data_dir, &name)
                }
                EngineRequest::Persist(plan) => match self.persist(plan) {
                    Some(event) => event,
                    None => continue,
                },
                EngineRequest::Resume { chain } => self.resume(chain),
                EngineRequest::Take {
                    job,
                    vars,
                    data_dir,
                } => EngineEvent::CommandDone {
                    result: self
                        .take(job, &vars, data_dir.as_deref())
                        .map_err(|e| format!(":take {job}: {e:#}")),
                    vars: Some(self.vars()),
                },
                EngineRequest::ForgetSaved { cells } => match self.forget_saved(cells) {
                    Some(event) => event,
                    None => continue,
                },
                EngineRequest::SetJobLimit(limit) => {
                    self.job_limit = limit.max(1);
                    continue;
                }
                EngineRequest::SetDataDir(dir) => match self.add_helper(&dir) {
                    Ok(()) => continue,
                    Err(e) => EngineEvent::Output {
                        stream: Stream::Stderr,
                        text: format!("tmrepl: values cannot be saved in this session: {e:#}"),
                    },
                },
                EngineRequest::Restore { cell, forget } => {
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
                EngineRequest::DropSnapshots { cells } => self.drop_snapshots(cells),
                EngineRequest::Measure(cells) => {
                    self.measure(cells).unwrap_or(EngineEvent::Measured {
                        snapshots: Vec::new(),
                        worker_bytes: 0,
                    })
                }
                EngineRequest::Command(command) => {
                    let result = self.command(command).map_err(|e| format!("{e:#}"));
                    EngineEvent::CommandDone {
                        result,
                        vars: Some(self.vars()),
                    }
                }
            };
            if self.messages.send(EngineMessage::Event(event)).is_err() {
                break;
            }
        }
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
                state: Box::new(self.ctx.state()),
                deps: self.deps.clone(),
            },
        );
    }

    /// Makes evcxr's host-side state that of snapshot `id` (no compile unless items differ).
    fn rewind(&mut self, id: u32) -> Result<()> {
        let current = self.ctx.state();
        let saved = self
            .states
            .get(&id)
            .ok_or_else(|| anyhow!("no saved compiler state for cell {id}"))?;
        let old = same_type_as(&current, saved.state.as_ref())
            .ok_or_else(|| anyhow!("saved state of cell {id} has the wrong type"))?
            .clone();
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

    fn eval(&mut self, cell: u32, code: &str, snapshot: bool) -> CellOutcome {
        while self.stderr_marks.try_recv().is_ok() {}
        let started = Instant::now();
        let result = self.ctx.eval(code);
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
        let report = match self.link.request(&HostRequest::CellDone {
            snapshot: snapshot.then_some(cell),
        }) {
            Ok(SupervisorMessage::CellDone(report)) => Some(report),
            Ok(other) => {
                outcome.status = CellStatus::Error(format!("unexpected reply {other:?}"));
                None
            }
            Err(e) => {
                // The cell ran, but its snapshot could not be taken: say so, keep going.
                let _ = self
                    .messages
                    .send(EngineMessage::Event(EngineEvent::Output {
                        stream: Stream::Stderr,
                        text: format!("tmrepl: {e:#}"),
                    }));
                None
            }
        };
        self.sync_output(report.as_ref().is_some_and(|r| r.ran));
        match result {
            Ok(outputs) => {
                outcome.value = outputs.get("text/plain").map(str::to_owned);
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

    /// A cell that did not run: a compile error (rendered with its span) or another failure.
    fn record_failure(&mut self, code: &str, error: evcxr::Error, outcome: &mut CellOutcome) {
        match error {
            evcxr::Error::CompilationErrors(errors) => {
                outcome.status = CellStatus::CompileError;
                self.last_error_code = errors.iter().find_map(|e| e.code().map(str::to_owned));
                outcome.error_text = Some(render::compile_errors(code, &errors));
            }
            other => {
                let text = other.to_string();
                outcome.status = CellStatus::Error(text.lines().next().unwrap_or("").to_owned());
                outcome.error_text = Some(text);
            }
        }
    }

    /// Compiles a `&` cell and starts it in a fork of the worker. evcxr's state after the
    /// cell is kept as the job's (for `:past`/`:vars` of it), and the foreground state is
    /// put back: the foreground worker never ran this cell.
    fn launch_job(&mut self, cell: u32, code: &str) -> CellOutcome {
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
        let result = self.ctx.eval(code);
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

    fn command(&mut self, command: EvcxrCommand) -> Result<String> {
        use EvcxrCommand as C;
        let state = self.ctx.state();
        Ok(match command {
            C::Dep { spec } => {
                let (name, config) = parse_dep(&spec)?;
                let local = name.starts_with('.') || name.starts_with('/');
                commit!(self, s => {
                    if local {
                        s.add_local_dep(&name).map_err(|e| anyhow!("{e}"))?;
                    } else {
                        s.add_dep(&name, &config).map_err(|e| anyhow!("{e}"))?;
                    }
                });
                self.deps.insert(name.clone(), config);
                format!("added dependency {name}")
            }
            C::ShowDeps => {
                if self.deps.is_empty() {
                    "no dependencies".into()
                } else {
                    self.deps
                        .iter()
                        .map(|(n, c)| format!("{n} = {c}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            C::Opt(None) => format!("optimisation level: {}", state.opt_level()),
            C::Opt(Some(level)) => {
                commit!(self, s => { s.set_opt_level(&level).map_err(|e| anyhow!("{e}"))?; });
                format!("optimisation level: {level}")
            }
            C::Type(name) => self
                .ctx
                .variables_and_types()
                .find(|(v, _)| *v == name)
                .map(|(v, t)| format!("{v}: {t}"))
                .ok_or_else(|| anyhow!("no variable named {name}"))?,
            C::Explain => {
                let code = self
                    .last_error_code
                    .clone()
                    .ok_or_else(|| anyhow!("no compile error with a code yet"))?;
                let output = std::process::Command::new("rustc")
                    .args(["--explain", &code])
                    .output()
                    .context("running rustc --explain")?;
                String::from_utf8_lossy(&output.stdout)
                    .trim_end()
                    .to_owned()
            }
            C::ErrorFormat(None) => format!("error format: {}", state.error_format()),
            C::ErrorFormat(Some(format)) => {
                commit!(self, s => { s.set_error_format(&format).map_err(|e| anyhow!("{e}"))?; });
                format!("error format: {format}")
            }
            C::OutputFormat(None) => format!("output format: {}", state.output_format()),
            C::OutputFormat(Some(format)) => {
                commit!(self, s => {
                    s.set_output_format(format.clone());
                });
                format!("output format: {format}")
            }
            C::Types => {
                let on = !state.display_types();
                commit!(self, s => {
                                    s.set_display_types(on);
                });
                format!("types: {}", on_off(on))
            }
            C::Toolchain(None) => {
                let mut state = state;
                format!("toolchain: {}", state.toolchain())
            }
            C::Toolchain(Some(name)) => {
                commit!(self, s => { s.set_toolchain(&name).map_err(|e| anyhow!("{e}"))?; });
                format!("toolchain: {name}")
            }
            C::Offline(None) => format!("offline: {}", on_off(state.offline_mode())),
            C::Offline(Some(on)) => {
                commit!(self, s => {
                                    s.set_offline_mode(on);
                });
                format!("offline: {}", on_off(on))
            }
            C::Sccache(None) => format!("sccache: {}", on_off(state.sccache())),
            C::Sccache(Some(on)) => {
                commit!(self, s => { s.set_sccache(on).map_err(|e| anyhow!("{e}"))?; });
                format!("sccache: {}", on_off(on))
            }
            C::Linker(None) => format!("linker: {}", state.linker()),
            C::Linker(Some(linker)) => {
                commit!(self, s => {
                                    s.set_linker(linker.clone());
                });
                format!("linker: {linker}")
            }
            C::PreserveVarsOnPanic(None) => {
                format!(
                    "preserve vars on panic: {}",
                    on_off(state.preserve_vars_on_panic())
                )
            }
            C::PreserveVarsOnPanic(Some(on)) => {
                commit!(self, s => {
                                    s.set_preserve_vars_on_panic(on);
                });
                format!("preserve vars on panic: {}", on_off(on))
            }
            C::TimePasses(None) => format!("time passes: {}", on_off(state.time_passes())),
            C::TimePasses(Some(on)) => {
                commit!(self, s => {
                                    s.set_time_passes(on);
                });
                format!("time passes: {}", on_off(on))
            }
            C::BuildEnv { key, value } => {
                commit!(self, s => {
                                    s.set_build_env(&key, &value);
                });
                format!("build env {key}={value}")
            }
            C::Version => {
                let mut state = state;
                version_text(&rustc_version(state.toolchain()))
            }
        })
    }
}

/// A job's log without the runtime's protocol lines.
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

/// `:version`: tmrepl's own version, the evcxr it was built with (as Cargo.lock pinned
/// it, recorded by build.rs), and `rustc`, the version line of the compiler of the cells.
fn version_text(rustc: &str) -> String {
    format!(
        "tmrepl {}, evcxr {}, {rustc}",
        env!("CARGO_PKG_VERSION"),
        env!("TMREPL_EVCXR_VERSION")
    )
}

/// What `rustc --version` says (for `toolchain`, when one is set, as evcxr uses rustup's).
fn rustc_version(toolchain: &str) -> String {
    let mut command = std::process::Command::new("rustc");
    if !toolchain.is_empty() {
        command.arg(format!("+{toolchain}"));
    }
    match command.arg("--version").output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        }
        Ok(output) => format!(
            "rustc: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .next()
                .unwrap_or("failed")
        ),
        Err(e) => format!("rustc: {e}"),
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// `name`, `name = "1"`, `name = { version = "1", features = [..] }`, or a local path.
fn parse_dep(spec: &str) -> Result<(String, String)> {
    let (name, config) = match spec.split_once('=') {
        Some((name, config)) => (name.trim(), config.trim()),
        None => (spec.trim(), "\"*\""),
    };
    if name.is_empty() || name.contains(' ') || config.is_empty() {
        bail!("invalid :dep; expected NAME or NAME = SPEC");
    }
    Ok((name.to_owned(), config.to_owned()))
}

/// Threads that move evcxr's output lines and the runtime's notices into `messages`.
fn spawn_forwarders(
    outputs: evcxr::EvalContextOutputs,
    messages: Sender<EngineMessage>,
    flush_requests: Receiver<Sender<()>>,
    stderr_marks: Sender<()>,
    notices: Receiver<RuntimeNotice>,
    hidden_ended: durable::HiddenEnded,
) -> Result<()> {
    let stdout = outputs.stdout;
    let stderr = outputs.stderr;
    let out_messages = messages.clone();
    let forward = move |messages: &Sender<EngineMessage>, stream, text: String| {
        messages
            .send(EngineMessage::Event(EngineEvent::Output { stream, text }))
            .is_ok()
    };
    std::thread::Builder::new()
        .name("tmrepl-stdout".into())
        .spawn(move || {
            loop {
                select! {
                    recv(stdout) -> line => match line {
                        Ok(line) => {
                            if !forward(&out_messages, Stream::Stdout, line) {
                                break;
                            }
                        }
                        Err(_) => break,
                    },
                    recv(flush_requests) -> ack => match ack {
                        Ok(ack) => {
                            while let Ok(line) = stdout.try_recv() {
                                forward(&out_messages, Stream::Stdout, line);
                            }
                            let _ = ack.send(());
                        }
                        Err(_) => break,
                    },
                }
            }
        })?;
    let err_messages = messages.clone();
    std::thread::Builder::new()
        .name("tmrepl-stderr".into())
        .spawn(move || {
            for line in stderr {
                if line == STDERR_MARK {
                    let _ = stderr_marks.send(());
                } else if !forward(&err_messages, Stream::Stderr, line) {
                    break;
                }
            }
        })?;
    std::thread::Builder::new()
        .name("tmrepl-notices".into())
        .spawn(move || {
            for notice in notices {
                let message = match notice {
                    RuntimeNotice::InputRequest { prompt, password } => {
                        EngineMessage::InputRequested { prompt, password }
                    }
                    // Save jobs are the engine's own business.
                    RuntimeNotice::JobStarted {
                        job: protocol::JobId::Hidden(_),
                    } => continue,
                    RuntimeNotice::JobFinished(protocol::JobReport {
                        job: protocol::JobId::Hidden(n),
                        ..
                    }) => {
                        if let Ok(mut ended) = hidden_ended.lock() {
                            ended.insert(n);
                        }
                        continue;
                    }
                    RuntimeNotice::JobStarted {
                        job: protocol::JobId::Cell(cell),
                    } => EngineMessage::Event(EngineEvent::JobStarted { cell }),
                    RuntimeNotice::JobFinished(
                        report @ protocol::JobReport {
                            job: protocol::JobId::Cell(cell),
                            ..
                        },
                    ) => EngineMessage::Event(EngineEvent::JobFinished {
                        cell,
                        end: match report.end {
                            JobEnd::Finished => JobOutcome::Finished,
                            JobEnd::Panicked => JobOutcome::Panicked,
                            JobEnd::Crashed(why) => JobOutcome::Crashed(why),
                            JobEnd::Killed => JobOutcome::Killed,
                        },
                        duration: Duration::from_micros(report.micros),
                        peak_bytes: report.peak_bytes,
                        degraded: report.degraded,
                    }),
                };
                if messages.send(message).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evcxr version `:version` names is the one Cargo.lock pins, to the patch level.
    #[test]
    fn version_names_the_evcxr_locked_in_cargo_lock() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        let lock: toml::Table = toml::from_str(&lock).unwrap();
        let evcxr = lock["package"]
            .as_array()
            .unwrap()
            .iter()
            .find(|package| package["name"].as_str() == Some("evcxr"))
            .unwrap();
        let locked = evcxr["version"].as_str().unwrap();
        assert_eq!(locked.split('.').count(), 3, "{locked}");

        let text = version_text("rustc 1.95.0 (test 2026-01-01)");
        let parts: Vec<&str> = text.split(", ").collect();
        assert!(
            parts.contains(&format!("evcxr {locked}").as_str()),
            "{text}"
        );
        assert!(
            parts.contains(&format!("tmrepl {}", env!("CARGO_PKG_VERSION")).as_str()),
            "{text}"
        );
        assert!(parts.contains(&"rustc 1.95.0 (test 2026-01-01)"), "{text}");
    }

    #[test]
    fn dep_specs() {
        assert_eq!(
            parse_dep("regex").unwrap(),
            ("regex".into(), "\"*\"".into())
        );
        assert_eq!(
            parse_dep("serde = { version = \"1\", features = [\"derive\"] }").unwrap(),
            (
                "serde".into(),
                "{ version = \"1\", features = [\"derive\"] }".into()
            )
        );
        assert!(parse_dep("= 1").is_err());
        assert!(parse_dep("a b = 1").is_err());
    }
}
