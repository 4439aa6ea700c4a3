//! `gigawatt power`: a scenario's sites' megawatts second by second under synchronous training —
//! swings, checkpoints, failures, restarts — with the mitigations, grid limits, energy cost and
//! carbon of its `[power]` section (`gigawatt-power`, docs/models/power.md).
//!
//! It plans the scenario at central inputs, simulates one replica over the window's days, turns
//! its job state timeline into each site's facility power and renders the metrics. Everything is
//! deterministic: the output does not depend on the number of threads.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use gigawatt_core::plan::evaluate;
use gigawatt_core::simulation::MAX_DAYS;
use gigawatt_core::{Catalog, Figure, InputError, Model};
use gigawatt_power::inputs::{PowerSettings, bundled_defaults_file, read_defaults};
use gigawatt_power::metrics::GridMetrics;
use gigawatt_power::price::read_hourly;
use gigawatt_power::{PowerEstimate, PowerOptions, PowerResults};
use gigawatt_report::chart::power::power_charts;
use gigawatt_report::fmt::{percent, power_mw, sig3, usd};
use gigawatt_report::json;
use gigawatt_report::power::{series_columns, series_csv};
use gigawatt_store::History;
use gigawatt_sweep::table::{Column, Table, Values};

use crate::output::{OutFile, write_all};
use crate::{Failure, load_model, read_source};

/// Output formats of `gigawatt power`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerFormat {
    /// A readable summary.
    Table,
    /// The full result as JSON (see docs/output.md).
    Json,
    /// The series as CSV: `time_s`, one `<site>_mw` column per site, `total_mw`.
    Csv,
    /// The same series as Parquet, on stdout (redirect it to a file; refused on a terminal).
    Parquet,
}

/// Days the window covers when `--to` is not given (or the simulated days, if fewer).
pub const DEFAULT_WINDOW_DAYS: f64 = 7.0;

/// Arguments of `gigawatt power`.
#[derive(Args, Debug)]
pub struct PowerArgs {
    /// The scenario file (TOML; its [power] section is described in docs/scenario.md).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Start of the window, days from the start of the simulation.
    #[arg(long, value_name = "DAY", default_value_t = 0.0, value_parser = parse_day)]
    pub from: f64,

    /// End of the window, days (default: 7 days after --from, at most the scenario's [simulation]
    /// days).
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    pub to: Option<f64>,

    /// Step of the series: 1s, 1min or 15min (any whole number of s, min or h). The sub-second
    /// view is the 10 ms spectrum window.
    #[arg(long, value_name = "STEP", default_value = "1s", value_parser = parse_resolution)]
    pub resolution: f64,

    /// Output format on stdout: a summary table, the full result as JSON, or the series as CSV or
    /// Parquet (one column per site and the total, MW).
    #[arg(long, value_enum, default_value_t = PowerFormat::Table)]
    pub format: PowerFormat,

    /// Also write power.json, power.csv, power.parquet and the charts (SVG) into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Seed of the simulation (default: the scenario's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,

    /// The replica whose failures and restarts the series follow (default: [power] replica, else 0).
    #[arg(long)]
    pub replica: Option<u64>,

    /// Hourly prices: a CSV with `hour,usd_per_mwh` (and optionally `g_co2_per_kwh`), hours from
    /// the start of the simulation (default: each site's state average, else the US average).
    #[arg(long, value_name = "CSV")]
    pub prices: Option<PathBuf>,

    /// Fill gaps in the price series with the hour before, and carry its ends to the window's.
    #[arg(long)]
    pub fill: bool,

    /// Centre the 10 ms spectrum window on this day (default: the largest synchronous step).
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    pub spectrum_at: Option<f64>,

    /// Also write every chart as PNG (rendered from the same SVG with the bundled font).
    #[arg(long)]
    pub png: bool,

    /// The day the MW chart shows (default: the window's first).
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    pub chart_day: Option<f64>,

    /// Refuse the run if its memory estimate exceeds SIZE (e.g. 8G, 512M; default: the memory
    /// this machine has available).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,

    /// Follow the whole operated build-out (`gigawatt operate`: frontier stages, RL, research,
    /// inference) instead of a simulated replica's [[job]]s; days count from the first day
    /// operated, and phases come into service along their ramps.
    #[arg(long)]
    pub operate: bool,
}

fn parse_day(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(d) if d.is_finite() && (0.0..=MAX_DAYS).contains(&d) => Ok(d),
        _ => Err(format!("`{s}` is not a day from 0 to {MAX_DAYS}")),
    }
}

/// A step: `1s`, `1min`, `15min`, `2h`, `500ms`, in seconds (a resolution finer than the series
/// supports is refused later, with the reason).
pub fn parse_resolution(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let v: f64 = number.parse().map_err(|_| format!("`{s}` is not a step; write 1s, 1min or 15min"))?;
    let scale = match unit {
        "ms" => 0.001,
        "s" | "" => 1.0,
        "min" | "m" => 60.0,
        "h" => 3600.0,
        other => return Err(format!("`{other}` is not a unit of time; use s, min or h")),
    };
    let x = v * scale;
    if x.is_finite() && x > 0.0 { Ok(x) } else { Err(format!("`{s}` is not a usable step")) }
}

/// The `[power]` settings of a scenario with a `[[job]]`, read against the bundled defaults.
pub fn settings_of(model: &Model) -> Result<PowerSettings, InputError> {
    if model.simulation.jobs.is_empty() {
        return Err(InputError::new(format!("{}: the scenario has no [[job]], so nothing swings", model.source.name))
            .with_help("add a [[job]] (docs/scenario.md, Simulation): power follows the simulated jobs' states"));
    }
    let defaults_file = bundled_defaults_file();
    let defaults = read_defaults(&defaults_file)?;
    PowerSettings::from_model(model, &defaults, &defaults_file)
}

/// The power run of `options` after checking its window and its memory against `max_memory` (else
/// the memory available) and the simulation's own bounds.
pub fn compute(
    catalog: &Catalog,
    model: &Model,
    settings: &PowerSettings,
    options: &PowerOptions,
    max_memory: Option<u64>,
    parquet: bool,
) -> Result<PowerResults, InputError> {
    gigawatt_power::check_window(options)?;
    let mut estimate = PowerEstimate::of(model, settings, options);
    if parquet {
        // The Parquet copy: each series as optional doubles (16 bytes) and encoded (about 8).
        estimate.memory_bytes += estimate.points * (estimate.sites + 2) * 24;
    }
    check_memory(&estimate, max_memory)?;
    let eval = evaluate(model, &model.params.central());
    crate::limits::check_simulation(
        model,
        &eval,
        gigawatt_sim::SimOptions { seed: options.seed, replicas: 1, days: options.to_day, sweep: false },
        max_memory,
    )?;
    gigawatt_power::power(model, catalog, &eval, settings, options)
}

/// The power run `gigawatt report` shows: the default window (the first [`DEFAULT_WINDOW_DAYS`]
/// days, or the simulated days if fewer) at 1 s, the scenario's replica, flat prices.
pub fn for_report(
    catalog: &Catalog,
    model: &Model,
    seed: Option<u64>,
    max_memory: Option<u64>,
) -> Result<PowerResults, InputError> {
    let settings = settings_of(model)?;
    let options = PowerOptions {
        seed: seed.unwrap_or(model.seed),
        from_day: 0.0,
        to_day: DEFAULT_WINDOW_DAYS.min(model.simulation.days),
        resolution_s: 1.0,
        spectrum_at_s: None,
        prices: None,
    };
    compute(catalog, model, &settings, &options, max_memory, false)
}

/// The options of `args` for a window ending at `to`, with the price series read and checked.
fn options_of(args: &PowerArgs, model: &Model, to: f64) -> Result<PowerOptions, Failure> {
    let prices = match &args.prices {
        Some(path) => {
            let file = read_source(path, "price series")?;
            let mut s = read_hourly(&file, args.fill)?;
            s.check_covers((args.from * 24.0).floor() as u64, (to * 24.0).ceil() as u64, args.fill)?;
            Some(s)
        }
        None => None,
    };
    Ok(PowerOptions {
        seed: args.seed.unwrap_or(model.seed),
        from_day: args.from,
        to_day: to,
        resolution_s: args.resolution,
        spectrum_at_s: args.spectrum_at.map(|d| d * 86_400.0),
        prices,
    })
}

/// The power run of `--operate`: operates the scenario with a segment log over the window, then
/// follows every job of it.
fn compute_operated(
    catalog: &Catalog,
    model: &Model,
    args: &PowerArgs,
    want_parquet: bool,
) -> Result<(PowerResults, PowerOptions), Failure> {
    let defaults_file = bundled_defaults_file();
    let defaults = read_defaults(&defaults_file)?;
    let settings = PowerSettings::for_operate(model, &defaults, &defaults_file)?;
    // The limit is checked before the job streams are drawn as well as after.
    let memory_limit = crate::limits::operate_memory_limit(args.max_memory, 1);
    let req = gigawatt_operate::OperateRequest {
        seed: args.seed,
        memory_limit,
        ..gigawatt_operate::OperateRequest::default()
    };
    let prepared = gigawatt_operate::prepare(model, catalog, &req)?;
    let days = prepared.days() as f64;
    let to = args.to.unwrap_or((args.from + DEFAULT_WINDOW_DAYS).min(days));
    if to > days {
        return Err(InputError::new(format!(
            "--to {to} is past the operated build-out ({days} days from {} to {})",
            prepared.from, prepared.to
        ))
        .with_help("give --to within the days operated (set [operate] to for more)")
        .into());
    }
    let options = options_of(args, model, to)?;
    gigawatt_power::check_window(&options)?;
    let mut estimate = PowerEstimate::of(model, &settings, &options);
    if want_parquet {
        estimate.memory_bytes += estimate.points * (estimate.sites + 2) * 24;
    }
    check_memory(&estimate, args.max_memory)?;
    crate::limits::check_operate(&gigawatt_operate::OperateEstimate::of(&prepared), args.max_memory)?;
    let estimate = gigawatt_operate::OperateEstimate::of(&prepared);
    let progress = crate::progress::Progress::new(
        estimate.events.max(1.0) as u64,
        "scheduler events",
        &crate::limits::describe_work(estimate.events, estimate.memory_bytes),
    );
    let window = (gigawatt_sim::SimTime::from_days(options.from_day), gigawatt_sim::SimTime::from_days(options.to_day));
    let logged = gigawatt_operate::run_logged(model, prepared, window, &|n| progress.add(n))?;
    progress.done();
    let eval = evaluate(model, &model.params.central());
    let r = gigawatt_power::operated::power_operated(model, catalog, &eval, &settings, &options, &logged);
    Ok((r, options))
}

/// Runs `gigawatt power`.
pub fn run(catalog: &Catalog, history: &History, args: PowerArgs) -> Result<(), Failure> {
    let model = load_model(catalog, &args.scenario)?;
    if args.format == PowerFormat::Parquet && std::io::stdout().is_terminal() {
        return Err(InputError::new("--format parquet writes binary Parquet to stdout, which is a terminal")
            .with_help("redirect it to a file (`> power.parquet`), or use --out DIR, which writes DIR/power.parquet")
            .into());
    }
    let want_parquet = args.out.is_some() || args.format == PowerFormat::Parquet;
    let (results, options) = if args.operate {
        compute_operated(catalog, &model, &args, want_parquet)?
    } else {
        simulated(catalog, &model, &args, want_parquet)?
    };
    render(history, &model, &args, &results, &options)
}

/// The power run of a simulated replica's [[job]]s.
fn simulated(
    catalog: &Catalog,
    model: &Model,
    args: &PowerArgs,
    want_parquet: bool,
) -> Result<(PowerResults, PowerOptions), Failure> {
    let mut settings = settings_of(model)?;
    if let Some(r) = args.replica {
        settings.replica = r;
    }
    let days = model.simulation.days;
    let to = args.to.unwrap_or((args.from + DEFAULT_WINDOW_DAYS).min(days));
    if to > days {
        return Err(InputError::new(format!("--to {to} is past the simulated window ({days} days)"))
            .with_help("give --to within the scenario's [simulation] days, or raise them there")
            .into());
    }
    let options = options_of(args, model, to)?;
    let results = compute(catalog, model, &settings, &options, args.max_memory, want_parquet)?;
    Ok((results, options))
}

/// Writes and prints a power run, and records it in the history.
fn render(
    history: &History,
    model: &Model,
    args: &PowerArgs,
    results: &PowerResults,
    options: &PowerOptions,
) -> Result<(), Failure> {
    let want_parquet = args.out.is_some() || args.format == PowerFormat::Parquet;
    let as_json = json::to_json(results);
    let parquet = if want_parquet { series_parquet(results).map_err(Failure::Write)? } else { Vec::new() };
    if let Some(dir) = &args.out {
        let csv = series_csv(results);
        let charts: Vec<(String, String)> = power_charts(results, args.chart_day.map(|d| d * 86_400.0))
            .iter()
            .map(|c| (format!("charts/{}.svg", c.id), c.to_svg()))
            .collect();
        let mut pngs = Vec::new();
        if args.png {
            for (name, svg) in &charts {
                let png = gigawatt_report::png::from_svg(svg, 2.0).map_err(Failure::Write)?;
                pngs.push((name.replace(".svg", ".png"), png));
            }
        }
        let mut files = vec![
            OutFile::new("power.json", &as_json),
            OutFile::new("power.csv", &csv),
            OutFile::new("power.parquet", &parquet),
        ];
        for (name, svg) in &charts {
            files.push(OutFile::new(name, svg));
        }
        for (name, png) in &pngs {
            files.push(OutFile::new(name, png));
        }
        write_all(dir, &files).map_err(Failure::Write)?;
        eprintln!("wrote {} (power.json, power.csv, power.parquet, {} charts)", dir.display(), charts.len());
    }
    match args.format {
        PowerFormat::Table => print!("{}", summary(results)),
        PowerFormat::Json => print!("{as_json}"),
        PowerFormat::Csv => print!("{}", series_csv(results)),
        PowerFormat::Parquet => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(&parquet)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::Write(format!("cannot write stdout: {e}")))?;
        }
    }
    crate::runs::record(history, "power", &model.name, &model.source, Some(options.seed), &figures(results), &as_json);
    Ok(())
}

/// The series as a Parquet file (columns of `series_csv`, all DOUBLE; one row group, Snappy), with
/// the run's identity as key-value metadata.
pub fn series_parquet(r: &PowerResults) -> Result<Vec<u8>, String> {
    let Some(g) = r.grid else { return Err("the power run has no series".into()) };
    let mut columns =
        vec![Column { name: "time_s".into(), values: Values::F64((0..g.n).map(|k| Some(g.at(k))).collect()) }];
    for (name, (_, s)) in series_columns(r).into_iter().zip(&r.series) {
        columns.push(Column { name, values: Values::F64(s.iter().map(|&x| Some(x)).collect()) });
    }
    let metadata = vec![
        ("gigawatt.power.scenario".to_string(), r.scenario.name.clone()),
        ("gigawatt.power.file".to_string(), r.scenario.file.clone()),
        ("gigawatt.power.seed".to_string(), r.seed.to_string()),
        ("gigawatt.power.replica".to_string(), r.replica.to_string()),
        ("gigawatt.power.resolution_s".to_string(), format!("{}", r.resolution_s)),
        ("gigawatt.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
    ];
    gigawatt_sweep::table::to_parquet_named(&Table { columns, metadata }, "power")
}

fn check_memory(e: &PowerEstimate, max: Option<u64>) -> Result<(), InputError> {
    match (max, crate::limits::available_memory()) {
        (Some(limit), _) => e.check_memory(limit, "--max-memory"),
        (None, Some(avail)) => e.check_memory(avail, "the memory available"),
        (None, None) => Ok(()),
    }
}

/// The headline figures the run history keeps.
pub fn figures(r: &PowerResults) -> Vec<Figure> {
    let t = &r.total.metrics;
    vec![
        Figure::new("total.peak_mw", "peak", "MW", t.peak_mw),
        Figure::new("total.min_mw", "minimum", "MW", t.min_mw),
        Figure::new("total.mean_mw", "mean", "MW", t.mean_mw),
        Figure::new("total.energy_mwh", "energy", "MWh", t.energy_mwh),
        Figure::new("total.largest_drop_mw", "largest sudden drop", "MW", t.largest_drop_mw),
        Figure::new("total.max_ramp_up_mw_per_s", "largest ramp up", "MW/s", t.max_ramp_up_mw_per_s),
        Figure::new("total.max_ramp_down_mw_per_s", "largest ramp down", "MW/s", t.max_ramp_down_mw_per_s),
        Figure::new("total.band_energy_share", "spectral energy in the band", "fraction", t.band_energy_share),
        Figure::new("total.cost_usd", "energy cost", "USD", r.total.cost_usd),
    ]
}

fn ramp_line(m: &GridMetrics) -> String {
    m.ramps
        .iter()
        .map(|r| {
            format!(
                "{} s: +{} / −{} MW/s ({} over limit)",
                sig3(r.window_s),
                sig3(r.max_up_mw_per_s),
                sig3(r.max_down_mw_per_s),
                r.events_over_limit
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The readable summary.
pub fn summary(r: &PowerResults) -> String {
    let mut o = String::new();
    let followed = match &r.operated {
        Some(op) => format!(
            "the operated build-out from {} (seed {}): {} jobs, {} segments in the window",
            op.first_day,
            r.seed,
            gigawatt_report::fmt::thousands(op.jobs),
            gigawatt_report::fmt::thousands(op.segments)
        ),
        None => format!("replica {} of seed {}", r.replica, r.seed),
    };
    let _ = writeln!(
        o,
        "POWER {} · days {} – {} at {} s · {followed}",
        r.scenario.name,
        sig3(r.from_day),
        sig3(r.to_day),
        sig3(r.resolution_s),
    );
    let g = &r.grid_limits;
    let _ = writeln!(
        o,
        "  limits: ramp {} MW/s · sudden drop (within {} s) {} · band {}–{} Hz ≤ {}",
        sig3(g.ramp_limit_mw_per_s),
        sig3(g.drop_window_s),
        power_mw(g.drop_limit_mw),
        g.band_hz[0],
        g.band_hz[1],
        percent(g.band_limit)
    );
    let _ = writeln!(o);
    let rows: Vec<(String, &GridMetrics)> = r
        .sites
        .iter()
        .map(|s| (s.name.clone(), &s.metrics))
        .chain(std::iter::once(("TOTAL".to_string(), &r.total.metrics)))
        .collect();
    let _ = writeln!(
        o,
        "  {:<24} {:>10} {:>10} {:>10} {:>12} {:>11} {:>11} {:>11} {:>7}",
        "site", "peak", "min", "mean", "energy", "drop", "ramp up/s", "ramp dn/s", "band"
    );
    let _ = writeln!(o, "  {}", "─".repeat(114));
    for (name, m) in &rows {
        let mut n: String = name.chars().take(24).collect();
        if m.drops_over_limit > 0 || m.band_over_limit {
            n = format!("{}*", n.chars().take(23).collect::<String>());
        }
        let _ = writeln!(
            o,
            "  {:<24} {:>10} {:>10} {:>10} {:>12} {:>11} {:>11} {:>11} {:>7}",
            n,
            power_mw(m.peak_mw),
            power_mw(m.min_mw),
            power_mw(m.mean_mw),
            format!("{} MWh", sig3(m.energy_mwh)),
            power_mw(m.largest_drop_mw),
            power_mw(m.max_ramp_up_mw_per_s),
            power_mw(m.max_ramp_down_mw_per_s),
            percent(m.band_energy_share)
        );
    }
    let _ = writeln!(o, "  ramps of the total: {}", ramp_line(&r.total.metrics));
    let _ = writeln!(o, "  * over a limit: a drop above the sudden-drop limit, or band share above its cap");
    let _ = writeln!(o);
    let _ =
        writeln!(o, "{}", if r.operated.is_some() { "JOBS BY CLASS (mean GPUs held in the window)" } else { "JOBS" });
    for j in &r.jobs {
        if let Some(level) = j.steady {
            let _ = writeln!(
                o,
                "  {} · {} GPUs on {} · steady at {} of TDP · {} run segments, {} interrupted\n    a stop drops {}",
                j.name,
                gigawatt_report::fmt::thousands(j.gpus),
                j.phase,
                percent(level),
                j.run_segments,
                j.failures,
                power_mw(j.stop_drop_mw)
            );
            continue;
        }
        let _ = writeln!(
            o,
            "  {} · {} GPUs on {} · step {} s, {} computing · checkpoint every {} s, write {} s · {} run segments, {} failures",
            j.name,
            gigawatt_report::fmt::thousands(j.gpus),
            j.phase,
            sig3(j.step_s),
            percent(j.compute_share),
            sig3(j.checkpoint_interval_s),
            sig3(j.checkpoint_write_s),
            j.run_segments,
            j.failures
        );
        let _ = writeln!(
            o,
            "    swing per iteration {} · a stop drops {}",
            power_mw(j.iteration_swing_mw),
            power_mw(j.stop_drop_mw)
        );
    }
    if !r.mitigations.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "MITIGATIONS (whole scenario, against none)");
        if let Some(b) = &r.baseline {
            let _ = writeln!(
                o,
                "  none: peak {} · min {} · drop {} · ramp {}/s up, {}/s down · band {}",
                power_mw(b.peak_mw),
                power_mw(b.min_mw),
                power_mw(b.largest_drop_mw),
                power_mw(b.max_ramp_up_mw_per_s),
                power_mw(b.max_ramp_down_mw_per_s),
                percent(b.band_energy_share)
            );
        }
        for m in &r.mitigations {
            let c = &m.change;
            let _ = writeln!(o, "  {}: {}", m.name, m.description);
            let _ = writeln!(
                o,
                "    peak {:+.1} MW · min {:+.1} MW · drop {:+.1} MW · ramp {:+.1}/{:+.1} MW/s · band {:+.1} pts · costs {} MWh, {} (storage losses {} MWh)",
                c.peak_mw,
                c.min_mw,
                c.largest_drop_mw,
                c.max_ramp_up_mw_per_s,
                c.max_ramp_down_mw_per_s,
                c.band_energy_share * 100.0,
                sig3(m.energy_mwh),
                usd(m.cost_usd),
                sig3(m.storage_losses_mwh)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "ENERGY COST AND CARBON (months of 730.5 h from day 0)");
    for s in &r.sites {
        let _ = writeln!(
            o,
            "  {}: {} at {}/MWh ({}) · {} t CO2 at {} g/kWh",
            s.name,
            usd(s.cost.cost_usd),
            usd(s.price_usd_per_mwh),
            s.price_basis,
            sig3(s.cost.carbon_t),
            sig3(s.carbon_g_per_kwh)
        );
        for m in &s.cost.months {
            let _ = writeln!(
                o,
                "    month {}: {} h, {} MWh, {}, {} t CO2",
                m.month + 1,
                sig3(m.hours),
                sig3(m.energy_mwh),
                usd(m.cost_usd),
                sig3(m.carbon_t)
            );
        }
    }
    let _ = writeln!(o, "  total: {} · {} t CO2", usd(r.total.cost_usd), sig3(r.total.carbon_t));
    if let Some(f) = &r.prices.hourly_file {
        let _ = writeln!(o, "  hourly prices from {f}; {} hours filled by --fill", r.prices.filled_hours);
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "ASSUMPTIONS (inputs without a source)");
    for a in r.assumptions() {
        let why = a.provenance.assumption.clone().unwrap_or_default();
        let _ = writeln!(o, "  {} = {} {}: {}", a.key, sig3(a.central), a.unit, why);
    }
    o
}
