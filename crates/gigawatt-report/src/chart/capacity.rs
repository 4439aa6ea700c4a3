//! The charts of a capacity run ([`Capacity`]): inference capacity against demand by tier (on a
//! log axis, since they can differ by orders of magnitude), peak demand by tier split into served
//! and unmet, and how the fleet's GPUs are split between training, inference and idle each month.

use gigawatt_workloads::Capacity;
use gigawatt_workloads::capacity::MonthRow;

use super::ChartId;
use super::{Axis, Body, Chart, Data, Mark, PALETTE, Series, Unit, XAxis, XyPlot};
use crate::fmt::count;

/// Every chart of a capacity run, in report order; demand charts only when the scenario has
/// demand tiers.
pub fn capacity_charts(c: &Capacity) -> Vec<Chart> {
    let mut charts = Vec::new();
    if c.timeline.is_empty() {
        return charts;
    }
    if !c.tiers.is_empty() {
        charts.push(capacity_against_demand(c));
        charts.push(demand_by_tier(c));
    }
    charts.push(fleet_split(c));
    charts
}

fn months(c: &Capacity) -> XAxis {
    XAxis::Categories {
        label: "month (GPUs averaged over the month)".into(),
        names: c.timeline.iter().map(|r| r.month.clone()).collect(),
    }
}

/// The colour of the k-th tier in serving order.
fn tier_color(k: usize) -> &'static str {
    [PALETTE[6], PALETTE[0], PALETTE[4], PALETTE[5], PALETTE[8]][k % 5]
}

fn by_month(c: &Capacity, g: impl Fn(&MonthRow) -> f64) -> Data {
    Data::ByCategory(c.timeline.iter().map(|r| Some(g(r))).collect())
}

fn tier_value(map: &std::collections::BTreeMap<String, f64>, tier: &str) -> f64 {
    map.get(tier).copied().unwrap_or(0.0)
}

/// Inference capacity, total peak and average demand, and each tier's peak demand, by month.
pub fn capacity_against_demand(c: &Capacity) -> Chart {
    let mut series = vec![
        Series::new("inference capacity", Mark::Line, by_month(c, |r| r.capacity_tokens_per_s)).colored("#1a1a1a"),
        Series::new("peak demand, all tiers", Mark::Line, by_month(c, |r| r.peak_demand_tokens_per_s))
            .colored(PALETTE[3]),
        Series::new("average demand, all tiers", Mark::Line, by_month(c, |r| r.demand_tokens_per_s))
            .colored(PALETTE[1]),
    ];
    for (k, tier) in c.tiers.iter().enumerate() {
        series.push(
            Series::new(
                format!("peak demand, {tier}"),
                Mark::Line,
                by_month(c, |r| tier_value(&r.peak_demand_tokens_per_s_by_tier, tier)),
            )
            .colored(tier_color(k)),
        );
    }
    let short = c.timeline.iter().filter(|r| r.unmet_tokens_per_s() > 0.0).count();
    let last = c.timeline.last();
    let ratio =
        last.filter(|r| r.peak_demand_tokens_per_s > 0.0).map(|r| r.capacity_tokens_per_s / r.peak_demand_tokens_per_s);
    let title = match (short, ratio) {
        (0, Some(x)) => format!(
            "Inference capacity against demand: never short; {:.0}× peak demand by {}",
            x,
            last.map_or("", |r| r.month.as_str())
        ),
        (0, None) => "Inference capacity against demand".to_string(),
        (n, _) => format!(
            "Inference capacity against demand: short at peak in {n} month{} of {}",
            if n == 1 { "" } else { "s" },
            c.timeline.len()
        ),
    };
    Chart {
        id: ChartId::CapacityDemand.id(),
        title,
        subtitle: Some(format!(
            "{} · output tokens/s the inference GPUs can serve, against average and peak-hour demand by tier \
             (log scale)",
            c.scenario.name
        )),
        body: Body::Xy(XyPlot {
            x: months(c),
            y: Axis::new("output tokens per second", Unit::CountOf("tokens/s".into())).logarithmic(),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(
            "Capacity is what the month's inference GPUs serve at the roofline with the calibrated efficiencies; \
             months with no inference GPUs (all to training) have none and drop out of the log scale."
                .into(),
        ),
    }
}

/// Peak demand by tier, split into the part served and the part left unmet.
pub fn demand_by_tier(c: &Capacity) -> Chart {
    let bar = || Mark::Bar { stack: "demand".into() };
    let mut series = Vec::new();
    for (k, tier) in c.tiers.iter().enumerate() {
        series.push(
            Series::new(
                format!("{tier}, served"),
                bar(),
                by_month(c, |r| {
                    let d = tier_value(&r.peak_demand_tokens_per_s_by_tier, tier);
                    (d - tier_value(&r.unmet_tokens_per_s_by_tier, tier)).max(0.0)
                }),
            )
            .colored(tier_color(k)),
        );
    }
    let any_unmet = c.timeline.iter().any(|r| r.unmet_tokens_per_s() > 0.0);
    if any_unmet {
        for (k, tier) in c.tiers.iter().enumerate() {
            if c.timeline.iter().all(|r| tier_value(&r.unmet_tokens_per_s_by_tier, tier) == 0.0) {
                continue;
            }
            series.push(
                Series::new(
                    format!("{tier}, unmet"),
                    bar(),
                    by_month(c, |r| tier_value(&r.unmet_tokens_per_s_by_tier, tier)),
                )
                .colored(["#b3261e", "#e15759", "#ff9da7"][k.min(2)]),
            );
        }
    }
    let worst = c.timeline.iter().map(MonthRow::unmet_tokens_per_s).fold(0.0, f64::max);
    let title = if any_unmet {
        format!("Peak demand by tier: up to {} tokens/s unmet, served in order {}", count(worst), c.tiers.join(" → "))
    } else {
        format!("Peak demand by tier: all served, in order {}", c.tiers.join(" → "))
    };
    let gated: Vec<String> =
        c.gated_features.iter().map(|g| format!("{} for {} {} → {}", g.feature, g.tier, g.from, g.until)).collect();
    Chart {
        id: ChartId::DemandByTier.id(),
        title,
        subtitle: Some(format!(
            "{} · peak-hour output tokens/s by tier; when capacity binds the last tier in serving order goes \
             unserved first",
            c.scenario.name
        )),
        body: Body::Xy(XyPlot {
            x: months(c),
            y: Axis::new("peak-hour demand", Unit::CountOf("tokens/s".into())),
            y2: None,
            series,
            label_bars: false,
        }),
        note: Some(if gated.is_empty() {
            "No feature has to be gated or delayed.".into()
        } else {
            format!("Gated or delayed to close the gap: {}.", gated.join("; "))
        }),
    }
}

/// GPUs held by training, needed by inference at peak, and idle, by month.
pub fn fleet_split(c: &Capacity) -> Chart {
    let bar = || Mark::Bar { stack: "gpus".into() };
    let u = &c.usage;
    Chart {
        id: ChartId::FleetSplit.id(),
        title: format!(
            "Where the fleet's GPU-hours go: training {:.0}%, inference at peak {:.0}%, idle {:.0}%",
            u.training_share * 100.0,
            u.inference_share * 100.0,
            u.idle_share * 100.0
        ),
        subtitle: Some(format!(
            "{} · GPU packages online by month, split by the {} policy",
            c.scenario.name,
            c.policy.name().replace('_', " ")
        )),
        body: Body::Xy(XyPlot {
            x: months(c),
            y: Axis::new("GPU packages", Unit::Count),
            y2: None,
            series: vec![
                Series::new("training runs", bar(), by_month(c, |r| r.training_gpus)).colored(PALETTE[0]),
                Series::new(
                    "inference at peak demand",
                    bar(),
                    by_month(c, |r| (r.gpus_online - r.training_gpus - r.idle_gpus).max(0.0)),
                )
                .colored(PALETTE[1]),
                Series::new("idle", bar(), by_month(c, |r| r.idle_gpus)).colored(PALETTE[9]),
            ],
            label_bars: false,
        }),
        note: Some(
            "Idle GPUs are online but neither held by a training run nor needed to serve peak-hour demand; they are \
             where more or larger runs, research and growth would go."
                .into(),
        ),
    }
}
