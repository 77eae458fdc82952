//! The kernelspec under Jupyter Kernel Gateway, as a remote notebook uses it: the gateway
//! on 127.0.0.1 starts a tmrepl kernel through its REST API, and cells run over its
//! websocket (tests/jupyter/test_gateway.py says what is checked), against a kernelspec
//! installed by `tmrepl kernel install` into a temporary JUPYTER_DATA_DIR.
//!
//! It needs a Python with jupyter-kernel-gateway and websocket-client:
//! `TMREPL_JUPYTER_PYTHON`, else the virtualenv .ci/run makes in target/jupyter-venv.
//! Without one the test is skipped, except in CI (CI=true), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

const MODULES: &str = "import kernel_gateway, websocket";
const TEST: &str =
    "test_a_kernel_through_the_gateway_rewinds_runs_a_job_survives_a_segfault_and_ends";

#[test]
fn a_kernel_started_through_kernel_gateway_runs_cells_and_ends_with_its_processes() {
    let Some(report) = common::jupyter::run_unittest(MODULES, "test_gateway") else {
        return;
    };
    println!("{report}");
    // unittest exits 0 when a test was skipped, too: the one test must have run and passed.
    assert!(
        report
            .lines()
            .any(|line| line.starts_with(TEST) && line.ends_with("... ok")),
        "{report}"
    );
}
