//! Unit tests of the pure session core: no evcxr, no processes.

use super::*;

fn session() -> Session {
    Session::new(Settings {
        snapshot_budget: 1000,
        ..Settings::default()
    })
}

/// Cell `cell` typed as `source` ran to the end, leaving `vars`.
fn ran(s: &mut Session, cell: u32, source: &str, vars: Vec<VarInfo>) {
    s.submit(source);
    finish(s, cell, CellStatus::Ok, vars);
}

/// A session whose cells 1 to `count` ran `code(n)` and ended well.
fn after_cells(count: u32, code: impl Fn(u32) -> String) -> Session {
    let mut s = session();
    for n in 1..=count {
        s.submit(&code(n));
        finish(&mut s, n, CellStatus::Ok, vec![]);
    }
    s
}

/// A session whose archive NAME is open (as `--session NAME` leaves it).
fn saved_session(name: &str) -> Session {
    let mut s = session();
    s.handle(EngineEvent::ArchiveOpened {
        name: name.into(),
        result: Ok(format!("/data/sessions/{name}")),
    });
    s
}

fn var(name: &str, type_name: &str) -> VarInfo {
    VarInfo {
        name: name.into(),
        type_name: type_name.into(),
    }
}

pub(super) fn finish(
    s: &mut Session,
    cell: u32,
    status: CellStatus,
    vars: Vec<VarInfo>,
) -> Vec<Effect> {
    let saved = s.is_snapshotting();
    let snapshot = (saved && status.has_state()).then_some(TakenSnapshot {
        fork_micros: 100,
        degraded: None,
    });
    s.handle(EngineEvent::CellFinished(CellOutcome {
        cell,
        status,
        value: None,
        error_text: None,
        duration: Duration::from_millis(5),
        vars,
        snapshot,
        restored_to: None,
    }))
}

pub(super) fn notices(effects: &[Effect]) -> Vec<&Notice> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Show(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn every_code_cell_takes_a_number_commands_do_not() {
    let mut s = session();
    assert_eq!(
        s.submit("let x = 1;"),
        vec![Effect::Engine(Request::Eval {
            cell: 1,
            prelude: vec![],
            code: "let x = 1;".into(),
            snapshot: true,
            background: false
        })]
    );
    finish(&mut s, 1, CellStatus::Ok, vec![var("x", "i32")]);
    s.submit("let y: i32 = \"no\";");
    finish(&mut s, 2, CellStatus::CompileError, vec![var("x", "i32")]);
    assert!(matches!(s.submit(":cells")[0], Effect::Show(_)));
    assert!(matches!(
        s.submit(":frobnicate")[0],
        Effect::Show(Notice {
            kind: NoticeKind::Error,
            ..
        })
    ));
    assert!(matches!(
        s.submit("x")[0],
        Effect::Engine(Request::Eval { cell: 3, .. })
    ));
    // A compile error leaves the state where it was.
    assert_eq!(s.timeline().get(3).unwrap().parent, 1);
    assert!(s.submit("   ").is_empty());
}

#[test]
fn leading_evcxr_commands_and_shell_lines_are_one_cell_with_the_code() {
    use crate::commands::EvcxrCommand;
    let mut s = session();
    let text =
        ":dep base64 = \"0.10.1\"\n// a comment\n!echo hi\nbase64::encode(&vec![1, 2, 3, 4])";
    assert_eq!(
        s.submit(text),
        vec![Effect::Engine(Request::Eval {
            cell: 1,
            prelude: vec![
                Prelude::Evcxr(EvcxrCommand::Dep {
                    spec: "base64 = \"0.10.1\"".into()
                }),
                Prelude::Shell("echo hi".into()),
            ],
            code: "base64::encode(&vec![1, 2, 3, 4])".into(),
            snapshot: true,
            background: false
        })]
    );
    assert_eq!(s.timeline().get(1).unwrap().source, text);
    finish(&mut s, 1, CellStatus::Ok, vec![]);
    // Commands alone, several of them, are a cell too; one alone stays a command.
    assert!(matches!(
        &s.submit(":dep a = \"1\"\n:dep b = { version = \"2\" }")[..],
        [Effect::Engine(Request::Eval { cell: 2, prelude, code, .. })]
            if prelude.len() == 2 && code.is_empty()
    ));
    finish(&mut s, 2, CellStatus::Ok, vec![]);
    assert!(matches!(
        &s.submit(":dep c = \"3\"")[..],
        [Effect::Engine(Request::Evcxr(EvcxrCommand::Dep { .. }))]
    ));
    // tmrepl's own commands act on the session: they cannot lead a cell, and nothing
    // changes.
    let effects = s.submit(":vars\nlet x = 1;");
    let refused = notices(&effects);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].kind, NoticeKind::Error);
    assert!(refused[0].text.contains("alone"), "{}", refused[0].text);
    let effects = s.submit(":nosuch\nlet x = 1;");
    let unknown = notices(&effects);
    assert_eq!(unknown[0].kind, NoticeKind::Error);
    assert_eq!(s.next_cell(), 3);
}

#[test]
fn no_input_while_a_cell_runs() {
    let mut s = session();
    s.submit("loop {}");
    let effects = s.submit("1");
    assert_eq!(notices(&effects)[0].text, "a cell is still running");
    assert_eq!(s.next_cell(), 2);
}

#[test]
fn a_command_from_a_key_is_refused_like_a_typed_one_while_a_cell_runs() {
    let mut s = session();
    ran(&mut s, 1, "let a = 1;", vec![var("a", "i32")]);
    assert_eq!(
        s.submit_command(Command::Log(1)),
        s.submit(":log 1"),
        "typed and built commands must do the same"
    );
    s.submit("loop {}");
    let effects = s.submit_command(Command::Past(1));
    assert_eq!(notices(&effects)[0].text, "a cell is still running");
    assert_eq!(effects.len(), 1);
}

#[test]
fn past_checks_the_cell_and_carries_dontsave() {
    let mut s = session();
    ran(&mut s, 1, "let a = 1;", vec![var("a", "i32")]);
    s.submit("let b: i32 = \"x\";");
    finish(&mut s, 2, CellStatus::CompileError, vec![]);
    s.submit(":dontsave a");
    assert_eq!(
        s.submit(":past 1"),
        vec![Effect::Engine(Request::Restore {
            cell: 1,
            forget: vec!["a".into()]
        })]
    );
    let err = |e: Vec<Effect>| notices(&e)[0].text.clone();
    assert_eq!(
        err(s.submit(":past 2")),
        ":past 2: the cell failed to compile, so it has no state"
    );
    assert_eq!(
        err(s.submit(":past 9")),
        ":past 9: no such cell (cells are 1 to 2)"
    );
}

#[test]
fn restoring_moves_current_and_new_cells_branch() {
    let mut s = after_cells(3, |n| format!("let v{n} = {n};"));
    s.handle(EngineEvent::Restored {
        cell: 1,
        elapsed: Duration::from_millis(3),
        vars: vec![var("v1", "i32")],
    });
    assert_eq!(s.current(), 1);
    assert!(matches!(
        s.submit("v1")[0],
        Effect::Engine(Request::Eval { cell: 4, .. })
    ));
    assert_eq!(s.timeline().get(4).unwrap().parent, 1);
    finish(&mut s, 4, CellStatus::Ok, vec![var("v1", "i32")]);
    assert!(s.cells_table().contains("(from 1)"));
}

/// Cell 2 crashed and the worker went back to cell 1's snapshot, which holds `keep`.
fn crashed_back_to_1(s: &mut Session, why: &str) -> Vec<Effect> {
    s.handle(EngineEvent::CellFinished(CellOutcome {
        cell: 2,
        status: CellStatus::Crashed(why.into()),
        value: None,
        error_text: None,
        duration: Duration::from_millis(5),
        vars: vec![var("keep", "i32")],
        snapshot: None,
        restored_to: Some(1),
    }))
}

#[test]
fn a_crash_returns_to_the_restored_snapshot() {
    let mut s = session();
    ran(&mut s, 1, "let keep = 1;", vec![var("keep", "i32")]);
    s.submit("std::process::exit(3);");
    let effects = crashed_back_to_1(&mut s, "the process exited with status 3");
    assert_eq!(s.current(), 1);
    assert_eq!(
        notices(&effects)[0].text,
        "cell 2 crashed: the process exited with status 3; the session is back at cell 1; earlier variables are intact"
    );
    assert_eq!(s.timeline().get(2).unwrap().snapshot, SnapshotState::None);
    assert!(s.vars_table(None).unwrap().contains("keep"));
}

#[test]
fn snapshots_off_takes_none_and_unhook_drops_them() {
    let mut s = session();
    s.submit(":snapshots off");
    assert!(matches!(
        s.submit("1")[0],
        Effect::Engine(Request::Eval {
            snapshot: false,
            ..
        })
    ));
    finish(&mut s, 1, CellStatus::Ok, vec![]);
    s.submit(":snapshots on");
    ran(&mut s, 2, "2", vec![]);
    let effects = s.submit(":unhook");
    assert!(effects.contains(&Effect::Engine(Request::DropSnapshots { cells: vec![2] })));
    assert!(matches!(
        s.submit("3")[0],
        Effect::Engine(Request::Eval {
            snapshot: false,
            ..
        })
    ));
    assert_eq!(
        notices(&s.submit(":snapshots on"))[0].kind,
        NoticeKind::Error,
        "unhook is for the whole session"
    );
}

#[test]
fn measurements_over_budget_evict_and_mark_cells() {
    let mut s = after_cells(6, |n| format!("{n}"));
    let effects = s.handle(EngineEvent::Measured {
        snapshots: (1..=6).map(|n| (n, 300)).collect(),
        worker_bytes: 0,
    });
    let Some(Effect::Engine(Request::DropSnapshots { cells })) = effects
        .iter()
        .find(|e| matches!(e, Effect::Engine(Request::DropSnapshots { .. })))
    else {
        panic!("no eviction: {effects:?}");
    };
    assert_eq!(
        cells.len(),
        3,
        "1800 bytes over a 1000 budget needs three of six gone"
    );
    assert!(!cells.contains(&6), "the current cell stays");
    for n in cells {
        assert_eq!(
            s.timeline().get(*n).unwrap().snapshot,
            SnapshotState::Evicted
        );
        let text = notices(&s.submit(&format!(":past {n}")))[0].text.clone();
        assert!(text.contains("evicted"), "{text}");
    }
    assert!(s.cells_table().contains("evicted"));
}

#[test]
fn clear_past_drops_all_but_current_or_a_range() {
    let mut s = after_cells(4, |n| format!("{n}"));
    assert_eq!(
        s.submit(":clear_past 2..3"),
        vec![Effect::Engine(Request::DropSnapshots { cells: vec![2, 3] })]
    );
    assert_eq!(
        s.submit(":clear_past"),
        vec![Effect::Engine(Request::DropSnapshots { cells: vec![1] })]
    );
    assert_eq!(
        notices(&s.submit(":clear_past"))[0].text,
        "no snapshots to clear"
    );
}

#[test]
fn vars_report_type_and_last_touching_cell() {
    let mut s = session();
    ran(
        &mut s,
        1,
        "let mut v = vec![1];",
        vec![var("v", "Vec<i32>")],
    );
    ran(
        &mut s,
        2,
        "let w = 2;",
        vec![var("v", "Vec<i32>"), var("w", "i32")],
    );
    ran(
        &mut s,
        3,
        "v.push(3);",
        vec![var("v", "Vec<i32>"), var("w", "i32")],
    );
    let now = s.vars_table(None).unwrap();
    assert!(
        now.lines()
            .any(|l| l.starts_with("v ") && l.contains("Vec<i32>") && l.ends_with("cell 3")),
        "{now}"
    );
    assert!(
        now.lines()
            .any(|l| l.starts_with("w ") && l.ends_with("cell 2")),
        "{now}"
    );
    let at_1 = s.vars_table(Some(1)).unwrap();
    assert!(at_1.contains("cell 1") && !at_1.contains("w "), "{at_1}");
    assert_eq!(s.vars_table(Some(7)), Err(":vars 7: no such cell".into()));
}

/// The one `Request::Peek` among `effects`, as (ask, cell, names, full).
fn one_peek(effects: &[Effect]) -> (AskId, Option<u32>, Vec<String>, bool) {
    match effects {
        [effect] => peek_of(effect),
        other => panic!("not one peek: {other:?}"),
    }
}

fn peek_of(effect: &Effect) -> (AskId, Option<u32>, Vec<String>, bool) {
    match effect {
        Effect::Engine(Request::Peek {
            ask,
            cell,
            names,
            full,
        }) => (*ask, *cell, names.clone(), *full),
        other => panic!("not a peek: {other:?}"),
    }
}

fn debug(text: &str) -> ValuePreview {
    ValuePreview::Debug {
        text: text.into(),
        cut: false,
    }
}

/// Three cells: `v` pushed to in cell 3, `w` added in cell 2, so that cell 1 differs.
fn three_cells() -> Session {
    let mut s = session();
    ran(
        &mut s,
        1,
        "let mut v = vec![1, 2, 3];",
        vec![var("v", "Vec<i32>"), var("gone", "u8")],
    );
    ran(
        &mut s,
        2,
        "let w = String::new();",
        vec![var("v", "Vec<i32>"), var("gone", "u8"), var("w", "String")],
    );
    ran(
        &mut s,
        3,
        "v.push(4); let gone = 5i64;",
        vec![var("v", "Vec<i32>"), var("gone", "i64"), var("w", "String")],
    );
    s
}

#[test]
fn vars_of_an_old_cell_are_read_from_its_snapshot_and_shown_with_values() {
    let mut s = three_cells();
    let (ask, cell, names, full) = one_peek(&s.submit(":vars 1"));
    assert_eq!(
        (cell, names, full),
        (Some(1), vec!["gone".into(), "v".into()], false)
    );
    let shown = s.handle(EngineEvent::Peeked {
        ask,
        cell: Some(1),
        result: Ok(vec![
            ("gone".into(), ValuePreview::NoDebug("1 bytes".into())),
            (
                "v".into(),
                ValuePreview::Debug {
                    text: "[1, 2, 3".into(),
                    cut: true,
                },
            ),
        ]),
    });
    let table = &notices(&shown)[0].text;
    assert!(table.lines().next().unwrap().ends_with("value"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("v ") && l.ends_with("cell 1       [1, 2, 3…")),
        "{table}"
    );
    assert!(table.contains("<no Debug, 1 bytes>"), "{table}");
    // The current cell's values come from the running worker; one value whole.
    let (ask, cell, names, full) = one_peek(&s.submit(":vars w"));
    assert_eq!((cell, names, full), (None, vec!["w".into()], true));
    let whole = s.handle(EngineEvent::Peeked {
        ask,
        cell: None,
        result: Ok(vec![("w".into(), debug("\"\""))]),
    });
    assert_eq!(notices(&whole)[0].text, "w: String =\n\"\"");
    assert_eq!(
        notices(&s.submit(":vars 1 w"))[0].text,
        ":vars 1: no variable w after cell 1"
    );
    // A failed read says why, under the table.
    let (ask, ..) = one_peek(&s.submit(":vars 2"));
    let failed = s.handle(EngineEvent::Peeked {
        ask,
        cell: Some(2),
        result: Err("the preview code did not compile: E0277".into()),
    });
    let text = &notices(&failed)[0].text;
    assert!(
        text.contains("w ") && text.ends_with("(the preview code did not compile: E0277)"),
        "{text}"
    );
}

#[test]
fn vars_of_a_cell_without_snapshot_say_why_and_ask_nothing() {
    let mut s = three_cells();
    s.submit(":clear_past 1");
    let effects = s.submit(":vars 1");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Engine(_))),
        "{effects:?}"
    );
    let text = &notices(&effects)[0].text;
    assert!(
        text.contains("v ") && text.ends_with("(values not shown: its snapshot was cleared)"),
        "{text}"
    );
    assert_eq!(
        notices(&s.submit(":vars 1 v"))[0].text,
        ":vars 1: its snapshot was cleared"
    );
}

#[test]
fn rewind_preview_shows_values_now_and_then() {
    let mut s = three_cells();
    // Without values (drawn at once): names and types.
    let names = s.rewind_preview(1).unwrap();
    assert!(
        names.contains("~ v: Vec<i32> (value as after cell 1)"),
        "{names}"
    );
    let (id, asked) = s.ask(Question::RewindPreview(1));
    let asked: Vec<_> = asked.iter().map(peek_of).collect();
    let [
        (now_ask, None, now_names, false),
        (then_ask, Some(1), then_names, false),
    ] = asked.as_slice()
    else {
        panic!("{asked:?}");
    };
    assert_eq!(now_names, &["v", "gone", "w"]);
    assert_eq!(then_names, &["v", "gone"]);
    // Answered in the other order than asked: each answer is matched by its id.
    let then = s.handle(EngineEvent::Peeked {
        ask: *then_ask,
        cell: Some(1),
        result: Ok(vec![
            ("v".into(), debug("[1, 2, 3]")),
            ("gone".into(), debug("1")),
        ]),
    });
    assert!(then.is_empty(), "{then:?}");
    let shown = s.handle(EngineEvent::Peeked {
        ask: *now_ask,
        cell: None,
        result: Ok(vec![
            ("v".into(), debug("[1, 2, 3, 4]")),
            ("gone".into(), debug("5")),
            ("w".into(), ValuePreview::TimedOut),
        ]),
    });
    assert_eq!(
        shown,
        vec![Effect::Reply(Reply {
            id,
            question: Question::RewindPreview(1),
            answer: Ok("~ v: [1, 2, 3, 4] → [1, 2, 3]\n\
                        ~ gone: 5 → 1 (i64 → u8)\n\
                        - w: String = <Debug did not finish in time; stopped>"
                .into()),
        })]
    );
}

#[test]
fn overlapping_questions_each_get_their_own_answer() {
    let mut s = three_cells();
    // A front end's question and a typed command, both waiting on the engine at once.
    let (asked, effects) = s.ask(Question::Values {
        at: Some(1),
        name: Some("v".into()),
    });
    let (values_ask, ..) = one_peek(&effects);
    let (typed_ask, ..) = one_peek(&s.submit(":vars 2"));
    let (log_id, log) = s.ask(Question::Log(3));
    assert_eq!(
        log,
        vec![Effect::Reply(Reply {
            id: log_id,
            question: Question::Log(3),
            answer: Err(":log 3: cell 3 is not a background job".into()),
        })],
    );
    let typed = s.handle(EngineEvent::Peeked {
        ask: typed_ask,
        cell: Some(2),
        result: Ok(vec![("w".into(), debug("\"x\""))]),
    });
    assert!(
        matches!(&typed[..], [Effect::Show(n)] if n.text.contains("\"x\"")),
        "the typed command's answer goes to the transcript: {typed:?}"
    );
    let answered = s.handle(EngineEvent::Peeked {
        ask: values_ask,
        cell: Some(1),
        result: Ok(vec![("v".into(), debug("[1, 2, 3]"))]),
    });
    assert_eq!(
        answered,
        vec![Effect::Reply(Reply {
            id: asked,
            question: Question::Values {
                at: Some(1),
                name: Some("v".into())
            },
            answer: Ok("v: Vec<i32> (as of cell 1) =\n[1, 2, 3]".into()),
        })]
    );
    // An answer to nothing asked (or asked twice) is dropped.
    let again = s.handle(EngineEvent::Peeked {
        ask: values_ask,
        cell: Some(1),
        result: Ok(vec![]),
    });
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn explain_past_reads_values_before_the_restore() {
    let mut s = Session::new(Settings {
        explain_past: true,
        ..Settings::default()
    });
    ran(&mut s, 1, "let a = 1;", vec![var("a", "i32")]);
    ran(
        &mut s,
        2,
        "let b = 2;",
        vec![var("a", "i32"), var("b", "i32")],
    );
    let effects = s.submit(":past 1");
    let requests: Vec<&Request> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(r) => Some(r),
            _ => None,
        })
        .collect();
    assert!(
        matches!(requests[0], Request::Peek { cell: None, .. }),
        "{requests:?}"
    );
    assert!(
        matches!(requests[1], Request::Peek { cell: Some(1), .. }),
        "{requests:?}"
    );
    assert!(
        matches!(requests[2], Request::Restore { cell: 1, .. }),
        "{requests:?}"
    );
    let ask = |r: &Request| match r {
        Request::Peek { ask, .. } => *ask,
        other => panic!("not a peek: {other:?}"),
    };
    s.handle(EngineEvent::Peeked {
        ask: ask(requests[0]),
        cell: None,
        result: Ok(vec![("b".into(), debug("2"))]),
    });
    let shown = s.handle(EngineEvent::Peeked {
        ask: ask(requests[1]),
        cell: Some(1),
        result: Ok(vec![]),
    });
    assert_eq!(notices(&shown)[0].text, "- b: i32 = 2");
    // Off by default: :past asks for nothing but the restore.
    let mut plain = three_cells();
    assert!(matches!(
        plain.submit(":past 1")[..],
        [Effect::Engine(Request::Restore { .. })]
    ));
}

fn job_finished(s: &mut Session, cell: u32, end: JobOutcome, secs: u64) -> Vec<Effect> {
    s.handle(EngineEvent::JobFinished {
        cell,
        end,
        duration: Duration::from_secs(secs),
        peak_bytes: 1 << 20,
        degraded: None,
    })
}

fn launched(s: &mut Session, cell: u32) -> Vec<Effect> {
    s.handle(EngineEvent::CellFinished(CellOutcome {
        cell,
        status: CellStatus::Running,
        value: None,
        error_text: None,
        duration: Duration::from_millis(300),
        vars: vec![var("total", "u64")],
        snapshot: None,
        restored_to: None,
    }))
}

/// The engine tells a job's start (with its time) before the launch's outcome, and a quick
/// job's end can overtake both: the job must stay finished, with its variables.
#[test]
fn a_job_that_ends_before_its_start_is_told_stays_finished() {
    let mut s = session();
    ran(&mut s, 1, "let total = 0u64;", vec![var("total", "u64")]);
    s.submit("& total += 1;");
    job_finished(&mut s, 2, JobOutcome::Finished, 0);
    let started = std::time::Instant::now();
    s.handle(EngineEvent::JobStarted {
        cell: 2,
        at: started,
    });
    launched(&mut s, 2);
    let cell = s.timeline().get(2).unwrap();
    assert_eq!(cell.status, CellStatus::Ok);
    assert!(s.active_jobs().is_empty());
    // A job started while another ran is told later, and takes the time it is told.
    s.submit("& 2");
    s.handle(EngineEvent::JobStarted {
        cell: 3,
        at: started,
    });
    assert_eq!(
        s.timeline().get(3).unwrap().job.as_ref().unwrap().started,
        Some(started)
    );
}

#[test]
fn background_cells_leave_the_foreground_alone_and_notify_when_long() {
    let mut s = session();
    ran(&mut s, 1, "let total = 0u64;", vec![var("total", "u64")]);
    let effects = s.submit("  & total += 1;");
    assert_eq!(
        effects,
        vec![Effect::Engine(Request::Eval {
            cell: 2,
            prelude: vec![],
            code: "total += 1;".into(),
            snapshot: true,
            background: true
        })]
    );
    launched(&mut s, 2);
    assert_eq!(s.current(), 1, "a job never moves the foreground");
    assert_eq!(s.active_jobs(), vec![2]);
    assert_eq!(
        s.submit(":kill 2"),
        vec![Effect::Engine(Request::KillJob { cell: 2 })]
    );
    let effects = job_finished(&mut s, 2, JobOutcome::Finished, 9);
    assert!(effects.iter().any(
        |e| matches!(e, Effect::Notify { summary, .. } if summary == "tmrepl: job 2 finished")
    ));
    assert!(s.timeline().get(2).unwrap().snapshot.is_live());
    assert!(s.jobs_table(std::time::Instant::now()).contains("finished"));
    // Short jobs end quietly (default threshold: 5 s).
    s.submit("& 1");
    launched(&mut s, 3);
    let effects = job_finished(&mut s, 3, JobOutcome::Killed, 1);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Notify { .. })));
    assert_eq!(s.timeline().get(3).unwrap().status, CellStatus::Killed);
    assert!(notices(&s.submit(":past 3"))[0].text.contains("killed"));
    assert!(
        notices(&s.submit(":log 1"))[0]
            .text
            .contains("not a background job")
    );
}

#[test]
fn a_job_that_ends_before_its_launch_is_reported_keeps_its_end() {
    let mut s = session();
    s.submit("& let quick = 1;");
    job_finished(&mut s, 1, JobOutcome::Finished, 0);
    launched(&mut s, 1);
    let cell = s.timeline().get(1).unwrap();
    assert_eq!(cell.status, CellStatus::Ok);
    assert_eq!(cell.vars, vec![var("total", "u64")]);
    assert!(s.running().is_none());
    assert!(s.active_jobs().is_empty());
}

/// A saved cell as read back from disk: `ok`, no values, child of the cell before it.
fn manifest(cell: u32, source: &str) -> crate::archive::Manifest {
    crate::archive::Manifest {
        format: crate::archive::FORMAT_VERSION,
        cell,
        parent: cell - 1,
        source: source.into(),
        items: vec![],
        deps: vec![],
        vars: vec![],
        status: crate::archive::SavedStatus::Ok,
        status_detail: None,
        output: String::new(),
        value: None,
        duration_ms: 5,
        saved_at: 0,
        pending: false,
        job: false,
        access: None,
    }
}

fn saved(name: &str, object: Option<&str>) -> crate::archive::SavedVar {
    crate::archive::SavedVar {
        name: name.into(),
        type_name: "Vec<u8>".into(),
        object: object.map(Into::into),
        not_saved: None,
    }
}

/// A variable the archive could not store (no serde).
fn unstored(name: &str) -> crate::archive::SavedVar {
    crate::archive::SavedVar {
        not_saved: Some(NotSaved::Unsaveable("no serde".into())),
        ..saved(name, None)
    }
}

fn persist_plan(effects: &[Effect]) -> &PersistPlan {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Engine(Request::Persist(plan)) => Some(plan),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no persist: {effects:?}"))
}

fn persisted(s: &mut Session, cell: u32, record: bool, vars: Vec<crate::archive::SavedVar>) {
    s.handle(EngineEvent::Persisted {
        cell,
        record,
        result: Ok(PersistSummary {
            vars,
            ..PersistSummary::default()
        }),
    });
}

#[test]
fn cells_are_recorded_at_once_and_their_changed_values_saved_in_idle_time() {
    let mut s = saved_session("lab");
    s.submit("let big = vec![0u8; 10];");
    let effects = finish(&mut s, 1, CellStatus::Ok, vec![var("big", "Vec<u8>")]);
    // The record: source and output now, the value marked as still to come.
    let record = persist_plan(&effects);
    assert!(record.manifest.pending && record.save.is_empty());
    assert_eq!(record.manifest.source, "let big = vec![0u8; 10];");
    assert_eq!(
        record.reuse[0].not_saved,
        Some(NotSaved::Pending),
        "{record:?}"
    );
    persisted(&mut s, 1, true, Vec::new());
    assert!(s.saves_pending());

    // Idle time: the value is read from the cell's own snapshot.
    let effects = s.idle();
    let plan = persist_plan(&effects);
    assert_eq!(plan.from, Some(1));
    assert!(!plan.manifest.pending);
    assert_eq!(plan.save, vec![var("big", "Vec<u8>")]);
    assert!(s.idle().is_empty(), "one save at a time");
    persisted(&mut s, 1, false, vec![saved("big", Some("aa"))]);
    assert!(!s.saves_pending());

    // Two cells before the next quiet moment: the newest is saved first.
    s.submit("fn f() {} let k = 1;");
    let effects = finish(
        &mut s,
        2,
        CellStatus::Ok,
        vec![var("big", "Vec<u8>"), var("k", "i32")],
    );
    assert_eq!(
        persist_plan(&effects).manifest.items,
        vec!["fn f() {}".to_owned()]
    );
    ran(
        &mut s,
        3,
        "let other = 2;",
        vec![var("big", "Vec<u8>"), var("k", "i32"), var("other", "i32")],
    );
    let effects = s.idle();
    let plan = persist_plan(&effects);
    assert_eq!(plan.manifest.cell, 3);
    // `big` is untouched since cell 1: its object is reused, not serialized again.
    assert_eq!(plan.reuse, vec![saved("big", Some("aa"))]);
    assert_eq!(
        plan.save
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        vec!["k", "other"]
    );
    let k = crate::archive::SavedVar {
        type_name: "i32".into(),
        ..saved("k", Some("bb"))
    };
    let other = crate::archive::SavedVar {
        type_name: "i32".into(),
        ..saved("other", Some("cc"))
    };
    persisted(
        &mut s,
        3,
        false,
        vec![saved("big", Some("aa")), k.clone(), other],
    );
    // Cell 2 holds the same `k` as cell 3 (nothing touched it since): nothing to serialize.
    let effects = s.idle();
    let plan = persist_plan(&effects);
    assert_eq!(plan.manifest.cell, 2);
    assert!(plan.save.is_empty(), "{plan:?}");
    assert!(plan.reuse.contains(&k));
    persisted(&mut s, 2, false, vec![saved("big", Some("aa")), k]);
    assert!(!s.saves_pending());

    assert!(s.cells_table().contains("disk"));
    let vars = s.vars_table(Some(2)).unwrap();
    assert!(
        vars.lines()
            .any(|l| l.starts_with("big ") && l.ends_with("(on disk)")),
        "{vars}"
    );
    // :clear_past drops the older cells' saved values too.
    let effects = s.submit(":clear_past");
    assert!(
        effects.contains(&Effect::Engine(Request::ForgetSaved { cells: vec![1, 2] })),
        "{effects:?}"
    );
}

#[test]
fn save_waits_for_every_unsaved_cell_and_lost_snapshots_are_named() {
    let mut s = saved_session("lab");
    ran(&mut s, 1, "let a = 1;", vec![var("a", "i32")]);
    ran(
        &mut s,
        2,
        "let a = 2; let b = 2;",
        vec![var("a", "i32"), var("b", "i32")],
    );
    // Cell 1's snapshot goes before it could be saved.
    s.timeline.get_mut(1).unwrap().snapshot = SnapshotState::Cleared;

    let effects = s.submit(":save");
    assert!(s.is_flushing(), "the front end waits for :save");
    let plan = persist_plan(&effects);
    assert_eq!(plan.manifest.cell, 2);
    let i32_var = |name, object| crate::archive::SavedVar {
        type_name: "i32".into(),
        ..saved(name, Some(object))
    };
    // A record written meanwhile does not move saving on.
    let effects = s.handle(EngineEvent::Persisted {
        cell: 2,
        record: true,
        result: Ok(PersistSummary::default()),
    });
    assert!(effects.is_empty(), "{effects:?}");
    let effects = s.handle(EngineEvent::Persisted {
        cell: 2,
        record: false,
        result: Ok(PersistSummary {
            vars: vec![i32_var("a", "aa"), i32_var("b", "bb")],
            bytes_written: 10,
            ..PersistSummary::default()
        }),
    });
    // Cell 1's `a` was changed by cell 2, and its snapshot is gone: named, not guessed.
    let plan = persist_plan(&effects);
    assert_eq!(plan.manifest.cell, 1);
    assert!(plan.save.is_empty());
    assert_eq!(plan.reuse[0].not_saved, Some(NotSaved::SnapshotGone));
    assert!(s.is_flushing());
    let effects = s.handle(EngineEvent::Persisted {
        cell: 1,
        record: false,
        result: Ok(PersistSummary::default()),
    });
    assert!(!s.is_flushing() && !s.saves_pending());
    assert!(
        notices(&effects)[0]
            .text
            .starts_with("saved session lab: 2 cells with new values, 10 B written"),
        "{effects:?}"
    );
}

#[test]
fn a_saved_session_is_loaded_into_a_fresh_timeline() {
    use crate::archive::SavedStatus;
    let manifest = |cell: u32, parent: u32, status: SavedStatus| crate::archive::Manifest {
        parent,
        vars: vec![saved("big", Some("aa"))],
        status,
        ..manifest(cell, &format!("cell {cell}"))
    };
    let mut s = session();
    let effects = s
        .load_history(
            "lab",
            vec![
                manifest(1, 0, SavedStatus::Ok),
                manifest(2, 1, SavedStatus::Ok),
                manifest(4, 2, SavedStatus::CompileError),
            ],
            None,
        )
        .unwrap();
    let Some(Effect::Engine(Request::Resume { chain, .. })) = effects.last() else {
        panic!("{effects:?}")
    };
    assert_eq!(chain.iter().map(|m| m.cell).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(
        s.next_cell(),
        5,
        "numbering continues after the saved cells"
    );
    assert!(matches!(
        s.timeline().get(3).unwrap().status,
        CellStatus::Error(_)
    ));
    assert_eq!(
        s.timeline().get(4).unwrap().status,
        CellStatus::CompileError
    );
    let mut fresh = session();
    assert!(
        fresh
            .load_history("lab", vec![manifest(1, 0, SavedStatus::CompileError)], None)
            .is_err()
    );
    assert!(
        fresh
            .load_history("lab", vec![manifest(1, 0, SavedStatus::Ok)], Some(9))
            .is_err()
    );
    assert!(
        s.load_history("lab", vec![manifest(1, 0, SavedStatus::Ok)], None)
            .is_err(),
        "only into a fresh session"
    );
}

#[test]
fn how_a_cell_ended_survives_saving_and_loading() {
    let mut s = saved_session("lab");
    ran(&mut s, 1, "let keep = 1;", vec![var("keep", "i32")]);
    s.submit("unsafe { *(std::ptr::null_mut::<i32>()) = 1; }");
    let effects = crashed_back_to_1(&mut s, "killed by signal 11 (SIGSEGV)");
    let saved = persist_plan(&effects).manifest.clone();
    assert_eq!(saved.status, crate::archive::SavedStatus::Crashed);
    let mut fresh = session();
    fresh
        .load_history("lab", vec![manifest(1, "let keep = 1;"), saved], None)
        .unwrap();
    assert_eq!(
        fresh.timeline().get(2).unwrap().status,
        CellStatus::Crashed("killed by signal 11 (SIGSEGV)".into())
    );
    assert!(fresh.cells_table().contains("crashed"));
}

#[test]
fn save_new_refuses_another_sessions_cells_unless_told_to_replace_them() {
    let mut s = session();
    assert_eq!(
        s.submit(":save lab"),
        vec![Effect::OpenArchive {
            name: "lab".into(),
            opening: Opening::New
        }]
    );
    let effects = s.handle(EngineEvent::ArchiveOpened {
        name: "lab".into(),
        result: Err("session \"lab\" already has 2 saved cell(s)".into()),
    });
    assert_eq!(
        notices(&effects)[0].text,
        ":save lab: session \"lab\" already has 2 saved cell(s)"
    );
    assert_eq!(s.archive(), None, "still not saving anywhere");
    assert_eq!(
        s.submit(":save! lab"),
        vec![Effect::OpenArchive {
            name: "lab".into(),
            opening: Opening::Replace
        }]
    );
}

#[test]
fn load_saves_this_session_first_and_resume_skips_unsaved_cells() {
    let mut s = saved_session("here");
    ran(&mut s, 1, "let x = 1;", vec![var("x", "i32")]);
    // Its snapshots go with the switch, so its values are written first.
    let effects = s.submit(":load lab");
    assert_eq!(persist_plan(&effects).manifest.cell, 1);
    assert!(!effects.contains(&Effect::LoadSession { name: "lab".into() }));
    let effects = s.handle(EngineEvent::Persisted {
        cell: 1,
        record: false,
        result: Ok(PersistSummary::default()),
    });
    assert!(
        effects.contains(&Effect::LoadSession { name: "lab".into() }),
        "{effects:?}"
    );

    // A session killed before cell 2's values were written resumes at cell 1, and cell 2
    // cannot be asked for by number.
    let manifest = |cell: u32, pending: bool| crate::archive::Manifest {
        pending,
        ..manifest(cell, &format!("let v{cell} = {cell};"))
    };
    let mut fresh = session();
    let effects = fresh
        .load_history("lab", vec![manifest(1, false), manifest(2, true)], None)
        .unwrap();
    let Some(Effect::Engine(Request::Resume { chain, .. })) = effects.last() else {
        panic!("{effects:?}")
    };
    assert_eq!(chain.last().map(|m| m.cell), Some(1));
    let mut fresh = session();
    let refused = fresh
        .load_history("lab", vec![manifest(1, false), manifest(2, true)], Some(2))
        .unwrap_err();
    assert!(refused.contains("were not saved"), "{refused}");
}

#[test]
fn load_switches_sessions_and_refuses_while_jobs_run() {
    let manifest = manifest(1, "let saved = 1;");
    let mut s = session();
    ran(&mut s, 1, "let here = 1;", vec![var("here", "i32")]);
    assert_eq!(
        s.submit(":load lab"),
        vec![Effect::LoadSession { name: "lab".into() }]
    );
    let effects = s.switch_to("lab", vec![manifest]);
    assert_eq!(
        effects[0],
        Effect::Engine(Request::DropSnapshots { cells: vec![1] })
    );
    assert_eq!(
        effects[1],
        Effect::Engine(Request::Restore {
            cell: 0,
            forget: vec![]
        })
    );
    assert!(matches!(
        effects.last(),
        Some(Effect::Engine(Request::Resume { .. }))
    ));
    assert_eq!(s.timeline().get(1).unwrap().source, "let saved = 1;");
    assert_eq!(s.next_cell(), 2);
    s.handle(EngineEvent::Resumed {
        cell: 1,
        result: Ok(ResumeSummary::default()),
        vars: vec![],
    });
    s.submit("& 1");
    launched(&mut s, 2);
    assert!(
        notices(&s.submit(":load lab"))[0]
            .text
            .contains("jobs are still running")
    );
    assert!(crate::commands::parse(":load").is_err());
}

#[test]
fn a_cell_records_what_it_made_and_named_and_its_manifest_carries_it() {
    let mut s = saved_session("lab");
    ran(
        &mut s,
        1,
        "let acc = vec![1u32];",
        vec![var("acc", "Vec<u32>")],
    );
    s.submit("acc.len(); let rc = std::rc::Rc::new(5);");
    let effects = finish(
        &mut s,
        2,
        CellStatus::Ok,
        vec![var("acc", "Vec<u32>"), var("rc", "Rc<i32>")],
    );
    let access = s.timeline().get(2).unwrap().access.clone().unwrap();
    assert_eq!(access.defines, vec!["rc"]);
    assert_eq!(access.mentions, vec!["acc"]);
    assert_eq!(persist_plan(&effects).manifest.access, Some(access));
}

#[test]
fn resuming_plans_the_replay_says_it_first_and_no_replay_keeps_it_off() {
    let manifests = || {
        vec![
            crate::archive::Manifest {
                vars: vec![unstored("acc")],
                ..manifest(1, "let acc = Acc { n: vec![1] };")
            },
            crate::archive::Manifest {
                vars: vec![unstored("acc"), saved("plain", Some("aa"))],
                ..manifest(2, "let plain = vec![1u8];")
            },
        ]
    };
    let mut s = session();
    let effects = s.load_history("lab", manifests(), None).unwrap();
    assert_eq!(
        notices(&effects)[0].text,
        "rebuilding acc by replaying cell 1 (est. 0.0 s); plain from disk"
    );
    let Some(Effect::Engine(Request::Resume {
        replay: Some(plan), ..
    })) = effects.last()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(plan.cells(), vec![1]);
    // The saved manifests had no access record: it was derived, and is kept.
    assert_eq!(
        s.replay_plan_at(2).map(|p| p.cells()),
        Some(vec![1]),
        "the same plan from the loaded timeline"
    );

    let mut off = Session::new(Settings {
        replay: false,
        ..Settings::default()
    });
    let effects = off.load_history("lab", manifests(), None).unwrap();
    assert!(notices(&effects).is_empty(), "{effects:?}");
    assert!(matches!(
        effects.last(),
        Some(Effect::Engine(Request::Resume { replay: None, .. }))
    ));
}

#[test]
fn vars_and_save_say_how_each_value_comes_back() {
    let mut s = saved_session("lab");
    ran(
        &mut s,
        1,
        "let shared = std::rc::Rc::new(5);",
        vec![var("shared", "Rc<i32>")],
    );
    persisted(&mut s, 1, true, Vec::new());
    s.submit(
        "let f = std::fs::read(\"x\").unwrap_or_default(); let h = std::rc::Rc::new(f.len());",
    );
    finish(
        &mut s,
        2,
        CellStatus::Ok,
        vec![
            var("f", "Vec<u8>"),
            var("h", "Rc<usize>"),
            var("shared", "Rc<i32>"),
        ],
    );
    persisted(&mut s, 2, true, Vec::new());
    s.flush_saves(true);
    persisted(&mut s, 1, false, vec![unstored("shared")]);
    s.persisting = Some(2);
    persisted(
        &mut s,
        2,
        false,
        vec![saved("f", Some("ff")), unstored("h"), unstored("shared")],
    );
    let table = s.vars_table(None).unwrap();
    assert!(
        table.contains("shared")
            && table.contains("(not on disk: no serde; resume replays cell 1)"),
        "{table}"
    );
    assert!(
        table.contains(
            "(not on disk: no serde; lost on resume: cell 2 acts outside the session (files)"
        ),
        "{table}"
    );
    let notice = s.comes_back_notice().unwrap();
    assert_eq!(
        notice.text,
        "on resume at cell 2: f: from disk; h: lost on resume: cell 2 acts outside the session (files); --replay-effects replays it; shared: resume replays cell 1"
    );
}

#[test]
fn the_full_screen_interface_is_asked_once_before_cells_with_outside_effects_are_replayed() {
    let manifests = || {
        vec![
            crate::archive::Manifest {
                vars: vec![unstored("acc")],
                ..manifest(1, "let acc = Acc { n: vec![1] };")
            },
            crate::archive::Manifest {
                vars: vec![unstored("acc"), unstored("wrote")],
                ..manifest(
                    2,
                    "std::fs::write(\"out.txt\", \"x\").unwrap(); let wrote = std::rc::Rc::new(1);",
                )
            },
        ]
    };
    let asking = || {
        Session::new(Settings {
            ask_replay_effects: true,
            ..Settings::default()
        })
    };
    let mut s = asking();
    let effects = s.load_history("lab", manifests(), None).unwrap();
    let question = effects
        .iter()
        .find_map(|e| match e {
            Effect::Ask(q) => Some(q.clone()),
            _ => None,
        })
        .expect("a question");
    assert_eq!(
        question,
        "Resuming: cell 2 (files) acts outside the session. Replaying it would also bring back wrote. Replay it? y/N"
    );
    // Nothing is resumed until the answer.
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Engine(Request::Resume { .. }))),
        "{effects:?}"
    );
    let yes = s.submit_command(Command::ReplayEffects(true));
    let Some(Effect::Engine(Request::Resume {
        replay: Some(plan), ..
    })) = yes.last()
    else {
        panic!("{yes:?}")
    };
    assert_eq!(plan.cells(), vec![1, 2]);
    // Answered once: a second answer has nothing to act on.
    assert_eq!(
        notices(&s.submit_command(Command::ReplayEffects(true)))[0].text,
        "no resume is waiting for an answer about replaying cells"
    );

    let mut s = asking();
    s.load_history("lab", manifests(), None).unwrap();
    let no = s.submit_command(Command::ReplayEffects(false));
    let Some(Effect::Engine(Request::Resume {
        replay: Some(plan), ..
    })) = no.last()
    else {
        panic!("{no:?}")
    };
    assert_eq!(plan.cells(), vec![1]);
    assert!(
        plan.lost.iter().any(|(name, _)| name == "wrote"),
        "{plan:?}"
    );

    // Line mode (no asking) and --replay-effects never ask.
    for settings in [
        Settings::default(),
        Settings {
            ask_replay_effects: true,
            replay_effects: true,
            ..Settings::default()
        },
    ] {
        let mut s = Session::new(settings);
        let effects = s.load_history("lab", manifests(), None).unwrap();
        assert!(!effects.iter().any(|e| matches!(e, Effect::Ask(_))));
        assert!(matches!(
            effects.last(),
            Some(Effect::Engine(Request::Resume { .. }))
        ));
    }
}

#[test]
fn a_degraded_snapshot_is_said_when_it_begins_and_when_it_ends() {
    let mut s = session();
    let mut said = Vec::new();
    for (cell, degraded) in [
        (1, None),
        (2, Some("2 threads")),
        (3, Some("2 threads")),
        (4, None),
        (5, None),
    ] {
        s.submit("1");
        let effects = s.handle(EngineEvent::CellFinished(CellOutcome {
            cell,
            status: CellStatus::Ok,
            value: None,
            error_text: None,
            duration: Duration::from_millis(5),
            vars: vec![],
            snapshot: Some(TakenSnapshot {
                fork_micros: 100,
                degraded: degraded.map(str::to_owned),
            }),
            restored_to: None,
        }));
        said.extend(
            notices(&effects)
                .into_iter()
                .map(|n| (cell, n.kind, n.text.clone())),
        );
    }
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!((said[0].0, said[0].1), (2, NoticeKind::Warning));
    assert!(
        said[0].2.contains("snapshot 2 is degraded: 2 threads"),
        "{said:?}"
    );
    assert_eq!((said[1].0, said[1].1), (4, NoticeKind::Info));
    assert!(said[1].2.contains("whole again"), "{said:?}");
    // Each snapshot still says what it is.
    assert!(s.check_past(3).unwrap().is_some());
    assert!(s.check_past(4).unwrap().is_none());
}

#[test]
fn old_snapshots_are_thinned_and_a_thinned_cell_is_rebuilt_from_the_nearest_kept_one() {
    let mut s = Session::new(Settings {
        snapshot_count: 6,
        ..Settings::default()
    });
    let mut thinned = Vec::new();
    for n in 1..=20 {
        s.submit(&format!("let v{n} = {n};"));
        for effect in finish(&mut s, n, CellStatus::Ok, vec![]) {
            if let Effect::Engine(Request::ThinSnapshots { cells }) = effect {
                thinned.extend(cells);
            }
        }
    }
    let live: Vec<u32> = s.timeline().live_snapshots().map(|c| c.number).collect();
    assert_eq!(live.len(), 6, "{live:?}");
    // The newest cells all stay (two thirds of the limit); the current one too.
    assert!(live.ends_with(&[17, 18, 19, 20]), "{live:?}");
    assert_eq!(thinned.len(), 14);
    assert!(s.is_thinned(3));
    assert!(s.check_past(3).unwrap_err().contains("thinned"));
    let kept_before_9 = live.iter().copied().filter(|n| *n < 9).max().unwrap_or(0);
    match &s.submit(":past 9")[..] {
        [
            Effect::Engine(Request::Rebuild {
                cell: 9,
                base,
                steps,
                back_to: 20,
                ..
            }),
        ] => {
            assert_eq!(*base, kept_before_9);
            let cells: Vec<u32> = steps.iter().map(|step| step.cell).collect();
            assert_eq!(cells, ((kept_before_9 + 1)..=9).collect::<Vec<_>>());
            assert_eq!(steps.last().unwrap().code, "let v9 = 9;");
        }
        other => panic!("{other:?}"),
    }
    let effects = s.handle(EngineEvent::Rebuilt {
        cell: 9,
        base: kept_before_9,
        replayed: vec![9],
        elapsed: Duration::from_millis(3),
        vars: vec![var("v9", "i32")],
        log: None,
    });
    assert_eq!(s.current(), 9);
    assert!(!s.is_thinned(9));
    assert!(notices(&effects)[0].text.contains("rebuilt from"));
}
