//! Sweep file text → parse → resolve against the Llama 3 scenario (a replay sweep: the Seren-sized
//! cluster spec and the Seren-like synthetic stream) → the first and last points' inputs: never a
//! panic, every parse and path error located in the sweep file, and every point within the
//! sweep's bounds. Nothing is run (the commands have their own targets).
#![no_main]

use std::sync::OnceLock;

use gigawatt_core::{Catalog, SourceFile};
use gigawatt_sweep::spec::Base;
use gigawatt_sweep::{BaseFiles, Prepared, ReplayFiles, SweepFile, TraceInput};
use libfuzzer_sys::fuzz_target;

fn scenario() -> SourceFile {
    SourceFile::new("scenarios/llama3-405b-16k.toml", include_str!("../../scenarios/llama3-405b-16k.toml"))
}

/// A replay sweep's cluster spec and synthetic stream.
fn replay() -> ReplayFiles {
    let cluster = SourceFile::new("examples/cluster-seren.toml", include_str!("../../examples/cluster-seren.toml"));
    let file = SourceFile::new("examples/synthetic-acme-seren.toml", include_str!("../../examples/synthetic-acme-seren.toml"));
    let spec = gigawatt_trace::synthetic::parse_synthetic(&file).expect("the bundled spec loads");
    ReplayFiles { cluster, trace: TraceInput::Synthetic { file, spec } }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::bundled().expect("the bundled catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("fuzz-sweep.toml", text);
    let sweep = match SweepFile::parse(&file) {
        Ok(s) => s,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    };
    let _ = catalog();
    let base = match sweep.base {
        Base::Scenario(_) => BaseFiles::Scenario(scenario()),
        Base::Replay(_) => BaseFiles::Replay(replay()),
    };
    let prepared = match Prepared::resolve(sweep, base, Vec::new()) {
        Ok(p) => p,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    };
    assert!(prepared.points >= 1 && prepared.points <= gigawatt_sweep::spec::MAX_POINTS);
    for point in [0, prepared.points / 2, prepared.points - 1] {
        let values = prepared.point_values(point);
        assert_eq!(values.len(), prepared.sweep.axes.len());
        for v in values.iter().flatten() {
            if let Some(x) = v.as_float() {
                assert!(x.is_finite(), "point {point}: a value that is not finite");
            }
        }
        // The point's inputs load or are refused; either way without a panic.
        let _ = prepared.inputs(&values);
    }
});
