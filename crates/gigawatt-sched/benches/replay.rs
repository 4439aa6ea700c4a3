//! Replay speed (issue 12's targets, on this project's 2-core machine):
//! * 20,000 jobs on 6,500 GPUs: ≤ 0.5 s per policy with first-fit; frag-aware within 3× of that
//!   (the Alibaba PAI 2020 simulator takes 51–111 s for this size);
//! * 1,000,000 jobs on 100,000 GPUs: ≤ 30 s.
//!
//! `cargo bench -p gigawatt-sched --features bench`

use criterion::{Criterion, criterion_group, criterion_main};
use gigawatt_sched::policy::{PolicyContext, by_name};
use gigawatt_sched::{Cluster, Job, Placement, ReplayOptions, replay, secs};
use rand::RngExt;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Exp, LogNormal};

/// `n` jobs arriving as a Poisson stream that keeps `gpus` about 90 % busy: sizes in GPUs
/// shaped like a research cluster's (most of one GPU, a tail of gangs), run times lognormal
/// with a median of 10 minutes.
fn workload(n: usize, gpus: u64) -> Vec<Job> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let sizes = [(1, 0.6), (2, 0.1), (4, 0.1), (8, 0.12), (16, 0.05), (64, 0.03)];
    let mean_size: f64 = sizes.iter().map(|(s, w)| f64::from(*s) * w).sum();
    let run = LogNormal::new((600f64).ln(), 1.5).unwrap();
    let mean_run = 600.0 * (1.5f64 * 1.5 / 2.0).exp();
    let rate = 0.9 * gpus as f64 / (mean_size * mean_run);
    let gap = Exp::new(rate).unwrap();
    let mut t = 0.0;
    (0..n)
        .map(|_| {
            t += gap.sample(&mut rng);
            let mut u: f64 = rng.random();
            let gpus = sizes.iter().find(|(_, w)| {
                u -= w;
                u < 0.0
            });
            let d: f64 = run.sample(&mut rng);
            Job {
                submit: secs(t),
                gpus: gpus.map_or(1, |s| s.0),
                duration: secs(d.max(1.0)),
                user: 0,
                job_type: 0,
                priority: 0,
                share: 0,
                deadline: gigawatt_sched::job::NO_DEADLINE,
                preemptible: true,
                checkpoint_interval: gigawatt_sim::SimTime::ZERO,
                restart: None,
                after: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let jobs = workload(20_000, 6_504);
    let cluster = Cluster::uniform(813, 8);
    let ctx = PolicyContext {
        gpu_seconds: jobs.iter().map(|j| f64::from(j.gpus) * j.duration.secs()).collect(),
        ..PolicyContext::default()
    };
    let mut g = c.benchmark_group("20k_jobs_6500_gpus");
    g.sample_size(10);
    for policy in ["fifo", "sjf", "srtf", "las", "tiresias", "gittins", "priority", "fifo+easy"] {
        let spec = by_name(policy, &ctx).unwrap();
        let opts = ReplayOptions::default();
        g.bench_function(policy, |b| b.iter(|| replay(&jobs, &cluster, &spec, &opts, &[], &[])));
    }
    for placement in ["best-fit", "frag-aware", "consolidated-rack"] {
        let spec = by_name("fifo+easy", &ctx).unwrap();
        let opts = ReplayOptions { placement: Placement::by_name(placement).unwrap(), ..ReplayOptions::default() };
        g.bench_function(format!("fifo+easy/{placement}"), |b| {
            b.iter(|| replay(&jobs, &cluster, &spec, &opts, &[], &[]))
        });
    }
    g.finish();

    let jobs = workload(1_000_000, 100_000);
    let cluster = Cluster::uniform(12_500, 8);
    let mut g = c.benchmark_group("1m_jobs_100k_gpus");
    g.sample_size(10);
    for policy in ["fifo", "fifo+easy", "tiresias"] {
        let spec = by_name(policy, &ctx).unwrap();
        let opts = ReplayOptions::default();
        g.bench_function(policy, |b| b.iter(|| replay(&jobs, &cluster, &spec, &opts, &[], &[])));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
