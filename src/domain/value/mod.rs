//! Value and strategy: customer equity and firm value, return on customer, the retention
//! what-if, and budget allocation across segments (each segment's economics from its figures,
//! then the split).
//!
//! Formulas (DOMAIN.md):
//! - customer equity = Σ CLV of current customers;
//! - firm value = customer equity + Σ_{t=1..H} new_t · (CLV_new − acquisition cost) / (1 + d)^t;
//! - return on customer (ROC) = (cash flow from customers + ΔCE) / CE at the start;
//! - simple CLV with margin m, retention r, discount d: m · r / (1 + d − r).

use crate::domain::segmentation::strategy::SegmentFigures;
use serde::{Deserialize, Serialize};

/// A parameter outside its valid range.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError {
    /// Parameter name.
    pub name: &'static str,
    /// The bad value.
    pub value: f64,
    /// What it must be.
    pub expected: &'static str,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} must be {}, got {}",
            self.name, self.expected, self.value
        )
    }
}

impl std::error::Error for ValueError {}

fn check(
    name: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<(), ValueError> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(ValueError {
            name,
            value,
            expected,
        })
    }
}

/// Inputs of the firm-value calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmValueInputs {
    /// Customer equity of the current customers.
    pub current_equity: f64,
    /// New customers acquired per period.
    pub new_per_period: f64,
    /// Expected CLV of a new customer.
    pub clv_new: f64,
    /// Acquisition cost per new customer.
    pub acquisition_cost: f64,
    /// Discount rate per period.
    pub discount: f64,
    /// Number of future periods of acquisition counted.
    pub periods: u32,
}

/// Firm value split into its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmValue {
    /// Equity of the current customers.
    pub current: f64,
    /// Discounted net value of the customers still to be acquired.
    pub future: f64,
    /// current + future.
    pub total: f64,
}

/// Firm value = current customer equity + discounted net value of future cohorts.
///
/// # Errors
/// [`ValueError`] naming the parameter when the discount rate is not > −1 or a count is negative.
pub fn firm_value(i: &FirmValueInputs) -> Result<FirmValue, ValueError> {
    let future = future_customers_value(i)?;
    Ok(FirmValue {
        current: i.current_equity,
        future,
        total: i.current_equity + future,
    })
}

/// The discounted net value of the customers still to be acquired,
/// Σ_{t=1..H} new · (CLV_new − acquisition cost) / (1 + d)^t: firm value's second part, which
/// does not need the current customers' equity (`current_equity` is not read), so a page can
/// show it while the lifetime values are still being computed.
///
/// # Errors
/// [`ValueError`] naming the parameter when the discount rate is not > −1 or a count is negative.
pub fn future_customers_value(i: &FirmValueInputs) -> Result<f64, ValueError> {
    check("discount", i.discount, i.discount > -1.0, "greater than -1")?;
    check(
        "new_per_period",
        i.new_per_period,
        i.new_per_period >= 0.0,
        "zero or more",
    )?;
    let net = i.clv_new - i.acquisition_cost;
    Ok(annuity_factor(i.discount, i.periods) * i.new_per_period * net)
}

/// Σ_{t=1..periods} 1 / (1 + d)^t: the present value of one unit paid at the end of each period.
pub fn annuity_factor(discount: f64, periods: u32) -> f64 {
    (1..=periods)
        .map(|t| 1.0 / (1.0 + discount).powi(t as i32))
        .sum()
}

/// Return on customer: (cash flow in the period + change in customer equity) / equity at start.
///
/// # Errors
/// [`ValueError`] when the starting equity is not positive.
pub fn return_on_customer(
    cash_flow: f64,
    equity_start: f64,
    equity_end: f64,
) -> Result<f64, ValueError> {
    check("equity_start", equity_start, equity_start > 0.0, "positive")?;
    Ok((cash_flow + equity_end - equity_start) / equity_start)
}

/// Simple (teaching) CLV with payments at period ends: m · r / (1 + d − r).
///
/// # Errors
/// [`ValueError`] when retention is not in [0, 1) or the discount is not > −1 (and 1 + d − r > 0).
pub fn simple_clv(margin: f64, retention: f64, discount: f64) -> Result<f64, ValueError> {
    check(
        "retention",
        retention,
        (0.0..1.0).contains(&retention),
        "between 0 and 1 (exclusive of 1)",
    )?;
    check(
        "discount",
        discount,
        discount > -1.0 && 1.0 + discount - retention > 0.0,
        "greater than retention - 1",
    )?;
    Ok(margin * retention / (1.0 + discount - retention))
}

/// One point of the retention what-if curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionPoint {
    /// Retention rate.
    pub retention: f64,
    /// CLV per customer at that rate.
    pub clv: f64,
    /// Equity of the base at that rate (customers × CLV).
    pub equity: f64,
}

/// The retention what-if: CLV and equity as retention moves from `from` to `to` (steps points).
/// Shows Reichheld and Sasser's point: small gains in retention raise value a lot.
///
/// # Errors
/// [`ValueError`] when a rate is out of range.
pub fn retention_curve(
    margin: f64,
    discount: f64,
    customers: f64,
    from: f64,
    to: f64,
    steps: u32,
) -> Result<Vec<RetentionPoint>, ValueError> {
    let steps = steps.max(2);
    (0..steps)
        .map(|i| {
            let r = from + (to - from) * f64::from(i) / f64::from(steps - 1);
            let clv = simple_clv(margin, r, discount)?;
            Ok(RetentionPoint {
                retention: r,
                clv,
                equity: clv * customers,
            })
        })
        .collect()
}

/// A segment's economics for budget allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentEconomics {
    /// Segment name.
    pub name: String,
    /// Customers in the segment.
    pub customers: f64,
    /// Value at stake: the most the segment's value can rise with full effort
    /// (for instance customers × mean CLV × achievable lift).
    pub value_at_stake: f64,
    /// Spend at which about 63% of the value at stake is realised (1 − e⁻¹); the saturation scale.
    pub saturation_spend: f64,
}

/// The saturation spend a segment gets unless the user sets one: an equal share of the budget,
/// `budget / segments` (at least 1, so a zero budget still has a positive scale).
pub fn default_saturation_spend(budget: f64, segments: usize) -> f64 {
    (budget / (segments.max(1) as f64)).max(1.0)
}

/// The value per customer the budget split puts at stake for a segment: its mean CLV when a
/// lifetime-value model gave one, otherwise its historical revenue per customer (the page says
/// which basis it used).
pub fn value_per_customer(f: &SegmentFigures) -> f64 {
    f.mean_clv
        .unwrap_or(f.revenue / (f.customers.max(1) as f64))
}

/// Each segment's economics for [`allocate_budget`]: value at stake = customers × value per
/// customer ([`value_per_customer`], negatives counted as 0) × `lift_percent` / 100, and the
/// saturation spend the user set for it in `saturation` (by segment name) or else
/// [`default_saturation_spend`]. The Value & strategy page's budget split.
pub fn segment_economics(
    figures: &[SegmentFigures],
    budget: f64,
    lift_percent: f64,
    saturation: &std::collections::HashMap<String, f64>,
) -> Vec<SegmentEconomics> {
    let default_sat = default_saturation_spend(budget, figures.len());
    figures
        .iter()
        .map(|f| SegmentEconomics {
            name: f.segment.clone(),
            customers: f.customers as f64,
            value_at_stake: f.customers as f64 * value_per_customer(f).max(0.0) * lift_percent
                / 100.0,
            saturation_spend: saturation.get(&f.segment).copied().unwrap_or(default_sat),
        })
        .collect()
}

/// A segment's share of the budget and the value it is expected to bring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// Segment name.
    pub name: String,
    /// Budget given to it.
    pub spend: f64,
    /// Expected value gained: value_at_stake · (1 − exp(−spend / saturation_spend)).
    pub expected_gain: f64,
    /// Gain per unit of the last spend (the marginal return where the allocation stopped).
    pub marginal_return: f64,
}

/// Splits `budget` across segments to maximise the total expected gain, with a concave
/// (diminishing-returns) response per segment: gain = V · (1 − exp(−s / k)). The optimum equalises
/// marginal returns V/k · exp(−s/k) across funded segments; it is found by bisection on that
/// common marginal return, so it is exact up to rounding.
///
/// # Errors
/// [`ValueError`] when the budget is negative or a segment's saturation spend is not positive.
pub fn allocate_budget(
    segments: &[SegmentEconomics],
    budget: f64,
) -> Result<Vec<Allocation>, ValueError> {
    check("budget", budget, budget >= 0.0, "zero or more")?;
    for s in segments {
        check(
            "saturation_spend",
            s.saturation_spend,
            s.saturation_spend > 0.0,
            "positive",
        )?;
    }
    // Spend in segment i at marginal return λ: s = k ln(V / (k λ)) when V/k > λ, else 0.
    let spend_at = |lambda: f64| -> Vec<f64> {
        segments
            .iter()
            .map(|s| {
                let top = s.value_at_stake.max(0.0) / s.saturation_spend;
                if top > lambda && lambda > 0.0 {
                    s.saturation_spend * (top / lambda).ln()
                } else {
                    0.0
                }
            })
            .collect()
    };
    let max_top = segments
        .iter()
        .map(|s| s.value_at_stake.max(0.0) / s.saturation_spend)
        .fold(0.0, f64::max);
    let spends = if budget == 0.0 || max_top <= 0.0 {
        vec![0.0; segments.len()]
    } else {
        let (mut lo, mut hi) = (max_top * 1e-15, max_top);
        for _ in 0..200 {
            let mid = (lo * hi).sqrt();
            let total: f64 = spend_at(mid).iter().sum();
            if total > budget {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let s = spend_at(hi);
        let total: f64 = s.iter().sum();
        // Scale the small rounding gap so the budget is spent exactly.
        if total > 0.0 {
            s.iter().map(|v| v * budget / total).collect()
        } else {
            s
        }
    };
    Ok(segments
        .iter()
        .zip(spends)
        .map(|(s, spend)| {
            let e = (-spend / s.saturation_spend).exp();
            Allocation {
                name: s.name.clone(),
                spend,
                expected_gain: s.value_at_stake.max(0.0) * (1.0 - e),
                marginal_return: s.value_at_stake.max(0.0) / s.saturation_spend * e,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_clv_matches_the_closed_form_and_the_period_sum() {
        // m = 100, r = 0.8, d = 0.1: 100 · 0.8 / 0.3 = 266.67.
        let v = simple_clv(100.0, 0.8, 0.1).unwrap();
        assert!((v - 266.666_666_7).abs() < 1e-6);
        let sum: f64 = (1..2000)
            .map(|t| 100.0 * 0.8f64.powi(t) / 1.1f64.powi(t))
            .sum();
        assert!((v - sum).abs() < 1e-6);
        assert_eq!(simple_clv(1.0, 1.0, 0.1).unwrap_err().name, "retention");
    }

    #[test]
    fn firm_value_adds_discounted_future_cohorts() {
        // 10 new per period, net 50 each, d = 0.1, 2 periods: 500/1.1 + 500/1.21 = 867.77.
        let f = firm_value(&FirmValueInputs {
            current_equity: 1000.0,
            new_per_period: 10.0,
            clv_new: 80.0,
            acquisition_cost: 30.0,
            discount: 0.1,
            periods: 2,
        })
        .unwrap();
        assert!((f.future - 867.768_595).abs() < 1e-5);
        assert!((f.total - 1_867.768_595).abs() < 1e-5);
    }

    #[test]
    fn return_on_customer_counts_the_change_in_equity() {
        // Cash 100, equity 1000 → 950: (100 − 50) / 1000 = 5%.
        assert!((return_on_customer(100.0, 1000.0, 950.0).unwrap() - 0.05).abs() < 1e-12);
        assert!(return_on_customer(1.0, 0.0, 1.0).is_err());
    }

    #[test]
    fn budget_goes_where_marginal_returns_are_equal_and_sums_to_the_budget() {
        let segs = vec![
            SegmentEconomics {
                name: "A".into(),
                customers: 100.0,
                value_at_stake: 10_000.0,
                saturation_spend: 1_000.0,
            },
            SegmentEconomics {
                name: "B".into(),
                customers: 100.0,
                value_at_stake: 2_000.0,
                saturation_spend: 1_000.0,
            },
            SegmentEconomics {
                name: "C".into(),
                customers: 100.0,
                value_at_stake: 100.0,
                saturation_spend: 1_000.0,
            },
        ];
        let a = allocate_budget(&segs, 2_000.0).unwrap();
        let total: f64 = a.iter().map(|x| x.spend).sum();
        assert!((total - 2_000.0).abs() < 1e-6);
        // Closed form: A and B funded with s_A − s_B = k ln(V_A/V_B) = 1000 ln 5 = 1609.4.
        assert!((a[0].spend - a[1].spend - 1_609.437_912).abs() < 1e-3);
        assert!((a[0].marginal_return - a[1].marginal_return).abs() < 1e-6);
        assert_eq!(a[2].spend, 0.0);
        assert_eq!(allocate_budget(&segs, -1.0).unwrap_err().name, "budget");
    }

    #[test]
    fn retention_curve_rises_steeply() {
        let c = retention_curve(100.0, 0.1, 10.0, 0.5, 0.9, 5).unwrap();
        assert_eq!(c.len(), 5);
        assert!(c.windows(2).all(|w| w[1].clv > w[0].clv));
        assert!((c[4].equity - 10.0 * 450.0).abs() < 1e-9);
    }
}
