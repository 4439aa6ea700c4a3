//! The `[power]` inputs of a scenario, validated against their defaults in `catalog/power.toml`:
//! every number with its provenance (a scenario's bare number is its author's assumption; a
//! default needs a source or an assumption), every problem an error at its file, line and column.

use std::collections::BTreeMap;

use gigawatt_core::error::{KeyPath, closest};
use gigawatt_core::params::InputRecord;
use gigawatt_core::quantity::{BareNumbers, Provenance, Quantity, QuantitySpec};
use gigawatt_core::schema::Input;
use gigawatt_core::schema::power::{Power, PowerDefaultsFile, PowerGrid, PowerJob, PowerStorage};
use gigawatt_core::{InputError, Model, SourceFile};

use crate::model::{GridSpec, Levels, Mitigations, RackStorage, Storage};

/// The bundled defaults (`catalog/power.toml`).
pub const BUNDLED_DEFAULTS: &str = include_str!("../../../catalog/power.toml");

/// Reads `catalog/power.toml` (or a replacement for it).
pub fn read_defaults(file: &SourceFile) -> Result<PowerDefaultsFile, InputError> {
    toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))
}

/// The bundled defaults, as a file errors can point into.
pub fn bundled_defaults_file() -> SourceFile {
    SourceFile::new("<bundled>/power.toml", BUNDLED_DEFAULTS)
}

/// A job's iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iteration {
    /// Step time, s.
    pub step_s: f64,
    /// Compute share of a step.
    pub compute_share: f64,
}

/// The energy price and carbon intensity of one phase, with what they rest on.
#[derive(Clone, Debug, PartialEq)]
pub struct Tariff {
    /// USD per MWh.
    pub usd_per_mwh: f64,
    /// Where the price comes from, in words (`TX average, EIA 2023`; `US average: no state`).
    pub price_basis: String,
    /// g CO2 per kWh.
    pub carbon_g_per_kwh: f64,
}

/// The validated `[power]` settings.
#[derive(Clone, Debug)]
pub struct PowerSettings {
    /// The replica whose trajectory the series follow.
    pub replica: u64,
    /// GPU power by state.
    pub levels: Levels,
    /// Share of a system's power that is its GPUs, for platforms without `gpu_tdp_w`.
    pub gpu_share: f64,
    /// Cooling time constant, s.
    pub cooling_time_constant_s: f64,
    /// Iteration of each `[[job]]`, in the scenario's job order; for an operated build-out, of
    /// each training class, in [`OPERATED_CLASSES`] order.
    pub iterations: Vec<Iteration>,
    /// Grid limits and windows.
    pub grid: GridSpec,
    /// Mitigations.
    pub mitigations: Mitigations,
    /// Price and carbon of each phase.
    pub tariffs: Vec<Tariff>,
    /// Every input read, with its provenance.
    pub records: Vec<InputRecord>,
}

/// Where a `[power]` value is read from: the scenario first, then the defaults.
struct Reader<'a> {
    scenario: &'a SourceFile,
    defaults: &'a SourceFile,
    records: Vec<InputRecord>,
}

/// A value's place: the scenario's, else the defaults'.
type Found<'a> = Option<(&'a Input, KeyPath, bool)>;

impl<'a> Reader<'a> {
    /// The quantity at the first of `found` (scenario, else default), checked by `ok`.
    #[allow(clippy::too_many_arguments)]
    fn quantity(
        &mut self,
        key: &str,
        label: &str,
        unit: &str,
        found: Found<'_>,
        fallback: Option<Quantity>,
        ok: impl Fn(f64) -> bool,
        expected: &str,
    ) -> Result<Option<f64>, InputError> {
        let q = match found {
            Some((input, path, from_scenario)) => {
                let (file, bare) = if from_scenario {
                    (self.scenario, BareNumbers::Assumed)
                } else {
                    (self.defaults, BareNumbers::Forbidden)
                };
                let spec = QuantitySpec::from_input(file, &path, input, bare)?;
                spec.check(file, &ok, label, expected)?;
                spec.into_quantity().expect("not derived")
            }
            None => match fallback {
                Some(q) => q,
                None => return Ok(None),
            },
        };
        let e = q.estimate;
        self.records.push(InputRecord {
            key: key.to_string(),
            label: label.to_string(),
            unit: unit.to_string(),
            low: e.low,
            central: e.central,
            high: e.high,
            sourced: q.provenance.is_sourced(),
            provenance: q.provenance,
        });
        Ok(Some(e.central))
    }

    /// A required quantity: the scenario's, else the default's, else an error naming both.
    #[allow(clippy::too_many_arguments)]
    fn required(
        &mut self,
        key: &str,
        label: &str,
        unit: &str,
        found: Found<'_>,
        ok: impl Fn(f64) -> bool,
        expected: &str,
    ) -> Result<f64, InputError> {
        self.quantity(key, label, unit, found, None, ok, expected)?.ok_or_else(|| {
            InputError::at(self.defaults, &KeyPath::root().key("power"), format!("no value for `{key}`"))
                .with_help(format!("give {key} in the scenario's [power] section or in catalog/power.toml"))
        })
    }
}

/// The first of the scenario's and the defaults' inputs that is given.
fn pick<'a>(s: Option<&'a Input>, s_path: KeyPath, d: Option<&'a Input>, d_path: KeyPath) -> Found<'a> {
    match (s, d) {
        (Some(i), _) => Some((i, s_path, true)),
        (None, Some(i)) => Some((i, d_path, false)),
        (None, None) => None,
    }
}

fn fraction(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

fn positive(x: f64) -> bool {
    x > 0.0
}

fn non_negative(x: f64) -> bool {
    x >= 0.0
}

/// The classes of an operated build-out whose jobs iterate (a `[[power.job]]` may name one).
pub const OPERATED_CLASSES: [&str; 3] = ["frontier", "rl", "research"];

impl PowerSettings {
    /// Validates the scenario's `[power]` section (and the state keys of its phases) against the
    /// defaults `defaults` read from `defaults_file`.
    pub fn from_model(
        model: &Model,
        defaults: &PowerDefaultsFile,
        defaults_file: &SourceFile,
    ) -> Result<PowerSettings, InputError> {
        PowerSettings::read(model, defaults, defaults_file, false)
    }

    /// [`PowerSettings::from_model`] for the series of an operated build-out (`--operate`): a
    /// `[[power.job]]` names a class of [`OPERATED_CLASSES`] instead of a `[[job]]`, and the
    /// serving level is read.
    pub fn for_operate(
        model: &Model,
        defaults: &PowerDefaultsFile,
        defaults_file: &SourceFile,
    ) -> Result<PowerSettings, InputError> {
        PowerSettings::read(model, defaults, defaults_file, true)
    }

    fn read(
        model: &Model,
        defaults: &PowerDefaultsFile,
        defaults_file: &SourceFile,
        operated: bool,
    ) -> Result<PowerSettings, InputError> {
        let empty = Power {
            replica: None,
            cooling_time_constant_s: None,
            price_usd_per_mwh: None,
            carbon_g_per_kwh: None,
            gpu: None,
            jobs: Vec::new(),
            grid: None,
            smoothing: None,
            rack_storage: None,
            battery: None,
            burn: None,
        };
        let s = model.power.as_ref().unwrap_or(&empty);
        let d = &defaults.power;
        let sp = KeyPath::root().key("power");
        let dp = KeyPath::root().key("power");
        let mut r = Reader { scenario: &model.source, defaults: defaults_file, records: Vec::new() };

        let replica = s.replica.unwrap_or(0);
        let cooling_time_constant_s = r.required(
            "power.cooling_time_constant_s",
            "cooling time constant",
            "s",
            pick(
                s.cooling_time_constant_s.as_ref(),
                sp.key("cooling_time_constant_s"),
                d.cooling_time_constant_s.as_ref(),
                dp.key("cooling_time_constant_s"),
            ),
            non_negative,
            "at least 0",
        )?;

        // GPU power by state.
        let (sg, dg) = (s.gpu.as_ref(), d.gpu.as_ref());
        let level = |r: &mut Reader,
                     key: &str,
                     label: &str,
                     get: fn(&gigawatt_core::schema::power::PowerGpu) -> Option<&Input>| {
            r.required(
                &format!("power.gpu.{key}"),
                label,
                "fraction of TDP",
                pick(sg.and_then(get), sp.key("gpu").key(key), dg.and_then(get), dp.key("gpu").key(key)),
                fraction,
                "a fraction of TDP from 0 to 1 (a power cannot be negative)",
            )
        };
        let levels = Levels {
            compute: level(&mut r, "compute", "GPU power while computing", |g| g.compute.as_ref())?,
            communication: level(&mut r, "communication", "GPU power while communicating", |g| {
                g.communication.as_ref()
            })?,
            checkpoint: level(&mut r, "checkpoint", "GPU power while checkpointing", |g| g.checkpoint.as_ref())?,
            idle: level(&mut r, "idle", "GPU power when idle", |g| g.idle.as_ref())?,
            serving: if operated {
                Some(level(&mut r, "serving", "GPU power while serving inference", |g| g.serving.as_ref())?)
            } else {
                None
            },
        };
        let gpu_share =
            level(&mut r, "gpu_share", "GPU share of system power (no gpu_tdp_w)", |g| g.gpu_share.as_ref())?;

        let names: Vec<&str> = if operated {
            OPERATED_CLASSES.to_vec()
        } else {
            model.simulation.jobs.iter().map(|j| j.name.as_str()).collect()
        };
        let iterations = iterations(&mut r, model, &names, s, d, &sp, &dp)?;
        let grid = grid_spec(&mut r, model, s, d, &sp, &dp)?;
        let mitigations = mitigations(&mut r, model, s, d, &sp, &dp)?;
        let tariffs = tariffs(&mut r, model, s, defaults, &sp)?;
        Ok(PowerSettings {
            replica,
            levels,
            gpu_share,
            cooling_time_constant_s,
            iterations,
            grid,
            mitigations,
            tariffs,
            records: r.records,
        })
    }
}

/// Each `[[job]]`'s iteration: its own `[[power.job]]`, else the scenario's unnamed one, else the
/// default.
fn iterations(
    r: &mut Reader,
    model: &Model,
    names: &[&str],
    s: &Power,
    d: &Power,
    sp: &KeyPath,
    dp: &KeyPath,
) -> Result<Vec<Iteration>, InputError> {
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unnamed = None;
    for (i, pj) in s.jobs.iter().enumerate() {
        match &pj.name {
            Some(n) => {
                if !names.contains(&n.as_str()) {
                    let help = match closest(n, names.iter().copied()) {
                        Some(c) => format!("did you mean `{c}`? The scenario's jobs: {}", names.join(", ")),
                        None if names.is_empty() => {
                            "the scenario has no [[job]]: add one (docs/scenario.md, Simulation)".into()
                        }
                        None => format!("the scenario's jobs: {}", names.join(", ")),
                    };
                    return Err(InputError::at(
                        &model.source,
                        &sp.key("job").index(i).key("name"),
                        format!("no [[job]] named `{n}`"),
                    )
                    .with_help(help));
                }
                if by_name.insert(n.as_str(), i).is_some() {
                    return Err(InputError::at(
                        &model.source,
                        &sp.key("job").index(i).key("name"),
                        format!("job `{n}` has two [[power.job]] entries"),
                    )
                    .with_help("describe each job once"));
                }
            }
            None => {
                if unnamed.replace(i).is_some() {
                    return Err(InputError::at(
                        &model.source,
                        &sp.key("job").index(i),
                        "two [[power.job]] entries without a name",
                    )
                    .with_help("give all but one a `name`: the one without applies to every other job"));
                }
            }
        }
    }
    let default = d.jobs.first();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let own = by_name.get(name).or(unnamed.as_ref()).map(|&i| (&s.jobs[i], sp.key("job").index(i)));
        let field = |get: fn(&PowerJob) -> Option<&Input>, key: &str| -> Found<'_> {
            match own.as_ref().and_then(|(pj, p)| get(pj).map(|v| (v, p.key(key)))) {
                Some((v, p)) => Some((v, p, true)),
                None => default.and_then(|pj| get(pj).map(|v| (v, dp.key("job").index(0).key(key), false))),
            }
        };
        let step_s = r.required(
            &format!("power.job[{name}].step_s"),
            &format!("{name}: step time"),
            "s",
            field(|j| j.step_s.as_ref(), "step_s"),
            positive,
            "above 0",
        )?;
        let compute_share = r.required(
            &format!("power.job[{name}].compute_share"),
            &format!("{name}: compute share of a step"),
            "fraction",
            field(|j| j.compute_share.as_ref(), "compute_share"),
            fraction,
            "a fraction from 0 to 1",
        )?;
        out.push(Iteration { step_s, compute_share });
    }
    Ok(out)
}

/// A plain array of numbers (not a quantity), checked, at `path` in `file`.
fn numbers(
    file: &SourceFile,
    path: &KeyPath,
    v: &[f64],
    what: &str,
    ok: impl Fn(&[f64]) -> bool,
    expected: &str,
) -> Result<Vec<f64>, InputError> {
    if v.iter().all(|x| x.is_finite()) && ok(v) {
        Ok(v.to_vec())
    } else {
        Err(InputError::at(file, path, format!("{what} must be {expected}, found {v:?}"))
            .with_help(format!("give {expected}")))
    }
}

fn grid_spec(
    r: &mut Reader,
    model: &Model,
    s: &Power,
    d: &Power,
    sp: &KeyPath,
    dp: &KeyPath,
) -> Result<GridSpec, InputError> {
    let (sg, dg) = (s.grid.as_ref(), d.grid.as_ref());
    let (sp, dp) = (sp.key("grid"), dp.key("grid"));
    let plain = |get: fn(&PowerGrid) -> Option<&Vec<f64>>, key: &str| match sg.and_then(get) {
        Some(v) => Some((v.as_slice(), r.scenario, sp.key(key))),
        None => dg.and_then(get).map(|v| (v.as_slice(), r.defaults, dp.key(key))),
    };
    let ramp_windows_s = match plain(|g| g.ramp_windows_s.as_ref(), "ramp_windows_s") {
        Some((v, f, p)) => numbers(
            f,
            &p,
            v,
            "ramp_windows_s",
            |v| !v.is_empty() && v.iter().all(|&x| x > 0.0 && x <= 86_400.0),
            "a list of windows above 0 s and at most a day",
        )?,
        None => vec![1.0, 60.0],
    };
    let band_hz = match plain(|g| g.band_hz.as_ref(), "band_hz") {
        Some((v, f, p)) => numbers(
            f,
            &p,
            v,
            "band_hz",
            |v| v.len() == 2 && v[0] >= 0.0 && v[0] < v[1],
            "[low, high] with 0 ≤ low < high",
        )?,
        None => vec![0.1, 20.0],
    };
    let spectrum_window_s = match (sg.and_then(|g| g.spectrum_window_s), dg.and_then(|g| g.spectrum_window_s)) {
        (Some(w), _) if !(1.0..=3600.0).contains(&w) => {
            return Err(InputError::at(
                &model.source,
                &sp.key("spectrum_window_s"),
                format!("spectrum_window_s must be from 1 to 3,600 s, found {w}"),
            )
            .with_help("the 10 ms window holds 100 points a second: give at most an hour"));
        }
        (Some(w), _) | (None, Some(w)) => w,
        (None, None) => 600.0,
    };
    // A grid input: the scenario's [power.grid] key, else catalog/power.toml's.
    let grid = |get: fn(&PowerGrid) -> Option<&Input>, key: &str| {
        pick(sg.and_then(get), sp.key(key), dg.and_then(get), dp.key(key))
    };
    let ramp_limit_mw_per_s = r.required(
        "power.grid.ramp_limit_mw_per_s",
        "ramp limit",
        "MW/s",
        grid(|g| g.ramp_limit_mw_per_s.as_ref(), "ramp_limit_mw_per_s"),
        positive,
        "above 0",
    )?;
    let drop_window_s = r.required(
        "power.grid.drop_window_s",
        "window of a sudden drop",
        "s",
        grid(|g| g.drop_window_s.as_ref(), "drop_window_s"),
        positive,
        "above 0",
    )?;
    let drop_limit_mw = r.required(
        "power.grid.drop_limit_mw",
        "largest load loss the grid absorbs",
        "MW",
        grid(|g| g.drop_limit_mw.as_ref(), "drop_limit_mw"),
        positive,
        "above 0",
    )?;
    let band_limit = r.required(
        "power.grid.band_limit",
        "largest share of spectral energy in the band",
        "fraction",
        grid(|g| g.band_limit.as_ref(), "band_limit"),
        fraction,
        "a fraction from 0 to 1",
    )?;
    Ok(GridSpec {
        ramp_windows_s,
        ramp_limit_mw_per_s,
        drop_window_s,
        drop_limit_mw,
        band_hz: [band_hz[0], band_hz[1]],
        band_limit,
        spectrum_window_s,
    })
}

fn storage_field<'a>(
    s: Option<&'a PowerStorage>,
    sp: &KeyPath,
    d: Option<&'a PowerStorage>,
    dp: &KeyPath,
    key: &str,
    get: fn(&PowerStorage) -> Option<&Input>,
) -> Found<'a> {
    pick(s.and_then(get), sp.key(key), d.and_then(get), dp.key(key))
}

fn mitigations(
    r: &mut Reader,
    model: &Model,
    s: &Power,
    d: &Power,
    sp: &KeyPath,
    dp: &KeyPath,
) -> Result<Mitigations, InputError> {
    let mut m = Mitigations::default();
    if let Some(sm) = &s.smoothing {
        let p = sp.key("smoothing");
        let floor = r.quantity(
            "power.smoothing.floor_percent",
            "GPU power floor",
            "% of TDP",
            sm.floor_percent.as_ref().map(|v| (v, p.key("floor_percent"), true)),
            None,
            |x| (0.0..=100.0).contains(&x),
            "a percentage from 0 to 100 (NVML's PERCENT_TMP_FLOOR)",
        )?;
        m.floor = floor.filter(|&f| f > 0.0).map(|f| f / 100.0);
        let up = r.quantity(
            "power.smoothing.ramp_up_w_per_s",
            "GPU ramp-up rate",
            "W/s",
            sm.ramp_up_w_per_s.as_ref().map(|v| (v, p.key("ramp_up_w_per_s"), true)),
            None,
            positive,
            "above 0 W/s",
        )?;
        let down = r.quantity(
            "power.smoothing.ramp_down_w_per_s",
            "GPU ramp-down rate",
            "W/s",
            sm.ramp_down_w_per_s.as_ref().map(|v| (v, p.key("ramp_down_w_per_s"), true)),
            None,
            positive,
            "above 0 W/s",
        )?;
        if up.is_some() || down.is_some() {
            m.ramp_w_per_s = Some((up.unwrap_or(f64::INFINITY), down.unwrap_or(f64::INFINITY)));
        }
    }
    if let Some(rs) = &s.rack_storage {
        let (p, q) = (sp.key("rack_storage"), dp.key("rack_storage"));
        let drs = d.rack_storage.as_ref();
        for key in ["mwh", "mw"] {
            if (key == "mwh" && rs.mwh.is_some()) || (key == "mw" && rs.mw.is_some()) {
                return Err(InputError::at_key(
                    &model.source,
                    &p.key(key),
                    format!("rack storage is sized per rack, in kWh and kW, not `{key}`"),
                )
                .with_help("write kwh = … and kw = … (per rack); a site battery is [power.battery] with mwh and mw"));
            }
        }
        let kwh = r.required(
            "power.rack_storage.kwh",
            "rack storage energy",
            "kWh per rack",
            storage_field(Some(rs), &p, drs, &q, "kwh", |x| x.kwh.as_ref()),
            non_negative,
            "at least 0",
        )?;
        let kw = r.required(
            "power.rack_storage.kw",
            "rack storage power",
            "kW per rack",
            storage_field(Some(rs), &p, drs, &q, "kw", |x| x.kw.as_ref()),
            non_negative,
            "at least 0",
        )?;
        let efficiency = r.required(
            "power.rack_storage.efficiency",
            "rack storage round-trip efficiency",
            "fraction",
            storage_field(Some(rs), &p, drs, &q, "efficiency", |x| x.efficiency.as_ref()),
            |x| x > 0.0 && x <= 1.0,
            "above 0 and at most 1",
        )?;
        let time_constant_s = r.required(
            "power.rack_storage.time_constant_s",
            "rack storage time constant",
            "s",
            storage_field(Some(rs), &p, drs, &q, "time_constant_s", |x| x.time_constant_s.as_ref()),
            positive,
            "above 0",
        )?;
        m.rack_storage = Some(RackStorage { kwh, kw, efficiency, time_constant_s });
    }
    if let Some(b) = &s.battery {
        let (p, q) = (sp.key("battery"), dp.key("battery"));
        let db = d.battery.as_ref();
        for (key, given) in [("kwh", b.kwh.is_some()), ("kw", b.kw.is_some())] {
            if given {
                return Err(InputError::at_key(
                    &model.source,
                    &p.key(key),
                    format!("a site battery is sized in MWh and MW, not `{key}`"),
                )
                .with_help("write mwh = … and mw = …; storage per rack is [power.rack_storage] with kwh and kw"));
            }
        }
        let energy_mwh = r.required(
            "power.battery.mwh",
            "site battery energy",
            "MWh",
            storage_field(Some(b), &p, db, &q, "mwh", |x| x.mwh.as_ref()),
            non_negative,
            "at least 0",
        )?;
        let power_mw = r.required(
            "power.battery.mw",
            "site battery power",
            "MW",
            storage_field(Some(b), &p, db, &q, "mw", |x| x.mw.as_ref()),
            non_negative,
            "at least 0",
        )?;
        let efficiency = r.required(
            "power.battery.efficiency",
            "site battery round-trip efficiency",
            "fraction",
            storage_field(Some(b), &p, db, &q, "efficiency", |x| x.efficiency.as_ref()),
            |x| x > 0.0 && x <= 1.0,
            "above 0 and at most 1",
        )?;
        let time_constant_s = r.required(
            "power.battery.time_constant_s",
            "site battery time constant",
            "s",
            storage_field(Some(b), &p, db, &q, "time_constant_s", |x| x.time_constant_s.as_ref()),
            positive,
            "above 0",
        )?;
        m.battery = Some(Storage { energy_mwh, power_mw, efficiency, time_constant_s });
    }
    if let Some(b) = &s.burn {
        let p = sp.key("burn");
        let _ = dp;
        m.burn_s = Some(r.required(
            "power.burn.ramp_down_s",
            "power burn ramp-down",
            "s",
            b.ramp_down_s.as_ref().map(|v| (v, p.key("ramp_down_s"), true)),
            positive,
            "above 0",
        )?);
    }
    Ok(m)
}

/// Each phase's price and carbon: `[power]`'s flat values, else its state's, else the US average
/// price (`[costs] electricity_usd_per_mwh`) and the default carbon intensity.
fn tariffs(
    r: &mut Reader,
    model: &Model,
    s: &Power,
    defaults: &PowerDefaultsFile,
    sp: &KeyPath,
) -> Result<Vec<Tariff>, InputError> {
    let flat_price = r.quantity(
        "power.price_usd_per_mwh",
        "energy price (flat)",
        "USD/MWh",
        s.price_usd_per_mwh.as_ref().map(|v| (v, sp.key("price_usd_per_mwh"), true)),
        None,
        non_negative,
        "at least 0",
    )?;
    let flat_carbon = r.quantity(
        "power.carbon_g_per_kwh",
        "carbon intensity (flat)",
        "g CO2/kWh",
        s.carbon_g_per_kwh.as_ref().map(|v| (v, sp.key("carbon_g_per_kwh"), true)),
        None,
        non_negative,
        "at least 0",
    )?;
    let dpath = KeyPath::root();
    let us = model.params.get(model.costs.electricity_usd_per_mwh);
    let mut out = Vec::with_capacity(model.phases.len());
    for (i, ph) in model.phases.iter().enumerate() {
        let state = ph.state.as_ref().map(|s| s.trim().to_ascii_uppercase());
        let (usd_per_mwh, price_basis) = match (flat_price, &state) {
            (Some(p), _) => (p, "[power] price_usd_per_mwh".to_string()),
            (None, Some(st)) => {
                let Some(input) = defaults.price_usd_per_mwh.get(st) else {
                    let known: Vec<&str> = defaults.price_usd_per_mwh.keys().map(String::as_str).collect();
                    let path = KeyPath::root().key("phase").index(i).key("state");
                    let help = match closest(st, known.iter().copied()) {
                        Some(c) => format!(
                            "did you mean `{c}`? States with a price: {}; or set [power] price_usd_per_mwh",
                            known.join(", ")
                        ),
                        None => format!("states with a price: {}; or set [power] price_usd_per_mwh", known.join(", ")),
                    };
                    // At the phase's own `state`, else at the phase (its state came from its site).
                    let e =
                        InputError::at(&model.source, &path, format!("{}: no energy price for state `{st}`", ph.name));
                    return Err(e.with_help(help));
                };
                let v = r.required(
                    &format!("price.{st}"),
                    &format!("energy price, {st}"),
                    "USD/MWh",
                    Some((input, dpath.key("price_usd_per_mwh").key(st), false)),
                    non_negative,
                    "at least 0",
                )?;
                (v, format!("{st} industrial average"))
            }
            (None, None) => {
                let key = "costs.electricity_usd_per_mwh";
                if !r.records.iter().any(|x| x.key == key) {
                    let e = us.quantity.estimate;
                    r.records.push(InputRecord {
                        key: key.into(),
                        label: us.label.clone(),
                        unit: us.unit.clone(),
                        low: e.low,
                        central: e.central,
                        high: e.high,
                        sourced: us.quantity.provenance.is_sourced(),
                        provenance: us.quantity.provenance.clone(),
                    });
                }
                (us.quantity.estimate.central, "US average: no `state` on the site or phase".to_string())
            }
        };
        let carbon_g_per_kwh = match (flat_carbon, &state) {
            (Some(c), _) => c,
            (None, st) => {
                let key = st
                    .as_ref()
                    .filter(|s| defaults.carbon_g_per_kwh.contains_key(*s))
                    .cloned()
                    .unwrap_or_else(|| "default".to_string());
                let input = defaults.carbon_g_per_kwh.get(&key).ok_or_else(|| {
                    InputError::at(r.defaults, &dpath.key("carbon_g_per_kwh"), "no `default` carbon intensity")
                        .with_help("add default = { value = …, source = \"…\" }")
                })?;
                r.required(
                    &format!("carbon.{key}"),
                    &format!("carbon intensity, {key}"),
                    "g CO2/kWh",
                    Some((input, dpath.key("carbon_g_per_kwh").key(&key), false)),
                    non_negative,
                    "at least 0",
                )?
            }
        };
        out.push(Tariff { usd_per_mwh, price_basis, carbon_g_per_kwh });
    }
    // One record per key.
    let mut seen = std::collections::BTreeSet::new();
    r.records.retain(|x| seen.insert(x.key.clone()));
    Ok(out)
}

/// The provenance of a value the power model takes from elsewhere (a platform file, the plan).
pub fn record_of(key: &str, label: &str, unit: &str, q: &Quantity) -> InputRecord {
    InputRecord {
        key: key.into(),
        label: label.into(),
        unit: unit.into(),
        low: q.estimate.low,
        central: q.estimate.central,
        high: q.estimate.high,
        sourced: q.provenance.is_sourced(),
        provenance: q.provenance.clone(),
    }
}

/// A provenance stating an assumption (for values the model fixes itself).
pub fn assumed(text: &str) -> Provenance {
    Provenance { assumption: Some(text.into()), origin: "gigawatt-power".into(), ..Provenance::default() }
}
