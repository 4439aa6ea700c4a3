//! `gigawatt capacity`: training runs and inference serving on the plan's fleet, month by month,
//! against demand (see `docs/models/training.md`, `docs/models/inference.md`).
//!
//! A training run whose reliability is `simulated` (the default when the scenario has a `[[job]]`
//! of the same name) takes that job's ETTR from the fleet simulator, run with the scenario's own
//! `[simulation]` settings; `--no-simulate` switches the simulator off and the closed form applies.

use std::path::PathBuf;

use clap::Args;
use gigawatt_core::analysis::InputRecord;
use gigawatt_core::{Catalog, Model};
use gigawatt_report::{capacity as render, json};
use gigawatt_sim::SimOptions;
use gigawatt_workloads::training::{Reliability, TrainingRun};
use gigawatt_workloads::{Ettr, EttrSource, ScenarioEttr};

use crate::cli::Format;
use crate::output::{OutFile, write_all};
use crate::{Failure, load_model};

/// Arguments of `gigawatt capacity`.
#[derive(Args, Debug)]
pub struct CapacityArgs {
    /// The scenario file (TOML; its [[training]], [demand], [inference] and [allocation] sections are
    /// described in docs/scenario.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Output format on stdout (csv: the monthly timeline).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write capacity.json and capacity_timeline.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Do not run the fleet simulator: training runs that ask for a simulated ETTR use the closed
    /// form on the same settings instead.
    #[arg(long)]
    pub no_simulate: bool,
}

/// ETTRs from the fleet simulator for the jobs runs ask for; every other run as the scenario says.
struct SimulatedEttr {
    by_job: Vec<(String, Ettr)>,
    /// The simulation's inputs (failure classes, job settings), which the simulated ETTRs rest on.
    inputs: Vec<InputRecord>,
}

impl SimulatedEttr {
    /// Simulates the scenario (its `[simulation]` settings, central plan) when some run needs it.
    fn new(model: &Model, catalog: &Catalog) -> Result<SimulatedEttr, Failure> {
        let wanted = gigawatt_workloads::jobs_to_simulate(model, catalog)?;
        if wanted.is_empty() {
            return Ok(SimulatedEttr { by_job: Vec::new(), inputs: Vec::new() });
        }
        let eval = gigawatt_core::analysis::central(model);
        let results = gigawatt_sim::simulate(model, &eval, SimOptions::from_model(model))?;
        let by_job = results
            .jobs
            .iter()
            .filter(|j| wanted.contains(&j.name))
            .map(|j| {
                let e = Ettr {
                    ci95: j.ettr.ci95,
                    replicas: Some(results.replicas),
                    ..Ettr::plain(j.ettr.mean, "simulated")
                };
                (j.name.clone(), e)
            })
            .collect();
        Ok(SimulatedEttr { by_job, inputs: results.inputs })
    }

    /// Adds the simulation's inputs to the result, so its assumptions are listed with the rest.
    fn annotate(self, result: &mut gigawatt_workloads::Capacity) {
        for input in self.inputs {
            if result.inputs.iter().any(|i| i.key == input.key) {
                continue;
            }
            if !input.sourced {
                result.assumptions.push(input.clone());
            }
            result.inputs.push(input);
        }
    }
}

impl EttrSource for SimulatedEttr {
    fn ettr(&self, run: &TrainingRun, gpus: f64) -> Ettr {
        if let Reliability::Simulated { job, .. } = &run.reliability
            && let Some((_, e)) = self.by_job.iter().find(|(name, _)| name == job)
        {
            return *e;
        }
        ScenarioEttr.ettr(run, gpus)
    }
}

/// Runs `gigawatt capacity`.
pub fn run(catalog: &Catalog, args: CapacityArgs) -> Result<(), Failure> {
    let model = load_model(catalog, &args.scenario)?;
    let result = if args.no_simulate {
        gigawatt_workloads::capacity(&model, catalog)?
    } else {
        let simulated = SimulatedEttr::new(&model, catalog)?;
        let mut result = gigawatt_workloads::capacity_with(&model, catalog, &simulated)?;
        simulated.annotate(&mut result);
        result
    };
    let as_json = json::to_json(&result);
    let as_csv = render::capacity_csv(&result);
    if let Some(dir) = &args.out {
        write_all(dir, &[OutFile::new("capacity.json", &as_json), OutFile::new("capacity_timeline.csv", &as_csv)])
            .map_err(Failure::Write)?;
        eprintln!("wrote {}, {}", dir.join("capacity.json").display(), dir.join("capacity_timeline.csv").display());
    }
    let text = match args.format {
        Format::Table => render::capacity_summary(&result),
        Format::Json => as_json,
        Format::Csv => as_csv,
    };
    print!("{text}");
    Ok(())
}
