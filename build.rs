//! Records the exact evcxr version Cargo.lock pins, for `:version`
//! (as the environment variable `TMREPL_EVCXR_VERSION` at compile time).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    // Read when the script runs, not baked in when it was compiled: a build script kept in
    // a target folder that moved (or was copied) would otherwise read another checkout's.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock = Path::new(&manifest_dir).join("Cargo.lock");
    let version = match std::fs::read_to_string(&lock) {
        Ok(text) => locked_version(&text, "tmrepl-evcxr"),
        Err(_) => None,
    };
    let version = version.unwrap_or_else(|| {
        println!(
            "cargo:warning=no evcxr entry in {}; :version will say unknown",
            lock.display()
        );
        "unknown".to_owned()
    });
    println!("cargo:rustc-env=TMREPL_EVCXR_VERSION={version}");
}

/// The `version` of the `[[package]]` named `name`: Cargo writes each entry's fields one
/// per line, `name = "…"` and `version = "…"` among them.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    lock.split("[[package]]").skip(1).find_map(|entry| {
        let fields: Vec<&str> = entry.lines().map(str::trim).collect();
        if !fields.contains(&wanted.as_str()) {
            return None;
        }
        let version = fields.iter().find_map(|f| f.strip_prefix("version = "))?;
        Some(version.trim_matches('"').to_owned())
    })
}
