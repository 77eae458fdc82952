//! The helper crate that sessions compile (crates/tmrepl_persist), tested here as a module:
//! which path each type takes, and that the raw fast path writes exactly serde's bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// a test or bench may panic on what it sets up
// The extra borrows are autoref specialization, written as tmrepl's generated code writes it.
#![allow(clippy::needless_borrow)]

// The helper is a crate of its own, compiled into sessions; its unsafe code (raw
// vectors written straight from memory) is checked there, not by this crate's rule.
#[allow(unsafe_code)]
#[path = "../crates/tmrepl_persist/src/lib.rs"]
#[allow(dead_code)]
mod tmrepl_persist;

use tmrepl_persist::{
    LoadBytes as _, LoadSerde as _, Loader, Probe, Saver, ViaBytes as _, ViaFallback as _,
    ViaSerde as _,
};

fn report(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("report")).unwrap()
}

fn serde_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap()
}

#[test]
fn each_type_takes_its_path_and_raw_bytes_equal_serdes() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("stage");
    let staging_str = staging.to_str().unwrap();
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
    let floats: Vec<f64> = (0..1000).map(|i| i as f64 / 3.0).collect();
    let text = String::from("héllo, wörld");
    let ints: Vec<i32> = vec![-1, 300, 70_000];
    let shared = std::rc::Rc::new(5);

    let mut saver = Saver::new(staging_str, None);
    (&&&Probe(&bytes)).tmrepl_save("bytes", &mut saver);
    (&&&Probe(&floats)).tmrepl_save("floats", &mut saver);
    (&&&Probe(&text)).tmrepl_save("text", &mut saver);
    (&&&Probe(&ints)).tmrepl_save("ints", &mut saver);
    (&&&Probe(&shared)).tmrepl_save("shared", &mut saver);
    saver.finish(dir.path().join("report").to_str().unwrap());

    let report = report(dir.path());
    assert!(
        report.contains("shared\tnot saved\talloc::rc::Rc<i32> does not implement"),
        "{report}"
    );
    let read = |name: &str| std::fs::read(staging.join(format!("{name}.bin"))).unwrap();
    // Same bytes as serde would write, so hashes (and dedup) agree whichever path ran.
    assert_eq!(read("bytes"), serde_bytes(&bytes));
    assert_eq!(read("floats"), serde_bytes(&floats));
    assert_eq!(read("text"), serde_bytes(&text));
    assert_eq!(read("ints"), serde_bytes(&ints));

    // The report names each object by the blake3 of those bytes: the store's name for it.
    let hash = blake3::hash(&serde_bytes(&bytes)).to_hex().to_string();
    assert!(
        report.contains(&format!("bytes\tsaved\t{hash}\t")),
        "{report}"
    );

    let path = |name: &str| staging.join(format!("{name}.bin")).display().to_string();
    let back: Vec<u8> = (&&Loader::<Vec<u8>>::new()).tmrepl_load(&path("bytes"));
    assert_eq!(back, bytes);
    let back: Vec<f64> = (&&Loader::<Vec<f64>>::new()).tmrepl_load(&path("floats"));
    assert_eq!(back, floats);
    let back: String = (&&Loader::<String>::new()).tmrepl_load(&path("text"));
    assert_eq!(back, text);
    let back: Vec<i32> = (&&Loader::<Vec<i32>>::new()).tmrepl_load(&path("ints"));
    assert_eq!(back, ints);
}

#[test]
fn a_damaged_length_is_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.bin");
    // Varint 253 = a u64 length follows: claim far more than the file holds.
    let mut bad = vec![253u8];
    bad.extend_from_slice(&(1u64 << 40).to_le_bytes());
    bad.extend_from_slice(&[1, 2, 3]);
    std::fs::write(&path, &bad).unwrap();
    let path = path.display().to_string();
    let raw = std::panic::catch_unwind(|| {
        let _: Vec<u8> = (&&Loader::<Vec<u8>>::new()).tmrepl_load(&path);
    });
    let message = *raw.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("does not fit the file"), "{message}");
    let serde = std::panic::catch_unwind(|| {
        let _: Vec<i64> = (&&Loader::<Vec<i64>>::new()).tmrepl_load(&path);
    });
    assert!(serde.is_err());
}

#[test]
fn a_value_the_store_already_holds_is_hashed_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let objects = dir.path().join("objects");
    let staging = dir.path().join("stage");
    let big: Vec<u8> = vec![7; 1 << 20];
    let hash = blake3::hash(&serde_bytes(&big)).to_hex().to_string();
    std::fs::create_dir_all(objects.join(&hash[..2])).unwrap();
    std::fs::write(objects.join(&hash[..2]).join(&hash[2..]), serde_bytes(&big)).unwrap();
    let changed: Vec<u8> = vec![8; 10];
    // Through serde: hashed while written, the staged copy dropped once found known.
    let ints: Vec<i32> = vec![1, -2, 300];
    let ints_hash = blake3::hash(&serde_bytes(&ints)).to_hex().to_string();
    std::fs::create_dir_all(objects.join(&ints_hash[..2])).unwrap();
    std::fs::write(
        objects.join(&ints_hash[..2]).join(&ints_hash[2..]),
        serde_bytes(&ints),
    )
    .unwrap();

    let mut saver = Saver::new(staging.to_str().unwrap(), objects.to_str());
    (&&&Probe(&big)).tmrepl_save("big", &mut saver);
    (&&&Probe(&changed)).tmrepl_save("changed", &mut saver);
    (&&&Probe(&ints)).tmrepl_save("ints", &mut saver);
    saver.finish(dir.path().join("report").to_str().unwrap());

    let report = report(dir.path());
    assert!(
        report.contains(&format!("big\texists\t{hash}\n")),
        "{report}"
    );
    assert!(!staging.join("big.bin").exists());
    assert!(report.contains("changed\tsaved\t"), "{report}");
    assert!(staging.join("changed.bin").exists());
    assert!(
        report.contains(&format!("ints\texists\t{ints_hash}\n")),
        "{report}"
    );
    assert!(!staging.join("ints.bin").exists());
}

/// The helper's own BLAKE3 names objects that tmrepl later reads through the `blake3`
/// crate (which checks every object against its name): the two must agree on inputs
/// around every block (64 bytes), chunk (1024) and tree boundary, however they are fed.
#[test]
fn the_helpers_blake3_agrees_with_the_blake3_crate() {
    let data: Vec<u8> = (0..(1u32 << 20) + 4099)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut lengths = vec![
        0, 1, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2047, 2048, 2049,
    ];
    for chunks in [3usize, 4, 5, 7, 8, 9, 16, 31, 33, 64, 100, 1024, 1027] {
        lengths.extend([chunks * 1024 - 1, chunks * 1024, chunks * 1024 + 1]);
    }
    lengths.push(data.len());
    for len in lengths {
        let input = &data[..len];
        let expected = blake3::hash(input).to_hex().to_string();
        let mut whole = tmrepl_persist::blake3::Hasher::default();
        whole.update(input);
        assert_eq!(whole.finalize_hex(), expected, "{len} bytes at once");
        // In uneven pieces, as a BufWriter hands them over.
        let mut pieces = tmrepl_persist::blake3::Hasher::default();
        for piece in input.chunks(997) {
            pieces.update(piece);
            pieces.update(&[]);
        }
        assert_eq!(pieces.finalize_hex(), expected, "{len} bytes in pieces");
    }
}

/// A value in memory is hashed on every core (`hash_parallel`, a length prefix and the
/// value's bytes as one input): the split must follow BLAKE3's tree exactly, at sizes
/// around where it starts splitting (1 MiB) and around chunk and subtree boundaries.
#[test]
fn the_helpers_parallel_blake3_agrees_with_the_blake3_crate() {
    let data: Vec<u8> = (0..(6u32 << 20) + 4099)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let mib = 1usize << 20;
    let lengths = [
        0,
        1025,
        mib - 1,
        mib,
        mib + 1,
        2 * mib + 1023,
        3 * mib + 5,
        4 * mib,
        4 * mib + 1024,
        5 * mib + 17,
        data.len(),
    ];
    for prefix in [&[][..], &[7u8][..], &[251, 0, 0, 0, 64, 0, 0, 0, 9][..]] {
        for len in lengths {
            let body = &data[..len];
            let mut whole = prefix.to_vec();
            whole.extend_from_slice(body);
            let expected = blake3::hash(&whole).to_hex().to_string();
            assert_eq!(
                tmrepl_persist::blake3::hash_parallel(prefix, body),
                expected,
                "{} + {len} bytes",
                prefix.len()
            );
            // More threads split the tree deeper than this machine's cores would.
            for threads in [1, 3, 4, 7] {
                assert_eq!(
                    tmrepl_persist::blake3::hash_on_threads(prefix, body, threads),
                    expected,
                    "{} + {len} bytes on {threads} threads",
                    prefix.len()
                );
            }
        }
    }
}
