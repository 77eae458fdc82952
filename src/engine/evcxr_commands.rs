//! evcxr's own commands (`:dep`, `:opt`, `:toolchain`, …) carried out on its state.

use super::*;

impl Engine {
    /// Carries out one of evcxr's commands on its own: a state change is committed (and
    /// compiled, so a dependency that does not resolve is refused here).
    pub(super) fn command(&mut self, command: EvcxrCommand) -> Result<String> {
        if let EvcxrCommand::Env { key, value } = &command {
            // Run in the worker: the variable applies from now on, and the next snapshot
            // keeps it (evcxr sets it for its next child process, after `:restart`).
            self.ctx
                .eval(&env_code(key, value))
                .map_err(|e| anyhow!("{e}"))?;
            return Ok(format!("Set {key}={value}"));
        }
        if let EvcxrCommand::LoadConfig { quiet } = command {
            return self.load_config(quiet);
        }
        let mut state = self.ctx.state();
        let mut deps = self.deps.clone();
        let text = self.apply_command(command, &mut state, &mut deps)?;
        self.ctx
            .eval_with_state("", state)
            .map_err(|e| anyhow!("{e}"))?;
        self.deps = deps;
        Ok(text)
    }

    /// evcxr's `:load_config`: the configuration's `:dep` lines and prelude, run as one
    /// cell's leading lines and code would be (all or nothing), in evcxr's words.
    fn load_config(&mut self, quiet: bool) -> Result<String> {
        let config = evcxr::startup_config().map_err(|e| anyhow!("{e}"))?;
        let mut said = Vec::new();
        if !quiet {
            said.push(match &config.source_path {
                Some(path) => format!("Loading startup configuration from: {path:?}"),
                None => "No configuration file found, use the default configuration".to_owned(),
            });
        }
        let text = format!(
            "{}\n{}",
            config.deps.unwrap_or_default(),
            config.prelude.unwrap_or_default()
        );
        let (prelude, code) = crate::session::cell_parts(&text).map_err(|e| anyhow!("{e}"))?;
        let code = super::run::Code::Cell {
            prelude: &prelude,
            code: &code,
        };
        let outputs = self.run(code, None).result.map_err(|e| anyhow!("{e}"))?;
        if let Some(text) = outputs.get("text/plain") {
            said.push(text.trim_end().to_owned());
        }
        Ok(said.join("\n"))
    }

    /// Carries out one of evcxr's commands on `state` (and tmrepl's record of the
    /// dependencies, `deps`), committing nothing: the caller compiles with the state. The
    /// wording of each answer is evcxr's own.
    pub(super) fn apply_command(
        &mut self,
        command: EvcxrCommand,
        state: &mut ContextState,
        deps: &mut BTreeMap<String, String>,
    ) -> Result<String> {
        use EvcxrCommand as C;
        Ok(match command {
            C::Dep { spec } => {
                let (name, config) = parse_dep(&spec)?;
                if name.starts_with('.') || name.starts_with('/') {
                    // evcxr names a local crate from its Cargo.toml, as `:show_deps` must.
                    let crate_name = local_crate_name(&name)?;
                    state.add_local_dep(&name).map_err(|e| anyhow!("{e}"))?;
                    deps.insert(crate_name.clone(), format!("{{ path = \"{name}\" }}"));
                    // As evcxr: a dependency that resolved says nothing.
                    String::new()
                } else {
                    state.add_dep(&name, &config).map_err(|e| anyhow!("{e}"))?;
                    deps.insert(name.clone(), config);
                    String::new()
                }
            }
            C::ShowDeps => {
                if deps.is_empty() {
                    "no dependencies".into()
                } else {
                    deps.iter()
                        .map(|(n, c)| format!("{n} = {c}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            C::Opt(None) => format!("Optimization: {}", state.opt_level()),
            C::Opt(Some(level)) => {
                state.set_opt_level(&level).map_err(|e| anyhow!("{e}"))?;
                format!("Optimization: {level}")
            }
            C::Type(name) => self
                .ctx
                .variables_and_types()
                .find(|(v, _)| *v == name)
                .map(|(v, t)| format!("{v}: {t}"))
                .ok_or_else(|| anyhow!("Variable does not exist: {name}"))?,
            C::Explain => {
                if self.last_errors.is_empty() {
                    bail!("No last error to explain");
                }
                let explanations: Option<Vec<&str>> = self
                    .last_errors
                    .iter()
                    .map(evcxr::CompilationError::explanation)
                    .collect();
                explanations
                    .ok_or_else(|| anyhow!("Sorry, last error has no explanation"))?
                    .concat()
                    .trim_end()
                    .to_owned()
            }
            C::LastErrorJson => {
                if self.last_errors.is_empty() {
                    bail!("no compile errors yet");
                }
                self.last_errors
                    .iter()
                    .map(|error| error.json.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            C::ErrorFormat(format) => {
                if let Some(format) = format {
                    state
                        .set_error_format(&format)
                        .map_err(|e| anyhow!("{e}"))?;
                }
                format!(
                    "Error format: {} (errors must implement {})",
                    state.error_format(),
                    state.error_format_trait()
                )
            }
            C::OutputFormat(None) => format!("Output format: {}", state.output_format()),
            C::OutputFormat(Some(format)) => {
                state.set_output_format(format.clone());
                format!("Output format: {format}")
            }
            C::Types => {
                let on = !state.display_types();
                state.set_display_types(on);
                format!("Types: {on}")
            }
            C::Toolchain(None) => format!("Toolchain: {}", state.toolchain()),
            C::Toolchain(Some(name)) => {
                state.set_toolchain(&name).map_err(|e| anyhow!("{e}"))?;
                format!("Toolchain: {name}")
            }
            C::Offline(None) => format!("Offline mode: {}", state.offline_mode()),
            C::Offline(Some(on)) => {
                state.set_offline_mode(on);
                format!("Offline mode: {on}")
            }
            C::AllowStaticLinking(on) => {
                state.set_allow_static_linking(on);
                format!("Static linking: {on}")
            }
            C::Sccache(None) => format!("sccache: {}", state.sccache()),
            C::Sccache(Some(on)) => {
                {
                    state.set_sccache(on).map_err(|e| anyhow!("{e}"))?;
                    // As evcxr does: sccache cannot cache dynamically linked crates.
                    if on {
                        state.set_allow_static_linking(true);
                    }
                }
                if on {
                    "sccache: true. Warning: dynamic linking disabled, use :cache instead to preserve dynamic linking".into()
                } else {
                    "sccache: false".into()
                }
            }
            C::Cache(mib) => {
                if let Some(mib) = mib {
                    state.set_cache_bytes(mib.saturating_mul(1024 * 1024));
                }
                format!("cache: {} MiB", state.cache_bytes() / 1024 / 1024)
            }
            C::Linker(None) => format!("linker: {}", state.linker()),
            C::Linker(Some(linker)) => {
                state.set_linker(linker.clone());
                format!("linker: {linker}")
            }
            C::CodegenBackend(backend) => {
                if let Some(backend) = backend {
                    state.set_codegen_backend(backend);
                }
                format!("codegen backend: {}", state.codegen_backend())
            }
            C::PreserveVarsOnPanic(None) => {
                format!("Preserve vars on panic: {}", state.preserve_vars_on_panic())
            }
            C::PreserveVarsOnPanic(Some(on)) => {
                state.set_preserve_vars_on_panic(on);
                format!("Preserve vars on panic: {on}")
            }
            C::TimePasses(on) => {
                let on = on.unwrap_or(!state.time_passes());
                state.set_time_passes(on);
                format!("Time passes: {on}")
            }
            C::LoadConfig { .. } => bail!(":load_config goes in a cell of its own"),
            C::ClearCache => {
                let freed = evcxr::clear_cache().map_err(|e| anyhow!("{e}"))?;
                format!("Deleted {} MiB from cache", freed / 1024 / 1024)
            }
            // The code that sets it runs with the cell (`env_code`).
            C::Env { key, value } => format!("Set {key}={value}"),
            C::BuildEnv { key, value } => {
                state.set_build_env(&key, &value);
                format!("Set {key}={value} for build")
            }
            C::InternalDebug => {
                let on = !state.debug_mode();
                state.set_debug_mode(on);
                format!("Internals debugging: {on}")
            }
            C::Doc(name) => {
                let (text, _markdown) = self.ctx.hover(&name, state).map_err(|e| anyhow!("{e}"))?;
                text.trim_end().to_owned()
            }
            C::LastCompileDir => {
                // evcxr's accessor is crate-private; its state's Debug output names the folder.
                tmpdir_in_debug(&format!("{state:?}"))
                    .ok_or_else(|| anyhow!("evcxr did not say where it compiles"))?
            }
            C::Version => version_text(&rustc_version(state.toolchain())),
        })
    }
}

/// The statement that sets an environment variable in the process cells run in.
pub(super) fn env_code(key: &str, value: &str) -> String {
    // `unsafe` since edition 2024; in a 2021 crate it only warns.
    format!("unsafe {{ std::env::set_var({key:?}, {value:?}); }}")
}

/// The package name in the Cargo.toml of the crate at `path`, as evcxr reads it.
pub(super) fn local_crate_name(path: &str) -> Result<String> {
    let manifest = std::path::Path::new(path).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    match table.get("package").and_then(|p| p.get("name")) {
        Some(toml::Value::String(name)) => Ok(name.clone()),
        _ if table.contains_key("workspace") => bail!("Workspaces are not supported"),
        _ => bail!("{} has no [package] name", manifest.display()),
    }
}

/// The `tmpdir: "…"` field of evcxr's `ContextState` Debug output (its build folder).
pub(super) fn tmpdir_in_debug(debug: &str) -> Option<String> {
    let start = debug.find("tmpdir: \"")? + "tmpdir: \"".len();
    let rest = &debug[start..];
    let path = &rest[..rest.find('"')?];
    // An escape means the Debug text is not the path itself; better no answer than a wrong one.
    (!path.contains('\\')).then(|| path.to_owned())
}

/// `:version`: tmrepl's own version, the evcxr it was built with (as Cargo.lock pinned
/// it, recorded by build.rs), and `rustc`, the version line of the compiler of the cells.
pub(super) fn version_text(rustc: &str) -> String {
    format!(
        "tmrepl {}, evcxr {}, {rustc}",
        env!("CARGO_PKG_VERSION"),
        env!("TMREPL_EVCXR_VERSION")
    )
}

/// What `rustc --version` says (for `toolchain`, when one is set, as evcxr uses rustup's).
pub(super) fn rustc_version(toolchain: &str) -> String {
    let mut command = std::process::Command::new("rustc");
    if !toolchain.is_empty() {
        command.arg(format!("+{toolchain}"));
    }
    match command.arg("--version").output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        }
        Ok(output) => format!(
            "rustc: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .next()
                .unwrap_or("failed")
        ),
        Err(e) => format!("rustc: {e}"),
    }
}

/// `name`, `name = "1"`, `name = { version = "1", features = [..] }`, or a local path.
pub(super) fn parse_dep(spec: &str) -> Result<(String, String)> {
    let (name, config) = match spec.split_once('=') {
        Some((name, config)) => (name.trim(), config.trim()),
        None => (spec.trim(), "\"*\""),
    };
    if name.is_empty() || name.contains(' ') || config.is_empty() {
        bail!("invalid :dep; expected NAME or NAME = SPEC");
    }
    Ok((name.to_owned(), config.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evcxr version `:version` names is the one Cargo.lock pins, to the patch level.
    #[test]
    fn version_names_the_evcxr_locked_in_cargo_lock() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        let lock: toml::Table = toml::from_str(&lock).unwrap();
        let evcxr = lock["package"]
            .as_array()
            .unwrap()
            .iter()
            .find(|package| package["name"].as_str() == Some("tmrepl-evcxr"))
            .unwrap();
        let locked = evcxr["version"].as_str().unwrap();
        assert_eq!(locked.split('.').count(), 3, "{locked}");

        let text = version_text("rustc 1.95.0 (test 2026-01-01)");
        let parts: Vec<&str> = text.split(", ").collect();
        assert!(
            parts.contains(&format!("evcxr {locked}").as_str()),
            "{text}"
        );
        assert!(
            parts.contains(&format!("tmrepl {}", env!("CARGO_PKG_VERSION")).as_str()),
            "{text}"
        );
        assert!(parts.contains(&"rustc 1.95.0 (test 2026-01-01)"), "{text}");
    }

    #[test]
    fn a_local_crate_is_named_by_its_cargo_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"crate2\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        assert_eq!(local_crate_name(path).unwrap(), "crate2");
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        assert_eq!(
            local_crate_name(path).unwrap_err().to_string(),
            "Workspaces are not supported"
        );
        assert!(local_crate_name("/no/such/crate").is_err());
    }

    #[test]
    fn the_build_folder_is_read_from_the_state_debug_text() {
        let debug = r#"ContextState { config: Config { tmpdir: "/data/build/slot-0", debug_mode: false } }"#;
        assert_eq!(
            tmpdir_in_debug(debug).as_deref(),
            Some("/data/build/slot-0")
        );
        assert_eq!(tmpdir_in_debug(r#"Config { tmpdir: "/a\"b" }"#), None);
        assert_eq!(tmpdir_in_debug("Config { }"), None);
    }

    #[test]
    fn dep_specs() {
        assert_eq!(
            parse_dep("regex").unwrap(),
            ("regex".into(), "\"*\"".into())
        );
        assert_eq!(
            parse_dep("serde = { version = \"1\", features = [\"derive\"] }").unwrap(),
            (
                "serde".into(),
                "{ version = \"1\", features = [\"derive\"] }".into()
            )
        );
        assert!(parse_dep("= 1").is_err());
        assert!(parse_dep("a b = 1").is_err());
    }
}
