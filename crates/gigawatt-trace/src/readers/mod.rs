//! One module per trace format; each turns its rows into [`crate::build::Row`]s.

pub(crate) mod generic;
pub(crate) mod gpu2023;
pub(crate) mod helios;
pub(crate) mod pai;
pub(crate) mod philly;
pub(crate) mod tiresias;

use crate::build::{NEVER_RAN, RowError, STILL_RUNNING};
use crate::csvrow::Line;
use crate::value;

/// A job's run, from its start and end times.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Run {
    /// It ran for `duration_s` seconds.
    Ran {
        /// Run time in seconds.
        duration_s: f64,
    },
    /// It has no run time, for this reason (counted always).
    NoRun(&'static str),
}

/// The run of a CSV row whose columns `start` and `end` hold its start and end times: no start
/// means it never ran, no end that it was still running; an end before the start is an error
/// at the end time.
pub(crate) fn csv_run(
    line: &Line<'_>,
    (start, start_name): (usize, &str),
    (end, end_name): (usize, &str),
) -> Result<Run, RowError> {
    let start_s = line.value(start, start_name, value::time)?;
    let end_s = line.value(end, end_name, value::time)?;
    let (Some(start_s), Some(end_s)) = (start_s, end_s) else {
        return Ok(Run::NoRun(if start_s.is_none() { NEVER_RAN } else { STILL_RUNNING }));
    };
    if end_s < start_s {
        let message = format!("{end_name} is {} s before {start_name}", start_s - end_s);
        return Err(RowError::at(line.file, line.span(end), "end before start", message)
            .label("before the start")
            .help(format!("{end_name} must not be earlier than {start_name} ({})", line.get(start))));
    }
    Ok(Run::Ran { duration_s: end_s - start_s })
}
