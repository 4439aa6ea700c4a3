//! The failure catalog file (`catalog/failures.toml`): the reference census the failure classes'
//! rates come from, the reliability families platforms name, planned interruptions, topology defaults,
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
    /// The reliability families (`[family.NAME]`) platform files name.
    #[serde(rename = "family")]
    pub families: BTreeMap<String, Family>,
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
    /// Its reliability family, whose rates a platform naming no family takes.
    pub family: String,
    /// Servers in the census.
    pub servers: Input,
    /// GPUs per server.
    pub gpus_per_server: Input,
    /// Days the census covers.
    pub days: Input,
}

/// `[family.NAME]`: the failure rates of a reliability family (`ampere`, `hopper`, …).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// Factor on every reference class's rate per GPU package.
    pub rate_multiplier: Input,
    /// Factors on single classes, on top of `rate_multiplier`: class name → ratio.
    #[serde(default)]
    pub class_multiplier: BTreeMap<String, Input>,
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
