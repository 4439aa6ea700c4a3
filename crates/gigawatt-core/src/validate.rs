//! The second pass over a file's [schema](crate::schema): turning each [`Input`] into the value a
//! model uses — a number, a whole count, a date — with a located error when it is not one.
//!
//! A setting of the run (a count of systems, a date, a number of days) may be written bare or as
//! a quantity table with its provenance (`systems = { value = 256, source = "…" }`); these helpers
//! accept both and read the value. Facts about the world that models vary keep their provenance
//! as a [`crate::quantity::Quantity`] instead (see [`crate::quantity::QuantitySpec::from_input`]).

use crate::date::{DATE_FORMS, Date, date_from_toml};
use crate::error::{InputError, KeyPath, SourceFile};
use crate::schema::{Input, Scalar};

/// The single value an input gives: the bare scalar, or the table's `value` (or `central`).
fn scalar<'a>(file: &SourceFile, path: &KeyPath, input: &'a Input, what: &str) -> Result<&'a Scalar, InputError> {
    match input {
        Input::Bare(s) => Ok(s),
        Input::Table(t) => t.value.as_ref().or(t.central.as_ref()).ok_or_else(|| {
            InputError::at(file, path, format!("{what} has no value"))
                .with_help(format!("write {what} = … or {what} = {{ value = …, source = \"…\" }}"))
        }),
    }
}

/// The largest magnitude an input may have. Models multiply and divide inputs (FLOPs are
/// parameters × tokens, GPUs per GW a count ÷ a power), so an input near `f64`'s own limits would
/// overflow a result to infinity; 10³⁰ is far above any quantity a scenario describes (a year of
/// the world's compute is ≈ 10³⁰ FLOP).
pub const MAX_MAGNITUDE: f64 = 1e30;

/// The smallest magnitude a non-zero input may have, for the same reason: dividing by 10⁻³⁰⁰
/// overflows.
pub const MIN_MAGNITUDE: f64 = 1e-30;

/// `x` as a number models can compute with: finite, and 0 or of a magnitude within
/// [`MIN_MAGNITUDE`, `MAX_MAGNITUDE`]; else a located error.
pub fn usable(file: &SourceFile, path: &KeyPath, x: f64) -> Result<f64, InputError> {
    if !x.is_finite() {
        return Err(InputError::at(file, path, format!("{x} is not a usable number")).with_help("give a finite number"));
    }
    if x != 0.0 && !(MIN_MAGNITUDE..=MAX_MAGNITUDE).contains(&x.abs()) {
        return Err(InputError::at(file, path, format!("{x:e} is outside the magnitudes this tool computes with"))
            .with_help("give 0 or a number whose magnitude is between 1e-30 and 1e30"));
    }
    Ok(x)
}

/// A usable number (see [`usable`]).
pub fn number(file: &SourceFile, path: &KeyPath, input: &Input, what: &str) -> Result<f64, InputError> {
    let s = scalar(file, path, input, what)?;
    let x = s.as_f64().ok_or_else(|| {
        InputError::at(file, path, format!("{what} must be a number, found {}", s.type_str()))
            .with_help(format!("write {what} = 30"))
    })?;
    usable(file, path, x)
}

/// A whole number (written as a TOML integer).
pub fn integer(file: &SourceFile, path: &KeyPath, input: &Input, what: &str) -> Result<i64, InputError> {
    match scalar(file, path, input, what)? {
        Scalar::Integer(n) => Ok(*n),
        other => Err(InputError::at(file, path, format!("{what} must be a whole number, found {}", other.to_toml()))
            .with_help(format!("write {what} = 256"))),
    }
}

/// A keyword such as `"auto"`, if the input is a bare string.
pub fn keyword(input: &Input) -> Option<&str> {
    match input {
        Input::Bare(Scalar::Text(s)) => Some(s),
        _ => None,
    }
}

/// A date in one of the [`DATE_FORMS`].
pub fn date(file: &SourceFile, path: &KeyPath, input: &Input) -> Result<Date, InputError> {
    let s = scalar(file, path, input, "the date")?;
    date_from_toml(&s.to_toml())
        .map_err(|e| InputError::at(file, path, e.to_string()).with_label("not a date").with_help(DATE_FORMS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> (SourceFile, Input) {
        #[derive(serde::Deserialize)]
        struct T {
            x: Input,
        }
        let file = SourceFile::new("t.toml", format!("x = {text}\n"));
        let t: T = toml::from_str(&file.text).unwrap();
        (file, t.x)
    }

    #[test]
    fn numbers_beyond_the_usable_magnitudes_are_located_errors() {
        let p = KeyPath::root().key("x");
        for bad in ["1e300", "-1e31", "1e-300", "{ value = 1e-31, source = \"s\" }"] {
            let (f, i) = input(bad);
            let e = number(&f, &p, &i, "x").unwrap_err();
            assert!(e.to_string().contains("outside the magnitudes"), "{bad}: {e}");
            assert!(e.location().is_some(), "{bad}: {e}");
        }
        for good in ["0", "-0.0", "1e30", "-1e-30", "2.5"] {
            let (f, i) = input(good);
            assert!(number(&f, &p, &i, "x").is_ok(), "{good}");
        }
    }

    #[test]
    fn counts_and_dates_may_carry_their_source() {
        let p = KeyPath::root().key("x");
        let (f, i) = input("{ value = 256, source = \"cluster inventory\" }");
        assert_eq!(integer(&f, &p, &i, "systems").unwrap(), 256);
        let (f, i) = input("{ value = \"2026-H2\", source = \"announcement\" }");
        assert_eq!(date(&f, &p, &i).unwrap().to_string(), "2026-12-31");
        let (f, i) = input("2026-06-30");
        assert_eq!(date(&f, &p, &i).unwrap().to_string(), "2026-06-30");
    }

    #[test]
    fn wrong_kinds_are_located_errors() {
        let p = KeyPath::root().key("x");
        let (f, i) = input("2.5");
        let e = integer(&f, &p, &i, "systems").unwrap_err();
        assert!(e.message.contains("whole number"), "{}", e.message);
        assert_eq!(e.location().map(|(_, l, c)| (l, c)), Some((1, 5)));
        let (f, i) = input("\"soon\"");
        assert!(date(&f, &p, &i).is_err());
        let (f, i) = input("nan");
        assert!(number(&f, &p, &i, "days").is_err());
    }
}
