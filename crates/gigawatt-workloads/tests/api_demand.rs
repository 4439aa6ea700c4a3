//! `[demand.api]`: the API's tokens per minute, served as a tier named `api`.

use gigawatt_core::date::Date;
use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_workloads::defaults::WorkloadDefaults;
use gigawatt_workloads::models::ModelCatalog;
use gigawatt_workloads::spec::{CapacitySpec, parse_sections};

fn seed(edit: impl Fn(String) -> String) -> Result<CapacitySpec, gigawatt_core::InputError> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = edit(std::fs::read_to_string(root.join("scenarios/nvidia-openai-10gw.toml")).unwrap());
    let cat = Catalog::bundled().unwrap();
    let model = load_scenario(&SourceFile::new("scenarios/nvidia-openai-10gw.toml", text), &cat).unwrap();
    parse_sections(&model, &cat, &ModelCatalog::bundled().unwrap(), &WorkloadDefaults::bundled().unwrap())
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

#[test]
fn the_api_serves_its_published_tokens_per_minute_as_output_and_input_tokens() {
    let spec = seed(|t| t).unwrap();
    let demand = spec.demand.unwrap().demand;
    let names: Vec<&str> = demand.tiers.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["pro", "plus", "api", "free"], "served between the paying tiers and free (priority 3)");
    let at = |d: &str| demand.at(day(d)).into_iter().find(|t| t.tier == "api").unwrap();
    // 6 B tokens a minute on 2025-10-06, 22 % of them output.
    let api = at("2025-10-06");
    let expected = 6e9 / 60.0 * 0.22;
    assert!((api.average_tokens_per_s / expected - 1.0).abs() < 1e-12, "{}", api.average_tokens_per_s);
    assert_eq!(api.peak_tokens_per_s, api.average_tokens_per_s * demand.peak_to_average);
    let input: f64 = api.by_model.iter().map(|m| m.input_tokens_per_s).sum();
    assert!((input / (6e9 / 60.0 * 0.78) - 1.0).abs() < 1e-12, "{input}");
    assert!(api.feature_extra_peak_tokens_per_s.is_empty() && api.messages_per_day == 0.0);
    // Flat before the point, then doubling a year (the seed's growth assumption).
    assert_eq!(at("2025-01-01").average_tokens_per_s, api.average_tokens_per_s);
    let later = at("2026-10-06").average_tokens_per_s / api.average_tokens_per_s;
    assert!((later - 2f64.powf(365.0 / 365.25)).abs() < 1e-9, "{later}");
    // The user tiers are untouched: their shares of users still add up to 1.
    let shares: f64 = demand.tiers.iter().filter(|t| t.volume.is_none()).map(|t| t.share_of_users).sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

#[test]
fn without_the_api_section_the_tiers_and_their_demand_are_as_before() {
    let without = seed(|t| {
        let a = t.find("[demand.api]").unwrap();
        let b = t[a..].find("\n\n# Today's").unwrap() + a;
        t[..a].to_string() + &t[b + 2..]
    })
    .unwrap();
    let with = seed(|t| t).unwrap();
    let (w, o) = (with.demand.unwrap().demand, without.demand.unwrap().demand);
    assert!(o.tiers.iter().all(|t| t.name != "api"));
    let d = day("2027-06-01");
    for (a, b) in o.at(d).iter().zip(w.at(d).iter().filter(|t| t.tier != "api")) {
        assert_eq!(a.tier, b.tier);
        assert_eq!(a.average_tokens_per_s, b.average_tokens_per_s);
    }
}

#[test]
fn bad_api_inputs_are_located_errors() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "\"gpt4o-class\" = 0.9, \"frontier-2027\" = 0.1",
            "\"gpt4o-class\" = 0.9, \"no-such-model\" = 0.1",
            "no-such-model",
        ),
        (
            "\"gpt4o-class\" = 0.9, \"frontier-2027\" = 0.1",
            "\"gpt4o-class\" = 0.9, \"frontier-2027\" = 0.2",
            "add up to",
        ),
        ("output_share = { value = 0.22,", "output_share = { value = 0,", "output_share = 0"),
        ("output_share = { value = 0.22,", "output_share = { value = 1.5,", "output_share"),
        ("tokens_per_minute = { value = 6e9,", "tokens_per_minute = { value = -6e9,", "tokens_per_minute"),
    ];
    for (from, to, says) in cases {
        let e = seed(|t| t.replacen(from, to, 1)).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(text.contains(says), "{to}: {text}");
        let (_, line, _) = e.location().expect("located");
        assert!(line > 150, "{to}: line {line}");
    }
    // A tier may not take the API's name.
    let e = seed(|t| {
        t.replace("name = \"plus\"", "name = \"api\"")
            .replace("[\"pro\", \"plus\"]", "[\"pro\", \"api\"]")
            .replace("tiers = [\"plus\"]", "tiers = [\"api\"]")
            .replace("[\"pro\", \"plus\", \"free\"]", "[\"pro\", \"api\", \"free\"]")
    })
    .unwrap_err();
    assert!(e.to_string().contains("already called `api`"), "{e}");
}
