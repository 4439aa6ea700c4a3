//! The workload sections of a scenario — `[[training]]`, `[demand]`, `[inference]`,
//! `[allocation]` — validated into a [`CapacitySpec`] with located errors (see
//! `docs/scenario.md`, "Workloads and demand").

use std::cell::OnceCell;
use std::collections::BTreeMap;

use gigawatt_core::catalog::{Catalog, Field};
use gigawatt_core::date::Date;
use gigawatt_core::defaults::Check;
use gigawatt_core::error::{InputError, KeyPath, SourceFile, closest};
use gigawatt_core::quantity::{Estimate, Provenance, Quantity};
use gigawatt_core::scenario::Model;
use gigawatt_core::schema::Input;
use gigawatt_core::schema::workloads as schema;
use gigawatt_core::validate;

use crate::allocation::Policy;
use crate::defaults::WorkloadDefaults;
use crate::demand::{Demand, Feature, Tier, TokenVolume, UserPoint, peak_to_average};
use crate::models::{ModelArch, ModelCatalog};
use crate::parse::{At, Inputs};
use crate::precision::{PRECISION_FORMS, Precision};
use crate::training::{
    AttentionFlops, ClosedForm, GpuRequest, Mfu, Overheads, Reliability, Stage, TrainingRun, training_flops,
};

/// A training run with where it was written.
#[derive(Clone, Debug)]
pub struct TrainingSpec {
    /// The run.
    pub run: TrainingRun,
    /// `training[i]`.
    pub path: KeyPath,
}

/// Serving settings for one model (an `[[inference.deployment]]`, or the section's defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentSpec {
    /// Weight precision.
    pub precision: Precision,
    /// KV-cache precision.
    pub kv_precision: Precision,
    /// Latency target per output token, ms.
    pub itl_ms: Option<f64>,
    /// NVLink domains per decode replica.
    pub decode_nodes: f64,
    /// NVLink domains per prefill replica.
    pub prefill_nodes: f64,
    /// Tensor parallelism of the dense part.
    pub tensor_parallel: Option<f64>,
    /// Where it was written.
    pub path: KeyPath,
}

/// The `[inference]` section.
#[derive(Clone, Debug)]
pub struct InferenceSpec {
    /// Settings for models without their own deployment.
    pub defaults: DeploymentSpec,
    /// Per-model deployments.
    pub deployments: Vec<(String, DeploymentSpec)>,
}

impl InferenceSpec {
    /// The settings that apply to `model`.
    pub fn for_model(&self, model: &str) -> &DeploymentSpec {
        self.deployments.iter().find(|(m, _)| m == model).map_or(&self.defaults, |(_, d)| d)
    }
}

/// `[demand.today]`: the reference for "how much of the fleet does today's text chat need".
#[derive(Clone, Debug)]
pub struct TodaySpec {
    /// The date whose users count as today.
    pub date: Date,
    /// The model today's chat runs on.
    pub model: String,
    /// Today's platform, for the comparison.
    pub reference_platform: String,
    /// Weight precision on today's platform.
    pub precision: Precision,
    /// KV-cache precision on today's platform.
    pub kv_precision: Precision,
    /// Where it was written.
    pub path: KeyPath,
}

/// The demand section with where its model references were written.
#[derive(Clone, Debug)]
pub struct DemandSpec {
    /// The demand model.
    pub demand: Demand,
    /// `demand.tier[i].models` for each tier, in `demand.tiers` order.
    pub tier_paths: Vec<KeyPath>,
    /// The chat-today reference, if given.
    pub today: Option<TodaySpec>,
}

/// Everything `gigawatt capacity` runs on besides the plan.
#[derive(Clone, Debug)]
pub struct CapacitySpec {
    /// Training runs in priority (file) order.
    pub training: Vec<TrainingSpec>,
    /// Demand, if the scenario has any.
    pub demand: Option<DemandSpec>,
    /// Serving settings.
    pub inference: InferenceSpec,
    /// The split policy.
    pub policy: Policy,
    /// `[allocation] horizon`: the last day of the timeline, if given.
    pub horizon: Option<Date>,
    /// Every input read, with provenance.
    pub inputs: Inputs,
}

fn precision(sec: &At<'_>, key: &str, value: Option<&String>) -> Result<Option<Precision>, InputError> {
    match value {
        None => Ok(None),
        Some(s) => Precision::parse(s)
            .map(Some)
            .ok_or_else(|| sec.err(key, format!("unknown precision `{s}`")).with_help(PRECISION_FORMS)),
    }
}

fn record(inputs: &mut Inputs, key: &str, label: &str, unit: &str, q: Option<Quantity>) -> Option<f64> {
    q.map(|q| {
        inputs.add(key, label, unit, &q);
        q.estimate.central
    })
}

/// The scenario's `[[job]]`s as training runs see them: their names, and the closed form on
/// each job's own settings, as the simulator sees them — its unexpected interruption rate per node
/// (every interrupting failure class with its blast radius), GPUs per node, blocking write,
/// recovery time `u0` (detection, restart, and the spare swap where it is longer) and checkpoint
/// interval (Young's when `auto`). A simulated run uses that closed form when simulation is
/// switched off, so both methods rest on the same inputs. The fleet behind it is built once, and
/// only if some run asks.
struct Jobs<'m> {
    model: &'m Model,
    names: Vec<&'m str>,
    closed_forms: OnceCell<Vec<ClosedForm>>,
}

impl<'m> Jobs<'m> {
    fn of(model: &'m Model) -> Jobs<'m> {
        let names = model.simulation.jobs.iter().map(|j| j.name.as_str()).collect();
        Jobs { model, names, closed_forms: OnceCell::new() }
    }

    /// The closed form of the job named `job` (one of [`Jobs::names`]).
    fn closed_form(&self, job: &str) -> Result<ClosedForm, InputError> {
        if self.closed_forms.get().is_none() {
            let m = self.model;
            let eval = gigawatt_core::analysis::central(m);
            let sim = gigawatt_sim::Simulation::new(m, &eval, gigawatt_sim::SimOptions::from_model(m))?;
            let forms = sim
                .jobs
                .iter()
                .map(|j| {
                    let nodes = f64::from(j.nodes.max(1));
                    ClosedForm {
                        failures_per_node_day: j.interruptions_per_hour * 24.0 / nodes,
                        gpus_per_node: j.gpus as f64 / nodes,
                        checkpoint_write_s: j.write.secs(),
                        restart_overhead_s: j.recovery_s(),
                        checkpoint_interval_s: (!j.interval_auto).then(|| j.interval.secs()),
                    }
                })
                .collect();
            let _ = self.closed_forms.set(forms);
        }
        let k = self.names.iter().position(|n| *n == job).expect("the job was checked to exist");
        Ok(self.closed_forms.get().expect("set above")[k])
    }
}

/// Validates the workload sections of `model`.
pub fn parse_sections(
    model: &Model,
    catalog: &Catalog,
    models: &ModelCatalog,
    defaults: &WorkloadDefaults,
) -> Result<CapacitySpec, InputError> {
    let file = &model.source;
    let mut inputs = Inputs::default();
    let fleet: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for p in &model.phases {
            if !v.contains(&p.platform.as_str()) {
                v.push(&p.platform);
            }
        }
        v
    };
    let jobs = Jobs::of(model);
    let mut training = Vec::new();
    for (i, run) in model.workloads.training.iter().enumerate() {
        let path = KeyPath::root().key("training").index(i);
        training.push(TrainingSpec {
            run: training_run(model, &path, run, catalog, &fleet, &jobs, models, defaults, &mut inputs)?,
            path,
        });
    }
    let demand = match &model.workloads.demand {
        Some(t) => Some(demand_section(file, t, models, catalog, &mut inputs)?),
        None => None,
    };
    let inference = inference_section(file, model.workloads.inference.as_ref(), models)?;
    let policy = allocation_section(file, model.workloads.allocation.as_ref())?;
    let horizon = match &model.workloads.allocation {
        Some(a) => At::scenario(file, &KeyPath::root().key("allocation"), "[allocation]")
            .date("horizon", a.horizon.as_ref())?,
        None => None,
    };
    Ok(CapacitySpec { training, demand, inference, policy, horizon, inputs })
}

/// One `[[training]]` table as a training run.
#[allow(clippy::too_many_arguments)]
fn training_run(
    model: &Model,
    path: &KeyPath,
    run: &schema::Training,
    catalog: &Catalog,
    fleet: &[&str],
    jobs: &Jobs<'_>,
    models: &ModelCatalog,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<TrainingRun, InputError> {
    let file = &model.source;
    let sec = At::scenario(file, path, "[[training]]");
    let name = sec.need_string("name", run.name.as_ref(), "add name = \"…\" to say which run this is")?.to_string();
    let arch = match &run.model {
        Some(id) => Some(models.get(id).ok_or_else(|| models.unknown(file, &path.key("model"), id))?),
        None => None,
    };
    let (params_active, params_total) = run_parameters(&sec, run, &name, arch, models, inputs)?;
    let tokens = sec.need_quantity(
        "tokens",
        run.tokens.as_ref(),
        "training tokens",
        Check::Positive,
        "add tokens = { value = 15.6e12, source = \"…\" }",
    )?;
    let tokens = record(inputs, &format!("{path}.tokens"), &format!("{name}: training tokens"), "tokens", Some(tokens))
        .unwrap_or_default();
    let precision = precision(&sec, "precision", run.precision.as_ref())?.unwrap_or(Precision::Bf16);
    let attention = attention_flops(&sec, run, arch)?;
    let flops = training_flops(params_active, tokens, attention, arch);
    let mfu = run_mfu(&sec, run, &name, precision, fleet, catalog, defaults, inputs)?;
    let stages = run_stages(&sec, run, &name, flops, inputs)?;
    let gpus = stages[0].gpus;
    let platform = run_platform(&sec, run, fleet)?;
    check_peak_throughput(&sec, fleet, platform.as_deref(), precision, catalog)?;
    let start = sec.date("start", run.start.as_ref())?.ok_or_else(|| {
        sec.err_here(format!("training run `{name}` has no `start`")).with_help("add start = \"2027-Q1\"")
    })?;
    let reliability = reliability(&sec, run.reliability.as_ref(), &name, jobs, defaults, inputs)?;
    let simulated = matches!(reliability, Reliability::Simulated { .. });
    let overheads = overheads(&sec, run.overheads.as_ref(), &name, simulated, defaults, inputs)?;
    Ok(TrainingRun {
        name,
        model: arch.map(|a| a.id.clone()),
        params_active,
        params_total,
        tokens,
        precision,
        attention,
        flops,
        mfu,
        gpus,
        stages,
        platform,
        start,
        reliability,
        overheads,
    })
}

/// A run's non-failure overheads: its `[training.overheads]` table over the defaults. A run with a
/// simulated ETTR takes its planned restarts from the simulator, so it may not give them here.
fn overheads(
    run: &At<'_>,
    table: Option<&schema::TrainingOverheads>,
    name: &str,
    simulated: bool,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<Overheads, InputError> {
    let path = run.path.key("overheads");
    let sec = run.child(&path, "[training.overheads]");
    let d = &defaults.overheads;
    let given = |f: fn(&schema::TrainingOverheads) -> &Option<Input>| table.and_then(|t| f(t).as_ref());
    if simulated {
        for (key, input) in [
            ("planned_restarts_per_day", given(|t| &t.planned_restarts_per_day)),
            ("planned_restart_min", given(|t| &t.planned_restart_min)),
        ] {
            if input.is_some() {
                return Err(sec.err(key, format!("`{key}` does not apply to a run whose ETTR is simulated")).with_help(
                    "the simulator counts planned restarts itself (catalog/failures.toml [planned]); remove the key, or use method = \"closed_form\"",
                ));
            }
        }
    }
    let mut get = |key: &str, input: Option<&Input>, label: &str, unit: &str, default: &Quantity, check: Check| {
        let q = sec.quantity(key, input, label, check)?.unwrap_or_else(|| default.clone());
        inputs.add(&format!("{path}.{key}"), &format!("{name}: {label}"), unit, &q);
        Ok::<f64, InputError>(q.estimate.central)
    };
    let evaluation = given(|t| &t.evaluation_fraction);
    let stall = given(|t| &t.data_stall_fraction);
    let mut o = Overheads {
        evaluation_fraction: get(
            "evaluation_fraction",
            evaluation,
            "evaluation pauses",
            "fraction",
            &d.evaluation_fraction,
            Check::FractionBelowOne,
        )?,
        data_stall_fraction: get(
            "data_stall_fraction",
            stall,
            "data stalls",
            "fraction",
            &d.data_stall_fraction,
            Check::FractionBelowOne,
        )?,
        planned_in_ettr: simulated,
        ..Overheads::none()
    };
    if !simulated {
        let per_day = given(|t| &t.planned_restarts_per_day);
        let minutes = given(|t| &t.planned_restart_min);
        o.planned_restarts_per_day = get(
            "planned_restarts_per_day",
            per_day,
            "planned restarts",
            "per day",
            &d.planned_restarts_per_day,
            Check::NonNegative,
        )?;
        o.planned_restart_min = get(
            "planned_restart_min",
            minutes,
            "time lost per planned restart",
            "min",
            &d.planned_restart_min,
            Check::NonNegative,
        )?;
        if o.planned_restarts_per_day * o.planned_restart_min >= 1440.0 {
            return Err(sec
                .err_here(format!(
                    "planned restarts take the whole day: {} a day of {} min",
                    o.planned_restarts_per_day, o.planned_restart_min
                ))
                .with_help("planned_restarts_per_day × planned_restart_min must stay below 1,440 minutes"));
        }
    }
    Ok(o)
}

/// A run's (active, total) parameters: its catalog model's, or as written.
fn run_parameters(
    sec: &At<'_>,
    run: &schema::Training,
    name: &str,
    arch: Option<&ModelArch>,
    models: &ModelCatalog,
    inputs: &mut Inputs,
) -> Result<(f64, f64), InputError> {
    let key = |k: &str| format!("{}.{k}", sec.path);
    match arch {
        Some(a) => {
            if run.params_active.is_some() || run.params_total.is_some() {
                return Err(sec
                    .err("params_active", "a run names a catalog `model` or gives its parameters, not both")
                    .with_help("remove params_active/params_total, or remove `model`"));
            }
            models.register(&a.id, inputs)?;
            Ok((a.params_active, a.params_total))
        }
        None => {
            let active = sec.need_quantity(
                "params_active",
                run.params_active.as_ref(),
                "active parameters",
                Check::Positive,
                "give model = \"llama3.1-405b\" (catalog/models) or params_active = { value = 405e9, source = \"…\" }",
            )?;
            let a = record(inputs, &key("params_active"), &format!("{name}: active parameters"), "count", Some(active))
                .unwrap_or_default();
            let t = record(
                inputs,
                &key("params_total"),
                &format!("{name}: total parameters"),
                "count",
                sec.quantity("params_total", run.params_total.as_ref(), "total parameters", Check::Positive)?,
            )
            .unwrap_or(a);
            if t < a {
                return Err(sec.err("params_total", "total parameters are fewer than active parameters"));
            }
            Ok((a, t))
        }
    }
}

/// Which attention FLOPs a run counts (`attention_flops`, with `seq_len`).
fn attention_flops(
    sec: &At<'_>,
    run: &schema::Training,
    arch: Option<&ModelArch>,
) -> Result<AttentionFlops, InputError> {
    let seq_len = sec.integer("seq_len", run.seq_len.as_ref(), 1..=100_000_000)?.map(|s| s as f64);
    Ok(match run.attention_flops.as_deref().unwrap_or("none") {
        "none" => AttentionFlops::None,
        kind @ ("full" | "causal") => {
            let seq_len = seq_len.ok_or_else(|| {
                sec.err("attention_flops", format!("attention_flops = \"{kind}\" needs seq_len"))
                    .with_help("add seq_len = 8192 (tokens per training sequence)")
            })?;
            if arch.is_none() {
                return Err(sec
                    .err("attention_flops", "counting attention FLOPs needs the model's architecture")
                    .with_help("name a catalog model with model = \"…\", or use attention_flops = \"none\""));
            }
            if kind == "full" { AttentionFlops::Full { seq_len } } else { AttentionFlops::Causal { seq_len } }
        }
        other => {
            return Err(sec.err("attention_flops", format!("unknown attention-FLOPs convention `{other}`")).with_help(
                "use \"none\" (6·N·D only), \"full\" (+ attention matrices) or \"causal\" (+ half of them)",
            ));
        }
    })
}

/// A run's MFU: the documented scale model (`mfu = "scaled"`) or a given fraction.
#[allow(clippy::too_many_arguments)]
fn run_mfu(
    sec: &At<'_>,
    run: &schema::Training,
    name: &str,
    precision: Precision,
    fleet: &[&str],
    catalog: &Catalog,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<Mfu, InputError> {
    match run.mfu.as_ref().and_then(validate::keyword) {
        Some("scaled") => scaled_mfu(sec, run, precision, fleet, catalog, defaults, inputs),
        Some(s) => Err(sec
            .err("mfu", format!("unknown MFU model `{s}`"))
            .with_help("give mfu = { value = 0.41, source = \"…\" } or mfu = \"scaled\" (the documented scale model)")),
        _ => {
            let q = sec.need_quantity(
                "mfu",
                run.mfu.as_ref(),
                "MFU",
                Check::Fraction,
                "give mfu = { value = 0.41, source = \"…\" } or mfu = \"scaled\" (the documented scale model)",
            )?;
            if q.estimate.low <= 0.0 {
                return Err(sec.err("mfu", "MFU must be above 0").with_help("give a fraction such as 0.4"));
            }
            Ok(Mfu::Given {
                mfu: record(inputs, &format!("{}.mfu", sec.path), &format!("{name}: MFU"), "fraction", Some(q))
                    .unwrap_or_default(),
            })
        }
    }
}

/// The MFU scale model for a run, at its precision, on each platform it may train on.
fn scaled_mfu(
    sec: &At<'_>,
    run: &schema::Training,
    precision: Precision,
    fleet: &[&str],
    catalog: &Catalog,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<Mfu, InputError> {
    let m = &defaults.mfu;
    inputs.add("workloads.mfu.reference_mfu", "MFU model: MFU at the reference scale", "fraction", &m.reference_mfu);
    inputs.add("workloads.mfu.reference_gpus", "MFU model: reference scale", "GPUs", &m.reference_gpus);
    inputs.add("workloads.mfu.per_doubling", "MFU model: MFU kept per doubling of GPUs", "fraction", &m.per_doubling);
    let own = match precision {
        Precision::Bf16 => None,
        Precision::Fp8 => Some(Field::TrainingMfuFp8),
        Precision::Fp4 => Some(Field::TrainingMfuFp4),
    };
    // Platforms that measured MFU at this precision take it as is; the others scale their BF16
    // MFU by the model's factor for the precision (an error where there is none, e.g. FP4).
    let only = run.platform.as_deref();
    let measured: Vec<(String, Quantity)> = fleet
        .iter()
        .filter(|p| only.is_none_or(|o| o == **p))
        .filter_map(|p| {
            let q = own.and_then(|f| catalog.get(p).and_then(|pl| pl.get(f)))?;
            Some((p.to_string(), q.clone()))
        })
        .collect();
    let mut platform_mfu = platform_mfus(run, fleet, catalog, defaults, inputs);
    let needs_factor = platform_mfu.iter().any(|(p, _)| !measured.iter().any(|(m, _)| m == p));
    let factor = if needs_factor { precision_mfu_factor(sec, precision, defaults, inputs)? } else { 1.0 };
    for (p, v) in &mut platform_mfu {
        match measured.iter().find(|(m, _)| m == p) {
            Some((_, q)) => {
                inputs.add(
                    &format!("catalog.{p}.{}", own.expect("measured at this precision").key()),
                    &format!("MFU model: {precision} MFU on {p} up to the reference scale"),
                    "fraction",
                    q,
                );
                *v = q.estimate.central;
            }
            None => *v *= factor,
        }
    }
    Ok(Mfu::Scaled {
        reference_mfu: m.reference_mfu.estimate.central * factor,
        reference_gpus: m.reference_gpus.estimate.central,
        per_doubling: m.per_doubling.estimate.central,
        platform_mfu,
    })
}

/// Each platform the run may train on: its own MFU, or the reference carried over (BF16).
fn platform_mfus(
    run: &schema::Training,
    fleet: &[&str],
    catalog: &Catalog,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Vec<(String, f64)> {
    let m = &defaults.mfu;
    let mut platform_mfu = Vec::new();
    let only = run.platform.as_deref();
    for p in fleet.iter().filter(|p| only.is_none_or(|only| only == **p)) {
        let q = match catalog.get(p).and_then(|pl| pl.get(Field::TrainingMfu)) {
            Some(q) => q.clone(),
            None => {
                let mut q = m.reference_mfu.clone();
                q.provenance.assumption = Some(format!(
                    "the platform file of `{p}` gives no training_mfu: the reference MFU ({}) is \
                     carried over",
                    m.reference_mfu.estimate.central
                ));
                q
            }
        };
        inputs.add(
            &format!("catalog.{p}.training_mfu"),
            &format!("MFU model: MFU on {p} up to the reference scale"),
            "fraction",
            &q,
        );
        platform_mfu.push((p.to_string(), q.estimate.central));
    }
    platform_mfu
}

/// The factor from BF16 MFU to MFU against the dense peak of the run's precision.
fn precision_mfu_factor(
    sec: &At<'_>,
    precision: Precision,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<f64, InputError> {
    let name_of = precision.to_string();
    match defaults.mfu.precision.get(&name_of) {
        Some(q) => {
            inputs.add(
                &format!("workloads.mfu.precision.{name_of}"),
                &format!("MFU model: {name_of} MFU ÷ BF16 MFU"),
                "ratio",
                q,
            );
            Ok(q.estimate.central)
        }
        None => Err(sec.err("precision", format!("the MFU model has no factor for {name_of}")).with_help(
            "catalog/workloads.toml [mfu.precision] lists the precisions it is measured for; give mfu = { value = …, source = \"…\" } instead",
        )),
    }
}

/// The GPUs a run asks for: a fixed count, or a share of the fleet online.
/// A run's stages: its `[[training.stage]]`s with their FLOPs shares, or one stage of its own
/// `gpus` or `fleet_share`.
fn run_stages(
    sec: &At<'_>,
    run: &schema::Training,
    name: &str,
    flops: f64,
    inputs: &mut Inputs,
) -> Result<Vec<Stage>, InputError> {
    if run.stages.is_empty() {
        let gpus = gpu_request(sec, run.gpus.as_ref(), run.fleet_share.as_ref(), name, inputs)?;
        return Ok(vec![Stage { gpus, until_flops: flops }]);
    }
    if let Some(k) = [("gpus", &run.gpus), ("fleet_share", &run.fleet_share)].iter().find(|(_, v)| v.is_some()) {
        return Err(sec
            .err(k.0, format!("`{}` belongs to each [[training.stage]] when the run has stages", k.0))
            .with_help("move it into the stages, e.g. [[training.stage]] gpus = 16384, flops_share = 0.5"));
    }
    let stages_path = sec.path.key("stage");
    let (mut stages, mut done) = (Vec::new(), 0.0);
    for (i, st) in run.stages.iter().enumerate() {
        let path = stages_path.index(i);
        let s = sec.child(&path, "[[training.stage]]");
        let gpus = gpu_request(&s, st.gpus.as_ref(), st.fleet_share.as_ref(), name, inputs)?;
        let last = i + 1 == run.stages.len();
        let share =
            match s.quantity("flops_share", st.flops_share.as_ref(), "share of the run's FLOPs", Check::Fraction)? {
                Some(q) => record(
                    inputs,
                    &format!("{path}.flops_share"),
                    &format!("{name}: stage {} share of FLOPs", i + 1),
                    "fraction",
                    Some(q),
                )
                .unwrap_or_default(),
                None if last => 1.0 - done,
                None => {
                    return Err(s
                        .err_here(format!("stage {} of `{name}` gives no flops_share", i + 1))
                        .with_help("add flops_share = 0.5 (only the last stage may take the rest)"));
                }
            };
        done += share;
        if done > 1.0 + 1e-9 || (last && (done - 1.0).abs() > 1e-9) {
            return Err(s
                .err("flops_share", format!("the stages' FLOPs shares add up to {done:.3}, not 1"))
                .with_help("make the shares add up to 1, or leave the last stage's out (it takes the rest)"));
        }
        stages.push(Stage { gpus, until_flops: if last { flops } else { done * flops } });
    }
    Ok(stages)
}

/// A run's (or a stage's) GPUs: a count or a share of the fleet, one of the two.
fn gpu_request(
    sec: &At<'_>,
    gpus: Option<&Input>,
    fleet_share: Option<&Input>,
    name: &str,
    inputs: &mut Inputs,
) -> Result<GpuRequest, InputError> {
    match (
        sec.integer("gpus", gpus, 1..=100_000_000)?,
        sec.quantity("fleet_share", fleet_share, "fleet share", Check::Fraction)?,
    ) {
        (Some(_), Some(_)) => Err(sec
            .err("fleet_share", "a run asks for `gpus` or a `fleet_share`, not both")
            .with_help("keep gpus = N for a fixed cluster, or fleet_share = 0.3 for a share of the fleet online")),
        (None, None) => Err(sec
            .err_here(format!("training run `{name}` asks for no GPUs"))
            .with_help("add gpus = 16384, or fleet_share = 0.3 (a share of the GPUs online each month)")),
        (Some(n), None) => Ok(GpuRequest::Count { gpus: n as f64 }),
        (None, Some(q)) => Ok(GpuRequest::FleetShare {
            share: record(
                inputs,
                &format!("{}.fleet_share", sec.path),
                &format!("{name}: share of the fleet"),
                "fraction",
                Some(q),
            )
            .unwrap_or_default(),
        }),
    }
}

/// The one platform a run is restricted to, if any (it must be in the fleet).
fn run_platform(sec: &At<'_>, run: &schema::Training, fleet: &[&str]) -> Result<Option<String>, InputError> {
    match run.platform.as_deref() {
        Some(p) if fleet.contains(&p) => Ok(Some(p.to_string())),
        Some(p) => {
            let list = fleet.join(", ");
            let err = sec.err("platform", format!("platform `{p}` is not in this scenario's fleet"));
            Err(match closest(p, fleet.iter().copied()) {
                Some(best) => err.with_help(format!("did you mean `{best}`? The fleet has {list}")),
                None => err.with_help(format!("the fleet has {list}")),
            })
        }
        None => Ok(None),
    }
}

/// Checks that every platform the run may train on has a dense peak at its precision.
fn check_peak_throughput(
    sec: &At<'_>,
    fleet: &[&str],
    platform: Option<&str>,
    precision: Precision,
    catalog: &Catalog,
) -> Result<(), InputError> {
    for id in fleet.iter().filter(|id| platform.is_none_or(|p| p == **id)) {
        if catalog.get(id).and_then(|p| p.get(precision.peak_field())).is_none() {
            return Err(sec
                .err("precision", format!("`{id}` has no dense {precision} throughput in the catalog"))
                .with_help("train in a precision every platform of the run has (bf16 or fp8), or restrict the run with platform = \"…\""));
        }
    }
    Ok(())
}

/// The keys of the closed-form reliability method.
const CLOSED_FORM_KEYS: [&str; 5] = [
    "failures_per_1000_node_days",
    "gpus_per_node",
    "checkpoint_write_s",
    "restart_overhead_min",
    "checkpoint_interval_min",
];

/// How a run's ETTR is obtained: its `[training.reliability]` table, by method.
fn reliability(
    run: &At<'_>,
    table: Option<&schema::TrainingReliability>,
    name: &str,
    jobs: &Jobs<'_>,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<Reliability, InputError> {
    let path = run.path.key("reliability");
    let empty = schema::TrainingReliability {
        method: None,
        job: None,
        failures_per_1000_node_days: None,
        gpus_per_node: None,
        checkpoint_write_s: None,
        restart_overhead_min: None,
        checkpoint_interval_min: None,
        ettr: None,
    };
    let t = table.unwrap_or(&empty);
    let sec = run.child(&path, "[training.reliability]");
    // A run with a [[job]] of the same name takes that job's simulated ETTR unless told otherwise.
    let default_method = if jobs.names.contains(&name) { "simulated" } else { "closed_form" };
    let method = t.method.as_deref().unwrap_or(default_method);
    if method != "simulated" && t.job.is_some() {
        return Err(sec
            .err("job", "`job` is given only with method = \"simulated\"")
            .with_help("remove job, or set method = \"simulated\""));
    }
    match method {
        "closed_form" | "simulated" => {
            if t.ettr.is_some() {
                return Err(sec
                    .err("ettr", "`ettr` is given only with method = \"given\"")
                    .with_help("remove ettr, or set method = \"given\""));
            }
            if method == "simulated" {
                simulated_reliability(&sec, t, name, jobs)
            } else {
                closed_form_reliability(&sec, t, name, defaults, inputs)
            }
        }
        "given" => given_reliability(&sec, t, name, inputs),
        "ignored" => {
            if let Some(k) = present_keys(t).into_iter().find(|k| *k != "method") {
                return Err(sec.err(k, "method = \"ignored\" takes no other field"));
            }
            Ok(Reliability::Ignored)
        }
        other => Err(sec
            .err("method", format!("unknown reliability method `{other}`"))
            .with_help("use \"simulated\" (with job), \"closed_form\", \"given\" (with ettr) or \"ignored\"")),
    }
}

/// The keys written in a `[training.reliability]`, in the order of their names.
fn present_keys(t: &schema::TrainingReliability) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = [
        ("method", t.method.is_some()),
        ("job", t.job.is_some()),
        ("failures_per_1000_node_days", t.failures_per_1000_node_days.is_some()),
        ("gpus_per_node", t.gpus_per_node.is_some()),
        ("checkpoint_write_s", t.checkpoint_write_s.is_some()),
        ("restart_overhead_min", t.restart_overhead_min.is_some()),
        ("checkpoint_interval_min", t.checkpoint_interval_min.is_some()),
        ("ettr", t.ettr.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, present)| present.then_some(k))
    .collect();
    keys.sort_unstable();
    keys
}

/// The first closed-form key written in a `[training.reliability]`, in [`CLOSED_FORM_KEYS`] order.
fn closed_form_key(t: &schema::TrainingReliability) -> Option<&'static str> {
    let present = present_keys(t);
    CLOSED_FORM_KEYS.into_iter().find(|k| present.contains(k))
}

/// `method = "simulated"`: the `[[job]]` whose simulated ETTR the run takes, with the closed form
/// on that job's own settings for when the simulator is off.
fn simulated_reliability(
    sec: &At<'_>,
    t: &schema::TrainingReliability,
    name: &str,
    jobs: &Jobs<'_>,
) -> Result<Reliability, InputError> {
    let names = &jobs.names;
    let job = t.job.as_deref().unwrap_or(name);
    if !names.contains(&job) {
        let at = if t.job.is_some() { "job" } else { "method" };
        let err = sec.err(at, format!("the scenario has no [[job]] named `{job}` to simulate"));
        let list = names.join("`, `");
        return Err(match closest(job, names.iter().copied()) {
            Some(best) => err.with_help(format!("did you mean `{best}`? The scenario's jobs: `{list}`")),
            None if names.is_empty() => {
                err.with_help("add a [[job]] (see docs/scenario.md, Simulation), or use method = \"closed_form\"")
            }
            None => err.with_help(format!("the scenario's jobs: `{list}`")),
        });
    }
    let job = job.to_string();
    // Simulated: with the simulator off, the closed form on the job's own settings.
    if let Some(k) = closed_form_key(t) {
        return Err(sec.err(k, format!("`{k}` belongs to method = \"closed_form\"")).with_help(
            "a simulated run takes its failure rate, checkpoint write and restart from its [[job]] \
             (also for the closed form with --no-simulate); set them there, or use method = \"closed_form\"",
        ));
    }
    let fallback = jobs.closed_form(&job)?;
    Ok(Reliability::Simulated { job, fallback })
}

/// `method = "closed_form"`: the closed-form inputs, each given or taken from the defaults.
fn closed_form_reliability(
    sec: &At<'_>,
    t: &schema::TrainingReliability,
    name: &str,
    defaults: &WorkloadDefaults,
    inputs: &mut Inputs,
) -> Result<Reliability, InputError> {
    let d = &defaults.reliability;
    let mut get =
        |k: &str, input: &Option<Input>, label: &str, default: &Quantity, check: Check| -> Result<f64, InputError> {
            let q = sec.quantity(k, input.as_ref(), label, check)?.unwrap_or_else(|| default.clone());
            let unit = match k {
                "checkpoint_write_s" => "s",
                "restart_overhead_min" => "min",
                "gpus_per_node" => "count",
                _ => "per 1,000 node-days",
            };
            inputs.add(&format!("{}.{k}", sec.path), &format!("{name}: {label}"), unit, &q);
            Ok(q.estimate.central)
        };
    let r = get(
        "failures_per_1000_node_days",
        &t.failures_per_1000_node_days,
        "failures per 1,000 node-days",
        &d.failures_per_1000_node_days,
        Check::NonNegative,
    )?;
    let n = get("gpus_per_node", &t.gpus_per_node, "GPUs per node", &d.gpus_per_node, Check::Positive)?;
    let w = get(
        "checkpoint_write_s",
        &t.checkpoint_write_s,
        "checkpoint write time",
        &d.checkpoint_write_s,
        Check::NonNegative,
    )?;
    let u = get(
        "restart_overhead_min",
        &t.restart_overhead_min,
        "restart overhead",
        &d.restart_overhead_min,
        Check::NonNegative,
    )?;
    let interval =
        sec.number("checkpoint_interval_min", t.checkpoint_interval_min.as_ref(), Check::Positive)?.map(|m| m * 60.0);
    Ok(Reliability::ClosedForm(ClosedForm {
        failures_per_node_day: r / 1000.0,
        gpus_per_node: n,
        checkpoint_write_s: w,
        restart_overhead_s: u * 60.0,
        checkpoint_interval_s: interval,
    }))
}

/// `method = "given"`: the ETTR as written.
fn given_reliability(
    sec: &At<'_>,
    t: &schema::TrainingReliability,
    name: &str,
    inputs: &mut Inputs,
) -> Result<Reliability, InputError> {
    if let Some(k) = closed_form_key(t) {
        return Err(sec
            .err(k, format!("`{k}` belongs to method = \"closed_form\""))
            .with_help("a given ETTR needs only `ettr`"));
    }
    let q = sec.need_quantity(
        "ettr",
        t.ettr.as_ref(),
        "ETTR",
        Check::Fraction,
        "add ettr = { value = 0.9, source = \"…\" }",
    )?;
    inputs.add(&format!("{}.ettr", sec.path), &format!("{name}: effective training time ratio"), "fraction", &q);
    Ok(Reliability::Given { ettr: q.estimate.central })
}

/// The `[demand]` section: users, their growth and messages, the peak, tiers, features, today.
fn demand_section(
    file: &SourceFile,
    d: &schema::Demand,
    models: &ModelCatalog,
    catalog: &Catalog,
    inputs: &mut Inputs,
) -> Result<DemandSpec, InputError> {
    let path = KeyPath::root().key("demand");
    let sec = At::scenario(file, &path, "[demand]");
    let users = user_points(&sec, d, inputs)?;
    let rates = message_rates(&sec, d, inputs)?;
    let peak = demand_peak(&sec, d, inputs)?;
    let (mut tiers, mut tier_paths) = demand_tiers(&sec, d, models, inputs)?;
    if let Some(reference) = d.intensity_relative_to.as_deref() {
        relative_intensities(&sec, reference, &mut tiers)?;
    }
    let features = demand_features(&sec, d, &tiers, inputs)?;
    if let Some(api) = &d.api {
        let (tier, path) = demand_api(&sec, api, &tiers, models, inputs)?;
        // Into its place among the tiers by priority (after the tiers of the same priority).
        let at = tiers.iter().position(|t| t.priority > tier.priority).unwrap_or(tiers.len());
        tiers.insert(at, tier);
        tier_paths.insert(at, path);
    }
    let today = demand_today(&sec, d.today.as_ref(), users[0].date, models, catalog, inputs)?;
    Ok(DemandSpec {
        demand: Demand {
            users,
            growth_per_year: rates.growth_per_year,
            messages_per_user_per_day: rates.messages_per_user_per_day,
            input_tokens_per_message: rates.input_tokens_per_message,
            output_tokens_per_message: rates.output_tokens_per_message,
            tiers,
            features,
            peak_to_average: peak,
        },
        tier_paths,
        today,
    })
}

/// `intensity_relative_to = "TIER"`: each tier's intensity is a multiple of TIER's users'
/// messages; rescale them so that the user-weighted mean is 1 (the average user, whose messages a
/// day `messages_per_user_per_day` gives).
fn relative_intensities(sec: &At<'_>, reference: &str, tiers: &mut [Tier]) -> Result<(), InputError> {
    if !tiers.iter().any(|t| t.name == reference) {
        let names: Vec<String> = tiers.iter().map(|t| format!("`{}`", t.name)).collect();
        return Err(sec
            .err("intensity_relative_to", format!("no tier is called `{reference}`"))
            .with_help(format!("name one of the tiers: {}", names.join(", "))));
    }
    let mean: f64 = tiers.iter().map(|t| t.share_of_users * t.intensity).sum();
    if mean <= 0.0 {
        return Err(sec
            .err("intensity_relative_to", "the tiers' shares of users are all 0, so intensities cannot be rescaled")
            .with_help("give the tiers their shares of weekly users"));
    }
    for t in tiers.iter_mut() {
        t.intensity /= mean;
    }
    Ok(())
}

/// The weekly users known at dates (`users`), in date order.
fn user_points(sec: &At<'_>, d: &schema::Demand, inputs: &mut Inputs) -> Result<Vec<UserPoint>, InputError> {
    if d.users.is_empty() {
        return Err(sec
            .err_here("[demand] has no `users`")
            .with_help("add users = [ { date = \"2025-10-06\", weekly_users = { value = 800e6, source = \"…\" } } ]"));
    }
    let series = DatedSeries {
        key: "users",
        value_key: "weekly_users",
        point: "a `users` point",
        what: "weekly users",
        unit: "users",
        register: "demand.users",
        example: "add weekly_users = { value = 800e6, source = \"…\" }",
    };
    let points: Vec<_> = d.users.iter().map(|u| (u.date.as_ref(), u.weekly_users.as_ref())).collect();
    let users = dated_series(sec, sec.path, &series, &points, inputs)?;
    Ok(users.into_iter().map(|(date, weekly_users)| UserPoint { date, weekly_users }).collect())
}

/// A series of sourced values at dates (`users`, the API's `tokens_per_minute`): its keys, the
/// names its errors and inputs use.
struct DatedSeries<'a> {
    /// The array's key.
    key: &'a str,
    /// The value's key in each point.
    value_key: &'a str,
    /// A point, as errors name it.
    point: &'a str,
    /// The value, as labels name it (`weekly users`).
    what: &'a str,
    /// Its unit.
    unit: &'a str,
    /// The input key the `i`th value is registered as (`…[i]`).
    register: &'a str,
    /// Help for a missing value.
    example: &'a str,
}

/// The (date, value) `points` of series `s` under `parent`, each value positive and registered
/// with its provenance, in date order.
fn dated_series(
    sec: &At<'_>,
    parent: &KeyPath,
    s: &DatedSeries<'_>,
    points: &[(Option<&Input>, Option<&Input>)],
    inputs: &mut Inputs,
) -> Result<Vec<(Date, f64)>, InputError> {
    let mut out: Vec<(Date, f64)> = Vec::with_capacity(points.len());
    for (i, (date, value)) in points.iter().enumerate() {
        let p = parent.key(s.key).index(i);
        let at = sec.child(&p, s.point);
        let date = at.date("date", *date)?.ok_or_else(|| at.err_here(format!("{} needs a `date`", s.point)))?;
        let q = at.need_quantity(s.value_key, *value, s.what, Check::Positive, s.example)?;
        let label = format!("{} on {date}", s.what);
        let v = record(inputs, &format!("{}[{i}]", s.register), &label, s.unit, Some(q)).unwrap_or_default();
        if let Some(&(prev, _)) = out.last()
            && date <= prev
        {
            return Err(at
                .err("date", format!("{} point {date} is not after the one before ({prev})", s.key))
                .with_help(format!("list {} points in date order", s.key)));
        }
        out.push((date, v));
    }
    Ok(out)
}

/// A number of the `[demand]` table, registered as `demand.KEY`; required when `default` is
/// `None`.
#[allow(clippy::too_many_arguments)]
fn demand_number(
    sec: &At<'_>,
    inputs: &mut Inputs,
    key: &str,
    input: Option<&Input>,
    label: &str,
    unit: &str,
    check: Check,
    default: Option<f64>,
) -> Result<f64, InputError> {
    let q = match default {
        None => Some(sec.need_quantity(
            key,
            input,
            label,
            check,
            &format!("add {key} = {{ value = …, source = \"…\" }} (or an assumption)"),
        )?),
        Some(_) => sec.quantity(key, input, label, check)?,
    };
    Ok(record(inputs, &format!("demand.{key}"), label, unit, q).unwrap_or(default.unwrap_or_default()))
}

/// Growth of weekly users after the last point, and the messages they send.
struct MessageRates {
    growth_per_year: f64,
    messages_per_user_per_day: f64,
    input_tokens_per_message: f64,
    output_tokens_per_message: f64,
}

/// The growth of weekly users and the messages per user and tokens per message.
fn message_rates(sec: &At<'_>, d: &schema::Demand, inputs: &mut Inputs) -> Result<MessageRates, InputError> {
    let growth_per_year = demand_number(
        sec,
        inputs,
        "growth_per_year",
        d.growth_per_year.as_ref(),
        "growth of weekly users per year after the last point",
        "fraction/yr",
        Check::Growth,
        Some(0.0),
    )?;
    let messages_per_user_per_day = demand_number(
        sec,
        inputs,
        "messages_per_user_per_day",
        d.messages_per_user_per_day.as_ref(),
        "messages per weekly user per day",
        "messages",
        Check::Positive,
        None,
    )?;
    let (input_tokens_per_message, output_tokens_per_message) = match d.request_lengths.as_deref() {
        Some(name) => lengths_from_trace(sec, d, name, inputs)?,
        None => (
            demand_number(
                sec,
                inputs,
                "input_tokens_per_message",
                d.input_tokens_per_message.as_ref(),
                "input tokens per message",
                "tokens",
                Check::Positive,
                None,
            )?,
            demand_number(
                sec,
                inputs,
                "output_tokens_per_message",
                d.output_tokens_per_message.as_ref(),
                "output tokens per message",
                "tokens",
                Check::Positive,
                None,
            )?,
        ),
    };
    Ok(MessageRates { growth_per_year, messages_per_user_per_day, input_tokens_per_message, output_tokens_per_message })
}

/// `[demand] request_lengths = "NAME"`: a plain message's input and output tokens are the means
/// of the bundled trace NAME's requests (`crate::requests`), registered as derived inputs.
fn lengths_from_trace(
    sec: &At<'_>,
    d: &schema::Demand,
    name: &str,
    inputs: &mut Inputs,
) -> Result<(f64, f64), InputError> {
    if d.input_tokens_per_message.is_some() || d.output_tokens_per_message.is_some() {
        return Err(sec
            .err(
                "request_lengths",
                "give request_lengths or input_tokens_per_message and output_tokens_per_message, not both",
            )
            .with_help("the trace sets both token counts of a plain message"));
    }
    let Some((lengths, what)) = crate::requests::bundled(name) else {
        return Err(sec
            .err("request_lengths", format!("no bundled request trace is called `{name}`"))
            .with_help(format!("the bundled traces are {}", crate::requests::bundled_names())));
    };
    let mut add = |key: &str, label: &str, column: &str, mean: f64| {
        let provenance = Provenance {
            sources: vec![format!("{what}: mean {column} of its {} requests", lengths.requests)],
            grade: Some(gigawatt_core::quantity::Grade::Derived),
            derived: Some(format!("the mean of {column} over {}", lengths.file)),
            assumption: None,
            note: None,
            origin: sec.file.name.clone(),
        };
        let q = Quantity { estimate: Estimate::exact(mean), provenance };
        inputs.add(&format!("demand.{key}"), label, "tokens", &q);
    };
    add("input_tokens_per_message", "input tokens per message", "ContextTokens", lengths.input_mean);
    add("output_tokens_per_message", "output tokens per message", "GeneratedTokens", lengths.output_mean);
    Ok((lengths.input_mean, lengths.output_mean))
}

/// Peak-hour ÷ average demand: from `[demand.profile]`, or `peak_to_average` as written.
fn demand_peak(sec: &At<'_>, d: &schema::Demand, inputs: &mut Inputs) -> Result<f64, InputError> {
    match (d.profile.as_ref(), d.peak_to_average.is_some()) {
        (Some(_), true) => Err(sec.err("peak_to_average", "give a [demand.profile] or peak_to_average, not both")),
        (None, false) => Err(sec
            .err_here("[demand] needs a peak: give [demand.profile] (hourly and daily weights) or peak_to_average")
            .with_help("e.g. peak_to_average = { value = 1.6, assumption = \"…\" }")),
        (None, true) => demand_number(
            sec,
            inputs,
            "peak_to_average",
            d.peak_to_average.as_ref(),
            "peak-hour ÷ average demand",
            "ratio",
            Check::AtLeastOne,
            None,
        ),
        (Some(t), false) => profile_peak(sec, t, inputs),
    }
}

/// Peak-hour ÷ average demand of the hourly and daily weights of `[demand.profile]`.
fn profile_peak(sec: &At<'_>, t: &schema::Profile, inputs: &mut Inputs) -> Result<f64, InputError> {
    let pp = sec.path.key("profile");
    let s = sec.child(&pp, "[demand.profile]");
    let hourly = s
        .numbers("hourly", t.hourly.as_deref())?
        .ok_or_else(|| s.err_here("[demand.profile] lacks `hourly` (24 weights)"))?;
    let daily = s.numbers("daily", t.daily.as_deref())?.unwrap_or_else(|| vec![1.0; 7]);
    if hourly.len() != 24 || hourly.iter().sum::<f64>() <= 0.0 {
        return Err(s.err("hourly", format!("`hourly` has {} weights; it needs 24, not all zero", hourly.len())));
    }
    if daily.len() != 7 || daily.iter().sum::<f64>() <= 0.0 {
        return Err(s.err("daily", format!("`daily` has {} weights; it needs 7, not all zero", daily.len())));
    }
    let ratio = peak_to_average(&hourly, &daily);
    let origin = sec.file.name.clone();
    let provenance = match (t.source.as_deref(), t.assumption.as_deref()) {
        (Some(src), None) => Provenance { sources: vec![src.to_string()], origin, ..Provenance::default() },
        (None, Some(a)) => Provenance { assumption: Some(a.to_string()), origin, ..Provenance::default() },
        _ => {
            return Err(s
                .err_here("[demand.profile] needs either `source` or `assumption`")
                .with_help("say where the profile comes from, or that it is assumed: assumption = \"…\""));
        }
    };
    let q = Quantity {
        estimate: Estimate::exact(ratio),
        provenance: Provenance { derived: Some("max/mean of the hourly × daily profile".into()), ..provenance },
    };
    inputs.add("demand.profile", "peak-hour ÷ average demand (from the profile)", "ratio", &q);
    Ok(ratio)
}

/// The name of the API's tier.
pub const API_TIER: &str = "api";

/// `[demand.api]`: the API's tokens per minute as a tier named `api` (no tier may have that name),
/// with where its `models` is.
fn demand_api(
    sec: &At<'_>,
    api: &schema::DemandApi,
    tiers: &[Tier],
    models: &ModelCatalog,
    inputs: &mut Inputs,
) -> Result<(Tier, KeyPath), InputError> {
    let p = sec.path.key("api");
    let s = sec.child(&p, "[demand.api]");
    if tiers.iter().any(|t| t.name == API_TIER) {
        return Err(s
            .err_here(format!("a [[demand.tier]] is already called `{API_TIER}`, the name of the API's tier"))
            .with_help("rename that tier, or describe the API only in [demand.api]"));
    }
    if api.tokens_per_minute.is_empty() {
        return Err(s.err_here("[demand.api] has no `tokens_per_minute`").with_help(
            "add tokens_per_minute = [ { date = \"2025-10-06\", tokens_per_minute = { value = 6e9, source = \"…\" } } ]",
        ));
    }
    let series = DatedSeries {
        key: "tokens_per_minute",
        value_key: "tokens_per_minute",
        point: "a `tokens_per_minute` point",
        what: "API tokens (input and output) per minute",
        unit: "tokens/min",
        register: "demand.api.tokens_per_minute",
        example: "add tokens_per_minute = { value = 6e9, source = \"…\" }",
    };
    let raw: Vec<_> = api.tokens_per_minute.iter().map(|x| (x.date.as_ref(), x.tokens_per_minute.as_ref())).collect();
    let points = dated_series(sec, &p, &series, &raw, inputs)?;
    let growth_per_year = record(
        inputs,
        "demand.api.growth_per_year",
        "growth of API tokens per year after the last point",
        "fraction/yr",
        s.quantity("growth_per_year", api.growth_per_year.as_ref(), "API growth", Check::Growth)?,
    )
    .unwrap_or(0.0);
    let q = s.need_quantity(
        "output_share",
        api.output_share.as_ref(),
        "output tokens' share of the API's tokens",
        Check::Fraction,
        "add output_share = { value = 0.2, assumption = \"…\" }",
    )?;
    if q.estimate.central <= 0.0 {
        return Err(s
            .err("output_share", "output_share = 0: an API that returns no tokens needs no serving")
            .with_help("give the output tokens' share of the tokens, above 0 and at most 1"));
    }
    let output_share =
        record(inputs, "demand.api.output_share", "output tokens' share of the API's tokens", "fraction", Some(q))
            .unwrap_or_default();
    let last = tiers.iter().map(|t| t.priority).max().unwrap_or(0);
    let priority = s.integer("priority", api.priority.as_ref(), 1..=1000)?.map_or(last + 1, |x| x as u32);
    let mp = p.key("models");
    let mix = tier_model_mix(&s, api.models.as_ref(), &mp, API_TIER, models, inputs)?;
    let volume = TokenVolume { points, growth_per_year, output_share };
    let tier = Tier {
        name: API_TIER.into(),
        priority,
        share_of_users: 0.0,
        intensity: 0.0,
        models: mix,
        volume: Some(volume),
    };
    Ok((tier, mp))
}

/// The `[[demand.tier]]`s in serving (priority) order, with where each one's `models` is.
fn demand_tiers(
    sec: &At<'_>,
    d: &schema::Demand,
    models: &ModelCatalog,
    inputs: &mut Inputs,
) -> Result<(Vec<Tier>, Vec<KeyPath>), InputError> {
    let mut tiers = Vec::new();
    let mut tier_paths = Vec::new();
    if d.tiers.is_empty() {
        return Err(sec
            .err_here("[demand] has no tiers")
            .with_help("add [[demand.tier]] name = \"free\", share_of_users = …, models = { \"gpt4o-class\" = 1.0 }"));
    }
    let mut share_sum = 0.0;
    for (i, t) in d.tiers.iter().enumerate() {
        let (tier, mp) = demand_tier(sec, i, t, &tiers, models, inputs)?;
        share_sum += tier.share_of_users;
        tiers.push(tier);
        tier_paths.push(mp);
    }
    if (share_sum - 1.0).abs() > 1e-6 {
        return Err(sec
            .err("tier", format!("the tiers' shares of users add up to {share_sum:.4}, not 1"))
            .with_help("every weekly user is in exactly one tier"));
    }
    let mut order: Vec<usize> = (0..tiers.len()).collect();
    order.sort_by_key(|&i| tiers[i].priority);
    let tiers: Vec<Tier> = order.iter().map(|&i| tiers[i].clone()).collect();
    let tier_paths: Vec<KeyPath> = order.iter().map(|&i| tier_paths[i].clone()).collect();
    Ok((tiers, tier_paths))
}

/// The `i`th `[[demand.tier]]` (its name not among the `earlier` ones), with where its `models` is.
fn demand_tier(
    sec: &At<'_>,
    i: usize,
    t: &schema::Tier,
    earlier: &[Tier],
    models: &ModelCatalog,
    inputs: &mut Inputs,
) -> Result<(Tier, KeyPath), InputError> {
    let p = sec.path.key("tier").index(i);
    let s = sec.child(&p, "[[demand.tier]]");
    let name = s.need_string("name", t.name.as_ref(), "add name = \"pro\"")?.to_string();
    if earlier.iter().any(|x: &Tier| x.name == name) {
        return Err(s.err("name", format!("tier `{name}` is defined twice")));
    }
    let share = s.need_quantity(
        "share_of_users",
        t.share_of_users.as_ref(),
        "share of users",
        Check::Fraction,
        "add share_of_users = { value = 0.05, assumption = \"…\" }",
    )?;
    let share = record(
        inputs,
        &format!("demand.tier.{name}.share_of_users"),
        &format!("{name}: share of weekly users"),
        "fraction",
        Some(share),
    )
    .unwrap_or_default();
    let intensity = record(
        inputs,
        &format!("demand.tier.{name}.intensity"),
        &format!("{name}: messages per user, as a multiple (of the average user, or of intensity_relative_to)"),
        "ratio",
        s.quantity("intensity", t.intensity.as_ref(), "intensity", Check::Positive)?,
    )
    .unwrap_or(1.0);
    let priority = s.integer("priority", t.priority.as_ref(), 1..=1000)?.map_or(i as u32 + 1, |x| x as u32);
    let mp = p.key("models");
    let mix = tier_model_mix(&s, t.models.as_ref(), &mp, &name, models, inputs)?;
    Ok((Tier { name, priority, share_of_users: share, intensity, models: mix, volume: None }, mp))
}

/// A tier's `models`: each model's share of the tier's messages, adding up to 1.
fn tier_model_mix(
    s: &At<'_>,
    mt: Option<&BTreeMap<String, Input>>,
    mp: &KeyPath,
    name: &str,
    models: &ModelCatalog,
    inputs: &mut Inputs,
) -> Result<Vec<(String, f64)>, InputError> {
    let file = s.file;
    let mt = mt.ok_or_else(|| {
        s.err_here(format!("tier `{name}` has no `models`"))
            .with_help("add models = { \"gpt4o-class\" = 1.0 } (share of the tier's messages per model)")
    })?;
    let ms = s.child(mp, "`models`");
    let mut mix = Vec::new();
    for (id, share) in mt {
        if models.get(id).is_none() {
            return Err(models.unknown(file, &mp.key(id), id));
        }
        let x = ms.number(id, Some(share), Check::Fraction)?.unwrap_or_default();
        models.register(id, inputs)?;
        mix.push((id.clone(), x));
    }
    let total: f64 = mix.iter().map(|(_, x)| x).sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(InputError::at(file, mp, format!("tier `{name}`'s model shares add up to {total}, not 1"))
            .with_help("give each model's share of the tier's messages; they must add up to 1"));
    }
    Ok(mix)
}

/// The `[[demand.feature]]`s, each for some of the `tiers`.
fn demand_features(
    sec: &At<'_>,
    d: &schema::Demand,
    tiers: &[Tier],
    inputs: &mut Inputs,
) -> Result<Vec<Feature>, InputError> {
    let mut features = Vec::new();
    for (i, t) in d.features.iter().enumerate() {
        features.push(demand_feature(sec, i, t, tiers, inputs)?);
    }
    Ok(features)
}

/// The `i`th `[[demand.feature]]`: how much it multiplies a message, how often, in which tiers.
fn demand_feature(
    sec: &At<'_>,
    i: usize,
    t: &schema::Feature,
    tiers: &[Tier],
    inputs: &mut Inputs,
) -> Result<Feature, InputError> {
    let p = sec.path.key("feature").index(i);
    let s = sec.child(&p, "[[demand.feature]]");
    let name = s.need_string("name", t.name.as_ref(), "add name = \"reasoning\"")?.to_string();
    let label = |l: &str| format!("feature {name}: {l}");
    let out = s.need_quantity(
        "output_multiplier",
        t.output_multiplier.as_ref(),
        "output multiplier",
        Check::Positive,
        "add output_multiplier = { value = 20, source = \"…\" }",
    )?;
    let output_multiplier = record(
        inputs,
        &format!("demand.feature.{name}.output_multiplier"),
        &label("output tokens ÷ a plain message's"),
        "ratio",
        Some(out),
    )
    .unwrap_or(1.0);
    let input_multiplier = record(
        inputs,
        &format!("demand.feature.{name}.input_multiplier"),
        &label("input tokens ÷ a plain message's"),
        "ratio",
        s.quantity("input_multiplier", t.input_multiplier.as_ref(), "input multiplier", Check::Positive)?,
    )
    .unwrap_or(1.0);
    let sh = s.need_quantity(
        "share_of_messages",
        t.share_of_messages.as_ref(),
        "share of messages",
        Check::Fraction,
        "add share_of_messages = { value = 0.1, assumption = \"…\" }",
    )?;
    let share_of_messages = record(
        inputs,
        &format!("demand.feature.{name}.share_of_messages"),
        &label("share of the tier's messages"),
        "fraction",
        Some(sh),
    )
    .unwrap_or_default();
    let names = t
        .tiers
        .as_deref()
        .ok_or_else(|| s.err_here(format!("feature `{name}` names no `tiers`")).with_help("add tiers = [\"pro\"]"))?;
    check_feature_tiers(&s, names, tiers)?;
    Ok(Feature {
        name,
        output_multiplier,
        input_multiplier,
        share_of_messages,
        tiers: names.to_vec(),
        from: s.date("from", t.from.as_ref())?,
    })
}

/// Checks that a feature's `tiers` are all defined, naming the closest tier otherwise.
fn check_feature_tiers(s: &At<'_>, names: &[String], tiers: &[Tier]) -> Result<(), InputError> {
    for (j, n) in names.iter().enumerate() {
        if !tiers.iter().any(|t| t.name == *n) {
            let known: Vec<&str> = tiers.iter().map(|t| t.name.as_str()).collect();
            let err = InputError::at(s.file, &s.path.key("tiers").index(j), format!("unknown tier `{n}`"));
            return Err(match closest(n, known.iter().copied()) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Tiers: {}", known.join(", "))),
                None => err.with_help(format!("tiers: {}", known.join(", "))),
            });
        }
    }
    Ok(())
}

/// `[demand.today]`, the reference for today's text chat (its date the first users point's by
/// default).
fn demand_today(
    sec: &At<'_>,
    t: Option<&schema::Today>,
    first_date: Date,
    models: &ModelCatalog,
    catalog: &Catalog,
    inputs: &mut Inputs,
) -> Result<Option<TodaySpec>, InputError> {
    let Some(t) = t else { return Ok(None) };
    let file = sec.file;
    let p = sec.path.key("today");
    let s = sec.child(&p, "[demand.today]");
    let date = s.date("date", t.date.as_ref())?.unwrap_or(first_date);
    let m = s.need_string("model", t.model.as_ref(), "add model = \"gpt4o-class\"")?;
    if models.get(m).is_none() {
        return Err(models.unknown(file, &p.key("model"), m));
    }
    models.register(m, inputs)?;
    let rp = t.reference_platform.as_deref().unwrap_or("h100-hgx");
    if catalog.get(rp).is_none() {
        return Err(catalog.unknown(file, &p.key("reference_platform"), rp));
    }
    Ok(Some(TodaySpec {
        date,
        model: m.to_string(),
        reference_platform: rp.to_string(),
        precision: precision(&s, "precision", t.precision.as_ref())?.unwrap_or(Precision::Fp8),
        kv_precision: precision(&s, "kv_precision", t.kv_precision.as_ref())?.unwrap_or(Precision::Fp8),
        path: p.clone(),
    }))
}

fn deployment(
    sec: &At<'_>,
    d: &schema::Deployment,
    base: Option<&DeploymentSpec>,
) -> Result<DeploymentSpec, InputError> {
    let nodes = |key: &str, input: &Option<Input>| -> Result<Option<f64>, InputError> {
        Ok(sec.integer(key, input.as_ref(), 1..=1024)?.map(|n| n as f64))
    };
    Ok(DeploymentSpec {
        precision: precision(sec, "precision", d.precision.as_ref())?
            .or(base.map(|b| b.precision))
            .unwrap_or(Precision::Fp8),
        kv_precision: precision(sec, "kv_precision", d.kv_precision.as_ref())?
            .or(base.map(|b| b.kv_precision))
            .unwrap_or(Precision::Fp8),
        itl_ms: sec.number("itl_ms", d.itl_ms.as_ref(), Check::Positive)?.or(base.and_then(|b| b.itl_ms)),
        decode_nodes: nodes("decode_nodes", &d.decode_nodes)?.unwrap_or(1.0),
        prefill_nodes: nodes("prefill_nodes", &d.prefill_nodes)?.unwrap_or(1.0),
        tensor_parallel: nodes("tensor_parallel", &d.tensor_parallel)?,
        path: sec.path.clone(),
    })
}

fn inference_section(
    file: &SourceFile,
    inference: Option<&schema::Inference>,
    models: &ModelCatalog,
) -> Result<InferenceSpec, InputError> {
    let path = KeyPath::root().key("inference");
    let sec = At::scenario(file, &path, "[inference]");
    // The section's own settings are the defaults of every deployment.
    let own = schema::Deployment {
        model: None,
        precision: inference.and_then(|i| i.precision.clone()),
        kv_precision: inference.and_then(|i| i.kv_precision.clone()),
        itl_ms: inference.and_then(|i| i.itl_ms.clone()),
        decode_nodes: None,
        prefill_nodes: None,
        tensor_parallel: None,
    };
    let defaults = deployment(&sec, &own, None)?;
    let mut deployments: Vec<(String, DeploymentSpec)> = Vec::new();
    for (i, t) in inference.map_or(&[][..], |i| &i.deployments).iter().enumerate() {
        let p = path.key("deployment").index(i);
        let s = sec.child(&p, "[[inference.deployment]]");
        let m = s.need_string("model", t.model.as_ref(), "add model = \"gpt4o-class\"")?;
        if models.get(m).is_none() {
            return Err(models.unknown(file, &p.key("model"), m));
        }
        if deployments.iter().any(|(x, _)| x == m) {
            return Err(s.err("model", format!("model `{m}` has two deployments")));
        }
        deployments.push((m.to_string(), deployment(&s, t, Some(&defaults))?));
    }
    Ok(InferenceSpec { defaults, deployments })
}

fn allocation_section(file: &SourceFile, allocation: Option<&schema::Allocation>) -> Result<Policy, InputError> {
    let path = KeyPath::root().key("allocation");
    let Some(a) = allocation else { return Ok(Policy::InferenceFirst) };
    let sec = At::scenario(file, &path, "[allocation]");
    let share = sec.number("inference_share", a.inference_share.as_ref(), Check::Fraction)?;
    match a.policy.as_deref().unwrap_or("inference_first") {
        "fixed_share" => Ok(Policy::FixedShare {
            inference_share: share.ok_or_else(|| {
                sec.err("policy", "policy = \"fixed_share\" needs inference_share")
                    .with_help("add inference_share = 0.4 (share of the GPUs online that serve inference)")
            })?,
        }),
        p @ ("inference_first" | "training_reservations") => {
            if share.is_some() {
                return Err(sec.err(
                    "inference_share",
                    format!("inference_share applies only to policy = \"fixed_share\", not \"{p}\""),
                ));
            }
            Ok(if p == "inference_first" { Policy::InferenceFirst } else { Policy::TrainingReservations })
        }
        other => {
            let names = ["fixed_share", "inference_first", "training_reservations"];
            let err = sec.err("policy", format!("unknown allocation policy `{other}`"));
            Err(match closest(other, names) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Policies: {}", names.join(", "))),
                None => err.with_help(format!("policies: {}", names.join(", "))),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gigawatt_core::{SourceFile, load_scenario};

    const FLEET: &str = "name = \"t\"\n[[phase]]\nonline = \"2025-Q1\"\nplatform = \"h100-hgx\"\nsystems = 64\n";

    fn parse(extra: &str) -> Result<CapacitySpec, InputError> {
        let cat = Catalog::bundled().unwrap();
        let model = load_scenario(&SourceFile::new("t.toml", format!("{FLEET}{extra}")), &cat).unwrap();
        parse_sections(&model, &cat, &ModelCatalog::bundled().unwrap(), &WorkloadDefaults::bundled().unwrap())
    }

    const RUN: &str = "[[training]]\nname = \"r\"\nmodel = \"llama3-70b\"\ntokens = 1e12\nmfu = 0.4\ngpus = 64\nstart = \"2025-04-01\"\n";

    const JOB_R: &str = "[[job]]\nname = \"r\"\ngpus = 64\ncheckpoint_write_s = 10\nrestart_s = 300\n";

    #[test]
    fn a_run_with_a_job_of_its_name_takes_the_simulated_ettr_by_default() {
        let spec = parse(&format!("{JOB_R}{RUN}")).unwrap();
        let Reliability::Simulated { job, fallback } = &spec.training[0].run.reliability else {
            panic!("simulated expected: {:?}", spec.training[0].run.reliability)
        };
        assert_eq!(job, "r");
        assert!(fallback.failures_per_node_day > 0.0);
        // Without a job of its name the default stays the closed form.
        let spec = parse(RUN).unwrap();
        assert!(matches!(spec.training[0].run.reliability, Reliability::ClosedForm(_)));
    }

    #[test]
    fn a_simulated_run_refuses_planned_restarts_at_their_key() {
        let text = format!("{JOB_R}{RUN}[training.overheads]\nevaluation_fraction = 0.02\nplanned_restart_min = 5\n");
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("`planned_restart_min` does not apply to a run whose ETTR is simulated"),
            "{}",
            err.message
        );
        assert!(err.help.as_deref().unwrap_or("").contains("[planned]"));
        // Evaluation pauses apply; the simulator's ETTR counts the planned restarts.
        let ok = parse(&format!("{JOB_R}{RUN}[training.overheads]\nevaluation_fraction = 0.02\n")).unwrap();
        let o = ok.training[0].run.overheads;
        assert!(o.planned_in_ettr && (o.factor() - 0.98).abs() < 1e-12, "{o:?}");
    }

    #[test]
    fn an_evaluation_share_of_one_is_refused() {
        let err = parse(&format!("{RUN}[training.overheads]\nevaluation_fraction = 1\n")).unwrap_err();
        assert!(err.message.contains("evaluation"), "{}", err.message);
    }

    #[test]
    fn a_simulated_run_must_name_a_job_of_the_scenario() {
        let err =
            parse(&format!("{JOB_R}{RUN}[training.reliability]\nmethod = \"simulated\"\njob = \"q\"\n")).unwrap_err();
        assert!(err.message.contains("no [[job]] named `q`"), "{}", err.message);
        let err = parse(&format!("{RUN}[training.reliability]\nmethod = \"closed_form\"\njob = \"r\"\n")).unwrap_err();
        assert!(err.message.contains("only with method = \"simulated\""), "{}", err.message);
    }

    #[test]
    fn a_given_ettr_is_read_and_listed_as_an_input() {
        let spec = parse(&format!(
            "{RUN}[training.reliability]\nmethod = \"given\"\nettr = {{ value = 0.9, source = \"measured\" }}\n"
        ))
        .unwrap();
        assert_eq!(spec.training[0].run.reliability, Reliability::Given { ettr: 0.9 });
        assert!(spec.inputs.records().iter().any(|r| r.key.ends_with("reliability.ettr") && r.sourced));
    }

    #[test]
    fn closed_form_keys_do_not_mix_with_a_given_ettr() {
        let err =
            parse(&format!("{RUN}[training.reliability]\nmethod = \"given\"\nettr = 0.9\ncheckpoint_write_s = 5\n"))
                .unwrap_err();
        assert!(err.message.contains("belongs to method = \"closed_form\""), "{}", err.message);
    }

    #[test]
    fn the_default_reliability_is_the_closed_form_on_llama3_rates() {
        let spec = parse(RUN).unwrap();
        let Reliability::ClosedForm(c) = spec.training[0].run.reliability else { panic!("closed form expected") };
        assert!((c.failures_per_node_day - 3.789e-3).abs() < 1e-12);
        assert_eq!(c.restart_overhead_s, 600.0);
        assert_eq!(spec.policy, Policy::InferenceFirst);
    }

    #[test]
    fn fixed_share_needs_its_share_and_other_policies_refuse_one() {
        let err = parse("[allocation]\npolicy = \"fixed_share\"\n").unwrap_err();
        assert!(err.message.contains("needs inference_share"), "{}", err.message);
        let err = parse("[allocation]\npolicy = \"inference_first\"\ninference_share = 0.3\n").unwrap_err();
        assert!(err.message.contains("applies only to policy = \"fixed_share\""), "{}", err.message);
        let ok = parse("[allocation]\npolicy = \"fixed_share\"\ninference_share = 0.3\n").unwrap();
        assert_eq!(ok.policy, Policy::FixedShare { inference_share: 0.3 });
    }

    #[test]
    fn a_feature_for_an_unknown_tier_names_the_closest() {
        let demand = "[demand]\nusers = [ { date = \"2025-01-01\", weekly_users = 1e6 } ]\nmessages_per_user_per_day = 3\n\
input_tokens_per_message = 100\noutput_tokens_per_message = 100\npeak_to_average = 1.5\n\
[[demand.tier]]\nname = \"free\"\nshare_of_users = 1.0\nmodels = { \"llama3-70b\" = 1.0 }\n\
[[demand.feature]]\nname = \"reasoning\"\noutput_multiplier = 20\nshare_of_messages = 0.1\ntiers = [\"fre\"]\n";
        let err = parse(demand).unwrap_err();
        assert!(err.message.contains("unknown tier `fre`"), "{}", err.message);
        assert!(err.help.as_deref().unwrap_or("").contains("did you mean `free`"));
    }

    #[test]
    fn full_attention_flops_need_a_sequence_length() {
        let err = parse(&RUN.replace("mfu = 0.4", "mfu = 0.4\nattention_flops = \"full\"")).unwrap_err();
        assert!(err.message.contains("needs seq_len"), "{}", err.message);
    }
}
