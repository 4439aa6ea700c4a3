//! The `[power]` section of a scenario (and of `catalog/power.toml`, its defaults): the inputs of
//! `gigawatt power` — GPU power in each job state, each job's step time and duty cycle, the
//! cooling's time constant, grid limits, mitigations, prices and carbon. The core reads it only
//! to check its keys; `gigawatt-power` validates it with located errors (see `docs/scenario.md`,
//! "Power", and `docs/models/power.md`).
//!
//! Every number is an [`Input`]: in a scenario a bare number is the author's assumption; in
//! `catalog/power.toml` each needs a `source` or an `assumption`.

use std::collections::BTreeMap;

use super::Input;
use crate::schema_struct;

schema_struct! {
    /// `[power]` (optional): how `gigawatt power` turns the simulated job states into megawatts.
    pub struct Power as "[power]" {
        /// which Monte Carlo replica's trajectory of failures and restarts the series follows
        "replica" replica: Option<u64> => Value, "integer ≥ 0", "0";
        /// time constant with which the cooling's power follows the IT load (first-order lag)
        "cooling_time_constant_s" cooling_time_constant_s: Option<Input> => Input, "s (quantity ≥ 0)", "`catalog/power.toml`";
        /// a flat energy price for every site, replacing the state averages
        "price_usd_per_mwh" price_usd_per_mwh: Option<Input> => Input, "USD/MWh (quantity ≥ 0)", "by the site's `state`, else the US average";
        /// a constant carbon intensity for every site
        "carbon_g_per_kwh" carbon_g_per_kwh: Option<Input> => Input, "g CO2/kWh (quantity ≥ 0)", "by the site's `state`, else `catalog/power.toml`";
        /// GPU power in each state, as a fraction of the GPU's TDP (see `[power.gpu]`)
        "gpu" gpu: Option<PowerGpu> => Table(&PowerGpu::SECTION), "table", "`catalog/power.toml`";
        /// each training job's iteration (see `[[power.job]]`)
        #[serde(default)]
        "job" jobs: Vec<PowerJob> => Tables(&PowerJob::SECTION), "array of tables", "`catalog/power.toml` `[job]`";
        /// the grid's limits and the metrics' windows (see `[power.grid]`)
        "grid" grid: Option<PowerGrid> => Table(&PowerGrid::SECTION), "table", "`catalog/power.toml`";
        /// GPU power smoothing (NVML): a floor and ramp limits (see `[power.smoothing]`)
        "smoothing" smoothing: Option<PowerSmoothing> => Table(&PowerSmoothing::SECTION), "table", "none";
        /// energy storage in every rack (see `[power.rack_storage]`)
        "rack_storage" rack_storage: Option<PowerStorage> => Table(&PowerStorage::SECTION), "table", "none";
        /// a battery at each site (see `[power.battery]`)
        "battery" battery: Option<PowerStorage> => Table(&PowerStorage::SECTION), "table", "none";
        /// a "power burn" that keeps GPUs loaded when a job stops (see `[power.burn]`)
        "burn" burn: Option<PowerBurn> => Table(&PowerBurn::SECTION), "table", "none";
    }
}

schema_struct! {
    /// `[power.gpu]`: a GPU's power in each state of its job, as a fraction of its TDP. The rest
    /// of a system (CPUs, NICs, fans, conversion) draws its share of the system's power whatever
    /// the state, except `down`.
    pub struct PowerGpu as "[power.gpu]" {
        /// computing (the high half of each iteration)
        "compute" compute: Option<Input> => Input, "fraction of TDP, 0–1", "`catalog/power.toml`";
        /// waiting on collectives (the low half of each iteration)
        "communication" communication: Option<Input> => Input, "fraction of TDP, 0–1", "`catalog/power.toml`";
        /// writing a blocking checkpoint
        "checkpoint" checkpoint: Option<Input> => Input, "fraction of TDP, 0–1", "`catalog/power.toml`";
        /// idle: no job, or a job detecting a failure, waiting for spares or relaunching
        "idle" idle: Option<Input> => Input, "fraction of TDP, 0–1", "`catalog/power.toml`";
        /// serving inference, steady (an operated build-out's inference blocks, `--operate`)
        "serving" serving: Option<Input> => Input, "fraction of TDP, 0–1", "`catalog/power.toml`";
        /// share of a system's power that is its GPUs' TDP, for platforms whose file gives no
        /// `gpu_tdp_w`
        "gpu_share" gpu_share: Option<Input> => Input, "fraction, 0–1", "`catalog/power.toml`";
    }
}

schema_struct! {
    /// A `[[power.job]]`: the iteration of a `[[job]]` — compute, then communication, repeated.
    pub struct PowerJob as "[[power.job]]" {
        /// the `[[job]]` it describes; without a name, it applies to every job not named
        "name" name: Option<String> => Value, "a `[[job]]` name", "every other job";
        /// time of one training step (iteration)
        "step_s" step_s: Option<Input> => Input, "s (quantity > 0)", "`catalog/power.toml` `[job]`";
        /// share of a step spent computing (the duty cycle of the square wave)
        "compute_share" compute_share: Option<Input> => Input, "fraction, 0–1", "`catalog/power.toml` `[job]`";
    }
}

schema_struct! {
    /// `[power.grid]`: the limits the series is checked against and the windows of its metrics.
    pub struct PowerGrid as "[power.grid]" {
        /// windows over which the largest ramp (MW/s) is measured; the first is the JSON's
        /// `max_ramp_up_mw_per_s`
        "ramp_windows_s" ramp_windows_s: Option<Vec<f64>> => Value, "array of s, each ≥ the resolution", "`[1, 60]`";
        /// a ramp limit: events whose ramp over the first window exceeds it are counted
        "ramp_limit_mw_per_s" ramp_limit_mw_per_s: Option<Input> => Input, "MW/s (quantity > 0)", "`catalog/power.toml`";
        /// window of a "sudden" load drop
        "drop_window_s" drop_window_s: Option<Input> => Input, "s (quantity > 0)", "`catalog/power.toml`";
        /// the largest load loss the grid can take at once
        "drop_limit_mw" drop_limit_mw: Option<Input> => Input, "MW (quantity > 0)", "ERCOT's ~2,600 MW (`catalog/power.toml`)";
        /// the critical band of the spectrum, low and high edge
        "band_hz" band_hz: Option<Vec<f64>> => Value, "[low, high] Hz", "`[0.1, 20]`";
        /// the largest share of spectral energy allowed in the band
        "band_limit" band_limit: Option<Input> => Input, "fraction, 0–1", "`catalog/power.toml`";
        /// length of the 10 ms window the spectrum is computed over
        "spectrum_window_s" spectrum_window_s: Option<f64> => Value, "s, 1–3,600", "600";
    }
}

schema_struct! {
    /// `[power.smoothing]`: GPU power smoothing as NVML sets it (Blackwell and newer): a floor as
    /// a percentage of the power limit, and ramp rates.
    pub struct PowerSmoothing as "[power.smoothing]" {
        /// the lowest power a GPU of a job draws, percent of TDP (`PERCENT_TMP_FLOOR`)
        "floor_percent" floor_percent: Option<Input> => Input, "%, 0–100", "0";
        /// fastest rise of a GPU's power (`RAMP_UP_RATE`)
        "ramp_up_w_per_s" ramp_up_w_per_s: Option<Input> => Input, "W/s per GPU (quantity > 0)", "unlimited";
        /// fastest fall of a GPU's power (`RAMP_DOWN_RATE`)
        "ramp_down_w_per_s" ramp_down_w_per_s: Option<Input> => Input, "W/s per GPU (quantity > 0)", "unlimited";
    }
}

schema_struct! {
    /// `[power.rack_storage]` (per rack) or `[power.battery]` (per site): energy storage that
    /// serves the load's swings so that the grid sees a smoothed draw.
    pub struct PowerStorage as "[power.rack_storage] / [power.battery]" {
        /// stored energy: kWh per rack (`rack_storage`)
        "kwh" kwh: Option<Input> => Input, "kWh per rack (quantity ≥ 0)", "rack storage: required";
        /// power it can deliver or take: kW per rack (`rack_storage`)
        "kw" kw: Option<Input> => Input, "kW per rack (quantity ≥ 0)", "rack storage: required";
        /// stored energy: MWh per site (`battery`)
        "mwh" mwh: Option<Input> => Input, "MWh per site (quantity ≥ 0)", "battery: required";
        /// power: MW per site (`battery`)
        "mw" mw: Option<Input> => Input, "MW per site (quantity ≥ 0)", "battery: required";
        /// round-trip efficiency
        "efficiency" efficiency: Option<Input> => Input, "fraction, > 0 and ≤ 1", "`catalog/power.toml`";
        /// the time constant of the draw the grid sees (the storage serves the rest)
        "time_constant_s" time_constant_s: Option<Input> => Input, "s (quantity > 0)", "`catalog/power.toml`";
    }
}

schema_struct! {
    /// `[power.burn]`: when a job stops, its GPUs keep drawing and come down to idle linearly.
    pub struct PowerBurn as "[power.burn]" {
        /// how long the GPUs take to come down from the job's mean draw to idle
        "ramp_down_s" ramp_down_s: Option<Input> => Input, "s (quantity > 0)", "required";
    }
}

/// `catalog/power.toml`: the defaults of `[power]` with their sources, and the energy price and
/// carbon intensity of each state (or grid region).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerDefaultsFile {
    /// Defaults of `[power]`.
    pub power: Power,
    /// Industrial electricity price by state, USD/MWh.
    pub price_usd_per_mwh: BTreeMap<String, Input>,
    /// Carbon intensity by state, g CO2/kWh; `default` for states without their own.
    pub carbon_g_per_kwh: BTreeMap<String, Input>,
}
