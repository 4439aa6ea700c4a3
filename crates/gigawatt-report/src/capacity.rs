//! `gigawatt capacity` output: the terminal summary and the monthly timeline as CSV.

use std::fmt::Write;

use gigawatt_workloads::Capacity;
use gigawatt_workloads::allocation::Policy;
use gigawatt_workloads::capacity::{ChatToday, InferenceResult, MonthRow, TrainingResult};

use crate::fmt::{count, percent, power_mw, sig3, thousands, with_unit};
use crate::table::{heading, new_table, push_table, warnings_section};

/// FLOPs in scientific notation: `3.79e25`.
fn flops(x: f64) -> String {
    format!("{x:.2e}")
}

/// A large number with a scale word: `15.6 T`, `405 B`, `900 M`, below a million as a count.
pub(crate) fn big(x: f64) -> String {
    let a = x.abs();
    if a >= 1e12 {
        format!("{} T", sig3(x / 1e12))
    } else if a >= 1e9 {
        format!("{} B", sig3(x / 1e9))
    } else if a >= 1e6 {
        format!("{} M", sig3(x / 1e6))
    } else {
        count(x)
    }
}

/// An input value in its unit.
fn input_value(x: f64, unit: &str) -> String {
    match unit {
        "count" | "users" => big(x),
        "tokens" => format!("{} tokens", big(x)),
        _ => with_unit(x, unit),
    }
}

/// A token rate: `14.5 M/s`.
fn rate(x: f64) -> String {
    format!("{}/s", big(x))
}

fn policy_text(p: &Policy) -> String {
    match p {
        Policy::FixedShare { inference_share } => {
            format!("fixed share ({} of the fleet to inference)", percent(*inference_share))
        }
        Policy::InferenceFirst => "inference first (training takes what demand leaves)".into(),
        Policy::TrainingReservations => "training reservations (inference takes what runs leave)".into(),
    }
}

/// Columns of the inference table (terminal and report).
const INFERENCE_HEAD: [&str; 9] = [
    "platform",
    "model",
    "precision",
    "tok/s/GPU",
    "decode batch/GPU",
    "bound",
    "tok/s per MW",
    "kWh/M tok",
    "$/M tok",
];

/// One row of the inference table.
fn inference_row(r: &InferenceResult) -> Vec<String> {
    vec![
        r.platform.clone(),
        r.model.clone(),
        format!("{}/{}", r.precision, r.kv_precision),
        count(r.tokens_per_s_per_gpu),
        format!("{:.0}{}", r.decode.batch_per_gpu, if r.decode.latency_limited { " (ITL)" } else { "" }),
        format!("{}/{}", r.prefill.bound.name(), r.decode.bound.name()),
        count(r.tokens_per_s_per_mw),
        format!("{:.2}", r.kwh_per_million_tokens),
        format!("${:.3}", r.usd_per_million_tokens),
    ]
}

/// How much of the fleet today's text chat needs, in four plain lines (the terminal summary and
/// the report say it the same way).
pub fn chat_today_lines(t: &ChatToday) -> Vec<String> {
    let scale = if t.reference_mw < 10.0 {
        "megawatts"
    } else if t.reference_mw < 100.0 {
        "tens of megawatts"
    } else if t.reference_mw < 1000.0 {
        "hundreds of megawatts"
    } else {
        "gigawatts"
    };
    vec![
        format!(
            "{} weekly users ({}) × {} messages/day × {} output tokens = {} average, {} at peak (plain text, no features).",
            big(t.weekly_users),
            t.date,
            sig3(t.messages_per_day / t.weekly_users),
            sig3(t.output_tokens_per_message),
            rate(t.average_tokens_per_s),
            rate(t.peak_tokens_per_s),
        ),
        format!(
            "On {} serving {}: {} GPUs, {} of facility power ({:.2} Wh per message; Altman: 0.34 Wh per average query).",
            t.reference_platform,
            t.model,
            count(t.reference_gpus),
            power_mw(t.reference_mw),
            t.reference_wh_per_message,
        ),
        format!(
            "On the fleet's {}: {} GPUs, {} — {} of the plan's {}. Today's text chat needs {scale}, not the plan's {}:",
            t.fleet_platform,
            count(t.fleet_gpus),
            power_mw(t.fleet_mw),
            percent(t.share_of_fleet_power),
            power_mw(t.fleet_power_mw),
            power_mw(t.fleet_power_mw),
        ),
        "the rest of the build is for training, user growth and compute-heavy features (reasoning, agents) — below, month by month.".to_string(),
    ]
}

/// What the fleet's GPU-hours go to, in one or two plain lines.
pub fn usage_lines(c: &Capacity) -> Vec<String> {
    let u = &c.usage;
    let mut lines = vec![format!(
        "{} GPU-hours online: training {} ({}), inference at peak demand {} ({}), idle {} ({}).",
        big(u.gpu_hours_online),
        big(u.training_gpu_hours),
        percent(u.training_share),
        big(u.inference_gpu_hours),
        percent(u.inference_share),
        big(u.idle_gpu_hours),
        percent(u.idle_share),
    )];
    if let Some(last) = c.timeline.last() {
        let h = &last.h100_equivalents_online;
        let eq: Vec<String> = [("BF16", h.bf16), ("FP8", h.fp8)]
            .into_iter()
            .filter_map(|(name, x)| x.map(|n| format!("{} by dense {name}", count(n))))
            .collect();
        if !eq.is_empty() {
            lines.push(format!(
                "{} GPUs online in {}: H100-equivalents {} (peak compute, not delivered work).",
                count(last.gpus_online),
                last.month,
                eq.join(", ")
            ));
        }
    }
    if u.idle_share > 0.5 {
        lines.push(
            "Most of the fleet is idle under these runs and this demand: the build is sized for more training (more and larger runs,\n  research and RL) or for demand well beyond the published figures — the assumptions below say which would have to change."
                .to_string(),
        );
    }
    lines
}

/// The capacity result as a readable terminal summary.
pub fn capacity_summary(c: &Capacity) -> String {
    let mut out = String::new();
    title_lines(&mut out, c);
    if let Some(t) = &c.chat_today {
        chat_today_section(&mut out, t);
    }
    usage_section(&mut out, c);
    if !c.training.is_empty() {
        training_section(&mut out, &c.training);
    }
    if !c.inference.is_empty() {
        inference_section(&mut out, c);
    }
    timeline_table(&mut out, c);
    if !c.tiers.is_empty() {
        gated_features_section(&mut out, c);
    }
    assumptions_section(&mut out, c);
    warnings_section(&mut out, &c.warnings);
    out
}

/// The scenario's name, description, file, policy, runs and tiers.
fn title_lines(out: &mut String, c: &Capacity) {
    let _ = writeln!(out, "{}", c.scenario.name);
    if let Some(d) = &c.scenario.description {
        let _ = writeln!(out, "{d}");
    }
    let _ = writeln!(
        out,
        "{} · policy: {} · {} training run{} · {} demand tier{}",
        c.scenario.file,
        policy_text(&c.policy),
        c.training.len(),
        if c.training.len() == 1 { "" } else { "s" },
        c.tiers.len(),
        if c.tiers.len() == 1 { "" } else { "s" },
    );
}

/// HOW MUCH OF THE FLEET DOES TODAY'S TEXT CHAT NEED: [`chat_today_lines`] under a heading.
fn chat_today_section(out: &mut String, t: &ChatToday) {
    heading(out, "HOW MUCH OF THE FLEET DOES TODAY'S TEXT CHAT NEED?");
    for line in chat_today_lines(t) {
        let _ = writeln!(out, "  {line}");
    }
}

/// WHAT THE FLEET'S GPU-HOURS GO TO over the timeline ([`usage_lines`]), when it has months.
fn usage_section(out: &mut String, c: &Capacity) {
    if let (Some(first), Some(last)) = (c.timeline.first(), c.timeline.last()) {
        heading(out, &format!("WHAT THE FLEET'S GPU-HOURS GO TO ({} → {})", first.month, last.month));
        for line in usage_lines(c) {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// TRAINING: one row per run, then each run's simulated ETTR and interruption notes.
fn training_section(out: &mut String, training: &[TrainingResult]) {
    heading(
        out,
        "TRAINING (compute 6·N·D unless stated; wall-clock and GPU-hours include the reliability and non-failure overheads)",
    );
    let mut t = new_table(
        &["run", "FLOPs", "attention", "GPUs", "MFU", "ETTR", "GPU-hours", "wall days", "started", "finish"],
        1,
    );
    for r in training {
        t.add_row(vec![
            r.name.clone(),
            flops(r.flops),
            r.attention_flops.clone(),
            count(r.gpus),
            percent(r.mfu),
            format!("{} ({})", percent(r.ettr.ettr), r.ettr.method.replace('_', " ")),
            big(r.gpu_hours),
            r.wall_days.map_or("–".into(), |d| format!("{d:.1}")),
            r.started.map_or("–".into(), |d| d.to_string()),
            r.finish.map_or_else(|| format!("{:.0}% done", 100.0 * r.progress), |d| d.to_string()),
        ]);
    }
    push_table(out, &t);
    for r in training {
        ettr_notes(out, r);
        overhead_note(out, r);
    }
}

/// A run's non-failure overheads, when it has any: the share of time left and what takes the rest.
fn overhead_note(out: &mut String, r: &TrainingResult) {
    let o = &r.overheads;
    let planned = o.planned_fraction();
    if r.overhead_factor >= 1.0 && !o.planned_in_ettr {
        return;
    }
    let planned_text = if o.planned_in_ettr {
        "planned restarts in the simulated ETTR".to_string()
    } else {
        format!(
            "planned restarts {} ({:.2} a day × {:.0} min)",
            percent(planned),
            o.planned_restarts_per_day,
            o.planned_restart_min
        )
    };
    let _ = writeln!(
        out,
        "  {}: training {} of the time besides failures — evaluation {}, data stalls {}, {planned_text}",
        r.name,
        percent(r.overhead_factor),
        percent(o.evaluation_fraction),
        percent(o.data_stall_fraction),
    );
}

/// A run's ETTR notes: the simulation's replicas and CI, the interruption rate and checkpoints.
fn ettr_notes(out: &mut String, r: &TrainingResult) {
    if let (Some([lo, hi]), Some(n)) = (r.ettr.ci95, r.ettr.replicas) {
        let _ = writeln!(
            out,
            "  {}: ETTR from `gigawatt simulate` of the scenario's job, {} replicas (95% CI of the mean {:.2}%–{:.2}%)",
            r.name,
            thousands(n as u64),
            100.0 * lo,
            100.0 * hi
        );
    }
    if let (Some(interval), Some(mtbf)) = (r.ettr.checkpoint_interval_min, r.ettr.job_mtbf_h) {
        let _ = writeln!(
            out,
            "  {}: one interruption every {:.2} h at {} GPUs; checkpoint every {:.1} min",
            r.name,
            mtbf,
            count(r.gpus),
            interval
        );
    }
}

/// INFERENCE: one row per platform and model, under the calibration it was computed with.
fn inference_section(out: &mut String, c: &Capacity) {
    let cal = &c.calibration;
    heading(
        out,
        &format!(
            "INFERENCE (output tokens, prefill GPUs included; efficiency prefill {:.2}, decode {:.2}, calibrated on {} serving {} and held fixed)",
            cal.efficiency.prefill, cal.efficiency.decode, cal.platform, cal.model
        ),
    );
    let mut t = new_table(&INFERENCE_HEAD, 3);
    for r in &c.inference {
        t.add_row(inference_row(r));
    }
    push_table(out, &t);
    let _ = writeln!(
        out,
        "  bound = prefill/decode limit (compute, memory or network); $/M tok = capex amortisation + energy, from the plan's depreciation and electricity"
    );
}

/// MONTHLY TIMELINE: GPUs by use, capacity against demand, unmet demand by tier, and gates.
fn timeline_table(out: &mut String, c: &Capacity) {
    heading(
        out,
        "MONTHLY TIMELINE (GPUs averaged over the month; idle = neither training nor needed at peak; output tokens/s; unmet at peak)",
    );
    let mut header: Vec<String> =
        ["month", "GPUs online", "inference", "training", "idle", "capacity", "demand avg", "demand peak"]
            .map(String::from)
            .to_vec();
    header.extend(c.tiers.iter().map(|t| format!("unmet {t}")));
    header.push("gate or delay".into());
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = new_table(&hdr, 1);
    for r in &c.timeline {
        t.add_row(timeline_row(r, &c.tiers));
    }
    push_table(out, &t);
}

/// One month of the timeline table.
fn timeline_row(r: &MonthRow, tiers: &[String]) -> Vec<String> {
    let mut row = vec![
        r.month.clone(),
        count(r.gpus_online),
        count(r.inference_gpus),
        count(r.training_gpus),
        count(r.idle_gpus),
        big(r.capacity_tokens_per_s),
        big(r.demand_tokens_per_s),
        big(r.peak_demand_tokens_per_s),
    ];
    row.extend(tiers.iter().map(|tier| big(r.unmet_tokens_per_s_by_tier.get(tier).copied().unwrap_or(0.0))));
    let mut gate: Vec<String> = r.gate.iter().map(|g| format!("{}@{}", g.feature, g.tier)).collect();
    if !r.gate.is_empty() && !r.gating_closes_gap {
        gate.push("(not enough)".into());
    }
    row.push(gate.join(" "));
    row
}

/// GATED OR DELAYED FEATURES: each gate's span, and the months gating cannot close.
fn gated_features_section(out: &mut String, c: &Capacity) {
    heading(out, "GATED OR DELAYED FEATURES (gated at peak in the lowest-priority tiers first, until the gap closes)");
    let short: Vec<&str> =
        c.timeline.iter().filter(|r| r.unmet_tokens_per_s() > 0.0).map(|r| r.month.as_str()).collect();
    if short.is_empty() {
        let _ = writeln!(out, "  none: capacity meets peak demand every month");
    }
    for g in &c.gated_features {
        let _ = writeln!(
            out,
            "  - {} for {}: gated {} → {} ({} month{}){}",
            g.feature,
            g.tier,
            g.from,
            g.until,
            g.months,
            if g.months == 1 { "" } else { "s" },
            if g.delayed_launch { ", from its launch: a delay" } else { "" }
        );
    }
    let not_closed: Vec<&str> = c.timeline.iter().filter(|r| !r.gating_closes_gap).map(|r| r.month.as_str()).collect();
    if !not_closed.is_empty() {
        let _ = writeln!(
            out,
            "  demand stays unmet even with every open feature gated in: {} (plain messages exceed capacity)",
            not_closed.join(", ")
        );
    }
}

/// ASSUMPTIONS: every unsourced workload input with why, and a count of the sourced ones.
fn assumptions_section(out: &mut String, c: &Capacity) {
    heading(out, "ASSUMPTIONS (workload inputs no public source gives; listed apart from the sourced inputs)");
    if c.assumptions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in &c.assumptions {
        let _ = writeln!(out, "  - {}: {}", a.label, input_value(a.central, &a.unit));
        if let Some(why) = &a.provenance.assumption {
            let _ = writeln!(out, "    {why}");
        }
    }
    let sourced = c.inputs.iter().filter(|i| i.sourced).count();
    let _ = writeln!(
        out,
        "  {sourced} further workload inputs rest on published sources; `--format json` lists each with its sources. Platform and cost inputs: `gigawatt plan`."
    );
}

/// The monthly timeline as CSV: one row per month, one `unmet_<tier>` column per tier and one
/// `training_gpus_<run>` column per training run.
pub fn capacity_csv(c: &Capacity) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let runs: Vec<String> = c.training.iter().map(|r| r.name.clone()).collect();
    let mut header: Vec<String> = [
        "month",
        "gpus_online",
        "inference_gpus",
        "training_gpus",
        "idle_gpus",
        "power_online_mw",
        "capacity_tokens_per_s",
        "demand_tokens_per_s",
        "peak_demand_tokens_per_s",
        "served_tokens_per_s",
    ]
    .map(String::from)
    .to_vec();
    header.extend(c.tiers.iter().map(|t| format!("unmet_tokens_per_s_{t}")));
    header.extend(runs.iter().map(|r| format!("training_gpus_{r}")));
    header.push("gate".into());
    w.write_record(&header).expect("in-memory write");
    for r in &c.timeline {
        let mut rec = vec![
            r.month.clone(),
            format!("{:.0}", r.gpus_online),
            format!("{:.0}", r.inference_gpus),
            format!("{:.0}", r.training_gpus),
            format!("{:.0}", r.idle_gpus),
            format!("{:.3}", r.power_online_mw),
            format!("{:.0}", r.capacity_tokens_per_s),
            format!("{:.0}", r.demand_tokens_per_s),
            format!("{:.0}", r.peak_demand_tokens_per_s),
            format!("{:.0}", r.served_tokens_per_s),
        ];
        rec.extend(
            c.tiers.iter().map(|t| format!("{:.0}", r.unmet_tokens_per_s_by_tier.get(t).copied().unwrap_or(0.0))),
        );
        rec.extend(runs.iter().map(|n| format!("{:.0}", r.training_gpus_by_run.get(n).copied().unwrap_or(0.0))));
        rec.push(r.gate.iter().map(|g| format!("{}@{}", g.feature, g.tier)).collect::<Vec<_>>().join(" "));
        w.write_record(&rec).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("utf-8")
}

/// The sections of a capacity run on a report page: today's chat against the fleet, the headline
/// cards and charts, the training runs, inference serving, and gated features. Its inputs go into
/// the page's assumptions and sources ([`crate::html::inputs_sections`]).
pub fn capacity_sections(c: &Capacity, charts: Vec<crate::html::ChartFigure>) -> Vec<crate::html::Section> {
    use crate::html::{Block, Section, Table};
    let mut blocks = vec![Block::Text(format!(
        "Training runs and inference serving on the plan's fleet, month by month, against demand; policy: {}.",
        policy_text(&c.policy)
    ))];
    if let Some(t) = &c.chat_today {
        blocks.push(Block::Text(format!(
            "How much of the fleet does today's text chat need? {}",
            chat_today_lines(t).join(" ")
        )));
    }
    if !c.timeline.is_empty() {
        blocks.push(Block::Text(usage_lines(c).join(" ").replace("\n  ", " ")));
    }
    blocks.push(Block::Cards(crate::headline::capacity_cards(c)));
    blocks.push(Block::Charts(charts));
    if !c.training.is_empty() {
        let mut t = Table {
            head: ["run", "FLOPs", "attention", "GPUs", "MFU", "ETTR", "GPU-hours", "wall days", "started", "finish"]
                .map(String::from)
                .to_vec(),
            rows: Vec::new(),
            numeric_from: 1,
        };
        for r in &c.training {
            t.rows.push(vec![
                r.name.clone(),
                flops(r.flops),
                r.attention_flops.clone(),
                count(r.gpus),
                percent(r.mfu),
                format!("{} ({})", percent(r.ettr.ettr), r.ettr.method.replace('_', " ")),
                big(r.gpu_hours),
                r.wall_days.map_or_else(|| "—".into(), |d| format!("{d:.1}")),
                r.started.map_or_else(|| "—".into(), |d| d.to_string()),
                r.finish.map_or_else(|| format!("{} done by the end", percent(r.progress)), |d| d.to_string()),
            ]);
        }
        blocks.push(Block::Text(
            "Training runs: compute 6·N·D (plus attention FLOPs where the run says so); wall-clock and GPU-hours \
             include the reliability overhead (ETTR)."
                .into(),
        ));
        blocks.push(Block::Table(t));
    }
    if !c.inference.is_empty() {
        let cal = &c.calibration;
        let t = Table {
            head: INFERENCE_HEAD.map(String::from).to_vec(),
            rows: c.inference.iter().map(inference_row).collect(),
            numeric_from: 3,
        };
        blocks.push(Block::Text(format!(
            "Inference: output tokens/s per GPU (prefill GPUs included) from the roofline with efficiency {:.2} for \
             prefill and {:.2} for decode, calibrated on {} serving {} and held fixed; bound = prefill/decode limit; \
             $/M tokens = capex amortisation plus energy.",
            cal.efficiency.prefill, cal.efficiency.decode, cal.platform, cal.model
        )));
        blocks.push(Block::Table(t));
    }
    if !c.tiers.is_empty() {
        let items: Vec<(String, Vec<String>)> = c
            .gated_features
            .iter()
            .map(|g| {
                (
                    format!("{} for {}: gated {} → {}", g.feature, g.tier, g.from, g.until),
                    vec![format!(
                        "{} month{}{}",
                        g.months,
                        if g.months == 1 { "" } else { "s" },
                        if g.delayed_launch { ", from its launch: a delay" } else { "" }
                    )],
                )
            })
            .collect();
        if items.is_empty() {
            blocks.push(Block::Text(
                "No feature has to be gated or delayed: capacity meets peak demand every month.".into(),
            ));
        } else {
            blocks.push(Block::Text(
                "Features gated or delayed when peak demand exceeds capacity (lowest-priority tiers first, until the gap \
                 closes):"
                    .into(),
            ));
            blocks.push(Block::List(items));
        }
    }
    vec![Section { id: "capacity".into(), title: "Training and inference capacity".into(), blocks }]
}
