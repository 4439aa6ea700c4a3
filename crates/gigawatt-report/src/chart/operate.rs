//! The charts of an operated build-out ([`Operation`]): the fleet's GPUs by class month by month
//! as a stacked area, the share of each tier's inference demand left unmet, and how far each
//! frontier and RL run has got.

use gigawatt_operate::Operation;
use gigawatt_operate::result::{ByClass, Period};

use super::{Axis, Body, Chart, ChartId, Data, Mark, PALETTE, Series, Unit, XAxis, XyPlot};
use crate::fmt::percent;

/// Every chart of an operated run, in report order: unmet demand only with inference tiers,
/// progress only with runs.
pub fn operate_charts(r: &Operation) -> Vec<Chart> {
    if r.months.is_empty() {
        return Vec::new();
    }
    let mut charts = vec![gpus_by_class(r)];
    if !r.inference.is_empty() {
        charts.push(unmet_by_tier(r));
    }
    if !r.frontier.is_empty() || !r.rl.is_empty() {
        charts.push(run_progress(r));
    }
    charts
}

fn months(r: &Operation) -> XAxis {
    XAxis::Categories { label: "month".into(), names: r.months.iter().map(|m| m.period.clone()).collect() }
}

/// The classes with their legend names and colours, in stacking order (bottom first).
const CLASSES: [(&str, usize); 6] =
    [("frontier", 0), ("RL and post-training", 6), ("research", 4), ("inference", 1), ("down", 3), ("idle", 9)];

fn class_value(b: &ByClass, k: usize) -> f64 {
    [b.frontier, b.rl, b.research, b.inference, b.down, b.idle][k]
}

/// GPUs by class over the months, stacked up to the GPUs online.
pub fn gpus_by_class(r: &Operation) -> Chart {
    let series = CLASSES
        .iter()
        .enumerate()
        .map(|(k, (name, color))| {
            let data = Data::ByCategory(r.months.iter().map(|m: &Period| Some(class_value(&m.gpus, k))).collect());
            Series::new(*name, Mark::StackedArea { stack: "gpus".into() }, data).colored(PALETTE[*color])
        })
        .collect();
    let t = &r.totals.share;
    Chart {
        id: ChartId::OperateClasses.id(),
        title: format!(
            "Where the fleet's GPUs go: research {}, frontier and RL {}, inference {}, idle {} of the GPU-hours",
            percent(t.research),
            percent(t.frontier + t.rl),
            percent(t.inference),
            percent(t.idle)
        ),
        subtitle: Some(format!(
            "{} · GPUs by class, averaged over each month, stacked up to the GPUs in service (operated {} to {}, \
             seed {})",
            r.scenario.name, r.from, r.to, r.seed
        )),
        body: Body::Xy(XyPlot {
            x: months(r),
            y: Axis::new("GPU packages", Unit::Count),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(format!(
            "One scheduler shares the fleet: priorities {}; mean idle share over the months with GPUs online {}. \
             Down: nodes under repair.",
            r.priorities.iter().map(|c| c.name()).collect::<Vec<_>>().join(" > "),
            percent(r.totals.mean_idle_share)
        )),
    }
}

/// The share of each tier's demanded output tokens left unserved, by month.
pub fn unmet_by_tier(r: &Operation) -> Chart {
    let colors = [PALETTE[6], PALETTE[0], PALETTE[4], PALETTE[5], PALETTE[8]];
    let series = r
        .inference
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let data = Data::ByCategory(t.unmet_share_by_month.iter().map(|v| Some(*v)).collect());
            Series::new(t.tier.clone(), Mark::Line, data).colored(colors[k % colors.len()])
        })
        .collect();
    let binding = r.months.iter().enumerate().filter(|(m, _)| r.inference.iter().any(|t| unmet(t, *m) > 0.0)).count();
    let title = if binding == 0 {
        "Inference demand: every tier fully served in every month".to_string()
    } else {
        let worst = r.inference.iter().max_by(|a, b| a.unmet_share.total_cmp(&b.unmet_share)).expect("tiers");
        format!(
            "Inference demand: unmet in {binding} of {} months; {} loses most ({} of its tokens)",
            r.months.len(),
            worst.tier,
            percent(worst.unmet_share)
        )
    };
    Chart {
        id: ChartId::OperateUnmet.id(),
        title,
        subtitle: Some(format!(
            "{} · share of each tier's demanded output tokens not served, by month; when serving binds the tier \
             served last loses first",
            r.scenario.name
        )),
        body: Body::Xy(XyPlot {
            x: months(r),
            y: Axis::new("demand unmet", Unit::Percent),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(format!(
            "Tiers in serving order: {}.",
            r.inference.iter().map(|t| t.tier.as_str()).collect::<Vec<_>>().join(" → ")
        )),
    }
}

fn unmet(t: &gigawatt_operate::result::TierOutcome, m: usize) -> f64 {
    t.unmet_share_by_month.get(m).copied().unwrap_or(0.0)
}

/// Each frontier and RL run's share of its work done by the end of each month.
pub fn run_progress(r: &Operation) -> Chart {
    let runs = crate::operate::named_runs(r);
    let series = runs
        .iter()
        .enumerate()
        .map(|(k, (name, run))| {
            let data = Data::ByCategory(run.progress_by_month.iter().map(|v| Some(*v)).collect());
            Series::new(name.clone(), Mark::Line, data).colored(PALETTE[k % PALETTE.len()])
        })
        .collect();
    let finished = runs.iter().filter(|(_, x)| x.finish.is_some()).count();
    let notes: Vec<String> = runs
        .iter()
        .map(|(name, x)| {
            let sim =
                x.finish.map_or_else(|| format!("{} done by the end", percent(x.progress)), |d| format!("done {d}"));
            match x.closed_form_finish {
                Some(cf) => format!("{name}: {sim} (closed form {cf}), ETTR {:.2}", x.ettr),
                None => format!("{name}: {sim}, ETTR {:.2}", x.ettr),
            }
        })
        .collect();
    Chart {
        id: ChartId::FrontierProgress.id(),
        title: format!("Frontier and RL runs: {finished} of {} finished within the run", runs.len()),
        subtitle: Some(format!(
            "{} · share of each run's work done by the end of each month, net of the work failures took back",
            r.scenario.name
        )),
        body: Body::Xy(XyPlot {
            x: months(r),
            y: Axis::new("work done", Unit::Percent),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(format!("{}.", notes.join("; "))),
    }
}
