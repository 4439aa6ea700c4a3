//! Pro first, as a property: whatever the demand, the tiers' mix and the draws, in no month and on
//! no day does a higher tier leave a larger share of its tokens unmet than a lower one (the policy ranks tiers
//! in `[[demand.tier]]` order and nothing in the fixture says otherwise).

mod common;

use gigawatt_core::Catalog;
use gigawatt_operate::{OperateRequest, operate};
use proptest::prelude::*;

fn fixture() -> String {
    std::fs::read_to_string(common::root().join("crates/gigawatt-operate/tests/fixtures/small.toml")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_higher_tier_never_loses_a_larger_share_than_a_lower_one(
        users_log10 in 5.0f64..9.0,
        pro_share in 0.01f64..0.5,
        pro_intensity in 1.0f64..20.0,
        seed in 0u64..1_000,
        research in 0.0f64..1.5,
    ) {
        let text = fixture()
            .replace("value = 2e5,", &format!("value = {:e},", 10f64.powf(users_log10)))
            .replace("share_of_users = { value = 0.05,", &format!("share_of_users = {{ value = {pro_share},"))
            .replace("share_of_users = { value = 0.95,", &format!("share_of_users = {{ value = {},", 1.0 - pro_share))
            .replace("intensity = { value = 8,", &format!("intensity = {{ value = {pro_intensity},"))
            .replace("seed = 7", &format!("seed = {seed}"))
            .replace("[operate.research]\njobs = 5000", &format!("[operate.research]\njobs = 5000\nshare = {research}"));
        let m = common::from_text(&text).unwrap();
        let r = operate(&m, &Catalog::bundled().unwrap(), &OperateRequest::default()).unwrap();
        let tiers: Vec<&str> = r.inference.iter().map(|t| t.tier.as_str()).collect();
        prop_assert_eq!(tiers, vec!["pro", "free"]);
        let (pro, free) = (&r.inference[0], &r.inference[1]);
        for (m, (p, f)) in pro.unmet_share_by_month.iter().zip(&free.unmet_share_by_month).enumerate() {
            prop_assert!(p <= &(f + 1e-9), "month {}: pro unmet {} > free unmet {}", m, p, f);
        }
        // Day by day too, the finest time the serving accounts keep.
        prop_assert_eq!(pro.unmet_share_by_day.len(), r.days.len());
        for (d, (p, f)) in pro.unmet_share_by_day.iter().zip(&free.unmet_share_by_day).enumerate() {
            prop_assert!(p <= &(f + 1e-9), "day {}: pro unmet {} > free unmet {}", d, p, f);
        }
        prop_assert!(pro.unmet_share <= free.unmet_share + 1e-9);
    }
}
