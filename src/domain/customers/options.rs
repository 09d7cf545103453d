//! The settings of a customer summary: time unit, observation and calibration ends, and what
//! to do with returns.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The unit in which model times (t_x, T, horizons) are expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// One calendar day.
    Day,
    /// Seven days.
    #[default]
    Week,
    /// 365.25 / 12 = 30.4375 days.
    Month,
}

impl TimeUnit {
    /// Length of the unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
            TimeUnit::Month => 365.25 / 12.0,
        }
    }

    /// Plain name, singular ("week").
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
            TimeUnit::Month => "month",
        }
    }

    /// Parses "day", "week" or "month" (also plural and single-letter forms).
    pub fn parse(s: &str) -> Option<TimeUnit> {
        match s.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "days" | "daily" => Some(TimeUnit::Day),
            "w" | "week" | "weeks" | "weekly" => Some(TimeUnit::Week),
            "m" | "month" | "months" | "monthly" => Some(TimeUnit::Month),
            _ => None,
        }
    }
}

/// What to do with negative amounts (returns, refunds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ReturnsPolicy {
    /// Net returns against purchases of the same customer and day (the default).
    #[default]
    Net,
    /// Drop negative rows entirely.
    Drop,
    /// Keep negative rows as they are (each counts as an occasion with a negative value).
    Keep,
}

/// Options for building a customer summary from a transaction log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SummaryOptions {
    /// Unit of t_x and T.
    #[serde(default)]
    pub time_unit: TimeUnit,
    /// Last day of observation (inclusive). Default: the last date in the data.
    #[serde(default)]
    pub observation_end: Option<NaiveDate>,
    /// Optional end of the calibration period (inclusive); later purchases form the holdout.
    #[serde(default)]
    pub calibration_end: Option<NaiveDate>,
    /// Treatment of negative amounts.
    #[serde(default)]
    pub returns: ReturnsPolicy,
}
