//! The time machine's costs, printed as a table (not a timed test).
//! Run: cargo bench --bench timemachine

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::time::{Duration, Instant};
use tmrepl::app::{App, Update};
use tmrepl::engine::EngineMessage;
use tmrepl::session::{CellOutcome, EngineEvent, Settings};

struct Driver {
    app: App,
}

#[derive(Default)]
struct Result {
    outcome: Option<CellOutcome>,
    restore: Option<Duration>,
    notices: Vec<String>,
}

impl Driver {
    fn new() -> Driver {
        let mut driver = Driver {
            app: App::new(Settings {
                snapshot_budget: 64 << 30,
                ..Settings::default()
            }),
        };
        driver.wait();
        driver
    }

    fn wait(&mut self) -> Result {
        let mut result = Result::default();
        while self.app.is_busy() {
            let Ok(message) = self.app.messages().recv() else {
                panic!("engine stopped")
            };
            match &message {
                EngineMessage::Event(EngineEvent::CellFinished(outcome)) => {
                    result.outcome = Some(outcome.clone())
                }
                EngineMessage::Event(EngineEvent::Restored { elapsed, .. }) => {
                    result.restore = Some(*elapsed)
                }
                EngineMessage::StartFailed(e) => panic!("{e}"),
                _ => {}
            }
            for update in self.app.handle(message) {
                if let Update::Notice(n) = update {
                    result.notices.push(n.text);
                }
            }
        }
        result
    }

    fn run(&mut self, input: &str) -> Result {
        let updates = self.app.submit(input);
        let mut result = self.wait();
        for update in updates {
            if let Update::Notice(n) = update {
                result.notices.push(n.text);
            }
        }
        result
    }

    fn cell(&mut self, code: &str) -> CellOutcome {
        let result = self.run(code);
        let outcome = result.outcome.expect("cell outcome");
        assert!(
            outcome.status.has_state(),
            "{code}: {:?} {:?}",
            outcome.status,
            outcome.error_text
        );
        outcome
    }

    fn snapshot_bytes(&mut self) -> u64 {
        self.run(":memory");
        self.app.session().snapshot_bytes()
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // evcxr starts this very binary as its child and as rustc's wrapper.
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();
    let mut d = Driver::new();
    d.cell("let mut counter: u64 = 0;");

    // Extra time per cell: identical cells alternating with saving on and off.
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for round in 0..8 {
        for saving in [true, false] {
            d.run(if saving { ":saving on" } else { ":saving off" });
            let t = Instant::now();
            d.cell(&format!("counter += {round};"));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if saving { on.push(ms) } else { off.push(ms) }
        }
    }
    d.run(":saving on");
    let (m_on, m_off) = (median(on), median(off));
    println!(
        "cell wall time, median of 8: saving on {m_on:.1} ms, off {m_off:.1} ms, extra {:.1} ms ({:+.1} %)",
        m_on - m_off,
        (m_on / m_off - 1.0) * 100.0
    );

    println!();
    println!(
        "{:>9} | {:>12} | {:>14} | {:>16} | {:>13}",
        "state", "fork (ms)", "cell wall (ms)", "snapshot growth", ":past (ms)"
    );
    for (label, mib) in [("1 MiB", 1u64), ("100 MiB", 100), ("1 GiB", 1024)] {
        let name = format!("state_{mib}");
        d.cell(&format!("let mut {name}: Vec<u8> = vec![1u8; {mib} << 20]; for b in {name}.iter_mut() {{ *b = 7; }}"));
        let anchor = d.app.session().current();
        let before = d.snapshot_bytes();
        let outcome = d.cell(&format!("{name}[12345] = 9;"));
        let fork_ms = outcome
            .snapshot
            .map(|s| s.fork_micros as f64 / 1e3)
            .unwrap_or(f64::NAN);
        let after = d.snapshot_bytes();
        let mut pasts = Vec::new();
        for _ in 0..3 {
            let r = d.run(&format!(":past {anchor}"));
            pasts.push(r.restore.map(|e| e.as_secs_f64() * 1e3).unwrap_or(f64::NAN));
        }
        println!(
            "{label:>9} | {fork_ms:>12.2} | {:>14.1} | {:>13.1} KiB | {:>13.1}",
            outcome.duration.as_secs_f64() * 1e3,
            (after.saturating_sub(before)) as f64 / 1024.0,
            median(pasts)
        );
        d.run(":clear_past");
        d.cell(&format!("drop({name});"));
    }

    // Starting a job: the prompt's return for `&cell` against the same cell in the foreground.
    let (mut fg, mut bg) = (Vec::new(), Vec::new());
    for round in 0..6 {
        let code = format!("let probe_{round} = {round} + 1;");
        let t = Instant::now();
        d.cell(&code);
        fg.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let r = d.run(&format!("& {code}"));
        bg.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(r.outcome.is_some());
    }
    let (m_fg, m_bg) = (median(fg), median(bg));
    println!();
    println!(
        "& cell to prompt, median of 6: {m_bg:.1} ms vs {m_fg:.1} ms for the same cell in the foreground (job start overhead {:.1} ms)",
        m_bg - m_fg
    );
    d.app.shutdown();
}
