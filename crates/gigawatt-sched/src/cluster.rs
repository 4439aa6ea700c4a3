//! The cluster a scheduler places jobs on: groups of identical nodes, each group cut into NVLink
//! domains, racks and pods of consecutive nodes.
//!
//! ```text
//! node   = the unit a job larger than one node is allocated by (a server, or a rack's compute tray)
//! domain = nodes_per_domain consecutive nodes sharing an NVLink fabric (1 for 8-GPU servers,
//!          18 compute trays for a GB300 NVL72 rack)
//! rack   = nodes_per_rack consecutive nodes
//! pod    = nodes_per_pod consecutive nodes under one network switch
//! ```
//! Each level is a partition of the group's nodes into blocks of consecutive nodes (the last
//! block may be short). A cluster comes from a scenario's phases (one group per phase, the
//! geometry the plan builds) or from a small cluster spec.

use gigawatt_core::fleet::PhaseGeometry;
use serde::{Deserialize, Serialize};

/// One group of identical nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeGroup {
    /// The group's name (a phase's name, or `cluster`).
    #[serde(default = "default_name")]
    pub name: String,
    /// GPU type (a catalog platform id, or any label).
    #[serde(default)]
    pub gpu_type: String,
    /// Nodes in the group.
    pub nodes: u32,
    /// GPUs per node.
    pub gpus_per_node: u32,
    /// Nodes per NVLink domain (1 when the domain is the node).
    #[serde(default = "one")]
    pub nodes_per_domain: u32,
    /// Nodes per rack.
    #[serde(default = "one")]
    pub nodes_per_rack: u32,
    /// Nodes per pod (under one network switch); 0 means the whole group.
    #[serde(default)]
    pub nodes_per_pod: u32,
}

fn default_name() -> String {
    "cluster".to_string()
}

fn one() -> u32 {
    1
}

/// Most GPUs a node may hold (a whole NVL576 rack as one node).
pub const MAX_GPUS_PER_NODE: u32 = 576;
/// Most nodes a cluster may hold.
pub const MAX_NODES: u64 = 50_000_000;

/// A level of the topology that a gang can be kept inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One NVLink domain.
    Domain,
    /// One rack.
    Rack,
    /// One pod.
    Pod,
}

impl Level {
    /// Every level, smallest first.
    pub const ALL: [Level; 3] = [Level::Domain, Level::Rack, Level::Pod];

    /// The level's name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Domain => "domain",
            Level::Rack => "rack",
            Level::Pod => "pod",
        }
    }
}

impl NodeGroup {
    /// The group of one scenario phase, from the geometry the plan builds.
    pub fn from_phase(name: &str, platform: &str, g: &PhaseGeometry) -> NodeGroup {
        let nodes_per_domain = match g.form {
            gigawatt_core::catalog::Form::Rack => g.nodes_per_rack,
            gigawatt_core::catalog::Form::Server => 1,
        };
        NodeGroup {
            name: name.to_string(),
            gpu_type: platform.to_string(),
            nodes: u32::try_from(g.nodes).unwrap_or(u32::MAX),
            gpus_per_node: g.packages_per_node,
            nodes_per_domain: nodes_per_domain as u32,
            nodes_per_rack: g.nodes_per_rack as u32,
            nodes_per_pod: (g.nodes_per_rack * u64::from(g.racks_per_network_switch)).min(u64::from(u32::MAX)) as u32,
        }
    }

    /// GPUs in the group.
    pub fn gpus(&self) -> u64 {
        u64::from(self.nodes) * u64::from(self.gpus_per_node)
    }

    /// Nodes per block of `level` (at least 1, at most the group).
    pub fn block(&self, level: Level) -> u32 {
        let b = match level {
            Level::Domain => self.nodes_per_domain,
            Level::Rack => self.nodes_per_rack,
            Level::Pod => self.nodes_per_pod,
        };
        if b == 0 { self.nodes.max(1) } else { b.clamp(1, self.nodes.max(1)) }
    }

    /// What is wrong with the group, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.nodes == 0 {
            return Some(format!("group `{}` has no nodes", self.name));
        }
        if !(1..=MAX_GPUS_PER_NODE).contains(&self.gpus_per_node) {
            return Some(format!(
                "group `{}` has {} GPUs per node; a node holds 1 to {MAX_GPUS_PER_NODE}",
                self.name, self.gpus_per_node
            ));
        }
        None
    }
}

/// A cluster: its groups of nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// The groups; a job is placed within one group.
    pub groups: Vec<NodeGroup>,
}

impl Cluster {
    /// A cluster of one group.
    pub fn uniform(nodes: u32, gpus_per_node: u32) -> Cluster {
        Cluster {
            groups: vec![NodeGroup {
                name: default_name(),
                gpu_type: String::new(),
                nodes,
                gpus_per_node,
                nodes_per_domain: 1,
                nodes_per_rack: 1,
                nodes_per_pod: 0,
            }],
        }
    }

    /// GPUs in the cluster.
    pub fn gpus(&self) -> u64 {
        self.groups.iter().map(NodeGroup::gpus).sum()
    }

    /// Nodes in the cluster.
    pub fn nodes(&self) -> u64 {
        self.groups.iter().map(|g| u64::from(g.nodes)).sum()
    }

    /// Most GPUs one job can get: the largest group's.
    pub fn largest_group_gpus(&self) -> u64 {
        self.groups.iter().map(NodeGroup::gpus).max().unwrap_or(0)
    }

    /// What is wrong with the cluster, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.groups.is_empty() {
            return Some("the cluster has no nodes".to_string());
        }
        if self.nodes() > MAX_NODES {
            return Some(format!("the cluster has {} nodes; at most {MAX_NODES} are simulated", self.nodes()));
        }
        self.groups.iter().find_map(NodeGroup::problem)
    }
}
