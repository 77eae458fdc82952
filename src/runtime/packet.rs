//! One message per SOCK_SEQPACKET packet, optionally carrying one file descriptor.

use super::protocol::{decode, encode};
use nix::sys::socket::{
    AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType, recvmsg,
    sendmsg, socketpair,
};
use serde::{Deserialize, Serialize};
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

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
    let mut control = nix::cmsg_space!([std::os::fd::RawFd; 1]);
    let (len, fd) = loop {
        let mut iov = [IoSliceMut::new(&mut body)];
        match recvmsg::<()>(
            socket.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::MSG_CMSG_CLOEXEC,
        ) {
            Ok(msg) => {
                let mut fd = None;
                for cmsg in msg.cmsgs().map_err(io::Error::from)? {
                    if let ControlMessageOwned::ScmRights(fds) = cmsg {
                        for raw in fds {
                            // SAFETY: SCM_RIGHTS just installed this descriptor in our table;
                            // we are its only owner.
                            let owned = unsafe { OwnedFd::from_raw_fd(raw) };
                            fd.get_or_insert(owned);
                        }
                    }
                }
                break (msg.bytes, fd);
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    if len == 0 {
        return Ok(None);
    }
    Ok(Some((decode(&body[..len])?, fd)))
}
