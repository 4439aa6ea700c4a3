//! The result of `gigawatt inference` ([`Benchmark`]): the operating point, the Pareto curve with
//! `--sweep`, every published point behind (or beside) the calibration, and the assumptions.

use std::fmt::Write;

use gigawatt_workloads::bench::{BenchPoint, Benchmark, Load};
use gigawatt_workloads::defaults::Role;

use crate::fmt::{count, number, percent, sig3, with_unit};

/// The readable summary.
pub fn inference_summary(b: &Benchmark) -> String {
    let mut out = String::new();
    header(&mut out, b);
    point_section(&mut out, b);
    if !b.pareto.is_empty() {
        pareto_section(&mut out, &b.pareto);
    }
    calibration_section(&mut out, b);
    if !b.warnings.is_empty() {
        heading(&mut out, "WARNINGS");
        for w in &b.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    assumptions_section(&mut out, b);
    out
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

fn header(out: &mut String, b: &Benchmark) {
    let r = &b.request;
    let load = match r.load {
        Load::Max => "the largest batch memory holds".to_string(),
        Load::Concurrency(c) => format!("concurrency {} per decode replica", number(c)),
        Load::TpsUser(x) => format!("at least {} output tokens/s per user", number(x)),
    };
    let _ = writeln!(out, "gigawatt inference · {} on {}", b.model_name, r.platform);
    let _ = writeln!(
        out,
        "  weights {} · KV cache {} · attention {} · ISL {} · OSL {} · cache hits {} · {load}",
        r.precision,
        r.kv_precision,
        r.attention_precision,
        number(r.input_tokens),
        number(r.output_tokens),
        percent(b.cache_hit_share)
    );
    let _ = writeln!(
        out,
        "  decode replica {} GPUs (memory holds {} requests) · prefill replica {} GPUs · step floor {:.2} ms · {:.2} kW IT per GPU",
        number(b.decode_gpus_per_replica),
        count(b.batch_memory_limit),
        number(b.prefill_gpus_per_replica),
        b.step_floor_ms,
        b.kw_per_gpu
    );
}

fn point_section(out: &mut String, b: &Benchmark) {
    let p = &b.point;
    heading(out, "OPERATING POINT");
    let _ = writeln!(out, "  concurrency            {}", count(p.concurrency));
    let _ =
        writeln!(out, "  tokens/s per GPU       {}   (output; prefill GPUs counted)", count(p.tokens_per_s_per_gpu));
    let _ = writeln!(out, "  tokens/s per MW        {}   (IT power)", count(p.tokens_per_s_per_mw));
    let _ = writeln!(out, "  tokens/s per user      {}", sig3(p.tokens_per_s_per_user));
    let _ = writeln!(out, "  TTFT                   {} ms   (prefill of one prompt, no queueing)", sig3(p.ttft_ms));
    let _ = writeln!(out, "  ITL                    {} ms   (decode {}-bound)", sig3(p.itl_ms), p.bound.name());
    let _ = writeln!(
        out,
        "  decode {} output tok/s per GPU · prefill {} input tok/s per GPU ({}-bound)",
        count(p.decode_tokens_per_s_per_gpu),
        count(b.prefill_tokens_per_s_per_gpu),
        b.prefill_bound.name()
    );
}

fn pareto_section(out: &mut String, points: &[BenchPoint]) {
    heading(out, "PARETO CURVE (throughput per GPU against tokens/s per user)");
    let _ = writeln!(
        out,
        "  {:>11}  {:>12}  {:>12}  {:>12}  {:>9}  {:>9}  bound",
        "concurrency", "tok/s/user", "tok/s/GPU", "tok/s/MW", "TTFT ms", "ITL ms"
    );
    for p in points {
        let _ = writeln!(
            out,
            "  {:>11}  {:>12}  {:>12}  {:>12}  {:>9}  {:>9}  {}",
            count(p.concurrency),
            sig3(p.tokens_per_s_per_user),
            count(p.tokens_per_s_per_gpu),
            count(p.tokens_per_s_per_mw),
            sig3(p.ttft_ms),
            sig3(p.itl_ms),
            p.bound.name()
        );
    }
}

fn calibration_section(out: &mut String, b: &Benchmark) {
    let e = &b.calibration.efficiency;
    heading(
        out,
        &format!(
            "CALIBRATION (η_prefill {:.3}, η_decode {:.3}: geometric mean of measured ÷ roofline over the calibration points)",
            e.prefill, e.decode
        ),
    );
    let _ = writeln!(out, "  {:<12} {:<8} {:>10} {:>10} {:>8}  point", "role", "stage", "measured", "model", "gap");
    for a in &b.calibration.anchors {
        let role = match a.role {
            Role::Calibration => "calibration",
            Role::Validation => "validation",
        };
        let _ = writeln!(
            out,
            "  {:<12} {:<8} {:>10} {:>10} {:>7.0}%  {}",
            role,
            a.stage.name(),
            count(a.measured),
            count(a.model),
            100.0 * a.gap,
            a.label
        );
    }
    let _ = writeln!(
        out,
        "  tokens/s per GPU (input for prefill, output otherwise); `--format json` gives each point's sources."
    );
}

fn assumptions_section(out: &mut String, b: &Benchmark) {
    heading(out, "ASSUMPTIONS (inputs no public source gives; listed apart from the sourced inputs)");
    if b.assumptions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in &b.assumptions {
        let _ = writeln!(out, "  - {}: {}", a.label, with_unit(a.central, &a.unit));
        if let Some(why) = &a.provenance.assumption {
            let _ = writeln!(out, "    {why}");
        }
    }
    let sourced = b.inputs.iter().filter(|i| i.sourced).count();
    let _ = writeln!(
        out,
        "  {sourced} further inputs rest on published sources; `--format json` lists each with its sources."
    );
}

/// The operating point and the Pareto curve as CSV: one row per point (`curve` = `point` for the
/// operating point, `pareto` for the curve).
pub fn inference_csv(b: &Benchmark) -> String {
    let mut out = String::from(
        "curve,concurrency,tokens_per_s_per_gpu,tokens_per_s_per_user,tokens_per_s_per_mw,ttft_ms,itl_ms,decode_tokens_per_s_per_gpu,bound\n",
    );
    let rows = std::iter::once(("point", &b.point)).chain(b.pareto.iter().map(|p| ("pareto", p)));
    for (curve, p) in rows {
        let _ = writeln!(
            out,
            "{curve},{},{:.3},{:.4},{:.1},{:.3},{:.4},{:.3},{}",
            p.concurrency,
            p.tokens_per_s_per_gpu,
            p.tokens_per_s_per_user,
            p.tokens_per_s_per_mw,
            p.ttft_ms,
            p.itl_ms,
            p.decode_tokens_per_s_per_gpu,
            p.bound.name()
        );
    }
    out
}

/// The files `--out` writes: `inference.json`, `inference.csv` and, with a sweep, the chart
/// `inference-pareto.svg`.
pub fn inference_files(b: &Benchmark) -> Vec<(String, String)> {
    let mut files =
        vec![("inference.json".to_string(), crate::json::to_json(b)), ("inference.csv".to_string(), inference_csv(b))];
    if let Some(chart) = crate::chart::inference::pareto_chart(b) {
        let rendered = chart.render();
        files.push((format!("{}.svg", rendered.id), rendered.svg));
    }
    files
}
