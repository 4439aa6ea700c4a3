//! A cluster spec (or scenario) and a trace on arbitrary bytes, replayed: never a panic, never a
//! NaN or infinity in the result, every error names its file. The input is the cluster file, a
//! NUL byte, then a generic CSV trace; its first byte picks the policies and the placement.
#![no_main]

use std::sync::OnceLock;

use gigawatt_core::Catalog;
use gigawatt_sched::{ReplayRequest, read_cluster, replay_trace};
use gigawatt_trace::{ReadOptions, SourceFile, read_trace};
use libfuzzer_sys::fuzz_target;

const POLICIES: [&str; 9] = ["fifo", "sjf", "srtf", "las", "tiresias", "gittins", "priority", "easy", "sjf+easy"];
const PLACEMENTS: [&str; 4] = ["first-fit", "best-fit", "consolidated-rack", "frag-aware"];

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::bundled().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let cluster_file = SourceFile::new("cluster.toml", text(&rest[..split]));
    let source = match read_cluster(&cluster_file, catalog()) {
        Ok(s) => s,
        Err(e) => {
            assert!(e.location().is_some(), "a cluster error without its file: {e}");
            return;
        }
    };
    // Keep runs small: the fuzzer looks for crashes, not for slow runs.
    if source.cluster.nodes() > 20_000 {
        return;
    }
    let trace_file = SourceFile::new("trace.csv", text(rest.get(split + 1..).unwrap_or(&[])));
    let Ok(trace) = read_trace(&trace_file, &ReadOptions { format: None, skip_bad: pick & 0x80 != 0 }) else { return };
    if trace.jobs.len() > 500 {
        return;
    }
    let req = ReplayRequest {
        policies: vec![POLICIES[usize::from(pick) % POLICIES.len()].into(), "fifo".into()],
        placement: PLACEMENTS[usize::from(pick >> 4) % PLACEMENTS.len()].into(),
        checkpoint_s: 10.0,
        restart_s: 30.0,
        failures: pick & 0x40 != 0,
        share_gpus: pick & 0x20 != 0,
        checkpoint_interval_s: 600.0,
        ..ReplayRequest::default()
    };
    match replay_trace(&trace, &source, &req) {
        Ok(result) => {
            if let Err(path) = gigawatt_core::finite::check(&result) {
                panic!("not finite at {path}");
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
