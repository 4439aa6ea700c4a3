//! Properties of the whole capacity run on generated scenarios: more GPUs never lower capacity,
//! more demand never lowers unmet demand, and served + unmet = demand every month.

use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_workloads::Capacity;
use proptest::prelude::*;

fn run(systems: u32, users: f64, policy: &str) -> Capacity {
    let policy_line = match policy {
        "fixed_share" => "policy = \"fixed_share\"\ninference_share = 0.3".to_string(),
        p => format!("policy = \"{p}\""),
    };
    let text = format!(
        r#"name = "generated"
[[phase]]
online = "2025-Q1"
platform = "h100-hgx"
systems = {systems}
[[phase]]
online = "2025-Q3"
platform = "gb300-nvl72"
systems = {racks}
ramp_months = 3
[allocation]
{policy_line}
[[training]]
name = "run"
model = "llama3-70b"
tokens = 15e12
mfu = "scaled"
fleet_share = 0.4
start = "2025-04-01"
[demand]
users = [ {{ date = "2025-01-15", weekly_users = {users} }} ]
growth_per_year = 0.5
messages_per_user_per_day = 5
input_tokens_per_message = 1000
output_tokens_per_message = 500
peak_to_average = 1.5
[[demand.tier]]
name = "pro"
share_of_users = 0.05
intensity = 4
models = {{ "llama3-70b" = 1.0 }}
[[demand.tier]]
name = "free"
share_of_users = 0.95
models = {{ "llama3-70b" = 1.0 }}
[[demand.feature]]
name = "reasoning"
output_multiplier = 20
share_of_messages = 0.2
tiers = ["pro", "free"]
from = "2025-06-01"
"#,
        racks = systems / 16 + 1
    );
    let cat = Catalog::bundled().unwrap();
    let model = load_scenario(&SourceFile::new("generated.toml", text), &cat).unwrap();
    gigawatt_workloads::capacity(&model, &cat).unwrap()
}

fn policies() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("fixed_share"), Just("inference_first"), Just("training_reservations")]
}

fn unmet(c: &Capacity, i: usize) -> f64 {
    c.timeline[i].unmet_tokens_per_s_by_tier.values().sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn more_gpus_never_lower_capacity_or_raise_unmet_demand(
        systems in 16u32..400, extra in 0u32..400, users in 1e5f64..5e7, policy in policies(),
    ) {
        let small = run(systems, users, policy);
        let big = run(systems + extra, users, policy);
        for (a, b) in small.timeline.iter().zip(&big.timeline) {
            prop_assert_eq!(&a.month, &b.month);
            prop_assert!(b.capacity_tokens_per_s >= a.capacity_tokens_per_s * (1.0 - 1e-9), "{} {} < {}", a.month, b.capacity_tokens_per_s, a.capacity_tokens_per_s);
        }
        for i in 0..small.timeline.len().min(big.timeline.len()) {
            prop_assert!(unmet(&big, i) <= unmet(&small, i) * (1.0 + 1e-9) + 1e-6);
        }
    }

    #[test]
    fn more_demand_never_lowers_unmet_demand(
        systems in 16u32..200, users in 1e5f64..5e7, factor in 1.0f64..20.0, policy in policies(),
    ) {
        let low = run(systems, users, policy);
        let high = run(systems, users * factor, policy);
        for i in 0..low.timeline.len().min(high.timeline.len()) {
            prop_assert!(unmet(&high, i) >= unmet(&low, i) * (1.0 - 1e-9) - 1e-6, "{}", low.timeline[i].month);
        }
    }

    #[test]
    fn served_plus_unmet_is_peak_demand_every_month(systems in 16u32..400, users in 1e5f64..5e8, policy in policies()) {
        let c = run(systems, users, policy);
        for r in &c.timeline {
            let total = r.served_tokens_per_s + r.unmet_tokens_per_s_by_tier.values().sum::<f64>();
            prop_assert!((total - r.peak_demand_tokens_per_s).abs() <= 1e-9 * r.peak_demand_tokens_per_s.max(1.0));
            // No GPU is given to both training and inference, and idle GPUs are among those online.
            prop_assert!(r.inference_gpus + r.training_gpus <= r.gpus_online * (1.0 + 1e-9) + 1e-6, "{}", r.month);
            prop_assert!(r.idle_gpus <= r.gpus_online * (1.0 + 1e-9) + 1e-6, "{}", r.month);
        }
    }
}
