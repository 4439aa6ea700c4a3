//! The SVG renderer: lays out and draws any [`Chart`].
//!
//! Layout is computed from the bundled font's metrics ([`super::text`]); coordinates are written
//! with one decimal; there are no element ids, scripts or external references, so an SVG can be
//! inlined into HTML any number of times and the same chart always gives the same bytes.

use std::fmt::Write;

use super::text::{self, FONT_STACK};
use super::ticks::{Ticks, axis_title, nice_ticks, tick_label};
use super::{Axis, Body, Chart, Data, Mark, PALETTE, RangePlot, Series, Side, TornadoPlot, Unit, XAxis, XyPlot};

/// Width of every chart, px.
pub const WIDTH: f64 = 880.0;
const PAD: f64 = 16.0;
const TITLE_SIZE: f64 = 17.0;
const SUBTITLE_SIZE: f64 = 12.0;
const LABEL_SIZE: f64 = 11.0;
const AXIS_TITLE_SIZE: f64 = 12.0;
const LEGEND_SIZE: f64 = 12.0;
const NOTE_SIZE: f64 = 11.0;
const PLOT_HEIGHT: f64 = 300.0;
const INK: &str = "#1a1a1a";
const MUTED: &str = "#555555";
const GRID: &str = "#e3e3e3";
const AXIS: &str = "#8c8c8c";

/// Renders a chart as a standalone SVG document.
pub fn render(chart: &Chart) -> String {
    let mut canvas = Canvas::default();
    let legend = legend_items(&chart.body);
    let mut y = header(&mut canvas, chart);
    y = legend_block(&mut canvas, &legend, y);
    let plot_top = y + 14.0;
    let bottom = match &chart.body {
        Body::Xy(p) => xy(&mut canvas, p, plot_top),
        Body::Ranges(p) => ranges(&mut canvas, p, plot_top),
        Body::Tornado(p) => tornado(&mut canvas, p, plot_top),
    };
    let height = note_block(&mut canvas, chart.note.as_deref(), bottom) + PAD;
    let mut out = String::with_capacity(canvas.body.len() + 512);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"{FONT_STACK}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
        w = n(WIDTH),
        h = n(height.ceil()),
        t = esc(&chart.title),
    );
    out.push_str(&canvas.body);
    out.push_str("</svg>\n");
    out
}

/// SVG drawing commands collected in order.
#[derive(Default)]
struct Canvas {
    body: String,
}

#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

impl Canvas {
    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        let _ = writeln!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width)
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f64, y: f64, s: &str, size: f64, fill: &str, anchor: Anchor, bold: bool) {
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let _ = writeln!(
            self.body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{fill}\" text-anchor=\"{}\"{weight}>{}</text>",
            n(x),
            n(y),
            n(size),
            anchor.attr(),
            esc(s)
        );
    }

    fn vertical_text(&mut self, x: f64, y: f64, s: &str, size: f64) {
        let _ = writeln!(
            self.body,
            "<text x=\"{x}\" y=\"{y}\" font-size=\"{}\" fill=\"{MUTED}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 {x} {y})\">{}</text>",
            n(size),
            esc(s),
            x = n(x),
            y = n(y),
        );
    }

    fn polyline(&mut self, pts: &[(f64, f64)], stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-linejoin=\"round\"/>",
            points(pts),
            n(width)
        );
    }

    fn polygon(&mut self, pts: &[(f64, f64)], fill: &str, opacity: f64) {
        let _ = writeln!(
            self.body,
            "<polygon points=\"{}\" fill=\"{fill}\" fill-opacity=\"{}\"/>",
            points(pts),
            n2(opacity)
        );
    }

    fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
            n(x),
            n(y),
            n(r)
        );
    }
}

/// A coordinate with at most one decimal and no `-0`.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

fn n2(x: f64) -> String {
    format!("{x:.2}")
}

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter().map(|(x, y)| format!("{},{}", n(*x), n(*y))).collect::<Vec<_>>().join(" ")
}

/// Escapes text for XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Splits text into lines at most `max` px wide.
fn wrap(s: &str, size: f64, max: f64) -> Vec<String> {
    wrap_with(s, max, |t| text::width(t, size))
}

/// Splits bold text into lines at most `max` px wide.
fn wrap_bold(s: &str, size: f64, max: f64) -> Vec<String> {
    wrap_with(s, max, |t| text::bold_width(t, size))
}

fn wrap_with(s: &str, max: f64, width: impl Fn(&str) -> f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if !cur.is_empty() && width(&candidate) > max {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

fn header(c: &mut Canvas, chart: &Chart) -> f64 {
    let mut y = PAD + TITLE_SIZE;
    for line in wrap_bold(&chart.title, TITLE_SIZE, WIDTH - 2.0 * PAD) {
        c.text(PAD, y, &line, TITLE_SIZE, INK, Anchor::Start, true);
        y += TITLE_SIZE + 5.0;
    }
    if let Some(sub) = &chart.subtitle {
        y += 1.0;
        for line in wrap(sub, SUBTITLE_SIZE, WIDTH - 2.0 * PAD) {
            c.text(PAD, y, &line, SUBTITLE_SIZE, MUTED, Anchor::Start, false);
            y += SUBTITLE_SIZE + 4.0;
        }
    }
    y
}

/// How a legend entry's swatch looks.
#[derive(Clone, Copy)]
enum Swatch {
    Block,
    Line,
    Dot,
    Band,
}

struct LegendItem {
    name: String,
    color: String,
    swatch: Swatch,
}

fn series_color(i: usize, s: &Series) -> String {
    s.color.clone().unwrap_or_else(|| PALETTE[i % PALETTE.len()].to_string())
}

fn legend_items(body: &Body) -> Vec<LegendItem> {
    match body {
        Body::Xy(p) => p
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let suffix = match (s.side, &p.y2) {
                    (Side::Right, Some(_)) => " (right axis)".to_string(),
                    _ => String::new(),
                };
                LegendItem {
                    name: format!("{}{suffix}", s.name),
                    color: series_color(i, s),
                    swatch: match s.mark {
                        Mark::Bar { .. } => Swatch::Block,
                        Mark::Line => Swatch::Line,
                        Mark::Area => Swatch::Band,
                        Mark::StackedArea { .. } => Swatch::Block,
                    },
                }
            })
            .collect(),
        Body::Ranges(p) => {
            let mut items = vec![
                LegendItem { name: "central".into(), color: INK.into(), swatch: Swatch::Dot },
                LegendItem { name: p.range_label.clone(), color: PALETTE[0].into(), swatch: Swatch::Line },
            ];
            if let Some(r) = &p.reference_label {
                items.push(LegendItem { name: r.clone(), color: REFERENCE.into(), swatch: Swatch::Block });
            }
            items
        }
        Body::Tornado(_) => vec![
            LegendItem { name: "input at its low".into(), color: LOW.into(), swatch: Swatch::Block },
            LegendItem { name: "input at its high".into(), color: HIGH.into(), swatch: Swatch::Block },
        ],
    }
}

fn legend_block(c: &mut Canvas, items: &[LegendItem], top: f64) -> f64 {
    if items.is_empty() {
        return top;
    }
    let mut x = PAD;
    let mut y = top + 8.0;
    for item in items {
        let w = 18.0 + text::width(&item.name, LEGEND_SIZE) + 18.0;
        if x > PAD && x + w > WIDTH - PAD {
            x = PAD;
            y += LEGEND_SIZE + 8.0;
        }
        let mid = y + LEGEND_SIZE / 2.0;
        match item.swatch {
            Swatch::Block => c.rect(x, mid - 6.0, 12.0, 12.0, &item.color, ""),
            Swatch::Band => c.rect(x, mid - 6.0, 12.0, 12.0, &item.color, " fill-opacity=\"0.35\""),
            Swatch::Line => c.line(x, mid, x + 12.0, mid, &item.color, 3.0),
            Swatch::Dot => c.circle(x + 6.0, mid, 5.0, &item.color),
        }
        c.text(x + 18.0, mid + 4.0, &item.name, LEGEND_SIZE, INK, Anchor::Start, false);
        x += w;
    }
    y + LEGEND_SIZE + 4.0
}

fn note_block(c: &mut Canvas, note: Option<&str>, top: f64) -> f64 {
    let Some(note) = note else { return top };
    let mut y = top + 6.0 + NOTE_SIZE;
    for line in wrap(note, NOTE_SIZE, WIDTH - 2.0 * PAD) {
        c.text(PAD, y, &line, NOTE_SIZE, MUTED, Anchor::Start, false);
        y += NOTE_SIZE + 4.0;
    }
    y
}

/// A map from data to pixels: linear, or logarithmic for a log axis.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
    log: bool,
}

impl Scale {
    fn linear(d0: f64, d1: f64, p0: f64, p1: f64) -> Scale {
        Scale { d0, d1, p0, p1, log: false }
    }

    fn of(f: &Fitted, p0: f64, p1: f64) -> Scale {
        Scale { d0: f.ticks.lo, d1: f.ticks.hi, p0, p1, log: f.log }
    }

    fn at(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.p0;
        }
        if self.log {
            let (l0, l1) = (self.d0.log10(), self.d1.log10());
            let lv = if v > 0.0 { v.log10() } else { l0 };
            return self.p0 + (lv - l0) / (l1 - l0) * (self.p1 - self.p0);
        }
        self.p0 + (v - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }

    /// Whether a value can be placed on this scale (log scales leave out values at or below 0).
    fn shows(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }
}

/// An axis fitted to values: its ticks and how to label them.
struct Fitted {
    ticks: Ticks,
    divisor: f64,
    title: String,
    log: bool,
    unit: Unit,
}

/// Decade ticks covering the positive values in `[min, max]` (every other decade past eight).
fn log_ticks(min: f64, max: f64) -> Ticks {
    let (min, max) = if min > 0.0 && max.is_finite() && max >= min { (min, max) } else { (1.0, 10.0) };
    let e0 = (min.log10() + 1e-9).floor() as i32;
    let mut e1 = (max.log10() - 1e-9).ceil() as i32;
    if e1 <= e0 {
        e1 = e0 + 1;
    }
    let every = if e1 - e0 > 8 { 2 } else { 1 };
    let values: Vec<f64> = (e0..=e1).filter(|e| (e - e0) % every == 0).map(|e| 10f64.powi(e)).collect();
    Ticks { lo: 10f64.powi(e0), hi: 10f64.powi(e1), step: 0.0, values }
}

/// A power of ten written short: `1`, `100`, `10 K`, `1 M`, `100 B`, `$1 B`, `1%`.
fn decade_label(v: f64, unit: &Unit) -> String {
    let e = v.log10().round() as i32;
    let (mantissa, suffix) = match e {
        i32::MIN..=2 => (v, ""),
        3..=5 => (v / 1e3, " K"),
        6..=8 => (v / 1e6, " M"),
        9..=11 => (v / 1e9, " B"),
        _ => (v / 1e12, " T"),
    };
    let m = if mantissa >= 1.0 { crate::fmt::thousands(mantissa.round() as u64) } else { format!("{mantissa}") };
    match unit {
        Unit::Usd => format!("${m}{suffix}"),
        Unit::Percent => format!("{}%", v * 100.0),
        _ => format!("{m}{suffix}"),
    }
}

fn fit(axis: &Axis, min: f64, max: f64, force_zero: bool) -> Fitted {
    if axis.log {
        let ticks = log_ticks(min, max);
        let title = match &axis.unit {
            Unit::Other(u) | Unit::CountOf(u) => axis_title(&axis.label, &format!("{u}, log scale")),
            Unit::Usd => axis_title(&axis.label, "US$, log scale"),
            _ => axis_title(&axis.label, "log scale"),
        };
        return Fitted { ticks, divisor: 1.0, title, log: true, unit: axis.unit.clone() };
    }
    let (mut lo, mut hi) = (min, max);
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if axis.include_zero || force_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let ticks = nice_ticks(lo, hi, 5);
    let (divisor, scale_name) = axis.unit.scale(ticks.lo.abs().max(ticks.hi.abs()));
    Fitted { ticks, divisor, title: axis_title(&axis.label, &scale_name), log: false, unit: axis.unit.clone() }
}

impl Fitted {
    fn labels(&self) -> Vec<String> {
        if self.log {
            return self.ticks.values.iter().map(|v| decade_label(*v, &self.unit)).collect();
        }
        self.ticks.values.iter().map(|v| tick_label(*v, self.ticks.step, self.divisor)).collect()
    }

    fn max_label_width(&self) -> f64 {
        self.labels().iter().map(|l| text::width(l, LABEL_SIZE)).fold(0.0, f64::max)
    }
}

fn min_max(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
}

/// Draws a horizontal value axis (ticks, labels, title) under a plot; returns the y below it.
fn bottom_axis(c: &mut Canvas, f: &Fitted, sx: Scale, y: f64, grid_top: Option<f64>) -> f64 {
    for (v, label) in f.ticks.values.iter().zip(f.labels()) {
        let x = sx.at(*v);
        if let Some(top) = grid_top {
            let color = if *v == 0.0 { AXIS } else { GRID };
            c.line(x, top, x, y, color, 1.0);
        }
        c.line(x, y, x, y + 4.0, AXIS, 1.0);
        c.text(x, y + 16.0, &label, LABEL_SIZE, MUTED, Anchor::Middle, false);
    }
    let mid = (sx.p0 + sx.p1) / 2.0;
    c.text(mid, y + 34.0, &f.title, AXIS_TITLE_SIZE, MUTED, Anchor::Middle, false);
    y + 40.0
}

/// Sums of the bars of one stack in one category, split by sign.
fn stack_extent(p: &XyPlot, side: Side, cat: usize) -> (f64, f64) {
    let mut lo = 0.0f64;
    let mut hi = 0.0f64;
    for stack in stacks(p).into_iter().chain(area_stacks(p)) {
        let (mut pos, mut neg) = (0.0, 0.0);
        for s in p.series.iter().filter(|s| s.side == side && stack_of(&s.mark) == Some(&stack)) {
            if let Data::ByCategory(v) = &s.data
                && let Some(Some(x)) = v.get(cat)
            {
                if *x >= 0.0 {
                    pos += x;
                } else {
                    neg += x;
                }
            }
        }
        hi = hi.max(pos);
        lo = lo.min(neg);
    }
    (lo, hi)
}

/// The stack a bar or stacked band belongs to.
fn stack_of(m: &Mark) -> Option<&String> {
    match m {
        Mark::Bar { stack } | Mark::StackedArea { stack } => Some(stack),
        Mark::Line | Mark::Area => None,
    }
}

/// The stacks of stacked bands, in order of first appearance.
fn area_stacks(p: &XyPlot) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &p.series {
        if let Mark::StackedArea { stack } = &s.mark
            && !out.contains(stack)
        {
            out.push(stack.clone());
        }
    }
    out
}

fn stacks(p: &XyPlot) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &p.series {
        if let Mark::Bar { stack } = &s.mark
            && !out.contains(stack)
        {
            out.push(stack.clone());
        }
    }
    out
}

fn side_range(p: &XyPlot, side: Side, log: bool) -> Option<(f64, f64, bool)> {
    let series: Vec<&Series> = p.series.iter().filter(|s| s.side == side).collect();
    if series.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    let mut has_bars = false;
    for s in &series {
        match (&s.mark, &s.data) {
            (Mark::Bar { .. } | Mark::StackedArea { .. }, _) => has_bars = true,
            (_, Data::ByCategory(v)) => values.extend(v.iter().flatten().copied()),
            (_, Data::Points(pts)) => values.extend(pts.iter().map(|(_, y)| *y)),
            (_, Data::Band(pts)) => values.extend(pts.iter().flat_map(|(_, lo, hi)| [*lo, *hi])),
        }
    }
    // An area fills down to zero, so zero is in; a band fills between its own low and high.
    let force_zero =
        has_bars || series.iter().any(|s| matches!(s.mark, Mark::Area) && !matches!(s.data, Data::Band(_)));
    if has_bars && let XAxis::Categories { names, .. } = &p.x {
        for cat in 0..names.len() {
            let (lo, hi) = stack_extent(p, side, cat);
            values.push(lo);
            values.push(hi);
        }
    }
    let (lo, hi) = min_max(values.into_iter().filter(|v| !log || *v > 0.0));
    Some((lo, hi, force_zero))
}

/// Maps the k-th value of a series to (x pixel, y value).
type PointFn = dyn Fn(&Data, usize) -> Option<(f64, f64)>;

/// A boxed [`PointFn`], as the x axes return it.
type PointOf = Box<PointFn>;

/// The plot area of an xy chart in pixels, with its left and (optional) right value scales.
#[derive(Clone, Copy)]
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    sy: Scale,
    sy2: Option<Scale>,
}

impl Frame {
    /// The plot area under `top`, leaving room for the labels of the fitted value axes.
    fn new(fy: &Fitted, fy2: Option<&Fitted>, top: f64) -> Frame {
        let left = PAD + AXIS_TITLE_SIZE + 10.0 + fy.max_label_width() + 8.0;
        let right = match fy2 {
            Some(f) => WIDTH - (PAD + AXIS_TITLE_SIZE + 10.0 + f.max_label_width() + 8.0),
            None => WIDTH - PAD - 8.0,
        };
        let bottom = top + PLOT_HEIGHT;
        let sy = Scale::of(fy, bottom, top);
        let sy2 = fy2.map(|f| Scale::of(f, bottom, top));
        Frame { left, right, top, bottom, sy, sy2 }
    }

    /// The value scale of a series' side (the left one when there is no right axis).
    fn scale_of(&self, s: &Series) -> Scale {
        if s.side == Side::Right { self.sy2.unwrap_or(self.sy) } else { self.sy }
    }
}

/// Draws an xy plot (bars, areas, lines) from `top` down; returns the y below its x axis.
fn xy(c: &mut Canvas, p: &XyPlot, top: f64) -> f64 {
    let left_range = side_range(p, Side::Left, p.y.log).unwrap_or((0.0, 1.0, true));
    let fy = fit(&p.y, left_range.0, left_range.1, left_range.2);
    let fy2 = p.y2.as_ref().and_then(|a| side_range(p, Side::Right, a.log).map(|r| fit(a, r.0, r.1, r.2)));
    let frame = Frame::new(&fy, fy2.as_ref(), top);
    left_axis(c, &fy, &frame);
    if let Some(f) = &fy2 {
        right_axis(c, f, &frame);
    }
    let (x_of, after_axis) = match &p.x {
        XAxis::Categories { label, names } => category_axis(c, p, label, names, &frame),
        XAxis::Numeric(axis) => numeric_axis(c, p, axis, &frame),
    };
    draw_areas_and_lines(c, p, x_of.as_ref(), &frame);
    c.line(frame.left, frame.bottom, frame.right, frame.bottom, AXIS, 1.0);
    c.line(frame.left, top, frame.left, frame.bottom, AXIS, 1.0);
    after_axis
}

/// The horizontal grid, the left axis' tick labels and its title.
fn left_axis(c: &mut Canvas, fy: &Fitted, f: &Frame) {
    for (v, label) in fy.ticks.values.iter().zip(fy.labels()) {
        let y = f.sy.at(*v);
        c.line(f.left, y, f.right, y, if *v == 0.0 { AXIS } else { GRID }, 1.0);
        c.text(f.left - 6.0, y + 4.0, &label, LABEL_SIZE, MUTED, Anchor::End, false);
    }
    c.vertical_text(PAD + AXIS_TITLE_SIZE - 2.0, (f.top + f.bottom) / 2.0, &fy.title, AXIS_TITLE_SIZE);
}

/// The right axis: its ticks, labels, title and line.
fn right_axis(c: &mut Canvas, fy2: &Fitted, f: &Frame) {
    let Some(s2) = f.sy2 else { return };
    for (v, label) in fy2.ticks.values.iter().zip(fy2.labels()) {
        let y = s2.at(*v);
        c.line(f.right, y, f.right + 4.0, y, AXIS, 1.0);
        c.text(f.right + 6.0, y + 4.0, &label, LABEL_SIZE, MUTED, Anchor::Start, false);
    }
    c.vertical_text(WIDTH - PAD - 2.0, (f.top + f.bottom) / 2.0, &fy2.title, AXIS_TITLE_SIZE);
    c.line(f.right, f.top, f.right, f.bottom, AXIS, 1.0);
}

/// A category axis (ticks, every k-th name so that none collide, title) and the bars; returns
/// where each category's value sits and the y below the axis.
fn category_axis(c: &mut Canvas, p: &XyPlot, label: &str, names: &[String], f: &Frame) -> (PointOf, f64) {
    let (left, right, bottom) = (f.left, f.right, f.bottom);
    let count = names.len().max(1);
    let band = (right - left) / count as f64;
    // Label every k-th category so that labels do not collide.
    let widest = names.iter().map(|s| text::width(s, LABEL_SIZE)).fold(0.0, f64::max);
    let every = ((widest + 10.0) / band).ceil().max(1.0) as usize;
    for (i, name) in names.iter().enumerate() {
        let x = left + band * (i as f64 + 0.5);
        c.line(x, bottom, x, bottom + 4.0, AXIS, 1.0);
        if i % every == 0 {
            c.text(x, bottom + 16.0, name, LABEL_SIZE, MUTED, Anchor::Middle, false);
        }
    }
    c.text((left + right) / 2.0, bottom + 34.0, label, AXIS_TITLE_SIZE, MUTED, Anchor::Middle, false);
    draw_bars(c, p, left, band, f.sy, f.sy2);
    (
        Box::new(move |d: &Data, i: usize| match d {
            Data::ByCategory(v) => v.get(i).copied().flatten().map(|y| (left + band * (i as f64 + 0.5), y)),
            Data::Points(_) | Data::Band(_) => None,
        }),
        bottom + 40.0,
    )
}

/// A numeric x axis fitted to every series' points, with its vertical grid; returns where each
/// point sits and the y below the axis.
fn numeric_axis(c: &mut Canvas, p: &XyPlot, axis: &Axis, f: &Frame) -> (PointOf, f64) {
    let xs = p.series.iter().flat_map(|s| match &s.data {
        Data::Points(pts) => pts.iter().map(|(x, _)| *x).collect::<Vec<_>>(),
        Data::Band(pts) => pts.iter().map(|(x, _, _)| *x).collect::<Vec<_>>(),
        Data::ByCategory(_) => Vec::new(),
    });
    let (lo, hi) = min_max(xs.filter(|x| !axis.log || *x > 0.0));
    let fx = fit(axis, lo, hi, false);
    let sx = Scale::of(&fx, f.left, f.right);
    let below = bottom_axis(c, &fx, sx, f.bottom, Some(f.top));
    (
        Box::new(move |d: &Data, i: usize| match d {
            Data::Points(pts) => pts.get(i).map(|(x, y)| (sx.at(*x), *y)),
            // A band's point is its high end; its low end is read by `band_lows`.
            Data::Band(pts) => pts.get(i).map(|(x, _, hi)| (sx.at(*x), *hi)),
            Data::ByCategory(_) => None,
        }),
        below,
    )
}

/// The area and line series: areas first, then lines, each with dots when it has few points.
fn draw_areas_and_lines(c: &mut Canvas, p: &XyPlot, x_of: &PointFn, f: &Frame) {
    draw_stacked_areas(c, p, x_of, f);
    for pass in [Mark::Area, Mark::Line] {
        for (i, s) in p.series.iter().enumerate() {
            if s.mark != pass {
                continue;
            }
            let scale = f.scale_of(s);
            let color = series_color(i, s);
            if let Data::Band(pts) = &s.data {
                // The band: its high ends left to right, then its low ends back, filled lightly.
                let mut poly: Vec<(f64, f64)> =
                    (0..pts.len()).filter_map(|k| x_of(&s.data, k)).map(|(x, hi)| (x, scale.at(hi))).collect();
                let lows: Vec<(f64, f64)> =
                    (0..pts.len()).filter_map(|k| x_of(&s.data, k).map(|(x, _)| (x, scale.at(pts[k].1)))).collect();
                poly.extend(lows.into_iter().rev());
                if poly.len() >= 3 {
                    c.polygon(&poly, &color, 0.2);
                }
                continue;
            }
            for run in line_runs(s, x_of, scale).iter().filter(|r| !r.is_empty()) {
                if pass == Mark::Area {
                    let base = scale.at(0.0f64.clamp(scale.d0, scale.d1));
                    let mut poly = run.clone();
                    poly.push((run.last().expect("non-empty").0, base));
                    poly.push((run[0].0, base));
                    c.polygon(&poly, &color, 0.25);
                }
                c.polyline(run, &color, 2.5);
                if run.len() <= 60 {
                    for (x, y) in run {
                        c.circle(*x, *y, 3.5, &color);
                    }
                }
            }
        }
    }
}

/// The stacked bands: each series' values on top of the ones before it in its stack, filled
/// between the two, with its top edge drawn.
fn draw_stacked_areas(c: &mut Canvas, p: &XyPlot, x_of: &PointFn, f: &Frame) {
    for stack in area_stacks(p) {
        let mut below: Vec<f64> = Vec::new();
        for (i, s) in p.series.iter().enumerate() {
            if !matches!(&s.mark, Mark::StackedArea { stack: k } if *k == stack) {
                continue;
            }
            let Data::ByCategory(values) = &s.data else { continue };
            below.resize(below.len().max(values.len()), 0.0);
            let scale = f.scale_of(s);
            let color = series_color(i, s);
            let mut top = Vec::new();
            let mut bottom = Vec::new();
            for (k, v) in values.iter().enumerate() {
                let Some((x, _)) = x_of(&s.data, k) else { continue };
                let lo = below[k];
                let hi = lo + v.unwrap_or(0.0).max(0.0);
                top.push((x, scale.at(hi.clamp(scale.d0, scale.d1))));
                bottom.push((x, scale.at(lo.clamp(scale.d0, scale.d1))));
                below[k] = hi;
            }
            if top.len() < 2 {
                continue;
            }
            let mut poly = top.clone();
            poly.extend(bottom.into_iter().rev());
            c.polygon(&poly, &color, 0.8);
            c.polyline(&top, &color, 1.5);
        }
    }
}

/// A series' points in pixels, broken into runs where a value is missing or off the scale.
fn line_runs(s: &Series, x_of: &PointFn, scale: Scale) -> Vec<Vec<(f64, f64)>> {
    let len = match &s.data {
        Data::ByCategory(v) => v.len(),
        Data::Points(v) => v.len(),
        Data::Band(v) => v.len(),
    };
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for k in 0..len {
        match x_of(&s.data, k) {
            Some((x, y)) if scale.shows(y) => runs.last_mut().expect("a run").push((x, scale.at(y))),
            _ => runs.push(Vec::new()),
        }
    }
    runs
}

fn draw_bars(c: &mut Canvas, p: &XyPlot, left: f64, band: f64, sy: Scale, sy2: Option<Scale>) {
    let stacks = stacks(p);
    if stacks.is_empty() {
        return;
    }
    let XAxis::Categories { names, .. } = &p.x else { return };
    let group = band * 0.72;
    let bar = group / stacks.len() as f64;
    let gap = if stacks.len() > 1 { 2.0 } else { 0.0 };
    for cat in 0..names.len() {
        for (k, stack) in stacks.iter().enumerate() {
            let x = left + band * cat as f64 + (band - group) / 2.0 + bar * k as f64;
            let (mut pos, mut neg) = (0.0, 0.0);
            for (i, s) in p.series.iter().enumerate() {
                let Mark::Bar { stack: sk } = &s.mark else { continue };
                if sk != stack {
                    continue;
                }
                let Data::ByCategory(v) = &s.data else { continue };
                let Some(Some(value)) = v.get(cat).copied() else { continue };
                let scale = if s.side == Side::Right { sy2.unwrap_or(sy) } else { sy };
                let (from, to) = if value >= 0.0 {
                    pos += value;
                    (pos - value, pos)
                } else {
                    neg += value;
                    (neg - value, neg)
                };
                let (y0, y1) = (scale.at(from), scale.at(to));
                let (ytop, h) = (y0.min(y1), (y0 - y1).abs());
                let color = series_color(i, s);
                c.rect(x + gap / 2.0, ytop, bar - gap, h, &color, "");
                if p.label_bars {
                    let label = match &s.side {
                        Side::Right => p.y2.as_ref().map_or(p.y.unit.format(value), |a| a.unit.format(value)),
                        Side::Left => p.y.unit.format(value),
                    };
                    if h >= LABEL_SIZE + 4.0 && text::width(&label, LABEL_SIZE) <= bar - gap - 6.0 {
                        let ink = if is_dark(&color) { "#ffffff" } else { INK };
                        c.text(x + bar / 2.0, ytop + h / 2.0 + 4.0, &label, LABEL_SIZE, ink, Anchor::Middle, false);
                    }
                }
            }
        }
    }
}

/// Whether a `#rrggbb` colour is dark enough to need white text.
fn is_dark(color: &str) -> bool {
    let hex = color.trim_start_matches('#');
    let ch = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("ff"), 16).unwrap_or(255) as f64;
    if hex.len() != 6 {
        return false;
    }
    0.299 * ch(0) + 0.587 * ch(2) + 0.114 * ch(4) < 140.0
}

const REFERENCE: &str = "#d4d4d4";
const LOW: &str = "#4e79a7";
const HIGH: &str = "#f28e2b";
const ROW: f64 = 34.0;

fn ranges(c: &mut Canvas, p: &RangePlot, top: f64) -> f64 {
    let labels = p.groups.iter().flat_map(|g| g.rows.iter().map(|r| r.label.as_str()));
    let label_w = labels.map(|l| text::width(l, LEGEND_SIZE)).fold(0.0, f64::max).min(260.0);
    let value_w = 190.0;
    let left = PAD + label_w + 14.0;
    let right = WIDTH - PAD - value_w;
    let mut y = top;
    for g in &p.groups {
        let values = g.rows.iter().flat_map(|r| {
            let mut v = vec![r.low, r.central, r.high];
            if let Some((a, b)) = r.reference {
                v.extend([a, b]);
            }
            v
        });
        let (lo, hi) = min_max(values);
        let f = fit(&g.axis, lo, hi, false);
        let sx = Scale::linear(f.ticks.lo, f.ticks.hi, left, right);
        let plot_top = y;
        let plot_bottom = y + ROW * g.rows.len() as f64;
        for v in &f.ticks.values {
            let x = sx.at(*v);
            c.line(x, plot_top, x, plot_bottom, if *v == 0.0 { AXIS } else { GRID }, 1.0);
        }
        for (i, r) in g.rows.iter().enumerate() {
            let mid = y + ROW * i as f64 + ROW / 2.0;
            let label = text::truncate(&r.label, LEGEND_SIZE, label_w);
            c.text(left - 10.0, mid + 4.0, &label, LEGEND_SIZE, INK, Anchor::End, false);
            if let Some((a, b)) = r.reference {
                c.rect(sx.at(a), mid - 10.0, sx.at(b) - sx.at(a), 20.0, REFERENCE, "");
            }
            let (x0, x1) = (sx.at(r.low), sx.at(r.high));
            c.rect(x0, mid - 3.0, x1 - x0, 6.0, LOW, "");
            c.line(x0, mid - 7.0, x0, mid + 7.0, LOW, 2.0);
            c.line(x1, mid - 7.0, x1, mid + 7.0, LOW, 2.0);
            c.circle(sx.at(r.central), mid, 5.5, INK);
            let value = format!(
                "{} ({} – {})",
                g.axis.unit.format(r.central),
                g.axis.unit.format(r.low),
                g.axis.unit.format(r.high)
            );
            c.text(right + 12.0, mid + 4.0, &value, LABEL_SIZE, INK, Anchor::Start, false);
        }
        c.line(left, plot_bottom, right, plot_bottom, AXIS, 1.0);
        y = bottom_axis(c, &f, sx, plot_bottom, None) + 12.0;
    }
    y - 12.0
}

/// A tornado row's label in at most two lines of at most `max` px.
fn two_lines(label: &str, max: f64) -> Vec<String> {
    let mut lines = wrap(label, LEGEND_SIZE, max);
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines.truncate(1);
        lines.push(text::truncate(&rest, LEGEND_SIZE, max));
    }
    lines.into_iter().map(|l| text::truncate(&l, LEGEND_SIZE, max)).collect()
}

fn tornado(c: &mut Canvas, p: &TornadoPlot, top: f64) -> f64 {
    const LABEL_MAX: f64 = 250.0;
    let labels: Vec<Vec<String>> = p.rows.iter().map(|r| two_lines(&r.label, LABEL_MAX)).collect();
    let label_w = labels.iter().flatten().map(|l| text::width(l, LEGEND_SIZE)).fold(0.0, f64::max);
    let value_pad = p
        .rows
        .iter()
        .flat_map(|r| [text::width(&r.low_text, LABEL_SIZE), text::width(&r.high_text, LABEL_SIZE)])
        .fold(0.0, f64::max)
        + 8.0;
    let left = PAD + label_w + 14.0 + value_pad;
    let right = WIDTH - PAD - value_pad;
    let (lo, hi) = min_max(p.rows.iter().flat_map(|r| [r.at_low, r.at_high]).chain([p.central]));
    let f = fit(&p.axis, lo, hi, false);
    let sx = Scale::linear(f.ticks.lo, f.ticks.hi, left, right);
    let row = 38.0;
    let plot_top = top + 18.0;
    let plot_bottom = plot_top + row * p.rows.len().max(1) as f64;
    for v in &f.ticks.values {
        let x = sx.at(*v);
        c.line(x, plot_top, x, plot_bottom, GRID, 1.0);
    }
    let cx = sx.at(p.central);
    for (i, r) in p.rows.iter().enumerate() {
        let mid = plot_top + row * i as f64 + row / 2.0;
        let lines = &labels[i];
        let first = mid + 4.0 - (lines.len() as f64 - 1.0) * (LEGEND_SIZE + 2.0) / 2.0;
        for (k, line) in lines.iter().enumerate() {
            c.text(PAD + label_w, first + k as f64 * (LEGEND_SIZE + 2.0), line, LEGEND_SIZE, INK, Anchor::End, false);
        }
        // The longer bar first, so that a shorter one on the same side stays visible.
        let mut bars = [(r.at_low, LOW, &r.low_text), (r.at_high, HIGH, &r.high_text)];
        bars.sort_by(|a, b| (b.0 - p.central).abs().total_cmp(&(a.0 - p.central).abs()));
        let mut used_left = false;
        let mut used_right = false;
        for (value, color, label) in bars {
            let x = sx.at(value);
            c.rect(x.min(cx), mid - 9.0, (x - cx).abs(), 18.0, color, "");
            let leftward = value < p.central;
            let taken = if leftward { &mut used_left } else { &mut used_right };
            if *taken {
                continue;
            }
            *taken = true;
            if leftward {
                c.text(x - 4.0, mid + 4.0, label, LABEL_SIZE, MUTED, Anchor::End, false);
            } else {
                c.text(x + 4.0, mid + 4.0, label, LABEL_SIZE, MUTED, Anchor::Start, false);
            }
        }
    }
    c.line(cx, plot_top - 6.0, cx, plot_bottom, INK, 1.5);
    c.text(
        cx,
        plot_top - 10.0,
        &format!("central {}", p.axis.unit.format(p.central)),
        LABEL_SIZE,
        INK,
        Anchor::Middle,
        false,
    );
    c.line(left, plot_bottom, right, plot_bottom, AXIS, 1.0);
    bottom_axis(c, &f, sx, plot_bottom, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{RangeGroup, RangeRow, TornadoRow, Unit};

    fn chart(body: Body) -> Chart {
        Chart { id: "t".into(), title: "A <test> & more".into(), subtitle: Some("sub".into()), body, note: None }
    }

    #[test]
    fn coordinates_are_short_and_never_negative_zero() {
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(12.345), "12.3");
        assert_eq!(n(12.0), "12");
    }

    #[test]
    fn text_is_escaped_and_the_title_is_the_accessible_name() {
        let svg = render(&chart(Body::Xy(XyPlot {
            x: XAxis::Categories { label: "quarter".into(), names: vec!["a".into()] },
            y: Axis::new("v", Unit::Count),
            y2: None,
            series: vec![Series::new("s", Mark::Line, Data::ByCategory(vec![Some(1.0)]))],
            label_bars: false,
        })));
        assert!(svg.contains("<title>A &lt;test&gt; &amp; more</title>"));
        assert!(svg.contains("aria-label=\"A &lt;test&gt; &amp; more\""));
        assert!(!svg.contains("<test>"));
    }

    #[test]
    fn a_numeric_x_axis_draws_points_at_their_values() {
        let svg = render(&chart(Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("checkpoint interval", Unit::Other("minutes".into()))),
            y: Axis::new("ETTR", Unit::Percent),
            y2: None,
            series: vec![Series::new(
                "ETTR",
                Mark::Line,
                Data::Points(vec![(5.0, 0.80), (10.0, 0.90), (20.0, 0.93), (40.0, 0.91)]),
            )],
            label_bars: false,
        })));
        assert!(svg.contains("checkpoint interval (minutes)"));
        assert!(svg.contains("ETTR (%)"));
        assert_eq!(svg.matches("<circle").count(), 4);
    }

    #[test]
    fn a_log_axis_has_decade_ticks_and_leaves_out_values_at_or_below_zero() {
        let t = log_ticks(3.2e6, 2.5e10);
        assert_eq!(t.values, vec![1e6, 1e7, 1e8, 1e9, 1e10, 1e11]);
        assert_eq!((t.lo, t.hi), (1e6, 1e11));
        // Past eight decades, every other one.
        assert_eq!(log_ticks(1.0, 1e12).values.len(), 7);
        assert_eq!(decade_label(1e7, &Unit::CountOf("tokens/s".into())), "10 M");
        assert_eq!(decade_label(1e9, &Unit::Usd), "$1 B");
        assert_eq!(decade_label(100.0, &Unit::Count), "100");

        let cats: Vec<String> = (1..=4).map(|m| format!("m{m}")).collect();
        let svg = render(&chart(Body::Xy(XyPlot {
            x: XAxis::Categories { label: "month".into(), names: cats },
            y: Axis::new("tokens per second", Unit::CountOf("tokens/s".into())).logarithmic(),
            y2: None,
            series: vec![Series::new(
                "capacity",
                Mark::Line,
                Data::ByCategory(vec![Some(2e6), Some(0.0), Some(3e8), Some(4e10)]),
            )],
            label_bars: false,
        })));
        assert!(svg.contains("tokens per second (tokens/s, log scale)"), "{svg}");
        for label in [">1 M<", ">10 M<", ">1 B<", ">100 B<"] {
            assert!(svg.contains(label), "{label} missing");
        }
        // The zero breaks the line: one dot before it, two after.
        let dots = svg.lines().filter(|l| l.starts_with("<circle")).count();
        assert_eq!(dots, 3, "{svg}");
        let lines = svg.lines().filter(|l| l.starts_with("<polyline")).count();
        assert_eq!(lines, 2, "{svg}");
    }

    #[test]
    fn grouped_bars_stand_side_by_side() {
        let cats = vec!["tier 1".to_string(), "tier 2".to_string()];
        let svg = render(&chart(Body::Xy(XyPlot {
            x: XAxis::Categories { label: "tier".into(), names: cats },
            y: Axis::new("GPUs", Unit::Count),
            y2: None,
            series: vec![
                Series::new(
                    "capacity",
                    Mark::Bar { stack: "capacity".into() },
                    Data::ByCategory(vec![Some(5.0), Some(3.0)]),
                ),
                Series::new(
                    "demand",
                    Mark::Bar { stack: "demand".into() },
                    Data::ByCategory(vec![Some(4.0), Some(6.0)]),
                ),
            ],
            label_bars: false,
        })));
        let xs: Vec<&str> = svg
            .lines()
            .filter(|l| l.starts_with("<rect x=") && (l.contains(PALETTE[0]) || l.contains(PALETTE[1])))
            .filter(|l| !l.contains("width=\"12\""))
            .collect();
        assert_eq!(xs.len(), 4, "{svg}");
    }

    #[test]
    fn ranges_and_tornado_render_every_row() {
        let svg = render(&chart(Body::Ranges(RangePlot {
            range_label: "P10 – P90".into(),
            reference_label: Some("announced".into()),
            groups: vec![RangeGroup {
                axis: Axis::new("GPUs", Unit::Count),
                rows: vec![
                    RangeRow {
                        label: "GPUs".into(),
                        low: 4e6,
                        central: 4.4e6,
                        high: 4.8e6,
                        reference: Some((4e6, 5e6)),
                    },
                    RangeRow { label: "dies".into(), low: 8e6, central: 8.8e6, high: 9.6e6, reference: None },
                ],
            }],
        })));
        assert!(svg.contains("4.40 M (4.00 M – 4.80 M)"));
        let svg = render(&chart(Body::Tornado(TornadoPlot {
            axis: Axis::new("capex per GW", Unit::Usd).fitted(),
            central: 50e9,
            rows: vec![TornadoRow {
                label: "PUE".into(),
                low_text: "1.10".into(),
                high_text: "1.30".into(),
                at_low: 52e9,
                at_high: 47e9,
            }],
        })));
        assert!(svg.contains(">1.10<") && svg.contains(">1.30<") && svg.contains("central $50.0 B"));
    }

    #[test]
    fn rendering_is_deterministic() {
        let c = chart(Body::Tornado(TornadoPlot {
            axis: Axis::new("x", Unit::Usd),
            central: 1.0,
            rows: vec![TornadoRow {
                label: "a".into(),
                low_text: "l".into(),
                high_text: "h".into(),
                at_low: 0.5,
                at_high: 1.5,
            }],
        }));
        assert_eq!(render(&c), render(&c));
    }
}
