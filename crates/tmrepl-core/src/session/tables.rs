//! The text tables of `:cells`, `:vars`, `:jobs` and `:memory`, and the formatting they
//! share with the front ends.

use super::*;

impl Session {
    pub fn cells_table(&self) -> String {
        if self.timeline.is_empty() {
            return "no cells yet".to_owned();
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5}  {:<11} {:>9}  {:<9} {:>9}  {:<5}  source",
            "cell", "status", "time", "snapshot", "memory", "saved"
        );
        for cell in self.timeline.cells() {
            let marker = if cell.number == self.current {
                '>'
            } else {
                ' '
            };
            let time = cell
                .duration
                .map(format_duration)
                .unwrap_or_else(|| "-".into());
            let memory = match (&cell.snapshot, cell.snapshot_bytes) {
                (SnapshotState::Live { .. }, Some(b)) => human_bytes(b),
                _ => "-".into(),
            };
            let branch = match self.timeline.branched_from(cell.number) {
                Some(0) => "  (from start)".to_owned(),
                Some(parent) => format!("  (from {parent})"),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "{marker}{:>4}  {:<11} {:>9}  {:<9} {:>9}  {:<5}  {}{}",
                cell.number,
                cell.status.label(),
                time,
                cell.snapshot.label(),
                memory,
                if cell.persisted.is_some() {
                    "disk"
                } else {
                    "-"
                },
                truncate(cell.first_line(), 48),
                branch
            );
        }
        let _ = write!(
            out,
            "current: {}   snapshots: {} of {}{}",
            if self.current == 0 {
                "start".to_string()
            } else {
                format!("cell {}", self.current)
            },
            human_bytes(self.snapshot_bytes()),
            human_bytes(self.settings.snapshot_budget),
            if !self.hooked {
                "   (unhooked)"
            } else if !self.snapshotting {
                "   (snapshots off)"
            } else {
                ""
            }
        );
        out
    }

    /// The variables now, or as of cell `at`, or why there are none to show.
    pub(super) fn vars_at(&self, at: Option<u32>) -> Result<&[VarInfo], String> {
        match at {
            None => Ok(&self.current_vars),
            Some(n) => {
                let cell = self
                    .timeline
                    .get(n)
                    .ok_or_else(|| format!(":vars {n}: no such cell"))?;
                if !cell.status.has_state() {
                    return Err(format!(
                        ":vars {n}: the cell did not run to the end, so it has no variables"
                    ));
                }
                Ok(&cell.vars)
            }
        }
    }

    /// `:vars [N]` without values (the panel's Enter shows it at once).
    pub fn vars_table(&self, at: Option<u32>) -> Result<String, String> {
        self.vars_table_with(at, None)
    }

    /// `:vars [N]`; with `values`, a column of previews (or a line saying why there are
    /// none).
    pub fn vars_table_with(
        &self,
        at: Option<u32>,
        values: Option<&Result<Vec<(String, ValuePreview)>, String>>,
    ) -> Result<String, String> {
        let vars = self.vars_at(at)?;
        let anchor = at.unwrap_or(self.current);
        if vars.is_empty() {
            return Ok(match at {
                None => "no variables".to_owned(),
                Some(n) => format!("no variables after cell {n}"),
            });
        }
        let mut sorted: Vec<&VarInfo> = vars.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        let width = sorted
            .iter()
            .map(|v| v.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let previews = match values {
            Some(Ok(previews)) => Some(previews),
            _ => None,
        };
        let mut out = String::new();
        if previews.is_some() {
            let _ = writeln!(
                out,
                "{:<width$}  {:<32} {:<12} value",
                "name", "type", "last changed"
            );
        } else {
            let _ = writeln!(out, "{:<width$}  {:<32} last changed", "name", "type");
        }
        // How values that are not on disk would come back on resume.
        let replay = self.replay_plan_at(anchor);
        let stale = self.stale_values(at);
        for var in sorted {
            let touched = self
                .timeline
                .last_touched(anchor, &var.name)
                .map(|c| format!("cell {c}"))
                .unwrap_or_else(|| "-".into());
            // What the archive says of it, when the cell was saved.
            let saved = self
                .timeline
                .get(anchor)
                .and_then(|c| c.persisted.as_ref())
                .and_then(|vars| vars.iter().find(|s| s.name == var.name));
            let note = if self.dontsave.contains(&var.name) {
                "   (dontsave: not brought back by :past)".to_owned()
            } else {
                match saved {
                    Some(s) if s.object.is_some() => "   (on disk)".to_owned(),
                    Some(s) => {
                        let how = replay
                            .as_ref()
                            .and_then(|p| p.comes_back(&var.name))
                            .map(|how| format!("; {how}"))
                            .unwrap_or_default();
                        format!(
                            "   (not on disk: {}{how})",
                            s.not_saved
                                .as_ref()
                                .map_or("not saved".to_owned(), ToString::to_string)
                        )
                    }
                    None => String::new(),
                }
            };
            // Made with a definition a later cell replaced: it would come out otherwise now.
            let note = match stale.get(&var.name) {
                Some(why) => format!("   (stale: {why}){note}"),
                None => note,
            };
            match previews {
                Some(previews) => {
                    let value = previews
                        .iter()
                        .find(|(n, _)| *n == var.name)
                        .map(|(_, p)| dispatch::one_line(p, dispatch::PREVIEW_WIDTH))
                        .unwrap_or_else(|| "-".into());
                    let _ = writeln!(
                        out,
                        "{:<width$}  {:<32} {touched:<12} {value}{note}",
                        var.name, var.type_name
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "{:<width$}  {:<32} {touched}{note}",
                        var.name, var.type_name
                    );
                }
            }
        }
        if let Some(Err(why)) = values {
            let _ = writeln!(out, "({why})");
        }
        Ok(out.trim_end().to_owned())
    }

    pub fn jobs_table(&self, now: std::time::Instant) -> String {
        let jobs: Vec<_> = self.timeline.jobs().collect();
        if jobs.is_empty() {
            return "no jobs; a cell that starts with & runs in the background".to_owned();
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5}  {:<10} {:>9} {:>10}  source",
            "job", "state", "time", "peak mem"
        );
        for cell in jobs {
            let job = cell.job.as_ref();
            let state = match &cell.status {
                CellStatus::Ok => "finished",
                CellStatus::Panic | CellStatus::Crashed(_) | CellStatus::Error(_) => "failed",
                CellStatus::CompileError => "error",
                other => other.label(),
            };
            let time = match (&cell.status, job.and_then(|j| j.started)) {
                (CellStatus::Running, Some(started)) => {
                    format_duration(now.saturating_duration_since(started))
                }
                _ => cell
                    .duration
                    .map(format_duration)
                    .unwrap_or_else(|| "-".into()),
            };
            let peak = job
                .and_then(|j| j.peak_bytes)
                .map(human_bytes)
                .unwrap_or_else(|| "-".into());
            let failure = job
                .and_then(|j| j.failure.as_deref())
                .map(|f| format!("  ({f})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:>5}  {:<10} {:>9} {:>10}  {}{}",
                cell.number,
                state,
                time,
                peak,
                truncate(cell.first_line(), 44),
                failure
            );
        }
        out.trim_end().to_owned()
    }

    pub fn memory_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{:>5}  {:>10}", "cell", "private");
        for cell in self.timeline.live_snapshots() {
            let bytes = cell
                .snapshot_bytes
                .map(human_bytes)
                .unwrap_or_else(|| "?".into());
            let _ = writeln!(out, "{:>5}  {:>10}", cell.number, bytes);
        }
        let _ = write!(
            out,
            "snapshots: {} of {} budget; active worker: {}",
            human_bytes(self.snapshot_bytes()),
            human_bytes(self.settings.snapshot_budget),
            human_bytes(self.worker_bytes)
        );
        out
    }
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn format_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
