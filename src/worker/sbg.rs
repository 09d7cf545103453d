//! Worker task: the shifted-beta-geometric (sBG) fit on a subscription cohort's survivor counts
//! ([`crate::domain::clv::sbg`]), so the page's thread never runs the optimiser.

use super::error::WorkerError;
use crate::domain::clv::sbg::{FittedSbg, SbgParams};
use serde::{Deserialize, Serialize};

/// What the page sends: the cohort's counts and the fit's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SbgRequest {
    /// Customers still active per period: `survivors[0]` is the cohort size.
    pub survivors: Vec<f64>,
    /// Search options.
    #[serde(default)]
    pub params: SbgParams,
}

/// The stage the page shows while the fit runs.
pub const STAGE: &str = "Fitting the sBG model";

/// Fits the sBG model on `req.survivors`, reporting the search's progress.
///
/// # Errors
/// [`WorkerError::Clv`] with the model's message for the user (too few periods, a count that
/// rises, nobody or everybody churned).
pub fn run(
    req: &SbgRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<FittedSbg, WorkerError> {
    progress(0.0, STAGE);
    let fit = req
        .params
        .fit(&req.survivors, &mut |f| progress(f, STAGE))
        .map_err(|e| WorkerError::Clv(e.to_string()))?;
    progress(1.0, "Done");
    Ok(fit)
}
