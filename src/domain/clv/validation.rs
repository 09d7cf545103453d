//! Checking a fitted model against data: the "not enough data" gate, predicted vs actual
//! holdout purchases by calibration frequency, and the model-vs-data distribution of repeat
//! purchases (the chart beside every fit).

use super::{check_record, ClvError, FittedModel};
use crate::domain::customers::{CustomerRecord, CustomerSummary};
use serde::{Deserialize, Serialize};

/// Fewest customers for a meaningful fit.
pub const MIN_CUSTOMERS: u64 = 50;
/// Fewest repeat customers for a meaningful fit.
pub const MIN_REPEATERS: u64 = 10;
/// Last frequency bin (this value and above are pooled: "7+").
pub const TOP_BIN: u32 = 7;

/// Whether the data can support a buy-till-you-die model, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataGate {
    /// True when every check passed.
    pub enough: bool,
    /// Plain-language reasons for refusing (empty when `enough`).
    pub reasons: Vec<String>,
    /// Number of customers.
    pub n_customers: u64,
    /// Customers with at least one repeat purchase.
    pub n_repeaters: u64,
}

/// Runs the gate: at least [`MIN_CUSTOMERS`] customers, [`MIN_REPEATERS`] repeaters, and
/// variation in frequency and in customer age.
pub fn data_gate(customers: &[CustomerRecord]) -> DataGate {
    let n = customers.len() as u64;
    let rep = customers.iter().filter(|c| c.x > 0.0).count() as u64;
    let mut reasons = Vec::new();
    if n < MIN_CUSTOMERS {
        reasons.push(format!(
            "only {n} customers; at least {MIN_CUSTOMERS} are needed"
        ));
    }
    if rep < MIN_REPEATERS {
        reasons.push(format!(
            "only {rep} customers bought again; at least {MIN_REPEATERS} repeat customers are needed"
        ));
    }
    let varies = |f: &dyn Fn(&CustomerRecord) -> f64| {
        let mut it = customers.iter().map(f);
        match it.next() {
            Some(first) => it.any(|v| v != first),
            None => false,
        }
    };
    if !customers.is_empty() && !varies(&|c| c.x) {
        reasons.push(String::from(
            "every customer has the same number of repeat purchases: no variation to learn from",
        ));
    }
    if !customers.is_empty() && !varies(&|c| c.t) && rep == 0 {
        reasons.push(String::from(
            "every customer has the same age and none bought again",
        ));
    }
    DataGate {
        enough: reasons.is_empty(),
        reasons,
        n_customers: n,
        n_repeaters: rep,
    }
}

/// Holdout comparison for one calibration-frequency bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutRow {
    /// Calibration repeat purchases (the last bin holds [`TOP_BIN`] and more).
    pub calibration_x: u32,
    /// Customers in the bin.
    pub n_customers: u64,
    /// Mean actual purchases in the holdout period.
    pub actual: f64,
    /// Mean conditional expected purchases over the holdout length.
    pub predicted: f64,
}

/// Predicted vs actual holdout purchases grouped by calibration frequency 0..=7+.
///
/// # Errors
/// [`ClvError::NotEnoughData`] when the summary has no holdout split;
/// [`ClvError::InvalidRecord`] for bad rows.
pub fn holdout_by_frequency(
    model: &FittedModel,
    summary: &CustomerSummary,
) -> Result<Vec<HoldoutRow>, ClvError> {
    if summary.holdout_length.is_nan() || summary.holdout_length <= 0.0 {
        return Err(ClvError::NotEnoughData {
            reason: String::from("the summary has no holdout period (set a calibration end)"),
        });
    }
    let bins = TOP_BIN as usize + 1;
    let mut n = vec![0.0f64; bins];
    let mut act = vec![0.0f64; bins];
    let mut pred = vec![0.0f64; bins];
    for (i, c) in summary.customers.iter().enumerate() {
        check_record(i, c)?;
        if c.holdout_x.is_none() {
            return Err(ClvError::NotEnoughData {
                reason: format!("customer \"{}\" has no holdout count", c.id),
            });
        }
    }
    // Customers sharing (x, T) share the costly part of the expectation.
    let expected =
        super::conditional_expected_each(model, &summary.customers, summary.holdout_length);
    for (c, e) in summary.customers.iter().zip(expected) {
        let h = c.holdout_x.unwrap_or(0.0);
        let b = (c.x.round() as usize).min(bins - 1);
        if let (Some(nb), Some(ab), Some(pb)) = (n.get_mut(b), act.get_mut(b), pred.get_mut(b)) {
            *nb += c.weight;
            *ab += c.weight * h;
            *pb += c.weight * e;
        }
    }
    Ok((0..bins)
        .filter(|&b| n[b] > 0.0)
        .map(|b| HoldoutRow {
            calibration_x: b as u32,
            n_customers: n[b].round() as u64,
            actual: act[b] / n[b],
            predicted: pred[b] / n[b],
        })
        .collect())
}

/// Observed and model-expected number of customers with x repeat purchases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatBin {
    /// Repeat purchases (the last bin holds [`TOP_BIN`] and more).
    pub x: u32,
    /// Customers observed.
    pub observed: u64,
    /// Customers expected by the model: Σ over customers of P(X(T_i) = x) at each one's own age.
    pub expected: f64,
}

/// Model vs data distribution of repeat purchases (0, 1, ..., 7+).
pub fn repeat_distribution(model: &FittedModel, customers: &[CustomerRecord]) -> Vec<RepeatBin> {
    let bins = TOP_BIN as usize + 1;
    let mut obs = vec![0.0f64; bins];
    let mut exp = vec![0.0f64; bins];
    // Customers of the same age share the probabilities.
    let mut by_t: std::collections::HashMap<u64, (f64, f64)> = Default::default();
    for c in customers {
        let b = (c.x.max(0.0).round() as usize).min(bins - 1);
        if let Some(o) = obs.get_mut(b) {
            *o += c.weight;
        }
        by_t.entry(c.t.to_bits()).or_insert((c.t, 0.0)).1 += c.weight;
    }
    for (t, w) in by_t.values() {
        let mut cum = 0.0;
        for (x, e) in exp.iter_mut().enumerate().take(bins - 1) {
            let p = model.prob_purchases(x as u32, *t);
            cum += p;
            *e += w * p;
        }
        if let Some(last) = exp.last_mut() {
            *last += w * (1.0 - cum).max(0.0);
        }
    }
    (0..bins)
        .map(|b| RepeatBin {
            x: b as u32,
            observed: obs[b].round() as u64,
            expected: exp[b],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_refuses_tiny_data_with_reasons() {
        let recs: Vec<CustomerRecord> = (0..5)
            .map(|i| CustomerRecord::from_stats(i.to_string(), 0.0, 0.0, 10.0, 0.0))
            .collect();
        let g = data_gate(&recs);
        assert!(!g.enough);
        assert!(g.reasons.iter().any(|r| r.contains("only 5 customers")));
        assert!(g.reasons.iter().any(|r| r.contains("bought again")));
    }
}
