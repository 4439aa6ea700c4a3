//! Where a replay's cluster comes from: a scenario (one group per phase, the geometry its plan
//! builds, and the reliability model's failure rates), or a small cluster spec file:
//!
//! ```toml
//! name = "pai-like"                 # optional
//! [[group]]
//! name = "V100"                     # optional
//! gpu_type = "V100"                 # optional label
//! nodes = 812
//! gpus_per_node = 8
//! nodes_per_domain = 1              # optional (1: the node is the NVLink domain)
//! nodes_per_rack = 4                # optional (1)
//! nodes_per_pod = 0                 # optional (0: the whole group)
//! failures_per_node_day = 0.0025    # optional; needed for --failures
//! repair_hours = 48                 # optional; needed for --failures
//! ```

use gigawatt_core::{Catalog, InputError, SourceFile, load_scenario};
use serde::Deserialize;

use crate::cluster::{Cluster, NodeGroup};
use crate::failures::GroupFailures;

/// A cluster spec file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterFile {
    #[serde(default)]
    name: Option<String>,
    group: Vec<GroupFile>,
}

/// One group of a cluster spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    gpu_type: String,
    nodes: u32,
    gpus_per_node: u32,
    #[serde(default)]
    nodes_per_domain: Option<u32>,
    #[serde(default)]
    nodes_per_rack: Option<u32>,
    #[serde(default)]
    nodes_per_pod: u32,
    #[serde(default)]
    failures_per_node_day: Option<f64>,
    #[serde(default)]
    repair_hours: Option<f64>,
}

impl GroupFile {
    fn group(&self, i: usize) -> NodeGroup {
        NodeGroup {
            name: self.name.clone().unwrap_or_else(|| format!("group {}", i + 1)),
            gpu_type: self.gpu_type.clone(),
            nodes: self.nodes,
            gpus_per_node: self.gpus_per_node,
            nodes_per_domain: self.nodes_per_domain.unwrap_or(1),
            nodes_per_rack: self.nodes_per_rack.unwrap_or(1),
            nodes_per_pod: self.nodes_per_pod,
        }
    }
}

/// A cluster and, per group, its failure rates when known.
#[derive(Clone, Debug)]
pub struct ClusterSource {
    /// The cluster's name (the scenario's or the spec's).
    pub name: String,
    /// The cluster.
    pub cluster: Cluster,
    /// Failure rates per group (`None` where the spec gives none).
    pub failures: Vec<Option<GroupFailures>>,
    /// Whether it came from a scenario.
    pub from_scenario: bool,
}

/// Reads a cluster from a scenario (a file with `[[phase]]`) or a cluster spec (`[[group]]`).
pub fn read_cluster(file: &SourceFile, catalog: &Catalog) -> Result<ClusterSource, InputError> {
    let table: toml::Table = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    if table.contains_key("phase") {
        return from_scenario(file, catalog);
    }
    if !table.contains_key("group") {
        return Err(InputError::at_span(file, Some(0..0), "this file is neither a scenario nor a cluster spec")
            .with_help("a scenario has [[phase]] tables (docs/scenario.md); a cluster spec has [[group]] tables with nodes and gpus_per_node (docs/models/replay.md)"));
    }
    let spec: ClusterFile = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    let cluster = Cluster { groups: spec.group.iter().enumerate().map(|(i, g)| g.group(i)).collect() };
    if let Some(problem) = cluster.problem() {
        return Err(InputError::at_span(file, Some(0..0), problem));
    }
    let failures = spec
        .group
        .iter()
        .map(|g| match (g.failures_per_node_day, g.repair_hours) {
            (Some(rate), Some(repair)) if rate >= 0.0 && rate.is_finite() && repair >= 0.0 && repair.is_finite() => {
                Some(GroupFailures { node_rate_per_h: rate / 24.0, repair_mean_h: repair })
            }
            _ => None,
        })
        .collect();
    Ok(ClusterSource { name: spec.name.unwrap_or_else(|| file.name.clone()), cluster, failures, from_scenario: false })
}

/// One group per phase of the scenario's central plan; failure rates from its reliability model
/// (all classes together; repair the rate-weighted mean, zero for classes that take no hardware
/// out of service).
fn from_scenario(file: &SourceFile, catalog: &Catalog) -> Result<ClusterSource, InputError> {
    let model = load_scenario(file, catalog)?;
    scenario_cluster(&model).map_err(|problem| InputError::at_span(file, Some(0..0), problem))
}

/// The cluster of a loaded scenario: one group per phase, with the geometry its plan builds at
/// central inputs and the reliability model's failure rate and mean repair time per node.
/// `Err` says what is wrong with the cluster (a phase with no nodes…).
pub fn scenario_cluster(model: &gigawatt_core::Model) -> Result<ClusterSource, String> {
    let eval = gigawatt_core::plan::evaluate(model, &model.params.central());
    let geometry = gigawatt_core::fleet::geometry(model, &eval);
    let spec = &model.simulation;
    let mut groups = Vec::new();
    let mut failures = Vec::new();
    for (i, (p, g)) in eval.phases.iter().zip(&geometry).enumerate() {
        groups.push(NodeGroup::from_phase(&p.name, &p.platform, g));
        let (mut rate, mut repair) = (0.0, 0.0);
        for c in &spec.classes {
            let r = spec.rate_per_package_hour(c, i) * f64::from(g.packages_per_node);
            rate += r;
            repair += r * c.repair.as_ref().map_or(0.0, |rp| rp.mean_h.estimate.central);
        }
        failures.push(Some(GroupFailures {
            node_rate_per_h: rate,
            repair_mean_h: if rate > 0.0 { repair / rate } else { 0.0 },
        }));
    }
    let cluster = Cluster { groups };
    if let Some(problem) = cluster.problem() {
        return Err(problem);
    }
    Ok(ClusterSource { name: model.name.clone(), cluster, failures, from_scenario: true })
}
