//! Replay sweeps through the library: every point's metrics are what `gigawatt replay` gives on
//! the same inputs, sharded runs merge into the unsharded run's bytes, a change to the trace or
//! the cluster is a different sweep, and bad paths and values are located before anything runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gigawatt_core::{Catalog, InputError, SourceFile};
use gigawatt_sched::{ReplayRequest, read_cluster, replay_trace};
use gigawatt_sweep::table::Values;
use gigawatt_sweep::{Prepared, Progress, ReplayFiles, Shard, SweepFile, TraceInput, merge, run_shard};
use gigawatt_trace::{ReadOptions, load_trace};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn source(rel: &str) -> SourceFile {
    SourceFile::new(rel, std::fs::read_to_string(root().join(rel)).unwrap())
}

const CLUSTER: &str = "crates/gigawatt/tests/fixtures/replay/cluster.toml";
const TRACE: &str = "crates/gigawatt/tests/fixtures/replay/research.csv";

/// The 60-job research trace, read as `gigawatt replay` reads it.
fn recorded() -> TraceInput {
    let path = root().join(TRACE);
    let trace = load_trace(&path, &ReadOptions::default()).unwrap();
    let digest = gigawatt_sweep::replay::file_digest(&path).unwrap();
    TraceInput::Recorded { trace: Arc::new(trace), digest }
}

/// A small synthetic stream, as a spec file.
const SYNTHETIC: &str = r#"
jobs = 300
sizes = [[1, 0.5], [8, 0.4], [32, 0.1]]
[arrivals]
kind = "poisson"
rate_per_hour = 40.0
[durations]
kind = "lognormal"
median_s = 600.0
sigma = 1.5
"#;

fn synthetic() -> TraceInput {
    let file = SourceFile::new("synthetic.toml", SYNTHETIC);
    let spec = gigawatt_trace::synthetic::parse_synthetic(&file).unwrap();
    TraceInput::Synthetic { file, spec }
}

fn prepare(text: &str, trace: TraceInput) -> Result<Prepared, InputError> {
    let sweep = SweepFile::parse(&SourceFile::new("sweep.toml", text))?;
    Prepared::new(sweep, gigawatt_sweep::BaseFiles::Replay(ReplayFiles { cluster: source(CLUSTER), trace }), Vec::new())
}

fn prepared(text: &str, trace: TraceInput) -> Prepared {
    prepare(text, trace).unwrap_or_else(|e| panic!("{e}: {:?}", e.help))
}

const QUIET: Progress<'static> = Progress { on_start: &|_| {}, tick: &|| {} };

/// Policy × nodes on the recorded trace, failures on: 3 × 2 points, 2 replicas.
const RECORDED: &str = r#"
cluster = "cluster.toml"
trace = "research.csv"
command = "replay"
replicas = 2
seed = 11
metrics = [
  { name = "jct", path = "policy.jct_s.mean" },
  { name = "wait", path = "policy.queue_delay_s.mean" },
  { name = "lost", path = "policy.gpu_hours_lost" },
  "policy.utilisation",
]

[replay]
failures = true
checkpoint_interval = 600
restart = 60

[[axis]]
name = "policy"
path = "replay.policy"
values = ["fifo", "sjf", "tiresias"]

[[axis]]
name = "nodes"
path = "cluster.group[0].nodes"
values = [4, 8]
"#;

fn floats(t: &gigawatt_sweep::Table, name: &str) -> Vec<f64> {
    match t.column(name) {
        Some(Values::F64(v)) => v.iter().map(|x| x.unwrap_or(f64::NAN)).collect(),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_point_is_the_replay_of_its_own_policy_cluster_and_seed() {
    let p = prepared(RECORDED, recorded());
    assert_eq!(p.points, 6);
    let dir = tempfile::tempdir().unwrap();
    run_shard(&p, dir.path(), Shard::ALL, &QUIET).unwrap();
    let merged = merge(dir.path(), false).unwrap();
    let t = &merged.points;
    assert_eq!(t.rows(), 12);
    let (jct, lost) = (floats(t, "jct"), floats(t, "lost"));
    let Some(Values::Str(policies)) = t.column("policy") else { panic!() };
    let Some(Values::I64(nodes)) = t.column("nodes") else { panic!() };
    let Some(Values::U64(seeds)) = t.column("seed") else { panic!() };
    // The oracle: the scheduler's own replay of each row's inputs.
    let trace = load_trace(&root().join(TRACE), &ReadOptions::default()).unwrap();
    let catalog = Catalog::bundled().unwrap();
    for row in 0..t.rows() {
        let (policy, n) = (policies[row].clone().unwrap(), nodes[row].unwrap());
        let text = source(CLUSTER).text.replace("nodes = 8", &format!("nodes = {n}"));
        let cluster = read_cluster(&SourceFile::new("c.toml", text), &catalog).unwrap();
        let req = ReplayRequest {
            policies: vec![policy.clone()],
            failures: true,
            checkpoint_interval_s: 600.0,
            restart_s: 60.0,
            seed: seeds[row],
            ..ReplayRequest::default()
        };
        let want = &replay_trace(&trace, &cluster, &req).unwrap().policies.0[0];
        assert_eq!(jct[row], want.jct_s.mean, "row {row}: {policy} on {n} nodes");
        assert_eq!(lost[row], want.gpu_hours_lost, "row {row}");
    }
    assert!(!p.replicas_repeat(), "failures draw from the seed");
    let off = prepared(&RECORDED.replace("failures = true", "failures = false"), recorded());
    assert!(off.replicas_repeat(), "a recorded trace without failures");
    assert!(!prepared(&RECORDED.replace("research.csv", "synthetic.toml"), synthetic()).replicas_repeat());
    // Failures draw from each replica's seed: the replicas of a point differ.
    assert!((0..t.rows()).step_by(2).any(|r| lost[r] != lost[r + 1]), "{lost:?}");
    // Half the nodes: the queue grows.
    let wait = floats(t, "wait");
    assert!(wait[0] > wait[2], "fifo on 4 nodes waits {} s, on 8 {} s", wait[0], wait[2]);
}

#[test]
fn shards_merge_into_the_unsharded_bytes_and_synthetic_streams_follow_their_seed() {
    let text = format!(
        "{}\n[[axis]]\nname = \"rate\"\npath = \"trace.arrivals.rate_per_hour\"\nvalues = [2, 8]\n",
        RECORDED.replace("research.csv", "synthetic.toml")
    );
    let p = prepared(&text, synthetic());
    assert_eq!(p.points, 12);
    let whole = tempfile::tempdir().unwrap();
    run_shard(&p, whole.path(), Shard::ALL, &QUIET).unwrap();
    merge(whole.path(), true).unwrap();
    let sharded = tempfile::tempdir().unwrap();
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    one_thread.install(|| {
        for i in 0..3 {
            run_shard(&p, sharded.path(), Shard { index: i, count: 3 }, &QUIET).unwrap();
        }
    });
    let merged = merge(sharded.path(), true).unwrap();
    for name in ["points.parquet", "summary.parquet", "points.csv", "summary.csv"] {
        let read = |d: &Path| std::fs::read(d.join(name)).unwrap();
        assert_eq!(read(whole.path()), read(sharded.path()), "{name} differs");
    }
    // Four times the arrival rate on the same cluster (offered load 3.5 and 14 GPUs on average, of
    // 32 or 64): more utilisation at every policy and size.
    let util = floats(&merged.summary, "policy.utilisation_p50");
    for k in (0..util.len()).step_by(2) {
        assert!(util[k + 1] > util[k], "points {k} and {}: {} vs {}", k + 1, util[k], util[k + 1]);
    }
}

#[test]
fn the_trace_and_the_cluster_are_part_of_the_sweeps_identity() {
    let base = prepared(RECORDED, recorded()).hash;
    let TraceInput::Recorded { trace, .. } = recorded() else { panic!() };
    let other = TraceInput::Recorded { trace, digest: "another file".into() };
    assert_ne!(prepared(RECORDED, other).hash, base);
    let text = format!("{}\n", RECORDED.replace("research.csv", "synthetic.toml"));
    let a = prepared(&text, synthetic()).hash;
    let file = SourceFile::new("synthetic.toml", SYNTHETIC.replace("sigma = 1.5", "sigma = 1.4"));
    let spec = gigawatt_trace::synthetic::parse_synthetic(&file).unwrap();
    assert_ne!(prepared(&text, TraceInput::Synthetic { file, spec }).hash, a);
    let sweep = SweepFile::parse(&SourceFile::new("sweep.toml", RECORDED)).unwrap();
    let cluster = SourceFile::new(CLUSTER, source(CLUSTER).text.replace("repair_hours = 2", "repair_hours = 3"));
    let files = ReplayFiles { cluster, trace: recorded() };
    assert_ne!(Prepared::new(sweep, gigawatt_sweep::BaseFiles::Replay(files), Vec::new()).unwrap().hash, base);
}

fn error(text: &str) -> InputError {
    match prepare(text, recorded()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

fn line_of(e: &InputError) -> Option<usize> {
    e.location().map(|(_, l, _)| l)
}

#[test]
fn bad_paths_and_values_are_located_in_the_sweep_file_before_anything_runs() {
    let head = "cluster = \"c.toml\"\ntrace = \"t.csv\"\ncommand = \"replay\"\nmetrics = [\"policy.jct_s.mean\"]\n";
    let e = error(&format!("{head}[[axis]]\npath = \"replay.polcy\"\nvalues = [\"fifo\"]\n"));
    assert!(e.help.as_deref().unwrap_or("").contains("did you mean `policy`"), "{e:?}");
    assert_eq!(line_of(&e), Some(6));
    let e = error(&format!("{head}[[axis]]\npath = \"cluster.grup[0].nodes\"\nvalues = [4]\n"));
    assert!(e.help.as_deref().unwrap_or("").contains("did you mean `group`"), "{e:?}");
    let e = error(&format!("{head}[[axis]]\npath = \"cluster.group[0].nodez\"\nvalues = [4]\n"));
    assert!(e.message.contains("unknown field `nodez`"), "{e:?}");
    assert!(e.help.as_deref().unwrap_or("").contains("did you mean `nodes`"), "{e:?}");
    assert_eq!(line_of(&e), Some(7));
    let e = error(&format!("{head}[[axis]]\npath = \"trace.jobs\"\nvalues = [10]\n"));
    assert!(e.message.contains("recorded trace"), "{e:?}");
    let e = error(&format!("{head}[[axis]]\npath = \"replay.policy\"\nvalues = [\"fifo\", \"tiresas\"]\n"));
    assert!(e.message.contains("unknown policy `tiresas`"), "{e:?}");
    assert_eq!(line_of(&e), Some(7));
    let e = error(&format!("{head}[[axis]]\npath = \"cluster.group[0].nodes\"\nvalues = [4, \"many\"]\n"));
    assert!(e.message.contains("one type"), "{e:?}");
    let e = error(&format!("{head}[[axis]]\npath = \"replay.restart\"\nvalues = [60, -1]\n"));
    assert!(e.message.contains("restart"), "{e:?}");
    let e = error(&format!("{head}[replay]\npolicy = \"fifo,sjf\"\n"));
    assert!(e.message.contains("one policy per point"), "{e:?}");
    assert_eq!(line_of(&e), Some(6));
    let e = error(&format!("{head}[replay]\nplacment = \"best-fit\"\n"));
    assert_eq!(line_of(&e), Some(6), "{e:?}");
    let e = error(&format!("{head}[[axis]]\npath = \"phase[0].pue\"\nvalues = [1.2]\n"));
    assert!(e.help.as_deref().unwrap_or("").contains("replay., cluster. or trace."), "{e:?}");
    let e = error(&format!("scenario = \"x.toml\"\n{head}"));
    assert!(e.message.contains("not `scenario`"), "{e:?}");
    let e = error("trace = \"t.csv\"\ncommand = \"replay\"\nmetrics = [\"policy.jct_s.mean\"]\n");
    assert!(e.message.contains("needs `cluster` and `trace`"), "{e:?}");
    let e = error(&head.replace("policy.jct_s.mean", "policy.jct.mean"));
    assert!(e.message.contains("did you mean `jct_s`"), "{e:?}");
    let e = error("scenario = \"x.toml\"\ncommand = \"plan\"\ntrace = \"t.csv\"\nmetrics = [\"totals.gpus\"]\n");
    assert!(e.message.contains("`trace` is for command = \"replay\""), "{e:?}");
}

#[test]
fn the_estimate_counts_the_replayed_events() {
    let p = prepared(RECORDED, recorded());
    let e = p.estimate(p.points, 2, None);
    assert_eq!(e.runs, 12);
    // Each job arrives and ends once per run.
    assert_eq!(e.events, 12.0 * 2.0 * 60.0);
    assert!(e.memory_bytes > 16 << 20);
}

#[test]
fn on_a_scenario_cluster_the_paths_are_the_scenarios_own() {
    let text = r#"
cluster = "llama3.toml"
trace = "research.csv"
command = "replay"
metrics = [{ name = "gpus", path = "cluster.gpus" }, "policy.jct_s.mean"]

[[axis]]
name = "systems"
path = 'cluster.phase["Llama 3 RoCE cluster"].systems'
values = [2, 4]

[[axis]]
name = "per_rack"
path = "cluster.phase[0].systems_per_rack"
values = [1, 2]
"#;
    let sweep = SweepFile::parse(&SourceFile::new("sweep.toml", text)).unwrap();
    let files = ReplayFiles { cluster: source("scenarios/llama3-405b-16k.toml"), trace: recorded() };
    let p = Prepared::new(sweep, gigawatt_sweep::BaseFiles::Replay(files), Vec::new())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.help));
    let t = p.compute(&[0, 1, 2, 3], &|| {}).unwrap();
    // Points are row-major over the axes: systems 2, 2, 4, 4.
    assert_eq!(floats(&t, "gpus"), vec![16.0, 16.0, 32.0, 32.0]);
    let jct = floats(&t, "policy.jct_s.mean");
    assert!(jct[2] < jct[0], "twice the GPUs, shorter JCT: {jct:?}");
    // A spec's own path is not a scenario's: the closest scenario key is named.
    let bad = text.replace("cluster.phase[0].systems_per_rack", "cluster.phase[0].systems_per_rak");
    let sweep = SweepFile::parse(&SourceFile::new("sweep.toml", bad)).unwrap();
    let files = ReplayFiles { cluster: source("scenarios/llama3-405b-16k.toml"), trace: recorded() };
    let e = Prepared::new(sweep, gigawatt_sweep::BaseFiles::Replay(files), Vec::new()).unwrap_err();
    assert!(e.help.as_deref().unwrap_or("").contains("did you mean `systems_per_rack`"), "{e:?}");
}
