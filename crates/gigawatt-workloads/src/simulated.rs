//! Capacity with the fleet simulator's ETTR: a training run whose reliability is `simulated`
//! takes the mean ETTR of the scenario's `[[job]]` of that name, simulated with the scenario's own
//! `[simulation]` settings on the central plan. Every other run keeps what the scenario says
//! (closed form, given, ignored). `gigawatt capacity`, `gigawatt report` and the dashboard all go
//! through [`capacity_simulated`], so they agree.

use gigawatt_core::analysis::InputRecord;
use gigawatt_core::catalog::Catalog;
use gigawatt_core::error::InputError;
use gigawatt_core::scenario::Model;
use gigawatt_sim::{SimOptions, SimResults};

use crate::capacity::{Capacity, capacity_with, jobs_to_simulate};
use crate::training::{Ettr, EttrSource, Reliability, ScenarioEttr, TrainingRun};

/// ETTRs from the fleet simulator for the jobs training runs ask for.
pub struct SimulatedEttr {
    by_job: Vec<(String, Ettr)>,
    /// The simulation's inputs (failure classes, job settings), which the simulated ETTRs rest on.
    inputs: Vec<InputRecord>,
}

impl SimulatedEttr {
    /// Simulates the scenario (its `[simulation]` settings, central plan) when some run needs it;
    /// simulates nothing when none does.
    pub fn new(model: &Model, catalog: &Catalog) -> Result<SimulatedEttr, InputError> {
        let wanted = jobs_to_simulate(model, catalog)?;
        if wanted.is_empty() {
            return Ok(SimulatedEttr { by_job: Vec::new(), inputs: Vec::new() });
        }
        let eval = gigawatt_core::analysis::central(model);
        let results = gigawatt_sim::simulate(model, &eval, SimOptions::from_model(model))?;
        Ok(SimulatedEttr::from_results(&wanted, &results))
    }

    /// The ETTRs of the `wanted` jobs from a simulation already run on this scenario.
    pub fn from_results(wanted: &[String], results: &SimResults) -> SimulatedEttr {
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
        let inputs = if wanted.is_empty() { Vec::new() } else { results.inputs.clone() };
        SimulatedEttr { by_job, inputs }
    }

    /// Adds the simulation's inputs to the result, so its assumptions are listed with the rest.
    pub fn annotate(self, result: &mut Capacity) {
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

/// Capacity of a scenario, with the simulated ETTR for runs that ask for it (`simulate = true`)
/// or the closed form on the same settings for every run (`simulate = false`, as
/// `gigawatt capacity --no-simulate`).
pub fn capacity_simulated(model: &Model, catalog: &Catalog, simulate: bool) -> Result<Capacity, InputError> {
    if !simulate {
        return crate::capacity::capacity(model, catalog);
    }
    let simulated = SimulatedEttr::new(model, catalog)?;
    let mut result = capacity_with(model, catalog, &simulated)?;
    simulated.annotate(&mut result);
    Ok(result)
}

/// Capacity of a scenario with the simulated ETTR taken from `simulation`, a simulation of this
/// scenario already run (by `gigawatt report`, with its seed and replicas), instead of simulating
/// again.
pub fn capacity_with_simulation(
    model: &Model,
    catalog: &Catalog,
    simulation: &SimResults,
) -> Result<Capacity, InputError> {
    let wanted = jobs_to_simulate(model, catalog)?;
    let simulated = SimulatedEttr::from_results(&wanted, simulation);
    let mut result = capacity_with(model, catalog, &simulated)?;
    simulated.annotate(&mut result);
    Ok(result)
}
