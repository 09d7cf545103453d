//! Satisfaction scores: NPS, CSAT, CES, expectancy disconfirmation, cumulative satisfaction,
//! importance-performance analysis and Kano, with trends by period and the link to customer
//! outcomes.
//!
//! Every score carries its sample size `n` and a `too_few` flag (n < [`MIN_N`]) with a plain
//! caution message: survey data can be inaccurate, so small samples are called out.

pub mod ces;
pub mod csat;
pub mod cumulative;
pub mod disconfirmation;
pub mod ipa;
pub mod kano;
pub mod link;
pub mod nps;
pub mod stats;
pub mod trends;

pub use ces::{ces, CesScore};
pub use csat::{csat, CsatScore, Direction, Question};
pub use nps::{nps, nps_difference, NpsDifference, NpsScore};

/// Below this many answers a score is flagged `too_few`.
pub const MIN_N: u64 = 30;

/// The caution for a sample of `n`: (too_few, message).
pub fn caution(n: u64) -> (bool, Option<String>) {
    if n < MIN_N {
        (
            true,
            Some(format!(
                "only {n} answers (fewer than {MIN_N}): treat this score as a rough indication"
            )),
        )
    } else {
        (false, None)
    }
}

/// Why a satisfaction score could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum SatisfactionError {
    /// No valid answer (the number of invalid ones is given).
    NoValidAnswers {
        /// Which score.
        score: &'static str,
        /// Answers rejected as invalid.
        invalid: u64,
    },
    /// A parameter is out of range.
    Param {
        /// Parameter name.
        name: &'static str,
        /// What was found and what was expected.
        message: String,
    },
    /// Inputs of different lengths, or too few rows for the computation.
    Shape(String),
}

impl std::fmt::Display for SatisfactionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SatisfactionError::NoValidAnswers { score, invalid } => write!(
                f,
                "{score}: no valid answers ({invalid} invalid answer(s) were left out)"
            ),
            SatisfactionError::Param { name, message } => write!(f, "{name}: {message}"),
            SatisfactionError::Shape(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for SatisfactionError {}
pub mod relweights;
