//! The command line: --help, --version, `tmrepl config` and configuration errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use std::process::Command;

fn tmrepl(config_home: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tmrepl"));
    command
        .env("XDG_CONFIG_HOME", config_home)
        .env("XDG_DATA_HOME", config_home.join("data"))
        .env_remove("NO_COLOR");
    command
}

#[test]
fn help_version_and_effective_config() {
    let home = tempfile::tempdir().unwrap();
    let help = tmrepl(home.path()).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--snapshot-memory"), "{text}");
    assert!(text.contains("config"), "{text}");
    let version = tmrepl(home.path()).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("tmrepl {}", env!("CARGO_PKG_VERSION"))
    );

    let dir = home.path().join("tmrepl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "jobs = 7\nnotify = \"terminal\"\n").unwrap();
    let out = tmrepl(home.path())
        .args(["--notify", "off", "config"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&dir.join("config.toml").display().to_string()),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("jobs = 7") && l.ends_with("# config file")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("notify = \"off\"") && l.ends_with("# command line")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("history_size = 1000") && l.ends_with("# default")),
        "{text}"
    );
    assert!(
        text.contains(
            &home
                .path()
                .join("data")
                .join("tmrepl")
                .display()
                .to_string()
        ),
        "{text}"
    );
}

#[test]
fn a_bad_config_is_a_one_line_error() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("tmrepl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "jobs = 2\nsnapshot_memory = \"plenty\"\n",
    )
    .unwrap();
    let out = tmrepl(home.path()).arg("config").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("config.toml:2: `snapshot_memory`"), "{err}");
}

#[test]
fn history_lives_in_the_state_folder() {
    let home = tempfile::tempdir().unwrap();
    let history_line = |out: std::process::Output| {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find_map(|l| l.strip_prefix("# input history is kept in "))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no history line in:\n{text}"))
    };
    let state = home.path().join("state");
    let out = tmrepl(home.path())
        .env("XDG_STATE_HOME", &state)
        .args(["--data-dir", "/somewhere/else", "config"])
        .output()
        .unwrap();
    assert_eq!(
        history_line(out),
        state.join("tmrepl/history").display().to_string()
    );
    // Without XDG_STATE_HOME the spec's default under HOME.
    let out = tmrepl(home.path())
        .env("HOME", home.path())
        .env_remove("XDG_STATE_HOME")
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(
        history_line(out),
        home.path()
            .join(".local/state/tmrepl/history")
            .display()
            .to_string()
    );
}
