//! A build folder kept from one session to the next, so dependencies (the helper crate's
//! serde and bincode, and the user's own) are compiled once instead of at every start.
//! Each running tmrepl holds one of a few numbered folders under an exclusive lock; when
//! all are taken, evcxr's default (a fresh temporary folder) is used.

use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::path::{Path, PathBuf};

/// How many sessions at once get a kept folder.
const SLOTS: usize = 8;
/// Where evcxr reads the folder to build in (it never deletes one it was given).
const EVCXR_TMPDIR: &str = "EVCXR_TMPDIR";

/// A reserved build folder; the reservation ends when this is dropped (or the process
/// ends: the lock's descriptor is close-on-exec, so no child keeps it).
pub struct BuildDir {
    _lock: Flock<File>,
    path: PathBuf,
}

impl BuildDir {
    /// The first free folder under `data_dir/build`, if any.
    pub fn reserve(data_dir: &Path) -> Option<BuildDir> {
        let root = data_dir.join("build");
        std::fs::create_dir_all(&root).ok()?;
        (0..SLOTS).find_map(|slot| {
            let lock = File::create(root.join(format!("slot-{slot}.lock"))).ok()?;
            let lock = Flock::lock(lock, FlockArg::LockExclusiveNonblock).ok()?;
            let path = root.join(format!("slot-{slot}"));
            std::fs::create_dir_all(&path).ok()?;
            Some(BuildDir { _lock: lock, path })
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Points evcxr at this folder. Refused once the process has a second thread.
    pub fn use_for_evcxr(&self) -> std::io::Result<()> {
        crate::runtime::set_env_before_threads(EVCXR_TMPDIR, &self.path.to_string_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sessions_get_different_folders_and_a_freed_one_is_reused() {
        let data = tempfile::tempdir().unwrap();
        let first = BuildDir::reserve(data.path()).unwrap();
        let second = BuildDir::reserve(data.path()).unwrap();
        assert_ne!(first.path(), second.path());
        let taken = first.path().to_owned();
        drop(first);
        let third = BuildDir::reserve(data.path()).unwrap();
        assert_eq!(third.path(), taken);
    }
}
