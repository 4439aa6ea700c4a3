//! # gigawatt-core
//!
//! The data and arithmetic gigawatt stands on: the sourced platform [`catalog`], scenario files
//! ([`scenario`]), the numeric inputs of a run with their provenance ([`params`]), and the
//! build-out + financing planner ([`plan`], [`analysis`], [`uncertainty`]), and the inputs of
//! `gigawatt simulate` — failure classes, topology, training jobs ([`simulation`]). Everything here is a
//! pure function of its inputs; reading files and printing happen in the `gigawatt` binary.
//!
//! ```text
//! scenario.toml ─load_scenario─▶ Model ─plan()─▶ Plan (phases, totals, ranges, timeline, tranches)
//! catalog/*.toml ─Catalog::load─┘
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod catalog;
pub mod date;
pub mod defaults;
pub mod docgen;
pub mod error;
pub mod figures;
pub mod finite;
pub mod fleet;
pub mod params;
pub mod plan;
pub mod quantity;
pub mod scenario;
pub mod schema;
pub mod simulation;
pub mod uncertainty;
pub mod validate;

pub use analysis::{Plan, PlanOptions, plan};
pub use catalog::{Catalog, Field, Platform};
pub use error::{InputError, SourceFile};
pub use figures::Figure;
pub use scenario::{Model, load_scenario};
