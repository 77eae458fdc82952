//! Garbage collection never deletes what a damaged manifest may need: `:clear_past` with a
//! manifest unreadable keeps every object and names it; `tmrepl sessions --check` lists it
//! and exits 1 (0 when healthy); once it is mended every value comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{Live, run_command_with_script, tmrepl};
use std::path::Path;
use std::time::Duration;
use tmrepl::archive::{FORMAT_VERSION, Manifest, ObjectId, SavedStatus, SavedVar, Store};

const LONG: Duration = Duration::from_secs(240);

/// `tmrepl sessions --check NAME`: its exit code and what it printed.
fn check(data: &Path, name: &str) -> (Option<i32>, String) {
    let out = tmrepl()
        .arg("--data-dir")
        .arg(data)
        .args(["sessions", "--check", name])
        .output()
        .unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn object_count(data: &Path) -> usize {
    let root = data.join("sessions/lab/objects");
    std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|fan| std::fs::read_dir(fan.path()).unwrap().count())
        .sum()
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            out.push(path.strip_prefix(root).unwrap().display().to_string());
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn resume(data: &Path, args: &[&str], script: &str) -> common::Transcript {
    let mut command = tmrepl();
    command.arg("--data-dir").arg(data).args(args);
    run_command_with_script(command, script)
}

#[test]
fn a_damaged_manifest_stops_collection_and_its_values_come_back_once_mended() {
    let data = tempfile::tempdir().unwrap();
    let mut command = tmrepl();
    command
        .arg("--data-dir")
        .arg(data.path())
        .args(["--session", "lab"]);
    let mut live = Live::from_command(command);
    live.send("let a = 1u32;");
    live.send("let x = vec![1u64, 2, 3];");
    live.send("let b = 2u32;");
    // x's first value is now named only by the manifests of cells 2 and 3.
    live.send("let x = 9u8;");
    live.send(":save");
    live.expect("saved session lab", LONG);
    let (code, said) = check(data.path(), "lab");
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("no damage found"), "{said}");

    let manifest = data.path().join("sessions/lab/cells/2.json");
    let good = std::fs::read(&manifest).unwrap();
    std::fs::write(&manifest, &good[..good.len() / 2]).unwrap();
    let before = object_count(data.path());

    // Cell 3 holds the only readable reference to x's first value; clearing it must not let
    // that value go, since the damaged manifest of cell 2 names it too.
    live.send(":clear_past 3..3");
    let said = live.expect("deleted no saved object", LONG);
    assert!(said.contains(&manifest.display().to_string()), "{said}");
    assert!(said.contains("tmrepl sessions --check lab"), "{said}");
    assert_eq!(object_count(data.path()), before);
    let (code, said) = check(data.path(), "lab");
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!("damaged manifest {}", manifest.display())),
        "{said}"
    );
    assert!(
        said.contains("pins every object no readable manifest names"),
        "{said}"
    );
    assert!(live.finish().success());

    // Mended: the check is clean, x's first value is still there, and a new process
    // resumes with every value, as of the last cell and as of cell 2 (the last, since
    // running a cell after that resume branches from cell 2).
    std::fs::write(&manifest, &good).unwrap();
    let (code, said) = check(data.path(), "lab");
    assert_eq!(code, Some(0), "{said}");
    let parsed: serde_json::Value = serde_json::from_slice(&good).unwrap();
    let first_x = parsed["vars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "x")
        .and_then(|v| v["object"].as_str())
        .expect("cell 2 saved x")
        .to_owned();
    let object = data
        .path()
        .join("sessions/lab/objects")
        .join(&first_x[..2])
        .join(&first_x[2..]);
    assert!(object.is_file(), "{object:?} was deleted");

    let t = resume(data.path(), &["--session", "lab"], "x as u32 + a + b\n");
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(t.stdout.contains(": 12"), "{all}");
    let t = resume(
        data.path(),
        // Stored values only: x can come back from nothing but its object.
        &["--resume", "lab", "--cell", "2", "--no-replay"],
        "x.iter().sum::<u64>() + a as u64\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(t.stdout.contains(": 7"), "{all}");
}

fn manifest(cell: u32, vars: &[(&str, &ObjectId)]) -> Manifest {
    Manifest {
        format: FORMAT_VERSION,
        cell,
        parent: cell - 1,
        source: String::new(),
        items: vec![],
        deps: vec![],
        vars: vars
            .iter()
            .map(|(name, hash)| SavedVar {
                name: (*name).into(),
                type_name: "u32".into(),
                object: Some((*hash).clone()),
                not_saved: None,
            })
            .collect(),
        status: SavedStatus::Ok,
        status_detail: None,
        output: String::new(),
        value: None,
        duration_ms: 1,
        saved_at: 0,
        pending: false,
        job: false,
        access: None,
    }
}

/// The check through the binary, on a session written with the archive's own types: no
/// evcxr needed.
#[test]
fn sessions_check_lists_damaged_manifests_exits_1_and_0_when_healthy_and_creates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let root = data.path().join("sessions/lab");
    let store = Store::open(&root).unwrap();
    let (a, _) = store.put(b"a's value").unwrap();
    let (b, _) = store.put(b"b's value").unwrap();
    store.write_manifest(&manifest(1, &[("a", &a)])).unwrap();
    store
        .write_manifest(&manifest(2, &[("a", &a), ("b", &b)]))
        .unwrap();
    let before = tree(data.path());

    let (code, said) = check(data.path(), "lab");
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("2 manifests read of 2"), "{said}");
    assert!(said.contains("no damage found"), "{said}");

    // Written by a newer tmrepl: unreadable here, and b is named by no other manifest.
    let path = root.join("cells/2.json");
    let mut newer: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    newer["format"] = (FORMAT_VERSION + 1).into();
    std::fs::write(&path, serde_json::to_vec_pretty(&newer).unwrap()).unwrap();
    let (code, said) = check(data.path(), "lab");
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!("damaged manifest {}", path.display())),
        "{said}"
    );
    assert!(said.contains("archive format"), "{said}");
    // Both names are still in its text; b only the damaged manifest may need.
    assert!(said.contains("its text still names 2 objects"), "{said}");
    assert!(
        said.contains(&format!(
            "objects only the damaged manifests may need:\n    {b}"
        )),
        "{said}"
    );
    assert!(said.contains(":clear_past deletes no object"), "{said}");

    // Not saved: a clear error, exit 2, and no folder made for it.
    let (code, said) = check(data.path(), "nothing-here");
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("no saved session named nothing-here"),
        "{said}"
    );
    let listed = tmrepl()
        .arg("--data-dir")
        .arg(data.path())
        .arg("sessions")
        .output()
        .unwrap();
    assert!(listed.status.success());
    assert!(String::from_utf8_lossy(&listed.stdout).contains("lab"));
    assert_eq!(
        tree(data.path()),
        before,
        "checking or listing changed the folder"
    );

    // A session folder without cells or objects (a stray folder) stays empty.
    let stray = data.path().join("sessions/stray");
    std::fs::create_dir_all(&stray).unwrap();
    let (code, said) = check(data.path(), "stray");
    assert_eq!(code, Some(0), "{said}");
    let listed = tmrepl()
        .arg("--data-dir")
        .arg(data.path())
        .arg("sessions")
        .output()
        .unwrap();
    assert!(listed.status.success());
    assert!(std::fs::read_dir(&stray).unwrap().next().is_none());
}
