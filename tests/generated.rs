//! The man page and shell completions in the repository must match the clap definition.
//! Regenerate them with: TMREPL_BLESS=1 cargo test --test generated

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::path::Path;

fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("TMREPL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return;
    }
    match std::fs::read(path) {
        Ok(actual) if actual == expected => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn man_page_and_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    check(
        &root.join("man/tmrepl.1"),
        &tmrepl::cli::man_page().unwrap(),
        &mut stale,
    );
    for (name, script) in tmrepl::cli::completion_scripts() {
        check(&root.join("completions").join(name), &script, &mut stale);
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}; run: TMREPL_BLESS=1 cargo test --test generated"
    );
}
