//! The benchmark mode (`gigawatt inference`): one model served on one platform at fixed input and
//! output lengths — at a concurrency, at an interactivity target (tokens/s per user), at the
//! memory-limited batch, or swept into the Pareto curve of throughput per GPU against tokens/s per
//! user that MLPerf Inference and InferenceMAX report.
//!
//! It evaluates the roofline of [`crate::inference`] with three refinements ([`ServeOptions`]):
//! separate precisions for weights, KV cache and attention; a per-step latency floor
//! (`layers × step_floor_us_per_layer`); and a share of input tokens served from the prompt cache.
//! Its efficiency factors are the geometric mean, per stage, of measured ÷ roofline over every
//! calibration point of `catalog/workloads.toml`; every point (calibration and validation) is
//! reported with the model's figure and the gap. See `docs/models/inference.md`.
//!
//! ```text
//! η_stage        = exp(mean_i ln(measured_i / roofline_i))           over the stage's calibration points
//! t_step(B)      = max(roofline_step(B) / η_decode, layers · floor)
//! tokens/s/user  = 1 / t_step        decode tokens/s/GPU = B / (t_step · G)
//! tokens/s/GPU   = 1 / (1/decode + (1 − h) · input/output / prefill)   (prefill GPUs counted)
//! TTFT           = (1 − h) · input / (prefill per GPU · tp)          (one tensor-parallel group, no queue)
//! tokens/s per MW = serving · 1000 / (system kW / packages per system)   (IT power)
//! ```

use gigawatt_core::analysis::InputRecord;
use gigawatt_core::catalog::Field;
use gigawatt_core::error::{InputError, closest};
use gigawatt_core::{Catalog, Platform};
use serde::Serialize;

use crate::capacity::platform_spec;
use crate::defaults::{Anchor, Role, Stage, WorkloadDefaults};
use crate::inference::{
    Bound, DecodeResult, Deployment, Efficiency, PlatformSpec, PrefillResult, ServeError, ServeOptions, decode_with,
    prefill_with, serving_rate,
};
use crate::models::{ModelArch, ModelCatalog};
use crate::parse::Inputs;
use crate::precision::Precision;

/// How loaded the decode replica is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "mode", content = "value", rename_all = "snake_case")]
pub enum Load {
    /// The largest batch memory holds.
    Max,
    /// This many requests in flight per decode replica.
    Concurrency(f64),
    /// The largest batch that still gives each request this many output tokens/s.
    TpsUser(f64),
}

/// What to benchmark.
#[derive(Clone, Debug, Serialize)]
pub struct BenchRequest {
    /// Model id (`catalog/models`).
    pub model: String,
    /// Platform id (the catalog).
    pub platform: String,
    /// Weight (matmul) precision.
    pub precision: Precision,
    /// KV-cache precision.
    pub kv_precision: Precision,
    /// Attention precision.
    pub attention_precision: Precision,
    /// Input tokens per request.
    pub input_tokens: f64,
    /// Output tokens per request.
    pub output_tokens: f64,
    /// Share of input tokens served from the prompt cache (`None`: the bundled default).
    pub cache_hit_share: Option<f64>,
    /// The load.
    pub load: Load,
    /// NVLink domains per decode replica.
    pub decode_nodes: f64,
    /// NVLink domains per prefill replica.
    pub prefill_nodes: f64,
    /// Tensor-parallel degree of the dense part (`None`: the NVLink domain).
    pub tensor_parallel: Option<f64>,
    /// Also give the Pareto curve.
    pub sweep: bool,
}

/// One operating point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchPoint {
    /// Requests in flight per decode replica.
    pub concurrency: f64,
    /// Output tokens/s per GPU, the prefill GPUs the inputs need counted.
    pub tokens_per_s_per_gpu: f64,
    /// Output tokens/s per decode GPU.
    pub decode_tokens_per_s_per_gpu: f64,
    /// Output tokens/s each request sees (1 / ITL).
    pub tokens_per_s_per_user: f64,
    /// Output tokens/s per MW of IT power.
    pub tokens_per_s_per_mw: f64,
    /// Time to first token, ms (prefill of one prompt, no queueing).
    pub ttft_ms: f64,
    /// Inter-token latency (decode step), ms.
    pub itl_ms: f64,
    /// What sets the decode step.
    pub bound: Bound,
}

/// One published measurement against the model.
#[derive(Clone, Debug, Serialize)]
pub struct AnchorResult {
    /// Its id.
    pub id: String,
    /// What was measured.
    pub label: String,
    /// Calibration or validation.
    pub role: Role,
    /// The stage.
    pub stage: Stage,
    /// Measured tokens/s per GPU.
    pub measured: f64,
    /// The roofline's (η = 1).
    pub roofline: f64,
    /// The model's, with the calibrated factors.
    pub model: f64,
    /// model ÷ measured − 1.
    pub gap: f64,
    /// Where it was published.
    pub sources: Vec<String>,
}

/// The benchmark mode's calibration: the factors and every point behind or beside them.
#[derive(Clone, Debug, Serialize)]
pub struct BenchCalibration {
    /// The factors (geometric mean per stage over the calibration points).
    pub efficiency: Efficiency,
    /// Every point, calibration first.
    pub anchors: Vec<AnchorResult>,
}

/// The whole result of `gigawatt inference`.
#[derive(Clone, Debug, Serialize)]
pub struct Benchmark {
    /// What was asked.
    pub request: BenchRequest,
    /// The model's display name.
    pub model_name: String,
    /// Share of input tokens served from cache (the request's, else the default).
    pub cache_hit_share: f64,
    /// GPUs per decode replica.
    pub decode_gpus_per_replica: f64,
    /// GPUs per prefill replica.
    pub prefill_gpus_per_replica: f64,
    /// Largest decode batch HBM holds, per replica.
    pub batch_memory_limit: f64,
    /// The per-step latency floor, ms.
    pub step_floor_ms: f64,
    /// IT power per GPU, kW.
    pub kw_per_gpu: f64,
    /// Input tokens/s per prefill GPU (uncached tokens).
    pub prefill_tokens_per_s_per_gpu: f64,
    /// What bounds prefill.
    pub prefill_bound: Bound,
    /// The operating point asked for.
    pub point: BenchPoint,
    /// The Pareto curve (with `--sweep`), highest tokens/s per user first.
    pub pareto: Vec<BenchPoint>,
    /// The calibration.
    pub calibration: BenchCalibration,
    /// Every input used, with provenance.
    pub inputs: Vec<InputRecord>,
    /// The inputs that rest on assumptions.
    pub assumptions: Vec<InputRecord>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

/// Everything one evaluation needs.
struct Setup<'a> {
    spec: PlatformSpec,
    arch: &'a ModelArch,
    dep: Deployment,
    opts: ServeOptions,
    eff: Efficiency,
    prefill: PrefillResult,
    kw_per_gpu: f64,
    ttft_gpus: f64,
}

/// Runs the benchmark.
pub fn benchmark(catalog: &Catalog, req: &BenchRequest) -> Result<Benchmark, InputError> {
    let models = ModelCatalog::bundled()?;
    let defaults = WorkloadDefaults::bundled()?;
    let platform = known_platform(catalog, &req.platform)?;
    let arch = known_model(&models, &req.model)?;
    check_request(req)?;
    let calibration = calibrate_anchors(catalog, &models, &defaults)?;
    let cache_hit_share = req.cache_hit_share.unwrap_or(defaults.benchmark.cache_hit_share.estimate.central);
    let opts = ServeOptions {
        attention_precision: Some(req.attention_precision),
        step_floor_s: step_floor_s(arch, &defaults),
        cache_hit_share,
    };
    let dep = deployment(req, &defaults);
    let setup = setup(platform, arch, dep, opts, calibration.efficiency)?;
    let (point, dr) = operating_point(&setup, req)?;
    let pareto = if req.sweep { pareto(&sweep_points(&setup, dr.batch_memory_limit)?) } else { Vec::new() };
    let mut warnings = Vec::new();
    if let Load::Concurrency(c) = req.load
        && c > dr.batch_memory_limit
    {
        warnings.push(format!(
            "a concurrency of {c} does not fit: HBM holds {} requests per decode replica, the batch used",
            dr.batch_memory_limit
        ));
    }
    let inputs = record_inputs(&models, &defaults, platform, req)?;
    Ok(Benchmark {
        request: req.clone(),
        model_name: arch.name.clone(),
        cache_hit_share,
        decode_gpus_per_replica: dr.gpus_per_replica,
        prefill_gpus_per_replica: setup.prefill.gpus_per_replica,
        batch_memory_limit: dr.batch_memory_limit,
        step_floor_ms: opts.step_floor_s * 1000.0,
        kw_per_gpu: setup.kw_per_gpu,
        prefill_tokens_per_s_per_gpu: setup.prefill.tokens_per_s_per_gpu,
        prefill_bound: setup.prefill.bound,
        point,
        pareto,
        calibration,
        assumptions: inputs.iter().filter(|r| !r.sourced).cloned().collect(),
        inputs,
        warnings,
    })
}

fn known_platform<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Platform, InputError> {
    catalog.get(id).ok_or_else(|| {
        let list = catalog.ids().collect::<Vec<_>>().join(", ");
        let err = InputError::new(format!("unknown platform `{id}`"));
        match closest(id, catalog.ids()) {
            Some(best) => err.with_help(format!("did you mean `{best}`? Known platforms: {list}")),
            None => err.with_help(format!("known platforms: {list}")),
        }
    })
}

fn known_model<'m>(models: &'m ModelCatalog, id: &str) -> Result<&'m ModelArch, InputError> {
    models.get(id).ok_or_else(|| {
        let ids = || models.models.iter().map(|m| m.id.as_str());
        let list = ids().collect::<Vec<_>>().join(", ");
        let err = InputError::new(format!("unknown model `{id}`"));
        match closest(id, ids()) {
            Some(best) => err.with_help(format!("did you mean `{best}`? Known models: {list}")),
            None => err.with_help(format!("known models: {list}")),
        }
    })
}

/// Refuses values the model cannot take: non-positive lengths, loads, node counts; shares outside [0, 1).
fn check_request(req: &BenchRequest) -> Result<(), InputError> {
    let positive = |name: &str, x: f64, help: &str| {
        if x.is_finite() && x > 0.0 {
            Ok(())
        } else {
            Err(InputError::new(format!("{name} must be above 0, found {x}")).with_help(help.to_string()))
        }
    };
    positive("--isl", req.input_tokens, "give the input tokens per request, e.g. --isl 1024")?;
    positive("--osl", req.output_tokens, "give the output tokens per request, e.g. --osl 1024")?;
    match req.load {
        Load::Concurrency(c) if !(c.is_finite() && c >= 1.0) => {
            return Err(InputError::new(format!("--concurrency must be at least 1, found {c}"))
                .with_help("give the requests in flight per decode replica, e.g. --concurrency 64"));
        }
        Load::TpsUser(x) => positive("--tps-user", x, "give output tokens/s per user, e.g. --tps-user 50")?,
        _ => {}
    }
    for (name, n) in [("--decode-nodes", req.decode_nodes), ("--prefill-nodes", req.prefill_nodes)] {
        if !(n.is_finite() && n >= 1.0) {
            return Err(InputError::new(format!("{name} must be at least 1, found {n}"))
                .with_help("give NVLink domains per replica, e.g. 1"));
        }
    }
    if let Some(h) = req.cache_hit_share
        && !(h.is_finite() && (0.0..1.0).contains(&h))
    {
        return Err(InputError::new(format!("--cache-hit must be at least 0 and below 1, found {h}"))
            .with_help("give the share of input tokens served from the prompt cache, e.g. 0.5"));
    }
    Ok(())
}

/// The per-step latency floor of `arch`, s.
/// The shortest decode step of `arch`: its layers × the per-layer floor of `[inference.benchmark]`.
pub fn step_floor_s(arch: &ModelArch, d: &WorkloadDefaults) -> f64 {
    arch.layers * d.benchmark.step_floor_us_per_layer.estimate.central * 1e-6
}

fn deployment(req: &BenchRequest, d: &WorkloadDefaults) -> Deployment {
    Deployment {
        precision: req.precision,
        kv_precision: req.kv_precision,
        input_tokens: req.input_tokens,
        output_tokens: req.output_tokens,
        itl_ms: match req.load {
            Load::TpsUser(x) => Some(1000.0 / x),
            _ => None,
        },
        decode_nodes: req.decode_nodes,
        prefill_nodes: req.prefill_nodes,
        tensor_parallel: req.tensor_parallel,
        hbm_usable_fraction: d.hbm_usable_fraction.estimate.central,
        ep_bytes_per_element: d.ep_bytes_per_element.estimate.central,
    }
}

/// IT power per GPU package of a platform, kW.
fn kw_per_gpu(p: &Platform) -> f64 {
    p.central(Field::SystemPowerKw).unwrap_or(0.0) / p.central(Field::PackagesPerSystem).unwrap_or(1.0).max(1.0)
}

fn setup<'a>(
    platform: &Platform,
    arch: &'a ModelArch,
    dep: Deployment,
    opts: ServeOptions,
    eff: Efficiency,
) -> Result<Setup<'a>, InputError> {
    let spec = platform_spec(platform);
    let prefill = prefill_with(&spec, arch, &dep, eff, &opts).map_err(|e| serve_error(&spec, arch, &dep, e))?;
    let ttft_gpus = dep.tensor_parallel.unwrap_or(spec.nvlink_domain).clamp(1.0, prefill.gpus_per_replica);
    Ok(Setup { kw_per_gpu: kw_per_gpu(platform), spec, arch, dep, opts, eff, prefill, ttft_gpus })
}

/// The point at `batch` requests per decode replica (`None`: memory and the latency target decide).
fn point_at(s: &Setup<'_>, batch: Option<f64>) -> Result<(BenchPoint, DecodeResult), ServeError> {
    let dr = decode_with(&s.spec, s.arch, &s.dep, s.eff, &s.opts, batch)?;
    let uncached = s.dep.input_tokens * (1.0 - s.opts.cache_hit_share);
    let serving = serving_rate(dr.tokens_per_s_per_gpu, s.prefill.tokens_per_s_per_gpu, uncached, s.dep.output_tokens);
    let point = BenchPoint {
        concurrency: dr.batch,
        tokens_per_s_per_gpu: serving,
        decode_tokens_per_s_per_gpu: dr.tokens_per_s_per_gpu,
        tokens_per_s_per_user: 1000.0 / dr.step_ms,
        tokens_per_s_per_mw: if s.kw_per_gpu > 0.0 { serving * 1000.0 / s.kw_per_gpu } else { 0.0 },
        ttft_ms: uncached / (s.prefill.tokens_per_s_per_gpu * s.ttft_gpus) * 1000.0,
        itl_ms: dr.step_ms,
        bound: dr.bound,
    };
    Ok((point, dr))
}

fn operating_point(s: &Setup<'_>, req: &BenchRequest) -> Result<(BenchPoint, DecodeResult), InputError> {
    let batch = match req.load {
        Load::Concurrency(c) => Some(c.floor()),
        _ => None,
    };
    point_at(s, batch).map_err(|e| serve_error(&s.spec, s.arch, &s.dep, e))
}

/// Every point of the sweep: batches 1, 2, 4, … below the memory limit, then the limit.
pub fn sweep_batches(memory_limit: f64) -> Vec<f64> {
    let mut batches = Vec::new();
    let mut b = 1.0;
    while b < memory_limit {
        batches.push(b);
        b *= 2.0;
    }
    batches.push(memory_limit.max(1.0));
    batches
}

fn sweep_points(s: &Setup<'_>, memory_limit: f64) -> Result<Vec<BenchPoint>, InputError> {
    let free = Setup { dep: Deployment { itl_ms: None, ..s.dep.clone() }, ..clone_setup(s) };
    sweep_batches(memory_limit)
        .into_iter()
        .map(|b| point_at(&free, Some(b)).map(|(p, _)| p).map_err(|e| serve_error(&s.spec, s.arch, &s.dep, e)))
        .collect()
}

fn clone_setup<'a>(s: &Setup<'a>) -> Setup<'a> {
    Setup {
        spec: s.spec.clone(),
        arch: s.arch,
        dep: s.dep.clone(),
        opts: s.opts,
        eff: s.eff,
        prefill: s.prefill.clone(),
        kw_per_gpu: s.kw_per_gpu,
        ttft_gpus: s.ttft_gpus,
    }
}

/// The Pareto frontier of `points`: those no other point beats on both tokens/s per user and
/// tokens/s per GPU, highest tokens/s per user first.
pub fn pareto(points: &[BenchPoint]) -> Vec<BenchPoint> {
    let mut sorted: Vec<&BenchPoint> = points.iter().collect();
    sorted.sort_by(|a, b| {
        b.tokens_per_s_per_user
            .total_cmp(&a.tokens_per_s_per_user)
            .then(b.tokens_per_s_per_gpu.total_cmp(&a.tokens_per_s_per_gpu))
    });
    let mut best = f64::NEG_INFINITY;
    let mut front = Vec::new();
    for p in sorted {
        if p.tokens_per_s_per_gpu > best {
            best = p.tokens_per_s_per_gpu;
            front.push(p.clone());
        }
    }
    front
}

/// A serving problem of the benchmark as an error naming what would help.
fn serve_error(platform: &PlatformSpec, arch: &ModelArch, d: &Deployment, e: ServeError) -> InputError {
    match e {
        ServeError::NoPeak { precision } => InputError::new(format!(
            "`{}` has no dense {precision} throughput in the catalog, so {} cannot run at {precision} on it",
            platform.id, arch.id
        ))
        .with_help("choose --precision, --kv-precision and --attention-precision among those the platform has a peak for (`gigawatt catalog show ID`)"),
        ServeError::DoesNotFit { needed_bytes, available_bytes, gpus } => InputError::new(format!(
            "{} does not fit in {} at {}: its weights and one request's KV cache need {:.0} GB, the {gpus} GPUs of the replica hold {:.0} GB usable",
            arch.name,
            platform.id,
            d.precision,
            needed_bytes / 1e9,
            available_bytes / 1e9
        ))
        .with_help("use a smaller --precision, more --decode-nodes and --prefill-nodes (a mixture of experts), or a platform with more memory"),
        ServeError::LatencyUnreachable { target_ms, best_ms } => InputError::new(format!(
            "no batch of {} on {} reaches {:.1} tokens/s per user: a batch of one runs at {:.1} (a step of {best_ms:.2} ms)",
            arch.id,
            platform.id,
            1000.0 / target_ms,
            1000.0 / best_ms
        ))
        .with_help("lower --tps-user, use a smaller precision, or give the model a larger replica"),
        ServeError::DenseAcrossNodes => InputError::new(format!(
            "{} is a dense model: only a mixture of experts can span NVLink domains",
            arch.name
        ))
        .with_help("set --decode-nodes 1 and --prefill-nodes 1 for dense models"),
    }
}

/// The benchmark mode's efficiency factors and every published point against the model.
pub fn calibrate_anchors(
    catalog: &Catalog,
    models: &ModelCatalog,
    d: &WorkloadDefaults,
) -> Result<BenchCalibration, InputError> {
    let anchors = d.all_anchors();
    let rooflines = anchors
        .iter()
        .map(|a| anchor_rate(catalog, models, d, a, Efficiency::ROOFLINE))
        .collect::<Result<Vec<_>, _>>()?;
    let factor = |stage: Stage| -> Result<f64, InputError> {
        let logs: Vec<f64> = anchors
            .iter()
            .zip(&rooflines)
            .filter(|(a, _)| a.role == Role::Calibration && a.stage == stage)
            .map(|(a, r)| (a.measured_tokens_per_s_per_gpu.estimate.central / r).ln())
            .collect();
        if logs.is_empty() {
            return Err(InputError::new(format!("catalog/workloads.toml has no {} calibration point", stage.name())));
        }
        Ok((logs.iter().sum::<f64>() / logs.len() as f64).exp())
    };
    let efficiency = Efficiency { prefill: factor(Stage::Prefill)?, decode: factor(Stage::Decode)? };
    let mut results = Vec::new();
    for (a, roofline) in anchors.iter().zip(rooflines) {
        let model = anchor_rate(catalog, models, d, a, efficiency)?;
        let measured = a.measured_tokens_per_s_per_gpu.estimate.central;
        results.push(AnchorResult {
            id: a.id.clone(),
            label: a.label.clone(),
            role: a.role,
            stage: a.stage,
            measured,
            roofline,
            model,
            gap: model / measured - 1.0,
            sources: a.measured_tokens_per_s_per_gpu.provenance.sources.clone(),
        });
    }
    Ok(BenchCalibration { efficiency, anchors: results })
}

/// The model's tokens/s per GPU at a published point, with factors `eff` (and the step floor).
pub fn anchor_rate(
    catalog: &Catalog,
    models: &ModelCatalog,
    d: &WorkloadDefaults,
    a: &Anchor,
    eff: Efficiency,
) -> Result<f64, InputError> {
    let platform = catalog.get(&a.platform).ok_or_else(|| {
        InputError::new(format!("the inference anchor `{}` names an unknown platform `{}`", a.id, a.platform))
    })?;
    let arch = models.get(&a.model).ok_or_else(|| {
        InputError::new(format!("the inference anchor `{}` names an unknown model `{}`", a.id, a.model))
    })?;
    let spec = platform_spec(platform);
    let nodes = a.nodes.estimate.central;
    let dep = Deployment {
        precision: a.precision,
        kv_precision: a.kv_precision,
        input_tokens: a.input_tokens.estimate.central,
        output_tokens: a.output_tokens.estimate.central,
        itl_ms: None,
        decode_nodes: nodes,
        prefill_nodes: nodes,
        tensor_parallel: a.tensor_parallel.as_ref().map(|q| q.estimate.central),
        hbm_usable_fraction: d.hbm_usable_fraction.estimate.central,
        ep_bytes_per_element: d.ep_bytes_per_element.estimate.central,
    };
    let floor = if eff == Efficiency::ROOFLINE { 0.0 } else { step_floor_s(arch, d) };
    let opts =
        ServeOptions { attention_precision: Some(a.attention_precision), step_floor_s: floor, cache_hit_share: 0.0 };
    let fail = |e: ServeError| InputError::new(format!("the inference anchor `{}` cannot be evaluated: {e:?}", a.id));
    let pre = || prefill_with(&spec, arch, &dep, eff, &opts).map_err(fail);
    let dec = || decode_with(&spec, arch, &dep, eff, &opts, None).map_err(fail);
    Ok(match a.stage {
        Stage::Prefill => pre()?.tokens_per_s_per_gpu,
        Stage::Decode => dec()?.tokens_per_s_per_gpu,
        Stage::Serving => {
            serving_rate(dec()?.tokens_per_s_per_gpu, pre()?.tokens_per_s_per_gpu, dep.input_tokens, dep.output_tokens)
        }
    })
}

/// Every input the benchmark used, with provenance: the model's architecture, the platform's
/// numbers, the serving defaults and the published points.
fn record_inputs(
    models: &ModelCatalog,
    d: &WorkloadDefaults,
    platform: &Platform,
    req: &BenchRequest,
) -> Result<Vec<InputRecord>, InputError> {
    let mut inputs = Inputs::default();
    models.register(&req.model, &mut inputs)?;
    let mut fields = vec![Field::HbmGb, Field::HbmTbS, Field::SystemPowerKw, Field::PackagesPerSystem];
    for p in [req.precision, req.attention_precision] {
        if !fields.contains(&p.peak_field()) {
            fields.push(p.peak_field());
        }
    }
    if req.decode_nodes > 1.0 || req.prefill_nodes > 1.0 {
        fields.push(Field::ScaleOutGbS);
    }
    for f in fields {
        if let Some(q) = platform.get(f) {
            inputs.add(
                &format!("catalog.{}.{}", platform.id, f.key()),
                &format!("{}: {}", platform.id, f.label()),
                f.unit(),
                q,
            );
        }
    }
    let w = "workloads.inference";
    inputs.add(
        &format!("{w}.hbm_usable_fraction"),
        "usable share of HBM (weights and KV cache)",
        "fraction",
        &d.hbm_usable_fraction,
    );
    if req.decode_nodes > 1.0 || req.prefill_nodes > 1.0 {
        inputs.add(
            &format!("{w}.ep_bytes_per_element"),
            "bytes per element per expert-parallel send",
            "B",
            &d.ep_bytes_per_element,
        );
    }
    let b = &d.benchmark;
    inputs.add(
        &format!("{w}.benchmark.step_floor_us_per_layer"),
        "decode step floor per layer",
        "µs",
        &b.step_floor_us_per_layer,
    );
    if req.cache_hit_share.is_none() {
        inputs.add(
            &format!("{w}.benchmark.cache_hit_share"),
            "share of input tokens served from cache",
            "fraction",
            &b.cache_hit_share,
        );
    }
    for a in d.all_anchors().iter().filter(|a| a.role == Role::Calibration) {
        let k = format!("{w}.anchor.{}", a.id);
        inputs.add(
            &format!("{k}.measured"),
            &format!("{}: measured", a.label),
            "tokens/s/GPU",
            &a.measured_tokens_per_s_per_gpu,
        );
        inputs.add(&format!("{k}.input_tokens"), &format!("{}: input tokens", a.label), "tokens", &a.input_tokens);
        inputs.add(&format!("{k}.output_tokens"), &format!("{}: output tokens", a.label), "tokens", &a.output_tokens);
        if let Some(tp) = &a.tensor_parallel {
            inputs.add(&format!("{k}.tensor_parallel"), &format!("{}: tensor parallelism", a.label), "GPUs", tp);
        }
    }
    Ok(inputs.into_records())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(model: &str, platform: &str, precision: Precision, load: Load) -> BenchRequest {
        BenchRequest {
            model: model.into(),
            platform: platform.into(),
            precision,
            kv_precision: Precision::Fp8,
            attention_precision: Precision::Fp8,
            input_tokens: 1024.0,
            output_tokens: 1024.0,
            cache_hit_share: None,
            load,
            decode_nodes: 1.0,
            prefill_nodes: 1.0,
            tensor_parallel: None,
            sweep: true,
        }
    }

    fn run(r: &BenchRequest) -> Benchmark {
        benchmark(&Catalog::bundled().unwrap(), r).unwrap()
    }

    #[test]
    fn an_itl_cap_binds_on_a_network_bound_decode() {
        // DeepSeek-V3 on 9 nodes of 8 H100: decode at the memory-limited batch is network-bound.
        let mut r = req("deepseek-v3", "h100-hgx", Precision::Fp8, Load::Max);
        (r.decode_nodes, r.prefill_nodes, r.tensor_parallel, r.sweep) = (9.0, 4.0, Some(1.0), false);
        let free = run(&r);
        assert_eq!(free.point.bound, Bound::Network);
        r.load = Load::TpsUser(2.0 * free.point.tokens_per_s_per_user);
        let capped = run(&r);
        assert!(capped.point.itl_ms <= free.point.itl_ms / 2.0 + 1e-9, "{:?}", capped.point);
        assert!(capped.point.concurrency < free.point.concurrency);
        // Network-bound steps grow in proportion to the batch: halving the step halves the batch and
        // leaves throughput per GPU where it was (never above).
        assert!(capped.point.tokens_per_s_per_gpu <= free.point.tokens_per_s_per_gpu * (1.0 + 1e-9));
    }

    #[test]
    fn the_step_floor_binds_at_small_batches_and_caps_tokens_per_user() {
        // Llama 3 70B in FP4 on 8 B200: a batch of one reads 35 GB at 64 TB/s (0.55 ms, 1.5 ms
        // after η), under the floor of 80 layers × 67 µs = 5.36 ms.
        let r = req("llama3-70b", "b200-hgx", Precision::Fp4, Load::Concurrency(1.0));
        let b = run(&r);
        assert_eq!(b.point.bound, Bound::Floor);
        assert!((b.point.itl_ms - 80.0 * 0.067).abs() < 1e-9, "{}", b.point.itl_ms);
        assert!((b.step_floor_ms - 5.36).abs() < 1e-9);
        // No target beyond 1 / floor is reachable, whatever the batch.
        let too_fast = BenchRequest { load: Load::TpsUser(1000.0 / b.step_floor_ms * 1.01), ..r.clone() };
        let err = benchmark(&Catalog::bundled().unwrap(), &too_fast).unwrap_err();
        assert!(err.to_string().contains("tokens/s per user"), "{err}");
        for p in &b.pareto {
            assert!(p.itl_ms >= b.step_floor_ms - 1e-12);
        }
    }

    #[test]
    fn weights_kv_and_attention_precisions_act_separately() {
        let base = req("llama3-70b", "h100-hgx", Precision::Fp8, Load::Max);
        let b = run(&BenchRequest { attention_precision: Precision::Bf16, ..base.clone() });
        let a = run(&base);
        // Attention precision: prefill attention runs at the FP8 peak instead of BF16; memory unchanged.
        assert!(a.prefill_tokens_per_s_per_gpu > b.prefill_tokens_per_s_per_gpu);
        assert_eq!(a.batch_memory_limit, b.batch_memory_limit);
        // KV precision: BF16 halves the requests HBM holds (after the weights), not the prefill peak.
        let kv16 = run(&BenchRequest { kv_precision: Precision::Bf16, ..base.clone() });
        assert!(kv16.batch_memory_limit < 0.51 * a.batch_memory_limit + 1.0, "{}", kv16.batch_memory_limit);
        assert_eq!(kv16.prefill_tokens_per_s_per_gpu, a.prefill_tokens_per_s_per_gpu);
        // Weights: BF16 weights do not fit a 1-node H100 replica of 70B? They do (141 GB of 576 GB).
        let w16 = run(&BenchRequest { precision: Precision::Bf16, ..base });
        assert!(w16.point.tokens_per_s_per_gpu < a.point.tokens_per_s_per_gpu);
    }

    #[test]
    fn unknown_names_are_refused_with_the_known_ones() {
        let cat = Catalog::bundled().unwrap();
        let err = benchmark(&cat, &req("llama3-71b", "h100-hgx", Precision::Fp8, Load::Max)).unwrap_err();
        assert!(err.to_string().contains("unknown model `llama3-71b`"), "{err}");
        let err = benchmark(&cat, &req("llama3-70b", "h101-hgx", Precision::Fp8, Load::Max)).unwrap_err();
        assert!(err.to_string().contains("unknown platform `h101-hgx`"), "{err}");
        let err = benchmark(&cat, &req("llama3-70b", "h100-hgx", Precision::Fp4, Load::Max)).unwrap_err();
        assert!(err.to_string().contains("no dense fp4"), "{err}");
    }

    #[test]
    fn a_concurrency_above_the_memory_limit_is_capped_with_a_warning() {
        let b = run(&req("llama3-70b", "h100-hgx", Precision::Fp8, Load::Concurrency(1e6)));
        assert_eq!(b.point.concurrency, b.batch_memory_limit);
        assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
    }

    #[test]
    fn the_sweep_ends_at_the_memory_limit_and_the_frontier_is_sorted() {
        assert_eq!(sweep_batches(5.0), vec![1.0, 2.0, 4.0, 5.0]);
        assert_eq!(sweep_batches(4.0), vec![1.0, 2.0, 4.0]);
        assert_eq!(sweep_batches(1.0), vec![1.0]);
        let b = run(&req("llama3-70b", "h100-hgx", Precision::Fp8, Load::Max));
        // Memory-bound up to the memory limit: that batch ends the curve.
        assert_eq!(b.point.bound, Bound::Memory);
        assert_eq!(b.pareto.last().unwrap(), &b.point);
    }

    #[test]
    fn the_assumptions_are_listed_apart() {
        let b = run(&req("llama3-70b", "h100-hgx", Precision::Fp8, Load::Max));
        assert!(b.assumptions.iter().all(|r| !r.sourced));
        assert!(b.assumptions.iter().any(|r| r.key == "workloads.inference.benchmark.cache_hit_share"));
        assert!(b.inputs.iter().any(|r| r.key == "workloads.inference.benchmark.step_floor_us_per_layer" && r.sourced));
    }
}
