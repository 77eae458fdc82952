//! The `:` commands: what each one decides, and the rewind preview.

use super::*;
pub(super) use compare::{PREVIEW_WIDTH, one_line};

impl Session {
    pub(super) fn command(&mut self, command: Command) -> Vec<Effect> {
        let show = |n: Notice| vec![Effect::Show(n)];
        match command {
            Command::Help => show(Notice::info(commands::help_text())),
            Command::Cells => show(Notice::info(self.cells_table())),
            Command::Diff { from, to } => self.diff_command(from, to, Asker::Transcript),
            Command::Trace(name) => self.trace_command(name, Asker::Transcript),
            Command::Vars { at, name } => self.vars_command(at, name, Asker::Transcript),
            Command::SavedVars { from, name } => vec![Effect::ReadSaved(SavedUse::Vars {
                from,
                name,
                bare: false,
            })],
            Command::TakeSaved { from, names } => {
                vec![Effect::ReadSaved(SavedUse::Take { from, names })]
            }
            Command::ReplayEffects(yes) => self.answer_replay_effects(yes),
            Command::Past(cell) if self.is_thinned(cell) => match self.rebuild(cell) {
                Ok(request) => vec![Effect::Engine(request)],
                Err(e) => show(Notice::error(format!(":past {cell}: {e}"))),
            },
            Command::Past(cell) => match self.check_past(cell) {
                Ok(warning) => {
                    let mut effects = Vec::new();
                    if self.settings.explain_past {
                        // Read before the restore: the engine does requests in order.
                        effects.extend(self.peek_for_rewind(cell, Asker::Transcript));
                    } else if let Some(w) = warning {
                        effects.push(Effect::Show(Notice::warning(w)));
                    }
                    let forget = self.dontsave.iter().cloned().collect();
                    effects.push(Effect::Engine(Request::Restore { cell, forget }));
                    effects
                }
                Err(e) => show(Notice::error(e)),
            },
            Command::Snapshots(on) => {
                if !self.hooked && on {
                    return show(Notice::error(
                        "the time machine is unhooked for this session; restart tmrepl to use it",
                    ));
                }
                self.snapshotting = on;
                show(Notice::info(if on {
                    "snapshots on: one after every cell"
                } else {
                    "snapshots off: none until :snapshots on"
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
                            var.not_saved = Some(crate::archive::NotSaved::Cleared);
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
            Command::Log(cell) => self.show_log(cell, Asker::Transcript),
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
                        self.aside_sent(export::Aside::Take {
                            job,
                            names: names.clone(),
                        });
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
            Command::Evcxr(command) => {
                if let commands::EvcxrCommand::Dep { spec } = &command {
                    self.aside_sent(export::Aside::Dep(spec.clone()));
                }
                vec![Effect::Engine(Request::Evcxr(command))]
            }
            Command::Export { dir, cell, force } => self.export_command(dir, cell, force),
            Command::Sweep(at) => self.sweep_command(at),
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
    pub(super) fn vars_command(
        &mut self,
        at: Option<u32>,
        name: Option<String>,
        asker: Asker,
    ) -> Vec<Effect> {
        let label = match at {
            Some(n) => format!(":vars {n}"),
            None => ":vars".to_owned(),
        };
        let vars = match self.vars_at(at) {
            Ok(vars) => vars,
            Err(e) => return vec![asker.answer(Err(e))],
        };
        if let Some(name) = &name
            && !vars.iter().any(|v| &v.name == name)
        {
            if at.is_none() && asker == Asker::Transcript {
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
            return vec![asker.answer(Err(format!("{label}: no variable {name}{when}")))];
        }
        // In the table's order, so a value that times out costs only those below it.
        let mut names: Vec<String> = match &name {
            Some(name) => vec![name.clone()],
            None => vars.iter().map(|v| v.name.clone()).collect(),
        };
        names.sort();
        if names.is_empty() {
            return vec![asker.answer(self.vars_table_with(at, None))];
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
                let purpose = match name {
                    Some(name) => PeekFor::Whole { at, name },
                    None => PeekFor::Table { at },
                };
                vec![self.peek(purpose, asker, cell, names, full)]
            }
            (Err(why), Some(_)) => vec![asker.answer(Err(format!("{label}: {why}")))],
            (Err(why), None) => {
                let values = Err(format!("values not shown: {why}"));
                vec![asker.answer(self.vars_table_with(at, Some(&values)))]
            }
        }
    }

    /// Asks for the values that differ between now and cell `cell`, for the rewind preview;
    /// the preview is shown when both answers are in (or at once when nothing differs).
    pub(super) fn peek_for_rewind(&mut self, cell: u32, asker: Asker) -> Vec<Effect> {
        let changes = self.rewind_changes(cell);
        if changes.is_empty() {
            return vec![asker.answer(self.rewind_preview(cell))];
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
        let then_source = (cell != self.current).then_some(cell);
        let waiting = PeekFor::RewindThen {
            cell,
            now: None,
            then: None,
        };
        let then_ask = self.expect_answer(waiting, asker);
        let read_then = Effect::Engine(Request::Peek {
            ask: then_ask,
            cell: then_source,
            names: then,
            full: false,
        });
        let now_purpose = PeekFor::RewindNow { then: then_ask };
        let read_now = self.peek(now_purpose, Asker::Transcript, None, now, false);
        // Read before the restore that may follow: the engine does requests in order.
        vec![read_now, read_then]
    }

    /// The engine answered the `Request::Peek` sent under `ask`, made for `purpose`.
    pub(super) fn peeked(
        &mut self,
        ask: AskId,
        purpose: PeekFor,
        asker: Asker,
        result: Previews,
    ) -> Vec<Effect> {
        match purpose {
            PeekFor::Table { at } => vec![asker.answer(self.vars_table_with(at, Some(&result)))],
            PeekFor::Whole { at, name } => {
                vec![asker.answer(self.whole_value(at, &name, result))]
            }
            PeekFor::Saved(table) => vec![asker.answer(Ok(table.render(Some(&result))))],
            PeekFor::RewindNow { then } => match self.peeks.get_mut(&then) {
                Some(Pending {
                    purpose: PeekFor::RewindThen { now, .. },
                    ..
                }) => {
                    *now = Some(result);
                    self.rewind_if_read(then)
                }
                _ => Vec::new(),
            },
            PeekFor::RewindThen { cell, now, .. } => {
                // Kept, under the id its `RewindNow` knows, until the values of now are in.
                let purpose = PeekFor::RewindThen {
                    cell,
                    now,
                    then: Some(result),
                };
                self.peeks.insert(ask, Pending { purpose, asker });
                self.rewind_if_read(ask)
            }
            // Logs are answered by `log_read`.
            PeekFor::Log => vec![asker.answer(result.map(|_| String::new()))],
            PeekFor::SweepRow { table, at } => self.sweep_row_read(table, at, result),
            PeekFor::Part { of, index } => self.part_read(of, index, result),
            // Kept under its own id; the engine never answers it.
            PeekFor::Gathered(_) => Vec::new(),
        }
    }

    /// The rewind preview waiting under `ask`, shown once both of its readings are in.
    fn rewind_if_read(&mut self, ask: AskId) -> Vec<Effect> {
        let both_read = matches!(
            self.peeks.get(&ask),
            Some(Pending {
                purpose: PeekFor::RewindThen {
                    now: Some(_),
                    then: Some(_),
                    ..
                },
                ..
            })
        );
        if !both_read {
            return Vec::new();
        }
        let Some(Pending {
            purpose:
                PeekFor::RewindThen {
                    cell,
                    now: Some(now),
                    then: Some(then),
                },
            asker,
        }) = self.peeks.remove(&ask)
        else {
            return Vec::new();
        };
        vec![asker.answer(self.rewind_preview_with(cell, Some((&now, &then))))]
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
}
