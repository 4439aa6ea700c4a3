//! `gigawatt power --operate`: the series of an operated build-out follow every job's segments.

use gigawatt_core::error::SourceFile;
use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, load_scenario};
use gigawatt_operate::{OperateRequest, operate_logged};
use gigawatt_power::inputs::{PowerSettings, bundled_defaults_file, read_defaults};
use gigawatt_power::model::Mitigations;
use gigawatt_power::operated::build_operated_model;
use gigawatt_power::series::phase_it;
use gigawatt_power::wave::Grid;
use gigawatt_sim::SimTime;

/// The operate tests' small build-out: two H100 phases a quarter apart.
fn fixture_text() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join("crates/gigawatt-operate/tests/fixtures/small.toml")).unwrap()
}

fn model_of(text: String) -> gigawatt_core::Model {
    load_scenario(&SourceFile::new("small.toml", text), &Catalog::bundled().unwrap()).unwrap()
}

fn fixture(extra: &str) -> gigawatt_core::Model {
    model_of(fixture_text() + extra)
}

/// ∫ over [a, b] of the share of a phase in service, rising evenly from `rs` to `ro` (s).
fn in_service_seconds(a: f64, b: f64, rs: f64, ro: f64) -> f64 {
    let full = (b.max(ro) - a.max(ro)).max(0.0);
    if ro <= rs {
        return full;
    }
    let (x, y) = (a.clamp(rs, ro), b.clamp(rs, ro));
    let f = |t: f64| (t - rs) / (ro - rs);
    full + (y - x) * 0.5 * (f(x) + f(y))
}

/// With every running state at one level L a job adds (L − idle) × TDP for the time it runs (its
/// restarts hold its GPUs at idle), whatever its class; the fleet adds its idle power for the
/// share of each phase in service. Checks each phase's IT energy over days `[d0, d1)` of `extra`.
fn check_conservation(text: String, d0: f64, d1: f64) {
    let level = 0.7;
    let levels: String = ["compute", "communication", "checkpoint", "serving"]
        .iter()
        .map(|k| format!("{k} = {{ value = {level}, assumption = \"a test level\" }}\n"))
        .collect();
    let m = model_of(format!("{text}\n[power.gpu]\n{levels}"));
    let catalog = Catalog::bundled().unwrap();
    let (from, to) = (SimTime::from_days(d0), SimTime::from_days(d1));
    let logged = operate_logged(&m, &catalog, &OperateRequest::default(), (from, to), &|_| {}).unwrap();
    let file = bundled_defaults_file();
    let settings = PowerSettings::for_operate(&m, &read_defaults(&file).unwrap(), &file).unwrap();
    let eval = evaluate(&m, &m.params.central());
    let pm = build_operated_model(&m, &catalog, &eval, &settings, &logged);
    assert!(pm.jobs.len() > 10, "{} job pieces", pm.jobs.len());
    assert!(pm.jobs.iter().any(|j| j.steady.is_some()), "inference is there");
    let grid = Grid::new(from.secs(), to.secs(), 60.0);
    let none = Mitigations::default();
    let mut runs = 0.0;
    for (p, phase) in pm.phases.iter().enumerate() {
        let (it, ..) = phase_it(&pm, p, &grid, &none);
        let simulated: f64 = it.iter().map(|x| x * grid.dt).sum();
        let running: f64 = pm
            .jobs
            .iter()
            .filter(|j| j.phase == p)
            .flat_map(|j| {
                j.segments
                    .iter()
                    .map(move |s| j.gpus as f64 * (s.end.min(to.secs()) - s.start.max(from.secs())).max(0.0))
            })
            .sum();
        runs += running;
        let idle = settings.levels.idle;
        let (rs, ro) = phase.in_service.expect("an operated phase has its ramp");
        let expected = phase.it_mw_at(idle) * in_service_seconds(from.secs(), to.secs(), rs, ro)
            + running * phase.gpu_tdp_mw * (level - idle);
        assert!((simulated - expected).abs() <= 1e-9 * expected.max(1.0), "phase {p}: {simulated} vs {expected} MW·s");
    }
    assert!(runs > 0.0, "jobs run in the window");
}

#[test]
fn with_every_level_equal_the_it_energy_is_the_idle_fleet_plus_the_gpu_time_held_running() {
    check_conservation(fixture_text(), 100.0, 102.0);
}

#[test]
fn a_phase_ramping_in_draws_its_idle_power_for_the_share_in_service() {
    // The second phase ramps in over three months to 2025-06-30: days 40 – 42 are inside it.
    let text = fixture_text();
    let ramped = text.replacen(
        "systems = 256\n",
        "systems = 256\nramp_months = { value = 3, assumption = \"a test ramp\" }\n",
        1,
    );
    assert_ne!(ramped, text, "the fixture's second phase has 256 systems");
    check_conservation(ramped, 40.0, 42.0);
}

#[test]
fn a_phase_not_yet_in_service_draws_nothing_and_one_in_service_at_least_its_idle_power() {
    let m = fixture("");
    let catalog = Catalog::bundled().unwrap();
    // The fixture's second phase comes online at once on 2025-06-30, day 91 of the run.
    let day = |d: f64| SimTime::from_days(d);
    let logged = operate_logged(&m, &catalog, &OperateRequest::default(), (day(80.0), day(82.0)), &|_| {}).unwrap();
    let file = bundled_defaults_file();
    let settings = PowerSettings::for_operate(&m, &read_defaults(&file).unwrap(), &file).unwrap();
    let eval = evaluate(&m, &m.params.central());
    let pm = build_operated_model(&m, &catalog, &eval, &settings, &logged);
    let grid = Grid::new(day(80.0).secs(), day(82.0).secs(), 3600.0);
    let (second, ..) = phase_it(&pm, 1, &grid, &Mitigations::default());
    assert!(second.iter().all(|&x| x == 0.0), "the second phase is not in service yet: {second:?}");
    let (first, ..) = phase_it(&pm, 0, &grid, &Mitigations::default());
    assert!(first.iter().all(|&x| x >= pm.phases[0].it_mw_at(settings.levels.idle) * (1.0 - 1e-12)));
}
