use super::*;
use crate::timeline::CellStatus;

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
        access: None,
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

#[test]
fn a_cell_access_record_round_trips_and_manifests_without_one_still_load() {
    let recorded = Manifest {
        access: Some(crate::timeline::CellAccess {
            defines: vec!["acc".into()],
            mentions: vec!["plain".into()],
        }),
        ..manifest(2, None)
    };
    let json = serde_json::to_value(&recorded).unwrap();
    assert_eq!(json["access"]["defines"][0], "acc");
    let back: Manifest = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, recorded);
    // Written before accesses were recorded: loads, and the planner derives them.
    let mut old = json;
    old.as_object_mut().unwrap().remove("access");
    let back: Manifest = serde_json::from_value(old).unwrap();
    assert_eq!(back.access, None);
}

#[test]
fn an_atomic_write_replaces_whole_or_leaves_the_old_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cells.json");
    super::write_atomically(&path, b"old", 0o600).unwrap();
    super::write_atomically(&path, b"new", 0o600).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    // The rename fails (a folder is in the way): an error, and nothing left behind.
    let blocked = dir.path().join("blocked");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"kept").unwrap();
    assert!(super::write_atomically(&blocked, b"x", 0o600).is_err());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["blocked", "cells.json"]);
    assert_eq!(std::fs::read(blocked.join("inside")).unwrap(), b"kept");
}
