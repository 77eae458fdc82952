//! `:export` end to end: a real session with a branch left behind by `:past`, exported,
//! and the exported project built and run by cargo; it must print what the cells of the
//! branch printed, and nothing of the branch left behind.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on what it sets up

mod common;

use std::process::Command;

/// What a line of the session or of the program printed, told from the echo of its source.
fn printed(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("OUT "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_exported_branch_runs_and_prints_what_its_cells_printed() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("fib project");
    let old = work.path().join("old branch");
    let taken = work.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("notes.txt"), "not an export").unwrap();
    let q = |p: &std::path::Path| format!("\"{}\"", p.display());
    // base64 0.10.1 is a dependency other tests fetch too (tests/plain.rs).
    let script = format!(
        r#":dep base64 = "0.10.1"
fn double(x: i32) -> i32 {{ x * 2 }}
let mut v = vec![1, 2];
v.push(double(3)); println!("OUT {{v:?}}");
let lost = 1; println!("OUT abandoned");
:past 3
!echo shell
fn double(x: i32) -> i32 {{ x + x }}
println!("OUT {{}}", base64::encode(&v.iter().map(|x| *x as u8).collect::<Vec<u8>>()));
v.len()
for i in 0..2 {{ println!("OUT loop {{i}} {{}}", double(i)); }}
let nope: i32 = "not a number";
v.iter().sum::<i32>()
:export {out} --cell 4
:export {out}
:export {old} --cell 4
:export {taken}
:export {out} --cell 99
"#,
        out = q(&out),
        old = q(&old),
        taken = q(&taken),
    );
    let t = common::run_script(&script);
    assert!(t.success, "{}", t.all());
    let session: Vec<String> = printed(&t.stdout)
        .into_iter()
        .filter(|l| l != "OUT abandoned")
        .collect();
    assert_eq!(
        session,
        ["OUT [1, 2, 6]", "OUT AQIG", "OUT loop 0 0", "OUT loop 1 2"],
        "{}",
        t.all()
    );
    assert!(
        t.stdout
            .contains("exported cells 1, 2, 3, 6, 7, 8, 9 and 11 (the branch to cell 11)"),
        "{}",
        t.all()
    );
    assert!(
        t.stdout.contains("cell 5: `!echo shell` ran in a shell"),
        "{}",
        t.all()
    );
    // Writing over an earlier export (cell 4's branch, then the whole branch) is
    // allowed; a folder of something else and a missing cell are not.
    assert!(
        t.all()
            .contains("the folder is not empty and not an earlier export"),
        "{}",
        t.all()
    );
    assert!(!taken.join("Cargo.toml").exists());
    assert!(t.all().contains("no cell 99"), "{}", t.all());

    // The branch `:past` left behind exports on its own: its cell, not the later ones.
    let old_main = std::fs::read_to_string(old.join("src/main.rs")).unwrap();
    assert!(
        old_main.contains("println!(\"OUT abandoned\");"),
        "{old_main}"
    );
    assert!(!old_main.contains("x + x"), "{old_main}");

    let toml = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(toml.contains("base64 = \"0.10.1\""), "{toml}");
    let main = std::fs::read_to_string(out.join("src/main.rs")).unwrap();
    assert!(!main.contains("abandoned"), "{main}");
    assert!(
        main.contains("// - cell 5: `!echo shell` ran in a shell"),
        "{main}"
    );
    assert!(
        !main.contains("not a number"),
        "a cell that failed was exported:\n{main}"
    );
    let run = Command::new(env!("CARGO"))
        .args(["run", "--offline", "--quiet"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", work.path().join("target"))
        .output()
        .unwrap();
    let program = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{main}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(printed(&program), session, "{main}");
}
