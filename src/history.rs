//! The input history both front ends share: one file, `$XDG_STATE_HOME/tmrepl/history`,
//! in rustyline's format (`#V2`, then one entry a line, with newlines and backslashes
//! escaped). Every read and write goes through rustyline's own `FileHistory`, so a file
//! written by the full-screen editor reads back the same in line mode and the other way
//! round: there is no second implementation of the escaping to drift apart.

use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History as _};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// `$XDG_STATE_HOME/tmrepl/history` (default `~/.local/state`): history is state, not data.
pub fn default_path() -> Option<PathBuf> {
    dirs::state_dir().map(|dir| dir.join("tmrepl").join("history"))
}

/// Where earlier versions kept the history: in the data folder.
pub fn old_path(data_dir: &Path) -> PathBuf {
    data_dir.join("history")
}

/// Moves the history from `old` to `new` once: only while `new` does not exist yet.
/// Returns whether it moved.
pub fn migrate(old: &Path, new: &Path) -> io::Result<bool> {
    if new.try_exists()? || !old.is_file() {
        return Ok(false);
    }
    if let Some(dir) = new.parent() {
        fs::create_dir_all(dir)?;
    }
    match fs::rename(old, new) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
            move_across_filesystems(old, new)?;
            Ok(true)
        }
        Err(e) => Err(e),
    }
}

/// Copies beside `new` first, so an interrupted copy never leaves a partial `new` that
/// would stop the next start from trying again.
fn move_across_filesystems(old: &Path, new: &Path) -> io::Result<()> {
    let mut partial = new.as_os_str().to_owned();
    partial.push(".moving");
    let partial = PathBuf::from(partial);
    fs::copy(old, &partial)?;
    fs::rename(&partial, new)?;
    fs::remove_file(old)
}

/// The entries in `path`, oldest first, at most the newest `keep`. A missing file is an
/// empty history.
pub fn load(path: &Path, keep: usize) -> io::Result<Vec<String>> {
    let mut history = FileHistory::with_config(&config(keep)?);
    load_into(&mut history, path)?;
    Ok(history.iter().cloned().collect())
}

/// Writes `entries` (oldest first) to `path`, the newest `keep` of them.
pub fn save(path: &Path, entries: &[String], keep: usize) -> io::Result<()> {
    let mut history = FileHistory::with_config(&config(keep)?);
    for entry in entries {
        history.add(entry).map_err(into_io)?;
    }
    save_from(&mut history, path)
}

/// Line mode's side: reads `path` into rustyline's editor history.
pub fn load_into(history: &mut FileHistory, path: &Path) -> io::Result<()> {
    match history.load(path) {
        Ok(()) => Ok(()),
        Err(ReadlineError::Io(e)) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(into_io(e)),
    }
}

/// Line mode's side: writes rustyline's editor history to `path` (nothing if no entry
/// was added since it was loaded).
pub fn save_from(history: &mut FileHistory, path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    history.save(path).map_err(into_io)
}

fn config(keep: usize) -> io::Result<rustyline::Config> {
    Ok(rustyline::Config::builder()
        .max_history_size(keep.max(1))
        .map_err(into_io)?
        .build())
}

fn into_io(error: ReadlineError) -> io::Error {
    match error {
        ReadlineError::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backslashes (`println!("a\nb");` as typed), real newlines, quotes, tabs, non-ASCII.
    fn awkward_entries() -> Vec<String> {
        [
            r#"println!("a\nb");"#,
            "fn f() {\n    1\n}",
            r#"let s = "say \"hi\"";"#,
            "let t = '\t';\tlet u = 1;",
            "let ü = \"日本語 ✓ — é\";",
            r"let p = r'C:\dir\';",
            r"let q = '\\';",
            "let both = \"a\\\\nb\\n\";\nq\\",
            " leading space",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn entries_come_back_exactly_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/tmrepl/history");
        save(&path, &awkward_entries(), 100).unwrap();
        assert_eq!(load(&path, 100).unwrap(), awkward_entries());
    }

    #[test]
    fn the_file_is_in_rustylines_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let entries = [r#"println!("a\nb");"#, "x\ny", r"end\"].map(String::from);
        save(&path, &entries, 100).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "#V2\nprintln!(\"a\\\\nb\");\nx\\ny\nend\\\\\n"
        );
    }

    #[test]
    fn a_file_written_by_either_front_end_reads_the_same_in_the_other() {
        let dir = tempfile::tempdir().unwrap();
        // Full-screen editor writes, rustyline reads (what line mode's editor does).
        let from_tui = dir.path().join("from_tui");
        save(&from_tui, &awkward_entries(), 100).unwrap();
        let mut rustyline_history = FileHistory::new();
        rustyline_history.load(&from_tui).unwrap();
        let read: Vec<String> = rustyline_history.iter().cloned().collect();
        assert_eq!(read, awkward_entries());

        // Rustyline writes (line mode), the full-screen editor reads.
        let from_plain = dir.path().join("from_plain");
        let mut rustyline_history = FileHistory::new();
        for entry in awkward_entries() {
            rustyline_history.add(&entry).unwrap();
        }
        rustyline_history.save(&from_plain).unwrap();
        assert_eq!(load(&from_plain, 100).unwrap(), awkward_entries());
        assert_eq!(fs::read(&from_plain).unwrap(), fs::read(&from_tui).unwrap());
    }

    #[test]
    fn line_mode_helpers_round_trip_and_create_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/folder/history");
        let mut written = FileHistory::new();
        for entry in awkward_entries() {
            written.add(&entry).unwrap();
        }
        save_from(&mut written, &path).unwrap();
        let mut read = FileHistory::new();
        load_into(&mut read, &path).unwrap();
        assert_eq!(read.iter().cloned().collect::<Vec<_>>(), awkward_entries());
    }

    #[test]
    fn only_the_newest_entries_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let entries: Vec<String> = (1..=5).map(|i| format!("cell {i}")).collect();
        save(&path, &entries, 3).unwrap();
        assert_eq!(load(&path, 10).unwrap(), ["cell 3", "cell 4", "cell 5"]);
        assert_eq!(load(&path, 2).unwrap(), ["cell 4", "cell 5"]);
    }

    #[test]
    fn a_missing_file_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none/history");
        assert_eq!(load(&path, 10).unwrap(), Vec::<String>::new());
        load_into(&mut FileHistory::new(), &path).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn the_old_file_moves_to_the_new_place_once() {
        let dir = tempfile::tempdir().unwrap();
        let old = old_path(&dir.path().join("data/tmrepl"));
        let new = dir.path().join("state/tmrepl/history");
        fs::create_dir_all(old.parent().unwrap()).unwrap();
        fs::write(&old, "#V2\nold entry\n").unwrap();

        assert!(migrate(&old, &new).unwrap());
        assert!(!old.exists());
        assert_eq!(load(&new, 10).unwrap(), ["old entry"]);

        // Once the new file exists an old one is left alone.
        fs::write(&old, "#V2\nstale\n").unwrap();
        assert!(!migrate(&old, &new).unwrap());
        assert_eq!(load(&new, 10).unwrap(), ["old entry"]);
        assert!(old.exists());
    }

    #[test]
    fn nothing_to_move_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("state/tmrepl/history");
        assert!(!migrate(&dir.path().join("data/history"), &new).unwrap());
        assert!(!dir.path().join("state").exists());
    }

    #[test]
    fn a_move_across_filesystems_copies_then_removes() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        let new = dir.path().join("new");
        fs::write(&old, "#V2\nentry\n").unwrap();
        move_across_filesystems(&old, &new).unwrap();
        assert!(!old.exists());
        assert!(!dir.path().join("new.moving").exists());
        assert_eq!(fs::read_to_string(&new).unwrap(), "#V2\nentry\n");
    }
}
