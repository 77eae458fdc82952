//! The arguments of `:export DIR [--cell N] [--force]` and `:sweep [N]`.

use super::{Command, CommandError, cell_number, err};

/// Words of `args`, a `"…"` one kept whole (a folder with spaces).
fn words(args: &str, command: &str) -> Result<Vec<String>, CommandError> {
    let mut words = Vec::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let Some((word, after)) = quoted.split_once('"') else {
                return err(format!("{command}: a quote is not closed"));
            };
            words.push(word.to_owned());
            rest = after.trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    Ok(words)
}

pub(super) fn export(args: &str) -> Result<Command, CommandError> {
    const USAGE: &str = "usage: :export DIR [--cell N] [--force]";
    let mut dir = None;
    let mut cell = None;
    let mut force = false;
    let mut words = words(args, ":export")?.into_iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "--force" => force = true,
            "--cell" => match words.next() {
                Some(n) => cell = Some(cell_number(&n, ":export --cell")?),
                None => return err(":export: --cell needs a cell number, e.g. --cell 3"),
            },
            flag if flag.starts_with("--") => {
                return err(format!(":export: unknown option {flag}; {USAGE}"));
            }
            _ if dir.is_some() => return err(format!(":export takes one folder; {USAGE}")),
            _ if word.is_empty() => return err(format!(":export: an empty folder name; {USAGE}")),
            _ => dir = Some(word),
        }
    }
    match dir {
        Some(dir) => Ok(Command::Export { dir, cell, force }),
        None => err(format!(":export needs a folder; {USAGE}")),
    }
}

pub(super) fn sweep(args: &str) -> Result<Command, CommandError> {
    if args.is_empty() {
        return Ok(Command::Sweep(None));
    }
    cell_number(args, ":sweep").map(|n| Command::Sweep(Some(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_reads_a_folder_and_its_options_in_any_order() {
        assert_eq!(
            export("out --cell 4").unwrap(),
            Command::Export {
                dir: "out".into(),
                cell: Some(4),
                force: false
            }
        );
        assert_eq!(
            export("--force \"my project\"").unwrap(),
            Command::Export {
                dir: "my project".into(),
                cell: None,
                force: true
            }
        );
        for (bad, says) in [
            ("", "needs a folder"),
            ("a b", "one folder"),
            ("a --cell", "--cell needs"),
            ("a --cell x", "expected a cell number"),
            ("a --cell 0", "expected a cell number"),
            ("a --celll 3", "unknown option --celll"),
            ("\"a", "not closed"),
        ] {
            let error = export(bad).unwrap_err().0;
            assert!(error.contains(says), "{bad:?}: {error}");
            assert!(!error.contains('\n'));
        }
    }

    #[test]
    fn sweep_takes_a_cell_or_nothing() {
        assert_eq!(sweep("").unwrap(), Command::Sweep(None));
        assert_eq!(sweep("12").unwrap(), Command::Sweep(Some(12)));
        assert!(sweep("x").is_err());
    }
}
