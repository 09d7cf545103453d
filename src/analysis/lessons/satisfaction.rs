//! Satisfaction as performance against expectations (expectancy disconfirmation), and a
//! seeded panel of customers showing why cumulative satisfaction predicts staying better than
//! the latest answer.
//!
//! # The panel
//! Customer i receives a service of true level μ_i ~ Normal(0, `spread`) around expectations.
//! Each period's experience (the survey answer, as disconfirmation D) is
//! s_it = μ_i + ε_it, ε_it ~ Normal(0, `noise`). The customer decides to stay on the running
//! evaluation of all experiences (the mean of s_i1..s_iP): P(stay) = 1 / (1 + e^−(a + b·mean)).
//! The analyst sees the answers and compares two predictors of staying: the latest answer
//! s_iP and the cumulative satisfaction c_iP, an exponentially weighted mean
//! (c_i1 = s_i1, c_it = w·s_it + (1 − w)·c_i,t−1, w = weight of the newest answer). The
//! measure is the AUC (probability that a stayer scores above a leaver, ties half) and the
//! correlation with staying (0/1).

use super::{check, LessonError};
use crate::domain::satisfaction::cumulative::{self as cum, DatedAnswer};
use crate::domain::satisfaction::disconfirmation::{classify, Disconfirmation};
use crate::domain::satisfaction::stats::{pearson, ranks};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Plain word for a verdict.
pub fn verdict_name(v: Disconfirmation) -> &'static str {
    match v {
        Disconfirmation::Dissatisfied => "dissatisfied",
        Disconfirmation::Satisfied => "satisfied",
        Disconfirmation::Delighted => "delighted",
    }
}

/// D = performance − expectation and its verdict by the engine's
/// [`classify`]: dissatisfied if D < −tolerance, delighted if D > tolerance, satisfied
/// otherwise.
pub fn disconfirm(expectation: f64, performance: f64, tolerance: f64) -> (f64, Disconfirmation) {
    let d = performance - expectation;
    (d, classify(d, tolerance.abs()))
}

/// Settings of the simulated panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelParams {
    /// Customers.
    pub customers: u32,
    /// Periods (survey answers per customer).
    pub periods: u32,
    /// Standard deviation of one experience around the customer's true level.
    pub noise: f64,
    /// Standard deviation of the true levels across customers.
    pub spread: f64,
    /// Weight of the newest answer in the cumulative satisfaction (0 < w ≤ 1).
    pub weight: f64,
    /// Intercept a of the staying probability.
    pub intercept: f64,
    /// Slope b of the staying probability on the mean experience.
    pub slope: f64,
    /// Seed.
    pub seed: u64,
}

impl Default for PanelParams {
    fn default() -> Self {
        PanelParams {
            customers: 500,
            periods: 8,
            noise: 1.5,
            spread: 1.0,
            weight: 0.3,
            intercept: 1.0,
            slope: 1.5,
            seed: 42,
        }
    }
}

/// One simulated customer.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelCustomer {
    /// The answers s_i1..s_iP.
    pub answers: Vec<f64>,
    /// The latest answer.
    pub latest: f64,
    /// The cumulative satisfaction c_iP.
    pub cumulative: f64,
    /// Whether the customer stayed.
    pub stayed: bool,
}

/// How well one measure predicts staying.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    /// AUC (0.5 = no better than chance).
    pub auc: f64,
    /// Correlation with staying (0/1).
    pub correlation: f64,
    /// Share staying in each fifth of customers ranked by the measure (lowest first).
    pub stay_by_fifth: Vec<f64>,
}

/// The panel and the two predictors.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The customers.
    pub customers: Vec<PanelCustomer>,
    /// Share of customers who stayed.
    pub stay_rate: f64,
    /// The latest answer as a predictor.
    pub latest: Predictive,
    /// The cumulative satisfaction as a predictor.
    pub cumulative: Predictive,
}

/// The exponentially weighted mean of answers in time order, by the engine's
/// [`cum::cumulative`]: c_1 = s_1, c_t = w·s_t + (1 − w)·c_{t−1}. 0 for no answers or a
/// weight outside (0, 1].
pub fn cumulative(answers: &[f64], weight: f64) -> f64 {
    cumulative_all(&[answers.to_vec()], weight)
        .first()
        .copied()
        .unwrap_or_default()
}

/// [`cumulative`] of many customers at once (one answer list each, same order back).
fn cumulative_all(customers: &[Vec<f64>], weight: f64) -> Vec<f64> {
    let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let dated: Vec<DatedAnswer> = customers
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            a.iter().enumerate().map(move |(t, &score)| DatedAnswer {
                customer_id: i.to_string(),
                date: day0 + chrono::Days::new(t as u64),
                score,
            })
        })
        .collect();
    let mut out = vec![0.0; customers.len()];
    for c in cum::cumulative(&dated, weight).unwrap_or_default() {
        if let Some(x) = c
            .customer_id
            .parse::<usize>()
            .ok()
            .and_then(|i| out.get_mut(i))
        {
            *x = c.cumulative;
        }
    }
    out
}

/// AUC by the Mann–Whitney count: the share of (stayer, leaver) pairs where the stayer scores
/// higher, ties counting half. 0.5 when either group is empty.
pub fn auc(scores: &[f64], stayed: &[bool]) -> f64 {
    let n = scores.len().min(stayed.len());
    let r = ranks(&scores[..n]);
    let n1 = stayed[..n].iter().filter(|&&s| s).count() as f64;
    let n0 = n as f64 - n1;
    if n1 == 0.0 || n0 == 0.0 {
        return 0.5;
    }
    let r1: f64 = r
        .iter()
        .zip(stayed)
        .filter(|(_, &s)| s)
        .map(|(r, _)| r)
        .sum();
    (r1 - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

/// Pearson correlation of scores with staying (1/0); 0 when either has no spread.
pub fn correlation(scores: &[f64], stayed: &[bool]) -> f64 {
    let y: Vec<f64> = stayed.iter().map(|&s| if s { 1.0 } else { 0.0 }).collect();
    let n = scores.len().min(y.len());
    pearson(&scores[..n], &y[..n]).unwrap_or(0.0)
}

fn stay_by_fifth(scores: &[f64], stayed: &[bool]) -> Vec<f64> {
    let idx = crate::domain::order::stable_order(scores.len().min(stayed.len()), &|a, b| {
        scores[a].total_cmp(&scores[b])
    });
    let n = idx.len();
    (0..5)
        .map(|q| {
            let part = &idx[q * n / 5..(q + 1) * n / 5];
            if part.is_empty() {
                0.0
            } else {
                part.iter().filter(|&&i| stayed[i]).count() as f64 / part.len() as f64
            }
        })
        .collect()
}

fn predictive(scores: &[f64], stayed: &[bool]) -> Predictive {
    Predictive {
        auc: auc(scores, stayed),
        correlation: correlation(scores, stayed),
        stay_by_fifth: stay_by_fifth(scores, stayed),
    }
}

/// Simulates the panel (same seed, same panel).
///
/// # Errors
/// [`LessonError`] naming the setting out of range: customers 10..=20000, periods 1..=50,
/// noise and spread ≥ 0, weight in (0, 1].
pub fn simulate(p: &PanelParams) -> Result<Panel, LessonError> {
    check(
        "customers",
        f64::from(p.customers),
        (10..=20_000).contains(&p.customers),
        "10 to 20,000",
    )?;
    check(
        "periods",
        f64::from(p.periods),
        (1..=50).contains(&p.periods),
        "1 to 50",
    )?;
    check(
        "noise",
        p.noise,
        p.noise >= 0.0 && p.noise <= 100.0,
        "between 0 and 100",
    )?;
    check(
        "spread",
        p.spread,
        p.spread >= 0.0 && p.spread <= 100.0,
        "between 0 and 100",
    )?;
    check(
        "weight",
        p.weight,
        p.weight > 0.0 && p.weight <= 1.0,
        "above 0 and at most 1",
    )?;
    check("intercept", p.intercept, true, "a number")?;
    check("slope", p.slope, true, "a number")?;
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let unit = Normal::new(0.0, 1.0).map_err(|_| LessonError {
        input: "normal".into(),
        expected: "a distribution".into(),
        found: 1.0,
    })?;
    let drawn: Vec<(Vec<f64>, bool)> = (0..p.customers)
        .map(|_| {
            let mu = p.spread * unit.sample(&mut rng);
            let answers: Vec<f64> = (0..p.periods)
                .map(|_| mu + p.noise * unit.sample(&mut rng))
                .collect();
            let mean = answers.iter().sum::<f64>() / answers.len() as f64;
            let prob = 1.0 / (1.0 + (-(p.intercept + p.slope * mean)).exp());
            (answers, rng.gen::<f64>() < prob)
        })
        .collect();
    let lists: Vec<Vec<f64>> = drawn.iter().map(|(a, _)| a.clone()).collect();
    let cums = cumulative_all(&lists, p.weight);
    let customers: Vec<PanelCustomer> = drawn
        .into_iter()
        .zip(cums)
        .map(|((answers, stayed), cumulative)| PanelCustomer {
            latest: answers.last().copied().unwrap_or_default(),
            cumulative,
            answers,
            stayed,
        })
        .collect();
    let stayed: Vec<bool> = customers.iter().map(|c| c.stayed).collect();
    let latest: Vec<f64> = customers.iter().map(|c| c.latest).collect();
    let cum: Vec<f64> = customers.iter().map(|c| c.cumulative).collect();
    Ok(Panel {
        stay_rate: stayed.iter().filter(|&&s| s).count() as f64 / stayed.len() as f64,
        latest: predictive(&latest, &stayed),
        cumulative: predictive(&cum, &stayed),
        customers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disconfirmation_classifies_against_the_tolerance() {
        // E = 7, tolerance 0.5: P = 6 → D = −1 < −0.5 dissatisfied; P = 7.4 → D = 0.4 satisfied;
        // P = 8 → D = 1 > 0.5 delighted; P = 7.5 → D = 0.5, not above: satisfied.
        assert_eq!(disconfirm(7.0, 6.0, 0.5).1, Disconfirmation::Dissatisfied);
        assert_eq!(disconfirm(7.0, 7.4, 0.5).1, Disconfirmation::Satisfied);
        assert_eq!(disconfirm(7.0, 8.0, 0.5), (1.0, Disconfirmation::Delighted));
        assert_eq!(disconfirm(7.0, 7.5, 0.5).1, Disconfirmation::Satisfied);
    }

    #[test]
    fn cumulative_is_the_exponentially_weighted_mean() {
        // w = 0.5, answers 2, 4, 8: c = 2 → 0.5·4 + 0.5·2 = 3 → 0.5·8 + 0.5·3 = 5.5.
        assert!((cumulative(&[2.0, 4.0, 8.0], 0.5) - 5.5).abs() < 1e-12);
        // w = 1: the latest answer.
        assert!((cumulative(&[2.0, 4.0, 8.0], 1.0) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn auc_counts_pairs_with_ties_as_half() {
        // Stayers score 3 and 2, leavers 2 and 1. Pairs (stayer > leaver): 3>2, 3>1, 2>1 = 3,
        // and 2 = 2 is a tie (0.5): (3 + 0.5) / 4 = 0.875.
        let a = auc(&[3.0, 2.0, 2.0, 1.0], &[true, true, false, false]);
        assert!((a - 0.875).abs() < 1e-12);
    }

    #[test]
    fn correlation_matches_hand_computation() {
        // x = 1, 2, 3, y = 0, 0, 1: mx = 2, my = 1/3; sxy = (−1)(−1/3) + 0 + 1·(2/3) = 1;
        // sxx = 2; syy = 1/9 + 1/9 + 4/9 = 2/3; r = 1/√(4/3) = 0.866025.
        let r = correlation(&[1.0, 2.0, 3.0], &[false, false, true]);
        assert!((r - 0.866_025_4).abs() < 1e-6);
    }

    #[test]
    fn cumulative_satisfaction_predicts_staying_better_than_the_latest_answer_by_default() {
        let p = simulate(&PanelParams::default()).unwrap();
        assert!(
            p.cumulative.auc > p.latest.auc + 0.05,
            "{} vs {}",
            p.cumulative.auc,
            p.latest.auc
        );
        assert!(p.cumulative.correlation > p.latest.correlation + 0.05);
        assert!(p.stay_rate > 0.5 && p.stay_rate < 0.9, "{}", p.stay_rate);
        // The top fifth by cumulative satisfaction stays more than the bottom fifth.
        assert!(p.cumulative.stay_by_fifth[4] > p.cumulative.stay_by_fifth[0] + 0.3);
    }

    #[test]
    fn same_seed_same_panel_and_weight_one_is_the_latest_answer() {
        let a = simulate(&PanelParams::default()).unwrap();
        let b = simulate(&PanelParams::default()).unwrap();
        assert_eq!(a, b);
        let w1 = simulate(&PanelParams {
            weight: 1.0,
            ..PanelParams::default()
        })
        .unwrap();
        assert!((w1.cumulative.auc - w1.latest.auc).abs() < 1e-12);
    }

    #[test]
    fn bad_settings_are_named() {
        let e = simulate(&PanelParams {
            weight: 0.0,
            ..PanelParams::default()
        })
        .unwrap_err();
        assert_eq!(e.input, "weight");
    }
}
