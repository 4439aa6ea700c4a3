//! Scenario text → load → plan → capacity: never a panic, never a non-finite number in a result,
//! and every error located in the file.
#![no_main]

use std::sync::OnceLock;

use gigawatt_core::{Catalog, PlanOptions, SourceFile, finite, load_scenario, plan};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::bundled().expect("the bundled catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("fuzz.toml", text);
    let model = match load_scenario(&file, catalog()) {
        Ok(model) => model,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    };
    // The fewest draws a run may use: the fuzzer looks for wrong answers, not slow ones.
    let options = PlanOptions { draws: gigawatt_core::scenario::MIN_DRAWS, seed: model.seed };
    let result = plan(&model, options);
    if let Err(at) = finite::check(&result) {
        panic!("plan: {at}");
    }
    if model.workloads.declared() {
        match gigawatt_workloads::capacity_simulated(&model, catalog(), false) {
            Ok(capacity) => {
                if let Err(at) = finite::check(&capacity) {
                    panic!("capacity: {at}");
                }
            }
            Err(e) => assert!(e.location().is_some(), "an error without its file: {e}"),
        }
    }
});
