//! The power of an operated build-out (`gigawatt power --operate`): instead of one simulated
//! replica's training jobs, every job of a `gigawatt operate` run — frontier stages, RL, research
//! experiments and inference blocks — from the segments its GPUs were held in the window.
//!
//! ```text
//! operate run (log window [from, to)) ─▶ segments: job, start, end, restart at its start, nodes
//! nodes ─▶ phases (a pool's node k is the k-th to come into service) ─▶ one job piece per phase
//! frontier, rl, research ─▶ square wave of the class's [[power.job]] (or the default), checkpoints
//!                           at the job's own interval
//! inference ─▶ the steady serving level
//! phases ─▶ in service along their ramps (an operated fleet grows), idle until a job holds them
//! ```
//!
//! A segment's restart (after a failure, a preemption or a re-shard) holds its GPUs at the idle
//! level; a segment that a later one of the same job follows ended by an interruption (counted as
//! a failure in the job summary), the job's last by its end or the end of the run.

use std::collections::BTreeMap;

use gigawatt_core::plan::Evaluation;
use gigawatt_core::{Catalog, Model};
use gigawatt_operate::{Class, Logged};
use gigawatt_sim::job::SegmentEnd;

use crate::inputs::{OPERATED_CLASSES, PowerSettings};
use crate::model::{JobPower, PowerModel, Segment};
use crate::results::JobResult;

/// The power model of an operated run: the plan's phases, each in service along its ramp, and
/// one job piece per logged segment and phase.
pub fn build_operated_model(
    model: &Model,
    catalog: &Catalog,
    eval: &Evaluation,
    settings: &PowerSettings,
    logged: &Logged,
) -> PowerModel {
    let p = &logged.prepared;
    let day0 = p.from.days_since_epoch();
    let secs_from = |d: gigawatt_core::date::Date| (d.days_since_epoch() - day0) as f64 * 86_400.0;
    let mut phases = crate::phases_power(model, catalog, eval, settings);
    for (ph, r) in phases.iter_mut().zip(&eval.phases) {
        ph.in_service = Some((secs_from(r.ramp_start), secs_from(r.online)));
    }
    // The last logged end of each job: a segment ending before it was interrupted.
    let mut last_end: BTreeMap<u32, u64> = BTreeMap::new();
    for s in &logged.segments {
        let e = last_end.entry(s.job).or_insert(0);
        *e = (*e).max(s.end.0);
    }
    let mut segments: Vec<&gigawatt_sched::Segment> = logged.segments.iter().collect();
    segments.sort_by_key(|s| (s.start, s.job, s.end));
    let default_interval = p.spec.checkpoint_interval_min * 60.0;
    let mut jobs = Vec::with_capacity(segments.len());
    let mut gpus_by_phase: BTreeMap<usize, u64> = BTreeMap::new();
    for seg in segments {
        let (job, tag) = (&p.streams.jobs[seg.job as usize], &p.streams.tags[seg.job as usize]);
        gpus_by_phase.clear();
        let phase_of = &p.fleet.node_phase[seg.group as usize];
        for &n in &seg.nodes {
            let phase = phase_of.get(n as usize).copied().unwrap_or(0) as usize;
            *gpus_by_phase.entry(phase).or_insert(0) += u64::from(seg.per_node.max(1));
        }
        let interval = if job.checkpoint_interval.0 > 0 { job.checkpoint_interval.secs() } else { default_interval };
        let write = tag.write.secs();
        let iteration = OPERATED_CLASSES
            .iter()
            .position(|&c| c == tag.class.name())
            .and_then(|i| settings.iterations.get(i).copied());
        let how =
            if last_end.get(&seg.job).is_some_and(|&e| e > seg.end.0) { SegmentEnd::Failure } else { SegmentEnd::End };
        let (start, end) = (seg.start.secs(), seg.end.secs());
        for (&phase, &gpus) in &gpus_by_phase {
            jobs.push(JobPower {
                name: tag.class.name().to_string(),
                phase,
                gpus,
                start,
                end,
                interval,
                write,
                step: iteration.map_or(1.0, |it| it.step_s),
                compute_share: iteration.map_or(1.0, |it| it.compute_share),
                segments: vec![Segment { start: (start + seg.overhead.secs()).min(end), end, how }],
                steady: (tag.class == Class::Inference)
                    .then(|| settings.levels.serving.unwrap_or(settings.levels.compute)),
            });
        }
    }
    PowerModel::new(phases, jobs, settings)
}

/// The job pieces of an operated run summed by class and phase over the window `[w0, w1)` (s):
/// thousands of experiments and inference blocks read as one line each. `gpus` is the mean GPUs
/// the class held in the phase over the window, the checkpoint interval and write are GPU-time
/// weighted means, and the swings are those of that many GPUs moving together, an upper bound for
/// a class of independent jobs.
pub fn summarise_jobs(pm: &PowerModel, jobs: &[JobResult], w0: f64, w1: f64) -> Vec<JobResult> {
    let span = (w1 - w0).max(1e-9);
    // Per class and phase: the summary, its GPU-seconds, and GPU-seconds × interval and × write.
    let mut out: Vec<(JobResult, f64, f64, f64)> = Vec::new();
    for (jp, jr) in pm.jobs.iter().zip(jobs) {
        let held = jp.gpus as f64 * (jp.end.min(w1) - jp.start.max(w0)).max(0.0);
        // Swings per GPU of the piece, weighted by the GPU-time it held.
        let per_gpu = |v: f64| v / jp.gpus.max(1) as f64 * held;
        let (iv, wr) = (jr.checkpoint_interval_s * held, jr.checkpoint_write_s * held);
        match out.iter_mut().find(|(x, ..)| x.name == jr.name && x.phase == jr.phase) {
            Some((x, gpu_s, i, w)) => {
                *gpu_s += held;
                *i += iv;
                *w += wr;
                x.run_segments += jr.run_segments;
                x.failures += jr.failures;
                x.iteration_swing_mw += per_gpu(jr.iteration_swing_mw);
                x.stop_drop_mw += per_gpu(jr.stop_drop_mw);
            }
            None => {
                let mut x = jr.clone();
                x.iteration_swing_mw = per_gpu(jr.iteration_swing_mw);
                x.stop_drop_mw = per_gpu(jr.stop_drop_mw);
                out.push((x, held, iv, wr));
            }
        }
    }
    out.into_iter()
        .map(|(mut x, gpu_s, interval, write)| {
            // GPU-time weighted per-GPU swings, times the mean GPUs held: the class's.
            let mean_gpus = gpu_s / span;
            if gpu_s > 0.0 {
                let per_gpu_s = |v: f64| v / gpu_s;
                x.iteration_swing_mw = per_gpu_s(x.iteration_swing_mw) * mean_gpus;
                x.stop_drop_mw = per_gpu_s(x.stop_drop_mw) * mean_gpus;
                x.checkpoint_interval_s = interval / gpu_s;
                x.checkpoint_write_s = write / gpu_s;
            }
            x.gpus = mean_gpus.round() as u64;
            x
        })
        .collect()
}

/// What an operated power run followed.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OperatedNote {
    /// Day 0 of the window: the first day operated.
    pub first_day: String,
    /// Segments of held GPUs that overlap the window.
    pub segments: u64,
    /// Jobs they belong to.
    pub jobs: u64,
}

impl OperatedNote {
    /// The note of `logged`.
    pub fn of(logged: &Logged) -> OperatedNote {
        let mut jobs: Vec<u32> = logged.segments.iter().map(|s| s.job).collect();
        jobs.sort_unstable();
        jobs.dedup();
        OperatedNote {
            first_day: logged.prepared.from.to_string(),
            segments: logged.segments.len() as u64,
            jobs: jobs.len() as u64,
        }
    }
}

/// `gigawatt power --operate` as a function: the series of the operated run `logged` over the
/// window of `options` (days from the first day operated).
pub fn power_operated(
    model: &Model,
    catalog: &Catalog,
    eval: &Evaluation,
    settings: &PowerSettings,
    options: &crate::PowerOptions,
    logged: &Logged,
) -> crate::PowerResults {
    let pm = build_operated_model(model, catalog, eval, settings, logged);
    let mut r = crate::results::compute(model, &pm, settings, options);
    r.jobs = summarise_jobs(&pm, &r.jobs, options.from_day * 86_400.0, options.to_day * 86_400.0);
    r.inputs.extend(crate::plan_records(model, catalog));
    r.operated = Some(OperatedNote::of(logged));
    r
}
