//! The Jupyter kernel under the community's own tools: jupyter_kernel_test's conformance
//! suite and a notebook executed by nbclient (tests/jupyter/test_kernel.py), against a
//! kernelspec installed by `tmrepl kernel install` into a temporary JUPYTER_DATA_DIR.
//!
//! They need a Python with jupyter_kernel_test, jupyter_client, nbclient and nbformat:
//! `TMREPL_JUPYTER_PYTHON`, else the virtualenv .ci/run makes in target/jupyter-venv.
//! Without one the test is skipped, except in CI (CI=true), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::path::PathBuf;
use std::process::Command;

const MODULES: &str = "import jupyter_kernel_test, jupyter_client, nbclient, nbformat";

fn jupyter_python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/jupyter-venv/bin/python");
    let candidates = std::env::var_os("TMREPL_JUPYTER_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv]);
    for python in candidates {
        let works = Command::new(&python)
            .args(["-c", MODULES])
            .output()
            .is_ok_and(|out| out.status.success());
        if works {
            return Some(python);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the Jupyter test tools (.ci/run makes target/jupyter-venv)"
    );
    eprintln!("skipped: no Python with {MODULES}; set TMREPL_JUPYTER_PYTHON");
    None
}

#[test]
fn jupyter_kernel_test_and_a_notebook_pass() {
    let Some(python) = jupyter_python() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let install = Command::new(env!("CARGO_BIN_EXE_tmrepl"))
        .args(["kernel", "install", "--user"])
        .env("JUPYTER_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let out = Command::new(python)
        .args(["-m", "unittest", "-v", "test_kernel"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/jupyter"))
        .env("JUPYTER_DATA_DIR", data.path())
        // Only our kernelspec: none of the machine's own.
        .env("JUPYTER_PATH", data.path())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let report = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{report}");
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
    let Some(python) = jupyter_python() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let install = Command::new(env!("CARGO_BIN_EXE_tmrepl"))
        .args(["kernel", "install", "--user"])
        .env("JUPYTER_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let out = Command::new(python)
        .arg("test_tour.py")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/jupyter"))
        .env("JUPYTER_DATA_DIR", data.path())
        // Only our kernelspec: none of the machine's own.
        .env("JUPYTER_PATH", data.path())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = format!(
        "--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
