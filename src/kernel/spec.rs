//! The kernelspec: where Jupyter looks for kernels (as jupyter_client decides, honouring
//! `JUPYTER_DATA_DIR` and `JUPYTER_PATH`), and installing or removing ours there.

use anyhow::{Context, Result, bail};
use serde_json::json;
use std::path::{Path, PathBuf};

pub const KERNEL_NAME: &str = "tmrepl";
pub const DISPLAY_NAME: &str = "Rust (tmrepl)";

const LOGO_64: &[u8] = include_bytes!("../../assets/logo-64x64.png");
const LOGO_32: &[u8] = include_bytes!("../../assets/logo-32x32.png");

/// Which Jupyter data folder a kernelspec goes to (the flags of `jupyter kernelspec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The user's data folder: `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`.
    User,
    /// The active Python environment's: `$VIRTUAL_ENV` or `$CONDA_PREFIX`.
    SysPrefix,
    Prefix(PathBuf),
}

/// The environment the paths depend on, read once so the rules stay testable.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub jupyter_data_dir: Option<PathBuf>,
    pub jupyter_path: Option<String>,
    pub xdg_data_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub sys_prefix: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        Env {
            jupyter_data_dir: var("JUPYTER_DATA_DIR").map(PathBuf::from),
            jupyter_path: var("JUPYTER_PATH").map(|v| v.to_string_lossy().into_owned()),
            xdg_data_home: var("XDG_DATA_HOME").map(PathBuf::from),
            home: dirs::home_dir(),
            sys_prefix: var("VIRTUAL_ENV")
                .or_else(|| var("CONDA_PREFIX"))
                .map(PathBuf::from),
        }
    }

    /// jupyter_client's `jupyter_data_dir()` on Linux.
    fn user_data_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = &self.jupyter_data_dir {
            return Some(dir.clone());
        }
        self.xdg_data_home
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".local/share")))
            .map(|d| d.join("jupyter"))
    }

    /// The kernels folder of `place`.
    pub fn kernels_dir(&self, place: &Place) -> Result<PathBuf> {
        let data = match place {
            Place::User => self
                .user_data_dir()
                .context("no home folder; set JUPYTER_DATA_DIR or pass --prefix")?,
            Place::SysPrefix => self
                .sys_prefix
                .as_ref()
                .context("--sys-prefix needs an active environment (VIRTUAL_ENV or CONDA_PREFIX)")?
                .join("share/jupyter"),
            Place::Prefix(dir) => dir.join("share/jupyter"),
        };
        Ok(data.join("kernels"))
    }

    /// Every kernels folder Jupyter searches, first match wins: `JUPYTER_PATH`, the
    /// user's, the environment's, then the system's.
    pub fn search_path(&self) -> Vec<PathBuf> {
        let mut data_dirs: Vec<PathBuf> = self
            .jupyter_path
            .iter()
            .flat_map(|p| std::env::split_paths(p).collect::<Vec<_>>())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        data_dirs.extend(self.user_data_dir());
        data_dirs.extend(self.sys_prefix.as_ref().map(|p| p.join("share/jupyter")));
        data_dirs.push(PathBuf::from("/usr/local/share/jupyter"));
        data_dirs.push(PathBuf::from("/usr/share/jupyter"));
        data_dirs.into_iter().map(|d| d.join("kernels")).collect()
    }
}

/// The kernel.json for the binary at `exe`, with `extra` arguments before `kernel`
/// (e.g. `--session NAME`).
pub fn kernel_json(exe: &Path, extra: &[String]) -> serde_json::Value {
    let mut argv = vec![exe.to_string_lossy().into_owned()];
    argv.extend(extra.iter().cloned());
    argv.extend(
        ["kernel", "--connection-file", "{connection_file}"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    json!({
        "argv": argv,
        "display_name": DISPLAY_NAME,
        "language": "rust",
        // interrupt_request on the control channel; SIGINT works as well.
        "interrupt_mode": "message",
        "metadata": { "debugger": false },
    })
}

/// The arguments a kernelspec passes before `kernel`: the flags `tmrepl … kernel install`
/// was given that choose the session, so every notebook of it continues that session.
pub fn session_args(
    data_dir: Option<&Path>,
    session: Option<&str>,
    resume: Option<&str>,
) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(dir) = data_dir {
        args.extend(["--data-dir".to_owned(), dir.display().to_string()]);
    }
    if let Some(name) = session {
        args.extend(["--session".to_owned(), name.to_owned()]);
    }
    // `--resume=`: a bare `--resume` would take `kernel` for the session's name.
    if let Some(name) = resume {
        args.push(format!("--resume={name}"));
    }
    args
}

/// Writes the kernelspec into `kernels_dir/tmrepl`; returns that folder.
pub fn install(kernels_dir: &Path, exe: &Path, extra: &[String]) -> Result<PathBuf> {
    let dir = kernels_dir.join(KERNEL_NAME);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&kernel_json(exe, extra))?;
    for (name, bytes) in [
        ("kernel.json", text.as_bytes()),
        ("logo-64x64.png", LOGO_64),
        ("logo-32x32.png", LOGO_32),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(dir)
}

/// Removes the kernelspec from `kernels_dir`, or else the first one Jupyter would find;
/// returns the folder removed.
pub fn uninstall(env: &Env, place: Option<&Place>) -> Result<PathBuf> {
    let candidates = match place {
        Some(place) => vec![env.kernels_dir(place)?],
        None => env.search_path(),
    };
    let Some(dir) = candidates
        .iter()
        .map(|k| k.join(KERNEL_NAME))
        .find(|d| d.join("kernel.json").is_file())
    else {
        bail!(
            "no tmrepl kernelspec in {}",
            candidates
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(home: &Path) -> Env {
        Env {
            home: Some(home.to_owned()),
            ..Env::default()
        }
    }

    #[test]
    fn the_user_folder_follows_jupyter_data_dir_then_xdg() {
        let home = Path::new("/home/u");
        let mut e = env(home);
        assert_eq!(
            e.kernels_dir(&Place::User).unwrap(),
            Path::new("/home/u/.local/share/jupyter/kernels")
        );
        e.xdg_data_home = Some("/x".into());
        assert_eq!(
            e.kernels_dir(&Place::User).unwrap(),
            Path::new("/x/jupyter/kernels")
        );
        e.jupyter_data_dir = Some("/j".into());
        assert_eq!(
            e.kernels_dir(&Place::User).unwrap(),
            Path::new("/j/kernels")
        );
        assert_eq!(
            e.kernels_dir(&Place::Prefix("/p".into())).unwrap(),
            Path::new("/p/share/jupyter/kernels")
        );
        assert!(e.kernels_dir(&Place::SysPrefix).is_err());
    }

    #[test]
    fn jupyter_path_is_searched_first() {
        let mut e = env(Path::new("/home/u"));
        e.jupyter_path = Some("/a:/b".into());
        let path = e.search_path();
        assert_eq!(path[0], Path::new("/a/kernels"));
        assert_eq!(path[1], Path::new("/b/kernels"));
        assert_eq!(path[2], Path::new("/home/u/.local/share/jupyter/kernels"));
    }

    #[test]
    fn session_flags_go_before_kernel() {
        assert!(session_args(None, None, None).is_empty());
        assert_eq!(
            session_args(Some(Path::new("/d")), Some("lab"), None),
            ["--data-dir", "/d", "--session", "lab"]
        );
        assert_eq!(session_args(None, None, Some("")), ["--resume="]);
        let spec = kernel_json(Path::new("/t"), &session_args(None, Some("lab"), None));
        assert_eq!(
            spec["argv"],
            json!([
                "/t",
                "--session",
                "lab",
                "kernel",
                "--connection-file",
                "{connection_file}"
            ])
        );
    }

    #[test]
    fn install_then_uninstall() {
        let temp = tempfile::tempdir().unwrap();
        let e = Env {
            jupyter_data_dir: Some(temp.path().join("data")),
            ..Env::default()
        };
        let kernels = e.kernels_dir(&Place::User).unwrap();
        let dir = install(&kernels, Path::new("/bin/tmrepl"), &[]).unwrap();
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap())
                .unwrap();
        assert_eq!(
            spec["argv"],
            json!([
                "/bin/tmrepl",
                "kernel",
                "--connection-file",
                "{connection_file}"
            ])
        );
        assert_eq!(spec["display_name"], "Rust (tmrepl)");
        assert_eq!(spec["language"], "rust");
        assert!(
            std::fs::read(dir.join("logo-64x64.png"))
                .unwrap()
                .starts_with(b"\x89PNG")
        );
        assert_eq!(uninstall(&e, None).unwrap(), dir);
        assert!(!dir.exists());
        assert!(uninstall(&e, None).is_err());
    }
}
