//! Renderers of `gigawatt operate` results: the terminal summary (month by month, what the fleet
//! did) and the monthly CSV. Both read only [`Operation`].

use std::fmt::Write;

use gigawatt_operate::Operation;
use gigawatt_operate::result::{ByClass, ResearchOutcome, RunOutcome};

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
    let _ = writeln!(out, "priorities {} (preemptible: {}; {})", names.join(" > "), pre.join(", "), backfill_words(r));
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
        "  spend: GPU-hours × the plan's ${:.2} per GPU-hour (depreciation and opex ÷ GPU-hours a year)",
        t.cost_per_gpu_hour_usd
    );
    for line in comparison_lines(r) {
        let _ = writeln!(out, "  {line}");
    }
    runs_table(&mut out, "FRONTIER RUNS", &r.frontier);
    runs_table(&mut out, "RL AND POST-TRAINING", &r.rl);
    if r.research.jobs == 0 {
        let _ = writeln!(
            out,
            "\nRESEARCH: none (no research job within the run; [operate.research] share is 0 or the fleet is not online)"
        );
    } else {
        let _ = writeln!(out, "\nRESEARCH: {}\n  {}", research_counts(&r.research), research_waits(&r.research));
        if let Some(longest) = longest_waits(&r.research) {
            let _ = writeln!(out, "  {longest}; every month's: research.by_month in the JSON");
        }
    }
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
        for i in r.inference.iter().filter(|i| !i.gated.is_empty()) {
            let _ = writeln!(out, "  {}", gated_line(&i.tier, &i.gated));
        }
    }
    if let Some(rep) = &r.replicas {
        let _ = writeln!(
            out,
            "\nACROSS {} REPLICAS (seeds {}; the tables above are replica 0's)",
            rep.count,
            rep.seeds.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
        );
        let mut table = new_table(&["figure", "P10", "P50", "P90", "replicas"], 1);
        for f in &rep.figures {
            let fmt = |v: f64| if f.unit == "fraction" { percent(v) } else { crate::fmt::number(v) };
            let have = f.values.iter().flatten().count();
            table.add_row(vec![
                f.label.clone(),
                fmt(f.p10),
                fmt(f.p50),
                fmt(f.p90),
                format!("{have} of {}", rep.count),
            ]);
        }
        push_table(&mut out, &table, "  ");
    }
    if let Some(s) = &r.shortfall {
        let _ = writeln!(out, "\n{}", s.text);
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

/// The simulated inference share of the spend and final runs' share of R&D, and beside them each
/// published cut of the scenario (`[[operate.published]]`) with its gap in points.
pub fn comparison_lines(r: &Operation) -> Vec<String> {
    let t = &r.totals;
    let mut lines = vec![format!(
        "simulated: inference {} of the compute spend, final (frontier) runs {} of the R&D spend (frontier, RL, research)",
        percent(t.share.inference),
        percent(t.final_runs_share_of_rd)
    )];
    for p in &t.published {
        let mut parts = Vec::new();
        let gap = |sim: f64, q: &gigawatt_core::quantity::Quantity| {
            format!("{} ({:+.0} points)", percent(q.estimate.central), (sim - q.estimate.central) * 100.0)
        };
        if let Some(q) = &p.inference_share {
            parts.push(format!("inference {}", gap(t.share.inference, q)));
        }
        if let Some(q) = &p.final_runs_share_of_rd {
            parts.push(format!("final runs' share of R&D {}", gap(t.final_runs_share_of_rd, q)));
        }
        if !parts.is_empty() {
            lines.push(format!("published, {}: {} (simulated − published)", p.name, parts.join(", ")));
        }
    }
    if t.published.iter().any(|p| p.final_runs_share_of_rd.is_some()) && t.gpu_hours_lost_to_failures.frontier > 0.0 {
        lines.push(format!(
            "of the final runs' GPU-hours, {} went to failures (work redone, restarts); net of them the final runs are {} of R&D",
            percent(t.gpu_hours_lost_to_failures.frontier / t.gpu_hours.frontier.max(1e-9)),
            percent(t.final_runs_share_of_rd_net_of_failures)
        ));
    }
    lines
}

/// The frontier runs, then the RL runs, each with the name a reader sees (an RL run carries the
/// name of the pre-training run it follows).
pub fn named_runs(r: &Operation) -> Vec<(String, &RunOutcome)> {
    r.frontier
        .iter()
        .map(|x| (x.name.clone(), x))
        .chain(r.rl.iter().map(|x| (format!("RL after {}", x.name), x)))
        .collect()
}

/// One row of a runs table: GPUs, asked, started, finished, closed form, done, ETTR, failures.
fn run_row(name: &str, x: &RunOutcome) -> Vec<String> {
    let day = |d: Option<gigawatt_core::date::Date>| d.map_or("—".to_string(), |d| d.to_string());
    vec![
        name.to_string(),
        thousands(u64::from(x.gpus)),
        day(x.submit),
        day(x.start),
        day(x.finish),
        day(x.closed_form_finish),
        percent(x.progress),
        format!("{:.3}", x.ettr),
        thousands(u64::from(x.failures)),
    ]
}

fn runs_table(out: &mut String, title: &str, runs: &[RunOutcome]) {
    if runs.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let mut table =
        new_table(&["run", "GPUs", "asked", "started", "finished", "closed form", "done", "ETTR", "failures"], 1);
    for x in runs {
        table.add_row(run_row(&x.name, x));
    }
    push_table(out, &table, "  ");
    for x in runs.iter().filter(|x| x.done_before_window > 0.0) {
        let _ = writeln!(
            out,
            "  {} was under way when the window opened: {} of its FLOPs done before it (the capacity model's account), counted in `done`",
            x.name,
            percent(x.done_before_window)
        );
    }
    for x in runs.iter().filter(|x| !x.stages.is_empty() && x.start.is_some()) {
        let _ = writeln!(out, "  {}", stages_line(x));
    }
}

/// The features a tier had gated, and when.
fn gated_line(tier: &str, gated: &[gigawatt_operate::result::GatedOutcome]) -> String {
    let each: Vec<String> = gated
        .iter()
        .map(|g| {
            let when = if g.from == g.until { g.from.clone() } else { format!("{} – {}", g.from, g.until) };
            format!("{} {when} ({} month{})", g.feature, g.months, if g.months == 1 { "" } else { "s" })
        })
        .collect();
    format!("{tier} gated: {}", each.join("; "))
}

/// How a run in stages grew: its stage count, first and last size and when the last began.
fn stages_line(x: &RunOutcome) -> String {
    let (first, last) = (&x.stages[0], &x.stages[x.stages.len() - 1]);
    let began = last.start.map_or_else(|| "the last never started".to_string(), |d| format!("the last from {d}"));
    format!(
        "{} ran in {} stages, {} → {} GPUs, {began} (each re-shard costs one restart)",
        x.name,
        x.stages.len(),
        thousands(u64::from(first.gpus)),
        thousands(u64::from(last.gpus)),
    )
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

/// What the research stream did: jobs drawn, started and finished, their sizes and the GPU-hours
/// they were offered.
fn research_counts(q: &ResearchOutcome) -> String {
    let budget = q.usd_per_year.map_or(String::new(), |b| format!(" (a budget of {} a year)", usd(b)));
    let aim = match &q.jobs_target_whole_run {
        Some(w) => format!(
            "aimed for {}: the scenario's {} over {} to {}, pro rata",
            thousands(q.jobs_target),
            thousands(w.jobs),
            w.from,
            w.to
        ),
        None => format!("aimed for {}", thousands(q.jobs_target)),
    };
    let aim = if q.under_way_at_start > 0 {
        format!("{aim}; {} of them under way when the window opened", thousands(q.under_way_at_start))
    } else {
        aim
    };
    format!(
        "{} jobs drawn ({aim}), {} started, {} finished; mean {:.0} GPUs, largest {}; offered {} of the GPU-hours in service{budget}",
        thousands(q.jobs),
        thousands(q.started),
        thousands(q.finished),
        q.mean_gpus,
        thousands(u64::from(q.max_gpus)),
        percent(q.offered_share)
    )
}

/// How long research jobs waited, and their bounded slowdown.
fn research_waits(q: &ResearchOutcome) -> String {
    format!(
        "queueing delay: mean {:.1} h, median {:.1} h, p95 {:.1} h; bounded slowdown: mean {:.1}, median {:.1}, p95 {:.1}",
        q.queue_delay_h.mean, q.queue_delay_h.p50, q.queue_delay_h.p95, q.slowdown.mean, q.slowdown.p50, q.slowdown.p95
    )
}

/// The month whose research jobs waited longest, by median, among the months that started at
/// least 100 jobs (else among all): when research waits most for compute.
fn longest_waits(q: &ResearchOutcome) -> Option<String> {
    let busy: Vec<_> = q.by_month.iter().filter(|m| m.started >= 100).collect();
    let months = if busy.is_empty() { q.by_month.iter().collect() } else { busy };
    let m = months.into_iter().max_by(|a, b| a.queue_delay_h.p50.total_cmp(&b.queue_delay_h.p50))?;
    Some(format!(
        "longest waits: the jobs started in {} waited a median {:.1} h (p95 {:.1} h, {} jobs)",
        m.month,
        m.queue_delay_h.p50,
        m.queue_delay_h.p95,
        thousands(m.started)
    ))
}

/// How jobs behind a blocked head are scheduled, in words.
fn backfill_words(r: &Operation) -> &'static str {
    if r.backfill { "EASY backfill behind a blocked head" } else { "no backfill: a blocked head holds its GPUs" }
}

/// The operations section of a report: what the fleet did, its charts, the runs, research and
/// serving.
pub fn operate_sections(r: &Operation, charts: Vec<crate::html::ChartFigure>) -> Vec<crate::html::Section> {
    use crate::html::{Block, Section, Table};
    let names: Vec<&str> = r.priorities.iter().map(|c| c.name()).collect();
    let pre: Vec<&str> = r.preemptible.iter().map(|c| c.name()).collect();
    let t = &r.totals;
    let mut blocks = vec![Block::Text(format!(
        "The build-out operated day by day from {} to {} (seed {}): one scheduler shares the fleet among frontier \
         runs, RL, research and inference, with node failures and repairs; priorities {} (preemptible: {}; {}). {} jobs, \
         {} scheduler events. Mean idle share over the months with GPUs online: {}.",
        r.from,
        r.to,
        r.seed,
        names.join(" > "),
        pre.join(", "),
        backfill_words(r),
        thousands(r.jobs),
        thousands(r.events),
        percent(t.mean_idle_share)
    ))];
    blocks.push(Block::Charts(charts));
    let mut totals = Table {
        head: ["class", "GPU-hours", "share", "spend", "GPU-hours lost to failures"].map(String::from).to_vec(),
        rows: Vec::new(),
        numeric_from: 1,
    };
    let (h, s, d, l) = (cols(&t.gpu_hours), cols(&t.share), cols(&t.spend_usd), cols(&t.gpu_hours_lost_to_failures));
    for (i, name) in COLUMNS.iter().enumerate() {
        let lost = if i < 4 { count(l[i]) } else { String::new() };
        totals.rows.push(vec![name.to_string(), count(h[i]), percent(s[i]), usd(d[i]), lost]);
    }
    blocks.push(Block::Text(format!(
        "Over the whole run, {} GPU-hours in service; spend is GPU-hours × the plan's ${:.2} per GPU-hour.",
        count(t.gpu_hours_online),
        t.cost_per_gpu_hour_usd
    )));
    blocks.push(Block::Table(totals));
    blocks.push(Block::List(comparison_lines(r).into_iter().map(|l| (l, Vec::new())).collect()));
    let runs = named_runs(r);
    if !runs.is_empty() {
        let rows = runs.iter().map(|(name, x)| run_row(name, x)).collect();
        blocks.push(Block::Text(
            "Frontier and RL runs: start, finish and ETTR come from the simulation; the closed form is the capacity \
             model's finish for the same run."
                .into(),
        ));
        blocks.push(Block::Table(Table {
            head: ["run", "GPUs", "asked", "started", "finished", "closed form", "done", "ETTR", "failures"]
                .map(String::from)
                .to_vec(),
            rows,
            numeric_from: 1,
        }));
        let staged: Vec<(String, Vec<String>)> =
            r.frontier.iter().filter(|x| !x.stages.is_empty()).map(|x| (stages_line(x), Vec::new())).collect();
        if !staged.is_empty() {
            blocks.push(Block::List(staged));
        }
    }
    let waits = research_waits(&r.research);
    if r.research.jobs == 0 {
        blocks.push(Block::Text("Research: none within the run.".to_string()));
    } else {
        let longest = longest_waits(&r.research).map(|l| format!("; {l}")).unwrap_or_default();
        blocks.push(Block::Text(format!("Research: {}. Q{}{longest}.", research_counts(&r.research), &waits[1..])));
    }
    if !r.inference.is_empty() {
        blocks.push(Block::Table(Table {
            head: ["tier", "tokens demanded", "served", "unmet", "unmet share"].map(String::from).to_vec(),
            rows: r
                .inference
                .iter()
                .map(|i| {
                    vec![
                        i.tier.clone(),
                        count(i.demand_tokens),
                        count(i.served_tokens),
                        count(i.unmet_tokens),
                        percent(i.unmet_share),
                    ]
                })
                .collect(),
            numeric_from: 1,
        }));
        let gated: Vec<(String, Vec<String>)> = r
            .inference
            .iter()
            .filter(|i| !i.gated.is_empty())
            .map(|i| (gated_line(&i.tier, &i.gated), Vec::new()))
            .collect();
        if !gated.is_empty() {
            blocks.push(Block::List(gated));
        }
    }
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(s) = &r.shortfall {
        notes.push((s.text.clone(), Vec::new()));
    }
    notes.extend(r.warnings.iter().map(|w| (format!("warning: {w}"), Vec::new())));
    if !notes.is_empty() {
        blocks.push(Block::List(notes));
    }
    vec![Section { id: "operations".into(), title: "Operations: the fleet operated month by month".into(), blocks }]
}
