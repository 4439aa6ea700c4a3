//! Node failures during a replay: each node of a group fails at a constant rate (the reliability
//! model's rate for its platform, all failure classes together) and is repaired after an
//! exponential time. The whole cluster's next failure is drawn from the superposition of the
//! nodes' Poisson processes (total rate of the nodes in service, then a node by weight), so a
//! failure costs O(log n), not a timer per node.
//!
//! A failure takes its node out of service until the repair; every job on the node loses the
//! work since its last checkpoint (it checkpoints every `checkpoint_interval` of run time),
//! releases its GPUs and waits again; its restart pays the restart overhead.

use gigawatt_sim::SimTime;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};

use crate::cluster::Cluster;
use crate::engine::{Engine, Ev, Status};

/// Failure rates and repairs of one group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupFailures {
    /// Failures per node per hour.
    pub node_rate_per_h: f64,
    /// Mean repair time, hours.
    pub repair_mean_h: f64,
}

/// The failure model of a replay.
#[derive(Clone, Debug, PartialEq)]
pub struct Failures {
    /// One per group of the cluster.
    pub groups: Vec<GroupFailures>,
    /// Run time between a job's checkpoints (0: a failure loses the whole segment).
    pub checkpoint_interval: SimTime,
}

/// The failure draws of one run, and which jobs sit on which GPUs.
#[derive(Clone, Debug)]
pub struct FailureDraw {
    rng: Xoshiro256PlusPlus,
    /// Rate per µs of one node, by group.
    rate: Vec<f64>,
    repair_mean_us: Vec<f64>,
    nodes_up: Vec<u64>,
    /// `whole[group][node]`: job + 1 when one job holds the whole node, else 0 (then `slots`
    /// says who holds its GPUs). Whole-node gangs, most of a large fleet's GPUs, cost O(nodes)
    /// to place and remove, not O(GPUs).
    whole: Vec<Vec<u32>>,
    /// `slots[group][node × G + i]`: job + 1 on that GPU of a node no job holds whole, 0 when
    /// free.
    slots: Vec<Vec<u32>>,
    /// Fractional jobs on shared GPUs, by (group, node).
    shared: std::collections::BTreeMap<(u16, u32), Vec<u32>>,
    gpus_per_node: Vec<u32>,
    pub(crate) interval: SimTime,
    /// Nodes `0..in_service[g]` of group g have come into service (a growing fleet's nodes come
    /// in index order); failures are drawn among them.
    in_service: Vec<u32>,
    /// The current draw of the next failure: a change of the fleet's total rate (nodes coming
    /// into service) redraws it and voids the pending one.
    draw: u32,
}

impl FailureDraw {
    /// The draws for `failures` on `cluster`, seeded with `seed`.
    pub fn new(failures: &Failures, cluster: &Cluster, seed: u64) -> FailureDraw {
        let g = |i: usize| {
            failures.groups.get(i).copied().unwrap_or(GroupFailures { node_rate_per_h: 0.0, repair_mean_h: 1.0 })
        };
        FailureDraw {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            rate: (0..cluster.groups.len()).map(|i| g(i).node_rate_per_h.max(0.0) / 3.6e9).collect(),
            repair_mean_us: (0..cluster.groups.len()).map(|i| g(i).repair_mean_h.max(0.0) * 3.6e9).collect(),
            nodes_up: cluster.groups.iter().map(|g| u64::from(g.nodes)).collect(),
            whole: cluster.groups.iter().map(|g| vec![0; g.nodes as usize]).collect(),
            slots: cluster.groups.iter().map(|g| vec![0; g.gpus() as usize]).collect(),
            shared: std::collections::BTreeMap::new(),
            gpus_per_node: cluster.groups.iter().map(|g| g.gpus_per_node).collect(),
            interval: failures.checkpoint_interval,
            in_service: cluster.groups.iter().map(|g| g.nodes).collect(),
            draw: 0,
        }
    }

    /// Of group `g`'s `nodes`, the first `in_service` are in service at the start.
    pub(crate) fn set_in_service(&mut self, g: usize, in_service: u32, nodes: u32) {
        self.in_service[g] = in_service;
        self.nodes_up[g] = self.nodes_up[g].saturating_sub(u64::from(nodes - in_service));
    }

    /// Job `j` takes `per_node` GPUs on each of `nodes` of `group` (0: a share of a GPU).
    pub fn occupy(&mut self, group: u16, nodes: &[u32], per_node: u32, j: u32) {
        if per_node == 0 {
            for &n in nodes {
                self.shared.entry((group, n)).or_default().push(j);
            }
            return;
        }
        let g = self.gpus_per_node[group as usize] as usize;
        if per_node as usize == g {
            let whole = &mut self.whole[group as usize];
            for &n in nodes {
                whole[n as usize] = j + 1;
            }
            return;
        }
        let slots = &mut self.slots[group as usize];
        for &n in nodes {
            let node = &mut slots[n as usize * g..(n as usize + 1) * g];
            let mut left = per_node as usize;
            for s in node {
                if left == 0 {
                    break;
                }
                if *s == 0 {
                    *s = j + 1;
                    left -= 1;
                }
            }
        }
    }

    /// Job `j` leaves its GPUs on `nodes` of `group`, `per_node` on each (0: a share of one).
    pub fn vacate(&mut self, group: u16, nodes: &[u32], per_node: u32, j: u32) {
        if !self.shared.is_empty() {
            for &n in nodes {
                if let Some(list) = self.shared.get_mut(&(group, n)) {
                    list.retain(|&x| x != j);
                    if list.is_empty() {
                        self.shared.remove(&(group, n));
                    }
                }
            }
        }
        let g = self.gpus_per_node[group as usize] as usize;
        if per_node as usize == g {
            let whole = &mut self.whole[group as usize];
            for &n in nodes {
                whole[n as usize] = 0;
            }
            return;
        }
        let slots = &mut self.slots[group as usize];
        for &n in nodes {
            let node = &mut slots[n as usize * g..(n as usize + 1) * g];
            for s in node {
                if *s == j + 1 {
                    *s = 0;
                }
            }
        }
    }

    /// The jobs on `node` of `group` (each once).
    /// The jobs holding GPUs on `node` of `group`.
    pub(crate) fn jobs_on_node(&self, group: u16, node: u32, out: &mut Vec<u32>) {
        self.jobs_on(group, node, out);
    }

    fn jobs_on(&self, group: u16, node: u32, out: &mut Vec<u32>) {
        let g = self.gpus_per_node[group as usize] as usize;
        out.clear();
        if let Some(&holder) = self.whole[group as usize].get(node as usize).filter(|&&h| h != 0) {
            out.push(holder - 1);
            return;
        }
        for &s in &self.slots[group as usize][node as usize * g..(node as usize + 1) * g] {
            if s != 0 && !out.contains(&(s - 1)) {
                out.push(s - 1);
            }
        }
        if let Some(list) = self.shared.get(&(group, node)) {
            out.extend(list.iter().copied());
        }
    }

    /// The next failure after `now`: when, and which node.
    fn next(&mut self, now: SimTime) -> Option<(SimTime, u16, u32)> {
        let total: f64 = self.rate.iter().zip(&self.nodes_up).map(|(r, &n)| r * n as f64).sum();
        if total <= 0.0 {
            return None;
        }
        let e: f64 = Exp1.sample(&mut self.rng);
        let dt = SimTime((e / total).clamp(1.0, 1e18) as u64);
        let mut v = self.rng.random::<f64>() * total;
        let mut group = self.rate.len() - 1;
        for (i, (r, &n)) in self.rate.iter().zip(&self.nodes_up).enumerate() {
            let w = r * n as f64;
            if v < w && n > 0 {
                group = i;
                break;
            }
            v -= w;
        }
        Some((now.plus(dt), group as u16, 0))
    }

    fn repair_time(&mut self, group: u16) -> SimTime {
        let e: f64 = Exp1.sample(&mut self.rng);
        SimTime((e * self.repair_mean_us[group as usize]).clamp(1.0, 1e18) as u64)
    }
}

impl Engine<'_> {
    /// Schedules the cluster's first failure, if there are failures.
    pub(crate) fn schedule_first_failure(&mut self) {
        self.schedule_next_failure();
    }

    fn schedule_next_failure(&mut self) {
        let now = self.now;
        let Some(f) = self.failures.as_mut() else { return };
        if let Some((at, group, _)) = f.next(now) {
            // The node is drawn when the failure happens, among the nodes then in service.
            let draw = f.draw;
            self.push(at, Ev::Failure { group, draw });
        }
    }

    /// A node comes into service (a phase going online): the fleet's failure rate grows, so
    /// the next failure is drawn again (memorylessness makes the redraw exact).
    pub(crate) fn node_online(&mut self, group: u16, node: u32) {
        self.groups[group as usize].set_up(node, true);
        if let Some(f) = self.failures.as_mut() {
            f.nodes_up[group as usize] += 1;
            f.in_service[group as usize] = f.in_service[group as usize].max(node + 1);
            f.draw += 1;
            self.schedule_next_failure();
        }
    }

    /// A node fails: it leaves service until its repair, and the jobs on it roll back.
    pub(crate) fn node_failure(&mut self, group: u16, draw: u32) {
        let Some(f) = self.failures.as_mut() else { return };
        if draw != f.draw {
            return; // drawn before the fleet's rate changed: a later draw replaced it
        }
        let ix = &self.groups[group as usize];
        let nodes = f.in_service[group as usize];
        if nodes == 0 {
            self.schedule_next_failure();
            return;
        }
        // A node drawn uniformly among the group's nodes in service (rejection: most are up).
        let mut victim = u32::MAX;
        for _ in 0..64 {
            let n = f.rng.random_range(0..nodes);
            if ix.is_up(n) {
                victim = n;
                break;
            }
        }
        if victim == u32::MAX || !ix.is_up(victim) {
            self.schedule_next_failure();
            return;
        }
        let mut on = Vec::new();
        f.jobs_on(group, victim, &mut on);
        f.nodes_up[group as usize] -= 1;
        let repair = f.repair_time(group);
        for j in on {
            if self.status(j) == Status::Running {
                let since = self.since_checkpoint(j);
                self.fail_job_on(j, since, victim);
            }
        }
        self.groups[group as usize].set_up(victim, false);
        let now = self.now;
        self.push(now.plus(repair), Ev::Repair { group, node: victim, since: now });
        self.schedule_next_failure();
    }

    /// A repair ends: the node is back in service.
    pub(crate) fn node_repair(&mut self, group: u16, node: u32, since: SimTime) {
        self.groups[group as usize].set_up(node, true);
        if let Some(u) = self.usage.as_mut() {
            let gpus = u128::from(self.cluster.groups[group as usize].gpus_per_node) * 100;
            u.add(since, self.now, gpus, None);
        }
        if let Some(f) = self.failures.as_mut() {
            f.nodes_up[group as usize] += 1;
        }
    }
}
