//! Least attained service, discretised in queues (Tiresias, NSDI'19): a job's priority is the
//! queue its attained service has reached. Queue 0 holds jobs below the first threshold, queue 1
//! those between the first and the second, and so on; a lower queue runs first and preempts
//! higher ones; within a queue, first come first served. Only crossing a threshold changes a
//! job's queue, so jobs are re-filed a few times each rather than continuously, which also keeps
//! a job from being preempted by one that has attained a moment less.
//!
//! * `las` counts attained run time (seconds);
//! * `tiresias` (2D-LAS) counts attained GPU-time (GPUs × seconds), so large jobs age faster.
//!
//! Starvation guard: a job that has run before and has waited `starve_factor` times its whole
//! attained run time is promoted: its attained service for the queues counts from zero again
//! (Tiresias' STARVELIMIT idea). 0 turns the guard off.

use gigawatt_sim::SimTime;

use super::Policy;
use crate::job::JobView;

/// What service is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Attained run time (seconds).
    Time,
    /// Attained GPU-time (GPU-seconds).
    GpuTime,
}

/// The queues of the queue-based policies.
#[derive(Clone, Debug, PartialEq)]
pub struct LasParams {
    /// Queue thresholds, ascending: seconds for `las`, GPU-seconds for `tiresias` and the
    /// Gittins grid's coarsest points.
    pub thresholds: Vec<f64>,
    /// Promote a job that has waited this many times its attained run time (0: never).
    pub starve_factor: f64,
}

impl Default for LasParams {
    /// Two thresholds, one hour and ten hours of service, and a guard at 10× the attained run
    /// time: assumptions (Tiresias evaluates two to a few queues; no default is published as a
    /// recommendation), listed as such in docs/models/replay.md.
    fn default() -> LasParams {
        LasParams { thresholds: vec![3_600.0, 36_000.0], starve_factor: 10.0 }
    }
}

/// Least attained service over discrete queues.
pub struct Las {
    service: Service,
    params: LasParams,
}

impl Las {
    /// The policy counting `service`, with queues `params`.
    pub fn new(service: Service, params: LasParams) -> Las {
        Las { service, params }
    }

    fn attained(&self, job: &JobView) -> f64 {
        match self.service {
            Service::Time => job.attained.secs(),
            Service::GpuTime => job.attained_gpu_s(),
        }
    }
}

impl Policy for Las {
    fn name(&self) -> String {
        match self.service {
            Service::Time => "las".into(),
            Service::GpuTime => "tiresias".into(),
        }
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn key(&self, job: &JobView) -> u64 {
        let a = self.attained(job);
        self.params.thresholds.iter().take_while(|&&t| t <= a).count() as u64
    }

    fn rekey_after(&self, job: &JobView) -> Option<SimTime> {
        let a = self.attained(job);
        let next = self.params.thresholds.iter().find(|&&t| t > a)?;
        let per_second = match self.service {
            Service::Time => 1.0,
            Service::GpuTime => f64::from(job.gpus.max(1)),
        };
        // At least a microsecond, so that the crossing is strictly later.
        Some(SimTime(SimTime::from_secs((next - a) / per_second).0.max(1)))
    }

    fn promote_after(&self, job: &JobView) -> Option<SimTime> {
        super::starvation_limit(self.params.starve_factor, job)
    }
}
