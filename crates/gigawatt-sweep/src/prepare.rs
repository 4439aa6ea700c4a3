//! A sweep made ready to run: its paths resolved against the base scenario and the catalog, its
//! values checked, its sampled values drawn, and each point's scenario built on demand and run
//! through the command's library function.

use std::collections::BTreeMap;

use gigawatt_core::catalog::BUNDLED_PLATFORMS;
use gigawatt_core::error::{KeyPath, SourceFile};
use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, InputError, Model, PlanOptions, load_scenario, plan};
use gigawatt_operate::{OperateEstimate, OperateRequest, Operation};
use gigawatt_sched::{read_cluster, scenario_cluster};
use gigawatt_sim::{SimOptions, Simulation};
use sha2::{Digest, Sha256};

use crate::path::metric_value;
use crate::points::{axis_uniforms, point_choices, point_seed, replica_seed, triangular};
use crate::replay::{
    PointTrace, ReplayFiles, ReplayOptions, ReplayPoint, TraceInput, point_synthetic, synthetic_identity,
};
use crate::spec::{AxisKind, Base, Command, Design, Sampling, Seeds, SweepFile};
use crate::table::{Column, Table, Values};
use crate::target::{
    ReplayDocs, SpecDoc, Target, resolve, resolve_replay, set_in_doc, set_in_platform, set_in_scenario,
};

/// The version of gigawatt whose results a sweep holds (part of the sweep's identity).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The type of an axis's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisType {
    /// Whole numbers.
    Integer,
    /// Numbers.
    Float,
    /// Text.
    Text,
    /// Booleans.
    Boolean,
}

/// A sweep ready to run.
#[derive(Debug)]
pub struct Prepared {
    /// The sweep file.
    pub sweep: SweepFile,
    /// The sweep's seed: the file's, else the scenario's (a replay's: 0, as `gigawatt replay`).
    pub seed: u64,
    /// Number of points.
    pub points: u64,
    /// The sweep's identity: a hash of the tool version, the sweep file, the base scenario (a
    /// replay's cluster and trace) and the user's catalog files (hex).
    pub hash: String,
    /// The scenario the paths write into: the base scenario, or a replay's cluster when it is a
    /// scenario.
    scenario: Option<ScenarioBase>,
    /// A replay sweep's cluster spec, trace and options.
    replay: Option<ReplayBase>,
    user_catalog: Vec<SourceFile>,
    platforms: Vec<(String, SourceFile)>,
    catalog: Catalog,
    targets: Vec<Target>,
    set: Vec<(Target, toml::Value)>,
    sampled: Vec<Option<Vec<f64>>>,
    axis_types: Vec<AxisType>,
}

/// A scenario and its document.
#[derive(Debug)]
struct ScenarioBase {
    file: SourceFile,
    doc: toml::Table,
}

/// A replay sweep's own inputs.
#[derive(Debug)]
struct ReplayBase {
    /// The cluster spec and its document, when the cluster is not a scenario.
    cluster_spec: Option<(SourceFile, toml::Table)>,
    /// The trace.
    trace: TraceInput,
    /// The synthetic spec's document, when the trace is one.
    trace_doc: Option<toml::Table>,
    /// The `[replay]` options as a table the axes write into.
    options: toml::Table,
}

/// What a sweep runs on, as the caller read it.
#[derive(Clone, Debug)]
pub enum BaseFiles {
    /// The base scenario of a plan, simulate, capacity or operate sweep.
    Scenario(SourceFile),
    /// A replay sweep's cluster and trace.
    Replay(ReplayFiles),
}

impl From<SourceFile> for BaseFiles {
    fn from(file: SourceFile) -> BaseFiles {
        BaseFiles::Scenario(file)
    }
}

/// A scenario with a point's values: its model, and its own catalog when an axis changes a
/// platform.
pub struct ScenarioInputs {
    /// The validated scenario.
    pub model: Model,
    /// The catalog, when it differs from the base one.
    pub catalog: Option<Catalog>,
}

/// What a point runs on, with its values written in.
pub enum PointInputs {
    /// A scenario command's scenario.
    Scenario(Box<ScenarioInputs>),
    /// A replay's cluster, trace spec and options.
    Replay(Box<ReplayInputs>),
}

/// A replay point's inputs.
pub struct ReplayInputs {
    /// The cluster.
    pub cluster: ClusterInputs,
    /// The synthetic trace spec's file (`None`: a recorded trace).
    pub trace: Option<SourceFile>,
    /// The `[replay]` options.
    pub options: toml::Table,
}

/// A replay point's cluster, with its values written in.
pub enum ClusterInputs {
    /// A scenario's cluster (one node group per phase).
    Scenario(Box<ScenarioInputs>),
    /// A cluster spec's file.
    Spec(SourceFile),
}

/// A point prepared to run its replicas.
enum Ready {
    /// Plan, capacity and operate need only the model (operate prepares its streams per seed).
    Model(Box<ScenarioInputs>),
    /// Simulate shares one prepared fleet between replicas.
    Simulation(Box<(ScenarioInputs, Simulation)>),
    /// A replay: its cluster, options and trace.
    Replay(Box<ReplayPoint>),
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// The platform files by id: bundled first, then the user's (a later file overrides an earlier).
fn platform_files(user: &[SourceFile]) -> Vec<(String, SourceFile)> {
    let mut by_id: BTreeMap<String, SourceFile> = BTreeMap::new();
    let bundled = BUNDLED_PLATFORMS.iter().map(|(n, t)| SourceFile::new(format!("<bundled>/{n}"), *t));
    for file in bundled.chain(user.iter().cloned()) {
        let id = toml::from_str::<toml::Table>(&file.text)
            .ok()
            .and_then(|t| t.get("id").and_then(|v| v.as_str()).map(str::to_string));
        if let Some(id) = id {
            by_id.insert(id, file);
        }
    }
    by_id.into_iter().collect()
}

impl Prepared {
    /// Resolves `sweep` against what it runs on (its base scenario, or a replay's cluster and
    /// trace) and the user's catalog files (the bundled catalog is always there); checks every
    /// axis value and every metric path before anything runs.
    pub fn new(
        sweep: SweepFile,
        base: impl Into<BaseFiles>,
        user_catalog: Vec<SourceFile>,
    ) -> Result<Prepared, InputError> {
        let prepared = Prepared::resolve(sweep, base, user_catalog)?;
        prepared.check_values()?;
        prepared.check_metrics()?;
        Ok(prepared)
    }

    /// [`Prepared::new`] without the checks that load every axis value and run point 0: the paths
    /// resolved, the samples drawn, nothing run (the fuzz target's entry).
    pub fn resolve(
        sweep: SweepFile,
        base: impl Into<BaseFiles>,
        user_catalog: Vec<SourceFile>,
    ) -> Result<Prepared, InputError> {
        let catalog = Catalog::load(&user_catalog)?;
        let platforms = platform_files(&user_catalog);
        let base = base.into();
        let (scenario, replay) = match (&sweep.base, base) {
            (Base::Scenario(_), BaseFiles::Scenario(file)) => (Some(file), None),
            (Base::Replay(r), BaseFiles::Replay(files)) => {
                let table = toml::from_str::<toml::Table>(&files.cluster.text)
                    .map_err(|e| InputError::from_toml(&files.cluster, &e))?;
                let trace_doc = match &files.trace {
                    TraceInput::Synthetic { file, .. } => {
                        Some(toml::from_str::<toml::Table>(&file.text).map_err(|e| InputError::from_toml(file, &e))?)
                    }
                    TraceInput::Recorded { .. } => None,
                };
                let options = toml::Table::try_from(&r.options)
                    .map_err(|e| InputError::new(format!("cannot write the [replay] options: {e}")))?;
                if table.contains_key("phase") {
                    (
                        Some(files.cluster),
                        Some(ReplayBase { cluster_spec: None, trace: files.trace, trace_doc, options }),
                    )
                } else {
                    // The spec as it is: its own errors point into its own file.
                    gigawatt_sched::read_cluster(&files.cluster, &catalog)?;
                    let cluster_spec = Some((files.cluster, table));
                    (None, Some(ReplayBase { cluster_spec, trace: files.trace, trace_doc, options }))
                }
            }
            _ => {
                let message = format!("a {} sweep was given the inputs of another command", sweep.command.name());
                return Err(InputError::at(&sweep.file, &KeyPath::root().key("command"), message));
            }
        };
        // The base scenario as it is: its own errors point into its own file.
        let base_model = scenario.as_ref().map(|s| load_scenario(s, &catalog)).transpose()?;
        let scenario = match scenario {
            Some(file) => {
                let doc: toml::Table = toml::from_str(&file.text).map_err(|e| InputError::from_toml(&file, &e))?;
                Some(ScenarioBase { file, doc })
            }
            None => None,
        };
        let targets = sweep
            .axes
            .iter()
            .map(|a| Self::target(&sweep, scenario.as_ref(), replay.as_ref(), &platforms, &a.path, &a.at.key("path")))
            .collect::<Result<Vec<_>, _>>()?;
        let set = sweep
            .set
            .iter()
            .map(|s| {
                Self::target(&sweep, scenario.as_ref(), replay.as_ref(), &platforms, &s.path, &s.at)
                    .map(|t| (t, s.value.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let seed = sweep.seed.unwrap_or(match (&sweep.base, &base_model) {
            (Base::Scenario(_), Some(m)) => m.seed,
            _ => 0,
        });
        let sampled = Self::draw_samples(&sweep, &targets, base_model.as_ref(), seed)?;
        let axis_types = sweep
            .axes
            .iter()
            .map(|a| match &a.kind {
                AxisKind::Sampled { .. } => AxisType::Float,
                AxisKind::Values(v) => match &v[0] {
                    toml::Value::String(_) => AxisType::Text,
                    toml::Value::Boolean(_) => AxisType::Boolean,
                    _ if v.iter().all(|x| x.is_integer()) => AxisType::Integer,
                    _ => AxisType::Float,
                },
            })
            .collect();
        let hash = Self::identity(&sweep, scenario.as_ref(), replay.as_ref(), &user_catalog);
        let sizes = Self::sizes(&sweep);
        let points = match sweep.design {
            Design::Grid => sizes.iter().flatten().product::<u64>() * sweep.samples.max(1),
            Design::OneAtATime => 1 + sizes.iter().flatten().sum::<u64>(),
        };
        Ok(Prepared {
            sweep,
            seed,
            points,
            hash,
            scenario,
            replay,
            user_catalog,
            platforms,
            catalog,
            targets,
            set,
            sampled,
            axis_types,
        })
    }

    /// Where `path` writes: into the scenario for the scenario commands; into the options, the
    /// cluster or the trace for a replay.
    fn target(
        sweep: &SweepFile,
        scenario: Option<&ScenarioBase>,
        replay: Option<&ReplayBase>,
        platforms: &[(String, SourceFile)],
        path: &crate::path::Path,
        at: &KeyPath,
    ) -> Result<Target, InputError> {
        match replay {
            None => {
                let empty = toml::Table::new();
                resolve(path, scenario.map_or(&empty, |s| &s.doc), platforms, &sweep.file, at)
            }
            Some(r) => {
                let docs = ReplayDocs {
                    cluster_scenario: scenario.map(|s| &s.doc),
                    cluster_spec: r.cluster_spec.as_ref().map(|(_, d)| d),
                    trace_spec: r.trace_doc.as_ref(),
                    platforms,
                };
                resolve_replay(path, &docs, &sweep.file, at)
            }
        }
    }

    /// Each sampled axis's draws (`None` for list and range axes), from its low / central / high
    /// or, where it gives none, the scenario's range of the input.
    fn draw_samples(
        sweep: &SweepFile,
        targets: &[Target],
        base_model: Option<&Model>,
        seed: u64,
    ) -> Result<Vec<Option<Vec<f64>>>, InputError> {
        let mut sampled = Vec::new();
        let mut sampled_index = 0;
        for (axis, target) in sweep.axes.iter().zip(targets) {
            let AxisKind::Sampled { method, range } = &axis.kind else {
                sampled.push(None);
                continue;
            };
            let (low, central, high) = match range {
                Some(r) => *r,
                None => {
                    // A phase that does not set an input takes [phase_defaults]'.
                    let key = target.param_key();
                    let fallback = key
                        .strip_prefix("phase[")
                        .and_then(|k| k.split_once("]."))
                        .map(|(_, f)| format!("phase_defaults.{f}"));
                    let scenario_key = matches!(target, Target::Scenario { .. } | Target::Platform { .. });
                    let found = base_model.filter(|_| scenario_key).and_then(|m| {
                        m.params.find(&key).or_else(|| fallback.and_then(|f| m.params.find(&f))).map(|id| {
                            let e = &m.params.get(id).quantity.estimate;
                            (e.low, e.central, e.high)
                        })
                    });
                    let Some(range) = found else {
                        return Err(InputError::at(
                            &sweep.file,
                            &axis.at,
                            format!("`{}` has no range in the scenario to sample from", axis.path),
                        )
                        .with_help("give the axis low, central and high"));
                    };
                    range
                }
            };
            let u = axis_uniforms(seed, sampled_index, sweep.samples, *method == Sampling::LatinHypercube);
            sampled_index += 1;
            sampled.push(Some(u.into_iter().map(|u| triangular(u, low, central, high)).collect()));
        }
        Ok(sampled)
    }

    /// The sweep's identity: the tool version, the sweep file, what it runs on, the bundled
    /// catalog (two builds of one version with different platform data or defaults write
    /// different rows) and the user's catalog files.
    fn identity(
        sweep: &SweepFile,
        scenario: Option<&ScenarioBase>,
        replay: Option<&ReplayBase>,
        user_catalog: &[SourceFile],
    ) -> String {
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        part(VERSION.as_bytes());
        part(sweep.file.text.as_bytes());
        if let Some(s) = scenario {
            part(s.file.text.as_bytes());
        }
        if let Some(r) = replay {
            if let Some((file, _)) = &r.cluster_spec {
                part(file.text.as_bytes());
            }
            match &r.trace {
                TraceInput::Recorded { digest, .. } => part(digest.as_bytes()),
                TraceInput::Synthetic { file, spec } => part(&synthetic_identity(file, spec)),
            }
        }
        let bundled = BUNDLED_PLATFORMS.iter().map(|(_, t)| *t).chain([gigawatt_core::catalog::BUNDLED_DEFAULTS.1]);
        for text in bundled.chain(user_catalog.iter().map(|f| &*f.text)) {
            part(text.as_bytes());
        }
        hasher.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    fn sizes(sweep: &SweepFile) -> Vec<Option<u64>> {
        sweep
            .axes
            .iter()
            .map(|a| match &a.kind {
                AxisKind::Values(v) => Some(v.len() as u64),
                AxisKind::Sampled { .. } => None,
            })
            .collect()
    }

    /// Whether a point's replicas all run the same: a replay of a recorded trace with failures
    /// off at every point, where the seed draws nothing.
    pub fn replicas_repeat(&self) -> bool {
        let Some(r) = &self.replay else { return false };
        let is_failures = |t: &Target| matches!(t, Target::Option { key } if key == "failures");
        let on_somewhere = r.options.get("failures").and_then(toml::Value::as_bool) == Some(true)
            || self.set.iter().any(|(t, v)| is_failures(t) && v.as_bool() == Some(true))
            || self.targets.iter().any(is_failures);
        matches!(r.trace, TraceInput::Recorded { .. }) && !on_somewhere
    }

    /// The base catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The column type of each axis.
    pub fn axis_types(&self) -> &[AxisType] {
        &self.axis_types
    }

    /// Each axis's value at `point` (`None`: the scenario's own value).
    pub fn point_values(&self, point: u64) -> Vec<Option<toml::Value>> {
        let choices = point_choices(
            point,
            &Self::sizes(&self.sweep),
            self.sweep.samples,
            self.sweep.design == Design::OneAtATime,
        );
        self.sweep
            .axes
            .iter()
            .zip(choices)
            .zip(&self.sampled)
            .map(|((axis, choice), sampled)| {
                let k = choice? as usize;
                match (&axis.kind, sampled) {
                    (AxisKind::Values(v), _) => Some(v[k].clone()),
                    (AxisKind::Sampled { .. }, Some(s)) => Some(toml::Value::Float(s[k])),
                    (AxisKind::Sampled { .. }, None) => None,
                }
            })
            .collect()
    }

    /// Point `point`'s seed.
    pub fn point_seed(&self, point: u64) -> u64 {
        match self.sweep.seeds {
            Seeds::PerPoint => point_seed(self.seed, point),
            Seeds::Common => self.seed,
        }
    }

    /// What a point runs on: the scenario (and catalog), or a replay's cluster, trace spec and
    /// options, with the fixed settings and the given axis values written in.
    pub fn inputs(&self, values: &[Option<toml::Value>]) -> Result<PointInputs, InputError> {
        let mut doc = self.scenario.as_ref().map(|s| s.doc.clone()).unwrap_or_default();
        let mut platform_docs: BTreeMap<String, toml::Table> = BTreeMap::new();
        let mut options = self.replay.as_ref().map(|r| r.options.clone()).unwrap_or_default();
        let mut cluster_doc = self.replay.as_ref().and_then(|r| r.cluster_spec.as_ref()).map(|(_, d)| d.clone());
        let mut trace_doc = self.replay.as_ref().and_then(|r| r.trace_doc.clone());
        let sweep_name = &self.sweep.file.name;
        let writes = self
            .set
            .iter()
            .map(|(t, v)| (t, Some(v)))
            .chain(self.targets.iter().zip(values.iter().map(Option::as_ref)));
        for (target, value) in writes {
            let Some(value) = value else { continue };
            match target {
                Target::Scenario { steps, quantity, key } => {
                    set_in_scenario(&mut doc, steps, *quantity, value, &format!("swept: {key} in {sweep_name}"));
                }
                Target::Platform { id, field } => {
                    let table = platform_docs.entry(id.clone()).or_insert_with(|| {
                        let file = self.platforms.iter().find(|(p, _)| p == id).map(|(_, f)| f);
                        file.and_then(|f| toml::from_str(&f.text).ok()).unwrap_or_default()
                    });
                    set_in_platform(table, field, value, &format!("swept: platform[\"{id}\"].{field} in {sweep_name}"));
                }
                Target::Option { key } => {
                    options.insert(key.clone(), value.clone());
                }
                Target::Spec { doc: which, steps, .. } => {
                    let spec = match which {
                        SpecDoc::Cluster => cluster_doc.as_mut(),
                        SpecDoc::Trace => trace_doc.as_mut(),
                    };
                    if let Some(spec) = spec {
                        set_in_doc(spec, steps, value);
                    }
                }
            }
        }
        let scenario = match &self.scenario {
            Some(base) => Some(self.scenario_inputs(base, &doc, &platform_docs)?),
            None => None,
        };
        let Some(replay) = &self.replay else {
            return match scenario {
                Some(s) => Ok(PointInputs::Scenario(Box::new(s))),
                None => Err(InputError::new("a scenario sweep without its scenario")),
            };
        };
        let as_file = |name: String, table: &toml::Table| -> Result<SourceFile, InputError> {
            let text =
                toml::to_string(table).map_err(|e| InputError::new(format!("cannot write the point's {name}: {e}")))?;
            Ok(SourceFile::new(name, text))
        };
        let cluster = match (scenario, &replay.cluster_spec, &cluster_doc) {
            (Some(s), _, _) => ClusterInputs::Scenario(Box::new(s)),
            (None, Some((file, _)), Some(d)) => {
                ClusterInputs::Spec(as_file(format!("{} (sweep point)", file.name), d)?)
            }
            _ => return Err(InputError::new("a replay sweep without its cluster")),
        };
        let trace = match (&replay.trace, &trace_doc) {
            (TraceInput::Synthetic { file, .. }, Some(d)) => Some(as_file(format!("{} (sweep point)", file.name), d)?),
            _ => None,
        };
        Ok(PointInputs::Replay(Box::new(ReplayInputs { cluster, trace, options })))
    }

    /// The scenario `doc` (with the platforms' files `platform_docs` as the point writes them)
    /// loaded.
    fn scenario_inputs(
        &self,
        base: &ScenarioBase,
        doc: &toml::Table,
        platform_docs: &BTreeMap<String, toml::Table>,
    ) -> Result<ScenarioInputs, InputError> {
        let catalog = if platform_docs.is_empty() {
            None
        } else {
            let mut files = self.user_catalog.clone();
            for (id, table) in platform_docs {
                let text = toml::to_string(table).map_err(|e| InputError::new(format!("platform `{id}`: {e}")))?;
                files.push(SourceFile::new(format!("platform {id} (swept)"), text));
            }
            Some(Catalog::load(&files)?)
        };
        let text =
            toml::to_string(doc).map_err(|e| InputError::new(format!("cannot write the point's scenario: {e}")))?;
        let file = SourceFile::new(format!("{} (sweep point)", base.file.name), text);
        let model = load_scenario(&file, catalog.as_ref().unwrap_or(&self.catalog))?;
        Ok(ScenarioInputs { model, catalog })
    }

    /// `error`, raised at `at` in the sweep file by the value `shown` of `path`.
    fn point_error(&self, at: &KeyPath, what: &str, error: &InputError) -> InputError {
        let input = if self.replay.is_some() { "the replay" } else { "the scenario" };
        let mut e = InputError::at(&self.sweep.file, at, format!("{what}, {input} is invalid: {}", error.message));
        e.help = error.help.clone();
        e
    }

    /// Loads the scenario with the fixed settings, and with each axis value alone: a value of the
    /// wrong type or out of range is an error at the axis before any point runs.
    fn check_values(&self) -> Result<(), InputError> {
        let none = vec![None; self.sweep.axes.len()];
        if let Err(e) = self.inputs(&none).and_then(|p| self.ready(p).map(|_| ())) {
            let at = self.sweep.set.first().map_or(KeyPath::root(), |s| s.at.clone());
            return Err(self.point_error(&at, "with the [set] values", &e));
        }
        for (a, axis) in self.sweep.axes.iter().enumerate() {
            let candidates: Vec<(KeyPath, toml::Value)> = match (&axis.kind, &self.sampled[a]) {
                (AxisKind::Values(v), _) => {
                    // A range has no `values` key: the error falls back to the axis itself.
                    v.iter().enumerate().map(|(k, x)| (axis.at.key("values").index(k), x.clone())).collect()
                }
                (AxisKind::Sampled { .. }, Some(s)) => {
                    let lo = s.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    vec![(axis.at.clone(), toml::Value::Float(lo)), (axis.at.clone(), toml::Value::Float(hi))]
                }
                (AxisKind::Sampled { .. }, None) => Vec::new(),
            };
            for (at, value) in candidates {
                let mut values = none.clone();
                values[a] = Some(value.clone());
                if let Err(e) = self.inputs(&values).and_then(|p| self.ready(p).map(|_| ())) {
                    let what = format!("with `{}` = {}", axis.path, value_text(&value));
                    return Err(self.point_error(&at, &what, &e));
                }
            }
        }
        Ok(())
    }

    /// Runs point 0's first replica and looks every metric up in its JSON: a path that is not
    /// there is an error at the metric, naming the closest key.
    fn check_metrics(&self) -> Result<(), InputError> {
        let inputs = self.inputs(&self.point_values(0))?;
        let ready = self.ready(inputs)?;
        let json = self.replica_json(&ready, replica_seed(self.point_seed(0), 0))?;
        for m in &self.sweep.metrics {
            let mut help = format!("metrics are paths into `gigawatt {} --format json`", self.sweep.command.name());
            if self.replay.is_some() {
                help.push_str(", with the point's one policy at `policy` (e.g. policy.jct_s.mean)");
            }
            match m.path.lookup(&json) {
                Err(e) => {
                    return Err(InputError::at(&self.sweep.file, &m.at, format!("`{}`: {e}", m.path)).with_help(help));
                }
                Ok(v) if metric_value(v).is_none() && !v.is_null() => {
                    let inside = match v {
                        serde_json::Value::Object(map) => {
                            let keys: Vec<String> = map.keys().take(12).map(|k| format!("`{k}`")).collect();
                            format!("; it holds {}", keys.join(", "))
                        }
                        _ => String::new(),
                    };
                    return Err(InputError::at(
                        &self.sweep.file,
                        &m.at,
                        format!("`{}` is not a number{inside}", m.path),
                    )
                    .with_help(format!("a metric is a number (or a boolean, kept as 0 or 1); {help}")));
                }
                Ok(_) => {}
            }
        }
        Ok(())
    }

    fn ready(&self, inputs: PointInputs) -> Result<Ready, InputError> {
        let inputs = match inputs {
            PointInputs::Replay(r) => return self.ready_replay(*r),
            PointInputs::Scenario(s) => s,
        };
        match self.sweep.command {
            Command::Simulate => {
                let model = &inputs.model;
                let eval = evaluate(model, &model.params.central());
                let options = SimOptions { replicas: 1, sweep: false, ..SimOptions::from_model(model) };
                let sim = Simulation::new(model, &eval, options)?;
                Ok(Ready::Simulation(Box::new((*inputs, sim))))
            }
            Command::Operate => {
                // operate reads its own section: each axis value meets its checks before any run.
                gigawatt_operate::OperateSpec::of(&inputs.model)?;
                Ok(Ready::Model(inputs))
            }
            Command::Plan | Command::Capacity | Command::Replay => Ok(Ready::Model(inputs)),
        }
    }

    /// A replay point: its cluster built, its options checked, its synthetic spec read.
    fn ready_replay(&self, inputs: ReplayInputs) -> Result<Ready, InputError> {
        let Some(base) = &self.replay else { return Err(InputError::new("a replay point outside a replay sweep")) };
        let cluster = match &inputs.cluster {
            ClusterInputs::Scenario(s) => scenario_cluster(&s.model).map_err(InputError::new)?,
            ClusterInputs::Spec(file) => read_cluster(file, &self.catalog)?,
        };
        let options: ReplayOptions = toml::Value::Table(inputs.options)
            .try_into()
            .map_err(|e: toml::de::Error| InputError::new(format!("[replay]: {}", e.message())))?;
        options.check().map_err(|(key, message)| InputError::new(format!("replay.{key}: {message}")))?;
        let trace = match (&base.trace, &inputs.trace) {
            (TraceInput::Recorded { trace, .. }, _) => PointTrace::Recorded(trace.clone()),
            (TraceInput::Synthetic { spec, .. }, Some(file)) => {
                PointTrace::Synthetic(Box::new(point_synthetic(file, spec)?))
            }
            (TraceInput::Synthetic { spec, .. }, None) => PointTrace::Synthetic(Box::new(spec.clone())),
        };
        Ok(Ready::Replay(Box::new(ReplayPoint { cluster, options, trace })))
    }

    /// The command's JSON for one replica run with `seed`.
    fn replica_json(&self, ready: &Ready, seed: u64) -> Result<serde_json::Value, InputError> {
        let json = |v: Result<serde_json::Value, serde_json::Error>| {
            v.map_err(|e| InputError::new(format!("cannot serialise the result: {e}")))
        };
        match (self.sweep.command, ready) {
            (Command::Simulate, Ready::Simulation(b)) => json(serde_json::to_value(b.1.run_one(&b.0.model, seed))),
            (Command::Plan, Ready::Model(p)) => {
                let options = PlanOptions { seed, ..PlanOptions::from_model(&p.model) };
                json(serde_json::to_value(plan(&p.model, options)))
            }
            (Command::Capacity, Ready::Model(p)) => {
                let mut model = p.model.clone();
                model.seed = seed;
                let catalog = p.catalog.as_ref().unwrap_or(&self.catalog);
                let result = gigawatt_workloads::capacity_simulated(&model, catalog, self.sweep.simulate)?;
                json(serde_json::to_value(result))
            }
            (Command::Operate, Ready::Model(p)) => {
                let catalog = p.catalog.as_ref().unwrap_or(&self.catalog);
                json(serde_json::to_value(operate_replica(&p.model, catalog, seed)?))
            }
            (Command::Replay, Ready::Replay(p)) => p.json(seed),
            _ => {
                Err(InputError::new(format!("a point prepared for another command than {}", self.sweep.command.name())))
            }
        }
    }

    /// The rows of `points` (each with every replica), computed on rayon's thread pool; `tick`
    /// is called once per replica done. Rows come in (point, replica) order whatever the
    /// number of threads.
    pub fn compute(&self, points: &[u64], tick: &(dyn Fn() + Sync)) -> Result<Table, InputError> {
        use rayon::prelude::*;
        let values: Vec<Vec<Option<toml::Value>>> = points.iter().map(|&p| self.point_values(p)).collect();
        let ready: Vec<Ready> = points
            .par_iter()
            .zip(&values)
            .map(|(&p, v)| {
                self.inputs(v).and_then(|i| self.ready(i)).map_err(|e| {
                    let mut err = InputError::new(format!(
                        "{}: point {p} ({}): {}",
                        self.sweep.file.name,
                        self.describe(v),
                        e.message
                    ));
                    err.help = e.help.clone();
                    err
                })
            })
            .collect::<Result<_, _>>()?;
        let replicas = self.sweep.replicas;
        let jobs: Vec<(usize, u32)> = (0..points.len()).flat_map(|k| (0..replicas).map(move |r| (k, r))).collect();
        let metrics: Vec<Vec<Option<f64>>> = jobs
            .par_iter()
            .map(|&(k, r)| {
                let json = self.replica_json(&ready[k], replica_seed(self.point_seed(points[k]), r))?;
                tick();
                Ok(self.sweep.metrics.iter().map(|m| m.path.lookup(&json).ok().and_then(metric_value)).collect())
            })
            .collect::<Result<_, InputError>>()?;
        Ok(self.table(&jobs.iter().map(|&(k, r)| (points[k], r)).collect::<Vec<_>>(), &metrics))
    }

    /// `name = value` of each axis that a point sets.
    pub fn describe(&self, values: &[Option<toml::Value>]) -> String {
        let parts: Vec<String> = self
            .sweep
            .axes
            .iter()
            .zip(values)
            .filter_map(|(a, v)| v.as_ref().map(|v| format!("{} = {}", a.name, value_text(v))))
            .collect();
        if parts.is_empty() { "the base scenario".to_string() } else { parts.join(", ") }
    }

    /// The points table of `rows` (point, replica) with their metric values.
    fn table(&self, rows: &[(u64, u32)], metrics: &[Vec<Option<f64>>]) -> Table {
        let mut columns = vec![
            Column { name: "point".into(), values: Values::U64(rows.iter().map(|r| r.0).collect()) },
            Column { name: "replica".into(), values: Values::U64(rows.iter().map(|r| u64::from(r.1)).collect()) },
            Column {
                name: "seed".into(),
                values: Values::U64(rows.iter().map(|&(p, r)| replica_seed(self.point_seed(p), r)).collect()),
            },
        ];
        let mut cache: BTreeMap<u64, Vec<Option<toml::Value>>> = BTreeMap::new();
        for &(p, _) in rows {
            cache.entry(p).or_insert_with(|| self.point_values(p));
        }
        for (a, axis) in self.sweep.axes.iter().enumerate() {
            let cell = |p: u64| cache[&p][a].clone();
            let values = match self.axis_types[a] {
                AxisType::Integer => Values::I64(rows.iter().map(|r| cell(r.0).and_then(|v| v.as_integer())).collect()),
                AxisType::Float => Values::F64(
                    rows.iter()
                        .map(|r| cell(r.0).and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64))))
                        .collect(),
                ),
                AxisType::Text => {
                    Values::Str(rows.iter().map(|r| cell(r.0).and_then(|v| v.as_str().map(str::to_string))).collect())
                }
                AxisType::Boolean => Values::Bool(rows.iter().map(|r| cell(r.0).and_then(|v| v.as_bool())).collect()),
            };
            columns.push(Column { name: axis.name.clone(), values });
        }
        for (m, metric) in self.sweep.metrics.iter().enumerate() {
            columns.push(Column {
                name: metric.name.clone(),
                values: Values::F64(metrics.iter().map(|row| row[m]).collect()),
            });
        }
        Table { columns, metadata: self.metadata() }
    }

    /// The sweep's identity, written into every file it produces.
    pub fn metadata(&self) -> Vec<(String, String)> {
        let names = |v: Vec<&str>| serde_json::to_string(&v).unwrap_or_default();
        vec![
            ("gigawatt.sweep.hash".into(), self.hash.clone()),
            ("gigawatt.sweep.name".into(), self.sweep.name.clone()),
            ("gigawatt.sweep.command".into(), self.sweep.command.name().into()),
            ("gigawatt.sweep.points".into(), self.points.to_string()),
            ("gigawatt.sweep.replicas".into(), self.sweep.replicas.to_string()),
            ("gigawatt.sweep.seed".into(), self.seed.to_string()),
            ("gigawatt.sweep.axes".into(), names(self.sweep.axes.iter().map(|a| a.name.as_str()).collect())),
            ("gigawatt.sweep.metrics".into(), names(self.sweep.metrics.iter().map(|m| m.name.as_str()).collect())),
            (
                "gigawatt.sweep.design".into(),
                match self.sweep.design {
                    Design::Grid => "grid".into(),
                    Design::OneAtATime => "one-at-a-time".into(),
                },
            ),
            ("gigawatt.version".into(), VERSION.into()),
            // The sweep file as read (the hash covers it, so every shard holds the same text): a
            // merge records it in the run history as an unsharded run does.
            ("gigawatt.sweep.file".into(), self.sweep.file.text.to_string()),
        ]
    }

    /// What running `points` points would cost: an estimate made from the base scenario, before
    /// any point runs. An operated base run whose research jobs alone would need more than
    /// `memory_limit` ÷ `threads` is not drawn to estimate it: the estimate is then that lower
    /// bound (`at_least`).
    pub fn estimate(&self, points: u64, threads: usize, memory_limit: Option<u64>) -> Estimate {
        let runs = points * u64::from(self.sweep.replicas);
        let columns = 3 + self.sweep.axes.len() + self.sweep.metrics.len();
        // The rows of the whole sweep are held once to merge them, as values and as the file.
        let rows_bytes = self.points * u64::from(self.sweep.replicas) * columns as u64 * 24;
        let base = 16u64 << 20;
        let mut at_least = false;
        let (events, fleet_bytes) = match self.sweep.command {
            Command::Simulate | Command::Capacity => match self.inputs(&vec![None; self.sweep.axes.len()]) {
                Ok(PointInputs::Scenario(p)) => {
                    let model = &p.model;
                    let eval = evaluate(model, &model.params.central());
                    let options = SimOptions { replicas: 1, ..SimOptions::from_model(model) };
                    match gigawatt_sim::WorkEstimate::of(model, &eval, options) {
                        Ok(w) if self.sweep.command == Command::Simulate => {
                            // One prepared fleet per point of a batch, one running copy per thread.
                            let per_copy = w.memory_bytes.saturating_sub(16 << 20) / 2;
                            (w.events * runs as f64, per_copy * (batch_size(points, threads) as u64 + threads as u64))
                        }
                        Ok(w) => (w.events * f64::from(model.simulation.replicas) * runs as f64, w.memory_bytes),
                        Err(_) => (0.0, 0),
                    }
                }
                _ => (0.0, 0),
            },
            Command::Operate => {
                let (events, bytes, lower) = self.operate_work(runs, threads, memory_limit);
                at_least = lower;
                (events, bytes)
            }
            Command::Replay => self.replay_work(runs, threads),
            Command::Plan => (0.0, 0),
        };
        Estimate { points, runs, events, memory_bytes: base + rows_bytes + fleet_bytes, at_least }
    }

    /// Scheduler events of `runs` operated runs and the memory of one per thread, from the base
    /// scenario's operated run prepared on the sweep's seed (`(0, 0)` if it cannot be prepared:
    /// the sweep then fails at its first point with the reason), and whether they are the lower
    /// bound made before drawing, when that alone exceeds a thread's share of `memory_limit`.
    fn operate_work(&self, runs: u64, threads: usize, memory_limit: Option<u64>) -> (f64, u64, bool) {
        let Ok(PointInputs::Scenario(p)) = self.inputs(&vec![None; self.sweep.axes.len()]) else {
            return (0.0, 0, false);
        };
        let catalog = p.catalog.as_ref().unwrap_or(&self.catalog);
        let req = OperateRequest { seed: Some(self.seed), ..OperateRequest::default() };
        // Replicas run one per thread; each holds its own prepared streams and engine.
        let threads = threads.max(1) as u64;
        let work = |w: OperateEstimate| (w.events * runs as f64, w.memory_bytes * threads, w.at_least);
        let Ok(lower) = gigawatt_operate::estimate_before_drawing(&p.model, catalog, &req) else {
            return (0.0, 0, false);
        };
        if memory_limit.is_some_and(|limit| lower.memory_bytes > limit / threads) {
            return work(lower);
        }
        match gigawatt_operate::prepare(&p.model, catalog, &req) {
            Ok(prepared) => work(OperateEstimate::of(&prepared)),
            Err(_) => (0.0, 0, false),
        }
    }
}

impl Prepared {
    /// Replayed events of `runs` replays and the memory of one per thread, from the base point
    /// (`(0, 0)` if it cannot be prepared: the sweep then fails at its first point with the
    /// reason).
    fn replay_work(&self, runs: u64, threads: usize) -> (f64, u64) {
        let base = self.inputs(&vec![None; self.sweep.axes.len()]).and_then(|i| self.ready(i));
        let Ok(Ready::Replay(p)) = base else { return (0.0, 0) };
        let w = gigawatt_sched::workload::ReplayEstimate::of(p.jobs(), &p.cluster.cluster, 1);
        (w.events * runs as f64, w.memory_bytes * threads.max(1) as u64)
    }
}

/// One operated run of `model` seeded `seed`, as `gigawatt operate --seed SEED` (one replica)
/// runs it: the scenario's period, its own `[operate]` inputs.
fn operate_replica(model: &Model, catalog: &Catalog, seed: u64) -> Result<Operation, InputError> {
    let req = OperateRequest { seed: Some(seed), ..OperateRequest::default() };
    let mut result = gigawatt_operate::operate(model, catalog, &req)?;
    result.replicas = None;
    Ok(result)
}

/// Points computed together before their rows are written (a resumed run redoes at most one
/// batch per shard).
pub fn batch_size(points: u64, threads: usize) -> usize {
    (points.div_ceil(40) as usize).clamp(threads.max(1) * 2, 4096).min(points.max(1) as usize)
}

/// What a run will cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Points to run.
    pub points: u64,
    /// Command runs: points × replicas.
    pub runs: u64,
    /// Simulated events (failures and repairs) for simulate and capacity; scheduler events for
    /// operate.
    pub events: f64,
    /// Peak memory, bytes.
    pub memory_bytes: u64,
    /// Whether the estimate is a lower bound: an operated base run too large to draw was
    /// estimated before its job streams were drawn.
    pub at_least: bool,
}
