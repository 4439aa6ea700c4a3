//! Headline cards: the figures a report and the dashboard put first, each with its range and
//! what it is compared against, already formatted.

use gigawatt_core::Plan;
use serde::Serialize;

use crate::fmt::{count, percent, power_mw, sig3, span, thousands, usd};

/// One headline figure, formatted for display.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Card {
    /// Stable key (`gpus`, `capex_per_gw`).
    pub key: String,
    /// What it is.
    pub label: String,
    /// The central value (`4.36 M`).
    pub value: String,
    /// Its P10 – P90 range, when it has one (`4.10 M – 4.60 M`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// A comparison or detail (`announcement: 4.00 M – 5.00 M for 10.0 GW`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn card(key: &str, label: &str, value: String, range: Option<String>, detail: Option<String>) -> Card {
    Card { key: key.into(), label: label.into(), value, range, detail }
}

/// The headline cards of a plan.
pub fn plan_cards(plan: &Plan) -> Vec<Card> {
    let t = &plan.totals;
    let r = &plan.ranges;
    let imp = plan.implied.as_ref();
    let scale = imp.map_or(0.0, |i| if i.gigawatts > 0.0 { t.power_gw / i.gigawatts } else { 0.0 });
    let supplier = &plan.supplier;
    let supplier_usd = gigawatt_core::plan::vendor_usd(&t.capex_by_vendor_usd, supplier);
    let range = |x: &gigawatt_core::uncertainty::Range, f: fn(f64) -> String| {
        Some(format!("P10 – P90: {} – {}", f(x.low), f(x.high)))
    };
    let mut cards = vec![
        card(
            "power",
            "Facility power",
            power_mw(t.facility_power_mw),
            None,
            Some(format!(
                "{} IT · {} racks · {} phases",
                power_mw(t.it_power_mw),
                thousands(t.racks),
                plan.phases.len()
            )),
        ),
        card(
            "gpus",
            "GPU packages",
            count(r.gpus.central),
            range(&r.gpus, count),
            Some(match imp {
                Some(imp) => format!(
                    "announcement: {} – {} for {} GW · {:.2} kW all-in each",
                    count(imp.gpus.low * scale),
                    count(imp.gpus.high * scale),
                    sig3(t.power_gw),
                    plan.per_gpu.kw_all_in
                ),
                None => format!("{:.2} kW all-in each", plan.per_gpu.kw_all_in),
            }),
        ),
        card(
            "dies",
            "GPU dies",
            count(r.dies.central),
            range(&r.dies, count),
            Some(format!("{:.2} kW all-in each", plan.per_die.kw_all_in)),
        ),
        card(
            "capex_per_gw",
            "Capex per GW",
            usd(r.capex_per_gw_usd.central),
            range(&r.capex_per_gw_usd, usd),
            imp.map(|imp| {
                let c = &imp.capex_per_gw_usd;
                format!("announcement: {}", span(c.low, c.central, c.high, usd))
            }),
        ),
        card(
            "supplier_per_gw",
            &format!("{supplier} content per GW"),
            usd(r.supplier_per_gw_usd.central),
            range(&r.supplier_per_gw_usd, usd),
            imp.and_then(|i| i.supplier_per_gw_usd)
                .map(|s| format!("announcement: {}", span(s.low, s.central, s.high, usd))),
        ),
        card(
            "capex",
            "Capex in total",
            usd(t.capex_usd),
            None,
            Some(format!("{} from {supplier} · opex {}/yr", usd(supplier_usd), usd(t.opex_usd_per_year))),
        ),
    ];
    if let Some(f) = &plan.financing {
        cards.push(card(
            "investment",
            &format!("{} investment", f.investor),
            usd(f.total_usd),
            None,
            Some(format!(
                "{} tranches · {} stake at {} · {:.2} $ of purchases per $ invested",
                f.tranches.len(),
                percent(f.implied_stake),
                usd(f.valuation_usd),
                f.purchases_per_dollar_invested
            )),
        ));
    }
    cards
}

/// The headline cards of a simulation: the fleet's failures and GPUs down, and each distinct
/// job's ETTR with its 95% confidence interval.
pub fn sim_cards(r: &gigawatt_sim::SimResults) -> Vec<Card> {
    let f = &r.fleet;
    let ci = |s: &gigawatt_sim::stats::Stat, g: fn(f64) -> String| {
        s.ci95.map(|[lo, hi]| format!("95% CI of the mean: {} – {}", g(lo), g(hi)))
    };
    let mut cards = vec![
        card(
            "failures_per_day",
            "Failures per day",
            sig3(f.failures_per_day.mean),
            ci(&f.failures_per_day, sig3),
            Some(format!(
                "{} GPUs · {} expected from the rates · {} replicas × {} days",
                count(f.gpus as f64),
                sig3(f.failures_per_day_expected),
                thousands(r.replicas as u64),
                crate::fmt::number(r.days)
            )),
        ),
        card(
            "gpus_down",
            "GPUs down for repair",
            count(f.gpus_down.mean),
            ci(&f.gpus_down, count),
            Some(format!(
                "{} repairs in flight · {} GPUs idle in spare pools",
                sig3(f.repairs_in_flight.mean),
                count(f.spare_gpus.mean)
            )),
        ),
    ];
    for (j, n) in crate::chart::simulation::distinct_jobs(&r.jobs).into_iter().take(4) {
        let label = if n > 1 { format!("ETTR, {} (and {} alike)", j.name, n - 1) } else { format!("ETTR, {}", j.name) };
        cards.push(card(
            &format!("ettr:{}", j.name),
            &label,
            percent(j.ettr.mean),
            ci(&j.ettr, percent),
            Some(format!(
                "{} GPUs · {} unexpected interruptions · closed form {}",
                count(j.gpus as f64),
                count(j.interruptions.unexpected.mean),
                percent(j.ettr_closed_form)
            )),
        ));
    }
    cards
}

/// The headline cards of a power run: the whole scenario's peak and low, its largest sudden drop
/// against the limit, its largest 1 s ramp, the band share against its cap, and the energy cost.
pub fn power_cards(r: &gigawatt_power::PowerResults) -> Vec<Card> {
    let m = &r.total.metrics;
    let g = &r.grid_limits;
    let ramp_w = g.ramp_windows_s.first().copied().unwrap_or(r.resolution_s);
    let over_ramp: u64 = m.ramps.first().map_or(0, |x| x.events_over_limit);
    vec![
        card(
            "power_peak",
            "Facility power, peak",
            power_mw(m.peak_mw),
            Some(format!("low {} · mean {}", power_mw(m.min_mw), power_mw(m.mean_mw))),
            Some(format!(
                "{} site{} · days {} – {} · {} MWh",
                r.sites.len(),
                if r.sites.len() == 1 { "" } else { "s" },
                crate::fmt::number(r.from_day),
                crate::fmt::number(r.to_day),
                sig3(m.energy_mwh)
            )),
        ),
        card(
            "power_drop",
            "Largest sudden drop",
            power_mw(m.largest_drop_mw),
            None,
            Some(format!(
                "within {} s · limit {} · {} drops over it",
                sig3(g.drop_window_s),
                power_mw(g.drop_limit_mw),
                m.drops_over_limit
            )),
        ),
        card(
            "power_ramp",
            &format!("Largest ramp over {} s", sig3(ramp_w)),
            format!("{} MW/s", sig3(m.max_ramp_up_mw_per_s.max(m.max_ramp_down_mw_per_s))),
            Some(format!("up {} · down {} MW/s", sig3(m.max_ramp_up_mw_per_s), sig3(m.max_ramp_down_mw_per_s))),
            Some(format!("limit {} MW/s · {} events over it", sig3(g.ramp_limit_mw_per_s), over_ramp)),
        ),
        card(
            "power_band",
            &format!("Spectral energy in {}–{} Hz", g.band_hz[0], g.band_hz[1]),
            percent(m.band_energy_share),
            None,
            Some(format!(
                "cap {} · {}",
                percent(g.band_limit),
                if m.band_over_limit { "over it" } else { "within it" }
            )),
        ),
        card(
            "power_cost",
            "Energy cost",
            usd(r.total.cost_usd),
            None,
            Some(format!("{} t CO2 over the window", sig3(r.total.carbon_t))),
        ),
    ]
}

/// The headline cards of a capacity run: each training run's finish, today's chat against the
/// fleet, the largest unmet demand and the idle share.
pub fn capacity_cards(c: &gigawatt_workloads::Capacity) -> Vec<Card> {
    let mut cards = Vec::new();
    for t in &c.training {
        let value = match (&t.finish, t.wall_days) {
            (Some(d), _) => d.to_string(),
            _ => format!("{} done", percent(t.progress)),
        };
        cards.push(card(
            &format!("training:{}", t.name),
            &format!("{} finishes", t.name),
            value,
            t.wall_days.map(|d| format!("{} wall-clock days from {}", sig3(d), t.started.unwrap_or(t.start))),
            Some(format!(
                "{:.2e} FLOPs · {} GPUs · {} GPU-hours · MFU {} · ETTR {} ({})",
                t.flops,
                count(t.gpus),
                crate::capacity::big(t.gpu_hours),
                percent(t.mfu),
                percent(t.ettr.ettr),
                t.ettr.method.replace('_', " ")
            )),
        ));
    }
    if let Some(t) = &c.chat_today {
        cards.push(card(
            "chat_today",
            "Today's text chat on the fleet",
            power_mw(t.fleet_mw),
            Some(format!("{} of the plan's {}", percent(t.share_of_fleet_power), power_mw(t.fleet_power_mw))),
            Some(format!(
                "{} GPUs of {} · {} on {}",
                count(t.fleet_gpus),
                t.fleet_platform,
                power_mw(t.reference_mw),
                t.reference_platform
            )),
        ));
    }
    if !c.tiers.is_empty() {
        let worst = c.timeline.iter().map(|r| r.unmet_tokens_per_s()).fold(0.0, f64::max);
        let short = c.timeline.iter().filter(|r| r.unmet_tokens_per_s() > 0.0).count();
        cards.push(card(
            "unmet",
            "Unmet peak demand, worst month",
            if worst > 0.0 { format!("{} tokens/s", count(worst)) } else { "none".into() },
            Some(format!("short in {short} of {} months", c.timeline.len())),
            Some(if c.gated_features.is_empty() {
                "no feature gated or delayed".into()
            } else {
                let g: Vec<String> = c.gated_features.iter().map(|g| format!("{} for {}", g.feature, g.tier)).collect();
                format!("gated or delayed: {}", g.join(", "))
            }),
        ));
    }
    if !c.timeline.is_empty() {
        let u = &c.usage;
        cards.push(card(
            "idle",
            "Fleet GPU-hours idle",
            percent(u.idle_share),
            None,
            Some(format!("training {} · inference at peak {}", percent(u.training_share), percent(u.inference_share))),
        ));
    }
    cards
}

/// The headline cards of an operated build-out: how much of the fleet each class took, and when
/// each frontier run finished.
pub fn operate_cards(r: &gigawatt_operate::Operation) -> Vec<Card> {
    let t = &r.totals;
    let mut cards = vec![
        card(
            "mean_idle_share",
            "Fleet idle (mean over the months)",
            percent(t.mean_idle_share),
            None,
            Some(format!("{} GPU-hours in service, {} to {}", count(t.gpu_hours_online), r.from, r.to)),
        ),
        card(
            "research_share",
            "Research and evaluation",
            percent(t.share.research),
            None,
            Some(format!(
                "{} jobs; queueing delay median {:.1} h",
                crate::fmt::thousands(r.research.jobs),
                r.research.queue_delay_h.p50
            )),
        ),
        card(
            "training_share",
            "Frontier and RL runs",
            percent(t.share.frontier + t.share.rl),
            None,
            Some(format!("{} spend", crate::fmt::usd(t.spend_usd.frontier + t.spend_usd.rl))),
        ),
        card(
            "inference_share",
            "Inference",
            percent(t.share.inference),
            None,
            Some(format!("{} spend", crate::fmt::usd(t.spend_usd.inference))),
        ),
    ];
    for x in &r.frontier {
        cards.push(card(
            &format!("frontier:{}", x.name),
            &format!("{} finishes", x.name),
            x.finish.map_or_else(|| format!("{} done", percent(x.progress)), |d| d.to_string()),
            x.closed_form_finish.map(|d| format!("closed form {d}")),
            Some(format!("{} GPUs · ETTR {:.2} · {} failures", count(f64::from(x.gpus)), x.ettr, x.failures)),
        ));
    }
    cards
}
