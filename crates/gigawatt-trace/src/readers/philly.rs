//! Microsoft Philly `cluster_job_log` (msr-fiddle/philly-traces; Jeon et al., ATC'19): a JSON
//! array of jobs `{status, vc, jobid, submitted_time, user, attempts: [{start_time, end_time,
//! detail: [{ip, gpus: [...]}]}]}`, times `YYYY-MM-DD HH:MM:SS`, missing times `None` (or null).
//! A stream of job objects (one per line) reads too.
//!
//! A job's GPUs are those of its last attempt that lists any (the sum of `gpus` over its
//! `detail`); its run time is the sum over attempts of `end_time − start_time` — the time it
//! held GPUs, retries included, without the waits between attempts (queueing, which the
//! scheduler under study decides). An attempt missing a time (a logging error, says the
//! trace's README) adds nothing. A job with no attempt, or no recorded start, never ran; one
//! whose last attempt has no end was still running when the trace was cut.

use gigawatt_core::{InputError, SourceFile};

use crate::build::{JobRow, NEVER_RAN, Row, RowError, STILL_RUNNING, TraceBuilder};
use crate::json::{Elements, Node, Value};
use crate::value::{self, Bad};
use crate::{Format, Status, Trace};

/// Reads a Philly job log.
pub(crate) fn read(file: &SourceFile, skip_bad: bool) -> Result<Trace, InputError> {
    let mut builder = TraceBuilder::new(Format::Philly, file, skip_bad);
    let mut elements = Elements::new(&file.text);
    let mut number = 0;
    loop {
        let node = match elements.next_element() {
            Ok(Some(node)) => node,
            Ok(None) => break,
            Err(e) => {
                return Err(InputError::at_span(file, Some(e.at..e.at), format!("not valid JSON: {}", e.message))
                    .with_help(format!("a philly trace is a {}", Format::Philly.needs())));
            }
        };
        number += 1;
        builder.take(job(file, &node, number))?;
    }
    builder.finish(file)
}

/// One job object.
fn job(file: &SourceFile, node: &Node, number: usize) -> Result<Row, RowError> {
    if !matches!(node.value, Value::Object(_)) {
        return Err(RowError::at(file, node.span.clone(), "not a job object", format!("a job is {}", node.kind()))
            .help("each element is a job object with `jobid`, `submitted_time` and `attempts`"));
    }
    let Some(submit_s) = node.get("submitted_time").map(|t| time(file, t, "submitted_time")).transpose()?.flatten()
    else {
        let span = node.get("submitted_time").map_or(node.span.start..node.span.start + 1, |t| t.span.clone());
        return Err(RowError::at(file, span, "missing value", "the job has no submitted_time")
            .help("every job needs `submitted_time` as `YYYY-MM-DD HH:MM:SS`"));
    };
    let attempts = match node.get("attempts") {
        None => &[][..],
        Some(Node { value: Value::Null, .. }) => &[][..],
        Some(Node { value: Value::Array(items), .. }) => items.as_slice(),
        Some(other) => return Err(expected(file, other, "`attempts` as an array of attempts")),
    };
    let run = attempts_run(file, attempts)?;
    let gpus = last_gpus(file, attempts)?;
    let duration_s = match run {
        Ok(duration_s) => duration_s,
        Err(reason) => return Ok(Row::Skip(reason)),
    };
    if gpus == 0 {
        return Ok(Row::Skip("no GPUs recorded"));
    }
    let id = node.get("jobid").and_then(scalar).unwrap_or_else(|| format!("row-{number}"));
    Ok(Row::Job(JobRow {
        id,
        submit_s,
        gpus: gpus as f64,
        duration_s,
        user: node.get("user").and_then(scalar).unwrap_or_default(),
        job_type: String::new(),
        gpu_type: String::new(),
        priority: 0,
        status: status(node.get("status").and_then(scalar).as_deref().unwrap_or("")),
    }))
}

/// The summed run time of the attempts, or why there is none.
fn attempts_run(file: &SourceFile, attempts: &[Node]) -> Result<Result<f64, &'static str>, RowError> {
    let mut total = 0.0;
    let mut started = false;
    let mut last_end = None;
    for attempt in attempts {
        if !matches!(attempt.value, Value::Object(_)) {
            return Err(expected(file, attempt, "an attempt object with `start_time`, `end_time`, `detail`"));
        }
        let start = attempt.get("start_time").map(|t| time(file, t, "start_time")).transpose()?.flatten();
        let end_node = attempt.get("end_time");
        let end = end_node.map(|t| time(file, t, "end_time")).transpose()?.flatten();
        started |= start.is_some();
        last_end = end;
        if let (Some(start), Some(end), Some(end_node)) = (start, end, end_node) {
            if end < start {
                return Err(RowError::at(
                    file,
                    end_node.span.clone(),
                    "end before start",
                    "end_time is before start_time",
                )
                .label("before the attempt's start")
                .help("an attempt's end_time must not be earlier than its start_time"));
            }
            total += end - start;
        }
    }
    Ok(match (started, last_end) {
        (false, _) => Err(NEVER_RAN),
        (true, None) => Err(STILL_RUNNING),
        (true, Some(_)) => Ok(total),
    })
}

/// GPUs of the last attempt that lists any.
fn last_gpus(file: &SourceFile, attempts: &[Node]) -> Result<u64, RowError> {
    for attempt in attempts.iter().rev() {
        let detail = match attempt.get("detail") {
            None | Some(Node { value: Value::Null, .. }) => continue,
            Some(Node { value: Value::Array(items), .. }) => items,
            Some(other) => return Err(expected(file, other, "`detail` as an array of {ip, gpus}")),
        };
        let mut gpus = 0u64;
        for server in detail {
            gpus += match server.get("gpus") {
                None | Some(Node { value: Value::Null, .. }) => 0,
                Some(Node { value: Value::Array(list), .. }) => list.len() as u64,
                Some(other) => return Err(expected(file, other, "`gpus` as a list of GPU names")),
            };
        }
        if gpus > 0 {
            return Ok(gpus.min(crate::build::MAX_GPUS as u64));
        }
    }
    Ok(0)
}

/// A time: a string (`None` for missing) or a number of seconds; null is missing.
fn time(file: &SourceFile, node: &Node, what: &str) -> Result<Option<f64>, RowError> {
    let checked = match &node.value {
        Value::Null => Ok(None),
        Value::String(s) => value::time(s, what),
        Value::Number(n) => value::seconds(n, what).map(Some),
        _ => Err(Bad {
            reason: "unparsable time",
            message: format!("{what} is {}", node.kind()),
            help: format!("give {what} as a string `YYYY-MM-DD HH:MM:SS`"),
        }),
    };
    checked
        .map_err(|bad| RowError::at(file, node.span.clone(), bad.reason, bad.message).label(bad.reason).help(bad.help))
}

/// A string or number as text; `None` for anything else or a missing value.
fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) if !value::is_missing(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.clone()),
        _ => None,
    }
}

fn expected(file: &SourceFile, node: &Node, what: &str) -> RowError {
    RowError::at(file, node.span.clone(), "malformed job", format!("expected {what}, found {}", node.kind()))
        .help(format!("a philly trace is a {}", Format::Philly.needs()))
}

/// Philly's final job status.
fn status(s: &str) -> Status {
    match s {
        "Pass" => Status::Completed,
        "Killed" => Status::Cancelled,
        "Failed" => Status::Failed,
        _ => Status::Unknown,
    }
}
