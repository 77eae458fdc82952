//! Thinning: a long session keeps a bounded number of snapshots (every one of the last
//! `RECENT_SNAPSHOTS` cells, older ones ever sparser), and a thinned cell reached by
//! `:past` is rebuilt from the nearest kept snapshot on its branch by running the cells in
//! between again, unless one of them acts outside the session.

use super::*;
use crate::timeline::choose_evictions;

/// Cells whose snapshots thinning never drops: the newest ones.
pub const RECENT_SNAPSHOTS: u32 = 32;

impl Session {
    pub(super) fn is_thinned(&self, cell: u32) -> bool {
        self.timeline
            .get(cell)
            .is_some_and(|c| c.snapshot == SnapshotState::Thinned)
    }

    /// Snapshots to drop so that at most `snapshot_count` stay: never the current one, a
    /// job's, or one of the newest `RECENT_SNAPSHOTS` cells (two thirds of the limit if
    /// that is fewer); of the older ones, those in dense stretches go first (as memory
    /// eviction chooses).
    pub(super) fn thin(&mut self) -> Vec<Effect> {
        self.thin_to(self.settings.snapshot_count as usize)
    }

    /// A snapshot could not be taken (the system's process limit, or memory): the cell
    /// ran; said once a session (`:cells` shows each cell without one); older snapshots are thinned to a quarter less
    /// so the next cell's fork can succeed.
    pub(super) fn snapshot_failed(&mut self, cell: u32, error: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.snapshots_failing.is_none() {
            self.snapshots_failing = Some(true);
            effects.push(Effect::Show(Notice::warning(format!(
                "no snapshot of cell {cell}: {error}; the cell ran and earlier snapshots are \
                 intact; older snapshots are thinned, and later cells are snapshotted again \
                 as soon as the system allows"
            ))));
        }
        let live = self
            .timeline
            .live_snapshots()
            .filter(|c| c.job.is_none())
            .count();
        effects.extend(self.thin_to(live - live / 4));
        effects
    }

    fn thin_to(&mut self, limit: usize) -> Vec<Effect> {
        if limit == 0 {
            return Vec::new();
        }
        let live: Vec<u32> = self
            .timeline
            .live_snapshots()
            .filter(|c| c.job.is_none())
            .map(|c| c.number)
            .collect();
        if live.len() <= limit {
            return Vec::new();
        }
        let newest = live.iter().copied().max().unwrap_or(0);
        // A third of the room goes to older cells (a small limit still holds).
        let recent = RECENT_SNAPSHOTS.min((limit - limit / 3) as u32);
        let old: BTreeMap<u32, u64> = live
            .iter()
            .filter(|n| **n + recent <= newest && **n != self.current)
            .map(|n| (*n, 1))
            .collect();
        let kept_anyway = live.len() - old.len();
        let room = limit.saturating_sub(kept_anyway) as u64;
        let victims = choose_evictions(&old, self.current, room);
        if victims.is_empty() {
            return Vec::new();
        }
        for n in &victims {
            if let Some(c) = self.timeline.get_mut(*n) {
                c.snapshot = SnapshotState::Thinned;
            }
        }
        vec![Effect::Engine(Request::ThinSnapshots { cells: victims })]
    }

    /// The replay that rebuilds thinned cell `cell`: from the nearest ancestor with a
    /// snapshot (the empty session at worst), the cells on its branch after it; or why
    /// not.
    pub(super) fn rebuild(&self, cell: u32) -> Result<Request, String> {
        let mut base = 0;
        let mut path = Vec::new();
        for n in self.timeline.ancestry(cell) {
            let Some(c) = self.timeline.get(n) else {
                break;
            };
            if n != cell && matches!(c.snapshot, SnapshotState::Live { .. }) {
                base = n;
                break;
            }
            path.push(c);
        }
        path.reverse();
        let mut steps = Vec::new();
        for c in path {
            let effects = replay::outside_effects(&c.source);
            if !effects.is_empty() && !self.settings.replay_effects {
                return Err(format!(
                    "its snapshot was thinned out, and rebuilding it would replay cell {} \
                     ({}); nothing changed (--replay-effects allows it)",
                    c.number,
                    effects.join(", ")
                ));
            }
            let body = c.source.trim_start();
            let body = body.strip_prefix('&').unwrap_or(body);
            let (prelude, code) = cell_parts(body)?;
            steps.push(RebuildStep {
                cell: c.number,
                prelude,
                code,
            });
        }
        Ok(Request::Rebuild {
            cell,
            base,
            steps,
            back_to: self.current,
            forget: self.dontsave.iter().cloned().collect(),
        })
    }

    pub(super) fn rebuilt(
        &mut self,
        cell: u32,
        base: u32,
        replayed: &[u32],
        elapsed: Duration,
        vars: Vec<VarInfo>,
        log: Option<String>,
    ) -> Vec<Effect> {
        self.end_asides();
        self.current = cell;
        self.current_vars = vars;
        if let Some(c) = self.timeline.get_mut(cell) {
            c.snapshot = SnapshotState::Live { degraded: None };
        }
        let from = if base == 0 {
            "the empty session".to_owned()
        } else {
            format!("cell {base}'s snapshot")
        };
        let mut text = format!(
            "restored to cell {cell}, rebuilt from {from} by replaying {} ({:.1} ms)",
            replay::cells_list(replayed),
            elapsed.as_secs_f64() * 1e3
        );
        if let Some(log) = log {
            text.push_str(&format!("; their output is in {log}"));
        }
        text.push_str(&format!("; the next cell is {}", self.next_cell()));
        let mut effects = vec![Effect::Show(Notice::info(text))];
        effects.extend(self.thin());
        effects
    }
}
