//! Scheduling policies: the order in which waiting jobs get GPUs, and whether a waiting job may
//! preempt a running one. One policy is one file behind the [`Policy`] trait; [`by_name`] is
//! the registry.
//!
//! A policy gives each job a key (lower runs first; ties go to the earlier arrival, then the
//! lower job number). The engine keeps the waiting jobs and the running jobs in ordered sets by
//! key, so that finding the next job or the worst running one is O(log n). A key may change
//! only at moments the policy announces ([`Policy::rekey_after`], [`Policy::promote_after`]),
//! when the engine re-files the job.

mod fifo;
mod gittins;
mod las;
mod priority;
mod sjf;

pub use fifo::Fifo;
pub use gittins::Gittins;
pub use las::{Las, LasParams, Service};
pub use priority::Priority;
pub use sjf::{Sjf, Srtf};

use gigawatt_sim::SimTime;

use crate::job::JobView;

/// A scheduling policy.
pub trait Policy: Send + Sync {
    /// The policy's name, as given on the command line.
    fn name(&self) -> String;

    /// Whether a waiting job with a better key preempts running jobs with worse ones.
    fn preemptive(&self) -> bool {
        false
    }

    /// The job's key now: lower runs first.
    fn key(&self, job: &JobView) -> u64;

    /// The order of running jobs, used to pick whom to preempt (the greatest goes first). It
    /// must keep its order while jobs run; by default the key when the job started.
    fn running_order(&self, job: &JobView, started: SimTime) -> u64 {
        let _ = started;
        self.key(job)
    }

    /// For a running job: the run time after which its key changes (a queue threshold).
    fn rekey_after(&self, _job: &JobView) -> Option<SimTime> {
        None
    }

    /// For a waiting job that has run before: the waiting time after which a starvation guard
    /// promotes it (its attained service then counts from zero again).
    fn promote_after(&self, _job: &JobView) -> Option<SimTime> {
        None
    }
}

/// The starvation guard of the queue-based policies: a job that has run before is promoted once
/// it has waited `factor` times its whole attained run time (never when `factor` is 0). The
/// limit counts all the run time, not the run time since the last promotion, so that a job
/// promoted and demoted again waits longer each time rather than cycling.
pub fn starvation_limit(factor: f64, job: &JobView) -> Option<SimTime> {
    if factor <= 0.0 || job.run_time == SimTime::ZERO {
        return None;
    }
    Some(SimTime::from_secs(factor * job.run_time.secs()))
}

/// A policy and whether EASY backfilling runs on top of its order.
pub struct PolicySpec {
    /// The order.
    pub policy: Box<dyn Policy>,
    /// EASY backfill: a later job may start now if it does not delay the first waiting job's
    /// reservation (durations are known: the trace's own).
    pub backfill: bool,
}

impl PolicySpec {
    /// The name as given: the order's, with `+easy` when backfilling.
    pub fn name(&self) -> String {
        if self.backfill { format!("{}+easy", self.policy.name()) } else { self.policy.name() }
    }
}

/// The policies `by_name` knows, with a line each.
pub const KNOWN: [(&str, &str); 9] = [
    ("fifo", "first come, first served; no preemption"),
    ("sjf", "shortest job first (durations known); no preemption"),
    ("srtf", "shortest remaining time first (durations known); preemptive"),
    ("las", "least attained service, discretised in queues by attained run time; preemptive"),
    ("tiresias", "Tiresias 2D-LAS: queues by attained GPU-time, starvation guard; preemptive"),
    ("gittins", "Gittins index over the trace's GPU-time distribution, by queue; preemptive"),
    ("priority", "highest priority first, ties first come; preemptive"),
    ("easy", "FIFO with EASY backfill (same as fifo+easy)"),
    ("NAME+easy", "any order above with EASY backfill on top (e.g. sjf+easy)"),
];

/// What the policies may be told about the workload before it starts.
#[derive(Clone, Debug, Default)]
pub struct PolicyContext {
    /// Parameters of the queue-based policies (LAS, Tiresias, Gittins).
    pub las: LasParams,
    /// GPU-seconds of every job of the workload, for the Gittins index's distribution.
    pub gpu_seconds: Vec<f64>,
}

/// The policy called `name` (`fifo`, `sjf+easy`, …); an unknown name gets the list of known ones.
pub fn by_name(name: &str, ctx: &PolicyContext) -> Result<PolicySpec, String> {
    let lower = name.trim().to_ascii_lowercase();
    let (base, backfill) = match lower.strip_suffix("+easy") {
        Some(b) => (b, true),
        None if lower == "easy" => ("fifo", true),
        None => (lower.as_str(), false),
    };
    let policy: Box<dyn Policy> = match base {
        "fifo" => Box::new(Fifo),
        "sjf" => Box::new(Sjf),
        "srtf" => Box::new(Srtf),
        "las" => Box::new(Las::new(Service::Time, ctx.las.clone())),
        "tiresias" | "2d-las" => Box::new(Las::new(Service::GpuTime, ctx.las.clone())),
        "gittins" => Box::new(Gittins::new(&ctx.gpu_seconds, ctx.las.clone())),
        "priority" => Box::new(Priority),
        _ => {
            let known: Vec<String> = KNOWN.iter().map(|(n, h)| format!("  {n:<10} {h}")).collect();
            return Err(format!("unknown policy `{name}`; the policies are:\n{}", known.join("\n")));
        }
    };
    Ok(PolicySpec { policy, backfill })
}
