//! Renderers of `gigawatt replay` results: the terminal summary (policies side by side) and the
//! per-job CSV. Both read only [`ReplayResult`].

use std::fmt::Write;

use gigawatt_sched::ReplayResult;
use gigawatt_sched::metrics::{Breakdown, PolicyResult};

use crate::fmt::{count, percent, sig3, thousands};
use crate::simulation::{new_table, push_table, seconds};

/// The replay as a readable terminal summary: the trace, the cluster, then one column per
/// policy.
pub fn replay_summary(r: &ReplayResult) -> String {
    let mut out = String::new();
    let t = &r.trace;
    let _ = writeln!(
        out,
        "Replay of {} ({}): {} jobs, {} GPU-hours over {}, {} user{}",
        t.name,
        t.format,
        thousands(t.jobs),
        count(t.gpu_hours),
        seconds(t.span_s),
        thousands(t.users as u64),
        if t.users == 1 { "" } else { "s" }
    );
    let c = &r.cluster;
    let _ = writeln!(
        out,
        "on {}: {} GPUs in {} nodes ({}); placement {}",
        c.name,
        thousands(c.gpus),
        thousands(c.nodes),
        runs(c.groups.iter().map(|g| format!("{} × {} GPUs", thousands(u64::from(g.nodes)), g.gpus_per_node))),
        r.settings.placement
    );
    not_replayed(&mut out, r);
    out.push('\n');
    let names: Vec<&str> = r.policies.0.iter().map(|p| p.policy.as_str()).collect();
    let mut header = vec![""];
    header.extend(&names);
    let mut table = new_table(&header, 1);
    for (label, f) in rows() {
        let mut row = vec![label.to_string()];
        row.extend(r.policies.0.iter().map(f));
        table.add_row(row);
    }
    push_table(&mut out, &table, "  ");
    out.push('\n');
    let _ = writeln!(
        out,
        "JCT: arrival to end; queueing: arrival to first start; slowdown bounded at 10 s; fragmentation: free \
         GPUs no waiting job could use, while jobs wait."
    );
    if let Some(first) = r.policies.0.first()
        && first.by_type.len() > 1
    {
        let _ = writeln!(out, "\nBy job type, under {} (largest GPU-hours first):", first.policy);
        out.push_str(&breakdown_table(&first.by_type, 10));
    }
    if !r.settings.failures_per_node_h.is_empty() {
        let _ = writeln!(
            out,
            "Failures: {} per node-hour, mean repair {} h, checkpoints every {}.",
            runs(r.settings.failures_per_node_h.iter().map(|x| format!("{x:.2e}"))),
            runs(r.settings.repair_mean_h.iter().map(|x| sig3(*x))),
            seconds(r.settings.checkpoint_interval_s)
        );
    }
    out
}

/// Items joined with commas, a run of equal ones written once with its count: `5 × (a), b`.
fn runs(items: impl Iterator<Item = String>) -> String {
    let mut out: Vec<(String, usize)> = Vec::new();
    for item in items {
        match out.last_mut() {
            Some((last, n)) if *last == item => *n += 1,
            _ => out.push((item, 1)),
        }
    }
    out.into_iter().map(|(s, n)| if n == 1 { s } else { format!("{n} × ({s})") }).collect::<Vec<_>>().join(", ")
}

type Row = (&'static str, fn(&PolicyResult) -> String);

fn rows() -> [Row; 14] {
    [
        ("JCT mean", |p| seconds(p.jct_s.mean)),
        ("JCT p50", |p| seconds(p.jct_s.p50)),
        ("JCT p95", |p| seconds(p.jct_s.p95)),
        ("JCT p99", |p| seconds(p.jct_s.p99)),
        ("queueing mean", |p| seconds(p.queue_delay_s.mean)),
        ("queueing p99", |p| seconds(p.queue_delay_s.p99)),
        ("slowdown mean", |p| sig3(p.slowdown)),
        ("makespan", |p| seconds(p.makespan_s)),
        ("utilisation", |p| percent(p.utilisation)),
        ("fragmentation", |p| percent(p.fragmentation)),
        ("preemptions", |p| thousands(p.preemptions)),
        ("failures hitting jobs", |p| thousands(p.job_failures)),
        ("GPU-hours lost", |p| count(p.gpu_hours_lost)),
        ("events", |p| thousands(p.events)),
    ]
}

fn not_replayed(out: &mut String, r: &ReplayResult) {
    let t = &r.trace;
    let mut notes = Vec::new();
    if t.too_large > 0 {
        notes.push(format!("larger than the cluster: {}", thousands(t.too_large)));
    }
    if t.cpu_only > 0 {
        notes.push(format!("CPU-only: {}", thousands(t.cpu_only)));
    }
    for (reason, n) in &t.rows_skipped {
        notes.push(format!("{reason}: {}", thousands(*n)));
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "rows not replayed, by reason: {}", notes.join("; "));
    }
    if t.fractional_rounded > 0 {
        let why = if r.settings.share_gpus {
            "more than one GPU each, so not shared"
        } else {
            "--share-gpus packs those under one GPU onto shared GPUs"
        };
        let _ = writeln!(
            out,
            "{} fractional-GPU requests rounded up to whole GPUs ({why})",
            thousands(t.fractional_rounded)
        );
    }
    if t.fractional_shared > 0 {
        let _ = writeln!(out, "{} fractional-GPU jobs packed onto shared GPUs", thousands(t.fractional_shared));
    }
}

/// Every job under every policy, one row each: the per-job CSV.
pub fn jobs_csv(r: &ReplayResult) -> String {
    let mut out = String::from(
        "policy,job,user,submit_s,start_s,end_s,gpus,duration_s,queue_delay_s,jct_s,slowdown,preemptions,failures,gpu_hours_lost\n",
    );
    for p in &r.policies.0 {
        for (j, id) in p.jobs.iter().zip(&r.job_ids) {
            let user = r.users.get(j.user as usize).map_or("", String::as_str);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                field(&p.policy),
                field(id),
                field(user),
                j.submit_s,
                j.start_s,
                j.end_s,
                j.gpus,
                j.duration_s,
                j.queue_delay_s(),
                j.jct_s(),
                j.slowdown(),
                j.preemptions,
                j.failures,
                j.gpu_hours_lost
            );
        }
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

const BREAKDOWN_HEAD: [&str; 6] = ["", "jobs", "GPU-hours", "JCT mean", "queueing mean", "slowdown"];

/// The rows of a breakdown by user or by type, largest GPU-hours first, at most `top`.
fn breakdown_rows(rows: &std::collections::BTreeMap<String, Breakdown>, top: usize) -> Vec<Vec<String>> {
    let mut sorted: Vec<(&String, &Breakdown)> = rows.iter().collect();
    sorted.sort_by(|a, b| b.1.gpu_hours.total_cmp(&a.1.gpu_hours).then(a.0.cmp(b.0)));
    sorted
        .into_iter()
        .take(top)
        .map(|(name, b)| {
            vec![
                if name.is_empty() { "(none)".to_string() } else { name.clone() },
                thousands(b.jobs),
                count(b.gpu_hours),
                seconds(b.jct_s.mean),
                seconds(b.queue_delay_s.mean),
                sig3(b.slowdown),
            ]
        })
        .collect()
}

/// The breakdown of one policy by user or by type as a terminal table, largest GPU-hours
/// first, at most `top` rows.
pub fn breakdown_table(rows: &std::collections::BTreeMap<String, Breakdown>, top: usize) -> String {
    let mut t = new_table(&BREAKDOWN_HEAD, 1);
    for row in breakdown_rows(rows, top) {
        t.add_row(row);
    }
    let mut out = String::new();
    push_table(&mut out, &t, "  ");
    out
}

/// The files of `replay --out DIR` besides the JSON and the CSV: each chart as SVG, and a
/// self-contained `index.html` with the summary, the charts and the breakdown by job type.
pub fn replay_page_files(r: &ReplayResult) -> Vec<(String, String)> {
    use crate::chart::replay::replay_charts;
    use crate::html::{Block, ChartFigure, Page, Section, Table};

    let charts: Vec<_> = replay_charts(r).iter().map(|c| c.render()).collect();
    let mut files: Vec<(String, String)> = charts.iter().map(|c| (format!("{}.svg", c.id), c.svg.clone())).collect();
    let mut head = vec![String::new()];
    head.extend(r.policies.0.iter().map(|p| p.policy.clone()));
    let body: Vec<Vec<String>> = rows()
        .iter()
        .map(|(label, f)| {
            let mut row = vec![label.to_string()];
            row.extend(r.policies.0.iter().map(f));
            row
        })
        .collect();
    let summary = Table { head, rows: body, numeric_from: 1 };
    let figures = charts
        .into_iter()
        .map(|chart| {
            let links = vec![("SVG".to_string(), format!("{}.svg", chart.id))];
            ChartFigure { chart, links }
        })
        .collect();
    let mut sections = vec![
        Section { id: "policies".into(), title: "Policies side by side".into(), blocks: vec![Block::Table(summary)] },
        Section { id: "charts".into(), title: "Charts".into(), blocks: vec![Block::Charts(figures)] },
    ];
    if let Some(first) = r.policies.0.first()
        && first.by_type.len() > 1
    {
        sections.push(Section {
            id: "by-type".into(),
            title: format!("By job type, under {}", first.policy),
            blocks: vec![Block::Table(Table {
                head: BREAKDOWN_HEAD.iter().map(|h| h.to_string()).collect(),
                rows: breakdown_rows(&first.by_type, 20),
                numeric_from: 1,
            })],
        });
    }
    let lede = replay_summary(r).lines().take_while(|l| !l.is_empty()).map(str::to_string).collect();
    let page = Page {
        title: format!("gigawatt replay: {}", r.trace.name),
        heading: format!("Replay of {} on {}", r.trace.name, r.cluster.name),
        lede,
        sections,
        files: vec![
            ("replay.json".into(), "the full result (docs/output.md)".into()),
            ("jobs.csv".into(), "every job under every policy".into()),
        ],
    };
    files.push(("index.html".into(), page.to_html()));
    files
}
