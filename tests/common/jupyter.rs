//! For the tests that run the kernel under Jupyter's own Python tools (tests/jupyter.rs,
//! tests/gateway.rs, …): finding a Python that has them, a temporary Jupyter data folder
//! with the kernelspec `tmrepl kernel install --user` writes, and running the scripts in
//! tests/jupyter.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Python for which `imports` (a Python import statement) works:
/// `TMREPL_JUPYTER_PYTHON`, else the virtualenv .ci/run makes in target/jupyter-venv.
/// Without one the caller skips its test (None, with a printed "skipped" line), except in
/// CI (CI set), where missing tools are a failure.
pub fn python_with(imports: &str) -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/jupyter-venv/bin/python");
    let candidates = std::env::var_os("TMREPL_JUPYTER_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv]);
    for python in candidates {
        let works = Command::new(&python)
            .args(["-c", imports])
            .output()
            .is_ok_and(|out| out.status.success());
        if works {
            return Some(python);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the Jupyter test tools for {imports:?} (.ci/run makes target/jupyter-venv)"
    );
    eprintln!("skipped: no Python with {imports}; set TMREPL_JUPYTER_PYTHON");
    None
}

/// A temporary Jupyter data folder holding only the tmrepl kernelspec, installed as a
/// user installs it.
pub fn data_dir_with_kernelspec() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("a temporary folder");
    let install = Command::new(env!("CARGO_BIN_EXE_tmrepl"))
        .args(["kernel", "install", "--user"])
        .env("JUPYTER_DATA_DIR", data.path())
        .output()
        .expect("run tmrepl kernel install");
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    data
}

/// `python ARGS` in tests/jupyter, with Jupyter seeing only the kernelspec in `data`.
pub fn run_python(python: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(python)
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/jupyter"))
        .env("JUPYTER_DATA_DIR", data)
        // Only our kernelspec: none of the machine's own.
        .env("JUPYTER_PATH", data)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run the Python script")
}

/// `python -m unittest -v MODULE` in tests/jupyter against a fresh kernelspec, with a
/// Python for which `imports` works; panics with what it printed unless it passed.
/// Returns that, or None when the test is skipped (see `python_with`).
pub fn run_unittest(imports: &str, module: &str) -> Option<String> {
    let python = python_with(imports)?;
    let data = data_dir_with_kernelspec();
    let out = run_python(&python, data.path(), &["-m", "unittest", "-v", module]);
    let report = report(&out);
    assert!(out.status.success(), "{report}");
    Some(report)
}

/// What a script printed, for a failed assertion's message.
pub fn report(out: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
