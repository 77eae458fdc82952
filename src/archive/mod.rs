//! The durable tier: a content-addressed store of objects (named by the blake3 hash of
//! their bytes, in two-character fan-out folders, written with the git loose-object
//! pattern) and one JSON manifest per cell. Every read is verified; every failure names
//! the file.

pub mod persist;

use crate::timeline::CellStatus;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The manifest format this tmrepl writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// No object is read beyond this size: a damaged length can never exhaust memory.
pub const MAX_OBJECT_BYTES: u64 = 8 << 30;
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "{path}: archive format {found} is not supported (this tmrepl reads format {FORMAT_VERSION})"
    )]
    UnknownFormat { path: PathBuf, found: u32 },
    #[error("invalid object name {0:?}")]
    BadName(String),
    #[error("invalid session name {0:?}: use letters, digits, '-', '_' and '.'")]
    BadSessionName(String),
    #[error("no saved session named {0}")]
    NoSuchSession(String),
    #[error(
        "session \"{name}\" is open in another tmrepl{}; use another name or close it",
        holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    Locked { name: String, holder: Option<u32> },
    #[error("session \"{name}\" already has {cells} saved cell(s); :save! {name} replaces them")]
    Exists { name: String, cells: usize },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_owned(),
        source,
    }
}

// Defined with the timeline's other per-cell data, so the dependency runs one way:
// the archive reads the timeline's types, the timeline never reads the archive.
pub use crate::timeline::SavedVar;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub cell: u32,
    pub parent: u32,
    pub source: String,
    /// The item definitions (fn, struct, impl, use, …) the cell made, as written.
    pub items: Vec<String>,
    /// Dependencies in force after the cell: name and cargo spec.
    pub deps: Vec<(String, String)>,
    pub vars: Vec<SavedVar>,
    pub status: SavedStatus,
    /// What crashed or failed, when the status has a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    pub output: String,
    pub value: Option<String>,
    pub duration_ms: u64,
    pub saved_at: u64,
    /// Written when the cell ended; its values follow in idle time (absent: all written).
    #[serde(default)]
    pub pending: bool,
    /// A background (`&`) cell: its state is the job's, not the foreground's.
    #[serde(default)]
    pub job: bool,
}

/// How a saved cell ended. Written under names of its own, not the labels `:cells` shows,
/// so a change of wording never changes what a manifest means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "&'static str")]
pub enum SavedStatus {
    Ok,
    Panic,
    CompileError,
    Crashed,
    Interrupted,
    Killed,
    Failed,
}

impl SavedStatus {
    fn name(self) -> &'static str {
        match self {
            SavedStatus::Ok => "ok",
            SavedStatus::Panic => "panic",
            SavedStatus::CompileError => "compile_error",
            SavedStatus::Crashed => "crashed",
            SavedStatus::Interrupted => "interrupted",
            SavedStatus::Killed => "killed",
            SavedStatus::Failed => "failed",
        }
    }

    /// The status to save for a cell, and its reason when it has one.
    pub fn of(status: &CellStatus) -> (SavedStatus, Option<String>) {
        match status {
            CellStatus::Ok => (SavedStatus::Ok, None),
            CellStatus::Panic => (SavedStatus::Panic, None),
            CellStatus::CompileError => (SavedStatus::CompileError, None),
            CellStatus::Crashed(why) => (SavedStatus::Crashed, Some(why.clone())),
            CellStatus::Interrupted => (SavedStatus::Interrupted, None),
            CellStatus::Killed => (SavedStatus::Killed, None),
            CellStatus::Error(why) => (SavedStatus::Failed, Some(why.clone())),
            // Never saved while it runs; should it be, it did not finish.
            CellStatus::Running | CellStatus::Queued => (SavedStatus::Interrupted, None),
        }
    }

    pub fn to_cell_status(self, detail: Option<String>) -> CellStatus {
        match self {
            SavedStatus::Ok => CellStatus::Ok,
            SavedStatus::Panic => CellStatus::Panic,
            SavedStatus::CompileError => CellStatus::CompileError,
            SavedStatus::Crashed => CellStatus::Crashed(detail.unwrap_or_default()),
            SavedStatus::Interrupted => CellStatus::Interrupted,
            SavedStatus::Killed => CellStatus::Killed,
            SavedStatus::Failed => CellStatus::Error(detail.unwrap_or_default()),
        }
    }

    /// Whether the cell ran to the end, so state exists after it.
    pub fn has_state(self) -> bool {
        matches!(self, SavedStatus::Ok | SavedStatus::Panic)
    }
}

impl From<SavedStatus> for &'static str {
    fn from(status: SavedStatus) -> &'static str {
        status.name()
    }
}

/// Also reads the display labels that manifests of earlier versions held ("error" was a
/// compile error); anything else unknown is a failure.
impl From<String> for SavedStatus {
    fn from(name: String) -> SavedStatus {
        match name.as_str() {
            "ok" => SavedStatus::Ok,
            "panic" => SavedStatus::Panic,
            "compile_error" | "error" => SavedStatus::CompileError,
            "crashed" => SavedStatus::Crashed,
            "interrupted" => SavedStatus::Interrupted,
            "killed" => SavedStatus::Killed,
            _ => SavedStatus::Failed,
        }
    }
}

/// blake3 of everything `reader` holds, read in 1 MiB pieces; and its length.
fn hash_stream(reader: &mut File, path: &Path) -> Result<(String, u64), ArchiveError> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(io_error(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hasher.finalize().to_hex().to_string(), len))
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// One session's folder: `objects/ab/cdef…` and `cells/N.json`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

pub fn validate_session_name(name: &str) -> Result<(), ArchiveError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ArchiveError::BadSessionName(name.to_owned()))
    }
}

fn validate_object_name(hash: &str) -> Result<(), ArchiveError> {
    if hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(ArchiveError::BadName(hash.to_owned()))
    }
}

fn private_dir(path: &Path) -> Result<(), ArchiveError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(io_error(path))
}

/// Writes `bytes` to `path` atomically: temp file in the same folder, fsync, rename.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), ArchiveError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("object")
    ));
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temp)
        .map_err(io_error(&temp))?;
    file.write_all(bytes).map_err(io_error(&temp))?;
    file.sync_all().map_err(io_error(&temp))?;
    fs::set_permissions(&temp, fs::Permissions::from_mode(mode)).map_err(io_error(&temp))?;
    fs::rename(&temp, path).map_err(io_error(path))?;
    // The rename is durable only once the folder is.
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

impl Store {
    pub fn open(root: &Path) -> Result<Store, ArchiveError> {
        private_dir(&root.join("objects"))?;
        private_dir(&root.join("cells"))?;
        Ok(Store {
            root: root.to_owned(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn object_path(&self, hash: &str) -> Result<PathBuf, ArchiveError> {
        validate_object_name(hash)?;
        Ok(self.root.join("objects").join(&hash[..2]).join(&hash[2..]))
    }

    /// Stores `bytes`; returns its name and whether it had to be written (false: already there).
    pub fn put(&self, bytes: &[u8]) -> Result<(String, bool), ArchiveError> {
        let hash = blake3::hash(bytes).to_hex().to_string();
        let path = self.object_path(&hash)?;
        if path.exists() {
            return Ok((hash, false));
        }
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        write_atomically(&path, bytes, 0o400)?;
        Ok((hash, true))
    }

    /// Moves a file whose bytes hash to `hash` (as the save job that wrote it computed)
    /// into the store (same file system: renamed, not copied), without reading it again:
    /// every read verifies objects anyway. Returns whether it was new, and its size.
    pub fn adopt_file(&self, file: &Path, hash: &str) -> Result<(bool, u64), ArchiveError> {
        let path = self.object_path(hash)?;
        let len = fs::metadata(file).map_err(io_error(file))?.len();
        if path.exists() {
            let _ = fs::remove_file(file);
            return Ok((false, len));
        }
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        fs::set_permissions(file, fs::Permissions::from_mode(0o400)).map_err(io_error(file))?;
        fs::rename(file, &path).map_err(io_error(&path))?;
        if let Some(dir) = path.parent()
            && let Ok(folder) = File::open(dir)
        {
            let _ = folder.sync_all();
        }
        Ok((true, len))
    }

    /// Whether the store holds object `hash`.
    pub fn has(&self, hash: &str) -> bool {
        self.object_path(hash).is_ok_and(|p| p.exists())
    }

    /// Checks an object against its name without holding it in memory, and returns its
    /// path (for a reader that decodes it straight from there).
    pub fn verify(&self, hash: &str) -> Result<PathBuf, ArchiveError> {
        let path = self.object_path(hash)?;
        let mut file = File::open(&path).map_err(io_error(&path))?;
        let len = file.metadata().map_err(io_error(&path))?.len();
        if len > MAX_OBJECT_BYTES {
            return Err(ArchiveError::Damaged {
                path,
                reason: format!("{len} bytes is over the {MAX_OBJECT_BYTES}-byte limit"),
            });
        }
        let (actual, _) = hash_stream(&mut file, &path)?;
        if actual != hash {
            return Err(ArchiveError::Damaged {
                path,
                reason: format!("its contents hash to {actual}"),
            });
        }
        Ok(path)
    }

    /// Reads an object and checks it against its name.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, ArchiveError> {
        let path = self.object_path(hash)?;
        let file = File::open(&path).map_err(io_error(&path))?;
        let len = file.metadata().map_err(io_error(&path))?.len();
        if len > MAX_OBJECT_BYTES {
            return Err(ArchiveError::Damaged {
                path,
                reason: format!("{len} bytes is over the {MAX_OBJECT_BYTES}-byte limit"),
            });
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(MAX_OBJECT_BYTES)
            .read_to_end(&mut bytes)
            .map_err(io_error(&path))?;
        let actual = blake3::hash(&bytes).to_hex().to_string();
        if actual != hash {
            return Err(ArchiveError::Damaged {
                path,
                reason: format!("its contents hash to {actual}"),
            });
        }
        Ok(bytes)
    }

    fn manifest_path(&self, cell: u32) -> PathBuf {
        self.root.join("cells").join(format!("{cell}.json"))
    }

    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), ArchiveError> {
        let path = self.manifest_path(manifest.cell);
        let bytes = serde_json::to_vec_pretty(manifest).map_err(|e| ArchiveError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomically(&path, &bytes, 0o600)
    }

    pub fn read_manifest(&self, cell: u32) -> Result<Manifest, ArchiveError> {
        let path = self.manifest_path(cell);
        read_manifest_file(&path)
    }

    /// Cell numbers with a manifest, ascending.
    pub fn cells(&self) -> Result<Vec<u32>, ArchiveError> {
        let dir = self.root.join("cells");
        let mut cells: Vec<u32> = fs::read_dir(&dir)
            .map_err(io_error(&dir))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json")?.parse().ok())
            .collect();
        cells.sort_unstable();
        Ok(cells)
    }

    /// Deletes objects no manifest refers to. Returns the bytes removed.
    pub fn collect_garbage(&self) -> Result<u64, ArchiveError> {
        let mut live = BTreeSet::new();
        for cell in self.cells()? {
            if let Ok(manifest) = self.read_manifest(cell) {
                live.extend(manifest.vars.into_iter().filter_map(|v| v.object));
            }
        }
        let objects = self.root.join("objects");
        let mut freed = 0;
        for fan in fs::read_dir(&objects)
            .map_err(io_error(&objects))?
            .flatten()
        {
            for entry in fs::read_dir(fan.path())
                .map_err(io_error(&fan.path()))?
                .flatten()
            {
                let name = format!(
                    "{}{}",
                    fan.file_name().to_string_lossy(),
                    entry.file_name().to_string_lossy()
                );
                if !live.contains(&name) {
                    freed += entry.metadata().map(|m| m.len()).unwrap_or(0);
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(freed)
    }

    /// Bytes of every file in the session's folder, hidden ones (a save's staging) too.
    pub fn size(&self) -> u64 {
        fn walk(path: &Path) -> u64 {
            fs::read_dir(path)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| match e.metadata() {
                            Ok(m) if m.is_dir() => walk(&e.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.root)
    }
}

fn read_manifest_file(path: &Path) -> Result<Manifest, ArchiveError> {
    let file = File::open(path).map_err(io_error(path))?;
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| ArchiveError::Damaged {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    // Check the version before the shape, so a newer format gets the right message.
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let version: Version = serde_json::from_str(&text).map_err(|e| ArchiveError::Damaged {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if version.format != FORMAT_VERSION {
        return Err(ArchiveError::UnknownFormat {
            path: path.to_owned(),
            found: version.format,
        });
    }
    serde_json::from_str(&text).map_err(|e| ArchiveError::Damaged {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// Save jobs stage values in `.staging-PID-ID` inside the session's folder.
const STAGING_PREFIX: &str = ".staging-";
/// Inside a session's folder; holds the pid of the tmrepl that has the session open.
const LOCK_FILE: &str = "lock";

/// Where a save job of this process stages values before they move into the store.
pub fn staging_dir(session: &Path, job: u32) -> PathBuf {
    session.join(format!("{STAGING_PREFIX}{}-{job}", std::process::id()))
}

/// A session open in this process: one tmrepl writes a session at a time. The flock goes
/// with the file (close-on-exec, so no child keeps it) and the kernel releases it when
/// the process ends, however it ends.
#[derive(Debug)]
pub struct SessionLock {
    name: String,
    /// Locked; closing it (with this value, or at exit) releases the lock.
    _file: Flock<File>,
}

impl SessionLock {
    /// Takes the lock of session `name` in `dir` (created when absent), then removes what
    /// save jobs of processes that are gone left in it.
    pub fn take(dir: &Path, name: &str) -> Result<SessionLock, ArchiveError> {
        private_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(io_error(&path))?;
        let file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(locked) => locked,
            Err((_, errno)) if errno != nix::errno::Errno::EWOULDBLOCK => {
                return Err(io_error(&path)(std::io::Error::from(errno)));
            }
            Err(_) => {
                let holder = fs::read_to_string(&path)
                    .ok()
                    .and_then(|pid| pid.trim().parse().ok());
                return Err(ArchiveError::Locked {
                    name: name.to_owned(),
                    holder,
                });
            }
        };
        file.set_len(0).map_err(io_error(&path))?;
        (&*file)
            .write_all(format!("{}\n", std::process::id()).as_bytes())
            .map_err(io_error(&path))?;
        remove_stale_staging(dir);
        Ok(SessionLock {
            name: name.to_owned(),
            _file: file,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Staging folders of other processes: with the lock held, none of them is still writing.
/// (This process may still be finishing a save into a session it has switched away from.)
fn remove_stale_staging(dir: &Path) {
    let ours = format!("{STAGING_PREFIX}{}-", std::process::id());
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(STAGING_PREFIX) && !name.starts_with(&ours) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Empties the session `dir` (its cells and values) for `:save! NAME`; call it holding
/// the session's lock, which stays.
pub fn remove_saved(dir: &Path) -> Result<(), ArchiveError> {
    for part in ["cells", "objects"] {
        let path = dir.join(part);
        match fs::remove_dir_all(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(ArchiveError::Io { path, source: e });
            }
            _ => {}
        }
    }
    Ok(())
}

/// `$DATA/sessions/NAME`.
pub fn session_dir(data_dir: &Path, name: &str) -> Result<PathBuf, ArchiveError> {
    validate_session_name(name)?;
    Ok(data_dir.join("sessions").join(name))
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    pub name: String,
    pub cells: usize,
    pub bytes: u64,
    pub last_used: u64,
}

/// Every saved session, most recently used first.
pub fn list_sessions(data_dir: &Path) -> Result<Vec<SessionSummary>, ArchiveError> {
    let dir = data_dir.join("sessions");
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ArchiveError::Io {
                path: dir,
                source: e,
            });
        }
    };
    let mut sessions = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if validate_session_name(&name).is_err() {
            continue;
        }
        let Ok(store) = Store::open(&entry.path()) else {
            continue;
        };
        let cells = store.cells().map(|c| c.len()).unwrap_or(0);
        let last_used = fs::metadata(entry.path().join("cells"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .unwrap_or(0);
        sessions.push(SessionSummary {
            name,
            cells,
            bytes: store.size(),
            last_used,
        });
    }
    sessions.sort_by(|a, b| b.last_used.cmp(&a.last_used).then(a.name.cmp(&b.name)));
    Ok(sessions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(cell: u32, object: Option<String>) -> Manifest {
        Manifest {
            format: FORMAT_VERSION,
            cell,
            parent: cell - 1,
            source: format!("let v{cell} = {cell};"),
            items: vec![],
            deps: vec![],
            vars: vec![SavedVar {
                name: format!("v{cell}"),
                type_name: "i32".into(),
                object,
                not_saved: None,
            }],
            status: SavedStatus::Ok,
            status_detail: None,
            output: String::new(),
            value: None,
            duration_ms: 3,
            saved_at: now_secs(),
            pending: false,
            job: false,
        }
    }

    #[test]
    fn objects_are_content_addressed_deduplicated_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (hash, written) = store.put(b"hello").unwrap();
        assert!(written);
        assert_eq!(hash, blake3::hash(b"hello").to_hex().to_string());
        let (again, written) = store.put(b"hello").unwrap();
        assert_eq!(again, hash);
        assert!(!written, "an unchanged value is not written twice");
        assert_eq!(store.get(&hash).unwrap(), b"hello");
        // A staged file moves in under the same name, or is dropped when already there.
        let staged = dir.path().join("staged");
        fs::write(&staged, b"hello").unwrap();
        assert_eq!(store.adopt_file(&staged, &hash).unwrap(), (false, 5));
        assert!(!staged.exists());
        fs::write(&staged, b"fresh bytes").unwrap();
        let fresh = blake3::hash(b"fresh bytes").to_hex().to_string();
        let (written, len) = store.adopt_file(&staged, &fresh).unwrap();
        assert!(written && len == 11);
        assert_eq!(store.get(&fresh).unwrap(), b"fresh bytes");
        let path = store.object_path(&hash).unwrap();
        assert!(path.starts_with(dir.path().join("objects").join(&hash[..2])));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o400);
        let folder = fs::metadata(dir.path().join("objects"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(folder, 0o700);
    }

    #[test]
    fn damage_is_reported_with_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (hash, _) = store.put(b"precious value").unwrap();
        let path = store.object_path(&hash).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(&path, b"precious valuX").unwrap();
        let err = store.get(&hash).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains("damaged"), "{err}");
        fs::write(&path, b"prec").unwrap();
        assert!(
            store
                .get(&hash)
                .unwrap_err()
                .to_string()
                .contains("damaged")
        );
    }

    #[test]
    fn object_names_cannot_escape_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for bad in [
            "../../etc/passwd",
            "ab",
            &"A".repeat(64),
            &format!("{}/x", "a".repeat(62)),
        ] {
            assert!(
                matches!(store.get(bad), Err(ArchiveError::BadName(_))),
                "{bad}"
            );
        }
        assert!(validate_session_name("../x").is_err());
        assert!(validate_session_name(".hidden").is_err());
        assert!(validate_session_name("notes-2026.v1").is_ok());
    }

    #[test]
    fn manifests_round_trip_and_unknown_formats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (hash, _) = store.put(b"1").unwrap();
        store
            .write_manifest(&manifest(1, Some(hash.clone())))
            .unwrap();
        store.write_manifest(&manifest(2, None)).unwrap();
        assert_eq!(store.cells().unwrap(), vec![1, 2]);
        assert_eq!(
            store.read_manifest(1).unwrap(),
            manifest(1, Some(hash)).clone_with_time(&store)
        );
        let path = dir.path().join("cells").join("3.json");
        fs::write(&path, "{\"format\": 99, \"future\": true}").unwrap();
        let err = store.read_manifest(3).unwrap_err().to_string();
        assert!(err.contains("archive format 99 is not supported"), "{err}");
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        fs::write(&path, "{\"format\": 1, \"cell\": 3").unwrap();
        assert!(
            store
                .read_manifest(3)
                .unwrap_err()
                .to_string()
                .contains("damaged")
        );
    }

    #[test]
    fn statuses_are_saved_by_name_and_old_labels_still_load() {
        let crashed = Manifest {
            status: SavedStatus::Crashed,
            status_detail: Some("killed by signal 11".into()),
            ..manifest(2, None)
        };
        let json: serde_json::Value = serde_json::to_value(&crashed).unwrap();
        assert_eq!(json["status"], "crashed");
        assert_eq!(json["status_detail"], "killed by signal 11");
        let compile_error = Manifest {
            status: SavedStatus::CompileError,
            ..manifest(1, None)
        };
        let json = serde_json::to_value(&compile_error).unwrap();
        assert_eq!(json["status"], "compile_error");
        assert!(json.get("status_detail").is_none());
        let back: Manifest = serde_json::from_value(json).unwrap();
        assert_eq!(back, compile_error);
        // Manifests of earlier versions held `:cells` labels and no detail.
        for (old, status) in [
            ("ok", SavedStatus::Ok),
            ("panic", SavedStatus::Panic),
            ("error", SavedStatus::CompileError),
            ("crashed", SavedStatus::Crashed),
            ("interrupted", SavedStatus::Interrupted),
            ("killed", SavedStatus::Killed),
            ("failed", SavedStatus::Failed),
            ("something new", SavedStatus::Failed),
        ] {
            let mut json = serde_json::to_value(manifest(1, None)).unwrap();
            json["status"] = old.into();
            json.as_object_mut().unwrap().remove("status_detail");
            let read: Manifest = serde_json::from_value(json).unwrap();
            assert_eq!(read.status, status, "{old}");
            assert_eq!(read.status_detail, None);
        }
        assert_eq!(
            SavedStatus::Crashed.to_cell_status(Some("segfault".into())),
            CellStatus::Crashed("segfault".into())
        );
        assert_eq!(
            SavedStatus::of(&CellStatus::Error("lost".into())),
            (SavedStatus::Failed, Some("lost".into()))
        );
    }

    #[test]
    fn garbage_collection_keeps_referenced_objects() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (kept, _) = store.put(b"kept").unwrap();
        let (dropped, _) = store.put(b"dropped").unwrap();
        store
            .write_manifest(&manifest(1, Some(kept.clone())))
            .unwrap();
        assert_eq!(store.collect_garbage().unwrap(), 7);
        assert!(store.get(&kept).is_ok());
        assert!(store.get(&dropped).is_err());
    }

    #[test]
    fn sessions_are_listed_newest_first() {
        let data = tempfile::tempdir().unwrap();
        for name in ["alpha", "beta"] {
            let store = Store::open(&session_dir(data.path(), name).unwrap()).unwrap();
            store.write_manifest(&manifest(1, None)).unwrap();
        }
        let sessions = list_sessions(data.path()).unwrap();
        assert_eq!(sessions.len(), 2);
        assert!(sessions.iter().all(|s| s.cells == 1 && s.bytes > 0));
        assert!(list_sessions(&data.path().join("none")).unwrap().is_empty());
    }

    #[test]
    fn one_process_holds_a_session_and_clears_what_dead_saves_left() {
        let data = tempfile::tempdir().unwrap();
        let dir = session_dir(data.path(), "lab").unwrap();
        let store = Store::open(&dir).unwrap();
        store.write_manifest(&manifest(1, None)).unwrap();
        let stale = dir.join(".staging-999999999-4026531840");
        let old_style = dir.join(".staging-4026531841");
        let ours = staging_dir(&dir, 4026531842);
        for staging in [&stale, &old_style, &ours] {
            fs::create_dir_all(staging).unwrap();
            fs::write(staging.join("big.bin"), vec![0u8; 4096]).unwrap();
        }
        assert!(store.size() > 3 * 4096, "staging counts as disk used");

        let lock = SessionLock::take(&dir, "lab").unwrap();
        assert_eq!(lock.name(), "lab");
        assert!(!stale.exists() && !old_style.exists());
        assert!(
            ours.exists(),
            "a save of this process may still be writing there"
        );
        // flock locks conflict between open files even within one process.
        let refused = SessionLock::take(&dir, "lab").unwrap_err().to_string();
        assert_eq!(
            refused,
            format!(
                "session \"lab\" is open in another tmrepl (pid {}); use another name or close it",
                std::process::id()
            )
        );
        drop(lock);
        let again = SessionLock::take(&dir, "lab");
        assert!(again.is_ok(), "released with its holder");

        remove_saved(&dir).unwrap();
        assert!(Store::open(&dir).unwrap().cells().unwrap().is_empty());
        assert!(
            dir.join(LOCK_FILE).exists(),
            "the lock stays while replacing"
        );
    }

    impl Manifest {
        fn clone_with_time(&self, store: &Store) -> Manifest {
            let mut m = self.clone();
            m.saved_at = store
                .read_manifest(self.cell)
                .map(|r| r.saved_at)
                .unwrap_or(m.saved_at);
            m
        }
    }
}
