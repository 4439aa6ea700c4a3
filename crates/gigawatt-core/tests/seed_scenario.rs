//! Acceptance tests of issue 2: the seed scenario lands on NVIDIA's own figures reported with the
//! deal, and the GB300-only variant reproduces the announcement's "10 GW ≈ 4–5 M GPUs".

mod common;

use gigawatt_core::{PlanOptions, plan};

const NVIDIA_CAPEX_PER_GW_MID: f64 = 55e9; // "$50–60B per GW" (Jensen, Q2 FY26 call)
const NVIDIA_CONTENT_PER_GW: f64 = 35e9; // "about $35B of it NVIDIA"

fn within(x: f64, target: f64, rel: f64) -> bool {
    (x - target).abs() <= rel * target
}

#[test]
fn seed_capex_per_gw_is_within_20_percent_of_55b_and_its_range_contains_it() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions::from_model(&m));
    let r = p.ranges.capex_per_gw_usd;
    assert!(within(r.central, NVIDIA_CAPEX_PER_GW_MID, 0.20), "central capex/GW {:.3e}", r.central);
    assert!(r.low <= NVIDIA_CAPEX_PER_GW_MID && NVIDIA_CAPEX_PER_GW_MID <= r.high, "range {r:?}");
}

#[test]
fn seed_nvidia_content_per_gw_is_within_20_percent_of_35b_and_its_range_contains_it() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions::from_model(&m));
    assert_eq!(p.supplier, "NVIDIA");
    let r = p.ranges.supplier_per_gw_usd;
    assert!(within(r.central, NVIDIA_CONTENT_PER_GW, 0.20), "central NVIDIA/GW {:.3e}", r.central);
    assert!(r.low <= NVIDIA_CONTENT_PER_GW && NVIDIA_CONTENT_PER_GW <= r.high, "range {r:?}");
}

#[test]
fn seed_has_ten_one_gigawatt_phases_starting_h2_2026_on_vera_rubin() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions { draws: 1000, seed: 1 });
    assert_eq!(p.phases.len(), 10);
    assert!(p.phases.iter().all(|ph| (ph.power_gw - 1.0).abs() < 1e-12));
    assert_eq!(p.phases[0].platform, "vr-nvl144");
    assert_eq!(p.phases[0].online.to_string(), "2026-12-31");
    let f = p.financing.expect("financing");
    assert_eq!(f.tranches.len(), 10);
    assert_eq!(f.total_usd, 100e9);
    assert_eq!(f.tranches[0].date.to_string(), "2026-12-31");
}

#[test]
fn gpus_are_counted_as_packages_and_as_dies() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions { draws: 1000, seed: 1 });
    let vr = p.phases.iter().find(|ph| ph.platform == "vr-nvl144").unwrap();
    assert_eq!(vr.dies, vr.gpus * 2);
    let ru = p.phases.iter().find(|ph| ph.platform == "rubin-ultra-nvl576").unwrap();
    assert_eq!(ru.dies, ru.gpus * 4);
    assert_eq!(p.totals.dies, p.phases.iter().map(|ph| ph.dies).sum::<u64>());
    // Each platform's all-in kW per package and per die sits beside the announcement's implied range.
    assert_eq!(p.platforms.len(), 2);
    let implied = p.implied.as_ref().expect("the seed scenario carries the announcement");
    assert!((implied.kw_per_gpu_all_in.low - 2.0).abs() < 1e-9);
    assert!((implied.kw_per_gpu_all_in.high - 2.5).abs() < 1e-9);
    for c in &p.platforms {
        assert!(
            (c.kw_all_in_per_gpu / c.kw_all_in_per_die - if c.platform == "vr-nvl144" { 2.0 } else { 4.0 }).abs()
                < 1e-9
        );
    }
}

#[test]
fn gb300_only_build_lands_within_the_announced_4_to_5_million_gpus() {
    let m = common::scenario("nvidia-openai-10gw-gb300.toml");
    let p = plan(&m, PlanOptions::from_model(&m));
    let gpus = p.ranges.gpus.central;
    assert!((4.0e6..=5.0e6).contains(&gpus), "GB300-only central GPUs {gpus}");
    assert!(p.platforms[0].announced.expect("announcement").packages_match_announcement);
}

#[test]
fn llama3_cluster_is_24576_h100_in_1536_racks() {
    let m = common::scenario("llama3-405b-16k.toml");
    let p = plan(&m, PlanOptions { draws: 1000, seed: 1 });
    assert_eq!(p.totals.gpus, 24_576);
    assert_eq!(p.totals.systems, 3_072);
    assert_eq!(p.totals.racks, 1_536);
    assert!(p.financing.is_none());
}

#[test]
fn the_implied_figures_follow_from_the_announcement() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let i = gigawatt_core::analysis::implied(m.announcement.as_ref().expect("announcement"));
    assert!((i.kw_per_gpu_all_in.central - 10e6 / 4.5e6).abs() < 1e-9);
    let per_gpu = i.supplier_usd_per_gpu.expect("the supplier's content is announced");
    assert!((per_gpu.central - 35e9 / 450e3).abs() < 1e-6);
    assert!((per_gpu.low - 70_000.0).abs() < 1e-6);
    assert!((per_gpu.high - 87_500.0).abs() < 1e-6);
    assert_eq!(i.investment_usd, Some(100e9));
}

#[test]
fn unsourced_inputs_are_listed_as_assumptions_and_sourced_ones_are_not() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions { draws: 1000, seed: 1 });
    let keys: Vec<&str> = p.assumptions.iter().map(|a| a.key.as_str()).collect();
    assert!(keys.contains(&"costs.nvidia_share_compute"));
    assert!(keys.contains(&"costs.load_factor"));
    assert!(!keys.contains(&"costs.facility_usd_per_mw"));
    assert!(!keys.contains(&"catalog.vr-nvl144.system_price_usd"));
    assert!(p.assumptions.iter().all(|a| !a.sourced && a.provenance.assumption.is_some()));
    assert_eq!(p.inputs.len(), p.assumptions.len() + p.inputs.iter().filter(|i| i.sourced).count());
}

#[test]
fn sensitivity_names_the_input_that_moves_each_headline_most() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions { draws: 1000, seed: 1 });
    let capex =
        p.sensitivity.iter().find(|t| t.headline == gigawatt_core::uncertainty::Headline::CapexPerGwUsd).unwrap();
    assert_eq!(capex.swings[0].input, "catalog.vr-nvl144.system_price_usd");
    assert!(capex.swings.windows(2).all(|w| w[0].swing >= w[1].swing));
    let gpus = p.sensitivity.iter().find(|t| t.headline == gigawatt_core::uncertainty::Headline::Gpus).unwrap();
    // Prices move no GPU count; only power-side inputs appear.
    assert!(gpus.swings.iter().all(|s| !s.input.ends_with("price_usd")));
}

#[test]
fn same_seed_same_plan_and_a_different_seed_moves_only_the_ranges() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let a = serde_json::to_string(&plan(&m, PlanOptions { draws: 1000, seed: 7 })).unwrap();
    let b = serde_json::to_string(&plan(&m, PlanOptions { draws: 1000, seed: 7 })).unwrap();
    assert_eq!(a, b);
    let c = plan(&m, PlanOptions { draws: 1000, seed: 8 });
    let d = plan(&m, PlanOptions { draws: 1000, seed: 7 });
    assert_eq!(c.totals.gpus, d.totals.gpus);
    assert_ne!(c.ranges.capex_per_gw_usd.low, d.ranges.capex_per_gw_usd.low);
}

#[test]
fn a_central_value_outside_its_own_range_is_explained() {
    // GB300 NVL72's system price has central = high ($4.0 M, no source above it): every draw is at
    // or below it, so capex per GW at central inputs lies above its P90. The plan says so, and why.
    let m = common::scenario("nvidia-openai-10gw-gb300.toml");
    let p = plan(&m, PlanOptions { draws: 2000, seed: 2025 });
    let r = &p.ranges.capex_per_gw_usd;
    assert!(r.central > r.high, "{r:?}");
    let w: Vec<&String> = p.warnings.iter().filter(|w| w.starts_with("capex per GW: the central value")).collect();
    assert_eq!(w.len(), 1, "{:?}", p.warnings);
    assert!(w[0].contains("lies above its P90") && w[0].contains("GB300 NVL72: system price"), "{}", w[0]);
    // The roadmap scenario's ranges contain their central values: no such warning.
    let seed = plan(&common::scenario("nvidia-openai-10gw.toml"), PlanOptions { draws: 2000, seed: 2025 });
    assert!(!seed.warnings.iter().any(|w| w.contains("the central value")), "{:?}", seed.warnings);
}

#[test]
fn capex_categories_add_up_to_the_total_in_every_phase() {
    use gigawatt_core::plan::CapexCategory;
    let m = common::scenario("nvidia-openai-10gw.toml");
    let p = plan(&m, PlanOptions::from_model(&m));
    for phase in &p.phases {
        let sum: f64 = CapexCategory::ALL.iter().map(|c| c.of(&phase.capex)).sum();
        assert!((sum - phase.capex.total_usd).abs() <= 1e-6 * phase.capex.total_usd, "{}", phase.name);
    }
}

#[test]
fn a_scenario_without_an_announcement_is_compared_with_nothing() {
    // Regression (issue 11): every plan, even a 41 MW cluster, was compared with the 10 GW deal.
    let m = common::scenario("llama3-405b-16k.toml");
    assert!(m.announcement.is_none());
    let p = plan(&m, PlanOptions { draws: 200, seed: 1 });
    assert!(p.implied.is_none());
    assert!(p.platforms.iter().all(|c| c.announced.is_none()));
    let json = serde_json::to_value(&p).unwrap();
    assert!(json.get("implied").is_none());
    assert!(json["platforms"][0].get("gpus_for_announced_gw").is_none());
}

#[test]
fn an_announcement_figure_needs_a_source() {
    let text = |gw: &str| {
        format!(
            "name = \"t\"\n[[phase]]\nonline = \"2027-Q1\"\nplatform = \"gb300-nvl72\"\npower_gw = 0.3\n\
             [announcement]\ngigawatts = {gw}\ngpus = {{ value = 1e5, source = \"s\" }}\n\
             capex_per_gw_usd = {{ value = 5e10, source = \"s\" }}\n"
        )
    };
    let err = common::from_text(&text("0.3")).unwrap_err().to_string();
    assert!(err.contains("gigawatts") || err.contains("source"), "{err}");
    let m = common::from_text(&text("{ value = 0.3, source = \"press release\" }")).unwrap();
    let a = m.announcement.expect("announcement");
    assert_eq!(a.supplier, "NVIDIA");
    assert_eq!(a.gigawatts.estimate.central, 0.3);
}
