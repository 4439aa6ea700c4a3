//! Operate speed (issue 13's target: the seed scenario's 30 months — ≈ 2.2 M GPUs, every class,
//! failures on, a million research jobs — in ≤ 10 s for one replica on one core).
//!
//! `cargo bench -p gigawatt-operate --features bench` measures the target itself — the
//! seed's 30 months, 2026-09 to 2029-03, with the ≈ 714 K research jobs of those months — and,
//! for a quicker loop, the seed's first six months and the small test build-out. Criterion runs on
//! one thread; memory is measured apart (`/usr/bin/time -f %M gigawatt operate …`,
//! `docs/limits.md`).

use criterion::{Criterion, criterion_group, criterion_main};
use gigawatt_core::date::Date;
use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_operate::{OperateRequest, operate};

fn scenario(path: &str) -> gigawatt_core::Model {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    load_scenario(&SourceFile::new(path, text), &Catalog::bundled().unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::bundled().unwrap();
    let small = scenario("crates/gigawatt-operate/tests/fixtures/small.toml");
    c.bench_function("operate small (two H100 phases, 9 months, 5 K research jobs)", |b| {
        b.iter(|| operate(&small, &catalog, &OperateRequest::default()).unwrap())
    });
    let seed = scenario("scenarios/nvidia-openai-10gw.toml");
    let req = OperateRequest { to: Date::from_ymd(2027, 3, 31), ..OperateRequest::default() };
    let mut group = c.benchmark_group("seed");
    group.sample_size(10);
    group.bench_function("operate seed, 2026-09 to 2027-03", |b| b.iter(|| operate(&seed, &catalog, &req).unwrap()));
    let thirty_months = OperateRequest { to: Date::from_ymd(2029, 3, 31), ..OperateRequest::default() };
    group.measurement_time(std::time::Duration::from_secs(80));
    group.bench_function("operate seed, 30 months: 2026-09 to 2029-03", |b| {
        b.iter(|| operate(&seed, &catalog, &thirty_months).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
