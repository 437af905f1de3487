//! Calendar months: the period a run is about, its window, and month arithmetic.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, e.g. 2026-10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl Month {
    /// The month of a date.
    pub fn of(d: NaiveDate) -> Month {
        Month { year: d.year(), month: d.month() }
    }

    /// A running index (year*12 + month-1) for arithmetic and array offsets.
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    /// The month `n` months later (negative: earlier).
    #[allow(clippy::should_implement_trait)] // months ± n, not Month + Month
    pub fn add(self, n: i32) -> Month {
        let i = self.index() + n;
        Month { year: i.div_euclid(12), month: (i.rem_euclid(12) + 1) as u32 }
    }

    /// Months from `self` to `other` (positive when `other` is later).
    pub fn months_until(self, other: Month) -> i32 {
        other.index() - self.index()
    }

    /// First day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// Last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.add(1).first_day().pred_opt().expect("valid date")
    }

    /// Whether `d` falls in this month.
    pub fn contains(self, d: NaiveDate) -> bool {
        Month::of(d) == self
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a period text is not a month.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("period must be YYYY-MM (e.g. 2026-10), found {0:?}")]
pub struct PeriodError(pub String);

impl FromStr for Month {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Month, PeriodError> {
        let err = || PeriodError(s.to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(err)?;
        // Digits only: Rust's number parsing takes a sign (`2026-+1` would be January).
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || m.len() != 2 || !digits(y) || !digits(m) {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
            return Err(err());
        }
        Ok(Month { year, month })
    }
}

/// The default period: the latest month with data, unless that is the current calendar month
/// (still open), then the one before. `today` is passed in: stages never read the clock.
pub fn default_period(latest_data: Month, today: NaiveDate) -> Month {
    if latest_data >= Month::of(today) {
        Month::of(today).add(-1)
    } else {
        latest_data
    }
}

/// A run of whole months, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: Month,
    pub to: Month,
}

impl Window {
    /// The `months` months ending with `to`.
    pub fn ending(to: Month, months: u32) -> Window {
        Window { from: to.add(1 - months as i32), to }
    }

    /// The same number of months just before this window.
    pub fn prior(self) -> Window {
        let n = self.from.months_until(self.to) + 1;
        Window { from: self.from.add(-n), to: self.from.add(-1) }
    }

    /// Whether `d` falls in the window.
    pub fn contains(self, d: NaiveDate) -> bool {
        let m = Month::of(d);
        m >= self.from && m <= self.to
    }

    /// Number of months in the window.
    pub fn months(self) -> u32 {
        (self.from.months_until(self.to) + 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(m("2026-10"), Month { year: 2026, month: 10 });
        for bad in ["2026-13", "26-10", "2026/10", "2026-1", "", "octubre"] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn arithmetic_crosses_years() {
        assert_eq!(m("2026-01").add(-1), m("2025-12"));
        assert_eq!(m("2025-12").add(1), m("2026-01"));
        assert_eq!(m("2024-02").last_day(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
    }

    #[test]
    fn window_and_prior() {
        let w = Window::ending(m("2026-10"), 12);
        assert_eq!((w.from, w.to), (m("2025-11"), m("2026-10")));
        let p = w.prior();
        assert_eq!((p.from, p.to), (m("2024-11"), m("2025-10")));
        assert_eq!(w.months(), 12);
    }

    #[test]
    fn default_period_skips_the_open_month() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        assert_eq!(default_period(m("2026-11"), today), m("2026-10"));
        assert_eq!(default_period(m("2026-10"), today), m("2026-10"));
        assert_eq!(default_period(m("2026-06"), today), m("2026-06"));
    }
}
