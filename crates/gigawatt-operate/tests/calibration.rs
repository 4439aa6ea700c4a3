//! The calibration case: OpenAI's 2024 compute operated (`scenarios/openai-2024-compute.toml`)
//! against Epoch AI's cut of the same year's spend, and what the scheduler's backfill does to it.

mod common;

use gigawatt_core::Catalog;
use gigawatt_operate::{OperateRequest, Operation, operate};

/// The calibration scenario as bundled, operated once for every test that reads it.
fn bundled() -> &'static Operation {
    static RUN: std::sync::OnceLock<Operation> = std::sync::OnceLock::new();
    RUN.get_or_init(|| calibration(|t| t))
}

fn calibration(text_edit: impl Fn(String) -> String) -> Operation {
    let path = common::root().join("scenarios/openai-2024-compute.toml");
    let text = text_edit(std::fs::read_to_string(&path).unwrap());
    let m = common::from_text(&text).unwrap();
    operate(&m, &Catalog::bundled().unwrap(), &OperateRequest::default()).unwrap()
}

/// Epoch AI's cut, as the scenario's `[[operate.published]]` carries it: (inference share of the
/// compute spend, final runs' share of the R&D spend).
fn epoch(r: &Operation) -> (f64, f64) {
    let cut = r.totals.published.iter().find(|c| c.name == "Epoch AI").expect("the scenario carries Epoch AI's cut");
    let value = |q: &Option<gigawatt_core::quantity::Quantity>| q.as_ref().expect("both shares").estimate.central;
    (value(&cut.inference_share), value(&cut.final_runs_share_of_rd))
}

/// The band: each simulated share within ±10 points of Epoch AI's. Not reached yet; the
/// gap and what drives it are measured in `docs/models/operate.md` ("Calibration"). Run with
/// `cargo test -p gigawatt-operate --test calibration -- --ignored`.
#[test]
#[ignore = "known calibration gap, measured in docs/models/operate.md"]
fn the_split_lands_within_ten_points_of_epoch_ai() {
    let r = bundled();
    let (inference, final_runs) = epoch(r);
    let t = &r.totals;
    assert!((t.share.inference - inference).abs() <= 0.10, "inference {:.3} vs {inference:.3}", t.share.inference);
    assert!(
        (t.final_runs_share_of_rd - final_runs).abs() <= 0.10,
        "final runs {:.3} vs {final_runs:.3}",
        t.final_runs_share_of_rd
    );
}

/// The gap as `docs/models/operate.md` states it, to the point: when the model moves, the
/// documented figures are measured again rather than left stale.
#[test]
fn the_calibration_gap_is_the_one_the_docs_report() {
    let r = bundled();
    let t = &r.totals;
    let (inference, final_runs) = epoch(r);
    let points = |x: f64| (x * 100.0).round();
    assert_eq!(points(t.share.inference - inference), -20.0, "inference {:.4}", t.share.inference);
    assert_eq!(points(t.final_runs_share_of_rd - final_runs), 9.0, "final runs {:.4}", t.final_runs_share_of_rd);
    assert_eq!(points(t.share.idle), 2.0, "idle {:.4}", t.share.idle);
}

/// Research is offered the whole fleet, so its queue always has a head larger than what the
/// final runs and serving leave, which it cannot preempt its peers to get. Without backfill it
/// keeps those GPUs idle; with EASY backfill (the default) the research jobs behind it that end
/// before its reserved start use them, and the classes above research get what they got before.
#[test]
fn easy_backfill_fills_the_gpus_a_blocked_research_head_would_keep_idle() {
    let easy = bundled();
    let strict = calibration(|t| t.replace("[operate]\n", "[operate]\nbackfill = false\n"));
    assert!(easy.backfill && !strict.backfill);
    let (e, s) = (&easy.totals.gpu_hours, &strict.totals.gpu_hours);
    assert!(e.idle < 0.5 * s.idle, "idle {:.3e} GPU-h with backfill, {:.3e} without", e.idle, s.idle);
    // The GPU-time backfill recovers from idle goes to research.
    assert!(
        e.research - s.research >= 0.8 * (s.idle - e.idle),
        "research {:.3e} vs {:.3e} GPU-h, idle {:.3e} vs {:.3e}",
        e.research,
        s.research,
        e.idle,
        s.idle
    );
    assert!(
        (e.inference - s.inference).abs() <= 0.01 * s.inference,
        "inference {:.3e} vs {:.3e}",
        e.inference,
        s.inference
    );
    assert!((e.frontier - s.frontier).abs() <= 0.02 * s.frontier, "frontier {:.3e} vs {:.3e}", e.frontier, s.frontier);
}
