//! Compiled into a tmrepl session (never into tmrepl itself): generated code calls it to
//! write each variable's value, when its type can be saved, and to read values back.
//! Which variables can be saved is decided at compile time by autoref specialization.

use std::io::Write;

/// The largest value `load` decodes: a damaged length prefix cannot exhaust memory.
pub const DECODE_LIMIT: usize = 1 << 33;

/// Wraps a reference to a session variable for the probe traits below.
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// Collects a session's values into a staging folder, one file per value.
pub struct Saver {
    staging: std::path::PathBuf,
    report: String,
}

impl Saver {
    pub fn new(staging: &str) -> Saver {
        let _ = std::fs::create_dir_all(staging);
        Saver {
            staging: staging.into(),
            report: String::new(),
        }
    }

    pub fn save<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let config = bincode::config::standard();
        match bincode::serde::encode_to_vec(value, config) {
            Ok(bytes) => {
                let path = self.staging.join(format!("{name}.bin"));
                let written = std::fs::File::create(&path)
                    .and_then(|mut f| f.write_all(&bytes).and_then(|_| f.sync_all()));
                match written {
                    Ok(()) => self.report.push_str(&format!("{name}\tsaved\t{}\n", path.display())),
                    Err(e) => self.skip(name, &format!("could not write it: {e}")),
                }
            }
            Err(e) => self.skip(name, &format!("serializing failed: {e}")),
        }
    }

    pub fn skip(&mut self, name: &str, reason: &str) {
        let reason = reason.replace(['\t', '\n'], " ");
        self.report.push_str(&format!("{name}\tnot saved\t{reason}\n"));
    }

    /// Writes the report last, so its presence means every value is in place.
    pub fn finish(self, report: &str) {
        let temp = format!("{report}.tmp");
        let ok = std::fs::write(&temp, &self.report).and_then(|_| std::fs::rename(&temp, report));
        if let Err(e) = ok {
            eprintln!("tmrepl: writing the save report failed: {e}");
        }
    }
}

pub trait ViaSerde {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver);
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> ViaSerde for &Probe<'_, T> {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver) {
        saver.save(name, self.0);
    }
}

pub trait ViaFallback {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver);
}

impl<T: ?Sized> ViaFallback for Probe<'_, T> {
    fn tmrepl_save(&self, name: &str, saver: &mut Saver) {
        saver.skip(
            name,
            &format!(
                "{} does not implement serde::Serialize and Deserialize",
                std::any::type_name::<T>()
            ),
        );
    }
}

/// Reads a value saved by `Saver::save`; the host has checked the file's hash already.
pub fn load<T: serde::de::DeserializeOwned>(path: &str) -> T {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("tmrepl: reading {path}: {e}"));
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    match bincode::serde::decode_from_slice(&bytes, config) {
        Ok((value, _)) => value,
        Err(e) => panic!("tmrepl: decoding {path}: {e}"),
    }
}
