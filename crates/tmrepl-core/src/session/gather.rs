//! Answers that need values read from several snapshots (`:diff A B` reads two, `:trace
//! NAME` one per cell): each reading is a `Request::Peek` of its own, and the answer is
//! made when the last of them is in, whatever order they come in.

use super::*;

/// What the readings are gathered for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum GatherFor {
    Diff { from: u32, to: Option<u32> },
    Trace { name: String },
}

/// One reading to make: the values of `names` as of snapshot `source` (None: the
/// running worker), or why it cannot be made.
pub(super) type Reading = Result<(Option<u32>, Vec<String>), String>;

/// Readings on their way, kept under an id of their own (`PeekFor::Gathered`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Gathering {
    purpose: GatherFor,
    /// One per reading asked for, in order; None until it is in.
    read: Vec<Option<Previews>>,
}

impl Session {
    /// Asks for every reading of `readings` and answers `asker` with `purpose`'s text
    /// once all are in (at once when none can be made).
    pub(super) fn gather(
        &mut self,
        purpose: GatherFor,
        asker: Asker,
        readings: Vec<Reading>,
    ) -> Vec<Effect> {
        let read: Vec<Option<Previews>> = readings
            .iter()
            .map(|r| r.as_ref().err().map(|why| Err(why.clone())))
            .collect();
        if read.iter().all(Option::is_some) {
            let read = read.into_iter().flatten().collect();
            return vec![asker.answer(self.gathered(&purpose, read))];
        }
        let of = self.expect_answer(
            PeekFor::Gathered(Box::new(Gathering { purpose, read })),
            asker,
        );
        readings
            .into_iter()
            .enumerate()
            .filter_map(|(index, reading)| reading.ok().map(|r| (index, r)))
            .map(|(index, (source, names))| {
                let part = PeekFor::Part { of, index };
                self.peek(part, Asker::Transcript, source, names, false)
            })
            .collect()
    }

    /// Reading `index` of the gathering under `of` is in; the answer, when it was the last.
    pub(super) fn part_read(&mut self, of: AskId, index: usize, result: Previews) -> Vec<Effect> {
        let Some(Pending {
            purpose: PeekFor::Gathered(gathering),
            ..
        }) = self.peeks.get_mut(&of)
        else {
            return Vec::new();
        };
        if let Some(slot) = gathering.read.get_mut(index) {
            *slot = Some(result);
        }
        if gathering.read.iter().any(Option::is_none) {
            return Vec::new();
        }
        let Some(Pending {
            purpose: PeekFor::Gathered(gathering),
            asker,
        }) = self.peeks.remove(&of)
        else {
            return Vec::new();
        };
        let read = gathering.read.into_iter().flatten().collect();
        vec![asker.answer(self.gathered(&gathering.purpose, read))]
    }

    /// The text a gathering answers with, from its readings in the order asked.
    fn gathered(&self, purpose: &GatherFor, read: Vec<Previews>) -> Result<String, String> {
        match purpose {
            GatherFor::Diff { from, to } => match read.as_slice() {
                [old, new] => self.diff_text(*from, *to, Some((old, new))),
                _ => self.diff_text(*from, *to, None),
            },
            GatherFor::Trace { name } => self.trace_text(name, Some(&read)),
        }
    }
}
