//! Reliability per platform and availability (`docs/models/reliability.md`, "Reliability
//! families" and "Availability"):
//!
//! * A100 (ampere): OPT-175B's ~1.25 incidents a day on 992 A100, and Delta's memory class at
//!   1/3.2 of H100's share;
//! * `[simulation] rate_multiplier` scales H100 too, and is listed as an assumption unless sourced;
//! * the printed expected MTBF counts whole blast-radius groups (an 8-GPU job's simulated MTBF);
//! * `failures = "none"`, the memory label, the warning for a job that holds its whole phase, and
//!   availability as `1 − waiting ÷ wall`.

use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, Model, SourceFile, load_scenario};
use gigawatt_sim::results::SimResults;
use gigawatt_sim::{SimOptions, Simulation};

fn load(text: &str) -> Model {
    load_scenario(&SourceFile::new("s.toml", text), &Catalog::bundled().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn run(model: &Model) -> SimResults {
    let eval = evaluate(model, &model.params.central());
    let sim = Simulation::new(model, &eval, SimOptions::from_model(model)).unwrap_or_else(|e| panic!("{e}"));
    sim.run(model, &|| {})
}

/// One phase of `systems` servers of `platform`, one job of `gpus`, and `extra` lines of
/// `[simulation]` and `[[job]]` settings.
fn scenario(platform: &str, systems: u32, gpus: u32, simulation: &str, job: &str) -> String {
    format!(
        "name = \"t\"\nseed = 7\n[[phase]]\nname = \"cluster\"\nonline = \"2024-H1\"\nplatform = \"{platform}\"\n\
         systems = {systems}\n[simulation]\n{simulation}\n[[job]]\nname = \"j\"\ngpus = {gpus}\nplanned_per_day = 0\n{job}\n"
    )
}

#[test]
fn opt175b_on_992_a100_sees_about_1_25_incidents_a_day() {
    // OPT-175B (reliability reference §3.8): ~1.25 incidents a day on 992 A100 (124 servers).
    let text = scenario("a100-hgx", 124, 992, "days = 56\nreplicas = 200", "spares = \"phase\"");
    let r = run(&load(&text));
    let job = &r.jobs[0];
    let per_day = job.interruptions.unexpected.mean / 56.0;
    eprintln!("A100 OPT-175B: {per_day:.3} incidents a day (published ~1.25)");
    assert!((per_day - 1.25).abs() <= 0.05 * 1.25, "{per_day} incidents a day, published 1.25 ± 5%");
    // Delta: H100 memory errors 3.2× A100's per GPU; Table 5's 72 of 419 become 22.5 of 369.5.
    let hbm = job.interruptions.by_cause.get("gpu_hbm3") / job.interruptions.unexpected.mean;
    let expected = (72.0 / 3.2) / (419.0 - 72.0 + 72.0 / 3.2);
    assert!((hbm - expected).abs() <= 0.015, "memory share {hbm:.3}, expected {expected:.3}");
    let label = &r.fleet.causes.iter().find(|c| c.name == "gpu_hbm3").unwrap().label;
    assert_eq!(label, "GPU HBM2e memory", "cause labels follow the platform");
    assert!(r.inputs.iter().any(|i| i.key == "family.ampere.rate_multiplier" && i.sourced));
}

#[test]
fn the_ampere_family_rate_is_opts_per_node_day_rate_exactly() {
    // Exact oracle: Σ_c ampere rate_c × 8 × 24 per server-day = 1.25 / 124 (up to the rounding of
    // the catalog's 3.017).
    let model = load(&scenario("a100-hgx", 124, 992, "", ""));
    let spec = &model.simulation;
    let per_node_day: f64 = spec.classes.iter().map(|c| spec.rate_per_package_hour(c, 0) * 8.0 * 24.0).sum();
    let opt = 1.25 / 124.0;
    assert!((per_node_day / opt - 1.0).abs() < 2e-4, "{per_node_day} vs {opt}");
    let h100 = load(&scenario("h100-hgx", 124, 992, "", ""));
    let s = &h100.simulation;
    let llama: f64 = s.classes.iter().map(|c| s.rate_per_package_hour(c, 0) * 8.0 * 24.0).sum();
    assert!((llama - 419.0 / (2048.0 * 54.0)).abs() < 1e-12, "H100 keeps Llama 3's 3.79 per 1,000 node-days");
}

#[test]
fn rate_multiplier_scales_h100_too_and_is_an_assumption_unless_sourced() {
    let base = load(&scenario("h100-hgx", 64, 8, "", ""));
    let doubled = load(&scenario("h100-hgx", 64, 8, "rate_multiplier = 2", ""));
    let (b, d) = (&base.simulation, &doubled.simulation);
    for c in &b.classes {
        assert!((d.rate_per_package_hour(c, 0) - 2.0 * b.rate_per_package_hour(c, 0)).abs() < 1e-18, "{}", c.name);
    }
    let listed = |m: &Model| m.simulation.inputs().into_iter().find(|i| i.key == "simulation.rate_multiplier");
    assert!(listed(&base).is_none(), "no multiplier given, none listed");
    assert!(!listed(&doubled).unwrap().sourced, "a bare multiplier is an assumption");
    let sourced = load(&scenario(
        "h100-hgx",
        64,
        8,
        "rate_multiplier = { value = 2, source = \"a measured fleet\", grade = \"official\" }",
        "",
    ));
    assert!(listed(&sourced).unwrap().sourced);
    let per_phase = load(&scenario("h100-hgx", 64, 8, "[simulation.phase_rate_multiplier]\ncluster = 3", ""));
    let p = &per_phase.simulation;
    assert!((p.multiplier(0) - 3.0).abs() < 1e-12);
}

#[test]
fn an_8_gpu_jobs_printed_mtbf_matches_its_simulated_one_within_3_percent() {
    // 4 servers per rack under one switch: a switch failure on any of the 4 reaches the job.
    let text = scenario("h100-hgx", 64, 8, "days = 365\nreplicas = 400\nrate_multiplier = 10", "spares = \"phase\"");
    let r = run(&load(&text));
    let job = &r.jobs[0];
    let simulated_h = 365.0 * 24.0 / job.interruptions.unexpected.mean;
    let printed_h = job.mtbf_h.unwrap();
    eprintln!("8-GPU job: printed MTBF {printed_h:.2} h, simulated {simulated_h:.2} h");
    assert!((printed_h / simulated_h - 1.0).abs() <= 0.03, "printed {printed_h}, simulated {simulated_h}");
}

#[test]
fn failures_none_starts_from_no_bundled_class() {
    let text = scenario("h100-hgx", 8, 8, "failures = \"none\"", "")
        + "[[failure]]\nname = \"collective\"\ncategory = \"unknown\"\nper_gpu_hour = 1e-5\nblast_radius = \"job\"\ndetect_s = 60\n";
    let model = load(&text);
    let names: Vec<&str> = model.simulation.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["collective"]);
    let err = load_scenario(
        &SourceFile::new("s.toml", scenario("h100-hgx", 8, 8, "failures = \"nothing\"", "")),
        &Catalog::bundled().unwrap(),
    )
    .unwrap_err();
    assert!(err.message.contains("`nothing` is not a set of failure classes"), "{}", err.message);
    assert!(err.to_string().contains("s.toml:"), "located: {err}");
}

#[test]
fn a_job_holding_its_whole_phase_with_phase_spares_is_warned_about() {
    let whole = run(&load(&scenario("h100-hgx", 4, 32, "days = 5\nreplicas = 2", "spares = \"phase\"")));
    assert_eq!(whole.jobs[0].warnings.len(), 1, "{:?}", whole.jobs[0].warnings);
    assert!(whole.jobs[0].warnings[0].contains("holds all 4 nodes of phase `cluster`"));
    let spare = run(&load(&scenario("h100-hgx", 5, 32, "days = 5\nreplicas = 2", "spares = \"phase\"")));
    assert!(spare.jobs[0].warnings.is_empty());
    let reserved = run(&load(&scenario("h100-hgx", 4, 32, "days = 5\nreplicas = 2", "spares = 0")));
    assert!(reserved.jobs[0].warnings.is_empty(), "waiting for repair was asked for");
}

#[test]
fn availability_is_the_share_of_time_a_job_held_all_its_nodes() {
    let text = scenario("h100-hgx", 16, 128, "days = 60\nreplicas = 50\nrate_multiplier = 5", "spares = 0");
    let r = run(&load(&text));
    let job = &r.jobs[0];
    let wall_gpu_h = job.days * 24.0 * job.gpus as f64;
    let from_waiting = 1.0 - job.gpu_hours.waiting.mean / wall_gpu_h;
    assert!(job.availability.mean < 0.99, "without spares the job waits for repairs: {}", job.availability.mean);
    assert!((job.availability.mean - from_waiting).abs() < 1e-9, "{} vs {from_waiting}", job.availability.mean);
    let spared = run(&load(&scenario("h100-hgx", 32, 128, "days = 60\nreplicas = 50\nrate_multiplier = 5", "")));
    assert!(spared.jobs[0].availability.mean > job.availability.mean);
}

/// A scenario with only its own classes (`failures = "none"`) on `systems` H100 servers.
fn own_classes(systems: u32, gpus: u32, simulation: &str, classes: &str) -> String {
    scenario("h100-hgx", systems, gpus, &format!("failures = \"none\"\n{simulation}"), "spares = \"phase\"") + classes
}

#[test]
fn a_per_job_class_fails_a_small_and_a_large_job_alike() {
    let class = "[[failure]]\nname = \"collective_hang\"\ncategory = \"unknown\"\nper_job_day = 2\n\
                 blast_radius = \"job\"\ndetect_s = 600\n";
    for gpus in [8, 800] {
        let r = run(&load(&own_classes(128, gpus, "days = 50\nreplicas = 100", class)));
        let job = &r.jobs[0];
        let per_day = job.interruptions.unexpected.mean / 50.0;
        eprintln!("{gpus} GPUs: {per_day:.3} per-job failures a day (rate 2)");
        assert!((per_day - 2.0).abs() <= 0.04, "{gpus} GPUs: {per_day}");
        assert!((job.mtbf_h.unwrap() - 12.0).abs() < 1e-9, "printed MTBF counts the per-job rate");
    }
    let bad = "[[failure]]\nname = \"x\"\ncategory = \"unknown\"\nper_job_day = 2\nblast_radius = \"node\"\n\
               detect_s = 60\nrepair_h = 1\n";
    let err = load_scenario(&SourceFile::new("s.toml", own_classes(8, 8, "", bad)), &Catalog::bundled().unwrap())
        .unwrap_err();
    assert!(err.message.contains("fails per job, so it can only crash the job"), "{}", err.message);
}

#[test]
fn lemon_nodes_raise_the_fleet_rate_by_share_times_factor_minus_one() {
    let class = "[[failure]]\nname = \"gpu\"\ncategory = \"gpu\"\nper_gpu_hour = 1e-4\nblast_radius = \"node\"\n\
                 detect_s = 60\nrepair_h = 2\n";
    let sim = "days = 100\nreplicas = 50\nlemon_share = 0.1\nlemon_rate_factor = 11";
    let r = run(&load(&own_classes(100, 80, sim, class)));
    // 100 nodes × 8 GPUs × 1e-4 × 24 h = 1.92 a day; 10 lemons at 11× double it: 3.84.
    let expected = 1.92 * (1.0 + 0.1 * 10.0);
    assert!((r.fleet.failures_per_day_expected - expected).abs() < 1e-9, "{}", r.fleet.failures_per_day_expected);
    let measured = r.fleet.failures_per_day.mean;
    eprintln!("lemons: {measured:.3} failures a day, expected {expected:.3} (thinning lowers it slightly)");
    assert!((measured / expected - 1.0).abs() <= 0.03, "{measured} vs {expected}");
    // The job holds the first 10 nodes: one of them (node 0) is a lemon, so 19 ordinary nodes' rate.
    let job = &r.jobs[0];
    assert!((job.mtbf_h.unwrap() - 1.0 / (8.0 * 1e-4 * 20.0)).abs() < 1e-9, "{}", job.mtbf_h.unwrap());
    let listed: Vec<_> = r.assumptions().map(|i| i.key.as_str()).collect();
    assert!(listed.contains(&"simulation.lemon_share") && listed.contains(&"simulation.lemon_rate_factor"));
}

/// The bundled H100 file as a user platform `h100-test` with `extra` appended before its tables.
fn user_h100(extra: &str) -> Catalog {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/platforms/h100-hgx.toml");
    let text = std::fs::read_to_string(path).unwrap().replace("id = \"h100-hgx\"", "id = \"h100-test\"").replacen(
        "\n[system_power_kw]",
        &format!("\n{extra}\n[system_power_kw]"),
        1,
    );
    Catalog::load(&[SourceFile::new("h100-test.toml", text)]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_platform_file_may_override_single_classes_of_its_family() {
    let cat = user_h100("failure_class_multiplier.gpu_hbm3 = { value = 2, source = \"a test\", grade = \"official\" }");
    let text = scenario("h100-test", 8, 8, "", "");
    let model = load_scenario(&SourceFile::new("s.toml", text), &cat).unwrap_or_else(|e| panic!("{e}"));
    let base = load(&scenario("h100-hgx", 8, 8, "", ""));
    let (s, b) = (&model.simulation, &base.simulation);
    for c in &s.classes {
        let ratio = s.rate_per_package_hour(c, 0) / b.rate_per_package_hour(c, 0);
        let want = if c.name == "gpu_hbm3" { 2.0 } else { 1.0 };
        assert!((ratio - want).abs() < 1e-12, "{}: {ratio}", c.name);
    }
    assert!(s.inputs().iter().any(|i| i.key == "platform.h100-test.class_multiplier.gpu_hbm3" && i.sourced));
    let bad = user_h100("failure_class_multiplier.gpu_hbm9 = { value = 2, source = \"a test\", grade = \"official\" }");
    let err = load_scenario(&SourceFile::new("s.toml", scenario("h100-test", 8, 8, "", "")), &bad).unwrap_err();
    assert!(err.message.contains("no failure class is named `gpu_hbm9`"), "{}", err.message);
    assert!(err.to_string().contains("s.toml:"), "located at the phase: {err}");
}

#[test]
fn a_platform_naming_no_family_takes_the_reference_familys_rates_as_a_listed_assumption() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/platforms/b200-hgx.toml");
    let text = std::fs::read_to_string(path).unwrap().replace("id = \"b200-hgx\"", "id = \"b200-test\"");
    let text: String = text.lines().filter(|l| !l.starts_with("reliability_family")).collect::<Vec<_>>().join("\n");
    let cat = Catalog::load(&[SourceFile::new("b200-test.toml", text.clone())]).unwrap();
    let model = load_scenario(&SourceFile::new("s.toml", scenario("b200-test", 8, 8, "", "")), &cat).unwrap();
    assert_eq!(model.simulation.phases[0].family, "hopper");
    let inputs = model.simulation.inputs();
    let carried = inputs.iter().find(|i| i.key == "simulation.phase[0].reliability_family").unwrap();
    assert!(!carried.sourced);
    let unknown = text.replacen("\nmemory_type", "\nreliability_family = \"maxwell\"\nmemory_type", 1);
    let cat = Catalog::load(&[SourceFile::new("b200-test.toml", unknown)]).unwrap();
    let err = load_scenario(&SourceFile::new("s.toml", scenario("b200-test", 8, 8, "", "")), &cat).unwrap_err();
    assert!(err.message.contains("reliability family `maxwell`"), "{}", err.message);
}

#[test]
fn a_jobs_rate_multiplier_scales_the_failures_on_its_nodes_as_printed() {
    // One node-radius class, so a job's exposure is its own nodes whatever swaps do to placement.
    let two_jobs = |m: &str| {
        format!(
            "name = \"t\"\nseed = 9\n[[phase]]\nname = \"cluster\"\nonline = \"2024-H1\"\nplatform = \"h100-hgx\"\n\
             systems = 64\n[simulation]\ndays = 365\nreplicas = 100\nfailures = \"none\"\n\
             [[job]]\nname = \"scaled\"\ngpus = 64\nplanned_per_day = 0\nrate_multiplier = {m}\n\
             [[job]]\nname = \"plain\"\ngpus = 64\nplanned_per_day = 0\n\
             [[failure]]\nname = \"gpu\"\ncategory = \"gpu\"\nper_gpu_hour = 1e-4\nblast_radius = \"node\"\n\
             detect_s = 60\nrepair_h = 2\n"
        )
    };
    for m in [3.0, 0.5] {
        let r = run(&load(&two_jobs(&m.to_string())));
        for (job, factor) in r.jobs.iter().zip([m, 1.0]) {
            let simulated = job.interruptions.unexpected.mean / (365.0 * 24.0);
            let printed = 1.0 / job.mtbf_h.unwrap();
            eprintln!("m = {m}, {}: {simulated:.5} interruptions/h simulated, {printed:.5} printed", job.name);
            assert!((printed - 64.0 * 1e-4 * factor).abs() < 1e-12, "printed rate is m × 64 GPUs × 1e-4");
            assert!((simulated / printed - 1.0).abs() <= 0.03, "m = {m}, {}: {simulated} vs {printed}", job.name);
        }
        let listed = r.inputs.iter().find(|i| i.key == "job[0].rate_multiplier").unwrap();
        assert!(!listed.sourced, "a bare job multiplier is an assumption");
    }
}

#[test]
fn a_scenario_asking_for_spares_sizing_gets_it_from_simulate() {
    let text = scenario("a100-hgx", 40, 256, "days = 30\nreplicas = 8\nspares_for = \"availability=0.99\"", "");
    let model = load(&text);
    let eval = evaluate(&model, &model.params.central());
    let r = gigawatt_sim::simulate(&model, &eval, SimOptions::from_model(&model)).unwrap();
    let sizing = r.spares_sizing.expect("spares_for asks for a sizing");
    let phase = &sizing.phases[0];
    assert_eq!(phase.idle_nodes, 8, "40 servers less the job's 32");
    let smallest = phase.spares.expect("8 idle servers reach 0.99 at A100's rates");
    let at = |s: u32| phase.curve.iter().find(|p| p.spares == s);
    assert!(at(smallest).unwrap().availability >= 0.99);
    if smallest > 0 {
        assert!(at(smallest - 1).unwrap().availability < 0.99);
    }
    // Exact: a pool cut to every idle node is the plain run, byte for byte.
    let sim = Simulation::new(&model, &eval, SimOptions::from_model(&model)).unwrap();
    let plain = serde_json::to_string(&sim.run(&model, &|| {})).unwrap();
    let capped = serde_json::to_string(&sim.with_phase_spares(0, 8).run(&model, &|| {})).unwrap();
    assert_eq!(plain, capped);
}

/// Two H100 phases `a` and `b` of 16 servers, a job on each, and `extra` sections.
fn two_phases(extra: &str) -> String {
    let phase =
        |n: &str| format!("[[phase]]\nname = \"{n}\"\nonline = \"2024-H1\"\nplatform = \"h100-hgx\"\nsystems = 16\n");
    format!(
        "name = \"t\"\nseed = 5\n{}{}[simulation]\ndays = 10\nreplicas = 2\n\
         [[job]]\nname = \"ja\"\nphase = \"a\"\ngpus = 64\n[[job]]\nname = \"jb\"\nphase = \"b\"\ngpus = 64\n{extra}",
        phase("a"),
        phase("b")
    )
}

#[test]
fn a_failure_scoped_to_a_phase_or_a_job_sets_its_rate_there_alone() {
    let text = two_phases(
        "[[failure]]\nname = \"faulty_gpu\"\nphase = \"b\"\nper_gpu_hour = 0\n\
         [[failure]]\nname = \"hang\"\ncategory = \"unknown\"\nper_job_day = 1\nblast_radius = \"job\"\ndetect_s = 60\n\
         [[failure]]\nname = \"hang\"\njob = \"jb\"\nper_job_day = 4\n\
         [[failure]]\nname = \"burn_in\"\ncategory = \"gpu\"\nphase = \"a\"\nper_node_day = 0.01\nblast_radius = \"node\"\n\
         detect_s = 60\nrepair_h = 24\n",
    );
    let model = load(&text);
    let s = &model.simulation;
    let class = |n: &str| s.classes.iter().find(|c| c.name == n).unwrap();
    let gpu = class("faulty_gpu");
    assert!((s.rate_per_package_hour(gpu, 0) * 21_233_664.0 - 148.0).abs() < 1e-9, "phase a keeps Table 5's rate");
    assert_eq!(s.rate_per_package_hour(gpu, 1), 0.0);
    let burn = class("burn_in");
    assert!((s.rate_per_package_hour(burn, 0) - 0.01 / 24.0 / 8.0).abs() < 1e-15);
    assert_eq!(s.rate_per_package_hour(burn, 1), 0.0, "a new scoped class fails nowhere else");
    let hang = class("hang");
    assert!((s.rate_per_job_hour(hang, 0) - 1.0 / 24.0).abs() < 1e-15);
    assert!((s.rate_per_job_hour(hang, 1) - 4.0 / 24.0).abs() < 1e-15);
    let keys: Vec<String> = s.inputs().into_iter().map(|i| i.key).collect();
    assert!(keys.contains(&"failure.faulty_gpu.rate.phase[1]".to_string()), "{keys:?}");
    assert!(keys.contains(&"failure.hang.rate.job[1]".to_string()));
    let r = run(&model);
    assert_eq!(r.jobs[1].interruptions.by_cause.get("burn_in"), 0.0, "burn-in only on phase a");
}

#[test]
fn a_scoped_failure_with_more_than_a_rate_or_a_bad_scope_is_a_located_error() {
    let err = |extra: &str| {
        let e = load_scenario(&SourceFile::new("s.toml", two_phases(extra)), &Catalog::bundled().unwrap()).unwrap_err();
        assert!(e.to_string().contains("s.toml:"), "located: {e}");
        e.message.to_string()
    };
    let m = err("[[failure]]\nname = \"faulty_gpu\"\nphase = \"b\"\nper_gpu_hour = 0\ndetect_s = 5\n");
    assert!(m.contains("sets only the rate of `faulty_gpu`"), "{m}");
    let m = err("[[failure]]\nname = \"faulty_gpu\"\njob = \"jb\"\nper_gpu_hour = 0\n");
    assert!(m.contains("scoped to a job gives its rate per_job_day"), "{m}");
    let m = err("[[failure]]\nname = \"faulty_gpu\"\nphase = \"c\"\nper_gpu_hour = 0\n");
    assert!(m.contains("no phase is named `c`"), "{m}");
    let m = err("[[failure]]\nname = \"faulty_gpu\"\nphase = \"a\"\njob = \"ja\"\nper_gpu_hour = 0\n");
    assert!(m.contains("either `phase` or `job`"), "{m}");
}
