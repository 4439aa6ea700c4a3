//! End-to-end tests of `gigawatt sweep` and `gigawatt merge`: a sharded run merged by the command
//! line gives the unsharded run's files, a Slurm array task takes its share from the environment,
//! and bad shards, paths and directories are usage errors with exit code 2.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// A plan sweep of the Llama 3 scenario: 2 PUEs × 3 H100 server prices, 2 replicas.
fn sweep_text() -> String {
    let scenario = root().join("scenarios/llama3-405b-16k.toml");
    format!(
        r#"name = "Llama 3 cluster: PUE and server price"
scenario = "{}"
command = "plan"
replicas = 2
metrics = [{{ name = "capex_usd", path = "totals.capex_usd" }}, "totals.facility_power_mw"]

[set]
"uncertainty.draws" = 1000

[[axis]]
path = "phase[0].pue"
values = [1.1, 1.25]

[[axis]]
name = "h100_price_usd"
path = 'platform["h100-hgx"].system_price_usd'
values = [250000, 300000, 350000]
"#,
        scenario.display()
    )
}

/// A fresh directory holding `sweep.toml`.
fn with_sweep(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn run_ok(args: &[&std::ffi::OsStr]) -> String {
    let out = gigawatt().args(args).output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stderr).unwrap()
}

/// Standard error of `gigawatt sweep SWEEP --out DIR/o EXTRA…`, which must fail as an input or
/// usage error (exit code 2) without writing anything.
fn sweep_input_error_with(dir: &Path, sweep: &Path, extra: &[&str]) -> String {
    let out = dir.join("o");
    let (code, stderr) =
        error_of(gigawatt().args(["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()]).args(extra));
    assert_eq!(code, 2, "{stderr}");
    assert!(!out.exists(), "nothing is written");
    stderr
}

/// [`sweep_input_error_with`] and no other argument.
fn sweep_input_error(dir: &Path, sweep: &Path) -> String {
    sweep_input_error_with(dir, sweep, &[])
}

fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

#[test]
fn two_shards_merged_by_the_command_line_are_the_unsharded_run() {
    let (dir, sweep) = with_sweep(&sweep_text());
    let whole = dir.path().join("whole");
    let stderr = run_ok(&["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), whole.as_os_str(), "--csv".as_ref()]);
    assert!(stderr.contains("6 points × 2 replicas of `plan`"), "{stderr}");
    assert!(stderr.contains("12 rows"), "{stderr}");
    let sharded = dir.path().join("sharded");
    for shard in ["1/2", "0/2"] {
        let stderr = run_ok(&[
            "sweep".as_ref(),
            sweep.as_os_str(),
            "--out".as_ref(),
            sharded.as_os_str(),
            "--shard".as_ref(),
            shard.as_ref(),
        ]);
        assert!(stderr.contains("gigawatt merge"), "{stderr}");
    }
    assert!(!sharded.join("points.parquet").exists(), "a shard does not merge");
    run_ok(&["merge".as_ref(), sharded.as_os_str(), "--csv".as_ref()]);
    for name in ["points.parquet", "summary.parquet", "points.csv", "summary.csv"] {
        assert_eq!(bytes(&whole, name), bytes(&sharded, name), "{name} differs");
    }
    let csv = String::from_utf8(bytes(&whole, "points.csv")).unwrap();
    assert!(
        csv.starts_with("point,replica,seed,phase[0].pue,h100_price_usd,capex_usd,totals.facility_power_mw\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 13);
    let manifest: serde_json::Value = serde_json::from_slice(&bytes(&sharded, "manifest.json")).unwrap();
    let shards: Vec<&str> =
        manifest["shards"].as_array().unwrap().iter().map(|s| s["shard"].as_str().unwrap()).collect();
    assert_eq!(shards, ["0/2", "1/2"]);
}

#[test]
fn a_slurm_array_task_runs_its_share_without_shard() {
    let (dir, sweep) = with_sweep(&sweep_text());
    let out = dir.path().join("out");
    let result = gigawatt()
        .args(["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()])
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let names: Vec<String> = std::fs::read_dir(out.join("shards"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"shard-1-of-3.parquet".to_string()), "{names:?}");
    let table = gigawatt_sweep_points(&out.join("shards/shard-1-of-3.parquet"));
    assert_eq!(table, vec![1, 1, 4, 4], "points 1 and 4 (i mod 3 = 1), two replicas each");
}

/// The `point` column of a Parquet file, read back through the CSV the merge would write.
fn gigawatt_sweep_points(path: &Path) -> Vec<u64> {
    let table = gigawatt_sweep::read_parquet(path).unwrap();
    match table.column("point") {
        Some(gigawatt_sweep::table::Values::U64(v)) => v.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_shard_past_the_count_is_a_usage_error() {
    let (dir, sweep) = with_sweep(&sweep_text());
    let stderr = sweep_input_error_with(dir.path(), &sweep, &["--shard", "4/4"]);
    assert!(stderr.contains("shard 4 of 4 does not exist"), "{stderr}");
}

#[test]
fn an_unknown_key_path_is_located_in_the_sweep_file_with_the_closest_key() {
    let (dir, sweep) = with_sweep(&sweep_text().replace("phase[0].pue", "phase[0].peu"));
    let stderr = sweep_input_error(dir.path(), &sweep);
    assert!(stderr.contains("sweep.toml:11:8: `phase[0].peu`: unknown key `peu` in [[phase]]"), "{stderr}");
    assert!(stderr.contains("did you mean `pue`?"), "{stderr}");
    assert!(stderr.contains("11 │ path = \"phase[0].peu\""), "the line is quoted: {stderr}");
}

#[test]
fn merging_shards_of_another_sweep_is_refused() {
    let (dir, sweep) = with_sweep(&sweep_text());
    let out = dir.path().join("out");
    let shard = |sweep: &Path, which: &str| {
        run_ok(&[
            "sweep".as_ref(),
            sweep.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--shard".as_ref(),
            which.as_ref(),
        ])
    };
    shard(&sweep, "0/2");
    let other = dir.path().join("other.toml");
    std::fs::write(&other, sweep_text().replace("replicas = 2", "replicas = 2\nseed = 1")).unwrap();
    let (code, stderr) = error_of(gigawatt().args([
        "sweep".as_ref(),
        other.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--shard".as_ref(),
        "1/2".as_ref(),
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("belongs to another sweep"), "{stderr}");
    let (code, stderr) = error_of(gigawatt().args(["merge".as_ref(), out.as_os_str()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("3 of 6 points are missing"), "{stderr}");
}

#[test]
fn slurm_writes_an_array_script_that_runs_this_binary_on_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&[
        "sweep".as_ref(),
        "examples/sweep-llama3.toml".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--slurm".as_ref(),
        "--tasks".as_ref(),
        "8".as_ref(),
        "--cpus-per-task".as_ref(),
        "2".as_ref(),
        "--sbatch=--time=0:30:00".as_ref(),
    ]);
    let script = String::from_utf8(bytes(&out, "sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-7\n"), "{script}");
    assert!(script.contains("#SBATCH --cpus-per-task=2\n"), "{script}");
    assert!(script.contains("#SBATCH --time=0:30:00\n"), "{script}");
    assert!(script.contains("sweep-llama3.toml' --out '"), "{script}");
    assert!(!script.contains("--shard"), "each task takes its share from SLURM_ARRAY_TASK_ID: {script}");
    let merge = String::from_utf8(bytes(&out, "merge.sbatch")).unwrap();
    assert!(merge.contains(" merge '"), "{merge}");
    assert!(!out.join("shards").exists(), "--slurm runs nothing here");
}

#[test]
fn a_one_at_a_time_sweep_draws_a_band_per_axis_and_a_tornado_per_metric() {
    let text = sweep_text().replace("replicas = 2", "replicas = 3\ndesign = \"one-at-a-time\"");
    let (dir, sweep) = with_sweep(&text);
    let out = dir.path().join("out");
    let stderr = run_ok(&["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(stderr.contains("6 points × 3 replicas"), "{stderr}");
    let tornado = String::from_utf8(bytes(&out, "charts/sweep-tornado-capex-usd.svg")).unwrap();
    assert!(tornado.contains("Sensitivity of capex_usd: h100_price_usd moves it most"), "{tornado}");
    let band = String::from_utf8(bytes(&out, "charts/sweep-capex-usd-vs-h100-price-usd.svg")).unwrap();
    assert!(band.contains("P10 – P90") && band.contains("<polygon"), "{band}");
}

/// `gigawatt runs` in the history `db`.
fn runs_in(db: &Path, args: &[&str]) -> String {
    let mut cmd = gigawatt();
    cmd.arg("--db").arg(db).arg("runs").args(args);
    stdout_of(&mut cmd)
}

#[test]
fn a_completed_sweep_and_a_merge_are_recorded_but_a_shard_and_no_record_are_not() {
    let text = sweep_text();
    let (dir, sweep) = with_sweep(&text);
    let db = dir.path().join("runs.sqlite3");
    let sweep_in = |extra: &[&str], out: &str| {
        let mut cmd = gigawatt();
        cmd.arg("--db").arg(&db).arg("sweep").arg(&sweep).arg("--out").arg(dir.path().join(out)).args(extra);
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    sweep_in(&["--shard", "0/2"], "sharded");
    assert!(runs_in(&db, &[]).starts_with("no runs recorded yet"), "a shard is not a completed sweep");
    let mut quiet = gigawatt();
    quiet.arg("--db").arg(&db).arg("--no-record").arg("sweep").arg(&sweep).arg("--out").arg(dir.path().join("quiet"));
    stdout_of(&mut quiet);
    assert!(runs_in(&db, &[]).starts_with("no runs recorded yet"), "--no-record records nothing");

    sweep_in(&[], "whole");
    sweep_in(&["--shard", "1/2"], "sharded");
    let mut merge = gigawatt();
    merge.arg("--db").arg(&db).arg("merge").arg(dir.path().join("sharded"));
    stdout_of(&mut merge);
    let list = runs_in(&db, &[]);
    let rows: Vec<&str> = list.lines().filter(|l| l.contains("Llama 3 cluster: PUE and server price")).collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert!(rows.iter().all(|r| r.contains(" sweep ")), "{list}");

    let hash = gigawatt_sweep::read_parquet(&dir.path().join("whole/points.parquet"))
        .unwrap()
        .meta("gigawatt.sweep.hash")
        .unwrap()
        .to_string();
    let mut results = Vec::new();
    for id in ["1", "2"] {
        let json: serde_json::Value = serde_json::from_str(&runs_in(&db, &["show", id, "--format", "json"])).unwrap();
        let r = &json["results"];
        assert_eq!(r["hash"], hash.as_str(), "{r}");
        assert_eq!(json["kind"], "sweep");
        assert_eq!(
            (r["command"].as_str(), r["points"].as_u64(), r["replicas"].as_u64()),
            (Some("plan"), Some(6), Some(2))
        );
        let p = &r["metrics"]["capex_usd"];
        assert!(p["p10"].as_f64().unwrap() < p["p90"].as_f64().unwrap(), "{p}");
        results.push((r["metrics"].clone(), r["out"].as_str().unwrap().to_string()));
    }
    assert_eq!(results[0].0, results[1].0, "the merge records the unsharded run's summary");
    assert!(results[0].1.ends_with("whole") && results[1].1.ends_with("sharded"), "{results:?}");
    let shown = runs_in(&db, &["show", "2"]);
    assert!(shown.contains("capex_usd, P50 over all rows"), "{shown}");
    assert!(shown.contains("command = \"plan\""), "the sweep file is the run's scenario text: {shown}");
}

/// An operate sweep of the small operate fixture: 2 research shares, 2 replicas.
fn operate_sweep_text() -> String {
    let scenario = crate_dir().join("tests/fixtures/good/operate_small.toml");
    format!(
        r#"name = "small operated build-out: research share"
scenario = "{}"
command = "operate"
replicas = 2
metrics = [
  {{ name = "idle", path = "totals.share.idle" }},
  "frontier[0].ettr",
]

[[axis]]
name = "research_share"
path = "operate.research.share"
values = [0.2, 0.6]
"#,
        scenario.display()
    )
}

/// Column `name` of a Parquet file, of numbers.
fn f64_column(table: &gigawatt_sweep::Table, name: &str) -> Vec<Option<f64>> {
    match table.column(name) {
        Some(gigawatt_sweep::table::Values::F64(v)) => v.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn an_operate_sweep_keeps_what_gigawatt_operate_prints_at_each_point() {
    let (dir, sweep) = with_sweep(&operate_sweep_text());
    let out = dir.path().join("out");
    let stderr = run_ok(&["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(stderr.contains("2 points × 2 replicas of `operate`"), "{stderr}");
    assert!(stderr.contains(" events, "), "the estimate counts the scheduler events: {stderr}");
    let points = gigawatt_sweep::read_parquet(&out.join("points.parquet")).unwrap();
    let share = f64_column(&points, "research_share");
    let Some(gigawatt_sweep::table::Values::U64(seed)) = points.column("seed") else { panic!("no seed column") };
    let (idle, ettr) = (f64_column(&points, "idle"), f64_column(&points, "frontier[0].ettr"));
    assert_eq!(share, [Some(0.2), Some(0.2), Some(0.6), Some(0.6)]);
    assert_ne!(idle[0], idle[2], "the research share moves the idle share");
    // The last row (point 1, replica 1) is `gigawatt operate` on that point's scenario and seed.
    let text = std::fs::read_to_string(crate_dir().join("tests/fixtures/good/operate_small.toml")).unwrap();
    let point = dir.path().join("point.toml");
    let set = "[operate.research]\nshare = { value = 0.6, assumption = \"the sweep's point\" }\n";
    std::fs::write(&point, text.replace("[operate.research]\n", set)).unwrap();
    let seed = seed[3].to_string();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(gigawatt().args([
        "operate".as_ref(),
        point.as_os_str(),
        "--seed".as_ref(),
        seed.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ])))
    .unwrap();
    assert_eq!(json["totals"]["share"]["idle"].as_f64(), idle[3], "{}", json["totals"]["share"]);
    assert_eq!(json["frontier"][0]["ettr"].as_f64(), ettr[3]);
}

/// An operated base run whose research jobs alone exceed the memory limit is refused before its
/// streams are drawn to estimate it (20 M jobs took 21 s and 4.6 GB to draw): the estimate is
/// then a lower bound, and says so.
#[test]
fn an_operate_sweep_too_large_to_draw_is_refused_on_its_lower_bound() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate_dir().join("tests/fixtures/good/operate_small.toml")).unwrap();
    assert!(text.contains("jobs = 5000"));
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, text.replace("jobs = 5000", "jobs = 20000000")).unwrap();
    let scenario = crate_dir().join("tests/fixtures/good/operate_small.toml");
    let sweep_text = operate_sweep_text().replace(&scenario.display().to_string(), &huge.display().to_string());
    let sweep = dir.path().join("sweep.toml");
    std::fs::write(&sweep, sweep_text).unwrap();
    let stderr = sweep_input_error_with(dir.path(), &sweep, &["--max-memory", "1G"]);
    assert!(stderr.contains("this sweep needs at least") && stderr.contains("--max-memory"), "{stderr}");
}

#[test]
fn an_unknown_operate_metric_is_located_in_the_sweep_file() {
    let (dir, sweep) = with_sweep(&operate_sweep_text().replace("totals.share.idle", "totals.share.idel"));
    let stderr = sweep_input_error(dir.path(), &sweep);
    assert!(stderr.contains("sweep.toml:6:"), "located at the metric: {stderr}");
    assert!(stderr.contains("totals.share.idel") && stderr.contains("idle"), "{stderr}");
    assert!(stderr.contains("gigawatt operate --format json"), "{stderr}");
}

#[test]
fn report_adds_a_merged_sweeps_section_and_charts() {
    let text = sweep_text().replace("replicas = 2", "replicas = 2\ndesign = \"one-at-a-time\"");
    let (dir, sweep) = with_sweep(&text);
    let out = dir.path().join("out");
    run_ok(&["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let report = dir.path().join("report");
    let mut cmd = gigawatt_here();
    cmd.args(["--no-record", "report", "tests/fixtures/good/small.toml", "--png", "--out"])
        .arg(&report)
        .arg("--sweep")
        .arg(&out);
    stdout_of(&mut cmd);
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("<section id=\"sweep\">"), "the sweep section is there");
    assert!(html.contains("Sweep: how the answer moves"));
    assert!(html.contains("<td>Llama 3 cluster: PUE and server price</td>"), "the sweep's name in its table");
    assert!(html.contains("<td>capex_usd</td>"), "each metric has a row");
    for chart in ["sweep-capex-usd-vs-h100-price-usd", "sweep-tornado-capex-usd"] {
        for ext in ["svg", "png"] {
            assert!(report.join(format!("charts/{chart}.{ext}")).is_file(), "{chart}.{ext}");
        }
        assert!(html.contains(&format!("charts/{chart}.svg")), "{chart} is linked");
    }
}

#[test]
fn report_with_a_missing_or_unmerged_sweep_is_an_input_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-sweep");
    let report = dir.path().join("report");
    let (code, stderr) = error_of(
        gigawatt_here()
            .args(["--no-record", "report", "tests/fixtures/good/small.toml", "--out"])
            .arg(&report)
            .arg("--sweep")
            .arg(&missing),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains(&format!("{}: no such directory", missing.display())), "{stderr}");
    assert!(!report.exists(), "nothing is written");
    let (_kept, sweep) = with_sweep(&sweep_text());
    let sharded = dir.path().join("sharded");
    run_ok(&[
        "sweep".as_ref(),
        sweep.as_os_str(),
        "--out".as_ref(),
        sharded.as_os_str(),
        "--shard".as_ref(),
        "0/2".as_ref(),
    ]);
    let (code, stderr) = error_of(
        gigawatt_here()
            .args(["--no-record", "report", "tests/fixtures/good/small.toml", "--out"])
            .arg(&report)
            .arg("--sweep")
            .arg(&sharded),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("summary.parquet: no such file"), "{stderr}");
    assert!(stderr.contains("gigawatt merge"), "{stderr}");
}

#[test]
fn a_replay_sweep_keeps_what_gigawatt_replay_prints_and_draws_a_line_per_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sweep = root().join("examples/sweep-replay.toml");
    let stderr = run_ok(&["sweep".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(stderr.contains("16 points × 5 replicas of `replay`"), "{stderr}");
    let points = gigawatt_sweep::read_parquet(&out.join("points.parquet")).unwrap();
    assert_eq!(points.rows(), 80);
    let Some(gigawatt_sweep::table::Values::Str(policy)) = points.column("policy") else { panic!() };
    let Some(gigawatt_sweep::table::Values::I64(rate)) = points.column("jobs_per_hour") else { panic!() };
    let Some(gigawatt_sweep::table::Values::U64(seed)) = points.column("seed") else { panic!() };
    let jct = f64_column(&points, "jct_mean_s");
    // At the spec's own rate, a row is `gigawatt replay` with the sweep's [replay] options and the
    // row's seed.
    let row = (0..points.rows()).find(|&i| policy[i].as_deref() == Some("sjf") && rate[i] == Some(150)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(gigawatt().args([
        "replay",
        "examples/synthetic-acme-seren.toml",
        "--cluster",
        "examples/cluster-seren.toml",
        "--policy",
        "sjf",
        "--placement",
        "consolidated-domain",
        "--failures",
        "--checkpoint-interval",
        "1800",
        "--seed",
        &seed[row].to_string(),
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json["policies"]["sjf"]["jct_s"]["mean"].as_f64(), jct[row]);
    let chart = std::fs::read_to_string(out.join("charts/sweep-wait-mean-s-vs-jobs-per-hour.svg")).unwrap();
    for p in ["fifo", "sjf", "tiresias", "fifo+easy"] {
        assert!(chart.contains(&format!("policy = {p}")), "a line for {p}");
    }
}

#[test]
fn a_replay_sweep_without_its_trace_is_an_input_error_at_the_key() {
    let cluster = root().join("examples/cluster-seren.toml");
    let text = format!(
        "command = \"replay\"\ncluster = \"{}\"\ntrace = \"missing.csv\"\nmetrics = [\"policy.jct_s.mean\"]\n",
        cluster.display()
    );
    let (dir, sweep) = with_sweep(&text);
    let stderr = sweep_input_error(dir.path(), &sweep);
    assert!(stderr.contains("sweep.toml:3:") && stderr.contains("missing.csv"), "{stderr}");
    assert!(stderr.contains("relative to the sweep file"), "{stderr}");
}
