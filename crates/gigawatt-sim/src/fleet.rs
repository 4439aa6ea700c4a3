//! The physical inventory the simulator works on, built from the plan.
//!
//! Sites and phases → racks (NVLink domains on rack-scale platforms) → nodes → GPU packages, as
//! index arithmetic over flat ranges rather than a tree: the nodes of a phase are the contiguous
//! range `first_node .. first_node + nodes`, rack `r` of the phase holds the nodes
//! `r·nodes_per_rack ..`, and the blast-radius groups are runs of whole racks (a network switch
//! serves `racks_per_network_switch` racks, a power row `racks_per_power_row`). A node is the unit
//! a job is allocated and a failure parks: the 8-GPU server on HGX platforms, the compute tray on
//! rack-scale platforms (`reliability.md` §8: a failed GPU or tray is parked while a lost NVLink
//! switch takes the rack's whole domain).
//!
//! The failure process of each phase is compiled here too: every node of a phase fails at the same
//! total rate (the sum over classes of each class's rate per package, every multiplier included, ×
//! packages per node), lemon nodes at a multiple of it, so the fleet's next failure can be drawn in
//! O(1) and its victim chosen by phase weight, then uniformly within the phase (or among its
//! lemons, for their extra rate).

use gigawatt_core::Model;
use gigawatt_core::catalog::Form;
use gigawatt_core::plan::Evaluation;
use gigawatt_core::simulation::{BlastRadius, RepairShape, SimulationSpec};
use serde::Serialize;

use crate::time::{SimTime, US_PER_H};

/// One phase of the fleet.
#[derive(Clone, Debug, Serialize)]
pub struct FleetPhase {
    /// Phase name.
    pub name: String,
    /// Site, if the scenario names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Platform id.
    pub platform: String,
    /// Rack-scale system or servers.
    pub form: Form,
    /// Index of its first node in the fleet.
    #[serde(skip)]
    pub first_node: u32,
    /// Nodes (servers, or compute trays).
    pub nodes: u32,
    /// Nodes per rack (the last rack may hold fewer).
    pub nodes_per_rack: u32,
    /// Racks.
    pub racks: u32,
    /// GPU packages per node.
    pub packages_per_node: u32,
    /// GPU packages.
    pub gpus: u64,
    /// Racks under one network switch.
    pub racks_per_network_switch: u32,
    /// Racks in one power row.
    pub racks_per_power_row: u32,
    /// Expected failures per day of the whole phase with every node up.
    pub failures_per_day_expected: f64,
    /// Failure rate of one node, per µs, all classes.
    #[serde(skip)]
    pub node_rate_per_us: f64,
    /// Cumulative per-node rate by class (last = `node_rate_per_us`), for drawing the class.
    #[serde(skip)]
    pub class_cumulative: Vec<f64>,
    /// Blast radius of each class on this phase's platform.
    #[serde(skip)]
    pub blast: Vec<BlastRadius>,
    /// Lemon nodes (failing `lemon_rate_factor` times as often), spread evenly over the phase.
    pub lemons: u32,
    /// A lemon's failure rate beyond an ordinary node's, per µs (`node_rate × (factor − 1)`).
    #[serde(skip)]
    pub lemon_extra_per_us: f64,
}

impl FleetPhase {
    /// Nodes `lo..hi` of racks `r0..r1` (phase-local rack numbers).
    fn racks_range(&self, r0: u32, r1: u32) -> (u32, u32) {
        let lo = self.first_node + r0 * self.nodes_per_rack;
        let hi = (self.first_node as u64 + r1 as u64 * self.nodes_per_rack as u64)
            .min((self.first_node + self.nodes) as u64);
        (lo, hi as u32)
    }

    /// The nodes a failure of radius `radius` at `node` takes down, as `lo..hi`.
    pub fn group(&self, node: u32, radius: BlastRadius) -> (u32, u32) {
        let rack = (node - self.first_node) / self.nodes_per_rack;
        let runs = |k: u32| {
            let r0 = rack / k * k;
            self.racks_range(r0, r0 + k)
        };
        match radius {
            BlastRadius::Job | BlastRadius::Node => (node, node + 1),
            BlastRadius::NvlinkDomain => match self.form {
                Form::Server => (node, node + 1),
                Form::Rack => runs(1),
            },
            BlastRadius::Rack => runs(1),
            BlastRadius::NetworkSwitch => runs(self.racks_per_network_switch),
            BlastRadius::PowerRow => runs(self.racks_per_power_row),
        }
    }
}

impl FleetPhase {
    /// The node of lemon `k` (`0 ≤ k < lemons`): lemons sit every `nodes ÷ lemons` nodes.
    pub fn lemon_node(&self, k: u32) -> u32 {
        self.first_node + (k as u64 * self.nodes as u64 / self.lemons.max(1) as u64) as u32
    }

    /// Lemons among the phase's first `n` nodes: `⌈n · lemons ÷ nodes⌉`.
    pub fn lemons_below(&self, n: u32) -> u32 {
        if self.nodes == 0 {
            return 0;
        }
        ((n as u64 * self.lemons as u64).div_ceil(self.nodes as u64) as u32).min(self.lemons)
    }

    /// The failure rate of the phase's whole population with every node up, per µs.
    pub fn total_rate_per_us(&self) -> f64 {
        self.node_rate_per_us * self.nodes as f64 + self.lemon_extra_per_us * self.lemons as f64
    }

    /// Nodes whose failure of radius `radius` reaches a job on the phase's first `job_nodes`
    /// nodes (where the first job is placed: pools hand out the lowest nodes first): the job's
    /// own nodes, widened to the whole blast-radius groups they touch.
    pub fn exposure(&self, job_nodes: u32, radius: BlastRadius) -> u32 {
        if job_nodes == 0 || self.nodes == 0 {
            return 0;
        }
        let last = self.first_node + job_nodes.min(self.nodes) - 1;
        let lo = self.group(self.first_node, radius).0;
        let hi = self.group(last, radius).1;
        (hi - lo).max(job_nodes)
    }
}

/// How long a repair takes, in µs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RepairTime {
    /// Exponential with this mean.
    Exponential {
        /// Mean, µs.
        mean_us: f64,
    },
    /// Always this long.
    Fixed {
        /// Duration, µs.
        us: f64,
    },
    /// exp(N(mu, sigma²)) µs.
    Lognormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

impl RepairTime {
    fn new(mean_h: f64, shape: &RepairShape) -> RepairTime {
        let mean_us = mean_h * US_PER_H;
        match shape {
            RepairShape::Exponential => RepairTime::Exponential { mean_us },
            RepairShape::Fixed => RepairTime::Fixed { us: mean_us },
            RepairShape::Lognormal { cv } => {
                let cv = cv.estimate.central;
                let sigma2 = (1.0 + cv * cv).ln();
                RepairTime::Lognormal { mu: mean_us.ln() - sigma2 / 2.0, sigma: sigma2.sqrt() }
            }
        }
    }
}

/// A failure class as the engine uses it.
#[derive(Clone, Debug)]
pub struct ClassModel {
    /// Identifier.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Category.
    pub category: String,
    /// Time to detect.
    pub detect: SimTime,
    /// Repair time; `None` when no hardware leaves service.
    pub repair: Option<RepairTime>,
    /// Whether it interrupts the job on the failed hardware.
    pub interrupts: bool,
}

/// The fleet: phases of nodes, and the failure process over them.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Phases, in the scenario's order; their nodes are consecutive.
    pub phases: Vec<FleetPhase>,
    /// Failure classes.
    pub classes: Vec<ClassModel>,
    /// Nodes in all phases.
    pub nodes: u32,
    /// GPU packages in all phases.
    pub gpus: u64,
    /// Racks in all phases.
    pub racks: u64,
    /// Failure rate of the whole fleet with every node up, per µs.
    pub total_rate_per_us: f64,
    /// Cumulative rate by phase, for drawing the phase of a failure.
    pub phase_cumulative: Vec<f64>,
}

impl Fleet {
    /// Builds the fleet of a scenario from its central plan.
    pub fn from_plan(model: &Model, eval: &Evaluation) -> Fleet {
        let spec: &SimulationSpec = &model.simulation;
        let classes: Vec<ClassModel> = spec
            .classes
            .iter()
            .map(|c| ClassModel {
                name: c.name.clone(),
                label: spec.class_label(c),
                category: c.category.clone(),
                detect: SimTime::from_secs(c.detect_s.estimate.central),
                repair: c.repair.as_ref().map(|r| RepairTime::new(r.mean_h.estimate.central, &r.shape)),
                interrupts: c.interrupts,
            })
            .collect();
        let geometry = gigawatt_core::fleet::geometry(model, eval);
        let mut phases = Vec::with_capacity(eval.phases.len());
        let mut first_node: u64 = 0;
        let mut racks_total = 0;
        for (i, (p, g)) in eval.phases.iter().zip(&geometry).enumerate() {
            let ppn = g.packages_per_node;
            let mut cumulative = Vec::with_capacity(spec.classes.len());
            let mut acc = 0.0;
            for c in &spec.classes {
                acc += spec.rate_per_package_hour(c, i) * ppn as f64 / US_PER_H;
                cumulative.push(acc);
            }
            let node_rate = acc;
            let (lemons, lemon_extra) = match &spec.lemons {
                Some(l) => (
                    (l.share.estimate.central * g.nodes as f64).round() as u32,
                    node_rate * (l.rate_factor.estimate.central - 1.0),
                ),
                None => (0, 0.0),
            };
            let expected_per_us = node_rate * g.nodes as f64 + lemon_extra * lemons as f64;
            phases.push(FleetPhase {
                name: p.name.clone(),
                site: p.site.clone(),
                platform: p.platform.clone(),
                form: g.form,
                first_node: u32::try_from(first_node).expect("fewer than 4 billion nodes"),
                nodes: u32::try_from(g.nodes).expect("fewer than 4 billion nodes"),
                nodes_per_rack: g.nodes_per_rack as u32,
                racks: g.racks as u32,
                packages_per_node: ppn,
                gpus: g.gpus,
                racks_per_network_switch: g.racks_per_network_switch,
                racks_per_power_row: g.racks_per_power_row,
                failures_per_day_expected: expected_per_us * US_PER_H * 24.0,
                node_rate_per_us: node_rate,
                class_cumulative: cumulative,
                blast: spec.classes.iter().map(|c| c.blast_radius_on(g.form)).collect(),
                lemons,
                lemon_extra_per_us: lemon_extra,
            });
            first_node += g.nodes;
            racks_total += g.racks;
        }
        let mut phase_cumulative = Vec::with_capacity(phases.len());
        let mut acc = 0.0;
        for p in &phases {
            acc += p.total_rate_per_us();
            phase_cumulative.push(acc);
        }
        Fleet {
            gpus: phases.iter().map(|p| p.gpus).sum(),
            nodes: u32::try_from(first_node).expect("fewer than 4 billion nodes"),
            racks: racks_total,
            phases,
            classes,
            total_rate_per_us: acc,
            phase_cumulative,
        }
    }

    /// The phase holding `node`.
    pub fn phase_of(&self, node: u32) -> usize {
        // Few phases: a linear scan beats a binary search.
        self.phases.iter().position(|p| node < p.first_node + p.nodes).unwrap_or(self.phases.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(form: Form, nodes: u32, npr: u32) -> FleetPhase {
        FleetPhase {
            name: "p".into(),
            site: None,
            platform: "x".into(),
            form,
            first_node: 100,
            nodes,
            nodes_per_rack: npr,
            racks: nodes.div_ceil(npr),
            packages_per_node: 4,
            gpus: nodes as u64 * 4,
            racks_per_network_switch: 2,
            racks_per_power_row: 4,
            failures_per_day_expected: 0.0,
            node_rate_per_us: 0.0,
            class_cumulative: vec![],
            blast: vec![],
            lemons: 0,
            lemon_extra_per_us: 0.0,
        }
    }

    #[test]
    fn blast_groups_are_runs_of_whole_racks_clipped_to_the_phase() {
        let p = phase(Form::Rack, 18 * 10, 18);
        assert_eq!(p.group(105, BlastRadius::Node), (105, 106));
        assert_eq!(p.group(105, BlastRadius::Job), (105, 106));
        assert_eq!(p.group(105, BlastRadius::NvlinkDomain), (100, 118));
        assert_eq!(p.group(120, BlastRadius::NvlinkDomain), (118, 136));
        assert_eq!(p.group(120, BlastRadius::NetworkSwitch), (100, 136));
        assert_eq!(p.group(279, BlastRadius::PowerRow), (244, 280));
        let s = phase(Form::Server, 5, 2);
        assert_eq!(s.group(101, BlastRadius::NvlinkDomain), (101, 102), "HGX NVLink domain is the server");
        assert_eq!(s.group(104, BlastRadius::NetworkSwitch), (104, 105), "last switch group is clipped");
        assert_eq!(s.group(103, BlastRadius::NetworkSwitch), (100, 104));
        assert_eq!(s.group(103, BlastRadius::Rack), (102, 104), "a server rack holds nodes_per_rack servers");
        assert_eq!(p.group(120, BlastRadius::Rack), (118, 136));
    }

    #[test]
    fn lemons_spread_evenly_and_are_counted_from_the_first_node() {
        let mut p = phase(Form::Server, 100, 4);
        p.lemons = 4;
        let nodes: Vec<u32> = (0..4).map(|k| p.lemon_node(k)).collect();
        assert_eq!(nodes, [100, 125, 150, 175]);
        assert_eq!(p.lemons_below(1), 1);
        assert_eq!(p.lemons_below(25), 1);
        assert_eq!(p.lemons_below(26), 2);
        assert_eq!(p.lemons_below(100), 4);
        for n in 0..=100 {
            let exact = nodes.iter().filter(|&&x| x < 100 + n).count() as u32;
            assert_eq!(p.lemons_below(n), exact, "n = {n}");
        }
    }

    #[test]
    fn a_jobs_exposure_widens_its_nodes_to_whole_blast_radius_groups() {
        let p = phase(Form::Rack, 18 * 10, 18);
        assert_eq!(p.exposure(20, BlastRadius::Node), 20);
        assert_eq!(p.exposure(20, BlastRadius::Job), 20);
        assert_eq!(p.exposure(20, BlastRadius::NvlinkDomain), 36);
        assert_eq!(p.exposure(20, BlastRadius::NetworkSwitch), 36);
        assert_eq!(p.exposure(20, BlastRadius::PowerRow), 72);
        assert_eq!(p.exposure(1, BlastRadius::Rack), 18);
        let s = phase(Form::Server, 5, 2);
        assert_eq!(s.exposure(1, BlastRadius::NvlinkDomain), 1);
        assert_eq!(s.exposure(1, BlastRadius::NetworkSwitch), 4, "2 racks of 2 servers");
        assert_eq!(s.exposure(5, BlastRadius::PowerRow), 5, "clipped to the phase");
    }
}
