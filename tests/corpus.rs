//! The corpus: public Rust example programs (`tests/corpus/programs`, see its README), each
//! pasted into the real tmrepl binary (`--plain`, stdin piped, the program as one bracketed
//! paste) as one cell and then `main()`, and what `main()` printed compared with what
//! evcxr_repl 0.22 printed for
//! the same program (`tests/corpus/expected`, recorded by `tests/corpus/record-evcxr.sh`).
//!
//! All programs run in one session, each after `:clear`, so that one program's items do
//! not meet the next one's; the session first checks that `:clear` forgets a function and
//! a macro, and last that it forgot the final program's `main`. A paste is one cell, so
//! items may come in any order, as in a file.
//!
//! A program is the same as evcxr_repl when its `main()` cell printed exactly the
//! recorded lines (tmrepl's `Out[n]: v` read as evcxr's `v`) and its item cells printed
//! nothing (evcxr printed nothing for them; the recording checks it). A difference fails
//! the test unless `tests/corpus/DIFFERENCES.md` lists the program with a reason; an entry
//! there for a program that no longer differs fails it too. Every difference is printed
//! with the program's whole transcript, errors included.
//!
//! `TMREPL_CORPUS=word` runs only the programs whose name contains `word` (no counts of
//! the whole corpus then, and unlisted entries of DIFFERENCES.md are not checked).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

struct Program {
    name: String,
    text: String,
    /// evcxr_repl's output for `main()`, line by line; None when none was recorded.
    expected: Option<Vec<String>>,
}

fn load_programs() -> Vec<Program> {
    let dir = corpus_dir();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("programs"))
        .expect("tests/corpus/programs")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_suffix(".rs").map(str::to_owned))
        .collect();
    names.sort();
    let only = std::env::var("TMREPL_CORPUS").ok();
    names
        .into_iter()
        .filter(|name| only.as_deref().is_none_or(|word| name.contains(word)))
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("programs/{name}.rs"))).unwrap();
            let expected = std::fs::read_to_string(dir.join(format!("expected/{name}.out")))
                .ok()
                .map(|out| out.lines().map(str::to_owned).collect());
            Program {
                name,
                text,
                expected,
            }
        })
        .collect()
}

/// The accepted differences: the table rows of DIFFERENCES.md, `| `name` | reason |`.
fn accepted_differences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(corpus_dir().join("DIFFERENCES.md"))
        .expect("tests/corpus/DIFFERENCES.md");
    let mut accepted = BTreeMap::new();
    for line in text.lines() {
        let Some(row) = line.trim().strip_prefix("| `") else {
            continue;
        };
        let Some((name, rest)) = row.split_once('`') else {
            continue;
        };
        let reason = rest
            .trim()
            .trim_start_matches('|')
            .trim_end_matches('|')
            .trim();
        assert!(
            !reason.is_empty(),
            "DIFFERENCES.md: `{name}` is listed without a reason"
        );
        accepted.insert(name.to_owned(), reason.to_owned());
    }
    accepted
}

/// What one cell or command printed: its echo and the lines after it.
struct Block {
    /// `In [n]: …` echo: the cell's number and its lines; None for a `>> :command`.
    cell: Option<(u32, Vec<String>)>,
    /// The command, for a `>> ` echo.
    command: Option<String>,
    lines: Vec<String>,
}

impl Block {
    fn is_cell(&self, text: &str) -> bool {
        matches!(&self.cell, Some((_, lines)) if lines.len() == 1 && lines[0] == text)
    }

    fn is_command(&self, text: &str) -> bool {
        self.command.as_deref() == Some(text)
    }

    fn printed(&self) -> String {
        self.lines.join("\n")
    }

    fn transcript(&self, out: &mut Vec<String>) {
        match (&self.cell, &self.command) {
            (Some((number, lines)), _) => {
                for (i, line) in lines.iter().enumerate() {
                    if i == 0 {
                        out.push(format!("In [{number}]: {line}"));
                    } else {
                        out.push(format!("   ...: {line}"));
                    }
                }
            }
            (None, Some(command)) => out.push(format!(">> {command}")),
            (None, None) => {}
        }
        out.extend(self.lines.iter().cloned());
    }
}

/// Splits line mode's transcript at its echoes: `In [n]: first line` and `   ...: more`
/// for a cell, `>> :command` for a command.
fn parse_blocks(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    // Continuation lines belong to the echo only right after it.
    let mut in_echo = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("In [")
            && let Some((number, first)) = rest.split_once("]: ")
            && let Ok(number) = number.parse::<u32>()
        {
            blocks.push(Block {
                cell: Some((number, vec![first.to_owned()])),
                command: None,
                lines: Vec::new(),
            });
            in_echo = true;
            continue;
        }
        if let Some(command) = line.strip_prefix(">> ") {
            blocks.push(Block {
                cell: None,
                command: Some(command.to_owned()),
                lines: Vec::new(),
            });
            in_echo = false;
            continue;
        }
        if in_echo
            && let Some(more) = line
                .strip_prefix("   ...: ")
                .or((line == "   ...:").then_some(""))
            && let Some(Block {
                cell: Some((_, lines)),
                ..
            }) = blocks.last_mut()
        {
            lines.push(more.to_owned());
            continue;
        }
        in_echo = false;
        match blocks.last_mut() {
            Some(block) => block.lines.push(line.to_owned()),
            None => blocks.push(Block {
                cell: None,
                command: None,
                lines: vec![line.to_owned()],
            }),
        }
    }
    blocks
}

/// Runs `input` through one tmrepl with stdout and stderr on one pipe, so every line
/// stays where it was written; returns the transcript.
fn run_session(input: String) -> String {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut command = common::tmrepl();
    command
        .arg("--data-dir")
        .arg(data.path())
        .env("XDG_STATE_HOME", data.path().join("state"))
        .current_dir(work.path());
    let (status, transcript) = common::run_merged(command, input, Duration::from_secs(900));
    assert!(status.success(), "tmrepl failed: {status}\n{transcript}");
    transcript
}

/// The cells that show `:clear` forgets items, before the programs: a function, a macro, a
/// type and a `use`, then `:clear`, then one cell using each of them.
const PROBE: &str = "\
fn corpus_probe() -> i32 { 7 }
macro_rules! corpus_probe_macro { () => { 8 }; }
struct CorpusProbeType(i32);
use std::collections::BTreeMap as CorpusProbeMap;
corpus_probe() * 10 + corpus_probe_macro!() + CorpusProbeType(1).0 + CorpusProbeMap::<i32, i32>::new().len() as i32
:clear
corpus_probe()
corpus_probe_macro!()
CorpusProbeType(1).0
CorpusProbeMap::<i32, i32>::new().len()
";

/// Checks the probe's blocks and returns how many there were.
fn check_probe(blocks: &[Block], transcript: &str) -> usize {
    let expect = |i: usize, wanted: &str, what: &str| {
        let printed = blocks.get(i).map(Block::printed).unwrap_or_default();
        assert!(
            printed.contains(wanted),
            "the :clear probe: {what}: wanted {wanted:?}, got {printed:?}\n--- transcript\n{transcript}"
        );
    };
    expect(4, ": 79", "the probe items work before :clear");
    assert!(
        blocks.get(5).is_some_and(|b| b.is_command(":clear")),
        "the probe's sixth line is :clear\n--- transcript\n{transcript}"
    );
    expect(
        6,
        "cannot find function `corpus_probe` in this scope",
        ":clear forgets a function",
    );
    expect(
        7,
        "cannot find macro `corpus_probe_macro` in this scope",
        ":clear forgets a macro",
    );
    expect(
        8,
        "cannot find function, tuple struct or tuple variant `CorpusProbeType`",
        ":clear forgets a type",
    );
    expect(
        9,
        "cannot find type `CorpusProbeMap` in this scope",
        ":clear forgets a `use`",
    );
    10
}

enum Verdict {
    Same,
    Differs(String),
}

/// Compares one program's blocks (after its `:clear`) with evcxr_repl's output.
fn judge(program: &Program, blocks: &[Block]) -> Verdict {
    let Some(expected) = &program.expected else {
        return Verdict::Differs(
            "no expectation recorded: run tests/corpus/record-evcxr.sh for it".to_owned(),
        );
    };
    let Some(main_at) = blocks.iter().rposition(|b| b.is_cell("main()")) else {
        return Verdict::Differs("no `main()` cell ran".to_owned());
    };
    let mut problems = Vec::new();
    for block in &blocks[..main_at] {
        let printed: Vec<&String> = block
            .lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .collect();
        if !printed.is_empty() {
            let first = match &block.cell {
                Some((number, lines)) => format!("In [{number}]: {}", lines[0]),
                None => ">> ?".to_owned(),
            };
            problems.push(format!(
                "item cell `{first}` printed {} line(s), evcxr_repl nothing; the first: {}",
                printed.len(),
                printed[0]
            ));
        }
    }
    let main = &blocks[main_at];
    let number = main.cell.as_ref().map(|(n, _)| *n).unwrap_or_default();
    let value_prefix = format!("Out[{number}]: ");
    let actual: Vec<String> = main
        .lines
        .iter()
        .map(|l| {
            l.strip_prefix(value_prefix.as_str())
                .unwrap_or(l)
                .to_owned()
        })
        .collect();
    // Trailing blank lines are no difference a reader could see.
    let trim = |lines: &[String]| -> usize {
        lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1)
    };
    let actual = &actual[..trim(&actual)];
    let expected = &expected[..trim(expected)];
    if actual != expected {
        let at = actual
            .iter()
            .zip(expected)
            .position(|(a, e)| a != e)
            .unwrap_or(actual.len().min(expected.len()));
        let mut text = format!(
            "main() printed {} line(s), evcxr_repl {}; first difference at line {}:\n",
            actual.len(),
            expected.len(),
            at + 1
        );
        text.push_str(&format!(
            "    evcxr_repl: {:?}\n    tmrepl:     {:?}",
            expected.get(at).map(String::as_str).unwrap_or("(nothing)"),
            actual.get(at).map(String::as_str).unwrap_or("(nothing)")
        ));
        problems.push(text);
    }
    if problems.is_empty() {
        Verdict::Same
    } else {
        Verdict::Differs(problems.join("\n"))
    }
}

/// How long a program's transcript may be in the report.
const SHOWN_LINES: usize = 120;

#[test]
fn corpus_matches_evcxr_repl() {
    let started = Instant::now();
    let programs = load_programs();
    assert!(!programs.is_empty(), "no corpus programs selected");
    let whole = std::env::var_os("TMREPL_CORPUS").is_none();
    let accepted = accepted_differences();

    let mut input = String::from(PROBE);
    for program in &programs {
        input.push_str(":clear\n");
        // Pasted as a person pastes a program: one bracketed paste, so it is one cell
        // whatever order its items come in (evcxr_repl's recording gets it whole too).
        input.push_str("\x1b[200~");
        input.push_str(program.text.trim_end());
        input.push_str("\x1b[201~\n");
        input.push_str("main()\n");
    }
    input.push_str(":clear\nmain()\n");
    let transcript = run_session(input);
    let blocks = parse_blocks(&transcript);

    // Anything tmrepl says before the first cell's echo is no cell's.
    let first = blocks
        .iter()
        .position(|b| b.cell.is_some())
        .expect("no cell was echoed");
    let blocks = &blocks[first..];
    let probe_blocks = check_probe(blocks, &transcript);
    // Each program's blocks start at its `:clear`; the last `:clear` is the closing check.
    let clears: Vec<usize> = blocks
        .iter()
        .enumerate()
        .skip(probe_blocks)
        .filter(|(_, b)| b.is_command(":clear"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        clears.len(),
        programs.len() + 1,
        "each program should start with its own :clear\n--- transcript\n{transcript}"
    );
    let closing = &blocks[*clears.last().unwrap()..];
    assert!(
        closing.iter().any(|b| b
            .printed()
            .contains("cannot find function `main` in this scope")),
        ":clear after the last program should forget its main; got:\n{}",
        closing
            .iter()
            .map(Block::printed)
            .collect::<Vec<_>>()
            .join("\n")
    );

    let mut same = 0;
    let mut differ_accepted = Vec::new();
    let mut differ_unlisted = Vec::new();
    let mut listed_but_same = Vec::new();
    for (i, program) in programs.iter().enumerate() {
        let own = &blocks[clears[i]..clears[i + 1]];
        let clear = &own[0];
        let cleared = clear.lines.iter().any(|l| l.starts_with("cleared:"));
        let verdict = match judge(program, &own[1..]) {
            Verdict::Same if !cleared => Verdict::Differs(format!(
                "its :clear did not say `cleared:`: {}",
                clear.printed()
            )),
            verdict => verdict,
        };
        match verdict {
            Verdict::Same => {
                same += 1;
                if accepted.contains_key(&program.name) {
                    listed_but_same.push(program.name.clone());
                }
            }
            Verdict::Differs(why) => {
                let mut shown = Vec::new();
                for block in own {
                    block.transcript(&mut shown);
                }
                let cut = shown.len().saturating_sub(SHOWN_LINES);
                let mut report = format!("=== {}: {why}\n", program.name);
                if let Some(expected) = &program.expected {
                    report.push_str("--- evcxr_repl 0.22 printed for main():\n");
                    for line in expected {
                        report.push_str(&format!("{line}\n"));
                    }
                }
                report.push_str("--- tmrepl's transcript of the program");
                if cut > 0 {
                    report.push_str(&format!(" (its first {cut} lines left out)"));
                }
                report.push('\n');
                for line in &shown[cut..] {
                    report.push_str(&format!("{line}\n"));
                }
                match accepted.get(&program.name) {
                    Some(reason) => {
                        differ_accepted.push(program.name.clone());
                        eprintln!("{report}(accepted in DIFFERENCES.md: {reason})\n");
                    }
                    None => {
                        differ_unlisted.push(program.name.clone());
                        eprintln!("{report}");
                    }
                }
            }
        }
    }
    let differ = differ_accepted.len() + differ_unlisted.len();
    let summary = format!(
        "corpus: {} programs, {same} same as evcxr_repl 0.22, {differ} differ ({} accepted in DIFFERENCES.md, {} not){}",
        programs.len(),
        differ_accepted.len(),
        differ_unlisted.len(),
        if whole {
            ""
        } else {
            " [TMREPL_CORPUS selection]"
        }
    );
    // Both streams: the count is wanted with or without --nocapture.
    println!("{summary}");
    eprintln!("{summary}");
    eprintln!(
        "corpus: one session in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let stale: Vec<&String> = if whole {
        accepted
            .keys()
            .filter(|name| !programs.iter().any(|p| &p.name == *name))
            .collect()
    } else {
        Vec::new()
    };
    assert!(
        stale.is_empty(),
        "DIFFERENCES.md lists programs that are not in the corpus: {stale:?}"
    );
    assert!(
        listed_but_same.is_empty(),
        "DIFFERENCES.md lists programs that are now the same as evcxr_repl; take them out: {listed_but_same:?}"
    );
    assert!(
        differ_unlisted.is_empty(),
        "{} program(s) differ from evcxr_repl 0.22 and are not in tests/corpus/DIFFERENCES.md (each is printed above): {differ_unlisted:?}",
        differ_unlisted.len()
    );
}
