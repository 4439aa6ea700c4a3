//! The seed scenario operated.

mod common;

use gigawatt_operate::{OperateRequest, operate};

#[test]
fn the_seed_scenario_runs_and_fills_the_fleet() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let t = std::time::Instant::now();
    let r = operate(&m, &gigawatt_core::Catalog::bundled().unwrap(), &OperateRequest::default()).unwrap();
    eprintln!("{:.1} s, {} jobs, {} events", t.elapsed().as_secs_f64(), r.jobs, r.events);
    for mo in &r.months {
        eprintln!(
            "{} {:>9.0} f{:.2} rl{:.2} r{:.2} i{:.2} d{:.3} idle{:.2}",
            mo.period,
            mo.gpus_online,
            mo.share.frontier,
            mo.share.rl,
            mo.share.research,
            mo.share.inference,
            mo.share.down,
            mo.share.idle
        );
    }
    eprintln!("{}", serde_json::to_string_pretty(&r.frontier).unwrap());
    eprintln!("{}", serde_json::to_string_pretty(&r.research).unwrap());
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&r.inference.iter().map(|t| (&t.tier, t.unmet_share)).collect::<Vec<_>>())
            .unwrap()
    );
    eprintln!("{:?}", r.warnings);
    assert!(r.totals.mean_idle_share <= 0.30, "idle {}", r.totals.mean_idle_share);
}
