//! Scenario files: what the user wants to study, validated into a [`Model`].
//!
//! A scenario names its phases of capacity coming online (each sized by facility power or by a
//! count of systems, on a catalog platform, with a PUE and a ramp), its cost inputs and its
//! financing terms (see `docs/scenario.md`). Reading one checks everything a plan relies on and
//! reports the first problem with file, line and column, what is wrong and what would be right.
//! The result is a [`Model`]: the validated design plus every number about the world it uses,
//! registered as a [`Param`](crate::params::Param) with its range and provenance.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Field, Form, Platform};
use crate::date::Date;
use crate::defaults::{ANNOUNCEMENT_INPUTS, COST_INPUTS, FINANCING_INPUTS, InputSpec, PHASE_INPUTS};
use crate::error::{InputError, KeyPath, SourceFile};
use crate::params::{ParamId, ParamLink, Params};
use crate::quantity::{BareNumbers, Quantity, QuantitySpec};
use crate::schema::Input;
use crate::schema::scenario::{Financing, Phase, ScenarioFile};
use crate::simulation::PhaseShape;
use crate::validate;

/// Default number of Monte Carlo draws for the plan's ranges.
pub const DEFAULT_DRAWS: usize = 2000;

/// Largest facility power one phase may have, GW: a thousand of the largest campuses announced
/// (about 1 GW each) is far beyond any plan, and keeps every sum finite.
pub const MAX_PHASE_GW: f64 = 1000.0;

/// Most systems (servers or racks) one phase may have.
pub const MAX_PHASE_SYSTEMS: i64 = 100_000_000;

/// Fewest Monte Carlo draws a scenario or the command line may ask for: the P10 and P90 of fewer
/// draws move too much from seed to seed to be quoted.
pub const MIN_DRAWS: usize = 1000;

/// Most Monte Carlo draws a scenario or the command line may ask for.
pub const MAX_DRAWS: usize = 1_000_000;

/// How a phase is sized.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sizing {
    /// By facility power, GW: as many systems as fit.
    PowerGw(f64),
    /// By a count of systems (servers or racks), e.g. an existing cluster.
    Systems(u64),
}

/// One phase of capacity, validated.
#[derive(Clone, Debug)]
pub struct PhaseInput {
    /// Display name (`GW 1`, or the scenario's own).
    pub name: String,
    /// Date the phase is fully online.
    pub online: Date,
    /// Months before `online` over which it comes online linearly (0 = all at once).
    pub ramp_months: f64,
    /// Date its ramp starts.
    pub ramp_start: Date,
    /// Optional site name.
    pub site: Option<String>,
    /// Platform id.
    pub platform: String,
    /// Platform display name.
    pub platform_name: String,
    /// Who sells the platform (`vendor` in its catalog file): the supplier its compute is booked to.
    pub vendor: String,
    /// Platform form.
    pub form: Form,
    /// How the phase is sized.
    pub sizing: Sizing,
    /// Annualised PUE.
    pub pue: ParamId,
    /// Packages per system.
    pub packages_per_system: ParamId,
    /// Dies per package.
    pub dies_per_package: ParamId,
    /// Systems per rack.
    pub systems_per_rack: ParamId,
    /// IT power per system, kW.
    pub system_power_kw: ParamId,
    /// Price per system, USD.
    pub system_price_usd: ParamId,
    /// Dense FP4 TFLOPS per package, when the platform has FP4.
    pub fp4_dense_tflops: Option<ParamId>,
    /// Dense FP8 TFLOPS per package.
    pub fp8_dense_tflops: Option<ParamId>,
    /// Dense BF16 TFLOPS per package.
    pub bf16_dense_tflops: Option<ParamId>,
    /// The platform's own NVIDIA share of scale-out networking, when its file gives one (else the
    /// scenario's `costs.nvidia_share_networking` applies).
    pub nvidia_share_networking: Option<ParamId>,
}

/// The cost inputs of a model, one param each (see [`COST_INPUTS`]).
#[derive(Clone, Debug)]
pub struct CostInputs {
    /// IT power ÷ compute-system power.
    pub it_overhead: ParamId,
    /// Facility capex per MW of critical IT, USD.
    pub facility_usd_per_mw: ParamId,
    /// Networking ÷ compute-system capex.
    pub networking_fraction: ParamId,
    /// Storage ÷ compute-system capex.
    pub storage_fraction: ParamId,
    /// Other capex ÷ total capex.
    pub other_fraction: ParamId,
    /// Share of compute-system capex that is the platform vendor's revenue (NVIDIA's on NVIDIA
    /// platforms, whence the key; the same share goes to AMD, Google or AWS on theirs).
    pub nvidia_share_compute: ParamId,
    /// NVIDIA share of networking capex, for platforms whose file gives none of their own.
    pub nvidia_share_networking: ParamId,
    /// Electricity price, USD/MWh.
    pub electricity_usd_per_mwh: ParamId,
    /// Average ÷ installed facility power.
    pub load_factor: ParamId,
    /// Maintenance per year ÷ hardware capex.
    pub maintenance_fraction_per_year: ParamId,
    /// Hardware useful life, years.
    pub hardware_depreciation_years: ParamId,
    /// Facility useful life, years.
    pub facility_depreciation_years: ParamId,
}

/// The financing terms: an investor releasing a tranche per gigawatt deployed, up to a cap.
#[derive(Clone, Debug)]
pub struct FinancingInput {
    /// Who invests (and supplies the systems): "NVIDIA".
    pub investor: String,
    /// Who receives the investment and builds: "OpenAI".
    pub recipient: String,
    /// Released each time cumulative deployed power crosses another gigawatt, USD.
    pub per_gw_usd: ParamId,
    /// Total investment cap, USD.
    pub cap_usd: ParamId,
    /// Pre-money valuation of the recipient, USD.
    pub valuation_usd: ParamId,
}

/// The announcement's own figures, for comparison.
#[derive(Clone, Debug)]
pub struct Announcement {
    /// Gigawatts announced.
    pub gigawatts: Quantity,
    /// GPUs said to correspond to them.
    pub gpus: Quantity,
    /// Capex per GW as NVIDIA put it.
    pub capex_per_gw_usd: Quantity,
    /// NVIDIA content per GW as NVIDIA put it.
    pub nvidia_per_gw_usd: Quantity,
}

/// A validated scenario with every input it uses.
#[derive(Clone, Debug)]
pub struct Model {
    /// The scenario file.
    pub source: SourceFile,
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: Option<String>,
    /// Seed of the uncertainty analysis (and, later, of simulations).
    pub seed: u64,
    /// Monte Carlo draws for the plan's ranges.
    pub draws: usize,
    /// Every numeric input.
    pub params: Params,
    /// Phases in the order they come online.
    pub phases: Vec<PhaseInput>,
    /// Cost inputs.
    pub costs: CostInputs,
    /// Financing terms, if the scenario has any.
    pub financing: Option<FinancingInput>,
    /// What the announcement itself says.
    pub announcement: Announcement,
    /// Things that are allowed but look wrong (a phase before its platform ships…).
    pub warnings: Vec<String>,
    /// Inputs of `gigawatt simulate`: failure classes, topology and training jobs.
    pub simulation: crate::simulation::SimulationSpec,
    /// The workload sections (`[[training]]`, `[demand]`, `[inference]`, `[allocation]`) as
    /// written; `gigawatt-workloads` validates them (see `docs/scenario.md`).
    pub workloads: WorkloadSections,
}

/// The workload sections of a scenario as written (their keys checked): the planner does not use
/// them and `gigawatt-workloads` validates them with located errors.
#[derive(Clone, Debug, Default)]
pub struct WorkloadSections {
    /// `[[training]]` runs, in file order.
    pub training: Vec<crate::schema::workloads::Training>,
    /// `[demand]`.
    pub demand: Option<crate::schema::workloads::Demand>,
    /// `[inference]`.
    pub inference: Option<crate::schema::workloads::Inference>,
    /// `[allocation]`.
    pub allocation: Option<crate::schema::workloads::Allocation>,
}

impl WorkloadSections {
    /// Whether the scenario has any workload section, i.e. asks for `gigawatt capacity`.
    pub fn declared(&self) -> bool {
        !self.training.is_empty() || self.demand.is_some() || self.inference.is_some() || self.allocation.is_some()
    }
}

/// Reads and validates a scenario against a catalog.
pub fn load_scenario(file: &SourceFile, catalog: &Catalog) -> Result<Model, InputError> {
    let table: toml::Table = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    ScenarioFile::SECTION.check_keys(file, &KeyPath::root(), &table)?;
    let raw: ScenarioFile = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    Builder { file, catalog, params: Params::default(), warnings: Vec::new() }.build(raw)
}

/// How a phase is sized: by facility power (`power_gw`) or by a count of systems, not both.
fn phase_sizing(file: &SourceFile, path: &KeyPath, i: usize, rp: &Phase) -> Result<Sizing, InputError> {
    let power_gw =
        rp.power_gw.as_ref().map(|v| validate::number(file, &path.key("power_gw"), v, "power_gw")).transpose()?;
    let systems =
        rp.systems.as_ref().map(|v| validate::integer(file, &path.key("systems"), v, "systems")).transpose()?;
    Ok(match (power_gw, systems) {
        (Some(_), Some(_)) => {
            return Err(InputError::at(
                file,
                &path.key("systems"),
                "a phase is sized by `power_gw` or by `systems`, not both",
            )
            .with_help("keep power_gw to size by facility power, or systems to size by a count of servers/racks"));
        }
        (None, None) => {
            return Err(InputError::at(file, path, format!("phase {} has neither `power_gw` nor `systems`", i + 1))
                .with_help("add power_gw = 1.0 (facility power, GW) or systems = 3072 (a count of servers or racks)"));
        }
        (Some(gw), None) => {
            if !(gw.is_finite() && gw > 0.0) {
                return Err(InputError::at(
                    file,
                    &path.key("power_gw"),
                    format!("power_gw must be positive, found {gw}"),
                )
                .with_help("give the phase's facility power in GW, e.g. power_gw = 1.0"));
            }
            if gw > MAX_PHASE_GW {
                return Err(InputError::at(
                    file,
                    &path.key("power_gw"),
                    format!("power_gw = {gw} GW is more than a phase can be ({MAX_PHASE_GW} GW)"),
                )
                .with_help("facility power is in GW (1 GW is one of the largest campuses announced): split the build into phases of at most 1,000 GW"));
            }
            Sizing::PowerGw(gw)
        }
        (None, Some(n)) => {
            if !(1..=MAX_PHASE_SYSTEMS).contains(&n) {
                return Err(InputError::at(
                    file,
                    &path.key("systems"),
                    format!("systems must be from 1 to 100,000,000, found {n}"),
                )
                .with_help("give a count of servers (8-GPU platforms) or racks (NVL platforms)"));
            }
            Sizing::Systems(n as u64)
        }
    })
}

impl CostInputs {
    /// The cost inputs from their parameters, in the order of [`COST_INPUTS`].
    fn from_ids(ids: &[ParamId]) -> CostInputs {
        CostInputs {
            it_overhead: ids[0],
            facility_usd_per_mw: ids[1],
            networking_fraction: ids[2],
            storage_fraction: ids[3],
            other_fraction: ids[4],
            nvidia_share_compute: ids[5],
            nvidia_share_networking: ids[6],
            electricity_usd_per_mwh: ids[7],
            load_factor: ids[8],
            maintenance_fraction_per_year: ids[9],
            hardware_depreciation_years: ids[10],
            facility_depreciation_years: ids[11],
        }
    }
}

struct Builder<'a> {
    file: &'a SourceFile,
    catalog: &'a Catalog,
    params: Params,
    warnings: Vec<String>,
}

impl Builder<'_> {
    fn build(mut self, raw: ScenarioFile) -> Result<Model, InputError> {
        let root = KeyPath::root();
        if raw.phases.is_empty() {
            return Err(InputError::at(self.file, &root, "the scenario has no phases")
                .with_help("add at least one [[phase]] with online, platform and power_gw (or systems)"));
        }
        let default_pue =
            self.input_from_table(&raw.phase_defaults, &root.key("phase_defaults"), PHASE_INPUTS, "phase_defaults")?;
        let pue_default = default_pue[0];
        let costs_ids = self.input_from_table(&raw.costs, &root.key("costs"), COST_INPUTS, "costs")?;
        let costs = CostInputs::from_ids(&costs_ids);
        let mut phases: Vec<PhaseInput> = Vec::new();
        for (i, rp) in raw.phases.iter().enumerate() {
            let phase = self.phase(i, rp, pue_default, &costs)?;
            if let Some(prev) = phases.last()
                && phase.online < prev.online
            {
                let message = format!(
                    "phase {} ({}) comes online on {}, before phase {} ({}) on {}",
                    i + 1,
                    phase.name,
                    phase.online,
                    i,
                    prev.name,
                    prev.online
                );
                return Err(InputError::at(self.file, &root.key("phase").index(i).key("online"), message)
                    .with_help("list phases in the order they come online"));
            }
            phases.push(phase);
        }
        let financing = raw.financing.as_ref().map(|f| self.financing(f)).transpose()?;
        let draws = match raw.uncertainty.as_ref().and_then(|u| u.draws) {
            None => DEFAULT_DRAWS,
            Some(d) if (MIN_DRAWS as i64..=MAX_DRAWS as i64).contains(&d) => d as usize,
            Some(d) => {
                return Err(InputError::at(
                    self.file,
                    &root.key("uncertainty").key("draws"),
                    format!("draws = {d} is out of range"),
                )
                .with_help("use between 1,000 and 1,000,000 Monte Carlo draws (default 2,000)"));
            }
        };
        let central = self.params.central();
        let shapes: Vec<PhaseShape> = phases
            .iter()
            .map(|p| PhaseShape {
                name: p.name.clone(),
                platform: p.platform.clone(),
                form: p.form,
                packages_per_system: central[p.packages_per_system].round() as u32,
            })
            .collect();
        let simulation = crate::simulation::build(
            self.file,
            &shapes,
            self.catalog,
            raw.simulation.as_ref(),
            &raw.jobs,
            &raw.failures,
        )?;
        let defaults = &self.catalog.defaults;
        let announcement = Announcement {
            gigawatts: defaults.get(&ANNOUNCEMENT_INPUTS[0]).clone(),
            gpus: defaults.get(&ANNOUNCEMENT_INPUTS[1]).clone(),
            capex_per_gw_usd: defaults.get(&ANNOUNCEMENT_INPUTS[2]).clone(),
            nvidia_per_gw_usd: defaults.get(&ANNOUNCEMENT_INPUTS[3]).clone(),
        };
        Ok(Model {
            source: self.file.clone(),
            name: raw.name,
            description: raw.description,
            seed: raw.seed.unwrap_or(0),
            draws,
            params: self.params,
            phases,
            costs,
            financing,
            announcement,
            warnings: self.warnings,
            workloads: WorkloadSections {
                training: raw.training,
                demand: raw.demand,
                inference: raw.inference,
                allocation: raw.allocation,
            },
            simulation,
        })
    }

    /// Registers the inputs of one table: the scenario's value where given, else the default.
    /// Registers the inputs of one table (its keys already checked against `specs`).
    fn input_from_table(
        &mut self,
        table: &BTreeMap<String, Input>,
        path: &KeyPath,
        specs: &[InputSpec],
        section: &str,
    ) -> Result<Vec<ParamId>, InputError> {
        specs
            .iter()
            .map(|spec| {
                let quantity = match table.get(spec.key) {
                    Some(v) => self.quantity(&path.key(spec.key), v, spec)?,
                    None => self.catalog.defaults.get(spec).clone(),
                };
                Ok(self.params.add(&format!("{section}.{}", spec.key), spec.label, spec.unit, quantity, None))
            })
            .collect()
    }

    fn quantity(&self, path: &KeyPath, v: &Input, spec: &InputSpec) -> Result<Quantity, InputError> {
        let q = QuantitySpec::from_input(self.file, path, v, BareNumbers::Assumed)?;
        q.check(self.file, |x| spec.check.ok(x), spec.label, spec.check.expected())?;
        Ok(q.into_quantity().expect("scenarios cannot derive"))
    }

    fn platform_param(&mut self, p: &Platform, field: Field) -> Option<ParamId> {
        let key = format!("catalog.{}.{}", p.id, field.key());
        if let Some(id) = self.params.find(&key) {
            return Some(id);
        }
        let q = p.get(field)?.clone();
        let link = p.links.get(&field).and_then(|l| {
            let base = self.catalog.get(&l.platform)?;
            let base_id = self.platform_param(base, l.field)?;
            Some(ParamLink { base: base_id, factor: l.factor })
        });
        Some(self.params.add(&key, &format!("{}: {}", p.name, field.label()), field.unit(), q, link))
    }

    fn phase(
        &mut self,
        i: usize,
        rp: &Phase,
        pue_default: ParamId,
        costs: &CostInputs,
    ) -> Result<PhaseInput, InputError> {
        let file = self.file;
        let path = KeyPath::root().key("phase").index(i);
        let name = rp.name.clone().unwrap_or_else(|| format!("phase {}", i + 1));
        let platform = self
            .catalog
            .get(&rp.platform)
            .ok_or_else(|| self.catalog.unknown(file, &path.key("platform"), &rp.platform))?;
        let online = validate::date(file, &path.key("online"), &rp.online)?;
        let ramp_months = match &rp.ramp_months {
            Some(v) => validate::number(file, &path.key("ramp_months"), v, "ramp_months")?,
            None => 0.0,
        };
        if !(0.0..=120.0).contains(&ramp_months) {
            return Err(InputError::at(
                file,
                &path.key("ramp_months"),
                format!("ramp_months = {ramp_months} is out of range"),
            )
            .with_help("give the months over which the phase comes online before its `online` date, from 0 to 120"));
        }
        let sizing = phase_sizing(file, &path, i, rp)?;
        let pue = match &rp.pue {
            Some(v) => {
                let q = self.quantity(&path.key("pue"), v, &PHASE_INPUTS[0])?;
                self.params.add(&format!("phase[{i}].pue"), &format!("{name}: PUE"), "ratio", q, None)
            }
            None => pue_default,
        };
        let systems_per_rack = self.systems_per_rack(&path, i, &name, rp, platform)?;
        let need = |s: &mut Self, f: Field| s.platform_param(platform, f).expect("required field");
        let phase = PhaseInput {
            name: name.clone(),
            online,
            ramp_months,
            ramp_start: online.minus_months(ramp_months),
            site: rp.site.clone(),
            platform: platform.id.clone(),
            platform_name: platform.name.clone(),
            vendor: platform.vendor.clone(),
            form: platform.form,
            sizing,
            pue,
            packages_per_system: need(self, Field::PackagesPerSystem),
            dies_per_package: need(self, Field::DiesPerPackage),
            systems_per_rack,
            system_power_kw: need(self, Field::SystemPowerKw),
            system_price_usd: need(self, Field::SystemPriceUsd),
            fp4_dense_tflops: self.platform_param(platform, Field::Fp4DenseTflops),
            fp8_dense_tflops: self.platform_param(platform, Field::Fp8DenseTflops),
            bf16_dense_tflops: self.platform_param(platform, Field::Bf16DenseTflops),
            nvidia_share_networking: self.platform_param(platform, Field::NvidiaShareNetworking),
        };
        if let Sizing::PowerGw(gw) = sizing {
            let c = self.params.central();
            let kw_per_system_all_in = c[phase.system_power_kw] * c[costs.it_overhead] * c[phase.pue];
            if gw * 1e6 < kw_per_system_all_in {
                return Err(InputError::at(
                    file,
                    &path.key("power_gw"),
                    format!(
                        "power_gw = {gw} is too small for one {} system ({:.4} GW all-in at central inputs)",
                        platform.id,
                        kw_per_system_all_in / 1e6
                    ),
                )
                .with_help("give a larger power_gw, or size the phase by `systems`"));
            }
        }
        if online < platform.available {
            self.warnings.push(format!(
                "{name} is fully online on {online}, before {} is available ({})",
                platform.id, platform.available
            ));
        }
        Ok(phase)
    }

    /// Servers per rack of a phase on a server platform: the scenario's, else the platform's.
    fn systems_per_rack(
        &mut self,
        path: &KeyPath,
        i: usize,
        name: &str,
        rp: &Phase,
        platform: &Platform,
    ) -> Result<ParamId, InputError> {
        let file = self.file;
        Ok(match &rp.systems_per_rack {
            Some(v) => {
                if platform.form == Form::Rack {
                    return Err(InputError::at(
                        file,
                        &path.key("systems_per_rack"),
                        format!("`{}` is a rack-scale system; it has no systems_per_rack", platform.id),
                    )
                    .with_help("systems_per_rack applies to server platforms such as h100-hgx"));
                }
                let q = QuantitySpec::from_input(file, &path.key("systems_per_rack"), v, BareNumbers::Assumed)?;
                q.check(file, |x| x >= 1.0 && x.fract() == 0.0, "systems_per_rack", "a whole number of at least 1")?;
                let q = q.into_quantity().expect("not derived");
                self.params.add(
                    &format!("phase[{i}].systems_per_rack"),
                    &format!("{name}: servers per rack"),
                    "count",
                    q,
                    None,
                )
            }
            None => self.platform_param(platform, Field::SystemsPerRack).expect("required field"),
        })
    }

    fn financing(&mut self, f: &Financing) -> Result<FinancingInput, InputError> {
        let path = KeyPath::root().key("financing");
        let money = |s: &mut Self, key: &str, v: &Input, label: &'static str| -> Result<ParamId, InputError> {
            let spec = InputSpec {
                section: "financing",
                key: "",
                label,
                unit: "USD",
                check: crate::defaults::Check::NonNegative,
            };
            let q = s.quantity(&path.key(key), v, &spec)?;
            Ok(s.params.add(&format!("financing.{key}"), label, "USD", q, None))
        };
        let per_gw_usd = money(self, "per_gw_usd", &f.per_gw_usd, "investment released per GW deployed")?;
        let cap_usd = money(self, "cap_usd", &f.cap_usd, "investment cap")?;
        let valuation_usd = match &f.valuation_usd {
            Some(v) => {
                let q = self.quantity(&path.key("valuation_usd"), v, &FINANCING_INPUTS[0])?;
                self.params.add("financing.valuation_usd", FINANCING_INPUTS[0].label, "USD", q, None)
            }
            None => {
                let q = self.catalog.defaults.get(&FINANCING_INPUTS[0]).clone();
                self.params.add("financing.valuation_usd", FINANCING_INPUTS[0].label, "USD", q, None)
            }
        };
        Ok(FinancingInput {
            investor: f.investor.clone().unwrap_or_else(|| "NVIDIA".into()),
            recipient: f.recipient.clone().unwrap_or_else(|| "the builder".into()),
            per_gw_usd,
            cap_usd,
            valuation_usd,
        })
    }
}
