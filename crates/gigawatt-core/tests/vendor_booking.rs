//! Money follows the vendor: each phase's compute is booked to its own platform's vendor, and
//! NVIDIA's share of scale-out networking is the platform file's own where it gives one. The
//! NVIDIA fields keep meaning "bought from NVIDIA".

mod common;

use gigawatt_core::plan::{NVIDIA, OTHER_SUPPLIERS, evaluate};
use gigawatt_core::{Catalog, SourceFile, load_scenario};

fn one_phase(platform: &str) -> String {
    format!("name = \"one\"\n[[phase]]\nonline = \"2026-H2\"\nplatform = \"{platform}\"\npower_gw = 1.0\n")
}

/// One NVIDIA and two AMD phases.
const MIXED: &str = "name = \"mixed\"\n\
[[phase]]\nonline = \"2026-H2\"\nplatform = \"vr-nvl144\"\npower_gw = 1.0\n\
[[phase]]\nonline = \"2026-H2\"\nplatform = \"mi450-helios\"\npower_gw = 1.0\n\
[[phase]]\nonline = \"2027-H1\"\nplatform = \"mi300x\"\npower_gw = 0.5\n";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn an_mi355x_phase_books_no_compute_to_nvidia_and_its_compute_to_amd() {
    let m = common::from_text(&one_phase("mi355x")).unwrap();
    let v = m.params.central();
    let e = evaluate(&m, &v);
    let p = &e.phases[0];
    let share = v[m.costs.nvidia_share_compute];
    let by = &p.capex_by_vendor_usd;
    assert!(p.capex.compute_systems_usd > 0.0);
    assert_eq!(by["AMD"], p.capex.compute_systems_usd * share);
    // MI355X scales out over AMD NICs on Ethernet: its file puts NVIDIA's networking share at 0.
    assert_eq!(by[NVIDIA], 0.0);
    assert_eq!(p.capex.nvidia_usd, 0.0);
    assert_eq!(e.totals.capex_nvidia_usd, 0.0);
    assert_eq!(e.totals.capex_by_vendor_usd["AMD"], by["AMD"]);
    assert!(close(p.capex.other_suppliers_usd, p.capex.total_usd));
    assert!(close(by.values().sum(), p.capex.total_usd));
    assert_eq!(by.keys().map(String::as_str).collect::<Vec<_>>(), ["AMD", NVIDIA, OTHER_SUPPLIERS]);
}

#[test]
fn tpu_and_trainium_phases_book_compute_to_google_and_aws_and_nothing_to_nvidia() {
    for (platform, vendor) in [("tpu-v5p", "Google"), ("tpu-ironwood", "Google"), ("trn2-ultraserver", "AWS")] {
        let m = common::from_text(&one_phase(platform)).unwrap();
        let v = m.params.central();
        let e = evaluate(&m, &v);
        let p = &e.phases[0];
        assert_eq!(p.capex_by_vendor_usd[vendor], p.capex.compute_systems_usd * v[m.costs.nvidia_share_compute]);
        assert_eq!(p.capex.nvidia_usd, 0.0, "{platform}: its network is its vendor's own");
        // Not even in the Monte Carlo: a fixed 0 has no range to draw from.
        let id = m.params.find(&format!("catalog.{platform}.nvidia_share_networking")).expect("registered");
        assert!(!m.params.get(id).is_free_range(), "{platform}");
        assert_eq!(v[id], 0.0);
    }
}

#[test]
fn an_nvidia_phase_books_compute_and_networking_to_nvidia_as_before() {
    let m = common::from_text(&one_phase("gb300-nvl72")).unwrap();
    let v = m.params.central();
    let e = evaluate(&m, &v);
    let p = &e.phases[0];
    let c = &m.costs;
    let expect =
        p.capex.compute_systems_usd * v[c.nvidia_share_compute] + p.capex.networking_usd * v[c.nvidia_share_networking];
    assert_eq!(p.capex.nvidia_usd, expect);
    assert_eq!(p.capex_by_vendor_usd[NVIDIA], expect);
    assert_eq!(p.capex_by_vendor_usd[OTHER_SUPPLIERS], p.capex.other_suppliers_usd);
    assert_eq!(p.capex_by_vendor_usd.len(), 2);
}

#[test]
fn a_mixed_build_out_books_each_phase_to_its_own_vendor() {
    let text = MIXED;
    let m = common::from_text(text).unwrap();
    let v = m.params.central();
    let e = evaluate(&m, &v);
    let (vr, helios, mi300x) = (&e.phases[0], &e.phases[1], &e.phases[2]);
    let t = &e.totals;
    assert_eq!(t.capex_nvidia_usd, vr.capex.nvidia_usd + helios.capex.nvidia_usd + mi300x.capex.nvidia_usd);
    // MI300X clusters are partly built on NVIDIA InfiniBand (Azure): its file's own share applies.
    let mi300x_share = m.params.find("catalog.mi300x.nvidia_share_networking").expect("registered");
    assert!(v[mi300x_share] > 0.0);
    assert_eq!(mi300x.capex.nvidia_usd, mi300x.capex.networking_usd * v[mi300x_share]);
    assert!(close(
        t.capex_by_vendor_usd["AMD"],
        (helios.capex.compute_systems_usd + mi300x.capex.compute_systems_usd) * v[m.costs.nvidia_share_compute]
    ));
    assert!(close(t.capex_by_vendor_usd.values().sum(), t.capex_usd));
    for p in &e.phases {
        assert!(close(p.capex_by_vendor_usd.values().sum(), p.capex_usd), "{}", p.name);
    }
}

#[test]
fn a_user_platform_without_its_own_networking_share_takes_the_scenarios() {
    let file = "id = \"my-accel\"\nname = \"Mine\"\nvendor = \"Acme\"\nform = \"rack\"\n\
available = { date = \"2026-H2\", source = \"x\" }\n\
packages_per_system = { value = 64, source = \"x\" }\ndies_per_package = { value = 1, source = \"x\" }\n\
systems_per_rack = { value = 1, source = \"x\" }\nnvlink_domain_packages = { value = 64, source = \"x\" }\n\
system_power_kw = { value = 100, source = \"x\" }\nsystem_price_usd = { value = 2e6, source = \"x\" }\n";
    let cat = Catalog::load(&[SourceFile::new("mine.toml", file)]).unwrap();
    let m = load_scenario(&SourceFile::new("s.toml", one_phase("my-accel")), &cat).unwrap();
    let v = m.params.central();
    let p = &evaluate(&m, &v).phases[0];
    assert_eq!(p.capex.nvidia_usd, p.capex.networking_usd * v[m.costs.nvidia_share_networking]);
    assert_eq!(p.capex_by_vendor_usd["Acme"], p.capex.compute_systems_usd * v[m.costs.nvidia_share_compute]);
}

#[test]
fn a_platform_file_may_set_nvidias_networking_share_to_zero_but_not_below() {
    let base = "id = \"z\"\nname = \"Z\"\nvendor = \"Acme\"\nform = \"rack\"\n\
available = { date = \"2026-H2\", source = \"x\" }\n\
packages_per_system = { value = 1, source = \"x\" }\ndies_per_package = { value = 1, source = \"x\" }\n\
systems_per_rack = { value = 1, source = \"x\" }\nnvlink_domain_packages = { value = 1, source = \"x\" }\n\
system_power_kw = { value = 1, source = \"x\" }\nsystem_price_usd = { value = 1, source = \"x\" }\n";
    let zero = format!("{base}nvidia_share_networking = {{ value = 0, source = \"x\" }}\n");
    assert!(Catalog::load(&[SourceFile::new("z.toml", zero)]).is_ok());
    let negative = format!("{base}nvidia_share_networking = {{ value = -0.1, source = \"x\" }}\n");
    let err = Catalog::load(&[SourceFile::new("z.toml", negative)]).unwrap_err();
    assert!(err.message.contains("from 0 to 1"), "{}", err.message);
}

#[test]
fn the_seed_scenarios_vendor_breakdown_is_its_nvidia_split() {
    let m = common::scenario("nvidia-openai-10gw.toml");
    let e = evaluate(&m, &m.params.central());
    let t = &e.totals;
    assert_eq!(t.capex_by_vendor_usd[NVIDIA], t.capex_nvidia_usd);
    assert_eq!(t.capex_by_vendor_usd.len(), 2);
    for p in &e.phases {
        assert_eq!(p.capex_by_vendor_usd[NVIDIA], p.capex.nvidia_usd);
        assert_eq!(p.capex_by_vendor_usd[OTHER_SUPPLIERS], p.capex.other_suppliers_usd);
    }
}

#[test]
fn the_headline_supplier_is_the_vendor_of_most_phases_without_an_announcement_or_investor() {
    let text = MIXED;
    let m = common::from_text(text).unwrap();
    assert_eq!(m.supplier, "AMD");
    let p = gigawatt_core::plan(&m, gigawatt_core::PlanOptions { draws: 200, seed: 3 });
    let amd = p.totals.capex_by_vendor_usd["AMD"];
    assert!(close(p.ranges.supplier_per_gw_usd.central, amd / p.totals.power_gw));
    assert!(p.ranges.supplier_per_gw_usd.low <= p.ranges.supplier_per_gw_usd.high);
    // An investor names the supplier when there is no announcement.
    let with_investor = format!("{text}[financing]\ninvestor = \"NVIDIA\"\nper_gw_usd = 1e9\ncap_usd = 1e10\n");
    let m = common::from_text(&with_investor).unwrap();
    assert_eq!(m.supplier, "NVIDIA");
    let p = gigawatt_core::plan(&m, gigawatt_core::PlanOptions { draws: 200, seed: 3 });
    let f = p.financing.expect("financing");
    // The investor's purchases are what is booked to the investor, not to every vendor.
    assert!(close(f.purchases_from_investor_usd, p.totals.capex_by_vendor_usd[NVIDIA]));
    assert!(close(p.timeline.last().unwrap().cumulative_investor_purchases_usd, p.totals.capex_by_vendor_usd[NVIDIA]));
}
