//! The I/O edge: a trace named by a path — one file, or for the PAI 2020 trace its directory or
//! its job table with the task table beside it.

use std::path::{Path, PathBuf};

use gigawatt_core::{InputError, SourceFile};

use crate::readers::pai::needs_task_table;
use crate::{Format, ReadOptions, Trace, detect, read_pai, read_trace};

/// The PAI 2020 job table's file name as released.
pub const PAI_JOB_TABLE: &str = "pai_job_table.csv";
/// The PAI 2020 task table's file name as released.
pub const PAI_TASK_TABLE: &str = "pai_task_table.csv";

/// Reads the trace at `path`.
///
/// * A directory is the PAI 2020 trace: it must hold [`PAI_JOB_TABLE`] and [`PAI_TASK_TABLE`].
/// * A file in the PAI 2020 format (given or detected) is its job table; the task table is
///   the file of the same name with `job_table` replaced by `task_table`, or else
///   [`PAI_TASK_TABLE`], in the same directory.
/// * Any other file is read by [`read_trace`].
pub fn load_trace(path: &Path, options: &ReadOptions) -> Result<Trace, InputError> {
    if path.is_dir() {
        if let Some(format) = options.format.filter(|&f| f != Format::PaiJob) {
            return Err(InputError::new(format!(
                "{} is a directory, but a {format} trace is one file; only the PAI 2020 trace is read from a directory",
                path.display()
            )));
        }
        let (jobs, tasks) = (path.join(PAI_JOB_TABLE), path.join(PAI_TASK_TABLE));
        if !jobs.is_file() || !tasks.is_file() {
            return Err(InputError::new(format!(
                "{} is a directory, read as the Alibaba PAI 2020 trace, but it does not hold {PAI_JOB_TABLE} and \
                 {PAI_TASK_TABLE}",
                path.display()
            ))
            .with_help("give a trace file, or the directory that holds both PAI 2020 tables"));
        }
        return read_pai(&read_file(&jobs)?, &read_file(&tasks)?, options);
    }
    let file = read_file(path)?;
    let format = match options.format {
        Some(format) => format,
        None => detect(&file)?,
    };
    if format != Format::PaiJob {
        return read_trace(&file, &ReadOptions { format: Some(format), ..options.clone() });
    }
    let tasks = task_table_beside(path).ok_or_else(|| needs_task_table(&file))?;
    read_pai(&file, &read_file(&tasks)?, options)
}

/// The task table that goes with the job table at `jobs`, if it exists.
fn task_table_beside(jobs: &Path) -> Option<PathBuf> {
    let dir = jobs.parent().unwrap_or(Path::new(""));
    let name = jobs.file_name()?.to_string_lossy();
    let renamed = name.contains("job_table").then(|| dir.join(name.replace("job_table", "task_table")));
    renamed.into_iter().chain([dir.join(PAI_TASK_TABLE)]).find(|p| p.is_file() && p != jobs)
}

/// A file's text, invalid UTF-8 replaced (the published traces are ASCII).
pub(crate) fn read_file(path: &Path) -> Result<SourceFile, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::new(format!("cannot read {}: {e}", path.display())))?;
    Ok(SourceFile::new(path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()))
}
