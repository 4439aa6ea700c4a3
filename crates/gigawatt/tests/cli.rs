//! End-to-end tests of the `gigawatt` binary: what a user runs, what they read, exit codes, and
//! that a failure leaves no half-written output.

use std::path::PathBuf;

use assert_cmd::Command;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn root() -> PathBuf {
    crate_dir().join("../..")
}

/// The binary, run from the repository root (so scenario paths read as a user types them).
fn gigawatt() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("gigawatt"));
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// The binary, run from this crate's directory (for fixtures).
fn gigawatt_here() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("gigawatt"));
    c.current_dir(crate_dir()).env("NO_COLOR", "1");
    c
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn plan_prints_a_readable_summary_of_the_seed_scenario() {
    let out = stdout_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml"]));
    assert!(out.contains("HEADLINES"));
    assert!(out.contains("Capex per GW"));
    assert!(out.contains("ASSUMPTIONS"));
    insta::assert_snapshot!("plan_seed_summary", out);
}

#[test]
fn plan_summary_of_a_small_fixed_scenario() {
    let out = stdout_of(gigawatt_here().args(["plan", "tests/fixtures/good/small.toml"]));
    insta::assert_snapshot!("plan_small_summary", out);
}

#[test]
fn plan_json_on_stdout_is_only_json_and_has_the_documented_fields() {
    let out = stdout_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    for path in [
        "/totals/facility_power_mw",
        "/totals/it_power_mw",
        "/totals/racks",
        "/totals/gpus",
        "/totals/dies",
        "/totals/capex_usd",
        "/totals/capex_nvidia_usd",
        "/totals/opex_usd_per_year",
        "/per_gw/gpus",
        "/per_gw/capex_usd",
        "/per_gw/capex_nvidia_usd",
        "/ranges/gpus/low",
        "/ranges/gpus/central",
        "/ranges/gpus/high",
        "/ranges/capex_per_gw_usd/central",
        "/ranges/nvidia_per_gw_usd/high",
        "/implied/kw_per_gpu_all_in/central",
        "/implied/nvidia_usd_per_gpu/central",
        "/per_gpu/kw_all_in",
        "/per_gpu/nvidia_usd",
        "/assumptions/0/key",
        "/phases/0/online",
        "/phases/0/power_gw",
        "/phases/0/platform",
        "/phases/0/racks",
        "/phases/0/gpus",
        "/phases/0/capex_usd",
        "/financing/total_usd",
        "/financing/tranches/0/date",
        "/financing/tranches/0/amount_usd",
        "/financing/tranches/0/cumulative_gw",
        "/timeline/0/quarter",
        "/timeline/0/deployed_gw",
        "/timeline/0/gpus_online",
        "/timeline/0/cumulative_capex_usd",
        "/timeline/0/cumulative_investment_usd",
        "/timeline/0/cumulative_nvidia_purchases_usd",
    ] {
        assert!(v.pointer(path).is_some(), "missing {path}");
    }
}

#[test]
fn plan_json_is_byte_identical_across_runs() {
    let a = stdout_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    let b = stdout_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--format", "json"]));
    assert_eq!(a, b);
}

#[test]
fn plan_csv_is_the_quarterly_timeline() {
    let out = stdout_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--format", "csv"]));
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("quarter,date,deployed_gw,gpus_online"));
    assert!(header.contains("gpus_online_vr-nvl144"));
    assert_eq!(lines.count(), 10, "2026-Q4 through 2029-Q1");
}

#[test]
fn out_dir_gets_plan_json_and_timeline_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--out"]).arg(&out_dir).assert().success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("plan.json")).unwrap()).unwrap();
    assert!(json["totals"]["gpus"].as_u64().unwrap() > 1_000_000);
    assert!(std::fs::read_to_string(out_dir.join("timeline.csv")).unwrap().starts_with("quarter,"));
    let names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn bad_input_writes_nothing_to_the_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    gigawatt_here().args(["plan", "tests/fixtures/bad/unknown_platform.toml", "--out"]).arg(&out_dir).assert().code(2);
    assert!(!out_dir.exists());
}

#[test]
fn seed_and_draws_flags_override_the_scenario() {
    let a = stdout_of(gigawatt().args([
        "plan",
        "scenarios/nvidia-openai-10gw.toml",
        "--format",
        "json",
        "--seed",
        "1",
        "--draws",
        "300",
    ]));
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["seed"], 1);
    assert_eq!(v["draws"], 300);
}

#[test]
fn catalog_lists_every_platform() {
    let out = stdout_of(gigawatt().args(["catalog"]));
    for id in ["h100-hgx", "h200-hgx", "b200-hgx", "gb200-nvl72", "gb300-nvl72", "vr-nvl144", "rubin-ultra-nvl576"] {
        assert!(out.contains(id), "{id} missing");
    }
    insta::assert_snapshot!("catalog_list", out);
}

#[test]
fn catalog_show_prints_sources() {
    let out = stdout_of(gigawatt().args(["catalog", "show", "vr-nvl144"]));
    assert!(out.contains("source: regantih.github.io"));
    insta::assert_snapshot!("catalog_show_vr", out);
}

#[test]
fn user_catalog_files_add_platforms_and_override_by_id() {
    let out = stdout_of(gigawatt_here().args(["--catalog", "tests/fixtures/good/my-rack.toml", "catalog"]));
    assert!(out.contains("my-rack"));
    let dir = tempfile::tempdir().unwrap();
    let gb300 = std::fs::read_to_string(root().join("catalog/platforms/gb300-nvl72.toml"))
        .unwrap()
        .replace("central = 130", "central = 125");
    std::fs::write(dir.path().join("gb300.toml"), gb300).unwrap();
    let shown = stdout_of(gigawatt().arg("--catalog").arg(dir.path()).args(["catalog", "show", "gb300-nvl72"]));
    assert!(shown.contains("system_power_kw = 125 kW"), "{shown}");
}

fn error_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn bad(name: &str) -> String {
    let (code, err) = error_of(gigawatt_here().args(["plan", &format!("tests/fixtures/bad/{name}.toml")]));
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

error_snapshot!(malformed_toml_is_located, "malformed", "malformed.toml:6:");
error_snapshot!(unknown_field_suggests_the_right_one, "unknown_field", "did you mean `power_gw`");
error_snapshot!(unknown_cost_input_suggests_the_right_one, "unknown_cost", "facility_usd_per_mw");
error_snapshot!(unknown_platform_suggests_the_closest_id, "unknown_platform", "unknown platform `vera-rubin`");
error_snapshot!(zero_power_is_rejected, "zero_power", "power_gw must be positive");
error_snapshot!(negative_power_is_rejected, "negative_power", "power_gw must be positive");
error_snapshot!(pue_below_one_is_rejected, "pue_below_one", "at least 1");
error_snapshot!(unparseable_date_is_rejected, "bad_date", "`late 2026` is not a date");
error_snapshot!(out_of_order_dates_are_rejected, "out_of_order", "before phase 1");
error_snapshot!(negative_money_is_rejected, "negative_money", "zero or more");
error_snapshot!(negative_cost_bound_is_rejected, "negative_price", "found -1");
error_snapshot!(power_and_systems_together_are_rejected, "both_sizings", "not both");
error_snapshot!(a_scenario_without_phases_is_rejected, "no_phases", "no phases");
error_snapshot!(range_bounds_out_of_order_are_rejected, "range_order", "above central");

#[test]
fn missing_scenario_file_is_an_input_error() {
    let (code, err) = error_of(gigawatt().args(["plan", "scenarios/does-not-exist.toml"]));
    assert_eq!(code, 2);
    insta::assert_snapshot!("error_missing_file", err);
}

#[test]
fn unsourced_catalog_number_is_rejected_with_its_location() {
    let (code, err) =
        error_of(gigawatt_here().args(["--catalog", "tests/fixtures/bad/bad_catalog_platform.toml", "catalog"]));
    assert_eq!(code, 2);
    assert!(err.contains("bad_catalog_platform.toml:9:"), "{err}");
    insta::assert_snapshot!("error_catalog_bare_number", err);
}

#[test]
fn catalog_show_of_an_unknown_id_suggests_one() {
    let (code, err) = error_of(gigawatt().args(["catalog", "show", "gb300"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `gb300-nvl72`"), "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    gigawatt().args(["plan"]).assert().code(2);
    gigawatt().args(["plan", "x.toml", "--format", "yaml"]).assert().code(2);
    gigawatt().args(["frobnicate"]).assert().code(2);
}

#[test]
fn help_lists_the_commands() {
    let out = stdout_of(gigawatt().args(["--help"]));
    assert!(out.contains("plan") && out.contains("catalog"));
}
