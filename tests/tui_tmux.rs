//! One end-to-end run in a real terminal: tmux starts the binary, keys are typed with
//! send-keys and the screen is read with capture-pane.

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "tmrepl"]).stdout)
            .into_owned()
    }

    fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on screen within {timeout:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn type_line(&self, text: &str) {
        // tmux reads a trailing `;` as its own command separator unless escaped.
        let text = match text.strip_suffix(';') {
            Some(rest) => format!("{rest}\\;"),
            None => text.to_owned(),
        };
        self.cmd(&["send-keys", "-t", "tmrepl", "-l", &text]);
        self.cmd(&["send-keys", "-t", "tmrepl", "Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[test]
fn the_full_screen_interface_runs_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have tmux (.ci/run installs it)"
        );
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let tmux = Tmux {
        socket: format!("tmrepl-test-{}", std::process::id()),
    };
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let command = format!(
        "env NO_COLOR=1 TERM=xterm-256color XDG_STATE_HOME={} {} --data-dir {} --session t",
        state.path().display(),
        env!("CARGO_BIN_EXE_tmrepl"),
        data.path().display()
    );
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "tmrepl",
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tmux.wait_for("ready in", Duration::from_secs(120));
    tmux.type_line("let v = vec![1, 2, 3];");
    // Typed ahead while cell 1 still compiles: queued, then run.
    tmux.type_line("v.len() * 10");
    let screen = tmux.wait_for("Out[2]: 30", Duration::from_secs(60));
    // The side panel lists both cells with their status.
    assert!(screen.contains("cells"), "{screen}");
    assert!(screen.contains("✓"), "{screen}");
    assert!(
        screen.contains("cell 2 │"),
        "status bar shows the current cell:\n{screen}"
    );
    // Once the session is idle its values go to disk, and the status bar says so.
    tmux.wait_for("│ t: saved │", Duration::from_secs(60));
    let manifest = std::fs::read_to_string(data.path().join("sessions/t/cells/1.json")).unwrap();
    assert!(manifest.contains("\"pending\": false"), "{manifest}");
    tmux.cmd(&["send-keys", "-t", "tmrepl", "F1"]);
    tmux.wait_for("panel: Ctrl-T", Duration::from_secs(10));
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Escape"]);
    tmux.cmd(&["send-keys", "-t", "tmrepl", "C-d"]);
    // Quitting ends the program, and with it the tmux session.
    let deadline = Instant::now() + Duration::from_secs(30);
    while tmux.cmd(&["has-session", "-t", "tmrepl"]).status.success() {
        assert!(
            Instant::now() < deadline,
            "tmrepl did not quit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The typed cells are kept, in the state folder, for the next start.
    let history = tmrepl::history::load(&state.path().join("tmrepl/history"), 100).unwrap();
    assert_eq!(history, ["let v = vec![1, 2, 3];", "v.len() * 10"]);
}
