//! No input makes a reader panic, and whatever it returns keeps the trace's promises: finite,
//! non-negative times, at least one GPU a job, jobs sorted by submit time, and errors that name
//! their file.

use std::path::Path;

use gigawatt_trace::{Format, InputError, ReadOptions, SourceFile, Trace, read_pai, read_trace};
use proptest::prelude::*;

/// The promises every result keeps (the fuzz target checks the same).
fn check(result: &Result<Trace, InputError>) {
    match result {
        Ok(trace) => {
            assert!(!trace.jobs.is_empty());
            for job in &trace.jobs {
                assert!(job.submit_s.is_finite() && job.submit_s >= 0.0, "{job:?}");
                assert!(job.duration_s.is_finite() && job.duration_s >= 0.0, "{job:?}");
                assert!(job.gpus >= 1, "{job:?}");
                assert!(job.gpu_fraction.is_finite() && job.gpu_fraction >= 0.0, "{job:?}");
                assert!((job.user as usize) < trace.users.len());
                assert!((job.job_type as usize) < trace.job_types.len());
                assert!((job.gpu_type as usize) < trace.gpu_types.len());
            }
            assert!(trace.jobs.windows(2).all(|w| w[0].submit_s <= w[1].submit_s));
            assert_eq!(trace.jobs.iter().map(|j| j.submit_s).fold(f64::INFINITY, f64::min), 0.0);
        }
        Err(e) => assert!(e.location().is_some(), "an error without its file: {e}"),
    }
}

fn formats() -> impl Strategy<Value = Option<Format>> {
    prop_oneof![Just(None), proptest::sample::select(Format::ALL.to_vec()).prop_map(Some)]
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

/// A fixture with a stretch of its text replaced: near-valid input reaches deeper than noise.
fn mutated() -> impl Strategy<Value = String> {
    let names = ["tiresias.csv", "philly.json", "helios.csv", "acme-kalos.csv", "openb.csv", "generic.csv"];
    let pieces = prop_oneof![
        Just(String::new()),
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\"".to_string()),
        Just("None".to_string()),
        Just("NaN".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("[[[[".to_string()),
        Just("{\"a\":".to_string()),
        "\\PC{0,8}",
    ];
    (proptest::sample::select(names.to_vec()), any::<prop::sample::Index>(), 0usize..12, pieces).prop_map(
        |(name, at, len, piece)| {
            let text = fixture(name);
            let mut start = at.index(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}{piece}{}", &text[..start], &text[end.max(start)..])
        },
    )
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), format in formats()) {
        let file = SourceFile::new("fuzz", String::from_utf8_lossy(&bytes).into_owned());
        check(&read_trace(&file, &ReadOptions { format, skip_bad: false }));
        check(&read_trace(&file, &ReadOptions { format, skip_bad: true }));
    }

    #[test]
    fn mutated_fixtures_never_panic(text in mutated(), format in formats(), skip_bad in any::<bool>()) {
        let file = SourceFile::new("fuzz", text);
        check(&read_trace(&file, &ReadOptions { format, skip_bad }));
    }

    #[test]
    fn arbitrary_pai_tables_never_panic(jobs in "\\PC{0,300}", tasks in "[0-9a-f,.\n]{0,300}", skip_bad in any::<bool>()) {
        let (jobs, tasks) = (SourceFile::new("jobs", jobs), SourceFile::new("tasks", tasks));
        check(&read_pai(&jobs, &tasks, &ReadOptions { format: None, skip_bad }));
    }
}

#[test]
fn a_pai_job_that_joins_its_tasks_keeps_the_promises() {
    let jobs = SourceFile::new("jobs", "j1,i1,u1,Terminated,5,10\nj2,i2,u1,Terminated,1e10,2e10\n");
    let tasks =
        SourceFile::new("tasks", "j1,w,1e7,Terminated,6,9,1,1,1e9,V100\nj2,w,1,Terminated,1e10,1.5e10,1,1,50,\n");
    let result = read_pai(&jobs, &tasks, &ReadOptions::default());
    check(&result);
    assert_eq!(result.unwrap().jobs.len(), 2);
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let file = SourceFile::new("deep.json", "[".repeat(1_000_000));
    let e = read_trace(&file, &ReadOptions::default()).unwrap_err();
    assert!(e.message.contains("nested"), "{e}");
}

#[test]
fn huge_numbers_are_out_of_range_errors() {
    let file = SourceFile::new("big.csv", "submit_s,gpus,duration_s\n1e308,1,1\n");
    let e = read_trace(&file, &ReadOptions::default()).unwrap_err();
    assert!(e.help.as_deref().unwrap().contains("milliseconds"), "{e}");
    let file = SourceFile::new("big.csv", "submit_s,gpus,duration_s\n0,99999999999,1\n");
    assert!(read_trace(&file, &ReadOptions::default()).unwrap_err().message.contains("too large"));
}
