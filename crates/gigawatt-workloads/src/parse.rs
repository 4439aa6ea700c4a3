//! Reading workload tables with located errors.
//!
//! The scenario loader reads the workload sections into their schema structs
//! (`gigawatt_core::schema::workloads`), checking keys and types; [`At`] knows the file and key
//! path of one of them, so every problem its fields have is reported at its line and column with
//! what would be right. The bundled workload files (`catalog/workloads.toml`, `catalog/models`)
//! are read the same way from their own serde structs. Every number read is registered in an
//! [`Inputs`] list with its provenance, so reports can list the assumptions apart from the sourced
//! inputs.

use gigawatt_core::analysis::InputRecord;
use gigawatt_core::date::Date;
use gigawatt_core::defaults::Check;
use gigawatt_core::error::{InputError, KeyPath, SourceFile};
use gigawatt_core::quantity::{BareNumbers, Quantity, QuantitySpec};
use gigawatt_core::schema::{Input, Scalar};
use gigawatt_core::validate;

/// Every numeric input a capacity run used, in the order read.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    records: Vec<InputRecord>,
}

impl Inputs {
    /// Registers a quantity under `key` (later registrations of the same key are ignored).
    pub fn add(&mut self, key: &str, label: &str, unit: &str, q: &Quantity) {
        if self.records.iter().any(|r| r.key == key) {
            return;
        }
        self.records.push(InputRecord {
            key: key.to_string(),
            label: label.to_string(),
            unit: unit.to_string(),
            low: q.estimate.low,
            central: q.estimate.central,
            high: q.estimate.high,
            sourced: q.provenance.is_sourced(),
            provenance: q.provenance.clone(),
        });
    }

    /// All records.
    pub fn records(&self) -> &[InputRecord] {
        &self.records
    }

    /// Consumes the list.
    pub fn into_records(self) -> Vec<InputRecord> {
        self.records
    }
}

/// A table of a workload file — a scenario's workload section or a bundled workload file — as
/// its serde struct read it, at a known place in a known file: its fields are read with errors
/// located at their keys. (Unknown keys and wrong types were reported before, by serde and, for
/// scenarios, the loader's key check.)
#[derive(Clone, Copy)]
pub struct At<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// Where the table is.
    pub path: &'a KeyPath,
    /// How the table is named in messages, e.g. `[demand]`.
    pub name: &'a str,
    /// Whether bare numbers count as assumptions (scenarios) or are refused (bundled data).
    pub bare: BareNumbers,
}

impl<'a> At<'a> {
    /// A table of a scenario, where a bare number is the author's assumption.
    pub fn scenario(file: &'a SourceFile, path: &'a KeyPath, name: &'a str) -> At<'a> {
        At { file, path, name, bare: BareNumbers::Assumed }
    }

    /// An error at `key` of this table (or at the table when the key is absent).
    pub fn err(&self, key: &str, message: impl Into<String>) -> InputError {
        InputError::at(self.file, &self.path.key(key), message)
    }

    /// An error at the table itself.
    pub fn err_here(&self, message: impl Into<String>) -> InputError {
        InputError::at(self.file, self.path, message)
    }

    /// The table at `path`, named `name` in messages, in the same file.
    pub fn child(&self, path: &'a KeyPath, name: &'a str) -> At<'a> {
        At { file: self.file, path, name, bare: self.bare }
    }

    /// The quantity `input` written at `key`, checked, if present.
    pub fn quantity(
        &self,
        key: &str,
        input: Option<&Input>,
        label: &str,
        check: Check,
    ) -> Result<Option<Quantity>, InputError> {
        let Some(input) = input else { return Ok(None) };
        let path = self.path.key(key);
        let spec = QuantitySpec::from_input(self.file, &path, input, self.bare)?;
        spec.check(self.file, |x| check.ok(x), label, check.expected())?;
        spec.into_quantity()
            .ok_or_else(|| InputError::at(self.file, &path, "derivation rules are not available here"))
            .map(Some)
    }

    /// A quantity that must be present.
    pub fn need_quantity(
        &self,
        key: &str,
        input: Option<&Input>,
        label: &str,
        check: Check,
        help: &str,
    ) -> Result<Quantity, InputError> {
        self.quantity(key, input, label, check)?
            .ok_or_else(|| self.err_here(format!("{} lacks `{key}` ({label})", self.name)).with_help(help.to_string()))
    }

    /// A string that must be present.
    pub fn need_string<'s>(&self, key: &str, value: Option<&'s String>, help: &str) -> Result<&'s str, InputError> {
        value
            .map(String::as_str)
            .ok_or_else(|| self.err_here(format!("{} lacks `{key}`", self.name)).with_help(help.to_string()))
    }

    /// The date `input` written at `key`, if present.
    pub fn date(&self, key: &str, input: Option<&Input>) -> Result<Option<Date>, InputError> {
        input.map(|i| validate::date(self.file, &self.path.key(key), i)).transpose()
    }

    /// The whole number `input` written at `key`, within `range`, if present.
    pub fn integer(
        &self,
        key: &str,
        input: Option<&Input>,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, InputError> {
        let help = || format!("give a whole number from {} to {}", range.start(), range.end());
        match input {
            None => Ok(None),
            Some(Input::Bare(Scalar::Integer(i))) if range.contains(i) => Ok(Some(*i)),
            Some(Input::Bare(Scalar::Integer(i))) => {
                Err(self.err(key, format!("`{key}` = {i} is out of range")).with_help(help()))
            }
            Some(other) => Err(self
                .err(key, format!("`{key}` must be a whole number, found {}", other.type_str()))
                .with_help(help())),
        }
    }

    /// The plain number `input` written at `key` (a design choice such as a latency target, not a
    /// fact about the world), checked, if present.
    pub fn number(&self, key: &str, input: Option<&Input>, check: Check) -> Result<Option<f64>, InputError> {
        let Some(input) = input else { return Ok(None) };
        let x = match input {
            Input::Bare(s) => s.as_f64(),
            Input::Table(_) => None,
        }
        .ok_or_else(|| {
            self.err(key, format!("`{key}` must be a number, found {}", input.type_str()))
                .with_help(format!("give a number that is {}", check.expected()))
        })?;
        if !x.is_finite() || !check.ok(x) {
            return Err(self
                .err(key, format!("`{key}` must be {}, found {x}", check.expected()))
                .with_help(format!("give a number that is {}", check.expected())));
        }
        Ok(Some(x))
    }

    /// The numbers of zero or more `values` written at `key`, if present.
    pub fn numbers(&self, key: &str, values: Option<&[f64]>) -> Result<Option<Vec<f64>>, InputError> {
        let Some(values) = values else { return Ok(None) };
        if let Some(i) = values.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(InputError::at(
                self.file,
                &self.path.key(key).index(i),
                format!("`{key}` entries must be numbers of zero or more"),
            ));
        }
        Ok(Some(values.to_vec()))
    }
}
