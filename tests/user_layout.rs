//! tmrepl run the way users install and run it: default XDG folders under a home that also
//! holds the toolchain, and the binary installed by `cargo install` and started from
//! another folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::home::UserHome;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = "let s1 = 1;\ns1 + 41\n:version\n";

fn check_cells_ran(t: &common::Transcript, home: &UserHome) {
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(!all.contains("dlopen"), "{all}");
    assert_eq!(t.out(2), Some("42"), "{all}");
    // The default data folder, under the home, was the one used.
    assert!(home.data_dir().join("build").is_dir(), "{all}");
}

#[test]
fn cells_run_with_the_data_dir_beside_the_toolchain() {
    let home = UserHome::new();
    let mut command = Command::new(env!("CARGO_BIN_EXE_tmrepl"));
    home.apply(&mut command);
    command.arg("--plain");
    let t = common::run_command_with_script(command, SCRIPT);
    check_cells_ran(&t, &home);
}

/// The folder cargo builds into for this test run (…/target), from the binary's path.
fn target_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_tmrepl"));
    exe.ancestors()
        .nth(2)
        .expect("the binary lies in <target>/<profile>/")
        .to_owned()
}

#[test]
fn the_installed_binary_runs_from_another_folder() {
    let home = UserHome::new();
    let root = home.path("installed");
    // `--debug` into this run's own target folder: the same build the other tests use, so
    // installing copies it instead of spending minutes on a release build.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let install = Command::new(cargo)
        .args(["install", "--locked", "--debug", "--offline", "--path"])
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg("--root")
        .arg(&root)
        .arg("--target-dir")
        .arg(target_dir())
        .output()
        .expect("run cargo install");
    assert!(
        install.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let mut command = Command::new(root.join("bin/tmrepl"));
    home.apply(&mut command);
    // Started from a folder that has nothing of the source tree.
    let elsewhere = home.path("somewhere else");
    std::fs::create_dir_all(&elsewhere).unwrap();
    command.current_dir(&elsewhere).arg("--plain");
    let t = common::run_command_with_script(command, SCRIPT);
    check_cells_ran(&t, &home);
    assert!(t.stdout.contains("tmrepl "), "{}", t.all());
}
