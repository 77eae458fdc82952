//! The keymap as a whole: no key means two things in one context, the focused context
//! comes first, F1 lists what it should.

use super::*;

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

const ALL_CONTEXTS: [Context; 9] = [
    C::Global,
    C::Question,
    C::Completion,
    C::Editor,
    C::Search,
    C::Panel,
    C::Overlay,
    C::Detail,
    C::Rewind,
];

/// Every code some binding names, plus a few nothing binds.
fn codes() -> Vec<KeyCode> {
    let mut codes: Vec<KeyCode> = KEYMAP
        .iter()
        .filter_map(|b| match b.key {
            Key::Code(code) => Some(code),
            Key::AnyChar => None,
        })
        .collect();
    codes.extend([K::Char('x'), K::Char('Z'), K::F(2), K::Insert]);
    codes
}

fn modifier_sets() -> Vec<KeyModifiers> {
    let (c, a, s) = (
        KeyModifiers::CONTROL,
        KeyModifiers::ALT,
        KeyModifiers::SHIFT,
    );
    vec![KeyModifiers::NONE, c, a, s, c | a, c | s, a | s, c | a | s]
}

#[test]
fn no_key_has_two_meanings_in_one_context() {
    for context in ALL_CONTEXTS {
        for code in codes() {
            for modifiers in modifier_sets() {
                let key = press(code, modifiers);
                let bound: Vec<Action> = KEYMAP
                    .iter()
                    .filter(|b| b.context == context && b.matches(&key))
                    .map(|b| b.action)
                    .collect();
                assert!(bound.len() <= 1, "{context:?} {key:?}: {bound:?}");
            }
        }
    }
}

#[test]
fn the_focused_context_comes_before_global_keys() {
    let editor = [C::Editor, C::Global];
    let panel = [C::Panel, C::Global];
    let none = KeyModifiers::NONE;
    let ctrl = KeyModifiers::CONTROL;
    assert_eq!(
        lookup(&panel, &press(K::PageUp, none)),
        Some(A::SelectPageUp)
    );
    assert_eq!(
        lookup(&editor, &press(K::PageUp, none)),
        Some(A::ScrollTranscriptUp)
    );
    assert_eq!(
        lookup(&panel, &press(K::Char('t'), ctrl)),
        Some(A::PreviewRewind)
    );
    assert_eq!(
        lookup(&editor, &press(K::Char('c'), ctrl)),
        Some(A::InterruptOrClear)
    );
    assert_eq!(
        lookup(&editor, &press(K::Char('c'), none)),
        Some(A::InsertChar)
    );
    assert_eq!(
        lookup(&editor, &press(K::Char('C'), KeyModifiers::SHIFT)),
        Some(A::InsertChar)
    );
    // Ctrl with an unbound letter does nothing rather than typing it.
    assert_eq!(lookup(&editor, &press(K::Char('x'), ctrl)), None);
}

#[test]
fn alt_enter_breaks_the_line_and_enter_submits() {
    let editor = [C::Editor, C::Global];
    assert_eq!(
        lookup(&editor, &press(K::Enter, KeyModifiers::ALT)),
        Some(A::Newline)
    );
    assert_eq!(
        lookup(
            &editor,
            &press(K::Enter, KeyModifiers::CONTROL | KeyModifiers::ALT)
        ),
        Some(A::Newline)
    );
    assert_eq!(
        lookup(&editor, &press(K::Enter, KeyModifiers::NONE)),
        Some(A::Submit)
    );
}

#[test]
fn views_take_their_own_keys_first() {
    let rewind = [C::Rewind, C::Overlay];
    let help = [C::Overlay];
    let none = KeyModifiers::NONE;
    assert_eq!(
        lookup(&rewind, &press(K::Enter, none)),
        Some(A::ConfirmRewind)
    );
    assert_eq!(
        lookup(&rewind, &press(K::Char('y'), none)),
        Some(A::ConfirmRewind)
    );
    assert_eq!(lookup(&rewind, &press(K::Esc, none)), Some(A::CloseOverlay));
    assert_eq!(lookup(&help, &press(K::Enter, none)), Some(A::CloseOverlay));
    assert_eq!(lookup(&help, &press(K::Char('y'), none)), None);
    assert_eq!(
        lookup(&[C::Detail, C::Overlay], &press(K::Down, none)),
        Some(A::DetailDown)
    );
}

#[test]
fn search_keys_shadow_nothing_global() {
    let search = [C::Search, C::Global];
    let ctrl = KeyModifiers::CONTROL;
    assert_eq!(
        lookup(&search, &press(K::Char('r'), ctrl)),
        Some(A::SearchOlder)
    );
    assert_eq!(
        lookup(&search, &press(K::Char('d'), ctrl)),
        Some(A::QuitOrDeleteChar)
    );
    assert_eq!(lookup(&search, &press(K::Esc, KeyModifiers::NONE)), None);
    assert_eq!(search_fallback(), A::EndSearch);
}

#[test]
fn help_lists_the_documented_keys_in_order() {
    let lines = help_lines();
    let keys: Vec<&str> = lines.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        [
            "Enter",
            "Alt-Enter",
            "Up / Down",
            "Ctrl-R",
            "Tab",
            "Tab / Shift-Tab",
            "Esc",
            "PgUp / PgDn, wheel",
            "Ctrl-C",
            "Ctrl-D",
            "F1",
            "panel: Up/Down/PgUp/PgDn/Home/End",
            "panel: Enter",
            "panel: Ctrl-T",
            "panel: d",
            "panel: k",
            "&CODE",
        ]
    );
    let text = help_text();
    assert!(
        text.starts_with(
            "Enter                              run the cell (a new line while brackets"
        )
    );
    assert_eq!(text.lines().count(), lines.len());
}

#[test]
fn every_action_a_user_needs_is_bound() {
    // The dispatcher's fallback is the only action without a key.
    for action in [
        A::ShowHelp,
        A::Submit,
        A::PreviewRewind,
        A::KillSelectedJob,
        A::ConfirmRewind,
        A::ScrollOverlayUp,
        A::CompletionAccept,
        A::CompletionPrevious,
    ] {
        assert!(KEYMAP.iter().any(|b| b.action == action), "{action:?}");
    }
    assert!(!KEYMAP.iter().any(|b| b.action == A::EndSearch));
}

#[test]
fn d_in_the_panel_diffs_and_ctrl_d_still_quits() {
    let panel = [C::Panel, C::Global];
    assert_eq!(
        lookup(&panel, &press(K::Char('d'), KeyModifiers::NONE)),
        Some(A::DiffSelected)
    );
    assert_eq!(
        lookup(&panel, &press(K::Char('d'), KeyModifiers::CONTROL)),
        Some(A::QuitOrDeleteChar)
    );
    assert!(help_lines().contains(&(
        "panel: d",
        "what differs between the selected cell and now: values, definitions (:diff N)"
    )));
}
