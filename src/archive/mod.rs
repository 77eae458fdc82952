//! The durable tier: a content-addressed store of objects (named by the blake3 hash of
//! their bytes, in two-character fan-out folders, written with the git loose-object
//! pattern) and one JSON manifest per cell. Every read is verified; every failure names
//! the file.

mod check;
pub mod persist;
mod transfer;

pub use check::{CheckReport, DamagedManifest, MissingObject, check_session};
// The data types are the pure core's (it reads and writes them); the store is here.
pub use tmrepl_core::archive::{
    FORMAT_VERSION, Manifest, NotSaved, ObjectId, SavedStatus, SavedVar, manifest,
    object_relative_path,
};
pub use transfer::{EXPORT_VERSION, Transferred, export_session, import_session};

use nix::fcntl::{Flock, FlockArg};
use serde::Deserialize;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

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
    #[error(
        "deleted no saved object: {path} could not be read ({reason}){}, and may name any \
         of them; mend or remove it, then :clear_past frees them (`tmrepl sessions --check \
         {session}` lists what it pins)",
        match others { 0 => String::new(), n => format!(" nor {n} other manifest(s)") }
    )]
    CollectionStopped {
        session: String,
        path: PathBuf,
        reason: String,
        others: usize,
    },
    #[error("no saved session named {name}: {path} does not exist")]
    NotSaved { name: String, path: PathBuf },
    #[error("{path}: not a whole tmrepl session export: {reason}; nothing was imported")]
    BadExport { path: PathBuf, reason: String },
    #[error(
        "{path}: export format {found} is newer than this tmrepl reads (format \
         {EXPORT_VERSION}); nothing was imported"
    )]
    NewerExport { path: PathBuf, found: u32 },
    #[error("a saved session named {0} exists already; import under another name, or --replace it")]
    ImportExists(String),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_owned(),
        source,
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

fn private_dir(path: &Path) -> Result<(), ArchiveError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(io_error(path))
}

/// Names of temporary files in the store's folders; never an object or manifest name.
const TEMP_PREFIX: &str = ".tmp-";

/// Writes `bytes` to `path` atomically: a temporary file in the same folder (removed if
/// anything fails), fsync, rename over `path`, fsync of the folder. A reader sees the old
/// file or the new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), ArchiveError> {
    write_atomically_with(path, mode, |file| file.write_all(bytes))
}

/// `write_atomically` with the contents written by `fill` (tests make it fail).
fn write_atomically_with(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), ArchiveError> {
    write_atomically_try(path, mode, |file| fill(file).map_err(io_error(path)))
}

/// `write_atomically_with` whose `fill` may fail for reasons of its own (an export whose
/// source turns out damaged): any error leaves `path` as it was.
fn write_atomically_try(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut File) -> Result<(), ArchiveError>,
) -> Result<(), ArchiveError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // Dropped on every early return, which deletes the temporary file.
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(io_error(dir))?;
    // Errors name the file being written: the temporary name means nothing to a reader.
    fill(temp.as_file_mut())?;
    temp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(io_error(path))?;
    temp.as_file().sync_all().map_err(io_error(path))?;
    temp.persist(path).map_err(|e| io_error(path)(e.error))?;
    sync_dir(dir)
}

/// Makes renames and new entries in `dir` durable. A file system that cannot sync a
/// folder (EINVAL) gives what it can.
fn sync_dir(dir: &Path) -> Result<(), ArchiveError> {
    let folder = File::open(dir).map_err(io_error(dir))?;
    match folder.sync_all() {
        Err(e) if e.raw_os_error() != Some(nix::libc::EINVAL) => Err(io_error(dir)(e)),
        _ => Ok(()),
    }
}

/// Creates `dir` (private) if absent, durably: its parent is synced after it appears.
fn durable_dir(dir: &Path) -> Result<(), ArchiveError> {
    if dir.is_dir() {
        return Ok(());
    }
    private_dir(dir)?;
    match dir.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

impl Store {
    /// A session folder as it is, creating nothing (for listing and checking).
    pub fn at(root: &Path) -> Store {
        Store {
            root: root.to_owned(),
        }
    }

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

    pub fn object_path(&self, id: &ObjectId) -> Result<PathBuf, ArchiveError> {
        id.relative_path()
            .map(|relative| self.root.join(relative))
            .ok_or_else(|| ArchiveError::BadName(id.to_string()))
    }

    /// Stores `bytes`; returns its name and whether it had to be written (false: already there).
    pub fn put(&self, bytes: &[u8]) -> Result<(ObjectId, bool), ArchiveError> {
        let hash = ObjectId::of(bytes);
        let path = self.object_path(&hash)?;
        if path.exists() {
            return Ok((hash, false));
        }
        if let Some(dir) = path.parent() {
            durable_dir(dir)?;
        }
        write_atomically(&path, bytes, 0o400)?;
        Ok((hash, true))
    }

    /// Moves a file whose bytes hash to `hash` (as the save job that wrote it computed)
    /// into the store (same file system: renamed, not copied), without reading it again:
    /// every read verifies objects anyway. Returns whether it was new, and its size.
    pub fn adopt_file(&self, file: &Path, hash: &ObjectId) -> Result<(bool, u64), ArchiveError> {
        let path = self.object_path(hash)?;
        let len = fs::metadata(file).map_err(io_error(file))?.len();
        if path.exists() {
            let _ = fs::remove_file(file);
            return Ok((false, len));
        }
        if let Some(dir) = path.parent() {
            durable_dir(dir)?;
        }
        fs::set_permissions(file, fs::Permissions::from_mode(0o400)).map_err(io_error(file))?;
        // The save job synced the file (tmrepl_persist); the rename is atomic, and durable
        // once the folder is synced.
        fs::rename(file, &path).map_err(io_error(&path))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok((true, len))
    }

    /// Puts object `hash` of `from` into this store, checked against its name first: a
    /// hard link when both are on one file system (objects never change), else a copy.
    pub fn take_object(&self, from: &Store, hash: &ObjectId) -> Result<(), ArchiveError> {
        let path = self.object_path(hash)?;
        if path.exists() {
            return Ok(());
        }
        let source = from.verify(hash)?;
        let dir = path.parent().unwrap_or(&self.root);
        durable_dir(dir)?;
        if fs::hard_link(&source, &path).is_err() {
            write_atomically_try(&path, 0o400, |file| {
                let mut bytes = File::open(&source).map_err(io_error(&source))?;
                std::io::copy(&mut bytes, file).map_err(io_error(&path))?;
                Ok(())
            })?;
        }
        sync_dir(dir)
    }

    /// Whether the store holds object `hash`.
    pub fn has(&self, hash: &ObjectId) -> bool {
        self.object_path(hash).is_ok_and(|p| p.exists())
    }

    /// Checks an object against its name without holding it in memory, and returns its
    /// path (for a reader that decodes it straight from there).
    pub fn verify(&self, hash: &ObjectId) -> Result<PathBuf, ArchiveError> {
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
        if actual != hash.as_str() {
            return Err(ArchiveError::Damaged {
                path,
                reason: format!("its contents hash to {actual}"),
            });
        }
        Ok(path)
    }

    /// Reads an object and checks it against its name.
    pub fn get(&self, hash: &ObjectId) -> Result<Vec<u8>, ArchiveError> {
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
        if actual != hash.as_str() {
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
    parse_manifest(path, &read_manifest_text(path)?)
}

/// A manifest's text as it is on disk (at most `MAX_MANIFEST_BYTES`).
fn read_manifest_text(path: &Path) -> Result<String, ArchiveError> {
    let file = File::open(path).map_err(io_error(path))?;
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| ArchiveError::Damaged {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(text)
}

/// A manifest's text, read as the manifest at `path` (named in every error).
fn parse_manifest(path: &Path, text: &str) -> Result<Manifest, ArchiveError> {
    // Check the version before the shape, so a newer format gets the right message.
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let version: Version = serde_json::from_str(text).map_err(|e| ArchiveError::Damaged {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if version.format != FORMAT_VERSION {
        return Err(ArchiveError::UnknownFormat {
            path: path.to_owned(),
            found: version.format,
        });
    }
    serde_json::from_str(text).map_err(|e| ArchiveError::Damaged {
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
        // Listing changes nothing: no folder is made for what is not there.
        let store = Store::at(&entry.path());
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
pub(crate) mod tests;
