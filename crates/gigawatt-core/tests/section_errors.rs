//! One misspelled key in each section of a scenario, the workload sections included: the error
//! names the file, the key's line and column, and suggests the right key from the section's own
//! field list.

use gigawatt_core::{Catalog, SourceFile, load_scenario};

const BASE: &str = "name = \"t\"\n[[phase]]\nonline = \"2026-H2\"\nplatform = \"h100-hgx\"\nsystems = 10\n";

/// Loads BASE followed by `extra` (or, for the top level, preceded by it), whose last line holds
/// the misspelled key; returns the error's line and column and its help.
fn error_of(extra: &str, top: bool) -> (usize, usize, String, String) {
    let text = if top { format!("{extra}\n{BASE}") } else { format!("{BASE}{extra}\n") };
    let file = SourceFile::new("s.toml", text.clone());
    let err = load_scenario(&file, &Catalog::bundled().unwrap()).expect_err("a misspelled key is an error");
    let (name, line, col) = err.location().expect("located");
    assert_eq!(name, "s.toml");
    let last_line = if top { extra.lines().count() } else { text.lines().count() };
    assert_eq!(line, last_line, "{}: the line of the misspelled key", err.message);
    (line, col, err.message.clone(), err.help.clone().unwrap_or_default())
}

#[test]
fn each_section_locates_a_misspelled_key_and_suggests_the_right_one() {
    let cases = [
        ("sed = 1", "the top level", "seed"),
        ("ramp_month = 3", "[[phase]]", "ramp_months"),
        ("[phase_defaults]\npeu = 1.2", "[phase_defaults]", "pue"),
        ("[costs]\nload_facter = 0.7", "[costs]", "load_factor"),
        ("[financing]\nper_gw_usd = 1\ncap_usd = 2\ninvestr = \"x\"", "[financing]", "investor"),
        ("[uncertainty]\ndraw = 2000", "[uncertainty]", "draws"),
        ("[simulation]\nreplica = 3", "[simulation]", "replicas"),
        ("[[job]]\ngpus = 8\nrestart = 5", "[[job]]", "restart_s"),
        ("[[failure]]\nname = \"faulty_gpu\"\ndetect = 5", "[[failure]]", "detect_s"),
        ("[costs]\nload_factor = { value = 0.7, sorce = \"x\" }", "a quantity", "source"),
        ("[[training]]\nname = \"r\"\ntokns = 1e12", "[[training]]", "tokens"),
        ("[[training]]\nname = \"r\"\n[training.reliability]\nmethd = \"given\"", "[training.reliability]", "method"),
        ("[demand]\nmessages_per_user_per_dy = 3", "[demand]", "messages_per_user_per_day"),
        ("[demand]\nusers = [ { date = \"2025-01-01\", weekly_user = 1e6 } ]", "a `users` point", "weekly_users"),
        ("[demand.profile]\nhourli = [1]", "[demand.profile]", "hourly"),
        ("[[demand.tier]]\nname = \"free\"\nshare_of_user = 1", "[[demand.tier]]", "share_of_users"),
        ("[[demand.feature]]\nname = \"reasoning\"\ntier = [\"free\"]", "[[demand.feature]]", "tiers"),
        ("[demand.today]\nreference_platfrom = \"h100-hgx\"", "[demand.today]", "reference_platform"),
        ("[inference]\nitl = 60", "[inference]", "itl_ms"),
        (
            "[[inference.deployment]]\nmodel = \"llama3-70b\"\ndecode_node = 2",
            "[[inference.deployment]]",
            "decode_nodes",
        ),
        ("[allocation]\npolicies = \"fixed_share\"", "[allocation]", "policy"),
    ];
    for (extra, section, right) in cases {
        let (_, col, message, help) = error_of(extra, section == "the top level");
        let wrong = extra.lines().last().unwrap();
        let wrong_key = match section {
            "a quantity" => "sorce",
            "a `users` point" => "weekly_user",
            _ => wrong.split(' ').next().unwrap(),
        };
        let expected_col = wrong.find(wrong_key).unwrap() + 1;
        assert_eq!(col, expected_col, "{extra}: column of `{wrong_key}`");
        assert!(message.contains(&format!("unknown field `{wrong_key}` in {section}")), "{extra}: {message}");
        assert!(help.starts_with(&format!("did you mean `{right}`?")), "{extra}: {help}");
    }
}

#[test]
fn counts_and_dates_take_a_source_like_any_number() {
    let text = "name = \"t\"\n[[phase]]\nonline = { value = \"2026-H2\", source = \"announcement\" }\n\
                platform = \"h100-hgx\"\nsystems = { value = 256, source = \"cluster inventory\" }\n";
    let m = load_scenario(&SourceFile::new("s.toml", text), &Catalog::bundled().unwrap()).unwrap();
    assert_eq!(m.phases[0].online.to_string(), "2026-12-31");
    assert_eq!(m.phases[0].sizing, gigawatt_core::scenario::Sizing::Systems(256));
}
