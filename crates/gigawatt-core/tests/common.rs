//! Shared helpers for the core's integration tests (included with `mod common;`).
#![allow(dead_code)]

use gigawatt_core::{Catalog, Model, SourceFile, load_scenario};

/// The repository root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Loads a bundled scenario by file name.
pub fn scenario(name: &str) -> Model {
    let path = root().join("scenarios").join(name);
    let text = std::fs::read_to_string(&path).expect("scenario exists");
    load_scenario(&SourceFile::new(format!("scenarios/{name}"), text), &Catalog::bundled().unwrap())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a scenario from text.
pub fn from_text(text: &str) -> Result<Model, gigawatt_core::InputError> {
    load_scenario(&SourceFile::new("test.toml", text), &Catalog::bundled().unwrap())
}
