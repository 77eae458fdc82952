//! One end-to-end run in a real terminal: tmux starts the binary, keys are typed with
//! send-keys and the screen is read with capture-pane.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::home::UserHome;
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

impl Tmux {
    /// Pastes `text` as a terminal does: tmux's `paste-buffer -p` sends it inside bracketed
    /// paste marks, with every LF turned into a CR (what tmux and browsers send).
    fn paste(&self, text: &str) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        let path = file.path().to_str().unwrap();
        let out = self.cmd(&["load-buffer", "-b", "tmrepl-paste", path]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = self.cmd(&[
            "paste-buffer",
            "-p",
            "-d",
            "-b",
            "tmrepl-paste",
            "-t",
            "tmrepl",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A program of 100 lines with its own indentation: `//` comment lines (each would
/// swallow the rest if the paste's line ends were lost), a blank line, nested blocks.
/// With the total it prints.
fn pasted_program() -> (String, u64) {
    let mut lines = vec![
        "// pasted: every line below must stay a line".to_owned(),
        "let mut total = 0u64;".to_owned(),
        "for round in 0..2 {".to_owned(),
        "    // the first loop".to_owned(),
        "    if round == 1 {".to_owned(),
        "        total += 1;".to_owned(),
        "    }".to_owned(),
        "}".to_owned(),
        String::new(),
    ];
    let mut total = 1;
    for n in 0..45 {
        lines.push(format!("// step {n}"));
        lines.push(format!("total += {n};"));
        total += n;
    }
    lines.push("println!(\"pasted total {}\", total);".to_owned());
    assert_eq!(lines.len(), 100);
    (lines.join("\n"), total)
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

impl Tmux {
    /// A tmux server of our own, or None (outside CI only) when tmux is missing.
    fn start(name: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have tmux (.ci/run installs it)"
            );
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        Some(Tmux {
            socket: format!("tmrepl-test-{name}-{}", std::process::id()),
        })
    }

    fn open(&self, command: &str) {
        let out = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            "tmrepl",
            "-x",
            "100",
            "-y",
            "30",
            command,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Ctrl-D, then waits for tmrepl (and with it the tmux session) to end.
    fn quit(&self) {
        self.cmd(&["send-keys", "-t", "tmrepl", "C-d"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.cmd(&["has-session", "-t", "tmrepl"]).status.success() {
            assert!(
                Instant::now() < deadline,
                "tmrepl did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Quotes a path for the shell tmux runs the command with.
fn quoted(path: &std::path::Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

#[test]
fn the_full_screen_interface_runs_in_a_real_terminal() {
    let Some(tmux) = Tmux::start("basic") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let command = format!(
        "env NO_COLOR=1 TERM=xterm-256color XDG_STATE_HOME={} {} --data-dir {} --session t",
        state.path().display(),
        env!("CARGO_BIN_EXE_tmrepl"),
        data.path().display()
    );
    tmux.open(&command);
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
    // Quitting ends the program, and with it the tmux session.
    tmux.quit();
    // The typed cells are kept, in the state folder, for the next start.
    let history = tmrepl::history::load(&state.path().join("tmrepl/history"), 100).unwrap();
    assert_eq!(history, ["let v = vec![1, 2, 3];", "v.len() * 10"]);
}

/// As a user runs it: default folders under a home that also holds the toolchain, a `:dep`
/// whose build lines must not scribble on the screen, and history across two runs.
#[test]
fn a_users_home_in_a_real_terminal() {
    let Some(tmux) = Tmux::start("home") else {
        return;
    };
    let home = UserHome::new();
    let stderr_file = home.path("stderr.log");
    let command = format!(
        "env -i PATH={} HOME={} TERM=xterm-256color NO_COLOR=1 {} 2>{}",
        quoted(std::path::Path::new(
            &std::env::var("PATH").unwrap_or_default()
        )),
        quoted(&home.home),
        quoted(std::path::Path::new(env!("CARGO_BIN_EXE_tmrepl"))),
        quoted(&stderr_file),
    );
    tmux.open(&command);
    tmux.wait_for("ready in", Duration::from_secs(120));
    tmux.type_line(":dep itoa = \"1\"");
    tmux.type_line("itoa::Buffer::new().format(7 * 6).len()");
    // A command is no cell: the first cell is the one that uses the dependency.
    let screen = tmux.wait_for("Out[1]: 2", Duration::from_secs(180));
    // cargo's build lines are progress in the status line: not in the transcript, not
    // written over the screen.
    assert!(
        screen
            .lines()
            .last()
            .is_some_and(|status| status.contains("Compiling itoa")),
        "{screen}"
    );
    assert_eq!(screen.matches("Compiling").count(), 1, "{screen}");
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    assert!(!stderr.contains("Compiling"), "{stderr}");
    tmux.type_line(r#"println!("a\nb");"#);
    tmux.wait_for("cell 2 │", Duration::from_secs(60));
    tmux.quit();
    // The history is read back as typed: one line with its backslash.
    tmux.open(&command);
    tmux.wait_for("ready in", Duration::from_secs(120));
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Up"]);
    tmux.wait_for(r#"println!("a\nb");"#, Duration::from_secs(10));
    // Ctrl-C clears the recalled line, so Ctrl-D quits.
    tmux.cmd(&["send-keys", "-t", "tmrepl", "C-c"]);
    tmux.quit();
    assert!(
        home.path(".local/state/tmrepl/history").is_file(),
        "history belongs in $XDG_STATE_HOME"
    );
}

/// The first Tab of a session, pressed while the first cell still runs, answers at once
/// ("completions loading…") and opens rust-analyzer's menu by itself once the cell is done:
/// no second Tab.
#[test]
fn the_first_tab_during_the_first_cell_opens_the_menu_by_itself() {
    let Some(tmux) = Tmux::start("first-tab") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    tmux.open(&format!(
        "env NO_COLOR=1 TERM=xterm-256color XDG_STATE_HOME={} {} --data-dir {}",
        state.path().display(),
        env!("CARGO_BIN_EXE_tmrepl"),
        data.path().display()
    ));
    tmux.wait_for("ready in", Duration::from_secs(120));
    tmux.type_line("let v = vec![1, 2, 3];");
    tmux.cmd(&["send-keys", "-t", "tmrepl", "-l", "v.ap"]);
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Tab"]);
    // `append` is the only method of Vec starting `ap`: taken as soon as the answer comes.
    let screen = tmux.wait_for("│v.append", Duration::from_secs(120));
    assert!(!screen.contains("no completions here"), "{screen}");
    tmux.cmd(&["send-keys", "-t", "tmrepl", "C-u"]);
    tmux.quit();
}

/// A program pasted into the full-screen editor with tmux's bracketed paste (CR line ends):
/// one cell, indented as pasted, that runs; then a paste into the middle of a line.
#[test]
fn a_bracketed_paste_in_a_real_terminal_becomes_one_cell() {
    let Some(tmux) = Tmux::start("paste") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    tmux.open(&format!(
        "env NO_COLOR=1 TERM=xterm-256color XDG_STATE_HOME={} {} --data-dir {}",
        state.path().display(),
        env!("CARGO_BIN_EXE_tmrepl"),
        data.path().display()
    ));
    tmux.wait_for("ready in", Duration::from_secs(120));
    let (program, total) = pasted_program();
    tmux.paste(&program);
    // The editor shows the last lines, indented as pasted (no auto-indent on top).
    tmux.wait_for(
        "│println!(\"pasted total {}\", total);",
        Duration::from_secs(10),
    );
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Enter"]);
    let screen = tmux.wait_for(&format!("pasted total {total}"), Duration::from_secs(120));
    assert!(
        screen.contains("In [2]"),
        "one cell, the next is 2:\n{screen}"
    );

    // Into the middle of a line: `let x = ;` with the cursor before the `;`.
    tmux.cmd(&["send-keys", "-t", "tmrepl", "-l", "let x = \\;"]);
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Left"]);
    tmux.paste("6 *\n7");
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Enter"]);
    tmux.type_line("x + 1000");
    tmux.wait_for("Out[3]: 1042", Duration::from_secs(60));
    tmux.quit();
    // The history has the cells as they ran: the program whole, lines and indentation.
    let history = tmrepl::history::load(&state.path().join("tmrepl/history"), 100).unwrap();
    assert_eq!(history[0], program);
    assert_eq!(history[1], "let x = 6 *\n7;");
}

/// The same pastes in line mode: rustyline turns the CRs inside a bracketed paste into
/// line ends itself (rustyline 19, `read_pasted_text`) and inserts at the cursor; this
/// holds it to that.
#[test]
fn a_bracketed_paste_in_line_mode_becomes_one_cell() {
    let Some(tmux) = Tmux::start("paste-plain") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    tmux.open(&format!(
        "env NO_COLOR=1 TERM=xterm-256color XDG_STATE_HOME={} {} --plain --data-dir {}",
        state.path().display(),
        env!("CARGO_BIN_EXE_tmrepl"),
        data.path().display()
    ));
    tmux.wait_for("ready in", Duration::from_secs(120));
    let (program, total) = pasted_program();
    tmux.paste(&program);
    tmux.wait_for(
        "println!(\"pasted total {}\", total);",
        Duration::from_secs(10),
    );
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Enter"]);
    let screen = tmux.wait_for(&format!("pasted total {total}"), Duration::from_secs(120));
    // One cell: the next prompt is 2 (capture-pane drops its trailing space).
    tmux.wait_for("In [2]:", Duration::from_secs(10));
    assert!(!screen.contains("error"), "{screen}");
    // Into the middle of a line, as in the full-screen editor.
    tmux.cmd(&["send-keys", "-t", "tmrepl", "-l", "let x = \\;"]);
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Left"]);
    tmux.paste("6 *\n7");
    tmux.cmd(&["send-keys", "-t", "tmrepl", "Enter"]);
    tmux.type_line("x + 1000");
    tmux.wait_for("Out[3]: 1042", Duration::from_secs(60));
    tmux.quit();
    let history = tmrepl::history::load(&state.path().join("tmrepl/history"), 100).unwrap();
    assert_eq!(history, [program.as_str(), "let x = 6 *\n7;", "x + 1000"]);
}
