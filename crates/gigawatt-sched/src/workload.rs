//! A replay as a library call: a trace and a cluster in, one result per policy out — what
//! `gigawatt replay` prints and what a sweep calls.
//!
//! The trace's jobs become the scheduler's [`Job`]s: times to the microsecond, whole GPUs.
//! A job larger than the cluster's largest group can never run: it is counted in
//! `too_large` (or, with `strict`, an error naming it). Policies run in parallel, each on its
//! own copy of the state, so the result does not depend on the thread count.

use std::collections::BTreeMap;

use gigawatt_core::InputError;
use gigawatt_sim::SimTime;
use gigawatt_trace::Trace;
use rayon::prelude::*;
use serde::Serialize;

use crate::cluster::Cluster;
use crate::engine::ReplayOptions;
use crate::failures::Failures;
use crate::job::Job;
use crate::metrics::Policies;
use crate::placement::Placement;
use crate::policy::{LasParams, PolicyContext, by_name};
use crate::spec::ClusterSource;

/// What to replay besides the trace and the cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayRequest {
    /// Policy names, in the order to report them (`fifo`, `sjf+easy`, …).
    pub policies: Vec<String>,
    /// Placement name.
    pub placement: String,
    /// Seconds a preempted job takes to checkpoint, holding its GPUs.
    pub checkpoint_s: f64,
    /// Seconds a job takes to restart after a preemption or a failure.
    pub restart_s: f64,
    /// Whether node failures hit the jobs.
    pub failures: bool,
    /// Run time between a job's checkpoints, for failures (0: a failure loses the segment).
    pub checkpoint_interval_s: f64,
    /// Seed of the failure draws.
    pub seed: u64,
    /// Error on a job larger than the cluster instead of counting it.
    pub strict: bool,
    /// Pack fractional-GPU jobs onto shared GPUs instead of rounding them up to whole GPUs.
    pub share_gpus: bool,
    /// Queue thresholds and starvation guard of the queue-based policies.
    pub las: LasParams,
}

impl Default for ReplayRequest {
    fn default() -> ReplayRequest {
        ReplayRequest {
            policies: vec!["fifo".into()],
            placement: "first-fit".into(),
            checkpoint_s: 0.0,
            restart_s: 0.0,
            failures: false,
            checkpoint_interval_s: 0.0,
            seed: 0,
            strict: false,
            share_gpus: false,
            las: LasParams::default(),
        }
    }
}

/// The trace as replayed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceSummary {
    /// File name.
    pub name: String,
    /// Format name.
    pub format: String,
    /// Jobs replayed.
    pub jobs: u64,
    /// Jobs larger than the cluster's largest group, not replayed.
    pub too_large: u64,
    /// Rows the reader did not turn into jobs, by reason.
    pub rows_skipped: BTreeMap<String, u64>,
    /// Rows that ask for no GPU.
    pub cpu_only: u64,
    /// Fractional-GPU requests rounded up to whole GPUs (0 with `--share-gpus`).
    pub fractional_rounded: u64,
    /// Fractional-GPU jobs packed onto shared GPUs (`--share-gpus`), their share rounded up to
    /// a hundredth of a GPU.
    pub fractional_shared: u64,
    /// GPU-hours the replayed jobs ask for.
    pub gpu_hours: f64,
    /// Seconds from the first arrival to the last.
    pub span_s: f64,
    /// Distinct users.
    pub users: usize,
}

/// The cluster as replayed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterSummary {
    /// Name (the scenario's or the spec's).
    pub name: String,
    /// GPUs.
    pub gpus: u64,
    /// Nodes.
    pub nodes: u64,
    /// The groups.
    pub groups: Vec<crate::cluster::NodeGroup>,
}

/// How the replay ran.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    /// Placement.
    pub placement: String,
    /// Checkpoint cost of a preemption, seconds.
    pub checkpoint_s: f64,
    /// Restart overhead, seconds.
    pub restart_s: f64,
    /// Failures per node per hour, by group (empty without failures).
    pub failures_per_node_h: Vec<f64>,
    /// Mean repair, hours, by group.
    pub repair_mean_h: Vec<f64>,
    /// Run time between checkpoints, seconds (failures only).
    pub checkpoint_interval_s: f64,
    /// Queue thresholds of las (s), tiresias and gittins (GPU-s).
    pub queue_thresholds: Vec<f64>,
    /// Starvation guard factor.
    pub starve_factor: f64,
    /// Whether fractional jobs share GPUs.
    pub share_gpus: bool,
    /// Seed.
    pub seed: u64,
}

/// A replay's result: the trace, the cluster, the settings, and one result per policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplayResult {
    /// The trace.
    pub trace: TraceSummary,
    /// The cluster.
    pub cluster: ClusterSummary,
    /// The settings.
    pub settings: Settings,
    /// One object per policy, keyed by its name, in the order asked.
    pub policies: Policies,
    /// The trace's user names (for the breakdowns and the per-job CSV; not serialised).
    #[serde(skip)]
    pub users: Vec<String>,
    /// The trace's job ids, in replay order (not serialised).
    #[serde(skip)]
    pub job_ids: Vec<String>,
}

/// A fractional request as a share of one GPU in hundredths (1–99), or `None` for whole GPUs.
fn share_of(fraction: f32) -> Option<u8> {
    (fraction > 0.0 && fraction < 1.0).then(|| ((f64::from(fraction) * 100.0).ceil() as u8).clamp(1, 99))
}

/// The trace's jobs as the scheduler takes them, and their ids; jobs that cannot fit are counted.
fn jobs_of(trace: &Trace, cluster: &Cluster, req: &ReplayRequest) -> Result<(Vec<Job>, Vec<String>, u64), InputError> {
    let strict = req.strict;
    let largest = cluster.largest_group_gpus();
    let (mut jobs, mut ids, mut too_large) = (Vec::with_capacity(trace.jobs.len()), Vec::new(), 0);
    for j in &trace.jobs {
        if u64::from(j.gpus) > largest {
            if strict {
                return Err(InputError::new(format!(
                    "job `{}` asks for {} GPUs; the cluster's largest group has {largest}",
                    j.id, j.gpus
                ))
                .with_help("use a larger cluster, or drop --strict to count such jobs and replay the rest"));
            }
            too_large += 1;
            continue;
        }
        jobs.push(Job {
            submit: SimTime::from_secs(j.submit_s),
            gpus: j.gpus.max(1),
            duration: SimTime::from_secs(j.duration_s),
            user: j.user,
            job_type: j.job_type,
            priority: j.priority,
            share: if req.share_gpus { share_of(j.gpu_fraction).unwrap_or(0) } else { 0 },
            deadline: crate::job::NO_DEADLINE,
            preemptible: true,
            checkpoint_interval: SimTime::ZERO,
            restart: None,
            after: None,
        });
        ids.push(j.id.clone());
    }
    if jobs.is_empty() {
        return Err(InputError::new(format!(
            "no job of {} fits the cluster ({largest} GPUs in its largest group)",
            trace.name
        )));
    }
    Ok((jobs, ids, too_large))
}

/// The failure model the request asks for, from the cluster's rates.
fn failures_of(source: &ClusterSource, req: &ReplayRequest) -> Result<Option<Failures>, InputError> {
    if !req.failures {
        return Ok(None);
    }
    let groups: Option<Vec<_>> = source.failures.iter().copied().collect();
    let groups = groups.ok_or_else(|| {
        InputError::new(format!("--failures needs each group's failure rate, and {} gives none", source.name))
            .with_help(
                "give failures_per_node_day and repair_hours in every [[group]] of the cluster spec, or use a scenario \
             (its reliability model gives the rates)",
            )
    })?;
    Ok(Some(Failures { groups, checkpoint_interval: SimTime::from_secs(req.checkpoint_interval_s) }))
}

/// Replays `trace` on the cluster under every policy of the request.
pub fn replay_trace(trace: &Trace, source: &ClusterSource, req: &ReplayRequest) -> Result<ReplayResult, InputError> {
    replay_trace_observed(trace, source, req, &|_| {})
}

/// [`replay_trace`], reporting the events handled as it goes, from every policy's thread.
pub fn replay_trace_observed(
    trace: &Trace,
    source: &ClusterSource,
    req: &ReplayRequest,
    on_events: &(dyn Fn(u64) + Sync),
) -> Result<ReplayResult, InputError> {
    let cluster = &source.cluster;
    let placement = Placement::by_name(&req.placement).map_err(InputError::new)?;
    let (jobs, job_ids, too_large) = jobs_of(trace, cluster, req)?;
    let shared = jobs.iter().filter(|j| j.share > 0).count() as u64;
    let ctx = PolicyContext {
        las: req.las.clone(),
        gpu_seconds: jobs.iter().map(|j| f64::from(j.gpus) * j.duration.secs()).collect(),
    };
    let specs =
        req.policies.iter().map(|p| by_name(p, &ctx).map_err(InputError::new)).collect::<Result<Vec<_>, _>>()?;
    let failures = failures_of(source, req)?;
    let opts = ReplayOptions {
        placement,
        checkpoint: SimTime::from_secs(req.checkpoint_s),
        restart: SimTime::from_secs(req.restart_s),
        failures: failures.clone(),
        seed: req.seed,
        ..ReplayOptions::default()
    };
    let results = specs
        .par_iter()
        .map(|s| crate::replay_observed(&jobs, cluster, s, &opts, &trace.users, &trace.job_types, on_events))
        .collect();
    let work: u128 = jobs.iter().map(Job::work).sum();
    Ok(ReplayResult {
        trace: TraceSummary {
            name: trace.name.clone(),
            format: trace.format.to_string(),
            jobs: jobs.len() as u64,
            too_large,
            rows_skipped: trace.skipped.clone(),
            cpu_only: trace.cpu_only,
            fractional_rounded: trace.fractional_rounded - shared.min(trace.fractional_rounded),
            fractional_shared: shared,
            gpu_hours: work as f64 / 3.6e11,
            span_s: jobs.last().map_or(0.0, |j| j.submit.secs()) - jobs.first().map_or(0.0, |j| j.submit.secs()),
            users: trace.users.len(),
        },
        cluster: ClusterSummary {
            name: source.name.clone(),
            gpus: cluster.gpus(),
            nodes: cluster.nodes(),
            groups: cluster.groups.clone(),
        },
        settings: Settings {
            placement: placement.name().to_string(),
            checkpoint_s: req.checkpoint_s,
            restart_s: req.restart_s,
            failures_per_node_h: failures.iter().flat_map(|f| f.groups.iter().map(|g| g.node_rate_per_h)).collect(),
            repair_mean_h: failures.iter().flat_map(|f| f.groups.iter().map(|g| g.repair_mean_h)).collect(),
            checkpoint_interval_s: if req.failures { req.checkpoint_interval_s } else { 0.0 },
            queue_thresholds: req.las.thresholds.clone(),
            starve_factor: req.las.starve_factor,
            share_gpus: req.share_gpus,
            seed: req.seed,
        },
        policies: Policies(results),
        users: trace.users.clone(),
        job_ids,
    })
}

/// What a replay will cost, known before it starts: memory from the jobs, the cluster and the
/// policies running at once (one per thread), and events (each job arrives and ends once; the
/// queue-based policies re-file a job at each threshold it crosses).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplayEstimate {
    /// Jobs.
    pub jobs: u64,
    /// Policies.
    pub policies: usize,
    /// Policies replayed at once.
    pub threads: usize,
    /// Nodes of the cluster.
    pub nodes: u64,
    /// Memory, bytes.
    pub memory_bytes: u64,
    /// Events over all policies (arrivals and ends; preemptions and failures come on top).
    pub events: f64,
}

/// Bytes a replay needs whatever its size: the program, the catalog, the tables.
const BASE_BYTES: u64 = 16 << 20;
/// Bytes per job held once: the trace's record (with its id) and the scheduler's job.
const TRACE_BYTES_PER_JOB: u64 = 240;
/// Bytes per job per policy running: its state, its outcome and its entries in the ordered
/// sets, measured (docs/limits.md).
const POLICY_BYTES_PER_JOB: u64 = 320;
/// Bytes per node per policy running: free count, state, index entries.
const POLICY_BYTES_PER_NODE: u64 = 48;

impl ReplayEstimate {
    /// The estimate for `jobs` on `cluster` under `policies` policies.
    pub fn of(jobs: u64, cluster: &Cluster, policies: usize) -> ReplayEstimate {
        let threads = rayon::current_num_threads().clamp(1, policies.max(1));
        let nodes = cluster.nodes();
        let per_policy = jobs * POLICY_BYTES_PER_JOB + nodes * POLICY_BYTES_PER_NODE + cluster.gpus() * 4;
        ReplayEstimate {
            jobs,
            policies,
            threads,
            nodes,
            memory_bytes: BASE_BYTES + jobs * TRACE_BYTES_PER_JOB + threads as u64 * per_policy,
            events: 2.0 * jobs as f64 * policies as f64,
        }
    }

    /// An input error when the replay would need more than `limit` bytes.
    pub fn check_memory(&self, limit: u64, limit_source: &str) -> Result<(), InputError> {
        if self.memory_bytes <= limit {
            return Ok(());
        }
        let gb = |b: u64| b as f64 / 1e9;
        Err(InputError::new(format!(
            "this replay needs about {:.1} GB of memory, more than {limit_source} ({:.1} GB): {} jobs × {} policies at \
             once, on {} nodes",
            gb(self.memory_bytes),
            gb(limit),
            self.jobs,
            self.threads,
            self.nodes
        ))
        .with_help("replay fewer policies at once (RAYON_NUM_THREADS=1), a shorter stretch of the trace, or raise the limit with --max-memory SIZE"))
    }
}
