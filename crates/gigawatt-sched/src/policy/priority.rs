//! Priorities with preemption: the highest priority runs first and preempts lower ones; equal
//! priorities go first come, first served.

use super::Policy;
use crate::job::JobView;

/// Highest priority first, preemptive.
pub struct Priority;

impl Policy for Priority {
    fn name(&self) -> String {
        "priority".into()
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn key(&self, job: &JobView) -> u64 {
        // i32::MAX maps to 0 (first), i32::MIN to the largest key.
        (i64::from(i32::MAX) - i64::from(job.priority)) as u64
    }
}
