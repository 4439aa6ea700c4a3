//! First come, first served: every job has the same key, so arrival order decides.

use super::Policy;
use crate::job::JobView;

/// First come, first served.
pub struct Fifo;

impl Policy for Fifo {
    fn name(&self) -> String {
        "fifo".into()
    }

    fn key(&self, _job: &JobView) -> u64 {
        0
    }
}
