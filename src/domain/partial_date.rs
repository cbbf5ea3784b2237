//! Dates as precise as their source and no more: `2022`, `2022-10` or `2022-10-12`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::kinds::DatePrecision;

/// A date with year, month or day precision, stored as its first day plus the precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    first_day: NaiveDate,
    precision: DatePrecision,
}

/// The exact grammar of a partial date, leap years included, so that the schema refuses
/// everything the parser refuses (`2023-02-29`, `2022-13`).
pub const PARTIAL_DATE_PATTERN: &str = concat!(
    "^[0-9]{4}(-(0[1-9]|1[0-2]))?$",
    "|^[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))$",
    "|^([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29$",
);

impl PartialDate {
    pub fn new(first_day: NaiveDate, precision: DatePrecision) -> Self {
        // Normalise to the first day of the period, whatever day was passed in.
        let first_day = match precision {
            DatePrecision::Day => first_day,
            DatePrecision::Month => first_day.with_day(1).unwrap_or(first_day),
            DatePrecision::Year => {
                NaiveDate::from_ymd_opt(first_day.year(), 1, 1).unwrap_or(first_day)
            }
        };
        Self {
            first_day,
            precision,
        }
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        let invalid = || {
            format!(
                "`{value}` is not a date: use `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a real calendar date)"
            )
        };
        let parts: Vec<&str> = value.split('-').collect();
        let number = |part: &str, len: usize| -> Option<u32> {
            (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let (year, month, day, precision) = match parts.as_slice() {
            [y] => (number(y, 4), Some(1), Some(1), DatePrecision::Year),
            [y, m] => (number(y, 4), number(m, 2), Some(1), DatePrecision::Month),
            [y, m, d] => (number(y, 4), number(m, 2), number(d, 2), DatePrecision::Day),
            _ => return Err(invalid()),
        };
        let (Some(year), Some(month), Some(day)) = (year, month, day) else {
            return Err(invalid());
        };
        let year = i32::try_from(year).map_err(|_| invalid())?;
        NaiveDate::from_ymd_opt(year, month, day)
            .map(|first_day| Self {
                first_day,
                precision,
            })
            .ok_or_else(invalid)
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    pub fn precision(&self) -> DatePrecision {
        self.precision
    }

    /// The first day after the period: `2022` -> `2023-01-01`.
    pub fn day_after(&self) -> NaiveDate {
        let next = match self.precision {
            DatePrecision::Day => self.first_day.succ_opt(),
            DatePrecision::Month => self.first_day.checked_add_months(chrono::Months::new(1)),
            DatePrecision::Year => self.first_day.checked_add_months(chrono::Months::new(12)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }

    /// The last day of the period.
    pub fn last_day(&self) -> NaiveDate {
        self.day_after().pred_opt().unwrap_or(self.first_day)
    }

    /// Rebuilds a date read from the database (first day and precision columns).
    pub fn from_parts(
        first_day: Option<NaiveDate>,
        precision: Option<DatePrecision>,
    ) -> Option<Self> {
        Some(Self::new(first_day?, precision?))
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.first_day;
        match self.precision {
            DatePrecision::Year => write!(f, "{:04}", d.year()),
            DatePrecision::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            DatePrecision::Day => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}

impl TryFrom<String> for PartialDate {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<PartialDate> for String {
    fn from(value: PartialDate) -> String {
        value.to_string()
    }
}

impl std::str::FromStr for PartialDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

impl utoipa::PartialSchema for PartialDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::string_schema(
            "A date as precise as its source: a year (`2022`), a month (`2022-10`) or a day \
             (`2022-10-12`). It is never made more precise than given. Filters match partial \
             dates by overlap: `2022-10` matches a filter from `2022-10-15`.",
            Some(PARTIAL_DATE_PATTERN),
            Some(4),
            Some(10),
            "2022-10",
        )
    }
}

impl utoipa::ToSchema for PartialDate {}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> String {
        PartialDate::parse(s)
            .map(|d| d.to_string())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn keeps_the_precision_it_was_given() {
        assert_eq!(round_trip("2022"), "2022");
        assert_eq!(round_trip("2022-10"), "2022-10");
        assert_eq!(round_trip("2022-10-12"), "2022-10-12");
        assert_eq!(round_trip("0999-01"), "0999-01");
    }

    #[test]
    fn refuses_impossible_dates() {
        for bad in [
            "",
            "22",
            "2022-1",
            "2022-13",
            "2022-00",
            "2022-02-30",
            "2023-02-29",
            "1900-02-29",
            "2022-10-1",
            "2022/10/01",
            "2022-10-12T00:00",
            "+2022",
            "２０２２",
            "2022-",
            "-2022",
        ] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
        assert!(PartialDate::parse("2024-02-29").is_ok());
        assert!(PartialDate::parse("2000-02-29").is_ok());
    }

    #[test]
    fn period_bounds() {
        let month =
            PartialDate::parse("2022-02").map(|d| (d.first_day(), d.last_day(), d.day_after()));
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(
            month,
            Ok((date(2022, 2, 1), date(2022, 2, 28), date(2022, 3, 1)))
        );
        let year = PartialDate::parse("2022").map(|d| d.day_after());
        assert_eq!(year, Ok(date(2023, 1, 1)));
    }

    #[test]
    fn pattern_matches_exactly_what_parses() {
        let pattern = regex::Regex::new(PARTIAL_DATE_PATTERN).unwrap_or_else(|e| panic!("{e}"));
        for year in [0, 1900, 1996, 2000, 2022, 2024, 2100, 9999] {
            let y = format!("{year:04}");
            assert!(pattern.is_match(&y));
            for month in 0..=13u32 {
                let m = format!("{y}-{month:02}");
                assert_eq!(pattern.is_match(&m), PartialDate::parse(&m).is_ok(), "{m}");
                for day in 0..=32u32 {
                    let d = format!("{m}-{day:02}");
                    assert_eq!(pattern.is_match(&d), PartialDate::parse(&d).is_ok(), "{d}");
                }
            }
        }
    }
}
