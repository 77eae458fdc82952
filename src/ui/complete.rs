//! Tab in the editor: what `completion` offers, taken at once or shown as the menu, and
//! slow answers (rust-analyzer's first, or while a cell runs) opening it when they come.

use super::view::{CompletionMenu, View};
use crate::app::App;
use crate::completion;
use crate::session::NoticeKind;

/// Tab in the editor: one completion is taken at once; several open the menu, after the
/// text they all share is typed in. Code asks rust-analyzer; when it is slow (the first
/// question of a session) or a cell is running, "completions loading…" shows and the
/// answer opens the menu when it comes (`poll_completion`).
pub(super) fn complete(view: &mut View, app: &App) {
    let text = view.editor.text();
    let cursor = view.editor.cursor_offset();
    let variables: Vec<String> = app
        .session()
        .current_vars()
        .iter()
        .map(|v| v.name.clone())
        .collect();
    let engine = app.code_completer();
    let code = !completion::is_command_line(&text);
    let found = (!(app.is_busy() && code)).then(|| {
        let asked = (!app.is_busy()).then_some(&engine);
        completion::complete_within(&text, cursor, &variables, asked, completion::QUICK_WAIT)
    });
    match found {
        Some(found) if !(found.late && code) => show_completions(view, found),
        _ => {
            view.pending_completion =
                Some(completion::Pending::ask(&engine, &text, cursor, &variables));
            view.status = Some((NoticeKind::Info, "completions loading…".into()));
        }
    }
}

/// Opens the menu once a slow answer came, if the text is still what was completed.
pub fn poll_completion(view: &mut View) {
    let Some(pending) = &view.pending_completion else {
        return;
    };
    if view.editor.text() != pending.source || view.editor.cursor_offset() != pending.cursor {
        view.pending_completion = None;
        view.status = None;
        return;
    }
    if let Some(found) = pending.ready() {
        view.pending_completion = None;
        view.status = None;
        show_completions(view, found);
    }
}

fn show_completions(view: &mut View, mut found: completion::Completions) {
    let cursor = view.editor.cursor_offset();
    match found.candidates.as_slice() {
        [] if found.late => {
            view.status = Some((
                NoticeKind::Info,
                "rust-analyzer is still busy; Tab again in a moment".into(),
            ))
        }
        [] => view.status = Some((NoticeKind::Info, "no completions here".into())),
        [only] => {
            let insert = only.insert.clone();
            view.editor.replace_range(found.start, found.end, &insert);
        }
        _ => {
            let common = found.common_prefix();
            if common.len() > cursor - found.start {
                view.editor.replace_range(found.start, cursor, &common);
                found.end = found.end - cursor + found.start + common.len();
            }
            view.completion = Some(CompletionMenu {
                completions: found,
                selected: 0,
            });
        }
    }
}
