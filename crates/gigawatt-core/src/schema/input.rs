//! [`Input`]: one serde type for every number (and count, and date) a file gives, bare or with its
//! provenance. The schema holds inputs as written; the validation pass turns each into a
//! [`crate::quantity::Quantity`] (or a count, or a date) and checks it, with the key's location.

use serde::{Deserialize, Deserializer, Serialize, de::Error as _};

/// How good a source is, as graded in the project's reference notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// A statement, filing or keynote figure of the company concerned, or MLCommons.
    Official,
    /// A sell-side or research-firm estimate.
    Analyst,
    /// A press article, blog or aggregator.
    Media,
    /// Arithmetic on cited numbers.
    Derived,
}

/// A scalar as written: a number, a string or a TOML date.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A string (a date such as `"2026-H2"`, or a keyword such as `"auto"`).
    Text(String),
    /// A TOML date or date-time literal.
    Date(toml::value::Datetime),
}

impl Scalar {
    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Integer(i) => Some(*i as f64),
            Scalar::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The TOML value it was read from (for date parsing and messages).
    pub fn to_toml(&self) -> toml::Value {
        match self {
            Scalar::Integer(i) => toml::Value::Integer(*i),
            Scalar::Float(f) => toml::Value::Float(*f),
            Scalar::Text(s) => toml::Value::String(s.clone()),
            Scalar::Date(d) => toml::Value::Datetime(*d),
        }
    }

    /// The kind of value, for messages ("string", "integer"…).
    pub fn type_str(&self) -> &'static str {
        match self {
            Scalar::Integer(_) => "integer",
            Scalar::Float(_) => "float",
            Scalar::Text(_) => "string",
            Scalar::Date(_) => "datetime",
        }
    }

    fn from_toml(v: toml::Value) -> Result<Scalar, String> {
        match v {
            toml::Value::Integer(i) => Ok(Scalar::Integer(i)),
            toml::Value::Float(f) => Ok(Scalar::Float(f)),
            toml::Value::String(s) => Ok(Scalar::Text(s)),
            toml::Value::Datetime(d) => Ok(Scalar::Date(d)),
            other => Err(format!("expected a number, a string or a date, found {}", other.type_str())),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Scalar::from_toml(toml::Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// One source or several.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Sources {
    /// `source = "…"`.
    One(String),
    /// `source = ["…", "…"]`.
    Many(Vec<String>),
}

impl Sources {
    /// The sources as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Sources::One(s) => vec![s.clone()],
            Sources::Many(v) => v.clone(),
        }
    }
}

/// A quantity table: `{ value = …, source = "…" }` or `{ low, central, high, … }`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputTable {
    /// A single agreed value.
    pub value: Option<Scalar>,
    /// The lowest credible value.
    pub low: Option<Scalar>,
    /// The value used by default.
    pub central: Option<Scalar>,
    /// The highest credible value.
    pub high: Option<Scalar>,
    /// Where it was published.
    pub source: Option<Sources>,
    /// How good the source is.
    pub grade: Option<Grade>,
    /// A derivation rule (catalog files only).
    pub derived: Option<String>,
    /// What is assumed, when no public figure exists.
    pub assumption: Option<String>,
    /// Any further remark.
    pub note: Option<String>,
}

/// A number about the world as written: bare (in scenarios, the author's assumption) or a table
/// with its provenance.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// `pue = 1.2`, `systems = 256`, `online = "2026-H2"`.
    Bare(Scalar),
    /// `pue = { value = 1.2, source = "…" }`.
    Table(Box<InputTable>),
}

impl Input {
    /// Reads an input from a TOML value (for readers that walk tables by hand).
    pub fn from_toml(v: toml::Value) -> Result<Input, String> {
        match v {
            toml::Value::Table(t) => InputTable::deserialize(toml::Value::Table(t))
                .map(|t| Input::Table(Box::new(t)))
                .map_err(|e| e.message().to_string()),
            other => Scalar::from_toml(other).map(Input::Bare).map_err(|_| {
                "expected a number or a quantity table such as { value = 1.15, source = \"…\" }".to_string()
            }),
        }
    }

    /// The kind of value written, for messages.
    pub fn type_str(&self) -> &'static str {
        match self {
            Input::Bare(s) => s.type_str(),
            Input::Table(_) => "table",
        }
    }
}

impl<'de> Deserialize<'de> for Input {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Input::from_toml(toml::Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        x: Input,
    }

    #[test]
    fn bare_numbers_tables_strings_and_dates_read() {
        let t: T = toml::from_str("x = 3").unwrap();
        assert_eq!(t.x, Input::Bare(Scalar::Integer(3)));
        let t: T = toml::from_str("x = { value = 256, source = \"s\" }").unwrap();
        let Input::Table(tab) = t.x else { panic!() };
        assert_eq!(tab.value, Some(Scalar::Integer(256)));
        assert_eq!(tab.source, Some(Sources::One("s".into())));
        let t: T = toml::from_str("x = 2026-06-30").unwrap();
        assert!(matches!(t.x, Input::Bare(Scalar::Date(_))));
        let t: T = toml::from_str("x = \"2026-H2\"").unwrap();
        assert_eq!(t.x, Input::Bare(Scalar::Text("2026-H2".into())));
    }

    #[test]
    fn unknown_keys_and_arrays_are_errors_with_a_location() {
        let e = toml::from_str::<T>("x = { value = 1, sorce = \"s\" }").err().unwrap();
        assert!(e.message().contains("unknown field `sorce`"), "{}", e.message());
        assert!(e.span().is_some());
        let e = toml::from_str::<T>("x = [1, 2]").err().unwrap();
        assert!(e.message().contains("expected a number or a quantity table"), "{}", e.message());
    }
}
