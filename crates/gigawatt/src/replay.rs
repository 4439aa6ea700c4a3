//! `gigawatt replay`: reads a job trace (or generates one from a synthetic spec), builds the
//! cluster from a scenario or a cluster spec, replays the trace under each policy asked for
//! (`gigawatt-sched`) and renders the result side by side.

use std::path::{Path, PathBuf};

use clap::Args;
use gigawatt_core::{Catalog, Figure, InputError};
use gigawatt_report::{json, replay};
use gigawatt_sched::policy::LasParams;
use gigawatt_sched::workload::replay_trace_observed;
use gigawatt_sched::{ReplayRequest, ReplayResult, read_cluster};
use gigawatt_store::History;
use gigawatt_trace::{Format as TraceFormat, ReadOptions, Trace};

use crate::Failure;
use crate::cli::Format;
use crate::output::{OutFile, write_all};
use crate::progress::Progress;

/// Arguments of `gigawatt replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The job trace: a file in one of the formats of docs/traces.md, the directory of the
    /// Alibaba PAI 2020 tables, or a synthetic workload spec (.toml).
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,

    /// The cluster: a scenario (one node group per phase, as its plan builds them) or a cluster
    /// spec with [[group]] tables (docs/models/replay.md).
    #[arg(long, value_name = "SCENARIO|SPEC")]
    pub cluster: PathBuf,

    /// The trace's format (default: detected from its header): tiresias, philly, helios,
    /// pai2020, gpu2023, csv.
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<String>,

    /// Policies, comma-separated, replayed on the same trace and random numbers and shown side by
    /// side: fifo, sjf, srtf, las, tiresias, gittins, priority, easy, NAME+easy.
    #[arg(long, value_name = "P[,P…]", default_value = "fifo", value_delimiter = ',')]
    pub policy: Vec<String>,

    /// Placement: first-fit, best-fit, consolidated-domain, consolidated-rack, consolidated-pod,
    /// frag-aware.
    #[arg(long, value_name = "Q", default_value = "first-fit")]
    pub placement: String,

    /// Let the reliability model's node failures hit the jobs (rates from the scenario, or from
    /// the spec's failures_per_node_day and repair_hours).
    #[arg(long)]
    pub failures: bool,

    /// Run time between a job's checkpoints, seconds: what a failure loses at most.
    #[arg(long, value_name = "S", default_value_t = 1800.0, value_parser = non_negative)]
    pub checkpoint_interval: f64,

    /// Seconds a preempted job spends writing its checkpoint, holding its GPUs.
    #[arg(long, value_name = "S", default_value_t = 0.0, value_parser = non_negative)]
    pub checkpoint_cost: f64,

    /// Seconds a job spends restarting after a preemption or a failure.
    #[arg(long, value_name = "S", default_value_t = 0.0, value_parser = non_negative)]
    pub restart: f64,

    /// Queue thresholds of las (seconds) and tiresias/gittins (GPU-seconds), comma-separated.
    #[arg(long, value_name = "T[,T…]", value_delimiter = ',', value_parser = non_negative)]
    pub queue_thresholds: Option<Vec<f64>>,

    /// Starvation guard: promote a job that has waited this many times its attained run time
    /// (0: off).
    #[arg(long, value_name = "X", value_parser = non_negative)]
    pub starve_factor: Option<f64>,

    /// Seed of the failure draws and of a synthetic workload.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Skip bad rows of the trace, counting them by reason, instead of stopping at the first.
    #[arg(long)]
    pub skip_bad: bool,

    /// A job larger than the cluster is an error, instead of being counted and left out.
    #[arg(long)]
    pub strict: bool,

    /// Pack fractional-GPU jobs (PAI's plan_gpu, the 2023 pods' gpu_milli) onto GPUs shared
    /// with other fractional jobs of one node, instead of rounding each up to a whole GPU.
    #[arg(long)]
    pub share_gpus: bool,

    /// Output on stdout: the summary table, the full result as JSON, or every job as CSV.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write replay.json and jobs.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Refuse the run if its memory estimate exceeds SIZE (e.g. 8G; default: the memory this
    /// machine has available).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
}

fn non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a number of seconds (0 or more)")),
    }
}

/// A trace's format as named (`None`: detect it from the header), and whether the path is a
/// synthetic workload spec rather than a trace: a `.toml` read without a named format.
pub fn trace_kind(path: &Path, format: Option<&str>) -> Result<(Option<TraceFormat>, bool), InputError> {
    let format = match format {
        Some(name) => Some(name.parse::<TraceFormat>().map_err(|e| InputError::new(e.to_string()))?),
        None => None,
    };
    let is_spec = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    Ok((format, is_spec && format.is_none()))
}

/// Reads the trace, or generates it from a synthetic spec.
fn read_trace(args: &ReplayArgs) -> Result<Trace, InputError> {
    let (format, is_spec) = trace_kind(&args.trace, args.trace_format.as_deref())?;
    if is_spec {
        let spec = gigawatt_trace::synthetic::load_synthetic(&args.trace)?;
        return Ok(gigawatt_trace::generate(&spec, args.seed));
    }
    gigawatt_trace::load_trace(&args.trace, &ReadOptions { format, skip_bad: args.skip_bad })
}

fn request(args: &ReplayArgs) -> ReplayRequest {
    let defaults = LasParams::default();
    ReplayRequest {
        policies: args.policy.iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        placement: args.placement.clone(),
        checkpoint_s: args.checkpoint_cost,
        restart_s: args.restart,
        failures: args.failures,
        checkpoint_interval_s: args.checkpoint_interval,
        seed: args.seed,
        strict: args.strict,
        share_gpus: args.share_gpus,
        las: LasParams {
            thresholds: args.queue_thresholds.clone().unwrap_or(defaults.thresholds),
            starve_factor: args.starve_factor.unwrap_or(defaults.starve_factor),
        },
    }
}

/// Runs `gigawatt replay`.
pub fn run(catalog: &Catalog, history: &History, args: ReplayArgs) -> Result<(), Failure> {
    let cluster_file = crate::read_source(&args.cluster, "cluster")?;
    let cluster = read_cluster(&cluster_file, catalog)?;
    let trace = read_trace(&args)?;
    let req = request(&args);
    let estimate =
        gigawatt_sched::workload::ReplayEstimate::of(trace.jobs.len() as u64, &cluster.cluster, req.policies.len());
    crate::limits::check_replay(&estimate, args.max_memory)?;
    let units = estimate.events.max(1.0) as u64;
    let progress =
        Progress::new(units, "replayed events", &crate::limits::describe_work(estimate.events, estimate.memory_bytes));
    let result = replay_trace_observed(&trace, &cluster, &req, &|n| progress.add(n));
    progress.done();
    let result = result?;

    let as_json = json::to_json(&result);
    let as_csv = replay::jobs_csv(&result);
    if let Some(dir) = &args.out {
        let page = replay::replay_page_files(&result);
        let mut files = vec![OutFile::new("replay.json", &as_json), OutFile::new("jobs.csv", &as_csv)];
        files.extend(page.iter().map(|(name, text)| OutFile::new(name, text)));
        write_all(dir, &files).map_err(Failure::Write)?;
        eprintln!("wrote {} (index.html, replay.json, jobs.csv and the charts)", dir.display());
    }
    let text = match args.format {
        Format::Table => replay::replay_summary(&result),
        Format::Json => as_json.clone(),
        Format::Csv => as_csv,
    };
    print!("{text}");
    let name = format!("{} on {}", result.trace.name, result.cluster.name);
    crate::runs::record(history, "replay", &name, &cluster_file, Some(args.seed), &figures(&result), &as_json);
    Ok(())
}

/// The headline figures of a replay, per policy, for the run history.
fn figures(r: &ReplayResult) -> Vec<Figure> {
    let mut out = Vec::new();
    for p in &r.policies.0 {
        let key = |k: &str| format!("policies[{}].{k}", p.policy);
        let label = |l: &str| format!("{}: {l}", p.policy);
        out.push(Figure::new(&key("jct_s.mean"), &label("mean JCT"), "s", p.jct_s.mean));
        out.push(Figure::new(&key("jct_s.p99"), &label("JCT p99"), "s", p.jct_s.p99));
        out.push(Figure::new(&key("queue_delay_s.mean"), &label("mean queueing delay"), "s", p.queue_delay_s.mean));
        out.push(Figure::new(&key("utilisation"), &label("GPU utilisation"), "fraction", p.utilisation));
        out.push(Figure::new(&key("makespan_s"), &label("makespan"), "s", p.makespan_s));
    }
    out
}
