//! End-to-end tests of `gigawatt operate`: what a user runs and reads, the JSON keys the issue
//! promises, byte-identical output on one and two threads, files written with --out, and located
//! errors with exit code 2.

mod support;

use support::*;

const SMALL: &str = "tests/fixtures/good/operate_small.toml";

#[test]
fn operate_prints_the_months_the_runs_and_serving() {
    let out = stdout_of(gigawatt_here().args(["operate", SMALL]));
    for needle in ["SHARE OF THE GPUs ONLINE, BY MONTH", "FRONTIER RUNS", "RESEARCH:", "SERVING", "2025-07"] {
        assert!(out.contains(needle), "{needle} missing:\n{out}");
    }
}

#[test]
fn the_json_has_months_with_gpus_share_and_spend_share_by_class() {
    let out = stdout_of(gigawatt_here().args(["operate", SMALL, "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.first().unwrap()["month"], "2025-03");
    assert!(months.iter().all(|m| m.get("period").is_none()), "months are keyed `month`");
    assert_eq!(v["days"][0]["day"], "2025-03-31");
    for m in months {
        for key in ["gpus", "share", "spend_share"] {
            for class in ["frontier", "rl", "research", "inference", "down", "idle"] {
                assert!(m[key][class].is_number(), "{key}.{class} in {m}");
            }
        }
        let s = &m["share"];
        let sum: f64 =
            ["frontier", "rl", "research", "inference", "down", "idle"].iter().map(|c| s[c].as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-9, "shares add to {sum}");
    }
    assert!(v["frontier"][0]["ettr"].as_f64().unwrap() > 0.9);
}

#[test]
fn output_is_byte_identical_on_one_and_two_threads() {
    let one = stdout_of(gigawatt_here().env("RAYON_NUM_THREADS", "1").args(["operate", SMALL, "--format", "json"]));
    let two = stdout_of(gigawatt_here().env("RAYON_NUM_THREADS", "2").args(["operate", SMALL, "--format", "json"]));
    assert_eq!(one, two);
}

#[test]
fn out_writes_the_json_and_the_monthly_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("op");
    stdout_of(gigawatt_here().args(["operate", SMALL, "--out", out.to_str().unwrap()]));
    let csv = std::fs::read_to_string(out.join("operate_months.csv")).unwrap();
    assert!(csv.starts_with("month,gpus_online,gpus_frontier,"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 10, "a header and ten months");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("operate.json")).unwrap()).unwrap();
    assert_eq!(json["months"].as_array().unwrap().len(), 10);
}

#[test]
fn an_unknown_class_in_priorities_is_a_located_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(support::crate_dir().join(SMALL)).unwrap();
    std::fs::write(
        &bad,
        text.replace("[operate]\n", "[operate]\npriorities = [\"inference\", \"frontier\", \"rl\", \"reserch\"]\n"),
    )
    .unwrap();
    let (code, err) = error_of(gigawatt_here().args(["operate", bad.to_str().unwrap()]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("reserch") && err.contains("research"), "{err}");
    assert!(err.contains("bad.toml:"), "located: {err}");
}

#[test]
fn a_to_before_from_is_a_usage_error() {
    let (code, err) = error_of(gigawatt_here().args(["operate", SMALL, "--from", "2025-06-01", "--to", "2025-05-01"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("before"), "{err}");
}

/// The small fixture with `from` replaced by `to`, written to a temporary file: (dir, path).
fn small_with(from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(support::crate_dir().join(SMALL)).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&bad, text.replace(from, to)).unwrap();
    (dir, bad)
}

#[test]
fn a_run_larger_than_its_platforms_pool_is_a_located_error() {
    let (_dir, bad) = small_with("fleet_share = { value = 0.5, assumption = \"half the fleet\" }", "gpus = 100000");
    let (code, err) = error_of(gigawatt_here().args(["operate", bad.to_str().unwrap()]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.toml:27:"), "located at the run's gpus: {err}");
    assert!(err.contains("100000") && err.contains("3072") && err.contains("never start"), "{err}");
}

#[test]
fn an_rl_job_larger_than_its_run_is_a_located_error() {
    let (_dir, bad) = small_with("[operate]\n", "[operate.rl]\ngpu_share = 10\n\n[operate]\n");
    let (code, err) = error_of(gigawatt_here().args(["operate", bad.to_str().unwrap()]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.toml:") && err.contains("gpu_share = 10"), "located: {err}");
}

#[test]
fn a_to_in_the_file_before_the_first_day_is_located_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(support::crate_dir().join(SMALL)).unwrap();
    std::fs::write(&bad, text.replace("to = \"2025-12-31\"", "to = \"2020-12-31\"")).unwrap();
    let (code, err) = error_of(gigawatt_here().args(["operate", bad.to_str().unwrap()]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.toml:") && err.contains("2020-12-31"), "located: {err}");
    assert!(!err.contains("--to"), "no flag was given: {err}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let sandbox = support::sandbox();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("gigawatt"))
        .args(["operate", SMALL, "--format", "json", "--no-record"])
        .current_dir(support::crate_dir())
        .env("HOME", sandbox.join("home"))
        .env("GIGAWATT_DB", support::test_db())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap(); // the pipe closes here
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
    // The JSON is longer than a pipe's buffer (64 KiB on Linux), so the write after the close is what was tested.
    let full = stdout_of(gigawatt_here().args(["operate", SMALL, "--format", "json"]));
    assert!(full.len() > 2 << 16, "{} bytes", full.len());
}

#[test]
fn report_adds_an_operations_section_with_its_charts_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with");
    stdout_of(gigawatt_here().args(["report", SMALL, "--no-simulate", "--out", with.to_str().unwrap()]));
    let html = std::fs::read_to_string(with.join("index.html")).unwrap();
    assert!(html.contains("id=\"operations\""), "no operations section");
    for chart in ["operate-gpus-by-class", "operate-unmet-by-tier", "operate-run-progress"] {
        let svg = std::fs::read_to_string(with.join(format!("charts/{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{chart}");
        assert!(html.contains(&format!("charts/{chart}.svg")), "{chart} not linked");
    }
    // The page's figures are the run's: the same JSON as `gigawatt operate --format json`.
    let report_json = std::fs::read_to_string(with.join("operate.json")).unwrap();
    let direct = stdout_of(gigawatt_here().args(["operate", SMALL, "--format", "json"]));
    assert_eq!(report_json, direct);
    let without = dir.path().join("without");
    stdout_of(gigawatt_here().args([
        "report",
        SMALL,
        "--no-simulate",
        "--no-operate",
        "--out",
        without.to_str().unwrap(),
    ]));
    assert!(!std::fs::read_to_string(without.join("index.html")).unwrap().contains("id=\"operations\""));
    assert!(!without.join("operate.json").exists());
}

#[test]
fn replicas_give_the_spread_of_each_figure_and_replica_zero_is_the_plain_run() {
    let one = stdout_of(gigawatt_here().args(["operate", SMALL, "--format", "json"]));
    let three = stdout_of(gigawatt_here().args(["operate", SMALL, "--format", "json", "--replicas", "3"]));
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&one).unwrap(), serde_json::from_str(&three).unwrap());
    assert!(a.get("replicas").is_none(), "one replica has no summary");
    assert_eq!(a["months"], b["months"], "replica 0 is the plain run");
    let rep = &b["replicas"];
    assert_eq!(rep["count"], 3);
    let seeds: Vec<u64> = rep["seeds"].as_array().unwrap().iter().map(|s| s.as_u64().unwrap()).collect();
    assert_eq!(seeds[0], a["seed"].as_u64().unwrap());
    assert!(seeds[1] != seeds[0] && seeds[2] != seeds[1]);
    let idle = rep["figures"].as_array().unwrap().iter().find(|f| f["key"] == "totals.mean_idle_share").unwrap();
    let values: Vec<f64> = idle["values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(values.len(), 3);
    assert_eq!(values[0], a["totals"]["mean_idle_share"].as_f64().unwrap());
    let (p10, p50, p90) = (idle["p10"].as_f64().unwrap(), idle["p50"].as_f64().unwrap(), idle["p90"].as_f64().unwrap());
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    assert!(lo <= p10 && p10 <= p50 && p50 <= p90 && p90 <= hi, "{p10} {p50} {p90} within {lo}..{hi}");
    assert!(lo < hi, "different seeds give different research streams and failures");
    // The same on one and on two threads.
    let serial = stdout_of(gigawatt_here().env("RAYON_NUM_THREADS", "1").args([
        "operate",
        SMALL,
        "--format",
        "json",
        "--replicas",
        "3",
    ]));
    assert_eq!(serial, three);
    let table = stdout_of(gigawatt_here().args(["operate", SMALL, "--replicas", "3"]));
    assert!(table.contains("ACROSS 3 REPLICAS"), "{table}");
}

/// A run that needs more memory than `--max-memory` is refused with exit code 2; when its research
/// jobs alone exceed the limit it is refused before its job streams are drawn (the estimate is
/// then a lower bound, "at least"): 20 M jobs took 21 s and 4.6 GB to be refused after drawing.
/// `report`, which operates the scenario as well, checks the same way.
#[test]
fn a_run_over_the_memory_limit_is_refused_and_a_huge_stream_before_it_is_drawn() {
    let (code, err) = error_of(gigawatt_here().args(["operate", SMALL, "--max-memory", "1M"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("this operated run needs at least") && err.contains("--max-memory"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate_dir().join(SMALL)).unwrap();
    assert!(text.contains("jobs = 5000"));
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, text.replace("jobs = 5000", "jobs = 20000000")).unwrap();
    let (code, err) = error_of(gigawatt_here().args(["operate", "--max-memory", "1G"]).arg(&huge));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("needs at least 8.9 GB") && err.contains("20000000 jobs"), "{err}");
    // `report` operates the scenario too, and refuses it before drawing as well.
    let out = dir.path().join("report");
    let args = ["report", "--no-simulate", "--max-memory", "1G", "--out", out.to_str().unwrap()];
    let (code, err) = error_of(gigawatt_here().args(args).arg(&huge));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("needs at least 8.9 GB") && err.contains("20000000 jobs"), "{err}");
    assert!(!out.exists(), "nothing written");
    // Research offered nothing draws no jobs, whatever it aims for: the same limit lets it run.
    let idle = text.replace("jobs = 5000", "jobs = 20000000\nshare = 0");
    std::fs::write(&huge, idle).unwrap();
    let out = gigawatt_here().args(["operate", "--max-memory", "1G"]).arg(&huge).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
