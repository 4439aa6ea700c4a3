//! What a replay measures, and the serialisable results.
//!
//! Per job: queueing delay (arrival to first start), job completion time (JCT, arrival to end),
//! bounded slowdown `max(JCT, τ) / max(run time, τ)` with τ = 10 s (Feitelson's bound, so that
//! jobs of a few seconds do not dominate the mean), preemptions and GPU-hours lost.
//! Over time: GPU utilisation (allocated GPUs over the cluster's), waiting jobs, and
//! fragmentation (free GPUs that no waiting job could use, while any job waits), accumulated in
//! fixed-width buckets as areas, so that no sampling misses a spike.

use std::collections::BTreeMap;

use gigawatt_sim::SimTime;
use serde::{Serialize, Serializer};

/// The bound τ of the bounded slowdown, in seconds.
pub const SLOWDOWN_BOUND_S: f64 = 10.0;

/// Mean and percentiles of a distribution (nearest rank).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Summary {
    /// The summary of `values` (sorted in place); zeros when empty.
    pub fn of(values: &mut [f64]) -> Summary {
        if values.is_empty() {
            return Summary::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let at = |q: f64| values[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        Summary { mean: values.iter().sum::<f64>() / n as f64, p50: at(0.5), p95: at(0.95), p99: at(0.99) }
    }
}

/// One job's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct JobOutcome {
    /// Arrival, seconds from the start of the trace.
    pub submit_s: f64,
    /// First start.
    pub start_s: f64,
    /// End.
    pub end_s: f64,
    /// GPUs.
    pub gpus: u32,
    /// Run time without interruptions.
    pub duration_s: f64,
    /// Times preempted.
    pub preemptions: u32,
    /// Times hit by a failure.
    pub failures: u32,
    /// GPU-hours lost to preemption overheads and failures.
    pub gpu_hours_lost: f64,
    /// User index.
    pub user: u32,
    /// Job type index.
    pub job_type: u32,
}

impl JobOutcome {
    /// Arrival to end.
    pub fn jct_s(&self) -> f64 {
        self.end_s - self.submit_s
    }

    /// Arrival to first start.
    pub fn queue_delay_s(&self) -> f64 {
        self.start_s - self.submit_s
    }

    /// Bounded slowdown.
    pub fn slowdown(&self) -> f64 {
        self.jct_s().max(SLOWDOWN_BOUND_S) / self.duration_s.max(SLOWDOWN_BOUND_S)
    }
}

/// Aggregates over a set of jobs (all, one user's, one type's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Breakdown {
    /// Jobs.
    pub jobs: u64,
    /// GPU-hours of work (GPUs × run time).
    pub gpu_hours: f64,
    /// Job completion time, seconds.
    pub jct_s: Summary,
    /// Queueing delay, seconds.
    pub queue_delay_s: Summary,
    /// Mean bounded slowdown.
    pub slowdown: f64,
    /// Preemptions.
    pub preemptions: u64,
    /// GPU-hours lost to preemption overheads and failures.
    pub gpu_hours_lost: f64,
}

impl Breakdown {
    /// The aggregates of `jobs`.
    pub fn of<'a>(jobs: impl IntoIterator<Item = &'a JobOutcome>) -> Breakdown {
        let (mut jct, mut delay) = (Vec::new(), Vec::new());
        let mut b = Breakdown::default();
        let mut slowdown = 0.0;
        for j in jobs {
            jct.push(j.jct_s());
            delay.push(j.queue_delay_s());
            slowdown += j.slowdown();
            b.jobs += 1;
            b.gpu_hours += f64::from(j.gpus) * j.duration_s / 3600.0;
            b.preemptions += u64::from(j.preemptions);
            b.gpu_hours_lost += j.gpu_hours_lost;
        }
        b.jct_s = Summary::of(&mut jct);
        b.queue_delay_s = Summary::of(&mut delay);
        b.slowdown = if b.jobs > 0 { slowdown / b.jobs as f64 } else { 0.0 };
        b
    }
}

/// A time series in fixed-width buckets: the bucket's start, and its time-average.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Series {
    /// Bucket width, seconds.
    pub step_s: f64,
    /// Time-averages, one per bucket from time 0.
    pub values: Vec<f64>,
}

/// GPU-time accounts of a run, in GPU-hours. Work in equals work done; allocated time is work
/// done, plus what was lost, plus GPUs allocated but not asked for (a gang rounded up to whole
/// nodes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct GpuTime {
    /// GPUs × run time asked for by the jobs.
    pub work_in: f64,
    /// GPUs × run time done.
    pub done: f64,
    /// Lost to preemption (checkpoint writes, restarts, work since the last checkpoint).
    pub lost_to_preemption: f64,
    /// Lost to failures (work since the last checkpoint, restarts).
    pub lost_to_failures: f64,
    /// Allocated but idle: gangs rounded up to whole nodes.
    pub rounding: f64,
    /// GPUs held by jobs × time (a shared GPU counts its jobs' shares).
    pub allocated: f64,
}

/// The results of one policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyResult {
    /// Policy name as given.
    pub policy: String,
    /// Placement name.
    pub placement: String,
    /// Job completion time, seconds.
    pub jct_s: Summary,
    /// Queueing delay, seconds.
    pub queue_delay_s: Summary,
    /// Mean bounded slowdown (τ = 10 s).
    pub slowdown: f64,
    /// Last job's end, seconds from the start of the trace.
    pub makespan_s: f64,
    /// Mean GPU utilisation (allocated GPUs over the cluster's) from time 0 to the makespan.
    pub utilisation: f64,
    /// Mean free GPUs no waiting job could use, over the time any job waited, as a share of the
    /// cluster's GPUs.
    pub fragmentation: f64,
    /// Preemptions.
    pub preemptions: u64,
    /// Failures that hit a running job.
    pub job_failures: u64,
    /// GPU-hours lost to preemption and failures.
    pub gpu_hours_lost: f64,
    /// GPU-time accounts.
    pub gpu_time: GpuTime,
    /// Mean jobs in the system (waiting or running), over 0 to the makespan.
    pub mean_jobs_in_system: f64,
    /// Events handled.
    pub events: u64,
    /// Utilisation over time.
    pub utilisation_series: Series,
    /// Waiting jobs over time.
    pub queue_series: Series,
    /// By user name.
    pub by_user: BTreeMap<String, Breakdown>,
    /// By job type.
    pub by_type: BTreeMap<String, Breakdown>,
    /// Every job's outcome, in trace order (not serialised: the per-job CSV carries it).
    #[serde(skip)]
    pub jobs: Vec<JobOutcome>,
    /// Every stretch a job held GPUs, when [`crate::ReplayOptions::log_segments`] (not serialised).
    #[serde(skip)]
    pub segments: Vec<crate::engine::Segment>,
}

/// Policies in the order they were asked for, serialised as one object keyed by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policies(pub Vec<PolicyResult>);

impl Serialize for Policies {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for p in &self.0 {
            m.serialize_entry(&p.policy, p)?;
        }
        m.end()
    }
}

/// Most buckets a [`Recorder`] keeps: past them it doubles its bucket width, merging pairs, so
/// that a run whose jobs end long after the last arrival (the span the width was chosen for)
/// keeps bounded memory (1 MiB) and work.
pub const MAX_BUCKETS: usize = 1 << 16;

/// Bucketed areas of the time series, advanced event by event.
#[derive(Clone, Debug)]
pub struct Recorder {
    step: u64,
    busy: Vec<f64>,
    waiting: Vec<f64>,
    last: SimTime,
    /// ∫ jobs in system dt (µs).
    pub in_system: f64,
    /// ∫ unusable free GPUs dt over the time any job waits (GPU-µs).
    pub unusable: f64,
    /// Time any job waits (µs).
    pub waiting_time: f64,
    /// ∫ GPUs held by jobs dt, in hundredths of a GPU × µs (a shared GPU counts its jobs' shares).
    pub allocated: f64,
    /// ∫ GPUs allocated dt (GPU-µs; a shared GPU counts whole while any job holds a share).
    pub occupied: f64,
}

impl Recorder {
    /// A recorder with buckets of `step`.
    pub fn new(step: SimTime) -> Recorder {
        Recorder {
            step: step.0.max(1),
            busy: Vec::new(),
            waiting: Vec::new(),
            last: SimTime::ZERO,
            in_system: 0.0,
            unusable: 0.0,
            waiting_time: 0.0,
            allocated: 0.0,
            occupied: 0.0,
        }
    }

    /// Accounts the state held since the last call up to `t`: `busy` GPUs allocated (a shared
    /// GPU whole), `held` hundredths of GPUs held by jobs, `waiting` jobs, `in_system` jobs,
    /// `unusable` free GPUs.
    pub fn advance(&mut self, t: SimTime, busy: u64, held: f64, waiting: u64, in_system: u64, unusable: u64) {
        let (mut from, to) = (self.last.0, t.0.max(self.last.0));
        let dt = (to - from) as f64;
        self.in_system += in_system as f64 * dt;
        self.allocated += held * dt;
        self.occupied += busy as f64 * dt;
        if waiting > 0 {
            self.waiting_time += dt;
            self.unusable += unusable as f64 * dt;
        }
        while from < to {
            while (from / self.step) as usize >= MAX_BUCKETS {
                self.coarsen();
            }
            let b = (from / self.step) as usize;
            let end = ((b as u64 + 1) * self.step).min(to);
            if self.busy.len() <= b {
                self.busy.resize(b + 1, 0.0);
                self.waiting.resize(b + 1, 0.0);
            }
            let d = (end - from) as f64;
            self.busy[b] += busy as f64 * d;
            self.waiting[b] += waiting as f64 * d;
            from = end;
        }
        self.last = SimTime(to);
    }

    /// Doubles the bucket width, each new bucket the sum of two old ones' areas.
    fn coarsen(&mut self) {
        self.step *= 2;
        for v in [&mut self.busy, &mut self.waiting] {
            let n = v.len().div_ceil(2);
            for i in 0..n {
                v[i] = v[2 * i] + v.get(2 * i + 1).copied().unwrap_or(0.0);
            }
            v.truncate(n);
        }
    }

    /// Utilisation and queue series for a cluster of `gpus`, at most `max_points` buckets each
    /// (adjacent buckets merged).
    pub fn series(&self, gpus: u64, max_points: usize) -> (Series, Series) {
        let mut merge = 1usize;
        while self.busy.len().div_ceil(merge) > max_points.max(1) {
            merge *= 2;
        }
        let width = self.step as f64 * merge as f64;
        let fold = |v: &[f64], scale: f64| -> Vec<f64> {
            v.chunks(merge).map(|c| c.iter().sum::<f64>() / width / scale).collect()
        };
        let step_s = width / 1e6;
        (
            Series { step_s, values: fold(&self.busy, gpus.max(1) as f64) },
            Series { step_s, values: fold(&self.waiting, 1.0) },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Summary::of(&mut v);
        assert_eq!((s.mean, s.p50, s.p95, s.p99), (50.5, 50.0, 95.0, 99.0));
    }

    #[test]
    fn a_recorder_splits_areas_across_buckets() {
        let mut r = Recorder::new(SimTime(10));
        r.advance(SimTime(25), 4, 400.0, 1, 2, 0);
        let (util, queue) = r.series(8, 100);
        assert_eq!(util.values, vec![0.5, 0.5, 0.25], "4 of 8 GPUs; the last bucket is half over");
        assert_eq!(queue.values[0], 1.0);
        assert_eq!(r.in_system, 50.0);
    }

    #[test]
    fn a_run_far_past_its_planned_span_keeps_bounded_buckets_and_every_area() {
        // Buckets of 10 µs, then a job that runs 40× longer than MAX_BUCKETS of them (a fuzzed
        // trace with a 350-year job took 5.7 GB before).
        let mut r = Recorder::new(SimTime(10));
        r.advance(SimTime(5), 2, 200.0, 0, 1, 0);
        let end = 10 * MAX_BUCKETS as u64 * 40;
        r.advance(SimTime(end), 8, 800.0, 1, 1, 0);
        assert!(r.busy.len() <= MAX_BUCKETS, "{}", r.busy.len());
        let area: f64 = r.busy.iter().sum();
        assert_eq!(area, 2.0 * 5.0 + 8.0 * (end - 5) as f64, "no area lost in merging");
        let (util, _) = r.series(8, 100);
        assert!(util.values.len() <= 100);
        assert!(util.values.iter().all(|&u| (0.0..=1.0).contains(&u)), "{:?}", util.values);
    }
}
