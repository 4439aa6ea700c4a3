//! End-to-end tests of `gigawatt simulate`: what a user runs and reads, the documented JSON fields,
//! the daily CSV, `--out`, determinism across runs and thread counts, and located errors for bad
//! input (exit code 2, nothing on stdout, no panic).

mod support;

use support::*;

fn json_of(cmd: &mut Command) -> serde_json::Value {
    serde_json::from_str(&stdout_of(cmd)).expect("stdout is JSON")
}

const SMALL: &str = "tests/fixtures/good/sim-small.toml";

#[test]
fn simulate_prints_a_readable_summary_of_a_small_cluster() {
    let out = stdout_of(gigawatt_here().args(["simulate", SMALL]));
    assert!(out.contains("FLEET") && out.contains("JOB pretrain") && out.contains("ETTR"));
    assert!(out.contains("ASSUMPTIONS"));
    insta::assert_snapshot!("simulate_small_summary", out);
}

#[test]
fn simulate_json_has_the_documented_fields() {
    let v = json_of(gigawatt().args([
        "simulate",
        "scenarios/llama3-405b-16k.toml",
        "--replicas",
        "8",
        "--format",
        "json",
        "--sweep-interval",
    ]));
    for path in [
        "/seed",
        "/replicas",
        "/days",
        "/jobs/0/name",
        "/jobs/0/gpus",
        "/jobs/0/checkpoint_interval_s",
        "/jobs/0/ettr/mean",
        "/jobs/0/ettr/ci95/0",
        "/jobs/0/ettr/ci95/1",
        "/jobs/0/interruptions/unexpected/mean",
        "/jobs/0/interruptions/unexpected/ci95/1",
        "/jobs/0/interruptions/planned/mean",
        "/jobs/0/interruptions/by_cause/faulty_gpu",
        "/jobs/0/interruptions/by_category/gpu",
        "/jobs/0/gpu_hours/rework/mean",
        "/jobs/0/gpu_hours/restart/mean",
        "/jobs/0/gpu_hours/waiting/mean",
        "/jobs/0/checkpoints/mean",
        "/jobs/0/interval_sweep/0/interval_s",
        "/jobs/0/interval_sweep/0/ettr/mean",
        "/fleet/gpus",
        "/fleet/failures_per_day/mean",
        "/fleet/gpus_down/mean",
        "/fleet/repairs_in_flight/mean",
        "/fleet/spare_gpus/mean",
        "/daily/0/day",
        "/inputs/0/provenance",
    ] {
        assert!(v.pointer(path).is_some(), "missing {path}");
    }
    assert_eq!(v["seed"], 405);
    assert_eq!(v["replicas"], 8);
    assert_eq!(v["days"], 54.0);
    assert_eq!(v["fleet"]["gpus"], 24576);
    assert_eq!(v["jobs"][0]["gpus"], 16384);
    assert_eq!(v["jobs"][0]["interval_sweep"].as_array().unwrap().len(), 17);
}

#[test]
fn without_the_sweep_flag_there_is_no_sweep() {
    let v = json_of(gigawatt_here().args(["simulate", SMALL, "--format", "json", "--replicas", "2"]));
    assert!(v["jobs"][0].get("interval_sweep").is_none());
}

#[test]
fn simulate_json_is_byte_identical_across_runs_and_thread_counts() {
    let args = ["simulate", SMALL, "--format", "json", "--replicas", "40", "--sweep-interval"];
    let one = stdout_of(gigawatt_here().args(args).env("RAYON_NUM_THREADS", "1"));
    let two = stdout_of(gigawatt_here().args(args).env("RAYON_NUM_THREADS", "2"));
    let again = stdout_of(gigawatt_here().args(args).env("RAYON_NUM_THREADS", "2"));
    assert_eq!(one, two);
    assert_eq!(two, again);
    let other_seed = stdout_of(gigawatt_here().args(args).args(["--seed", "8"]));
    assert_ne!(one, other_seed, "the seed matters");
}

#[test]
fn flags_override_the_scenario() {
    let v = json_of(gigawatt_here().args([
        "simulate",
        SMALL,
        "--format",
        "json",
        "--seed",
        "3",
        "--replicas",
        "5",
        "--days",
        "10",
    ]));
    assert_eq!(v["seed"], 3);
    assert_eq!(v["replicas"], 5);
    assert_eq!(v["days"], 10.0);
    assert_eq!(v["daily"].as_array().unwrap().len(), 10);
}

#[test]
fn simulate_csv_is_the_daily_time_series() {
    let out = stdout_of(gigawatt_here().args(["simulate", SMALL, "--format", "csv", "--replicas", "3"]));
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "day,failures,interruptions,gpus_down,repairs_in_flight,spare_gpus,ettr_pretrain"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 30);
    assert!(rows[0].starts_with("1,") && rows[29].starts_with("30,"));
}

#[test]
fn out_dir_gets_simulate_json_and_daily_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sim");
    gigawatt_here().args(["simulate", SMALL, "--replicas", "2", "--out"]).arg(&out_dir).assert().success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("simulate.json")).unwrap()).unwrap();
    assert_eq!(json["replicas"], 2);
    assert!(std::fs::read_to_string(out_dir.join("daily.csv")).unwrap().starts_with("day,"));
    let names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn no_progress_bar_is_drawn_when_stderr_is_not_a_terminal() {
    let out = gigawatt().args(["simulate", "scenarios/llama3-405b-16k.toml", "--replicas", "50"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn ettr_goes_to_zero_never_below_when_failures_outpace_restarts() {
    let v = json_of(gigawatt_here().args(["simulate", "tests/fixtures/good/sim-doomed.toml", "--format", "json"]));
    let job = &v["jobs"][0];
    assert_eq!(job["ettr"]["mean"], 0.0);
    assert_eq!(job["ettr"]["spread95"][0], 0.0);
    assert!(job["interruptions"]["unexpected"]["mean"].as_f64().unwrap() > 100.0);
    assert_eq!(job["ettr_closed_form"], 0.0);
    for day in v["daily"].as_array().unwrap() {
        assert_eq!(day["ettr"][0], 0.0);
    }
}

#[test]
fn the_seed_scenario_simulates_a_fleet_of_millions_with_a_100k_job_per_phase() {
    let v = json_of(gigawatt().args([
        "simulate",
        "scenarios/nvidia-openai-10gw.toml",
        "--replicas",
        "1",
        "--days",
        "30",
        "--format",
        "json",
    ]));
    assert!(v["fleet"]["gpus"].as_u64().unwrap() > 2_000_000);
    let jobs = v["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 10);
    for j in jobs {
        assert_eq!(j["gpus"], 100_000);
        let e = j["ettr"]["mean"].as_f64().unwrap();
        assert!((0.0..1.0).contains(&e), "{e}");
    }
    // About 1,000 failures a day across 2.2 M GPUs at Llama 3's per-GPU rates.
    let f = v["fleet"]["failures_per_day"]["mean"].as_f64().unwrap();
    assert!((800.0..1200.0).contains(&f), "{f}");
}

fn bad(name: &str) -> String {
    let (code, err) = error_of(gigawatt_here().args(["simulate", &format!("tests/fixtures/bad/{name}.toml")]));
    assert_eq!(code, 2, "{name}: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

macro_rules! error_snapshot {
    ($test:ident, $fixture:literal, $needle:literal) => {
        #[test]
        fn $test() {
            let err = bad($fixture);
            assert!(err.contains($needle), "{err}");
            insta::assert_snapshot!(concat!("error_", $fixture), err);
        }
    };
}

error_snapshot!(a_job_larger_than_the_fleet_is_rejected, "sim_job_too_large", "has only 8 nodes");
error_snapshot!(
    an_interval_shorter_than_the_write_is_rejected,
    "sim_interval_below_write",
    "shorter than its write time"
);
error_snapshot!(a_negative_rate_is_rejected, "sim_negative_rate", "must be zero or more");
error_snapshot!(a_nan_rate_is_rejected, "sim_nan_rate", "is not a usable number");
error_snapshot!(
    an_unknown_job_field_suggests_the_right_one,
    "sim_unknown_job_field",
    "did you mean `checkpoint_write_s`"
);
error_snapshot!(an_unknown_phase_suggests_the_right_one, "sim_unknown_phase", "did you mean `cluster`");
error_snapshot!(an_unknown_blast_radius_lists_the_valid_ones, "sim_bad_blast_radius", "unknown blast radius `rak`");
error_snapshot!(a_new_class_without_repair_time_is_rejected, "sim_missing_repair", "lacks `repair_h`");
error_snapshot!(a_job_starting_after_the_window_is_rejected, "sim_start_after_end", "after the simulated 30 days");
error_snapshot!(zero_replicas_are_rejected, "sim_zero_replicas", "replicas = 0");
error_snapshot!(a_bad_spares_target_is_rejected, "sim_bad_spares_for", "`uptime` is not a spares target");

#[test]
fn spares_for_sizes_each_phases_pool_with_its_curve_as_table_json_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sim");
    let args = ["simulate", SMALL, "--replicas", "4", "--spares-for", "availability=0.999", "--format", "json"];
    let out = gigawatt_here().args(args).arg("--out").arg(&out_dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let phase = &v["spares_sizing"]["phases"][0];
    assert_eq!(v["spares_sizing"]["target"]["metric"], "availability");
    assert_eq!(phase["phase"], "cluster");
    let curve = phase["curve"].as_array().unwrap();
    let smallest = phase["spares"].as_u64().expect("a pool reaches 0.999 on a 64-server cluster");
    let at = |s: u64| curve.iter().find(|p| p["spares"] == s);
    assert_eq!(at(smallest).unwrap()["reached"], true);
    if smallest > 0 {
        assert_eq!(at(smallest - 1).expect("the bisection tried one fewer")["reached"], false);
    }
    let svg = std::fs::read_to_string(out_dir.join("spares.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Spare nodes each phase needs"));
    let table = stdout_of(gigawatt_here().args(["simulate", SMALL, "--replicas", "4", "--spares-for", "0.999"]));
    assert!(table.contains("SPARES for availability ≥ 0.999") && table.contains("◀ smallest"), "{table}");
    gigawatt_here().args(["simulate", SMALL, "--spares-for", "ettr=2"]).assert().code(2);
    gigawatt_here().args(["simulate", SMALL, "--spares-for", "uptime=0.9"]).assert().code(2);
}

#[test]
fn a_job_on_every_node_of_its_phase_with_phase_spares_is_warned_on_stderr() {
    let out = gigawatt_here().args(["simulate", SMALL, "--replicas", "2", "--days", "5"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning: job"), "the small cluster has idle nodes");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate_dir().join(SMALL)).unwrap().replace("gpus = 256", "gpus = 512");
    let path = dir.path().join("whole.toml");
    std::fs::write(&path, text).unwrap();
    let out = gigawatt_here().args(["simulate", "--replicas", "2", "--days", "5"]).arg(&path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(
        err.contains("warning: job `pretrain` holds all 64 nodes of phase `cluster`")
            && err.contains("no node is left to swap in"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning: job `pretrain`"));
}

#[test]
fn bad_flags_are_usage_errors() {
    gigawatt_here().args(["simulate", SMALL, "--days", "0"]).assert().code(2);
    gigawatt_here().args(["simulate", SMALL, "--days", "NaN"]).assert().code(2);
    gigawatt_here().args(["simulate", SMALL, "--replicas", "0"]).assert().code(2);
    gigawatt_here().args(["simulate", SMALL, "--format", "yaml"]).assert().code(2);
}

#[test]
fn a_run_above_its_memory_bound_is_refused_before_it_starts() {
    let (code, err) = error_of(gigawatt_here().args([
        "simulate",
        "tests/fixtures/good/sim-small.toml",
        "--max-memory",
        "1M",
        "--no-record",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("this simulation needs about"), "{err}");
    assert!(err.contains("more than --max-memory"), "{err}");
    assert!(err.contains("--max-memory SIZE"), "{err}");
    // The report refuses the same way, and writes nothing.
    let out = tempfile::tempdir().unwrap();
    let (code, err) = error_of(gigawatt_here().args([
        "report",
        "tests/fixtures/good/sim-small.toml",
        "--max-memory",
        "1M",
        "--no-record",
        "--out",
        out.path().to_str().unwrap(),
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "nothing written");
    // Within the bound it runs.
    stdout_of(gigawatt_here().args([
        "simulate",
        "tests/fixtures/good/sim-small.toml",
        "--max-memory",
        "1G",
        "--no-record",
    ]));
}

#[test]
fn bad_sizes_are_usage_errors() {
    let (code, err) =
        error_of(gigawatt_here().args(["simulate", "tests/fixtures/good/sim-small.toml", "--max-memory", "lots"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a size"), "{err}");
}

#[test]
fn simulate_help_says_its_csv_is_the_daily_series() {
    let help = stdout_of(gigawatt().args(["simulate", "--help"]));
    let csv = help.lines().find(|l| l.trim_start().starts_with("- csv:")).expect("the csv value is described");
    assert!(csv.contains("daily"), "{csv}");
}

#[test]
fn a_job_holding_its_whole_phase_with_phase_spares_gets_a_warning() {
    // Regression (issue 11): such a job's ETTR collapsed (0.003) with no word.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate_dir().join(SMALL)).unwrap().replace("gpus = 256", "gpus = 512");
    std::fs::write(dir.path().join("whole.toml"), text).unwrap();
    let out =
        gigawatt_in(dir.path()).args(["simulate", "whole.toml", "--replicas", "2", "--no-record"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("holds all 64 nodes of phase `cluster`") && err.contains("no node is left to swap in"),
        "{err}"
    );
    // The 256-GPU job leaves half the phase idle: no warning.
    let out = gigawatt_here().args(["simulate", SMALL, "--replicas", "2", "--no-record"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no node is left"));
}
