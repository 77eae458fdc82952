//! Where the parts of a cell's state came from, read from the chain of cells that led to
//! it (its ancestry, oldest first): which definitions were in force at each cell, which
//! cell bound a variable, and which values were made with a definition that a later cell
//! replaced (stale values, as reactive notebooks mark stale cells). Pure: it reads cells'
//! sources and what each made and named (`CellAccess`).

use super::Session;
use super::bring::{self, Definition};
use super::input::{Leading, split_cell};
use super::items;
use crate::commands::{self, Command, EvcxrCommand};
use crate::lexer::{Kind, tokens};
use crate::timeline::{CellAccess, VarInfo, mentions};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One cell on the chain that ran to the end.
#[derive(Debug, Clone)]
pub(super) struct Step<'a> {
    pub cell: u32,
    pub source: &'a str,
    pub access: CellAccess,
}

/// A value made with a definition that has been replaced since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The definition it used, as `fn score` or `struct P`.
    pub item: String,
    /// The cell whose definition it used…
    pub made_with: u32,
    /// …and the cell whose definition is in force now.
    pub redefined_in: u32,
    /// The variable it was made from that used the definition, when not directly.
    pub through: Option<String>,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "made with {} of cell {}", self.item, self.made_with)?;
        if let Some(through) = &self.through {
            write!(f, " (through {through})")?;
        }
        write!(f, ", redefined in cell {}", self.redefined_in)
    }
}

/// A definition a cell used: the item's name and the step whose definition was in force.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    name: String,
    defined_at: usize,
    through: Option<String>,
}

pub(super) struct Chain<'a> {
    steps: Vec<Step<'a>>,
    /// Each step's named items (fn, struct, const, …), as written.
    items: Vec<Vec<Definition>>,
}

impl<'a> Chain<'a> {
    pub fn new(steps: Vec<Step<'a>>) -> Chain<'a> {
        let items = steps
            .iter()
            .map(|step| {
                bring::in_force([(step.cell, step.source)])
                    .into_iter()
                    .filter(|d| d.name().is_some())
                    .collect()
            })
            .collect();
        Chain { steps, items }
    }

    pub fn steps(&self) -> &[Step<'a>] {
        &self.steps
    }

    /// The definition of `name` in force after step `upto`, and the step that made it.
    pub fn in_force(&self, name: &str, upto: usize) -> Option<(usize, &Definition)> {
        (0..=upto.min(self.steps.len().saturating_sub(1)))
            .rev()
            .find_map(|i| {
                self.items[i]
                    .iter()
                    .find(|d| d.name() == Some(name))
                    .map(|d| (i, d))
            })
    }

    /// Steps that define an item called `name`, with the definition, oldest first.
    pub fn definitions_of(&self, name: &str) -> Vec<(usize, &Definition)> {
        (0..self.steps.len())
            .filter_map(|i| {
                self.items[i]
                    .iter()
                    .find(|d| d.name() == Some(name))
                    .map(|d| (i, d))
            })
            .collect()
    }

    /// Whether step `i` starts a binding of the variable `name`: it made the variable or
    /// changed its type, or its code says `let [mut] name` at the top level.
    pub fn binds(&self, i: usize, name: &str) -> bool {
        let step = &self.steps[i];
        step.access.defines.iter().any(|n| n == name) || lets(step.source, name)
    }

    /// The step that bound the value `name` has after step `end`.
    fn binding_of(&self, name: &str, end: usize) -> Option<usize> {
        (0..=end).rev().find(|&i| self.binds(i, name))
    }

    /// The named items step `i`'s statements use, each with the step whose definition was
    /// in force, and the items those definitions use in turn.
    fn items_used(&self, i: usize) -> Vec<Use> {
        let mut text = items::statements(self.steps[i].source);
        let mut used: Vec<Use> = Vec::new();
        let names = self.names_defined_by(i);
        loop {
            let mut grew = false;
            for name in &names {
                if used.iter().any(|u| &u.name == name) || !mentions(&text, name) {
                    continue;
                }
                if let Some((at, definition)) = self.in_force(name, i) {
                    text.push('\n');
                    text.push_str(&definition.text);
                    used.push(Use {
                        name: name.clone(),
                        defined_at: at,
                        through: None,
                    });
                    grew = true;
                }
            }
            if !grew {
                return used;
            }
        }
    }

    /// Every item name defined at or before step `i`.
    fn names_defined_by(&self, i: usize) -> BTreeSet<String> {
        self.items[..=i]
            .iter()
            .flatten()
            .filter_map(|d| d.name().map(str::to_owned))
            .collect()
    }

    /// The definitions the value of `name` after step `end` was made with: those of every
    /// step since its binding that may have written it, and of the variables they read.
    fn made_with(
        &self,
        name: &str,
        end: usize,
        memo: &mut BTreeMap<(String, usize), Vec<Use>>,
    ) -> Vec<Use> {
        let key = (name.to_owned(), end);
        if let Some(known) = memo.get(&key) {
            return known.clone();
        }
        // A cycle cannot happen (reads go to earlier steps); this marks the work begun.
        memo.insert(key.clone(), Vec::new());
        let mut uses = BTreeSet::new();
        if let Some(start) = self.binding_of(name, end) {
            for i in start..=end {
                if i != start && !self.steps[i].access.writes(name) {
                    continue;
                }
                uses.extend(self.contribution(i, name, memo));
            }
        }
        let uses: Vec<Use> = uses.into_iter().collect();
        memo.insert(key, uses.clone());
        uses
    }

    /// What step `i` put into the value of `name`: the items it used, and what the other
    /// variables it read were made with.
    fn contribution(
        &self,
        i: usize,
        name: &str,
        memo: &mut BTreeMap<(String, usize), Vec<Use>>,
    ) -> Vec<Use> {
        let mut uses = self.items_used(i);
        if i > 0 {
            let read: Vec<String> = self.steps[i]
                .access
                .mentions
                .iter()
                .filter(|n| *n != name)
                .cloned()
                .collect();
            for other in read {
                for used in self.made_with(&other, i - 1, memo) {
                    uses.push(Use {
                        through: used.through.clone().or_else(|| Some(other.clone())),
                        ..used
                    });
                }
            }
        }
        uses
    }

    /// The first of `uses` whose definition is no longer the one in force after the last
    /// step (one written the same way again does not count).
    fn outdated(&self, uses: &[Use]) -> Option<Stale> {
        let last = self.steps.len().checked_sub(1)?;
        uses.iter().find_map(|used| {
            let (now_at, now) = self.in_force(&used.name, last)?;
            let (_, then) = self.in_force(&used.name, used.defined_at)?;
            (now_at != used.defined_at && !now.same_text(then)).then(|| Stale {
                item: then.label(),
                made_with: self.steps[used.defined_at].cell,
                redefined_in: self.steps[now_at].cell,
                through: used.through.clone(),
            })
        })
    }

    /// The variables among `vars` (those after the last step) whose values are stale.
    pub fn stale_values(&self, vars: &[VarInfo]) -> BTreeMap<String, Stale> {
        let Some(last) = self.steps.len().checked_sub(1) else {
            return BTreeMap::new();
        };
        let mut memo = BTreeMap::new();
        vars.iter()
            .filter_map(|var| {
                let uses = self.made_with(&var.name, last, &mut memo);
                self.outdated(&uses).map(|stale| (var.name.clone(), stale))
            })
            .collect()
    }

    /// The cells that put a stale part into a value among `vars`: where a notebook would
    /// say "this cell is stale".
    pub fn stale_cells(&self, vars: &[VarInfo]) -> BTreeSet<u32> {
        let Some(last) = self.steps.len().checked_sub(1) else {
            return BTreeSet::new();
        };
        let mut memo = BTreeMap::new();
        let mut cells = BTreeSet::new();
        for var in vars {
            let Some(start) = self.binding_of(&var.name, last) else {
                continue;
            };
            for i in start..=last {
                if i != start && !self.steps[i].access.writes(&var.name) {
                    continue;
                }
                let uses = self.contribution(i, &var.name, &mut memo);
                if self.outdated(&uses).is_some() {
                    cells.insert(self.steps[i].cell);
                }
            }
        }
        cells
    }
}

/// The dependencies a cell's leading `:dep` lines add, as (crate, spec as typed).
pub(super) fn cell_deps(source: &str) -> Vec<(String, String)> {
    split_cell(source)
        .leading
        .into_iter()
        .filter_map(|line| match line {
            Leading::Command(text) => match commands::parse(text) {
                Ok(Command::Evcxr(EvcxrCommand::Dep { spec })) => Some(spec),
                _ => None,
            },
            Leading::Shell(_) => None,
        })
        .map(|spec| {
            let name = spec.split('=').next().unwrap_or(&spec).trim().to_owned();
            (name, spec)
        })
        .collect()
}

/// A dependency in force: its spec as typed and the cell that added it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DepInForce {
    pub spec: String,
    pub cell: u32,
}

impl Session {
    /// The cells that led to the state after `cell` and ran to the end, oldest first
    /// (0: the empty session, no cells).
    pub(super) fn chain_to(&self, cell: u32) -> Chain<'_> {
        let mut ancestry = self.timeline.ancestry(cell);
        ancestry.reverse();
        let steps = ancestry
            .into_iter()
            .filter_map(|n| self.timeline.get(n))
            .filter(|c| c.status.has_state())
            .map(|c| Step {
                cell: c.number,
                source: &c.source,
                access: self.access_of(c),
            })
            .collect();
        Chain::new(steps)
    }

    /// The item definitions in force after `cell`.
    pub(super) fn definitions_after(&self, cell: u32) -> Vec<Definition> {
        let chain = self.chain_to(cell);
        bring::in_force(chain.steps().iter().map(|s| (s.cell, s.source)))
    }

    /// The dependencies the cells that led to `cell` added, by crate (a later `:dep` of
    /// the same crate replaces an earlier one).
    pub(super) fn deps_after(&self, cell: u32) -> BTreeMap<String, DepInForce> {
        let chain = self.chain_to(cell);
        let mut deps = BTreeMap::new();
        for step in chain.steps() {
            for (name, spec) in cell_deps(step.source) {
                deps.insert(
                    name,
                    DepInForce {
                        spec,
                        cell: step.cell,
                    },
                );
            }
        }
        deps
    }

    /// The variables after cell `at` (now when None) whose values are stale, by name.
    pub fn stale_values(&self, at: Option<u32>) -> BTreeMap<String, Stale> {
        let (cell, vars) = match at {
            None => (self.current, self.current_vars.as_slice()),
            Some(n) => match self.timeline.get(n) {
                Some(c) if c.status.has_state() => (n, c.vars.as_slice()),
                _ => return BTreeMap::new(),
            },
        };
        self.chain_to(cell).stale_values(vars)
    }

    /// The cells of the current branch that put a stale part into a value there now.
    pub fn stale_cells(&self) -> BTreeSet<u32> {
        self.chain_to(self.current).stale_cells(&self.current_vars)
    }
}

/// Whether `source` binds `name` at its top level: `let name`, `let mut name`.
pub(super) fn lets(source: &str, name: &str) -> bool {
    if !source.contains(name) {
        return false;
    }
    // The words outside brackets, other tokens as "" (so `let (a, b)` binds no word).
    let mut depth = 0usize;
    let mut words = Vec::new();
    for token in tokens(source) {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            Kind::Whitespace | Kind::Comment { .. } => continue,
            _ => {}
        }
        let word = if token.kind == Kind::Ident {
            token.text
        } else {
            ""
        };
        words.push((depth, word));
    }
    words.iter().enumerate().any(|(i, &(depth, word))| {
        let after = |k: usize| words.get(i + k).map(|(_, w)| *w);
        depth == 0
            && word == "let"
            && match after(1) {
                Some("mut") => after(2) == Some(name),
                next => next == Some(name),
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(defines: &[&str], mentions: &[&str]) -> CellAccess {
        CellAccess {
            defines: defines.iter().map(|s| s.to_string()).collect(),
            mentions: mentions.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn var(name: &str) -> VarInfo {
        VarInfo {
            name: name.into(),
            type_name: "i32".into(),
        }
    }

    fn chain<'a>(cells: &[(u32, &'a str, CellAccess)]) -> Chain<'a> {
        Chain::new(
            cells
                .iter()
                .map(|(cell, source, access)| Step {
                    cell: *cell,
                    source,
                    access: access.clone(),
                })
                .collect(),
        )
    }

    #[test]
    fn a_value_made_with_a_replaced_function_is_stale() {
        let c = chain(&[
            (1, "fn score(x: i32) -> i32 { x * 2 }", access(&[], &[])),
            (2, "let s = score(3);", access(&["s"], &[])),
            (3, "let t = 1;", access(&["t"], &[])),
            (4, "fn score(x: i32) -> i32 { x * 3 }", access(&[], &[])),
            (5, "let u = score(1);", access(&["u"], &[])),
        ]);
        let stale = c.stale_values(&[var("s"), var("t"), var("u")]);
        let said: Vec<String> = stale.iter().map(|(n, s)| format!("{n}: {s}")).collect();
        assert_eq!(
            said,
            vec!["s: made with fn score of cell 1, redefined in cell 4"]
        );
        assert_eq!(c.stale_cells(&[var("s"), var("t"), var("u")]), [2].into());
    }

    #[test]
    fn staleness_passes_through_variables_and_functions() {
        let c = chain(&[
            (1, "fn base() -> i32 { 1 }", access(&[], &[])),
            (2, "fn twice() -> i32 { base() * 2 }", access(&[], &[])),
            (3, "let mut v = vec![twice()];", access(&["v"], &[])),
            (
                4,
                "let total: i32 = v.iter().sum();",
                access(&["total"], &["v"]),
            ),
            (5, "fn base() -> i32 { 10 }", access(&[], &[])),
        ]);
        let stale = c.stale_values(&[var("v"), var("total")]);
        assert_eq!(
            stale["v"].to_string(),
            "made with fn base of cell 1, redefined in cell 5"
        );
        assert_eq!(
            stale["total"].to_string(),
            "made with fn base of cell 1 (through v), redefined in cell 5"
        );
        assert_eq!(c.stale_cells(&[var("v"), var("total")]), [3, 4].into());
    }

    #[test]
    fn a_new_binding_or_the_same_text_again_is_not_stale() {
        let c = chain(&[
            (1, "fn f() -> i32 { 1 }", access(&[], &[])),
            (2, "let x = f();", access(&["x"], &[])),
            (3, "fn f() -> i32 { 2 }", access(&[], &[])),
            // Bound again (same type, so not in `defines`): made with the new f.
            (4, "let x = f();", access(&[], &["x"])),
            (5, "fn g() -> i32 { 1 }", access(&[], &[])),
            (6, "let y = g();", access(&["y"], &[])),
            (7, "fn g() -> i32 {\n    1\n}", access(&[], &[])),
            // A function defined beside a value made without it does not make it stale.
            (8, "fn h() -> i32 { 1 }\nlet z = 5;", access(&["z"], &[])),
            (9, "fn h() -> i32 { 2 }", access(&[], &[])),
        ]);
        assert!(
            c.stale_values(&[var("x"), var("y"), var("z")]).is_empty(),
            "{:?}",
            c.stale_values(&[var("x"), var("y"), var("z")])
        );
    }

    #[test]
    fn a_mutation_with_an_old_definition_taints_the_value() {
        let c = chain(&[
            (1, "fn f() -> i32 { 1 }", access(&[], &[])),
            (2, "let mut v = Vec::new();", access(&["v"], &[])),
            (3, "v.push(f());", access(&[], &["v"])),
            (4, "fn f() -> i32 { 2 }", access(&[], &[])),
            (5, "v.push(f());", access(&[], &["v"])),
        ]);
        let stale = c.stale_values(&[var("v")]);
        assert_eq!(
            stale["v"].to_string(),
            "made with fn f of cell 1, redefined in cell 4"
        );
        assert_eq!(c.stale_cells(&[var("v")]), [3].into());
    }

    #[test]
    fn top_level_lets_bind() {
        assert!(lets("let x = 1;", "x"));
        assert!(lets("let mut x = 1;", "x"));
        assert!(lets("let x: i32 = 1;", "x"));
        assert!(!lets("let xs = 1;", "x"));
        assert!(!lets("{ let x = 1; }", "x"));
        assert!(!lets("x = 2;", "x"));
        assert!(!lets("// let x = 1;", "x"));
        assert!(lets("let x", "x"));
    }
}
