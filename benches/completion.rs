//! How long Tab waits for rust-analyzer (issue 13: within 300 ms after the first answer of
//! a session). Prints the first answer's time and the median and worst of the next ones,
//! for a method, a field and a std path, in a session that holds `VARS` variables.
//! Run: cargo bench --bench completion [-- VARS]   (default: 20)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::time::{Duration, Instant};
use tmrepl::app::App;
use tmrepl::engine::EngineMessage;
use tmrepl::session::Settings;

fn wait(app: &mut App) {
    while app.is_busy() {
        let message = app.messages().recv().expect("engine stopped");
        if let EngineMessage::StartFailed(e) = &message {
            panic!("{e}");
        }
        app.handle(message);
    }
}

#[allow(unsafe_code)] // sets the environment before any thread exists
fn main() {
    // SAFETY: the first thing the process does; no other thread exists to read it yet.
    unsafe { std::env::set_var(tmrepl::runtime::EXE_ENV, env!("CARGO_BIN_EXE_tmrepl")) };
    let vars: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    let mut app = App::new(Settings::default());
    wait(&mut app);
    for cell in [
        "let mut numbers = vec![3, 1, 2];".to_owned(),
        "struct Point { x: i32, yy: i32 }".to_owned(),
        "let p = Point { x: 1, yy: 2 };".to_owned(),
    ]
    .into_iter()
    .chain((0..vars).map(|i| format!("let v{i} = vec![{i}u64; 10];")))
    {
        app.submit(&cell);
        wait(&mut app);
    }
    let completer = app.code_completer();
    let ask = |source: &str| {
        let started = Instant::now();
        let found = completer
            .complete(source, source.len(), Duration::from_secs(30))
            .expect("an answer")
            .expect("completions");
        assert!(!found.candidates.is_empty(), "{source}");
        started.elapsed().as_secs_f64() * 1e3
    };
    let kinds = ["numbers.sort_unst", "p.y", "std::collections::HashM"];
    let first = ask(kinds[0]);
    // The first question of each other kind loads more of the standard library.
    let first_of_kind: Vec<f64> = kinds[1..].iter().map(|k| ask(k)).collect();
    let mut times: Vec<f64> = (0..10).flat_map(|_| kinds.map(&ask)).collect();
    times.sort_by(f64::total_cmp);
    println!(
        "completion with {vars} variables: first {first:.0} ms; first field / path: {:.0} / {:.0} ms; next 30: median {:.0} ms, worst {:.0} ms",
        first_of_kind[0],
        first_of_kind[1],
        times[times.len() / 2],
        times[times.len() - 1]
    );
    app.shutdown();
}
