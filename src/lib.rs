//! tmrepl: a Rust REPL with a time machine. ARCHITECTURE.md at the repository root maps
//! the modules, the processes and the rules between them.

// Every unsafe block lives in runtime::sys, which alone allows it (`unsafe_code` is
// denied in Cargo.toml's [lints]).

pub mod app;
pub mod archive;
pub mod cli;
pub mod commands;
pub mod completion;
pub mod config;
pub mod engine;
pub mod export;
pub mod frontend;
pub mod history;
pub mod jobs;
pub mod kernel;
pub mod lexer;
pub mod plain;
pub mod runtime;
pub mod session;
pub mod timeline;
pub mod ui;
