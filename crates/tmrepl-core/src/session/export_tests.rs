//! `:export`'s files for known histories, byte for byte.

use super::*;

/// A timeline of `(source, parent, status, value)`, numbered from 1.
fn timeline(cells: &[(&str, u32, CellStatus, Option<&str>)]) -> Timeline {
    let mut t = Timeline::default();
    for (source, parent, status, value) in cells {
        let n = t.push((*source).to_owned(), *parent);
        let cell = t.get_mut(n).unwrap();
        cell.status = status.clone();
        cell.value = value.map(str::to_owned);
    }
    t
}

fn dep(spec: &str, after: u32, from: u32, until: Option<u32>) -> BranchAside {
    BranchAside {
        aside: Aside::Dep(spec.into()),
        after,
        from,
        until,
    }
}

/// Cell 3 was left behind by `:past 2`; cell 5 did not compile.
fn history() -> Timeline {
    use CellStatus::*;
    timeline(&[
        (
            ":dep itoa = \"1\"\nfn double(x: i32) -> i32 { x * 2 }\nlet mut v = vec![1, 2];",
            0,
            Ok,
            None,
        ),
        ("v.push(double(3));\nprintln!(\"{v:?}\");", 1, Ok, None),
        ("let lost = 1;\nprintln!(\"abandoned\");", 2, Ok, None),
        (
            "!echo hi\nfn double(x: i32) -> i32 { x + x }\nv.len()",
            2,
            Ok,
            Some("3"),
        ),
        ("let y: i32 = nope;", 4, CompileError, None),
        ("let line = std::io::stdin().lines().next();", 4, Ok, None),
        (
            "#[derive(Debug)]\nstruct P { x: i32 }\nimpl P { fn get(&self) -> i32 { self.x } }\nfor i in 0..2 { println!(\"{i}\"); }\nP { x: 1 }.get()",
            6,
            Ok,
            Some("1"),
        ),
    ])
}

#[test]
fn a_branch_exports_its_items_statements_and_deps_in_order() {
    let t = history();
    let asides = [
        dep("base64 = \"0.10.1\"", 0, 1, None),
        // Typed at cell 2, then left by `:past` before cell 4 ran: not on the branch.
        dep("gone = \"1\"", 2, 3, Some(4)),
        dep(
            "serde = { version = \"1\", features = [\"derive\"] }",
            4,
            5,
            None,
        ),
        dep("itoa = \"1.0.11\"", 7, 8, None),
    ];
    let asides: Vec<&BranchAside> = asides.iter().collect();
    let project = export_project(&t, &asides, 7, 7, "fib").unwrap();
    assert_eq!(
        project.cargo_toml,
        "# Written by tmrepl :export from cell 7; the dependencies are the :dep lines of its branch.
[package]
name = \"fib\"
version = \"0.1.0\"
edition = \"2024\"

[dependencies]
base64 = \"0.10.1\"
itoa = \"1.0.11\"
serde = { version = \"1\", features = [\"derive\"] }

[workspace]
"
    );
    assert_eq!(
        project.main_rs,
        "// Written by tmrepl :export: the program that leads to cell 7's state.
// Items are at the top level (the last definition of each name); each cell's
// statements run in main, in order. A cell's value is evaluated, not printed
// (`let _ = …;`), with what the session showed beside it.
//
// Not exported:
// - cell 4: `!echo hi` ran in a shell
// - cell 6 reads standard input: its statements are left out

#![allow(unused)]

// cell 4, replacing that of cell 1; cell 2 ran with an earlier definition
fn double(x: i32) -> i32 { x + x }

// cell 7
#[derive(Debug)]
struct P { x: i32 }
impl P { fn get(&self) -> i32 { self.x } }

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // cell 1
    let mut v = vec![1, 2];

    // cell 2
    v.push(double(3));
    println!(\"{v:?}\");

    // cell 4
    let _ = v.len(); // showed: 3

    // cell 7
    for i in 0..2 { println!(\"{i}\"); }
    let _ = P { x: 1 }.get(); // showed: 1
    Ok(())
}
"
    );
    assert_eq!(
        project.left_out,
        vec![
            "cell 4: `!echo hi` ran in a shell",
            "cell 6 reads standard input: its statements are left out"
        ]
    );
    assert_eq!(project.cells, vec!["cell 1", "cell 2", "cell 4", "cell 7"]);
    assert_eq!(
        project.ran_with_older,
        ["cell 2 ran with an earlier definition of double; the program has only cell 4's"]
    );
}

#[test]
fn an_earlier_cell_exports_its_own_branch_without_later_asides() {
    let t = history();
    // Typed after `:past 2` once cell 3 had run (the next cell was 4).
    let asides = [dep("serde = \"1\"", 2, 4, None)];
    let asides: Vec<&BranchAside> = asides.iter().collect();
    // Cell 3 is on the branch that `:past 2` left, from before the aside.
    let project = export_project(&t, &asides, 7, 3, "p").unwrap();
    assert!(project.main_rs.contains("println!(\"abandoned\");"));
    assert!(!project.main_rs.contains("x + x"), "{}", project.main_rs);
    assert!(!project.cargo_toml.contains("serde"));
    // Cell 2 itself: the aside made after it is in force only for the current cell.
    let project = export_project(&t, &asides, 2, 2, "p").unwrap();
    assert!(project.cargo_toml.contains("serde = \"1\""));
    let project = export_project(&t, &asides, 7, 2, "p").unwrap();
    assert!(!project.cargo_toml.contains("serde"));
}

#[test]
fn cells_without_state_are_refused_in_one_line() {
    let t = history();
    for (cell, says) in [(5, "cell 5 did not compile"), (9, "no cell 9")] {
        let error = export_project(&t, &[], 7, cell, "p").unwrap_err();
        assert!(error.contains(says), "{error}");
        assert!(!error.contains('\n'));
    }
}

#[test]
fn a_panicked_cell_keeps_its_items_and_a_whole_take_of_a_job_is_its_code() {
    use CellStatus::*;
    let mut t = timeline(&[
        ("let n = 2;", 0, Ok, None),
        ("fn f() -> u8 { 1 }\npanic!(\"no\");", 1, Panic, None),
        ("&let m = n * 10;", 2, Ok, None),
        ("&let k = 1;", 2, Ok, None),
        ("println!(\"{m}\");", 2, Ok, None),
    ]);
    t.get_mut(3).unwrap().job = Some(crate::timeline::JobInfo {
        started: None,
        peak_bytes: None,
        failure: None,
    });
    let take = |job, names: &[&str]| BranchAside {
        aside: Aside::Take {
            job,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        },
        after: 2,
        from: 5,
        until: None,
    };
    let asides = [take(3, &[]), take(4, &["k"])];
    let asides: Vec<&BranchAside> = asides.iter().collect();
    let project = export_project(&t, &asides, 5, 5, "p").unwrap();
    assert!(project.main_rs.contains("fn f() -> u8 { 1 }"));
    assert!(!project.main_rs.contains("panic!"));
    assert!(
        project
            .main_rs
            .contains("    // job 3\n    let m = n * 10;\n\n    // cell 5"),
        "{}",
        project.main_rs
    );
    assert_eq!(
        project.left_out,
        vec![
            "cell 2 panicked: its items are kept, its statements left out",
            "after cell 2: `:take 4 k` copied values from job 4; code that uses them will not compile"
        ]
    );
}

#[test]
fn a_trailing_value_is_evaluated_after_the_block_statements_that_lead_it() {
    assert_eq!(split_tail("x + 1"), ("", "x + 1"));
    assert_eq!(
        split_tail("for i in 0..3 { f(i); }\nx + 1"),
        ("for i in 0..3 { f(i); }", "x + 1")
    );
    assert_eq!(
        split_tail("if c { 1 } else { 2 }"),
        ("", "if c { 1 } else { 2 }")
    );
    assert_eq!(
        split_tail("while a { } match x { _ => 1 }.max(2)"),
        ("while a { }", "match x { _ => 1 }.max(2)")
    );
    assert_eq!(split_tail("S { a: 1 }"), ("", "S { a: 1 }"));
}

#[test]
fn package_names_are_what_cargo_takes() {
    assert_eq!(package_name("../out/My Fib"), "my-fib");
    assert_eq!(package_name("/tmp/2024"), "exported-2024");
    assert_eq!(package_name("test"), "exported-test");
    assert_eq!(package_name("."), "exported");
}

#[test]
fn only_an_earlier_export_is_written_over_without_force() {
    assert!(may_write("d", Destination::Missing, false).is_ok());
    assert!(may_write("d", Destination::EarlierExport, false).is_ok());
    assert!(may_write("d", Destination::Other, false).is_err());
    assert!(may_write("d", Destination::Other, true).is_ok());
    assert!(may_write("d", Destination::NotAFolder, true).is_err());
}

#[test]
fn a_lone_dep_counts_once_done_and_until_the_session_moves_in_time() {
    let mut s = Session::new(Settings::default());
    s.submit("let a = 1;");
    crate::session::tests::finish(&mut s, 1, CellStatus::Ok, vec![]);
    let done = |s: &mut Session, ok: bool| {
        s.handle(EngineEvent::CommandDone {
            result: if ok {
                Ok(String::new())
            } else {
                Err("no".into())
            },
            vars: None,
        })
    };
    s.submit(":dep bad = \"9\"");
    done(&mut s, false);
    s.submit(":dep itoa = \"1\"");
    done(&mut s, true);
    let toml = |s: &mut Session| match &s.submit(":export out")[..] {
        [Effect::Export(plan)] => plan.files[0].1.clone(),
        other => panic!("{other:?}"),
    };
    let text = toml(&mut s);
    assert!(
        text.contains("itoa = \"1\"") && !text.contains("bad"),
        "{text}"
    );
    s.handle(EngineEvent::Restored {
        cell: 1,
        elapsed: Duration::ZERO,
        vars: vec![],
    });
    assert!(!toml(&mut s).contains("itoa"));
    let refused = s.submit(":export out --cell 9");
    assert!(matches!(&refused[..], [Effect::Show(n)] if n.kind == NoticeKind::Error));
}
