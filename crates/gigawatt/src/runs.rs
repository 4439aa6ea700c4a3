//! `gigawatt runs`: the run history as text — the list, one run, the difference of two — and the
//! recording every command does after it has produced its result.

use std::fmt::Write;

use gigawatt_core::{Figure, Model, Plan, SourceFile};
use gigawatt_report::fmt::{count, percent, sig3, with_unit};
use gigawatt_sim::SimResults;
use gigawatt_store::{FigureChange, History, NewRun, Run, RunDiff, RunSummary};
use gigawatt_workloads::Capacity;

/// Records a run of any command in the history: `kind` (`plan`, `simulate`, `capacity`), the
/// scenario file as read, the seed, the result's headline figures and its full JSON. This is the
/// one function every command calls once its result is out. It never fails the command: a history
/// that cannot be opened or written costs a warning on stderr, and stdout is untouched.
pub fn record(
    history: &History,
    kind: &str,
    scenario_name: &str,
    scenario: &SourceFile,
    seed: Option<u64>,
    figures: &[Figure],
    results_json: &str,
) {
    let run = NewRun {
        kind,
        source: "cli",
        scenario_name,
        scenario_file: &scenario.name,
        scenario_text: &scenario.text,
        seed,
        tool_version: env!("CARGO_PKG_VERSION"),
        figures,
        results_json,
    };
    if let Err(e) = history.record(&run) {
        eprintln!("warning: this run was not recorded in the history: {e}");
        eprintln!("  (the result is complete; pass --no-record to skip recording, or --db PATH to choose the file)");
    }
}

/// Records a plan run (see [`record`]).
pub fn record_plan(history: &History, model: &Model, plan: &Plan, results_json: &str) {
    record(history, "plan", &plan.scenario.name, &model.source, Some(plan.seed), &plan.figures(), results_json);
}

/// Records a simulation run (see [`record`]).
pub fn record_simulation(history: &History, model: &Model, sim: &SimResults, results_json: &str) {
    record(history, "simulate", &sim.scenario.name, &model.source, Some(sim.seed), &sim.figures(), results_json);
}

/// Records an operated run (see [`record`]).
pub fn record_operate(history: &History, model: &Model, op: &gigawatt_operate::Operation, results_json: &str) {
    record(history, "operate", &op.scenario.name, &model.source, Some(op.seed), &op.figures(), results_json);
}

/// Records a capacity run (see [`record`]) with the seed of the simulation behind its simulated
/// ETTRs (the scenario's, unless `gigawatt report --seed` changed it).
pub fn record_capacity(history: &History, model: &Model, capacity: &Capacity, seed: u64, results_json: &str) {
    record(history, "capacity", &model.name, &model.source, Some(seed), &capacity.figures(), results_json);
}

/// Records a completed sweep (an unsharded `gigawatt sweep`, or `gigawatt merge`) as a run of
/// kind `sweep`: its scenario text is the sweep file (kept in the merged files' metadata), its
/// seed the sweep's, its figures the points, replicas and rows and each metric's P10, P50 and P90
/// over every row, and its results JSON the sweep's hash, command, output directory and the same
/// metric summary. `file_name` is the sweep file as named on the command line, else the
/// directory merged.
pub fn record_sweep(history: &History, file_name: &str, dir: &std::path::Path, merged: &gigawatt_sweep::Merged) {
    let (figures, json) = sweep_summary(dir, merged);
    let meta = |key: &str| merged.points.meta(key).unwrap_or_default().to_string();
    let source = SourceFile::new(file_name, meta("gigawatt.sweep.file"));
    let seed = meta("gigawatt.sweep.seed").parse().ok();
    record(history, "sweep", &meta("gigawatt.sweep.name"), &source, seed, &figures, &json);
}

/// A merged sweep's headline figures and its results JSON (see [`record_sweep`]).
pub fn sweep_summary(dir: &std::path::Path, merged: &gigawatt_sweep::Merged) -> (Vec<Figure>, String) {
    use gigawatt_sweep::table::Values;
    let t = &merged.points;
    let meta = |key: &str| t.meta(key).unwrap_or_default().to_string();
    let number = |key: &str| meta(key).parse::<f64>().unwrap_or(0.0);
    let metrics: Vec<String> = serde_json::from_str(&meta("gigawatt.sweep.metrics")).unwrap_or_default();
    let mut figures = vec![
        Figure::new("points", "points", "count", number("gigawatt.sweep.points")),
        Figure::new("replicas", "replicas per point", "count", number("gigawatt.sweep.replicas")),
        Figure::new("rows", "rows (points × replicas)", "count", t.rows() as f64),
    ];
    let mut summary = serde_json::Map::new();
    for name in &metrics {
        let Some(Values::F64(values)) = t.column(name) else { continue };
        let mut xs: Vec<f64> = values.iter().flatten().copied().collect();
        xs.sort_by(f64::total_cmp);
        let q = |p: f64| gigawatt_sweep::run::quantile(&xs, p);
        let stats = [("p10", q(0.1)), ("p50", q(0.5)), ("p90", q(0.9))];
        let mut entry = serde_json::Map::new();
        entry.insert("rows".into(), xs.len().into());
        for (suffix, v) in stats {
            entry.insert(suffix.into(), v.map_or(serde_json::Value::Null, serde_json::Value::from));
            if let Some(v) = v {
                let label = format!("{name}, {} over all rows", suffix.to_uppercase());
                figures.push(Figure::new(&format!("metrics.{name}.{suffix}"), &label, "ratio", v));
            }
        }
        summary.insert(name.clone(), entry.into());
    }
    let json = serde_json::json!({
        "sweep": meta("gigawatt.sweep.name"),
        "hash": meta("gigawatt.sweep.hash"),
        "command": meta("gigawatt.sweep.command"),
        "design": meta("gigawatt.sweep.design"),
        "seed": meta("gigawatt.sweep.seed").parse::<u64>().ok(),
        "points": number("gigawatt.sweep.points") as u64,
        "replicas": number("gigawatt.sweep.replicas") as u64,
        "rows": t.rows(),
        "out": dir.display().to_string(),
        "files": merged.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "metrics": summary,
    });
    (figures, serde_json::to_string_pretty(&json).unwrap_or_default() + "\n")
}

/// A figure's value in its unit.
pub fn figure_value(unit: &str, v: f64) -> String {
    match unit {
        "fraction" => percent(v),
        "kW" => format!("{v:.3} kW"),
        "GPU-h" | "tokens/s" => format!("{} {unit}", count(v)),
        "FLOP" => format!("{v:.3e} FLOP"),
        "count" if v.fract() != 0.0 => sig3(v),
        _ => with_unit(v, unit),
    }
}

fn signed(unit: &str, v: f64) -> String {
    let text = figure_value(unit, v.abs());
    if v > 0.0 {
        format!("+{text}")
    } else if v < 0.0 {
        format!("−{text}")
    } else {
        text
    }
}

fn short_sha(s: &str) -> &str {
    &s[..s.len().min(12)]
}

fn when(created_at: &str) -> String {
    created_at.replace('T', " ").trim_end_matches('Z').to_string()
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width { s.to_string() } else { format!("{s}{}", " ".repeat(width - n)) }
}

fn pad_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width { s.to_string() } else { format!("{}{s}", " ".repeat(width - n)) }
}

/// Aligned columns; the first `left` columns left-aligned, the rest right-aligned.
fn columns(rows: &[Vec<String>], left: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| if c < left { pad(s, widths[c]) } else { pad_left(s, widths[c]) })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
    out
}

/// The run list.
pub fn list_text(runs: &[RunSummary], db: &str) -> String {
    if runs.is_empty() {
        return format!("no runs recorded yet in {db}\n");
    }
    let mut rows = vec![
        ["id", "recorded (UTC)", "kind", "from", "scenario", "file", "seed", "scenario sha256"]
            .map(String::from)
            .to_vec(),
    ];
    for r in runs {
        rows.push(vec![
            r.id.to_string(),
            when(&r.created_at),
            r.kind.clone(),
            r.source.clone(),
            r.scenario_name.clone(),
            r.scenario_file.clone(),
            r.seed.map_or_else(|| "–".into(), |s| s.to_string()),
            short_sha(&r.scenario_sha256).to_string(),
        ]);
    }
    let mut out = columns(&rows, 8);
    let _ = writeln!(
        out,
        "\n  {} run{} from {db}; `gigawatt runs show ID`, `gigawatt runs diff A B`",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
    );
    out
}

fn summary_line(r: &RunSummary) -> String {
    format!("run {} · {} · from {} · {} UTC · gigawatt {}", r.id, r.kind, r.source, when(&r.created_at), r.tool_version)
}

/// One run.
pub fn show_text(run: &Run) -> String {
    let r = &run.summary;
    let mut out = String::new();
    let _ = writeln!(out, "{}", summary_line(r));
    let _ = writeln!(
        out,
        "scenario {} ({}) · sha256 {} · seed {}",
        r.scenario_name,
        r.scenario_file,
        r.scenario_sha256,
        r.seed.map_or_else(|| "–".into(), |s| s.to_string())
    );
    let _ = writeln!(out, "\nHEADLINE FIGURES");
    let rows: Vec<Vec<String>> =
        run.figures.iter().map(|f: &Figure| vec![f.label.clone(), figure_value(&f.unit, f.value)]).collect();
    out.push_str(&columns(&rows, 1));
    let _ = writeln!(out, "\nSCENARIO");
    for line in run.scenario_text.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "\n`gigawatt runs show {} --format json` prints the full results.", r.id);
    out
}

fn change_text(f: &FigureChange) -> String {
    match (f.delta(), f.relative()) {
        (Some(d), Some(rel)) => {
            format!("{} ({}{:.1}%)", signed(&f.unit, d), if rel >= 0.0 { "+" } else { "−" }, rel.abs() * 100.0)
        }
        (Some(d), None) => signed(&f.unit, d),
        (None, _) if f.a.is_none() => "new".into(),
        (None, _) => "gone".into(),
    }
}

/// The difference of two runs.
pub fn diff_text(d: &RunDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "A: {}\n   {} ({})", summary_line(&d.a), d.a.scenario_name, d.a.scenario_file);
    let _ = writeln!(out, "B: {}\n   {} ({})", summary_line(&d.b), d.b.scenario_name, d.b.scenario_file);
    if d.a.kind != d.b.kind {
        let _ = writeln!(
            out,
            "note: A is a {} run and B a {} run: they share no headline figures; compare runs of one kind",
            d.a.kind, d.b.kind
        );
    }
    if d.a.seed != d.b.seed {
        let seed = |s: Option<u64>| s.map_or_else(|| "–".into(), |s| s.to_string());
        let _ = writeln!(out, "seed: {} → {}", seed(d.a.seed), seed(d.b.seed));
    }
    if d.same_scenario {
        let _ = writeln!(out, "\nSCENARIO: same text (sha256 {})", short_sha(&d.a.scenario_sha256));
    } else {
        let _ = writeln!(
            out,
            "\nSCENARIO: {} line{} differ",
            d.scenario_changes.len(),
            if d.scenario_changes.len() == 1 { "" } else { "s" }
        );
        for c in &d.scenario_changes {
            let _ = writeln!(out, "  {} {:>4}: {}", c.sign, c.line, c.text);
        }
    }
    let moved: Vec<&FigureChange> = d.moved().collect();
    let unchanged = d.figures.len() - moved.len();
    if moved.is_empty() {
        let _ = writeln!(out, "\nFIGURES: none moved ({unchanged} compared)");
        return out;
    }
    let _ = writeln!(out, "\nFIGURES THAT MOVED (B − A)");
    let mut rows =
        vec![vec!["figure".to_string(), format!("run {}", d.a.id), format!("run {}", d.b.id), "change".into()]];
    for f in &moved {
        let v = |x: Option<f64>| x.map_or_else(|| "–".into(), |x| figure_value(&f.unit, x));
        rows.push(vec![f.label.clone(), v(f.a), v(f.b), change_text(f)]);
    }
    out.push_str(&columns(&rows, 1));
    if unchanged > 0 {
        let _ = writeln!(out, "  {unchanged} other figure{} unchanged", if unchanged == 1 { "" } else { "s" });
    }
    out
}
