//! The build-out planner: power → systems → GPUs → capex/opex → timeline → financing.
//!
//! Pure functions of a [`Model`] and one vector of input [`Values`]; no I/O. For a phase sized by
//! facility power P (GW) on a platform whose system draws `s` kW:
//!
//! ```text
//! IT power        = P / PUE                     (critical IT load the facility is built for)
//! compute power   = IT power / it_overhead       (the rest is network, storage, management)
//! systems         = floor(compute power / s)     racks = ceil(systems / systems_per_rack)
//! GPUs (packages) = systems × packages_per_system          dies = GPUs × dies_per_package
//! capex           = compute + networking + storage + facility + other, where
//!   compute = systems × price, networking = compute × networking_fraction,
//!   storage = compute × storage_fraction, facility = IT MW × facility_usd_per_mw,
//!   other   = (sum of the above) × f / (1 − f)  with f = other_fraction of the total
//! vendor  = compute × nvidia_share_compute     booked to the platform's vendor (NVIDIA, AMD, …)
//! NVIDIA  = networking × nvidia_share_networking (the platform file's own share, else the scenario's)
//!           + the vendor line when the platform is NVIDIA's
//! energy/yr = installed facility MW × load_factor × 8,760 h × electricity price
//! ```
//!
//! A phase sized by `systems` runs the same arithmetic from the count upwards. Each phase comes
//! online linearly over its ramp, ending on its `online` date; capex and purchases follow the
//! deployed power. The investor releases `per_gw_usd` each time cumulative deployed facility power
//! crosses another gigawatt, up to the cap. See `docs/models/plan.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::date::{Date, Quarter};
use crate::params::Values;
use crate::scenario::{Model, PhaseInput, Sizing};

/// Hours in a (non-leap) year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// The supplier NVIDIA's networking share and NVIDIA platforms' compute are booked to.
pub const NVIDIA: &str = "NVIDIA";

/// The key of [`PhaseResult::capex_by_vendor_usd`] for everything not bought from a platform
/// vendor or from NVIDIA: ODMs and OEMs, other network suppliers, storage, facility, land, labour.
pub const OTHER_SUPPLIERS: &str = "others";

/// Peak dense throughput by precision, PFLOPS (`None` where the platform lacks the format).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Pflops {
    /// Dense FP4.
    pub fp4: Option<f64>,
    /// Dense FP8.
    pub fp8: Option<f64>,
    /// Dense BF16.
    pub bf16: Option<f64>,
}

impl Pflops {
    fn add(self, o: Pflops) -> Pflops {
        let sum = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (None, None) => None,
            _ => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        Pflops { fp4: sum(self.fp4, o.fp4), fp8: sum(self.fp8, o.fp8), bf16: sum(self.bf16, o.bf16) }
    }
}

/// Capex split by category and by supplier, USD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Capex {
    /// Compute systems (servers or racks as sold).
    pub compute_systems_usd: f64,
    /// Scale-out networking.
    pub networking_usd: f64,
    /// Storage.
    pub storage_usd: f64,
    /// Facility shell, power and cooling.
    pub facility_usd: f64,
    /// Land, soft costs, labour and the rest.
    pub other_usd: f64,
    /// Sum of the categories.
    pub total_usd: f64,
    /// Bought from NVIDIA.
    pub nvidia_usd: f64,
    /// Bought from everyone else.
    pub other_suppliers_usd: f64,
}

/// The categories capex is split into, in the order reports show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapexCategory {
    /// Compute systems (servers or racks as sold).
    ComputeSystems,
    /// Scale-out networking.
    Networking,
    /// Storage.
    Storage,
    /// Facility shell, power and cooling.
    Facility,
    /// Land, soft costs, labour and the rest.
    Other,
}

impl CapexCategory {
    /// Every category, in report order.
    pub const ALL: [CapexCategory; 5] = [
        CapexCategory::ComputeSystems,
        CapexCategory::Networking,
        CapexCategory::Storage,
        CapexCategory::Facility,
        CapexCategory::Other,
    ];

    /// The label tables, charts and the HTML report show.
    pub fn label(self) -> &'static str {
        match self {
            CapexCategory::ComputeSystems => "compute systems",
            CapexCategory::Networking => "networking",
            CapexCategory::Storage => "storage",
            CapexCategory::Facility => "facility, power, cooling",
            CapexCategory::Other => "other (land, soft costs, labour)",
        }
    }

    /// The category's amount in `capex`, USD.
    pub fn of(self, capex: &Capex) -> f64 {
        match self {
            CapexCategory::ComputeSystems => capex.compute_systems_usd,
            CapexCategory::Networking => capex.networking_usd,
            CapexCategory::Storage => capex.storage_usd,
            CapexCategory::Facility => capex.facility_usd,
            CapexCategory::Other => capex.other_usd,
        }
    }
}

impl Capex {
    fn add(self, o: Capex) -> Capex {
        Capex {
            compute_systems_usd: self.compute_systems_usd + o.compute_systems_usd,
            networking_usd: self.networking_usd + o.networking_usd,
            storage_usd: self.storage_usd + o.storage_usd,
            facility_usd: self.facility_usd + o.facility_usd,
            other_usd: self.other_usd + o.other_usd,
            total_usd: self.total_usd + o.total_usd,
            nvidia_usd: self.nvidia_usd + o.nvidia_usd,
            other_suppliers_usd: self.other_suppliers_usd + o.other_suppliers_usd,
        }
    }

    /// Hardware capex (compute, networking, storage), which depreciates over the hardware life.
    pub fn hardware_usd(&self) -> f64 {
        self.compute_systems_usd + self.networking_usd + self.storage_usd
    }
}

/// Running costs per year, USD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Opex {
    /// Electricity.
    pub energy_usd_per_year: f64,
    /// Maintenance.
    pub maintenance_usd_per_year: f64,
    /// Sum.
    pub total_usd_per_year: f64,
}

/// The plan of one phase.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseResult {
    /// Phase name.
    pub name: String,
    /// Fully online on.
    pub online: Date,
    /// Ramp starts on.
    pub ramp_start: Date,
    /// Site, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Platform id.
    pub platform: String,
    /// Platform name.
    pub platform_name: String,
    /// Facility power, GW (the envelope for power-sized phases).
    pub power_gw: f64,
    /// Facility power, MW.
    pub facility_power_mw: f64,
    /// Critical IT power, MW.
    pub it_power_mw: f64,
    /// Power of the installed compute systems, MW.
    pub compute_power_mw: f64,
    /// PUE used.
    pub pue: f64,
    /// Systems (servers or racks as sold).
    pub systems: u64,
    /// Racks.
    pub racks: u64,
    /// GPU packages.
    pub gpus: u64,
    /// GPU dies.
    pub dies: u64,
    /// Peak dense throughput.
    pub peak_pflops: Pflops,
    /// Capex, total USD.
    pub capex_usd: f64,
    /// Capex breakdown.
    pub capex: Capex,
    /// Capex by supplier: the platform's vendor (its share of compute), NVIDIA (its share of
    /// networking, and of compute on NVIDIA platforms) and `others` (the rest); sums to the total.
    pub capex_by_vendor_usd: BTreeMap<String, f64>,
    /// Opex per year.
    pub opex: Opex,
    /// Depreciation per year, USD.
    pub depreciation_usd_per_year: f64,
    /// Facility kW per GPU package, all in.
    pub kw_all_in_per_gpu: f64,
    /// Facility kW per GPU die, all in.
    pub kw_all_in_per_die: f64,
    /// Capex per GPU package, USD.
    pub capex_usd_per_gpu: f64,
}

/// Whole-plan sums.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    /// Facility power, GW.
    pub power_gw: f64,
    /// Facility power, MW.
    pub facility_power_mw: f64,
    /// Critical IT power, MW.
    pub it_power_mw: f64,
    /// Installed compute-system power, MW.
    pub compute_power_mw: f64,
    /// Systems.
    pub systems: u64,
    /// Racks.
    pub racks: u64,
    /// GPU packages.
    pub gpus: u64,
    /// GPU dies.
    pub dies: u64,
    /// Peak dense throughput.
    pub peak_pflops: Pflops,
    /// Capex, total USD.
    pub capex_usd: f64,
    /// Capex bought from NVIDIA, USD.
    pub capex_nvidia_usd: f64,
    /// Capex breakdown.
    pub capex: Capex,
    /// Capex by supplier over all phases (see [`PhaseResult::capex_by_vendor_usd`]).
    pub capex_by_vendor_usd: BTreeMap<String, f64>,
    /// Opex per year, total USD.
    pub opex_usd_per_year: f64,
    /// Opex breakdown.
    pub opex: Opex,
    /// Depreciation per year, USD.
    pub depreciation_usd_per_year: f64,
    /// Capex per MW of facility power, USD.
    pub capex_usd_per_mw: f64,
    /// The fleet counted in H100s of equal dense peak compute (`None` where a platform lacks the
    /// format, or the catalog has no H100).
    pub h100_equivalents: H100Equivalents,
}

/// A fleet counted in H100 packages of equal dense peak compute: its peak PFLOPS in a format ÷ one
/// H100's. A count of peak, not of delivered work: it ignores MFU and memory.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct H100Equivalents {
    /// By dense BF16.
    pub bf16: Option<f64>,
    /// By dense FP8.
    pub fp8: Option<f64>,
}

/// The plan's figures at one set of input values (no timeline).
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// Per phase.
    pub phases: Vec<PhaseResult>,
    /// Sums.
    pub totals: Totals,
}

impl Evaluation {
    /// GPU packages per GW of facility power.
    pub fn gpus_per_gw(&self) -> f64 {
        ratio(self.totals.gpus as f64, self.totals.power_gw)
    }

    /// Capex per GW of facility power, USD.
    pub fn capex_per_gw_usd(&self) -> f64 {
        ratio(self.totals.capex_usd, self.totals.power_gw)
    }

    /// `supplier`'s content per GW of facility power, USD.
    pub fn supplier_per_gw_usd(&self, supplier: &str) -> f64 {
        ratio(vendor_usd(&self.totals.capex_by_vendor_usd, supplier), self.totals.power_gw)
    }
}

/// What `supplier` is booked in a capex-by-vendor map (vendor names compare without case); 0 when
/// it sells nothing to the plan.
pub fn vendor_usd(by_vendor: &BTreeMap<String, f64>, supplier: &str) -> f64 {
    by_vendor.iter().filter(|(v, _)| v.eq_ignore_ascii_case(supplier)).map(|(_, usd)| usd).sum()
}

/// `a / b`, or 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

/// Plans every phase at the given input values.
pub fn evaluate(model: &Model, v: &Values) -> Evaluation {
    let phases: Vec<PhaseResult> = model.phases.iter().map(|p| phase(model, p, v)).collect();
    let mut t = Totals::default();
    for p in &phases {
        t.power_gw += p.power_gw;
        t.facility_power_mw += p.facility_power_mw;
        t.it_power_mw += p.it_power_mw;
        t.compute_power_mw += p.compute_power_mw;
        t.systems += p.systems;
        t.racks += p.racks;
        t.gpus += p.gpus;
        t.dies += p.dies;
        t.peak_pflops = t.peak_pflops.add(p.peak_pflops);
        t.capex = t.capex.add(p.capex);
        for (vendor, usd) in &p.capex_by_vendor_usd {
            *t.capex_by_vendor_usd.entry(vendor.clone()).or_insert(0.0) += usd;
        }
        t.opex.energy_usd_per_year += p.opex.energy_usd_per_year;
        t.opex.maintenance_usd_per_year += p.opex.maintenance_usd_per_year;
        t.opex.total_usd_per_year += p.opex.total_usd_per_year;
        t.depreciation_usd_per_year += p.depreciation_usd_per_year;
    }
    t.capex_usd = t.capex.total_usd;
    t.capex_nvidia_usd = t.capex.nvidia_usd;
    if let Some(h) = &model.h100 {
        let per = |pflops: Option<f64>, tflops: f64| pflops.map(|p| ratio(p * 1000.0, tflops));
        t.h100_equivalents = H100Equivalents {
            bf16: per(t.peak_pflops.bf16, h.bf16_dense_tflops),
            fp8: per(t.peak_pflops.fp8, h.fp8_dense_tflops),
        };
    }
    t.opex_usd_per_year = t.opex.total_usd_per_year;
    t.capex_usd_per_mw = ratio(t.capex_usd, t.facility_power_mw);
    Evaluation { phases, totals: t }
}

fn phase(model: &Model, p: &PhaseInput, v: &Values) -> PhaseResult {
    let c = &model.costs;
    let pue = v[p.pue];
    let overhead = v[c.it_overhead];
    let system_kw = v[p.system_power_kw];
    let packages = v[p.packages_per_system].round() as u64;
    let dies_per_package = v[p.dies_per_package].round() as u64;
    let per_rack = (v[p.systems_per_rack].round() as u64).max(1);
    let (systems, facility_mw) = match p.sizing {
        Sizing::PowerGw(gw) => {
            let facility_mw = gw * 1000.0;
            let compute_kw = facility_mw * 1000.0 / pue / overhead;
            // The small epsilon keeps exact fits (e.g. 3,072 × 10.2 kW) from flooring one short.
            ((compute_kw / system_kw + 1e-9).floor() as u64, facility_mw)
        }
        Sizing::Systems(n) => (n, n as f64 * system_kw * overhead * pue / 1000.0),
    };
    let it_mw = facility_mw / pue;
    let compute_mw = systems as f64 * system_kw / 1000.0;
    let gpus = systems * packages;
    let dies = gpus * dies_per_package;
    let pf = |id: Option<crate::params::ParamId>| id.map(|id| gpus as f64 * v[id] / 1000.0);

    let compute = systems as f64 * v[p.system_price_usd];
    let networking = compute * v[c.networking_fraction];
    let storage = compute * v[c.storage_fraction];
    let facility = it_mw * v[c.facility_usd_per_mw];
    let other_fraction = v[c.other_fraction];
    let subtotal = compute + networking + storage + facility;
    let other = subtotal * other_fraction / (1.0 - other_fraction);
    let total = subtotal + other;
    // Compute goes to the platform's vendor; NVIDIA's share of scale-out networking is the
    // platform's own where its file gives one (0 for a TPU pod's Google-built network).
    let vendor_compute = compute * v[c.nvidia_share_compute];
    let nvidia_networking = networking * v[p.nvidia_share_networking.unwrap_or(c.nvidia_share_networking)];
    let nvidia_platform = p.vendor.eq_ignore_ascii_case(NVIDIA);
    let nvidia = if nvidia_platform { vendor_compute + nvidia_networking } else { nvidia_networking };
    let mut capex_by_vendor_usd = BTreeMap::new();
    capex_by_vendor_usd.insert(NVIDIA.to_string(), nvidia);
    if !nvidia_platform {
        capex_by_vendor_usd.insert(p.vendor.clone(), vendor_compute);
    }
    let named: f64 = capex_by_vendor_usd.values().sum();
    capex_by_vendor_usd.insert(OTHER_SUPPLIERS.to_string(), total - named);
    let capex = Capex {
        compute_systems_usd: compute,
        networking_usd: networking,
        storage_usd: storage,
        facility_usd: facility,
        other_usd: other,
        total_usd: total,
        nvidia_usd: nvidia,
        other_suppliers_usd: total - nvidia,
    };
    let installed_facility_mw = compute_mw * overhead * pue;
    let energy = installed_facility_mw * v[c.load_factor] * HOURS_PER_YEAR * v[c.electricity_usd_per_mwh];
    let maintenance = capex.hardware_usd() * v[c.maintenance_fraction_per_year];
    let depreciation =
        capex.hardware_usd() / v[c.hardware_depreciation_years] + (facility + other) / v[c.facility_depreciation_years];
    PhaseResult {
        name: p.name.clone(),
        online: p.online,
        ramp_start: p.ramp_start,
        site: p.site.clone(),
        platform: p.platform.clone(),
        platform_name: p.platform_name.clone(),
        power_gw: facility_mw / 1000.0,
        facility_power_mw: facility_mw,
        it_power_mw: it_mw,
        compute_power_mw: compute_mw,
        pue,
        systems,
        racks: systems.div_ceil(per_rack),
        gpus,
        dies,
        peak_pflops: Pflops { fp4: pf(p.fp4_dense_tflops), fp8: pf(p.fp8_dense_tflops), bf16: pf(p.bf16_dense_tflops) },
        capex_usd: total,
        capex,
        capex_by_vendor_usd,
        opex: Opex {
            energy_usd_per_year: energy,
            maintenance_usd_per_year: maintenance,
            total_usd_per_year: energy + maintenance,
        },
        depreciation_usd_per_year: depreciation,
        kw_all_in_per_gpu: ratio(facility_mw * 1000.0, gpus as f64),
        kw_all_in_per_die: ratio(facility_mw * 1000.0, dies as f64),
        capex_usd_per_gpu: ratio(total, gpus as f64),
    }
}

/// Fraction of a phase online on `day`: 0 before its ramp, 1 from its online date, linear between.
pub fn online_fraction(p: &PhaseResult, day: Date) -> f64 {
    let (start, end) = (p.ramp_start.days_since_epoch(), p.online.days_since_epoch());
    let d = day.days_since_epoch();
    if d >= end {
        1.0
    } else if d < start || end == start {
        0.0
    } else {
        (d - start) as f64 / (end - start) as f64
    }
}

/// One investment tranche.
#[derive(Clone, Debug, Serialize)]
pub struct Tranche {
    /// Day the threshold was crossed and the tranche released.
    pub date: Date,
    /// Amount released, USD.
    pub amount_usd: f64,
    /// The cumulative deployed power that triggered it, GW.
    pub cumulative_gw: f64,
    /// Investment released so far, USD.
    pub cumulative_usd: f64,
}

/// The investment schedule.
#[derive(Clone, Debug, Serialize)]
pub struct Financing {
    /// Investor (and supplier).
    pub investor: String,
    /// Recipient (and builder).
    pub recipient: String,
    /// Released per GW deployed, USD.
    pub per_gw_usd: f64,
    /// Cap, USD.
    pub cap_usd: f64,
    /// Released in total over the plan, USD.
    pub total_usd: f64,
    /// Pre-money valuation, USD.
    pub valuation_usd: f64,
    /// Stake the total buys if every tranche is priced at the valuation: total ÷ (valuation + total).
    pub implied_stake: f64,
    /// Purchases from the investor over the plan, USD.
    pub purchases_from_investor_usd: f64,
    /// Share of the investment that returns to the investor as purchases (purchases ÷ investment).
    pub purchases_per_dollar_invested: f64,
    /// The tranches in order.
    pub tranches: Vec<Tranche>,
}

/// Cumulative deployed facility power (MW) on `day`.
pub fn deployed_mw(phases: &[PhaseResult], day: Date) -> f64 {
    phases.iter().map(|p| online_fraction(p, day) * p.facility_power_mw).sum()
}

/// Days on which cumulative deployed power first reaches each whole gigawatt, in order.
pub fn gigawatt_crossings(phases: &[PhaseResult]) -> Vec<(u32, Date)> {
    let mut days: Vec<i64> =
        phases.iter().flat_map(|p| [p.ramp_start.days_since_epoch(), p.online.days_since_epoch()]).collect();
    days.sort_unstable();
    days.dedup();
    let total_mw: f64 = phases.iter().map(|p| p.facility_power_mw).sum();
    let whole_gw = (total_mw / 1000.0 + 1e-9).floor() as u32;
    let at = |d: i64| deployed_mw(phases, Date::from_days_since_epoch(d));
    let mut out = Vec::new();
    let mut k = 1;
    // Between breakpoints the curve is linear, except that step phases (no ramp) jump at theirs.
    let mut prev_day = days.first().copied().unwrap_or(0) - 1;
    let mut prev_mw = at(prev_day);
    for &d in &days {
        let mw = at(d);
        while k <= whole_gw && mw + 1e-6 >= k as f64 * 1000.0 {
            let target = k as f64 * 1000.0;
            // Linear within (prev_day, d]; the first whole day at or past the threshold.
            let day = if mw - prev_mw <= 0.0 {
                d
            } else {
                let frac = ((target - prev_mw) / (mw - prev_mw)).clamp(0.0, 1.0);
                let exact = prev_day as f64 + frac * (d - prev_day) as f64;
                let mut day = (exact - 1e-9).ceil() as i64;
                if day <= prev_day {
                    day = prev_day + 1;
                }
                // Guard against rounding just short of the threshold.
                while day < d && at(day) + 1e-6 < target {
                    day += 1;
                }
                day.min(d)
            };
            out.push((k, Date::from_days_since_epoch(day)));
            k += 1;
        }
        prev_day = d;
        prev_mw = mw;
    }
    out
}

/// The investment schedule of an evaluated plan.
pub fn financing(model: &Model, v: &Values, eval: &Evaluation) -> Option<Financing> {
    let f = model.financing.as_ref()?;
    let per_gw = v[f.per_gw_usd];
    let cap = v[f.cap_usd];
    let valuation = v[f.valuation_usd];
    let mut tranches = Vec::new();
    let mut cumulative = 0.0;
    for (k, date) in gigawatt_crossings(&eval.phases) {
        let amount = per_gw.min(cap - cumulative);
        if amount <= 0.0 {
            break;
        }
        cumulative += amount;
        tranches.push(Tranche { date, amount_usd: amount, cumulative_gw: k as f64, cumulative_usd: cumulative });
    }
    let purchases = vendor_usd(&eval.totals.capex_by_vendor_usd, &f.investor);
    Some(Financing {
        investor: f.investor.clone(),
        recipient: f.recipient.clone(),
        per_gw_usd: per_gw,
        cap_usd: cap,
        total_usd: cumulative,
        valuation_usd: valuation,
        implied_stake: ratio(cumulative, valuation + cumulative),
        purchases_from_investor_usd: purchases,
        purchases_per_dollar_invested: ratio(purchases, cumulative),
        tranches,
    })
}

/// One quarter of the build-out, at the quarter's last day.
#[derive(Clone, Debug, Serialize)]
pub struct QuarterRow {
    /// The quarter, e.g. `2026-Q4`.
    pub quarter: Quarter,
    /// Its last day.
    pub date: Date,
    /// Facility power deployed, GW.
    pub deployed_gw: f64,
    /// GPU packages online.
    pub gpus_online: u64,
    /// GPU dies online.
    pub dies_online: u64,
    /// GPU packages online by platform id, in the order platforms first appear in the phases
    /// (a JSON object `{ "vr-nvl144": 261504, … }`).
    #[serde(serialize_with = "ordered_map")]
    pub gpus_by_platform: Vec<(String, u64)>,
    /// Capex spent so far, USD.
    pub cumulative_capex_usd: f64,
    /// Tranches released this quarter.
    pub tranches_released: u32,
    /// Investment released this quarter, USD.
    pub investment_usd: f64,
    /// Investment released so far, USD.
    pub cumulative_investment_usd: f64,
    /// Purchases from the investor (the principal supplier when the scenario has no `[financing]`)
    /// so far, USD.
    pub cumulative_investor_purchases_usd: f64,
    /// Purchases from the investor minus investment received, so far, USD (the circular flow's
    /// net).
    pub net_flow_usd: f64,
}

fn ordered_map<S: serde::Serializer>(pairs: &[(String, u64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// The quarterly timeline, from the first quarter that ends with capacity online to the one the
/// last phase is fully online.
/// Purchases are from the investor, or from `supplier` when there is no financing.
pub fn timeline(eval: &Evaluation, fin: Option<&Financing>, supplier: &str) -> Vec<QuarterRow> {
    let investor = fin.map_or(supplier, |f| f.investor.as_str());
    let Some(first) = eval.phases.iter().map(|p| p.ramp_start).min() else { return Vec::new() };
    let last = eval.phases.iter().map(|p| p.online).max().expect("phases exist");
    let mut platforms: Vec<String> = Vec::new();
    for p in &eval.phases {
        if !platforms.contains(&p.platform) {
            platforms.push(p.platform.clone());
        }
    }
    let tranches: &[Tranche] = fin.map_or(&[], |f| f.tranches.as_slice());
    let mut rows = Vec::new();
    let mut q = first.quarter();
    loop {
        let day = q.last_day();
        let mut row = QuarterRow {
            quarter: q,
            date: day,
            deployed_gw: 0.0,
            gpus_online: 0,
            dies_online: 0,
            gpus_by_platform: platforms.iter().map(|p| (p.clone(), 0)).collect(),
            cumulative_capex_usd: 0.0,
            tranches_released: 0,
            investment_usd: 0.0,
            cumulative_investment_usd: 0.0,
            cumulative_investor_purchases_usd: 0.0,
            net_flow_usd: 0.0,
        };
        for p in &eval.phases {
            let f = online_fraction(p, day);
            let gpus = (f * p.gpus as f64).floor() as u64;
            row.deployed_gw += f * p.power_gw;
            row.gpus_online += gpus;
            row.dies_online += (f * p.dies as f64).floor() as u64;
            if let Some(slot) = row.gpus_by_platform.iter_mut().find(|(id, _)| *id == p.platform) {
                slot.1 += gpus;
            }
            row.cumulative_capex_usd += f * p.capex.total_usd;
            row.cumulative_investor_purchases_usd += f * vendor_usd(&p.capex_by_vendor_usd, investor);
        }
        for t in tranches.iter().filter(|t| t.date <= day) {
            row.cumulative_investment_usd += t.amount_usd;
            if t.date.quarter() == q {
                row.tranches_released += 1;
                row.investment_usd += t.amount_usd;
            }
        }
        row.net_flow_usd = row.cumulative_investor_purchases_usd - row.cumulative_investment_usd;
        // Start at the first quarter that ends with something online.
        if !rows.is_empty() || row.deployed_gw > 0.0 {
            rows.push(row);
        }
        if q >= last.quarter() {
            break;
        }
        q = q.next();
    }
    rows
}
