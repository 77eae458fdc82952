//! The long day, printed (not a timed test): cell time, the session's processes and their
//! memory at 100, 200 and 400 cells, and `:past` to a thinned cell against a kept one.
//! Run: cargo bench --bench long_day [CELLS]

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

#[path = "../tests/common/procs.rs"]
mod procs;
#[path = "support/driver.rs"]
mod support;

use std::time::{Duration, Instant};
use support::Driver;
use tmrepl::session::Settings;

fn pss_mib(pids: &[u32]) -> f64 {
    procs::pss(pids) as f64 / 1048576.0
}

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}

#[allow(unsafe_code)] // sets the environment before any thread exists
fn main() {
    // SAFETY: the first thing the process does; no other thread exists to read it yet.
    unsafe { std::env::set_var(tmrepl::runtime::EXE_ENV, env!("CARGO_BIN_EXE_tmrepl")) };
    let cells: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(400);
    let mut d = Driver::new(Settings::default(), None, false);
    println!(
        "| cells | cell time (median of the last 10) | processes | PSS of the tree | of which the host |"
    );
    println!("|---:|---:|---:|---:|---:|");
    let mut recent = Vec::new();
    for n in 1..=cells {
        let t = Instant::now();
        d.run(&format!("let v{n} = vec![{n}u64; 100];"));
        recent.push(t.elapsed());
        if recent.len() > 10 {
            recent.remove(0);
        }
        if [10, 100, 200, 400].contains(&n) || n == cells {
            // As between cells someone types: the engine hands freed heap back to the
            // system once it has been idle for a moment (300 ms).
            std::thread::sleep(Duration::from_millis(800));
            let pids = procs::tree(std::process::id());
            println!(
                "| {n} | {:.0} ms | {} | {:.0} MiB | {:.0} MiB |",
                median_ms(recent.clone()),
                pids.len(),
                pss_mib(&pids),
                pss_mib(&[std::process::id()])
            );
        }
    }
    let t = Instant::now();
    d.run(":past 5");
    let thinned = t.elapsed();
    let t = Instant::now();
    d.run(&format!(":past {}", cells - 1));
    let kept = t.elapsed();
    println!(
        "\n:past 5 (thinned, rebuilt by replay): {:.0} ms; :past {} (kept): {:.1} ms",
        thinned.as_secs_f64() * 1e3,
        cells - 1,
        kept.as_secs_f64() * 1e3
    );
}
