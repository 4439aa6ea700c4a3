//! From job states to megawatts: each phase's IT power, its cooling, each site's facility power
//! and what the grid sees once the mitigations have acted.
//!
//! ```text
//! IT_p(t)   = other_IT + Σ_nodes P_node(idle) + Σ_jobs gpus_j · TDP · (ℓ_j(t) − ℓ_idle)
//! ℓ_j(t)    = square wave between ℓ_compute and ℓ_comm while computing (period = step, duty =
//!             compute share), ℓ_checkpoint while writing, ℓ_idle while recovering (each ≥ the floor)
//! cool_p[k] = cool_p[k−1] + α·((PUE − 1)·IT_p[k] − cool_p[k−1]),  α = 1 − e^(−Δ/τ)
//! site[k]   = Σ_p (IT_p grid side + cool_p)[k], then the site battery
//! ```
//!
//! A job's timeline is its run segments (a steady job, an operated build-out's inference, draws
//! its one level while running); inside a segment its checkpoints fall every
//! `interval + write` from the segment's start (as in the simulator), and the square wave restarts
//! with each stretch of compute. Everything is added as exact bin integrals ([`crate::wave`]).

use crate::model::{JobPower, Levels, Mitigations, PhasePower, PowerModel, Storage};
use crate::wave::{Grid, SquareWave};

/// What storage did over a series.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StorageTally {
    /// Energy lost to its round-trip efficiency, MWh.
    pub losses_mwh: f64,
    /// Energy it delivered, MWh.
    pub discharged_mwh: f64,
    /// Its charge at the end minus at the start, MWh (stored, not lost).
    pub stored_mwh: f64,
}

impl std::ops::AddAssign for StorageTally {
    fn add_assign(&mut self, o: StorageTally) {
        self.losses_mwh += o.losses_mwh;
        self.discharged_mwh += o.discharged_mwh;
        self.stored_mwh += o.stored_mwh;
    }
}

/// One site's series.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteSeries {
    /// Site name.
    pub name: String,
    /// Facility power the grid sees, MW (after every mitigation).
    pub grid_mw: Vec<f64>,
    /// Facility power drawn by the site's equipment, MW (before storage).
    pub load_mw: Vec<f64>,
    /// What storage (rack and site) did.
    pub storage: StorageTally,
}

/// Adds job `job`'s GPU power above the idle level, as a fraction of TDP times seconds, to `acc`
/// (bin integrals on `grid`), with the floor and power burn of `mit`.
pub fn job_excess(grid: &Grid, job: &JobPower, levels: &Levels, mit: &Mitigations, acc: &mut [f64]) {
    job_excess_weighted(grid, job, levels, mit, 1.0, acc);
}

/// [`job_excess`] times `w` (every level difference scales with it), so that many jobs can share
/// one accumulator, each weighted by its GPUs.
pub fn job_excess_weighted(grid: &Grid, job: &JobPower, levels: &Levels, mit: &Mitigations, w: f64, acc: &mut [f64]) {
    let idle0 = levels.idle * w;
    let lv = match mit.floor {
        Some(f) => levels.floored(f),
        None => *levels,
    };
    let steady = job.steady.map(|x| w * mit.floor.map_or(x, |f| x.max(f)));
    let lv = Levels {
        compute: lv.compute * w,
        communication: lv.communication * w,
        checkpoint: lv.checkpoint * w,
        idle: lv.idle * w,
        serving: lv.serving.map(|x| x * w),
    };
    let (w0, w1) = (grid.t0, grid.end());
    // Held while recovering (and the floor's level, if any) over the job's whole life.
    grid.add_const(acc, job.start.max(w0), job.end.min(w1), lv.idle - idle0);
    let cycle = job.interval + job.write;
    let run_mean = steady.unwrap_or(lv.communication + (lv.compute - lv.communication) * job.compute_share);
    for (i, seg) in job.segments.iter().enumerate() {
        let next = job.segments.get(i + 1).map_or(f64::INFINITY, |s| s.start);
        if let Some(burn) = mit.burn_s
            && burn > 0.0
            && seg.end < w1
        {
            // The GPUs come down linearly from the running mean to the level they would fall to.
            let base = if seg.end >= job.end { idle0 } else { lv.idle };
            let stop = (seg.end + burn).min(next);
            let at_stop = run_mean + (base - run_mean) * ((stop - seg.end) / burn);
            grid.add_linear(acc, seg.end, stop, run_mean - base, at_stop - base);
        }
        let (a, b) = (seg.start.max(w0), seg.end.min(w1));
        if b <= a {
            continue;
        }
        let held = lv.idle;
        if let Some(level) = steady {
            grid.add_const(acc, a, b, level - held);
            continue;
        }
        if cycle <= 0.0 {
            let wave = wave_at(seg.start, job, &lv, held);
            grid.add_wave(acc, a, b, &wave);
            continue;
        }
        let mut k = ((a - seg.start) / cycle).floor().max(0.0);
        loop {
            let c0 = seg.start + k * cycle;
            if c0 >= b {
                break;
            }
            let c1 = (c0 + job.interval).min(seg.end);
            if c1 > a {
                let wave = wave_at(c0, job, &lv, held);
                grid.add_wave(acc, c0.max(a), c1.min(b), &wave);
            }
            let k1 = (c0 + cycle).min(seg.end);
            if k1 > c1 && k1 > a {
                grid.add_const(acc, c1.max(a), k1.min(b), lv.checkpoint - held);
            }
            k += 1.0;
        }
    }
}

/// The job's square wave from `origin`, as levels above `held`.
fn wave_at(origin: f64, job: &JobPower, lv: &Levels, held: f64) -> SquareWave {
    SquareWave { origin, period: job.step, duty: job.compute_share, hi: lv.compute - held, lo: lv.communication - held }
}

/// Limits how fast `x` may rise and fall (MW/s), step by step: `y[k] = clamp(x[k], y[k−1] −
/// down·Δ, y[k−1] + up·Δ)`.
pub fn limit_ramps(x: &mut [f64], up_mw_per_s: f64, down_mw_per_s: f64, dt: f64) {
    let (up, down) = (up_mw_per_s * dt, down_mw_per_s * dt);
    for k in 1..x.len() {
        let prev = x[k - 1];
        x[k] = x[k].clamp(prev - down, prev + up);
    }
}

/// The cooling's power: `(PUE − 1)·IT` followed with a first-order lag of time constant `tau_s`
/// (starting in steady state at the first value).
pub fn cooling(it: &[f64], pue: f64, tau_s: f64, dt: f64) -> Vec<f64> {
    let alpha = if tau_s <= 0.0 { 1.0 } else { 1.0 - (-dt / tau_s).exp() };
    let mut out = Vec::with_capacity(it.len());
    let mut c = it.first().map_or(0.0, |x| (pue - 1.0) * x);
    for &x in it {
        c += alpha * ((pue - 1.0) * x - c);
        out.push(c);
    }
    out
}

/// Serves `load` (MW) from `s` so that the grid sees its moving average with time constant
/// `s.time_constant_s`, within the storage's power and energy; the charge starts at half and is
/// pulled back towards half over the same time constant. Storage with no power or no energy
/// leaves the load untouched. Returns the grid's draw.
pub fn smooth_with_storage(load: &[f64], dt: f64, s: &Storage) -> (Vec<f64>, StorageTally) {
    if s.energy_mwh <= 0.0 || s.power_mw <= 0.0 {
        return (load.to_vec(), StorageTally::default());
    }
    let eta = s.efficiency.sqrt();
    let dt_h = dt / 3600.0;
    let tau = s.time_constant_s.max(dt);
    let alpha = 1.0 - (-dt / tau).exp();
    let half = 0.5 * s.energy_mwh;
    let mut soc = half;
    let mut avg = load.first().copied().unwrap_or(0.0);
    let mut tally = StorageTally::default();
    let mut out = Vec::with_capacity(load.len());
    for &x in load {
        avg += alpha * (x - avg);
        // Positive: discharge into the load. The pull towards half charge keeps it centred.
        let want = (x - avg) + (soc - half) / (tau / 3600.0);
        let mut d = want.clamp(-s.power_mw, s.power_mw);
        if d > 0.0 {
            d = d.min(soc * eta / dt_h);
            soc -= d * dt_h / eta;
            tally.discharged_mwh += d * dt_h;
            tally.losses_mwh += d * dt_h * (1.0 / eta - 1.0);
        } else if d < 0.0 {
            let c = (-d).min((s.energy_mwh - soc) / (eta * dt_h));
            soc += c * eta * dt_h;
            tally.losses_mwh += c * dt_h * (1.0 - eta);
            d = -c;
        }
        out.push(x - d);
    }
    tally.stored_mwh = soc - half;
    (out, tally)
}

/// IT power of phase `p` as drawn (after GPU smoothing) and as its racks take it from the site
/// (after rack storage), MW; and what the rack storage did.
pub fn phase_it(model: &PowerModel, p: usize, grid: &Grid, mit: &Mitigations) -> (Vec<f64>, Vec<f64>, StorageTally) {
    let phase: &PhasePower = &model.phases[p];
    let mut it = base_it(phase, model.levels.idle, grid);
    if mit.ramp_w_per_s.is_none() {
        // Without per-job ramp limits the jobs add up in one accumulator: O(points + bins the jobs
        // cover), however many jobs (an operated build-out has thousands in a window).
        let mut acc = vec![0.0; grid.n];
        for job in model.jobs.iter().filter(|j| j.phase == p) {
            job_excess_weighted(grid, job, &model.levels, mit, job.gpus as f64, &mut acc);
        }
        let scale = phase.gpu_tdp_mw / grid.dt;
        for (a, b) in it.iter_mut().zip(&acc) {
            *a += b * scale;
        }
        return rack_side(phase, it, grid, mit);
    }
    let mut job_acc = Vec::new();
    for job in model.jobs.iter().filter(|j| j.phase == p) {
        job_acc.clear();
        job_acc.resize(grid.n, 0.0);
        job_excess(grid, job, &model.levels, mit, &mut job_acc);
        // Bin integrals in fraction-of-TDP·s → MW.
        let scale = job.gpus as f64 * phase.gpu_tdp_mw / grid.dt;
        for x in job_acc.iter_mut() {
            *x *= scale;
        }
        if let Some((up, down)) = mit.ramp_w_per_s {
            let per_mw = job.gpus as f64 / 1e6;
            limit_ramps(&mut job_acc, up * per_mw, down * per_mw, grid.dt);
        }
        for (a, b) in it.iter_mut().zip(&job_acc) {
            *a += b;
        }
    }
    rack_side(phase, it, grid, mit)
}

/// A phase's IT power with no job running: its other IT and its systems at the idle level, times
/// the share of the phase in service at each time (its ramp, when the model has one).
fn base_it(phase: &PhasePower, idle: f64, grid: &Grid) -> Vec<f64> {
    let base = phase.it_mw_at(idle);
    let Some((ramp_start, online)) = phase.in_service else { return vec![base; grid.n] };
    let mut acc = vec![0.0; grid.n];
    let (a, b) = (ramp_start.max(grid.t0), online.min(grid.end()));
    if online > ramp_start && b > a {
        let value = |t: f64| ramp_value(ramp_start, online, base, t);
        grid.add_linear(&mut acc, a, b, value(a), value(b));
    }
    grid.add_const(&mut acc, online.max(grid.t0), grid.end(), base);
    acc.iter().map(|x| x / grid.dt).collect()
}

/// The ramp's value at `t` (clamped to it): 0 at its start, `base` when the phase is online.
fn ramp_value(start: f64, online: f64, base: f64, t: f64) -> f64 {
    base * ((t.clamp(start, online) - start) / (online - start))
}

/// A phase's IT power as its racks take it from the site (after rack storage).
fn rack_side(phase: &PhasePower, it: Vec<f64>, grid: &Grid, mit: &Mitigations) -> (Vec<f64>, Vec<f64>, StorageTally) {
    let (side, tally) = match mit.rack_storage {
        Some(r) => smooth_with_storage(&it, grid.dt, &r.of_racks(phase.racks)),
        None => (it.clone(), StorageTally::default()),
    };
    (it, side, tally)
}

/// Every site's series on `grid` with the mitigations `mit`.
pub fn site_series(model: &PowerModel, grid: &Grid, mit: &Mitigations) -> Vec<SiteSeries> {
    model
        .sites()
        .into_iter()
        .map(|(name, phases)| {
            let mut grid_mw = vec![0.0; grid.n];
            let mut load_mw = vec![0.0; grid.n];
            let mut storage = StorageTally::default();
            for p in phases {
                let (it, side, tally) = phase_it(model, p, grid, mit);
                storage += tally;
                let cool = cooling(&it, model.phases[p].pue, model.cooling_time_constant_s, grid.dt);
                for k in 0..grid.n {
                    load_mw[k] += it[k] + cool[k];
                    grid_mw[k] += side[k] + cool[k];
                }
            }
            if let Some(b) = mit.battery {
                let (out, tally) = smooth_with_storage(&grid_mw, grid.dt, &b);
                grid_mw = out;
                storage += tally;
            }
            SiteSeries { name, grid_mw, load_mw, storage }
        })
        .collect()
}

/// The sum of the sites' grid draw, MW.
pub fn total(sites: &[SiteSeries], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for s in sites {
        for (o, x) in out.iter_mut().zip(&s.grid_mw) {
            *o += x;
        }
    }
    out
}
