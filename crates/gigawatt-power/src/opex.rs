//! The plan's electricity line from the power model (`gigawatt plan --energy-from-power`).
//!
//! The plan prices electricity flat: `installed facility MW × load_factor × 8,760 h × price`
//! (`docs/models/plan.md`). The power model knows more: the facility power second by second under
//! the jobs' states (idle spares, failures, checkpoints, the iteration's square wave), the cooling
//! lag, the mitigations' burn and storage losses, and each site's price (its state's, or an hourly
//! series). This module annualises a power run's energy cost and puts it in the plan's place:
//!
//! ```text
//! site cost per year  = site cost over the window × 8,760 h ÷ window hours
//! phase cost per year = site cost per year × phase facility MW ÷ site facility MW
//! ```
//!
//! Both are steady-state figures: the plan's line is every phase fully deployed, and the power
//! model's window runs every phase at full deployment from day 0 (the simulation has no calendar).
//! A site with several phases has one series; its cost is split in proportion to the phases'
//! facility power, as the plan's own line splits it.

use gigawatt_core::Plan;
use gigawatt_core::plan::HOURS_PER_YEAR;
use serde::Serialize;

use crate::PowerResults;

/// One phase's electricity per year: the plan's flat line and the power model's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseEnergy {
    /// The phase.
    pub phase: String,
    /// Its site in the power run.
    pub site: String,
    /// The plan's line: installed facility MW × load factor × 8,760 h × price, USD per year.
    pub plan_usd_per_year: f64,
    /// The power model's cost, annualised, USD per year.
    pub power_usd_per_year: f64,
    /// The power model's mean facility draw of the phase (its share of its site's), MW.
    pub power_mean_mw: f64,
}

/// The plan's electricity from a power run, with what it replaced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnergyOpex {
    /// Where the figures come from, in words.
    pub basis: String,
    /// Hours of the power run's window the cost is annualised from.
    pub window_hours: f64,
    /// Per phase.
    pub phases: Vec<PhaseEnergy>,
    /// The plan's flat line over all phases, USD per year.
    pub plan_usd_per_year: f64,
    /// The power model's, USD per year (now the plan's `opex.energy_usd_per_year`).
    pub power_usd_per_year: f64,
}

/// The plan's electricity from `power`, phase by phase (phases the power run does not cover keep
/// the plan's line; a power run of the same scenario covers every phase).
pub fn energy_opex(plan: &Plan, power: &PowerResults) -> EnergyOpex {
    let hours = power.total.metrics.hours;
    let annualise = if hours > 0.0 { HOURS_PER_YEAR / hours } else { 0.0 };
    let phases: Vec<PhaseEnergy> = plan
        .phases
        .iter()
        .map(|p| {
            let site = power.sites.iter().find(|s| s.phases.iter().any(|n| n == &p.name));
            match site {
                Some(s) => {
                    let site_mw: f64 = plan
                        .phases
                        .iter()
                        .filter(|q| s.phases.iter().any(|n| n == &q.name))
                        .map(|q| q.facility_power_mw)
                        .sum();
                    let share = if site_mw > 0.0 { p.facility_power_mw / site_mw } else { 0.0 };
                    PhaseEnergy {
                        phase: p.name.clone(),
                        site: s.name.clone(),
                        plan_usd_per_year: p.opex.energy_usd_per_year,
                        power_usd_per_year: s.cost.cost_usd * annualise * share,
                        power_mean_mw: s.metrics.mean_mw * share,
                    }
                }
                None => PhaseEnergy {
                    phase: p.name.clone(),
                    site: String::new(),
                    plan_usd_per_year: p.opex.energy_usd_per_year,
                    power_usd_per_year: p.opex.energy_usd_per_year,
                    power_mean_mw: 0.0,
                },
            }
        })
        .collect();
    EnergyOpex {
        basis: format!(
            "gigawatt power: days {} – {} at {} s, replica {} of seed {}, annualised × 8,760 h ÷ {} h; prices: {}",
            power.from_day,
            power.to_day,
            power.resolution_s,
            power.replica,
            power.seed,
            hours,
            power
                .prices
                .hourly_file
                .as_deref()
                .map_or("each site's flat price".to_string(), |f| format!("hourly from {f}"))
        ),
        window_hours: hours,
        plan_usd_per_year: phases.iter().map(|p| p.plan_usd_per_year).sum(),
        power_usd_per_year: phases.iter().map(|p| p.power_usd_per_year).sum(),
        phases,
    }
}

/// Puts `e`'s electricity into the plan: each phase's energy line and opex total, the plan's
/// totals and opex per GW. Nothing else in a plan depends on opex.
pub fn apply(plan: &mut Plan, e: &EnergyOpex) {
    for (p, pe) in plan.phases.iter_mut().zip(&e.phases) {
        p.opex.energy_usd_per_year = pe.power_usd_per_year;
        p.opex.total_usd_per_year = p.opex.energy_usd_per_year + p.opex.maintenance_usd_per_year;
    }
    let t = &mut plan.totals;
    t.opex.energy_usd_per_year = plan.phases.iter().map(|p| p.opex.energy_usd_per_year).sum();
    t.opex.total_usd_per_year = t.opex.energy_usd_per_year + t.opex.maintenance_usd_per_year;
    t.opex_usd_per_year = t.opex.total_usd_per_year;
    plan.per_gw.opex_usd_per_year = if t.power_gw > 0.0 { t.opex_usd_per_year / t.power_gw } else { 0.0 };
}
