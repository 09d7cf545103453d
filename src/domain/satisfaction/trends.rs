//! Any score by calendar month or quarter, from dated answers.

use super::caution;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Period {
    /// Calendar month.
    #[default]
    Month,
    /// Calendar quarter.
    Quarter,
}

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint<T> {
    /// "2024-03" or "2024-Q1".
    pub label: String,
    /// First day of the period.
    pub start: NaiveDate,
    /// Answers in the period.
    pub n: u64,
    /// The score (None when it could not be computed, e.g. no valid answer).
    pub value: Option<T>,
    /// n < 30.
    pub too_few: bool,
}

fn period_start(d: NaiveDate, p: Period) -> Option<NaiveDate> {
    let m = match p {
        Period::Month => d.month(),
        Period::Quarter => (d.month() - 1) / 3 * 3 + 1,
    };
    NaiveDate::from_ymd_opt(d.year(), m, 1)
}

fn label(d: NaiveDate, p: Period) -> String {
    match p {
        Period::Month => format!("{}-{:02}", d.year(), d.month()),
        Period::Quarter => format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
    }
}

/// Groups answers by period (ascending) and scores each group with `score`.
pub fn trend<T, F>(answers: &[(NaiveDate, f64)], period: Period, score: F) -> Vec<TrendPoint<T>>
where
    F: Fn(&[f64]) -> Option<T>,
{
    let mut groups: std::collections::BTreeMap<NaiveDate, Vec<f64>> = Default::default();
    for &(d, v) in answers {
        if let Some(s) = period_start(d, period) {
            groups.entry(s).or_default().push(v);
        }
    }
    groups
        .into_iter()
        .map(|(start, v)| TrendPoint {
            label: label(start, period),
            start,
            n: v.len() as u64,
            value: score(&v),
            too_few: caution(v.len() as u64).0,
        })
        .collect()
}

/// NPS by period.
pub fn nps_trend(answers: &[(NaiveDate, f64)], period: Period) -> Vec<TrendPoint<super::NpsScore>> {
    trend(answers, period, |v| super::nps(v).ok())
}

/// Mean by period.
pub fn mean_trend(answers: &[(NaiveDate, f64)], period: Period) -> Vec<TrendPoint<f64>> {
    trend(answers, period, super::stats::mean)
}
