//! The discrete-event loop: jobs arrive, wait in the policy's order, start as gangs where the
//! placement finds room, may be preempted or hit by failures, and finish.
//!
//! State is flat: one record per job, the free-capacity index per group, and three ordered sets
//! (waiting jobs by key, running jobs by preemption order, running jobs by expected end). Events
//! are small `Copy` values in a 4-ary heap, ordered by (time, sequence number), so equal times
//! keep the order they were scheduled in and a run is reproducible bit for bit (jobs' deadlines
//! sit in a second heap on the same sequence, so a million of them do not slow every pop).
//! Arrivals are read from the sorted job list, not queued. After all events at one time are
//! handled, if any changed the queue, the fleet or a key, one scheduling pass starts what it can:
//!
//! * walk the waiting jobs in key order and start each that fits;
//! * at the first that does not (the head), a preemptive policy preempts running jobs with worse
//!   keys, worst first, until enough GPUs are free or being freed — in one group, the one where
//!   the head would fit with the most room, since a gang runs within one group;
//! * a non-preemptive policy without backfill stops there (strict order: no later job starts
//!   first); with EASY backfill a later job may start if it ends before the head's reservation
//!   (the time enough running jobs will have ended) or uses only GPUs the head will not need;
//!   a preemptive policy lets later jobs start on GPUs beyond those the head waits for, and a
//!   preemptible job on any idle GPU (the head takes it back when it can start), outside the
//!   group it is clearing (or they would take back what was freed for it); with backfill too, a
//!   job that passes the EASY test may also start inside that group, being gone before the head
//!   needs it;
//! * with `swap_spares`, a gang of whole nodes hit by a failure swaps one spare node in and
//!   restarts where it is (O(1) work, not O(its nodes));
//! * the walk past the head looks at most `backfill_depth` jobs (Slurm's `bf_max_job_test`).

use std::collections::BTreeSet;

use dary_heap::QuaternaryHeap;
use std::ops::Bound::{Excluded, Unbounded};

use gigawatt_sim::SimTime;

use crate::cluster::Cluster;
use crate::failures::{FailureDraw, Failures};
use crate::index::GroupIndex;
use crate::job::{Job, JobView};
use crate::metrics::Recorder;
use crate::placement::{self, Placement, WaitingSizes};
use crate::policy::PolicySpec;

/// Events between two progress reports of [`Engine::run_observed`].
pub const PROGRESS_EVENTS: u64 = 1 << 16;

/// How a replay runs, besides the policy.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    /// Where gangs go.
    pub placement: Placement,
    /// Time a preempted job takes to write its checkpoint, holding its GPUs.
    pub checkpoint: SimTime,
    /// Time a job takes to restart after a preemption or a failure, on its new GPUs.
    pub restart: SimTime,
    /// Most waiting jobs looked at past a blocked head in one pass.
    pub backfill_depth: usize,
    /// Most points in each time series.
    pub series_points: usize,
    /// Node failures, if any.
    pub failures: Option<Failures>,
    /// Seed of the failure draws.
    pub seed: u64,
    /// Keep every segment a job held GPUs ([`Segment`]), for checks and the per-job detail.
    pub log_segments: bool,
    /// With `log_segments`, keep only the segments that overlap `[from, to)`: a long run's log
    /// for one window (`gigawatt power` on an operated build-out) stays as small as the window.
    pub log_window: Option<(SimTime, SimTime)>,
    /// When each node of each group comes into service, by group (an empty list: every node of
    /// the group from the start). Nodes come into service in index order: the times are
    /// nondecreasing. A growing fleet's phases and ramps are such lists.
    pub online: Vec<Vec<SimTime>>,
    /// Width of the buckets GPU-time held is summed in by job type and bucket ([`Usage`]);
    /// `None`: not summed.
    pub usage_bucket: Option<SimTime>,
    /// A gang of whole nodes hit by a node failure swaps in one idle node of its group (or one
    /// that only preemptible jobs hold; they are interrupted as by the failure) and restarts on
    /// its other nodes, as a cluster with a spare pool does, instead of being placed anew (which
    /// costs work in proportion to its nodes). Without such a node it waits and is placed anew.
    pub swap_spares: bool,
    /// Jobs whose productive run time is summed by usage bucket ([`Usage::progress`]), in this
    /// order: a few (a build-out's frontier runs), as each segment's close looks them up.
    pub track_progress: Vec<u32>,
    /// Run the clock to at least this time, even once every job is done, so that nodes keep
    /// failing and being repaired to the end of an operated period (an idle fleet fails too);
    /// nodes still under repair then are counted down until it. `None`: stop with the last job.
    pub until: Option<SimTime>,
}

/// GPU-time held, by time bucket and job type, and GPU-time of nodes out of service for repair,
/// by bucket; in GPU × µs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bucket width.
    pub bucket: SimTime,
    /// `held[b][t]`: GPU-µs held in bucket `b` by jobs of type `t` (running, restarting or writing
    /// a checkpoint; a shared GPU counts its jobs' shares).
    pub held: Vec<Vec<u128>>,
    /// `down[b]`: GPU-µs of nodes under repair in bucket `b`.
    pub down: Vec<u128>,
    /// `progress[k][b]`: run time of the `k`-th job of [`ReplayOptions::track_progress`] that
    /// counted as done in bucket `b`, µs, net of the work a failure took back there; the sum
    /// over buckets is the job's attained run time.
    pub progress: Vec<Vec<i64>>,
}

impl Usage {
    /// Adds productive run time from `from` to `to` to tracked job `k`'s buckets.
    fn add_progress(&mut self, k: usize, from: SimTime, to: SimTime) {
        let w = self.bucket.0.max(1);
        let row = &mut self.progress[k];
        let mut t = from.0;
        while t < to.0 {
            let b = (t / w) as usize;
            let end = ((b as u64 + 1) * w).min(to.0);
            if row.len() <= b {
                row.resize(b + 1, 0);
            }
            row[b] += (end - t) as i64;
            t = end;
        }
    }

    /// Takes `lost` run time back from tracked job `k` in the bucket of `at`.
    fn take_progress(&mut self, k: usize, at: SimTime, lost: SimTime) {
        let b = (at.0 / self.bucket.0.max(1)) as usize;
        let row = &mut self.progress[k];
        if row.len() <= b {
            row.resize(b + 1, 0);
        }
        row[b] -= lost.0 as i64;
    }

    /// Adds `gpu_hundredths` / 100 GPUs held from `from` to `to` into `row(b)` of each bucket b.
    pub(crate) fn add(&mut self, from: SimTime, to: SimTime, gpu_hundredths: u128, slot: Option<usize>) {
        let w = self.bucket.0.max(1);
        let mut t = from.0;
        while t < to.0 {
            let b = (t / w) as usize;
            let end = ((b as u64 + 1) * w).min(to.0);
            let amount = gpu_hundredths * u128::from(end - t) / 100;
            match slot {
                Some(ty) => {
                    if self.held.len() <= b {
                        self.held.resize(b + 1, Vec::new());
                    }
                    let row = &mut self.held[b];
                    if row.len() <= ty {
                        row.resize(ty + 1, 0);
                    }
                    row[ty] += amount;
                }
                None => {
                    if self.down.len() <= b {
                        self.down.resize(b + 1, 0);
                    }
                    self.down[b] += amount;
                }
            }
            t = end;
        }
    }
}

/// What became of one job at the end of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobRun {
    /// Its first start, if it ever started.
    pub first_start: Option<SimTime>,
    /// When it finished, or left the queue at its deadline.
    pub end: SimTime,
    /// Run time it did not get before its deadline (0 for a job without one, or done in time).
    pub unserved: SimTime,
    /// Times preempted.
    pub preemptions: u32,
    /// Times hit by a node failure.
    pub failures: u32,
    /// GPU-hours of work lost to node failures (the work since the last checkpoint, each time).
    pub gpu_hours_lost_to_failures: f64,
}

/// A stretch of time a job held GPUs: from its start to the release of its GPUs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Job index.
    pub job: u32,
    /// When it took its GPUs.
    pub start: SimTime,
    /// When it gave them back.
    pub end: SimTime,
    /// Group.
    pub group: u16,
    /// Nodes.
    pub nodes: Vec<u32>,
    /// GPUs on each node.
    pub per_node: u32,
    /// The restart at its start (after a failure or a preemption), during which the job holds
    /// its GPUs without running.
    pub overhead: SimTime,
}

impl Default for ReplayOptions {
    fn default() -> ReplayOptions {
        ReplayOptions {
            placement: Placement::FirstFit,
            checkpoint: SimTime::ZERO,
            restart: SimTime::ZERO,
            backfill_depth: 100,
            series_points: 400,
            failures: None,
            seed: 0,
            log_segments: false,
            log_window: None,
            online: Vec::new(),
            usage_bucket: None,
            until: None,
            swap_spares: false,
            track_progress: Vec::new(),
        }
    }
}

/// A waiting job's entry: its policy key, its submit time (µs) and its index, which order the
/// queue, and its GPUs, which a scheduling pass reads without touching the job.
type Waiting = (u64, u64, u32, u32);

/// An event in the heap. The heap is a max-heap: the entry that comes first — the earliest
/// time, then the lowest sequence number (unique) — compares greatest. The event itself never
/// takes part in the order.
#[derive(Clone, Copy, Debug)]
struct Queued {
    at: SimTime,
    seq: u64,
    ev: Ev,
}

impl Ord for Queued {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl PartialOrd for Queued {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Queued {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Queued {}

/// Something that happens at a point in time. `generation` is the job's generation when the event was
/// scheduled: a preemption or failure moves it on, which voids the job's pending events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ev {
    Finish {
        job: u32,
        generation: u32,
    },
    Released {
        job: u32,
        generation: u32,
    },
    Rekey {
        job: u32,
        generation: u32,
    },
    Promote {
        job: u32,
        generation: u32,
    },
    /// The fleet's next failure; `draw` voids it when the fleet's failure rate has changed since.
    Failure {
        group: u16,
        draw: u32,
    },
    Repair {
        group: u16,
        node: u32,
        since: SimTime,
    },
    Online {
        group: u16,
        node: u32,
    },
    Expire {
        job: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Future,
    Waiting,
    Running,
    Draining,
    Done,
}

/// Why a job's GPU-time was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    Preemption,
    Failure,
}

/// One job's state.
#[derive(Clone, Debug)]
pub(crate) struct JobState {
    pub status: Status,
    /// Its key in the waiting set, or its order in the running set.
    pub key: u64,
    pub remaining: SimTime,
    pub attained: SimTime,
    pub prio_attained: SimTime,
    pub seg_start: SimTime,
    pub seg_overhead: SimTime,
    pub overhead_cause: Cause,
    pub ends_at: SimTime,
    pub first_start: Option<SimTime>,
    pub end: SimTime,
    pub wait_since: SimTime,
    pub generation: u32,
    pub preemptions: u32,
    pub failures: u32,
    /// GPU-µs lost to preemption and to failures.
    pub lost: [u128; 2],
    pub group: u16,
    pub per_node: u32,
    pub nodes: Vec<u32>,
    /// The shared GPU a fractional job sits on (its slot: node × G + index).
    pub share_slot: u32,
}

/// What a blocked head leaves to the jobs behind it.
#[derive(Clone, Copy, Debug)]
struct Blocked {
    /// EASY: when the head can start, and the GPUs it will not need then.
    shadow: SimTime,
    extra: u64,
    /// Free GPUs to keep for the head (preemptive policies without backfill).
    reserved: u64,
}

/// GPU-µs accounts (see [`crate::metrics::GpuTime`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Accounts {
    pub done: u128,
    pub lost: [u128; 2],
    pub rounding: u128,
}

/// One replay of a workload on a cluster under one policy.
pub struct Engine<'a> {
    pub(crate) jobs: &'a [Job],
    pub(crate) cluster: &'a Cluster,
    pub(crate) spec: &'a PolicySpec,
    pub(crate) opts: &'a ReplayOptions,
    pub(crate) groups: Vec<GroupIndex>,
    pub(crate) st: Vec<JobState>,
    waiting: BTreeSet<Waiting>,
    running: BTreeSet<(u64, u32)>,
    /// Per group: its running preemptible jobs by preemption order, the GPUs they hold, and the
    /// GPUs draining there (so preemption for a gang looks only where the gang would go).
    preemptible_in: Vec<BTreeSet<(u64, u32)>>,
    preemptible_held_in: Vec<u64>,
    draining_in: Vec<u64>,
    ends: BTreeSet<(SimTime, u32)>,
    heap: QuaternaryHeap<Queued>,
    /// The jobs' deadlines ([`Ev::Expire`]), apart: a build-out gives every job the run's end,
    /// and a million of them in `heap` would make each of its pops slower. Both heaps share one
    /// sequence, and events are handled in (time, sequence) order across the two.
    deadlines: QuaternaryHeap<Queued>,
    seq: u64,
    next_arrival: usize,
    pub(crate) now: SimTime,
    sizes: WaitingSizes,
    busy: u64,
    /// GPUs held by jobs, in hundredths (a shared GPU counts its jobs' shares).
    held: u128,
    /// Shared GPUs per group (empty when no job is fractional).
    shares: Vec<crate::share::ShareIndex>,
    draining: u64,
    arrived: u64,
    pub(crate) done: u64,
    pub(crate) events: u64,
    pub(crate) recorder: Recorder,
    pub(crate) accounts: Accounts,
    pub(crate) failures: Option<FailureDraw>,
    pub(crate) job_failures: u64,
    scratch: Vec<u32>,
    /// Jobs held until another finishes its work ([`Job::after`]): (the other job, a held one).
    dependents: std::collections::BTreeSet<(u32, u32)>,
    /// Whether an event since the last scheduling pass changed the queue, the fleet or a key.
    changed: bool,
    /// The scheduling pass's chunk of waiting entries (kept to reuse its allocation).
    chunk: Vec<Waiting>,
    /// Free GPUs no waiting job can use, as of the last round that changed the state.
    unusable: Option<u64>,
    /// Segments, when logged; `open[j]` is job j's open one (`u32::MAX`: none).
    pub(crate) segments: Vec<Segment>,
    open: Vec<u32>,
    /// Slots of `segments` that ended before the log window, to reuse (their job is `u32::MAX`).
    dead: Vec<u32>,
    /// GPU-time by bucket and job type, when summed.
    pub(crate) usage: Option<Usage>,
    /// Jobs that left the queue at their deadline without starting.
    pub(crate) expired: u64,
}

impl<'a> Engine<'a> {
    /// A replay of `jobs` (sorted by arrival; each fits the largest group) on `cluster`.
    pub fn new(jobs: &'a [Job], cluster: &'a Cluster, spec: &'a PolicySpec, opts: &'a ReplayOptions) -> Engine<'a> {
        let max_node = cluster.groups.iter().map(|g| g.gpus_per_node).max().unwrap_or(1);
        let span = jobs.last().map_or(SimTime::ZERO, |j| j.submit);
        let st = jobs
            .iter()
            .map(|j| JobState {
                status: Status::Future,
                key: 0,
                remaining: j.duration,
                attained: SimTime::ZERO,
                prio_attained: SimTime::ZERO,
                seg_start: SimTime::ZERO,
                seg_overhead: SimTime::ZERO,
                overhead_cause: Cause::Preemption,
                ends_at: SimTime::ZERO,
                first_start: None,
                end: SimTime::ZERO,
                wait_since: SimTime::ZERO,
                generation: 0,
                preemptions: 0,
                failures: 0,
                lost: [0; 2],
                group: 0,
                per_node: 0,
                nodes: Vec::new(),
                share_slot: 0,
            })
            .collect();
        Engine {
            jobs,
            cluster,
            spec,
            opts,
            groups: cluster.groups.iter().map(GroupIndex::new).collect(),
            st,
            waiting: BTreeSet::new(),
            running: BTreeSet::new(),
            preemptible_in: vec![BTreeSet::new(); cluster.groups.len()],
            preemptible_held_in: vec![0; cluster.groups.len()],
            draining_in: vec![0; cluster.groups.len()],
            ends: BTreeSet::new(),
            heap: QuaternaryHeap::new(),
            deadlines: QuaternaryHeap::new(),
            seq: 0,
            next_arrival: 0,
            now: SimTime::ZERO,
            sizes: WaitingSizes::new(max_node),
            busy: 0,
            held: 0,
            shares: if jobs.iter().any(|j| j.share > 0) {
                cluster.groups.iter().map(crate::share::ShareIndex::new).collect()
            } else {
                Vec::new()
            },
            draining: 0,
            arrived: 0,
            done: 0,
            events: 0,
            recorder: Recorder::new(bucket_step(span, opts.series_points)),
            accounts: Accounts::default(),
            failures: opts.failures.as_ref().map(|f| FailureDraw::new(f, cluster, opts.seed)),
            job_failures: 0,
            scratch: Vec::new(),
            dependents: std::collections::BTreeSet::new(),
            changed: true,
            chunk: Vec::new(),
            unusable: None,
            segments: Vec::new(),
            open: if opts.log_segments { vec![u32::MAX; jobs.len()] } else { Vec::new() },
            dead: Vec::new(),
            usage: opts.usage_bucket.map(|bucket| Usage {
                bucket,
                progress: vec![Vec::new(); opts.track_progress.len()],
                ..Usage::default()
            }),
            expired: 0,
        }
        .with_online_schedule()
    }

    /// Takes the nodes that come into service later out of service, and schedules their arrival.
    fn with_online_schedule(mut self) -> Self {
        let opts = self.opts;
        for (g, times) in opts.online.iter().enumerate().take(self.groups.len()) {
            let mut in_service = 0u32;
            for (n, &t) in times.iter().enumerate() {
                if t == SimTime::ZERO {
                    in_service = n as u32 + 1;
                    continue;
                }
                self.groups[g].set_up(n as u32, false);
                self.push(t, Ev::Online { group: g as u16, node: n as u32 });
            }
            if let Some(f) = self.failures.as_mut() {
                f.set_in_service(g, in_service, times.len() as u32);
            }
        }
        self
    }

    /// The logged segments ([`ReplayOptions::log_segments`]) but those a log window dropped;
    /// with a window, a dropped segment's slot is reused, so they are not in time order.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| s.job != u32::MAX)
    }

    /// What became of job `j` (after [`Engine::run`]).
    pub fn job_run(&self, j: u32) -> JobRun {
        let s = &self.st[j as usize];
        JobRun {
            first_start: s.first_start,
            end: s.end,
            unserved: if s.status == Status::Done { s.remaining } else { SimTime::ZERO },
            preemptions: s.preemptions,
            failures: s.failures,
            gpu_hours_lost_to_failures: s.lost[Cause::Failure as usize] as f64 / 3.6e11,
        }
    }

    /// GPU-time held by bucket and job type, and under repair by bucket (when
    /// [`ReplayOptions::usage_bucket`] is set).
    pub fn usage(&self) -> Option<&Usage> {
        self.usage.as_ref()
    }

    /// Jobs that left the queue at their deadline without ever starting.
    pub fn expired(&self) -> u64 {
        self.expired
    }

    /// Events handled so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Runs until every job has finished.
    pub fn run(&mut self) {
        self.run_observed(&|_| {});
    }

    /// [`Engine::run`], calling `on_events` with the events handled since its last call, about
    /// every [`PROGRESS_EVENTS`] events and at the end.
    pub fn run_observed(&mut self, on_events: &(dyn Fn(u64) + Sync)) {
        self.schedule_first_failure();
        let mut reported = 0;
        while let Some(t) = self.next_time() {
            if self.done >= self.jobs.len() as u64 && self.opts.until.is_none_or(|u| t > u) {
                break;
            }
            self.advance(t);
            self.handle_at(t);
            // A pass over an unchanged state starts nothing (time alone only shortens what may
            // backfill), so events that changed nothing — voided finishes, the deadlines of jobs
            // already served — cost no pass.
            if std::mem::take(&mut self.changed) {
                self.unusable = None;
                self.schedule();
            }
            if self.events - reported >= PROGRESS_EVENTS {
                on_events(self.events - reported);
                reported = self.events;
            }
        }
        if let Some(u) = self.opts.until {
            self.advance(u.max(self.now));
            self.count_repairs_under_way();
        }
        self.advance(self.now);
        on_events(self.events - reported);
    }

    /// Counts the nodes still under repair at the end of the run as down from their failure to
    /// now (their repairs, still in the heap, are never handled).
    fn count_repairs_under_way(&mut self) {
        let Some(u) = self.usage.as_mut() else { return };
        for q in self.heap.iter() {
            if let Ev::Repair { group, since, .. } = q.ev {
                let gpus = u128::from(self.cluster.groups[group as usize].gpus_per_node) * 100;
                u.add(since, self.now, gpus, None);
            }
        }
    }

    fn next_time(&self) -> Option<SimTime> {
        let queued = self.peek_event().map(|q| q.at);
        let arrival = self.jobs.get(self.next_arrival).map(|j| j.submit);
        match (queued, arrival) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Accounts the state held from the last event to `t`, then moves the clock.
    fn advance(&mut self, t: SimTime) {
        let waiting = self.waiting.len() as u64;
        let unusable = if waiting > 0 && t > self.now {
            // The state only changes in a round that sets `changed`, which clears the cache.
            *self
                .unusable
                .get_or_insert_with(|| self.groups.iter().map(|ix| placement::unusable_gpus(ix, &self.sizes)).sum())
        } else {
            0
        };
        self.recorder.advance(t, self.busy, self.held as f64, waiting, self.arrived - self.done, unusable);
        self.now = t;
    }

    fn handle_at(&mut self, t: SimTime) {
        while self.jobs.get(self.next_arrival).is_some_and(|j| j.submit == t) {
            self.changed = true;
            let j = self.next_arrival as u32;
            match self.jobs[j as usize].after {
                Some(p) if self.st[p as usize].status != Status::Done => {
                    self.dependents.insert((p, j));
                }
                // Its predecessor ended without doing its work: it never arrives.
                Some(p) if !self.finished_work(p) => self.never_arrives(j),
                _ => self.arrive(j),
            }
            self.next_arrival += 1;
            self.events += 1;
        }
        while let Some(Queued { at, ev, .. }) = self.peek_event() {
            if at != t {
                break;
            }
            self.pop_event();
            self.events += 1;
            self.handle(ev);
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Finish { job, generation } if self.st[job as usize].generation == generation => self.finish(job),
            Ev::Released { job, generation } if self.st[job as usize].generation == generation => self.released(job),
            Ev::Rekey { job, generation } if self.st[job as usize].generation == generation => self.rekey(job),
            Ev::Promote { job, generation } if self.st[job as usize].generation == generation => self.promote(job),
            Ev::Failure { group, draw } => self.node_failure(group, draw),
            Ev::Repair { group, node, since } => self.node_repair(group, node, since),
            Ev::Online { group, node } => self.node_online(group, node),
            Ev::Expire { job } => {
                if !self.expire(job) {
                    return; // the job was served
                }
            }
            _ => return, // a voided event
        }
        self.changed = true;
    }

    pub(crate) fn push(&mut self, t: SimTime, ev: Ev) {
        self.seq += 1;
        let q = Queued { at: t, seq: self.seq, ev };
        match ev {
            Ev::Expire { .. } => self.deadlines.push(q),
            _ => self.heap.push(q),
        }
    }

    /// The next event of either heap.
    fn peek_event(&self) -> Option<Queued> {
        match (self.heap.peek(), self.deadlines.peek()) {
            (Some(a), Some(b)) => Some(*a.max(b)),
            (a, b) => a.or(b).copied(),
        }
    }

    /// Removes the event [`Engine::peek_event`] returns.
    fn pop_event(&mut self) {
        let from_deadlines = match (self.heap.peek(), self.deadlines.peek()) {
            (Some(a), Some(b)) => b > a,
            (a, _) => a.is_none(),
        };
        if from_deadlines {
            self.deadlines.pop();
        } else {
            self.heap.pop();
        }
    }

    /// What the policy sees of job `j` now.
    pub(crate) fn view(&self, j: u32) -> JobView {
        let (job, s) = (&self.jobs[j as usize], &self.st[j as usize]);
        let run = if s.status == Status::Running { self.productive(j) } else { SimTime::ZERO };
        JobView {
            submit: job.submit,
            gpus: job.gpus,
            duration: job.duration,
            remaining: s.remaining.since(run),
            attained: s.prio_attained.plus(run),
            run_time: s.attained.plus(run),
            priority: job.priority,
        }
    }

    /// Productive run time of running job `j` in its current segment.
    pub(crate) fn productive(&self, j: u32) -> SimTime {
        let s = &self.st[j as usize];
        self.now.since(s.seg_start).since(s.seg_overhead).min(s.remaining)
    }

    /// Whole GPUs job `j` holds (0 for a fractional job on a shared GPU).
    fn allocated(&self, j: u32) -> u64 {
        let s = &self.st[j as usize];
        u64::from(s.per_node) * s.nodes.len() as u64
    }

    /// GPUs job `j` holds, in hundredths: its share on a shared GPU, else its whole GPUs.
    fn held_by(&self, j: u32) -> u128 {
        match self.jobs[j as usize].share {
            0 => u128::from(self.allocated(j)) * 100,
            share => u128::from(share),
        }
    }

    /// GPUs job `j` would be allocated in the cluster's first group that can hold it (a
    /// fractional job counts one).
    fn need(&self, j: u32) -> u64 {
        let gpus = self.jobs[j as usize].gpus;
        let g = self.cluster.groups.iter().find(|g| g.gpus() >= u64::from(gpus)).map_or(1, |g| g.gpus_per_node);
        if gpus <= g { u64::from(gpus) } else { u64::from(gpus.div_ceil(g)) * u64::from(g) }
    }

    fn free_gpus(&self) -> u64 {
        self.groups.iter().map(GroupIndex::free_gpus).sum()
    }

    /// The most GPUs one job could be placed on now, in any group but `exclude`.
    fn largest_fit(&self, exclude: Option<u16>) -> u64 {
        let groups = self.groups.iter().enumerate();
        groups.filter(|&(g, _)| exclude != Some(g as u16)).map(|(_, ix)| ix.largest_fit()).max().unwrap_or(0)
    }

    fn enqueue(&mut self, j: u32) {
        if self.now >= self.jobs[j as usize].deadline {
            self.leave_unserved(j);
            return;
        }
        let key = self.spec.policy.key(&self.view(j));
        let s = &mut self.st[j as usize];
        s.status = Status::Waiting;
        s.key = key;
        s.wait_since = self.now;
        self.waiting.insert((key, self.jobs[j as usize].submit.0, j, self.jobs[j as usize].gpus));
        self.sizes.add(self.jobs[j as usize].gpus, 1);
        if let Some(after) = self.spec.policy.promote_after(&self.view(j)) {
            let generation = self.st[j as usize].generation;
            self.push(self.now.plus(after), Ev::Promote { job: j, generation });
        }
    }

    fn dequeue(&mut self, j: u32) {
        let s = &self.st[j as usize];
        self.waiting.remove(&(s.key, self.jobs[j as usize].submit.0, j, self.jobs[j as usize].gpus));
        self.sizes.add(self.jobs[j as usize].gpus, -1);
    }

    fn arrive(&mut self, j: u32) {
        self.arrived += 1;
        let deadline = self.jobs[j as usize].deadline;
        if deadline != crate::job::NO_DEADLINE && deadline > self.now {
            self.push(deadline, Ev::Expire { job: j });
        }
        self.enqueue(j);
    }

    /// Job `j`'s deadline: if it still waits, it leaves the queue unserved (a running job ends
    /// at its deadline by its own finish event).
    fn expire(&mut self, j: u32) -> bool {
        let waiting = self.st[j as usize].status == Status::Waiting;
        if waiting {
            self.dequeue(j);
            self.leave_unserved(j);
        }
        waiting
    }

    /// Job `j` is done without (more) service: its remaining run time stays unserved.
    fn leave_unserved(&mut self, j: u32) {
        let s = &mut self.st[j as usize];
        if s.first_start.is_none() {
            self.expired += 1;
        }
        s.status = Status::Done;
        s.end = self.now;
        self.done += 1;
        self.release_dependent(j);
    }

    /// Starts job `j` where the placement finds room; false if there is none.
    fn try_start(&mut self, j: u32) -> bool {
        self.try_start_outside(j, None)
    }

    /// Starts job `j` where the placement finds room outside group `exclude` (the group a
    /// preempting head waits to have cleared); false if there is none.
    fn try_start_outside(&mut self, j: u32, exclude: Option<u16>) -> bool {
        if self.jobs[j as usize].share > 0 {
            return self.try_start_shared(j);
        }
        let gpus = self.jobs[j as usize].gpus;
        let mut nodes = std::mem::take(&mut self.scratch);
        let spot =
            placement::find(self.cluster, &self.groups, self.opts.placement, gpus, &self.sizes, exclude, &mut nodes);
        let Some(spot) = spot else {
            self.scratch = nodes;
            return false;
        };
        for &n in &nodes {
            self.groups[spot.group as usize].take(n, spot.per_node);
        }
        self.dequeue(j);
        let s = &mut self.st[j as usize];
        std::mem::swap(&mut s.nodes, &mut nodes);
        self.scratch = nodes;
        s.group = spot.group;
        s.per_node = spot.per_node;
        self.start(j);
        true
    }

    /// Starts fractional job `j` on a shared GPU: the fullest partly used one it fits on, else a
    /// fresh GPU where the placement puts a one-GPU job.
    fn try_start_shared(&mut self, j: u32) -> bool {
        let share = self.jobs[j as usize].share;
        let mut found = self.shares.iter().enumerate().find_map(|(g, s)| s.tightest(share).map(|slot| (g, slot)));
        if found.is_none() {
            let mut nodes = std::mem::take(&mut self.scratch);
            let spot =
                placement::find(self.cluster, &self.groups, self.opts.placement, 1, &self.sizes, None, &mut nodes);
            if let Some(spot) = spot {
                let (g, node) = (spot.group as usize, nodes[0]);
                self.groups[g].take(node, 1);
                self.busy += 1;
                found = Some((g, self.shares[g].fresh_slot(node)));
            }
            self.scratch = nodes;
        }
        let Some((g, slot)) = found else { return false };
        self.shares[g].add(slot, share);
        self.dequeue(j);
        let node = self.shares[g].node_of(slot);
        let s = &mut self.st[j as usize];
        s.nodes.clear();
        s.nodes.push(node);
        s.group = g as u16;
        s.per_node = 0;
        s.share_slot = slot;
        self.start(j);
        true
    }

    fn start(&mut self, j: u32) {
        self.begin_segment(j);
        self.busy += self.allocated(j);
        self.held += self.held_by(j);
        self.on_start(j);
    }

    /// Job `j`, on the GPUs it holds, runs: its new segment begins (after a restart when it ran
    /// before), its finish is scheduled and it is filed among the running jobs.
    fn begin_segment(&mut self, j: u32) {
        let now = self.now;
        let restart = self.jobs[j as usize].restart.unwrap_or(self.opts.restart);
        let s = &mut self.st[j as usize];
        s.status = Status::Running;
        s.seg_start = now;
        s.seg_overhead = if s.first_start.is_some() { restart } else { SimTime::ZERO };
        s.first_start.get_or_insert(now);
        s.ends_at = now.plus(s.seg_overhead).plus(s.remaining).min(self.jobs[j as usize].deadline);
        let (generation, ends_at, overhead) = (s.generation, s.ends_at, s.seg_overhead);
        // A job that may not be preempted sorts first, so the walk of `preempt_for` from the
        // greatest order down meets every preemptible job before it.
        let order = if self.jobs[j as usize].preemptible {
            self.spec.policy.running_order(&self.view(j), now.plus(overhead))
        } else {
            0
        };
        self.st[j as usize].key = order;
        self.running.insert((order, j));
        self.file_preemptible(j, order, true);
        self.ends.insert((ends_at, j));
        self.push(ends_at, Ev::Finish { job: j, generation });
        self.schedule_rekey(j);
    }

    fn schedule_rekey(&mut self, j: u32) {
        if let Some(after) = self.spec.policy.rekey_after(&self.view(j)) {
            let s = &self.st[j as usize];
            let at = self.now.max(s.seg_start.plus(s.seg_overhead)).plus(after);
            if at < s.ends_at {
                let generation = s.generation;
                self.push(at, Ev::Rekey { job: j, generation });
            }
        }
    }

    /// Closes job `j`'s running segment: productive time becomes attained, the rest is lost to
    /// the cause of its last interruption. Returns the productive time.
    pub(crate) fn close_segment(&mut self, j: u32) -> SimTime {
        let p = self.productive(j);
        if let Some(k) = self.opts.track_progress.iter().position(|&t| t == j)
            && let Some(u) = self.usage.as_mut()
        {
            let s = &self.st[j as usize];
            let from = s.seg_start.plus(s.seg_overhead);
            u.add_progress(k, from, from.plus(p));
        }
        let held = self.now.since(self.st[j as usize].seg_start);
        let (gpus, alloc) = (self.jobs[j as usize].weight(), self.held_by(j));
        let s = &mut self.st[j as usize];
        s.remaining = s.remaining.since(p);
        s.attained = s.attained.plus(p);
        s.prio_attained = s.prio_attained.plus(p);
        let lost = gpus * u128::from(held.since(p).0);
        s.lost[s.overhead_cause as usize] += lost;
        self.accounts.lost[s.overhead_cause as usize] += lost;
        self.accounts.done += gpus * u128::from(p.0);
        self.accounts.rounding += (alloc - gpus) * u128::from(held.0);
        let key = s.key;
        self.running.remove(&(key, j));
        self.ends.remove(&(self.st[j as usize].ends_at, j));
        self.st[j as usize].generation += 1;
        self.file_preemptible(j, key, false);
        p
    }

    /// Files running job `j` (order `order`) in its group's preemptible set, or takes it out.
    fn file_preemptible(&mut self, j: u32, order: u64, add: bool) {
        if !self.jobs[j as usize].preemptible {
            return;
        }
        let g = self.st[j as usize].group as usize;
        let alloc = self.allocated(j);
        if add {
            self.preemptible_in[g].insert((order, j));
            self.preemptible_held_in[g] += alloc;
        } else {
            self.preemptible_in[g].remove(&(order, j));
            self.preemptible_held_in[g] -= alloc;
        }
    }

    /// Gives job `j`'s GPUs back.
    pub(crate) fn free(&mut self, j: u32) {
        let alloc = self.allocated(j);
        self.held -= self.held_by(j);
        let share = self.jobs[j as usize].share;
        if share > 0 {
            let (g, slot) = (self.st[j as usize].group as usize, self.st[j as usize].share_slot);
            if self.shares[g].remove(slot, share) {
                self.groups[g].give(self.shares[g].node_of(slot), 1);
                self.busy -= 1;
            }
        }
        if let Some(u) = self.usage.as_mut() {
            let held = if share > 0 { u128::from(share) } else { u128::from(alloc) * 100 };
            u.add(self.st[j as usize].seg_start, self.now, held, Some(self.jobs[j as usize].job_type as usize));
        }
        let s = &mut self.st[j as usize];
        let nodes = std::mem::take(&mut s.nodes);
        let (group, per_node) = (s.group as usize, s.per_node);
        for &n in &nodes {
            self.groups[group].give(n, per_node);
        }
        self.busy -= alloc;
        self.on_free(j, &nodes);
        self.st[j as usize].nodes = nodes;
        self.st[j as usize].nodes.clear();
    }

    fn finish(&mut self, j: u32) {
        self.close_segment(j);
        self.free(j);
        let s = &mut self.st[j as usize];
        s.status = Status::Done;
        s.end = self.now;
        self.done += 1;
        self.release_dependent(j);
    }

    /// Job `j` is done: the job held until it finished arrives now, or, if `j` ended without
    /// doing all its work, never does (it is done, unserved), so the run still ends.
    fn release_dependent(&mut self, j: u32) {
        // Every job held for `j`, in index order.
        while let Some(&(p, dep)) = self.dependents.range((j, 0)..=(j, u32::MAX)).next() {
            self.dependents.remove(&(p, dep));
            if self.finished_work(j) { self.arrive(dep) } else { self.never_arrives(dep) }
        }
    }

    /// Held job `j` whose predecessor ended without its work: counted in and out at once,
    /// unserved.
    fn never_arrives(&mut self, j: u32) {
        self.arrived += 1;
        self.leave_unserved(j);
    }

    /// Whether job `j` is done with all its work (not ended unserved at a deadline).
    fn finished_work(&self, j: u32) -> bool {
        let s = &self.st[j as usize];
        s.status == Status::Done && s.remaining == SimTime::ZERO
    }

    /// Preempts running job `j`: it writes a checkpoint on its GPUs, then waits again.
    fn preempt(&mut self, j: u32) {
        self.close_segment(j);
        let checkpoint = self.opts.checkpoint;
        let alloc = self.allocated(j);
        let (gpus, held) = (self.jobs[j as usize].weight(), self.held_by(j));
        let s = &mut self.st[j as usize];
        s.preemptions += 1;
        s.overhead_cause = Cause::Preemption;
        if checkpoint == SimTime::ZERO {
            self.free(j);
            self.enqueue(j);
            return;
        }
        s.status = Status::Draining;
        s.ends_at = self.now.plus(checkpoint);
        s.lost[Cause::Preemption as usize] += gpus * u128::from(checkpoint.0);
        self.accounts.lost[Cause::Preemption as usize] += gpus * u128::from(checkpoint.0);
        self.accounts.rounding += (held - gpus) * u128::from(checkpoint.0);
        let (generation, at) = (s.generation, s.ends_at);
        self.ends.insert((at, j));
        self.draining += alloc;
        self.draining_in[self.st[j as usize].group as usize] += alloc;
        self.push(at, Ev::Released { job: j, generation });
    }

    fn released(&mut self, j: u32) {
        let s = &self.st[j as usize];
        self.ends.remove(&(s.ends_at, j));
        self.draining -= self.allocated(j);
        self.draining_in[s.group as usize] -= self.allocated(j);
        self.free(j);
        self.enqueue(j);
    }

    /// A running job crossed a threshold of its policy: re-file it.
    fn rekey(&mut self, j: u32) {
        let old = self.st[j as usize].key;
        self.running.remove(&(old, j));
        self.file_preemptible(j, old, false);
        let order =
            if self.jobs[j as usize].preemptible { self.spec.policy.running_order(&self.view(j), self.now) } else { 0 };
        self.st[j as usize].key = order;
        self.running.insert((order, j));
        self.file_preemptible(j, order, true);
        self.schedule_rekey(j);
    }

    /// A waiting job passed its starvation limit: its attained service counts from zero.
    fn promote(&mut self, j: u32) {
        if self.st[j as usize].status != Status::Waiting {
            return;
        }
        self.dequeue(j);
        self.st[j as usize].prio_attained = SimTime::ZERO;
        self.st[j as usize].generation += 1;
        self.enqueue(j);
    }

    /// The scheduling pass (see the module's documentation).
    fn schedule(&mut self) {
        let mut cursor: Option<Waiting> = None;
        let mut blocked: Option<Blocked> = None;
        let mut looked = 0usize;
        let preemptive = self.spec.policy.preemptive();
        // The group a preempting head waits to have cleared: jobs behind it start elsewhere, or
        // they would take back the GPUs freed for it and be preempted again.
        let mut cleared: Option<u16> = None;
        // A lower bound on what any waiting job needs (starting jobs only raises it).
        let smallest = self.sizes.smallest().unwrap_or(0);
        // The waiting entries after `cursor`, read in chunks (a lookup per entry dominated the
        // run time): within a chunk the queue changes only by the entries started from it, and a
        // preemption, which may queue jobs anywhere behind the head, empties the chunk.
        let mut chunk = std::mem::take(&mut self.chunk);
        chunk.clear();
        let (mut at, mut chunk_size) = (0usize, 4usize);
        let mut room: Option<(u64, u64, u64)> = None;
        loop {
            if at == chunk.len() {
                chunk.clear();
                let lower = cursor.map_or(Unbounded, Excluded);
                chunk.extend(self.waiting.range((lower, Unbounded)).take(chunk_size));
                (at, chunk_size) = (0, (chunk_size * 2).min(256));
            }
            let Some(&entry) = chunk.get(at) else { break };
            at += 1;
            let j = entry.2;
            match blocked {
                None => {
                    if self.try_start(j) {
                        continue;
                    }
                    if preemptive {
                        cleared = self.preempt_for(j);
                        chunk.clear();
                        at = 0;
                        if self.st[j as usize].status == Status::Waiting && self.try_start(j) {
                            continue;
                        }
                    }
                    if !self.spec.backfill && !preemptive {
                        break;
                    }
                    blocked = Some(self.reservation(j));
                }
                Some(ref mut b) => {
                    // Every job behind the head needs at least its own GPUs free, and no job of
                    // more GPUs than the largest spot can be placed (a one-GPU job may still fit
                    // a shared GPU). Only a start changes either within a walk, so they are read
                    // once per start.
                    // With backfill a job that ends before the head's reserved start may use the
                    // group it waits to have cleared as well (`inside`: its largest spot): it is
                    // gone before the head needs it.
                    let (free, outside, inside) = *room.get_or_insert_with(|| {
                        let inside = match cleared {
                            Some(g) if self.spec.backfill => self.groups[g as usize].largest_fit(),
                            _ => 0,
                        };
                        (self.free_gpus(), self.largest_fit(cleared), inside)
                    });
                    let fit = outside.max(inside);
                    if free == 0 || u64::from(smallest) > free || (smallest > 1 && u64::from(smallest) > fit) {
                        break;
                    }
                    let fits = |spot: u64| entry.3 <= 1 || u64::from(entry.3) <= spot;
                    let (out_ok, in_ok) = (fits(outside), cleared.is_some() && inside > 0 && fits(inside));
                    // A job the head may preempt can use idle GPUs whatever it reserves: the head
                    // takes them back when it can start. Any job needs its GPUs free.
                    let (may, easy) = if out_ok || in_ok {
                        let need = self.need(j);
                        let reclaimable = preemptive && self.jobs[j as usize].preemptible;
                        let skip = need <= free && self.may_skip_ahead(j, need, free, b);
                        (need <= free && (reclaimable || skip), skip && self.spec.backfill)
                    } else {
                        (false, false)
                    };
                    if may
                        && ((out_ok && self.try_start_outside(j, cleared))
                            || (in_ok && easy && self.try_start_outside(j, None)))
                    {
                        room = None;
                        let s = &self.st[j as usize];
                        if self.spec.backfill && s.ends_at > b.shadow {
                            b.extra = b.extra.saturating_sub(self.allocated(j));
                        }
                        continue;
                    }
                }
            }
            cursor = Some(entry);
            looked += 1;
            if looked > self.opts.backfill_depth {
                break;
            }
        }
        self.chunk = chunk;
    }

    /// Preempts running jobs with keys worse than waiting job `head`'s, worst first, until the
    /// GPUs free or being freed would hold it. A gang runs within one group, so only one group is
    /// cleared: the one where free, draining and preemptible GPUs leave the most room (ties: the
    /// lowest group). A gang of whole nodes counts only whole idle nodes as free there. Returns
    /// the group the head waits to have cleared, which the jobs behind it leave alone.
    fn preempt_for(&mut self, head: u32) -> Option<u16> {
        let gpus = u64::from(self.jobs[head as usize].gpus);
        let head_key = self.st[head as usize].key;
        let room = |e: &Self, g: usize| -> (u64, u64) {
            let ix = &e.groups[g];
            let gpn = u64::from(ix.gpus_per_node());
            let need = if gpus <= gpn { gpus } else { gpus.div_ceil(gpn) * gpn };
            let free = if gpus <= gpn { ix.free_gpus() } else { u64::from(ix.idle_nodes()) * gpn };
            (need, free + e.draining_in[g])
        };
        let mut best: Option<(u64, usize)> = None;
        for g in 0..self.groups.len() {
            let (need, ready) = room(self, g);
            if ready >= need {
                // Room is there or on its way: wait for it, keeping others off what drains.
                return (self.draining_in[g] > 0).then_some(g as u16);
            }
            let reach = ready + self.preemptible_held_in[g];
            if reach >= need && best.is_none_or(|(r, _)| reach > r) {
                best = Some((reach, g));
            }
        }
        let (_, g) = best?;
        loop {
            let (need, ready) = room(self, g);
            if ready >= need {
                break;
            }
            let Some(&(_, v)) = self.preemptible_in[g].last() else { break };
            if self.spec.policy.key(&self.view(v)) <= head_key {
                break;
            }
            self.preempt(v);
        }
        Some(g as u16)
    }

    /// What the blocked `head` leaves to the jobs behind it.
    fn reservation(&self, head: u32) -> Blocked {
        let need = self.need(head);
        let free = self.free_gpus();
        let mut b = Blocked { shadow: SimTime(u64::MAX), extra: 0, reserved: need.saturating_sub(self.draining) };
        if !self.spec.backfill {
            return b;
        }
        // EASY: the head's reservation is when enough running (or draining) jobs have ended.
        let mut avail = free;
        for &(t, j) in &self.ends {
            if avail >= need {
                break;
            }
            avail += self.allocated(j);
            b.shadow = t;
        }
        if avail >= need {
            b.extra = avail - need;
        } else {
            b.shadow = SimTime(u64::MAX);
        }
        if free >= need {
            // Enough GPUs but not in the right places: no reservation can be computed by count.
            b.shadow = self.now;
            b.extra = free - need;
        }
        b
    }

    /// Whether waiting job `j`, which needs `need` GPUs with `free` free, may start ahead of the
    /// blocked head `b`.
    fn may_skip_ahead(&self, j: u32, need: u64, free: u64, b: &Blocked) -> bool {
        if need > free {
            return false;
        }
        if self.spec.backfill {
            let s = &self.st[j as usize];
            let overhead = if s.first_start.is_some() {
                self.jobs[j as usize].restart.unwrap_or(self.opts.restart)
            } else {
                SimTime::ZERO
            };
            let ends = self.now.plus(overhead).plus(s.remaining);
            return ends <= b.shadow || need <= b.extra;
        }
        free - need >= b.reserved
    }

    /// The per-job record of job `j` after the run.
    pub(crate) fn state(&self, j: u32) -> &JobState {
        &self.st[j as usize]
    }

    pub(crate) fn status(&self, j: u32) -> Status {
        self.st[j as usize].status
    }

    /// Interrupts running job `j` because a node under it failed: the work since its last
    /// checkpoint is lost, and it waits again.
    pub(crate) fn fail_job(&mut self, j: u32, since_checkpoint: SimTime) {
        self.lose_since_checkpoint(j, since_checkpoint);
        self.free(j);
        self.enqueue(j);
    }

    /// Interrupts running job `j` because node `victim` under it failed. A gang of whole nodes
    /// swaps in a spare and restarts where it is when [`ReplayOptions::swap_spares`] allows and
    /// a spare exists; otherwise as [`Engine::fail_job`].
    pub(crate) fn fail_job_on(&mut self, j: u32, since_checkpoint: SimTime, victim: u32) {
        let (g, per_node) = (self.st[j as usize].group as usize, self.st[j as usize].per_node);
        let gang = per_node > 0 && per_node == self.groups[g].gpus_per_node() && self.st[j as usize].nodes.len() > 1;
        if !(self.opts.swap_spares && gang) {
            self.fail_job(j, since_checkpoint);
            return;
        }
        let Some(spare) = self.spare_node(g, j) else {
            self.fail_job(j, since_checkpoint);
            return;
        };
        self.lose_since_checkpoint(j, since_checkpoint);
        let now = self.now;
        let held = u128::from(self.allocated(j)) * 100;
        if let Some(u) = self.usage.as_mut() {
            u.add(self.st[j as usize].seg_start, now, held, Some(self.jobs[j as usize].job_type as usize));
        }
        self.groups[g].give(victim, per_node);
        self.groups[g].take(spare, per_node);
        if let Some(f) = self.failures.as_mut() {
            f.vacate(g as u16, &[victim], per_node, j);
            f.occupy(g as u16, &[spare], per_node, j);
        }
        let s = &mut self.st[j as usize];
        if let Some(k) = s.nodes.iter().position(|&n| n == victim) {
            s.nodes[k] = spare;
        }
        self.log_close(j);
        self.begin_segment(j);
        self.log_open(j);
    }

    /// An idle node of group `g` in service, else one that only preemptible jobs hold (they are
    /// interrupted as by a failure, losing the work since their checkpoint, and wait again). It
    /// looks at no more than a few of the worst preemptible jobs: O(1) per failure.
    fn spare_node(&mut self, g: usize, j: u32) -> Option<u32> {
        let gpn = self.groups[g].gpus_per_node();
        if let Some(n) = self.groups[g].first_fit(gpn) {
            return Some(n);
        }
        // The smallest of the few worst preemptible jobs first: interrupting it loses least.
        let mut candidates: Vec<u32> = self.preemptible_in[g].iter().rev().take(8).map(|&(_, v)| v).collect();
        candidates.sort_by_key(|&v| (self.allocated(v), v));
        let mut on = Vec::new();
        for v in candidates {
            if v == j || self.st[v as usize].status != Status::Running {
                continue;
            }
            let Some(&node) = self.st[v as usize].nodes.first() else { continue };
            if let Some(f) = self.failures.as_ref() {
                f.jobs_on_node(g as u16, node, &mut on);
            }
            if on.iter().any(|&o| !self.jobs[o as usize].preemptible || o == j) {
                continue;
            }
            for &o in &on {
                if self.st[o as usize].status == Status::Running {
                    let since = self.since_checkpoint(o);
                    self.fail_job(o, since);
                }
            }
            if self.groups[g].free_on(node) == gpn {
                return Some(node);
            }
        }
        None
    }

    /// Run time of running job `j` since its last checkpoint (its whole segment without
    /// checkpoints): its own interval, else the run's.
    pub(crate) fn since_checkpoint(&self, j: u32) -> SimTime {
        let run = self.productive(j);
        let own = self.jobs[j as usize].checkpoint_interval;
        let interval =
            if own > SimTime::ZERO { own } else { self.failures.as_ref().map_or(SimTime::ZERO, |f| f.interval) };
        if interval == SimTime::ZERO { run } else { SimTime(run.0 % interval.0) }
    }

    /// Closes running job `j`'s segment and takes back the work since its last checkpoint.
    fn lose_since_checkpoint(&mut self, j: u32, since_checkpoint: SimTime) {
        let p = self.close_segment(j);
        let lost = since_checkpoint.min(p).min(self.st[j as usize].attained);
        if let Some(k) = self.opts.track_progress.iter().position(|&t| t == j)
            && let Some(u) = self.usage.as_mut()
        {
            u.take_progress(k, self.now, lost);
        }
        let gpus = self.jobs[j as usize].weight();
        let s = &mut self.st[j as usize];
        s.remaining = s.remaining.plus(lost);
        s.attained = s.attained.since(lost);
        s.prio_attained = s.prio_attained.since(lost);
        s.lost[Cause::Failure as usize] += gpus * u128::from(lost.0);
        s.failures += 1;
        s.overhead_cause = Cause::Failure;
        self.accounts.lost[Cause::Failure as usize] += gpus * u128::from(lost.0);
        self.accounts.done -= gpus * u128::from(lost.0);
        self.job_failures += 1;
    }

    /// Hooks for the failure model: which jobs run on which nodes.
    fn on_start(&mut self, j: u32) {
        let s = &self.st[j as usize];
        if let Some(f) = self.failures.as_mut() {
            f.occupy(s.group, &s.nodes, s.per_node, j);
        }
        self.log_open(j);
    }

    fn on_free(&mut self, j: u32, nodes: &[u32]) {
        if let Some(f) = self.failures.as_mut() {
            f.vacate(self.st[j as usize].group, nodes, self.st[j as usize].per_node, j);
        }
        self.log_close(j);
    }

    /// Logs the segment job `j` begins now (when segments are logged and the window is not past).
    fn log_open(&mut self, j: u32) {
        if !self.opts.log_segments || self.opts.log_window.is_some_and(|(_, to)| self.now >= to) {
            return;
        }
        let s = &self.st[j as usize];
        let seg = Segment {
            job: j,
            start: self.now,
            end: self.now,
            group: s.group,
            nodes: s.nodes.clone(),
            per_node: s.per_node,
            overhead: s.seg_overhead,
        };
        let slot = match self.dead.pop() {
            Some(k) => {
                self.segments[k as usize] = seg;
                k
            }
            None => {
                self.segments.push(seg);
                (self.segments.len() - 1) as u32
            }
        };
        self.open[j as usize] = slot;
    }

    /// Ends job `j`'s logged segment now; one that ended before the window is dropped.
    fn log_close(&mut self, j: u32) {
        let Some(&slot) = self.open.get(j as usize) else { return };
        if slot == u32::MAX {
            return;
        }
        self.open[j as usize] = u32::MAX;
        let seg = &mut self.segments[slot as usize];
        seg.end = self.now;
        if self.opts.log_window.is_some_and(|(from, _)| seg.end <= from) {
            seg.job = u32::MAX;
            seg.nodes = Vec::new();
            self.dead.push(slot);
        }
    }
}

/// A bucket width that gives about `points` buckets over the arrivals' span: a whole number
/// of minutes, hours or days.
fn bucket_step(span: SimTime, points: usize) -> SimTime {
    let raw = span.secs() / points.max(1) as f64;
    let nice = [60.0, 300.0, 900.0, 3600.0, 6.0 * 3600.0, 86_400.0, 7.0 * 86_400.0];
    let s = nice.iter().copied().find(|&n| n >= raw).unwrap_or(30.0 * 86_400.0);
    SimTime::from_secs(s)
}
