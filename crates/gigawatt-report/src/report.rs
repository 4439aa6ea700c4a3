//! The report directory: `index.html`, the charts as files, and the JSON and CSV beside them.
//!
//! [`report`] (and [`plan_report`] for a plan alone) renders everything in memory; the caller writes the files (all or nothing).
//! The layout is
//!
//! ```text
//! index.html            self-contained page (charts inline, no scripts, fonts or network)
//! plan.json             the full plan, as `gigawatt plan --format json`
//! timeline.csv          the quarterly timeline, as `gigawatt plan --format csv`
//! simulate.json         the simulation, as `gigawatt simulate --format json` (when simulated)
//! daily.csv             its daily time series, as `gigawatt simulate --format csv`
//! capacity.json         the capacity run, as `gigawatt capacity --format json` (when run)
//! capacity_timeline.csv its monthly timeline, as `gigawatt capacity --format csv`
//! power.json            the power run, as `gigawatt power --format json` (when run; the series
//!                       itself is left to `gigawatt power --format csv|parquet`)
//! charts/<id>.svg       each chart (a sweep's: `sweep-METRIC-vs-AXIS`, `sweep-tornado-METRIC`)
//! charts/<id>.png       each chart rasterised at 2×, when asked for
//! ```

use gigawatt_core::Plan;
use gigawatt_power::PowerResults;
use gigawatt_sim::SimResults;
use gigawatt_workloads::Capacity;

use crate::capacity::{capacity_csv, capacity_sections};
use crate::chart::capacity::capacity_charts;
use crate::chart::plan::plan_charts;
use crate::chart::power::power_charts;
use crate::chart::simulation::sim_charts;
use crate::chart::{Chart, RenderedChart};
use crate::fmt::thousands;
use crate::html::{ChartFigure, InputGroup, Page, inputs_sections, plan_lede, plan_sections, scenario_section};
use crate::power::power_sections;
use crate::simulation::{daily_csv, sim_sections};
use crate::sweep::{SweepSummary, sweep_lede, sweep_sections, unique_charts};
use crate::{csv, json, png};

/// One file of a report: its path relative to the report directory and its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportFile {
    /// Path relative to the report directory, with `/` separators (`charts/capex.svg`).
    pub path: String,
    /// Contents.
    pub contents: Vec<u8>,
}

/// What to put into a report.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Also write each chart as PNG.
    pub png: bool,
}

/// Pixel density of PNG charts (2 × the SVG size).
pub const PNG_SCALE: f32 = 2.0;

/// The rendered charts of a list, with the links each gets on the page.
fn figures(charts: &[Chart], options: ReportOptions) -> (Vec<RenderedChart>, Vec<ChartFigure>) {
    let rendered: Vec<RenderedChart> = charts.iter().map(Chart::render).collect();
    let figures = rendered
        .iter()
        .map(|c| {
            let mut links = vec![("SVG".to_string(), format!("charts/{}.svg", c.id))];
            if options.png {
                links.push(("PNG".to_string(), format!("charts/{}.png", c.id)));
            }
            ChartFigure { chart: c.clone(), links }
        })
        .collect();
    (rendered, figures)
}

/// The results a report shows: always a plan; a simulation, a capacity run and a power run where
/// the scenario has them; merged sweeps when asked for.
#[derive(Clone, Copy)]
pub struct ReportInputs<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The simulation of the plan's fleet, if run.
    pub simulation: Option<&'a SimResults>,
    /// Training and inference capacity on the plan's fleet, if run.
    pub capacity: Option<&'a Capacity>,
    /// The build-out operated by one scheduler, if run.
    pub operation: Option<&'a gigawatt_operate::Operation>,
    /// The sites' power under the simulated jobs, if run.
    pub power: Option<&'a PowerResults>,
    /// Merged sweeps to show (`report --sweep DIR`), each with its charts; empty for none.
    pub sweeps: &'a [SweepSummary],
    /// The scenario file's text, quoted at the end of the page.
    pub scenario_text: &'a str,
}

/// Every file of the report of a plan computed from `scenario_text`. Fails only if a chart cannot
/// be rasterised.
pub fn plan_report(plan: &Plan, scenario_text: &str, options: ReportOptions) -> Result<Vec<ReportFile>, String> {
    report(
        ReportInputs {
            plan,
            simulation: None,
            capacity: None,
            operation: None,
            power: None,
            sweeps: &[],
            scenario_text,
        },
        options,
    )
}

/// Every file of the report of the results in `inputs`: the page, each result's JSON and CSV, and
/// the charts. Fails only if a chart cannot be rasterised.
pub fn report(inputs: ReportInputs<'_>, options: ReportOptions) -> Result<Vec<ReportFile>, String> {
    let plan = inputs.plan;
    let charts = plan_charts(plan);
    let (rendered, chart_figures) = figures(&charts, options);
    let mut all_rendered = rendered;
    let mut data_files = vec![
        ("plan.json", "the full plan (gigawatt plan --format json)", json::to_json(plan)),
        ("timeline.csv", "the quarterly timeline (gigawatt plan --format csv)", csv::timeline_csv(plan)),
    ];
    let mut sections = plan_sections(plan, chart_figures);
    let mut lede = plan_lede(plan);
    let mut groups: Vec<InputGroup<'_>> = vec![("plan", &plan.inputs)];

    if let Some(sim) = inputs.simulation {
        let sim_charts = sim_charts(sim);
        let (rendered, figs) = figures(&sim_charts, options);
        all_rendered.extend(rendered);
        sections.extend(sim_sections(sim, figs));
        lede.push(format!(
            "Reliability simulation: {} replica{} × {} days, seed {}, {} job{}",
            thousands(sim.replicas as u64),
            if sim.replicas == 1 { "" } else { "s" },
            crate::fmt::number(sim.days),
            sim.seed,
            sim.jobs.len(),
            if sim.jobs.len() == 1 { "" } else { "s" }
        ));
        data_files.push(("simulate.json", "the full simulation (gigawatt simulate --format json)", json::to_json(sim)));
        data_files.push((
            "daily.csv",
            "the simulation's daily time series (gigawatt simulate --format csv)",
            daily_csv(sim),
        ));
        groups.push(("simulation", &sim.inputs));
    }
    if let Some(cap) = inputs.capacity {
        let cap_charts = capacity_charts(cap);
        let (rendered, figs) = figures(&cap_charts, options);
        all_rendered.extend(rendered);
        sections.extend(capacity_sections(cap, figs));
        lede.push(format!(
            "Capacity: {} training run{}, {} demand tier{}, {} months",
            cap.training.len(),
            if cap.training.len() == 1 { "" } else { "s" },
            cap.tiers.len(),
            if cap.tiers.len() == 1 { "" } else { "s" },
            cap.timeline.len()
        ));
        data_files.push((
            "capacity.json",
            "the full capacity run (gigawatt capacity --format json)",
            json::to_json(cap),
        ));
        data_files.push((
            "capacity_timeline.csv",
            "the monthly capacity timeline (gigawatt capacity --format csv)",
            capacity_csv(cap),
        ));
        groups.push(("workloads", &cap.inputs));
    }
    if let Some(op) = inputs.operation {
        let op_charts = crate::chart::operate::operate_charts(op);
        let (rendered, figs) = figures(&op_charts, options);
        all_rendered.extend(rendered);
        sections.extend(crate::operate::operate_sections(op, figs));
        lede.push(format!(
            "Operations: {} to {}, seed {}, {} jobs; mean idle share {}",
            op.from,
            op.to,
            op.seed,
            thousands(op.jobs),
            crate::fmt::percent(op.totals.mean_idle_share)
        ));
        data_files.push(("operate.json", "the operated build-out (gigawatt operate --format json)", json::to_json(op)));
        data_files.push((
            "operate_months.csv",
            "the operated build-out by month (gigawatt operate --format csv)",
            crate::operate::operate_csv(op),
        ));
        groups.push(("operate", &op.inputs));
    }
    if let Some(pw) = inputs.power {
        let (rendered, figs) = figures(&power_charts(pw, None), options);
        all_rendered.extend(rendered);
        sections.extend(power_sections(pw, figs));
        lede.push(format!(
            "Power: {} site{} from day {} to day {} at {} s, replica {} of seed {}",
            pw.sites.len(),
            if pw.sites.len() == 1 { "" } else { "s" },
            crate::fmt::number(pw.from_day),
            crate::fmt::number(pw.to_day),
            crate::fmt::number(pw.resolution_s),
            pw.replica,
            pw.seed
        ));
        data_files.push(("power.json", "the power run (gigawatt power --format json)", json::to_json(pw)));
        groups.push(("power", &pw.inputs));
    }
    if !inputs.sweeps.is_empty() {
        let mut figs = Vec::new();
        for charts in unique_charts(inputs.sweeps) {
            let (rendered, f) = figures(&charts, options);
            all_rendered.extend(rendered);
            figs.push(f);
        }
        sections.extend(sweep_sections(inputs.sweeps, figs));
        lede.extend(inputs.sweeps.iter().map(sweep_lede));
    }
    sections.extend(inputs_sections(&groups));
    sections.push(scenario_section(&plan.scenario.file, inputs.scenario_text));

    let mut files_listed: Vec<(String, String)> =
        data_files.iter().map(|(path, what, _)| (path.to_string(), what.to_string())).collect();
    for c in &all_rendered {
        files_listed.push((format!("charts/{}.svg", c.id), c.title.clone()));
    }
    let page = Page {
        title: format!("{} — gigawatt report", plan.scenario.name),
        heading: plan.scenario.name.clone(),
        lede,
        sections,
        files: files_listed,
    };
    let mut files = vec![ReportFile { path: "index.html".into(), contents: page.to_html().into_bytes() }];
    for (path, _, contents) in data_files {
        files.push(ReportFile { path: path.into(), contents: contents.into_bytes() });
    }
    for c in &all_rendered {
        files.push(ReportFile { path: format!("charts/{}.svg", c.id), contents: c.svg.clone().into_bytes() });
        if options.png {
            let bytes = png::from_svg(&c.svg, PNG_SCALE).map_err(|e| format!("chart `{}`: {e}", c.id))?;
            files.push(ReportFile { path: format!("charts/{}.png", c.id), contents: bytes });
        }
    }
    Ok(files)
}
