//! Request lengths from a published inference trace: the input (context) and output (generated)
//! tokens of each request, summarised to the means a plain message of `[demand]` takes.
//!
//! ```text
//! input tokens per message  = mean of ContextTokens over the trace's requests
//! output tokens per message = mean of GeneratedTokens
//! ```
//!
//! The bundled traces are Microsoft's Azure LLM inference trace 2023 (`catalog/traces/`, CC BY 4.0,
//! "Azure Public Dataset"): one hour of a conversation service and of a coding service.

use gigawatt_core::error::{InputError, SourceFile};
use serde::Serialize;

/// The traces a scenario can name: (name, file, text, what it is).
pub const BUNDLED_TRACES: &[(&str, &str, &str, &str)] = &[
    (
        "azure-llm-2023-conversation",
        "catalog/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv",
        include_str!("../../../catalog/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv"),
        "Azure LLM inference trace 2023, conversation service (Azure Public Dataset, CC BY 4.0; Patel et al., Splitwise, ISCA 2024)",
    ),
    (
        "azure-llm-2023-code",
        "catalog/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv",
        include_str!("../../../catalog/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv"),
        "Azure LLM inference trace 2023, coding service (Azure Public Dataset, CC BY 4.0; Patel et al., Splitwise, ISCA 2024)",
    ),
];

/// The input and output lengths of a trace's requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestLengths {
    /// The trace's file.
    pub file: String,
    /// Requests read.
    pub requests: u64,
    /// Mean input (context) tokens per request.
    pub input_mean: f64,
    /// Median input tokens.
    pub input_median: f64,
    /// Mean output (generated) tokens per request.
    pub output_mean: f64,
    /// Median output tokens.
    pub output_median: f64,
}

/// The bundled trace called `name`, summarised, with what it is; `None` for an unknown name.
pub fn bundled(name: &str) -> Option<(RequestLengths, &'static str)> {
    let &(_, file, text, what) = BUNDLED_TRACES.iter().find(|t| t.0 == name)?;
    let lengths = read(&SourceFile::new(file, text)).expect("a bundled trace is valid (tested)");
    Some((lengths, what))
}

/// The names of the bundled traces, for messages.
pub fn bundled_names() -> String {
    BUNDLED_TRACES.iter().map(|t| format!("`{}`", t.0)).collect::<Vec<_>>().join(", ")
}

/// Reads a CSV with a header naming `ContextTokens` and `GeneratedTokens` (other columns are
/// ignored) and one request per line; a problem is an error at its line and column.
pub fn read(file: &SourceFile) -> Result<RequestLengths, InputError> {
    let text: &str = &file.text;
    let header_end = text.find('\n').unwrap_or(text.len());
    let header: Vec<&str> = text[..header_end].trim_end_matches('\r').split(',').map(str::trim).collect();
    let column = |name: &str| {
        header.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| {
            InputError::at_span(file, Some(0..header_end), format!("the header has no `{name}` column"))
                .with_help("a request trace's header names ContextTokens and GeneratedTokens (the Azure LLM trace's)")
        })
    };
    let (input_col, output_col) = (column("ContextTokens")?, column("GeneratedTokens")?);
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    let mut start = (header_end + 1).min(text.len());
    for line in text[start..].split_inclusive('\n') {
        let row = line.trim_end_matches(['\n', '\r']);
        if !row.trim().is_empty() {
            inputs.push(cell(file, start, row, input_col)?);
            outputs.push(cell(file, start, row, output_col)?);
        }
        start += line.len();
    }
    if inputs.is_empty() {
        return Err(InputError::at_span(file, Some(0..header_end), "the trace has no requests")
            .with_help("give one request per line after the header"));
    }
    Ok(RequestLengths {
        file: file.name.clone(),
        requests: inputs.len() as u64,
        input_mean: mean(&inputs),
        input_median: median(&mut inputs),
        output_mean: mean(&outputs),
        output_median: median(&mut outputs),
    })
}

/// Column `col` of `row` (which starts at byte `at` of the file) as a token count.
fn cell(file: &SourceFile, at: usize, row: &str, col: usize) -> Result<f64, InputError> {
    let mut offset = 0;
    for (i, field) in row.split(',').enumerate() {
        if i == col {
            let span = at + offset..at + offset + field.len();
            return field.trim().parse::<u32>().map(f64::from).map_err(|_| {
                InputError::at_span(file, Some(span), format!("`{}` is not a token count", field.trim()))
                    .with_help("a whole number of tokens, 0 or more")
            });
        }
        offset += field.len() + 1;
    }
    Err(InputError::at_span(file, Some(at..at + row.len()), format!("the row has no column {}", col + 1))
        .with_help("every row has the header's columns"))
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_azure_conversation_trace_gives_its_published_lengths() {
        // operations.md §3, from the trace: conversation input median 1,020 / mean 1,155, output
        // median 129 / mean 211; code input median 1,469, output median 13.
        let (conv, _) = bundled("azure-llm-2023-conversation").unwrap();
        assert_eq!(conv.requests, 19_366);
        assert!((conv.input_mean - 1155.0).abs() < 1.0, "{conv:?}");
        assert!((conv.input_median - 1020.0).abs() < 1.0, "{conv:?}");
        assert!((conv.output_mean - 211.0).abs() < 1.0, "{conv:?}");
        assert!((conv.output_median - 129.0).abs() < 1.0, "{conv:?}");
        let (code, _) = bundled("azure-llm-2023-code").unwrap();
        assert_eq!(code.requests, 8_819);
        assert!((code.input_median - 1469.0).abs() < 1.0, "{code:?}");
        assert!((code.output_median - 13.0).abs() < 1.0, "{code:?}");
        assert!(bundled("azure-llm-2099").is_none());
    }

    #[test]
    fn means_and_medians_are_exact_on_a_small_trace() {
        let f = SourceFile::new("t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nx,10,1\r\ny,20,3\n\nz,60,2\n");
        let r = read(&f).unwrap();
        assert_eq!(
            (r.requests, r.input_mean, r.input_median, r.output_mean, r.output_median),
            (3, 30.0, 20.0, 2.0, 2.0)
        );
    }

    #[test]
    fn a_bad_trace_is_a_located_error() {
        let e = read(&SourceFile::new("t.csv", "a,b\n1,2\n")).unwrap_err();
        assert!(e.to_string().contains("ContextTokens"), "{e}");
        let e = read(&SourceFile::new("t.csv", "T,ContextTokens,GeneratedTokens\nx,10,1\ny,-4,2\n")).unwrap_err();
        assert!(e.to_string().contains("`-4` is not a token count"), "{e}");
        assert_eq!(e.location().map(|l| (l.1, l.2)), Some((3, 3)));
        let e = read(&SourceFile::new("t.csv", "T,ContextTokens,GeneratedTokens\nx,10\n")).unwrap_err();
        assert!(e.to_string().contains("no column 3"), "{e}");
        let e = read(&SourceFile::new("t.csv", "T,ContextTokens,GeneratedTokens\n")).unwrap_err();
        assert!(e.to_string().contains("no requests"), "{e}");
    }
}
