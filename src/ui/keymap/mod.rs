//! Every key of the full-screen interface as data: where it applies, what it does, and
//! what F1 says about it. Pure: looking a key up never touches the terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. The interface looks in the most specific context first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Whenever no view is open, after the focused context.
    Global,
    /// The input editor has the focus.
    Editor,
    /// Reverse history search (Ctrl-R) in the editor.
    Search,
    /// The side panel of cells has the focus.
    Panel,
    /// Any view over the screen (help, detail, rewind preview).
    Overlay,
    /// The detail view (a cell's variables, a job's log), before `Overlay`.
    Detail,
    /// The rewind preview, before `Overlay`.
    Rewind,
    /// The completion menu is open, before `Editor`; other keys close it.
    Completion,
    /// A yes/no question: only its answers.
    Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    // Anywhere
    ShowHelp,
    /// Stop the running cell; when idle, clear the line.
    InterruptOrClear,
    /// Quit on an empty line (asking when jobs run); else delete the character.
    QuitOrDeleteChar,
    ScrollTranscriptUp,
    ScrollTranscriptDown,
    PreviewRewind,
    // Editor
    /// Run the cell, answer a running cell's prompt, or continue an unfinished cell.
    Submit,
    Newline,
    /// Complete the word; on an empty line, focus the panel.
    CompleteOrFocusPanel,
    DismissStatus,
    StartSearch,
    LineStart,
    LineEnd,
    ClearLine,
    InsertChar,
    Backspace,
    DeleteChar,
    Left,
    Right,
    /// Up a line, or to older history on the first line.
    Up,
    Down,
    // Search
    SearchOlder,
    SearchType,
    SearchBackspace,
    AcceptSearch,
    /// Any other key ends the search (see `search_fallback`).
    EndSearch,
    // Panel
    SelectPrevious,
    SelectNext,
    SelectPageUp,
    SelectPageDown,
    SelectFirst,
    SelectLast,
    FocusEditor,
    /// A cell's variables, or a job's log.
    OpenSelected,
    KillSelectedJob,
    /// What differs between the selected cell's state and now (`:diff N`).
    DiffSelected,
    // Completion menu
    CompletionNext,
    CompletionPrevious,
    CompletionAccept,
    CompletionCancel,
    // Question
    AnswerYes,
    AnswerNo,
    // Views
    /// In a cell's variables: the picked variable's whole value; elsewhere closes.
    OpenDetailLine,
    /// Up/Down in a view: move the detail view's pick, else scroll a row.
    DetailUp,
    DetailDown,
    CloseOverlay,
    ConfirmRewind,
    ScrollOverlayUp,
    ScrollOverlayDown,
}

/// Which key: one code, or any printable character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Code(KeyCode),
    AnyChar,
}

/// Modifiers a binding needs held and needs not held; others do not matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mods {
    pub held: KeyModifiers,
    pub not_held: KeyModifiers,
}

const fn mods(held: KeyModifiers, not_held: KeyModifiers) -> Mods {
    Mods { held, not_held }
}

const ANY: Mods = mods(KeyModifiers::NONE, KeyModifiers::NONE);
const CTRL: Mods = mods(KeyModifiers::CONTROL, KeyModifiers::NONE);
const ALT: Mods = mods(KeyModifiers::ALT, KeyModifiers::NONE);
const NO_CTRL: Mods = mods(KeyModifiers::NONE, KeyModifiers::CONTROL);
const NO_ALT: Mods = mods(KeyModifiers::NONE, KeyModifiers::ALT);

/// What F1 says about a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Help {
    /// A line of its own: the keys as F1 writes them, and what they do.
    Line(&'static str, &'static str),
    /// Described by another binding's line (Down by "Up / Down").
    Shared,
    /// Not listed: ordinary editing keys, and keys a view's title names.
    Unlisted,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub key: Key,
    pub mods: Mods,
    pub action: Action,
    pub help: Help,
}

const fn bind(context: Context, key: KeyCode, mods: Mods, action: Action, help: Help) -> Binding {
    Binding {
        context,
        key: Key::Code(key),
        mods,
        action,
        help,
    }
}

use Action as A;
use Context as C;
use Help::{Line, Shared, Unlisted};
use KeyCode as K;

/// Every binding. F1 lists the `Help::Line`s in this order; within a context no two
/// bindings match the same key (a test checks), so the order decides nothing else.
pub const KEYMAP: &[Binding] = &[
    bind(
        C::Editor,
        K::Enter,
        NO_ALT,
        A::Submit,
        Line(
            "Enter",
            "run the cell (a new line while brackets or strings are open)",
        ),
    ),
    bind(
        C::Editor,
        K::Enter,
        ALT,
        A::Newline,
        Line("Alt-Enter", "new line"),
    ),
    bind(
        C::Editor,
        K::Up,
        ANY,
        A::Up,
        Line(
            "Up / Down",
            "move between lines; on the first/last line walk the input history",
        ),
    ),
    bind(C::Editor, K::Down, ANY, A::Down, Shared),
    bind(
        C::Editor,
        K::Char('r'),
        CTRL,
        A::StartSearch,
        Line(
            "Ctrl-R",
            "search the input history (Ctrl-R again: older match)",
        ),
    ),
    bind(C::Search, K::Char('r'), CTRL, A::SearchOlder, Shared),
    bind(
        C::Editor,
        K::Tab,
        ANY,
        A::CompleteOrFocusPanel,
        Line(
            "Tab",
            "complete (methods, fields, paths, names); on an empty line, focus the panel",
        ),
    ),
    bind(
        C::Completion,
        K::Tab,
        ANY,
        A::CompletionNext,
        Line(
            "Tab / Shift-Tab",
            "in the completion menu: next / previous; Enter takes it, Esc closes",
        ),
    ),
    bind(C::Completion, K::Down, ANY, A::CompletionNext, Shared),
    bind(
        C::Completion,
        K::BackTab,
        ANY,
        A::CompletionPrevious,
        Shared,
    ),
    bind(C::Completion, K::Up, ANY, A::CompletionPrevious, Shared),
    bind(C::Completion, K::Enter, ANY, A::CompletionAccept, Shared),
    bind(C::Completion, K::Esc, ANY, A::CompletionCancel, Shared),
    bind(
        C::Panel,
        K::Esc,
        ANY,
        A::FocusEditor,
        Line("Esc", "back to the editor; close a view"),
    ),
    bind(C::Panel, K::Tab, ANY, A::FocusEditor, Shared),
    bind(C::Overlay, K::Esc, ANY, A::CloseOverlay, Shared),
    bind(
        C::Global,
        K::PageUp,
        ANY,
        A::ScrollTranscriptUp,
        Line("PgUp / PgDn, wheel", "scroll the transcript"),
    ),
    bind(C::Global, K::PageDown, ANY, A::ScrollTranscriptDown, Shared),
    bind(
        C::Global,
        K::Char('c'),
        CTRL,
        A::InterruptOrClear,
        Line(
            "Ctrl-C",
            "stop the running cell; on an idle prompt, clear the line",
        ),
    ),
    bind(
        C::Global,
        K::Char('d'),
        CTRL,
        A::QuitOrDeleteChar,
        Line("Ctrl-D", "quit (asks when jobs are running)"),
    ),
    bind(
        C::Global,
        K::F(1),
        ANY,
        A::ShowHelp,
        Line("F1", "this help"),
    ),
    bind(
        C::Panel,
        K::Up,
        ANY,
        A::SelectPrevious,
        Line("panel: Up/Down/PgUp/PgDn/Home/End", "select a cell"),
    ),
    bind(C::Panel, K::Down, ANY, A::SelectNext, Shared),
    bind(C::Panel, K::PageUp, ANY, A::SelectPageUp, Shared),
    bind(C::Panel, K::PageDown, ANY, A::SelectPageDown, Shared),
    bind(C::Panel, K::Home, ANY, A::SelectFirst, Shared),
    bind(C::Panel, K::End, ANY, A::SelectLast, Shared),
    bind(
        C::Panel,
        K::Enter,
        ANY,
        A::OpenSelected,
        Line(
            "panel: Enter",
            "the cell's variables with values (Enter on one: all of it), or the job's log",
        ),
    ),
    // Works from the editor too: it rewinds to the panel's selection (the newest cell
    // unless one was picked).
    bind(
        C::Global,
        K::Char('t'),
        CTRL,
        A::PreviewRewind,
        Line(
            "panel: Ctrl-T",
            "rewind to the selected cell (shows what changes first)",
        ),
    ),
    bind(
        C::Panel,
        K::Char('d'),
        NO_CTRL,
        A::DiffSelected,
        Line(
            "panel: d",
            "what differs between the selected cell and now: values, definitions (:diff N)",
        ),
    ),
    bind(
        C::Panel,
        K::Char('k'),
        ANY,
        A::KillSelectedJob,
        Line("panel: k", "kill the selected job"),
    ),
    // Editing keys everyone knows.
    bind(C::Editor, K::Esc, ANY, A::DismissStatus, Unlisted),
    bind(C::Editor, K::Char('a'), CTRL, A::LineStart, Unlisted),
    bind(C::Editor, K::Char('e'), CTRL, A::LineEnd, Unlisted),
    bind(C::Editor, K::Char('u'), CTRL, A::ClearLine, Unlisted),
    Binding {
        context: C::Editor,
        key: Key::AnyChar,
        mods: NO_CTRL,
        action: A::InsertChar,
        help: Unlisted,
    },
    bind(C::Editor, K::Backspace, ANY, A::Backspace, Unlisted),
    bind(C::Editor, K::Delete, ANY, A::DeleteChar, Unlisted),
    bind(C::Editor, K::Left, ANY, A::Left, Unlisted),
    bind(C::Editor, K::Right, ANY, A::Right, Unlisted),
    bind(C::Editor, K::Home, ANY, A::LineStart, Unlisted),
    bind(C::Editor, K::End, ANY, A::LineEnd, Unlisted),
    // History search: typing narrows, any key not bound here ends it.
    Binding {
        context: C::Search,
        key: Key::AnyChar,
        mods: NO_CTRL,
        action: A::SearchType,
        help: Unlisted,
    },
    bind(C::Search, K::Backspace, ANY, A::SearchBackspace, Unlisted),
    bind(C::Search, K::Enter, ANY, A::AcceptSearch, Unlisted),
    bind(C::Search, K::Right, ANY, A::AcceptSearch, Unlisted),
    bind(C::Search, K::Left, ANY, A::AcceptSearch, Unlisted),
    // Views: their titles say how to close or confirm them.
    bind(C::Overlay, K::Char('q'), ANY, A::CloseOverlay, Unlisted),
    bind(C::Overlay, K::Enter, ANY, A::CloseOverlay, Unlisted),
    bind(C::Overlay, K::F(1), ANY, A::CloseOverlay, Unlisted),
    // A long view scrolls (F1 at 80x24); in a cell's variables Up/Down move the pick.
    bind(C::Overlay, K::PageDown, ANY, A::ScrollOverlayDown, Unlisted),
    bind(C::Overlay, K::PageUp, ANY, A::ScrollOverlayUp, Unlisted),
    bind(C::Overlay, K::Down, ANY, A::DetailDown, Unlisted),
    bind(C::Overlay, K::Up, ANY, A::DetailUp, Unlisted),
    bind(C::Detail, K::Enter, ANY, A::OpenDetailLine, Unlisted),
    bind(C::Question, K::Char('y'), ANY, A::AnswerYes, Unlisted),
    bind(C::Question, K::Char('Y'), ANY, A::AnswerYes, Unlisted),
    bind(C::Question, K::Char('n'), ANY, A::AnswerNo, Unlisted),
    bind(C::Question, K::Char('N'), ANY, A::AnswerNo, Unlisted),
    bind(C::Question, K::Enter, ANY, A::AnswerNo, Unlisted),
    bind(C::Question, K::Esc, ANY, A::AnswerNo, Unlisted),
    bind(C::Rewind, K::Enter, ANY, A::ConfirmRewind, Unlisted),
    bind(C::Rewind, K::Char('y'), ANY, A::ConfirmRewind, Unlisted),
    bind(C::Rewind, K::Char('n'), ANY, A::CloseOverlay, Unlisted),
];

/// A line of F1 that is not a key.
const BACKGROUND_JOB_HELP: (&str, &str) = ("&CODE", "run the cell as a background job");

impl Binding {
    pub fn matches(&self, key: &KeyEvent) -> bool {
        let code = match self.key {
            Key::Code(code) => code == key.code,
            Key::AnyChar => matches!(key.code, KeyCode::Char(_)),
        };
        code && key.modifiers.contains(self.mods.held)
            && !key.modifiers.intersects(self.mods.not_held)
    }
}

/// The action of `key` in the first of `contexts` that binds it.
pub fn lookup(contexts: &[Context], key: &KeyEvent) -> Option<Action> {
    contexts.iter().find_map(|context| {
        KEYMAP
            .iter()
            .find(|binding| binding.context == *context && binding.matches(key))
            .map(|binding| binding.action)
    })
}

/// What a key bound nowhere does during a history search: ends it.
pub fn search_fallback() -> Action {
    Action::EndSearch
}

/// The key lines of F1, in table order, then the `&CODE` line.
pub fn help_lines() -> Vec<(&'static str, &'static str)> {
    KEYMAP
        .iter()
        .filter_map(|binding| match binding.help {
            Help::Line(keys, what) => Some((keys, what)),
            Help::Shared | Help::Unlisted => None,
        })
        .chain([BACKGROUND_JOB_HELP])
        .collect()
}

/// The keys part of F1: one aligned line per `help_lines` entry.
pub fn help_text() -> String {
    let lines = help_lines();
    let width = lines.iter().map(|(keys, _)| keys.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(keys, what)| format!("{keys:<width$}  {what}\n"))
        .collect()
}

#[cfg(test)]
mod tests;
