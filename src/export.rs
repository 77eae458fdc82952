//! The edge of `:export`: checks the destination folder and writes the files the session
//! decided (`session::ExportPlan`). A folder that holds something other than an earlier
//! export is refused without `--force`, before anything is written; each file is written to
//! a temporary name and renamed, so a failed write leaves the old file whole.

use crate::session::{Destination, EXPORT_MARK, ExportPlan, may_write};
use anyhow::{Context, Result};
use std::path::Path;

/// Writes `plan`'s files; Ok carries what to say, Err one line.
pub fn write(plan: &ExportPlan) -> Result<String, String> {
    let dir = Path::new(&plan.dir);
    may_write(&plan.dir, destination(dir), plan.force)?;
    write_files(dir, plan).map_err(|e| format!(":export {}: {e:#}", plan.dir))?;
    Ok(plan.summary.clone())
}

/// What `dir` holds, for `may_write`.
pub fn destination(dir: &Path) -> Destination {
    if !dir.exists() {
        return Destination::Missing;
    }
    if !dir.is_dir() {
        return Destination::NotAFolder;
    }
    let empty = std::fs::read_dir(dir).map(|mut entries| entries.next().is_none());
    if empty.unwrap_or(false) {
        return Destination::Empty;
    }
    match std::fs::read_to_string(dir.join("Cargo.toml")) {
        Ok(text) if text.starts_with(EXPORT_MARK) => Destination::EarlierExport,
        _ => Destination::Other,
    }
}

fn write_files(dir: &Path, plan: &ExportPlan) -> Result<()> {
    for (path, contents) in &plan.files {
        let path = dir.join(path);
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let temporary = path.with_extension("tmrepl-export");
        std::fs::write(&temporary, contents)
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, &path)
            .with_context(|| format!("renaming {} into place", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(dir: &Path, force: bool) -> ExportPlan {
        ExportPlan {
            dir: dir.display().to_string(),
            force,
            files: vec![
                ("Cargo.toml".into(), format!("{EXPORT_MARK} from cell 1\n")),
                ("src/main.rs".into(), "fn main() {}\n".into()),
            ],
            summary: "exported".into(),
        }
    }

    #[test]
    fn writes_a_new_folder_and_over_an_earlier_export_only() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        assert_eq!(write(&plan(&out, false)), Ok("exported".into()));
        assert_eq!(
            std::fs::read_to_string(out.join("src/main.rs")).unwrap(),
            "fn main() {}\n"
        );
        // Again: it is an earlier export.
        assert!(write(&plan(&out, false)).is_ok());

        let other = root.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let refused = write(&plan(&other, false)).unwrap_err();
        assert!(refused.contains("--force"), "{refused}");
        assert!(!other.join("Cargo.toml").exists(), "refused, yet wrote");
        assert!(write(&plan(&other, true)).is_ok());
        assert_eq!(
            std::fs::read_to_string(other.join("notes.txt")).unwrap(),
            "mine"
        );

        let file = root.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(
            write(&plan(&file, true))
                .unwrap_err()
                .contains("not a folder")
        );
    }
}
