//! The kernel's five ZeroMQ sockets, served by a tokio runtime on a thread of their own.
//! Requests arrive checked and parsed on a channel; the kernel loop sends back through
//! `Sockets::send`. The heartbeat is echoed here, so it answers even while a cell runs.

use super::wire::{ConnectionInfo, Message, Received, Signer};
use anyhow::{Context, Result};
use bytes::Bytes;
use crossbeam_channel::Receiver;
use tokio::sync::mpsc;
use zeromq::{Socket, SocketRecv, SocketSend, ZmqMessage};

/// Where a request came from, and so where its reply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Shell,
    Control,
    Stdin,
    /// Outgoing only: broadcasts to every front end.
    Iopub,
}

pub struct Incoming {
    pub channel: Channel,
    pub received: Received,
}

enum Outgoing {
    Message {
        channel: Channel,
        message: Message,
    },
    /// Answered once everything queued before it was handed to its socket.
    Flush(crossbeam_channel::Sender<()>),
}

pub struct Sockets {
    pub incoming: Receiver<Incoming>,
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl Sockets {
    /// Queues `message` on `channel`; false when the socket thread has stopped.
    pub fn send(&self, channel: Channel, message: Message) -> bool {
        self.outgoing
            .send(Outgoing::Message { channel, message })
            .is_ok()
    }

    /// Waits (at most `limit`) until what was sent is out, e.g. the shutdown_reply before
    /// the process exits.
    pub fn flush(&self, limit: std::time::Duration) {
        let (done, flushed) = crossbeam_channel::bounded(1);
        if self.outgoing.send(Outgoing::Flush(done)).is_ok() {
            let _ = flushed.recv_timeout(limit);
        }
    }
}

/// Binds every socket of `info`; returns once they are bound (or why one could not be).
pub fn start(info: &ConnectionInfo) -> Result<Sockets> {
    let (in_tx, in_rx) = crossbeam_channel::unbounded();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
    let info = info.clone();
    std::thread::Builder::new()
        .name("tmrepl-zmq".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(anyhow::Error::from(e)));
                    return;
                }
            };
            runtime.block_on(serve(info, in_tx, out_rx, ready_tx));
        })?;
    ready_rx
        .recv()
        .context("the socket thread stopped before binding")??;
    Ok(Sockets {
        incoming: in_rx,
        outgoing: out_tx,
    })
}

async fn bind<S: Socket>(info: &ConnectionInfo, port: u16) -> Result<S> {
    let mut socket = S::new();
    let endpoint = info.endpoint(port);
    socket
        .bind(&endpoint)
        .await
        .with_context(|| format!("binding {endpoint}"))?;
    Ok(socket)
}

async fn serve(
    info: ConnectionInfo,
    incoming: crossbeam_channel::Sender<Incoming>,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
    ready: crossbeam_channel::Sender<Result<()>>,
) {
    let bound = async {
        let shell: zeromq::RouterSocket = bind(&info, info.shell_port).await?;
        let control: zeromq::RouterSocket = bind(&info, info.control_port).await?;
        let stdin: zeromq::RouterSocket = bind(&info, info.stdin_port).await?;
        let iopub: zeromq::PubSocket = bind(&info, info.iopub_port).await?;
        let heartbeat: zeromq::RepSocket = bind(&info, info.hb_port).await?;
        anyhow::Ok((shell, control, stdin, iopub, heartbeat))
    }
    .await;
    let (shell, control, stdin, mut iopub, mut heartbeat) = match bound {
        Ok(sockets) => sockets,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let signer = Signer::new(&info.key);
    tokio::spawn(async move {
        while let Ok(ping) = heartbeat.recv().await {
            if heartbeat.send(ping).await.is_err() {
                break;
            }
        }
    });
    let mut senders = Vec::new();
    for (channel, socket) in [
        (Channel::Shell, shell),
        (Channel::Control, control),
        (Channel::Stdin, stdin),
    ] {
        let (send, mut recv) = socket.split();
        senders.push((channel, send));
        let incoming = incoming.clone();
        let signer = signer.clone();
        tokio::spawn(async move {
            while let Ok(message) = recv.recv().await {
                let frames: Vec<Vec<u8>> = message.into_vec().into_iter().map(Vec::from).collect();
                match Message::from_frames(&frames, &signer) {
                    Ok(received) => {
                        if incoming.send(Incoming { channel, received }).is_err() {
                            break;
                        }
                    }
                    // Not from our client (or garbled): nothing can be answered to it.
                    Err(e) => eprintln!("tmrepl kernel: dropped a message on {channel:?}: {e}"),
                }
            }
        });
    }
    while let Some(next) = outgoing.recv().await {
        let (channel, mut message) = match next {
            Outgoing::Message { channel, message } => (channel, message),
            Outgoing::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        if channel == Channel::Iopub {
            // The topic front ends subscribe by; they subscribe to everything.
            message.identities = vec![format!("kernel.{}", message.msg_type()).into_bytes()];
        }
        let frames: Vec<Bytes> = message
            .to_frames(&signer)
            .into_iter()
            .map(Bytes::from)
            .collect();
        let Ok(zmq_message) = ZmqMessage::try_from(frames) else {
            continue;
        };
        let sent = match channel {
            Channel::Iopub => iopub.send(zmq_message).await,
            _ => match senders.iter_mut().find(|(c, _)| *c == channel) {
                Some((_, socket)) => socket.send(zmq_message).await,
                None => continue,
            },
        };
        if let Err(e) = sent {
            eprintln!(
                "tmrepl kernel: could not send {} on {channel:?}: {e}",
                message.msg_type()
            );
        }
    }
}
