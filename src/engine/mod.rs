//! The evcxr edge: owns the `EvalContext`, the link to the supervisor and evcxr's host-side
//! state of every snapshot. Runs on its own thread; requests in, events out.

pub mod build_dir;
mod completer;
mod render;

pub use completer::{CodeCandidate, CodeCompleter, CodeCompletions, CompletionQuery};

use crate::commands::EvcxrCommand;
use crate::runtime::protocol;
use crate::runtime::protocol::{BASELINE_SNAPSHOT, HostRequest, STDERR_MARK};
use crate::runtime::{RuntimeLink, RuntimeNotice, RuntimeRemote};
use crate::session::{EngineEvent, Request, RequestId, Stream};
use crate::timeline::VarInfo;
use anyhow::{Context, Result, anyhow, bail};
use crossbeam_channel::{Receiver, Sender, select};
use evcxr::{ContextState, EvalContext};
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
    over_channels_completing(requests, messages).0
}

/// As `over_channels`, with the completion questions the app's completer asks, for the
/// engine to answer.
pub fn over_channels_completing(
    requests: Sender<Envelope>,
    messages: Receiver<EngineMessage>,
) -> (EngineHandle, Receiver<CompletionQuery>) {
    let (completer, queries) = CodeCompleter::new();
    let handle = EngineHandle {
        requests,
        messages,
        remote: crossbeam_channel::never(),
        remote_cached: None,
        thread: None,
        completer,
    };
    (handle, queries)
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

mod cell;
/// Applies a changed copy of evcxr's state; compiles only if deps or items changed.
/// (A macro because `ContextState` cannot be named in a signature.)
mod durable;
mod evcxr_commands;
mod forward;
mod peek;
mod persister;
mod resume;
mod rewind;
mod run;
mod saved;

use forward::spawn_forwarders;
use run::Code;

/// evcxr's host-side state at a snapshot, remembered under its number (in memory).
struct CompilerState {
    state: ContextState,
    deps: BTreeMap<String, String>,
}

struct Engine {
    ctx: EvalContext,
    link: RuntimeLink,
    states: HashMap<u32, CompilerState>,
    deps: BTreeMap<String, String>,
    messages: Sender<EngineMessage>,
    flush_requests: Sender<Sender<()>>,
    stderr_marks: Receiver<()>,
    /// The last cell's compile errors, for `:explain` and `:last_error_json`.
    last_errors: Vec<evcxr::CompilationError>,
    job_limit: u32,
    archive: Option<persister::Archive>,
    /// Ids of hidden save jobs that have ended.
    hidden_ended: persister::HiddenEnded,
    next_hidden: u32,
    persister: Sender<persister::Work>,
    /// The helper crate's folder, once it is a dependency of the session.
    helper: Option<std::path::PathBuf>,
    /// Where saved sessions live (`Request::SetDataDir`); None: no archive.
    data_dir: Option<std::path::PathBuf>,
    /// Set while cells are replayed on resume: their output goes there.
    replay_log: forward::OutputLog,
    /// Whether evcxr has evaluated anything yet (`run`).
    evaluated: bool,
}

impl Engine {
    fn start(messages: Sender<EngineMessage>) -> Result<Engine> {
        let (notice_tx, notice_rx) = crossbeam_channel::unbounded();
        let (mut link, command) = RuntimeLink::prepare(notice_tx)?;
        // Without evcxr's warm-up build: the helper crate's build (`add_helper`), asked for
        // right after the start, builds everything the warm-up would have, in the same
        // cargo run as the helper's dependencies.
        let (ctx, outputs) = EvalContext::with_subprocess_command_lazily(command)
            .map_err(|e| anyhow!("starting evcxr: {e}"))?;
        link.connect()?;

        let (flush_tx, flush_rx) = crossbeam_channel::unbounded::<Sender<()>>();
        let (mark_tx, mark_rx) = crossbeam_channel::unbounded();
        let hidden_ended = persister::HiddenEnded::default();
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
        let persister = persister::spawn_persister(messages.clone(), hidden_ended.clone())?;

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
            evaluated: false,
        };
        // Forget evcxr's warm-up run ("42", when it chose the linker with one), then
        // remember the empty session.
        engine
            .link
            .request(&HostRequest::CellDone { snapshot: None })?;
        engine.remember_state(BASELINE_SNAPSHOT);
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
                            if !self.evaluated {
                                // evcxr's analysis needs one build of the crate before it
                                // answers (the helper's is that build, when there is one).
                                let _ = self.run(Code::Plain("{}"), None);
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
            Request::ShowLog { ask, cell } => EngineEvent::LogRead {
                ask,
                result: read_log(&self.link.job_log(cell), cell),
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
                ask: peek.ask,
                cell: None,
                result: self.peek_saved(&peek).map_err(|e| format!("{e:#}")),
            },
            Request::Peek {
                ask,
                cell,
                names,
                full,
            } => EngineEvent::Peeked {
                ask,
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

    fn remember_state(&mut self, id: u32) {
        self.states.insert(
            id,
            CompilerState {
                state: self.ctx.state(),
                deps: self.deps.clone(),
            },
        );
    }

    /// Makes evcxr's host-side state that of snapshot `id`, without a build.
    fn rewind(&mut self, id: u32) -> Result<()> {
        let saved = self
            .states
            .get(&id)
            .ok_or_else(|| anyhow!("no saved compiler state for cell {id}"))?;
        let old = saved.state.clone();
        self.deps = saved.deps.clone();
        // The state compiled when it was saved, and the worker is back at that moment: no
        // build now; the next cell builds with it.
        self.ctx.return_to_state(old);
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
