//! Validation of the simulator against what is published and against its own closed form
//! (`docs/models/reliability.md`, "Validation"):
//!
//! * Llama 3's 54-day snapshot: 419 unexpected interruptions with Table 5's cause mix, and an
//!   ETTR above 0.90 with 10-second writes, 5-minute restarts and Young's interval;
//! * the closed form `(1 − N·r·(u0 + Δt/2)) / (1 + w/Δt)` as an oracle where `N·r·Δt ≤ 0.05`, and
//!   its optimum `Δt*` against the interval that maximises the simulated ETTR;
//! * determinism: the same seed gives the same JSON, whatever the number of threads;
//! * blast radius: a lost NVLink switch takes a whole NVL72 rack, a failed GPU parks one tray.

use std::sync::OnceLock;

use gigawatt_core::plan::evaluate;
use gigawatt_core::simulation::FailureCatalog;
use gigawatt_core::{Catalog, Model, SourceFile, load_scenario};
use gigawatt_sim::results::SimResults;
use gigawatt_sim::{SimOptions, SimTime, Simulation};

fn load(name: &str, text: &str) -> Model {
    load_scenario(&SourceFile::new(name, text), &Catalog::bundled().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn scenario(name: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
    load(name, &std::fs::read_to_string(path).unwrap())
}

fn prepare(model: &Model, options: SimOptions) -> Simulation {
    let eval = evaluate(model, &model.params.central());
    Simulation::new(model, &eval, options).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped Llama 3 scenario at its own settings (1,000 replicas of 54 days), run once.
fn llama3() -> &'static SimResults {
    static RESULTS: OnceLock<SimResults> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let model = scenario("llama3-405b-16k.toml");
        let options = SimOptions::from_model(&model);
        assert!(options.replicas >= 1000, "the validation needs at least 1,000 replicas");
        assert_eq!(options.days, 54.0);
        prepare(&model, options).run(&model, &|| {})
    })
}

#[test]
fn llama3_54_day_snapshot_has_about_419_unexpected_interruptions() {
    let r = llama3();
    let job = &r.jobs[0];
    assert_eq!(job.gpus, 16_384);
    assert_eq!(job.nodes, 2_048);
    let u = &job.interruptions.unexpected;
    eprintln!("Llama 3 unexpected interruptions: mean {:.1}, middle 95% {:?}", u.mean, u.spread95);
    assert!((u.mean - 419.0).abs() <= 41.0, "mean {} outside 419 ± 41", u.mean);
    assert!(u.spread95[0] <= 419.0 && 419.0 <= u.spread95[1], "middle 95% {:?} misses 419", u.spread95);
}

#[test]
fn llama3_cause_mix_matches_table5_counts_within_3_points() {
    let r = llama3();
    let job = &r.jobs[0];
    let cat = FailureCatalog::bundled().unwrap();
    let total = job.interruptions.unexpected.mean;
    let table5 =
        |c: &gigawatt_core::simulation::FailureClass| (c.rate.estimate.central * cat.reference_gpu_hours).round();
    for c in &cat.classes {
        let published = table5(c) / 419.0;
        let simulated = job.interruptions.by_cause.get(&c.name) / total;
        assert!((published - simulated).abs() <= 0.03, "{}: {simulated:.3} against {published:.3}", c.name);
    }
    let mut categories: Vec<&str> = Vec::new();
    for c in &cat.classes {
        if !categories.contains(&c.category.as_str()) {
            categories.push(&c.category);
        }
    }
    for cat_name in categories {
        let published: f64 = cat.classes.iter().filter(|c| c.category == cat_name).map(table5).sum::<f64>() / 419.0;
        let simulated = job.interruptions.by_category.get(cat_name) / total;
        eprintln!("{cat_name}: simulated {:.1}%, Table 5 {:.1}%", simulated * 100.0, published * 100.0);
        assert!((published - simulated).abs() <= 0.03, "{cat_name}: {simulated:.3} against {published:.3}");
    }
}

#[test]
fn llama3_ettr_is_above_090_with_10s_writes_5min_restarts_and_youngs_interval() {
    let job = &llama3().jobs[0];
    assert!(job.checkpoint_interval_auto);
    assert_eq!(job.checkpoint_write_s, 10.0);
    assert_eq!(job.restart_s + job.mean_detect_s, 300.0);
    eprintln!("Llama 3 ETTR: simulated {:.4}, closed form {:.4}", job.ettr.mean, job.ettr_closed_form);
    assert!(job.ettr.mean > 0.90, "ETTR {}", job.ettr.mean);
    // The GPU-hours add up to the job's wall time.
    let g = &job.gpu_hours;
    let sum = g.productive.mean + g.checkpoint.mean + g.rework.mean + g.restart.mean + g.waiting.mean;
    let wall = job.gpus as f64 * job.days * 24.0;
    assert!((sum / wall - 1.0).abs() < 1e-9, "{sum} vs {wall}");
}

/// A cluster where only GPU faults happen (exponential, node blast radius, repaired in an hour),
/// detected at once, with spares swapped in at once: the closed form's own assumptions.
fn oracle_scenario(
    rate_per_gpu_hour: f64,
    write_s: f64,
    restart_s: f64,
    interval_s: f64,
    days: f64,
    replicas: u32,
) -> String {
    let mut s = format!(
        "name = \"closed-form oracle\"\nseed = 11\n\n[[phase]]\nname = \"cluster\"\nonline = \"2024-H1\"\n\
         platform = \"h100-hgx\"\nsystems = 200\n\n[simulation]\ndays = {days}\nreplicas = {replicas}\ndetect_s = 0\n"
    );
    for c in FailureCatalog::bundled().unwrap().classes {
        if c.name == "faulty_gpu" {
            s += &format!(
                "\n[[failure]]\nname = \"faulty_gpu\"\nper_gpu_hour = {rate_per_gpu_hour}\nrepair_h = 1\nrepair_distribution = \"exponential\"\n"
            );
        } else {
            s += &format!("\n[[failure]]\nname = \"{}\"\nper_gpu_hour = 0\n", c.name);
        }
    }
    s += &format!(
        "\n[[job]]\nname = \"oracle\"\ngpus = 800\ncheckpoint_interval_s = {interval_s}\ncheckpoint_write_s = {write_s}\n\
         restart_s = {restart_s}\nswap_s = 0\nplanned_per_day = 0\n"
    );
    s
}

#[test]
fn simulated_ettr_agrees_with_the_closed_form_within_1_percent_where_nr_dt_is_small() {
    // N·r = 100 nodes × 8 GPUs × 6.25e-4 = 0.5 failures per hour; w = 20 s, u0 = 5 min.
    let (rate, w, u0): (f64, f64, f64) = (6.25e-4, 20.0, 300.0);
    let lambda_s = 800.0 * rate / 3600.0;
    let model = load("oracle.toml", &oracle_scenario(rate, w, u0, 360.0, 365.0, 8));
    let mut options = SimOptions::from_model(&model);
    options.sweep = true;
    let mut sim = prepare(&model, options);
    // Intervals with N·r·Δt from 0.005 to 0.05.
    sim.jobs[0].sweep = [36.0, 72.0, 120.0, 180.0, 240.0, 300.0, 360.0].map(SimTime::from_secs).to_vec();
    let r = sim.run(&model, &|| {});
    let job = &r.jobs[0];
    assert!((job.mtbf_h.unwrap() - 2.0).abs() < 1e-9);
    for p in job.interval_sweep.as_ref().unwrap() {
        let dt = p.interval_s;
        assert!(lambda_s * dt <= 0.05 + 1e-12);
        let formula = (1.0 - lambda_s * (u0 + dt / 2.0)) / (1.0 + w / dt);
        let rel = p.ettr.mean / formula - 1.0;
        eprintln!("Δt = {dt:>5} s: simulated {:.5}, closed form {formula:.5} ({:+.3}%)", p.ettr.mean, rel * 100.0);
        assert!(rel.abs() < 0.01, "Δt = {dt}: {} against {formula}", p.ettr.mean);
    }
    // The job's own interval gives the same as the sweep point at that interval (same trajectory).
    let at_360 = job.interval_sweep.as_ref().unwrap().last().unwrap();
    assert_eq!(at_360.ettr.mean, job.ettr.mean);
    // Restart time is what is left of wall time after the other uses; check it independently.
    // With no detection delay and no swap, a restart lasts u0 unless the next failure (which
    // counts as an interruption too) cuts it short: E[min(u0, Exp(λ))] = (1 − e^(−λ·u0)) / λ.
    let n = job.interruptions.unexpected.mean;
    let survive = (-lambda_s * u0).exp();
    let restart_s = job.gpu_hours.restart.mean / 800.0 * 3600.0;
    let expected_restart_s = n * (1.0 - survive) / lambda_s;
    assert!(
        (restart_s / expected_restart_s - 1.0).abs() < 0.01,
        "restart {restart_s} s against {expected_restart_s} s from {n} interruptions"
    );
    // Rework: the failures that strike while running (a share e^(−λ·u0) of them) lose the time
    // since the last completed cycle c = Δt + w: E[rest] = 1/λ − c·e^(−λc) / (1 − e^(−λc)).
    let c = 360.0 + w;
    let rest = 1.0 / lambda_s - c * (-lambda_s * c).exp() / (1.0 - (-lambda_s * c).exp());
    let rework_s = job.gpu_hours.rework.mean / 800.0 * 3600.0;
    let expected_rework_s = n * survive * rest;
    assert!((rework_s / expected_rework_s - 1.0).abs() < 0.02, "rework {rework_s} s against {expected_rework_s} s");
}

#[test]
fn the_interval_that_maximises_simulated_ettr_is_within_10_percent_of_the_formula_optimum() {
    // N·r = 0.5 per hour (M = 2 h), w = 5 s, u0 = 2 min: Δt* = 261 s, N·r·Δt* = 0.036.
    let (rate, w, u0): (f64, f64, f64) = (6.25e-4, 5.0, 120.0);
    let lambda_s = 800.0 * rate / 3600.0;
    let m = 1.0 / lambda_s;
    let optimum = -w + (w * w + 2.0 * (1.0 - lambda_s * u0) * w * m).sqrt();
    let young = (2.0 * w * m).sqrt();
    // 16 replicas × 365 days ≈ 70,000 failures: enough to resolve a flat optimum.
    let model = load("oracle.toml", &oracle_scenario(rate, w, u0, optimum, 365.0, 16));
    let mut options = SimOptions::from_model(&model);
    options.sweep = true;
    let mut sim = prepare(&model, options);
    // A fine grid from 0.5× to 2× the optimum, the same random numbers at every point.
    let grid: Vec<f64> = (0..=60).map(|k| optimum * 2f64.powf(-1.0 + k as f64 / 30.0)).collect();
    sim.jobs[0].sweep = grid.iter().copied().map(SimTime::from_secs).collect();
    let r = sim.run(&model, &|| {});
    let sweep = r.jobs[0].interval_sweep.as_ref().unwrap();
    let (xs, ys): (Vec<f64>, Vec<f64>) = sweep.iter().map(|p| (p.interval_s.ln(), p.ettr.mean)).unzip();
    // Vertex of the least-squares parabola through ETTR against ln Δt.
    let best = parabola_vertex(&xs, &ys).exp();
    let argmax = sweep.iter().max_by(|a, b| a.ettr.mean.total_cmp(&b.ettr.mean)).unwrap().interval_s;
    eprintln!(
        "optimum: simulated {best:.1} s (grid argmax {argmax:.1} s), formula Δt* {optimum:.1} s, Young {young:.1} s"
    );
    assert!((best / optimum - 1.0).abs() < 0.10, "simulated optimum {best} against Δt* {optimum}");
    assert!((argmax / optimum - 1.0).abs() < 0.10, "grid argmax {argmax} against Δt* {optimum}");
}

/// The x of the vertex of the least-squares parabola through the points.
fn parabola_vertex(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    // Centre x for conditioning, then solve the 3×3 normal equations.
    let mut s = [0.0f64; 5];
    let mut t = [0.0f64; 3];
    for (&x, &y) in xs.iter().zip(ys) {
        let d = x - mx;
        let mut p = 1.0;
        for (k, sk) in s.iter_mut().enumerate() {
            *sk += p;
            if k < 3 {
                t[k] += p * y;
            }
            p *= d;
        }
    }
    let a = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    let solve = |col: usize| {
        let mut m = a;
        for r in 0..3 {
            m[r][col] = t[r];
        }
        det(m) / d
    };
    let (b, c) = (solve(1), solve(2));
    assert!(c < 0.0, "ETTR is concave in ln Δt near its optimum");
    mx - b / (2.0 * c)
}

#[test]
fn same_seed_gives_identical_json_with_one_or_two_threads() {
    let model = scenario("llama3-405b-16k.toml");
    let options = SimOptions { replicas: 300, sweep: true, ..SimOptions::from_model(&model) };
    let sim = prepare(&model, options);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        serde_json::to_string(&pool.install(|| sim.run(&model, &|| {}))).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2), "1 and 2 threads differ");
    assert_eq!(one, run(2), "two runs with the same seed differ");
    let other = prepare(&model, SimOptions { seed: options.seed + 1, ..options });
    assert_ne!(one, serde_json::to_string(&other.run(&model, &|| {})).unwrap(), "the seed matters");
}

#[test]
fn a_raised_stop_ends_the_run_within_a_day_and_an_unraised_one_changes_nothing() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let model = scenario("llama3-405b-16k.toml");
    let options = SimOptions { replicas: 4, sweep: false, ..SimOptions::from_model(&model) };
    let sim = prepare(&model, options);
    let quiet = AtomicBool::new(false);
    let full = serde_json::to_string(&sim.run(&model, &|| {})).unwrap();
    let until = serde_json::to_string(&sim.run_until(&model, &|| {}, &quiet).unwrap()).unwrap();
    assert_eq!(full, until, "a stop never raised changes nothing");

    // Raised after the third simulated day: every replica running stops at its next day end.
    let (stop, days) = (AtomicBool::new(false), AtomicU64::new(0));
    let on_day = || {
        if days.fetch_add(1, Ordering::Relaxed) + 1 >= 3 {
            stop.store(true, Ordering::Relaxed);
        }
    };
    assert!(sim.run_until(&model, &on_day, &stop).is_none(), "a stopped run has no result");
    let threads = rayon::current_num_threads() as u64;
    let ran = days.load(Ordering::Relaxed);
    assert!(ran < 3 + threads, "{ran} days ran after the stop at day 3 ({threads} threads)");
    assert!(sim.progress_units() > 3 + threads, "the full run is longer than that");
}

/// A GB300 NVL72 fleet where only one class fails, at a fixed repair time of 10 h.
fn one_class_on_nvl72(class: &str) -> SimResults {
    let mut s =
        "name = \"nvl72\"\nseed = 5\n\n[[phase]]\nname = \"racks\"\nonline = \"2026-H1\"\nplatform = \"gb300-nvl72\"\n\
                 systems = 500\n\n[simulation]\ndays = 60\nreplicas = 8\n"
            .to_string();
    for c in FailureCatalog::bundled().unwrap().classes {
        if c.name == class {
            s += &format!(
                "\n[[failure]]\nname = \"{class}\"\nper_gpu_hour = 2e-5\nrepair_h = 10\nrepair_distribution = \"fixed\"\n"
            );
        } else {
            s += &format!("\n[[failure]]\nname = \"{}\"\nper_gpu_hour = 0\n", c.name);
        }
    }
    let model = load("nvl72.toml", &s);
    prepare(&model, SimOptions::from_model(&model)).run(&model, &|| {})
}

#[test]
fn a_lost_nvlink_switch_takes_the_whole_rack_while_a_failed_gpu_parks_one_tray() {
    let tray = one_class_on_nvl72("faulty_gpu");
    let rack = one_class_on_nvl72("network_switch_cable");
    assert_eq!(tray.fleet.phases[0].packages_per_node, 4);
    assert_eq!(tray.fleet.phases[0].nodes_per_rack, 18);
    // Little's law: GPUs down = failures per hour × 10 h × GPUs taken per failure.
    let per_failure = |r: &SimResults| r.fleet.gpus_down.mean / (r.fleet.failures_per_day.mean / 24.0 * 10.0);
    let (t, k) = (per_failure(&tray), per_failure(&rack));
    eprintln!("GPUs down per failure: GPU fault {t:.1}, NVLink-domain fault {k:.1}");
    assert!((t / 4.0 - 1.0).abs() < 0.05, "a GPU fault parks one 4-GPU tray: {t}");
    assert!((k / 72.0 - 1.0).abs() < 0.05, "an NVLink-domain fault takes the 72-GPU rack: {k}");
}

#[test]
fn a_power_event_takes_its_whole_row_of_racks() {
    // Only a new class with the `power_row` blast radius fails; rows of 8 GB300 NVL72 racks.
    let mut s = "name = \"rows\"\nseed = 6\n\n[[phase]]\nname = \"racks\"\nonline = \"2026-H1\"\n\
                 platform = \"gb300-nvl72\"\nsystems = 480\n\n[simulation]\ndays = 120\nreplicas = 8\n\
                 racks_per_power_row = 8\n\n[[failure]]\nname = \"row_power\"\ncategory = \"power\"\n\
                 per_gpu_hour = 1e-6\nblast_radius = \"power_row\"\ndetect_s = 60\nrepair_h = 10\n\
                 repair_distribution = \"fixed\"\n"
        .to_string();
    for c in FailureCatalog::bundled().unwrap().classes {
        s += &format!("\n[[failure]]\nname = \"{}\"\nper_gpu_hour = 0\n", c.name);
    }
    let model = load("rows.toml", &s);
    let r = prepare(&model, SimOptions::from_model(&model)).run(&model, &|| {});
    assert_eq!(r.fleet.phases[0].racks_per_power_row, 8);
    // Little's law: GPUs down = failures per hour × 10 h × GPUs taken per failure (8 racks × 72).
    let per_failure = r.fleet.gpus_down.mean / (r.fleet.failures_per_day.mean / 24.0 * 10.0);
    assert!((per_failure / 576.0 - 1.0).abs() < 0.05, "a row of 8 racks goes down: {per_failure} GPUs");
    assert!(r.fleet.failures_by_cause.get("row_power") > 50.0, "{:?}", r.fleet.failures_by_cause);
}

#[test]
fn without_spares_a_job_waits_for_its_nodes_to_come_back() {
    let mut s = "name = \"no spares\"\nseed = 9\n\n[[phase]]\nname = \"cluster\"\nonline = \"2024-H1\"\n\
                 platform = \"h100-hgx\"\nsystems = 64\n\n[simulation]\ndays = 30\nreplicas = 8\n\n\
                 [[failure]]\nname = \"faulty_gpu\"\nrepair_h = 12\nrepair_distribution = \"fixed\"\n"
        .to_string();
    s += "\n[[job]]\nname = \"alone\"\ngpus = 256\ncheckpoint_write_s = 30\nrestart_s = 600\nspares = 0\n";
    let alone = load("alone.toml", &s);
    let r = prepare(&alone, SimOptions::from_model(&alone)).run(&alone, &|| {});
    let with = load("pool.toml", &s.replace("spares = 0", "spares = \"phase\""));
    let p = prepare(&with, SimOptions::from_model(&with)).run(&with, &|| {});
    let (a, b) = (&r.jobs[0], &p.jobs[0]);
    assert!(a.gpu_hours.waiting.mean > 0.0);
    assert_eq!(b.gpu_hours.waiting.mean, 0.0);
    assert!(a.ettr.mean < b.ettr.mean, "{} vs {}", a.ettr.mean, b.ettr.mean);
    for j in [a, b] {
        let g = &j.gpu_hours;
        let sum = g.productive.mean + g.checkpoint.mean + g.rework.mean + g.restart.mean + g.waiting.mean;
        assert!((sum / (j.gpus as f64 * j.days * 24.0) - 1.0).abs() < 1e-9);
    }
}

#[test]
fn a_class_that_does_not_interrupt_takes_hardware_but_lets_the_job_run() {
    let mut s = "name = \"quiet\"\nseed = 3\n\n[[phase]]\nname = \"cluster\"\nonline = \"2024-H1\"\n\
                 platform = \"h100-hgx\"\nsystems = 64\n\n[simulation]\ndays = 30\nreplicas = 4\n"
        .to_string();
    for c in FailureCatalog::bundled().unwrap().classes {
        s += &format!("\n[[failure]]\nname = \"{}\"\nper_gpu_hour = 0\n", c.name);
    }
    s += "\n[[failure]]\nname = \"drained_for_health_check\"\ncategory = \"host\"\nper_node_day = 0.05\n\
          blast_radius = \"node\"\ndetect_s = 0\nrepair_h = 6\ninterrupts = false\n";
    s += "\n[[job]]\nname = \"steady\"\ngpus = 256\ncheckpoint_write_s = 10\nrestart_s = 300\nplanned_per_day = 0\n";
    let model = load("quiet.toml", &s);
    let r = prepare(&model, SimOptions::from_model(&model)).run(&model, &|| {});
    assert!(r.fleet.failures_per_day.mean > 2.0, "{}", r.fleet.failures_per_day.mean);
    let job = &r.jobs[0];
    assert_eq!(job.interruptions.unexpected.mean, 0.0);
    assert!(job.mtbf_h.is_none(), "no interrupting class, no MTBF");
    assert!(job.ettr.mean > 0.999, "{}", job.ettr.mean);
}

/// The Llama 3 cluster with one job of `gpus` GPUs and the scenario's `[simulation]` replaced.
fn llama3_cluster_job(gpus: u32, simulation: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/llama3-405b-16k.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let head = &text[..text.find("[simulation]").unwrap()];
    load(
        "small-job.toml",
        &format!(
            "{head}[simulation]\n{simulation}\n[[job]]\nname = \"small\"\ngpus = {gpus}\ncheckpoint_write_s = 10\nrestart_s = 300\nspares = \"phase\"\n"
        ),
    )
}

#[test]
fn a_small_jobs_printed_mtbf_counts_the_blast_radius_groups_it_touches() {
    // Regression (issue 11): an 8-GPU job's printed MTBF counted only its own node, while a
    // switch or power-row failure on a neighbour interrupts it too: 18 % off the simulated rate.
    let model = llama3_cluster_job(8, "days = 365\nreplicas = 3000\ndetect_s = 0");
    let r = prepare(&model, SimOptions::from_model(&model)).run(&model, &|| {});
    let job = &r.jobs[0];
    let printed_per_h = 1.0 / job.mtbf_h.expect("failures happen");
    let simulated_per_h = job.interruptions.unexpected.mean / (365.0 * 24.0);
    eprintln!("8-GPU job: printed {printed_per_h:.3e}/h, simulated {simulated_per_h:.3e}/h");
    // ≈ 4,400 interruptions over the replicas: ± 1.5 % standard error; the job is down ≈ 0.1 % of
    // the time, when it cannot be hit. Measured: 1.7 % apart (own node only: 6.5 %).
    assert!(
        (simulated_per_h / printed_per_h - 1.0).abs() < 0.04,
        "printed {printed_per_h} simulated {simulated_per_h}"
    );
}

#[test]
fn the_scenario_rate_multiplier_scales_the_reference_platform_too() {
    // Regression (issue 11): `[simulation] rate_multiplier` was ignored on H100.
    let once = llama3_cluster_job(16_384, "days = 54\nreplicas = 10");
    let twice = llama3_cluster_job(16_384, "days = 54\nreplicas = 10\nrate_multiplier = 2");
    let (a, b) = (once.simulation.multiplier(0), twice.simulation.multiplier(0));
    assert_eq!((a, b), (1.0, 2.0));
    // The scenario's multiplier is listed, as an assumption when it carries no source.
    let inputs = twice.simulation.inputs();
    let m = inputs.iter().find(|i| i.key == "simulation.rate_multiplier").expect("listed");
    assert!(!m.sourced && m.central == 2.0);
}

#[test]
fn failures_none_starts_from_no_bundled_class() {
    let model = llama3_cluster_job(8, "days = 10\nreplicas = 2\nfailures = \"none\"");
    assert!(model.simulation.classes.is_empty());
    let r = prepare(&model, SimOptions::from_model(&model)).run(&model, &|| {});
    assert_eq!(r.jobs[0].interruptions.unexpected.mean, 0.0);
}

#[test]
fn one_replica_on_a_shared_preparation_is_the_one_replica_run_of_its_seed() {
    let model = scenario("llama3-405b-16k.toml");
    let options = SimOptions { replicas: 1, days: 5.0, ..SimOptions::from_model(&model) };
    let shared = prepare(&model, SimOptions { seed: 99, replicas: 7, ..options });
    for seed in [1, 2025] {
        let alone = prepare(&model, SimOptions { seed, ..options }).run(&model, &|| {});
        let one = shared.run_one(&model, seed);
        assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&alone).unwrap());
    }
}
