//! The charts of `gigawatt power` (`gigawatt_power::PowerResults`): facility MW over one day
//! ([`ChartId::PowerDay`]), a histogram of the total's ramps ([`ChartId::PowerRamps`]) and the
//! total's spectrum on the 10 ms window ([`ChartId::PowerSpectrum`]), as in
//! `docs/models/power.md`. `gigawatt power --out` and `gigawatt report` draw the same charts.

use super::{Axis, Body, Chart, ChartId, Data, Mark, PALETTE, Series, Unit, XAxis, XyPlot};
use crate::fmt::{percent, power_mw, sig3};
use gigawatt_power::PowerResults;

/// Points a line is drawn with at most.
const MAX_POINTS: usize = 1440;

/// Every chart of a power run that has something to show, in [`ChartId::ALL`]'s order; `day_s`
/// (s from the start of the simulation) picks the day the MW chart shows, else the window's first.
pub fn power_charts(r: &PowerResults, day_s: Option<f64>) -> Vec<Chart> {
    [day_chart(r, day_s), ramp_histogram(r), spectrum_chart(r)].into_iter().flatten().collect()
}

/// Facility MW over one day: the total's minimum, mean and maximum per bucket, and each site's
/// mean (up to six sites).
pub fn day_chart(r: &PowerResults, day_s: Option<f64>) -> Option<Chart> {
    let g = r.grid?;
    let start = day_s.unwrap_or(g.t0).clamp(g.t0, g.end());
    let k0 = ((start - g.t0) / g.dt).floor() as usize;
    let k1 = (k0 + (86_400.0 / g.dt).round() as usize).min(g.n);
    if k1 <= k0 + 1 {
        return None;
    }
    let per = (k1 - k0).div_ceil(MAX_POINTS).max(1);
    let bucket = |s: &[f64], f: fn(&[f64]) -> f64| -> Data {
        Data::Points((k0..k1).step_by(per).map(|k| ((g.at(k) - start) / 3600.0, f(&s[k..(k + per).min(k1)]))).collect())
    };
    let max = |x: &[f64]| x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let min = |x: &[f64]| x.iter().cloned().fold(f64::INFINITY, f64::min);
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let total = &r.series.last()?.1;
    let mut series = vec![
        Series::new("total, highest", Mark::Line, bucket(total, max)).colored(PALETTE[3]),
        Series::new("total, lowest", Mark::Line, bucket(total, min)).colored(PALETTE[0]),
    ];
    if r.series.len() > 2 {
        for (i, (name, s)) in r.series.iter().take(r.series.len() - 1).take(6).enumerate() {
            series
                .push(Series::new(format!("{name}, mean"), Mark::Line, bucket(s, mean)).colored(PALETTE[(i + 4) % 10]));
        }
    }
    let bucket_s = per as f64 * g.dt;
    Some(Chart {
        id: ChartId::PowerDay.id(),
        title: format!("Facility power over day {}: peak {}, low {}", sig3(start / 86_400.0), power_mw(r.total.metrics.peak_mw), power_mw(r.total.metrics.min_mw)),
        subtitle: Some(format!(
            "{} · {} s series, highest and lowest per {} s · replica {} of seed {}",
            r.scenario.name,
            sig3(g.dt),
            sig3(bucket_s),
            r.replica,
            r.seed
        )),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("hour of the day", Unit::Other("h".into()))),
            y: Axis::new("facility power", Unit::Other("MW".into())).fitted(),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some("Failures drop a job's GPUs to idle for the restart; checkpoints pause compute; each step swings between compute and communication.".into()),
    })
}

/// How often the total ramps at each rate over the first ramp window.
pub fn ramp_histogram(r: &PowerResults) -> Option<Chart> {
    let g = r.grid?;
    let total = &r.series.last()?.1;
    let w = r.grid_limits.ramp_windows_s.first().copied().unwrap_or(g.dt);
    let step = ((w / g.dt).round() as usize).max(1);
    if total.len() <= step {
        return None;
    }
    let rates: Vec<f64> =
        (0..total.len() - step).map(|k| (total[k + step] - total[k]) / (step as f64 * g.dt)).collect();
    let top = rates.iter().fold(0.0f64, |a, &x| a.max(x.abs()));
    if top <= 0.0 {
        return None;
    }
    let bins = 20usize;
    let width = 2.0 * top / bins as f64;
    let mut counts = vec![0u64; bins];
    for x in &rates {
        counts[(((x + top) / width) as usize).min(bins - 1)] += 1;
    }
    let names: Vec<String> = (0..bins).map(|i| sig3(-top + width * (i as f64 + 0.5))).collect();
    Some(Chart {
        id: ChartId::PowerRamps.id(),
        title: format!("Ramps of the total over {} s: up to {} MW/s up, {} MW/s down", sig3(w), sig3(r.total.metrics.max_ramp_up_mw_per_s), sig3(r.total.metrics.max_ramp_down_mw_per_s)),
        subtitle: Some(format!("{} · {} windows · limit ±{} MW/s", r.scenario.name, crate::fmt::thousands(rates.len() as u64), sig3(r.grid_limits.ramp_limit_mw_per_s))),
        body: Body::Xy(XyPlot {
            x: XAxis::Categories { label: "ramp, MW/s (bin centre)".into(), names },
            y: Axis::new("windows", Unit::Count),
            y2: None,
            series: vec![Series::new("windows", Mark::Bar { stack: "n".into() }, Data::ByCategory(counts.iter().map(|&c| Some(c as f64)).collect())).colored(PALETTE[0])],
            label_bars: false,
        }),
        note: Some("Each bar counts the windows whose ramp falls in its bin; most sit near zero, the tails are the synchronous steps.".into()),
    })
}

/// The total's power spectrum on the 10 ms window (highest per bucket), log scale.
pub fn spectrum_chart(r: &PowerResults) -> Option<Chart> {
    let top_hz = r.grid_limits.band_hz[1].max(5.0);
    let pts: Vec<&(f64, f64)> = r.spectrum.iter().filter(|(f, p)| *f <= top_hz && *p > 0.0).collect();
    let total: f64 = r.spectrum.iter().map(|p| p.1).sum();
    if pts.is_empty() || total <= 0.0 {
        return None;
    }
    let per = pts.len().div_ceil(MAX_POINTS).max(1);
    let data: Vec<(f64, f64)> = pts
        .chunks(per)
        .map(|c| {
            let best = c.iter().fold((0.0, 0.0), |a, b| if b.1 > a.1 { **b } else { a });
            (best.0, 10.0 * (best.1 / total).log10())
        })
        .collect();
    let w = &r.total.spectrum_window;
    Some(Chart {
        id: ChartId::PowerSpectrum.id(),
        title: format!(
            "Spectrum of the total: {} of its energy in {}–{} Hz",
            percent(r.total.metrics.band_energy_share),
            r.grid_limits.band_hz[0],
            r.grid_limits.band_hz[1]
        ),
        subtitle: Some(format!(
            "{} · {} s at 10 ms from day {} · share of spectral energy per frequency bin",
            r.scenario.name,
            sig3(w.length_s),
            sig3(w.start_s / 86_400.0)
        )),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("frequency", Unit::Other("Hz".into()))),
            y: Axis::new("energy in the bin ÷ total", Unit::Other("dB".into())).fitted(),
            y2: None,
            series: vec![
                Series::new("|X(f)|² ÷ Σ|X|², dB (highest per bucket)", Mark::Line, Data::Points(data))
                    .colored(PALETTE[1]),
            ],
            label_bars: false,
        }),
        note: Some(format!("Limit: at most {} of the energy in the band.", percent(r.grid_limits.band_limit))),
    })
}

#[cfg(test)]
mod tests {
    use gigawatt_core::plan::evaluate;
    use gigawatt_core::{Catalog, SourceFile, load_scenario};
    use gigawatt_power::inputs::{PowerSettings, bundled_defaults_file, read_defaults};
    use gigawatt_power::{PowerOptions, PowerResults, power};

    use super::*;
    use crate::chart::{Body, Data};

    /// Llama 3's 16 K-GPU job over `days` at 1 s.
    fn llama3(days: f64) -> PowerResults {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/llama3-405b-16k.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let catalog = Catalog::bundled().unwrap();
        let model = load_scenario(&SourceFile::new("llama3.toml", text), &catalog).unwrap();
        let df = bundled_defaults_file();
        let settings = PowerSettings::from_model(&model, &read_defaults(&df).unwrap(), &df).unwrap();
        let options = PowerOptions {
            seed: model.seed,
            from_day: 0.0,
            to_day: days,
            resolution_s: 1.0,
            spectrum_at_s: None,
            prices: None,
        };
        power(&model, &catalog, &evaluate(&model, &model.params.central()), &settings, &options).unwrap()
    }

    fn points(c: &Chart, series: usize) -> Vec<(f64, f64)> {
        let Body::Xy(p) = &c.body else { panic!("an xy chart") };
        match &p.series[series].data {
            Data::Points(v) => v.clone(),
            other => panic!("points expected, found {other:?}"),
        }
    }

    #[test]
    fn a_power_run_draws_its_three_registered_charts() {
        let r = llama3(1.0);
        let charts = power_charts(&r, None);
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [ChartId::PowerDay.as_str(), ChartId::PowerRamps.as_str(), ChartId::PowerSpectrum.as_str()]);
        // The day chart spans the day in at most MAX_POINTS buckets, and its highest line holds
        // the total's peak (each bucket's maximum).
        let high = points(&charts[0], 0);
        assert!(high.len() <= MAX_POINTS && high.len() >= MAX_POINTS / 2, "{} buckets", high.len());
        assert!(high.last().unwrap().0 < 24.0 && high[0].0 == 0.0);
        let top = high.iter().fold(f64::NEG_INFINITY, |a, p| a.max(p.1));
        assert!((top - r.total.metrics.peak_mw).abs() < 1e-9, "{top} vs {}", r.total.metrics.peak_mw);
        // The ramp histogram counts every 1 s window once.
        let Body::Xy(p) = &charts[1].body else { panic!() };
        let Data::ByCategory(counts) = &p.series[0].data else { panic!() };
        let n: f64 = counts.iter().flatten().sum();
        assert_eq!(n as usize, 86_400 - 1);
        // Above the band's lower edge (below it lie the steps of stops and checkpoints), the
        // spectrum's strongest bin is the iteration's fundamental (1 / 5.9 s).
        let spec = points(&charts[2], 0);
        let peak = spec
            .iter()
            .filter(|p| p.0 >= r.grid_limits.band_hz[0])
            .fold((0.0, f64::NEG_INFINITY), |a, p| if p.1 > a.1 { *p } else { a });
        assert!((peak.0 - 1.0 / r.jobs[0].step_s).abs() < 0.01, "strongest at {} Hz", peak.0);
    }

    #[test]
    fn the_day_chart_shows_the_day_asked_for_and_nothing_without_a_series() {
        let r = llama3(2.0);
        let c = day_chart(&r, Some(86_400.0)).unwrap();
        assert!(c.title.starts_with("Facility power over day 1.00:"), "{}", c.title);
        let mut empty = r.clone();
        empty.grid = None;
        assert!(power_charts(&empty, None).iter().all(|c| c.id == ChartId::PowerSpectrum.as_str()));
    }
}
