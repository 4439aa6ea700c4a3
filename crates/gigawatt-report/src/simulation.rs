//! Renderers of `gigawatt simulate` results: the terminal summary and the daily time series as
//! CSV. Both read only [`SimResults`].

use std::fmt::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, TableStyle};
use gigawatt_core::simulation::Spares;
use gigawatt_sim::results::{CauseInfo, FleetResults, GpuHours, JobResults, SimResults, SweepPoint};
use gigawatt_sim::stats::Stat;

use crate::fmt::{count, number, percent, sig3, thousands};

pub(crate) fn new_table(header: &[&str], right_from: usize) -> Table {
    let mut t = Table::new();
    t.load_style(TableStyle::new().header_separator(comfy_table::LineStyle::none().fill('─').junction('─')))
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.to_vec());
    for (i, col) in t.column_iter_mut().enumerate() {
        if i >= right_from {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

pub(crate) fn push_table(out: &mut String, t: &Table, indent: &str) {
    for line in t.lines() {
        out.push_str(indent);
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// A row of mean, 95% CI of the mean and middle 95% of replicas.
fn stat_row(label: &str, s: &Stat, f: &dyn Fn(f64) -> String) -> Vec<String> {
    vec![
        label.to_string(),
        f(s.mean),
        s.ci95.map_or_else(|| "—".to_string(), |[lo, hi]| format!("{} – {}", f(lo), f(hi))),
        format!("{} – {}", f(s.spread95[0]), f(s.spread95[1])),
    ]
}

/// A value of any size: small rates in scientific notation, the rest as [`number`] does.
fn value(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.01 { format!("{x:.3e}") } else { number(x) }
}

/// A count or mean count: `1,310`, `500.4 K`, `58.6`.
fn amount(x: f64) -> String {
    if x.abs() >= 1000.0 { count(x) } else { sig3(x) }
}

fn ratio3(x: f64) -> String {
    format!("{x:.3}")
}

pub(crate) fn seconds(s: f64) -> String {
    if s >= 3600.0 {
        format!("{} h", sig3(s / 3600.0))
    } else if s >= 60.0 {
        format!("{} min", sig3(s / 60.0))
    } else {
        format!("{} s", sig3(s))
    }
}

fn spares(j: &JobResults) -> String {
    match j.spares {
        Spares::Phase => format!("any idle node of the phase, swapped in within {}", seconds(j.swap_s)),
        Spares::Reserved(0) => "none: waits for its nodes' repair".to_string(),
        Spares::Reserved(n) => format!("{n} reserved nodes, swapped in within {}", seconds(j.swap_s)),
    }
}

/// The simulation as a readable terminal summary.
pub fn simulation_summary(r: &SimResults) -> String {
    let mut out = String::new();
    title_lines(&mut out, r);
    fleet_section(&mut out, &r.fleet);
    for j in &r.jobs {
        job_section(&mut out, j, &r.fleet.causes);
    }
    if let Some(sizing) = &r.spares_sizing {
        spares_section(&mut out, sizing);
    }
    assumptions_section(&mut out, r);
    out
}

/// SPARES: per phase, the smallest pool that reaches the target and the curve behind it.
fn spares_section(out: &mut String, sizing: &gigawatt_sim::spares::SparesSizing) {
    let target = sizing.target;
    let _ = writeln!(
        out,
        "\nSPARES for {} ≥ {} (lowest over the phase's spares = \"phase\" jobs; same seed at every size)",
        target.metric(),
        ratio3(target.value())
    );
    if sizing.phases.is_empty() {
        let _ = writeln!(out, "  no phase has a job with spares = \"phase\"");
    }
    for ph in &sizing.phases {
        let verdict = match ph.spares {
            Some(s) => format!(
                "{} spare nodes ({} GPUs)",
                thousands(s as u64),
                thousands(s as u64 * ph.packages_per_node as u64)
            ),
            None => format!("not reached with all {} idle nodes", thousands(ph.idle_nodes as u64)),
        };
        let _ = writeln!(out, "  {} ({}): {verdict}", ph.phase, ph.platform);
        let mut t = new_table(&["spare nodes", "GPUs", "availability", "ETTR", ""], 0);
        for p in &ph.curve {
            let mark = if Some(p.spares) == ph.spares {
                "◀ smallest"
            } else if p.reached {
                "reached"
            } else {
                ""
            };
            t.add_row(vec![
                thousands(p.spares as u64),
                thousands(p.spares as u64 * ph.packages_per_node as u64),
                ratio3(p.availability),
                ratio3(p.ettr),
                mark.to_string(),
            ]);
        }
        push_table(out, &t, "  ");
    }
}

/// The scenario's name, file, seed, replicas, days and events.
fn title_lines(out: &mut String, r: &SimResults) {
    let _ = writeln!(out, "{}", r.scenario.name);
    let _ = writeln!(
        out,
        "{} · seed {} · {} replica{} × {} days · {} events per replica",
        r.scenario.file,
        r.seed,
        thousands(r.replicas as u64),
        if r.replicas == 1 { "" } else { "s" },
        number(r.days),
        thousands(r.events_per_replica.round() as u64)
    );
}

/// FLEET: its size and expected failures, then failures, GPUs down, repairs and spares.
fn fleet_section(out: &mut String, f: &FleetResults) {
    let _ = writeln!(out, "\nFLEET (means over replicas; 95% CI of the mean; middle 95% of single replicas)");
    let _ = writeln!(
        out,
        "  {} GPUs (packages) in {} nodes and {} racks; {} failures a day expected from the rates",
        thousands(f.gpus),
        thousands(f.nodes as u64),
        thousands(f.racks),
        sig3(f.failures_per_day_expected)
    );
    let mut t = new_table(&["", "mean", "95% CI", "middle 95%"], 1);
    t.add_row(stat_row("Failures per day", &f.failures_per_day, &amount));
    t.add_row(stat_row("GPUs down", &f.gpus_down, &amount));
    t.add_row(stat_row("Repairs in flight", &f.repairs_in_flight, &amount));
    t.add_row(stat_row("GPUs idle in spare pools", &f.spare_gpus, &amount));
    push_table(out, &t, "  ");
}

/// JOB: its setup, ETTR, GPU-hours, interruptions by cause and, with a sweep, ETTR by interval.
fn job_section(out: &mut String, j: &JobResults, causes: &[CauseInfo]) {
    job_setup_lines(out, j);
    ettr_table(out, j);
    gpu_hours_table(out, &j.gpu_hours);
    interruptions_by_cause_table(out, j, causes);
    if let Some(sweep) = &j.interval_sweep {
        interval_sweep_table(out, j, sweep);
    }
}

/// A job's heading, days, checkpointing, restart, spares, MTBF and detection.
fn job_setup_lines(out: &mut String, j: &JobResults) {
    let _ = writeln!(
        out,
        "\nJOB {} · {} GPUs ({} nodes) on {} ({})",
        j.name,
        thousands(j.gpus),
        thousands(j.nodes as u64),
        j.phase,
        j.platform
    );
    let _ = writeln!(
        out,
        "  days {} – {} · checkpoint every {} of compute ({}) · write {} · restart {}",
        number(j.start_day),
        number(j.start_day + j.days),
        seconds(j.checkpoint_interval_s),
        if j.checkpoint_interval_auto { "auto: Young's sqrt(2·w·MTBF)" } else { "fixed" },
        seconds(j.checkpoint_write_s),
        seconds(j.restart_s)
    );
    let _ = writeln!(
        out,
        "  spares: {} · expected MTBF {} · mean detection {}",
        spares(j),
        j.mtbf_h.map_or_else(|| "∞".to_string(), |h| seconds(h * 3600.0)),
        seconds(j.mean_detect_s)
    );
    for w in &j.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
}

/// A job's ETTR, interruptions and checkpoints over replicas, then its closed-form ETTR.
fn ettr_table(out: &mut String, j: &JobResults) {
    let mut t = new_table(&["", "mean", "95% CI", "middle 95%"], 1);
    t.add_row(stat_row("ETTR", &j.ettr, &ratio3));
    t.add_row(stat_row("Availability (held all its nodes)", &j.availability, &ratio3));
    t.add_row(stat_row("Unexpected interruptions", &j.interruptions.unexpected, &amount));
    t.add_row(stat_row("Planned interruptions", &j.interruptions.planned, &amount));
    t.add_row(stat_row("Checkpoints", &j.checkpoints, &amount));
    push_table(out, &t, "  ");
    let _ = writeln!(
        out,
        "  closed form (1 − λ(u0 + Δt/2)) / (1 + w/Δt), unexpected failures only: ETTR {} here; optimum Δt* = {}",
        ratio3(j.ettr_closed_form),
        seconds(j.optimal_interval_s)
    );
}

/// Where a job's GPU-hours went, with each use's share.
fn gpu_hours_table(out: &mut String, g: &GpuHours) {
    let total = g.productive.mean + g.checkpoint.mean + g.rework.mean + g.restart.mean + g.waiting.mean;
    let mut t = new_table(&["GPU-hours", "mean", "share"], 1);
    for (label, s) in [
        ("productive", &g.productive),
        ("checkpoint writes", &g.checkpoint),
        ("rework (lost to failures)", &g.rework),
        ("detection and restart", &g.restart),
        ("waiting for repaired nodes", &g.waiting),
    ] {
        let share = if total > 0.0 { s.mean / total } else { 0.0 };
        t.add_row(vec![label.to_string(), format!("{} GPU-h", count(s.mean)), percent(share)]);
    }
    push_table(out, &t, "  ");
}

/// A job's unexpected interruptions by failure class (classes that interrupted it).
fn interruptions_by_cause_table(out: &mut String, j: &JobResults, causes: &[CauseInfo]) {
    let unexpected = j.interruptions.unexpected.mean;
    let mut t = new_table(&["interruptions by cause", "mean", "share"], 1);
    for (info, (_, n)) in causes.iter().zip(&j.interruptions.by_cause.0) {
        if *n > 0.0 {
            let share = if unexpected > 0.0 { n / unexpected } else { 0.0 };
            t.add_row(vec![info.label.clone(), amount(*n), percent(share)]);
        }
    }
    push_table(out, &t, "  ");
}

/// A job's ETTR at each interval of the sweep against the closed form, the best one marked.
fn interval_sweep_table(out: &mut String, j: &JobResults, sweep: &[SweepPoint]) {
    let _ = writeln!(out, "  ETTR against checkpoint interval (same random numbers at every interval):");
    let mut t = new_table(&["interval", "ETTR", "closed form"], 1);
    for p in sweep {
        let mark = if Some(p.interval_s) == j.best_interval_s { " ◀ best" } else { "" };
        t.add_row(vec![
            seconds(p.interval_s),
            format!("{}{mark}", ratio3(p.ettr.mean)),
            ratio3(closed_form(j, p.interval_s)),
        ]);
    }
    push_table(out, &t, "    ");
}

/// ASSUMPTIONS: every unsourced simulation input with why, and a count of the sourced ones.
fn assumptions_section(out: &mut String, r: &SimResults) {
    let _ = writeln!(out, "\nASSUMPTIONS (simulation inputs no public source gives)");
    let mut any = false;
    for a in r.assumptions() {
        any = true;
        let unit = if matches!(a.unit.as_str(), "ratio" | "count") { String::new() } else { format!(" {}", a.unit) };
        let _ = writeln!(out, "  - {} = {}{unit}", a.label, value(a.central));
        if let Some(why) = &a.provenance.assumption {
            let _ = writeln!(out, "    {why}");
        }
    }
    if !any {
        let _ = writeln!(out, "  none");
    }
    let sourced = r.inputs.iter().filter(|i| i.sourced).count();
    let _ = writeln!(
        out,
        "  {sourced} further inputs rest on published sources; `--format json` lists each with its sources."
    );
}

/// The closed form at another interval, from the job's own figures.
pub(crate) fn closed_form(j: &JobResults, interval_s: f64) -> f64 {
    let lambda = j.mtbf_h.map_or(0.0, |h| 1.0 / (h * 3600.0));
    gigawatt_sim::job::closed_form_ettr(lambda, j.recovery_s, j.checkpoint_write_s, interval_s)
}

/// The daily time series as CSV: one row per simulated day, means over replicas, with one
/// `ettr_<job>` column per job (empty on days the job does not run).
pub fn daily_csv(r: &SimResults) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["day", "failures", "interruptions", "gpus_down", "repairs_in_flight", "spare_gpus"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(r.jobs.iter().map(|j| format!("ettr_{}", j.name)));
    w.write_record(&header).expect("in-memory write");
    for d in &r.daily {
        let mut rec = vec![
            d.day.to_string(),
            format!("{:.6}", d.failures),
            format!("{:.6}", d.interruptions),
            format!("{:.3}", d.gpus_down),
            format!("{:.6}", d.repairs_in_flight),
            format!("{:.3}", d.spare_gpus),
        ];
        rec.extend(d.ettr.iter().map(|e| e.map_or_else(String::new, |x| format!("{x:.6}"))));
        w.write_record(&rec).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("utf-8")
}

/// The sections of a simulation on a report page: its headline cards and charts, the jobs, and
/// failures by cause. Its inputs go into the page's assumptions and sources
/// ([`crate::html::inputs_sections`]).
pub fn sim_sections(r: &SimResults, charts: Vec<crate::html::ChartFigure>) -> Vec<crate::html::Section> {
    use crate::html::{Block, Section};
    let mut blocks =
        vec![Block::Text(overview_text(r)), Block::Cards(crate::headline::sim_cards(r)), Block::Charts(charts)];
    if !r.jobs.is_empty() {
        blocks.push(Block::Text(
            "Jobs: checkpoint interval of compute, blocking write time, recovery (detection, restart and the spare \
             swap where it is longer), ETTR (productive ÷ wall time) simulated, with the 95% confidence interval of \
             its mean, and by the closed form, mean unexpected and planned interruptions, and GPU-hours lost to \
             rework, restart and waiting."
                .into(),
        ));
        blocks.push(Block::Table(jobs_table(&r.jobs)));
    }
    let first = r.jobs.first();
    blocks.push(Block::Text(format!(
        "Failures by class over the {} simulated days (means over replicas){}.",
        number(r.days),
        first.map_or_else(String::new, |j| format!(", and the unexpected interruptions of {}", j.name))
    )));
    blocks.push(Block::Table(failures_by_class_table(&r.fleet, first)));
    vec![Section { id: "simulation".into(), title: "Reliability simulation".into(), blocks }]
}

/// The page's opening paragraph: what was simulated, at what size, how often and with what seed.
fn overview_text(r: &SimResults) -> String {
    let f = &r.fleet;
    format!(
        "A discrete-event simulation of the planned fleet at central inputs: {} GPU packages in {} nodes and {} \
         racks fail by the failure classes below, are repaired and return; training jobs checkpoint, roll back \
         and restart. {} replica{} × {} days, seed {}; means over replicas with the 95% confidence interval of \
         the mean.",
        thousands(f.gpus),
        thousands(f.nodes as u64),
        thousands(f.racks),
        thousands(r.replicas as u64),
        if r.replicas == 1 { "" } else { "s" },
        number(r.days),
        r.seed
    )
}

/// The jobs table of the report: one row per job.
fn jobs_table(jobs: &[JobResults]) -> crate::html::Table {
    crate::html::Table {
        head: [
            "job",
            "platform",
            "GPUs",
            "checkpoint every",
            "write",
            "recovery",
            "ETTR (95% CI)",
            "closed form",
            "availability",
            "unexpected",
            "planned",
            "GPU-h lost",
        ]
        .map(String::from)
        .to_vec(),
        rows: jobs.iter().map(job_row).collect(),
        numeric_from: 2,
    }
}

/// One job's row of the report's jobs table.
fn job_row(j: &JobResults) -> Vec<String> {
    let g = &j.gpu_hours;
    vec![
        j.name.clone(),
        j.platform.clone(),
        thousands(j.gpus),
        format!("{}{}", seconds(j.checkpoint_interval_s), if j.checkpoint_interval_auto { " (auto)" } else { "" }),
        seconds(j.checkpoint_write_s),
        seconds(j.recovery_s),
        match j.ettr.ci95 {
            Some([lo, hi]) => format!("{} ({}–{})", ratio3(j.ettr.mean), ratio3(lo), ratio3(hi)),
            None => ratio3(j.ettr.mean),
        },
        ratio3(j.ettr_closed_form),
        ratio3(j.availability.mean),
        amount(j.interruptions.unexpected.mean),
        amount(j.interruptions.planned.mean),
        count(g.rework.mean + g.restart.mean + g.waiting.mean),
    ]
}

/// The report's failures by class: fleet failures and, for the first job, its interruptions.
fn failures_by_class_table(f: &FleetResults, first: Option<&JobResults>) -> crate::html::Table {
    let mut causes = crate::html::Table {
        head: vec!["failure class".to_string(), "category".into(), "fleet failures".into(), "share".into()],
        rows: Vec::new(),
        numeric_from: 2,
    };
    if let Some(j) = first {
        causes.head.push(format!("{} interruptions", j.name));
        causes.head.push("share".into());
    }
    let total: f64 = f.failures_by_cause.0.iter().map(|(_, v)| v).sum();
    for (info, (_, n)) in f.causes.iter().zip(&f.failures_by_cause.0) {
        let job_n = first.map(|j| j.interruptions.by_cause.get(&info.name));
        if *n == 0.0 && job_n.unwrap_or(0.0) == 0.0 {
            continue;
        }
        let mut row = vec![
            info.label.clone(),
            info.category.clone(),
            amount(*n),
            if total > 0.0 { percent(n / total) } else { String::new() },
        ];
        if let (Some(j), Some(k)) = (first, job_n) {
            let u = j.interruptions.unexpected.mean;
            row.push(amount(k));
            row.push(if u > 0.0 { percent(k / u) } else { String::new() });
        }
        causes.rows.push(row);
    }
    causes
}
