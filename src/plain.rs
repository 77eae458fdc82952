//! Line mode: rustyline on a terminal, or cells read from a pipe exactly as if typed.

use crate::app::{App, Update};
use crate::session::input::{Completeness, completeness};
use crate::session::{NoticeKind, Stream, format_duration};
use crate::timeline::CellStatus;
use anyhow::Result;
use crossbeam_channel::{Receiver, select};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Editor, Helper};
use std::io::{BufRead, Write};
use std::path::PathBuf;

struct CellValidator;

impl Completer for CellValidator {
    type Candidate = String;
}
impl Hinter for CellValidator {
    type Hint = String;
}
impl Highlighter for CellValidator {}
impl Helper for CellValidator {}
impl Validator for CellValidator {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match completeness(ctx.input()) {
            Completeness::Complete => ValidationResult::Valid(None),
            Completeness::Incomplete => ValidationResult::Incomplete,
        })
    }
}

enum Input {
    Terminal(Box<Editor<CellValidator, DefaultHistory>>),
    Pipe(Box<dyn BufRead>),
}

impl Input {
    /// Next complete cell; None at end of input.
    fn read_cell(&mut self, number: u32) -> Result<Option<String>> {
        match self {
            Input::Terminal(editor) => loop {
                match editor.readline(&format!("In [{number}]: ")) {
                    Ok(line) => {
                        if !line.trim().is_empty() {
                            let _ = editor.add_history_entry(line.as_str());
                        }
                        return Ok(Some(line));
                    }
                    Err(ReadlineError::Interrupted) => {
                        // Ctrl-C at the prompt clears the line, never the session.
                        continue;
                    }
                    Err(ReadlineError::Eof) => return Ok(None),
                    Err(e) => return Err(e.into()),
                }
            },
            Input::Pipe(reader) => {
                let mut cell = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line)? == 0 {
                        return Ok((!cell.trim().is_empty()).then_some(cell));
                    }
                    cell.push_str(&line);
                    if cell.trim().is_empty() {
                        cell.clear();
                        continue;
                    }
                    if completeness(&cell) == Completeness::Complete {
                        let cell = cell.trim_end_matches(['\n', '\r']).to_owned();
                        echo_piped_cell(number, &cell);
                        return Ok(Some(cell));
                    }
                }
            }
        }
    }

    fn read_answer(&mut self, prompt: &str) -> Option<String> {
        match self {
            Input::Terminal(editor) => editor.readline(prompt).ok(),
            Input::Pipe(reader) => {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(n) if n > 0 => Some(line.trim_end_matches(['\n', '\r']).to_owned()),
                    _ => None,
                }
            }
        }
    }
}

fn echo_piped_cell(number: u32, cell: &str) {
    if cell.trim_start().starts_with(':') {
        println!(">> {}", cell.trim());
        return;
    }
    let mut lines = cell.lines();
    println!("In [{number}]: {}", lines.next().unwrap_or(""));
    for line in lines {
        println!("   ...: {line}");
    }
}

pub struct PlainOptions {
    pub interactive: bool,
    pub history: Option<PathBuf>,
}

/// Runs line mode until end of input or `:quit`. Returns the process exit code.
pub fn run(mut app: App, options: PlainOptions, interrupts: Receiver<()>) -> Result<i32> {
    let mut input = if options.interactive {
        let mut editor = Editor::<CellValidator, DefaultHistory>::new()?;
        editor.set_helper(Some(CellValidator));
        if let Some(path) = &options.history {
            let _ = editor.load_history(path);
        }
        Input::Terminal(Box::new(editor))
    } else {
        Input::Pipe(Box::new(std::io::BufReader::new(std::io::stdin())))
    };
    if options.interactive {
        println!("tmrepl {} — starting evcxr…", env!("CARGO_PKG_VERSION"));
    }
    let mut exit_code = 0;
    'session: loop {
        while app.is_busy() {
            let updates = select! {
                recv(app.messages()) -> message => match message {
                    Ok(message) => app.handle(message),
                    Err(_) => vec![Update::Fatal("the engine stopped".into())],
                },
                recv(interrupts) -> _ => {
                    app.interrupt();
                    Vec::new()
                }
            };
            for update in updates {
                match show(&app, &update, options.interactive) {
                    Flow::Continue => {}
                    Flow::Quit => break 'session,
                    Flow::Fatal => {
                        exit_code = 1;
                        break 'session;
                    }
                    Flow::Input { prompt } => {
                        let answer = input.read_answer(&prompt).unwrap_or_default();
                        if let Err(e) = app.answer_input(answer) {
                            eprintln!("error: {e}");
                        }
                    }
                }
            }
        }
        let Some(cell) = input.read_cell(app.session().next_cell())? else {
            break;
        };
        for update in app.submit(&cell) {
            match show(&app, &update, options.interactive) {
                Flow::Quit => break 'session,
                Flow::Fatal => {
                    exit_code = 1;
                    break 'session;
                }
                _ => {}
            }
        }
    }
    if let (Input::Terminal(editor), Some(path)) = (&mut input, &options.history) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(path);
    }
    app.shutdown();
    Ok(exit_code)
}

enum Flow {
    Continue,
    Quit,
    Fatal,
    Input { prompt: String },
}

fn show(app: &App, update: &Update, interactive: bool) -> Flow {
    match update {
        Update::Started { elapsed } => {
            if interactive {
                println!(
                    "ready in {}. :help lists commands; Ctrl-D quits.",
                    format_duration(*elapsed)
                );
            }
        }
        Update::Output { stream, text, .. } => match stream {
            Stream::Stdout => println!("{text}"),
            Stream::Stderr => eprintln!("{text}"),
        },
        Update::CellFinished(number) => {
            let Some(cell) = app.session().timeline().get(*number) else {
                return Flow::Continue;
            };
            if let Some(error) = &cell.error_text {
                eprintln!("{error}");
            }
            match &cell.status {
                CellStatus::Panic => eprintln!("cell {number} panicked"),
                CellStatus::Error(message) if cell.error_text.is_none() => {
                    eprintln!("error: {message}")
                }
                _ => {}
            }
            if let Some(value) = &cell.value {
                println!("Out[{number}]: {value}");
            }
            if app.session().timing()
                && let Some(d) = cell.duration
            {
                println!("took {}", format_duration(d));
            }
        }
        Update::Notice(notice) => match notice.kind {
            NoticeKind::Info => println!("{}", notice.text),
            NoticeKind::Warning => eprintln!("warning: {}", notice.text),
            NoticeKind::Error => eprintln!("error: {}", notice.text),
        },
        Update::InputRequested { prompt, .. } => {
            return Flow::Input {
                prompt: prompt.clone(),
            };
        }
        Update::Quit => return Flow::Quit,
        Update::Fatal(error) => {
            eprintln!("tmrepl: {error}");
            return Flow::Fatal;
        }
    }
    let _ = std::io::stdout().flush();
    Flow::Continue
}
