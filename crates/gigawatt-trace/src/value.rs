//! Field values: numbers, times and missing values, checked the same way in every format.
//!
//! A check returns [`Bad`] (a reason, what is wrong, what would be right); the caller knows
//! where the field is and turns it into a located [`crate::build::RowError`].

use chrono::{DateTime, NaiveDateTime};

use crate::build::{MAX_GPUS, MAX_SECONDS};

/// A value that is wrong: the skip reason, what is wrong, and what would be right.
#[derive(Debug, PartialEq)]
pub(crate) struct Bad {
    /// The reason it is counted under with `skip_bad`.
    pub reason: &'static str,
    /// What is wrong.
    pub message: String,
    /// What would be right.
    pub help: String,
}

impl Bad {
    fn new(reason: &'static str, message: String, help: impl Into<String>) -> Bad {
        Bad { reason, message, help: help.into() }
    }
}

/// Whether `s` stands for "no value": empty, or `None`/`null` as Python and JSON dumps write it.
pub(crate) fn is_missing(s: &str) -> bool {
    matches!(s.trim(), "" | "None" | "none" | "null" | "NULL")
}

/// A finite number.
pub(crate) fn number(s: &str, what: &str) -> Result<f64, Bad> {
    let s = s.trim();
    if is_missing(s) {
        return Err(Bad::new("missing value", format!("{what} is missing"), format!("give {what} as a number")));
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) if x.is_nan() => {
            Err(Bad::new("NaN", format!("{what} is NaN (not a number)"), format!("give {what} as a finite number")))
        }
        Ok(_) => Err(Bad::new("out of range", format!("{what} `{s}` is infinite"), "give a finite number")),
        Err(_) => Err(Bad::new(
            "unparsable number",
            format!("{what} `{}` is not a number", shorten(s)),
            format!("give {what} as a number"),
        )),
    }
}

/// A number ≥ 0 and at most `max`.
pub(crate) fn non_negative(s: &str, what: &str, max: f64) -> Result<f64, Bad> {
    let x = number(s, what)?;
    if x < 0.0 {
        return Err(Bad::new("negative value", format!("{what} is negative ({x})"), format!("{what} must be ≥ 0")));
    }
    if x > max {
        return Err(Bad::new(
            "out of range",
            format!("{what} is too large ({x})"),
            format!("{what} must be at most {}", readable(max)),
        ));
    }
    Ok(x)
}

/// A GPU request: a number of GPUs ≥ 0 (0 = a CPU-only row).
pub(crate) fn gpus(s: &str, what: &str) -> Result<f64, Bad> {
    non_negative(s, what, MAX_GPUS)
}

/// A duration or time offset in seconds, ≥ 0.
pub(crate) fn seconds(s: &str, what: &str) -> Result<f64, Bad> {
    non_negative(s, what, MAX_SECONDS).map_err(|mut bad| {
        if bad.reason == "out of range" {
            bad.help = format!(
                "{what} is in seconds and must be at most {MAX_SECONDS:e}; if it is in milliseconds, divide by 1000"
            );
        }
        bad
    })
}

/// A point in time, in seconds: epoch (or trace-relative) seconds as a number, or a timestamp
/// `YYYY-MM-DD HH:MM:SS` with optional fraction and UTC offset (`+08:00`, `Z`); a timestamp
/// without an offset is taken as UTC. `None` when the field is missing.
pub(crate) fn time(s: &str, what: &str) -> Result<Option<f64>, Bad> {
    let s = s.trim();
    if is_missing(s) {
        return Ok(None);
    }
    let numeric = s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.')
        && s.get(4..5).is_none_or(|c| c != "-");
    if numeric || s.eq_ignore_ascii_case("nan") || s.to_ascii_lowercase().contains("inf") {
        return seconds(s, what).map(Some);
    }
    timestamp(s).map(Some).ok_or_else(|| {
        Bad::new(
            "unparsable time",
            format!("{what} `{}` is not a time", shorten(s)),
            "give a time as `YYYY-MM-DD HH:MM:SS` (optionally with `+08:00`) or as seconds",
        )
    })
}

/// Seconds since 1970-01-01 UTC of a timestamp string.
pub(crate) fn timestamp(s: &str) -> Option<f64> {
    let utc = if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        t.to_utc()
    } else {
        let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
            .ok()?;
        naive.and_utc()
    };
    Some(utc.timestamp() as f64 + f64::from(utc.timestamp_subsec_nanos()) * 1e-9)
}

/// An integer priority.
pub(crate) fn priority(s: &str, what: &str) -> Result<i32, Bad> {
    let s = s.trim();
    if is_missing(s) {
        return Ok(0);
    }
    s.parse::<i32>().map_err(|_| {
        Bad::new(
            "unparsable number",
            format!("{what} `{}` is not a whole number", shorten(s)),
            format!("give {what} as a whole number between {} and {}", i32::MIN, i32::MAX),
        )
    })
}

/// A text value: trimmed, empty when missing.
pub(crate) fn text(s: &str) -> &str {
    let s = s.trim();
    if is_missing(s) { "" } else { s }
}

/// A bound as a reader writes it: `1000`, `1e11`.
fn readable(x: f64) -> String {
    if x < 1e6 { format!("{x}") } else { format!("{x:e}") }
}

/// `s` cut to at most 40 characters for a message.
pub(crate) fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 { s.to_string() } else { format!("{}…", s.chars().take(39).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_offsets() {
        assert_eq!(timestamp("1970-01-01 00:01:00"), Some(60.0));
        assert_eq!(timestamp("1970-01-01T00:01:00"), Some(60.0));
        assert_eq!(timestamp("1970-01-01 08:01:00+08:00"), Some(60.0));
        assert_eq!(timestamp("1970-01-01 00:01:00.5"), Some(60.5));
        assert_eq!(timestamp("2017-10-07 01:11:39"), Some(1_507_338_699.0));
        assert_eq!(timestamp("yesterday"), None);
    }

    #[test]
    fn times_are_numbers_or_timestamps_or_missing() {
        assert_eq!(time("4550879.0", "t"), Ok(Some(4_550_879.0)));
        assert_eq!(time("None", "t"), Ok(None));
        assert_eq!(time("", "t"), Ok(None));
        assert_eq!(time("NaN", "t").unwrap_err().reason, "NaN");
        assert_eq!(time("-5", "t").unwrap_err().reason, "negative value");
        assert_eq!(time("1e300", "t").unwrap_err().reason, "out of range");
        assert_eq!(time("2020-13-01 00:00:00", "t").unwrap_err().reason, "unparsable time");
    }

    #[test]
    fn numbers_reject_nan_and_words() {
        assert_eq!(number("nan", "x").unwrap_err().reason, "NaN");
        assert_eq!(number("inf", "x").unwrap_err().reason, "out of range");
        assert_eq!(number("eight", "x").unwrap_err().reason, "unparsable number");
        assert_eq!(gpus("0.5", "x"), Ok(0.5));
    }
}
