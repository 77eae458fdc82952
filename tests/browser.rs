//! A notebook in a real browser: JupyterLab in headless Chromium on a kernelspec installed
//! by `tmrepl kernel install`, its cells typed into the page and run with Shift+Enter
//! (tests/jupyter/test_lab.py), the rewound value read from the page. The same run makes
//! the README's picture: `TMREPL_SCREENSHOT=1 cargo test --test browser` writes
//! assets/notebook.png.
//!
//! It needs a Python with jupyterlab and playwright (`TMREPL_JUPYTER_PYTHON`, else the
//! virtualenv .ci/run makes in target/jupyter-venv) and Debian's chromium. Without them
//! the test is skipped, except in CI (CI=true), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::jupyter::{data_dir_with_kernelspec, python_with, report, run_python};

const MODULES: &str = "import jupyterlab, playwright";
/// Playwright drives the system's browser, so nothing is downloaded.
const CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn a_notebook_in_jupyterlab_shows_the_value_past_brought_back() {
    let Some(python) = python_with(MODULES) else {
        return;
    };
    if !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {CHROMIUM} (.ci/run installs Debian's chromium)"
        );
        eprintln!("skipped: no {CHROMIUM}; apt-get install chromium");
        return;
    }
    let data = data_dir_with_kernelspec();
    // Pictures (the notebook, or the page when a wait timed out) go to target/tmp.
    let out = run_python(
        &python,
        data.path(),
        &["test_lab.py", env!("CARGO_TARGET_TMPDIR")],
    );
    println!("{}", String::from_utf8_lossy(&out.stdout));
    let report = report(&out);
    assert!(out.status.success(), "{report}");
    assert!(
        report
            .lines()
            .any(|line| line.starts_with("lab: 6 cells ran")),
        "{report}"
    );
}
