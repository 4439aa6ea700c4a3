//! The run history under real use: record, list, show, diff, many writers at once, and a writer
//! killed with SIGKILL in the middle of a write.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gigawatt_store::{Figure, History, NewRun, Store, StoreError, sha256_hex};

fn figures(gpus: f64, capex: f64) -> Vec<Figure> {
    vec![
        Figure::new("totals.gpus", "GPU packages", "GPUs", gpus),
        Figure::new("totals.capex_usd", "capex", "USD", capex),
    ]
}

fn run<'a>(text: &'a str, figs: &'a [Figure], results: &'a str) -> NewRun<'a> {
    NewRun {
        kind: "plan",
        source: "cli",
        scenario_name: "Test",
        scenario_file: "test.toml",
        scenario_text: text,
        seed: Some(u64::MAX - 1),
        tool_version: "0.1.0",
        figures: figs,
        results_json: results,
    }
}

#[test]
fn a_recorded_run_reads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("nested/dir/runs.sqlite3")).unwrap();
    let figs = figures(4.0e6, 5.0e11);
    let id = store.record(&run("name = \"Test\"\n", &figs, "{\"totals\":{\"gpus\":4000000}}")).unwrap();
    let r = store.get(id).unwrap();
    assert_eq!(r.summary.kind, "plan");
    assert_eq!(r.summary.seed, Some(u64::MAX - 1), "u64 seeds survive SQLite's i64");
    assert_eq!(r.summary.scenario_sha256, sha256_hex("name = \"Test\"\n"));
    assert_eq!(r.scenario_text, "name = \"Test\"\n");
    assert_eq!(r.figures, figs);
    assert_eq!(r.results["totals"]["gpus"], 4_000_000);
    assert!(r.summary.created_at.ends_with('Z') && r.summary.created_at.len() == 20, "{}", r.summary.created_at);
    assert!(matches!(store.get(id + 1), Err(StoreError::NotFound(_))));
}

#[test]
fn a_figure_without_a_finite_value_is_left_out_and_the_run_still_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.sqlite3")).unwrap();
    let mut figs = figures(4.0e6, 5.0e11);
    figs.push(Figure::new("totals.capex_usd", "capex", "USD", f64::INFINITY));
    figs.push(Figure::new("per_gw.capex_usd", "capex per GW", "USD", f64::NAN));
    let id = store.record(&run("name = \"Test\"\n", &figs, "{}")).unwrap();
    let r = store.get(id).unwrap();
    assert_eq!(r.figures, figures(4.0e6, 5.0e11));
    assert!(store.diff(id, id).is_ok());
}

#[test]
fn list_is_newest_first_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.sqlite3")).unwrap();
    let figs = figures(1.0, 1.0);
    let ids: Vec<i64> = (0..5).map(|_| store.record(&run("x", &figs, "{}")).unwrap()).collect();
    let listed: Vec<i64> = store.list(3).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(listed, vec![ids[4], ids[3], ids[2]]);
    assert_eq!(store.count().unwrap(), 5);
}

#[test]
fn diff_names_the_figures_that_moved_and_the_scenario_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.sqlite3")).unwrap();
    let fa = figures(4.0e6, 5.0e11);
    let mut fb = figures(4.0e6, 5.5e11);
    fb.push(Figure::new("financing.total_usd", "investment released", "USD", 1e11));
    let a = store.record(&run("pue = 1.1\n", &fa, "{}")).unwrap();
    let b = store.record(&run("pue = 1.3\n", &fb, "{}")).unwrap();
    let d = store.diff(a, b).unwrap();
    assert!(!d.same_scenario);
    assert_eq!(d.scenario_changes.len(), 2);
    let moved: Vec<&str> = d.moved().map(|f| f.key.as_str()).collect();
    assert_eq!(moved, vec!["totals.capex_usd", "financing.total_usd"]);
    let capex = d.figures.iter().find(|f| f.key == "totals.capex_usd").unwrap();
    assert_eq!(capex.delta(), Some(5.0e10));
    assert!((capex.relative().unwrap() - 0.1).abs() < 1e-12);
    let same = store.diff(a, a).unwrap();
    assert!(same.same_scenario && same.moved().count() == 0);
}

#[test]
fn concurrent_writers_each_get_every_run_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite3");
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Each writer opens its own connection, as separate processes do.
                let mut store = Store::open(&path).unwrap();
                let figs = figures(w as f64, 0.0);
                (0..EACH)
                    .map(|i| store.record(&run(&format!("writer {w} run {i}"), &figs, "{}")).unwrap())
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut ids: Vec<i64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), WRITERS * EACH, "ids are unique");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), (WRITERS * EACH) as u64);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn history_off_records_nothing_and_an_unusable_path_is_an_error_not_a_panic() {
    assert_eq!(History::Off.record(&run("x", &[], "{}")).unwrap(), None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let history = History::At(file.join("runs.sqlite3"));
    let err = history.record(&run("x", &[], "{}")).unwrap_err();
    assert!(err.to_string().contains("cannot open the run history"), "{err}");
    // A file that is not a database.
    std::fs::write(dir.path().join("junk.sqlite3"), vec![b'x'; 4096]).unwrap();
    assert!(Store::open(&dir.path().join("junk.sqlite3")).is_err());
}

const CHILD_ENV: &str = "GIGAWATT_STORE_TEST_CHILD_DB";

/// Run by `a_writer_killed_mid_write_leaves_the_database_consistent` in a child process: records
/// large runs in a loop, announcing each on stdout, until it is killed.
#[test]
#[ignore = "helper process of the SIGKILL test; does nothing when run directly"]
fn writer_child_process() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let mut store = Store::open(Path::new(&path)).unwrap();
    // A few MB per run, so that a write takes long enough to be interrupted.
    let results = format!("{{\"payload\":\"{}\"}}", "x".repeat(4 << 20));
    let figs = figures(1.0, 2.0);
    for i in 0.. {
        let text = format!("run {i}\n");
        println!("begin {i}");
        store.record(&run(&text, &figs, &results)).unwrap();
        println!("done {i}");
    }
}

#[test]
fn a_writer_killed_mid_write_leaves_the_database_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite3");
    let exe = std::env::current_exe().unwrap();
    let mut interrupted = 0;
    for round in 0..4u64 {
        let mut child = Command::new(&exe)
            .args(["writer_child_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let it complete two runs, then kill it a little after it begins the third.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut begun = None;
        let mut done = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.starts_with("done ") {
                done += 1;
            }
            if done >= 2 && line.starts_with("begin ") {
                begun = Some(line["begin ".len()..].to_string());
                break;
            }
            assert!(Instant::now() < deadline, "child too slow");
        }
        let begun = begun.expect("the child began a third write");
        std::thread::sleep(Duration::from_millis(round * 3));
        child.kill().unwrap(); // SIGKILL on Unix: no destructors, no rollback by the process.
        child.wait().unwrap();
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        if !rest.contains(&format!("done {begun}")) {
            interrupted += 1;
        }

        let store = Store::open(&path).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        for summary in store.list(usize::MAX).unwrap() {
            let run = store.get(summary.id).unwrap();
            assert_eq!(run.summary.scenario_sha256, sha256_hex(&run.scenario_text), "run {} is whole", summary.id);
            assert_eq!(run.results["payload"].as_str().map(str::len), Some(4 << 20), "run {} is whole", summary.id);
        }
        assert!(store.count().unwrap() >= 2 * (round + 1));
    }
    assert!(interrupted >= 1, "at least one kill landed inside a write");
}
