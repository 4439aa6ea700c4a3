//! Charts: a small declarative description of a chart ([`Chart`]) and one renderer that turns it
//! into SVG ([`svg::render`]); PNG is rasterised from that same SVG ([`crate::png`]).
//!
//! A chart is data, not drawing code. Each result type has a function that maps its numbers onto
//! one of three plot shapes, and the renderer does the rest (scales, ticks with units, legend,
//! layout, colours, fonts):
//!
//! * [`XyPlot`]: categories (quarters, tiers…) or a numeric x axis, with bars (stacked or side
//!   by side), lines or areas on a left and an optional right y axis. Build-out timeline, capex,
//!   circular money flow; later failures per day, GPUs down over time, ETTR against checkpoint
//!   interval, capacity against demand by tier.
//! * [`RangePlot`]: low / central / high of headline figures, optionally beside a reference range
//!   (what an announcement implies).
//! * [`TornadoPlot`]: one-at-a-time sensitivity of one figure to its inputs.
//!
//! Adding a chart for a new result type is one function `fn my_chart(result: &MyResult) -> Chart`
//! next to [`plan::plan_charts`]; nothing in the renderer changes. Rendering is deterministic: the
//! same chart gives byte-identical SVG (numbers are printed at fixed precision, no ids, no dates).
//! Text is laid out with the metrics of the bundled DejaVu Sans ([`text`]).

pub mod capacity;
pub mod inference;
pub mod operate;
pub mod plan;
pub mod power;
pub mod replay;
pub mod simulation;
pub mod svg;
pub mod sweep;
pub mod text;
pub mod ticks;

pub use ticks::Unit;

/// Every chart gigawatt draws, named once: its id (the file stem, the dashboard's key) and what it
/// shows (the table of `docs/output.md` is generated from this).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartId {
    /// Build-out by quarter.
    Buildout,
    /// Capex by category and supplier.
    Capex,
    /// The circular money flow.
    CircularFlow,
    /// Headline ranges against the announcement.
    Ranges,
    /// One-at-a-time sensitivity of one headline (one chart per headline).
    Tornado,
    /// Failures per simulated day.
    FailuresPerDay,
    /// GPUs down and repairs in flight.
    GpusDown,
    /// ETTR against checkpoint interval.
    EttrInterval,
    /// Availability or ETTR against the size of each phase's spare pool.
    SparesCurve,
    /// Inference capacity against demand.
    CapacityDemand,
    /// Peak demand by tier, served and unmet.
    DemandByTier,
    /// Where the fleet's GPUs go.
    FleetSplit,
    /// `gigawatt operate`: GPUs by class, month by month.
    OperateClasses,
    /// `gigawatt operate`: the share of each tier's demand left unmet, by month.
    OperateUnmet,
    /// `gigawatt operate`: each frontier and RL run's work done, by month.
    FrontierProgress,
    /// A replay's job completion times, per policy.
    JctCdf,
    /// A replay's GPU utilisation over time, per policy.
    Utilisation,
    /// A replay's waiting jobs over time, per policy.
    QueueLength,
    /// `gigawatt inference --sweep`: throughput per GPU against tokens/s per user.
    InferencePareto,
    /// `gigawatt sweep`: a metric against an axis, P50 with its P10 – P90 band.
    SweepBand,
    /// `gigawatt sweep`, one-at-a-time: the tornado of a metric over the axes.
    SweepTornado,
    /// `gigawatt power`: facility MW over one day.
    PowerDay,
    /// `gigawatt power`: histogram of the total's ramps.
    PowerRamps,
    /// `gigawatt power`: the total's spectrum on the 10 ms window.
    PowerSpectrum,
}

impl ChartId {
    /// Every chart, in the order a report shows them.
    pub const ALL: [ChartId; 24] = [
        ChartId::Buildout,
        ChartId::Capex,
        ChartId::CircularFlow,
        ChartId::Ranges,
        ChartId::Tornado,
        ChartId::FailuresPerDay,
        ChartId::GpusDown,
        ChartId::EttrInterval,
        ChartId::SparesCurve,
        ChartId::CapacityDemand,
        ChartId::DemandByTier,
        ChartId::FleetSplit,
        ChartId::OperateClasses,
        ChartId::OperateUnmet,
        ChartId::FrontierProgress,
        ChartId::JctCdf,
        ChartId::Utilisation,
        ChartId::QueueLength,
        ChartId::InferencePareto,
        ChartId::SweepBand,
        ChartId::SweepTornado,
        ChartId::PowerDay,
        ChartId::PowerRamps,
        ChartId::PowerSpectrum,
    ];

    /// The id (for [`ChartId::Tornado`], the prefix of `tornado-<headline>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChartId::Buildout => "buildout",
            ChartId::Capex => "capex",
            ChartId::CircularFlow => "circular-flow",
            ChartId::Ranges => "ranges",
            ChartId::Tornado => "tornado",
            ChartId::FailuresPerDay => "failures-per-day",
            ChartId::GpusDown => "gpus-down",
            ChartId::EttrInterval => "ettr-interval",
            ChartId::SparesCurve => "spares-curve",
            ChartId::CapacityDemand => "capacity-demand",
            ChartId::DemandByTier => "demand-by-tier",
            ChartId::FleetSplit => "fleet-split",
            ChartId::OperateClasses => "operate-gpus-by-class",
            ChartId::OperateUnmet => "operate-unmet-by-tier",
            ChartId::FrontierProgress => "operate-run-progress",
            ChartId::JctCdf => "jct-cdf",
            ChartId::Utilisation => "utilisation",
            ChartId::QueueLength => "queue-length",
            ChartId::InferencePareto => "inference-pareto",
            ChartId::SweepBand => "sweep",
            ChartId::SweepTornado => "sweep-tornado",
            ChartId::PowerDay => "power-day",
            ChartId::PowerRamps => "power-ramps",
            ChartId::PowerSpectrum => "power-spectrum",
        }
    }

    /// The id as a chart carries it.
    pub fn id(self) -> String {
        self.as_str().to_string()
    }

    /// What the chart shows, for `docs/output.md`.
    pub fn shows(self) -> &'static str {
        match self {
            ChartId::Buildout => {
                "GPU packages online by platform (stacked bars) and facility power deployed (line, right axis), by quarter"
            }
            ChartId::Capex => "capex stacked by category, and by supplier (each platform vendor, NVIDIA, others)",
            ChartId::CircularFlow => {
                "cumulative investment vs cumulative purchases from the investor and the net flow, by quarter (with financing)"
            }
            ChartId::Ranges => {
                "each headline's central value and P10 – P90, against the scenario's `[announcement]` when it has one"
            }
            ChartId::Tornado => "one-at-a-time sensitivity of each headline to its disputed inputs",
            ChartId::FailuresPerDay => {
                "fleet failures and job interruptions per simulated day, against the rate with every node up"
            }
            ChartId::GpusDown => "GPUs in nodes under repair (area) and repairs in flight (right axis), by day",
            ChartId::EttrInterval => {
                "simulated ETTR against checkpoint interval (common random numbers) beside the closed form, one curve per distinct job"
            }
            ChartId::SparesCurve => {
                "each phase's lowest job availability or ETTR against the spare nodes in its pool, with the target (`--spares-for`)"
            }
            ChartId::CapacityDemand => {
                "inference capacity against average and peak demand, and each tier's peak demand, by month (log scale)"
            }
            ChartId::DemandByTier => "peak-hour demand by tier, served and unmet, by month",
            ChartId::FleetSplit => "GPU packages to training, to inference at peak demand and idle, by month",
            ChartId::OperateClasses => {
                "operate: GPUs to frontier runs, RL, research, inference, down and idle, by month (stacked area up to the GPUs in service)"
            }
            ChartId::OperateUnmet => "operate: the share of each tier's demanded output tokens left unserved, by month",
            ChartId::FrontierProgress => {
                "operate: each frontier and RL run's share of its work done by the end of each month"
            }
            ChartId::JctCdf => {
                "replay: the share of jobs done within each job completion time, one curve per policy (log scale)"
            }
            ChartId::Utilisation => "replay: allocated GPUs over the cluster's over time, one line per policy",
            ChartId::QueueLength => "replay: jobs waiting over time, one line per policy",
            ChartId::InferencePareto => {
                "inference --sweep: output tokens/s per GPU against tokens/s per user along the Pareto frontier"
            }
            ChartId::SweepBand => {
                "sweep: a metric's P50 over the replicas against a list or range axis, with its P10 – P90 band, the other axes held at their middle value (in DIR/charts/, and in a report with `--sweep DIR`)"
            }
            ChartId::SweepTornado => {
                "sweep, one-at-a-time: how far each metric moves as each axis moves alone from the base scenario to its lowest and highest value (in DIR/charts/, and in a report with `--sweep DIR`)"
            }
            ChartId::PowerDay => {
                "power: facility MW over one day (`--chart-day`), the total's highest and lowest per bucket and each site's mean (up to six)"
            }
            ChartId::PowerRamps => {
                "power: how many windows of the first ramp window (1 s) ramp the total at each rate, MW/s, against the ramp limit"
            }
            ChartId::PowerSpectrum => {
                "power: the total's spectrum on the 10 ms window, each frequency bin's share of the spectral energy (dB), with the band's share in the title"
            }
        }
    }

    /// The chart table of `docs/output.md`.
    pub fn reference_table() -> String {
        let mut out = String::from("| id | shows |\n| --- | --- |\n");
        for c in ChartId::ALL {
            let id = match c {
                ChartId::Tornado => "`tornado-gpus`, `tornado-capex-per-gw`, `tornado-supplier-per-gw`".to_string(),
                ChartId::SweepBand => "`sweep-METRIC-vs-AXIS`".to_string(),
                ChartId::SweepTornado => "`sweep-tornado-METRIC`".to_string(),
                _ => format!("`{}`", c.as_str()),
            };
            out.push_str(&format!("| {id} | {} |\n", c.shows()));
        }
        out
    }
}

/// A chart: what it shows and its data.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Short identifier, used as the file stem (`buildout` → `buildout.svg`).
    pub id: String,
    /// Title that says what the chart shows.
    pub title: String,
    /// One line under the title: scenario, units, where the numbers come from.
    pub subtitle: Option<String>,
    /// The plot.
    pub body: Body,
    /// A footnote under the plot (definitions, caveats).
    pub note: Option<String>,
}

/// The plot of a chart.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Bars, lines and areas over categories or a numeric x axis.
    Xy(XyPlot),
    /// Low / central / high ranges of figures, grouped by unit.
    Ranges(RangePlot),
    /// The sensitivity of one figure to each input moved alone.
    Tornado(TornadoPlot),
}

/// An axis: what it measures and in which unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// What the axis measures, without the unit (`GPUs online`); the renderer appends the unit and
    /// the scale it picks (`GPUs online (millions)`).
    pub label: String,
    /// The unit of the values.
    pub unit: Unit,
    /// Whether the axis must include zero (true for bars and most amounts).
    pub include_zero: bool,
    /// A logarithmic axis (ticks at powers of ten), for values that span orders of magnitude.
    /// Only lines and areas are drawn against it; values at or below zero are left out.
    pub log: bool,
}

impl Axis {
    /// An axis that includes zero.
    pub fn new(label: impl Into<String>, unit: Unit) -> Axis {
        Axis { label: label.into(), unit, include_zero: true, log: false }
    }

    /// The same axis, fitted to the data without forcing zero in.
    pub fn fitted(mut self) -> Axis {
        self.include_zero = false;
        self
    }

    /// The same axis on a logarithmic scale (which never includes zero).
    pub fn logarithmic(mut self) -> Axis {
        self.include_zero = false;
        self.log = true;
        self
    }
}

/// The x axis of an [`XyPlot`].
#[derive(Clone, Debug, PartialEq)]
pub enum XAxis {
    /// Named categories in order (quarters, tiers); series give one value per category.
    Categories {
        /// What the categories are (`quarter`).
        label: String,
        /// Their names.
        names: Vec<String>,
    },
    /// A numeric axis; series give (x, y) points.
    Numeric(Axis),
}

/// Which y axis a series is read against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The left axis.
    Left,
    /// The right axis ([`XyPlot::y2`]).
    Right,
}

/// How a series is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A bar per category. Bars with the same `stack` name stack on each other; different stacks
    /// stand side by side within a category. Only on a categorical x axis.
    Bar {
        /// The stack this bar belongs to.
        stack: String,
    },
    /// A line through the points, with a dot on each.
    Line,
    /// A line whose area down to zero is filled lightly.
    Area,
    /// A filled band stacked on the series before it with the same `stack` name (a stacked area
    /// chart: the top of the last band is the total). Only on a categorical x axis, drawn
    /// through the categories' centres.
    StackedArea {
        /// The stack this band belongs to.
        stack: String,
    },
}

/// The values of a series.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// One value per category of [`XAxis::Categories`] (`None` where there is none).
    ByCategory(Vec<Option<f64>>),
    /// (x, y) points on a [`XAxis::Numeric`] axis, in increasing x.
    Points(Vec<(f64, f64)>),
    /// (x, low, high) on a [`XAxis::Numeric`] axis, in increasing x: drawn as a band filled
    /// between low and high (a P10 – P90 range), with [`Mark::Area`].
    Band(Vec<(f64, f64, f64)>),
}

/// One series of an [`XyPlot`].
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// How it is drawn.
    pub mark: Mark,
    /// Which y axis it is read against.
    pub side: Side,
    /// Colour (`#rrggbb`); `None` takes the next colour of the palette.
    pub color: Option<String>,
    /// The values.
    pub data: Data,
}

impl Series {
    /// A series on the left axis with the palette's colour.
    pub fn new(name: impl Into<String>, mark: Mark, data: Data) -> Series {
        Series { name: name.into(), mark, side: Side::Left, color: None, data }
    }

    /// The same series read against the right axis.
    pub fn on_right(mut self) -> Series {
        self.side = Side::Right;
        self
    }

    /// The same series in a given colour.
    pub fn colored(mut self, color: &str) -> Series {
        self.color = Some(color.to_string());
        self
    }
}

/// Bars, lines and areas against one x axis and one or two y axes.
#[derive(Clone, Debug, PartialEq)]
pub struct XyPlot {
    /// The x axis.
    pub x: XAxis,
    /// The left y axis.
    pub y: Axis,
    /// The right y axis, for series with [`Side::Right`].
    pub y2: Option<Axis>,
    /// The series, drawn in order (bars first, then areas, then lines).
    pub series: Vec<Series>,
    /// Write each bar segment's value inside it where it fits.
    pub label_bars: bool,
}

/// A group of ranges sharing one axis.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeGroup {
    /// The group's axis.
    pub axis: Axis,
    /// Its rows, top to bottom.
    pub rows: Vec<RangeRow>,
}

/// One figure's low / central / high.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeRow {
    /// The figure.
    pub label: String,
    /// Low end (e.g. P10).
    pub low: f64,
    /// Central value.
    pub central: f64,
    /// High end (e.g. P90).
    pub high: f64,
    /// A reference range drawn behind it (low, high), e.g. what an announcement implies.
    pub reference: Option<(f64, f64)>,
}

/// Low / central / high of several figures, in groups that share an axis.
#[derive(Clone, Debug, PartialEq)]
pub struct RangePlot {
    /// Legend text of the range bar (`P10 – P90 over the disputed inputs`).
    pub range_label: String,
    /// Legend text of the reference band, when rows have one.
    pub reference_label: Option<String>,
    /// The groups, top to bottom.
    pub groups: Vec<RangeGroup>,
}

/// One input of a tornado.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoRow {
    /// The input.
    pub label: String,
    /// The input's low, as text (`1.10`, `$3.4 M`).
    pub low_text: String,
    /// The input's high, as text.
    pub high_text: String,
    /// The figure with the input at its low.
    pub at_low: f64,
    /// The figure with the input at its high.
    pub at_high: f64,
}

/// How far one figure moves when each input moves alone to its low and its high.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoPlot {
    /// The figure's axis.
    pub axis: Axis,
    /// The figure at central inputs.
    pub central: f64,
    /// The inputs, largest swing first.
    pub rows: Vec<TornadoRow>,
}

/// The palette series take colours from, in order (colour-blind-aware, after Tableau 10).
pub const PALETTE: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/// A chart rendered for output: its id, title and SVG text.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RenderedChart {
    /// The chart's id (file stem).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

impl Chart {
    /// Renders the chart as an SVG document.
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// Renders the chart for output.
    pub fn render(&self) -> RenderedChart {
        RenderedChart { id: self.id.clone(), title: self.title.clone(), svg: self.to_svg() }
    }
}

#[cfg(test)]
mod chart_id_tests {
    use super::ChartId;

    #[test]
    fn the_chart_table_in_docs_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/output.md");
        gigawatt_core::docgen::check(&path, "charts", &ChartId::reference_table());
    }

    #[test]
    fn chart_ids_are_distinct_file_stems() {
        let ids: std::collections::BTreeSet<&str> = ChartId::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(ids.len(), ChartId::ALL.len());
        assert!(ids.iter().all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    }
}
