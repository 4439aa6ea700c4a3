//! The job state timeline a replica records for `gigawatt power`: its run segments reproduce the
//! replica's own tallies (saved compute, checkpoint writes, rework, interruptions), and recording
//! them changes nothing the replica draws.

use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_sim::job::{SegmentEnd, segment};
use gigawatt_sim::{SimOptions, Simulation};

fn llama3_days(days: f64) -> Simulation {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/llama3-405b-16k.toml");
    let file = SourceFile::new("llama3-405b-16k.toml", std::fs::read_to_string(path).unwrap());
    let model = load_scenario(&file, &Catalog::bundled().unwrap()).unwrap();
    let eval = evaluate(&model, &model.params.central());
    let options = SimOptions { days, replicas: 1, ..SimOptions::from_model(&model) };
    Simulation::new(&model, &eval, options).unwrap()
}

#[test]
fn run_segments_reproduce_the_replicas_own_tallies() {
    let sim = llama3_days(10.0);
    let plain = sim.replica(3, &|| {});
    let recorded = sim.replica_segments(3);
    assert!(plain.segments.is_empty(), "nothing is recorded unless asked");
    assert_eq!(plain.jobs, recorded.jobs, "recording does not change the replica");
    let job = &sim.jobs[0];
    let segs = &recorded.segments;
    assert!(segs.len() > 10, "ten days of Llama 3 have dozens of interruptions, found {}", segs.len());
    let (mut productive, mut checkpoint, mut rework, mut failures, mut planned) = (0, 0, 0, 0, 0);
    let mut last_end = job.start;
    for s in segs {
        assert!(s.start >= last_end && s.end >= s.start, "segments are ordered and disjoint");
        last_end = s.end;
        let acc = segment(s.end.since(s.start).0, job.interval.0, job.write.0, s.how);
        productive += acc.productive;
        checkpoint += acc.checkpoint;
        rework += acc.rework;
        failures += u64::from(s.how == SegmentEnd::Failure);
        planned += u64::from(s.how == SegmentEnd::Planned);
    }
    let t = &recorded.jobs[0];
    assert_eq!((productive, checkpoint, rework), (t.productive, t.checkpoint, t.rework));
    assert_eq!(planned, t.planned);
    // Failures that hit a job already recovering end no segment.
    assert!(failures <= t.unexpected && failures + 5 >= t.unexpected / 2, "{failures} vs {}", t.unexpected);
}
