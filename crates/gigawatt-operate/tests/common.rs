//! Shared helpers of the operate tests.

#![allow(dead_code)]

use gigawatt_core::{Catalog, Model, SourceFile, load_scenario};

/// The repository root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A bundled scenario.
pub fn scenario(name: &str) -> Model {
    let path = root().join("scenarios").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    load_scenario(&SourceFile::new(path.display().to_string(), text), &Catalog::bundled().unwrap()).unwrap()
}

/// A scenario from text.
pub fn from_text(text: &str) -> Result<Model, gigawatt_core::InputError> {
    load_scenario(&SourceFile::new("test.toml", text), &Catalog::bundled().unwrap())
}
