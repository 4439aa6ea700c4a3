//! Numbers about the world, with their range and where they come from.
//!
//! A [`Quantity`] is a `low`/`central`/`high` [`Estimate`] (equal when sources agree) and its
//! [`Provenance`]: the sources it was read from, a derivation rule, or the assumption it rests on.
//! In TOML a quantity is written either as a bare number (only in scenarios, where it counts as
//! the scenario author's assumption) or as a table:
//!
//! ```toml
//! system_power_kw = { low = 190, central = 210, high = 230, source = "…", grade = "media" }
//! hbm_gb = { value = 288, source = "…" }
//! system_price_usd = { derived = "per_package(vr-nvl144, fp4_dense_tflops)" }
//! load_factor = { value = 0.8, assumption = "why this value" }
//! ```

use serde::Serialize;

use crate::error::{InputError, KeyPath, SourceFile};
use crate::schema::{Input, InputTable, Scalar, Sources};

/// A low / central / high estimate. `low == central == high` when the sources agree.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The lowest credible value.
    pub low: f64,
    /// The value the plan uses by default.
    pub central: f64,
    /// The highest credible value.
    pub high: f64,
}

impl Estimate {
    /// An estimate with no spread.
    pub fn exact(v: f64) -> Estimate {
        Estimate { low: v, central: v, high: v }
    }

    /// Whether low and high differ (the input is disputed and is varied in uncertainty analysis).
    pub fn is_range(&self) -> bool {
        self.low < self.high
    }

    /// Each bound multiplied by `factor` (bounds swap when `factor` is negative).
    pub fn scaled(&self, factor: f64) -> Estimate {
        let (a, b) = (self.low * factor, self.high * factor);
        Estimate { low: a.min(b), central: self.central * factor, high: a.max(b) }
    }
}

pub use crate::schema::Grade;

/// Where a number comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// Sources read, each naming the document and, where possible, quoting it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The grade of the best source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// The rule the value was derived by, spelled out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<String>,
    /// What is assumed, when no public figure exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// Any further remark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The file the value was read from.
    pub origin: String,
}

impl Provenance {
    /// True when the number rests on sources or a derivation from sourced numbers, with no
    /// assumption of its own.
    pub fn is_sourced(&self) -> bool {
        self.assumption.is_none() && (!self.sources.is_empty() || self.derived.is_some())
    }

    /// One line describing the provenance: the first source, the rule, or the assumption.
    pub fn summary(&self) -> String {
        if let Some(a) = &self.assumption {
            format!("assumption: {a}")
        } else if let Some(d) = &self.derived {
            format!("derived: {d}")
        } else {
            self.sources.first().cloned().unwrap_or_default()
        }
    }
}

/// A number about the world with its range and provenance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quantity {
    /// The value and its spread.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Where it comes from.
    pub provenance: Provenance,
}

/// Whether a bare number (no source) is accepted where a quantity is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareNumbers {
    /// Scenario files: a bare number is the author's unsourced assumption.
    Assumed,
    /// Catalog files: every number needs a `source`, a `derived` rule or an `assumption`.
    Forbidden,
}

/// A quantity as read from TOML, before derivation rules are applied.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantitySpec {
    /// The estimate, absent when the value is `derived`.
    pub estimate: Option<Estimate>,
    /// Where it comes from (for a derived value, `derived` holds the rule text).
    pub provenance: Provenance,
    /// Where it was written, for error messages.
    pub path: KeyPath,
    /// Which of `value`, `low`, `central`, `high` were written (errors point at the right one).
    keys: Vec<&'static str>,
}

/// The numeric bounds of a quantity table.
struct NumericTable {
    value: Option<f64>,
    low: Option<f64>,
    central: Option<f64>,
    high: Option<f64>,
}

const QUANTITY_FORMS: &str = "write a number, or a table such as { value = 1.15, source = \"…\" } or { low = 1.1, central = 1.15, high = 1.3, source = \"…\" }";

impl QuantitySpec {
    /// Reads a quantity from the TOML value at `path` in `file`.
    pub fn parse(
        file: &SourceFile,
        path: &KeyPath,
        value: &toml::Value,
        bare: BareNumbers,
    ) -> Result<QuantitySpec, InputError> {
        match value {
            toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Table(_) => {
                let input = Input::from_toml(value.clone()).map_err(|message| {
                    let (head, help) = crate::error::split_serde_message(message.trim());
                    InputError::at(file, path, head).with_help(help.unwrap_or_else(|| QUANTITY_FORMS.to_string()))
                })?;
                Self::from_input(file, path, &input, bare)
            }
            other => Err(InputError::at(
                file,
                path,
                format!("expected a number or a quantity table, found {}", other.type_str()),
            )
            .with_help(QUANTITY_FORMS)),
        }
    }

    /// Reads a quantity from an [`Input`] written at `path` in `file`.
    pub fn from_input(
        file: &SourceFile,
        path: &KeyPath,
        input: &Input,
        bare: BareNumbers,
    ) -> Result<QuantitySpec, InputError> {
        let origin = file.name.clone();
        match input {
            Input::Bare(scalar) => {
                let Some(v) = scalar.as_f64() else {
                    return Err(InputError::at(
                        file,
                        path,
                        format!("expected a number or a quantity table, found {}", scalar.type_str()),
                    )
                    .with_help(QUANTITY_FORMS));
                };
                check_finite(file, path, v)?;
                match bare {
                    BareNumbers::Assumed => Ok(QuantitySpec {
                        estimate: Some(Estimate::exact(v)),
                        provenance: Provenance {
                            assumption: Some(format!("set in {origin} without a source")),
                            origin,
                            ..Provenance::default()
                        },
                        path: path.clone(),
                        keys: Vec::new(),
                    }),
                    BareNumbers::Forbidden => Err(InputError::at(file, path, "a catalog number needs its source")
                        .with_label("bare number")
                        .with_help(format!("write {{ value = {v}, source = \"where it was published\" }}, or {{ derived = \"rule\" }}, or {{ value = {v}, assumption = \"why\" }}"))),
                }
            }
            Input::Table(t) => Self::from_table(file, path, t, bare, origin),
        }
    }

    fn from_table(
        file: &SourceFile,
        path: &KeyPath,
        table: &InputTable,
        bare: BareNumbers,
        origin: String,
    ) -> Result<QuantitySpec, InputError> {
        let number = |key: &str, v: &Option<Scalar>| -> Result<Option<f64>, InputError> {
            let Some(v) = v else { return Ok(None) };
            let x = v.as_f64().ok_or_else(|| {
                InputError::at(file, &path.key(key), format!("`{key}` must be a number, found {}", v.type_str()))
                    .with_help(QUANTITY_FORMS)
            })?;
            check_finite(file, &path.key(key), x)?;
            Ok(Some(x))
        };
        let raw = NumericTable {
            value: number("value", &table.value)?,
            low: number("low", &table.low)?,
            central: number("central", &table.central)?,
            high: number("high", &table.high)?,
        };
        let provenance = Provenance {
            sources: table.source.as_ref().map(Sources::to_vec).unwrap_or_default(),
            grade: table.grade,
            derived: table.derived.clone(),
            assumption: table.assumption.clone(),
            note: table.note.clone(),
            origin: origin.clone(),
        };
        let has_number = raw.value.is_some() || raw.low.is_some() || raw.central.is_some() || raw.high.is_some();
        if provenance.derived.is_some() {
            if bare == BareNumbers::Assumed {
                return Err(InputError::at(
                    file,
                    &path.key("derived"),
                    "derivation rules are only available in catalog files",
                )
                .with_help("give the value itself, e.g. { value = 1.0, source = \"…\" }"));
            }
            if has_number {
                return Err(InputError::at(file, path, "a derived quantity cannot also give a value").with_help(
                    "remove `derived`, or remove `value`/`low`/`central`/`high` and let the rule compute them",
                ));
            }
            return Ok(QuantitySpec { estimate: None, provenance, path: path.clone(), keys: Vec::new() });
        }
        let estimate = match (raw.value, raw.central) {
            (Some(_), Some(_)) => {
                return Err(InputError::at(file, &path.key("central"), "give either `value` or `central`, not both")
                    .with_help("`value` is a single agreed number; `central` goes with `low` and `high`"));
            }
            (Some(v), None) => {
                if raw.low.is_some() || raw.high.is_some() {
                    return Err(InputError::at(
                        file,
                        &path.key("value"),
                        "a range is written with `central`, not `value`",
                    )
                    .with_help("write { low = …, central = …, high = … }"));
                }
                Estimate::exact(v)
            }
            (None, Some(c)) => Estimate { low: raw.low.unwrap_or(c), central: c, high: raw.high.unwrap_or(c) },
            (None, None) => {
                return Err(InputError::at(file, path, "the quantity has no value").with_help(QUANTITY_FORMS));
            }
        };
        if estimate.low > estimate.central {
            return Err(InputError::at(
                file,
                &path.key("low"),
                format!("low ({}) is above central ({})", estimate.low, estimate.central),
            )
            .with_help("order the bounds so that low ≤ central ≤ high"));
        }
        if estimate.high < estimate.central {
            return Err(InputError::at(
                file,
                &path.key("high"),
                format!("high ({}) is below central ({})", estimate.high, estimate.central),
            )
            .with_help("order the bounds so that low ≤ central ≤ high"));
        }
        if bare == BareNumbers::Forbidden && provenance.sources.is_empty() && provenance.assumption.is_none() {
            return Err(InputError::at(file, path, "a catalog number needs its source")
                .with_help("add source = \"where it was published\", or assumption = \"why this value\" when no public figure exists"));
        }
        let provenance = if provenance.sources.is_empty() && provenance.assumption.is_none() {
            Provenance { assumption: Some(format!("set in {origin} without a source")), ..provenance }
        } else {
            provenance
        };
        let keys = [("value", raw.value), ("low", raw.low), ("central", raw.central), ("high", raw.high)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|_| k))
            .collect();
        Ok(QuantitySpec { estimate: Some(estimate), provenance, path: path.clone(), keys })
    }

    /// Checks every bound against `ok`; the error names the offending bound and says what it
    /// must be (`expected`, e.g. "positive" or "at least 1").
    pub fn check(
        &self,
        file: &SourceFile,
        ok: impl Fn(f64) -> bool,
        what: &str,
        expected: &str,
    ) -> Result<(), InputError> {
        let Some(e) = self.estimate else { return Ok(()) };
        for (key, v) in [("low", e.low), ("central", e.central), ("high", e.high)] {
            if !ok(v) {
                // Point at the bound that was written: `low`, else `central`/`value`, else the number.
                let written = [key, "central", "value"].into_iter().find(|k| self.keys.contains(k));
                let path = written.map_or_else(|| self.path.clone(), |k| self.path.key(k));
                return Err(InputError::at(file, &path, format!("{what} must be {expected}, found {v}"))
                    .with_help(format!("give a value that is {expected}")));
            }
        }
        Ok(())
    }

    /// The quantity, once its estimate is known (`None` for a derived spec not yet resolved).
    pub fn into_quantity(self) -> Option<Quantity> {
        Some(Quantity { estimate: self.estimate?, provenance: self.provenance })
    }
}

fn check_finite(file: &SourceFile, path: &KeyPath, v: f64) -> Result<(), InputError> {
    crate::validate::usable(file, path, v).map(|_| ())
}
