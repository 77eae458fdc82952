//! tmrepl's pure session core: what a REPL with a time machine decides, as data. The
//! `Session` takes input, the edges' reports and idle time, and returns effects for the
//! edges (evcxr, processes, the terminal, the disk) to carry out; it reads no clock and
//! does no IO. Being a crate of its own, with no dependency on the engine, the terminal
//! or the disk, makes that a rule the compiler keeps. tmrepl re-exports its modules
//! under the same names (`tmrepl::session`, `tmrepl::timeline`, …); ARCHITECTURE.md at
//! the repository root maps them.

pub mod archive;
pub mod commands;
pub mod lexer;
pub mod session;
pub mod timeline;
