//! Default inputs: what a scenario does not set (`catalog/defaults.toml`).
//!
//! Every input a scenario may set under `[costs]`, `[phase_defaults]` or `[financing]` has a
//! default here with its source (or its stated assumption), so a short scenario still runs on
//! traceable numbers. A deal's announced figures are not defaults: they belong to the scenario that
//! studies the deal (`[announcement]`).

use std::collections::BTreeMap;

use crate::error::{InputError, KeyPath, SourceFile, closest};
use crate::quantity::{BareNumbers, Quantity, QuantitySpec};

pub use crate::schema::inputs::{COST_INPUTS, Check, FINANCING_INPUTS, InputSpec, PHASE_INPUTS};

/// The bundled default inputs (`catalog/defaults.toml`).
pub const BUNDLED_DEFAULTS: (&str, &str) = ("catalog/defaults.toml", include_str!("../../../catalog/defaults.toml"));

/// The default inputs, by `section.key`.
#[derive(Clone, Debug)]
pub struct Defaults {
    values: BTreeMap<String, Quantity>,
}

impl Defaults {
    /// Reads a defaults file; every known input must be present and nothing else.
    pub fn parse(file: &SourceFile) -> Result<Defaults, InputError> {
        let table: toml::Table = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
        let all: Vec<&InputSpec> = PHASE_INPUTS.iter().chain(COST_INPUTS).chain(FINANCING_INPUTS).collect();
        let mut values = BTreeMap::new();
        for (section, body) in &table {
            let path = KeyPath::root().key(section);
            let Some(body) = body.as_table() else {
                return Err(InputError::at(file, &path, format!("`{section}` must be a table")));
            };
            for (key, value) in body {
                let spec = all.iter().find(|s| s.section == section && s.key == key).ok_or_else(|| {
                    let full = format!("{section}.{key}");
                    let names: Vec<String> = all.iter().map(|s| s.full_key()).collect();
                    let err = InputError::at(file, &path.key(key), format!("unknown default `{full}`"));
                    match closest(&full, names.iter().map(String::as_str)) {
                        Some(best) => err.with_help(format!("did you mean `{best}`?")),
                        None => err,
                    }
                })?;
                let q = QuantitySpec::parse(file, &path.key(key), value, BareNumbers::Forbidden)?;
                q.check(file, |v| spec.check.ok(v), spec.label, spec.check.expected())?;
                values.insert(
                    spec.full_key(),
                    q.into_quantity()
                        .ok_or_else(|| InputError::at(file, &path.key(key), "defaults cannot be derived"))?,
                );
            }
        }
        for s in all {
            if !values.contains_key(&s.full_key()) {
                return Err(InputError::at(
                    file,
                    &KeyPath::root(),
                    format!("defaults lack `{}` ({})", s.full_key(), s.label),
                ));
            }
        }
        Ok(Defaults { values })
    }

    /// The bundled defaults.
    pub fn bundled() -> Result<Defaults, InputError> {
        let (name, text) = BUNDLED_DEFAULTS;
        Defaults::parse(&SourceFile::new(format!("<bundled>/{name}"), text))
    }

    /// The default for `section.key` (present for every known input).
    pub fn get(&self, spec: &InputSpec) -> &Quantity {
        &self.values[&spec.full_key()]
    }
}

/// The reference table of a table of inputs with defaults (`[costs]`, `[phase_defaults]`), for
/// `docs/scenario.md`: key, unit and check, the bundled default with its provenance, meaning.
pub fn reference_table(specs: &[InputSpec], defaults: &Defaults) -> String {
    let mut out = String::from("| key | type / unit | default | meaning |\n|---|---|---|---|\n");
    for spec in specs {
        let q = defaults.get(spec);
        let e = q.estimate;
        let value = if e.is_range() {
            format!("{} / {} / {}", short(e.low), short(e.central), short(e.high))
        } else {
            short(e.central)
        };
        let basis = if q.provenance.is_sourced() { source_names(&q.provenance.sources) } else { "assumption".into() };
        out.push_str(&format!(
            "| `{}` | quantity, {}, {} | {value} ({basis}) | {} |\n",
            spec.key,
            spec.unit,
            spec.check.expected(),
            spec.label
        ));
    }
    out
}

/// The names of sources, for a table cell: each source's text up to its first `:`, `(` or `,`.
fn source_names(sources: &[String]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in sources {
        let name = s.split([':', '(', ',']).next().unwrap_or("").trim();
        // An address names its site only.
        let name = name.split('/').next().unwrap_or(name).trim();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names.join("; ")
}

/// A number as the reference prints it: up to three significant digits, with K, M or B.
fn short(x: f64) -> String {
    let (v, suffix) = match x.abs() {
        a if a >= 1e9 => (x / 1e9, " B"),
        a if a >= 1e6 => (x / 1e6, " M"),
        a if a >= 1e4 => (x / 1e3, " K"),
        _ => (x, ""),
    };
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        3
    };
    let text = format!("{v:.digits$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_numbers_are_short() {
        assert_eq!(short(11_700_000.0), "11.7 M");
        assert_eq!(short(1.15), "1.15");
        assert_eq!(short(0.228), "0.228");
        assert_eq!(short(500e9), "500 B");
        assert_eq!(short(20.0), "20");
    }

    #[test]
    fn bundled_defaults_cover_every_input() {
        let d = Defaults::bundled().expect("bundled defaults are valid");
        assert_eq!(d.get(&PHASE_INPUTS[0]).estimate.central, 1.15);
        assert_eq!(d.get(&FINANCING_INPUTS[0]).estimate.central, 500e9);
    }
}
