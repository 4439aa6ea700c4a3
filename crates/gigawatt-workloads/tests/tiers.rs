//! `[demand] intensity_relative_to`: tier intensities as multiples of one tier's users, rescaled
//! to the average user.

use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_workloads::defaults::WorkloadDefaults;
use gigawatt_workloads::models::ModelCatalog;
use gigawatt_workloads::spec::parse_sections;

fn seed(edit: impl Fn(String) -> String) -> Result<gigawatt_workloads::spec::CapacitySpec, gigawatt_core::InputError> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = edit(std::fs::read_to_string(root.join("scenarios/nvidia-openai-10gw.toml")).unwrap());
    let cat = Catalog::bundled().unwrap();
    let model = load_scenario(&SourceFile::new("scenarios/nvidia-openai-10gw.toml", text), &cat).unwrap();
    parse_sections(&model, &cat, &ModelCatalog::bundled().unwrap(), &WorkloadDefaults::bundled().unwrap())
}

#[test]
fn the_seeds_tiers_keep_their_published_ratios_and_average_one() {
    let spec = seed(|t| t).unwrap();
    let tiers = &spec.demand.unwrap().demand.tiers;
    let of = |n: &str| tiers.iter().find(|t| t.name == n).unwrap().intensity;
    // Pro ≈ 11× and Plus ≈ 3× a free user's queries (operations.md §3).
    assert!((of("pro") / of("free") - 11.0).abs() < 1e-12);
    assert!((of("plus") / of("free") - 3.0).abs() < 1e-12);
    let mean: f64 = tiers.iter().map(|t| t.share_of_users * t.intensity).sum();
    assert!((mean - 1.0).abs() < 1e-12, "{mean}");
    // Without the key the same numbers are multiples of the average user, as written.
    let spec = seed(|t| t.replace("intensity_relative_to = \"free\"", "")).unwrap();
    let tiers = &spec.demand.unwrap().demand.tiers;
    assert_eq!(tiers.iter().find(|t| t.name == "pro").unwrap().intensity, 11.0);
}

#[test]
fn an_unknown_reference_tier_is_a_located_error_naming_the_tiers() {
    let e =
        seed(|t| t.replace("intensity_relative_to = \"free\"", "intensity_relative_to = \"enterprise\"")).unwrap_err();
    assert!(e.to_string().contains("no tier is called `enterprise`"), "{e}");
    assert!(format!("{e:?}").contains("`pro`, `plus`, `free`"), "{e:?}");
    assert!(e.location().unwrap().1 > 1);
}
