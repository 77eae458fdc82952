//! Sessions travel: a session saved in one data folder, exported to one file, imported
//! into a second data folder (as another machine would) and resumed with every value back;
//! damaged and truncated files refused with nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{run_command_with_script, tmrepl};
use std::path::Path;
use std::process::Command;

fn with_data(data: &Path, args: &[&str]) -> Command {
    let mut command = tmrepl();
    command.arg("--data-dir").arg(data).args(args);
    command
}

/// `tmrepl --data-dir DATA sessions ARGS…`: exit code, stdout, stderr.
fn sessions(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = with_data(data, &["sessions"]).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_session_moves_to_another_data_folder_as_one_file() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let t = run_command_with_script(
        with_data(first.path(), &["--session", "lab"]),
        "struct Acc { n: Vec<u32> }\n\
         let acc = Acc { n: vec![1, 2] };\n\
         let rc = std::rc::Rc::new(5);\n\
         let plain = vec![1u8, 2, 3]; let label = String::from(\"from the lab\");\n\
         :save\n",
    );
    assert!(t.success, "{}", t.all());
    let file = first.path().join("lab.tmrepl");
    let file_arg = file.to_str().unwrap();
    let (code, out, err) = sessions(first.path(), &["export", "lab", file_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "exported session lab to {file_arg}: 4 cells, 2 values"
        )),
        "{out}"
    );
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains(&first.path().display().to_string()),
        "an absolute path in the export"
    );

    // Damaged files are refused, each with one line saying what is wrong, and nothing is
    // written: the second data folder stays empty.
    let damaged = first.path().join("damaged.tmrepl");
    let damaged_arg = damaged.to_str().unwrap();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let mut newer = bytes.clone();
    newer[14] = 9;
    for (bad, says) in [
        (
            &bytes[..bytes.len() - 7],
            "ends early, in the end (truncated?)",
        ),
        (&flipped[..], "hash"),
        (
            &newer[..],
            "export format 9 is newer than this tmrepl reads (format 1)",
        ),
    ] {
        std::fs::write(&damaged, bad).unwrap();
        let (code, out, err) = sessions(second.path(), &["import", damaged_arg]);
        assert_eq!(code, 2, "{out}{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("tmrepl: {damaged_arg}: ")),
            "{err}"
        );
        assert!(
            err.contains(says) && err.contains("nothing was imported"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_dir(second.path()).unwrap().count(),
            0,
            "{err}"
        );
    }

    let (code, out, err) = sessions(second.path(), &["import", file_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("imported session lab from "), "{out}");
    assert!(out.contains("(resuming runs its cells' code)"), "{out}");
    let (code, _, err) = sessions(second.path(), &["import", file_arg]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a saved session named lab exists already"),
        "{err}"
    );

    // Resumed on the "other machine": the stored values from disk, the others by replay.
    let t = run_command_with_script(
        with_data(second.path(), &["--resume", "lab"]),
        "(acc.n.clone(), *rc, plain.clone(), label.clone())\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(all.contains("resumed lab at cell 4"), "{all}");
    assert!(all.contains("rebuilt by replaying cells: acc, rc"), "{all}");
    assert_eq!(
        t.out(5),
        Some("([1, 2], 5, [1, 2, 3], \"from the lab\")"),
        "{all}"
    );

    // A third session, running beside the saved one: looks into lab's cell 4 and takes
    // from it without switching to it or taking its lock, then goes back to before the
    // take. Bad input changes nothing.
    // Held here all along: looking and taking need no lock of lab's.
    let lab_lock =
        tmrepl::archive::SessionLock::take(&second.path().join("sessions/lab"), "lab").unwrap();
    let t = run_command_with_script(
        with_data(second.path(), &["--session", "third", "--notify", "off"]),
        "let mine = 1;\n\
         :vars lab@4\n\
         :vars lab@4 label\n\
         :vars nosuch@3\n\
         :take lab@999 x\n\
         :take lab@3 nosuchvar\n\
         :take lab@4 acc rc plain label\n\
         (acc.n.clone(), *rc, plain.clone(), label.clone(), mine)\n\
         :vars\n\
         :past 1\n\
         mine + 1\n\
         acc.n.len()\n\
         struct Acc { n: u64 }\n\
         :take lab@4 acc\n\
         & let from_job = 40 + 2;\n\
         std::thread::sleep(std::time::Duration::from_secs(1));\n\
         :take 7\n\
         from_job\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    let line = |start: &str| {
        t.stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?}:\n{all}"))
    };
    assert!(
        line("saved session lab as of its cell 4").contains(":take lab@4 VAR"),
        "{all}"
    );
    assert!(line("acc ").contains("by replaying cell 2"), "{all}");
    assert!(
        line("plain ").contains("[1, 2, 3]") && line("plain ").ends_with("from disk"),
        "{all}"
    );
    assert!(line("rc ").contains("by replaying cell 3"), "{all}");
    assert!(line("label: ").contains("from disk"), "{all}");
    assert!(all.contains("\"from the lab\""), "{all}");
    for error in [
        "error: :vars nosuch@3: no saved session named nosuch",
        "error: :take lab@999: lab has no saved cell 999",
        "error: :take lab@3: lab has no variable nosuchvar after cell 3",
    ] {
        assert_eq!(
            t.stderr.lines().filter(|l| *l == error).count(),
            1,
            "{error}:\n{all}"
        );
    }
    assert!(
        all.contains(
            "taking acc, label, plain, rc from cell 4 of lab as cell 2 (:past 1 undoes it)"
        ),
        "{all}"
    );
    assert_eq!(
        t.out(3),
        Some("([1, 2], 5, [1, 2, 3], \"from the lab\", 1)"),
        "{all}"
    );
    // Before the take, its variables are gone again; what was here stays.
    assert!(all.contains("restored to cell 1"), "{all}");
    assert_eq!(t.out(4), Some("2"), "{all}");
    assert!(t.stderr.contains("cannot find value `acc`"), "{all}");
    // A definition of lab's that differs from one here refuses the take, naming both.
    assert!(
        t.stderr.lines().any(|l| l
            == "error: :take lab@4: lab's `struct Acc { n: Vec<u32> }` (its cell 1) conflicts \
                with `struct Acc { n: u64 }` here (cell 6); rename one, or take only values \
                that do not need it"),
        "{all}"
    );
    // A job's cell, as before (once it has ended): none named takes every variable.
    assert!(all.contains("took from_job, mine from job 7"), "{all}");
    assert_eq!(t.out(9), Some("42"), "{all}");
    drop(lab_lock);

    // The session that took from lab travels too: its take names lab's objects by hash
    // (copied into it), not by a path of this machine; resumed where lab is not, the
    // values the take rebuilt by replay come back by replaying the take.
    let take = std::fs::read_to_string(second.path().join("sessions/third/cells/2.json")).unwrap();
    assert!(take.contains("$TMREPL_OBJECTS/"), "{take}");
    assert!(
        !take.contains(&second.path().display().to_string()),
        "{take}"
    );
    let third_file = second.path().join("third.tmrepl");
    let third_arg = third_file.to_str().unwrap();
    assert_eq!(
        sessions(second.path(), &["export", "third", third_arg]).0,
        0
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, out, err) = sessions(elsewhere.path(), &["import", third_arg]);
    assert_eq!(code, 0, "{out}{err}");
    let t = run_command_with_script(
        with_data(elsewhere.path(), &["--resume", "third", "--cell", "3"]),
        "(acc.n.clone(), *rc, plain.clone(), label.clone(), mine)\n",
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(all.contains("rebuilt by replaying cells: acc, rc"), "{all}");
    assert_eq!(
        t.out(10),
        Some("([1, 2], 5, [1, 2, 3], \"from the lab\", 1)"),
        "{all}"
    );
    // lab was only read: not locked, not written.
    let lab_cells = std::fs::read_dir(second.path().join("sessions/lab/cells"))
        .unwrap()
        .count();
    assert_eq!(lab_cells, 5, "{all}");
}
