//! Sites (issue 11 item 8): a mixed-platform site sized from one power figure, split by each
//! phase's `site_share`; and the fleet counted in H100-equivalents.

mod common;

use gigawatt_core::plan::evaluate;
use gigawatt_core::{PlanOptions, plan};

fn site(shares: &[(&str, &str)], power_mw: &str) -> String {
    let mut s = format!("name = \"site\"\n[[site]]\nname = \"Campus\"\npower_mw = {power_mw}\n");
    for (i, (platform, share)) in shares.iter().enumerate() {
        s.push_str(&format!(
            "[[phase]]\nname = \"hall {i}\"\nonline = \"2027-H1\"\nplatform = \"{platform}\"\nsite = \"Campus\"\nsite_share = {share}\n"
        ));
    }
    s
}

#[test]
fn a_site_power_figure_is_split_between_its_phases_by_share() {
    let m = common::from_text(&site(&[("gb300-nvl72", "0.75"), ("mi355x", "0.25")], "1200")).unwrap();
    let e = evaluate(&m, &m.params.central());
    assert!((e.phases[0].power_gw - 0.9).abs() < 1e-12);
    assert!((e.phases[1].power_gw - 0.3).abs() < 1e-12);
    assert!((e.totals.power_gw - 1.2).abs() < 1e-12);
    assert!(m.warnings.iter().all(|w| !w.contains("Campus")), "{:?}", m.warnings);
    // The same as sizing each phase by its own power_gw.
    let by_power = "name = \"site\"\n\
        [[phase]]\nname = \"hall 0\"\nonline = \"2027-H1\"\nplatform = \"gb300-nvl72\"\npower_gw = 0.9\n\
        [[phase]]\nname = \"hall 1\"\nonline = \"2027-H1\"\nplatform = \"mi355x\"\npower_gw = 0.3\n";
    let m2 = common::from_text(by_power).unwrap();
    let e2 = evaluate(&m2, &m2.params.central());
    assert_eq!(e.totals.gpus, e2.totals.gpus);
    assert_eq!(e.totals.capex_usd, e2.totals.capex_usd);
}

#[test]
fn shares_above_the_whole_site_are_an_error_at_the_phase_that_overflows() {
    let err = common::from_text(&site(&[("gb300-nvl72", "0.75"), ("mi355x", "0.5")], "1200")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("125.0%"), "{text}");
    // Line 16 is the second phase's `site_share = 0.5`.
    assert_eq!(err.location().map(|(_, line, _)| line), Some(16));
}

#[test]
fn shares_below_the_whole_site_warn_of_the_unplanned_power() {
    let m = common::from_text(&site(&[("gb300-nvl72", "0.5")], "1200")).unwrap();
    assert!(m.warnings.iter().any(|w| w.contains("Campus") && w.contains("600 MW")), "{:?}", m.warnings);
}

#[test]
fn a_share_needs_a_known_site_and_excludes_power_gw() {
    let unknown = site(&[("gb300-nvl72", "0.5")], "1200").replace("site = \"Campus\"", "site = \"Campsu\"");
    let err = common::from_text(&unknown).unwrap_err();
    assert!(err.to_string().contains("no [[site]] named `Campsu`"), "{err}");
    assert!(err.help.as_deref().unwrap_or_default().contains("did you mean `Campus`"), "{:?}", err.help);
    let both = site(&[("gb300-nvl72", "0.5")], "1200").replace("site_share = 0.5", "site_share = 0.5\npower_gw = 1");
    assert!(common::from_text(&both).unwrap_err().to_string().contains("not both"));
    let out_of_range = site(&[("gb300-nvl72", "1.5")], "1200");
    assert!(common::from_text(&out_of_range).unwrap_err().to_string().contains("(0, 1]"));
    let bad_power = site(&[("gb300-nvl72", "0.5")], "-5");
    assert!(common::from_text(&bad_power).unwrap_err().to_string().contains("power_mw must be positive"));
}

#[test]
fn an_h100_cluster_is_as_many_h100_equivalents_as_it_has_gpus() {
    let m = common::scenario("llama3-405b-16k.toml");
    let p = plan(&m, PlanOptions { draws: 200, seed: 1 });
    let h = p.totals.h100_equivalents;
    assert_eq!(h.bf16.map(f64::round), Some(24_576.0));
    assert_eq!(h.fp8.map(f64::round), Some(24_576.0));
}

#[test]
fn h100_equivalents_are_the_fleets_peak_over_one_h100s() {
    let m = common::from_text(&site(&[("gb300-nvl72", "0.75"), ("mi355x", "0.25")], "1200")).unwrap();
    let v = m.params.central();
    let e = evaluate(&m, &v);
    let h100 = m.h100.expect("the catalog has the H100");
    let per_phase = |f: fn(&gigawatt_core::plan::Pflops) -> Option<f64>| -> f64 {
        e.phases.iter().map(|p| f(&p.peak_pflops).unwrap()).sum()
    };
    let bf16 = per_phase(|p| p.bf16) * 1000.0 / h100.bf16_dense_tflops;
    let fp8 = per_phase(|p| p.fp8) * 1000.0 / h100.fp8_dense_tflops;
    assert!((e.totals.h100_equivalents.bf16.unwrap() - bf16).abs() < 1e-6 * bf16);
    assert!((e.totals.h100_equivalents.fp8.unwrap() - fp8).abs() < 1e-6 * fp8);
    // GB300 has the same dense BF16 per package as GB200: 2.5 PF against the H100's 989 TF.
    assert!(e.totals.h100_equivalents.bf16.unwrap() > e.totals.gpus as f64);
}
