//! Customer lifetime value from a fitted model: the settings (units explicit), the discounted
//! sum of expected purchase increments, per-customer predictions and customer equity.

use super::gammagamma::SpendFallback;
use super::params::check_record;
use super::{BtydModel, ClvError, FittedGammaGamma, FittedModel};
use crate::domain::customers::{CustomerRecord, TimeUnit};
use serde::{Deserialize, Serialize};

/// Settings of the per-customer CLV: all units explicit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvSettings {
    /// Time unit of the model (t_x, T).
    pub model_time_unit: TimeUnit,
    /// Horizon of `expected_purchases`, in model time units (e.g. 52 weeks).
    pub purchase_horizon: f64,
    /// Number of discount periods in the CLV horizon (e.g. 12 months).
    pub periods: u32,
    /// Model time units per discount period (k; e.g. 4.345 weeks per month).
    pub units_per_period: f64,
    /// Discount rate per discount period (e.g. 0.01 per month).
    pub discount_rate: f64,
    /// Margin as a share of spend (1 = revenue).
    pub margin_rate: f64,
}

impl ClvSettings {
    /// Monthly discounting with the lifetimes convention: a month is 4.345 weeks, 30 days.
    pub fn monthly(
        model_time_unit: TimeUnit,
        months: u32,
        discount_rate: f64,
        margin_rate: f64,
    ) -> ClvSettings {
        let units_per_period = match model_time_unit {
            TimeUnit::Day => 30.0,
            TimeUnit::Week => 4.345,
            TimeUnit::Month => 1.0,
        };
        ClvSettings {
            model_time_unit,
            purchase_horizon: match model_time_unit {
                TimeUnit::Day => 365.0,
                TimeUnit::Week => 52.0,
                TimeUnit::Month => 12.0,
            },
            periods: months,
            units_per_period,
            discount_rate,
            margin_rate,
        }
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming the field.
    pub fn check(&self) -> Result<&Self, ClvError> {
        if !(self.purchase_horizon.is_finite() && self.purchase_horizon >= 0.0) {
            return Err(ClvError::invalid(
                "purchase_horizon",
                self.purchase_horizon,
                "must be ≥ 0",
            ));
        }
        if self.periods == 0 || self.periods > 1200 {
            return Err(ClvError::invalid(
                "periods",
                f64::from(self.periods),
                "must be 1..=1200",
            ));
        }
        if !(self.units_per_period.is_finite() && self.units_per_period > 0.0) {
            return Err(ClvError::invalid(
                "units_per_period",
                self.units_per_period,
                "must be > 0",
            ));
        }
        if !(self.discount_rate.is_finite()
            && self.discount_rate > -1.0
            && self.discount_rate < 10.0)
        {
            return Err(ClvError::invalid(
                "discount_rate",
                self.discount_rate,
                "must be in (−1, 10)",
            ));
        }
        if !(self.margin_rate.is_finite() && self.margin_rate >= 0.0 && self.margin_rate <= 1.0) {
            return Err(ClvError::invalid(
                "margin_rate",
                self.margin_rate,
                "must be in [0, 1]",
            ));
        }
        Ok(self)
    }
}

/// Per-customer predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPrediction {
    /// Customer id.
    pub id: String,
    /// Repeat purchases.
    pub x: f64,
    /// Recency.
    pub t_x: f64,
    /// Age.
    pub t: f64,
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases in the next `purchase_horizon` time units.
    pub expected_purchases: f64,
    /// Expected spend per purchase (always finite).
    pub expected_spend: f64,
    /// Why `expected_spend` is a stated fallback rather than the Gamma-Gamma conditional mean
    /// (`None`: the model's mean, or no spend model).
    #[serde(default)]
    pub spend_fallback: Option<SpendFallback>,
    /// CLV over the horizon, discounted, times the margin rate.
    pub clv: f64,
}

/// CLV of one customer: Σ_{i=1..H} margin · spend · (E[X(ik)] − E[X((i−1)k)]) / (1+d)^i.
pub fn customer_clv(
    model: &BtydModel,
    x: f64,
    t_x: f64,
    t: f64,
    spend: f64,
    s: &ClvSettings,
) -> f64 {
    spend * clv_per_unit_spend(model, x, t_x, t, s)
}

/// CLV of a customer per unit of expected spend: Σᵢ m · (E[Y(i·k)] − E[Y((i−1)·k)]) / (1+d)ⁱ.
/// CLV is linear in spend, so customers with the same (x, t_x, T) share this factor.
pub(crate) fn clv_per_unit_spend(
    model: &BtydModel,
    x: f64,
    t_x: f64,
    t: f64,
    s: &ClvSettings,
) -> f64 {
    let mut total = 0.0;
    let mut prev = 0.0;
    let mut disc = 1.0;
    for i in 1..=s.periods {
        let e = model.conditional_expected_purchases(f64::from(i) * s.units_per_period, x, t_x, t);
        disc /= 1.0 + s.discount_rate;
        total += s.margin_rate * (e - prev) * disc;
        prev = e;
    }
    total
}

/// Predictions for every customer. Spend: the Gamma-Gamma estimate when `spend` is given
/// ([`FittedGammaGamma::spend_estimate`]: the conditional mean, population mean for x = 0, or
/// a stated fallback carried on the prediction); otherwise the customer's own mean repeat
/// spend, or the mean over repeaters for x = 0.
///
/// # Errors
/// [`ClvError::InvalidParameter`] for bad settings, [`ClvError::InvalidRecord`] for bad rows.
pub fn predict_customers(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    settings: &ClvSettings,
) -> Result<Vec<CustomerPrediction>, ClvError> {
    settings.check()?;
    let repeaters: Vec<&CustomerRecord> = customers.iter().filter(|c| c.x > 0.0).collect();
    let fallback = if repeaters.is_empty() {
        0.0
    } else {
        repeaters.iter().map(|c| c.monetary).sum::<f64>() / repeaters.len() as f64
    };
    // Customers with the same (x, t_x, T) share P(alive), expected purchases and CLV per unit
    // of spend: each distinct triple is worked out once (summaries of dated logs repeat them a
    // lot).
    let mut memo: std::collections::HashMap<[u64; 3], (f64, f64, f64)> =
        std::collections::HashMap::new();
    customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            check_record(i, c)?;
            let (sp, spend_fallback) = match spend {
                Some(g) => {
                    let e = g.spend_estimate(c.x, c.monetary);
                    (e.value, e.fallback)
                }
                None if c.x > 0.0 => (c.monetary, None),
                None => (fallback, None),
            };
            let key = [c.x.to_bits(), c.t_x.to_bits(), c.t.to_bits()];
            let (p_alive, expected_purchases, clv_unit) = *memo.entry(key).or_insert_with(|| {
                (
                    model.p_alive(c.x, c.t_x, c.t),
                    model.conditional_expected_purchases(
                        settings.purchase_horizon,
                        c.x,
                        c.t_x,
                        c.t,
                    ),
                    clv_per_unit_spend(&model.model, c.x, c.t_x, c.t, settings),
                )
            });
            Ok(CustomerPrediction {
                id: c.id.clone(),
                x: c.x,
                t_x: c.t_x,
                t: c.t,
                p_alive,
                expected_purchases,
                expected_spend: sp,
                spend_fallback,
                clv: sp * clv_unit,
            })
        })
        .collect()
}

/// Totals over a customer base, each row counted `weight` times (a row of a grouped summary
/// stands for that many identical customers).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BaseTotals {
    /// Customers (sum of weights).
    pub customers: f64,
    /// Customer equity: Σ weight · CLV.
    pub equity: f64,
    /// Σ weight · expected purchases over the purchase horizon.
    pub expected_purchases: f64,
    /// Customers expected to be still active: Σ weight · P(alive).
    pub expected_active: f64,
}

impl BaseTotals {
    /// Average CLV per customer (0 without customers).
    pub fn average_clv(&self) -> f64 {
        if self.customers > 0.0 {
            self.equity / self.customers
        } else {
            0.0
        }
    }
}

/// The totals of `predictions` (in the order of `customers`, whose weights count each row).
/// Non-finite figures are left out of their sum.
pub fn base_totals(predictions: &[CustomerPrediction], customers: &[CustomerRecord]) -> BaseTotals {
    let add = |acc: &mut f64, w: f64, v: f64| {
        if v.is_finite() {
            *acc += w * v;
        }
    };
    let mut t = BaseTotals::default();
    for (p, c) in predictions.iter().zip(customers) {
        t.customers += c.weight;
        add(&mut t.equity, c.weight, p.clv);
        add(&mut t.expected_purchases, c.weight, p.expected_purchases);
        add(&mut t.expected_active, c.weight, p.p_alive);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::BgNbd;

    #[test]
    fn bad_settings_name_the_parameter() {
        let mut s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        assert_eq!(s.units_per_period, 4.345);
        s.margin_rate = 1.5;
        assert!(s.check().unwrap_err().to_string().contains("margin_rate"));
        s.margin_rate = 1.0;
        s.periods = 0;
        assert!(s.check().unwrap_err().to_string().contains("periods"));
    }

    #[test]
    fn clv_is_the_discounted_sum_of_expected_purchase_increments() {
        let m = BtydModel::BgNbd(BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        });
        let s = ClvSettings {
            model_time_unit: TimeUnit::Week,
            purchase_horizon: 52.0,
            periods: 3,
            units_per_period: 4.0,
            discount_rate: 0.1,
            margin_rate: 0.5,
        };
        let e = |t: f64| m.conditional_expected_purchases(t, 2.0, 20.0, 30.0);
        let want =
            0.5 * 40.0 * (e(4.0) / 1.1 + (e(8.0) - e(4.0)) / 1.21 + (e(12.0) - e(8.0)) / 1.331);
        let got = customer_clv(&m, 2.0, 20.0, 30.0, 40.0, &s);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
}
