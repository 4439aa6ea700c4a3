//! What every reader shares: a row's outcome (a job, a CPU-only row, a job with no run time, or
//! a located error), and the builder that interns names, rounds fractional GPU requests, counts
//! what it skips, and finishes the trace (earliest submit at 0, sorted, not empty).

use std::collections::{BTreeMap, HashMap};

use gigawatt_core::{InputError, SourceFile};

use crate::{Format, Status, Trace, TraceJob};

/// Largest time, in seconds, a trace may hold (about 3,170 years): beyond it a value is
/// almost surely in the wrong unit (milliseconds) or corrupt, and differences of such values
/// would lose all precision.
pub(crate) const MAX_SECONDS: f64 = 1e11;

/// Largest GPU request of one job.
pub(crate) const MAX_GPUS: f64 = 1e7;

/// Skip reasons that are counted always, bad input or not.
pub(crate) const NEVER_RAN: &str = "never ran";
/// See [`NEVER_RAN`].
pub(crate) const STILL_RUNNING: &str = "still running at the end of the trace";

/// A bad row: the reason it is counted under with `skip_bad`, and its located error.
#[derive(Debug)]
pub(crate) struct RowError {
    /// A short reason (`unparsable number`, `end before start`, …).
    pub reason: &'static str,
    /// What is wrong, where, and what would be right.
    pub error: InputError,
}

impl RowError {
    /// A bad field at `span` of `file`.
    pub fn at(
        file: &SourceFile,
        span: std::ops::Range<usize>,
        reason: &'static str,
        message: impl Into<String>,
    ) -> RowError {
        RowError { reason, error: InputError::at_span(file, Some(span), message) }
    }

    /// Adds the label shown under the field.
    pub fn label(mut self, label: impl Into<String>) -> RowError {
        self.error = self.error.with_label(label);
        self
    }

    /// Adds what would be right.
    pub fn help(mut self, help: impl Into<String>) -> RowError {
        self.error = self.error.with_help(help);
        self
    }
}

/// A job as a reader found it, before interning and rounding.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct JobRow {
    /// The trace's id, or `row-N`.
    pub id: String,
    /// Submit time in seconds on the trace's own clock (epoch or relative).
    pub submit_s: f64,
    /// GPUs asked for; may be fractional; > 0.
    pub gpus: f64,
    /// Run time in seconds, ≥ 0.
    pub duration_s: f64,
    /// User name, `""` if unknown.
    pub user: String,
    /// Job type, `""` if none.
    pub job_type: String,
    /// GPU type, `""` if any.
    pub gpu_type: String,
    /// Priority, 0 if none.
    pub priority: i32,
    /// Final status.
    pub status: Status,
}

/// What one row of a trace turned out to be.
#[derive(Debug)]
pub(crate) enum Row {
    /// A GPU job.
    Job(JobRow),
    /// A row that asks for no GPU.
    CpuOnly,
    /// A row that is not a job to replay though nothing in it is wrong — it has no run time
    /// ([`NEVER_RAN`], [`STILL_RUNNING`]) or the PAI tables do not join it — counted under
    /// this reason always.
    Skip(&'static str),
}

/// Interned names: each distinct string once, indexed by `u32`.
#[derive(Default)]
struct Interner {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    fn get(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Collects a reader's rows into a [`Trace`].
pub(crate) struct TraceBuilder {
    format: Format,
    name: String,
    skip_bad: bool,
    jobs: Vec<TraceJob>,
    users: Interner,
    job_types: Interner,
    gpu_types: Interner,
    fractional_rounded: u64,
    skipped: BTreeMap<String, u64>,
    cpu_only: u64,
}

impl TraceBuilder {
    /// An empty trace of `format` read from `file`.
    pub fn new(format: Format, file: &SourceFile, skip_bad: bool) -> TraceBuilder {
        TraceBuilder {
            format,
            name: file.name.clone(),
            skip_bad,
            jobs: Vec::new(),
            users: Interner::default(),
            job_types: Interner::default(),
            gpu_types: Interner::default(),
            fractional_rounded: 0,
            skipped: BTreeMap::new(),
            cpu_only: 0,
        }
    }

    /// Takes one row's outcome: a bad row fails the read, or with `skip_bad` is counted.
    pub fn take(&mut self, row: Result<Row, RowError>) -> Result<(), InputError> {
        match row {
            Ok(Row::Job(job)) => self.push(job),
            Ok(Row::CpuOnly) => self.cpu_only += 1,
            Ok(Row::Skip(reason)) => self.skip(reason, 1),
            Err(e) if self.skip_bad => self.skip(e.reason, 1),
            Err(e) => return Err(e.error),
        }
        Ok(())
    }

    /// Counts `n` rows skipped for `reason`.
    pub fn skip(&mut self, reason: &str, n: u64) {
        if n > 0 {
            *self.skipped.entry(reason.to_string()).or_default() += n;
        }
    }

    fn push(&mut self, row: JobRow) {
        let (gpus, gpu_fraction) = whole_gpus(row.gpus);
        if gpu_fraction > 0.0 {
            self.fractional_rounded += 1;
        }
        let job = TraceJob {
            id: row.id,
            submit_s: row.submit_s,
            gpus,
            gpu_fraction,
            duration_s: row.duration_s,
            user: self.users.get(&row.user),
            job_type: self.job_types.get(&row.job_type),
            gpu_type: self.gpu_types.get(&row.gpu_type),
            priority: row.priority,
            status: row.status,
        };
        self.jobs.push(job);
    }

    /// The trace: submit times shifted so that the earliest is 0, jobs sorted by submit time
    /// (ties keep file order). A trace with no job is an error that says what was found instead.
    pub fn finish(self, file: &SourceFile) -> Result<Trace, InputError> {
        let mut jobs = self.jobs;
        if jobs.is_empty() {
            return Err(empty_trace(file, self.format, self.cpu_only, &self.skipped));
        }
        let first = jobs.iter().map(|j| j.submit_s).fold(f64::INFINITY, f64::min);
        for job in &mut jobs {
            job.submit_s -= first;
        }
        jobs.sort_by(|a, b| a.submit_s.total_cmp(&b.submit_s));
        Ok(Trace {
            format: self.format,
            name: self.name,
            jobs,
            users: self.users.names,
            job_types: self.job_types.names,
            gpu_types: self.gpu_types.names,
            fractional_rounded: self.fractional_rounded,
            skipped: self.skipped,
            cpu_only: self.cpu_only,
        })
    }
}

/// Whole GPUs for a request of `gpus` (> 0), and the request itself when it was fractional.
pub(crate) fn whole_gpus(gpus: f64) -> (u32, f32) {
    let whole = gpus.ceil().clamp(1.0, MAX_GPUS);
    if whole == gpus { (whole as u32, 0.0) } else { (whole as u32, gpus as f32) }
}

fn empty_trace(file: &SourceFile, format: Format, cpu_only: u64, skipped: &BTreeMap<String, u64>) -> InputError {
    let mut found: Vec<String> = Vec::new();
    if cpu_only > 0 {
        found.push(format!("{cpu_only} CPU-only"));
    }
    found.extend(skipped.iter().map(|(reason, n)| format!("{n} {reason}")));
    let message = if found.is_empty() {
        format!("no jobs in this {} trace", format.name())
    } else {
        format!("no GPU jobs in this {} trace ({})", format.name(), found.join(", "))
    };
    InputError::at_span(file, None, message).with_help(format!("a {} trace is a {}", format.name(), format.needs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_requests_round_up_and_keep_the_request() {
        assert_eq!(whole_gpus(0.25), (1, 0.25));
        assert_eq!(whole_gpus(1.5), (2, 1.5));
        assert_eq!(whole_gpus(8.0), (8, 0.0));
    }
}
