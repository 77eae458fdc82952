//! What both front ends (line mode and the full-screen interface) share: what a finished
//! cell shows, when quitting needs a confirmation, and saving before quitting. Each front
//! end only decides how these look.

use crate::app::{App, Update};
use crate::session::{Notice, NoticeKind, Session, format_duration};
use crate::timeline::CellStatus;
use std::time::Duration;

/// One piece of what a finished cell shows, in the order shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellReport {
    /// What the compiler or the runtime said (a compile error, a panic's message, why
    /// the process died), possibly several lines.
    ErrorText(String),
    /// Why the cell failed, when nothing else said so.
    Failed(String),
    Panicked(u32),
    Value {
        cell: u32,
        text: String,
    },
    /// The cell's wall time, with `:timing` on.
    Took(Duration),
}

impl CellReport {
    /// The words, without a front end's prefixes or colours.
    pub fn text(&self) -> String {
        match self {
            CellReport::ErrorText(text) | CellReport::Failed(text) => text.clone(),
            CellReport::Panicked(cell) => format!("cell {cell} panicked"),
            CellReport::Value { text, .. } => text.clone(),
            CellReport::Took(duration) => format!("took {}", format_duration(*duration)),
        }
    }
}

/// What to show for cell `number`, which just finished; nothing for an unknown cell.
pub fn finished_cell(session: &Session, number: u32) -> Vec<CellReport> {
    let Some(cell) = session.timeline().get(number) else {
        return Vec::new();
    };
    let mut reports = Vec::new();
    if let Some(error) = &cell.error_text {
        reports.push(CellReport::ErrorText(error.clone()));
    }
    match &cell.status {
        CellStatus::Panic => reports.push(CellReport::Panicked(number)),
        CellStatus::Error(message) if cell.error_text.is_none() => {
            reports.push(CellReport::Failed(message.clone()))
        }
        _ => {}
    }
    if let Some(value) = &cell.value {
        reports.push(CellReport::Value {
            cell: number,
            text: value.clone(),
        });
    }
    if session.timing()
        && let Some(duration) = cell.duration
    {
        reports.push(CellReport::Took(duration));
    }
    reports
}

/// Background jobs still running when the user asks to quit: quitting stops them, so it
/// needs a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningJobs(Vec<u32>);

/// The jobs quitting now would stop; None when it stops none.
pub fn jobs_in_the_way(session: &Session) -> Option<RunningJobs> {
    let jobs = session.active_jobs();
    (!jobs.is_empty()).then_some(RunningJobs(jobs))
}

impl RunningJobs {
    fn list(&self) -> String {
        let numbers: Vec<String> = self.0.iter().map(u32::to_string).collect();
        numbers.join(", ")
    }

    fn one(&self) -> bool {
        self.0.len() == 1
    }

    /// Line mode asks, and quits on `confirms_quit`.
    pub fn question(&self) -> String {
        let (s, them) = if self.one() {
            ("", "it")
        } else {
            ("s", "them")
        };
        format!(
            "job{s} {} still running; quit and stop {them}? [y/N] ",
            self.list()
        )
    }

    /// Line mode at the end of piped input, where nobody can be asked.
    pub fn stopped_at_end_of_input(&self) -> String {
        let s = if self.one() { "" } else { "s" };
        format!(
            "stopped job{s} {} (still running at the end of input)",
            self.list()
        )
    }

    /// The interface warns once; the same quit key again confirms.
    pub fn press_again(&self) -> String {
        format!(
            "jobs {} still running: Ctrl-D again stops them and quits",
            self.list()
        )
    }
}

/// Whether an answer to `RunningJobs::question` means yes; no answer means no.
pub fn confirms_quit(answer: Option<&str>) -> bool {
    matches!(answer.map(str::trim), Some("y" | "Y" | "yes"))
}

/// Before quitting: when values are still unsaved, tells `announce` what is being saved,
/// writes them and returns what saving said. Snapshots die with the process.
pub fn save_before_quit(app: &mut App, announce: impl FnOnce(&str)) -> Vec<Update> {
    let Some(message) = app.quit_saving_message() else {
        return Vec::new();
    };
    announce(&message);
    app.save_before_quit()
}

/// What saving said that matters once the screen is gone: problems, not progress.
pub fn problems(updates: &[Update]) -> impl Iterator<Item = &Notice> {
    updates.iter().filter_map(|update| match update {
        Update::Notice(notice) if notice.kind != NoticeKind::Info => Some(notice),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{CellOutcome, EngineEvent, Settings};

    fn finished(status: CellStatus, value: Option<&str>, error_text: Option<&str>) -> Session {
        let mut session = Session::new(Settings::default());
        session.submit("cell()");
        session.handle(EngineEvent::CellFinished(CellOutcome {
            cell: 1,
            status,
            value: value.map(str::to_owned),
            error_text: error_text.map(str::to_owned),
            duration: Duration::from_millis(5),
            vars: Vec::new(),
            snapshot: None,
            restored_to: None,
        }));
        session
    }

    #[test]
    fn a_value_shows_as_the_cells_output() {
        let session = finished(CellStatus::Ok, Some("42"), None);
        assert_eq!(
            finished_cell(&session, 1),
            vec![CellReport::Value {
                cell: 1,
                text: "42".into()
            }]
        );
        assert!(finished_cell(&session, 9).is_empty());
    }

    #[test]
    fn a_panic_shows_its_message_then_says_so() {
        let session = finished(CellStatus::Panic, None, Some("boom"));
        let reports = finished_cell(&session, 1);
        assert_eq!(
            reports,
            vec![
                CellReport::ErrorText("boom".into()),
                CellReport::Panicked(1)
            ]
        );
        assert_eq!(reports[1].text(), "cell 1 panicked");
    }

    #[test]
    fn a_failure_without_text_shows_its_reason_once() {
        let session = finished(CellStatus::Error("the runtime died".into()), None, None);
        assert_eq!(
            finished_cell(&session, 1),
            vec![CellReport::Failed("the runtime died".into())]
        );
        let session = finished(
            CellStatus::Error("the runtime died".into()),
            None,
            Some("signal 9"),
        );
        assert_eq!(
            finished_cell(&session, 1),
            vec![CellReport::ErrorText("signal 9".into())]
        );
    }

    #[test]
    fn quit_questions_name_the_jobs() {
        let one = RunningJobs(vec![3]);
        let two = RunningJobs(vec![3, 5]);
        assert_eq!(
            one.question(),
            "job 3 still running; quit and stop it? [y/N] "
        );
        assert_eq!(
            two.question(),
            "jobs 3, 5 still running; quit and stop them? [y/N] "
        );
        assert_eq!(
            two.stopped_at_end_of_input(),
            "stopped jobs 3, 5 (still running at the end of input)"
        );
        assert_eq!(
            one.press_again(),
            "jobs 3 still running: Ctrl-D again stops them and quits"
        );
        assert!(jobs_in_the_way(&Session::new(Settings::default())).is_none());
    }

    #[test]
    fn only_yes_confirms_quitting() {
        assert!(confirms_quit(Some(" y\n")));
        assert!(confirms_quit(Some("yes")));
        assert!(!confirms_quit(Some("")));
        assert!(!confirms_quit(Some("n")));
        assert!(!confirms_quit(None));
    }

    #[test]
    fn problems_leave_out_progress() {
        let updates = vec![
            Update::Notice(Notice::info("saved")),
            Update::Notice(Notice::warning("cell 2 not saved")),
            Update::CellFinished(1),
        ];
        let texts: Vec<&str> = problems(&updates).map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["cell 2 not saved"]);
    }
}
