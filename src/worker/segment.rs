//! Worker task: segmentation. The figures are computed in [`crate::analysis::segment`] (the
//! same functions `crm segment` calls); in the worker the summary is the held dataset's (see
//! [`crate::worker::datasets`]), so the page sends a million customers once, not on every
//! change of a setting.

use super::datasets::Datasets;
use super::error::WorkerError;
use super::tasks::Output;
pub use crate::analysis::segment::{
    default_request, ClusterRequest, ClusterResult, Feature, NeedsOut, NeedsRequest, RfGrid,
    SegmentRequest, SegmentResult, SegmentRow, DEFAULT_KEY,
};
use crate::domain::customers::CustomerSummary;
use crate::domain::segmentation::{search_part, KSearchPart, KSearchSample};
use serde::{Deserialize, Serialize};

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

/// A step of a segmentation whose k-means search is split across workers (see
/// [`crate::domain::segmentation::ksearch`]): the worker holding the customers gives the
/// search's sample, pool workers fit values of k on it, and the holding worker finishes the
/// segmentation with the merged fits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum KSearchTask {
    /// The search's sample for a held dataset's customers; answers [`Output::KSearchSample`].
    Sample {
        /// The dataset.
        dataset: String,
        /// The segmentation's settings (with k-means).
        request: Box<SegmentRequest>,
    },
    /// Fit k = `first..=last` on the sample; answers [`Output::KSearchPart`].
    Part {
        /// The search's sample.
        sample: Box<KSearchSample>,
        /// Smallest k.
        first: u32,
        /// Largest k.
        last: u32,
    },
    /// The segmentation of a held dataset's customers with the merged fits of every k;
    /// answers [`Output::Segment`], the same result as [`run_on`].
    Finish {
        /// The dataset.
        dataset: String,
        /// The segmentation's settings.
        request: Box<SegmentRequest>,
        /// Every k's fits, merged.
        part: Box<KSearchPart>,
    },
}

/// Runs a step of a split segmentation.
///
/// # Errors
/// [`WorkerError::Segment`] in plain words; [`WorkerError::NotHeld`] when the dataset is not
/// held.
pub fn run_search(
    task: KSearchTask,
    datasets: &Datasets,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    match task {
        KSearchTask::Sample { dataset, request } => {
            let held = datasets.get(&dataset)?;
            progress(0.1, "Preparing the k-means search");
            crate::analysis::segment::search_sample(&held.summary, &request)
                .map_err(WorkerError::Segment)?
                .map(|s| Output::KSearchSample(Box::new(s)))
                .ok_or_else(|| WorkerError::Segment("k-means was not asked for.".into()))
        }
        KSearchTask::Part {
            sample,
            first,
            last,
        } => {
            let stage = if first == last {
                format!("k-means with k = {first}")
            } else {
                format!("k-means with k = {first} to {last}")
            };
            search_part(&sample, first..=last, &mut |f| progress(f, &stage))
                .map(|p| Output::KSearchPart(Box::new(p)))
                .map_err(|e| WorkerError::Segment(format!("k-means: {e}")))
        }
        KSearchTask::Finish {
            dataset,
            request,
            part,
        } => {
            let held = datasets.get(&dataset)?;
            crate::analysis::segment::segment_with(&held.summary, &request, Some(*part), progress)
                .map(|r| Output::Segment(Box::new(r)))
                .map_err(WorkerError::Segment)
        }
    }
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

    /// Sends a task through bincode as the page does and runs it.
    fn send(task: KSearchTask, datasets: &Datasets) -> Output {
        let task = bincode::deserialize(&bincode::serialize(&task).unwrap()).unwrap();
        let out = run_search(task, datasets, &mut |_, _| {}).unwrap();
        bincode::deserialize(&bincode::serialize(&out).unwrap()).unwrap()
    }

    #[test]
    fn the_split_tasks_give_the_one_worker_segmentation() {
        use super::super::datasets::Held;
        let summary = sample_summary(300);
        let mut datasets = Datasets::default();
        datasets.keep(
            "d",
            Held {
                log: Default::default(),
                summary: summary.clone(),
            },
        );
        let mut req = default_request(crate::domain::customers::CustomerSummary {
            customers: Vec::new(),
            ..summary.clone()
        });
        req.cluster = Some(ClusterRequest {
            k_max: 5,
            ..Default::default()
        });
        let one = run_on(&summary, &req, &mut |_, _| {}).unwrap();
        let dataset = "d".to_string();
        let request = Box::new(req);
        let Output::KSearchSample(sample) = send(
            KSearchTask::Sample {
                dataset: dataset.clone(),
                request: request.clone(),
            },
            &datasets,
        ) else {
            panic!("not a sample");
        };
        let mut part = KSearchPart::default();
        for (first, last) in [(4, 5), (2, 3)] {
            let Output::KSearchPart(p) = send(
                KSearchTask::Part {
                    sample: sample.clone(),
                    first,
                    last,
                },
                &datasets,
            ) else {
                panic!("not a part");
            };
            part.merge(*p);
        }
        let finish = KSearchTask::Finish {
            dataset: dataset.clone(),
            request,
            part: Box::new(part),
        };
        assert_eq!(send(finish, &datasets), Output::Segment(Box::new(one)));
        let missing = KSearchTask::Sample {
            dataset: "gone".into(),
            request: Box::new(default_request(summary)),
        };
        assert!(matches!(
            run_search(missing, &datasets, &mut |_, _| {}),
            Err(WorkerError::NotHeld { .. })
        ));
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
