//! One message per SOCK_SEQPACKET packet, optionally carrying one file descriptor.

use super::protocol::{decode, encode};
use nix::sys::socket::{
    AddressFamily, ControlMessage, MsgFlags, SockFlag, SockType, sendmsg, socketpair,
};
use serde::{Deserialize, Serialize};
use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, OwnedFd};

const MAX_PACKET: usize = 64 * 1024;

pub fn pair() -> io::Result<(OwnedFd, OwnedFd)> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(io::Error::from)
}

pub fn send<T: Serialize>(socket: &OwnedFd, message: &T, fd: Option<&OwnedFd>) -> io::Result<()> {
    let body = encode(message)?;
    let iov = [IoSlice::new(&body)];
    let raw_fds;
    let control: Vec<ControlMessage> = match fd {
        Some(fd) => {
            raw_fds = [fd.as_raw_fd()];
            vec![ControlMessage::ScmRights(&raw_fds)]
        }
        None => Vec::new(),
    };
    loop {
        match sendmsg::<()>(
            socket.as_raw_fd(),
            &iov,
            &control,
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            Ok(_) => return Ok(()),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Blocks for the next packet. `Ok(None)` means the peer is gone.
pub fn recv<T: for<'de> Deserialize<'de>>(
    socket: &OwnedFd,
) -> io::Result<Option<(T, Option<OwnedFd>)>> {
    let mut body = vec![0u8; MAX_PACKET];
    let (len, fd) = super::sys::recv_with_fd(socket, &mut body)?;
    if len == 0 {
        return Ok(None);
    }
    Ok(Some((decode(&body[..len])?, fd)))
}
