//! Sweeps of the bundled Llama 3 scenario, end to end through the library: sharded runs merge into
//! the unsharded run's bytes, a killed run resumes, files of another sweep are refused, bad paths
//! and values are located in the sweep file before anything runs.

use std::path::{Path, PathBuf};

use gigawatt_core::SourceFile;
use gigawatt_sweep::table::Values;
use gigawatt_sweep::{Prepared, Progress, Shard, SweepFile, merge, read_parquet, run_shard};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn llama3() -> SourceFile {
    let path = root().join("scenarios/llama3-405b-16k.toml");
    SourceFile::new("scenarios/llama3-405b-16k.toml", std::fs::read_to_string(path).unwrap())
}

fn prepare(text: &str) -> Result<Prepared, gigawatt_core::InputError> {
    let sweep = SweepFile::parse(&SourceFile::new("sweep.toml", text))?;
    Prepared::new(sweep, llama3(), Vec::new())
}

fn prepared(text: &str) -> Prepared {
    prepare(text).unwrap_or_else(|e| panic!("{e}: {:?}", e.help))
}

const QUIET: Progress<'static> = Progress { on_start: &|_| {}, tick: &|| {} };

/// A plan sweep: 3 PUEs × 2 electricity prices × an H100 server price, 2 replicas each.
const PLAN: &str = r#"
scenario = "x.toml"
command = "plan"
replicas = 2
metrics = ["totals.capex_usd", { name = "opex", path = "totals.opex_usd_per_year" }, "ranges.capex_per_gw_usd.high"]

[set]
"uncertainty.draws" = 1000

[[axis]]
path = "phase[0].pue"
values = [1.1, 1.2, 1.3]

[[axis]]
path = "costs.electricity_usd_per_mwh"
range = { start = 50, stop = 100, step = 50 }

[[axis]]
name = "h100_price_usd"
path = 'platform["h100-hgx"].system_price_usd'
values = [250000, 350000]
"#;

fn run_all(p: &Prepared, dir: &Path, shards: u64) -> gigawatt_sweep::Merged {
    for i in 0..shards {
        run_shard(p, dir, Shard { index: i, count: shards }, &QUIET).unwrap();
    }
    merge(dir, true).unwrap_or_else(|e| panic!("{e}"))
}

fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn three_shards_merge_into_the_bytes_of_the_unsharded_run_on_any_thread_count() {
    let p = prepared(PLAN);
    assert_eq!(p.points, 12);
    let whole = tempfile::tempdir().unwrap();
    let merged = run_all(&p, whole.path(), 1);
    assert_eq!(merged.points.rows(), 24);
    let sharded = tempfile::tempdir().unwrap();
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    one_thread.install(|| run_all(&p, sharded.path(), 3));
    for name in ["points.parquet", "summary.parquet", "points.csv", "summary.csv"] {
        assert_eq!(bytes(whole.path(), name), bytes(sharded.path(), name), "{name} differs");
    }
    let manifest: serde_json::Value = serde_json::from_slice(&bytes(sharded.path(), "manifest.json")).unwrap();
    assert_eq!(manifest["shards"].as_array().unwrap().len(), 3);
}

#[test]
fn the_points_file_reads_back_with_a_column_per_axis_and_metric() {
    let p = prepared(PLAN);
    let dir = tempfile::tempdir().unwrap();
    let merged = run_all(&p, dir.path(), 1);
    let back = read_parquet(&dir.path().join("points.parquet")).unwrap();
    assert_eq!(back, merged.points);
    let names: Vec<&str> = back.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "point",
            "replica",
            "seed",
            "phase[0].pue",
            "costs.electricity_usd_per_mwh",
            "h100_price_usd",
            "totals.capex_usd",
            "opex",
            "ranges.capex_per_gw_usd.high"
        ]
    );
    let Some(Values::F64(capex)) = back.column("totals.capex_usd") else { panic!("capex column") };
    let Some(Values::I64(price)) = back.column("h100_price_usd") else { panic!("price column") };
    // The server price moves capex: rows 0 and 2 differ only by it (replicas 0 and 1 of points 0, 1).
    assert_eq!((price[0], price[2]), (Some(250_000), Some(350_000)));
    assert!(capex[2].unwrap() > capex[0].unwrap() + 3072.0 * 90_000.0, "{capex:?}");
    // A plan is deterministic at central inputs: both replicas agree on capex, not on P90.
    assert_eq!(capex[0], capex[1]);
    let Some(Values::F64(p90)) = back.column("ranges.capex_per_gw_usd.high") else { panic!() };
    assert_ne!(p90[0], p90[1]);
    let summary = read_parquet(&dir.path().join("summary.parquet")).unwrap();
    assert_eq!(summary.rows(), 12);
    assert!(summary.column("opex_p50").is_some() && summary.column("opex_p10").is_some());
}

#[test]
fn a_killed_run_resumes_from_its_whole_batches_and_ignores_partial_files() {
    let p = prepared(PLAN);
    let fresh = tempfile::tempdir().unwrap();
    run_all(&p, fresh.path(), 1);
    // The state a kill leaves: two batches written, a third half-written under its temporary name.
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    std::fs::create_dir_all(&shards).unwrap();
    let tick = || {};
    for first in [0u64, 3] {
        let batch: Vec<u64> = (first..first + 3).collect();
        let t = p.compute(&batch, &tick).unwrap();
        gigawatt_sweep::table::write_parquet(&shards.join(format!("shard-0-of-1.part-{first:012}.parquet")), &t)
            .unwrap();
    }
    std::fs::write(shards.join(".shard-0-of-1.part-000000000006.parquet.tmp-4242"), b"PAR1 half a file").unwrap();
    let report = run_shard(&p, dir.path(), Shard::ALL, &QUIET).unwrap();
    assert_eq!((report.skipped, report.computed), (6, 6));
    merge(dir.path(), true).unwrap();
    for name in ["points.parquet", "summary.parquet"] {
        assert_eq!(bytes(fresh.path(), name), bytes(dir.path(), name), "{name} differs");
    }
    // A second run of a finished sweep has nothing to do.
    let again = run_shard(&p, dir.path(), Shard::ALL, &QUIET).unwrap();
    assert_eq!(again.computed, 0);
}

#[test]
fn shards_of_another_sweep_are_refused_by_the_run_and_by_merge() {
    let dir = tempfile::tempdir().unwrap();
    let a = prepared(PLAN);
    run_shard(&a, dir.path(), Shard { index: 0, count: 2 }, &QUIET).unwrap();
    let b = prepared(&PLAN.replace("replicas = 2", "replicas = 2\nseed = 7"));
    assert_ne!(a.hash, b.hash);
    let err = run_shard(&b, dir.path(), Shard { index: 1, count: 2 }, &QUIET).unwrap_err();
    assert!(err.to_string().contains("belongs to another sweep"), "{err}");
    let other = tempfile::tempdir().unwrap();
    run_shard(&b, other.path(), Shard { index: 1, count: 2 }, &QUIET).unwrap();
    std::fs::copy(other.path().join("shards/shard-1-of-2.parquet"), dir.path().join("shards/shard-1-of-2.parquet"))
        .unwrap();
    let err = merge(dir.path(), false).unwrap_err();
    assert!(err.to_string().contains("shards of different sweeps"), "{err}");
    assert!(!dir.path().join("points.parquet").exists(), "nothing is written by a refused merge");
}

#[test]
fn a_merge_with_a_shard_missing_names_the_missing_points() {
    let dir = tempfile::tempdir().unwrap();
    let p = prepared(PLAN);
    run_shard(&p, dir.path(), Shard { index: 1, count: 4 }, &QUIET).unwrap();
    let err = merge(dir.path(), false).unwrap_err();
    assert!(err.to_string().contains("9 of 12 points are missing"), "{err}");
    assert!(err.to_string().contains(": 0, 2, 3, 4"), "{err}");
}

#[test]
fn an_unknown_path_is_located_at_the_axis_and_names_the_closest_key() {
    let err = prepare(&PLAN.replace("path = \"phase[0].pue\"", "path = \"phase[0].peu\"")).unwrap_err();
    let (_, line, col) = err.location().unwrap();
    assert_eq!((line, col), (11, 8));
    assert!(err.help.as_deref().unwrap().contains("did you mean `pue`?"), "{:?}", err.help);
    let err =
        prepare(&PLAN.replace("job_x", "").replace("costs.electricity_usd_per_mwh", "costs.electricty_usd_per_mwh"))
            .unwrap_err();
    assert!(err.help.as_deref().unwrap().contains("did you mean `electricity_usd_per_mwh`?"), "{:?}", err.help);
}

#[test]
fn a_value_of_the_wrong_type_or_range_is_an_error_before_any_point_runs() {
    let err = prepare(&PLAN.replace("values = [1.1, 1.2, 1.3]", "values = [\"cool\", \"warm\"]")).unwrap_err();
    assert!(err.message.contains("with `phase[0].pue` = \"cool\", the scenario is invalid"), "{}", err.message);
    assert_eq!(err.location().map(|(_, l, _)| l), Some(12));
    let err = prepare(&PLAN.replace("values = [1.1, 1.2, 1.3]", "values = [1.1, 0.9]")).unwrap_err();
    assert!(err.message.contains("= 0.9"), "{}", err.message);
}

#[test]
fn an_unknown_metric_names_the_closest_key_of_the_commands_json() {
    let Err(err) = prepare(&PLAN.replace("\"totals.capex_usd\"", "\"totals.capex\"")) else { panic!() };
    assert!(err.message.contains("`totals.capex` is not a number; it holds"), "{}", err.message);
    let Err(err) = prepare(&PLAN.replace("\"totals.capex_usd\"", "\"totals.gpu\"")) else { panic!() };
    assert!(err.message.contains("did you mean `gpus`?"), "{}", err.message);
    assert_eq!(err.location().map(|(_, l, _)| l), Some(5));
}

#[test]
fn simulate_points_sample_their_inputs_and_reseed_every_replica() {
    let text = r#"
scenario = "x.toml"
command = "simulate"
replicas = 3
samples = 4
metrics = ["jobs[0].ettr.mean", "jobs[0].interruptions.unexpected.mean"]
[set]
"simulation.days" = 3
[[axis]]
path = 'job["Llama 3.1 405B pre-training"].restart_s'
values = [60, 600]
[[axis]]
path = "simulation.rate_multiplier"
sample = "latin-hypercube"
low = 0.5
central = 1.0
high = 2.0
"#;
    let p = prepared(text);
    assert_eq!(p.points, 8);
    let dir = tempfile::tempdir().unwrap();
    let merged = run_all(&p, dir.path(), 2);
    let Some(Values::F64(rate)) = merged.points.column("simulation.rate_multiplier") else { panic!() };
    assert!(rate.iter().all(|r| (0.5..=2.0).contains(&r.unwrap())));
    let Some(Values::F64(ettr)) = merged.points.column("jobs[0].ettr.mean") else { panic!() };
    assert!(ettr.iter().all(|e| e.is_some_and(|e| e > 0.5 && e < 1.0)), "{ettr:?}");
    assert_ne!(ettr[0], ettr[1], "each replica draws its own failures");
    let Some(Values::U64(seeds)) = merged.points.column("seed") else { panic!() };
    let mut unique = seeds.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seeds.len());
}

#[test]
fn a_sampled_axis_without_a_range_takes_the_scenarios_own() {
    let text = r#"
scenario = "x.toml"
command = "plan"
samples = 20
metrics = ["totals.facility_power_mw"]
[set]
"uncertainty.draws" = 1000
[[axis]]
path = "phase[0].pue"
sample = "monte-carlo"
"#;
    let p = prepared(text);
    let values: Vec<f64> = (0..p.points).map(|i| p.point_values(i)[0].as_ref().unwrap().as_float().unwrap()).collect();
    // The bundled default PUE: 1.1 / 1.15 / 1.3.
    assert!(values.iter().all(|v| (1.1..=1.3).contains(v)), "{values:?}");
    assert!(values.iter().any(|v| *v > 1.15) && values.iter().any(|v| *v < 1.15));
}

#[test]
fn a_one_at_a_time_sweep_moves_each_axis_alone_from_the_base() {
    let text = PLAN.replace("replicas = 2", "replicas = 1\ndesign = \"one-at-a-time\"");
    let p = prepared(&text);
    assert_eq!(p.points, 1 + 3 + 2 + 2);
    let dir = tempfile::tempdir().unwrap();
    let merged = run_all(&p, dir.path(), 1);
    let Some(Values::F64(pue)) = merged.points.column("phase[0].pue") else { panic!() };
    assert_eq!(pue[..5], [None, Some(1.1), Some(1.2), Some(1.3), None]);
}

#[test]
fn capacity_points_run_the_capacity_model_with_their_own_inputs() {
    let text = r#"
scenario = "x.toml"
command = "capacity"
simulate = false
metrics = [{ name = "wall_days", path = 'training["Llama 3.1 405B pre-training"].wall_days' }, "training[0].ettr.ettr"]
[[axis]]
path = "training[0].mfu"
values = [0.3, 0.41, 0.5]
"#;
    let p = prepared(text);
    let dir = tempfile::tempdir().unwrap();
    let merged = run_all(&p, dir.path(), 1);
    let Some(Values::F64(days)) = merged.points.column("wall_days") else { panic!() };
    let days: Vec<f64> = days.iter().map(|d| d.unwrap()).collect();
    // The run's wall time goes as 1 / MFU: 0.41 is the scenario's own 70.9 days.
    assert!((days[1] - 70.85).abs() < 0.1, "{days:?}");
    assert!((days[0] / days[1] - 0.41 / 0.3).abs() < 0.01, "{days:?}");
    assert!(days[2] < days[1]);
}

/// The bundled small build-out that `examples/sweep-operate.toml` operates.
fn operate_small() -> SourceFile {
    let path = root().join("examples/operate-small.toml");
    SourceFile::new("examples/operate-small.toml", std::fs::read_to_string(path).unwrap())
}

/// An operate sweep over the research stream's share of the fleet.
const OPERATE: &str = r#"
scenario = "x.toml"
command = "operate"
replicas = 2
metrics = ["totals.share.idle"]

[[axis]]
path = "operate.research.share"
values = [0.2, 0.4]
"#;

#[test]
fn operate_values_are_checked_and_the_estimate_counts_scheduler_events() {
    let prepare_operate = |text: &str| {
        let sweep = SweepFile::parse(&SourceFile::new("sweep.toml", text))?;
        Prepared::new(sweep, operate_small(), Vec::new())
    };
    // operate's own check (at most 4× the fleet's GPU-time), met before any point runs.
    let Err(err) = prepare_operate(&OPERATE.replace("[0.2, 0.4]", "[0.2, 5.0]")) else { panic!("5.0 accepted") };
    assert!(err.message.contains("with `operate.research.share` = 5.0, the scenario is invalid"), "{}", err.message);
    assert!(err.message.contains("more than 4× the fleet's GPU-time"), "{}", err.message);
    assert_eq!(err.location().map(|(_, l, c)| (l, c)), Some((9, 16)), "at the value 5.0");

    let p = prepare_operate(OPERATE).unwrap_or_else(|e| panic!("{e}: {:?}", e.help));
    let estimate = p.estimate(2, 2, None);
    assert_eq!(estimate.runs, 4);
    let model = gigawatt_core::load_scenario(&operate_small(), p.catalog()).unwrap();
    let req = gigawatt_operate::OperateRequest { seed: Some(p.seed), ..Default::default() };
    let one = gigawatt_operate::OperateEstimate::of(&gigawatt_operate::prepare(&model, p.catalog(), &req).unwrap());
    assert!(one.events > 1000.0, "{one:?}");
    assert_eq!(estimate.events, one.events * 4.0, "each run's scheduler events, once per run");
    assert!(estimate.memory_bytes >= 2 * one.memory_bytes, "one operated run per thread");
}
