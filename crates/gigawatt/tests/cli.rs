//! End-to-end tests of the `gigawatt` binary: what a user runs, what they read, exit codes, and
//! that a failure leaves no half-written output.

mod support;

use std::path::PathBuf;

use support::*;

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
        "/per_gw/capex_supplier_usd",
        "/ranges/gpus/low",
        "/ranges/gpus/central",
        "/ranges/gpus/high",
        "/ranges/capex_per_gw_usd/central",
        "/ranges/supplier_per_gw_usd/high",
        "/implied/kw_per_gpu_all_in/central",
        "/implied/supplier_usd_per_gpu/central",
        "/per_gpu/kw_all_in",
        "/per_gpu/supplier_usd",
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
        "/timeline/0/cumulative_investor_purchases_usd",
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
        "1500",
    ]));
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["seed"], 1);
    assert_eq!(v["draws"], 1500);
    // Fewer than 1,000 draws is a usage error: P10 and P90 of so few draws are not worth quoting.
    let (code, err) = error_of(gigawatt().args(["plan", "scenarios/nvidia-openai-10gw.toml", "--draws", "300"]));
    assert_eq!(code, 2);
    assert!(err.contains("1000..=1000000"), "{err}");
}

#[test]
fn catalog_lists_every_platform() {
    let out = stdout_of(gigawatt().args(["catalog"]));
    // Every file of catalog/platforms/ is listed, under its id, one row each.
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(root().join("catalog/platforms")).unwrap() {
        let id = entry.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(out.lines().filter(|l| l.trim_start().starts_with(&format!("{id} "))).count(), 1, "{id}");
        ids.push(id);
    }
    // The layout, pinned on one row (so that adding a platform changes no snapshot).
    let one_row: Vec<&str> = out
        .lines()
        .filter(|l| !ids.iter().any(|id| id != "h100-hgx" && l.trim_start().starts_with(&format!("{id} "))))
        .collect();
    insta::assert_snapshot!("catalog_list", one_row.join("\n"));
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
error_snapshot!(too_few_monte_carlo_draws_are_rejected, "too_few_draws", "draws = 200 is out of range");
error_snapshot!(a_phase_beyond_any_plan_is_rejected, "too_much_power", "more than a phase can be");

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

// ---------------------------------------------------------------------------------------------
// gigawatt report

fn report_of_small(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let mut cmd = gigawatt_here();
    cmd.args(["report", "tests/fixtures/good/small.toml", "--no-record", "--out"]).arg(&out).args(extra);
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty(), "report prints nothing on stdout");
    (dir, out)
}

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(
                files_under(&p).into_iter().map(|f| format!("{}/{f}", p.file_name().unwrap().to_string_lossy())),
            );
        } else {
            out.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

/// The page's structure: its elements as an indented outline, with the text of headings, cards
/// and table heads; SVG charts, table bodies and lists reduced to one line each.
fn html_outline(html: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map(|e| start + e).unwrap();
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if let Some(closing) = skip_until {
            if tag == closing {
                skip_until = None;
            }
            continue;
        }
        if tag.starts_with('!') {
            continue;
        }
        let name = tag.split_whitespace().next().unwrap_or("").trim_end_matches('/');
        if let Some(closed) = name.strip_prefix('/') {
            if !matches!(closed, "meta" | "br") {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        let attr = |a: &str| tag.split(&format!("{a}=\"")).nth(1).and_then(|s| s.split('"').next()).map(str::to_string);
        let mut line = name.to_string();
        for a in ["id", "class", "data-key", "data-chart", "href"] {
            if let Some(v) = attr(a) {
                line.push_str(&format!(" {a}={v}"));
            }
        }
        match name {
            "svg" => {
                out.push_str(&format!(
                    "{}svg aria-label={}\n",
                    "  ".repeat(depth),
                    attr("aria-label").unwrap_or_default()
                ));
                skip_until = Some("/svg");
                continue;
            }
            "tbody" | "ul" if name == "tbody" || attr("class").as_deref() == Some("items") => {
                let close = format!("</{name}>");
                let body_end = rest.find(&close).unwrap();
                let n = rest[..body_end].matches(if name == "tbody" { "<tr>" } else { "<li>" }).count();
                out.push_str(&format!(
                    "{}{name}: {n} {}\n",
                    "  ".repeat(depth),
                    if name == "tbody" { "rows" } else { "items" }
                ));
                rest = &rest[body_end + close.len()..];
                continue;
            }
            "style" | "title" => {
                skip_until = Some(if name == "style" { "/style" } else { "/title" });
                out.push_str(&format!("{}{name}\n", "  ".repeat(depth)));
                continue;
            }
            _ => {}
        }
        // The text right after the tag, before any child element.
        let text = rest[..rest.find('<').unwrap_or(rest.len())].trim();
        let mut text_lines = text.lines();
        if let Some(first) = text_lines.next() {
            let more = text_lines.count();
            line.push_str(&format!(": {first}"));
            if more > 0 {
                line.push_str(&format!(" … ({more} more lines)"));
            }
        }
        out.push_str(&format!("{}{line}\n", "  ".repeat(depth)));
        if !matches!(name, "meta" | "br" | "!DOCTYPE") && !tag.ends_with('/') {
            depth += 1;
        }
    }
    out
}

#[test]
fn report_writes_a_self_contained_page_with_charts_and_data() {
    let (_dir, out) = report_of_small(&[]);
    assert_eq!(
        files_under(&out),
        [
            "charts/buildout.svg",
            "charts/capex.svg",
            "charts/circular-flow.svg",
            "charts/ranges.svg",
            "charts/tornado-capex-per-gw.svg",
            "charts/tornado-gpus.svg",
            "charts/tornado-supplier-per-gw.svg",
            "index.html",
            "plan.json",
            "timeline.csv",
        ]
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    // Self-contained: nothing is fetched when it opens.
    for banned in ["<script", "<link", "<img", "@import", "url(", "<iframe"] {
        assert!(!html.contains(banned), "index.html contains {banned}");
    }
    let external: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 40).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(external.is_empty(), "external references: {external:?}");
    // Every chart inline, and the same SVG as the chart file.
    assert_eq!(html.matches("<svg ").count(), 7);
    let capex = std::fs::read_to_string(out.join("charts/capex.svg")).unwrap();
    assert!(html.contains(capex.trim_end()));
    // The scenario, the assumptions with their sources, the headline numbers with their ranges.
    assert!(html.contains("<h1>Small test build</h1>"));
    assert!(
        html.contains("id=\"assumptions\"") && html.contains("set in tests/fixtures/good/small.toml without a source")
    );
    assert!(html.contains("id=\"inputs\"") && html.contains("regantih.github.io"));
    assert!(html.contains("P10 – P90: "));
    assert!(html.contains("[[phase]]\nname = &quot;Blackwell&quot;"), "the scenario file is quoted");
    // The data beside it is what `plan` writes.
    let plan_json =
        stdout_of(gigawatt_here().args(["plan", "tests/fixtures/good/small.toml", "--format", "json", "--no-record"]));
    assert_eq!(std::fs::read_to_string(out.join("plan.json")).unwrap(), plan_json);
    insta::assert_snapshot!("report_small_html_outline", html_outline(&html));
}

#[test]
fn report_charts_of_a_small_fixed_scenario() {
    let (_dir, out) = report_of_small(&[]);
    for chart in ["buildout", "capex", "circular-flow", "ranges", "tornado-capex-per-gw"] {
        let svg = std::fs::read_to_string(out.join(format!("charts/{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("font-family=\"'DejaVu Sans', Verdana, Geneva, sans-serif\""));
        insta::assert_snapshot!(format!("report_small_chart_{chart}"), svg);
    }
}

#[test]
fn report_is_byte_identical_across_runs_and_png_on_request() {
    let (_a, out_a) = report_of_small(&["--png"]);
    let (_b, out_b) = report_of_small(&["--png"]);
    let files = files_under(&out_a);
    assert_eq!(files, files_under(&out_b));
    assert_eq!(files.iter().filter(|f| f.ends_with(".png")).count(), 7);
    for f in &files {
        assert_eq!(std::fs::read(out_a.join(f)).unwrap(), std::fs::read(out_b.join(f)).unwrap(), "{f} differs");
    }
    let png = std::fs::read(out_a.join("charts/buildout.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let html = std::fs::read_to_string(out_a.join("index.html")).unwrap();
    assert!(html.contains("href=\"charts/buildout.png\""));
}

#[test]
fn report_of_bad_input_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let (code, err) =
        error_of(gigawatt_here().args(["report", "tests/fixtures/bad/unknown_platform.toml", "--out"]).arg(&out));
    assert_eq!(code, 2);
    assert!(err.contains("unknown platform"), "{err}");
    assert!(!out.exists());
}

// A scenario with every result type: the report adds the simulation and the capacity run.

const FULL: &str = "tests/fixtures/good/report_full.toml";

fn report_of_full(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let o = gigawatt_here().args(["report", FULL, "--no-record", "--out"]).arg(&out).args(extra).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, out)
}

#[test]
fn report_of_a_scenario_with_a_simulation_and_workloads_shows_all_three_results() {
    let (_dir, out) = report_of_full(&[]);
    let files = files_under(&out);
    for f in [
        "plan.json",
        "timeline.csv",
        "simulate.json",
        "daily.csv",
        "capacity.json",
        "capacity_timeline.csv",
        "charts/failures-per-day.svg",
        "charts/gpus-down.svg",
        "charts/ettr-interval.svg",
        "charts/capacity-demand.svg",
        "charts/demand-by-tier.svg",
        "charts/fleet-split.svg",
        "power.json",
        "charts/power-day.svg",
        "charts/power-ramps.svg",
        "charts/power-spectrum.svg",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for banned in ["<script", "<link", "<img", "@import", "url(", "<iframe"] {
        assert!(!html.contains(banned), "index.html contains {banned}");
    }
    let charts = files.iter().filter(|f| f.ends_with(".svg")).count();
    assert_eq!(html.matches("<svg ").count(), charts, "every chart inline");
    assert!(html.contains("id=\"simulation\"") && html.contains("id=\"capacity\"") && html.contains("id=\"power\""));
    // The power run is what `gigawatt power` prints by default (the first 7 days at 1 s).
    let pw = stdout_of(gigawatt_here().args(["power", FULL, "--format", "json", "--no-record"]));
    assert_eq!(std::fs::read_to_string(out.join("power.json")).unwrap(), pw);
    // The simulation's and the workloads' assumptions are listed with the plan's.
    assert!(html.contains("70B run: share of the fleet"), "a workload assumption is listed");
    // The data files are what the commands print: simulate with its interval sweep, capacity with
    // the simulated ETTR of the same seed and replicas.
    let sim =
        stdout_of(gigawatt_here().args(["simulate", FULL, "--sweep-interval", "--format", "json", "--no-record"]));
    assert_eq!(std::fs::read_to_string(out.join("simulate.json")).unwrap(), sim);
    let cap = stdout_of(gigawatt_here().args(["capacity", FULL, "--format", "json", "--no-record"]));
    assert_eq!(std::fs::read_to_string(out.join("capacity.json")).unwrap(), cap);
    let c: serde_json::Value = serde_json::from_str(&cap).unwrap();
    assert_eq!(c["training"][0]["ettr"]["method"], "simulated");
    insta::assert_snapshot!("report_full_html_outline", html_outline(&html));
}

#[test]
fn report_charts_of_the_simulation_and_the_capacity_run() {
    let (_dir, out) = report_of_full(&[]);
    for chart in [
        "failures-per-day",
        "gpus-down",
        "ettr-interval",
        "capacity-demand",
        "demand-by-tier",
        "fleet-split",
        "power-day",
        "power-ramps",
        "power-spectrum",
    ] {
        let svg = std::fs::read_to_string(out.join(format!("charts/{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        insta::assert_snapshot!(format!("report_full_chart_{chart}"), svg);
    }
}

#[test]
fn report_leaves_out_what_it_is_told_to() {
    let (_dir, out) = report_of_full(&["--no-simulate", "--no-capacity"]);
    let files = files_under(&out);
    assert!(
        !files.iter().any(|f| f.contains("simulate")
            || f.contains("capacity")
            || f.contains("gpus-down")
            || f.contains("power")),
        "{files:?}"
    );
    let (_dir, out) = report_of_full(&["--no-power"]);
    let files = files_under(&out);
    assert!(files.contains(&"simulate.json".to_string()) && !files.iter().any(|f| f.contains("power")), "{files:?}");
    let (_dir, out) = report_of_full(&["--no-simulate"]);
    let cap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("capacity.json")).unwrap()).unwrap();
    assert_eq!(cap["training"][0]["ettr"]["method"], "closed_form", "without the simulation, the closed form");
    // A plan-only scenario gets a plan-only report (the small fixture has no simulation or workloads).
    let (_dir, out) = report_of_small(&[]);
    assert!(!files_under(&out).iter().any(|f| f.contains("simulate") || f.contains("capacity")));
}

#[test]
fn simulate_and_capacity_runs_are_recorded_and_diffed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let with_db = |args: &[&str]| gigawatt_with_db(&db, args);
    let sim = stdout_of(&mut with_db(&["simulate", FULL, "--format", "json"]));
    stdout_of(&mut with_db(&["simulate", FULL, "--seed", "12"]));
    let cap = stdout_of(&mut with_db(&["capacity", FULL, "--format", "json"]));
    let list: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut with_db(&["runs", "--format", "json"]))).unwrap();
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["capacity", "simulate", "simulate"], "newest first");
    let id = |k: usize| list[k]["id"].as_i64().unwrap().to_string();
    let shown: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut with_db(&["runs", "show", &id(2), "--format", "json"]))).unwrap();
    assert_eq!(shown["results"], serde_json::from_str::<serde_json::Value>(&sim).unwrap());
    assert_eq!(shown["seed"], 11);
    let keys: Vec<&str> = shown["figures"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert!(keys.contains(&"fleet.failures_per_day.mean") && keys.contains(&"jobs[70B run].ettr.mean"), "{keys:?}");
    let capacity: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut with_db(&["runs", "show", &id(0), "--format", "json"]))).unwrap();
    assert_eq!(capacity["results"], serde_json::from_str::<serde_json::Value>(&cap).unwrap());
    assert!(capacity["figures"].as_array().unwrap().iter().any(|f| f["key"] == "training[70B run].wall_days"));
    // Another seed moves the simulated figures.
    let diff = stdout_of(&mut with_db(&["runs", "diff", &id(2), &id(1)]));
    assert!(diff.contains("seed: 11 → 12") && diff.contains("FIGURES THAT MOVED"), "{diff}");
    assert!(diff.contains("failures per day"), "{diff}");
}

#[test]
fn report_records_every_result_it_computes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    gigawatt_here().arg("--db").arg(&db).args(["report", FULL, "--out"]).arg(dir.path().join("r")).assert().success();
    let list: serde_json::Value =
        serde_json::from_str(&stdout_of(gigawatt_here().arg("--db").arg(&db).args(["runs", "--format", "json"])))
            .unwrap();
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["power", "capacity", "simulate", "plan"]);
}

// ---------------------------------------------------------------------------------------------
// The run history

#[test]
fn plan_runs_are_recorded_and_runs_diff_says_what_moved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite3");
    let with_db = |args: &[&str]| gigawatt_with_db(&db, args);
    let out = with_db(&["plan", "tests/fixtures/good/small.toml", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "recording is silent: {}", String::from_utf8_lossy(&out.stderr));
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout stays pure JSON");
    stdout_of(&mut with_db(&["plan", "tests/fixtures/good/small.toml", "--seed", "8"]));

    let list = stdout_of(&mut with_db(&["runs", "list"]));
    assert!(list.contains("Small test build") && list.contains("2 runs from"), "{list}");
    let listed: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut with_db(&["runs", "--format", "json"]))).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let (a, b) = (listed[1]["id"].as_i64().unwrap(), listed[0]["id"].as_i64().unwrap());
    assert_eq!(listed[1]["seed"], 7);
    assert_eq!(listed[1]["scenario_sha256"].as_str().unwrap().len(), 64);

    let shown: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut with_db(&["runs", "show", &a.to_string(), "--format", "json"]))).unwrap();
    assert_eq!(shown["results"], first, "the recorded results are what plan printed");
    assert_eq!(
        shown["scenario_text"],
        std::fs::read_to_string(crate_dir().join("tests/fixtures/good/small.toml")).unwrap()
    );
    assert_eq!(shown["tool_version"], env!("CARGO_PKG_VERSION"));
    let text = stdout_of(&mut with_db(&["runs", "show", &a.to_string()]));
    assert!(text.contains("HEADLINE FIGURES") && text.contains("GPU packages"), "{text}");

    let diff = stdout_of(&mut with_db(&["runs", "diff", &a.to_string(), &b.to_string()]));
    assert!(diff.contains("seed: 7 → 8"), "{diff}");
    assert!(diff.contains("SCENARIO: same text"), "{diff}");
    // Another seed moves the Monte Carlo ranges, not the central plan.
    assert!(diff.contains("GPU packages, P10") || diff.contains("capex per GW, P10"), "{diff}");
    assert!(!diff.lines().any(|l| l.trim_start().starts_with("GPU packages  ")), "central GPUs unchanged: {diff}");
    let d: serde_json::Value = serde_json::from_str(&stdout_of(&mut with_db(&[
        "runs",
        "diff",
        &a.to_string(),
        &b.to_string(),
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(d["same_scenario"], true);
}

#[test]
fn report_runs_are_recorded_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    gigawatt_here()
        .arg("--db")
        .arg(&db)
        .args(["report", "tests/fixtures/good/small.toml", "--out"])
        .arg(dir.path().join("r"))
        .assert()
        .success();
    let list: serde_json::Value =
        serde_json::from_str(&stdout_of(gigawatt_here().arg("--db").arg(&db).args(["runs", "--format", "json"])))
            .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["kind"], "plan");
}

#[test]
fn no_record_leaves_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite3");
    gigawatt_here()
        .arg("--db")
        .arg(&db)
        .args(["plan", "tests/fixtures/good/small.toml", "--no-record"])
        .assert()
        .success();
    assert!(!db.exists());
    let (code, err) = error_of(gigawatt_here().args(["runs", "list", "--no-record"]));
    assert_eq!(code, 2);
    assert!(err.contains("--no-record"), "{err}");
}

#[test]
fn an_unusable_history_warns_but_the_run_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "a file").unwrap();
    let out = gigawatt_here()
        .env("GIGAWATT_DB", blocker.join("history.sqlite3"))
        .args(["plan", "tests/fixtures/good/small.toml", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stdout is still only JSON");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("warning: this run was not recorded"), "{err}");
}

#[test]
fn runs_show_of_an_unknown_id_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = error_of(gigawatt().arg("--db").arg(dir.path().join("h.sqlite3")).args(["runs", "show", "42"]));
    assert_eq!(code, 2);
    assert!(err.contains("no run 42"), "{err}");
}

#[test]
fn an_error_on_a_very_long_line_is_cut_around_its_column() {
    let dir = tempfile::tempdir().unwrap();
    // A 200,000-character line of nested arrays, and a long line with a misspelt key at its end.
    let deep = format!("name = \"x\"\nseed = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let long = format!(
        "name = \"x\"\n[[phase]]\nonline = \"2026-H2\"\nplatform = \"h100-hgx\"\nsystems = 10\n[costs]\n\
         it_overhead = {{ value = 1.2, source = \"{}\", sorce = \"x\" }}\n",
        "a".repeat(300)
    );
    for (name, text) in [("deep.toml", deep), ("long.toml", long)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, err) = error_of(gigawatt_here().args(["plan", path.to_str().unwrap()]));
        assert_eq!(code, 2, "{err}");
        let widest = err.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest < 220, "{name}: a line of {widest} characters:\n{err}");
        assert!(err.contains('…'), "{name}: the long line is cut:\n{err}");
        // The location in the first line and in the snippet's header is the same line and column.
        let first = err.lines().next().unwrap();
        let at =
            first.trim_start_matches("error: ").split(": ").next().unwrap().rsplit(':').take(2).collect::<Vec<_>>();
        let (col, line) = (at[0], at[1]);
        assert!(err.contains(&format!("{name}:{line}:{col}]")), "{name}: header of {line}:{col}:\n{err}");
    }
}

/// Every file under `dir` with its bytes, by relative path.
fn tree_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir).into_iter().map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap())).collect()
}

#[test]
fn every_command_is_byte_identical_across_runs_and_thread_counts() {
    // The full report fixture has a plan, a simulation and a capacity run.
    for command in ["plan", "simulate", "capacity"] {
        let args = [command, FULL, "--format", "json", "--no-record"];
        let one = stdout_of(gigawatt_here().args(args).env("RAYON_NUM_THREADS", "1"));
        let two = stdout_of(gigawatt_here().args(args).env("RAYON_NUM_THREADS", "2"));
        let again = stdout_of(gigawatt_here().args(args).env("RAYON_NUM_THREADS", "2"));
        assert!(one == two && two == again, "`{command}` differs across runs or thread counts");
    }
    let trees: Vec<_> = ["1", "2", "2"]
        .iter()
        .map(|threads| {
            let out = tempfile::tempdir().unwrap();
            let o = gigawatt_here()
                .args(["report", FULL, "--no-record", "--replicas", "2", "--out"])
                .arg(out.path())
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            tree_of(out.path())
        })
        .collect();
    assert!(trees[0] == trees[1] && trees[1] == trees[2], "the report differs across runs or thread counts");
}

#[test]
fn a_report_killed_mid_write_leaves_no_half_written_file() {
    // Kill the report at increasing delays: whatever is under a final name is complete (the
    // same bytes as an uninterrupted report's), and nothing else but temporary files remains.
    let done = tempfile::tempdir().unwrap();
    let o = gigawatt_here().args(["report", FULL, "--no-record", "--replicas", "2", "--out"]).arg(done.path()).output();
    assert!(o.unwrap().status.success());
    let complete: std::collections::BTreeMap<String, Vec<u8>> = tree_of(done.path()).into_iter().collect();
    let bin = assert_cmd::cargo::cargo_bin!("gigawatt");
    for delay_ms in [5u64, 20, 50, 100, 200, 400] {
        let out = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(bin)
            .current_dir(crate_dir())
            .env("GIGAWATT_DB", test_db())
            .env("HOME", sandbox().join("home"))
            .args(["report", FULL, "--no-record", "--replicas", "2", "--out"])
            .arg(out.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        for (name, bytes) in tree_of(out.path()) {
            let file = name.rsplit('/').next().unwrap();
            if file.starts_with('.') && file.contains(".tmp-") {
                continue; // a temporary, never under a final name
            }
            assert_eq!(Some(&bytes), complete.get(&name), "{name} is half-written after {delay_ms} ms");
        }
    }
}

#[test]
fn serve_refuses_a_time_limit_that_is_not_a_positive_number_of_seconds() {
    for bad in ["0", "-5", "nan", "soon", "1e9"] {
        let (code, err) = error_of(gigawatt().args(["serve", "--port", "0", &format!("--time-limit={bad}")]));
        assert_eq!(code, 2, "--time-limit {bad}: {err}");
        assert!(err.contains("is not a time limit in seconds (a number above 0, at most 86400)"), "{err}");
    }
}

#[test]
fn plan_energy_from_power_replaces_the_flat_electricity_line_and_says_so() {
    let flat: serde_json::Value =
        serde_json::from_str(&stdout_of(gigawatt_here().args(["plan", FULL, "--format", "json", "--no-record"])))
            .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout_of(gigawatt_here().args([
        "plan",
        FULL,
        "--format",
        "json",
        "--energy-from-power",
        "--no-record",
    ])))
    .unwrap();
    let e = &v["energy_from_power"];
    let f = |x: &serde_json::Value| x.as_f64().unwrap();
    assert_eq!(f(&e["plan_usd_per_year"]), f(&flat["totals"]["opex"]["energy_usd_per_year"]), "what it replaced");
    assert_eq!(f(&v["totals"]["opex"]["energy_usd_per_year"]), f(&e["power_usd_per_year"]));
    assert_ne!(f(&e["power_usd_per_year"]), f(&e["plan_usd_per_year"]));
    assert_eq!(
        f(&v["totals"]["opex_usd_per_year"]),
        f(&e["power_usd_per_year"]) + f(&flat["totals"]["opex"]["maintenance_usd_per_year"])
    );
    assert_eq!(v["totals"]["capex_usd"], flat["totals"]["capex_usd"], "nothing but opex moves");
    assert_eq!(e["window_hours"], 168.0);
    let table = stdout_of(gigawatt_here().args(["plan", FULL, "--energy-from-power", "--no-record"]));
    assert!(table.contains("ELECTRICITY FROM THE POWER MODEL (--energy-from-power; opex above uses it)"), "{table}");
    // A scenario without a [[job]] has nothing to run the power model on: a located error, exit 2.
    let (code, err) = error_of(gigawatt_here().args([
        "plan",
        "tests/fixtures/good/small.toml",
        "--energy-from-power",
        "--no-record",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("small.toml: the scenario has no [[job]]"), "{err}");
}

#[test]
fn report_of_workloads_without_an_operate_section_says_how_to_add_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let o = gigawatt_here()
        .args(["report", FULL, "--no-record", "--no-simulate", "--no-power", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no [operate] section") && err.contains("--operate"), "{err}");
    assert!(!out.join("operate.json").exists());
    let (code, err) = error_of(gigawatt_here().args(["report", FULL, "--operate", "--no-operate", "--out"]).arg(&out));
    assert_eq!(code, 2, "{err}");
}
