//! # gigawatt-power
//!
//! A site's megawatts second by second under synchronous training. GPUs of a job computing
//! together draw near their TDP, wait on collectives together near idle, stop together at every
//! checkpoint, failure and restart: a gigawatt site running one job is one load that swings by
//! hundreds of megawatts. This crate turns the job state timeline of a `gigawatt simulate` replica
//! into each site's facility power and what the grid sees (see `docs/models/power.md`):
//!
//! ```text
//! scenario ─plan─▶ phases (IT power, GPUs, racks, PUE) ─┐
//! simulate replica ─▶ run segments per job ─────────────┼─▶ IT(t) per phase (bin integrals, square
//! [power] + catalog/power.toml ─▶ levels, iterations ───┘   wave added analytically) ─▶ cooling lag
//!      ─▶ mitigations (floor, ramps, rack storage, burn, battery) ─▶ site MW ─▶ metrics, FFT, cost
//! ```
//!
//! * [`wave`]: exact bin averages of constants, ramps and the compute/communication square wave;
//! * [`model`]: the validated inputs; [`inputs`]: reading them from a scenario with their sources;
//! * [`series`]: job states → IT → facility → grid, with the mitigations;
//! * [`metrics`]: peak, ramps, drops and the band share of the spectrum;
//! * [`price`]: hourly prices and carbon, cost per month;
//! * [`opex`]: the plan's electricity line from a power run (`gigawatt plan --energy-from-power`).
//!
//! A series is a `Vec<f64>` at a fixed resolution; nothing is evaluated per iteration, so a month
//! of a gigawatt site at 1 s (2.6 M points) takes a fraction of a second. Everything is sequential
//! and deterministic: the output does not depend on the number of threads.

#![warn(missing_docs)]

pub mod inputs;
pub mod metrics;
pub mod model;
pub mod operated;
pub mod opex;
pub mod price;
pub mod results;
pub mod series;
pub mod wave;

use gigawatt_core::catalog::Field;
use gigawatt_core::plan::Evaluation;
use gigawatt_core::{Catalog, InputError, Model};
use gigawatt_sim::{SimOptions, Simulation};

pub use inputs::PowerSettings;
pub use model::{Mitigations, PowerModel};
pub use results::PowerResults;

use model::{JobPower, PhasePower, Segment};
use wave::Grid;

/// Finest resolution of the long series, s: the series is exact at any step, but finer views are
/// the 10 ms spectrum window's job.
pub const MIN_RESOLUTION_S: f64 = 1.0;

/// The spectrum window's step, s.
pub const SPECTRUM_DT_S: f64 = 0.01;

/// What to compute.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerOptions {
    /// Seed of the simulation.
    pub seed: u64,
    /// Start of the window, days from the start of the simulation.
    pub from_day: f64,
    /// End of the window, days.
    pub to_day: f64,
    /// Step of the long series, s.
    pub resolution_s: f64,
    /// Centre of the spectrum window, s from the start of the simulation (default: the largest
    /// synchronous step of each series).
    pub spectrum_at_s: Option<f64>,
    /// Hourly prices (and carbon), if given.
    pub prices: Option<price::HourlySeries>,
}

/// Memory and work of a run, known before it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerEstimate {
    /// Points of the long series per site.
    pub points: u64,
    /// Sites.
    pub sites: u64,
    /// Series computed (baseline, each mitigation, all together).
    pub variants: u64,
    /// Peak memory, bytes.
    pub memory_bytes: u64,
    /// Bin updates (points × series × sites), the work.
    pub work: f64,
}

impl PowerEstimate {
    /// The estimate for `model`'s `settings` over `options`' window.
    pub fn of(model: &Model, settings: &PowerSettings, options: &PowerOptions) -> PowerEstimate {
        let points = ((options.to_day - options.from_day) * 86_400.0 / options.resolution_s).ceil().max(0.0) as u64;
        let sites = {
            let mut names: Vec<String> =
                model.phases.iter().map(|p| p.site.clone().unwrap_or_else(|| p.name.clone())).collect();
            names.sort();
            names.dedup();
            names.len() as u64
        };
        let m = &settings.mitigations;
        let singles = [
            m.floor.is_some(),
            m.ramp_w_per_s.is_some(),
            m.rack_storage.is_some(),
            m.battery.is_some(),
            m.burn_s.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count() as u64;
        let variants = if singles == 0 { 1 } else { 2 + singles };
        // Per site: grid and load series; per phase at a time: IT, rack side, cooling, one job;
        // the total; all f64. Variants are computed one after the other.
        let per_point = 8 * (2 * sites + 6 + 1);
        let memory_bytes = (16 << 20) + points * per_point;
        let jobs = model.simulation.jobs.len().max(1) as f64;
        PowerEstimate {
            points,
            sites,
            variants,
            memory_bytes,
            work: points as f64 * variants as f64 * (sites as f64 + jobs),
        }
    }

    /// An input error when the run would need more than `limit` bytes.
    pub fn check_memory(&self, limit: u64, limit_source: &str) -> Result<(), InputError> {
        if self.memory_bytes <= limit {
            return Ok(());
        }
        Err(InputError::new(format!(
            "this power series needs about {:.1} GB of memory, more than {limit_source} ({:.1} GB): {} points × {} sites",
            self.memory_bytes as f64 / 1e9,
            limit as f64 / 1e9,
            self.points,
            self.sites
        ))
        .with_help("shorten the window (--from/--to), coarsen the series (--resolution 1min or 15min), or raise the limit with --max-memory"))
    }
}

/// Each phase's power inputs from the plan and the catalog.
pub fn phases_power(model: &Model, catalog: &Catalog, eval: &Evaluation, settings: &PowerSettings) -> Vec<PhasePower> {
    model
        .phases
        .iter()
        .zip(&eval.phases)
        .map(|(input, p)| {
            let gpus = p.gpus.max(1);
            let tdp_w = catalog.get(&input.platform).and_then(|pl| pl.central(Field::GpuTdpW));
            let gpu_tdp_mw = match tdp_w {
                Some(w) => w / 1e6,
                None => settings.gpu_share * p.compute_power_mw / gpus as f64,
            };
            PhasePower {
                name: p.name.clone(),
                site: input.site.clone().unwrap_or_else(|| input.name.clone()),
                state: input.state.clone(),
                pue: p.pue,
                compute_mw: p.compute_power_mw,
                other_it_mw: (p.it_power_mw - p.compute_power_mw).max(0.0),
                gpus: p.gpus,
                racks: p.racks,
                gpu_tdp_mw,
                in_service: None,
            }
        })
        .collect()
}

/// Builds the power model: phases from the plan, jobs from the simulation with the run segments of
/// replica `settings.replica`.
pub fn build_model(
    model: &Model,
    catalog: &Catalog,
    eval: &Evaluation,
    settings: &PowerSettings,
    sim: &Simulation,
) -> PowerModel {
    let phases = phases_power(model, catalog, eval, settings);
    let tally = sim.replica_segments(settings.replica);
    let jobs = sim
        .jobs
        .iter()
        .enumerate()
        .map(|(j, jm)| {
            let ppn = sim.fleet.phases[jm.phase].packages_per_node as u64;
            let it = settings.iterations[j];
            JobPower {
                name: jm.name.clone(),
                phase: jm.phase,
                gpus: jm.nodes as u64 * ppn,
                start: jm.start.secs(),
                end: jm.end.min(sim.end).secs(),
                interval: jm.interval.secs(),
                write: jm.write.secs(),
                step: it.step_s,
                compute_share: it.compute_share,
                segments: tally
                    .segments
                    .iter()
                    .filter(|s| s.job as usize == j)
                    .map(|s| Segment { start: s.start.secs(), end: s.end.secs(), how: s.how })
                    .collect(),
                steady: None,
            }
        })
        .collect();
    PowerModel::new(phases, jobs, settings)
}

/// Runs the simulation the series follow: one replica over the window's days, at the scenario's
/// settings.
pub fn simulation(model: &Model, eval: &Evaluation, options: &PowerOptions) -> Result<Simulation, InputError> {
    let sim_options = SimOptions { seed: options.seed, replicas: 1, days: options.to_day, sweep: false };
    Simulation::new(model, eval, sim_options)
}

/// `gigawatt power` as a function: the scenario's sites' power over the window, its metrics,
/// the mitigations' effects and costs, energy cost and carbon.
pub fn power(
    model: &Model,
    catalog: &Catalog,
    eval: &Evaluation,
    settings: &PowerSettings,
    options: &PowerOptions,
) -> Result<PowerResults, InputError> {
    check_window(options)?;
    let sim = simulation(model, eval, options)?;
    let pm = build_model(model, catalog, eval, settings, &sim);
    let mut r = results::compute(model, &pm, settings, options);
    r.inputs.extend(plan_records(model, catalog));
    Ok(r)
}

/// The plan's inputs the series rest on: each phase's PUE, its platform's system power and GPU
/// TDP, and the IT overhead, with their provenance (once each).
pub fn plan_records(model: &Model, catalog: &Catalog) -> Vec<gigawatt_core::params::InputRecord> {
    let mut out: Vec<gigawatt_core::params::InputRecord> = Vec::new();
    let mut push = |r: gigawatt_core::params::InputRecord| {
        if !out.iter().any(|x| x.key == r.key) {
            out.push(r);
        }
    };
    let param = |id: gigawatt_core::params::ParamId| {
        let p = model.params.get(id);
        inputs::record_of(&p.key, &p.label, &p.unit, &p.quantity)
    };
    push(param(model.costs.it_overhead));
    for ph in &model.phases {
        push(param(ph.pue));
        push(param(ph.system_power_kw));
        if let Some(q) = catalog.get(&ph.platform).and_then(|p| p.get(Field::GpuTdpW)) {
            push(inputs::record_of(
                &format!("catalog.{}.gpu_tdp_w", ph.platform),
                &format!("{}: GPU TDP", ph.platform_name),
                "W",
                q,
            ));
        }
    }
    out
}

/// The window and resolution make sense: a window of at least two points, a resolution no finer
/// than [`MIN_RESOLUTION_S`].
pub fn check_window(options: &PowerOptions) -> Result<(), InputError> {
    if !(options.resolution_s.is_finite() && options.resolution_s >= MIN_RESOLUTION_S) {
        return Err(InputError::new(format!(
            "a resolution of {} s is finer than the long series supports ({MIN_RESOLUTION_S} s)",
            options.resolution_s
        ))
        .with_help("the sub-second view is the 10 ms spectrum window around the largest step (or --spectrum-at DAY); use --resolution 1s, 1min or 15min"));
    }
    let span_s = (options.to_day - options.from_day) * 86_400.0;
    if !(options.from_day >= 0.0 && span_s >= 2.0 * options.resolution_s) {
        return Err(InputError::new(format!(
            "the window from day {} to day {} holds fewer than two points at {} s",
            options.from_day, options.to_day, options.resolution_s
        ))
        .with_help("give --from before --to, both within the simulated days"));
    }
    Ok(())
}

/// The long series' grid for `options`.
pub fn long_grid(options: &PowerOptions) -> Grid {
    Grid::new(options.from_day * 86_400.0, options.to_day * 86_400.0, options.resolution_s)
}
