//! Units, scales and "nice" tick marks for chart axes.
//!
//! An axis picks a scale from the largest value it shows (GPUs in millions, dollars in billions)
//! and puts its ticks on round steps of 1, 2 or 5 × 10ⁿ of that scale, so labels stay short.

use crate::fmt;

/// The unit of the values on an axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A count (GPUs, racks): shown in thousands or millions when large.
    Count,
    /// US dollars: shown in thousands, millions, billions or trillions.
    Usd,
    /// Gigawatts.
    Gigawatts,
    /// A fraction (0.25) shown as a percentage (25 %).
    Percent,
    /// A count of something named (`tokens/s`, `GPU-hours`), scaled like [`Unit::Count`]:
    /// `peak demand (billion tokens/s)`.
    CountOf(String),
    /// Any other unit, named as it should appear (`days`, `minutes`, `failures/day`).
    Other(String),
}

impl Unit {
    /// The divisor and the scale's name for an axis whose largest magnitude is `max_abs`.
    pub fn scale(&self, max_abs: f64) -> (f64, String) {
        match self {
            Unit::Count if max_abs >= 1e6 => (1e6, "millions".into()),
            Unit::Count if max_abs >= 1e4 => (1e3, "thousands".into()),
            Unit::Count => (1.0, String::new()),
            Unit::Usd if max_abs >= 1e12 => (1e12, "US$ trillions".into()),
            Unit::Usd if max_abs >= 1e9 => (1e9, "US$ billions".into()),
            Unit::Usd if max_abs >= 1e6 => (1e6, "US$ millions".into()),
            Unit::Usd if max_abs >= 1e3 => (1e3, "US$ thousands".into()),
            Unit::Usd => (1.0, "US$".into()),
            Unit::Gigawatts if max_abs < 1.0 => (1e-3, "MW".into()),
            Unit::Gigawatts => (1.0, "GW".into()),
            Unit::Percent => (0.01, "%".into()),
            Unit::CountOf(u) if max_abs >= 1e12 => (1e12, format!("trillion {u}")),
            Unit::CountOf(u) if max_abs >= 1e9 => (1e9, format!("billion {u}")),
            Unit::CountOf(u) if max_abs >= 1e6 => (1e6, format!("million {u}")),
            Unit::CountOf(u) if max_abs >= 1e4 => (1e3, format!("thousand {u}")),
            Unit::CountOf(u) | Unit::Other(u) => (1.0, u.clone()),
        }
    }

    /// A single value written out for a label: `4.42 M`, `$54.2 B`, `2.50 GW`, `12.5%`.
    pub fn format(&self, x: f64) -> String {
        match self {
            Unit::Count => fmt::count(x),
            Unit::Usd => fmt::usd(x),
            Unit::Gigawatts => format!("{} GW", fmt::sig3(x)),
            Unit::Percent => fmt::percent(x),
            Unit::CountOf(u) => format!("{} {u}", fmt::count(x)),
            Unit::Other(u) => format!("{} {u}", fmt::number(x)),
        }
    }
}

/// The axis title: the label with the scale in parentheses (`GPUs online (millions)`).
pub fn axis_title(label: &str, scale_name: &str) -> String {
    if scale_name.is_empty() { label.to_string() } else { format!("{label} ({scale_name})") }
}

/// Ticks spanning `[min, max]`: the rounded bounds and the tick values.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// Lower end of the axis (a tick).
    pub lo: f64,
    /// Upper end of the axis (a tick).
    pub hi: f64,
    /// Distance between ticks.
    pub step: f64,
    /// The tick values, from `lo` to `hi`.
    pub values: Vec<f64>,
}

/// About `target` ticks on round steps covering `[min, max]`.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Ticks {
    let (mut min, mut max) = if min.is_finite() && max.is_finite() { (min, max) } else { (0.0, 1.0) };
    if min > max {
        std::mem::swap(&mut min, &mut max);
    }
    if max - min < 1e-12 * (1.0 + max.abs()) {
        // A flat series: open a window around it.
        let pad = if max == 0.0 { 1.0 } else { max.abs() * 0.1 };
        if max == 0.0 {
            max = pad;
        } else {
            min -= pad;
            max += pad;
        }
    }
    let raw = (max - min) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * mag;
    let k_lo = (min / step + 1e-9).floor() as i64;
    let k_hi = (max / step - 1e-9).ceil() as i64;
    let values: Vec<f64> = (k_lo..=k_hi).map(|k| clean(k as f64 * step, step)).collect();
    Ticks { lo: clean(k_lo as f64 * step, step), hi: clean(k_hi as f64 * step, step), step, values }
}

/// Rounds away floating-point noise below a hundredth of a step.
fn clean(x: f64, step: f64) -> f64 {
    let q = step / 100.0;
    let r = (x / q).round() * q;
    if r == 0.0 { 0.0 } else { r }
}

/// A tick label: the value in the axis's scale, with as many decimals as the step needs and
/// thousands separators (`0`, `2.5`, `1,000`, `−20`).
pub fn tick_label(value: f64, step: f64, divisor: f64) -> String {
    let v = value / divisor;
    let s = step / divisor;
    let decimals = if s >= 1.0 { 0 } else { ((-s.log10()).ceil() as usize).min(4) };
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text.clone(), None),
    };
    let int = int.parse::<u64>().map(fmt::thousands).unwrap_or(int);
    let body = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    };
    let zero = body.chars().all(|c| c == '0' || c == '.' || c == ',');
    if v < 0.0 && !zero { format!("−{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_land_on_round_steps_and_cover_the_data() {
        let t = nice_ticks(0.0, 4_361_000.0, 5);
        assert_eq!(t.step, 1_000_000.0);
        assert_eq!(t.values, vec![0.0, 1e6, 2e6, 3e6, 4e6, 5e6]);
        let t = nice_ticks(-12.3e9, 41.0e9, 5);
        assert_eq!(t.step, 2e10);
        assert!(t.lo <= -12.3e9 && t.hi >= 41.0e9);
        let t = nice_ticks(0.0, 0.87, 5);
        assert_eq!(t.step, 0.2);
        assert_eq!(t.values.last(), Some(&1.0));
    }

    #[test]
    fn flat_data_still_gets_an_axis() {
        let t = nice_ticks(5.0, 5.0, 5);
        assert!(t.lo < 5.0 && t.hi > 5.0);
        let t = nice_ticks(0.0, 0.0, 5);
        assert!(t.hi > 0.0);
    }

    #[test]
    fn labels_are_short_and_scaled() {
        assert_eq!(tick_label(2_000_000.0, 1e6, 1e6), "2");
        assert_eq!(tick_label(2_500_000.0, 5e5, 1e6), "2.5");
        assert_eq!(tick_label(-20e9, 1e10, 1e9), "−20");
        assert_eq!(tick_label(12_000.0, 2000.0, 1.0), "12,000");
        assert_eq!(tick_label(0.0, 0.2, 1.0), "0.0");
        assert_eq!(Unit::Usd.scale(5.4e10), (1e9, "US$ billions".to_string()));
        assert_eq!(Unit::Count.scale(4.4e6).1, "millions");
        assert_eq!(Unit::Gigawatts.scale(0.04), (1e-3, "MW".to_string()), "a cluster's power reads in MW");
        assert_eq!(tick_label(0.04, 0.01, 1e-3), "40");
        assert_eq!(axis_title("GPUs online", "millions"), "GPUs online (millions)");
    }
}
