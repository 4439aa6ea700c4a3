//! What `operate` needs of the scheduler core beyond `replay`: nodes that come into service
//! later (a growing fleet's phases), jobs with a deadline (serving capacity for a demand that
//! passes), GPU-time summed by job type and time bucket, and failures drawn only among the nodes
//! in service. Each checked against a schedule worked by hand or a conservation law.

use gigawatt_sched::job::NO_DEADLINE;
use gigawatt_sched::policy::{PolicyContext, by_name};
use gigawatt_sched::{Cluster, Engine, Failures, GroupFailures, Job, ReplayOptions, secs};
use gigawatt_sim::SimTime;

fn job(submit_s: f64, gpus: u32, duration_s: f64) -> Job {
    Job::new(secs(submit_s), gpus, secs(duration_s))
}

fn run<'a>(
    jobs: &'a [Job],
    cluster: &'a Cluster,
    spec: &'a gigawatt_sched::PolicySpec,
    opts: &'a ReplayOptions,
) -> Engine<'a> {
    let mut e = Engine::new(jobs, cluster, spec, opts);
    e.run();
    e
}

fn fifo() -> gigawatt_sched::PolicySpec {
    by_name("fifo", &PolicyContext::default()).unwrap()
}

fn online(times_s: &[f64]) -> Vec<Vec<SimTime>> {
    vec![times_s.iter().map(|&t| secs(t)).collect()]
}

#[test]
fn nodes_coming_into_service_later_take_jobs_from_then_on() {
    // Four 1-GPU nodes, the last two in service at t = 100. Four 200 s jobs at t = 0: two start
    // at once, two at 100.
    let cluster = Cluster::uniform(4, 1);
    let jobs: Vec<Job> = (0..4).map(|_| job(0.0, 1, 200.0)).collect();
    let opts = ReplayOptions { online: online(&[0.0, 0.0, 100.0, 100.0]), ..ReplayOptions::default() };
    let spec = fifo();
    let e = run(&jobs, &cluster, &spec, &opts);
    let ends: Vec<f64> = (0..4).map(|j| e.job_run(j).end.secs()).collect();
    assert_eq!(ends, [200.0, 200.0, 300.0, 300.0]);
    // A gang of all four waits for the last node.
    let gang = [job(0.0, 4, 10.0)];
    let e = run(&gang, &cluster, &spec, &opts);
    assert_eq!(e.job_run(0).first_start, Some(secs(100.0)));
}

#[test]
fn a_job_past_its_deadline_leaves_unserved_and_a_running_one_stops_at_it() {
    // One 1-GPU node. A holds it from 0 to 100. B (50 s, deadline 120) starts at 100 and stops at
    // 120 with 30 s unserved. C (deadline 90) never starts.
    let cluster = Cluster::uniform(1, 1);
    let mut b = job(0.0, 1, 50.0);
    b.deadline = secs(120.0);
    let mut c = job(0.0, 1, 10.0);
    c.deadline = secs(90.0);
    let jobs = [job(0.0, 1, 100.0), b, c];
    let opts = ReplayOptions { usage_bucket: Some(secs(60.0)), ..ReplayOptions::default() };
    let spec = fifo();
    let e = run(&jobs, &cluster, &spec, &opts);
    let (rb, rc) = (e.job_run(1), e.job_run(2));
    assert_eq!((rb.first_start, rb.end, rb.unserved), (Some(secs(100.0)), secs(120.0), secs(30.0)));
    assert_eq!((rc.first_start, rc.end, rc.unserved), (None, secs(90.0), secs(10.0)));
    assert_eq!(e.expired(), 1);
    assert_eq!(e.job_run(0).unserved, SimTime::ZERO);
    // GPU-time by 60 s bucket: A holds 60 + 40 s, B 20 s of the second bucket.
    let u = e.usage().unwrap();
    let gpu_s = |b: usize| u.held[b].iter().sum::<u128>() as f64 / 1e6;
    assert_eq!((gpu_s(0), gpu_s(1)), (60.0, 60.0));
    assert_eq!(NO_DEADLINE, jobs[0].deadline);
}

#[test]
fn usage_by_type_sums_to_the_gpu_time_jobs_held() {
    // Types 0 and 1 on a 2-node × 4-GPU cluster; buckets of 7 s cut segments anywhere.
    let cluster = Cluster::uniform(2, 4);
    let mut jobs = Vec::new();
    for i in 0..40u32 {
        let mut j = job(f64::from(i) * 3.0, 1 + i % 4, 5.0 + f64::from(i % 7) * 4.0);
        j.job_type = i % 2;
        jobs.push(j);
    }
    let opts = ReplayOptions { usage_bucket: Some(secs(7.0)), ..ReplayOptions::default() };
    let spec = fifo();
    let e = run(&jobs, &cluster, &spec, &opts);
    let u = e.usage().unwrap();
    for ty in 0..2u32 {
        let held: u128 = u.held.iter().map(|row| row.get(ty as usize).copied().unwrap_or(0)).sum();
        let want: u128 =
            jobs.iter().filter(|j| j.job_type == ty).map(|j| u128::from(j.gpus) * u128::from(j.duration.0)).sum();
        assert_eq!(held, want, "type {ty}");
    }
}

#[test]
fn failures_strike_only_nodes_in_service_at_their_rate() {
    // 1,000 one-GPU nodes, none in service before day 10, all after. One failure per node-day
    // on average, repaired in an hour; no jobs but one to keep the run going to day 20.
    let nodes = 1000u32;
    let cluster = Cluster::uniform(nodes, 1);
    let day = 86_400.0;
    let failures = Failures {
        groups: vec![GroupFailures { node_rate_per_h: 1.0 / 24.0, repair_mean_h: 1.0 }],
        checkpoint_interval: SimTime::ZERO,
    };
    let opts = ReplayOptions {
        online: vec![vec![secs(10.0 * day); nodes as usize]],
        usage_bucket: Some(secs(day)),
        failures: Some(failures),
        seed: 7,
        ..ReplayOptions::default()
    };
    let jobs = [job(20.0 * day, 1, 1.0)];
    let spec = fifo();
    let e = run(&jobs, &cluster, &spec, &opts);
    let u = e.usage().unwrap();
    let down_gpu_h = |b: usize| u.down.get(b).copied().unwrap_or(0) as f64 / 3.6e9;
    // Nothing is in service, so nothing is down, before day 10.
    assert!((0..10).all(|b| down_gpu_h(b) == 0.0));
    // From day 10 to 20: about 1,000 failures a day, each down an hour: ≈ 1,000 GPU-h a day
    // (less a little: a node under repair does not fail). The daily count is Poisson with mean
    // ≈ 1,000: ± 5 σ ≈ ± 160, and the repair times add spread; allow ± 25 %.
    let total: f64 = (11..20).map(down_gpu_h).sum::<f64>() / 9.0;
    assert!((750.0..1250.0).contains(&total), "down {total:.0} GPU-h a day");
}

#[test]
fn a_job_marked_not_preemptible_keeps_its_gpus_under_a_better_priority() {
    // Two 1-GPU nodes under `priority`. A (priority 1, not preemptible) and B (priority 0) hold
    // them from 0. C (priority 9) arrives at 10: it preempts B, not A, though A's priority is
    // also below C's.
    let cluster = Cluster::uniform(2, 1);
    let mut a = job(0.0, 1, 100.0);
    a.priority = 1;
    a.preemptible = false;
    let b = job(0.0, 1, 100.0);
    let mut c = job(10.0, 1, 5.0);
    c.priority = 9;
    let jobs = [a, b, c];
    let spec = by_name("priority", &PolicyContext::default()).unwrap();
    let opts = ReplayOptions::default();
    let e = run(&jobs, &cluster, &spec, &opts);
    assert_eq!(e.job_run(0).preemptions, 0);
    assert_eq!(e.job_run(0).end, secs(100.0));
    assert_eq!(e.job_run(1).preemptions, 1);
    assert_eq!(e.job_run(2).first_start, Some(secs(10.0)));
    // With A preemptible too, C takes the lowest priority's GPU: still B's.
    let mut jobs2 = jobs;
    jobs2[0].preemptible = true;
    let e = run(&jobs2, &cluster, &spec, &opts);
    assert_eq!((e.job_run(0).preemptions, e.job_run(1).preemptions), (0, 1));
    // With only B not preemptible, C takes A's GPU.
    let mut jobs3 = jobs;
    jobs3[0].preemptible = true;
    jobs3[1].preemptible = false;
    let e = run(&jobs3, &cluster, &spec, &opts);
    assert_eq!((e.job_run(0).preemptions, e.job_run(1).preemptions), (1, 0));
}

#[test]
fn a_gang_preempts_only_in_the_group_it_fits_in() {
    // Group 0: 16 nodes × 8 GPUs; group 1: 4 nodes × 8. One preemptible 8-GPU research job per
    // node fills both (first fit: jobs 0-15 in group 0, 16-19 in group 1). A high-priority
    // 128-GPU gang fits only group 0: it preempts group 0's 16 jobs and none of group 1's (the
    // latest started, so the first a fleet-wide count would pick), then starts once they have
    // written their checkpoints.
    let small = Cluster::uniform(4, 8).groups[0].clone();
    let large = Cluster::uniform(16, 8).groups[0].clone();
    let cluster = Cluster { groups: vec![large, small] };
    let mut jobs: Vec<Job> = (0..20)
        .map(|_| {
            let mut j = job(0.0, 8, 1000.0);
            j.preemptible = true;
            j
        })
        .collect();
    let mut gang = job(10.0, 128, 100.0);
    gang.priority = 10;
    jobs.push(gang);
    let opts = ReplayOptions { checkpoint: secs(5.0), restart: secs(0.0), ..ReplayOptions::default() };
    let spec = by_name("priority", &PolicyContext::default()).unwrap();
    let e = run(&jobs, &cluster, &spec, &opts);
    let preempted: Vec<u32> = (0..20).map(|j| e.job_run(j).preemptions).collect();
    assert_eq!(preempted.iter().sum::<u32>(), 16, "{preempted:?}");
    assert_eq!(&preempted[16..], &[0, 0, 0, 0]);
    assert_eq!(e.job_run(20).first_start, Some(secs(15.0)));
}

#[test]
fn a_gang_hit_by_a_failure_swaps_in_a_spare_and_keeps_its_other_nodes() {
    // 6 eight-GPU nodes: a 32-GPU (4-node) gang and two preemptible 8-GPU jobs on the other two.
    // Nodes fail often (one per node-day), repairs take 12 h. With spare swapping the gang takes
    // an idle node, or one a preemptible job holds (that job is interrupted like the failure),
    // and restarts in place: it is never re-queued, so it is never preempted, and it finishes its
    // work exactly. Without swapping it waits for whole placements and finishes later.
    let cluster = Cluster::uniform(6, 8);
    let mut gang = job(0.0, 32, 20.0 * 86_400.0);
    gang.priority = 10;
    gang.preemptible = false;
    gang.checkpoint_interval = secs(3600.0);
    let mut small = job(0.0, 8, 40.0 * 86_400.0);
    small.preemptible = true;
    let jobs = [gang, small, small];
    let failures = Failures {
        groups: vec![GroupFailures { node_rate_per_h: 1.0 / 24.0, repair_mean_h: 12.0 }],
        checkpoint_interval: secs(3600.0),
    };
    let base = ReplayOptions {
        failures: Some(failures),
        seed: 11,
        restart: secs(600.0),
        checkpoint: secs(60.0),
        usage_bucket: Some(secs(86_400.0)),
        ..ReplayOptions::default()
    };
    let spec = by_name("priority", &PolicyContext::default()).unwrap();
    let swapping = ReplayOptions { swap_spares: true, ..base.clone() };
    let e = run(&jobs, &cluster, &spec, &swapping);
    let g = e.job_run(0);
    assert!(g.failures > 5, "{} failures", g.failures);
    assert_eq!(g.preemptions, 0);
    assert_eq!(g.unserved, SimTime::ZERO);
    // Its spares came from the preemptible jobs at least once: they were interrupted.
    assert!(e.job_run(1).failures + e.job_run(2).failures > 0);
    // GPU-time is conserved: held by jobs + down ≤ the cluster's, every day.
    let u = e.usage().unwrap();
    for b in 0..u.held.len() {
        let held: u128 = u.held[b].iter().sum();
        let down = u.down.get(b).copied().unwrap_or(0);
        assert!(held + down <= 48 * 86_400 * 1_000_000, "day {b}");
    }
    let waiting = run(&jobs, &cluster, &spec, &base);
    assert!(waiting.job_run(0).end >= g.end, "{:?} vs {:?}", waiting.job_run(0).end, g.end);
}

#[test]
fn a_head_that_cannot_preempt_its_peers_leaves_them_easy_backfill() {
    // Four 1-GPU nodes, one group. H (priority 5, not preemptible) holds one from 0 to 100,
    // research job R0 two from 0 to 1,000. Research job R1 (3 GPUs) arrives at 1: it is the head;
    // the GPUs it could reach by preempting are R0's, whose priority equals its own, so it
    // preempts nothing, yet holds the group for itself. Research job R2 (1 GPU, 50 s) arrives at
    // 2. With EASY backfill R1's reservation is at 1,000 (R0's end), so R2 starts at once on the
    // idle GPU, inside R1's group, and is gone long before; without backfill R2 stays out of that
    // group, the only one, and both start at 1,000.
    let cluster = Cluster::uniform(4, 1);
    let mut h = job(0.0, 1, 100.0);
    h.priority = 5;
    h.preemptible = false;
    let research = |submit: f64, gpus: u32, duration: f64| {
        let mut j = job(submit, gpus, duration);
        j.preemptible = true;
        j
    };
    let jobs = [h, research(0.0, 2, 1000.0), research(1.0, 3, 10.0), research(2.0, 1, 50.0)];
    let opts = ReplayOptions::default();
    let starts = |policy: &str| {
        let spec = by_name(policy, &PolicyContext::default()).unwrap();
        let e = run(&jobs, &cluster, &spec, &opts);
        assert_eq!((0..4).map(|j| e.job_run(j).preemptions).sum::<u32>(), 0);
        (e.job_run(2).first_start, e.job_run(3).first_start)
    };
    assert_eq!(starts("priority+easy"), (Some(secs(1000.0)), Some(secs(2.0))));
    assert_eq!(starts("priority"), (Some(secs(1000.0)), Some(secs(1000.0))));
}
