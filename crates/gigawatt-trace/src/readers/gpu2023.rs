//! Alibaba GPU 2023 "openb" pod list (alibaba/clusterdata `cluster-trace-gpu-v2023/csv/
//! openb_pod_list_*.csv`): `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,
//! pod_phase,creation_time,deletion_time,scheduled_time`, times in seconds from the start of
//! the trace. A pod asks for `num_gpu` GPUs of `gpu_milli`/1000 each (GPU sharing when
//! `num_gpu` is 1 and `gpu_milli` < 1000); it is submitted at `creation_time`, starts at
//! `scheduled_time` (empty for a pod that never ran) and ends at `deletion_time`. `gpu_spec`
//! (e.g. `V100M16|V100M32`) becomes the GPU type and `qos` (LS, BE, Burstable, Guaranteed) the
//! job type.

use gigawatt_core::{InputError, SourceFile};

use crate::build::{JobRow, Row};
use crate::csvrow::{Line, read_table};
use crate::readers::helios::missing;
use crate::readers::{Run, csv_run};
use crate::value::{self, Bad};
use crate::{Format, Status, Trace};

/// Reads an openb pod list.
pub(crate) fn read(file: &SourceFile, skip_bad: bool) -> Result<Trace, InputError> {
    let format = Format::Gpu2023;
    read_table(
        file,
        format,
        skip_bad,
        |header| {
            let names = ["name", "num_gpu", "gpu_milli", "creation_time", "scheduled_time", "deletion_time"];
            let cols = header.require(file, format, names)?;
            Ok((cols, ["gpu_spec", "qos", "pod_phase"].map(|name| header.find(name))))
        },
        |line, &([name, num_gpu, milli, created, scheduled, deleted], [spec, qos, phase])| {
            let gpus = request(line, num_gpu, milli)?;
            let Some(submit_s) = line.value(created, "creation_time", value::time)? else {
                return Err(line.bad(created, missing("creation_time")));
            };
            let run = csv_run(line, (scheduled, "scheduled_time"), (deleted, "deletion_time"))?;
            if gpus == 0.0 {
                return Ok(Row::CpuOnly);
            }
            let duration_s = match run {
                Run::Ran { duration_s } => duration_s,
                Run::NoRun(reason) => return Ok(Row::Skip(reason)),
            };
            let gpu_type = line.text(spec);
            Ok(Row::Job(JobRow {
                id: line.id(Some(name)),
                submit_s,
                gpus,
                duration_s,
                user: String::new(),
                job_type: line.text(qos),
                gpu_type: if gpu_type.eq_ignore_ascii_case("nan") { String::new() } else { gpu_type },
                priority: 0,
                status: pod_status(&line.text(phase)),
            }))
        },
    )
}

/// GPUs a pod asks for: `num_gpu` × `gpu_milli`/1000.
fn request(line: &Line<'_>, num_gpu: usize, milli: usize) -> Result<f64, crate::build::RowError> {
    let n = line.value(num_gpu, "num_gpu", value::gpus)?;
    if n.fract() != 0.0 {
        let bad = Bad {
            reason: "fractional count",
            message: format!("num_gpu is {n}, not a whole number"),
            help: "num_gpu counts GPUs (0 to 8); a share of one GPU goes in gpu_milli".into(),
        };
        return Err(line.bad(num_gpu, bad));
    }
    let m = line.value(milli, "gpu_milli", |s, what| value::non_negative(s, what, 1000.0))?;
    if n > 0.0 && m == 0.0 {
        let bad = Bad {
            reason: "inconsistent GPU request",
            message: format!("gpu_milli is 0 but num_gpu is {n}"),
            help: "gpu_milli is the thousandths of each GPU the pod uses: 1000 for whole GPUs".into(),
        };
        return Err(line.bad(milli, bad));
    }
    Ok(n * m / 1000.0)
}

/// A pod's final phase.
fn pod_status(phase: &str) -> Status {
    match phase.to_ascii_lowercase().as_str() {
        "succeeded" => Status::Completed,
        "failed" => Status::Failed,
        _ => Status::Unknown,
    }
}
