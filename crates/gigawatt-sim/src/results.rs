//! The result of `gigawatt simulate`: plain serialisable structs that every renderer reads.
//!
//! Field names carry their units (`_s`, `_h`, `gpu_hours`); GPUs are counted as packages. Every
//! metric over replicas is a [`Stat`] (mean, 95% confidence interval of the mean, middle 95% of
//! replicas). The JSON is documented in `docs/scenario.md` (Simulation section).

use gigawatt_core::analysis::InputRecord;
use gigawatt_core::simulation::Spares;
use gigawatt_core::{Figure, Model};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::Simulation;
use crate::engine::ReplicaTally;
use crate::fleet::{ClassModel, Fleet, FleetPhase};
use crate::job::JobModel;
use crate::stats::Stat;
use crate::time::{SimTime, US_PER_DAY};

/// Counts by cause or category, in a fixed order (serialised as a JSON object in that order).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Counts(pub Vec<(String, f64)>);

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Counts {
    /// The count of `key`, 0 when absent.
    pub fn get(&self, key: &str) -> f64 {
        self.0.iter().find(|(k, _)| k == key).map_or(0.0, |(_, v)| *v)
    }
}

/// Which scenario a result is for.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScenarioRef {
    /// Scenario name.
    pub name: String,
    /// File it was read from.
    pub file: String,
}

/// A failure class, as the results name it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CauseInfo {
    /// Identifier (the key in `by_cause`).
    pub name: String,
    /// Display label.
    pub label: String,
    /// Category (the key in `by_category`).
    pub category: String,
}

/// Fleet-wide results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FleetResults {
    /// GPU packages.
    pub gpus: u64,
    /// Nodes (servers, or compute trays).
    pub nodes: u32,
    /// Racks.
    pub racks: u64,
    /// The phases of the fleet.
    pub phases: Vec<FleetPhase>,
    /// Expected failures per day with every node up, from the rates.
    pub failures_per_day_expected: f64,
    /// Failures per day (hardware taken down, or a job interrupted by a software fault).
    pub failures_per_day: Stat,
    /// Mean GPUs down (in nodes under repair).
    pub gpus_down: Stat,
    /// Mean repairs in flight.
    pub repairs_in_flight: Stat,
    /// Mean GPUs idle in spare pools.
    pub spare_gpus: Stat,
    /// Mean failures over the window, by cause.
    pub failures_by_cause: Counts,
    /// The failure classes, in the order of the `by_cause` objects.
    pub causes: Vec<CauseInfo>,
}

/// A job's interruptions.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Interruptions {
    /// Unexpected interruptions (failures touching the job, running or restarting).
    pub unexpected: Stat,
    /// Planned interruptions.
    pub planned: Stat,
    /// Mean unexpected interruptions by cause.
    pub by_cause: Counts,
    /// Mean unexpected interruptions by category.
    pub by_category: Counts,
}

/// Where a job's GPU-hours went.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GpuHours {
    /// Saved training compute.
    pub productive: Stat,
    /// Blocking checkpoint writes.
    pub checkpoint: Stat,
    /// Compute lost to failures and redone.
    pub rework: Stat,
    /// Detection and restart.
    pub restart: Stat,
    /// Waiting for nodes back from repair when no spare was left.
    pub waiting: Stat,
}

/// One point of the ETTR-versus-interval curve.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepPoint {
    /// Checkpoint interval, seconds of compute.
    pub interval_s: f64,
    /// ETTR at that interval (common random numbers across the grid).
    pub ettr: Stat,
}

/// One job's results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct JobResults {
    /// Name.
    pub name: String,
    /// Phase it runs on.
    pub phase: String,
    /// Platform id.
    pub platform: String,
    /// GPU packages.
    pub gpus: u64,
    /// Nodes it occupies.
    pub nodes: u32,
    /// First day.
    pub start_day: f64,
    /// Days it runs within the window.
    pub days: f64,
    /// Compute between checkpoints, seconds.
    pub checkpoint_interval_s: f64,
    /// Whether the interval is Young's sqrt(2·w·MTBF).
    pub checkpoint_interval_auto: bool,
    /// Blocking checkpoint write time, seconds.
    pub checkpoint_write_s: f64,
    /// Restart overhead after detection, seconds.
    pub restart_s: f64,
    /// Spare swap time, seconds.
    pub swap_s: f64,
    /// Spare policy.
    pub spares: Spares,
    /// Expected time between unexpected interruptions, hours (from the rates; `null` when none
    /// can happen).
    pub mtbf_h: Option<f64>,
    /// Rate-weighted mean time to detect, seconds.
    pub mean_detect_s: f64,
    /// Mean time from a failure to running again with a spare at hand, seconds (the closed
    /// form's `u0`: detection, restart, and the swap where it outlasts the restart).
    pub recovery_s: f64,
    /// Closed-form ETTR at the job's interval (Kokolis et al. 2024).
    pub ettr_closed_form: f64,
    /// The interval that maximises the closed form, seconds.
    pub optimal_interval_s: f64,
    /// Effective training time ratio: productive time ÷ wall time.
    pub ettr: Stat,
    /// Availability: the share of wall time the job held all its nodes (not short of nodes,
    /// waiting for a spare or a repair).
    pub availability: Stat,
    /// Warnings about the job's setup (e.g. no spare can exist).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Interruptions.
    pub interruptions: Interruptions,
    /// GPU-hours by use.
    pub gpu_hours: GpuHours,
    /// Checkpoints written.
    pub checkpoints: Stat,
    /// ETTR over a grid of intervals around the optimum (with `--sweep-interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_sweep: Option<Vec<SweepPoint>>,
    /// The interval of the sweep with the highest mean ETTR, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_interval_s: Option<f64>,
}

/// One simulated day, averaged over replicas.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DailyRow {
    /// Day number (1-based).
    pub day: u32,
    /// Fleet failures.
    pub failures: f64,
    /// Job interruptions (unexpected and planned, all jobs).
    pub interruptions: f64,
    /// Mean GPUs down.
    pub gpus_down: f64,
    /// Mean repairs in flight.
    pub repairs_in_flight: f64,
    /// Mean GPUs idle in spare pools.
    pub spare_gpus: f64,
    /// Each job's ETTR that day (`null` when it did not run).
    pub ettr: Vec<Option<f64>>,
}

/// The complete result of a simulation.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SimResults {
    /// The scenario.
    pub scenario: ScenarioRef,
    /// Seed of the run.
    pub seed: u64,
    /// Monte Carlo replicas.
    pub replicas: u32,
    /// Simulated days.
    pub days: f64,
    /// Events handled per replica, on average (queue events and failure draws).
    pub events_per_replica: f64,
    /// Fleet results.
    pub fleet: FleetResults,
    /// Job results.
    pub jobs: Vec<JobResults>,
    /// The daily time series.
    pub daily: Vec<DailyRow>,
    /// Every input of the simulation with its provenance.
    pub inputs: Vec<InputRecord>,
    /// The spare pool each phase needs for a target (with `--spares-for`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spares_sizing: Option<crate::spares::SparesSizing>,
}

impl SimResults {
    /// The inputs that rest on an assumption rather than a source.
    pub fn assumptions(&self) -> impl Iterator<Item = &InputRecord> {
        self.inputs.iter().filter(|i| !i.sourced)
    }

    /// The headline figures the run history stores and compares: the fleet's failures, GPUs
    /// down and repairs in flight, and per job its ETTR (mean and 95% CI), interruptions and
    /// GPU-hours lost. Keys follow the JSON (`fleet.failures_per_day.mean`,
    /// `jobs[GW 1 training].ettr.mean`).
    pub fn figures(&self) -> Vec<Figure> {
        let f = &self.fleet;
        let mut out = vec![
            Figure::new("fleet.gpus", "GPU packages simulated", "GPUs", f.gpus as f64),
            Figure::new("fleet.failures_per_day.mean", "failures per day", "count", f.failures_per_day.mean),
            Figure::new("fleet.gpus_down.mean", "GPUs down", "GPUs", f.gpus_down.mean),
            Figure::new("fleet.repairs_in_flight.mean", "repairs in flight", "count", f.repairs_in_flight.mean),
            Figure::new("fleet.spare_gpus.mean", "GPUs idle in spare pools", "GPUs", f.spare_gpus.mean),
        ];
        for j in &self.jobs {
            let key = |k: &str| format!("jobs[{}].{k}", j.name);
            let label = |l: &str| format!("{}: {l}", j.name);
            out.push(Figure::new(&key("ettr.mean"), &label("ETTR"), "fraction", j.ettr.mean));
            out.push(Figure::new(&key("availability.mean"), &label("availability"), "fraction", j.availability.mean));
            if let Some([lo, hi]) = j.ettr.ci95 {
                out.push(Figure::new(&key("ettr.ci95[0]"), &label("ETTR, 95% CI low"), "fraction", lo));
                out.push(Figure::new(&key("ettr.ci95[1]"), &label("ETTR, 95% CI high"), "fraction", hi));
            }
            out.push(Figure::new(
                &key("interruptions.unexpected.mean"),
                &label("unexpected interruptions"),
                "count",
                j.interruptions.unexpected.mean,
            ));
            out.push(Figure::new(
                &key("checkpoint_interval_s"),
                &label("checkpoint interval"),
                "s",
                j.checkpoint_interval_s,
            ));
            let g = &j.gpu_hours;
            out.push(Figure::new(
                &key("gpu_hours.lost"),
                &label("GPU-hours lost (rework, restart, waiting)"),
                "GPU-h",
                g.rework.mean + g.restart.mean + g.waiting.mean,
            ));
            if let Some(best) = j.best_interval_s {
                out.push(Figure::new(&key("best_interval_s"), &label("best interval of the sweep"), "s", best));
            }
        }
        out
    }
}

/// Per-job values of every replica, in replica order.
#[derive(Default)]
struct JobColumns {
    ettr: Vec<f64>,
    availability: Vec<f64>,
    unexpected: Vec<f64>,
    planned: Vec<f64>,
    productive: Vec<f64>,
    checkpoint: Vec<f64>,
    rework: Vec<f64>,
    restart: Vec<f64>,
    waiting: Vec<f64>,
    checkpoints: Vec<f64>,
    by_class: Vec<f64>,
    sweep: Vec<Vec<f64>>,
}

/// Folds replica tallies, in replica order, into the summaries.
pub(crate) struct Accumulator {
    events: f64,
    failures_per_day: Vec<f64>,
    gpus_down: Vec<f64>,
    repairs: Vec<f64>,
    spare: Vec<f64>,
    failures_by_class: Vec<f64>,
    jobs: Vec<JobColumns>,
    days: Vec<[f64; 6]>,
    job_days: Vec<f64>,
    n: u32,
}

fn hours_of(us: u64, gpus: u64) -> f64 {
    SimTime(us).hours() * gpus as f64
}

impl Accumulator {
    pub(crate) fn new(sim: &Simulation) -> Accumulator {
        Accumulator {
            events: 0.0,
            failures_per_day: Vec::new(),
            gpus_down: Vec::new(),
            repairs: Vec::new(),
            spare: Vec::new(),
            failures_by_class: vec![0.0; sim.fleet.classes.len()],
            jobs: sim
                .jobs
                .iter()
                .map(|j| JobColumns {
                    by_class: vec![0.0; sim.fleet.classes.len()],
                    sweep: vec![Vec::new(); j.sweep.len()],
                    ..JobColumns::default()
                })
                .collect(),
            days: Vec::new(),
            job_days: Vec::new(),
            n: 0,
        }
    }

    pub(crate) fn add(&mut self, t: &ReplicaTally) {
        let days = t.days.iter().map(|d| d.length as f64).sum::<f64>() / US_PER_DAY as f64;
        self.n += 1;
        self.events += t.events as f64;
        self.failures_per_day.push(t.failures as f64 / days.max(f64::MIN_POSITIVE));
        self.gpus_down.push(t.gpus_down);
        self.repairs.push(t.repairs_in_flight);
        self.spare.push(t.spare_gpus);
        for (a, &b) in self.failures_by_class.iter_mut().zip(&t.failures_by_class) {
            *a += b as f64;
        }
        for (col, jt) in self.jobs.iter_mut().zip(&t.jobs) {
            col.ettr.push(jt.ettr());
            col.availability.push(jt.availability());
            col.unexpected.push(jt.unexpected as f64);
            col.planned.push(jt.planned as f64);
            col.checkpoints.push(jt.checkpoints as f64);
            // GPU-hours are filled in `finish`, which knows each job's size; keep µs here.
            col.productive.push(jt.productive as f64);
            col.checkpoint.push(jt.checkpoint as f64);
            col.rework.push(jt.rework as f64);
            col.restart.push(jt.restart() as f64);
            col.waiting.push(jt.waiting as f64);
            for (a, &b) in col.by_class.iter_mut().zip(&jt.by_class) {
                *a += b as f64;
            }
            for (k, &p) in jt.sweep_productive.iter().enumerate() {
                col.sweep[k].push(if jt.wall == 0 { 0.0 } else { p as f64 / jt.wall as f64 });
            }
        }
        if self.days.len() < t.days.len() {
            self.days.resize(t.days.len(), [0.0; 6]);
            self.job_days.resize(t.job_day_productive.len(), 0.0);
        }
        for (row, d) in self.days.iter_mut().zip(&t.days) {
            row[0] += d.failures as f64;
            row[1] += d.interruptions as f64;
            row[2] += d.gpus_down;
            row[3] += d.repairs_in_flight;
            row[4] += d.spare_gpus;
            row[5] = d.length as f64;
        }
        for (a, &b) in self.job_days.iter_mut().zip(&t.job_day_productive) {
            *a += b as f64;
        }
    }

    /// The results of the run: every tally summarised over the replicas, with the scenario and options.
    pub(crate) fn finish(self, sim: &Simulation, model: &Model) -> SimResults {
        let n = self.n.max(1) as f64;
        SimResults {
            scenario: ScenarioRef { name: model.name.clone(), file: model.source.name.clone() },
            seed: sim.options.seed,
            replicas: sim.options.replicas,
            days: sim.options.days,
            events_per_replica: self.events / n,
            fleet: self.fleet_results(&sim.fleet, n),
            jobs: sim.jobs.iter().zip(&self.jobs).map(|(j, col)| job_results(j, col, sim, n)).collect(),
            daily: self.daily_rows(sim, n),
            inputs: model.simulation.inputs(),
            spares_sizing: None,
        }
    }

    /// The fleet's size and expected failures, and its failures, GPUs down, repairs in flight,
    /// spares and failures by cause over the replicas.
    fn fleet_results(&self, fleet: &Fleet, n: f64) -> FleetResults {
        FleetResults {
            gpus: fleet.gpus,
            nodes: fleet.nodes,
            racks: fleet.racks,
            phases: fleet.phases.clone(),
            failures_per_day_expected: fleet.phases.iter().map(|p| p.failures_per_day_expected).sum(),
            failures_per_day: Stat::of(&self.failures_per_day).bounded(0.0, f64::INFINITY),
            gpus_down: Stat::of(&self.gpus_down).bounded(0.0, f64::INFINITY),
            repairs_in_flight: Stat::of(&self.repairs).bounded(0.0, f64::INFINITY),
            spare_gpus: Stat::of(&self.spare).bounded(0.0, f64::INFINITY),
            failures_by_cause: by_class(&fleet.classes, &self.failures_by_class, n),
            causes: fleet
                .classes
                .iter()
                .map(|c| CauseInfo { name: c.name.clone(), label: c.label.clone(), category: c.category.clone() })
                .collect(),
        }
    }

    /// The daily time series: each day's fleet figures and each job's ETTR, means over replicas.
    fn daily_rows(&self, sim: &Simulation, n: f64) -> Vec<DailyRow> {
        let njobs = sim.jobs.len();
        self.days
            .iter()
            .enumerate()
            .map(|(d, row)| {
                let day_end = SimTime(US_PER_DAY * d as u64).plus(SimTime(row[5] as u64));
                let day_start = SimTime(US_PER_DAY * d as u64);
                let ettr = sim
                    .jobs
                    .iter()
                    .enumerate()
                    .map(|(k, j)| {
                        let lo = j.start.max(day_start);
                        let hi = j.end.min(day_end);
                        let active = hi.since(lo).0 as f64;
                        (active > 0.0).then(|| self.job_days[d * njobs + k] / n / active)
                    })
                    .collect();
                DailyRow {
                    day: d as u32 + 1,
                    failures: row[0] / n,
                    interruptions: row[1] / n,
                    gpus_down: row[2] / n,
                    repairs_in_flight: row[3] / n,
                    spare_gpus: row[4] / n,
                    ettr,
                }
            })
            .collect()
    }
}

/// Mean counts by failure class, from sums over `n` replicas.
fn by_class(classes: &[ClassModel], sums: &[f64], n: f64) -> Counts {
    Counts(classes.iter().zip(sums).map(|(c, s)| (c.name.clone(), s / n)).collect::<Vec<_>>())
}

/// Mean counts by failure category (in order of first appearance), from sums by class.
fn by_category(classes: &[ClassModel], sums: &[f64], n: f64) -> Counts {
    let mut out: Vec<(String, f64)> = Vec::new();
    for (c, s) in classes.iter().zip(sums) {
        match out.iter_mut().find(|(k, _)| *k == c.category) {
            Some((_, v)) => *v += s / n,
            None => out.push((c.category.clone(), s / n)),
        }
    }
    Counts(out)
}

/// One job's results: its setup, closed form, and its columns summarised over replicas.
fn job_results(j: &JobModel, col: &JobColumns, sim: &Simulation, n: f64) -> JobResults {
    let phase = &sim.fleet.phases[j.phase];
    let sweep = interval_sweep(j, col);
    let best_interval_s =
        sweep.as_ref().and_then(|s| s.iter().max_by(|a, b| a.ettr.mean.total_cmp(&b.ettr.mean)).map(|p| p.interval_s));
    JobResults {
        name: j.name.clone(),
        phase: phase.name.clone(),
        platform: phase.platform.clone(),
        gpus: j.gpus,
        nodes: j.nodes,
        start_day: j.start.0 as f64 / US_PER_DAY as f64,
        days: j.end.min(sim.end).since(j.start).0 as f64 / US_PER_DAY as f64,
        checkpoint_interval_s: j.interval.secs(),
        checkpoint_interval_auto: j.interval_auto,
        checkpoint_write_s: j.write.secs(),
        restart_s: j.restart.secs(),
        swap_s: j.swap.secs(),
        spares: j.spares,
        mtbf_h: (j.interruptions_per_hour > 0.0).then(|| 1.0 / j.interruptions_per_hour),
        mean_detect_s: j.mean_detect_s,
        recovery_s: j.recovery_s(),
        ettr_closed_form: j.closed_form_ettr(j.interval.secs()),
        optimal_interval_s: j.optimal_interval_s(),
        ettr: Stat::of(&col.ettr).bounded(0.0, 1.0),
        availability: Stat::of(&col.availability).bounded(0.0, 1.0),
        warnings: job_warnings(j, sim),
        interruptions: Interruptions {
            unexpected: Stat::of(&col.unexpected).bounded(0.0, f64::INFINITY),
            planned: Stat::of(&col.planned).bounded(0.0, f64::INFINITY),
            by_cause: by_class(&sim.fleet.classes, &col.by_class, n),
            by_category: by_category(&sim.fleet.classes, &col.by_class, n),
        },
        gpu_hours: gpu_hours(col, j.gpus),
        checkpoints: Stat::of(&col.checkpoints).bounded(0.0, f64::INFINITY),
        interval_sweep: sweep,
        best_interval_s,
    }
}

/// What is wrong with a job's setup: drawing spares from its phase while it holds every node of
/// the phase (other jobs' nodes and reserved spares excluded), so no spare can ever exist and each
/// hardware failure waits for a repair.
fn job_warnings(j: &JobModel, sim: &Simulation) -> Vec<String> {
    let mut out = Vec::new();
    if j.spares == Spares::Phase && j.hardware_share > 0.0 {
        let phase = &sim.fleet.phases[j.phase];
        let others: u64 = sim
            .jobs
            .iter()
            .filter(|o| o.phase == j.phase && !std::ptr::eq(*o, j))
            .map(|o| {
                o.nodes as u64
                    + match o.spares {
                        Spares::Reserved(r) => r,
                        Spares::Phase => 0,
                    }
            })
            .sum();
        let idle = (phase.nodes as u64).saturating_sub(j.nodes as u64 + others);
        if idle == 0 {
            out.push(format!(
                "job `{}` holds all {} nodes of phase `{}` (none held or reserved by another job) with spares = \
                 \"phase\": no node is left to swap in, so each hardware failure waits for its repair; leave nodes \
                 idle in the phase (fewer GPUs or a larger phase) or reserve spares (spares = N)",
                j.name, j.nodes, phase.name
            ));
        }
    }
    out
}

/// A job's ETTR at each interval of its sweep (`None` without a sweep).
fn interval_sweep(j: &JobModel, col: &JobColumns) -> Option<Vec<SweepPoint>> {
    (!j.sweep.is_empty()).then(|| {
        j.sweep
            .iter()
            .zip(&col.sweep)
            .map(|(iv, e)| SweepPoint { interval_s: iv.secs(), ettr: Stat::of(e).bounded(0.0, 1.0) })
            .collect()
    })
}

/// Where a job's GPU-hours went, from its per-replica microseconds and its size.
fn gpu_hours(col: &JobColumns, gpus: u64) -> GpuHours {
    let gh = |v: &[f64]| {
        Stat::of(&v.iter().map(|&us| hours_of(us as u64, gpus)).collect::<Vec<_>>()).bounded(0.0, f64::INFINITY)
    };
    GpuHours {
        productive: gh(&col.productive),
        checkpoint: gh(&col.checkpoint),
        rework: gh(&col.rework),
        restart: gh(&col.restart),
        waiting: gh(&col.waiting),
    }
}
