//! The durable tier as the session sees it: which cells to write and when (records at
//! once, values in idle time, `:save` in the foreground), and loading a saved history.

use super::*;

impl Session {
    /// The write of cell `n` to the archive: values that changed since a saved cell wrote
    /// them, read from the cell's snapshot (or the worker, when it is the current cell); the
    /// rest refer to the objects already written. None while a job still runs.
    pub(super) fn persist_plan(&self, n: u32) -> Option<PersistPlan> {
        let cell = self.timeline.get(n)?;
        if matches!(cell.status, CellStatus::Running | CellStatus::Queued) {
            return None;
        }
        // Saved cells that may hold the same values: this cell's branch and the current one.
        let mut candidates: Vec<u32> = self.timeline.ancestry(n);
        for a in self.timeline.ancestry(self.current) {
            if !candidates.contains(&a) {
                candidates.push(a);
            }
        }
        let from = if cell.snapshot.is_live() {
            Some(Some(n))
        } else if n == self.current && self.running.is_none() && cell.job.is_none() {
            Some(None)
        } else {
            None
        };
        let mut save = Vec::new();
        let mut reuse = Vec::new();
        if cell.status.has_state() {
            for var in &cell.vars {
                let settled = |reason: NotSaved| crate::archive::SavedVar {
                    name: var.name.clone(),
                    type_name: var.type_name.clone(),
                    object: None,
                    not_saved: Some(reason),
                };
                if self.dontsave.contains(&var.name) {
                    reuse.push(settled(NotSaved::DontSave));
                    continue;
                }
                let touched = self.timeline.last_touched(n, &var.name);
                let earlier = candidates.iter().find_map(|a| {
                    let saved = self.timeline.get(*a)?.persisted.as_ref()?;
                    saved
                        .iter()
                        .find(|s| s.name == var.name && s.type_name == var.type_name)
                        .filter(|s| {
                            // Reasons of the session's own making do not carry over.
                            !s.not_saved.as_ref().is_some_and(NotSaved::is_the_sessions)
                        })
                        .filter(|_| self.timeline.last_touched(*a, &var.name) == touched)
                });
                match (earlier, from) {
                    (Some(saved), _) => reuse.push(saved.clone()),
                    (None, Some(_)) => save.push(var.clone()),
                    (None, None) => reuse.push(settled(NotSaved::SnapshotGone)),
                }
            }
        }
        let (status, status_detail) = crate::archive::SavedStatus::of(&cell.status);
        let manifest = crate::archive::Manifest {
            format: crate::archive::FORMAT_VERSION,
            cell: n,
            parent: cell.parent,
            source: cell.source.clone(),
            items: if cell.status.has_state() {
                items::items(&cell.source)
            } else {
                Vec::new()
            },
            deps: Vec::new(),
            vars: Vec::new(),
            status,
            status_detail,
            output: cell.output.clone(),
            value: cell.value.clone(),
            duration_ms: cell.duration.map(|d| d.as_millis() as u64).unwrap_or(0),
            saved_at: 0,
            pending: false,
            job: cell.job.is_some(),
            access: cell.status.has_state().then(|| self.access_of(cell)),
        };
        Some(PersistPlan {
            manifest,
            save,
            reuse,
            from: from.flatten(),
        })
    }

    /// A cell (or job) of a saved session ended: its record goes to disk at once (source,
    /// items, output: cheap), its values in idle time when any changed.
    pub(super) fn record_cell(&mut self, n: u32) -> Vec<Effect> {
        if self.archive.is_none() {
            return Vec::new();
        }
        let Some(mut plan) = self.persist_plan(n) else {
            return Vec::new();
        };
        if !plan.save.is_empty() {
            self.unsaved.insert(n);
            plan.manifest.pending = true;
            for var in std::mem::take(&mut plan.save) {
                plan.reuse.push(crate::archive::SavedVar {
                    name: var.name,
                    type_name: var.type_name,
                    object: None,
                    not_saved: Some(NotSaved::Pending),
                });
            }
        }
        vec![Effect::Engine(Request::Persist(Box::new(plan)))]
    }

    /// Work for idle time: writing the values of the newest unsaved cell. Front ends call
    /// it (through the app) once nothing has happened for a moment.
    pub fn idle(&mut self) -> Vec<Effect> {
        self.next_save()
    }

    /// Writes everything still unsaved, one cell after another (`:save`, `:load`,
    /// quitting). `foreground`: the front end waits until it is done.
    pub fn flush_saves(&mut self, foreground: bool) -> Vec<Effect> {
        self.flushing = Some(Flush {
            foreground,
            ..Flush::default()
        });
        self.next_save()
    }

    /// Whether the archive still lacks some cell's values.
    pub fn saves_pending(&self) -> bool {
        self.archive.is_some() && (!self.unsaved.is_empty() || self.persisting.is_some())
    }

    /// Whether a `:save` is under way (the front end waits for it like for a cell).
    pub fn is_flushing(&self) -> bool {
        self.flushing.is_some_and(|f| f.foreground)
    }

    /// How many cells still wait for their values to be written.
    pub fn unsaved_cells(&self) -> usize {
        self.unsaved.len()
    }

    pub(super) fn values_persisted(&mut self, cell: u32, summary: PersistSummary) -> Vec<Effect> {
        let mut effects = Vec::new();
        if !summary.not_saved.is_empty() {
            let list: Vec<String> = summary
                .not_saved
                .iter()
                .map(|(n, why)| format!("{n} ({why})"))
                .collect();
            effects.push(Effect::Show(Notice::warning(format!(
                "cell {cell} saved without: {}",
                list.join(", ")
            ))));
        }
        if let Some(flush) = &mut self.flushing {
            flush.cells += 1;
            flush.bytes += summary.bytes_written;
        }
        if let Some(c) = self.timeline.get_mut(cell) {
            c.persisted = Some(summary.vars);
        }
        effects
    }

    pub(super) fn next_save(&mut self) -> Vec<Effect> {
        if self.archive.is_none() || self.persisting.is_some() || self.running.is_some() {
            return Vec::new();
        }
        while let Some(&n) = self.unsaved.iter().next_back() {
            match self.persist_plan(n) {
                Some(plan) => {
                    self.persisting = Some(n);
                    return vec![Effect::Engine(Request::Persist(Box::new(plan)))];
                }
                None => {
                    self.unsaved.remove(&n);
                }
            }
        }
        let Some(flush) = self.flushing.take() else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if flush.foreground {
            effects.push(Effect::Show(Notice::info(format!(
                "saved session {}: {} cell{} with new values, {} written",
                self.archive.as_deref().unwrap_or("default"),
                flush.cells,
                if flush.cells == 1 { "" } else { "s" },
                human_bytes(flush.bytes)
            ))));
            effects.extend(self.comes_back_notice().map(Effect::Show));
        }
        if let Some(Then::Load(name)) = self.then.take() {
            effects.push(Effect::LoadSession { name });
        }
        effects
    }

    pub fn archive(&self) -> Option<&str> {
        self.archive.as_deref()
    }

    /// Puts a saved session's cells in the timeline and asks the edges to rebuild the state
    /// after `target` (default: the last cell with state).
    /// `:load`: forgets this session's cells and snapshots, then loads `name` like
    /// `--resume` does.
    pub fn switch_to(
        &mut self,
        name: &str,
        manifests: Vec<crate::archive::Manifest>,
    ) -> Vec<Effect> {
        let live: Vec<u32> = self.timeline.live_snapshots().map(|c| c.number).collect();
        let settings = self.settings.clone();
        let dontsave = std::mem::take(&mut self.dontsave);
        let old = std::mem::replace(self, Session::new(settings));
        self.dontsave = dontsave;
        self.timing = old.timing;
        self.snapshotting = old.snapshotting;
        self.hooked = old.hooked;
        let loaded = self.load_history(name, manifests, None);
        let mut effects = Vec::new();
        if !live.is_empty() {
            effects.push(Effect::Engine(Request::DropSnapshots { cells: live }));
        }
        effects.push(Effect::Engine(Request::Restore {
            cell: 0,
            forget: Vec::new(),
        }));
        match loaded {
            Ok(more) => effects.extend(more),
            Err(e) => effects.push(Effect::Show(Notice::error(format!(":load {name}: {e}")))),
        }
        effects
    }

    pub fn load_history(
        &mut self,
        name: &str,
        manifests: Vec<crate::archive::Manifest>,
        target: Option<u32>,
    ) -> Result<Vec<Effect>, String> {
        if !self.timeline.is_empty() {
            return Err("a session can only be resumed into a fresh tmrepl".into());
        }
        let by_cell: BTreeMap<u32, crate::archive::Manifest> =
            manifests.into_iter().map(|m| (m.cell, m)).collect();
        let target = target_cell(&by_cell, name, target, false)?;
        let last = *by_cell.keys().next_back().unwrap_or(&0);
        for n in 1..=last {
            let (source, parent, status) = match by_cell.get(&n) {
                Some(m) => (
                    m.source.clone(),
                    m.parent,
                    m.status.to_cell_status(m.status_detail.clone()),
                ),
                None => (
                    String::new(),
                    0,
                    CellStatus::Error("not in the archive".into()),
                ),
            };
            let number = self.timeline.push(source, parent);
            if let (Some(cell), Some(m)) = (self.timeline.get_mut(number), by_cell.get(&n)) {
                cell.status = status;
                cell.output = m.output.clone();
                cell.value = m.value.clone();
                cell.duration = Some(Duration::from_millis(m.duration_ms));
                cell.vars = m
                    .vars
                    .iter()
                    .map(|v| VarInfo {
                        name: v.name.clone(),
                        type_name: v.type_name.clone(),
                    })
                    .collect();
                cell.persisted = (!m.pending).then(|| m.vars.clone());
                cell.access = m.access.clone();
            } else if let Some(cell) = self.timeline.get_mut(number) {
                cell.status = CellStatus::Error("not in the archive".into());
            }
        }
        let chain = chain_to(&by_cell, target);
        self.running = Some(target);
        let mut effects = vec![Effect::OpenArchive {
            name: name.to_owned(),
            opening: Opening::Continue,
        }];
        let skip = chain.last().map(|m| skipped(&m.vars)).unwrap_or_default();
        let cells = replay::ChainCell::from_manifests(&chain);
        let plan = |allow_effects| replay::plan(&cells, &skip, allow_effects, items::statements);
        let replay = self
            .settings
            .replay
            .then(|| plan(self.settings.replay_effects));
        if let Some(without) = &replay
            && self.settings.ask_replay_effects
            && !self.settings.replay_effects
        {
            let with = plan(true);
            if let Some(question) = replay_question(without, &with) {
                effects.push(Effect::Ask(question));
                self.pending_resume = Some(PendingResume {
                    chain,
                    without: without.clone(),
                    with,
                });
                return Ok(effects);
            }
        }
        effects.extend(resume_with(chain, replay));
        Ok(effects)
    }

    /// The user's answer to the replay question: resume with or without those cells.
    pub(super) fn answer_replay_effects(&mut self, yes: bool) -> Vec<Effect> {
        match self.pending_resume.take() {
            Some(PendingResume {
                chain,
                without,
                with,
            }) => resume_with(chain, Some(if yes { with } else { without })),
            None => vec![Effect::Show(Notice::error(
                "no resume is waiting for an answer about replaying cells",
            ))],
        }
    }

    /// What cell `cell` read and wrote: recorded when it ran, else derived from the
    /// variables before and after it.
    pub(super) fn access_of(&self, cell: &crate::timeline::Cell) -> CellAccess {
        cell.access.clone().unwrap_or_else(|| {
            let before = self
                .timeline
                .get(cell.parent)
                .map(|p| p.vars.as_slice())
                .unwrap_or(&[]);
            CellAccess::derive(&cell.source, before, &cell.vars)
        })
    }

    /// How the variables of saved cell `n` would come back if the session were resumed
    /// there now (None: the cell's values are not saved, or replaying is off).
    pub fn replay_plan_at(&self, n: u32) -> Option<replay::ReplayPlan> {
        if !self.settings.replay {
            return None;
        }
        self.timeline.get(n)?.persisted.as_ref()?;
        let mut ancestry = self.timeline.ancestry(n);
        ancestry.reverse();
        let chain: Vec<replay::ChainCell> = ancestry
            .into_iter()
            .filter_map(|number| self.timeline.get(number))
            .filter(|c| c.status.has_state())
            .map(|c| replay::ChainCell {
                cell: c.number,
                source: c.source.clone(),
                vars: c.persisted.clone().unwrap_or_else(|| {
                    c.vars
                        .iter()
                        .map(|v| crate::archive::SavedVar {
                            name: v.name.clone(),
                            type_name: v.type_name.clone(),
                            object: None,
                            not_saved: Some(NotSaved::Pending),
                        })
                        .collect()
                }),
                access: self.access_of(c),
                duration: c.duration.unwrap_or_default(),
            })
            .collect();
        let mut skip = chain.last().map(|c| skipped(&c.vars)).unwrap_or_default();
        for name in &self.dontsave {
            skip.insert(name.clone(), NotSaved::DontSave.to_string());
        }
        Some(replay::plan(
            &chain,
            &skip,
            self.settings.replay_effects,
            items::statements,
        ))
    }

    /// `:save`'s account of how each variable of the current cell comes back on resume.
    pub(super) fn comes_back_notice(&self) -> Option<Notice> {
        let plan = self.replay_plan_at(self.current)?;
        let mut names: Vec<&str> = plan
            .stored
            .iter()
            .chain(plan.rebuilt.iter().map(|(n, _)| n))
            .chain(plan.lost.iter().map(|(n, _)| n))
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let parts: Vec<String> = names
            .iter()
            .filter_map(|n| Some(format!("{n}: {}", plan.comes_back(n)?)))
            .collect();
        (!parts.is_empty()).then(|| {
            Notice::info(format!(
                "on resume at cell {}: {}",
                self.current,
                parts.join("; ")
            ))
        })
    }
}

/// The saved cell `wanted` names, or without one the newest foreground cell whose values
/// all reached the disk (what resuming continues); or why it cannot be had. `pending_ok`:
/// a cell whose values are still being written will do (to look at, not to rebuild).
pub(super) fn target_cell(
    by_cell: &BTreeMap<u32, crate::archive::Manifest>,
    name: &str,
    wanted: Option<u32>,
    pending_ok: bool,
) -> Result<u32, String> {
    let has_state = |m: &crate::archive::Manifest| m.status.has_state();
    match wanted {
        Some(t) => match by_cell.get(&t) {
            Some(m) if has_state(m) && m.pending && !pending_ok => Err(format!(
                "the values of cell {t} of {name} were not saved before tmrepl stopped"
            )),
            Some(m) if has_state(m) => Ok(t),
            Some(_) => Err(format!(
                "cell {t} of {name} did not run to the end, so it has no state"
            )),
            None => Err(format!("{name} has no saved cell {t}")),
        },
        None => by_cell
            .iter()
            .rev()
            .find(|(_, m)| has_state(m) && !m.pending && !m.job)
            .map(|(n, _)| *n)
            .ok_or_else(|| format!("{name} has no saved cell with state to resume")),
    }
}

/// The manifests on the way to `target` (its ancestry through `parent`), oldest first.
pub(super) fn chain_to(
    by_cell: &BTreeMap<u32, crate::archive::Manifest>,
    target: u32,
) -> Vec<crate::archive::Manifest> {
    let mut chain = Vec::new();
    let mut at = target;
    while at != 0 && chain.len() <= by_cell.len() {
        let Some(m) = by_cell.get(&at) else { break };
        at = m.parent;
        chain.push(m.clone());
    }
    chain.reverse();
    chain
}

/// Variables the user asked not to save are not rebuilt either.
pub(super) fn skipped(vars: &[crate::archive::SavedVar]) -> BTreeMap<String, String> {
    vars.iter()
        .filter(|v| v.not_saved == Some(NotSaved::DontSave))
        .map(|v| (v.name.clone(), NotSaved::DontSave.to_string()))
        .collect()
}

/// A resume held back until the user says whether cells with outside effects may be
/// replayed; both plans are ready.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PendingResume {
    chain: Vec<crate::archive::Manifest>,
    without: replay::ReplayPlan,
    with: replay::ReplayPlan,
}

/// The resume request, after saying what the replay will do (it may take a while).
fn resume_with(
    chain: Vec<crate::archive::Manifest>,
    replay: Option<replay::ReplayPlan>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(plan) = replay.as_ref().filter(|p| !p.is_empty()) {
        effects.push(Effect::Show(Notice::info(plan.describe())));
    }
    effects.push(Effect::Engine(Request::Resume {
        chain,
        replay: replay.map(Box::new),
    }));
    effects
}

/// The question to ask when replaying cells with outside effects would bring back more
/// variables; None when it would not.
fn replay_question(without: &replay::ReplayPlan, with: &replay::ReplayPlan) -> Option<String> {
    let gained: Vec<&str> = with
        .rebuilt
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !without.rebuilt.iter().any(|(n, _)| n == name))
        .collect();
    if gained.is_empty() {
        return None;
    }
    let acting: Vec<String> = with
        .steps
        .iter()
        .filter_map(|step| {
            let effects = replay::outside_effects(&step.code);
            (!effects.is_empty()).then(|| format!("cell {} ({})", step.cell, effects.join(", ")))
        })
        .collect();
    Some(format!(
        "Resuming: {} act{} outside the session. Replaying {} would also bring back {}. Replay {}? y/N",
        acting.join(", "),
        if acting.len() == 1 { "s" } else { "" },
        if acting.len() == 1 { "it" } else { "them" },
        gained.join(", "),
        if acting.len() == 1 { "it" } else { "them" },
    ))
}
