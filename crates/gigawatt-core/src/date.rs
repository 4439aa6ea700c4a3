//! Calendar dates and quarters.
//!
//! Scenario dates are written as `2026-09-30` (a day), `2026-H2` (a half-year, meaning its last
//! day) or `2026-Q3` (a quarter, meaning its last day), as a TOML date or a string. Planning runs
//! on whole days; the quarterly timeline reports each quarter at its last day.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Serialize, Serializer};

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    /// The day with this year, month (1–12) and day of month, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        (self.0 - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days()
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        Date(NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch") + chrono::Duration::days(days))
    }

    /// This day shifted by a whole number of days.
    pub fn add_days(self, days: i64) -> Date {
        Date(self.0 + chrono::Duration::days(days))
    }

    /// This day minus a (possibly fractional) number of months, to the nearest day.
    /// Whole months follow the calendar; a fraction counts as 30.44-day months.
    pub fn minus_months(self, months: f64) -> Date {
        let whole = months.floor();
        let shifted = self.0.checked_sub_months(Months::new(whole as u32)).map(Date).unwrap_or(self);
        shifted.add_days(-((months - whole) * DAYS_PER_MONTH).round() as i64)
    }

    /// The calendar quarter this day falls in.
    pub fn quarter(self) -> Quarter {
        Quarter { year: self.0.year(), q: (self.0.month0() / 3 + 1) as u8 }
    }

    /// The calendar month this day falls in, as (year, month 1–12).
    pub fn year_month(self) -> (i32, u32) {
        (self.0.year(), self.0.month())
    }

    /// Year as a fraction, for charts (2026-07-02 ≈ 2026.5).
    pub fn decimal_year(self) -> f64 {
        let y = self.0.year();
        let start = NaiveDate::from_ymd_opt(y, 1, 1).expect("valid");
        let next = NaiveDate::from_ymd_opt(y + 1, 1, 1).expect("valid");
        y as f64 + (self.0 - start).num_days() as f64 / (next - start).num_days() as f64
    }
}

/// Average days per month (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// Why a date could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date")]
pub struct DateError {
    /// The text that was given.
    pub text: String,
}

/// How dates may be written, for help messages.
pub const DATE_FORMS: &str = "write a day as 2026-09-30, a half-year as 2026-H2 or a quarter as 2026-Q3 (each meaning its last day), in the years 1900 to 2200";

/// The years a date of an input may fall in: a plan, a simulation or an operated build-out
/// steps through its days, so a date millennia away is an input error, not work to do.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        let err = || DateError { text: s.to_string() };
        let t = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return if YEARS.contains(&d.year()) { Ok(Date(d)) } else { Err(err()) };
        }
        let (year, part) = t.split_once('-').ok_or_else(err)?;
        let year: i32 = year.parse().map_err(|_| err())?;
        if !YEARS.contains(&year) {
            return Err(err());
        }
        let last_month = match part.to_ascii_uppercase().as_str() {
            "H1" => 6,
            "H2" => 12,
            "Q1" => 3,
            "Q2" => 6,
            "Q3" => 9,
            "Q4" => 12,
            _ => return Err(err()),
        };
        Ok(last_day_of_month(year, last_month))
    }
}

fn last_day_of_month(year: i32, month: u32) -> Date {
    let first_next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) }
            .expect("valid month");
    Date(first_next.pred_opt().expect("valid day"))
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A calendar quarter, such as 2026-Q4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// Calendar year.
    pub year: i32,
    /// Quarter of the year, 1–4.
    pub q: u8,
}

impl Quarter {
    /// The last day of the quarter.
    pub fn last_day(self) -> Date {
        last_day_of_month(self.year, self.q as u32 * 3)
    }

    /// The first day of the quarter.
    pub fn first_day(self) -> Date {
        Date(NaiveDate::from_ymd_opt(self.year, (self.q as u32 - 1) * 3 + 1, 1).expect("valid"))
    }

    /// The quarter after this one.
    pub fn next(self) -> Quarter {
        if self.q == 4 { Quarter { year: self.year + 1, q: 1 } } else { Quarter { year: self.year, q: self.q + 1 } }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads a date from a TOML value: a string in one of the [`DATE_FORMS`] or a TOML local date.
pub fn date_from_toml(v: &toml::Value) -> Result<Date, DateError> {
    match v {
        toml::Value::String(s) => s.parse(),
        toml::Value::Datetime(dt) => match (dt.date, dt.time) {
            (Some(d), None) => Date::from_ymd(d.year as i32, d.month as u32, d.day as u32)
                .filter(|x| YEARS.contains(&x.0.year()))
                .ok_or(DateError { text: dt.to_string() }),
            _ => Err(DateError { text: dt.to_string() }),
        },
        other => Err(DateError { text: other.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_and_quarter_mean_their_last_day() {
        assert_eq!("2026-H2".parse::<Date>().unwrap().to_string(), "2026-12-31");
        assert_eq!("2026-H1".parse::<Date>().unwrap().to_string(), "2026-06-30");
        assert_eq!("2027-Q1".parse::<Date>().unwrap().to_string(), "2027-03-31");
        assert_eq!("2027-q3".parse::<Date>().unwrap().to_string(), "2027-09-30");
        assert_eq!("2026-09-30".parse::<Date>().unwrap().to_string(), "2026-09-30");
    }

    #[test]
    fn nonsense_dates_are_rejected() {
        for bad in ["2026-13-01", "2026-02-30", "2026-H3", "soon", "26-H2", "2026"] {
            assert!(bad.parse::<Date>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn dates_millennia_away_are_rejected_in_every_form() {
        // A phase online in 8302 once made the capacity model step through 2.3 M days (fuzzing).
        for bad in ["8302-06-30", "1850-01-01", "2201-H1"] {
            assert!(bad.parse::<Date>().is_err(), "{bad} should not parse");
        }
        for good in ["1900-01-01", "2200-12-31", "2200-Q4"] {
            assert!(good.parse::<Date>().is_ok(), "{good} should parse");
        }
        let toml_date: toml::Value = toml::from_str::<toml::Table>("d = 8302-06-30").unwrap()["d"].clone();
        assert!(date_from_toml(&toml_date).is_err());
    }

    #[test]
    fn quarters_and_months_arithmetic() {
        let d: Date = "2026-12-31".parse().unwrap();
        assert_eq!(d.quarter().to_string(), "2026-Q4");
        assert_eq!(d.quarter().next().to_string(), "2027-Q1");
        assert_eq!(d.minus_months(3.0).to_string(), "2026-09-30");
        assert_eq!(d.minus_months(0.0), d);
        let e = Date::from_days_since_epoch(d.days_since_epoch());
        assert_eq!(d, e);
    }
}
