//! Terminal output: the plan summary and the catalog listings.
//!
//! Plain text, fixed layout (no terminal-width dependence), so the same result prints the same
//! everywhere and snapshot tests can hold it.

use std::fmt::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, TableStyle};
use gigawatt_core::analysis::{InputRecord, Plan};
use gigawatt_core::catalog::{Catalog, Field, Form, Platform};
use gigawatt_core::plan::CapexCategory;
use gigawatt_core::plan::{Financing, Totals};
use gigawatt_core::quantity::{Grade, Quantity};
use gigawatt_core::uncertainty::{Headline, Range, Tornado};

use crate::fmt::{count, number, percent, power_mw, sig3, span, thousands, usd, with_unit};

/// How many inputs each headline's sensitivity table lists.
pub const TORNADO_ROWS: usize = 5;

pub(crate) fn new_table(header: &[&str], right_from: usize) -> Table {
    let mut t = Table::new();
    t.load_style(TableStyle::new().header_separator(comfy_table::LineStyle::none().fill('─').junction('─')))
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.to_vec());
    for (i, col) in t.column_iter_mut().enumerate() {
        if i >= right_from {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

pub(crate) fn push_table(out: &mut String, t: &Table) {
    for line in t.lines() {
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

pub(crate) fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

fn range_text(r: &Range, f: &dyn Fn(f64) -> String) -> String {
    format!("{} – {}", f(r.low), f(r.high))
}

/// The plan as a readable terminal summary.
pub fn plan_summary(plan: &Plan) -> String {
    let mut out = String::new();
    title_lines(&mut out, plan);
    headlines_table(&mut out, plan);
    announcement_table(&mut out, plan);
    phases_table(&mut out, plan);
    capex_table(&mut out, plan);
    if let Some(f) = &plan.financing {
        financing_section(&mut out, f);
    }
    timeline_table(&mut out, plan);
    sensitivity_section(&mut out, plan);
    assumptions_section(&mut out, plan);
    warnings_section(&mut out, &plan.warnings);
    out
}

/// The scenario's name, description, file, phases, seed and draws.
fn title_lines(out: &mut String, plan: &Plan) {
    let _ = writeln!(out, "{}", plan.scenario.name);
    if let Some(d) = &plan.scenario.description {
        let _ = writeln!(out, "{d}");
    }
    let _ = writeln!(
        out,
        "{} · {} phase{} · seed {} · {} Monte Carlo draws",
        plan.scenario.file,
        plan.phases.len(),
        if plan.phases.len() == 1 { "" } else { "s" },
        plan.seed,
        thousands(plan.draws as u64)
    );
}

/// HEADLINES: GPUs, dies, capex and the principal supplier's content, against the announcement
/// when the scenario has one, then the totals.
fn headlines_table(out: &mut String, plan: &Plan) {
    let t = &plan.totals;
    heading(out, "HEADLINES (central; P10 – P90 over the disputed inputs)");
    let imp = plan.implied.as_ref();
    let scale = imp.map_or(0.0, |i| t.power_gw / i.gigawatts);
    let header: &[&str] = if imp.is_some() {
        &["", "central", "P10 – P90", "per GW", "announcement"]
    } else {
        &["", "central", "P10 – P90", "per GW"]
    };
    let mut h = new_table(header, 1);
    let r = &plan.ranges;
    let rows = [
        (
            "GPUs (packages)".to_string(),
            count(r.gpus.central),
            range_text(&r.gpus, &|x| count(x)),
            count(plan.per_gw.gpus),
            imp.map(|i| {
                format!("{} – {} for {} GW", count(i.gpus.low * scale), count(i.gpus.high * scale), sig3(t.power_gw))
            }),
        ),
        (
            "GPU dies".to_string(),
            count(r.dies.central),
            range_text(&r.dies, &|x| count(x)),
            count(plan.per_gw.dies),
            None,
        ),
        (
            "Capex per GW".to_string(),
            usd(r.capex_per_gw_usd.central),
            range_text(&r.capex_per_gw_usd, &|x| usd(x)),
            String::new(),
            imp.map(|i| span(i.capex_per_gw_usd.low, i.capex_per_gw_usd.central, i.capex_per_gw_usd.high, usd)),
        ),
        (
            format!("{} content per GW", plan.supplier),
            usd(r.supplier_per_gw_usd.central),
            range_text(&r.supplier_per_gw_usd, &|x| usd(x)),
            String::new(),
            imp.and_then(|i| i.supplier_per_gw_usd).map(|s| span(s.low, s.central, s.high, usd)),
        ),
    ];
    for (label, central, range, per_gw, announced) in rows {
        let mut row = vec![label, central, range, per_gw];
        if imp.is_some() {
            row.push(announced.unwrap_or_default());
        }
        h.add_row(row);
    }
    push_table(out, &h);
    totals_lines(out, plan);
}

/// The facility, IT, racks, money and peak-compute lines under the headlines.
fn totals_lines(out: &mut String, plan: &Plan) {
    let t = &plan.totals;
    let _ = writeln!(
        out,
        "  {} facility · {} IT · {} racks · capex {} ({} from {}) · opex {}/yr · depreciation {}/yr",
        power_mw(t.facility_power_mw),
        power_mw(t.it_power_mw),
        thousands(t.racks),
        usd(t.capex_usd),
        usd(gigawatt_core::plan::vendor_usd(&t.capex_by_vendor_usd, &plan.supplier)),
        plan.supplier,
        usd(t.opex_usd_per_year),
        usd(t.depreciation_usd_per_year),
    );
    let pf = &t.peak_pflops;
    let peak: Vec<String> = [("FP4", pf.fp4), ("FP8", pf.fp8), ("BF16", pf.bf16)]
        .into_iter()
        .filter_map(|(name, x)| x.map(|pflops| format!("{name} {}", exaflops(pflops))))
        .collect();
    let h = &t.h100_equivalents;
    let equivalents: Vec<String> = [("BF16", h.bf16), ("FP8", h.fp8)]
        .into_iter()
        .filter_map(|(name, x)| x.map(|n| format!("{} by dense {name}", count(n))))
        .collect();
    let equivalents = if equivalents.is_empty() {
        String::new()
    } else {
        format!(" · H100-equivalents: {}", equivalents.join(", "))
    };
    let _ = writeln!(out, "  peak dense compute: {}{equivalents}", peak.join(" · "));
}

/// HOW MANY GPUS IS N GW: each platform's all-in kW per package and die against the announcement
/// (only when the scenario has an `[announcement]`).
fn announcement_table(out: &mut String, plan: &Plan) {
    let Some(imp) = plan.implied.as_ref() else { return };
    heading(
        out,
        &format!(
            "HOW MANY GPUS IS {} GW? {}: \"{} GW ≈ {}–{} GPUs\" means {:.2}–{:.2} kW all-in per GPU",
            sig3(imp.gigawatts),
            imp.name,
            sig3(imp.gigawatts),
            count(imp.gpus.low),
            count(imp.gpus.high),
            imp.kw_per_gpu_all_in.low,
            imp.kw_per_gpu_all_in.high
        ),
    );
    let mut c = new_table(
        &[
            "platform",
            "kW/package",
            "kW/die",
            &format!("packages in {} GW", sig3(imp.gigawatts)),
            &format!("dies in {} GW", sig3(imp.gigawatts)),
            "matches",
        ],
        1,
    );
    for p in &plan.platforms {
        let Some(a) = p.announced else { continue };
        let matches = match (a.packages_match_announcement, a.dies_match_announcement) {
            (true, true) => "packages and dies",
            (true, false) => "packages",
            (false, true) => "dies",
            (false, false) => "neither",
        };
        c.add_row(vec![
            p.platform.clone(),
            format!("{:.2}", p.kw_all_in_per_gpu),
            format!("{:.2}", p.kw_all_in_per_die),
            count(a.gpus_for_announced_gw),
            count(a.dies_for_announced_gw),
            matches.into(),
        ]);
    }
    push_table(out, &c);
    if let (Some(per_gpu), Some(per_gw)) = (imp.supplier_usd_per_gpu, imp.supplier_per_gw_usd) {
        let _ = writeln!(
            out,
            "  {s} $ per GPU: plan {} per package ({} per die); the announcement's \"{} per GW\" over {}–{} GPUs per {} GW implies {}",
            usd(plan.per_gpu.supplier_usd),
            usd(plan.per_die.supplier_usd),
            usd(per_gw.central),
            count(imp.gpus.low),
            count(imp.gpus.high),
            sig3(imp.gigawatts),
            range_text(&per_gpu, &|x| usd(x)),
            s = imp.supplier,
        );
    }
}

/// PHASES: one row per phase, and a total row when there are several.
fn phases_table(out: &mut String, plan: &Plan) {
    let t = &plan.totals;
    heading(out, "PHASES");
    let mut ph = new_table(
        &[
            "#",
            "phase",
            "online",
            "platform",
            "power",
            "PUE",
            "racks",
            "GPUs",
            "dies",
            "capex",
            &plan.supplier,
            "kW/GPU",
        ],
        4,
    );
    for (i, p) in plan.phases.iter().enumerate() {
        ph.add_row(vec![
            (i + 1).to_string(),
            p.name.clone(),
            p.online.to_string(),
            p.platform.clone(),
            power_mw(p.facility_power_mw),
            format!("{:.2}", p.pue),
            thousands(p.racks),
            thousands(p.gpus),
            thousands(p.dies),
            usd(p.capex_usd),
            usd(gigawatt_core::plan::vendor_usd(&p.capex_by_vendor_usd, &plan.supplier)),
            format!("{:.2}", p.kw_all_in_per_gpu),
        ]);
    }
    if plan.phases.len() > 1 {
        ph.add_row(vec![
            String::new(),
            "total".into(),
            String::new(),
            String::new(),
            power_mw(t.facility_power_mw),
            String::new(),
            thousands(t.racks),
            thousands(t.gpus),
            thousands(t.dies),
            usd(t.capex_usd),
            usd(gigawatt_core::plan::vendor_usd(&t.capex_by_vendor_usd, &plan.supplier)),
            format!("{:.2}", plan.per_gpu.kw_all_in),
        ]);
    }
    push_table(out, &ph);
}

/// CAPEX BY CATEGORY AND SUPPLIER, then the all-in and opex line.
fn capex_table(out: &mut String, plan: &Plan) {
    let t = &plan.totals;
    heading(out, "CAPEX BY CATEGORY AND SUPPLIER");
    let cx = &t.capex;
    let mut ct = new_table(&["category", "capex", "share", "per GW"], 1);
    let categories = CapexCategory::ALL.map(|c| (c.label(), c.of(cx)));
    let sums = std::iter::once(("total".to_string(), cx.total_usd))
        .chain(by_supplier(t).into_iter().map(|(vendor, v)| (format!("  bought from {vendor}"), v)));
    for (name, v) in categories.into_iter().map(|(n, v)| (n.to_string(), v)).chain(sums) {
        ct.add_row(vec![name, usd(v), percent(v / cx.total_usd), usd(v / t.power_gw)]);
    }
    push_table(out, &ct);
    let _ = writeln!(
        out,
        "  all-in {} per GPU, {} per MW · opex {}/yr (energy {}, maintenance {})",
        usd(plan.per_gpu.capex_usd),
        usd(t.capex_usd_per_mw),
        usd(t.opex_usd_per_year),
        usd(t.opex.energy_usd_per_year),
        usd(t.opex.maintenance_usd_per_year),
    );
}

/// Capex by supplier: the named vendors by amount (largest first, NVIDIA and AMD and the rest
/// alike), then everyone else as "others".
pub(crate) fn by_supplier(t: &Totals) -> Vec<(String, f64)> {
    let others = gigawatt_core::plan::OTHER_SUPPLIERS;
    let mut named: Vec<(String, f64)> = t
        .capex_by_vendor_usd
        .iter()
        .filter(|(v, usd)| v.as_str() != others && **usd > 0.0)
        .map(|(v, u)| (v.clone(), *u))
        .collect();
    named.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    named.push(("others".into(), t.capex_by_vendor_usd.get(others).copied().unwrap_or(0.0)));
    named
}

/// FINANCING: the investor's tranches, the implied stake and the round trip of purchases.
fn financing_section(out: &mut String, f: &Financing) {
    heading(
        out,
        &format!("FINANCING: {} invests {} per GW deployed, up to {}", f.investor, usd(f.per_gw_usd), usd(f.cap_usd)),
    );
    let mut ft = new_table(&["tranche", "date", "cumulative GW", "amount", "cumulative"], 2);
    for (i, tr) in f.tranches.iter().enumerate() {
        ft.add_row(vec![
            (i + 1).to_string(),
            tr.date.to_string(),
            format!("{:.0}", tr.cumulative_gw),
            usd(tr.amount_usd),
            usd(tr.cumulative_usd),
        ]);
    }
    push_table(out, &ft);
    let _ = writeln!(
        out,
        "  {} released in total; at a {} pre-money valuation that is a {} stake if every tranche is priced there",
        usd(f.total_usd),
        usd(f.valuation_usd),
        percent(f.implied_stake)
    );
    let _ = writeln!(
        out,
        "  {} buys {} from {}: {:.2} dollars of purchases per dollar invested; net flow to {} {}",
        f.recipient,
        usd(f.purchases_from_investor_usd),
        f.investor,
        f.purchases_per_dollar_invested,
        f.investor,
        usd(f.purchases_from_investor_usd - f.total_usd),
    );
}

/// QUARTERLY TIMELINE: deployment and capex, cumulative by quarter; with financing, also the
/// investment and the purchases from the investor.
fn timeline_table(out: &mut String, plan: &Plan) {
    heading(out, "QUARTERLY TIMELINE (cumulative, at quarter end)");
    let investor = plan.financing.as_ref().map(|f| f.investor.as_str());
    let mut header = vec!["quarter".to_string(), "deployed".into(), "GPUs online".into(), "capex".into()];
    if let Some(i) = investor {
        header.extend(["investment".to_string(), format!("{i} purchases"), format!("net to {i}")]);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut tt = new_table(&header, 1);
    for r in &plan.timeline {
        let mut row = vec![
            r.quarter.to_string(),
            format!("{:.2} GW", r.deployed_gw),
            count(r.gpus_online as f64),
            usd(r.cumulative_capex_usd),
        ];
        if investor.is_some() {
            row.extend([
                usd(r.cumulative_investment_usd),
                usd(r.cumulative_investor_purchases_usd),
                usd(r.net_flow_usd),
            ]);
        }
        tt.add_row(row);
    }
    push_table(out, &tt);
}

/// SENSITIVITY: one tornado per headline (dies left out: they move with the GPUs).
fn sensitivity_section(out: &mut String, plan: &Plan) {
    heading(out, "SENSITIVITY (one disputed input at a time to its low and high, the rest central)");
    for tor in &plan.sensitivity {
        if matches!(tor.headline, Headline::Dies) {
            continue;
        }
        tornado_section(out, tor, &plan.supplier);
    }
}

/// One headline's tornado: what moves it most, and its largest swings.
fn tornado_section(out: &mut String, tor: &Tornado, supplier: &str) {
    let f: &dyn Fn(f64) -> String = match tor.headline {
        Headline::Gpus | Headline::Dies => &|x| count(x),
        _ => &|x| usd(x),
    };
    match &tor.most_sensitive {
        None => {
            let _ = writeln!(
                out,
                "  {} ({}): no disputed input moves it",
                tor.headline.label_for(supplier),
                f(tor.central)
            );
            return;
        }
        Some(m) => {
            let _ = writeln!(out, "  {} ({}): moved most by {}", tor.headline.label_for(supplier), f(tor.central), m);
        }
    }
    let mut st = new_table(&["input", "low – high", "headline at low", "at high", "swing"], 1);
    for s in tor.swings.iter().take(TORNADO_ROWS) {
        st.add_row(vec![
            s.label.clone(),
            format!("{} – {}", with_unit(s.input_low, &s.unit), with_unit(s.input_high, &s.unit)),
            f(s.at_low),
            f(s.at_high),
            f(s.swing),
        ]);
    }
    push_table(out, &st);
}

/// ASSUMPTIONS: every unsourced input with why, and a count of the sourced ones.
fn assumptions_section(out: &mut String, plan: &Plan) {
    heading(out, "ASSUMPTIONS (inputs no public source gives; listed apart from the sourced inputs)");
    if plan.assumptions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in &plan.assumptions {
        let _ = writeln!(out, "  - {}: {}", a.label, input_value(a));
        if let Some(why) = &a.provenance.assumption {
            let _ = writeln!(out, "    {why}");
        }
    }
    let sourced = plan.inputs.iter().filter(|i| i.sourced).count();
    let _ = writeln!(
        out,
        "  {} further inputs rest on published sources; `--format json` lists each with its sources.",
        sourced
    );
}

/// WARNINGS, when there are any.
pub(crate) fn warnings_section(out: &mut String, warnings: &[String]) {
    if !warnings.is_empty() {
        heading(out, "WARNINGS");
        for w in warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
}

/// PFLOPS as exaFLOPS with separators: `156,888 EF`, `12.2 EF`.
fn exaflops(pflops: f64) -> String {
    let ef = pflops / 1000.0;
    if ef >= 1000.0 { format!("{} EF", thousands(ef.round() as u64)) } else { format!("{} EF", sig3(ef)) }
}

fn input_value(i: &InputRecord) -> String {
    if i.low == i.high {
        with_unit(i.central, &i.unit)
    } else {
        format!(
            "{} (range {} – {})",
            with_unit(i.central, &i.unit),
            with_unit(i.low, &i.unit),
            with_unit(i.high, &i.unit)
        )
    }
}

fn q_central(p: &Platform, f: Field) -> Option<f64> {
    p.get(f).map(|q| q.estimate.central)
}

fn q_text(q: Option<&Quantity>, f: &dyn Fn(f64) -> String) -> String {
    match q {
        None => "–".into(),
        Some(q) if q.estimate.is_range() => {
            format!("{} ({}–{})", f(q.estimate.central), f(q.estimate.low), f(q.estimate.high))
        }
        Some(q) => f(q.estimate.central),
    }
}

/// The catalog as a table, one platform per row.
pub fn catalog_list(cat: &Catalog) -> String {
    let mut t = new_table(
        &[
            "id",
            "form",
            "pkgs",
            "dies",
            "NVLink",
            "system kW",
            "system price",
            "FP4 TF",
            "FP8 TF",
            "BF16 TF",
            "HBM GB",
            "HBM TB/s",
            "available",
        ],
        2,
    );
    for p in &cat.platforms {
        let form = match p.form {
            Form::Rack => "rack".to_string(),
            Form::Server => format!("server ×{}", p.count(Field::SystemsPerRack)),
        };
        let tf = |f: Field| q_central(p, f).map_or("–".into(), |x| thousands(x.round() as u64));
        t.add_row(vec![
            p.id.clone(),
            form,
            p.count(Field::PackagesPerSystem).to_string(),
            p.count(Field::DiesPerPackage).to_string(),
            p.count(Field::NvlinkDomainPackages).to_string(),
            q_text(p.get(Field::SystemPowerKw), &|x| number(x)),
            q_text(p.get(Field::SystemPriceUsd), &usd),
            tf(Field::Fp4DenseTflops),
            tf(Field::Fp8DenseTflops),
            tf(Field::Bf16DenseTflops),
            q_central(p, Field::HbmGb).map_or("–".into(), number),
            q_central(p, Field::HbmTbS).map_or("–".into(), number),
            p.available.to_string(),
        ]);
    }
    let mut out = String::new();
    push_table(&mut out, &t);
    out.push_str("\n  pkgs = GPU packages per system; dies per package; NVLink = packages per NVLink domain; TF = dense TFLOPS per package.\n");
    out.push_str("  Ranges are low–high where sources disagree. `gigawatt catalog show ID` prints a platform with its sources.\n");
    out
}

fn grade_text(g: Option<Grade>) -> &'static str {
    match g {
        Some(Grade::Official) => "official",
        Some(Grade::Analyst) => "analyst",
        Some(Grade::Media) => "media",
        Some(Grade::Derived) => "derived",
        None => "ungraded",
    }
}

/// One platform with every value and its sources.
pub fn catalog_show(p: &Platform) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", p.name, p.id);
    let form = match p.form {
        Form::Rack => "rack-scale system (one system = one rack)".to_string(),
        Form::Server => format!("server; {} per rack by default", p.count(Field::SystemsPerRack)),
    };
    let _ = writeln!(out, "vendor {} · {} · file {}", p.vendor, form, p.origin);
    let _ = writeln!(out, "available {} — {}", p.available, p.available_provenance.sources.join("; "));
    for n in &p.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let _ = writeln!(out);
    for f in Field::ALL {
        let Some(q) = p.get(f) else {
            let _ = writeln!(out, "{} ({}): not given", f.key(), f.unit());
            continue;
        };
        let e = q.estimate;
        let fmt_v = |x: f64| with_unit(x, f.unit());
        let value = if e.is_range() {
            format!("{} (low {}, high {})", fmt_v(e.central), fmt_v(e.low), fmt_v(e.high))
        } else {
            fmt_v(e.central)
        };
        let _ = writeln!(out, "{} = {}   [{}]", f.key(), value, grade_text(q.provenance.grade));
        if let Some(d) = &q.provenance.derived {
            let _ = writeln!(out, "    derived: {d}");
        }
        for s in &q.provenance.sources {
            let _ = writeln!(out, "    source: {s}");
        }
        if let Some(a) = &q.provenance.assumption {
            let _ = writeln!(out, "    assumption: {a}");
        }
        if let Some(n) = &q.provenance.note {
            let _ = writeln!(out, "    note: {n}");
        }
    }
    let pk = p.count(Field::PackagesPerSystem) as f64;
    if let (Some(kw), Some(price)) = (q_central(p, Field::SystemPowerKw), q_central(p, Field::SystemPriceUsd)) {
        let _ = writeln!(
            out,
            "\nper package: {:.2} kW of system power, {} of system price; per die: {:.2} kW",
            kw / pk,
            usd(price / pk),
            kw / pk / p.count(Field::DiesPerPackage) as f64
        );
    }
    out
}
