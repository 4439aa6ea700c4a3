//! The job streams of the workload classes, generated before the run (the scheduler reads one
//! arrival-sorted job list):
//!
//! * **frontier**: per `[[training]]` run, a chain of gang jobs (its *stages*), each arriving when
//!   the one before has done its work and not before its day. The stages follow the GPUs the
//!   capacity model gives the run day by day (at most `max_pool_share` of its platform's pool in
//!   service): a new stage starts where that size moves by `grow_step` or more (at most once per
//!   `min_stage_days`) and at every `[[training.stage]]` boundary, so a `fleet_share` run grows
//!   as phases come online. A stage does the FLOPs the capacity model did over its days (the
//!   last, the rest) in FLOPs ÷ (GPUs × dense peak × MFU at its size) of productive time, MFU less
//!   the cross-phase penalty when it is larger than one phase, plus one restart for the re-shard
//!   (stages after the first); it checkpoints at Young's interval √(2·w·M) for its size;
//! * **rl**: after each run has done its work, `compute_ratio` × its GPU-time as one job of
//!   `gpu_share` × its GPUs, or as the parts of `[[operate.rl.profile]]` (each `jobs` jobs of
//!   its `gpu_share`, side by side, sharing its `compute_share`);
//! * **research**: AcmeTrace's Seren shape (sizes and durations; or `[operate.research] shape`, a
//!   synthetic spec or a trace whose (GPUs, run time) pairs are resampled), Poisson arrivals at the rate
//!   that gives the aimed-for job count; each job's GPUs scale with the research pool at its
//!   arrival (`share` × GPUs online ÷ Seren's GPUs) and durations by the one factor that makes
//!   the offered GPU-time `share` of the GPUs online;
//! * **inference**: per tier, each hour's demand in GPUs (the month's average demand ÷ the
//!   month's tokens/s per GPU, times the diurnal profile) cut into blocks of equal GPUs; each
//!   stretch of hours a block is needed is one job whose deadline is the stretch's end, so a
//!   block that cannot be served in time is unmet demand, not a backlog. A block is asked for
//!   `scale_up_min` before its first hour and spends that time loading the model (its tag's
//!   `overhead`): it holds GPUs and serves nothing.
//!
//! Every job's deadline is at most the end of the run, so the run stops there.

use gigawatt_core::date::Date;
use gigawatt_sched::Job;
use gigawatt_sim::SimTime;
use gigawatt_trace::synthetic::{Durations, Synthetic, resample_jobs, stream_jobs};
use gigawatt_workloads::capacity::{Capacity, TrainingResult, TrajectoryPoint};
use gigawatt_workloads::training::{GpuRequest, Reliability, TrainingRun};

use crate::fleet::Fleet;
use crate::spec::{Class, OperateSpec};

/// What a job is, besides what the scheduler knows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobTag {
    /// Its class.
    pub class: Class,
    /// The training run (frontier, rl) or tier (inference) it belongs to.
    pub index: u32,
    /// Work it does that is not the run's (the restart a frontier stage's re-shard costs).
    pub overhead: SimTime,
    /// Its share of the run's FLOPs (1 but for the stages of a frontier run).
    pub share: f64,
    /// The checkpoint write its checkpoint interval was chosen for (zero: none, e.g. inference).
    pub write: SimTime,
}

impl JobTag {
    fn of(class: Class, index: usize) -> JobTag {
        JobTag { class, index: index as u32, overhead: SimTime::ZERO, share: 1.0, write: SimTime::ZERO }
    }

    fn writing(self, write_s: f64) -> JobTag {
        JobTag { write: SimTime::from_secs(write_s), ..self }
    }
}

/// The generated jobs, sorted by arrival, and what each one is.
#[derive(Clone, Debug, Default)]
pub struct Streams {
    /// The jobs, sorted by arrival.
    pub jobs: Vec<Job>,
    /// `tags[j]` is job j's.
    pub tags: Vec<JobTag>,
    /// GPUs per inference block.
    pub block_gpus: u32,
    /// Per tier, per hour of the run: demanded output tokens.
    pub demand_tokens_by_tier_hour: Vec<Vec<f64>>,
    /// Per hour of the run: output tokens/s one inference GPU serves (0 where no GPU serves).
    pub tokens_per_s_per_gpu_by_hour: Vec<f64>,
    /// The research stream's scale factors: GPUs per Seren GPU (at full fleet) and duration.
    pub research_duration_scale: f64,
    /// Research jobs drawn before the window opened and still running then (`--from` in the middle
    /// of the scenario's run): they enter at its start with the run time they had left.
    pub research_under_way: u64,
    /// Per training run (`[[training]]` order): the share of its FLOPs done before the first day
    /// operated, by the capacity model's account (0 for a run that starts in the window).
    pub done_before: Vec<f64>,
    /// Things worth knowing (a run capped to one phase…).
    pub warnings: Vec<String>,
}

/// Everything the streams are drawn from.
pub struct Context<'a> {
    /// The operate inputs.
    pub spec: &'a OperateSpec,
    /// The fleet.
    pub fleet: &'a Fleet,
    /// The capacity model's result (the oracle for runs' sizes and inference rates).
    pub capacity: &'a Capacity,
    /// Dense peak FLOP/s per GPU of each group at each run's precision: `peaks[run][group]`.
    pub peaks: Vec<Vec<Option<f64>>>,
    /// Hour-of-day (24) and day-of-week (7) demand weights, each with mean 1.
    pub hourly: Vec<f64>,
    /// Day-of-week weights, mean 1, Monday first.
    pub daily: Vec<f64>,
    /// First day operated.
    pub from: Date,
    /// End of the run.
    pub end: SimTime,
    /// The research job shape.
    pub shape: &'a ResearchShape,
    /// Seed.
    pub seed: u64,
    /// Time a checkpoint takes to write, s (Young's interval), for runs that do not say.
    pub checkpoint_write_s: f64,
    /// Time a run takes to restart, s, for runs that do not say.
    pub restart_s: f64,
    /// The training runs as the capacity model read them (same order as its results).
    pub runs: Vec<TrainingRun>,
    /// GPU-hours in service over the days operated.
    pub in_service_gpu_h: f64,
    /// Seconds with GPUs in service between the scenario's first day and the window's (0 unless
    /// `--from` opens the window in the middle of the scenario's run).
    pub before_window_s: f64,
}

impl Context<'_> {
    /// Run `i`'s own checkpoint write and restart time, s, where its `[training.reliability]`
    /// gives them (the closed form's inputs, or the fallback of a simulated ETTR).
    fn run_reliability(&self, i: usize) -> Option<(f64, f64)> {
        match &self.runs.get(i)?.reliability {
            Reliability::ClosedForm(c) | Reliability::Simulated { fallback: c, .. } => {
                Some((c.checkpoint_write_s, c.restart_overhead_s))
            }
            Reliability::Given { .. } | Reliability::Ignored => None,
        }
    }
}

impl Streams {
    /// Draws every class's jobs.
    pub fn draw(cx: &Context<'_>) -> Streams {
        let mut s = Streams::default();
        let mut jobs: Vec<(Job, JobTag)> = Vec::new();
        s.done_before = vec![0.0; cx.capacity.training.len()];
        frontier_and_rl(cx, &mut jobs, &mut s.warnings, &mut s.done_before);
        (s.research_duration_scale, s.research_under_way) = research(cx, &mut jobs);
        inference(cx, &mut jobs, &mut s);
        // Stable: equal arrivals keep the order drawn (frontier, rl, research, inference), so an
        // RL job stays after the run it follows; `after` is renumbered to the sorted order.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| jobs[i].0.submit);
        let mut sorted_index = vec![0u32; jobs.len()];
        for (new, &old) in order.iter().enumerate() {
            sorted_index[old] = new as u32;
        }
        s.jobs = order
            .iter()
            .map(|&i| Job { after: jobs[i].0.after.map(|a| sorted_index[a as usize]), ..jobs[i].0 })
            .collect();
        s.tags = order.iter().map(|&i| jobs[i].1).collect();
        s
    }
}

fn class_job(cx: &Context<'_>, class: Class, submit: SimTime, gpus: u32, duration: SimTime) -> Job {
    let mut j = Job::new(submit, gpus.max(1), duration.max(SimTime(1)));
    j.job_type = class.index() as u32;
    j.priority = cx.spec.priority(class);
    j.preemptible = cx.spec.is_preemptible(class);
    j.deadline = cx.end;
    j
}

fn days_from(cx: &Context<'_>, d: Date) -> f64 {
    (d.days_since_epoch() - cx.from.days_since_epoch()) as f64
}

/// The pool a run goes to: the largest whose platform has a peak at the run's precision and, when
/// the run names a `platform`, is that platform's.
fn pool_of(cx: &Context<'_>, run: usize) -> Option<(usize, f64)> {
    let peaks = cx.peaks.get(run)?;
    let only = cx.runs.get(run).and_then(|r| r.platform.as_deref());
    (0..cx.fleet.cluster.groups.len())
        .filter(|&g| only.is_none_or(|p| cx.fleet.platforms[g] == p))
        .filter_map(|g| peaks.get(g).copied().flatten().map(|p| (g, p)))
        .max_by_key(|&(g, _)| (cx.fleet.cluster.groups[g].gpus(), std::cmp::Reverse(g)))
}

/// A training run's stage that asks for more GPUs than its platform's whole pool: it could never
/// start, as a run stays within one platform's pool.
#[derive(Clone, Debug, PartialEq)]
pub struct NeverFits {
    /// The run's index in `[[training]]`.
    pub run: usize,
    /// Its name.
    pub name: String,
    /// The stage's index in its `[[training.stage]]` (0 for a run without stages).
    pub stage: usize,
    /// GPUs it asks for.
    pub gpus: u64,
    /// The platform whose pool it would run on.
    pub platform: String,
    /// GPUs of that pool.
    pub pool: u64,
}

/// The first stage of a training run, asked for as a count of GPUs, larger than the largest pool
/// it may run on (its platform's, when it names one).
pub fn never_fits(cx: &Context<'_>) -> Option<NeverFits> {
    cx.runs.iter().enumerate().find_map(|(i, run)| {
        let (g, _) = pool_of(cx, i)?;
        let pool = cx.fleet.cluster.groups[g].gpus();
        run.stages.iter().enumerate().find_map(|(k, st)| match st.gpus {
            GpuRequest::Count { gpus } if gpus.round() as u64 > pool => Some(NeverFits {
                run: i,
                name: run.name.clone(),
                stage: k,
                gpus: gpus.round() as u64,
                platform: cx.fleet.platforms[g].clone(),
                pool,
            }),
            _ => None,
        })
    })
}

/// Young's checkpoint interval √(2·w·M) for a gang of `gpus` on pool `g` (M its mean time
/// between failures, w the checkpoint write), bounded by the run's default interval above.
fn young_interval(cx: &Context<'_>, g: usize, gpus: u64, write_s: f64) -> SimTime {
    let group = &cx.fleet.cluster.groups[g];
    let units = gpus.div_ceil(u64::from(group.gpus_per_node.max(1))) as f64;
    let rate_per_h = cx.fleet.failures[g].node_rate_per_h * units;
    let default_s = cx.spec.checkpoint_interval_min * 60.0;
    if rate_per_h <= 0.0 {
        return SimTime::from_secs(default_s);
    }
    let mtbf_s = 3600.0 / rate_per_h;
    SimTime::from_secs((2.0 * write_s * mtbf_s).sqrt().clamp(1.0, default_s))
}

/// A stage of a frontier run: a gang of `gpus` asked for on day `from`, doing `flops`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RunStage {
    from: Date,
    gpus: u64,
    flops: f64,
}

/// Most GPUs of pool `g` a run may hold on day `day`: `max_pool_share` of the pool's GPUs in
/// service by the day's end, and of the whole pool.
fn pool_cap_on(cx: &Context<'_>, g: usize, day: Date) -> u64 {
    let group = &cx.fleet.cluster.groups[g];
    let t = SimTime::from_days((days_from(cx, day) + 1.0).max(0.0));
    let online = cx.fleet.online[g].partition_point(|&x| x <= t) as u64 * u64::from(group.gpus_per_node);
    let share = cx.spec.frontier_max_pool_share;
    ((online as f64 * share).floor() as u64).min((group.gpus() as f64 * share).floor() as u64)
}

/// The stages of run `i` on pool `g`: the GPUs the capacity model gives it day by day (its
/// trajectory), capped by the pool, cut where the size moves by `grow_step` or more (at most once
/// per `min_stage_days`) and at every `[[training.stage]]` boundary. Each stage does the FLOPs the
/// capacity model did over its days; the last does the rest. A run without a trajectory is one
/// stage of `wanted` GPUs (at most `cap`, the run's share of the whole pool) from its start.
fn run_stages(cx: &Context<'_>, i: usize, r: &TrainingResult, g: usize, wanted: u64, cap: u64) -> (Vec<RunStage>, f64) {
    let run = cx.runs.get(i);
    if r.trajectory.is_empty() || run.is_none() {
        return (vec![RunStage { from: r.start, gpus: wanted.min(cap), flops: r.flops }], 0.0);
    }
    let (trajectory, done_before) = from_window_start(&r.trajectory, r, cx.from);
    if done_before >= r.flops {
        return (Vec::new(), r.flops);
    }
    let stage_at = |f: f64| run.map_or(0, |run| run.stage_at(f));
    let (step, min_days) = (cx.spec.grow_step, cx.spec.min_stage_days);
    let mut out: Vec<RunStage> = Vec::new();
    // The open stage: first day, GPUs, FLOPs done before it, stage of the run.
    let mut open: Option<(Date, u64, f64, usize)> = None;
    let mut last = 0u64;
    for p in &trajectory {
        let size = (p.gpus.round() as u64).min(pool_cap_on(cx, g, p.day));
        let stage = stage_at(p.done_flops);
        let Some((d0, g0, f0, s0)) = open else {
            if size > 0 {
                open = Some((p.day, size, p.done_flops, stage));
            }
            continue;
        };
        let days = (p.day.days_since_epoch() - d0.days_since_epoch()) as f64;
        let moved = (size as f64 - g0 as f64).abs() >= step * g0 as f64;
        if stage != s0 || size == 0 || (moved && days >= min_days) {
            out.push(RunStage { from: d0, gpus: g0, flops: p.done_flops - f0 });
            last = g0;
            open = (size > 0).then_some((p.day, size, p.done_flops, stage));
        }
    }
    match open {
        Some((d0, g0, f0, _)) => out.push(RunStage { from: d0, gpus: g0, flops: r.flops - f0 }),
        // The capacity model left it waiting: the rest is one more stage of its last size.
        None => {
            let (day, done) = trajectory.last().map_or((r.start, done_before), |p| (p.day, p.done_flops));
            out.push(RunStage { from: day, gpus: last.max(1), flops: r.flops - done });
        }
    }
    out.retain(|s| s.flops > 0.0 && s.gpus > 0);
    (out, done_before)
}

/// The capacity model's trajectory of a run as seen from the first day operated, `from`, and the
/// FLOPs it had done before then. A run under way that day starts there on the GPUs it held then,
/// with the work done before counted as done: between two change points its GPUs, and so its
/// rate, are constant, so the FLOPs done by `from` are interpolated linearly (after the last point,
/// up to the run's finish in the capacity model; without one, the last point's FLOPs are taken).
fn from_window_start(t: &[TrajectoryPoint], r: &TrainingResult, from: Date) -> (Vec<TrajectoryPoint>, f64) {
    let before = t.partition_point(|p| p.day < from);
    if before == 0 {
        return (t.to_vec(), 0.0);
    }
    let p = t[before - 1];
    let (next_day, next_done) = match t.get(before) {
        Some(q) => (q.day, q.done_flops),
        None => r.finish.map_or((p.day, p.done_flops), |f| (f, r.flops)),
    };
    let span = (next_day.days_since_epoch() - p.day.days_since_epoch()) as f64;
    let into = (from.days_since_epoch() - p.day.days_since_epoch()) as f64;
    let done = if span > 0.0 && p.gpus > 0.0 {
        p.done_flops + (next_done - p.done_flops) * (into / span).min(1.0)
    } else {
        p.done_flops
    };
    let mut out = Vec::with_capacity(t.len() - before + 1);
    if t.get(before).is_none_or(|q| q.day > from) {
        out.push(TrajectoryPoint { day: from, gpus: p.gpus, done_flops: done });
    }
    out.extend_from_slice(&t[before..]);
    (out, done)
}

fn frontier_and_rl(cx: &Context<'_>, out: &mut Vec<(Job, JobTag)>, warnings: &mut Vec<String>, done_share: &mut [f64]) {
    for (i, r) in cx.capacity.training.iter().enumerate() {
        let wanted = r.gpus.round() as u64;
        if wanted == 0 || r.flops <= 0.0 {
            warnings
                .push(format!("training run `{}` gets no GPUs in the capacity model; operate leaves it out", r.name));
            continue;
        }
        let Some((g, peak)) = pool_of(cx, i) else {
            let which = match cx.runs.get(i).and_then(|run| run.platform.as_deref()) {
                Some(p) => format!("its platform `{p}` has no"),
                None => "no platform of the fleet has a".to_string(),
            };
            warnings.push(format!("training run `{}`: {which} {} peak; left out", r.name, r.precision.name()));
            continue;
        };
        let pool = cx.fleet.cluster.groups[g].gpus();
        let cap = ((pool as f64 * cx.spec.frontier_max_pool_share).floor() as u64).max(1);
        if wanted > cap {
            warnings.push(format!(
                "training run `{}` asks for {wanted} GPUs; a run stays within one platform's pool and leaves {:.0}% of it for spares, so it gets at most {cap} of the {} pool's {pool}",
                r.name,
                (1.0 - cx.spec.frontier_max_pool_share) * 100.0,
                cx.fleet.platforms[g]
            ));
        }
        let (write_s, restart_s) = match cx.run_reliability(i) {
            Some((w, r)) => (w, Some(r)),
            None => (cx.checkpoint_write_s, None),
        };
        let mut previous: Option<u32> = None;
        let (mut gpu_secs, mut largest) = (0.0, 0u64);
        let (stages, done_before) = run_stages(cx, i, r, g, wanted, cap);
        done_share[i] = done_before / r.flops;
        if stages.is_empty() && done_before >= r.flops {
            warnings.push(format!(
                "training run `{}` finished before {} in the capacity model; operate leaves it and its RL out",
                r.name, cx.from
            ));
            continue;
        }
        for (k, st) in stages.into_iter().enumerate() {
            let gpus = st.gpus;
            let spans = gpus > cx.fleet.largest_phase_gpus[g];
            let mfu = cx.runs.get(i).map_or(r.mfu, |run| run.mfu.at(gpus as f64, &cx.fleet.platforms[g]));
            let mfu = mfu.max(1e-6) * if spans { 1.0 - cx.spec.cross_phase_mfu_penalty } else { 1.0 };
            // Evaluation pauses, data stalls and planned restarts hold the GPUs without training.
            let secs = st.flops / (gpus as f64 * peak * mfu) / r.overhead_factor.clamp(1e-3, 1.0);
            gpu_secs += gpus as f64 * secs;
            largest = largest.max(gpus);
            // A re-shard onto the new size costs one restart.
            let overhead = if k > 0 { SimTime::from_secs(restart_s.unwrap_or(cx.restart_s)) } else { SimTime::ZERO };
            let submit = SimTime::from_days(days_from(cx, st.from).max(0.0));
            let mut job = class_job(cx, Class::Frontier, submit, gpus as u32, SimTime::from_secs(secs).plus(overhead));
            job.checkpoint_interval = young_interval(cx, g, gpus, write_s);
            job.restart = restart_s.map(SimTime::from_secs);
            job.after = previous;
            previous = Some(out.len() as u32);
            out.push((
                job,
                JobTag { overhead, share: st.flops / r.flops, ..JobTag::of(Class::Frontier, i) }.writing(write_s),
            ));
        }
        let ratio = cx.spec.rl_compute_ratio;
        if ratio > 0.0 && largest > 0 {
            // RL arrives when its pre-training run has done its work in the simulation (the
            // scheduler holds it until then), not at the closed form's finish: each part's jobs
            // at once, side by side.
            let submit = out[previous.expect("a stage") as usize].0.submit;
            for part in &cx.spec.rl_profile {
                let rl_gpus = ((largest as f64 * part.gpu_share).round() as u64).clamp(1, cap);
                let jobs = part.jobs.max(1);
                // The run's whole GPU-time, the part before the window included (at the rate of
                // the part in it).
                let run_secs = gpu_secs / (1.0 - done_share[i]).max(1e-9);
                let rl_secs = ratio * run_secs * part.compute_share / f64::from(jobs) / rl_gpus as f64;
                if rl_secs <= 0.0 {
                    continue;
                }
                for _ in 0..jobs {
                    let mut job = class_job(cx, Class::Rl, submit, rl_gpus as u32, SimTime::from_secs(rl_secs));
                    job.after = previous;
                    job.checkpoint_interval = young_interval(cx, g, rl_gpus, write_s);
                    job.restart = restart_s.map(SimTime::from_secs);
                    let share = part.compute_share / f64::from(jobs);
                    out.push((job, JobTag { share, ..JobTag::of(Class::Rl, i).writing(write_s) }));
                }
            }
        }
    }
}

/// The scheduler's job type of inference tier `t`'s blocks: after the classes' own types, so
/// GPU-time is summed per tier (and per day) by the scheduler.
pub fn inference_type(t: usize) -> u32 {
    (Class::ALL.len() + t) as u32
}

/// The research stream's job shape.
#[derive(Clone, Debug)]
pub enum ResearchShape {
    /// A synthetic workload spec: sizes and run times drawn independently.
    Synthetic(Synthetic),
    /// A trace's jobs as (GPUs, run time in s) pairs, drawn together, so that its large jobs keep
    /// their long run times.
    Jobs(Vec<(u32, f64)>),
}

impl ResearchShape {
    /// Mean GPU-seconds of a job: E[GPUs × run time].
    fn mean_gpu_seconds(&self) -> f64 {
        match self {
            ResearchShape::Synthetic(s) => {
                let (g, d) = shape_means(s);
                g * d
            }
            ResearchShape::Jobs(pairs) => {
                let n = pairs.len().max(1) as f64;
                (pairs.iter().map(|&(g, d)| f64::from(g.max(1)) * d).sum::<f64>() / n).max(1e-9)
            }
        }
    }
}

/// Mean GPUs and mean duration (s) of a shape's jobs.
fn shape_means(shape: &Synthetic) -> (f64, f64) {
    let w: f64 = shape.sizes.iter().map(|s| s.1.max(0.0)).sum();
    let g = if w > 0.0 { shape.sizes.iter().map(|s| f64::from(s.0) * s.1.max(0.0)).sum::<f64>() / w } else { 1.0 };
    let d = match &shape.durations {
        Durations::Exponential { mean_s } => *mean_s,
        Durations::Lognormal { median_s, sigma } => median_s * (sigma * sigma / 2.0).exp(),
        Durations::Empirical { values } => {
            let w: f64 = values.iter().map(|v| v.1.max(0.0)).sum();
            if w > 0.0 { values.iter().map(|v| v.0 * v.1.max(0.0)).sum::<f64>() / w } else { 1.0 }
        }
    };
    (g.max(1e-9), d.max(1e-9))
}

/// The research stream; returns its duration scale and the jobs under way when the window opens.
///
/// A window that opens in the middle of the scenario's run (`before_window_s` > 0) starts warm:
/// the stream begins when the scenario's run does, at the same rate, and the jobs drawn before the
/// window that would still be running at its start enter at its start with the run time they have
/// left (queueing before the window is not simulated), so the window's research looks like that of
/// the whole run's same days rather than an empty queue filling up. A heavy-tailed shape's longest
/// jobs carry most of its GPU-time, so no earlier cut-off is safe; the jobs that ended before the
/// window are drawn and dropped, which costs their random draws only.
fn research(cx: &Context<'_>, out: &mut Vec<(Job, JobTag)>) -> (f64, u64) {
    let spec = cx.spec;
    let Some(first) = cx.fleet.online.iter().flat_map(|t| t.first().copied()).min() else { return (0.0, 0) };
    if spec.research_share <= 0.0 || first >= cx.end {
        return (0.0, 0);
    }
    let span_s = cx.end.since(first).secs();
    let rate = spec.research_jobs as f64 / span_s; // jobs per second
    // share × online = rate × k_s × k_d × E[g·d] with k_s = share × online / reference.
    let duration_scale = spec.research_reference_gpus / (rate * cx.shape.mean_gpu_seconds());
    let lead_s = cx.before_window_s;
    let drawn = spec.research_jobs + (spec.research_jobs as f64 * lead_s / span_s).round() as u64;
    let mut under_way = 0u64;
    let largest = cx.fleet.largest_phase_gpus.iter().copied().max().unwrap_or(1);
    // Failure rates for Young's interval: the largest pool's (research runs anywhere).
    let pool_group = (0..cx.fleet.cluster.groups.len()).max_by_key(|&g| cx.fleet.cluster.groups[g].gpus()).unwrap_or(0);
    let tag = JobTag::of(Class::Research, 0).writing(cx.checkpoint_write_s);
    let seed = cx.seed ^ 0x005E_ED0F_2E5E_A2C4;
    let drawn_from = out.len();
    let mut each = |_: u64, submit_s: f64, gpus: u32, duration_s: f64, time_scale: f64| {
        let since_first = submit_s * time_scale - lead_s;
        let mut run_s = duration_s * duration_scale;
        if since_first < 0.0 {
            // Drawn before the window: under way at its start with what it has left, else gone.
            run_s += since_first;
            if run_s <= 0.0 {
                return;
            }
            under_way += 1;
        }
        let at = first.plus(SimTime::from_secs(since_first.max(0.0)));
        if at >= cx.end {
            return;
        }
        let pool = spec.research_share * cx.fleet.gpus_online_at(at) as f64;
        // A research job asks at most the research share of one phase (AcmeTrace's largest job
        // took 1,024 of Seren's 2,288 GPUs; a whole phase would block the queue's head forever).
        let cap = (spec.research_share.min(1.0) * largest as f64).max(1.0);
        let size = (f64::from(gpus) * pool / spec.research_reference_gpus).round().clamp(1.0, cap);
        let mut job = class_job(cx, Class::Research, at, size as u32, SimTime::from_secs(run_s));
        // Like every gang, it checkpoints at Young's interval for its size.
        job.checkpoint_interval = young_interval(cx, pool_group, size as u64, cx.checkpoint_write_s);
        out.push((job, tag));
    };
    match cx.shape {
        ResearchShape::Synthetic(shape) => {
            let shape_rate = match &shape.arrivals {
                gigawatt_trace::synthetic::Arrivals::Poisson { rate_per_hour } => rate_per_hour / 3600.0,
                _ => rate,
            };
            let mut shape = shape.clone();
            shape.jobs = drawn;
            stream_jobs(&shape, seed, |i, t, g, d| each(i, t, g, d, shape_rate / rate));
        }
        ResearchShape::Jobs(pairs) => {
            resample_jobs(pairs, drawn, rate, seed, |i, t, g, d| each(i, t, g, d, 1.0));
        }
    }
    (duration_scale * offer_exactly(cx, &mut out[drawn_from..]), under_way)
}

/// Scales the drawn research jobs' run times by the one factor that makes the GPU-time they offer
/// within the run exactly `share` of the GPU-time in service, and returns it. The scale above gets
/// there in expectation only: one draw of a heavy-tailed shape (AcmeTrace's largest jobs carry
/// most of its GPU-time) lands far from its mean at a few thousand jobs, sizes capped at a phase
/// offer less than the shape asks, and a job that arrives late offers only the time to the run's
/// end ([`offered_within`]). That GPU-time grows with the factor (more slowly as more jobs reach
/// the end), so the factor is found by bisection; when even jobs that all run to the end cannot
/// offer the share, they do.
fn offer_exactly(cx: &Context<'_>, jobs: &mut [(Job, JobTag)]) -> f64 {
    let target = cx.spec.research_share * cx.in_service_gpu_h * 3600.0;
    let offered = |k: f64| -> f64 {
        jobs.iter().map(|(j, _)| offered_within(j.gpus, j.duration.secs() * k, j.submit, cx.end)).sum()
    };
    if jobs.is_empty() || target <= 0.0 || offered(1.0) <= 0.0 {
        return 1.0;
    }
    // Bracket the factor (within 2×), then halve the bracket 45 times (to 3e-14 of it).
    let (mut lo, mut hi) = (0.0, 1.0);
    while offered(hi) < target && hi < 1e12 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..45 {
        let mid = 0.5 * (lo + hi);
        if offered(mid) < target { lo = mid } else { hi = mid }
    }
    for (j, _) in jobs.iter_mut() {
        j.duration = SimTime::from_secs(j.duration.secs() * hi).max(SimTime(1));
    }
    hi
}

/// GPU-seconds a job of `gpus` and `duration_s` arriving at `submit` offers before `end`.
pub fn offered_within(gpus: u32, duration_s: f64, submit: SimTime, end: SimTime) -> f64 {
    f64::from(gpus) * duration_s.min(end.since(submit).secs())
}

/// The month index (into the capacity timeline) of each hour of the run, the last month's for
/// hours past it.
fn month_of_hours(cx: &Context<'_>, hours: usize) -> Vec<usize> {
    let rows = &cx.capacity.timeline;
    let label = |d: Date| {
        let (y, m) = d.year_month();
        format!("{y}-{m:02}")
    };
    let mut out = Vec::with_capacity(hours);
    let mut cursor = 0usize;
    for h in 0..hours {
        let day = cx.from.add_days((h / 24) as i64);
        let l = label(day);
        while cursor + 1 < rows.len() && rows[cursor].month < l {
            cursor += 1;
        }
        out.push(cursor);
    }
    out
}

fn inference(cx: &Context<'_>, out: &mut Vec<(Job, JobTag)>, s: &mut Streams) {
    let rows = &cx.capacity.timeline;
    let tiers = &cx.capacity.tiers;
    let hours = (cx.end.0 / 3_600_000_000) as usize;
    if rows.is_empty() || tiers.is_empty() || hours == 0 {
        return;
    }
    let months = month_of_hours(cx, hours);
    // Tokens/s per inference GPU, by month: the month's capacity ÷ its inference GPUs.
    let rate: Vec<f64> = rows
        .iter()
        .map(|r| if r.inference_gpus > 0.0 { r.capacity_tokens_per_s / r.inference_gpus } else { 0.0 })
        .collect();
    // A month with no serving GPUs borrows the nearest later month's rate (demand before the fleet
    // exists still has a size in GPUs; all of it is unmet).
    let mut rate_filled = rate.clone();
    for i in (0..rate_filled.len().saturating_sub(1)).rev() {
        if rate_filled[i] <= 0.0 {
            rate_filled[i] = rate_filled[i + 1];
        }
    }
    // …and a month past the last serving month the last one's.
    for i in 1..rate_filled.len() {
        if rate_filled[i] <= 0.0 {
            rate_filled[i] = rate_filled[i - 1];
        }
    }
    let start_dow = (cx.from.days_since_epoch() + 3).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
    let weight = |h: usize| cx.hourly[h % 24] * cx.daily[(start_dow + h / 24) % 7];
    let mut gpus_by_tier: Vec<Vec<f64>> = vec![vec![0.0; hours]; tiers.len()];
    s.demand_tokens_by_tier_hour = vec![vec![0.0; hours]; tiers.len()];
    s.tokens_per_s_per_gpu_by_hour = months.iter().map(|&m| rate_filled[m]).collect();
    for (t, tier) in tiers.iter().enumerate() {
        for h in 0..hours {
            let row = &rows[months[h]];
            let tps = row.demand_tokens_per_s_by_tier.get(tier).copied().unwrap_or(0.0) * weight(h);
            s.demand_tokens_by_tier_hour[t][h] = tps * 3600.0;
            let r = rate_filled[months[h]];
            gpus_by_tier[t][h] = if r > 0.0 { tps / r } else { 0.0 };
        }
    }
    let peak = (0..hours).map(|h| gpus_by_tier.iter().map(|g| g[h]).sum::<f64>()).fold(0.0, f64::max);
    let node = cx.fleet.cluster.groups.iter().map(|g| g.gpus_per_node).max().unwrap_or(1);
    let largest = cx.fleet.largest_group_gpus().max(1);
    // Blocks cut what can be served: the peak demand, or the whole fleet when the peak is more
    // (a demand the fleet cannot hold would otherwise make blocks so large that the last one
    // that fits leaves a large part of the fleet unserved).
    let fleet_gpus = cx.fleet.cluster.gpus().max(1);
    let raw = (peak.min(fleet_gpus as f64) / f64::from(cx.spec.inference_blocks)).ceil().max(1.0);
    let block = ((raw / f64::from(node)).ceil() * f64::from(node)).min(largest as f64).max(1.0) as u32;
    s.block_gpus = block;
    // A tier never asks for more blocks than the whole fleet holds: the rest could never be
    // placed, and its tokens are unmet all the same (served tokens come from the blocks placed).
    let most = fleet_gpus.div_ceil(u64::from(block)) as usize;
    let hour = SimTime::from_hours(1.0);
    for (t, g) in gpus_by_tier.iter().enumerate() {
        let tag = JobTag::of(Class::Inference, t);
        let priority = cx.spec.priority(Class::Inference) + (tiers.len() - t) as i32;
        let mut open: Vec<u64> = Vec::new(); // start hour of each open level
        // A block is asked for `scale_up` before its hour and loads the model meanwhile.
        let scale_up = SimTime::from_secs(cx.spec.scale_up_min * 60.0);
        let close = |start: u64, end: u64, out: &mut Vec<(Job, JobTag)>| {
            let ready = SimTime(start * hour.0);
            let submit = SimTime(ready.0.saturating_sub(scale_up.0));
            let stop = SimTime(end * hour.0).min(cx.end);
            if stop > ready {
                let mut j = class_job(cx, Class::Inference, submit, block, stop.since(submit));
                j.priority = priority;
                j.deadline = stop;
                j.user = t as u32;
                j.job_type = inference_type(t);
                out.push((j, JobTag { overhead: ready.since(submit), ..tag }));
            }
        };
        for (h, &gpus) in g.iter().enumerate() {
            // Enough blocks to serve the hour's demand (served tokens are capped at demand).
            let n = ((gpus / f64::from(block) - 1e-9).ceil().max(0.0) as usize).min(most);
            while open.len() < n {
                open.push(h as u64);
            }
            while open.len() > n {
                let start = open.pop().expect("open level");
                close(start, h as u64, out);
            }
        }
        while let Some(start) = open.pop() {
            close(start, hours as u64, out);
        }
    }
}
