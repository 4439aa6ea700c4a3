//! Each reader on a small fixture in its real layout: good rows become the right jobs, bad rows
//! are errors at the right line and column, and with `skip_bad` they are counted by reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gigawatt_trace::{
    Format, InputError, ReadOptions, SourceFile, Status, Trace, TraceJob, detect, load_trace, read_pai, read_trace,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn source(name: &str) -> SourceFile {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    SourceFile::new(name, text)
}

fn read(name: &str) -> Trace {
    read_trace(&source(name), &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn read_skipping(name: &str) -> Trace {
    read_trace(&source(name), &ReadOptions { format: None, skip_bad: true }).unwrap_or_else(|e| panic!("{e}"))
}

fn error(name: &str) -> InputError {
    read_trace(&source(name), &ReadOptions::default()).unwrap_err()
}

/// Line and column where `needle` first occurs on line `line` of the fixture.
fn at(name: &str, line: usize, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let row = text.lines().nth(line - 1).unwrap();
    let col = row[..row.find(needle).unwrap_or_else(|| panic!("`{needle}` not on line {line}"))].chars().count();
    (line, col + 1)
}

fn location(e: &InputError) -> (usize, usize) {
    let (_, line, col) = e.location().unwrap();
    (line, col)
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

/// (id, submit_s, gpus, gpu_fraction, duration_s, status) of each job.
fn summary(trace: &Trace) -> Vec<(String, f64, u32, f32, f64, Status)> {
    trace.jobs.iter().map(|j| (j.id.clone(), j.submit_s, j.gpus, j.gpu_fraction, j.duration_s, j.status)).collect()
}

fn name_of(names: &[String], index: u32) -> &str {
    &names[index as usize]
}

fn user(trace: &Trace, job: &TraceJob) -> String {
    name_of(&trace.users, job.user).to_string()
}

fn s(id: &str) -> String {
    id.to_string()
}

#[test]
fn tiresias_rows_become_jobs_in_submit_order_with_model_as_type() {
    let trace = read("tiresias.csv");
    assert_eq!(trace.format, Format::Tiresias);
    let u = Status::Unknown;
    assert_eq!(
        summary(&trace),
        vec![
            (s("0"), 0.0, 1, 0.0, 170.0, u),
            (s("1"), 40.0, 8, 0.0, 150.0, u),
            (s("2"), 65.0, 2, 0.0, 125.0, u),
            (s("3"), 65.0, 4, 0.0, 3600.0, u),
        ]
    );
    let types: Vec<&str> = trace.jobs.iter().map(|j| name_of(&trace.job_types, j.job_type)).collect();
    assert_eq!(types, ["vgg16", "resnet50", "inception3", "alexnet"]);
    assert_eq!(trace.cpu_only, 1, "the 0-GPU row is counted, not dropped");
    assert!(trace.skipped.is_empty());
}

#[test]
fn tiresias_bad_rows_are_located_and_counted() {
    let e = error("tiresias-bad.csv");
    assert_eq!(location(&e), at("tiresias-bad.csv", 3, "eight"), "{e}");
    assert!(e.message.contains("num_gpu"), "{e}");
    assert!(e.to_string().starts_with("tiresias-bad.csv:3:3: "), "{e}");
    let trace = read_skipping("tiresias-bad.csv");
    assert_eq!(trace.jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["0", "3"]);
    assert_eq!(trace.skipped, counts(&[("negative value", 1), ("unparsable number", 1)]));
}

#[test]
fn philly_jobs_sum_their_attempts_and_take_the_last_attempts_gpus() {
    let trace = read("philly.json");
    assert_eq!(trace.format, Format::Philly);
    assert_eq!(
        summary(&trace),
        vec![
            (s("application_1506638472019_00018"), 0.0, 4, 0.0, 600.0, Status::Cancelled),
            (s("application_1506638472019_00017"), 60.0, 8, 0.0, 70.0 + 3600.0, Status::Completed),
            (s("application_1506638472019_00021"), 1860.0, 1, 0.0, 10.0, Status::Failed),
        ]
    );
    assert_eq!(user(&trace, &trace.jobs[0]), "77aa01");
    assert_eq!(user(&trace, &trace.jobs[2]), "", "`None` is an unknown user");
    assert_eq!(trace.skipped, counts(&[("never ran", 1), ("still running at the end of the trace", 1)]));
}

#[test]
fn philly_bad_jobs_are_located_at_the_bad_value() {
    let e = error("philly-bad.json");
    assert_eq!(location(&e), at("philly-bad.json", 17, "\"2017-10-07 02:05:00\""), "{e}");
    assert!(e.message.contains("end_time is before start_time"), "{e}");
    let e = read_trace(&source("philly-bad.json"), &ReadOptions { format: Some(Format::Philly), skip_bad: true });
    let trace = e.unwrap();
    assert_eq!(trace.jobs.len(), 1);
    assert_eq!(trace.skipped, counts(&[("end before start", 1), ("unparsable time", 1)]));
}

#[test]
fn philly_syntax_errors_are_located() {
    let file = SourceFile::new("broken.json", "[\n  {\"jobid\": \"a\",\n   \"attempts\" []}\n]");
    let e = read_trace(&file, &ReadOptions::default()).unwrap_err();
    assert_eq!(location(&e), (3, 15), "{e}");
    assert!(e.message.contains("`:`"), "{e}");
}

#[test]
fn helios_rows_map_state_user_and_run_time() {
    let trace = read("helios.csv");
    assert_eq!(trace.format, Format::Helios);
    assert_eq!(
        summary(&trace),
        vec![
            (s("2000101"), 0.0, 1, 0.0, 3600.0, Status::Completed),
            (s("2000103"), 59.0, 16, 0.0, 300.0, Status::Failed),
            (s("2000105"), 179.0, 8, 0.0, 86400.0, Status::Failed),
        ]
    );
    assert_eq!(user(&trace, &trace.jobs[2]), "uB8nV");
    assert_eq!(trace.cpu_only, 1);
    assert_eq!(trace.skipped, counts(&[("never ran", 1), ("still running at the end of the trace", 1)]));
}

#[test]
fn helios_bad_rows_are_located_and_counted() {
    let e = error("helios-bad.csv");
    assert_eq!(location(&e), at("helios-bad.csv", 3, "2020-06-09 18:47:00"), "{e}");
    let trace = read_skipping("helios-bad.csv");
    assert_eq!(trace.jobs.len(), 1);
    let expected =
        [("end before start", 1), ("missing value", 1), ("unparsable time", 1), ("wrong number of fields", 1)];
    assert_eq!(trace.skipped, counts(&expected));
}

#[test]
fn acmetrace_seren_reads_offsets_and_job_types() {
    let trace = read("acme-seren.csv");
    assert_eq!(trace.format, Format::Helios);
    assert_eq!(
        summary(&trace),
        vec![
            (s("6100001"), 0.0, 8, 0.0, 7200.0, Status::Completed),
            (s("6100002"), 60.0, 1, 0.0, 120.0, Status::Failed),
            (s("6100003"), 120.0, 16, 0.0, 3600.0, Status::Cancelled),
        ]
    );
    let types: Vec<&str> = trace.jobs.iter().map(|j| name_of(&trace.job_types, j.job_type)).collect();
    assert_eq!(types, ["Pretrain", "Evaluation", "SFT"]);
    assert_eq!(trace.cpu_only, 1);
}

#[test]
fn acmetrace_kalos_reads_with_its_extra_columns() {
    let trace = read("acme-kalos.csv");
    let gpus_and_runs: Vec<(u32, f64, f64)> = trace.jobs.iter().map(|j| (j.gpus, j.submit_s, j.duration_s)).collect();
    assert_eq!(gpus_and_runs, [(64, 0.0, 30.0), (8, 300.0, 1200.0), (32, 360.0, 60.0)]);
}

fn pai() -> Trace {
    let options = ReadOptions::default();
    read_pai(&source("pai/pai_job_table.csv"), &source("pai/pai_task_table.csv"), &options).unwrap()
}

#[test]
fn pai_jobs_join_their_tasks_gpus_and_run_times() {
    let trace = pai();
    assert_eq!(trace.format, Format::PaiJob);
    assert_eq!(
        summary(&trace),
        vec![
            (s("6f0a9c2e51b47d83aa01be13"), 0.0, 5, 4.5, 2000.0, Status::Failed),
            (s("6f0a9c2e51b47d83aa01be11"), 100.0, 1, 0.0, 610.0, Status::Completed),
            (s("6f0a9c2e51b47d83aa01be12"), 200.0, 1, 0.25, 100.0, Status::Completed),
        ]
    );
    let types: Vec<(&str, &str)> = trace
        .jobs
        .iter()
        .map(|j| (name_of(&trace.job_types, j.job_type), name_of(&trace.gpu_types, j.gpu_type)))
        .collect();
    assert_eq!(types, [("PyTorchWorker", "T4"), ("worker", "V100"), ("tensorflow", "MISC")]);
    assert_eq!(user(&trace, &trace.jobs[1]), "a1c3e5f7b9d2");
    assert_eq!(trace.fractional_rounded, 2);
    assert_eq!(trace.cpu_only, 1);
    let expected = [
        ("never ran", 1),
        ("no task in the task table", 1),
        ("still running at the end of the trace", 1),
        ("task rows with no job in the job table", 1),
    ];
    assert_eq!(trace.skipped, counts(&expected));
}

#[test]
fn pai_bad_rows_are_located_in_either_table() {
    let (jobs, tasks) = (source("pai-bad/pai_job_table.csv"), source("pai-bad/pai_task_table.csv"));
    let e = read_pai(&jobs, &tasks, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.location().unwrap().0, "pai-bad/pai_task_table.csv");
    assert_eq!(location(&e), at("pai-bad/pai_task_table.csv", 3, "half"), "{e}");
    let trace = read_pai(&jobs, &tasks, &ReadOptions { format: None, skip_bad: true }).unwrap();
    assert_eq!(summary(&trace), vec![(s("7a0a9c2e51b47d83aa01be21"), 0.0, 1, 0.0, 600.0, Status::Completed)]);
    let expected = [
        ("task table: a task row of the job was bad", 1),
        ("task table: unparsable number", 1),
        ("unparsable time", 1),
    ];
    assert_eq!(trace.skipped, counts(&expected));
    // The job table's own error, once the task table is right.
    let fixed = SourceFile::new("tasks.csv", tasks.text.replace("half", "100.0"));
    let e = read_pai(&jobs, &fixed, &ReadOptions::default()).unwrap_err();
    assert_eq!(location(&e), at("pai-bad/pai_job_table.csv", 4, "soon"), "{e}");
}

#[test]
fn pai_loads_from_its_directory_or_its_job_table() {
    let from_dir = load_trace(&fixture("pai"), &ReadOptions::default()).unwrap();
    let from_file = load_trace(&fixture("pai/pai_job_table.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(summary(&from_dir), summary(&pai()));
    assert_eq!(summary(&from_file), summary(&pai()));
    let alone = read_trace(&source("pai/pai_job_table.csv"), &ReadOptions::default()).unwrap_err();
    assert!(alone.message.contains("two tables"), "{alone}");
    assert!(alone.help.as_deref().unwrap().contains("pai_task_table.csv"));
}

#[test]
fn openb_pods_ask_for_shares_of_gpus() {
    let trace = read("openb.csv");
    assert_eq!(trace.format, Format::Gpu2023);
    assert_eq!(
        summary(&trace),
        vec![
            (s("openb-pod-0100"), 0.0, 1, 0.0, 500_000.0, Status::Unknown),
            (s("openb-pod-0101"), 1000.0, 1, 0.45, 199_998.0, Status::Unknown),
            (s("openb-pod-0103"), 3000.0, 8, 0.0, 39_990.0, Status::Completed),
            (s("openb-pod-0104"), 4000.0, 2, 0.0, 600.0, Status::Failed),
            (s("openb-pod-0106"), 6000.0, 1, 0.25, 300.0, Status::Failed),
        ]
    );
    assert_eq!(name_of(&trace.gpu_types, trace.jobs[3].gpu_type), "V100M16|V100M32");
    assert_eq!(name_of(&trace.job_types, trace.jobs[2].job_type), "Burstable");
    assert_eq!((trace.fractional_rounded, trace.cpu_only), (2, 1));
    assert_eq!(trace.skipped, counts(&[("never ran", 1)]));
}

#[test]
fn openb_bad_rows_are_located_and_counted() {
    let e = error("openb-bad.csv");
    assert_eq!(location(&e), at("openb-bad.csv", 3, "1450"), "{e}");
    let trace = read_skipping("openb-bad.csv");
    assert_eq!(trace.jobs.len(), 1);
    assert_eq!(trace.skipped, counts(&[("NaN", 1), ("inconsistent GPU request", 1), ("out of range", 1)]));
}

#[test]
fn generic_csv_reads_optional_columns_in_any_order() {
    let trace = read("generic.csv");
    assert_eq!(trace.format, Format::Generic);
    assert_eq!(
        summary(&trace),
        vec![
            (s("train-1"), 0.0, 64, 0.0, 86400.0, Status::Completed),
            (s("eval-1"), 30.0, 1, 0.25, 120.0, Status::Failed),
            (s("eval-2"), 30.0, 1, 0.0, 300.0, Status::Unknown),
            (s("sft-1"), 60.0, 8, 0.0, 7200.0, Status::Cancelled),
        ]
    );
    let priorities: Vec<i32> = trace.jobs.iter().map(|j| j.priority).collect();
    assert_eq!(priorities, [10, 0, 0, 5]);
    assert_eq!(name_of(&trace.gpu_types, trace.jobs[3].gpu_type), "H100");
    assert_eq!(user(&trace, &trace.jobs[3]), "alice");
    assert_eq!((trace.fractional_rounded, trace.cpu_only), (1, 1));
}

#[test]
fn generic_bad_rows_are_located_and_counted() {
    let e = error("generic-bad.csv");
    assert_eq!(location(&e), at("generic-bad.csv", 3, "NaN"), "{e}");
    let trace = read_skipping("generic-bad.csv");
    assert_eq!(trace.jobs.len(), 1);
    let expected = [("NaN", 1), ("negative value", 1), ("out of range", 1), ("unparsable number", 1)];
    assert_eq!(trace.skipped, counts(&expected));
}

#[test]
fn fractional_requests_are_rounded_up_and_counted() {
    let file = SourceFile::new("f.csv", "submit_s,gpus,duration_s\n0,0.5,10\n1,2.5,10\n2,3,10\n");
    let trace = read_trace(&file, &ReadOptions::default()).unwrap();
    let gpus: Vec<(u32, f32)> = trace.jobs.iter().map(|j| (j.gpus, j.gpu_fraction)).collect();
    assert_eq!(gpus, [(1, 0.5), (3, 2.5), (3, 0.0)]);
    assert_eq!(trace.fractional_rounded, 2);
}

#[test]
fn detection_picks_each_fixtures_format() {
    let cases = [
        ("tiresias.csv", Format::Tiresias),
        ("philly.json", Format::Philly),
        ("helios.csv", Format::Helios),
        ("acme-seren.csv", Format::Helios),
        ("acme-kalos.csv", Format::Helios),
        ("pai/pai_job_table.csv", Format::PaiJob),
        ("pai-bad/pai_job_table.csv", Format::PaiJob),
        ("openb.csv", Format::Gpu2023),
        ("generic.csv", Format::Generic),
    ];
    for (name, format) in cases {
        assert_eq!(detect(&source(name)).unwrap(), format, "{name}");
    }
}

#[test]
fn an_unknown_header_is_an_error_that_lists_every_format() {
    let file = SourceFile::new("jobs.csv", "when,what\n1,2\n");
    let e = read_trace(&file, &ReadOptions::default()).unwrap_err();
    assert_eq!(location(&e), (1, 1));
    let help = e.help.as_deref().unwrap();
    for format in Format::ALL {
        assert!(help.contains(format.name()), "{help}");
    }
    assert!(help.contains("submit_s,gpus,duration_s"), "{help}");
}

#[test]
fn the_pai_task_table_alone_is_recognised_and_refused() {
    let e = detect(&source("pai/pai_task_table.csv")).unwrap_err();
    assert!(e.message.contains("task table"), "{e}");
}

#[test]
fn a_trace_with_no_gpu_job_is_an_error_that_says_what_it_held() {
    let file = SourceFile::new("cpu.csv", "submit_s,gpus,duration_s\n0,0,10\n");
    let e = read_trace(&file, &ReadOptions::default()).unwrap_err();
    assert!(e.message.contains("1 CPU-only"), "{e}");
    assert_eq!(e.location().unwrap().0, "cpu.csv");
    let empty = read_trace(&SourceFile::new("empty.csv", ""), &ReadOptions::default()).unwrap_err();
    assert!(empty.message.contains("empty"), "{empty}");
}

#[test]
fn a_missing_required_column_is_an_error_at_the_header() {
    let file = SourceFile::new("t.csv", "job_id,num_gpu,submit_time\n0,1,0\n");
    let e = read_trace(&file, &ReadOptions { format: Some(Format::Tiresias), skip_bad: false }).unwrap_err();
    assert_eq!(location(&e), (1, 1));
    assert!(e.message.contains("`duration`"), "{e}");
}
