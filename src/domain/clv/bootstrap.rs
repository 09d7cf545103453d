//! Parametric bootstrap of a fit: simulate a customer base from the fitted model with every
//! customer's own age T (and Gamma-Gamma spend when spend is modelled), refit, keep the refitted
//! parameters. The ranges are then [`super::intervals::ranges_from_sets`] over the refits.
//!
//! Replicate i uses seed `base + i` and nothing else, so the replicates can be split across
//! workers by index range ([`bootstrap_replicates`]) and the parts merged in any order
//! ([`BootstrapPart::merge`]): the result is the same as one run over all indices.

use super::intervals::{ranges_from_sets, IntervalMethod, IntervalReport, ParameterSet};
use super::simulate::{simulate_btyd, simulate_spend};
use super::{BtydParams, ClvError, ClvSettings, FittedGammaGamma, FittedModel, GammaGammaParams};
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};

/// Largest number of simulated customers per replicate (weights expanded).
pub const MAX_SIMULATED: u64 = 20_000_000;

/// The refits of a range of replicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BootstrapPart {
    /// (replicate index, refitted parameters), by index.
    pub sets: Vec<(u32, ParameterSet)>,
    /// (replicate index, why its refit was left out).
    pub failures: Vec<(u32, String)>,
}

impl BootstrapPart {
    /// Merges another part (replicates of other indices) into this one, kept in index order.
    pub fn merge(&mut self, other: BootstrapPart) {
        self.sets.extend(other.sets);
        crate::domain::order::sort_by_key(&mut self.sets, |(i, _)| *i);
        self.failures.extend(other.failures);
        crate::domain::order::sort_by_key(&mut self.failures, |(i, _)| *i);
    }
}

/// Simulates and refits replicates `replicates` (replicate i seeded `seed + i`).
/// `progress` gets the share of this range done.
///
/// # Errors
/// [`ClvError::InvalidRecord`] for bad rows, [`ClvError::NotEnoughData`] for an empty
/// summary or one whose weights stand for more than [`MAX_SIMULATED`] customers.
pub fn bootstrap_replicates(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    replicates: std::ops::Range<u32>,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<BootstrapPart, ClvError> {
    for (i, c) in customers.iter().enumerate() {
        super::check_record(i, c)?;
    }
    let total: f64 = customers.iter().map(|c| c.weight.round().max(1.0)).sum();
    if customers.is_empty() || total > MAX_SIMULATED as f64 {
        return Err(ClvError::NotEnoughData {
            reason: format!(
                "the bootstrap simulates every customer; this summary stands for {total} (limit {MAX_SIMULATED})"
            ),
        });
    }
    // Each row's age, repeated as many times as the row stands for customers.
    let ages: Vec<f64> = customers
        .iter()
        .flat_map(|c| std::iter::repeat_n(c.t, c.weight.round().max(1.0) as usize))
        .collect();
    let params = BtydParams::new(model.kind).check()?;
    let spend_params = spend.filter(|g| !g.no_spread).map(|g| g.params);
    let mut part = BootstrapPart::default();
    let n = replicates.len().max(1) as f64;
    for (done, i) in replicates.enumerate() {
        progress(done as f64 / n);
        let s = seed.wrapping_add(u64::from(i));
        match replicate(model, spend_params, &params, &ages, s) {
            Ok(set) => part.sets.push((i, set)),
            Err(why) => part.failures.push((i, why)),
        }
    }
    progress(1.0);
    Ok(part)
}

fn replicate(
    model: &FittedModel,
    spend: Option<super::GammaGamma>,
    params: &super::ValidBtydParams,
    ages: &[f64],
    seed: u64,
) -> Result<ParameterSet, String> {
    let sim = simulate_btyd(&model.model, ages, seed).map_err(|e| e.to_string())?;
    let spends = match spend {
        Some(g) => {
            let freqs: Vec<u32> = sim.iter().map(|c| c.x).collect();
            simulate_spend(g.p, g.q, g.gamma, &freqs, seed ^ 0x5eed_5eed)
                .map_err(|e| e.to_string())?
        }
        None => vec![0.0; sim.len()],
    };
    let records: Vec<CustomerRecord> = sim
        .iter()
        .zip(&spends)
        .map(|(c, &m)| CustomerRecord::from_stats(String::new(), f64::from(c.x), c.t_x, c.t, m))
        .collect();
    let fit = params
        .fit_records(&records, model.time_unit, &mut |_| {})
        .map_err(|e| format!("refit failed: {e}"))?;
    if !fit.convergence.converged {
        return Err(format!(
            "refit did not converge: {}",
            fit.convergence.reason
        ));
    }
    let spend = match spend {
        Some(_) => {
            let g = GammaGammaParams::default()
                .fit(&records, &mut |_| {})
                .map_err(|e| format!("spend refit failed: {e}"))?;
            if g.no_spread || !g.convergence.converged {
                return Err(format!(
                    "spend refit did not converge: {}",
                    g.convergence.reason
                ));
            }
            Some(g.params)
        }
        None => None,
    };
    Ok(ParameterSet {
        model: fit.model,
        spend,
    })
}

/// Intervals from merged bootstrap parts: the ranges of every figure over the refits, with the
/// left-out replicates counted in the notes. The caller sets the report's `seed` (the base
/// seed of the replicates).
///
/// # Errors
/// As [`ranges_from_sets`] (fewer than 2 successful refits is an error naming `sets`).
pub fn bootstrap_intervals(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    clv: &ClvSettings,
    part: &BootstrapPart,
    level: f64,
    progress: &mut dyn FnMut(f64),
) -> Result<IntervalReport, ClvError> {
    let sets: Vec<ParameterSet> = part.sets.iter().map(|(_, s)| *s).collect();
    let mut report = ranges_from_sets(model, spend, customers, clv, &sets, level, progress)?;
    report.method = IntervalMethod::Bootstrap;
    if let Some(g) = spend {
        if g.no_spread {
            report.notes.insert(
                0,
                String::from("spend held at its estimate: spend does not vary across customers"),
            );
        }
    }
    if !part.failures.is_empty() {
        let first = part.failures.first().map(|(_, w)| w.as_str()).unwrap_or("");
        report.notes.insert(
            0,
            format!(
                "{} of {} refits were left out (first reason: {first})",
                part.failures.len(),
                part.failures.len() + part.sets.len()
            ),
        );
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::{BtydModel, ModelKind};
    use crate::domain::customers::TimeUnit;

    #[test]
    fn split_replicates_merge_to_the_same_result_as_one_run() {
        let truth = BtydModel::from_array(ModelKind::BgNbd, [0.25, 4.0, 0.8, 2.5]);
        let ages: Vec<f64> = (0..800).map(|i| 20.0 + f64::from(i % 30)).collect();
        let customers: Vec<CustomerRecord> = simulate_btyd(&truth, &ages, 9)
            .unwrap()
            .iter()
            .map(|c| CustomerRecord::from_stats("c", f64::from(c.x), c.t_x, c.t, 0.0))
            .collect();
        let fit = BtydParams::new(ModelKind::BgNbd)
            .check()
            .unwrap()
            .fit_records(&customers, TimeUnit::Week, &mut |_| {})
            .unwrap();
        let whole = bootstrap_replicates(&fit, None, &customers, 0..6, 11, &mut |_| {}).unwrap();
        let mut a = bootstrap_replicates(&fit, None, &customers, 3..6, 11, &mut |_| {}).unwrap();
        a.merge(bootstrap_replicates(&fit, None, &customers, 0..3, 11, &mut |_| {}).unwrap());
        assert_eq!(a, whole);
        assert_eq!(whole.sets.len() + whole.failures.len(), 6);
        let s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        let r = bootstrap_intervals(&fit, None, &customers, &s, &whole, 0.9, &mut |_| {}).unwrap();
        assert_eq!(r.method, IntervalMethod::Bootstrap);
        assert!(r.total_purchases.range.lower <= r.total_purchases.range.upper);
    }
}
