//! Jupyter messages on the wire (protocol 5.3): the connection file, framing a message
//! into ZeroMQ frames and back, and HMAC-SHA256 signing. Pure: no sockets here.

use super::request::KernelRequest;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

/// The frame that separates routing identities from the signed message.
pub const DELIMITER: &[u8] = b"<IDS|MSG>";
pub const PROTOCOL_VERSION: &str = "5.3";

/// What a Jupyter client writes for its kernel to read (`--connection-file`).
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectionInfo {
    #[serde(default = "default_transport")]
    pub transport: String,
    pub ip: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    #[serde(default)]
    pub key: String,
    #[serde(default = "default_scheme")]
    pub signature_scheme: String,
}

fn default_transport() -> String {
    "tcp".into()
}

fn default_scheme() -> String {
    "hmac-sha256".into()
}

impl ConnectionInfo {
    pub fn parse(text: &str) -> Result<ConnectionInfo, WireError> {
        let info: ConnectionInfo =
            serde_json::from_str(text).map_err(|e| WireError::Connection(e.to_string()))?;
        if info.transport != "tcp" {
            return Err(WireError::Connection(format!(
                "transport {} is not supported (only tcp)",
                info.transport
            )));
        }
        if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
            return Err(WireError::Connection(format!(
                "signature scheme {} is not supported (only hmac-sha256)",
                info.signature_scheme
            )));
        }
        Ok(info)
    }

    pub fn endpoint(&self, port: u16) -> String {
        format!("{}://{}:{}", self.transport, self.ip, port)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("bad connection file: {0}")]
    Connection(String),
    #[error("no <IDS|MSG> delimiter, or fewer than the five frames after it")]
    Framing,
    #[error("wrong or missing signature")]
    Signature,
    #[error("the header is not a JSON object with msg_type and msg_id: {0}")]
    Header(String),
}

/// Signs and checks messages with the connection's key; an empty key means unsigned.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(key: &str) -> Signer {
        Signer {
            key: key.as_bytes().to_vec(),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<Hmac<Sha256>> {
        if self.key.is_empty() {
            return None;
        }
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        for part in parts {
            mac.update(part);
        }
        Some(mac)
    }

    pub fn sign(&self, parts: &[&[u8]]) -> String {
        self.mac(parts)
            .map(|mac| hex::encode(mac.finalize().into_bytes()))
            .unwrap_or_default()
    }

    /// Constant-time check of a hex signature over `parts`.
    pub fn verify(&self, signature: &[u8], parts: &[&[u8]]) -> bool {
        match self.mac(parts) {
            None => true,
            Some(mac) => hex::decode(signature).is_ok_and(|bytes| mac.verify_slice(&bytes).is_ok()),
        }
    }
}

/// One message: routing identities, then the four signed parts (and buffers, unused).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub identities: Vec<Vec<u8>>,
    pub header: Value,
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
}

/// A message whose frames and signature were right, and what it asks. A content that is
/// not JSON, or not what its type needs, is `Err` with the reason: it still gets an error
/// reply, since its header says what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub message: Message,
    pub request: Result<KernelRequest, String>,
}

impl Message {
    pub fn msg_type(&self) -> &str {
        self.header["msg_type"].as_str().unwrap_or("")
    }

    /// A new message of `msg_type` in reply to (or caused by) `self`, to the same peer.
    pub fn reply(&self, msg_type: &str, content: Value) -> Message {
        let session = self.header["session"].as_str().unwrap_or("").to_owned();
        Message {
            identities: self.identities.clone(),
            header: new_header(msg_type, &session),
            parent_header: self.header.clone(),
            metadata: json!({}),
            content,
        }
    }

    pub fn to_frames(&self, signer: &Signer) -> Vec<Vec<u8>> {
        let parts = [
            self.header.to_string().into_bytes(),
            self.parent_header.to_string().into_bytes(),
            self.metadata.to_string().into_bytes(),
            self.content.to_string().into_bytes(),
        ];
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let signature = signer.sign(&refs);
        let mut frames = self.identities.clone();
        frames.push(DELIMITER.to_vec());
        frames.push(signature.into_bytes());
        frames.extend(parts);
        frames
    }

    /// Splits, checks the signature and parses. A wrong signature or framing is an error
    /// (the message is dropped); bad content JSON is kept for an error reply.
    pub fn from_frames(frames: &[Vec<u8>], signer: &Signer) -> Result<Received, WireError> {
        let at = frames
            .iter()
            .position(|f| f == DELIMITER)
            .ok_or(WireError::Framing)?;
        let rest = &frames[at + 1..];
        if rest.len() < 5 {
            return Err(WireError::Framing);
        }
        let parts: Vec<&[u8]> = rest[1..5].iter().map(Vec::as_slice).collect();
        if !signer.verify(&rest[0], &parts) {
            return Err(WireError::Signature);
        }
        let parse = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes);
        let header = parse(parts[0]).map_err(|e| WireError::Header(e.to_string()))?;
        if !header["msg_type"].is_string() || !header["msg_id"].is_string() {
            return Err(WireError::Header("msg_type or msg_id missing".into()));
        }
        let mut content_error = None;
        let mut lenient = |bytes: &[u8]| match parse(bytes) {
            Ok(value) => value,
            Err(e) => {
                content_error.get_or_insert(e.to_string());
                json!({})
            }
        };
        let parent_header = lenient(parts[1]);
        let metadata = lenient(parts[2]);
        let content = lenient(parts[3]);
        if content_error.is_none() && !content.is_object() {
            content_error = Some("the content is not a JSON object".into());
        }
        let message = Message {
            identities: frames[..at].to_vec(),
            header,
            parent_header,
            metadata,
            content,
        };
        let request = match content_error {
            Some(why) => Err(why),
            None => KernelRequest::parse(message.msg_type(), &message.content),
        };
        Ok(Received { message, request })
    }
}

pub fn new_header(msg_type: &str, session: &str) -> Value {
    json!({
        "msg_id": uuid::Uuid::new_v4().to_string(),
        "session": session,
        "username": "tmrepl",
        "date": iso8601_now(),
        "msg_type": msg_type,
        "version": PROTOCOL_VERSION,
    })
}

/// The current UTC time as `2026-11-26T12:15:57.123456Z`.
pub fn iso8601_now() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    iso8601(since.as_secs(), since.subsec_micros())
}

fn iso8601(secs: u64, micros: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Message {
        Message {
            identities: vec![b"peer".to_vec()],
            header: new_header("execute_request", "s1"),
            parent_header: json!({}),
            metadata: json!({}),
            content: json!({"code": "1 + 1"}),
        }
    }

    #[test]
    fn a_signed_message_round_trips() {
        let signer = Signer::new("secret");
        let message = request();
        let frames = message.to_frames(&signer);
        assert_eq!(frames[1], DELIMITER);
        assert_eq!(frames[2].len(), 64, "hex of a SHA-256 HMAC");
        let back = Message::from_frames(&frames, &signer).unwrap();
        assert_eq!(back.message, message);
        let Ok(KernelRequest::Execute(execute)) = back.request else {
            panic!("{:?}", back.request);
        };
        assert_eq!(execute.code, "1 + 1");
    }

    #[test]
    fn a_wrong_or_missing_signature_is_refused() {
        let frames = request().to_frames(&Signer::new("other key"));
        assert_eq!(
            Message::from_frames(&frames, &Signer::new("secret")),
            Err(WireError::Signature)
        );
        let unsigned = request().to_frames(&Signer::new(""));
        assert_eq!(
            Message::from_frames(&unsigned, &Signer::new("secret")),
            Err(WireError::Signature)
        );
        let mut tampered = request().to_frames(&Signer::new("secret"));
        tampered[6] = br#"{"code": "evil()"}"#.to_vec();
        assert_eq!(
            Message::from_frames(&tampered, &Signer::new("secret")),
            Err(WireError::Signature)
        );
    }

    #[test]
    fn the_signature_matches_jupyter_clients() {
        // hmac.new(b"key", b"abcd", hashlib.sha256).hexdigest()
        assert_eq!(
            Signer::new("key").sign(&[b"ab", b"c", b"d"]),
            "2a31ec0ee8d878c9eece9fb0df79b3b90b2256240163aa5ee50d176d3d1121f8"
        );
        assert_eq!(Signer::new("").sign(&[b"abcd"]), "");
    }

    #[test]
    fn bad_frames_and_bad_content_are_told_apart() {
        let signer = Signer::new("");
        assert_eq!(
            Message::from_frames(&[b"x".to_vec()], &signer),
            Err(WireError::Framing)
        );
        let mut frames = request().to_frames(&signer);
        frames[3] = b"{not json".to_vec();
        assert!(matches!(
            Message::from_frames(&frames, &signer),
            Err(WireError::Header(_))
        ));
        let mut frames = request().to_frames(&signer);
        frames[6] = b"[1, 2".to_vec();
        let received = Message::from_frames(&frames, &signer).unwrap();
        assert!(received.request.is_err());
        assert_eq!(received.message.msg_type(), "execute_request");
    }

    #[test]
    fn a_reply_names_its_parent_and_goes_to_the_same_peer() {
        let request = request();
        let reply = request.reply("execute_reply", json!({"status": "ok"}));
        assert_eq!(reply.parent_header, request.header);
        assert_eq!(reply.identities, request.identities);
        assert_eq!(reply.msg_type(), "execute_reply");
        assert_eq!(reply.header["session"], "s1");
    }

    #[test]
    fn dates_are_iso_8601() {
        assert_eq!(iso8601(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(iso8601(1_795_695_357, 42), "2026-11-26T12:15:57.000042Z");
    }

    #[test]
    fn connection_files_are_checked() {
        let good = r#"{"ip": "127.0.0.1", "shell_port": 1, "iopub_port": 2, "stdin_port": 3,
            "control_port": 4, "hb_port": 5, "key": "k", "transport": "tcp",
            "signature_scheme": "hmac-sha256", "kernel_name": "tmrepl"}"#;
        let info = ConnectionInfo::parse(good).unwrap();
        assert_eq!(info.endpoint(info.hb_port), "tcp://127.0.0.1:5");
        assert!(ConnectionInfo::parse(&good.replace("tcp", "ipc")).is_err());
        assert!(ConnectionInfo::parse(&good.replace("hmac-sha256", "hmac-md5")).is_err());
        assert!(ConnectionInfo::parse("{}").is_err());
    }
}
