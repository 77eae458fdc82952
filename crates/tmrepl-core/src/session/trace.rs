//! `:trace NAME`: every cell of the current branch that bound or changed the variable
//! NAME, with its value after each (read from each cell's snapshot), grouped by binding
//! (a `let` again, or another type, starts a new one); and the cells that defined an item
//! NAME (fn, struct, …), with their definitions.

use super::debug_text::cut;
use super::gather::{GatherFor, Reading};
use super::*;

/// One cell of a trace that wrote the variable.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    cell: u32,
    first_line: String,
    /// Which reading holds its value; None when the cell left no such variable.
    reading: Option<usize>,
    /// Its code may only have read the variable: hidden when the value did not change.
    only_mentions: bool,
}

/// The rows of one binding of the variable.
#[derive(Debug, Clone, PartialEq)]
struct Binding {
    type_name: String,
    cell: u32,
    rows: Vec<Row>,
}

/// What `:trace NAME` shows, before values.
struct Trace {
    bindings: Vec<Binding>,
    readings: Vec<Reading>,
    /// Each definition of an item NAME: its label, cell and text.
    definitions: Vec<(String, u32, String)>,
}

/// The first line of `source` that names `name` as a word (not in a string or a
/// comment): in a cell of many lines, where it binds or changes the variable.
fn line_naming<'a>(source: &'a str, name: &str) -> Option<&'a str> {
    let at = crate::lexer::tokens(source)
        .into_iter()
        .find(|t| t.kind == crate::lexer::Kind::Ident && t.text == name)?
        .start;
    let start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = source[at..].find('\n').map_or(source.len(), |i| at + i);
    Some(source[start..end].trim())
}

/// How wide a traced value is, in characters.
const VALUE_WIDTH: usize = 40;

impl Session {
    /// `:trace NAME`: the rows at once when there is nothing to read, else after the value
    /// of each row's cell has been read.
    pub(super) fn trace_command(&mut self, name: String, asker: Asker) -> Vec<Effect> {
        let readings = match self.trace(&name) {
            Ok(trace) => trace.readings,
            Err(e) => return vec![asker.answer(Err(e))],
        };
        self.gather(GatherFor::Trace { name }, asker, readings)
    }

    fn trace(&self, name: &str) -> Result<Trace, String> {
        let chain = self.chain_to(self.current);
        let mut bindings: Vec<Binding> = Vec::new();
        let mut readings = Vec::new();
        let mut had = false;
        for (i, step) in chain.steps().iter().enumerate() {
            let Some(cell) = self.timeline.get(step.cell) else {
                continue;
            };
            let after = cell.vars.iter().find(|v| v.name == name);
            let binds = after.is_some() && chain.binds(i, name);
            let changes = had && step.access.writes(name);
            if !(binds || changes) {
                had = after.is_some();
                continue;
            }
            let reading = after.map(|_| {
                readings.push(self.trace_reading(step.cell, name));
                readings.len() - 1
            });
            let row = Row {
                cell: step.cell,
                first_line: line_naming(&cell.source, name)
                    .unwrap_or_else(|| cell.first_line())
                    .to_owned(),
                reading,
                only_mentions: !binds && !step.access.defines.iter().any(|n| n == name),
            };
            match (after, bindings.last_mut()) {
                (Some(var), _) if binds => bindings.push(Binding {
                    type_name: var.type_name.clone(),
                    cell: step.cell,
                    rows: vec![row],
                }),
                (_, Some(binding)) => binding.rows.push(row),
                (_, None) => {}
            }
            had = after.is_some();
        }
        let definitions: Vec<(String, u32, String)> = chain
            .definitions_of(name)
            .into_iter()
            .map(|(_, d)| (d.label(), d.cell, d.quoted()))
            .collect();
        if bindings.is_empty() && definitions.is_empty() {
            return Err(format!(
                ":trace {name}: no cell of this branch made a variable, function or type {name}"
            ));
        }
        Ok(Trace {
            bindings,
            readings,
            definitions,
        })
    }

    /// Reading `name` as of cell `cell`: its snapshot, or the worker for the current cell.
    fn trace_reading(&self, cell: u32, name: &str) -> Reading {
        let state = self.timeline.get(cell).map(|c| &c.snapshot);
        match state {
            _ if cell == self.current => Ok((None, vec![name.to_owned()])),
            Some(SnapshotState::Live { .. }) => Ok((Some(cell), vec![name.to_owned()])),
            Some(state) => Err(format!("no snapshot: {}", state.label())),
            None => Err("no snapshot".to_owned()),
        }
    }

    /// The text of `:trace NAME`; with the readings (in the order `trace` asked for
    /// them), each row shows the value after its cell.
    pub(super) fn trace_text(
        &self,
        name: &str,
        values: Option<&[Previews]>,
    ) -> Result<String, String> {
        let trace = self.trace(name)?;
        let read = |row: &Row| -> Option<&Previews> { values?.get(row.reading?) };
        let preview = |row: &Row| -> Option<ValuePreview> {
            let previews = read(row)?.as_ref().ok()?;
            previews
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.clone())
        };
        let shown = |row: &Row| match (row.reading, read(row), preview(row)) {
            (None, _, _) => "(no longer a variable)".to_owned(),
            (Some(_), None, _) => "…".to_owned(),
            (Some(_), Some(Err(why)), _) => format!("({why})"),
            (Some(_), Some(Ok(_)), None) => "(not read)".to_owned(),
            (Some(_), Some(Ok(_)), Some(p)) => compare::one_line(&p, VALUE_WIDTH),
        };
        let whole = |row: &Row| match preview(row) {
            Some(ValuePreview::Debug { text, cut: false }) => Some(text),
            _ => None,
        };
        let mut lines = Vec::new();
        let mut hidden = 0;
        let last = trace.bindings.len().saturating_sub(1);
        for (index, binding) in trace.bindings.iter().enumerate() {
            let of = if index < last {
                " (shadowed later)"
            } else {
                ""
            };
            lines.push(format!(
                "{name}: {}, bound in cell {}{of}",
                binding.type_name, binding.cell
            ));
            let mut previous: Option<String> = None;
            let mut rows: Vec<(u32, String, &str)> = Vec::new();
            for row in &binding.rows {
                let now = whole(row);
                // A cell that only read it, the value the same as before: not a change.
                if row.only_mentions && now.is_some() && now == previous {
                    hidden += 1;
                    continue;
                }
                if now.is_some() || row.reading.is_none() {
                    previous = now;
                }
                rows.push((row.cell, shown(row), &row.first_line));
            }
            let width = rows
                .iter()
                .map(|(_, v, _)| v.chars().count())
                .max()
                .unwrap_or(0);
            for (cell, value, first_line) in rows {
                lines.push(format!(
                    "  cell {cell:<4} {value:<width$}  {}",
                    cut(first_line, 48)
                ));
            }
        }
        if hidden > 0 {
            let cells = if hidden == 1 { "cell" } else { "cells" };
            lines.push(format!(
                "({hidden} {cells} that read {name} without changing it not shown)"
            ));
        }
        if let Some((label, _, _)) = trace.definitions.first() {
            lines.push(match trace.definitions.len() {
                1 => format!("{label}: defined once"),
                n => format!("{label}: {n} definitions"),
            });
            for (_, cell, text) in &trace.definitions {
                lines.push(format!("  cell {cell:<4} {text}"));
            }
        }
        Ok(lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::line_naming;

    #[test]
    fn a_trace_row_shows_the_line_that_names_the_variable() {
        let source = "use std::collections::HashMap;\n// toks are counted\nlet s = \"toks\";\nlet toks = vec![1];\ntoks.len()";
        assert_eq!(line_naming(source, "toks"), Some("let toks = vec![1];"));
        assert_eq!(line_naming(source, "tok"), None);
    }
}
