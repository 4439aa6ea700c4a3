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
    /// A fractional job's share of one GPU, in hundredths (1–99), packed onto a GPU shared
    /// with other fractional jobs of one node; 0 for a job of whole GPUs.
    pub share: u8,
    /// When the job's work stops being wanted ([`NO_DEADLINE`]: never). A job still waiting then
    /// leaves the queue unserved; a running one stops then, its remaining work unserved. Serving
    /// capacity for a demand that passes (an inference replica for an hour's traffic) is such a
    /// job.
    pub deadline: SimTime,
    /// Whether a preemptive policy may preempt it for a job with a better key (a frontier
    /// pre-training run may be marked not preemptible while research jobs are).
    pub preemptible: bool,
    /// Run time between its checkpoints when nodes fail (zero: the run's
    /// [`crate::Failures::checkpoint_interval`]); e.g. Young's interval for a large gang.
    pub checkpoint_interval: SimTime,
    /// Time it takes to restart after a preemption or a failure (`None`: the run's
    /// [`crate::ReplayOptions::restart`]); e.g. a frontier run's warm restart from hot spares.
    pub restart: Option<SimTime>,
    /// A job that arrives only when job `after` (an index earlier in the same list) has done all
    /// its work, at that moment: RL after its pre-training run. Its `submit` only places it in
    /// the list (give it the other job's, or any time before that job ends). If the other job
    /// never finishes its work, this one never arrives. Several jobs may wait for the same one.
    pub after: Option<u32>,
}

/// The deadline of a job that has none.
pub const NO_DEADLINE: SimTime = SimTime(u64::MAX);

impl Job {
    /// A job of whole GPUs.
    pub fn new(submit: SimTime, gpus: u32, duration: SimTime) -> Job {
        Job {
            submit,
            gpus,
            duration,
            user: 0,
            job_type: 0,
            priority: 0,
            share: 0,
            deadline: NO_DEADLINE,
            preemptible: true,
            checkpoint_interval: SimTime::ZERO,
            restart: None,
            after: None,
        }
    }

    /// The GPUs the job holds, in hundredths of a GPU: its share, or 100 per GPU.
    pub fn weight(&self) -> u128 {
        if self.share > 0 { u128::from(self.share) } else { u128::from(self.gpus) * 100 }
    }

    /// GPU-time the job needs, in hundredths of a GPU × microseconds.
    pub fn work(&self) -> u128 {
        self.weight() * u128::from(self.duration.0)
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
    /// Run time attained so far in all, promotions or not.
    pub run_time: SimTime,
    /// Priority.
    pub priority: i32,
}

impl JobView {
    /// GPU-seconds attained so far (since the last promotion).
    pub fn attained_gpu_s(&self) -> f64 {
        f64::from(self.gpus) * self.attained.secs()
    }
}
