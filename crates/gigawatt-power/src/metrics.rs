//! What the grid sees in a series: peak, minimum, mean and energy; the largest ramps over given
//! windows and how many times a ramp limit is exceeded; the largest sudden drop against a stated
//! limit; and the share of spectral energy in a critical band, by FFT (`rustfft`).
//!
//! ```text
//! ramp_W[k]  = (P[k + W/Δ] − P[k]) / W                      MW/s, over a window W
//! drop_W[k]  = max(P[k − W/Δ .. k]) − P[k]                   MW, within a window W
//! share      = Σ_{f ∈ band} |X(f)|² / Σ_{f > 0} |X(f)|²       X = DFT of P − mean(P), one-sided
//! ```
//!
//! An event is a maximal run of consecutive windows over the limit, so one long ramp counts once.

use std::collections::VecDeque;

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::Serialize;

use crate::model::GridSpec;

/// The largest ramps over one window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RampMetric {
    /// Window, s.
    pub window_s: f64,
    /// Largest rise, MW/s.
    pub max_up_mw_per_s: f64,
    /// Largest fall, MW/s (positive).
    pub max_down_mw_per_s: f64,
    /// Events whose ramp (up or down) exceeds the ramp limit.
    pub events_over_limit: u64,
}

/// The grid metrics of a series (the JSON keys of `gigawatt power`, per site and in total).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GridMetrics {
    /// The span covered, h.
    pub hours: f64,
    /// Highest draw, MW.
    pub peak_mw: f64,
    /// Lowest draw, MW.
    pub min_mw: f64,
    /// Mean draw, MW.
    pub mean_mw: f64,
    /// Energy, MWh (the integral of the series).
    pub energy_mwh: f64,
    /// The largest fall within the drop window, MW.
    pub largest_drop_mw: f64,
    /// Largest rise over the first ramp window, MW/s.
    pub max_ramp_up_mw_per_s: f64,
    /// Largest fall over the first ramp window, MW/s (positive).
    pub max_ramp_down_mw_per_s: f64,
    /// Share of spectral energy in the critical band, on the 10 ms window.
    pub band_energy_share: f64,
    /// Ramps over each window.
    pub ramps: Vec<RampMetric>,
    /// Drops larger than the drop limit (events).
    pub drops_over_limit: u64,
    /// Whether the band share exceeds its limit.
    pub band_over_limit: bool,
}

/// Counts maximal runs of `true` in `over`.
fn runs(over: impl Iterator<Item = bool>) -> u64 {
    let mut n = 0;
    let mut prev = false;
    for o in over {
        if o && !prev {
            n += 1;
        }
        prev = o;
    }
    n
}

/// The ramps of `x` (step `dt`) over a window of `window_s`, with events over `limit`.
pub fn ramps(x: &[f64], dt: f64, window_s: f64, limit: f64) -> RampMetric {
    let w = ((window_s / dt).round() as usize).max(1);
    let span = w as f64 * dt;
    let (mut up, mut down) = (0.0f64, 0.0f64);
    let rate = |k: usize| (x[k + w] - x[k]) / span;
    let n = x.len().saturating_sub(w);
    for k in 0..n {
        let r = rate(k);
        up = up.max(r);
        down = down.max(-r);
    }
    let events = runs((0..n).map(|k| rate(k).abs() > limit));
    RampMetric { window_s: span, max_up_mw_per_s: up, max_down_mw_per_s: down, events_over_limit: events }
}

/// The largest fall of `x` within `window_s` (a sliding maximum), and how many falls exceed
/// `limit` (events).
pub fn drops(x: &[f64], dt: f64, window_s: f64, limit: f64) -> (f64, u64) {
    let w = ((window_s / dt).round() as usize).max(1);
    let mut dq: VecDeque<usize> = VecDeque::new();
    let mut largest = 0.0f64;
    let mut over = Vec::with_capacity(x.len());
    for k in 0..x.len() {
        while dq.front().is_some_and(|&i| i + w < k) {
            dq.pop_front();
        }
        let drop = dq.front().map_or(0.0, |&i| x[i] - x[k]);
        largest = largest.max(drop);
        over.push(drop > limit);
        while dq.back().is_some_and(|&i| x[i] <= x[k]) {
            dq.pop_back();
        }
        dq.push_back(k);
    }
    (largest, runs(over.into_iter()))
}

/// Relative deviation below which a series counts as flat: summing bin integrals leaves rounding
/// noise of about 1e-16 of the level, whose spectrum is meaningless (a numerical tolerance, not a
/// property of the grid).
pub const FLAT_RELATIVE: f64 = 1e-9;

/// The one-sided power spectrum of `x − mean(x)` sampled every `dt`: `(frequency Hz, |X|²)` for
/// k = 1 … n/2. A series flat to [`FLAT_RELATIVE`] of its level has an all-zero spectrum.
pub fn spectrum(x: &[f64], dt: f64) -> Vec<(f64, f64)> {
    let n = x.len();
    if n < 2 {
        return Vec::new();
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let deviation = x.iter().fold(0.0f64, |a, &v| a.max((v - mean).abs()));
    if deviation <= FLAT_RELATIVE * mean.abs() {
        let df = 1.0 / (n as f64 * dt);
        return (1..=n / 2).map(|k| (k as f64 * df, 0.0)).collect();
    }
    let mut buf: Vec<Complex<f64>> = x.iter().map(|&v| Complex::new(v - mean, 0.0)).collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let df = 1.0 / (n as f64 * dt);
    (1..=n / 2).map(|k| (k as f64 * df, buf[k].norm_sqr())).collect()
}

/// Share of the spectrum's energy in `[band[0], band[1]]` Hz (0 for a flat series).
pub fn band_share(spec: &[(f64, f64)], band: [f64; 2]) -> f64 {
    let total: f64 = spec.iter().map(|p| p.1).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let inside: f64 = spec.iter().filter(|(f, _)| *f >= band[0] && *f <= band[1]).map(|p| p.1).sum();
    inside / total
}

/// The metrics of `x` (step `dt`) under `spec`, with the band share measured elsewhere.
pub fn grid_metrics(x: &[f64], dt: f64, spec: &GridSpec, band_energy_share: f64) -> GridMetrics {
    let n = x.len();
    let (peak, min, sum) =
        x.iter().fold((f64::NEG_INFINITY, f64::INFINITY, 0.0), |(p, m, s), &v| (p.max(v), m.min(v), s + v));
    let ramps: Vec<RampMetric> =
        spec.ramp_windows_s.iter().map(|&w| ramps(x, dt, w, spec.ramp_limit_mw_per_s)).collect();
    let (largest_drop_mw, drops_over_limit) = drops(x, dt, spec.drop_window_s, spec.drop_limit_mw);
    let first = ramps.first();
    GridMetrics {
        hours: n as f64 * dt / 3600.0,
        peak_mw: if n == 0 { 0.0 } else { peak },
        min_mw: if n == 0 { 0.0 } else { min },
        mean_mw: if n == 0 { 0.0 } else { sum / n as f64 },
        energy_mwh: sum * dt / 3600.0,
        largest_drop_mw,
        max_ramp_up_mw_per_s: first.map_or(0.0, |r| r.max_up_mw_per_s),
        max_ramp_down_mw_per_s: first.map_or(0.0, |r| r.max_down_mw_per_s),
        band_energy_share,
        ramps,
        drops_over_limit,
        band_over_limit: band_energy_share > spec.band_limit,
    }
}

/// Index of the largest change between consecutive points (the largest synchronous step).
pub fn largest_step(x: &[f64]) -> usize {
    let mut best = (0, 0.0f64);
    for k in 1..x.len() {
        let d = (x[k] - x[k - 1]).abs();
        if d > best.1 {
            best = (k, d);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_noise_on_a_flat_load_has_no_band_energy() {
        // A site without jobs: a constant load with the last-bit noise bin sums leave behind.
        let x: Vec<f64> = (0..60_000).map(|k| 4.76 + if k % 7 == 0 { 4.76 * 2e-16 } else { 0.0 }).collect();
        let spec = spectrum(&x, 0.01);
        assert_eq!(spec.len(), 30_000);
        assert_eq!(band_share(&spec, [0.1, 20.0]), 0.0);
        // A real swing of a millionth of the level is not noise.
        let y: Vec<f64> = (0..60_000).map(|k| 4.76 * (1.0 + 1e-6 * ((k / 300) % 2) as f64)).collect();
        assert!(band_share(&spectrum(&y, 0.01), [0.1, 20.0]) > 0.1);
    }

    #[test]
    fn ramps_and_drops_of_a_step() {
        let mut x = vec![100.0; 10];
        x.extend(vec![40.0; 10]);
        let r = ramps(&x, 1.0, 1.0, 30.0);
        assert_eq!((r.max_up_mw_per_s, r.max_down_mw_per_s, r.events_over_limit), (0.0, 60.0, 1));
        let r5 = ramps(&x, 1.0, 5.0, 30.0);
        assert_eq!((r5.max_down_mw_per_s, r5.events_over_limit), (12.0, 0));
        assert_eq!(drops(&x, 1.0, 1.0, 50.0), (60.0, 1));
        assert_eq!(drops(&x, 1.0, 1.0, 70.0), (60.0, 0));
    }

    #[test]
    fn a_pure_tone_puts_its_energy_at_its_frequency() {
        let dt = 0.01;
        let x: Vec<f64> = (0..6000).map(|k| (2.0 * std::f64::consts::PI * 2.0 * k as f64 * dt).sin()).collect();
        let s = spectrum(&x, dt);
        let peak = s.iter().cloned().fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
        assert!((peak.0 - 2.0).abs() < 1e-9);
        assert!((band_share(&s, [1.0, 3.0]) - 1.0).abs() < 1e-9);
        assert!(band_share(&s, [5.0, 20.0]) < 1e-9);
    }
}
