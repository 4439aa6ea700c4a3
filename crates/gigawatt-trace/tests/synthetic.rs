//! The synthetic generator draws what its spec says: deterministic per seed, with the mean gap,
//! mean duration and size frequencies of the spec on 100,000 jobs.

use std::path::Path;

use gigawatt_trace::synthetic::{load_synthetic, parse_synthetic};
use gigawatt_trace::{Arrivals, Durations, ReadOptions, SourceFile, Synthetic, Trace, generate, load_trace};

const N: u64 = 100_000;

fn spec(arrivals: Arrivals, durations: Durations) -> Synthetic {
    Synthetic { jobs: N, arrivals, sizes: vec![(1, 0.54), (8, 0.3), (64, 0.1), (512, 0.06)], durations }
}

fn poisson_exponential() -> Synthetic {
    spec(Arrivals::Poisson { rate_per_hour: 120.0 }, Durations::Exponential { mean_s: 1800.0 })
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    sum / n as f64
}

fn mean_gap(trace: &Trace) -> f64 {
    mean(trace.jobs.windows(2).map(|w| w[1].submit_s - w[0].submit_s))
}

fn mean_duration(trace: &Trace) -> f64 {
    mean(trace.jobs.iter().map(|j| j.duration_s))
}

fn assert_near(actual: f64, expected: f64, relative: f64, what: &str) {
    assert!((actual - expected).abs() <= relative * expected, "{what}: {actual}, expected {expected} ± {relative:.1e}");
}

#[test]
fn the_same_seed_gives_the_same_trace_and_another_seed_another() {
    let s = poisson_exponential();
    assert_eq!(generate(&s, 7), generate(&s, 7));
    assert_ne!(generate(&s, 7).jobs, generate(&s, 8).jobs);
}

#[test]
fn changing_the_durations_leaves_the_arrivals_and_sizes_alone() {
    let a = generate(&poisson_exponential(), 3);
    let mut other = poisson_exponential();
    other.durations = Durations::Lognormal { median_s: 100.0, sigma: 1.0 };
    let b = generate(&other, 3);
    assert!(a.jobs.iter().zip(&b.jobs).all(|(x, y)| x.submit_s == y.submit_s && x.gpus == y.gpus));
}

#[test]
fn poisson_arrivals_have_the_mean_gap_of_the_rate() {
    let trace = generate(&poisson_exponential(), 1);
    assert_eq!(trace.jobs.len(), N as usize);
    assert_eq!(trace.jobs[0].submit_s, 0.0);
    // The standard error of the mean of 100k exponential gaps is 0.3 %: 1.5 % is five of them.
    assert_near(mean_gap(&trace), 30.0, 0.015, "mean gap");
}

#[test]
fn exponential_durations_have_their_mean() {
    assert_near(mean_duration(&generate(&poisson_exponential(), 2)), 1800.0, 0.015, "mean duration");
}

#[test]
fn lognormal_durations_have_their_median_and_mean() {
    let s = spec(Arrivals::Poisson { rate_per_hour: 120.0 }, Durations::Lognormal { median_s: 122.0, sigma: 1.0 });
    let trace = generate(&s, 3);
    assert_near(mean_duration(&trace), 122.0 * (0.5f64).exp(), 0.02, "mean duration");
    let mut durations: Vec<f64> = trace.jobs.iter().map(|j| j.duration_s).collect();
    durations.sort_by(f64::total_cmp);
    assert_near(durations[durations.len() / 2], 122.0, 0.02, "median duration");
}

#[test]
fn empirical_durations_take_only_the_listed_values_by_weight() {
    let durations = Durations::Empirical { values: vec![(60.0, 3.0), (3600.0, 1.0)] };
    let trace = generate(&spec(Arrivals::Poisson { rate_per_hour: 60.0 }, durations), 4);
    assert!(trace.jobs.iter().all(|j| j.duration_s == 60.0 || j.duration_s == 3600.0));
    assert_near(mean_duration(&trace), 0.75 * 60.0 + 0.25 * 3600.0, 0.02, "mean duration");
}

#[test]
fn sizes_come_with_the_frequencies_of_their_weights() {
    let trace = generate(&poisson_exponential(), 5);
    for (gpus, weight) in [(1, 0.54), (8, 0.3), (64, 0.1), (512, 0.06)] {
        let share = trace.jobs.iter().filter(|j| j.gpus == gpus).count() as f64 / N as f64;
        // Binomial standard deviation ≤ 0.0016 at 100k: 0.008 is five of them.
        assert!((share - weight).abs() < 0.008, "{gpus} GPUs: share {share}, weight {weight}");
    }
}

#[test]
fn resampled_arrivals_use_only_the_traces_gaps() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiresias.csv");
    let real = load_trace(&fixture, &ReadOptions::default()).unwrap();
    let gaps = [40.0, 25.0, 0.0];
    assert_eq!(Arrivals::resample(&real), Arrivals::Resample { gaps_s: gaps.to_vec(), trace: None, format: None });
    let trace = generate(&spec(Arrivals::resample(&real), Durations::Exponential { mean_s: 60.0 }), 6);
    assert!(trace.jobs.windows(2).all(|w| gaps.contains(&(w[1].submit_s - w[0].submit_s))));
    assert_near(mean_gap(&trace), 65.0 / 3.0, 0.02, "mean gap");
}

#[test]
fn a_spec_can_name_the_trace_whose_gaps_it_resamples() {
    let dir = std::env::temp_dir().join(format!("gigawatt-trace-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiresias.csv");
    std::fs::copy(&fixture, dir.join("jobs.csv")).unwrap();
    let text = "jobs = 10\nsizes = [[1, 1]]\n[arrivals]\nkind = \"resample\"\ntrace = \"jobs.csv\"\n\
                format = \"tiresias\"\n[durations]\nkind = \"exponential\"\nmean_s = 60.0\n";
    std::fs::write(dir.join("spec.toml"), text).unwrap();
    let loaded = load_synthetic(&dir.join("spec.toml"));
    std::fs::remove_dir_all(&dir).unwrap();
    let Arrivals::Resample { gaps_s, .. } = loaded.unwrap().arrivals else { panic!("not resample") };
    assert_eq!(gaps_s, [40.0, 25.0, 0.0]);
}

#[test]
fn the_bundled_example_reads_and_has_seren_like_statistics() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/synthetic-acme-seren.toml");
    let spec = load_synthetic(&path).unwrap();
    let mut many = spec.clone();
    many.jobs = N;
    let trace = generate(&many, 11);
    // AcmeTrace's Seren: mean duration 1,414 s, mean 5.7 GPUs a job, ≈ 54 % of jobs on 1 GPU.
    assert_near(mean_duration(&trace), 1414.0, 0.15, "mean duration");
    assert_near(mean(trace.jobs.iter().map(|j| f64::from(j.gpus))), 5.7, 0.1, "mean GPUs");
    assert_near(mean_gap(&trace), 3600.0 / 150.0, 0.02, "mean gap");
}

#[test]
fn a_bad_spec_is_an_error_at_its_key() {
    let text = "jobs = 0\nsizes = [[1, 1]]\n[arrivals]\nkind = \"poisson\"\nrate_per_hour = 1.0\n\
                [durations]\nkind = \"exponential\"\nmean_s = 1.0\n";
    let e = parse_synthetic(&SourceFile::new("spec.toml", text)).unwrap_err();
    assert_eq!(e.location().unwrap().1, 1, "{e}");
    let e = parse_synthetic(&SourceFile::new("spec.toml", text.replace("poisson", "hawkes"))).unwrap_err();
    assert!(e.message.contains("hawkes"), "{e}");
}
