//! The sweep file (`docs/sweep.md`): a base scenario, the axes that move its inputs, the command
//! run at each point, the replicas per point and the metrics kept.
//!
//! Reading one checks everything that does not need the scenario (keys, kinds of axis, ranges,
//! path syntax) and reports the first problem with file, line and column; the paths are then
//! resolved against the scenario by [`crate::Prepared::new`].

use gigawatt_core::InputError;
use gigawatt_core::error::{KeyPath, SourceFile};
use serde::Deserialize;

use crate::path::Path;
use crate::replay::ReplayOptions;

/// Most values one axis may have (a list, or a range's steps).
pub const MAX_AXIS_VALUES: usize = 1_000_000;

/// Most points a sweep may have.
pub const MAX_POINTS: u64 = 100_000_000;

/// Most replicas per point.
pub const MAX_REPLICAS: u32 = 100_000;

/// Most samples of the sampled axes (each sampled axis holds its draws in memory).
pub const MAX_SAMPLES: u64 = 1_000_000;

/// The command run at each point, through its library function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// `gigawatt plan`: the build-out; a replica re-draws the plan's uncertainty Monte Carlo.
    Plan,
    /// `gigawatt simulate`: one simulated replica of the fleet per sweep replica.
    Simulate,
    /// `gigawatt capacity`: training and inference on the fleet; a replica reseeds its simulation.
    Capacity,
    /// `gigawatt operate`: the build-out operated day by day; a replica reseeds the research
    /// stream and the failures.
    Operate,
    /// `gigawatt replay`: a job trace replayed on a cluster under one policy per point; a replica
    /// reseeds the failures and a synthetic trace.
    Replay,
}

impl Command {
    /// The command's name.
    pub fn name(self) -> &'static str {
        match self {
            Command::Plan => "plan",
            Command::Simulate => "simulate",
            Command::Capacity => "capacity",
            Command::Operate => "operate",
            Command::Replay => "replay",
        }
    }
}

/// Which points a sweep runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// Every combination of the list and range axes (the cartesian product), each with every
    /// sample of the sampled axes.
    Grid,
    /// The base scenario, then each axis value alone with every other input at the scenario's
    /// own value: the input of a tornado chart.
    OneAtATime,
}

/// How sampled axes draw their values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sampling {
    /// Latin hypercube: `samples` strata of equal probability, each hit once, independently
    /// permuted per axis.
    LatinHypercube,
    /// Independent draws.
    MonteCarlo,
}

/// Whether each point draws its own random numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Seeds {
    /// Point i's seed is a hash of (sweep seed, i).
    PerPoint,
    /// Every point uses the sweep seed (common random numbers): differences between points are
    /// the inputs', not the draws'.
    Common,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    scenario: Option<String>,
    cluster: Option<String>,
    trace: Option<String>,
    trace_format: Option<String>,
    skip_bad: Option<bool>,
    replay: Option<ReplayOptions>,
    command: Command,
    replicas: Option<u32>,
    seed: Option<u64>,
    seeds: Option<Seeds>,
    design: Option<Design>,
    samples: Option<u64>,
    simulate: Option<bool>,
    metrics: Vec<RawMetric>,
    #[serde(default)]
    set: toml::Table,
    #[serde(default)]
    axis: Vec<RawAxis>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawMetric {
    Path(String),
    Named { name: String, path: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    name: Option<String>,
    path: String,
    values: Option<Vec<toml::Value>>,
    range: Option<RawRange>,
    sample: Option<Sampling>,
    low: Option<f64>,
    central: Option<f64>,
    high: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    start: toml::Value,
    stop: toml::Value,
    step: toml::Value,
}

/// A metric kept at each point: a column name and a path into the command's JSON.
#[derive(Clone, Debug)]
pub struct Metric {
    /// Column name (the path, unless the file names it).
    pub name: String,
    /// Path into the command's `--format json`.
    pub path: Path,
    /// Where it is written in the sweep file.
    pub at: KeyPath,
}

/// What an axis varies over.
#[derive(Clone, Debug)]
pub enum AxisKind {
    /// A list of values (a `range` is expanded into one).
    Values(Vec<toml::Value>),
    /// Values drawn from the triangular distribution on low / central / high (taken from the
    /// scenario's range at the path when the axis gives none).
    Sampled {
        /// Latin hypercube or Monte Carlo.
        method: Sampling,
        /// Low, central and high, when the axis gives them.
        range: Option<(f64, f64, f64)>,
    },
}

/// One axis of a sweep.
#[derive(Clone, Debug)]
pub struct Axis {
    /// Column name (the path, unless the file names it).
    pub name: String,
    /// Path into the scenario.
    pub path: Path,
    /// Its values.
    pub kind: AxisKind,
    /// Where it is written in the sweep file (`axis[2]`).
    pub at: KeyPath,
}

/// A fixed override applied to every point (`[set]`).
#[derive(Clone, Debug)]
pub struct Setting {
    /// Path into the scenario.
    pub path: Path,
    /// The value.
    pub value: toml::Value,
    /// Where it is written in the sweep file.
    pub at: KeyPath,
}

/// What a sweep's points run on.
#[derive(Clone, Debug)]
pub enum Base {
    /// A scenario, as written (relative to the sweep file's directory): plan, simulate, capacity
    /// and operate.
    Scenario(String),
    /// A cluster and a job trace: replay.
    Replay(ReplayBase),
}

/// The inputs of a replay sweep, as the sweep file names them.
#[derive(Clone, Debug)]
pub struct ReplayBase {
    /// The cluster: a scenario or a cluster spec (relative to the sweep file's directory).
    pub cluster: String,
    /// The job trace: a trace file, the PAI 2020 directory or a synthetic spec (.toml).
    pub trace: String,
    /// The trace's format (default: detected from its header).
    pub trace_format: Option<String>,
    /// Skip a recorded trace's bad rows, counting them, instead of stopping at the first.
    pub skip_bad: bool,
    /// The `[replay]` options every point starts from.
    pub options: ReplayOptions,
}

/// A sweep file, read and checked.
#[derive(Clone, Debug)]
pub struct SweepFile {
    /// The file itself.
    pub file: SourceFile,
    /// Display name (the file name unless it sets one).
    pub name: String,
    /// What the points run on: a scenario, or a replay's cluster and trace.
    pub base: Base,
    /// The command run at each point.
    pub command: Command,
    /// Replicas per point.
    pub replicas: u32,
    /// The sweep seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Per-point or common random numbers.
    pub seeds: Seeds,
    /// Grid or one-at-a-time.
    pub design: Design,
    /// Samples of the sampled axes (0 when there are none).
    pub samples: u64,
    /// `capacity` only: run the fleet simulator for simulated ETTRs (default true).
    pub simulate: bool,
    /// The metrics kept.
    pub metrics: Vec<Metric>,
    /// Fixed overrides.
    pub set: Vec<Setting>,
    /// The axes, in file order.
    pub axes: Vec<Axis>,
}

fn parse_path(file: &SourceFile, at: &KeyPath, text: &str) -> Result<Path, InputError> {
    Path::parse(text).map_err(|e| {
        InputError::at(file, at, format!("bad path: {e}")).with_help(
            "write a path as keys, [index] and [\"name\"], e.g. phase[0].pue or job[\"GW 1 training\"].restart_s",
        )
    })
}

/// Whether a column name is usable: not empty, no control characters, not one of the fixed columns.
fn check_name(file: &SourceFile, at: &KeyPath, name: &str, taken: &mut Vec<String>) -> Result<(), InputError> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(InputError::at(file, at, "a column name must be non-empty text without control characters"));
    }
    if ["point", "replica", "seed", "replicas"].contains(&name) || taken.iter().any(|t| t == name) {
        return Err(InputError::at(file, at, format!("column `{name}` is already taken")).with_help(
            "point, replica, seed and replicas are the sweep's own columns; give each axis and metric its own name",
        ));
    }
    taken.push(name.to_string());
    Ok(())
}

/// A number written in a range, as an integer when it is one.
fn range_number(v: &toml::Value) -> Option<(f64, bool)> {
    match v {
        toml::Value::Integer(i) => Some((*i as f64, true)),
        toml::Value::Float(f) if f.is_finite() => Some((*f, false)),
        _ => None,
    }
}

/// `x` rounded to 12 significant digits: a range's steps without `0.30000000000000004`.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

fn expand_range(file: &SourceFile, at: &KeyPath, r: &RawRange) -> Result<Vec<toml::Value>, InputError> {
    let mut nums = Vec::new();
    for (key, v) in [("start", &r.start), ("stop", &r.stop), ("step", &r.step)] {
        let Some(n) = range_number(v) else {
            return Err(InputError::at(file, &at.key(key), format!("range {key} must be a finite number"))
                .with_help("e.g. range = { start = 60, stop = 600, step = 60 }"));
        };
        nums.push(n);
    }
    let (start, stop, step) = (nums[0].0, nums[1].0, nums[2].0);
    let integers = nums.iter().all(|n| n.1);
    if step.is_nan() || step <= 0.0 || stop < start {
        return Err(InputError::at(
            file,
            at,
            format!("a range needs step > 0 and stop ≥ start, found {start} to {stop} by {step}"),
        )
        .with_help("e.g. range = { start = 60, stop = 600, step = 60 } (stop is included when a step lands on it)"));
    }
    let n = ((stop - start) / step * (1.0 + 1e-12)).floor() + 1.0;
    if n > MAX_AXIS_VALUES as f64 {
        return Err(InputError::at(file, at, format!("this range has {n:.0} values, more than {MAX_AXIS_VALUES}"))
            .with_help("use a larger step, or a sampled axis"));
    }
    Ok((0..n as usize)
        .map(|k| {
            let x = start + k as f64 * step;
            if integers { toml::Value::Integer(x.round() as i64) } else { toml::Value::Float(tidy(x)) }
        })
        .collect())
}

fn axis_of(file: &SourceFile, i: usize, raw: RawAxis, taken: &mut Vec<String>) -> Result<Axis, InputError> {
    let at = KeyPath::root().key("axis").index(i);
    let path = parse_path(file, &at.key("path"), &raw.path)?;
    let name = raw.name.clone().unwrap_or_else(|| raw.path.clone());
    check_name(file, &at.key(if raw.name.is_some() { "name" } else { "path" }), &name, taken)?;
    let bounds = [raw.low, raw.central, raw.high];
    let kinds = [raw.values.is_some(), raw.range.is_some(), raw.sample.is_some()];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(InputError::at(file, &at, "an axis has exactly one of `values`, `range` and `sample`")
            .with_help("values = [1.1, 1.2], range = { start = 1, stop = 2, step = 0.1 }, or sample = \"latin-hypercube\" with low, central, high"));
    }
    if raw.sample.is_none() && bounds.iter().any(Option::is_some) {
        let key = ["low", "central", "high"][bounds.iter().position(Option::is_some).unwrap_or(0)];
        return Err(InputError::at_key(file, &at.key(key), format!("`{key}` is for sampled axes"))
            .with_help("add sample = \"latin-hypercube\" or \"monte-carlo\", or drop low/central/high"));
    }
    let kind = if let Some(values) = raw.values {
        if values.is_empty() {
            return Err(InputError::at(file, &at.key("values"), "an axis needs at least one value"));
        }
        if values.len() > MAX_AXIS_VALUES {
            return Err(InputError::at(file, &at.key("values"), format!("more than {MAX_AXIS_VALUES} values")));
        }
        for (k, v) in values.iter().enumerate() {
            let ok = match v {
                toml::Value::Float(f) => f.is_finite(),
                toml::Value::Integer(_) | toml::Value::String(_) | toml::Value::Boolean(_) => true,
                _ => false,
            };
            if !ok {
                return Err(InputError::at(
                    file,
                    &at.key("values").index(k),
                    format!("an axis value must be a finite number, a string or a boolean, found {}", v.type_str()),
                ));
            }
        }
        let first = std::mem::discriminant(&values[0]);
        let numeric = |v: &toml::Value| matches!(v, toml::Value::Integer(_) | toml::Value::Float(_));
        if let Some(k) =
            values.iter().position(|v| std::mem::discriminant(v) != first && !(numeric(v) && numeric(&values[0])))
        {
            return Err(InputError::at(
                file,
                &at.key("values").index(k),
                "the values of an axis must all be of one type",
            )
            .with_help("numbers, strings or booleans: one column of the output holds them"));
        }
        AxisKind::Values(values)
    } else if let Some(range) = &raw.range {
        AxisKind::Values(expand_range(file, &at.key("range"), range)?)
    } else {
        let method = raw.sample.unwrap_or(Sampling::LatinHypercube);
        let range = match bounds {
            [None, None, None] => None,
            [low, Some(c), high] => {
                let (l, h) = (low.unwrap_or(c), high.unwrap_or(c));
                if !(l.is_finite() && c.is_finite() && h.is_finite() && l <= c && c <= h) {
                    return Err(InputError::at(
                        file,
                        &at,
                        format!("a sampled axis needs finite low ≤ central ≤ high, found {l}, {c}, {h}"),
                    ));
                }
                Some((l, c, h))
            }
            _ => {
                return Err(InputError::at(
                    file,
                    &at,
                    "give `central` with `low` and `high` (or none of them, to use the scenario's range)",
                )
                .with_help("e.g. low = 1.1, central = 1.15, high = 1.3"));
            }
        };
        AxisKind::Sampled { method, range }
    };
    Ok(Axis { name, path, kind, at })
}

/// `name` with its indefinite article (`a plan`, `an operate`).
fn article(name: &str) -> String {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {name}") } else { format!("a {name}") }
}

/// The base of a sweep: a scenario for the scenario commands, a cluster and a trace for replay;
/// a key of the other kind is an error at the key.
fn base_of(file: &SourceFile, raw: &RawSweep) -> Result<Base, InputError> {
    let (command, scenario, cluster, trace) = (raw.command, &raw.scenario, &raw.cluster, &raw.trace);
    let (trace_format, skip_bad, replay) = (&raw.trace_format, raw.skip_bad, &raw.replay);
    let root = KeyPath::root();
    if command != Command::Replay {
        let replay_keys = [
            ("cluster", cluster.is_some()),
            ("trace", trace.is_some()),
            ("trace_format", trace_format.is_some()),
            ("skip_bad", skip_bad.is_some()),
            ("replay", replay.is_some()),
        ];
        if let Some((key, _)) = replay_keys.iter().find(|k| k.1) {
            return Err(InputError::at_key(file, &root.key(key), format!("`{key}` is for command = \"replay\""))
                .with_help("a sweep of plan, simulate, capacity or operate names its base `scenario`"));
        }
        return match scenario {
            Some(s) => Ok(Base::Scenario(s.clone())),
            None => Err(InputError::at_span(
                file,
                Some(0..0),
                format!("{} sweep needs `scenario`", article(command.name())),
            )
            .with_help("add scenario = \"…\" (relative to the sweep file) at the top of the file")),
        };
    }
    if scenario.is_some() {
        return Err(InputError::at_key(
            file,
            &root.key("scenario"),
            "a replay sweep names `cluster` and `trace`, not `scenario`",
        )
        .with_help(
            "cluster = \"…\" (a scenario or a cluster spec) and trace = \"…\" (a trace file or a synthetic spec)",
        ));
    }
    let (Some(cluster), Some(trace)) = (cluster.clone(), trace.clone()) else {
        return Err(InputError::at_span(file, Some(0..0), "a replay sweep needs `cluster` and `trace`").with_help(
            "cluster = \"…\" (a scenario or a cluster spec) and trace = \"…\" (a trace file or a synthetic spec), both relative to the sweep file",
        ));
    };
    let options = replay.clone().unwrap_or_default();
    if let Err((key, message)) = options.check() {
        return Err(InputError::at(file, &root.key("replay").key(key), message));
    }
    let trace_format = trace_format.clone();
    Ok(Base::Replay(ReplayBase { cluster, trace, trace_format, skip_bad: skip_bad.unwrap_or(false), options }))
}

impl SweepFile {
    /// Reads and checks a sweep file.
    pub fn parse(file: &SourceFile) -> Result<SweepFile, InputError> {
        let raw: RawSweep = toml::from_str(&file.text).map_err(|e| {
            let mut err = InputError::from_toml(file, &e);
            if err.message.contains("did not match any variant of untagged enum RawMetric") {
                err.message = "a metric is a path string or { name = \"…\", path = \"…\" }".to_string();
            }
            err
        })?;
        let base = base_of(file, &raw)?;
        let root = KeyPath::root();
        let name = raw.name.unwrap_or_else(|| {
            std::path::Path::new(&file.name)
                .file_stem()
                .map_or("sweep".to_string(), |s| s.to_string_lossy().into_owned())
        });
        let replicas = raw.replicas.unwrap_or(1);
        if !(1..=MAX_REPLICAS).contains(&replicas) {
            return Err(InputError::at(
                file,
                &root.key("replicas"),
                format!("replicas must be from 1 to {MAX_REPLICAS}, found {replicas}"),
            ));
        }
        let mut taken = Vec::new();
        let mut axes = Vec::new();
        for (i, raw_axis) in raw.axis.into_iter().enumerate() {
            axes.push(axis_of(file, i, raw_axis, &mut taken)?);
        }
        if raw.metrics.is_empty() {
            return Err(InputError::at(file, &root.key("metrics"), "a sweep keeps at least one metric")
                .with_help("e.g. metrics = [\"totals.gpus\"]: paths into the command's --format json"));
        }
        let mut metrics = Vec::new();
        for (i, m) in raw.metrics.into_iter().enumerate() {
            let at = root.key("metrics").index(i);
            let (name, text, name_at, path_at) = match m {
                RawMetric::Path(p) => (p.clone(), p, at.clone(), at.clone()),
                RawMetric::Named { name, path } => (name, path, at.key("name"), at.key("path")),
            };
            let path = parse_path(file, &path_at, &text)?;
            check_name(file, &name_at, &name, &mut taken)?;
            metrics.push(Metric { name, path, at: path_at });
        }
        let mut set = Vec::new();
        for (key, value) in raw.set {
            let at = root.key("set").key(&key);
            let path = parse_path(file, &at, &key)?;
            set.push(Setting { path, value, at });
        }
        let design = raw.design.unwrap_or(Design::Grid);
        let sampled = axes.iter().filter(|a| matches!(a.kind, AxisKind::Sampled { .. })).count();
        let samples = match (sampled, raw.samples) {
            (0, None) => 0,
            (0, Some(_)) => {
                return Err(InputError::at(
                    file,
                    &root.key("samples"),
                    "`samples` is for sampled axes, and this sweep has none",
                )
                .with_help("add an [[axis]] with sample = \"latin-hypercube\", or drop samples"));
            }
            (_, None) => {
                return Err(InputError::at_span(file, Some(0..0), "a sweep with sampled axes needs `samples`")
                    .with_help("add samples = 100 (points drawn) at the top of the file"));
            }
            (_, Some(n)) if n == 0 || n > MAX_SAMPLES => {
                return Err(InputError::at(
                    file,
                    &root.key("samples"),
                    format!("samples must be from 1 to {MAX_SAMPLES}, found {n}"),
                ));
            }
            (_, Some(n)) => n,
        };
        if design == Design::OneAtATime && sampled > 0 {
            return Err(InputError::at(
                file,
                &root.key("design"),
                "a one-at-a-time sweep moves list and range axes only",
            )
            .with_help("drop the sampled axes, or use design = \"grid\""));
        }
        if raw.simulate.is_some() && raw.command != Command::Capacity {
            return Err(InputError::at_key(file, &root.key("simulate"), "`simulate` is for command = \"capacity\""));
        }
        let sweep = SweepFile {
            file: file.clone(),
            name,
            base,
            command: raw.command,
            replicas,
            seed: raw.seed,
            seeds: raw.seeds.unwrap_or(Seeds::PerPoint),
            design,
            samples,
            simulate: raw.simulate.unwrap_or(true),
            metrics,
            set,
            axes,
        };
        let points = sweep.point_count();
        if points > MAX_POINTS as f64 {
            return Err(InputError::at_span(
                file,
                Some(0..0),
                format!("this sweep has {points:.3e} points, more than {MAX_POINTS}"),
            )
            .with_help("use fewer or coarser axes, or split it into several sweeps"));
        }
        Ok(sweep)
    }

    /// Number of points (as a float: it is checked against [`MAX_POINTS`] before it is used as
    /// a count).
    fn point_count(&self) -> f64 {
        let sizes = self.axes.iter().filter_map(|a| match &a.kind {
            AxisKind::Values(v) => Some(v.len() as f64),
            AxisKind::Sampled { .. } => None,
        });
        match self.design {
            Design::Grid => sizes.product::<f64>() * self.samples.max(1) as f64,
            Design::OneAtATime => 1.0 + sizes.sum::<f64>(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SweepFile, InputError> {
        SweepFile::parse(&SourceFile::new("s.toml", text))
    }

    const HEAD: &str = "scenario = \"x.toml\"\ncommand = \"plan\"\nmetrics = [\"totals.gpus\"]\n";

    #[test]
    fn ranges_expand_with_their_stop_and_without_float_noise() {
        let s = parse(&format!(
            "{HEAD}[[axis]]\npath = \"phase[0].pue\"\nrange = {{ start = 1.1, stop = 1.4, step = 0.1 }}\n"
        ))
        .unwrap();
        let AxisKind::Values(v) = &s.axes[0].kind else { panic!() };
        let xs: Vec<f64> = v.iter().map(|v| v.as_float().unwrap()).collect();
        assert_eq!(xs, vec![1.1, 1.2, 1.3, 1.4]);
        let s = parse(&format!(
            "{HEAD}[[axis]]\npath = \"job[0].restart_s\"\nrange = {{ start = 60, stop = 600, step = 60 }}\n"
        ))
        .unwrap();
        let AxisKind::Values(v) = &s.axes[0].kind else { panic!() };
        assert_eq!(v.len(), 10);
        assert_eq!(v[9], toml::Value::Integer(600));
    }

    #[test]
    fn bad_axes_are_located() {
        let err = parse(&format!("{HEAD}[[axis]]\npath = \"phase[0].pue\"\nvalues = [1.1, \"x\"]\n")).unwrap_err();
        assert_eq!(err.location().map(|(_, l, _)| l), Some(6));
        let err = parse(&format!("{HEAD}[[axis]]\npath = \"phase[0.pue\"\nvalues = [1.1]\n")).unwrap_err();
        assert!(err.message.contains("bad path"), "{}", err.message);
        let err = parse(&format!("{HEAD}[[axis]]\npath = \"phase[0].pue\"\nvalue = [1.1]\n")).unwrap_err();
        assert!(err.help.as_deref().unwrap_or("").contains("values"), "{err:?}");
        let err = parse(&format!(
            "{HEAD}[[axis]]\npath = \"phase[0].pue\"\nsample = \"monte-carlo\"\nlow = 2\ncentral = 1\n"
        ))
        .unwrap_err();
        assert!(err.message.contains("low ≤ central ≤ high"), "{}", err.message);
        assert!(parse(&format!("{HEAD}[[axis]]\npath = \"phase[0].pue\"\nsample = \"monte-carlo\"\n")).is_err());
    }

    #[test]
    fn sweeps_past_their_bounds_are_refused_before_anything_is_allocated() {
        let sampled = "[[axis]]\npath = \"phase[0].pue\"\nsample = \"monte-carlo\"\n";
        let err = parse(&format!("samples = 100000000\n{HEAD}{sampled}")).unwrap_err();
        assert!(err.message.contains("samples must be from 1 to 1000000"), "{}", err.message);
        let big = "[[axis]]\npath = \"a.b\"\nrange = { start = 0, stop = 999999, step = 1 }\n";
        let err = parse(&format!("{HEAD}{big}{}", big.replace("a.b", "c.d"))).unwrap_err();
        assert!(err.message.contains("points, more than 100000000"), "{}", err.message);
    }
}
