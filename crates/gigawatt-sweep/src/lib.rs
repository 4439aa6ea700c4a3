//! # gigawatt-sweep
//!
//! Grids and Monte Carlo over any scenario input (`gigawatt sweep`, `docs/sweep.md`): a sweep file
//! names a base scenario, the axes that move its inputs by key path, the command run at each point
//! (plan, simulate, capacity or operate, called through its library function, never as a
//! program), the replicas per point and the metrics kept as paths into the command's JSON.
//!
//! ```text
//! sweep.toml ─SweepFile::parse─▶ SweepFile ─Prepared::new(scenario, catalog)─▶ Prepared
//!   point i ─▶ axis values ─▶ scenario TOML ─load_scenario─▶ Model ─command─▶ JSON ─metrics─▶ row
//!   shard I/N = points i ≡ I (mod N) ─run_shard─▶ DIR/shards/shard-I-of-N.parquet
//!   DIR/shards/* ─merge─▶ DIR/points.parquet, DIR/summary.parquet, DIR/manifest.json
//! ```
//!
//! * [`spec`]: the sweep file;
//! * [`path`]: key paths into scenarios and into JSON;
//! * [`target`]: where an axis writes its value (scenario key or platform field);
//! * [`points`]: enumeration, sampling, seeding, sharding — pure functions of the sweep;
//! * [`prepare`]: the sweep resolved and checked, each point's scenario built and run;
//! * [`run`]: shards written in batches (resumable), merged and summarised;
//! * [`table`]: columnar tables as Parquet (no arrow, Snappy) and CSV.
//!
//! Point i's seed is a pure function of (sweep seed, i), rows are written sorted by (point,
//! replica) with nothing run-specific in them, so the files are the same bytes whatever the
//! thread count, the shard count or how often a run was resumed.

#![warn(missing_docs)]

pub mod path;
pub mod points;
pub mod prepare;
pub mod replay;
pub mod run;
pub mod spec;
pub mod table;
pub mod target;

pub use prepare::{BaseFiles, Estimate, Prepared};
pub use replay::{ReplayFiles, ReplayOptions, TraceInput};
pub use run::{Merged, Progress, Shard, ShardReport, SweepError, merge, run_shard};
pub use spec::SweepFile;
pub use table::{Table, read_parquet};
