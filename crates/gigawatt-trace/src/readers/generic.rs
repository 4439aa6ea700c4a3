//! gigawatt's own job CSV, for traces from anywhere else: columns `submit_s,gpus,duration_s`
//! (seconds; `gpus` may be fractional, e.g. 0.25 for a quarter of a GPU) and optionally `id`,
//! `user`, `priority` (a whole number, higher first), `type`, `gpu_type` and `status`
//! (`completed`, `failed`, `cancelled`, `unknown`), in any order. Lines starting with `#` are
//! comments.

use gigawatt_core::{InputError, SourceFile};

use crate::build::{JobRow, Row};
use crate::csvrow::read_table;
use crate::value::{self, Bad};
use crate::{Format, Status, Trace};

/// Optional columns: id, user, priority, type, gpu_type, status.
type Optional = [Option<usize>; 6];

/// Reads a generic job CSV.
pub(crate) fn read(file: &SourceFile, skip_bad: bool) -> Result<Trace, InputError> {
    let format = Format::Generic;
    read_table(
        file,
        format,
        skip_bad,
        |header| {
            let cols = header.require(file, format, ["submit_s", "gpus", "duration_s"])?;
            let optional: Optional =
                ["id", "user", "priority", "type", "gpu_type", "status"].map(|name| header.find(name));
            Ok((cols, optional))
        },
        |line, &([submit, gpus, duration], [id, user, priority, job_type, gpu_type, status])| {
            let submit_s = line.value(submit, "submit_s", value::seconds)?;
            let gpus = line.value(gpus, "gpus", value::gpus)?;
            let duration_s = line.value(duration, "duration_s", value::seconds)?;
            let priority = match priority {
                Some(col) => line.value(col, "priority", value::priority)?,
                None => 0,
            };
            let status = match status {
                Some(col) => line.value(col, "status", parse_status)?,
                None => Status::Unknown,
            };
            if gpus == 0.0 {
                return Ok(Row::CpuOnly);
            }
            Ok(Row::Job(JobRow {
                id: line.id(id),
                submit_s,
                gpus,
                duration_s,
                user: line.text(user),
                job_type: line.text(job_type),
                gpu_type: line.text(gpu_type),
                priority,
                status,
            }))
        },
    )
}

/// A status by name; empty is `unknown`.
fn parse_status(s: &str, what: &str) -> Result<Status, Bad> {
    match value::text(s).to_ascii_lowercase().as_str() {
        "completed" => Ok(Status::Completed),
        "failed" => Ok(Status::Failed),
        "cancelled" | "canceled" => Ok(Status::Cancelled),
        "unknown" | "" => Ok(Status::Unknown),
        other => Err(Bad {
            reason: "unknown status",
            message: format!("{what} `{}` is not a status", value::shorten(other)),
            help: "a status is one of completed, failed, cancelled, unknown".into(),
        }),
    }
}
