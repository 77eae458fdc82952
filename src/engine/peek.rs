//! Previews of values for `:vars`: formatted in hidden jobs forked from a snapshot (or
//! the worker), so that only bounded text reaches this process and a `Debug` that never
//! returns is stopped; for another saved session's stored values, in a job forked from
//! the empty session.

use super::Engine;
use super::saved::{load, verified};
use crate::archive::SavedVar;
use crate::archive::persist;
use crate::runtime::protocol::{BASELINE_SNAPSHOT, HostRequest};
use crate::session::SavedPeek;
use crate::timeline::ValuePreview;
use anyhow::{Result, anyhow};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long formatting previews may take before the job is killed (a `Debug` that never
/// returns must not hold up the session).
const PEEK_TIMEOUT: Duration = Duration::from_secs(2);
/// Bytes of each value's `Debug` text formatted for a one-line preview, and for `:vars N
/// NAME`, which shows one value whole.
const PEEK_LINE_LIMIT: usize = 240;
const PEEK_FULL_LIMIT: usize = 1 << 20;

impl Engine {
    /// Previews of `names` as of snapshot `from` (the worker when None), formatted in a
    /// hidden job so that only the (bounded) text reaches this process. A value whose
    /// formatting does not end in time is `TimedOut` and the job is killed.
    pub(super) fn peek(
        &mut self,
        names: &[String],
        from: Option<u32>,
        full: bool,
    ) -> Result<Vec<(String, ValuePreview)>> {
        let report = self
            .link
            .save_job_log(self.next_hidden)
            .with_extension("peek");
        let _ = std::fs::remove_file(&report);
        let limit = if full {
            PEEK_FULL_LIMIT
        } else {
            PEEK_LINE_LIMIT
        };
        let code = format!("{};", persist::peek_code(names, &report, limit, full));
        let (id, log) = self.start_hidden_job(&code, from, "preview")?;
        let (mut entries, finished, deadline) = self.await_peek(id, &report);
        // The job's check of a value whose type was rebuilt says so, in evcxr's words.
        let said = std::fs::read_to_string(&log).unwrap_or_default();
        let lost =
            |name: &str| said.contains(&format!("The type of the variable {name} was redefined"));
        let _ = std::fs::remove_file(&log);
        let lost_names: Vec<&String> = names.iter().filter(|n| lost(n)).collect();
        if !finished && !lost_names.is_empty() && lost_names.len() < names.len() {
            // The lost value stopped the job before the others: preview them without it.
            let others: Vec<String> = names
                .iter()
                .filter(|n| !lost(n) && !entries.iter().any(|(e, _)| e == *n))
                .cloned()
                .collect();
            if !others.is_empty() {
                entries.extend(self.peek(&others, from, full)?);
            }
        }
        if !finished {
            // The value being formatted when time ran out, and any after it.
            let timed_out = Instant::now() > deadline;
            for name in names {
                if !entries.iter().any(|(n, _)| n == name) {
                    let preview = if timed_out {
                        ValuePreview::TimedOut
                    } else if lost(name) {
                        ValuePreview::Lost
                    } else {
                        ValuePreview::Panicked("the preview job ended early".into())
                    };
                    entries.push((name.clone(), preview));
                }
            }
        }
        Ok(entries)
    }

    /// Reads preview job `id`'s report until it is finished, the job ended or
    /// `PEEK_TIMEOUT` passed (then the job is stopped): the entries complete, whether it
    /// finished, and the deadline. The report is removed.
    pub(super) fn await_peek(
        &mut self,
        id: u32,
        report: &Path,
    ) -> (Vec<(String, ValuePreview)>, bool, Instant) {
        let deadline = Instant::now() + PEEK_TIMEOUT;
        let mut ended_seen = false;
        let (entries, finished) = loop {
            let text = std::fs::read_to_string(report).unwrap_or_default();
            let (entries, finished) = persist::read_peek_report(&text);
            // Read once more after seeing the end, so a report finished just before counts.
            if finished || ended_seen {
                break (entries, finished);
            }
            if Instant::now() > deadline {
                let _ = self.link.request(&HostRequest::StopHidden { job: id });
                break (entries, false);
            }
            ended_seen = self.hidden_ended.lock().is_ok_and(|set| set.contains(&id));
            std::thread::sleep(Duration::from_millis(2));
        };
        if let Ok(mut set) = self.hidden_ended.lock() {
            set.remove(&id);
        }
        let _ = std::fs::remove_file(report);
        (entries, finished, deadline)
    }

    /// `:vars NAME@N`: previews of a saved session's stored values, loaded and formatted in
    /// a hidden job forked from the empty session (with that session's dependencies and
    /// the definitions the values' types need), so nothing here changes.
    pub(super) fn peek_saved(&mut self, peek: &SavedPeek) -> Result<Vec<(String, ValuePreview)>> {
        let values: Vec<&SavedVar> = peek.values.iter().collect();
        let loads = verified(&peek.dir, &values)?;
        let mut state = self
            .states
            .get(&BASELINE_SNAPSHOT)
            .map(|saved| saved.state.clone())
            .ok_or_else(|| anyhow!("no state of the empty session"))?;
        for (name, spec) in &peek.deps {
            state
                .add_dep(name, spec)
                .map_err(|e| anyhow!("adding the dependency {name}: {e}"))?;
        }
        let report = self
            .link
            .save_job_log(self.next_hidden)
            .with_extension("peek");
        let _ = std::fs::remove_file(&report);
        let names: Vec<String> = peek.values.iter().map(|v| v.name.clone()).collect();
        let limit = if peek.full {
            PEEK_FULL_LIMIT
        } else {
            PEEK_LINE_LIMIT
        };
        let code = format!(
            "{}\n{{\n{}{};\n}}",
            peek.definitions.join("\n"),
            load(&loads),
            persist::peek_code(&names, &report, limit, peek.full)
        );
        let (id, log) =
            self.start_hidden_job_in(&code, Some(BASELINE_SNAPSHOT), state, "preview")?;
        let (mut entries, _, _) = self.await_peek(id, &report);
        let said = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        for name in names {
            if !entries.iter().any(|(n, _)| *n == name) {
                let last = said
                    .lines()
                    .rfind(|l| !l.starts_with("EVCXR_") && !l.trim().is_empty())
                    .unwrap_or("the preview job ended early");
                entries.push((name, ValuePreview::Panicked(last.to_owned())));
            }
        }
        Ok(entries)
    }
}
