//! The full-screen interface's key handling against a real session (real evcxr, real
//! forks), driven with synthetic key events instead of a terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};
use tmrepl::app::App;
use tmrepl::session::Settings;
use tmrepl::ui::view::{Entry, Focus, Overlay};
use tmrepl::ui::{Control, Tui};

fn key(app: &mut App, tui: &mut Tui, code: KeyCode, modifiers: KeyModifiers) -> Control {
    tui.handle_key(app, KeyEvent::new(code, modifiers))
}

fn type_text(app: &mut App, tui: &mut Tui, text: &str) {
    for c in text.chars() {
        key(app, tui, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// Pumps engine messages into the interface until the app is idle.
fn settle(app: &mut App, tui: &mut Tui) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while app.is_busy() {
        assert!(Instant::now() < deadline, "the session did not settle");
        if let Ok(message) = app.messages().recv_timeout(Duration::from_millis(100)) {
            let updates = app.handle(message);
            tui.apply(app, updates);
        }
    }
}

fn value_of(tui: &Tui, cell: u32) -> Option<String> {
    tui.view.transcript.iter().find_map(|e| match e {
        Entry::Value { cell: c, text } if *c == cell => Some(text.clone()),
        _ => None,
    })
}

#[test]
#[allow(unsafe_code)] // the one test here: it sets the environment before any thread of its own
fn select_a_cell_in_the_panel_rewind_with_ctrl_t_and_see_the_old_value() {
    // SAFETY: set before the engine thread starts, read by it once; no other test runs in
    // this binary to read the environment meanwhile.
    unsafe { std::env::set_var(tmrepl::runtime::EXE_ENV, env!("CARGO_BIN_EXE_tmrepl")) };
    let mut app = App::new(Settings::default());
    let mut tui = Tui::new(false);
    settle(&mut app, &mut tui);

    for cell in ["let mut v = vec![1];", "v.push(2);", "v.push(3);"] {
        type_text(&mut app, &mut tui, cell);
        key(&mut app, &mut tui, KeyCode::Enter, KeyModifiers::NONE);
        settle(&mut app, &mut tui);
    }
    // A multi-line cell: Enter inside open brackets continues the cell.
    type_text(&mut app, &mut tui, "v.iter().map(|x| {");
    key(&mut app, &mut tui, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(tui.view.editor.lines().len(), 2);
    type_text(&mut app, &mut tui, "x * 10 }).sum::<i32>()");
    key(&mut app, &mut tui, KeyCode::Enter, KeyModifiers::NONE);
    settle(&mut app, &mut tui);
    assert_eq!(value_of(&tui, 4).as_deref(), Some("60"));

    // Tab on an empty editor focuses the panel; the newest cell is selected; go to 2.
    key(&mut app, &mut tui, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(tui.view.focus, Focus::Panel);
    key(&mut app, &mut tui, KeyCode::Up, KeyModifiers::NONE);
    key(&mut app, &mut tui, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(tui.view.selection(app.session()), Some(2));
    key(
        &mut app,
        &mut tui,
        KeyCode::Char('t'),
        KeyModifiers::CONTROL,
    );
    match &tui.view.overlay {
        Some(Overlay::Rewind { cell: 2, text }) => assert!(text.contains("v: Vec<i32>"), "{text}"),
        other => panic!("expected the rewind preview, got {other:?}"),
    }
    key(&mut app, &mut tui, KeyCode::Enter, KeyModifiers::NONE);
    settle(&mut app, &mut tui);
    assert_eq!(app.session().current(), 2);
    assert_eq!(tui.view.focus, Focus::Editor);

    type_text(&mut app, &mut tui, "v");
    key(&mut app, &mut tui, KeyCode::Enter, KeyModifiers::NONE);
    settle(&mut app, &mut tui);
    assert_eq!(value_of(&tui, 5).as_deref(), Some("[1, 2]"));

    // Up on the first line brings back the last input.
    key(&mut app, &mut tui, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(tui.view.editor.text(), "v");
    key(
        &mut app,
        &mut tui,
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    );
    assert!(tui.view.editor.is_empty());
    // Ctrl-D on an empty editor with no jobs quits.
    assert_eq!(
        key(
            &mut app,
            &mut tui,
            KeyCode::Char('d'),
            KeyModifiers::CONTROL
        ),
        Control::Quit
    );
    app.shutdown();
}
