//! Trace readers on arbitrary bytes: never a panic; every trace read has finite, non-negative
//! submit times and durations, at least one GPU a job, and its jobs sorted by submit time;
//! every error names its file (and a line and column when it is about a place in it).
//!
//! The first byte picks the reader: its low three bits 0 = detect the format, 1–6 = the formats
//! of `Format::ALL` in order, 7 = the PAI 2020 reader with the rest split at the first NUL byte
//! into job table and task table; its high bit sets `skip_bad`.
#![no_main]

use gigawatt_trace::{Format, InputError, ReadOptions, SourceFile, Trace, read_pai, read_trace};
use libfuzzer_sys::fuzz_target;

fn check(result: Result<Trace, InputError>) {
    match result {
        Ok(trace) => {
            assert!(!trace.jobs.is_empty(), "a trace with no job");
            for job in &trace.jobs {
                assert!(job.submit_s.is_finite() && job.submit_s >= 0.0, "submit {job:?}");
                assert!(job.duration_s.is_finite() && job.duration_s >= 0.0, "duration {job:?}");
                assert!(job.gpus >= 1, "gpus {job:?}");
            }
            assert!(trace.jobs.windows(2).all(|w| w[0].submit_s <= w[1].submit_s), "jobs not sorted");
        }
        Err(e) => assert!(e.location().is_some(), "an error without its file: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let skip_bad = first & 0x80 != 0;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    match first & 7 {
        7 => {
            let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let jobs = SourceFile::new("pai_job_table.csv", text(&rest[..split]));
            let tasks = SourceFile::new("pai_task_table.csv", text(rest.get(split + 1..).unwrap_or(&[])));
            check(read_pai(&jobs, &tasks, &ReadOptions { format: None, skip_bad }));
        }
        pick => {
            let format = (pick > 0).then(|| Format::ALL[usize::from(pick) - 1]);
            let file = SourceFile::new("fuzz.trace", text(rest));
            check(read_trace(&file, &ReadOptions { format, skip_bad }));
        }
    }
});
