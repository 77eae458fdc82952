//! Comparing the variables of two states, which the rewind preview (now against a past
//! cell) and `:diff A B` (any two cells, on any branches) share: which names differ, and
//! one line per difference, with the values' previews once the engine has read them.

use super::debug_text::first_difference;
use super::*;

/// How wide a value's preview is in tables and the rewind preview, in characters.
pub(super) const PREVIEW_WIDTH: usize = 60;

/// One variable that differs between two states, with its type in each (None: absent).
/// The rewind preview compares now (`now`) with its target (`then`); `:diff A B` compares
/// A (`now`) with B (`then`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Change {
    pub name: String,
    pub now: Option<String>,
    pub then: Option<String>,
}

/// One side of a comparison: a state's variables and the cell it is the state after.
#[derive(Debug, Clone, Copy)]
pub(super) struct Side<'a> {
    pub vars: &'a [VarInfo],
    pub cell: u32,
}

/// How the lines of a comparison read.
pub(super) struct Wording<'a> {
    /// Names the `then` side where no value is known: "after cell 5", "now".
    pub then: &'a str,
    /// After a changed collection's values, where they first differ.
    pub first_difference: bool,
}

impl Session {
    /// What `:past cell` would change: variables added, removed and changed, or why it
    /// cannot be done.
    pub fn rewind_preview(&self, cell: u32) -> Result<String, String> {
        self.rewind_preview_with(cell, None)
    }

    /// The variables that differ between now and cell `cell`.
    pub(super) fn rewind_changes(&self, cell: u32) -> Vec<Change> {
        let then = self
            .timeline
            .get(cell)
            .map(|c| c.vars.as_slice())
            .unwrap_or(&[]);
        self.var_changes(
            Side {
                vars: &self.current_vars,
                cell: self.current,
            },
            Side { vars: then, cell },
        )
    }

    /// The variables that differ between two states, by name: only in `then`, only in
    /// `now`, or in both with another type or a value last set by another cell.
    pub(super) fn var_changes(&self, now: Side, then: Side) -> Vec<Change> {
        let mut changes = Vec::new();
        for var in then.vars {
            let before = now.vars.iter().find(|v| v.name == var.name);
            let differs = match before {
                None => true,
                Some(before) if before.type_name != var.type_name => true,
                Some(_) => {
                    self.timeline.last_touched(now.cell, &var.name)
                        != self.timeline.last_touched(then.cell, &var.name)
                }
            };
            if differs {
                changes.push(Change {
                    name: var.name.clone(),
                    now: before.map(|v| v.type_name.clone()),
                    then: Some(var.type_name.clone()),
                });
            }
        }
        for var in now.vars {
            if !then.vars.iter().any(|v| v.name == var.name) {
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
        let wording = Wording {
            then: &format!("after cell {cell}"),
            first_difference: false,
        };
        lines.extend(change_lines(&self.rewind_changes(cell), values, &wording));
        lines.extend(missing_values(values, ("now", "then")));
        if lines.is_empty() {
            lines.push("no variable changes".into());
        }
        Ok(lines.join("\n"))
    }
}

/// One line per change: `+ name: type = value` (only then), `- …` (only now), `~ name:
/// now → then` (both), `= …` when the values turn out the same; without values, types.
pub(super) fn change_lines(
    changes: &[Change],
    values: Option<(&Previews, &Previews)>,
    wording: &Wording,
) -> Vec<String> {
    let (now_values, then_values) = match values {
        Some((now, then)) => (Some(now), Some(then)),
        None => (None, None),
    };
    let found = |previews: Option<&Previews>, name: &str| -> Option<ValuePreview> {
        let previews = previews?.as_ref().ok()?;
        previews
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
    };
    let lookup = |previews, name: &str| found(previews, name).map(|p| one_line(&p, PREVIEW_WIDTH));
    // Only the same whole Debug text tells that a value is unchanged (not two
    // `<no Debug, 8 B>`, not two texts cut alike).
    let whole = |previews, name: &str| match found(previews, name) {
        Some(ValuePreview::Debug { text, cut: false }) => Some(text),
        _ => None,
    };
    let unchanged = |name: &str| {
        whole(now_values, name).is_some_and(|now| whole(then_values, name) == Some(now))
    };
    let difference = |name: &str| match (found(now_values, name), found(then_values, name)) {
        (
            Some(ValuePreview::Debug {
                text: a,
                cut: a_cut,
            }),
            Some(ValuePreview::Debug {
                text: b,
                cut: b_cut,
            }),
        ) if wording.first_difference => first_difference(&a, a_cut, &b, b_cut)
            .map(|d| format!(" ({})", d.describe(PREVIEW_WIDTH / 3))),
        _ => None,
    };
    let mut lines = Vec::new();
    for change in changes {
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
                // Assigned again since, to what it was then.
                (Some(now), Some(_)) if now_type == then_type && unchanged(name) => {
                    format!("= {name}: {now} (unchanged)")
                }
                (Some(now), Some(then)) if now_type == then_type && now == then => {
                    format!("~ {name}: {now} (the same as far as shown)")
                }
                (Some(now), Some(then)) if now_type == then_type => {
                    let at = difference(name).unwrap_or_default();
                    format!("~ {name}: {now} → {then}{at}")
                }
                (Some(now), Some(then)) => {
                    format!("~ {name}: {now} → {then} ({now_type} → {then_type})")
                }
                _ if now_type != then_type => {
                    format!("~ {name}: {then_type} (now {now_type})")
                }
                _ => format!("~ {name}: {then_type} (value as {})", wording.then),
            },
            (None, None) => continue,
        });
    }
    lines
}

/// Why values are missing, once per side, naming the sides as `labels` says.
pub(super) fn missing_values(
    values: Option<(&Previews, &Previews)>,
    labels: (&str, &str),
) -> Vec<String> {
    let Some((now, then)) = values else {
        return Vec::new();
    };
    [(labels.0, now), (labels.1, then)]
        .into_iter()
        .filter_map(|(side, previews)| match previews {
            Err(e) => Some(format!("(values {side} not shown: {e})")),
            Ok(_) => None,
        })
        .collect()
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
