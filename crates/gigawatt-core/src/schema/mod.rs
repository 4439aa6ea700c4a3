//! The schema of gigawatt's input files: what a scenario, a platform file and the failure catalog
//! may contain, as serde types (`deny_unknown_fields`). This is the ground floor of the core: the
//! loaders read text into these types, a second pass validates them into the model's types with
//! each problem located at its key, and the models import the validated types, never the reverse.
//!
//! Each struct is declared with [`schema_struct!`](crate::schema_struct), so its keys, the "did
//! you mean" suggestions for unknown keys and the reference tables of `docs/scenario.md` come from
//! one definition. Numbers about the world are [`Input`]s: bare or with their provenance.

pub mod failures;
pub mod input;
pub mod inputs;
pub mod meta;
pub mod operate;
pub mod power;
pub mod scenario;
pub mod workloads;

pub use input::{Grade, Input, InputTable, Scalar, Sources};
pub use meta::{FieldDoc, Kind, Section};
