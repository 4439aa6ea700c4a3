//! The charts of a [`Plan`]: build-out timeline, capex split, circular money flow, headline
//! ranges and one sensitivity tornado per headline.
//!
//! Each function maps plan numbers onto a [`Chart`]; [`plan_charts`] lists them in the order a
//! report shows them. A chart for another result type is written the same way.

use gigawatt_core::Plan;
use gigawatt_core::plan::CapexCategory;
use gigawatt_core::uncertainty::{Headline, Tornado};

use super::ChartId;
use super::{
    Axis, Body, Chart, Data, Mark, PALETTE, RangeGroup, RangePlot, RangeRow, Series, TornadoPlot, TornadoRow, Unit,
    XAxis, XyPlot,
};
use crate::fmt::{sig3, thousands, usd, with_unit};

/// How many inputs a tornado chart shows.
pub const TORNADO_BARS: usize = 8;

/// Every chart of a plan, in report order.
pub fn plan_charts(plan: &Plan) -> Vec<Chart> {
    let mut charts = vec![buildout(plan), capex(plan)];
    charts.extend(circular_flow(plan));
    charts.push(ranges(plan));
    charts.extend(plan.sensitivity.iter().filter_map(|t| tornado(plan, t)));
    charts
}

fn quarters(plan: &Plan) -> XAxis {
    XAxis::Categories {
        label: "quarter (values at quarter end)".into(),
        names: plan.timeline.iter().map(|r| r.quarter.to_string()).collect(),
    }
}

/// The colour of a platform: its position among the plan's platforms in the palette.
fn platform_color(plan: &Plan, id: &str) -> &'static str {
    let i = plan.platforms.iter().position(|p| p.platform == id).unwrap_or(0);
    PALETTE[i % PALETTE.len()]
}

/// GPU packages online by platform (stacked bars) and facility power deployed (line, right axis).
pub fn buildout(plan: &Plan) -> Chart {
    let mut series: Vec<Series> = plan
        .platforms
        .iter()
        .map(|p| {
            let values = plan
                .timeline
                .iter()
                .map(|r| r.gpus_by_platform.iter().find(|(id, _)| *id == p.platform).map(|(_, n)| *n as f64))
                .collect();
            Series::new(format!("{} GPUs", p.name), Mark::Bar { stack: "gpus".into() }, Data::ByCategory(values))
                .colored(platform_color(plan, &p.platform))
        })
        .collect();
    series.push(
        Series::new(
            "facility power deployed",
            Mark::Line,
            Data::ByCategory(plan.timeline.iter().map(|r| Some(r.deployed_gw)).collect()),
        )
        .on_right()
        .colored("#1a1a1a"),
    );
    let t = &plan.totals;
    Chart {
        id: ChartId::Buildout.id(),
        title: format!(
            "Build-out: {} GPU packages on {} GW by {}",
            crate::fmt::count(t.gpus as f64),
            sig3(t.power_gw),
            plan.timeline.last().map_or_else(String::new, |r| r.quarter.to_string())
        ),
        subtitle: Some(format!(
            "{} · GPU packages online by platform (bars, left axis) and facility power deployed (line, right axis)",
            plan.scenario.name
        )),
        body: Body::Xy(XyPlot {
            x: quarters(plan),
            y: Axis::new("GPU packages online", Unit::Count),
            y2: Some(Axis::new("facility power", Unit::Gigawatts)),
            series,
            label_bars: false,
        }),
        note: Some(
            "Each phase comes online linearly over its ramp and is complete on its online date; counts are at the \
             last day of each quarter."
                .into(),
        ),
    }
}

/// The colour of a capex category in the capex chart.
fn category_color(c: CapexCategory) -> &'static str {
    match c {
        CapexCategory::ComputeSystems => PALETTE[0],
        CapexCategory::Networking => PALETTE[4],
        CapexCategory::Storage => PALETTE[6],
        CapexCategory::Facility => PALETTE[2],
        CapexCategory::Other => PALETTE[9],
    }
}

/// Capex stacked by category and, beside it, by supplier.
pub fn capex(plan: &Plan) -> Chart {
    let c = &plan.totals.capex;
    let first = |v: f64| Data::ByCategory(vec![Some(v), None]);
    let second = |v: f64| Data::ByCategory(vec![None, Some(v)]);
    let bar = || Mark::Bar { stack: "capex".into() };
    let supplier = &plan.supplier;
    let supplier_usd = gigawatt_core::plan::vendor_usd(&plan.totals.capex_by_vendor_usd, supplier);
    let suppliers = crate::table::by_supplier(&plan.totals);
    Chart {
        id: ChartId::Capex.id(),
        title: format!("Capex: {} in total, {} of it bought from {}", usd(c.total_usd), usd(supplier_usd), supplier),
        subtitle: Some(format!(
            "{} · {} GW · {} per GW · by category (left) and by supplier (right)",
            plan.scenario.name,
            sig3(plan.totals.power_gw),
            usd(plan.per_gw.capex_usd)
        )),
        body: Body::Xy(XyPlot {
            x: XAxis::Categories { label: String::new(), names: vec!["by category".into(), "by supplier".into()] },
            y: Axis::new("capex", Unit::Usd),
            y2: None,
            series: CapexCategory::ALL
                .iter()
                .map(|cat| Series::new(cat.label(), bar(), first(cat.of(c))).colored(category_color(*cat)))
                .chain(suppliers.iter().enumerate().map(|(i, (vendor, v))| {
                    let color = match vendor.as_str() {
                        "others" => PALETTE[8],
                        v if v.eq_ignore_ascii_case("NVIDIA") => "#76b900",
                        _ => PALETTE[(1 + 2 * i) % PALETTE.len()],
                    };
                    let name = if vendor == "others" {
                        "bought from other suppliers".to_string()
                    } else {
                        format!("bought from {vendor}")
                    };
                    Series::new(name, bar(), second(*v)).colored(color)
                }))
                .collect(),
            label_bars: true,
        }),
        note: Some(format!(
            "Central inputs. All-in {} per GPU package; opex {}/yr is not included.",
            usd(plan.per_gpu.capex_usd),
            usd(plan.totals.opex_usd_per_year)
        )),
    }
}

/// Cumulative investment against cumulative purchases from the investor, and the net; `None`
/// when the scenario has no financing.
pub fn circular_flow(plan: &Plan) -> Option<Chart> {
    let f = plan.financing.as_ref()?;
    let col = |g: fn(&gigawatt_core::plan::QuarterRow) -> f64| {
        Data::ByCategory(plan.timeline.iter().map(|r| Some(g(r))).collect())
    };
    Some(Chart {
        id: ChartId::CircularFlow.id(),
        title: format!(
            "Circular flow: {} invests {}, {} buys {} from {}",
            f.investor,
            usd(f.total_usd),
            f.recipient,
            usd(f.purchases_from_investor_usd),
            f.investor
        ),
        subtitle: Some(format!(
            "{} · cumulative by quarter · {} per GW deployed, up to {} · {:.2} dollars of purchases per dollar invested",
            plan.scenario.name,
            usd(f.per_gw_usd),
            usd(f.cap_usd),
            f.purchases_per_dollar_invested
        )),
        body: Body::Xy(XyPlot {
            x: quarters(plan),
            y: Axis::new("cumulative", Unit::Usd),
            y2: None,
            series: vec![
                Series::new(
                    format!("{} invested in {}", f.investor, f.recipient),
                    Mark::Area,
                    col(|r| r.cumulative_investment_usd),
                )
                .colored(PALETTE[0]),
                Series::new(
                    format!("{} purchases from {}", f.recipient, f.investor),
                    Mark::Line,
                    col(|r| r.cumulative_investor_purchases_usd),
                )
                .colored("#76b900"),
                Series::new(
                    format!("net flow to {} (purchases − investment)", f.investor),
                    Mark::Line,
                    col(|r| r.net_flow_usd),
                )
                .colored(PALETTE[3]),
            ],
            label_bars: false,
        }),
        note: Some(format!(
            "A tranche is released each time cumulative deployed facility power crosses another gigawatt; purchases \
             follow deployed power. {} tranche{} in total.",
            thousands(f.tranches.len() as u64),
            if f.tranches.len() == 1 { "" } else { "s" }
        )),
    })
}

/// The headline figures with their P10 – P90 ranges, beside what the announcement implies when
/// the scenario has one.
pub fn ranges(plan: &Plan) -> Chart {
    let r = &plan.ranges;
    let imp = plan.implied.as_ref();
    let scale = imp.map_or(0.0, |i| if i.gigawatts > 0.0 { plan.totals.power_gw / i.gigawatts } else { 0.0 });
    let row = |label: &str, x: &gigawatt_core::uncertainty::Range, reference: Option<(f64, f64)>| RangeRow {
        label: label.into(),
        low: x.low,
        central: x.central,
        high: x.high,
        reference,
    };
    Chart {
        id: ChartId::Ranges.id(),
        title: if imp.is_some() {
            "Headline figures: central value and P10 – P90 range, against the announcement".into()
        } else {
            "Headline figures: central value and P10 – P90 range".into()
        },
        subtitle: Some(format!(
            "{} · {} GW · ranges over {} Monte Carlo draws of the disputed inputs (seed {})",
            plan.scenario.name,
            sig3(plan.totals.power_gw),
            thousands(plan.draws as u64),
            plan.seed
        )),
        body: Body::Ranges(RangePlot {
            range_label: "P10 – P90".into(),
            reference_label: imp.map(|imp| {
                format!(
                    "announcement's implied range ({} GW ≈ {}–{} GPUs, scaled to this plan)",
                    sig3(imp.gigawatts),
                    crate::fmt::count(imp.gpus.low),
                    crate::fmt::count(imp.gpus.high)
                )
            }),
            groups: vec![
                RangeGroup {
                    axis: Axis::new("GPUs in the plan", Unit::Count),
                    rows: vec![
                        row("GPU packages", &r.gpus, imp.map(|i| (i.gpus.low * scale, i.gpus.high * scale))),
                        row("GPU dies", &r.dies, None),
                    ],
                },
                RangeGroup {
                    axis: Axis::new("per GW of facility power", Unit::Usd),
                    rows: vec![
                        row(
                            "capex per GW",
                            &r.capex_per_gw_usd,
                            imp.map(|i| (i.capex_per_gw_usd.low, i.capex_per_gw_usd.high)),
                        ),
                        row(
                            &format!("{} content per GW", plan.supplier),
                            &r.supplier_per_gw_usd,
                            imp.and_then(|i| i.supplier_per_gw_usd).map(|s| (s.low, s.high)),
                        ),
                    ],
                },
            ],
        }),
        note: imp.map(|i| format!("Announcement figures ({}): {}", i.name, i.sources.join("; "))),
    }
}

/// The tornado of one headline; `None` when no input moves it (and for dies, which move like
/// packages).
pub fn tornado(plan: &Plan, t: &Tornado) -> Option<Chart> {
    if t.swings.is_empty() || t.headline == Headline::Dies {
        return None;
    }
    let unit = match t.headline {
        Headline::Gpus | Headline::Dies => Unit::Count,
        Headline::CapexPerGwUsd | Headline::SupplierPerGwUsd => Unit::Usd,
    };
    let rows: Vec<TornadoRow> = t
        .swings
        .iter()
        .take(TORNADO_BARS)
        .map(|s| TornadoRow {
            label: s.label.clone(),
            low_text: with_unit(s.input_low, &s.unit),
            high_text: with_unit(s.input_high, &s.unit),
            at_low: s.at_low,
            at_high: s.at_high,
        })
        .collect();
    let shown = rows.len();
    Some(Chart {
        id: format!("{}-{}", ChartId::Tornado.as_str(), t.headline.key().trim_end_matches("_usd").replace('_', "-")),
        title: format!(
            "Sensitivity of {}: {} moves it most",
            t.headline.label_for(&plan.supplier),
            t.most_sensitive.as_deref().unwrap_or("nothing")
        ),
        subtitle: Some(format!(
            "{} · each disputed input moved alone to its low and its high, the rest central · {} of {} inputs shown",
            plan.scenario.name,
            shown,
            t.swings.len()
        )),
        body: Body::Tornado(TornadoPlot {
            axis: Axis::new(t.headline.label_for(&plan.supplier), unit).fitted(),
            central: t.central,
            rows,
        }),
        note: Some("Labels at the bar ends give the input's value at that end of its published range.".into()),
    })
}
