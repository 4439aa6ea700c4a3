//! `gigawatt replay` as a user runs it: policies side by side, the JSON and CSV outputs, the
//! report directory, the run history, and every kind of bad input with its message.

mod support;

use support::{Command, error_of, gigawatt_here, gigawatt_with_db, stdout_of};

const TRACE: &str = "tests/fixtures/replay/research.csv";
const CLUSTER: &str = "tests/fixtures/replay/cluster.toml";

fn replay(extra: &[&str]) -> Command {
    let mut cmd = gigawatt_here();
    cmd.args(["--no-record", "replay", TRACE, "--cluster", CLUSTER]).args(extra);
    cmd
}

#[test]
fn policies_side_by_side_in_one_table() {
    let out = stdout_of(replay(&["--policy", "fifo,sjf,tiresias,easy"]).arg("--failures"));
    assert!(out.starts_with("Replay of tests/fixtures/replay/research.csv (csv): 60 jobs"), "{out}");
    assert!(out.contains("on test cluster: 64 GPUs in 8 nodes (8 × 8 GPUs); placement first-fit"), "{out}");
    let header = out.lines().find(|l| l.contains("fifo") && l.contains("sjf")).unwrap();
    for p in ["fifo", "sjf", "tiresias", "fifo+easy"] {
        assert!(header.contains(p), "{header}");
    }
    for row in ["JCT mean", "JCT p99", "queueing mean", "slowdown mean", "utilisation", "fragmentation", "preemptions"]
    {
        assert!(out.contains(row), "{row}: {out}");
    }
    assert!(out.contains("Failures: 2.08e-2 per node-hour, mean repair 2.00 h"), "{out}");
    assert!(out.contains("By job type, under fifo"), "{out}");
}

#[test]
fn json_has_each_policy_under_its_name_with_times_in_seconds() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut replay(&["--policy", "fifo,srtf", "--format", "json"]))).unwrap();
    let policies = json["policies"].as_object().unwrap();
    assert_eq!(policies.keys().collect::<Vec<_>>(), ["fifo", "srtf"]);
    for p in policies.values() {
        for key in ["jct_s", "queue_delay_s"] {
            for stat in ["mean", "p50", "p95", "p99"] {
                assert!(p[key][stat].as_f64().unwrap() >= 0.0, "{key}.{stat}");
            }
        }
        for key in ["slowdown", "makespan_s", "utilisation", "fragmentation", "preemptions", "gpu_hours_lost"] {
            assert!(p[key].is_number(), "{key}");
        }
    }
    assert_eq!(json["trace"]["jobs"], 60);
    assert_eq!(json["cluster"]["gpus"], 64);
    // Fewer jobs wait under SRTF than FIFO on the same trace.
    let mean = |p: &str| json["policies"][p]["jct_s"]["mean"].as_f64().unwrap();
    assert!(mean("srtf") < mean("fifo"), "srtf {} vs fifo {}", mean("srtf"), mean("fifo"));
}

#[test]
fn csv_has_every_job_under_every_policy() {
    let out = stdout_of(&mut replay(&["--policy", "fifo,las", "--format", "csv"]));
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "policy,job,user,submit_s,start_s,end_s,gpus,duration_s,queue_delay_s,jct_s,slowdown,preemptions,failures,gpu_hours_lost"
    );
    assert_eq!(lines.clone().count(), 120);
    // Times count from the first arrival.
    assert!(lines.next().unwrap().starts_with("fifo,job-0,user5,0,0,2010,8,2010,0,2010,1,0,0,0"), "{out}");
}

#[test]
fn out_writes_the_page_the_charts_the_json_and_the_csv_and_the_run_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("runs.sqlite3");
    let out = dir.path().join("out");
    let o = gigawatt_with_db(&db, &["replay", TRACE, "--cluster", CLUSTER, "--policy", "fifo,sjf", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["index.html", "replay.json", "jobs.csv", "jct-cdf.svg", "utilisation.svg", "queue-length.svg"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("data-chart=\"jct-cdf\"") && html.contains("Policies side by side"));
    let runs = stdout_of(&mut gigawatt_with_db(&db, &["runs"]));
    assert!(runs.contains("replay"), "{runs}");
}

#[test]
fn the_same_trace_and_seed_give_identical_output_on_one_and_two_threads() {
    let args = ["--policy", "fifo,tiresias,gittins,easy", "--failures", "--seed", "3", "--format", "json"];
    let one = stdout_of(replay(&args).env("RAYON_NUM_THREADS", "1"));
    let two = stdout_of(replay(&args).env("RAYON_NUM_THREADS", "2"));
    assert_eq!(one, two);
}

#[test]
fn unknown_names_get_the_list_of_known_ones() {
    for (flag, value, needle) in [
        ("--policy", "fifo,fastest", "unknown policy `fastest`; the policies are:"),
        ("--placement", "tetris", "unknown placement `tetris`; the placements are:"),
        ("--trace-format", "slurm", "tiresias"),
    ] {
        let (code, err) = error_of(&mut replay(&[flag, value]));
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(err.contains(needle), "{flag} {value}: {err}");
    }
}

#[test]
fn a_bad_row_is_located_and_skip_bad_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "submit_s,gpus,duration_s\n0,1,60\n10,-4,60\n20,2,60\n").unwrap();
    let (code, err) = error_of(gigawatt_here().args(["--no-record", "replay"]).arg(&bad).args(["--cluster", CLUSTER]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(":3:"), "the error names line 3: {err}");
    let out =
        stdout_of(gigawatt_here().args(["--no-record", "replay"]).arg(&bad).args(["--cluster", CLUSTER, "--skip-bad"]));
    assert!(out.contains("2 jobs") && out.contains("rows not replayed, by reason:"), "{out}");
}

#[test]
fn an_empty_trace_and_a_job_too_large_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "submit_s,gpus,duration_s\n").unwrap();
    let (code, err) =
        error_of(gigawatt_here().args(["--no-record", "replay"]).arg(&empty).args(["--cluster", CLUSTER]));
    assert_eq!(code, 2, "{err}");
    let big = dir.path().join("big.csv");
    std::fs::write(&big, "id,submit_s,gpus,duration_s\nsmall,0,8,60\nhuge,5,1024,60\n").unwrap();
    let out = stdout_of(gigawatt_here().args(["--no-record", "replay"]).arg(&big).args(["--cluster", CLUSTER]));
    assert!(out.contains("larger than the cluster: 1"), "{out}");
    let (code, err) =
        error_of(gigawatt_here().args(["--no-record", "replay"]).arg(&big).args(["--cluster", CLUSTER, "--strict"]));
    assert_eq!(code, 2);
    assert!(err.contains("job `huge` asks for 1024 GPUs; the cluster's largest group has 64"), "{err}");
}

#[test]
fn failures_need_rates_and_memory_is_bounded_before_the_run() {
    let (code, err) = error_of(gigawatt_here().args([
        "--no-record",
        "replay",
        TRACE,
        "--cluster",
        "tests/fixtures/replay/cluster-no-rates.toml",
        "--failures",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("--failures needs each group's failure rate"), "{err}");
    let (code, err) = error_of(&mut replay(&["--max-memory", "1M"]));
    assert_eq!(code, 2);
    assert!(err.contains("this replay needs about") && err.contains("--max-memory"), "{err}");
}

#[test]
fn a_scenario_is_a_cluster_of_its_phases() {
    let out = stdout_of(gigawatt_here().args([
        "--no-record",
        "replay",
        TRACE,
        "--cluster",
        "../../scenarios/llama3-405b-16k.toml",
        "--policy",
        "easy",
        "--placement",
        "consolidated-rack",
    ]));
    assert!(out.contains("on Llama 3 405B cluster (24K H100): 24,576 GPUs in 3,072 nodes (3,072 × 8 GPUs); placement consolidated-rack"), "{out}");
}

#[test]
fn share_gpus_packs_fractional_jobs_onto_one_gpu() {
    // Four quarter-GPU jobs on a one-GPU cluster: rounded up they queue, shared they run at once.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("quarters.csv");
    std::fs::write(&trace, "submit_s,gpus,duration_s\n0,0.25,100\n0,0.25,100\n0,0.25,100\n0,0.25,100\n").unwrap();
    let cluster = dir.path().join("one.toml");
    std::fs::write(&cluster, "[[group]]\nnodes = 1\ngpus_per_node = 1\n").unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = gigawatt_here();
        cmd.args(["--no-record", "replay"]).arg(&trace).arg("--cluster").arg(&cluster).args(["--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&stdout_of(cmd.args(extra))).unwrap();
        json
    };
    let rounded = run(&[]);
    assert_eq!(rounded["trace"]["fractional_rounded"], 4);
    assert_eq!(rounded["policies"]["fifo"]["makespan_s"], 400.0);
    let shared = run(&["--share-gpus"]);
    assert_eq!(shared["trace"]["fractional_shared"], 4);
    assert_eq!(shared["policies"]["fifo"]["makespan_s"], 100.0);
    assert_eq!(shared["policies"]["fifo"]["gpu_time"]["work_in"].as_f64().unwrap(), 100.0 / 3600.0);
}

#[test]
fn queue_policies_do_not_thrash_on_the_fuzzed_case() {
    // Found by the replay fuzzer: gittins on a fine grid preempted 5,209 times for 57 jobs.
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("c.toml");
    std::fs::write(&cluster, "[[group]]\nnodes = 8\ngpus_per_node = 4\nnodes_per_rack = 4\n").unwrap();
    let mut cmd = gigawatt_here();
    cmd.args(["--no-record", "replay", "tests/fixtures/replay/fuzzed-thrash.csv", "--cluster"]).arg(&cluster).args([
        "--policy",
        "gittins,tiresias,las",
        "--checkpoint-cost",
        "10",
        "--restart",
        "30",
        "--skip-bad",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&mut cmd)).unwrap();
    let jobs = json["trace"]["jobs"].as_u64().unwrap();
    for p in ["gittins", "tiresias", "las"] {
        let n = json["policies"][p]["preemptions"].as_u64().unwrap();
        assert!(n <= 3 * jobs, "{p}: {n} preemptions for {jobs} jobs");
    }
}
