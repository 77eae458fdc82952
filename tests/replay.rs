//! Resuming rebuilds what the archive could not store by replaying the cells that made it:
//! the issue's session (a user struct without serde, an `Rc`, a plain `Vec`), a value made
//! from a stored value and an unstored one, a cell that writes a file (not replayed without
//! `--replay-effects`), and a replay that fails while the rest comes back. One saved session
//! and one resume, to keep the compiled cells few.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{run_command_with_script, tmrepl};
use std::path::Path;

fn with_data(data: &Path, args: &[&str]) -> std::process::Command {
    let mut command = tmrepl();
    command.arg("--data-dir").arg(data).args(args);
    command
}

#[test]
fn unstorable_values_come_back_by_replaying_the_cells_that_made_them() {
    let data = tempfile::tempdir().unwrap();
    let written = data.path().join("written.txt");
    let script = format!(
        r#"struct Acc {{ n: Vec<u32> }}
let acc = Acc {{ n: vec![1, 2] }};
let rc = std::rc::Rc::new(5);
let plain = vec![1u8];
let mixed = std::rc::Rc::new(plain.len() as u32 + acc.n[1]);
std::fs::write({written:?}, "once").unwrap(); let wrote = std::rc::Rc::new(1);
let fragile = std::rc::Rc::new(std::env::var("TMREPL_TEST_FRAGILE").unwrap().len());
let steady = std::rc::Rc::new(7u8);
let needs_fragile = std::rc::Rc::new(*fragile + 1);
:save
:vars
"#
    );
    let mut first = with_data(data.path(), &["--session", "r1"]);
    first.env("TMREPL_TEST_FRAGILE", "abc");
    let t = run_command_with_script(first, &script);
    let all = t.all();
    assert!(t.success, "{all}");
    // :save and :vars say how each value will come back. Cell 5 names `acc`, so it may
    // have changed it: rebuilding `acc` replays it too.
    assert!(
        all.contains("on resume at cell 9: acc: resume replays cells 2, 5; fragile: resume replays cells 7, 9; mixed: resume replays cells 2, 5; needs_fragile: resume replays cells 7, 9; plain: from disk; rc: resume replays cell 3; steady: resume replays cell 8; wrote: lost on resume: cell 6 acts outside the session (files); --replay-effects replays it"),
        "{all}"
    );
    assert!(
        t.stdout
            .lines()
            .any(|l| l.starts_with("acc ") && l.ends_with("; resume replays cells 2, 5)")),
        "{all}"
    );
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "once");
    std::fs::remove_file(&written).unwrap();

    // Resumed without the variable cell 7 reads: its replay panics.
    let t = run_command_with_script(
        with_data(data.path(), &["--resume", "r1"]),
        "(acc.n.clone(), *rc, plain.clone(), *mixed, *steady)\nfragile\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    // The plan is said before it runs, and each value's way back after.
    assert!(
        all.contains("rebuilding acc, fragile, mixed, needs_fragile, rc, steady by replaying cells 2, 3, 5, 7, 8, 9 (est. "),
        "{all}"
    );
    assert!(
        all.contains("; plain from disk; wrote cannot be rebuilt: cell 6 acts outside the session (files); --replay-effects replays it"),
        "{all}"
    );
    assert!(all.contains("resumed r1 at cell 9"), "{all}");
    assert!(
        all.contains("rebuilt by replaying cells: acc, mixed, rc, steady"),
        "{all}"
    );
    assert!(
        all.contains("not restored: fragile: replaying cell 7 failed: "),
        "{all}"
    );
    assert!(
        all.contains("not restored: needs_fragile: replaying cell 7 failed: "),
        "{all}"
    );
    assert_eq!(t.out(10), Some("([1, 2], 5, [1], 3, 7)"), "{all}");
    assert!(t.stderr.contains("cannot find value `fragile`"), "{all}");
    // The file-writing cell was not run again, and replayed output stayed out of the
    // transcript (it is in the session's replay log).
    assert!(!written.exists(), "cell 6 was replayed");
    let log = std::fs::read_to_string(data.path().join("sessions/r1/replay.log")).unwrap();
    assert!(
        log.contains("TMREPL_TEST_FRAGILE") || log.contains("NotPresent"),
        "{log}"
    );
    assert!(!t.stderr.contains("NotPresent"), "{all}");

    // With --replay-effects the file-writing cell runs again, and its value comes back.
    let t = run_command_with_script(
        with_data(
            data.path(),
            &["--resume", "r1", "--cell", "9", "--replay-effects"],
        ),
        "*wrote\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(
        all.contains("by replaying cells 2, 3, 5, 6, 7, 8, 9"),
        "{all}"
    );
    assert_eq!(t.out(12), Some("1"), "{all}");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "once");
}
