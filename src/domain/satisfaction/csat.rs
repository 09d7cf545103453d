//! CSAT: the share of top-box answers on a stated scale, with a Wilson 95% interval; and the
//! [`Question`] (scale and direction) every metric stores.

use super::stats::{mean, wilson};
use super::{caution, SatisfactionError};
use serde::{Deserialize, Serialize};

/// Whether high answers are good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Direction {
    /// Higher answers are better (the usual case).
    #[default]
    HigherIsBetter,
    /// Lower answers are better.
    LowerIsBetter,
}

/// A survey question: its name, whole-number scale and direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Question or column name.
    pub name: String,
    /// Lowest answer.
    pub min: i32,
    /// Highest answer.
    pub max: i32,
    /// Whether higher is better.
    #[serde(default)]
    pub direction: Direction,
}

impl Question {
    /// A question on `min..=max`, higher is better.
    pub fn new(name: impl Into<String>, min: i32, max: i32) -> Self {
        Question {
            name: name.into(),
            min,
            max,
            direction: Direction::HigherIsBetter,
        }
    }

    /// Checks the scale.
    ///
    /// # Errors
    /// [`SatisfactionError::Param`] when `min >= max`.
    pub fn check(&self) -> Result<(), SatisfactionError> {
        if self.min >= self.max {
            return Err(SatisfactionError::Param {
                name: "scale",
                message: format!(
                    "expected min < max, found {}..={} for {:?}",
                    self.min, self.max, self.name
                ),
            });
        }
        Ok(())
    }

    /// Whether an answer is a whole number on the scale.
    pub fn valid(&self, a: f64) -> bool {
        a.is_finite() && a.fract() == 0.0 && a >= f64::from(self.min) && a <= f64::from(self.max)
    }

    /// Whether an answer is among the best `boxes` answers (in the question's direction).
    pub fn in_top(&self, a: f64, boxes: u32) -> bool {
        let b = f64::from(boxes);
        match self.direction {
            Direction::HigherIsBetter => a > f64::from(self.max) - b,
            Direction::LowerIsBetter => a < f64::from(self.min) + b,
        }
    }

    /// Whether an answer is among the worst `boxes` answers.
    pub fn in_bottom(&self, a: f64, boxes: u32) -> bool {
        let b = f64::from(boxes);
        match self.direction {
            Direction::HigherIsBetter => a < f64::from(self.min) + b,
            Direction::LowerIsBetter => a > f64::from(self.max) - b,
        }
    }
}

/// A CSAT score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsatScore {
    /// The question (scale, direction).
    pub question: Question,
    /// Number of top boxes counted (2 = top-2 box).
    pub top_boxes: u32,
    /// Valid answers.
    pub n: u64,
    /// Answers in the top boxes.
    pub top: u64,
    /// top / n.
    pub share: f64,
    /// Wilson 95% lower bound.
    pub ci_low: f64,
    /// Wilson 95% upper bound.
    pub ci_high: f64,
    /// Mean answer.
    pub mean: f64,
    /// Answers off the scale or not whole.
    pub invalid: u64,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// CSAT: share of answers in the top `top_boxes` (default 2: 4–5 on 1–5) with a Wilson interval.
///
/// # Errors
/// [`SatisfactionError::Param`] for a bad scale or `top_boxes` outside 1..scale size,
/// [`SatisfactionError::NoValidAnswers`] when nothing is valid.
pub fn csat(
    answers: &[f64],
    question: &Question,
    top_boxes: u32,
) -> Result<CsatScore, SatisfactionError> {
    question.check()?;
    let points = (question.max - question.min) as u32 + 1;
    if top_boxes == 0 || top_boxes >= points {
        return Err(SatisfactionError::Param {
            name: "top_boxes",
            message: format!("expected 1 to {}, found {top_boxes}", points - 1),
        });
    }
    let valid: Vec<f64> = answers
        .iter()
        .copied()
        .filter(|&a| question.valid(a))
        .collect();
    let invalid = (answers.len() - valid.len()) as u64;
    let n = valid.len() as u64;
    if n == 0 {
        return Err(SatisfactionError::NoValidAnswers {
            score: "CSAT",
            invalid,
        });
    }
    let top = valid
        .iter()
        .filter(|&&a| question.in_top(a, top_boxes))
        .count() as u64;
    let (ci_low, ci_high) = wilson(top, n);
    let (too_few, caution) = caution(n);
    Ok(CsatScore {
        question: question.clone(),
        top_boxes,
        n,
        top,
        share: top as f64 / n as f64,
        ci_low,
        ci_high,
        mean: mean(&valid).unwrap_or_default(),
        invalid,
        too_few,
        caution,
    })
}
