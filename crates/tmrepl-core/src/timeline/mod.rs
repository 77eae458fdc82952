//! Cells, their snapshots, the tree they form, and the eviction rule. Pure data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellStatus {
    Running,
    /// A job waiting for a free slot.
    Queued,
    /// A job stopped by `:kill`.
    Killed,
    Ok,
    CompileError,
    Panic,
    Crashed(String),
    Interrupted,
    Error(String),
}

impl CellStatus {
    pub fn label(&self) -> &'static str {
        match self {
            CellStatus::Running => "running",
            CellStatus::Queued => "queued",
            CellStatus::Killed => "killed",
            CellStatus::Ok => "ok",
            CellStatus::CompileError => "error",
            CellStatus::Panic => "panic",
            CellStatus::Crashed(_) => "crashed",
            CellStatus::Interrupted => "interrupted",
            CellStatus::Error(_) => "failed",
        }
    }

    /// Whether the cell's code ran to the end of evcxr's wrapper (so state exists after it).
    pub fn has_state(&self) -> bool {
        matches!(self, CellStatus::Ok | CellStatus::Panic)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotState {
    /// No snapshot: the cell did not run, or snapshots were off.
    None,
    Live {
        degraded: Option<String>,
    },
    Evicted,
    /// Dropped to keep the number of snapshots bounded; rebuilt by replay when reached.
    Thinned,
    /// Dropped by `:clear_past` or `:unhook`.
    Cleared,
    /// The runtime that held it went away.
    Lost,
}

impl SnapshotState {
    pub fn label(&self) -> &'static str {
        match self {
            SnapshotState::None => "-",
            SnapshotState::Live { degraded: None } => "live",
            SnapshotState::Live { degraded: Some(_) } => "degraded",
            SnapshotState::Evicted => "evicted",
            SnapshotState::Thinned => "thinned",
            SnapshotState::Cleared => "cleared",
            SnapshotState::Lost => "lost",
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self, SnapshotState::Live { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarInfo {
    pub name: String,
    pub type_name: String,
}

/// How a value looked when a hidden job formatted it (`:vars N`, the rewind preview).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuePreview {
    /// Its `Debug` text, and whether it was cut at the limit.
    Debug { text: String, cut: bool },
    /// No `Debug`: what is known of its size.
    NoDebug(String),
    /// Its `Debug` panicked, with this message.
    Panicked(String),
    /// Formatting it did not end within the time limit.
    TimedOut,
    /// It can no longer be read as its type: a dependency added since rebuilt the type
    /// (evcxr drops it when a cell next names it).
    Lost,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub number: u32,
    pub source: String,
    /// The cell whose state this one started from (0: the empty session).
    pub parent: u32,
    pub status: CellStatus,
    /// Everything the cell printed, in order.
    pub output: String,
    /// The final expression's value (`Out[n]`).
    pub value: Option<String>,
    /// Rendered compile errors.
    pub error_text: Option<String>,
    pub duration: Option<Duration>,
    pub snapshot: SnapshotState,
    /// Private memory of its snapshot at the last measurement.
    pub snapshot_bytes: Option<u64>,
    /// The variables that existed right after it (when it ran).
    pub vars: Vec<VarInfo>,
    /// Set for `&` cells.
    pub job: Option<JobInfo>,
    /// What the durable archive holds for this cell, once written.
    pub persisted: Option<Vec<SavedVar>>,
    /// Which variables it made and named, once it ran to the end (resuming replays by it).
    pub access: Option<CellAccess>,
}

/// What a cell read and wrote, as its source and the variables around it tell: what a
/// resumed session needs to know to rebuild a value by replaying the cells that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellAccess {
    /// Variables it made, or whose type it changed.
    pub defines: Vec<String>,
    /// Variables from before it that its source names (as evcxr decides which to load):
    /// read, and perhaps changed.
    pub mentions: Vec<String>,
}

impl CellAccess {
    /// From the variables before and after the cell. A cell mentions a variable when its
    /// code names it or a format string captures it (`names_variable`); a name in a comment
    /// or inside a plain string cannot change it.
    pub fn derive(source: &str, before: &[VarInfo], after: &[VarInfo]) -> CellAccess {
        let defines = after
            .iter()
            .filter(|v| !before.contains(v))
            .map(|v| v.name.clone())
            .collect();
        let mentioned = before
            .iter()
            .filter(|v| names_variable(source, &v.name))
            .map(|v| v.name.clone())
            .collect();
        CellAccess {
            defines,
            mentions: mentioned,
        }
    }

    /// Whether the cell may have given `name` a new value.
    pub fn writes(&self, name: &str) -> bool {
        self.defines.iter().chain(&self.mentions).any(|n| n == name)
    }
}

#[derive(Debug, Clone)]
pub struct JobInfo {
    /// When it started running (not when it was queued).
    pub started: Option<std::time::Instant>,
    pub peak_bytes: Option<u64>,
    /// The panic message or exit status of a failed job.
    pub failure: Option<String>,
}

impl Cell {
    pub fn first_line(&self) -> &str {
        self.source
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
    }
}

/// All cells, numbered from 1, never renumbered.
#[derive(Debug, Default, Clone)]
pub struct Timeline {
    cells: Vec<Cell>,
}

impl Timeline {
    pub fn next_number(&self) -> u32 {
        self.cells.len() as u32 + 1
    }

    pub fn push(&mut self, source: String, parent: u32) -> u32 {
        let number = self.next_number();
        self.cells.push(Cell {
            number,
            source,
            parent,
            status: CellStatus::Running,
            output: String::new(),
            value: None,
            error_text: None,
            duration: None,
            snapshot: SnapshotState::None,
            snapshot_bytes: None,
            vars: Vec::new(),
            job: None,
            persisted: None,
            access: None,
        });
        number
    }

    pub fn get(&self, number: u32) -> Option<&Cell> {
        number
            .checked_sub(1)
            .and_then(|i| self.cells.get(i as usize))
    }

    pub fn get_mut(&mut self, number: u32) -> Option<&mut Cell> {
        number
            .checked_sub(1)
            .and_then(|i| self.cells.get_mut(i as usize))
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells from `number` back to the root, nearest first.
    pub fn ancestry(&self, number: u32) -> Vec<u32> {
        let mut chain = Vec::new();
        let mut at = number;
        while at != 0 && chain.len() <= self.cells.len() {
            chain.push(at);
            at = self.get(at).map(|c| c.parent).unwrap_or(0);
        }
        chain
    }

    /// The nearest cell on `number`'s ancestry whose source mentions `name` as a word:
    /// the last cell that could have changed that variable.
    pub fn last_touched(&self, number: u32, name: &str) -> Option<u32> {
        self.ancestry(number).into_iter().find(|n| {
            self.get(*n)
                .is_some_and(|c| c.status.has_state() && names_variable(&c.source, name))
        })
    }

    /// For a foreground cell that did not start from the cell before it (after a `:past`):
    /// the cell it branched from.
    pub fn branched_from(&self, number: u32) -> Option<u32> {
        let cell = self.get(number)?;
        if cell.job.is_some() {
            return None;
        }
        let previous = (1..number)
            .rev()
            .find(|n| {
                self.get(*n)
                    .is_some_and(|c| c.job.is_none() && c.status.has_state())
            })
            .unwrap_or(0);
        (cell.parent != previous).then_some(cell.parent)
    }

    pub fn jobs(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.job.is_some())
    }

    pub fn live_snapshots(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.snapshot.is_live())
    }
}

/// Whether `source` uses `name` as an identifier: outside comments and strings, or
/// captured by a format string (`"{name}"`), as `crate::lexer::names` reads it.
pub fn mentions(source: &str, name: &str) -> bool {
    // Lexing costs more than a substring search, and these run for every variable over
    // every cell of a branch (save planning, `:vars`): most cells lack the name outright.
    source.contains(name) && crate::lexer::names(source).iter().any(|(_, n)| *n == name)
}

/// Whether `source` may refer to the variable `name`: as `mentions`, but a word next to
/// `::` is a path segment (`std::rc::Rc` does not use a variable `rc`), which no variable
/// can be.
pub fn names_variable(source: &str, name: &str) -> bool {
    if !source.contains(name) {
        return false;
    }
    crate::lexer::names(source).iter().any(|&(at, n)| {
        let (before, after) = (&source[..at], &source[at + n.len()..]);
        n == name && !before.trim_end().ends_with("::") && !after.trim_start().starts_with("::")
    })
}

/// Chooses snapshots to evict so the total fits `budget`: recent cells stay dense, old ones
/// get sparse. Never picks `keep` (the current cell). `sizes` maps cell → bytes.
pub fn choose_evictions(sizes: &BTreeMap<u32, u64>, keep: u32, budget: u64) -> Vec<u32> {
    let mut remaining: BTreeMap<u32, u64> = sizes.clone();
    let mut total: u64 = remaining.values().sum();
    let mut evicted = Vec::new();
    let Some(&latest) = remaining.keys().next_back() else {
        return evicted;
    };
    while total > budget {
        let cells: Vec<u32> = remaining.keys().copied().collect();
        // Cost of dropping a cell: the gap it leaves, relative to its age. Old cells in
        // dense stretches go first; the newest ones are the most expensive to lose.
        let victim = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != keep)
            .map(|(i, c)| {
                let prev = if i == 0 { 0 } else { cells[i - 1] };
                let next = cells.get(i + 1).copied().unwrap_or(latest + 1);
                let gap = f64::from(next - prev);
                let age = f64::from(latest - c + 1);
                (gap / age, *c)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, c)| c);
        let Some(victim) = victim else { break };
        total -= remaining.remove(&victim).unwrap_or(0);
        evicted.push(victim);
    }
    evicted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_and_ancestry() {
        let mut t = Timeline::default();
        assert_eq!(t.push("let a = 1;".into(), 0), 1);
        assert_eq!(t.push("let b = 2;".into(), 1), 2);
        assert_eq!(t.push("let c = 3;".into(), 1), 3);
        assert_eq!(t.ancestry(3), vec![3, 1]);
        assert_eq!(t.next_number(), 4);
        assert!(t.get(0).is_none());
        assert!(t.get(4).is_none());
    }

    #[test]
    fn last_touched_follows_the_branch() {
        let mut t = Timeline::default();
        t.push("let mut v = vec![1];".into(), 0);
        t.push("v.push(2);".into(), 1);
        t.push("let vv = 3;".into(), 1);
        for n in 1..=3 {
            t.get_mut(n).unwrap().status = CellStatus::Ok;
        }
        assert_eq!(t.last_touched(2, "v"), Some(2));
        // Cell 3 branched from 1: cell 2's push is not on its path, and `vv` is not `v`.
        assert_eq!(t.last_touched(3, "v"), Some(1));
    }

    #[test]
    fn access_names_new_retyped_and_mentioned_variables() {
        let var = |name: &str, type_name: &str| VarInfo {
            name: name.into(),
            type_name: type_name.into(),
        };
        let before = [var("a", "i32"), var("b", "String"), var("c", "u8")];
        let after = [
            var("a", "i32"),
            var("b", "Vec<u8>"),
            var("c", "u8"),
            var("d", "bool"),
        ];
        let access = CellAccess::derive("let b = vec![a as u8]; let d = true;", &before, &after);
        assert_eq!(access.defines, vec!["b", "d"]);
        assert_eq!(access.mentions, vec!["a", "b"]);
        assert!(access.writes("a") && access.writes("d") && !access.writes("c"));
    }

    #[test]
    fn a_path_segment_is_not_a_variable() {
        assert!(!names_variable("let r = std::rc::Rc::new(1);", "rc"));
        assert!(!names_variable("rc::Rc::new(1)", "rc"));
        assert!(names_variable(
            "let n = *rc + 1; std::rc::Rc::clone(&rc)",
            "rc"
        ));
        assert!(names_variable("println!(\"{rc}\")", "rc"));
    }

    #[test]
    fn mentions_whole_words_only() {
        assert!(mentions("x.push(1)", "x"));
        assert!(!mentions("xs.push(1)", "x"));
        assert!(!mentions("let max = 1;", "x"));
        assert!(!mentions("let vv = 3;", "v"));
        assert!(mentions("f(a, x)", "x"));
    }

    #[test]
    fn eviction_keeps_recent_dense_and_current() {
        let sizes: BTreeMap<u32, u64> = (1..=32).map(|c| (c, 10)).collect();
        let evicted = choose_evictions(&sizes, 3, 160);
        assert_eq!(evicted.len(), 16);
        assert!(!evicted.contains(&3), "the current cell is never evicted");
        for recent in 28..=32 {
            assert!(!evicted.contains(&recent), "recent cell {recent} evicted");
        }
        // Old cells are thinned, not wiped out: some survive in the first half.
        let kept_old = (1..=16).filter(|c| !evicted.contains(c)).count();
        assert!(kept_old >= 2, "kept {kept_old} of the old cells");
    }

    #[test]
    fn a_not_saved_reason_reads_and_writes_as_every_version_wrote_it() {
        for (text, reason) in [
            ("not saved yet", NotSaved::Pending),
            (
                "its snapshot was gone before it could be saved",
                NotSaved::SnapshotGone,
            ),
            (":dontsave", NotSaved::DontSave),
            ("cleared by :clear_past", NotSaved::Cleared),
            (
                "Rc<i32> does not implement serde",
                NotSaved::Unsaveable("Rc<i32> does not implement serde".into()),
            ),
        ] {
            let json = serde_json::to_string(&text).unwrap();
            let read: NotSaved = serde_json::from_str(&json).unwrap();
            assert_eq!(read, reason);
            assert_eq!(serde_json::to_string(&read).unwrap(), json);
            assert_eq!(read.to_string(), text);
            assert_eq!(
                read.is_the_sessions(),
                !matches!(read, NotSaved::Unsaveable(_))
            );
        }
    }

    #[test]
    fn eviction_is_a_no_op_under_budget() {
        let sizes: BTreeMap<u32, u64> = (1..=4).map(|c| (c, 10)).collect();
        assert!(choose_evictions(&sizes, 4, 100).is_empty());
    }
}

/// A variable as saved with a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedVar {
    pub name: String,
    pub type_name: String,
    /// The object holding its value, when it could be saved.
    pub object: Option<crate::archive::ObjectId>,
    /// Why its value is not in the archive.
    pub not_saved: Option<NotSaved>,
}

/// Why a saved cell's value is not in the archive. In a manifest it is the sentence
/// `:vars` shows, as every version of the format wrote it, so archives read the same
/// both ways; in memory the reasons of the session's own making are variants, never
/// compared as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum NotSaved {
    /// Its cell's values are written in idle time, and were not yet.
    Pending,
    /// Its cell's snapshot was evicted or cleared before the value could be read.
    SnapshotGone,
    /// `:dontsave` named it.
    DontSave,
    /// `:clear_past` deleted its object.
    Cleared,
    /// Its value could not be saved (its type has no serde, reading it failed): why.
    Unsaveable(String),
}

impl NotSaved {
    /// A reason of the session's own making, which a later save of the same value does
    /// not inherit (it may well be saved then).
    pub fn is_the_sessions(&self) -> bool {
        !matches!(self, NotSaved::Unsaveable(_))
    }
}

impl From<String> for NotSaved {
    fn from(text: String) -> NotSaved {
        [
            NotSaved::Pending,
            NotSaved::SnapshotGone,
            NotSaved::DontSave,
            NotSaved::Cleared,
        ]
        .into_iter()
        .find(|known| known.to_string() == text)
        .unwrap_or(NotSaved::Unsaveable(text))
    }
}

impl From<NotSaved> for String {
    fn from(reason: NotSaved) -> String {
        match reason {
            NotSaved::Unsaveable(why) => why,
            other => other.to_string(),
        }
    }
}

/// As `:vars` and notices say it.
impl std::fmt::Display for NotSaved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotSaved::Pending => "not saved yet",
            NotSaved::SnapshotGone => "its snapshot was gone before it could be saved",
            NotSaved::DontSave => ":dontsave",
            NotSaved::Cleared => "cleared by :clear_past",
            NotSaved::Unsaveable(why) => why,
        })
    }
}
