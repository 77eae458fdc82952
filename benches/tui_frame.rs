//! Frame time of the full-screen interface with 10,000 cells and 100 jobs (budget 5 ms).
//! Run: cargo bench --bench tui_frame

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};
use tmrepl::app::Update;
use tmrepl::session::{
    CellOutcome, EngineEvent, JobOutcome, Session, Settings, Stream, TakenSnapshot,
};
use tmrepl::timeline::{CellStatus, VarInfo};
use tmrepl::ui::view::{Focus, View};

fn main() {
    let mut session = Session::new(Settings::default());
    let mut view = View::new(true);
    for n in 1..=10_000u32 {
        let job = n % 100 == 0;
        let source = if job {
            format!("& heavy({n})")
        } else {
            format!("let x{n} = {n} * 2; x{n}")
        };
        view.apply(
            &Update::Output {
                cell: Some(n),
                stream: Stream::Stdout,
                text: format!("line printed by cell {n}"),
            },
            &session,
        );
        session.submit(&source);
        session.handle(EngineEvent::CellFinished(CellOutcome {
            cell: n,
            status: if job {
                CellStatus::Running
            } else {
                CellStatus::Ok
            },
            value: (!job).then(|| (n * 2).to_string()),
            error_text: None,
            duration: Duration::from_millis(150),
            vars: vec![VarInfo {
                name: format!("x{n}"),
                type_name: "u32".into(),
            }],
            snapshot: (!job).then_some(TakenSnapshot {
                fork_micros: 400,
                degraded: None,
            }),
            restored_to: None,
        }));
        if !job {
            view.apply(&Update::CellFinished(n), &session);
        }
    }
    // Half of the 100 jobs have finished.
    for n in (100..=5_000).step_by(100) {
        session.handle(EngineEvent::JobFinished {
            cell: n,
            end: JobOutcome::Finished,
            duration: Duration::from_secs(3),
            peak_bytes: 1 << 20,
            degraded: None,
        });
    }
    assert_eq!(session.timeline().jobs().count(), 100);
    for (label, width, height, focus) in [
        ("80x24", 80, 24, Focus::Editor),
        ("200x60, panel focused", 200, 60, Focus::Panel),
    ] {
        view.focus = focus;
        view.selected = Some(5_000);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let mut times = Vec::new();
        for frame in 0..200 {
            view.ticks = frame;
            let started = Instant::now();
            terminal.draw(|f| view.render(f, &session, true)).unwrap();
            times.push(started.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "frame {label} with 10,000 cells and 100 jobs: median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1]
        );
    }
}
