//! Capacity allocates day by day (issue 11 item 7): each defect of the monthly allocation has a
//! regression test here, and GPU-hours charged equal GPU-hours used.

use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_workloads::capacity::{Capacity, capacity};

fn run(text: &str) -> Capacity {
    let model = load_scenario(&SourceFile::new("days.toml", text), &Catalog::bundled().unwrap()).unwrap();
    capacity(&model, &Catalog::bundled().unwrap()).unwrap()
}

/// 512 H100 servers (4,096 GPUs) fully online on `online`, and `runs` as `[[training]]` text.
fn cluster(online: &str, runs: &str) -> String {
    format!(
        "name = \"days\"\n[[phase]]\nname = \"cluster\"\nonline = \"{online}\"\nplatform = \"h100-hgx\"\nsystems = 512\n{runs}"
    )
}

/// A run of `gpus` H100s from `start`, sized to take `days` days of compute at MFU 0.4 (ETTR 1,
/// no planned restarts).
fn a_run(name: &str, gpus: u32, start: &str, days: f64) -> String {
    a_run_with(name, gpus, start, days, "planned_restarts_per_day = 0\n")
}

/// As [`a_run`], with `overheads` as the text of its `[training.overheads]`.
fn a_run_with(name: &str, gpus: u32, start: &str, days: f64, overheads: &str) -> String {
    let flops = f64::from(gpus) * 989e12 * 0.4 * days * 86_400.0;
    format!(
        "[[training]]\nname = \"{name}\"\nparams_active = 1e9\ntokens = {tokens:e}\nmfu = 0.4\ngpus = {gpus}\nstart = \"{start}\"\n[training.reliability]\nmethod = \"ignored\"\n[training.overheads]\n{overheads}",
        tokens = flops / 6e9
    )
}

fn month_hours(label: &str) -> f64 {
    let (y, m): (i32, u32) = (label[..4].parse().unwrap(), label[5..7].parse().unwrap());
    let first = gigawatt_core::date::Date::from_ymd(y, m, 1).unwrap();
    let next = if m == 12 {
        gigawatt_core::date::Date::from_ymd(y + 1, 1, 1)
    } else {
        gigawatt_core::date::Date::from_ymd(y, m + 1, 1)
    }
    .unwrap();
    (next.days_since_epoch() - first.days_since_epoch()) as f64 * 24.0
}

#[test]
fn a_run_that_ends_on_the_4th_is_charged_the_hours_it_used_and_the_next_starts_the_day_after() {
    // Run A: 4,096 GPUs from 2025-03-01 for 3.5 days (ends on the 4th); run B wants the same GPUs.
    let text = cluster("2025-01-01", &(a_run("A", 4096, "2025-03-01", 3.5) + &a_run("B", 4096, "2025-03-01", 10.0)));
    let c = run(&text);
    let (a, b) = (&c.training[0], &c.training[1]);
    assert_eq!(a.finish.map(|d| d.to_string()).as_deref(), Some("2025-03-04"));
    // Before: B waited for April.
    assert_eq!(b.started.map(|d| d.to_string()).as_deref(), Some("2025-03-05"));
    // Charged = used: A's GPU-hours are its 3.5 days; March's training GPU-hours are A's and B's.
    assert!((a.gpu_hours - 4096.0 * 3.5 * 24.0).abs() < 1.0, "A: {} GPU-h", a.gpu_hours);
    let march = c.timeline.iter().find(|r| r.month == "2025-03").unwrap();
    let charged = march.training_gpus * month_hours("2025-03");
    let used = a.gpu_hours + b.gpu_hours;
    assert!((charged - used).abs() / used < 1e-6, "charged {charged} used {used}");
}

#[test]
fn training_gpu_hours_charged_over_the_timeline_equal_the_runs_gpu_hours() {
    let text = cluster("2025-01-01", &(a_run("A", 2048, "2025-02-10", 20.0) + &a_run("B", 4096, "2025-02-20", 45.3)));
    let c = run(&text);
    let charged: f64 = c.timeline.iter().map(|r| r.training_gpus * month_hours(&r.month)).sum();
    let used: f64 = c.training.iter().map(|t| t.gpu_hours).sum();
    assert!((charged - used).abs() / used < 1e-9, "charged {charged} used {used}");
}

#[test]
fn a_phase_online_on_a_months_last_day_is_there_only_that_day() {
    // The cluster is in service on 2025-03-31; a run waiting since the 1st starts that day, not on
    // the 1st as if the month's average GPUs had been there all month.
    let c = run(&cluster("2025-03-31", &a_run("A", 4096, "2025-03-01", 2.0)));
    assert_eq!(c.training[0].started.map(|d| d.to_string()).as_deref(), Some("2025-03-31"));
    assert_eq!(c.training[0].gpus, 4096.0);
}

#[test]
fn the_timeline_runs_to_the_last_demand_point_and_training_start() {
    // Regression: the timeline stopped at the last phase's online month (2025-03) although the
    // demand is published up to 2026-06.
    let demand = "[demand]\nusers = [\n  { date = \"2025-01-15\", weekly_users = { value = 2e6, source = \"test\" } },\n  \
                  { date = \"2026-06-15\", weekly_users = { value = 3e6, source = \"test\" } },\n]\n\
                  messages_per_user_per_day = 10\ninput_tokens_per_message = 1500\noutput_tokens_per_message = 600\n\
                  peak_to_average = 1.5\n[[demand.tier]]\nname = \"free\"\nshare_of_users = 1.0\nmodels = { \"llama3-70b\" = 1.0 }\n";
    let c = run(&cluster("2025-03-31", demand));
    assert_eq!(c.timeline.last().unwrap().month, "2026-06");
    // And to a training run's start when that is later still.
    let c = run(&cluster("2025-03-31", &a_run("late", 1024, "2025-12-01", 3.0)));
    assert!(c.timeline.last().unwrap().month.as_str() >= "2025-12", "ends {}", c.timeline.last().unwrap().month);
    assert_eq!(c.training[0].finish.map(|d| d.to_string()).as_deref(), Some("2025-12-04"));
}

#[test]
fn an_h100_cluster_is_as_many_h100_equivalents_in_every_month() {
    let c = run(&cluster("2025-01-01", &a_run("A", 1024, "2025-03-01", 3.0)));
    for r in &c.timeline {
        let h = r.h100_equivalents_online;
        assert!((h.bf16.unwrap() - r.gpus_online).abs() < 1e-6 * r.gpus_online.max(1.0), "{}", r.month);
        assert!((h.fp8.unwrap() - r.gpus_online).abs() < 1e-6 * r.gpus_online.max(1.0), "{}", r.month);
    }
}

/// A run of `flops` at `precision` with the scaled MFU model on 4,032 GPUs of a `platform` cluster.
fn scaled_run_days(platform: &str, precision: &str) -> f64 {
    let text = format!(
        "name = \"mfu\"\n[[phase]]\nname = \"cluster\"\nonline = \"2026-01-01\"\nplatform = \"{platform}\"\nsystems = 56\n\
         [[training]]\nname = \"run\"\nparams_active = 70e9\ntokens = 2e12\nprecision = \"{precision}\"\nmfu = \"scaled\"\n\
         gpus = 4032\nstart = \"2026-02-01\"\n[training.reliability]\nmethod = \"ignored\"\n"
    );
    run(&text).training[0].wall_days.expect("finishes")
}

#[test]
fn gb300_and_gb200_train_alike_at_fp8_and_bf16_and_differ_at_fp4() {
    // Issue 11 item 6: their FP8 and BF16 peaks and MFUs are the same; at FP4 GB300's peak is 1.5×
    // GB200's and its measured FP4 MFU (MLPerf Training v5.1, Llama 3.1 8B) lower.
    for p in ["bf16", "fp8"] {
        let (a, b) = (scaled_run_days("gb300-nvl72", p), scaled_run_days("gb200-nvl72", p));
        assert!((a - b).abs() < 1e-9 * a, "{p}: {a} vs {b}");
    }
    let (gb300, gb200) = (scaled_run_days("gb300-nvl72", "fp4"), scaled_run_days("gb200-nvl72", "fp4"));
    // 0.140 × 15 PF against 0.178 × 10 PF: GB300 1.18× faster, MLPerf's 79.3 / 67.4 min.
    assert!((gb200 / gb300 - 79.3 / 67.4).abs() < 0.01, "GB200 {gb200} d, GB300 {gb300} d");
    // FP4 beats FP8 on both.
    assert!(gb300 < scaled_run_days("gb300-nvl72", "fp8"));
}

#[test]
fn every_gpu_hour_online_goes_to_training_inference_or_idle() {
    // Conservation, day by day: two runs ending mid-day, the second waiting for the first.
    let c = run(&cluster("2025-01-01", &(a_run("A", 4096, "2025-03-01", 10.3) + &a_run("B", 2048, "2025-03-02", 7.7))));
    let u = &c.usage;
    let sum = u.training_gpu_hours + u.inference_gpu_hours + u.idle_gpu_hours;
    assert!((sum / u.gpu_hours_online - 1.0).abs() < 1e-12, "{u:?}");
    let runs: f64 = c.training.iter().map(|t| t.gpu_hours).sum();
    assert!((u.training_gpu_hours / runs - 1.0).abs() < 1e-9, "{u:?}");
}

/// A one-user-tier demand from 2025-01-15 whose only feature launches on 2026-09-15.
const DEMAND_WITH_A_LATE_FEATURE: &str = "[demand]\nusers = [ { date = \"2025-01-15\", weekly_users = 1e5 } ]\n\
    messages_per_user_per_day = 5\ninput_tokens_per_message = 1000\noutput_tokens_per_message = 500\n\
    peak_to_average = 1.5\n[[demand.tier]]\nname = \"free\"\nshare_of_users = 1\nmodels = { \"llama3-70b\" = 1.0 }\n\
    [[demand.feature]]\nname = \"reasoning\"\noutput_multiplier = 5\nshare_of_messages = 0.1\ntiers = [\"free\"]\n\
    from = \"2026-09-15\"\n";

#[test]
fn the_timeline_runs_to_a_features_launch() {
    // Regression: the last demand date counted only the user points (2025-01), not the launch.
    let c = run(&cluster("2025-01-01", DEMAND_WITH_A_LATE_FEATURE));
    assert_eq!(c.timeline.last().unwrap().month, "2026-09");
    assert!(c.timeline.last().unwrap().demand_tokens_per_s > c.timeline[0].demand_tokens_per_s);
}

#[test]
fn the_timeline_runs_to_the_scenarios_horizon() {
    let with = |horizon: &str| {
        let text =
            cluster("2025-01-01", &format!("[allocation]\nhorizon = \"{horizon}\"\n{DEMAND_WITH_A_LATE_FEATURE}"));
        run(&text).timeline.last().unwrap().month.clone()
    };
    // Past the last date: the timeline goes on to the horizon's month.
    assert_eq!(with("2027-06-30"), "2027-06");
    // Before it: the timeline stops there.
    assert_eq!(with("2025-12-31"), "2025-12");
    // A run still going at the horizon is cut there and reports its progress.
    let text = cluster(
        "2025-01-01",
        &format!("[allocation]\nhorizon = \"2025-03-31\"\n{}", a_run("A", 4096, "2025-03-01", 62.0)),
    );
    let c = run(&text);
    assert_eq!(c.timeline.last().unwrap().month, "2025-03");
    assert_eq!(c.training[0].finish, None);
    assert!((c.training[0].progress - 31.0 / 62.0).abs() < 1e-9, "{}", c.training[0].progress);
    assert!(c.warnings.iter().any(|w| w.contains("50% done")), "{:?}", c.warnings);
}

#[test]
fn non_failure_overheads_stretch_a_run_by_exactly_their_share() {
    // 20 days of compute; 5% evaluation, 2% data stalls, 1 planned restart a day of 14.4 min (1%).
    let o = "evaluation_fraction = 0.05\ndata_stall_fraction = 0.02\nplanned_restarts_per_day = 1\nplanned_restart_min = 14.4\n";
    let c = run(&cluster("2025-01-01", &a_run_with("A", 4096, "2025-03-01", 20.0, o)));
    let a = &c.training[0];
    let factor = 0.95 * 0.98 * 0.99;
    assert!((a.overhead_factor - factor).abs() < 1e-12, "{a:?}");
    assert!((a.wall_days.unwrap() - 20.0 / factor).abs() < 1e-9, "{:?}", a.wall_days);
    assert!((a.gpu_hours - 4096.0 * 24.0 * 20.0 / factor).abs() < 1e-6 * a.gpu_hours);
    // Each overhead alone lengthens the run; none shortens it.
    let days = |o: &str| {
        run(&cluster("2025-01-01", &a_run_with("A", 4096, "2025-03-01", 20.0, o))).training[0].wall_days.unwrap()
    };
    let none = days("planned_restarts_per_day = 0\n");
    assert!((none - 20.0).abs() < 1e-9);
    for o in [
        "planned_restarts_per_day = 0\nevaluation_fraction = 0.1\n",
        "planned_restarts_per_day = 0\ndata_stall_fraction = 0.1\n",
        "",
    ] {
        assert!(days(o) > none, "{o}");
    }
}

#[test]
fn planned_restarts_default_to_llama_3s_and_the_unsourced_overheads_are_listed() {
    // No [training.overheads]: Llama 3's 47 planned restarts in 54 days, 10 min each.
    let c = run(&cluster("2025-01-01", &a_run_with("A", 4096, "2025-03-01", 20.0, "")));
    let a = &c.training[0];
    let planned = 47.0 / 54.0 * 10.0 / 1440.0;
    assert!((a.overhead_factor - (1.0 - planned)).abs() < 2e-5, "{}", a.overhead_factor);
    let keys = |v: &[gigawatt_core::analysis::InputRecord]| v.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
    let assumptions = keys(&c.assumptions);
    assert!(assumptions.contains(&"training[0].overheads.evaluation_fraction".to_string()), "{assumptions:?}");
    assert!(assumptions.contains(&"training[0].overheads.data_stall_fraction".to_string()));
    assert!(!assumptions.contains(&"training[0].overheads.planned_restarts_per_day".to_string()));
    assert!(keys(&c.inputs).contains(&"training[0].overheads.planned_restarts_per_day".to_string()));
}

/// A run of `days` days of compute on 4,096 H100 (MFU 0.4, no overheads) in the stages `stages`.
fn staged(days: f64, stages: &str) -> Capacity {
    let flops = 4096.0 * 989e12 * 0.4 * days * 86_400.0;
    run(&cluster(
        "2025-01-01",
        &format!(
            "[[training]]\nname = \"S\"\nparams_active = 1e9\ntokens = {:e}\nmfu = 0.4\nstart = \"2025-03-01\"\n\
             [training.reliability]\nmethod = \"ignored\"\n[training.overheads]\nplanned_restarts_per_day = 0\n{stages}",
            flops / 6e9
        ),
    ))
}

#[test]
fn a_run_in_stages_of_n_then_n_over_2_gpus_takes_the_closed_form_time() {
    // 8 days of compute on 4,096 GPUs: half of it on 4,096 (4 days), the rest on 2,048 (8 days).
    let c = staged(8.0, "[[training.stage]]\ngpus = 4096\nflops_share = 0.5\n[[training.stage]]\ngpus = 2048\n");
    let s = &c.training[0];
    assert!((s.wall_days.unwrap() - 12.0).abs() < 1e-6, "{s:?}");
    assert!((s.gpu_hours - 24.0 * (4096.0 * 4.0 + 2048.0 * 8.0)).abs() < 1e-6 * s.gpu_hours, "{}", s.gpu_hours);
    let starts: Vec<String> = s.stage_starts.iter().map(|d| d.to_string()).collect();
    assert_eq!(starts, ["2025-03-01", "2025-03-05"]);
    assert_eq!(s.gpus, 4096.0);
    // A share ending mid-day: the stage changes the day after, so the run is at most a day shorter.
    let c = staged(7.0, "[[training.stage]]\ngpus = 4096\nflops_share = 0.5\n[[training.stage]]\ngpus = 2048\n");
    let w = c.training[0].wall_days.unwrap();
    assert!(w <= 10.5 + 1e-9 && w > 9.5, "{w}");
    // One stage of the run's size is the unstaged run.
    let one = staged(7.0, "[[training.stage]]\ngpus = 4096\n");
    assert!((one.training[0].wall_days.unwrap() - 7.0).abs() < 1e-9);
}

#[test]
fn stages_whose_shares_do_not_add_up_are_refused_at_the_key() {
    let cat = Catalog::bundled().unwrap();
    let text = cluster(
        "2025-01-01",
        "[[training]]\nname = \"S\"\nparams_active = 1e9\ntokens = 1e12\nmfu = 0.4\nstart = \"2025-03-01\"\n\
         [[training.stage]]\ngpus = 4096\nflops_share = 0.7\n[[training.stage]]\ngpus = 2048\nflops_share = 0.5\n",
    );
    let model = load_scenario(&SourceFile::new("days.toml", text), &cat).unwrap();
    let err = capacity(&model, &cat).unwrap_err();
    assert!(err.message.contains("add up to 1.200, not 1"), "{}", err.message);
    let text = cluster(
        "2025-01-01",
        "[[training]]\nname = \"S\"\nparams_active = 1e9\ntokens = 1e12\nmfu = 0.4\ngpus = 8\nstart = \"2025-03-01\"\n\
         [[training.stage]]\ngpus = 4096\n",
    );
    let model = load_scenario(&SourceFile::new("days.toml", text), &cat).unwrap();
    let err = capacity(&model, &cat).unwrap_err();
    assert!(err.message.contains("`gpus` belongs to each [[training.stage]]"), "{}", err.message);
}

#[test]
fn a_launch_centuries_away_does_not_run_the_timeline_into_overflow() {
    // Found by the scenario fuzz target: a feature launching in 2456 with demand growing 550 % a
    // year ran the timeline four centuries out, and compounding demand overflowed to infinity.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/far-launch.toml"),
    )
    .unwrap();
    // Dates past 2200 are now input errors, located at the key…
    let model = load_scenario(&SourceFile::new("days.toml", text.clone()), &Catalog::bundled().unwrap()).unwrap();
    let Err(e) = capacity(&model, &Catalog::bundled().unwrap()) else { panic!("a launch in 2456 is an input error") };
    assert!(e.to_string().contains("`2456-05-01` is not a date") && e.location().is_some(), "{e}");
    // …and a launch at the end of the range still keeps the timeline bounded and finite.
    let c = run(&text.replace("2456-05-01", "2199-05-01"));
    assert!(c.timeline.len() <= 12 * 11, "{} months", c.timeline.len());
    gigawatt_core::finite::check(&c).unwrap_or_else(|at| panic!("non-finite: {at}"));
}
