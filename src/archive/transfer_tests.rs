use super::*;
use crate::archive::{Manifest, SavedVar, staging_dir};
use std::os::unix::fs::PermissionsExt;

/// Cell `cell`'s manifest naming `objects` (name, hash) as its values.
fn manifest(cell: u32, objects: &[(&str, &ObjectId)]) -> Manifest {
    let mut manifest = crate::archive::tests::manifest(cell, None);
    manifest.vars = objects
        .iter()
        .map(|(name, hash)| SavedVar {
            name: (*name).into(),
            type_name: "Vec<u8>".into(),
            object: Some((*hash).clone()),
            not_saved: None,
        })
        .collect();
    manifest
}

/// A saved session `lab` under `data` with three cells, two objects (one named twice),
/// and what a running session leaves beside them: its lock, a staging folder, a log.
fn saved_session(data: &Path) -> PathBuf {
    let dir = session_dir(data, "lab").unwrap();
    let store = Store::open(&dir).unwrap();
    let (a, _) = store.put(b"first value").unwrap();
    let (b, _) = store.put(&vec![7u8; 300_000]).unwrap();
    store.write_manifest(&manifest(1, &[("a", &a)])).unwrap();
    store
        .write_manifest(&manifest(2, &[("a", &a), ("b", &b)]))
        .unwrap();
    store.write_manifest(&manifest(3, &[])).unwrap();
    drop(SessionLock::take(&dir, "lab").unwrap());
    fs::create_dir_all(staging_dir(&dir, 9)).unwrap();
    fs::write(dir.join("replay.log"), "replayed output").unwrap();
    dir
}

/// Every file under `dir`, by its path inside it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn an_export_imports_elsewhere_as_the_same_manifests_and_objects_and_nothing_else() {
    let first = tempfile::tempdir().unwrap();
    let dir = saved_session(first.path());
    let file = first.path().join("lab.tmrepl");
    // Another tmrepl may have it open: exporting only reads.
    let open_elsewhere = SessionLock::take(&dir, "lab").unwrap();
    let exported = export_session(first.path(), "lab", &file).unwrap();
    drop(open_elsewhere);
    assert_eq!((exported.cells, exported.objects), (3, 2));
    let bytes = fs::read(&file).unwrap();
    assert!(bytes.starts_with(MAGIC));
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains(&first.path().display().to_string()),
        "an absolute path"
    );
    assert!(
        !text.contains("staging") && !text.contains("replayed output") && !text.contains("lock")
    );

    let second = tempfile::tempdir().unwrap();
    // What an import killed half way left is removed by the next one; a running one's not.
    let dead = second.path().join("sessions/.import-999999999-abc");
    let alive = second
        .path()
        .join(format!("sessions/.import-{}-xyz", std::process::id()));
    fs::create_dir_all(dead.join("objects")).unwrap();
    fs::create_dir_all(&alive).unwrap();
    let imported = import_session(second.path(), &file, None, false).unwrap();
    assert!(!dead.exists() && alive.exists());
    fs::remove_dir(&alive).unwrap();
    assert_eq!(imported.name, "lab");
    assert_eq!((imported.cells, imported.objects), (3, 2));
    let original: BTreeMap<String, Vec<u8>> = files(&dir)
        .into_iter()
        .filter(|(path, _)| path.starts_with("cells/") || path.starts_with("objects/"))
        .collect();
    let copy = files(&second.path().join("sessions/lab"));
    assert_eq!(copy, original);
    // Read-only objects, and no folder of the unpacking left behind.
    let store = Store::at(&second.path().join("sessions/lab"));
    let hash = ObjectId::of(b"first value");
    assert_eq!(store.get(&hash).unwrap(), b"first value");
    let mode = fs::metadata(store.object_path(&hash).unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o400);
    let names: Vec<String> = fs::read_dir(second.path().join("sessions"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["lab"]);

    // An existing session is kept unless told; another name or --replace is fine.
    let err = import_session(second.path(), &file, None, false).unwrap_err();
    assert!(
        err.to_string()
            .contains("a saved session named lab exists already"),
        "{err}"
    );
    assert_eq!(
        import_session(second.path(), &file, Some("lab2"), false)
            .unwrap()
            .name,
        "lab2"
    );
    assert!(import_session(second.path(), &file, Some("../up"), false).is_err());
    // Not while another tmrepl has it open.
    let lock = SessionLock::take(&second.path().join("sessions/lab"), "lab").unwrap();
    let err = import_session(second.path(), &file, None, true).unwrap_err();
    assert!(matches!(err, ArchiveError::Locked { .. }), "{err}");
    drop(lock);
    import_session(second.path(), &file, None, true).unwrap();
    assert_eq!(files(&second.path().join("sessions/lab")), original);
}

#[test]
fn a_damaged_truncated_or_newer_export_is_refused_and_nothing_is_written() {
    let first = tempfile::tempdir().unwrap();
    saved_session(first.path());
    let file = first.path().join("lab.tmrepl");
    export_session(first.path(), "lab", &file).unwrap();
    let good = fs::read(&file).unwrap();
    let target = tempfile::tempdir().unwrap();
    let damaged = first.path().join("damaged.tmrepl");
    let refused = |bytes: &[u8]| -> String {
        fs::write(&damaged, bytes).unwrap();
        let err = import_session(target.path(), &damaged, None, false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing was imported"), "{err}");
        assert!(err.starts_with(&damaged.display().to_string()), "{err}");
        assert!(
            fs::read_dir(target.path()).unwrap().next().is_none(),
            "{err}: something was written"
        );
        err
    };
    // Cut anywhere: in the header, an entry's head, an object's bytes, the end.
    for len in [
        0,
        5,
        18,
        40,
        good.len() / 2,
        good.len() - 40,
        good.len() - 1,
    ] {
        let err = refused(&good[..len]);
        assert!(
            err.contains("ends early") || err.contains("does not start"),
            "{len}: {err}"
        );
    }
    // Truncated just before the end entry: the entries read are fine, the end is missing.
    // A byte flipped anywhere is caught: by an entry's hash, a path, or the whole file's.
    for at in (0..good.len())
        .step_by(997)
        .chain([3, 15, 22, good.len() - 20, good.len() - 1])
    {
        let mut bytes = good.clone();
        bytes[at] ^= 0x20;
        refused(&bytes);
    }
    let mut object_byte = good.clone();
    let at = good.windows(16).position(|w| w == [7u8; 16]).unwrap() + 1000;
    object_byte[at] ^= 1;
    let err = refused(&object_byte);
    assert!(err.contains("hash to"), "{err}");
    let mut longer = good.clone();
    longer.push(0);
    assert!(refused(&longer).contains("bytes after its end"));
    // A newer format is named as such.
    let mut newer = good.clone();
    newer[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&2u32.to_le_bytes());
    let err = refused(&newer);
    assert!(
        err.contains("export format 2 is newer than this tmrepl reads (format 1)"),
        "{err}"
    );
    // And the good one still imports.
    import_session(target.path(), &file, None, false).unwrap();
}

#[test]
fn an_export_of_a_session_missing_an_object_is_refused_and_leaves_no_file() {
    let data = tempfile::tempdir().unwrap();
    let dir = saved_session(data.path());
    let hash = ObjectId::of(b"first value");
    let object = Store::at(&dir).object_path(&hash).unwrap();
    fs::set_permissions(&object, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&object, b"other bytes").unwrap();
    let file = data.path().join("lab.tmrepl");
    let err = export_session(data.path(), "lab", &file)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&object.display().to_string()) && err.contains("hash to"),
        "{err}"
    );
    assert!(!file.exists());
    fs::remove_file(&object).unwrap();
    let err = export_session(data.path(), "lab", &file)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&object.display().to_string()), "{err}");
    assert!(!file.exists());
    let err = export_session(data.path(), "nosuch", &file)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no saved session named nosuch"), "{err}");
}

#[test]
fn objects_a_cells_code_names_are_kept_exported_and_taken_from_another_store() {
    let data = tempfile::tempdir().unwrap();
    let lab = Store::open(&session_dir(data.path(), "lab").unwrap()).unwrap();
    let (hash, _) = lab.put(b"loaded by a take").unwrap();
    // Another session takes it: the object comes over (a hard link), checked.
    let here = Store::open(&session_dir(data.path(), "here").unwrap()).unwrap();
    here.take_object(&lab, &hash).unwrap();
    assert_eq!(here.get(&hash).unwrap(), b"loaded by a take");
    let mut cell = manifest(1, &[]);
    cell.source = format!("let x: Vec<u8> = load(\"$TMREPL_OBJECTS/{hash}\");");
    here.write_manifest(&cell).unwrap();
    // Only the code names it: collection keeps it, an export carries it.
    here.collect_garbage().unwrap();
    assert!(here.has(&hash));
    let file = data.path().join("here.tmrepl");
    assert_eq!(
        export_session(data.path(), "here", &file).unwrap().objects,
        1
    );
    let other = tempfile::tempdir().unwrap();
    import_session(other.path(), &file, None, false).unwrap();
    assert!(Store::at(&session_dir(other.path(), "here").unwrap()).has(&hash));
    // A damaged object is not taken.
    let damaged = lab.object_path(&hash).unwrap();
    fs::set_permissions(&damaged, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&damaged, b"changed").unwrap();
    let third = Store::open(&session_dir(data.path(), "third").unwrap()).unwrap();
    assert!(third.take_object(&lab, &hash).is_err());
    assert!(!third.has(&hash));
}
