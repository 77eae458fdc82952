//! The archive's data types: one manifest per saved cell and how its cell ended. Pure
//! data (serde), no IO: the session core reads and writes these, the store keeps them.

use crate::timeline::{CellAccess, CellStatus, SavedVar};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The manifest format this tmrepl writes and reads.
pub const FORMAT_VERSION: u32 = 1;

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
    /// Which variables the cell made and named, for rebuilding by replay. Absent in
    /// manifests of earlier versions: then derived the same way from the cells' `vars`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<CellAccess>,
}

/// The name of a stored object: the BLAKE3 hash of its bytes, 64 lowercase hex digits.
/// Kept as read (a manifest or a save job's report may be damaged); `relative_path` is
/// None for a name that is not a hash, so no path made from one ever leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectId(String);

impl ObjectId {
    /// The name of an object holding `bytes`.
    pub fn of(bytes: &[u8]) -> ObjectId {
        ObjectId(blake3::hash(bytes).to_hex().to_string())
    }

    /// A name as written somewhere (a manifest, a save job's report, a cell's source).
    pub fn named(name: impl Into<String>) -> ObjectId {
        ObjectId(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where it lives inside a session's folder, `objects/ab/cdef…`.
    pub fn relative_path(&self) -> Option<PathBuf> {
        object_relative_path(&self.0)
    }
}

impl From<&str> for ObjectId {
    fn from(name: &str) -> ObjectId {
        ObjectId::named(name)
    }
}

impl From<String> for ObjectId {
    fn from(name: String) -> ObjectId {
        ObjectId::named(name)
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where object `hash` lives inside a session's folder, `objects/ab/cdef…`; None when
/// `hash` is not an object's name (64 lowercase hex digits), so no path ever leaves it.
pub fn object_relative_path(hash: &str) -> Option<PathBuf> {
    let valid = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    valid.then(|| PathBuf::from("objects").join(&hash[..2]).join(&hash[2..]))
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
