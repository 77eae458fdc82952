//! evcxr's own commands (`:dep`, `:opt`, `:toolchain`, …) carried out on its state.

use super::*;

impl Engine {
    pub(super) fn command(&mut self, command: EvcxrCommand) -> Result<String> {
        use EvcxrCommand as C;
        let state = self.ctx.state();
        Ok(match command {
            C::Dep { spec } => {
                let (name, config) = parse_dep(&spec)?;
                let local = name.starts_with('.') || name.starts_with('/');
                commit!(self, s => {
                    if local {
                        s.add_local_dep(&name).map_err(|e| anyhow!("{e}"))?;
                    } else {
                        s.add_dep(&name, &config).map_err(|e| anyhow!("{e}"))?;
                    }
                });
                self.deps.insert(name.clone(), config);
                format!("added dependency {name}")
            }
            C::ShowDeps => {
                if self.deps.is_empty() {
                    "no dependencies".into()
                } else {
                    self.deps
                        .iter()
                        .map(|(n, c)| format!("{n} = {c}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
            C::Opt(None) => format!("optimisation level: {}", state.opt_level()),
            C::Opt(Some(level)) => {
                commit!(self, s => { s.set_opt_level(&level).map_err(|e| anyhow!("{e}"))?; });
                format!("optimisation level: {level}")
            }
            C::Type(name) => self
                .ctx
                .variables_and_types()
                .find(|(v, _)| *v == name)
                .map(|(v, t)| format!("{v}: {t}"))
                .ok_or_else(|| anyhow!("no variable named {name}"))?,
            C::Explain => {
                let code = self
                    .last_error_code
                    .clone()
                    .ok_or_else(|| anyhow!("no compile error with a code yet"))?;
                let output = std::process::Command::new("rustc")
                    .args(["--explain", &code])
                    .output()
                    .context("running rustc --explain")?;
                String::from_utf8_lossy(&output.stdout)
                    .trim_end()
                    .to_owned()
            }
            C::ErrorFormat(None) => format!("error format: {}", state.error_format()),
            C::ErrorFormat(Some(format)) => {
                commit!(self, s => { s.set_error_format(&format).map_err(|e| anyhow!("{e}"))?; });
                format!("error format: {format}")
            }
            C::OutputFormat(None) => format!("output format: {}", state.output_format()),
            C::OutputFormat(Some(format)) => {
                commit!(self, s => {
                    s.set_output_format(format.clone());
                });
                format!("output format: {format}")
            }
            C::Types => {
                let on = !state.display_types();
                commit!(self, s => {
                                    s.set_display_types(on);
                });
                format!("types: {}", on_off(on))
            }
            C::Toolchain(None) => {
                let mut state = state;
                format!("toolchain: {}", state.toolchain())
            }
            C::Toolchain(Some(name)) => {
                commit!(self, s => { s.set_toolchain(&name).map_err(|e| anyhow!("{e}"))?; });
                format!("toolchain: {name}")
            }
            C::Offline(None) => format!("offline: {}", on_off(state.offline_mode())),
            C::Offline(Some(on)) => {
                commit!(self, s => {
                                    s.set_offline_mode(on);
                });
                format!("offline: {}", on_off(on))
            }
            C::Sccache(None) => format!("sccache: {}", on_off(state.sccache())),
            C::Sccache(Some(on)) => {
                commit!(self, s => { s.set_sccache(on).map_err(|e| anyhow!("{e}"))?; });
                format!("sccache: {}", on_off(on))
            }
            C::Linker(None) => format!("linker: {}", state.linker()),
            C::Linker(Some(linker)) => {
                commit!(self, s => {
                                    s.set_linker(linker.clone());
                });
                format!("linker: {linker}")
            }
            C::PreserveVarsOnPanic(None) => {
                format!(
                    "preserve vars on panic: {}",
                    on_off(state.preserve_vars_on_panic())
                )
            }
            C::PreserveVarsOnPanic(Some(on)) => {
                commit!(self, s => {
                                    s.set_preserve_vars_on_panic(on);
                });
                format!("preserve vars on panic: {}", on_off(on))
            }
            C::TimePasses(None) => format!("time passes: {}", on_off(state.time_passes())),
            C::TimePasses(Some(on)) => {
                commit!(self, s => {
                                    s.set_time_passes(on);
                });
                format!("time passes: {}", on_off(on))
            }
            C::BuildEnv { key, value } => {
                commit!(self, s => {
                                    s.set_build_env(&key, &value);
                });
                format!("build env {key}={value}")
            }
            C::Version => {
                let mut state = state;
                version_text(&rustc_version(state.toolchain()))
            }
        })
    }
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

pub(super) fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
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
            .find(|package| package["name"].as_str() == Some("evcxr"))
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
