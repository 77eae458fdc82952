//! `&` cells end to end: real forks, real output capture, real notifications.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::Live;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(120);

#[test]
fn jobs_run_beside_the_session_and_end_as_snapshots() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let mut live = Live::start_with(&["--notify", "off", "--data-dir", &data_dir]);
    live.send("let mut counter = 1u64;");
    live.send("& counter += 100; println!(\"printed by the job {counter}\");");
    live.expect("job 2 finished", LONG);
    live.send("counter");
    // The job changed its own copy: the foreground value is untouched.
    live.expect("Out[3]: 1", LONG);
    live.send(":log 2");
    live.expect("printed by the job 101", LONG);
    let printed = live
        .seen
        .iter()
        .filter(|l| l.starts_with("printed by the job"))
        .count();
    assert_eq!(
        printed,
        1,
        "job output leaked into the foreground:\n{}",
        live.seen.join("\n")
    );
    live.send(":vars 2");
    live.expect("counter", LONG);

    // Two jobs run side by side: each leaves a mark and waits for the other's, which it
    // sees only if the other started while it still ran (one after the other, the first
    // would give up waiting).
    let marks = tempfile::tempdir().unwrap();
    let job = |me: &str, other: &str| {
        let dir = marks.path().display();
        format!(
            "& std::fs::write(\"{dir}/{me}\", \"\").unwrap(); \
             let saw = (0..600).any(|_| {{ \
                 std::thread::sleep(std::time::Duration::from_millis(50)); \
                 std::path::Path::new(\"{dir}/{other}\").exists() }}); \
             println!(\"job {me} saw the other running: {{saw}}\");"
        )
    };
    live.send(&job("a", "b"));
    live.expect("job 4 started", LONG);
    live.send(&job("b", "a"));
    live.expect("job 5 started", LONG);
    live.send(":jobs");
    live.expect("running", LONG);
    live.expect_all(&["job 4 finished", "job 5 finished"], LONG);
    live.send(":log 4");
    live.expect("job a saw the other running: true", LONG);
    live.send(":log 5");
    live.expect("job b saw the other running: true", LONG);

    live.send("& panic!(\"the job went wrong\");");
    live.expect("job 6 panicked", LONG);
    live.send("& loop { std::hint::spin_loop(); }");
    live.expect("job 7 started", LONG);
    live.send(":kill 7");
    live.expect("job 7 was killed", LONG);
    live.send(":jobs");
    live.expect("killed", LONG);
    live.send(":log 6");
    live.expect("the job went wrong", LONG);

    live.send(":kill 99");
    live.expect(":kill 99: no such job", LONG);
    live.send(":log 3");
    live.expect(":log 3: cell 3 is not a background job", LONG);
    live.send(":kill 2");
    live.expect(":kill 2: job 2 has already ended", LONG);
    live.send(":take 2 nothing_here");
    live.expect(":take 2: job 2 has no variable nothing_here", LONG);
    live.send(":past 7");
    live.expect(":past 7: the job was killed", LONG);

    // :take copies a value out of the finished job into the foreground.
    live.send(":take 2 counter");
    live.expect("took counter from job 2", LONG);
    live.send("counter");
    live.expect("Out[8]: 101", LONG);
    // The job's results are its snapshot.
    live.send(":past 2");
    live.expect("restored to cell 2", LONG);
    live.send("counter + 1");
    live.expect("Out[9]: 102", LONG);
    live.send("& std::thread::sleep(std::time::Duration::from_secs(60));");
    live.expect("job 10 started", LONG);
    let status = live.finish();
    assert!(status.success());
    assert!(
        live.seen.iter().any(|l| l.contains("stopped job 10")),
        "{}",
        live.seen.join("\n")
    );
}

#[test]
fn without_a_session_bus_the_notice_goes_to_the_terminal() {
    let mut live = Live::start_env(
        &["--notify", "desktop", "--notify-after", "0"],
        &[
            ("DBUS_SESSION_BUS_ADDRESS", None),
            ("XDG_RUNTIME_DIR", Some("/nonexistent")),
        ],
    );
    live.send("& let quiet = 1;");
    let line = live.expect("(no desktop notification", LONG);
    assert!(line.contains('\u{7}'), "no bell in {line:?}");
    assert!(live.finish().success());
    // The job's end is told once.
    let told = live
        .seen
        .iter()
        .filter(|l| l.contains("job 1 finished"))
        .count();
    assert_eq!(told, 1, "{}", live.seen.join("\n"));
}

struct Bus {
    daemon: Child,
    recorder: Child,
    address: String,
    record: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.recorder.kill();
        let _ = self.daemon.kill();
        let _ = self.recorder.wait();
        let _ = self.daemon.wait();
    }
}

/// A private session bus with the recording notification service on it, or why not.
fn private_bus() -> Result<Bus, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("dbus-daemon: {e}"))?;
    let mut address = String::new();
    BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut address)
        .map_err(|e| e.to_string())?;
    let address = address.trim().to_owned();
    let record = dir.path().join("notifications.jsonl");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/notification_recorder.py"
    );
    let mut recorder = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(&record)
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    let mut ready = String::new();
    BufReader::new(recorder.stdout.take().unwrap())
        .read_line(&mut ready)
        .map_err(|e| e.to_string())?;
    if ready.trim() != "ready" {
        let _ = daemon.kill();
        return Err("the recording service did not start (python3-dbus, python3-gi)".into());
    }
    Ok(Bus {
        daemon,
        recorder,
        address,
        record,
        _dir: dir,
    })
}

#[test]
fn a_finished_job_sends_a_desktop_notification() {
    let bus = match private_bus() {
        Ok(bus) => bus,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "skipped: no D-Bus test bus here ({why}); .ci/run installs dbus, python3-dbus and python3-gi"
            );
            return;
        }
        Err(why) => panic!("CI must have a D-Bus test bus: {why}"),
    };
    let mut live = Live::start_env(
        &["--notify", "desktop", "--notify-after", "1"],
        &[("DBUS_SESSION_BUS_ADDRESS", Some(bus.address.as_str()))],
    );
    live.send("& let quick = 1;");
    live.expect("job 1 finished", LONG);
    live.send("& std::thread::sleep(std::time::Duration::from_millis(1500)); let slow = 2;");
    live.expect("job 2 finished", LONG);
    live.send(":jobs");
    live.expect("finished", Duration::from_secs(5));
    let deadline = Instant::now() + Duration::from_secs(10);
    let record = loop {
        let text = std::fs::read_to_string(&bus.record).unwrap_or_default();
        if !text.is_empty() || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(live.finish().success());
    let lines: Vec<&str> = record.lines().collect();
    // The quick job stayed under --notify-after; the slow one was announced.
    assert_eq!(lines.len(), 1, "{record}");
    assert!(lines[0].contains("\"app\": \"tmrepl\""), "{record}");
    assert!(lines[0].contains("tmrepl: job 2 finished"), "{record}");
    assert!(lines[0].contains("std::thread::sleep"), "{record}");
    assert!(
        !live
            .seen
            .iter()
            .any(|l| l.contains("no desktop notification"))
    );
}
