//! The seed scenario operated with the default workload mix: the fleet is not idle.

mod common;

use gigawatt_operate::{OperateRequest, operate};

#[test]
fn the_seed_scenario_with_the_default_mix_is_at_most_30_percent_idle() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let r = operate(&m, &gigawatt_core::Catalog::bundled().unwrap(), &OperateRequest::default()).unwrap();
    assert!(r.totals.mean_idle_share <= 0.30, "idle {}", r.totals.mean_idle_share);
    assert!(r.shortfall.is_none(), "{:?}", r.shortfall);
    // Both frontier runs and their RL finish within the run, and Pro is served first.
    for run in r.frontier.iter().chain(&r.rl) {
        assert!(run.finish.is_some(), "{} does not finish ({:.0}% done)", run.name, run.progress * 100.0);
    }
    // The first gigawatt ramps in day by day: run A (a fleet share) grows onto it in stages, each
    // at least `grow_step` (a quarter) larger than the one before and starting when it is done,
    // and together they do all its FLOPs.
    let a = &r.frontier[0];
    assert!(a.stages.len() >= 3, "{:?}", a.stages);
    for w in a.stages.windows(2) {
        assert!(f64::from(w[1].gpus) >= 1.25 * f64::from(w[0].gpus), "{w:?}");
        assert!(w[1].start >= w[0].finish, "a stage starts when the one before is done: {w:?}");
    }
    let shares: f64 = a.stages.iter().map(|s| s.flops_share).sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    let unmet: Vec<f64> = r.inference.iter().map(|t| t.unmet_share).collect();
    assert!(unmet.windows(2).all(|w| w[0] <= w[1]), "{unmet:?}");
}
