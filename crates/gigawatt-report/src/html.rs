//! The self-contained HTML report.
//!
//! A [`Page`] is a list of [`Section`]s, each a list of [`Block`]s (headline cards, charts,
//! tables, lists, paragraphs). [`plan_sections`] turns a plan into sections; a later result type
//! adds its own `…_sections` function and the report appends them. [`Page::to_html`] writes one
//! HTML document with its style sheet and charts inline: no scripts, no fonts, no network, so it
//! opens from disk as it is. Output is deterministic (no dates; the tool version is the only
//! thing not taken from the input).

use std::fmt::Write;

use gigawatt_core::Plan;
use gigawatt_core::analysis::InputRecord;
use gigawatt_core::plan::CapexCategory;
use gigawatt_core::plan::Financing;
use gigawatt_core::quantity::Grade;

use crate::chart::RenderedChart;
use crate::chart::svg::esc;
use crate::fmt::{percent, power_mw, thousands, usd, with_unit};
use crate::headline::{Card, plan_cards};

/// A report page.
#[derive(Clone, Debug)]
pub struct Page {
    /// Document title (browser tab).
    pub title: String,
    /// The heading at the top.
    pub heading: String,
    /// Lines under the heading (description, file, seed).
    pub lede: Vec<String>,
    /// The sections in order.
    pub sections: Vec<Section>,
    /// Files written beside the page, linked from its end: (relative path, description).
    pub files: Vec<(String, String)>,
}

/// A section of a page.
#[derive(Clone, Debug)]
pub struct Section {
    /// Anchor id (`headlines`).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Its content.
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Clone, Debug)]
pub enum Block {
    /// A paragraph of text.
    Text(String),
    /// Headline cards.
    Cards(Vec<Card>),
    /// Charts, inline, each with links to its files.
    Charts(Vec<ChartFigure>),
    /// A table.
    Table(Table),
    /// A bulleted list; each item a title and optional detail lines.
    List(Vec<(String, Vec<String>)>),
    /// Preformatted text (a scenario file), shown as it is.
    Code(String),
}

/// A chart on the page, with links to its files.
#[derive(Clone, Debug)]
pub struct ChartFigure {
    /// The rendered chart.
    pub chart: RenderedChart,
    /// Links under it: (label, relative path).
    pub links: Vec<(String, String)>,
}

/// A table: header, rows, and which columns hold numbers (right-aligned).
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column headings.
    pub head: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// Columns from this index on are right-aligned.
    pub numeric_from: usize,
}

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --line: #e3e3e3; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f6f4; color: var(--ink); font: 15px/1.5 "DejaVu Sans", Verdana, Geneva, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 26px; margin: 8px 0 4px; }
header p { margin: 2px 0; color: var(--muted); }
section { margin-top: 32px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.card .label { font-size: 13px; color: var(--muted); }
.card .value { font-size: 24px; font-weight: bold; }
.card .range { font-size: 13px; }
.card .detail { font-size: 12px; color: var(--muted); }
figure.chart { margin: 16px 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figure.chart svg { display: block; width: 100%; height: auto; }
figure.chart figcaption { font-size: 12px; color: var(--muted); padding: 4px 8px 0; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #efefec; }
td.num, th.num { text-align: right; white-space: nowrap; }
.scroll { overflow-x: auto; }
ul.items li { margin-bottom: 6px; }
ul.items .detail { display: block; font-size: 13px; color: var(--muted); }
pre.code { background: #fff; border: 1px solid var(--line); padding: 10px; overflow-x: auto; font-size: 12px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
a { color: var(--accent); }
"#;

impl Page {
    /// The page as one self-contained HTML document.
    pub fn to_html(&self) -> String {
        let mut o = String::new();
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"gigawatt {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n",
            env!("CARGO_PKG_VERSION"),
            esc(&self.title),
            STYLE
        );
        let _ = writeln!(o, "<header>\n<h1>{}</h1>", esc(&self.heading));
        for line in &self.lede {
            let _ = writeln!(o, "<p>{}</p>", esc(line));
        }
        o.push_str("</header>\n");
        if self.sections.len() > 1 {
            o.push_str("<nav><p>");
            let links: Vec<String> =
                self.sections.iter().map(|s| format!("<a href=\"#{}\">{}</a>", esc(&s.id), esc(&s.title))).collect();
            o.push_str(&links.join(" · "));
            o.push_str("</p></nav>\n");
        }
        for s in &self.sections {
            let _ = writeln!(o, "<section id=\"{}\">\n<h2>{}</h2>", esc(&s.id), esc(&s.title));
            for b in &s.blocks {
                block(&mut o, b);
            }
            o.push_str("</section>\n");
        }
        if !self.files.is_empty() {
            o.push_str("<section id=\"files\">\n<h2>Files</h2>\n<ul>\n");
            for (path, what) in &self.files {
                let _ = writeln!(o, "<li><a href=\"{p}\">{p}</a> — {}</li>", esc(what), p = esc(path));
            }
            o.push_str("</ul>\n</section>\n");
        }
        let _ = write!(
            o,
            "<footer>Made by gigawatt {} from the scenario above. Every number comes from the bundled catalog and \
             defaults (each with its source) or from the scenario; the assumptions are listed apart.</footer>\n\
             </main>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        );
        o
    }
}

fn block(o: &mut String, b: &Block) {
    match b {
        Block::Text(t) => {
            let _ = writeln!(o, "<p>{}</p>", esc(t));
        }
        Block::Cards(cards) => {
            o.push_str("<div class=\"cards\">\n");
            for c in cards {
                let _ = write!(
                    o,
                    "<div class=\"card\" data-key=\"{}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
                    esc(&c.key),
                    esc(&c.label),
                    esc(&c.value)
                );
                if let Some(r) = &c.range {
                    let _ = write!(o, "<div class=\"range\">{}</div>", esc(r));
                }
                if let Some(d) = &c.detail {
                    let _ = write!(o, "<div class=\"detail\">{}</div>", esc(d));
                }
                o.push_str("</div>\n");
            }
            o.push_str("</div>\n");
        }
        Block::Charts(charts) => {
            for f in charts {
                let _ = writeln!(o, "<figure class=\"chart\" data-chart=\"{}\">", esc(&f.chart.id));
                // The SVG document minus any XML prolog, inline.
                o.push_str(f.chart.svg.trim_start_matches("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"));
                if !f.links.is_empty() {
                    let links: Vec<String> =
                        f.links.iter().map(|(l, p)| format!("<a href=\"{}\">{}</a>", esc(p), esc(l))).collect();
                    let _ = writeln!(o, "<figcaption>{}</figcaption>", links.join(" · "));
                }
                o.push_str("</figure>\n");
            }
        }
        Block::Table(t) => {
            o.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
            for (i, h) in t.head.iter().enumerate() {
                let class = if i >= t.numeric_from { " class=\"num\"" } else { "" };
                let _ = write!(o, "<th{class}>{}</th>", esc(h));
            }
            o.push_str("</tr></thead>\n<tbody>\n");
            for row in &t.rows {
                o.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    let class = if i >= t.numeric_from { " class=\"num\"" } else { "" };
                    let _ = write!(o, "<td{class}>{}</td>", esc(cell));
                }
                o.push_str("</tr>\n");
            }
            o.push_str("</tbody>\n</table></div>\n");
        }
        Block::Code(text) => {
            let _ = writeln!(o, "<pre class=\"code\">{}</pre>", esc(text));
        }
        Block::List(items) => {
            o.push_str("<ul class=\"items\">\n");
            for (title, details) in items {
                let _ = write!(o, "<li>{}", esc(title));
                for d in details {
                    let _ = write!(o, "<span class=\"detail\">{}</span>", esc(d));
                }
                o.push_str("</li>\n");
            }
            o.push_str("</ul>\n");
        }
    }
}

fn grade(g: Option<Grade>) -> &'static str {
    match g {
        Some(Grade::Official) => "official",
        Some(Grade::Analyst) => "analyst",
        Some(Grade::Media) => "media",
        Some(Grade::Derived) => "derived",
        None => "",
    }
}

pub(crate) fn value_text(i: &InputRecord) -> String {
    if i.low == i.high {
        with_unit(i.central, &i.unit)
    } else {
        format!(
            "{} (range {} – {})",
            with_unit(i.central, &i.unit),
            with_unit(i.low, &i.unit),
            with_unit(i.high, &i.unit)
        )
    }
}

/// The page's heading lines for a plan.
pub fn plan_lede(plan: &Plan) -> Vec<String> {
    let mut lede = Vec::new();
    if let Some(d) = &plan.scenario.description {
        lede.push(d.clone());
    }
    lede.push(format!(
        "Scenario file {} · {} phase{} · seed {} · {} Monte Carlo draws behind the ranges",
        plan.scenario.file,
        plan.phases.len(),
        if plan.phases.len() == 1 { "" } else { "s" },
        plan.seed,
        thousands(plan.draws as u64)
    ));
    lede
}

/// The section that quotes the scenario file the result was computed from.
pub fn scenario_section(file: &str, text: &str) -> Section {
    Section {
        id: "scenario".into(),
        title: "Scenario file".into(),
        blocks: vec![
            Block::Text(format!("{file}, exactly as read; run it again with the same seed for the same numbers.")),
            Block::Code(text.to_string()),
        ],
    }
}

/// The inputs of one result type, for [`inputs_sections`]: a name (`plan`) and its inputs.
pub type InputGroup<'a> = (&'a str, &'a [InputRecord]);

/// The assumptions section (every unsourced input, with why it was assumed) and the sourced
/// inputs table (every sourced input with its grade and sources), over the inputs of every result
/// on the page. An input listed by two results (the capacity run repeats the simulation's) is
/// listed once, under the first.
pub fn inputs_sections(groups: &[InputGroup<'_>]) -> Vec<Section> {
    let mut seen: Vec<&str> = Vec::new();
    let mut unsourced: Vec<(&str, &InputRecord)> = Vec::new();
    let mut sourced: Vec<(&str, &InputRecord)> = Vec::new();
    for (name, inputs) in groups {
        for i in inputs.iter() {
            if seen.contains(&i.key.as_str()) {
                continue;
            }
            seen.push(&i.key);
            if i.sourced {
                sourced.push((name, i));
            } else {
                unsourced.push((name, i));
            }
        }
    }
    let several = groups.len() > 1;
    let assumptions: Vec<(String, Vec<String>)> = unsourced
        .iter()
        .map(|(name, a)| {
            let mut detail = Vec::new();
            if let Some(why) = &a.provenance.assumption {
                detail.push(why.clone());
            }
            let whose = if several { format!("{name} · ") } else { String::new() };
            detail.push(format!("{whose}{} · from {}", a.key, a.provenance.origin));
            (format!("{}: {}", a.label, value_text(a)), detail)
        })
        .collect();
    let mut sections = vec![Section {
        id: "assumptions".into(),
        title: "Assumptions".into(),
        blocks: if assumptions.is_empty() {
            vec![Block::Text("None: every input rests on a published source.".into())]
        } else {
            vec![
                Block::Text(format!(
                    "{} input{} no public source gives; the results rest on judgement here.",
                    assumptions.len(),
                    if assumptions.len() == 1 { "" } else { "s" }
                )),
                Block::List(assumptions),
            ]
        },
    }];
    let mut head = vec!["input".to_string(), "value".into(), "grade".into(), "sources".into()];
    if several {
        head.insert(0, "for".into());
    }
    let mut inputs = Table { head, rows: Vec::new(), numeric_from: usize::MAX };
    for (name, i) in &sourced {
        let mut sources = i.provenance.sources.join(" · ");
        if let Some(d) = &i.provenance.derived {
            sources = if sources.is_empty() { format!("derived: {d}") } else { format!("derived: {d} · {sources}") };
        }
        let mut row = vec![i.label.clone(), value_text(i), grade(i.provenance.grade).into(), sources];
        if several {
            row.insert(0, name.to_string());
        }
        inputs.rows.push(row);
    }
    sections.push(Section {
        id: "inputs".into(),
        title: "Sourced inputs".into(),
        blocks: vec![
            Block::Text(format!("{} inputs rest on published sources or derivations from them.", inputs.rows.len())),
            Block::Table(inputs),
        ],
    });
    sections
}

/// The sections of a plan report; `charts` are placed in the charts section in the order given.
/// The assumptions and sourced inputs come from [`inputs_sections`].
pub fn plan_sections(plan: &Plan, charts: Vec<ChartFigure>) -> Vec<Section> {
    let mut sections = vec![
        headlines_section(plan),
        Section { id: "charts".into(), title: "Charts".into(), blocks: vec![Block::Charts(charts)] },
        phases_section(plan),
        capex_section(plan),
    ];
    if let Some(f) = &plan.financing {
        sections.push(financing_section(f));
    }
    if !plan.warnings.is_empty() {
        sections.push(Section {
            id: "warnings".into(),
            title: "Warnings".into(),
            blocks: vec![Block::List(plan.warnings.iter().map(|w| (w.clone(), Vec::new())).collect())],
        });
    }
    sections
}

/// Headline figures: the plan's cards under a line on what their ranges mean.
fn headlines_section(plan: &Plan) -> Section {
    Section {
        id: "headlines".into(),
        title: "Headline figures".into(),
        blocks: vec![
            Block::Text(match &plan.implied {
                Some(imp) => format!(
                    "Central values at central inputs; P10 – P90 over the Monte Carlo draws of the disputed inputs; \
                     compared with what {} implies.",
                    imp.name
                ),
                None => "Central values at central inputs; P10 – P90 over the Monte Carlo draws of the disputed \
                         inputs. The scenario has no [announcement] to compare with."
                    .into(),
            }),
            Block::Cards(plan_cards(plan)),
        ],
    }
}

/// Phases: one row per phase, and a total row when there are several.
fn phases_section(plan: &Plan) -> Section {
    let t = &plan.totals;
    let mut phases = Table {
        head: [
            "phase",
            "online",
            "platform",
            "site",
            "facility",
            "PUE",
            "racks",
            "GPUs",
            "dies",
            "capex",
            &plan.supplier,
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
        numeric_from: 4,
    };
    for p in &plan.phases {
        phases.rows.push(vec![
            p.name.clone(),
            p.online.to_string(),
            p.platform_name.clone(),
            p.site.clone().unwrap_or_default(),
            power_mw(p.facility_power_mw),
            format!("{:.2}", p.pue),
            thousands(p.racks),
            thousands(p.gpus),
            thousands(p.dies),
            usd(p.capex_usd),
            usd(gigawatt_core::plan::vendor_usd(&p.capex_by_vendor_usd, &plan.supplier)),
        ]);
    }
    if plan.phases.len() > 1 {
        phases.rows.push(vec![
            "total".into(),
            String::new(),
            String::new(),
            String::new(),
            power_mw(t.facility_power_mw),
            String::new(),
            thousands(t.racks),
            thousands(t.gpus),
            thousands(t.dies),
            usd(t.capex_usd),
            usd(gigawatt_core::plan::vendor_usd(&t.capex_by_vendor_usd, &plan.supplier)),
        ]);
    }
    Section { id: "phases".into(), title: "Phases".into(), blocks: vec![Block::Table(phases)] }
}

/// Capex by category and supplier, with each one's share and amount per GW.
fn capex_section(plan: &Plan) -> Section {
    let t = &plan.totals;
    let cx = &t.capex;
    let mut capex = Table {
        head: ["category", "capex", "share", "per GW"].map(String::from).to_vec(),
        rows: Vec::new(),
        numeric_from: 1,
    };
    let categories = CapexCategory::ALL.map(|c| (c.label().to_string(), c.of(cx)));
    let sums = std::iter::once(("total".to_string(), cx.total_usd))
        .chain(crate::table::by_supplier(t).into_iter().map(|(vendor, v)| (format!("bought from {vendor}"), v)));
    for (name, v) in categories.into_iter().chain(sums) {
        let share = if cx.total_usd > 0.0 { percent(v / cx.total_usd) } else { String::new() };
        let per_gw = if t.power_gw > 0.0 { usd(v / t.power_gw) } else { String::new() };
        capex.rows.push(vec![name, usd(v), share, per_gw]);
    }
    Section { id: "capex".into(), title: "Capex by category and supplier".into(), blocks: vec![Block::Table(capex)] }
}

/// Financing: the investor's terms, stake and purchases in a paragraph, then the tranches.
fn financing_section(f: &Financing) -> Section {
    let mut tranches = Table {
        head: ["tranche", "date", "cumulative GW", "amount", "cumulative"].map(String::from).to_vec(),
        rows: Vec::new(),
        numeric_from: 2,
    };
    for (i, tr) in f.tranches.iter().enumerate() {
        tranches.rows.push(vec![
            (i + 1).to_string(),
            tr.date.to_string(),
            format!("{:.0}", tr.cumulative_gw),
            usd(tr.amount_usd),
            usd(tr.cumulative_usd),
        ]);
    }
    Section {
        id: "financing".into(),
        title: "Financing".into(),
        blocks: vec![
            Block::Text(format!(
                "{} invests {} per GW deployed, up to {}: {} released in total, a {} stake at a {} pre-money \
                 valuation if every tranche is priced there. {} buys {} from {} — {:.2} dollars of purchases per \
                 dollar invested.",
                f.investor,
                usd(f.per_gw_usd),
                usd(f.cap_usd),
                usd(f.total_usd),
                percent(f.implied_stake),
                usd(f.valuation_usd),
                f.recipient,
                usd(f.purchases_from_investor_usd),
                f.investor,
                f.purchases_per_dollar_invested
            )),
            Block::Table(tranches),
        ],
    }
}
