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
use crate::defaults::{COST_INPUTS, Check, FINANCING_INPUTS, InputSpec, PHASE_INPUTS};
use crate::error::{InputError, KeyPath, SourceFile, closest};
use crate::params::{ParamId, ParamLink, Params};
use crate::quantity::{BareNumbers, Quantity, QuantitySpec};
use crate::schema::Input;
use crate::schema::scenario::{Announcement as RawAnnouncement, Financing, Phase, ScenarioFile, Site};
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
    /// US state (or grid region) of the phase: its own `state`, else its `[[site]]`'s (for
    /// `gigawatt power`'s default energy price and carbon intensity).
    pub state: Option<String>,
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

/// A deal's announced figures (`[announcement]`), for comparison with the plan.
#[derive(Clone, Debug)]
pub struct Announcement {
    /// What is compared with, e.g. "NVIDIA–OpenAI letter of intent (Sep 2025)".
    pub name: String,
    /// The supplier whose content per GW is claimed.
    pub supplier: String,
    /// Gigawatts announced.
    pub gigawatts: Quantity,
    /// GPUs said to correspond to them.
    pub gpus: Quantity,
    /// Capex per GW as announced.
    pub capex_per_gw_usd: Quantity,
    /// The supplier's content per GW as announced.
    pub supplier_per_gw_usd: Option<Quantity>,
    /// Investment announced alongside, in total.
    pub investment_usd: Option<Quantity>,
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
    /// What the scenario's `[announcement]` claims, if it has one.
    pub announcement: Option<Announcement>,
    /// The supplier whose content per GW is a headline: the announcement's supplier, else the
    /// financing investor, else the vendor of most phases (the first such on a tie).
    pub supplier: String,
    /// The H100's dense peaks per package, the unit of H100-equivalents (`None` if the catalog
    /// has no `h100-hgx`).
    pub h100: Option<H100Reference>,
    /// Things that are allowed but look wrong (a phase before its platform ships…).
    pub warnings: Vec<String>,
    /// Inputs of `gigawatt simulate`: failure classes, topology and training jobs.
    pub simulation: crate::simulation::SimulationSpec,
    /// The workload sections (`[[training]]`, `[demand]`, `[inference]`, `[allocation]`) as
    /// written; `gigawatt-workloads` validates them (see `docs/scenario.md`).
    pub workloads: WorkloadSections,
    /// The `[power]` section as written (keys checked); `gigawatt-power` validates it.
    pub power: Option<crate::schema::power::Power>,
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
    /// `[operate]`, read by `gigawatt operate`.
    pub operate: Option<crate::schema::operate::Operate>,
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

/// Each `[[site]]`'s facility power, MW, by name.
fn site_powers(file: &SourceFile, sites: &[Site]) -> Result<BTreeMap<String, f64>, InputError> {
    let mut out = BTreeMap::new();
    for (i, s) in sites.iter().enumerate() {
        let path = KeyPath::root().key("site").index(i);
        let mw = validate::number(file, &path.key("power_mw"), &s.power_mw, "power_mw")?;
        if !(mw > 0.0 && mw <= MAX_PHASE_GW * 1000.0) {
            return Err(InputError::at(file, &path.key("power_mw"), format!("power_mw must be positive, found {mw}"))
                .with_help("give the site's facility power in MW, e.g. power_mw = 1200"));
        }
        if out.insert(s.name.clone(), mw).is_some() {
            return Err(InputError::at(file, &path.key("name"), format!("site `{}` is listed twice", s.name))
                .with_help("give each [[site]] its own name"));
        }
    }
    Ok(out)
}

/// A phase sized by `site_share`: its share of its site's power, in GW.
fn site_share_gw(
    file: &SourceFile,
    path: &KeyPath,
    rp: &Phase,
    share: &Input,
    sites: &BTreeMap<String, f64>,
) -> Result<f64, InputError> {
    let x = validate::number(file, &path.key("site_share"), share, "site_share")?;
    if !(x > 0.0 && x <= 1.0) {
        return Err(InputError::at(file, &path.key("site_share"), format!("site_share must be in (0, 1], found {x}"))
            .with_help("give the phase's share of its site's power, e.g. site_share = 0.5"));
    }
    let Some(site) = &rp.site else {
        return Err(InputError::at(file, &path.key("site_share"), "a phase sized by site_share needs a `site`")
            .with_help("add site = \"…\" naming a [[site]] with power_mw"));
    };
    let Some(mw) = sites.get(site) else {
        let known: Vec<&str> = sites.keys().map(String::as_str).collect();
        let help = match closest(site, known.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? Sites with power_mw: {}", known.join(", ")),
            None if known.is_empty() => format!("add a [[site]] with name = \"{site}\" and power_mw"),
            None => format!("sites with power_mw: {}", known.join(", ")),
        };
        return Err(InputError::at(file, &path.key("site"), format!("no [[site]] named `{site}`")).with_help(help));
    };
    Ok(mw * x / 1000.0)
}

/// How a phase is sized: by facility power (`power_gw`), by a share of its site's power
/// (`site_share`) or by a count of systems; exactly one.
fn phase_sizing(
    file: &SourceFile,
    path: &KeyPath,
    i: usize,
    rp: &Phase,
    sites: &BTreeMap<String, f64>,
) -> Result<Sizing, InputError> {
    let power_gw = match (&rp.power_gw, &rp.site_share) {
        (Some(_), Some(_)) => {
            return Err(InputError::at(
                file,
                &path.key("site_share"),
                "a phase is sized by `power_gw` or by `site_share`, not both",
            )
            .with_help("keep power_gw for the phase's own facility power, or site_share for its share of the site's"));
        }
        (Some(v), None) => Some(validate::number(file, &path.key("power_gw"), v, "power_gw")?),
        (None, Some(share)) => Some(site_share_gw(file, path, rp, share, sites)?),
        (None, None) => None,
    };
    let systems =
        rp.systems.as_ref().map(|v| validate::integer(file, &path.key("systems"), v, "systems")).transpose()?;
    Ok(match (power_gw, systems) {
        (Some(_), Some(_)) => {
            return Err(InputError::at(
                file,
                &path.key("systems"),
                "a phase is sized by `power_gw` (or `site_share`) or by `systems`, not both",
            )
            .with_help("keep power_gw to size by facility power, or systems to size by a count of servers/racks"));
        }
        (None, None) => {
            return Err(InputError::at(
                file,
                path,
                format!("phase {} has none of `power_gw`, `site_share` and `systems`", i + 1),
            )
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

/// The platform H100-equivalents are counted in.
pub const H100_EQUIVALENT_PLATFORM: &str = "h100-hgx";

/// The H100's dense peak per package in the two formats H100-equivalents are counted by, at the
/// central values of its catalog file. A unit of measure, not an input: it is not sampled, and a
/// plan without H100s does not list it among its inputs.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct H100Reference {
    /// Dense BF16 TFLOPS per H100 package.
    pub bf16_dense_tflops: f64,
    /// Dense FP8 TFLOPS per H100 package.
    pub fp8_dense_tflops: f64,
}

impl Builder<'_> {
    /// The H100's dense BF16 and FP8 peaks from its catalog file: the unit of H100-equivalents.
    fn h100_reference(&self) -> Option<H100Reference> {
        let h100 = self.catalog.get(H100_EQUIVALENT_PLATFORM)?;
        Some(H100Reference {
            bf16_dense_tflops: h100.get(Field::Bf16DenseTflops)?.estimate.central,
            fp8_dense_tflops: h100.get(Field::Fp8DenseTflops)?.estimate.central,
        })
    }

    /// The phases of a site split at most all of its power: an error at the phase whose share
    /// takes the site past 100 %, and a warning for a site whose shares leave some unused.
    fn check_site_shares(&mut self, phases: &[Phase], sites: &BTreeMap<String, f64>) -> Result<(), InputError> {
        let mut used: BTreeMap<&str, f64> = BTreeMap::new();
        for (i, rp) in phases.iter().enumerate() {
            let (Some(site), Some(share)) = (&rp.site, &rp.site_share) else { continue };
            let path = KeyPath::root().key("phase").index(i).key("site_share");
            let x = validate::number(self.file, &path, share, "site_share")?;
            let total = used.entry(site.as_str()).or_insert(0.0);
            *total += x;
            if *total > 1.0 + 1e-9 {
                return Err(InputError::at(
                    self.file,
                    &path,
                    format!("the phases of site `{site}` now take {:.1}% of its power_mw", *total * 100.0),
                )
                .with_help("the site_share values of one site's phases must add up to at most 1"));
            }
        }
        for (site, total) in used {
            if total < 1.0 - 1e-9 {
                self.warnings.push(format!(
                    "site `{site}`: its phases take {:.1}% of its power_mw; the rest ({:.0} MW) is not planned",
                    total * 100.0,
                    (1.0 - total) * sites[site]
                ));
            }
        }
        Ok(())
    }

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
        let sites = site_powers(self.file, &raw.sites)?;
        let site_states: BTreeMap<&str, &str> =
            raw.sites.iter().filter_map(|s| Some((s.name.as_str(), s.state.as_deref()?))).collect();
        let mut phases: Vec<PhaseInput> = Vec::new();
        for (i, rp) in raw.phases.iter().enumerate() {
            let mut phase = self.phase(i, rp, pue_default, &costs, &sites)?;
            phase.state =
                rp.state.clone().or_else(|| rp.site.as_deref().and_then(|s| site_states.get(s)).map(|s| s.to_string()));
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
        self.check_site_shares(&raw.phases, &sites)?;
        let financing = raw.financing.as_ref().map(|f| self.financing(f)).transpose()?;
        let h100 = self.h100_reference();
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
        let investor = financing.as_ref().map(|f| f.investor.as_str());
        let announcement = raw.announcement.as_ref().map(|a| announcement(self.file, a, investor)).transpose()?;
        let supplier = match (&announcement, investor) {
            (Some(a), _) => a.supplier.clone(),
            (None, Some(i)) => i.to_string(),
            (None, None) => most_common_vendor(&phases),
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
            supplier,
            h100,
            warnings: self.warnings,
            workloads: WorkloadSections {
                training: raw.training,
                demand: raw.demand,
                inference: raw.inference,
                allocation: raw.allocation,
                operate: raw.operate,
            },
            simulation,
            power: raw.power,
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
        sites: &BTreeMap<String, f64>,
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
        let sizing = phase_sizing(file, &path, i, rp, sites)?;
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
            state: None,
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

/// Reads `[announcement]`: every figure needs a `source` (or an explicit `assumption`), since a
/// claim is only worth comparing with when it can be traced.
fn announcement(file: &SourceFile, a: &RawAnnouncement, investor: Option<&str>) -> Result<Announcement, InputError> {
    let path = KeyPath::root().key("announcement");
    let figure = |key: &str, v: &Input, check: Check, label: &str| -> Result<Quantity, InputError> {
        let q = QuantitySpec::from_input(file, &path.key(key), v, BareNumbers::Forbidden)?;
        q.check(file, |x| check.ok(x), label, check.expected())?;
        Ok(q.into_quantity().expect("scenarios cannot derive"))
    };
    let optional = |key: &str, v: &Option<Input>, check: Check, label: &str| {
        v.as_ref().map(|v| figure(key, v, check, label)).transpose()
    };
    Ok(Announcement {
        name: a.name.clone().unwrap_or_else(|| "the announcement".into()),
        supplier: a.supplier.clone().or_else(|| investor.map(str::to_string)).unwrap_or_else(|| "NVIDIA".into()),
        gigawatts: figure("gigawatts", &a.gigawatts, Check::Positive, "gigawatts announced")?,
        gpus: figure("gpus", &a.gpus, Check::Positive, "GPUs announced")?,
        capex_per_gw_usd: figure("capex_per_gw_usd", &a.capex_per_gw_usd, Check::Positive, "capex per GW announced")?,
        supplier_per_gw_usd: optional(
            "supplier_per_gw_usd",
            &a.supplier_per_gw_usd,
            Check::Positive,
            "supplier content per GW announced",
        )?,
        investment_usd: optional("investment_usd", &a.investment_usd, Check::NonNegative, "investment announced")?,
    })
}

/// The vendor of most phases, the first such on a tie (a scenario has at least one phase).
fn most_common_vendor(phases: &[PhaseInput]) -> String {
    let count = |v: &str| phases.iter().filter(|p| p.vendor.eq_ignore_ascii_case(v)).count();
    let mut best: Option<(&str, usize)> = None;
    for p in phases {
        let n = count(&p.vendor);
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((&p.vendor, n));
        }
    }
    best.map(|(v, _)| v.to_string()).unwrap_or_default()
}
