//! Unit tests of `:diff`, `:trace` and stale values over a scripted history: no evcxr.

use super::*;

fn var(name: &str, type_name: &str) -> VarInfo {
    VarInfo {
        name: name.into(),
        type_name: type_name.into(),
    }
}

fn debug(text: &str) -> ValuePreview {
    ValuePreview::Debug {
        text: text.into(),
        cut: false,
    }
}

/// Runs `source` as the next cell, leaving `vars` (with a snapshot).
fn run(s: &mut Session, source: &str, vars: &[VarInfo]) {
    let effects = s.submit(source);
    let Some(Effect::Engine(Request::Eval { cell, .. })) = effects.first() else {
        panic!("not a cell: {effects:?}");
    };
    s.handle(EngineEvent::CellFinished(CellOutcome {
        cell: *cell,
        status: CellStatus::Ok,
        value: None,
        error_text: None,
        duration: Duration::from_millis(5),
        vars: vars.to_vec(),
        snapshot: Some(TakenSnapshot {
            fork_micros: 100,
            degraded: None,
        }),
        restored_to: None,
    }));
}

/// Scores made with a function that cell 3 replaces; cell 5 branches from cell 2.
fn history() -> Session {
    let mut s = Session::new(Settings::default());
    let scores = var("scores", "Vec<u32>");
    run(
        &mut s,
        ":dep itoa = \"1\"\nfn score(x: u32) -> u32 { x * 2 }",
        &[],
    );
    run(
        &mut s,
        "let mut scores = vec![score(45), score(42), 77];",
        std::slice::from_ref(&scores),
    );
    run(
        &mut s,
        "fn score(x: u32) -> u32 { x * 3 }",
        std::slice::from_ref(&scores),
    );
    run(
        &mut s,
        "scores[1] = 86; let label = \"a\";",
        &[scores.clone(), var("label", "&str")],
    );
    s.handle(EngineEvent::Restored {
        cell: 2,
        elapsed: Duration::from_millis(1),
        vars: vec![scores.clone()],
    });
    run(
        &mut s,
        ":dep itoa = \"1.0.11\"\nlet label = 7;",
        &[scores, var("label", "i32")],
    );
    s
}

/// The peeks among `effects`: (ask, cell, names).
fn peeks(effects: &[Effect]) -> Vec<(AskId, Option<u32>, Vec<String>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(Request::Peek {
                ask, cell, names, ..
            }) => Some((*ask, *cell, names.clone())),
            _ => None,
        })
        .collect()
}

fn shown(effects: &[Effect]) -> String {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Show(n) => Some(n.text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn diff_across_branches_shows_values_definitions_and_dependencies() {
    let mut s = history();
    let asked = peeks(&s.submit(":diff 4 5"));
    assert_eq!(
        asked
            .iter()
            .map(|(_, c, n)| (*c, n.clone()))
            .collect::<Vec<_>>(),
        vec![
            (Some(4), vec!["scores".to_string(), "label".into()]),
            (None, vec!["scores".to_string(), "label".into()]),
        ]
    );
    // Answers in any order: the text comes with the last.
    let first = s.handle(EngineEvent::Peeked {
        ask: asked[1].0,
        cell: None,
        result: Ok(vec![
            ("scores".into(), debug("[90, 84, 77]")),
            ("label".into(), debug("7")),
        ]),
    });
    assert!(first.is_empty(), "{first:?}");
    let text = shown(&s.handle(EngineEvent::Peeked {
        ask: asked[0].0,
        cell: Some(4),
        result: Ok(vec![
            ("scores".into(), debug("[135, 86, 77]")),
            ("label".into(), debug("\"a\"")),
        ]),
    }));
    assert_eq!(
        text,
        "cell 4 → cell 5 (on different branches, parting after cell 2):\n\
         ~ scores: [135, 86, 77] → [90, 84, 77] (first difference at [0]: 135 → 90)\n\
         ~ label: \"a\" → 7 (&str → i32)\n\
         ~ fn score: `fn score(x: u32) -> u32 { x * 3 }` (cell 3) → `fn score(x: u32) -> u32 { x * 2 }` (cell 1)\n\
         ~ dep itoa: itoa = \"1\" (cell 1) → itoa = \"1.0.11\" (cell 5)"
    );
}

#[test]
fn diff_without_values_to_read_answers_at_once_and_counts_what_is_the_same() {
    let mut s = history();
    let effects = s.submit(":diff 1 1");
    assert!(peeks(&effects).is_empty());
    assert_eq!(
        shown(&effects),
        "cell 1 → cell 1:\nno differences\n= unchanged: 1 definition (fn score), 1 dependency (itoa)"
    );
    // A side whose snapshot is gone still shows names and types, and says why.
    s.timeline.get_mut(4).unwrap().snapshot = SnapshotState::Evicted;
    let effects = s.submit(":diff 2 4");
    let asked = peeks(&effects);
    assert_eq!(asked.len(), 1, "{effects:?}");
    let text = shown(&s.handle(EngineEvent::Peeked {
        ask: asked[0].0,
        cell: Some(2),
        result: Ok(vec![]),
    }));
    assert!(text.contains("+ label: &str\n"), "{text}");
    assert!(
        text.contains("(values of cell 4 not shown: its snapshot was evicted"),
        "{text}"
    );
}

#[test]
fn bad_diffs_and_traces_are_one_line_errors_that_change_nothing() {
    let mut s = history();
    for (input, error) in [
        (":diff 9", ":diff: no cell 9 (cells are 1 to 5)"),
        (":diff 2 x", ":diff: expected a cell number, got `x`"),
        (
            ":diff",
            ":diff needs one or two cell numbers, e.g. :diff 2 5 (one: against now)",
        ),
        (
            ":trace nope",
            ":trace nope: no cell of this branch made a variable, function or type nope",
        ),
        (
            ":trace",
            ":trace needs a variable, function or type name, e.g. :trace total",
        ),
    ] {
        let effects = s.submit(input);
        assert_eq!(shown(&effects), error, "{input}");
        assert!(peeks(&effects).is_empty());
    }
    assert!(s.peeks.is_empty());
}

#[test]
fn trace_lists_bindings_and_changes_of_this_branch_with_values() {
    let mut s = history();
    // Back on the first branch: scores bound in 2, changed in 4; label bound in 4.
    s.handle(EngineEvent::Restored {
        cell: 4,
        elapsed: Duration::from_millis(1),
        vars: vec![var("scores", "Vec<u32>"), var("label", "&str")],
    });
    s.timeline.get_mut(2).unwrap().snapshot = SnapshotState::Thinned;
    let effects = s.submit(":trace scores");
    let asked = peeks(&effects);
    // Cell 2's snapshot is gone; cell 3 did not name scores; cell 4 is the worker.
    assert_eq!(
        asked.iter().map(|(_, c, _)| *c).collect::<Vec<_>>(),
        vec![None]
    );
    let text = shown(&s.handle(EngineEvent::Peeked {
        ask: asked[0].0,
        cell: None,
        result: Ok(vec![("scores".into(), debug("[135, 86, 77]"))]),
    }));
    assert_eq!(
        text,
        "scores: Vec<u32>, bound in cell 2\n\
         \x20 cell 2    (no snapshot: thinned)  let mut scores = vec![score(45), score(42), 77];\n\
         \x20 cell 4    [135, 86, 77]           scores[1] = 86; let label = \"a\";"
    );
    let text = shown(&s.submit(":trace score"));
    assert_eq!(
        text,
        "fn score: 2 definitions\n\
         \x20 cell 1    `fn score(x: u32) -> u32 { x * 2 }`\n\
         \x20 cell 3    `fn score(x: u32) -> u32 { x * 3 }`"
    );
}

#[test]
fn a_shadowed_variable_shows_each_binding_apart() {
    let mut s = history();
    let effects = s.submit(":trace label");
    let asked = peeks(&effects);
    assert_eq!(asked.len(), 1, "only cell 5 on this branch: {effects:?}");
    let text = shown(&s.handle(EngineEvent::Peeked {
        ask: asked[0].0,
        cell: None,
        result: Ok(vec![("label".into(), debug("7"))]),
    }));
    assert_eq!(
        text,
        "label: i32, bound in cell 5\n  cell 5    7  let label = 7;"
    );
    let mut s = Session::new(Settings::default());
    run(&mut s, "let x = 1;", &[var("x", "i32")]);
    run(&mut s, "x + 1", &[var("x", "i32")]);
    run(&mut s, "let x = \"a\";", &[var("x", "&str")]);
    let asked = peeks(&s.submit(":trace x"));
    assert_eq!(asked.len(), 3);
    let mut last = Vec::new();
    for ((ask, cell, _), value) in asked.iter().zip(["1", "1", "\"a\""]) {
        last = s.handle(EngineEvent::Peeked {
            ask: *ask,
            cell: *cell,
            result: Ok(vec![("x".into(), debug(value))]),
        });
    }
    assert_eq!(
        shown(&last),
        "x: i32, bound in cell 1 (shadowed later)\n\
         \x20 cell 1    1  let x = 1;\n\
         x: &str, bound in cell 3\n\
         \x20 cell 3    \"a\"  let x = \"a\";\n\
         (1 cell that read x without changing it not shown)"
    );
}

#[test]
fn vars_and_the_panel_mark_values_made_with_a_replaced_definition() {
    let mut s = history();
    s.handle(EngineEvent::Restored {
        cell: 4,
        elapsed: Duration::from_millis(1),
        vars: vec![var("scores", "Vec<u32>"), var("label", "&str")],
    });
    let table = s.vars_table(None).unwrap();
    // Cells are the unit: label's cell read scores, so label may be made from it.
    assert_eq!(
        table,
        "name    type                             last changed\n\
         label   &str                             cell 4   \
         (stale: made with fn score of cell 1 (through scores), redefined in cell 3)\n\
         scores  Vec<u32>                         cell 4   \
         (stale: made with fn score of cell 1, redefined in cell 3)"
    );
    assert_eq!(s.stale_cells(), [2, 4].into());
    // On the other branch score was never replaced.
    assert!(s.stale_values(Some(5)).is_empty());
}
