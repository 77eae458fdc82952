//! Line mode end to end: real evcxr, real compilation, real forks. Each test is one
//! session covering several behaviours, because a session costs seconds to start.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{Live, run_command_with_script, run_script, tmrepl};
use std::time::Duration;

/// The version of evcxr that Cargo.lock records (its fork, tmrepl-evcxr, keeps it).
fn locked_evcxr_version() -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .expect("reading Cargo.lock");
    let lock: toml::Table = toml::from_str(&lock).expect("parsing Cargo.lock");
    let packages = lock["package"]
        .as_array()
        .expect("Cargo.lock lists packages");
    packages
        .iter()
        .find(|package| package["name"].as_str() == Some("tmrepl-evcxr"))
        .and_then(|package| package["version"].as_str())
        .expect("Cargo.lock has tmrepl-evcxr")
        .to_owned()
}

#[test]
fn cells_are_numbered_evaluated_and_commands_answer() {
    let t = run_script(
        r#"let x = 40;
let y = x + 2;
y
fn add(a: i32,
       b: i32) -> i32 {
    a + b
}
add(x, 2) * 10
let s = "unclosed { in a string";
s.len()
let broken: i32 = "not a number";
:frobnicate
:past nope
println!("line one"); println!("line two");
x + 1
:help
:version
:cells
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    // A value carried across cells, and a final expression.
    assert_eq!(t.out(3), Some("42"), "{all}");
    // A multi-line cell (unclosed parens and braces continue the cell).
    assert!(t.stdout.contains("In [4]: fn add(a: i32,"), "{all}");
    assert_eq!(t.out(5), Some("420"), "{all}");
    // Brackets inside strings do not confuse the reader.
    assert_eq!(t.out(7), Some("22"), "{all}");
    // A compile error with its message and the offending span.
    assert!(t.stderr.contains("mismatched types"), "{all}");
    assert!(
        t.stderr.contains("let broken: i32 = \"not a number\";"),
        "{all}"
    );
    // Unknown command and bad arguments: one line each, no number taken, session alive.
    assert!(
        t.stderr
            .contains("error: unknown command :frobnicate; :help lists them"),
        "{all}"
    );
    assert!(
        t.stderr
            .contains("error: :past: expected a cell number, got `nope`"),
        "{all}"
    );
    // The failing cell still took number 8; stdout streams line by line.
    assert!(t.stdout.contains("In [9]: println!"), "{all}");
    assert!(t.stdout.contains("line one\nline two"), "{all}");
    assert_eq!(t.out(10), Some("41"), "{all}");
    // :help lists every command on one line each.
    assert!(t.stdout.contains(":past N"), "{all}");
    assert!(t.stdout.contains(":dep NAME"), "{all}");
    // :version names the evcxr Cargo.lock pins, to the patch level, and the cells' rustc.
    let version = format!(
        "tmrepl {}, evcxr {}, rustc ",
        env!("CARGO_PKG_VERSION"),
        locked_evcxr_version()
    );
    assert!(t.stdout.contains(&version), "{all}");
    // :cells: number, first line, status, time.
    let cells: Vec<&str> = t
        .stdout
        .lines()
        .skip_while(|l| !l.contains("status"))
        .collect();
    assert!(cells.iter().any(|l| l.contains("   8  error")), "{all}");
    assert!(
        cells
            .iter()
            .any(|l| l.contains("  10  ok") && l.contains("x + 1")),
        "{all}"
    );
    assert_eq!(
        cells.iter().filter(|l| l.contains(" ok ")).count(),
        9,
        "{all}"
    );
}

#[test]
fn past_restores_values_of_any_type_functions_and_branches() {
    let t = run_script(
        r#"use std::rc::Rc; use std::cell::RefCell; use std::collections::HashMap;
struct Acc { items: Vec<i32> }
let mut v = vec![1, 2]; let mut acc = Acc { items: vec![1] }; let shared = Rc::new(RefCell::new(10)); let mut m: HashMap<String, i32> = HashMap::new();
let offset = 100; let add: Box<dyn Fn(i32) -> i32> = Box::new(move |x| x + offset);
fn f() -> i32 { 1 } let mut t = 5u8;
v.push(3); acc.items.push(2); *shared.borrow_mut() += 5; m.insert("k".into(), 7); let later = 1;
fn f() -> i32 { 2 }
let t = String::from("now a string");
format!("{:?} {:?} {} {} {} {}", v, acc.items, shared.borrow(), m.len(), f(), t)
:past 5
format!("{:?} {:?} {} {} {} {} {}", v, acc.items, shared.borrow(), m.len(), f(), t + 1, add(1))
later
:vars
:vars 9
:past 11
:past 12
:past 1000
:cells
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert_eq!(
        t.out(9),
        Some("\"[1, 2, 3] [1, 2] 15 1 2 now a string\""),
        "{all}"
    );
    assert!(t.stdout.contains("restored to cell 5"), "{all}");
    // Everything as it was after cell 5: the Vec before its push, the non-Clone struct,
    // the Rc<RefCell>, the map, the old body of f, t's old type (u8) and a boxed closure.
    assert_eq!(t.out(10), Some("\"[1, 2] [1] 10 0 1 6 101\""), "{all}");
    // A variable defined after cell 5 is gone.
    assert!(t.stderr.contains("cannot find value `later`"), "{all}");
    // :vars now (after the restore) has no `later`; :vars 9 still does.
    let vars_now = section(&t.stdout, ">> :vars", ">> :vars 9");
    assert!(
        vars_now.contains("acc ") && vars_now.contains("Acc"),
        "{all}"
    );
    assert!(!vars_now.contains("later"), "{vars_now}");
    assert!(vars_now.contains("u8"), "{vars_now}");
    let vars_9 = section(&t.stdout, ">> :vars 9", ">> :past 11");
    assert!(vars_9.contains("later"), "{vars_9}");
    assert!(vars_9.contains("String"), "{vars_9}");
    // Cell 11 failed to compile: no state to go back to. Cell 12 never existed.
    assert!(
        t.stderr.contains(":past 11: the cell failed to compile"),
        "{all}"
    );
    assert!(t.stderr.contains(":past 12: no such cell"), "{all}");
    assert!(t.stderr.contains(":past 1000: no such cell"), "{all}");
    // Cells after the rewind branch from 5: numbering went on at 10.
    assert!(t.stdout.contains("(from 5)"), "{all}");
}

#[test]
fn crashes_and_panics_never_lose_earlier_state() {
    let t = run_script(
        r#"let mut keep = vec![String::from("safe")];
keep.push("still".into());
panic!("boom");
keep.len()
unsafe { std::ptr::null_mut::<i32>().write_volatile(1); }
keep.len()
std::process::exit(3);
keep.len()
std::process::abort();
keep.join(" ")
:cells
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(t.stderr.contains("boom"), "{all}");
    assert!(t.stderr.contains("cell 3 panicked"), "{all}");
    assert_eq!(t.out(4), Some("2"), "{all}");
    assert!(
        t.stderr
            .contains("cell 5 crashed: segmentation fault (SIGSEGV)"),
        "{all}"
    );
    assert_eq!(t.out(6), Some("2"), "{all}");
    assert!(
        t.stderr.contains(
            "cell 7 crashed: the process exited with status 3; the session is back at cell 6"
        ),
        "{all}"
    );
    assert_eq!(t.out(8), Some("2"), "{all}");
    assert!(
        t.stderr.contains("cell 9 crashed: aborted (SIGABRT"),
        "{all}"
    );
    assert_eq!(t.out(10), Some("\"safe still\""), "{all}");
    assert!(t.stdout.contains("crashed"), "{all}");
}

#[test]
fn ctrl_c_interrupts_the_cell_not_the_session() {
    let mut live = Live::start();
    live.send("let before = 7 * 6;");
    live.send("before");
    live.expect("Out[2]: 42", Duration::from_secs(120));
    live.send("loop { std::hint::spin_loop(); }");
    live.expect("In [3]: loop", Duration::from_secs(30));
    // Press Ctrl-C once the loop runs. A press while the cell still compiles is ignored,
    // so press again until it lands (a slow machine may take a while to compile).
    let pid = nix::unistd::Pid::from_raw(live.child.id() as i32);
    let mut interrupted = false;
    for _ in 0..30 {
        std::thread::sleep(Duration::from_secs(1));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
        if live
            .try_expect("cell 3 was interrupted", Duration::from_secs(2))
            .is_some()
        {
            interrupted = true;
            break;
        }
    }
    assert!(
        interrupted,
        "Ctrl-C never stopped the loop:\n{}",
        live.seen.join("\n")
    );
    live.send("before + 1");
    live.expect("Out[4]: 43", Duration::from_secs(60));
    let status = live.finish();
    assert!(status.success());
}

#[test]
fn clear_past_frees_snapshot_memory_and_snapshots_can_pause() {
    let t = run_script(
        r#"let mut big: Vec<u8> = vec![1; 64 << 20];
for b in big.iter_mut() { *b = 2; }
for b in big.iter_mut() { *b = 3; }
:snapshots off
let unsaved = 1;
:saving on
:past 4
:dontsave big
:past 3
:vars
:clear_past 1..2
:past 1
:clear_past
:unhook
:past 3
:cells
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(
        t.stdout.contains("snapshots off: none until :snapshots on"),
        "{all}"
    );
    // Its old name still works.
    assert!(
        t.stdout.contains("snapshots on: one after every cell"),
        "{all}"
    );
    assert!(
        t.stderr
            .contains(":past 4: no snapshot was taken (snapshots were off or unhooked)"),
        "{all}"
    );
    assert!(t.stdout.contains("restored to cell 3"), "{all}");
    // :dontsave keeps `big` out of what :past brings back.
    let vars = section(&t.stdout, ">> :vars", ">> :clear_past 1..2");
    assert!(vars.contains("no variables"), "{vars}");
    // Each of cells 1 and 2 wrote all 64 MiB, so their snapshots hold that much privately.
    let freed = t
        .stdout
        .lines()
        .find(|l| l.starts_with("cleared 2 snapshots, freed"))
        .unwrap_or_else(|| panic!("no freed line\n{all}"));
    let mib: f64 = freed
        .trim_start_matches("cleared 2 snapshots, freed ")
        .trim_end_matches(" MiB")
        .parse()
        .unwrap_or_else(|_| panic!("unexpected {freed}"));
    assert!(mib > 100.0, "{freed}");
    assert!(
        t.stderr.contains(":past 1: its snapshot was cleared"),
        "{all}"
    );
    assert!(t.stdout.contains("time machine off"), "{all}");
    assert!(
        t.stderr.contains(":past 3: its snapshot was cleared"),
        "{all}"
    );
}

fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(from).map(|i| i + from.len()).unwrap_or(0);
    let end = text[start..]
        .find(to)
        .map(|i| start + i)
        .unwrap_or(text.len());
    &text[start..end]
}

#[test]
fn threads_make_degraded_snapshots_and_the_budget_evicts() {
    let mut command = common::tmrepl();
    command.args(["--snapshot-memory", "150M"]);
    let t = common::run_command_with_script(
        command,
        r#"let mut big: Vec<u8> = vec![1; 64 << 20];
for b in big.iter_mut() { *b = 2; }
for b in big.iter_mut() { *b = 3; }
for b in big.iter_mut() { *b = 4; }
let handle = std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(600)));
big[0]
:past 5
:cells
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    // Four full rewrites of 64 MiB cannot all stay within 150 MiB: old ones are evicted.
    assert!(t.stdout.contains("snapshot memory over budget"), "{all}");
    assert!(t.stdout.contains("evicted"), "{all}");
    // A user thread is alive from cell 5 on: fork cannot copy it.
    assert!(t.stderr.contains("snapshot 5 is degraded"), "{all}");
    assert!(t.stdout.contains("degraded"), "{all}");
    assert_eq!(t.out(6), Some("4"), "{all}");
}

#[test]
fn deps_and_stdin_requests_work_and_rewind() {
    let t = run_script(
        r#"let before_dep = 1;
:dep evcxr_input = "1"
let name = evcxr_input::get_string("name? ");
Ada
name.len()
:show_deps
:past 1
let again = evcxr_input::get_string("x");
:show_deps
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(!t.stderr.contains("error:"), "{all}");
    // The cell's request for a line of input is answered by the next input line.
    assert_eq!(t.out(3), Some("3"), "{all}");
    assert!(t.stdout.contains("evcxr_input = \"1\""), "{all}");
    // Going back to before the :dep removes the dependency too.
    assert!(t.stdout.contains("restored to cell 1"), "{all}");
    assert!(t.stderr.contains("evcxr_input"), "{all}");
    assert!(t.stdout.trim_end().ends_with("no dependencies"), "{all}");
}

#[test]
fn dontsave_keeps_copy_values_out_of_past() {
    let t = run_script(
        r#"let mut skip = 1;
let kept = 5;
:dontsave skip
skip = 2;
:past 2
:vars
:vars 2
"#,
    );
    let all = t.all();
    assert!(t.success, "{all}");
    assert!(t.stdout.contains("restored to cell 2"), "{all}");
    // A `Copy` value is gone too, not left at its old value.
    let now = section(&t.stdout, ">> :vars\n", ">> :vars 2");
    assert!(now.contains("kept"), "{now}");
    assert!(!now.contains("skip"), "{now}");
    let then = section(&t.stdout, ">> :vars 2", "\u{0}");
    assert!(then.contains("skip") && then.contains("dontsave"), "{then}");
}

#[test]
fn history_moves_from_a_configured_data_folder_to_the_state_folder() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("my-data");
    let state = home.path().join("state");
    std::fs::create_dir_all(&data).unwrap();
    // As the line editor writes it: `println!("a\nb");`, then a two-line cell.
    let text = "#V2\nprintln!(\"a\\\\nb\");\nfn f() {\\n}\n";
    std::fs::write(data.join("history"), text).unwrap();
    let mut command = tmrepl();
    command
        .arg("--data-dir")
        .arg(&data)
        .env("XDG_STATE_HOME", &state)
        .env("XDG_CONFIG_HOME", home.path().join("config"));
    let t = run_command_with_script(command, "");
    let all = t.all();
    assert!(t.success, "{all}");
    assert_eq!(
        std::fs::read_to_string(state.join("tmrepl/history")).unwrap(),
        text
    );
    assert!(!data.join("history").exists());
    assert_eq!(
        tmrepl::history::load(&state.join("tmrepl/history"), 100).unwrap(),
        [r#"println!("a\nb");"#, "fn f() {\n}"]
    );
    // Moving it is not worth a word.
    assert_eq!(t.stderr, "", "{all}");
}

/// evcxr's own commands answer as evcxr does (expected texts from evcxr 0.22's
/// command_context.rs and its integration tests `check_for_doc` and `crate_show_deps`).
#[test]
fn evcxr_commands_doc_static_linking_and_local_path_deps() {
    let data = tempfile::tempdir().unwrap();
    let crate2 = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(crate2.path().join("src")).unwrap();
    std::fs::write(
        crate2.path().join("Cargo.toml"),
        "[package]\nname = \"crate2\"\nversion = \"0.0.1\"\nedition = \"2018\"\n",
    )
    .unwrap();
    std::fs::write(
        crate2.path().join("src/lib.rs"),
        "pub fn r22() -> i32 {22}\n",
    )
    .unwrap();
    let path2 = crate2.path().to_str().unwrap();
    let mut command = tmrepl();
    command.arg("--data-dir").arg(data.path());
    let t = run_command_with_script(
        command,
        &format!(
            r#"/** this is my struct */ struct MyStruct(usize);
:doc MyStruct
:doc Vec
:allow_static_linking 0
:allow_static_linking 1
1 + 1
:dep {path2}
:show_deps
crate2::r22()
:build_env SOME_KEY=some value
:time_passes
:time_passes
:env SOME_KEY=1
std::env::var("SOME_KEY").unwrap()
"#
        ),
    );
    let all = t.all();
    assert!(t.success, "{all}");
    // evcxr's check_for_doc: the hover text of a user item, crate `ctx`.
    assert_eq!(
        section(&t.stdout, ">> :doc MyStruct\n", "\n>> "),
        "ctx\n\nstruct MyStruct(usize)\n\n\nthis is my struct",
        "{all}"
    );
    // And of a std item, as rust-analyzer renders it.
    let vec_doc = section(&t.stdout, ">> :doc Vec\n", "\n>> ");
    assert!(
        vec_doc.starts_with("alloc::vec\n\npub struct Vec<T, A = Global>"),
        "{vec_doc}"
    );
    assert!(
        vec_doc.contains("A contiguous growable array type"),
        "{vec_doc}"
    );
    assert!(
        t.stdout.contains(
            "\nStatic linking: false\n>> :allow_static_linking 1\nStatic linking: true\n"
        ),
        "{all}"
    );
    assert_eq!(t.out(2), Some("2"), "{all}");
    // A local crate is named from its Cargo.toml, as evcxr's crate_show_deps expects.
    assert!(!t.stdout.contains("added dependency"), "{all}");
    assert_eq!(
        section(&t.stdout, ">> :show_deps\n", "\n"),
        format!("crate2 = {{ path = \"{path2}\" }}"),
        "{all}"
    );
    assert_eq!(t.out(3), Some("22"), "{all}");
    // evcxr's KEY=VALUE form and wording; :time_passes toggles as evcxr's does.
    assert!(
        t.stdout.contains("\nSet SOME_KEY=some value for build\n"),
        "{all}"
    );
    let toggles = section(&t.stdout, ">> :time_passes\n", ">> :env");
    assert_eq!(
        toggles, "Time passes: true\n>> :time_passes\nTime passes: false\n",
        "{all}"
    );
    // evcxr's :env sets it for the next child process; here it applies at once.
    assert!(
        t.stdout.contains(">> :env SOME_KEY=1\nSet SOME_KEY=1\n"),
        "{all}"
    );
    assert_eq!(
        t.out(4).map(str::to_owned),
        Some("\"1\"".to_owned()),
        "{all}"
    );
}

/// `:vars N` reads values from cell N's snapshot while the session is elsewhere: every
/// type shows something, a huge value only a short preview, and a `Debug` that panics or
/// never returns costs its preview, not the session. `--explain-past` shows the values
/// that `:past N` changes before it rewinds.
#[test]
fn vars_show_values_of_an_old_cell_without_going_there() {
    let mut live = common::Live::start_with(&["--explain-past"]);
    let long = Duration::from_secs(180);
    for cell in [
        "let mut v = vec![1, 2, 3];",
        "let s = String::from(\"old\");",
        "struct Opaque { a: u64 }",
        "let o = Opaque { a: 1 };",
        "let big = vec![7u8; 50 << 20];",
        "v.push(4); let s = String::from(\"new\"); let extra = 9u8; o.a",
    ] {
        live.send(cell);
    }
    live.expect("Out[6]: 1", long);
    // Measured, not asserted: a peek is a compile plus a fork; a small cell for scale.
    let started = std::time::Instant::now();
    live.send("o.a + 1");
    live.expect("Out[7]: 2", long);
    let cell = started.elapsed();
    live.send(":vars 5");
    let started = std::time::Instant::now();
    let v_line = live.expect("[1, 2, 3]", long);
    let elapsed = started.elapsed();
    eprintln!("measured: :vars 5 with 4 variables took {elapsed:?}; a small cell {cell:?}");
    assert!(v_line.starts_with("v "), "{v_line}");
    live.expect_all(&["\"old\"", "<no Debug, 8 bytes>"], long);
    let big_line = live
        .seen
        .iter()
        .find(|l| l.starts_with("big "))
        .cloned()
        .unwrap_or_default();
    assert!(
        big_line.contains("[7, 7, 7") && big_line.ends_with('…'),
        "{big_line}"
    );
    assert!(big_line.chars().count() < 140, "{big_line}");
    // The current cell's values come from the worker, which cell 5's peek left alone.
    live.send(":vars");
    live.expect("[1, 2, 3, 4]", long);
    live.send(":vars 5 v");
    live.expect("v: Vec<i32> (as of cell 5) =", long);
    live.expect("    3,", long);
    live.send(
        "struct Boom; impl std::fmt::Debug for Boom { fn fmt(&self, _: &mut std::fmt::Formatter) -> std::fmt::Result { panic!(\"boom\") } }",
    );
    live.send(
        "struct Spin; impl std::fmt::Debug for Spin { fn fmt(&self, _: &mut std::fmt::Formatter) -> std::fmt::Result { loop {} } }",
    );
    live.send("let boom = Boom; let spin = Spin;");
    live.send(":vars");
    live.expect_all(
        &[
            "<Debug panicked: boom>",
            "<Debug did not finish in time; stopped>",
        ],
        long,
    );
    // The session is untouched.
    live.send("v.len() + extra as usize");
    live.expect("Out[11]: 13", long);
    live.send(":past 5");
    live.expect_all(
        &[
            "~ v: [1, 2, 3, 4] → [1, 2, 3]",
            "~ s: \"new\" → \"old\"",
            "- extra: u8 = 9",
            "- boom: Boom = <Debug panicked: boom>",
        ],
        long,
    );
    live.expect("restored to cell 5", long);
    live.send("v");
    live.expect("Out[12]: [1, 2, 3]", long);
    // A cleared snapshot gives the reason instead of values.
    live.send(":clear_past 1..2");
    live.send(":vars 2");
    live.expect("(values not shown: its snapshot was cleared)", long);
    assert!(live.finish().success(), "{}", live.seen.join("\n"));
}

/// A cell that failed takes no snapshot: a crash after it goes back to the cell before.
#[test]
fn a_crash_after_a_failed_cell_goes_back_to_the_last_cell_that_ran() {
    let t = run_script("let x = 1;\nlet v = || 42;\nstd::process::abort();\nx\n");
    let all = t.all();
    assert!(
        t.stderr
            .contains("cell 3 crashed: aborted (SIGABRT); the session is back at cell 1;"),
        "{all}"
    );
    assert!(!all.contains("no saved compiler state"), "{all}");
    assert_eq!(t.out(4), Some("1"), "{all}");
}

/// A value whose type a later dependency rebuilt previews as lost, and the others still
/// preview: never "the preview job ended early".
#[test]
fn a_value_a_new_dependency_made_unreadable_previews_as_lost() {
    let t = run_script(
        "let s = 1;\npub struct P(i32);\nlet p = P(1);\n:dep base64 = \"0.10.1\"\n:vars\n",
    );
    let all = t.all();
    assert!(!all.contains("ended early"), "{all}");
    let table = t.stdout.split(">> :vars\n").nth(1).unwrap_or("");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("s ") && l.trim_end().ends_with(" 1")),
        "{all}"
    );
    // Either the type kept its TypeId (then p reads as it is) or it is said to be lost.
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("p ") && (l.contains("<lost: ") || l.contains("<no Debug"))),
        "{all}"
    );
}

/// The engine builds the helper crate at the start of every session, its cargo lines kept
/// off stderr; an error for input typed meanwhile (here the only input, read at once) is
/// still printed there. Whether the error comes during that build is a race (about half
/// the starts with the helper already built), so the session starts five times.
#[test]
fn an_error_typed_while_the_session_starts_is_printed() {
    let data = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let mut command = tmrepl();
        command.arg("--data-dir").arg(data.path());
        let t = run_command_with_script(command, ":frobnicate\n");
        assert!(
            t.stderr
                .contains("error: unknown command :frobnicate; :help lists them"),
            "{}",
            t.all()
        );
        // The helper's dependencies build in the first run: their lines are not the user's.
        assert!(!t.stderr.contains("Compiling"), "{}", t.all());
    }
}
