//! Columnar tables and their Parquet and CSV files.
//!
//! A [`Table`] is a list of named, typed columns. It is written with the `parquet` crate's
//! low-level column writers (no arrow): one row group, Snappy pages, and the sweep's identity in
//! the file's key-value metadata. The same table always gives the same bytes, so a merged run and
//! an unsharded one can be compared with `cmp`. Files are written to a temporary name and renamed
//! into place, so a killed process never leaves a partial file under the final name.

use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, IntType, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Unsigned 64-bit integers, never null (`point`, `seed`; INT64 annotated UINT_64).
    U64(Vec<u64>),
    /// Signed integers, possibly null.
    I64(Vec<Option<i64>>),
    /// Floats, possibly null.
    F64(Vec<Option<f64>>),
    /// Text, possibly null.
    Str(Vec<Option<String>>),
    /// Booleans, possibly null.
    Bool(Vec<Option<bool>>),
}

impl Values {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::U64(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::F64(v) => v.len(),
            Values::Str(v) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An empty column of the same type.
    pub fn empty_like(&self) -> Values {
        match self {
            Values::U64(_) => Values::U64(Vec::new()),
            Values::I64(_) => Values::I64(Vec::new()),
            Values::F64(_) => Values::F64(Vec::new()),
            Values::Str(_) => Values::Str(Vec::new()),
            Values::Bool(_) => Values::Bool(Vec::new()),
        }
    }

    /// Appends value `i` of `other` (same type) to this column.
    pub fn push_from(&mut self, other: &Values, i: usize) {
        match (self, other) {
            (Values::U64(a), Values::U64(b)) => a.push(b[i]),
            (Values::I64(a), Values::I64(b)) => a.push(b[i]),
            (Values::F64(a), Values::F64(b)) => a.push(b[i]),
            (Values::Str(a), Values::Str(b)) => a.push(b[i].clone()),
            (Values::Bool(a), Values::Bool(b)) => a.push(b[i]),
            _ => panic!("columns of different types"),
        }
    }

    /// Value `i` as CSV text (empty for null; floats in their shortest exact form).
    pub fn csv_cell(&self, i: usize) -> String {
        match self {
            Values::U64(v) => v[i].to_string(),
            Values::I64(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::F64(v) => v[i].map(|x| format!("{x:?}")).unwrap_or_default(),
            Values::Str(v) => v[i].as_deref().map(csv_quote).unwrap_or_default(),
            Values::Bool(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Values::U64(_) => "uint64",
            Values::I64(_) => "int64",
            Values::F64(_) => "double",
            Values::Str(_) => "string",
            Values::Bool(_) => "boolean",
        }
    }
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its values.
    pub values: Values,
}

/// A table: columns of equal length, and key-value metadata.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Key-value metadata (sorted by key when written).
    pub metadata: Vec<(String, String)>,
}

impl Table {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|c| c.name == name).map(|c| &c.values)
    }

    /// The metadata value under `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The column types, as `name: type` (to compare two tables' layouts).
    pub fn layout(&self) -> Vec<String> {
        self.columns.iter().map(|c| format!("{}: {}", c.name, c.values.type_name())).collect()
    }

    /// The same columns with no rows.
    pub fn empty_like(&self) -> Table {
        Table {
            columns: self
                .columns
                .iter()
                .map(|c| Column { name: c.name.clone(), values: c.values.empty_like() })
                .collect(),
            metadata: self.metadata.clone(),
        }
    }

    /// The table as CSV: a header, then one line per row.
    pub fn to_csv(&self) -> String {
        let mut out = self.columns.iter().map(|c| csv_quote(&c.name)).collect::<Vec<_>>().join(",");
        out.push('\n');
        for i in 0..self.rows() {
            let row: Vec<String> = self.columns.iter().map(|c| c.values.csv_cell(i)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

fn parquet_type(c: &Column) -> parquet::errors::Result<Type> {
    let (physical, logical, repetition) = match &c.values {
        Values::U64(_) => (
            PhysicalType::INT64,
            Some(LogicalType::Integer(IntType { bit_width: 64, is_signed: false })),
            Repetition::REQUIRED,
        ),
        Values::I64(_) => (PhysicalType::INT64, None, Repetition::OPTIONAL),
        Values::F64(_) => (PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
        Values::Str(_) => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String), Repetition::OPTIONAL),
        Values::Bool(_) => (PhysicalType::BOOLEAN, None, Repetition::OPTIONAL),
    };
    Type::primitive_type_builder(&c.name, physical).with_logical_type(logical).with_repetition(repetition).build()
}

/// Values and definition levels of an optional column.
fn split<T: Clone>(v: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
    let values = v.iter().flatten().cloned().collect();
    let levels = v.iter().map(|x| i16::from(x.is_some())).collect();
    (values, levels)
}

/// The table as Parquet bytes (schema named `sweep`).
pub fn to_parquet(table: &Table) -> Result<Vec<u8>, String> {
    to_parquet_named(table, "sweep")
}

/// The table as Parquet bytes with the schema (the root group) named `schema` — for other commands'
/// tables, such as `gigawatt power`'s series.
pub fn to_parquet_named(table: &Table, schema: &str) -> Result<Vec<u8>, String> {
    encode(table, schema).map_err(|e| format!("cannot encode Parquet: {e}"))
}

fn encode(table: &Table, schema: &str) -> parquet::errors::Result<Vec<u8>> {
    let fields = table.columns.iter().map(|c| parquet_type(c).map(Arc::new)).collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(Type::group_type_builder(schema).with_fields(fields).build()?);
    let mut metadata = table.metadata.clone();
    metadata.sort();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(metadata.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect()))
        .build();
    let mut buffer = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut buffer, schema, Arc::new(props))?;
    let mut group = writer.next_row_group()?;
    let mut columns = table.columns.iter();
    while let Some(mut w) = group.next_column()? {
        let Some(c) = columns.next() else { break };
        match &c.values {
            Values::U64(v) => {
                let v: Vec<i64> = v.iter().map(|&x| x as i64).collect();
                w.typed::<Int64Type>().write_batch(&v, None, None)?;
            }
            Values::I64(v) => {
                let (v, d) = split(v);
                w.typed::<Int64Type>().write_batch(&v, Some(&d), None)?;
            }
            Values::F64(v) => {
                let (v, d) = split(v);
                w.typed::<DoubleType>().write_batch(&v, Some(&d), None)?;
            }
            Values::Str(v) => {
                let (v, d) = split(v);
                let v: Vec<ByteArray> = v.into_iter().map(|s| ByteArray::from(s.into_bytes())).collect();
                w.typed::<ByteArrayType>().write_batch(&v, Some(&d), None)?;
            }
            Values::Bool(v) => {
                let (v, d) = split(v);
                w.typed::<BoolType>().write_batch(&v, Some(&d), None)?;
            }
        }
        w.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(buffer)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write `{}`: {e}", path.display())
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write `{}`: {e}", path.display())
    })
}

/// Writes the table as Parquet to `path`, atomically.
pub fn write_parquet(path: &Path, table: &Table) -> Result<(), String> {
    write_atomic(path, &to_parquet(table)?)
}

/// Reads a Parquet file written by [`write_parquet`] (or any file of flat columns of these types).
pub fn read_parquet(path: &Path) -> Result<Table, String> {
    let fail = |e: parquet::errors::ParquetError| format!("cannot read `{}`: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let reader = SerializedFileReader::new(file).map_err(fail)?;
    let meta = reader.metadata().file_metadata();
    let metadata = meta
        .key_value_metadata()
        .map(|kv| kv.iter().map(|k| (k.key.clone(), k.value.clone().unwrap_or_default())).collect())
        .unwrap_or_default();
    let mut columns: Vec<Column> = Vec::new();
    for field in meta.schema().get_fields() {
        let basic = field.get_basic_info();
        let values = match (field.get_physical_type(), basic.logical_type_ref()) {
            (PhysicalType::INT64, Some(LogicalType::Integer(IntType { is_signed: false, .. }))) => {
                Values::U64(Vec::new())
            }
            (PhysicalType::INT64, _) => Values::I64(Vec::new()),
            (PhysicalType::DOUBLE, _) => Values::F64(Vec::new()),
            (PhysicalType::BYTE_ARRAY, _) => Values::Str(Vec::new()),
            (PhysicalType::BOOLEAN, _) => Values::Bool(Vec::new()),
            (other, _) => {
                return Err(format!(
                    "`{}`: column `{}` has type {other}, which a sweep never writes",
                    path.display(),
                    field.name()
                ));
            }
        };
        columns.push(Column { name: field.name().to_string(), values });
    }
    for row in reader.get_row_iter(None).map_err(fail)? {
        let row = row.map_err(fail)?;
        for (c, (_, value)) in columns.iter_mut().zip(row.get_column_iter()) {
            let expected = c.values.type_name();
            let ok = match (&mut c.values, value) {
                (Values::U64(v), Field::ULong(x)) => {
                    v.push(*x);
                    true
                }
                (Values::U64(v), Field::Long(x)) => {
                    v.push(*x as u64);
                    true
                }
                (Values::I64(v), Field::Long(x)) => {
                    v.push(Some(*x));
                    true
                }
                (Values::F64(v), Field::Double(x)) => {
                    v.push(Some(*x));
                    true
                }
                (Values::Str(v), Field::Str(x)) => {
                    v.push(Some(x.clone()));
                    true
                }
                (Values::Bool(v), Field::Bool(x)) => {
                    v.push(Some(*x));
                    true
                }
                (Values::I64(v), Field::Null) => {
                    v.push(None);
                    true
                }
                (Values::F64(v), Field::Null) => {
                    v.push(None);
                    true
                }
                (Values::Str(v), Field::Null) => {
                    v.push(None);
                    true
                }
                (Values::Bool(v), Field::Null) => {
                    v.push(None);
                    true
                }
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "`{}`: column `{}` holds {value} where a {expected} was expected",
                    path.display(),
                    c.name
                ));
            }
        }
    }
    Ok(Table { columns, metadata })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            columns: vec![
                Column { name: "point".into(), values: Values::U64(vec![0, 1, u64::MAX]) },
                Column { name: "phase[0].pue".into(), values: Values::F64(vec![Some(1.1), None, Some(1.3)]) },
                Column { name: "n".into(), values: Values::I64(vec![Some(-4), Some(5), None]) },
                Column {
                    name: "platform".into(),
                    values: Values::Str(vec![Some("a,b".into()), None, Some("c".into())]),
                },
                Column { name: "flag".into(), values: Values::Bool(vec![None, Some(true), Some(false)]) },
            ],
            metadata: vec![("gigawatt.sweep.hash".into(), "abc".into())],
        }
    }

    #[test]
    fn a_table_survives_a_parquet_round_trip_and_encodes_the_same_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write_parquet(&path, &sample()).unwrap();
        assert_eq!(read_parquet(&path).unwrap(), sample());
        assert_eq!(to_parquet(&sample()).unwrap(), std::fs::read(&path).unwrap());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_leaves_nulls_empty() {
        let csv = sample().to_csv();
        assert_eq!(csv.lines().nth(1), Some("0,1.1,-4,\"a,b\","));
        assert_eq!(csv.lines().nth(2), Some("1,,5,,true"));
    }
}
