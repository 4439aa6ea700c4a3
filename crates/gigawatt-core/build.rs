//! Finds the bundled platform files (`catalog/platforms/*.toml`) so that adding a platform is
//! adding its file: the list compiled into the binary is written here, sorted by file name.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/platforms");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the bundled catalog {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    let mut code =
        String::from("/// The platform files bundled with the tool (`catalog/platforms/`), found by directory.\n");
    code.push_str("pub const BUNDLED_PLATFORMS: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(name);
        let _ = writeln!(code, "    (\"catalog/platforms/{name}\", include_str!({:?})),", path.display().to_string());
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_platforms.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
