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

/// Per-customer predictions as columns in the customers' order, without the ids (what the
/// Lifetime value page keeps): the same figures as [`predict_customers`], bit for bit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredictionColumns {
    /// P(alive).
    pub p_alive: Vec<f64>,
    /// Expected purchases in the next `purchase_horizon` time units.
    pub expected_purchases: Vec<f64>,
    /// Expected spend per purchase.
    pub expected_spend: Vec<f64>,
    /// Why a spend figure is a stated fallback (see [`CustomerPrediction::spend_fallback`]).
    pub spend_fallback: Vec<Option<SpendFallback>>,
    /// CLV over the horizon, discounted, times the margin rate.
    pub clv: Vec<f64>,
}

/// Predictions for every customer, as columns. Spend: the Gamma-Gamma estimate when `spend` is
/// given ([`FittedGammaGamma::spend_estimate`]: the conditional mean, population mean for
/// x = 0, or a stated fallback); otherwise the customer's own mean repeat spend, or the mean
/// over repeaters for x = 0.
///
/// The costly part of the conditional expectation (the hypergeometric term) does not depend on
/// t_x ([`BtydModel::conditional_factor`]): customers are taken in (x, T, t_x) order, so it is
/// worked out once per distinct (x, T) for every month and the purchase horizon together, and
/// P(alive), expected purchases and CLV per unit of spend once per distinct (x, t_x, T). The
/// figures are those of [`customer_clv`], [`FittedModel::p_alive`] and
/// [`FittedModel::conditional_expected_purchases`], bit for bit.
///
/// # Errors
/// [`ClvError::InvalidParameter`] for bad settings, [`ClvError::InvalidRecord`] for the first
/// bad row.
pub fn predict_columns(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    settings: &ClvSettings,
) -> Result<PredictionColumns, ClvError> {
    settings.check()?;
    for (i, c) in customers.iter().enumerate() {
        check_record(i, c)?;
    }
    let (mut rep_sum, mut rep_n) = (0.0f64, 0usize);
    for c in customers.iter().filter(|c| c.x > 0.0) {
        rep_sum += c.monetary;
        rep_n += 1;
    }
    let fallback = if rep_n == 0 {
        0.0
    } else {
        rep_sum / rep_n as f64
    };
    let n = customers.len();
    let mut out = PredictionColumns {
        p_alive: vec![0.0; n],
        expected_purchases: vec![0.0; n],
        expected_spend: Vec::with_capacity(n),
        spend_fallback: Vec::with_capacity(n),
        clv: vec![0.0; n],
    };
    for c in customers {
        let (sp, fb) = match spend {
            Some(g) => {
                let e = g.spend_estimate(c.x, c.monetary);
                (e.value, e.fallback)
            }
            None if c.x > 0.0 => (c.monetary, None),
            None => (fallback, None),
        };
        out.expected_spend.push(sp);
        out.spend_fallback.push(fb);
    }
    let periods = settings.periods as usize;
    // The end of each month, then the purchase horizon.
    let horizons: Vec<f64> = (1..=settings.periods)
        .map(|i| f64::from(i) * settings.units_per_period)
        .chain(std::iter::once(settings.purchase_horizon))
        .collect();
    let key = |c: &CustomerRecord| [c.x.to_bits(), c.t.to_bits(), c.t_x.to_bits()];
    let order = order_by(customers, key);
    let m = &model.model;
    let mut factors = vec![0.0f64; periods + 1];
    let mut xt: Option<[u64; 2]> = None;
    let mut last: Option<([u64; 3], (f64, f64, f64))> = None;
    for &i in &order {
        let i = i as usize;
        let Some(c) = customers.get(i) else { continue };
        let k = key(c);
        let (p_alive, expected, per_unit) = match last {
            Some((lk, v)) if lk == k => v,
            _ => {
                if xt != Some([k[0], k[1]]) {
                    m.conditional_factors(&horizons, c.x, c.t, &mut factors);
                    xt = Some([k[0], k[1]]);
                }
                let w = m.conditional_weight(c.x, c.t_x, c.t);
                let p_alive = match m {
                    BtydModel::ParetoNbd(_) => w,
                    _ => model.p_alive(c.x, c.t_x, c.t),
                };
                let expected = m.conditional_combine(factors[periods], w);
                // The sum of `clv_per_unit_spend`, term by term.
                let (mut total, mut prev, mut disc) = (0.0, 0.0, 1.0);
                for &f in &factors[..periods] {
                    let e = m.conditional_combine(f, w);
                    disc /= 1.0 + settings.discount_rate;
                    total += settings.margin_rate * (e - prev) * disc;
                    prev = e;
                }
                let v = (p_alive, expected, total);
                last = Some((k, v));
                v
            }
        };
        out.p_alive[i] = p_alive;
        out.expected_purchases[i] = expected;
        out.clv[i] = out.expected_spend[i] * per_unit;
    }
    Ok(out)
}

/// The customers' indices in the order of `key` (ties in index order). The keys sit beside the
/// indices, so sorting reads them in place, not through the customers.
fn order_by<const N: usize>(
    customers: &[CustomerRecord],
    key: impl Fn(&CustomerRecord) -> [u64; N],
) -> Vec<u32> {
    let mut keyed: Vec<([u64; N], u32)> = customers
        .iter()
        .enumerate()
        .map(|(i, c)| (key(c), i as u32))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Every customer's expected purchases in the next `horizon` time units, in the customers'
/// order: [`FittedModel::conditional_expected_purchases`] bit for bit, its costly part worked
/// out once per distinct (x, T) (customers taken in (x, T) order). Rows are not checked.
pub fn conditional_expected_each(
    model: &FittedModel,
    customers: &[CustomerRecord],
    horizon: f64,
) -> Vec<f64> {
    let key = |c: &CustomerRecord| [c.x.to_bits(), c.t.to_bits()];
    let order = order_by(customers, key);
    let m = &model.model;
    let mut out = vec![0.0f64; customers.len()];
    let mut factor = [0.0f64];
    let mut xt: Option<[u64; 2]> = None;
    for &i in &order {
        let i = i as usize;
        let Some(c) = customers.get(i) else { continue };
        if xt != Some(key(c)) {
            m.conditional_factors(&[horizon], c.x, c.t, &mut factor);
            xt = Some(key(c));
        }
        out[i] = m.conditional_combine(factor[0], m.conditional_weight(c.x, c.t_x, c.t));
    }
    out
}

/// Predictions for every customer, with their ids: [`predict_columns`] row by row.
///
/// # Errors
/// As [`predict_columns`].
pub fn predict_customers(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    settings: &ClvSettings,
) -> Result<Vec<CustomerPrediction>, ClvError> {
    let cols = predict_columns(model, spend, customers, settings)?;
    Ok(customers
        .iter()
        .enumerate()
        .map(|(i, c)| CustomerPrediction {
            id: c.id.clone(),
            x: c.x,
            t_x: c.t_x,
            t: c.t,
            p_alive: cols.p_alive[i],
            expected_purchases: cols.expected_purchases[i],
            expected_spend: cols.expected_spend[i],
            spend_fallback: cols.spend_fallback[i],
            clv: cols.clv[i],
        })
        .collect())
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

/// [`base_totals`] of prediction columns (same order of summation, same figures).
pub fn base_totals_columns(cols: &PredictionColumns, customers: &[CustomerRecord]) -> BaseTotals {
    let add = |acc: &mut f64, w: f64, v: f64| {
        if v.is_finite() {
            *acc += w * v;
        }
    };
    let mut t = BaseTotals::default();
    for (i, c) in customers.iter().enumerate() {
        t.customers += c.weight;
        let at = |v: &[f64]| v.get(i).copied().unwrap_or(f64::NAN);
        add(&mut t.equity, c.weight, at(&cols.clv));
        add(
            &mut t.expected_purchases,
            c.weight,
            at(&cols.expected_purchases),
        );
        add(&mut t.expected_active, c.weight, at(&cols.p_alive));
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

    /// Customers sharing (x, T) with different t_x, sharing (x, t_x, T), and all distinct.
    fn many_customers() -> Vec<CustomerRecord> {
        let mut st = 11u64;
        let mut u = || {
            st = st
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (st >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..3000)
            .map(|i| {
                let x = (u() * 12.0).floor();
                let t = if i % 3 == 0 {
                    (u() * 10.0).floor() * 4.0
                } else {
                    u() * 60.0
                };
                let t_x = if x == 0.0 {
                    0.0
                } else if i % 2 == 0 {
                    (t * u() * 4.0).floor() / 4.0
                } else {
                    t * u()
                };
                let m = if x > 0.0 { 5.0 + 50.0 * u() } else { 0.0 };
                CustomerRecord::from_stats(i.to_string(), x, t_x, t, m)
            })
            .collect()
    }

    #[test]
    fn grouped_predictions_are_the_per_customer_formulas_bit_for_bit() {
        use crate::domain::clv::{FittedModel, MbgNbd, ParetoNbd};
        let customers = many_customers();
        let models = [
            BtydModel::BgNbd(BgNbd::CDNOW),
            BtydModel::MbgNbd(MbgNbd {
                r: 0.5,
                alpha: 6.0,
                a: 1.4,
                b: 3.0,
            }),
            BtydModel::ParetoNbd(ParetoNbd {
                r: 0.55,
                alpha: 10.6,
                s: 0.61,
                beta: 11.7,
            }),
        ];
        let s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 0.4);
        for m in models {
            let fit = FittedModel::of_model(m);
            let preds = predict_customers(&fit, None, &customers, &s).unwrap();
            let cols = predict_columns(&fit, None, &customers, &s).unwrap();
            for (i, (c, p)) in customers.iter().zip(&preds).enumerate() {
                let spend = p.expected_spend;
                let want = [
                    m.p_alive(c.x, c.t_x, c.t),
                    m.conditional_expected_purchases(s.purchase_horizon, c.x, c.t_x, c.t),
                    customer_clv(&m, c.x, c.t_x, c.t, spend, &s),
                ];
                let got = [p.p_alive, p.expected_purchases, p.clv];
                for (g, w) in got.iter().zip(want) {
                    assert!(
                        g.to_bits() == w.to_bits() || (g - w).abs() <= 1e-12 * w.abs(),
                        "{m:?} customer {i}: {g} vs {w}"
                    );
                }
                assert_eq!(cols.clv[i].to_bits(), p.clv.to_bits());
            }
            let (a, b) = (
                base_totals(&preds, &customers),
                base_totals_columns(&cols, &customers),
            );
            assert_eq!(a, b);
        }
    }
}
