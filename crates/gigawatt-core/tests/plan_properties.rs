//! Exact oracles and properties of the planner: conservation (phases sum to totals, capex to its
//! categories, its suppliers and its per-vendor breakdown), monotonicity in power, and the
//! financing cap.

mod common;

use gigawatt_core::plan::{evaluate, financing, gigawatt_crossings, timeline};
use proptest::prelude::*;

fn scenario(phases: &[(f64, &str, &str, f64)], per_gw: f64, cap: f64) -> String {
    let mut s = String::from("name = \"prop\"\n");
    for (gw, online, platform, ramp) in phases {
        s.push_str(&format!(
            "[[phase]]\nonline = \"{online}\"\nplatform = \"{platform}\"\npower_gw = {gw:?}\nramp_months = {ramp:?}\n"
        ));
    }
    s.push_str(&format!("[financing]\nper_gw_usd = {per_gw:?}\ncap_usd = {cap:?}\n"));
    s
}

/// Every bundled platform's id, in catalog order.
fn platforms() -> Vec<String> {
    gigawatt_core::Catalog::bundled().unwrap().ids().map(str::to_string).collect()
}
const DATES: [&str; 6] = ["2026-H2", "2027-Q1", "2027-Q2", "2027-09-15", "2028-H1", "2028-Q4"];

fn phases_strategy() -> impl Strategy<Value = Vec<(f64, usize, usize, f64)>> {
    prop::collection::vec((0.05f64..3.0, 0usize..platforms().len(), 0usize..6, 0.0f64..9.0), 1..6)
}

fn build(v: &[(f64, usize, usize, f64)], per_gw: f64, cap: f64) -> gigawatt_core::Model {
    let mut sorted: Vec<(f64, usize, usize, f64)> = v.to_vec();
    sorted.sort_by_key(|p| p.2);
    let platforms = platforms();
    let phases: Vec<(f64, &str, &str, f64)> =
        sorted.iter().map(|&(gw, pl, d, r)| (gw, DATES[d], platforms[pl].as_str(), r)).collect();
    common::from_text(&scenario(&phases, per_gw, cap)).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn phases_sum_to_totals_and_capex_to_its_parts(v in phases_strategy()) {
        let m = build(&v, 1e10, 1e11);
        let e = evaluate(&m, &m.params.central());
        let t = &e.totals;
        prop_assert_eq!(t.gpus, e.phases.iter().map(|p| p.gpus).sum::<u64>());
        prop_assert_eq!(t.dies, e.phases.iter().map(|p| p.dies).sum::<u64>());
        prop_assert_eq!(t.racks, e.phases.iter().map(|p| p.racks).sum::<u64>());
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()));
        prop_assert!(close(t.capex_usd, e.phases.iter().map(|p| p.capex_usd).sum()));
        let c = &t.capex;
        prop_assert!(close(c.total_usd, c.compute_systems_usd + c.networking_usd + c.storage_usd + c.facility_usd + c.other_usd));
        prop_assert!(close(c.total_usd, c.nvidia_usd + c.other_suppliers_usd));
        prop_assert!(close(c.total_usd, t.capex_by_vendor_usd.values().sum()));
        prop_assert!(close(c.nvidia_usd, t.capex_by_vendor_usd["NVIDIA"]));
        for p in &e.phases {
            prop_assert!(close(p.capex_usd, p.capex_by_vendor_usd.values().sum()));
            // Installed systems never exceed the power envelope.
            prop_assert!(p.compute_power_mw <= p.it_power_mw + 1e-9);
        }
    }

    #[test]
    fn more_power_never_gives_fewer_gpus_or_less_capex(v in phases_strategy(), which in 0usize..5, extra in 0.0f64..2.0) {
        let m1 = build(&v, 1e10, 1e11);
        let mut bigger = v.clone();
        let i = which % bigger.len();
        bigger[i].0 += extra;
        let m2 = build(&bigger, 1e10, 1e11);
        let (e1, e2) = (evaluate(&m1, &m1.params.central()), evaluate(&m2, &m2.params.central()));
        prop_assert!(e2.totals.gpus >= e1.totals.gpus);
        prop_assert!(e2.totals.capex_usd >= e1.totals.capex_usd - 1e-6);
        prop_assert!(e2.totals.capex_nvidia_usd >= e1.totals.capex_nvidia_usd - 1e-6);
    }

    #[test]
    fn tranches_never_exceed_the_cap_and_come_one_per_gigawatt(v in phases_strategy(), per_gw in 1e9f64..2e10, cap in 0.0f64..1e11) {
        let m = build(&v, per_gw, cap);
        let vals = m.params.central();
        let e = evaluate(&m, &vals);
        let f = financing(&m, &vals, &e).unwrap();
        prop_assert!(f.total_usd <= cap + 1e-3);
        prop_assert!(f.tranches.iter().all(|t| t.amount_usd > 0.0 && t.amount_usd <= per_gw + 1e-3));
        prop_assert!(f.tranches.windows(2).all(|w| w[0].date <= w[1].date));
        let whole_gw = (e.totals.power_gw + 1e-9).floor() as usize;
        prop_assert!(f.tranches.len() <= whole_gw);
        // Each tranche's date is the first day cumulative deployed power reaches its gigawatt.
        for (k, d) in gigawatt_crossings(&e.phases) {
            let mw = gigawatt_core::plan::deployed_mw(&e.phases, d);
            prop_assert!(mw + 1e-6 >= k as f64 * 1000.0);
            let before = gigawatt_core::plan::deployed_mw(&e.phases, d.add_days(-1));
            prop_assert!(before < k as f64 * 1000.0 + 1e-6);
        }
        // The timeline ends with everything deployed and all tranches released.
        let tl = timeline(&e, Some(&f), &m.supplier);
        let last = tl.last().unwrap();
        prop_assert!((last.deployed_gw - e.totals.power_gw).abs() < 1e-9);
        prop_assert!((last.cumulative_investment_usd - f.total_usd).abs() < 1e-3);
        prop_assert!(tl.windows(2).all(|w| w[0].cumulative_capex_usd <= w[1].cumulative_capex_usd + 1e-3));
    }
}

#[test]
fn a_ramped_gigawatt_releases_its_tranche_the_day_it_completes() {
    let m = common::from_text(&scenario(&[(1.5, "2027-Q1", "gb300-nvl72", 6.0)], 1e10, 1e11)).unwrap();
    let v = m.params.central();
    let e = evaluate(&m, &v);
    let f = financing(&m, &v, &e).unwrap();
    assert_eq!(f.tranches.len(), 1);
    // 1.5 GW ramped linearly over the 6 months to 2027-03-31 reaches 1 GW two thirds of the way in.
    let start = gigawatt_core::date::Date::from_ymd(2026, 9, 30).unwrap();
    let expect = start.add_days(((2.0 / 3.0) * (182.0f64)).ceil() as i64);
    assert_eq!(f.tranches[0].date, expect);
    assert_eq!(f.total_usd, 1e10);
}

#[test]
fn the_cap_truncates_the_last_tranche() {
    let m = common::from_text(&scenario(&[(3.0, "2027-Q1", "gb300-nvl72", 0.0)], 1e10, 2.5e10)).unwrap();
    let v = m.params.central();
    let e = evaluate(&m, &v);
    let f = financing(&m, &v, &e).unwrap();
    let amounts: Vec<f64> = f.tranches.iter().map(|t| t.amount_usd).collect();
    assert_eq!(amounts, vec![1e10, 1e10, 5e9]);
    assert!(f.tranches.iter().all(|t| t.date.to_string() == "2027-03-31"));
}

#[test]
fn sizing_by_power_is_floor_of_what_fits() {
    // 1 GW at PUE 1.15 and IT overhead 1.14 leaves 762.8 MW for 210 kW racks: 3,632 racks.
    let m = common::from_text(&scenario(&[(1.0, "2026-H2", "vr-nvl144", 0.0)], 1e10, 1e11)).unwrap();
    let e = evaluate(&m, &m.params.central());
    let expect = (1e6 / 1.15 / 1.14 / 210.0f64).floor() as u64;
    assert_eq!(e.phases[0].systems, expect);
    assert_eq!(e.phases[0].gpus, expect * 72);
    assert_eq!(e.phases[0].racks, expect);
}
