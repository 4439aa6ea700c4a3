//! `gigawatt capacity`: training runs and inference serving on the plan's fleet, month by month,
//! against demand (see `docs/models/training.md`, `docs/models/inference.md`).
//!
//! A training run whose reliability is `simulated` (the default when the scenario has a `[[job]]`
//! of the same name) takes that job's ETTR from the fleet simulator, run with the scenario's own
//! `[simulation]` settings; `--no-simulate` switches the simulator off and the closed form applies.

use std::path::PathBuf;

use clap::Args;
use gigawatt_core::Catalog;
use gigawatt_report::{capacity as render, json};
use gigawatt_store::History;

use crate::cli::Format;
use crate::output::{OutFile, write_all};
use crate::{Failure, load_model};

/// Arguments of `gigawatt capacity`.
#[derive(Args, Debug)]
pub struct CapacityArgs {
    /// The scenario file (TOML; its [[training]], [demand], [inference] and [allocation] sections are
    /// described in docs/scenario.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Output format on stdout (csv: the monthly timeline).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write capacity.json and capacity_timeline.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Do not run the fleet simulator: training runs that ask for a simulated ETTR use the closed
    /// form on the same settings instead.
    #[arg(long)]
    pub no_simulate: bool,
}

/// Runs `gigawatt capacity`.
pub fn run(catalog: &Catalog, history: &History, args: CapacityArgs) -> Result<(), Failure> {
    let model = load_model(catalog, &args.scenario)?;
    let result = gigawatt_workloads::capacity_simulated(&model, catalog, !args.no_simulate)?;
    let as_json = json::to_json(&result);
    let as_csv = render::capacity_csv(&result);
    if let Some(dir) = &args.out {
        write_all(dir, &[OutFile::new("capacity.json", &as_json), OutFile::new("capacity_timeline.csv", &as_csv)])
            .map_err(Failure::Write)?;
        eprintln!("wrote {}, {}", dir.join("capacity.json").display(), dir.join("capacity_timeline.csv").display());
    }
    let text = match args.format {
        Format::Table => render::capacity_summary(&result),
        Format::Json => as_json.clone(),
        Format::Csv => as_csv,
    };
    print!("{text}");
    crate::runs::record_capacity(history, &model, &result, model.seed, &as_json);
    Ok(())
}
