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
use gigawatt_core::error::{InputError, KeyPath, SourceFile};
use gigawatt_core::simulation::FailureCatalog;
use gigawatt_core::{Catalog, Model};
use gigawatt_sched::policy::{PolicyContext, by_name};
use gigawatt_sched::{Engine, Failures, Placement, ReplayOptions};
use gigawatt_sim::SimTime;
use gigawatt_trace::synthetic::parse_synthetic;
use gigawatt_workloads::capacity::{Capacity, platform_spec};

pub use result::{Operation, ReplicaSummary};
pub use spec::{Class, OperateSpec, WholeRunJobs};

use crate::fleet::Fleet;
use crate::streams::{Context, ResearchShape, Streams};

/// What `gigawatt operate` is asked for, beyond the scenario.
#[derive(Clone, Debug, Default)]
pub struct OperateRequest {
    /// Seed (the scenario's when `None`).
    pub seed: Option<u64>,
    /// First day (the scenario's `[operate] from`, else the first ramp's start).
    pub from: Option<Date>,
    /// Last day (the scenario's `[operate] to`, else the default horizon).
    pub to: Option<Date>,
    /// Memory one run may use: a run whose research jobs alone would need more is refused before
    /// its job streams are drawn (they are most of its memory), not after.
    pub memory_limit: Option<MemoryLimit>,
}

/// A memory limit for one operated run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryLimit {
    /// Bytes.
    pub bytes: u64,
    /// What set it, as the error names it (`--max-memory`, `the memory available`).
    pub source: String,
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
    /// The demand model (which features each tier's tokens carry), if the scenario has demand.
    pub demand: Option<gigawatt_workloads::demand::Demand>,
    /// GPU-hours in service over the days operated.
    pub in_service_gpu_h: f64,
}

impl Prepared {
    /// Days operated, the first and last included.
    pub fn days(&self) -> usize {
        days_operated(self.from, self.to)
    }

    /// The end of the run: midnight after the last day operated, from the first.
    pub fn end_time(&self) -> SimTime {
        SimTime::from_days(self.days() as f64)
    }
}

/// Days from `from` to `to`, both included (0 when `to` is before `from`).
pub fn days_operated(from: Date, to: Date) -> usize {
    (to.days_since_epoch() - from.days_since_epoch() + 1).max(0) as usize
}

/// The default last day: a year after the last phase is fully online, or after the last training
/// run's start if later.
pub fn horizon(phases: &[gigawatt_core::plan::PhaseResult], capacity: &Capacity) -> Date {
    let last_online = phases.iter().map(|p| p.online).max().expect("a scenario has phases");
    let last_start = capacity.training.iter().map(|t| t.start).max();
    last_start.map_or(last_online, |s| s.max(last_online)).add_days(365)
}

/// The error for a last day operated before the first, located at the scenario's `[operate]`
/// key that set one of them (`--from` and `--to` override the file's).
fn days_out_of_order(model: &Model, req: &OperateRequest, spec: &OperateSpec, from: Date, to: Date) -> InputError {
    let message = format!("the last day operated ({to}) is before the first ({from})");
    let operate = KeyPath::root().key("operate");
    let from_how = match (req.from, spec.from) {
        (Some(_), _) => "--from",
        (None, Some(_)) => "`[operate] from`",
        (None, None) => "the first phase's ramp start",
    };
    match (req.to, spec.to) {
        (None, Some(_)) => InputError::at(&model.source, &operate.key("to"), message)
            .with_help(format!("give a `to` on or after {from} ({from_how}), or leave it out")),
        (Some(_), _) => InputError::new(message).with_help(format!("give --to on or after {from} ({from_how})")),
        (None, None) => match (req.from, spec.from) {
            (None, Some(_)) => InputError::at(&model.source, &operate.key("from"), message)
                .with_help(format!("give a `from` on or before {to}, the last day operated")),
            _ => InputError::new(message).with_help(format!("give --from on or before {to}, or --to after it")),
        },
    }
}

/// The plan's cost of one GPU-hour: (depreciation + opex per year) ÷ (GPUs × 8,760 h); 0 for a
/// plan without GPUs.
pub fn cost_per_gpu_hour(t: &gigawatt_core::plan::Totals) -> f64 {
    if t.gpus > 0 { (t.depreciation_usd_per_year + t.opex_usd_per_year) / (t.gpus as f64 * 8760.0) } else { 0.0 }
}

/// The research share a budget of `usd_per_year` buys over `days` days: the budget ÷ the plan's
/// cost per GPU-hour, as a share of the `in_service_h` GPU-hours in service then.
fn budget_share(
    model: &Model,
    totals: &gigawatt_core::plan::Totals,
    usd_per_year: f64,
    days: usize,
    in_service_h: f64,
) -> Result<f64, InputError> {
    let cost = cost_per_gpu_hour(totals);
    if cost <= 0.0 || in_service_h <= 0.0 {
        return Ok(0.0);
    }
    let share = usd_per_year * (days as f64 / 365.25) / cost / in_service_h;
    if share > 4.0 {
        let path = KeyPath::root().key("operate").key("research").key("usd_per_year");
        return Err(InputError::at(
            &model.source,
            &path,
            format!(
                "usd_per_year = {usd_per_year:.3e} buys {share:.1}× the GPU-time in service at the plan's ${cost:.2} per GPU-hour"
            ),
        )
        .with_help(format!(
            "give a budget of at most {:.3e} USD a year (4× the fleet), or a `share`",
            usd_per_year * 4.0 / share
        )));
    }
    Ok(share)
}

/// Scales the research jobs the scenario aims for over its whole run (`whole`, its `[operate]`
/// days or the defaults) to a `window` of it (`--from`, `--to`), pro rata to the days with GPUs in
/// service in each (from `first_ramp`): jobs arrive at one rate over the run, so a window holds
/// the jobs the whole run would have in those days rather than all of them. (Each window still
/// offers exactly its `share`, so its durations are scaled for it.)
fn window_research_jobs(spec: &mut OperateSpec, whole: (Date, Date), window: (Date, Date), first_ramp: Date) {
    let in_service = |(from, to): (Date, Date)| days_operated(from.max(first_ramp), to) as f64;
    let (all, part) = (in_service(whole), in_service(window));
    if spec.research_jobs == 0 || all <= 0.0 || part <= 0.0 {
        return;
    }
    let jobs = ((spec.research_jobs as f64 * part / all).round() as u64).max(1);
    spec.research_jobs_whole_run = Some(WholeRunJobs { jobs: spec.research_jobs, from: whole.0, to: whole.1 });
    spec.research_jobs = jobs;
}

/// The error for a fleet the scheduler cannot hold (a phase sized to no systems, more nodes than
/// are simulated), located at the phase it names, else at the largest.
fn fleet_error(model: &Model, phases: &[gigawatt_core::plan::PhaseResult], problem: String) -> InputError {
    let named = phases.iter().position(|p| problem.contains(&format!("`{}`", p.name)));
    let largest = || phases.iter().enumerate().max_by_key(|(_, p)| p.gpus).map_or(0, |(i, _)| i);
    let i = named.unwrap_or_else(largest);
    let help = if named.is_some() {
        "give the phase at least one whole scheduling unit (a larger `power_gw` or `systems`)".to_string()
    } else {
        format!(
            "operate a fleet of at most {} M scheduling units (nodes, or NVLink domains on rack-scale platforms)",
            gigawatt_sched::cluster::MAX_NODES / 1_000_000
        )
    };
    InputError::at(
        &model.source,
        &KeyPath::root().key("phase").index(i),
        format!("the fleet cannot be operated: {problem}"),
    )
    .with_help(help)
}

/// The located error for a training run that asks for more GPUs than its platform's pool has:
/// at its `[[training.stage]]`'s `gpus` when it has stages, else at its `gpus`.
fn never_fits_error(model: &Model, n: &streams::NeverFits) -> InputError {
    let run = KeyPath::root().key("training").index(n.run);
    let has_stages = model.workloads.training.get(n.run).is_some_and(|t| !t.stages.is_empty());
    let at = if has_stages { run.key("stage").index(n.stage) } else { run };
    let name = &n.name;
    InputError::at(
        &model.source,
        &at.key("gpus"),
        format!(
            "training run `{name}` asks for {} GPUs, but the {} pool it would run on has {} when fully in service: it could never start",
            n.gpus, n.platform, n.pool
        ),
    )
    .with_help(format!(
        "a run stays within one platform's pool: give `gpus` at most {} (a run holds at most `[operate.frontier] max_pool_share` of it), or `fleet_share` to follow the fleet",
        n.pool
    ))
}

/// A run's inputs read and its fleet built, before any job stream is drawn.
struct Frame {
    spec: OperateSpec,
    eval: gigawatt_core::plan::Evaluation,
    capacity: Capacity,
    /// The scenario's whole run, its first and last day.
    whole: (Date, Date),
    first_ramp: Date,
    from: Date,
    to: Date,
    fleet: Fleet,
    days: usize,
}

impl Frame {
    /// Reads the operate inputs, runs the capacity model and builds the fleet for the period
    /// `req` asks for.
    fn of(model: &Model, catalog: &Catalog, req: &OperateRequest) -> Result<Frame, InputError> {
        let mut spec = OperateSpec::of(model)?;
        let eval = gigawatt_core::plan::evaluate(model, &model.params.central());
        let first_ramp = eval.phases.iter().map(|p| p.ramp_start).min().expect("a scenario has phases");
        let capacity = gigawatt_workloads::capacity::capacity(model, catalog)?;
        let whole = (spec.from.unwrap_or(first_ramp), spec.to.unwrap_or_else(|| horizon(&eval.phases, &capacity)));
        let from = req.from.unwrap_or(whole.0);
        let to = req.to.unwrap_or(whole.1);
        if to < from {
            return Err(days_out_of_order(model, req, &spec, from, to));
        }
        if (from, to) != whole {
            window_research_jobs(&mut spec, whole, (from, to), first_ramp);
        }
        let fleet =
            Fleet::of(model, &eval.phases, from).map_err(|problem| fleet_error(model, &eval.phases, problem))?;
        let days = days_operated(from, to);
        Ok(Frame { spec, eval, capacity, whole, first_ramp, from, to, fleet, days })
    }

    /// The lower bound of the run's work and memory known before its streams are drawn.
    fn before_drawing(&self) -> OperateEstimate {
        // A budget (`usd_per_year`) sets the share only later, from the plan's costs.
        let offered = self.spec.research_share > 0.0 || self.spec.research_usd_per_year.is_some();
        let research_jobs = if offered { self.spec.research_jobs } else { 0 };
        OperateEstimate::before_drawing(&self.fleet, research_jobs, self.days as u64)
    }
}

/// A lower bound of the work and memory of the run `req` asks for, made without drawing its job
/// streams (most of a run's memory and of the time to prepare it): for a caller that must refuse
/// an oversized run before [`prepare`] would draw it (the dashboard, a sweep's estimate).
pub fn estimate_before_drawing(
    model: &Model,
    catalog: &Catalog,
    req: &OperateRequest,
) -> Result<OperateEstimate, InputError> {
    Ok(Frame::of(model, catalog, req)?.before_drawing())
}

/// Reads the inputs, builds the fleet and draws the job streams (no scheduling yet).
pub fn prepare(model: &Model, catalog: &Catalog, req: &OperateRequest) -> Result<Prepared, InputError> {
    let frame = Frame::of(model, catalog, req)?;
    if let Some(limit) = &req.memory_limit {
        frame.before_drawing().check_memory(limit.bytes, &limit.source)?;
    }
    let Frame { mut spec, eval, capacity, whole, first_ramp, from, to, fleet, days } = frame;
    let in_service_gpu_h = fleet.online_gpu_us_by_day(days).iter().map(|&us| us as f64 / 3.6e9).sum();
    if let Some(budget) = spec.research_usd_per_year {
        spec.research_share = budget_share(model, &eval.totals, budget, days, in_service_gpu_h)?;
    }
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
    let shape = research_shape(model, &spec)?;
    let seed = req.seed.unwrap_or(model.seed);
    let end = SimTime::from_days(days as f64);
    let cat = FailureCatalog::bundled()?;
    let sections = workload_sections(model, catalog)?;
    let demand = sections.demand.as_ref().map(|d| d.demand.clone());
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
        restart_s: cat.restart_s.estimate.central,
        runs: sections.training.into_iter().map(|t| t.run).collect(),
        in_service_gpu_h,
        before_window_s: (from.days_since_epoch() - whole.0.max(first_ramp).days_since_epoch()).max(0) as f64
            * 86_400.0,
    };
    if let Some(n) = streams::never_fits(&cx) {
        return Err(never_fits_error(model, &n));
    }
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
        log_window: None,
        online: fleet.online.clone(),
        usage_bucket: Some(SimTime::from_days(1.0)),
        swap_spares: true,
        track_progress: (0..streams.tags.len() as u32)
            .filter(|&j| matches!(streams.tags[j as usize].class, Class::Frontier | Class::Rl))
            .collect(),
        until: Some(end),
    };
    spec.inputs.add(
        "failures.job_defaults.checkpoint_write_s",
        "checkpoint write on preemption",
        "s",
        &cat.checkpoint_write_s,
    );
    spec.inputs.add("failures.job_defaults.restart_s", "restart after a preemption or failure", "s", &cat.restart_s);
    Ok(Prepared { spec, from, to, fleet, capacity, streams, options, seed, demand, in_service_gpu_h })
}

/// The research job shape: the scenario's `[operate.research] shape` (a synthetic spec, or a
/// trace in any of `replay`'s formats), relative to the scenario file, else the bundled Seren
/// shape. Only a regular file (or a PAI 2020 directory) is read.
fn research_shape(model: &Model, spec: &OperateSpec) -> Result<ResearchShape, InputError> {
    let Some(written) = &spec.research_shape else {
        let file = SourceFile::new(spec::BUNDLED_RESEARCH_SHAPE.0, spec::BUNDLED_RESEARCH_SHAPE.1);
        return Ok(ResearchShape::Synthetic(parse_synthetic(&file)?));
    };
    let at = gigawatt_core::error::KeyPath::root().key("operate").key("research").key("shape");
    let path = std::path::Path::new(&model.source.name).parent().unwrap_or(std::path::Path::new("")).join(written);
    let meta = std::fs::metadata(&path).map_err(|e| {
        InputError::at(&model.source, &at, format!("cannot read the research shape {}: {e}", path.display()))
            .with_help("give a synthetic spec (.toml) or a job trace, relative to the scenario file")
    })?;
    if !(meta.is_file() || meta.is_dir()) {
        return Err(InputError::at(&model.source, &at, format!("{} is not a file", path.display())));
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return Ok(ResearchShape::Synthetic(gigawatt_trace::synthetic::load_synthetic(&path)?));
    }
    let trace = gigawatt_trace::load_trace(&path, &gigawatt_trace::ReadOptions::default())?;
    let pairs: Vec<(u32, f64)> =
        trace.jobs.iter().filter(|j| j.duration_s > 0.0).map(|j| (j.gpus.max(1), j.duration_s)).collect();
    if pairs.is_empty() {
        return Err(InputError::at(&model.source, &at, format!("{} holds no GPU job that ran", path.display())));
    }
    Ok(ResearchShape::Jobs(pairs))
}

/// The scenario's workload sections as the capacity model reads them (its training runs in the
/// order of its results, its demand).
fn workload_sections(model: &Model, catalog: &Catalog) -> Result<gigawatt_workloads::spec::CapacitySpec, InputError> {
    gigawatt_workloads::spec::parse_sections(
        model,
        catalog,
        &gigawatt_workloads::models::ModelCatalog::bundled()?,
        &gigawatt_workloads::defaults::WorkloadDefaults::bundled()?,
    )
}

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

/// The work and memory an operated run needs, estimated from its prepared streams and fleet
/// before the scheduler starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OperateEstimate {
    /// Jobs in the streams.
    pub jobs: u64,
    /// Scheduling units (nodes, or NVLink domains on rack-scale platforms) in the fleet.
    pub nodes: u64,
    /// Expected node failures over the run.
    pub failures: f64,
    /// Scheduler events: each job's arrival, end and deadline, each failure's failure and repair
    /// and the restart it causes, each node's coming into service (preemptions come on top).
    pub events: f64,
    /// Memory, bytes: the jobs and their state, the fleet's indexes and the daily accounts.
    pub memory_bytes: u64,
    /// Whether this is a lower bound, made before the job streams were drawn.
    pub at_least: bool,
}

impl OperateEstimate {
    /// The estimate of prepared run `p`.
    pub fn of(p: &Prepared) -> OperateEstimate {
        let end = p.streams.jobs.iter().map(|j| j.deadline).max().unwrap_or(SimTime::ZERO);
        let mut failures = 0.0;
        let mut slots = 0u64;
        for ((g, f), times) in p.fleet.cluster.groups.iter().zip(&p.fleet.failures).zip(&p.fleet.online) {
            let node_hours: f64 = times.iter().map(|t| end.since(*t).secs() / 3600.0).sum();
            failures += f.node_rate_per_h * node_hours;
            slots += g.gpus();
        }
        let jobs = p.streams.jobs.len() as u64;
        let nodes = p.fleet.cluster.nodes();
        let days = p.days() as u64;
        let hours = p.streams.tokens_per_s_per_gpu_by_hour.len() as u64;
        let tiers = p.streams.demand_tokens_by_tier_hour.len() as u64;
        // Per job: the job, its tag, its state, its queue and heap entries, its record and the
        // copies the streams are sorted through, ≈ 440 B (the slope of the peak resident memory
        // measured on the seed scenario to March 2028 with 0.25, 1 and 2 M research jobs: 150,
        // 482 and 915 MB), and 4 B per scheduling unit it spans (the calibration scenario
        // on 350 K GPUs, whose gangs spanned ≈ 110 eight-GPU servers, needed ≈ 690 B per job); 16 MB for
        // the rest.
        let node_gpus = p.fleet.cluster.groups.iter().map(|g| u64::from(g.gpus_per_node)).min().unwrap_or(1).max(1);
        let units: u64 = p.streams.jobs.iter().map(|j| u64::from(j.gpus).div_ceil(node_gpus)).sum();
        let memory = (16 << 20)
            + jobs * 440
            + units * 4
            + slots * 4
            + nodes * 64
            + days * 6 * 16 * 2
            + hours * (tiers + 1) * 8 * 3;
        OperateEstimate {
            jobs,
            nodes,
            failures,
            events: jobs as f64 * 3.0 + failures * 3.0 + nodes as f64,
            memory_bytes: memory,
            at_least: false,
        }
    }

    /// A lower bound before the job streams are drawn, from the research jobs aimed for over
    /// `days` days on `fleet`: the terms of [`OperateEstimate::of`] known then (each job at one
    /// scheduling unit, no serving blocks, training runs or failures).
    pub fn before_drawing(fleet: &Fleet, research_jobs: u64, days: u64) -> OperateEstimate {
        let slots: u64 = fleet.cluster.groups.iter().map(|g| g.gpus()).sum();
        let nodes = fleet.cluster.nodes();
        let memory = (16 << 20) + research_jobs * (440 + 4) + slots * 4 + nodes * 64 + days * 6 * 16 * 2;
        OperateEstimate {
            jobs: research_jobs,
            nodes,
            failures: 0.0,
            events: research_jobs as f64 * 3.0 + nodes as f64,
            memory_bytes: memory,
            at_least: true,
        }
    }

    /// Refuses a run whose memory estimate exceeds `limit` (named `limit_source` in the error).
    pub fn check_memory(&self, limit: u64, limit_source: &str) -> Result<(), InputError> {
        if self.memory_bytes <= limit {
            return Ok(());
        }
        Err(InputError::new(format!(
            "this operated run needs {} {} of memory, more than {limit_source} ({}): {} jobs on {} \
             scheduling units",
            if self.at_least { "at least" } else { "about" },
            bytes(self.memory_bytes),
            bytes(limit),
            self.jobs,
            self.nodes
        ))
        .with_help("aim for fewer research jobs ([operate.research] jobs), a shorter run (--to), or raise the limit with --max-memory SIZE"))
    }
}

/// A memory size as a reader takes it in: `380 MB`, `1.2 GB`.
fn bytes(b: u64) -> String {
    let mb = b as f64 / 1e6;
    if mb >= 1000.0 { format!("{:.1} GB", mb / 1000.0) } else { format!("{mb:.0} MB") }
}

/// Runs the scheduler on a prepared run and measures the result.
pub fn run_prepared(model: &Model, p: &Prepared, on_events: &(dyn Fn(u64) + Sync)) -> Result<Operation, InputError> {
    let policy = by_name(p.spec.policy_name(), &PolicyContext::default()).map_err(InputError::new)?;
    let mut engine = Engine::new(&p.streams.jobs, &p.fleet.cluster, &policy, &p.options);
    engine.run_observed(on_events);
    Ok(result::measure(model, p, &engine))
}

/// An operated run with the segments its jobs held GPUs in a window: what `gigawatt power` reads
/// to follow the job states of the whole operated fleet.
pub struct Logged {
    /// The run's result, as [`operate`] gives it.
    pub operation: Operation,
    /// The prepared run (its jobs, their classes and the fleet).
    pub prepared: Prepared,
    /// Every segment that overlaps the window (times from the first day operated).
    pub segments: Vec<gigawatt_sched::Segment>,
}

/// Operates the scenario as [`operate`] does, logging the segments that overlap `[from, to)`
/// (times from the first day operated); the log does not change the run.
pub fn operate_logged(
    model: &Model,
    catalog: &Catalog,
    req: &OperateRequest,
    window: (SimTime, SimTime),
    on_events: &(dyn Fn(u64) + Sync),
) -> Result<Logged, InputError> {
    run_logged(model, prepare(model, catalog, req)?, window, on_events)
}

/// [`operate_logged`] on a prepared run.
pub fn run_logged(
    model: &Model,
    mut p: Prepared,
    window: (SimTime, SimTime),
    on_events: &(dyn Fn(u64) + Sync),
) -> Result<Logged, InputError> {
    p.options.log_segments = true;
    p.options.log_window = Some(window);
    let policy = by_name(p.spec.policy_name(), &PolicyContext::default()).map_err(InputError::new)?;
    let (operation, segments) = {
        let mut engine = Engine::new(&p.streams.jobs, &p.fleet.cluster, &policy, &p.options);
        engine.run_observed(on_events);
        (result::measure(model, &p, &engine), engine.segments().cloned().collect())
    };
    Ok(Logged { operation, prepared: p, segments })
}

/// The seed of replica `k` of a run seeded `seed`: replica 0 runs on `seed` itself, so one
/// replica is the plain run.
pub fn replica_seed(seed: u64, k: u32) -> u64 {
    if k == 0 { seed } else { gigawatt_core::uncertainty::stream_seed(seed, u64::from(k)) }
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
    run_prepared(model, &p, on_events)
}
