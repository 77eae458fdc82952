//! A home folder laid out as a user's: rustup's toolchains in `~/.rustup`, cargo's in
//! `~/.cargo`, and no XDG variables, so tmrepl's data goes to `~/.local/share/tmrepl`.
//!
//! The home is made *beside* the real rustup home (in the same parent folder) and links to
//! it, so that the canonical paths of the data folder and of the toolchain share a parent
//! below `/` as they do on a user's machine. Temporary folders under /tmp never share one,
//! which is how a broken library search path went unnoticed.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct UserHome {
    _root: tempfile::TempDir,
    pub home: PathBuf,
}

fn real_home_of(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(default),
    }
}

impl UserHome {
    pub fn new() -> UserHome {
        let rustup = real_home_of("RUSTUP_HOME", ".rustup")
            .canonicalize()
            .expect("a rustup home");
        let cargo = real_home_of("CARGO_HOME", ".cargo")
            .canonicalize()
            .expect("a cargo home");
        let parent = rustup.parent().expect("the rustup home has a parent");
        let root = tempfile::Builder::new()
            .prefix(".tmrepl-test-home-")
            .tempdir_in(parent)
            .expect("a temporary home beside the toolchain");
        // A space in the path, as in many users' home folders.
        let home = root.path().join("a user");
        std::fs::create_dir_all(&home).unwrap();
        std::os::unix::fs::symlink(&rustup, home.join(".rustup")).unwrap();
        std::os::unix::fs::symlink(&cargo, home.join(".cargo")).unwrap();
        UserHome { _root: root, home }
    }

    /// The environment a user's shell gives: HOME, PATH with `~/.cargo/bin`, nothing else
    /// of ours or of cargo's.
    pub fn apply(&self, command: &mut Command) {
        command.env_clear();
        for var in ["PATH", "TERM", "LANG", "LC_ALL", "CI"] {
            if let Some(value) = std::env::var_os(var) {
                command.env(var, value);
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.home.join(".cargo/bin")];
        paths.extend(std::env::split_paths(&path));
        command
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("HOME", &self.home)
            .env("NO_COLOR", "1")
            .current_dir(&self.home);
    }

    pub fn data_dir(&self) -> PathBuf {
        self.home.join(".local/share/tmrepl")
    }

    pub fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.home.join(relative)
    }
}
