//! The chart of `gigawatt inference --sweep`: the Pareto curve of output tokens/s per GPU against
//! tokens/s per user, the form MLPerf Inference and InferenceMAX report.

use gigawatt_workloads::bench::Benchmark;

use super::{Axis, Body, Chart, ChartId, Data, Mark, PALETTE, Series, Unit, XAxis, XyPlot};

/// The Pareto curve (needs `--sweep`; `None` without one).
pub fn pareto_chart(b: &Benchmark) -> Option<Chart> {
    if b.pareto.is_empty() {
        return None;
    }
    let mut points: Vec<(f64, f64)> =
        b.pareto.iter().map(|p| (p.tokens_per_s_per_user, p.tokens_per_s_per_gpu)).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let r = &b.request;
    Some(Chart {
        id: ChartId::InferencePareto.id(),
        title: format!("{} on {}: throughput per GPU against tokens/s per user", b.model_name, r.platform),
        subtitle: Some(format!(
            "weights {}, KV cache {}, attention {} · ISL {} / OSL {} · cache hits {:.0}% · one point per concurrency",
            r.precision,
            r.kv_precision,
            r.attention_precision,
            r.input_tokens,
            r.output_tokens,
            100.0 * b.cache_hit_share
        )),
        body: Body::Xy(XyPlot {
            x: XAxis::Numeric(Axis::new("output tokens/s per user", Unit::CountOf("tokens/s".into())).fitted()),
            y: Axis::new("output tokens/s per GPU", Unit::CountOf("tokens/s".into())),
            y2: None,
            series: vec![Series::new("Pareto frontier", Mark::Line, Data::Points(points)).colored(PALETTE[0])],
            label_bars: false,
        }),
        note: Some(format!(
            "Roofline × efficiency factors calibrated on {} published points (η_prefill {:.2}, η_decode {:.2}); prefill GPUs counted.",
            b.calibration.anchors.iter().filter(|a| a.role == gigawatt_workloads::defaults::Role::Calibration).count(),
            b.calibration.efficiency.prefill,
            b.calibration.efficiency.decode
        )),
    })
}
