//! Renderers of `gigawatt operate` results: the terminal summary (month by month, what the fleet
//! did) and the monthly CSV. Both read only [`Operation`].

use std::fmt::Write;

use gigawatt_operate::Operation;
use gigawatt_operate::result::{ByClass, RunOutcome};

use crate::fmt::{count, percent, thousands, usd};
use crate::simulation::{new_table, push_table};

/// The classes as columns, in output order.
const COLUMNS: [&str; 6] = ["frontier", "rl", "research", "inference", "down", "idle"];

fn cols(b: &ByClass) -> [f64; 6] {
    [b.frontier, b.rl, b.research, b.inference, b.down, b.idle]
}

/// The operated build-out as a readable terminal summary.
pub fn operate_summary(r: &Operation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Operated: {} ({}), {} to {}, seed {}; {} jobs, {} scheduler events",
        r.scenario.name,
        r.scenario.file,
        r.from,
        r.to,
        r.seed,
        thousands(r.jobs),
        thousands(r.events)
    );
    let names: Vec<&str> = r.priorities.iter().map(|c| c.name()).collect();
    let pre: Vec<&str> = r.preemptible.iter().map(|c| c.name()).collect();
    let _ = writeln!(out, "priorities {} (preemptible: {})", names.join(" > "), pre.join(", "));
    let t = &r.totals;
    let _ = writeln!(
        out,
        "\n{} GPU-hours in service; mean idle share over the months with GPUs online {}",
        count(t.gpu_hours_online),
        percent(t.mean_idle_share)
    );
    out.push_str("\nSHARE OF THE GPUs ONLINE, BY MONTH\n");
    let mut header = vec!["month", "GPUs online"];
    header.extend(COLUMNS);
    let mut table = new_table(&header, 1);
    for m in &r.months {
        let mut row = vec![m.period.clone(), thousands(m.gpus_online.round() as u64)];
        row.extend(cols(&m.share).iter().map(|v| percent(*v)));
        table.add_row(row);
    }
    push_table(&mut out, &table, "  ");
    out.push_str("\nOVER THE WHOLE RUN\n");
    let mut table = new_table(&["", "GPU-hours", "share", "spend", "GPU-hours lost to failures"], 1);
    let (h, s, d, l) = (cols(&t.gpu_hours), cols(&t.share), cols(&t.spend_usd), cols(&t.gpu_hours_lost_to_failures));
    for (i, name) in COLUMNS.iter().enumerate() {
        let lost = if i < 4 { count(l[i]) } else { String::new() };
        table.add_row(vec![name.to_string(), count(h[i]), percent(s[i]), usd(d[i]), lost]);
    }
    push_table(&mut out, &table, "  ");
    let _ = writeln!(
        out,
        "  spend: GPU-hours × the plan's {} per GPU-hour (depreciation and opex ÷ GPU-hours a year)",
        usd(t.cost_per_gpu_hour_usd)
    );
    runs_table(&mut out, "FRONTIER RUNS", &r.frontier);
    runs_table(&mut out, "RL AND POST-TRAINING", &r.rl);
    let q = &r.research;
    let _ = writeln!(
        out,
        "\nRESEARCH: {} jobs drawn (aimed for {}), {} started, {} finished; mean {:.0} GPUs, largest {}; offered {} of the GPU-hours in service",
        thousands(q.jobs),
        thousands(q.jobs_target),
        thousands(q.started),
        thousands(q.finished),
        q.mean_gpus,
        thousands(u64::from(q.max_gpus)),
        percent(q.offered_share)
    );
    let _ = writeln!(
        out,
        "  queueing delay: mean {:.1} h, median {:.1} h, p95 {:.1} h; bounded slowdown: mean {:.1}, median {:.1}, p95 {:.1}",
        q.queue_delay_h.mean, q.queue_delay_h.p50, q.queue_delay_h.p95, q.slowdown.mean, q.slowdown.p50, q.slowdown.p95
    );
    if !r.inference.is_empty() {
        out.push_str("\nSERVING (output tokens)\n");
        let mut table = new_table(&["tier", "demanded", "served", "unmet", "unmet share"], 1);
        for i in &r.inference {
            table.add_row(vec![
                i.tier.clone(),
                count(i.demand_tokens),
                count(i.served_tokens),
                count(i.unmet_tokens),
                percent(i.unmet_share),
            ]);
        }
        push_table(&mut out, &table, "  ");
        let _ = writeln!(
            out,
            "  serving capacity moves in blocks of {} GPUs",
            thousands(u64::from(r.inference_block_gpus))
        );
    }
    if let Some(s) = &r.shortfall {
        let _ = writeln!(out, "\n{s}");
    }
    for w in &r.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }
    let _ = writeln!(
        out,
        "\n{} inputs, {} of them assumptions without a public source; `--format json` lists each with its provenance.",
        r.inputs.len(),
        r.assumptions.len()
    );
    for a in &r.assumptions {
        let why = a.provenance.assumption.as_deref().unwrap_or("an assumption");
        let _ = writeln!(out, "  - {} = {}: {why}", a.label, crate::fmt::number(a.central));
    }
    out
}

fn runs_table(out: &mut String, title: &str, runs: &[RunOutcome]) {
    if runs.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let mut table =
        new_table(&["run", "GPUs", "asked", "started", "finished", "closed form", "done", "ETTR", "failures"], 1);
    let day = |d: Option<gigawatt_core::date::Date>| d.map_or("—".to_string(), |d| d.to_string());
    for x in runs {
        table.add_row(vec![
            x.name.clone(),
            thousands(u64::from(x.gpus)),
            x.submit.to_string(),
            day(x.start),
            day(x.finish),
            day(x.closed_form_finish),
            percent(x.progress),
            format!("{:.3}", x.ettr),
            thousands(u64::from(x.failures)),
        ]);
    }
    push_table(out, &table, "  ");
}

/// The months as CSV: GPUs online, then GPUs, share of the GPUs online and share of the spend of
/// each class.
pub fn operate_csv(r: &Operation) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["month".to_string(), "gpus_online".to_string()];
    for prefix in ["gpus", "share", "spend_share"] {
        header.extend(COLUMNS.iter().map(|c| format!("{prefix}_{c}")));
    }
    w.write_record(&header).expect("in-memory CSV");
    for m in &r.months {
        let mut row = vec![m.period.clone(), format!("{}", m.gpus_online)];
        for b in [&m.gpus, &m.share, &m.spend_share] {
            row.extend(cols(b).iter().map(|v| format!("{v}")));
        }
        w.write_record(&row).expect("in-memory CSV");
    }
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("CSV is UTF-8")
}
