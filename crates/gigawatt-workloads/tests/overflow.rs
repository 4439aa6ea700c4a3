//! Regressions from the scenario fuzz target: inputs that each look like a number but overflow a
//! result to infinity are located errors, never a non-finite number in a plan or capacity.

use gigawatt_core::{Catalog, SourceFile, finite, load_scenario};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `scenarios/NAME` with `from` replaced by `to` (once).
fn edited(name: &str, from: &str, to: &str) -> SourceFile {
    let text = std::fs::read_to_string(root().join("scenarios").join(name)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} in {name}");
    SourceFile::new(format!("scenarios/{name}"), text.replacen(from, to, 1))
}

/// The message of the error that loading (then planning and capacity) gives, with its line.
fn error_of(file: &SourceFile) -> (String, usize) {
    let cat = Catalog::bundled().unwrap();
    let model = match load_scenario(file, &cat) {
        Ok(m) => m,
        Err(e) => return (e.to_string(), e.location().expect("located").1),
    };
    let plan = gigawatt_core::plan(&model, gigawatt_core::PlanOptions { draws: 20, seed: 1 });
    assert_eq!(finite::check(&plan), Ok(()));
    let e = gigawatt_workloads::capacity(&model, &cat).expect_err("an overflow is an error");
    (e.to_string(), e.location().expect("located").1)
}

fn line_of(file: &SourceFile, needle: &str) -> usize {
    file.text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_number_beyond_the_usable_magnitudes_is_refused_where_it_is_written() {
    // 15.6T tokens written as 1e300: 6 · N · D was infinite.
    let f = edited("llama3-405b-16k.toml", "value = 15.6e12", "value = 1e300");
    let (message, line) = error_of(&f);
    assert!(message.contains("outside the magnitudes"), "{message}");
    assert_eq!(line, line_of(&f, "value = 1e300"));
    // 4 M GPUs low written as 1e-300: the supplier's dollars per GPU were infinite.
    let f = edited("nvidia-openai-10gw.toml", "low = 4_000_000", "low = 1e-300");
    let (message, line) = error_of(&f);
    assert!(message.contains("outside the magnitudes"), "{message}");
    assert_eq!(line, line_of(&f, "low = 1e-300"));
}

#[test]
fn growth_compounded_past_any_usable_number_is_refused() {
    let f = edited("nvidia-openai-10gw.toml", "growth_per_year = { value = 0.25", "growth_per_year = { value = 1e29");
    let (message, line) = error_of(&f);
    assert!(message.contains("between 0 and 10"), "{message}");
    assert_eq!(line, line_of(&f, "growth_per_year"));
}
