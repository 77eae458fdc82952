// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

#[cfg(all(unix, not(target_os = "freebsd")))]
#[macro_use]
extern crate sig;

#[macro_use]
mod errors;
mod cargo_metadata;
mod child_process;
mod code_block;
mod command_context;
mod crash_guard;
mod crate_config;
mod eval_context;
#[allow(dead_code)]
mod evcxr_internal_runtime;
mod item;
mod module;
mod runtime;
mod rust_analyzer;
mod statement_splitter;
mod toml_parse;
mod use_trees;

pub use crate::command_context::CommandContext;
pub use crate::errors::CompilationError;
pub use crate::errors::Error;
pub use crate::errors::Theme;
pub use crate::eval_context::ContextState;
pub use crate::eval_context::EvalCallbacks;
pub use crate::eval_context::EvalContext;
pub use crate::eval_context::EvalContextOutputs;
pub use crate::eval_context::EvalOutputs;
pub use crate::runtime::runtime_hook;
pub use rust_analyzer::Completions;

/// Return the directory that evcxr tools should use for their configuration.
///
/// By default this is the `evcxr` subdirectory of whatever `dirs::config_dir()`
/// returns, but it can be overridden by the `EVCXR_CONFIG_DIR` environment
/// variable.
/// What `:load_config` runs, for front ends that drive an `EvalContext` (tmrepl patch,
/// change 12): the evcxr.toml found (in the current folder, else the config folder), the
/// `:dep` lines of its `[dependencies]` (else init.evcxr), and its prelude code (else
/// prelude.rs).
pub struct StartupConfig {
    pub source_path: Option<std::path::PathBuf>,
    pub deps: Option<String>,
    pub prelude: Option<String>,
}

pub fn startup_config() -> Result<StartupConfig, Error> {
    let config = toml_parse::ConfigToml::find_then_parse()?;
    Ok(StartupConfig {
        deps: config.get_dep_string_versions()?,
        prelude: config.get_prelude_string_versions()?,
        source_path: config.source_path,
    })
}

/// Empties the build cache of `:cache` (what evcxr's `:clear_cache` does); the bytes freed.
pub fn clear_cache() -> Result<u64, Error> {
    Ok(module::cache::cleanup(0)?)
}

pub fn config_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("EVCXR_CONFIG_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("evcxr")))
}
