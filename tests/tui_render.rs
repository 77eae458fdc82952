//! Layout of the key screens, drawn into ratatui's TestBackend and compared with insta
//! snapshots (tests/snapshots/). Sessions are built from events, without evcxr.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use tmrepl::app::Update;
use tmrepl::session::{
    CellOutcome, EngineEvent, JobOutcome, Session, Settings, Stream, TakenSnapshot,
};
use tmrepl::timeline::{CellStatus, VarInfo};
use tmrepl::ui::view::{Focus, Overlay, View};

fn draw(view: &View, session: &Session, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view.render(frame, session, session.running().is_some()))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..height {
        let line: String = (0..width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn var(name: &str, type_name: &str) -> VarInfo {
    VarInfo {
        name: name.into(),
        type_name: type_name.into(),
    }
}

/// Submits `source` as a cell and reports it finished, updating the view like the app does.
fn run(
    session: &mut Session,
    view: &mut View,
    source: &str,
    status: CellStatus,
    value: Option<&str>,
    vars: Vec<VarInfo>,
) {
    let cell = session.next_cell();
    view.transcript.push(tmrepl::ui::view::Entry::Input {
        cell: Some(cell),
        source: source.into(),
    });
    session.submit(source);
    let ran = status.has_state();
    for effect in session.handle(EngineEvent::CellFinished(CellOutcome {
        cell,
        status,
        value: value.map(str::to_owned),
        error_text: None,
        duration: Duration::from_millis(120 + cell as u64),
        vars,
        snapshot: ran.then_some(TakenSnapshot {
            fork_micros: 300,
            degraded: None,
        }),
        restored_to: None,
    })) {
        if let tmrepl::session::Effect::CellFinished(n) = effect {
            view.apply(&Update::CellFinished(n), session);
        }
    }
}

fn session_with_cells() -> (Session, View) {
    let mut session = Session::new(Settings::default());
    let mut view = View::new(false);
    run(
        &mut session,
        &mut view,
        "let mut v = vec![1, 2];",
        CellStatus::Ok,
        None,
        vec![var("v", "Vec<i32>")],
    );
    run(
        &mut session,
        &mut view,
        "v.push(3);",
        CellStatus::Ok,
        None,
        vec![var("v", "Vec<i32>")],
    );
    view.apply(
        &Update::Output {
            cell: Some(3),
            stream: Stream::Stdout,
            text: "printed by cell 3".into(),
        },
        &session,
    );
    run(
        &mut session,
        &mut view,
        "println!(\"printed by cell 3\"); v.len()",
        CellStatus::Ok,
        Some("3"),
        vec![var("v", "Vec<i32>")],
    );
    run(
        &mut session,
        &mut view,
        "let broken: i32 = \"x\";",
        CellStatus::CompileError,
        None,
        vec![],
    );
    (session, view)
}

#[test]
fn empty_session() {
    let session = Session::new(Settings::default());
    let view = View::new(false);
    assert_snapshot!(draw(&view, &session, 80, 24));
}

#[test]
fn after_some_cells() {
    let (session, view) = session_with_cells();
    assert_snapshot!(draw(&view, &session, 80, 24));
}

#[test]
fn panel_focused_with_a_selection() {
    let (session, mut view) = session_with_cells();
    view.focus = Focus::Panel;
    view.select(&session, -2);
    assert_eq!(view.selection(&session), Some(2));
    assert_snapshot!(draw(&view, &session, 80, 24));
}

#[test]
fn a_running_and_a_finished_job() {
    let (mut session, mut view) = session_with_cells();
    for (source, status) in [
        ("& heavy_work(1)", CellStatus::Running),
        ("& heavy_work(2)", CellStatus::Running),
    ] {
        let cell = session.next_cell();
        session.submit(source);
        session.handle(EngineEvent::CellFinished(CellOutcome {
            cell,
            status,
            value: None,
            error_text: None,
            duration: Duration::from_millis(200),
            vars: vec![],
            snapshot: None,
            restored_to: None,
        }));
    }
    for effect in session.handle(EngineEvent::JobFinished {
        cell: 5,
        end: JobOutcome::Finished,
        duration: Duration::from_secs(42),
        peak_bytes: 3 << 20,
        degraded: None,
    }) {
        if let tmrepl::session::Effect::Show(notice) = effect {
            view.apply(&Update::Notice(notice), &session);
        }
    }
    let screen = draw(&view, &session, 80, 24);
    assert!(screen.contains("job 6"), "{screen}");
    // The running job's elapsed time changes from run to run: mask it.
    let masked: String = screen
        .lines()
        .map(|l| match l.find("running ") {
            Some(i) => format!("{}running <elapsed>", &l[..i]),
            // The panel row of the running job ends with its elapsed time (7 ASCII
            // characters before the closing border).
            None if l.contains('⠋') => match l.rfind('│') {
                Some(end) if end >= 7 => format!("{}<elapsed>{}", &l[..end - 7], &l[end..]),
                _ => l.to_owned(),
            },
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_snapshot!(masked);
}

#[test]
fn help() {
    let (session, mut view) = session_with_cells();
    view.overlay = Some(Overlay::Help { scroll: 0 });
    assert_snapshot!(draw(&view, &session, 100, 40));
}

/// The rows of a `key  description` list that belong to `key`: its description as one
/// text, when it starts in `column` and every further row goes on in that column with
/// nothing under the key; None otherwise.
fn described(rows: &[String], key_row: &str, column: usize) -> Option<String> {
    let at = rows.iter().position(|r| r.starts_with(key_row))?;
    let first: Vec<char> = rows[at].chars().collect();
    if first.len() <= column || first[column - 1] != ' ' || first[column] == ' ' {
        return None;
    }
    let mut text: String = first[column..].iter().collect();
    for row in &rows[at + 1..] {
        let chars: Vec<char> = row.chars().collect();
        let under_key: String = chars.iter().take(column).collect();
        if chars.len() <= column || !under_key.trim().is_empty() || chars[column] == ' ' {
            break;
        }
        text.push(' ');
        text.extend(&chars[column..]);
    }
    Some(text)
}

#[test]
fn help_at_80x24_wraps_each_description_under_itself() {
    use tmrepl::ui::view::{hanging_wrap, help_text};
    let (session, mut view) = session_with_cells();
    view.overlay = Some(Overlay::Help { scroll: 0 });
    let screen = draw(&view, &session, 80, 24);
    // The popup is 76 wide: 74 inside its border.
    let rows = hanging_wrap(&help_text(), 74);
    assert!(rows.iter().all(|r| r.chars().count() <= 74), "{rows:#?}");
    for row in &rows[..20] {
        assert!(
            screen.contains(&format!("│{row}")),
            "{row:?} not drawn:\n{screen}"
        );
    }
    assert!(screen.contains("↓ more"), "{screen}");
    assert_snapshot!("help_at_80x24", screen);

    // Each key's description, however many rows it takes, is in the second column whole.
    let keys = tmrepl::ui::keymap::help_lines();
    let column = keys.iter().map(|(k, _)| k.len()).max().unwrap() + 2;
    for (key, what) in &keys {
        let found = described(&rows, &format!("{key:<column$}"), column);
        assert_eq!(found.as_deref(), Some(*what), "{key}:\n{}", rows.join("\n"));
    }
    // So is each command's, in a column of its own.
    let commands = tmrepl::commands::COMMANDS;
    let width = commands.iter().map(|c| c.usage.len()).max().unwrap();
    let help_row = rows.iter().find(|r| r.starts_with("  :help ")).unwrap();
    let column = 7 + help_row[7..].chars().take_while(|c| *c == ' ').count();
    assert!(column >= width + 4, "{column}");
    let wrapped = commands
        .iter()
        .filter(|c| c.help.len() > 74 - column)
        .count();
    assert!(
        wrapped > 0,
        "no command description needed wrapping at 80 columns"
    );
    for command in commands {
        let found = described(
            &rows,
            &format!("  {:<w$}", command.usage, w = column - 2),
            column,
        );
        assert_eq!(found.as_deref(), Some(command.help), "{}", command.usage);
    }

    // Down scrolls to the end, and no further.
    view.overlay = Some(Overlay::Help { scroll: u16::MAX });
    let end = draw(&view, &session, 80, 24);
    let last = rows.last().unwrap();
    assert!(end.contains(&format!("│{last}")), "{end}");
    assert!(!end.contains("↓ more"), "{end}");
    assert_eq!(
        view.popup_last_top.get() as usize,
        rows.len() - 20,
        "20 rows show inside the popup"
    );
}

#[test]
fn the_side_panel_takes_a_third_of_100_columns() {
    let (session, view) = session_with_cells();
    let screen = draw(&view, &session, 100, 24);
    let top = screen.lines().next().unwrap();
    let panel = top[..top.find("┌ cells").unwrap()].chars().count();
    assert_eq!(top.chars().count(), 100);
    assert!(
        100 - panel <= 100 / 3,
        "panel {} columns wide:\n{screen}",
        100 - panel
    );
    // Rows still say which cell, its status and time.
    assert!(screen.contains("3 ✓● printl"), "{screen}");
    assert_snapshot!("panel_at_100_columns", screen);
}

#[test]
fn narrow_terminal() {
    let (session, view) = session_with_cells();
    let screen = draw(&view, &session, 50, 14);
    assert!(screen.contains("In ["), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn rewind_preview_lists_changes() {
    let (mut session, mut view) = session_with_cells();
    run(
        &mut session,
        &mut view,
        "let extra = String::new();",
        CellStatus::Ok,
        None,
        vec![var("v", "Vec<i32>"), var("extra", "String")],
    );
    let preview = session.rewind_preview(1).unwrap();
    assert!(preview.contains("- extra: String"), "{preview}");
    assert!(
        preview.contains("~ v: Vec<i32> (value as after cell 1)"),
        "{preview}"
    );
    view.overlay = Some(Overlay::Rewind {
        cell: 1,
        text: preview,
    });
    assert_snapshot!(draw(&view, &session, 80, 24));
}

#[test]
fn completion_menu_over_the_editor_and_a_picked_variable() {
    use tmrepl::completion::{Candidate, Completions};
    use tmrepl::ui::view::{CompletionMenu, Pick};
    let (session, mut view) = session_with_cells();
    view.editor.set_text("v.sort_unstable");
    let candidates: Vec<Candidate> = [
        "sort_unstable()",
        "sort_unstable_by(…)",
        "sort_unstable_by_key(…)",
    ]
    .iter()
    .map(|c| Candidate {
        insert: c.to_string(),
        label: c.to_string(),
    })
    .collect();
    view.completion = Some(CompletionMenu {
        completions: Completions {
            start: 2,
            end: 15,
            candidates,
            late: false,
        },
        selected: 1,
    });
    let screen = draw(&view, &session, 80, 20);
    assert!(screen.contains(" 2/3 "), "{screen}");
    assert_snapshot!("completion_menu", screen);

    view.completion = None;
    view.overlay = Some(Overlay::Detail {
        title: "cell 1: variables (Enter: whole value)".into(),
        text: "name  type      last changed value\nn     i32       cell 1       3\nv     Vec<i32>  cell 1       [1, 2]".into(),
        scroll: 0,
        follow: None,
        pick: Some(Pick { cell: 1, selected: 1 }),
    });
    assert_eq!(view.picked_variable(), Some((1, "v".to_owned())));
    assert_snapshot!("picked_variable", draw(&view, &session, 80, 20));
}

#[test]
fn tiny_terminals_do_not_panic() {
    let (session, mut view) = session_with_cells();
    for (w, h) in [(1, 1), (10, 4), (20, 6), (30, 8)] {
        view.overlay = Some(Overlay::Help { scroll: 0 });
        let screen = draw(&view, &session, w, h);
        assert_eq!(screen.lines().count(), h as usize);
        view.overlay = None;
        draw(&view, &session, w, h);
    }
}

#[test]
fn the_status_line_says_whether_a_saved_session_is_on_disk() {
    let mut session = Session::new(Settings::default());
    let mut view = View::new(false);
    session.handle(EngineEvent::ArchiveOpened {
        name: "lab".into(),
        result: Ok("/data/sessions/lab".into()),
    });
    run(
        &mut session,
        &mut view,
        "let v = vec![1];",
        CellStatus::Ok,
        None,
        vec![var("v", "Vec<i32>")],
    );
    let screen = draw(&view, &session, 120, 12);
    assert!(screen.contains("│ lab: 1 to save │ ready"), "{screen}");
    // Idle time writes it; then the line says so.
    for effect in session.idle() {
        if let tmrepl::session::Effect::Engine(tmrepl::session::Request::Persist(plan)) = effect {
            session.handle(EngineEvent::Persisted {
                cell: plan.manifest.cell,
                record: false,
                result: Ok(Default::default()),
            });
        }
    }
    let screen = draw(&view, &session, 120, 12);
    assert!(screen.contains("│ lab: saved │ ready"), "{screen}");
}

/// A program of 100 lines with its own indentation, `//` comments among them, ending in
/// a value.
fn hundred_line_program() -> String {
    let mut lines = vec![
        "fn main_value() -> u64 {".to_owned(),
        "    let mut total = 0;".to_owned(),
    ];
    for i in 0..48 {
        lines.push(format!(
            "    // step {i}: the lines after a comment stay lines"
        ));
        lines.push(format!("    total += {i};"));
    }
    lines.push("    total".to_owned());
    lines.push("}".to_owned());
    assert_eq!(lines.len(), 100);
    lines.join("\n")
}

#[test]
fn a_bracketed_paste_keeps_every_line_with_lf_crlf_or_cr() {
    use ratatui::crossterm::event::Event;
    let program = hundred_line_program();
    for line_end in ["\n", "\r\n", "\r"] {
        let session = Session::new(Settings::default());
        let mut view = View::new(false);
        // The panel had the focus: a paste goes to the editor all the same.
        view.focus = Focus::Panel;
        view.handle_event(&Event::Paste(program.replace('\n', line_end)));
        assert_eq!(view.focus, Focus::Editor);
        // Exactly as pasted: no indentation added after `{`, nothing joined.
        assert_eq!(view.editor.text(), program, "line ends {line_end:?}");
        assert_eq!(view.editor.lines().len(), 100);
        assert_eq!(view.editor.cursor(), (99, 1));
        let screen = draw(&view, &session, 80, 24);
        assert!(screen.contains("│    total"), "{screen}");
        assert!(screen.contains("│}"), "{screen}");
    }
    // Into the middle of a line: the rest of the line follows the pasted text.
    let mut view = View::new(false);
    view.editor.set_text("let x = () + 1;");
    for _ in 0..6 {
        view.editor.left();
    }
    view.handle_event(&Event::Paste("{\r    main_value()\r}".into()));
    assert_eq!(view.editor.text(), "let x = ({\n    main_value()\n}) + 1;");
    assert_eq!(view.editor.cursor(), (2, 1));
}

#[test]
fn a_jobs_end_is_told_once() {
    use tmrepl::commands::NotifyMode;
    let (mut session, mut view) = session_with_cells();
    let cell = session.next_cell();
    session.submit("& heavy_work(1)");
    session.handle(EngineEvent::CellFinished(CellOutcome {
        cell,
        status: CellStatus::Running,
        value: None,
        error_text: None,
        duration: Duration::from_millis(200),
        vars: vec![],
        snapshot: None,
        restored_to: None,
    }));
    // As the app carries the effects out when the notification goes to the terminal: the
    // session's notice, then the notification's stand-in with the bell.
    let effects = session.handle(EngineEvent::JobFinished {
        cell,
        end: JobOutcome::Finished,
        duration: Duration::from_secs(42),
        peak_bytes: 3 << 20,
        degraded: None,
    });
    let mut updates = Vec::new();
    for effect in effects {
        match effect {
            tmrepl::session::Effect::Show(notice) => updates.push(Update::Notice(notice)),
            tmrepl::session::Effect::Notify { summary, body, .. } => updates.extend(
                tmrepl::jobs::notify(NotifyMode::Terminal, &summary, &body).map(Update::Bell),
            ),
            _ => {}
        }
    }
    assert!(
        updates.iter().any(|u| matches!(u, Update::Bell(_))),
        "{updates:?}"
    );
    for update in &updates {
        view.apply(update, &session);
    }
    let told: Vec<String> = view
        .transcript
        .iter()
        .filter_map(|e| match e {
            tmrepl::ui::view::Entry::Notice { text, .. } if text.contains("job 5") => {
                Some(text.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].starts_with("job 5 finished after 42.00 s"),
        "{told:?}"
    );
    assert!(view.ring_bell);
    let status = view.status.as_ref().map(|(_, s)| s.as_str()).unwrap_or("");
    assert!(status.starts_with("tmrepl: job 5 finished"), "{status}");
    let screen = draw(&view, &session, 100, 24);
    assert_eq!(
        screen.matches("job 5 finished after").count(),
        1,
        "{screen}"
    );
}

#[test]
fn the_rewind_preview_marks_a_value_assigned_again_unchanged() {
    use tmrepl::timeline::ValuePreview;
    let debug = |text: &str, cut: bool| ValuePreview::Debug {
        text: text.into(),
        cut,
    };
    let mut session = Session::new(Settings::default());
    let mut view = View::new(false);
    let vars = || {
        vec![
            var("total", "i32"),
            var("v", "Vec<i32>"),
            var("long", "String"),
            var("opaque", "Handle"),
        ]
    };
    run(
        &mut session,
        &mut view,
        "let mut total = 5; let mut v = vec![1]; let mut long = x(); let mut opaque = h();",
        CellStatus::Ok,
        None,
        vars(),
    );
    // Every variable is named again, so each might have changed since cell 1.
    run(
        &mut session,
        &mut view,
        "total += 0; v.push(2); long.push('!'); opaque.poke();",
        CellStatus::Ok,
        None,
        vars(),
    );
    let (_, asked) = session.ask(tmrepl::session::Question::RewindPreview(1));
    let asks: Vec<_> = asked
        .iter()
        .map(|e| match e {
            tmrepl::session::Effect::Engine(tmrepl::session::Request::Peek { ask, .. }) => *ask,
            other => panic!("not a peek: {other:?}"),
        })
        .collect();
    assert_eq!(asks.len(), 2, "{asked:?}");
    let values = |v: &str| {
        Ok(vec![
            ("total".to_owned(), debug("5", false)),
            ("v".to_owned(), debug(v, false)),
            ("long".to_owned(), debug("\"aaaa", true)),
            ("opaque".to_owned(), ValuePreview::NoDebug("8 B".into())),
        ])
    };
    let now = session.handle(EngineEvent::Peeked {
        ask: asks[0],
        cell: None,
        result: values("[1, 2]"),
    });
    assert!(now.is_empty(), "{now:?}");
    let shown = session.handle(EngineEvent::Peeked {
        ask: asks[1],
        cell: Some(1),
        result: values("[1]"),
    });
    let text = shown
        .iter()
        .find_map(|e| match e {
            tmrepl::session::Effect::Reply(reply) => reply.answer.clone().ok(),
            _ => None,
        })
        .unwrap();
    // Only a whole Debug text that is the same both times is unchanged; a cut text or no
    // Debug at all only looks the same.
    assert_eq!(
        text,
        "= total: 5 (unchanged)\n\
         ~ v: [1, 2] → [1]\n\
         ~ long: \"aaaa… (the same as far as shown)\n\
         ~ opaque: <no Debug, 8 B> (the same as far as shown)"
    );
    assert!(!text.contains("5 → 5"), "{text}");
    view.overlay = Some(Overlay::Rewind { cell: 1, text });
    let screen = draw(&view, &session, 80, 24);
    assert!(screen.contains("│= total: 5 (unchanged)"), "{screen}");
}
