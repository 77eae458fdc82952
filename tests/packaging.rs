//! What `cargo install tmrepl` from crates.io depends on, read from the manifests: the
//! pure core, the fork of evcxr and the helper crate come by version (a registry has no
//! paths), the core depends on no crate that does IO, the fork
//! pins the salsa that rust-analyzer 0.0.347 builds with, and every manifest states the
//! same minimum Rust version, which this build checks when it is the toolchain in use.
//! `.ci/package` builds and installs the packaged crates themselves.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MEMBERS: [&str; 4] = [
    "Cargo.toml",
    "crates/tmrepl-core/Cargo.toml",
    "crates/tmrepl-evcxr/Cargo.toml",
    "crates/tmrepl_persist/Cargo.toml",
];

fn manifest(path: &str) -> toml::Table {
    let text = std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn workspace_crates_are_depended_on_by_exact_version_and_path() {
    let root = manifest("Cargo.toml");
    let members: Vec<&str> = root["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        members,
        [
            "crates/tmrepl-core",
            "crates/tmrepl-evcxr",
            "crates/tmrepl_persist"
        ]
    );
    assert!(
        root.get("patch").is_none(),
        "[patch] does not reach crates.io"
    );
    for (key, dir) in [
        ("tmrepl-core", "crates/tmrepl-core"),
        ("evcxr", "crates/tmrepl-evcxr"),
        ("tmrepl_persist", "crates/tmrepl_persist"),
    ] {
        let dependency = &root["dependencies"][key];
        let member = manifest(&format!("{dir}/Cargo.toml"));
        let version = member["package"]["version"].as_str().unwrap();
        assert_eq!(dependency["path"].as_str(), Some(dir), "{key}");
        assert_eq!(
            dependency["version"].as_str(),
            Some(format!("={version}").as_str()),
            "{key}"
        );
        assert!(
            member["package"].get("publish").is_none(),
            "{dir} must be publishable"
        );
        assert!(
            member["package"].get("license").is_some(),
            "{dir} needs a licence"
        );
    }
    assert_eq!(
        root["dependencies"]["evcxr"]["package"].as_str(),
        Some("tmrepl-evcxr")
    );
}

/// The core decides and the edges do: it may not even depend on a crate that could reach
/// the engine, a terminal, processes or the disk.
#[test]
fn the_core_depends_only_on_pure_crates() {
    let core = manifest("crates/tmrepl-core/Cargo.toml");
    let mut dependencies: Vec<&str> = core["dependencies"]
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    dependencies.sort_unstable();
    assert_eq!(dependencies, ["blake3", "ra-ap-rustc_lexer", "serde"]);
}

#[test]
fn the_fork_pins_salsa_as_evcxrs_lock_file_does() {
    let fork = manifest("crates/tmrepl-evcxr/Cargo.toml");
    for salsa in ["salsa", "salsa-macro-rules", "salsa-macros"] {
        assert_eq!(
            fork["dependencies"][salsa].as_str(),
            Some("=0.28.2"),
            "{salsa}"
        );
    }
    assert_eq!(
        fork["package"]["authors"][0].as_str(),
        Some("The Evcxr Authors")
    );
    assert_eq!(
        fork["package"]["license"].as_str(),
        Some("MIT OR Apache-2.0")
    );
}

/// "1.95.0" from "rustc 1.95.0 (59807616e 2026-04-14)".
fn version_numbers(text: &str) -> Vec<u64> {
    text.split(['.', '-'])
        .map_while(|part| part.parse().ok())
        .collect()
}

#[test]
fn every_manifest_states_one_minimum_rust_version() {
    let versions: Vec<String> = MEMBERS
        .iter()
        .map(|path| {
            let table = manifest(path);
            let version = table["package"]["rust-version"].as_str();
            version
                .unwrap_or_else(|| panic!("{path} has no rust-version"))
                .to_owned()
        })
        .collect();
    assert!(versions.iter().all(|v| *v == versions[0]), "{versions:?}");
    let msrv = version_numbers(&versions[0]);

    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .unwrap();
    let rustc = String::from_utf8_lossy(&rustc.stdout).into_owned();
    let in_use = version_numbers(rustc.split_whitespace().nth(1).unwrap_or(""));
    assert!(in_use.len() >= 2, "cannot read {rustc:?}");
    assert!(
        in_use[..2] >= msrv[..2],
        "{rustc} is older than rust-version {msrv:?}"
    );
    if in_use[..2] == msrv[..2] {
        println!(
            "MSRV {} checked: this build used {}",
            versions[0],
            rustc.trim()
        );
    } else {
        // Only one toolchain is on the machines this project is tested on.
        println!(
            "MSRV {} not checked here: the toolchain in use is {}",
            versions[0],
            rustc.trim()
        );
    }
}
