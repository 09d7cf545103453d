//! Discrete-time histories for the BG/BB model: a transaction log cut into calendar periods
//! (week, month, quarter, year). Per customer, the period of the first transaction is period 0
//! (it makes the customer); the opportunities are the periods 1..=n after it up to and
//! including the period that holds the observation end; x is the number of those periods with
//! at least one transaction (several in one period count once), t_x the last of them (0 when
//! x = 0). Weeks start on Monday; months, quarters and years are calendar ones.
//!
//! Rows with a negative amount (returns) are not transactions here and rows after the
//! observation end are left out; both are counted in [`DiscreteSummary`].

use super::TxLog;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The length of a discrete period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters (January–March, ...).
    Quarter,
    /// Calendar years.
    Year,
}

impl Period {
    /// Parses "week", "month", "quarter" or "year" (also plural and "-ly" forms).
    pub fn parse(s: &str) -> Option<Period> {
        match s.trim().to_ascii_lowercase().as_str() {
            "w" | "week" | "weeks" | "weekly" => Some(Period::Week),
            "m" | "month" | "months" | "monthly" => Some(Period::Month),
            "q" | "quarter" | "quarters" | "quarterly" => Some(Period::Quarter),
            "y" | "year" | "years" | "yearly" | "annual" | "annually" => Some(Period::Year),
            _ => None,
        }
    }

    /// Plain name, singular.
    pub fn name(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// A running index of the period holding `date` (consecutive periods differ by 1).
    pub fn index(self, date: NaiveDate) -> i64 {
        let year = i64::from(date.year());
        let month0 = i64::from(date.month0());
        match self {
            // Day 1 of the common era (0001-01-01) is a Monday.
            Period::Week => (i64::from(date.num_days_from_ce()) - 1).div_euclid(7),
            Period::Month => year * 12 + month0,
            Period::Quarter => year * 4 + month0 / 3,
            Period::Year => year,
        }
    }
}

/// One customer's discrete-time history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscreteCustomer {
    /// Customer id.
    pub id: String,
    /// Periods after the first with a transaction.
    pub x: u32,
    /// The last such period (0 when x = 0).
    pub t_x: u32,
    /// Periods observed after the first.
    pub n: u32,
}

/// Discrete-time histories of every customer of a log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscreteSummary {
    /// The period length.
    pub period: Period,
    /// The observation end (the last date of the log unless given).
    pub observation_end: Option<NaiveDate>,
    /// One history per customer with a transaction up to the end, in order of first
    /// appearance in the log.
    pub customers: Vec<DiscreteCustomer>,
    /// Rows with a negative amount (not transactions here).
    pub negative_rows: u64,
    /// Rows after the observation end (left out).
    pub rows_after_end: u64,
}

/// Cuts a log into periods of length `period` up to `end` (default: the log's last date).
pub fn discrete_histories(log: &TxLog, period: Period, end: Option<NaiveDate>) -> DiscreteSummary {
    let dates = log
        .day
        .iter()
        .map(|d| NaiveDate::from_num_days_from_ce_opt(*d));
    let end = end.or_else(|| dates.clone().flatten().max());
    let end_index = end.map(|e| period.index(e));
    let mut negative_rows = 0u64;
    let mut rows_after_end = 0u64;
    // Per customer (index into ids): the periods with a transaction.
    let mut seen: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    let mut order: Vec<u32> = Vec::new();
    for ((c, date), amount) in log.customer.iter().zip(dates).zip(&log.amount) {
        let Some(date) = date else { continue };
        if end.is_some_and(|e| date > e) {
            rows_after_end += 1;
            continue;
        }
        if *amount < 0.0 {
            negative_rows += 1;
            continue;
        }
        let entry = seen.entry(*c).or_insert_with(|| {
            order.push(*c);
            Vec::new()
        });
        entry.push(period.index(date));
    }
    let customers = order
        .into_iter()
        .filter_map(|c| {
            let mut periods = seen.remove(&c)?;
            periods.sort_unstable();
            periods.dedup();
            let first = *periods.first()?;
            let last_obs = end_index.unwrap_or(first);
            let to_u32 = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
            let x = to_u32(periods.len() as i64 - 1);
            let t_x = periods.last().map_or(0, |l| to_u32(l - first));
            Some(DiscreteCustomer {
                id: log.ids.get(c as usize).cloned().unwrap_or_default(),
                x,
                t_x,
                n: to_u32(last_obs - first),
            })
        })
        .collect();
    DiscreteSummary {
        period,
        observation_end: end,
        customers,
        negative_rows,
        rows_after_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::Transaction;

    fn tx(id: &str, date: &str, amount: f64) -> Transaction {
        Transaction {
            customer_id: id.into(),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            amount,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        }
    }

    #[test]
    fn yearly_histories_count_periods_once_and_start_after_the_first() {
        let log = TxLog::from_transactions(&[
            tx("a", "1995-03-01", 10.0),
            tx("a", "1995-11-01", 10.0), // same year as the first: not a repeat
            tx("a", "1997-02-01", 10.0),
            tx("a", "1997-12-31", 10.0), // same period: counts once
            tx("a", "1999-06-01", 10.0),
            tx("b", "1996-01-01", 5.0),
            tx("b", "1998-01-01", -5.0), // a return: not a transaction
            tx("c", "2001-07-01", 5.0),
            tx("c", "2003-07-01", 5.0), // after the end
        ]);
        let end = NaiveDate::from_ymd_opt(2001, 12, 31);
        let s = discrete_histories(&log, Period::Year, end);
        let h: Vec<(&str, u32, u32, u32)> = s
            .customers
            .iter()
            .map(|c| (c.id.as_str(), c.x, c.t_x, c.n))
            .collect();
        assert_eq!(h, vec![("a", 2, 4, 6), ("b", 0, 0, 5), ("c", 0, 0, 0)]);
        assert_eq!((s.negative_rows, s.rows_after_end), (1, 1));
    }

    #[test]
    fn weeks_start_on_monday_and_quarters_are_calendar_quarters() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 2024-01-01 is a Monday.
        assert_eq!(
            Period::Week.index(d("2024-01-07")),
            Period::Week.index(d("2024-01-01"))
        );
        assert_eq!(
            Period::Week.index(d("2024-01-08")),
            Period::Week.index(d("2024-01-01")) + 1
        );
        assert_eq!(
            Period::Quarter.index(d("2024-03-31")) + 1,
            Period::Quarter.index(d("2024-04-01"))
        );
        assert_eq!(
            Period::Month.index(d("2023-12-31")) + 1,
            Period::Month.index(d("2024-01-01"))
        );
        assert_eq!(Period::parse("Quarterly"), Some(Period::Quarter));
    }
}
