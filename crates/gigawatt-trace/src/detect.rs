//! Which format a trace file is in, from its first bytes and its header row.

use gigawatt_core::{InputError, SourceFile};

use crate::Format;
use crate::csvrow::{Columns, Table};
use crate::load::{PAI_JOB_TABLE, PAI_TASK_TABLE};
use crate::readers::pai::{JOB_COLUMNS, TASK_COLUMNS};
use crate::value;

/// The format of `file`: JSON (`[` or `{` first) is Philly; a CSV is recognised by the column
/// names of its header, and a header-less CSV of six columns whose fifth and sixth are numbers
/// by the PAI 2020 job table's layout. Anything else is an error that lists the formats and
/// the columns each needs.
pub fn detect(file: &SourceFile) -> Result<Format, InputError> {
    let text = file.text.trim_start_matches('\u{feff}').trim_start();
    if text.is_empty() {
        return Err(InputError::at_span(file, None, "the trace file is empty")
            .with_help(format!("the trace formats are:\n{}", Format::list())));
    }
    if text.starts_with(['[', '{']) {
        return Ok(Format::Philly);
    }
    let mut table = Table::new(file, true);
    let Some(header) = table.header()? else {
        return Err(InputError::at_span(file, None, "the trace file has no rows"));
    };
    by_columns(&header).ok_or_else(|| unknown(file, &header))
}

fn by_columns(header: &Columns) -> Option<Format> {
    let format = if header.has_all(&["submit_s", "gpus", "duration_s"]) {
        Format::Generic
    } else if header.has_all(&["job_id", "num_gpu", "submit_time", "duration"]) {
        Format::Tiresias
    } else if header.has_all(&["gpu_num", "submit_time", "start_time", "end_time"]) {
        Format::Helios
    } else if header.has_all(&["num_gpu", "gpu_milli", "creation_time"]) {
        Format::Gpu2023
    } else if header.has_all(&["job_name", "inst_id"]) || looks_like(header, &JOB_COLUMNS, &[4, 5]) {
        Format::PaiJob
    } else {
        return None;
    };
    Some(format)
}

/// Whether a header-less row has `columns.len()` fields, the first not empty and those at
/// `numeric` numbers (or empty).
fn looks_like(row: &Columns, columns: &[&str], numeric: &[usize]) -> bool {
    row.names.len() == columns.len()
        && !row.names[0].is_empty()
        && numeric.iter().all(|&i| value::is_missing(&row.names[i]) || row.names[i].parse::<f64>().is_ok())
}

fn unknown(file: &SourceFile, header: &Columns) -> InputError {
    let task_table = header.has_all(&["job_name", "plan_gpu"]) || looks_like(header, &TASK_COLUMNS, &[4, 5, 8]);
    let formats = format!("the trace formats are:\n{}", Format::list());
    let (message, help) = if task_table {
        (
            format!("this looks like the PAI 2020 task table ({PAI_TASK_TABLE}); the trace is read from its job table"),
            format!(
                "give the job table {PAI_JOB_TABLE} with {PAI_TASK_TABLE} beside it, or their directory; {formats}"
            ),
        )
    } else {
        let help = format!("name the format explicitly if the header was renamed; {formats}");
        ("cannot tell which trace format this is from its first row".to_string(), help)
    };
    InputError::at_span(file, Some(header.span.clone()), message).with_label("not a known header").with_help(help)
}
