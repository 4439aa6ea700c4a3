//! The sections of a scenario file that the core reads: the build-out (`[[phase]]`,
//! `[phase_defaults]`, `[costs]`, `[financing]`, `[uncertainty]`) and the simulation
//! (`[simulation]`, `[[job]]`, `[[failure]]`). The workload sections (`[[training]]`,
//! `[demand]`, `[inference]`, `[allocation]`) are declared in [`super::workloads`] and validated by
//! `gigawatt-workloads`.

use std::collections::BTreeMap;

use super::Input;
use super::inputs::{COST_INPUTS, PHASE_INPUTS};
use super::power::Power;
use super::workloads::{Allocation, Demand, Inference, Training};
use crate::schema_struct;

schema_struct! {
    /// A scenario file: what a user wants to study.
    pub struct ScenarioFile as "the top level" {
        /// display name
        "name" name: String => Value, "string", "required";
        /// one-paragraph description shown under the name
        "description" description: Option<String> => Value, "string", "none";
        /// seed of the Monte Carlo behind the ranges and of the simulation (`--seed` overrides)
        "seed" seed: Option<u64> => Value, "integer", "0";
        /// inputs every phase takes unless it sets its own (see `[phase_defaults]`)
        #[serde(default)]
        "phase_defaults" phase_defaults: BTreeMap<String, Input> => Inputs(PHASE_INPUTS), "table", "`catalog/defaults.toml`";
        /// sites whose power is split between phases (see `[[site]]`)
        #[serde(default)]
        "site" sites: Vec<Site> => Tables(&Site::SECTION), "array of tables", "none";
        /// capacity coming online, in the order it comes online (see `[[phase]]`)
        #[serde(default)]
        "phase" phases: Vec<Phase> => Tables(&Phase::SECTION), "array of tables", "required";
        /// cost inputs (see `[costs]`)
        #[serde(default)]
        "costs" costs: BTreeMap<String, Input> => Inputs(COST_INPUTS), "table", "`catalog/defaults.toml`";
        /// investment released as capacity is deployed (see `[financing]`)
        "financing" financing: Option<Financing> => Table(&Financing::SECTION), "table", "none";
        /// what a deal's announcement claims, set beside the plan (see `[announcement]`)
        "announcement" announcement: Option<Announcement> => Table(&Announcement::SECTION), "table", "none: no comparison";
        /// the Monte Carlo behind the ranges (see `[uncertainty]`)
        "uncertainty" uncertainty: Option<Uncertainty> => Table(&Uncertainty::SECTION), "table", "none";
        /// training runs (see "Workloads and demand")
        #[serde(default)]
        "training" training: Vec<Training> => Tables(&Training::SECTION), "array of tables", "none";
        /// demand by tier (see "Workloads and demand")
        "demand" demand: Option<Demand> => Table(&Demand::SECTION), "table", "none";
        /// serving settings (see "Workloads and demand")
        "inference" inference: Option<Inference> => Table(&Inference::SECTION), "table", "none";
        /// how the fleet is shared between training and inference (see "Workloads and demand")
        "allocation" allocation: Option<Allocation> => Table(&Allocation::SECTION), "table", "none";
        /// how `gigawatt operate` shares the fleet among workload classes (see `[operate]`)
        "operate" operate: Option<super::operate::Operate> => Table(&super::operate::Operate::SECTION), "table", "defaults";
        /// the reliability simulation's settings (see `[simulation]`)
        "simulation" simulation: Option<Simulation> => Table(&Simulation::SECTION), "table", "none";
        /// training jobs the simulation runs (see `[[job]]`)
        #[serde(default)]
        "job" jobs: Vec<Job> => Tables(&Job::SECTION), "array of tables", "none";
        /// failure classes overridden or added (see `[[failure]]`)
        #[serde(default)]
        "failure" failures: Vec<FailureClassInput> => Tables(&FailureClassInput::SECTION), "array of tables", "none";
        /// how `gigawatt power` turns job states into megawatts (see "Power")
        "power" power: Option<Power> => Table(&Power::SECTION), "table", "`catalog/power.toml`";
    }
}

schema_struct! {
    /// A `[[phase]]`: capacity coming online on one platform (at least one per scenario).
    pub struct Phase as "[[phase]]" {
        /// display name
        "name" name: Option<String> => Value, "string", "`phase N`";
        /// the day the phase is **fully** online
        "online" online: Input => Input, "date", "required";
        /// the phase comes online linearly over this many months before `online` (0: all at once
        /// on `online`)
        "ramp_months" ramp_months: Option<Input> => Input, "months, 0–120", "0";
        /// e.g. `vr-nvl144`; `gigawatt catalog` lists them; an unknown id is an error naming the
        /// closest one
        "platform" platform: String => Value, "catalog id", "required";
        /// size by **facility** power: as many systems as fit (see below)
        "power_gw" power_gw: Option<Input> => Input, "GW, > 0 and ≤ 1,000", "one of the three";
        /// size by a count of systems (servers for 8-GPU platforms, racks for NVL platforms), e.g.
        /// an existing cluster
        "systems" systems: Option<Input> => Input, "count, 1 to 100,000,000", "one of the three";
        /// size by a share of its `site`'s `power_mw` (a `[[site]]`): a mixed-platform site sized
        /// from one power figure
        "site_share" site_share: Option<Input> => Input, "fraction, > 0 and ≤ 1", "one of the three";
        /// annualised power usage effectiveness (facility ÷ IT power)
        "pue" pue: Option<Input> => Input, "quantity, ≥ 1", "`[phase_defaults].pue`";
        /// servers per rack (server platforms only; Llama 3's cluster had 2)
        "systems_per_rack" systems_per_rack: Option<Input> => Input, "quantity, whole ≥ 1", "the platform's";
        /// site name, shown with the phase; the simulator keeps each phase's racks apart, so no
        /// blast radius crosses phases or sites
        "site" site: Option<String> => Value, "string", "none";
        /// US state (or grid region) whose average energy price and carbon intensity
        /// `gigawatt power` uses, e.g. `TX` (`catalog/power.toml`)
        "state" state: Option<String> => Value, "state code", "its site's `state`, else the US average";
    }
}

schema_struct! {
    /// A `[[site]]` (optional): one facility power figure that phases on the site split by
    /// `site_share`.
    pub struct Site as "[[site]]" {
        /// the name phases give as their `site`
        "name" name: String => Value, "string", "required";
        /// the site's facility power, MW
        "power_mw" power_mw: Input => Input, "MW, > 0", "required";
        /// US state (or grid region) of the site, for `gigawatt power`'s default energy price
        /// and carbon intensity, e.g. `TX`
        "state" state: Option<String> => Value, "state code", "none: the US average";
    }
}

schema_struct! {
    /// `[financing]` (optional): an investor releasing money as capacity is deployed.
    pub struct Financing as "[financing]" {
        /// who invests (and supplies the systems)
        "investor" investor: Option<String> => Value, "string", "`NVIDIA`";
        /// who receives the investment and builds
        "recipient" recipient: Option<String> => Value, "string", "`the builder`";
        /// released per gigawatt deployed
        "per_gw_usd" per_gw_usd: Input => Input, "quantity, USD ≥ 0", "required";
        /// total cap
        "cap_usd" cap_usd: Input => Input, "quantity, USD ≥ 0", "required";
        /// pre-money valuation used to express the investment as an implied stake
        "valuation_usd" valuation_usd: Option<Input> => Input, "quantity, USD > 0", "$500 B (reported with the deal)";
    }
}

schema_struct! {
    /// `[announcement]` (optional): the figures a deal's announcement claims, each with its source.
    /// The plan sets its own figures beside them; without this section it makes no comparison.
    pub struct Announcement as "[announcement]" {
        /// what is compared with, e.g. `NVIDIA–OpenAI letter of intent (Sep 2025)`
        "name" name: Option<String> => Value, "string", "`the announcement`";
        /// the supplier whose content per GW is claimed (a platform vendor, e.g. `NVIDIA`)
        "supplier" supplier: Option<String> => Value, "string", "`[financing].investor`, else `NVIDIA`";
        /// gigawatts announced
        "gigawatts" gigawatts: Input => Input, "quantity, GW > 0", "required";
        /// GPUs said to correspond to those gigawatts
        "gpus" gpus: Input => Input, "quantity, GPUs > 0", "required";
        /// capex per GW as announced
        "capex_per_gw_usd" capex_per_gw_usd: Input => Input, "quantity, USD > 0", "required";
        /// the supplier's content per GW as announced
        "supplier_per_gw_usd" supplier_per_gw_usd: Option<Input> => Input, "quantity, USD > 0", "none";
        /// investment announced alongside, in total
        "investment_usd" investment_usd: Option<Input> => Input, "quantity, USD ≥ 0", "none";
    }
}

schema_struct! {
    /// `[uncertainty]` (optional): the Monte Carlo behind the plan's ranges.
    pub struct Uncertainty as "[uncertainty]" {
        /// Monte Carlo draws behind the ranges (`--draws` overrides)
        "draws" draws: Option<i64> => Value, "integer, 1,000–1,000,000", "2,000";
    }
}

schema_struct! {
    /// `[simulation]`: the run of `gigawatt simulate`.
    pub struct Simulation as "[simulation]" {
        /// simulated window, from day 0 with every phase built out; above 0, at most 36,500.
        /// `--days` overrides it.
        "days" days: Option<f64> => Value, "days (number)", "365";
        /// Monte Carlo replicas, 1 to 100,000. `--replicas` overrides it.
        "replicas" replicas: Option<toml::Value> => Value, "count (integer)", "100";
        /// replaces every failure class's time to detect (e.g. 0 when detection is counted inside
        /// the job's restart time)
        "detect_s" detect_s: Option<Input> => Input, "s (quantity ≥ 0)", "each class's own";
        /// factor on every platform's failure rates (its family's, H100 included); listed as an
        /// assumption unless given with a source
        "rate_multiplier" rate_multiplier: Option<Input> => Input, "ratio (quantity ≥ 0)", "1";
        /// factor on one phase's failure rates, on top of `rate_multiplier`, e.g. `{ training = 2 }`
        "phase_rate_multiplier" phase_rate_multiplier: Option<BTreeMap<String, Input>> => InputMap, "table: phase name → ratio", "1";
        /// size each phase's spare pool for this target (as `--spares-for`): the smallest pool at
        /// which every `spares = "phase"` job of the phase reaches it
        "spares_for" spares_for: Option<String> => Value, "`\"availability=X\"` or `\"ettr=X\"`", "none";
        /// share of each phase's nodes that are "lemons", failing `lemon_rate_factor` times as often
        /// as the others (spread evenly over the phase); needs `lemon_rate_factor`
        "lemon_share" lemon_share: Option<Input> => Input, "ratio 0–1 (quantity)", "none";
        /// a lemon node's failure rate ÷ an ordinary node's, every class that scales with hardware
        "lemon_rate_factor" lemon_rate_factor: Option<Input> => Input, "ratio ≥ 1 (quantity)", "none";
        /// the classes a scenario starts from: `"bundled"` (the catalog's) or `"none"` (only the
        /// scenario's own `[[failure]]`s)
        "failures" failures: Option<String> => Value, "`\"bundled\"` or `\"none\"`", "`\"bundled\"`";
        /// racks under one network switch (blast radius `network_switch`)
        "racks_per_network_switch" racks_per_network_switch: Option<Input> => Input, "count (whole ≥ 1)", "1 (Llama 3 §3.3.1: one ToR per rack)";
        /// racks in one power row (blast radius `power_row`)
        "racks_per_power_row" racks_per_power_row: Option<Input> => Input, "count (whole ≥ 1)", "16 (an assumption)";
        /// planned interruptions of each job, unless the job sets its own
        "planned_per_day" planned_per_day: Option<Input> => Input, "per job-day (quantity ≥ 0)", "47 / 54 = 0.87 (Llama 3 §3.3.4)";
        /// GPU packages per compute tray of a rack-scale platform, e.g. `vr-nvl144 = 4`; must
        /// divide the packages per system
        "packages_per_node" packages_per_node: Option<BTreeMap<String, Input>> => InputMap, "table: platform id → count", "the platform file's `packages_per_node`";
    }
}

schema_struct! {
    /// A `[[job]]`: a synchronous training job on one phase.
    pub struct Job as "[[job]]" {
        /// unique name (CSV column `ettr_<name>`)
        "name" name: Option<String> => Value, "text", "`job N`";
        /// phase whose nodes it runs on
        "phase" phase: Option<String> => Value, "phase name", "the first phase";
        /// allocated in whole nodes (`ceil(gpus / packages_per_node)`); more than the phase has is
        /// an error
        "gpus" gpus: Input => Input, "GPU packages (integer ≥ 1)", "required";
        /// start, from the start of the window; must be before its end
        "start_day" start_day: Option<Input> => Input, "day (number ≥ 0)", "0";
        /// length
        "days" days: Option<Input> => Input, "days (number > 0)", "to the end of the window";
        /// compute between checkpoints; `auto` is Young's `sqrt(2·w·MTBF)` from the job's expected
        /// MTBF (with `w = 0` that is 0: free checkpoints taken continuously, so a failure loses
        /// no work); a fixed interval shorter than `checkpoint_write_s` is an error
        "checkpoint_interval_s" checkpoint_interval_s: Option<Input> => Input, "s of compute (quantity > 0) or `\"auto\"`", "`\"auto\"`";
        /// blocking checkpoint write time `w`
        "checkpoint_write_s" checkpoint_write_s: Option<Input> => Input, "s (quantity ≥ 0)", "300 (Meta RSC, Kokolis et al. 2024)";
        /// restart overhead after detection (relaunch, reload, catch-up)
        "restart_s" restart_s: Option<Input> => Input, "s (quantity ≥ 0)", "600, range 300–1,200 (Meta RSC)";
        /// time to swap a spare node in; it overlaps the relaunch
        "swap_s" swap_s: Option<Input> => Input, "s (quantity ≥ 0)", "300 (Crusoe: \"under 5 minutes\")";
        /// `"phase"`: any idle node of the phase replaces a lost one; `N`: N nodes reserved for the
        /// job at the start (0: no spare, the job waits for its own nodes' repair)
        "spares" spares: Option<Input> => Input, "`\"phase\"` or count (integer ≥ 0)", "`\"phase\"`";
        /// factor on the failure rates of the nodes this job holds and of its per-job classes: above
        /// 1 its nodes fail that much more often, below 1 failures drawn on them are thinned
        "rate_multiplier" rate_multiplier: Option<Input> => Input, "ratio (quantity ≥ 0)", "1";
        /// planned interruptions (the job checkpoints, then restarts)
        "planned_per_day" planned_per_day: Option<Input> => Input, "per day (quantity ≥ 0)", "`[simulation] planned_per_day`";
    }
}

schema_struct! {
    /// A failure class: in `catalog/failures.toml` (`[[class]]`) or a scenario's `[[failure]]`,
    /// which overrides a bundled class of the same name or adds one.
    pub struct FailureClassInput as "[[failure]]" {
        /// the class
        "name" name: String => Value, "identifier", "required";
        /// display name
        "label" label: Option<String> => Value, "text", "`name`";
        /// grouping for `by_category`: one of the catalog's categories, or a new one for the
        /// scenario's own classes (a name close to a known category is taken for a misspelling)
        "category" category: Option<String> => Value, "`gpu`, `host`, `network`, `dependency`, `unknown`, `unplanned_maintenance` (`catalog/failures.toml` `[categories]`)", "required for a new class";
        /// the class's count in the reference census (catalog only; the rate is count ÷ the
        /// reference GPU-hours)
        "count" count: Option<Input> => Input, "interruptions (quantity ≥ 0)", "catalog only";
        /// rate (one of `per_gpu_hour`, `per_node_day`, `per_job_day`)
        "per_gpu_hour" per_gpu_hour: Option<Input> => Input, "per GPU package-hour (quantity ≥ 0)", "one rate for a new class";
        /// rate per node (server, or compute tray) of the platform it hits
        "per_node_day" per_node_day: Option<Input> => Input, "per node-day (quantity ≥ 0)", "one rate for a new class";
        /// rate per job, whatever its size (software, collectives); the class must have blast
        /// radius `job`
        "per_job_day" per_job_day: Option<Input> => Input, "per job-day (quantity ≥ 0)", "one rate for a new class";
        /// what it takes out of service on server (HGX) platforms; `job`: the job crashes, no
        /// hardware leaves service
        "blast_radius" blast_radius: Option<String> => Value, "`job`, `node`, `nvlink_domain`, `rack`, `network_switch`, `power_row`", "required for a new class";
        /// on rack-scale platforms; `nvlink_domain` is the whole rack there
        "blast_radius_rack_scale" blast_radius_rack_scale: Option<String> => Value, "same", "`blast_radius`";
        /// from the failure until the job knows it must restart
        "detect_s" detect_s: Option<Input> => Input, "s (quantity ≥ 0)", "required for a new class";
        /// mean time until the hardware is back in its pool
        "repair_h" repair_h: Option<Input> => Input, "h (quantity > 0)", "required unless the blast radius is `job`";
        /// shape of the repair time
        "repair_distribution" repair_distribution: Option<String> => Value, "`exponential`, `fixed`, `lognormal`", "`exponential`";
        /// standard deviation ÷ mean, for `lognormal`
        "repair_cv" repair_cv: Option<Input> => Input, "ratio (quantity > 0)", "required for `lognormal`";
        /// scenario only: the entry's rate applies on this phase alone (an override then sets only
        /// the rate; a new class fails nowhere else)
        "phase" phase: Option<String> => Value, "phase name", "every phase";
        /// scenario only: the entry's `per_job_day` rate applies to this job alone
        "job" job: Option<String> => Value, "job name", "every job";
        /// whether it interrupts the job on the hardware; if false the job keeps running and takes
        /// a replacement when one is at hand
        "interrupts" interrupts: Option<bool> => Value, "true / false", "true";
    }
}
