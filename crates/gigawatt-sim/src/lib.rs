//! # gigawatt-sim
//!
//! A discrete-event model of a planned GPU fleet: failures, repairs, spares, and training jobs
//! that checkpoint, fail, wait and restart. It answers whether a 100,000-GPU job makes progress on
//! a fleet where something fails every minute, and reproduces the 54 days of Llama 3 405B
//! pre-training it is calibrated on (see `docs/models/reliability.md`).
//!
//! ```text
//! Model + plan ─▶ Fleet (phases → racks → nodes → GPUs, failure process)
//!                 JobModel per [[job]] (interval, write, restart, spares)
//!      seed ─────▶ replicas in parallel (rayon), each with its own RNG stream ─▶ SimResults
//! ```
//!
//! * [`time`]: simulated time as whole microseconds (cannot be NaN, totally ordered);
//! * [`queue`]: the time-ordered queue of small `Copy` events;
//! * [`fleet`]: the inventory built from the plan, and the compiled failure process;
//! * [`job`]: job settings and the checkpoint arithmetic, the closed form and Young's interval;
//! * [`engine`]: one replica — superposed Poisson failures drawn in O(1), repairs, spares, jobs;
//! * [`stats`] and [`results`]: summaries over replicas, the serialisable result.
//!
//! Replica `i` of a run seeded with `s` draws from its own stream seeded by
//! [`engine::replica_seed`]`(s, i)`, and replicas are summed in index order, so the output is the
//! same byte for byte whatever the number of threads.

#![warn(missing_docs)]

pub mod engine;
pub mod fleet;
pub mod job;
pub mod queue;
pub mod results;
pub mod spares;
pub mod stats;
pub mod time;

use std::sync::atomic::AtomicBool;

use gigawatt_core::plan::Evaluation;
use gigawatt_core::{InputError, Model};
use rayon::prelude::*;

pub use engine::{ReplicaTally, RunSegment, replica_seed};
pub use fleet::Fleet;
pub use job::JobModel;
pub use results::SimResults;
pub use time::SimTime;

use engine::{Replica, Template};
use results::Accumulator;

/// Settings of a run: what the scenario says unless the command line overrides it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimOptions {
    /// Seed of the run.
    pub seed: u64,
    /// Monte Carlo replicas.
    pub replicas: u32,
    /// Simulated days.
    pub days: f64,
    /// Whether to evaluate each job's ETTR over a grid of checkpoint intervals.
    pub sweep: bool,
}

impl SimOptions {
    /// The scenario's own settings.
    pub fn from_model(model: &Model) -> SimOptions {
        SimOptions { seed: model.seed, replicas: model.simulation.replicas, days: model.simulation.days, sweep: false }
    }
}

/// A prepared simulation: the fleet, the jobs and the initial state, ready to run replicas.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// The fleet.
    pub fleet: Fleet,
    /// The jobs.
    pub jobs: Vec<JobModel>,
    /// End of the simulated window.
    pub end: SimTime,
    /// The run's settings.
    pub options: SimOptions,
    template: Template,
}

/// Replicas run together before their tallies are folded into the sums (bounds memory; the
/// result does not depend on it).
const CHUNK: u32 = 256;

/// What a run will cost, known from the plan before any per-node state is allocated (see
/// `docs/limits.md` for the model and how it was measured).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorkEstimate {
    /// Nodes of the simulated fleet.
    pub nodes: u64,
    /// Replicas.
    pub replicas: u32,
    /// Replicas that run at once (the thread pool, at most the replicas).
    pub threads: usize,
    /// Peak memory, bytes: the fleet's node state once for the template and once per running
    /// replica, the daily tallies of a chunk of replicas, and the program itself.
    pub memory_bytes: u64,
    /// Events (failures drawn and repairs ending) over all replicas, at the rates with every node up.
    pub events: f64,
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Memory of the program before any fleet exists (measured: 8.9 MB for one server), bytes.
const BASE_BYTES: u64 = 16 << 20;

impl WorkEstimate {
    /// The estimate for simulating `model` on its plan `eval` with `options`; checks the jobs fit
    /// first, as [`Simulation::new`] does.
    pub fn of(model: &Model, eval: &Evaluation, options: SimOptions) -> Result<WorkEstimate, InputError> {
        gigawatt_core::fleet::check(&model.simulation, &model.source, eval, options.days)?;
        let fleet = Fleet::from_plan(model, eval);
        let nodes = fleet.nodes as u64;
        let threads = rayon::current_num_threads().clamp(1, options.replicas.max(1) as usize);
        let days = options.days.ceil() as u64;
        let per_day = std::mem::size_of::<engine::DayTally>() as u64 + 8 * model.simulation.jobs.len() as u64;
        let tallies = u64::from(options.replicas.min(CHUNK)) * days * per_day;
        let node_state = nodes * engine::BYTES_PER_NODE * (1 + threads as u64);
        let failures_per_day: f64 = fleet.phases.iter().map(|p| p.failures_per_day_expected).sum();
        Ok(WorkEstimate {
            nodes,
            replicas: options.replicas,
            threads,
            memory_bytes: BASE_BYTES + node_state + tallies,
            events: 2.0 * failures_per_day * options.days * f64::from(options.replicas),
        })
    }

    /// An input error when the run would need more than `limit` bytes: what it needs, what takes
    /// it, and what to shrink.
    pub fn check_memory(&self, limit: u64, limit_source: &str) -> Result<(), InputError> {
        if self.memory_bytes <= limit {
            return Ok(());
        }
        let gb = |b: u64| b as f64 / 1e9;
        Err(InputError::new(format!(
            "this simulation needs about {:.1} GB of memory, more than {} ({:.1} GB): {} nodes × {} bytes of \
             state × {} copies (one for the fleet, one per replica running at once)",
            gb(self.memory_bytes),
            limit_source,
            gb(limit),
            grouped(self.nodes),
            engine::BYTES_PER_NODE,
            1 + self.threads
        ))
        .with_help(
            "simulate fewer or smaller phases (e.g. one phase in a scenario of its own), run fewer replicas at once \
             (RAYON_NUM_THREADS=1), or raise the limit with --max-memory SIZE",
        ))
    }
}

impl Simulation {
    /// Prepares the simulation of `model` on its central plan `eval`; checks that every job fits
    /// its phase and starts within the window.
    pub fn new(model: &Model, eval: &Evaluation, options: SimOptions) -> Result<Simulation, InputError> {
        gigawatt_core::fleet::check(&model.simulation, &model.source, eval, options.days)?;
        let fleet = Fleet::from_plan(model, eval);
        let jobs: Vec<JobModel> = model
            .simulation
            .jobs
            .iter()
            .enumerate()
            .map(|(i, _)| JobModel::new(&model.simulation, i, &fleet, options.days, options.sweep))
            .collect();
        let template = Template::new(&fleet, &jobs);
        Ok(Simulation { end: SimTime::from_days(options.days), fleet, jobs, options, template })
    }

    /// The same simulation with the shared spare pool of phase `phase` cut to `spares` idle nodes
    /// beyond what its `spares = "phase"` jobs hold (see [`spares`]).
    pub fn with_phase_spares(&self, phase: usize, spares: u32) -> Simulation {
        let mut caps = vec![None; self.fleet.phases.len()];
        caps[phase] = Some(spares);
        let template = Template::with_spare_caps(&self.fleet, &self.jobs, &caps);
        Simulation { template, ..self.clone() }
    }

    /// Runs replica `index` alone; `on_day` is called after each simulated day.
    pub fn replica(&self, index: u64, on_day: &(dyn Fn() + Sync)) -> ReplicaTally {
        self.replica_until(index, on_day, &AtomicBool::new(false)).expect("never stopped")
    }

    /// Runs replica `index` until `stop` is raised (checked once a simulated day): `None` if it was.
    pub fn replica_until(&self, index: u64, on_day: &(dyn Fn() + Sync), stop: &AtomicBool) -> Option<ReplicaTally> {
        let seed = replica_seed(self.options.seed, index);
        Replica::new(&self.fleet, &self.jobs, &self.template, self.end, seed).stop_on(stop).run(on_day)
    }

    /// One replica of the run `gigawatt simulate --seed seed --replicas 1` would make, on this
    /// prepared fleet whatever its own seed and replica count: a sweep runs many seeds on one
    /// preparation. The result is that command's, byte for byte.
    pub fn run_one(&self, model: &Model, seed: u64) -> SimResults {
        let tally = Replica::new(&self.fleet, &self.jobs, &self.template, self.end, replica_seed(seed, 0))
            .stop_on(&AtomicBool::new(false))
            .run(&|| {})
            .expect("never stopped");
        let mut acc = Accumulator::new(self);
        acc.add(&tally);
        let mut results = acc.finish(self, model);
        results.seed = seed;
        results.replicas = 1;
        results
    }

    /// Failures a run expects to draw: replicas × days × the failures a day the rates give with
    /// every node up (a bound on its cost, known before running it).
    pub fn expected_failures(&self) -> f64 {
        let per_day: f64 = self.fleet.phases.iter().map(|p| p.failures_per_day_expected).sum();
        self.options.replicas as f64 * self.options.days * per_day
    }

    /// Simulated days a run reports progress in: replicas × days.
    pub fn progress_units(&self) -> u64 {
        self.options.replicas as u64 * self.end.0.div_ceil(time::US_PER_DAY)
    }

    /// Runs replica `index` alone and keeps every job's run segments (its job state timeline) in
    /// the tally's `segments`, in the order they ended. The replica draws exactly what
    /// [`Simulation::replica`] draws.
    pub fn replica_segments(&self, index: u64) -> ReplicaTally {
        let seed = replica_seed(self.options.seed, index);
        Replica::new(&self.fleet, &self.jobs, &self.template, self.end, seed)
            .record_segments()
            .run(&|| {})
            .expect("never stopped")
    }

    /// Runs every replica on rayon's thread pool and summarises them.
    pub fn run(&self, model: &Model, on_day: &(dyn Fn() + Sync)) -> SimResults {
        self.run_until(model, on_day, &AtomicBool::new(false)).expect("never stopped")
    }

    /// [`Simulation::run`], stopped within a simulated day of `stop` being raised (a server
    /// raises it when its client leaves or its time is up): `None` if it was.
    pub fn run_until(&self, model: &Model, on_day: &(dyn Fn() + Sync), stop: &AtomicBool) -> Option<SimResults> {
        let mut acc = Accumulator::new(self);
        let n = self.options.replicas;
        let mut start = 0;
        while start < n {
            let stop_at = (start + CHUNK).min(n);
            let tallies: Option<Vec<ReplicaTally>> =
                (start..stop_at).into_par_iter().map(|i| self.replica_until(i as u64, on_day, stop)).collect();
            for t in &tallies? {
                acc.add(t);
            }
            start = stop_at;
        }
        Some(acc.finish(self, model))
    }
}

/// Simulates a scenario on its central plan with the given options, and sizes its spare pools
/// when the scenario asks for it (`[simulation] spares_for`).
pub fn simulate(model: &Model, eval: &Evaluation, options: SimOptions) -> Result<SimResults, InputError> {
    let sim = Simulation::new(model, eval, options)?;
    let mut results = sim.run(model, &|| {});
    if let Some(target) = model.simulation.spares_for {
        results.spares_sizing = Some(spares::size_spares(&sim, model, target));
    }
    Ok(results)
}
