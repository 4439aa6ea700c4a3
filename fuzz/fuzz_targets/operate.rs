//! Scenario text with an `[operate]` section → load → operate inputs → streams → a short run:
//! never a panic, never a non-finite number in the result, every input error located in the file.
#![no_main]

use std::sync::OnceLock;

use gigawatt_core::{Catalog, SourceFile, finite, load_scenario};
use gigawatt_operate::{OperateEstimate, OperateRequest, OperateSpec};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::bundled().expect("the bundled catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("fuzz.toml", text);
    let Ok(model) = load_scenario(&file, catalog()) else { return };
    let spec = match OperateSpec::of(&model) {
        Ok(spec) => spec,
        Err(e) => {
            assert!(e.location().is_some(), "an [operate] error without its place: {e}");
            return;
        }
    };
    // A research shape names a file: reading files is the trace target's, not this one's.
    if spec.research_shape.is_some() {
        return;
    }
    // Draw the streams and run only what is small: the fuzzer looks for wrong answers, not slow
    // ones.
    let gpus: u64 = gigawatt_core::analysis::central(&model).phases.iter().map(|p| p.gpus).sum();
    if spec.research_jobs > 5_000 || gpus > 50_000 {
        return;
    }
    let prepared = match gigawatt_operate::prepare(&model, catalog(), &OperateRequest::default()) {
        Ok(p) => p,
        Err(e) => {
            // With no --from or --to, every error is the file's: the capacity model's, the
            // fleet's, a run that never fits, a budget, the days operated.
            assert!(e.location().is_some(), "an operate error without its place: {e}");
            return;
        }
    };
    let estimate = OperateEstimate::of(&prepared);
    assert!(estimate.events.is_finite() && estimate.events >= 0.0, "estimate {estimate:?}");
    if estimate.events > 2e5 || prepared.to.days_since_epoch() - prepared.from.days_since_epoch() > 3 * 366 {
        return;
    }
    let result = gigawatt_operate::run_prepared(&model, &prepared, &|_| {}).expect("a prepared run runs");
    if let Err(at) = finite::check(&result) {
        panic!("operate: {at}");
    }
});
