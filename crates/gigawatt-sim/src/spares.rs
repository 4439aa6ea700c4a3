//! Spare-pool sizing: per phase, the smallest pool of idle nodes at which every job drawing its
//! replacements from the phase (`spares = "phase"`) reaches a target availability or ETTR.
//!
//! A pool of `s` spares is simulated by cutting the phase's shared pool to its jobs' nodes plus
//! `s` (the phase's other nodes still fail and are repaired, but no job takes them), with the
//! run's seed and replicas, so every pool size sees the same random numbers. The metric of a pool
//! is the lowest mean over the phase's jobs. The search doubles the pool (0, 1, 2, 4, …, capped at
//! the phase's idle nodes) until the target is reached, then bisects between the last pool that
//! missed and the first that reached it: O(log idle nodes) simulations. Every pool simulated is a
//! point of the curve. The search assumes the metric does not fall as the pool grows (true in
//! expectation; with common random numbers it holds run to run except for noise at the plateau).

use std::collections::BTreeMap;

use gigawatt_core::Model;
use gigawatt_core::simulation::{Spares, SparesTarget};
use serde::Serialize;

use crate::Simulation;

/// One pool size simulated.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SparesPoint {
    /// Spare nodes in the phase's pool.
    pub spares: u32,
    /// Lowest mean availability over the phase's jobs.
    pub availability: f64,
    /// Lowest mean ETTR over the phase's jobs.
    pub ettr: f64,
    /// Whether this pool reaches the target.
    pub reached: bool,
}

/// The sizing of one phase's pool.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseSpares {
    /// Phase name.
    pub phase: String,
    /// Platform id.
    pub platform: String,
    /// The jobs that draw from the pool.
    pub jobs: Vec<String>,
    /// GPU packages per node.
    pub packages_per_node: u32,
    /// Most spares the phase can hold: its nodes less its jobs' and reserved spares.
    pub idle_nodes: u32,
    /// The smallest pool that reaches the target; `None` when even every idle node does not.
    pub spares: Option<u32>,
    /// Every pool simulated, by size.
    pub curve: Vec<SparesPoint>,
}

/// The sizing of every phase with `spares = "phase"` jobs.
#[derive(Clone, Debug, Serialize)]
pub struct SparesSizing {
    /// What the pools are sized for.
    pub target: SparesTarget,
    /// The phases sized.
    pub phases: Vec<PhaseSpares>,
}

/// Sizes the spare pool of each phase that has `spares = "phase"` jobs.
pub fn size_spares(sim: &Simulation, model: &Model, target: SparesTarget) -> SparesSizing {
    let mut phases = Vec::new();
    for (p, phase) in sim.fleet.phases.iter().enumerate() {
        let jobs: Vec<usize> =
            (0..sim.jobs.len()).filter(|&j| sim.jobs[j].phase == p && sim.jobs[j].spares == Spares::Phase).collect();
        if jobs.is_empty() {
            continue;
        }
        let idle = idle_nodes(sim, p);
        let evaluate = |s: u32| point(sim, model, p, &jobs, s, target);
        let (spares, curve) = search(idle, evaluate);
        phases.push(PhaseSpares {
            phase: phase.name.clone(),
            platform: phase.platform.clone(),
            jobs: jobs.iter().map(|&j| sim.jobs[j].name.clone()).collect(),
            packages_per_node: phase.packages_per_node,
            idle_nodes: idle,
            spares,
            curve,
        });
    }
    SparesSizing { target, phases }
}

/// Nodes of phase `p` that no job holds or reserves.
fn idle_nodes(sim: &Simulation, p: usize) -> u32 {
    let taken: u64 = sim
        .jobs
        .iter()
        .filter(|j| j.phase == p)
        .map(|j| {
            j.nodes as u64
                + match j.spares {
                    Spares::Reserved(r) => r,
                    Spares::Phase => 0,
                }
        })
        .sum();
    (sim.fleet.phases[p].nodes as u64).saturating_sub(taken) as u32
}

/// Simulates phase `p` with `s` spares: the lowest mean availability and ETTR over `jobs`.
fn point(sim: &Simulation, model: &Model, p: usize, jobs: &[usize], s: u32, target: SparesTarget) -> SparesPoint {
    let r = sim.with_phase_spares(p, s).run(model, &|| {});
    let low = |f: fn(&crate::results::JobResults) -> f64| jobs.iter().map(|&j| f(&r.jobs[j])).fold(1.0, f64::min);
    let availability = low(|j| j.availability.mean);
    let ettr = low(|j| j.ettr.mean);
    let reached = match target {
        SparesTarget::Availability(x) => availability >= x,
        SparesTarget::Ettr(x) => ettr >= x,
    };
    SparesPoint { spares: s, availability, ettr, reached }
}

/// The smallest `s` in `0..=max` whose point is reached, by doubling then bisection, and every
/// point evaluated, by `s`.
pub fn search(max: u32, mut evaluate: impl FnMut(u32) -> SparesPoint) -> (Option<u32>, Vec<SparesPoint>) {
    let mut seen: BTreeMap<u32, SparesPoint> = BTreeMap::new();
    let mut reached = |s: u32| seen.entry(s).or_insert_with(|| evaluate(s)).reached;
    let answer = 'found: {
        if reached(0) {
            break 'found Some(0);
        }
        let (mut lo, mut hi) = (0u32, 1u32.min(max));
        loop {
            if hi > lo && reached(hi) {
                break;
            }
            if hi >= max {
                break 'found None;
            }
            lo = hi;
            hi = hi.saturating_mul(2).min(max);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if reached(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    };
    (answer, seen.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threshold(t: u32) -> impl FnMut(u32) -> SparesPoint {
        move |s| SparesPoint { spares: s, availability: 0.0, ettr: 0.0, reached: s >= t }
    }

    #[test]
    fn the_search_finds_the_smallest_pool_that_reaches_the_target() {
        for max in [0, 1, 2, 3, 7, 8, 100, 1000] {
            for t in 0..=max + 1 {
                let (got, curve) = search(max, threshold(t));
                let want = (t <= max).then_some(t);
                assert_eq!(got, want, "max {max}, threshold {t}");
                assert!(curve.windows(2).all(|w| w[0].spares < w[1].spares), "sorted, no repeats");
                assert!(curve.len() as f64 <= 2.0 * (max as f64 + 2.0).log2() + 2.0, "{} points", curve.len());
            }
        }
    }
}
