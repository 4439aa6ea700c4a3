//! Headline figures: the few numbers of a result that a reader compares between runs.
//!
//! Every result type lists its figures under stable keys (`totals.gpus`, `per_gw.capex_usd`), so
//! the run history can store them beside the full result and say which moved between two runs
//! without knowing the result's shape.

use serde::{Deserialize, Serialize};

use crate::analysis::Plan;

/// One headline figure of a result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable key: the figure's path in the result's JSON where it has one (`totals.gpus`).
    pub key: String,
    /// What it is, for people (`GPU packages`).
    pub label: String,
    /// Unit, as the input listings write units (`GPUs`, `USD`, `GW`, `kW`, `fraction`, `count`).
    pub unit: String,
    /// The value.
    pub value: f64,
}

impl Figure {
    /// A figure.
    pub fn new(key: &str, label: &str, unit: &str, value: f64) -> Figure {
        Figure { key: key.into(), label: label.into(), unit: unit.into(), value }
    }
}

impl Plan {
    /// The plan's headline figures: sizes, money, the P10 / P90 of each ranged headline, and the
    /// financing when there is one.
    pub fn figures(&self) -> Vec<Figure> {
        let t = &self.totals;
        let r = &self.ranges;
        let mut out = vec![
            Figure::new("totals.power_gw", "facility power", "GW", t.power_gw),
            Figure::new("totals.racks", "racks", "count", t.racks as f64),
            Figure::new("totals.gpus", "GPU packages", "GPUs", t.gpus as f64),
            Figure::new("ranges.gpus.low", "GPU packages, P10", "GPUs", r.gpus.low),
            Figure::new("ranges.gpus.high", "GPU packages, P90", "GPUs", r.gpus.high),
            Figure::new("totals.dies", "GPU dies", "GPUs", t.dies as f64),
            Figure::new("totals.capex_usd", "capex", "USD", t.capex_usd),
            Figure::new("totals.capex_nvidia_usd", "capex bought from NVIDIA", "USD", t.capex_nvidia_usd),
            Figure::new("per_gw.capex_usd", "capex per GW", "USD", self.per_gw.capex_usd),
            Figure::new("ranges.capex_per_gw_usd.low", "capex per GW, P10", "USD", r.capex_per_gw_usd.low),
            Figure::new("ranges.capex_per_gw_usd.high", "capex per GW, P90", "USD", r.capex_per_gw_usd.high),
            Figure::new(
                "per_gw.capex_supplier_usd",
                "principal supplier's content per GW",
                "USD",
                self.per_gw.capex_supplier_usd,
            ),
            Figure::new(
                "ranges.supplier_per_gw_usd.low",
                "supplier content per GW, P10",
                "USD",
                r.supplier_per_gw_usd.low,
            ),
            Figure::new(
                "ranges.supplier_per_gw_usd.high",
                "supplier content per GW, P90",
                "USD",
                r.supplier_per_gw_usd.high,
            ),
            Figure::new("per_gpu.capex_usd", "capex per GPU package", "USD", self.per_gpu.capex_usd),
            Figure::new("per_gpu.kw_all_in", "facility kW per GPU package", "kW", self.per_gpu.kw_all_in),
            Figure::new("totals.opex_usd_per_year", "opex per year", "USD", t.opex_usd_per_year),
        ];
        if let Some(f) = &self.financing {
            out.push(Figure::new("financing.total_usd", "investment released", "USD", f.total_usd));
            out.push(Figure::new(
                "financing.purchases_from_investor_usd",
                "purchases from the investor",
                "USD",
                f.purchases_from_investor_usd,
            ));
            out.push(Figure::new("financing.implied_stake", "implied stake", "fraction", f.implied_stake));
        }
        out
    }
}
