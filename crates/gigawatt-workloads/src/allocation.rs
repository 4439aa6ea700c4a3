//! Each month: split the GPUs online between training and inference by a named policy, then
//! serve the tiers in priority order.
//!
//! Costs are in GPU-seconds per output token: `k[t][p]` is what one output token/s of tier `t`
//! (its model mix, with the prefill its inputs need) takes on platform `p`. With `I_p` inference
//! GPUs on platform `p`, tier `t` alone could be served up to `C_t = Σ_p I_p / k[t][p]` tokens/s.
//! Serving in priority order with the unused fraction `ρ` of the inference fleet (starting at 1):
//!
//! ```text
//! served_t = min(D_t, ρ · C_t),   ρ ← ρ − served_t / C_t,   unmet_t = D_t − served_t
//! ```
//!
//! Policies: `fixed_share` gives inference a fixed share of every platform; `inference_first`
//! gives inference what peak demand needs (up to everything) and training the rest;
//! `training_reservations` gives each active run its GPUs first and inference the rest. Runs take
//! GPUs in file order; a run asking for more than is left gets what is left.

use serde::Serialize;

/// How the fleet is split between training and inference each month.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum Policy {
    /// Inference gets this share of every platform's GPUs; training the rest.
    FixedShare {
        /// Inference share, 0–1.
        inference_share: f64,
    },
    /// Inference gets what peak demand needs; training takes the rest.
    InferenceFirst,
    /// Training runs get their GPUs first; inference takes the rest.
    TrainingReservations,
}

impl Policy {
    /// The policy's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            Policy::FixedShare { .. } => "fixed_share",
            Policy::InferenceFirst => "inference_first",
            Policy::TrainingReservations => "training_reservations",
        }
    }
}

/// What an active training run asks for this month.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// A count of GPUs.
    Count(f64),
    /// A share of the GPUs online on the allowed platforms.
    Share(f64),
}

/// An active run's request and the platforms it may use.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRequest {
    /// What it asks for.
    pub request: Request,
    /// Per platform: whether the run may use it.
    pub allowed: Vec<bool>,
}

/// One tier's load this month.
#[derive(Clone, Debug, PartialEq)]
pub struct TierLoad {
    /// Peak output tokens/s.
    pub demand: f64,
    /// GPU-seconds per output token on each platform (∞ where the tier's models cannot run).
    pub cost: Vec<f64>,
}

/// The month's split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthAllocation {
    /// Inference GPUs per platform.
    pub inference_gpus: Vec<f64>,
    /// Training GPUs per run and platform.
    pub training_gpus: Vec<Vec<f64>>,
    /// Served output tokens/s per tier.
    pub served: Vec<f64>,
    /// Unmet output tokens/s per tier.
    pub unmet: Vec<f64>,
    /// Output tokens/s the inference GPUs could serve at this month's demand mix.
    pub capacity_tokens_per_s: f64,
    /// Fraction of the inference GPUs peak demand leaves unused.
    pub spare_fraction: f64,
}

/// Output tokens/s tier `t` alone could get from `inference` GPUs.
pub fn tier_capacity(inference: &[f64], cost: &[f64]) -> f64 {
    inference.iter().zip(cost).map(|(g, k)| if k.is_finite() && *k > 0.0 { g / k } else { 0.0 }).sum()
}

/// Serves tiers in the order given; returns served tokens/s per tier.
pub fn serve_by_priority(inference: &[f64], tiers: &[TierLoad]) -> Vec<f64> {
    serve_with_spare(inference, tiers).0
}

/// Serves tiers in the order given; returns served tokens/s per tier and the fraction of the
/// inference GPUs left unused.
pub fn serve_with_spare(inference: &[f64], tiers: &[TierLoad]) -> (Vec<f64>, f64) {
    let mut rho: f64 = 1.0;
    let served = tiers
        .iter()
        .map(|t| {
            let c = tier_capacity(inference, &t.cost);
            if c <= 0.0 || rho <= 0.0 {
                return 0.0;
            }
            let served = t.demand.min(rho * c);
            rho = (rho - served / c).max(0.0);
            served
        })
        .collect();
    (served, rho)
}

/// Output tokens/s the inference GPUs serve at the month's demand mix (equal weights when there
/// is no demand): with every tier spread over the platforms in the same proportions, serving the
/// tiers in the ratio of their demands uses up the fleet at `Σ w / Σ_t (w_t / C_t)`.
pub fn mix_capacity(inference: &[f64], tiers: &[TierLoad]) -> f64 {
    let total: f64 = tiers.iter().map(|t| t.demand).sum();
    let weight = |t: &TierLoad| if total > 0.0 { t.demand } else { 1.0 };
    let mut sum_w = 0.0;
    let mut sum_w_over_c = 0.0;
    for t in tiers {
        let w = weight(t);
        if w <= 0.0 {
            continue;
        }
        let c = tier_capacity(inference, &t.cost);
        if c <= 0.0 {
            return 0.0;
        }
        sum_w += w;
        sum_w_over_c += w / c;
    }
    if sum_w_over_c > 0.0 { sum_w / sum_w_over_c } else { 0.0 }
}

/// Splits one month's GPUs and serves the tiers.
pub fn allocate_month(online: &[f64], tiers: &[TierLoad], runs: &[RunRequest], policy: Policy) -> MonthAllocation {
    let np = online.len();
    let mut inference: Vec<f64> = match policy {
        Policy::FixedShare { inference_share } => online.iter().map(|g| g * inference_share).collect(),
        Policy::InferenceFirst => {
            let need: f64 = tiers
                .iter()
                .map(|t| {
                    let c = tier_capacity(online, &t.cost);
                    if c > 0.0 { t.demand / c } else { 0.0 }
                })
                .sum();
            online.iter().map(|g| g * need.min(1.0)).collect()
        }
        Policy::TrainingReservations => online.to_vec(),
    };
    let mut pool: Vec<f64> = match policy {
        Policy::TrainingReservations => online.to_vec(),
        _ => online.iter().zip(&inference).map(|(o, i)| (o - i).max(0.0)).collect(),
    };
    let mut training = Vec::with_capacity(runs.len());
    for run in runs {
        let mut take = vec![0.0; np];
        match run.request {
            Request::Count(n) => {
                let avail: f64 = (0..np).filter(|p| run.allowed[*p]).map(|p| pool[p]).sum();
                if avail > 0.0 {
                    let got = n.min(avail);
                    for p in (0..np).filter(|p| run.allowed[*p]) {
                        take[p] = got * pool[p] / avail;
                    }
                }
            }
            Request::Share(s) => {
                for p in (0..np).filter(|p| run.allowed[*p]) {
                    take[p] = (s * online[p]).min(pool[p]);
                }
            }
        }
        for p in 0..np {
            pool[p] -= take[p];
        }
        training.push(take);
    }
    if policy == Policy::TrainingReservations {
        inference = pool.iter().map(|g| g.max(0.0)).collect();
    }
    let (served, spare_fraction) = serve_with_spare(&inference, tiers);
    let unmet = tiers.iter().zip(&served).map(|(t, s)| (t.demand - s).max(0.0)).collect();
    MonthAllocation {
        capacity_tokens_per_s: mix_capacity(&inference, tiers),
        inference_gpus: inference,
        training_gpus: training,
        served,
        unmet,
        spare_fraction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tiers(d: &[f64]) -> Vec<TierLoad> {
        d.iter().enumerate().map(|(i, x)| TierLoad { demand: *x, cost: vec![1e-3 * (1.0 + i as f64), 2e-3] }).collect()
    }

    fn policies() -> impl Strategy<Value = Policy> {
        prop_oneof![
            (0.0..=1.0f64).prop_map(|s| Policy::FixedShare { inference_share: s }),
            Just(Policy::InferenceFirst),
            Just(Policy::TrainingReservations),
        ]
    }

    fn runs() -> Vec<RunRequest> {
        vec![
            RunRequest { request: Request::Count(5_000.0), allowed: vec![true, false] },
            RunRequest { request: Request::Share(0.2), allowed: vec![true, true] },
        ]
    }

    #[test]
    fn pro_is_served_first_when_capacity_binds() {
        let t = vec![TierLoad { demand: 100.0, cost: vec![0.01] }, TierLoad { demand: 100.0, cost: vec![0.01] }];
        // 1.5 GPUs serve 150 tok/s: the first tier gets all it asks, the second the rest.
        let s = serve_by_priority(&[1.5], &t);
        assert!((s[0] - 100.0).abs() < 1e-9 && (s[1] - 50.0).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn reservations_come_before_inference() {
        let a = allocate_month(&[10_000.0, 0.0], &tiers(&[1e9]), &runs(), Policy::TrainingReservations);
        assert_eq!(a.training_gpus[0][0], 5_000.0);
        assert_eq!(a.training_gpus[1][0], 2_000.0, "a 20% share of the 10,000 online");
        assert_eq!(a.inference_gpus[0], 3_000.0);
    }

    proptest! {
        #[test]
        fn more_gpus_never_lower_capacity(
            a in 0.0..1e6f64, b in 0.0..1e6f64, extra in 0.0..1e6f64,
            d in proptest::collection::vec(0.0..1e9f64, 1..4), policy in policies(),
        ) {
            let t = tiers(&d);
            let small = allocate_month(&[a, b], &t, &runs(), policy);
            let big = allocate_month(&[a + extra, b], &t, &runs(), policy);
            prop_assert!(big.capacity_tokens_per_s >= small.capacity_tokens_per_s * (1.0 - 1e-9) - 1e-6);
            let (s0, s1): (f64, f64) = (small.served.iter().sum(), big.served.iter().sum());
            prop_assert!(s1 >= s0 * (1.0 - 1e-9) - 1e-6);
        }

        #[test]
        fn more_demand_never_lowers_unmet_demand(
            g in 0.0..1e6f64, d in proptest::collection::vec(0.0..1e9f64, 1..4),
            which in 0usize..3, extra in 0.0..1e9f64, policy in policies(),
        ) {
            let t0 = tiers(&d);
            let mut d1 = d.clone();
            let j = which % d1.len();
            d1[j] += extra;
            let t1 = tiers(&d1);
            let a0 = allocate_month(&[g, g / 2.0], &t0, &runs(), policy);
            let a1 = allocate_month(&[g, g / 2.0], &t1, &runs(), policy);
            let (u0, u1): (f64, f64) = (a0.unmet.iter().sum(), a1.unmet.iter().sum());
            prop_assert!(u1 >= u0 * (1.0 - 1e-9) - 1e-6, "{} < {}", u1, u0);
        }

        #[test]
        fn served_plus_unmet_is_demand(
            g in 0.0..1e6f64, d in proptest::collection::vec(0.0..1e9f64, 1..4), policy in policies(),
        ) {
            let t = tiers(&d);
            let a = allocate_month(&[g, g], &t, &runs(), policy);
            for (i, tl) in t.iter().enumerate() {
                prop_assert!((a.served[i] + a.unmet[i] - tl.demand).abs() <= 1e-9 * tl.demand.max(1.0));
                prop_assert!(a.served[i] >= 0.0 && a.unmet[i] >= 0.0);
            }
            // Nothing is allocated twice.
            for p in 0..2 {
                let used: f64 = a.inference_gpus[p] + a.training_gpus.iter().map(|r| r[p]).sum::<f64>();
                prop_assert!(used <= g * (1.0 + 1e-9) + 1e-6);
            }
        }
    }
}
