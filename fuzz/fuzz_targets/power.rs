//! `gigawatt power`'s inputs: the first byte picks what the rest is.
//!
//! * even: a scenario with a `[power]` section → load → the power settings → (when it has jobs and
//!   the estimates are small) the series and metrics over a short window;
//! * odd: an hourly price CSV (`--prices`), with `--fill` when bit 1 is set.
//!
//! Never a panic; every error names its file (and, for the scenario and the CSV rows, a line and
//! column); no NaN or infinity in a result.
#![no_main]

use std::sync::OnceLock;

use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, SourceFile, finite, load_scenario};
use gigawatt_power::inputs::{PowerSettings, bundled_defaults_file, read_defaults};
use gigawatt_power::price::read_hourly;
use gigawatt_power::{PowerEstimate, PowerOptions, power};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::bundled().expect("the bundled catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    if mode % 2 == 1 {
        let file = SourceFile::new("prices.csv", text);
        match read_hourly(&file, mode & 2 != 0) {
            Ok(s) => {
                assert!(!s.usd_per_mwh.is_empty());
                assert!(s.usd_per_mwh.iter().all(|x| x.is_finite()));
                if let Some(c) = &s.g_co2_per_kwh {
                    assert_eq!(c.len(), s.usd_per_mwh.len());
                    assert!(c.iter().all(|x| x.is_finite() && *x >= 0.0));
                }
            }
            Err(e) => assert!(e.location().is_some(), "an error without its file: {e}"),
        }
        return;
    }
    let file = SourceFile::new("fuzz.toml", text);
    let model = match load_scenario(&file, catalog()) {
        Ok(m) => m,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    };
    let df = bundled_defaults_file();
    let defaults = read_defaults(&df).expect("the bundled power defaults load");
    let settings = match PowerSettings::from_model(&model, &defaults, &df) {
        Ok(s) => s,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    };
    if model.simulation.jobs.is_empty() || settings.replica > 3 {
        return;
    }
    let days = model.simulation.days.min(0.05);
    let options = PowerOptions { seed: model.seed, from_day: 0.0, to_day: days, resolution_s: 1.0, spectrum_at_s: None, prices: None };
    if gigawatt_power::check_window(&options).is_err() {
        return;
    }
    let eval = evaluate(&model, &model.params.central());
    // The fuzzer looks for wrong answers, not slow ones: small fleets and windows only.
    let sim_options = gigawatt_sim::SimOptions { seed: model.seed, replicas: 1, days, sweep: false };
    match gigawatt_sim::WorkEstimate::of(&model, &eval, sim_options) {
        Ok(w) if w.nodes <= 200_000 && w.events <= 1e6 => {}
        Ok(_) => return,
        Err(e) => {
            assert!(e.location().is_some(), "an error without its file: {e}");
            return;
        }
    }
    if PowerEstimate::of(&model, &settings, &options).memory_bytes > 1 << 30 {
        return;
    }
    match power(&model, catalog(), &eval, &settings, &options) {
        Ok(r) => {
            if let Err(at) = finite::check(&r) {
                panic!("power: {at}");
            }
            let m = &r.total.metrics;
            assert!(m.min_mw <= m.mean_mw + 1e-9 && m.mean_mw <= m.peak_mw + 1e-9, "{m:?}");
            assert!((0.0..=1.0 + 1e-9).contains(&m.band_energy_share));
        }
        Err(e) => assert!(e.location().is_some(), "an error without its file: {e}"),
    }
});
