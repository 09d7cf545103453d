//! Customer Effort Score: agreement that the firm made it easy (default 1–7, higher is
//! better): mean with a t (or normal) 95% interval, % agree (the top 3 points: 5–7 on 1–7) and
//! net (top 2 points minus bottom 3: 6–7 minus 1–3 on 1–7).

use super::csat::Question;
use super::stats::{mean, mean_quantile, sd, MeanInterval};
use super::{caution, SatisfactionError};
use serde::{Deserialize, Serialize};

/// A CES score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CesScore {
    /// The question (scale, direction).
    pub question: Question,
    /// Valid answers.
    pub n: u64,
    /// Mean answer.
    pub mean: f64,
    /// Sample standard deviation (0 with one answer).
    pub sd: f64,
    /// Interval method.
    pub interval: MeanInterval,
    /// Lower 95% bound of the mean.
    pub ci_low: f64,
    /// Upper 95% bound of the mean.
    pub ci_high: f64,
    /// Share in the top 3 points (5–7 on 1–7).
    pub agree: f64,
    /// Share in the top 2 points minus share in the bottom 3 (6–7 minus 1–3 on 1–7), in −1..=1.
    pub net: f64,
    /// Answers off the scale or not whole.
    pub invalid: u64,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// The default CES question: 1–7, higher is better.
pub fn ces_question() -> Question {
    Question::new("CES", 1, 7)
}

/// Scores CES answers.
///
/// # Errors
/// [`SatisfactionError::Param`] for a bad scale (fewer than 5 points),
/// [`SatisfactionError::NoValidAnswers`] when nothing is valid.
pub fn ces(
    answers: &[f64],
    question: &Question,
    interval: MeanInterval,
) -> Result<CesScore, SatisfactionError> {
    question.check()?;
    if question.max - question.min < 4 {
        return Err(SatisfactionError::Param {
            name: "scale",
            message: format!(
                "CES needs at least 5 points, found {}..={}",
                question.min, question.max
            ),
        });
    }
    let valid: Vec<f64> = answers
        .iter()
        .copied()
        .filter(|&a| question.valid(a))
        .collect();
    let invalid = (answers.len() - valid.len()) as u64;
    let n = valid.len() as u64;
    let Some(m) = mean(&valid) else {
        return Err(SatisfactionError::NoValidAnswers {
            score: "CES",
            invalid,
        });
    };
    let s = sd(&valid).unwrap_or(0.0);
    // With one answer the interval is the whole scale.
    let (ci_low, ci_high) = if n >= 2 {
        let half = mean_quantile(interval, n) * s / (n as f64).sqrt();
        (m - half, m + half)
    } else {
        (f64::from(question.min), f64::from(question.max))
    };
    let share = |f: &dyn Fn(f64) -> bool| valid.iter().filter(|&&a| f(a)).count() as f64 / n as f64;
    let agree = share(&|a| question.in_top(a, 3));
    let net = share(&|a| question.in_top(a, 2)) - share(&|a| question.in_bottom(a, 3));
    let (too_few, caution) = caution(n);
    Ok(CesScore {
        question: question.clone(),
        n,
        mean: m,
        sd: s,
        interval,
        ci_low,
        ci_high,
        agree,
        net,
        invalid,
        too_few,
        caution,
    })
}
