//! The classroom lessons of the Learn page: each lesson's calculation, pure and pinned by
//! native tests against hand-computed cases. The pages only render what these return.
//!
//! One file per lesson: [`clv`] (period-by-period lifetime value beside the closed form),
//! [`retention`] (Reichheld & Sasser's retention economics), [`satisfaction`] (performance
//! against expectations, and a seeded panel showing why cumulative satisfaction predicts staying
//! better than the latest answer), [`perceived`] (customer perceived value of offers),
//! [`wallet`] (share of wallet and share of customer), [`rfm`] (RFM on a small table, by the
//! engine's own scoring) and [`relationships`] (relationship levels, Kotler's portfolio grid and
//! the app's own strategy rules).

pub mod clv;
pub mod perceived;
pub mod relationships;
pub mod retention;
pub mod rfm;
pub mod satisfaction;
pub mod wallet;

/// Why a lesson's figures cannot be computed from the inputs given, naming the input.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonError {
    /// The input, in plain words ("retention", "row 2: category spend").
    pub input: String,
    /// What it must be.
    pub expected: String,
    /// The value found.
    pub found: f64,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, found {}",
            self.input, self.expected, self.found
        )
    }
}

impl std::error::Error for LessonError {}

pub(crate) fn check(input: &str, value: f64, ok: bool, expected: &str) -> Result<(), LessonError> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(LessonError {
            input: input.into(),
            expected: expected.into(),
            found: value,
        })
    }
}
