//! The Jupyter kernel under the community's own tools: jupyter_kernel_test's conformance
//! suite and a notebook executed by nbclient (tests/jupyter/test_kernel.py), against a
//! kernelspec installed by `tmrepl kernel install` into a temporary JUPYTER_DATA_DIR.
//!
//! They need a Python with jupyter_kernel_test, jupyter_client, nbclient and nbformat:
//! `TMREPL_JUPYTER_PYTHON`, else the virtualenv .ci/run makes in target/jupyter-venv.
//! Without one the test is skipped, except in CI (CI=true), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::jupyter::{data_dir_with_kernelspec, python_with, report, run_python, run_unittest};

const MODULES: &str = "import jupyter_kernel_test, jupyter_client, nbclient, nbformat";

#[test]
fn jupyter_kernel_test_and_a_notebook_pass() {
    let Some(report) = run_unittest(MODULES, "test_kernel") else {
        return;
    };
    // unittest says OK when tests were skipped too: only the two samples tmrepl has no
    // use for (a pager, clearing output) may be.
    let skipped: Vec<&str> = report
        .lines()
        .filter(|line| line.contains("... skipped"))
        .collect();
    assert!(
        skipped.len() == 2
            && skipped
                .iter()
                .all(|line| line.contains("test_pager") || line.contains("test_clear_output")),
        "unexpected skips {skipped:?}\n{report}"
    );
    assert!(report.contains("test_display_data"), "{report}");
}

/// evcxr's tour notebook (tests/jupyter/evcxr_jupyter_tour.ipynb, with the outputs
/// evcxr_jupyter gave), executed cell by cell through the kernel by
/// tests/jupyter/test_tour.py, which compares every cell's outputs with the stored ones.
/// Its `:dep` cells compile image, evcxr_image and tokio from crates.io: minutes.
#[test]
fn evcxr_tour_notebook_gives_evcxrs_outputs() {
    let Some(python) = python_with(MODULES) else {
        return;
    };
    let data = data_dir_with_kernelspec();
    let out = run_python(&python, data.path(), &["test_tour.py"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = report(&out);
    println!("{stdout}");
    assert!(out.status.success(), "{report}");
    // Every code cell but Colab's setup ran and matched.
    assert!(
        stdout
            .lines()
            .any(|line| line == "tour: 23 passed, 0 failed, 1 skipped"),
        "{report}"
    );
}
