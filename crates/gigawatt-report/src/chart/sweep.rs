//! Charts of a sweep (`gigawatt sweep`, `docs/sweep.md`), from its per-point summary: a metric
//! against one axis with its P10 – P90 band over the replicas, and a tornado of a one-at-a-time
//! sweep. The inputs are plain numbers, so this crate does not read Parquet: the command line
//! turns `summary.parquet`'s rows into them.

use super::{Axis, Body, Chart, ChartId, Data, Mark, Series, TornadoPlot, TornadoRow, Unit, XAxis, XyPlot};
use crate::fmt;

/// (axis value, P10, P50, P90) of a metric at one point.
pub type BandPoint = (f64, f64, f64, f64);

/// A metric's P10, P50 and P90 at each value of one axis, the other axes held.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSlice {
    /// The sweep's name.
    pub sweep: String,
    /// The axis (column name).
    pub axis: String,
    /// The metric (column name).
    pub metric: String,
    /// Replicas per point.
    pub replicas: u64,
    /// Where the other axes are held (`restart_s = 300, rate_multiplier = 1`), if any.
    pub held: Option<String>,
    /// (axis value, P10, P50, P90), in increasing axis value: one line.
    pub points: Vec<BandPoint>,
    /// Lines by the value of a text or boolean axis (`policy = sjf`) in place of `points`: each
    /// with its band, in its own colour.
    pub lines: Vec<(String, Vec<BandPoint>)>,
}

/// One axis of a one-at-a-time sweep: the metric (P50) at the axis' lowest and highest values.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSwing {
    /// The axis (column name).
    pub axis: String,
    /// Its lowest value.
    pub low: f64,
    /// Its highest value.
    pub high: f64,
    /// The metric at the lowest value.
    pub at_low: f64,
    /// The metric at the highest value.
    pub at_high: f64,
}

/// A one-at-a-time sweep of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct OneAtATime {
    /// The sweep's name.
    pub sweep: String,
    /// The metric (column name).
    pub metric: String,
    /// The metric (P50) at the base scenario.
    pub base: f64,
    /// Each axis' swing.
    pub swings: Vec<AxisSwing>,
}

/// The unit a metric's name says it has (`…_usd` is dollars, `gpus` a count); else none.
pub fn unit_of(name: &str) -> Unit {
    let n = name.to_ascii_lowercase();
    if n.contains("usd") {
        Unit::Usd
    } else if n.ends_with("gpus") || n.ends_with("dies") || n.ends_with("racks") || n.ends_with("systems") {
        Unit::Count
    } else {
        Unit::Other(String::new())
    }
}

/// An axis value as a label: in the unit its name says (`$5.00 M`), else the bare number.
fn value_text(axis: &str, x: f64) -> String {
    match unit_of(axis) {
        Unit::Other(u) if u.is_empty() => fmt::number(x),
        unit => unit.format(x),
    }
}

/// A file-name-safe form of a column name: `jobs[0].ettr.mean` → `jobs-0-ettr-mean`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The metric against the axis: its median over the replicas as a line, P10 – P90 as a band.
pub fn metric_against_axis(s: &AxisSlice) -> Chart {
    let lines: Vec<(Option<&str>, &[BandPoint])> = if s.lines.is_empty() {
        vec![(None, &s.points)]
    } else {
        s.lines.iter().map(|(label, points)| (Some(label.as_str()), points.as_slice())).collect()
    };
    let mut series = Vec::new();
    for (k, (label, points)) in lines.iter().enumerate() {
        let color = super::PALETTE[k % super::PALETTE.len()];
        let band: Vec<(f64, f64, f64)> = points.iter().map(|p| (p.0, p.1, p.3)).collect();
        let median: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.2)).collect();
        let (band_name, line_name) = match label {
            Some(l) => (format!("{l}: P10 – P90"), (*l).to_string()),
            None => ("P10 – P90".to_string(), "P50".to_string()),
        };
        series.push(Series::new(band_name, Mark::Area, Data::Band(band)).colored(color));
        series.push(Series::new(line_name, Mark::Line, Data::Points(median)).colored(color));
    }
    let held = s.held.as_ref().map(|h| format!(" · other axes at {h}")).unwrap_or_default();
    Chart {
        id: format!("{}-{}-vs-{}", ChartId::SweepBand.as_str(), slug(&s.metric), slug(&s.axis)),
        title: format!("{} against {}", s.metric, s.axis),
        subtitle: Some(format!(
            "{} · P50 over {} replica{} per point, band P10 – P90{held}",
            s.sweep,
            s.replicas,
            if s.replicas == 1 { "" } else { "s" }
        )),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new(s.axis.clone(), unit_of(&s.axis)).fitted()),
            y: Axis::new(s.metric.clone(), unit_of(&s.metric)).fitted(),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(format!("From summary.parquet: {}_p10, {}_p50 and {}_p90.", s.metric, s.metric, s.metric)),
    }
}

/// The tornado of a one-at-a-time sweep: how far the metric moves as each axis moves alone from
/// the base scenario to its lowest and highest value, largest swing first; `None` when nothing
/// moves it.
pub fn sweep_tornado(o: &OneAtATime) -> Option<Chart> {
    let mut swings: Vec<&AxisSwing> =
        o.swings.iter().filter(|s| s.at_low.is_finite() && s.at_high.is_finite()).collect();
    if swings.is_empty() {
        return None;
    }
    swings.sort_by(|a, b| (b.at_high - b.at_low).abs().total_cmp(&(a.at_high - a.at_low).abs()));
    let unit = unit_of(&o.metric);
    let rows = swings
        .iter()
        .map(|s| TornadoRow {
            label: s.axis.clone(),
            low_text: value_text(&s.axis, s.low),
            high_text: value_text(&s.axis, s.high),
            at_low: s.at_low,
            at_high: s.at_high,
        })
        .collect();
    Some(Chart {
        id: format!("{}-{}", ChartId::SweepTornado.as_str(), slug(&o.metric)),
        title: format!("Sensitivity of {}: {} moves it most", o.metric, swings[0].axis),
        subtitle: Some(format!(
            "{} · each axis moved alone from the base scenario to its lowest and highest value · P50 over replicas",
            o.sweep
        )),
        body: Body::Tornado(TornadoPlot { axis: Axis::new(o.metric.clone(), unit).fitted(), central: o.base, rows }),
        note: Some("Labels at the bar ends give the axis value at that end.".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_chart_draws_its_band_and_its_median() {
        let s = AxisSlice {
            sweep: "test".into(),
            axis: "checkpoint_write_s".into(),
            metric: "ettr".into(),
            replicas: 100,
            held: Some("restart_s = 300".into()),
            points: vec![(2.0, 0.94, 0.95, 0.96), (10.0, 0.92, 0.93, 0.94), (60.0, 0.86, 0.87, 0.88)],
            lines: Vec::new(),
        };
        let chart = metric_against_axis(&s);
        assert_eq!(chart.id, "sweep-ettr-vs-checkpoint-write-s");
        let svg = chart.to_svg();
        assert!(svg.contains("<polygon"), "the band is drawn");
        assert!(svg.contains("P10 – P90") && svg.contains("P50"));
        assert_eq!(svg, metric_against_axis(&s).to_svg(), "deterministic");
    }

    #[test]
    fn the_tornado_puts_the_largest_swing_first() {
        let o = OneAtATime {
            sweep: "t".into(),
            metric: "capex_usd".into(),
            base: 10.0,
            swings: vec![
                AxisSwing { axis: "pue".into(), low: 1.1, high: 1.3, at_low: 9.5, at_high: 10.5 },
                AxisSwing { axis: "price".into(), low: 1.0, high: 2.0, at_low: 8.0, at_high: 13.0 },
            ],
        };
        let chart = sweep_tornado(&o).unwrap();
        assert!(chart.title.contains("price moves it most"), "{}", chart.title);
        let Body::Tornado(t) = &chart.body else { panic!() };
        assert_eq!(t.rows[0].label, "price");
        assert!(sweep_tornado(&OneAtATime { swings: vec![], ..o }).is_none());
    }
}
