//! # gigawatt-report
//!
//! Renderers of gigawatt results. Every renderer reads only the plain result structs of
//! `gigawatt-core` (a [`Plan`](gigawatt_core::Plan), the [`Catalog`](gigawatt_core::Catalog)):
//! terminal tables ([`table`]), JSON ([`json`]), CSV ([`csv`]), charts as SVG ([`chart`]) and PNG
//! ([`png`]), the headline cards ([`headline`]), the self-contained HTML page ([`html`]) and the
//! report directory that bundles them ([`report`]), with human number formatting in [`fmt`].
//! The results of `gigawatt simulate` (`gigawatt_sim::SimResults`) render through [`simulation`];
//! [`capacity`] renders the results of `gigawatt capacity` (`gigawatt-workloads`), [`inference`]
//! those of `gigawatt inference`, [`power`] those of `gigawatt power` (`gigawatt-power`), and
//! [`sweep`] lays out a merged sweep's summary and charts (`gigawatt report --sweep DIR`).
//!
//! Adding a result type's charts: write `fn …_charts(&Result) -> Vec<Chart>` beside
//! [`chart::plan::plan_charts`], `fn …_sections(&Result, …) -> Vec<html::Section>` beside
//! [`html::plan_sections`], and its cards beside [`headline::plan_cards`]; the SVG and PNG
//! renderers, the page and the dashboard take them as they are.

#![warn(missing_docs)]

pub mod capacity;
pub mod chart;
pub mod csv;
pub mod fmt;
pub mod headline;
pub mod html;
pub mod inference;
pub mod json;
pub mod operate;
pub mod png;
pub mod power;
pub mod replay;
pub mod report;
pub mod simulation;
pub mod sweep;
pub mod table;
