//! The durable archive's costs, printed as a table (not a timed test).
//! Run: cargo bench --bench archive

use std::time::Instant;
use tmrepl::app::App;
use tmrepl::archive::Store;
use tmrepl::engine::EngineMessage;
use tmrepl::session::{EngineEvent, PersistSummary, Settings};

struct Driver {
    app: App,
    persisted: Vec<PersistSummary>,
    resumed: bool,
}

impl Driver {
    fn new(data: &std::path::Path, session: &str, resume: bool) -> Driver {
        let mut app = App::new(Settings::default());
        app.set_data_dir(Some(data.to_owned()));
        let updates = app
            .open_session(Some(session), resume, None)
            .expect("open session");
        drop(updates);
        let mut d = Driver {
            app,
            persisted: Vec::new(),
            resumed: false,
        };
        d.wait();
        d
    }

    fn wait(&mut self) {
        while self.app.is_busy() {
            let message = self.app.messages().recv().expect("engine");
            match &message {
                EngineMessage::Event(EngineEvent::Persisted { result: Ok(s), .. }) => {
                    self.persisted.push(s.clone())
                }
                EngineMessage::Event(EngineEvent::Persisted { result: Err(e), .. }) => {
                    panic!("{e}")
                }
                EngineMessage::Event(EngineEvent::Resumed { result, .. }) => {
                    result.as_ref().expect("resume");
                    self.resumed = true;
                }
                EngineMessage::StartFailed(e) => panic!("{e}"),
                _ => {}
            }
            self.app.handle(message);
        }
    }

    fn run(&mut self, input: &str) {
        self.app.submit(input);
        self.wait();
    }
}

fn main() {
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();
    let data = tempfile::tempdir().unwrap();

    // The limit: hashing and writing changed bytes, with fsync, in the store itself.
    let store = Store::open(&data.path().join("raw")).unwrap();
    let bytes: Vec<u8> = (0..256u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let t = Instant::now();
    store.put(&bytes).unwrap();
    let raw = t.elapsed().as_secs_f64();
    println!(
        "store.put of 256 MiB (blake3 + write + fsync + rename): {:.0} MB/s",
        268.4 / raw
    );

    let mut d = Driver::new(data.path(), "bench", false);
    d.run(":dep serde = { version = \"1\" }");
    d.run("let warm = 1u8;");
    let t = Instant::now();
    d.run("let mut state: Vec<u8> = (0..(256u64 << 20)).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();");
    let cell = t.elapsed().as_secs_f64();
    let first = d.persisted.last().cloned().unwrap_or_default();
    println!(
        "persist 256 MiB changed value: {} written in {:.2} s after the cell ({:.0} MB/s end to end; cell itself {:.2} s)",
        tmrepl::session::human_bytes(first.bytes_written),
        first.elapsed.as_secs_f64(),
        268.4 / first.elapsed.as_secs_f64(),
        cell
    );
    let before = d.persisted.len();
    for k in 0..5 {
        d.run(&format!("let other_{k} = {k};"));
    }
    let unchanged: u64 = d.persisted[before..]
        .iter()
        .map(|s| s.bytes_written)
        .filter(|b| *b > 1024)
        .sum();
    println!("5 cells that leave the 256 MiB value alone: {unchanged} bytes of it written again");
    d.run("state.truncate(0); state.extend((0..(1u64 << 30)).map(|i| i as u8));");
    let big = d.persisted.last().cloned().unwrap_or_default();
    println!(
        "persist 1 GiB changed value: {} in {:.2} s",
        tmrepl::session::human_bytes(big.bytes_written),
        big.elapsed.as_secs_f64()
    );
    d.app.shutdown();

    let t = Instant::now();
    let r = Driver::new(data.path(), "bench", true);
    assert!(r.resumed);
    println!(
        "resume with a 1 GiB value (new process: evcxr start, deps, decode): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    r.app.shutdown();
}
