//! The teaching formulas: CLV with constant margin, retention and discount rate (closed form
//! beside the period-by-period sum), and historical CLV (realised margin to date).

use super::ClvError;
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};

/// Inputs of the simple (teaching) CLV formula.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimpleClvParams {
    /// Margin per period from a retained customer (money).
    pub margin: f64,
    /// Retention rate per period, in [0, 1).
    pub retention: f64,
    /// Discount rate per period, ≥ 0.
    pub discount: f64,
}

/// One period of the period-by-period table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimpleClvPeriod {
    /// Period number, from 1.
    pub period: u32,
    /// Probability the customer is still retained at the end of the period: r^period.
    pub survival: f64,
    /// Discounted expected margin of this period: m r^t / (1+d)^t.
    pub discounted_margin: f64,
    /// Running sum up to this period.
    pub cumulative: f64,
}

/// Closed form and its period-by-period sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimpleClv {
    /// m · r / (1 + d − r) (payments at period ends, infinite horizon).
    pub closed_form: f64,
    /// The first periods of the sum (converging to `closed_form`).
    pub periods: Vec<SimpleClvPeriod>,
}

impl SimpleClvParams {
    /// Validates the inputs.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming `margin`, `retention` or `discount`.
    pub fn check(&self) -> Result<&Self, ClvError> {
        if !self.margin.is_finite() {
            return Err(ClvError::invalid(
                "margin",
                self.margin,
                "must be a finite amount",
            ));
        }
        if !(0.0..1.0).contains(&self.retention) {
            return Err(ClvError::invalid(
                "retention",
                self.retention,
                "must be in [0, 1)",
            ));
        }
        if !(self.discount >= 0.0 && self.discount.is_finite()) {
            return Err(ClvError::invalid("discount", self.discount, "must be ≥ 0"));
        }
        Ok(self)
    }

    /// Computes the closed form and the first `periods` terms of the sum.
    ///
    /// # Errors
    /// As [`SimpleClvParams::check`].
    pub fn compute(&self, periods: u32) -> Result<SimpleClv, ClvError> {
        self.check()?;
        let SimpleClvParams {
            margin,
            retention,
            discount,
        } = *self;
        let mut cumulative = 0.0;
        let table = (1..=periods)
            .map(|t| {
                let survival = retention.powi(t as i32);
                let discounted_margin = margin * survival / (1.0 + discount).powi(t as i32);
                cumulative += discounted_margin;
                SimpleClvPeriod {
                    period: t,
                    survival,
                    discounted_margin,
                    cumulative,
                }
            })
            .collect();
        Ok(SimpleClv {
            closed_form: margin * retention / (1.0 + discount - retention),
            periods: table,
        })
    }
}

/// Historical CLV of one customer: the realised margin to date — the margin column when the log
/// had one, otherwise total spend × `margin_rate`.
pub fn historical_clv(c: &CustomerRecord, margin_rate: f64) -> f64 {
    c.total_margin.unwrap_or(c.total_spend * margin_rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_sum_converges_to_the_closed_form() {
        let p = SimpleClvParams {
            margin: 100.0,
            retention: 0.8,
            discount: 0.1,
        };
        let s = p.compute(300).unwrap();
        assert!((s.closed_form - 100.0 * 0.8 / 0.3).abs() < 1e-12);
        let last = s.periods.last().unwrap().cumulative;
        assert!((last - s.closed_form).abs() < 1e-9);
    }

    #[test]
    fn retention_of_one_is_rejected_by_name() {
        let e = SimpleClvParams {
            margin: 1.0,
            retention: 1.0,
            discount: 0.1,
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().contains("retention"));
    }

    #[test]
    fn historical_clv_prefers_the_margin_column() {
        let mut c = CustomerRecord::from_stats("a", 1.0, 1.0, 2.0, 10.0);
        assert!((historical_clv(&c, 0.3) - 6.0).abs() < 1e-12);
        c.total_margin = Some(4.0).into();
        assert_eq!(historical_clv(&c, 0.3), 4.0);
    }
}
