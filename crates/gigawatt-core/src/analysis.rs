//! The complete result of `gigawatt plan`: the central plan, its ranges and sensitivities, what
//! the announcement implies beside what the plan gives, and every input with its provenance.

use serde::Serialize;

pub use crate::params::InputRecord;
use crate::params::Params;
use crate::plan::{
    Evaluation, Financing, PhaseResult, QuarterRow, Totals, evaluate, financing, ratio, timeline, vendor_usd,
};
use crate::scenario::{Announcement, Model};
use crate::uncertainty::{Headline, Range, Tornado, ranges, tornado};

/// Options of a planning run.
#[derive(Clone, Copy, Debug)]
pub struct PlanOptions {
    /// Monte Carlo draws for the ranges.
    pub draws: usize,
    /// Seed of the Monte Carlo.
    pub seed: u64,
}

impl PlanOptions {
    /// The scenario's own settings.
    pub fn from_model(model: &Model) -> PlanOptions {
        PlanOptions { draws: model.draws, seed: model.seed }
    }
}

/// Which scenario a result is for.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioInfo {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// File it was read from.
    pub file: String,
}

/// Figures per GW of facility power.
#[derive(Clone, Debug, Serialize)]
pub struct PerGw {
    /// GPU packages per GW.
    pub gpus: f64,
    /// GPU dies per GW.
    pub dies: f64,
    /// Capex per GW, USD.
    pub capex_usd: f64,
    /// The principal supplier's content per GW, USD ([`Plan::supplier`]).
    pub capex_supplier_usd: f64,
    /// Opex per GW-year, USD.
    pub opex_usd_per_year: f64,
}

/// Figures per GPU package or per die.
#[derive(Clone, Debug, Serialize)]
pub struct PerUnit {
    /// Facility power per unit, kW.
    pub kw_all_in: f64,
    /// The principal supplier's content per unit, USD.
    pub supplier_usd: f64,
    /// Capex per unit, USD.
    pub capex_usd: f64,
}

/// What a scenario's `[announcement]` implies ("10 GW ≈ 4–5 M GPUs", "$50–60B per GW, ~$35B
/// NVIDIA").
#[derive(Clone, Debug, Serialize)]
pub struct Implied {
    /// What is compared with.
    pub name: String,
    /// The supplier whose content is claimed.
    pub supplier: String,
    /// Gigawatts announced.
    pub gigawatts: f64,
    /// GPUs announced for them.
    pub gpus: Range,
    /// GPUs per GW.
    pub gpus_per_gw: Range,
    /// Facility kW per GPU, all in.
    pub kw_per_gpu_all_in: Range,
    /// Capex per GW, USD.
    pub capex_per_gw_usd: Range,
    /// The supplier's content per GW, USD, when announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_per_gw_usd: Option<Range>,
    /// The supplier's content per GPU, USD, when announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_usd_per_gpu: Option<Range>,
    /// Capex per GPU, USD.
    pub capex_usd_per_gpu: Range,
    /// Investment announced alongside, USD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investment_usd: Option<f64>,
    /// Where these come from.
    pub sources: Vec<String>,
}

/// The headline ranges.
#[derive(Clone, Debug, Serialize)]
pub struct Ranges {
    /// GPU packages.
    pub gpus: Range,
    /// GPU dies.
    pub dies: Range,
    /// Capex per GW, USD.
    pub capex_per_gw_usd: Range,
    /// The principal supplier's content per GW, USD ([`Plan::supplier`]).
    pub supplier_per_gw_usd: Range,
}

/// What one platform gives per gigawatt, beside what the announcement implies.
#[derive(Clone, Debug, Serialize)]
pub struct PlatformComparison {
    /// Platform id.
    pub platform: String,
    /// Platform name.
    pub name: String,
    /// GPU packages planned on it.
    pub gpus: u64,
    /// Dies planned on it.
    pub dies: u64,
    /// Facility kW per package, all in.
    pub kw_all_in_per_gpu: f64,
    /// Facility kW per die, all in.
    pub kw_all_in_per_die: f64,
    /// Packages per GW.
    pub gpus_per_gw: f64,
    /// Dies per GW.
    pub dies_per_gw: f64,
    /// Set against the announcement, when the scenario has one.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub announced: Option<AnnouncedComparison>,
}

/// One platform against the announcement's "N GW ≈ M GPUs".
#[derive(Clone, Copy, Debug, Serialize)]
pub struct AnnouncedComparison {
    /// Packages the announced gigawatts would hold on this platform.
    pub gpus_for_announced_gw: f64,
    /// Dies the announced gigawatts would hold on this platform.
    pub dies_for_announced_gw: f64,
    /// Whether kW per package lies within the announcement's implied range.
    pub packages_match_announcement: bool,
    /// Whether kW per die lies within the announcement's implied range.
    pub dies_match_announcement: bool,
}

/// The full result of planning a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// Monte Carlo seed.
    pub seed: u64,
    /// Monte Carlo draws.
    pub draws: usize,
    /// Whole-plan sums at central inputs.
    pub totals: Totals,
    /// Per GW of facility power.
    pub per_gw: PerGw,
    /// Per GPU package.
    pub per_gpu: PerUnit,
    /// Per GPU die.
    pub per_die: PerUnit,
    /// Headline ranges.
    pub ranges: Ranges,
    /// The supplier whose content per GW is a headline (the announcement's, else the investor,
    /// else the vendor of most phases).
    pub supplier: String,
    /// What the scenario's `[announcement]` implies, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implied: Option<Implied>,
    /// One-at-a-time sensitivities of each headline.
    pub sensitivity: Vec<Tornado>,
    /// Per phase.
    pub phases: Vec<PhaseResult>,
    /// Per platform, against the announcement.
    pub platforms: Vec<PlatformComparison>,
    /// The investment schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub financing: Option<Financing>,
    /// The quarterly timeline.
    pub timeline: Vec<QuarterRow>,
    /// Every input used.
    pub inputs: Vec<InputRecord>,
    /// The inputs that rest on assumptions, not sources.
    pub assumptions: Vec<InputRecord>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// Plans a scenario: central plan, timeline, financing, ranges, sensitivities and comparisons.
pub fn plan(model: &Model, opts: PlanOptions) -> Plan {
    let values = model.params.central();
    let eval = evaluate(model, &values);
    let fin = financing(model, &values, &eval);
    let tl = timeline(&eval, fin.as_ref(), &model.supplier);
    let r = ranges(model, &eval, opts.draws, opts.seed);
    let pick = |h: Headline| r.iter().find(|(k, _)| *k == h).map(|(_, r)| *r).expect("every headline");
    let t = &eval.totals;
    let implied = model.announcement.as_ref().map(implied);
    let inputs = input_records(&model.params);
    let sensitivity = tornado(model, &eval);
    let mut warnings = model.warnings.clone();
    warnings.extend(skewed_ranges(&r, &sensitivity));
    Plan {
        scenario: ScenarioInfo {
            name: model.name.clone(),
            description: model.description.clone(),
            file: model.source.name.clone(),
        },
        seed: opts.seed,
        draws: opts.draws,
        per_gw: PerGw {
            gpus: eval.gpus_per_gw(),
            dies: ratio(t.dies as f64, t.power_gw),
            capex_usd: eval.capex_per_gw_usd(),
            capex_supplier_usd: eval.supplier_per_gw_usd(&model.supplier),
            opex_usd_per_year: ratio(t.opex_usd_per_year, t.power_gw),
        },
        per_gpu: PerUnit {
            kw_all_in: ratio(t.facility_power_mw * 1000.0, t.gpus as f64),
            supplier_usd: ratio(vendor_usd(&t.capex_by_vendor_usd, &model.supplier), t.gpus as f64),
            capex_usd: ratio(t.capex_usd, t.gpus as f64),
        },
        per_die: PerUnit {
            kw_all_in: ratio(t.facility_power_mw * 1000.0, t.dies as f64),
            supplier_usd: ratio(vendor_usd(&t.capex_by_vendor_usd, &model.supplier), t.dies as f64),
            capex_usd: ratio(t.capex_usd, t.dies as f64),
        },
        ranges: Ranges {
            gpus: pick(Headline::Gpus),
            dies: pick(Headline::Dies),
            capex_per_gw_usd: pick(Headline::CapexPerGwUsd),
            supplier_per_gw_usd: pick(Headline::SupplierPerGwUsd),
        },
        supplier: model.supplier.clone(),
        sensitivity,
        platforms: platform_comparison(&eval.phases, implied.as_ref()),
        implied,
        financing: fin,
        timeline: tl,
        assumptions: inputs.iter().filter(|i| !i.sourced).cloned().collect(),
        inputs,
        warnings,
        phases: eval.phases.clone(),
        totals: eval.totals,
    }
}

/// A warning for each headline whose central value lies outside its own P10 – P90, naming the
/// disputed inputs whose central value sits at an end of their range (so that every draw can only
/// move the headline one way): the range is then not centred on the central value, and a reader
/// should know why.
fn skewed_ranges(ranges: &[(Headline, Range)], sensitivity: &[Tornado]) -> Vec<String> {
    let mut out = Vec::new();
    for (h, r) in ranges {
        let tol = 1e-9 * r.central.abs().max(1.0);
        let side = if r.central > r.high + tol {
            "above its P90"
        } else if r.central < r.low - tol {
            "below its P10"
        } else {
            continue;
        };
        let at_bound: Vec<String> = sensitivity
            .iter()
            .filter(|t| t.headline == *h)
            .flat_map(|t| t.swings.iter())
            .filter(|s| {
                let same = |x: f64| (x - r.central).abs() <= tol;
                s.swing > tol && (same(s.at_low) || same(s.at_high))
            })
            .map(|s| s.label.clone())
            .collect();
        let why = if at_bound.is_empty() {
            String::new()
        } else {
            format!(
                ": {} sit{} at an end of {} range (central = low or high), so the draws move it one way only",
                at_bound.join(", "),
                if at_bound.len() == 1 { "s" } else { "" },
                if at_bound.len() == 1 { "its" } else { "their" }
            )
        };
        let v = |x: f64| match h {
            Headline::Gpus | Headline::Dies => format!("{:.3} M", x / 1e6),
            Headline::CapexPerGwUsd | Headline::SupplierPerGwUsd => format!("${:.2} B", x / 1e9),
        };
        out.push(format!(
            "{}: the central value {} lies {side} (P10 – P90 {} – {}){why}",
            h.label(),
            v(r.central),
            v(r.low),
            v(r.high)
        ));
    }
    out
}

/// What an announcement such as "10 GW ≈ 4–5 M GPUs" and "$50–60B per GW, ~$35B of it NVIDIA"
/// implies per GPU.
pub fn implied(a: &Announcement) -> Implied {
    let gw = a.gigawatts.estimate.central;
    let g = a.gpus.estimate;
    let per_gw = |x: f64| x / gw;
    let gpus_per_gw = Range { low: per_gw(g.low), central: per_gw(g.central), high: per_gw(g.high) };
    let kw = |gpus: f64| gw * 1e6 / gpus;
    let capex = a.capex_per_gw_usd.estimate;
    let supplier = a.supplier_per_gw_usd.as_ref().map(|q| q.estimate);
    let mut sources = Vec::new();
    let figures = [
        Some(&a.gigawatts),
        Some(&a.gpus),
        Some(&a.capex_per_gw_usd),
        a.supplier_per_gw_usd.as_ref(),
        a.investment_usd.as_ref(),
    ];
    for q in figures.into_iter().flatten() {
        for s in &q.provenance.sources {
            if !sources.contains(s) {
                sources.push(s.clone());
            }
        }
    }
    Implied {
        name: a.name.clone(),
        supplier: a.supplier.clone(),
        gigawatts: gw,
        gpus: Range { low: g.low, central: g.central, high: g.high },
        kw_per_gpu_all_in: Range { low: kw(g.high), central: kw(g.central), high: kw(g.low) },
        capex_per_gw_usd: Range { low: capex.low, central: capex.central, high: capex.high },
        supplier_per_gw_usd: supplier.map(|s| Range { low: s.low, central: s.central, high: s.high }),
        supplier_usd_per_gpu: supplier.map(|s| Range {
            low: s.low / gpus_per_gw.high,
            central: s.central / gpus_per_gw.central,
            high: s.high / gpus_per_gw.low,
        }),
        investment_usd: a.investment_usd.as_ref().map(|q| q.estimate.central),
        capex_usd_per_gpu: Range {
            low: capex.low / gpus_per_gw.high,
            central: capex.central / gpus_per_gw.central,
            high: capex.high / gpus_per_gw.low,
        },
        gpus_per_gw,
        sources,
    }
}

fn platform_comparison(phases: &[PhaseResult], implied: Option<&Implied>) -> Vec<PlatformComparison> {
    let mut ids: Vec<&str> = Vec::new();
    for p in phases {
        if !ids.contains(&p.platform.as_str()) {
            ids.push(&p.platform);
        }
    }
    ids.into_iter()
        .map(|id| {
            let ps: Vec<&PhaseResult> = phases.iter().filter(|p| p.platform == id).collect();
            let mw: f64 = ps.iter().map(|p| p.facility_power_mw).sum();
            let gpus: u64 = ps.iter().map(|p| p.gpus).sum();
            let dies: u64 = ps.iter().map(|p| p.dies).sum();
            let gpus_per_gw = ratio(gpus as f64 * 1000.0, mw);
            let dies_per_gw = ratio(dies as f64 * 1000.0, mw);
            let kw_gpu = ratio(mw * 1000.0, gpus as f64);
            let kw_die = ratio(mw * 1000.0, dies as f64);
            PlatformComparison {
                platform: id.to_string(),
                name: ps[0].platform_name.clone(),
                gpus,
                dies,
                kw_all_in_per_gpu: kw_gpu,
                kw_all_in_per_die: kw_die,
                gpus_per_gw,
                dies_per_gw,
                announced: implied.map(|imp| {
                    let inside = |kw: f64| kw >= imp.kw_per_gpu_all_in.low && kw <= imp.kw_per_gpu_all_in.high;
                    AnnouncedComparison {
                        gpus_for_announced_gw: gpus_per_gw * imp.gigawatts,
                        dies_for_announced_gw: dies_per_gw * imp.gigawatts,
                        packages_match_announcement: inside(kw_gpu),
                        dies_match_announcement: inside(kw_die),
                    }
                }),
            }
        })
        .collect()
}

fn input_records(params: &Params) -> Vec<InputRecord> {
    params
        .iter()
        .map(|(_, p)| InputRecord {
            key: p.key.clone(),
            label: p.label.clone(),
            unit: p.unit.clone(),
            low: p.quantity.estimate.low,
            central: p.quantity.estimate.central,
            high: p.quantity.estimate.high,
            sourced: p.quantity.provenance.is_sourced(),
            provenance: p.quantity.provenance.clone(),
        })
        .collect()
}

/// The central evaluation alone (no Monte Carlo), for callers that only need the numbers.
pub fn central(model: &Model) -> Evaluation {
    evaluate(model, &model.params.central())
}
