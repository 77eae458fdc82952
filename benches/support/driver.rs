//! Drives an `App` as a front end does, for the benches that save and resume sessions
//! (`archive`, `replay`): cells run one after another, and saves go on in idle time.

// Each bench uses what it measures.
#![allow(dead_code)]

use std::time::Duration;
use tmrepl::app::App;
use tmrepl::engine::EngineMessage;
use tmrepl::session::{EngineEvent, PersistSummary, ResumeSummary, Settings};

pub struct Driver {
    pub app: App,
    /// Every save that ended, in order (not the archive's own records).
    pub persisted: Vec<PersistSummary>,
    pub resumed: Option<ResumeSummary>,
}

impl Driver {
    /// With `data`, the saved session "bench" there is started (or resumed).
    pub fn new(settings: Settings, data: Option<&std::path::Path>, resume: bool) -> Driver {
        let mut app = App::new(settings);
        app.set_data_dir(data.map(ToOwned::to_owned));
        if data.is_some() {
            drop(
                app.open_session(Some("bench"), resume, None)
                    .expect("open session"),
            );
        }
        let mut d = Driver {
            app,
            persisted: Vec::new(),
            resumed: None,
        };
        d.wait();
        d
    }

    fn handle(&mut self, message: EngineMessage) {
        match &message {
            EngineMessage::Event(EngineEvent::Persisted {
                result: Ok(s),
                record: false,
                ..
            }) => self.persisted.push(s.clone()),
            EngineMessage::Event(EngineEvent::Persisted { result: Err(e), .. }) => panic!("{e}"),
            EngineMessage::Event(EngineEvent::Resumed { result, .. }) => {
                self.resumed = Some(result.clone().expect("resume"));
            }
            EngineMessage::StartFailed(e) => panic!("{e}"),
            _ => {}
        }
        self.app.handle(message);
    }

    /// Until the foreground is done (saves may still go on).
    pub fn wait(&mut self) {
        while self.app.is_busy() {
            let message = self.app.messages().recv().expect("engine");
            self.handle(message);
        }
    }

    /// Until every value is on disk, saving in idle time as the front ends do.
    pub fn settle(&mut self) {
        self.wait();
        while self.app.session().saves_pending() {
            if let Ok(message) = self.app.messages().recv_timeout(Duration::from_millis(20)) {
                self.handle(message);
            }
            self.app.tick();
        }
    }

    pub fn run(&mut self, input: &str) {
        self.app.submit(input);
        self.wait();
    }
}
