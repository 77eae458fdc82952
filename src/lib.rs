//! tmrepl: a Rust REPL with a time machine. ARCHITECTURE.md at the repository root maps
//! the modules, the processes and the rules between them.

// Every unsafe block lives in runtime::sys, which alone allows it (`unsafe_code` is
// denied in Cargo.toml's [lints]).

pub mod app;
pub mod archive;
pub mod cli;
pub mod completion;
pub mod config;
pub mod engine;
pub mod export;
pub mod frontend;
pub mod history;
pub mod jobs;
pub mod kernel;
pub mod plain;
pub mod runtime;
pub mod ui;

// The pure core is a crate of its own (crates/tmrepl-core), under the names it had here.
pub use tmrepl_core::{commands, lexer, session, timeline};
