//! A user's platform file (`--catalog FILE`) → the catalog, and a one-phase scenario planned on
//! the platform it defines: never a panic, never a non-finite number, every error located.
#![no_main]

use gigawatt_core::{Catalog, PlanOptions, SourceFile, finite, load_scenario, plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("platform.toml", text);
    let catalog = match Catalog::load(&[file]) {
        Ok(catalog) => catalog,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    };
    if let Err(at) = finite::check(&catalog) {
        panic!("catalog: {at}");
    }
    // Plan one small phase on every platform (the new one among them).
    for id in catalog.ids() {
        let scenario = format!("name = \"p\"\n[[phase]]\nonline = \"2026-H2\"\nplatform = \"{id}\"\nsystems = 2\n");
        match load_scenario(&SourceFile::new("s.toml", scenario), &catalog) {
            Ok(model) => {
                let options = PlanOptions { draws: gigawatt_core::scenario::MIN_DRAWS, seed: 1 };
                if let Err(at) = finite::check(&plan(&model, options)) {
                    panic!("plan on {id}: {at}");
                }
            }
            Err(e) => assert!(e.location().is_some(), "an error without its file: {e}"),
        }
    }
});
