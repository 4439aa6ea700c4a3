//! # gigawatt-sched
//!
//! The scheduler core that `gigawatt replay` (a trace on one cluster) and, next, `gigawatt
//! operate` (the build-out) drive: jobs arrive, wait in a policy's order, are placed as gangs on
//! a cluster of nodes, NVLink domains, racks and pods, may be preempted or hit by node failures,
//! and finish. The model, its equations and its assumptions are in `docs/models/replay.md`.
//!
//! * [`cluster`]: the nodes and their topology;
//! * [`index`]: free capacity indexed by node, domain, rack and pod (placing a gang never scans
//!   the cluster);
//! * [`nodeset`]: the ordered bit sets behind the indexes;
//! * [`placement`]: first-fit, best-fit, consolidated and fragmentation-aware placement;
//! * [`policy`]: one file per policy behind one trait, and a registry by name;
//! * [`engine`]: the event loop; [`failures`]: node failures and repairs;
//! * [`metrics`]: what a run measures, as serialisable results.

#![warn(missing_docs)]

pub mod cluster;
pub mod engine;
pub mod failures;
pub mod index;
pub mod job;
pub mod metrics;
pub mod nodeset;
pub mod placement;
pub mod policy;
pub mod share;
pub mod spec;
pub mod workload;

use std::collections::BTreeMap;

use gigawatt_sim::SimTime;

pub use cluster::{Cluster, Level, NodeGroup};
pub use engine::{Engine, JobRun, ReplayOptions, Segment, Usage};
pub use failures::{Failures, GroupFailures};
pub use job::Job;
pub use metrics::{Breakdown, GpuTime, JobOutcome, Policies, PolicyResult, Series, Summary};
pub use placement::Placement;
pub use policy::{PolicyContext, PolicySpec};
pub use spec::{ClusterSource, read_cluster, scenario_cluster};
pub use workload::{ReplayRequest, ReplayResult, replay_trace};

/// Hundredths of a GPU × µs per GPU-hour (the engine's GPU-time unit, exact for shared GPUs).
const GPU_US_PER_H: f64 = 3.6e11;

/// Replays `jobs` (sorted by arrival, each at most the largest group's GPUs) on `cluster` under
/// `spec`. `users` and `types` name the jobs' indices in the breakdowns.
pub fn replay(
    jobs: &[Job],
    cluster: &Cluster,
    spec: &PolicySpec,
    opts: &ReplayOptions,
    users: &[String],
    types: &[String],
) -> PolicyResult {
    replay_observed(jobs, cluster, spec, opts, users, types, &|_| {})
}

/// [`replay`], reporting the events handled as it goes (see [`Engine::run_observed`]).
pub fn replay_observed(
    jobs: &[Job],
    cluster: &Cluster,
    spec: &PolicySpec,
    opts: &ReplayOptions,
    users: &[String],
    types: &[String],
    on_events: &(dyn Fn(u64) + Sync),
) -> PolicyResult {
    let mut engine = Engine::new(jobs, cluster, spec, opts);
    engine.run_observed(on_events);
    result(&engine, spec, opts, users, types)
}

fn result(e: &Engine<'_>, spec: &PolicySpec, opts: &ReplayOptions, users: &[String], types: &[String]) -> PolicyResult {
    let outcomes: Vec<JobOutcome> = (0..e.jobs.len() as u32).map(|j| outcome(e, j)).collect();
    let all = Breakdown::of(&outcomes);
    let makespan = outcomes.iter().map(|o| o.end_s).fold(0.0, f64::max);
    let gpus = e.cluster.gpus();
    let span_us = (makespan * 1e6).max(1.0);
    let (utilisation_series, queue_series) = e.recorder.series(gpus, opts.series_points);
    let h = |x: u128| x as f64 / GPU_US_PER_H;
    let work_in: u128 = e.jobs.iter().map(Job::work).sum();
    let gpu_time = GpuTime {
        work_in: h(work_in),
        done: h(e.accounts.done),
        lost_to_preemption: h(e.accounts.lost[0]),
        lost_to_failures: h(e.accounts.lost[1]),
        rounding: h(e.accounts.rounding),
        allocated: e.recorder.allocated / GPU_US_PER_H,
    };
    PolicyResult {
        policy: spec.name(),
        placement: opts.placement.name().to_string(),
        jct_s: all.jct_s,
        queue_delay_s: all.queue_delay_s,
        slowdown: all.slowdown,
        makespan_s: makespan,
        utilisation: e.recorder.occupied / (gpus.max(1) as f64 * span_us),
        fragmentation: if e.recorder.waiting_time > 0.0 {
            e.recorder.unusable / e.recorder.waiting_time / gpus.max(1) as f64
        } else {
            0.0
        },
        preemptions: all.preemptions,
        job_failures: e.job_failures,
        gpu_hours_lost: all.gpu_hours_lost,
        gpu_time,
        mean_jobs_in_system: e.recorder.in_system / span_us,
        events: e.events,
        utilisation_series,
        queue_series,
        by_user: breakdown(&outcomes, users, |o| o.user),
        by_type: breakdown(&outcomes, types, |o| o.job_type),
        jobs: outcomes,
        segments: e.segments().cloned().collect(),
    }
}

fn outcome(e: &Engine<'_>, j: u32) -> JobOutcome {
    let (job, s) = (&e.jobs[j as usize], e.state(j));
    JobOutcome {
        submit_s: job.submit.secs(),
        start_s: s.first_start.unwrap_or(s.end).secs(),
        end_s: s.end.secs(),
        gpus: job.gpus,
        duration_s: job.duration.secs(),
        preemptions: s.preemptions,
        failures: s.failures,
        gpu_hours_lost: (s.lost[0] + s.lost[1]) as f64 / GPU_US_PER_H,
        user: job.user,
        job_type: job.job_type,
    }
}

/// Breakdowns by a label index; jobs whose index has no name go under `""`.
fn breakdown(
    outcomes: &[JobOutcome],
    names: &[String],
    of: impl Fn(&JobOutcome) -> u32,
) -> BTreeMap<String, Breakdown> {
    let mut groups: BTreeMap<u32, Vec<JobOutcome>> = BTreeMap::new();
    for o in outcomes {
        groups.entry(of(o)).or_default().push(*o);
    }
    groups
        .into_iter()
        .map(|(i, jobs)| (names.get(i as usize).cloned().unwrap_or_default(), Breakdown::of(&jobs)))
        .collect()
}

/// Seconds as simulated time.
pub fn secs(s: f64) -> SimTime {
    SimTime::from_secs(s)
}
