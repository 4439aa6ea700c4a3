//! The fleet's geometry as the plan builds it — for each phase its nodes, racks and blast-radius
//! groups — computed here once for every consumer (the simulator, the dashboard's bounds), and
//! whether the scenario's jobs fit in it. This module joins the plan ([`Evaluation`]) and the
//! simulation's topology ([`SimulationSpec`]); neither of those imports the other.
//!
//! ```text
//! nodes           = systems × nodes_per_system     (a server, or a rack's compute trays)
//! nodes_per_rack  = systems_per_rack (servers)  |  nodes_per_system (rack-scale systems)
//! racks           = the plan's racks = ceil(nodes / nodes_per_rack)
//! gpus            = nodes × packages_per_node
//! ```

use serde::Serialize;

use crate::catalog::Form;
use crate::error::{InputError, SourceFile};
use crate::plan::Evaluation;
use crate::scenario::Model;
use crate::simulation::{MAX_NODES, SimulationSpec, Spares};

/// The geometry of one phase of the fleet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseGeometry {
    /// Rack-scale system or servers.
    pub form: Form,
    /// Nodes (servers, or compute trays): the unit a job is allocated and a failure parks.
    pub nodes: u64,
    /// Nodes per rack (the last rack may hold fewer).
    pub nodes_per_rack: u64,
    /// Racks.
    pub racks: u64,
    /// GPU packages per node.
    pub packages_per_node: u32,
    /// GPU packages.
    pub gpus: u64,
    /// Racks under one network switch (blast radius `network_switch`).
    pub racks_per_network_switch: u32,
    /// Racks in one power row (blast radius `power_row`).
    pub racks_per_power_row: u32,
}

/// The geometry of every phase of the fleet `eval` builds, at central inputs.
pub fn geometry(model: &Model, eval: &Evaluation) -> Vec<PhaseGeometry> {
    let spec = &model.simulation;
    let central = model.params.central();
    let groups = |q: &crate::quantity::Quantity| q.estimate.central.round().max(1.0) as u32;
    eval.phases
        .iter()
        .zip(&model.phases)
        .zip(&spec.phases)
        .map(|((p, input), topo)| {
            let nodes = p.systems.saturating_mul(topo.nodes_per_system as u64);
            let nodes_per_rack = match topo.form {
                Form::Server => (central[input.systems_per_rack].round() as u64).max(1),
                Form::Rack => topo.nodes_per_system as u64,
            };
            PhaseGeometry {
                form: topo.form,
                nodes,
                nodes_per_rack,
                racks: p.racks,
                packages_per_node: topo.packages_per_node,
                gpus: nodes.saturating_mul(topo.packages_per_node as u64),
                racks_per_network_switch: groups(&spec.racks_per_network_switch),
                racks_per_power_row: groups(&spec.racks_per_power_row),
            }
        })
        .collect()
}

/// Nodes of the whole fleet the plan `eval` builds (servers, or compute trays).
pub fn nodes(spec: &SimulationSpec, eval: &Evaluation) -> u64 {
    eval.phases.iter().zip(&spec.phases).map(|(p, t)| p.systems.saturating_mul(t.nodes_per_system as u64)).sum()
}

/// Checks the jobs against the planned fleet and the simulated window: each must fit its
/// phase and start before the window ends.
pub fn check(spec: &SimulationSpec, file: &SourceFile, eval: &Evaluation, days: f64) -> Result<(), InputError> {
    let nodes = nodes(spec, eval);
    if nodes > MAX_NODES {
        return Err(InputError::new(format!(
            "the fleet has {nodes} nodes; the simulator holds at most {MAX_NODES} (about 1.7 billion GPU packages)"
        ))
        .with_help("simulate a smaller fleet, e.g. one phase of it in a scenario of its own"));
    }
    for job in &spec.jobs {
        let phase = &eval.phases[job.phase];
        let topo = &spec.phases[job.phase];
        let phase_nodes = phase.systems * topo.nodes_per_system as u64;
        let reserved = match job.spares {
            Spares::Phase => 0,
            Spares::Reserved(n) => n,
        };
        let nodes = spec.job_nodes(job);
        if nodes > phase_nodes {
            return Err(InputError::at(
                file,
                &job.path.key("gpus"),
                format!(
                    "job `{}` needs {nodes} nodes ({} GPUs), but phase `{}` has only {phase_nodes} nodes ({} GPUs)",
                    job.name, job.gpus, phase.name, phase.gpus
                ),
            )
            .with_help(format!("give at most gpus = {}, or run the job on a larger phase", phase.gpus)));
        }
        if nodes + reserved > phase_nodes {
            return Err(InputError::at(
                file,
                &job.path.key("spares"),
                format!(
                    "job `{}` needs {nodes} nodes plus {reserved} reserved spares, but phase `{}` has only {phase_nodes} nodes",
                    job.name, phase.name
                ),
            )
            .with_help(format!("reserve at most {} spares", phase_nodes - nodes)));
        }
        if job.start_day >= days {
            return Err(InputError::at(
                file,
                &job.path.key("start_day"),
                format!("job `{}` starts on day {}, after the simulated {days} days", job.name, job.start_day),
            )
            .with_help("start the job earlier, or simulate more days"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, SourceFile, load_scenario};

    #[test]
    fn the_geometry_has_the_plans_racks_and_gpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        for name in ["nvidia-openai-10gw.toml", "llama3-405b-16k.toml"] {
            let text = std::fs::read_to_string(root.join(name)).unwrap();
            let model = load_scenario(&SourceFile::new(name, text), &Catalog::bundled().unwrap()).unwrap();
            let eval = crate::analysis::central(&model);
            let geometry = geometry(&model, &eval);
            for (g, p) in geometry.iter().zip(&eval.phases) {
                assert_eq!(g.nodes.div_ceil(g.nodes_per_rack), p.racks, "{name} {}", p.name);
                assert_eq!(g.gpus, p.gpus, "{name} {}", p.name);
            }
            assert_eq!(geometry.iter().map(|g| g.nodes).sum::<u64>(), nodes(&model.simulation, &eval));
        }
    }
}
