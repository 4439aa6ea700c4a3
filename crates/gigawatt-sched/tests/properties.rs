//! Properties every schedule keeps, on random workloads, clusters, policies and placements:
//! never more GPUs allocated than a node or the cluster has; gangs all or nothing; FIFO without
//! backfill never lets a later job start first; a consolidated job that fits in a domain never
//! spans two.

use gigawatt_sched::cluster::{Cluster, NodeGroup};
use gigawatt_sched::failures::{Failures, GroupFailures};
use gigawatt_sched::placement::WaitingSizes;
use gigawatt_sched::policy::{PolicyContext, by_name};
use gigawatt_sched::{Job, Placement, PolicyResult, ReplayOptions, replay, secs};
use gigawatt_sim::SimTime;
use proptest::prelude::*;

const POLICIES: [&str; 9] = ["fifo", "sjf", "srtf", "las", "tiresias", "gittins", "priority", "fifo+easy", "sjf+easy"];
const PLACEMENTS: [&str; 6] =
    ["first-fit", "best-fit", "consolidated-domain", "consolidated-rack", "consolidated-pod", "frag-aware"];

fn cluster(nodes: u32, g: u32, per_domain: u32) -> Cluster {
    Cluster {
        groups: vec![NodeGroup {
            name: "c".into(),
            gpu_type: String::new(),
            nodes,
            gpus_per_node: g,
            nodes_per_domain: per_domain,
            nodes_per_rack: per_domain * 2,
            nodes_per_pod: per_domain * 4,
        }],
    }
}

/// (gap, GPUs, run time, priority, share): a job of one GPU with a share below 100 is fractional.
type Raw = (u64, u32, u64, i32, u8);

fn workload() -> impl Strategy<Value = Vec<Raw>> {
    prop::collection::vec((0u64..600, 1u32..40, 1u64..5_000, -2i32..3, 0u8..160), 1..120)
}

fn jobs_of(raw: &[Raw], max_gpus: u32) -> Vec<Job> {
    let mut t = 0;
    raw.iter()
        .map(|&(gap, gpus, d, priority, share)| {
            t += gap;
            Job {
                submit: secs(t as f64),
                gpus: gpus.min(max_gpus),
                duration: secs(d as f64),
                user: 0,
                job_type: 0,
                priority,
                share: if gpus == 1 && (1..100).contains(&share) { share } else { 0 },
                deadline: gigawatt_sched::job::NO_DEADLINE,
                preemptible: true,
                checkpoint_interval: SimTime::ZERO,
                restart: None,
                after: None,
            }
        })
        .collect()
}

fn run(jobs: &[Job], c: &Cluster, policy: &str, placement: &str, failures: bool) -> PolicyResult {
    let ctx = PolicyContext {
        gpu_seconds: jobs.iter().map(|j| f64::from(j.gpus) * j.duration.secs()).collect(),
        ..PolicyContext::default()
    };
    let spec = by_name(policy, &ctx).unwrap();
    let opts = ReplayOptions {
        placement: Placement::by_name(placement).unwrap(),
        checkpoint: secs(5.0),
        restart: secs(20.0),
        log_segments: true,
        failures: failures.then(|| Failures {
            groups: vec![GroupFailures { node_rate_per_h: 0.05, repair_mean_h: 0.5 }],
            checkpoint_interval: secs(300.0),
        }),
        seed: 9,
        ..ReplayOptions::default()
    };
    replay(jobs, c, &spec, &opts, &[], &[])
}

/// The most GPUs held at once on any node and in the whole cluster.
fn peaks(r: &PolicyResult, nodes: usize) -> (u32, u64) {
    let mut edges: Vec<(SimTime, i64, Vec<u32>, u32)> = Vec::new();
    for s in &r.segments {
        edges.push((s.start, 1, s.nodes.clone(), s.per_node));
        edges.push((s.end, -1, s.nodes.clone(), s.per_node));
    }
    // Releases before takes at the same instant.
    edges.sort_by_key(|e| (e.0, e.1));
    let (mut per_node, mut total, mut node_peak, mut total_peak) = (vec![0i64; nodes], 0i64, 0i64, 0i64);
    for (_, sign, ns, k) in edges {
        for n in ns {
            per_node[n as usize] += sign * i64::from(k);
            node_peak = node_peak.max(per_node[n as usize]);
            total += sign * i64::from(k);
        }
        total_peak = total_peak.max(total);
    }
    (node_peak as u32, total_peak as u64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_node_or_cluster_is_ever_over_allocated_and_gangs_are_whole(
        raw in workload(),
        nodes in 2u32..12,
        g in prop::sample::select(vec![1u32, 2, 4, 8]),
        policy in prop::sample::select(POLICIES.to_vec()),
        placement in prop::sample::select(PLACEMENTS.to_vec()),
        failures in any::<bool>(),
    ) {
        let c = cluster(nodes, g, 2);
        let jobs = jobs_of(&raw, nodes * g);
        let r = run(&jobs, &c, policy, placement, failures);
        let (node_peak, total_peak) = peaks(&r, nodes as usize);
        prop_assert!(node_peak <= g, "a node held {} of its {} GPUs", node_peak, g);
        prop_assert!(total_peak <= c.gpus(), "{} GPUs held of {}", total_peak, c.gpus());
        for s in &r.segments {
            let job = &jobs[s.job as usize];
            if job.share > 0 {
                prop_assert_eq!((s.nodes.len(), s.per_node), (1, 0), "a fractional job sits on one shared GPU");
            } else if job.gpus <= g {
                prop_assert_eq!((s.nodes.len(), s.per_node), (1, job.gpus), "a small job sits in one node");
            } else {
                prop_assert_eq!((s.nodes.len() as u32, s.per_node), (job.gpus.div_ceil(g), g), "a gang takes whole nodes");
            }
        }
        prop_assert!(r.jobs.iter().all(|j| j.end_s >= j.start_s && j.start_s >= j.submit_s), "times in order");
        let g = r.gpu_time;
        prop_assert!((g.work_in - g.done).abs() <= 1e-9 * g.work_in.max(1.0), "work in = done: {:?}", g);
        let accounted = g.done + g.lost_to_preemption + g.lost_to_failures + g.rounding;
        prop_assert!((g.allocated - accounted).abs() <= 1e-6 * g.allocated.max(1.0), "allocated = accounted: {:?}", g);
    }

    #[test]
    fn fifo_without_backfill_never_lets_a_later_job_start_first(
        raw in workload(),
        nodes in 1u32..8,
        placement in prop::sample::select(PLACEMENTS.to_vec()),
    ) {
        let c = cluster(nodes, 4, 2);
        let jobs = jobs_of(&raw, nodes * 4);
        let r = run(&jobs, &c, "fifo", placement, false);
        for w in r.jobs.windows(2) {
            prop_assert!(w[0].start_s <= w[1].start_s, "{:?} then {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn a_consolidated_job_that_fits_a_domain_never_spans_two(
        raw in workload(),
        domains in 1u32..6,
        per_domain in 2u32..5,
        policy in prop::sample::select(POLICIES.to_vec()),
    ) {
        let nodes = domains * per_domain;
        let c = cluster(nodes, 2, per_domain);
        let jobs = jobs_of(&raw, nodes * 2);
        let r = run(&jobs, &c, policy, "consolidated-domain", false);
        for s in &r.segments {
            if s.nodes.len() as u32 <= per_domain {
                let first = s.nodes[0] / per_domain;
                prop_assert!(s.nodes.iter().all(|n| n / per_domain == first), "job {} spans domains: {:?}", s.job, s.nodes);
            }
        }
    }
}

#[test]
fn the_same_workload_gives_the_same_result_on_one_and_two_threads() {
    let raw: Vec<Raw> =
        (0..500).map(|i| (i % 7 * 30, 1 + (i % 13) as u32, 60 + i * 17 % 3000, 0, (i % 3 * 40) as u8)).collect();
    let jobs = jobs_of(&raw, 32);
    let c = cluster(4, 8, 2);
    let once = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| format!("{:?}", run(&jobs, &c, "tiresias", "frag-aware", true)))
    };
    assert_eq!(once(1), once(2));
}

proptest! {
    /// The waiting-size histogram's kept minimum agrees with a scan of the histogram after any
    /// sequence of jobs queued and started (each started job was queued before).
    #[test]
    fn the_smallest_waiting_job_is_the_one_a_scan_finds(
        ops in prop::collection::vec((any::<bool>(), 0u32..20), 1..200),
        max_node in 1u32..10,
        g in 1u32..12,
    ) {
        let mut sizes = WaitingSizes::new(max_node);
        let mut queued: Vec<u32> = Vec::new();
        for (add, gpus) in ops {
            if add || queued.is_empty() {
                sizes.add(gpus, 1);
                queued.push(gpus);
            } else {
                let gone = queued.remove(gpus as usize % queued.len());
                sizes.add(gone, -1);
            }
            let smallest = queued.iter().map(|&s| s.min(max_node + 1)).min();
            prop_assert_eq!(sizes.smallest(), smallest);
            let up_to = queued.iter().copied().filter(|&s| s >= 1 && s <= g.min(max_node)).min();
            prop_assert_eq!(sizes.smallest_up_to(g), up_to);
        }
    }
}
