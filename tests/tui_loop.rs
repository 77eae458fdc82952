//! The full-screen interface's real loop (`ui::run_main_loop`) on ratatui's `TestBackend`:
//! keys come from a script that waits for text on the screen (as the tmux test does), and
//! a scripted engine (`engine::over_channels`) answers in place of evcxr. Every test
//! asserts on drawn buffers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use crossbeam_channel::{Receiver, Sender};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tmrepl::app::App;
use tmrepl::engine::{self, EngineMessage, Envelope};
use tmrepl::session::{CellOutcome, EngineEvent, Request, Settings, Stream, TakenSnapshot};
use tmrepl::timeline::{CellStatus, VarInfo};
use tmrepl::ui::{EventSources, Tui, run_main_loop};

const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;

/// How a scripted cell ends: what it prints, its value and the variables it leaves.
struct Answer {
    printed: &'static str,
    value: &'static str,
    vars: &'static [(&'static str, &'static str)],
}

/// An engine thread that starts at once, answers the `n`th cell with `answers[n]` and
/// every other request with `Done` alone. Returns the code of every cell it was sent.
fn scripted_engine(
    answers: Vec<Answer>,
    requests: Receiver<Envelope>,
    messages: Sender<EngineMessage>,
) -> JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        // The app may be gone while requests are still queued: nobody is left to tell.
        let send = |message| {
            let _ = messages.send(message);
        };
        send(EngineMessage::Started {
            elapsed: Duration::from_millis(5),
        });
        let mut answers = answers.into_iter();
        let mut codes = Vec::new();
        for Envelope { id, request } in requests {
            if let Request::Eval { cell, code, .. } = request {
                codes.push(code);
                let answer = answers.next().expect("a cell the script has no answer for");
                send(EngineMessage::Event(EngineEvent::Output {
                    stream: Stream::Stdout,
                    text: answer.printed.to_owned(),
                }));
                send(EngineMessage::Event(EngineEvent::CellFinished(
                    CellOutcome {
                        cell,
                        status: CellStatus::Ok,
                        value: Some(answer.value.to_owned()),
                        error_text: None,
                        duration: Duration::from_millis(12),
                        vars: answer
                            .vars
                            .iter()
                            .map(|(name, type_name)| VarInfo {
                                name: (*name).to_owned(),
                                type_name: (*type_name).to_owned(),
                            })
                            .collect(),
                        snapshot: Some(TakenSnapshot {
                            fork_micros: 300,
                            degraded: None,
                        }),
                        restored_to: None,
                    },
                )));
            }
            send(EngineMessage::Done(id));
        }
        codes
    })
}

/// A step of the key script: once a frame shows `wait_for`, these events are sent.
struct Step {
    wait_for: &'static str,
    events: Vec<Event>,
}

fn step(wait_for: &'static str, events: Vec<Event>) -> Step {
    Step { wait_for, events }
}

/// A step for the next frame, whatever it shows: the one drawn after the last step's keys.
fn next_frame(events: Vec<Event>) -> Step {
    step("", events)
}

fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(text: &str) -> Vec<Event> {
    text.chars().map(|c| press(KeyCode::Char(c))).collect()
}

/// `text` typed, then Enter.
fn entered(text: &str) -> Vec<Event> {
    let mut events = typed(text);
    events.push(press(KeyCode::Enter));
    events
}

fn screen(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What a run of the loop left: its exit code, the frame on which each step's text first
/// showed (in order), and the code of every cell the engine was sent.
struct Run {
    code: i32,
    seen: Vec<String>,
    cells: Vec<String>,
}

/// The real loop's parts over an engine's two channels: an app, a fresh interface, a
/// 100×30 `TestBackend`, and where the key script sends its events.
struct Harness {
    app: App,
    tui: Tui,
    terminal: Terminal<TestBackend>,
    events: Sender<Event>,
    sources: EventSources,
}

impl Harness {
    fn new(requests: Sender<Envelope>, messages: Receiver<EngineMessage>) -> Harness {
        let (events, script_events) = crossbeam_channel::unbounded();
        Harness {
            app: App::with_engine(
                Settings::default(),
                engine::over_channels(requests, messages),
            ),
            tui: Tui::new(false),
            terminal: Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap(),
            events,
            sources: EventSources::new(script_events),
        }
    }

    /// Runs the loop until it ends, `on_frame` seeing every drawn buffer; its exit code.
    fn run(&mut self, mut on_frame: impl FnMut(&Buffer, &Sender<Event>, &EventSources)) -> i32 {
        let Harness {
            app,
            tui,
            terminal,
            events,
            sources,
        } = self;
        run_main_loop(terminal, app, tui, sources, |buffer, _bell| {
            on_frame(buffer, events, sources)
        })
        .unwrap()
    }
}

/// Runs the real loop over a scripted engine until the script's last step quits it.
fn run_loop(answers: Vec<Answer>, script: Vec<Step>) -> Run {
    let (request_tx, request_rx) = crossbeam_channel::unbounded();
    let (message_tx, message_rx) = crossbeam_channel::unbounded();
    let engine = scripted_engine(answers, request_rx, message_tx);
    let mut harness = Harness::new(request_tx, message_rx);
    let mut script = script.into_iter().peekable();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = harness.run(|buffer, events, _| {
        let text = screen(buffer);
        if let Some(next) = script.next_if(|s| text.contains(s.wait_for)) {
            next.events
                .into_iter()
                .for_each(|e| events.send(e).unwrap());
            seen.push(text);
        } else if Instant::now() > deadline {
            let waiting = script.peek().map(|s| s.wait_for).unwrap_or("the end");
            panic!("the screen never showed {waiting:?}; it shows:\n{text}");
        }
    });
    harness.app.shutdown();
    Run {
        code,
        seen,
        cells: engine.join().unwrap(),
    }
}

/// Types `let x = 1; x + 1` once the engine is ready; the scripted engine prints a line
/// and answers 2, with `x: i32` left. Then `script`.
fn after_one_cell(script: Vec<Step>) -> Run {
    let answers = vec![Answer {
        printed: "hello from the scripted engine",
        value: "2",
        vars: &[("x", "i32")],
    }];
    let typed_cell = step("ready", entered("let x = 1; x + 1"));
    run_loop(answers, std::iter::once(typed_cell).chain(script).collect())
}

#[test]
fn a_typed_cell_is_sent_to_the_engine_and_its_output_and_value_are_drawn() {
    let run = after_one_cell(vec![step("Out[1]: 2", vec![ctrl('d')])]);
    assert_eq!(run.code, 0);
    assert_eq!(run.cells, ["let x = 1; x + 1"]);
    let [before, after] = &run.seen[..] else {
        panic!("{} frames", run.seen.len());
    };
    assert!(before.contains(" In [1] "), "{before}");
    assert!(after.contains("In [1]: let x = 1; x + 1"), "{after}");
    assert!(after.contains("hello from the scripted engine"), "{after}");
    // The panel lists the cell, current and snapshotted; the editor waits for cell 2.
    assert!(after.contains(" ▸  1 ✓● let x = 1; x …"), "{after}");
    assert!(after.contains(" In [2] "), "{after}");
    assert!(after.contains("cell 1 │ snapshots"), "{after}");
}

#[test]
fn f1_opens_the_help_and_esc_closes_it() {
    let run = run_loop(
        Vec::new(),
        vec![
            step("ready", vec![press(KeyCode::F(1))]),
            step("keys and commands", vec![press(KeyCode::PageDown)]),
            next_frame(vec![press(KeyCode::Esc)]),
            next_frame(vec![ctrl('d')]),
        ],
    );
    assert_eq!(run.code, 0);
    let help = &run.seen[1];
    assert!(help.contains("Esc closes"), "{help}");
    // The keys come first; a page down, the commands.
    let commands = &run.seen[2];
    assert!(commands.contains(":help"), "{commands}");
    let closed = &run.seen[3];
    assert!(!closed.contains("keys and commands"), "{closed}");
}

#[test]
fn tab_focuses_the_panel_and_enter_opens_the_selected_cell() {
    let run = after_one_cell(vec![
        step("Out[1]: 2", vec![press(KeyCode::Tab)]),
        step("»▸  1", vec![press(KeyCode::Enter)]),
        step("cell 1: variables", vec![press(KeyCode::Esc)]),
        next_frame(vec![ctrl('d')]),
    ]);
    assert_eq!(run.code, 0);
    let focused = &run.seen[2];
    assert!(focused.contains("»▸  1 ✓● let x = 1; x …"), "{focused}");
    let detail = &run.seen[3];
    assert!(detail.contains("i32"), "{detail}");
}

#[test]
fn ctrl_d_quits_and_a_termination_ends_the_loop_with_143() {
    let run = run_loop(Vec::new(), vec![step("ready", vec![ctrl('d')])]);
    assert_eq!(run.code, 0);
    assert!(run.seen[0].contains(" start │ "), "{}", run.seen[0]);

    // An engine that never starts: the interface waits, busy, until it is told to end.
    let (request_tx, _requests) = crossbeam_channel::unbounded();
    let (_messages, message_rx) = crossbeam_channel::unbounded();
    let mut frames = 0;
    let code = Harness::new(request_tx, message_rx).run(|buffer, _, sources| {
        frames += 1;
        assert!(screen(buffer).contains("busy"));
        sources
            .terminated
            .store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(code, 143);
    assert_eq!(frames, 1);
}
