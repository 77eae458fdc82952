//! Sweeps: `&[n in 1..=8] CODE` runs one background job per value, each a cell of its own
//! whose code is `let n = VALUE;` and then CODE, so each has its own number, log and
//! snapshot (`:past`, `:vars`, `:take` work on any of them). The values are a range of
//! integers (`a..b`, `a..=b`, with a suffix such as `1u64..5u64`) or a list of literals
//! of one kind (`1, 2, 5`, `[0.5, 1.0]`, `"a", "b"`, `'x', 'y'`, `true, false`);
//! `&[n: u64 in …]` gives the binding a type. Jobs are launched one after the other (each
//! is compiled in the foreground, as any `&` cell); the supervisor's queue runs at most
//! the job limit at once. A sweep whose first job does not compile stops there. A sweep
//! is named by its first cell; when its last job ends it is told once (one desktop
//! notification with how many ended well), not once per job. `:sweep N` shows its table:
//! each job's value, state, time, and the values of the variables its code binds with
//! `let` (or, binding none, those it names), read from each job's snapshot.

use super::*;
use crate::lexer::Kind;

#[path = "sweep_parse.rs"]
mod parse;
#[cfg(test)]
use parse::sweep_values;
pub(super) use parse::{SweepSpec, job_source, parse_sweep};

/// One reading to make: the values of these names as of this job, or why there are none.
type Reading = Result<(Option<u32>, Vec<String>), String>;

/// A sweep of the session: the jobs launched so far, and what is left.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sweep {
    /// The first line as typed.
    pub text: String,
    pub spec: SweepSpec,
    /// Its jobs, in the order of `spec.values`.
    pub cells: Vec<u32>,
    /// Why the rest were not launched.
    pub stopped: Option<String>,
    /// Its end was told.
    pub told: bool,
}

impl Sweep {
    fn launched_all(&self) -> bool {
        self.stopped.is_some() || self.cells.len() == self.spec.values.len()
    }

    /// The number it goes by: its first cell.
    fn number(&self) -> u32 {
        self.cells.first().copied().unwrap_or(0)
    }
}

/// The names `code` binds with `let NAME` or `let mut NAME` at any depth.
fn let_bound(code: &str) -> Vec<String> {
    let tokens: Vec<_> = crate::lexer::tokens(code)
        .into_iter()
        .filter(|t| !matches!(t.kind, Kind::Whitespace | Kind::Comment { .. }))
        .collect();
    let mut names = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == Kind::Ident && t.text == "let" {
            let mut next = tokens.get(i + 1);
            if next.is_some_and(|n| n.text == "mut") {
                next = tokens.get(i + 2);
            }
            if let Some(n) = next.filter(|n| n.kind == Kind::Ident)
                && !names.iter().any(|known| known == n.text)
            {
                names.push(n.text.to_owned());
            }
        }
    }
    names
}

impl Session {
    /// `&[n in …] CODE` typed: the sweep starts with its first job.
    pub(super) fn start_sweep(&mut self, input: &str, spec: SweepSpec) -> Vec<Effect> {
        // Checked once, before any job: the leading lines are every job's.
        if let Err(error) = cell_parts(&spec.code) {
            return vec![Effect::Show(Notice::error(error))];
        }
        self.sweeps.push(Sweep {
            text: input.lines().next().unwrap_or("").trim().to_owned(),
            spec,
            cells: Vec::new(),
            stopped: None,
            told: false,
        });
        self.launch_next(self.sweeps.len() - 1)
    }

    /// The next job of sweep `index` becomes a cell and is launched.
    fn launch_next(&mut self, index: usize) -> Vec<Effect> {
        let Some(sweep) = self.sweeps.get(index) else {
            return Vec::new();
        };
        let Some(value) = sweep.spec.values.get(sweep.cells.len()) else {
            return Vec::new();
        };
        let source = job_source(&sweep.spec, value);
        let body = source.strip_prefix('&').unwrap_or(&source);
        let (prelude, code) = match cell_parts(body) {
            Ok(parts) => parts,
            Err(error) => return vec![Effect::Show(Notice::error(error))],
        };
        let cell = self.timeline.push(source.clone(), self.current);
        if let Some(c) = self.timeline.get_mut(cell) {
            c.job = Some(JobInfo {
                started: None,
                peak_bytes: None,
                failure: None,
            });
        }
        if let Some(sweep) = self.sweeps.get_mut(index) {
            sweep.cells.push(cell);
        }
        self.running = Some(cell);
        vec![Effect::Engine(Request::Eval {
            cell,
            prelude,
            code,
            snapshot: true,
            background: true,
        })]
    }

    /// The sweep cell `cell` belongs to, by index.
    pub(super) fn sweep_of(&self, cell: u32) -> Option<usize> {
        self.sweeps.iter().position(|s| s.cells.contains(&cell))
    }

    /// The sweep (by its first cell) and the value of sweep job `cell`, for front ends.
    pub fn sweep_job(&self, cell: u32) -> Option<(u32, &str)> {
        let sweep = &self.sweeps[self.sweep_of(cell)?];
        let at = sweep.cells.iter().position(|c| *c == cell)?;
        Some((sweep.number(), sweep.spec.values.get(at)?.as_str()))
    }

    /// Job `cell` was launched (its `CellFinished` was handled): launch the next one of
    /// its sweep, unless the first did not even compile.
    pub(super) fn sweep_launched(&mut self, cell: u32) -> Vec<Effect> {
        let Some(index) = self.sweep_of(cell) else {
            return Vec::new();
        };
        let sweep = &self.sweeps[index];
        if sweep.cells.last() != Some(&cell) || sweep.launched_all() {
            return self.sweep_ended(index);
        }
        let status = self.timeline.get(cell).map(|c| c.status.clone());
        if sweep.cells.len() == 1
            && matches!(
                status,
                Some(CellStatus::CompileError | CellStatus::Error(_))
            )
        {
            let why = format!(
                "sweep {cell} stopped: its first job (cell {cell}) did not compile, so no other was started"
            );
            self.sweeps[index].stopped = Some(why.clone());
            self.sweeps[index].told = true;
            return vec![Effect::Show(Notice::error(why))];
        }
        self.launch_next(index)
    }

    /// A job of a sweep ended: once every one has, the sweep's end is told once.
    pub(super) fn sweep_ended(&mut self, index: usize) -> Vec<Effect> {
        let Some(sweep) = self.sweeps.get(index) else {
            return Vec::new();
        };
        if sweep.told || !sweep.launched_all() {
            return Vec::new();
        }
        let jobs: Vec<&crate::timeline::Cell> = sweep
            .cells
            .iter()
            .filter_map(|n| self.timeline.get(*n))
            .collect();
        if jobs
            .iter()
            .any(|c| matches!(c.status, CellStatus::Running | CellStatus::Queued))
        {
            return Vec::new();
        }
        let ok = jobs.iter().filter(|c| c.status == CellStatus::Ok).count();
        let failed = jobs.len() - ok;
        let number = sweep.number();
        let span = sweep_span(&jobs);
        let counts = format!("{ok} ok, {failed} failed");
        let summary = format!("tmrepl: sweep {number} ended ({counts})");
        let body = format!(
            "{}\n{} — :sweep {number}",
            sweep.text,
            format_duration(span)
        );
        let said = format!(
            "sweep {number} ended after {}: {} jobs, {counts}; :sweep {number} shows their values",
            format_duration(span),
            jobs.len()
        );
        self.sweeps[index].told = true;
        let mut effects = vec![Effect::Show(Notice::info(said))];
        if self.settings.notify != NotifyMode::Off && span >= self.settings.notify_after {
            effects.push(Effect::Notify {
                mode: self.settings.notify,
                summary,
                body,
            });
        }
        effects
    }

    /// `:sweep [N]`: the table of the sweep cell N belongs to (the last sweep's when None),
    /// with values read from each job's snapshot.
    pub(super) fn sweep_command(&mut self, at: Option<u32>) -> Vec<Effect> {
        let found = match at {
            None => self
                .sweeps
                .iter()
                .rposition(|s| !s.cells.is_empty())
                .ok_or_else(|| "no sweeps yet; &[n in 1..=8] CODE starts one".to_owned()),
            Some(n) => self
                .sweep_of(n)
                .ok_or_else(|| format!(":sweep {n}: cell {n} is not a job of a sweep")),
        };
        let index = match found {
            Ok(index) => index,
            Err(e) => return vec![Effect::Show(Notice::error(e))],
        };
        // One reading per job, in order; a job without state has none to read.
        let readings: Vec<Reading> = self.sweeps[index]
            .cells
            .iter()
            .map(|&cell| match self.timeline.get(cell) {
                Some(job) if job.status.has_state() && job.snapshot.is_live() => {
                    let names = self.sweep_columns(index, job);
                    if names.is_empty() {
                        Err(String::new())
                    } else {
                        Ok((Some(cell), names))
                    }
                }
                _ => Err(String::new()),
            })
            .collect();
        self.read_for_sweep(index, readings)
    }

    /// Asks each job for its values; the table is shown once every answer is in.
    fn read_for_sweep(&mut self, index: usize, readings: Vec<Reading>) -> Vec<Effect> {
        let read: Vec<Option<Previews>> = readings
            .iter()
            .map(|r| r.as_ref().err().map(|why| Err(why.clone())))
            .collect();
        if read.iter().all(Option::is_some) {
            let read: Vec<Previews> = read.into_iter().flatten().collect();
            return vec![Effect::Show(Notice::info(self.sweep_table(index, &read)))];
        }
        self.next_sweep_read += 1;
        let table = self.next_sweep_read;
        self.sweep_reads.insert(table, (index, read));
        readings
            .into_iter()
            .enumerate()
            .filter_map(|(at, reading)| Some((at, reading.ok()?)))
            .map(|(at, (cell, names))| {
                let purpose = PeekFor::SweepRow { table, at };
                self.peek(purpose, Asker::Transcript, cell, names, false)
            })
            .collect()
    }

    /// Job `at`'s values for the table waiting as `table` are in.
    pub(super) fn sweep_row_read(
        &mut self,
        table: u64,
        at: usize,
        result: Previews,
    ) -> Vec<Effect> {
        let Some((_, read)) = self.sweep_reads.get_mut(&table) else {
            return Vec::new();
        };
        if let Some(slot) = read.get_mut(at) {
            *slot = Some(result);
        }
        if read.iter().any(Option::is_none) {
            return Vec::new();
        }
        match self.sweep_reads.remove(&table) {
            Some((index, read)) => {
                let read: Vec<Previews> = read.into_iter().flatten().collect();
                vec![Effect::Show(Notice::info(self.sweep_table(index, &read)))]
            }
            None => Vec::new(),
        }
    }

    /// The variables of `job` its table shows: those its code binds with `let` (other
    /// than the parameter), or, binding none, those it names.
    fn sweep_columns(&self, index: usize, job: &crate::timeline::Cell) -> Vec<String> {
        let spec = &self.sweeps[index].spec;
        let rust = input::split_cell(&spec.code).rust;
        let has = |name: &String| *name != spec.name && job.vars.iter().any(|v| &v.name == name);
        let mut names: Vec<String> = let_bound(rust).into_iter().filter(|n| has(n)).collect();
        if names.is_empty() {
            names = job
                .vars
                .iter()
                .map(|v| v.name.clone())
                .filter(|n| has(n) && crate::timeline::names_variable(rust, n))
                .collect();
        }
        names
    }

    /// The table of sweep `index`, with each job's reading (`read`, in the order of its
    /// cells; an error: nothing was read).
    pub(super) fn sweep_table(&self, index: usize, read: &[Previews]) -> String {
        let Some(sweep) = self.sweeps.get(index) else {
            return "no such sweep".to_owned();
        };
        let jobs: Vec<&crate::timeline::Cell> = sweep
            .cells
            .iter()
            .filter_map(|n| self.timeline.get(*n))
            .collect();
        let mut columns: Vec<String> = Vec::new();
        for job in &jobs {
            for name in self.sweep_columns(index, job) {
                if !columns.contains(&name) {
                    columns.push(name);
                }
            }
        }
        let mut rows: Vec<Vec<String>> = vec![
            ["job", sweep.spec.name.as_str(), "state", "time"]
                .iter()
                .map(|s| (*s).to_owned())
                .chain(columns.iter().cloned())
                .collect(),
        ];
        let ok = jobs.iter().filter(|c| c.status == CellStatus::Ok).count();
        for (at, (job, value)) in jobs.iter().zip(&sweep.spec.values).enumerate() {
            let state = match &job.status {
                CellStatus::Ok => "finished".to_owned(),
                CellStatus::Panic => "panicked".to_owned(),
                other => other.label().to_owned(),
            };
            let time = job
                .duration
                .map(format_duration)
                .unwrap_or_else(|| "-".into());
            let mut row = vec![job.number.to_string(), value.clone(), state, time];
            for name in &columns {
                let preview = match read.get(at) {
                    Some(Ok(previews)) => previews
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, p)| dispatch::one_line(p, 30)),
                    Some(Err(e)) if !e.is_empty() => Some(format!("<{}>", tables::truncate(e, 30))),
                    _ => None,
                };
                row.push(preview.unwrap_or_else(|| "-".into()));
            }
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = format!(
            "sweep {} ({}): {} of {} jobs, {ok} ok\n",
            sweep.number(),
            sweep.text,
            jobs.len(),
            sweep.spec.values.len()
        );
        for row in &rows {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, width))| {
                    // Numbers right, text left.
                    if i == 0 {
                        format!("{cell:>width$}")
                    } else {
                        format!("{cell:<width$}")
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
        }
        if let Some(why) = &sweep.stopped {
            let _ = writeln!(out, "({why})");
        }
        out.push_str(":take JOB brings a job's variables here; :past JOB goes to its state");
        out
    }
}

/// From the first job's start to the last one's end (the longest job when none started).
fn sweep_span(jobs: &[&crate::timeline::Cell]) -> Duration {
    let started: Vec<(std::time::Instant, Duration)> = jobs
        .iter()
        .filter_map(|c| Some((c.job.as_ref()?.started?, c.duration.unwrap_or_default())))
        .collect();
    let first = started.iter().map(|(at, _)| *at).min();
    let last = started.iter().map(|(at, d)| *at + *d).max();
    match (first, last) {
        (Some(first), Some(last)) => last.saturating_duration_since(first),
        _ => jobs
            .iter()
            .filter_map(|c| c.duration)
            .max()
            .unwrap_or_default(),
    }
}

#[cfg(test)]
#[path = "sweep_tests.rs"]
mod tests;
