//! A saved session as one portable file: `tmrepl sessions export NAME FILE` and
//! `tmrepl sessions import FILE [NAME]`.
//!
//! The file, all numbers little-endian: the magic `tmrepl-export\n`; the export format
//! (u32, `EXPORT_VERSION`); the session's name (u16 length, UTF-8). Then one entry per
//! file: its path inside the session's folder (u16 length, UTF-8; `cells/N.json` or
//! `objects/ab/cdef…`), its length (u64), the BLAKE3 hash of its bytes (32 bytes), its
//! bytes. Then the end: a path of length 0, the number of entries (u64), and the BLAKE3
//! hash of every byte of the file before this hash (32 bytes). Nothing may follow.
//!
//! An export holds every manifest and every object they name, and nothing else: no lock,
//! no staging, no replay log, no absolute path. Importing reads the file twice: once to
//! check all of it (every hash, every manifest, every object a manifest names), creating
//! nothing; then to unpack it into a hidden folder beside the saved sessions, checking
//! again, and that folder is renamed into place. So a damaged or truncated file is
//! refused with what is wrong, and nothing is written (what an import killed half way
//! leaves in its hidden folder, the next import removes). Importing never runs code.

use super::check::source_objects;
use super::{
    ArchiveError, MAX_MANIFEST_BYTES, MAX_OBJECT_BYTES, ObjectId, SessionLock, Store, TEMP_PREFIX,
    io_error, parse_manifest, private_dir, read_manifest_text, session_dir, sync_dir,
    validate_session_name, write_atomically, write_atomically_try,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The export format this tmrepl writes and reads.
pub const EXPORT_VERSION: u32 = 1;
const MAGIC: &[u8] = b"tmrepl-export\n";
/// No entry's path is longer: a damaged length is caught before it is believed.
const MAX_PATH_BYTES: usize = 200;

/// What an export or import moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Transferred {
    /// The session's name: as exported, or as imported.
    pub name: String,
    pub cells: usize,
    pub objects: usize,
    /// Bytes of manifests and objects.
    pub bytes: u64,
}

/// Reads or writes through, hashing every byte that passes.
struct Hashing<T> {
    inner: T,
    hasher: blake3::Hasher,
    count: u64,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Self {
        Hashing {
            inner,
            hasher: blake3::Hasher::new(),
            count: 0,
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// `tmrepl sessions export NAME FILE`: writes saved session `name` to `file` (atomically:
/// a reader never sees part of it). It may run while another tmrepl has the session open:
/// manifests are written whole and objects never change, so what it reads is what that
/// one had written (if it collects garbage meanwhile, the export is refused and can be run
/// again). Refused when a manifest is damaged or an object it names is missing or
/// damaged: an export is a whole session.
pub fn export_session(
    data_dir: &Path,
    name: &str,
    file: &Path,
) -> Result<Transferred, ArchiveError> {
    let dir = session_dir(data_dir, name)?;
    if !dir.is_dir() {
        return Err(ArchiveError::NotSaved {
            name: name.to_owned(),
            path: dir,
        });
    }
    let store = Store::at(&dir);
    let held = store.object_names()?;
    let mut manifests = Vec::new();
    let mut objects = BTreeSet::new();
    for cell in store.cells()? {
        let path = store.manifest_path(cell);
        let text = read_manifest_text(&path)?;
        let manifest = parse_manifest(&path, &text)?;
        objects.extend(manifest.vars.iter().filter_map(|v| v.object.clone()));
        // What a cell's code loads itself (a `:take`'s values) goes along too.
        objects.extend(source_objects(&manifest.source, &held));
        manifests.push((cell, text.into_bytes()));
    }
    if manifests.is_empty() {
        return Err(ArchiveError::NoSuchSession(name.to_owned()));
    }
    let mut done = Transferred {
        name: name.to_owned(),
        cells: manifests.len(),
        objects: objects.len(),
        bytes: 0,
    };
    write_atomically_try(file, 0o600, |out| {
        let mut out = Hashing::new(BufWriter::new(out));
        let mut header = MAGIC.to_vec();
        header.extend(EXPORT_VERSION.to_le_bytes());
        header.extend((name.len() as u16).to_le_bytes());
        header.extend(name.as_bytes());
        out.write_all(&header).map_err(io_error(file))?;
        for (cell, bytes) in &manifests {
            let hash = blake3::hash(bytes);
            write_entry_head(
                &mut out,
                &format!("cells/{cell}.json"),
                bytes.len() as u64,
                &hash,
            )
            .and_then(|()| out.write_all(bytes))
            .map_err(io_error(file))?;
        }
        for hash in &objects {
            let source = store.object_path(hash)?;
            let expected = blake3::Hash::from_hex(hash.as_str())
                .map_err(|_| ArchiveError::BadName(hash.to_string()))?;
            let opened = File::open(&source).map_err(io_error(&source))?;
            let len = opened.metadata().map_err(io_error(&source))?.len();
            let relative = hash.relative_path().unwrap_or_default();
            write_entry_head(&mut out, &relative.to_string_lossy(), len, &expected)
                .map_err(io_error(file))?;
            let mut reader = Hashing::new(opened.take(len));
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = reader.read(&mut buf).map_err(io_error(&source))?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n]).map_err(io_error(file))?;
            }
            let actual = reader.hasher.finalize();
            if reader.count != len || actual != expected {
                return Err(ArchiveError::Damaged {
                    path: source,
                    reason: format!("its contents hash to {}", actual.to_hex()),
                });
            }
            done.bytes += len;
        }
        done.bytes += manifests.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
        let entries = (manifests.len() + objects.len()) as u64;
        let mut end = 0u16.to_le_bytes().to_vec();
        end.extend(entries.to_le_bytes());
        out.write_all(&end).map_err(io_error(file))?;
        let digest = out.hasher.finalize();
        out.inner
            .write_all(digest.as_bytes())
            .and_then(|()| out.inner.flush())
            .map_err(io_error(file))
    })?;
    Ok(done)
}

fn write_entry_head(
    out: &mut impl Write,
    path: &str,
    len: u64,
    hash: &blake3::Hash,
) -> std::io::Result<()> {
    let mut head = (path.len() as u16).to_le_bytes().to_vec();
    head.extend(path.as_bytes());
    head.extend(len.to_le_bytes());
    head.extend(hash.as_bytes());
    out.write_all(&head)
}

/// `tmrepl sessions import FILE [NAME]`: unpacks an export as saved session `name`
/// (default: the name it was exported under). An existing session is replaced only with
/// `replace`, and not while another tmrepl has it open.
pub fn import_session(
    data_dir: &Path,
    file: &Path,
    name: Option<&str>,
    replace: bool,
) -> Result<Transferred, ArchiveError> {
    // Everything is checked before anything is created.
    let checked = read_export(file, None)?;
    let name = name.unwrap_or(&checked.name).to_owned();
    validate_session_name(&name)?;
    let target = session_dir(data_dir, &name)?;
    let has_cells = Store::at(&target).cells().is_ok_and(|c| !c.is_empty());
    if has_cells && !replace {
        return Err(ArchiveError::ImportExists(name));
    }
    let sessions = data_dir.join("sessions");
    private_dir(&sessions)?;
    remove_left_by_the_dead(&sessions);
    // Hidden (a leading dot is no session's name) and removed when anything fails.
    let temp = tempfile::Builder::new()
        .prefix(&format!("{UNPACKING}{}-", std::process::id()))
        .tempdir_in(&sessions)
        .map_err(io_error(&sessions))?;
    let store = Store::open(temp.path())?;
    let mut done = read_export(file, Some(&store))?;
    if target.exists() {
        // Another tmrepl may have it open (even with no cells yet): then it stays.
        let _lock = SessionLock::take(&target, &name)?;
        let old = sessions.join(format!("{REPLACED}{}-{name}", std::process::id()));
        fs::rename(&target, &old).map_err(io_error(&target))?;
        if let Err(e) = fs::rename(temp.path(), &target) {
            let _ = fs::rename(&old, &target);
            return Err(io_error(&target)(e));
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(temp.path(), &target).map_err(io_error(&target))?;
    }
    // In place now: nothing for the guard to remove.
    let _ = temp.keep();
    sync_dir(&sessions)?;
    done.name = name;
    Ok(done)
}

/// Folders beside the saved sessions of an import under way (`.import-PID-…`) and of the
/// session it replaces (`.replaced-PID-NAME`).
const UNPACKING: &str = ".import-";
const REPLACED: &str = ".replaced-";

/// Removes what imports of processes that are gone left (killed half way).
fn remove_left_by_the_dead(sessions: &Path) {
    for entry in fs::read_dir(sessions).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(UNPACKING)
            .or_else(|| name.strip_prefix(REPLACED))
        else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Reads an export from its start, checking everything; with `store`, unpacks it there.
fn read_export(file: &Path, store: Option<&Store>) -> Result<Transferred, ArchiveError> {
    let opened = File::open(file).map_err(io_error(file))?;
    let mut reader = Reader {
        file,
        input: Hashing::new(BufReader::new(opened)),
    };
    let magic = reader.bytes(MAGIC.len(), "the header")?;
    if magic != MAGIC {
        return Err(reader.bad("it does not start as a tmrepl export does"));
    }
    let version = u32::from_le_bytes(reader.array("the header")?);
    if version > EXPORT_VERSION {
        return Err(ArchiveError::NewerExport {
            path: file.to_owned(),
            found: version,
        });
    }
    if version != EXPORT_VERSION {
        return Err(reader.bad(&format!("unknown export format {version}")));
    }
    let len = u16::from_le_bytes(reader.array("the header")?) as usize;
    let name = String::from_utf8(reader.bytes(len, "the header")?)
        .map_err(|_| reader.bad("the session's name is not UTF-8"))?;
    let mut done = Transferred {
        name,
        cells: 0,
        objects: 0,
        bytes: 0,
    };
    // Objects each manifest names (by the first cell naming it), and the objects held.
    let mut named: BTreeMap<ObjectId, u32> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    loop {
        let what = format!("entry {}", seen.len() + 1);
        let len = u16::from_le_bytes(reader.array(&what)?) as usize;
        if len == 0 {
            break;
        }
        if len > MAX_PATH_BYTES {
            return Err(reader.bad(&format!("{what} has a path of {len} bytes")));
        }
        let path = String::from_utf8(reader.bytes(len, &what)?)
            .map_err(|_| reader.bad(&format!("the path of {what} is not UTF-8")))?;
        let size = u64::from_le_bytes(reader.array(&path)?);
        let hash = blake3::Hash::from_bytes(reader.array(&path)?);
        if !seen.insert(path.clone()) {
            return Err(reader.bad(&format!("{path} is in it twice")));
        }
        match Entry::of(&path) {
            Some(Entry::Manifest(cell)) => {
                if size > MAX_MANIFEST_BYTES {
                    return Err(reader.bad(&format!("{path} claims {size} bytes")));
                }
                let bytes = reader.bytes(size as usize, &path)?;
                reader.check_hash(&path, blake3::hash(&bytes), hash)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| reader.bad(&format!("{path} is not UTF-8")))?;
                let manifest = parse_manifest(Path::new(&path), &text)
                    .map_err(|e| reader.bad(&e.to_string()))?;
                if manifest.cell != cell {
                    return Err(
                        reader.bad(&format!("{path} is the manifest of cell {}", manifest.cell))
                    );
                }
                for object in manifest.vars.iter().filter_map(|v| v.object.clone()) {
                    named.entry(object).or_insert(cell);
                }
                if let Some(store) = store {
                    write_atomically(&store.manifest_path(cell), text.as_bytes(), 0o600)?;
                }
                done.cells += 1;
            }
            Some(Entry::Object(name)) => {
                if size > MAX_OBJECT_BYTES {
                    return Err(reader.bad(&format!("{path} claims {size} bytes")));
                }
                if hash.to_hex().as_str() != name.as_str() {
                    return Err(
                        reader.bad(&format!("{path} is listed with the hash {}", hash.to_hex()))
                    );
                }
                reader.object(store, &path, &name, size)?;
                done.objects += 1;
            }
            None => return Err(reader.bad(&format!("{path} is no file of a saved session"))),
        }
        done.bytes += size;
    }
    let count = u64::from_le_bytes(reader.array("the end")?);
    let digest = reader.input.hasher.finalize();
    let stated = blake3::Hash::from_bytes(reader.array("the end")?);
    if count != seen.len() as u64 {
        return Err(reader.bad(&format!(
            "it ends after {} entries, not the {count} it was written with",
            seen.len()
        )));
    }
    if digest != stated {
        return Err(reader.bad("its bytes hash to another value than it was written with"));
    }
    let mut rest = [0u8; 1];
    if reader.input.read(&mut rest).map_err(io_error(file))? != 0 {
        return Err(reader.bad("there are bytes after its end"));
    }
    if let Some((object, cell)) = named
        .iter()
        .find(|(object, _)| !seen.contains(&object_path_string(object)))
    {
        return Err(reader.bad(&format!(
            "cell {cell} names object {object}, which it does not hold"
        )));
    }
    if done.cells == 0 {
        return Err(reader.bad("it holds no saved cell"));
    }
    Ok(done)
}

fn object_path_string(hash: &ObjectId) -> String {
    hash.relative_path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What an entry's path names: nothing outside a session's manifests and objects.
enum Entry {
    Manifest(u32),
    Object(ObjectId),
}

impl Entry {
    fn of(path: &str) -> Option<Entry> {
        if let Some(file) = path.strip_prefix("cells/") {
            let cell: u32 = file.strip_suffix(".json")?.parse().ok()?;
            return (format!("{cell}.json") == file).then_some(Entry::Manifest(cell));
        }
        let rest = path.strip_prefix("objects/")?;
        let (fan, tail) = rest.split_once('/')?;
        let name = ObjectId::named(format!("{fan}{tail}"));
        (object_path_string(&name) == path).then_some(Entry::Object(name))
    }
}

struct Reader<'a> {
    file: &'a Path,
    input: Hashing<BufReader<File>>,
}

impl Reader<'_> {
    fn bad(&self, reason: &str) -> ArchiveError {
        ArchiveError::BadExport {
            path: self.file.to_owned(),
            reason: reason.to_owned(),
        }
    }

    fn eof_or_io(&self, what: &str, e: std::io::Error) -> ArchiveError {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            self.bad(&format!("it ends early, in {what} (truncated?)"))
        } else {
            io_error(self.file)(e)
        }
    }

    fn bytes(&mut self, len: usize, what: &str) -> Result<Vec<u8>, ArchiveError> {
        let mut bytes = vec![0u8; len];
        self.input
            .read_exact(&mut bytes)
            .map_err(|e| self.eof_or_io(what, e))?;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ArchiveError> {
        let mut bytes = [0u8; N];
        self.input
            .read_exact(&mut bytes)
            .map_err(|e| self.eof_or_io(what, e))?;
        Ok(bytes)
    }

    fn check_hash(
        &self,
        path: &str,
        actual: blake3::Hash,
        stated: blake3::Hash,
    ) -> Result<(), ArchiveError> {
        if actual == stated {
            return Ok(());
        }
        Err(self.bad(&format!(
            "the bytes of {path} hash to {}, not the {} it was exported with",
            actual.to_hex(),
            stated.to_hex()
        )))
    }

    /// Streams an object's bytes (into a temporary file of `store`, moved into its objects
    /// once its hash is right), never holding it in memory.
    fn object(
        &mut self,
        store: Option<&Store>,
        path: &str,
        name: &ObjectId,
        size: u64,
    ) -> Result<(), ArchiveError> {
        let mut content = Hashing::new((&mut self.input).take(size));
        let staged = match store {
            None => {
                std::io::copy(&mut content, &mut std::io::sink()).map_err(io_error(self.file))?;
                None
            }
            Some(store) => {
                let mut temp = tempfile::Builder::new()
                    .prefix(TEMP_PREFIX)
                    .tempfile_in(store.root())
                    .map_err(io_error(store.root()))?;
                std::io::copy(&mut content, temp.as_file_mut()).map_err(io_error(self.file))?;
                temp.as_file().sync_all().map_err(io_error(store.root()))?;
                Some(temp.into_temp_path())
            }
        };
        let (count, actual) = (content.count, content.hasher.finalize());
        if count != size {
            return Err(self.bad(&format!("it ends early, in {path} (truncated?)")));
        }
        let stated = blake3::Hash::from_hex(name.as_str())
            .map_err(|_| self.bad(&format!("{path} is no object's name")))?;
        self.check_hash(path, actual, stated)?;
        if let (Some(store), Some(staged)) = (store, staged) {
            let file: PathBuf = staged.to_path_buf();
            store.adopt_file(&file, name)?;
            // Moved into the store: nothing left for the guard to delete.
            let _ = staged.keep();
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "transfer_tests.rs"]
mod tests;
