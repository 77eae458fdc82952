//! The engine's side of taking from another saved session: `:take NAME@N` written as one
//! cell and run (objects verified first; dependencies it lacks added by the cell's leading
//! `:dep` lines). Previews for `:vars NAME@N` are in `peek.rs`.

use super::Engine;
use crate::archive::persist;
use crate::archive::{ObjectId, SavedVar, Store};
use crate::commands::EvcxrCommand;
use crate::session::{CellOutcome, EngineEvent, Prelude, SavedTake};
use crate::timeline::{CellStatus, VarInfo};
use anyhow::{Result, anyhow};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How a `:take` cell's code names the objects it loads (copied into the open session's
/// store): by hash under this mark, which `Engine::with_objects` makes that store's folder
/// before each compile, so the code a session keeps holds no path of this machine.
const OBJECTS_MARK: &str = "$TMREPL_OBJECTS/";

/// `code` with each `"$TMREPL_OBJECTS/HASH` made the path of that object in the store at
/// `root` (a string literal's start, as `persist::load_code` writes it).
fn objects_at(code: &str, root: &Path) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    let opening = format!("\"{OBJECTS_MARK}");
    while let Some(at) = rest.find(&opening) {
        let after = &rest[at + opening.len()..];
        let hash = after.get(..64).unwrap_or("");
        out.push_str(&rest[..at]);
        match crate::archive::object_relative_path(hash) {
            Some(relative) => {
                let quoted = format!("{:?}", root.join(relative).display().to_string());
                out.push_str(&quoted[..quoted.len() - 1]);
                rest = &after[64..];
            }
            None => {
                out.push_str(&opening);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `dir` as the same folder from anywhere (it may have been given relative).
fn canonical(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned())
}

/// Each value with where its object is read from, as `place` says for its hash.
fn placed(
    values: &[&SavedVar],
    place: impl Fn(&ObjectId) -> Result<PathBuf>,
) -> Result<Vec<(VarInfo, PathBuf)>> {
    values
        .iter()
        .map(|var| {
            let hash = var
                .object
                .as_ref()
                .ok_or_else(|| anyhow!("{} has no saved value", var.name))?;
            let info = VarInfo {
                name: var.name.clone(),
                type_name: var.type_name.clone(),
            };
            Ok((info, place(hash)?))
        })
        .collect()
}

/// Checks each value's object against its name; the verified paths, in order (absolute:
/// code may run again from another folder).
pub(super) fn verified(dir: &Path, values: &[&SavedVar]) -> Result<Vec<(VarInfo, PathBuf)>> {
    let store = Store::at(&canonical(dir));
    placed(values, |hash| Ok(store.verify(hash)?))
}

pub(super) fn load(values: &[(VarInfo, PathBuf)]) -> String {
    if values.is_empty() {
        return String::new();
    }
    let refs: Vec<(&VarInfo, PathBuf)> = values.iter().map(|(v, p)| (v, p.clone())).collect();
    persist::load_code(&refs)
}

/// The code of a `:take NAME@N` cell, without its `:dep` lines: a comment naming it, the
/// definitions it brings, then its variables bound from one block that replays and loads
/// (so what else the replayed code makes goes when the block ends).
pub fn take_code(take: &SavedTake, loads: &[Vec<(VarInfo, PathBuf)>]) -> String {
    let mut code = format!(
        "// {}: from cell {} of the saved session {}\n",
        take.label, take.from_cell, take.session
    );
    for definition in &take.definitions {
        code.push_str(definition);
        code.push('\n');
    }
    let names: Vec<String> = take
        .vars
        .iter()
        .map(|v| format!("mut {}", v.name))
        .collect();
    let types: Vec<&str> = take.vars.iter().map(|v| v.type_name.as_str()).collect();
    code.push_str(&format!(
        "let ({},): ({},) = {{\n",
        names.join(", "),
        types.join(", ")
    ));
    for (step, inputs) in take.steps.iter().zip(loads) {
        if !step.code.trim().is_empty() {
            code.push_str(&format!(
                "// cell {} of {}, replayed\n",
                step.cell, take.session
            ));
        }
        code.push_str(&load(inputs));
        if !step.code.trim().is_empty() {
            code.push_str(&step.code);
            // Its last expression, if it ends in one, is a statement here.
            code.push_str("\n;\n");
        }
    }
    if let Some(stored) = loads.get(take.steps.len()) {
        code.push_str(&load(stored));
    }
    let values: Vec<&str> = take.vars.iter().map(|v| v.name.as_str()).collect();
    code.push_str(&format!("({},)\n}};", values.join(", ")));
    code
}

impl Engine {
    /// `:take NAME@N`: checks the objects it loads and the dependencies it needs, writes
    /// the cell (said with `CellSource`) and runs it as any cell.
    pub(super) fn take_saved(&mut self, take: &SavedTake) -> CellOutcome {
        match self.write_take(take) {
            Ok((prelude, code, source)) => {
                let _ = self
                    .messages
                    .send(super::EngineMessage::Event(EngineEvent::CellSource {
                        cell: take.cell,
                        source,
                    }));
                self.eval(take.cell, &prelude, &code, take.snapshot)
            }
            Err(e) => CellOutcome {
                cell: take.cell,
                status: CellStatus::Error(format!("{}: {e:#}", take.label)),
                value: None,
                error_text: None,
                duration: Duration::ZERO,
                vars: self.vars(),
                snapshot: None,
                restored_to: None,
            },
        }
    }

    /// `code` as evcxr compiles it: the objects a `:take` cell loads found in the open
    /// session's store.
    pub(super) fn with_objects<'a>(&self, code: &'a str) -> Cow<'a, str> {
        match &self.archive {
            Some(archive) if code.contains(OBJECTS_MARK) => {
                Cow::Owned(objects_at(code, &canonical(archive.store.root())))
            }
            _ => Cow::Borrowed(code),
        }
    }

    /// Each value to load, checked, and where the code reads it: copied into the open
    /// session's store and named under `OBJECTS_MARK`, or (no store) where it is.
    fn take_loads(&self, take: &SavedTake, values: &[SavedVar]) -> Result<Vec<(VarInfo, PathBuf)>> {
        let values: Vec<&SavedVar> = values.iter().collect();
        let Some(archive) = &self.archive else {
            return verified(&take.dir, &values);
        };
        let theirs = Store::at(&canonical(&take.dir));
        placed(&values, |hash| {
            archive.store.take_object(&theirs, hash)?;
            Ok(PathBuf::from(format!("{OBJECTS_MARK}{hash}")))
        })
    }

    /// The cell's leading `:dep`s, its code, and its whole source.
    fn write_take(&self, take: &SavedTake) -> Result<(Vec<Prelude>, String, String)> {
        let mut loads = Vec::new();
        for step in &take.steps {
            loads.push(self.take_loads(take, &step.inputs)?);
        }
        loads.push(self.take_loads(take, &take.stored)?);
        let mut prelude = Vec::new();
        let mut source = String::new();
        for (name, spec) in &take.deps {
            match self.deps.get(name) {
                Some(here) if here == spec => {}
                Some(here) => {
                    return Err(anyhow!(
                        "the dependency {name} is `{here}` here and `{spec}` in {}; \
                         :dep {name} = {spec} first if that will do",
                        take.session
                    ));
                }
                None => {
                    let line = format!("{name} = {spec}");
                    source.push_str(&format!(":dep {line}\n"));
                    prelude.push(Prelude::Evcxr(EvcxrCommand::Dep { spec: line }));
                }
            }
        }
        let code = take_code(take, &loads);
        source.push_str(&code);
        Ok((prelude, code, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::replay::ReplayStep;

    #[test]
    fn objects_named_by_hash_are_found_in_the_open_store() {
        let hash = "ab".repeat(32);
        let code = format!("load(\"{OBJECTS_MARK}{hash}\"); load(\"{OBJECTS_MARK}short\");");
        let found = objects_at(&code, Path::new("/data/sessions/here"));
        let expected = format!(
            "load(\"/data/sessions/here/objects/ab/{}\"); load(\"{OBJECTS_MARK}short\");",
            &hash[2..]
        );
        assert_eq!(found, expected);
    }

    #[test]
    fn a_take_binds_its_variables_from_one_block_of_replays_and_loads() {
        let var = |name: &str, type_name: &str| VarInfo {
            name: name.into(),
            type_name: type_name.into(),
        };
        let stored = |name: &str| SavedVar {
            name: name.into(),
            type_name: "Vec<u8>".into(),
            object: Some("ab".repeat(32).into()),
            not_saved: None,
        };
        let take = SavedTake {
            cell: 7,
            label: ":take lab@4 acc plain".into(),
            session: "lab".into(),
            from_cell: 4,
            dir: "/data/sessions/lab".into(),
            deps: vec![],
            definitions: vec!["struct Acc { n: Vec<u8> }".into()],
            steps: vec![ReplayStep {
                cell: 2,
                code: "let acc = Acc { n: base.clone() }".into(),
                inputs: vec![stored("base")],
                expect: vec![],
                needs: vec![],
            }],
            stored: vec![stored("plain")],
            vars: vec![var("acc", "Acc"), var("plain", "Vec<u8>")],
            snapshot: true,
        };
        let loads = vec![
            vec![(var("base", "Vec<u8>"), PathBuf::from("/o/base"))],
            vec![(var("plain", "Vec<u8>"), PathBuf::from("/o/plain"))],
        ];
        let code = take_code(&take, &loads);
        assert!(
            code.starts_with(
                "// :take lab@4 acc plain: from cell 4 of the saved session lab\nstruct Acc { n: Vec<u8> }\nlet (mut acc, mut plain,): (Acc, Vec<u8>,) = {\n"
            ),
            "{code}"
        );
        let replay = code.find("let acc = Acc { n: base.clone() }\n;\n").unwrap();
        assert!(
            code.find("let mut base: Vec<u8>").unwrap() < replay,
            "{code}"
        );
        assert!(
            code.find("let mut plain: Vec<u8>").unwrap() > replay,
            "{code}"
        );
        assert!(code.ends_with("(acc, plain,)\n};"), "{code}");
    }
}
