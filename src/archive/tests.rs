use super::*;
use crate::timeline::CellStatus;
use std::path::Path;

pub(crate) fn manifest(cell: u32, object: Option<ObjectId>) -> Manifest {
    Manifest {
        saved_at: now_secs(),
        ..tmrepl_core::archive::manifest_for_tests(cell, object)
    }
}

#[test]
fn objects_are_content_addressed_deduplicated_and_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (hash, written) = store.put(b"hello").unwrap();
    assert!(written);
    assert_eq!(hash, ObjectId::of(b"hello"));
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
    let fresh = ObjectId::of(b"fresh bytes");
    let (written, len) = store.adopt_file(&staged, &fresh).unwrap();
    assert!(written && len == 11);
    assert_eq!(store.get(&fresh).unwrap(), b"fresh bytes");
    let path = store.object_path(&hash).unwrap();
    assert!(path.starts_with(dir.path().join("objects").join(&hash.as_str()[..2])));
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
            matches!(
                store.get(&ObjectId::named(bad)),
                Err(ArchiveError::BadName(_))
            ),
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
        clone_with_time(&manifest(1, Some(hash)), &store)
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

/// `manifest` with the time its stored copy was saved at.
fn clone_with_time(manifest: &Manifest, store: &Store) -> Manifest {
    let mut m = manifest.clone();
    m.saved_at = store
        .read_manifest(manifest.cell)
        .map(|r| r.saved_at)
        .unwrap_or(m.saved_at);
    m
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

/// Names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_atomic_write_replaces_the_file_whole_with_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cells.json");
    write_atomically(&path, b"old", 0o600).unwrap();
    write_atomically(&path, b"new", 0o400).unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new");
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o400);
    assert_eq!(names_in(dir.path()), ["cells.json"]);
}

#[test]
fn a_failed_atomic_write_leaves_the_old_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2.json");
    write_atomically(&path, b"old contents", 0o600).unwrap();
    // Writing fails half way (a full disk, say).
    let err = write_atomically_with(&path, 0o600, |file| {
        file.write_all(b"half")?;
        Err(std::io::Error::other("no space left"))
    })
    .unwrap_err()
    .to_string();
    assert!(err.starts_with(&path.display().to_string()), "{err}");
    assert!(err.contains("no space left"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), b"old contents");
    assert_eq!(names_in(dir.path()), ["2.json"]);

    // The rename fails (a folder is in the way): an error, and nothing left behind.
    let blocked = dir.path().join("blocked");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("inside"), b"kept").unwrap();
    let err = write_atomically(&blocked, b"x", 0o600)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&blocked.display().to_string()), "{err}");
    assert_eq!(names_in(dir.path()), ["2.json", "blocked"]);
    assert_eq!(fs::read(blocked.join("inside")).unwrap(), b"kept");

    // No folder to write in: the error names it, and none is made.
    let nowhere = dir.path().join("gone").join("3.json");
    let err = write_atomically(&nowhere, b"x", 0o600)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&dir.path().join("gone").display().to_string()),
        "{err}"
    );
    assert_eq!(names_in(dir.path()), ["2.json", "blocked"]);
}

/// A store with three cells, each naming its own object; cell 2's is named by no other.
fn three_cells(dir: &Path) -> (Store, Vec<ObjectId>) {
    let store = Store::open(dir).unwrap();
    let hashes: Vec<ObjectId> = (1..=3)
        .map(|n| store.put(format!("value {n}").as_bytes()).unwrap().0)
        .collect();
    for (n, hash) in (1..=3).zip(&hashes) {
        store
            .write_manifest(&manifest(n, Some(hash.clone())))
            .unwrap();
    }
    (store, hashes)
}

#[test]
fn a_damaged_or_newer_manifest_stops_garbage_collection_and_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lab");
    let (store, hashes) = three_cells(&root);
    let (garbage, _) = store.put(b"named by nobody").unwrap();
    let path = root.join("cells/2.json");
    let good = fs::read(&path).unwrap();

    // Truncated: it can no longer be parsed, so it may name anything.
    fs::write(&path, &good[..good.len() / 2]).unwrap();
    let err = store.collect_garbage().unwrap_err();
    assert!(
        matches!(err, ArchiveError::CollectionStopped { .. }),
        "{err}"
    );
    let said = err.to_string();
    assert!(said.contains(&path.display().to_string()), "{said}");
    assert!(said.contains("damaged"), "{said}");
    assert!(said.contains("tmrepl sessions --check lab"), "{said}");
    assert!(store.has(&garbage));

    // Written by a newer tmrepl: the same.
    let mut newer: serde_json::Value = serde_json::from_slice(&good).unwrap();
    newer["format"] = (FORMAT_VERSION + 1).into();
    fs::write(&path, serde_json::to_vec(&newer).unwrap()).unwrap();
    let said = store.collect_garbage().unwrap_err().to_string();
    assert!(said.contains("cells/2.json"), "{said}");
    assert!(
        said.contains("newer") || said.contains("format 2"),
        "{said}"
    );
    // Cell 2's value goes from every readable manifest: still kept.
    fs::write(root.join("cells/3.json"), b"{").unwrap();
    store
        .write_manifest(&manifest(1, Some(hashes[0].clone())))
        .unwrap();
    let said = store.collect_garbage().unwrap_err().to_string();
    assert!(said.contains("nor 1 other manifest"), "{said}");
    assert!(hashes.iter().all(|h| store.has(h)) && store.has(&garbage));

    // Mended: collection works again and keeps what the manifests name.
    fs::write(&path, &good).unwrap();
    store
        .write_manifest(&manifest(3, Some(hashes[2].clone())))
        .unwrap();
    assert_eq!(store.collect_garbage().unwrap(), 15);
    assert!(hashes.iter().all(|h| store.has(h)));
    assert!(!store.has(&garbage));
}

#[test]
fn garbage_collection_leaves_temporary_and_unknown_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (store, hashes) = three_cells(dir.path());
    let fan = store.object_path(&hashes[0]).unwrap();
    let fan = fan.parent().unwrap();
    fs::write(fan.join(".tmp-unfinished"), b"half").unwrap();
    fs::write(dir.path().join("objects/README"), b"not ours").unwrap();
    assert_eq!(store.collect_garbage().unwrap(), 0);
    assert!(fan.join(".tmp-unfinished").exists());
    assert!(dir.path().join("objects/README").exists());
}

#[test]
fn the_check_lists_damaged_manifests_and_the_objects_they_pin() {
    let data = tempfile::tempdir().unwrap();
    let root = session_dir(data.path(), "lab").unwrap();
    let (store, hashes) = three_cells(&root);
    let (garbage, _) = store.put(b"named by nobody").unwrap();

    let report = check_session(data.path(), "lab").unwrap();
    assert!(report.is_healthy(), "{report:?}");
    assert_eq!((report.manifests, report.objects), (3, 4));
    assert_eq!(report.unaccounted, std::slice::from_ref(&garbage));
    let said = report.render();
    assert!(said.contains("no damage found"), "{said}");
    assert!(said.contains("1 object no cell names"), "{said}");

    // Cell 2's manifest loses its end, but its object's name is still in the text; cell
    // 3 names only its own.
    let path = root.join("cells/2.json");
    let text = fs::read_to_string(&path).unwrap();
    let cut = text.find(hashes[1].as_str()).unwrap() + 64 + 1;
    fs::write(&path, &text[..cut]).unwrap();
    let report = store.check().unwrap();
    assert!(!report.is_healthy());
    assert_eq!(report.manifests, 2);
    assert_eq!(report.damaged.len(), 1);
    assert_eq!(report.damaged[0].path, path);
    assert!(
        report.damaged[0].reason.starts_with("damaged: "),
        "{report:?}"
    );
    assert_eq!(report.damaged[0].named, [hashes[1].clone()]);
    let mut pinned = vec![hashes[1].clone(), garbage.clone()];
    pinned.sort();
    assert_eq!(report.unaccounted, pinned);
    let said = report.render();
    assert!(
        said.contains(&format!("damaged manifest {}", path.display())),
        "{said}"
    );
    assert!(
        said.contains("pins every object no readable manifest names (2)"),
        "{said}"
    );
    assert!(said.contains(&format!("    {}", hashes[1])), "{said}");
    assert!(said.contains(&format!("    {garbage}")), "{said}");
    assert!(said.contains(":clear_past deletes no object"), "{said}");

    // Nothing left to recover from: it still pins what no readable manifest names.
    fs::write(&path, b"\0\0\0").unwrap();
    let report = store.check().unwrap();
    assert!(report.damaged[0].named.is_empty());
    assert!(
        report
            .render()
            .contains("its text names no object of the session")
    );

    // A missing object and a damaged one are damage too.
    fs::write(&path, text).unwrap();
    let object = store.object_path(&hashes[0]).unwrap();
    fs::remove_file(&object).unwrap();
    let bad = store.object_path(&hashes[2]).unwrap();
    fs::set_permissions(&bad, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&bad, b"value 9").unwrap();
    let report = store.check().unwrap();
    assert!(!report.is_healthy());
    assert!(report.damaged.is_empty());
    assert_eq!(report.missing.len(), 1);
    assert_eq!(
        (report.missing[0].cell, &report.missing[0].hash),
        (1, &hashes[0])
    );
    assert_eq!(report.bad_objects.len(), 1);
    let said = report.render();
    assert!(
        said.contains(&format!("missing object {}: cell 1's v1", hashes[0])),
        "{said}"
    );
    assert!(
        said.contains(&format!("damaged object {}", hashes[2])),
        "{said}"
    );
}

#[test]
fn checking_and_listing_create_nothing() {
    let data = tempfile::tempdir().unwrap();
    let err = check_session(data.path(), "absent")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no saved session named absent"), "{err}");
    assert!(
        err.contains(&data.path().join("sessions/absent").display().to_string()),
        "{err}"
    );
    assert!(check_session(data.path(), "../up").is_err());
    // A session folder with neither cells nor objects stays so.
    let bare = data.path().join("sessions/bare");
    fs::create_dir_all(&bare).unwrap();
    let report = check_session(data.path(), "bare").unwrap();
    assert!(report.is_healthy());
    assert_eq!((report.manifests, report.objects), (0, 0));
    assert_eq!(list_sessions(data.path()).unwrap().len(), 1);
    assert!(names_in(&bare).is_empty());
    assert_eq!(names_in(&data.path().join("sessions")), ["bare"]);
}
