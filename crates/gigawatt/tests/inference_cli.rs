//! `gigawatt inference`: the benchmark mode's output and its bad input.

mod support;

use support::{error_of, gigawatt, sandbox, stdout_of};

fn inference(args: &[&str]) -> support::Command {
    let mut c = gigawatt();
    c.args(["--no-record", "inference"]).args(args);
    c
}

const BASE: [&str; 8] = ["--model", "llama3-70b", "--platform", "h100-hgx", "--isl", "1024", "--osl", "1024"];

#[test]
fn the_table_gives_throughput_per_gpu_mw_and_user_ttft_itl_and_the_calibration_points() {
    let out = stdout_of(inference(&BASE).args(["--concurrency", "64"]));
    for needle in [
        "tokens/s per GPU",
        "tokens/s per MW",
        "tokens/s per user",
        "TTFT",
        "ITL",
        "CALIBRATION",
        "SGLang DeepSeek-V3 on GB200 NVL72",
        "MLPerf Inference v5.1",
        "ASSUMPTIONS",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    assert!(out.contains("concurrency            64"), "{out}");
    assert!(!out.contains("PARETO"), "no curve without --sweep");
}

#[test]
fn json_is_deterministic_and_the_sweep_gives_a_pareto_curve() {
    let run = || stdout_of(inference(&BASE).args(["--sweep", "--format", "json"]));
    let (a, b) = (run(), run());
    assert_eq!(a, b, "same inputs, same output");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let curve = v["pareto"].as_array().unwrap();
    assert!(curve.len() > 3);
    for w in curve.windows(2) {
        let f = |p: &serde_json::Value, k: &str| p[k].as_f64().unwrap();
        assert!(f(&w[0], "tokens_per_s_per_user") > f(&w[1], "tokens_per_s_per_user"));
        assert!(f(&w[0], "tokens_per_s_per_gpu") < f(&w[1], "tokens_per_s_per_gpu"));
    }
    assert!(v["calibration"]["anchors"].as_array().unwrap().len() >= 4);
    assert!(v["assumptions"].as_array().unwrap().iter().all(|r| r["sourced"] == false));
}

#[test]
fn out_writes_the_json_the_csv_and_the_pareto_chart() {
    let dir = sandbox().join("inference-out");
    let _ = std::fs::remove_dir_all(&dir);
    stdout_of(inference(&BASE).args(["--sweep", "--out"]).arg(&dir));
    for f in ["inference.json", "inference.csv", "inference-pareto.svg"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let svg = std::fs::read_to_string(dir.join("inference-pareto.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("tokens/s per user"));
}

#[test]
fn a_tps_user_target_sets_the_batch_and_an_unreachable_one_is_refused() {
    let out = stdout_of(inference(&BASE).args(["--tps-user", "50", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["point"]["tokens_per_s_per_user"].as_f64().unwrap() >= 50.0);
    let (code, err) = error_of(inference(&BASE).args(["--tps-user", "5000"]));
    assert_eq!(code, 2);
    assert!(err.contains("reaches 5000.0 tokens/s per user"), "{err}");
}

#[test]
fn unknown_model_or_platform_exits_2_with_the_known_names() {
    let (code, err) =
        error_of(&mut inference(&["--model", "llama3-7b", "--platform", "h100-hgx", "--isl", "1", "--osl", "1"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown model `llama3-7b`") && err.contains("llama3-70b") && err.contains("deepseek-v3"),
        "{err}"
    );
    let (code, err) =
        error_of(&mut inference(&["--model", "llama3-70b", "--platform", "h100", "--isl", "1", "--osl", "1"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown platform `h100`") && err.contains("gb200-nvl72"), "{err}");
}

#[test]
fn concurrency_and_tps_user_together_are_a_usage_error() {
    let (code, err) = error_of(inference(&BASE).args(["--concurrency", "8", "--tps-user", "20"]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn bad_numbers_are_refused_with_what_would_be_right() {
    let (code, err) = error_of(inference(&BASE).args(["--cache-hit", "1.5"]));
    assert_eq!(code, 2);
    assert!(err.contains("--cache-hit must be at least 0 and below 1"), "{err}");
    let (code, err) =
        error_of(&mut inference(&["--model", "llama3-70b", "--platform", "h100-hgx", "--isl", "0", "--osl", "8"]));
    assert_eq!(code, 2);
    assert!(err.contains("--isl must be above 0"), "{err}");
    let (code, err) = error_of(inference(&BASE).args(["--precision", "fp4"]));
    assert_eq!(code, 2);
    assert!(err.contains("no dense fp4"), "{err}");
    let (code, err) = error_of(inference(&BASE).args(["--precision", "int3"]));
    assert_eq!(code, 2);
    assert!(err.contains("not a precision"), "{err}");
}
