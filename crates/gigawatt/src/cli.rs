//! The command line, defined once: every flag with its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Plan and simulate gigawatt-scale AI factories.
///
/// Every number comes from the bundled platform catalog and defaults (each with its source) or
/// from the scenario file; reports list the inputs that rest on assumptions.
#[derive(Parser, Debug)]
#[command(name = "gigawatt", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Add platform files: a .toml file or a directory of them. They override bundled platforms
    /// with the same id. Repeatable.
    #[arg(long = "catalog", value_name = "PATH", global = true)]
    pub catalog: Vec<PathBuf>,

    /// The run history database (default: $GIGAWATT_DB, else runs.sqlite3 in the user's data
    /// directory, e.g. ~/.local/share/gigawatt/).
    #[arg(long, value_name = "PATH", global = true)]
    pub db: Option<PathBuf>,

    /// Do not record this run in the history.
    #[arg(long, global = true)]
    pub no_record: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Plan a build-out: power → racks → GPUs → capex/opex → quarterly timeline → investment
    /// tranches and the money flow between investor and supplier.
    Plan(PlanArgs),
    /// Write a report: a self-contained index.html (charts inline), the charts as SVG (and PNG
    /// with --png), and the JSON and CSV beside them. Scenarios with a simulation or workload
    /// sections get those results too.
    Report(ReportArgs),
    /// List the platform catalog, or show one platform with the source of every number.
    Catalog(CatalogArgs),
    /// Training runs and inference serving on the plan's fleet, month by month, against demand:
    /// finish dates, tokens/s per GPU and per MW, cost per token, unmet demand by tier.
    Capacity(crate::capacity::CapacityArgs),
    /// An inference benchmark: one model on one platform at fixed input and output lengths —
    /// tokens/s per GPU, per MW and per user, TTFT and ITL; with --sweep the Pareto curve.
    Inference(crate::inference::InferenceArgs),
    /// Simulate the planned fleet: failures, repairs, spares and training jobs that checkpoint
    /// and restart, over Monte Carlo replicas.
    Simulate(crate::simulate::SimulateArgs),
    /// Replay a GPU-cluster job trace on a cluster under scheduling policies, side by side: gang
    /// placement, preemption, failures; JCT, queueing, utilisation and fragmentation.
    Replay(crate::replay::ReplayArgs),
    /// Operate the build-out day by day on the scheduler core: frontier runs, RL, research and
    /// inference share the growing fleet, with failures; month by month, what goes to what.
    Operate(crate::operate::OperateArgs),
    /// Sweep any scenario inputs over a grid, one at a time or by Latin-hypercube or Monte Carlo
    /// sampling; run a command at each point with replicas, on all cores, as one shard of several
    /// or as a Slurm job array; keep metrics in Parquet (docs/sweep.md).
    Sweep(crate::sweep::SweepArgs),
    /// Merge a sweep's shards (DIR/shards/) into DIR/points.parquet and DIR/summary.parquet,
    /// checking they are of one sweep and hold every point exactly once.
    Merge(crate::sweep::MergeArgs),
    /// A site's megawatts second by second under synchronous training — swings, checkpoints,
    /// failures, restarts — with smoothing, storage, grid limits, energy cost and carbon.
    Power(crate::power::PowerArgs),
    /// The run history: list the recorded runs, show one, or compare two.
    Runs(RunsArgs),
    /// A local web dashboard: pick or paste a scenario, run it, see the numbers and charts; and
    /// the JSON API behind it (docs/api.md). Runs are recorded in the history.
    Serve(ServeArgs),
}

/// Arguments of `gigawatt serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on. The default serves this machine only; anything else exposes the
    /// dashboard to whoever can reach the address.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,

    /// Port to listen on (0 picks a free port and prints it).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Longest a request may take, waiting for a run slot included, in seconds; a run still going
    /// then is stopped and its client gets a 503 (see docs/limits.md).
    #[arg(long, value_name = "SECONDS", default_value_t = gigawatt_server::DEFAULT_TIME_LIMIT.as_secs_f64(),
          value_parser = parse_time_limit)]
    pub time_limit: f64,
}

/// A time limit in seconds: a number above 0, at most a day.
fn parse_time_limit(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= 86_400.0 => Ok(t),
        _ => Err(format!("`{s}` is not a time limit in seconds (a number above 0, at most 86400)")),
    }
}

/// Output formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A readable summary.
    Table,
    /// The full result as JSON (see docs/output.md).
    Json,
    /// Rows as CSV: the quarterly timeline (plan), the monthly one (capacity), the daily series
    /// (simulate), one row per job and policy (replay).
    Csv,
}

/// Arguments of `gigawatt plan`.
#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The scenario file (TOML; see docs/scenario.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write plan.json and timeline.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Seed of the Monte Carlo behind the ranges (default: the scenario's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,

    /// Monte Carlo draws behind the ranges, 1,000 to 1,000,000 (default: the scenario's, else 2,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1000..=1_000_000))]
    pub draws: Option<u64>,

    /// Price electricity with the power model instead of the flat line (installed MW × load
    /// factor × price): run `gigawatt power` at its defaults (7 days at 1 s; needs a [[job]]) and
    /// put its energy cost, annualised, into each phase's opex (docs/models/power.md).
    #[arg(long)]
    pub energy_from_power: bool,
}

/// Arguments of `gigawatt report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The scenario file (TOML; see docs/scenario.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// The report directory (created if missing; files already there with the same names are
    /// replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Also write every chart as PNG (rendered from the same SVG with the bundled font).
    #[arg(long)]
    pub png: bool,

    /// Seed of the Monte Carlo behind the ranges (default: the scenario's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,

    /// Monte Carlo draws behind the ranges, 1,000 to 1,000,000 (default: the scenario's, else 2,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1000..=1_000_000))]
    pub draws: Option<u64>,

    /// Leave out the reliability simulation (otherwise run when the scenario has a [simulation]
    /// section, a [[job]] or a [[failure]], with an interval sweep); capacity then uses the closed
    /// form.
    #[arg(long)]
    pub no_simulate: bool,

    /// Leave out training and inference capacity (otherwise run when the scenario has
    /// [[training]], [demand], [inference] or [allocation]).
    #[arg(long)]
    pub no_capacity: bool,

    /// Leave out the operated build-out (otherwise run when the scenario has an [operate]
    /// section: one scheduler sharing the fleet among frontier runs, RL, research and inference).
    #[arg(long, conflicts_with = "operate")]
    pub no_operate: bool,

    /// Operate the build-out even when the scenario has no [operate] section, on the bundled
    /// defaults (as `gigawatt operate` does), and add the operations section
    #[arg(long)]
    pub operate: bool,

    /// Leave out the sites' power (otherwise run when the scenario has a [[job]] and the simulation
    /// is not left out: the first 7 days at 1 s, as `gigawatt power` by default).
    #[arg(long)]
    pub no_power: bool,

    /// Add a merged sweep's directory (`gigawatt sweep` or `gigawatt merge` output): a "Sweep"
    /// section with what it ran, each metric's P50 range and its charts, read from
    /// DIR/summary.parquet. Repeatable.
    #[arg(long = "sweep", value_name = "DIR")]
    pub sweeps: Vec<PathBuf>,

    /// Monte Carlo replicas of the simulation (default: the scenario's [simulation] replicas).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicas: Option<u32>,

    /// Refuse the simulation if its memory estimate exceeds SIZE (e.g. 8G, 512M; default: the
    /// memory this machine has available).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
}

/// Arguments of `gigawatt catalog`.
#[derive(Args, Debug)]
pub struct CatalogArgs {
    /// `list` (the default) or `show ID`.
    #[command(subcommand)]
    pub action: Option<CatalogAction>,

    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,
}

/// Catalog actions.
#[derive(Subcommand, Debug, Clone)]
pub enum CatalogAction {
    /// One row per platform.
    List,
    /// One platform with every value, its range and its sources.
    Show {
        /// Platform id, e.g. vr-nvl144.
        id: String,
    },
}

/// Arguments of `gigawatt runs`.
#[derive(Args, Debug)]
pub struct RunsArgs {
    /// `list` (the default), `show ID` or `diff A B`.
    #[command(subcommand)]
    pub action: Option<RunsAction>,

    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,
}

/// Run-history actions.
#[derive(Subcommand, Debug, Clone)]
pub enum RunsAction {
    /// The most recent runs, newest first.
    List {
        /// How many runs to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// One run: its scenario, seed, version and headline figures (`--format json` adds the full
    /// results).
    Show {
        /// Run id, as `gigawatt runs list` shows it.
        id: i64,
    },
    /// Which headline figures moved between two runs, and by how much; and which scenario lines
    /// differ.
    Diff {
        /// The earlier run.
        a: i64,
        /// The later run.
        b: i64,
    },
}
