// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

use self::artifacts::read_artifacts;
use self::cache::CacheResult;
use crate::code_block::CodeBlock;
use crate::errors::CompilationError;
use crate::errors::Error;
use crate::errors::bail;
use crate::eval_context::Config;
use crate::eval_context::ContextState;
use anyhow::Context;
use anyhow::Result;
use anyhow::anyhow;
use once_cell::sync::Lazy;
use regex::Regex;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

mod artifacts;
pub(crate) mod cache;
mod direct_rustc;

pub(crate) const CORE_EXTERN_ENV: &str = "EVCXR_CORE_EXTERN";
pub(crate) const CACHE_ENABLED_ENV: &str = "EVCXR_CACHE_ENABLED";
const EXECUTION_SO_PATH_FILE: &str = ".evcxr-execution-so";
const EXECUTION_SO_PATH_ENV: &str = "EVCXR_EXECUTION_SO_PATH";
const RUSTC_COMMAND_FILE: &str = ".evcxr-rustc-command";

pub(crate) fn shared_object_prefix() -> &'static str {
    if cfg!(target_os = "macos") {
        "lib"
    } else if cfg!(target_os = "windows") {
        ""
    } else {
        "lib"
    }
}

pub(crate) fn rlib_prefix() -> &'static str {
    // Rlibs are, fortunately consistent in that they always start with "lib" for all platforms.
    "lib"
}

pub(crate) fn shared_object_extension() -> &'static str {
    if cfg!(target_os = "macos") {
        "dylib"
    } else if cfg!(target_os = "windows") {
        "dll"
    } else {
        "so"
    }
}

fn shared_object_name_from_crate_name(crate_name: &str) -> String {
    let prefix = shared_object_prefix();
    let extension = shared_object_extension();
    format!("{prefix}{crate_name}.{extension}")
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    if let Err(err) = fs::create_dir_all(dir) {
        bail!("Error creating directory '{:?}': {}", dir, err);
    }
    Ok(())
}

fn write_file(dir: &Path, basename: &str, contents: &str) -> Result<(), Error> {
    create_dir(dir)?;
    let filename = dir.join(basename);
    // If the file contents is already correct, then skip writing it again. This
    // is mostly to avoid rewriting Cargo.toml which should change relatively
    // little.
    if fs::read_to_string(&filename)
        .map(|c| c == contents)
        .unwrap_or(false)
    {
        return Ok(());
    }
    if let Err(err) = fs::write(&filename, contents) {
        bail!("Error writing '{:?}': {}", filename, err);
    }
    Ok(())
}

/// On Mac, if we copy the dylib, we get intermittent failures where we end up
/// with the previous version of the file when we shouldn't. On windows, if
/// rename the file, we get errors subsequently when something (perhaps the
/// Windows linker) tries to delete the file that it expects to still be there.
/// On Linux either renaming or copying works, but renaming should be more
/// efficient, so we do that.
#[cfg(windows)]
fn rename_or_copy_so_file(src: &Path, dest: &Path) -> Result<(), Error> {
    // Copy file by reading and writing instead of using std::fs::copy. The src
    // is a hard-linked file and we want to make extra sure that we end up with
    // a completely independent copy.
    fn alt_copy(src: &Path, dest: &Path) -> Result<(), std::io::Error> {
        use std::fs::File;
        std::io::copy(&mut File::open(src)?, &mut File::create(dest)?)?;
        Ok(())
    }
    if let Err(err) = alt_copy(src, dest) {
        bail!("Error copying '{:?}' to '{:?}': {}", src, dest, err);
    }
    Ok(())
}

#[cfg(not(windows))]
fn rename_or_copy_so_file(src: &Path, dest: &Path) -> Result<(), Error> {
    if let Err(err) = fs::rename(src, dest) {
        bail!("Error renaming '{:?}' to '{:?}': {}", src, dest, err);
    }
    Ok(())
}

#[derive(Default)]
pub(crate) struct Module {
    build_num: i32,
    last_allow_static: Option<bool>,
    /// The rustc command cargo last ran for the crate, with the fingerprint of the build
    /// inputs it was made from (see `direct_rustc`), for the last few sets of inputs
    /// (newest last): `:past` in tmrepl, or a `:dep` removed again, returns to an earlier
    /// set of dependencies, whose command still holds.
    direct_rustc: Vec<(u64, direct_rustc::RustcCommand)>,
}

const CRATE_NAME: &str = "ctx";
/// How many sets of build inputs keep their rustc command (`Module::direct_rustc`).
const DIRECT_RUSTC_KEPT: usize = 8;

/// The variable store's code, a crate of its own beside the cell's (in a folder of the
/// cell crate's): built once, so that rustc compiles and optimises only the cell's code
/// for each cell instead of the store's too (a module of every cell crate before, whose
/// hash map code shared codegen units with the cell's and was optimised again whenever
/// the cell changed them).
pub(crate) const RUNTIME_CRATE: &str = "evcxr_internal_runtime";
const RUNTIME_MANIFEST: &str = r#"[package]
name = "evcxr_internal_runtime"
version = "1.0.0"
edition = "2024"

[lib]
path = "src/lib.rs"
"#;

impl Module {
    pub(crate) fn new() -> Result<Module, Error> {
        Ok(Module {
            build_num: 0,
            last_allow_static: None,
            direct_rustc: Vec::new(),
        })
    }

    // Writes Cargo.toml. Should be called before compile.
    pub(crate) fn write_cargo_toml(&self, state: &ContextState) -> Result<(), Error> {
        // Unchanged files are not written again (`write_file`): cargo and the direct rustc
        // fingerprint see the same crate.
        let runtime = state.config.crate_dir().join(RUNTIME_CRATE);
        write_file(&runtime, "Cargo.toml", RUNTIME_MANIFEST)?;
        write_file(
            &runtime.join("src"),
            "lib.rs",
            include_str!("evcxr_internal_runtime.rs"),
        )?;
        write_file(
            state.config.crate_dir(),
            "Cargo.toml",
            &self.get_cargo_toml_contents(state),
        )
    }

    // Writes .cargo/config.toml. Should be called before compile.
    pub(crate) fn write_config_toml(&self, state: &ContextState) -> Result<(), Error> {
        let dot_config_dir = state.config.crate_dir().join(".cargo");
        fs::create_dir_all(dot_config_dir.as_path())?;
        write_file(
            dot_config_dir.as_path(),
            "config.toml",
            &self.get_config_toml_contents(state),
        )
    }

    pub(crate) fn check(
        &mut self,
        code_block: &CodeBlock,
        config: &Config,
    ) -> Result<Vec<CompilationError>, Error> {
        self.write_code(code_block, config)?;
        let output = config.cargo_command("check").output();

        let cargo_output = match output {
            Ok(out) => out,
            Err(err) => bail!("Error running 'cargo check': {}", err),
        };
        let (errors, _non_json_error) = errors_from_cargo_output(&cargo_output, code_block);
        Ok(errors)
    }

    pub(crate) fn compile(
        &mut self,
        code_block: &CodeBlock,
        config: &Config,
    ) -> Result<SoFile, Error> {
        if self.last_allow_static == Some(!config.allow_static_linking) {
            // If allow_static_linking has changed, then we need to rebuild everything.
            config.cargo_command("clean").output()?;
            self.direct_rustc.clear();
        }
        self.last_allow_static = Some(config.allow_static_linking);
        let mut command = config.cargo_command("build");
        if config.time_passes && config.toolchain != "nightly" {
            bail!("time_passes option requires nightly compiler");
        }

        self.write_code(code_block, config)?;

        let next_build_num = self.build_num + 1;
        let so_path_file = config.crate_dir().join(EXECUTION_SO_PATH_FILE);
        command.env(EXECUTION_SO_PATH_ENV, &so_path_file);

        match fs::remove_file(&so_path_file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.into()),
        }

        // Only the cell's code changed since cargo last built: run the rustc command it
        // ran then, without cargo (see `direct_rustc`).
        let record_file = config.crate_dir().join(RUSTC_COMMAND_FILE);
        let inputs = record_rustc_command(&mut command, config, &record_file, user_rustc_wrapper())
            .then(|| direct_rustc::build_inputs(config.crate_dir(), &command))
            .flatten();
        let direct = inputs
            .and_then(|inputs| recorded_for(&self.direct_rustc, inputs))
            .and_then(|rustc| rustc.command())
            .and_then(|rustc| Some((execution_so_source(&rustc)?, rustc)));
        let (cargo_output, direct_so_file) = if let Some((so_file, rustc)) = direct {
            (
                run_build(rustc, code_block, "rustc", config.report_dependency_builds)?,
                Some(so_file),
            )
        } else {
            let _ = fs::remove_file(&record_file);
            let built = run_build(
                command,
                code_block,
                "cargo rustc",
                config.report_dependency_builds,
            );
            // Recorded even when the cell did not compile: its dependencies did.
            if let (Some(inputs), Some(rustc)) =
                (inputs, direct_rustc::RustcCommand::read(&record_file))
            {
                remember_recorded(&mut self.direct_rustc, inputs, rustc);
            }
            (built?, None)
        };
        if config.time_passes {
            let output = String::from_utf8_lossy(&cargo_output.stderr);
            eprintln!("{output}");
        }

        let so_file = match direct_so_file {
            Some(so_file) => so_file,
            None => match fs::read_to_string(&so_path_file) {
                Ok(path) => PathBuf::from(path),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    compiled_so_path(&cargo_output.stdout)?
                }
                Err(error) => return Err(error.into()),
            },
        };

        let copied_so_file = so_file.with_file_name(shared_object_name_from_crate_name(&format!(
            "code_{next_build_num}"
        )));

        rename_or_copy_so_file(&so_file, &copied_so_file)?;
        self.build_num = next_build_num;

        if config.cache_bytes() > 0 {
            crate::module::cache::cleanup(config.cache_bytes())?;
        }

        Ok(SoFile {
            path: copied_so_file,
        })
    }

    fn write_code(&self, code_block: &CodeBlock, config: &Config) -> Result<(), Error> {
        write_file(&config.src_dir(), "lib.rs", &code_block.code_string())?;
        self.maybe_bump_lib_mtime(config);
        Ok(())
    }

    #[cfg(not(target_os = "macos"))]
    fn maybe_bump_lib_mtime(&self, _config: &Config) {}

    #[cfg(target_os = "macos")]
    fn maybe_bump_lib_mtime(&self, config: &Config) {
        // Some Macs use a filesystem that only has 1 second precision on file modification
        // timestamps. Cargo uses these timestamps to see if it needs to recompile things, otherwise
        // it just reuses the previous output. We set the modification timestamp on our source file
        // to be 10 seconds in the future. That way it's guaranteed to be newer than any outputs
        // produced by previous runs. In the event that setting the mtime fails, we just ignore it,
        // as this mostly affects tests and we don't want inability to set mtime to break things for
        // users.
        let _ = filetime::set_file_mtime(
            config.src_dir().join("lib.rs"),
            filetime::FileTime::from_unix_time(filetime::FileTime::now().unix_seconds() + 10, 0),
        );
    }

    fn get_cargo_toml_contents(&self, state: &ContextState) -> String {
        let crate_imports = state.format_cargo_deps();
        format!(
            r#"
[package]
name = "{}"
version = "1.0.0"
edition = "2024"

[lib]
crate-type = ["cdylib"]
path = "src/lib.rs"

[profile.dev]
opt-level = {}
debug = false
strip = "debuginfo"
rpath = true
lto = false
debug-assertions = true
codegen-units = 16
panic = 'unwind'
incremental = true
overflow-checks = true

[dependencies]
{} = {{ path = "{}" }}
{}
"#,
            CRATE_NAME,
            state.opt_level(),
            RUNTIME_CRATE,
            RUNTIME_CRATE,
            crate_imports
        )
    }

    // Pass offline mode to cargo through .cargo/config.toml
    fn get_config_toml_contents(&self, state: &ContextState) -> String {
        format!(
            r#"
[net]
offline = {}
"#,
            state.offline_mode()
        )
    }
}

pub(crate) fn wrap_rustc() {
    match wrap_rustc_helper() {
        Err(error) => {
            eprintln!("Failed to wrap rustc: {error}");
            std::process::exit(-1);
        }
        Ok(exit_code) => {
            std::process::exit(exit_code);
        }
    }
}

pub(crate) fn wrap_rustc_helper() -> Result<i32> {
    let mut command = rustc_command()?;
    if execution_so_source(&command).is_some() {
        direct_rustc::RustcCommand::record_if_asked(&command);
    }

    let cache_result = cache::access_cache(&command)?;
    if matches!(cache_result, CacheResult::Hit) {
        report_execution_so(&command)?;
        return Ok(0);
    }

    let output = command.output()?;

    std::io::stdout().write_all(&output.stdout)?;
    std::io::stderr().write_all(&output.stderr)?;

    if output.status.code() == Some(0) {
        let stderr = std::str::from_utf8(&output.stderr).context("Rustc emitted invalid UTF-8")?;
        let artifacts = read_artifacts(stderr);
        if let CacheResult::Miss(cache_miss) = cache_result {
            cache_miss.update_cache(&artifacts)?;
        }
        report_execution_so(&command)?;
    }

    Ok(output.status.code().unwrap_or(-1))
}

fn report_execution_so(command: &Command) -> Result<()> {
    let Some(source) = execution_so_source(command) else {
        return Ok(());
    };

    let Some(path_file) = std::env::var_os(EXECUTION_SO_PATH_ENV) else {
        return Ok(());
    };
    fs::write(path_file, source.to_string_lossy().as_bytes())?;

    Ok(())
}

fn compiled_so_path(cargo_stdout: &[u8]) -> Result<PathBuf, Error> {
    let expected_name = shared_object_name_from_crate_name(CRATE_NAME);

    for line in String::from_utf8_lossy(cargo_stdout).lines().rev() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };

        if message["reason"] != "compiler-artifact" || message["target"]["name"] != CRATE_NAME {
            continue;
        }

        let Some(filenames) = message["filenames"].as_array() else {
            continue;
        };

        if let Some(path) = filenames
            .iter()
            .filter_map(|filename| filename.as_str())
            .map(PathBuf::from)
            .find(|path| {
                path.file_name()
                    .is_some_and(|name| name == std::ffi::OsStr::new(&expected_name))
            })
        {
            return Ok(path);
        }
    }

    bail!(
        "Cargo did not report the path of the compiled shared object '{}'. Cargo stdout:\n{}",
        expected_name,
        String::from_utf8_lossy(cargo_stdout)
    );
}

fn execution_so_source(command: &Command) -> Option<PathBuf> {
    let mut args = command.get_args();
    let mut is_ctx = false;
    let mut out_dir = None;
    while let Some(arg) = args.next() {
        if arg == "--crate-name" {
            is_ctx = args.next().is_some_and(|name| name == CRATE_NAME);
        } else if arg == "--out-dir" {
            out_dir = args.next().map(PathBuf::from);
        }
    }
    if is_ctx {
        Some(out_dir?.join(shared_object_name_from_crate_name(CRATE_NAME)))
    } else {
        None
    }
}

fn rustc_command() -> Result<Command> {
    let mut args = std::env::args().peekable();
    args.next();
    let rustc = args.next().ok_or_else(|| anyhow!("Insufficient args"))?;
    let mut command = std::process::Command::new(rustc);

    if !should_force_dylibs() {
        command.args(args);
        return Ok(command);
    }

    let num_crate_types = std::env::args_os()
        .filter(|arg| arg == "--crate-type")
        .count();
    let core_extern = std::env::var(CORE_EXTERN_ENV)
        .with_context(|| format!("Internal env var {CORE_EXTERN_ENV}` not set"))?;

    let mut got_prefer_dynamic = false;
    while let Some(arg) = args.next() {
        if arg == "-C" {
            let next = args.peek();
            if next.map(|n| n == "prefer-dynamic").unwrap_or_default() {
                got_prefer_dynamic = true;
            }
        }
        if arg == "-Cprefer-dynamic" {
            got_prefer_dynamic = true;
        }

        // If a static library is being linked into this crate, then we modify the linker arguments
        // to make sure that the whole archive gets linked in, otherwise any symbol not referenced
        // by the functions in this crate (most of them) will be garbage collected by the linker.
        // This would be slightly nicer if we could just pass `-l static:+whole-archive=...` to
        // rustc, however rustc doesn't permit `+whole-archive` and `+bundle` at the same time which
        // is what we want.
        if arg == "-l" {
            let Some(next) = args.next() else { continue };
            if let Some(rest) = next.strip_prefix("static=") {
                command.arg("-Clink-arg=-Wl,--whole-archive");
                command.arg("-l").arg(rest);
                command.arg("-Clink-arg=-Wl,--no-whole-archive");
            } else {
                command.arg(arg);
                command.arg(next);
            }
            continue;
        }

        command.arg(&arg);

        // If we're compiling as a crate-type of lib and nothing else, then we tell rustc to also
        // compile as a dylib. We still need compile as type lib though, since otherwise cargo
        // recompiles every time - presumably because it detects that the lib file it asked for
        // isn't present.
        if arg == "--crate-type"
            && num_crate_types == 1
            && let Some(crate_type) = args.next()
        {
            command.arg(&crate_type);
            if crate_type == "lib" {
                command.arg("--crate-type");
                command.arg("dylib");
            }
        }
        // Make paths to our dependencies to use dylibs rather than rlibs.
        if arg == "--extern" {
            let ext = args.next().ok_or_else(|| anyhow!("Insufficient args"))?;
            let (so_arg, rmeta_arg) = map_extern_arg(&ext);
            command.arg(so_arg);
            if let Some(rmeta_arg) = rmeta_arg {
                command.arg("--extern").arg(rmeta_arg);
            }
        }
    }
    command.arg("--extern").arg(&core_extern);
    // Rust ships libstd's .so with only a metadata stub (embed-metadata=no); its metadata
    // is in the .rmeta beside it.
    if let Some(rmeta_arg) = rmeta_beside(&core_extern) {
        command.arg("--extern").arg(rmeta_arg);
    }
    if !got_prefer_dynamic {
        command.arg("-C").arg("prefer-dynamic");
    }
    Ok(command)
}

fn should_force_dylibs() -> bool {
    std::env::var(crate::runtime::FORCE_DYLIB_ENV).is_ok()
}

fn map_extern_arg(ext: &str) -> (OsString, Option<OsString>) {
    if let Some((crate_name, path)) = ext.split_once('=') {
        let mut path = PathBuf::from(path);
        let mut so_arg = OsString::from(crate_name);
        // Remove the rlib prefix and add the shared object prefix (if any). On unix platforms this
        // is redundant because both are "lib", but it's necessary on Windows. We do it
        // unconditionally though because it's cheap and it makes sure the code always gets tested.
        if let Some(without_prefix) = path
            .file_name()
            .and_then(|f| f.to_str())
            .and_then(|f| f.strip_prefix(rlib_prefix()))
        {
            let prefix = shared_object_prefix();
            path = path.with_file_name(format!("{prefix}{without_prefix}"));
        }
        so_arg.push("=");
        let path = path.with_extension(shared_object_extension());
        // The shared object might not exist yet if we're doing a `cargo check`, so we only attempt
        // to use it if it actually exists.
        if path.exists() {
            let rmeta_path = path.with_extension("rmeta");
            so_arg.push(path);
            // Handle embed-metadata=no (as upstream evcxr after 0.22, #501).
            let rmeta_arg = rmeta_path.exists().then(|| {
                let mut arg = OsString::from(crate_name);
                arg.push("=");
                arg.push(rmeta_path);
                arg
            });
            return (so_arg, rmeta_arg);
        }
    }
    (OsString::from(ext), None)
}

/// `NAME=PATH.rmeta` for an `--extern NAME=PATH.so` whose metadata is in a file beside it.
fn rmeta_beside(ext: &str) -> Option<OsString> {
    let (crate_name, path) = ext.split_once('=')?;
    let rmeta_path = Path::new(path).with_extension("rmeta");
    rmeta_path.exists().then(|| {
        let mut arg = OsString::from(crate_name);
        arg.push("=");
        arg.push(rmeta_path);
        arg
    })
}

/// The rustc command recorded for build inputs `inputs`, if any.
fn recorded_for<T>(recorded: &[(u64, T)], inputs: u64) -> Option<&T> {
    recorded
        .iter()
        .find(|(recorded_inputs, _)| *recorded_inputs == inputs)
        .map(|(_, rustc)| rustc)
}

/// Keeps `rustc` as the command for `inputs` (replacing an older one for them), and at
/// most `DIRECT_RUSTC_KEPT` commands, forgetting the least recently recorded.
fn remember_recorded<T>(recorded: &mut Vec<(u64, T)>, inputs: u64, rustc: T) {
    recorded.retain(|(recorded_inputs, _)| *recorded_inputs != inputs);
    if recorded.len() == DIRECT_RUSTC_KEPT {
        recorded.remove(0);
    }
    recorded.push((inputs, rustc));
}

/// Asks cargo's rustc wrapper to record the cell crate's rustc command in `record_file`,
/// adding evcxr's wrapper when no other is set. False when that is not possible: another
/// wrapper (sccache) or evcxr's build cache stands between cargo and rustc.
/// `user_wrapper`: the environment sets a rustc wrapper for cargo (`user_rustc_wrapper`),
/// which is left in place.
fn record_rustc_command(
    command: &mut Command,
    config: &Config,
    record_file: &Path,
    user_wrapper: bool,
) -> bool {
    let set = |name: &str| command.get_envs().any(|(k, v)| k == name && v.is_some());
    if set(CACHE_ENABLED_ENV) {
        return false;
    }
    if set("RUSTC_WRAPPER") {
        // evcxr's own wrapper records; another one (sccache) stands in the way.
        if !set(crate::runtime::WRAP_RUSTC_ENV) {
            return false;
        }
    } else if user_wrapper {
        return false;
    } else {
        command.env("RUSTC_WRAPPER", config.subprocess_path());
        command.env(crate::runtime::WRAP_RUSTC_ENV, "1");
    }
    command.env(direct_rustc::RECORD_ENV, record_file);
    true
}

/// Whether the environment gives cargo a rustc wrapper of the user's (e.g. sccache).
fn user_rustc_wrapper() -> bool {
    ["RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// Run a cargo (or rustc) command prepared for the provided `code_block`, processing the
/// command's output.
fn run_build(
    mut command: std::process::Command,
    code_block: &CodeBlock,
    what: &str,
    report_dependency_builds: bool,
) -> Result<std::process::Output, Error> {
    use std::io::BufRead;
    use std::io::Read;

    let mb_child = command
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match mb_child {
        Ok(out) => out,
        Err(err) => bail!("Error running '{}': {}", what, err),
    };

    // Collect stdout in a parallel thread
    let mut stdout = child.stdout.take().unwrap();
    let output_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf)?;
        Ok::<_, Error>(buf)
    });

    // Collect stderr synchronously
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut all_errors = Vec::new();
    for mb_line in stderr.split(10) {
        let mut line = mb_line?;
        if report_dependency_builds {
            tee_error_line(&line);
        }
        all_errors.append(&mut line);
        all_errors.push(10);
    }

    let status = child.wait()?;
    let all_output = output_thread.join().expect("Panic in child thread")?;

    let cargo_output = std::process::Output {
        status,
        stdout: all_output,
        stderr: all_errors,
    };
    if cargo_output.status.success() {
        Ok(cargo_output)
    } else {
        let (errors, non_json_error) = errors_from_cargo_output(&cargo_output, code_block);
        if errors.is_empty() {
            if let Some(error) = non_json_error {
                bail!(Error::Message(error));
            } else {
                bail!(Error::Message(format!(
                    "Compilation failed, but no parsable errors were found. STDERR:\n\
                     {}\nSTDOUT:{}\n",
                    String::from_utf8_lossy(&cargo_output.stderr),
                    String::from_utf8_lossy(&cargo_output.stdout)
                )));
            }
        } else {
            bail!(Error::CompilationErrors(errors));
        }
    }
}

/// Process one line from cargo, either copying it to stderr or ignoring.
///
/// At this point it looks for messages about compiling dependency crates.
fn tee_error_line(line: &[u8]) {
    static CRATE_COMPILING: Lazy<regex::bytes::Regex> =
        Lazy::new(|| regex::bytes::Regex::new("^\\s*Compiling (\\w+)(?:\\s+.*)?$").unwrap());
    if let Some(captures) = CRATE_COMPILING.captures(line) {
        let crate_name = captures.get(1).unwrap().as_bytes();
        if crate_name != CRATE_NAME.as_bytes() && crate_name != RUNTIME_CRATE.as_bytes() {
            // write line and the following nl symbol as it was stripped before
            std::io::stderr()
                .write_all(line)
                .expect("Writing to stderr should not fail");
            eprintln!();
        }
    }
}

fn errors_from_cargo_output(
    cargo_output: &std::process::Output,
    code_block: &CodeBlock,
) -> (Vec<CompilationError>, Option<String>) {
    // Our compiler errors should all be in JSON format, but for errors from
    // Cargo errors, we need to add explicit matching for those errors that we
    // expect we might see.
    static KNOWN_NON_JSON_ERRORS: Lazy<Regex> =
        Lazy::new(|| Regex::new("(error: no matching package named)").unwrap());

    let stderr = String::from_utf8_lossy(&cargo_output.stderr);
    let stdout = String::from_utf8_lossy(&cargo_output.stdout);
    let mut non_json_error = None;
    let errors = stderr
        .lines()
        .chain(stdout.lines())
        .filter_map(|line| {
            serde_json::from_str(line)
                .ok()
                .and_then(|json| CompilationError::opt_new(json, code_block))
                .or_else(|| {
                    if KNOWN_NON_JSON_ERRORS.is_match(line) {
                        non_json_error = Some(line.to_owned());
                    }
                    None
                })
        })
        .collect();
    (errors, non_json_error)
}

pub(crate) struct SoFile {
    pub(crate) path: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustc_commands_are_kept_for_the_last_sets_of_build_inputs() {
        let mut recorded = Vec::new();
        for inputs in 0..DIRECT_RUSTC_KEPT as u64 {
            remember_recorded(&mut recorded, inputs, format!("command {inputs}"));
        }
        // Going back to an earlier set of inputs finds its command.
        assert_eq!(
            recorded_for(&recorded, 0).map(String::as_str),
            Some("command 0")
        );
        // A new command for known inputs replaces the old one, and counts as the newest.
        remember_recorded(&mut recorded, 0, "command 0 again".to_owned());
        assert_eq!(recorded.len(), DIRECT_RUSTC_KEPT);
        assert_eq!(
            recorded_for(&recorded, 0).map(String::as_str),
            Some("command 0 again")
        );
        // One more set of inputs forgets the least recently recorded (1, not 0).
        remember_recorded(&mut recorded, 100, "command 100".to_owned());
        assert_eq!(recorded.len(), DIRECT_RUSTC_KEPT);
        assert_eq!(recorded_for(&recorded, 1), None);
        assert!(recorded_for(&recorded, 0).is_some());
        assert!(recorded_for(&recorded, 100).is_some());
    }

    #[test]
    fn the_rustc_command_is_recorded_only_where_no_other_wrapper_stands() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::new(dir.path().to_owned(), PathBuf::from("/evcxr_bin")).unwrap();
        let record = dir.path().join("rustc.json");
        let wrapper = |command: &Command| {
            command
                .get_envs()
                .find(|(k, _)| *k == "RUSTC_WRAPPER")
                .and_then(|(_, v)| v.map(|v| v.to_owned()))
        };

        let mut plain = Command::new("cargo");
        assert!(record_rustc_command(&mut plain, &config, &record, false));
        assert_eq!(wrapper(&plain), Some("/evcxr_bin".into()));
        assert!(plain.get_envs().any(|(k, _)| k == direct_rustc::RECORD_ENV));

        // The user's wrapper (sccache in the environment) stays: cargo keeps running cells.
        let mut users = Command::new("cargo");
        assert!(!record_rustc_command(&mut users, &config, &record, true));
        assert_eq!(users.get_envs().count(), 0);

        let mut sccache = Command::new("cargo");
        sccache.env("RUSTC_WRAPPER", "/bin/sccache");
        assert!(!record_rustc_command(&mut sccache, &config, &record, false));
        assert_eq!(wrapper(&sccache), Some("/bin/sccache".into()));

        let mut cached = Command::new("cargo");
        cached.env(CACHE_ENABLED_ENV, "1");
        assert!(!record_rustc_command(&mut cached, &config, &record, false));

        // evcxr's own wrapper (dylib mode) records through itself.
        let mut own = Command::new("cargo");
        own.env("RUSTC_WRAPPER", "/evcxr_bin")
            .env(crate::runtime::WRAP_RUSTC_ENV, "1");
        assert!(record_rustc_command(&mut own, &config, &record, true));
    }
}
