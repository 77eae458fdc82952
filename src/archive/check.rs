//! Which objects a session still needs: garbage collection and `tmrepl sessions --check`.
//!
//! The rule: an object is deleted only when every manifest of the session was read and
//! none names it. A manifest that cannot be read (damaged, or written by a newer tmrepl)
//! may name any object, so it stops collection altogether until it is mended or removed.
//! Checking reads and creates nothing it does not have to: it may run on a session
//! another tmrepl has open.

use super::{
    ArchiveError, FORMAT_VERSION, MAX_MANIFEST_BYTES, ObjectId, Store, io_error, session_dir,
};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A manifest that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DamagedManifest {
    pub path: PathBuf,
    pub reason: String,
    /// Objects of the session its text still names (64 hex digits), recovered by scanning
    /// it. It may name others in what is lost, so it pins every object no readable
    /// manifest names too (`CheckReport::unaccounted`).
    pub named: Vec<ObjectId>,
}

/// An object a readable manifest names that the store does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingObject {
    pub cell: u32,
    pub var: String,
    pub hash: ObjectId,
}

/// What `Store::check` found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckReport {
    pub session: String,
    /// Manifests read whole.
    pub manifests: usize,
    pub objects: usize,
    pub damaged: Vec<DamagedManifest>,
    /// Objects no readable manifest names: garbage when every manifest was read, pinned
    /// by the damaged ones otherwise.
    pub unaccounted: Vec<ObjectId>,
    /// Objects whose bytes no longer hash to their name, and why.
    pub bad_objects: Vec<(ObjectId, String)>,
    pub missing: Vec<MissingObject>,
}

/// What an error says without the path it names (the caller names it).
fn reason_of(error: &ArchiveError) -> String {
    match error {
        ArchiveError::Io { source, .. } => source.to_string(),
        ArchiveError::Damaged { reason, .. } => format!("damaged: {reason}"),
        ArchiveError::UnknownFormat { found, .. } => {
            format!("archive format {found}, this tmrepl reads format {FORMAT_VERSION}")
        }
        other => other.to_string(),
    }
}

/// Every run of exactly 64 lowercase hex digits in `bytes`: the object names a damaged
/// manifest still holds, whatever else in it is broken.
fn hex_names(bytes: &[u8]) -> BTreeSet<ObjectId> {
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let mut names = BTreeSet::new();
    let mut start = None;
    for (i, b) in bytes.iter().copied().chain([b' ']).enumerate() {
        if is_hex(b) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take()
            && i - s == 64
        {
            names.insert(ObjectId::named(String::from_utf8_lossy(&bytes[s..i])));
        }
    }
    names
}

/// The objects of `objects` that a cell's source names (as a `:take` cell loads them).
pub(super) fn source_objects(source: &str, objects: &BTreeSet<ObjectId>) -> Vec<ObjectId> {
    hex_names(source.as_bytes())
        .into_iter()
        .filter(|hash| objects.contains(hash))
        .collect()
}

/// `tmrepl sessions --check NAME`: checks the saved session NAME under `data_dir`,
/// creating nothing.
pub fn check_session(data_dir: &Path, name: &str) -> Result<CheckReport, ArchiveError> {
    let dir = session_dir(data_dir, name)?;
    if !dir.is_dir() {
        return Err(ArchiveError::NotSaved {
            name: name.to_owned(),
            path: dir,
        });
    }
    Store::at(&dir).check()
}

impl CheckReport {
    /// No damaged manifest or object, and no object missing.
    pub fn is_healthy(&self) -> bool {
        self.damaged.is_empty() && self.bad_objects.is_empty() && self.missing.is_empty()
    }

    /// The report as `tmrepl sessions --check` prints it.
    pub fn render(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut out = String::new();
        let total = self.manifests + self.damaged.len();
        let _ = writeln!(
            out,
            "session {}: {} read of {total}, {} checked",
            self.session,
            plural(self.manifests, "manifest"),
            plural(self.objects, "object"),
        );
        for damaged in &self.damaged {
            let _ = writeln!(
                out,
                "damaged manifest {}: {}",
                damaged.path.display(),
                damaged.reason
            );
            let _ = writeln!(
                out,
                "  pins every object no readable manifest names ({}): what it names cannot be known",
                self.unaccounted.len()
            );
            if damaged.named.is_empty() {
                let _ = writeln!(out, "  its text names no object of the session");
            } else {
                let _ = writeln!(
                    out,
                    "  its text still names {}:",
                    plural(damaged.named.len(), "object")
                );
                for hash in &damaged.named {
                    let _ = writeln!(out, "    {hash}");
                }
            }
        }
        if !self.damaged.is_empty() && !self.unaccounted.is_empty() {
            let _ = writeln!(out, "objects only the damaged manifests may need:");
            for hash in &self.unaccounted {
                let _ = writeln!(out, "    {hash}");
            }
        }
        for (hash, why) in &self.bad_objects {
            let _ = writeln!(out, "damaged object {hash}: {why}");
        }
        for missing in &self.missing {
            let _ = writeln!(
                out,
                "missing object {}: cell {}'s {} names it",
                missing.hash, missing.cell, missing.var
            );
        }
        if !self.damaged.is_empty() {
            let _ = writeln!(
                out,
                "while a manifest is damaged :clear_past deletes no object; mend it, or remove it \
                 to give up its cell"
            );
        } else if self.is_healthy() {
            let _ = write!(out, "no damage found");
            if !self.unaccounted.is_empty() {
                let _ = write!(
                    out,
                    "; {} no cell names (:clear_past removes them)",
                    plural(self.unaccounted.len(), "object")
                );
            }
            out.push('\n');
        }
        out
    }
}

impl Store {
    /// The session's name: its folder's.
    fn session_name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Reads every manifest and verifies every object, changing nothing.
    pub fn check(&self) -> Result<CheckReport, ArchiveError> {
        let objects = self.object_names()?;
        let mut report = CheckReport {
            session: self.session_name(),
            objects: objects.len(),
            ..CheckReport::default()
        };
        let cells = if self.root.join("cells").is_dir() {
            self.cells()?
        } else {
            Vec::new()
        };
        let mut live = BTreeSet::new();
        for cell in cells {
            match self.read_manifest(cell) {
                Ok(manifest) => {
                    report.manifests += 1;
                    // A cell's code may load objects itself (a `:take` from another
                    // session copies them here): those it names are needed too.
                    live.extend(source_objects(&manifest.source, &objects));
                    for var in manifest.vars {
                        let Some(hash) = var.object else { continue };
                        if !objects.contains(&hash) {
                            report.missing.push(MissingObject {
                                cell,
                                var: var.name,
                                hash: hash.clone(),
                            });
                        }
                        live.insert(hash);
                    }
                }
                Err(e) => {
                    let path = self.manifest_path(cell);
                    let mut text = Vec::new();
                    if let Ok(file) = File::open(&path) {
                        let _ = file.take(MAX_MANIFEST_BYTES).read_to_end(&mut text);
                    }
                    let named = hex_names(&text)
                        .into_iter()
                        .filter(|hash| objects.contains(hash))
                        .collect();
                    report.damaged.push(DamagedManifest {
                        path,
                        reason: reason_of(&e),
                        named,
                    });
                }
            }
        }
        report.unaccounted = objects.difference(&live).cloned().collect();
        for hash in &objects {
            if let Err(e) = self.verify(hash) {
                report.bad_objects.push((hash.clone(), reason_of(&e)));
            }
        }
        Ok(report)
    }

    /// The names of the objects in the store (files that are not objects left out).
    pub(super) fn object_names(&self) -> Result<BTreeSet<ObjectId>, ArchiveError> {
        Ok(self
            .object_files()?
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }

    /// Every object file: its name and path.
    fn object_files(&self) -> Result<Vec<(ObjectId, PathBuf)>, ArchiveError> {
        let objects = self.root.join("objects");
        let mut files = Vec::new();
        let fans = match fs::read_dir(&objects) {
            Ok(fans) => fans,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
            Err(e) => return Err(io_error(&objects)(e)),
        };
        for fan in fans.flatten() {
            let fan_path = fan.path();
            if !fan_path.is_dir() {
                continue;
            }
            for entry in fs::read_dir(&fan_path)
                .map_err(io_error(&fan_path))?
                .flatten()
            {
                let name = ObjectId::named(format!(
                    "{}{}",
                    fan.file_name().to_string_lossy(),
                    entry.file_name().to_string_lossy()
                ));
                // A temporary file of a write that never finished is not an object.
                if name.relative_path().is_some() {
                    files.push((name, entry.path()));
                }
            }
        }
        Ok(files)
    }

    /// Deletes objects no manifest names, and returns the bytes removed. Every automatic
    /// or asked-for collection comes here. If any manifest cannot be read, nothing is
    /// deleted and the error names it: it may name any object.
    pub fn collect_garbage(&self) -> Result<u64, ArchiveError> {
        let mut live = BTreeSet::new();
        let mut unreadable = Vec::new();
        for cell in self.cells()? {
            match self.read_manifest(cell) {
                Ok(manifest) => {
                    // Names in a cell's code count too (a `:take` loads objects itself);
                    // a run of hex digits that names no object keeps nothing.
                    live.extend(hex_names(manifest.source.as_bytes()));
                    live.extend(manifest.vars.into_iter().filter_map(|v| v.object));
                }
                Err(e) => unreadable.push((self.manifest_path(cell), reason_of(&e))),
            }
        }
        if let Some((path, reason)) = unreadable.first() {
            return Err(ArchiveError::CollectionStopped {
                session: self.session_name(),
                path: path.clone(),
                reason: reason.clone(),
                others: unreadable.len() - 1,
            });
        }
        let mut freed = 0;
        for (name, path) in self.object_files()? {
            if !live.contains(&name) {
                let len = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                if fs::remove_file(&path).is_ok() {
                    freed += len;
                }
            }
        }
        Ok(freed)
    }
}
