//! A job as the scheduler sees it, and what a policy may know of it at a point in time.

use gigawatt_sim::SimTime;

/// A job to schedule: when it arrives, how many GPUs it needs at once (a gang), and how long it
/// runs on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// Arrival time.
    pub submit: SimTime,
    /// GPUs, all at once.
    pub gpus: u32,
    /// Run time on its GPUs, without interruptions.
    pub duration: SimTime,
    /// User index (into the trace's users).
    pub user: u32,
    /// Job type index (into the trace's types).
    pub job_type: u32,
    /// Priority: higher runs first under the `priority` policy.
    pub priority: i32,
}

impl Job {
    /// GPU-time the job needs, in GPU-microseconds.
    pub fn work(&self) -> u128 {
        u128::from(self.gpus) * u128::from(self.duration.0)
    }
}

/// What a policy sees of a job when it orders it.
#[derive(Clone, Copy, Debug)]
pub struct JobView {
    /// Arrival time.
    pub submit: SimTime,
    /// GPUs.
    pub gpus: u32,
    /// Total run time (policies that need job lengths use it: SJF, SRTF, EASY).
    pub duration: SimTime,
    /// Run time still to do.
    pub remaining: SimTime,
    /// Run time attained so far, counted since the job's last promotion by a starvation guard.
    pub attained: SimTime,
    /// Priority.
    pub priority: i32,
}

impl JobView {
    /// GPU-seconds attained so far (since the last promotion).
    pub fn attained_gpu_s(&self) -> f64 {
        f64::from(self.gpus) * self.attained.secs()
    }
}
