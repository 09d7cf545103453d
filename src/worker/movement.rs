//! Worker task: segment movement between two dates. The figures are computed in
//! [`crate::analysis::movement`] on the held dataset's log and summary.

use super::datasets::Held;
use super::error::WorkerError;
pub use crate::analysis::movement::{MovementRequest, MovementResult, NOT_YET};
use crate::domain::customers::SummaryOptions;

/// Runs the movement analysis on a held dataset (its time unit; returns netted, the default).
///
/// # Errors
/// [`WorkerError::Segment`] with a message for the user (dates outside the data, no log).
pub fn run_on(
    held: &Held,
    req: &MovementRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<MovementResult, WorkerError> {
    let base = SummaryOptions {
        time_unit: held.summary.time_unit,
        ..SummaryOptions::default()
    };
    crate::analysis::movement::analyze(&held.log, &base, &held.summary, req, progress)
        .map_err(WorkerError::Segment)
}
