//! Ranges and sensitivities of the plan's headline figures.
//!
//! * **Ranges.** `central` is the headline at central inputs; `low` and `high` are the 10th and
//!   90th percentiles over a seeded Monte Carlo, each draw taking every disputed input (one with
//!   `low < high`) from a triangular distribution on its low / central / high. Draw `i` uses its
//!   own generator seeded from `(seed, i)`, so results do not depend on evaluation order.
//! * **Sensitivity (tornado).** Each disputed input moves alone to its low and then its high,
//!   everything else central; inputs are ranked by how far they move each headline.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde::Serialize;

use crate::params::ParamId;
use crate::plan::{Evaluation, evaluate};
use crate::scenario::Model;

/// A headline figure of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Headline {
    /// GPU packages in the whole plan.
    Gpus,
    /// GPU dies in the whole plan.
    Dies,
    /// Capex per GW of facility power.
    CapexPerGwUsd,
    /// The principal supplier's content per GW of facility power ([`Model::supplier`]).
    SupplierPerGwUsd,
}

impl Headline {
    /// Every headline, in display order.
    pub const ALL: [Headline; 4] =
        [Headline::Gpus, Headline::Dies, Headline::CapexPerGwUsd, Headline::SupplierPerGwUsd];

    /// Its value in an evaluation, with `supplier` the principal supplier.
    pub fn of(self, e: &Evaluation, supplier: &str) -> f64 {
        match self {
            Headline::Gpus => e.totals.gpus as f64,
            Headline::Dies => e.totals.dies as f64,
            Headline::CapexPerGwUsd => e.capex_per_gw_usd(),
            Headline::SupplierPerGwUsd => e.supplier_per_gw_usd(supplier),
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Headline::Gpus => "GPUs (packages)",
            Headline::Dies => "GPU dies",
            Headline::CapexPerGwUsd => "capex per GW",
            Headline::SupplierPerGwUsd => "supplier content per GW",
        }
    }

    /// Human label with the principal supplier named ("NVIDIA content per GW").
    pub fn label_for(self, supplier: &str) -> String {
        match self {
            Headline::SupplierPerGwUsd => format!("{supplier} content per GW"),
            h => h.label().to_string(),
        }
    }

    /// JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Headline::Gpus => "gpus",
            Headline::Dies => "dies",
            Headline::CapexPerGwUsd => "capex_per_gw_usd",
            Headline::SupplierPerGwUsd => "supplier_per_gw_usd",
        }
    }
}

/// A low / central / high range of an output.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Range {
    /// 10th percentile over the draws.
    pub low: f64,
    /// Value at central inputs.
    pub central: f64,
    /// 90th percentile over the draws.
    pub high: f64,
}

/// Percentile `p` (0–100) of sorted values, linearly interpolated between order statistics.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

/// The stream seed of draw `i` under `seed` (SplitMix64 finaliser over both).
pub fn stream_seed(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Monte Carlo P10 / central / P90 of every headline.
pub fn ranges(model: &Model, central: &Evaluation, draws: usize, seed: u64) -> Vec<(Headline, Range)> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(draws); Headline::ALL.len()];
    for i in 0..draws {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(stream_seed(seed, i as u64));
        let e = evaluate(model, &model.params.sample(&mut rng));
        for (h, s) in Headline::ALL.iter().zip(samples.iter_mut()) {
            s.push(h.of(&e, &model.supplier));
        }
    }
    Headline::ALL
        .iter()
        .zip(samples)
        .map(|(h, mut s)| {
            s.sort_by(f64::total_cmp);
            (
                *h,
                Range {
                    low: percentile(&s, 10.0),
                    central: h.of(central, &model.supplier),
                    high: percentile(&s, 90.0),
                },
            )
        })
        .collect()
}

/// How one input moves one headline.
#[derive(Clone, Debug, Serialize)]
pub struct Swing {
    /// Input key.
    pub input: String,
    /// Input label.
    pub label: String,
    /// Unit of the input.
    pub unit: String,
    /// The input's low and high.
    pub input_low: f64,
    /// The input's high.
    pub input_high: f64,
    /// Headline with the input at its low.
    pub at_low: f64,
    /// Headline with the input at its high.
    pub at_high: f64,
    /// |at_high − at_low|.
    pub swing: f64,
}

/// The tornado of one headline: inputs that move it, largest swing first.
#[derive(Clone, Debug, Serialize)]
pub struct Tornado {
    /// The headline.
    pub headline: Headline,
    /// Its value at central inputs.
    pub central: f64,
    /// The input that moves it most, if any does.
    pub most_sensitive: Option<String>,
    /// Every input that moves it, largest swing first.
    pub swings: Vec<Swing>,
}

/// One-at-a-time sensitivity of every headline to every disputed input.
pub fn tornado(model: &Model, central: &Evaluation) -> Vec<Tornado> {
    let free: Vec<ParamId> = model.params.iter().filter(|(_, p)| p.is_free_range()).map(|(id, _)| id).collect();
    let cases: Vec<(ParamId, Evaluation, Evaluation)> = free
        .iter()
        .map(|&id| {
            let e = model.params.get(id).quantity.estimate;
            (
                id,
                evaluate(model, &model.params.central_with(id, e.low)),
                evaluate(model, &model.params.central_with(id, e.high)),
            )
        })
        .collect();
    Headline::ALL
        .iter()
        .map(|&h| {
            let mut swings: Vec<Swing> = cases
                .iter()
                .map(|(id, lo, hi)| {
                    let p = model.params.get(*id);
                    let (a, b) = (h.of(lo, &model.supplier), h.of(hi, &model.supplier));
                    Swing {
                        input: p.key.clone(),
                        label: p.label.clone(),
                        unit: p.unit.clone(),
                        input_low: p.quantity.estimate.low,
                        input_high: p.quantity.estimate.high,
                        at_low: a,
                        at_high: b,
                        swing: (b - a).abs(),
                    }
                })
                .filter(|s| s.swing > 1e-9 * (1.0 + h.of(central, &model.supplier).abs()))
                .collect();
            swings.sort_by(|a, b| b.swing.total_cmp(&a.swing).then_with(|| a.input.cmp(&b.input)));
            Tornado {
                headline: h,
                central: h.of(central, &model.supplier),
                most_sensitive: swings.first().map(|s| s.label.clone()),
                swings,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 50.0), 3.0);
        assert_eq!(percentile(&v, 100.0), 5.0);
        assert!((percentile(&v, 10.0) - 1.4).abs() < 1e-12);
    }

    #[test]
    fn stream_seeds_differ() {
        assert_ne!(stream_seed(0, 0), stream_seed(0, 1));
        assert_ne!(stream_seed(0, 0), stream_seed(1, 0));
    }
}
