//! The charts of a simulation ([`SimResults`]): failures per day, GPUs down over time, and ETTR
//! against the checkpoint interval when the run swept it.
//!
//! Daily values are means over replicas. Jobs with the same settings on the same platform give the
//! same curves, so the interval chart draws one curve per distinct job.

use gigawatt_sim::results::{JobResults, SimResults};

use super::ChartId;
use super::{Axis, Body, Chart, Data, Mark, PALETTE, Series, Unit, XAxis, XyPlot};
use crate::fmt::{count, number, sig3, thousands};
use crate::simulation::closed_form;

/// Most jobs the interval chart draws.
pub const SWEEP_CURVES: usize = 4;

/// Every chart of a simulation, in report order.
pub fn sim_charts(r: &SimResults) -> Vec<Chart> {
    let mut charts = Vec::new();
    if !r.daily.is_empty() {
        charts.push(failures_per_day(r));
        charts.push(gpus_down(r));
    }
    charts.extend(ettr_against_interval(r));
    charts.extend(spares_curve(r));
    charts
}

fn day_axis() -> XAxis {
    XAxis::Numeric(Axis::new("simulated day", Unit::Count))
}

fn replicas_text(r: &SimResults) -> String {
    format!(
        "{} replica{} × {} days, seed {}",
        thousands(r.replicas as u64),
        if r.replicas == 1 { "" } else { "s" },
        number(r.days),
        r.seed
    )
}

/// Fleet failures and job interruptions per day, against the rate the failure classes imply.
pub fn failures_per_day(r: &SimResults) -> Chart {
    let f = &r.fleet;
    let points = |g: fn(&gigawatt_sim::results::DailyRow) -> f64| {
        Data::Points(r.daily.iter().map(|d| (d.day as f64, g(d))).collect())
    };
    let first = r.daily.first().map_or(1.0, |d| d.day as f64);
    let last = r.daily.last().map_or(1.0, |d| d.day as f64);
    let mut series = vec![
        Series::new("fleet failures", Mark::Line, points(|d| d.failures)).colored(PALETTE[3]),
        Series::new(
            "expected from the rates with every node up",
            Mark::Line,
            Data::Points(vec![(first, f.failures_per_day_expected), (last, f.failures_per_day_expected)]),
        )
        .colored("#8c8c8c"),
    ];
    if !r.jobs.is_empty() {
        series.push(
            Series::new("interruptions of training jobs (all jobs)", Mark::Line, points(|d| d.interruptions))
                .colored(PALETTE[0]),
        );
    }
    Chart {
        id: ChartId::FailuresPerDay.id(),
        title: format!(
            "Failures per day: {} a day across {} GPUs",
            sig3(f.failures_per_day.mean),
            count(f.gpus as f64)
        ),
        subtitle: Some(format!(
            "{} · {} · {} nodes in {} racks · means over replicas",
            r.scenario.name,
            replicas_text(r),
            thousands(f.nodes as u64),
            thousands(f.racks)
        )),
        body: Body::Xy(XyPlot {
            x: day_axis(),
            y: Axis::new("events per day", Unit::Count),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(
            "A failure takes hardware down or interrupts a job with a software fault; an interruption is a failure \
             that touches a job's nodes, running or restarting, or a planned stop. Nodes under repair cannot fail, \
             so failures run a little below the rate with every node up."
                .into(),
        ),
    }
}

/// GPUs down in nodes under repair (area) and repairs in flight (line, right axis).
pub fn gpus_down(r: &SimResults) -> Chart {
    let f = &r.fleet;
    Chart {
        id: ChartId::GpusDown.id(),
        title: format!(
            "GPUs down for repair: {} on average ({:.2}% of the fleet), {} repairs in flight",
            count(f.gpus_down.mean),
            if f.gpus > 0 { f.gpus_down.mean / f.gpus as f64 * 100.0 } else { 0.0 },
            sig3(f.repairs_in_flight.mean)
        ),
        subtitle: Some(format!(
            "{} · {} · daily means over replicas; the fleet starts with every node up",
            r.scenario.name,
            replicas_text(r)
        )),
        body: Body::Xy(XyPlot {
            x: day_axis(),
            y: Axis::new("GPUs down", Unit::Count),
            y2: Some(Axis::new("repairs in flight", Unit::Count)),
            series: vec![
                Series::new(
                    "GPUs in nodes under repair",
                    Mark::Area,
                    Data::Points(r.daily.iter().map(|d| (d.day as f64, d.gpus_down)).collect()),
                )
                .colored(PALETTE[3]),
                Series::new(
                    "repairs in flight",
                    Mark::Line,
                    Data::Points(r.daily.iter().map(|d| (d.day as f64, d.repairs_in_flight)).collect()),
                )
                .on_right()
                .colored("#1a1a1a"),
            ],
            label_bars: false,
        }),
        note: Some(format!(
            "A node stays down from the failure until its repair ends (automated swap in minutes, vendor repair in \
             days, by failure class); the curve rises until repairs finish as fast as failures arrive. {} GPUs idle \
             in spare pools on average.",
            count(f.spare_gpus.mean)
        )),
    }
}

/// The jobs with distinct settings, in order, each with how many jobs share its settings (itself
/// included). Jobs alike give the same results up to sampling noise; reports show one of them.
pub fn distinct_jobs<'a>(jobs: impl IntoIterator<Item = &'a JobResults>) -> Vec<(&'a JobResults, usize)> {
    let mut distinct: Vec<(&JobResults, usize)> = Vec::new();
    for j in jobs {
        match distinct.iter_mut().find(|(d, _)| alike(d, j)) {
            Some((_, n)) => *n += 1,
            None => distinct.push((j, 1)),
        }
    }
    distinct
}

/// Whether two jobs have the same settings and so the same curves.
fn alike(a: &JobResults, b: &JobResults) -> bool {
    a.platform == b.platform
        && a.gpus == b.gpus
        && a.checkpoint_write_s == b.checkpoint_write_s
        && a.restart_s == b.restart_s
        && a.swap_s == b.swap_s
        && a.mtbf_h == b.mtbf_h
        && a.days == b.days
        && a.checkpoint_interval_auto == b.checkpoint_interval_auto
        && (a.checkpoint_interval_auto || a.checkpoint_interval_s == b.checkpoint_interval_s)
}

/// Simulated ETTR over the swept intervals beside the closed form, one curve per distinct job;
/// `None` when no job was swept.
pub fn ettr_against_interval(r: &SimResults) -> Option<Chart> {
    let distinct = distinct_jobs(r.jobs.iter().filter(|j| j.interval_sweep.is_some()));
    let (first, _) = *distinct.first()?;
    let shown = distinct.len().min(SWEEP_CURVES);
    let mut series = Vec::new();
    let mut closed_forms: Vec<(Option<f64>, f64, f64)> = Vec::new();
    for (k, (j, n)) in distinct.iter().take(SWEEP_CURVES).enumerate() {
        let sweep = j.interval_sweep.as_deref().unwrap_or_default();
        let name = if *n > 1 { format!("{} (and {} alike)", j.name, n - 1) } else { j.name.clone() };
        let color = PALETTE[(2 * k) % PALETTE.len()];
        series.push(
            Series::new(
                format!("{name}: simulated"),
                Mark::Line,
                Data::Points(sweep.iter().map(|p| (p.interval_s, p.ettr.mean)).collect()),
            )
            .colored(color),
        );
        // Jobs with the same rate, recovery and write share one closed-form curve.
        let inputs = (j.mtbf_h, j.recovery_s, j.checkpoint_write_s);
        if closed_forms.contains(&inputs) {
            continue;
        }
        closed_forms.push(inputs);
        series.push(
            Series::new(
                format!("{name}: closed form"),
                Mark::Line,
                Data::Points(sweep.iter().map(|p| (p.interval_s, closed_form(j, p.interval_s))).collect()),
            )
            .colored(PALETTE[(2 * k + 1) % PALETTE.len()]),
        );
    }
    let best = first.best_interval_s.unwrap_or(first.optimal_interval_s);
    let more = if distinct.len() > shown {
        format!(" {} further distinct jobs are in simulate.json.", distinct.len() - shown)
    } else {
        String::new()
    };
    Some(Chart {
        id: ChartId::EttrInterval.id(),
        title: format!(
            "ETTR against checkpoint interval: {} best at {} s simulated, {} s by the closed form",
            first.name,
            sig3(best),
            sig3(first.optimal_interval_s)
        ),
        subtitle: Some(format!(
            "{} · {} · the same random numbers at every interval · write {} s, recovery {} s, MTBF {}",
            r.scenario.name,
            replicas_text(r),
            sig3(first.checkpoint_write_s),
            sig3(first.recovery_s),
            first.mtbf_h.map_or_else(|| "∞".into(), |h| format!("{} min", sig3(h * 60.0)))
        )),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("checkpoint interval (compute between checkpoints)", Unit::Other("s".into()))),
            y: Axis::new("ETTR (productive ÷ wall time)", Unit::Percent).fitted(),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(format!(
            "Closed form (1 − λ(u0 + Δt/2)) / (1 + w/Δt) with λ the job's unexpected-interruption rate, u0 its \
             recovery time and w its blocking write; the simulation also counts planned interruptions and waits for \
             repairs.{more}"
        )),
    })
}

/// Each sized phase's lowest job availability (or ETTR) against its spare pool, with the target;
/// `None` when no pool was sized.
pub fn spares_curve(r: &SimResults) -> Option<Chart> {
    let sizing = r.spares_sizing.as_ref()?;
    let target = sizing.target;
    let metric = |p: &gigawatt_sim::spares::SparesPoint| match target {
        gigawatt_core::simulation::SparesTarget::Availability(_) => p.availability,
        gigawatt_core::simulation::SparesTarget::Ettr(_) => p.ettr,
    };
    let mut series = Vec::new();
    let mut max_x: f64 = 1.0;
    for (k, ph) in sizing.phases.iter().enumerate() {
        let points: Vec<(f64, f64)> = ph.curve.iter().map(|p| (p.spares as f64, metric(p))).collect();
        max_x = points.iter().map(|p| p.0).fold(max_x, f64::max);
        let found = ph.spares.map_or_else(|| "not reached".to_string(), |s| format!("{} spares", count(s as f64)));
        series.push(
            Series::new(format!("{} ({found})", ph.phase), Mark::Line, Data::Points(points))
                .colored(PALETTE[k % PALETTE.len()]),
        );
    }
    series.push(
        Series::new(
            format!("target {}", target.value()),
            Mark::Line,
            Data::Points(vec![(0.0, target.value()), (max_x, target.value())]),
        )
        .colored("#888888"),
    );
    let name = if target.metric() == "ettr" { "ETTR" } else { "availability" };
    Some(Chart {
        id: ChartId::SparesCurve.id(),
        title: format!("Spare nodes each phase needs for {name} ≥ {}", target.value()),
        subtitle: Some(format!("{} · {} · the same random numbers at every pool size", r.scenario.name, replicas_text(r))),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("spare nodes in the phase's pool", Unit::Count)),
            y: Axis::new(format!("lowest job {name}"), Unit::Percent).fitted(),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(
            "Each point is a full simulation with the phase's shared pool cut to its jobs' nodes plus that many spares; \
             the search doubles the pool until the target is reached, then bisects. Availability is the share of wall \
             time a job held all its nodes."
                .to_string(),
        ),
    })
}
