//! `gigawatt simulate`: reads a scenario, plans its fleet at central inputs, runs the
//! discrete-event simulation (`gigawatt-sim`) over Monte Carlo replicas and renders the result.
//!
//! Replicas run on rayon's thread pool (`RAYON_NUM_THREADS` sets its size); the output does not
//! depend on it. On a terminal, a run that lasts more than a second shows a progress bar on
//! stderr; nothing is drawn when stderr is not a terminal.

use std::path::PathBuf;

use clap::Args;
use gigawatt_core::Catalog;
use gigawatt_core::plan::evaluate;
use gigawatt_core::simulation::{MAX_DAYS, SparesTarget};
use gigawatt_report::{json, simulation};
use gigawatt_sim::{SimOptions, Simulation};
use gigawatt_store::History;

use crate::cli::Format;
use crate::output::{OutFile, write_all};
use crate::progress::Progress;
use crate::{Failure, load_model};

/// Arguments of `gigawatt simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The scenario file (TOML; its [simulation], [[job]] and [[failure]] sections are described
    /// in docs/scenario.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Seed of the run (default: the scenario's `seed`, else 0). Replica i draws from a stream
    /// derived from (seed, i).
    #[arg(long)]
    pub seed: Option<u64>,

    /// Monte Carlo replicas (default: the scenario's [simulation] replicas, else 100).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicas: Option<u32>,

    /// Simulated days (default: the scenario's [simulation] days, else 365).
    #[arg(long, value_parser = parse_days)]
    pub days: Option<f64>,

    /// Output format on stdout: a summary table, the full result as JSON, or the daily time
    /// series as CSV.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write simulate.json and daily.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Also evaluate each job's ETTR over a grid of checkpoint intervals around the optimum
    /// (¼× to 4×), with the same random numbers at every interval.
    #[arg(long)]
    pub sweep_interval: bool,

    /// Also size each phase's spare pool: the smallest pool of idle nodes at which every job
    /// drawing from the phase (spares = "phase") reaches TARGET, `availability=X` or `ettr=X` (a
    /// bare X is availability), with the curve behind it. Default: the scenario's
    /// [simulation] spares_for.
    #[arg(long, value_name = "TARGET", value_parser = parse_spares_target)]
    pub spares_for: Option<SparesTarget>,

    /// Refuse the run if its memory estimate exceeds SIZE (e.g. 8G, 512M; default: the memory
    /// this machine has available).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
}

fn parse_spares_target(s: &str) -> Result<SparesTarget, String> {
    SparesTarget::parse(s)
}

fn parse_days(s: &str) -> Result<f64, String> {
    let d: f64 = s.parse().map_err(|_| format!("`{s}` is not a number of days"))?;
    if d.is_finite() && d > 0.0 && d <= MAX_DAYS {
        Ok(d)
    } else {
        Err(format!("days must be above 0 and at most {MAX_DAYS}, found {s}"))
    }
}

/// Runs `gigawatt simulate`.
pub fn run(catalog: &Catalog, history: &History, args: SimulateArgs) -> Result<(), Failure> {
    let model = load_model(catalog, &args.scenario)?;
    let mut options = SimOptions { sweep: args.sweep_interval, ..SimOptions::from_model(&model) };
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if let Some(replicas) = args.replicas {
        options.replicas = replicas;
    }
    if let Some(days) = args.days {
        options.days = days;
    }
    let eval = evaluate(&model, &model.params.central());
    let estimate = crate::limits::check_simulation(&model, &eval, options, args.max_memory)?;
    let sim = Simulation::new(&model, &eval, options)?;
    let progress = Progress::new(sim.progress_units(), "simulated replica-days", &crate::limits::describe(&estimate));
    let mut results = sim.run(&model, &|| progress.tick());
    progress.done();
    if let Some(target) = args.spares_for.or(model.simulation.spares_for) {
        results.spares_sizing = Some(gigawatt_sim::spares::size_spares(&sim, &model, target));
    }
    for w in results.jobs.iter().flat_map(|j| &j.warnings) {
        eprintln!("warning: {w}");
    }

    let as_json = json::to_json(&results);
    let as_csv = simulation::daily_csv(&results);
    if let Some(dir) = &args.out {
        let mut files = vec![OutFile::new("simulate.json", &as_json), OutFile::new("daily.csv", &as_csv)];
        let chart = gigawatt_report::chart::simulation::spares_curve(&results).map(|c| c.to_svg());
        if let Some(svg) = &chart {
            files.push(OutFile::new("spares.svg", svg));
        }
        write_all(dir, &files).map_err(Failure::Write)?;
        let names: Vec<String> = ["simulate.json", "daily.csv", "spares.svg"][..files.len()]
            .iter()
            .map(|f| dir.join(f).display().to_string())
            .collect();
        eprintln!("wrote {}", names.join(", "));
    }
    let text = match args.format {
        Format::Table => simulation::simulation_summary(&results),
        Format::Json => as_json.clone(),
        Format::Csv => as_csv,
    };
    print!("{text}");
    crate::runs::record_simulation(history, &model, &results, &as_json);
    Ok(())
}
