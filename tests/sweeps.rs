//! `&[n in …]` sweeps end to end: eight jobs under a job limit of two, each recording its
//! start and end in a file, so the limit is checked from what the jobs did, not from time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on what it sets up

mod common;

use common::Live;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(300);

#[test]
fn a_sweep_runs_one_job_per_value_within_the_job_limit() {
    let data = tempfile::tempdir().unwrap();
    let record = data.path().join("record");
    let mut live = Live::start_with(&[
        "--jobs",
        "2",
        "--notify",
        "terminal",
        "--notify-after",
        "0",
        "--data-dir",
        &data.path().display().to_string(),
    ]);
    live.send(&format!(
        "&[n in 1..=8] {{ use std::io::Write; let mut f = std::fs::OpenOptions::new().create(true).append(true).open({:?}).unwrap(); f.write_all(format!(\"start {{n}}\\n\").as_bytes()).unwrap(); std::thread::sleep(std::time::Duration::from_millis(300)); f.write_all(format!(\"end {{n}}\\n\").as_bytes()).unwrap(); }} let r = n * n;",
        record.display()
    ));
    live.expect("sweep 1 ended after", LONG);
    let told = live.seen.last().unwrap().clone();
    assert!(told.contains("8 jobs, 8 ok, 0 failed"), "{told}");
    // The notice for the terminal: line mode rings the bell on stderr (the text is the
    // notice), which reaches the test through another pipe, before or after the notice.
    live.expect_all(&["\u{7}"], LONG);

    // At most two ran at once, as the jobs themselves saw it.
    let events = std::fs::read_to_string(&record).unwrap();
    let mut running = 0;
    let mut most = 0;
    for line in events.lines() {
        if line.starts_with("start") {
            running += 1;
        } else {
            running -= 1;
        }
        most = most.max(running);
    }
    assert_eq!(events.lines().count(), 16, "{events}");
    assert!(most <= 2, "{most} jobs ran at once:\n{events}");

    live.send(":sweep 4");
    live.expect(":take JOB brings", LONG);
    let table: Vec<Vec<String>> = live
        .seen
        .iter()
        .skip_while(|l| !l.starts_with("sweep 1 ("))
        .skip(2)
        .take(8)
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    assert_eq!(table.len(), 8, "{}", live.seen.join("\n"));
    for (i, row) in table.iter().enumerate() {
        let n = i as i32 + 1;
        // job, n, state, time (two words), r
        assert_eq!(row[0], n.to_string(), "{row:?}");
        assert_eq!(row[1], n.to_string(), "{row:?}");
        assert_eq!(row[2], "finished", "{row:?}");
        assert_eq!(row.last().unwrap(), &(n * n).to_string(), "{row:?}");
    }
    // One job's state comes into the present.
    live.send(":take 5 r");
    live.expect("took r from job 5", LONG);
    live.send("r + 1");
    live.expect("Out[9]: 26", LONG);
    assert!(live.finish().success());
    // One notice for the sweep, none per job.
    let bells = live.seen.iter().filter(|l| l.contains('\u{7}')).count();
    assert_eq!(bells, 1, "{}", live.seen.join("\n"));
}
