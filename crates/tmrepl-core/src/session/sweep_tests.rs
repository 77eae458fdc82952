//! Sweeps: reading `&[n in …]`, launching one job after the other, telling the end once,
//! and the `:sweep` table.

use super::*;

fn values(spec: &str) -> Result<Vec<String>, String> {
    sweep_values(spec)
}

#[test]
fn ranges_and_lists_of_one_kind_of_literal() {
    assert_eq!(values("1..4").unwrap(), ["1", "2", "3"]);
    assert_eq!(values("1..=3").unwrap(), ["1", "2", "3"]);
    assert_eq!(values("-2..=0").unwrap(), ["-2", "-1", "0"]);
    assert_eq!(values("1u64..=2").unwrap(), ["1u64", "2u64"]);
    assert_eq!(values("1_000..1_002").unwrap(), ["1000", "1001"]);
    assert_eq!(values("[1, 2, 5]").unwrap(), ["1", "2", "5"]);
    assert_eq!(values("1, 2, 5,").unwrap(), ["1", "2", "5"]);
    assert_eq!(values("\"a, b\", \"c\"").unwrap(), ["\"a, b\"", "\"c\""]);
    assert_eq!(values("0.5, 1e3, -2.0").unwrap(), ["0.5", "1e3", "-2.0"]);
    assert_eq!(values("'x', 'y'").unwrap(), ["'x'", "'y'"]);
    assert_eq!(values("true, false").unwrap(), ["true", "false"]);
    for (bad, says) in [
        ("", "no values"),
        ("[]", "no values"),
        ("3..3", "empty"),
        ("5..=1", "empty"),
        ("1..x", "two integers"),
        ("1.5..3", "two integers"),
        ("1u8..3i32", "different types"),
        ("0..1000", "at most 256"),
        ("1, \"a\"", "same kind"),
        ("1, 2.5", "same kind"),
        ("f(1), 2", "not a literal"),
        ("1 2", "not a literal"),
    ] {
        let error = values(bad).unwrap_err();
        assert!(error.contains(says), "{bad:?}: {error}");
        assert!(!error.contains('\n'));
    }
}

#[test]
fn only_a_name_and_in_make_a_sweep() {
    let spec = parse_sweep("[n in 1..=2] let r = n * 2;").unwrap().unwrap();
    assert_eq!(spec.name, "n");
    assert_eq!(spec.values, ["1", "2"]);
    assert_eq!(spec.code, "let r = n * 2;");
    let typed = parse_sweep("[ k: u64 in [3, 4]]\n:dep itoa = \"1\"\nlet s = k;")
        .unwrap()
        .unwrap();
    assert_eq!(typed.type_name.as_deref(), Some("u64"));
    assert_eq!(
        job_source(&typed, "3"),
        "&:dep itoa = \"1\"\nlet k: u64 = 3;\nlet s = k;"
    );
    // Rust, not sweeps: an ordinary job.
    assert!(parse_sweep("[1, 2].len()").is_none());
    assert!(parse_sweep("[x, y].len()").is_none());
    assert!(parse_sweep("[std::f64::consts::PI].len()").is_none());
    assert!(parse_sweep("let a = [n in 1];").is_none());
    for (bad, says) in [
        ("[n in 1..=3]", "needs code"),
        ("[n in 1..=3", "not closed"),
        ("[n: in 1..3] f(n)", "type is missing"),
        ("[in in 1..3] f()", "not a variable name"),
        ("[n in \"]\", 1] f(n)", "same kind"),
    ] {
        let error = parse_sweep(bad).unwrap().unwrap_err();
        assert!(error.contains(says), "{bad:?}: {error}");
    }
}

fn session() -> Session {
    Session::new(Settings {
        job_limit: 2,
        notify_after: Duration::ZERO,
        ..Settings::default()
    })
}

fn launched(s: &mut Session, cell: u32, status: CellStatus) -> Vec<Effect> {
    crate::session::tests::finish(s, cell, status, vec![])
}

fn ended(s: &mut Session, cell: u32, end: JobOutcome, r: &str) -> Vec<Effect> {
    let effects = s.handle(EngineEvent::JobFinished {
        cell,
        end,
        duration: Duration::from_millis(1500),
        peak_bytes: 0,
        degraded: None,
    });
    // What `CellFinished` of a job that ended brings: its variables.
    if let Some(c) = s.timeline.get_mut(cell) {
        c.vars = vec![
            VarInfo {
                name: "n".into(),
                type_name: "i32".into(),
            },
            VarInfo {
                name: r.into(),
                type_name: "i32".into(),
            },
        ];
    }
    effects
}

fn evals(effects: &[Effect]) -> Vec<(u32, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(Request::Eval {
                cell,
                code,
                background: true,
                ..
            }) => Some((*cell, code.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn jobs_launch_one_after_another_and_the_end_is_told_once() {
    let mut s = session();
    let first = s.submit("&[n in 1..=3] let r = n * 2;");
    assert_eq!(
        evals(&first),
        [(1, "let n = 1;\nlet r = n * 2;".to_owned())]
    );
    // Input waits while the sweep's jobs are launched.
    assert!(matches!(&s.submit("1")[..], [Effect::Show(n)] if n.kind == NoticeKind::Error));
    assert_eq!(
        evals(&launched(&mut s, 1, CellStatus::Running)),
        [(2, "let n = 2;\nlet r = n * 2;".to_owned())]
    );
    assert_eq!(evals(&launched(&mut s, 2, CellStatus::Queued))[0].0, 3);
    assert!(evals(&launched(&mut s, 3, CellStatus::Queued)).is_empty());
    assert_eq!(s.running(), None);
    assert_eq!(s.timeline().get(2).unwrap().parent, 0);
    let notifies = |effects: &[Effect]| {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Notify { summary, .. } => Some(summary.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(notifies(&ended(&mut s, 1, JobOutcome::Finished, "r")).is_empty());
    assert!(notifies(&ended(&mut s, 3, JobOutcome::Panicked, "r")).is_empty());
    let last = ended(&mut s, 2, JobOutcome::Finished, "r");
    assert_eq!(notifies(&last), ["tmrepl: sweep 1 ended (2 ok, 1 failed)"]);
    assert_eq!(s.sweep_job(2), Some((1, "2")));
    let table = s.sweep_table(
        0,
        &[
            Ok(vec![(
                "r".into(),
                ValuePreview::Debug {
                    text: "2".into(),
                    cut: false,
                },
            )]),
            Ok(vec![(
                "r".into(),
                ValuePreview::Debug {
                    text: "4".into(),
                    cut: false,
                },
            )]),
            Err(String::new()),
        ],
    );
    assert_eq!(
        table,
        "sweep 1 (&[n in 1..=3] let r = n * 2;): 3 of 3 jobs, 2 ok
job  n  state     time    r
  1  1  finished  1.50 s  2
  2  2  finished  1.50 s  4
  3  3  panicked  1.50 s  -
:take JOB brings a job's variables here; :past JOB goes to its state"
    );
    let refused = s.submit(":sweep 9");
    assert!(matches!(&refused[..], [Effect::Show(n)] if n.text.contains("not a job of a sweep")));
}

#[test]
fn a_sweep_whose_first_job_does_not_compile_stops() {
    let mut s = session();
    s.submit("&[n in 1..=3] let r = nope(n);");
    let effects = launched(&mut s, 1, CellStatus::CompileError);
    assert!(evals(&effects).is_empty());
    assert!(matches!(&effects[..], [.., Effect::Show(n)] if n.text.contains("sweep 1 stopped")));
    assert_eq!(s.timeline().len(), 1);
    assert_eq!(s.running(), None);
}
