//! # gigawatt-report
//!
//! Renderers of gigawatt results. Every renderer reads only the plain result structs of
//! `gigawatt-core` (a [`Plan`](gigawatt_core::Plan), the [`Catalog`](gigawatt_core::Catalog)):
//! terminal tables ([`table`]), JSON ([`json`]), CSV ([`csv`]), charts as SVG ([`chart`]) and PNG
//! ([`png`]), the headline figures ([`headline`]) and the self-contained HTML report ([`html`]),
//! with human number formatting in [`fmt`].

#![warn(missing_docs)]

pub mod chart;
pub mod csv;
pub mod fmt;
pub mod headline;
pub mod html;
pub mod json;
pub mod png;
pub mod report;
pub mod table;
