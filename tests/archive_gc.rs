//! Garbage collection never deletes what a damaged manifest may need: `:clear_past` with a
//! manifest unreadable keeps every object and names it; `tmrepl sessions --check` lists it;
//! once it is mended every value comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{Live, run_command_with_script, tmrepl};
use std::path::Path;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);

fn check(data: &Path, name: &str) -> (bool, String) {
    let out = tmrepl()
        .arg("--data-dir")
        .arg(data)
        .args(["sessions", "--check", name])
        .output()
        .unwrap();
    (
        out.status.success(),
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
    let (healthy, said) = check(data.path(), "lab");
    assert!(healthy, "{said}");
    assert!(said.contains("no damage found"), "{said}");

    let manifest = data.path().join("sessions/lab/cells/2.json");
    let good = std::fs::read(&manifest).unwrap();
    std::fs::write(&manifest, &good[..good.len() / 2]).unwrap();
    let before = object_count(data.path());

    // Cell 3 keeps the only readable reference to x's first value; clearing it must not let
    // that value go, since the damaged manifest of cell 2 names it too.
    live.send(":clear_past 3..3");
    let said = live.expect("kept every saved value", LONG);
    assert!(said.contains("cells/2.json"), "{said}");
    assert_eq!(object_count(data.path()), before);
    let (healthy, said) = check(data.path(), "lab");
    assert!(!healthy, "{said}");
    assert!(said.contains("damaged manifest"), "{said}");
    assert!(said.contains("cells/2.json"), "{said}");
    assert!(live.finish().success());

    // Mended: a new process resumes with every value.
    std::fs::write(&manifest, &good).unwrap();
    let (healthy, said) = check(data.path(), "lab");
    assert!(healthy, "{said}");
    let text = String::from_utf8(good).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first_x = manifest["vars"]
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
    let t = run_command_with_script(
        {
            let mut command = tmrepl();
            command
                .arg("--data-dir")
                .arg(data.path())
                .args(["--resume", "lab"]);
            command
        },
        "x as u32 + a + b\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(t.stdout.contains(": 12"), "{all}");

    // Listing sessions creates no folder.
    let stray = data.path().join("sessions/not-a-session");
    std::fs::create_dir_all(&stray).unwrap();
    let listed = tmrepl()
        .arg("--data-dir")
        .arg(data.path())
        .arg("sessions")
        .output()
        .unwrap();
    assert!(listed.status.success());
    assert!(std::fs::read_dir(&stray).unwrap().next().is_none());
}
