//! The simulated fleet as the plan builds it: how many nodes each phase has, and whether the
//! scenario's jobs fit in it. This module joins the plan ([`Evaluation`]) and the simulation's
//! topology ([`SimulationSpec`]); neither of those imports the other.

use crate::error::{InputError, SourceFile};
use crate::plan::Evaluation;
use crate::simulation::{MAX_NODES, SimulationSpec, Spares};

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
