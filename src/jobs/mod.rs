//! Job notices: a desktop notification through the session bus when there is one, else a
//! line in the terminal and the bell.

use crate::commands::NotifyMode;
use crate::session::Notice;
use std::time::Duration;

const DESKTOP_TIMEOUT: Duration = Duration::from_secs(2);

/// Shows a job-finished notice where `mode` says. Returns the notice the front end must
/// show itself (with the bell) when it did not go to the desktop.
pub fn notify(mode: NotifyMode, summary: &str, body: &str) -> Option<Notice> {
    match mode {
        NotifyMode::Off => None,
        NotifyMode::Terminal => Some(Notice::info(format!("{summary}: {}", first_line(body)))),
        NotifyMode::Desktop => match desktop(summary, body) {
            Ok(()) => None,
            Err(why) => Some(Notice::info(format!(
                "{summary}: {} (no desktop notification: {why})",
                first_line(body)
            ))),
        },
    }
}

/// Of a terminal notice from `notify`, the part the session's own "job N finished" line
/// does not say: why no desktop notification went out (empty when it was not tried).
pub fn why_not_desktop(notice: &Notice) -> &str {
    match notice.text.find("(no desktop notification") {
        Some(at) => &notice.text[at..],
        None => "",
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Sends an org.freedesktop.Notifications notification, waiting at most two seconds.
pub fn desktop(summary: &str, body: &str) -> Result<(), String> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
        && !std::path::Path::new(&format!("/run/user/{}/bus", nix::unistd::Uid::current())).exists()
    {
        return Err("no session bus".into());
    }
    let (tx, rx) = crossbeam_channel::bounded(1);
    let summary = summary.to_owned();
    let body = body.to_owned();
    std::thread::Builder::new()
        .name("tmrepl-notify".into())
        .spawn(move || {
            let result = notify_rust::Notification::new()
                .appname("tmrepl")
                .summary(&summary)
                .body(&body)
                .show()
                .map(|_| ())
                .map_err(|e| e.to_string());
            let _ = tx.send(result);
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(DESKTOP_TIMEOUT) {
        Ok(result) => result.map_err(|e| e.lines().next().unwrap_or("").to_owned()),
        Err(_) => Err("the notification service did not answer".into()),
    }
}
