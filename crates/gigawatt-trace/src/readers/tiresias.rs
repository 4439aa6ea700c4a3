//! The Tiresias simulator's job CSV (SymbioticLab/Tiresias, `simulator/*_job.csv`):
//! `job_id,num_gpu,submit_time,iterations,model_name,duration,interval`, times in seconds from
//! the start of the trace. `model_name` becomes the job type; there is no user or status.

use gigawatt_core::{InputError, SourceFile};

use crate::build::{JobRow, Row};
use crate::csvrow::read_table;
use crate::{Format, Status, Trace, value};

/// Reads a Tiresias job CSV.
pub(crate) fn read(file: &SourceFile, skip_bad: bool) -> Result<Trace, InputError> {
    let format = Format::Tiresias;
    read_table(
        file,
        format,
        skip_bad,
        |header| {
            let cols = header.require(file, format, ["job_id", "num_gpu", "submit_time", "duration"])?;
            Ok((cols, header.find("model_name")))
        },
        |line, &([id, gpus, submit, duration], model)| {
            let gpus = line.value(gpus, "num_gpu", value::gpus)?;
            let submit_s = line.value(submit, "submit_time", value::seconds)?;
            let duration_s = line.value(duration, "duration", value::seconds)?;
            if gpus == 0.0 {
                return Ok(Row::CpuOnly);
            }
            Ok(Row::Job(JobRow {
                id: line.id(Some(id)),
                submit_s,
                gpus,
                duration_s,
                user: String::new(),
                job_type: line.text(model),
                gpu_type: String::new(),
                priority: 0,
                status: Status::Unknown,
            }))
        },
    )
}
