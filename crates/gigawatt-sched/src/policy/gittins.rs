//! The Gittins index over a distribution of job sizes (Tiresias' choice when the distribution is
//! known but not each job's size). With `S` a job's GPU-time, drawn from the workload's own
//! distribution, and `a` the GPU-time a job has attained, the index is
//!
//! ```text
//! G(a) = max over Δ of   P(S − a ≤ Δ | S > a) / E[min(S − a, Δ) | S > a]
//! ```
//!
//! the best chance of finishing per unit of service invested. Higher runs first. As in
//! Tiresias-G, the index is evaluated at the queue thresholds only (a job's priority is the index
//! at the lower bound of the queue its attained GPU-time has reached), with the candidate Δ on
//! the doubling grid from a minute of GPU-time; a running job is re-filed when it crosses a
//! threshold. A finer grid of priorities makes jobs preempt each other at every grid point and
//! thrash. The starvation guard is that of `tiresias`.

use gigawatt_sim::SimTime;

use super::{LasParams, Policy};
use crate::job::JobView;

/// Gittins index priority over an empirical distribution of GPU-seconds.
pub struct Gittins {
    /// Queue lower bounds: 0 and the thresholds, GPU-seconds.
    queues: Vec<f64>,
    /// Key per queue: 1/G scaled to milli-GPU-seconds (lower runs first).
    keys: Vec<u64>,
    starve_factor: f64,
}

/// The first point of the grid, in GPU-seconds.
const GRID_START: f64 = 60.0;

impl Gittins {
    /// The index over the sizes `gpu_seconds` (any order), with the queues of `params`.
    pub fn new(gpu_seconds: &[f64], params: LasParams) -> Gittins {
        let mut sizes: Vec<f64> = gpu_seconds.iter().copied().filter(|s| s.is_finite() && *s >= 0.0).collect();
        sizes.sort_by(f64::total_cmp);
        let top = sizes.last().copied().unwrap_or(GRID_START);
        let mut queues = vec![0.0];
        queues.extend(params.thresholds.iter().copied().filter(|t| t.is_finite() && *t > 0.0));
        queues.sort_by(f64::total_cmp);
        queues.dedup();
        // The service horizons Δ the index looks ahead to: a doubling grid and the queue bounds.
        let mut grid = queues.clone();
        let mut p = GRID_START;
        while p < top * 2.0 && grid.len() < 128 {
            grid.push(p);
            p *= 2.0;
        }
        grid.sort_by(f64::total_cmp);
        grid.dedup();
        let prefix: Vec<f64> = std::iter::once(0.0)
            .chain(sizes.iter().scan(0.0, |acc, &s| {
                *acc += s;
                Some(*acc)
            }))
            .collect();
        let keys = queues.iter().map(|&a| key_of(index(&sizes, &prefix, &grid, a))).collect();
        Gittins { queues, keys, starve_factor: params.starve_factor }
    }

    fn cell(&self, attained: f64) -> usize {
        self.queues.partition_point(|&g| g <= attained).saturating_sub(1)
    }
}

fn key_of(g: f64) -> u64 {
    if g > 0.0 { (1e3 / g).min(1e18) as u64 } else { u64::MAX }
}

/// G(a) over the sorted sizes, with Δ on the grid points above `a` (and ∞).
fn index(sizes: &[f64], prefix: &[f64], grid: &[f64], a: f64) -> f64 {
    // Conditioning on S > a divides numerator and denominator alike, so counts and sums over
    // the sizes above `a` give the ratio directly.
    let above = sizes.partition_point(|&s| s <= a);
    if above == sizes.len() {
        return 0.0;
    }
    // Σ_{s > a} (min(s, b) − a) = Σ_{a < s ≤ b} (s − a) + (count above b) × (b − a).
    let sum = |from: usize, to: usize| prefix[to] - prefix[from];
    grid.iter()
        .copied()
        .filter(|&b| b > a)
        .chain(std::iter::once(f64::INFINITY))
        .map(|b| {
            let upto = sizes.partition_point(|&s| s <= b);
            let done = (upto - above) as f64;
            let beyond = (sizes.len() - upto) as f64;
            let served = sum(above, upto) - done * a + if b.is_finite() { beyond * (b - a) } else { 0.0 };
            if served > 0.0 { done / served } else { 0.0 }
        })
        .fold(0.0, f64::max)
}

impl Policy for Gittins {
    fn name(&self) -> String {
        "gittins".into()
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn key(&self, job: &JobView) -> u64 {
        self.keys[self.cell(job.attained_gpu_s())]
    }

    fn rekey_after(&self, job: &JobView) -> Option<SimTime> {
        let a = job.attained_gpu_s();
        let next = self.queues.get(self.cell(a) + 1)?;
        Some(SimTime(SimTime::from_secs((next - a) / f64::from(job.gpus.max(1))).0.max(1)))
    }

    fn promote_after(&self, job: &JobView) -> Option<SimTime> {
        super::starvation_limit(self.starve_factor, job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_two_sizes_a_job_past_the_small_one_knows_it_is_large() {
        // Half the jobs take 100 GPU-s, half 10,000: a new job finishes at 100 with chance ½;
        // one that has passed 100 is surely large, so its index falls.
        let sizes: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 100.0 } else { 10_000.0 }).collect();
        let g = Gittins::new(&sizes, LasParams { thresholds: vec![100.0], starve_factor: 0.0 });
        let new = g.keys[g.cell(0.0)];
        let past = g.keys[g.cell(150.0)];
        assert!(new < past, "a new job ({new}) runs before one past the small size ({past})");
        // G(0) = P(S ≤ 100) / E[min(S, 100)] = 0.5 / 100.
        assert_eq!(new, key_of(0.5 / 100.0));
    }
}
