//! The long day: a 400-cell session keeps a bounded process tree and memory (old snapshots
//! are thinned; a thinned cell is rebuilt by replay when `:past` reaches it), and a
//! process limit that makes fork fail costs snapshots, never cells or earlier state.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::Live;
use common::procs::{pss, tree};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[test]
fn four_hundred_cells_keep_a_bounded_tree_and_a_thinned_cell_comes_back_by_replay() {
    let data = tempfile::tempdir().unwrap();
    let mut live = Live::start_with(&["--data-dir", data.path().to_str().unwrap()]);
    for i in 1..=400 {
        live.send(&format!("let v{i} = vec![{i}u64; 100];"));
    }
    live.send("v400.len() + v1.len()");
    live.expect("Out[401]: 200", Duration::from_secs(900));
    // As a person reads the answer: the engine trims its heap once it sits idle.
    std::thread::sleep(Duration::from_secs(2));
    let pids = tree(live.child.id());
    let host = pss(&[live.child.id()]);
    let snapshots = pss(&pids) - host;
    println!(
        "after 400 cells: {} processes; PSS of the tree {:.1} MiB: the worker and its \
         snapshots {:.1} MiB, the host (evcxr, rust-analyzer) {:.1} MiB",
        pids.len(),
        (host + snapshots) as f64 / 1048576.0,
        snapshots as f64 / 1048576.0,
        host as f64 / 1048576.0
    );
    assert!(pids.len() <= 64, "{} processes: {pids:?}", pids.len());
    // What grows with the day is the snapshots.
    assert!(snapshots < 100 << 20, "snapshots' PSS {snapshots} bytes");
    // The host's share is rust-analyzer's database of the standard library, about the
    // same after 5 cells as after 400: ~320 MiB once trimmed, ~490 MiB untrimmed.
    assert!(
        host < 400 << 20,
        "host's PSS {host} bytes: was its heap trimmed?"
    );
    live.send(":cells");
    live.expect("current: cell 401", Duration::from_secs(30));
    let thinned = live.seen.iter().filter(|l| l.contains(" thinned ")).count();
    assert!(thinned >= 300, "{thinned} thinned cells");
    // Cell 5 was thinned long ago: rebuilt from the nearest snapshot before it.
    live.send(":past 5");
    let said = live.expect("restored to cell 5", Duration::from_secs(300));
    assert!(said.contains("rebuilt from"), "{said}");
    live.send("v5[0] + v4[0]");
    live.expect("Out[402]: 9", Duration::from_secs(60));
    // Cell 6 and later are not on cell 5's branch any more.
    live.send("v6");
    live.expect("cannot find value `v6`", Duration::from_secs(60));
    // And the present is still there to go back to.
    live.send(":past 401");
    live.expect("restored to cell 401", Duration::from_secs(60));
    assert!(live.finish().success());
}

#[test]
fn a_thinned_cell_whose_branch_acted_outside_is_not_replayed() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("written.txt");
    let mut live = Live::start_with(&[
        "--data-dir",
        data.path().to_str().unwrap(),
        "--snapshot-count",
        "3",
    ]);
    live.send(&format!(
        "std::fs::write({:?}, \"once\").unwrap(); let a = 1;",
        file.display()
    ));
    for i in 2..=8 {
        live.send(&format!("let b{i} = {i};"));
    }
    live.send("a + b8");
    live.expect("Out[9]: 9", Duration::from_secs(300));
    live.send(":past 2");
    let said = live.expect(":past 2:", Duration::from_secs(60));
    assert!(said.contains("would replay cell 1"), "{said}");
    assert!(said.contains("nothing changed"), "{said}");
    live.send("b8");
    live.expect("Out[10]: 8", Duration::from_secs(60));
    assert!(live.finish().success());
}

/// Where a pids cgroup can be made: cgroup v1's pids hierarchy, or v2 with the pids
/// controller.
fn pids_cgroup_root() -> Option<PathBuf> {
    let v1 = Path::new("/sys/fs/cgroup/pids");
    if v1.join("cgroup.procs").is_file() {
        return Some(v1.to_owned());
    }
    let v2 = Path::new("/sys/fs/cgroup");
    let controllers = std::fs::read_to_string(v2.join("cgroup.controllers")).unwrap_or_default();
    controllers
        .split_whitespace()
        .any(|c| c == "pids")
        .then(|| v2.to_owned())
}

#[test]
fn when_fork_fails_the_cell_still_runs_and_snapshots_come_back() {
    let Some(root) = pids_cgroup_root() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with a pids cgroup to limit"
        );
        eprintln!("skipped: no pids cgroup to limit processes with");
        return;
    };
    let group = root.join(format!("tmrepl-test-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir(&group) {
        assert!(std::env::var_os("CI").is_none(), "making {group:?}: {e}");
        eprintln!("skipped: cannot make a cgroup ({e})");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut live = Live::start_with(&[
        "--data-dir",
        data.path().to_str().unwrap(),
        "--snapshot-count",
        "0",
    ]);
    for i in 1..=3 {
        live.send(&format!("let w{i} = {i};"));
    }
    live.send("w3");
    live.expect("Out[4]: 3", Duration::from_secs(300));
    // The supervisor's tree (worker and snapshots, not the host's compilers) goes into a
    // cgroup with room for two more processes.
    let supervisor = tree(live.child.id())
        .into_iter()
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.contains("__tmrepl_supervisor"))
        })
        .expect("the supervisor runs");
    let members = tree(supervisor);
    for pid in &members {
        std::fs::write(group.join("cgroup.procs"), pid.to_string()).unwrap();
    }
    std::fs::write(group.join("pids.max"), (members.len() + 2).to_string()).unwrap();
    for i in 5..=9 {
        live.send(&format!("let w{i} = {i};"));
    }
    live.send("w1 + w9");
    // Every cell ran and printed, though some took no snapshot: said once.
    live.expect("Out[10]: 10", Duration::from_secs(300));
    let warnings = live
        .seen
        .iter()
        .filter(|l| l.contains("no snapshot of cell"))
        .count();
    assert_eq!(warnings, 1, "{}", live.seen.join("\n"));
    // Room again: the next cell snapshots, and every earlier value is there.
    std::fs::write(group.join("pids.max"), "max").unwrap();
    live.send("let w11 = 11;");
    // Said once, when the first snapshot after a failure was taken (thinning may have
    // made room before the limit was lifted).
    live.expect_all(&["snapshots are taken again"], Duration::from_secs(120));
    live.send(":past 2");
    live.expect("restored to cell 2", Duration::from_secs(120));
    live.send("w1 + w2");
    live.expect("Out[12]: 3", Duration::from_secs(60));
    assert!(live.finish().success());
    // Leave no cgroup behind (its processes are gone with tmrepl).
    for _ in 0..50 {
        if std::fs::remove_dir(&group).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
