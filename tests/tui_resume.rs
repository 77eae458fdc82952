//! Resuming in the full-screen interface: when cells that act outside the session would
//! have to be replayed, the user is asked once (y/N), and the answer decides. The session
//! is saved by tmrepl in line mode, then resumed in-process with synthetic keys.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::{run_command_with_script, settle, tmrepl};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tmrepl::app::App;
use tmrepl::session::Settings;
use tmrepl::ui::Tui;
use tmrepl::ui::view::Overlay;

#[test]
#[allow(unsafe_code)] // the one test here: it sets the environment before any thread of its own
fn resuming_asks_once_before_replaying_a_cell_that_writes_a_file() {
    let data = tempfile::tempdir().unwrap();
    let written = data.path().join("written.txt");
    let script = format!(
        "let kept = std::rc::Rc::new(3);\n\
         std::fs::write({written:?}, \"once\").unwrap(); let wrote = std::rc::Rc::new(1);\n\
         :save\n"
    );
    let mut first = tmrepl();
    first
        .arg("--data-dir")
        .arg(data.path())
        .args(["--session", "asked"]);
    let t = run_command_with_script(first, &script);
    assert!(t.success, "{}", t.all());
    std::fs::remove_file(&written).unwrap();

    // SAFETY: set before the engine thread starts, read by it once; no other test runs in
    // this binary to read the environment meanwhile.
    unsafe { std::env::set_var(tmrepl::runtime::EXE_ENV, env!("CARGO_BIN_EXE_tmrepl")) };
    let mut app = App::new(Settings {
        ask_replay_effects: true,
        ..Settings::default()
    });
    app.set_data_dir(Some(data.path().to_owned()));
    let startup = app.open_session(Some("asked"), true, None).unwrap();
    app.push_startup(startup);
    let mut tui = Tui::new(false);
    let startup = app.take_startup();
    tui.apply(&app, startup);
    match &tui.view.overlay {
        Some(Overlay::Question { text }) => assert_eq!(
            text,
            "Resuming: cell 2 (files) acts outside the session. Replaying it would also bring back wrote. Replay it? y/N"
        ),
        other => panic!("expected the question, got {other:?}"),
    }
    // Other keys do nothing while the question is open.
    tui.handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
    );
    assert!(matches!(tui.view.overlay, Some(Overlay::Question { .. })));
    tui.handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE),
    );
    assert!(tui.view.overlay.is_none());
    settle(&mut app, &mut tui);
    let names: Vec<String> = app
        .session()
        .current_vars()
        .iter()
        .map(|v| v.name.clone())
        .collect();
    assert_eq!(names, ["kept", "wrote"]);
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "once");
    app.shutdown();
}
