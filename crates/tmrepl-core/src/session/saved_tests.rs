use super::*;
use crate::session::tests::notices;

fn var(name: &str, type_name: &str, object: Option<&str>) -> SavedVar {
    SavedVar {
        name: name.into(),
        type_name: type_name.into(),
        object: object.map(|o| o.repeat(64).into()),
        not_saved: object
            .is_none()
            .then(|| NotSaved::Unsaveable(format!("{type_name} does not implement serde"))),
    }
}

/// Saved session `lab`: a struct without serde, a value of it and an `Rc` (rebuilt by
/// replay), and a plain vector (stored).
fn lab() -> SavedSession {
    let cells: [(&str, Vec<SavedVar>); 3] = [
        (
            "struct Acc { n: Vec<u32> }\nlet acc = Acc { n: vec![1, 2] };",
            vec![var("acc", "Acc", None)],
        ),
        (
            "let rc = std::rc::Rc::new(5);",
            vec![var("acc", "Acc", None), var("rc", "Rc<i32>", None)],
        ),
        (
            "let plain = vec![1u8];",
            vec![
                var("acc", "Acc", None),
                var("plain", "Vec<u8>", Some("a")),
                var("rc", "Rc<i32>", None),
            ],
        ),
    ];
    let manifests = cells
        .into_iter()
        .enumerate()
        .map(|(i, (source, vars))| {
            let mut manifest = crate::archive::manifest_for_tests(i as u32 + 1, None);
            manifest.source = source.into();
            manifest.items = items::items(source);
            manifest.vars = vars;
            manifest.duration_ms = 100;
            manifest
        })
        .collect();
    SavedSession {
        name: "lab".into(),
        dir: "/data/sessions/lab".into(),
        manifests,
    }
}

/// Types `input` and hands the read session (or the failure to read it) back, as the app does.
fn read(s: &mut Session, input: &str, saved: Result<SavedSession, String>) -> Vec<Effect> {
    let effects = s.submit(input);
    let [Effect::ReadSaved(purpose)] = effects.as_slice() else {
        panic!("{input}: {effects:?}");
    };
    s.saved_read(purpose.clone(), saved)
}

fn session() -> Session {
    Session::new(Settings::default())
}

fn error_of(effects: &[Effect]) -> String {
    match effects {
        [
            Effect::Show(Notice {
                kind: NoticeKind::Error,
                text,
            }),
        ] => text.clone(),
        other => panic!("not one error: {other:?}"),
    }
}

#[test]
fn vars_of_a_saved_cell_say_how_each_comes_back_and_preview_the_stored_ones() {
    let mut s = session();
    let effects = read(&mut s, ":vars lab@3", Ok(lab()));
    let [Effect::Engine(Request::PeekSaved(peek))] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(peek.values.len(), 1);
    assert_eq!(peek.values[0].name, "plain");
    assert!(
        peek.definitions.is_empty(),
        "a Vec<u8> needs no definition: {peek:?}"
    );
    let shown = s.handle(EngineEvent::Peeked {
        ask: peek.ask,
        cell: None,
        result: Ok(vec![(
            "plain".into(),
            ValuePreview::Debug {
                text: "[1]".into(),
                cut: false,
            },
        )]),
    });
    let [Effect::Show(notice)] = shown.as_slice() else {
        panic!("{shown:?}");
    };
    let lines: Vec<&str> = notice.text.lines().collect();
    assert!(
        lines[0].starts_with("saved session lab as of its cell 3"),
        "{}",
        notice.text
    );
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(name))
            .copied()
            .unwrap_or("")
    };
    assert!(
        row("acc ").contains("cell 1")
            && row("acc ")
                .ends_with("by replaying cell 1 (not on disk: Acc does not implement serde)"),
        "{}",
        notice.text
    );
    assert!(
        row("plain ").contains("[1]") && row("plain ").ends_with("from disk"),
        "{}",
        notice.text
    );
    assert!(
        row("rc ").contains("cell 2") && row("rc ").contains("by replaying cell 2"),
        "{}",
        notice.text
    );
    // Nothing here changed: no cell, nothing running.
    assert!(s.timeline().is_empty() && s.running().is_none());

    // `:vars lab` with no variable lab here: the saved session's last cell.
    let effects = read(&mut s, ":vars lab", Ok(lab()));
    assert!(matches!(effects.as_slice(), [Effect::Engine(Request::PeekSaved(p))] if !p.full));
    let err = error_of(&read(
        &mut s,
        ":vars lba",
        Err("no saved session named lba".into()),
    ));
    assert_eq!(
        err,
        ":vars: no variable lba, and no saved session named lba"
    );
    // One value whole; `lab@` is its last cell.
    let effects = read(&mut s, ":vars lab@ plain", Ok(lab()));
    assert!(matches!(effects.as_slice(), [Effect::Engine(Request::PeekSaved(p))] if p.full));
    // A value not on disk is not previewed, and says how it would come back.
    let effects = read(&mut s, ":vars lab@3 rc", Ok(lab()));
    let [Effect::Show(notice)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(
        notice
            .text
            .starts_with("rc: Rc<i32> (cell 3 of lab, by replaying cell 2"),
        "{}",
        notice.text
    );
}

#[test]
fn bad_names_numbers_and_variables_are_one_line_errors_that_change_nothing() {
    let mut s = session();
    let err = error_of(&read(
        &mut s,
        ":vars nosuch@3",
        Err("no saved session named nosuch".into()),
    ));
    assert_eq!(err, ":vars nosuch@3: no saved session named nosuch");
    let err = error_of(&read(&mut s, ":take lab@999 x", Ok(lab())));
    assert_eq!(err, ":take lab@999: lab has no saved cell 999");
    let err = error_of(&read(&mut s, ":take lab@3 nosuchvar", Ok(lab())));
    assert_eq!(
        err,
        ":take lab@3: lab has no variable nosuchvar after cell 3"
    );
    let mut empty = lab();
    empty.manifests[0].vars.clear();
    let effects = read(&mut s, ":vars lab@1", Ok(empty));
    assert_eq!(
        notices(&effects)[0].text,
        "saved session lab has no variables after its cell 1"
    );
    let err = error_of(&read(&mut s, ":vars lab@2 plain", Ok(lab())));
    assert_eq!(err, ":vars lab@2: lab has no variable plain after cell 2");
    assert!(s.timeline().is_empty() && s.running().is_none());
    assert!(s.submit(":take lab@x").len() == 1);
}

#[test]
fn a_take_is_one_new_cell_bringing_the_definitions_its_values_need() {
    let mut s = session();
    let effects = read(&mut s, ":take lab@3 acc plain", Ok(lab()));
    let take = effects
        .iter()
        .find_map(|e| match e {
            Effect::Engine(Request::TakeSaved(take)) => Some(take),
            _ => None,
        })
        .expect("a take");
    assert_eq!((take.cell, take.from_cell), (1, 3));
    assert_eq!(take.label, ":take lab@3 acc plain");
    assert_eq!(take.definitions, ["struct Acc { n: Vec<u32> }"]);
    assert_eq!(take.steps.iter().map(|s| s.cell).collect::<Vec<_>>(), [1]);
    assert_eq!(
        take.stored
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["plain"]
    );
    assert_eq!(
        take.vars
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["acc", "plain"]
    );
    assert_eq!(s.running(), Some(1));
    let said = notices(&effects);
    assert!(said[0].text.starts_with("taking acc, plain from cell 3 of lab as cell 1 (:clear undoes it): rebuilding acc by replaying cell 1 (est. 0.1 s); plain from disk"), "{}", said[0].text);
}

#[test]
fn a_definition_that_conflicts_with_one_here_refuses_the_take_naming_both() {
    let mut s = session();
    s.submit("struct Acc { n: u64 }");
    s.handle(EngineEvent::CellFinished(CellOutcome {
        cell: 1,
        status: CellStatus::Ok,
        value: None,
        error_text: None,
        duration: Duration::from_millis(5),
        vars: vec![],
        snapshot: None,
        restored_to: None,
    }));
    let err = error_of(&read(&mut s, ":take lab", Ok(lab())));
    assert_eq!(
        err,
        ":take lab@: lab's `struct Acc { n: Vec<u32> }` (its cell 1) conflicts with `struct Acc { n: u64 }` here (cell 1); rename one, or take only values that do not need it"
    );
    assert_eq!(s.timeline().len(), 1);
    // Values that need no definition of theirs still come.
    let effects = read(&mut s, ":take lab plain", Ok(lab()));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Engine(Request::TakeSaved(_)))),
        "{effects:?}"
    );
}
