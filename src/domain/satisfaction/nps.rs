//! Net Promoter Score with its standard error and interval.
//!
//! Promoters answer 9–10, passives 7–8, detractors 0–6; with shares p and d of n valid
//! answers, NPS = 100·(p − d). The per-response variance of the score (+1, 0, −1) is
//! V = p + d − (p − d)², SE = 100·√(V / n), and the 95% interval is NPS ± 1.96·SE. Answers
//! outside 0..=10 or not whole numbers are counted as invalid and left out.

use super::stats::{normal_p_two_sided, Z95};
use super::{caution, SatisfactionError};
use serde::{Deserialize, Serialize};

/// An NPS with its breakdown and interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsScore {
    /// Valid answers.
    pub n: u64,
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// Answers left out (outside 0..=10, not whole, not a number).
    pub invalid: u64,
    /// Share of promoters.
    pub p: f64,
    /// Share of detractors.
    pub d: f64,
    /// 100·(p − d).
    pub nps: f64,
    /// Per-response variance p + d − (p − d)².
    pub variance: f64,
    /// 100·√(V/n).
    pub se: f64,
    /// NPS − 1.96·SE.
    pub ci_low: f64,
    /// NPS + 1.96·SE.
    pub ci_high: f64,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// The NPS category of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NpsCategory {
    /// 0–6.
    Detractor,
    /// 7–8.
    Passive,
    /// 9–10.
    Promoter,
}

impl NpsCategory {
    /// Category of an answer; None when it is not a whole number in 0..=10.
    pub fn of(answer: f64) -> Option<NpsCategory> {
        if !(0.0..=10.0).contains(&answer) || answer.fract() != 0.0 {
            return None;
        }
        Some(if answer >= 9.0 {
            NpsCategory::Promoter
        } else if answer >= 7.0 {
            NpsCategory::Passive
        } else {
            NpsCategory::Detractor
        })
    }

    /// Plain name.
    pub fn name(self) -> &'static str {
        match self {
            NpsCategory::Detractor => "Detractor",
            NpsCategory::Passive => "Passive",
            NpsCategory::Promoter => "Promoter",
        }
    }
}

/// Scores raw answers (invalid ones counted and left out).
///
/// # Errors
/// [`SatisfactionError::NoValidAnswers`] when no answer is valid.
pub fn nps(answers: &[f64]) -> Result<NpsScore, SatisfactionError> {
    let (mut pr, mut pa, mut de, mut inv) = (0u64, 0u64, 0u64, 0u64);
    for &a in answers {
        match NpsCategory::of(a) {
            Some(NpsCategory::Promoter) => pr += 1,
            Some(NpsCategory::Passive) => pa += 1,
            Some(NpsCategory::Detractor) => de += 1,
            None => inv += 1,
        }
    }
    nps_from_counts(pr, pa, de, inv)
}

/// Scores from counts.
///
/// # Errors
/// [`SatisfactionError::NoValidAnswers`] when all three counts are 0.
pub fn nps_from_counts(
    promoters: u64,
    passives: u64,
    detractors: u64,
    invalid: u64,
) -> Result<NpsScore, SatisfactionError> {
    let n = promoters + passives + detractors;
    if n == 0 {
        return Err(SatisfactionError::NoValidAnswers {
            score: "NPS",
            invalid,
        });
    }
    let nf = n as f64;
    let p = promoters as f64 / nf;
    let d = detractors as f64 / nf;
    let variance = (p + d - (p - d) * (p - d)).max(0.0);
    let se = 100.0 * (variance / nf).sqrt();
    let score = 100.0 * (p - d);
    let (too_few, caution) = caution(n);
    Ok(NpsScore {
        n,
        promoters,
        passives,
        detractors,
        invalid,
        p,
        d,
        nps: score,
        variance,
        se,
        ci_low: score - Z95 * se,
        ci_high: score + Z95 * se,
        too_few,
        caution,
    })
}

/// The difference between two independent NPS (groups or periods).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsDifference {
    /// NPS of b − NPS of a.
    pub difference: f64,
    /// √(SE_a² + SE_b²).
    pub se: f64,
    /// Difference / SE (None when SE is 0).
    pub z: Option<f64>,
    /// Two-sided p-value (None when SE is 0).
    pub p_value: Option<f64>,
    /// Difference − 1.96·SE.
    pub ci_low: f64,
    /// Difference + 1.96·SE.
    pub ci_high: f64,
    /// Either group has too few answers.
    pub too_few: bool,
}

/// Compares two independent scores: b − a.
pub fn nps_difference(a: &NpsScore, b: &NpsScore) -> NpsDifference {
    let difference = b.nps - a.nps;
    let se = (a.se * a.se + b.se * b.se).sqrt();
    let z = (se > 0.0).then(|| difference / se);
    NpsDifference {
        difference,
        se,
        z,
        p_value: z.map(normal_p_two_sided),
        ci_low: difference - Z95 * se,
        ci_high: difference + Z95 * se,
        too_few: a.too_few || b.too_few,
    }
}
