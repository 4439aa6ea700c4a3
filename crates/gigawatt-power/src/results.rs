//! The result of `gigawatt power`: per site and for the whole scenario the grid metrics (the JSON
//! keys `hours`, `peak_mw`, `min_mw`, `mean_mw`, `energy_mwh`, `largest_drop_mw`,
//! `max_ramp_up_mw_per_s`, `max_ramp_down_mw_per_s`, `band_energy_share`), energy cost and carbon
//! by month; each mitigation's effect on every metric and its cost in MWh and dollars; the jobs'
//! swings; and every input with its provenance. The series themselves are kept for the CSV and
//! the charts but not written to JSON.

use gigawatt_core::Model;
use gigawatt_core::params::InputRecord;
use serde::Serialize;

use crate::inputs::PowerSettings;
use crate::metrics::{GridMetrics, band_share, grid_metrics, largest_step, spectrum};
use crate::model::{GridSpec, Levels, Mitigations, PowerModel};
use crate::price::{EnergyCost, PriceSource, energy_cost};
use crate::series::{SiteSeries, site_series, total};
use crate::wave::Grid;
use crate::{PowerOptions, SPECTRUM_DT_S, long_grid};

/// The scenario a result is for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioRef {
    /// Name.
    pub name: String,
    /// File.
    pub file: String,
}

/// Where a spectrum was taken.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpectrumWindow {
    /// Start, s from the start of the simulation.
    pub start_s: f64,
    /// Length, s.
    pub length_s: f64,
    /// Step, s.
    pub step_s: f64,
}

/// One site.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiteResult {
    /// Site name.
    pub name: String,
    /// Its phases.
    pub phases: Vec<String>,
    /// Its state or grid region, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Grid metrics.
    #[serde(flatten)]
    pub metrics: GridMetrics,
    /// Where its spectrum was taken.
    pub spectrum_window: SpectrumWindow,
    /// Price the site pays (flat), USD/MWh, and what it rests on.
    pub price_usd_per_mwh: f64,
    /// Where the price comes from.
    pub price_basis: String,
    /// Carbon intensity (flat), g CO2/kWh.
    pub carbon_g_per_kwh: f64,
    /// Energy cost and carbon.
    pub cost: EnergyCost,
    /// Energy lost in its storage (rack and site), MWh.
    pub storage_losses_mwh: f64,
}

/// The whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TotalResult {
    /// Grid metrics of the sum of the sites.
    #[serde(flatten)]
    pub metrics: GridMetrics,
    /// Where its spectrum was taken.
    pub spectrum_window: SpectrumWindow,
    /// Energy cost and carbon (the sites' sums).
    pub cost_usd: f64,
    /// Emissions, t CO2.
    pub carbon_t: f64,
}

/// How much a metric moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricChange {
    /// Peak, MW.
    pub peak_mw: f64,
    /// Minimum, MW.
    pub min_mw: f64,
    /// Mean, MW.
    pub mean_mw: f64,
    /// Energy, MWh.
    pub energy_mwh: f64,
    /// Largest drop, MW.
    pub largest_drop_mw: f64,
    /// Largest ramp up, MW/s.
    pub max_ramp_up_mw_per_s: f64,
    /// Largest ramp down, MW/s.
    pub max_ramp_down_mw_per_s: f64,
    /// Band share.
    pub band_energy_share: f64,
    /// Ramp events over the limit (first window).
    pub ramp_events_over_limit: i64,
}

impl MetricChange {
    fn between(a: &GridMetrics, b: &GridMetrics) -> MetricChange {
        let ev = |m: &GridMetrics| m.ramps.first().map_or(0, |r| r.events_over_limit as i64);
        MetricChange {
            peak_mw: b.peak_mw - a.peak_mw,
            min_mw: b.min_mw - a.min_mw,
            mean_mw: b.mean_mw - a.mean_mw,
            energy_mwh: b.energy_mwh - a.energy_mwh,
            largest_drop_mw: b.largest_drop_mw - a.largest_drop_mw,
            max_ramp_up_mw_per_s: b.max_ramp_up_mw_per_s - a.max_ramp_up_mw_per_s,
            max_ramp_down_mw_per_s: b.max_ramp_down_mw_per_s - a.max_ramp_down_mw_per_s,
            band_energy_share: b.band_energy_share - a.band_energy_share,
            ramp_events_over_limit: ev(b) - ev(a),
        }
    }
}

/// One mitigation (or all of them together) against the unmitigated series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MitigationResult {
    /// `floor`, `ramp_limits`, `rack_storage`, `battery`, `burn`, or `all`.
    pub name: String,
    /// What it is, with its settings.
    pub description: String,
    /// The whole scenario's metrics with it.
    pub metrics: GridMetrics,
    /// How each metric moved against no mitigation.
    pub change: MetricChange,
    /// Extra energy drawn from the grid, MWh.
    pub energy_mwh: f64,
    /// Extra energy cost, USD.
    pub cost_usd: f64,
    /// Energy lost in storage, MWh (part of `energy_mwh`).
    pub storage_losses_mwh: f64,
}

/// One job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobResult {
    /// Name.
    pub name: String,
    /// Phase.
    pub phase: String,
    /// GPU packages it holds.
    pub gpus: u64,
    /// Step time, s.
    pub step_s: f64,
    /// Compute share of a step.
    pub compute_share: f64,
    /// Compute between checkpoints, s.
    pub checkpoint_interval_s: f64,
    /// Blocking checkpoint write, s.
    pub checkpoint_write_s: f64,
    /// Run segments that overlap the window.
    pub run_segments: u64,
    /// Segments in the window ended by a failure.
    pub failures: u64,
    /// Facility power between computing and communicating, MW (IT swing × PUE).
    pub iteration_swing_mw: f64,
    /// Facility power between running (mean of the wave) and idle, MW: what a failure drops.
    pub stop_drop_mw: f64,
    /// The steady level it draws while running (fraction of TDP) instead of the wave: an
    /// operated build-out's inference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steady: Option<f64>,
}

/// How prices were given.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceNote {
    /// The hourly series file, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly_file: Option<String>,
    /// Hours filled by `--fill`.
    pub filled_hours: u64,
}

/// The complete result of `gigawatt power`.
#[derive(Clone, Debug, Serialize)]
pub struct PowerResults {
    /// The scenario.
    pub scenario: ScenarioRef,
    /// Seed of the simulation.
    pub seed: u64,
    /// Replica whose trajectory the series follow.
    pub replica: u64,
    /// Window start, days.
    pub from_day: f64,
    /// Window end, days.
    pub to_day: f64,
    /// Step of the series, s.
    pub resolution_s: f64,
    /// Per site (with the scenario's mitigations).
    pub sites: Vec<SiteResult>,
    /// The whole scenario (with the scenario's mitigations).
    pub total: TotalResult,
    /// The whole scenario without mitigations (when the scenario has any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<GridMetrics>,
    /// Each mitigation alone, then all together, against no mitigation.
    pub mitigations: Vec<MitigationResult>,
    /// The jobs (of an operated run: each class summed per phase).
    pub jobs: Vec<JobResult>,
    /// What an operated run's series followed (`--operate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operated: Option<crate::operated::OperatedNote>,
    /// GPU power by state, fraction of TDP.
    pub levels: Levels,
    /// The grid's limits and the metrics' windows.
    pub grid_limits: GridSpec,
    /// Prices.
    pub prices: PriceNote,
    /// Every input of the power model with its provenance.
    pub inputs: Vec<InputRecord>,
    /// The series (main variant): per site, then the total, MW.
    #[serde(skip)]
    pub series: Vec<(String, Vec<f64>)>,
    /// The grid of the series.
    #[serde(skip)]
    pub grid: Option<Grid>,
    /// The total's spectrum (main variant), Hz and |X|².
    #[serde(skip)]
    pub spectrum: Vec<(f64, f64)>,
}

impl PowerResults {
    /// The inputs that rest on an assumption rather than a source.
    pub fn assumptions(&self) -> impl Iterator<Item = &InputRecord> {
        self.inputs.iter().filter(|i| !i.sourced)
    }
}

/// One variant's series and metrics.
struct Variant {
    sites: Vec<SiteSeries>,
    total: Vec<f64>,
    site_metrics: Vec<(GridMetrics, SpectrumWindow)>,
    total_metrics: (GridMetrics, SpectrumWindow, Vec<(f64, f64)>),
    costs: Vec<EnergyCost>,
}

/// The 10 ms window around `center_s` clipped to the long window.
fn spectrum_grid(model: &PowerModel, long: &Grid, center_s: f64) -> Grid {
    let w = model.grid.spectrum_window_s.min(long.end() - long.t0);
    let start = (center_s - w / 2.0).clamp(long.t0, long.end() - w);
    Grid::new(start, start + w, SPECTRUM_DT_S)
}

fn window_of(g: &Grid) -> SpectrumWindow {
    SpectrumWindow { start_s: g.t0, length_s: g.dt * g.n as f64, step_s: g.dt }
}

fn variant(model: &PowerModel, settings: &PowerSettings, options: &PowerOptions, mit: &Mitigations) -> Variant {
    let long = long_grid(options);
    let sites = site_series(model, &long, mit);
    let tot = total(&sites, long.n);
    let center = |x: &[f64]| options.spectrum_at_s.unwrap_or_else(|| long.at(largest_step(x)));
    // The total: its own window over every site.
    let tg = spectrum_grid(model, &long, center(&tot));
    let fine = site_series(model, &tg, mit);
    let spec = spectrum(&total(&fine, tg.n), tg.dt);
    let share = band_share(&spec, model.grid.band_hz);
    let total_metrics = (grid_metrics(&tot, long.dt, &model.grid, share), window_of(&tg), spec);
    let names: Vec<(String, Vec<usize>)> = model.sites();
    let mut site_metrics = Vec::with_capacity(sites.len());
    let mut costs = Vec::with_capacity(sites.len());
    for (i, s) in sites.iter().enumerate() {
        let g = spectrum_grid(model, &long, center(&s.grid_mw));
        let fine = if g == tg { fine[i].grid_mw.clone() } else { site_series(model, &g, mit).swap_remove(i).grid_mw };
        let share = band_share(&spectrum(&fine, g.dt), model.grid.band_hz);
        site_metrics.push((grid_metrics(&s.grid_mw, long.dt, &model.grid, share), window_of(&g)));
        let first = names[i].1[0];
        let t = &settings.tariffs[first];
        let src = PriceSource {
            hourly: options.prices.as_ref(),
            flat_usd_per_mwh: t.usd_per_mwh,
            flat_g_per_kwh: t.carbon_g_per_kwh,
        };
        costs.push(energy_cost(&s.grid_mw, long.t0, long.dt, src));
    }
    Variant { sites, total: tot, site_metrics, total_metrics, costs }
}

/// The mitigations to compare: each one alone, then all together.
fn singles(m: &Mitigations) -> Vec<(&'static str, String, Mitigations)> {
    let none = Mitigations::default();
    let mut out = Vec::new();
    if let Some(f) = m.floor {
        out.push((
            "floor",
            format!("GPU power floor at {:.0}% of TDP while a job holds its GPUs", f * 100.0),
            Mitigations { floor: m.floor, ..none },
        ));
    }
    if let Some((up, down)) = m.ramp_w_per_s {
        let rate = |x: f64| if x.is_finite() { format!("{x:.0} W/s") } else { "unlimited".into() };
        out.push((
            "ramp_limits",
            format!("GPU ramp limits: up {}, down {} per GPU", rate(up), rate(down)),
            Mitigations { ramp_w_per_s: m.ramp_w_per_s, ..none },
        ));
    }
    if let Some(r) = m.rack_storage {
        out.push((
            "rack_storage",
            format!("rack storage: {} kWh, {} kW per rack, {:.0}% round trip", r.kwh, r.kw, r.efficiency * 100.0),
            Mitigations { rack_storage: m.rack_storage, ..none },
        ));
    }
    if let Some(b) = m.battery {
        out.push((
            "battery",
            format!("site battery: {} MWh, {} MW, {:.0}% round trip", b.energy_mwh, b.power_mw, b.efficiency * 100.0),
            Mitigations { battery: m.battery, ..none },
        ));
    }
    if let Some(s) = m.burn_s {
        out.push((
            "burn",
            format!("power burn: a stopped job's GPUs come down to idle over {s} s"),
            Mitigations { burn_s: m.burn_s, ..none },
        ));
    }
    out
}

/// Computes every series and metric of `model` (see [`crate::power`]).
pub fn compute(scenario: &Model, model: &PowerModel, settings: &PowerSettings, options: &PowerOptions) -> PowerResults {
    let long = long_grid(options);
    let main = variant(model, settings, options, &model.mitigations);
    let mut mitigations = Vec::new();
    let mut baseline = None;
    if model.mitigations.any() {
        let base = variant(model, settings, options, &Mitigations::default());
        let base_cost: f64 = base.costs.iter().map(|c| c.cost_usd).sum();
        let mut list = singles(&model.mitigations);
        if list.len() > 1 {
            list.push(("all", "all of the above together".into(), model.mitigations));
        }
        for (name, description, m) in list {
            let v = if m == model.mitigations { None } else { Some(variant(model, settings, options, &m)) };
            let v = v.as_ref().unwrap_or(&main);
            let metrics = v.total_metrics.0.clone();
            let cost: f64 = v.costs.iter().map(|c| c.cost_usd).sum();
            mitigations.push(MitigationResult {
                name: name.into(),
                description,
                change: MetricChange::between(&base.total_metrics.0, &metrics),
                energy_mwh: metrics.energy_mwh - base.total_metrics.0.energy_mwh,
                cost_usd: cost - base_cost,
                storage_losses_mwh: v.sites.iter().map(|s| s.storage.losses_mwh).sum(),
                metrics,
            });
        }
        baseline = Some(base.total_metrics.0.clone());
    }
    let names = model.sites();
    let sites: Vec<SiteResult> = main
        .sites
        .iter()
        .zip(&main.site_metrics)
        .zip(&main.costs)
        .zip(&names)
        .map(|(((s, (m, w)), c), (_, phases))| {
            let t = &settings.tariffs[phases[0]];
            SiteResult {
                name: s.name.clone(),
                phases: phases.iter().map(|&p| model.phases[p].name.clone()).collect(),
                state: model.phases[phases[0]].state.clone(),
                metrics: m.clone(),
                spectrum_window: w.clone(),
                price_usd_per_mwh: if options.prices.is_some() { c.mean_usd_per_mwh } else { t.usd_per_mwh },
                price_basis: match &options.prices {
                    Some(p) => format!("hourly series {}", p.file),
                    None => t.price_basis.clone(),
                },
                carbon_g_per_kwh: t.carbon_g_per_kwh,
                cost: c.clone(),
                storage_losses_mwh: s.storage.losses_mwh,
            }
        })
        .collect();
    let jobs = model
        .jobs
        .iter()
        .map(|j| {
            let ph = &model.phases[j.phase];
            let lv = &model.levels;
            let mw = |f: f64| j.gpus as f64 * ph.gpu_tdp_mw * f * ph.pue;
            let (w0, w1) = (long.t0, long.end());
            let inside: Vec<_> = j.segments.iter().filter(|s| s.end > w0 && s.start < w1).collect();
            JobResult {
                name: j.name.clone(),
                phase: ph.name.clone(),
                gpus: j.gpus,
                step_s: j.step,
                compute_share: j.compute_share,
                checkpoint_interval_s: j.interval,
                checkpoint_write_s: j.write,
                run_segments: inside.len() as u64,
                failures: inside
                    .iter()
                    .filter(|s| s.how == gigawatt_sim::job::SegmentEnd::Failure && s.end < w1)
                    .count() as u64,
                iteration_swing_mw: if j.steady.is_some() { 0.0 } else { mw(lv.compute - lv.communication) },
                stop_drop_mw: mw(j
                    .steady
                    .unwrap_or(lv.communication + (lv.compute - lv.communication) * j.compute_share)
                    - lv.idle),
                steady: j.steady,
            }
        })
        .collect();
    let (tm, tw, spec) = main.total_metrics;
    let mut series: Vec<(String, Vec<f64>)> = main.sites.into_iter().map(|s| (s.name, s.grid_mw)).collect();
    series.push(("total".into(), main.total));
    PowerResults {
        scenario: ScenarioRef { name: scenario.name.clone(), file: scenario.source.name.clone() },
        seed: options.seed,
        replica: settings.replica,
        from_day: options.from_day,
        to_day: options.to_day,
        resolution_s: options.resolution_s,
        total: TotalResult {
            metrics: tm,
            spectrum_window: tw,
            cost_usd: sites.iter().map(|s| s.cost.cost_usd).sum(),
            carbon_t: sites.iter().map(|s| s.cost.carbon_t).sum(),
        },
        sites,
        baseline,
        mitigations,
        jobs,
        operated: None,
        levels: model.levels,
        grid_limits: model.grid.clone(),
        prices: PriceNote {
            hourly_file: options.prices.as_ref().map(|p| p.file.clone()),
            filled_hours: options.prices.as_ref().map_or(0, |p| p.filled_hours),
        },
        inputs: settings.records.clone(),
        series,
        grid: Some(long),
        spectrum: spec,
    }
}
