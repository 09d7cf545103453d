//! Cumulative satisfaction per customer: an exponentially weighted average over the
//! customer's dated answers, oldest first: c₁ = s₁, cₖ = w·sₖ + (1 − w)·cₖ₋₁ with w the weight
//! of the newest answer; reported beside the latest answer, and compared with it as a
//! predictor of an outcome (P(alive), holdout repeat purchases).

use super::stats::{pearson, spearman};
use super::{caution, SatisfactionError};
use crate::domain::customers::natural_id_cmp;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One dated answer of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatedAnswer {
    /// Customer id.
    pub customer_id: String,
    /// Day of the answer.
    pub date: NaiveDate,
    /// Score.
    pub score: f64,
}

/// Cumulative and latest satisfaction of one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSatisfaction {
    /// Customer id.
    pub customer_id: String,
    /// Answers used.
    pub answers: u32,
    /// Exponentially weighted average.
    pub cumulative: f64,
    /// Latest answer (the last in input order among those of the latest day).
    pub latest: f64,
    /// Day of the latest answer.
    pub latest_date: NaiveDate,
}

/// Cumulative satisfaction per customer (sorted by id). Non-finite scores are skipped.
///
/// # Errors
/// [`SatisfactionError::Param`] when `weight_newest` is not in (0, 1].
pub fn cumulative(
    answers: &[DatedAnswer],
    weight_newest: f64,
) -> Result<Vec<CustomerSatisfaction>, SatisfactionError> {
    if !(weight_newest > 0.0 && weight_newest <= 1.0) {
        return Err(SatisfactionError::Param {
            name: "weight_newest",
            message: format!("expected a value in (0, 1], found {weight_newest}"),
        });
    }
    let mut per: HashMap<&str, Vec<(NaiveDate, usize, f64)>> = HashMap::new();
    for (i, a) in answers.iter().enumerate() {
        if a.score.is_finite() {
            per.entry(a.customer_id.as_str())
                .or_default()
                .push((a.date, i, a.score));
        }
    }
    let mut out: Vec<CustomerSatisfaction> = per
        .into_iter()
        .filter_map(|(id, mut v)| {
            crate::domain::order::sort_by_key(&mut v, |(d, i, _)| (*d, *i));
            let &(first_d, _, first) = v.first()?;
            let mut c = first;
            let mut last = (first_d, first);
            for &(d, _, s) in v.iter().skip(1) {
                c = weight_newest * s + (1.0 - weight_newest) * c;
                last = (d, s);
            }
            Some(CustomerSatisfaction {
                customer_id: id.to_string(),
                answers: v.len() as u32,
                cumulative: c,
                latest: last.1,
                latest_date: last.0,
            })
        })
        .collect();
    crate::domain::order::sort_by(&mut out, |a, b| {
        natural_id_cmp(&a.customer_id, &b.customer_id)
    });
    Ok(out)
}

/// Which of cumulative and latest satisfaction tracks an outcome more closely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictorComparison {
    /// Customers with both a satisfaction and an outcome.
    pub n: u64,
    /// Pearson r of cumulative satisfaction with the outcome.
    pub pearson_cumulative: Option<f64>,
    /// Pearson r of the latest answer with the outcome.
    pub pearson_latest: Option<f64>,
    /// Spearman ρ of cumulative satisfaction with the outcome.
    pub spearman_cumulative: Option<f64>,
    /// Spearman ρ of the latest answer with the outcome.
    pub spearman_latest: Option<f64>,
    /// "cumulative", "latest" or "tie": the higher Pearson r (None when undefined).
    pub better: Option<String>,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// Compares the two predictors on customers present in `outcomes` (id → outcome).
pub fn compare_predictors(
    satisfaction: &[CustomerSatisfaction],
    outcomes: &HashMap<String, f64>,
) -> PredictorComparison {
    let mut c = Vec::new();
    let mut l = Vec::new();
    let mut y = Vec::new();
    for s in satisfaction {
        if let Some(&o) = outcomes.get(&s.customer_id) {
            if o.is_finite() {
                c.push(s.cumulative);
                l.push(s.latest);
                y.push(o);
            }
        }
    }
    let pc = pearson(&c, &y);
    let pl = pearson(&l, &y);
    let better = match (pc, pl) {
        (Some(a), Some(b)) if (a - b).abs() < 1e-12 => Some("tie".to_string()),
        (Some(a), Some(b)) => Some(if a > b { "cumulative" } else { "latest" }.to_string()),
        (Some(_), None) => Some("cumulative".to_string()),
        (None, Some(_)) => Some("latest".to_string()),
        (None, None) => None,
    };
    let n = y.len() as u64;
    let (too_few, caution) = caution(n);
    PredictorComparison {
        n,
        pearson_cumulative: pc,
        pearson_latest: pl,
        spearman_cumulative: spearman(&c, &y),
        spearman_latest: spearman(&l, &y),
        better,
        too_few,
        caution,
    }
}
