//! The arguments of `:vars` and `:take`, which name a cell of this session, a job, or a
//! cell of another saved session (`NAME@N`).

use super::{Command, CommandError, cell_number, err, is_identifier};
use std::fmt;

/// A cell of a saved session, as `NAME@N` names it; `NAME@` (or, for `:take`, `NAME`
/// alone) is its last cell with state, the one resuming it would continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCell {
    pub session: String,
    pub cell: Option<u32>,
}

impl fmt::Display for SavedCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cell {
            Some(n) => write!(f, "{}@{n}", self.session),
            None => write!(f, "{}@", self.session),
        }
    }
}

/// A saved session's name as the archive allows it (`archive::validate_session_name`).
fn is_session_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `NAME@N` or `NAME@`; None when `word` has no `@`.
fn saved_cell(word: &str, command: &str) -> Option<Result<SavedCell, CommandError>> {
    let (session, cell) = word.split_once('@')?;
    if !is_session_name(session) {
        return Some(err(format!(
            "{command}: `{session}` is not a saved session's name (letters, digits, '-', '_', '.')"
        )));
    }
    let cell = match cell {
        "" => None,
        n => match cell_number(n, command) {
            Ok(n) => Some(n),
            Err(e) => return Some(Err(e)),
        },
    };
    Some(Ok(SavedCell {
        session: session.to_owned(),
        cell,
    }))
}

/// `:vars [N | NAME@N] [VAR]`.
pub(super) fn vars(args: &str) -> Result<Command, CommandError> {
    let mut words = args.split_whitespace();
    let mut at = None;
    let mut from = None;
    let mut name = None;
    for word in words.by_ref().take(2) {
        let first = at.is_none() && from.is_none() && name.is_none();
        if first && let Some(saved) = saved_cell(word, ":vars") {
            from = Some(saved?);
        } else if first && word.starts_with(|c: char| c.is_ascii_digit()) {
            at = Some(cell_number(word, ":vars")?);
        } else if name.is_none() && is_identifier(word) {
            name = Some(word.to_owned());
        } else {
            return err(format!(
                ":vars: expected a cell number and a variable name, got `{word}`"
            ));
        }
    }
    if let Some(extra) = words.next() {
        return err(format!(
            ":vars: unexpected `{extra}`; usage: :vars [N|NAME@N] [VAR]"
        ));
    }
    Ok(match from {
        Some(from) => Command::SavedVars { from, name },
        None => Command::Vars { at, name },
    })
}

/// `:take N [VAR…]` (a job) or `:take NAME@N [VAR…]`; no VAR: every variable.
pub(super) fn take(args: &str) -> Result<Command, CommandError> {
    let mut words = args.split_whitespace();
    let Some(first) = words.next() else {
        return err(
            ":take needs a job or a saved session's cell, e.g. :take 3 total or :take lab@4 total",
        );
    };
    let names: Vec<String> = words.map(str::to_owned).collect();
    if let Some(bad) = names.iter().find(|n| !is_identifier(n)) {
        return err(format!(":take: `{bad}` is not a variable name"));
    }
    if first.starts_with(|c: char| c.is_ascii_digit()) {
        let job = cell_number(first, ":take")?;
        return Ok(Command::Take { job, names });
    }
    let from = match saved_cell(first, ":take") {
        Some(saved) => saved?,
        None if is_session_name(first) => SavedCell {
            session: first.to_owned(),
            cell: None,
        },
        None => {
            return err(format!(
                ":take: expected a job number or NAME@N, got `{first}`"
            ));
        }
    };
    Ok(Command::TakeSaved { from, names })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn at(session: &str, cell: Option<u32>) -> SavedCell {
        SavedCell {
            session: session.into(),
            cell,
        }
    }

    #[test]
    fn a_saved_sessions_cell_is_name_at_number() {
        assert_eq!(
            parse(":vars lab@10 x"),
            Ok(Command::SavedVars {
                from: at("lab", Some(10)),
                name: Some("x".into())
            })
        );
        assert_eq!(
            parse(":vars lab@"),
            Ok(Command::SavedVars {
                from: at("lab", None),
                name: None
            })
        );
        // A bare word is still a variable of this session.
        assert_eq!(
            parse(":vars lab"),
            Ok(Command::Vars {
                at: None,
                name: Some("lab".into())
            })
        );
        assert_eq!(
            parse(":take lab@10 x y"),
            Ok(Command::TakeSaved {
                from: at("lab", Some(10)),
                names: vec!["x".into(), "y".into()]
            })
        );
        assert_eq!(
            parse(":take lab"),
            Ok(Command::TakeSaved {
                from: at("lab", None),
                names: vec![]
            })
        );
        assert_eq!(
            parse(":take 7"),
            Ok(Command::Take {
                job: 7,
                names: vec![]
            })
        );
        assert_eq!(at("lab", Some(3)).to_string(), "lab@3");
        for bad in [
            ":take lab@x",
            ":take .hidden@2",
            ":take lab@0",
            ":take 3 -x",
            ":take",
            ":vars lab@2 x y",
        ] {
            let error = parse(bad).unwrap_err().0;
            assert!(!error.contains('\n'), "{bad}: {error}");
        }
    }
}
