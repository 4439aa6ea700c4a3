//! Rendering the results of `gigawatt power` (`gigawatt_power::PowerResults`): the series as CSV
//! and the report page's power section (key figures, the charts of [`crate::chart::power`], the
//! sites' grid metrics, the mitigations against none, energy cost and carbon). The model and the
//! metrics' definitions are in `docs/models/power.md`.

use std::fmt::Write as _;

use gigawatt_core::Plan;
use gigawatt_power::PowerResults;
use gigawatt_power::metrics::GridMetrics;
use gigawatt_power::opex::EnergyOpex;
use serde::Serialize;

use crate::fmt::{number, percent, power_mw, sig3, thousands, usd};
use crate::html::{Block, ChartFigure, Section, Table};

/// The series as CSV: `time_s` from the start of the simulation, one `<site>_mw` column per site
/// (commas and quotes in a name become spaces), `total_mw`; MW to 1 kW.
pub fn series_csv(r: &PowerResults) -> String {
    let Some(g) = r.grid else { return String::new() };
    let mut out = String::from("time_s");
    for name in series_columns(r) {
        let _ = write!(out, ",{name}");
    }
    out.push('\n');
    for k in 0..g.n {
        let _ = write!(out, "{}", g.at(k));
        for (_, s) in &r.series {
            let _ = write!(out, ",{:.3}", s[k]);
        }
        out.push('\n');
    }
    out
}

/// The column names of the series after `time_s`, in order: `<site>_mw` per site, `total_mw`.
pub fn series_columns(r: &PowerResults) -> Vec<String> {
    r.series
        .iter()
        .map(
            |(name, _)| {
                if name == "total" { "total_mw".to_string() } else { format!("{}_mw", name.replace([',', '"'], " ")) }
            },
        )
        .collect()
}

/// The power section of a report: what was run, the key figures, the charts, the sites' metrics,
/// the mitigations and the energy cost.
pub fn power_sections(r: &PowerResults, charts: Vec<ChartFigure>) -> Vec<Section> {
    let mut blocks = vec![
        Block::Text(overview_text(r)),
        Block::Cards(crate::headline::power_cards(r)),
        Block::Charts(charts),
        Block::Text(format!(
            "Per site and for the whole scenario: facility power, the largest drop within {} s, the largest \
             ramps over {} s and the share of the spectral energy in {}–{} Hz on the 10 ms window (limits: \
             drop {}, ramp {} MW/s, band share {}; * marks a site over the drop or band limit).",
            sig3(r.grid_limits.drop_window_s),
            sig3(r.grid_limits.ramp_windows_s.first().copied().unwrap_or(r.resolution_s)),
            r.grid_limits.band_hz[0],
            r.grid_limits.band_hz[1],
            power_mw(r.grid_limits.drop_limit_mw),
            sig3(r.grid_limits.ramp_limit_mw_per_s),
            percent(r.grid_limits.band_limit)
        )),
        Block::Table(sites_table(r)),
    ];
    if !r.mitigations.is_empty() {
        blocks.push(Block::Text(
            "Each mitigation of the scenario's [power] section alone, then all together, against none: the change \
             of every grid metric, the extra energy drawn from the grid and its cost at the sites' prices."
                .into(),
        ));
        blocks.push(Block::Table(mitigations_table(r)));
    }
    let mut cost = format!(
        "Energy cost {} and {} t CO2 over the window ({}).",
        usd(r.total.cost_usd),
        sig3(r.total.carbon_t),
        r.sites
            .iter()
            .map(|s| format!("{}: {}/MWh, {}", s.name, usd(s.price_usd_per_mwh), s.price_basis))
            .collect::<Vec<_>>()
            .join("; ")
    );
    if let Some(f) = &r.prices.hourly_file {
        let _ = write!(cost, " Hourly prices from {f}.");
    }
    blocks.push(Block::Text(cost));
    vec![Section { id: "power".into(), title: "Power: what the grid sees".into(), blocks }]
}

/// The section's opening paragraph.
fn overview_text(r: &PowerResults) -> String {
    let jobs: Vec<String> = r
        .jobs
        .iter()
        .map(|j| {
            format!(
                "{} ({} GPUs, step {} s, {} computing: {} per iteration, {} when it stops)",
                j.name,
                thousands(j.gpus),
                sig3(j.step_s),
                percent(j.compute_share),
                power_mw(j.iteration_swing_mw),
                power_mw(j.stop_drop_mw)
            )
        })
        .collect();
    format!(
        "Each site's facility power from day {} to day {} at a {} s step, following the job states (run, checkpoint, \
         recovery) of replica {} of seed {}, with every iteration's compute/communication square wave added \
         analytically and cooling lagging the IT load. Jobs: {}. The series itself is gigawatt power --format \
         csv (or parquet); the model is docs/models/power.md.",
        number(r.from_day),
        number(r.to_day),
        number(r.resolution_s),
        r.replica,
        r.seed,
        jobs.join("; ")
    )
}

/// One row of grid metrics per site, then the total.
fn sites_table(r: &PowerResults) -> Table {
    let rows = r
        .sites
        .iter()
        .map(|s| (s.name.as_str(), &s.metrics))
        .chain(std::iter::once(("total", &r.total.metrics)))
        .map(|(name, m): (&str, &GridMetrics)| {
            let flag = if m.drops_over_limit > 0 || m.band_over_limit { " *" } else { "" };
            vec![
                format!("{name}{flag}"),
                power_mw(m.peak_mw),
                power_mw(m.min_mw),
                power_mw(m.mean_mw),
                format!("{} MWh", sig3(m.energy_mwh)),
                power_mw(m.largest_drop_mw),
                format!("{} MW/s", sig3(m.max_ramp_up_mw_per_s)),
                format!("{} MW/s", sig3(m.max_ramp_down_mw_per_s)),
                percent(m.band_energy_share),
            ]
        })
        .collect();
    Table {
        head: ["site", "peak", "min", "mean", "energy", "largest drop", "ramp up", "ramp down", "band share"]
            .map(String::from)
            .to_vec(),
        rows,
        numeric_from: 1,
    }
}

/// One row per mitigation: its change of each metric and its cost.
fn mitigations_table(r: &PowerResults) -> Table {
    let rows = r
        .mitigations
        .iter()
        .map(|m| {
            let c = &m.change;
            vec![
                format!("{}: {}", m.name, m.description),
                format!("{:+.1} MW", c.peak_mw),
                format!("{:+.1} MW", c.min_mw),
                format!("{:+.1} MW", c.largest_drop_mw),
                format!("{:+.1} / {:+.1} MW/s", c.max_ramp_up_mw_per_s, c.max_ramp_down_mw_per_s),
                format!("{:+.1} pts", c.band_energy_share * 100.0),
                format!("{} MWh", sig3(m.energy_mwh)),
                usd(m.cost_usd),
            ]
        })
        .collect();
    Table {
        head: ["mitigation", "peak", "min", "largest drop", "ramps up / down", "band share", "extra energy", "cost"]
            .map(String::from)
            .to_vec(),
        rows,
        numeric_from: 1,
    }
}

/// `gigawatt plan --energy-from-power --format json`: the plan's keys as they are (its opex already
/// the power model's), then `energy_from_power`.
#[derive(Serialize)]
pub struct PlanWithEnergy<'a> {
    /// The plan, with the power model's electricity.
    #[serde(flatten)]
    pub plan: &'a Plan,
    /// What the electricity line rests on, and the flat line it replaced.
    pub energy_from_power: &'a EnergyOpex,
}

/// The table block under a plan whose electricity comes from the power model: per phase, the flat
/// line it replaced and the power model's.
pub fn energy_opex_text(e: &EnergyOpex) -> String {
    let mut o = String::new();
    let _ = writeln!(o);
    let _ = writeln!(o, "ELECTRICITY FROM THE POWER MODEL (--energy-from-power; opex above uses it)");
    let _ = writeln!(o, "  {}", e.basis);
    let _ = writeln!(
        o,
        "  {:<28} {:>14} {:>16} {:>16} {:>8}",
        "phase", "mean draw", "flat line /yr", "power model /yr", "change"
    );
    let _ = writeln!(o, "  {}", "─".repeat(86));
    let change = |a: f64, b: f64| if a > 0.0 { format!("{:+.1}%", (b / a - 1.0) * 100.0) } else { "–".into() };
    for p in &e.phases {
        let name: String = p.phase.chars().take(28).collect();
        let _ = writeln!(
            o,
            "  {:<28} {:>14} {:>16} {:>16} {:>8}",
            name,
            power_mw(p.power_mean_mw),
            usd(p.plan_usd_per_year),
            usd(p.power_usd_per_year),
            change(p.plan_usd_per_year, p.power_usd_per_year)
        );
    }
    let _ = writeln!(
        o,
        "  total: {} per year instead of the flat line's {} ({})",
        usd(e.power_usd_per_year),
        usd(e.plan_usd_per_year),
        change(e.plan_usd_per_year, e.power_usd_per_year)
    );
    o
}
