//! Compiled into a tmrepl session: generated code calls it to write each variable's value,
//! when its type can be saved, and to read values back. tmrepl itself depends on it only
//! for [`MANIFEST_TEXT`] and [`SOURCES`], this crate's own files, which it writes out where
//! sessions build it (so an installed tmrepl needs no source tree).
//! Which variables can be saved is decided at compile time by autoref specialization.
//!
//! Values are bincode (standard configuration) of their serde form. Byte and float vectors
//! and strings, the usual bulk of a session, skip serde's element-by-element path and are
//! written as the identical bytes straight from memory.
//!
//! Each value's bytes are hashed (BLAKE3, the store's object name) and kept only when the
//! store lacks that object, as when a cell only read a large value. Values copied straight
//! from memory are hashed on other threads (every core) while they are written, and the
//! write stops as soon as the hash shows a known one; serde's are hashed while they are
//! written (encoding them twice would cost more than the write).

use std::io::{BufReader, BufWriter, Read, Write};

/// This crate's manifest, as tmrepl writes it for sessions to build.
pub const MANIFEST_TEXT: &str = include_str!("../Cargo.toml");
/// This crate's sources (path in the crate, text), as tmrepl writes them for sessions to
/// build.
pub const SOURCES: [(&str, &str); 2] = [
    ("src/lib.rs", include_str!("lib.rs")),
    ("src/blake3.rs", include_str!("blake3.rs")),
];

/// The largest value `load` decodes: a damaged length prefix cannot exhaust memory.
pub const DECODE_LIMIT: usize = 1 << 33;
const BUFFER: usize = 1 << 20;
/// A value in memory is written in pieces of this size, between which the write checks
/// whether the hash (on other threads) shows the store has it already.
const WRITE_PIECE: usize = 8 << 20;

/// Wraps a reference to a session variable for the probe traits below.
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// Collects a session's values into a staging folder, one file per value, skipping the
/// ones the store (`objects`, when given) already holds.
pub struct Saver {
    staging: std::path::PathBuf,
    objects: Option<std::path::PathBuf>,
    report: String,
}

/// Feeds everything written through it to BLAKE3 (when `hasher` is there), and on to
/// `out` when there is one.
struct Hashing<W> {
    hasher: Option<blake3::Hasher>,
    out: Option<W>,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = match &mut self.out {
            Some(out) => out.write(bytes)?,
            None => bytes.len(),
        };
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&bytes[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl<W> Hashing<W> {
    fn hash(&self) -> Result<String, String> {
        self.hasher
            .as_ref()
            .map(blake3::Hasher::finalize_hex)
            .ok_or_else(|| "it was not hashed".to_owned())
    }
}

type Encode<'a> = &'a dyn Fn(&mut dyn Write) -> Result<(), String>;

impl Saver {
    pub fn new(staging: &str, objects: Option<&str>) -> Saver {
        let _ = std::fs::create_dir_all(staging);
        Saver {
            staging: staging.into(),
            objects: objects.map(Into::into),
            report: String::new(),
        }
    }

    fn known(&self, hash: &str) -> bool {
        self.objects
            .as_ref()
            .is_some_and(|root| root.join(&hash[..2]).join(&hash[2..]).exists())
    }

    /// Runs `encode` (which writes the value's bytes) through BLAKE3 and, unless the store
    /// already holds the object, into a staged file.
    fn store_with(&mut self, name: &str, encode: Encode) {
        let path = self.staging.join(format!("{name}.bin"));
        let written = std::fs::File::create(&path)
            .map_err(|e| format!("could not write it: {e}"))
            .and_then(|file| {
                let mut out = BufWriter::with_capacity(
                    BUFFER,
                    Hashing {
                        hasher: Some(blake3::Hasher::default()),
                        out: Some(file),
                    },
                );
                encode(&mut out)?;
                let out = out
                    .into_inner()
                    .map_err(|e| format!("could not write it: {}", e.error()))?;
                let hash = out.hash()?;
                if self.known(&hash) {
                    return Ok((hash, false));
                }
                out.out
                    .as_ref()
                    .map_or(Ok(()), |file| file.sync_all())
                    .map_err(|e| format!("could not write it: {e}"))?;
                Ok((hash, true))
            });
        self.report_staged(name, &path, written);
    }

    /// Reports what became of value `name`, staged at `path`: its hash and whether the
    /// file there is kept (written whole and synced), or else the store holds it already;
    /// or why it was not saved. A file not kept is removed.
    fn report_staged(
        &mut self,
        name: &str,
        path: &std::path::Path,
        staged: Result<(String, bool), String>,
    ) {
        match staged {
            Ok((hash, true)) => self
                .report
                .push_str(&format!("{name}\tsaved\t{hash}\t{}\n", path.display())),
            Ok((hash, false)) => {
                let _ = std::fs::remove_file(path);
                self.exists(name, &hash)
            }
            Err(e) => {
                let _ = std::fs::remove_file(path);
                self.skip(name, &e)
            }
        }
    }

    fn exists(&mut self, name: &str, hash: &str) {
        self.report.push_str(&format!("{name}\texists\t{hash}\n"));
    }

    pub fn save<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let encode = |mut out: &mut dyn Write| {
            bincode::serde::encode_into_std_write(value, &mut out, bincode::config::standard())
                .map(|_| ())
                .map_err(|e| format!("serializing failed: {e}"))
        };
        self.store_with(name, &encode);
    }

    /// The bincode form of a sequence of plain bytes: its length, then the bytes.
    pub fn save_raw(&mut self, name: &str, len: usize, bytes: &[u8]) {
        let mut prefix = Vec::new();
        if let Err(e) =
            bincode::encode_into_std_write(len as u64, &mut prefix, bincode::config::standard())
        {
            return self.skip(name, &format!("serializing failed: {e}"));
        }
        let path = self.staging.join(format!("{name}.bin"));
        let staged = self.write_while_hashing(&path, &prefix, bytes);
        self.report_staged(name, &path, staged);
    }

    /// Writes `prefix` and `bytes` to `path` while other threads hash them (from memory,
    /// on every core): the write goes at the disk's speed instead of after the hash. Stops
    /// writing once the hash shows that the store already holds them. As
    /// `report_staged` takes it.
    fn write_while_hashing(
        &self,
        path: &std::path::Path,
        prefix: &[u8],
        bytes: &[u8],
    ) -> Result<(String, bool), String> {
        std::thread::scope(|scope| {
            let mut hashing = std::thread::Builder::new()
                .spawn_scoped(scope, || blake3::hash_parallel(prefix, bytes))
                .ok();
            // No thread to be had (a process limit): the hash first, here.
            let mut hash = match hashing {
                Some(_) => None,
                None => Some(blake3::hash_parallel(prefix, bytes)),
            };
            let mut finished = |wait: bool, hash: &mut Option<String>| -> Result<(), String> {
                let done = hashing.as_ref().is_some_and(|h| wait || h.is_finished());
                if let Some(thread) = hashing.take_if(|_| done) {
                    *hash = Some(thread.join().map_err(|_| "hashing it failed".to_owned())?);
                }
                Ok(())
            };
            let known = |hash: &Option<String>| hash.as_deref().is_some_and(|h| self.known(h));
            if known(&hash) {
                return Ok((hash.unwrap_or_default(), false));
            }
            let mut file =
                std::fs::File::create(path).map_err(|e| format!("could not write it: {e}"))?;
            file.write_all(prefix)
                .map_err(|e| format!("could not write it: {e}"))?;
            for piece in bytes.chunks(WRITE_PIECE) {
                finished(false, &mut hash)?;
                if known(&hash) {
                    return Ok((hash.unwrap_or_default(), false));
                }
                file.write_all(piece)
                    .map_err(|e| format!("could not write it: {e}"))?;
            }
            finished(true, &mut hash)?;
            let hash = hash.ok_or_else(|| "it was not hashed".to_owned())?;
            if self.known(&hash) {
                return Ok((hash, false));
            }
            file.sync_all()
                .map_err(|e| format!("could not write it: {e}"))?;
            Ok((hash, true))
        })
    }

    pub fn skip(&mut self, name: &str, reason: &str) {
        let reason = reason.replace(['\t', '\n'], " ");
        self.report
            .push_str(&format!("{name}\tnot saved\t{reason}\n"));
    }

    /// Writes the report last, so its presence means every value is in place.
    pub fn finish(self, report: &str) {
        let temp = format!("{report}.tmp");
        let ok = std::fs::write(&temp, &self.report).and_then(|_| std::fs::rename(&temp, report));
        if let Err(e) = ok {
            eprintln!("tmrepl: writing the save report failed: {e}");
        }
    }
}

/// Element types whose bincode form is their memory, on a little-endian machine: a single
/// byte, or an IEEE float (bincode writes floats as little-endian bits, never as varints).
///
/// # Safety
/// Implementors have no padding and no invalid bit patterns among the values they hold.
pub unsafe trait Plain: Copy + Default + serde::de::DeserializeOwned {}
// SAFETY: one byte each, every value is a valid byte.
unsafe impl Plain for u8 {}
// SAFETY: as u8.
unsafe impl Plain for i8 {}
// SAFETY: four bytes, no padding; bincode writes the same little-endian bits.
unsafe impl Plain for f32 {}
// SAFETY: eight bytes, no padding; as f32.
unsafe impl Plain for f64 {}

fn plain_bytes<E: Plain>(items: &[E]) -> &[u8] {
    // SAFETY: `E: Plain` has no padding, so every byte of the slice is initialized, and
    // u8 has no alignment requirement.
    unsafe { std::slice::from_raw_parts(items.as_ptr().cast::<u8>(), std::mem::size_of_val(items)) }
}

pub trait ViaBytes {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver);
}

impl<E: Plain> ViaBytes for &&Probe<'_, Vec<E>> {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver) {
        if cfg!(target_endian = "little") {
            saver.save_raw(name, self.0.len(), plain_bytes(self.0));
        } else {
            saver.skip(name, "raw saving needs a little-endian machine");
        }
    }
}

impl ViaBytes for &&Probe<'_, String> {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver) {
        saver.save_raw(name, self.0.len(), self.0.as_bytes());
    }
}

pub trait ViaSerde {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver);
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> ViaSerde for &Probe<'_, T> {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver) {
        saver.save(name, self.0);
    }
}

pub trait ViaFallback {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver);
}

impl<T: ?Sized> ViaFallback for Probe<'_, T> {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver) {
        saver.skip(
            name,
            &format!(
                "{} does not implement serde::Serialize and Deserialize",
                std::any::type_name::<T>()
            ),
        );
    }
}

/// Picks how a value of type `T` is read back, like `Probe` does for saving.
pub struct Loader<T>(std::marker::PhantomData<T>);

impl<T> Loader<T> {
    pub fn new() -> Loader<T> {
        Loader(std::marker::PhantomData)
    }
}

impl<T> Default for Loader<T> {
    fn default() -> Self {
        Loader::new()
    }
}

pub trait LoadBytes<T> {
    fn tmrepl_load(&self, path: &str) -> T;
}

impl<E: Plain> LoadBytes<Vec<E>> for &Loader<Vec<E>> {
    fn tmrepl_load(&self, path: &str) -> Vec<E> {
        if cfg!(target_endian = "big") {
            return load(path);
        }
        let mut input = open(path);
        let len = read_len(&mut input, path, std::mem::size_of::<E>());
        let mut items = vec![E::default(); len];
        // SAFETY: `E: Plain` accepts any bit pattern, so the bytes read are valid values.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(
                items.as_mut_ptr().cast::<u8>(),
                std::mem::size_of_val(items.as_slice()),
            )
        };
        input
            .read_exact(bytes)
            .unwrap_or_else(|e| panic!("tmrepl: decoding {path}: {e}"));
        items
    }
}

impl LoadBytes<String> for &Loader<String> {
    fn tmrepl_load(&self, path: &str) -> String {
        let mut input = open(path);
        let len = read_len(&mut input, path, 1);
        let mut bytes = vec![0u8; len];
        input
            .read_exact(&mut bytes)
            .unwrap_or_else(|e| panic!("tmrepl: decoding {path}: {e}"));
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("tmrepl: decoding {path}: {e}"))
    }
}

pub trait LoadSerde<T> {
    fn tmrepl_load(&self, path: &str) -> T;
}

impl<T: serde::de::DeserializeOwned> LoadSerde<T> for Loader<T> {
    fn tmrepl_load(&self, path: &str) -> T {
        load(path)
    }
}

fn open(path: &str) -> BufReader<std::fs::File> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("tmrepl: reading {path}: {e}"));
    BufReader::with_capacity(BUFFER, file)
}

/// Reads a length prefix and checks it against the limit and the file's size.
fn read_len(input: &mut BufReader<std::fs::File>, path: &str, item_size: usize) -> usize {
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    let len: u64 = bincode::decode_from_std_read(input, config)
        .unwrap_or_else(|e| panic!("tmrepl: decoding {path}: {e}"));
    let file_len = input
        .get_ref()
        .metadata()
        .map(|m| m.len())
        .unwrap_or(u64::MAX);
    let bytes = len.checked_mul(item_size as u64);
    match bytes {
        Some(b) if b <= DECODE_LIMIT as u64 && b <= file_len => len as usize,
        _ => panic!("tmrepl: decoding {path}: a length of {len} does not fit the file"),
    }
}

/// Reads a value saved by `Saver::save`; the host has checked the file's hash already.
pub fn load<T: serde::de::DeserializeOwned>(path: &str) -> T {
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    bincode::serde::decode_from_std_read(&mut open(path), config)
        .unwrap_or_else(|e| panic!("tmrepl: decoding {path}: {e}"))
}

/// Writes previews of values (`:vars N`) to a report, one entry at a time, so the host
/// keeps what was done when a value's `Debug` never returns and the job is killed.
/// Formatting stops after `limit` bytes: a value of many MiB is never formatted in full.
pub struct Peeker {
    report: Option<std::fs::File>,
    limit: usize,
    pretty: bool,
}

/// A `fmt::Write` that keeps at most `limit` bytes (whole characters) and then fails,
/// which makes `Debug` implementations stop early.
struct Bounded {
    text: String,
    limit: usize,
    cut: bool,
}

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.limit.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
            return Ok(());
        }
        let mut end = room;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(&s[..end]);
        self.cut = true;
        Err(std::fmt::Error)
    }
}

impl Peeker {
    pub fn new(report: &str, limit: usize, pretty: bool) -> Peeker {
        let report = std::fs::File::create(report)
            .map_err(|e| eprintln!("tmrepl: writing the preview report failed: {e}"))
            .ok();
        Peeker {
            report,
            limit,
            pretty,
        }
    }

    /// One entry: `name \t kind \t length` on a line, then the text and a newline, in a
    /// single write.
    fn entry(&mut self, name: &str, kind: &str, text: &str) {
        if let Some(report) = &mut self.report {
            let entry = format!("{name}\t{kind}\t{}\n{text}\n", text.len());
            let _ = report.write_all(entry.as_bytes());
        }
    }

    pub fn debug<T: std::fmt::Debug + ?Sized>(&mut self, name: &str, value: &T) {
        let (limit, pretty) = (self.limit, self.pretty);
        let formatted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            use std::fmt::Write as _;
            let mut out = Bounded {
                text: String::new(),
                limit,
                cut: false,
            };
            let _ = if pretty {
                write!(out, "{value:#?}")
            } else {
                write!(out, "{value:?}")
            };
            out
        }));
        match formatted {
            Ok(out) if out.cut => self.entry(name, "cut", &out.text),
            Ok(out) => self.entry(name, "debug", &out.text),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                self.entry(name, "panic", &message)
            }
        }
    }

    /// A value without `Debug`: its length when it is a collection, and its bytes.
    pub fn sized(&mut self, name: &str, len: Option<usize>, bytes: usize) {
        let text = match len {
            Some(len) => format!("len {len}, {bytes} bytes"),
            None => format!("{bytes} bytes"),
        };
        self.entry(name, "nodebug", &text);
    }

    pub fn finish(mut self) {
        if let Some(report) = &mut self.report {
            let _ = report.write_all(b"end\n");
        }
    }
}

/// Wraps a reference to a session variable for the preview traits below.
pub struct PeekProbe<'a, T: ?Sized>(pub &'a T);

pub trait PeekDebug {
    fn tmrepl_peek(&self, name: &str, peeker: &mut Peeker);
}

impl<T: std::fmt::Debug + ?Sized> PeekDebug for &&PeekProbe<'_, T> {
    fn tmrepl_peek(&self, name: &str, peeker: &mut Peeker) {
        peeker.debug(name, self.0);
    }
}

/// Collections whose length is known without `Debug` of their items.
pub trait HasLen {
    fn tmrepl_len(&self) -> usize;
    /// The bytes the items take, when that is their size times their count.
    fn tmrepl_bytes(&self) -> usize;
}

impl<T> HasLen for Vec<T> {
    fn tmrepl_len(&self) -> usize {
        self.len()
    }
    fn tmrepl_bytes(&self) -> usize {
        std::mem::size_of_val(self.as_slice())
    }
}

impl<T> HasLen for std::collections::VecDeque<T> {
    fn tmrepl_len(&self) -> usize {
        self.len()
    }
    fn tmrepl_bytes(&self) -> usize {
        self.len() * std::mem::size_of::<T>()
    }
}

impl<K, V, S> HasLen for std::collections::HashMap<K, V, S> {
    fn tmrepl_len(&self) -> usize {
        self.len()
    }
    fn tmrepl_bytes(&self) -> usize {
        self.len() * std::mem::size_of::<(K, V)>()
    }
}

impl<K, V> HasLen for std::collections::BTreeMap<K, V> {
    fn tmrepl_len(&self) -> usize {
        self.len()
    }
    fn tmrepl_bytes(&self) -> usize {
        self.len() * std::mem::size_of::<(K, V)>()
    }
}

impl<T, S> HasLen for std::collections::HashSet<T, S> {
    fn tmrepl_len(&self) -> usize {
        self.len()
    }
    fn tmrepl_bytes(&self) -> usize {
        self.len() * std::mem::size_of::<T>()
    }
}

impl<T> HasLen for std::collections::BTreeSet<T> {
    fn tmrepl_len(&self) -> usize {
        self.len()
    }
    fn tmrepl_bytes(&self) -> usize {
        self.len() * std::mem::size_of::<T>()
    }
}

pub trait PeekLen {
    fn tmrepl_peek(&self, name: &str, peeker: &mut Peeker);
}

impl<T: HasLen> PeekLen for &PeekProbe<'_, T> {
    fn tmrepl_peek(&self, name: &str, peeker: &mut Peeker) {
        peeker.sized(name, Some(self.0.tmrepl_len()), self.0.tmrepl_bytes());
    }
}

pub trait PeekSize {
    fn tmrepl_peek(&self, name: &str, peeker: &mut Peeker);
}

impl<T: ?Sized> PeekSize for PeekProbe<'_, T> {
    fn tmrepl_peek(&self, name: &str, peeker: &mut Peeker) {
        peeker.sized(name, None, std::mem::size_of_val(self.0));
    }
}

/// BLAKE3, written from its specification: no hashing crate to build (see the module).
pub mod blake3;
