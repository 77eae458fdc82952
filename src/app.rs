//! Connects the pure `Session` to the engine: carries out effects, feeds engine events back.
//! Both front ends drive an `App`; neither holds time-machine logic.

use crate::engine::{self, EngineHandle, EngineMessage, EngineRequest};
use crate::session::{Effect, EngineEvent, Notice, Session, Settings, Stream};
use crossbeam_channel::Receiver;
use std::time::Duration;

/// What a front end shows.
#[derive(Debug, Clone)]
pub enum Update {
    Started {
        elapsed: Duration,
    },
    Output {
        cell: Option<u32>,
        stream: Stream,
        text: String,
    },
    CellFinished(u32),
    Notice(Notice),
    /// A notice that should also ring the terminal bell (job ended, no desktop).
    Bell(Notice),
    InputRequested {
        prompt: String,
        password: bool,
    },
    Quit,
    Fatal(String),
}

pub struct App {
    session: Session,
    engine: EngineHandle,
    /// Requests in flight; the app is idle when this is zero.
    pending: usize,
    started: bool,
}

impl App {
    pub fn new(settings: Settings) -> App {
        let engine = engine::spawn();
        let _ = engine
            .requests
            .send(EngineRequest::SetJobLimit(settings.job_limit));
        App {
            session: Session::new(settings),
            engine,
            pending: 0,
            started: false,
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn is_busy(&self) -> bool {
        self.pending > 0 || !self.started
    }

    pub fn messages(&self) -> &Receiver<EngineMessage> {
        &self.engine.messages
    }

    /// Submits a line or block of input; returns what to show at once.
    pub fn submit(&mut self, input: &str) -> Vec<Update> {
        let effects = self.session.submit(input);
        self.carry_out(effects)
    }

    pub fn interrupt(&mut self) {
        if let Some(remote) = self.engine.remote() {
            remote.interrupt();
        }
    }

    pub fn answer_input(&mut self, text: String) -> Result<(), String> {
        match self.engine.remote() {
            Some(remote) => remote.answer_input(text).map_err(|e| format!("{e:#}")),
            None => Err("the runtime is not running".into()),
        }
    }

    /// Handles one message from the engine.
    pub fn handle(&mut self, message: EngineMessage) -> Vec<Update> {
        match message {
            EngineMessage::Started { elapsed } => {
                self.started = true;
                vec![Update::Started { elapsed }]
            }
            EngineMessage::StartFailed(error) => vec![Update::Fatal(error)],
            EngineMessage::InputRequested { prompt, password } => {
                vec![Update::InputRequested { prompt, password }]
            }
            EngineMessage::Event(event) => {
                let mut updates = Vec::new();
                match &event {
                    EngineEvent::Output { stream, text } => updates.push(Update::Output {
                        cell: self.session.running(),
                        stream: *stream,
                        text: text.clone(),
                    }),
                    // Sent beside a CellFinished, not in answer to a request.
                    EngineEvent::RuntimeRestarted { .. }
                    | EngineEvent::JobStarted { .. }
                    | EngineEvent::JobFinished { .. } => {}
                    _ => self.pending = self.pending.saturating_sub(1),
                }
                let effects = self.session.handle(event);
                updates.extend(self.carry_out(effects));
                updates
            }
        }
    }

    fn carry_out(&mut self, effects: Vec<Effect>) -> Vec<Update> {
        let mut updates = Vec::new();
        for effect in effects {
            let request = match effect {
                Effect::Eval {
                    cell,
                    code,
                    snapshot,
                    background,
                } => EngineRequest::Eval {
                    cell,
                    code,
                    snapshot,
                    background,
                },
                Effect::KillJob { cell } => EngineRequest::KillJob { cell },
                Effect::ShowLog { cell } => EngineRequest::ShowLog { cell },
                Effect::Notify {
                    mode,
                    summary,
                    body,
                } => {
                    updates.extend(crate::jobs::notify(mode, &summary, &body));
                    continue;
                }
                Effect::Restore { cell, forget } => EngineRequest::Restore { cell, forget },
                Effect::DropSnapshots { cells } => EngineRequest::DropSnapshots { cells },
                Effect::Measure(cells) => EngineRequest::Measure(cells),
                Effect::Evcxr(command) => EngineRequest::Command(command),
                Effect::Show(notice) => {
                    updates.push(Update::Notice(notice));
                    continue;
                }
                Effect::CellFinished(cell) => {
                    updates.push(Update::CellFinished(cell));
                    continue;
                }
                Effect::Quit => {
                    updates.push(Update::Quit);
                    continue;
                }
            };
            if self.engine.requests.send(request).is_ok() {
                self.pending += 1;
            } else {
                updates.push(Update::Fatal("the engine has stopped".into()));
            }
        }
        updates
    }
}

impl App {
    /// Stops the engine and waits briefly so evcxr cleans up its temporary folders.
    pub fn shutdown(self) {
        let App { engine, .. } = self;
        engine.shutdown();
    }
}
