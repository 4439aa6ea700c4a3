//! `gigawatt capacity`: the fleet the plan puts online, month by month, split between training
//! runs and inference serving; training finish dates; serving rates, energy and cost per token;
//! demand against capacity with unmet demand by tier and the features to gate or delay.

use std::collections::BTreeMap;

use gigawatt_core::analysis::{InputRecord, ScenarioInfo};
use gigawatt_core::catalog::{Catalog, Field, Platform};
use gigawatt_core::date::Date;
use gigawatt_core::error::{InputError, KeyPath};
use gigawatt_core::plan::{Evaluation, PhaseResult, online_fraction};
use gigawatt_core::scenario::Model;
use serde::Serialize;

use crate::allocation::{MonthAllocation, Policy, Request, RunRequest, TierLoad, allocate_month, tier_capacity};
use crate::defaults::WorkloadDefaults;
use crate::demand::TierDemand;
use crate::inference::{
    Bound, DecodeResult, Deployment, Efficiency, PlatformSpec, PrefillResult, ServeError, ServeOptions, calibrate,
    decode, decode_with, prefill, serving_rate,
};
use crate::models::{ModelArch, ModelCatalog};
use crate::parse::Inputs;
use crate::precision::Precision;
use crate::spec::{CapacitySpec, DemandSpec, DeploymentSpec, parse_sections};
use crate::training::{Ettr, EttrSource, GpuRequest, ScenarioEttr, TrainingRun};

/// Months the timeline may run past the last phase while training runs are still going.
pub const MAX_EXTRA_MONTHS: u32 = 120;

/// The efficiency factors and the measurement they come from.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrationResult {
    /// Platform of the measurement.
    pub platform: String,
    /// Model of the measurement.
    pub model: String,
    /// The factors (held fixed for every platform and model).
    pub efficiency: Efficiency,
    /// Measured prefill, input tokens/s per GPU.
    pub measured_prefill_tokens_per_s_per_gpu: f64,
    /// Roofline prefill at the measurement's configuration.
    pub roofline_prefill_tokens_per_s_per_gpu: f64,
    /// What bounds that prefill roofline.
    pub prefill_bound: Bound,
    /// Measured decode, output tokens/s per GPU.
    pub measured_decode_tokens_per_s_per_gpu: f64,
    /// Roofline decode at the measurement's configuration (memory-limited batch).
    pub roofline_decode_tokens_per_s_per_gpu: f64,
    /// What bounds that decode roofline.
    pub decode_bound: Bound,
    /// The decode batch per GPU the roofline finds.
    pub decode_batch_per_gpu: f64,
    /// Where the measurement was published.
    pub sources: Vec<String>,
}

/// One training run's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct TrainingResult {
    /// Run name.
    pub name: String,
    /// Catalog model, if named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Active parameters.
    pub params_active: f64,
    /// Training tokens.
    pub tokens: f64,
    /// Precision MFU is measured against.
    pub precision: Precision,
    /// The attention-FLOPs convention, as written.
    pub attention_flops: String,
    /// Training FLOPs.
    pub flops: f64,
    /// Most GPUs held in any month.
    pub gpus: f64,
    /// GPU-hours held from start to finish (or to the end of the timeline).
    pub gpu_hours: f64,
    /// MFU, GPU-hour weighted.
    pub mfu: f64,
    /// Reliability overhead, GPU-hour weighted, and how it was obtained.
    pub ettr: Ettr,
    /// Non-failure overheads (evaluation pauses, data stalls, planned restarts).
    pub overheads: crate::training::Overheads,
    /// Share of wall-clock time left for training after them.
    pub overhead_factor: f64,
    /// Requested start.
    pub start: Date,
    /// First day the run held GPUs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Date>,
    /// Wall-clock days from `started` to `finish`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall_days: Option<f64>,
    /// First day of each stage the run reached, for a run in stages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stage_starts: Vec<Date>,
    /// Day the run finishes (the day its last FLOP is done), if within the timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish: Option<Date>,
    /// Share of its FLOPs done by the end of the timeline.
    pub progress: f64,
    /// The GPUs it held, day by day, as change points: `operate` sizes the stages of an elastic
    /// run from it. Not in the output (the timeline's `training_gpus_by_run` shows the months).
    #[serde(skip)]
    pub trajectory: Vec<TrajectoryPoint>,
}

/// A change in the GPUs a run holds in the capacity model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrajectoryPoint {
    /// The first day it held `gpus`.
    pub day: Date,
    /// GPUs held from that day (0: none, the run waits).
    pub gpus: f64,
    /// FLOPs done before that day.
    pub done_flops: f64,
}

/// Serving one model on one platform of the fleet.
#[derive(Clone, Debug, Serialize)]
pub struct InferenceResult {
    /// Platform id.
    pub platform: String,
    /// Model id.
    pub model: String,
    /// Weight precision.
    pub precision: Precision,
    /// KV-cache precision.
    pub kv_precision: Precision,
    /// Input tokens per request.
    pub input_tokens: f64,
    /// Output tokens per request.
    pub output_tokens: f64,
    /// Output tokens/s per GPU, prefill GPUs included.
    pub tokens_per_s_per_gpu: f64,
    /// Output tokens/s per MW of facility power.
    pub tokens_per_s_per_mw: f64,
    /// Facility energy per million output tokens, kWh.
    pub kwh_per_million_tokens: f64,
    /// Capex amortisation plus energy per million output tokens, USD.
    pub usd_per_million_tokens: f64,
    /// Of which capex amortisation.
    pub capex_usd_per_million_tokens: f64,
    /// Of which energy.
    pub energy_usd_per_million_tokens: f64,
    /// The decode stage.
    pub decode: DecodeResult,
    /// The prefill stage.
    pub prefill: PrefillResult,
}

/// One tier's gap, and a feature whose gating closes part of it.
#[derive(Clone, Debug, Serialize)]
pub struct Gate {
    /// Tier.
    pub tier: String,
    /// Feature.
    pub feature: String,
    /// Peak output tokens/s gating it frees.
    pub tokens_per_s: f64,
}

/// One month of the timeline.
#[derive(Clone, Debug, Serialize)]
pub struct MonthRow {
    /// `2027-03`.
    pub month: String,
    /// GPU packages online (average over the month).
    pub gpus_online: f64,
    /// The GPUs online counted in H100s of equal dense peak (BF16 and FP8; see the plan's
    /// `totals.h100_equivalents`).
    pub h100_equivalents_online: gigawatt_core::plan::H100Equivalents,
    /// GPUs serving inference.
    pub inference_gpus: f64,
    /// GPUs held by training runs.
    pub training_gpus: f64,
    /// GPUs neither training nor needed by peak demand (unreserved, or inference GPUs left spare).
    pub idle_gpus: f64,
    /// Facility power of the GPUs online, MW.
    pub power_online_mw: f64,
    /// Output tokens/s the inference GPUs serve at this month's demand mix.
    pub capacity_tokens_per_s: f64,
    /// Average demand, output tokens/s.
    pub demand_tokens_per_s: f64,
    /// Peak-hour demand, output tokens/s.
    pub peak_demand_tokens_per_s: f64,
    /// Served at peak, output tokens/s.
    pub served_tokens_per_s: f64,
    /// Unmet at peak by tier.
    pub unmet_tokens_per_s_by_tier: BTreeMap<String, f64>,
    /// Average demand by tier.
    pub demand_tokens_per_s_by_tier: BTreeMap<String, f64>,
    /// Peak demand by tier.
    pub peak_demand_tokens_per_s_by_tier: BTreeMap<String, f64>,
    /// Features to gate (lowest-priority tier first) until the gap closes.
    pub gate: Vec<Gate>,
    /// Whether gating those features closes the gap.
    pub gating_closes_gap: bool,
    /// GPUs each training run holds, by run name.
    pub training_gpus_by_run: BTreeMap<String, f64>,
}

/// A feature that had to be gated, and for how long.
#[derive(Clone, Debug, Serialize)]
pub struct GatedFeature {
    /// Tier.
    pub tier: String,
    /// Feature.
    pub feature: String,
    /// First month it is gated.
    pub from: String,
    /// Last month it is gated.
    pub until: String,
    /// Months gated.
    pub months: u32,
    /// Whether gating starts in the month it would launch (a delay rather than a withdrawal).
    pub delayed_launch: bool,
}

/// How much of the fleet today's text chat needs.
#[derive(Clone, Debug, Serialize)]
pub struct ChatToday {
    /// The date taken as today.
    pub date: Date,
    /// Weekly users then.
    pub weekly_users: f64,
    /// Messages per day.
    pub messages_per_day: f64,
    /// Output tokens per plain message.
    pub output_tokens_per_message: f64,
    /// Average output tokens/s of plain text messages (no features).
    pub average_tokens_per_s: f64,
    /// Peak output tokens/s.
    pub peak_tokens_per_s: f64,
    /// Model assumed.
    pub model: String,
    /// Today's platform.
    pub reference_platform: String,
    /// GPUs to serve the peak on today's platform.
    pub reference_gpus: f64,
    /// Their facility power, MW.
    pub reference_mw: f64,
    /// Facility energy per message on today's platform, Wh (Altman: 0.34 Wh per average query).
    pub reference_wh_per_message: f64,
    /// GPUs to serve the peak on the fleet's first platform.
    pub fleet_gpus: f64,
    /// Their facility power, MW.
    pub fleet_mw: f64,
    /// The fleet's first platform.
    pub fleet_platform: String,
    /// Share of the plan's facility power that is.
    pub share_of_fleet_power: f64,
    /// The plan's facility power, MW.
    pub fleet_power_mw: f64,
}

/// What the fleet's GPU-hours went to over the timeline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Usage {
    /// GPU-hours online.
    pub gpu_hours_online: f64,
    /// Held by training runs.
    pub training_gpu_hours: f64,
    /// Needed by inference at peak demand.
    pub inference_gpu_hours: f64,
    /// Neither.
    pub idle_gpu_hours: f64,
    /// Training share of the GPU-hours online.
    pub training_share: f64,
    /// Inference share.
    pub inference_share: f64,
    /// Idle share.
    pub idle_share: f64,
}

/// The whole result of `gigawatt capacity`.
#[derive(Clone, Debug, Serialize)]
pub struct Capacity {
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// The fleet-split policy.
    pub policy: Policy,
    /// The inference calibration.
    pub calibration: CalibrationResult,
    /// Training runs.
    pub training: Vec<TrainingResult>,
    /// Serving each demanded model on each platform of the fleet.
    pub inference: Vec<InferenceResult>,
    /// Tier names in serving order.
    pub tiers: Vec<String>,
    /// The monthly timeline.
    pub timeline: Vec<MonthRow>,
    /// Features gated, and when.
    pub gated_features: Vec<GatedFeature>,
    /// What the fleet's GPU-hours went to.
    pub usage: Usage,
    /// Today's text chat against the fleet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_today: Option<ChatToday>,
    /// Every workload input used, with provenance.
    pub inputs: Vec<InputRecord>,
    /// The inputs that rest on assumptions, not sources.
    pub assumptions: Vec<InputRecord>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

/// What the roofline needs of a catalog platform.
pub fn platform_spec(p: &Platform) -> PlatformSpec {
    PlatformSpec {
        id: p.id.clone(),
        hbm_gb: p.central(Field::HbmGb).unwrap_or(0.0),
        hbm_tb_s: p.central(Field::HbmTbS).unwrap_or(0.0),
        fp4_tflops: p.central(Field::Fp4DenseTflops),
        fp8_tflops: p.central(Field::Fp8DenseTflops),
        bf16_tflops: p.central(Field::Bf16DenseTflops),
        nvlink_domain: p.count(Field::NvlinkDomainPackages) as f64,
        scale_out_gb_s: p.central(Field::ScaleOutGbS).unwrap_or(0.0),
    }
}

/// Builds a [`Deployment`] from scenario settings and request lengths.
pub fn deployment_of(s: &DeploymentSpec, input_tokens: f64, output_tokens: f64, d: &WorkloadDefaults) -> Deployment {
    Deployment {
        precision: s.precision,
        kv_precision: s.kv_precision,
        input_tokens,
        output_tokens,
        itl_ms: s.itl_ms,
        decode_nodes: s.decode_nodes,
        prefill_nodes: s.prefill_nodes,
        tensor_parallel: s.tensor_parallel,
        hbm_usable_fraction: d.hbm_usable_fraction.estimate.central,
        ep_bytes_per_element: d.ep_bytes_per_element.estimate.central,
    }
}

/// Calibrates the efficiency factors on the bundled measurement.
pub fn calibration(
    catalog: &Catalog,
    models: &ModelCatalog,
    d: &WorkloadDefaults,
) -> Result<CalibrationResult, InputError> {
    let c = &d.calibration;
    let platform = catalog
        .get(&c.platform)
        .ok_or_else(|| InputError::new(format!("the calibration platform `{}` is not in the catalog", c.platform)))?;
    let model = models
        .get(&c.model)
        .ok_or_else(|| InputError::new(format!("the calibration model `{}` is not in catalog/models", c.model)))?;
    let spec = platform_spec(platform);
    let dep = Deployment {
        precision: c.precision,
        kv_precision: c.kv_precision,
        input_tokens: c.input_tokens.estimate.central,
        output_tokens: c.output_tokens.estimate.central,
        itl_ms: None,
        decode_nodes: c.decode_nodes.estimate.central,
        prefill_nodes: c.prefill_nodes.estimate.central,
        tensor_parallel: Some(c.tensor_parallel.estimate.central),
        hbm_usable_fraction: d.hbm_usable_fraction.estimate.central,
        ep_bytes_per_element: d.ep_bytes_per_element.estimate.central,
    };
    let mp = c.prefill_input_tokens_per_s_per_gpu.estimate.central;
    let md = c.decode_output_tokens_per_s_per_gpu.estimate.central;
    let (eff, p, dr) = calibrate(&spec, model, &dep, mp, md)
        .map_err(|e| InputError::new(format!("the calibration point cannot be evaluated: {e:?}")))?;
    let mut sources = c.prefill_input_tokens_per_s_per_gpu.provenance.sources.clone();
    sources.extend(c.decode_output_tokens_per_s_per_gpu.provenance.sources.iter().cloned());
    Ok(CalibrationResult {
        platform: c.platform.clone(),
        model: c.model.clone(),
        efficiency: eff,
        measured_prefill_tokens_per_s_per_gpu: mp,
        roofline_prefill_tokens_per_s_per_gpu: p.tokens_per_s_per_gpu,
        prefill_bound: p.bound,
        measured_decode_tokens_per_s_per_gpu: md,
        roofline_decode_tokens_per_s_per_gpu: dr.tokens_per_s_per_gpu,
        decode_bound: dr.bound,
        decode_batch_per_gpu: dr.batch_per_gpu,
        sources,
    })
}

/// A serving problem as a located input error.
pub fn serve_error(
    model: &Model,
    path: &KeyPath,
    arch: &ModelArch,
    platform: &PlatformSpec,
    d: &Deployment,
    e: ServeError,
) -> InputError {
    let file = &model.source;
    match e {
        ServeError::NoPeak { precision } => InputError::at(
            file,
            path,
            format!("`{}` has no dense {precision} throughput in the catalog, so {} cannot run at {precision} on it", platform.id, arch.id),
        )
        .with_help("set precision = \"fp8\" or \"bf16\" for this model ([[inference.deployment]])"),
        ServeError::DoesNotFit { needed_bytes, available_bytes, gpus } => {
            let short = needed_bytes - available_bytes;
            InputError::at(
                file,
                path,
                format!(
                    "{} does not fit in {} at {}: its weights and one request's KV cache need {:.0} GB, the {} GPUs of a {}-node replica hold {:.0} GB usable — short by {:.0} GB ({:.0}%)",
                    arch.name,
                    platform.id,
                    d.precision,
                    needed_bytes / 1e9,
                    gpus,
                    (gpus / platform.nvlink_domain).round(),
                    available_bytes / 1e9,
                    short / 1e9,
                    100.0 * short / available_bytes
                ),
            )
            .with_label("does not fit")
            .with_help(fit_remedies(arch.moe.is_some(), platform, d.precision))
        }
        ServeError::LatencyUnreachable { target_ms, best_ms } => InputError::at(
            file,
            path,
            format!(
                "no batch of {} on {} meets the latency target of {target_ms} ms per output token: a batch of one already takes {best_ms:.1} ms ({:.1} ms over)",
                arch.id,
                platform.id,
                best_ms - target_ms
            ),
        )
        .with_label("unreachable latency target")
        .with_help("raise itl_ms, use a smaller precision, or give the model a larger replica"),
        ServeError::DenseAcrossNodes => InputError::at(
            file,
            path,
            format!("{} is a dense model: only a mixture of experts can span NVLink domains", arch.name),
        )
        .with_help("set decode_nodes = 1 and prefill_nodes = 1 for dense models"),
    }
}

/// What would make a model fit that does not: only the remedies that apply — a smaller
/// precision the platform has a peak for, more NVLink domains for a mixture of experts, a
/// platform with more memory per domain.
fn fit_remedies(moe: bool, platform: &PlatformSpec, precision: Precision) -> String {
    let smaller: Vec<&str> = [Precision::Fp8, Precision::Fp4]
        .into_iter()
        .filter(|&p| p < precision && platform.peak_flops(p).is_some())
        .map(Precision::name)
        .collect();
    let mut remedies = Vec::new();
    if !smaller.is_empty() {
        remedies.push(format!(
            "use a smaller precision ({}) in an [[inference.deployment]] for this model",
            smaller.join(" or ")
        ));
    }
    if moe {
        remedies.push("spread the experts over more NVLink domains with decode_nodes and prefill_nodes in an [[inference.deployment]]".to_string());
    } else {
        remedies.push(format!(
            "serve it on a platform with more memory per NVLink domain than {} (a dense model's replica cannot span domains)",
            platform.id
        ));
    }
    let mut help = remedies.join("; or ");
    if let Some(first) = help.get_mut(0..1) {
        first.make_ascii_lowercase();
    }
    help
}

struct Economics {
    kw_per_gpu: f64,
    avg_kw_per_gpu: f64,
    capex_usd_per_gpu_year: f64,
    energy_usd_per_gpu_year: f64,
}

fn economics(phases: &[PhaseResult], platform: &str, load_factor: f64) -> Economics {
    let ps: Vec<&PhaseResult> = phases.iter().filter(|p| p.platform == platform).collect();
    let gpus: f64 = ps.iter().map(|p| p.gpus as f64).sum::<f64>().max(1.0);
    let kw = ps.iter().map(|p| p.facility_power_mw * 1000.0).sum::<f64>() / gpus;
    Economics {
        kw_per_gpu: kw,
        avg_kw_per_gpu: kw * load_factor,
        capex_usd_per_gpu_year: ps.iter().map(|p| p.depreciation_usd_per_year).sum::<f64>() / gpus,
        energy_usd_per_gpu_year: ps.iter().map(|p| p.opex.energy_usd_per_year).sum::<f64>() / gpus,
    }
}

/// Capacity of a scenario with the ETTR each run's section asks for (the closed form by default).
pub fn capacity(model: &Model, catalog: &Catalog) -> Result<Capacity, InputError> {
    capacity_with(model, catalog, &ScenarioEttr)
}

/// Month boundaries: (label, first day, first day of the next month).
fn month_bounds(year: i32, month: u32) -> (String, Date, Date) {
    let first = Date::from_ymd(year, month, 1).expect("valid month");
    let next =
        if month == 12 { Date::from_ymd(year + 1, 1, 1) } else { Date::from_ymd(year, month + 1, 1) }.expect("valid");
    (format!("{year}-{month:02}"), first, next)
}

fn next_month(year: i32, month: u32) -> (i32, u32) {
    if month == 12 { (year + 1, 1) } else { (year, month + 1) }
}

/// The `[[job]]` names whose simulated ETTR the scenario's training runs ask for
/// (`[training.reliability] method = "simulated"`, the default when a job shares the run's name).
pub fn jobs_to_simulate(model: &Model, catalog: &Catalog) -> Result<Vec<String>, InputError> {
    let spec = parse_sections(model, catalog, &ModelCatalog::bundled()?, &WorkloadDefaults::bundled()?)?;
    let mut jobs: Vec<String> = Vec::new();
    for t in &spec.training {
        if let crate::training::Reliability::Simulated { job, .. } = &t.run.reliability
            && !jobs.contains(job)
        {
            jobs.push(job.clone());
        }
    }
    Ok(jobs)
}

/// Capacity of a scenario with the ETTR from `ettr` — the hook through which the reliability
/// simulator supplies its simulated ETTR.
pub fn capacity_with(model: &Model, catalog: &Catalog, ettr: &dyn EttrSource) -> Result<Capacity, InputError> {
    let ctx = Context::read(model, catalog)?;
    let mut inputs = ctx.spec.inputs.clone();
    inputs.add(
        "workloads.inference.hbm_usable_fraction",
        "usable share of HBM (weights and KV cache)",
        "fraction",
        &ctx.defaults.hbm_usable_fraction,
    );
    let (inference, rates) = serving(&ctx, &mut inputs)?;
    let Months { runs, state, tiers, timeline, mut usage, mut warnings, .. } = Months::run(&ctx, &rates, ettr);
    usage.set_shares();
    let end_label = timeline.last().map(|r| r.month.clone()).unwrap_or_default();
    let training = training_results(&runs, &state, &end_label, &mut warnings);
    let gated = gated_features(&ctx.spec, &timeline);
    let chat_today = match ctx.spec.demand.as_ref().and_then(|d| d.today.as_ref().map(|t| (d, t))) {
        None => None,
        Some((ds, t)) => Some(chat_today(&ctx, ds, t, &mut warnings)?),
    };
    for w in &model.warnings {
        warnings.push(w.clone());
    }
    let records = inputs.into_records();
    Ok(Capacity {
        scenario: ScenarioInfo {
            name: model.name.clone(),
            description: model.description.clone(),
            file: model.source.name.clone(),
        },
        policy: ctx.spec.policy,
        calibration: ctx.cal,
        training,
        inference,
        tiers,
        timeline,
        gated_features: gated,
        usage,
        chat_today,
        assumptions: records.iter().filter(|r| !r.sourced).cloned().collect(),
        inputs: records,
        warnings,
    })
    .and_then(|c| overflowed(model, c))
}

/// `c`, or a located error when extreme inputs (each within the usable magnitudes, but multiplied
/// together or compounded over the timeline) overflow one of its numbers.
fn overflowed(model: &Model, c: Capacity) -> Result<Capacity, InputError> {
    let Err(at) = gigawatt_core::finite::check(&c) else { return Ok(c) };
    let root = KeyPath::root();
    // Point at the section whose inputs the number comes from.
    let path = match at.split('.').next().unwrap_or("") {
        "training" => at
            .split('.')
            .nth(1)
            .and_then(|i| i.trim_matches(['[', ']']).parse().ok())
            .map_or_else(|| root.key("training"), |i: usize| root.key("training").index(i)),
        "inference" => root.key("inference"),
        _ if model.source.text.contains("[demand") => root.key("demand"),
        _ => root,
    };
    Err(InputError::at(&model.source, &path, format!("the inputs overflow the capacity model's numbers: {at}"))
        .with_help("an input here is far outside what the model describes (check its growth, multipliers and sizes)"))
}

/// Decode and prefill tokens/s per GPU of each demanded model on each platform of the fleet, by
/// (model id, index in the fleet).
type Rates = BTreeMap<(String, usize), (f64, f64)>;

/// What every stage of a capacity run reads: the scenario and its workload sections, the plan at
/// central values, the fleet's platforms and the calibrated efficiency factors.
struct Context<'a> {
    model: &'a Model,
    catalog: &'a Catalog,
    models: ModelCatalog,
    defaults: WorkloadDefaults,
    spec: CapacitySpec,
    eval: Evaluation,
    load_factor: f64,
    /// Platform ids of the phases, in order of first appearance.
    fleet: Vec<String>,
    /// Their roofline specs, in the same order.
    specs: Vec<PlatformSpec>,
    cal: CalibrationResult,
}

impl<'a> Context<'a> {
    /// Reads the workload sections, evaluates the plan and calibrates the efficiency factors.
    fn read(model: &'a Model, catalog: &'a Catalog) -> Result<Context<'a>, InputError> {
        let models = ModelCatalog::bundled()?;
        let defaults = WorkloadDefaults::bundled()?;
        let spec: CapacitySpec = parse_sections(model, catalog, &models, &defaults)?;
        let eval = gigawatt_core::analysis::central(model);
        let values = model.params.central();
        let load_factor = values[model.costs.load_factor];
        let fleet: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for p in &eval.phases {
                if !v.contains(&p.platform) {
                    v.push(p.platform.clone());
                }
            }
            v
        };
        let specs: Vec<PlatformSpec> =
            fleet.iter().map(|id| platform_spec(catalog.get(id).expect("phases use catalog platforms"))).collect();
        let cal = calibration(catalog, &models, &defaults)?;
        Ok(Context { model, catalog, models, defaults, spec, eval, load_factor, fleet, specs, cal })
    }

    /// GPUs online per platform of the fleet and their facility power, MW, averaged over the
    /// `days` days from `start`.
    fn gpus_online(&self, start: Date, days: f64) -> (Vec<f64>, f64) {
        let mut online = vec![0.0; self.fleet.len()];
        let mut power_mw = 0.0;
        for d in 0..days as i64 {
            let day = start.add_days(d);
            for p in &self.eval.phases {
                let f = online_fraction(p, day);
                let pi = self.fleet.iter().position(|x| *x == p.platform).expect("fleet platform");
                online[pi] += f * p.gpus as f64 / days;
                power_mw += f * p.facility_power_mw / days;
            }
        }
        (online, power_mw)
    }
}

/// Serving each demanded model on each platform of the fleet: the results, and the rates the
/// monthly allocation runs on.
fn serving(ctx: &Context<'_>, inputs: &mut Inputs) -> Result<(Vec<InferenceResult>, Rates), InputError> {
    let mut inference = Vec::new();
    let mut rates = Rates::new();
    let Some(ds) = &ctx.spec.demand else { return Ok((inference, rates)) };
    let dm = &ds.demand;
    record_serving_inputs(ctx, inputs);
    for (m, tier_path) in &demanded_models(ds) {
        let arch = ctx.models.get(m).expect("validated");
        let dspec = ctx.spec.inference.for_model(m);
        let dep = deployment_of(dspec, dm.input_tokens_per_message, dm.output_tokens_per_message, &ctx.defaults);
        let path = if ctx.spec.inference.deployments.iter().any(|(x, _)| x == m) { &dspec.path } else { tier_path };
        for (pi, ps) in ctx.specs.iter().enumerate() {
            let result = serve_on(ctx, m, arch, &dep, path, ps)?;
            rates.insert((m.clone(), pi), (result.decode.tokens_per_s_per_gpu, result.prefill.tokens_per_s_per_gpu));
            inference.push(result);
        }
    }
    Ok((inference, rates))
}

/// Registers the serving inputs that do not come from the scenario: the HBM share, the
/// expert-parallel message size and each platform's scale-out bandwidth.
fn record_serving_inputs(ctx: &Context<'_>, inputs: &mut Inputs) {
    inputs.add(
        "workloads.inference.hbm_usable_fraction",
        "usable share of HBM (weights and KV cache)",
        "fraction",
        &ctx.defaults.hbm_usable_fraction,
    );
    inputs.add(
        "workloads.inference.benchmark.step_floor_us_per_layer",
        "shortest decode step per model layer",
        "µs",
        &ctx.defaults.benchmark.step_floor_us_per_layer,
    );
    inputs.add(
        "workloads.inference.ep_bytes_per_element",
        "bytes per element per expert-parallel send",
        "B",
        &ctx.defaults.ep_bytes_per_element,
    );
    for id in &ctx.fleet {
        if let Some(q) = ctx.catalog.get(id).and_then(|p| p.get(Field::ScaleOutGbS)) {
            inputs.add(
                &format!("catalog.{id}.scale_out_gb_s"),
                &format!("{id}: scale-out bandwidth per GPU"),
                "GB/s",
                q,
            );
        }
    }
}

/// Each model the tiers use, once, in order of first use, with where it was first named.
fn demanded_models(ds: &DemandSpec) -> Vec<(String, KeyPath)> {
    let mut used: Vec<(String, KeyPath)> = Vec::new();
    for (t, path) in ds.demand.tiers.iter().zip(&ds.tier_paths) {
        for (m, _) in &t.models {
            if !used.iter().any(|(x, _)| x == m) {
                used.push((m.clone(), path.key(m)));
            }
        }
    }
    used
}

/// Serving model `m` (`arch`, deployed as `dep`) on platform `ps`: tokens/s per GPU, per MW,
/// energy and cost per token; a serving problem is an error located at `path`.
fn serve_on(
    ctx: &Context<'_>,
    m: &str,
    arch: &ModelArch,
    dep: &Deployment,
    path: &KeyPath,
    ps: &PlatformSpec,
) -> Result<InferenceResult, InputError> {
    let (model, eff) = (ctx.model, ctx.cal.efficiency);
    let needs_net = (dep.decode_nodes > 1.0 || dep.prefill_nodes > 1.0) && ps.scale_out_gb_s <= 0.0;
    if needs_net {
        return Err(InputError::at(&model.source, path, format!("no scale-out bandwidth is known for `{}`, which expert parallelism across nodes needs", ps.id))
            .with_help("add scale_out_gb_s = { value = …, source = \"…\" } to the platform's file, or keep decode_nodes = prefill_nodes = 1"));
    }
    // The per-step latency floor applies here as in the benchmark mode, so an ITL target binds
    // even where the decode roofline is network-bound.
    let opts = ServeOptions { step_floor_s: crate::bench::step_floor_s(arch, &ctx.defaults), ..ServeOptions::NONE };
    let dr = decode_with(ps, arch, dep, eff, &opts, None).map_err(|e| serve_error(model, path, arch, ps, dep, e))?;
    let pr = prefill(ps, arch, dep, eff).map_err(|e| serve_error(model, path, arch, ps, dep, e))?;
    let tps = serving_rate(dr.tokens_per_s_per_gpu, pr.tokens_per_s_per_gpu, dep.input_tokens, dep.output_tokens);
    let ec = economics(&ctx.eval.phases, &ps.id, ctx.load_factor);
    let per_m = |usd_per_gpu_year: f64| usd_per_gpu_year / (tps * 365.0 * 86_400.0) * 1e6;
    let capex = per_m(ec.capex_usd_per_gpu_year);
    let energy = per_m(ec.energy_usd_per_gpu_year);
    Ok(InferenceResult {
        platform: ps.id.clone(),
        model: m.to_string(),
        precision: dep.precision,
        kv_precision: dep.kv_precision,
        input_tokens: dep.input_tokens,
        output_tokens: dep.output_tokens,
        tokens_per_s_per_gpu: tps,
        tokens_per_s_per_mw: tps * 1000.0 / ec.kw_per_gpu,
        kwh_per_million_tokens: ec.avg_kw_per_gpu / (tps * 3600.0) * 1e6,
        usd_per_million_tokens: capex + energy,
        capex_usd_per_million_tokens: capex,
        energy_usd_per_million_tokens: energy,
        decode: dr,
        prefill: pr,
    })
}

/// A training run's progress through the months.
#[derive(Default)]
struct RunState {
    done_flops: f64,
    gpu_hours: f64,
    max_gpus: f64,
    mfu_hours: f64,
    ettr_hours: f64,
    last_ettr: Option<Ettr>,
    started: Option<Date>,
    finish: Option<Date>,
    finish_days: f64,
    stalled_warned: bool,
    /// First day of each stage reached.
    stage_starts: Vec<Date>,
    /// The GPUs held, as change points.
    trajectory: Vec<TrajectoryPoint>,
}

impl RunState {
    /// Records that the run holds `gpus` from `day` (a point only when the count changes).
    fn hold(&mut self, day: Date, gpus: f64) {
        if self.trajectory.last().is_none_or(|p| (p.gpus - gpus).abs() > 1e-9 * gpus.max(1.0)) {
            self.trajectory.push(TrajectoryPoint { day, gpus, done_flops: self.done_flops });
        }
    }
}

/// The month-by-month allocation as it goes: the rows so far, each training run's progress,
/// where the GPU-hours went and the warnings raised.
struct Months<'c> {
    ctx: &'c Context<'c>,
    rates: &'c Rates,
    /// Training runs in priority (file) order.
    runs: Vec<&'c TrainingRun>,
    /// Their progress, in the same order.
    state: Vec<RunState>,
    /// Tier names in serving order.
    tiers: Vec<String>,
    timeline: Vec<MonthRow>,
    usage: Usage,
    warnings: Vec<String>,
}

/// One month's allocation, before it becomes a row of the timeline.
struct Month {
    label: String,
    days: f64,
    total_online: f64,
    h100_equivalents: gigawatt_core::plan::H100Equivalents,
    power_mw: f64,
    tier_demand: Vec<TierDemand>,
    alloc: MonthAllocation,
    by_run: BTreeMap<String, f64>,
    gate: Vec<Gate>,
    closes: bool,
}

impl<'c> Months<'c> {
    /// Allocates the fleet month by month, from the first month with GPUs online until the last
    /// phase is online, the last training run has started and the last demand point is passed,
    /// and then until every training run has finished (at most [`MAX_EXTRA_MONTHS`] more).
    fn run(ctx: &'c Context<'c>, rates: &'c Rates, ettr: &dyn EttrSource) -> Months<'c> {
        let first_day = ctx.eval.phases.iter().map(|p| p.ramp_start).min().expect("a scenario has phases");
        let (mut y, mut m) = first_day.year_month();
        // At most MAX_EXTRA_MONTHS past the last phase online, whatever a horizon, a launch or a
        // demand point far in the future asks (decades of compounding growth overflow).
        let last_online = ctx.eval.phases.iter().map(|p| p.online).max().expect("a scenario has phases");
        let cap = last_online.add_days((f64::from(MAX_EXTRA_MONTHS) * gigawatt_core::date::DAYS_PER_MONTH) as i64);
        let (ly, lm) = ctx.spec.horizon.unwrap_or_else(|| last_date(ctx)).min(cap).year_month();
        let runs: Vec<&TrainingRun> = ctx.spec.training.iter().map(|t| &t.run).collect();
        let state = runs.iter().map(|_| RunState::default()).collect();
        let tiers: Vec<String> =
            ctx.spec.demand.as_ref().map_or(Vec::new(), |d| d.demand.tiers.iter().map(|t| t.name.clone()).collect());
        let mut months = Months {
            ctx,
            rates,
            runs,
            state,
            tiers,
            timeline: Vec::new(),
            usage: Usage::default(),
            warnings: Vec::new(),
        };
        let mut extra = 0;
        loop {
            let month = months.allocate(y, m, ettr);
            if !months.record(month) {
                // Start at the first month with GPUs online.
                (y, m) = next_month(y, m);
                continue;
            }
            let past_build = (y, m) >= (ly, lm);
            if past_build {
                let pending = months.state.iter().any(|s| s.finish.is_none());
                if !pending || extra >= MAX_EXTRA_MONTHS || ctx.spec.horizon.is_some() {
                    break;
                }
                extra += 1;
            }
            (y, m) = next_month(y, m);
        }
        months
    }

    /// Splits month `m` of year `y` between inference and the training runs, **day by day**:
    /// each day the GPUs online that day (a phase counts from the day it is in service), the runs
    /// started by then and not yet finished, and the month's demand; a run that finishes during a
    /// day holds its GPUs for the part of the day it used, and the next run gets them from the
    /// next day. The month's row averages its days.
    fn allocate(&mut self, y: i32, m: u32, ettr: &dyn EttrSource) -> Month {
        let ctx = self.ctx;
        let (label, start, next) = month_bounds(y, m);
        let days = (next.days_since_epoch() - start.days_since_epoch()) as f64;
        let mid = start.add_days(14);
        let tier_demand: Vec<TierDemand> = ctx.spec.demand.as_ref().map_or(Vec::new(), |d| d.demand.at(mid));
        let loads = tier_loads(&tier_demand, ctx.fleet.len(), self.rates);
        let mut sum = MonthSum::new(ctx.fleet.len(), self.runs.len(), self.tiers.len());
        for d in 0..days as i64 {
            let day = start.add_days(d);
            let (online, power_mw) = ctx.gpus_online(day, 1.0);
            let active: Vec<usize> =
                (0..self.runs.len()).filter(|&r| self.state[r].finish.is_none() && self.runs[r].start <= day).collect();
            let requests = self.requests(&active);
            let alloc: MonthAllocation = allocate_month(&online, &loads, &requests, ctx.spec.policy);
            let used = self.train(&active, &alloc, &label, day, day.add_days(1), ettr);
            let (gate, closes) = features_to_gate(&tier_demand, &loads, &alloc);
            sum.add_day(&online, power_mw, &alloc, &active, &used, gate, closes);
        }
        let h100_equivalents = h100_equivalents(ctx, &sum.online_by_platform, days);
        let (total_online, power_mw, alloc, by_run_gpus, gate, closes) = sum.average(days);
        let by_run =
            self.runs.iter().zip(&by_run_gpus).filter(|(_, g)| **g > 0.0).map(|(r, g)| (r.name.clone(), *g)).collect();
        Month { label, days, total_online, h100_equivalents, power_mw, tier_demand, alloc, by_run, gate, closes }
    }

    /// What the `active` runs ask of this month's fleet.
    fn requests(&self, active: &[usize]) -> Vec<RunRequest> {
        active
            .iter()
            .map(|&r| RunRequest {
                request: match self.runs[r].stages[self.runs[r].stage_at(self.state[r].done_flops)].gpus {
                    GpuRequest::Count { gpus } => Request::Count(gpus),
                    GpuRequest::FleetShare { share } => Request::Share(share),
                },
                allowed: self
                    .ctx
                    .fleet
                    .iter()
                    .map(|id| self.runs[r].platform.as_deref().is_none_or(|p| p == id))
                    .collect(),
            })
            .collect()
    }

    /// Advances each of the `active` runs on the GPUs `alloc` gives it from `start` to `next`;
    /// returns, per active run, the share of that span it used them (1 unless it finished).
    fn train(
        &mut self,
        active: &[usize],
        alloc: &MonthAllocation,
        label: &str,
        start: Date,
        next: Date,
        ettr: &dyn EttrSource,
    ) -> Vec<f64> {
        let mut used = Vec::with_capacity(active.len());
        for (ai, &r) in active.iter().enumerate() {
            let g: f64 = alloc.training_gpus[ai].iter().sum();
            if g <= 0.0 {
                let st = &mut self.state[r];
                if st.started.is_some() {
                    st.hold(start, 0.0);
                }
                used.push(0.0);
                continue;
            }
            used.push(self.advance_run(r, &alloc.training_gpus[ai], label, start, next, ettr));
        }
        used
    }

    /// Advances run `r` on `gpus` (per platform) from `from` to `next`: its FLOPs done, GPU-hours,
    /// MFU and ETTR, and its finish day if it finishes. Returns the share of the span it used.
    fn advance_run(
        &mut self,
        r: usize,
        gpus: &[f64],
        label: &str,
        from: Date,
        next: Date,
        ettr: &dyn EttrSource,
    ) -> f64 {
        let run = self.runs[r];
        let g: f64 = gpus.iter().sum();
        let secs = (next.days_since_epoch() - from.days_since_epoch()) as f64 * 86_400.0;
        let e = ettr.ettr(run, g);
        // Useful FLOPs per second at 100% ETTR: Σ_p g_p · peak_p · MFU_p(g).
        let (achieved, mfu_gpus) = gpus.iter().zip(&self.ctx.specs).fold((0.0, 0.0), |(a, m), (gp, ps)| {
            let mfu_p = run.mfu.at(g, &ps.id);
            (a + gp * ps.peak_flops(run.precision).unwrap_or(0.0) * mfu_p, m + gp * mfu_p)
        });
        let mfu = mfu_gpus / g;
        let rate = achieved * e.ettr * run.overheads.factor();
        let st = &mut self.state[r];
        if e.ettr <= 0.0 && !st.stalled_warned {
            st.stalled_warned = true;
            self.warnings.push(format!(
                "training run `{}` makes no progress in {label} on {:.0} GPUs: its ETTR is 0 ({} interruption every {:.1} min outpaces restarts and checkpoints); give it faster restarts or fewer GPUs",
                run.name,
                g,
                if e.method == "closed_form" { "one" } else { "an" },
                e.job_mtbf_h.unwrap_or(0.0) * 60.0
            ));
        }
        st.started.get_or_insert(from);
        st.hold(from, g);
        while st.stage_starts.len() <= run.stage_at(st.done_flops) {
            st.stage_starts.push(from);
        }
        st.max_gpus = st.max_gpus.max(g);
        st.last_ettr = Some(e);
        let remaining = run.flops - st.done_flops;
        let used_secs = if rate > 0.0 && rate * secs >= remaining { remaining / rate } else { secs };
        st.done_flops += rate * used_secs;
        let hours = g * used_secs / 3600.0;
        st.gpu_hours += hours;
        st.mfu_hours += mfu * hours;
        st.ettr_hours += e.ettr * hours;
        if rate > 0.0 && used_secs < secs || st.done_flops >= run.flops * (1.0 - 1e-12) {
            st.done_flops = run.flops;
            let exact = from.days_since_epoch() as f64 + used_secs / 86_400.0;
            st.finish = Some(Date::from_days_since_epoch(exact.floor() as i64));
            st.finish_days = exact;
        }
        if secs > 0.0 { used_secs / secs } else { 0.0 }
    }

    /// Adds `month` to the timeline and its GPU-hours to the usage; false (and nothing added)
    /// while no GPUs have come online yet.
    fn record(&mut self, month: Month) -> bool {
        let Month { label, days, total_online, h100_equivalents, power_mw, tier_demand, alloc, by_run, gate, closes } =
            month;
        let inference_gpus: f64 = alloc.inference_gpus.iter().sum();
        let training_gpus: f64 = alloc.training_gpus.iter().flatten().sum();
        let hours = days * 24.0;
        let idle = (total_online - inference_gpus - training_gpus).max(0.0) + inference_gpus * alloc.spare_fraction;
        if self.timeline.is_empty() && total_online < 0.5 {
            return false;
        }
        self.usage.gpu_hours_online += total_online * hours;
        self.usage.training_gpu_hours += training_gpus * hours;
        self.usage.inference_gpu_hours += inference_gpus * (1.0 - alloc.spare_fraction) * hours;
        self.usage.idle_gpu_hours += idle * hours;
        self.timeline.push(MonthRow {
            month: label,
            gpus_online: total_online,
            h100_equivalents_online: h100_equivalents,
            inference_gpus,
            training_gpus,
            idle_gpus: idle,
            power_online_mw: power_mw,
            capacity_tokens_per_s: alloc.capacity_tokens_per_s,
            demand_tokens_per_s: tier_demand.iter().map(|t| t.average_tokens_per_s).sum(),
            peak_demand_tokens_per_s: tier_demand.iter().map(|t| t.peak_tokens_per_s).sum(),
            served_tokens_per_s: alloc.served.iter().sum(),
            unmet_tokens_per_s_by_tier: self.tiers.iter().cloned().zip(alloc.unmet.iter().copied()).collect(),
            demand_tokens_per_s_by_tier: tier_demand.iter().map(|t| (t.tier.clone(), t.average_tokens_per_s)).collect(),
            peak_demand_tokens_per_s_by_tier: tier_demand
                .iter()
                .map(|t| (t.tier.clone(), t.peak_tokens_per_s))
                .collect(),
            gate,
            gating_closes_gap: closes,
            training_gpus_by_run: by_run,
        });
        true
    }
}

/// The month's average GPUs online (summed over `days` days by platform) in H100s of equal dense
/// BF16 and FP8 peak (`None` in a format no platform of the fleet has, or without the H100).
fn h100_equivalents(ctx: &Context<'_>, online_sum: &[f64], days: f64) -> gigawatt_core::plan::H100Equivalents {
    let Some(h) = ctx.model.h100 else { return gigawatt_core::plan::H100Equivalents::default() };
    let count = |peak: fn(&PlatformSpec) -> Option<f64>, h100_tflops: f64| {
        let mut any = false;
        let tflops: f64 = ctx
            .specs
            .iter()
            .zip(online_sum)
            .filter_map(|(ps, g)| {
                peak(ps).map(|p| {
                    any = true;
                    p * g / days.max(1.0)
                })
            })
            .sum();
        any.then(|| if h100_tflops > 0.0 { tflops / h100_tflops } else { 0.0 })
    };
    gigawatt_core::plan::H100Equivalents {
        bf16: count(|p| p.bf16_tflops, h.bf16_dense_tflops),
        fp8: count(|p| p.fp8_tflops, h.fp8_dense_tflops),
    }
}

/// A month's days summed: GPUs online, power, the split (training GPUs weighted by the share of
/// the day each run used them), GPUs by run, and the gates of its worst day.
struct MonthSum {
    online: f64,
    online_by_platform: Vec<f64>,
    power_mw: f64,
    inference: Vec<f64>,
    training: Vec<Vec<f64>>,
    served: Vec<f64>,
    unmet: Vec<f64>,
    capacity: f64,
    spare_gpus: f64,
    by_run: Vec<f64>,
    worst: Option<(f64, Vec<Gate>, bool)>,
}

impl MonthSum {
    fn new(platforms: usize, runs: usize, tiers: usize) -> MonthSum {
        MonthSum {
            online: 0.0,
            online_by_platform: vec![0.0; platforms],
            power_mw: 0.0,
            inference: vec![0.0; platforms],
            training: vec![vec![0.0; platforms]; runs],
            served: vec![0.0; tiers],
            unmet: vec![0.0; tiers],
            capacity: 0.0,
            spare_gpus: 0.0,
            by_run: vec![0.0; runs],
            worst: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_day(
        &mut self,
        online: &[f64],
        power_mw: f64,
        a: &MonthAllocation,
        active: &[usize],
        used: &[f64],
        gate: Vec<Gate>,
        closes: bool,
    ) {
        self.online += online.iter().sum::<f64>();
        for (s, g) in self.online_by_platform.iter_mut().zip(online) {
            *s += g;
        }
        self.power_mw += power_mw;
        for (s, g) in self.inference.iter_mut().zip(&a.inference_gpus) {
            *s += g;
        }
        for (ai, &r) in active.iter().enumerate() {
            for (s, g) in self.training[r].iter_mut().zip(&a.training_gpus[ai]) {
                *s += g * used[ai];
            }
            self.by_run[r] += a.training_gpus[ai].iter().sum::<f64>() * used[ai];
        }
        for (s, x) in self.served.iter_mut().zip(&a.served) {
            *s += x;
        }
        for (s, x) in self.unmet.iter_mut().zip(&a.unmet) {
            *s += x;
        }
        self.capacity += a.capacity_tokens_per_s;
        self.spare_gpus += a.spare_fraction * a.inference_gpus.iter().sum::<f64>();
        let unmet: f64 = a.unmet.iter().sum();
        if self.worst.as_ref().is_none_or(|w| unmet > w.0) {
            self.worst = Some((unmet, gate, closes));
        }
    }

    /// The month's averages over `days` days: GPUs online, power, the split, GPUs by run, and the
    /// worst day's gates.
    fn average(self, days: f64) -> (f64, f64, MonthAllocation, Vec<f64>, Vec<Gate>, bool) {
        let k = 1.0 / days.max(1.0);
        let scale = |v: Vec<f64>| v.into_iter().map(|x| x * k).collect::<Vec<f64>>();
        let inference = scale(self.inference);
        let total_inference: f64 = inference.iter().sum();
        let spare = if total_inference > 0.0 { self.spare_gpus * k / total_inference } else { 0.0 };
        let (gate, closes) = self.worst.map_or((Vec::new(), true), |w| (w.1, w.2));
        let alloc = MonthAllocation {
            inference_gpus: inference,
            training_gpus: self.training.into_iter().map(scale).collect(),
            served: scale(self.served),
            unmet: scale(self.unmet),
            capacity_tokens_per_s: self.capacity * k,
            spare_fraction: spare,
        };
        (self.online * k, self.power_mw * k, alloc, scale(self.by_run), gate, closes)
    }
}

/// The last date the timeline must cover without a horizon: the last phase online, the last
/// training start, and the last demand date (a user count or a feature's launch).
fn last_date(ctx: &Context<'_>) -> Date {
    let last_online = ctx.eval.phases.iter().map(|p| p.online).max().expect("a scenario has phases");
    let starts = ctx.spec.training.iter().map(|t| t.run.start);
    let demand = ctx
        .spec
        .demand
        .iter()
        .flat_map(|d| d.demand.users.iter().map(|u| u.date).chain(d.demand.features.iter().filter_map(|f| f.from)));
    starts.chain(demand).fold(last_online, Date::max)
}

/// Each tier's peak demand and its GPU-seconds per output token on each of `platforms`
/// platforms, at the tier's model mix.
fn tier_loads(tier_demand: &[TierDemand], platforms: usize, rates: &Rates) -> Vec<TierLoad> {
    tier_demand
        .iter()
        .map(|td| TierLoad {
            demand: td.peak_tokens_per_s,
            cost: (0..platforms)
                .map(|pi| {
                    let out: f64 = td.by_model.iter().map(|l| l.output_tokens_per_s).sum();
                    let secs: f64 = td
                        .by_model
                        .iter()
                        .map(|l| {
                            let (dec, pre) = rates[&(l.model.clone(), pi)];
                            if out > 0.0 { l.output_tokens_per_s / dec + l.input_tokens_per_s / pre } else { 0.0 }
                        })
                        .sum();
                    if out > 0.0 { secs / out } else { f64::INFINITY }
                })
                .collect(),
        })
        .collect()
}

/// Features to gate until the gap closes, lowest-priority tier first, and whether gating them
/// closes it.
fn features_to_gate(tier_demand: &[TierDemand], loads: &[TierLoad], alloc: &MonthAllocation) -> (Vec<Gate>, bool) {
    let mut gate = Vec::new();
    let mut closes = true;
    let deficit: f64 = loads
        .iter()
        .zip(&alloc.unmet)
        .map(|(l, u)| {
            let c = tier_capacity(&alloc.inference_gpus, &l.cost);
            if c > 0.0 {
                u / c
            } else if *u > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        })
        .sum();
    if deficit > 1e-12 {
        let mut freed = 0.0;
        'tiers: for (ti, td) in tier_demand.iter().enumerate().rev() {
            let c = tier_capacity(&alloc.inference_gpus, &loads[ti].cost);
            let mut feats = td.feature_extra_peak_tokens_per_s.clone();
            feats.sort_by(|a, b| b.1.total_cmp(&a.1));
            for (f, extra_tps) in feats {
                if extra_tps <= 0.0 {
                    continue;
                }
                gate.push(Gate { tier: td.tier.clone(), feature: f, tokens_per_s: extra_tps });
                freed += if c > 0.0 { extra_tps / c } else { 0.0 };
                if freed >= deficit {
                    break 'tiers;
                }
            }
        }
        closes = freed >= deficit;
    }
    (gate, closes)
}

impl Usage {
    /// Sets the shares of the GPU-hours online from the hours.
    fn set_shares(&mut self) {
        if self.gpu_hours_online > 0.0 {
            self.training_share = self.training_gpu_hours / self.gpu_hours_online;
            self.inference_share = self.inference_gpu_hours / self.gpu_hours_online;
            self.idle_share = self.idle_gpu_hours / self.gpu_hours_online;
        }
    }
}

/// Each training run's outcome, with a warning for each run unfinished at the end of the
/// timeline (`end_label`).
fn training_results(
    runs: &[&TrainingRun],
    state: &[RunState],
    end_label: &str,
    warnings: &mut Vec<String>,
) -> Vec<TrainingResult> {
    runs.iter()
        .zip(state)
        .map(|(run, st)| {
            if st.finish.is_none() {
                warnings.push(if st.started.is_none() {
                    format!("training run `{}` never gets GPUs by {end_label}", run.name)
                } else {
                    format!(
                        "training run `{}` is {:.0}% done at the end of the timeline ({end_label})",
                        run.name,
                        100.0 * st.done_flops / run.flops
                    )
                });
            }
            training_result(run, st)
        })
        .collect()
}

/// One training run's outcome from its progress.
fn training_result(run: &TrainingRun, st: &RunState) -> TrainingResult {
    let hours = st.gpu_hours.max(f64::MIN_POSITIVE);
    let ettr = st.last_ettr.map_or(Ettr::plain(0.0, "none"), |e| Ettr { ettr: st.ettr_hours / hours, ..e });
    TrainingResult {
        name: run.name.clone(),
        model: run.model.clone(),
        params_active: run.params_active,
        tokens: run.tokens,
        precision: run.precision,
        attention_flops: match run.attention {
            crate::training::AttentionFlops::None => "none".into(),
            crate::training::AttentionFlops::Full { seq_len } => format!("full at {seq_len} tokens"),
            crate::training::AttentionFlops::Causal { seq_len } => format!("causal at {seq_len} tokens"),
        },
        flops: run.flops,
        gpus: st.max_gpus,
        gpu_hours: st.gpu_hours,
        mfu: st.mfu_hours / hours,
        ettr,
        overheads: run.overheads,
        overhead_factor: run.overheads.factor(),
        start: run.start,
        started: st.started,
        wall_days: match (st.started, st.finish) {
            (Some(a), Some(_)) => Some(st.finish_days - a.days_since_epoch() as f64),
            _ => None,
        },
        stage_starts: if run.stages.len() > 1 { st.stage_starts.clone() } else { Vec::new() },
        finish: st.finish,
        progress: st.done_flops / run.flops,
        trajectory: st.trajectory.clone(),
    }
}

/// The features gated over the timeline, each with its first and last month gated.
fn gated_features(spec: &CapacitySpec, timeline: &[MonthRow]) -> Vec<GatedFeature> {
    let mut gated: Vec<GatedFeature> = Vec::new();
    for row in timeline {
        for g in &row.gate {
            match gated.iter_mut().find(|x| x.tier == g.tier && x.feature == g.feature) {
                Some(x) => {
                    x.until = row.month.clone();
                    x.months += 1;
                }
                None => {
                    let launch = spec
                        .demand
                        .as_ref()
                        .and_then(|d| d.demand.features.iter().find(|f| f.name == g.feature))
                        .and_then(|f| f.from);
                    let delayed_launch =
                        launch.is_some_and(|l| format!("{}-{:02}", l.year_month().0, l.year_month().1) == row.month);
                    gated.push(GatedFeature {
                        tier: g.tier.clone(),
                        feature: g.feature.clone(),
                        from: row.month.clone(),
                        until: row.month.clone(),
                        months: 1,
                        delayed_launch,
                    });
                }
            }
        }
    }
    gated
}

/// How much of the fleet today's text chat (`[demand.today]`) needs.
fn chat_today(
    ctx: &Context<'_>,
    ds: &DemandSpec,
    t: &crate::spec::TodaySpec,
    warnings: &mut Vec<String>,
) -> Result<ChatToday, InputError> {
    let (model, catalog, defaults, fleet, phases) =
        (ctx.model, ctx.catalog, &ctx.defaults, &ctx.specs, &ctx.eval.phases);
    let (eff, load_factor) = (ctx.cal.efficiency, ctx.load_factor);
    let dm = &ds.demand;
    let arch = ctx.models.get(&t.model).expect("validated");
    let users = dm.weekly_users(t.date);
    let messages = users * dm.messages_per_user_per_day;
    let avg = messages * dm.output_tokens_per_message / 86_400.0;
    let peak = avg * dm.peak_to_average;
    let fleet_dspec = ctx.spec.inference.for_model(&t.model);
    let ref_dspec = DeploymentSpec { precision: t.precision, kv_precision: t.kv_precision, ..fleet_dspec.clone() };
    let rate = |ps: &PlatformSpec, dspec: &DeploymentSpec| -> Result<f64, InputError> {
        let dep = deployment_of(dspec, dm.input_tokens_per_message, dm.output_tokens_per_message, defaults);
        let dr = decode(ps, arch, &dep, eff).map_err(|e| serve_error(model, &t.path, arch, ps, &dep, e))?;
        let pr = prefill(ps, arch, &dep, eff).map_err(|e| serve_error(model, &t.path, arch, ps, &dep, e))?;
        Ok(serving_rate(dr.tokens_per_s_per_gpu, pr.tokens_per_s_per_gpu, dep.input_tokens, dep.output_tokens))
    };
    let rp = catalog.get(&t.reference_platform).expect("validated");
    let rspec = platform_spec(rp);
    let values = model.params.central();
    let kw_ref = rp.central(Field::SystemPowerKw).unwrap_or(0.0) / rp.count(Field::PackagesPerSystem).max(1) as f64
        * values[model.costs.it_overhead]
        * model.phases.first().map_or(1.0, |p| values[p.pue]);
    let ref_rate = rate(&rspec, &ref_dspec)?;
    let ref_gpus = peak / ref_rate;
    let fleet_spec = &fleet[0];
    let fleet_rate = rate(fleet_spec, fleet_dspec)?;
    let fleet_gpus = peak / fleet_rate;
    let ec = economics(phases, &fleet_spec.id, load_factor);
    let fleet_power: f64 = phases.iter().map(|p| p.facility_power_mw).sum();
    let wh = kw_ref * load_factor * 1000.0 / (ref_rate * 3600.0) * dm.output_tokens_per_message;
    if !(0.034..=3.4).contains(&wh) {
        warnings.push(format!(
            "energy per chat message on {} comes out at {wh:.2} Wh, more than 10× from Altman's 0.34 Wh",
            rp.id
        ));
    }
    Ok(ChatToday {
        date: t.date,
        weekly_users: users,
        messages_per_day: messages,
        output_tokens_per_message: dm.output_tokens_per_message,
        average_tokens_per_s: avg,
        peak_tokens_per_s: peak,
        model: t.model.clone(),
        reference_platform: rp.id.clone(),
        reference_gpus: ref_gpus,
        reference_mw: ref_gpus * kw_ref / 1000.0,
        reference_wh_per_message: wh,
        fleet_gpus,
        fleet_mw: fleet_gpus * ec.kw_per_gpu / 1000.0,
        fleet_platform: fleet_spec.id.clone(),
        share_of_fleet_power: fleet_gpus * ec.kw_per_gpu / 1000.0 / fleet_power,
        fleet_power_mw: fleet_power,
    })
}

impl MonthRow {
    /// Peak demand left unmet that month, all tiers together, output tokens/s.
    pub fn unmet_tokens_per_s(&self) -> f64 {
        self.unmet_tokens_per_s_by_tier.values().sum()
    }
}

impl Capacity {
    /// The headline figures the run history stores and compares: per training run its FLOPs,
    /// GPUs, GPU-hours, wall-clock days and ETTR; per served (platform, model) its tokens/s per
    /// GPU and cost per million tokens; the largest unmet peak demand and the months with any;
    /// the split of GPU-hours; and today's chat as a share of the fleet. Keys follow the JSON
    /// (`training[frontier pre-training A].wall_days`).
    pub fn figures(&self) -> Vec<gigawatt_core::Figure> {
        use gigawatt_core::Figure;
        let mut out = Vec::new();
        for t in &self.training {
            let key = |k: &str| format!("training[{}].{k}", t.name);
            let label = |l: &str| format!("{}: {l}", t.name);
            out.push(Figure::new(&key("flops"), &label("training FLOPs"), "FLOP", t.flops));
            out.push(Figure::new(&key("gpus"), &label("GPUs"), "GPUs", t.gpus));
            out.push(Figure::new(&key("gpu_hours"), &label("GPU-hours"), "GPU-h", t.gpu_hours));
            if let Some(d) = t.wall_days {
                out.push(Figure::new(&key("wall_days"), &label("wall-clock days"), "days", d));
            }
            out.push(Figure::new(&key("ettr.ettr"), &label("ETTR"), "fraction", t.ettr.ettr));
            out.push(Figure::new(&key("progress"), &label("share done by the end"), "fraction", t.progress));
        }
        for i in &self.inference {
            let key = |k: &str| format!("inference[{} {}].{k}", i.platform, i.model);
            let label = |l: &str| format!("{} on {}: {l}", i.model, i.platform);
            out.push(Figure::new(
                &key("tokens_per_s_per_gpu"),
                &label("tokens/s per GPU"),
                "tokens/s",
                i.tokens_per_s_per_gpu,
            ));
            out.push(Figure::new(
                &key("usd_per_million_tokens"),
                &label("cost per million tokens"),
                "USD",
                i.usd_per_million_tokens,
            ));
        }
        let u = &self.usage;
        out.push(Figure::new("usage.training_share", "GPU-hours to training", "fraction", u.training_share));
        out.push(Figure::new("usage.inference_share", "GPU-hours to inference at peak", "fraction", u.inference_share));
        out.push(Figure::new("usage.idle_share", "GPU-hours idle", "fraction", u.idle_share));
        if let Some(c) = &self.chat_today {
            out.push(Figure::new("chat_today.fleet_mw", "today's text chat on the fleet", "MW", c.fleet_mw));
            out.push(Figure::new(
                "chat_today.share_of_fleet_power",
                "today's text chat, share of the fleet's power",
                "fraction",
                c.share_of_fleet_power,
            ));
        }
        if self.tiers.is_empty() {
            return out;
        }
        let worst = self.timeline.iter().map(MonthRow::unmet_tokens_per_s).fold(0.0, f64::max);
        let short = self.timeline.iter().filter(|r| r.unmet_tokens_per_s() > 0.0).count();
        out.push(Figure::new("timeline.max_unmet_tokens_per_s", "largest unmet peak demand", "tokens/s", worst));
        out.push(Figure::new("timeline.months_short", "months with unmet peak demand", "count", short as f64));
        if let Some(last) = self.timeline.last() {
            out.push(Figure::new(
                "timeline[last].capacity_tokens_per_s",
                &format!("inference capacity in {}", last.month),
                "tokens/s",
                last.capacity_tokens_per_s,
            ));
            out.push(Figure::new(
                "timeline[last].peak_demand_tokens_per_s",
                &format!("peak demand in {}", last.month),
                "tokens/s",
                last.peak_demand_tokens_per_s,
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(id: &str) -> PlatformSpec {
        platform_spec(Catalog::bundled().unwrap().get(id).unwrap())
    }

    #[test]
    fn a_model_that_does_not_fit_gets_only_the_remedies_that_apply() {
        // Already at fp8 on H100, which has no fp4: no smaller precision to suggest.
        let h100 = fit_remedies(false, &spec("h100-hgx"), Precision::Fp8);
        assert!(!h100.contains("precision"), "{h100}");
        assert!(h100.contains("more memory per NVLink domain than h100-hgx"), "{h100}");
        // bf16 on H100: fp8 only.
        assert!(
            fit_remedies(false, &spec("h100-hgx"), Precision::Bf16).starts_with("use a smaller precision (fp8) in")
        );
        // fp8 on B200: fp4; a mixture of experts may also spread its experts.
        let b200 = fit_remedies(true, &spec("b200-hgx"), Precision::Fp8);
        assert!(b200.starts_with("use a smaller precision (fp4)"), "{b200}");
        assert!(b200.contains("spread the experts"), "{b200}");
        // fp4 already: nothing smaller.
        assert!(!fit_remedies(true, &spec("b200-hgx"), Precision::Fp4).contains("precision"));
    }
}
