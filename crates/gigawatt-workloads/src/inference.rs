//! Inference serving: tokens per second per GPU from a roofline, with one efficiency factor per
//! stage calibrated on one published measurement and then held fixed.
//!
//! Serving is disaggregated (prefill and decode on separate GPUs, as in the calibration point). A
//! replica spans `nodes` NVLink domains of `G` GPUs in all; the dense part is split `tp` ways by
//! tensor parallelism inside the NVLink domain (replicated `G / tp` times), routed experts are spread
//! over all `G` GPUs by expert parallelism (across nodes when `nodes > 1`). Memory holds the total
//! parameters; FLOPs count the active ones.
//!
//! ```text
//! weights held      W   = (dense · G/tp + routed) · bytes_w                 ≤ G · HBM · usable
//! batch (memory)    B_mem = ⌊(G · HBM · usable − W) / (ctx · kv_bytes)⌋,    ctx = input + output/2
//! decode step at B  t_mem   = (dense · G/tp · bytes_w + routed · (1 − (1 − k/E)^B) · bytes_w + B · ctx · kv_bytes) / (G · BW_HBM)
//!                   t_flops = B · 2 · N_active / (G · peak_w) + B · a_dec · ctx / (G · peak_kv)
//!                   t_net   = (B/G) · L_moe · k · (n−1)/n · hidden · bytes_ep / BW_scale_out   (EP across n nodes)
//!                   t_step  = max(t_mem, t_flops, t_net) / η_decode ≤ ITL target    → B = min(B_mem, B_latency)
//! decode tokens/s/GPU = B / (t_step · G)
//! prefill per input token and GPU: t = max(2·N_active/peak_w + a_pre·input/2/peak_kv,
//!                                          L_moe · (n−1)(1 − (1 − 1/n)^k) · hidden · bytes_ep / BW_scale_out) / η_prefill
//! serving tokens/s/GPU (output) = 1 / (1/decode + (input/output)/prefill)
//! ```
//!
//! Decode exchanges are not de-duplicated by node (DeepEP's low-latency kernels send to each
//! expert); prefill exchanges are (DeepEP's normal kernels send a token once per node). Traffic
//! inside an NVLink domain (tensor-parallel all-reduces, intra-node EP) is neglected. See
//! `docs/models/inference.md`.

use serde::Serialize;

use crate::models::ModelArch;
use crate::precision::Precision;

/// What the roofline needs to know of a platform (per GPU package).
#[derive(Clone, Debug, Serialize)]
pub struct PlatformSpec {
    /// Platform id.
    pub id: String,
    /// HBM capacity, GB.
    pub hbm_gb: f64,
    /// HBM bandwidth, TB/s.
    pub hbm_tb_s: f64,
    /// Dense FP4 peak, TFLOPS.
    pub fp4_tflops: Option<f64>,
    /// Dense FP8 peak, TFLOPS.
    pub fp8_tflops: Option<f64>,
    /// Dense BF16 peak, TFLOPS.
    pub bf16_tflops: Option<f64>,
    /// Packages in one NVLink domain.
    pub nvlink_domain: f64,
    /// Scale-out network bandwidth per package, GB/s.
    pub scale_out_gb_s: f64,
}

impl PlatformSpec {
    /// Dense peak in `p`, FLOP/s.
    pub fn peak_flops(&self, p: Precision) -> Option<f64> {
        match p {
            Precision::Fp4 => self.fp4_tflops,
            Precision::Fp8 => self.fp8_tflops,
            Precision::Bf16 => self.bf16_tflops,
        }
        .map(|t| t * 1e12)
    }
}

/// How a model is served on a platform.
#[derive(Clone, Debug, Serialize)]
pub struct Deployment {
    /// Weight (and matmul) precision.
    pub precision: Precision,
    /// KV-cache (and attention) precision.
    pub kv_precision: Precision,
    /// Input (prompt, including conversation context) tokens per request.
    pub input_tokens: f64,
    /// Output tokens per request.
    pub output_tokens: f64,
    /// Target time per output token, ms (`None`: throughput-optimal, memory-limited batch).
    pub itl_ms: Option<f64>,
    /// NVLink domains per decode replica (above 1: expert parallelism across nodes).
    pub decode_nodes: f64,
    /// NVLink domains per prefill replica.
    pub prefill_nodes: f64,
    /// Tensor-parallel degree of the dense part (`None`: the whole NVLink domain, or the replica if smaller).
    pub tensor_parallel: Option<f64>,
    /// Fraction of HBM usable for weights and KV cache.
    pub hbm_usable_fraction: f64,
    /// Bytes per hidden-state element per expert-parallel send across nodes.
    pub ep_bytes_per_element: f64,
}

/// Refinements of a deployment the benchmark mode (`gigawatt inference`) sets and `capacity`
/// leaves at [`ServeOptions::NONE`]: a separate attention precision, a per-step latency floor and
/// prompt-cache hits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ServeOptions {
    /// Precision of the attention matmuls (`None`: the KV-cache precision).
    pub attention_precision: Option<Precision>,
    /// Shortest decode step, s, whatever the roofline says (kernel launches, synchronisation).
    pub step_floor_s: f64,
    /// Share of input tokens served from the prompt cache (not prefilled again).
    pub cache_hit_share: f64,
}

impl ServeOptions {
    /// No refinement: attention at the KV precision, no floor, no cache hits.
    pub const NONE: ServeOptions = ServeOptions { attention_precision: None, step_floor_s: 0.0, cache_hit_share: 0.0 };

    /// The attention precision of deployment `d`.
    pub fn attention(&self, d: &Deployment) -> Precision {
        self.attention_precision.unwrap_or(d.kv_precision)
    }
}

/// The efficiency factors: achieved ÷ roofline throughput, one per stage.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Efficiency {
    /// Prefill.
    pub prefill: f64,
    /// Decode.
    pub decode: f64,
}

impl Efficiency {
    /// The bare roofline (no losses).
    pub const ROOFLINE: Efficiency = Efficiency { prefill: 1.0, decode: 1.0 };
}

/// What limits a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// HBM bandwidth (weights and KV cache read each step).
    Memory,
    /// Tensor-core FLOPs.
    Compute,
    /// Scale-out network (expert-parallel exchanges between nodes).
    Network,
    /// The per-step latency floor (decode at small batches).
    Floor,
}

impl Bound {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Bound::Memory => "memory",
            Bound::Compute => "compute",
            Bound::Network => "network",
            Bound::Floor => "step floor",
        }
    }
}

/// Why a deployment cannot serve.
#[derive(Clone, Debug, PartialEq)]
pub enum ServeError {
    /// The platform lacks a peak in the precision asked for.
    NoPeak {
        /// The precision.
        precision: Precision,
    },
    /// Weights plus one request's KV cache exceed the replica's usable HBM.
    DoesNotFit {
        /// Bytes needed (weights plus one request's KV cache).
        needed_bytes: f64,
        /// Usable bytes in the replica.
        available_bytes: f64,
        /// GPUs in the replica.
        gpus: f64,
    },
    /// Even a batch of one misses the latency target.
    LatencyUnreachable {
        /// The target, ms.
        target_ms: f64,
        /// The step time of a batch of one, ms.
        best_ms: f64,
    },
    /// A dense model asked to span nodes (only experts are split across nodes).
    DenseAcrossNodes,
}

/// The geometry of one decode replica: everything the step time depends on except the batch.
#[derive(Clone, Debug)]
pub struct DecodeShape {
    /// GPUs in the replica.
    pub gpus: f64,
    /// NVLink domains in the replica.
    pub nodes: f64,
    /// Dense bytes read per step (all replicas of the dense part).
    pub dense_bytes: f64,
    /// Routed-expert bytes when every expert is touched.
    pub routed_bytes: f64,
    /// Routed experts and experts per token (0 and 0 for a dense model).
    pub experts: (f64, f64),
    /// KV bytes per token of context.
    pub kv_bytes_per_token: f64,
    /// Mean context per decoding request, tokens.
    pub context_tokens: f64,
    /// Matmul FLOPs per token (2 · N_active).
    pub matmul_flops: f64,
    /// Attention FLOPs per token per context position.
    pub attention_flops: f64,
    /// HBM bandwidth of the replica, B/s.
    pub hbm_bw: f64,
    /// Peak for matmuls, FLOP/s per GPU.
    pub peak_w: f64,
    /// Peak for attention, FLOP/s per GPU.
    pub peak_kv: f64,
    /// Bytes sent across nodes per token (all MoE layers).
    pub net_bytes_per_token: f64,
    /// Scale-out bandwidth per GPU, B/s.
    pub net_bw: f64,
}

impl DecodeShape {
    /// Roofline step time (s) at batch `b` and the bound that sets it.
    pub fn step(&self, b: f64) -> (f64, Bound) {
        let (e, k) = self.experts;
        let touched = if e > 0.0 { 1.0 - (1.0 - k / e).powf(b) } else { 0.0 };
        let bytes = self.dense_bytes + self.routed_bytes * touched + b * self.context_tokens * self.kv_bytes_per_token;
        let t_mem = bytes / self.hbm_bw;
        let t_flops = b * self.matmul_flops / (self.gpus * self.peak_w)
            + b * self.attention_flops * self.context_tokens / (self.gpus * self.peak_kv);
        let t_net = if self.nodes > 1.0 { b / self.gpus * self.net_bytes_per_token / self.net_bw } else { 0.0 };
        if t_net > t_mem && t_net > t_flops {
            (t_net, Bound::Network)
        } else if t_flops > t_mem {
            (t_flops, Bound::Compute)
        } else {
            (t_mem, Bound::Memory)
        }
    }
}

/// The decode stage of a deployment.
#[derive(Clone, Debug, Serialize)]
pub struct DecodeResult {
    /// GPUs per decode replica.
    pub gpus_per_replica: f64,
    /// Requests decoded together per replica.
    pub batch: f64,
    /// Requests per GPU.
    pub batch_per_gpu: f64,
    /// Largest batch HBM holds.
    pub batch_memory_limit: f64,
    /// Whether the latency target (rather than memory) set the batch.
    pub latency_limited: bool,
    /// Time per output token of one request, ms.
    pub step_ms: f64,
    /// What bounds the roofline at that batch.
    pub bound: Bound,
    /// Output tokens/s per GPU.
    pub tokens_per_s_per_gpu: f64,
    /// Weights held per GPU, GB.
    pub weights_gb_per_gpu: f64,
}

/// The prefill stage of a deployment.
#[derive(Clone, Debug, Serialize)]
pub struct PrefillResult {
    /// GPUs per prefill replica.
    pub gpus_per_replica: f64,
    /// What bounds it.
    pub bound: Bound,
    /// Input tokens/s per GPU.
    pub tokens_per_s_per_gpu: f64,
}

fn replica_gpus(platform: &PlatformSpec, nodes: f64) -> f64 {
    platform.nvlink_domain * nodes.max(1.0)
}

fn peaks(platform: &PlatformSpec, d: &Deployment, opts: &ServeOptions) -> Result<(f64, f64), ServeError> {
    let w = platform.peak_flops(d.precision).ok_or(ServeError::NoPeak { precision: d.precision })?;
    let attention = opts.attention(d);
    let kv = platform.peak_flops(attention).ok_or(ServeError::NoPeak { precision: attention })?;
    Ok((w, kv))
}

/// Weights held by a replica of `gpus` GPUs with tensor parallelism `tp`, bytes.
fn weight_bytes(model: &ModelArch, d: &Deployment, gpus: f64, tp: f64) -> (f64, f64) {
    let dense = model.dense_params() * (gpus / tp) * d.precision.bytes();
    let routed = model.moe.map_or(0.0, |m| m.routed_params) * d.precision.bytes();
    (dense, routed)
}

fn tensor_parallel(platform: &PlatformSpec, d: &Deployment, gpus: f64) -> f64 {
    d.tensor_parallel.unwrap_or_else(|| platform.nvlink_domain.min(gpus)).clamp(1.0, gpus)
}

/// The decode replica's geometry (checks that the weights and one request fit).
pub fn decode_shape(platform: &PlatformSpec, model: &ModelArch, d: &Deployment) -> Result<DecodeShape, ServeError> {
    decode_shape_with(platform, model, d, &ServeOptions::NONE)
}

/// [`decode_shape`] with the attention precision of `opts`.
pub fn decode_shape_with(
    platform: &PlatformSpec,
    model: &ModelArch,
    d: &Deployment,
    opts: &ServeOptions,
) -> Result<DecodeShape, ServeError> {
    if d.decode_nodes > 1.0 && model.moe.is_none() {
        return Err(ServeError::DenseAcrossNodes);
    }
    let (peak_w, peak_kv) = peaks(platform, d, opts)?;
    let gpus = replica_gpus(platform, d.decode_nodes);
    let tp = tensor_parallel(platform, d, gpus);
    let (dense_bytes, routed_bytes) = weight_bytes(model, d, gpus, tp);
    let context_tokens = d.input_tokens + d.output_tokens / 2.0;
    let kv_bytes_per_token = model.kv_bytes_per_token(d.kv_precision.bytes());
    let usable = gpus * platform.hbm_gb * 1e9 * d.hbm_usable_fraction;
    let needed = dense_bytes + routed_bytes + context_tokens * kv_bytes_per_token;
    if needed > usable {
        return Err(ServeError::DoesNotFit { needed_bytes: needed, available_bytes: usable, gpus });
    }
    let nodes = d.decode_nodes.max(1.0);
    let net_bytes_per_token = model.moe.map_or(0.0, |m| {
        m.moe_layers * m.experts_per_token * (nodes - 1.0) / nodes * model.hidden_size * d.ep_bytes_per_element
    });
    Ok(DecodeShape {
        gpus,
        nodes,
        dense_bytes,
        routed_bytes,
        experts: model.moe.map_or((0.0, 0.0), |m| (m.routed_experts, m.experts_per_token)),
        kv_bytes_per_token,
        context_tokens,
        matmul_flops: 2.0 * model.params_active,
        attention_flops: model.attention_flops_decode(),
        hbm_bw: gpus * platform.hbm_tb_s * 1e12,
        peak_w,
        peak_kv,
        net_bytes_per_token,
        net_bw: platform.scale_out_gb_s * 1e9,
    })
}

/// The decode stage: batch from memory and the latency target, then tokens/s per GPU.
pub fn decode(
    platform: &PlatformSpec,
    model: &ModelArch,
    d: &Deployment,
    eff: Efficiency,
) -> Result<DecodeResult, ServeError> {
    decode_with(platform, model, d, eff, &ServeOptions::NONE, None)
}

/// The decode stage with the refinements of `opts`: `t_step = max(roofline / η_decode, floor)`.
/// With `batch`, decode runs that many requests per replica (capped by memory); else the largest
/// batch memory and the latency target allow.
pub fn decode_with(
    platform: &PlatformSpec,
    model: &ModelArch,
    d: &Deployment,
    eff: Efficiency,
    opts: &ServeOptions,
    batch: Option<f64>,
) -> Result<DecodeResult, ServeError> {
    let shape = decode_shape_with(platform, model, d, opts)?;
    let usable = shape.gpus * platform.hbm_gb * 1e9 * d.hbm_usable_fraction;
    let b_mem = ((usable - shape.dense_bytes - shape.routed_bytes) / (shape.context_tokens * shape.kv_bytes_per_token))
        .floor()
        .max(1.0);
    let step = |b: f64| step_time(&shape, b, eff, opts.step_floor_s);
    let mut chosen = batch.map_or(b_mem, |b| b.clamp(1.0, b_mem));
    let mut latency_limited = false;
    if let Some(itl) = d.itl_ms {
        let target = itl / 1000.0;
        let (t1, _) = step(1.0);
        if t1 > target {
            return Err(ServeError::LatencyUnreachable { target_ms: itl, best_ms: t1 * 1000.0 });
        }
        if step(chosen).0 > target {
            chosen = largest_batch_within(&step, chosen, target);
            latency_limited = true;
        }
    }
    let (t, bound) = step(chosen);
    Ok(DecodeResult {
        gpus_per_replica: shape.gpus,
        batch: chosen,
        batch_per_gpu: chosen / shape.gpus,
        batch_memory_limit: b_mem,
        latency_limited,
        step_ms: t * 1000.0,
        bound,
        tokens_per_s_per_gpu: chosen / t / shape.gpus,
        weights_gb_per_gpu: (shape.dense_bytes + shape.routed_bytes) / shape.gpus / 1e9,
    })
}

/// The decode step at batch `b`: the roofline over the efficiency, never below the floor.
fn step_time(shape: &DecodeShape, b: f64, eff: Efficiency, floor_s: f64) -> (f64, Bound) {
    let (t, bound) = shape.step(b);
    let t = t / eff.decode;
    if floor_s > t { (floor_s, Bound::Floor) } else { (t, bound) }
}

/// The largest batch in `[1, hi]` whose step is within `target` (the step time grows with the
/// batch; the step of a batch of one is within it).
fn largest_batch_within(step: &impl Fn(f64) -> (f64, Bound), hi: f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (1.0_f64, hi);
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if step(mid).0 <= target { lo = mid } else { hi = mid }
    }
    lo
}

/// The prefill stage: input tokens/s per GPU, FLOP-bound unless expert exchanges across nodes
/// saturate the network.
pub fn prefill(
    platform: &PlatformSpec,
    model: &ModelArch,
    d: &Deployment,
    eff: Efficiency,
) -> Result<PrefillResult, ServeError> {
    prefill_with(platform, model, d, eff, &ServeOptions::NONE)
}

/// The prefill stage with the refinements of `opts`: tokens/s counts the input tokens prefilled
/// (those not served from the prompt cache), each attending to a mean of `input · (1 + h) / 2`
/// positions when a share `h` of the prompt is cached.
pub fn prefill_with(
    platform: &PlatformSpec,
    model: &ModelArch,
    d: &Deployment,
    eff: Efficiency,
    opts: &ServeOptions,
) -> Result<PrefillResult, ServeError> {
    if d.prefill_nodes > 1.0 && model.moe.is_none() {
        return Err(ServeError::DenseAcrossNodes);
    }
    let (peak_w, peak_kv) = peaks(platform, d, opts)?;
    let gpus = replica_gpus(platform, d.prefill_nodes);
    let tp = tensor_parallel(platform, d, gpus);
    let (dense, routed) = weight_bytes(model, d, gpus, tp);
    let usable = gpus * platform.hbm_gb * 1e9 * d.hbm_usable_fraction;
    let needed = dense + routed + d.input_tokens * model.kv_bytes_per_token(d.kv_precision.bytes());
    if needed > usable {
        return Err(ServeError::DoesNotFit { needed_bytes: needed, available_bytes: usable, gpus });
    }
    let mean_position = d.input_tokens * (1.0 + opts.cache_hit_share) / 2.0;
    let t_flops = 2.0 * model.params_active / peak_w + model.attention_flops_prefill() * mean_position / peak_kv;
    let n = d.prefill_nodes.max(1.0);
    let t_net = match model.moe {
        Some(m) if n > 1.0 => {
            let sends = (n - 1.0) * (1.0 - (1.0 - 1.0 / n).powf(m.experts_per_token));
            m.moe_layers * sends * model.hidden_size * d.ep_bytes_per_element / (platform.scale_out_gb_s * 1e9)
        }
        _ => 0.0,
    };
    let (t, bound) = if t_net > t_flops { (t_net, Bound::Network) } else { (t_flops, Bound::Compute) };
    Ok(PrefillResult { gpus_per_replica: gpus, bound, tokens_per_s_per_gpu: eff.prefill / t })
}

/// Output tokens/s per GPU of a disaggregated deployment, counting the prefill GPUs its inputs need.
pub fn serving_rate(decode_tps: f64, prefill_tps: f64, input_tokens: f64, output_tokens: f64) -> f64 {
    1.0 / (1.0 / decode_tps + input_tokens / output_tokens / prefill_tps)
}

/// The efficiency factors that make the roofline reproduce a measurement: measured ÷ roofline, per stage.
pub fn calibrate(
    platform: &PlatformSpec,
    model: &ModelArch,
    d: &Deployment,
    measured_prefill_tps: f64,
    measured_decode_tps: f64,
) -> Result<(Efficiency, PrefillResult, DecodeResult), ServeError> {
    let p = prefill(platform, model, d, Efficiency::ROOFLINE)?;
    let dr = decode(platform, model, d, Efficiency::ROOFLINE)?;
    let eff = Efficiency {
        prefill: measured_prefill_tps / p.tokens_per_s_per_gpu,
        decode: measured_decode_tps / dr.tokens_per_s_per_gpu,
    };
    Ok((eff, p, dr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelCatalog;

    fn h100() -> PlatformSpec {
        PlatformSpec {
            id: "h100-hgx".into(),
            hbm_gb: 80.0,
            hbm_tb_s: 3.35,
            fp4_tflops: None,
            fp8_tflops: Some(1979.0),
            bf16_tflops: Some(989.0),
            nvlink_domain: 8.0,
            scale_out_gb_s: 50.0,
        }
    }

    fn dep(precision: Precision, itl_ms: Option<f64>) -> Deployment {
        Deployment {
            precision,
            kv_precision: Precision::Fp8,
            input_tokens: 1000.0,
            output_tokens: 500.0,
            itl_ms,
            decode_nodes: 1.0,
            prefill_nodes: 1.0,
            tensor_parallel: None,
            hbm_usable_fraction: 0.9,
            ep_bytes_per_element: 3.0,
        }
    }

    #[test]
    fn a_latency_target_caps_the_batch_and_a_looser_one_never_serves_less() {
        let cat = ModelCatalog::bundled().unwrap();
        let m = cat.get("llama3-70b").unwrap();
        let eff = Efficiency { prefill: 0.5, decode: 0.5 };
        let free = decode(&h100(), m, &dep(Precision::Fp8, None), eff).unwrap();
        let tight = decode(&h100(), m, &dep(Precision::Fp8, Some(20.0)), eff).unwrap();
        let loose = decode(&h100(), m, &dep(Precision::Fp8, Some(40.0)), eff).unwrap();
        assert!(tight.latency_limited && tight.step_ms <= 20.0 && tight.batch < free.batch);
        assert!(loose.tokens_per_s_per_gpu >= tight.tokens_per_s_per_gpu);
        assert!(free.tokens_per_s_per_gpu >= loose.tokens_per_s_per_gpu);
    }

    #[test]
    fn a_model_too_big_for_the_node_reports_what_it_needs_and_has() {
        let cat = ModelCatalog::bundled().unwrap();
        let m = cat.get("llama3.1-405b").unwrap();
        let err = decode(&h100(), m, &dep(Precision::Bf16, None), Efficiency::ROOFLINE).unwrap_err();
        let ServeError::DoesNotFit { needed_bytes, available_bytes, gpus } = err else { panic!("{err:?}") };
        assert_eq!(gpus, 8.0);
        assert!((available_bytes - 8.0 * 80e9 * 0.9).abs() < 1.0);
        assert!(needed_bytes > 810e9 && needed_bytes < 811e9, "{needed_bytes}");
        assert!(decode(&h100(), m, &dep(Precision::Fp8, None), Efficiency::ROOFLINE).is_ok(), "405B fits at FP8");
    }

    #[test]
    fn only_experts_span_nodes_and_fp4_needs_an_fp4_peak() {
        let cat = ModelCatalog::bundled().unwrap();
        let dense = cat.get("llama3-70b").unwrap();
        let d = Deployment { decode_nodes: 2.0, ..dep(Precision::Fp8, None) };
        assert_eq!(decode(&h100(), dense, &d, Efficiency::ROOFLINE).unwrap_err(), ServeError::DenseAcrossNodes);
        assert_eq!(
            prefill(&h100(), dense, &dep(Precision::Fp4, None), Efficiency::ROOFLINE).unwrap_err(),
            ServeError::NoPeak { precision: Precision::Fp4 }
        );
    }

    #[test]
    fn a_small_moe_batch_reads_only_the_experts_it_touches() {
        let cat = ModelCatalog::bundled().unwrap();
        let ds = cat.get("deepseek-v3").unwrap();
        let d = Deployment { decode_nodes: 9.0, tensor_parallel: Some(1.0), ..dep(Precision::Fp8, None) };
        let shape = decode_shape(&h100(), ds, &d).unwrap();
        let (one, bound) = shape.step(1.0);
        // One token touches 8 of 256 experts: a batch of one reads 1/32 of the routed weights.
        let expected =
            (shape.dense_bytes + shape.routed_bytes * 8.0 / 256.0 + shape.context_tokens * shape.kv_bytes_per_token)
                / shape.hbm_bw;
        assert_eq!(bound, Bound::Memory);
        assert!((one / expected - 1.0).abs() < 1e-9, "{one} vs {expected}");
        assert!(one < (shape.dense_bytes + shape.routed_bytes) / shape.hbm_bw);
        // Cross-node exchanges: 58 layers × 8 × 8/9 × 7,168 × 3 B ≈ 8.9 MB per token.
        assert!((shape.net_bytes_per_token / 1e6 - 8.87).abs() < 0.01, "{}", shape.net_bytes_per_token);
    }

    #[test]
    fn serving_counts_the_prefill_gpus_inputs_need() {
        // 1,000 decode tok/s per GPU and 2,000 prefill tok/s: with 2 inputs per output, each output
        // token needs 1 ms of decode and 1 ms of prefill GPU time.
        assert!((serving_rate(1000.0, 2000.0, 2.0, 1.0) - 500.0).abs() < 1e-9);
    }
}
