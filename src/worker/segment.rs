//! Worker task: segmentation. The figures are computed in [`crate::analysis::segment`] (the
//! same functions `crm segment` calls); this task only resolves which customer summary a
//! request means: the one it carries, or the one the worker holds under its key, so the page
//! sends a million customers once, not on every change of a setting.

use super::error::WorkerError;
pub use crate::analysis::segment::{
    default_request, ClusterRequest, ClusterResult, Feature, NeedsOut, NeedsRequest, RfGrid,
    SegmentRequest, SegmentResult, SegmentRow, DEFAULT_KEY,
};
use crate::domain::customers::CustomerSummary;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    /// The last summary sent with a key (the worker runs one job at a time on one thread).
    static HELD: RefCell<Option<(String, Rc<CustomerSummary>)>> = const { RefCell::new(None) };
}

/// The request's summary, or the one held under its key; a summary sent with a key is held.
fn resolve_summary(
    summary: CustomerSummary,
    key: &str,
) -> Result<Rc<CustomerSummary>, WorkerError> {
    if key.is_empty() {
        return Ok(Rc::new(summary));
    }
    if summary.customers.is_empty() {
        return HELD.with(|h| match &*h.borrow() {
            Some((k, s)) if k == key => Ok(s.clone()),
            _ => Err(WorkerError::NotHeld {
                dataset: key.to_string(),
            }),
        });
    }
    let s = Rc::new(summary);
    HELD.with(|h| *h.borrow_mut() = Some((key.to_string(), s.clone())));
    Ok(s)
}

/// Runs the segmentation ([`crate::analysis::segment::segment`]) on the request's summary or
/// the held one.
///
/// # Errors
/// [`WorkerError::NotHeld`] for a lean request the worker cannot serve; otherwise a message for the
/// user (bad RFM settings, an empty summary, a k-means that cannot run).
pub fn run(
    mut req: SegmentRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, WorkerError> {
    let customers = std::mem::take(&mut req.summary.customers);
    let summary = CustomerSummary {
        customers,
        ..req.summary.clone()
    };
    let summary = resolve_summary(summary, &req.summary_key)?;
    crate::analysis::segment::segment(&summary, &req, progress).map_err(WorkerError::Segment)
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

    #[test]
    fn a_summary_sent_with_a_key_is_held_for_lean_requests() {
        let summary = sample_summary(50);
        let mut lean = default_request(CustomerSummary {
            customers: Vec::new(),
            ..summary.clone()
        });
        lean.summary_key = "data-1".into();
        assert_eq!(
            run(lean.clone(), &mut |_, _| {}),
            Err(WorkerError::NotHeld {
                dataset: "data-1".into()
            })
        );
        let mut full = default_request(summary);
        full.summary_key = "data-1".into();
        let a = run(full, &mut |_, _| {}).unwrap();
        let b = run(lean.clone(), &mut |_, _| {}).unwrap();
        assert_eq!(a, b);
        lean.summary_key = "data-2".into();
        assert_eq!(
            run(lean, &mut |_, _| {}),
            Err(WorkerError::NotHeld {
                dataset: "data-2".into()
            })
        );
    }
}
