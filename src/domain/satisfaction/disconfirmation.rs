//! Expectancy disconfirmation: D = performance − expectation per attribute and customer,
//! classified dissatisfied (D < −tolerance), satisfied (|D| ≤ tolerance) or delighted
//! (D > tolerance), with shares per attribute and per group (segment).

use super::caution;
use serde::{Deserialize, Serialize};

/// One customer's expectation and perceived performance on one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationAnswer {
    /// Customer or respondent id.
    pub customer_id: String,
    /// Attribute name.
    pub attribute: String,
    /// Expectation score.
    pub expectation: f64,
    /// Performance score.
    pub performance: f64,
    /// Group (segment), when known.
    #[serde(default)]
    pub group: Option<String>,
}

/// The three outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Disconfirmation {
    /// Performance below expectation by more than the tolerance.
    Dissatisfied,
    /// Within the tolerance.
    Satisfied,
    /// Above expectation by more than the tolerance.
    Delighted,
}

/// Classifies D with the tolerance.
pub fn classify(d: f64, tolerance: f64) -> Disconfirmation {
    if d < -tolerance {
        Disconfirmation::Dissatisfied
    } else if d > tolerance {
        Disconfirmation::Delighted
    } else {
        Disconfirmation::Satisfied
    }
}

/// Shares of the three outcomes for an attribute or group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisconfirmationShares {
    /// Attribute or group name.
    pub name: String,
    /// Answers.
    pub n: u64,
    /// Mean D.
    pub mean_d: f64,
    /// Dissatisfied count.
    pub dissatisfied: u64,
    /// Satisfied count.
    pub satisfied: u64,
    /// Delighted count.
    pub delighted: u64,
    /// Dissatisfied share.
    pub dissatisfied_share: f64,
    /// Satisfied share.
    pub satisfied_share: f64,
    /// Delighted share.
    pub delighted_share: f64,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// Per answer D and class, plus shares per attribute and per group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisconfirmationResult {
    /// Tolerance used.
    pub tolerance: f64,
    /// D per answer, input order (non-finite answers skipped and counted).
    pub classes: Vec<(String, String, f64, Disconfirmation)>,
    /// Shares per attribute (order of first appearance).
    pub by_attribute: Vec<DisconfirmationShares>,
    /// Shares per group over all attributes (answers without a group are left out).
    pub by_group: Vec<DisconfirmationShares>,
    /// Answers skipped because a score was not a finite number.
    pub invalid: u64,
}

fn shares(name: &str, ds: &[f64], tolerance: f64) -> DisconfirmationShares {
    let n = ds.len() as u64;
    let count =
        |c: Disconfirmation| ds.iter().filter(|&&d| classify(d, tolerance) == c).count() as u64;
    let (dis, sat, del) = (
        count(Disconfirmation::Dissatisfied),
        count(Disconfirmation::Satisfied),
        count(Disconfirmation::Delighted),
    );
    let nf = (n.max(1)) as f64;
    let (too_few, caution) = caution(n);
    DisconfirmationShares {
        name: name.to_string(),
        n,
        mean_d: ds.iter().sum::<f64>() / nf,
        dissatisfied: dis,
        satisfied: sat,
        delighted: del,
        dissatisfied_share: dis as f64 / nf,
        satisfied_share: sat as f64 / nf,
        delighted_share: del as f64 / nf,
        too_few,
        caution,
    }
}

fn grouped<'a>(items: impl Iterator<Item = (&'a str, f64)>) -> Vec<(String, Vec<f64>)> {
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    for (k, d) in items {
        match out.iter_mut().find(|(n, _)| n == k) {
            Some((_, v)) => v.push(d),
            None => out.push((k.to_string(), vec![d])),
        }
    }
    out
}

/// Computes D for every answer and the shares (tolerance ≥ 0; a negative one is taken as 0).
pub fn disconfirmation(answers: &[ExpectationAnswer], tolerance: f64) -> DisconfirmationResult {
    let tolerance = if tolerance.is_finite() {
        tolerance.max(0.0)
    } else {
        0.0
    };
    let ok: Vec<(&ExpectationAnswer, f64)> = answers
        .iter()
        .map(|a| (a, a.performance - a.expectation))
        .filter(|(_, d)| d.is_finite())
        .collect();
    let invalid = (answers.len() - ok.len()) as u64;
    let by_attribute = grouped(ok.iter().map(|(a, d)| (a.attribute.as_str(), *d)))
        .iter()
        .map(|(k, v)| shares(k, v, tolerance))
        .collect();
    let by_group = grouped(
        ok.iter()
            .filter_map(|(a, d)| a.group.as_deref().map(|g| (g, *d))),
    )
    .iter()
    .map(|(k, v)| shares(k, v, tolerance))
    .collect();
    DisconfirmationResult {
        tolerance,
        classes: ok
            .iter()
            .map(|(a, d)| {
                (
                    a.customer_id.clone(),
                    a.attribute.clone(),
                    *d,
                    classify(*d, tolerance),
                )
            })
            .collect(),
        by_attribute,
        by_group,
        invalid,
    }
}
