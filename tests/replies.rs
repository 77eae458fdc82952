//! Answers reach whoever asked, when several questions are in flight at once: two value
//! previews asked by a front end (`App::ask`), a completion on another thread and a cell,
//! with a scripted engine (`engine::over_channels_completing`) that answers the previews
//! in the opposite order to the one they were asked in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on what it sets up

use crossbeam_channel::{Receiver, Sender};
use std::time::Duration;
use tmrepl::app::{App, Update};
use tmrepl::engine::{
    self, CodeCandidate, CodeCompletions, CompletionQuery, EngineMessage, Envelope,
};
use tmrepl::session::{CellOutcome, EngineEvent, Question, Request, Settings, TakenSnapshot};
use tmrepl::timeline::{CellStatus, ValuePreview, VarInfo};

/// How many `Request::Peek`s the engine holds before answering them, newest first.
const HELD_PEEKS: usize = 3;

fn finished(cell: u32) -> EngineEvent {
    EngineEvent::CellFinished(CellOutcome {
        cell,
        status: CellStatus::Ok,
        value: None,
        error_text: None,
        duration: Duration::from_millis(3),
        vars: vec![VarInfo {
            name: "v".into(),
            type_name: "Vec<i32>".into(),
        }],
        snapshot: Some(TakenSnapshot {
            fork_micros: 100,
            degraded: None,
        }),
        restored_to: None,
    })
}

/// `v` as after cell 1 (`[1]`) or now (`[1, 2]`, the running worker's).
fn v_as_of(cell: Option<u32>) -> ValuePreview {
    ValuePreview::Debug {
        text: if cell == Some(1) { "[1]" } else { "[1, 2]" }.into(),
        cut: false,
    }
}

fn scripted_engine(requests: Receiver<Envelope>, messages: Sender<EngineMessage>) {
    std::thread::spawn(move || {
        let send = |message| {
            let _ = messages.send(message);
        };
        send(EngineMessage::Started {
            elapsed: Duration::from_millis(1),
        });
        let mut held = Vec::new();
        for Envelope { id, request } in requests {
            match request {
                Request::Eval { cell, .. } => {
                    send(EngineMessage::Event(finished(cell)));
                    send(EngineMessage::Done(id));
                }
                Request::Peek { ask, cell, .. } => {
                    held.push((id, ask, cell));
                    if held.len() == HELD_PEEKS {
                        for (id, ask, cell) in held.drain(..).rev() {
                            send(EngineMessage::Event(EngineEvent::Peeked {
                                ask,
                                cell,
                                result: Ok(vec![("v".into(), v_as_of(cell))]),
                            }));
                            send(EngineMessage::Done(id));
                        }
                    }
                }
                _ => send(EngineMessage::Done(id)),
            }
        }
    });
}

/// Answers each completion with the text it was asked about, so an answer shows its asker.
fn scripted_completer(queries: Receiver<CompletionQuery>) {
    std::thread::spawn(move || {
        for query in queries {
            let _ = query.reply.send(Ok(CodeCompletions {
                start: query.cursor,
                end: query.cursor,
                candidates: vec![CodeCandidate {
                    insert: format!("for {}", query.source),
                    label: String::new(),
                    kind: "function",
                }],
            }));
        }
    });
}

/// Hands the engine's messages to the app until `done` holds for what it said so far.
fn pump(app: &mut App, updates: &mut Vec<Update>, done: impl Fn(&[Update]) -> bool) {
    while !done(updates) {
        let message = app
            .messages()
            .recv_timeout(Duration::from_secs(10))
            .expect("the engine stopped answering");
        updates.extend(app.handle(message));
    }
}

fn cell_finished(n: u32) -> impl Fn(&[Update]) -> bool {
    move |updates| {
        updates
            .iter()
            .any(|u| matches!(u, Update::CellFinished(c) if *c == n))
    }
}

#[test]
fn overlapping_questions_a_completion_and_a_cell_each_reach_their_asker() {
    let (request_tx, request_rx) = crossbeam_channel::unbounded();
    let (message_tx, message_rx) = crossbeam_channel::unbounded();
    scripted_engine(request_rx, message_tx);
    let (handle, queries) = engine::over_channels_completing(request_tx, message_rx);
    scripted_completer(queries);
    let mut app = App::with_engine(Settings::default(), handle);
    let mut updates = Vec::new();
    pump(&mut app, &mut updates, |u| {
        u.iter().any(|u| matches!(u, Update::Started { .. }))
    });
    updates.extend(app.submit("let mut v = vec![1];"));
    pump(&mut app, &mut updates, cell_finished(1));
    updates.extend(app.submit("v.push(2);"));
    pump(&mut app, &mut updates, cell_finished(2));
    updates.clear();

    // Two previews in flight: cell 2's values (read from the running worker), and what
    // `:past 1` would change (read now and as of cell 1). The engine answers the three
    // reads newest first.
    let (values, asked) = app.ask(Question::Values {
        at: Some(2),
        name: None,
    });
    updates.extend(asked);
    let (rewind, asked) = app.ask(Question::RewindPreview(1));
    updates.extend(asked);
    let completer = app.code_completer();
    let completion =
        std::thread::spawn(move || completer.complete("v.", 2, Duration::from_secs(10)));
    updates.extend(app.submit("let w = 3;"));
    pump(&mut app, &mut updates, |u| {
        cell_finished(3)(u) && u.iter().filter(|u| matches!(u, Update::Reply(_))).count() == 2
    });

    let reply = |id| {
        updates
            .iter()
            .find_map(|u| match u {
                Update::Reply(reply) if reply.id == id => Some(reply.clone()),
                _ => None,
            })
            .unwrap()
    };
    let values = reply(values);
    assert_eq!(
        values.question,
        Question::Values {
            at: Some(2),
            name: None
        }
    );
    let table = values.answer.unwrap();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("v ") && l.ends_with("[1, 2]")),
        "cell 2's values, not cell 1's: {table}"
    );
    let rewind = reply(rewind);
    assert_eq!(rewind.question, Question::RewindPreview(1));
    assert_eq!(rewind.answer.unwrap(), "~ v: [1, 2] → [1]");
    assert!(
        !updates.iter().any(|u| matches!(u, Update::Notice(_))),
        "the answers went to the transcript too: {updates:?}"
    );
    let completions = completion.join().unwrap().unwrap().unwrap();
    assert_eq!(completions.candidates[0].insert, "for v.");
    app.shutdown();
}
