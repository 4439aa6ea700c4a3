//! `gigawatt sweep` and `gigawatt merge`: grids and Monte Carlo over any scenario input, run here
//! on all cores, as one shard of several, or as a Slurm job array (`gigawatt-sweep`,
//! `docs/sweep.md`).
//!
//! The work is estimated before anything runs: the memory of the prepared fleets and of the rows
//! is checked against `--max-memory`, else the memory available, as `simulate` does. A shard
//! (`--shard I/N`, or the task's share inside a Slurm array) writes `DIR/shards/`; the whole
//! sweep (no shard) also merges them into `DIR/points.parquet` and `DIR/summary.parquet`.

use std::path::{Path, PathBuf};

use clap::Args;
use gigawatt_core::InputError;
use gigawatt_report::chart::Chart;
use gigawatt_report::chart::sweep::{self as sweep_chart, AxisSlice, AxisSwing, BandPoint, OneAtATime};
use gigawatt_report::sweep::{MetricRange, SweepSummary};
use gigawatt_sweep::spec::Base;
use gigawatt_sweep::table::{Table, Values};
use gigawatt_sweep::{BaseFiles, Prepared, ReplayFiles, Shard, SweepError, SweepFile, TraceInput};

use crate::Failure;
use crate::progress::Progress;

/// Arguments of `gigawatt sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The sweep file (TOML; see docs/sweep.md).
    #[arg(value_name = "SWEEP")]
    pub sweep: PathBuf,

    /// The output directory: shards/, points.parquet, summary.parquet, manifest.json (created if
    /// missing; the points it already holds are skipped).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Run only shard I of N (points i with i mod N = I), e.g. 0/4. Inside a Slurm array task the
    /// share comes from SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,

    /// Write the Slurm array script (DIR/sweep.sbatch) and the merge script (DIR/merge.sbatch)
    /// instead of running.
    #[arg(long)]
    pub slurm: bool,

    /// With --slurm: also submit them (sbatch), the merge to run once every task has succeeded.
    #[arg(long, requires = "slurm")]
    pub submit: bool,

    /// With --slurm: array tasks (shards), at most the number of points (default: up to 16).
    #[arg(long, value_name = "N", requires = "slurm", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub tasks: Option<u64>,

    /// With --slurm: CPUs per task, the threads each shard runs on (default 1).
    #[arg(long, value_name = "N", requires = "slurm", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub cpus_per_task: Option<u32>,

    /// With --slurm: extra `#SBATCH` options, e.g. --sbatch=--partition=cpu --sbatch=--time=1:00:00.
    #[arg(long = "sbatch", value_name = "OPTION", requires = "slurm", allow_hyphen_values = true)]
    pub sbatch: Vec<String>,

    /// Also write points.csv and summary.csv beside the Parquet files.
    #[arg(long)]
    pub csv: bool,

    /// Also write the charts (DIR/charts/) as PNG, rendered from the same SVG with the bundled font.
    #[arg(long)]
    pub png: bool,

    /// Refuse the sweep if its memory estimate exceeds SIZE (e.g. 8G, 512M; default: the memory
    /// this machine has available).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
}

/// Arguments of `gigawatt merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The sweep's output directory (its shards/ holds the shard files).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Also write points.csv and summary.csv.
    #[arg(long)]
    pub csv: bool,

    /// Also write the charts (DIR/charts/) as PNG.
    #[arg(long)]
    pub png: bool,
}

impl From<SweepError> for Failure {
    fn from(e: SweepError) -> Self {
        match e {
            SweepError::Input(e) => Failure::Input(e),
            SweepError::Io(e) => Failure::Write(e),
        }
    }
}

/// Reads the sweep file and what it runs on (its base scenario, or a replay's cluster and trace;
/// paths relative to the sweep file) and prepares it.
fn prepare(path: &Path, catalog_paths: &[PathBuf]) -> Result<Prepared, InputError> {
    let file = crate::read_source(path, "sweep file")?;
    let sweep = SweepFile::parse(&file)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let located = |key: &str, e: InputError| {
        let mut located = InputError::at(&file, &gigawatt_core::error::KeyPath::root().key(key), e.message.clone());
        located.help = Some(format!("the {key}'s path is relative to the sweep file's directory"));
        located
    };
    let base = match &sweep.base {
        Base::Scenario(scenario) => BaseFiles::Scenario(
            crate::read_source(&dir.join(scenario), "scenario").map_err(|e| located("scenario", e))?,
        ),
        Base::Replay(r) => {
            let cluster = crate::read_source(&dir.join(&r.cluster), "cluster").map_err(|e| located("cluster", e))?;
            let trace_path = dir.join(&r.trace);
            if !trace_path.exists() {
                return Err(located(
                    "trace",
                    InputError::new(format!("cannot read trace {}: no such file", trace_path.display())),
                ));
            }
            BaseFiles::Replay(ReplayFiles { cluster, trace: read_trace(&trace_path, r)? })
        }
    };
    let catalog = crate::catalog_files(catalog_paths)?;
    Prepared::new(sweep, base, catalog)
}

/// A replay sweep's trace: a synthetic spec (.toml, no `trace_format`) read as a spec, anything
/// else read once as a recorded trace, with a digest of its files.
fn read_trace(path: &Path, r: &gigawatt_sweep::spec::ReplayBase) -> Result<TraceInput, InputError> {
    let (format, is_spec) = crate::replay::trace_kind(path, r.trace_format.as_deref())?;
    if is_spec {
        let file = crate::read_source(path, "synthetic trace spec")?;
        let spec = gigawatt_trace::synthetic::resolve_synthetic(&file, path.parent().unwrap_or(Path::new("")))?;
        return Ok(TraceInput::Synthetic { file, spec });
    }
    let options = gigawatt_trace::ReadOptions { format, skip_bad: r.skip_bad };
    let trace = gigawatt_trace::load_trace(path, &options)?;
    let digest = gigawatt_sweep::replay::file_digest(path)
        .map_err(|e| InputError::new(format!("cannot read trace {}: {e}", path.display())))?;
    Ok(TraceInput::Recorded { trace: std::sync::Arc::new(trace), digest })
}

/// Runs `gigawatt sweep`.
///
/// A completed unsharded sweep is recorded in the run history; a shard is not (its rows are a
/// part of the sweep: the `merge` that completes it records it).
pub fn run(catalog_paths: &[PathBuf], history: &gigawatt_store::History, args: SweepArgs) -> Result<(), Failure> {
    let prepared = prepare(&args.sweep, catalog_paths)?;
    if args.slurm {
        return slurm(&prepared, catalog_paths, &args);
    }
    let shard = match args.shard {
        Some(s) => s,
        None => match Shard::from_slurm(|k| std::env::var(k).ok()) {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                return Err(InputError::new(format!("cannot take this Slurm array task's shard: {e}"))
                    .with_help("run with --shard I/N to choose the share yourself")
                    .into());
            }
            None => Shard::ALL,
        },
    };
    let (todo, total) = gigawatt_sweep::run::pending(&prepared, &args.out, shard)?;
    let threads = rayon::current_num_threads();
    let limit = crate::limits::memory_limit(args.max_memory);
    let estimate = prepared.estimate(todo.len() as u64, threads, limit.map(|(bytes, _)| bytes));
    check_memory(&estimate, limit)?;
    let sweep = &prepared.sweep;
    let share = if shard == Shard::ALL { String::new() } else { format!(" · shard {shard}: {total} of them") };
    let skipped = total - todo.len() as u64;
    let skipped = if skipped > 0 { format!(", {skipped} already in {}", args.out.display()) } else { String::new() };
    let work = if estimate.events > 0.0 {
        crate::limits::describe_work(estimate.events, estimate.memory_bytes)
    } else {
        format!("≈ {:.0} MB", estimate.memory_bytes as f64 / 1e6)
    };
    eprintln!(
        "sweep {}: {} points × {} replicas of `{}`{share}{skipped} · {} runs to do, {work}",
        sweep.name,
        prepared.points,
        sweep.replicas,
        sweep.command.name(),
        estimate.runs
    );
    if sweep.replicas > 1 && prepared.replicas_repeat() {
        eprintln!(
            "note: a recorded trace replayed without failures runs the same at every seed: the {} replicas of each point repeat one another",
            sweep.replicas
        );
    }
    let progress = Progress::new(estimate.runs.max(1), "replica runs", &work);
    let tick = || progress.tick();
    let report = gigawatt_sweep::run_shard(
        &prepared,
        &args.out,
        shard,
        &gigawatt_sweep::Progress { on_start: &|_| {}, tick: &tick },
    );
    progress.done();
    let report = report?;
    if shard.count > 1 {
        eprintln!(
            "shard {shard}: {} points computed, {} skipped in {:.1} s; wrote {}",
            report.computed,
            report.skipped,
            report.wall_s,
            args.out.join("shards").join(format!("{}.parquet", shard.stem())).display()
        );
        eprintln!("when every shard is done: gigawatt merge {}", args.out.display());
        return Ok(());
    }
    let merged = gigawatt_sweep::merge(&args.out, args.csv)?;
    let charts = write_charts(&args.out, &merged.summary, args.png)?;
    let files: Vec<String> = merged.files.iter().map(|f| f.display().to_string()).collect();
    eprintln!("{} rows in {:.1} s; wrote {}{charts}", merged.points.rows(), report.wall_s, files.join(", "));
    // Recorded after the result is out: the history never costs the user their result.
    crate::runs::record_sweep(history, &args.sweep.display().to_string(), &args.out, &merged);
    Ok(())
}

/// Most charts a sweep draws (metrics × axes can be large).
const MAX_CHARTS: usize = 60;

/// A summary column as numbers (`None` for null or text).
fn numbers(t: &Table, name: &str) -> Option<Vec<Option<f64>>> {
    match t.column(name)? {
        Values::F64(v) => Some(v.clone()),
        Values::I64(v) => Some(v.iter().map(|x| x.map(|x| x as f64)).collect()),
        Values::U64(v) => Some(v.iter().map(|&x| Some(x as f64)).collect()),
        Values::Str(_) | Values::Bool(_) => None,
    }
}

/// A summary column as labels (`None` for null or numbers): text as it is, booleans as
/// `true`/`false`.
fn labels(t: &Table, name: &str) -> Option<Vec<Option<String>>> {
    match t.column(name)? {
        Values::Str(v) => Some(v.clone()),
        Values::Bool(v) => Some(v.iter().map(|b| b.map(|b| b.to_string())).collect()),
        Values::F64(_) | Values::I64(_) | Values::U64(_) => None,
    }
}

/// The middle one of the distinct values of `v` (the lower middle of an even count).
fn middle(v: &[Option<f64>]) -> Option<f64> {
    let mut distinct: Vec<f64> = v.iter().flatten().copied().collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    distinct.get(distinct.len().saturating_sub(1) / 2).copied()
}

/// The distinct labels of `v`, in the order they first appear.
fn distinct_labels(v: &[Option<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in v.iter().flatten() {
        if !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

/// The charts of a merged sweep, from its summary: each metric against each numeric axis with
/// its P10 – P90 band (the other numeric axes at their middle value), one line per value of the
/// first text or boolean axis (`policy`; any other held at its first value), and for a
/// one-at-a-time sweep the tornado of each metric.
pub fn sweep_charts(summary: &Table) -> Vec<Chart> {
    let list =
        |key: &str| -> Vec<String> { summary.meta(key).and_then(|v| serde_json::from_str(v).ok()).unwrap_or_default() };
    let (axes, metrics) = (list("gigawatt.sweep.axes"), list("gigawatt.sweep.metrics"));
    let name = summary.meta("gigawatt.sweep.name").unwrap_or("sweep").to_string();
    let replicas = summary.meta("gigawatt.sweep.replicas").and_then(|r| r.parse().ok()).unwrap_or(1);
    let one_at_a_time = summary.meta("gigawatt.sweep.design") == Some("one-at-a-time");
    let columns: Vec<(String, Vec<Option<f64>>)> =
        axes.iter().filter_map(|a| numbers(summary, a).map(|v| (a.clone(), v))).collect();
    let categories: Vec<(String, Vec<Option<String>>)> =
        axes.iter().filter_map(|a| labels(summary, a).map(|v| (a.clone(), v))).collect();
    let rows = summary.rows();
    // Grid: lines by the first category that takes more than one value; the others held at their
    // first value.
    let by = categories.iter().position(|(_, v)| distinct_labels(v).len() > 1).filter(|_| !one_at_a_time);
    let mut held_categories = Vec::new();
    let category_held: Vec<Option<String>> = categories
        .iter()
        .enumerate()
        .map(|(c, (axis, v))| {
            if Some(c) == by || one_at_a_time {
                return None;
            }
            let first = distinct_labels(v).into_iter().next();
            if let Some(f) = &first {
                held_categories.push(format!("{axis} = {f}"));
            }
            first
        })
        .collect();
    let mut charts = Vec::new();
    for metric in &metrics {
        let stat = |suffix: &str| numbers(summary, &format!("{metric}_{suffix}"));
        let (Some(p10), Some(p50), Some(p90)) = (stat("p10"), stat("p50"), stat("p90")) else { continue };
        let mut swings = Vec::new();
        for (a, (axis, xs)) in columns.iter().enumerate() {
            // The rows that move this axis alone (one-at-a-time), or the slice through the middle
            // value of every other axis (grid).
            let mut held = Vec::new();
            let selected: Vec<usize> = if one_at_a_time {
                (0..rows)
                    .filter(|&i| {
                        xs[i].is_some()
                            && columns.iter().enumerate().all(|(b, c)| b == a || c.1[i].is_none())
                            && categories.iter().all(|c| c.1[i].is_none())
                    })
                    .collect()
            } else {
                let middles: Vec<Option<f64>> = columns
                    .iter()
                    .enumerate()
                    .map(|(b, (other, v))| {
                        let mid = if b == a { None } else { middle(v) };
                        if let Some(m) = mid {
                            held.push(format!("{other} = {}", gigawatt_report::fmt::number(m)));
                        }
                        mid
                    })
                    .collect();
                held.extend(held_categories.iter().cloned());
                (0..rows)
                    .filter(|&i| columns.iter().zip(&middles).all(|((_, v), m)| m.is_none() || v[i] == *m))
                    .filter(|&i| categories.iter().zip(&category_held).all(|((_, v), h)| h.is_none() || v[i] == *h))
                    .collect()
            };
            let points_of = |rows: &mut dyn Iterator<Item = usize>| {
                let mut points: Vec<BandPoint> =
                    rows.filter_map(|i| Some((xs[i]?, p10[i]?, p50[i]?, p90[i]?))).collect();
                points.sort_by(|x, y| x.0.total_cmp(&y.0));
                points
            };
            let points = points_of(&mut selected.iter().copied());
            let lines: Vec<(String, Vec<BandPoint>)> = match by {
                Some(c) => {
                    let v = &categories[c].1;
                    distinct_labels(v)
                        .into_iter()
                        .map(|label| {
                            let pts = points_of(
                                &mut selected.iter().copied().filter(|&i| v[i].as_deref() == Some(label.as_str())),
                            );
                            (format!("{} = {label}", categories[c].0), pts)
                        })
                        .filter(|(_, pts)| !pts.is_empty())
                        .collect()
                }
                None => Vec::new(),
            };
            let longest = lines.iter().map(|l| l.1.len()).max().unwrap_or(points.len());
            if longest >= 2 && charts.len() < MAX_CHARTS {
                let slice = AxisSlice {
                    sweep: name.clone(),
                    axis: axis.clone(),
                    metric: metric.clone(),
                    replicas,
                    held: (!held.is_empty()).then(|| held.join(", ")),
                    points: if lines.is_empty() { points.clone() } else { Vec::new() },
                    lines,
                };
                charts.push(sweep_chart::metric_against_axis(&slice));
            }
            if let (Some(lo), Some(hi)) = (points.first(), points.last()) {
                swings.push(AxisSwing { axis: axis.clone(), low: lo.0, high: hi.0, at_low: lo.2, at_high: hi.2 });
            }
        }
        let base = (0..rows).find(|&i| columns.iter().all(|(_, v)| v[i].is_none())).and_then(|i| p50[i]);
        if one_at_a_time
            && let Some(base) = base
            && charts.len() < MAX_CHARTS
            && let Some(chart) =
                sweep_chart::sweep_tornado(&OneAtATime { sweep: name.clone(), metric: metric.clone(), base, swings })
        {
            charts.push(chart);
        }
    }
    charts
}

/// A merged sweep for `gigawatt report --sweep DIR`: `DIR/summary.parquet` read, checked to be a
/// merged sweep's summary, with its charts drawn. A missing directory or file, or a file that is
/// not one, is an input error naming the path.
pub fn report_summary(dir: &Path) -> Result<SweepSummary, InputError> {
    let file = dir.join("summary.parquet");
    let help = "give the --out directory of a finished `gigawatt sweep`, or of `gigawatt merge DIR`";
    if !dir.is_dir() {
        return Err(InputError::new(format!("{}: no such directory", dir.display())).with_help(help));
    }
    if !file.is_file() {
        let why = if dir.join("shards").is_dir() {
            format!("its shards are not merged yet: run `gigawatt merge {}`", dir.display())
        } else {
            help.to_string()
        };
        return Err(InputError::new(format!(
            "{}: no such file, so {} is not a merged sweep",
            file.display(),
            dir.display()
        ))
        .with_help(why));
    }
    let not_summary = |why: String| {
        InputError::new(format!("{}: not a merged sweep's summary: {why}", file.display())).with_help(help)
    };
    let summary = gigawatt_sweep::read_parquet(&file).map_err(not_summary)?;
    if summary.meta("gigawatt.sweep.hash").is_none() || summary.column("replicas").is_none() {
        return Err(not_summary("it has no sweep metadata or no `replicas` column".into()));
    }
    Ok(summary_of(dir, &summary))
}

/// The report's view of a merged sweep's `summary`: what ran, each metric's P50 range, the charts.
fn summary_of(dir: &Path, summary: &Table) -> SweepSummary {
    let list =
        |key: &str| -> Vec<String> { summary.meta(key).and_then(|v| serde_json::from_str(v).ok()).unwrap_or_default() };
    let text = |key: &str| summary.meta(key).unwrap_or("").to_string();
    let metrics = list("gigawatt.sweep.metrics")
        .into_iter()
        .map(|name| {
            let p50: Vec<f64> =
                numbers(summary, &format!("{name}_p50")).unwrap_or_default().into_iter().flatten().collect();
            let lo = p50.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = p50.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            MetricRange { name, p50: (!p50.is_empty()).then_some((lo, hi)) }
        })
        .collect();
    SweepSummary {
        dir: dir.display().to_string(),
        name: text("gigawatt.sweep.name"),
        command: text("gigawatt.sweep.command"),
        design: text("gigawatt.sweep.design"),
        points: summary.rows() as u64,
        replicas: summary.meta("gigawatt.sweep.replicas").and_then(|r| r.parse().ok()).unwrap_or(1),
        axes: list("gigawatt.sweep.axes"),
        metrics,
        charts: sweep_charts(summary),
    }
}

/// Writes the sweep's charts into `DIR/charts/` as SVG (and PNG): `, N charts in DIR/charts/`,
/// or nothing.
fn write_charts(dir: &Path, summary: &Table, png: bool) -> Result<String, Failure> {
    let charts = sweep_charts(summary);
    if charts.is_empty() {
        return Ok(String::new());
    }
    let mut rendered: Vec<(String, Vec<u8>)> = Vec::new();
    for c in &charts {
        let svg = c.to_svg();
        if png {
            let image = gigawatt_report::png::from_svg(&svg, 2.0).map_err(Failure::Write)?;
            rendered.push((format!("charts/{}.png", c.id), image));
        }
        rendered.push((format!("charts/{}.svg", c.id), svg.into_bytes()));
    }
    let files: Vec<crate::output::OutFile<'_>> =
        rendered.iter().map(|(name, bytes)| crate::output::OutFile::new(name, bytes)).collect();
    crate::output::write_all(dir, &files).map_err(Failure::Write)?;
    let plural = if charts.len() == 1 { "" } else { "s" };
    Ok(format!(", {} chart{plural} in {}", charts.len(), dir.join("charts").display()))
}

/// Refuses a sweep whose memory estimate exceeds `limit`.
fn check_memory(estimate: &gigawatt_sweep::Estimate, limit: Option<(u64, &str)>) -> Result<(), InputError> {
    let Some((limit, source)) = limit else { return Ok(()) };
    if estimate.memory_bytes <= limit {
        return Ok(());
    }
    Err(InputError::new(format!(
        "this sweep needs {} {:.1} GB of memory, more than {source} ({:.1} GB): the prepared fleets of a batch of points and the rows of {} runs",
        if estimate.at_least { "at least" } else { "about" },
        estimate.memory_bytes as f64 / 1e9,
        limit as f64 / 1e9,
        estimate.runs
    ))
    .with_help("run it in shards (--shard I/N, or --slurm), with fewer threads (RAYON_NUM_THREADS), or raise the limit with --max-memory SIZE"))
}

/// `text` quoted for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Writes (and with `--submit`, submits) the Slurm array script and the merge script.
fn slurm(prepared: &Prepared, catalog_paths: &[PathBuf], args: &SweepArgs) -> Result<(), Failure> {
    let tasks = args.tasks.unwrap_or(16).min(prepared.points).max(1);
    let cpus = args.cpus_per_task.unwrap_or(1);
    let exe = std::env::current_exe().map_err(|e| Failure::Write(format!("cannot find this program's path: {e}")))?;
    let dir = absolute(&args.out);
    let logs = dir.join("slurm");
    std::fs::create_dir_all(&logs).map_err(|e| Failure::Write(format!("cannot create `{}`: {e}", logs.display())))?;
    let mut global = vec![shell_quote(&exe.display().to_string()), "--no-record".to_string()];
    for c in catalog_paths {
        global.push("--catalog".into());
        global.push(shell_quote(&absolute(c).display().to_string()));
    }
    let job = format!("gigawatt-sweep-{}", prepared.hash.get(..8).unwrap_or("sweep"));
    let extra: String = args.sbatch.iter().map(|o| format!("#SBATCH {o}\n")).collect();
    let csv = format!("{}{}", if args.csv { " --csv" } else { "" }, if args.png { " --png" } else { "" });
    let array = format!(
        "#!/bin/bash\n\
         #SBATCH --job-name={job}\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --output={logs}/%A_%a.out\n\
         {extra}\
         # Written by `gigawatt sweep --slurm` for {name} ({points} points × {replicas} replicas).\n\
         # Each array task runs its share of the points: shard SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN\n\
         # of SLURM_ARRAY_TASK_COUNT, written to {dir}/shards/. A task that is requeued or rerun\n\
         # skips the points already written. Then: gigawatt merge {dir}\n\
         set -euo pipefail\n\
         export RAYON_NUM_THREADS=\"${{SLURM_CPUS_PER_TASK:-1}}\"\n\
         exec {cmd} sweep {sweep} --out {out}\n",
        last = tasks - 1,
        logs = logs.display(),
        name = prepared.sweep.name,
        points = prepared.points,
        replicas = prepared.sweep.replicas,
        dir = dir.display(),
        cmd = global.join(" "),
        sweep = shell_quote(&absolute(&args.sweep).display().to_string()),
        out = shell_quote(&dir.display().to_string()),
    );
    let merge = format!(
        "#!/bin/bash\n\
         #SBATCH --job-name={job}-merge\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --output={logs}/merge-%j.out\n\
         {extra}\
         # Written by `gigawatt sweep --slurm`: merges the shards of {dir} once every task is done.\n\
         set -euo pipefail\n\
         exec {cmd} merge {out}{csv}\n",
        logs = logs.display(),
        dir = dir.display(),
        cmd = global.join(" "),
        out = shell_quote(&dir.display().to_string()),
    );
    let array_path = dir.join("sweep.sbatch");
    let merge_path = dir.join("merge.sbatch");
    crate::output::write_all(
        &dir,
        &[crate::output::OutFile::new("sweep.sbatch", &array), crate::output::OutFile::new("merge.sbatch", &merge)],
    )
    .map_err(Failure::Write)?;
    eprintln!(
        "wrote {} ({tasks} array tasks × {cpus} CPUs over {} points) and {}",
        array_path.display(),
        prepared.points,
        merge_path.display()
    );
    if !args.submit {
        eprintln!(
            "submit with: sbatch {}  then, once it is done: sbatch {}",
            array_path.display(),
            merge_path.display()
        );
        return Ok(());
    }
    let array_id = sbatch(&[array_path.as_os_str().to_owned()])?;
    let merge_id = sbatch(&[format!("--dependency=afterok:{array_id}").into(), merge_path.as_os_str().to_owned()])?;
    println!("{array_id}");
    eprintln!("submitted job array {array_id} ({tasks} tasks) and merge job {merge_id} (after every task succeeds)");
    Ok(())
}

/// Submits with `sbatch --parsable`: the job id.
fn sbatch(args: &[std::ffi::OsString]) -> Result<String, Failure> {
    let out = std::process::Command::new("sbatch").arg("--parsable").args(args).output().map_err(|e| {
        Failure::Write(format!(
            "cannot run sbatch: {e}; is Slurm installed here? The scripts are written: submit them yourself"
        ))
    })?;
    if !out.status.success() {
        return Err(Failure::Write(format!("sbatch failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.trim().split(';').next().unwrap_or_default().to_string())
}

/// Runs `gigawatt merge`, and records the completed sweep in the run history.
pub fn run_merge(history: &gigawatt_store::History, args: MergeArgs) -> Result<(), Failure> {
    let merged = gigawatt_sweep::merge(&args.dir, args.csv)?;
    let charts = write_charts(&args.dir, &merged.summary, args.png)?;
    let points = merged.summary.rows();
    let files: Vec<String> = merged.files.iter().map(|f| f.display().to_string()).collect();
    eprintln!("merged {points} points, {} rows; wrote {}{charts}", merged.points.rows(), files.join(", "));
    crate::runs::record_sweep(history, &args.dir.display().to_string(), &args.dir, &merged);
    Ok(())
}
