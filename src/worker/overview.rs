//! Worker task: the Overview. The figures and actions are computed in
//! [`crate::analysis::overview`] (the same function `crm report` calls); this task only reads
//! the held dataset's summary.

use super::datasets::Datasets;
use super::error::WorkerError;
use super::tasks::Output;
pub use crate::analysis::overview::{Action, Figure, Link, Overview, SegmentValue};
use crate::io::import::survey::SurveyTable;
use serde::{Deserialize, Serialize};

/// What to compute the overview of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewRequest {
    /// The held dataset (its customer summary is read).
    pub dataset: String,
    /// The survey responses, when a survey is loaded (NPS, CSAT, value at risk).
    pub survey: Option<SurveyTable>,
}

/// Runs [`crate::analysis::overview::compute`] on the held dataset's summary.
///
/// # Errors
/// [`WorkerError::NotHeld`] when the dataset is not held.
pub fn run(
    req: &OverviewRequest,
    datasets: &mut Datasets,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    let held = datasets.get(&req.dataset)?;
    let c = crate::analysis::overview::compute(&held.summary, req.survey.as_ref(), progress);
    Ok(Output::Overview(Box::new(c.overview)))
}
