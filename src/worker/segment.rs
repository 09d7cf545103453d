//! Worker task: segmentation. The figures are computed in [`crate::analysis::segment`] (the
//! same functions `crm segment` calls); in the worker the summary is the held dataset's (see
//! [`crate::worker::datasets`]), so the page sends a million customers once, not on every
//! change of a setting.

use super::error::WorkerError;
pub use crate::analysis::segment::{
    default_request, ClusterRequest, ClusterResult, Feature, NeedsOut, NeedsRequest, RfGrid,
    SegmentRequest, SegmentResult, SegmentRow, DEFAULT_KEY,
};
use crate::domain::customers::CustomerSummary;

/// Runs the segmentation ([`crate::analysis::segment::segment`]) on the request's own summary.
///
/// # Errors
/// [`WorkerError::Segment`] with a message for the user (bad RFM settings, an empty summary, a
/// k-means that cannot run).
pub fn run(
    req: SegmentRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, WorkerError> {
    run_on(&req.summary, &req, progress)
}

/// Runs the segmentation on `summary` (the worker's held one), not the request's.
///
/// # Errors
/// As [`run`].
pub fn run_on(
    summary: &CustomerSummary,
    req: &SegmentRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, WorkerError> {
    crate::analysis::segment::segment(summary, req, progress).map_err(WorkerError::Segment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::{summarize, SummaryOptions, Transaction};
    use chrono::NaiveDate;

    fn sample_summary(n: usize) -> CustomerSummary {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let log: Vec<Transaction> = (0..n)
            .flat_map(|c| {
                (0..1 + (c * 7) % 9).map(move |v| Transaction {
                    customer_id: format!("c{c:04}"),
                    date: start + chrono::Days::new(((c * 13 + v * 29) % 360) as u64),
                    amount: 5.0 + ((c * 31 + v * 17) % 200) as f64,
                    margin: None,
                    quantity: None,
                    channel: None,
                    product: None,
                })
            })
            .collect();
        summarize(&log, &SummaryOptions::default()).unwrap()
    }

    #[test]
    fn segmentation_output_round_trips_through_bincode() {
        let res = run(default_request(sample_summary(60)), &mut |_, _| {}).unwrap();
        let task = crate::worker::tasks::Output::Segment(Box::new(res));
        let bytes = bincode::serialize(&task).unwrap();
        let back: crate::worker::tasks::Output = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, task);
    }
}
