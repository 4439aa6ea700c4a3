//! CSV output: the plan's quarterly timeline, one row per quarter.

use gigawatt_core::Plan;

/// The quarterly timeline as CSV (money in USD, power in GW), with one `gpus_online_<platform>`
/// column per platform.
pub fn timeline_csv(plan: &Plan) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let platforms: Vec<String> =
        plan.timeline.first().map(|r| r.gpus_by_platform.iter().map(|(p, _)| p.clone()).collect()).unwrap_or_default();
    let mut header: Vec<String> = [
        "quarter",
        "date",
        "deployed_gw",
        "gpus_online",
        "dies_online",
        "cumulative_capex_usd",
        "tranches_released",
        "investment_usd",
        "cumulative_investment_usd",
        "cumulative_investor_purchases_usd",
        "net_flow_usd",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(platforms.iter().map(|p| format!("gpus_online_{p}")));
    w.write_record(&header).expect("in-memory write");
    for r in &plan.timeline {
        let mut rec = vec![
            r.quarter.to_string(),
            r.date.to_string(),
            format!("{:.6}", r.deployed_gw),
            r.gpus_online.to_string(),
            r.dies_online.to_string(),
            format!("{:.0}", r.cumulative_capex_usd),
            r.tranches_released.to_string(),
            format!("{:.0}", r.investment_usd),
            format!("{:.0}", r.cumulative_investment_usd),
            format!("{:.0}", r.cumulative_investor_purchases_usd),
            format!("{:.0}", r.net_flow_usd),
        ];
        rec.extend(r.gpus_by_platform.iter().map(|(_, n)| n.to_string()));
        w.write_record(&rec).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("utf-8")
}
