//! `gigawatt`: plan and simulate gigawatt-scale AI factories.
//!
//! The binary is thin: it parses the command line, reads files, calls the pure functions of
//! `gigawatt-core`, hands the results to a renderer of `gigawatt-report`, and turns problems into
//! messages and exit codes (0 success, 1 failure to write output, 2 bad usage or bad input).
//! Runs are recorded in the history (`gigawatt-store`) after their result is out; `serve` hands
//! over to `gigawatt-server`.

mod capacity;
mod cli;
mod inference;
mod limits;
mod operate;
mod output;
mod power;
mod progress;
mod replay;
mod runs;
mod simulate;
mod sweep;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use gigawatt_core::{Catalog, InputError, Model, Plan, PlanOptions, SourceFile, load_scenario, plan};
use gigawatt_report::report::{self, ReportOptions};
use gigawatt_report::{csv, json, table};
use miette::{GraphicalReportHandler, GraphicalTheme};

use cli::{CatalogAction, CatalogArgs, Cli, Command, Format, PlanArgs, ReportArgs, RunsAction, RunsArgs, ServeArgs};
use gigawatt_store::{History, Store, StoreError};
use output::{OutFile, write_all};

/// Why a command failed.
enum Failure {
    /// Bad input: exit code 2.
    Input(InputError),
    /// The output could not be written, or the run history could not be read: exit code 1.
    Write(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => Failure::Input(InputError::new(e.to_string())),
            other => Failure::Write(other.to_string()),
        }
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_on_closed_pipe();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprint!("{}", render_error(&e));
            ExitCode::from(2)
        }
        Err(Failure::Write(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

/// A reader that stops early (`gigawatt operate … | head`) ends the command quietly, as it ends
/// any Unix filter, rather than making a print fail (Rust ignores SIGPIPE, so a write to a closed
/// pipe is an error and `print!` panics on it). The server keeps SIGPIPE ignored: a client that
/// goes away must not stop it.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal before any thread is started; no
    // handler runs Rust code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let history = History::resolve(cli.no_record, cli.db.as_deref());
    if let Command::Runs(args) = cli.command {
        return run_runs(&history, args);
    }
    let catalog = load_catalog(&cli.catalog)?;
    match cli.command {
        Command::Plan(args) => run_plan(&catalog, &history, args),
        Command::Report(args) => run_report(&catalog, &history, args),
        Command::Catalog(args) => run_catalog(&catalog, args),
        Command::Capacity(args) => capacity::run(&catalog, &history, args),
        Command::Inference(args) => inference::run(&catalog, args),
        Command::Simulate(args) => simulate::run(&catalog, &history, args),
        Command::Replay(args) => replay::run(&catalog, &history, args),
        Command::Operate(args) => operate::run(&catalog, &history, args),
        Command::Power(args) => power::run(&catalog, &history, args),
        Command::Serve(args) => run_serve(catalog, history, args),
        Command::Sweep(args) => sweep::run(&cli.catalog, &history, args),
        Command::Merge(args) => sweep::run_merge(&history, args),
        Command::Runs(_) => unreachable!("handled above"),
    }
}

/// Renders an input error with its source snippet (colour only on a terminal).
fn render_error(e: &InputError) -> String {
    let tty = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if tty { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let mut s = String::new();
    if GraphicalReportHandler::new_themed(theme).with_width(100).render_report(&mut s, e).is_err() {
        s.clear();
    }
    // The first line already says what and where; keep miette's snippet and help, not its header.
    let body: Vec<&str> = s.lines().skip_while(|l| l.starts_with("  ×") || l.starts_with("  │")).collect();
    let mut out = format!("error: {e}\n");
    for line in body {
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn read_source(path: &Path, what: &str) -> Result<SourceFile, InputError> {
    let name = path.display().to_string();
    std::fs::read_to_string(path).map(|text| SourceFile::new(name.clone(), text)).map_err(|e| {
        InputError::new(format!("cannot read {what} `{name}`: {}", io_reason(&e)))
            .with_help(format!("check the path; {what}s are TOML files such as scenarios/nvidia-openai-10gw.toml"))
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

/// The bundled catalog plus the user's files (each PATH a .toml file or a directory of them).
fn load_catalog(paths: &[PathBuf]) -> Result<Catalog, InputError> {
    Catalog::load(&catalog_files(paths)?)
}

/// The user's catalog files (each PATH a .toml file or a directory of them), in order.
fn catalog_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| {
                    InputError::new(format!("cannot read catalog directory `{}`: {}", path.display(), io_reason(&e)))
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            entries.sort();
            for p in entries {
                files.push(read_source(&p, "catalog file")?);
            }
        } else {
            files.push(read_source(path, "catalog file")?);
        }
    }
    Ok(files)
}

fn load_model(catalog: &Catalog, path: &Path) -> Result<Model, InputError> {
    let file = read_source(path, "scenario")?;
    load_scenario(&file, catalog)
}

/// Plans a scenario file with the seed and draws of the command line, else the scenario's.
fn plan_file(
    catalog: &Catalog,
    path: &Path,
    seed: Option<u64>,
    draws: Option<u64>,
) -> Result<(Model, Plan), InputError> {
    let model = load_model(catalog, path)?;
    let mut opts = PlanOptions::from_model(&model);
    if let Some(seed) = seed {
        opts.seed = seed;
    }
    if let Some(draws) = draws {
        opts.draws = draws as usize;
    }
    let result = plan(&model, opts);
    Ok((model, result))
}

fn run_plan(catalog: &Catalog, history: &History, args: PlanArgs) -> Result<(), Failure> {
    let (model, mut result) = plan_file(catalog, &args.scenario, args.seed, args.draws)?;
    let energy = if args.energy_from_power {
        let pw = power::for_report(catalog, &model, args.seed, None)?;
        let e = gigawatt_power::opex::energy_opex(&result, &pw);
        gigawatt_power::opex::apply(&mut result, &e);
        Some(e)
    } else {
        None
    };
    let as_json = match &energy {
        Some(e) => json::to_json(&gigawatt_report::power::PlanWithEnergy { plan: &result, energy_from_power: e }),
        None => json::to_json(&result),
    };
    let as_csv = csv::timeline_csv(&result);
    if let Some(dir) = &args.out {
        write_all(dir, &[OutFile::new("plan.json", &as_json), OutFile::new("timeline.csv", &as_csv)])
            .map_err(Failure::Write)?;
        eprintln!("wrote {}, {}", dir.join("plan.json").display(), dir.join("timeline.csv").display());
    }
    let text = match args.format {
        Format::Table => match &energy {
            Some(e) => table::plan_summary(&result) + &gigawatt_report::power::energy_opex_text(e),
            None => table::plan_summary(&result),
        },
        Format::Json => as_json.clone(),
        Format::Csv => as_csv,
    };
    print!("{text}");
    // Recorded after the result is out: the history never costs the user their result.
    runs::record_plan(history, &model, &result, &as_json);
    Ok(())
}

fn run_report(catalog: &Catalog, history: &History, args: ReportArgs) -> Result<(), Failure> {
    // The sweeps are read first: a wrong directory fails before the plan and simulation run.
    let sweeps = args.sweeps.iter().map(|d| sweep::report_summary(d)).collect::<Result<Vec<_>, _>>()?;
    let (model, result) = plan_file(catalog, &args.scenario, args.seed, args.draws)?;
    let simulation = if model.simulation.declared && !args.no_simulate {
        let mut options = gigawatt_sim::SimOptions { sweep: true, ..gigawatt_sim::SimOptions::from_model(&model) };
        if let Some(seed) = args.seed {
            options.seed = seed;
        }
        if let Some(replicas) = args.replicas {
            options.replicas = replicas;
        }
        let eval = gigawatt_core::plan::evaluate(&model, &model.params.central());
        limits::check_simulation(&model, &eval, options, args.max_memory)?;
        Some(gigawatt_sim::simulate(&model, &eval, options)?)
    } else {
        None
    };
    let capacity = if model.workloads.declared() && !args.no_capacity {
        Some(match &simulation {
            Some(sim) => gigawatt_workloads::capacity_with_simulation(&model, catalog, sim)?,
            None => gigawatt_workloads::capacity_simulated(&model, catalog, false)?,
        })
    } else {
        None
    };
    let operation = if (model.workloads.operate.is_some() || args.operate) && !args.no_operate {
        Some(operate::operate_for_report(catalog, &model, args.seed, args.max_memory)?)
    } else {
        if model.workloads.declared() && !args.no_operate {
            eprintln!(
                "note: no operations section: the scenario has no [operate] section (--operate operates it on the bundled defaults)"
            );
        }
        None
    };
    // Power follows the simulated jobs' states: run when there are jobs and a simulation.
    let power = if simulation.is_some() && !model.simulation.jobs.is_empty() && !args.no_power {
        Some(power::for_report(catalog, &model, args.seed, args.max_memory)?)
    } else {
        None
    };
    let inputs = report::ReportInputs {
        plan: &result,
        simulation: simulation.as_ref(),
        capacity: capacity.as_ref(),
        operation: operation.as_ref(),
        power: power.as_ref(),
        sweeps: &sweeps,
        scenario_text: &model.source.text,
    };
    let files = report::report(inputs, ReportOptions { png: args.png }).map_err(Failure::Write)?;
    let out: Vec<OutFile<'_>> = files.iter().map(|f| OutFile::new(&f.path, &f.contents)).collect();
    write_all(&args.out, &out).map_err(Failure::Write)?;
    let charts = files.iter().filter(|f| f.path.starts_with("charts/")).count();
    let data: Vec<&str> =
        files.iter().map(|f| f.path.as_str()).filter(|p| !p.starts_with("charts/") && *p != "index.html").collect();
    eprintln!("wrote {} ({} chart files, {})", args.out.join("index.html").display(), charts, data.join(", "));
    let json_of = |name: &str| {
        files
            .iter()
            .find(|f| f.path == name)
            .map(|f| String::from_utf8_lossy(&f.contents).into_owned())
            .unwrap_or_default()
    };
    runs::record_plan(history, &model, &result, &json_of("plan.json"));
    if let Some(sim) = &simulation {
        runs::record_simulation(history, &model, sim, &json_of("simulate.json"));
    }
    if let Some(cap) = &capacity {
        let seed = simulation.as_ref().map_or(model.seed, |sim| sim.seed);
        runs::record_capacity(history, &model, cap, seed, &json_of("capacity.json"));
    }
    if let Some(op) = &operation {
        runs::record_operate(history, &model, op, &json_of("operate.json"));
    }
    if let Some(pw) = &power {
        runs::record(
            history,
            "power",
            &model.name,
            &model.source,
            Some(pw.seed),
            &power::figures(pw),
            &json_of("power.json"),
        );
    }
    Ok(())
}

fn run_serve(catalog: Catalog, history: History, args: ServeArgs) -> Result<(), Failure> {
    // Check the history once at start: a dashboard that cannot record still serves.
    let (history, history_note) = match history.open() {
        Ok(Some(store)) => {
            let note = format!("runs recorded in {}", store.path().display());
            (history, note)
        }
        Ok(None) => (History::Off, "runs not recorded (--no-record)".to_string()),
        Err(e) => {
            // Kept as it is: each run warns that it was not recorded, and /api/runs answers 503
            // with the reason, rather than pretending the history was switched off.
            eprintln!("warning: runs will not be recorded: {e}");
            (history, "runs not recorded (the history cannot be opened)".to_string())
        }
    };
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}, not on loopback: anyone who can reach this address can use the dashboard",
            args.bind
        );
    }
    let state = gigawatt_server::AppState::new(catalog, history)
        .bound_to(args.bind)
        .with_time_limit(std::time::Duration::from_secs_f64(args.time_limit));
    let config = gigawatt_server::ServeConfig { bind: args.bind, port: args.port };
    gigawatt_server::serve(config, state, |addr| {
        let host = match addr {
            std::net::SocketAddr::V6(a) => format!("[{}]", a.ip()),
            std::net::SocketAddr::V4(a) => a.ip().to_string(),
        };
        eprintln!("gigawatt serve: dashboard at http://{host}:{}/ · {history_note} · Ctrl-C stops", addr.port());
    })
    .map_err(|e| Failure::Write(format!("cannot serve on {}:{}: {e}", args.bind, args.port)))
}

fn run_runs(history: &History, args: RunsArgs) -> Result<(), Failure> {
    let path = match history {
        History::Off => {
            return Err(InputError::new("`gigawatt runs` reads the run history, which --no-record turns off")
                .with_help("drop --no-record; choose the database with --db PATH or GIGAWATT_DB")
                .into());
        }
        History::Unavailable => {
            return Err(InputError::new("no run history: this user has no data directory")
                .with_help("choose the database with --db PATH or the GIGAWATT_DB environment variable")
                .into());
        }
        History::At(p) => p.clone(),
    };
    let store = Store::open(&path)?;
    let db = path.display().to_string();
    let json = args.format == Format::Json;
    let text = match args.action.unwrap_or(RunsAction::List { limit: 20 }) {
        RunsAction::List { limit } => {
            let list = store.list(limit)?;
            if json { json::to_json(&list) } else { runs::list_text(&list, &db) }
        }
        RunsAction::Show { id } => {
            let run = store.get(id)?;
            if json { json::to_json(&run) } else { runs::show_text(&run) }
        }
        RunsAction::Diff { a, b } => {
            let d = store.diff(a, b)?;
            if json { json::to_json(&d) } else { runs::diff_text(&d) }
        }
    };
    print!("{text}");
    Ok(())
}

fn run_catalog(catalog: &Catalog, args: CatalogArgs) -> Result<(), Failure> {
    match args.action.unwrap_or(CatalogAction::List) {
        CatalogAction::List => match args.format {
            Format::Json => print!("{}", json::to_json(catalog)),
            _ => print!("{}", table::catalog_list(catalog)),
        },
        CatalogAction::Show { id } => {
            let platform = catalog.get(&id).ok_or_else(|| {
                let list = catalog.ids().collect::<Vec<_>>().join(", ");
                let err = InputError::new(format!("unknown platform `{id}`"));
                match gigawatt_core::error::closest(&id, catalog.ids()) {
                    Some(best) => {
                        err.with_help(format!("did you mean `{best}`? `gigawatt catalog` lists every platform"))
                    }
                    None => err.with_help(format!("known platforms: {list}")),
                }
            })?;
            match args.format {
                Format::Json => print!("{}", json::to_json(platform)),
                _ => print!("{}", table::catalog_show(platform)),
            }
        }
    }
    Ok(())
}
