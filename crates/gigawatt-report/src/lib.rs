//! # gigawatt-report
//!
//! Renderers of gigawatt results. Every renderer reads only the plain result structs of
//! `gigawatt-core` (a [`Plan`](gigawatt_core::Plan), the [`Catalog`](gigawatt_core::Catalog)):
//! terminal tables ([`table`]), JSON ([`json`]) and CSV ([`csv`]), with human number formatting
//! in [`fmt`]. The results of `gigawatt simulate` (`gigawatt_sim::SimResults`) render through
//! [`simulation`]; [`capacity`] renders the results of `gigawatt capacity` (`gigawatt-workloads`).

#![warn(missing_docs)]

pub mod capacity;
pub mod csv;
pub mod fmt;
pub mod json;
pub mod simulation;
pub mod table;
