//! The full-screen interface's key handling against a real session (real evcxr, real
//! forks), driven with synthetic key events instead of a terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use common::settle;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
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
    // A data folder: the helper crate that reads values for the rewind preview lives there.
    let data = tempfile::tempdir().unwrap();
    app.set_data_dir(Some(data.path().to_owned()));
    let mut tui = Tui::new(false);
    settle(&mut app, &mut tui);

    // Before any cell with a `let` (rust-analyzer is not asked until one), completion
    // already works.
    let fresh = tmrepl::completion::complete(
        "std::collections::HashM",
        23,
        &[],
        Some(&app.code_completer()),
    );
    assert!(
        fresh.candidates.iter().any(|c| c.insert == "HashMap"),
        "{fresh:?}"
    );

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
    // The values, read from both snapshots in the background, replace the first text.
    settle(&mut app, &mut tui);
    match &tui.view.overlay {
        Some(Overlay::Rewind { cell: 2, text }) => {
            assert!(text.contains("[1, 2, 3] → [1, 2]"), "{text}")
        }
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

    completion_in_both_front_ends(&mut app, &mut tui);
    values_in_the_panels_detail_view(&mut app, &mut tui);

    // Up on the first line brings back the last input.
    key(&mut app, &mut tui, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(tui.view.editor.text(), "let p = Point { x: 1, yy: 2 };");
    key(
        &mut app,
        &mut tui,
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    );
    assert!(tui.view.editor.is_empty());

    a_pasted_program_with_cr_line_ends_runs_as_one_cell(&mut app, &mut tui);

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

/// Tab asks rust-analyzer for methods, fields and paths, in the TUI's menu and in line
/// mode's rustyline completer, with the session's own variables and types.
fn completion_in_both_front_ends(app: &mut App, tui: &mut Tui) {
    for cell in [
        "struct Point { x: i32, yy: i32 }",
        "let p = Point { x: 1, yy: 2 };",
    ] {
        type_text(app, tui, cell);
        key(app, tui, KeyCode::Enter, KeyModifiers::NONE);
        settle(app, tui);
    }
    // Several methods continue `sort_unst`: their shared text goes in, the menu opens.
    type_text(app, tui, "v.sort_unst");
    key(app, tui, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(tui.view.editor.text(), "v.sort_unstable");
    let menu = tui.view.completion.as_ref().expect("the completion menu");
    let labels: Vec<&str> = menu
        .completions
        .candidates
        .iter()
        .map(|c| c.insert.as_str())
        .collect();
    assert_eq!(labels.first(), Some(&"sort_unstable()"), "{labels:?}");
    assert!(labels.len() >= 3, "{labels:?}");
    // Tab moves down, Shift-Tab back up, Enter takes the selected one.
    key(app, tui, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(tui.view.completion.as_ref().map(|m| m.selected), Some(1));
    key(app, tui, KeyCode::BackTab, KeyModifiers::SHIFT);
    key(app, tui, KeyCode::Enter, KeyModifiers::NONE);
    assert!(tui.view.completion.is_none());
    assert_eq!(tui.view.editor.text(), "v.sort_unstable()");
    key(app, tui, KeyCode::Char('u'), KeyModifiers::CONTROL);

    // A field of the session's own struct: one candidate goes straight in.
    type_text(app, tui, "p.y");
    key(app, tui, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(tui.view.editor.text(), "p.yy");
    key(app, tui, KeyCode::Char('u'), KeyModifiers::CONTROL);

    // A path in std; Esc closes a menu and keeps what was typed.
    type_text(app, tui, "let m = std::collections::Hash");
    key(app, tui, KeyCode::Tab, KeyModifiers::NONE);
    assert!(tui.view.completion.is_some());
    key(app, tui, KeyCode::Esc, KeyModifiers::NONE);
    assert!(tui.view.completion.is_none());
    assert_eq!(tui.view.editor.text(), "let m = std::collections::Hash");
    key(app, tui, KeyCode::Char('u'), KeyModifiers::CONTROL);

    // Line mode: rustyline's completer, called as rustyline calls it.
    use rustyline::completion::Completer;
    let mut helper = tmrepl::plain::LineHelper::new(app.code_completer());
    helper.set_variables(vec!["v".into(), "p".into()]);
    let history = rustyline::history::DefaultHistory::new();
    let context = rustyline::Context::new(&history);
    let complete = |line: &str| {
        let (start, pairs) = helper.complete(line, line.len(), &context).unwrap();
        let found: Vec<String> = pairs.into_iter().map(|p| p.replacement).collect();
        (start, found)
    };
    let (start, found) = complete("v.sort_unst");
    assert_eq!(start, 2);
    assert!(found.contains(&"sort_unstable()".to_owned()), "{found:?}");
    assert!(
        found.iter().all(|f| f.starts_with("sort_unst")),
        "{found:?}"
    );
    assert_eq!(complete("p.y"), (2, vec!["yy".to_owned()]));
    let (_, found) = complete("std::collections::HashM");
    assert!(found.contains(&"HashMap".to_owned()), "{found:?}");
    assert_eq!(complete(":pa"), (0, vec![":past".to_owned()]));
    assert_eq!(
        complete(":take 3 "),
        (8, vec!["p".to_owned(), "v".to_owned()])
    );
}

/// Enter on a cell in the panel lists its variables with their values; Enter on one of
/// them shows all of it.
fn values_in_the_panels_detail_view(app: &mut App, tui: &mut Tui) {
    key(app, tui, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(tui.view.focus, Focus::Panel);
    key(app, tui, KeyCode::End, KeyModifiers::NONE);
    assert_eq!(tui.view.selection(app.session()), Some(7));
    key(app, tui, KeyCode::Enter, KeyModifiers::NONE);
    settle(app, tui);
    let text = match &tui.view.overlay {
        Some(Overlay::Detail { text, .. }) => text.clone(),
        other => panic!("expected the detail view, got {other:?}"),
    };
    assert!(text.contains("[1, 2]"), "{text}");
    assert!(text.contains("<no Debug"), "{text}");
    // The variables are p then v; pick v and open it.
    key(app, tui, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(tui.view.picked_variable(), Some((7, "v".to_owned())));
    key(app, tui, KeyCode::Enter, KeyModifiers::NONE);
    settle(app, tui);
    match &tui.view.overlay {
        Some(Overlay::Detail { title, text, .. }) => {
            assert_eq!(title, "v after cell 7");
            assert!(text.contains("[\n    1,\n    2,\n]"), "{text}");
        }
        other => panic!("expected the whole value, got {other:?}"),
    }
    key(app, tui, KeyCode::Esc, KeyModifiers::NONE);
    assert!(tui.view.overlay.is_none());
    key(app, tui, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(tui.view.focus, Focus::Editor);
}

/// A bracketed paste as terminals send it through tmux or from a browser (lone CR line
/// ends): every line stays a line, so the `//` comments end where they should, the
/// indentation is the paste's own, and Enter runs it all as one cell.
fn a_pasted_program_with_cr_line_ends_runs_as_one_cell(app: &mut App, tui: &mut Tui) {
    let program = "// words and their lengths\n\
                   let words = [\"a\", \"bb\", \"ccc\"];\n\
                   let mut total = 0;\n\
                   for w in words {\n    \
                       // counted by length\n    \
                       total += w.len();\n\
                   }\n\
                   total * 100";
    tui.handle_event(app, Event::Paste(program.replace('\n', "\r")));
    assert_eq!(tui.view.editor.text(), program);
    let cell = app.session().next_cell();
    key(app, tui, KeyCode::Enter, KeyModifiers::NONE);
    settle(app, tui);
    assert_eq!(value_of(tui, cell).as_deref(), Some("600"));
    let source = &app.session().timeline().get(cell).unwrap().source;
    assert_eq!(source.lines().count(), 8, "{source}");
}
