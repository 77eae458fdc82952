//! The `:` commands: what each one decides, and the rewind preview.

use super::*;

impl Session {
    pub(super) fn command(&mut self, command: Command) -> Vec<Effect> {
        let show = |n: Notice| vec![Effect::Show(n)];
        match command {
            Command::Help => show(Notice::info(commands::help_text())),
            Command::Cells => show(Notice::info(self.cells_table())),
            Command::Vars(at) => match self.vars_table(at) {
                Ok(text) => show(Notice::info(text)),
                Err(e) => show(Notice::error(e)),
            },
            Command::Past(cell) => match self.check_past(cell) {
                Ok(warning) => {
                    let mut effects = Vec::new();
                    if let Some(w) = warning {
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
                        let vars = c
                            .vars
                            .iter()
                            .filter(|v| names.contains(&v.name))
                            .cloned()
                            .collect();
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
                    None => show(Notice::info(format!(
                        "session {} is saved ({} cells)",
                        self.archive.as_deref().unwrap_or("default"),
                        self.timeline.len()
                    ))),
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

    /// What `:past cell` would change: variables added, removed and changed, or why it
    /// cannot be done.
    pub fn rewind_preview(&self, cell: u32) -> Result<String, String> {
        let warning = self.check_past(cell)?;
        let target = self
            .timeline
            .get(cell)
            .map(|c| c.vars.as_slice())
            .unwrap_or(&[]);
        let mut lines = Vec::new();
        if let Some(w) = warning {
            lines.push(format!("warning: {w}"));
        }
        for var in target {
            match self.current_vars.iter().find(|v| v.name == var.name) {
                None => lines.push(format!("+ {}: {}", var.name, var.type_name)),
                Some(now) if now.type_name != var.type_name => lines.push(format!(
                    "~ {}: {} (now {})",
                    var.name, var.type_name, now.type_name
                )),
                Some(_) => {
                    let changed_since = self.timeline.last_touched(self.current, &var.name)
                        != self.timeline.last_touched(cell, &var.name);
                    if changed_since {
                        lines.push(format!(
                            "~ {}: {} (value as after cell {cell})",
                            var.name, var.type_name
                        ));
                    }
                }
            }
        }
        for var in &self.current_vars {
            if !target.iter().any(|v| v.name == var.name) {
                lines.push(format!("- {}: {}", var.name, var.type_name));
            }
        }
        if lines.is_empty() {
            lines.push("no variable changes".into());
        }
        Ok(lines.join("\n"))
    }
}
