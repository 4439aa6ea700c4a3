//! Input errors that point into the file they came from.
//!
//! Every problem with a scenario or catalog file becomes an [`InputError`]: what is wrong, where
//! (file, byte span → line and column), and what would be right. Validation code names the
//! offending value by its key path ([`KeyPath`], e.g. `phase[2].pue.low`); the span is looked up
//! in the TOML document only when an error is raised, so the happy path carries no spans around.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

/// A text file given to the tool, kept whole so that errors can quote it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown to the user (a path as given on the command line, or `<bundled>/…`).
    pub name: String,
    /// The file's contents.
    pub text: Arc<str>,
}

impl SourceFile {
    /// Wraps a file's name and contents.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile { name: name.into(), text: text.into() }
    }

    /// 1-based line and column of a byte offset (columns count characters, not bytes).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }
}

/// One step of a path into a TOML document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A key of a table.
    Key(String),
    /// An index into an array (0-based).
    Index(usize),
}

/// A path to a value in a TOML document, such as `phase[2].pue.low`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The document root.
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// This path extended by a table key.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_string()));
        p
    }

    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// Walks `segs` from the root of `text`: the deepest value reached and its span, with how
    /// many segments were followed.
    fn walk<'t>(segs: &[Seg], text: &'t str) -> Option<(toml::de::DeValue<'t>, Range<usize>, usize)> {
        use toml::de::{DeTable, DeValue};
        let doc = DeTable::parse(text).ok()?;
        let mut span = doc.span();
        let mut cur = DeValue::Table(doc.into_inner());
        let mut depth = 0;
        for seg in segs {
            let next = match (seg, &cur) {
                (Seg::Key(k), DeValue::Table(t)) => {
                    t.iter().find(|(key, _)| key.get_ref().as_ref() == k.as_str()).map(|(_, v)| v.clone())
                }
                (Seg::Index(i), DeValue::Array(a)) => a.get(*i).cloned(),
                _ => None,
            };
            let Some(v) = next else { break };
            span = v.span();
            cur = v.into_inner();
            depth += 1;
        }
        Some((cur, span, depth))
    }

    /// Byte span of the value at this path in `text`, or of its nearest existing ancestor.
    pub fn span_in(&self, text: &str) -> Option<Range<usize>> {
        Self::walk(&self.0, text).map(|(_, span, _)| span)
    }

    /// Byte span of the last key of this path in `text` (the key itself, not its value), when the
    /// path ends in a key that exists; else the span of the value ([`KeyPath::span_in`]).
    pub fn key_span_in(&self, text: &str) -> Option<Range<usize>> {
        let Some((Seg::Key(last), parent)) = self.0.split_last() else { return self.span_in(text) };
        let key_span = match Self::walk(parent, text) {
            Some((toml::de::DeValue::Table(t), _, depth)) if depth == parent.len() => {
                t.iter().find(|(key, _)| key.get_ref().as_ref() == last.as_str()).map(|(key, _)| key.span())
            }
            _ => None,
        };
        key_span.or_else(|| self.span_in(text))
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if n == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// A problem with an input file: what is wrong, where, and what would be right.
///
/// Boxed so that `Result<T, InputError>` stays small; its fields are reached through
/// [`ErrorDetail`] by `Deref`.
#[derive(Clone, Debug)]
pub struct InputError(Box<ErrorDetail>);

/// The contents of an [`InputError`].
#[derive(Clone, Debug)]
pub struct ErrorDetail {
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file the problem is in, when there is one.
    pub file: Option<SourceFile>,
    /// Byte span of the offending text in `file`.
    pub span: Option<Range<usize>>,
    /// A short label under the offending text.
    pub label: Option<String>,
    /// What would be right (valid values, the closest known name…).
    pub help: Option<String>,
    /// What the terminal shows of the file when the offending line is too long to print whole:
    /// the lines around it, cut to [`MAX_SHOWN_LINE`] characters, and the span within them.
    excerpt: Option<(Excerpt, Range<usize>)>,
}

/// Longest source line an error shows whole, in characters; a longer one is cut around the span.
pub const MAX_SHOWN_LINE: usize = 160;

/// Lines of a file around an error, each cut to fit a terminal, that still report the original
/// line and column numbers.
#[derive(Clone, Debug)]
struct Excerpt {
    name: String,
    text: Arc<str>,
    /// 0-based line of the file that the excerpt's first line is.
    first_line: usize,
    /// The excerpt's line (0-based) holding the span, and how many characters were cut from its
    /// start, less the one `…` that replaces them.
    cut: (usize, usize),
}

impl Excerpt {
    /// The excerpt of `file` around `span`, when the span's line is longer than
    /// [`MAX_SHOWN_LINE`]; with the span's place in it.
    fn around(file: &SourceFile, span: &Range<usize>) -> Option<(Excerpt, Range<usize>)> {
        let text = file.text.as_ref();
        let start = span.start.min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        if text[line_start..line_end].chars().count() <= MAX_SHOWN_LINE {
            return None;
        }
        let line_no = text[..line_start].matches('\n').count();
        let first_line = line_no.saturating_sub(1);
        let lines: Vec<&str> = text.split('\n').collect();
        let col = text[line_start..start].chars().count();
        let mut out = String::new();
        let mut cut = (0, 0);
        let mut span_in = 0..0;
        for (i, line) in lines.iter().enumerate().skip(first_line).take(line_no + 2 - first_line) {
            if i > first_line {
                out.push('\n');
            }
            if i == line_no {
                let chars: Vec<char> = line.chars().collect();
                let from = col.saturating_sub(MAX_SHOWN_LINE / 2 - 10).min(chars.len());
                let to = (from + MAX_SHOWN_LINE - 2).min(chars.len());
                let prefix = if from > 0 { "…" } else { "" };
                let excerpt_line_start = out.len();
                out.push_str(prefix);
                let at = out.len() + chars[from..col.max(from)].iter().collect::<String>().len();
                // miette counts columns in bytes: shift the excerpt's back to the file's.
                cut = (i - first_line, (start - line_start).saturating_sub(at - excerpt_line_start));
                out.extend(&chars[from..to]);
                let len = span.end.saturating_sub(span.start).min(out.len() - at);
                span_in = at..at + len;
                if to < chars.len() {
                    out.push('…');
                }
            } else if line.chars().count() > MAX_SHOWN_LINE {
                out.extend(line.chars().take(MAX_SHOWN_LINE - 1));
                out.push('…');
            } else {
                out.push_str(line);
            }
        }
        Some((Excerpt { name: file.name.clone(), text: out.into(), first_line, cut }, span_in))
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        read_named(&self.name, &self.text, span, (context_lines_before, context_lines_after), self.first_line, self.cut)
    }
}

/// The lines of `text` around `span`, named `name`, with their line numbers shifted by
/// `first_line` and the columns of line `cut.0` by `cut.1` (an excerpt's place in its file).
fn read_named<'a>(
    name: &str,
    text: &'a str,
    span: &miette::SourceSpan,
    (before, after): (usize, usize),
    first_line: usize,
    cut: (usize, usize),
) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
    let inner = text.read_span(span, before, after)?;
    let column = if inner.line() == cut.0 { inner.column() + cut.1 } else { inner.column() };
    Ok(Box::new(miette::MietteSpanContents::new_named(
        name.to_string(),
        inner.data(),
        *inner.span(),
        inner.line() + first_line,
        column,
        inner.line_count(),
    )))
}

impl std::ops::Deref for InputError {
    type Target = ErrorDetail;

    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

impl std::ops::DerefMut for InputError {
    fn deref_mut(&mut self) -> &mut ErrorDetail {
        &mut self.0
    }
}

impl InputError {
    /// An error not tied to a place in a file.
    pub fn new(message: impl Into<String>) -> Self {
        InputError(Box::new(ErrorDetail {
            message: message.into(),
            file: None,
            span: None,
            label: None,
            help: None,
            excerpt: None,
        }))
    }

    /// An error at the value found at `path` in `file`.
    pub fn at(file: &SourceFile, path: &KeyPath, message: impl Into<String>) -> Self {
        InputError::at_span(file, path.span_in(&file.text), message)
    }

    /// An error at the last key of `path` in `file` (for a key that should not be there).
    pub fn at_key(file: &SourceFile, path: &KeyPath, message: impl Into<String>) -> Self {
        InputError::at_span(file, path.key_span_in(&file.text), message)
    }

    /// An error at a known byte span in `file`.
    pub fn at_span(file: &SourceFile, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        let excerpt = span.as_ref().and_then(|s| Excerpt::around(file, s));
        InputError(Box::new(ErrorDetail {
            message: message.into(),
            span,
            file: Some(file.clone()),
            label: None,
            help: None,
            excerpt,
        }))
    }

    /// Adds what would be right.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a label shown under the offending text.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// File name, 1-based line and column of the problem, when known.
    pub fn location(&self) -> Option<(String, usize, usize)> {
        let file = self.file.as_ref()?;
        let (line, col) = self.span.as_ref().map_or((0, 0), |s| file.line_col(s.start));
        Some((file.name.clone(), line, col))
    }

    /// Converts a TOML parse or deserialisation error.
    pub fn from_toml(file: &SourceFile, err: &toml::de::Error) -> Self {
        let (message, help) = split_serde_message(err.message().trim());
        let mut e = InputError::at_span(file, err.span(), message);
        e.help = help;
        e
    }
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into the sentence and a help line
/// that names the closest expected value.
pub(crate) fn split_serde_message(message: &str) -> (String, Option<String>) {
    let Some((head, rest)) = message.split_once(", expected") else { return (message.to_string(), None) };
    let candidates: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let mut help = format!("expected{rest}");
    if let Some(bad) = head.split('`').nth(1)
        && let Some(best) = closest(bad, candidates.iter().copied())
    {
        help = format!("did you mean `{best}`? {help}");
    }
    (head.to_string(), Some(help))
}

/// The candidate closest to `word` by edit distance, if reasonably close.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            // A name that contains what was typed (`gb300` → `gb300-nvl72`) is a strong match.
            let contained = !word.is_empty() && (c.contains(word) || word.contains(c));
            let score = strsim::normalized_damerau_levenshtein(word, c);
            (if contained { score.max(0.8) } else { score }, c)
        })
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some((name, line, col)) if self.span.is_some() => {
                write!(f, "{name}:{line}:{col}: {}", self.message)
            }
            Some((name, _, _)) => write!(f, "{name}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for InputError {}

impl Diagnostic for InputError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match &self.excerpt {
            Some((excerpt, _)) => Some(excerpt as &dyn SourceCode),
            None => self.file.as_ref().map(|f| f as &dyn SourceCode),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = match &self.excerpt {
            Some((_, span)) => span.clone(),
            None => self.span.clone()?,
        };
        let len = span.end.saturating_sub(span.start).max(1);
        let label = self.label.clone();
        Some(Box::new(std::iter::once(LabeledSpan::new(label, span.start, len))))
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        read_named(&self.name, &self.text, span, (context_lines_before, context_lines_after), 0, (usize::MAX, 0))
    }
}
