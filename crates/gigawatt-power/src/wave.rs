//! Exact bin averages of piecewise signals on a fixed grid: constants, the compute/communication
//! square wave, and linear ramps.
//!
//! A series is a `Vec<f64>` of averages over bins `[t0 + kΔ, t0 + (k+1)Δ)`. Each function here
//! adds a piece's *integral* over each bin it overlaps (so pieces can be summed in any order and
//! energy is conserved exactly); [`Grid::finish`] divides by `Δ`. Nothing is evaluated per
//! iteration: the square wave's integral over `[a, b)` is `lo·(b − a) + (hi − lo)·(F(b) − F(a))`
//! with `F(t) = ⌊u/T⌋·dT + min(u mod T, dT)`, `u = t − origin`, the compute time since the wave's
//! origin (period `T`, compute share `d`). A piece costs O(bins it covers + 1).

/// A fixed grid of bins: start, width and count (times in seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// Start of the first bin, s.
    pub t0: f64,
    /// Bin width, s.
    pub dt: f64,
    /// Number of bins.
    pub n: usize,
}

/// The square wave of a training step: `hi` for the first `duty·period` of each period from
/// `origin`, `lo` for the rest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SquareWave {
    /// Start of the first period, s.
    pub origin: f64,
    /// Period (step time), s.
    pub period: f64,
    /// Share of a period at `hi` (the compute share), 0–1.
    pub duty: f64,
    /// Level while computing.
    pub hi: f64,
    /// Level while communicating.
    pub lo: f64,
}

impl SquareWave {
    /// Time spent at `hi` from the origin to `t` (0 before the origin).
    pub fn high_time_until(&self, t: f64) -> f64 {
        let u = t - self.origin;
        if u <= 0.0 {
            return 0.0;
        }
        if self.period <= 0.0 {
            return u * self.duty;
        }
        let k = (u / self.period).floor();
        let r = u - k * self.period;
        k * self.duty * self.period + r.min(self.duty * self.period)
    }

    /// The integral of the wave over `[a, b)`.
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        self.lo * (b - a) + (self.hi - self.lo) * (self.high_time_until(b) - self.high_time_until(a))
    }

    /// The mean level over a whole period.
    pub fn mean(&self) -> f64 {
        self.lo + (self.hi - self.lo) * self.duty
    }
}

impl Grid {
    /// The grid from `start` to `end` in steps of `dt` (the last bin may run past `end`).
    pub fn new(start: f64, end: f64, dt: f64) -> Grid {
        let n = ((end - start) / dt - 1e-9).ceil().max(0.0) as usize;
        Grid { t0: start, dt, n }
    }

    /// End of the last bin, s.
    pub fn end(&self) -> f64 {
        self.t0 + self.dt * self.n as f64
    }

    /// Start of bin `k`, s.
    pub fn at(&self, k: usize) -> f64 {
        self.t0 + self.dt * k as f64
    }

    /// The bins `[a, b)` overlaps, clipped to the grid.
    fn bins(&self, a: f64, b: f64) -> std::ops::Range<usize> {
        if b <= a || self.n == 0 {
            return 0..0;
        }
        let lo = ((a - self.t0) / self.dt).floor().max(0.0) as usize;
        let hi = (((b - self.t0) / self.dt).ceil().max(0.0) as usize).min(self.n);
        lo.min(self.n)..hi
    }

    /// Calls `f(k, lo, hi)` for each bin `k` that `[a, b)` overlaps, with the overlap `[lo, hi)`.
    #[inline]
    fn each(&self, a: f64, b: f64, mut f: impl FnMut(usize, f64, f64)) {
        for k in self.bins(a, b) {
            let s = self.at(k);
            let (lo, hi) = (a.max(s), b.min(s + self.dt));
            if hi > lo {
                f(k, lo, hi);
            }
        }
    }

    /// Adds `level × overlap` of `[a, b)` to each bin of `acc`.
    pub fn add_const(&self, acc: &mut [f64], a: f64, b: f64, level: f64) {
        if level == 0.0 {
            return;
        }
        self.each(a, b, |k, lo, hi| acc[k] += level * (hi - lo));
    }

    /// Adds the integral of `wave` over the overlap of `[a, b)` with each bin.
    pub fn add_wave(&self, acc: &mut [f64], a: f64, b: f64, wave: &SquareWave) {
        self.each(a, b, |k, lo, hi| acc[k] += wave.integral(lo, hi));
    }

    /// Adds the integral of the line from `(a, va)` to `(b, vb)` over each bin it overlaps.
    pub fn add_linear(&self, acc: &mut [f64], a: f64, b: f64, va: f64, vb: f64) {
        if b <= a {
            return;
        }
        let slope = (vb - va) / (b - a);
        self.each(a, b, |k, lo, hi| {
            let mid = 0.5 * (lo + hi);
            acc[k] += (va + slope * (mid - a)) * (hi - lo);
        });
    }

    /// Turns bin integrals into bin averages.
    pub fn finish(&self, acc: &mut [f64]) {
        let inv = 1.0 / self.dt;
        for x in acc {
            *x *= inv;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wave_integral_is_its_mean_over_whole_periods_and_exact_within_one() {
        let w = SquareWave { origin: 1.0, period: 2.0, duty: 0.75, hi: 10.0, lo: 2.0 };
        assert!((w.integral(1.0, 9.0) - 8.0 * w.mean()).abs() < 1e-12);
        // From 1.0 to 2.5: 1.5 s high (10) = 15; from 2.5 to 3.0: 0.5 s low (2) = 1.
        assert!((w.integral(1.0, 3.0) - 16.0).abs() < 1e-12);
        assert!((w.integral(2.5, 3.0) - 1.0).abs() < 1e-12);
        assert_eq!(w.high_time_until(0.0), 0.0);
    }

    #[test]
    fn pieces_add_their_integrals_to_the_bins_they_cover() {
        let g = Grid::new(0.0, 10.0, 1.0);
        let mut acc = vec![0.0; g.n];
        g.add_const(&mut acc, 0.5, 2.5, 4.0);
        g.add_linear(&mut acc, 5.0, 7.0, 0.0, 2.0);
        let total: f64 = acc.iter().sum();
        assert!((total - (8.0 + 2.0)).abs() < 1e-12);
        g.finish(&mut acc);
        assert_eq!(&acc[..3], &[2.0, 4.0, 2.0]);
        assert!((acc[5] - 0.5).abs() < 1e-12 && (acc[6] - 1.5).abs() < 1e-12);
        // Pieces outside the grid are clipped.
        g.add_const(&mut acc, -5.0, -1.0, 1.0);
        g.add_const(&mut acc, 20.0, 30.0, 1.0);
        assert_eq!(acc[0], 2.0);
    }
}
