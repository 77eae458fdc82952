//! The `:` commands: what each one decides, and the rewind preview.

use super::*;

impl Session {
    pub(super) fn command(&mut self, command: Command) -> Vec<Effect> {
        let show = |n: Notice| vec![Effect::Show(n)];
        match command {
            Command::Help => show(Notice::info(commands::help_text())),
            Command::Cells => show(Notice::info(self.cells_table())),
            Command::Vars { at, name } => self.vars_command(at, name),
            Command::SavedVars { from, name } => vec![Effect::ReadSaved(SavedUse::Vars {
                from,
                name,
                bare: false,
            })],
            Command::TakeSaved { from, names } => {
                vec![Effect::ReadSaved(SavedUse::Take { from, names })]
            }
            Command::ReplayEffects(yes) => self.answer_replay_effects(yes),
            Command::PreviewPast(cell) => match self.check_past(cell) {
                Ok(_) => self.peek_for_rewind(cell),
                Err(e) => show(Notice::error(e)),
            },
            Command::Past(cell) if self.is_thinned(cell) => match self.rebuild(cell) {
                Ok(request) => vec![Effect::Engine(request)],
                Err(e) => show(Notice::error(format!(":past {cell}: {e}"))),
            },
            Command::Past(cell) => match self.check_past(cell) {
                Ok(warning) => {
                    let mut effects = Vec::new();
                    if self.settings.explain_past {
                        // Read before the restore: the engine does requests in order.
                        effects.extend(self.peek_for_rewind(cell));
                    } else if let Some(w) = warning {
                        effects.push(Effect::Show(Notice::warning(w)));
                    }
                    let forget = self.dontsave.iter().cloned().collect();
                    effects.push(Effect::Engine(Request::Restore { cell, forget }));
                    effects
                }
                Err(e) => show(Notice::error(e)),
            },
            Command::Saving(on) => {
                if !self.hooked && on {
                    return show(Notice::error(
                        "the time machine is unhooked for this session; restart tmrepl to use it",
                    ));
                }
                self.saving = on;
                show(Notice::info(if on {
                    "saving on: a snapshot after every cell"
                } else {
                    "saving off: no snapshots until :saving on"
                }))
            }
            Command::DontSave(name) => {
                let text = format!("{name} will not be brought back by :past");
                self.dontsave.insert(name);
                show(Notice::info(text))
            }
            Command::ClearPast(range) => {
                let cells: Vec<u32> = self
                    .timeline
                    .live_snapshots()
                    .map(|c| c.number)
                    .filter(|n| *n != self.current)
                    .filter(|n| range.is_none_or(|(a, b)| (a..=b).contains(n)))
                    .collect();
                // Saved values of those cells go too (their sources and items stay).
                let saved: Vec<u32> = self
                    .timeline
                    .cells()
                    .iter()
                    .filter(|c| c.number != self.current && c.persisted.is_some())
                    .map(|c| c.number)
                    .filter(|n| range.is_none_or(|(a, b)| (a..=b).contains(n)))
                    .collect();
                if cells.is_empty() && saved.is_empty() {
                    return show(Notice::info("no snapshots to clear"));
                }
                for n in &cells {
                    if let Some(c) = self.timeline.get_mut(*n) {
                        c.snapshot = SnapshotState::Cleared;
                    }
                }
                for n in &saved {
                    if let Some(vars) = self.timeline.get_mut(*n).and_then(|c| c.persisted.as_mut())
                    {
                        for var in vars.iter_mut().filter(|v| v.object.is_some()) {
                            var.object = None;
                            var.not_saved = Some(CLEARED.into());
                        }
                    }
                }
                let mut effects = Vec::new();
                if !cells.is_empty() {
                    effects.push(Effect::Engine(Request::DropSnapshots { cells }));
                }
                if !saved.is_empty() && self.archive.is_some() {
                    effects.push(Effect::Engine(Request::ForgetSaved { cells: saved }));
                }
                effects
            }
            Command::Unhook => {
                self.hooked = false;
                let cells: Vec<u32> = self.timeline.live_snapshots().map(|c| c.number).collect();
                for n in &cells {
                    if let Some(c) = self.timeline.get_mut(*n) {
                        c.snapshot = SnapshotState::Cleared;
                    }
                }
                let mut effects = vec![Effect::Show(Notice::info(
                    "time machine off: no more snapshots; a crash now loses the session's variables",
                ))];
                if !cells.is_empty() {
                    effects.push(Effect::Engine(Request::DropSnapshots { cells }));
                }
                effects
            }
            Command::Memory => vec![
                Effect::Engine(Request::Measure(None)),
                Effect::Show(Notice::info(self.memory_table())),
            ],
            Command::Timing => {
                self.timing = !self.timing;
                show(Notice::info(format!(
                    "timing {}",
                    if self.timing { "on" } else { "off" }
                )))
            }
            Command::Clear => vec![Effect::Engine(Request::Restore {
                cell: 0,
                forget: Vec::new(),
            })],
            // The table shows how long jobs have run: the edge knows the time.
            Command::Jobs => vec![Effect::ShowJobs],
            Command::Kill(cell) => match self.job_cell(cell, ":kill") {
                Ok(c) if matches!(c.status, CellStatus::Running | CellStatus::Queued) => {
                    vec![Effect::Engine(Request::KillJob { cell })]
                }
                Ok(c) => show(Notice::error(format!(
                    ":kill {cell}: job {cell} has already ended ({})",
                    c.status.label()
                ))),
                Err(e) => show(Notice::error(e)),
            },
            Command::Log(cell) => match self.job_cell(cell, ":log") {
                Ok(_) => vec![Effect::Engine(Request::ShowLog { cell })],
                Err(e) => show(Notice::error(e)),
            },
            Command::Take { job, names } => match self.job_cell(job, ":take") {
                Ok(c) if c.status.has_state() => {
                    // None named: every variable of the job.
                    let wanted = |n: &String| names.is_empty() || names.contains(n);
                    let missing: Vec<&String> = names
                        .iter()
                        .filter(|n| !c.vars.iter().any(|v| &v.name == *n))
                        .collect();
                    if let Some(name) = missing.first() {
                        show(Notice::error(format!(
                            ":take {job}: job {job} has no variable {name}"
                        )))
                    } else if !c.snapshot.is_live() {
                        show(Notice::error(format!(
                            ":take {job}: the snapshot of job {job} was evicted"
                        )))
                    } else {
                        let vars = c.vars.iter().filter(|v| wanted(&v.name)).cloned().collect();
                        vec![Effect::Engine(Request::Take { job, vars })]
                    }
                }
                Ok(c) => show(Notice::error(format!(
                    ":take {job}: job {job} has not finished ({})",
                    c.status.label()
                ))),
                Err(e) => show(Notice::error(e)),
            },
            Command::Notify(mode) => {
                self.settings.notify = mode;
                show(Notice::info(match mode {
                    NotifyMode::Desktop => {
                        "job notices: desktop (terminal when there is no notification service)"
                    }
                    NotifyMode::Terminal => "job notices: terminal",
                    NotifyMode::Off => "job notices: off",
                }))
            }
            Command::Save { name, replace } => {
                let opening = match (name, &self.archive) {
                    (Some(name), current) if current.as_deref() != Some(name.as_str()) => {
                        Some(name)
                    }
                    (None, None) => Some("default".to_owned()),
                    _ => None,
                };
                match opening {
                    // Once it is open, every cell goes into it.
                    Some(name) => {
                        self.then = Some(Then::SaveAll);
                        let opening = if replace {
                            Opening::Replace
                        } else {
                            Opening::New
                        };
                        vec![Effect::OpenArchive { name, opening }]
                    }
                    None if self.saves_pending() => self.flush_saves(true),
                    None => {
                        let mut effects = show(Notice::info(format!(
                            "session {} is saved ({} cells)",
                            self.archive.as_deref().unwrap_or("default"),
                            self.timeline.len()
                        )));
                        effects.extend(self.comes_back_notice().map(Effect::Show));
                        effects
                    }
                }
            }
            Command::Load(name) => {
                if !self.active_jobs().is_empty() {
                    return show(Notice::error(
                        ":load: jobs are still running; :kill them or wait",
                    ));
                }
                if self.saves_pending() {
                    // This session's snapshots go away with the switch: save it first.
                    self.then = Some(Then::Load(name));
                    return self.flush_saves(true);
                }
                vec![Effect::LoadSession { name }]
            }
            Command::Quit => vec![Effect::Quit],
            Command::Evcxr(command) => vec![Effect::Engine(Request::Evcxr(command))],
        }
    }

    pub(super) fn job_cell(
        &self,
        cell: u32,
        command: &str,
    ) -> Result<&crate::timeline::Cell, String> {
        match self.timeline.get(cell) {
            Some(c) if c.job.is_some() => Ok(c),
            Some(_) => Err(format!(
                "{command} {cell}: cell {cell} is not a background job"
            )),
            None => Err(format!("{command} {cell}: no such job")),
        }
    }

    pub fn current_vars(&self) -> &[VarInfo] {
        &self.current_vars
    }

    /// `:vars [N] [NAME]`: the table, or one value, with values read from cell N's snapshot
    /// (the running worker for the current cell) by the engine.
    fn vars_command(&mut self, at: Option<u32>, name: Option<String>) -> Vec<Effect> {
        let label = match at {
            Some(n) => format!(":vars {n}"),
            None => ":vars".to_owned(),
        };
        let vars = match self.vars_at(at) {
            Ok(vars) => vars,
            Err(e) => return vec![Effect::Show(Notice::error(e))],
        };
        if let Some(name) = &name
            && !vars.iter().any(|v| &v.name == name)
        {
            if at.is_none() {
                // No such variable here: NAME alone may be a saved session (its last cell).
                return vec![Effect::ReadSaved(SavedUse::Vars {
                    from: commands::SavedCell {
                        session: name.clone(),
                        cell: None,
                    },
                    name: None,
                    bare: true,
                })];
            }
            let when = at.map(|n| format!(" after cell {n}")).unwrap_or_default();
            return vec![Effect::Show(Notice::error(format!(
                "{label}: no variable {name}{when}"
            )))];
        }
        // In the table's order, so a value that times out costs only those below it.
        let mut names: Vec<String> = match &name {
            Some(name) => vec![name.clone()],
            None => vars.iter().map(|v| v.name.clone()).collect(),
        };
        names.sort();
        if names.is_empty() {
            return vec![Effect::Show(Notice::info(
                self.vars_table_with(at, None).unwrap_or_else(|e| e),
            ))];
        }
        // The running worker is in the current cell's state.
        let source = match at {
            None => Ok(None),
            Some(n) if n == self.current => Ok(None),
            Some(n) => self.snapshot_of(n).map(|_| Some(n)),
        };
        match (source, name) {
            (Ok(cell), name) => {
                let full = name.is_some();
                self.peeks.push_back(match name {
                    Some(name) => PeekFor::Whole { at, name },
                    None => PeekFor::Table { at },
                });
                vec![Effect::Engine(Request::Peek { cell, names, full })]
            }
            (Err(why), Some(_)) => vec![Effect::Show(Notice::error(format!("{label}: {why}")))],
            (Err(why), None) => {
                let values = Err(format!("values not shown: {why}"));
                vec![Effect::Show(Notice::info(
                    self.vars_table_with(at, Some(&values))
                        .unwrap_or_else(|e| e),
                ))]
            }
        }
    }

    /// Asks for the values that differ between now and cell `cell`, for the rewind preview;
    /// the preview is shown when both answers are in (or at once when nothing differs).
    fn peek_for_rewind(&mut self, cell: u32) -> Vec<Effect> {
        let changes = self.rewind_changes(cell);
        if changes.is_empty() {
            return vec![Effect::Show(Notice::info(
                self.rewind_preview(cell).unwrap_or_else(|e| e),
            ))];
        }
        let now: Vec<String> = changes
            .iter()
            .filter(|c| c.now.is_some())
            .map(|c| c.name.clone())
            .collect();
        let then: Vec<String> = changes
            .iter()
            .filter(|c| c.then.is_some())
            .map(|c| c.name.clone())
            .collect();
        self.peeks.push_back(PeekFor::RewindNow { cell });
        self.peeks
            .push_back(PeekFor::RewindThen { cell, now: None });
        let then_source = (cell != self.current).then_some(cell);
        vec![
            Effect::Engine(Request::Peek {
                cell: None,
                names: now,
                full: false,
            }),
            Effect::Engine(Request::Peek {
                cell: then_source,
                names: then,
                full: false,
            }),
        ]
    }

    /// The engine answered a `Request::Peek`: answers come in the order asked.
    pub(super) fn peeked(&mut self, result: Previews) -> Vec<Effect> {
        let info = |text: String| vec![Effect::Show(Notice::info(text))];
        match self.peeks.pop_front() {
            None => Vec::new(),
            Some(PeekFor::Table { at }) => match self.vars_table_with(at, Some(&result)) {
                Ok(text) => info(text),
                Err(e) => vec![Effect::Show(Notice::error(e))],
            },
            Some(PeekFor::Whole { at, name }) => match self.whole_value(at, &name, result) {
                Ok(text) => info(text),
                Err(e) => vec![Effect::Show(Notice::error(e))],
            },
            Some(PeekFor::Saved(table)) => info(table.render(Some(&result))),
            Some(PeekFor::RewindNow { .. }) => {
                if let Some(PeekFor::RewindThen { now, .. }) = self.peeks.front_mut() {
                    *now = Some(result);
                }
                Vec::new()
            }
            Some(PeekFor::RewindThen { cell, now }) => {
                let now = now.unwrap_or_else(|| Err("not read".into()));
                match self.rewind_preview_with(cell, Some((&now, &result))) {
                    Ok(text) => info(text),
                    Err(e) => vec![Effect::Show(Notice::error(e))],
                }
            }
        }
    }

    /// `:vars [N] NAME`: the value whole, as the engine read it.
    fn whole_value(&self, at: Option<u32>, name: &str, result: Previews) -> Result<String, String> {
        let label = match at {
            Some(n) => format!(":vars {n} {name}"),
            None => format!(":vars {name}"),
        };
        let previews = result.map_err(|e| format!("{label}: {e}"))?;
        let preview = previews
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
            .ok_or_else(|| format!("{label}: the value was not read"))?;
        let type_name = self
            .vars_at(at)
            .ok()
            .and_then(|vars| vars.iter().find(|v| v.name == name))
            .map(|v| v.type_name.clone())
            .unwrap_or_default();
        let when = match at {
            Some(n) if n != self.current => format!(" (as of cell {n})"),
            _ => String::new(),
        };
        let body = match preview {
            ValuePreview::Debug { text, cut: false } => text.clone(),
            ValuePreview::Debug { text, cut: true } => {
                format!("{text}…\n(cut: the text of this value is longer than shown)")
            }
            other => one_line(other, usize::MAX),
        };
        Ok(format!("{name}: {type_name}{when} =\n{body}"))
    }

    /// What `:past cell` would change: variables added, removed and changed, or why it
    /// cannot be done.
    pub fn rewind_preview(&self, cell: u32) -> Result<String, String> {
        self.rewind_preview_with(cell, None)
    }

    /// The variables that differ between now and cell `cell`, by name: added (only
    /// `then`), removed (only `now`) or changed since (both, with their types).
    fn rewind_changes(&self, cell: u32) -> Vec<Change> {
        let target = self
            .timeline
            .get(cell)
            .map(|c| c.vars.as_slice())
            .unwrap_or(&[]);
        let mut changes = Vec::new();
        for var in target {
            let now = self.current_vars.iter().find(|v| v.name == var.name);
            let differs = match now {
                None => true,
                Some(now) if now.type_name != var.type_name => true,
                Some(_) => {
                    self.timeline.last_touched(self.current, &var.name)
                        != self.timeline.last_touched(cell, &var.name)
                }
            };
            if differs {
                changes.push(Change {
                    name: var.name.clone(),
                    now: now.map(|v| v.type_name.clone()),
                    then: Some(var.type_name.clone()),
                });
            }
        }
        for var in &self.current_vars {
            if !target.iter().any(|v| v.name == var.name) {
                changes.push(Change {
                    name: var.name.clone(),
                    now: Some(var.type_name.clone()),
                    then: None,
                });
            }
        }
        changes
    }

    /// The rewind preview; with `values` (now, then) each change shows the values.
    pub(super) fn rewind_preview_with(
        &self,
        cell: u32,
        values: Option<(&Previews, &Previews)>,
    ) -> Result<String, String> {
        let warning = self.check_past(cell)?;
        let mut lines = Vec::new();
        if let Some(w) = warning {
            lines.push(format!("warning: {w}"));
        }
        let lookup = |previews: Option<&Previews>, name: &str| -> Option<String> {
            let found = previews?.as_ref().ok()?.iter().find(|(n, _)| n == name)?;
            Some(one_line(&found.1, PREVIEW_WIDTH))
        };
        let (now_values, then_values) = match values {
            Some((now, then)) => (Some(now), Some(then)),
            None => (None, None),
        };
        // Only the same whole Debug text tells that a value is unchanged (not two
        // `<no Debug, 8 B>`, not two texts cut alike).
        let whole = |previews: Option<&Previews>, name: &str| -> Option<String> {
            let found = previews?.as_ref().ok()?.iter().find(|(n, _)| n == name)?;
            match &found.1 {
                ValuePreview::Debug { text, cut: false } => Some(text.clone()),
                _ => None,
            }
        };
        let unchanged = |name: &str| {
            whole(now_values, name).is_some_and(|now| whole(then_values, name) == Some(now))
        };
        for change in self.rewind_changes(cell) {
            let name = &change.name;
            let now = lookup(now_values, name);
            let then = lookup(then_values, name);
            lines.push(match (&change.now, &change.then) {
                (None, Some(then_type)) => match then {
                    Some(value) => format!("+ {name}: {then_type} = {value}"),
                    None => format!("+ {name}: {then_type}"),
                },
                (Some(now_type), None) => match now {
                    Some(value) => format!("- {name}: {now_type} = {value}"),
                    None => format!("- {name}: {now_type}"),
                },
                (Some(now_type), Some(then_type)) => match (now, then) {
                    // Assigned again since, to what it was then: rewinding keeps it.
                    (Some(now), Some(_)) if now_type == then_type && unchanged(name) => {
                        format!("= {name}: {now} (unchanged)")
                    }
                    (Some(now), Some(then)) if now_type == then_type && now == then => {
                        format!("~ {name}: {now} (the same as far as shown)")
                    }
                    (Some(now), Some(then)) if now_type == then_type => {
                        format!("~ {name}: {now} → {then}")
                    }
                    (Some(now), Some(then)) => {
                        format!("~ {name}: {now} → {then} ({now_type} → {then_type})")
                    }
                    _ if now_type != then_type => {
                        format!("~ {name}: {then_type} (now {now_type})")
                    }
                    _ => format!("~ {name}: {then_type} (value as after cell {cell})"),
                },
                (None, None) => continue,
            });
        }
        // Why values are missing, once.
        for (side, previews) in [("now", now_values), ("then", then_values)] {
            if let Some(Err(e)) = previews {
                lines.push(format!("(values {side} not shown: {e})"));
            }
        }
        if lines.is_empty() {
            lines.push("no variable changes".into());
        }
        Ok(lines.join("\n"))
    }
}

/// How wide a value's preview is in tables and the rewind preview, in characters.
pub(super) const PREVIEW_WIDTH: usize = 60;

/// One variable that differs between now and a rewind target (types as they are then).
struct Change {
    name: String,
    now: Option<String>,
    then: Option<String>,
}

/// A preview on one line of at most `width` characters, `…` where it was cut.
pub(super) fn one_line(preview: &ValuePreview, width: usize) -> String {
    let (text, cut) = match preview {
        ValuePreview::Debug { text, cut } => (text.clone(), *cut),
        ValuePreview::NoDebug(size) => (format!("<no Debug, {size}>"), false),
        ValuePreview::Panicked(message) => (format!("<Debug panicked: {message}>"), false),
        ValuePreview::TimedOut => ("<Debug did not finish in time; stopped>".to_owned(), false),
        ValuePreview::Lost => (
            "<lost: a dependency added since changed its type; the next cell that names it drops it>"
                .to_owned(),
            false,
        ),
    };
    // A multi-line Debug (a user's own impl) is folded onto one line.
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let folded = if text.contains('\n') { folded } else { text };
    if folded.chars().count() > width {
        let kept: String = folded.chars().take(width.saturating_sub(1)).collect();
        format!("{kept}…")
    } else if cut {
        format!("{folded}…")
    } else {
        folded
    }
}
