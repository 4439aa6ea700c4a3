//! Benchmarks of `gigawatt sweep` (`cargo bench -p gigawatt-sweep --features bench`), on the
//! bundled example `examples/sweep-llama3.toml` (the Llama 3 scenario, 1,000 points × 100
//! simulated 54-day replicas):
//!
//! * the whole sweep, run once and timed (run_shard of the whole sweep, then merge): the issue's
//!   target is ≤ 60 s on 2 cores;
//! * one point's 100 replicas;
//! * what each shard adds whatever its points: preparing the sweep (parse, resolve, check every
//!   axis value, the metric probe), a shard's fixed file work (scan `DIR/shards`, write its
//!   Parquet and JSON), and the merge of all 100,000 rows, which is paid once;
//! * the bundled replay sweep `examples/sweep-replay.toml` (16 points × 5 replicas of a
//!   10,000-job synthetic stream on 2,288 GPUs) whole, and one of its points' 5 replicas.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use gigawatt_core::SourceFile;
use gigawatt_sweep::{BaseFiles, Prepared, Progress, ReplayFiles, Shard, SweepFile, TraceInput, merge, run_shard};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> SourceFile {
    SourceFile::new(rel, std::fs::read_to_string(root().join(rel)).unwrap())
}

fn prepare() -> Prepared {
    let sweep = SweepFile::parse(&read("examples/sweep-llama3.toml")).unwrap();
    Prepared::new(sweep, read("scenarios/llama3-405b-16k.toml"), Vec::new()).unwrap()
}

const QUIET: Progress<'static> = Progress { on_start: &|_| {}, tick: &|| {} };

fn whole_sweep(c: &mut Criterion) {
    let p = prepare();
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    run_shard(&p, dir.path(), Shard::ALL, &QUIET).unwrap();
    let merged = merge(dir.path(), false).unwrap();
    eprintln!(
        "examples/sweep-llama3.toml: {} points × {} replicas = {} rows in {:.1} s on {} threads",
        p.points,
        p.sweep.replicas,
        merged.points.rows(),
        start.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.bench_function("merge_1000_points_x100", |b| b.iter(|| merge(dir.path(), false).unwrap()));
    g.bench_function("one_point_x100_replicas", |b| b.iter(|| p.compute(&[17], &|| {}).unwrap()));
    g.finish();
}

fn shard_overhead(c: &mut Criterion) {
    let p = prepare();
    let mut g = c.benchmark_group("shard_overhead");
    g.sample_size(10);
    g.bench_function("prepare_sweep", |b| b.iter(prepare));
    // A shard of one point (shard 0 of 1,000) in a fresh directory, less that point's compute
    // (one_point_x100_replicas above), is a shard's fixed file work.
    g.bench_function("shard_of_one_point", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| run_shard(&p, dir.path(), Shard { index: 0, count: 1000 }, &QUIET).unwrap(),
        )
    });
    g.finish();
}

/// The bundled replay sweep, prepared as `gigawatt sweep` prepares it.
fn prepare_replay() -> Prepared {
    let sweep = SweepFile::parse(&read("examples/sweep-replay.toml")).unwrap();
    let spec_path = root().join("examples/synthetic-acme-seren.toml");
    let spec = gigawatt_trace::synthetic::load_synthetic(&spec_path).unwrap();
    let trace = TraceInput::Synthetic { file: read("examples/synthetic-acme-seren.toml"), spec };
    let files = ReplayFiles { cluster: read("examples/cluster-seren.toml"), trace };
    Prepared::new(sweep, BaseFiles::Replay(files), Vec::new()).unwrap()
}

fn replay_sweep(c: &mut Criterion) {
    let p = prepare_replay();
    let mut g = c.benchmark_group("replay_sweep");
    g.sample_size(10);
    g.bench_function("whole_16_points_x5", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().unwrap();
            run_shard(&p, dir.path(), Shard::ALL, &QUIET).unwrap();
            merge(dir.path(), false).unwrap()
        })
    });
    // The busiest point: FIFO at 1,000 jobs an hour (99 % offered load).
    g.bench_function("one_point_x5_replicas", |b| b.iter(|| p.compute(&[3], &|| {}).unwrap()));
    g.bench_function("prepare_sweep", |b| b.iter(prepare_replay));
    g.finish();
}

criterion_group!(benches, whole_sweep, shard_overhead, replay_sweep);
criterion_main!(benches);
