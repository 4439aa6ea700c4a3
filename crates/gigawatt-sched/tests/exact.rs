//! The exact results a scheduler simulator can be checked against (scheduling.md §3): the
//! G/G/c FIFO schedule, Erlang C, Little's law, conservation of GPU-time, and a schedule written
//! down by hand under FIFO, SJF and EASY backfill.

use gigawatt_sched::policy::{PolicyContext, by_name};
use gigawatt_sched::{Cluster, Job, ReplayOptions, replay, secs};
use gigawatt_sim::SimTime;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Exp};

fn job(submit_s: f64, gpus: u32, duration_s: f64) -> Job {
    Job {
        submit: secs(submit_s),
        gpus,
        duration: secs(duration_s),
        user: 0,
        job_type: 0,
        priority: 0,
        share: 0,
        deadline: gigawatt_sched::job::NO_DEADLINE,
        preemptible: true,
        checkpoint_interval: SimTime::ZERO,
        restart: None,
        after: None,
    }
}

fn run(jobs: &[Job], cluster: &Cluster, policy: &str) -> gigawatt_sched::PolicyResult {
    run_with(jobs, cluster, policy, &ReplayOptions::default())
}

fn run_with(jobs: &[Job], cluster: &Cluster, policy: &str, opts: &ReplayOptions) -> gigawatt_sched::PolicyResult {
    let ctx = PolicyContext {
        gpu_seconds: jobs.iter().map(|j| f64::from(j.gpus) * j.duration.secs()).collect(),
        ..PolicyContext::default()
    };
    let spec = by_name(policy, &ctx).unwrap();
    replay(jobs, cluster, &spec, opts, &[], &[])
}

/// Six jobs on one 4-GPU node, scheduled by hand in docs/models/replay.md.
fn six() -> Vec<Job> {
    vec![job(0.0, 2, 6.0), job(1.0, 4, 5.0), job(2.0, 1, 3.0), job(3.0, 2, 20.0), job(4.0, 1, 3.0), job(5.0, 2, 1.0)]
}

fn starts_and_ends(r: &gigawatt_sched::PolicyResult) -> (Vec<f64>, Vec<f64>) {
    (r.jobs.iter().map(|j| j.start_s).collect(), r.jobs.iter().map(|j| j.end_s).collect())
}

#[test]
fn six_jobs_under_fifo_sjf_and_easy_match_the_schedules_worked_by_hand() {
    let node = Cluster::uniform(1, 4);
    let cases = [
        ("fifo", [0.0, 6.0, 11.0, 11.0, 11.0, 14.0], [6.0, 11.0, 14.0, 31.0, 14.0, 15.0]),
        ("sjf", [0.0, 7.0, 2.0, 12.0, 4.0, 6.0], [6.0, 12.0, 5.0, 32.0, 7.0, 7.0]),
        ("easy", [0.0, 6.0, 2.0, 11.0, 11.0, 5.0], [6.0, 11.0, 5.0, 31.0, 14.0, 6.0]),
    ];
    for (policy, starts, ends) in cases {
        let r = run(&six(), &node, policy);
        assert_eq!(starts_and_ends(&r), (starts.to_vec(), ends.to_vec()), "{policy}");
    }
}

/// The reference G/G/c FIFO schedule: each job, in arrival order, starts when it arrives or when
/// the earliest of the c servers frees, whichever is later.
fn ggc_starts(jobs: &[Job], c: usize) -> Vec<u64> {
    let mut free = std::collections::BinaryHeap::new();
    for _ in 0..c {
        free.push(std::cmp::Reverse(0u64));
    }
    jobs.iter()
        .map(|j| {
            let std::cmp::Reverse(at) = free.pop().unwrap();
            let start = at.max(j.submit.0);
            free.push(std::cmp::Reverse(start + j.duration.0));
            start
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn one_gpu_jobs_under_fifo_start_exactly_when_a_ggc_queue_says(
        gaps in prop::collection::vec(0u64..5_000_000, 1..300),
        durations in prop::collection::vec(1u64..20_000_000, 300),
        c in 1u32..12,
        per_node in 1u32..4,
    ) {
        let mut t = 0;
        let jobs: Vec<Job> = gaps.iter().zip(&durations).map(|(g, d)| {
            t += g;
            Job { submit: SimTime(t), gpus: 1, duration: SimTime(*d), user: 0, job_type: 0, priority: 0, share: 0, deadline: gigawatt_sched::job::NO_DEADLINE, preemptible: true, checkpoint_interval: SimTime::ZERO, restart: None, after: None }
        }).collect();
        let gpus = c * per_node;
        let r = run(&jobs, &Cluster::uniform(c, per_node), "fifo");
        let expected = ggc_starts(&jobs, gpus as usize);
        for (i, (o, e)) in r.jobs.iter().zip(&expected).enumerate() {
            prop_assert_eq!(secs(o.start_s).0, *e, "job {}", i);
        }
    }
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load `a`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let last = term * f64::from(c) / (f64::from(c) - a);
    last / (sum + last)
}

#[test]
fn mm_c_mean_wait_matches_erlang_c_within_a_99_percent_interval_under_3_percent_wide() {
    // c = 8 one-GPU servers, mean service 1,000 s, load 0.75: W_q = C(8, 6) / (cμ − λ).
    let (c, mean_s, rho) = (8u32, 1_000.0, 0.75);
    let (mu, lambda) = (1.0 / mean_s, rho * f64::from(c) / mean_s);
    let n = 3_000_000;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let (gap, service) = (Exp::new(lambda).unwrap(), Exp::new(mu).unwrap());
    let mut t = 0.0;
    let jobs: Vec<Job> = (0..n)
        .map(|_| {
            t += gap.sample(&mut rng);
            job(t, 1, service.sample(&mut rng))
        })
        .collect();
    let r = run(&jobs, &Cluster::uniform(c, 1), "fifo");
    // Batch means: drop the first 5 % as warm-up, then 30 batches.
    let waits: Vec<f64> = r.jobs[n / 20..].iter().map(|j| j.queue_delay_s()).collect();
    let batches: Vec<f64> =
        waits.chunks(waits.len() / 30).take(30).map(|b| b.iter().sum::<f64>() / b.len() as f64).collect();
    let mean = batches.iter().sum::<f64>() / 30.0;
    let sd = (batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / 29.0).sqrt();
    let half = 2.756 * sd / 30f64.sqrt(); // t(0.995, 29 df)
    let exact = erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda);
    println!("Erlang C {exact:.3} s; simulated {mean:.3} ± {half:.3} s (99 %), {} jobs", n);
    assert!(half / mean < 0.03, "half-width {half:.2} s is {:.1} % of the mean {mean:.2} s", 100.0 * half / mean);
    assert!((mean - exact).abs() <= half, "Erlang C gives {exact:.2} s; simulated {mean:.2} ± {half:.2} s");
}

#[test]
fn littles_law_and_gpu_time_conservation_hold_exactly_on_a_busy_mixed_trace() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    // About 100 of the 128 GPUs asked for on average: busy, with queues.
    let (gap, service) = (Exp::new(1.0 / 240.0).unwrap(), Exp::new(1.0 / 3_000.0).unwrap());
    let sizes = [1, 1, 1, 2, 4, 8, 16, 32];
    let mut t: f64 = 0.0;
    let jobs: Vec<Job> = (0..5_000)
        .map(|i| {
            t += gap.sample(&mut rng);
            let d: f64 = service.sample(&mut rng);
            job(t.round(), sizes[i % sizes.len()], d.round().max(1.0))
        })
        .collect();
    for policy in ["fifo", "sjf", "srtf", "las", "tiresias", "gittins", "priority", "fifo+easy"] {
        let opts = ReplayOptions { checkpoint: secs(30.0), restart: secs(60.0), ..ReplayOptions::default() };
        let r = run_with(&jobs, &Cluster::uniform(16, 8), policy, &opts);
        // Little: the area under the number of jobs in the system equals the sum of their times in it.
        let sum_jct: f64 = r.jobs.iter().map(|j| j.jct_s()).sum();
        let area = r.mean_jobs_in_system * r.makespan_s;
        assert!((area - sum_jct).abs() <= 1e-9 * sum_jct, "{policy}: ∫N dt = {area}, Σ JCT = {sum_jct}");
        // Conservation: work in = work done; allocated = done + lost + rounding.
        let g = r.gpu_time;
        assert!((g.work_in - g.done).abs() <= 1e-9 * g.work_in, "{policy}: {g:?}");
        let accounted = g.done + g.lost_to_preemption + g.lost_to_failures + g.rounding;
        assert!((g.allocated - accounted).abs() <= 1e-6 * g.allocated, "{policy}: {g:?}");
    }
}

#[test]
fn fractional_jobs_share_one_gpu_and_conserve_gpu_time() {
    // Four quarter-GPU jobs and one half-GPU job on a single 1-GPU node: sharing, the quarters
    // run together at once and the half waits for two of them; whole, they run one by one.
    let mut jobs: Vec<Job> = (0..4).map(|i| job(0.0, 1, 100.0 + f64::from(i))).collect();
    jobs.push(job(1.0, 1, 50.0));
    let whole = run(&jobs, &Cluster::uniform(1, 1), "fifo");
    assert_eq!(whole.jobs.iter().map(|j| j.start_s).collect::<Vec<_>>(), [0.0, 100.0, 201.0, 303.0, 406.0]);
    for (j, share) in jobs.iter_mut().zip([25, 25, 25, 25, 50]) {
        j.share = share;
    }
    let shared = run(&jobs, &Cluster::uniform(1, 1), "fifo");
    assert_eq!(shared.jobs.iter().map(|j| j.start_s).collect::<Vec<_>>(), [0.0, 0.0, 0.0, 0.0, 101.0]);
    let g = shared.gpu_time;
    let expected = (4.0 * 0.25 * 101.5 + 0.5 * 50.0) / 3600.0;
    assert!((g.work_in - expected).abs() < 1e-12 && (g.done - g.work_in).abs() < 1e-12, "{g:?}");
    assert!((g.allocated - g.done).abs() < 1e-12, "shares held = work done: {g:?}");
    // The GPU counts as busy whenever any share of it is held: 0 to 151 s.
    assert!((shared.utilisation - 1.0).abs() < 1e-9, "{}", shared.utilisation);
}

#[test]
fn a_job_after_another_arrives_when_that_one_has_done_its_work() {
    let node = Cluster::uniform(2, 8);
    let first = job(0.0, 8, 10.0);
    let then = Job { after: Some(0), ..job(0.0, 2, 5.0) };
    let independent = job(1.0, 2, 3.0);
    let r = run(&[first, then, independent], &node, "fifo");
    let (starts, ends) = starts_and_ends(&r);
    assert_eq!(starts, [0.0, 10.0, 1.0], "the dependent job starts when the first ends, not at its submit");
    assert_eq!(ends, [10.0, 15.0, 4.0]);
    // The first job stopped unserved at its deadline: the dependent one never arrives.
    let cut = Job { deadline: secs(5.0), ..first };
    let jobs = [cut, then, independent];
    let spec = by_name("fifo", &PolicyContext::default()).unwrap();
    let opts = ReplayOptions::default();
    let mut e = gigawatt_sched::Engine::new(&jobs, &node, &spec, &opts);
    e.run();
    assert!(e.job_run(0).unserved > SimTime::ZERO, "the first job ran out of time");
    assert_eq!(e.job_run(1).first_start, None, "the dependent job never arrived");
    assert_eq!(e.job_run(1).end, secs(5.0), "it is done, unserved, when the first job ends");
    assert_eq!(e.job_run(1).unserved, then.duration);
    assert_eq!(e.job_run(2).first_start, Some(secs(1.0)));
}
