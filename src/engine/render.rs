//! Compile errors as text: ariadne reports with the offending span, colours stripped so
//! every front end can style them itself.

use evcxr::CompilationError;

pub fn compile_errors(source: &str, errors: &[CompilationError]) -> String {
    let mut out = String::new();
    for error in errors {
        if error.is_from_user_code()
            && let Some(report) =
                error.build_report("cell".to_owned(), source.to_owned(), evcxr::Theme::Dark)
        {
            let mut buf = Vec::new();
            if report
                .write(
                    ariadne::sources([("cell".to_owned(), source.to_owned())]),
                    &mut buf,
                )
                .is_ok()
            {
                out.push_str(&strip_ansi(&String::from_utf8_lossy(&buf)));
                continue;
            }
        }
        out.push_str(&plain(error));
    }
    out.trim_end().to_owned()
}

fn plain(error: &CompilationError) -> String {
    let mut out = match error.code() {
        Some(code) => format!("error[{code}]: {}\n", error.message()),
        None => format!("error: {}\n", error.message()),
    };
    for spanned in error.spanned_messages() {
        match &spanned.span {
            Some(span) if !spanned.label.is_empty() => out.push_str(&format!(
                "  --> line {}, column {}: {}\n",
                span.start_line, span.start_column, spanned.label
            )),
            _ if !spanned.label.is_empty() => out.push_str(&format!("  {}\n", spanned.label)),
            _ => {}
        }
    }
    for help in error.help() {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

/// Removes ANSI escape sequences (CSI and OSC).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// cargo's status verbs, right-aligned in its progress lines ("    Updating crates.io index").
const CARGO_PROGRESS: &[&str] = &[
    "Adding",
    "Blocking",
    "Checking",
    "Compiling",
    "Downgrading",
    "Downloaded",
    "Downloading",
    "Finished",
    "Fresh",
    "Locking",
    "Removing",
    "Unpacking",
    "Updating",
    "Upgrading",
];

/// Whether a line is one of cargo's progress lines ("   Compiling itoa v1.0.19").
pub fn is_cargo_progress(line: &str) -> bool {
    line.starts_with(' ') && CARGO_PROGRESS.contains(&line.split_whitespace().next().unwrap_or(""))
}

/// A failure's text as cargo (or evcxr around it) gave it, split into cargo's progress lines
/// and the message itself, without the leading `error: ` that every front end adds.
pub fn split_cargo_progress(text: &str) -> (Vec<String>, String) {
    let mut progress = Vec::new();
    let mut message = Vec::new();
    for line in text.lines() {
        if is_cargo_progress(line) {
            progress.push(line.trim().to_owned());
        } else {
            message.push(line);
        }
    }
    let message = message.join("\n");
    let message = message.trim();
    let message = message.strip_prefix("error: ").unwrap_or(message);
    (progress, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(strip_ansi("\u{1b}[31merror\u{1b}[0m: x"), "error: x");
        assert_eq!(strip_ansi("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(strip_ansi("plain"), "plain");
    }

    #[test]
    fn cargo_progress_is_not_part_of_the_message() {
        let (progress, message) = split_cargo_progress(
            "    Updating crates.io index\nerror: no matching package named `nosuchcrate_xyz` found\nlocation searched: crates.io index\n",
        );
        assert_eq!(progress, ["Updating crates.io index"]);
        assert_eq!(
            message,
            "no matching package named `nosuchcrate_xyz` found\nlocation searched: crates.io index"
        );
        let (progress, message) = split_cargo_progress("Compiling is what I do");
        assert!(progress.is_empty());
        assert_eq!(message, "Compiling is what I do");
    }
}
