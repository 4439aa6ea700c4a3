//! End-to-end tests of `gigawatt capacity`: what a user runs, what they read, the JSON and CSV
//! they get, exit codes, and located messages for bad workload sections.

mod support;

use support::*;

#[test]
fn capacity_of_a_small_fixed_scenario() {
    let out = stdout_of(gigawatt_here().args(["capacity", "tests/fixtures/good/capacity_small.toml"]));
    insta::assert_snapshot!("capacity_small_summary", out);
}

#[test]
fn capacity_of_the_seed_scenario_says_how_much_of_the_fleet_chat_needs() {
    let out = stdout_of(gigawatt().args(["capacity", "scenarios/nvidia-openai-10gw.toml"]));
    assert!(out.contains("HOW MUCH OF THE FLEET DOES TODAY'S TEXT CHAT NEED?"));
    assert!(out.contains("Today's text chat needs tens of megawatts"), "{out}");
    assert!(out.contains("ASSUMPTIONS"));
    insta::assert_snapshot!("capacity_seed_summary", out);
}

#[test]
fn capacity_of_the_llama3_cluster_prints_the_405b_run() {
    let out = stdout_of(gigawatt().args(["capacity", "scenarios/llama3-405b-16k.toml"]));
    assert!(out.contains("Llama 3.1 405B pre-training"));
    insta::assert_snapshot!("capacity_llama3_summary", out);
}

/// Llama 3.1 405B model card: 30.84M H100 GPU-hours.
const LLAMA31_405B_GPU_HOURS: f64 = 30.84e6;

#[test]
fn llama31_405b_gpu_hours_with_the_simulators_ettr_are_within_15_percent_of_30_84m() {
    let out = stdout_of(gigawatt().args(["capacity", "scenarios/llama3-405b-16k.toml", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let run = &v["training"][0];
    assert_eq!(run["ettr"]["method"], "simulated", "{run}");
    assert_eq!(run["ettr"]["replicas"], 1000);
    let ettr = run["ettr"]["ettr"].as_f64().unwrap();
    let ci = run["ettr"]["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= ettr && ettr <= ci[1].as_f64().unwrap());
    let gpu_hours = run["gpu_hours"].as_f64().unwrap();
    let gap = gpu_hours / LLAMA31_405B_GPU_HOURS - 1.0;
    assert!(gap.abs() < 0.15, "{:.2}M GPU-hours, {:+.1}%", gpu_hours / 1e6, 100.0 * gap);
    // The simulator's unsourced inputs are listed with the workload assumptions.
    let assumptions: Vec<&str> =
        v["assumptions"].as_array().unwrap().iter().map(|a| a["key"].as_str().unwrap()).collect();
    assert!(assumptions.contains(&"job[0].checkpoint_write_s"), "{assumptions:?}");
}

#[test]
fn no_simulate_falls_back_to_the_closed_form() {
    let out =
        stdout_of(gigawatt().args(["capacity", "scenarios/llama3-405b-16k.toml", "--format", "json", "--no-simulate"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["training"][0]["ettr"]["method"], "closed_form");
}

#[test]
fn capacity_json_has_the_documented_fields() {
    let out = stdout_of(gigawatt().args(["capacity", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    for path in [
        "/training/0/name",
        "/training/0/flops",
        "/training/0/gpus",
        "/training/0/gpu_hours",
        "/training/0/wall_days",
        "/training/0/finish",
        "/training/0/ettr/ettr",
        "/inference/0/platform",
        "/inference/0/model",
        "/inference/0/tokens_per_s_per_gpu",
        "/inference/0/tokens_per_s_per_mw",
        "/inference/0/usd_per_million_tokens",
        "/inference/0/kwh_per_million_tokens",
        "/timeline/0/month",
        "/timeline/0/gpus_online",
        "/timeline/0/inference_gpus",
        "/timeline/0/capacity_tokens_per_s",
        "/timeline/0/demand_tokens_per_s",
        "/timeline/0/peak_demand_tokens_per_s",
        "/timeline/0/unmet_tokens_per_s_by_tier/pro",
        "/timeline/0/unmet_tokens_per_s_by_tier/plus",
        "/timeline/0/unmet_tokens_per_s_by_tier/free",
        "/calibration/efficiency/prefill",
        "/calibration/efficiency/decode",
        "/chat_today/reference_mw",
        "/assumptions/0/key",
        "/usage/idle_share",
    ] {
        assert!(v.pointer(path).is_some(), "missing {path}");
    }
    assert_eq!(v["timeline"][0]["month"], "2026-10");
}

#[test]
fn capacity_json_is_byte_identical_across_runs() {
    let a = stdout_of(gigawatt().args(["capacity", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    let b = stdout_of(gigawatt().args(["capacity", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    assert_eq!(a, b);
}

#[test]
fn capacity_csv_is_the_monthly_timeline() {
    let out = stdout_of(gigawatt().args(["capacity", "scenarios/nvidia-openai-10gw.toml", "--format", "csv"]));
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("month,gpus_online,inference_gpus,training_gpus,idle_gpus"), "{header}");
    assert!(header.contains("unmet_tokens_per_s_pro") && header.contains("training_gpus_frontier pre-training A"));
    assert_eq!(lines.count(), 30, "2026-10 through 2029-03");
}

#[test]
fn out_dir_gets_capacity_json_and_the_timeline_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    gigawatt().args(["capacity", "scenarios/llama3-405b-16k.toml", "--out"]).arg(&out_dir).assert().success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("capacity.json")).unwrap()).unwrap();
    assert!(json["training"][0]["gpu_hours"].as_f64().unwrap() > 25e6);
    assert!(std::fs::read_to_string(out_dir.join("capacity_timeline.csv")).unwrap().starts_with("month,"));
    let names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn bad_capacity_input_writes_nothing_to_the_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    gigawatt_here()
        .args(["capacity", "tests/fixtures/bad/capacity_does_not_fit.toml", "--out"])
        .arg(&out_dir)
        .assert()
        .code(2);
    assert!(!out_dir.exists());
}

#[test]
fn plan_ignores_the_workload_sections() {
    // The seed's phases and financing are unchanged: plan reads the same scenario as before.
    let out = stdout_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["phases"].as_array().unwrap().len(), 10);
}

fn bad(name: &str) -> String {
    let out = gigawatt_here().args(["capacity", &format!("tests/fixtures/bad/{name}.toml")]).output().unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

macro_rules! capacity_error_snapshot {
    ($test:ident, $fixture:literal, $needle:literal) => {
        #[test]
        fn $test() {
            let err = bad($fixture);
            assert!(err.contains($needle), "{err}");
            insta::assert_snapshot!(concat!("error_", $fixture), err);
        }
    };
}

capacity_error_snapshot!(a_model_too_big_for_the_rack_says_by_how_much, "capacity_does_not_fit", "short by 234 GB");
capacity_error_snapshot!(an_unreachable_latency_target_says_by_how_much, "capacity_latency", "ms over");
capacity_error_snapshot!(an_unknown_model_suggests_the_closest, "capacity_unknown_model", "did you mean `llama3-70b`");
capacity_error_snapshot!(tier_shares_must_add_up_to_one, "capacity_tier_shares", "not 1");
capacity_error_snapshot!(
    an_unknown_training_field_suggests_the_right_one,
    "capacity_training_field",
    "did you mean `tokens`"
);
capacity_error_snapshot!(a_run_must_ask_for_gpus, "capacity_no_gpus", "asks for no GPUs");
capacity_error_snapshot!(a_precision_the_platform_lacks_is_rejected, "capacity_fp4_training", "no dense fp4");
capacity_error_snapshot!(
    an_unknown_policy_suggests_the_closest,
    "capacity_bad_policy",
    "did you mean `training_reservations`"
);
capacity_error_snapshot!(mfu_above_one_is_rejected, "capacity_mfu_above_one", "between 0 and 1");
capacity_error_snapshot!(
    a_simulated_run_takes_no_closed_form_inputs,
    "capacity_simulated_closed_keys",
    "`restart_overhead_min` belongs to method = \"closed_form\""
);
