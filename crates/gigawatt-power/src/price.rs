//! Energy prices and carbon intensity by the hour, and what a series costs.
//!
//! An hourly series is a CSV file with a header naming its columns: `hour` (whole hours from the
//! start of the simulated window), `usd_per_mwh`, and optionally `g_co2_per_kwh`. Every hour of
//! the window must be there exactly once: a gap or a duplicate is an error naming its rows, and
//! gaps are filled (with the hour before) only when asked (`--fill`). Without a file each site
//! pays its flat price (its state's average, or the US average) and emits at its flat intensity.
//!
//! ```text
//! cost   = Σ_k P[k]·Δ/3600 · price(hour of k)       USD
//! carbon = Σ_k P[k]·Δ/3600 · 1000 · g(hour of k) / 1e6    t CO2
//! month  = 730.5 h (a twelfth of 365.25 days) from the start of the window
//! ```

use gigawatt_core::simulation::MAX_DAYS;
use gigawatt_core::{InputError, SourceFile};

/// The last hour a price series may give: the end of the longest simulation (`MAX_DAYS`), so that
/// a series, filled or not, holds at most that many hours.
pub const MAX_HOUR: u64 = MAX_DAYS as u64 * 24;
use serde::Serialize;

/// Hours in a month as the monthly totals count them (365.25 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.5;

/// An hourly series of prices (and, if given, carbon intensity).
#[derive(Clone, Debug, PartialEq)]
pub struct HourlySeries {
    /// The first hour it covers.
    pub first_hour: u64,
    /// USD/MWh for each hour from `first_hour`.
    pub usd_per_mwh: Vec<f64>,
    /// g CO2/kWh for each hour, when the file has the column.
    pub g_co2_per_kwh: Option<Vec<f64>>,
    /// Hours filled by `--fill`.
    pub filled_hours: u64,
    /// The file's name.
    pub file: String,
}

/// One data row: its hour, values, and byte span (for errors).
struct Row {
    line: usize,
    span: std::ops::Range<usize>,
    hour: u64,
    price: f64,
    carbon: Option<f64>,
}

/// Reads an hourly price series; `fill` fills gaps with the hour before.
pub fn read_hourly(file: &SourceFile, fill: bool) -> Result<HourlySeries, InputError> {
    let text: &str = &file.text;
    let mut lines = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let l = line.trim_end_matches('\r');
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        lines.push((i + 1, start, l));
    }
    let Some(&(_, hstart, header)) = lines.first() else {
        return Err(InputError::at_span(file, Some(0..0), "the price series is empty")
            .with_help("write a header `hour,usd_per_mwh` (and optionally `g_co2_per_kwh`), then one row per hour"));
    };
    let cols: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    let find = |name: &str| cols.iter().position(|c| c == name);
    let (Some(hc), Some(pc)) = (find("hour"), find("usd_per_mwh")) else {
        return Err(InputError::at_span(
            file,
            Some(hstart..hstart + header.len()),
            "the header must name the columns `hour` and `usd_per_mwh`",
        )
        .with_help(
            "e.g. `hour,usd_per_mwh,g_co2_per_kwh`; hour counts whole hours from the start of the simulated window",
        ));
    };
    let cc = find("g_co2_per_kwh");
    let mut rows: Vec<Row> = Vec::with_capacity(lines.len());
    for &(line, start, l) in &lines[1..] {
        let cells: Vec<(usize, &str)> = {
            let mut v = Vec::new();
            let mut at = 0;
            for c in l.split(',') {
                v.push((start + at, c));
                at += c.len() + 1;
            }
            v
        };
        let cell = |i: usize, what: &str| -> Result<(usize, &str), InputError> {
            cells.get(i).copied().ok_or_else(|| {
                InputError::at_span(file, Some(start..start + l.len()), format!("row {line} has no `{what}` value"))
                    .with_help(format!("every row has {} values, as the header", cols.len()))
            })
        };
        let number = |(at, c): (usize, &str), what: &str| -> Result<f64, InputError> {
            let t = c.trim();
            t.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                InputError::at_span(
                    file,
                    Some(at..at + c.len().max(1)),
                    format!("`{t}` is not a number ({what}, row {line})"),
                )
                .with_help("give a finite number")
            })
        };
        let (hat, htext) = cell(hc, "hour")?;
        let hour = htext.trim().parse::<u64>().map_err(|_| {
            InputError::at_span(
                file,
                Some(hat..hat + htext.len().max(1)),
                format!("`{}` is not a whole hour (row {line})", htext.trim()),
            )
            .with_help("hour counts whole hours from the start of the simulated window: 0, 1, 2, …")
        })?;
        if hour > MAX_HOUR {
            // No window reaches it, and filling the gap up to it would allocate without bound.
            return Err(InputError::at_span(
                file,
                Some(hat..hat + htext.len().max(1)),
                format!(
                    "hour {hour} is past the longest simulation ({MAX_DAYS} days, hours 0–{MAX_HOUR}) (row {line})"
                ),
            )
            .with_help("hour counts whole hours from the start of the simulated window: 0, 1, 2, …"));
        }
        let price = number(cell(pc, "usd_per_mwh")?, "usd_per_mwh")?;
        let carbon = match cc {
            Some(i) => {
                let c = cell(i, "g_co2_per_kwh")?;
                let v = number(c, "g_co2_per_kwh")?;
                if v < 0.0 {
                    return Err(InputError::at_span(
                        file,
                        Some(c.0..c.0 + c.1.len()),
                        format!("a carbon intensity cannot be negative, found {v} (row {line})"),
                    )
                    .with_help("give g CO2 per kWh, at least 0"));
                }
                Some(v)
            }
            None => None,
        };
        rows.push(Row { line, span: start..start + l.len(), hour, price, carbon });
    }
    if rows.is_empty() {
        return Err(InputError::at_span(
            file,
            Some(hstart..hstart + header.len()),
            "the price series has a header but no rows",
        )
        .with_help("add one row per hour of the window"));
    }
    rows.sort_by_key(|r| (r.hour, r.line));
    for w in rows.windows(2) {
        if w[0].hour == w[1].hour {
            return Err(InputError::at_span(file, Some(w[1].span.clone()), format!("hour {} appears twice, on rows {} and {}", w[1].hour, w[0].line, w[1].line))
                .with_help("keep one price per hour (--fill fills gaps, but which of two prices is right is not for the tool to guess)"));
        }
    }
    let mut filled = 0;
    if !fill {
        for w in rows.windows(2) {
            if w[1].hour != w[0].hour + 1 {
                let (a, b) = (w[0].hour + 1, w[1].hour - 1);
                let missing =
                    if a == b { format!("hour {a} is missing") } else { format!("hours {a}–{b} are missing") };
                return Err(InputError::at_span(
                    file,
                    Some(w[1].span.clone()),
                    format!(
                        "{missing}: a gap between rows {} (hour {}) and {} (hour {})",
                        w[0].line, w[0].hour, w[1].line, w[1].hour
                    ),
                )
                .with_help(
                    "add the missing hours, or pass --fill to fill each gap with the price of the hour before it",
                ));
            }
        }
    }
    let first_hour = rows[0].hour;
    let mut usd = Vec::with_capacity(rows.len());
    let mut carbon: Option<Vec<f64>> = cc.map(|_| Vec::with_capacity(rows.len()));
    for r in &rows {
        while first_hour + usd.len() as u64 <= r.hour {
            let gap = first_hour + (usd.len() as u64) < r.hour;
            let (p, c) = if gap {
                (*usd.last().expect("first row"), carbon.as_ref().and_then(|c| c.last().copied()))
            } else {
                (r.price, r.carbon)
            };
            if gap {
                filled += 1;
            }
            usd.push(p);
            if let (Some(v), Some(c)) = (carbon.as_mut(), c) {
                v.push(c);
            }
        }
    }
    Ok(HourlySeries {
        first_hour,
        usd_per_mwh: usd,
        g_co2_per_kwh: carbon,
        filled_hours: filled,
        file: file.name.clone(),
    })
}

impl HourlySeries {
    /// Checks that the series covers hours `from..to`; with `fill`, the first and last values are
    /// carried to the window's edges instead.
    pub fn check_covers(&mut self, from_hour: u64, to_hour: u64, fill: bool) -> Result<(), InputError> {
        let last = self.first_hour + self.usd_per_mwh.len() as u64;
        if self.first_hour <= from_hour && last >= to_hour {
            return Ok(());
        }
        if !fill {
            return Err(InputError::new(format!(
                "{}: the price series covers hours {}–{}, not the window's hours {}–{}",
                self.file,
                self.first_hour,
                last.saturating_sub(1),
                from_hour,
                to_hour.saturating_sub(1)
            ))
            .with_help("give prices for every hour of the window (--from/--to), or pass --fill to carry the first and last prices to its edges"));
        }
        while self.first_hour > from_hour {
            self.first_hour -= 1;
            self.usd_per_mwh.insert(0, self.usd_per_mwh[0]);
            if let Some(c) = self.g_co2_per_kwh.as_mut() {
                c.insert(0, c[0]);
            }
            self.filled_hours += 1;
        }
        while self.first_hour + (self.usd_per_mwh.len() as u64) < to_hour {
            self.usd_per_mwh.push(*self.usd_per_mwh.last().expect("not empty"));
            if let Some(c) = self.g_co2_per_kwh.as_mut() {
                c.push(*c.last().expect("not empty"));
            }
            self.filled_hours += 1;
        }
        Ok(())
    }

    fn at(v: &[f64], first: u64, hour: u64) -> f64 {
        let i = hour.saturating_sub(first) as usize;
        v[i.min(v.len() - 1)]
    }
}

/// Energy, cost and carbon over one month of the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthCost {
    /// Month index from the start of the simulation (months of 730.5 h).
    pub month: u64,
    /// Hours of the window in it.
    pub hours: f64,
    /// Energy, MWh.
    pub energy_mwh: f64,
    /// Cost, USD.
    pub cost_usd: f64,
    /// Emissions, t CO2.
    pub carbon_t: f64,
}

/// What a series costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnergyCost {
    /// Cost over the window, USD.
    pub cost_usd: f64,
    /// Mean price paid, USD/MWh.
    pub mean_usd_per_mwh: f64,
    /// Emissions over the window, t CO2.
    pub carbon_t: f64,
    /// By month.
    pub months: Vec<MonthCost>,
}

/// The price and carbon a site pays: an hourly series, or flat values.
#[derive(Clone, Copy, Debug)]
pub struct PriceSource<'a> {
    /// The hourly series, if given.
    pub hourly: Option<&'a HourlySeries>,
    /// Flat price, USD/MWh (used without a series).
    pub flat_usd_per_mwh: f64,
    /// Flat carbon intensity, g CO2/kWh (used when the series has no carbon column).
    pub flat_g_per_kwh: f64,
}

/// The cost and carbon of `mw` (step `dt` s, starting `t0` s after the start of the simulation).
pub fn energy_cost(mw: &[f64], t0: f64, dt: f64, src: PriceSource<'_>) -> EnergyCost {
    let mut months: Vec<MonthCost> = Vec::new();
    let (mut cost, mut carbon, mut energy) = (0.0, 0.0, 0.0);
    let h = dt / 3600.0;
    for (k, &p) in mw.iter().enumerate() {
        let t_h = (t0 + dt * k as f64) / 3600.0;
        let hour = t_h.floor().max(0.0) as u64;
        let (price, g) = match src.hourly {
            Some(s) => (
                HourlySeries::at(&s.usd_per_mwh, s.first_hour, hour),
                s.g_co2_per_kwh.as_ref().map_or(src.flat_g_per_kwh, |c| HourlySeries::at(c, s.first_hour, hour)),
            ),
            None => (src.flat_usd_per_mwh, src.flat_g_per_kwh),
        };
        let e = p * h;
        let (c, t) = (e * price, e * g / 1000.0);
        let month = (t_h / HOURS_PER_MONTH).floor().max(0.0) as u64;
        if months.last().is_none_or(|m| m.month != month) {
            months.push(MonthCost { month, hours: 0.0, energy_mwh: 0.0, cost_usd: 0.0, carbon_t: 0.0 });
        }
        let m = months.last_mut().expect("pushed");
        m.hours += h;
        m.energy_mwh += e;
        m.cost_usd += c;
        m.carbon_t += t;
        cost += c;
        carbon += t;
        energy += e;
    }
    EnergyCost {
        cost_usd: cost,
        mean_usd_per_mwh: if energy > 0.0 { cost / energy } else { 0.0 },
        carbon_t: carbon,
        months,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, fill: bool) -> Result<HourlySeries, InputError> {
        read_hourly(&SourceFile::new("prices.csv", text), fill)
    }

    #[test]
    fn gaps_and_duplicates_name_their_rows() {
        let e = read("hour,usd_per_mwh\n0,50\n1,60\n4,70\n", false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "prices.csv:4:1: hours 2–3 are missing: a gap between rows 3 (hour 1) and 4 (hour 4)"
        );
        let e = read("hour,usd_per_mwh\n0,50\n1,60\n1,70\n", false).unwrap_err();
        assert_eq!(e.to_string(), "prices.csv:4:1: hour 1 appears twice, on rows 3 and 4");
        assert!(
            read("hour,usd_per_mwh\n0,50\n1,60\n1,70\n", true).is_err(),
            "--fill does not choose between duplicates"
        );
        let e = read("hour,usd_per_mwh\n0,abc\n", false).unwrap_err();
        assert_eq!(e.to_string(), "prices.csv:2:3: `abc` is not a number (usd_per_mwh, row 2)");
    }

    #[test]
    fn fill_carries_the_hour_before_and_says_how_many() {
        let s = read("hour,usd_per_mwh,g_co2_per_kwh\n0,50,400\n3,80,300\n", true).unwrap();
        assert_eq!(s.usd_per_mwh, vec![50.0, 50.0, 50.0, 80.0]);
        assert_eq!(s.g_co2_per_kwh, Some(vec![400.0, 400.0, 400.0, 300.0]));
        assert_eq!(s.filled_hours, 2);
    }

    #[test]
    fn cost_is_energy_times_the_hours_price() {
        let s = read("hour,usd_per_mwh\n0,50\n1,100\n", false).unwrap();
        // 10 MW for two hours at 1-minute steps.
        let mw = vec![10.0; 120];
        let src = PriceSource { hourly: Some(&s), flat_usd_per_mwh: 0.0, flat_g_per_kwh: 400.0 };
        let c = energy_cost(&mw, 0.0, 60.0, src);
        assert!((c.cost_usd - (10.0 * 50.0 + 10.0 * 100.0)).abs() < 1e-6);
        assert!((c.carbon_t - 20.0 * 0.4).abs() < 1e-9);
        assert_eq!(c.months.len(), 1);
    }
}
