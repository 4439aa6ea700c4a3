//! What an operated run measures: GPUs by class per day and per month (and each class's share of
//! the GPUs online and of the compute spend), each frontier and RL run's start, finish and ETTR,
//! the research stream's queueing, tokens served and unmet by tier, and GPU-hours lost to
//! failures by class. Every figure is summed from the scheduler's GPU-time accounts, which
//! conserve GPU-time: held by a class + under repair + idle = in service, every day.

use std::collections::BTreeMap;

use gigawatt_core::Model;
use gigawatt_core::analysis::{InputRecord, ScenarioInfo};
use gigawatt_core::date::Date;
use gigawatt_sched::Engine;
use gigawatt_sim::SimTime;
use gigawatt_sim::time::US_PER_DAY;
use serde::Serialize;

use crate::Prepared;
use crate::spec::Class;
use crate::streams::JobTag;

/// A figure per class, and for GPUs under repair and idle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ByClass {
    /// Frontier pre-training runs.
    pub frontier: f64,
    /// RL and post-training.
    pub rl: f64,
    /// Research and evaluation.
    pub research: f64,
    /// Serving.
    pub inference: f64,
    /// Nodes under repair.
    pub down: f64,
    /// In service, held by no one.
    pub idle: f64,
}

impl ByClass {
    fn class_mut(&mut self, c: Class) -> &mut f64 {
        match c {
            Class::Frontier => &mut self.frontier,
            Class::Rl => &mut self.rl,
            Class::Research => &mut self.research,
            Class::Inference => &mut self.inference,
        }
    }

    fn scaled(&self, k: f64) -> ByClass {
        ByClass {
            frontier: self.frontier * k,
            rl: self.rl * k,
            research: self.research * k,
            inference: self.inference * k,
            down: self.down * k,
            idle: self.idle * k,
        }
    }

    fn sum(&self) -> f64 {
        self.frontier + self.rl + self.research + self.inference + self.down + self.idle
    }

    /// Each figure as a fraction of their sum (all zero when the sum is not positive).
    fn fractions(&self) -> ByClass {
        let total = self.sum();
        if total > 0.0 { self.scaled(1.0 / total) } else { ByClass::default() }
    }

    fn add(&mut self, o: &ByClass) {
        self.frontier += o.frontier;
        self.rl += o.rl;
        self.research += o.research;
        self.inference += o.inference;
        self.down += o.down;
        self.idle += o.idle;
    }
}

/// One day or month. In JSON its label is keyed `month` (`2027-03`) or `day` (`2027-03-14`).
#[derive(Clone, Debug)]
pub struct Period {
    /// `2027-03` (a month) or `2027-03-14` (a day).
    pub period: String,
    /// GPUs in service, on average.
    pub gpus_online: f64,
    /// GPUs held by each class, under repair and idle, on average.
    pub gpus: ByClass,
    /// Each as a fraction of the GPUs in service (0 when none are).
    pub share: ByClass,
    /// Each as a fraction of the period's compute spend (GPU-hours × the plan's cost per GPU-hour;
    /// one cost for every GPU, so equal to `share`).
    pub spend_share: ByClass,
}

impl Period {
    /// Whether it is a month (`2027-03`) rather than a day.
    pub fn is_month(&self) -> bool {
        self.period.len() == "2027-03".len()
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("Period", 5)?;
        st.serialize_field(if self.is_month() { "month" } else { "day" }, &self.period)?;
        st.serialize_field("gpus_online", &self.gpus_online)?;
        st.serialize_field("gpus", &self.gpus)?;
        st.serialize_field("share", &self.share)?;
        st.serialize_field("spend_share", &self.spend_share)?;
        st.end()
    }
}

/// A frontier or RL run.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    /// The training run's name (an RL run is named after its pre-training run).
    pub name: String,
    /// GPUs it ran on (its largest stage's or job's).
    pub gpus: u32,
    /// Its stages, when it ran in more than one (an elastic run growing with the fleet, or a run
    /// in `[[training.stage]]`s).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageOutcome>,
    /// Day it asked for GPUs; none when it never did within the run (an RL budget whose
    /// pre-training run did not finish, a run that starts after the last day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submit: Option<Date>,
    /// Share of its FLOPs done before the first day operated, by the capacity model's account: a
    /// run under way when the window opens (`--from`) starts on its first day with this share done.
    #[serde(skip_serializing_if = "is_zero")]
    pub done_before_window: f64,
    /// Day it first held them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Day its last FLOP was done, if within the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish: Option<Date>,
    /// The capacity model's finish day for the same run (the closed form), for comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_form_finish: Option<Date>,
    /// Share of its work done by the end of the run.
    pub progress: f64,
    /// Productive time ÷ wall time from its start to its finish (or to the end of the run).
    pub ettr: f64,
    /// Times a node failure hit it.
    pub failures: u32,
    /// Times preempted.
    pub preemptions: u32,
    /// GPU-hours of work lost to failures.
    pub gpu_hours_lost_to_failures: f64,
    /// Share of the run's work done by the end of each month of `months` (work a failure took
    /// back is taken off in the month it was lost).
    pub progress_by_month: Vec<f64>,
}

/// A feature of a tier gated in some months of the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GatedOutcome {
    /// The feature (`[[demand.feature]]` name).
    pub feature: String,
    /// First month gated, `2027-03`.
    pub from: String,
    /// Last month gated.
    pub until: String,
    /// Months gated.
    pub months: u32,
}

/// A stage of a frontier run: one size.
#[derive(Clone, Debug, Serialize)]
pub struct StageOutcome {
    /// GPUs.
    pub gpus: u32,
    /// Share of the run's FLOPs done in it.
    pub flops_share: f64,
    /// Day it asked for its GPUs (not before the stage before it finished).
    pub submit: Date,
    /// Day it first held them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Day it finished its work, if within the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish: Option<Date>,
}

/// The research stream's result.
#[derive(Clone, Debug, Serialize)]
pub struct ResearchOutcome {
    /// Jobs the stream aimed for over the days operated.
    pub jobs_target: u64,
    /// The scenario's aim over its whole run, when a window of it was operated (`jobs_target` is
    /// then its share, pro rata to the days with GPUs in service).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs_target_whole_run: Option<crate::WholeRunJobs>,
    /// Jobs drawn within the run.
    pub jobs: u64,
    /// Of them, jobs under way when a window that opens in the middle of the scenario's run opened
    /// (drawn before it, entering at its start with the run time they had left).
    #[serde(skip_serializing_if = "is_zero_count")]
    pub under_way_at_start: u64,
    /// Jobs that started.
    pub started: u64,
    /// Jobs finished within the run.
    pub finished: u64,
    /// GPU-hours offered within the run (what the jobs ask for, to the run's end).
    pub gpu_hours_offered: f64,
    /// Offered GPU-hours ÷ GPU-hours in service from the first node in service.
    pub offered_share: f64,
    /// The compute budget the volume was set by (`[operate.research] usd_per_year`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usd_per_year: Option<f64>,
    /// Mean GPUs per job.
    pub mean_gpus: f64,
    /// Largest job, GPUs.
    pub max_gpus: u32,
    /// Factor on the shape's durations.
    pub duration_scale: f64,
    /// Queueing delay of the started jobs, hours: mean, median, 95th percentile.
    pub queue_delay_h: Spread,
    /// Bounded slowdown (wall ÷ run time, both at least 10 s) of the finished jobs.
    pub slowdown: Spread,
    /// The started jobs by the month they started: when research waits, month by month.
    pub by_month: Vec<ResearchMonth>,
}

/// The research jobs that started in one month.
#[derive(Clone, Debug, Serialize)]
pub struct ResearchMonth {
    /// `2027-03`.
    pub month: String,
    /// Jobs that started in it.
    pub started: u64,
    /// Their queueing delay, hours: mean, median, 95th percentile.
    pub queue_delay_h: Spread,
}

/// A mean and two percentiles.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Spread {
    fn of(mut v: Vec<f64>) -> Spread {
        if v.is_empty() {
            return Spread::default();
        }
        v.sort_by(f64::total_cmp);
        let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        Spread { mean: v.iter().sum::<f64>() / v.len() as f64, p50: at(0.5), p95: at(0.95) }
    }
}

/// One serving tier.
#[derive(Clone, Debug, Serialize)]
pub struct TierOutcome {
    /// Tier name.
    pub tier: String,
    /// Output tokens demanded over the run.
    pub demand_tokens: f64,
    /// Served.
    pub served_tokens: f64,
    /// Not served.
    pub unmet_tokens: f64,
    /// Unmet ÷ demanded.
    pub unmet_share: f64,
    /// Unmet ÷ demanded, by month (aligned with `months`).
    pub unmet_share_by_month: Vec<f64>,
    /// Output tokens served, by month (aligned with `months`).
    pub served_tokens_by_month: Vec<f64>,
    /// Unmet ÷ demanded, by day (aligned with `days`).
    pub unmet_share_by_day: Vec<f64>,
    /// Output tokens served, by day (aligned with `days`).
    pub served_tokens_by_day: Vec<f64>,
    /// The tier's features gated when serving bound: the heaviest first, until what they add
    /// covers the tier's unmet tokens that month.
    pub gated: Vec<GatedOutcome>,
}

/// The totals over the run.
#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    /// GPU-hours in service.
    pub gpu_hours_online: f64,
    /// GPU-hours by class, under repair and idle.
    pub gpu_hours: ByClass,
    /// Each as a fraction of the GPU-hours in service.
    pub share: ByClass,
    /// Mean of the months' idle shares, over the months with GPUs in service.
    pub mean_idle_share: f64,
    /// Compute spend by class, USD (GPU-hours × `cost_per_gpu_hour_usd`).
    pub spend_usd: ByClass,
    /// Each class's share of the compute spend (`spend_share.inference` is the inference share of
    /// a published cut); equal to `share`, as every GPU-hour costs the same.
    pub spend_share: ByClass,
    /// The plan's cost of one GPU-hour: (depreciation + opex per year) ÷ (GPUs × 8,760 h).
    pub cost_per_gpu_hour_usd: f64,
    /// GPU-hours of work lost to node failures, by class (`down` and `idle` unused).
    pub gpu_hours_lost_to_failures: ByClass,
    /// Frontier runs' share of the R&D spend (frontier, RL and research): the final training
    /// runs' share in Epoch AI's cut.
    pub final_runs_share_of_rd: f64,
    /// The same without the frontier runs' GPU-hours lost to failures (work redone after a
    /// failure, restarts): how much of `final_runs_share_of_rd` their failures make, one driver
    /// of a gap to a published cut.
    pub final_runs_share_of_rd_net_of_failures: f64,
    /// Published cuts of the same fleet's spend (`[[operate.published]]`), shown beside
    /// `share` (which is also the spend share: every GPU-hour costs the same) for comparison.
    pub published: Vec<crate::spec::PublishedCut>,
}

/// The whole result of `gigawatt operate`.
#[derive(Clone, Debug, Serialize)]
pub struct Operation {
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// Seed.
    pub seed: u64,
    /// First day operated.
    pub from: Date,
    /// Last day operated.
    pub to: Date,
    /// Classes, highest priority first.
    pub priorities: Vec<Class>,
    /// Classes a higher class may preempt.
    pub preemptible: Vec<Class>,
    /// Whether jobs behind a blocked head backfill (EASY) until its reserved start.
    pub backfill: bool,
    /// GPUs per inference block.
    pub inference_block_gpus: u32,
    /// Totals over the run.
    pub totals: Totals,
    /// Month by month.
    pub months: Vec<Period>,
    /// Day by day.
    pub days: Vec<Period>,
    /// Frontier pre-training runs.
    pub frontier: Vec<RunOutcome>,
    /// RL runs.
    pub rl: Vec<RunOutcome>,
    /// The research stream.
    pub research: ResearchOutcome,
    /// Serving, by tier (highest priority first).
    pub inference: Vec<TierOutcome>,
    /// What limits the fleet's use, when it is mostly idle (more than 30 % on average).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<Shortfall>,
    /// Scheduler events handled.
    pub events: u64,
    /// Jobs scheduled.
    pub jobs: u64,
    /// Every operate input, with provenance.
    pub inputs: Vec<InputRecord>,
    /// The inputs that rest on assumptions.
    pub assumptions: Vec<InputRecord>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
    /// With `--replicas N` (N > 1): the spread of the headline figures over N runs with
    /// different seeds; this result is replica 0's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<ReplicaSummary>,
}

/// The day `t` falls on.
fn day_of(from: Date, t: SimTime) -> Date {
    from.add_days((t.0 / US_PER_DAY) as i64)
}

impl Operation {
    /// The headline figures recorded in the run history: the run's shares by class, its mean
    /// idle share, each frontier run's finish and ETTR, and each tier's unmet share.
    pub fn figures(&self) -> Vec<gigawatt_core::Figure> {
        use gigawatt_core::Figure;
        let t = &self.totals;
        let mut out = vec![
            Figure::new("totals.mean_idle_share", "mean idle share of the months", "fraction", t.mean_idle_share),
            Figure::new("totals.gpu_hours_online", "GPU-hours in service", "GPU-h", t.gpu_hours_online),
        ];
        let s = &t.share;
        for (k, v) in [
            ("frontier", s.frontier),
            ("rl", s.rl),
            ("research", s.research),
            ("inference", s.inference),
            ("down", s.down),
            ("idle", s.idle),
        ] {
            out.push(Figure::new(&format!("totals.share.{k}"), &format!("{k} share of the GPU-hours"), "fraction", v));
        }
        out.push(Figure::new(
            "totals.final_runs_share_of_rd",
            "frontier runs' share of the R&D GPU-hours",
            "fraction",
            t.final_runs_share_of_rd,
        ));
        for r in &self.frontier {
            let key = |k: &str| format!("frontier[{}].{k}", r.name);
            // A run that never started has no ETTR (not one of 0).
            if r.start.is_some() {
                out.push(Figure::new(&key("ettr"), &format!("{}: ETTR", r.name), "fraction", r.ettr));
            }
            out.push(Figure::new(&key("progress"), &format!("{}: share done", r.name), "fraction", r.progress));
            if let Some(f) = r.finish {
                let days = (f.days_since_epoch() - self.from.days_since_epoch()) as f64;
                out.push(Figure::new(
                    &key("finish_day"),
                    &format!("{}: finish, days after {}", r.name, self.from),
                    "days",
                    days,
                ));
            }
        }
        for i in &self.inference {
            out.push(Figure::new(
                &format!("inference[{}].unmet_share", i.tier),
                &format!("{}: unmet share of output tokens", i.tier),
                "fraction",
                i.unmet_share,
            ));
        }
        out
    }
}

/// Measures a finished run.
pub fn measure(model: &Model, p: &Prepared, e: &Engine<'_>) -> Operation {
    let day_periods = daily(p, e, p.days());
    let months = monthly(&day_periods);
    let eval = gigawatt_core::plan::evaluate(model, &model.params.central());
    let t = &eval.totals;
    let cost = crate::cost_per_gpu_hour(t);
    let totals = totals(&day_periods, &months, cost, p, e);
    let (frontier, rl) = runs(p, e, &day_periods);
    let inference = tiers(p, e, &months);
    let shortfall = shortfall(&totals, p);
    let records = p.spec.inputs.records().to_vec();
    let mut warnings = p.streams.warnings.clone();
    warnings.extend(p.capacity.warnings.iter().filter(|w| w.contains("operate")).cloned());
    Operation {
        scenario: ScenarioInfo {
            name: model.name.clone(),
            description: model.description.clone(),
            file: model.source.name.clone(),
        },
        seed: p.seed,
        from: p.from,
        to: p.to,
        priorities: p.spec.priorities.clone(),
        preemptible: p.spec.preemptible.clone(),
        backfill: p.spec.backfill,
        inference_block_gpus: p.streams.block_gpus,
        totals,
        research: research(p, e),
        months,
        days: day_periods,
        frontier,
        rl,
        inference,
        shortfall,
        events: e.events(),
        jobs: p.streams.jobs.len() as u64,
        assumptions: records.iter().filter(|r| !r.sourced).cloned().collect(),
        inputs: records,
        warnings,
        replicas: None,
    }
}

fn daily(p: &Prepared, e: &Engine<'_>, days: usize) -> Vec<Period> {
    let online = p.fleet.online_gpu_us_by_day(days);
    let usage = e.usage().expect("operate sums usage");
    let day_us = US_PER_DAY as f64;
    (0..days)
        .map(|d| {
            let mut gpus = ByClass::default();
            if let Some(row) = usage.held.get(d) {
                for c in Class::ALL {
                    *gpus.class_mut(c) = row.get(c.index()).copied().unwrap_or(0) as f64 / day_us;
                }
                // Inference blocks are summed per tier (types after the classes').
                let tiers: u128 = row.iter().skip(Class::ALL.len()).sum();
                gpus.inference += tiers as f64 / day_us;
            }
            gpus.down = usage.down.get(d).copied().unwrap_or(0) as f64 / day_us;
            let on = online[d] as f64 / day_us;
            let used = gpus.frontier + gpus.rl + gpus.research + gpus.inference + gpus.down;
            gpus.idle = (on - used).max(0.0);
            period(p.from.add_days(d as i64).to_string(), on, gpus)
        })
        .collect()
}

fn period(label: String, online: f64, gpus: ByClass) -> Period {
    let share = if online > 0.0 { gpus.scaled(1.0 / online) } else { ByClass::default() };
    Period { period: label, gpus_online: online, gpus, share, spend_share: share }
}

fn monthly(days: &[Period]) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    let mut count = 0usize;
    let mut acc = (0.0, ByClass::default());
    let mut label = String::new();
    let flush = |label: &str, count: usize, acc: (f64, ByClass), out: &mut Vec<Period>| {
        if count > 0 {
            let k = 1.0 / count as f64;
            out.push(period(label.to_string(), acc.0 * k, acc.1.scaled(k)));
        }
    };
    for d in days {
        let m = d.period[..7].to_string();
        if m != label {
            flush(&label, count, acc, &mut out);
            label = m;
            count = 0;
            acc = (0.0, ByClass::default());
        }
        count += 1;
        acc.0 += d.gpus_online;
        acc.1.add(&d.gpus);
    }
    flush(&label, count, acc, &mut out);
    out
}

fn totals(days: &[Period], months: &[Period], cost: f64, p: &Prepared, e: &Engine<'_>) -> Totals {
    let mut gpu_hours = ByClass::default();
    let mut online = 0.0;
    for d in days {
        gpu_hours.add(&d.gpus.scaled(24.0));
        online += d.gpus_online * 24.0;
    }
    let with_gpus: Vec<&Period> = months.iter().filter(|m| m.gpus_online > 0.0).collect();
    let mean_idle = if with_gpus.is_empty() {
        0.0
    } else {
        with_gpus.iter().map(|m| m.share.idle).sum::<f64>() / with_gpus.len() as f64
    };
    let mut lost = ByClass::default();
    for (j, tag) in p.streams.tags.iter().enumerate() {
        *lost.class_mut(tag.class) += e.job_run(j as u32).gpu_hours_lost_to_failures;
    }
    let rd = gpu_hours.frontier + gpu_hours.rl + gpu_hours.research;
    let final_runs_share_of_rd = if rd > 0.0 { gpu_hours.frontier / rd } else { 0.0 };
    let lost_frontier = lost.frontier.min(gpu_hours.frontier);
    let final_runs_share_of_rd_net_of_failures =
        if rd - lost_frontier > 0.0 { (gpu_hours.frontier - lost_frontier) / (rd - lost_frontier) } else { 0.0 };
    Totals {
        gpu_hours_online: online,
        share: if online > 0.0 { gpu_hours.scaled(1.0 / online) } else { ByClass::default() },
        spend_usd: gpu_hours.scaled(cost),
        spend_share: gpu_hours.scaled(cost).fractions(),
        gpu_hours,
        mean_idle_share: mean_idle,
        cost_per_gpu_hour_usd: cost,
        gpu_hours_lost_to_failures: lost,
        final_runs_share_of_rd,
        final_runs_share_of_rd_net_of_failures,
        published: p.spec.published.clone(),
    }
}

/// Share of tracked job `k`'s `duration` done by the end of each month of `days`.
fn progress_by_month(usage: &gigawatt_sched::Usage, k: usize, duration: SimTime, days: &[Period]) -> Vec<f64> {
    let row = usage.progress.get(k).map_or(&[][..], Vec::as_slice);
    let total = duration.0.max(1) as f64;
    let mut out = Vec::new();
    let mut done = 0i64;
    for (d, day) in days.iter().enumerate() {
        done += row.get(d).copied().unwrap_or(0);
        let last_of_month = days.get(d + 1).is_none_or(|next| next.period[..7] != day.period[..7]);
        if last_of_month {
            out.push((done as f64 / total).clamp(0.0, 1.0));
        }
    }
    out
}

fn runs(p: &Prepared, e: &Engine<'_>, days: &[Period]) -> (Vec<RunOutcome>, Vec<RunOutcome>) {
    // The jobs of each run (a frontier run's stages, in order), in order of first appearance.
    let mut groups: Vec<(JobTag, Vec<usize>)> = Vec::new();
    for (j, tag) in p.streams.tags.iter().enumerate() {
        if !matches!(tag.class, Class::Frontier | Class::Rl) {
            continue;
        }
        match groups.iter_mut().find(|(t, _)| t.class == tag.class && t.index == tag.index) {
            Some((_, js)) => js.push(j),
            None => groups.push((*tag, vec![j])),
        }
    }
    let (mut frontier, mut rl) = (Vec::new(), Vec::new());
    for (tag, js) in groups {
        let outcome = run_outcome(p, e, days, tag, &js);
        if tag.class == Class::Frontier { frontier.push(outcome) } else { rl.push(outcome) }
    }
    (frontier, rl)
}

/// The outcome of the run whose jobs (its stages, in order) are `js`.
fn run_outcome(p: &Prepared, e: &Engine<'_>, days: &[Period], tag: JobTag, js: &[usize]) -> RunOutcome {
    let usage = e.usage().expect("operate sums usage");
    let training = &p.capacity.training[tag.index as usize];
    let first = js[0];
    // A frontier run's stages run one after another, an RL budget's jobs side by side: the run
    // starts with the first of them to start and ends with the last to end.
    let started = js.iter().filter_map(|&j| e.job_run(j as u32).first_start).min();
    let ended = js.iter().map(|&j| e.job_run(j as u32).end).max().unwrap_or(SimTime::ZERO);
    let day = |t: SimTime| day_of(p.from, t);
    let before = if tag.class == Class::Frontier {
        p.streams.done_before.get(tag.index as usize).copied().unwrap_or(0.0)
    } else {
        0.0
    };
    let (mut progress, mut done, mut wall) = (before, 0.0, 0.0);
    let (mut failures, mut preemptions, mut lost) = (0, 0, 0.0);
    // Every stage is tracked, so each fills the months; a run under way when the window opened
    // starts each month from the share it had done before.
    let mut by_month: Vec<f64> = Vec::new();
    let mut stages = Vec::new();
    for &j in js {
        let (job, t, r) = (&p.streams.jobs[j], &p.streams.tags[j], e.job_run(j as u32));
        // The re-shard's restart comes first; the rest is the run's work.
        let work = job.duration.since(t.overhead).secs().max(1e-9);
        let did = job.duration.since(r.unserved).since(t.overhead).secs();
        progress += t.share * did / work;
        done += did;
        wall += r.first_start.map_or(0.0, |s| r.end.since(s).secs());
        failures += r.failures;
        preemptions += r.preemptions;
        lost += r.gpu_hours_lost_to_failures;
        if let Some(k) = p.options.track_progress.iter().position(|&x| x == j as u32) {
            let m = progress_by_month(usage, k, job.duration, days);
            by_month.resize(m.len(), before);
            by_month.iter_mut().zip(&m).for_each(|(a, b)| *a += t.share * b);
        }
        stages.push(StageOutcome {
            gpus: job.gpus,
            flops_share: t.share,
            submit: day(job.after.map_or(job.submit, |a| e.job_run(a).end.max(job.submit))),
            start: r.first_start.map(day),
            finish: (r.unserved == SimTime::ZERO && r.first_start.is_some()).then(|| day(r.end)),
        });
    }
    let finished = stages.iter().all(|s| s.finish.is_some());
    let job0 = &p.streams.jobs[first];
    RunOutcome {
        name: training.name.clone(),
        gpus: stages.iter().map(|s| s.gpus).max().unwrap_or(0),
        submit: asked(p, e, job0, training.start, before),
        done_before_window: before,
        start: started.map(day),
        finish: finished.then(|| day(ended)),
        closed_form_finish: if tag.class == Class::Frontier { training.finish } else { None },
        progress: progress.clamp(0.0, 1.0),
        ettr: if wall > 0.0 { done / wall } else { 0.0 },
        failures,
        preemptions,
        gpu_hours_lost_to_failures: lost,
        progress_by_month: by_month.into_iter().map(|x| x.clamp(0.0, 1.0)).collect(),
        stages: if stages.len() > 1 && tag.class == Class::Frontier { stages } else { Vec::new() },
    }
}

/// The day a run asked for its GPUs: a run under way when the window opened asked on its own
/// start day; an RL job when its pre-training run had done its work (never, if it did not); any
/// other when its first job arrived, if that was within the run.
fn asked(p: &Prepared, e: &Engine<'_>, job0: &gigawatt_sched::Job, start: Date, before: f64) -> Option<Date> {
    if before > 0.0 {
        return Some(start);
    }
    let at = match job0.after {
        Some(a) => {
            let pre = e.job_run(a);
            (pre.first_start.is_some() && pre.unserved == SimTime::ZERO).then_some(pre.end)?
        }
        None => job0.submit,
    };
    (at < p.end_time()).then(|| day_of(p.from, at))
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_zero_count(n: &u64) -> bool {
    *n == 0
}

fn research(p: &Prepared, e: &Engine<'_>) -> ResearchOutcome {
    let (mut delays, mut slowdowns) = (Vec::new(), Vec::new());
    let mut by_month: std::collections::BTreeMap<String, Vec<f64>> = std::collections::BTreeMap::new();
    let (mut jobs, mut started, mut finished, mut gpus_sum, mut max_gpus, mut offered) =
        (0u64, 0u64, 0u64, 0u64, 0u32, 0.0);
    for (j, tag) in p.streams.tags.iter().enumerate() {
        if tag.class != Class::Research {
            continue;
        }
        let job = &p.streams.jobs[j];
        let r = e.job_run(j as u32);
        jobs += 1;
        gpus_sum += u64::from(job.gpus);
        max_gpus = max_gpus.max(job.gpus);
        offered += crate::streams::offered_within(job.gpus, job.duration.secs(), job.submit, p.end_time()) / 3600.0;
        if let Some(s) = r.first_start {
            started += 1;
            let delay = s.since(job.submit).hours();
            delays.push(delay);
            by_month.entry(month_label(day_of(p.from, s))).or_default().push(delay);
            if r.unserved == SimTime::ZERO {
                finished += 1;
                let wall = r.end.since(job.submit).secs().max(10.0);
                slowdowns.push(wall / job.duration.secs().max(10.0));
            }
        }
    }
    let online_h = p.in_service_gpu_h;
    ResearchOutcome {
        jobs_target: p.spec.research_jobs,
        jobs_target_whole_run: p.spec.research_jobs_whole_run,
        jobs,
        under_way_at_start: p.streams.research_under_way,
        started,
        finished,
        gpu_hours_offered: offered,
        offered_share: if online_h > 0.0 { offered / online_h } else { 0.0 },
        usd_per_year: p.spec.research_usd_per_year,
        mean_gpus: if jobs > 0 { gpus_sum as f64 / jobs as f64 } else { 0.0 },
        max_gpus,
        duration_scale: p.streams.research_duration_scale,
        queue_delay_h: Spread::of(delays),
        slowdown: Spread::of(slowdowns),
        by_month: by_month
            .into_iter()
            .map(|(month, d)| ResearchMonth { month, started: d.len() as u64, queue_delay_h: Spread::of(d) })
            .collect(),
    }
}

fn month_label(d: Date) -> String {
    let (y, m) = d.year_month();
    format!("{y}-{m:02}")
}

/// GPU-seconds each tier's blocks spent loading the model, by tier and day of their start: each
/// block that started, for its scale-up time or the time it held its GPUs, whichever is shorter.
fn loading_by_day(p: &Prepared, e: &Engine<'_>, tiers: usize, days: usize) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; days]; tiers];
    for (j, tag) in p.streams.tags.iter().enumerate() {
        if tag.class != Class::Inference || tag.overhead == SimTime::ZERO {
            continue;
        }
        let r = e.job_run(j as u32);
        let Some(start) = r.first_start else { continue };
        let d = (start.0 / US_PER_DAY) as usize;
        if let Some(x) = out.get_mut(tag.index as usize).and_then(|row| row.get_mut(d)) {
            *x += f64::from(p.streams.jobs[j].gpus) * tag.overhead.min(r.end.since(start)).secs();
        }
    }
    out
}

/// The features of `tier` gated in each month it had unmet tokens: its open features, the largest
/// extra tokens first (as the capacity model gates them), until their extra tokens that month
/// cover the unmet ones. A feature's tokens in a month are its share of the tier's demand there:
/// its extra peak tokens/s ÷ the tier's peak tokens/s, at mid-month.
fn gates(p: &Prepared, tier: &str, months: &[Period], demand_m: &[f64], unmet_m: &[f64]) -> Vec<GatedOutcome> {
    let Some(demand) = &p.demand else { return Vec::new() };
    let mut out: Vec<GatedOutcome> = Vec::new();
    for (m, period) in months.iter().enumerate() {
        let (d, u) = (demand_m.get(m).copied().unwrap_or(0.0), unmet_m.get(m).copied().unwrap_or(0.0));
        if !(u > 1e-9 * d && d > 0.0) {
            continue;
        }
        let Some(mid) = mid_month(&period.period) else { continue };
        let Some(td) = demand.at(mid).into_iter().find(|t| t.tier == tier) else { continue };
        if td.peak_tokens_per_s <= 0.0 {
            continue;
        }
        let mut feats = td.feature_extra_peak_tokens_per_s.clone();
        feats.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut freed = 0.0;
        for (feature, extra) in feats {
            if extra <= 0.0 || freed >= u {
                break;
            }
            freed += d * extra / td.peak_tokens_per_s;
            match out.iter_mut().find(|g| g.feature == feature) {
                Some(g) => {
                    g.until = period.period.clone();
                    g.months += 1;
                }
                None => out.push(GatedOutcome {
                    feature,
                    from: period.period.clone(),
                    until: period.period.clone(),
                    months: 1,
                }),
            }
        }
    }
    out
}

/// The 15th of a `YYYY-MM` month.
fn mid_month(period: &str) -> Option<Date> {
    let (y, m) = period.split_once('-')?;
    Date::from_ymd(y.parse().ok()?, m.parse().ok()?, 15)
}

/// Each tier's unmet output tokens, day by day. The tiers' blocks serve one pool, as a router
/// sends requests to any replica, highest tier first: a day's serving capacity is the GPU-seconds
/// all tiers' blocks held that day, less their model loading, × the day's tokens/s per GPU, and
/// it goes to the tiers' demand in priority order. So a block lost to a node failure, or a tier's
/// blocks rounded up beyond its demand, takes from or gives to the tiers below it, never the ones
/// above (Pro first).
fn unmet_by_tier_day(p: &Prepared, e: &Engine<'_>, usage: &gigawatt_sched::Usage) -> Vec<Vec<f64>> {
    let s = &p.streams;
    let tiers = p.capacity.tiers.len();
    let loading = loading_by_day(p, e, tiers, usage.held.len());
    let mut out = vec![vec![0.0; usage.held.len()]; tiers];
    for (d, row) in usage.held.iter().enumerate() {
        let hours = d * 24..(d * 24 + 24).min(s.tokens_per_s_per_gpu_by_hour.len());
        if hours.is_empty() {
            continue;
        }
        let rate = s.tokens_per_s_per_gpu_by_hour[hours.clone()].iter().sum::<f64>() / hours.len() as f64;
        // GPU-seconds serving: held, less the blocks' model loading that day.
        let serving: f64 = (0..tiers)
            .map(|t| {
                let ty = crate::streams::inference_type(t) as usize;
                (row.get(ty).copied().unwrap_or(0) as f64 / 1e6 - loading[t][d]).max(0.0)
            })
            .sum();
        let mut capacity = serving * rate;
        for (t, unmet) in out.iter_mut().enumerate() {
            let demand: f64 = s.demand_tokens_by_tier_hour.get(t).map_or(0.0, |v| v[hours.clone()].iter().sum());
            let served = demand.min(capacity);
            capacity -= served;
            unmet[d] = demand - served;
        }
    }
    out
}

fn tiers(p: &Prepared, e: &Engine<'_>, months: &[Period]) -> Vec<TierOutcome> {
    let s = &p.streams;
    let index: BTreeMap<&str, usize> = months.iter().enumerate().map(|(i, m)| (m.period.as_str(), i)).collect();
    let month_of_hour = |h: usize| index.get(month_label(p.from.add_days((h / 24) as i64)).as_str()).copied();
    let usage = e.usage().expect("operate sums usage");
    let unmet_by_day = unmet_by_tier_day(p, e, usage);
    p.capacity
        .tiers
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let mut demand_m = vec![0.0; months.len()];
            let mut unmet_m = vec![0.0; months.len()];
            let unmet_d = &unmet_by_day[t];
            let mut demand_d = vec![0.0; unmet_d.len()];
            if let Some(hours) = s.demand_tokens_by_tier_hour.get(t) {
                for (h, &tok) in hours.iter().enumerate() {
                    if let Some(m) = month_of_hour(h) {
                        demand_m[m] += tok;
                    }
                    if let Some(d) = demand_d.get_mut(h / 24) {
                        *d += tok;
                    }
                }
            }
            for (d, &u) in unmet_d.iter().enumerate() {
                if let Some(m) = month_of_hour(d * 24) {
                    unmet_m[m] += u;
                }
            }
            let served_m: Vec<f64> = demand_m.iter().zip(&unmet_m).map(|(d, u)| (d - u).max(0.0)).collect();
            let gated = gates(p, name, months, &demand_m, &unmet_m);
            let demand: f64 = demand_m.iter().sum();
            let unmet: f64 = unmet_m.iter().sum::<f64>().min(demand);
            TierOutcome {
                tier: name.clone(),
                demand_tokens: demand,
                served_tokens: demand - unmet,
                unmet_tokens: unmet,
                unmet_share: if demand > 0.0 { unmet / demand } else { 0.0 },
                unmet_share_by_month: demand_m
                    .iter()
                    .zip(&unmet_m)
                    .map(|(d, u)| if *d > 0.0 { (u / d).min(1.0) } else { 0.0 })
                    .collect(),
                served_tokens_by_month: served_m,
                unmet_share_by_day: demand_d
                    .iter()
                    .zip(unmet_d)
                    .map(|(d, u)| if *d > 0.0 { (u / d).min(1.0) } else { 0.0 })
                    .collect(),
                served_tokens_by_day: demand_d.iter().zip(unmet_d).map(|(d, u)| (d - u).max(0.0)).collect(),
                gated,
            }
        })
        .collect()
}

/// Why a fleet is mostly idle: the class that fills what the others leave, research, offers too
/// little, by how much, and which classes have no work at all and why.
#[derive(Clone, Debug, Serialize)]
pub struct Shortfall {
    /// Mean idle share over the months with GPUs online.
    pub mean_idle_share: f64,
    /// The class that is short: `research`, the one that fills what the others leave.
    pub class: String,
    /// What it offers, as a share of the GPU-time in service (`[operate.research] share`).
    pub offered_share: f64,
    /// How much more of the GPU-time in service it would have to offer to fill the idle GPUs.
    pub short_by: f64,
    /// Each class with no work at all, and why (`inference: the scenario has no [demand]`).
    pub absent: Vec<String>,
    /// The same in a sentence.
    pub text: String,
}

fn shortfall(t: &Totals, p: &Prepared) -> Option<Shortfall> {
    if t.mean_idle_share <= 0.30 {
        return None;
    }
    let has = |class: Class| p.streams.tags.iter().any(|tag| tag.class == class);
    let mut absent = Vec::new();
    if !has(Class::Frontier) {
        absent.push(if p.capacity.training.is_empty() {
            "frontier: the scenario has no [[training]] runs".to_string()
        } else {
            "frontier: its [[training]] runs were left out (see the warnings)".to_string()
        });
    }
    if !has(Class::Rl) {
        absent.push(if p.spec.rl_compute_ratio <= 0.0 {
            "rl: [operate.rl] compute_ratio is 0".to_string()
        } else if !has(Class::Frontier) {
            "rl: it follows the frontier runs, and there are none".to_string()
        } else {
            "rl: it follows frontier runs that finish within the run, and none does".to_string()
        });
    }
    if !has(Class::Inference) {
        absent.push(if p.demand.is_none() {
            "inference: the scenario has no [demand]".to_string()
        } else {
            "inference: no demand falls within the run on a platform that serves it".to_string()
        });
    }
    if !has(Class::Research) {
        absent.push("research: [operate.research] share is 0".to_string());
    }
    let why = if absent.is_empty() { String::new() } else { format!(" No work for {}.", absent.join("; ")) };
    let text = format!(
        "the fleet is {:.1}% idle on average over the months: the classes do not ask for enough.{why} Research offers {:.2} of the GPUs online ([operate.research] share); about {:.2} more would fill the idle GPUs",
        t.mean_idle_share * 100.0,
        p.spec.research_share,
        t.share.idle
    );
    Some(Shortfall {
        mean_idle_share: t.mean_idle_share,
        class: Class::Research.name().to_string(),
        offered_share: p.spec.research_share,
        short_by: t.share.idle,
        absent,
        text,
    })
}

/// One figure over the replicas of an operated run: P10, P50 and P90 of its values.
#[derive(Clone, Debug, Serialize)]
pub struct FigureSpread {
    /// The figure's key ([`Operation::figures`]).
    pub key: String,
    /// What it is.
    pub label: String,
    /// Its unit.
    pub unit: String,
    /// 10th percentile over the replicas that have it.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Each replica's value, in replica order (`None` where a replica has no such figure, e.g. a
    /// run that did not finish has no finish day).
    pub values: Vec<Option<f64>>,
}

/// What the replicas of an operated run say together: their seeds and the spread of each
/// headline figure. Replica 0 runs on the run's seed and is the run reported in full.
#[derive(Clone, Debug, Serialize)]
pub struct ReplicaSummary {
    /// Replicas run.
    pub count: u32,
    /// Each replica's seed (the research stream's and the failures').
    pub seeds: Vec<u64>,
    /// Every figure any replica has, in the first replica's order then first appearance.
    pub figures: Vec<FigureSpread>,
}

impl ReplicaSummary {
    /// The summary of the figures of each replica (`(seed, figures)` in replica order).
    pub fn of(replicas: &[(u64, Vec<gigawatt_core::Figure>)]) -> ReplicaSummary {
        let mut keys: Vec<(String, String, String)> = Vec::new();
        for (_, figs) in replicas {
            for f in figs {
                if !keys.iter().any(|k| k.0 == f.key) {
                    keys.push((f.key.clone(), f.label.clone(), f.unit.clone()));
                }
            }
        }
        let figures = keys
            .into_iter()
            .map(|(key, label, unit)| {
                let values: Vec<Option<f64>> =
                    replicas.iter().map(|(_, figs)| figs.iter().find(|f| f.key == key).map(|f| f.value)).collect();
                let mut sorted: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
                sorted.sort_by(f64::total_cmp);
                let q = |p: f64| {
                    if sorted.is_empty() { f64::NAN } else { gigawatt_core::uncertainty::percentile(&sorted, p) }
                };
                FigureSpread { key, label, unit, p10: q(10.0), p50: q(50.0), p90: q(90.0), values }
            })
            .collect();
        ReplicaSummary { count: replicas.len() as u32, seeds: replicas.iter().map(|r| r.0).collect(), figures }
    }
}
