//! The threads that carry evcxr's output channels and the runtime's notices to the
//! engine's messages while the engine thread is inside evcxr.

use super::*;

/// Where cell output goes instead of the transcript while it is set: the log of cells
/// replayed on resume.
pub(super) type OutputLog = std::sync::Arc<std::sync::Mutex<Option<std::fs::File>>>;

/// Threads that move evcxr's output lines and the runtime's notices into `messages`.
pub(super) fn spawn_forwarders(
    outputs: evcxr::EvalContextOutputs,
    messages: Sender<EngineMessage>,
    flush_requests: Receiver<Sender<()>>,
    stderr_marks: Sender<()>,
    notices: Receiver<RuntimeNotice>,
    hidden_ended: persister::HiddenEnded,
    diverted: OutputLog,
) -> Result<()> {
    let stdout = outputs.stdout;
    let stderr = outputs.stderr;
    let out_messages = messages.clone();
    let out_log = diverted.clone();
    std::thread::Builder::new()
        .name("tmrepl-stdout".into())
        .spawn(move || {
            loop {
                select! {
                    recv(stdout) -> line => match line {
                        Ok(line) => {
                            if !forward(&out_log, &out_messages, Stream::Stdout, line) {
                                break;
                            }
                        }
                        Err(_) => break,
                    },
                    recv(flush_requests) -> ack => match ack {
                        Ok(ack) => {
                            while let Ok(line) = stdout.try_recv() {
                                forward(&out_log, &out_messages, Stream::Stdout, line);
                            }
                            let _ = ack.send(());
                        }
                        Err(_) => break,
                    },
                }
            }
        })?;
    let err_messages = messages.clone();
    std::thread::Builder::new()
        .name("tmrepl-stderr".into())
        .spawn(move || {
            for line in stderr {
                if line == STDERR_MARK {
                    let _ = stderr_marks.send(());
                } else if !forward(&diverted, &err_messages, Stream::Stderr, line) {
                    break;
                }
            }
        })?;
    std::thread::Builder::new()
        .name("tmrepl-notices".into())
        .spawn(move || {
            for notice in notices {
                let message = match notice {
                    RuntimeNotice::InputRequest { prompt, password } => {
                        EngineMessage::InputRequested { prompt, password }
                    }
                    // Save jobs are the engine's own business.
                    RuntimeNotice::JobStarted {
                        job: protocol::JobId::Hidden(_),
                    } => continue,
                    RuntimeNotice::JobFinished(protocol::JobReport {
                        job: protocol::JobId::Hidden(n),
                        ..
                    }) => {
                        if let Ok(mut ended) = hidden_ended.lock() {
                            ended.insert(n);
                        }
                        continue;
                    }
                    RuntimeNotice::JobStarted {
                        job: protocol::JobId::Cell(cell),
                    } => EngineMessage::Event(EngineEvent::JobStarted {
                        cell,
                        at: Instant::now(),
                    }),
                    RuntimeNotice::JobFinished(
                        report @ protocol::JobReport {
                            job: protocol::JobId::Cell(cell),
                            ..
                        },
                    ) => EngineMessage::Event(EngineEvent::JobFinished {
                        cell,
                        end: report.end,
                        duration: Duration::from_micros(report.micros),
                        peak_bytes: report.peak_bytes,
                        degraded: report.degraded,
                    }),
                };
                if messages.send(message).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

/// Sends one line of cell output on, or into the log while one is set.
fn forward(
    log: &OutputLog,
    messages: &Sender<EngineMessage>,
    stream: Stream,
    text: String,
) -> bool {
    if let Ok(mut log) = log.lock()
        && let Some(file) = log.as_mut()
    {
        use std::io::Write as _;
        // A log that cannot be written loses lines, never the session.
        let _ = writeln!(file, "{text}");
        return true;
    }
    messages
        .send(EngineMessage::Event(EngineEvent::Output { stream, text }))
        .is_ok()
}
