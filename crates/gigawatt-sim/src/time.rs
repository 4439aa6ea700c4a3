//! Simulated time: whole microseconds since the start of a run.
//!
//! An integer cannot be NaN and is totally ordered, so the event queue's order is exact and a run
//! is reproducible bit for bit. A `u64` of microseconds spans 584,000 years; one microsecond is far
//! below any duration the model uses (checkpoint writes of a fraction of a second are the
//! shortest).

use std::fmt;

/// A point in simulated time, or a duration, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// Microseconds per second.
pub const US_PER_S: f64 = 1e6;
/// Microseconds per hour.
pub const US_PER_H: f64 = 3.6e9;
/// Microseconds per day.
pub const US_PER_DAY: u64 = 86_400_000_000;

/// Longest duration a conversion yields (about 31,700 years), so that sums cannot overflow.
const MAX_US: f64 = 1e18;

impl SimTime {
    /// The start of a run.
    pub const ZERO: SimTime = SimTime(0);

    /// A duration of `s` seconds, rounded to the microsecond (negative or NaN → 0, huge → capped).
    pub fn from_secs(s: f64) -> SimTime {
        SimTime::from_us(s * US_PER_S)
    }

    /// A duration of `h` hours, rounded to the microsecond.
    pub fn from_hours(h: f64) -> SimTime {
        SimTime::from_us(h * US_PER_H)
    }

    /// A duration of `d` days, rounded to the microsecond.
    pub fn from_days(d: f64) -> SimTime {
        SimTime::from_us(d * US_PER_DAY as f64)
    }

    fn from_us(us: f64) -> SimTime {
        // NaN stays NaN through `clamp` and casts to 0; the cast saturates.
        SimTime(us.clamp(0.0, MAX_US).round() as u64)
    }

    /// Seconds, as a float.
    pub fn secs(self) -> f64 {
        self.0 as f64 / US_PER_S
    }

    /// Hours, as a float.
    pub fn hours(self) -> f64 {
        self.0 as f64 / US_PER_H
    }

    /// `self + d`, saturating.
    pub fn plus(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// `self − earlier`, or 0 if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6} s", self.secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_microsecond_and_never_go_negative_or_nan() {
        assert_eq!(SimTime::from_secs(1.5), SimTime(1_500_000));
        assert_eq!(SimTime::from_hours(1.0), SimTime(3_600_000_000));
        assert_eq!(SimTime::from_days(1.0).0, US_PER_DAY);
        assert_eq!(SimTime::from_secs(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs(f64::NAN), SimTime::ZERO);
        assert!(SimTime::from_secs(f64::INFINITY).0 <= MAX_US as u64);
        assert_eq!(SimTime(5).since(SimTime(9)), SimTime::ZERO);
        assert_eq!(SimTime(u64::MAX).plus(SimTime(1)), SimTime(u64::MAX));
    }
}
