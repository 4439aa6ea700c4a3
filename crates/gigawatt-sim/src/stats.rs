//! Summaries over Monte Carlo replicas: the mean, its 95% confidence interval, and the middle 95%
//! of single replicas.
//!
//! The confidence interval of the mean is `mean ± t(0.975, n−1) · s / sqrt(n)` with `s` the
//! sample standard deviation (Student's t for fewer than 31 replicas, 1.96 beyond). It says how
//! precisely the replicas pin the expected value down; the `spread95` pair — the 2.5th and 97.5th
//! percentiles of the replicas — says how much one run (one real deployment) can differ from it.

use serde::Serialize;

/// A metric over replicas.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stat {
    /// Mean over replicas.
    pub mean: f64,
    /// 95% confidence interval of the mean, `[lo, hi]`; `null` with a single replica.
    pub ci95: Option<[f64; 2]>,
    /// The middle 95% of single replicas: 2.5th and 97.5th percentiles, `[lo, hi]`.
    pub spread95: [f64; 2],
}

/// Two-sided 97.5% quantiles of Student's t for 1 … 30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

impl Stat {
    /// Summarises `values` (one per replica, in replica order; the sums run in that order, so
    /// the result does not depend on how replicas were scheduled).
    pub fn of(values: &[f64]) -> Stat {
        let n = values.len();
        if n == 0 {
            return Stat { mean: 0.0, ci95: None, spread95: [0.0, 0.0] };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let ci95 = (n > 1).then(|| {
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            let t = T975.get(n - 2).copied().unwrap_or(1.96);
            let half = t * (var / n as f64).sqrt();
            [mean - half, mean + half]
        });
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Stat { mean, ci95, spread95: [percentile(&sorted, 0.025), percentile(&sorted, 0.975)] }
    }

    /// The same summary with its confidence interval cut to the values the metric can take
    /// (`[0, 1]` for a ratio, `[0, ∞)` for a count): with few replicas the normal interval can
    /// otherwise reach past them.
    pub fn bounded(mut self, lo: f64, hi: f64) -> Stat {
        if let Some([a, b]) = self.ci95 {
            self.ci95 = Some([a.clamp(lo, hi), b.clamp(lo, hi)]);
        }
        self
    }
}

#[cfg(test)]
mod bounded_tests {
    use super::Stat;

    #[test]
    fn a_bounded_interval_never_leaves_the_metrics_range() {
        // Two replicas far apart: Student's t at 1 degree of freedom is 12.7.
        let s = Stat::of(&[0.99, 0.999]).bounded(0.0, 1.0);
        let [lo, hi] = s.ci95.unwrap();
        assert!(hi == 1.0 && (0.0..0.99).contains(&lo), "{s:?}");
        let s = Stat::of(&[0.0, 3.0]).bounded(0.0, f64::INFINITY);
        assert_eq!(s.ci95.unwrap()[0], 0.0);
        assert_eq!(s.mean, 1.5);
    }
}

/// The `q` quantile of sorted values, interpolating linearly between order statistics.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let x = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let i = x.floor() as usize;
            let f = x - i as f64;
            if i + 1 < n { sorted[i] + f * (sorted[i + 1] - sorted[i]) } else { sorted[n - 1] }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_replica_has_no_confidence_interval() {
        let s = Stat::of(&[3.0]);
        assert_eq!(s, Stat { mean: 3.0, ci95: None, spread95: [3.0, 3.0] });
    }

    #[test]
    fn confidence_interval_uses_students_t() {
        let s = Stat::of(&[1.0, 2.0, 3.0]);
        assert_eq!(s.mean, 2.0);
        let [lo, hi] = s.ci95.unwrap();
        assert!((hi - 2.0 - 4.303 / 3f64.sqrt()).abs() < 1e-12 && (2.0 - lo - (hi - 2.0)).abs() < 1e-12);
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let s = Stat::of(&v);
        assert_eq!(s.spread95, [2.5, 97.5]);
    }
}
