//! Shortest job first, and its preemptive form, shortest remaining time first. Both need job
//! lengths: a trace replay knows them.

use gigawatt_sim::SimTime;

use super::Policy;
use crate::job::JobView;

/// Shortest job first, by run time; a started job runs to its end.
pub struct Sjf;

impl Policy for Sjf {
    fn name(&self) -> String {
        "sjf".into()
    }

    fn key(&self, job: &JobView) -> u64 {
        job.duration.0
    }
}

/// Shortest remaining time first: a job arriving with less to do than a running job has left
/// preempts it.
pub struct Srtf;

impl Policy for Srtf {
    fn name(&self) -> String {
        "srtf".into()
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn key(&self, job: &JobView) -> u64 {
        job.remaining.0
    }

    /// The expected end: while jobs run, the one that ends last has the most left.
    fn running_order(&self, job: &JobView, started: SimTime) -> u64 {
        started.0.saturating_add(job.remaining.0)
    }
}
