//! Synthetic job streams: a [`Synthetic`] spec (read from TOML) and [`generate`], which draws a
//! [`Trace`] from it with a seeded random stream.
//!
//! Arrivals are a Poisson process (exponential gaps at a rate in jobs per hour) or gaps drawn
//! with replacement from a real trace's inter-arrival gaps; sizes come from a discrete
//! distribution given as (GPUs, weight) pairs; durations from an exponential (mean), a
//! lognormal (median and σ of the log; mean = median·e^{σ²/2}) or an empirical list of
//! (seconds, weight). Size and duration are drawn independently. Each of the three draws has
//! its own random stream derived from the seed, so changing one distribution does not change
//! the others' draws; the same spec and seed give the same trace on every machine.
//!
//! ```toml
//! jobs = 10000
//! sizes = [[1, 0.54], [8, 0.3], [64, 0.1], [512, 0.06]]  # [GPUs, weight]
//! [arrivals]
//! kind = "poisson"          # or "resample" with `trace = "file"` (and `format`) or `gaps_s = [...]`
//! rate_per_hour = 150.0
//! [durations]
//! kind = "lognormal"        # or "exponential" with `mean_s`, or "empirical" with `values = [[s, w], ...]`
//! median_s = 122.0
//! sigma = 2.2
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use gigawatt_core::error::KeyPath;
use gigawatt_core::{InputError, SourceFile};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::weighted::WeightedIndex;
use rand_distr::{Distribution, Exp, LogNormal};
use serde::Deserialize;

use crate::build::{MAX_GPUS, MAX_SECONDS};
use crate::{Format, ReadOptions, Status, Trace, TraceJob, load_trace};

/// Most jobs a spec may ask for (bounds memory: about 100 bytes a job).
pub const MAX_JOBS: u64 = 50_000_000;

/// A synthetic job stream.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synthetic {
    /// How many jobs to generate (1 to [`MAX_JOBS`]).
    pub jobs: u64,
    /// When jobs arrive.
    pub arrivals: Arrivals,
    /// Job sizes: `[GPUs, weight]` pairs; a job asks for GPUs with probability weight/Σweights.
    pub sizes: Vec<(u32, f64)>,
    /// How long jobs run.
    pub durations: Durations,
}

/// When jobs arrive; the first job arrives at 0.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrivals {
    /// A Poisson process: exponential gaps with mean 3600 / `rate_per_hour` seconds.
    Poisson {
        /// Mean arrivals per hour (> 0).
        rate_per_hour: f64,
    },
    /// Gaps drawn with replacement from a list, e.g. a real trace's inter-arrival gaps.
    Resample {
        /// The gaps to draw from, in seconds (≥ 0); filled from `trace` by [`load_synthetic`].
        #[serde(default)]
        gaps_s: Vec<f64>,
        /// A trace file whose gaps to draw from, relative to the spec's file.
        #[serde(default)]
        trace: Option<String>,
        /// That trace's format (a [`Format`] name); detected when absent.
        #[serde(default)]
        format: Option<String>,
    },
}

/// How long jobs run, in seconds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Durations {
    /// Exponential with this mean.
    Exponential {
        /// Mean run time, seconds (> 0).
        mean_s: f64,
    },
    /// Lognormal: ln(duration) is normal with mean ln(`median_s`) and standard deviation
    /// `sigma`.
    Lognormal {
        /// Median run time, seconds (> 0).
        median_s: f64,
        /// Standard deviation of ln(duration) (0 to 5).
        sigma: f64,
    },
    /// One of the listed values, each with probability weight/Σweights.
    Empirical {
        /// `[seconds, weight]` pairs.
        values: Vec<(f64, f64)>,
    },
}

impl Arrivals {
    /// Arrivals resampled from `trace`'s inter-arrival gaps.
    pub fn resample(trace: &Trace) -> Arrivals {
        Arrivals::Resample { gaps_s: inter_arrival_gaps(trace), trace: None, format: None }
    }
}

/// The gaps between consecutive submits of a trace (sorted by submit time, so all ≥ 0).
fn inter_arrival_gaps(trace: &Trace) -> Vec<f64> {
    trace.jobs.windows(2).map(|w| w[1].submit_s - w[0].submit_s).collect()
}

/// Reads and checks a spec; errors point at the offending key.
pub fn parse_synthetic(file: &SourceFile) -> Result<Synthetic, InputError> {
    let spec: Synthetic = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    spec.check(true).map_err(|(path, message)| InputError::at(file, &path, message))?;
    Ok(spec)
}

/// Reads the spec at `path`, and the trace its arrivals resample (relative to the spec's
/// directory), into a spec ready for [`generate`].
pub fn load_synthetic(path: &Path) -> Result<Synthetic, InputError> {
    resolve_synthetic(&crate::load::read_file(path)?, path.parent().unwrap_or(Path::new("")))
}

/// [`load_synthetic`] of a spec already read: `file`, whose relative trace paths start from `dir`.
pub fn resolve_synthetic(file: &SourceFile, dir: &Path) -> Result<Synthetic, InputError> {
    let mut spec = parse_synthetic(file)?;
    if let Arrivals::Resample { gaps_s, trace: Some(trace), format } = &mut spec.arrivals {
        let at = KeyPath::root().key("arrivals");
        let format = match format.as_deref().map(str::parse::<Format>).transpose() {
            Ok(format) => format,
            Err(e) => return Err(InputError::at(file, &at.key("format"), e.to_string())),
        };
        let trace_path = dir.join(trace.as_str());
        let trace = load_trace(&trace_path, &ReadOptions { format, skip_bad: false })?;
        let from_trace = inter_arrival_gaps(&trace);
        if from_trace.is_empty() {
            let message = format!("{} has one job, so no inter-arrival gap to resample", trace_path.display());
            return Err(InputError::at(file, &at.key("trace"), message));
        }
        *gaps_s = from_trace;
    }
    Ok(spec)
}

impl Synthetic {
    /// Checks every value; `Err` names the key and what is wrong. With `unresolved`, a
    /// `resample` that names a trace need not list gaps yet.
    pub fn check(&self, unresolved: bool) -> Result<(), (KeyPath, String)> {
        let root = KeyPath::root();
        if !(1..=MAX_JOBS).contains(&self.jobs) {
            return Err((root.key("jobs"), format!("jobs must be between 1 and {MAX_JOBS}")));
        }
        self.check_arrivals(&root.key("arrivals"), unresolved)?;
        check_weights(&root.key("sizes"), self.sizes.iter().map(|&(g, w)| (f64::from(g), w)), 1.0, MAX_GPUS, "GPUs")?;
        self.check_durations(&root.key("durations"))
    }

    fn check_arrivals(&self, at: &KeyPath, unresolved: bool) -> Result<(), (KeyPath, String)> {
        match &self.arrivals {
            Arrivals::Poisson { rate_per_hour } => positive(at.key("rate_per_hour"), *rate_per_hour),
            Arrivals::Resample { gaps_s, trace, .. } => {
                if gaps_s.is_empty() && !(unresolved && trace.is_some()) {
                    return Err((at.clone(), "resample needs `gaps_s` or a `trace` to take them from".into()));
                }
                match gaps_s.iter().position(|g| !(0.0..=MAX_SECONDS).contains(g)) {
                    Some(i) => Err((at.key("gaps_s").index(i), format!("a gap must be 0 to {MAX_SECONDS:e} s"))),
                    None => Ok(()),
                }
            }
        }
    }

    fn check_durations(&self, at: &KeyPath) -> Result<(), (KeyPath, String)> {
        match &self.durations {
            Durations::Exponential { mean_s } => positive(at.key("mean_s"), *mean_s),
            Durations::Lognormal { median_s, sigma } => {
                positive(at.key("median_s"), *median_s)?;
                if !(0.0..=5.0).contains(sigma) {
                    return Err((at.key("sigma"), "sigma must be between 0 and 5".into()));
                }
                Ok(())
            }
            Durations::Empirical { values } => {
                check_weights(&at.key("values"), values.iter().copied(), 0.0, MAX_SECONDS, "seconds")
            }
        }
    }
}

fn positive(at: KeyPath, x: f64) -> Result<(), (KeyPath, String)> {
    if x.is_finite() && x > 0.0 && x <= MAX_SECONDS { Ok(()) } else { Err((at, format!("must be > 0 (got {x})"))) }
}

/// Checks `[value, weight]` pairs: values in `min..=max`, weights ≥ 0 and not all 0.
fn check_weights(
    at: &KeyPath,
    pairs: impl Iterator<Item = (f64, f64)>,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<(), (KeyPath, String)> {
    let mut total = 0.0;
    for (i, (value, weight)) in pairs.enumerate() {
        if !(min..=max).contains(&value) {
            return Err((at.index(i), format!("{unit} must be {min} to {max:e} (got {value})")));
        }
        if !(weight.is_finite() && weight >= 0.0) {
            return Err((at.index(i), format!("a weight must be ≥ 0 (got {weight})")));
        }
        total += weight;
    }
    if total > 0.0 && total.is_finite() {
        Ok(())
    } else {
        Err((at.clone(), "needs at least one positive weight".into()))
    }
}

/// A draw that cannot fail: a distribution, or a constant where the spec was not valid.
enum Draw {
    Constant(f64),
    Exp(Exp<f64>),
    LogNormal(LogNormal<f64>),
    Choice(WeightedIndex<f64>, Vec<f64>),
}

impl Draw {
    fn choice(pairs: impl Iterator<Item = (f64, f64)>) -> Draw {
        let (values, weights): (Vec<f64>, Vec<f64>) = pairs.unzip();
        match WeightedIndex::new(weights.iter().map(|w| if w.is_finite() { w.max(0.0) } else { 0.0 })) {
            Ok(index) => Draw::Choice(index, values),
            Err(_) => Draw::Constant(values.first().copied().unwrap_or(0.0)),
        }
    }

    fn sample(&self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        match self {
            Draw::Constant(x) => *x,
            Draw::Exp(d) => d.sample(rng),
            Draw::LogNormal(d) => d.sample(rng),
            Draw::Choice(index, values) => values[index.sample(rng)],
        }
    }
}

fn arrival_draw(arrivals: &Arrivals) -> Draw {
    match arrivals {
        Arrivals::Poisson { rate_per_hour } => Exp::new(rate_per_hour / 3600.0).map_or(Draw::Constant(0.0), Draw::Exp),
        Arrivals::Resample { gaps_s, .. } => Draw::choice(gaps_s.iter().map(|&g| (g, 1.0))),
    }
}

fn duration_draw(durations: &Durations) -> Draw {
    match durations {
        Durations::Exponential { mean_s } => Exp::new(1.0 / mean_s).map_or(Draw::Constant(*mean_s), Draw::Exp),
        Durations::Lognormal { median_s, sigma } => {
            LogNormal::new(median_s.ln(), *sigma).map_or(Draw::Constant(*median_s), Draw::LogNormal)
        }
        Durations::Empirical { values } => Draw::choice(values.iter().copied()),
    }
}

/// A random stream for one kind of draw, derived from the seed.
fn stream(seed: u64, kind: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Draws the jobs of `spec` with `seed` one by one, without building a trace: `each(i, submit_s,
/// gpus, duration_s)` for i = 0, 1, … up to `spec.jobs` (at most [`MAX_JOBS`]). The draws are those
/// of [`generate`], job for job.
pub fn stream_jobs(spec: &Synthetic, seed: u64, mut each: impl FnMut(u64, f64, u32, f64)) {
    let (arrivals, sizes, durations) = (arrival_draw(&spec.arrivals), sizes_draw(spec), duration_draw(&spec.durations));
    let (mut arrive_rng, mut size_rng, mut duration_rng) = (stream(seed, 1), stream(seed, 2), stream(seed, 3));
    let mut t = 0.0;
    for i in 0..spec.jobs.min(MAX_JOBS) {
        if i > 0 {
            t += finite(arrivals.sample(&mut arrive_rng));
        }
        let gpus = finite(sizes.sample(&mut size_rng)).clamp(1.0, MAX_GPUS) as u32;
        each(i, t, gpus, finite(durations.sample(&mut duration_rng)));
    }
}

/// Draws `jobs` jobs whose (GPUs, run time) pairs are drawn with replacement from `pairs` (a real
/// trace's jobs, so that large jobs keep their long run times), arriving as a Poisson process of
/// `rate_per_s`: `each(i, submit_s, gpus, duration_s)` as [`stream_jobs`] calls it. Deterministic
/// for a seed; nothing is drawn from an empty list or at a rate that is not positive.
pub fn resample_jobs(
    pairs: &[(u32, f64)],
    jobs: u64,
    rate_per_s: f64,
    seed: u64,
    mut each: impl FnMut(u64, f64, u32, f64),
) {
    let Ok(gaps) = Exp::new(rate_per_s) else { return };
    if pairs.is_empty() || !(rate_per_s > 0.0 && rate_per_s.is_finite()) {
        return;
    }
    let pick = Draw::choice(pairs.iter().enumerate().map(|(k, _)| (k as f64, 1.0)));
    let (mut arrive_rng, mut pick_rng) = (stream(seed, 1), stream(seed, 4));
    let mut t = 0.0;
    for i in 0..jobs.min(MAX_JOBS) {
        if i > 0 {
            t += finite(gaps.sample(&mut arrive_rng));
        }
        let k = (pick.sample(&mut pick_rng) as usize).min(pairs.len() - 1);
        let (gpus, duration_s) = pairs[k];
        each(i, t, gpus.max(1), finite(duration_s));
    }
}

/// Draws a trace from `spec` with `seed`: deterministic for a (spec, seed). The spec should
/// pass [`Synthetic::check`]; an invalid one still gives a trace (invalid parts fall back to
/// constants), never a panic.
pub fn generate(spec: &Synthetic, seed: u64) -> Trace {
    let n = spec.jobs.min(MAX_JOBS);
    let mut jobs = Vec::with_capacity(n.min(1 << 20) as usize);
    stream_jobs(spec, seed, |i, submit_s, gpus, duration_s| {
        jobs.push(TraceJob {
            id: format!("syn-{i}"),
            submit_s,
            gpus,
            gpu_fraction: 0.0,
            duration_s,
            user: 0,
            job_type: 0,
            gpu_type: 0,
            priority: 0,
            status: Status::Completed,
        });
    });
    Trace {
        format: Format::Generic,
        name: format!("synthetic (seed {seed})"),
        jobs,
        users: vec![String::new()],
        job_types: vec![String::new()],
        gpu_types: vec![String::new()],
        fractional_rounded: 0,
        skipped: BTreeMap::new(),
        cpu_only: 0,
    }
}

fn sizes_draw(spec: &Synthetic) -> Draw {
    let draw = Draw::choice(spec.sizes.iter().map(|&(g, w)| (f64::from(g), w)));
    match draw {
        Draw::Constant(_) if spec.sizes.is_empty() => Draw::Constant(1.0),
        draw => draw,
    }
}

/// `x` if it is a finite time ≥ 0, clamped to [`MAX_SECONDS`]; else 0.
fn finite(x: f64) -> f64 {
    if x.is_finite() { x.clamp(0.0, MAX_SECONDS) } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<Synthetic, InputError> {
        parse_synthetic(&SourceFile::new("spec.toml", text))
    }

    const SPEC: &str = r#"
jobs = 100
sizes = [[1, 0.5], [8, 0.5]]
[arrivals]
kind = "poisson"
rate_per_hour = 60.0
[durations]
kind = "exponential"
mean_s = 600.0
"#;

    #[test]
    fn a_spec_reads_from_toml() {
        let s = spec(SPEC).unwrap();
        assert_eq!(s.jobs, 100);
        assert_eq!(s.sizes, vec![(1, 0.5), (8, 0.5)]);
        assert_eq!(s.arrivals, Arrivals::Poisson { rate_per_hour: 60.0 });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located() {
        let err = spec(&SPEC.replace("mean_s", "mean")).unwrap_err();
        assert!(err.message.contains("unknown field `mean`"), "{err}");
        assert_eq!(err.location().unwrap().1, 7, "the [durations] table");
        let err = spec(&SPEC.replace("rate_per_hour = 60.0", "rate_per_hour = -1.0")).unwrap_err();
        assert_eq!(err.location().unwrap().1, 6, "{err}");
        let err = spec(&SPEC.replace("[8, 0.5]", "[0, 0.5]")).unwrap_err();
        assert!(err.message.contains("GPUs"), "{err}");
    }

    #[test]
    fn an_invalid_spec_still_generates_without_panicking() {
        let bad = Synthetic {
            jobs: 3,
            arrivals: Arrivals::Resample { gaps_s: vec![], trace: None, format: None },
            sizes: vec![],
            durations: Durations::Lognormal { median_s: -1.0, sigma: f64::NAN },
        };
        let trace = generate(&bad, 1);
        assert_eq!(trace.jobs.len(), 3);
        assert!(trace.jobs.iter().all(|j| j.gpus >= 1 && j.duration_s.is_finite()));
    }
}
