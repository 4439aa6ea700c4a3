//! The bundled defaults of the workload models (`catalog/workloads.toml`): training reliability,
//! the MFU model and the inference calibration point. What belongs to one platform — its
//! training MFU and scale-out bandwidth — is in its catalog file
//! ([`Field::TrainingMfu`](gigawatt_core::Field::TrainingMfu),
//! [`Field::ScaleOutGbS`](gigawatt_core::Field::ScaleOutGbS)).

use std::collections::BTreeMap;

use gigawatt_core::defaults::Check;
use gigawatt_core::error::{InputError, KeyPath, SourceFile};
use gigawatt_core::quantity::{BareNumbers, Quantity};
use gigawatt_core::schema::Input;
use serde::{Deserialize, Serialize};

use crate::parse::At;
use crate::precision::{PRECISION_FORMS, Precision};

/// The bundled defaults file.
pub const BUNDLED_WORKLOADS: (&str, &str) = ("catalog/workloads.toml", include_str!("../../../catalog/workloads.toml"));

/// Reliability inputs of the closed-form ETTR (see [`crate::training::closed_form_ettr`]).
#[derive(Clone, Debug)]
pub struct ReliabilityDefaults {
    /// Unexpected interruptions per 1,000 node-days.
    pub failures_per_1000_node_days: Quantity,
    /// GPUs per node (the unit the failure rate counts).
    pub gpus_per_node: Quantity,
    /// Checkpoint write time, s.
    pub checkpoint_write_s: Quantity,
    /// Restart overhead after a failure, min.
    pub restart_overhead_min: Quantity,
}

/// Non-failure overheads of a training run (`[overheads]`): wall-clock time the job holds its
/// GPUs without training (see [`crate::training::Overheads`]).
#[derive(Clone, Debug)]
pub struct OverheadDefaults {
    /// Share of wall-clock time paused for in-run evaluation.
    pub evaluation_fraction: Quantity,
    /// Share of wall-clock time stalled waiting for data.
    pub data_stall_fraction: Quantity,
    /// Planned restarts (maintenance, configuration or dataset changes) per day.
    pub planned_restarts_per_day: Quantity,
    /// Time lost per planned restart, min.
    pub planned_restart_min: Quantity,
}

/// The documented MFU model: `platform_mfu × per_doubling^max(0, log2(n / reference_gpus))`, with
/// `platform_mfu` the platform's `training_mfu` (its catalog file), else `reference_mfu`.
#[derive(Clone, Debug)]
pub struct MfuModel {
    /// MFU at the reference scale.
    pub reference_mfu: Quantity,
    /// The reference scale, GPUs.
    pub reference_gpus: Quantity,
    /// MFU kept per doubling of GPUs beyond the reference.
    pub per_doubling: Quantity,
    /// MFU against each precision's dense peak as a factor on the BF16 model (`[mfu.precision]`).
    pub precision: BTreeMap<String, Quantity>,
}

impl MfuModel {
    /// MFU on `gpus` GPUs of the reference platform at central inputs.
    pub fn mfu(&self, gpus: f64) -> f64 {
        let doublings = (gpus / self.reference_gpus.estimate.central).log2().max(0.0);
        self.reference_mfu.estimate.central * self.per_doubling.estimate.central.powf(doublings)
    }
}

/// The published measurement the inference efficiency factors are calibrated on.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// Platform id.
    pub platform: String,
    /// Model id.
    pub model: String,
    /// Weight precision.
    pub precision: Precision,
    /// KV-cache precision.
    pub kv_precision: Precision,
    /// Input tokens per request.
    pub input_tokens: Quantity,
    /// Output tokens per request.
    pub output_tokens: Quantity,
    /// NVLink domains (nodes) per prefill replica.
    pub prefill_nodes: Quantity,
    /// NVLink domains (nodes) per decode replica.
    pub decode_nodes: Quantity,
    /// Tensor-parallel degree of the dense part.
    pub tensor_parallel: Quantity,
    /// Measured prefill throughput, input tokens/s per GPU.
    pub prefill_input_tokens_per_s_per_gpu: Quantity,
    /// Measured decode throughput, output tokens/s per GPU.
    pub decode_output_tokens_per_s_per_gpu: Quantity,
}

/// The stage a published measurement is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Prefill: input tokens/s per GPU.
    Prefill,
    /// Decode: output tokens/s per GPU.
    Decode,
    /// Serving end to end: output tokens/s per GPU, prefill GPUs counted.
    Serving,
}

impl Stage {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Prefill => "prefill",
            Stage::Decode => "decode",
            Stage::Serving => "serving",
        }
    }
}

/// What a published measurement is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// It sets the benchmark mode's efficiency factors (with the others of its stage).
    Calibration,
    /// It is only checked against.
    Validation,
}

/// One published serving measurement (`[[inference.anchor]]`, or a stage of
/// `[inference.calibration]`).
#[derive(Clone, Debug)]
pub struct Anchor {
    /// Short id.
    pub id: String,
    /// What was measured, for reports.
    pub label: String,
    /// Calibration or validation.
    pub role: Role,
    /// The stage measured.
    pub stage: Stage,
    /// Platform id.
    pub platform: String,
    /// Model id.
    pub model: String,
    /// Weight precision.
    pub precision: Precision,
    /// KV-cache precision.
    pub kv_precision: Precision,
    /// Attention precision.
    pub attention_precision: Precision,
    /// Input tokens per request.
    pub input_tokens: Quantity,
    /// Output tokens per request.
    pub output_tokens: Quantity,
    /// NVLink domains per replica of the stage.
    pub nodes: Quantity,
    /// Tensor-parallel degree of the dense part (`None`: the NVLink domain).
    pub tensor_parallel: Option<Quantity>,
    /// The measurement, tokens/s per GPU (input for prefill, output otherwise).
    pub measured_tokens_per_s_per_gpu: Quantity,
}

/// The benchmark mode's own defaults (`[inference.benchmark]`).
#[derive(Clone, Debug)]
pub struct BenchmarkDefaults {
    /// Shortest decode step per layer, µs.
    pub step_floor_us_per_layer: Quantity,
    /// Share of input tokens served from the prompt cache when the command line does not say.
    pub cache_hit_share: Quantity,
}

/// Everything in `catalog/workloads.toml`.
#[derive(Clone, Debug)]
pub struct WorkloadDefaults {
    /// Training reliability.
    pub reliability: ReliabilityDefaults,
    /// The MFU model.
    pub mfu: MfuModel,
    /// Non-failure overheads of training runs.
    pub overheads: OverheadDefaults,
    /// Fraction of HBM usable for weights and KV cache.
    pub hbm_usable_fraction: Quantity,
    /// Bytes per hidden-state element per expert-parallel send (dispatch + combine).
    pub ep_bytes_per_element: Quantity,
    /// The calibration point.
    pub calibration: Calibration,
    /// The benchmark mode's defaults.
    pub benchmark: BenchmarkDefaults,
    /// Further published measurements (`[[inference.anchor]]`), in file order.
    pub anchors: Vec<Anchor>,
}

/// `catalog/workloads.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkloadsFile {
    reliability: Option<ReliabilityFile>,
    mfu: Option<MfuFile>,
    overheads: Option<OverheadsFile>,
    inference: Option<InferenceFile>,
}

/// `[overheads]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverheadsFile {
    evaluation_fraction: Option<Input>,
    data_stall_fraction: Option<Input>,
    planned_restarts_per_day: Option<Input>,
    planned_restart_min: Option<Input>,
}

/// `[reliability]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReliabilityFile {
    failures_per_1000_node_days: Option<Input>,
    gpus_per_node: Option<Input>,
    checkpoint_write_s: Option<Input>,
    restart_overhead_min: Option<Input>,
    #[allow(dead_code)] // a remark for readers of the file
    note: Option<String>,
}

/// `[mfu]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MfuFile {
    reference_mfu: Option<Input>,
    reference_gpus: Option<Input>,
    per_doubling: Option<Input>,
    #[allow(dead_code)] // a remark for readers of the file
    note: Option<String>,
    precision: Option<BTreeMap<String, Input>>,
}

/// `[inference]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InferenceFile {
    hbm_usable_fraction: Option<Input>,
    ep_bytes_per_element: Option<Input>,
    calibration: Option<CalibrationFile>,
    benchmark: Option<BenchmarkFile>,
    anchor: Option<Vec<AnchorFile>>,
}

/// `[inference.benchmark]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarkFile {
    step_floor_us_per_layer: Option<Input>,
    cache_hit_share: Option<Input>,
}

/// `[[inference.anchor]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnchorFile {
    id: Option<String>,
    label: Option<String>,
    role: Option<String>,
    stage: Option<String>,
    platform: Option<String>,
    model: Option<String>,
    precision: Option<String>,
    kv_precision: Option<String>,
    attention_precision: Option<String>,
    input_tokens: Option<Input>,
    output_tokens: Option<Input>,
    nodes: Option<Input>,
    tensor_parallel: Option<Input>,
    measured_tokens_per_s_per_gpu: Option<Input>,
}

/// `[inference.calibration]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalibrationFile {
    platform: Option<String>,
    model: Option<String>,
    precision: Option<String>,
    kv_precision: Option<String>,
    input_tokens: Option<Input>,
    output_tokens: Option<Input>,
    prefill_nodes: Option<Input>,
    decode_nodes: Option<Input>,
    tensor_parallel: Option<Input>,
    prefill_input_tokens_per_s_per_gpu: Option<Input>,
    decode_output_tokens_per_s_per_gpu: Option<Input>,
}

impl WorkloadDefaults {
    /// The bundled defaults.
    pub fn bundled() -> Result<WorkloadDefaults, InputError> {
        let (name, text) = BUNDLED_WORKLOADS;
        WorkloadDefaults::parse(&SourceFile::new(format!("<bundled>/{name}"), text))
    }

    /// Reads a defaults file.
    pub fn parse(file: &SourceFile) -> Result<WorkloadDefaults, InputError> {
        let raw: WorkloadsFile = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
        let root = KeyPath::root();
        let top = At { file, path: &root, name: "catalog/workloads.toml", bare: BareNumbers::Forbidden };
        let lacks = |key: &str| top.err_here(format!("catalog/workloads.toml lacks [{key}]"));
        let reliability = reliability_defaults(&top, raw.reliability.as_ref().ok_or_else(|| lacks("reliability"))?)?;
        let mfu = mfu_model(&top, raw.mfu.as_ref().ok_or_else(|| lacks("mfu"))?)?;
        let overheads = overhead_defaults(&top, raw.overheads.as_ref().ok_or_else(|| lacks("overheads"))?)?;
        let inference = inference_defaults(&top, raw.inference.as_ref().ok_or_else(|| lacks("inference"))?)?;
        Ok(WorkloadDefaults {
            reliability,
            mfu,
            overheads,
            hbm_usable_fraction: inference.hbm_usable_fraction,
            ep_bytes_per_element: inference.ep_bytes_per_element,
            calibration: inference.calibration,
            benchmark: inference.benchmark,
            anchors: inference.anchors,
        })
    }

    /// Every published serving measurement: the two stages of `[inference.calibration]` (both
    /// calibration points), then the `[[inference.anchor]]` entries in file order.
    pub fn all_anchors(&self) -> Vec<Anchor> {
        let c = &self.calibration;
        let point = |stage: Stage, measured: &Quantity, nodes: &Quantity| Anchor {
            id: format!("{}-calibration-{}", c.platform, stage.name()),
            label: format!("[inference.calibration]: {} on {}, {}", c.model, c.platform, stage.name()),
            role: Role::Calibration,
            stage,
            platform: c.platform.clone(),
            model: c.model.clone(),
            precision: c.precision,
            kv_precision: c.kv_precision,
            attention_precision: c.kv_precision,
            input_tokens: c.input_tokens.clone(),
            output_tokens: c.output_tokens.clone(),
            nodes: nodes.clone(),
            tensor_parallel: Some(c.tensor_parallel.clone()),
            measured_tokens_per_s_per_gpu: measured.clone(),
        };
        let mut all = vec![
            point(Stage::Prefill, &c.prefill_input_tokens_per_s_per_gpu, &c.prefill_nodes),
            point(Stage::Decode, &c.decode_output_tokens_per_s_per_gpu, &c.decode_nodes),
        ];
        all.extend(self.anchors.iter().cloned());
        all
    }
}

/// The `[inference]` table: HBM share, expert-parallel message size and the calibration point.
struct InferenceDefaults {
    hbm_usable_fraction: Quantity,
    ep_bytes_per_element: Quantity,
    calibration: Calibration,
    benchmark: BenchmarkDefaults,
    anchors: Vec<Anchor>,
}

/// The closed-form reliability inputs of the `[reliability]` table.
fn reliability_defaults(top: &At<'_>, t: &ReliabilityFile) -> Result<ReliabilityDefaults, InputError> {
    let rp = top.path.key("reliability");
    let rel = top.child(&rp, "[reliability]");
    Ok(ReliabilityDefaults {
        failures_per_1000_node_days: rel.need_quantity(
            "failures_per_1000_node_days",
            t.failures_per_1000_node_days.as_ref(),
            "failure rate",
            Check::NonNegative,
            "",
        )?,
        gpus_per_node: rel.need_quantity(
            "gpus_per_node",
            t.gpus_per_node.as_ref(),
            "GPUs per node",
            Check::Positive,
            "",
        )?,
        checkpoint_write_s: rel.need_quantity(
            "checkpoint_write_s",
            t.checkpoint_write_s.as_ref(),
            "checkpoint write time",
            Check::NonNegative,
            "",
        )?,
        restart_overhead_min: rel.need_quantity(
            "restart_overhead_min",
            t.restart_overhead_min.as_ref(),
            "restart overhead",
            Check::NonNegative,
            "",
        )?,
    })
}

/// The non-failure overheads of the `[overheads]` table.
fn overhead_defaults(top: &At<'_>, t: &OverheadsFile) -> Result<OverheadDefaults, InputError> {
    let op = top.path.key("overheads");
    let o = top.child(&op, "[overheads]");
    let need = |key: &str, input: &Option<Input>, label: &str, check: Check| {
        o.need_quantity(key, input.as_ref(), label, check, "")
    };
    Ok(OverheadDefaults {
        evaluation_fraction: need(
            "evaluation_fraction",
            &t.evaluation_fraction,
            "evaluation pauses",
            Check::FractionBelowOne,
        )?,
        data_stall_fraction: need(
            "data_stall_fraction",
            &t.data_stall_fraction,
            "data stalls",
            Check::FractionBelowOne,
        )?,
        planned_restarts_per_day: need(
            "planned_restarts_per_day",
            &t.planned_restarts_per_day,
            "planned restarts per day",
            Check::NonNegative,
        )?,
        planned_restart_min: need(
            "planned_restart_min",
            &t.planned_restart_min,
            "time lost per planned restart",
            Check::NonNegative,
        )?,
    })
}

/// The MFU scale model of the `[mfu]` table, with its `[mfu.precision]` factors.
fn mfu_model(top: &At<'_>, t: &MfuFile) -> Result<MfuModel, InputError> {
    let mp = top.path.key("mfu");
    let m = top.child(&mp, "[mfu]");
    let qp = mp.key("precision");
    let mut precision = BTreeMap::new();
    if let Some(factors) = &t.precision {
        let pt = top.child(&qp, "[mfu.precision]");
        for (key, input) in factors {
            precision
                .insert(key.clone(), pt.need_quantity(key, Some(input), "precision MFU factor", Check::Positive, "")?);
        }
    }
    Ok(MfuModel {
        reference_mfu: m.need_quantity(
            "reference_mfu",
            t.reference_mfu.as_ref(),
            "reference MFU",
            Check::Fraction,
            "",
        )?,
        reference_gpus: m.need_quantity(
            "reference_gpus",
            t.reference_gpus.as_ref(),
            "reference GPUs",
            Check::Positive,
            "",
        )?,
        per_doubling: m.need_quantity(
            "per_doubling",
            t.per_doubling.as_ref(),
            "MFU kept per doubling",
            Check::Fraction,
            "",
        )?,
        precision,
    })
}

/// The serving defaults of the `[inference]` table (its calibration point read first).
fn inference_defaults(top: &At<'_>, t: &InferenceFile) -> Result<InferenceDefaults, InputError> {
    let ip = top.path.key("inference");
    let inf = top.child(&ip, "[inference]");
    let calibration = calibration_point(&inf, t.calibration.as_ref())?;
    let benchmark = benchmark_defaults(&inf, t.benchmark.as_ref())?;
    let ap = ip.key("anchor");
    let anchors = t
        .anchor
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, a)| anchor(&inf, &ap.index(i), a))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InferenceDefaults {
        benchmark,
        anchors,
        hbm_usable_fraction: inf.need_quantity(
            "hbm_usable_fraction",
            t.hbm_usable_fraction.as_ref(),
            "usable HBM fraction",
            Check::Fraction,
            "",
        )?,
        ep_bytes_per_element: inf.need_quantity(
            "ep_bytes_per_element",
            t.ep_bytes_per_element.as_ref(),
            "bytes per EP element",
            Check::Positive,
            "",
        )?,
        calibration,
    })
}

/// The `[inference.benchmark]` table.
fn benchmark_defaults(inf: &At<'_>, t: Option<&BenchmarkFile>) -> Result<BenchmarkDefaults, InputError> {
    let bp = inf.path.key("benchmark");
    let t = t.ok_or_else(|| inf.err_here("[inference] lacks [inference.benchmark]"))?;
    let b = inf.child(&bp, "[inference.benchmark]");
    Ok(BenchmarkDefaults {
        step_floor_us_per_layer: b.need_quantity(
            "step_floor_us_per_layer",
            t.step_floor_us_per_layer.as_ref(),
            "step floor per layer",
            Check::NonNegative,
            "",
        )?,
        cache_hit_share: b.need_quantity(
            "cache_hit_share",
            t.cache_hit_share.as_ref(),
            "cache-hit share",
            Check::Fraction,
            "",
        )?,
    })
}

/// A precision named at `key` of table `c`.
fn precision_at(c: &At<'_>, key: &str, value: Option<&String>) -> Result<Precision, InputError> {
    let s = c.need_string(key, value, PRECISION_FORMS)?;
    Precision::parse(s).ok_or_else(|| c.err(key, format!("unknown precision `{s}`")).with_help(PRECISION_FORMS))
}

/// One `[[inference.anchor]]` entry.
fn anchor(inf: &At<'_>, path: &KeyPath, t: &AnchorFile) -> Result<Anchor, InputError> {
    let c = inf.child(path, "[[inference.anchor]]");
    let role = match c.need_string("role", t.role.as_ref(), "\"calibration\" or \"validation\"")? {
        "calibration" => Role::Calibration,
        "validation" => Role::Validation,
        other => {
            return Err(c
                .err("role", format!("unknown role `{other}`"))
                .with_help("\"calibration\" or \"validation\""));
        }
    };
    let stage = match c.need_string("stage", t.stage.as_ref(), "\"prefill\", \"decode\" or \"serving\"")? {
        "prefill" => Stage::Prefill,
        "decode" => Stage::Decode,
        "serving" => Stage::Serving,
        other => {
            return Err(c
                .err("stage", format!("unknown stage `{other}`"))
                .with_help("\"prefill\", \"decode\" or \"serving\""));
        }
    };
    if role == Role::Calibration && stage == Stage::Serving {
        return Err(c
            .err("role", "a serving point mixes prefill and decode, so it cannot calibrate either")
            .with_help("role = \"validation\" for a serving point; calibrate with a prefill or a decode point"));
    }
    let kv_precision = precision_at(&c, "kv_precision", t.kv_precision.as_ref())?;
    let attention_precision = match &t.attention_precision {
        Some(_) => precision_at(&c, "attention_precision", t.attention_precision.as_ref())?,
        None => kv_precision,
    };
    let q = |key: &str, input: &Option<Input>, label: &str, check: Check| {
        c.need_quantity(key, input.as_ref(), label, check, "")
    };
    Ok(Anchor {
        id: c.need_string("id", t.id.as_ref(), "")?.to_string(),
        label: c.need_string("label", t.label.as_ref(), "")?.to_string(),
        role,
        stage,
        platform: c.need_string("platform", t.platform.as_ref(), "")?.to_string(),
        model: c.need_string("model", t.model.as_ref(), "")?.to_string(),
        precision: precision_at(&c, "precision", t.precision.as_ref())?,
        kv_precision,
        attention_precision,
        input_tokens: q("input_tokens", &t.input_tokens, "input tokens", Check::Positive)?,
        output_tokens: q("output_tokens", &t.output_tokens, "output tokens", Check::Positive)?,
        nodes: q("nodes", &t.nodes, "nodes", Check::AtLeastOne)?,
        tensor_parallel: c.quantity(
            "tensor_parallel",
            t.tensor_parallel.as_ref(),
            "tensor parallelism",
            Check::AtLeastOne,
        )?,
        measured_tokens_per_s_per_gpu: q(
            "measured_tokens_per_s_per_gpu",
            &t.measured_tokens_per_s_per_gpu,
            "measured throughput",
            Check::Positive,
        )?,
    })
}

/// The published measurement of the `[inference.calibration]` table.
fn calibration_point(inf: &At<'_>, t: Option<&CalibrationFile>) -> Result<Calibration, InputError> {
    let cp = inf.path.key("calibration");
    let t = t.ok_or_else(|| inf.err_here("[inference] lacks [inference.calibration]"))?;
    let c = inf.child(&cp, "[inference.calibration]");
    let prec = |key: &str, value: Option<&String>| -> Result<Precision, InputError> {
        let s = c.need_string(key, value, PRECISION_FORMS)?;
        Precision::parse(s).ok_or_else(|| c.err(key, format!("unknown precision `{s}`")).with_help(PRECISION_FORMS))
    };
    let q = |key: &str, input: &Option<Input>, label: &str, check: Check| {
        c.need_quantity(key, input.as_ref(), label, check, "")
    };
    Ok(Calibration {
        platform: c.need_string("platform", t.platform.as_ref(), "")?.to_string(),
        model: c.need_string("model", t.model.as_ref(), "")?.to_string(),
        precision: prec("precision", t.precision.as_ref())?,
        kv_precision: prec("kv_precision", t.kv_precision.as_ref())?,
        input_tokens: q("input_tokens", &t.input_tokens, "input tokens", Check::Positive)?,
        output_tokens: q("output_tokens", &t.output_tokens, "output tokens", Check::Positive)?,
        prefill_nodes: q("prefill_nodes", &t.prefill_nodes, "prefill nodes", Check::AtLeastOne)?,
        decode_nodes: q("decode_nodes", &t.decode_nodes, "decode nodes", Check::AtLeastOne)?,
        tensor_parallel: q("tensor_parallel", &t.tensor_parallel, "tensor parallelism", Check::AtLeastOne)?,
        prefill_input_tokens_per_s_per_gpu: q(
            "prefill_input_tokens_per_s_per_gpu",
            &t.prefill_input_tokens_per_s_per_gpu,
            "measured prefill throughput",
            Check::Positive,
        )?,
        decode_output_tokens_per_s_per_gpu: q(
            "decode_output_tokens_per_s_per_gpu",
            &t.decode_output_tokens_per_s_per_gpu,
            "measured decode throughput",
            Check::Positive,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gigawatt_core::Field;

    #[test]
    fn bundled_defaults_load() {
        let d = WorkloadDefaults::bundled().expect("bundled workload defaults are valid");
        assert!((d.reliability.failures_per_1000_node_days.estimate.central - 3.789).abs() < 1e-9);
        assert_eq!(d.calibration.platform, "h100-hgx");
    }

    #[test]
    fn the_platform_and_precision_entries_follow_from_their_measurements() {
        let d = WorkloadDefaults::bundled().unwrap();
        let cat = gigawatt_core::Catalog::bundled().unwrap();
        let c = |q: &Quantity| q.estimate.central;
        let mfu = |id: &str| cat.get(id).unwrap().get(Field::TrainingMfu).unwrap().clone();
        // H100 is the reference itself; GB200 NVL72 is NVIDIA's 1,134.5 TFLOPS of 2,450 (sourced).
        assert_eq!(c(&mfu("h100-hgx")), c(&d.mfu.reference_mfu));
        assert!((c(&mfu("gb200-nvl72")) - 1134.5 / 2450.0).abs() < 5e-4);
        assert!(mfu("gb200-nvl72").provenance.is_sourced());
        // Every other platform's entry is either sourced or says it is carried over.
        for p in &cat.platforms {
            if let Some(q) = p.get(Field::TrainingMfu) {
                assert!(q.provenance.is_sourced() || q.provenance.assumption.is_some(), "{}", p.id);
            }
        }
        // FP8: Behemoth's 390 TFLOPS of H100's 1,979 FP8 peak on 32K GPUs, against the BF16 model
        // at 32,768 GPUs.
        let fp8 = (390.0 / 1979.0) / d.mfu.mfu(32768.0);
        assert!((c(&d.mfu.precision["fp8"]) - fp8).abs() < 5e-4, "{fp8}");
        assert_eq!(c(&d.mfu.precision["bf16"]), 1.0);
    }

    #[test]
    fn the_mfu_model_reproduces_llama3_at_16k_gpus() {
        let d = WorkloadDefaults::bundled().unwrap();
        // 430 TFLOPS at 8,192 GPUs and 400 at 16,384 (Llama 3 Table 4): 0.435 × 0.93 = 0.405.
        assert!((d.mfu.mfu(8192.0) - 0.435).abs() < 1e-12);
        assert!((d.mfu.mfu(16384.0) * 989.0 - 400.0).abs() < 2.0);
        assert_eq!(d.mfu.mfu(1024.0), d.mfu.mfu(8192.0), "no extrapolation upwards below the reference");
    }
}
