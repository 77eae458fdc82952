//! `:diff A [B]`: what differs between the states after cells A and B (B omitted: the
//! present), on the same branch or on different ones: variables (with both values, and
//! where a collection first differs), item definitions and dependencies; what is the same
//! is counted on one line.

use super::compare::{Side, Wording, change_lines, missing_values};
use super::gather::GatherFor;
use super::*;

impl Session {
    /// `:diff A [B]`: the names at once when no value is needed, else the values of what
    /// differs read from both snapshots first.
    pub(super) fn diff_command(&mut self, from: u32, to: Option<u32>, asker: Asker) -> Vec<Effect> {
        let (old, new) = match (self.state_side(Some(from)), self.state_side(to)) {
            (Ok(old), Ok(new)) => (old, new),
            (Err(e), _) | (_, Err(e)) => return vec![asker.answer(Err(format!(":diff: {e}")))],
        };
        let changes = self.var_changes(old, new);
        if changes.is_empty() {
            return vec![asker.answer(self.diff_text(from, to, None))];
        }
        let names = |side: fn(&compare::Change) -> bool| -> Vec<String> {
            changes
                .iter()
                .filter(|c| side(c))
                .map(|c| c.name.clone())
                .collect()
        };
        let old_names = names(|c| c.now.is_some());
        let new_names = names(|c| c.then.is_some());
        let readings = vec![
            self.reading(Some(from), old_names),
            self.reading(to, new_names),
        ];
        self.gather(GatherFor::Diff { from, to }, asker, readings)
    }

    /// The variables of the state after `cell` (None: now), or why it has none.
    fn state_side(&self, cell: Option<u32>) -> Result<Side<'_>, String> {
        let Some(n) = cell else {
            return Ok(Side {
                vars: &self.current_vars,
                cell: self.current,
            });
        };
        match self.timeline.get(n) {
            Some(c) if c.status.has_state() => Ok(Side {
                vars: &c.vars,
                cell: n,
            }),
            Some(c) => Err(format!(
                "cell {n} did not run to the end ({}), so it has no state",
                c.status.label()
            )),
            None if self.timeline.is_empty() => Err("there are no cells yet".into()),
            None => Err(format!(
                "no cell {n} (cells are 1 to {})",
                self.timeline.len()
            )),
        }
    }

    /// How to read `names` as of cell `cell` (None: now): from its snapshot, or from the
    /// running worker when that is the cell's state; or why they cannot be read.
    pub(super) fn reading(&self, cell: Option<u32>, names: Vec<String>) -> gather::Reading {
        match cell {
            None => Ok((None, names)),
            Some(n) if n == self.current => Ok((None, names)),
            Some(n) => self.snapshot_of(n).map(|_| (Some(n), names)),
        }
    }

    /// The text of `:diff from [to]`; with `values` (as of `from`, as of `to`), the
    /// variables' lines show them.
    pub fn diff_text(
        &self,
        from: u32,
        to: Option<u32>,
        values: Option<(&Previews, &Previews)>,
    ) -> Result<String, String> {
        let old = self
            .state_side(Some(from))
            .map_err(|e| format!(":diff: {e}"))?;
        let new = self.state_side(to).map_err(|e| format!(":diff: {e}"))?;
        let then = match to {
            Some(n) => format!("after cell {n}"),
            None => "now".to_owned(),
        };
        let mut lines = vec![self.diff_heading(from, to)];
        let changes = self.var_changes(old, new);
        let wording = Wording {
            then: &then,
            first_difference: true,
        };
        lines.extend(change_lines(&changes, values, &wording));
        let mut same_vars: Vec<&str> = new
            .vars
            .iter()
            .filter(|v| !changes.iter().any(|c| c.name == v.name))
            .map(|v| v.name.as_str())
            .collect();
        same_vars.sort();
        let (item_lines, same_items) = self.item_changes(old.cell, new.cell);
        lines.extend(item_lines);
        let (dep_lines, same_deps) = self.dep_changes(old.cell, new.cell);
        lines.extend(dep_lines);
        let from_label = format!("of cell {from}");
        let to_label = match to {
            Some(n) => format!("of cell {n}"),
            None => "now".to_owned(),
        };
        lines.extend(missing_values(values, (&from_label, &to_label)));
        if lines.len() == 1 {
            lines.push("no differences".into());
        }
        let counted = [
            count("variable", &same_vars),
            count("definition", &same_items),
            count("dependency", &same_deps),
        ];
        let counted: Vec<String> = counted.into_iter().flatten().collect();
        if !counted.is_empty() {
            lines.push(format!("= unchanged: {}", counted.join(", ")));
        }
        Ok(lines.join("\n"))
    }

    /// `cell 3 → cell 5`, saying where the two part when they are on different branches.
    fn diff_heading(&self, from: u32, to: Option<u32>) -> String {
        let (to_cell, to_label) = match to {
            Some(n) => (n, format!("cell {n}")),
            None if self.current == 0 => (0, "now (the empty session)".to_owned()),
            None => (self.current, format!("now (cell {})", self.current)),
        };
        let from_line = self.timeline.ancestry(from);
        let to_line = self.timeline.ancestry(to_cell);
        let parted = to_line
            .iter()
            .find(|n| from_line.contains(n))
            .copied()
            .unwrap_or(0);
        let branches = if parted == from || parted == to_cell {
            String::new()
        } else if parted == 0 {
            " (on different branches, parting at the start)".to_owned()
        } else {
            format!(" (on different branches, parting after cell {parted})")
        };
        format!("cell {from} → {to_label}{branches}:")
    }

    /// Lines for the item definitions that differ between the states after two cells,
    /// and the labels of those that do not.
    fn item_changes(&self, old: u32, new: u32) -> (Vec<String>, Vec<String>) {
        let before = self.definitions_after(old);
        let after = self.definitions_after(new);
        let mut lines = Vec::new();
        let mut same = Vec::new();
        for definition in &after {
            match before.iter().find(|d| d.same_item(definition)) {
                None => lines.push(format!(
                    "+ {}: {} (cell {})",
                    definition.label(),
                    definition.quoted(),
                    definition.cell
                )),
                Some(earlier) if earlier.same_text(definition) => same.push(definition.label()),
                Some(earlier) => lines.push(format!(
                    "~ {}: {} (cell {}) → {} (cell {})",
                    definition.label(),
                    earlier.quoted(),
                    earlier.cell,
                    definition.quoted(),
                    definition.cell
                )),
            }
        }
        for definition in &before {
            if !after.iter().any(|d| d.same_item(definition)) {
                lines.push(format!(
                    "- {}: {} (cell {})",
                    definition.label(),
                    definition.quoted(),
                    definition.cell
                ));
            }
        }
        (lines, same)
    }

    /// Lines for the dependencies that differ between the states after two cells, and
    /// the crates of those that do not.
    fn dep_changes(&self, old: u32, new: u32) -> (Vec<String>, Vec<String>) {
        let before = self.deps_after(old);
        let after = self.deps_after(new);
        let mut lines = Vec::new();
        let mut same = Vec::new();
        for (name, dep) in &after {
            match before.get(name) {
                None => lines.push(format!("+ dep {} (cell {})", dep.spec, dep.cell)),
                Some(earlier) if earlier.spec == dep.spec => same.push(name.clone()),
                Some(earlier) => lines.push(format!(
                    "~ dep {name}: {} (cell {}) → {} (cell {})",
                    earlier.spec, earlier.cell, dep.spec, dep.cell
                )),
            }
        }
        for (name, dep) in &before {
            if !after.contains_key(name) {
                lines.push(format!("- dep {} (cell {})", dep.spec, dep.cell));
            }
        }
        (lines, same)
    }
}

/// `2 variables (a, b)`; None for none. Many names are cut after the first few.
fn count<S: AsRef<str>>(what: &str, names: &[S]) -> Option<String> {
    const SHOWN: usize = 6;
    if names.is_empty() {
        return None;
    }
    let plural = match (names.len(), what) {
        (1, _) => what.to_owned(),
        (_, "dependency") => "dependencies".to_owned(),
        _ => format!("{what}s"),
    };
    let mut shown: Vec<&str> = names.iter().take(SHOWN).map(AsRef::as_ref).collect();
    if names.len() > SHOWN {
        shown.push("…");
    }
    Some(format!("{} {plural} ({})", names.len(), shown.join(", ")))
}
