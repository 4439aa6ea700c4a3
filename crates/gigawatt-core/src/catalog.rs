//! The platform catalog: hardware systems with every number sourced.
//!
//! One TOML file per platform (`catalog/platforms/*.toml`, compiled into the binary) gives its
//! form (a whole-rack system such as GB300 NVL72, or an 8-GPU server that racks hold several
//! of), its counts (packages per system, dies per package, NVLink domain), power, price, dense
//! FLOPS by precision, HBM and availability — each a [`Quantity`] with its source. Users add
//! or override platforms with their own files (same format, matched by `id`).
//!
//! Where no source gives a number, a file may derive it by a stated rule instead of a value:
//!
//! * `same_as(ID)` — the same field of platform `ID`;
//! * `per_package(ID, METRIC)` — platform `ID`'s value per package scaled by the ratio of a
//!   per-package metric (e.g. `fp4_dense_tflops`), times this platform's packages for per-system
//!   fields (power, price);
//! * `times(FIELD, FACTOR)` — another field of this platform times a constant.
//!
//! A derived value keeps a link to the value it was derived from, so uncertainty analysis moves
//! them together.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::date::{DATE_FORMS, Date, date_from_toml};
use crate::defaults::Defaults;
use crate::error::{InputError, KeyPath, SourceFile, closest};
use crate::quantity::{BareNumbers, Estimate, Grade, Provenance, Quantity, QuantitySpec};

include!(concat!(env!("OUT_DIR"), "/bundled_platforms.rs"));

pub use crate::defaults::BUNDLED_DEFAULTS;

/// How a platform is packaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// The system is a whole rack and NVLink domain (NVL72, NVL144, NVL576).
    Rack,
    /// The system is a server (e.g. 8 GPUs); a rack holds `systems_per_rack` of them.
    Server,
}

/// The numeric fields a platform file may give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// GPU packages per system (8 for an HGX server, 72 for NVL72).
    PackagesPerSystem,
    /// Dies per package (1 for Hopper, 2 for Blackwell and Rubin, 4 for Rubin Ultra).
    DiesPerPackage,
    /// Systems per rack (servers per rack; 1 for rack-scale systems).
    SystemsPerRack,
    /// Packages in one NVLink domain.
    NvlinkDomainPackages,
    /// IT power of one system, kW (whole rack for rack-scale systems).
    SystemPowerKw,
    /// Price of one system, USD.
    SystemPriceUsd,
    /// Thermal design power of one package, W.
    GpuTdpW,
    /// Dense FP4 tensor throughput per package, TFLOPS.
    Fp4DenseTflops,
    /// Dense FP8 tensor throughput per package, TFLOPS.
    Fp8DenseTflops,
    /// Dense BF16 tensor throughput per package, TFLOPS.
    Bf16DenseTflops,
    /// HBM capacity per package, GB.
    HbmGb,
    /// HBM bandwidth per package, TB/s.
    HbmTbS,
    /// NVLink bandwidth per package, GB/s.
    NvlinkGbS,
    /// Scale-out (inter-node) network bandwidth per package, GB/s each way: the NIC each GPU has
    /// for traffic leaving its NVLink domain. Expert parallelism across nodes needs it.
    ScaleOutGbS,
    /// Training MFU (BF16 against the BF16 dense peak) in the MFU model's flat regime, up to its
    /// reference scale. A platform without it takes the reference MFU, listed as an assumption.
    TrainingMfu,
    /// Training MFU against the dense FP8 peak, where measured on this platform (else the BF16 MFU
    /// times the MFU model's FP8 factor).
    TrainingMfuFp8,
    /// Training MFU against the dense FP4 peak, where measured on this platform (the MFU model has
    /// no generic FP4 factor: FP4 peaks differ between platforms whose BF16 and FP8 peaks agree).
    TrainingMfuFp4,
    /// GPU packages per node on a rack-scale platform: the compute tray, the unit a simulated job
    /// is allocated and a GPU failure parks. (On a server platform the node is the server.)
    PackagesPerNode,
    /// Factor on the failure rates of the platform's reliability family (default 1).
    FailureRateMultiplier,
    /// Share of the scale-out networking bought for this platform that is bought from NVIDIA
    /// (switches, NICs). A platform without it takes the scenario's `costs.nvidia_share_networking`.
    NvidiaShareNetworking,
}

impl Field {
    /// Every field, in display order.
    pub const ALL: [Field; 20] = [
        Field::PackagesPerSystem,
        Field::DiesPerPackage,
        Field::SystemsPerRack,
        Field::NvlinkDomainPackages,
        Field::SystemPowerKw,
        Field::SystemPriceUsd,
        Field::GpuTdpW,
        Field::Fp4DenseTflops,
        Field::Fp8DenseTflops,
        Field::Bf16DenseTflops,
        Field::HbmGb,
        Field::HbmTbS,
        Field::NvlinkGbS,
        Field::ScaleOutGbS,
        Field::TrainingMfu,
        Field::TrainingMfuFp8,
        Field::TrainingMfuFp4,
        Field::PackagesPerNode,
        Field::FailureRateMultiplier,
        Field::NvidiaShareNetworking,
    ];

    /// The key used in platform files.
    pub fn key(self) -> &'static str {
        match self {
            Field::PackagesPerSystem => "packages_per_system",
            Field::DiesPerPackage => "dies_per_package",
            Field::SystemsPerRack => "systems_per_rack",
            Field::NvlinkDomainPackages => "nvlink_domain_packages",
            Field::SystemPowerKw => "system_power_kw",
            Field::SystemPriceUsd => "system_price_usd",
            Field::GpuTdpW => "gpu_tdp_w",
            Field::Fp4DenseTflops => "fp4_dense_tflops",
            Field::Fp8DenseTflops => "fp8_dense_tflops",
            Field::Bf16DenseTflops => "bf16_dense_tflops",
            Field::HbmGb => "hbm_gb",
            Field::HbmTbS => "hbm_tb_s",
            Field::NvlinkGbS => "nvlink_gb_s",
            Field::ScaleOutGbS => "scale_out_gb_s",
            Field::TrainingMfu => "training_mfu",
            Field::TrainingMfuFp8 => "training_mfu_fp8",
            Field::TrainingMfuFp4 => "training_mfu_fp4",
            Field::PackagesPerNode => "packages_per_node",
            Field::FailureRateMultiplier => "failure_rate_multiplier",
            Field::NvidiaShareNetworking => "nvidia_share_networking",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Field::PackagesPerSystem => "packages per system",
            Field::DiesPerPackage => "dies per package",
            Field::SystemsPerRack => "systems per rack",
            Field::NvlinkDomainPackages => "NVLink domain (packages)",
            Field::SystemPowerKw => "system IT power",
            Field::SystemPriceUsd => "system price",
            Field::GpuTdpW => "GPU TDP",
            Field::Fp4DenseTflops => "dense FP4 per package",
            Field::Fp8DenseTflops => "dense FP8 per package",
            Field::Bf16DenseTflops => "dense BF16 per package",
            Field::HbmGb => "HBM per package",
            Field::HbmTbS => "HBM bandwidth per package",
            Field::NvlinkGbS => "NVLink bandwidth per package",
            Field::ScaleOutGbS => "scale-out bandwidth per package",
            Field::TrainingMfu => "training MFU (BF16, flat regime)",
            Field::TrainingMfuFp8 => "training MFU (FP8, flat regime)",
            Field::TrainingMfuFp4 => "training MFU (FP4, flat regime)",
            Field::PackagesPerNode => "packages per node (compute tray)",
            Field::FailureRateMultiplier => "failure-rate multiplier",
            Field::NvidiaShareNetworking => "NVIDIA share of scale-out networking",
        }
    }

    /// The unit of the field's values.
    pub fn unit(self) -> &'static str {
        match self {
            Field::PackagesPerSystem
            | Field::DiesPerPackage
            | Field::SystemsPerRack
            | Field::NvlinkDomainPackages
            | Field::PackagesPerNode => "count",
            Field::SystemPowerKw => "kW",
            Field::SystemPriceUsd => "USD",
            Field::GpuTdpW => "W",
            Field::Fp4DenseTflops | Field::Fp8DenseTflops | Field::Bf16DenseTflops => "TFLOPS",
            Field::HbmGb => "GB",
            Field::HbmTbS => "TB/s",
            Field::NvlinkGbS | Field::ScaleOutGbS => "GB/s",
            Field::TrainingMfu | Field::TrainingMfuFp8 | Field::TrainingMfuFp4 | Field::NvidiaShareNetworking => {
                "fraction"
            }
            Field::FailureRateMultiplier => "ratio",
        }
    }

    /// What the field means, for the catalog reference (`docs/catalog.md`).
    pub fn meaning(self) -> &'static str {
        match self {
            Field::PackagesPerSystem => "GPU packages in one system",
            Field::DiesPerPackage => "dies per package",
            Field::SystemsPerRack => "systems per rack (1 for rack-scale systems)",
            Field::NvlinkDomainPackages => "packages in one NVLink domain",
            Field::SystemPowerKw => "IT power of one system (the whole rack for NVL systems)",
            Field::SystemPriceUsd => "price of one system",
            Field::GpuTdpW => "GPU thermal design power",
            Field::Fp4DenseTflops => "dense FP4 tensor throughput (NVIDIA's sparse figures ÷ 2)",
            Field::Fp8DenseTflops => "dense FP8 tensor throughput",
            Field::Bf16DenseTflops => "dense BF16 tensor throughput",
            Field::HbmGb => "HBM capacity",
            Field::HbmTbS => "HBM bandwidth",
            Field::NvlinkGbS => "NVLink (scale-up) bandwidth",
            Field::ScaleOutGbS => {
                "scale-out NIC bandwidth each way, for traffic leaving the NVLink domain; `capacity` needs it \
                 for expert parallelism across nodes"
            }
            Field::TrainingMfu => {
                "BF16 training MFU up to the MFU model's reference scale; without it `capacity` takes the \
                 reference MFU, listed as an assumption"
            }
            Field::TrainingMfuFp8 => {
                "FP8 training MFU against the FP8 dense peak, where measured on the platform; without it the BF16 \
                 MFU × the MFU model's FP8 factor"
            }
            Field::TrainingMfuFp4 => {
                "FP4 training MFU against the FP4 dense peak, where measured on the platform; `mfu = \"scaled\"` \
                 at FP4 needs it"
            }
            Field::PackagesPerNode => {
                "rack-scale platforms: packages per compute tray, the node `simulate` allocates and parks; \
                 without it the default of `catalog/failures.toml`"
            }
            Field::FailureRateMultiplier => {
                "factor on the failure rates of its reliability family (`reliability_family`, \
                 `catalog/failures.toml`); default 1"
            }
            Field::NvidiaShareNetworking => {
                "share of the scale-out networking capex of a phase on this platform that is bought from NVIDIA \
                 (0 where the network is the vendor's own, as for TPUs and Trainium); without it the scenario's \
                 `costs.nvidia_share_networking`"
            }
        }
    }

    /// What one value counts: a system, a package or neither.
    pub fn per(self) -> &'static str {
        match self {
            Field::PackagesPerSystem | Field::SystemPowerKw | Field::SystemPriceUsd => "system",
            Field::SystemsPerRack => "rack",
            Field::NvlinkDomainPackages
            | Field::FailureRateMultiplier
            | Field::TrainingMfu
            | Field::TrainingMfuFp8
            | Field::TrainingMfuFp4
            | Field::NvidiaShareNetworking => "—",
            Field::PackagesPerNode => "node",
            _ => "package",
        }
    }

    /// The field table of the catalog reference, generated from this enum.
    pub fn reference_table() -> String {
        let mut out = String::from("| field | unit | per | required | meaning |\n|---|---|---|---|---|\n");
        for f in Field::ALL {
            let required = if f.required() { "yes" } else { "no" };
            out.push_str(&format!("| `{}` | {} | {} | {required} | {} |\n", f.key(), f.unit(), f.per(), f.meaning()));
        }
        out
    }

    /// Whether the value is per system (scales with packages when derived per package).
    pub fn per_system(self) -> bool {
        matches!(self, Field::SystemPowerKw | Field::SystemPriceUsd)
    }

    /// Whether the value must be a positive whole number.
    pub fn integer(self) -> bool {
        self.unit() == "count"
    }

    /// Whether every platform must give the field (the planner needs it).
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::PackagesPerSystem
                | Field::DiesPerPackage
                | Field::SystemsPerRack
                | Field::NvlinkDomainPackages
                | Field::SystemPowerKw
                | Field::SystemPriceUsd
        )
    }

    /// The field with this file key.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// How a derived value follows the value it was derived from: `value = factor × base`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    /// The platform the base value belongs to.
    pub platform: String,
    /// The field of the base value.
    pub field: Field,
    /// The constant factor.
    pub factor: f64,
}

/// One hardware platform.
#[derive(Clone, Debug, Serialize)]
pub struct Platform {
    /// Short identifier used in scenarios (`vr-nvl144`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who sells it.
    pub vendor: String,
    /// Rack-scale system or server.
    pub form: Form,
    /// When it became (or becomes) available in volume.
    pub available: Date,
    /// Where the availability date comes from.
    pub available_provenance: Provenance,
    /// Free-text notes (disagreements between sources, naming traps).
    pub notes: Vec<String>,
    /// The numeric fields given or derived.
    pub quantities: BTreeMap<Field, Quantity>,
    /// For derived fields, what they follow.
    pub links: BTreeMap<Field, Link>,
    /// The file the platform was read from.
    pub origin: String,
    /// Its reliability family (`hopper`, …): the `[family.NAME]` of `catalog/failures.toml` whose
    /// failure rates it takes; `None` takes the reference family's, listed as an assumption.
    pub reliability_family: Option<String>,
    /// Its memory generation (`HBM3e`), which names the memory failure class.
    pub memory_type: Option<String>,
    /// Factors on single failure classes of its family's rates (`failure_class_multiplier.NAME`).
    pub failure_class_multiplier: BTreeMap<String, Quantity>,
}

impl Platform {
    /// The quantity of a field, if the platform has it.
    pub fn get(&self, field: Field) -> Option<&Quantity> {
        self.quantities.get(&field)
    }

    /// The central value of a field, if the platform has it.
    pub fn central(&self, field: Field) -> Option<f64> {
        self.get(field).map(|q| q.estimate.central)
    }

    /// The central value of a count field (required fields are always present).
    pub fn count(&self, field: Field) -> u64 {
        self.central(field).unwrap_or(0.0).round() as u64
    }
}

/// A derivation rule as written in a platform file.
#[derive(Clone, Debug, PartialEq)]
enum Rule {
    SameAs { platform: String },
    PerPackage { platform: String, metric: Field },
    Times { field: Field, factor: f64 },
}

const RULE_FORMS: &str = "rules are same_as(PLATFORM), per_package(PLATFORM, METRIC) and times(FIELD, FACTOR), e.g. per_package(vr-nvl144, fp4_dense_tflops)";

fn parse_rule(text: &str) -> Result<Rule, String> {
    let t = text.trim();
    let (name, rest) = t.split_once('(').ok_or_else(|| format!("`{t}` is not a rule"))?;
    let args = rest.strip_suffix(')').ok_or_else(|| format!("`{t}` lacks its closing parenthesis"))?;
    let args: Vec<&str> = args.split(',').map(str::trim).collect();
    let field = |s: &str| Field::from_key(s).ok_or_else(|| format!("`{s}` is not a platform field"));
    match (name.trim(), args.as_slice()) {
        ("same_as", [p]) => Ok(Rule::SameAs { platform: p.to_string() }),
        ("per_package", [p, m]) => {
            let metric = field(m)?;
            if metric.per_system() || metric.integer() {
                return Err(format!("`{m}` is not a per-package metric"));
            }
            Ok(Rule::PerPackage { platform: p.to_string(), metric })
        }
        ("times", [f, k]) => {
            let factor: f64 = k.parse().map_err(|_| format!("`{k}` is not a number"))?;
            Ok(Rule::Times { field: field(f)?, factor })
        }
        _ => Err(format!("`{t}` is not a known rule")),
    }
}

/// A platform file read but not yet resolved (derivations pending).
struct Draft {
    platform: Platform,
    file: SourceFile,
    pending: BTreeMap<Field, (Rule, QuantitySpec)>,
}

fn parse_platform(file: &SourceFile) -> Result<Draft, InputError> {
    let table: toml::Table = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    let root = KeyPath::root();
    let string = |key: &str, required: bool| -> Result<Option<String>, InputError> {
        match table.get(key) {
            None if required => Err(InputError::at(file, &root, format!("missing `{key}`"))
                .with_help(format!("add {key} = \"…\" at the top of the file"))),
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(InputError::at(
                file,
                &root.key(key),
                format!("`{key}` must be a string, found {}", other.type_str()),
            )),
        }
    };
    let id = string("id", true)?.unwrap_or_default();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(InputError::at(file, &root.key("id"), format!("platform id `{id}` is not valid"))
            .with_help("use lowercase letters, digits and dashes, e.g. vr-nvl144"));
    }
    let name = string("name", true)?.unwrap_or_default();
    let vendor = string("vendor", false)?.unwrap_or_else(|| "NVIDIA".to_string());
    let form = match string("form", true)?.as_deref() {
        Some("rack") => Form::Rack,
        Some("server") => Form::Server,
        other => {
            return Err(InputError::at(file, &root.key("form"), format!("form `{}` is not known", other.unwrap_or("")))
                .with_help("use form = \"rack\" (a whole-rack system such as NVL72) or form = \"server\" (e.g. an 8-GPU HGX server)"));
        }
    };
    let (available, available_provenance) = parse_available(file, table.get("available"))?;
    let notes = parse_notes(file, table.get("notes"))?;
    let reliability_family = string("reliability_family", false)?;
    let memory_type = string("memory_type", false)?;
    let mut platform = Platform {
        id,
        name,
        vendor,
        form,
        available,
        available_provenance,
        notes,
        quantities: BTreeMap::new(),
        links: BTreeMap::new(),
        origin: file.name.clone(),
        reliability_family,
        memory_type,
        failure_class_multiplier: class_multipliers(file, table.get("failure_class_multiplier"))?,
    };
    let mut pending = BTreeMap::new();
    const TEXT_KEYS: [&str; 9] = [
        "id",
        "name",
        "vendor",
        "form",
        "available",
        "notes",
        "reliability_family",
        "memory_type",
        "failure_class_multiplier",
    ];
    for (key, value) in &table {
        if TEXT_KEYS.contains(&key.as_str()) {
            continue;
        }
        let path = root.key(key);
        let Some(field) = Field::from_key(key) else {
            let known = TEXT_KEYS.iter().copied().chain(Field::ALL.iter().map(|f| f.key()));
            let mut err = InputError::at(file, &path, format!("unknown platform field `{key}`"));
            err = match closest(key, known) {
                Some(best) => err.with_help(format!("did you mean `{best}`?")),
                None => err.with_help(format!(
                    "platform fields are {}",
                    Field::ALL.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ")
                )),
            };
            return Err(err);
        };
        let spec = QuantitySpec::parse(file, &path, value, BareNumbers::Forbidden)?;
        check_field(file, field, &spec)?;
        match &spec.provenance.derived {
            Some(rule_text) => {
                let rule = parse_rule(rule_text).map_err(|why| {
                    InputError::at(file, &path.key("derived"), format!("cannot read the derivation rule: {why}"))
                        .with_help(RULE_FORMS)
                })?;
                pending.insert(field, (rule, spec));
            }
            None => {
                platform.quantities.insert(field, spec.into_quantity().expect("not derived"));
            }
        }
    }
    for field in Field::ALL {
        if field.required() && !platform.quantities.contains_key(&field) && !pending.contains_key(&field) {
            return Err(InputError::at(
                file,
                &root,
                format!("platform `{}` lacks `{}` ({})", platform.id, field.key(), field.label()),
            )
            .with_help(format!("add {} = {{ value = …, source = \"…\" }}; the planner needs it", field.key())));
        }
    }
    Ok(Draft { platform, file: file.clone(), pending })
}

/// A platform file's `failure_class_multiplier` table: failure class → sourced ratio (the class
/// names are checked against the failure catalog when a scenario uses the platform).
fn class_multipliers(file: &SourceFile, value: Option<&toml::Value>) -> Result<BTreeMap<String, Quantity>, InputError> {
    let path = KeyPath::root().key("failure_class_multiplier");
    let table = match value {
        None => return Ok(BTreeMap::new()),
        Some(toml::Value::Table(t)) => t,
        Some(other) => {
            return Err(InputError::at(file, &path, format!("must be a table, found {}", other.type_str()))
                .with_help("write failure_class_multiplier.gpu_hbm3 = { value = 0.5, source = \"…\" }"));
        }
    };
    let mut out = BTreeMap::new();
    for (class, v) in table {
        let kp = path.key(class);
        let spec = QuantitySpec::parse(file, &kp, v, BareNumbers::Forbidden)?;
        spec.check(file, |x| x >= 0.0, "failure_class_multiplier", "zero or more")?;
        let q = spec.into_quantity().ok_or_else(|| {
            InputError::at(file, &kp, "a class multiplier cannot be derived")
                .with_help("give the value with its source")
        })?;
        out.insert(class.clone(), q);
    }
    Ok(out)
}

/// A platform file's free-text `notes` (disagreements between sources, naming traps).
fn parse_notes(file: &SourceFile, notes: Option<&toml::Value>) -> Result<Vec<String>, InputError> {
    Ok(match notes {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    InputError::at(file, &KeyPath::root().key("notes").index(i), "notes must be strings")
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(InputError::at(file, &KeyPath::root().key("notes"), "`notes` must be an array of strings"));
        }
    })
}

fn check_field(file: &SourceFile, field: Field, spec: &QuantitySpec) -> Result<(), InputError> {
    if field.integer() {
        spec.check(file, |v| v >= 1.0 && v.fract() == 0.0, field.label(), "a whole number of at least 1")
    } else if field == Field::NvidiaShareNetworking {
        spec.check(file, |v| (0.0..=1.0).contains(&v), field.label(), "a fraction from 0 to 1")
    } else if field.unit() == "ratio" {
        spec.check(file, |v| v >= 0.0, field.label(), "zero or more")
    } else if field.unit() == "fraction" {
        spec.check(file, |v| v > 0.0 && v <= 1.0, field.label(), "a fraction above 0 and at most 1")
    } else {
        spec.check(file, |v| v > 0.0, field.label(), "positive")
    }
}

fn parse_available(file: &SourceFile, value: Option<&toml::Value>) -> Result<(Date, Provenance), InputError> {
    let path = KeyPath::root().key("available");
    let help = "write available = { date = \"2026-H2\", source = \"…\" }";
    let Some(toml::Value::Table(t)) = value else {
        return Err(InputError::at(file, &path, "missing or malformed `available`").with_help(help));
    };
    for key in t.keys() {
        if !["date", "source", "grade", "note"].contains(&key.as_str()) {
            return Err(
                InputError::at(file, &path.key(key), format!("unknown key `{key}` in `available`")).with_help(help)
            );
        }
    }
    let date_value =
        t.get("date").ok_or_else(|| InputError::at(file, &path, "`available` has no date").with_help(help))?;
    let date = date_from_toml(date_value)
        .map_err(|e| InputError::at(file, &path.key("date"), e.to_string()).with_help(DATE_FORMS))?;
    let source = match t.get("source") {
        Some(toml::Value::String(s)) => s.clone(),
        _ => return Err(InputError::at(file, &path, "`available` needs a source").with_help(help)),
    };
    let grade = match t.get("grade") {
        None => None,
        Some(v) => Some(Grade::deserialize_value(v).ok_or_else(|| {
            InputError::at(file, &path.key("grade"), "unknown grade")
                .with_help("use official, analyst, media or derived")
        })?),
    };
    let note = t.get("note").and_then(|v| v.as_str()).map(str::to_string);
    Ok((date, Provenance { sources: vec![source], grade, note, origin: file.name.clone(), ..Provenance::default() }))
}

impl Grade {
    fn deserialize_value(v: &toml::Value) -> Option<Grade> {
        match v.as_str()? {
            "official" => Some(Grade::Official),
            "analyst" => Some(Grade::Analyst),
            "media" => Some(Grade::Media),
            "derived" => Some(Grade::Derived),
            _ => None,
        }
    }
}

/// The set of platforms a run uses (the bundled ones plus any the user added), and the default
/// inputs scenarios fall back on.
#[derive(Clone, Debug, Serialize)]
pub struct Catalog {
    /// Platforms sorted by id.
    pub platforms: Vec<Platform>,
    /// Default inputs (`catalog/defaults.toml`).
    #[serde(skip)]
    pub defaults: Defaults,
}

impl Catalog {
    /// The bundled catalog.
    pub fn bundled() -> Result<Catalog, InputError> {
        Catalog::load(&[])
    }

    /// The bundled catalog plus `extra` platform files, which override bundled platforms with the
    /// same id (later files override earlier ones).
    pub fn load(extra: &[SourceFile]) -> Result<Catalog, InputError> {
        let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
        let bundled = BUNDLED_PLATFORMS.iter().map(|(n, t)| SourceFile::new(format!("<bundled>/{n}"), *t));
        for file in bundled.chain(extra.iter().cloned()) {
            let draft = parse_platform(&file)?;
            drafts.insert(draft.platform.id.clone(), draft);
        }
        Ok(Catalog { platforms: resolve(drafts)?, defaults: Defaults::bundled()? })
    }

    /// The platform with this id.
    pub fn get(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    /// The ids of all platforms.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.platforms.iter().map(|p| p.id.as_str())
    }

    /// An error for an unknown platform id, naming the closest known one.
    pub fn unknown(&self, file: &SourceFile, path: &KeyPath, id: &str) -> InputError {
        let err = InputError::at(file, path, format!("unknown platform `{id}`")).with_label("not in the catalog");
        let list = self.ids().collect::<Vec<_>>().join(", ");
        // Match on ids, then on display names ("vera-rubin" → "Vera Rubin NVL144 …").
        let by_name = || {
            let words = id.to_lowercase().replace(['-', '_'], " ");
            self.platforms.iter().find(|p| p.name.to_lowercase().contains(&words)).map(|p| p.id.as_str())
        };
        match closest(id, self.ids()).or_else(by_name) {
            Some(best) => err.with_help(format!("did you mean `{best}`? `gigawatt catalog` lists every platform")),
            None => err.with_help(format!("known platforms: {list}; add your own with --catalog FILE")),
        }
    }
}

/// Applies derivation rules until every value is known.
fn resolve(mut drafts: BTreeMap<String, Draft>) -> Result<Vec<Platform>, InputError> {
    loop {
        let mut progressed = false;
        let ids: Vec<String> = drafts.keys().cloned().collect();
        for id in &ids {
            let fields: Vec<Field> = drafts[id].pending.keys().copied().collect();
            for field in fields {
                let (rule, spec) = drafts[id].pending[&field].clone();
                let outcome = derive(&drafts, id, field, &rule)?;
                if let Some((quantity, link)) = outcome {
                    let mut provenance = quantity.provenance;
                    provenance.note = spec.provenance.note.clone().or(provenance.note);
                    provenance.origin = spec.provenance.origin.clone();
                    let draft = drafts.get_mut(id).expect("exists");
                    draft.pending.remove(&field);
                    draft.platform.quantities.insert(field, Quantity { estimate: quantity.estimate, provenance });
                    draft.platform.links.insert(field, link);
                    progressed = true;
                }
            }
        }
        if drafts.values().all(|d| d.pending.is_empty()) {
            break;
        }
        if !progressed {
            let (draft, (field, (_, spec))) =
                drafts.values().find_map(|d| d.pending.iter().next().map(|p| (d, p))).expect("some pending");
            return Err(InputError::at(
                &draft.file,
                &spec.path.key("derived"),
                format!("cannot derive `{}`: the rule refers to itself through other derived values", field.key()),
            )
            .with_help("give one of the values in the cycle directly, with its source"));
        }
    }
    let mut platforms: Vec<Platform> = drafts.into_values().map(|d| d.platform).collect();
    platforms.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(platforms)
}

/// Derives one field, or returns `None` when what it depends on is not resolved yet.
fn derive(
    drafts: &BTreeMap<String, Draft>,
    id: &str,
    field: Field,
    rule: &Rule,
) -> Result<Option<(Quantity, Link)>, InputError> {
    let this = &drafts[id];
    let spec = &this.pending[&field].1;
    let path = spec.path.key("derived");
    let other = |pid: &str| -> Result<&Draft, InputError> {
        drafts.get(pid).ok_or_else(|| {
            let err = InputError::at(&this.file, &path, format!("the rule refers to unknown platform `{pid}`"));
            match closest(pid, drafts.keys().map(String::as_str)) {
                Some(best) => err.with_help(format!("did you mean `{best}`?")),
                None => err,
            }
        })
    };
    let resolved = |d: &Draft, f: Field| -> Result<Option<Quantity>, InputError> {
        if let Some(q) = d.platform.quantities.get(&f) {
            return Ok(Some(q.clone()));
        }
        if d.pending.contains_key(&f) {
            return Ok(None);
        }
        Err(InputError::at(
            &this.file,
            &path,
            format!("the rule needs `{}` of `{}`, which it does not give", f.key(), d.platform.id),
        )
        .with_help(RULE_FORMS))
    };
    let (base_id, base_field, factor, text) = match rule {
        Rule::SameAs { platform } => {
            let base = other(platform)?;
            (base.platform.id.clone(), field, 1.0, format!("same as {} {}", platform, field.key()))
        }
        Rule::PerPackage { platform, metric } => {
            let base = other(platform)?;
            let (Some(m_this), Some(m_base)) = (resolved(this, *metric)?, resolved(base, *metric)?) else {
                return Ok(None);
            };
            let mut factor = m_this.estimate.central / m_base.estimate.central;
            let mut text = format!(
                "{platform} {key} × ({mt} ÷ {mb} {metric} per package)",
                key = field.key(),
                mt = m_this.estimate.central,
                mb = m_base.estimate.central,
                metric = metric.key()
            );
            if field.per_system() {
                let (Some(p_this), Some(p_base)) =
                    (resolved(this, Field::PackagesPerSystem)?, resolved(base, Field::PackagesPerSystem)?)
                else {
                    return Ok(None);
                };
                factor *= p_this.estimate.central / p_base.estimate.central;
                text = format!(
                    "{platform} {key} ÷ {pb} packages × ({mt} ÷ {mb} {metric} per package) × {pt} packages",
                    key = field.key(),
                    pb = p_base.estimate.central,
                    pt = p_this.estimate.central,
                    mt = m_this.estimate.central,
                    mb = m_base.estimate.central,
                    metric = metric.key()
                );
            }
            (base.platform.id.clone(), field, factor, text)
        }
        Rule::Times { field: f, factor } => (id.to_string(), *f, *factor, format!("{} × {factor}", f.key())),
    };
    let base_draft = other(&base_id)?;
    let Some(base) = resolved(base_draft, base_field)? else { return Ok(None) };
    let estimate: Estimate = base.estimate.scaled(factor);
    let mut provenance = Provenance {
        sources: base.provenance.sources.clone(),
        grade: Some(Grade::Derived),
        derived: Some(format!("{text} = {factor:.4} × {}", fmt_estimate(&base.estimate))),
        assumption: base.provenance.assumption.as_ref().map(|a| format!("via {base_id} {}: {a}", base_field.key())),
        note: None,
        origin: String::new(),
    };
    if provenance.sources.is_empty() && provenance.assumption.is_none() {
        provenance.sources.push(format!("{base_id} {} ({})", base_field.key(), base.provenance.summary()));
    }
    Ok(Some((Quantity { estimate, provenance }, Link { platform: base_id, field: base_field, factor })))
}

fn fmt_estimate(e: &Estimate) -> String {
    if e.is_range() { format!("[{} / {} / {}]", e.low, e.central, e.high) } else { format!("{}", e.central) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalog_loads_with_every_required_field() {
        let cat = Catalog::bundled().expect("bundled catalog is valid");
        // Every file in catalog/platforms/ is bundled, under the id its name says.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/platforms");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        files.sort();
        let bundled: Vec<&str> =
            BUNDLED_PLATFORMS.iter().map(|(n, _)| n.trim_start_matches("catalog/platforms/")).collect();
        assert_eq!(bundled, files);
        let ids: Vec<String> = cat.ids().map(|id| format!("{id}.toml")).collect();
        assert_eq!(ids, files, "a platform file is named after its id");
        for p in &cat.platforms {
            for f in Field::ALL.into_iter().filter(|f| f.required()) {
                assert!(p.get(f).is_some(), "{} lacks {}", p.id, f.key());
            }
        }
    }

    #[test]
    fn every_bundled_number_has_a_source_a_rule_or_a_stated_assumption() {
        let cat = Catalog::bundled().unwrap();
        for p in &cat.platforms {
            for (f, q) in &p.quantities {
                let pr = &q.provenance;
                assert!(
                    !pr.sources.is_empty() || pr.derived.is_some() || pr.assumption.is_some(),
                    "{} {} has no provenance",
                    p.id,
                    f.key()
                );
            }
        }
    }

    #[test]
    fn rubin_ultra_price_is_vera_rubin_price_per_package_scaled_by_fp4() {
        let cat = Catalog::bundled().unwrap();
        let vr = cat.get("vr-nvl144").unwrap();
        let ru = cat.get("rubin-ultra-nvl576").unwrap();
        let per_pkg = vr.central(Field::SystemPriceUsd).unwrap() / 72.0;
        let expect = per_pkg * (100_000.0 / 50_000.0) * 144.0;
        let got = ru.central(Field::SystemPriceUsd).unwrap();
        assert!((got - expect).abs() < 1.0, "{got} vs {expect}");
        let link = &ru.links[&Field::SystemPriceUsd];
        assert_eq!(link.platform, "vr-nvl144");
        assert!((link.factor - 4.0).abs() < 1e-12);
        assert!(ru.get(Field::SystemPriceUsd).unwrap().provenance.derived.is_some());
    }

    #[test]
    fn times_rule_uses_the_same_platform() {
        let cat = Catalog::bundled().unwrap();
        let ru = cat.get("rubin-ultra-nvl576").unwrap();
        assert_eq!(ru.central(Field::Bf16DenseTflops), Some(34722.0 * 0.5));
    }

    #[test]
    fn user_files_override_by_id() {
        let (_, gb300) = BUNDLED_PLATFORMS.iter().find(|(n, _)| n.ends_with("/gb300-nvl72.toml")).unwrap();
        let text = gb300.replace("central = 130", "central = 135");
        let cat = Catalog::load(&[SourceFile::new("mine.toml", text)]).unwrap();
        let p = cat.get("gb300-nvl72").unwrap();
        assert_eq!(p.central(Field::SystemPowerKw), Some(135.0));
        assert_eq!(p.origin, "mine.toml");
    }

    #[test]
    fn derivation_cycles_are_reported() {
        let a = "id = \"a\"\nname = \"A\"\nform = \"rack\"\navailable = { date = \"2026-H2\", source = \"x\" }\n\
packages_per_system = { value = 1, source = \"x\" }\ndies_per_package = { value = 1, source = \"x\" }\n\
systems_per_rack = { value = 1, source = \"x\" }\nnvlink_domain_packages = { value = 1, source = \"x\" }\n\
system_power_kw = { value = 1, source = \"x\" }\nsystem_price_usd = { derived = \"same_as(b)\" }\n";
        let b = a.replace("id = \"a\"", "id = \"b\"").replace("same_as(b)", "same_as(a)");
        let err = Catalog::load(&[SourceFile::new("a.toml", a), SourceFile::new("b.toml", b)]).unwrap_err();
        assert!(err.message.contains("refers to itself"), "{}", err.message);
    }

    #[test]
    fn rules_parse() {
        assert_eq!(parse_rule("same_as(h100-hgx)"), Ok(Rule::SameAs { platform: "h100-hgx".into() }));
        assert_eq!(
            parse_rule("per_package(vr-nvl144, fp4_dense_tflops)"),
            Ok(Rule::PerPackage { platform: "vr-nvl144".into(), metric: Field::Fp4DenseTflops })
        );
        assert!(parse_rule("per_package(vr-nvl144, system_price_usd)").is_err());
        assert!(parse_rule("times(hbm_gb, x)").is_err());
        assert!(parse_rule("magic").is_err());
    }
}
