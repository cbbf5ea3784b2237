//! Calendar periods (years, quarters, months) over a window, and which period a record's
//! date falls in. A date less precise than the periods (`2022` by month) falls in none: the
//! service never guesses the month a source did not give.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::PartialDate;

/// How long each period of a series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Year,
    Quarter,
    Month,
}

/// The most periods one series may have (a century of months).
pub const MAX_PERIODS: usize = 1200;

impl Granularity {
    fn months(self) -> u32 {
        match self {
            Self::Year => 12,
            Self::Quarter => 3,
            Self::Month => 1,
        }
    }

    /// The first day of the period holding `day`.
    fn start_of(self, day: NaiveDate) -> NaiveDate {
        let month0 = day.month0() - day.month0() % self.months();
        NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day)
    }
}

/// One period: its first day and the first day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub granularity: Granularity,
    pub start: NaiveDate,
    pub until: NaiveDate,
}

impl Period {
    /// `2022`, `2022-Q3` or `2022-10`.
    pub fn label(&self) -> String {
        let (year, month) = (self.start.year(), self.start.month());
        match self.granularity {
            Granularity::Year => format!("{year:04}"),
            Granularity::Quarter => format!("{year:04}-Q{}", (month - 1) / 3 + 1),
            Granularity::Month => format!("{year:04}-{month:02}"),
        }
    }

    /// The last day of the period.
    pub fn end(&self) -> NaiveDate {
        self.until.pred_opt().unwrap_or(self.start)
    }

    /// Whether the whole of a partial date lies in this period.
    pub fn holds(&self, date: PartialDate) -> bool {
        self.start <= date.first_day() && date.day_after() <= self.until
    }
}

/// The periods of a window `[first, until)`, the first and last cut at calendar boundaries
/// (so `from=2022-02-15` by quarter starts with 2022-Q1); `None` when there would be more
/// than [`MAX_PERIODS`] (the loop stops there, so a huge window costs nothing).
pub fn periods(
    granularity: Granularity,
    first: NaiveDate,
    until: NaiveDate,
) -> Option<Vec<Period>> {
    let step = Months::new(granularity.months());
    let mut start = granularity.start_of(first);
    let mut out = Vec::new();
    while start < until {
        if out.len() == MAX_PERIODS {
            return None;
        }
        let next = start.checked_add_months(step)?;
        out.push(Period {
            granularity,
            start,
            until: next,
        });
        start = next;
    }
    Some(out)
}

/// The index of the period that holds the whole of `date`, if any.
pub fn period_of(periods: &[Period], date: PartialDate) -> Option<usize> {
    let first = periods.first()?;
    let start = first.granularity.start_of(date.first_day());
    let index = periods.partition_point(|p| p.start < start);
    periods.get(index).filter(|p| p.holds(date)).map(|_| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn date(s: &str) -> PartialDate {
        PartialDate::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn labels(g: Granularity, first: &str, until: &str) -> Vec<String> {
        periods(g, day(first), day(until))
            .unwrap_or_default()
            .iter()
            .map(Period::label)
            .collect()
    }

    #[test]
    fn periods_follow_the_calendar_and_cover_the_window() {
        assert_eq!(
            labels(Granularity::Quarter, "2022-02-15", "2023-01-01"),
            ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
        );
        assert_eq!(
            labels(Granularity::Month, "2022-11-01", "2023-02-01"),
            ["2022-11", "2022-12", "2023-01"]
        );
        assert_eq!(
            labels(Granularity::Year, "2021-06-01", "2022-06-02"),
            ["2021", "2022"]
        );
    }

    #[test]
    fn more_than_1200_periods_are_refused() {
        let count = |g, first, until| periods(g, day(first), day(until)).map(|p| p.len());
        assert_eq!(
            count(Granularity::Month, "1900-01-01", "2000-01-01"),
            Some(1200)
        );
        assert_eq!(count(Granularity::Month, "1900-01-01", "2000-01-02"), None);
        assert_eq!(count(Granularity::Month, "0001-01-01", "9999-12-31"), None);
        assert_eq!(
            count(Granularity::Year, "0001-01-01", "1000-01-01"),
            Some(999)
        );
    }

    #[test]
    fn a_date_falls_in_a_period_only_when_it_is_wholly_inside() {
        let months =
            periods(Granularity::Month, day("2022-01-01"), day("2023-01-01")).unwrap_or_default();
        assert_eq!(period_of(&months, date("2022-10")), Some(9));
        assert_eq!(period_of(&months, date("2022-11-16")), Some(10));
        assert_eq!(
            period_of(&months, date("2022")),
            None,
            "a year is not in any month"
        );
        assert_eq!(period_of(&months, date("2021-12")), None);
        let years =
            periods(Granularity::Year, day("2022-01-01"), day("2023-01-01")).unwrap_or_default();
        assert_eq!(period_of(&years, date("2022")), Some(0));
    }
}
