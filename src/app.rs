//! Connects the pure `Session` to the engine: carries out effects, feeds engine events back.
//! Both front ends drive an `App`; neither holds time-machine logic.

use crate::archive;
use crate::commands::Command;
use crate::engine::{self, EngineHandle, EngineMessage, Envelope};
use crate::session::{
    AskId, Effect, EngineEvent, Notice, Opening, Question, Reply, Request, RequestId, SavedSession,
    Session, Settings, Stream,
};
use crossbeam_channel::Receiver;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long nothing must happen before values are written to the archive. Long enough
/// that a burst of cells (a paste, a script) runs first, short enough that a crash soon
/// after a result rarely costs it.
pub const SAVE_WHEN_IDLE_FOR: Duration = Duration::from_millis(700);

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
    /// The answer to the front end's `App::ask` with the same id.
    Reply(Reply),
    /// A notice that should also ring the terminal bell (job ended, no desktop).
    Bell(Notice),
    InputRequested {
        prompt: String,
        password: bool,
    },
    /// A yes/no question; the front end answers with the command the session names
    /// (for now only `Command::ReplayEffects`).
    Question(String),
    Quit,
    Fatal(String),
}

pub struct App {
    session: Session,
    engine: EngineHandle,
    /// Requests sent and not yet done, and whether each holds the prompt.
    in_flight: BTreeMap<RequestId, bool>,
    next_request: u64,
    started: bool,
    /// Where saved sessions live; None disables the archive.
    data_dir: Option<std::path::PathBuf>,
    /// Shown by the front end when it starts (e.g. what resuming a session said).
    startup: Vec<Update>,
    /// When the app last did something for the user (idle-time work waits for quiet).
    last_activity: Instant,
    /// The saved session this process has open, locked against other tmrepls.
    lock: Option<archive::SessionLock>,
    /// The last cell's rich output (HTML, images), until a front end that shows it takes it.
    rich_output: Option<(u32, Vec<(String, String)>)>,
}

impl App {
    pub fn new(settings: Settings) -> App {
        App::with_engine(settings, engine::spawn())
    }

    /// An app over `engine`: `engine::spawn()`'s, or a test's (`engine::over_channels`).
    pub fn with_engine(settings: Settings, engine: EngineHandle) -> App {
        let job_limit = settings.job_limit;
        let mut app = App {
            session: Session::new(settings),
            engine,
            in_flight: BTreeMap::new(),
            next_request: 0,
            started: false,
            data_dir: None,
            startup: Vec::new(),
            last_activity: Instant::now(),
            lock: None,
            rich_output: None,
        };
        // An engine that failed to start says so in its first message.
        let _ = app.send(Request::SetJobLimit(job_limit));
        app
    }

    /// Stamps a request with the next id and hands it to the engine.
    fn send(&mut self, request: Request) -> Result<(), Update> {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        let holds_the_prompt = request.holds_the_prompt();
        self.engine
            .requests
            .send(Envelope { id, request })
            .map_err(|_| Update::Fatal("the engine has stopped".into()))?;
        self.in_flight.insert(id, holds_the_prompt);
        Ok(())
    }

    /// Updates produced before the front end started.
    pub fn take_startup(&mut self) -> Vec<Update> {
        std::mem::take(&mut self.startup)
    }

    pub fn push_startup(&mut self, updates: Vec<Update>) {
        self.startup.extend(updates);
    }

    pub fn set_data_dir(&mut self, dir: Option<std::path::PathBuf>) {
        if let Some(dir) = &dir {
            let _ = self.send(Request::SetDataDir(dir.clone()));
        }
        self.data_dir = dir;
    }

    fn session_dir(&self, name: &str) -> Result<std::path::PathBuf, String> {
        let data_dir = self
            .data_dir
            .as_ref()
            .ok_or_else(|| "no data folder for saved sessions; pass --data-dir".to_owned())?;
        archive::session_dir(data_dir, name).map_err(|e| e.to_string())
    }

    /// The lock of saved session `name` for this process, or None when it holds it already.
    /// Kept by `hold` once the session is really switched to.
    fn lock_session(&self, name: &str) -> Result<Option<archive::SessionLock>, String> {
        if self.lock.as_ref().is_some_and(|lock| lock.name() == name) {
            return Ok(None);
        }
        let dir = self.session_dir(name)?;
        archive::SessionLock::take(&dir, name)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// Holds a newly taken session lock, releasing the one of the session left behind.
    fn hold(&mut self, lock: Option<archive::SessionLock>) {
        if lock.is_some() {
            self.lock = lock;
        }
    }

    /// Readies session `name`'s folder for the engine to open: locked, and for `:save NEW`
    /// free of another session's cells (refused) or emptied of them (`:save!`).
    fn prepare_archive(&mut self, name: &str, opening: Opening) -> Result<(), String> {
        let lock = self.lock_session(name)?;
        let dir = self.session_dir(name)?;
        match opening {
            Opening::Continue => {}
            Opening::New => {
                let cells = archive::Store::open(&dir)
                    .and_then(|store| store.cells())
                    .map(|cells| cells.len())
                    .unwrap_or(0);
                if cells > 0 {
                    return Err(archive::ArchiveError::Exists {
                        name: name.to_owned(),
                        cells,
                    }
                    .to_string());
                }
            }
            Opening::Replace => archive::remove_saved(&dir).map_err(|e| e.to_string())?,
        }
        self.hold(lock);
        Ok(())
    }

    /// The manifests of saved session `name`, and warnings for damaged ones.
    fn read_session(&self, name: &str) -> Result<(Vec<archive::Manifest>, Vec<Update>), String> {
        self.read_saved(name).map(|(saved, warnings)| {
            let warnings = warnings
                .into_iter()
                .map(|w| Update::Notice(Notice::warning(w)))
                .collect();
            (saved.manifests, warnings)
        })
    }

    /// Saved session `name` as its manifests say, read without its lock and creating
    /// nothing; with why each damaged manifest could not be read.
    fn read_saved(&self, name: &str) -> Result<(SavedSession, Vec<String>), String> {
        let dir = self.session_dir(name)?;
        if !dir.exists() {
            return Err(archive::ArchiveError::NoSuchSession(name.to_owned()).to_string());
        }
        let store = archive::Store::at(&dir);
        let mut manifests = Vec::new();
        let mut warnings = Vec::new();
        for n in store.cells().map_err(|e| e.to_string())? {
            match store.read_manifest(n) {
                Ok(m) => manifests.push(m),
                // A damaged manifest costs that cell, not the session.
                Err(e) => warnings.push(e.to_string()),
            }
        }
        if manifests.is_empty() {
            return Err(format!("session {name} has no saved cells"));
        }
        let saved = SavedSession {
            name: name.to_owned(),
            dir,
            manifests,
        };
        Ok((saved, warnings))
    }

    /// `--session NAME`: continue the saved session NAME if it has cells, else start it.
    /// `--resume [NAME]`: reopen NAME (default: the most recently used), failing if absent.
    pub fn open_session(
        &mut self,
        name: Option<&str>,
        must_exist: bool,
        cell: Option<u32>,
    ) -> Result<Vec<Update>, String> {
        let data_dir = self
            .data_dir
            .clone()
            .ok_or_else(|| "no data folder for saved sessions; pass --data-dir".to_owned())?;
        let name = match name {
            Some(name) => name.to_owned(),
            None => archive::list_sessions(&data_dir)
                .map_err(|e| e.to_string())?
                .into_iter()
                .next()
                .map(|s| s.name)
                .ok_or_else(|| {
                    format!(
                        "no saved sessions in {}",
                        data_dir.join("sessions").display()
                    )
                })?,
        };
        let dir = archive::session_dir(&data_dir, &name).map_err(|e| e.to_string())?;
        let missing = || format!("no saved session named {name} (or it has no cells)");
        if must_exist && !dir.exists() {
            return Err(missing());
        }
        // Before anything is read or written: another tmrepl may be writing it.
        let lock = self.lock_session(&name)?;
        self.hold(lock);
        let has_cells = archive::Store::open(&dir)
            .and_then(|store| store.cells())
            .is_ok_and(|cells| !cells.is_empty());
        if !has_cells {
            if must_exist {
                return Err(missing());
            }
            return Ok(self.carry_out(vec![Effect::OpenArchive {
                name,
                opening: Opening::Continue,
            }]));
        }
        let (manifests, mut updates) = self.read_session(&name)?;
        let effects = self.session.load_history(&name, manifests, cell)?;
        updates.extend(self.carry_out(effects));
        Ok(updates)
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Asks rust-analyzer for completions (see `crate::completion`), from any thread.
    pub fn code_completer(&self) -> engine::CodeCompleter {
        self.engine.completer()
    }

    /// Whether the front end should wait before taking the next input: a cell or command
    /// is under way, or a `:save` (idle-time saving never makes the app busy).
    pub fn is_busy(&self) -> bool {
        self.in_flight.values().any(|&holds| holds) || !self.started || self.session.is_flushing()
    }

    /// Called by front ends every so often: starts idle-time work (writing values to the
    /// archive) once nothing has happened for `SAVE_WHEN_IDLE_FOR`.
    pub fn tick(&mut self) -> Vec<Update> {
        if self.is_busy() || self.last_activity.elapsed() < SAVE_WHEN_IDLE_FOR {
            return Vec::new();
        }
        let effects = self.session.idle();
        self.carry_out(effects)
    }

    /// What to tell the user while `save_before_quit` runs, when there is anything to save.
    pub fn quit_saving_message(&self) -> Option<String> {
        self.session.saves_pending().then(|| {
            format!(
                "saving the values of {} cell(s) to session {}…",
                self.session.unsaved_cells(),
                self.session.archive().unwrap_or("default")
            )
        })
    }

    /// Before quitting: writes the values still unsaved and waits for them; returns what
    /// saving said. Snapshots die with the process, so this is their last chance.
    pub fn save_before_quit(&mut self) -> Vec<Update> {
        let mut updates = Vec::new();
        if !self.started || !self.session.saves_pending() {
            return updates;
        }
        let effects = self.session.flush_saves(false);
        updates.extend(self.carry_out(effects));
        while self.session.saves_pending() {
            let Ok(message) = self.engine.messages.recv_timeout(Duration::from_secs(600)) else {
                updates.push(Update::Notice(Notice::error(
                    "gave up waiting for the last values to be saved",
                )));
                break;
            };
            // Output of cells is over; only what saving says matters now.
            if let EngineMessage::Event(EngineEvent::Output { .. }) = message {
                continue;
            }
            updates.extend(self.handle(message));
        }
        updates
    }

    pub fn messages(&self) -> &Receiver<EngineMessage> {
        &self.engine.messages
    }

    /// Submits a line or block of input; returns what to show at once.
    pub fn submit(&mut self, input: &str) -> Vec<Update> {
        self.last_activity = Instant::now();
        let effects = self.session.submit(input);
        self.carry_out(effects)
    }

    /// Runs a command a front end built without text (a key), as `submit` runs a typed one.
    pub fn command(&mut self, command: Command) -> Vec<Update> {
        self.last_activity = Instant::now();
        let effects = self.session.submit_command(command);
        self.carry_out(effects)
    }

    /// Asks what a view needs (values, a log, the rewind preview); the answer comes as
    /// `Update::Reply` with the id returned, among these updates or later ones.
    pub fn ask(&mut self, question: Question) -> (AskId, Vec<Update>) {
        self.last_activity = Instant::now();
        let (id, effects) = self.session.ask(question);
        (id, self.carry_out(effects))
    }

    /// Cell `cell`'s rich output as (MIME type, data), taken: only the Jupyter kernel
    /// shows it, and only the last cell's is kept.
    pub fn take_rich_output(&mut self, cell: u32) -> Vec<(String, String)> {
        match self.rich_output.take() {
            Some((of, content)) if of == cell => content,
            other => {
                self.rich_output = other;
                Vec::new()
            }
        }
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
            EngineMessage::Display { cell, content } => {
                self.rich_output = Some((cell, content));
                Vec::new()
            }
            EngineMessage::Done(id) => {
                if self.in_flight.remove(&id) == Some(true) {
                    self.last_activity = Instant::now();
                }
                Vec::new()
            }
            EngineMessage::Event(event) => {
                let mut updates = Vec::new();
                if let EngineEvent::Output { stream, text } = &event {
                    updates.push(Update::Output {
                        cell: self.session.running(),
                        stream: *stream,
                        text: text.clone(),
                    });
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
            match effect {
                Effect::Engine(request) => {
                    if let Err(fatal) = self.send(request) {
                        updates.push(fatal);
                    }
                }
                Effect::Notify {
                    mode,
                    summary,
                    body,
                } => {
                    // Shown in the terminal, with the bell, when not on the desktop.
                    updates.extend(crate::jobs::notify(mode, &summary, &body).map(Update::Bell));
                }
                Effect::Show(notice) => updates.push(Update::Notice(notice)),
                Effect::Reply(reply) => updates.push(Update::Reply(reply)),
                Effect::Export(plan) => {
                    updates.push(Update::Notice(match crate::export::write(&plan) {
                        Ok(said) => Notice::info(said),
                        Err(error) => Notice::error(error),
                    }))
                }
                Effect::ShowJobs => updates.push(Update::Notice(Notice::info(
                    self.session.jobs_table(Instant::now()),
                ))),
                Effect::CellFinished(cell) => updates.push(Update::CellFinished(cell)),
                Effect::Quit => updates.push(Update::Quit),
                Effect::Ask(question) => updates.push(Update::Question(question)),
                Effect::OpenArchive { name, opening } => {
                    match self.prepare_archive(&name, opening) {
                        Ok(()) => {
                            if let Err(fatal) = self.send(Request::OpenArchive { name }) {
                                updates.push(fatal);
                            }
                        }
                        Err(error) => {
                            // Refused before the engine saw it: the session takes it like
                            // any failure to open.
                            let effects = self.session.handle(EngineEvent::ArchiveOpened {
                                name,
                                result: Err(error),
                            });
                            updates.extend(self.carry_out(effects));
                        }
                    }
                }
                Effect::ReadSaved(purpose) => {
                    let read = match self.read_saved(purpose.session()) {
                        Ok((saved, warnings)) => {
                            updates.extend(
                                warnings
                                    .into_iter()
                                    .map(|w| Update::Notice(Notice::warning(w))),
                            );
                            Ok(saved)
                        }
                        Err(e) => Err(e),
                    };
                    let effects = self.session.saved_read(purpose, read);
                    updates.extend(self.carry_out(effects));
                }
                Effect::LoadSession { name } => {
                    // Locked before this session is left, so a refusal leaves it as it was.
                    let read = self.read_session(&name).and_then(|(manifests, warnings)| {
                        Ok((self.lock_session(&name)?, manifests, warnings))
                    });
                    match read {
                        Ok((lock, manifests, warnings)) => {
                            self.hold(lock);
                            updates.extend(warnings);
                            let effects = self.session.switch_to(&name, manifests);
                            updates.extend(self.carry_out(effects));
                        }
                        Err(e) => updates
                            .push(Update::Notice(Notice::error(format!(":load {name}: {e}")))),
                    }
                }
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
