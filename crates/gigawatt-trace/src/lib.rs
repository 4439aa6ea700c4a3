//! # gigawatt-trace
//!
//! Job streams for the scheduler: readers for public GPU-cluster job traces, and a synthetic
//! job generator. Each reader turns one published trace layout into the same [`Trace`]: a list
//! of [`TraceJob`]s sorted by submission, each with its submit time, whole GPUs, run time, user,
//! job type, GPU type, priority and final status.
//!
//! ```text
//! Tiresias CSV ─┐
//! Philly JSON ──┤
//! Helios / AcmeTrace CSV ─┤                        ┌─▶ gigawatt replay (gigawatt-sched)
//! PAI 2020 job + task tables ─┼─ read_trace / load_trace ─▶ Trace ─┤
//! GPU 2023 pod list ─┤                             └─▶ Arrivals::resample (inter-arrival gaps)
//! generic CSV ──┘
//! Synthetic spec (TOML) ─── generate(spec, seed) ─▶ Trace
//! ```
//!
//! * [`read_trace`] — one file's text (a [`SourceFile`]) → [`Trace`]; pure, never panics.
//! * [`read_pai`] — the two tables of the Alibaba PAI 2020 trace → [`Trace`].
//! * [`load_trace`] — the I/O edge: a path (a file, or the PAI directory) → [`Trace`].
//! * [`detect`] — which [`Format`] a file is in, from its first bytes and header.
//! * [`synthetic`] — the [`Synthetic`] spec and [`generate`].
//!
//! Every bad row is an [`InputError`] that points at the offending field (file:line:column),
//! says what is wrong and what would be right; with [`ReadOptions::skip_bad`] such rows are
//! skipped and counted by reason in [`Trace::skipped`] instead. Rows that are not jobs for a
//! GPU scheduler are never dropped silently: CPU-only rows are counted in [`Trace::cpu_only`],
//! and jobs with no run time (they never started, or were still running when the trace was
//! cut) are counted in [`Trace::skipped`] always. The formats, and how each field maps to a
//! [`TraceJob`], are documented in `docs/traces.md`.

#![warn(missing_docs)]

mod build;
mod csvrow;
mod detect;
mod format;
mod json;
mod load;
mod readers;
pub mod synthetic;
mod value;

use std::collections::BTreeMap;

pub use gigawatt_core::{InputError, SourceFile};
use serde::Serialize;

pub use detect::detect;
pub use format::Format;
pub use load::{PAI_JOB_TABLE, PAI_TASK_TABLE, load_trace};
pub use readers::pai::read_pai;
pub use synthetic::{Arrivals, Durations, Synthetic, generate};

/// A job trace: the jobs of one cluster, as the scheduler replays them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// Which reader produced it ([`Format::Generic`] for a synthetic trace).
    pub format: Format,
    /// The file name (for a synthetic trace, `synthetic (seed N)`).
    pub name: String,
    /// The jobs, sorted by `submit_s` (stable: ties keep file order).
    pub jobs: Vec<TraceJob>,
    /// Interned user names; [`TraceJob::user`] indexes here (`""` = unknown).
    pub users: Vec<String>,
    /// Interned job types (AcmeTrace `type`, Tiresias `model_name`, …; `""` = none).
    pub job_types: Vec<String>,
    /// Interned GPU types (PAI `gpu_type`, GPU 2023 `gpu_spec`; `""` = any).
    pub gpu_types: Vec<String>,
    /// Jobs whose fractional-GPU request was rounded up to whole GPUs.
    pub fractional_rounded: u64,
    /// Rows (or jobs) not turned into jobs, by reason: with [`ReadOptions::skip_bad`] the bad
    /// rows; always the jobs with no run time (`never ran`, `still running at the end of the
    /// trace`) and, for PAI, jobs and tasks that the two tables do not join.
    pub skipped: BTreeMap<String, u64>,
    /// Rows that ask for no GPU: not jobs for a GPU scheduler, counted here, never dropped
    /// silently.
    pub cpu_only: u64,
}

/// One job of a trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceJob {
    /// The trace's job id (or `row-N`, N counting data rows from 1, when the trace has none).
    pub id: String,
    /// Seconds since the earliest submit in the trace (so the first job arrives at 0).
    pub submit_s: f64,
    /// Whole GPUs (a fractional request rounded up, at least 1).
    pub gpus: u32,
    /// The original request in GPUs when it was fractional (e.g. 0.25), else 0.0 — for
    /// GPU sharing.
    pub gpu_fraction: f32,
    /// Run time on its GPUs, from the trace: end − start of the run, not including queueing.
    pub duration_s: f64,
    /// Index into [`Trace::users`].
    pub user: u32,
    /// Index into [`Trace::job_types`].
    pub job_type: u32,
    /// Index into [`Trace::gpu_types`].
    pub gpu_type: u32,
    /// Priority; 0 unless the format has one (higher is more important).
    pub priority: i32,
    /// How the job ended, as the trace says (a scheduler replays the run time either way).
    pub status: Status,
}

/// How a job ended, as the trace says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It finished successfully (Philly `Pass`, Slurm `COMPLETED`, PAI `Terminated`, pod
    /// `Succeeded`).
    Completed,
    /// It ended in an error (`FAILED`, `TIMEOUT`, `NODE_FAIL`, `OUT_OF_MEMORY`, pod `Failed`).
    Failed,
    /// It was stopped by its user or an operator (Philly `Killed`, Slurm `CANCELLED`).
    Cancelled,
    /// The trace does not say (Tiresias), or says something else (a pod deleted while
    /// `Running`).
    Unknown,
}

impl Status {
    /// The status's name in output: `completed`, `failed`, `cancelled`, `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::Unknown => "unknown",
        }
    }
}

/// How to read a trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The trace's format; `None` detects it from the file's first bytes and header.
    pub format: Option<Format>,
    /// Skip bad rows and count them by reason in [`Trace::skipped`], instead of failing on the
    /// first one.
    pub skip_bad: bool,
}

/// Reads one trace file.
///
/// The format is `options.format`, or detected from the first bytes and header ([`detect`]).
/// The Alibaba PAI 2020 trace is two tables: read it with [`read_pai`] or [`load_trace`]; given
/// here, it is an error that says so. Never panics, whatever the text.
pub fn read_trace(file: &SourceFile, options: &ReadOptions) -> Result<Trace, InputError> {
    let format = match options.format {
        Some(format) => format,
        None => detect(file)?,
    };
    match format {
        Format::Tiresias => readers::tiresias::read(file, options.skip_bad),
        Format::Philly => readers::philly::read(file, options.skip_bad),
        Format::Helios => readers::helios::read(file, options.skip_bad),
        Format::Gpu2023 => readers::gpu2023::read(file, options.skip_bad),
        Format::Generic => readers::generic::read(file, options.skip_bad),
        Format::PaiJob => Err(readers::pai::needs_task_table(file)),
    }
}
