//! The "Sweep" section of a report (`gigawatt report --sweep DIR`): what a merged sweep ran, the
//! range of each metric's P50 over its points, and its charts (a metric against an axis with its
//! P10 – P90 band, the tornado of a one-at-a-time sweep).
//!
//! This crate does not read Parquet: the caller reads `DIR/summary.parquet` into a
//! [`SweepSummary`] and draws its charts (`gigawatt`'s `sweep_charts`); this module lays them out.

use crate::chart::Chart;
use crate::fmt::{number, thousands};
use crate::html::{Block, ChartFigure, Section, Table};

/// One metric of a sweep as the report shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRange {
    /// The metric's column name.
    pub name: String,
    /// The lowest and highest P50 over the replicas among the points (`None` when every point's
    /// P50 is null).
    pub p50: Option<(f64, f64)>,
}

/// A merged sweep, read from its `summary.parquet`, with its charts.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSummary {
    /// The directory as the user gave it.
    pub dir: String,
    /// The sweep's name.
    pub name: String,
    /// The command run at each point (`simulate`, `operate`, …).
    pub command: String,
    /// `grid` or `one-at-a-time`.
    pub design: String,
    /// Points in the summary.
    pub points: u64,
    /// Replicas per point.
    pub replicas: u64,
    /// The axes' column names.
    pub axes: Vec<String>,
    /// The metrics with their P50 range.
    pub metrics: Vec<MetricRange>,
    /// The sweep's charts (ids `sweep-METRIC-vs-AXIS`, `sweep-tornado-METRIC`).
    pub charts: Vec<Chart>,
}

/// The lede line of a sweep: `Sweep NAME (DIR): 9 points × 3 replicas of operate`.
pub fn sweep_lede(s: &SweepSummary) -> String {
    format!(
        "Sweep {} ({}): {} points × {} replicas of `{}`",
        s.name,
        s.dir,
        thousands(s.points),
        thousands(s.replicas),
        s.command
    )
}

/// One row per sweep: what it ran.
fn runs_table(sweeps: &[SweepSummary]) -> Table {
    let head = ["sweep", "directory", "command", "design", "axes", "points", "replicas"];
    let rows = sweeps
        .iter()
        .map(|s| {
            let axes = if s.axes.is_empty() { "none".to_string() } else { s.axes.join(", ") };
            vec![
                s.name.clone(),
                s.dir.clone(),
                s.command.clone(),
                s.design.clone(),
                axes,
                thousands(s.points),
                thousands(s.replicas),
            ]
        })
        .collect();
    Table { head: head.map(String::from).to_vec(), rows, numeric_from: 5 }
}

/// One row per sweep and metric: the lowest and highest P50 over the points.
fn metrics_table(sweeps: &[SweepSummary]) -> Table {
    let head = ["sweep", "metric", "lowest P50", "highest P50"];
    let rows = sweeps
        .iter()
        .flat_map(|s| {
            s.metrics.iter().map(|m| {
                let (lo, hi) = match m.p50 {
                    Some((lo, hi)) => (number(lo), number(hi)),
                    None => ("—".to_string(), "—".to_string()),
                };
                vec![s.name.clone(), m.name.clone(), lo, hi]
            })
        })
        .collect();
    Table { head: head.map(String::from).to_vec(), rows, numeric_from: 2 }
}

/// The "Sweep" section: for each sweep, its table and its charts (`charts[k]` are sweep `k`'s).
pub fn sweep_sections(sweeps: &[SweepSummary], charts: Vec<Vec<ChartFigure>>) -> Vec<Section> {
    if sweeps.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        Block::Text(
            "Each sweep ran its command at every point of its axes, with replicas (gigawatt sweep, \
             docs/sweep.md); read from its summary.parquet."
                .into(),
        ),
        Block::Table(runs_table(sweeps)),
        Block::Text(
            "Each metric's P50 over the replicas, lowest and highest among the points. The charts give \
             a metric's P50 against an axis with its P10 – P90 band, and for a one-at-a-time sweep how \
             far each axis alone moves it."
                .into(),
        ),
        Block::Table(metrics_table(sweeps)),
    ];
    for (s, figures) in sweeps.iter().zip(charts) {
        if figures.is_empty() {
            blocks.push(Block::Text(format!("{}: no chart (no numeric axis with two or more values).", s.name)));
        } else {
            blocks.push(Block::Charts(figures));
        }
    }
    vec![Section { id: "sweep".into(), title: "Sweep: how the answer moves".into(), blocks }]
}

/// The sweeps' charts with ids unique across sweeps: a repeated id gets `-2`, `-3`, … so two
/// sweeps with the same metric and axis names write different files.
pub fn unique_charts(sweeps: &[SweepSummary]) -> Vec<Vec<Chart>> {
    let mut seen = std::collections::BTreeSet::new();
    sweeps
        .iter()
        .map(|s| {
            s.charts
                .iter()
                .map(|c| {
                    let mut chart = c.clone();
                    let mut k = 1;
                    while !seen.insert(chart.id.clone()) {
                        k += 1;
                        chart.id = format!("{}-{k}", c.id);
                    }
                    chart
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(charts: Vec<Chart>) -> SweepSummary {
        SweepSummary {
            dir: "out".into(),
            name: "s".into(),
            command: "operate".into(),
            design: "grid".into(),
            points: 9,
            replicas: 3,
            axes: vec!["a".into(), "b".into()],
            metrics: vec![
                MetricRange { name: "idle".into(), p50: Some((0.1, 0.25)) },
                MetricRange { name: "gone".into(), p50: None },
            ],
            charts,
        }
    }

    #[test]
    fn the_tables_name_the_sweep_and_each_metrics_p50_range() {
        let s = summary(Vec::new());
        let runs = runs_table(std::slice::from_ref(&s));
        assert_eq!(runs.rows, [["s", "out", "operate", "grid", "a, b", "9", "3"]]);
        let metrics = metrics_table(&[s]);
        assert_eq!(metrics.rows, [["s", "idle", "0.1", "0.25"], ["s", "gone", "—", "—"]]);
        assert!(sweep_sections(&[], Vec::new()).is_empty());
    }

    #[test]
    fn repeated_chart_ids_are_numbered() {
        let chart = Chart {
            id: "sweep-idle-vs-a".into(),
            title: "t".into(),
            subtitle: None,
            body: crate::chart::Body::Tornado(crate::chart::TornadoPlot {
                axis: crate::chart::Axis {
                    label: "idle".into(),
                    unit: crate::chart::Unit::Count,
                    include_zero: false,
                    log: false,
                },
                central: 0.0,
                rows: Vec::new(),
            }),
            note: None,
        };
        let s = summary(vec![chart.clone(), chart]);
        let ids: Vec<Vec<String>> =
            unique_charts(&[s.clone(), s]).iter().map(|cs| cs.iter().map(|c| c.id.clone()).collect()).collect();
        assert_eq!(ids, [["sweep-idle-vs-a", "sweep-idle-vs-a-2"], ["sweep-idle-vs-a-3", "sweep-idle-vs-a-4"]]);
    }
}
