//! The growing fleet the scheduler operates: one node group (a *pool*) per platform, holding
//! every phase of that platform (the plan's geometry and the reliability model's failure rates,
//! as `replay` reads a scenario), and when each node comes into service. A phase's nodes come into
//! service one by one, evenly over its ramp, the last on its online day (all at once on that day
//! without a ramp); nodes already in service on the first day operated start there. A gang runs
//! within one pool, so a frontier run may span the phases of its platform (paying the
//! cross-phase penalty of `[operate.frontier]`), never two platforms.

use gigawatt_core::Model;
use gigawatt_core::date::Date;
use gigawatt_core::plan::PhaseResult;
use gigawatt_sched::{Cluster, ClusterSource, GroupFailures};
use gigawatt_sim::SimTime;
use gigawatt_sim::time::US_PER_DAY;

/// The fleet, ready for the scheduler.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// The node groups (one per phase).
    pub cluster: Cluster,
    /// Failure rate and repair time per group.
    pub failures: Vec<GroupFailures>,
    /// When each node of each group comes into service, from the first day operated.
    pub online: Vec<Vec<SimTime>>,
    /// The platform of each group.
    pub platforms: Vec<String>,
    /// GPUs of the largest single phase in each group.
    pub largest_phase_gpus: Vec<u64>,
    /// The phases (indices into the plan's) each group holds.
    pub phases: Vec<Vec<usize>>,
    /// The phase (index into the plan's) of each node of each group, in node order.
    pub node_phase: Vec<Vec<u16>>,
}

impl Fleet {
    /// The fleet of `model`, operated from `from`.
    pub fn of(model: &Model, phases: &[PhaseResult], from: Date) -> Result<Fleet, String> {
        let ClusterSource { cluster, failures, .. } = gigawatt_sched::scenario_cluster(model)?;
        let (cluster, failures) = by_domain(cluster, failures);
        let mut fleet = Fleet {
            cluster: Cluster { groups: Vec::new() },
            failures: Vec::new(),
            online: Vec::new(),
            platforms: Vec::new(),
            largest_phase_gpus: Vec::new(),
            phases: Vec::new(),
            node_phase: Vec::new(),
        };
        // Each group's nodes as (time in service, phase), sorted below into node order.
        let mut tagged: Vec<Vec<(SimTime, u16)>> = Vec::new();
        for (i, ((g, f), p)) in cluster.groups.into_iter().zip(failures).zip(phases).enumerate() {
            let times = node_times(g.nodes, p, from);
            let tags: Vec<(SimTime, u16)> = times.iter().map(|&t| (t, i as u16)).collect();
            let f = f.unwrap_or(GroupFailures { node_rate_per_h: 0.0, repair_mean_h: 1.0 });
            match fleet.platforms.iter().position(|q| *q == p.platform) {
                Some(k) => {
                    fleet.cluster.groups[k].nodes += g.nodes;
                    fleet.online[k].extend(times);
                    tagged[k].extend(tags);
                    fleet.largest_phase_gpus[k] = fleet.largest_phase_gpus[k].max(g.gpus());
                    fleet.phases[k].push(i);
                }
                None => {
                    fleet.largest_phase_gpus.push(g.gpus());
                    fleet.cluster.groups.push(gigawatt_sched::NodeGroup { name: p.platform.clone(), ..g });
                    fleet.failures.push(f);
                    fleet.online.push(times);
                    tagged.push(tags);
                    fleet.platforms.push(p.platform.clone());
                    fleet.phases.push(vec![i]);
                }
            }
        }
        // Nodes come into service in index order: a pool's nodes are its phases' in time order.
        for t in &mut fleet.online {
            t.sort_unstable();
        }
        fleet.node_phase = tagged
            .into_iter()
            .map(|mut t| {
                t.sort_unstable();
                t.into_iter().map(|(_, phase)| phase).collect()
            })
            .collect();
        Ok(fleet)
    }

    /// GPUs in the largest group.
    pub fn largest_group_gpus(&self) -> u64 {
        self.cluster.largest_group_gpus()
    }

    /// GPU-µs in service during each of `days` days from the start: node k of a group counts from
    /// its time to the end of each day.
    pub fn online_gpu_us_by_day(&self, days: usize) -> Vec<u128> {
        let mut out = vec![0u128; days];
        // GPUs in service all day, from each day on (a difference array, summed below).
        let mut whole_from = vec![0u128; days + 1];
        for (g, times) in self.cluster.groups.iter().zip(&self.online) {
            let gpus = u128::from(g.gpus_per_node);
            for &t in times {
                let first = (t.0 / US_PER_DAY) as usize;
                if first >= days {
                    continue;
                }
                out[first] += gpus * u128::from(US_PER_DAY - t.0 % US_PER_DAY);
                whole_from[first + 1] += gpus;
            }
        }
        let mut whole = 0u128;
        for (d, o) in out.iter_mut().enumerate() {
            whole += whole_from[d];
            *o += whole * u128::from(US_PER_DAY);
        }
        out
    }

    /// GPUs in service at time `t`.
    pub fn gpus_online_at(&self, t: SimTime) -> u64 {
        self.cluster
            .groups
            .iter()
            .zip(&self.online)
            .map(|(g, times)| times.partition_point(|&x| x <= t) as u64 * u64::from(g.gpus_per_node))
            .sum()
    }
}

/// The cluster scheduled by NVLink domain: on a rack-scale platform a group's unit becomes the
/// whole domain (a rack of compute trays), so a gang of thousands of GPUs takes tens of units,
/// not thousands of trays (scheduling cost grows with the units a job takes). A domain fails when
/// any of its trays does (rate × trays) and stays out for the tray's repair ÷ trays: jobs on it
/// are interrupted as often as a job spanning the domain would be, and the GPU-hours under repair
/// are the trays'. Server platforms keep the server as the unit.
fn by_domain(cluster: Cluster, failures: Vec<Option<GroupFailures>>) -> (Cluster, Vec<Option<GroupFailures>>) {
    let mut groups = Vec::new();
    let mut rates = Vec::new();
    for (g, f) in cluster.groups.into_iter().zip(failures) {
        let k = g.nodes_per_domain.max(1);
        if k == 1 {
            groups.push(g);
            rates.push(f);
            continue;
        }
        let units = g.nodes.div_ceil(k);
        groups.push(gigawatt_sched::NodeGroup {
            nodes: units,
            gpus_per_node: g.gpus_per_node * k,
            nodes_per_domain: 1,
            nodes_per_rack: (g.nodes_per_rack / k).max(1),
            nodes_per_pod: if g.nodes_per_pod == 0 { 0 } else { (g.nodes_per_pod / k).max(1) },
            ..g
        });
        rates.push(f.map(|f| GroupFailures {
            node_rate_per_h: f.node_rate_per_h * f64::from(k),
            repair_mean_h: f.repair_mean_h / f64::from(k),
        }));
    }
    (Cluster { groups }, rates)
}

/// When each of a phase's `nodes` comes into service, in µs from `from`'s midnight.
fn node_times(nodes: u32, p: &PhaseResult, from: Date) -> Vec<SimTime> {
    let day0 = from.days_since_epoch();
    let start = (p.ramp_start.days_since_epoch() - day0) as f64;
    let end = (p.online.days_since_epoch() - day0) as f64;
    (0..nodes)
        .map(|k| {
            let day = if end > start { start + (end - start) * f64::from(k + 1) / f64::from(nodes) } else { end };
            SimTime::from_days(day.max(0.0))
        })
        .collect()
}
