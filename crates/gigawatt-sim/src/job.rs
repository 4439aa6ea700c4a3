//! Training jobs: their settings in simulation units, and the checkpoint arithmetic.
//!
//! A synchronous training job alternates compute and blocking checkpoint writes: `Δt` of compute,
//! then a write of `w`, so a cycle lasts `c = Δt + w`. Between two interruptions it runs one
//! *segment*. Its checkpoints fall at fixed offsets from the segment's start, so nothing about them
//! needs an event: when the segment ends after `len`, `k = ⌊len / c⌋` cycles completed and saved
//! `k·Δt` of work. If a failure ended it, the remaining `len − k·c` is lost (rework); if it ended
//! by a planned stop or at the end of the run, the job saves the work in progress first.
//!
//! Because the trajectory of failures, repairs and restarts does not depend on `Δt`, the same
//! segments evaluated for several intervals give the ETTR-versus-interval curve with common
//! random numbers at no extra simulation cost.
//!
//! The interval on `auto` is Young's `sqrt(2·w·M)`, `M` the job's MTBF from the interrupting
//! classes' rates. The closed form of the expected ETTR (Kokolis et al. 2024, reliability
//! reference §4.1) is `(1 − λ·(u0 + Δt/2)) / (1 + w/Δt)` with `λ = 1/M` and `u0` the time from a
//! failure to running again; it is maximised at `Δt* = −w + sqrt(w² + 2(1 − λ·u0)·w·M)`.

use gigawatt_core::simulation::{BlastRadius, CheckpointInterval, SimulationSpec, Spares};
use serde::Serialize;

use crate::fleet::Fleet;
use crate::time::{SimTime, US_PER_DAY, US_PER_H};

/// How a segment of running ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentEnd {
    /// A failure: the work since the last checkpoint is lost.
    Failure,
    /// A planned stop: the job saves a checkpoint first (one more write of `w`).
    Planned,
    /// The end of the job or of the run: the work in progress counts.
    End,
}

/// What one segment of running gave, in µs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// Compute that was saved.
    pub productive: u64,
    /// Time spent writing checkpoints (blocking).
    pub checkpoint: u64,
    /// Compute and writes lost to the failure.
    pub rework: u64,
    /// Checkpoints completed.
    pub checkpoints: u64,
}

/// Accounts one segment of `len` µs with compute `interval` and write `write` per cycle.
pub fn segment(len: u64, interval: u64, write: u64, end: SegmentEnd) -> Segment {
    let cycle = interval.saturating_add(write);
    if cycle == 0 {
        // Free checkpoints taken continuously: everything is saved.
        return Segment { productive: len, ..Segment::default() };
    }
    let k = len / cycle;
    let rest = len - k * cycle;
    let mut s = Segment { productive: k * interval, checkpoint: k * write, rework: 0, checkpoints: k };
    match end {
        SegmentEnd::Failure => s.rework = rest,
        SegmentEnd::Planned | SegmentEnd::End => {
            let saved = rest.min(interval);
            s.productive += saved;
            s.checkpoint += rest - saved;
            if end == SegmentEnd::Planned {
                s.checkpoint += write;
                s.checkpoints += 1;
            }
        }
    }
    s
}

/// Saved compute so far in a segment still running after `len` µs (completed cycles only).
pub fn saved_so_far(len: u64, interval: u64, write: u64) -> u64 {
    let cycle = interval.saturating_add(write);
    len.checked_div(cycle).map_or(len, |k| k * interval)
}

/// A job as the engine runs it.
#[derive(Clone, Debug, Serialize)]
pub struct JobModel {
    /// Name.
    pub name: String,
    /// Phase index.
    pub phase: usize,
    /// GPU packages it trains on.
    pub gpus: u64,
    /// Nodes it occupies.
    pub nodes: u32,
    /// Start.
    #[serde(skip)]
    pub start: SimTime,
    /// End (clipped to the simulated window).
    #[serde(skip)]
    pub end: SimTime,
    /// Compute between checkpoints.
    #[serde(skip)]
    pub interval: SimTime,
    /// Whether the interval is Young's (`auto`).
    pub interval_auto: bool,
    /// Blocking checkpoint write.
    #[serde(skip)]
    pub write: SimTime,
    /// Restart overhead after detection.
    #[serde(skip)]
    pub restart: SimTime,
    /// Time to swap a spare in.
    #[serde(skip)]
    pub swap: SimTime,
    /// Spare policy.
    pub spares: Spares,
    /// Planned interruptions per µs.
    #[serde(skip)]
    pub planned_per_us: f64,
    /// Interrupting failures per hour expected on the job's nodes (λ).
    pub interruptions_per_hour: f64,
    /// Rate-weighted mean time to detect an interrupting failure, seconds.
    pub mean_detect_s: f64,
    /// Share of the interrupting rate from classes that take hardware out of service on this
    /// job's platform (the others only crash the job: no spare to swap in).
    pub hardware_share: f64,
    /// The per-job failure classes (software, collectives): class index and cumulative rate per
    /// µs (the last is the job's own failure rate).
    #[serde(skip)]
    pub job_faults: Vec<(usize, f64)>,
    /// Factor on the failure rates of its nodes and per-job classes.
    pub rate_multiplier: f64,
    /// Rate of the extra failures on the nodes it holds when `rate_multiplier` is above 1, per µs.
    #[serde(skip)]
    pub node_fault_per_us: f64,
    /// Intervals of the sweep (empty when no sweep was asked for).
    #[serde(skip)]
    pub sweep: Vec<SimTime>,
}

impl JobModel {
    /// Builds the engine's view of a job for a window of `days`.
    pub fn new(spec: &SimulationSpec, index: usize, fleet: &Fleet, days: f64, sweep: bool) -> JobModel {
        let job = &spec.jobs[index];
        let phase = &fleet.phases[job.phase];
        let nodes = spec.job_nodes(job) as u32;
        let mut lambda = 0.0;
        let mut detect = 0.0;
        let mut hardware = 0.0;
        let ppn = phase.packages_per_node as f64;
        let m = job.rate_multiplier.as_ref().map_or(1.0, |q| q.estimate.central);
        let factor = spec.lemons.as_ref().map_or(1.0, |l| l.rate_factor.estimate.central);
        // The job's own nodes fail m times as often: above 1 by a process of its own over the nodes
        // it holds (at the ordinary rate), below 1 by thinning every draw on them (lemons included).
        let own = if m < 1.0 { nodes as f64 + phase.lemons_below(nodes) as f64 * (factor - 1.0) } else { nodes as f64 };
        for c in spec.classes.iter().filter(|c| c.interrupts) {
            // Failures anywhere in the blast-radius groups the job's nodes belong to reach it.
            let exposed_nodes = phase.exposure(nodes, c.blast_radius_on(phase.form));
            // Lemons among them fail `factor` times as often (the job sits on the lowest nodes).
            let lemon_extra = phase.lemons_below(exposed_nodes) as f64 * (factor - 1.0);
            let exposed = (exposed_nodes as f64 + lemon_extra + (m - 1.0) * own) * ppn;
            let r = spec.rate_per_package_hour(c, job.phase) * exposed.max(0.0);
            lambda += r;
            detect += r * c.detect_s.estimate.central;
            if c.blast_radius_on(phase.form) != BlastRadius::Job {
                hardware += r;
            }
        }
        // Classes that fail per job, whatever its size: a process of the job's own.
        let mut job_faults = Vec::new();
        let mut job_rate = 0.0;
        for (k, c) in spec.classes.iter().enumerate().filter(|(_, c)| c.interrupts) {
            let r = spec.rate_per_job_hour(c, index) * m;
            if r > 0.0 {
                job_rate += r;
                job_faults.push((k, job_rate / US_PER_H));
                lambda += r;
                detect += r * c.detect_s.estimate.central;
            }
        }
        let mean_detect_s = if lambda > 0.0 { detect / lambda } else { 0.0 };
        let hardware_share = if lambda > 0.0 { hardware / lambda } else { 0.0 };
        let w = job.checkpoint_write_s.estimate.central;
        let restart = job.restart_s.estimate.central;
        let swap = job.swap_s.estimate.central;
        let (interval_s, interval_auto) = match &job.checkpoint_interval {
            CheckpointInterval::Fixed(q) => (q.estimate.central, false),
            CheckpointInterval::Auto => (young_interval_s(w, lambda).max(w), true),
        };
        let end_day = job.days.map_or(days, |d| (job.start_day + d).min(days));
        let mut model = JobModel {
            name: job.name.clone(),
            phase: job.phase,
            gpus: job.gpus,
            nodes,
            start: SimTime::from_days(job.start_day),
            end: SimTime::from_days(end_day),
            interval: SimTime::from_secs(interval_s),
            interval_auto,
            write: SimTime::from_secs(w),
            restart: SimTime::from_secs(restart),
            swap: SimTime::from_secs(swap),
            spares: job.spares,
            planned_per_us: job.planned_per_day.estimate.central / US_PER_DAY as f64,
            interruptions_per_hour: lambda,
            mean_detect_s,
            hardware_share,
            job_faults,
            rate_multiplier: m,
            node_fault_per_us: (m - 1.0).max(0.0) * phase.node_rate_per_us * nodes as f64,
            sweep: Vec::new(),
        };
        if sweep {
            model.sweep = sweep_grid(model.optimal_interval_s(), w).into_iter().map(SimTime::from_secs).collect();
        }
        model
    }

    /// Mean time from an interrupting failure to running again with a spare at hand, seconds:
    /// detection, then the restart; a failure that takes hardware also waits for the spare's swap,
    /// which overlaps the relaunch (`max(restart, swap)`). This is the closed form's `u0`.
    pub fn recovery_s(&self) -> f64 {
        let (restart, swap) = (self.restart.secs(), self.swap.secs());
        self.mean_detect_s + restart + self.hardware_share * (swap - restart).max(0.0)
    }

    /// The closed form's expected ETTR at interval `interval_s`, never below 0.
    pub fn closed_form_ettr(&self, interval_s: f64) -> f64 {
        closed_form_ettr(self.interruptions_per_hour / 3600.0, self.recovery_s(), self.write.secs(), interval_s)
    }

    /// The interval that maximises the closed form, seconds.
    pub fn optimal_interval_s(&self) -> f64 {
        optimal_interval_s(self.interruptions_per_hour / 3600.0, self.recovery_s(), self.write.secs())
    }
}

/// Young's interval `sqrt(2·w·M)` in seconds for a write of `w_s` and `lambda_per_h` failures per
/// hour (unbounded rate 0 gives the longest representable interval).
pub fn young_interval_s(w_s: f64, lambda_per_h: f64) -> f64 {
    if lambda_per_h <= 0.0 {
        return 1e12;
    }
    let mtbf_s = 3600.0 / lambda_per_h;
    (2.0 * w_s * mtbf_s).sqrt().min(1e12)
}

/// `(1 − λ·(u0 + Δt/2)) / (1 + w/Δt)` with λ per second, clamped at 0.
pub fn closed_form_ettr(lambda_per_s: f64, u0_s: f64, w_s: f64, interval_s: f64) -> f64 {
    if interval_s <= 0.0 {
        return if w_s > 0.0 { 0.0 } else { (1.0 - lambda_per_s * u0_s).max(0.0) };
    }
    ((1.0 - lambda_per_s * (u0_s + interval_s / 2.0)) / (1.0 + w_s / interval_s)).max(0.0)
}

/// `Δt* = −w + sqrt(w² + 2(1 − λ·u0)·w·M)` in seconds, λ per second.
pub fn optimal_interval_s(lambda_per_s: f64, u0_s: f64, w_s: f64) -> f64 {
    if lambda_per_s <= 0.0 {
        return 1e12;
    }
    let m = 1.0 / lambda_per_s;
    let a = (1.0 - lambda_per_s * u0_s).max(0.0);
    (-w_s + (w_s * w_s + 2.0 * a * w_s * m).sqrt()).clamp(0.0, 1e12)
}

/// The sweep: 17 intervals from ¼× to 4× `center` in steps of 2^¼, keeping those at least `w`.
pub fn sweep_grid(center_s: f64, w_s: f64) -> Vec<f64> {
    (-8..=8).map(|k| center_s * 2f64.powf(k as f64 / 4.0)).filter(|&x| x >= w_s && x > 0.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_loses_the_work_since_the_last_checkpoint() {
        // Δt = 10, w = 2: cycles of 12. After 30: two cycles saved (20 of work), 6 lost.
        let s = segment(30, 10, 2, SegmentEnd::Failure);
        assert_eq!(s, Segment { productive: 20, checkpoint: 4, rework: 6, checkpoints: 2 });
        // Failing during the third write (at 35) loses the third interval and the partial write.
        let s = segment(35, 10, 2, SegmentEnd::Failure);
        assert_eq!(s.rework, 11);
    }

    #[test]
    fn a_planned_stop_saves_the_work_in_progress_with_one_more_write() {
        let s = segment(30, 10, 2, SegmentEnd::Planned);
        assert_eq!(s, Segment { productive: 26, checkpoint: 6, rework: 0, checkpoints: 3 });
        let s = segment(30, 10, 2, SegmentEnd::End);
        assert_eq!(s, Segment { productive: 26, checkpoint: 4, rework: 0, checkpoints: 2 });
        assert_eq!(segment(7, 0, 0, SegmentEnd::Failure).productive, 7);
        assert_eq!(saved_so_far(30, 10, 2), 20);
    }

    #[test]
    fn closed_form_matches_the_llama3_figure_and_never_goes_negative() {
        // λ = 419 / (54·24 h), w = 10 s, u0 = 5 min, Young's interval: 0.93.
        let lambda_h = 419.0 / (54.0 * 24.0);
        let dt = young_interval_s(10.0, lambda_h);
        assert!((dt - 471.9).abs() < 0.5, "{dt}");
        let e = closed_form_ettr(lambda_h / 3600.0, 300.0, 10.0, dt);
        assert!((e - 0.932).abs() < 0.001, "{e}");
        assert_eq!(closed_form_ettr(1.0, 300.0, 10.0, 60.0), 0.0);
        // Δt* is Young's when w ≪ M and u0 = 0.
        let opt = optimal_interval_s(1.0 / 36_000.0, 0.0, 1.0);
        assert!((opt / (2.0f64 * 36_000.0).sqrt() - 1.0).abs() < 0.01);
    }

    #[test]
    fn the_sweep_spans_a_quarter_to_four_times_the_optimum() {
        let g = sweep_grid(100.0, 1.0);
        assert_eq!(g.len(), 17);
        assert!((g[0] - 25.0).abs() < 1e-9 && (g[16] - 400.0).abs() < 1e-9 && (g[8] - 100.0).abs() < 1e-9);
        assert_eq!(sweep_grid(100.0, 50.0).len(), 13);
    }
}
