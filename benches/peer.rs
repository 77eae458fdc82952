//! tmrepl side by side with evcxr's own REPL (`evcxr_repl`): the same cells in one run,
//! alternating between the two, printed as a table with the ratio tmrepl / evcxr.
//! Run: EVCXR_BIN=/path/to/evcxr cargo bench --bench peer
//! Without evcxr it says how to install it and measures tmrepl alone. A run takes about
//! five minutes; `-- --short` (what CI runs, in the test profile) takes one sample of each
//! figure, to show that the benchmark runs, not to measure.
//!
//! Besides the cells, it measures what only tmrepl has, in the same run: saving a session
//! with 1 GiB of new data (`:save`), beside `dd` writing as much with fsync to the same
//! folder, resuming it, and `:past` back across a redefined `fn`, a new `struct` and a
//! `:dep`, against the same cell without `:past`.
//!
//! Every figure is wall time from writing a cell to a REPL's stdin until the line the cell
//! prints appears on its stdout. Cells run in blocks: each is written as soon as the line of
//! the one before appears, so work a REPL does after printing (tmrepl's snapshot, evcxr's
//! bookkeeping) is charged to the next cell, as someone typing quickly would feel it. Each
//! block starts with an untimed lead cell, which absorbs what the other REPL's turn left.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

use anyhow::{Context, Result, bail};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A cell on a busy 2-core machine; generous, since this only exists to fail instead of hang.
const CELL_TIMEOUT: Duration = Duration::from_secs(120);
/// A start in a fresh folder compiles evcxr's warm-up cell (and tmrepl's helper crate);
/// `:dep` downloads and builds a crate.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a REPL may take to exit at the end of its input before it is killed.
const QUIT_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of output kept for the message when a REPL fails.
const RECENT_LINES: usize = 30;

/// How many samples of each figure a run takes.
struct Plan {
    starts: usize,
    blocks: usize,
    /// Blocks of ten variable cells (the first and the last are timed).
    variable_blocks: u32,
    save_mib: u64,
    past_rounds: usize,
}

impl Plan {
    fn from_args() -> Plan {
        if std::env::args().any(|arg| arg == "--short") {
            Plan {
                starts: 1,
                blocks: 1,
                variable_blocks: 2,
                save_mib: 16,
                past_rounds: 1,
            }
        } else {
            Plan {
                starts: 3,
                blocks: 4,
                variable_blocks: 12,
                save_mib: 1024,
                past_rounds: 5,
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tmrepl,
    Evcxr,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tmrepl => "tmrepl",
            Kind::Evcxr => "evcxr",
        }
    }
}

/// A line of input and the line of output that shows it ran. The expected line holds a
/// value the cell computes, so it never matches an echo of the cell's own text.
#[derive(Clone)]
struct Cell {
    code: String,
    expect: String,
}

/// Makes cells numbered across the whole run, so no two print the same line.
#[derive(Default)]
struct Cells {
    next: u32,
}

impl Cells {
    fn number(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// A cell that defines nothing, to start a block.
    fn lead(&mut self) -> Cell {
        let i = self.number();
        Cell {
            code: format!("println!(\"l{i} {{}}\", {i} * 3);"),
            expect: format!("l{i} {}", i * 3),
        }
    }

    fn small(&mut self) -> Cell {
        let i = self.number();
        Cell {
            code: format!("let a{i} = {i} * 3; println!(\"m{i} {{}}\", a{i});"),
            expect: format!("m{i} {}", i * 3),
        }
    }

    fn vec_variable(&mut self) -> Cell {
        let i = self.number();
        Cell {
            code: format!(
                "let v{i}: Vec<u64> = (0..1000).collect(); println!(\"v{i} {{}}\", v{i}.len());"
            ),
            expect: format!("v{i} 1000"),
        }
    }

    fn struct_and_impl(&mut self) -> Cell {
        let i = self.number();
        Cell {
            code: format!(
                "struct Point{i} {{ x: i64, y: i64 }} \
                 impl Point{i} {{ fn manhattan(&self) -> i64 {{ self.x.abs() + self.y.abs() }} }} \
                 let p{i} = Point{i} {{ x: 3, y: -{i} }}; println!(\"s{i} {{}}\", p{i}.manhattan());"
            ),
            expect: format!("s{i} {}", 3 + i),
        }
    }

    /// An expression cell: its value is the line awaited.
    fn expression(&mut self) -> Cell {
        let i = u64::from(self.number());
        Cell {
            code: format!("{i}u64 * 1000 + 7"),
            expect: format!("{}", i * 1000 + 7),
        }
    }

    /// `let v7 = vec![7u64; 100];` then `v7.len() + …`.
    fn let_pair(&mut self) -> Pair {
        let i = u64::from(self.number());
        Pair::new(
            format!("let w{i} = vec![{i}u64; 100];"),
            format!("w{i}.len() as u64 + {i} * 1000"),
            100 + i * 1000,
        )
    }

    /// A new `fn`, then a call of it.
    fn fn_pair(&mut self) -> Pair {
        let i = u64::from(self.number());
        Pair::new(
            format!("fn f{i}(x: u64) -> u64 {{ x * 3 + {i} }}"),
            format!("f{i}(1000)"),
            3000 + i,
        )
    }

    /// The same `fn` defined again with another body, then a call of it.
    fn redefinition_pair(&mut self) -> Pair {
        let i = u64::from(self.number());
        Pair::new(
            format!("fn again(x: u64) -> u64 {{ x + {i} }}"),
            "again(1000000)".to_owned(),
            1_000_000 + i,
        )
    }

    /// A cell rustc refuses: the error names a type only this cell mentions.
    fn compile_error(&mut self) -> Cell {
        let i = self.number();
        Cell {
            code: format!("let e{i}: Missing{i} = 1;"),
            expect: format!("cannot find type `Missing{i}`"),
        }
    }

    fn using_itoa(&mut self) -> Cell {
        let i = self.number();
        Cell {
            code: format!("println!(\"d{i} {{}}\", itoa::Buffer::new().format({i}u64 * 7));"),
            expect: format!("d{i} {}", i * 7),
        }
    }
}

/// A cell that prints nothing and one after it that shows both ran: the pair is timed,
/// from the first cell written to the second's value.
struct Pair {
    silent: String,
    reading: Cell,
}

impl Pair {
    fn new(silent: String, reading: String, value: u64) -> Pair {
        Pair {
            silent,
            reading: Cell {
                code: reading,
                expect: value.to_string(),
            },
        }
    }
}

/// A running REPL with piped stdin and stdout.
struct Repl {
    kind: Kind,
    child: Child,
    stdin: Option<ChildStdin>,
    /// Each stdout line with the moment its reader thread got it.
    stdout: Receiver<(Instant, String)>,
    /// The latest lines of stdout and stderr, for the message when something fails.
    recent: Arc<Mutex<VecDeque<String>>>,
}

fn remember(recent: &Mutex<VecDeque<String>>, line: String) {
    if let Ok(mut recent) = recent.lock() {
        if recent.len() == RECENT_LINES {
            recent.pop_front();
        }
        recent.push_back(line);
    }
}

impl Repl {
    fn spawn(kind: Kind, mut command: Command) -> Result<Repl> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", kind.name()))?;
        let recent = Arc::new(Mutex::new(VecDeque::new()));
        let (stdout_tx, stdout) = mpsc::channel();
        let stderr_tx = stdout_tx.clone();
        let mut out = BufReader::new(child.stdout.take().context("no stdout pipe")?);
        std::thread::spawn(move || {
            let mut line = Vec::new();
            while matches!(out.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                if stdout_tx.send((Instant::now(), text)).is_err() {
                    break;
                }
                line.clear();
            }
        });
        // Drained all along, or a REPL writing much to stderr would block on a full pipe;
        // its lines are awaited too (a compile error may be told on either stream).
        let err = BufReader::new(child.stderr.take().context("no stderr pipe")?);
        let err_recent = Arc::clone(&recent);
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                remember(&err_recent, format!("stderr: {line}"));
                if stderr_tx
                    .send((Instant::now(), format!("stderr: {line}")))
                    .is_err()
                {
                    break;
                }
            }
        });
        Ok(Repl {
            kind,
            stdin: child.stdin.take(),
            child,
            stdout,
            recent,
        })
    }

    /// Writes the cell's line; returns when it was written.
    fn send(&mut self, code: &str) -> Result<Instant> {
        while let Ok((_, line)) = self.stdout.try_recv() {
            remember(&self.recent, line);
        }
        let stdin = self.stdin.as_mut().context("stdin already closed")?;
        let sent = Instant::now();
        writeln!(stdin, "{code}")
            .and_then(|()| stdin.flush())
            .with_context(|| format!("{}: writing `{code}`", self.kind.name()))?;
        Ok(sent)
    }

    /// Time from `since` until a stdout line contains `expect`.
    fn wait_for(&mut self, expect: &str, since: Instant, timeout: Duration) -> Result<Duration> {
        let (at, _) = self.line_until(expect, since + timeout, timeout)?;
        Ok(at.saturating_duration_since(since))
    }

    /// The first stdout line from now on that contains `expect`.
    fn line_with(&mut self, expect: &str, timeout: Duration) -> Result<String> {
        let (_, line) = self.line_until(expect, Instant::now() + timeout, timeout)?;
        Ok(line)
    }

    /// The first stdout line that contains `expect`, with the moment it came, if it comes
    /// before `deadline` (`timeout` from when it was set, for the message).
    fn line_until(
        &mut self,
        expect: &str,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(Instant, String)> {
        loop {
            match self
                .stdout
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok((at, line)) => {
                    let found = line.contains(expect);
                    remember(&self.recent, line.clone());
                    if found {
                        return Ok((at, line));
                    }
                }
                Err(RecvTimeoutError::Timeout) => bail!(
                    "{}: `{expect}` did not appear within {} s; its latest output:\n{}",
                    self.kind.name(),
                    timeout.as_secs(),
                    self.recent_output()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    // Give the stderr thread a moment to record the last words.
                    std::thread::sleep(Duration::from_millis(200));
                    bail!(
                        "{}: exited ({:?}) before printing `{expect}`; its latest output:\n{}",
                        self.kind.name(),
                        self.child.try_wait().ok().flatten(),
                        self.recent_output()
                    )
                }
            }
        }
    }

    fn run(&mut self, cell: &Cell, timeout: Duration) -> Result<Duration> {
        let sent = self.send(&cell.code)?;
        self.wait_for(&cell.expect, sent, timeout)
    }

    fn recent_output(&self) -> String {
        match self.recent.lock() {
            Ok(recent) => recent.iter().map(|l| format!("  {l}\n")).collect(),
            Err(_) => String::new(),
        }
    }
}

impl Drop for Repl {
    /// End of input makes both REPLs quit; one that does not is killed.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + QUIT_TIMEOUT;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How to start the REPLs, in folders under one scratch folder.
struct Peers {
    evcxr: Option<PathBuf>,
    scratch: tempfile::TempDir,
    folders: u32,
}

impl Peers {
    fn kinds(&self) -> Vec<Kind> {
        let mut kinds = vec![Kind::Tmrepl];
        if self.evcxr.is_some() {
            kinds.push(Kind::Evcxr);
        }
        kinds
    }

    /// A new empty folder.
    fn folder(&mut self) -> Result<PathBuf> {
        self.folders += 1;
        let path = self.scratch.path().join(format!("folder-{}", self.folders));
        std::fs::create_dir_all(&path)?;
        Ok(path)
    }

    /// Starts `kind` with `folder` as its build folder: tmrepl's data folder (which holds
    /// its build folder) or evcxr's EVCXR_TMPDIR. A new folder is a user's first start; the
    /// same folder again is every later start. (Without EVCXR_TMPDIR evcxr builds in a new
    /// temporary folder at every start.)
    fn start(&self, kind: Kind, folder: &Path) -> Result<Repl> {
        let mut command = match (kind, &self.evcxr) {
            (Kind::Tmrepl, _) => {
                let mut command = Command::new(env!("CARGO_BIN_EXE_tmrepl"));
                command
                    .args(["--plain", "--notify", "off", "--data-dir"])
                    .arg(folder);
                command
            }
            (Kind::Evcxr, Some(bin)) => {
                let mut command = Command::new(bin);
                command.env("EVCXR_TMPDIR", folder);
                command
            }
            (Kind::Evcxr, None) => bail!("evcxr is not available"),
        };
        // No user configuration, init.evcxr, prelude or history takes part.
        let home = self.scratch.path();
        command
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .current_dir(home);
        Repl::spawn(kind, command)
    }

    /// Starts `kind` and waits until it has run a first cell.
    fn ready(&self, kind: Kind, folder: &Path, cells: &mut Cells) -> Result<Repl> {
        let mut repl = self.start(kind, folder)?;
        repl.run(&cells.lead(), BUILD_TIMEOUT)?;
        Ok(repl)
    }
}

/// EVCXR_BIN, else `evcxr` on PATH.
fn find_evcxr() -> Result<Option<PathBuf>> {
    if let Some(bin) = std::env::var_os("EVCXR_BIN") {
        let bin = PathBuf::from(bin);
        if !bin.is_file() {
            bail!("EVCXR_BIN={} is not a file", bin.display());
        }
        return Ok(Some(bin));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    Ok(std::env::split_paths(&path)
        .map(|dir| dir.join("evcxr"))
        .find(|bin| bin.is_file()))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs `cells` back to back after an untimed lead cell; each cell's time in ms.
fn block(repl: &mut Repl, lead: &Cell, cells: &[Cell]) -> Result<Vec<f64>> {
    repl.run(lead, CELL_TIMEOUT)?;
    cells
        .iter()
        .map(|cell| repl.run(cell, CELL_TIMEOUT).map(ms))
        .collect()
}

/// Runs `pairs` back to back after an untimed lead cell; each pair's time in ms.
fn pair_block(repl: &mut Repl, lead: &Cell, pairs: &[Pair]) -> Result<Vec<f64>> {
    repl.run(lead, CELL_TIMEOUT)?;
    pairs
        .iter()
        .map(|pair| {
            let sent = repl.send(&pair.silent)?;
            repl.send(&pair.reading.code)?;
            repl.wait_for(&pair.reading.expect, sent, CELL_TIMEOUT)
                .map(ms)
        })
        .collect()
}

/// Saving, resuming and `:past`, which evcxr's REPL has no equivalent of: printed as a
/// table of their own, with `dd` beside the save.
fn tmrepl_only(peers: &Peers, folder: &Path, plan: &Plan, cells: &mut Cells) -> Result<()> {
    let mut repl = peers.ready(Kind::Tmrepl, folder, cells)?;
    let bytes = plan.save_mib << 20;
    repl.run(
        &Cell {
            code: format!(
                "let big: Vec<u8> = (0..{bytes}u64).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect(); println!(\"big {{}}\", big.len());"
            ),
            expect: format!("big {bytes}"),
        },
        BUILD_TIMEOUT,
    )?;
    let sent = repl.send(":save peer")?;
    let save = repl.wait_for("saved session peer", sent, BUILD_TIMEOUT)?;
    let mb = bytes as f64 / 1e6;

    let dd_file = folder.join("dd.bin");
    let started = Instant::now();
    let dd = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", dd_file.display()))
        .args(["bs=1M", &format!("count={}", plan.save_mib), "conv=fsync"])
        .output()
        .context("running dd")?;
    let dd_time = started.elapsed();
    let _ = std::fs::remove_file(&dd_file);
    if !dd.status.success() {
        bail!("dd failed: {}", String::from_utf8_lossy(&dd.stderr));
    }

    drop(repl);

    // Resume: a new process reopens the session and shows the value.
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_tmrepl"));
    command
        .args(["--plain", "--notify", "off", "--data-dir"])
        .arg(folder)
        .args(["--resume", "peer"])
        .env("XDG_CONFIG_HOME", peers.scratch.path().join("config"))
        .env("XDG_STATE_HOME", peers.scratch.path().join("state"))
        .current_dir(peers.scratch.path());
    let mut resumed = Repl::spawn(Kind::Tmrepl, command)?;
    resumed.send("big.len() + 1")?;
    let resume = resumed.wait_for(&(bytes + 1).to_string(), started, BUILD_TIMEOUT)?;

    // `:past` back across a redefined fn, a new struct and a :dep, then a cell; against
    // the same cell without `:past`. The changes are made again before each round.
    resumed.send("let past_marker = 1;")?;
    let line = resumed.line_with("let past_marker = 1;", CELL_TIMEOUT)?;
    let cell_number: u32 = line
        .split_once("In [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(number, _)| number.parse().ok())
        .with_context(|| format!("no cell number in `{line}`"))?;
    let mut alone = Vec::new();
    let mut with_past = Vec::new();
    let mut after = Vec::new();
    for round in 0..plan.past_rounds {
        let changes = [
            format!("fn past_f() -> u32 {{ {round} }}"),
            format!("fn past_f() -> u32 {{ {round} + 1 }}"),
            format!("struct PastS{round} {{ a: u8 }}"),
            ":dep itoa = \"1\"".to_owned(),
        ];
        for change in &changes {
            resumed.send(change)?;
        }
        let built = cells.using_itoa();
        resumed.run(&built, BUILD_TIMEOUT)?;
        alone.push(ms(resumed.run(&cells.lead(), CELL_TIMEOUT)?));
        let cell = cells.lead();
        let sent = resumed.send(&format!(":past {cell_number}"))?;
        resumed.send(&cell.code)?;
        with_past.push(ms(resumed.wait_for(&cell.expect, sent, CELL_TIMEOUT)?));
        after.push(ms(resumed.run(&cells.lead(), CELL_TIMEOUT)?));
    }
    drop(resumed);

    println!();
    println!("{:<46} | {:>24}", "tmrepl only", "");
    println!("{}", "-".repeat(46 + 24 + 3));
    let rows = [
        (
            format!("`:save` of {} MiB of new data", plan.save_mib),
            format!(
                "{:.2} s, {:.0} MB/s",
                save.as_secs_f64(),
                mb / save.as_secs_f64()
            ),
        ),
        (
            format!("dd of {} MiB with fsync, same folder", plan.save_mib),
            format!(
                "{:.2} s, {:.0} MB/s",
                dd_time.as_secs_f64(),
                mb / dd_time.as_secs_f64()
            ),
        ),
        (
            "resume of it, start to the value".to_owned(),
            format!(
                "{:.2} s, {:.2}x the save",
                resume.as_secs_f64(),
                resume.as_secs_f64() / save.as_secs_f64()
            ),
        ),
        (
            format!("small cell (of {})", alone.len()),
            format!("{:.0} ms", median(alone.clone())),
        ),
        (
            "`:past` across fn, struct, :dep + that cell".to_owned(),
            format!(
                "{:.0} ms, +{:.0} ms",
                median(with_past.clone()),
                median(with_past) - median(alone.clone())
            ),
        ),
        (
            "the cell after it".to_owned(),
            format!("{:.0} ms", median(after)),
        ),
    ];
    for (label, figure) in rows {
        println!("{label:<46} | {figure:>24}");
    }
    Ok(())
}

/// Time in ms from starting `kind` until its first cell has printed.
fn first_result(peers: &Peers, kind: Kind, folder: &Path, cells: &mut Cells) -> Result<f64> {
    let cell = cells.small();
    let started = Instant::now();
    let mut repl = peers.start(kind, folder)?;
    repl.send(&cell.code)?;
    Ok(ms(repl.wait_for(&cell.expect, started, BUILD_TIMEOUT)?))
}

/// Each figure's samples in ms, per REPL.
struct Figure {
    label: String,
    tmrepl: Vec<f64>,
    evcxr: Vec<f64>,
}

impl Figure {
    fn new(label: &str) -> Figure {
        Figure {
            label: label.to_owned(),
            tmrepl: Vec::new(),
            evcxr: Vec::new(),
        }
    }

    fn samples(&mut self, kind: Kind) -> &mut Vec<f64> {
        match kind {
            Kind::Tmrepl => &mut self.tmrepl,
            Kind::Evcxr => &mut self.evcxr,
        }
    }
}

fn print_table(figures: Vec<Figure>) {
    let cell = |samples: &[f64]| match samples.len() {
        0 => "—".to_owned(),
        _ => format!("{:.0} ms", median(samples.to_vec())),
    };
    println!();
    println!(
        "{:<46} | {:>10} | {:>10} | {:>15}",
        "median", "tmrepl", "evcxr", "tmrepl / evcxr"
    );
    println!("{}", "-".repeat(46 + 10 + 10 + 15 + 9));
    for figure in figures {
        let ratio = match (figure.tmrepl.is_empty(), figure.evcxr.is_empty()) {
            (false, false) => format!(
                "{:.2}",
                median(figure.tmrepl.clone()) / median(figure.evcxr.clone())
            ),
            _ => "—".to_owned(),
        };
        println!(
            "{:<46} | {:>10} | {:>10} | {:>15}",
            figure.label,
            cell(&figure.tmrepl),
            cell(&figure.evcxr),
            ratio
        );
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn main() -> Result<()> {
    let evcxr = find_evcxr()?;
    if evcxr.is_none() {
        eprintln!(
            "evcxr's REPL not found (EVCXR_BIN, or `evcxr` on PATH): measuring tmrepl alone.\n\
             To compare, install it (about 10 minutes) and run again:\n  \
             cargo install evcxr_repl --version 0.22.0 --locked --root DIR\n  \
             EVCXR_BIN=DIR/bin/evcxr cargo bench --bench peer"
        );
    }
    let mut peers = Peers {
        evcxr,
        scratch: tempfile::tempdir()?,
        folders: 0,
    };
    let kinds = peers.kinds();
    let plan = Plan::from_args();
    let mut cells = Cells::default();
    let load_at_start = load_average();

    eprintln!("peer: starts");
    let mut first = Figure::new(&format!(
        "start to first result, new folder (of {})",
        plan.starts
    ));
    let mut later = Figure::new(&format!(
        "start to first result, kept folder (of {})",
        plan.starts
    ));
    let mut kept = Vec::new();
    for &kind in &kinds {
        // The kept folder's own first start, untimed, fills it.
        let folder = peers.folder()?;
        drop(peers.ready(kind, &folder, &mut cells)?);
        kept.push((kind, folder));
    }
    for _ in 0..plan.starts {
        for (kind, folder) in &kept {
            let fresh = peers.folder()?;
            let took = first_result(&peers, *kind, &fresh, &mut cells)?;
            first.samples(*kind).push(took);
            let took = first_result(&peers, *kind, folder, &mut cells)?;
            later.samples(*kind).push(took);
        }
    }

    eprintln!("peer: small cells, a struct, :dep");
    let mut sessions = Vec::new();
    for (kind, folder) in &kept {
        sessions.push(peers.ready(*kind, folder, &mut cells)?);
    }
    let mut small = Figure::new(&format!("small cell (of {})", 3 * plan.blocks));
    for _ in 0..plan.blocks {
        let (lead, timed) = (cells.lead(), [cells.small(), cells.small(), cells.small()]);
        for repl in &mut sessions {
            let times = block(repl, &lead, &timed)?;
            small.samples(repl.kind).extend(times);
        }
    }
    // Every kind of cell, alternating between the REPLs block by block.
    let of = 4 * plan.blocks;
    let mut expression = Figure::new(&format!("expression cell (of {of})"));
    let mut error = Figure::new(&format!("cell with a compile error (of {of})"));
    let mut let_pair = Figure::new(&format!("`let` cell + expression reading it (of {of})"));
    let mut fn_pair = Figure::new(&format!("`fn` cell + a call (of {of})"));
    let mut redefinition = Figure::new(&format!("`fn` redefined + a call (of {of})"));
    for _ in 0..plan.blocks {
        let lead = cells.lead();
        let expressions: Vec<Cell> = (0..4).map(|_| cells.expression()).collect();
        let errors: Vec<Cell> = (0..4).map(|_| cells.compile_error()).collect();
        let lets: Vec<Pair> = (0..4).map(|_| cells.let_pair()).collect();
        let fns: Vec<Pair> = (0..4).map(|_| cells.fn_pair()).collect();
        let again: Vec<Pair> = (0..4).map(|_| cells.redefinition_pair()).collect();
        for repl in &mut sessions {
            let kind = repl.kind;
            expression
                .samples(kind)
                .extend(block(repl, &lead, &expressions)?);
            error.samples(kind).extend(block(repl, &lead, &errors)?);
            let_pair
                .samples(kind)
                .extend(pair_block(repl, &lead, &lets)?);
            fn_pair.samples(kind).extend(pair_block(repl, &lead, &fns)?);
            redefinition
                .samples(kind)
                .extend(pair_block(repl, &lead, &again)?);
        }
    }
    let mut with_struct = Figure::new(&format!(
        "cell defining a struct and impl (of {})",
        plan.starts
    ));
    for _ in 0..plan.starts {
        let (lead, timed) = (cells.lead(), [cells.struct_and_impl()]);
        for repl in &mut sessions {
            let times = block(repl, &lead, &timed)?;
            with_struct.samples(repl.kind).extend(times);
        }
    }
    let mut dep = Figure::new(":dep itoa = \"1\" and a small cell (once)");
    let mut after_dep = Figure::new(&format!("cell using itoa after :dep (of {})", plan.starts));
    let after = cells.lead();
    for repl in &mut sessions {
        // The small cell shows when the dependency is in place.
        let sent = repl.send(":dep itoa = \"1\"")?;
        repl.send(&after.code)?;
        let took = repl.wait_for(&after.expect, sent, BUILD_TIMEOUT)?;
        dep.samples(repl.kind).push(ms(took));
    }
    for _ in 0..plan.starts {
        let (lead, timed) = (cells.lead(), [cells.using_itoa()]);
        for repl in &mut sessions {
            let times = block(repl, &lead, &timed)?;
            after_dep.samples(repl.kind).extend(times);
        }
    }
    drop(sessions);

    eprintln!("peer: 120 variables");
    let mut sessions = Vec::new();
    for (kind, folder) in &kept {
        sessions.push(peers.ready(*kind, folder, &mut cells)?);
    }
    let variables = plan.variable_blocks * 10;
    let mut first_ten = Figure::new(&format!("Vec<u64> variable cell, 1st–10th of {variables}"));
    let mut last_ten = Figure::new(&format!(
        "Vec<u64> variable cell, {}th–{variables}th of {variables}",
        variables - 9
    ));
    for block_number in 0..plan.variable_blocks {
        let lead = cells.lead();
        let timed: Vec<Cell> = (0..10).map(|_| cells.vec_variable()).collect();
        for repl in &mut sessions {
            let times = block(repl, &lead, &timed)?;
            if block_number == 0 {
                first_ten.samples(repl.kind).extend(times);
            } else if block_number + 1 == plan.variable_blocks {
                last_ten.samples(repl.kind).extend(times);
            }
        }
    }
    let mut after_variables = Figure::new(&format!("small cell after the {variables} (of 10)"));
    let lead = cells.lead();
    let timed: Vec<Cell> = (0..10).map(|_| cells.small()).collect();
    for repl in &mut sessions {
        let times = block(repl, &lead, &timed)?;
        after_variables.samples(repl.kind).extend(times);
    }
    drop(sessions);
    print_table(vec![
        small,
        expression,
        let_pair,
        fn_pair,
        redefinition,
        error,
        first,
        later,
        first_ten,
        last_ten,
        after_variables,
        with_struct,
        dep,
        after_dep,
    ]);
    eprintln!("peer: saving, resuming and :past (tmrepl only)");
    let folder = peers.folder()?;
    tmrepl_only(&peers, &folder, &plan, &mut cells)?;
    println!(
        "\nload average (1 min) at start {load_at_start}, at end {}; {} CPUs",
        load_average(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(())
}
