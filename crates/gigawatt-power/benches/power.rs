//! Benchmarks of the power model (`cargo bench -p gigawatt-power --features bench`):
//!
//! * one day of a 1 GW site (Vera Rubin, one 100,000-GPU job with failures, checkpoints and
//!   restarts) at 1 s: 86,400 points, target ≤ 0.2 s;
//! * a month (30 days) of the same site at 1 s: 2.6 M points, target ≤ 5 s.
//!
//! Each measures everything after the simulation: the series, the cooling, the metrics, the 10 ms
//! spectrum window and the energy cost. The simulation of the replica is measured apart.

use criterion::{Criterion, criterion_group, criterion_main};
use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_power::inputs::{PowerSettings, bundled_defaults_file, read_defaults};
use gigawatt_power::{PowerOptions, build_model, results, simulation};

const SITE: &str = r#"
name = "1 GW Vera Rubin site"
seed = 1
[[phase]]
name = "GW 1"
online = "2026-H2"
platform = "vr-nvl144"
power_gw = 1.0
state = "TX"
[simulation]
days = 30
replicas = 1
[[job]]
name = "frontier"
gpus = 100000
checkpoint_write_s = { value = 0.59, assumption = "in-memory checkpoint" }
restart_s = { value = 159.5, assumption = "warm restart" }
"#;

fn site(c: &mut Criterion) {
    let catalog = Catalog::bundled().unwrap();
    let model = load_scenario(&SourceFile::new("bench.toml", SITE), &catalog).unwrap();
    let eval = evaluate(&model, &model.params.central());
    let df = bundled_defaults_file();
    let settings = PowerSettings::from_model(&model, &read_defaults(&df).unwrap(), &df).unwrap();
    let mut g = c.benchmark_group("power");
    g.sample_size(10);
    for days in [1.0, 30.0] {
        let opts =
            PowerOptions { seed: 1, from_day: 0.0, to_day: days, resolution_s: 1.0, spectrum_at_s: None, prices: None };
        let sim = simulation(&model, &eval, &opts).unwrap();
        let pm = build_model(&model, &catalog, &eval, &settings, &sim);
        let r = results::compute(&model, &pm, &settings, &opts);
        eprintln!(
            "{days} days: {} points, peak {:.0} MW, min {:.0} MW, {} run segments",
            r.series[0].1.len(),
            r.total.metrics.peak_mw,
            r.total.metrics.min_mw,
            pm.jobs[0].segments.len()
        );
        g.bench_function(format!("1gw_{days}d_1s_series_and_metrics"), |b| {
            b.iter(|| results::compute(&model, &pm, &settings, &opts))
        });
        g.bench_function(format!("1gw_{days}d_simulated_replica"), |b| {
            b.iter(|| build_model(&model, &catalog, &eval, &settings, &sim))
        });
    }
    g.finish();
}

criterion_group!(benches, site);
criterion_main!(benches);
