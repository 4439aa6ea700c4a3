//! One replica of the discrete-event model: the fleet failing and being repaired, jobs running,
//! checkpointing, failing, waiting for spares and restarting.
//!
//! **Failures.** Every failure class has an exponential lifetime, so the failures of all
//! components form one Poisson process whose rate is the sum of theirs (superposition). The engine
//! draws the gap to the fleet's next failure from the total rate of all nodes, picks the phase by
//! its share of the rate, a node uniformly within it, and the class by its share of the node's
//! rate: O(1) work and three or four random numbers per failure, whatever the fleet's size. A node
//! under repair cannot fail: a draw that lands on one is discarded (thinning), which is exact
//! because the up nodes keep their own rates. Only repairs in flight and job events wait in the
//! queue. Per-event work is O(blast radius): the nodes a failure takes down.
//!
//! **Hardware.** A failure takes down the nodes of its blast-radius group (`Fleet::group`); each
//! node counts the repairs covering it and comes back when the last one ends, into its home pool
//! (its phase's pool of idle nodes, or the reserved spares of a job).
//!
//! **Jobs.** A failure that touches a node of a job (running or restarting) interrupts it: the
//! running segment ends, losing the work since the last checkpoint; the job waits for detection
//! `d`, takes replacements from its pool (each ready after the swap time), relaunches and runs
//! again at `max(t + d + u0, t + d + swap)`. With no spare left it waits until a node comes back
//! from repair and relaunches then (`+ u0`). Another failure during a restart starts it over. A
//! planned interruption saves a checkpoint (`w`) and restarts (`u0`) without losing work.
//!
//! State lives in flat arrays indexed by node, cloned from a template per replica; nothing is
//! allocated per event. A node's state is one 8-byte record (owner, home pool, repairs covering
//! it, whether its pool's stack lists it), so a failure touches one cache line per node, and the
//! record of the next victim is prefetched when its failure is drawn. Pools are stacks with lazy
//! deletion: an idle node that fails keeps its entry, which is skipped when popped (its owner is no
//! longer the pool) or reused when the node comes back; stacks are compacted when stale entries
//! outnumber live ones.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1, StandardNormal};

use gigawatt_core::simulation::{BlastRadius, Spares};

use crate::fleet::{Fleet, RepairTime};
use crate::job::{JobModel, SegmentEnd, saved_so_far, segment};
use crate::queue::{Event, EventQueue};
use crate::time::{SimTime, US_PER_DAY};

/// `owner` of an idle node sitting in a pool.
const POOL: u32 = u32::MAX - 1;

/// Bytes of per-node state in one copy of the fleet: the node's record and its entry in its pool's
/// stack. The prepared template holds one copy and every replica running holds its own.
pub const BYTES_PER_NODE: u64 = (std::mem::size_of::<Node>() + std::mem::size_of::<u32>()) as u64;
/// `owner` of a node under repair.
const DOWN: u32 = u32::MAX;

/// The state of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    /// The job it runs, [`POOL`] when idle in its home pool, [`DOWN`] under repair.
    owner: u32,
    /// The pool it returns to after a repair.
    home: u16,
    /// Repairs covering it; it is up when 0. At most one per nested group (node, rack, switch,
    /// row): a group fails only through a node that is up.
    down: u8,
    /// Whether its home pool's stack holds an entry for it (live or stale).
    listed: bool,
}

/// The initial state of the fleet, shared by every replica of a run.
#[derive(Clone, Debug)]
pub struct Template {
    nodes: Vec<Node>,
    pools: Vec<Vec<u32>>,
    /// Jobs that draw replacements from each pool, in job order.
    pool_jobs: Vec<Vec<u16>>,
    /// The pool each job draws from.
    job_pool: Vec<u16>,
    spare_gpus: u64,
}

impl Template {
    /// Every node idle in its phase's pool, minus the nodes reserved as a job's own spares.
    pub fn new(fleet: &Fleet, jobs: &[JobModel]) -> Template {
        Template::with_spare_caps(fleet, jobs, &[])
    }

    /// [`Template::new`], with the shared pool of phase `p` cut to its jobs' nodes plus
    /// `caps[p]` spares (for sizing a spare pool): the phase's other idle nodes go to a pool no
    /// job draws from, where they still fail and are repaired.
    pub fn with_spare_caps(fleet: &Fleet, jobs: &[JobModel], caps: &[Option<u32>]) -> Template {
        let n = fleet.nodes as usize;
        let phases = fleet.phases.len();
        let mut nodes = vec![Node { owner: POOL, home: 0, down: 0, listed: true }; n];
        let mut pools: Vec<Vec<u32>> = Vec::with_capacity(phases + jobs.len());
        for (p, ph) in fleet.phases.iter().enumerate() {
            // Descending, so that popping hands out the lowest nodes first: jobs get contiguous
            // racks.
            let stack: Vec<u32> = (ph.first_node..ph.first_node + ph.nodes).rev().collect();
            for &node in &stack {
                nodes[node as usize].home = p as u16;
            }
            pools.push(stack);
        }
        let mut job_pool = Vec::with_capacity(jobs.len());
        for job in jobs {
            match job.spares {
                Spares::Phase => job_pool.push(job.phase as u16),
                Spares::Reserved(r) => {
                    let id = pools.len() as u16;
                    let want = job.nodes as usize + r as usize;
                    let shared = &mut pools[job.phase];
                    let take = want.min(shared.len());
                    // The lowest nodes, still in descending order.
                    let mine: Vec<u32> = shared.split_off(shared.len() - take);
                    for &node in &mine {
                        nodes[node as usize].home = id;
                    }
                    pools.push(mine);
                    job_pool.push(id);
                }
            }
        }
        for (p, cap) in caps.iter().enumerate() {
            let Some(cap) = cap else { continue };
            let held: usize =
                jobs.iter().filter(|j| j.phase == p && j.spares == Spares::Phase).map(|j| j.nodes as usize).sum();
            let keep = held + *cap as usize;
            let shared = &mut pools[p];
            if shared.len() > keep {
                // The stack is descending: its front holds the highest nodes, handed out last.
                let excluded: Vec<u32> = shared.drain(..shared.len() - keep).collect();
                let id = pools.len() as u16;
                for &node in &excluded {
                    nodes[node as usize].home = id;
                }
                pools.push(excluded);
            }
        }
        let mut pool_jobs = vec![Vec::new(); pools.len()];
        for (j, &p) in job_pool.iter().enumerate() {
            pool_jobs[p as usize].push(j as u16);
        }
        let spare_gpus = fleet.gpus;
        Template { nodes, pools, pool_jobs, job_pool, spare_gpus }
    }
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Not started yet.
    Pending,
    /// Computing and checkpointing.
    Running,
    /// Waiting for detection, nodes or its relaunch (or for its first nodes).
    Recovering,
    /// Finished.
    Done,
}

/// A job's state and tallies within one replica.
#[derive(Clone, Debug)]
struct JobState {
    status: Status,
    seg_start: SimTime,
    restart_from: SimTime,
    nodes_ready: SimTime,
    wait_since: Option<SimTime>,
    first_launch: bool,
    deficit: u32,
    generation: u32,
    tally: JobTally,
}

/// What happened to one job in one replica. Times in µs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobTally {
    /// Wall time the job existed in the window.
    pub wall: u64,
    /// Saved compute.
    pub productive: u64,
    /// Blocking checkpoint writes (including the ones before planned stops).
    pub checkpoint: u64,
    /// Compute and writes lost to failures.
    pub rework: u64,
    /// Time spent short of nodes, waiting for repairs.
    pub waiting: u64,
    /// Checkpoints written.
    pub checkpoints: u64,
    /// Unexpected interruptions.
    pub unexpected: u64,
    /// Planned interruptions.
    pub planned: u64,
    /// Unexpected interruptions by failure class.
    pub by_class: Vec<u64>,
    /// Saved compute for each interval of the sweep.
    pub sweep_productive: Vec<u64>,
}

impl JobTally {
    /// Detection and restart time: the wall time not accounted for by the other categories.
    pub fn restart(&self) -> u64 {
        self.wall.saturating_sub(self.productive + self.checkpoint + self.rework + self.waiting)
    }

    /// Availability: the share of wall time the job held all its nodes (1 − waiting ÷ wall).
    pub fn availability(&self) -> f64 {
        if self.wall == 0 { 0.0 } else { 1.0 - self.waiting.min(self.wall) as f64 / self.wall as f64 }
    }

    /// Productive time ÷ wall time.
    pub fn ettr(&self) -> f64 {
        if self.wall == 0 { 0.0 } else { self.productive as f64 / self.wall as f64 }
    }
}

/// One simulated day of one replica.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DayTally {
    /// Length of the day in the window, µs (a full day except perhaps the last).
    pub length: u64,
    /// Fleet failures.
    pub failures: u64,
    /// Job interruptions, unexpected and planned, all jobs.
    pub interruptions: u64,
    /// Mean GPUs (packages) down.
    pub gpus_down: f64,
    /// Mean repairs in flight.
    pub repairs_in_flight: f64,
    /// Mean GPUs idle in spare pools.
    pub spare_gpus: f64,
}

/// Everything one replica measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicaTally {
    /// Events handled: queue events plus failure draws (including discarded ones).
    pub events: u64,
    /// Fleet failures that took hardware down or interrupted a job.
    pub failures: u64,
    /// Fleet failures by class.
    pub failures_by_class: Vec<u64>,
    /// Mean GPUs down over the window.
    pub gpus_down: f64,
    /// Mean repairs in flight over the window.
    pub repairs_in_flight: f64,
    /// Mean GPUs idle in spare pools over the window.
    pub spare_gpus: f64,
    /// Per job.
    pub jobs: Vec<JobTally>,
    /// Per day.
    pub days: Vec<DayTally>,
    /// Saved compute per job per day, µs (`days × jobs`, day-major).
    pub job_day_productive: Vec<u64>,
    /// Every stretch of running of every job, in the order they ended; empty unless the replica
    /// was asked to record them ([`Replica::record_segments`]).
    pub segments: Vec<RunSegment>,
}

/// One stretch of running of a job: from its (re)launch to the failure, planned stop or end that
/// ended it. Between two segments the job holds its nodes idle (detection, waiting for spares,
/// relaunch). Inside a segment its checkpoints fall at fixed offsets from `start` (every
/// `interval + write`, see [`crate::job`]), so the segments are the whole job state timeline:
/// the power model's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSegment {
    /// The job (index into the simulation's jobs).
    pub job: u16,
    /// When the job started (or restarted) running.
    pub start: SimTime,
    /// When it stopped.
    pub end: SimTime,
    /// What stopped it.
    pub how: SegmentEnd,
}

/// Time-weighted integrals of the fleet gauges.
#[derive(Clone, Copy, Debug, Default)]
struct Areas {
    down: f64,
    repairs: f64,
    spare: f64,
}

/// The running replica.
pub struct Replica<'a> {
    fleet: &'a Fleet,
    jobs: &'a [JobModel],
    template: &'a Template,
    rng: Xoshiro256PlusPlus,
    queue: EventQueue,
    end: SimTime,
    nodes: Vec<Node>,
    pools: Vec<Vec<u32>>,
    /// Live (idle, up) nodes in each pool.
    live: Vec<u32>,
    /// Stale entries in each pool's stack.
    stale: Vec<u32>,
    state: Vec<JobState>,
    gpus_down: u64,
    repairs: u64,
    spare_gpus: u64,
    areas: Areas,
    last: SimTime,
    touched: Vec<u16>,
    fed: Vec<u16>,
    /// Nodes each job with a rate multiplier above 1 took (some perhaps no longer its own).
    held: Vec<Vec<u32>>,
    /// Phase and node of the next failure.
    victim: (usize, u32),
    tally: ReplicaTally,
    day_start: SimTime,
    day_mark: (u64, u64, Areas),
    job_day_mark: Vec<u64>,
    /// Raised from outside to stop the replica at its next day boundary (see [`Replica::stop_on`]).
    stop: Option<&'a AtomicBool>,
    stopped: bool,
    /// Whether to keep every job's run segments (see [`Replica::record_segments`]).
    record_segments: bool,
}

/// Rounds a non-negative duration in µs to an integer (NaN → 0, capped at 10¹⁸).
#[inline(always)]
fn to_us(x: f64) -> u64 {
    (x.clamp(0.0, 1e18) + 0.5) as u64
}

/// Asks the CPU to bring `x` into cache (a hint; no effect on results).
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it reads nothing architecturally and cannot fault, and the
    // pointer comes from a live reference anyway.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// The RNG seed of replica `index` of a run seeded with `seed` (SplitMix64 finalisers, so nearby
/// seeds and indices give unrelated streams).
pub fn replica_seed(seed: u64, index: u64) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    mix(mix(seed) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

impl<'a> Replica<'a> {
    /// A replica of `days` simulated days with its own random stream.
    pub fn new(fleet: &'a Fleet, jobs: &'a [JobModel], template: &'a Template, end: SimTime, seed: u64) -> Self {
        let classes = fleet.classes.len();
        let state = jobs
            .iter()
            .map(|j| JobState {
                status: Status::Pending,
                seg_start: SimTime::ZERO,
                restart_from: SimTime::ZERO,
                nodes_ready: SimTime::ZERO,
                wait_since: None,
                first_launch: true,
                deficit: 0,
                generation: 0,
                tally: JobTally {
                    by_class: vec![0; classes],
                    sweep_productive: vec![0; j.sweep.len()],
                    ..JobTally::default()
                },
            })
            .collect();
        let days = (end.0.div_ceil(US_PER_DAY)) as usize;
        Replica {
            fleet,
            jobs,
            template,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            queue: EventQueue::with_capacity(1024),
            end,
            nodes: template.nodes.clone(),
            pools: template.pools.clone(),
            live: template.pools.iter().map(|p| p.len() as u32).collect(),
            stale: vec![0; template.pools.len()],
            state,
            gpus_down: 0,
            repairs: 0,
            spare_gpus: template.spare_gpus,
            areas: Areas::default(),
            last: SimTime::ZERO,
            touched: Vec::with_capacity(8),
            fed: Vec::with_capacity(8),
            held: vec![Vec::new(); jobs.len()],
            victim: (0, 0),
            tally: ReplicaTally {
                failures_by_class: vec![0; classes],
                days: Vec::with_capacity(days),
                job_day_productive: Vec::with_capacity(days * jobs.len()),
                ..ReplicaTally::default()
            },
            day_start: SimTime::ZERO,
            day_mark: (0, 0, Areas::default()),
            job_day_mark: vec![0; jobs.len()],
            stop: None,
            stopped: false,
            record_segments: false,
        }
    }

    /// The same replica, keeping every job's run segments in its tally's `segments` (the job
    /// state timeline; it does not change what the replica draws or computes).
    pub fn record_segments(mut self) -> Self {
        self.record_segments = true;
        self
    }

    /// The same replica, stopped at the first day boundary after `stop` is raised; its
    /// [`Replica::run`] then returns `None`.
    pub fn stop_on(mut self, stop: &'a AtomicBool) -> Self {
        self.stop = Some(stop);
        self
    }

    /// Runs the replica to the end of its window; `on_day` is called after each simulated day.
    /// `None` when it was stopped (see [`Replica::stop_on`]).
    pub fn run(mut self, on_day: &(dyn Fn() + Sync)) -> Option<ReplicaTally> {
        for (j, job) in self.jobs.iter().enumerate() {
            self.queue.push(job.start, Event::JobStart { job: j as u16 });
        }
        self.queue.push(SimTime(US_PER_DAY), Event::DayEnd { day: 1 });
        let mut next_failure = self.next_failure(SimTime::ZERO);
        loop {
            match self.queue.peek_time() {
                Some(t) if t <= next_failure => {
                    if t > self.end {
                        break;
                    }
                    let (t, event) = self.queue.pop().expect("peeked");
                    if let Some((_, Event::RepairDone { lo, .. })) = self.queue.peek() {
                        prefetch(&self.nodes[lo as usize]);
                    }
                    self.advance(t);
                    self.tally.events += 1;
                    self.handle(t, event, on_day);
                    if self.stopped {
                        return None;
                    }
                }
                _ => {
                    if next_failure > self.end {
                        break;
                    }
                    let t = next_failure;
                    self.advance(t);
                    self.tally.events += 1;
                    self.failure(t);
                    next_failure = self.next_failure(t);
                }
            }
        }
        Some(self.finish(on_day))
    }

    /// The time of the fleet's next failure after `t`; its victim is drawn now (phase by its
    /// share of the rate, node uniformly within it) and its record prefetched, so that the cache
    /// miss overlaps the events handled until then.
    fn next_failure(&mut self, t: SimTime) -> SimTime {
        let fleet = self.fleet;
        let rate = fleet.total_rate_per_us;
        if rate <= 0.0 {
            return SimTime(u64::MAX);
        }
        let e: f64 = Exp1.sample(&mut self.rng);
        // At least 1 µs, so simulated time always moves forward.
        let dt = to_us(e / rate).max(1);
        let v = self.rng.random::<f64>() * rate;
        let p = fleet.phase_cumulative.iter().position(|&c| v < c).unwrap_or(fleet.phases.len() - 1);
        let phase = &fleet.phases[p];
        // Lemons fail at the ordinary rate plus their extra: a second process over the lemons.
        let lemon_rate = phase.lemon_extra_per_us * phase.lemons as f64;
        let node = if phase.lemons > 0 && self.rng.random::<f64>() * phase.total_rate_per_us() < lemon_rate {
            phase.lemon_node(self.rng.random_range(0..phase.lemons))
        } else {
            phase.first_node + self.rng.random_range(0..phase.nodes)
        };
        self.victim = (p, node);
        prefetch(&self.nodes[node as usize]);
        t.plus(SimTime(dt))
    }

    fn advance(&mut self, t: SimTime) {
        let dt = t.since(self.last).0 as f64;
        self.areas.down += self.gpus_down as f64 * dt;
        self.areas.repairs += self.repairs as f64 * dt;
        self.areas.spare += self.spare_gpus as f64 * dt;
        self.last = t;
    }

    fn handle(&mut self, t: SimTime, event: Event, on_day: &(dyn Fn() + Sync)) {
        match event {
            Event::RepairDone { lo, hi } => self.repair_done(t, lo, hi),
            Event::JobReady { job, generation } => {
                let s = &mut self.state[job as usize];
                if s.generation == generation && s.status == Status::Recovering && s.deficit == 0 {
                    s.status = Status::Running;
                    s.seg_start = t;
                    s.first_launch = false;
                }
            }
            Event::JobStart { job } => self.job_start(t, job as usize),
            Event::JobEnd { job } => {
                self.close(t, job as usize);
                self.release(t, job as usize);
            }
            Event::Planned { job } => self.planned(t, job as usize),
            Event::JobFault { job } => self.job_fault(t, job as usize),
            Event::JobNodeFault { job } => self.job_node_fault(t, job as usize),
            Event::DayEnd { day } => {
                self.record_day(t);
                on_day();
                self.stopped = self.stop.is_some_and(|s| s.load(Ordering::Relaxed));
                let next = SimTime(US_PER_DAY * (day as u64 + 1));
                if next <= self.end {
                    self.queue.push(next, Event::DayEnd { day: day + 1 });
                }
            }
        }
    }

    fn failure(&mut self, t: SimTime) {
        let fleet = self.fleet;
        let (p, node) = self.victim;
        let phase = &fleet.phases[p];
        if self.nodes[node as usize].down > 0 {
            // Thinning: hardware under repair does not fail.
            return;
        }
        let owner = self.nodes[node as usize].owner;
        if owner < POOL {
            let m = self.jobs[owner as usize].rate_multiplier;
            if m < 1.0 && self.rng.random::<f64>() >= m {
                // Thinning: the job's nodes fail m times as often.
                return;
            }
        }
        let u = self.rng.random::<f64>() * phase.node_rate_per_us;
        let c = phase.class_cumulative.iter().position(|&x| u < x).unwrap_or(phase.class_cumulative.len() - 1);
        let class = &fleet.classes[c];
        let radius = phase.blast[c];
        if radius == BlastRadius::Job {
            let owner = self.nodes[node as usize].owner;
            if owner < POOL && class.interrupts {
                self.tally.failures += 1;
                self.tally.failures_by_class[c] += 1;
                self.interrupt(t, owner as usize, c);
            }
            return;
        }
        let (lo, hi) = phase.group(node, radius);
        let ppn = phase.packages_per_node as u64;
        self.touched.clear();
        for n in lo..hi {
            let node = &mut self.nodes[n as usize];
            node.down += 1;
            if node.down == 1 {
                let (owner, home) = (node.owner, node.home);
                node.owner = DOWN;
                match owner {
                    POOL => self.unpool(home as usize, ppn),
                    DOWN => unreachable!("a node that is up has an owner"),
                    j => {
                        self.state[j as usize].deficit += 1;
                        if !self.touched.contains(&(j as u16)) {
                            self.touched.push(j as u16);
                        }
                    }
                }
                self.gpus_down += ppn;
            }
        }
        let repair = self.repair_time(class.repair.expect("classes that take hardware have a repair time"));
        self.queue.push(t.plus(repair), Event::RepairDone { lo, hi });
        self.repairs += 1;
        self.tally.failures += 1;
        self.tally.failures_by_class[c] += 1;
        for k in 0..self.touched.len() {
            let j = self.touched[k] as usize;
            if class.interrupts {
                self.interrupt(t, j, c);
            } else {
                // The job keeps running; it takes a replacement when one is at hand.
                let ready = t.plus(self.jobs[j].swap);
                self.refill(j, ready);
            }
        }
    }

    fn repair_time(&mut self, r: RepairTime) -> SimTime {
        let us = match r {
            RepairTime::Exponential { mean_us } => {
                let e: f64 = Exp1.sample(&mut self.rng);
                e * mean_us
            }
            RepairTime::Fixed { us } => us,
            RepairTime::Lognormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(&mut self.rng);
                (mu + sigma * z).exp()
            }
        };
        SimTime(to_us(us))
    }

    /// Counts an idle node of `pool` as gone (its stack entry goes stale); compacts the stack
    /// when stale entries outnumber live ones.
    fn unpool(&mut self, pool: usize, ppn: u64) {
        self.live[pool] -= 1;
        self.stale[pool] += 1;
        self.spare_gpus -= ppn;
        if self.stale[pool] > self.live[pool] + 1024 {
            let nodes = &mut self.nodes;
            self.pools[pool].retain(|&n| {
                let node = &mut nodes[n as usize];
                node.listed = node.owner == POOL;
                node.listed
            });
            self.stale[pool] = 0;
        }
    }

    /// Puts node `n`, now idle and up, back into its home pool.
    fn repool(&mut self, n: u32, ppn: u64) -> u16 {
        let node = &mut self.nodes[n as usize];
        node.owner = POOL;
        let pool = node.home;
        if node.listed {
            // Its stale entry is live again.
            self.stale[pool as usize] = self.stale[pool as usize].saturating_sub(1);
        } else {
            node.listed = true;
            self.pools[pool as usize].push(n);
        }
        self.live[pool as usize] += 1;
        self.spare_gpus += ppn;
        pool
    }

    fn repair_done(&mut self, t: SimTime, lo: u32, hi: u32) {
        self.repairs -= 1;
        let p = self.fleet.phase_of(lo);
        let ppn = self.fleet.phases[p].packages_per_node as u64;
        self.fed.clear();
        for n in lo..hi {
            let node = &mut self.nodes[n as usize];
            node.down -= 1;
            if node.down == 0 {
                self.gpus_down -= ppn;
                let pool = self.repool(n, ppn);
                if !self.fed.contains(&pool) {
                    self.fed.push(pool);
                }
            }
        }
        for k in 0..self.fed.len() {
            let pool = self.fed[k];
            self.feed(t, pool as usize);
        }
    }

    /// Hands the idle nodes of `pool` to the jobs short of nodes that draw from it.
    fn feed(&mut self, t: SimTime, pool: usize) {
        let template = self.template;
        for &j in &template.pool_jobs[pool] {
            let j = j as usize;
            let s = &self.state[j];
            if s.deficit == 0 || matches!(s.status, Status::Pending | Status::Done) || self.live[pool] == 0 {
                continue;
            }
            if self.refill(j, t) && self.state[j].status == Status::Recovering {
                let s = &mut self.state[j];
                if let Some(since) = s.wait_since.take() {
                    s.tally.waiting += t.since(since).0;
                    // The job relaunches once its nodes are back.
                    s.restart_from = s.restart_from.max(t);
                }
                self.schedule_ready(j);
            }
        }
    }

    /// Takes nodes for job `j` from its pool, each ready at `ready`; true when it has all it needs.
    fn refill(&mut self, j: usize, ready: SimTime) -> bool {
        let pool = self.template.job_pool[j] as usize;
        let p = self.jobs[j].phase;
        let ppn = self.fleet.phases[p].packages_per_node as u64;
        while self.state[j].deficit > 0 {
            let Some(node) = self.pools[pool].pop() else { break };
            let n = &mut self.nodes[node as usize];
            n.listed = false;
            if n.owner != POOL {
                // A stale entry: the node failed while idle.
                self.stale[pool] = self.stale[pool].saturating_sub(1);
                continue;
            }
            n.owner = j as u32;
            if self.jobs[j].node_fault_per_us > 0.0 {
                self.hold(j, node);
            }
            self.live[pool] -= 1;
            self.spare_gpus -= ppn;
            let s = &mut self.state[j];
            s.deficit -= 1;
            s.nodes_ready = s.nodes_ready.max(ready);
        }
        self.state[j].deficit == 0
    }

    fn schedule_ready(&mut self, j: usize) {
        let restart = self.jobs[j].restart;
        let s = &mut self.state[j];
        s.generation += 1;
        let ready = if s.first_launch {
            s.restart_from.max(s.nodes_ready)
        } else {
            s.restart_from.plus(restart).max(s.nodes_ready)
        };
        let event = Event::JobReady { job: j as u16, generation: s.generation };
        self.queue.push(ready, event);
    }

    fn interrupt(&mut self, t: SimTime, j: usize, class: usize) {
        let detect = self.fleet.classes[class].detect;
        let swap = self.jobs[j].swap;
        {
            let s = &mut self.state[j];
            s.tally.unexpected += 1;
            s.tally.by_class[class] += 1;
        }
        match self.state[j].status {
            Status::Running => {
                self.end_segment(t, j, SegmentEnd::Failure);
                let s = &mut self.state[j];
                s.status = Status::Recovering;
                s.restart_from = t.plus(detect);
                s.nodes_ready = t;
            }
            Status::Recovering => {
                let s = &mut self.state[j];
                s.restart_from = s.restart_from.max(t.plus(detect));
            }
            Status::Pending | Status::Done => unreachable!("only active jobs hold nodes"),
        }
        // Any restart in progress is void.
        self.state[j].generation += 1;
        let detected = t.plus(detect);
        if self.refill(j, detected.plus(swap)) {
            self.schedule_ready(j);
        } else if self.state[j].wait_since.is_none() {
            self.state[j].wait_since = Some(detected);
        }
    }

    fn job_start(&mut self, t: SimTime, j: usize) {
        let nodes = self.jobs[j].nodes;
        {
            let s = &mut self.state[j];
            s.status = Status::Recovering;
            s.first_launch = true;
            s.deficit = nodes;
            s.restart_from = t;
            s.nodes_ready = t;
        }
        if self.refill(j, t) {
            let s = &mut self.state[j];
            s.status = Status::Running;
            s.seg_start = t;
            s.first_launch = false;
        } else {
            self.state[j].wait_since = Some(t);
        }
        let end = self.jobs[j].end;
        if end <= self.end {
            self.queue.push(end, Event::JobEnd { job: j as u16 });
        }
        self.schedule_planned(t, j);
        self.schedule_fault(t, j);
        self.schedule_node_fault(t, j);
    }

    /// Adds `node` to the nodes job `j` took; drops those it no longer holds when they outnumber
    /// its nodes (amortised O(1)).
    fn hold(&mut self, j: usize, node: u32) {
        let held = &mut self.held[j];
        held.push(node);
        if held.len() > 2 * self.jobs[j].nodes as usize + 64 {
            let nodes = &self.nodes;
            held.retain(|&n| nodes[n as usize].owner == j as u32);
        }
    }

    /// The next extra failure on the nodes job `j` holds, if its multiplier is above 1.
    fn schedule_node_fault(&mut self, t: SimTime, j: usize) {
        let rate = self.jobs[j].node_fault_per_us;
        if rate <= 0.0 {
            return;
        }
        let e: f64 = Exp1.sample(&mut self.rng);
        let at = t.plus(SimTime(to_us(e / rate).max(1)));
        if at < self.jobs[j].end {
            self.queue.push(at, Event::JobNodeFault { job: j as u16 });
        }
    }

    /// An extra failure on a node job `j` holds, drawn uniformly (nodes it no longer holds are
    /// dropped from its list as they are met): a fleet failure on that node.
    fn job_node_fault(&mut self, t: SimTime, j: usize) {
        if matches!(self.state[j].status, Status::Pending | Status::Done) {
            return;
        }
        while !self.held[j].is_empty() {
            let k = self.rng.random_range(0..self.held[j].len());
            let node = self.held[j][k];
            if self.nodes[node as usize].owner == j as u32 {
                let pending = self.victim;
                self.victim = (self.jobs[j].phase, node);
                self.failure(t);
                self.victim = pending;
                break;
            }
            self.held[j].swap_remove(k);
        }
        self.schedule_node_fault(t, j);
    }

    /// The job's next failure of its own (per-job classes), if it has any.
    fn schedule_fault(&mut self, t: SimTime, j: usize) {
        let Some(&(_, rate)) = self.jobs[j].job_faults.last() else { return };
        let e: f64 = Exp1.sample(&mut self.rng);
        let at = t.plus(SimTime(to_us(e / rate).max(1)));
        if at < self.jobs[j].end {
            self.queue.push(at, Event::JobFault { job: j as u16 });
        }
    }

    /// A per-job failure: it interrupts the job, whatever its state, unless it is over.
    fn job_fault(&mut self, t: SimTime, j: usize) {
        if matches!(self.state[j].status, Status::Pending | Status::Done) {
            return;
        }
        let faults = &self.jobs[j].job_faults;
        let total = faults.last().map_or(0.0, |f| f.1);
        let u = self.rng.random::<f64>() * total;
        let c = faults.iter().find(|f| u < f.1).unwrap_or(&faults[faults.len() - 1]).0;
        self.tally.failures += 1;
        self.tally.failures_by_class[c] += 1;
        self.interrupt(t, j, c);
        self.schedule_fault(t, j);
    }

    fn schedule_planned(&mut self, t: SimTime, j: usize) {
        let rate = self.jobs[j].planned_per_us;
        if rate <= 0.0 {
            return;
        }
        let e: f64 = Exp1.sample(&mut self.rng);
        let at = t.plus(SimTime(to_us(e / rate).max(1)));
        if at < self.jobs[j].end {
            self.queue.push(at, Event::Planned { job: j as u16 });
        }
    }

    fn planned(&mut self, t: SimTime, j: usize) {
        let write = self.jobs[j].write;
        match self.state[j].status {
            Status::Running => {
                self.end_segment(t, j, SegmentEnd::Planned);
                let s = &mut self.state[j];
                s.status = Status::Recovering;
                s.restart_from = t.plus(write);
                s.nodes_ready = t;
            }
            Status::Recovering => {
                let s = &mut self.state[j];
                s.restart_from = s.restart_from.max(t);
            }
            Status::Pending | Status::Done => return,
        }
        let s = &mut self.state[j];
        s.tally.planned += 1;
        s.generation += 1;
        if s.deficit == 0 {
            self.schedule_ready(j);
        } else if s.wait_since.is_none() {
            s.wait_since = Some(t);
        }
        self.schedule_planned(t, j);
    }

    fn end_segment(&mut self, t: SimTime, j: usize, how: SegmentEnd) {
        let job = &self.jobs[j];
        let s = &mut self.state[j];
        let len = t.since(s.seg_start).0;
        let seg = segment(len, job.interval.0, job.write.0, how);
        s.tally.productive += seg.productive;
        s.tally.checkpoint += seg.checkpoint;
        s.tally.rework += seg.rework;
        s.tally.checkpoints += seg.checkpoints;
        for (k, iv) in job.sweep.iter().enumerate() {
            s.tally.sweep_productive[k] += segment(len, iv.0, job.write.0, how).productive;
        }
        if self.record_segments {
            let start = s.seg_start;
            self.tally.segments.push(RunSegment { job: j as u16, start, end: t, how });
        }
    }

    /// Closes a job's accounts at `t` (its end, or the end of the window).
    fn close(&mut self, t: SimTime, j: usize) {
        match self.state[j].status {
            Status::Running => self.end_segment(t, j, SegmentEnd::End),
            Status::Recovering => {
                let s = &mut self.state[j];
                if let Some(since) = s.wait_since.take() {
                    s.tally.waiting += t.since(since).0;
                }
            }
            Status::Pending | Status::Done => return,
        }
        let s = &mut self.state[j];
        s.status = Status::Done;
        s.generation += 1;
        s.tally.wall = t.since(self.jobs[j].start).0;
    }

    /// Returns a finished job's nodes to their pools.
    fn release(&mut self, t: SimTime, j: usize) {
        let phase = &self.fleet.phases[self.jobs[j].phase];
        let ppn = phase.packages_per_node as u64;
        self.fed.clear();
        for n in phase.first_node..phase.first_node + phase.nodes {
            if self.nodes[n as usize].owner == j as u32 {
                let pool = self.repool(n, ppn);
                if !self.fed.contains(&pool) {
                    self.fed.push(pool);
                }
            }
        }
        self.state[j].deficit = 0;
        self.held[j].clear();
        for k in 0..self.fed.len() {
            let pool = self.fed[k];
            self.feed(t, pool as usize);
        }
    }

    /// Saved compute of job `j` up to `t`, counting only completed checkpoints of a running segment.
    fn productive_so_far(&self, t: SimTime, j: usize) -> u64 {
        let s = &self.state[j];
        let running = if s.status == Status::Running {
            saved_so_far(t.since(s.seg_start).0, self.jobs[j].interval.0, self.jobs[j].write.0)
        } else {
            0
        };
        s.tally.productive + running
    }

    fn record_day(&mut self, t: SimTime) {
        let length = t.since(self.day_start).0;
        if length == 0 {
            return;
        }
        let interruptions: u64 = self.state.iter().map(|s| s.tally.unexpected + s.tally.planned).sum();
        let (f0, i0, a0) = self.day_mark;
        let len = length as f64;
        self.tally.days.push(DayTally {
            length,
            failures: self.tally.failures - f0,
            interruptions: interruptions - i0,
            gpus_down: (self.areas.down - a0.down) / len,
            repairs_in_flight: (self.areas.repairs - a0.repairs) / len,
            spare_gpus: (self.areas.spare - a0.spare) / len,
        });
        for j in 0..self.jobs.len() {
            let p = self.productive_so_far(t, j);
            self.tally.job_day_productive.push(p.saturating_sub(self.job_day_mark[j]));
            self.job_day_mark[j] = p;
        }
        self.day_mark = (self.tally.failures, interruptions, self.areas);
        self.day_start = t;
    }

    fn finish(mut self, on_day: &(dyn Fn() + Sync)) -> ReplicaTally {
        let end = self.end;
        self.advance(end);
        for j in 0..self.jobs.len() {
            self.close(end, j);
        }
        if self.day_start < end {
            self.record_day(end);
            on_day();
        }
        let span = end.0.max(1) as f64;
        self.tally.gpus_down = self.areas.down / span;
        self.tally.repairs_in_flight = self.areas.repairs / span;
        self.tally.spare_gpus = self.areas.spare / span;
        self.tally.jobs = self.state.into_iter().map(|s| s.tally).collect();
        self.tally
    }
}
