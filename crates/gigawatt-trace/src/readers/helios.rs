//! SenseTime Helios `cluster_log.csv` (S-Lab-System-Group/HeliosData) and the AcmeTrace CSVs
//! of the same family (InternLM/AcmeTrace `trace_seren.csv`, `trace_kalos.csv`):
//! `job_id,user,(vc,)gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue`,
//! AcmeTrace adding `type,gpu_time` (Kalos also `fail_time,stop_time`). Columns are found by
//! name, so any of these layouts reads. Times are `YYYY-MM-DD HH:MM:SS`, AcmeTrace's with a UTC
//! offset. The run time is `end_time − start_time` (the trace's own `duration` column is that
//! difference); a job with no start time never ran. `type` becomes the job type; `vc` is not
//! used.

use gigawatt_core::{InputError, SourceFile};

use crate::build::{JobRow, Row};
use crate::csvrow::read_table;
use crate::readers::{Run, csv_run};
use crate::{Format, Status, Trace, value};

/// Optional columns: job id, user, state, type.
type Optional = [Option<usize>; 4];

/// Reads a Helios or AcmeTrace job CSV.
pub(crate) fn read(file: &SourceFile, skip_bad: bool) -> Result<Trace, InputError> {
    let format = Format::Helios;
    read_table(
        file,
        format,
        skip_bad,
        |header| {
            let cols = header.require(file, format, ["gpu_num", "submit_time", "start_time", "end_time"])?;
            let optional: Optional = ["job_id", "user", "state", "type"].map(|name| header.find(name));
            Ok((cols, optional))
        },
        |line, &([gpus, submit, start, end], [id, user, state, job_type])| {
            let gpus = line.value(gpus, "gpu_num", value::gpus)?;
            let submit_s = line.value(submit, "submit_time", value::time)?;
            let Some(submit_s) = submit_s else {
                return Err(line.bad(submit, missing("submit_time")));
            };
            let run = csv_run(line, (start, "start_time"), (end, "end_time"))?;
            if gpus == 0.0 {
                return Ok(Row::CpuOnly);
            }
            let duration_s = match run {
                Run::Ran { duration_s } => duration_s,
                Run::NoRun(reason) => return Ok(Row::Skip(reason)),
            };
            Ok(Row::Job(JobRow {
                id: line.id(id),
                submit_s,
                gpus,
                duration_s,
                user: line.text(user),
                job_type: line.text(job_type),
                gpu_type: String::new(),
                priority: 0,
                status: slurm_status(&line.text(state)),
            }))
        },
    )
}

/// A missing time that every job has.
pub(crate) fn missing(what: &str) -> value::Bad {
    value::Bad {
        reason: "missing value",
        message: format!("{what} is missing"),
        help: format!("every job needs {what}, as `YYYY-MM-DD HH:MM:SS` or seconds"),
    }
}

/// A Slurm job state as Helios and AcmeTrace write it.
pub(crate) fn slurm_status(state: &str) -> Status {
    let state = state.to_ascii_uppercase();
    match state.as_str() {
        "COMPLETED" => Status::Completed,
        "FAILED" | "TIMEOUT" | "NODE_FAIL" | "OUT_OF_MEMORY" | "BOOT_FAIL" | "DEADLINE" => Status::Failed,
        _ if state.starts_with("CANCELLED") => Status::Cancelled,
        _ => Status::Unknown,
    }
}
