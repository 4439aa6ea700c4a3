//! `gigawatt operate`: the build-out operated day by day on the scheduler core — frontier runs,
//! RL, research and inference sharing the growing fleet, with node failures and repairs (see
//! `docs/models/operate.md`).

use std::path::PathBuf;

use clap::Args;
use gigawatt_core::Catalog;
use gigawatt_core::date::Date;
use gigawatt_operate::{OperateEstimate, OperateRequest};
use gigawatt_report::{json, operate as render};
use gigawatt_store::History;

use crate::cli::Format;
use crate::output::{OutFile, write_all};
use crate::progress::Progress;
use crate::{Failure, load_model};

/// Arguments of `gigawatt operate`.
#[derive(Args, Debug)]
pub struct OperateArgs {
    /// The scenario file (TOML; its [operate] section is described in docs/scenario.md, the model
    /// in docs/models/operate.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Seed of the research stream and the failures (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,

    /// First day operated, YYYY-MM-DD (default: [operate] from, else the first phase's ramp start).
    #[arg(long, value_name = "DATE")]
    pub from: Option<Date>,

    /// Last day operated, YYYY-MM-DD (default: [operate] to, else a year past the later of the
    /// last phase online and the last training start).
    #[arg(long, value_name = "DATE")]
    pub to: Option<Date>,

    /// Runs with different seeds (research stream and failures), 1 to 1,000: the output is
    /// replica 0's (on the seed) with the P10 – P90 of each headline figure over all of them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replicas: u32,

    /// Output format on stdout (csv: the months).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write operate.json and operate_months.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Refuse the run if its memory estimate exceeds SIZE (e.g. 8G, 512M; default: the memory
    /// this machine has available).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
}

/// Runs `gigawatt operate`.
pub fn run(catalog: &Catalog, history: &History, args: OperateArgs) -> Result<(), Failure> {
    let model = load_model(catalog, &args.scenario)?;
    // Replicas run side by side, one per thread: each may use its share of the memory.
    let side_by_side = (args.replicas as usize).min(rayon::current_num_threads()).max(1) as u64;
    let memory_limit = crate::limits::operate_memory_limit(args.max_memory, side_by_side);
    let req = OperateRequest { seed: args.seed, from: args.from, to: args.to, memory_limit };
    let prepared = gigawatt_operate::prepare(&model, catalog, &req)?;
    let estimate = OperateEstimate::of(&prepared);
    let at_once = OperateEstimate { memory_bytes: estimate.memory_bytes * side_by_side, ..estimate };
    crate::limits::check_operate(&at_once, args.max_memory)?;
    let mut result = if args.replicas > 1 {
        run_replicas(catalog, &model, &req, prepared, args.replicas)?
    } else {
        run_with_progress(&model, &prepared)?
    };
    if args.replicas == 1 {
        result.replicas = None;
    }
    let as_json = json::to_json(&result);
    let as_csv = render::operate_csv(&result);
    if let Some(dir) = &args.out {
        write_all(dir, &[OutFile::new("operate.json", &as_json), OutFile::new("operate_months.csv", &as_csv)])
            .map_err(Failure::Write)?;
        eprintln!("wrote {}, {}", dir.join("operate.json").display(), dir.join("operate_months.csv").display());
    }
    let text = match args.format {
        Format::Table => render::operate_summary(&result),
        Format::Json => as_json.clone(),
        Format::Csv => as_csv,
    };
    print!("{text}");
    crate::runs::record_operate(history, &model, &result, &as_json);
    Ok(())
}

/// Runs a prepared operation with a progress bar on stderr.
fn run_with_progress(
    model: &gigawatt_core::Model,
    prepared: &gigawatt_operate::Prepared,
) -> Result<gigawatt_operate::Operation, Failure> {
    let estimate = OperateEstimate::of(prepared);
    let progress = Progress::new(
        estimate.events.max(1.0) as u64,
        "scheduler events",
        &crate::limits::describe_work(estimate.events, estimate.memory_bytes),
    );
    let result = gigawatt_operate::run_prepared(model, prepared, &|n| progress.add(n))?;
    progress.done();
    Ok(result)
}

/// Replica 0 (`prepared`, on the run's seed) and `replicas - 1` more with seeds derived from it,
/// in parallel; replica 0's result with the spread of every figure over all of them.
fn run_replicas(
    catalog: &Catalog,
    model: &gigawatt_core::Model,
    req: &OperateRequest,
    prepared: gigawatt_operate::Prepared,
    replicas: u32,
) -> Result<gigawatt_operate::Operation, Failure> {
    use rayon::prelude::*;
    let seed = prepared.seed;
    let estimate = OperateEstimate::of(&prepared);
    let progress = Progress::new(
        (estimate.events.max(1.0) * f64::from(replicas)) as u64,
        "scheduler events",
        &format!(
            "{} replicas, each {}",
            replicas,
            crate::limits::describe_work(estimate.events, estimate.memory_bytes)
        ),
    );
    let first = std::sync::Mutex::new(Some(prepared));
    let runs: Vec<Result<gigawatt_operate::Operation, Failure>> = (0..replicas)
        .into_par_iter()
        .map(|k| {
            let p = match first.lock().expect("not poisoned").take().filter(|_| k == 0) {
                Some(p) => p,
                None => gigawatt_operate::prepare(
                    model,
                    catalog,
                    &OperateRequest { seed: Some(gigawatt_operate::replica_seed(seed, k)), ..req.clone() },
                )?,
            };
            Ok(gigawatt_operate::run_prepared(model, &p, &|n| progress.add(n))?)
        })
        .collect();
    progress.done();
    let runs: Vec<gigawatt_operate::Operation> = runs.into_iter().collect::<Result<_, _>>()?;
    let figures: Vec<(u64, Vec<gigawatt_core::Figure>)> = runs.iter().map(|r| (r.seed, r.figures())).collect();
    let mut first = runs.into_iter().next().expect("at least one replica");
    first.replicas = Some(gigawatt_operate::ReplicaSummary::of(&figures));
    Ok(first)
}

/// The operated build-out of `model` for `gigawatt report`: the scenario's period, `seed` if
/// given, checked against the memory limit before its streams are drawn and again after.
pub fn operate_for_report(
    catalog: &Catalog,
    model: &gigawatt_core::Model,
    seed: Option<u64>,
    max_memory: Option<u64>,
) -> Result<gigawatt_operate::Operation, Failure> {
    let memory_limit = crate::limits::operate_memory_limit(max_memory, 1);
    let req = OperateRequest { seed, memory_limit, ..OperateRequest::default() };
    let prepared = gigawatt_operate::prepare(model, catalog, &req)?;
    crate::limits::check_operate(&OperateEstimate::of(&prepared), max_memory)?;
    run_with_progress(model, &prepared)
}
