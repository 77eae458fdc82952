//! The durable archive end to end: save with --session, resume in a new process, after
//! kill -9, with a damaged object, and deduplication of an unchanged large value.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{Live, run_command_with_script, tmrepl};
use std::path::Path;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);

fn with_data(data: &Path, args: &[&str]) -> std::process::Command {
    let mut command = tmrepl();
    command.arg("--data-dir").arg(data).args(args);
    command
}

fn objects(data: &Path, session: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let root = data.join("sessions").join(session).join("objects");
    for fan in std::fs::read_dir(root).unwrap().flatten() {
        for entry in std::fs::read_dir(fan.path()).unwrap().flatten() {
            files.push(entry.path());
        }
    }
    files
}

#[test]
fn values_survive_a_restart_and_a_damaged_object_costs_only_itself() {
    let data = tempfile::tempdir().unwrap();
    let t = run_command_with_script(
        with_data(data.path(), &["--session", "lab"]),
        r#":dep serde = { version = "1", features = ["derive"] }
use std::collections::HashMap; use std::rc::Rc;
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)] struct Point { x: i32, label: String }
let v = vec![1, 2, 3]; let m: HashMap<String, i32> = [("a".to_string(), 1)].into_iter().collect();
let s = String::from("kept"); let tup = (4u8, 'z'); let pt = Point { x: 7, label: "seven".into() }; let shared = Rc::new(5);
fn twice(x: i32) -> i32 { x * 2 }
:save
:cells
:vars
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(all.contains("saving session lab in"), "{all}");
    // Values are written in idle time; :save writes them now and says what it wrote.
    assert!(all.contains("saved session lab: "), "{all}");
    // The value that cannot be saved is named, with the reason.
    assert!(
        t.stderr.contains(
            "shared (alloc::rc::Rc<i32> does not implement serde::Serialize and Deserialize)"
        ),
        "{all}"
    );
    assert!(
        t.stdout.lines().filter(|l| l.contains(" disk ")).count() >= 5,
        "{all}"
    );
    // :vars says which values are on disk, and why the others are not.
    assert!(
        t.stdout
            .lines()
            .any(|l| l.starts_with("pt ") && l.ends_with("(on disk)")),
        "{all}"
    );
    assert!(
        t.stdout.lines().any(|l| l.starts_with("shared ")
            && l.contains("(not on disk: alloc::rc::Rc<i32> does not implement")),
        "{all}"
    );

    let listed = tmrepl()
        .arg("--data-dir")
        .arg(data.path())
        .arg("sessions")
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.starts_with("lab") && listed.contains("5 cells"),
        "{listed}"
    );

    // Without replay, as before: what the archive could not store is named, not rebuilt.
    let t = run_command_with_script(
        with_data(data.path(), &["--resume", "lab", "--no-replay"]),
        "format!(\"{:?} {} {} {:?} {:?} {}\", v, m[\"a\"], s, tup, pt, twice(pt.x))\nshared\nlet w = vec![9u8, 8];\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(all.contains("resumed lab at cell 5"), "{all}");
    assert!(all.contains("not restored: shared"), "{all}");
    assert_eq!(
        t.out(6),
        Some("\"[1, 2, 3] 1 kept (4, 'z') Point { x: 7, label: \\\"seven\\\" } 14\""),
        "{all}"
    );

    // Damage the object holding `s`: resuming says which file, and restores the rest.
    let manifest = std::fs::read_to_string(data.path().join("sessions/lab/cells/5.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let hash = json["vars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "s")
        .and_then(|v| v["object"].as_str())
        .unwrap()
        .to_owned();
    let path = data
        .path()
        .join("sessions/lab/objects")
        .join(&hash[..2])
        .join(&hash[2..]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&path, b"not what was saved").unwrap();
    let t = run_command_with_script(
        with_data(data.path(), &["--resume", "lab"]),
        "v.len()\ns\nw\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(
        all.contains(&format!("not restored: s: {}: damaged", path.display())),
        "{all}"
    );
    // The second run ended right after cell 8: quitting wrote its new value `w`.
    assert!(all.contains("resumed lab at cell 8"), "{all}");
    assert_eq!(t.out(9), Some("3"), "{all}");
    assert!(t.stderr.contains("cannot find value `s`"), "{all}");
    assert_eq!(t.out(11), Some("[9, 8]"), "{all}");
}

#[test]
fn kill_dash_nine_loses_nothing_persisted_and_unchanged_values_are_stored_once() {
    let data = tempfile::tempdir().unwrap();
    let command = with_data(data.path(), &["--session", "crashy"]);
    let mut live = Live::from_command(command);
    live.send("let big: Vec<u8> = vec![7u8; 100 << 20];");
    for k in 1..=10 {
        live.send(&format!("let k{k} = {k};"));
    }
    live.send(":cells");
    live.expect("  11  ok", LONG);
    // Every cell's record is written when it ends, its values once tmrepl is idle. Wait
    // until the values of the last cell are on disk, then kill tmrepl without warning.
    let deadline = std::time::Instant::now() + LONG;
    let manifest = data.path().join("sessions/crashy/cells/11.json");
    while !std::fs::read_to_string(&manifest).is_ok_and(|m| m.contains("\"pending\": false")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the values of cell 11 were never persisted"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(live.child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let _ = live.child.wait();

    // The 100 MiB vector was written once although eleven cells were saved.
    let files = objects(data.path(), "crashy");
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert!(
        (100 << 20..101 << 20).contains(&total),
        "{total} bytes in {} objects",
        files.len()
    );
    assert_eq!(
        files
            .iter()
            .filter(|f| std::fs::metadata(f).unwrap().len() > 1 << 20)
            .count(),
        1
    );

    let t = run_command_with_script(
        with_data(data.path(), &["--resume"]),
        "(big.len(), big[12345], k1 + k10)\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(all.contains("resumed crashy at cell 11"), "{all}");
    assert_eq!(
        t.out(12),
        Some(&*format!("({}, 7, 11)", 100 << 20)),
        "{all}"
    );
}

/// The `:cells` row of cell `n`: its number and status.
fn cell_status(stdout: &str, n: u32) -> Option<String> {
    stdout.lines().find_map(|line| {
        let mut words = line.trim_start_matches('>').split_whitespace();
        (words.next()? == n.to_string()).then(|| words.next().map(str::to_owned))?
    })
}

#[test]
fn a_crashed_cell_is_still_crashed_after_resuming() {
    let data = tempfile::tempdir().unwrap();
    let t = run_command_with_script(
        with_data(data.path(), &["--session", "crashes"]),
        // An unmapped address rustc cannot see (a literal null is a compile error): SIGSEGV.
        "let keep = 1;\nunsafe { *(std::hint::black_box(16usize) as *mut i32) = 1; }\n:cells\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert_eq!(
        cell_status(&t.stdout, 2).as_deref(),
        Some("crashed"),
        "{all}"
    );
    let t = run_command_with_script(
        with_data(data.path(), &["--resume", "crashes"]),
        "keep\n:cells\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert_eq!(t.out(3), Some("1"), "{all}");
    assert_eq!(
        cell_status(&t.stdout, 2).as_deref(),
        Some("crashed"),
        "{all}"
    );
}

/// Every file of a session folder and its bytes, to show nothing was touched (but its
/// lock file, which whoever takes the lock writes its pid into).
fn contents(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            files.extend(contents(&entry.path()));
        } else if entry.file_name() != "lock" {
            files.push((entry.path(), std::fs::read(entry.path()).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn a_session_is_written_by_one_tmrepl_at_a_time() {
    let data = tempfile::tempdir().unwrap();
    let t = run_command_with_script(
        with_data(data.path(), &["--session", "existing"]),
        "let old = 1;\n",
    );
    assert!(t.success, "{}", t.all());
    let existing = data.path().join("sessions/existing");
    let existing_before = contents(&existing);

    let mut live = Live::from_command(with_data(data.path(), &["--session", "same"]));
    live.send("let first = 1;");
    live.send(":cells");
    live.expect("let first", LONG);
    let same = data.path().join("sessions/same");
    let same_before = contents(&same);
    let refusal = format!(
        "tmrepl: session \"same\" is open in another tmrepl (pid {}); use another name or close it",
        live.child.id()
    );
    for args in [["--session", "same"], ["--resume", "same"]] {
        let second = with_data(data.path(), &args).output().unwrap();
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert_eq!(second.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim_end(), refusal);
    }
    assert_eq!(
        contents(&same),
        same_before,
        "nothing of `same` was touched"
    );

    // :load of the session open elsewhere is refused, and the current one goes on.
    let t = run_command_with_script(
        with_data(data.path(), &["--session", "other"]),
        "let mine = 5;\n:load same\nmine\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(
        t.stderr.contains(&format!(
            ":load same: {}",
            refusal.trim_start_matches("tmrepl: ")
        )),
        "{all}"
    );
    assert_eq!(t.out(2), Some("5"), "{all}");

    // Saving onto another saved session needs `:save!`.
    live.send(":save existing");
    live.expect(
        ":save existing: session \"existing\" already has 1 saved cell(s); :save! existing replaces them",
        LONG,
    );
    assert_eq!(contents(&existing), existing_before);
    live.send(":save! existing");
    live.expect("saved session existing:", LONG);
    // Its values were on disk already: only the record is written, a moment later.
    let deadline = std::time::Instant::now() + LONG;
    let manifest = loop {
        match std::fs::read_to_string(existing.join("cells/1.json")) {
            Ok(text) if !text.contains("let old") => break text,
            _ => assert!(std::time::Instant::now() < deadline, "never replaced"),
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(manifest.contains("let first = 1;"), "{manifest}");
    assert!(live.finish().success(), "{}", live.seen.join("\n"));
    // `same` was left for `existing`: it is free again.
    let t = run_command_with_script(with_data(data.path(), &["--resume", "same"]), "first\n");
    assert!(t.success, "{}", t.all());
}

#[test]
fn opening_a_session_removes_what_a_killed_save_left() {
    let data = tempfile::tempdir().unwrap();
    let t = run_command_with_script(
        with_data(data.path(), &["--session", "tidy"]),
        "let v = vec![1u8; 10];\n",
    );
    assert!(t.success, "{}", t.all());
    // What a save killed half way leaves: its staging folder, named by pid and job.
    let staging = data
        .path()
        .join("sessions/tidy/.staging-4194303-4026531840");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join("big.bin"), vec![0u8; 3 << 20]).unwrap();
    let sessions = || {
        let listed = with_data(data.path(), &["sessions"]).output().unwrap();
        String::from_utf8_lossy(&listed.stdout).into_owned()
    };
    let listed = sessions();
    assert!(
        listed.starts_with("tidy") && listed.contains("3.0 MiB on disk"),
        "{listed}"
    );

    let t = run_command_with_script(with_data(data.path(), &["--resume", "tidy"]), "v.len()\n");
    assert!(t.success, "{}", t.all());
    assert_eq!(t.out(2), Some("10"), "{}", t.all());
    assert!(!staging.exists(), "the stale staging folder is removed");
    let listed = sessions();
    assert!(
        listed.contains(" B on disk") || listed.contains("KiB on disk"),
        "{listed}"
    );
}

/// Copies `from` into `to`, folders and files.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A session saved by tmrepl 0.1.0 (archive format 1, tests/fixtures/archive-format-1:
/// three stored values, a function, and an `Rc` that is not stored and comes back by
/// replay) resumes with every value. A later format must keep reading it.
#[test]
fn a_session_saved_by_release_0_1_0_resumes() {
    let data = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archive-format-1"),
        data.path(),
    );
    let t = run_command_with_script(
        with_data(data.path(), &["--resume", "release-0.1.0"]),
        "numbers.iter().sum::<u64>()\nname\ndoubled[4]\n*shared\ndouble(21)\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    for (cell, value) in [
        (6, "15"),
        (7, "\"tmrepl\""),
        (8, "10"),
        (9, "5"),
        (10, "42"),
    ] {
        assert_eq!(t.out(cell), Some(value), "cell {cell}:\n{all}");
    }
}
