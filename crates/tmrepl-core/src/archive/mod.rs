//! The archive's data types, which the core reads and writes: a saved cell's manifest,
//! how its cell ended, an object's name. The store that keeps them on disk is tmrepl's
//! `archive` module, which re-exports these.

pub mod manifest;

pub use crate::timeline::{NotSaved, SavedVar};
pub use manifest::{FORMAT_VERSION, Manifest, ObjectId, SavedStatus, object_relative_path};

/// A manifest of cell `cell` holding one variable `v{cell}` (its object, if any), for
/// tests here and in tmrepl's archive.
#[doc(hidden)]
pub fn manifest_for_tests(cell: u32, object: Option<ObjectId>) -> Manifest {
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
        saved_at: 0,
        pending: false,
        job: false,
        access: None,
    }
}
