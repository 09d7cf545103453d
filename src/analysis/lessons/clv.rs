//! Lifetime value from margin, retention and discount: the period-by-period table beside the
//! closed form CLV = m · r / (1 + d − r) (payments at period ends; the customer is still there
//! in period t with probability r^t).

use super::{check, LessonError};
use crate::domain::value;

/// One period of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvPeriod {
    /// Period number, from 1.
    pub t: u32,
    /// Survival r^t.
    pub survival: f64,
    /// Discount factor 1 / (1 + d)^t.
    pub discount_factor: f64,
    /// m · r^t / (1 + d)^t.
    pub discounted_margin: f64,
    /// Sum of the discounted margins of periods 1..=t.
    pub running_sum: f64,
}

/// The lesson's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvTable {
    /// Periods 1..=n.
    pub periods: Vec<ClvPeriod>,
    /// The closed form m · r / (1 + d − r) (the engine's [`value::simple_clv`]).
    pub closed_form: f64,
    /// Closed form − the running sum after the last period (what the later periods add).
    pub gap: f64,
}

/// The table for `periods` periods.
///
/// # Errors
/// [`LessonError`] when retention is not in [0, 1), the discount does not exceed r − 1, or
/// `periods` is 0.
pub fn table(
    margin: f64,
    retention: f64,
    discount: f64,
    periods: u32,
) -> Result<ClvTable, LessonError> {
    check("margin", margin, true, "a number")?;
    check(
        "periods",
        f64::from(periods),
        (1..=600).contains(&periods),
        "1 to 600",
    )?;
    let closed_form = value::simple_clv(margin, retention, discount).map_err(|e| LessonError {
        input: e.to_string(),
        expected: "a valid rate".into(),
        found: if (0.0..1.0).contains(&retention) {
            discount
        } else {
            retention
        },
    })?;
    let mut running_sum = 0.0;
    let periods: Vec<ClvPeriod> = (1..=periods)
        .map(|t| {
            let survival = retention.powf(f64::from(t));
            let discount_factor = 1.0 / (1.0 + discount).powf(f64::from(t));
            let discounted_margin = margin * survival * discount_factor;
            running_sum += discounted_margin;
            ClvPeriod {
                t,
                survival,
                discount_factor,
                discounted_margin,
                running_sum,
            }
        })
        .collect();
    Ok(ClvTable {
        gap: closed_form - running_sum,
        periods,
        closed_form,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_table_matches_hand_computation_and_closed_form() {
        // m = 100, r = 0.8, d = 0.1.
        // t=1: r = 0.8, 1/1.1 = 0.909091, 100·0.8/1.1 = 72.7273, sum 72.7273
        // t=2: r² = 0.64, 1/1.21 = 0.826446, 64/1.21 = 52.8926, sum 125.6198
        // closed form: 100·0.8/(1 + 0.1 − 0.8) = 80/0.3 = 266.6667; gap = 141.0468
        let t = table(100.0, 0.8, 0.1, 2).unwrap();
        let p = &t.periods;
        assert!((p[0].survival - 0.8).abs() < 1e-12);
        assert!((p[0].discount_factor - 0.909_090_9).abs() < 1e-6);
        assert!((p[0].discounted_margin - 72.727_27).abs() < 1e-4);
        assert!((p[1].survival - 0.64).abs() < 1e-12);
        assert!((p[1].discounted_margin - 52.892_56).abs() < 1e-4);
        assert!((p[1].running_sum - 125.619_83).abs() < 1e-4);
        assert!((t.closed_form - 266.666_67).abs() < 1e-4);
        assert!((t.gap - 141.046_84).abs() < 1e-4);
    }

    #[test]
    fn running_sum_converges_to_the_closed_form() {
        // The geometric series m·q/(1−q) with q = r/(1+d): after 600 periods the rest is nil.
        let t = table(100.0, 0.8, 0.1, 600).unwrap();
        assert!(t.gap.abs() < 1e-9);
    }

    #[test]
    fn retention_of_one_is_refused() {
        assert!(table(100.0, 1.0, 0.1, 10).is_err());
        assert!(table(100.0, 0.8, 0.1, 0).is_err());
    }
}
