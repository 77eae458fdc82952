//! Another saved session's cells, read from its manifests without switching to it or
//! taking its lock: `:vars NAME@N` (its variables as of cell N, the cell that last changed
//! each, how each would come back, previews of the stored ones) and `:take NAME@N` (those
//! variables copied here as one new cell: stored values loaded and the others replayed,
//! planned as resuming plans, with the definitions they need brought along).

use super::saving::{chain_to, skipped, target_cell};
use super::*;
use crate::archive::{Manifest, SavedVar};
use crate::commands::SavedCell;
use replay::{ChainCell, ReplayPlan, ReplayStep};
use std::path::PathBuf;

/// A saved session's manifests as the app read them (not locked: another tmrepl may have
/// it open; manifests are written whole, so each one read is one written).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSession {
    pub name: String,
    /// Its folder, where its objects are.
    pub dir: PathBuf,
    pub manifests: Vec<Manifest>,
}

/// What a saved session is read for.
#[derive(Debug, Clone, PartialEq)]
pub enum SavedUse {
    Vars {
        from: SavedCell,
        name: Option<String>,
        /// Typed as `:vars NAME` (no such variable here): the session's last cell.
        bare: bool,
    },
    Take {
        from: SavedCell,
        names: Vec<String>,
    },
}

impl SavedUse {
    pub fn session(&self) -> &str {
        match self {
            SavedUse::Vars { from, .. } | SavedUse::Take { from, .. } => &from.session,
        }
    }
}

/// Previews of a saved session's stored values, read in a hidden job forked from the
/// empty session: its dependencies and the definitions the values' types need, then the
/// values loaded from its objects and formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPeek {
    /// Sent back with the previews.
    pub ask: AskId,
    pub dir: PathBuf,
    pub deps: Vec<(String, String)>,
    pub definitions: Vec<String>,
    pub values: Vec<SavedVar>,
    /// Each value whole (`:vars NAME@N VAR`), not one line.
    pub full: bool,
}

/// `:take NAME@N`: one new cell, as the engine writes and runs it. Its code defines
/// `definitions`, then in one block (so nothing else the replay makes stays) loads and
/// replays what `steps` say and loads `stored`, and binds `vars` from it.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedTake {
    pub cell: u32,
    /// As typed, e.g. `:take lab@4 acc`: the first line of the cell's code.
    pub label: String,
    pub session: String,
    /// The saved cell the values are of.
    pub from_cell: u32,
    pub dir: PathBuf,
    /// The saved cell's dependencies its code names (added when missing here).
    pub deps: Vec<(String, String)>,
    pub definitions: Vec<String>,
    pub steps: Vec<ReplayStep>,
    pub stored: Vec<SavedVar>,
    /// The variables the cell makes, with their types.
    pub vars: Vec<VarInfo>,
    pub snapshot: bool,
}

/// `:vars NAME@N` as shown: rows ready, waiting for the previews of stored values.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SavedTable {
    from: SavedCell,
    cell: u32,
    rows: Vec<SavedRow>,
    /// `:vars NAME@N VAR`: that value whole.
    whole: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct SavedRow {
    name: String,
    type_name: String,
    changed: Option<u32>,
    stored: bool,
    comes_back: String,
}

impl Session {
    /// The app read the saved session a `:vars NAME@N` or `:take NAME@N` named (or could
    /// not: `read` says why).
    pub fn saved_read(
        &mut self,
        purpose: SavedUse,
        read: Result<SavedSession, String>,
    ) -> Vec<Effect> {
        let label = match &purpose {
            SavedUse::Vars {
                from, bare: true, ..
            } => {
                let name = &from.session;
                if read.is_err() {
                    return vec![Effect::Show(Notice::error(format!(
                        ":vars: no variable {name}, and no saved session named {name}"
                    )))];
                }
                format!(":vars {name}")
            }
            SavedUse::Vars { from, .. } => format!(":vars {from}"),
            SavedUse::Take { from, .. } => format!(":take {from}"),
        };
        let result = read.and_then(|saved| match purpose {
            SavedUse::Vars { from, name, .. } => self.saved_vars(&saved, from, name),
            SavedUse::Take { from, names } => self.saved_take(&saved, from, names),
        });
        result.unwrap_or_else(|e| vec![Effect::Show(Notice::error(format!("{label}: {e}")))])
    }

    /// How the variables `names` of the last cell of `chain` come back here, planned as
    /// resuming plans (stored values loaded, the others replayed unless replaying is off).
    fn saved_plan(&self, chain: &[Manifest], names: &[String]) -> ReplayPlan {
        let mut cells = ChainCell::from_manifests(chain);
        let Some(last) = cells.last_mut() else {
            return ReplayPlan::default();
        };
        last.vars.retain(|v| names.contains(&v.name));
        if !self.settings.replay {
            let mut plan = ReplayPlan::default();
            for var in &last.vars {
                match var.object {
                    Some(_) => plan.stored.push(var.name.clone()),
                    None => plan
                        .lost
                        .push((var.name.clone(), "replaying is off (--no-replay)".into())),
                }
            }
            return plan;
        }
        let skip = skipped(&last.vars);
        replay::plan(
            &cells,
            &skip,
            self.settings.replay_effects,
            items::statements,
        )
    }

    fn saved_vars(
        &mut self,
        saved: &SavedSession,
        from: SavedCell,
        name: Option<String>,
    ) -> Result<Vec<Effect>, String> {
        let (cell, chain) = saved_chain(saved, from.cell, true)?;
        let target = chain.last().ok_or("no such cell")?;
        let mut vars: Vec<&SavedVar> = target.vars.iter().collect();
        vars.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(name) = &name {
            vars.retain(|v| &v.name == name);
            if vars.is_empty() {
                return Err(format!(
                    "{} has no variable {name} after cell {cell}",
                    saved.name
                ));
            }
        }
        let names: Vec<String> = vars.iter().map(|v| v.name.clone()).collect();
        let plan = self.saved_plan(&chain, &names);
        let rows = vars
            .iter()
            .map(|v| SavedRow {
                name: v.name.clone(),
                type_name: v.type_name.clone(),
                changed: last_changed(&chain, &v.name),
                stored: v.object.is_some(),
                comes_back: comes_back(&plan, &v.name, v.not_saved.as_ref()),
            })
            .collect();
        let table = SavedTable {
            from,
            cell,
            rows,
            whole: name,
        };
        let values: Vec<SavedVar> = vars
            .iter()
            .filter(|v| v.object.is_some())
            .map(|v| (*v).clone())
            .collect();
        if values.is_empty() {
            return Ok(vec![Effect::Show(Notice::info(table.render(None)))]);
        }
        let roots: Vec<&str> = values.iter().map(|v| v.type_name.as_str()).collect();
        let definitions: Vec<String> =
            bring::to_bring(&chain_definitions(&chain), &[], &roots.join("\n"))
                .map(|found| found.into_iter().map(|d| d.text).collect())
                .unwrap_or_default();
        let named = format!("{}\n{}", roots.join("\n"), definitions.join("\n"));
        let deps = bring::deps_named(&target.deps, &named);
        let full = table.whole.is_some();
        let ask = self.expect_answer(PeekFor::Saved(Box::new(table)), Asker::Transcript);
        Ok(vec![Effect::Engine(Request::PeekSaved(Box::new(
            SavedPeek {
                ask,
                dir: saved.dir.clone(),
                deps,
                definitions,
                values,
                full,
            },
        )))])
    }

    fn saved_take(
        &mut self,
        saved: &SavedSession,
        from: SavedCell,
        names: Vec<String>,
    ) -> Result<Vec<Effect>, String> {
        let label = format!(":take {from}");
        let (cell, chain) = saved_chain(saved, from.cell, false)?;
        let target = chain.last().ok_or("no such cell")?;
        let mut names = names;
        if names.is_empty() {
            names = target.vars.iter().map(|v| v.name.clone()).collect();
            if names.is_empty() {
                return Err(format!("{} has no variables after cell {cell}", saved.name));
            }
        } else if let Some(missing) = names
            .iter()
            .find(|n| !target.vars.iter().any(|v| &v.name == *n))
        {
            return Err(format!(
                "{} has no variable {missing} after cell {cell}",
                saved.name
            ));
        }
        names.sort();
        names.dedup();
        let plan = self.saved_plan(&chain, &names);
        let lost = |name: &String| plan.lost.iter().any(|(n, _)| n == name);
        let vars: Vec<&SavedVar> = target
            .vars
            .iter()
            .filter(|v| names.contains(&v.name) && !lost(&v.name))
            .collect();
        if vars.is_empty() {
            let why: Vec<String> = plan
                .lost
                .iter()
                .map(|(n, why)| format!("{n}: {why}"))
                .collect();
            return Err(format!("nothing can be taken: {}", why.join("; ")));
        }
        // Everything the new cell's code names: the values' types and what is replayed.
        let mut roots: Vec<&str> = vars.iter().map(|v| v.type_name.as_str()).collect();
        for step in &plan.steps {
            roots.push(&step.code);
            roots.extend(step.inputs.iter().map(|v| v.type_name.as_str()));
        }
        let here_cells: Vec<(u32, &str)> = {
            let mut ancestry = self.timeline.ancestry(self.current);
            ancestry.reverse();
            ancestry
                .into_iter()
                .filter_map(|n| self.timeline.get(n))
                .filter(|c| c.status.has_state())
                .map(|c| (c.number, c.source.as_str()))
                .collect()
        };
        let here = bring::in_force(here_cells);
        let definitions = bring::to_bring(&chain_definitions(&chain), &here, &roots.join("\n"))
            .map_err(|c| {
                format!(
                    "{}'s {} (its cell {}) conflicts with {} here (cell {}); rename one, or \
                     take only values that do not need it",
                    saved.name,
                    c.theirs.quoted(),
                    c.theirs.cell,
                    c.here.quoted(),
                    c.here.cell
                )
            })?;
        let definitions: Vec<String> = definitions.into_iter().map(|d| d.text).collect();
        let named = format!("{}\n{}", roots.join("\n"), definitions.join("\n"));
        let deps = bring::deps_named(&target.deps, &named);
        let taken: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
        let typed = format!("{label} {}", taken.join(" "));
        let number = self.timeline.push(typed.clone(), self.current);
        self.running = Some(number);
        let undo = match self.current {
            0 => ":clear".to_owned(),
            n => format!(":past {n}"),
        };
        let said = Notice::info(format!(
            "taking {} from cell {cell} of {} as cell {number} ({undo} undoes it): {}",
            taken.join(", "),
            saved.name,
            plan.describe(),
        ));
        let take = Request::TakeSaved(Box::new(SavedTake {
            cell: number,
            label: typed,
            session: saved.name.clone(),
            from_cell: cell,
            dir: saved.dir.clone(),
            deps,
            definitions,
            steps: plan.steps.clone(),
            stored: vars
                .iter()
                .filter(|v| v.object.is_some())
                .map(|v| (*v).clone())
                .collect(),
            vars: vars
                .iter()
                .map(|v| VarInfo {
                    name: v.name.clone(),
                    type_name: v.type_name.clone(),
                })
                .collect(),
            snapshot: self.is_snapshotting(),
        }));
        Ok(vec![Effect::Show(said), Effect::Engine(take)])
    }
}

/// The saved cell `wanted` names (None: the one resuming would continue) and the
/// manifests on the way to it, oldest first.
fn saved_chain(
    saved: &SavedSession,
    wanted: Option<u32>,
    pending_ok: bool,
) -> Result<(u32, Vec<Manifest>), String> {
    let by_cell: BTreeMap<u32, Manifest> = saved
        .manifests
        .iter()
        .map(|m| (m.cell, m.clone()))
        .collect();
    let cell = target_cell(&by_cell, &saved.name, wanted, pending_ok)?;
    Ok((cell, chain_to(&by_cell, cell)))
}

/// The definitions in force after the last cell of `chain`.
fn chain_definitions(chain: &[Manifest]) -> Vec<bring::Definition> {
    bring::in_force(
        chain
            .iter()
            .filter(|m| m.status.has_state())
            .map(|m| (m.cell, m.source.as_str())),
    )
}

/// The last cell on `chain` whose source names `name`.
fn last_changed(chain: &[Manifest], name: &str) -> Option<u32> {
    chain
        .iter()
        .rev()
        .find(|m| m.status.has_state() && crate::timeline::names_variable(&m.source, name))
        .map(|m| m.cell)
}

/// How `name` comes back by `:take`, for the table.
fn comes_back(plan: &ReplayPlan, name: &str, not_saved: Option<&NotSaved>) -> String {
    if plan.stored.iter().any(|n| n == name) {
        return "from disk".into();
    }
    let why = not_saved
        .map(|w| format!(" (not on disk: {w})"))
        .unwrap_or_default();
    if let Some((_, cells)) = plan.rebuilt.iter().find(|(n, _)| n == name) {
        return if cells.is_empty() {
            format!("from an earlier cell's values{why}")
        } else {
            format!("by replaying {}{why}", replay::cells_list(cells))
        };
    }
    match plan.lost.iter().find(|(n, _)| n == name) {
        Some((_, reason)) => format!("not: {reason}{why}"),
        None => "not".into(),
    }
}

impl SavedTable {
    /// The table (or the one value), with previews when the engine read them.
    pub(super) fn render(&self, values: Option<&Previews>) -> String {
        let previews = values.and_then(|v| v.as_ref().ok());
        let preview = |name: &str, width: usize| {
            previews
                .and_then(|p| p.iter().find(|(n, _)| n == name))
                .map(|(_, p)| dispatch::one_line(p, width))
        };
        let session = &self.from.session;
        if let Some(row) = self
            .whole
            .as_ref()
            .and_then(|w| self.rows.iter().find(|r| &r.name == w))
        {
            let head = format!(
                "{}: {} (cell {} of {session}, {})",
                row.name, row.type_name, self.cell, row.comes_back
            );
            let whole = previews
                .and_then(|p| p.iter().find(|(n, _)| *n == row.name))
                .map(|(_, p)| match p {
                    ValuePreview::Debug { text, cut: false } => text.clone(),
                    other => dispatch::one_line(other, usize::MAX),
                });
            return match (whole, values) {
                (Some(text), _) => format!("{head} =\n{text}"),
                (None, Some(Err(why))) => format!("{head}\n(value not shown: {why})"),
                (None, _) if !row.stored => format!("{head}\n(not on disk, so not shown here)"),
                (None, _) => head,
            };
        }
        if self.rows.is_empty() {
            return format!(
                "saved session {session} has no variables after its cell {}",
                self.cell
            );
        }
        let width = self
            .rows
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut out = format!(
            "saved session {session} as of its cell {} (read from disk; :take {session}@{} VAR… copies)\n",
            self.cell, self.cell
        );
        let _ = writeln!(
            out,
            "{:<width$}  {:<28} {:<12} {:<30} comes back",
            "name", "type", "last changed", "value"
        );
        for row in &self.rows {
            let changed = row
                .changed
                .map(|c| format!("cell {c}"))
                .unwrap_or_else(|| "-".into());
            let value = preview(&row.name, 30).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "{:<width$}  {:<28} {changed:<12} {value:<30} {}",
                row.name, row.type_name, row.comes_back
            );
        }
        if let Some(Err(why)) = values {
            let _ = writeln!(out, "(values not shown: {why})");
        }
        out.trim_end().to_owned()
    }
}

#[cfg(test)]
#[path = "saved_tests.rs"]
mod tests;
