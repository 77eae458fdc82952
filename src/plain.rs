//! Line mode: rustyline on a terminal, or cells read from a pipe exactly as if typed.

use crate::app::{App, Update};
use crate::commands::Command;
use crate::completion;
use crate::engine::CodeCompleter;
use crate::frontend::{self, CellReport};
use crate::history;
use crate::session::input::{Completeness, completeness};
use crate::session::{NoticeKind, Stream, format_duration};
use anyhow::Result;
use crossbeam_channel::{Receiver, select};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Editor, Helper};
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// rustyline's helper: when a cell is complete (Enter runs it), and what Tab offers.
pub struct LineHelper {
    /// rust-analyzer through the engine; the prompt is only up while the engine is idle.
    code: CodeCompleter,
    /// The session's variables when the prompt came up, for command arguments.
    variables: Vec<String>,
}

impl LineHelper {
    pub fn new(code: CodeCompleter) -> LineHelper {
        LineHelper {
            code,
            variables: Vec::new(),
        }
    }

    /// The session's variable names, offered as `:` command arguments.
    pub fn set_variables(&mut self, variables: Vec<String>) {
        self.variables = variables;
    }
}

impl Completer for LineHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let found = completion::complete(line, pos, &self.variables, Some(&self.code));
        let pairs = found
            .candidates
            .into_iter()
            .map(|c| Pair {
                display: c.label,
                replacement: c.insert,
            })
            .collect();
        Ok((found.start, pairs))
    }
}
impl Hinter for LineHelper {
    type Hint = String;
}
impl Highlighter for LineHelper {}
impl Helper for LineHelper {}
impl Validator for LineHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match completeness(ctx.input()) {
            Completeness::Complete => ValidationResult::Valid(None),
            Completeness::Incomplete => ValidationResult::Incomplete,
        })
    }
}

enum Input {
    Terminal(Box<Editor<LineHelper, DefaultHistory>>),
    Pipe(Box<dyn BufRead + Send>),
}

impl Input {
    /// Next complete cell; None at end of input.
    fn read_cell(&mut self, number: u32, variables: Vec<String>) -> Result<Option<String>> {
        match self {
            Input::Terminal(editor) => loop {
                if let Some(helper) = editor.helper_mut() {
                    helper.set_variables(variables.clone());
                }
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
                    // A paste as a terminal sends it (bracketed: ESC[200~ … ESC[201~) is one
                    // cell, whatever its lines, as when it is pasted at the prompt.
                    if cell.is_empty()
                        && let Some(start) = line.strip_prefix(PASTE_START)
                    {
                        let pasted = read_paste(reader, start)?;
                        echo_piped_cell(number, &pasted);
                        return Ok(Some(pasted));
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

const PASTE_START: &str = "\x1b[200~";
const PASTE_END: &str = "\x1b[201~";

/// The rest of a bracketed paste whose first line (after its start marker) is `first`, with
/// its line ends made `\n` (a paste may carry CR or CRLF), without the end marker.
fn read_paste(reader: &mut dyn BufRead, first: &str) -> Result<String> {
    let mut text = first.to_owned();
    while !text.contains(PASTE_END) {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        text.push_str(&line);
    }
    let text = text.split(PASTE_END).next().unwrap_or("");
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Ok(text.trim_end_matches('\n').to_owned())
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
    pub history_size: usize,
    /// vi editing keys instead of emacs ones.
    pub vi: bool,
}

/// What the main loop asks of the input thread.
enum Ask {
    Cell { number: u32, variables: Vec<String> },
    Answer { prompt: String },
    SaveHistory,
}

/// The input thread's replies; `None` is end of input.
enum Reply {
    Cell(Option<String>),
    Answer(Option<String>),
}

/// Prints while rustyline owns the terminal without breaking its prompt.
type Printer = Box<dyn FnMut(String) + Send>;

/// Reads input on its own thread, one request at a time, so the main loop keeps handling
/// engine events (a job finishing, output) while the user types.
fn spawn_input(
    mut input: Input,
    history: Option<PathBuf>,
) -> Result<(
    crossbeam_channel::Sender<Ask>,
    Receiver<Reply>,
    Option<Printer>,
)> {
    let printer: Option<Printer> = match &mut input {
        Input::Terminal(editor) => match editor.create_external_printer() {
            Ok(mut printer) => Some(Box::new(move |text: String| {
                use rustyline::ExternalPrinter as _;
                let _ = printer.print(text);
            })),
            Err(_) => None,
        },
        Input::Pipe(_) => None,
    };
    let (ask_tx, ask_rx) = crossbeam_channel::unbounded::<Ask>();
    let (reply_tx, reply_rx) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("tmrepl-input".into())
        .spawn(move || {
            for ask in ask_rx {
                let reply = match ask {
                    Ask::Cell { number, variables } => {
                        Reply::Cell(input.read_cell(number, variables).ok().flatten())
                    }
                    Ask::Answer { prompt } => Reply::Answer(input.read_answer(&prompt)),
                    Ask::SaveHistory => {
                        if let (Input::Terminal(editor), Some(path)) = (&mut input, &history)
                            && let Err(e) = history::save_from(editor.history_mut(), path)
                        {
                            let _ = writeln!(
                                std::io::stderr(),
                                "tmrepl: could not save the input history to {}: {e}",
                                path.display()
                            );
                        }
                        Reply::Answer(None)
                    }
                };
                if reply_tx.send(reply).is_err() {
                    break;
                }
            }
        })?;
    Ok((ask_tx, reply_rx, printer))
}

/// Runs line mode until end of input or `:quit`. Returns the process exit code.
pub fn run(mut app: App, options: PlainOptions, interrupts: Receiver<()>) -> Result<i32> {
    let input = if options.interactive {
        let config = rustyline::Config::builder()
            .max_history_size(options.history_size.max(1))?
            .completion_type(rustyline::CompletionType::List)
            .edit_mode(if options.vi {
                rustyline::EditMode::Vi
            } else {
                rustyline::EditMode::Emacs
            })
            .build();
        let mut editor = Editor::<LineHelper, DefaultHistory>::with_config(config)?;
        editor.set_helper(Some(LineHelper::new(app.code_completer())));
        if let Some(path) = &options.history {
            // An unreadable history is not worth refusing to start over.
            let _ = history::load_into(editor.history_mut(), path);
        }
        Input::Terminal(Box::new(editor))
    } else {
        Input::Pipe(Box::new(std::io::BufReader::new(std::io::stdin())))
    };
    if options.interactive {
        println!("tmrepl {} — starting evcxr…", env!("CARGO_PKG_VERSION"));
    }
    let (ask, replies, mut printer) = spawn_input(input, options.history.clone())?;
    let mut view = View {
        interactive: options.interactive,
        printer: None,
    };
    let mut exit_code = 0;
    for update in app.take_startup() {
        if let Flow::Decline = view.show(&app, &update) {
            decline(&mut app, &mut view);
        }
    }
    // Whether a request is out to the input thread, and whether it is the quit question.
    let mut reading = false;
    let mut asking_quit = false;
    let tick = crossbeam_channel::tick(std::time::Duration::from_millis(200));
    'session: loop {
        if !app.is_busy() && !reading {
            let _ = ask.send(Ask::Cell {
                number: app.session().next_cell(),
                variables: app
                    .session()
                    .current_vars()
                    .iter()
                    .map(|v| v.name.clone())
                    .collect(),
            });
            reading = true;
            if options.interactive {
                view.printer = printer.take();
            }
        }
        let updates = select! {
            recv(app.messages()) -> message => match message {
                Ok(message) => app.handle(message),
                Err(_) => vec![Update::Fatal("the engine stopped".into())],
            },
            recv(tick) -> _ => app.tick(),
            recv(interrupts) -> _ => {
                if app.is_busy() {
                    app.interrupt();
                } else if !options.interactive {
                    break 'session;
                }
                Vec::new()
            },
            recv(replies) -> reply => {
                reading = false;
                if let Some(p) = view.printer.take() {
                    printer = Some(p);
                }
                match reply {
                    Ok(Reply::Cell(Some(cell))) => app.submit(&cell),
                    Ok(Reply::Cell(None)) | Err(_) => vec![Update::Quit],
                    Ok(Reply::Answer(answer)) if asking_quit => {
                        asking_quit = false;
                        if frontend::confirms_quit(answer.as_deref()) {
                            break 'session;
                        }
                        Vec::new()
                    }
                    Ok(Reply::Answer(answer)) => {
                        if let Err(e) = app.answer_input(answer.unwrap_or_default()) {
                            view.err(&format!("error: {e}"));
                        }
                        Vec::new()
                    }
                }
            },
        };
        for update in updates {
            match view.show(&app, &update) {
                Flow::Continue => {}
                Flow::Quit => {
                    let Some(jobs) = frontend::jobs_in_the_way(app.session()) else {
                        break 'session;
                    };
                    if !options.interactive {
                        view.err(&jobs.stopped_at_end_of_input());
                        break 'session;
                    }
                    asking_quit = true;
                    reading = true;
                    let _ = ask.send(Ask::Answer {
                        prompt: jobs.question(),
                    });
                }
                Flow::Fatal => {
                    exit_code = 1;
                    break 'session;
                }
                Flow::Input { prompt } => {
                    reading = true;
                    let _ = ask.send(Ask::Answer { prompt });
                }
                Flow::Decline => decline(&mut app, &mut view),
            }
        }
    }
    if options.interactive && !reading {
        let _ = ask.send(Ask::SaveHistory);
        let _ = replies.recv_timeout(std::time::Duration::from_secs(2));
    }
    if exit_code == 0 {
        // Rustyline is done reading: what saving says is printed directly.
        view.printer = None;
        let said = frontend::save_before_quit(&mut app, |message| {
            if options.interactive {
                view.err(message);
            }
        });
        for update in said {
            show(&app, &update, &mut view);
        }
    }
    app.shutdown();
    Ok(exit_code)
}

struct View {
    interactive: bool,
    /// Set while rustyline is reading: lines go through it.
    printer: Option<Printer>,
}

impl View {
    fn out(&mut self, text: &str) {
        match &mut self.printer {
            Some(print) => print(format!("{text}\n")),
            None => println!("{text}"),
        }
    }

    fn err(&mut self, text: &str) {
        match &mut self.printer {
            Some(print) => print(format!("{text}\n")),
            None => eprintln!("{text}"),
        }
    }

    fn show(&mut self, app: &App, update: &Update) -> Flow {
        let flow = show(app, update, self);
        let _ = std::io::stdout().flush();
        flow
    }
}

enum Flow {
    Continue,
    Quit,
    Fatal,
    Input {
        prompt: String,
    },
    /// A question line mode does not ask: the answer is no.
    Decline,
}

/// Answers the session's yes/no question with no, showing what follows.
fn decline(app: &mut App, view: &mut View) {
    for update in app.command(Command::ReplayEffects(false)) {
        view.show(app, &update);
    }
}

fn show(app: &App, update: &Update, view: &mut View) -> Flow {
    match update {
        Update::Started { elapsed } => {
            if view.interactive {
                view.out(&format!(
                    "ready in {}. :help lists commands; Ctrl-D quits.",
                    format_duration(*elapsed)
                ));
            }
        }
        Update::Output { stream, text, .. } => match stream {
            Stream::Stdout => view.out(text),
            Stream::Stderr => view.err(text),
        },
        Update::CellFinished(number) => {
            for report in frontend::finished_cell(app.session(), *number) {
                let text = report.text();
                match report {
                    CellReport::ErrorText(_) | CellReport::Panicked(_) => view.err(&text),
                    CellReport::Failed(_) => view.err(&format!("error: {text}")),
                    CellReport::Value { cell, .. } => view.out(&format!("Out[{cell}]: {text}")),
                    CellReport::Took(_) => view.out(&text),
                }
            }
        }
        Update::Notice(notice) => match notice.kind {
            NoticeKind::Info => view.out(&notice.text),
            NoticeKind::Warning => view.err(&format!("warning: {}", notice.text)),
            NoticeKind::Error => view.err(&format!("error: {}", notice.text)),
        },
        // Line mode asks nothing of its own: its commands are typed.
        Update::Reply(_) => {}
        // The session has said that the job ended: what is new is the bell, and why the
        // desktop was not told.
        Update::Bell(notice) => view.err(&format!("\u{7}{}", crate::jobs::why_not_desktop(notice))),
        Update::InputRequested { prompt, .. } => {
            return Flow::Input {
                prompt: prompt.clone(),
            };
        }
        Update::Quit => return Flow::Quit,
        Update::Question(question) => {
            view.err(&format!(
                "{question}\n(line mode does not ask: no; --replay-effects replays them)"
            ));
            return Flow::Decline;
        }
        Update::Fatal(error) => {
            view.err(&format!("tmrepl: {error}"));
            return Flow::Fatal;
        }
    }
    Flow::Continue
}
