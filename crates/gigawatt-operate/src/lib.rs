//! # gigawatt-operate
//!
//! The build-out operated: one scheduler (the core `gigawatt replay` validates,
//! [`gigawatt_sched`]) shares the growing fleet among frontier pre-training runs, RL and
//! post-training, research and evaluation experiments, and inference, with node failures and
//! repairs, day by day over the whole build-out. Its output says, month by month, how much of
//! the fleet goes to what and when compute binds. The model, its equations and its assumptions
//! are in `docs/models/operate.md`.
//!
//! * [`spec`]: the `[operate]` section and its bundled defaults;
//! * [`fleet`]: the node groups and when each node comes into service;
//! * [`streams`]: the job streams of the classes;
//! * [`result`]: what a run measures, as serialisable results.

#![warn(missing_docs)]

pub mod fleet;
pub mod result;
pub mod spec;
pub mod streams;

use gigawatt_core::date::Date;
use gigawatt_core::error::{InputError, SourceFile};
use gigawatt_core::simulation::FailureCatalog;
use gigawatt_core::{Catalog, Model};
use gigawatt_sched::policy::{PolicyContext, by_name};
use gigawatt_sched::{Engine, Failures, Placement, ReplayOptions};
use gigawatt_sim::SimTime;
use gigawatt_trace::synthetic::parse_synthetic;
use gigawatt_workloads::capacity::{Capacity, platform_spec};

pub use result::Operation;
pub use spec::{Class, OperateSpec};

use crate::fleet::Fleet;
use crate::streams::{Context, Streams};

/// What `gigawatt operate` is asked for, beyond the scenario.
#[derive(Clone, Debug, Default)]
pub struct OperateRequest {
    /// Seed (the scenario's when `None`).
    pub seed: Option<u64>,
    /// First day (the scenario's `[operate] from`, else the first ramp's start).
    pub from: Option<Date>,
    /// Last day (the scenario's `[operate] to`, else the default horizon).
    pub to: Option<Date>,
}

/// Everything prepared before the scheduler runs: the inputs, the fleet and the job streams.
pub struct Prepared {
    /// The operate inputs.
    pub spec: OperateSpec,
    /// First and last day operated.
    pub from: Date,
    /// Last day operated.
    pub to: Date,
    /// The fleet.
    pub fleet: Fleet,
    /// The capacity model's result.
    pub capacity: Capacity,
    /// The job streams.
    pub streams: Streams,
    /// The scheduler's options.
    pub options: ReplayOptions,
    /// Seed.
    pub seed: u64,
}

/// The default last day: a year after the last phase is fully online, or after the last training
/// run's start if later.
pub fn horizon(phases: &[gigawatt_core::plan::PhaseResult], capacity: &Capacity) -> Date {
    let last_online = phases.iter().map(|p| p.online).max().expect("a scenario has phases");
    let last_start = capacity.training.iter().map(|t| t.start).max();
    last_start.map_or(last_online, |s| s.max(last_online)).add_days(365)
}

/// Reads the inputs, builds the fleet and draws the job streams (no scheduling yet).
pub fn prepare(model: &Model, catalog: &Catalog, req: &OperateRequest) -> Result<Prepared, InputError> {
    let spec = OperateSpec::of(model)?;
    let eval = gigawatt_core::plan::evaluate(model, &model.params.central());
    let first_ramp = eval.phases.iter().map(|p| p.ramp_start).min().expect("a scenario has phases");
    let capacity = gigawatt_workloads::capacity::capacity(model, catalog)?;
    let from = req.from.or(spec.from).unwrap_or(first_ramp);
    let to = req.to.or(spec.to).unwrap_or_else(|| horizon(&eval.phases, &capacity));
    if to < from {
        return Err(InputError::new(format!("the last day operated ({to}) is before the first ({from})"))
            .with_help("give --to on or after --from"));
    }
    let fleet = Fleet::of(model, &eval.phases, from).map_err(InputError::new)?;
    let peaks = capacity
        .training
        .iter()
        .map(|r| {
            fleet
                .platforms
                .iter()
                .map(|id| catalog.get(id).and_then(|p| platform_spec(p).peak_flops(r.precision)))
                .collect()
        })
        .collect();
    let (hourly, daily) = diurnal(model);
    let shape_file = SourceFile::new(spec::BUNDLED_RESEARCH_SHAPE.0, spec::BUNDLED_RESEARCH_SHAPE.1);
    let shape = parse_synthetic(&shape_file)?;
    let seed = req.seed.unwrap_or(model.seed);
    let days = (to.days_since_epoch() - from.days_since_epoch() + 1) as f64;
    let end = SimTime::from_days(days);
    let cat = FailureCatalog::bundled()?;
    let cx = Context {
        spec: &spec,
        fleet: &fleet,
        capacity: &capacity,
        peaks,
        hourly,
        daily,
        from,
        end,
        shape: &shape,
        seed,
        checkpoint_write_s: cat.checkpoint_write_s.estimate.central,
    };
    let streams = Streams::draw(&cx);
    let options = ReplayOptions {
        placement: Placement::FirstFit,
        checkpoint: SimTime::from_secs(cat.checkpoint_write_s.estimate.central),
        restart: SimTime::from_secs(cat.restart_s.estimate.central),
        backfill_depth: 100,
        series_points: 2,
        failures: Some(Failures {
            groups: fleet.failures.clone(),
            checkpoint_interval: SimTime::from_secs(spec.checkpoint_interval_min * 60.0),
        }),
        seed,
        log_segments: false,
        online: fleet.online.clone(),
        usage_bucket: Some(SimTime::from_days(1.0)),
        swap_spares: true,
    };
    let mut spec = spec;
    spec.inputs.add(
        "failures.job_defaults.checkpoint_write_s",
        "checkpoint write on preemption",
        "s",
        &cat.checkpoint_write_s,
    );
    spec.inputs.add("failures.job_defaults.restart_s", "restart after a preemption or failure", "s", &cat.restart_s);
    Ok(Prepared { spec, from, to, fleet, capacity, streams, options, seed })
}

/// The hour-of-day and day-of-week demand weights of the scenario's `[demand.profile]`, each
/// scaled to mean 1 (flat without a profile).
fn diurnal(model: &Model) -> (Vec<f64>, Vec<f64>) {
    let profile = model.workloads.demand.as_ref().and_then(|d| d.profile.as_ref());
    let norm = |v: Option<&Vec<f64>>, n: usize| -> Vec<f64> {
        match v {
            Some(v) if v.len() == n && v.iter().all(|x| x.is_finite() && *x >= 0.0) && v.iter().sum::<f64>() > 0.0 => {
                let mean = v.iter().sum::<f64>() / n as f64;
                v.iter().map(|x| x / mean).collect()
            }
            _ => vec![1.0; n],
        }
    };
    (norm(profile.and_then(|p| p.hourly.as_ref()), 24), norm(profile.and_then(|p| p.daily.as_ref()), 7))
}

/// Operates the scenario: prepares it, runs the scheduler, and measures the result.
pub fn operate(model: &Model, catalog: &Catalog, req: &OperateRequest) -> Result<Operation, InputError> {
    operate_observed(model, catalog, req, &|_| {})
}

/// [`operate`], reporting the scheduler's events as it goes.
pub fn operate_observed(
    model: &Model,
    catalog: &Catalog,
    req: &OperateRequest,
    on_events: &(dyn Fn(u64) + Sync),
) -> Result<Operation, InputError> {
    let p = prepare(model, catalog, req)?;
    let policy = by_name("priority", &PolicyContext::default()).map_err(InputError::new)?;
    let mut engine = Engine::new(&p.streams.jobs, &p.fleet.cluster, &policy, &p.options);
    engine.run_observed(on_events);
    Ok(result::measure(model, &p, &engine))
}
