//! Alibaba PAI 2020 (alibaba/clusterdata `cluster-trace-gpu-v2020`; Weng et al., NSDI'22): two
//! tables joined on `job_name`. The released CSVs have no header row (the column names are in
//! separate `.header` files); a header row, if present, is recognised and used.
//!
//! * `pai_job_table.csv`: `job_name,inst_id,user,status,start_time,end_time` — `start_time` is
//!   the job's submission.
//! * `pai_task_table.csv`: `job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,
//!   plan_mem,plan_gpu,gpu_type` — one row per task (role: worker, ps, …) with `inst_num`
//!   instances each asking for `plan_gpu` percent of one GPU.
//!
//! A job's GPUs are Σ over its tasks of `inst_num × plan_gpu / 100` (fractional requests are
//! rounded up and counted); it runs from its earliest task start to its latest task end. Times
//! are seconds; a task time of 0 or empty means "not yet" (the trace's own analysis treats it
//! so). The job type and GPU type are the `task_name` and `gpu_type` of the task asking for the
//! most GPUs. Jobs with no task row, duplicate jobs and task rows with no job are counted in
//! `skipped`, never dropped silently; with `skip_bad` a bad task row is counted under
//! `task table: …` and its job is skipped too, since its GPU count would be wrong.

use std::collections::{HashMap, HashSet};

use gigawatt_core::{InputError, SourceFile};

use crate::build::{JobRow, NEVER_RAN, Row, RowError, STILL_RUNNING, TraceBuilder};
use crate::csvrow::{Line, Table};
use crate::load::{PAI_JOB_TABLE, PAI_TASK_TABLE};
use crate::readers::helios::missing;
use crate::value::{self, Bad};
use crate::{Format, ReadOptions, Status, Trace};

/// Column names of the job table, in the released order.
pub(crate) const JOB_COLUMNS: [&str; 6] = ["job_name", "inst_id", "user", "status", "start_time", "end_time"];
/// Column names of the task table, in the released order.
pub(crate) const TASK_COLUMNS: [&str; 10] = [
    "job_name",
    "task_name",
    "inst_num",
    "status",
    "start_time",
    "end_time",
    "plan_cpu",
    "plan_mem",
    "plan_gpu",
    "gpu_type",
];

/// Reads the PAI 2020 trace from its job table and task table.
pub fn read_pai(jobs: &SourceFile, tasks: &SourceFile, options: &ReadOptions) -> Result<Trace, InputError> {
    let mut builder = TraceBuilder::new(Format::PaiJob, jobs, options.skip_bad);
    let mut tasks = read_tasks(tasks, options.skip_bad, &mut builder)?;
    let cols = columns(jobs, &JOB_COLUMNS)?;
    let at = (need(jobs, &cols, &JOB_COLUMNS, 0)?, need(jobs, &cols, &JOB_COLUMNS, 4)?);
    let mut seen = HashSet::new();
    let mut table = Table::new(jobs, false);
    if cols.header {
        table.header()?;
    }
    while let Some(line) = table.next_line()? {
        let outcome = line.check_width(cols.width).and_then(|()| job(&line, at, &cols.index, &mut tasks, &mut seen));
        builder.take(outcome)?;
    }
    let orphans: u64 = tasks.values().map(|t| t.rows).sum();
    builder.skip("task rows with no job in the job table", orphans);
    builder.finish(jobs)
}

/// The error for a PAI job table given alone.
pub(crate) fn needs_task_table(file: &SourceFile) -> InputError {
    InputError::at_span(file, None, "the Alibaba PAI 2020 trace is two tables, and only one was given").with_help(format!(
        "give the directory that holds {PAI_JOB_TABLE} and {PAI_TASK_TABLE}, or the job table with {PAI_TASK_TABLE} beside it"
    ))
}

/// Where a table's columns are: named by its header row, or in the released order.
struct Cols {
    header: bool,
    /// The header row's span, when there is one.
    span: std::ops::Range<usize>,
    width: usize,
    /// Index of each of the released columns, `None` when a header row lacks it.
    index: Vec<Option<usize>>,
}

fn columns(file: &SourceFile, names: &[&str]) -> Result<Cols, InputError> {
    let mut table = Table::new(file, false);
    let positional =
        Cols { header: false, span: 0..0, width: names.len(), index: (0..names.len()).map(Some).collect() };
    let Some(header) = table.header()? else { return Ok(positional) };
    if header.find("job_name").is_none() {
        return Ok(positional);
    }
    let index: Vec<Option<usize>> = names.iter().map(|n| header.find(n)).collect();
    Ok(Cols { header: true, span: header.span, width: header.names.len(), index })
}

/// A column the table must have.
fn need(file: &SourceFile, cols: &Cols, names: &[&str], i: usize) -> Result<usize, InputError> {
    cols.index[i].ok_or_else(|| {
        let message = format!("the header has no column `{}`", names[i]);
        InputError::at_span(file, Some(cols.span.clone()), message)
            .with_help(format!("the columns are {} (the released files have no header row)", names.join(",")))
    })
}

/// The tasks of one job, summed.
#[derive(Default)]
struct Tasks {
    gpus: f64,
    start: Option<f64>,
    end: Option<f64>,
    unfinished: bool,
    /// GPUs, task name and GPU type of the task asking for the most GPUs.
    main: (f64, String, String),
    rows: u64,
    bad: bool,
}

fn read_tasks(
    file: &SourceFile,
    skip_bad: bool,
    builder: &mut TraceBuilder,
) -> Result<HashMap<String, Tasks>, InputError> {
    let cols = columns(file, &TASK_COLUMNS)?;
    let [name, inst, start, end, gpu] = [0, 2, 4, 5, 8].map(|i| need(file, &cols, &TASK_COLUMNS, i));
    let at = [name?, inst?, start?, end?, gpu?];
    let (task_name, gpu_type) = (cols.index[1], cols.index[9]);
    let mut tasks: HashMap<String, Tasks> = HashMap::new();
    let mut table = Table::new(file, false);
    if cols.header {
        table.header()?;
    }
    while let Some(line) = table.next_line()? {
        let job_name = value::text(line.get(at[0])).to_string();
        let outcome = line.check_width(cols.width).and_then(|()| task(&line, at));
        match outcome {
            Ok(t) => add(tasks.entry(job_name).or_default(), t, line.text(task_name), line.text(gpu_type)),
            Err(e) if skip_bad => {
                builder.skip(&format!("task table: {}", e.reason), 1);
                if !job_name.is_empty() {
                    tasks.entry(job_name).or_default().bad = true;
                }
            }
            Err(e) => return Err(e.error),
        }
    }
    Ok(tasks)
}

/// One task row: its GPUs and its start and end (`None` when not yet).
struct Task {
    gpus: f64,
    start: Option<f64>,
    end: Option<f64>,
}

fn task(line: &Line<'_>, [name, inst, start, end, gpu]: [usize; 5]) -> Result<Task, RowError> {
    if value::text(line.get(name)).is_empty() {
        return Err(line.bad(name, missing_name()));
    }
    let instances = line.value(inst, "inst_num", value::gpus)?;
    let percent =
        line.value(
            gpu,
            "plan_gpu",
            |s, what| {
                if value::is_missing(s) { Ok(0.0) } else { value::non_negative(s, what, 1e9) }
            },
        )?;
    let not_zero = |t: Option<f64>| t.filter(|&t| t > 0.0);
    let start_s = not_zero(line.value(start, "start_time", value::time)?);
    let end_s = not_zero(line.value(end, "end_time", value::time)?);
    if let (Some(s), Some(e)) = (start_s, end_s)
        && e < s
    {
        let message = format!("end_time is {} s before start_time", s - e);
        return Err(RowError::at(line.file, line.span(end), "end before start", message)
            .label("before the start")
            .help("a task's end_time must not be earlier than its start_time"));
    }
    let gpus = (instances * percent / 100.0).min(crate::build::MAX_GPUS);
    Ok(Task { gpus, start: start_s, end: end_s })
}

fn add(sum: &mut Tasks, task: Task, name: String, gpu_type: String) {
    sum.rows += 1;
    sum.gpus = (sum.gpus + task.gpus).min(crate::build::MAX_GPUS);
    if task.gpus > sum.main.0 || sum.rows == 1 {
        sum.main = (task.gpus, name, gpu_type);
    }
    if let Some(start) = task.start {
        sum.start = Some(sum.start.map_or(start, |s: f64| s.min(start)));
        if task.end.is_none() {
            sum.unfinished = true;
        }
    }
    if let Some(end) = task.end {
        sum.end = Some(sum.end.map_or(end, |e: f64| e.max(end)));
    }
}

fn missing_name() -> Bad {
    Bad {
        reason: "missing value",
        message: "job_name is missing".into(),
        help: "every row names its job in the first column, job_name".into(),
    }
}

/// One row of the job table, joined with its tasks.
fn job(
    line: &Line<'_>,
    (name, submit): (usize, usize),
    index: &[Option<usize>],
    tasks: &mut HashMap<String, Tasks>,
    seen: &mut HashSet<String>,
) -> Result<Row, RowError> {
    let job_name = value::text(line.get(name)).to_string();
    if job_name.is_empty() {
        return Err(line.bad(name, missing_name()));
    }
    // The job's tasks are taken first, so that a bad job row does not leave them behind as
    // tasks without a job.
    let sum = tasks.remove(&job_name);
    let Some(submit_s) = line.value(submit, "start_time (the submission)", value::time)? else {
        return Err(line.bad(submit, missing("start_time (the submission)")));
    };
    let Some(sum) = sum else {
        let reason = if seen.contains(&job_name) { "duplicate job_name" } else { "no task in the task table" };
        return Ok(Row::Skip(reason));
    };
    seen.insert(job_name.clone());
    if sum.bad {
        return Ok(Row::Skip("task table: a task row of the job was bad"));
    }
    if sum.gpus == 0.0 {
        return Ok(Row::CpuOnly);
    }
    let (Some(start), Some(end)) = (sum.start, sum.end) else {
        return Ok(Row::Skip(if sum.start.is_none() { NEVER_RAN } else { STILL_RUNNING }));
    };
    if sum.unfinished {
        return Ok(Row::Skip(STILL_RUNNING));
    }
    let (_, job_type, gpu_type) = sum.main;
    Ok(Row::Job(JobRow {
        id: job_name,
        submit_s,
        gpus: sum.gpus,
        duration_s: (end - start).max(0.0),
        user: line.text(index[2]),
        job_type,
        gpu_type,
        priority: 0,
        status: pai_status(&line.text(index[3])),
    }))
}

/// A PAI job status.
fn pai_status(status: &str) -> Status {
    match status {
        "Terminated" => Status::Completed,
        "Failed" => Status::Failed,
        _ => Status::Unknown,
    }
}
