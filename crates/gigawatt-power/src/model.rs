//! The power model's inputs, validated: each phase's power envelope, each job's state timeline and
//! iteration, GPU power by state, the grid's limits and the mitigations. Built from a scenario by
//! [`crate::inputs`]; every field is a plain number so the series code is a pure function of it.

use gigawatt_sim::job::SegmentEnd;
use serde::Serialize;

/// One phase of the plan as the power model sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhasePower {
    /// Phase name.
    pub name: String,
    /// The site it belongs to (its `site`, else its own name).
    pub site: String,
    /// Its US state or grid region, if the scenario gives one.
    pub state: Option<String>,
    /// Annualised PUE (facility ÷ IT power at steady load).
    pub pue: f64,
    /// Rated power of the compute systems, MW.
    pub compute_mw: f64,
    /// IT power besides the compute systems (network, storage, management), MW; drawn whatever
    /// the jobs do.
    pub other_it_mw: f64,
    /// GPU packages.
    pub gpus: u64,
    /// Racks.
    pub racks: u64,
    /// One GPU's TDP, MW.
    pub gpu_tdp_mw: f64,
    /// When it comes into service, s from the series' origin: evenly from the first to the
    /// second time (an operated build-out's ramps); `None`: in service throughout.
    pub in_service: Option<(f64, f64)>,
}

impl PhasePower {
    /// Share of the systems' rated power that is their GPUs' TDP.
    pub fn gpu_share(&self) -> f64 {
        if self.compute_mw <= 0.0 { 0.0 } else { (self.gpus as f64 * self.gpu_tdp_mw / self.compute_mw).min(1.0) }
    }

    /// IT power with every GPU at `gpu_level` (fraction of TDP), MW.
    pub fn it_mw_at(&self, gpu_level: f64) -> f64 {
        let g = self.gpu_share();
        self.other_it_mw + self.compute_mw * ((1.0 - g) + g * gpu_level)
    }
}

/// A GPU's power in each state of its job, as a fraction of its TDP.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Levels {
    /// Computing.
    pub compute: f64,
    /// Waiting on collectives.
    pub communication: f64,
    /// Writing a blocking checkpoint.
    pub checkpoint: f64,
    /// Idle (no job, or a job recovering).
    pub idle: f64,
    /// Serving inference, steady (read only for an operated build-out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serving: Option<f64>,
}

impl Levels {
    /// The levels a GPU of a job draws under a power floor (fraction of TDP): none below it.
    pub fn floored(&self, floor: f64) -> Levels {
        Levels {
            compute: self.compute.max(floor),
            communication: self.communication.max(floor),
            checkpoint: self.checkpoint.max(floor),
            idle: self.idle.max(floor),
            serving: self.serving.map(|x| x.max(floor)),
        }
    }
}

/// A stretch of running of a job, seconds from the start of the simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Start (launch or relaunch), s.
    pub start: f64,
    /// End, s.
    pub end: f64,
    /// What ended it.
    pub how: SegmentEnd,
}

/// One training job: where it runs, its life, its checkpoints, its iteration and its timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct JobPower {
    /// Name.
    pub name: String,
    /// Index of its phase.
    pub phase: usize,
    /// GPU packages it holds (whole nodes).
    pub gpus: u64,
    /// Its life in the window: it holds its GPUs from `start` to `end`, s.
    pub start: f64,
    /// End of its life, s.
    pub end: f64,
    /// Compute between checkpoints, s.
    pub interval: f64,
    /// Blocking checkpoint write, s.
    pub write: f64,
    /// Step (iteration) time, s.
    pub step: f64,
    /// Share of a step spent computing.
    pub compute_share: f64,
    /// Its run segments in time order.
    pub segments: Vec<Segment>,
    /// A steady level (fraction of TDP) while running instead of the iteration's square wave:
    /// an operated build-out's inference blocks.
    pub steady: Option<f64>,
}

/// Energy storage: at a site (battery) or in every rack (summed over the racks of a phase).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Storage {
    /// Energy it holds when full, MWh.
    pub energy_mwh: f64,
    /// Power it can deliver or take, MW.
    pub power_mw: f64,
    /// Round-trip efficiency (0, 1].
    pub efficiency: f64,
    /// Time constant of the draw the grid sees, s.
    pub time_constant_s: f64,
}

/// Rack storage per rack, before it is summed over a phase's racks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RackStorage {
    /// kWh per rack.
    pub kwh: f64,
    /// kW per rack.
    pub kw: f64,
    /// Round-trip efficiency.
    pub efficiency: f64,
    /// Time constant of the smoothed draw, s.
    pub time_constant_s: f64,
}

impl RackStorage {
    /// The storage of `racks` racks.
    pub fn of_racks(&self, racks: u64) -> Storage {
        Storage {
            energy_mwh: self.kwh * racks as f64 / 1000.0,
            power_mw: self.kw * racks as f64 / 1000.0,
            efficiency: self.efficiency,
            time_constant_s: self.time_constant_s,
        }
    }
}

/// The mitigations applied to a series (all off by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Mitigations {
    /// GPU power floor while a job holds its GPUs, fraction of TDP.
    pub floor: Option<f64>,
    /// GPU ramp limits, W/s per GPU: (up, down); `f64::INFINITY` for no limit.
    pub ramp_w_per_s: Option<(f64, f64)>,
    /// Energy storage in every rack.
    pub rack_storage: Option<RackStorage>,
    /// A battery at each site.
    pub battery: Option<Storage>,
    /// Power burn: seconds over which a stopped job's GPUs come down to idle.
    pub burn_s: Option<f64>,
}

impl Mitigations {
    /// Whether any mitigation is on.
    pub fn any(&self) -> bool {
        *self != Mitigations::default()
    }
}

/// The grid's limits and the metrics' windows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GridSpec {
    /// Windows of the ramp metrics, s (the first is the headline).
    pub ramp_windows_s: Vec<f64>,
    /// Ramp limit, MW/s.
    pub ramp_limit_mw_per_s: f64,
    /// Window of a sudden drop, s.
    pub drop_window_s: f64,
    /// Largest load loss the grid takes at once, MW.
    pub drop_limit_mw: f64,
    /// Critical band, Hz.
    pub band_hz: [f64; 2],
    /// Largest share of spectral energy allowed in the band.
    pub band_limit: f64,
    /// Length of the 10 ms spectrum window, s.
    pub spectrum_window_s: f64,
}

/// Everything the series are computed from.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerModel {
    /// Phases.
    pub phases: Vec<PhasePower>,
    /// Jobs.
    pub jobs: Vec<JobPower>,
    /// GPU power by state.
    pub levels: Levels,
    /// Time constant of the cooling's lag behind the IT load, s.
    pub cooling_time_constant_s: f64,
    /// Grid limits and windows.
    pub grid: GridSpec,
    /// The scenario's mitigations.
    pub mitigations: Mitigations,
}

impl PowerModel {
    /// The model of `phases` and `jobs` at `settings`' levels, cooling, grid limits and
    /// mitigations.
    pub fn new(phases: Vec<PhasePower>, jobs: Vec<JobPower>, settings: &crate::inputs::PowerSettings) -> PowerModel {
        PowerModel {
            phases,
            jobs,
            levels: settings.levels,
            cooling_time_constant_s: settings.cooling_time_constant_s,
            grid: settings.grid.clone(),
            mitigations: settings.mitigations,
        }
    }

    /// Site names in order of first appearance, and for each the indices of its phases.
    pub fn sites(&self) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, p) in self.phases.iter().enumerate() {
            match out.iter_mut().find(|(s, _)| *s == p.site) {
                Some((_, v)) => v.push(i),
                None => out.push((p.site.clone(), vec![i])),
            }
        }
        out
    }
}
