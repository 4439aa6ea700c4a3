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
    let imp = &plan.implied;
    let scale = if imp.gigawatts > 0.0 { t.power_gw / imp.gigawatts } else { 0.0 };
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
            Some(format!(
                "announcement: {} – {} for {} GW · {:.2} kW all-in each",
                count(imp.gpus.low * scale),
                count(imp.gpus.high * scale),
                sig3(t.power_gw),
                plan.per_gpu.kw_all_in
            )),
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
            Some(format!(
                "announcement: {}",
                span(imp.capex_per_gw_usd.low, imp.capex_per_gw_usd.central, imp.capex_per_gw_usd.high, usd)
            )),
        ),
        card(
            "nvidia_per_gw",
            "NVIDIA content per GW",
            usd(r.nvidia_per_gw_usd.central),
            range(&r.nvidia_per_gw_usd, usd),
            Some(format!(
                "announcement: {}",
                span(imp.nvidia_per_gw_usd.low, imp.nvidia_per_gw_usd.central, imp.nvidia_per_gw_usd.high, usd)
            )),
        ),
        card(
            "capex",
            "Capex in total",
            usd(t.capex_usd),
            None,
            Some(format!("{} from NVIDIA · opex {}/yr", usd(t.capex_nvidia_usd), usd(t.opex_usd_per_year))),
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
