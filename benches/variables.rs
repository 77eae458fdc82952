//! Does a cell's cost grow with the number of variables the session holds? (issue 12)
//! Defines N variables, one per cell, and prints the median cell time of the first and
//! the last 10 cells (not a timed test).
//! Run: cargo bench --bench variables [-- N...]   (default: 120 500)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::time::Instant;
use tmrepl::app::App;
use tmrepl::engine::EngineMessage;
use tmrepl::session::{CellOutcome, EngineEvent, Settings};

fn wait(app: &mut App) -> Option<CellOutcome> {
    let mut outcome = None;
    while app.is_busy() {
        let Ok(message) = app.messages().recv() else {
            panic!("engine stopped")
        };
        match &message {
            EngineMessage::Event(EngineEvent::CellFinished(finished)) => {
                outcome = Some(finished.clone())
            }
            EngineMessage::StartFailed(e) => panic!("{e}"),
            _ => {}
        }
        app.handle(message);
    }
    outcome
}

/// Runs a cell that must succeed; returns (evcxr's eval time, wall time) in ms.
fn cell(app: &mut App, code: &str) -> (f64, f64) {
    let started = Instant::now();
    app.submit(code);
    let outcome = wait(app).expect("cell outcome");
    let wall = started.elapsed().as_secs_f64() * 1e3;
    assert!(
        outcome.status.has_state(),
        "{code}: {:?} {:?}",
        outcome.status,
        outcome.error_text
    );
    (outcome.duration.as_secs_f64() * 1e3, wall)
}

fn median(values: &[f64]) -> f64 {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn measure(count: usize) {
    let mut app = App::new(Settings {
        snapshot_budget: 64 << 30,
        ..Settings::default()
    });
    wait(&mut app);
    let mut eval = Vec::new();
    let mut wall = Vec::new();
    for i in 0..count {
        let (e, w) = cell(&mut app, &format!("let v{i} = vec![{i}u64; 100];"));
        eval.push(e);
        wall.push(w);
    }
    // Every value is still there and intact.
    let last = count - 1;
    let (check, _) = cell(
        &mut app,
        &format!("assert_eq!(v0[0] + v{last}[99], {last});"),
    );
    let first = 0..10;
    let tail = count - 10..count;
    let (first_eval, last_eval) = (median(&eval[first.clone()]), median(&eval[tail.clone()]));
    println!(
        "{count:>4} variables | first 10: eval {first_eval:>7.1} ms, wall {:>7.1} ms | last 10: eval {last_eval:>7.1} ms, wall {:>7.1} ms | last/first (eval) {:.2} | a cell naming 2 of them: {check:.1} ms",
        median(&wall[first]),
        median(&wall[tail]),
        last_eval / first_eval,
    );
    app.shutdown();
}

fn main() {
    // evcxr starts this very binary as its child and as rustc's wrapper.
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .filter(|&count| count >= 10)
        .collect();
    let counts = if counts.is_empty() {
        vec![120, 500]
    } else {
        counts
    };
    for count in counts {
        measure(count);
    }
}
