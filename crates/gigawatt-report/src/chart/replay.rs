//! Charts of a replay: the JCT distribution per policy, and GPU utilisation and waiting jobs
//! over time, one line per policy.

use gigawatt_sched::ReplayResult;
use gigawatt_sched::metrics::PolicyResult;

use super::{Axis, Body, Chart, ChartId, Data, Mark, Series, Unit, XAxis, XyPlot};
use crate::fmt::thousands;

/// Every chart of a replay.
pub fn replay_charts(r: &ReplayResult) -> Vec<Chart> {
    vec![jct_cdf(r), over_time(r, ChartId::Utilisation), over_time(r, ChartId::QueueLength)]
}

fn subtitle(r: &ReplayResult) -> String {
    format!(
        "{}: {} jobs on {} ({} GPUs), placement {}",
        r.trace.name,
        thousands(r.trace.jobs),
        r.cluster.name,
        thousands(r.cluster.gpus),
        r.settings.placement
    )
}

/// At most this many points per curve.
const CDF_POINTS: usize = 200;

/// The share of jobs done within each JCT: 200 quantiles of each policy's JCTs.
fn cdf(p: &PolicyResult) -> Vec<(f64, f64)> {
    let mut jct: Vec<f64> = p.jobs.iter().map(|j| j.jct_s().max(1.0)).collect();
    jct.sort_by(f64::total_cmp);
    let n = jct.len();
    if n == 0 {
        return Vec::new();
    }
    let k = n.min(CDF_POINTS);
    (1..=k)
        .map(|i| {
            let idx = (i * n).div_ceil(k) - 1;
            (jct[idx], (idx + 1) as f64 / n as f64)
        })
        .collect()
}

/// The JCT distribution of each policy, on a log scale.
pub fn jct_cdf(r: &ReplayResult) -> Chart {
    let series = r.policies.0.iter().map(|p| Series::new(p.policy.clone(), Mark::Line, Data::Points(cdf(p)))).collect();
    Chart {
        id: ChartId::JctCdf.id(),
        title: "Job completion time: the share of jobs done within each time".into(),
        subtitle: Some(subtitle(r)),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("job completion time", Unit::Other("seconds".into())).logarithmic()),
            y: Axis::new("jobs done", Unit::Percent),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some("JCT: from arrival to end, waiting and preemptions included (times under 1 s drawn at 1 s).".into()),
    }
}

/// Utilisation or waiting jobs over time, one line per policy.
pub fn over_time(r: &ReplayResult, id: ChartId) -> Chart {
    let utilisation = id == ChartId::Utilisation;
    let series = r
        .policies
        .0
        .iter()
        .map(|p| {
            let s = if utilisation { &p.utilisation_series } else { &p.queue_series };
            let hours = s.step_s / 3600.0;
            let points = s.values.iter().enumerate().map(|(i, v)| (i as f64 * hours, *v)).collect();
            Series::new(p.policy.clone(), Mark::Line, Data::Points(points))
        })
        .collect();
    let (title, y, note) = if utilisation {
        (
            "GPU utilisation over time",
            Axis::new("GPUs allocated", Unit::Percent),
            "Allocated GPUs over the cluster's, averaged over each step; a gang rounded up to whole nodes counts whole.",
        )
    } else {
        (
            "Waiting jobs over time",
            Axis::new("jobs waiting", Unit::Count),
            "Jobs waiting for GPUs, averaged over each step.",
        )
    };
    Chart {
        id: id.id(),
        title: title.into(),
        subtitle: Some(subtitle(r)),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("time since the first arrival", Unit::Other("hours".into()))),
            y,
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(note.into()),
    }
}
