//! Worker task: segment customers (RFM, maps, k-means, tiers) on a customer summary.
//! (Request and result types are owned by the Segments page.)

use crate::domain::customers::CustomerSummary;
use serde::{Deserialize, Serialize};

/// What to segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRequest {
    /// The customer summary.
    pub summary: CustomerSummary,
}

/// Cache key of the default segmentation (RFM quintiles, the R×F map): other pages
/// (Satisfaction, Value & strategy) read each customer's segment from it.
pub const DEFAULT_KEY: &str = "segments/default";

/// The default request.
pub fn default_request(summary: CustomerSummary) -> SegmentRequest {
    SegmentRequest { summary }
}

/// What segmentation produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SegmentResult {
    /// Customer ids, in the summary's order. (Contract: other pages read these two vectors.)
    pub ids: Vec<String>,
    /// Named RFM segment per customer.
    pub segment: Vec<String>,
}

/// Runs the segmentation.
///
/// # Errors
/// A message for the user.
pub fn run(
    req: SegmentRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, String> {
    let _ = (req, progress);
    Err("not implemented yet".into())
}
