//! Every `unsafe` block of tmrepl lives here: fork, dlopen, raw syscalls, descriptors
//! received over a socket, the environment. `unsafe_code` is denied everywhere else.
//! Callers get safe functions whose preconditions are spelled out.

use std::ffi::{CString, c_void};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

pub enum Forked {
    Child,
    Parent(libc::pid_t),
}

/// fork(2). The child gets a copy-on-write copy of the whole address space but only the
/// calling thread; callers check for other threads first and record a degraded copy.
pub fn fork_process() -> io::Result<Forked> {
    // SAFETY: after fork the child only uses async-signal-safe operations until it either
    // execs nothing and keeps running our single-threaded loop (the worker is
    // single-threaded by construction) or _exits. When the worker has user-started threads
    // the caller marks the copy degraded; locks held by those threads stay held in the copy,
    // which is the documented limit of fork-based snapshots.
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Forked::Child),
        pid => Ok(Forked::Parent(pid)),
    }
}

/// Like fork, but the child's parent is our parent (CLONE_PARENT): a background job forked
/// by the worker is the supervisor's child, so the supervisor can waitpid for its status.
pub fn fork_sibling() -> io::Result<Forked> {
    // SAFETY: clone with CLONE_PARENT and a null stack behaves like fork (the child runs on
    // a copy-on-write copy of our stack) except for who its parent is. It bypasses glibc's
    // atfork handlers; the worker is single-threaded (or the job is marked degraded), so no
    // malloc or stdio lock is held by another thread at this point.
    let pid = unsafe {
        libc::syscall(
            libc::SYS_clone,
            (libc::CLONE_PARENT | libc::SIGCHLD) as libc::c_ulong,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    };
    match pid {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Forked::Child),
        pid => Ok(Forked::Parent(pid as libc::pid_t)),
    }
}

/// Points stdout and stderr at `log`, returning copies of the old ones for `restore_stdio`.
pub fn redirect_stdio(log: &std::fs::File) -> io::Result<(OwnedFd, OwnedFd)> {
    use std::os::fd::{AsFd, AsRawFd};
    let saved_out = io::stdout().as_fd().try_clone_to_owned()?;
    let saved_err = io::stderr().as_fd().try_clone_to_owned()?;
    for target in [libc::STDOUT_FILENO, libc::STDERR_FILENO] {
        // SAFETY: dup2 onto the standard descriptors with a descriptor we own.
        if unsafe { libc::dup2(log.as_raw_fd(), target) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok((saved_out, saved_err))
}

pub fn restore_stdio(saved: (OwnedFd, OwnedFd)) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    for (fd, target) in [
        (saved.0, libc::STDOUT_FILENO),
        (saved.1, libc::STDERR_FILENO),
    ] {
        // SAFETY: dup2 onto the standard descriptors with a descriptor we own.
        if unsafe { libc::dup2(fd.as_raw_fd(), target) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Leave the process without running atexit handlers or destructors (a frozen copy must
/// not flush buffers it shares with its original).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit is always safe to call; it never returns.
    unsafe { libc::_exit(code) }
}

pub fn set_child_subreaper() -> io::Result<()> {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes a plain integer argument.
    let rc = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Have the kernel send SIGKILL to this process when its parent thread dies.
pub fn die_with_parent() -> io::Result<()> {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number.
    let rc = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A file descriptor that becomes readable when process `pid` exits.
pub fn pidfd_open(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just gave us this descriptor; nobody else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// recvmsg(2) of one packet into `body`, taking ownership of the first descriptor that
/// came with it as SCM_RIGHTS (any others are closed). Retries on EINTR.
pub fn recv_with_fd(socket: &OwnedFd, body: &mut [u8]) -> io::Result<(usize, Option<OwnedFd>)> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};
    use std::os::fd::AsRawFd;
    let mut control = nix::cmsg_space!([RawFd; 1]);
    loop {
        let mut iov = [io::IoSliceMut::new(&mut *body)];
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
                            // SAFETY: SCM_RIGHTS just installed this descriptor in our
                            // table; we are its only owner.
                            let owned = unsafe { OwnedFd::from_raw_fd(raw) };
                            fd.get_or_insert(owned);
                        }
                    }
                }
                return Ok((msg.bytes, fd));
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Hands the free memory of the heap back to the system. rust-analyzer's database churns
/// through a few hundred MiB while it answers; glibc keeps what was freed mapped (measured:
/// 490 MiB resident after one cell, 320 MiB after a trim).
pub fn release_free_heap() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim takes no pointers; it walks glibc's own arenas under their locks
    // and only unmaps pages no allocation uses.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Caps glibc's malloc arenas (one per thread that allocates, by default up to eight per
/// core), each of which holds its own freed memory. Call before other threads start.
pub fn limit_heap_arenas(arenas: i32) {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets a parameter of glibc's allocator; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

/// Ignore terminal signals in a frozen copy, so only the supervisor decides its fate.
pub fn ignore_interrupts() {
    for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP, libc::SIGHUP] {
        // SAFETY: SIG_IGN installs no handler code; signal() is async-signal-safe.
        unsafe {
            libc::signal(signal, libc::SIG_IGN);
        }
    }
}

/// Put a signal back to its default action (the supervisor ignores SIGPIPE like every Rust
/// program; a worker's user code should see the usual behaviour of the others).
pub fn default_signal(signal: i32) {
    // SAFETY: SIG_DFL installs no handler code.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
    }
}

/// A shared object evcxr compiled, kept loaded for the life of the process (evcxr never
/// unloads them either: TLS destructors may point into them).
struct Library {
    _handle: *mut c_void,
}

/// evcxr's variable store and the cell libraries its values may point into. The store
/// pointer is only ever the one the previous cell returned, kept here so that no caller
/// can hand a cell a wrong one.
pub struct Cells {
    store: *mut c_void,
    libraries: Vec<Library>,
}

impl Cells {
    pub fn new() -> Cells {
        Cells {
            store: std::ptr::null_mut(),
            libraries: Vec::new(),
        }
    }

    /// Loads `so_path`, a library evcxr built for this process from evcxr's
    /// `LOAD_AND_RUN` line, and calls its cell function `function` with the store.
    pub fn run(&mut self, so_path: &str, function: &str) -> Result<(), String> {
        let path = CString::new(so_path).map_err(|_| format!("bad path {so_path:?}"))?;
        let name = CString::new(function).map_err(|_| format!("bad symbol {function:?}"))?;
        // SAFETY: dlopen of a library evcxr built for this process; RTLD_NOW resolves all
        // symbols up front so failures surface here rather than mid-cell.
        let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if handle.is_null() {
            return Err(format!("dlopen {so_path}: {}", dl_error()));
        }
        self.libraries.push(Library { _handle: handle });
        // SAFETY: handle is a live library handle; name is NUL-terminated.
        let symbol = unsafe { libc::dlsym(handle, name.as_ptr()) };
        if symbol.is_null() {
            return Err(format!("dlsym {function}: {}", dl_error()));
        }
        // SAFETY: evcxr generates this symbol as
        // `pub extern "C" fn run_user_code_N(*mut VariableStore) -> *mut VariableStore`, and
        // `self.store` is the pointer its previous cell returned (or null at first).
        let user_fn: extern "C" fn(*mut c_void) -> *mut c_void = unsafe {
            std::mem::transmute::<*mut c_void, extern "C" fn(*mut c_void) -> *mut c_void>(symbol)
        };
        self.store = user_fn(self.store);
        Ok(())
    }
}

impl Default for Cells {
    fn default() -> Cells {
        Cells::new()
    }
}

fn dl_error() -> String {
    // SAFETY: dlerror returns null or a pointer to a NUL-terminated thread-local string.
    let message = unsafe { libc::dlerror() };
    if message.is_null() {
        return "unknown error".into();
    }
    // SAFETY: checked non-null above; the string lives until the next dl* call.
    unsafe { std::ffi::CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned()
}

/// Whether this process has exactly one thread: then nothing can read the environment
/// while it is changed.
fn single_threaded() -> bool {
    std::fs::read_dir("/proc/self/task").is_ok_and(|tasks| tasks.count() == 1)
}

/// Sets (or removes) an environment variable. Refused once the process has a second
/// thread, which could be reading the environment at the same moment.
pub fn set_env(key: &str, value: Option<&str>) -> io::Result<()> {
    if !single_threaded() {
        return Err(io::Error::other(format!(
            "{key} can only be set while the process has one thread"
        )));
    }
    // SAFETY: checked just above that this is the only thread, and it is busy here.
    unsafe {
        match value {
            Some(value) => std::env::set_var(key, value),
            None => std::env::remove_var(key),
        }
    }
    Ok(())
}
