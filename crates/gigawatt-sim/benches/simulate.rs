//! Benchmarks of the simulator (`cargo bench -p gigawatt-sim --features bench`):
//!
//! * the 10 GW seed scenario (2.2 M GPU packages), 365 simulated days, one replica;
//! * 1,000 replicas of the Llama 3 scenario (54 days, 24,576 GPUs);
//! * one 365-day replica against fleet size, 10⁴ … 5·10⁶ GPUs, and the 5·10⁶-GPU fleet at 1, 0.1
//!   and 0.01 × the failure rates: the cost follows the number of events, not fleet size ×
//!   simulated time.
//!
//! Each benchmark also prints its events per replica once, so events per second can be read off.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, Model, SourceFile, load_scenario};
use gigawatt_sim::{SimOptions, Simulation};

fn load(text: String, name: &str) -> Model {
    load_scenario(&SourceFile::new(name, text), &Catalog::bundled().unwrap()).unwrap()
}

fn scenario(name: &str) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
    load(std::fs::read_to_string(path).unwrap(), name)
}

fn prepare(model: &Model, replicas: u32, days: f64) -> Simulation {
    let eval = evaluate(model, &model.params.central());
    let opts = SimOptions { replicas, days, ..SimOptions::from_model(model) };
    Simulation::new(model, &eval, opts).unwrap()
}

fn ten_gw_year(c: &mut Criterion) {
    let model = scenario("nvidia-openai-10gw.toml");
    let sim = prepare(&model, 1, 365.0);
    let events = sim.replica(0, &|| {}).events;
    eprintln!("10 GW seed scenario: {} GPUs, {events} events per 365-day replica", sim.fleet.gpus);
    let mut g = c.benchmark_group("seed");
    g.sample_size(10);
    g.bench_function("10gw_365d_1_replica", |b| b.iter(|| sim.replica(0, &|| {})));
    g.finish();
}

fn llama3_replicas(c: &mut Criterion) {
    let model = scenario("llama3-405b-16k.toml");
    let sim = prepare(&model, 1000, 54.0);
    let events = sim.replica(0, &|| {}).events;
    eprintln!("Llama 3: {events} events per 54-day replica");
    let mut g = c.benchmark_group("llama3");
    g.sample_size(10);
    g.bench_function("1000_replicas_54d", |b| b.iter(|| sim.run(&model, &|| {})));
    g.finish();
}

/// A fleet of about `gpus` GB300 NVL72 packages with one 10%-of-fleet job, as scenario text;
/// failure rates `multiplier` × H100's per package.
fn fleet_of(gpus: u64, multiplier: f64) -> Model {
    let racks = gpus / 72;
    let job = (racks * 72 / 10).max(72);
    load(
        format!(
            "name = \"fleet of {gpus}\"\n[[phase]]\nonline = \"2026-H1\"\nplatform = \"gb300-nvl72\"\nsystems = {racks}\n\
             [simulation]\ndays = 365\nreplicas = 1\nrate_multiplier = {multiplier}\n\
             [[job]]\ngpus = {job}\ncheckpoint_write_s = 5\nrestart_s = 180\n"
        ),
        "bench.toml",
    )
}

fn fleet_size(c: &mut Criterion) {
    let mut g = c.benchmark_group("fleet_size_365d");
    g.sample_size(10);
    for gpus in [10_000u64, 100_000, 1_000_000, 5_000_000] {
        let model = fleet_of(gpus, 1.0);
        let sim = prepare(&model, 1, 365.0);
        let events = sim.replica(0, &|| {}).events;
        eprintln!("fleet of {} GPUs: {events} events per 365-day replica", sim.fleet.gpus);
        g.bench_with_input(BenchmarkId::from_parameter(gpus), &sim, |b, sim| b.iter(|| sim.replica(0, &|| {})));
    }
    g.finish();
}

/// The same 5·10⁶-GPU fleet-year with failure rates scaled down: if the cost grew with fleet size
/// × simulated time it would stay put; it falls with the number of events.
fn events_not_fleet_size(c: &mut Criterion) {
    let mut g = c.benchmark_group("fleet_5m_365d_by_rate");
    g.sample_size(10);
    for multiplier in [1.0, 0.1, 0.01] {
        let model = fleet_of(5_000_000, multiplier);
        let sim = prepare(&model, 1, 365.0);
        let events = sim.replica(0, &|| {}).events;
        eprintln!("5 M GPUs at {multiplier}× the rates: {events} events per 365-day replica");
        g.bench_with_input(BenchmarkId::from_parameter(multiplier), &sim, |b, sim| b.iter(|| sim.replica(0, &|| {})));
    }
    g.finish();
}

criterion_group!(benches, ten_gw_year, llama3_replicas, fleet_size, events_not_fleet_size);
criterion_main!(benches);
