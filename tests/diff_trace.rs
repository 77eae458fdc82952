//! `:diff`, `:trace` and stale values end to end: real cells, real snapshots, one session
//! with a branch, the exact rows each command prints.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::run_script;

/// The lines `command` printed: from its echo up to the next prompt.
fn answer<'a>(stdout: &'a str, command: &str) -> Vec<&'a str> {
    let echo = format!(">> {command}");
    stdout
        .lines()
        .skip_while(|l| *l != echo)
        .skip(1)
        .take_while(|l| !l.starts_with(">> ") && !l.starts_with("In ["))
        .collect()
}

#[test]
fn diff_trace_and_stale_values_over_a_branching_history() {
    let t = run_script(
        r#"fn score(x: u32) -> u32 { x * 2 }
let mut scores = vec![score(45), score(42), 77];
let total: u32 = scores.iter().sum();
let label = "first";
fn score(x: u32) -> u32 { x * 3 }
scores[1] = 86;
:vars
:diff 3
:past 4
let label = 12;
:diff 6 7
:trace scores
:trace score
:trace label
:trace nope
:diff 99
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    let out = t.stdout.as_str();
    // Values made with the replaced `score`, directly and through `scores`.
    assert_eq!(
        answer(out, ":vars"),
        [
            "name    type                             last changed value",
            "label   &str                             cell 4       \"first\"",
            "scores  Vec<u32>                         cell 6       [90, 86, 77]   (stale: made with fn score of cell 1, redefined in cell 5)",
            "total   u32                              cell 3       251   (stale: made with fn score of cell 1 (through scores), redefined in cell 5)",
        ],
        "{all}"
    );
    assert_eq!(
        answer(out, ":diff 3"),
        [
            "cell 3 → now (cell 6):",
            "+ label: &str = \"first\"",
            "~ scores: [90, 84, 77] → [90, 86, 77] (first difference at [1]: 84 → 86)",
            "~ fn score: `fn score(x: u32) -> u32 { x * 2 }` (cell 1) → `fn score(x: u32) -> u32 { x * 3 }` (cell 5)",
            "= unchanged: 1 variable (total)",
        ],
        "{all}"
    );
    // Cell 7 branched from cell 4: the two states part there.
    assert_eq!(
        answer(out, ":diff 6 7"),
        [
            "cell 6 → cell 7 (on different branches, parting after cell 4):",
            "~ label: \"first\" → 12 (&str → i32)",
            "~ scores: [90, 86, 77] → [90, 84, 77] (first difference at [1]: 86 → 84)",
            "~ fn score: `fn score(x: u32) -> u32 { x * 3 }` (cell 5) → `fn score(x: u32) -> u32 { x * 2 }` (cell 1)",
            "= unchanged: 1 variable (total)",
        ],
        "{all}"
    );
    // This branch is 1, 2, 3, 4, 7: cell 3 only read scores; cells 5 and 6 are elsewhere.
    assert_eq!(
        answer(out, ":trace scores"),
        [
            "scores: Vec<u32>, bound in cell 2",
            "  cell 2    [90, 84, 77]  let mut scores = vec![score(45), score(42), 77];",
            "(1 cell that read scores without changing it not shown)",
        ],
        "{all}"
    );
    assert_eq!(
        answer(out, ":trace score"),
        [
            "fn score: defined once",
            "  cell 1    `fn score(x: u32) -> u32 { x * 2 }`",
        ],
        "{all}"
    );
    assert_eq!(
        answer(out, ":trace label"),
        [
            "label: &str, bound in cell 4 (shadowed later)",
            "  cell 4    \"first\"  let label = \"first\";",
            "label: i32, bound in cell 7",
            "  cell 7    12  let label = 12;",
        ],
        "{all}"
    );
    assert!(
        t.stderr.contains(
            "error: :trace nope: no cell of this branch made a variable, function or type nope"
        ),
        "{all}"
    );
    assert!(
        t.stderr
            .contains("error: :diff: no cell 99 (cells are 1 to 7)"),
        "{all}"
    );
}
