//! Where a cell's shared object is loaded from.
//!
//! evcxr asks us to load the copy of the cell's library that cargo *uplifts* into
//! `target/<triple>/debug/` (renamed `libcode_N.so`). rustc, though, wrote the library into
//! `debug/deps/` and computed its relative RUNPATH (`$ORIGIN/../…/lib/rustlib/<triple>/lib`,
//! where the toolchain's `libstd-*.so` lives) for that folder. Loaded from one folder up, the
//! climb has one `..` too many; it still lands right only when it passes `/`, that is when
//! the build folder and the toolchain share no parent below `/`. With rustup in `~/.rustup`
//! and tmrepl's data in `~/.local/share` they share the home folder, and every cell failed
//! to load.
//!
//! The fix loads the library from where rustc meant it to be: a hard link to the same file
//! in `deps/`, where its RUNPATH is right by construction — for any toolchain (`:toolchain`,
//! `rust-toolchain.toml`, `RUSTUP_HOME`), any data folder, symlinked homes and spaces in
//! paths, since rustc computes the path from canonical folders and the kernel resolves `..`
//! physically. No environment variable leaks into the user's processes, and nothing depends
//! on finding the sysroot ourselves.

use std::path::{Path, PathBuf};

/// The path to `dlopen` for the library evcxr named. Falls back to evcxr's own path when it
/// is not an uplifted cargo artifact (or the link cannot be made): then its RUNPATH is
/// whatever rustc wrote for that place.
pub fn loadable(so_path: &str) -> String {
    match link_into_deps(Path::new(so_path)) {
        Some(path) => path.to_string_lossy().into_owned(),
        None => so_path.to_owned(),
    }
}

fn link_into_deps(so_path: &Path) -> Option<PathBuf> {
    let name = so_path.file_name()?;
    let deps = so_path.parent()?.join("deps");
    if !deps.is_dir() {
        return None;
    }
    let target = deps.join(name);
    // Build folders outlive sessions and evcxr numbers builds from 1 each time, so an old
    // `deps/libcode_N.so` may be there: link aside, then rename over it. Processes that still
    // map the old file keep its inode.
    let staging = deps.join(format!(
        ".{}.{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&staging);
    std::fs::hard_link(so_path, &staging).ok()?;
    if std::fs::rename(&staging, &target).is_err() {
        let _ = std::fs::remove_file(&staging);
        return None;
    }
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uplifted_library_is_loaded_from_deps() {
        let dir = tempfile::tempdir().unwrap();
        let debug = dir.path().join("with space").join("debug");
        std::fs::create_dir_all(debug.join("deps")).unwrap();
        let so = debug.join("libcode_1.so");
        std::fs::write(&so, b"new").unwrap();
        // A stale library of an earlier session under the same name is replaced.
        std::fs::write(debug.join("deps/libcode_1.so"), b"old").unwrap();
        let loaded = loadable(so.to_str().unwrap());
        assert_eq!(Path::new(&loaded), debug.join("deps/libcode_1.so"));
        assert_eq!(std::fs::read(&loaded).unwrap(), b"new");
        let leftovers: Vec<_> = std::fs::read_dir(debug.join("deps"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_library_elsewhere_is_loaded_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let so = dir.path().join("libcode_1.so");
        std::fs::write(&so, b"x").unwrap();
        assert_eq!(loadable(so.to_str().unwrap()), so.to_str().unwrap());
    }
}
