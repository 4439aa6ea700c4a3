//! CSV tables with located fields: the header's columns by name, and each row's fields with
//! their byte spans in the file (found by re-scanning the row's text only when an error needs
//! one), so that a bad value is reported at its file:line:column.

use std::ops::Range;

use gigawatt_core::{InputError, SourceFile};

use crate::build::{Row, RowError, TraceBuilder};
use crate::value::Bad;
use crate::{Format, Trace};

/// A CSV file read row by row.
pub(crate) struct Table<'a> {
    file: &'a SourceFile,
    comments: bool,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    /// Data rows returned so far (the header not counted).
    rows: usize,
}

/// One row of a [`Table`].
pub(crate) struct Line<'a> {
    /// The file the row is in.
    pub file: &'a SourceFile,
    record: &'a csv::StringRecord,
    /// Byte offset of the row's first character.
    pub start: usize,
    /// The row's number among the data rows, from 1.
    pub number: usize,
}

impl<'a> Table<'a> {
    /// Reads `file` as CSV; lines starting with `#` are comments when `comments` is set.
    pub fn new(file: &'a SourceFile, comments: bool) -> Table<'a> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(comments.then_some(b'#'))
            .from_reader(file.text.as_bytes());
        Table { file, comments, reader, record: csv::StringRecord::new(), rows: 0 }
    }

    /// The next row, or `None` at the end. A row the CSV parser rejects is an error at it.
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>, InputError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                self.rows += 1;
                let at = self.record.position().map_or(0, |p| p.byte() as usize);
                let start = skip_blank_lines(&self.file.text, at, self.comments);
                Ok(Some(Line { file: self.file, record: &self.record, start, number: self.rows }))
            }
            Err(e) => {
                let at = e.position().map(|p| p.byte() as usize).unwrap_or(self.file.text.len());
                Err(InputError::at_span(self.file, Some(at..at), format!("not a valid CSV row: {e}")))
            }
        }
    }

    /// The header row's column names (trimmed, lowercase, without a byte-order mark), and its
    /// span; `None` for an empty file.
    pub fn header(&mut self) -> Result<Option<Columns>, InputError> {
        let Some(line) = self.next_line()? else { return Ok(None) };
        let names = (0..line.len()).map(|i| line.get(i).trim_start_matches('\u{feff}').to_ascii_lowercase()).collect();
        let end = line.end();
        let start = line.start;
        self.rows = 0;
        Ok(Some(Columns { names, span: start..end }))
    }
}

impl Line<'_> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.record.len()
    }

    /// Field `col`, trimmed; empty when the row is shorter.
    pub fn get(&self, col: usize) -> &str {
        self.record.get(col).map_or("", str::trim)
    }

    /// Byte span of field `col` in the file (the end of the row when it has no such field).
    pub fn span(&self, col: usize) -> Range<usize> {
        field_span(&self.file.text, self.start, col)
    }

    /// Byte offset of the row's end (before its line break).
    pub fn end(&self) -> usize {
        let text = &self.file.text;
        let start = self.start.min(text.len());
        text[start..].find(['\n', '\r']).map_or(text.len(), |i| start + i)
    }

    /// A bad value in field `col`.
    pub fn bad(&self, col: usize, bad: Bad) -> RowError {
        let label = bad.reason;
        RowError::at(self.file, self.span(col), bad.reason, bad.message).label(label).help(bad.help)
    }

    /// Field `col` checked by `check` (a [`crate::value`] function), with `what` naming it.
    pub fn value<T>(&self, col: usize, what: &str, check: fn(&str, &str) -> Result<T, Bad>) -> Result<T, RowError> {
        check(self.get(col), what).map_err(|bad| self.bad(col, bad))
    }

    /// Checks that the row has the header's `width` fields (extra empty fields, as a trailing
    /// comma leaves, are allowed).
    pub fn check_width(&self, width: usize) -> Result<(), RowError> {
        if self.len() < width {
            let end = self.end();
            let message = format!("this row has {} fields, the header has {width}", self.len());
            return Err(RowError::at(self.file, end..end, "wrong number of fields", message)
                .label("fields missing here")
                .help("every row needs a value (possibly empty) for each column of the header"));
        }
        if let Some(extra) = (width..self.len()).find(|&i| !self.get(i).is_empty()) {
            let message = format!("this row has {} fields, the header has {width}", self.len());
            return Err(RowError::at(self.file, self.span(extra), "wrong number of fields", message)
                .label("a field past the last column")
                .help("remove the extra fields, or quote a value that contains a comma"));
        }
        Ok(())
    }

    /// The job id in column `col`, or `row-N` when there is no such column or it is empty.
    pub fn id(&self, col: Option<usize>) -> String {
        match col.map_or("", |c| crate::value::text(self.get(c))) {
            "" => format!("row-{}", self.number),
            id => id.to_string(),
        }
    }

    /// The text in column `col` (empty when missing or when there is no such column).
    pub fn text(&self, col: Option<usize>) -> String {
        col.map_or("", |c| crate::value::text(self.get(c))).to_string()
    }
}

/// The columns of a header row.
pub(crate) struct Columns {
    /// Lowercase names, in file order.
    pub names: Vec<String>,
    /// The header row's byte span.
    pub span: Range<usize>,
}

impl Columns {
    /// Index of the column named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Whether every one of `names` is a column.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.find(n).is_some())
    }

    /// Indices of `names`, or an error at the header naming the missing ones.
    pub fn require<const N: usize>(
        &self,
        file: &SourceFile,
        format: Format,
        names: [&str; N],
    ) -> Result<[usize; N], InputError> {
        let missing: Vec<&str> = names.iter().copied().filter(|n| self.find(n).is_none()).collect();
        if !missing.is_empty() {
            let message = format!("the header has no column `{}`", missing.join("`, `"));
            return Err(InputError::at_span(file, Some(self.span.clone()), message)
                .with_label(format!("{} header", format.name()))
                .with_help(format!("a {} trace is a {}", format.name(), format.needs())));
        }
        Ok(names.map(|n| self.find(n).unwrap_or(0)))
    }
}

/// Reads a CSV trace with a header: `columns` checks the header and finds the columns a row
/// needs, `row` turns each data row into a [`Row`].
pub(crate) fn read_table<C>(
    file: &SourceFile,
    format: Format,
    skip_bad: bool,
    columns: impl FnOnce(&Columns) -> Result<C, InputError>,
    mut row: impl FnMut(&Line<'_>, &C) -> Result<Row, RowError>,
) -> Result<Trace, InputError> {
    let mut table = Table::new(file, format == Format::Generic);
    let mut builder = TraceBuilder::new(format, file, skip_bad);
    let Some(header) = table.header()? else { return builder.finish(file) };
    let cols = columns(&header)?;
    let width = header.names.len();
    while let Some(line) = table.next_line()? {
        let outcome = line.check_width(width).and_then(|()| row(&line, &cols));
        builder.take(outcome)?;
    }
    builder.finish(file)
}

/// The first byte at or after `at` that is not on an empty line (or a comment line): the CSV
/// reader reports a row's position before the empty lines it skipped.
fn skip_blank_lines(text: &str, mut at: usize, comments: bool) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b'\n' | b'\r' => at += 1,
            b'#' if comments => at = text[at..].find('\n').map_or(text.len(), |i| at + i + 1),
            _ => break,
        }
    }
    at
}

/// Byte span of field `col` of the CSV row starting at byte `start` of `text`, without the
/// whitespace around it; the end of the row when it has fewer fields.
pub(crate) fn field_span(text: &str, start: usize, col: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut i = start.min(bytes.len());
    let (mut field, mut field_start, mut quoted) = (0, i, false);
    while i < bytes.len() {
        let c = bytes[i];
        if quoted {
            if c == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if c == b'"' && text[field_start..i].trim().is_empty() {
            quoted = true;
        } else if c == b',' {
            if field == col {
                return trimmed(text, field_start..i);
            }
            field += 1;
            field_start = i + 1;
        } else if c == b'\n' || c == b'\r' {
            break;
        }
        i += 1;
    }
    if field == col { trimmed(text, field_start..i) } else { i..i }
}

fn trimmed(text: &str, span: Range<usize>) -> Range<usize> {
    let s = &text[span.clone()];
    let start = span.start + (s.len() - s.trim_start().len());
    let end = span.end - (s.len() - s.trim_end().len());
    if start <= end { start..end } else { span.start..span.start }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_spans_skip_quoted_commas_and_spaces() {
        let text = "a,b\n1, \"x,y\" ,3\n";
        assert_eq!(&text[field_span(text, 4, 0)], "1");
        assert_eq!(&text[field_span(text, 4, 1)], "\"x,y\"");
        assert_eq!(&text[field_span(text, 4, 2)], "3");
        assert_eq!(field_span(text, 4, 5), 15..15);
    }

    #[test]
    fn rows_know_their_byte_offsets() {
        let file = SourceFile::new("t.csv", "a,b\n\n1,2\r\n3,4");
        let mut table = Table::new(&file, false);
        table.header().unwrap();
        let starts: Vec<(usize, usize)> = std::iter::from_fn(|| {
            let line = table.next_line().unwrap()?;
            Some((line.start, line.number))
        })
        .collect();
        assert_eq!(file.line_col(starts[0].0), (3, 1));
        assert_eq!(file.line_col(starts[1].0), (4, 1));
        assert_eq!(starts.iter().map(|s| s.1).collect::<Vec<_>>(), [1, 2]);
    }
}
