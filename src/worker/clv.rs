//! Worker task: fit a lifetime-value model on a customer summary and predict per customer.
//! (Request and result types are owned by the Lifetime value page.)

use crate::domain::customers::CustomerSummary;
use serde::{Deserialize, Serialize};

/// What to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvRequest {
    /// The customer summary.
    pub summary: CustomerSummary,
}

/// Cache key of the default fit (BG/NBD, Gamma-Gamma spend, 12 months): other pages (Segments,
/// Value & strategy, Satisfaction) read per-customer P(alive) and CLV from it.
pub const DEFAULT_KEY: &str = "clv/default";

/// The default request: the fit other pages rely on.
pub fn default_request(summary: CustomerSummary) -> ClvRequest {
    ClvRequest { summary }
}

/// What the fit produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ClvResult {
    /// Customer ids, in the summary's order. (Contract: other pages read these four vectors.)
    pub ids: Vec<String>,
    /// P(alive) per customer.
    pub p_alive: Vec<f64>,
    /// Expected purchases over the horizon per customer.
    pub expected_purchases: Vec<f64>,
    /// CLV per customer over the horizon (margin and discount applied).
    pub clv: Vec<f64>,
}

/// Runs the fit.
///
/// # Errors
/// A message for the user.
pub fn run(req: ClvRequest, progress: &mut dyn FnMut(f64, &str)) -> Result<ClvResult, String> {
    let _ = (req, progress);
    Err("not implemented yet".into())
}
