//! Moving values between a live session and the store: the helper crate the session
//! compiles, the code tmrepl generates to save and load values, and the save report.

use crate::archive::ObjectId;
use crate::timeline::{ValuePreview, VarInfo};
use std::path::{Path, PathBuf};

const HELPER_MANIFEST: &str = tmrepl_persist::MANIFEST_TEXT;
const HELPER_SOURCES: &[(&str, &str)] = &tmrepl_persist::SOURCES;

/// Writes the embedded helper crate under `data_dir` (once per version) and returns its
/// folder, so saving works from an installed binary anywhere.
pub fn ensure_helper(data_dir: &Path) -> std::io::Result<PathBuf> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(HELPER_MANIFEST.as_bytes());
    for (path, text) in HELPER_SOURCES {
        hasher.update(path.as_bytes());
        hasher.update(text.as_bytes());
    }
    let version = hasher.finalize().to_hex();
    let dir = data_dir
        .join("helper")
        .join(format!("tmrepl_persist-{}", &version[..12]));
    if dir.join("src").join("lib.rs").exists() {
        return Ok(dir);
    }
    // Written aside and renamed into place: sessions starting together never see half
    // a crate.
    let temp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(temp.join("src"))?;
    std::fs::write(temp.join("Cargo.toml"), HELPER_MANIFEST)?;
    for (path, text) in HELPER_SOURCES {
        std::fs::write(temp.join(path), text)?;
    }
    if std::fs::rename(&temp, &dir).is_err() {
        // Another session got there first.
        let _ = std::fs::remove_dir_all(&temp);
        if !dir.join("src").join("lib.rs").exists() {
            return Err(std::io::Error::other(format!(
                "could not put the helper crate in {}",
                dir.display()
            )));
        }
    }
    Ok(dir)
}

fn rust_string(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// A cell that writes `vars` to `staging` and the report last. Wrapped in a block so it
/// defines nothing; which variables can be saved is decided when it compiles. Values whose
/// object is already in `objects` (a store's object folder) are not written again.
pub fn save_code(
    vars: &[&VarInfo],
    staging: &Path,
    report: &Path,
    objects: Option<&Path>,
) -> String {
    let mut code = String::from(
        "{\n#[allow(unused_imports)]\nuse tmrepl_persist::{ViaBytes as _, ViaSerde as _, ViaFallback as _};\n",
    );
    let objects = match objects {
        Some(path) => format!("Some({})", rust_string(path)),
        None => "None".to_owned(),
    };
    code.push_str(&format!(
        "let mut tmrepl_saver = tmrepl_persist::Saver::new({}, {objects});\n",
        rust_string(staging)
    ));
    for var in vars {
        code.push_str(&format!(
            "(&&&tmrepl_persist::Probe(&{0})).tmrepl_save({0:?}, &mut tmrepl_saver);\n",
            var.name
        ));
    }
    code.push_str(&format!(
        "tmrepl_saver.finish({});\n}}",
        rust_string(report)
    ));
    code
}

/// A cell that defines each variable from its saved value.
pub fn load_code(values: &[(&VarInfo, PathBuf)]) -> String {
    let mut code = String::from(
        "#[allow(unused_imports)]\nuse tmrepl_persist::{LoadBytes as _, LoadSerde as _};\n",
    );
    for (var, path) in values {
        code.push_str(&format!(
            "let mut {}: {} = (&&tmrepl_persist::Loader::<{}>::new()).tmrepl_load({});\n",
            var.name,
            var.type_name,
            var.type_name,
            rust_string(path)
        ));
    }
    code
}

/// A cell that writes a preview of each of `names` to `report`, formatting at most `limit`
/// bytes of each (`pretty`: `{:#?}`). Wrapped in a block so it defines nothing; how each
/// value is shown (`Debug`, or its size) is decided when it compiles, as for saving.
pub fn peek_code(names: &[String], report: &Path, limit: usize, pretty: bool) -> String {
    let mut code = String::from(
        "{\n#[allow(unused_imports)]\nuse tmrepl_persist::{PeekDebug as _, PeekLen as _, PeekSize as _};\n",
    );
    code.push_str(&format!(
        "let mut tmrepl_peeker = tmrepl_persist::Peeker::new({}, {limit}, {pretty});\n",
        rust_string(report)
    ));
    for name in names {
        code.push_str(&format!(
            "(&&&tmrepl_persist::PeekProbe(&{name})).tmrepl_peek({name:?}, &mut tmrepl_peeker);\n"
        ));
    }
    code.push_str("tmrepl_peeker.finish();\n}");
    code
}

/// Parses a preview report (`name \t kind \t length`, then the text): the entries
/// complete so far, and whether the job got to the end.
pub fn read_peek_report(text: &str) -> (Vec<(String, ValuePreview)>, bool) {
    let mut entries = Vec::new();
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        if line == "end" {
            return (entries, true);
        }
        let mut parts = line.splitn(3, '\t');
        let (Some(name), Some(kind), Some(len)) = (parts.next(), parts.next(), parts.next()) else {
            break;
        };
        let Ok(len) = len.parse::<usize>() else {
            break;
        };
        // The text and its newline must be all there (an entry may be half written).
        let Some(value) = after.get(..len).filter(|_| after[len..].starts_with('\n')) else {
            break;
        };
        let entry = match kind {
            "debug" => ValuePreview::Debug {
                text: value.to_owned(),
                cut: false,
            },
            "cut" => ValuePreview::Debug {
                text: value.to_owned(),
                cut: true,
            },
            "panic" => ValuePreview::Panicked(value.to_owned()),
            _ => ValuePreview::NoDebug(value.to_owned()),
        };
        entries.push((name.to_owned(), entry));
        rest = &after[len + 1..];
    }
    (entries, false)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// Written to `path`; its bytes hash to `hash`.
    Value {
        path: PathBuf,
        hash: ObjectId,
    },
    /// The store already holds the object `hash`: nothing was written.
    Existing(ObjectId),
    NotSaved(String),
}

/// Parses the helper's report: `name \t saved \t hash \t path`, `name \t exists \t hash`
/// or `name \t not saved \t reason`.
pub fn read_report(text: &str) -> Vec<(String, Saved)> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let (name, kind, rest) = (parts.next()?, parts.next()?, parts.next()?);
            let saved = match kind {
                "saved" => {
                    let (hash, path) = rest.split_once('\t')?;
                    Saved::Value {
                        path: PathBuf::from(path),
                        hash: ObjectId::named(hash),
                    }
                }
                "exists" => Saved::Existing(ObjectId::named(rest)),
                _ => Saved::NotSaved(rest.to_owned()),
            };
            Some((name.to_owned(), saved))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_code_and_reports() {
        let v = VarInfo {
            name: "v".into(),
            type_name: "Vec<i32>".into(),
        };
        let code = save_code(
            &[&v],
            Path::new("/s/stage"),
            Path::new("/s/report"),
            Some(Path::new("/s/objects")),
        );
        assert!(code.contains("Saver::new(\"/s/stage\", Some(\"/s/objects\"))"));
        assert!(code.starts_with('{') && code.ends_with('}'));
        assert!(
            code.contains("(&&&tmrepl_persist::Probe(&v)).tmrepl_save(\"v\", &mut tmrepl_saver);")
        );
        assert!(code.contains("finish(\"/s/report\")"));
        assert!(load_code(&[(&v, PathBuf::from("/s/o"))]).ends_with(
            "let mut v: Vec<i32> = (&&tmrepl_persist::Loader::<Vec<i32>>::new()).tmrepl_load(\"/s/o\");\n"
        ));
        let report = read_report(
            "v\tsaved\tab12\t/s/stage/v.bin\nrc\tnot saved\tRc<i32> does not implement serde\nw\texists\tcd34\n",
        );
        assert_eq!(
            report[0],
            (
                "v".into(),
                Saved::Value {
                    path: "/s/stage/v.bin".into(),
                    hash: "ab12".into()
                }
            )
        );
        assert!(matches!(&report[1].1, Saved::NotSaved(r) if r.contains("does not implement")));
        assert_eq!(report[2], ("w".into(), Saved::Existing("cd34".into())));
    }

    #[test]
    fn peek_code_and_reports() {
        let code = peek_code(&["v".into()], Path::new("/s/peek"), 240, false);
        assert!(code.starts_with('{') && code.ends_with('}'));
        assert!(code.contains("Peeker::new(\"/s/peek\", 240, false)"));
        assert!(code.contains(
            "(&&&tmrepl_persist::PeekProbe(&v)).tmrepl_peek(\"v\", &mut tmrepl_peeker);"
        ));
        let report = "v\tdebug\t9\n[1, 2, 3]\ns\tcut\t8\n\"a\\nb\ncd\nn\tnodebug\t7\n8 bytes\np\tpanic\t4\nboom\nend\n";
        let (entries, ended) = read_peek_report(report);
        assert!(ended);
        assert_eq!(
            entries,
            vec![
                (
                    "v".into(),
                    ValuePreview::Debug {
                        text: "[1, 2, 3]".into(),
                        cut: false
                    }
                ),
                (
                    "s".into(),
                    ValuePreview::Debug {
                        text: "\"a\\nb\ncd".into(),
                        cut: true
                    }
                ),
                ("n".into(), ValuePreview::NoDebug("8 bytes".into())),
                ("p".into(), ValuePreview::Panicked("boom".into())),
            ]
        );
        // A job killed halfway: the complete entries only, and no end.
        let (entries, ended) = read_peek_report("v\tdebug\t9\n[1, 2, 3]\nw\tdebug\t20\n[1, 2");
        assert!(!ended);
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn the_helper_is_written_once() {
        let data = tempfile::tempdir().unwrap();
        let dir = ensure_helper(data.path()).unwrap();
        assert!(dir.join("Cargo.toml").exists());
        assert_eq!(ensure_helper(data.path()).unwrap(), dir);
    }
}
