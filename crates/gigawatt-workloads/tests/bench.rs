//! The benchmark mode (`gigawatt inference`) against published measurements, and its properties.
//! The factors are the geometric mean of measured ÷ roofline over the calibration points; they are
//! never refitted to pass. Tolerance: ±35%, the project's cross-platform tolerance (workloads
//! reference §4 item 6). Points the model misses are pinned by the sign of their gap, so that a
//! model change that moves them is noticed; their gaps are in docs/models/inference.md.

use gigawatt_core::Catalog;
use gigawatt_workloads::bench::{
    AnchorResult, BenchRequest, Load, benchmark, calibrate_anchors, pareto, sweep_batches,
};
use gigawatt_workloads::defaults::{Role, Stage, WorkloadDefaults};
use gigawatt_workloads::models::ModelCatalog;
use gigawatt_workloads::precision::Precision;
use proptest::prelude::*;

const TOLERANCE: f64 = 0.35;

fn anchors() -> Vec<AnchorResult> {
    let d = WorkloadDefaults::bundled().unwrap();
    calibrate_anchors(&Catalog::bundled().unwrap(), &ModelCatalog::bundled().unwrap(), &d).unwrap().anchors
}

fn anchor(id: &str) -> AnchorResult {
    anchors().into_iter().find(|a| a.id == id).unwrap_or_else(|| panic!("no anchor {id}"))
}

#[test]
fn the_calibration_rests_on_two_points_per_stage_and_lists_every_point() {
    let all = anchors();
    for stage in [Stage::Prefill, Stage::Decode] {
        let n = all.iter().filter(|a| a.role == Role::Calibration && a.stage == stage).count();
        assert!(n >= 2, "{n} {stage:?} calibration points");
    }
    assert!(all.iter().any(|a| a.role == Role::Validation));
    assert!(all.iter().all(|a| !a.sources.is_empty()), "every point has its source");
}

#[test]
fn the_factors_are_the_geometric_mean_so_the_calibration_gaps_multiply_to_one() {
    // Exact oracle: with η the geometric mean of measured ÷ roofline, Π (model ÷ measured) = 1 per stage.
    for stage in [Stage::Prefill, Stage::Decode] {
        let product: f64 =
            anchors().iter().filter(|a| a.role == Role::Calibration && a.stage == stage).map(|a| 1.0 + a.gap).product();
        assert!((product - 1.0).abs() < 1e-9, "{stage:?}: {product}");
    }
}

#[test]
fn sglang_deepseek_on_h100_prefill_and_decode_are_within_35_percent() {
    // LMSYS May 2025: 6,537.5 input and 2,787.5 output tokens/s per GPU.
    for id in ["h100-hgx-calibration-prefill", "h100-hgx-calibration-decode"] {
        let a = anchor(id);
        assert!(a.gap.abs() < TOLERANCE, "{id}: model {:.0} vs {:.0} ({:+.1}%)", a.model, a.measured, 100.0 * a.gap);
    }
}

#[test]
fn sglang_deepseek_on_gb200_fp8_prefill_is_within_35_percent() {
    // LMSYS Sep 2025, FP8 MoE and BF16 attention: 18,471 input tokens/s per GPU.
    let a = anchor("gb200-sglang-fp8-prefill");
    assert!(a.gap.abs() < TOLERANCE, "model {:.0} vs {:.0} ({:+.1}%)", a.model, a.measured, 100.0 * a.gap);
}

#[test]
fn sglang_deepseek_on_gb200_fp8_decode_is_overstated() {
    // LMSYS Sep 2025: 9,087 output tokens/s per GPU. Not reproduced within 35%: the model gives
    // +38% (the 72-GPU replica and memory-limited batch stand in for 48 GPUs at SGLang's batch cap).
    let a = anchor("gb200-sglang-fp8-decode");
    assert!(a.gap > 0.0 && a.gap < 0.5, "{:+.1}%", 100.0 * a.gap);
}

#[test]
fn fp4_gains_on_gb200_are_overstated() {
    // LMSYS Sep 2025, NVFP4 MoE and FP8 attention: 26,156 input and 13,386 output tokens/s per GPU,
    // 1.42× and 1.47× the FP8 figures. The roofline doubles the matmul peak and halves the weight
    // bytes, so it expects ~2×: not reproduced (+68% prefill, +87% decode). Validation only.
    let fp8 = (anchor("gb200-sglang-fp8-prefill"), anchor("gb200-sglang-fp8-decode"));
    let fp4 = (anchor("gb200-sglang-fp4-prefill"), anchor("gb200-sglang-fp4-decode"));
    assert!(fp4.0.gap > fp8.0.gap && fp4.1.gap > fp8.1.gap);
    assert!((fp4.0.measured / fp8.0.measured - 1.416).abs() < 0.001);
    assert!(fp4.0.model / fp8.0.model > 1.9, "the roofline's FP4 prefill gain");
}

#[test]
fn mlperf_llama2_70b_offline_on_8_b200_is_within_35_percent() {
    // MLPerf Inference v5.1: ~12.9k output tokens/s per GPU (validation point, not calibrated on).
    let a = anchor("mlperf-v5.1-b200-llama2-offline");
    assert_eq!(a.role, Role::Validation);
    assert!(a.gap.abs() < TOLERANCE, "model {:.0} vs {:.0} ({:+.1}%)", a.model, a.measured, 100.0 * a.gap);
}

fn request(model: &str, platform: &str, precision: Precision, isl: f64, osl: f64, hit: f64) -> BenchRequest {
    BenchRequest {
        model: model.into(),
        platform: platform.into(),
        precision,
        kv_precision: Precision::Fp8,
        attention_precision: Precision::Fp8,
        input_tokens: isl,
        output_tokens: osl,
        cache_hit_share: Some(hit),
        load: Load::Max,
        decode_nodes: 1.0,
        prefill_nodes: 1.0,
        tensor_parallel: None,
        sweep: true,
    }
}

const CASES: [(&str, &str, Precision); 4] = [
    ("llama3-70b", "h100-hgx", Precision::Fp8),
    ("llama3-70b", "b200-hgx", Precision::Fp4),
    ("deepseek-v3", "gb200-nvl72", Precision::Fp8),
    ("llama3.1-405b", "h200-hgx", Precision::Fp8),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn along_the_curve_throughput_per_gpu_never_rises_with_tokens_per_user(
        case in 0usize..4, isl in 64.0f64..8192.0, osl in 16.0f64..4096.0, hit in 0.0f64..0.95,
    ) {
        let (m, p, prec) = CASES[case];
        let b = benchmark(&Catalog::bundled().unwrap(), &request(m, p, prec, isl, osl, hit)).unwrap();
        prop_assert!(!b.pareto.is_empty());
        for w in b.pareto.windows(2) {
            prop_assert!(w[0].tokens_per_s_per_user > w[1].tokens_per_s_per_user);
            prop_assert!(w[0].tokens_per_s_per_gpu < w[1].tokens_per_s_per_gpu);
        }
        // The frontier ends at the highest throughput of the sweep: that of the memory-limited batch
        // (Load::Max), or a smaller batch at the same throughput once compute- or network-bound.
        let last = b.pareto.last().unwrap();
        prop_assert!(last.tokens_per_s_per_gpu >= b.point.tokens_per_s_per_gpu * (1.0 - 1e-12));
        prop_assert!(last.concurrency <= b.batch_memory_limit);
        prop_assert!(sweep_batches(b.batch_memory_limit).len() >= b.pareto.len());
        prop_assert_eq!(pareto(&b.pareto), b.pareto.clone());
    }

    #[test]
    fn more_cache_hits_never_lower_throughput_nor_raise_ttft(
        case in 0usize..4, isl in 64.0f64..8192.0, osl in 16.0f64..4096.0, a in 0.0f64..0.95, b in 0.0f64..0.95,
    ) {
        let (m, p, prec) = CASES[case];
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let cat = Catalog::bundled().unwrap();
        let x = benchmark(&cat, &BenchRequest { sweep: false, ..request(m, p, prec, isl, osl, lo) }).unwrap();
        let y = benchmark(&cat, &BenchRequest { sweep: false, ..request(m, p, prec, isl, osl, hi) }).unwrap();
        prop_assert!(y.point.tokens_per_s_per_gpu >= x.point.tokens_per_s_per_gpu * (1.0 - 1e-12));
        prop_assert!(y.point.ttft_ms <= x.point.ttft_ms * (1.0 + 1e-12));
        prop_assert_eq!(y.point.itl_ms, x.point.itl_ms);
    }

    #[test]
    fn a_concurrency_gives_at_most_the_throughput_of_a_larger_one(
        case in 0usize..4, c in 1.0f64..4096.0,
    ) {
        let (m, p, prec) = CASES[case];
        let cat = Catalog::bundled().unwrap();
        let at = |c: f64| benchmark(&cat, &BenchRequest { load: Load::Concurrency(c), sweep: false, ..request(m, p, prec, 1024.0, 1024.0, 0.0) }).unwrap().point;
        let (one, two) = (at(c), at(2.0 * c));
        prop_assert!(two.tokens_per_s_per_gpu >= one.tokens_per_s_per_gpu * (1.0 - 1e-12));
        prop_assert!(two.tokens_per_s_per_user <= one.tokens_per_s_per_user * (1.0 + 1e-12));
    }
}
