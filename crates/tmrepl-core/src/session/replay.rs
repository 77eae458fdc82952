//! Rebuilding what the archive could not store. A resumed cell's values of serde types come
//! from the store; every other variable is rebuilt by replaying, in order, the fewest
//! earlier cells on the path to it that (transitively) made it, with stored values loaded
//! as their inputs wherever that cuts the replay short. Pure: the engine carries the plan
//! out.
//!
//! The rule is "store whatever serde can, replay only what it cannot": storing is already
//! done in idle time off the critical path, and a stored value is exact, whereas a replay
//! repeats code that may depend on the world.

use crate::archive::{Manifest, SavedVar};
use crate::timeline::{CellAccess, VarInfo, mentions};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

/// Source patterns that mean a cell acts outside the session (files, processes, the
/// network, input, the clock, randomness, the environment): replaying it could act twice
/// or give other values. Conservative: a match in a string or comment counts too.
const OUTSIDE_EFFECTS: &[(&str, &str)] = &[
    ("std::fs", "files"),
    ("fs::", "files"),
    ("File", "files"),
    ("OpenOptions", "files"),
    ("process::Command", "a process"),
    ("Command::new", "a process"),
    ("stdin", "stdin"),
    ("evcxr_input", "stdin"),
    ("SystemTime", "the clock"),
    ("Instant::now", "the clock"),
    ("rand", "randomness"),
    ("thread_rng", "randomness"),
    ("std::net", "the network"),
    ("TcpStream", "the network"),
    ("TcpListener", "the network"),
    ("UdpSocket", "the network"),
    ("reqwest", "the network"),
    ("ureq", "the network"),
    ("set_var", "the environment"),
    ("remove_var", "the environment"),
    ("set_current_dir", "the environment"),
];

/// What a cell acts on outside the session, as its source tells (empty: nothing seen).
pub fn outside_effects(source: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    for (pattern, what) in OUTSIDE_EFFECTS {
        // Paths match as text; single words only as whole words (`File`, not `Profile`).
        let hit = if pattern.contains(':') {
            source.contains(pattern)
        } else {
            mentions(source, pattern)
        };
        if hit && !found.contains(what) {
            found.push(what);
        }
    }
    found
}

/// One cell on the path to the resumed cell, as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainCell {
    pub cell: u32,
    pub source: String,
    /// The variables after it; `object` is set for those whose value is in the archive.
    pub vars: Vec<SavedVar>,
    pub access: CellAccess,
    /// Its recorded wall time, the estimate of replaying it.
    pub duration: Duration,
}

impl ChainCell {
    /// The cells of a saved chain (oldest first). Manifests written before accesses were
    /// recorded get them derived from the variables of consecutive cells, by the same rule.
    pub fn from_manifests(chain: &[Manifest]) -> Vec<ChainCell> {
        let mut before: Vec<VarInfo> = Vec::new();
        let mut cells = Vec::new();
        for m in chain {
            let after: Vec<VarInfo> = m.vars.iter().map(var_info).collect();
            let access = m
                .access
                .clone()
                .unwrap_or_else(|| CellAccess::derive(&m.source, &before, &after));
            cells.push(ChainCell {
                cell: m.cell,
                source: m.source.clone(),
                vars: m.vars.clone(),
                access,
                duration: Duration::from_millis(m.duration_ms),
            });
            before = after;
        }
        cells
    }

    fn stored(&self, name: &str) -> Option<&SavedVar> {
        self.vars
            .iter()
            .find(|v| v.name == name && v.object.is_some())
    }
}

fn var_info(var: &SavedVar) -> VarInfo {
    VarInfo {
        name: var.name.clone(),
        type_name: var.type_name.clone(),
    }
}

/// A cell to run again, with the stored values it reads loaded first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayStep {
    pub cell: u32,
    /// Its statements (its items are defined before any replay).
    pub code: String,
    /// Stored values of variables it reads, as of the cell before it.
    pub inputs: Vec<SavedVar>,
    /// What it made or named, with the types recorded when it first ran: a replay that
    /// gives another type has not rebuilt the same value.
    pub expect: Vec<VarInfo>,
    /// The other replayed cells it relies on: when one of them fails, it is skipped.
    pub needs: Vec<u32>,
}

/// How each variable of the resumed cell comes back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplayPlan {
    /// In the order they ran.
    pub steps: Vec<ReplayStep>,
    /// Variables from the store.
    pub stored: Vec<String>,
    /// Variables rebuilt by replay, each with the cells it needs.
    pub rebuilt: Vec<(String, Vec<u32>)>,
    /// Variables that cannot come back, and why.
    pub lost: Vec<(String, String)>,
    /// The recorded time of the cells to replay.
    pub estimate: Duration,
}

/// How a variable's value as of some cell can be had.
#[derive(Debug, Clone)]
enum Source {
    /// Loaded from the store, as saved with this cell.
    Stored(SavedVar),
    /// Made by replaying these cells (indices into the chain).
    Replay(BTreeSet<usize>),
}

struct Planner<'a> {
    chain: &'a [ChainCell],
    allow_effects: bool,
    memo: HashMap<(String, usize), Result<Source, String>>,
}

impl Planner<'_> {
    /// Why the cell at `index` must not be replayed, if so.
    fn unreplayable(&self, index: usize) -> Option<String> {
        let cell = &self.chain[index];
        let effects = outside_effects(&cell.source);
        (!self.allow_effects && !effects.is_empty()).then(|| {
            format!(
                "cell {} acts outside the session ({}); --replay-effects replays it",
                cell.cell,
                effects.join(", ")
            )
        })
    }

    /// How `name`'s value right after the cell at `at` can be had: the last cell up to
    /// `at` that may have written it holds the value; a copy stored with it or any later
    /// cell up to `at` cuts the search, else that cell is replayed with its own inputs.
    fn resolve(&mut self, name: &str, at: usize) -> Result<Source, String> {
        let key = (name.to_owned(), at);
        if let Some(known) = self.memo.get(&key) {
            return known.clone();
        }
        let result = self.resolve_uncached(name, at);
        self.memo.insert(key, result.clone());
        result
    }

    fn resolve_uncached(&mut self, name: &str, at: usize) -> Result<Source, String> {
        let chain = self.chain;
        let writer = (0..=at)
            .rev()
            .find(|&i| chain[i].access.writes(name))
            .ok_or_else(|| format!("no cell on the way to it made {name}"))?;
        if let Some(saved) = (writer..=at).rev().find_map(|i| chain[i].stored(name)) {
            return Ok(Source::Stored(saved.clone()));
        }
        if let Some(why) = self.unreplayable(writer) {
            return Err(why);
        }
        let mut cells = BTreeSet::from([writer]);
        for read in chain[writer].access.mentions.clone() {
            let Some(before) = writer.checked_sub(1) else {
                return Err(format!(
                    "cell {} reads {read}, made by no cell",
                    chain[writer].cell
                ));
            };
            if let Source::Replay(more) = self.resolve(&read, before)? {
                cells.extend(more);
            }
        }
        Ok(Source::Replay(cells))
    }
}

/// Plans how the variables of the last cell of `chain` come back. `skip` names variables
/// that must not be rebuilt, with the reason (`:dontsave`). `allow_effects`: cells that act
/// outside the session may be replayed.
pub fn plan(
    chain: &[ChainCell],
    skip: &BTreeMap<String, String>,
    allow_effects: bool,
    statements: impl Fn(&str) -> String,
) -> ReplayPlan {
    let mut plan = ReplayPlan::default();
    let Some(target) = chain.len().checked_sub(1) else {
        return plan;
    };
    let mut planner = Planner {
        chain,
        allow_effects,
        memo: HashMap::new(),
    };
    let mut chosen: BTreeSet<usize> = BTreeSet::new();
    // Values stored with an earlier cell only, unchanged since: loaded before the target's.
    let mut earlier: Vec<SavedVar> = Vec::new();
    for var in &chain[target].vars {
        if var.object.is_some() {
            plan.stored.push(var.name.clone());
            continue;
        }
        if let Some(why) = skip.get(&var.name) {
            plan.lost.push((var.name.clone(), why.clone()));
            continue;
        }
        match planner.resolve(&var.name, target) {
            Ok(Source::Stored(saved)) => {
                plan.rebuilt.push((var.name.clone(), Vec::new()));
                earlier.push(saved);
            }
            Ok(Source::Replay(cells)) => {
                plan.rebuilt.push((
                    var.name.clone(),
                    cells.iter().map(|&i| chain[i].cell).collect(),
                ));
                chosen.extend(cells);
            }
            Err(why) => plan.lost.push((var.name.clone(), why)),
        }
    }
    for &index in &chosen {
        let cell = &chain[index];
        let mut inputs = Vec::new();
        let mut needs = BTreeSet::new();
        for read in &cell.access.mentions {
            let Some(before) = index.checked_sub(1) else {
                continue;
            };
            match planner.resolve(read, before) {
                Ok(Source::Stored(saved)) => inputs.push(saved),
                Ok(Source::Replay(cells)) => needs.extend(cells.iter().map(|&i| chain[i].cell)),
                Err(_) => {}
            }
        }
        let expect = cell
            .vars
            .iter()
            .filter(|v| cell.access.writes(&v.name))
            .map(var_info)
            .collect();
        plan.estimate += cell.duration;
        plan.steps.push(ReplayStep {
            cell: cell.cell,
            code: statements(&cell.source),
            inputs,
            expect,
            needs: needs.into_iter().collect(),
        });
    }
    if !earlier.is_empty() {
        // A step of no code: it only loads what an earlier cell stored.
        plan.steps.push(ReplayStep {
            cell: chain[target].cell,
            code: String::new(),
            inputs: earlier,
            expect: Vec::new(),
            needs: Vec::new(),
        });
    }
    plan
}

impl ReplayPlan {
    /// Whether resuming has anything to rebuild or to report.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.lost.is_empty()
    }

    /// The cells replayed, in order.
    pub fn cells(&self) -> Vec<u32> {
        self.steps
            .iter()
            .filter(|s| !s.code.is_empty())
            .map(|s| s.cell)
            .collect()
    }

    /// The plan as one line, said before it runs: `rebuilding acc, rc by replaying cells
    /// 2, 3 (est. 0.4 s); plain from disk`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let rebuilt: Vec<&str> = self.rebuilt.iter().map(|(n, _)| n.as_str()).collect();
        if !rebuilt.is_empty() {
            let cells = self.cells();
            parts.push(if cells.is_empty() {
                format!("{} from an earlier cell's values", rebuilt.join(", "))
            } else {
                format!(
                    "rebuilding {} by replaying {} (est. {:.1} s)",
                    rebuilt.join(", "),
                    cells_list(&cells),
                    self.estimate.as_secs_f64()
                )
            });
        }
        if !self.stored.is_empty() {
            parts.push(format!("{} from disk", self.stored.join(", ")));
        }
        for (name, why) in &self.lost {
            parts.push(format!("{name} cannot be rebuilt: {why}"));
        }
        parts.join("; ")
    }

    /// How `name` comes back on resume, for `:vars` and `:save`.
    pub fn comes_back(&self, name: &str) -> Option<String> {
        if self.stored.iter().any(|n| n == name) {
            return Some("from disk".into());
        }
        if let Some((_, cells)) = self.rebuilt.iter().find(|(n, _)| n == name) {
            return Some(if cells.is_empty() {
                "from an earlier cell's values".into()
            } else {
                format!("resume replays {}", cells_list(cells))
            });
        }
        self.lost
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, why)| format!("lost on resume: {why}"))
    }
}

/// "cell 3" or "cells 2, 3".
pub fn cells_list(cells: &[u32]) -> String {
    let list: Vec<String> = cells.iter().map(u32::to_string).collect();
    format!(
        "cell{} {}",
        if cells.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(name: &str, type_name: &str, hash: &str) -> SavedVar {
        SavedVar {
            name: name.into(),
            type_name: type_name.into(),
            object: Some(hash.into()),
            not_saved: None,
        }
    }

    fn unstored(name: &str, type_name: &str) -> SavedVar {
        SavedVar {
            name: name.into(),
            type_name: type_name.into(),
            object: None,
            not_saved: Some(crate::archive::NotSaved::Unsaveable("no serde".into())),
        }
    }

    /// A chain built as a session would record it: accesses derived from the variables.
    fn chain(cells: &[(&str, Vec<SavedVar>)]) -> Vec<ChainCell> {
        let manifests: Vec<Manifest> = cells
            .iter()
            .enumerate()
            .map(|(i, (source, vars))| Manifest {
                format: crate::archive::FORMAT_VERSION,
                cell: i as u32 + 1,
                parent: i as u32,
                source: (*source).into(),
                items: Vec::new(),
                deps: Vec::new(),
                vars: vars.clone(),
                status: crate::archive::SavedStatus::Ok,
                status_detail: None,
                output: String::new(),
                value: None,
                duration_ms: 100,
                saved_at: 0,
                pending: false,
                job: false,
                access: None,
            })
            .collect();
        ChainCell::from_manifests(&manifests)
    }

    fn plan_of(chain: &[ChainCell]) -> ReplayPlan {
        plan(chain, &BTreeMap::new(), false, str::to_owned)
    }

    #[test]
    fn the_issue_scenario_replays_the_two_cells_that_made_the_unstored_values() {
        let acc = || unstored("acc", "Acc");
        let rc = || unstored("rc", "Rc<i32>");
        let chain = chain(&[
            ("struct Acc { n: Vec<u32> }", vec![]),
            ("let acc = Acc { n: vec![1, 2] };", vec![acc()]),
            ("let rc = std::rc::Rc::new(5);", vec![acc(), rc()]),
            (
                "let plain = vec![1u8];",
                vec![acc(), rc(), stored("plain", "Vec<u8>", "p1")],
            ),
        ]);
        let plan = plan_of(&chain);
        assert_eq!(plan.cells(), vec![2, 3]);
        assert_eq!(plan.stored, vec!["plain"]);
        assert!(plan.lost.is_empty(), "{plan:?}");
        assert_eq!(
            plan.describe(),
            "rebuilding acc, rc by replaying cells 2, 3 (est. 0.2 s); plain from disk"
        );
        assert_eq!(plan.steps[0].expect, vec![var_info(&acc())]);
    }

    #[test]
    fn the_plan_picks_the_smaller_set_when_a_stored_input_makes_earlier_cells_unnecessary() {
        // `base` is built over two cells, stored after the second; `view` (no serde) is
        // made from it later. Replaying cells 1 and 2 is unnecessary: load `base` as of 2.
        let chain = chain(&[
            (
                "let mut base = vec![1];",
                vec![stored("base", "Vec<i32>", "b1")],
            ),
            ("base.push(2);", vec![stored("base", "Vec<i32>", "b2")]),
            (
                "let other = 3;",
                vec![
                    stored("base", "Vec<i32>", "b2"),
                    stored("other", "i32", "o"),
                ],
            ),
            (
                "let view = std::rc::Rc::new(base.clone());",
                vec![
                    stored("base", "Vec<i32>", "b2"),
                    stored("other", "i32", "o"),
                    unstored("view", "Rc<Vec<i32>>"),
                ],
            ),
        ]);
        let plan = plan_of(&chain);
        assert_eq!(plan.cells(), vec![4]);
        assert_eq!(plan.steps[0].inputs, vec![stored("base", "Vec<i32>", "b2")]);
        assert_eq!(plan.rebuilt, vec![("view".to_owned(), vec![4])]);
        assert_eq!(plan.estimate, Duration::from_millis(100));
    }

    #[test]
    fn an_unstored_input_is_rebuilt_first_and_a_mutation_is_replayed() {
        let chain = chain(&[
            (
                "let rc = std::rc::Rc::new(std::cell::RefCell::new(vec![1]));",
                vec![unstored("rc", "Rc")],
            ),
            (
                "let n = 5;",
                vec![unstored("rc", "Rc"), stored("n", "i32", "n")],
            ),
            (
                "rc.borrow_mut().push(n);",
                vec![unstored("rc", "Rc"), stored("n", "i32", "n")],
            ),
        ]);
        let plan = plan_of(&chain);
        // Cell 2 made `n`, but its stored value is loaded as cell 3's input instead.
        assert_eq!(plan.cells(), vec![1, 3]);
        assert_eq!(plan.steps[1].inputs, vec![stored("n", "i32", "n")]);
        assert_eq!(
            plan.steps[1].needs,
            vec![1],
            "cell 3 changes what cell 1 made"
        );
        assert_eq!(plan.rebuilt, vec![("rc".to_owned(), vec![1, 3])]);
    }

    #[test]
    fn a_cell_with_outside_effects_is_replayed_only_when_allowed() {
        let chain = chain(&[
            (
                "std::fs::write(\"/tmp/x\", \"hi\").unwrap(); let h = std::rc::Rc::new(1);",
                vec![unstored("h", "Rc<i32>")],
            ),
            (
                "let k = 2;",
                vec![unstored("h", "Rc<i32>"), stored("k", "i32", "k")],
            ),
        ]);
        let skipped = plan_of(&chain);
        assert!(skipped.steps.is_empty());
        assert_eq!(skipped.lost.len(), 1);
        assert!(
            skipped.lost[0]
                .1
                .contains("cell 1 acts outside the session (files)"),
            "{skipped:?}"
        );
        assert!(
            skipped
                .comes_back("h")
                .unwrap()
                .starts_with("lost on resume")
        );
        let allowed = plan(&chain, &BTreeMap::new(), true, str::to_owned);
        assert_eq!(allowed.cells(), vec![1]);
    }

    #[test]
    fn a_lost_input_loses_what_is_made_from_it() {
        let chain = chain(&[
            (
                "let t = std::time::Instant::now();",
                vec![unstored("t", "Instant")],
            ),
            (
                "let w = std::rc::Rc::new(t);",
                vec![unstored("t", "Instant"), unstored("w", "Rc<Instant>")],
            ),
        ]);
        let plan = plan_of(&chain);
        assert!(plan.steps.is_empty(), "{plan:?}");
        let lost: Vec<&str> = plan.lost.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(lost, vec!["t", "w"]);
        assert!(plan.lost[1].1.contains("the clock"), "{plan:?}");
    }

    #[test]
    fn skipped_variables_are_not_rebuilt() {
        let chain = chain(&[(
            "let secret = std::rc::Rc::new(1);",
            vec![unstored("secret", "Rc<i32>")],
        )]);
        let skip = BTreeMap::from([("secret".to_owned(), ":dontsave".to_owned())]);
        let planned = plan(&chain, &skip, false, str::to_owned);
        assert!(planned.steps.is_empty());
        assert_eq!(
            planned.lost,
            vec![("secret".to_owned(), ":dontsave".to_owned())]
        );
    }

    #[test]
    fn effects_are_found_by_whole_words_and_paths() {
        assert_eq!(outside_effects("let f = File::create(p)?;"), vec!["files"]);
        assert!(outside_effects("let profile = Profile::new();").is_empty());
        assert_eq!(
            outside_effects(
                "let x: u8 = rand::random(); let c = std::process::Command::new(\"ls\");"
            ),
            vec!["a process", "randomness"]
        );
        assert!(outside_effects("let v = vec![1, 2];").is_empty());
    }
}
