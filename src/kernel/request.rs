//! What a client asks, as typed values: each message is read once, where it comes off the
//! socket (`wire::Message::from_frames`), and the kernel matches on `KernelRequest`, never
//! on `msg_type` strings or JSON fields. Fields the protocol makes optional get its
//! defaults here; a field of the wrong type, or a missing required one, makes the message
//! malformed, which the kernel answers with an error reply.

use serde::Deserialize;
use serde_json::Value;

/// One message from a client on the shell, control or stdin channel.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelRequest {
    KernelInfo,
    Execute(Execute),
    IsComplete {
        code: String,
    },
    Complete {
        code: String,
        /// In Unicode code points (protocol 5.2 and later); `usize::MAX` when absent: the end.
        cursor_pos: usize,
    },
    Inspect {
        code: String,
        cursor_pos: usize,
    },
    History(History),
    CommInfo,
    /// A comm a client opens; tmrepl has no comm targets, so it is closed at once.
    CommOpen {
        comm_id: Value,
    },
    Interrupt,
    Shutdown {
        restart: bool,
    },
    /// The answer to an `input_request` (stdin channel).
    InputReply {
        value: String,
    },
    /// Another `*_request`: the protocol asks for a reply, so it gets an error one.
    UnknownRequest(String),
    /// Anything else (a broadcast or a reply this kernel never asked for): ignored.
    Ignored(String),
}

/// `execute_request`'s content.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Execute {
    pub code: String,
    #[serde(default)]
    pub silent: bool,
    #[serde(default = "yes")]
    pub allow_stdin: bool,
    #[serde(default = "yes")]
    pub stop_on_error: bool,
}

/// `history_request`'s content.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct History {
    /// Each entry with the cell's output too.
    #[serde(default)]
    pub output: bool,
    /// `tail`, `range` or `search` (see `access`); any other means every cell.
    #[serde(default)]
    hist_access_type: Option<String>,
    /// For `tail` and `search`: only the last `n`.
    #[serde(default)]
    pub n: Option<u64>,
    /// For `range`: cells `start..stop`.
    #[serde(default)]
    pub start: Option<u64>,
    #[serde(default)]
    pub stop: Option<u64>,
    /// For `search`: a glob (`*`, `?`), and whether each source comes once.
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub unique: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryAccess {
    Tail,
    Range,
    Search,
}

impl History {
    pub fn access(&self) -> Option<HistoryAccess> {
        match self.hist_access_type.as_deref()? {
            "tail" => Some(HistoryAccess::Tail),
            "range" => Some(HistoryAccess::Range),
            "search" => Some(HistoryAccess::Search),
            _ => None,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct Code {
    code: String,
}

#[derive(Deserialize)]
struct CodeAt {
    code: String,
    #[serde(default)]
    cursor_pos: Option<usize>,
}

#[derive(Deserialize)]
struct CommOpen {
    comm_id: Value,
}

#[derive(Deserialize)]
struct Shutdown {
    #[serde(default)]
    restart: bool,
}

#[derive(Deserialize)]
struct InputReply {
    #[serde(default)]
    value: String,
}

impl KernelRequest {
    /// Reads the content of a message of `msg_type`; the error says what is wrong with it.
    pub fn parse(msg_type: &str, content: &Value) -> Result<KernelRequest, String> {
        fn read<T: for<'de> Deserialize<'de>>(
            msg_type: &str,
            content: &Value,
        ) -> Result<T, String> {
            T::deserialize(content).map_err(|e| format!("{msg_type}: {e}"))
        }
        Ok(match msg_type {
            "kernel_info_request" => KernelRequest::KernelInfo,
            "execute_request" => KernelRequest::Execute(read(msg_type, content)?),
            "is_complete_request" => KernelRequest::IsComplete {
                code: read::<Code>(msg_type, content)?.code,
            },
            "complete_request" => {
                let at: CodeAt = read(msg_type, content)?;
                KernelRequest::Complete {
                    code: at.code,
                    cursor_pos: at.cursor_pos.unwrap_or(usize::MAX),
                }
            }
            "inspect_request" => {
                let at: CodeAt = read(msg_type, content)?;
                KernelRequest::Inspect {
                    code: at.code,
                    cursor_pos: at.cursor_pos.unwrap_or(usize::MAX),
                }
            }
            "history_request" => KernelRequest::History(read(msg_type, content)?),
            "comm_info_request" => KernelRequest::CommInfo,
            "comm_open" => KernelRequest::CommOpen {
                comm_id: read::<CommOpen>(msg_type, content)?.comm_id,
            },
            "interrupt_request" => KernelRequest::Interrupt,
            "shutdown_request" => KernelRequest::Shutdown {
                restart: read::<Shutdown>(msg_type, content)?.restart,
            },
            "input_reply" => KernelRequest::InputReply {
                value: read::<InputReply>(msg_type, content)?.value,
            },
            other if other.ends_with("_request") => KernelRequest::UnknownRequest(other.to_owned()),
            other => KernelRequest::Ignored(other.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn execute_takes_the_protocols_defaults() {
        let request = KernelRequest::parse("execute_request", &json!({"code": "1 + 1"}));
        assert_eq!(
            request,
            Ok(KernelRequest::Execute(Execute {
                code: "1 + 1".into(),
                silent: false,
                allow_stdin: true,
                stop_on_error: true,
            }))
        );
        let quiet =
            json!({"code": "", "silent": true, "allow_stdin": false, "stop_on_error": false});
        let Ok(KernelRequest::Execute(execute)) = KernelRequest::parse("execute_request", &quiet)
        else {
            panic!("not an execute");
        };
        assert!(execute.silent && !execute.allow_stdin && !execute.stop_on_error);
    }

    #[test]
    fn a_missing_or_mistyped_field_is_malformed() {
        let missing = KernelRequest::parse("execute_request", &json!({}));
        assert!(missing.is_err_and(|why| why.contains("missing field `code`")));
        let mistyped = KernelRequest::parse("complete_request", &json!({"code": 3}));
        assert!(mistyped.is_err_and(|why| why.starts_with("complete_request: ")));
    }

    #[test]
    fn unknown_requests_are_told_from_other_messages() {
        assert_eq!(
            KernelRequest::parse("debug_request", &json!({})),
            Ok(KernelRequest::UnknownRequest("debug_request".into()))
        );
        assert_eq!(
            KernelRequest::parse("comm_msg", &json!({})),
            Ok(KernelRequest::Ignored("comm_msg".into()))
        );
    }

    #[test]
    fn history_and_completion_read_their_fields() {
        let history =
            json!({"hist_access_type": "search", "pattern": "let*", "unique": true, "n": 2});
        let Ok(KernelRequest::History(history)) = KernelRequest::parse("history_request", &history)
        else {
            panic!("not a history request");
        };
        assert_eq!(history.access(), Some(HistoryAccess::Search));
        assert_eq!(history.pattern.as_deref(), Some("let*"));
        assert!(history.unique);
        assert_eq!(history.n, Some(2));
        assert_eq!(
            KernelRequest::parse("complete_request", &json!({"code": "x.", "cursor_pos": 2})),
            Ok(KernelRequest::Complete {
                code: "x.".into(),
                cursor_pos: 2
            })
        );
        assert_eq!(
            KernelRequest::parse("shutdown_request", &json!({"restart": true})),
            Ok(KernelRequest::Shutdown { restart: true })
        );
    }
}
