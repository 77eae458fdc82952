//! Resuming a session whose unstorable values are rebuilt by replay, against re-running
//! every cell: 50 cells, 10 of which make values without serde. Each cell sleeps
//! TMREPL_BENCH_CELL_MS (default 300) to stand for its work. Printed, not timed.
//! Run: cargo bench --bench replay (or cargo test --bench replay, without a release build)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

#[path = "support/driver.rs"]
mod driver;

use driver::Driver;
use std::time::Instant;
use tmrepl::session::Settings;

const CELLS: usize = 50;
/// Every fifth cell makes an `Rc`, which the archive cannot store.
const EVERY: usize = 5;

fn cell(i: usize, work_ms: u64) -> String {
    let work = format!("std::thread::sleep(std::time::Duration::from_millis({work_ms}));");
    if i.is_multiple_of(EVERY) {
        format!("{work} let r{i} = std::rc::Rc::new(vec![{i}u64; 1000]);")
    } else {
        format!("{work} let s{i} = vec![{i}u64; 1000];")
    }
}

fn main() {
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();
    let work_ms: u64 = std::env::var("TMREPL_BENCH_CELL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let data = tempfile::tempdir().unwrap();
    let settings = || Settings {
        snapshot_budget: 64 << 30,
        ..Settings::default()
    };

    let mut d = Driver::new(settings(), Some(data.path()), false);
    let t = Instant::now();
    for i in 1..=CELLS {
        d.run(&cell(i, work_ms));
    }
    let first_run = t.elapsed();
    d.settle();
    d.app.shutdown();

    let t = Instant::now();
    let r = Driver::new(settings(), Some(data.path()), true);
    let replayed = t.elapsed();
    let summary = r.resumed.clone().expect("resumed");
    r.app.shutdown();

    let t = Instant::now();
    let r = Driver::new(
        Settings {
            replay: false,
            ..settings()
        },
        Some(data.path()),
        true,
    );
    let values_only = t.elapsed();
    r.app.shutdown();

    // The alternative to choosing cells: run the whole session again in a new process.
    let t = Instant::now();
    let mut all = Driver::new(settings(), None, false);
    for i in 1..=CELLS {
        all.run(&cell(i, work_ms));
    }
    let rerun = t.elapsed();
    all.app.shutdown();

    println!(
        "{CELLS} cells of {work_ms} ms work each, {} of them make an Rc (no serde)",
        CELLS / EVERY
    );
    println!(
        "first run of the cells (session already started): {:.2} s",
        first_run.as_secs_f64()
    );
    println!(
        "resume, {} values from disk, {} rebuilt by replaying {} cells: {:.2} s",
        summary.restored.len(),
        summary.rebuilt.len(),
        CELLS / EVERY,
        replayed.as_secs_f64()
    );
    println!(
        "resume --no-replay ({} values lost): {:.2} s",
        CELLS / EVERY,
        values_only.as_secs_f64()
    );
    println!(
        "new process re-running all {CELLS} cells: {:.2} s",
        rerun.as_secs_f64()
    );
}
