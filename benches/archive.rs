//! The durable archive's costs, printed as a table (not a timed test).
//! Run: cargo bench --bench archive
//! (TMREPL_BENCH_DIR=/dev/shm cargo bench --bench archive: the same without a disk)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

#[path = "support/driver.rs"]
mod driver;

use driver::Driver;
use std::time::{Duration, Instant};
use tmrepl::archive::Store;
use tmrepl::session::Settings;

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    tmrepl::runtime::dispatch_runtime_mode();
    evcxr::runtime_hook();
    // TMREPL_BENCH_DIR=/dev/shm measures the pipeline without a disk under it.
    let data = match std::env::var_os("TMREPL_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    println!("archive in {}", data.path().display());

    // The limit: hashing and writing changed bytes, with fsync, in the store itself.
    let store = Store::open(&data.path().join("raw")).unwrap();
    let bytes: Vec<u8> = (0..256u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let t = Instant::now();
    store.put(&bytes).unwrap();
    let raw = t.elapsed().as_secs_f64();
    println!(
        "store.put of 256 MiB (blake3 + write + fsync + rename): {:.0} MB/s",
        268.4 / raw
    );

    let mut d = Driver::new(Settings::default(), Some(data.path()), false);
    d.run("let warm = 1u8;");
    d.settle();

    // The critical path: cells back to back in a saved session (values wait for quiet).
    let t = Instant::now();
    for k in 0..10 {
        d.run(&format!("let small_{k} = vec![{k}u64; 1000];"));
    }
    let burst = t.elapsed() / 10;
    let before = d.persisted.len();
    d.settle();
    let compiles: Vec<f64> = d.persisted[before..]
        .iter()
        .filter(|s| s.compile > Duration::ZERO)
        .map(|s| seconds(s.compile))
        .collect();
    println!(
        "10 cells back to back: {:.0} ms per cell; then in idle time {} save(s), compiling the save code {:?} s (the longest a cell typed meanwhile waits)",
        burst.as_secs_f64() * 1e3,
        compiles.len(),
        compiles
            .iter()
            .map(|c| format!("{c:.2}"))
            .collect::<Vec<_>>()
    );

    for (label, cell, bytes) in [
        (
            "256 MiB Vec<u8> (raw path)",
            "let mut state: Vec<u8> = (0..(256u64 << 20)).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();",
            256u64 << 20,
        ),
        (
            "32 Mi-element Vec<u64> (serde path, 8 bytes per element in memory)",
            "let wide: Vec<u64> = (0..(32u64 << 20)).map(|i| i.wrapping_mul(2654435761)).collect();",
            256u64 << 20,
        ),
    ] {
        d.run(cell);
        d.settle();
        let s = d.persisted.last().cloned().unwrap_or_default();
        let serialize = s.elapsed.saturating_sub(s.compile + s.store);
        println!(
            "persist {label}: {} written; save job {:.2} s, store {:.2} s, compile {:.2} s: {:.0} MB/s of changed data end to end after the compile ({:.0} MB/s in the job)",
            tmrepl::session::human_bytes(s.bytes_written),
            seconds(serialize),
            seconds(s.store),
            seconds(s.compile),
            bytes as f64 / 1e6 / seconds(s.elapsed - s.compile),
            bytes as f64 / 1e6 / seconds(serialize),
        );
    }
    let before = d.persisted.len();
    for k in 0..5 {
        d.run(&format!("let other_{k} = {k};"));
        d.settle();
    }
    let unchanged: u64 = d.persisted[before..]
        .iter()
        .map(|s| s.bytes_written)
        .filter(|b| *b > 1024)
        .sum();
    println!("5 cells that leave the large values alone: {unchanged} bytes of them written again");
    d.run("state.truncate(0); state.extend((0..(1u64 << 30)).map(|i| i as u8));");
    d.settle();
    let big = d.persisted.last().cloned().unwrap_or_default();
    println!(
        "persist 1 GiB changed Vec<u8>: {} in {:.2} s after a {:.2} s compile ({:.0} MB/s)",
        tmrepl::session::human_bytes(big.bytes_written),
        seconds(big.elapsed - big.compile),
        seconds(big.compile),
        (1u64 << 30) as f64 / 1e6 / seconds(big.elapsed - big.compile),
    );
    // A cell that mentions the value only to read it: it may have changed it, so it is
    // hashed again in the save job, found in the store, and not written.
    d.run("state.len()");
    d.settle();
    let read = d.persisted.last().cloned().unwrap_or_default();
    println!(
        "a cell that reads the 1 GiB value: {} value(s) found unchanged, {} written, {:.2} s after a {:.2} s compile",
        read.unchanged,
        tmrepl::session::human_bytes(read.bytes_written),
        seconds(read.elapsed - read.compile),
        seconds(read.compile),
    );
    d.app.shutdown();

    let t = Instant::now();
    let r = Driver::new(Settings::default(), Some(data.path()), true);
    assert!(r.resumed.is_some());
    println!(
        "resume with 1 GiB + 256 MiB of values (new process: evcxr start, deps, decode): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    r.app.shutdown();
}
