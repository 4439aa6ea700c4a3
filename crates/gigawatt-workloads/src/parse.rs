//! Reading workload tables with located errors.
//!
//! The scenario loader keeps the workload sections as TOML tables; this module walks them with a
//! [`Section`] that knows the file and key path, so every problem is reported at its line and
//! column with what would be right. Every number read is registered in an [`Inputs`] list with its
//! provenance, so reports can list the assumptions apart from the sourced inputs.

use gigawatt_core::analysis::InputRecord;
use gigawatt_core::date::{DATE_FORMS, Date, date_from_toml};
use gigawatt_core::defaults::Check;
use gigawatt_core::error::{InputError, KeyPath, SourceFile, closest};
use gigawatt_core::quantity::{BareNumbers, Quantity, QuantitySpec};

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

/// A TOML table at a known place in a known file.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// Where the table is.
    pub path: &'a KeyPath,
    /// The table.
    pub table: &'a toml::Table,
    /// How the table is named in messages, e.g. `[demand]`.
    pub name: &'a str,
    /// Whether bare numbers count as assumptions (scenarios) or are refused (bundled data).
    pub bare: BareNumbers,
}

impl<'a> Section<'a> {
    /// An error at `key` of this table (or at the table when the key is absent).
    pub fn err(&self, key: &str, message: impl Into<String>) -> InputError {
        InputError::at(self.file, &self.path.key(key), message)
    }

    /// An error at the table itself.
    pub fn err_here(&self, message: impl Into<String>) -> InputError {
        InputError::at(self.file, self.path, message)
    }

    /// Rejects keys other than `allowed`, naming the closest allowed one.
    pub fn only(&self, allowed: &[&str]) -> Result<(), InputError> {
        for key in self.table.keys() {
            if !allowed.contains(&key.as_str()) {
                let err = self.err(key, format!("unknown field `{key}` in {}", self.name));
                let list = allowed.join(", ");
                return Err(match closest(key, allowed.iter().copied()) {
                    Some(best) => err.with_help(format!("did you mean `{best}`? {} takes {list}", self.name)),
                    None => err.with_help(format!("{} takes {list} (see docs/scenario.md)", self.name)),
                });
            }
        }
        Ok(())
    }

    /// Whether `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// A quantity at `key`, checked, if present.
    pub fn quantity(&self, key: &str, label: &str, check: Check) -> Result<Option<Quantity>, InputError> {
        let Some(v) = self.table.get(key) else { return Ok(None) };
        let path = self.path.key(key);
        let spec = QuantitySpec::parse(self.file, &path, v, self.bare)?;
        spec.check(self.file, |x| check.ok(x), label, check.expected())?;
        spec.into_quantity()
            .ok_or_else(|| InputError::at(self.file, &path, "derivation rules are not available here"))
            .map(Some)
    }

    /// A quantity that must be present.
    pub fn need_quantity(&self, key: &str, label: &str, check: Check, help: &str) -> Result<Quantity, InputError> {
        self.quantity(key, label, check)?
            .ok_or_else(|| self.err_here(format!("{} lacks `{key}` ({label})", self.name)).with_help(help.to_string()))
    }

    /// A string at `key`, if present.
    pub fn string(&self, key: &str) -> Result<Option<&'a str>, InputError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(self.err(key, format!("`{key}` must be a string, found {}", other.type_str()))),
        }
    }

    /// A string that must be present.
    pub fn need_string(&self, key: &str, help: &str) -> Result<&'a str, InputError> {
        self.string(key)?
            .ok_or_else(|| self.err_here(format!("{} lacks `{key}`", self.name)).with_help(help.to_string()))
    }

    /// A date at `key`, if present.
    pub fn date(&self, key: &str) -> Result<Option<Date>, InputError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(v) => date_from_toml(v)
                .map(Some)
                .map_err(|e| self.err(key, e.to_string()).with_label("not a date").with_help(DATE_FORMS)),
        }
    }

    /// A whole number at `key` within `range`, if present.
    pub fn integer(&self, key: &str, range: std::ops::RangeInclusive<i64>) -> Result<Option<i64>, InputError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) if range.contains(i) => Ok(Some(*i)),
            Some(toml::Value::Integer(i)) => Err(self
                .err(key, format!("`{key}` = {i} is out of range"))
                .with_help(format!("give a whole number from {} to {}", range.start(), range.end()))),
            Some(other) => Err(self
                .err(key, format!("`{key}` must be a whole number, found {}", other.type_str()))
                .with_help(format!("give a whole number from {} to {}", range.start(), range.end()))),
        }
    }

    /// A sub-table at `key`, if present.
    pub fn table(&self, key: &str) -> Result<Option<&'a toml::Table>, InputError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Table(t)) => Ok(Some(t)),
            Some(other) => Err(self.err(key, format!("`{key}` must be a table, found {}", other.type_str()))),
        }
    }

    /// An array of tables at `key` (empty when absent).
    pub fn tables(&self, key: &str) -> Result<Vec<&'a toml::Table>, InputError> {
        match self.table.get(key) {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_table().ok_or_else(|| {
                        InputError::at(
                            self.file,
                            &self.path.key(key).index(i),
                            format!("`{key}` entries must be tables"),
                        )
                    })
                })
                .collect(),
            Some(other) => {
                Err(self.err(key, format!("`{key}` must be an array of tables, found {}", other.type_str())))
            }
        }
    }

    /// An array at `key` whose entries `entry` reads (`what` names them in messages), if present.
    fn array<T>(
        &self,
        key: &str,
        what: &str,
        entry: impl Fn(&'a toml::Value) -> Option<T>,
    ) -> Result<Option<Vec<T>>, InputError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    entry(v).ok_or_else(|| {
                        InputError::at(
                            self.file,
                            &self.path.key(key).index(i),
                            format!("`{key}` entries must be {what}"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => {
                Err(self.err(key, format!("`{key}` must be an array of {what}, found {}", other.type_str())))
            }
        }
    }

    /// An array of numbers of zero or more at `key`, if present.
    pub fn numbers(&self, key: &str) -> Result<Option<Vec<f64>>, InputError> {
        self.array(key, "numbers of zero or more", |v| {
            v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).filter(|x| x.is_finite() && *x >= 0.0)
        })
    }

    /// A plain number at `key` (a design choice such as a latency target, not a fact about the
    /// world), checked, if present.
    pub fn number(&self, key: &str, check: Check) -> Result<Option<f64>, InputError> {
        let Some(v) = self.table.get(key) else { return Ok(None) };
        let x = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).ok_or_else(|| {
            self.err(key, format!("`{key}` must be a number, found {}", v.type_str()))
                .with_help(format!("give a number that is {}", check.expected()))
        })?;
        if !x.is_finite() || !check.ok(x) {
            return Err(self
                .err(key, format!("`{key}` must be {}, found {x}", check.expected()))
                .with_help(format!("give a number that is {}", check.expected())));
        }
        Ok(Some(x))
    }

    /// An array of strings at `key`, if present.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<&'a str>>, InputError> {
        self.array(key, "strings", |v| v.as_str())
    }

    /// A sub-section for the table at `key` (which must be a table).
    pub fn child(&self, path: &'a KeyPath, table: &'a toml::Table, name: &'a str) -> Section<'a> {
        Section { file: self.file, path, table, name, bare: self.bare }
    }
}
