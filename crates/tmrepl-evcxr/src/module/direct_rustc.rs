// Copyright 2026 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

//! Compiling a cell without cargo when nothing but the cell's code has changed.
//!
//! Between two cells usually only `src/lib.rs` differs. Cargo then checks every
//! dependency's fingerprint and runs rustc on the cell crate with the same command line as
//! last time: 20–40 ms of work per cell that produces nothing new. So when cargo builds
//! the cell crate, the rustc wrapper records the exact command and environment it was
//! given, and the next cell whose build inputs (manifest, cargo config, cargo command,
//! path dependencies' files) are unchanged runs that command itself.
//!
//! Cargo's own view stays right: it is still the one that builds whenever an input
//! changes, and the cell crate, whose `src/lib.rs` changes at every cell, is always dirty
//! to it, so it never reuses an output rustc produced behind its back by mistake.

use anyhow::Result;
use serde::Deserialize;
use serde::Serialize;
use std::collections::hash_map::DefaultHasher;
use std::ffi::OsStr;
use std::ffi::OsString;
use std::fs;
use std::hash::Hash;
use std::hash::Hasher;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

/// Set on a cargo build whose rustc command for the cell crate should be recorded: the
/// path of the file the wrapper writes it to.
pub(crate) const RECORD_ENV: &str = "EVCXR_RECORD_RUSTC";

/// Above this many files in its path dependencies, a cell is left to cargo: checking
/// them would cost what skipping cargo saves.
const MAX_PATH_DEPENDENCY_FILES: usize = 5_000;

/// Variables of cargo's that must not reach a later rustc run: they name a jobserver that
/// only existed during that cargo build.
const EPHEMERAL_ENV: &[&str] = &["CARGO_MAKEFLAGS", "MAKEFLAGS", "MFLAGS"];

/// A rustc invocation of the cell crate, as cargo made it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct RustcCommand {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: String,
}

impl RustcCommand {
    /// Called in the rustc wrapper: records `command` (the final rustc command) when cargo
    /// was asked to record it. Best effort: a command that cannot be recorded only means
    /// the next cell goes through cargo again.
    pub(crate) fn record_if_asked(command: &Command) {
        let Some(path) = std::env::var_os(RECORD_ENV) else {
            return;
        };
        let Ok(cwd) = std::env::current_dir() else {
            return;
        };
        let Some(recorded) = Self::from_command(command, std::env::vars_os(), &cwd) else {
            return;
        };
        if let Ok(json) = serde_json::to_string(&recorded) {
            let _ = fs::write(path, json);
        }
    }

    /// `command` as run with the environment `inherited` in `cwd`.
    fn from_command(
        command: &Command,
        inherited: impl Iterator<Item = (OsString, OsString)>,
        cwd: &Path,
    ) -> Option<RustcCommand> {
        let text = |s: &OsStr| s.to_str().map(str::to_owned);
        let mut env: Vec<(String, String)> = inherited
            .filter_map(|(k, v)| Some((text(&k)?, text(&v)?)))
            .filter(|(k, _)| !EPHEMERAL_ENV.contains(&k.as_str()))
            .collect();
        for (key, value) in command.get_envs() {
            let key = text(key)?;
            env.retain(|(k, _)| *k != key);
            if let Some(value) = value {
                env.push((key, text(value)?));
            }
        }
        Some(RustcCommand {
            program: text(command.get_program())?,
            args: command.get_args().map(text).collect::<Option<Vec<_>>>()?,
            env,
            cwd: text(cwd.as_os_str())?,
        })
    }

    pub(crate) fn read(path: &Path) -> Option<RustcCommand> {
        serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
    }

    /// The command to run, or None when a file it reads from a dependency is gone (a
    /// cleaned target folder): cargo must rebuild it then.
    pub(crate) fn command(&self) -> Option<Command> {
        let mut args = self.args.iter();
        while let Some(arg) = args.next() {
            if arg == "--extern"
                && let Some((_, path)) = args.next().and_then(|a| a.split_once('='))
                && !Path::new(&self.cwd).join(path).exists()
            {
                return None;
            }
        }
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd);
        Some(command)
    }
}

/// A fingerprint of everything besides `src/lib.rs` that a cargo build of the crate in
/// `crate_dir` reads, as far as a REPL can change it: the manifest, the cargo config, the
/// cargo command line and its environment, and the files of path dependencies (name,
/// size, modification time, as cargo itself compares them). None when it cannot be taken
/// cheaply; the cell then goes through cargo.
pub(crate) fn build_inputs(crate_dir: &Path, cargo: &Command) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    let manifest = fs::read_to_string(crate_dir.join("Cargo.toml")).ok()?;
    manifest.hash(&mut hasher);
    fs::read(crate_dir.join(".cargo").join("config.toml"))
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{cargo:?}").hash(&mut hasher);
    let mut files = 0;
    for dir in path_dependencies(crate_dir, &manifest).ok()? {
        hash_tree(&dir, &mut hasher, &mut files)?;
    }
    Some(hasher.finish())
}

/// The folders of the `path = ...` dependencies in `manifest`.
fn path_dependencies(crate_dir: &Path, manifest: &str) -> Result<Vec<PathBuf>> {
    let manifest: toml::Table = toml::from_str(manifest)?;
    let Some(deps) = manifest.get("dependencies").and_then(|d| d.as_table()) else {
        return Ok(Vec::new());
    };
    let mut dirs: Vec<PathBuf> = deps
        .values()
        .filter_map(|dep| dep.get("path")?.as_str())
        .map(|path| crate_dir.join(path))
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn hash_tree(dir: &Path, hasher: &mut DefaultHasher, files: &mut usize) -> Option<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .ok()?
        .collect::<std::io::Result<Vec<_>>>()
        .ok()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        // Build output and VCS folders are not sources (cargo skips them the same way).
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        *files += 1;
        if *files > MAX_PATH_DEPENDENCY_FILES {
            return None;
        }
        let metadata = entry.metadata().ok()?;
        name.hash(hasher);
        if metadata.is_dir() {
            hash_tree(&entry.path(), hasher, files)?;
        } else {
            metadata.len().hash(hasher);
            metadata.modified().ok()?.hash(hasher);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_follow_manifest_command_and_path_dependency_files() {
        let root = tempfile::tempdir().unwrap();
        let crate_dir = root.path().join("ctx");
        let dep = root.path().join("dep");
        fs::create_dir_all(crate_dir.join("src")).unwrap();
        fs::create_dir_all(dep.join("src")).unwrap();
        fs::create_dir_all(dep.join("target")).unwrap();
        fs::write(dep.join("src/lib.rs"), "pub fn f() {}").unwrap();
        let manifest = format!(
            "[package]\nname = \"ctx\"\n[dependencies]\ndep = {{ path = {:?} }}\nitoa = \"1\"\n",
            dep.display().to_string()
        );
        fs::write(crate_dir.join("Cargo.toml"), &manifest).unwrap();
        let cargo = || {
            let mut c = Command::new("cargo");
            c.arg("build").env("RUSTFLAGS", "-Cprefer-dynamic");
            c
        };
        let first = build_inputs(&crate_dir, &cargo()).unwrap();
        // The cell's own code is not an input: it changes every time.
        fs::write(crate_dir.join("src/lib.rs"), "fn cell() {}").unwrap();
        assert_eq!(build_inputs(&crate_dir, &cargo()), Some(first));
        // Nor is a path dependency's build output.
        fs::write(dep.join("target/out"), "x").unwrap();
        assert_eq!(build_inputs(&crate_dir, &cargo()), Some(first));

        let mut other_flags = cargo();
        other_flags.env("RUSTFLAGS", "-Copt-level=0");
        assert_ne!(build_inputs(&crate_dir, &other_flags), Some(first));

        fs::write(dep.join("src/lib.rs"), "pub fn f() { let _ = 1; }").unwrap();
        let edited = build_inputs(&crate_dir, &cargo()).unwrap();
        assert_ne!(edited, first);
        fs::write(dep.join("src/new.rs"), "").unwrap();
        assert_ne!(build_inputs(&crate_dir, &cargo()), Some(edited));

        fs::write(
            crate_dir.join("Cargo.toml"),
            manifest.replace("\"1\"", "\"1.0\""),
        )
        .unwrap();
        assert_ne!(build_inputs(&crate_dir, &cargo()), Some(edited));
    }

    #[test]
    fn a_recorded_command_runs_as_recorded_without_the_jobserver() {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("rustc");
        command
            .args(["--crate-name", "ctx", "src/lib.rs"])
            .env("CARGO_PKG_NAME", "ctx");
        let inherited = [
            ("CARGO_MAKEFLAGS", "-j --jobserver-auth=3,4"),
            ("HOME", "/h"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let recorded =
            RustcCommand::from_command(&command, inherited.into_iter(), dir.path()).unwrap();
        assert!(recorded.env.iter().any(|(k, v)| k == "HOME" && v == "/h"));
        assert!(
            recorded
                .env
                .iter()
                .any(|(k, v)| k == "CARGO_PKG_NAME" && v == "ctx")
        );
        assert!(!recorded.env.iter().any(|(k, _)| k == "CARGO_MAKEFLAGS"));

        let path = dir.path().join("rustc.json");
        fs::write(&path, serde_json::to_string(&recorded).unwrap()).unwrap();
        let read = RustcCommand::read(&path).unwrap();
        assert_eq!(read, recorded);
        let rebuilt = read.command().unwrap();
        assert_eq!(rebuilt.get_program(), "rustc");
        assert_eq!(rebuilt.get_args().count(), 3);

        // A dependency's library gone: cargo has to build again.
        let mut with_extern = command;
        with_extern
            .arg("--extern")
            .arg(format!("dep={}", dir.path().join("libdep.rlib").display()));
        let gone =
            RustcCommand::from_command(&with_extern, std::iter::empty(), dir.path()).unwrap();
        assert!(gone.command().is_none());
        fs::write(dir.path().join("libdep.rlib"), "").unwrap();
        assert!(gone.command().is_some());
    }
}
