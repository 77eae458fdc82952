//! `:export DIR [--cell N] [--force]`: the Cargo project that leads to cell N's state (the
//! current cell by default) on its branch — the ancestry of N through `Cell::parent`, not
//! the cells a `:past` left behind. Pure: the core decides every byte of `Cargo.toml` and
//! `src/main.rs`; the edge (`crate::export`) checks the folder and writes them.
//!
//! How a branch becomes a program:
//! - Cells that ran to the end are exported in order; a failed or uncompiled cell is never
//!   on a branch but may be N itself, which is then refused. A panicked cell keeps its
//!   items (evcxr kept them) but not its statements (they would panic the program).
//! - Items go to the top level, evcxr's way: a name defined again replaces its earlier
//!   definition in place (an `impl` right after a named item in the same cell goes with
//!   it); the comment above it names the statements that ran with the old one.
//! - Statements run in `fn main` in order (it returns a `Result`, so `?` works as in a
//!   cell). A cell's value (its trailing expression, which the session showed) is
//!   evaluated for its effects and not printed: `let _ = EXPR;` moves nothing, so later
//!   cells still have the variable, and the program prints exactly what the cells printed;
//!   what the session showed is in a comment beside it.
//! - `:dep` lines (leading a cell, or typed alone on the branch) become `[dependencies]`,
//!   the last of each name winning. Shell lines, other evcxr commands, cells that read
//!   stdin, `:take` of another session, and a `:take` of some of a job's values cannot be
//!   exported: they are listed at the top of `main.rs` and in the command's answer. A
//!   `:take N` of all of job N's values, taken where the job started, is exported as job
//!   N's code run there (the same state).

use super::*;
use crate::commands::EvcxrCommand;
use crate::timeline::Cell;

#[path = "export_render.rs"]
mod render;
use render::{cargo_toml, main_rs, split_tail};

/// The first line of every `Cargo.toml` an export writes: how a later export knows the
/// folder is one of its own and may write over it.
pub const EXPORT_MARK: &str = "# Written by tmrepl :export";

/// An exported project for the edge to write into `dir`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPlan {
    pub dir: String,
    /// `--force`: write even into a folder that holds something else.
    pub force: bool,
    /// Paths relative to `dir`, and their contents.
    pub files: Vec<(String, String)>,
    /// What to say once the files are written.
    pub summary: String,
}

/// What the destination folder holds, as the edge found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Missing,
    Empty,
    /// Its `Cargo.toml` starts with `EXPORT_MARK`.
    EarlierExport,
    /// Something else: refused without `--force`.
    Other,
    NotAFolder,
}

/// Whether an export may write into a folder that holds `found`.
pub fn may_write(dir: &str, found: Destination, force: bool) -> Result<(), String> {
    match found {
        Destination::Missing | Destination::Empty | Destination::EarlierExport => Ok(()),
        Destination::Other if force => Ok(()),
        Destination::Other => Err(format!(
            ":export {dir}: the folder is not empty and not an earlier export; pick another \
             or add --force"
        )),
        Destination::NotAFolder => Err(format!(":export {dir}: it exists and is not a folder")),
    }
}

/// Done on a branch between its cells, not as a cell: what an export must know of.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Aside {
    /// `:dep SPEC` typed alone.
    Dep(String),
    /// `:take JOB [NAMES]`.
    Take { job: u32, names: Vec<String> },
}

/// An aside, and which cells' states it is part of.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BranchAside {
    pub aside: Aside,
    /// The cell the session was at.
    pub after: u32,
    /// The next cell number then: cells from it on (started from `after`) have it…
    pub from: u32,
    /// …until a move in time left that state: cells numbered from here on do not.
    pub until: Option<u32>,
}

impl BranchAside {
    /// Whether the state after `after` that `next` (the next cell on the branch; None: the
    /// branch ends at `after`, the session's current state) started from had this aside.
    fn holds(&self, next: Option<u32>) -> bool {
        match next {
            Some(next) => self.from <= next && self.until.is_none_or(|until| next < until),
            None => self.until.is_none(),
        }
    }
}

impl Session {
    /// `:export DIR [--cell N] [--force]`.
    pub(super) fn export_command(
        &mut self,
        dir: String,
        cell: Option<u32>,
        force: bool,
    ) -> Vec<Effect> {
        match self.export_plan(dir, cell, force) {
            Ok(plan) => vec![Effect::Export(Box::new(plan))],
            Err(e) => vec![Effect::Show(Notice::error(e))],
        }
    }

    fn export_plan(
        &self,
        dir: String,
        cell: Option<u32>,
        force: bool,
    ) -> Result<ExportPlan, String> {
        let target = cell.unwrap_or(self.current);
        if target == 0 {
            return Err(format!(
                ":export {dir}: nothing to export: the session is at its start"
            ));
        }
        let asides: Vec<&BranchAside> = self.asides.iter().collect();
        let project = export_project(
            &self.timeline,
            &asides,
            self.current,
            target,
            &package_name(&dir),
        )
        .map_err(|e| format!(":export {dir}: {e}"))?;
        let mut summary = format!(
            "exported {} to {dir}: cd {dir} && cargo run",
            describe_cells(&project.cells, target)
        );
        if !project.ran_with_older.is_empty() {
            summary.push_str("\nits output may differ from the session's:");
            for line in &project.ran_with_older {
                summary.push_str(&format!("\n  - {line}"));
            }
        }
        if !project.left_out.is_empty() {
            summary.push_str("\nnot exported (also listed at the top of src/main.rs):");
            for line in &project.left_out {
                summary.push_str(&format!("\n  - {line}"));
            }
        }
        Ok(ExportPlan {
            dir,
            force,
            files: vec![
                ("Cargo.toml".into(), project.cargo_toml),
                ("src/main.rs".into(), project.main_rs),
            ],
            summary,
        })
    }

    /// Remembers an aside the engine is carrying out; it counts once the engine says it
    /// worked (`aside_done`).
    pub(super) fn aside_sent(&mut self, aside: Aside) {
        self.pending_aside = Some(aside);
    }

    /// A `CommandDone` arrived: the pending aside, if any, happened when it succeeded.
    pub(super) fn aside_done(&mut self, succeeded: bool) {
        if let Some(aside) = self.pending_aside.take()
            && succeeded
        {
            self.asides.push(BranchAside {
                aside,
                after: self.current,
                from: self.next_cell(),
                until: None,
            });
        }
    }

    /// The session moved in time (or lost its state): asides still in force are not part
    /// of the cells that start from here on.
    pub(super) fn end_asides(&mut self) {
        let next = self.next_cell();
        for aside in self.asides.iter_mut().filter(|a| a.until.is_none()) {
            aside.until = Some(next);
        }
    }
}

/// "cells 1, 2 and 4, job 3 (the branch to cell 4)".
fn describe_cells(cells: &[String], target: u32) -> String {
    let mut parts = Vec::new();
    for kind in ["cell", "job"] {
        let numbers: Vec<&str> = cells
            .iter()
            .filter_map(|c| c.strip_prefix(kind)?.strip_prefix(' '))
            .collect();
        parts.push(match numbers.as_slice() {
            [] => continue,
            [one] => format!("{kind} {one}"),
            [rest @ .., last] => format!("{kind}s {} and {last}", rest.join(", ")),
        });
    }
    if parts.is_empty() {
        parts.push("no code".to_owned());
    }
    format!("{} (the branch to cell {target})", parts.join(", "))
}

/// A crate name from the folder's last part: lower case, `-` for anything else.
pub(super) fn package_name(dir: &str) -> String {
    let last = std::path::Path::new(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name: String = last
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    name = name.trim_matches('-').to_owned();
    // Names cargo refuses: the standard crates' and Rust's keywords.
    let reserved = [
        "test",
        "std",
        "core",
        "alloc",
        "proc_macro",
        "self",
        "crate",
        "super",
        "fn",
        "let",
        "mod",
        "use",
        "type",
        "struct",
        "enum",
        "impl",
        "trait",
        "match",
        "loop",
        "main",
    ];
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || reserved.contains(&name.as_str()) {
        name = format!("exported-{name}").trim_end_matches('-').to_owned();
    }
    name
}

/// The two files of an export, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Project {
    pub cargo_toml: String,
    pub main_rs: String,
    /// What could not be exported, one line each.
    pub left_out: Vec<String>,
    /// The cells exported, as named in the summary ("cell 3", "job 5").
    pub cells: Vec<String>,
    /// Cells whose statements ran with a definition a later cell replaced: the program
    /// runs them with the last one, so what they print may differ.
    pub ran_with_older: Vec<String>,
}

/// A named or unnamed top-level item, as evcxr keeps it.
struct Item {
    name: Option<String>,
    text: String,
    cell: u32,
    /// Cells it replaced the definitions of, and cells whose statements ran with those.
    replaced: Vec<u32>,
    ran_with_older: Vec<u32>,
    /// How many statement pieces there were when it was last defined.
    defined_at: usize,
}

/// The statements of one cell, for `main`.
struct Piece {
    label: String,
    statements: Vec<String>,
    /// Its trailing expression (the value the session showed), when it has one.
    value: Option<String>,
    shown: Option<String>,
}

#[derive(Default)]
struct Builder {
    items: Vec<Item>,
    pieces: Vec<Piece>,
    deps: BTreeMap<String, String>,
    left_out: Vec<String>,
    cells: Vec<String>,
}

impl Builder {
    fn dep(&mut self, spec: &str, whence: &str) {
        let (name, config) = match spec.split_once('=') {
            Some((name, config)) => (name.trim(), config.trim()),
            None => (spec.trim(), "\"*\""),
        };
        if name.starts_with('.') || name.starts_with('/') {
            self.left_out.push(format!(
                "{whence}: `:dep {spec}` is a local crate by path: add it to Cargo.toml by hand"
            ));
        } else if !name.is_empty() && !config.is_empty() {
            self.deps.insert(name.to_owned(), config.to_owned());
        }
    }

    fn item(&mut self, text: &str, cell: u32, previous_named: &mut Option<usize>) {
        let name = items::item_name(text);
        let pieces = self.pieces.len();
        match name {
            Some(name) => {
                if let Some(at) = self
                    .items
                    .iter()
                    .position(|i| i.name.as_ref() == Some(&name))
                {
                    let users: Vec<u32> = self.pieces[self.items[at].defined_at..]
                        .iter()
                        .filter(|p| {
                            p.statements
                                .iter()
                                .chain(&p.value)
                                .any(|s| mentions(s, &name))
                        })
                        .filter_map(|p| p.label.rsplit(' ').next()?.parse().ok())
                        .collect();
                    let item = &mut self.items[at];
                    if item.cell != cell {
                        item.replaced.push(item.cell);
                    }
                    item.ran_with_older.extend(users);
                    item.text = text.to_owned();
                    item.cell = cell;
                    item.defined_at = pieces;
                    *previous_named = Some(at);
                } else {
                    self.items.push(Item {
                        name: Some(name),
                        text: text.to_owned(),
                        cell,
                        replaced: Vec::new(),
                        ran_with_older: Vec::new(),
                        defined_at: pieces,
                    });
                    *previous_named = Some(self.items.len() - 1);
                }
            }
            // evcxr keeps an unnamed item (an `impl`) with the named one before it in the
            // same cell, so a new definition of that one replaces both.
            None => match previous_named {
                Some(at) => {
                    let item = &mut self.items[*at];
                    item.text.push('\n');
                    item.text.push_str(text);
                }
                None if self.items.iter().any(|i| i.text == text) => {}
                None => self.items.push(Item {
                    name: None,
                    text: text.to_owned(),
                    cell,
                    replaced: Vec::new(),
                    ran_with_older: Vec::new(),
                    defined_at: pieces,
                }),
            },
        }
    }

    /// One cell (or job) that ran on the branch, named `label` ("cell 3").
    fn cell(&mut self, cell: &Cell, label: &str) {
        let body = cell.source.trim_start();
        let body = body.strip_prefix('&').unwrap_or(body);
        if body.contains("$TMREPL_OBJECTS/") || body.trim_start().starts_with(":take ") {
            self.left_out.push(format!(
                "{label}: `{}` loaded values from a saved session's store",
                cell.first_line()
            ));
            return;
        }
        let text = input::split_cell(body);
        for leading in &text.leading {
            match leading {
                input::Leading::Shell(command) => self
                    .left_out
                    .push(format!("{label}: `!{command}` ran in a shell")),
                input::Leading::Command(line) => match commands::parse(line) {
                    Ok(Command::Evcxr(EvcxrCommand::Dep { spec })) => self.dep(&spec, label),
                    _ => self
                        .left_out
                        .push(format!("{label}: `{line}` has no Cargo equivalent")),
                },
            }
        }
        let mut previous_named = None;
        for item in items::items(text.rust) {
            self.item(&item, cell.number, &mut previous_named);
        }
        let mut chunks: Vec<String> = items::statement_chunks(text.rust)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if chunks.is_empty() {
            if !text.rust.trim().is_empty() {
                self.cells.push(label.to_owned());
            }
            return;
        }
        if cell.status == CellStatus::Panic {
            self.left_out.push(format!(
                "{label} panicked: its items are kept, its statements left out"
            ));
            return;
        }
        if replay::outside_effects(text.rust).contains(&"stdin") {
            self.left_out.push(format!(
                "{label} reads standard input: its statements are left out"
            ));
            return;
        }
        let value = match chunks.last() {
            Some(last) if !last.ends_with(';') => chunks.pop().map(|tail| {
                let (statements, value) = split_tail(&tail);
                if !statements.is_empty() {
                    chunks.push(statements.to_owned());
                }
                value.to_owned()
            }),
            _ => None,
        };
        self.cells.push(label.to_owned());
        self.pieces.push(Piece {
            label: label.to_owned(),
            statements: chunks,
            value,
            shown: cell.value.clone(),
        });
    }
}

/// The project for cell `target`'s state on its branch: `current` is the session's
/// current cell (asides after it and still in force count only for it).
pub(super) fn export_project(
    timeline: &Timeline,
    asides: &[&BranchAside],
    current: u32,
    target: u32,
    package: &str,
) -> Result<Project, String> {
    let cell = timeline.get(target).ok_or_else(|| {
        format!(
            "no cell {target} (cells are 1 to {})",
            timeline.len().max(1)
        )
    })?;
    if !cell.status.has_state() {
        let what = if cell.job.is_some() { "job" } else { "cell" };
        return Err(format!(
            "{what} {target} {}, so there is no state to export",
            match &cell.status {
                CellStatus::Running | CellStatus::Queued => "has not finished".to_owned(),
                CellStatus::CompileError => "did not compile".to_owned(),
                other => format!("ended: {}", other.label()),
            }
        ));
    }
    let mut chain = timeline.ancestry(target);
    chain.reverse();
    let mut b = Builder::default();
    // The empty session (0) first: a `:dep` typed before any cell.
    for (i, &n) in std::iter::once(&0).chain(&chain).enumerate() {
        if let Some(cell) = timeline.get(n) {
            let what = if cell.job.is_some() { "job" } else { "cell" };
            b.cell(cell, &format!("{what} {n}"));
        }
        let next = chain.get(i).copied();
        if next.is_none() && n != current {
            continue;
        }
        for aside in asides.iter().filter(|a| a.after == n && a.holds(next)) {
            let whence = match n {
                0 => "before cell 1".to_owned(),
                n => format!("after cell {n}"),
            };
            match &aside.aside {
                Aside::Dep(spec) => b.dep(spec, &whence),
                Aside::Take { job, names } => match timeline.get(*job) {
                    // The same state as running the job's code here.
                    Some(j) if names.is_empty() && j.parent == n && j.status == CellStatus::Ok => {
                        b.cell(j, &format!("job {job}"))
                    }
                    _ => b.left_out.push(format!(
                        "{whence}: `:take {job}{}` copied values from job {job}; code that \
                         uses them will not compile",
                        names.iter().map(|n| format!(" {n}")).collect::<String>()
                    )),
                },
            }
        }
    }
    let ran_with_older = b
        .items
        .iter()
        .filter(|item| !item.ran_with_older.is_empty())
        .map(|item| {
            let what = item.name.as_deref().unwrap_or("an item");
            format!(
                "{} ran with an earlier definition of {what}; the program has only cell {}'s",
                replay::cells_list(&item.ran_with_older),
                item.cell
            )
        })
        .collect();
    Ok(Project {
        cargo_toml: cargo_toml(package, target, &b.deps),
        main_rs: main_rs(&b, target),
        left_out: b.left_out,
        cells: b.cells,
        ran_with_older,
    })
}

use crate::timeline::mentions;

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
