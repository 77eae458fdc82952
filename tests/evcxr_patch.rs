//! tmrepl builds against a patched evcxr (crates/tmrepl-evcxr, see its TMREPL-PATCHES.md): a cell
//! loads, checks and stores back only the stored variables it names (issue 12). These tests
//! tie the patch to the evcxr version in use and check, through the real tmrepl in line
//! mode, that sessions behave as with the unpatched evcxr.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{Transcript, run_command_with_script, tmrepl};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read_toml(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Fails when evcxr moves (a new version in Cargo.lock, or a newer vendored copy) without
/// the patch being re-checked and its notes updated.
#[test]
fn the_patch_notes_the_vendored_and_the_locked_evcxr_agree_on_the_version() {
    let root = Path::new(ROOT);
    let vendored = read_toml(&root.join("crates/tmrepl-evcxr/Cargo.toml"));
    let vendored_version = vendored["package"]["version"].as_str().unwrap();

    let lock = read_toml(&root.join("Cargo.lock"));
    let locked: Vec<&toml::Value> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|package| {
            let name = package["name"].as_str();
            name == Some("evcxr") || name == Some("tmrepl-evcxr")
        })
        .collect();
    // Stock evcxr must not come in beside the fork, through tmrepl or any dependency.
    assert_eq!(locked.len(), 1, "one evcxr in Cargo.lock: {locked:?}");
    assert_eq!(locked[0]["name"].as_str(), Some("tmrepl-evcxr"));
    let locked_version = locked[0]["version"].as_str().unwrap();
    // A registry `source` would mean the build uses the unpatched crate from crates.io.
    assert!(
        locked[0].get("source").is_none(),
        "Cargo.lock takes evcxr from {:?}, not from crates/tmrepl-evcxr",
        locked[0]["source"]
    );

    // That tmrepl's manifest takes the fork by this exact version and its path is
    // tests/packaging.rs's to check, with the helper crate's.

    let notes =
        std::fs::read_to_string(root.join("crates/tmrepl-evcxr/TMREPL-PATCHES.md")).unwrap();
    let noted_version = notes
        .lines()
        .find_map(|line| line.strip_prefix("Patched evcxr version: "))
        .expect("TMREPL-PATCHES.md has a 'Patched evcxr version: X' line")
        .trim();

    assert_eq!(vendored_version, locked_version);
    assert_eq!(noted_version, locked_version);
}

fn run_in(data: &Path, script: &str) -> Transcript {
    let mut command = tmrepl();
    command.arg("--data-dir").arg(data);
    // A rustc wrapper of the machine's (sccache) keeps cargo on every cell: not this test.
    command
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER");
    let t = run_command_with_script(command, script);
    assert!(t.success, "{}", t.all());
    assert!(!t.stdout.contains("crashed"), "{}", t.all());
    t
}

/// The source evcxr compiled last (in the session's build folder).
fn last_compiled_source(data: &Path) -> String {
    let build = data.join("build");
    let sources: Vec<PathBuf> = std::fs::read_dir(&build)
        .unwrap()
        .filter_map(|entry| Some(entry.ok()?.path().join("src/lib.rs")))
        .filter(|path| path.is_file())
        .collect();
    assert_eq!(sources.len(), 1, "{sources:?}");
    std::fs::read_to_string(&sources[0]).unwrap()
}

#[test]
fn cells_see_the_variables_they_name_and_the_others_keep_their_values() {
    let data = tempfile::tempdir().unwrap();
    let include = data.path().join("uses_a5.rs");
    std::fs::write(&include, "a5 * 2.0\n").unwrap();
    let t = run_in(
        data.path(),
        &format!(
            r#"let a1 = 1u64; let a2 = String::from("two"); let mut a3 = vec![3u8]; let a4 = (4i32, 'x'); let a5 = 5.5f64;
a3.push(4);
42
println!("{{a2}}-{{a1}}");
let moved = a2;
a2
include!({include:?})
format!("{{\u{{61}}1}}")
let a1 = a1 * 10;
format!("{{a1}} {{moved}} {{a3:?}} {{a4:?}} {{a5}}")
:vars
:past 3
format!("{{a1}} {{a2}} {{a3:?}} {{a4:?}}")
a3.len()
"#
        ),
    );
    let all = t.all();
    // A cell that names no variable, and one that names one of five (mutating it).
    assert_eq!(t.out(3), Some("42"), "{all}");
    // Inline format args name variables from inside a string literal.
    assert!(t.stdout.contains("\ntwo-1\n"), "{all}");
    // A variable moved by a later cell is gone, as with evcxr unpatched.
    assert!(t.stderr.contains("cannot find value `a2`"), "{all}");
    // Code that uses a variable without naming it: evcxr retries loading them all.
    assert_eq!(t.out(7), Some("11.0"), "{all}");
    assert_eq!(t.out(8), Some("\"1\""), "{all}");
    // Shadowing, and every value intact after cells that did not name it.
    assert_eq!(t.out(10), Some("\"10 two [3, 4] (4, 'x') 5.5\""), "{all}");
    let vars = t
        .stdout
        .split(">> :vars")
        .nth(1)
        .and_then(|rest| rest.split(">> :past").next())
        .unwrap_or("");
    for name in ["a1 ", "a3 ", "a4 ", "a5 ", "moved "] {
        assert!(vars.contains(name), "{name} in {vars}");
    }
    assert!(!vars.contains("a2 "), "{vars}");
    // The time machine brings back the values after cell 3, `a2` before its move included.
    assert!(t.stdout.contains("restored to cell 3"), "{all}");
    assert_eq!(t.out(11), Some("\"1 two [3, 4] (4, 'x')\""), "{all}");
    assert_eq!(t.out(12), Some("2"), "{all}");
    // What made cells cheap: the last cell's code loads the one variable it names.
    let source = last_compiled_source(data.path());
    assert!(
        source.contains("take_variable::<Vec<u8>>(stringify!(a3))"),
        "{source}"
    );
    for other in ["a1", "a2", "a4", "a5", "moved"] {
        assert!(
            !source.contains(&format!("stringify!({other})")),
            "{other} in {source}"
        );
    }
}

#[test]
fn a_variable_whose_type_a_dep_redefined_is_lost_when_next_named_never_misread() {
    let data = tempfile::tempdir().unwrap();
    let krate = data.path().join("minidep");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"minidep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        krate.join("src/lib.rs"),
        "pub fn triple(x: i32) -> i32 { x * 3 }\n",
    )
    .unwrap();
    let t = run_in(
        data.path(),
        &format!(
            r#"#[derive(Debug)] struct Point {{ x: i32 }}
let p = Point {{ x: 7 }}; let n = 5u32;
:dep {}
n + 1
minidep::triple(2)
p.x
n
:vars
std::fs::write({lib:?}, "pub fn triple(x: i32) -> i32 {{ x * 4 }}\n").unwrap();
minidep::triple(2)
n + 2
"#,
            krate.display(),
            lib = krate.join("src/lib.rs"),
        ),
    );
    let all = t.all();
    // evcxr's :dep says nothing when it works (and no line says it failed).
    assert!(!all.lines().any(|l| l.starts_with("error:")), "{all}");
    assert_eq!(t.out(3), Some("6"), "{all}");
    assert_eq!(t.out(4), Some("6"), "{all}");
    // The dependency changes the TypeId of `Point`: evcxr reports `p` lost when it is next
    // used (or, should the TypeId stay, reads it correctly). Never a wrong value or a crash.
    let lost = t
        .stderr
        .contains("The type of the variable p was redefined, so was lost.");
    if lost {
        assert_eq!(t.out(5), None, "{all}");
        assert!(t.stderr.contains("cannot find value `p`"), "{all}");
        let vars = t.stdout.split(">> :vars").nth(1).unwrap_or("");
        assert!(!vars.contains("p "), "{vars}");
    } else {
        assert_eq!(t.out(5), Some("7"), "{all}");
    }
    assert_eq!(t.out(6), Some("5"), "{all}");

    // Change 5: cells whose build inputs are unchanged skip cargo, but an edited path
    // dependency is an input: the cell after the edit sees the new code.
    assert_eq!(t.out(8), Some("8"), "{all}");
    assert_eq!(t.out(9), Some("7"), "{all}");
    // The last cell went straight to rustc: the command cargo recorded (at cell 8, whose
    // inputs had changed) is older than the last cell's source.
    let build = data.path().join("build/slot-0");
    let modified = |path: PathBuf| std::fs::metadata(&path).unwrap().modified().unwrap();
    assert!(
        modified(build.join(".evcxr-rustc-command")) < modified(build.join("src/lib.rs")),
        "{all}"
    );
}

/// A crate whose `static` counter tells whether cells share one copy of it.
fn counter_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"crate1\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "use std::sync::atomic::{AtomicU32, Ordering};\n\
         static FOO: AtomicU32 = AtomicU32::new(0);\n\
         pub fn set_value(v: u32) { FOO.store(v, Ordering::SeqCst); }\n\
         pub fn get_value() -> u32 { FOO.load(Ordering::SeqCst) }\n",
    )
    .unwrap();
}

/// Changes 8, 9 and 11: macros keep their textual scope, a type defined again drops the
/// variables of it in that cell (also when only a field's type changed, which rustc's
/// TypeId does not tell), and `:allow_static_linking 0` shares a dependency's statics
/// across cells (evcxr's `crate_deps` case) with `:past` bringing an old value back.
#[test]
fn macros_keep_their_scope_types_defined_again_drop_their_values_and_dylib_deps_share_statics() {
    let data = tempfile::tempdir().unwrap();
    let crate1 = data.path().join("crate1");
    counter_crate(&crate1);
    let t = run_in(
        data.path(),
        &format!(
            r#"macro_rules! say_hello {{ () => {{ println!("Hello!") }}; }} fn main() {{ say_hello!() }}
main();
macro_rules! say_hello {{ () => {{ println!("Bye!") }}; }}
say_hello!(); main();
struct P {{ x: i32 }}
let p = P {{ x: 1 }}; let q = 5; let v = vec![P {{ x: 2 }}];
struct P {{ x: i64 }}
:vars
:past 6
p.x + v[0].x + q
:allow_static_linking 0
:dep crate1 = {{ path = "{}" }}
crate1::set_value(765);
crate1::get_value()
crate1::set_value(1);
:past 10
crate1::get_value()
"#,
            crate1.display()
        ),
    );
    let all = t.all();
    // evcxr's define_then_call_macro, and the order a file would give.
    assert!(t.stdout.contains("In [2]: main();\nHello!\n"), "{all}");
    assert!(
        t.stdout
            .contains("In [4]: say_hello!(); main();\nBye!\nHello!\n"),
        "{all}"
    );
    // Said once, in evcxr's words, by the cell that redefined P; q stays.
    assert_eq!(
        t.stderr.matches("was redefined, so was lost.").count(),
        2,
        "{all}"
    );
    assert!(
        t.stderr
            .contains("The type of the variable p was redefined, so was lost.\nThe type of the variable v was redefined, so was lost."),
        "{all}"
    );
    let vars = t.stdout.split(">> :vars\n").nth(1).unwrap_or("");
    let vars = vars.split(">> ").next().unwrap_or("");
    assert!(vars.contains("\nq "), "{all}");
    assert!(!vars.contains("\np "), "{all}");
    assert!(!vars.contains("\nv "), "{all}");
    // Before the redefinition they are all there, with the old type.
    assert_eq!(t.out(8), Some("8"), "{all}");
    assert!(t.stdout.contains("Static linking: false"), "{all}");
    assert_eq!(t.out(10), Some("765"), "{all}");
    // After cell 11 set it to 1, the process as of cell 10 still has 765.
    assert_eq!(t.out(12), Some("765"), "{all}");
}

/// Builds that could only repeat the one before are skipped: a final expression is built
/// once, with the debug format, while nothing in the session could define `evcxr_display`;
/// a compile error is built again without evcxr's `catch_unwind` closure only when it
/// speaks of a closure. The variable store is a crate of its own, not pasted into cells.
/// Which build came last is read from the build folder after each session.
#[test]
fn a_cell_is_built_again_only_where_the_second_build_can_differ() {
    let data = tempfile::tempdir().unwrap();
    let t = run_in(data.path(), "let x = vec![1u8];\nx.len() + 40\n");
    assert!(t.stdout.contains("41"), "{}", t.all());
    let source = last_compiled_source(data.path());
    assert!(!source.contains("evcxr_display"), "{source}");
    assert!(!source.contains("mod evcxr_internal_runtime"), "{source}");
    assert!(source.contains("evcxr_internal_runtime::"), "{source}");

    let t = run_in(data.path(), "let e: Missing = 1;\n");
    assert!(
        t.all().contains("cannot find type `Missing`"),
        "{}",
        t.all()
    );
    let source = last_compiled_source(data.path());
    assert!(source.contains("catch_unwind"), "built again: {source}");

    // Inside the closure this is "`break` inside of a closure"; reported as written.
    let t = run_in(data.path(), "break;\n");
    assert!(t.all().contains("`break` outside of a loop"), "{}", t.all());
    assert!(!last_compiled_source(data.path()).contains("catch_unwind"));

    // A method of the session's own is found and used, in the cell that defines it and
    // in a later one.
    let t = run_in(
        data.path(),
        "struct Shown; impl Shown { fn evcxr_display(&self) { println!(\"EVCXR_BEGIN_CONTENT text/plain\\nshown by its method\\nEVCXR_END_CONTENT\"); } }\nShown\n",
    );
    assert!(t.stdout.contains("shown by its method"), "{}", t.all());
}

/// `:past` back before a `:dep` returns to a dependency set built before, whose rustc
/// command the patched evcxr still keeps (the policy is the unit test
/// `rustc_commands_are_kept_for_the_last_sets_of_build_inputs`): the cell after it sees
/// the state of that cell and is built without cargo (the record cargo's wrapper writes is
/// older than its source).
#[test]
fn a_dependency_set_gone_back_to_is_built_without_cargo() {
    let data = tempfile::tempdir().unwrap();
    let t = run_in(
        data.path(),
        "let a = 41;\n:dep itoa = \"1\"\nitoa::Buffer::new().format(7u8).len() + 100\n:past 1\na + 1\n",
    );
    let all = t.all();
    assert!(all.contains("101"), "{all}");
    assert!(all.contains("restored to cell 1"), "{all}");
    assert!(all.contains("42"), "{all}");
    let build = data.path().join("build/slot-0");
    let modified = |path: PathBuf| std::fs::metadata(&path).unwrap().modified().unwrap();
    assert!(
        modified(build.join(".evcxr-rustc-command")) < modified(build.join("src/lib.rs")),
        "{all}"
    );
}
