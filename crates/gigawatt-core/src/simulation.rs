//! Simulation inputs: failure classes, recovery defaults, fleet topology and training jobs.
//!
//! `gigawatt simulate` runs a discrete-event model of the planned fleet (the `gigawatt-sim`
//! crate). Its inputs come from two places, validated here into a [`SimulationSpec`]:
//!
//! * the bundled failure catalog `catalog/failures.toml` ([`FailureCatalog`]): failure classes
//!   as data — name, category, rate, blast radius, time to detect, repair-time distribution,
//!   whether it interrupts jobs — with the H100 defaults derived from Llama 3's Table 5 by count
//!   (`rate = count / (servers × GPUs per server × days × 24)` per GPU-hour), the reliability
//!   families platforms name (`[family.NAME]`: a factor on every class and on single classes),
//!   planned interruptions, topology and job recovery defaults;
//! * the scenario's `[simulation]`, `[[job]]` and `[[failure]]` sections (see
//!   `docs/scenario.md`), which set the run, describe the training jobs and override or add
//!   failure classes.
//!
//! Every number about the world stays a [`Quantity`] with its provenance, so a run can list the
//! assumptions it rests on. Errors point into the file, as for the planner.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{Field, Form};
use crate::error::{InputError, KeyPath, SourceFile, closest};
use crate::params::InputRecord;
use crate::quantity::{BareNumbers, Estimate, Grade, Provenance, Quantity, QuantitySpec};
use crate::schema::failures::FailureCatalogFile;
use crate::schema::scenario::{FailureClassInput, Job, Simulation};
use crate::schema::{Input, Scalar};
use crate::validate;

/// The bundled failure catalog (`catalog/failures.toml`).
pub const BUNDLED_FAILURES: (&str, &str) = ("catalog/failures.toml", include_str!("../../../catalog/failures.toml"));

/// Simulated days when neither the scenario nor the command line says.
pub const DEFAULT_DAYS: f64 = 365.0;
/// Monte Carlo replicas when neither the scenario nor the command line says.
pub const DEFAULT_REPLICAS: u32 = 100;
/// Most replicas a run may ask for.
pub const MAX_REPLICAS: u32 = 100_000;
/// Longest simulated window, days (100 years).
pub const MAX_DAYS: f64 = 36_500.0;

/// What a failure takes out of service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlastRadius {
    /// The job running on the failed GPU crashes; no hardware leaves service.
    Job,
    /// The node (HGX server, or compute tray on rack-scale platforms) goes to repair.
    Node,
    /// Every node of the NVLink domain (the whole rack on rack-scale platforms).
    NvlinkDomain,
    /// Every node of the physical rack (`systems_per_rack` servers; the system on rack-scale
    /// platforms).
    Rack,
    /// Every node under the same network switch.
    NetworkSwitch,
    /// Every node of the power row.
    PowerRow,
}

impl BlastRadius {
    /// Every blast radius, smallest first.
    pub const ALL: [BlastRadius; 6] = [
        BlastRadius::Job,
        BlastRadius::Node,
        BlastRadius::NvlinkDomain,
        BlastRadius::Rack,
        BlastRadius::NetworkSwitch,
        BlastRadius::PowerRow,
    ];

    /// The name used in files and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            BlastRadius::Job => "job",
            BlastRadius::Node => "node",
            BlastRadius::NvlinkDomain => "nvlink_domain",
            BlastRadius::Rack => "rack",
            BlastRadius::NetworkSwitch => "network_switch",
            BlastRadius::PowerRow => "power_row",
        }
    }

    /// A remark for help text, where the name needs one.
    fn remark(self) -> Option<&'static str> {
        match self {
            BlastRadius::NvlinkDomain => Some("the whole rack on NVL72-class platforms"),
            _ => None,
        }
    }

    /// Every name, for help text: `job, node, nvlink_domain (…), network_switch, power_row`.
    pub fn help_list() -> String {
        let names = Self::ALL.iter().map(|b| match b.remark() {
            Some(r) => format!("{} ({r})", b.name()),
            None => b.name().to_string(),
        });
        names.collect::<Vec<_>>().join(", ")
    }

    fn parse(file: &SourceFile, path: &KeyPath, s: &str) -> Result<BlastRadius, InputError> {
        Self::ALL.into_iter().find(|b| b.name() == s).ok_or_else(|| {
            let list = Self::help_list();
            let err = InputError::at(file, path, format!("unknown blast radius `{s}`"));
            match closest(s, Self::ALL.iter().map(|b| b.name())) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Blast radii are {list}")),
                None => err.with_help(format!("blast radii are {list}")),
            }
        })
    }
}

/// The unit a failure rate is given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    /// Failures per GPU package per hour.
    PerGpuHour,
    /// Failures per node per day (HGX server, or compute tray on rack-scale platforms).
    PerNodeDay,
    /// Failures per job per day, whatever the job's size (software, collectives): such a class
    /// only crashes the job (blast radius `job`).
    PerJobDay,
}

impl RateUnit {
    /// The key a class gives its rate under (`per_gpu_hour`), as in the JSON output.
    pub fn key(self) -> &'static str {
        match self {
            RateUnit::PerGpuHour => "per_gpu_hour",
            RateUnit::PerNodeDay => "per_node_day",
            RateUnit::PerJobDay => "per_job_day",
        }
    }

    /// The unit as the listings show it (`per GPU-hour`).
    pub fn label(self) -> &'static str {
        match self {
            RateUnit::PerGpuHour => "per GPU-hour",
            RateUnit::PerNodeDay => "per node-day",
            RateUnit::PerJobDay => "per job-day",
        }
    }
}

/// The shape of a repair-time distribution (its mean is the class's `repair_h`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "shape")]
pub enum RepairShape {
    /// Exponential with the given mean.
    Exponential,
    /// Always exactly the mean.
    Fixed,
    /// Log-normal with the given mean and coefficient of variation.
    Lognormal {
        /// Standard deviation ÷ mean.
        cv: Quantity,
    },
}

/// How failed hardware comes back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Repair {
    /// Mean time from the failure until the hardware is back in the pool, hours.
    pub mean_h: Quantity,
    /// The distribution of the repair time.
    pub shape: RepairShape,
}

/// One class of failure, with its rate, what it takes down and how it is repaired.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailureClass {
    /// Identifier (`faulty_gpu`).
    pub name: String,
    /// Display label (`Faulty GPU`).
    pub label: String,
    /// Category (`gpu`, `network`, `host`, `dependency`…).
    pub category: String,
    /// Unit of `rate`.
    pub rate_unit: RateUnit,
    /// Failure rate on the reference platform (before its family's and the scenario's multipliers).
    pub rate: Quantity,
    /// What it takes down on server (HGX) platforms.
    pub blast_radius: BlastRadius,
    /// What it takes down on rack-scale (NVL72-class) platforms.
    pub blast_radius_rack_scale: BlastRadius,
    /// From the failure until the job knows it must restart, seconds.
    pub detect_s: Quantity,
    /// How the hardware comes back; `None` when the class takes no hardware out of service.
    pub repair: Option<Repair>,
    /// Whether it interrupts a job running on the failed hardware.
    pub interrupts: bool,
    /// Rates a scenario gives for one phase or one job (`[[failure]]` with `phase` or `job`),
    /// which replace `rate` there.
    pub scoped: Vec<ScopedRate>,
}

/// A class's rate on one phase or for one job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScopedRate {
    /// The phase (index) it applies on.
    pub phase: Option<usize>,
    /// The job (index) it applies to (per-job classes).
    pub job: Option<usize>,
    /// Unit of `rate`.
    pub rate_unit: RateUnit,
    /// The rate.
    pub rate: Quantity,
}

impl FailureClass {
    /// The blast radius on a platform of this form.
    pub fn blast_radius_on(&self, form: Form) -> BlastRadius {
        match form {
            Form::Rack => self.blast_radius_rack_scale,
            Form::Server => self.blast_radius,
        }
    }
}

/// How rates carry over, planned interruptions, topology and job defaults: the failure catalog.
#[derive(Clone, Debug)]
pub struct FailureCatalog {
    /// The platform the classes' rates were measured on (`h100-hgx`).
    pub reference_platform: String,
    /// GPU-hours of the reference exposure (servers × GPUs per server × days × 24).
    pub reference_gpu_hours: f64,
    /// Days of the reference exposure.
    pub reference_days: f64,
    /// The reference platform's reliability family, taken by platforms that name none.
    pub reference_family: String,
    /// The reliability families, by name (`[family.NAME]`).
    pub families: BTreeMap<String, FamilyRates>,
    /// Planned interruptions per job-day.
    pub planned_per_day: Quantity,
    /// Racks under one network switch.
    pub racks_per_network_switch: Quantity,
    /// Racks in one power row.
    pub racks_per_power_row: Quantity,
    /// Packages per node of a rack-scale platform whose file gives no `packages_per_node`.
    pub default_packages_per_node: Quantity,
    /// Default blocking checkpoint write time, seconds.
    pub checkpoint_write_s: Quantity,
    /// Default restart overhead, seconds.
    pub restart_s: Quantity,
    /// Default time to swap a spare node in, seconds.
    pub swap_s: Quantity,
    /// The categories a class may belong to, key → label (Llama 3 Table 5's).
    pub categories: BTreeMap<String, String>,
    /// The failure classes.
    pub classes: Vec<FailureClass>,
}

/// The failure rates of one reliability family, as factors on the reference classes' rates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FamilyRates {
    /// Factor on every class's rate per GPU package.
    pub rate_multiplier: Quantity,
    /// Factors on single classes, on top of `rate_multiplier`.
    pub class_multiplier: BTreeMap<String, Quantity>,
}

impl FamilyRates {
    /// The factor on class `name`'s reference rate.
    pub fn factor(&self, name: &str) -> f64 {
        let own = self.class_multiplier.get(name).map_or(1.0, |q| q.estimate.central);
        self.rate_multiplier.estimate.central * own
    }
}

/// The catalog's `[family.NAME]` tables; a class multiplier must name a known class.
fn families(
    file: &SourceFile,
    raw: &BTreeMap<String, crate::schema::failures::Family>,
    classes: &[FailureClass],
) -> Result<BTreeMap<String, FamilyRates>, InputError> {
    let mut out = BTreeMap::new();
    for (name, f) in raw {
        let path = KeyPath::root().key("family").key(name);
        let bare = BareNumbers::Forbidden;
        let rate_multiplier = quantity(
            file,
            &path.key("rate_multiplier"),
            &f.rate_multiplier,
            bare,
            "rate_multiplier",
            non_negative,
            "zero or more",
        )?;
        let mut class_multiplier = BTreeMap::new();
        for (class, v) in &f.class_multiplier {
            let cp = path.key("class_multiplier").key(class);
            if !classes.iter().any(|c| &c.name == class) {
                let err = InputError::at(file, &cp, format!("no failure class is named `{class}`"));
                return Err(match closest(class, classes.iter().map(|c| c.name.as_str())) {
                    Some(best) => err.with_help(format!("did you mean `{best}`?")),
                    None => err.with_help("name one of the [[class]]es of this file"),
                });
            }
            class_multiplier
                .insert(class.clone(), quantity(file, &cp, v, bare, "class_multiplier", non_negative, "zero or more")?);
        }
        out.insert(name.clone(), FamilyRates { rate_multiplier, class_multiplier });
    }
    Ok(out)
}

/// Reads a quantity at `path` and checks every bound.
fn quantity(
    file: &SourceFile,
    path: &KeyPath,
    v: &Input,
    bare: BareNumbers,
    what: &str,
    ok: impl Fn(f64) -> bool,
    expected: &str,
) -> Result<Quantity, InputError> {
    let q = QuantitySpec::from_input(file, path, v, bare)?;
    q.check(file, ok, what, expected)?;
    q.into_quantity().ok_or_else(|| {
        InputError::at(file, path, format!("{what} cannot be derived")).with_help("give the value itself")
    })
}

fn non_negative(x: f64) -> bool {
    x >= 0.0
}

fn positive(x: f64) -> bool {
    x > 0.0
}

fn whole_at_least_one(x: f64) -> bool {
    x >= 1.0 && x.fract() == 0.0
}

fn with_provenance(estimate: Estimate, provenance: Provenance) -> Quantity {
    Quantity { estimate, provenance }
}

impl FailureCatalog {
    /// The bundled catalog.
    pub fn bundled() -> Result<FailureCatalog, InputError> {
        let (name, text) = BUNDLED_FAILURES;
        FailureCatalog::parse(&SourceFile::new(format!("<bundled>/{name}"), text))
    }

    /// Reads a failure catalog file; every number needs a source, a rule or an assumption.
    pub fn parse(file: &SourceFile) -> Result<FailureCatalog, InputError> {
        let raw: FailureCatalogFile = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
        let root = KeyPath::root();
        let bare = BareNumbers::Forbidden;
        let count_ok = whole_at_least_one;
        let exposure = Exposure::of(file, &raw.reference)?;
        let d = exposure.days;
        let planned_path = root.key("planned").key("count");
        let planned_count =
            quantity(file, &planned_path, &raw.planned.count, bare, "planned count", non_negative, "zero or more")?;
        let planned_per_day = with_provenance(
            planned_count.estimate.scaled(1.0 / d),
            Provenance {
                grade: Some(Grade::Derived),
                derived: Some(format!("{} planned interruptions ÷ {d} days", planned_count.estimate.central)),
                ..planned_count.provenance.clone()
            },
        );
        let t = root.key("topology");
        let racks_per_network_switch = quantity(
            file,
            &t.key("racks_per_network_switch"),
            &raw.topology.racks_per_network_switch,
            bare,
            "racks_per_network_switch",
            count_ok,
            "a whole number of at least 1",
        )?;
        let racks_per_power_row = quantity(
            file,
            &t.key("racks_per_power_row"),
            &raw.topology.racks_per_power_row,
            bare,
            "racks_per_power_row",
            count_ok,
            "a whole number of at least 1",
        )?;
        let default_packages_per_node = default_packages_per_node(file, &raw.topology.packages_per_node)?;
        let jd = root.key("job_defaults");
        let checkpoint_write_s = quantity(
            file,
            &jd.key("checkpoint_write_s"),
            &raw.job_defaults.checkpoint_write_s,
            bare,
            "checkpoint_write_s",
            non_negative,
            "zero or more",
        )?;
        let restart_s = quantity(
            file,
            &jd.key("restart_s"),
            &raw.job_defaults.restart_s,
            bare,
            "restart_s",
            non_negative,
            "zero or more",
        )?;
        let swap_s =
            quantity(file, &jd.key("swap_s"), &raw.job_defaults.swap_s, bare, "swap_s", non_negative, "zero or more")?;
        let classes = catalog_classes(file, &raw.classes, &exposure, &raw.categories)?;
        let families = families(file, &raw.families, &classes)?;
        if !families.contains_key(&raw.reference.family) {
            return Err(InputError::at(
                file,
                &root.key("reference").key("family"),
                format!(
                    "the reference family `{}` has no [family.{}] table",
                    raw.reference.family, raw.reference.family
                ),
            )
            .with_help("name one of the [family.NAME] tables, e.g. family = \"hopper\""));
        }
        Ok(FailureCatalog {
            reference_platform: raw.reference.platform,
            reference_family: raw.reference.family,
            families,
            reference_gpu_hours: exposure.gpu_hours,
            reference_days: exposure.days,
            planned_per_day,
            racks_per_network_switch,
            racks_per_power_row,
            default_packages_per_node,
            checkpoint_write_s,
            restart_s,
            swap_s,
            classes,
            categories: raw.categories,
        })
    }
}

fn packages_per_node_table(
    file: &SourceFile,
    path: &KeyPath,
    table: &BTreeMap<String, Input>,
    bare: BareNumbers,
) -> Result<BTreeMap<String, Quantity>, InputError> {
    table
        .iter()
        .map(|(id, v)| {
            let q = quantity(
                file,
                &path.key(id),
                v,
                bare,
                "packages_per_node",
                whole_at_least_one,
                "a whole number of at least 1",
            )?;
            Ok((id.clone(), q))
        })
        .collect()
}

/// The reference exposure the catalog's counts are over.
struct Exposure {
    gpu_hours: f64,
    days: f64,
    text: String,
}

/// The catalog's packages per compute tray for rack-scale platforms whose file does not say:
/// `[topology.packages_per_node]` holds only `default` (platforms give their own in their file).
fn default_packages_per_node(file: &SourceFile, table: &BTreeMap<String, Input>) -> Result<Quantity, InputError> {
    let t = KeyPath::root().key("topology");
    let bare = BareNumbers::Forbidden;
    let mut packages_per_node = packages_per_node_table(file, &t.key("packages_per_node"), table, bare)?;
    if let Some(id) = packages_per_node.keys().find(|k| *k != "default") {
        return Err(InputError::at(
            file,
            &t.key("packages_per_node").key(id),
            format!("`{id}`: a platform's packages per node belong in its own file"),
        )
        .with_help(format!("set packages_per_node in catalog/platforms/{id}.toml; keep only `default` here")));
    }
    packages_per_node.remove("default").ok_or_else(|| {
        InputError::at(file, &t.key("packages_per_node"), "`packages_per_node` lacks its `default`")
            .with_help("add default = { value = 4, assumption = \"…\" }")
    })
}

/// The catalog's `[[class]]`es, each named once, with rates from their census counts.
fn catalog_classes(
    file: &SourceFile,
    classes_in: &[FailureClassInput],
    exposure: &Exposure,
    categories: &BTreeMap<String, String>,
) -> Result<Vec<FailureClass>, InputError> {
    let mut classes: Vec<FailureClass> = Vec::new();
    for (i, rc) in classes_in.iter().enumerate() {
        let path = KeyPath::root().key("class").index(i);
        if classes.iter().any(|c| c.name == rc.name) {
            return Err(InputError::at(
                file,
                &path.key("name"),
                format!("failure class `{}` is defined twice", rc.name),
            )
            .with_help("give each class its own name"));
        }
        if let Some(key) = [("phase", &rc.phase), ("job", &rc.job)].iter().find(|(_, v)| v.is_some()).map(|(k, _)| *k) {
            return Err(InputError::at(file, &path.key(key), format!("`{key}` scopes a scenario's [[failure]] only"))
                .with_help("the catalog's classes apply everywhere; remove it"));
        }
        classes.push(class_from_raw(file, &path, rc, None, BareNumbers::Forbidden, Some(exposure), categories)?);
    }
    Ok(classes)
}

impl Exposure {
    /// The census the catalog's counts are over: servers × GPUs per server × days.
    fn of(file: &SourceFile, reference: &crate::schema::failures::Reference) -> Result<Exposure, InputError> {
        let r = KeyPath::root().key("reference");
        let bare = BareNumbers::Forbidden;
        let count_ok = whole_at_least_one;
        let servers = quantity(
            file,
            &r.key("servers"),
            &reference.servers,
            bare,
            "servers",
            count_ok,
            "a whole number of at least 1",
        )?;
        let gpus = quantity(
            file,
            &r.key("gpus_per_server"),
            &reference.gpus_per_server,
            bare,
            "gpus_per_server",
            count_ok,
            "a whole number of at least 1",
        )?;
        let days = quantity(file, &r.key("days"), &reference.days, bare, "days", positive, "positive")?;
        let (s, g, d) = (servers.estimate.central, gpus.estimate.central, days.estimate.central);
        Ok(Exposure {
            gpu_hours: s * g * d * 24.0,
            text: format!("{s} servers × {g} GPUs × {d} days × 24 h = {} GPU-hours", s * g * d * 24.0),
            days: d,
        })
    }
}

/// Builds a class from its file table, on top of `base` (a scenario override of a known class).
fn class_from_raw(
    file: &SourceFile,
    path: &KeyPath,
    rc: &FailureClassInput,
    base: Option<&FailureClass>,
    bare: BareNumbers,
    exposure: Option<&Exposure>,
    categories: &BTreeMap<String, String>,
) -> Result<FailureClass, InputError> {
    let what = |k: &str| format!("{} {k}", rc.name);
    let (rate_unit, rate) = class_rate(file, path, rc, base, bare, exposure)?;
    let category = match (&rc.category, base) {
        (Some(c), _) if categories.contains_key(c) => c.clone(),
        (Some(c), _) if !c.trim().is_empty() => {
            // The catalog's classes use its categories only. A scenario may group its own classes
            // under a new category, unless the name looks like a misspelt known one.
            let near = closest(c, categories.keys().map(String::as_str));
            if exposure.is_some() || near.is_some() {
                let list = categories.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
                let err = InputError::at(file, &path.key("category"), format!("unknown failure category `{c}`"));
                return Err(match near {
                    Some(best) => err.with_help(format!("did you mean `{best}`? Categories are {list}")),
                    None => err.with_help(format!("categories are {list} (catalog/failures.toml [categories])")),
                });
            }
            c.clone()
        }
        (Some(_), _) => {
            return Err(
                InputError::at(file, &path.key("category"), "category is empty").with_help("e.g. category = \"gpu\"")
            );
        }
        (None, Some(b)) => b.category.clone(),
        (None, None) => return Err(missing_key(file, path, &rc.name, "category", "category = \"gpu\"")),
    };
    let blast_radius = match (&rc.blast_radius, base) {
        (Some(s), _) => BlastRadius::parse(file, &path.key("blast_radius"), s)?,
        (None, Some(b)) => b.blast_radius,
        (None, None) => return Err(missing_key(file, path, &rc.name, "blast_radius", "blast_radius = \"node\"")),
    };
    let blast_radius_rack_scale = match (&rc.blast_radius_rack_scale, base) {
        (Some(s), _) => BlastRadius::parse(file, &path.key("blast_radius_rack_scale"), s)?,
        (None, Some(b)) if rc.blast_radius.is_none() => b.blast_radius_rack_scale,
        _ => blast_radius,
    };
    if rate_unit == RateUnit::PerJobDay
        && (blast_radius != BlastRadius::Job || blast_radius_rack_scale != BlastRadius::Job)
    {
        return Err(InputError::at(
            file,
            &path.key(RateUnit::PerJobDay.key()),
            format!("`{}` fails per job, so it can only crash the job, not take hardware", rc.name),
        )
        .with_help("set blast_radius = \"job\", or give the rate per_gpu_hour or per_node_day"));
    }
    let detect_s = match (&rc.detect_s, base) {
        (Some(v), _) => {
            quantity(file, &path.key("detect_s"), v, bare, &what("detect_s"), non_negative, "zero or more")?
        }
        (None, Some(b)) => b.detect_s.clone(),
        (None, None) => return Err(missing_key(file, path, &rc.name, "detect_s", "detect_s = 60")),
    };
    let takes_hardware = blast_radius != BlastRadius::Job || blast_radius_rack_scale != BlastRadius::Job;
    let mean_h = match (&rc.repair_h, base.and_then(|b| b.repair.as_ref())) {
        (Some(v), _) => Some(quantity(file, &path.key("repair_h"), v, bare, &what("repair_h"), positive, "positive")?),
        (None, Some(r)) => Some(r.mean_h.clone()),
        (None, None) => None,
    };
    let shape = repair_shape(file, path, rc, base, bare)?;
    let repair = match (takes_hardware, mean_h) {
        (true, Some(mean_h)) => Some(Repair { mean_h, shape }),
        (true, None) => return Err(missing_key(file, path, &rc.name, "repair_h", "repair_h = 24")),
        (false, _) => None,
    };
    Ok(FailureClass {
        name: rc.name.clone(),
        label: rc.label.clone().or_else(|| base.map(|b| b.label.clone())).unwrap_or_else(|| rc.name.clone()),
        category,
        rate_unit,
        rate,
        blast_radius,
        blast_radius_rack_scale,
        detect_s,
        repair,
        interrupts: rc.interrupts.or(base.map(|b| b.interrupts)).unwrap_or(true),
        scoped: base.map(|b| b.scoped.clone()).unwrap_or_default(),
    })
}

/// A class's rate and its unit: from the catalog's `count`, a scenario's `per_gpu_hour` or
/// `per_node_day`, else the base class's.
fn class_rate(
    file: &SourceFile,
    path: &KeyPath,
    rc: &FailureClassInput,
    base: Option<&FailureClass>,
    bare: BareNumbers,
    exposure: Option<&Exposure>,
) -> Result<(RateUnit, Quantity), InputError> {
    let what = |k: &str| format!("{} {k}", rc.name);
    let rate_keys = [
        ("count", &rc.count),
        (RateUnit::PerGpuHour.key(), &rc.per_gpu_hour),
        (RateUnit::PerNodeDay.key(), &rc.per_node_day),
        (RateUnit::PerJobDay.key(), &rc.per_job_day),
    ];
    let given: Vec<&str> = rate_keys.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| *k).collect();
    if given.len() > 1 {
        return Err(InputError::at(
            file,
            &path.key(given[1]),
            format!("give one rate for `{}`, not both {} and {}", rc.name, given[0], given[1]),
        )
        .with_help("a class's rate is one of per_gpu_hour, per_node_day or per_job_day"));
    }
    let unit_rate = |unit: RateUnit, v: &Input| -> Result<(RateUnit, Quantity), InputError> {
        let q = quantity(file, &path.key(unit.key()), v, bare, &what("rate"), non_negative, "zero or more")?;
        Ok((unit, q))
    };
    let rate = match (&rc.count, &rc.per_gpu_hour, &rc.per_node_day, &rc.per_job_day) {
        (Some(v), _, _, _) => {
            let Some(exp) = exposure else {
                return Err(InputError::at(file, &path.key("count"), "`count` is only for the failure catalog")
                    .with_help("a scenario gives a class's rate as per_gpu_hour, per_node_day or per_job_day"));
            };
            let count = quantity(file, &path.key("count"), v, bare, &what("count"), non_negative, "zero or more")?;
            let rate = with_provenance(
                count.estimate.scaled(1.0 / exp.gpu_hours),
                Provenance {
                    grade: Some(Grade::Derived),
                    derived: Some(format!("{} interruptions ÷ ({})", count.estimate.central, exp.text)),
                    ..count.provenance
                },
            );
            Some((RateUnit::PerGpuHour, rate))
        }
        (None, Some(v), _, _) => Some(unit_rate(RateUnit::PerGpuHour, v)?),
        (None, None, Some(v), _) => Some(unit_rate(RateUnit::PerNodeDay, v)?),
        (None, None, None, Some(v)) => Some(unit_rate(RateUnit::PerJobDay, v)?),
        (None, None, None, None) => base.map(|b| (b.rate_unit, b.rate.clone())),
    };
    rate.ok_or_else(|| missing_key(file, path, &rc.name, "per_gpu_hour", "per_gpu_hour = 1e-6"))
}

/// The error for a new class without a key it needs.
fn missing_key(file: &SourceFile, path: &KeyPath, name: &str, key: &str, example: &str) -> InputError {
    InputError::at(file, path, format!("failure class `{name}` lacks `{key}`")).with_help(format!(
        "a new class needs category, a rate (per_gpu_hour, per_node_day or per_job_day), blast_radius, detect_s and repair_h; e.g. {example}"
    ))
}

/// The shape of a class's repair time: its own, else the base class's, else exponential.
fn repair_shape(
    file: &SourceFile,
    path: &KeyPath,
    rc: &FailureClassInput,
    base: Option<&FailureClass>,
    bare: BareNumbers,
) -> Result<RepairShape, InputError> {
    let what = |k: &str| format!("{} {k}", rc.name);
    let base_shape = base.and_then(|b| b.repair.as_ref()).map(|r| r.shape.clone());
    let shape = match rc.repair_distribution.as_deref() {
        None => base_shape.unwrap_or(RepairShape::Exponential),
        Some("exponential") => RepairShape::Exponential,
        Some("fixed") => RepairShape::Fixed,
        Some("lognormal") => {
            let cv = match (&rc.repair_cv, base_shape) {
                (Some(v), _) => {
                    quantity(file, &path.key("repair_cv"), v, bare, &what("repair_cv"), positive, "positive")?
                }
                (None, Some(RepairShape::Lognormal { cv })) => cv,
                (None, _) => {
                    return Err(InputError::at(
                        file,
                        &path.key("repair_distribution"),
                        "a log-normal repair time needs `repair_cv`",
                    )
                    .with_help("add repair_cv = 1.0 (standard deviation ÷ mean)"));
                }
            };
            RepairShape::Lognormal { cv }
        }
        Some(other) => {
            let names = ["exponential", "fixed", "lognormal"];
            let err = InputError::at(
                file,
                &path.key("repair_distribution"),
                format!("unknown repair distribution `{other}`"),
            );
            return Err(match closest(other, names) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Use exponential, fixed or lognormal")),
                None => err.with_help("use exponential, fixed or lognormal"),
            });
        }
    };
    match (shape, &rc.repair_cv) {
        (RepairShape::Lognormal { cv }, _) => Ok(RepairShape::Lognormal { cv }),
        (s, None) => Ok(s),
        (_, Some(_)) => {
            Err(InputError::at(file, &path.key("repair_cv"), "`repair_cv` applies to a log-normal repair time only")
                .with_help("add repair_distribution = \"lognormal\", or remove repair_cv"))
        }
    }
}

/// When a job checkpoints.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointInterval {
    /// Young's interval sqrt(2·w·MTBF) from the job's expected MTBF.
    Auto,
    /// A fixed interval of compute between checkpoints, seconds.
    Fixed(Quantity),
}

/// Where a job's replacement nodes come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Spares {
    /// Any idle node of the job's phase.
    Phase,
    /// This many nodes reserved for the job; 0 means it waits for its own nodes' repair.
    Reserved(u64),
}

/// What `--spares-for` (or `[simulation] spares_for`) sizes each phase's spare pool for: the
/// smallest pool at which every job drawing from it reaches this mean availability or ETTR.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "metric", content = "target")]
pub enum SparesTarget {
    /// Share of wall time the job holds all its nodes.
    Availability(f64),
    /// Productive time ÷ wall time.
    Ettr(f64),
}

impl SparesTarget {
    /// Reads `availability=0.99`, `ettr=0.9` or a bare `0.99` (availability).
    pub fn parse(text: &str) -> Result<SparesTarget, String> {
        let t = text.trim();
        let (metric, value) = t.split_once('=').map_or(("availability", t), |(m, v)| (m.trim(), v.trim()));
        let x: f64 = value.parse().map_err(|_| format!("`{value}` is not a number"))?;
        if !(x > 0.0 && x <= 1.0) {
            return Err(format!("the target must be above 0 and at most 1, found {value}"));
        }
        match metric {
            "availability" => Ok(SparesTarget::Availability(x)),
            "ettr" => Ok(SparesTarget::Ettr(x)),
            other => Err(format!("`{other}` is not a spares target; use availability=X or ettr=X")),
        }
    }

    /// `availability` or `ettr`.
    pub fn metric(self) -> &'static str {
        match self {
            SparesTarget::Availability(_) => "availability",
            SparesTarget::Ettr(_) => "ettr",
        }
    }

    /// The target value.
    pub fn value(self) -> f64 {
        match self {
            SparesTarget::Availability(x) | SparesTarget::Ettr(x) => x,
        }
    }
}

/// A training job, validated.
#[derive(Clone, Debug, Serialize)]
pub struct JobSpec {
    /// Name.
    pub name: String,
    /// Index of the phase it runs on.
    pub phase: usize,
    /// GPU packages it uses.
    pub gpus: u64,
    /// Day it starts (from the start of the simulation).
    pub start_day: f64,
    /// Length, days (`None`: until the end of the simulation).
    pub days: Option<f64>,
    /// Checkpoint interval.
    pub checkpoint_interval: CheckpointInterval,
    /// Blocking checkpoint write time w, seconds.
    pub checkpoint_write_s: Quantity,
    /// Restart overhead u0 after detection (relaunch, reload, catch-up), seconds.
    pub restart_s: Quantity,
    /// Time to swap a spare node in, seconds.
    pub swap_s: Quantity,
    /// Where replacements come from.
    pub spares: Spares,
    /// Planned interruptions per day.
    pub planned_per_day: Quantity,
    /// Factor on the failure rates of the job's nodes and per-job classes (`None`: 1).
    pub rate_multiplier: Option<Quantity>,
    /// Where the job was written, for errors found later.
    #[serde(skip)]
    pub path: KeyPath,
}

/// How the fleet of one phase divides into nodes.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseTopology {
    /// Rack-scale system or servers.
    pub form: Form,
    /// GPU packages per node.
    pub packages_per_node: u32,
    /// Where `packages_per_node` comes from.
    pub packages_per_node_quantity: Quantity,
    /// Nodes per system (1 for servers; trays per rack for rack-scale platforms).
    pub nodes_per_system: u32,
    /// The platform's own factor on its family's rates (`failure_rate_multiplier` in its file, else 1).
    pub platform_multiplier: f64,
    /// The reliability family whose rates the phase takes.
    pub family: String,
    /// Whether the platform file names the family (otherwise it is the reference family's, an
    /// assumption listed with the inputs).
    pub family_named: bool,
    /// The platform's memory generation (`HBM3e`), naming the memory failure class.
    pub memory_type: Option<String>,
    /// The scenario's factor on this phase's rates (`[simulation.phase_rate_multiplier]`).
    pub rate_multiplier: Option<Quantity>,
    /// The platform's id.
    pub platform: String,
    /// The platform file's factors on single classes (`failure_class_multiplier`).
    pub class_multiplier: BTreeMap<String, Quantity>,
}

/// Everything a simulation of a scenario needs beside the plan, validated.
#[derive(Clone, Debug, Serialize)]
pub struct SimulationSpec {
    /// Whether the scenario asks for a simulation: it has a `[simulation]` section, a `[[job]]` or
    /// a `[[failure]]`. Reports and the dashboard simulate only such scenarios; `gigawatt
    /// simulate` runs any scenario with the defaults.
    pub declared: bool,
    /// Simulated days.
    pub days: f64,
    /// Monte Carlo replicas.
    pub replicas: u32,
    /// Platform the failure rates were measured on.
    pub reference_platform: String,
    /// The reliability families of the failure catalog.
    pub families: BTreeMap<String, FamilyRates>,
    /// The scenario's factor on every platform's rates (`[simulation] rate_multiplier`).
    pub rate_multiplier: Option<Quantity>,
    /// Racks under one network switch.
    pub racks_per_network_switch: Quantity,
    /// Racks in one power row.
    pub racks_per_power_row: Quantity,
    /// Time to detect that replaces every class's own, when the scenario sets one.
    pub detect_override: Option<Quantity>,
    /// Node layout, one per phase of the model.
    pub phases: Vec<PhaseTopology>,
    /// Failure classes (the catalog's, with the scenario's overrides and additions).
    pub classes: Vec<FailureClass>,
    /// Training jobs.
    pub jobs: Vec<JobSpec>,
    /// What to size each phase's spare pool for (`[simulation] spares_for`), if anything.
    pub spares_for: Option<SparesTarget>,
    /// Lemon nodes, if the scenario has any.
    pub lemons: Option<Lemons>,
}

/// "Lemon" nodes: a share of every phase's nodes failing at a multiple of the others' rate
/// (Kokolis et al. 2024 describe such repeat offenders at Meta RSC; no public share or factor).
#[derive(Clone, Debug, Serialize)]
pub struct Lemons {
    /// Share of each phase's nodes that are lemons.
    pub share: Quantity,
    /// A lemon's failure rate ÷ an ordinary node's.
    pub rate_factor: Quantity,
}

/// What the simulation needs to know of a scenario's phase (the loader passes it in, so this
/// module needs nothing of the scenario's other types).
#[derive(Clone, Debug)]
pub struct PhaseShape {
    /// The phase's name (jobs name their phase).
    pub name: String,
    /// Its platform's id.
    pub platform: String,
    /// Rack-scale system or servers.
    pub form: Form,
    /// GPU packages per system, at central inputs.
    pub packages_per_system: u32,
}

/// Builds the simulation inputs of a scenario (called by [`crate::load_scenario`]).
pub(crate) fn build(
    file: &SourceFile,
    phases: &[PhaseShape],
    platforms: &crate::catalog::Catalog,
    sim: Option<&Simulation>,
    jobs: &[Job],
    failures: &[FailureClassInput],
) -> Result<SimulationSpec, InputError> {
    let cat = FailureCatalog::bundled()?;
    let empty = Simulation {
        days: None,
        replicas: None,
        detect_s: None,
        rate_multiplier: None,
        phase_rate_multiplier: None,
        failures: None,
        spares_for: None,
        lemon_share: None,
        lemon_rate_factor: None,
        racks_per_network_switch: None,
        racks_per_power_row: None,
        planned_per_day: None,
        packages_per_node: None,
    };
    let s = sim.unwrap_or(&empty);
    let (days, replicas) = run_length(file, s)?;
    let fleet = fleet_settings(file, s, &cat)?;
    let topology = phase_topology(file, s, phases, platforms, &cat)?;
    let bundled = bundled_classes(file, s, &cat)?;
    let scope = Scope::of(phases, jobs);
    let classes = failure_classes(file, failures, bundled, &scope, &cat, fleet.detect_override.as_ref())?;
    check_platform_classes(file, &topology, &classes)?;
    let job_specs = job_specs(file, jobs, phases, &cat, &fleet.planned_per_day)?;
    Ok(SimulationSpec {
        declared: sim.is_some() || !jobs.is_empty() || !failures.is_empty(),
        days,
        replicas,
        reference_platform: cat.reference_platform,
        families: cat.families,
        rate_multiplier: fleet.rate_multiplier,
        racks_per_network_switch: fleet.racks_per_network_switch,
        racks_per_power_row: fleet.racks_per_power_row,
        detect_override: fleet.detect_override,
        phases: topology,
        classes,
        jobs: job_specs,
        lemons: lemons(file, s)?,
        spares_for: s
            .spares_for
            .as_deref()
            .map(|t| {
                SparesTarget::parse(t).map_err(|why| {
                    InputError::at(file, &KeyPath::root().key("simulation").key("spares_for"), why)
                        .with_help("write spares_for = \"availability=0.99\" or \"ettr=0.9\"")
                })
            })
            .transpose()?,
    })
}

/// The simulated window and the number of replicas (`[simulation] days`, `replicas`).
fn run_length(file: &SourceFile, s: &Simulation) -> Result<(f64, u32), InputError> {
    let sp = KeyPath::root().key("simulation");
    let days = match s.days {
        None => DEFAULT_DAYS,
        Some(d) if d > 0.0 && d <= MAX_DAYS => d,
        Some(d) => {
            return Err(InputError::at(file, &sp.key("days"), format!("days = {d} is out of range"))
                .with_help("simulate between a fraction of a day and 36,500 days"));
        }
    };
    let replicas = match &s.replicas {
        None => DEFAULT_REPLICAS,
        Some(toml::Value::Integer(n)) if (1..=MAX_REPLICAS as i64).contains(n) => *n as u32,
        Some(v) => {
            return Err(InputError::at(
                file,
                &sp.key("replicas"),
                format!("replicas = {v} is not a count from 1 to 100,000"),
            )
            .with_help("give a whole number of Monte Carlo replicas, e.g. replicas = 1000"));
        }
    };
    Ok((days, replicas))
}

/// The fleet-wide inputs of `[simulation]`, each the scenario's or the failure catalog's.
struct FleetSettings {
    rate_multiplier: Option<Quantity>,
    racks_per_network_switch: Quantity,
    racks_per_power_row: Quantity,
    planned_per_day: Quantity,
    detect_override: Option<Quantity>,
}

/// Reads the fleet-wide inputs of `[simulation]`, falling back on the failure catalog.
fn fleet_settings(file: &SourceFile, s: &Simulation, cat: &FailureCatalog) -> Result<FleetSettings, InputError> {
    let sp = KeyPath::root().key("simulation");
    let bare = BareNumbers::Assumed;
    let opt = |v: &Option<Input>,
               key: &str,
               ok: fn(f64) -> bool,
               expected: &str,
               default: &Quantity|
     -> Result<Quantity, InputError> {
        match v {
            Some(v) => quantity(file, &sp.key(key), v, bare, key, ok, expected),
            None => Ok(default.clone()),
        }
    };
    let whole = "a whole number of at least 1";
    Ok(FleetSettings {
        rate_multiplier: s
            .rate_multiplier
            .as_ref()
            .map(|v| {
                quantity(file, &sp.key("rate_multiplier"), v, bare, "rate_multiplier", non_negative, "zero or more")
            })
            .transpose()?,
        racks_per_network_switch: opt(
            &s.racks_per_network_switch,
            "racks_per_network_switch",
            whole_at_least_one,
            whole,
            &cat.racks_per_network_switch,
        )?,
        racks_per_power_row: opt(
            &s.racks_per_power_row,
            "racks_per_power_row",
            whole_at_least_one,
            whole,
            &cat.racks_per_power_row,
        )?,
        planned_per_day: opt(
            &s.planned_per_day,
            "planned_per_day",
            non_negative,
            "zero or more",
            &cat.planned_per_day,
        )?,
        detect_override: s
            .detect_s
            .as_ref()
            .map(|v| quantity(file, &sp.key("detect_s"), v, bare, "detect_s", non_negative, "zero or more"))
            .transpose()?,
    })
}

/// Each phase's node geometry: packages per node (the server, or the compute tray from the
/// scenario, the platform file or the catalog default) and the platform's own failure-rate factor.
fn phase_topology(
    file: &SourceFile,
    s: &Simulation,
    phases: &[PhaseShape],
    platforms: &crate::catalog::Catalog,
    cat: &FailureCatalog,
) -> Result<Vec<PhaseTopology>, InputError> {
    let sp = KeyPath::root().key("simulation");
    let mut overrides = BTreeMap::new();
    if let Some(t) = &s.packages_per_node {
        for (id, q) in packages_per_node_table(file, &sp.key("packages_per_node"), t, BareNumbers::Assumed)? {
            if platforms.get(&id).is_none() {
                return Err(platforms.unknown(file, &sp.key("packages_per_node").key(&id), &id));
            }
            overrides.insert(id, q);
        }
    }
    let mut phase_multipliers = phase_rate_multipliers(file, s, phases)?;
    let mut topo = Vec::with_capacity(phases.len());
    for (i, p) in phases.iter().enumerate() {
        let platform = platforms.get(&p.platform);
        let pps = p.packages_per_system;
        let (ppn, q) = match p.form {
            Form::Server => (
                pps,
                with_provenance(
                    Estimate::exact(pps as f64),
                    Provenance {
                        derived: Some(format!("a node is one {} server (packages_per_system)", p.platform)),
                        origin: "catalog".into(),
                        ..Provenance::default()
                    },
                ),
            ),
            Form::Rack => {
                let own = platform.and_then(|pl| pl.get(Field::PackagesPerNode));
                let q = overrides
                    .get(&p.platform)
                    .or(own)
                    .cloned()
                    .unwrap_or_else(|| cat.default_packages_per_node.clone());
                (q.estimate.central.round() as u32, q)
            }
        };
        if ppn == 0 || !pps.is_multiple_of(ppn) {
            return Err(InputError::at(
                file,
                &KeyPath::root().key("phase").index(i).key("platform"),
                format!("{} has {pps} packages per system, not a whole number of nodes of {ppn} packages", p.platform),
            )
            .with_help(format!("set [simulation.packages_per_node] {} = N with N dividing {pps}", p.platform)));
        }
        let named = platform.and_then(|pl| pl.reliability_family.clone());
        let family = named.clone().unwrap_or_else(|| cat.reference_family.clone());
        if !cat.families.contains_key(&family) {
            let known = cat.families.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
            return Err(InputError::at(
                file,
                &KeyPath::root().key("phase").index(i).key("platform"),
                format!(
                    "platform `{}` names reliability family `{family}`, which catalog/failures.toml lacks",
                    p.platform
                ),
            )
            .with_help(format!("set reliability_family in the platform file to one of {known}")));
        }
        topo.push(PhaseTopology {
            form: p.form,
            packages_per_node: ppn,
            packages_per_node_quantity: q,
            nodes_per_system: pps / ppn,
            platform_multiplier: platform.and_then(|pl| pl.central(Field::FailureRateMultiplier)).unwrap_or(1.0),
            family,
            family_named: named.is_some(),
            memory_type: platform.and_then(|pl| pl.memory_type.clone()),
            rate_multiplier: phase_multipliers.remove(&p.name),
            platform: p.platform.clone(),
            class_multiplier: platform.map(|pl| pl.failure_class_multiplier.clone()).unwrap_or_default(),
        });
    }
    Ok(topo)
}

/// Every class a phase's platform file multiplies exists (the platform file cannot know a
/// scenario's classes, so this is checked here, pointing at the phase).
fn check_platform_classes(
    file: &SourceFile,
    phases: &[PhaseTopology],
    classes: &[FailureClass],
) -> Result<(), InputError> {
    for (i, t) in phases.iter().enumerate() {
        for name in t.class_multiplier.keys() {
            if classes.iter().any(|c| &c.name == name) {
                continue;
            }
            let known = classes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
            return Err(InputError::at(
                file,
                &KeyPath::root().key("phase").index(i).key("platform"),
                format!(
                    "platform `{}` sets failure_class_multiplier.{name}, but no failure class is named `{name}`",
                    t.platform
                ),
            )
            .with_help(format!("name one of {known} in the platform file")));
        }
    }
    Ok(())
}

/// `[simulation] lemon_share` and `lemon_rate_factor`, given together or not at all.
fn lemons(file: &SourceFile, s: &Simulation) -> Result<Option<Lemons>, InputError> {
    let sp = KeyPath::root().key("simulation");
    let bare = BareNumbers::Assumed;
    match (&s.lemon_share, &s.lemon_rate_factor) {
        (None, None) => Ok(None),
        (Some(share), Some(factor)) => Ok(Some(Lemons {
            share: quantity(
                file,
                &sp.key("lemon_share"),
                share,
                bare,
                "lemon_share",
                |x| (0.0..=1.0).contains(&x),
                "from 0 to 1",
            )?,
            rate_factor: quantity(
                file,
                &sp.key("lemon_rate_factor"),
                factor,
                bare,
                "lemon_rate_factor",
                |x| x >= 1.0,
                "at least 1",
            )?,
        })),
        (Some(_), None) => Err(InputError::at(file, &sp.key("lemon_share"), "lemon_share needs lemon_rate_factor")
            .with_help("add lemon_rate_factor = 10 (a lemon fails 10 times as often as other nodes)")),
        (None, Some(_)) => {
            Err(InputError::at(file, &sp.key("lemon_rate_factor"), "lemon_rate_factor needs lemon_share")
                .with_help("add lemon_share = 0.01 (1% of each phase's nodes are lemons)"))
        }
    }
}

/// `[simulation.phase_rate_multiplier]`: phase name → factor on that phase's rates.
fn phase_rate_multipliers(
    file: &SourceFile,
    s: &Simulation,
    phases: &[PhaseShape],
) -> Result<BTreeMap<String, Quantity>, InputError> {
    let path = KeyPath::root().key("simulation").key("phase_rate_multiplier");
    let mut out = BTreeMap::new();
    for (name, v) in s.phase_rate_multiplier.iter().flatten() {
        let kp = path.key(name);
        if !phases.iter().any(|p| &p.name == name) {
            let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
            let err = InputError::at(file, &kp, format!("no phase is named `{name}`"));
            return Err(match closest(name, names.iter().copied()) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Phases: {}", names.join(", "))),
                None => err.with_help(format!("phases: {}", names.join(", "))),
            });
        }
        out.insert(
            name.clone(),
            quantity(file, &kp, v, BareNumbers::Assumed, "phase_rate_multiplier", non_negative, "zero or more")?,
        );
    }
    Ok(out)
}

/// The classes a scenario starts from: the catalog's (`failures = "bundled"`, the default) or none
/// (`failures = "none"`: only the scenario's own `[[failure]]`s).
fn bundled_classes(file: &SourceFile, s: &Simulation, cat: &FailureCatalog) -> Result<Vec<FailureClass>, InputError> {
    match s.failures.as_deref() {
        None | Some("bundled") => Ok(cat.classes.clone()),
        Some("none") => Ok(Vec::new()),
        Some(other) => {
            let err = InputError::at(
                file,
                &KeyPath::root().key("simulation").key("failures"),
                format!("`{other}` is not a set of failure classes"),
            );
            Err(match closest(other, ["bundled", "none"]) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Write failures = \"bundled\" or \"none\"")),
                None => err
                    .with_help("write failures = \"bundled\" (the catalog's classes) or \"none\" (only [[failure]]s)"),
            })
        }
    }
}

/// The starting classes with the scenario's `[[failure]]` overrides and additions, and
/// `[simulation] detect_s` applied to all.
fn failure_classes(
    file: &SourceFile,
    failures: &[FailureClassInput],
    mut classes: Vec<FailureClass>,
    scope: &Scope,
    cat: &FailureCatalog,
    detect_override: Option<&Quantity>,
) -> Result<Vec<FailureClass>, InputError> {
    for (i, rc) in failures.iter().enumerate() {
        let path = KeyPath::root().key("failure").index(i);
        if rc.phase.is_some() || rc.job.is_some() {
            scoped_failure(file, &path, rc, &mut classes, scope, cat)?;
            continue;
        }
        match classes.iter().position(|c| c.name == rc.name) {
            Some(k) => {
                let c =
                    class_from_raw(file, &path, rc, Some(&classes[k]), BareNumbers::Assumed, None, &cat.categories)?;
                classes[k] = c;
            }
            None => classes.push(class_from_raw(file, &path, rc, None, BareNumbers::Assumed, None, &cat.categories)?),
        }
    }
    if let Some(d) = detect_override {
        for c in &mut classes {
            c.detect_s = d.clone();
        }
    }
    Ok(classes)
}

/// The names a scoped `[[failure]]` may name: the phases' and the jobs'.
pub(crate) struct Scope {
    phases: Vec<String>,
    jobs: Vec<String>,
}

impl Scope {
    fn of(phases: &[PhaseShape], jobs: &[Job]) -> Scope {
        Scope {
            phases: phases.iter().map(|p| p.name.clone()).collect(),
            jobs: jobs
                .iter()
                .enumerate()
                .map(|(i, j)| j.name.clone().unwrap_or_else(|| format!("job {}", i + 1)))
                .collect(),
        }
    }
}

/// The index of `name` among `names`, or a located error suggesting the closest.
fn named(file: &SourceFile, path: &KeyPath, what: &str, name: &str, names: &[String]) -> Result<usize, InputError> {
    names.iter().position(|n| n == name).ok_or_else(|| {
        let err = InputError::at(file, path, format!("no {what} is named `{name}`"));
        let list = names.join(", ");
        match closest(name, names.iter().map(String::as_str)) {
            Some(best) => err.with_help(format!("did you mean `{best}`? {what}s: {list}")),
            None => err.with_help(format!("{what}s: {list}")),
        }
    })
}

/// A `[[failure]]` with `phase` or `job`: its rate replaces the class's there alone. On a known
/// class it may set only the rate; a new class is defined in full and fails nowhere else.
fn scoped_failure(
    file: &SourceFile,
    path: &KeyPath,
    rc: &FailureClassInput,
    classes: &mut Vec<FailureClass>,
    scope: &Scope,
    cat: &FailureCatalog,
) -> Result<(), InputError> {
    if rc.phase.is_some() && rc.job.is_some() {
        return Err(InputError::at(file, &path.key("job"), "give a [[failure]] either `phase` or `job`, not both")
            .with_help("write one [[failure]] per phase or per job"));
    }
    let phase = rc.phase.as_deref().map(|p| named(file, &path.key("phase"), "phase", p, &scope.phases)).transpose()?;
    let job = rc.job.as_deref().map(|j| named(file, &path.key("job"), "job", j, &scope.jobs)).transpose()?;
    let k = match classes.iter().position(|c| c.name == rc.name) {
        Some(k) => {
            let others = [
                ("label", rc.label.is_some()),
                ("category", rc.category.is_some()),
                ("blast_radius", rc.blast_radius.is_some()),
                ("blast_radius_rack_scale", rc.blast_radius_rack_scale.is_some()),
                ("detect_s", rc.detect_s.is_some()),
                ("repair_h", rc.repair_h.is_some()),
                ("repair_distribution", rc.repair_distribution.is_some()),
                ("repair_cv", rc.repair_cv.is_some()),
                ("interrupts", rc.interrupts.is_some()),
            ];
            if let Some((key, _)) = others.iter().find(|(_, given)| *given) {
                return Err(InputError::at(
                    file,
                    &path.key(key),
                    format!("a [[failure]] scoped to one phase or job sets only the rate of `{}`", rc.name),
                )
                .with_help("override the class everywhere in a [[failure]] without phase or job"));
            }
            k
        }
        None => {
            let mut c = class_from_raw(file, path, rc, None, BareNumbers::Assumed, None, &cat.categories)?;
            c.rate = Quantity {
                estimate: Estimate::exact(0.0),
                provenance: Provenance {
                    derived: Some("fails only where its [[failure]] scopes it".into()),
                    ..Provenance::default()
                },
            };
            classes.push(c);
            classes.len() - 1
        }
    };
    let (rate_unit, rate) = class_rate(file, path, rc, None, BareNumbers::Assumed, None)?;
    if job.is_some() && rate_unit != RateUnit::PerJobDay {
        return Err(InputError::at(file, &path.key(rate_unit.key()), "a [[failure]] scoped to a job gives its rate per_job_day")
            .with_help("scope a per-GPU or per-node rate to the job's phase instead (phase = \"…\"), or use [[job]] rate_multiplier"));
    }
    if job.is_none() && rate_unit == RateUnit::PerJobDay && classes[k].rate_unit != RateUnit::PerJobDay {
        return Err(InputError::at(
            file,
            &path.key(rate_unit.key()),
            format!("`{}` scales with hardware; give its rate per_gpu_hour or per_node_day", rc.name),
        )
        .with_help("only a per-job class takes per_job_day"));
    }
    classes[k].scoped.push(ScopedRate { phase, job, rate_unit, rate });
    Ok(())
}

/// The scenario's `[[job]]`s, validated, with distinct names.
fn job_specs(
    file: &SourceFile,
    jobs: &[Job],
    phases: &[PhaseShape],
    cat: &FailureCatalog,
    planned_per_day: &Quantity,
) -> Result<Vec<JobSpec>, InputError> {
    let mut specs: Vec<JobSpec> = Vec::with_capacity(jobs.len());
    for (i, rj) in jobs.iter().enumerate() {
        let job = job(file, i, rj, phases, cat, planned_per_day)?;
        if specs.iter().any(|j| j.name == job.name) {
            return Err(InputError::at(
                file,
                &KeyPath::root().key("job").index(i).key("name"),
                format!("two jobs are named `{}`", job.name),
            )
            .with_help("give each job its own name"));
        }
        specs.push(job);
    }
    Ok(specs)
}

fn job(
    file: &SourceFile,
    i: usize,
    rj: &Job,
    phases: &[PhaseShape],
    cat: &FailureCatalog,
    planned_default: &Quantity,
) -> Result<JobSpec, InputError> {
    let path = KeyPath::root().key("job").index(i);
    let bare = BareNumbers::Assumed;
    let name = rj.name.clone().unwrap_or_else(|| format!("job {}", i + 1));
    let phase = match &rj.phase {
        None => 0,
        Some(p) => phases.iter().position(|ph| &ph.name == p).ok_or_else(|| {
            let names: Vec<&str> = phases.iter().map(|ph| ph.name.as_str()).collect();
            let err = InputError::at(file, &path.key("phase"), format!("no phase is named `{p}`"));
            match closest(p, names.iter().copied()) {
                Some(best) => err.with_help(format!("did you mean `{best}`? Phases: {}", names.join(", "))),
                None => err.with_help(format!("phases: {}", names.join(", "))),
            }
        })?,
    };
    let gpus = match validate::integer(file, &path.key("gpus"), &rj.gpus, "gpus") {
        Ok(n) if n >= 1 => n as u64,
        other => {
            let found = other.map_or_else(|_| rj.gpus.type_str().to_string(), |n| n.to_string());
            return Err(InputError::at(
                file,
                &path.key("gpus"),
                format!("gpus must be a whole number of at least 1, found {found}"),
            )
            .with_help("give the GPU packages the job trains on, e.g. gpus = 16384"));
        }
    };
    let start_day = match &rj.start_day {
        None => 0.0,
        Some(v) => {
            let d = validate::number(file, &path.key("start_day"), v, "start_day")?;
            if d < 0.0 {
                return Err(InputError::at(
                    file,
                    &path.key("start_day"),
                    format!("start_day must be zero or more, found {d}"),
                )
                .with_help("give the day the job starts, counted from the start of the simulation"));
            }
            d
        }
    };
    let days = match &rj.days {
        None => None,
        Some(v) => {
            let d = validate::number(file, &path.key("days"), v, "days")?;
            if d <= 0.0 {
                return Err(InputError::at(file, &path.key("days"), format!("days must be positive, found {d}"))
                    .with_help("give the job's length in days, or leave it out to run to the end of the simulation"));
            }
            Some(d)
        }
    };
    let q = |v: &Option<Input>, key: &str, default: &Quantity| -> Result<Quantity, InputError> {
        match v {
            Some(v) => quantity(file, &path.key(key), v, bare, key, non_negative, "zero or more"),
            None => Ok(default.clone()),
        }
    };
    let checkpoint_write_s = q(&rj.checkpoint_write_s, "checkpoint_write_s", &cat.checkpoint_write_s)?;
    let restart_s = q(&rj.restart_s, "restart_s", &cat.restart_s)?;
    let swap_s = q(&rj.swap_s, "swap_s", &cat.swap_s)?;
    let planned_per_day = q(&rj.planned_per_day, "planned_per_day", planned_default)?;
    let rate_multiplier = rj
        .rate_multiplier
        .as_ref()
        .map(|v| quantity(file, &path.key("rate_multiplier"), v, bare, "rate_multiplier", non_negative, "zero or more"))
        .transpose()?;
    let checkpoint_interval = checkpoint_interval(file, &path, rj.checkpoint_interval_s.as_ref(), &checkpoint_write_s)?;
    let spares = spares(file, &path, rj.spares.as_ref())?;
    Ok(JobSpec {
        name,
        phase,
        gpus,
        start_day,
        days,
        checkpoint_interval,
        checkpoint_write_s,
        restart_s,
        swap_s,
        spares,
        planned_per_day,
        rate_multiplier,
        path,
    })
}

/// A job's checkpoint interval: `"auto"` (Young's) or a fixed quantity no shorter than a write.
fn checkpoint_interval(
    file: &SourceFile,
    path: &KeyPath,
    given: Option<&Input>,
    checkpoint_write_s: &Quantity,
) -> Result<CheckpointInterval, InputError> {
    let ip = path.key("checkpoint_interval_s");
    let v = match (given, given.and_then(validate::keyword)) {
        (None, _) | (_, Some("auto")) => return Ok(CheckpointInterval::Auto),
        (_, Some(s)) => {
            return Err(InputError::at(file, &ip, format!("`{s}` is not a checkpoint interval"))
                .with_help("write checkpoint_interval_s = \"auto\" (Young's sqrt(2·w·MTBF)) or a number of seconds"));
        }
        (Some(v), None) => v,
    };
    let iq = quantity(file, &ip, v, BareNumbers::Assumed, "checkpoint_interval_s", positive, "positive")?;
    let w = checkpoint_write_s.estimate.central;
    if iq.estimate.central < w {
        return Err(InputError::at(
            file,
            &ip,
            format!(
                "the checkpoint interval ({} s) is shorter than its write time (checkpoint_write_s = {w} s)",
                iq.estimate.central
            ),
        )
        .with_help("checkpoint at most as often as a write takes, or write checkpoint_interval_s = \"auto\""));
    }
    Ok(CheckpointInterval::Fixed(iq))
}

/// Where a job's replacement nodes come from: `"phase"` or a count of nodes reserved for it.
fn spares(file: &SourceFile, path: &KeyPath, given: Option<&Input>) -> Result<Spares, InputError> {
    match given {
        None => Ok(Spares::Phase),
        Some(v) if validate::keyword(v) == Some("phase") => Ok(Spares::Phase),
        Some(Input::Bare(Scalar::Integer(n))) if *n >= 0 => Ok(Spares::Reserved(*n as u64)),
        Some(v) => {
            let shown = match v {
                Input::Bare(s) => s.to_toml().to_string(),
                Input::Table(_) => "a table".to_string(),
            };
            Err(InputError::at(file, &path.key("spares"), format!("spares = {shown} is not a spare policy"))
                .with_help("write spares = \"phase\" (any idle node of the phase) or a whole number of reserved nodes (0: wait for repair)"))
        }
    }
}

/// Most nodes a simulated fleet may have (node indices are 32-bit).
pub const MAX_NODES: u64 = u32::MAX as u64 / 2;

impl SimulationSpec {
    /// Nodes a job occupies: its GPUs rounded up to whole nodes of its phase.
    pub fn job_nodes(&self, job: &JobSpec) -> u64 {
        job.gpus.div_ceil(self.phases[job.phase].packages_per_node as u64)
    }

    /// The factor on every class's rate on a phase, before the family's class factors: the
    /// family's multiplier × the platform's own × the scenario's × the phase's.
    pub fn multiplier(&self, phase: usize) -> f64 {
        let t = &self.phases[phase];
        let family = self.families.get(&t.family).map_or(1.0, |f| f.rate_multiplier.estimate.central);
        let scenario = self.rate_multiplier.as_ref().map_or(1.0, |q| q.estimate.central);
        let own = t.rate_multiplier.as_ref().map_or(1.0, |q| q.estimate.central);
        family * t.platform_multiplier * scenario * own
    }

    /// The factor on class `name` alone, on a phase: its family's times its platform file's (1
    /// unless either overrides the class).
    fn class_factor(&self, name: &str, phase: usize) -> f64 {
        let t = &self.phases[phase];
        let f = self.families.get(&t.family);
        let family = f.and_then(|f| f.class_multiplier.get(name)).map_or(1.0, |q| q.estimate.central);
        family * t.class_multiplier.get(name).map_or(1.0, |q| q.estimate.central)
    }

    /// A class's rate per GPU package-hour on a phase, multipliers included.
    pub fn rate_per_package_hour(&self, class: &FailureClass, phase: usize) -> f64 {
        let own = class.scoped.iter().rev().find(|s| s.phase == Some(phase));
        let (unit, r) =
            own.map_or((class.rate_unit, class.rate.estimate.central), |s| (s.rate_unit, s.rate.estimate.central));
        let per_package = match unit {
            RateUnit::PerGpuHour => r,
            RateUnit::PerNodeDay => r / 24.0 / self.phases[phase].packages_per_node as f64,
            RateUnit::PerJobDay => 0.0,
        };
        per_package * self.multiplier(phase) * self.class_factor(&class.name, phase)
    }

    /// A per-job class's rate per job-hour for job `job`, multipliers of its phase included (0 for
    /// the classes that scale with the hardware); a rate scoped to the job, else to its phase,
    /// replaces the class's.
    pub fn rate_per_job_hour(&self, class: &FailureClass, job: usize) -> f64 {
        let phase = self.jobs[job].phase;
        let scoped = |f: &dyn Fn(&ScopedRate) -> bool| class.scoped.iter().rev().find(|s| f(s));
        let own = scoped(&|s| s.job == Some(job)).or_else(|| scoped(&|s| s.phase == Some(phase)));
        let (unit, r) =
            own.map_or((class.rate_unit, class.rate.estimate.central), |s| (s.rate_unit, s.rate.estimate.central));
        match unit {
            RateUnit::PerJobDay => r / 24.0 * self.multiplier(phase) * self.class_factor(&class.name, phase),
            RateUnit::PerGpuHour | RateUnit::PerNodeDay => 0.0,
        }
    }

    /// A class's label with `{memory}` replaced by the memory generation of the phases (`HBM3e`,
    /// or `HBM2e/HBM3` when phases differ; `HBM` when no platform says).
    pub fn class_label(&self, class: &FailureClass) -> String {
        if !class.label.contains("{memory}") {
            return class.label.clone();
        }
        let mut kinds: Vec<&str> = self.phases.iter().filter_map(|p| p.memory_type.as_deref()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let memory = if kinds.is_empty() { "HBM".to_string() } else { kinds.join("/") };
        class.label.replace("{memory}", &memory)
    }

    /// Every input of the simulation with its provenance, for listings and the JSON output.
    pub fn inputs(&self) -> Vec<InputRecord> {
        let mut out = Vec::new();
        let mut push = |key: String, label: String, unit: &str, q: &Quantity| {
            out.push(InputRecord {
                key,
                label,
                unit: unit.to_string(),
                low: q.estimate.low,
                central: q.estimate.central,
                high: q.estimate.high,
                sourced: q.provenance.is_sourced(),
                provenance: q.provenance.clone(),
            });
        };
        if let Some(l) = &self.lemons {
            push("simulation.lemon_share".into(), "share of nodes that are lemons".into(), "ratio", &l.share);
            push(
                "simulation.lemon_rate_factor".into(),
                "lemon failure rate ÷ other nodes'".into(),
                "ratio",
                &l.rate_factor,
            );
        }
        if let Some(q) = &self.rate_multiplier {
            push("simulation.rate_multiplier".into(), "failure-rate multiplier, every platform".into(), "ratio", q);
        }
        let mut listed: Vec<&str> = Vec::new();
        for t in &self.phases {
            if listed.contains(&t.family.as_str()) {
                continue;
            }
            listed.push(&t.family);
            if let Some(f) = self.families.get(&t.family) {
                let key = format!("family.{}", t.family);
                push(
                    format!("{key}.rate_multiplier"),
                    format!("{} failure rates ÷ H100's", t.family),
                    "ratio",
                    &f.rate_multiplier,
                );
                for (c, q) in &f.class_multiplier {
                    push(
                        format!("{key}.class_multiplier.{c}"),
                        format!("{} {c} rate ÷ family rate", t.family),
                        "ratio",
                        q,
                    );
                }
            }
        }
        let mut platforms_listed: Vec<&str> = Vec::new();
        for t in &self.phases {
            if platforms_listed.contains(&t.platform.as_str()) {
                continue;
            }
            platforms_listed.push(&t.platform);
            for (c, q) in &t.class_multiplier {
                let key = format!("platform.{}.class_multiplier.{c}", t.platform);
                push(key, format!("{} {c} rate ÷ family rate", t.platform), "ratio", q);
            }
        }
        for (i, t) in self.phases.iter().enumerate() {
            if let Some(q) = &t.rate_multiplier {
                push(
                    format!("simulation.phase_rate_multiplier[{i}]"),
                    "failure-rate multiplier, this phase".into(),
                    "ratio",
                    q,
                );
            }
            if !t.family_named {
                let assumed = Quantity {
                    estimate: Estimate::exact(1.0),
                    provenance: Provenance {
                        assumption: Some(format!(
                            "phase {i}'s platform names no reliability family; it takes the reference family `{}`",
                            t.family
                        )),
                        ..Provenance::default()
                    },
                };
                push(
                    format!("simulation.phase[{i}].reliability_family"),
                    "reliability family carried over".into(),
                    "ratio",
                    &assumed,
                );
            }
        }
        push(
            "simulation.racks_per_network_switch".into(),
            "racks under one network switch".into(),
            "count",
            &self.racks_per_network_switch,
        );
        push(
            "simulation.racks_per_power_row".into(),
            "racks in one power row".into(),
            "count",
            &self.racks_per_power_row,
        );
        for (i, t) in self.phases.iter().enumerate() {
            if t.form == Form::Rack {
                push(
                    format!("simulation.phase[{i}].packages_per_node"),
                    "GPU packages per compute tray".into(),
                    "count",
                    &t.packages_per_node_quantity,
                );
            }
        }
        for c in &self.classes {
            let unit = c.rate_unit.label();
            let label = self.class_label(c);
            push(format!("failure.{}.rate", c.name), format!("{}: failure rate", label), unit, &c.rate);
            for s in &c.scoped {
                let (key, whom) = match (s.phase, s.job) {
                    (Some(p), _) => (format!("phase[{p}]"), format!("phase {p}")),
                    (_, Some(j)) => (format!("job[{j}]"), self.jobs.get(j).map_or(String::new(), |j| j.name.clone())),
                    _ => continue,
                };
                push(
                    format!("failure.{}.rate.{key}", c.name),
                    format!("{label}: failure rate, {whom}"),
                    s.rate_unit.label(),
                    &s.rate,
                );
            }
            if self.detect_override.is_none() {
                push(format!("failure.{}.detect_s", c.name), format!("{}: time to detect", label), "s", &c.detect_s);
            }
            if let Some(r) = &c.repair {
                push(format!("failure.{}.repair_h", c.name), format!("{}: mean repair time", label), "h", &r.mean_h);
                if let RepairShape::Lognormal { cv } = &r.shape {
                    push(format!("failure.{}.repair_cv", c.name), format!("{}: repair-time CV", label), "ratio", cv);
                }
            }
        }
        for (i, j) in self.jobs.iter().enumerate() {
            if let CheckpointInterval::Fixed(q) = &j.checkpoint_interval {
                push(format!("job[{i}].checkpoint_interval_s"), format!("{}: checkpoint interval", j.name), "s", q);
            }
            push(
                format!("job[{i}].checkpoint_write_s"),
                format!("{}: checkpoint write time", j.name),
                "s",
                &j.checkpoint_write_s,
            );
            push(format!("job[{i}].restart_s"), format!("{}: restart overhead", j.name), "s", &j.restart_s);
            push(format!("job[{i}].swap_s"), format!("{}: spare swap time", j.name), "s", &j.swap_s);
            if let Some(q) = &j.rate_multiplier {
                push(format!("job[{i}].rate_multiplier"), format!("{}: failure-rate multiplier", j.name), "ratio", q);
            }
            push(
                format!("job[{i}].planned_per_day"),
                format!("{}: planned interruptions", j.name),
                "per day",
                &j.planned_per_day,
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_categories_are_the_catalogs_table_and_nothing_else() {
        let cat = FailureCatalog::bundled().unwrap();
        let documented = FailureClassInput::SECTION.fields.iter().find(|f| f.key == "category").unwrap().ty;
        for key in cat.categories.keys() {
            assert!(documented.contains(&format!("`{key}`")), "docs lack category {key}");
        }
        assert_eq!(documented.matches('`').count() / 2 - 2, cat.categories.len(), "{documented}");
        for c in &cat.classes {
            assert!(cat.categories.contains_key(&c.category), "{} has category {}", c.name, c.category);
        }
        let text = "name = \"t\"\n[[phase]]\nonline = \"2025-Q1\"\nplatform = \"h100-hgx\"\nsystems = 8\n\
                    [[failure]]\nname = \"faulty_gpu\"\ncategory = \"gpus\"\n";
        let err =
            crate::load_scenario(&SourceFile::new("s.toml", text), &crate::Catalog::bundled().unwrap()).unwrap_err();
        assert!(err.message.contains("unknown failure category `gpus`"), "{}", err.message);
        assert!(err.help.as_deref().unwrap_or("").starts_with("did you mean `gpu`?"), "{:?}", err.help);
    }

    #[test]
    fn the_schema_and_the_output_name_blast_radii_and_rate_units_as_the_enums_do() {
        let doc = |key: &str| FailureClassInput::SECTION.fields.iter().find(|f| f.key == key).unwrap().ty;
        let listed = doc("blast_radius");
        for b in BlastRadius::ALL {
            assert!(listed.contains(&format!("`{}`", b.name())), "{listed} lacks {}", b.name());
            let json = serde_json::to_string(&b).unwrap();
            assert_eq!(json, format!("\"{}\"", b.name()));
        }
        for u in [RateUnit::PerGpuHour, RateUnit::PerNodeDay, RateUnit::PerJobDay] {
            assert!(FailureClassInput::SECTION.keys().any(|k| k == u.key()), "{}", u.key());
            assert_eq!(serde_json::to_string(&u).unwrap(), format!("\"{}\"", u.key()));
        }
    }

    #[test]
    fn bundled_failure_catalog_reproduces_llama3_table5_counts() {
        let cat = FailureCatalog::bundled().expect("bundled failure catalog is valid");
        assert_eq!(cat.classes.len(), 18);
        let total: f64 = cat.classes.iter().map(|c| c.rate.estimate.central * cat.reference_gpu_hours).sum();
        assert!((total - 419.0).abs() < 1e-9, "{total}");
        let gpu = cat.classes.iter().find(|c| c.name == "faulty_gpu").unwrap();
        assert!((gpu.rate.estimate.central * 2048.0 * 8.0 * 54.0 * 24.0 - 148.0).abs() < 1e-9);
        assert!(gpu.rate.provenance.derived.as_deref().unwrap().contains("21233664 GPU-hours"));
        assert!((cat.planned_per_day.estimate.central - 47.0 / 54.0).abs() < 1e-12);
        for c in &cat.classes {
            assert!(!c.rate.provenance.sources.is_empty(), "{} rate unsourced", c.name);
            let p = &c.detect_s.provenance;
            assert!(!p.sources.is_empty() || p.assumption.is_some(), "{} detect_s has no provenance", c.name);
            assert_eq!(c.repair.is_none(), c.blast_radius == BlastRadius::Job, "{}", c.name);
        }
    }

    #[test]
    fn every_bundled_platform_names_a_known_family_and_its_memory() {
        let cat = FailureCatalog::bundled().unwrap();
        let platforms = crate::Catalog::bundled().unwrap();
        for id in platforms.ids() {
            let p = platforms.get(id).unwrap();
            let family = p.reliability_family.as_deref().unwrap_or_else(|| panic!("{id} names no family"));
            assert!(cat.families.contains_key(family), "{id}: unknown family {family}");
            assert!(p.memory_type.as_deref().is_some_and(|m| m.starts_with("HBM")), "{id}: {:?}", p.memory_type);
        }
        for (name, f) in &cat.families {
            let prov = &f.rate_multiplier.provenance;
            assert!(prov.is_sourced() || prov.assumption.is_some(), "{name} has no provenance");
        }
        assert!(cat.families["hopper"].rate_multiplier.provenance.is_sourced());
        assert!(cat.families["ampere"].rate_multiplier.provenance.is_sourced());
        assert_eq!(cat.reference_family, "hopper");
    }

    #[test]
    fn a_family_multiplying_an_unknown_class_or_an_unknown_reference_family_is_a_located_error() {
        let (_, text) = BUNDLED_FAILURES;
        let bad = text.replace("class_multiplier.gpu_hbm3", "class_multiplier.gpu_hbm2");
        let err = FailureCatalog::parse(&SourceFile::new("f.toml", bad)).unwrap_err();
        assert!(err.message.contains("no failure class is named `gpu_hbm2`"), "{}", err.message);
        assert!(err.help.as_deref().unwrap_or("").contains("gpu_hbm3"), "{:?}", err.help);
        assert!(err.to_string().contains("f.toml:"), "{err}");
        let bad = text.replace("family = \"hopper\"", "family = \"kepler\"");
        let err = FailureCatalog::parse(&SourceFile::new("f.toml", bad)).unwrap_err();
        assert!(err.message.contains("reference family `kepler`"), "{}", err.message);
    }

    #[test]
    fn rack_scale_blast_radius_takes_the_domain_for_about_a_tenth_of_interruptions() {
        let cat = FailureCatalog::bundled().unwrap();
        let rack: f64 = cat
            .classes
            .iter()
            .filter(|c| c.blast_radius_rack_scale == BlastRadius::NvlinkDomain)
            .map(|c| c.rate.estimate.central * cat.reference_gpu_hours)
            .sum();
        assert_eq!(rack, 40.0);
        assert!((0.05..=0.15).contains(&(rack / 419.0)));
    }
}
