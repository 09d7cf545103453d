//! The value of a customer by month: the discounted margin of each month of the horizon from a
//! cumulative expected-purchases curve (the unconditional E\[X(t)] of a customer not yet
//! acquired, or a current customer's conditional expectation), and the payback month against
//! an acquisition cost. Same sum, same order, as the per-customer CLV in `value`.

use super::intervals::{draw_parameter_sets, quantile_range, spend_under, IntervalSettings, Range};
use super::{BtydModel, ClvError, ClvSettings, FittedGammaGamma, FittedModel};

/// Discounted margin per unit of spend in each month i = 1..=periods of the horizon:
/// m · (E(i·k) − E((i−1)·k)) / (1 + d)^i, where `cumulative(t)` is the expected number of
/// purchases in the next t model time units. Their sum times the spend is the CLV.
pub fn unit_schedule(cumulative: impl Fn(f64) -> f64, s: &ClvSettings) -> Vec<f64> {
    let mut prev = 0.0;
    let mut disc = 1.0;
    (1..=s.periods)
        .map(|i| {
            let e = cumulative(f64::from(i) * s.units_per_period);
            disc /= 1.0 + s.discount_rate;
            let v = s.margin_rate * (e - prev) * disc;
            prev = e;
            v
        })
        .collect()
}

/// Discounted margin per unit of spend by month for a customer not yet acquired: from the
/// model's unconditional E\[X(t)] (repeat purchases after the first; the first purchase, made
/// at acquisition, is not counted, as in every CLV here).
pub fn new_customer_unit_schedule(model: &BtydModel, s: &ClvSettings) -> Vec<f64> {
    unit_schedule(|t| model.expected_purchases(t), s)
}

/// The range of a new customer's value (Σ of [`new_customer_unit_schedule`] × the expected
/// spend of a customer not yet acquired) over parameter sets drawn from the fits' asymptotic
/// normal distribution ([`draw_parameter_sets`]), with the notes on what was held fixed.
/// `spend` is the Gamma-Gamma fit (its population mean, drawn with the purchase model when it
/// has a covariance); without it every set uses `fixed_spend`.
///
/// # Errors
/// As [`draw_parameter_sets`]; [`ClvError::NotEnoughData`] when fewer than two sets give a
/// finite value.
pub fn new_customer_value_range(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    fixed_spend: f64,
    s: &ClvSettings,
    interval: &IntervalSettings,
) -> Result<(Range, Vec<String>), ClvError> {
    let (sets, notes) = draw_parameter_sets(model, spend, interval)?;
    let mut values: Vec<f64> = sets
        .iter()
        .map(|set| {
            let per_purchase = match (spend, set.spend) {
                (Some(g), Some(p)) => spend_under(g, p, 0.0, 0.0),
                _ => fixed_spend,
            };
            per_purchase
                * new_customer_unit_schedule(&set.model, s)
                    .iter()
                    .sum::<f64>()
        })
        .collect();
    let range =
        quantile_range(&mut values, interval.level).ok_or_else(|| ClvError::NotEnoughData {
            reason: String::from("fewer than two parameter draws gave a finite new-customer value"),
        })?;
    Ok((range, notes))
}

/// The first month (1-based) at which `already` plus the cumulative sum of `schedule` reaches
/// `cost`; `Some(0)` when `already` does; `None` when not within the schedule's horizon.
pub fn payback_month(schedule: &[f64], already: f64, cost: f64) -> Option<u32> {
    if already >= cost {
        return Some(0);
    }
    let mut cum = already;
    for (i, v) in schedule.iter().enumerate() {
        cum += v;
        if cum >= cost {
            return u32::try_from(i + 1).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::BgNbd;
    use crate::domain::customers::TimeUnit;

    fn settings(periods: u32, k: f64, d: f64, m: f64) -> ClvSettings {
        ClvSettings {
            model_time_unit: TimeUnit::Month,
            purchase_horizon: 12.0,
            periods,
            units_per_period: k,
            discount_rate: d,
            margin_rate: m,
        }
    }

    #[test]
    fn schedule_discounts_each_months_increment_by_hand() {
        // E(t) = 0.5 t, one unit a month, 10% a month, margin 0.5: 0.25 / 1.1^i per unit spend.
        let s = settings(3, 1.0, 0.1, 0.5);
        let v = unit_schedule(|t| 0.5 * t, &s);
        let want = [0.25 / 1.1, 0.25 / 1.21, 0.25 / 1.331];
        for (g, w) in v.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        // Spend 40: 9.0909 + 8.2645 + 7.5131 = 24.8685.
        let total: f64 = v.iter().map(|x| 40.0 * x).sum();
        assert!((total - 24.868_519_909).abs() < 1e-6, "{total}");
    }

    #[test]
    fn payback_is_the_first_month_the_cumulative_value_reaches_the_cost() {
        let sched = [9.0909, 8.2645, 7.5131];
        assert_eq!(payback_month(&sched, 0.0, 20.0), Some(3));
        assert_eq!(payback_month(&sched, 3.0, 20.0), Some(2));
        assert_eq!(payback_month(&sched, 25.0, 20.0), Some(0));
        assert_eq!(payback_month(&sched, 0.0, 30.0), None);
    }

    #[test]
    fn new_customer_schedule_sums_to_the_unconditional_expectation_undiscounted() {
        let m = BtydModel::BgNbd(BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        });
        let s = settings(12, 4.345, 0.0, 1.0);
        let sum: f64 = new_customer_unit_schedule(&m, &s).iter().sum();
        let e = m.expected_purchases(12.0 * 4.345);
        assert!((sum - e).abs() < 1e-12, "{sum} vs {e}");
        assert!(e > 0.0 && e < 10.0);
    }
}
