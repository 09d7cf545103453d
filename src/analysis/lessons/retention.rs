//! Retention economics (Reichheld & Sasser, 1990, "Zero defections"): the profit a customer
//! brings grows with the years of the relationship (base profit, growth in spending, lower
//! operating cost, referrals, price premium), so a few points of retention move the value of
//! the whole base a lot.
//!
//! Conventions: all `customers` are there in year 1; `customers · r^(t−1)` are left in year t;
//! each year's profit comes at the year's end and is discounted by (1 + d)^t. Years beyond the
//! profit table keep the last year's profit. Customer equity = Σ_t customers · r^(t−1) ·
//! profit_t / (1 + d)^t over the horizon, less the acquisition cost paid at the start.

use super::{check, LessonError};

/// The five sources of profit in one year of the relationship.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YearProfit {
    /// Base profit.
    pub base: f64,
    /// Profit from growth in spending.
    pub growth: f64,
    /// Profit from lower operating cost.
    pub cost_savings: f64,
    /// Profit from referrals.
    pub referrals: f64,
    /// Profit from the price premium.
    pub price_premium: f64,
}

impl YearProfit {
    /// The sum of the five sources.
    pub fn total(&self) -> f64 {
        self.base + self.growth + self.cost_savings + self.referrals + self.price_premium
    }
}

/// The lesson's default table (years 1 to 7), in the shape of Reichheld & Sasser's figure.
pub fn default_years() -> Vec<YearProfit> {
    let growth = [0.0, 5.0, 10.0, 15.0, 20.0, 24.0, 27.0];
    let cost = [0.0, 3.0, 6.0, 8.0, 10.0, 11.0, 12.0];
    let referrals = [0.0, 2.0, 4.0, 6.0, 8.0, 9.0, 10.0];
    let premium = [0.0, 1.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    (0..7)
        .map(|i| YearProfit {
            base: 25.0,
            growth: growth[i],
            cost_savings: cost[i],
            referrals: referrals[i],
            price_premium: premium[i],
        })
        .collect()
}

/// Inputs of the base's value.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseInputs {
    /// Customers in the base at the start.
    pub customers: f64,
    /// Retention per year.
    pub retention: f64,
    /// Points of retention added (0.05 = five points).
    pub delta: f64,
    /// Discount rate per year.
    pub discount: f64,
    /// Years counted.
    pub horizon: u32,
    /// Acquisition cost per customer, paid at the start (not discounted).
    pub acquisition_cost: f64,
}

/// One year of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseYear {
    /// Year, from 1.
    pub year: u32,
    /// Profit per customer in that year.
    pub profit: f64,
    /// Customers left at retention r.
    pub customers: f64,
    /// Customers left at retention r + Δ.
    pub customers_more: f64,
    /// Discounted profit of the base at r.
    pub value: f64,
    /// Discounted profit of the base at r + Δ.
    pub value_more: f64,
}

/// The comparison of r and r + Δ.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseValue {
    /// Year by year.
    pub years: Vec<BaseYear>,
    /// Customer equity at r (discounted profits − acquisition cost of the base).
    pub equity: f64,
    /// Customer equity at r + Δ.
    pub equity_more: f64,
    /// (equity_more − equity) / |equity|, in percent.
    pub change_pct: f64,
}

/// The base's value at r and r + Δ.
///
/// # Errors
/// [`LessonError`] naming the input out of range (retention and r + Δ in [0, 1], discount
/// > −1, horizon 1..=100, a non-empty profit table).
pub fn base_value(years: &[YearProfit], i: &BaseInputs) -> Result<BaseValue, LessonError> {
    check("customers", i.customers, i.customers >= 0.0, "zero or more")?;
    check(
        "retention",
        i.retention,
        (0.0..=1.0).contains(&i.retention),
        "between 0 and 1",
    )?;
    let more = i.retention + i.delta;
    check(
        "retention + points added",
        more,
        (0.0..=1.0).contains(&more),
        "between 0 and 1",
    )?;
    check("discount", i.discount, i.discount > -1.0, "greater than −1")?;
    check(
        "horizon",
        f64::from(i.horizon),
        (1..=100).contains(&i.horizon),
        "1 to 100 years",
    )?;
    check("acquisition cost", i.acquisition_cost, true, "a number")?;
    let last = years.last().ok_or(LessonError {
        input: "profit table".into(),
        expected: "at least one year".into(),
        found: 0.0,
    })?;
    let mut out = Vec::new();
    let (mut equity, mut equity_more) = (0.0, 0.0);
    for t in 1..=i.horizon {
        let profit = years.get(t as usize - 1).unwrap_or(last).total();
        let df = (1.0 + i.discount).powf(f64::from(t));
        let customers = i.customers * i.retention.powf(f64::from(t - 1));
        let customers_more = i.customers * more.powf(f64::from(t - 1));
        let value = customers * profit / df;
        let value_more = customers_more * profit / df;
        equity += value;
        equity_more += value_more;
        out.push(BaseYear {
            year: t,
            profit,
            customers,
            customers_more,
            value,
            value_more,
        });
    }
    let acq = i.customers * i.acquisition_cost;
    equity -= acq;
    equity_more -= acq;
    let change_pct = if equity != 0.0 {
        100.0 * (equity_more - equity) / equity.abs()
    } else {
        0.0
    };
    Ok(BaseValue {
        years: out,
        equity,
        equity_more,
        change_pct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_total_is_the_sum_of_the_five_sources() {
        // Year 2 of the default table: 25 + 5 + 3 + 2 + 1 = 36.
        assert!((default_years()[1].total() - 36.0).abs() < 1e-12);
    }

    #[test]
    fn base_value_matches_hand_computation() {
        // Profits 10 then 20 (year 3 repeats 20); 100 customers, r = 0.5, Δ = 0.1, d = 0.
        // r = 0.5: 100·10 + 50·20 + 25·20 = 1000 + 1000 + 500 = 2500
        // r = 0.6: 100·10 + 60·20 + 36·20 = 1000 + 1200 + 720 = 2920
        // acquisition 1 per customer: 2400 and 2820; change = 420 / 2400 = 17.5 %
        let years = [
            YearProfit {
                base: 10.0,
                ..Default::default()
            },
            YearProfit {
                base: 15.0,
                growth: 5.0,
                ..Default::default()
            },
        ];
        let i = BaseInputs {
            customers: 100.0,
            retention: 0.5,
            delta: 0.1,
            discount: 0.0,
            horizon: 3,
            acquisition_cost: 1.0,
        };
        let v = base_value(&years, &i).unwrap();
        assert!((v.years[2].customers - 25.0).abs() < 1e-9);
        assert!((v.years[2].customers_more - 36.0).abs() < 1e-9);
        assert!((v.equity - 2400.0).abs() < 1e-9);
        assert!((v.equity_more - 2820.0).abs() < 1e-9);
        assert!((v.change_pct - 17.5).abs() < 1e-9);
    }

    #[test]
    fn discounting_divides_each_year_by_one_plus_d_to_the_t() {
        // One year, profit 110, 1 customer, d = 0.1: 110 / 1.1 = 100.
        let years = [YearProfit {
            base: 110.0,
            ..Default::default()
        }];
        let i = BaseInputs {
            customers: 1.0,
            retention: 0.9,
            delta: 0.0,
            discount: 0.1,
            horizon: 1,
            acquisition_cost: 0.0,
        };
        assert!((base_value(&years, &i).unwrap().equity - 100.0).abs() < 1e-9);
    }

    #[test]
    fn retention_above_one_is_refused() {
        let i = BaseInputs {
            customers: 1.0,
            retention: 0.98,
            delta: 0.05,
            discount: 0.1,
            horizon: 5,
            acquisition_cost: 0.0,
        };
        let e = base_value(&default_years(), &i).unwrap_err();
        assert_eq!(e.input, "retention + points added");
    }
}
