//! The report directory: `index.html`, the charts as files, and the JSON and CSV beside them.
//!
//! [`plan_report`] renders everything in memory; the caller writes the files (all or nothing).
//! The layout is
//!
//! ```text
//! index.html            self-contained page (charts inline, no scripts, fonts or network)
//! plan.json             the full result, as `gigawatt plan --format json`
//! timeline.csv          the quarterly timeline, as `gigawatt plan --format csv`
//! charts/<id>.svg       each chart
//! charts/<id>.png       each chart rasterised at 2×, when asked for
//! ```

use gigawatt_core::Plan;

use crate::chart::plan::plan_charts;
use crate::chart::{Chart, RenderedChart};
use crate::html::{ChartFigure, Page, plan_lede, plan_sections, scenario_section};
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

/// Every file of the report of a plan computed from `scenario_text`. Fails only if a chart cannot
/// be rasterised.
pub fn plan_report(plan: &Plan, scenario_text: &str, options: ReportOptions) -> Result<Vec<ReportFile>, String> {
    let charts = plan_charts(plan);
    let (rendered, chart_figures) = figures(&charts, options);
    let mut files_listed = vec![
        ("plan.json".to_string(), "the full result (gigawatt plan --format json)".to_string()),
        ("timeline.csv".to_string(), "the quarterly timeline (gigawatt plan --format csv)".to_string()),
    ];
    for c in &rendered {
        files_listed.push((format!("charts/{}.svg", c.id), c.title.clone()));
    }
    let page = Page {
        title: format!("{} — gigawatt plan report", plan.scenario.name),
        heading: plan.scenario.name.clone(),
        lede: plan_lede(plan),
        sections: {
            let mut sections = plan_sections(plan, chart_figures);
            sections.push(scenario_section(&plan.scenario.file, scenario_text));
            sections
        },
        files: files_listed,
    };
    let mut files = vec![
        ReportFile { path: "index.html".into(), contents: page.to_html().into_bytes() },
        ReportFile { path: "plan.json".into(), contents: json::to_json(plan).into_bytes() },
        ReportFile { path: "timeline.csv".into(), contents: csv::timeline_csv(plan).into_bytes() },
    ];
    for c in &rendered {
        files.push(ReportFile { path: format!("charts/{}.svg", c.id), contents: c.svg.clone().into_bytes() });
        if options.png {
            let bytes = png::from_svg(&c.svg, PNG_SCALE).map_err(|e| format!("chart `{}`: {e}", c.id))?;
            files.push(ReportFile { path: format!("charts/{}.png", c.id), contents: bytes });
        }
    }
    Ok(files)
}
