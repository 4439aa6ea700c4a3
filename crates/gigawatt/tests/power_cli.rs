//! End-to-end tests of `gigawatt power`: the documented JSON keys per site and in total, the CSV
//! series, `--out` with the charts, byte-identical output whatever the number of threads, and
//! exit code 2 with located messages for bad input (price series with gaps or duplicates, a
//! resolution finer than the series supports).

mod support;

use support::*;

const LLAMA: &str = "scenarios/llama3-405b-16k.toml";

fn json_of(cmd: &mut Command) -> serde_json::Value {
    serde_json::from_str(&stdout_of(cmd)).expect("stdout is JSON")
}

#[test]
fn power_json_has_the_documented_keys_per_site_and_in_total() {
    let v = json_of(gigawatt().args(["power", LLAMA, "--to", "0.5", "--format", "json"]));
    for base in ["/sites/0", "/total"] {
        for key in [
            "hours",
            "peak_mw",
            "min_mw",
            "mean_mw",
            "energy_mwh",
            "largest_drop_mw",
            "max_ramp_up_mw_per_s",
            "max_ramp_down_mw_per_s",
            "band_energy_share",
        ] {
            let x = v.pointer(&format!("{base}/{key}")).unwrap_or_else(|| panic!("{base}/{key} missing"));
            assert!(x.as_f64().is_some_and(f64::is_finite), "{base}/{key} = {x}");
        }
    }
    assert_eq!(v["total"]["hours"], 12.0);
    assert_eq!(v["sites"][0]["name"], "Meta RSC");
    assert!(v["jobs"][0]["iteration_swing_mw"].as_f64().unwrap() > 5.0);
    assert!(v["inputs"].as_array().unwrap().iter().any(|i| i["key"] == "power.gpu.idle"));
}

#[test]
fn power_is_the_same_byte_for_byte_whatever_the_threads() {
    let run = |threads: &str| {
        stdout_of(gigawatt().env("RAYON_NUM_THREADS", threads).args([
            "power",
            "scenarios/nvidia-openai-10gw.toml",
            "--to",
            "0.25",
            "--format",
            "json",
        ]))
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["sites"].as_array().unwrap().len(), 10, "one site per phase without a site name");
}

#[test]
fn power_writes_the_series_and_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let csv = stdout_of(gigawatt().args(["power", LLAMA, "--to", "0.1", "--resolution", "1min", "--format", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time_s,Meta RSC_mw,total_mw"));
    assert_eq!(lines.count(), 144, "0.1 day at one minute");
    let out = stdout_of(gigawatt().args(["power", LLAMA, "--to", "1", "--out"]).arg(dir.path()));
    assert!(out.contains("POWER") && out.contains("JOBS") && out.contains("ASSUMPTIONS"));
    for f in [
        "power.json",
        "power.csv",
        "power.parquet",
        "charts/power-day.svg",
        "charts/power-ramps.svg",
        "charts/power-spectrum.svg",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

#[test]
fn a_price_series_with_a_gap_or_a_duplicate_names_its_rows() {
    let crate_dir = crate_dir();
    let fx = |name: &str| crate_dir.join("tests/fixtures/power").join(name).display().to_string();
    let (code, err) = error_of(gigawatt().args(["power", LLAMA, "--to", "0.1", "--prices", &fx("gap.csv")]));
    assert_eq!(code, 2);
    assert!(err.contains("gap.csv:4:1: hour 2 is missing: a gap between rows 3 (hour 1) and 4 (hour 3)"), "{err}");
    assert!(err.contains("--fill"), "{err}");
    let (code, err) = error_of(gigawatt().args(["power", LLAMA, "--to", "0.1", "--prices", &fx("duplicate.csv")]));
    assert_eq!(code, 2);
    assert!(err.contains("duplicate.csv:4:1: hour 1 appears twice, on rows 3 and 4"), "{err}");
    let v = json_of(gigawatt().args([
        "power",
        LLAMA,
        "--to",
        "0.5",
        "--format",
        "json",
        "--fill",
        "--prices",
        &fx("gap.csv"),
    ]));
    assert_eq!(v["prices"]["filled_hours"], 1 + 8, "one gap, and hours 4–11 carried to the window's end");
    assert!(v["sites"][0]["price_basis"].as_str().unwrap().starts_with("hourly series"));
}

#[test]
fn a_resolution_finer_than_the_series_supports_says_so() {
    let (code, err) = error_of(gigawatt().args(["power", LLAMA, "--to", "0.1", "--resolution", "10ms"]));
    assert_eq!(code, 2);
    assert!(err.contains("finer than the long series supports (1 s)") && err.contains("spectrum"), "{err}");
    let (code, err) = error_of(gigawatt().args(["power", LLAMA, "--to", "90"]));
    assert_eq!(code, 2);
    assert!(err.contains("past the simulated window (54 days)"), "{err}");
}

#[test]
fn power_parquet_holds_the_csv_series_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["power", LLAMA, "--to", "0.1", "--resolution", "1min"];
    let csv = stdout_of(gigawatt().args(args).args(["--format", "csv"]));
    let o = gigawatt().args(args).args(["--format", "parquet"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.starts_with(b"PAR1") && o.stdout.ends_with(b"PAR1"), "stdout is a Parquet file");
    let path = dir.path().join("power.parquet");
    std::fs::write(&path, &o.stdout).unwrap();
    let t = gigawatt_sweep::read_parquet(&path).unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["time_s", "Meta RSC_mw", "total_mw"], "the CSV's columns");
    assert_eq!(t.rows(), 144);
    assert_eq!(t.meta("gigawatt.power.seed"), Some("405"));
    // Every value is the CSV's to its printed precision (1 kW); the Parquet keeps full precision.
    for (row, line) in csv.lines().skip(1).enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let gigawatt_sweep::table::Values::F64(v) = &t.columns[c].values else { panic!("DOUBLE columns") };
            let x = v[row].unwrap();
            assert!((x - cell.parse::<f64>().unwrap()).abs() <= 5e-4 + 1e-12, "row {row} col {c}: {x} vs {cell}");
        }
    }
    // --out writes the same bytes beside the JSON and the CSV.
    let out = dir.path().join("out");
    stdout_of(gigawatt().args(args).arg("--out").arg(&out));
    assert_eq!(std::fs::read(out.join("power.parquet")).unwrap(), o.stdout);
    // pyarrow reads it too, where it is installed (CI's pattern for the sweep's files).
    let py = std::process::Command::new("python3").args(["-c", "import pyarrow"]).output();
    if py.is_ok_and(|p| p.status.success()) {
        let script = format!(
            "import pyarrow.parquet as pq; t = pq.read_table({:?}); print(t.num_rows, t.column_names)",
            path.display().to_string()
        );
        let p = std::process::Command::new("python3").args(["-c", &script]).output().unwrap();
        assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
        assert_eq!(String::from_utf8_lossy(&p.stdout).trim(), "144 ['time_s', 'Meta RSC_mw', 'total_mw']");
    } else {
        eprintln!("python3 with pyarrow not found: the pyarrow read-back is skipped");
    }
}

#[test]
fn power_follows_an_operated_build_out_and_bounds_the_window_by_it() {
    let fixture = "crates/gigawatt-operate/tests/fixtures/small.toml";
    let v =
        json_of(gigawatt().args(["power", fixture, "--operate", "--from", "100", "--to", "101", "--format", "json"]));
    assert_eq!(v["operated"]["first_day"], "2025-03-31");
    assert!(v["operated"]["segments"].as_u64().unwrap() > 10);
    let classes: Vec<&str> = v["jobs"].as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert!(classes.contains(&"research") && classes.contains(&"inference"), "{classes:?}");
    let inference = v["jobs"].as_array().unwrap().iter().find(|j| j["name"] == "inference").unwrap();
    assert_eq!(inference["steady"], 0.6);
    assert!(v["inputs"].as_array().unwrap().iter().any(|i| i["key"] == "power.gpu.serving"));
    assert!(v["total"]["energy_mwh"].as_f64().unwrap() > 0.0);
    // The operated run ends on 2025-12-31: 276 days.
    let out = gigawatt().args(["power", fixture, "--operate", "--from", "270", "--to", "300"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("past the operated build-out"), "{err}");
}

/// `power --operate` refuses an operated run over `--max-memory` before drawing its job streams,
/// as `operate` does.
#[test]
fn power_refuses_an_operated_run_over_the_memory_limit_before_drawing_it() {
    let text = std::fs::read_to_string(crate_dir().join("../gigawatt-operate/tests/fixtures/small.toml")).unwrap();
    assert!(text.contains("jobs = 5000"));
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, text.replace("jobs = 5000", "jobs = 20000000")).unwrap();
    let out = gigawatt().args(["power", "--operate", "--max-memory", "1G"]).arg(&huge).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("this operated run needs at least") && err.contains("--max-memory"), "{err}");
}
