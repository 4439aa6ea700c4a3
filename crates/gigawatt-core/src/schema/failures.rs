//! The failure catalog file (`catalog/failures.toml`): the reference census the failure classes'
//! rates come from, the carry-over to other platforms, planned interruptions, topology defaults,
//! job recovery defaults and the classes themselves (see `docs/models/reliability.md`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Input;
use super::scenario::FailureClassInput;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureCatalogFile {
    /// The reference census.
    pub reference: Reference,
    /// The carry-over multiplier.
    pub carry_over: CarryOver,
    /// Planned interruptions.
    pub planned: Planned,
    /// Topology defaults.
    pub topology: Topology,
    /// Job recovery defaults.
    pub job_defaults: JobDefaults,
    /// The categories classes are grouped by: key → label (Llama 3 Table 5's).
    pub categories: BTreeMap<String, String>,
    /// The failure classes (`[[class]]`).
    #[serde(rename = "class")]
    pub classes: Vec<FailureClassInput>,
}

/// `[reference]`: the census the class counts are over.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The platform the census was taken on.
    pub platform: String,
    /// Servers in the census.
    pub servers: Input,
    /// GPUs per server.
    pub gpus_per_server: Input,
    /// Days the census covers.
    pub days: Input,
}

/// `[carry_over]`: rates on platforms without their own multiplier.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarryOver {
    /// Factor on the reference rates.
    pub rate_multiplier: Input,
}

/// `[planned]`: planned interruptions in the census.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Planned {
    /// Planned interruptions counted in the census.
    pub count: Input,
    /// A remark.
    pub note: Option<String>,
}

/// `[topology]`: blast-radius geometry defaults.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Racks under one network switch.
    pub racks_per_network_switch: Input,
    /// Racks in one power row.
    pub racks_per_power_row: Input,
    /// Only `default`: packages per compute tray of a rack-scale platform whose file does not say.
    pub packages_per_node: BTreeMap<String, Input>,
}

/// `[job_defaults]`: what a `[[job]]` uses when it does not say.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobDefaults {
    /// Blocking checkpoint write time, s.
    pub checkpoint_write_s: Input,
    /// Restart overhead, s.
    pub restart_s: Input,
    /// Spare swap time, s.
    pub swap_s: Input,
}
