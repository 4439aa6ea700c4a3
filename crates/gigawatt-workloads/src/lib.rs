//! # gigawatt-workloads
//!
//! What a gigawatt fleet does: training runs and inference serving, against demand. Pure
//! functions of a validated scenario ([`gigawatt_core::Model`]), the platform catalog and the
//! bundled workload data (`catalog/models/*.toml`, `catalog/workloads.toml`); no I/O.
//!
//! ```text
//! scenario [[training]] [demand] [inference] [allocation] ─spec─▶ CapacitySpec
//! plan() fleet online per month ──┐
//! training: C = 6·N·D (+attention), MFU, ETTR ─┼─ allocation (policy, tiers by priority) ─▶ Capacity
//! inference: roofline × calibrated η per stage ┘
//! ```
//!
//! * [`training`] — compute, MFU, the closed-form ETTR and the [`training::EttrSource`] hook.
//! * [`inference`] — the prefill/decode roofline and its calibration.
//! * [`bench`] — the benchmark mode: one model on one platform, its operating point and Pareto curve.
//! * [`demand`] — users, tiers, features and the daily profile → tokens/s by tier.
//! * [`allocation`] — the monthly split and serving in priority order.
//! * [`capacity`] — the monthly run that ties them together.
//! * [`simulated`] — the same, with the fleet simulator's ETTR for runs that ask for it.

#![warn(missing_docs)]

pub mod allocation;
pub mod bench;
pub mod capacity;
pub mod defaults;
pub mod demand;
pub mod inference;
pub mod models;
pub mod parse;
pub mod precision;
pub mod requests;
pub mod simulated;
pub mod spec;
pub mod training;

pub use capacity::{Capacity, capacity, capacity_with, jobs_to_simulate};
pub use simulated::{capacity_simulated, capacity_with_simulation};
pub use training::{Ettr, EttrSource, ScenarioEttr};
