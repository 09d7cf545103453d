//! Worker task: segmentation. The figures are computed in [`crate::analysis::segment`] (the
//! same functions `crm segment` calls); in the worker the summary is the held dataset's (see
//! [`crate::worker::datasets`]), so the page sends a million customers once, not on every
//! change of a setting.
//!
//! The worker keeps each whole segmentation it computed ([`HeldSegments`], under the page's
//! key) and answers with its view ([`SegmentResult::view`]: no per-customer columns); the page
//! then asks about the customers ([`SegmentQuery`]: a segment's customers a page at a time,
//! the cross-tab, the survey's answers per segment), and the Satisfaction analyses and the
//! report read each customer's segment here. A task naming a segmentation no longer held fails
//! with [`WorkerError::SegmentsGone`]; the page asks for it again.

use super::datasets::Datasets;
use super::error::WorkerError;
use super::tasks::Output;
pub use crate::analysis::segment::{
    default_request, ClusterRequest, ClusterResult, CustomerPage, CustomerQuery, CustomerRow,
    Feature, Labeling, NeedsOut, NeedsRequest, RfGrid, SegmentAnswers, SegmentRequest,
    SegmentResult, SegmentRow, DEFAULT_KEY,
};
use crate::domain::customers::CustomerSummary;
use crate::domain::segmentation::CrossTab;
use crate::domain::segmentation::{search_part, KSearchPart, KSearchSample};
use crate::io::import::survey::SurveyTable;
use serde::{Deserialize, Serialize};

/// A whole segmentation the worker keeps, with the lifetime values it was given.
#[derive(Debug)]
pub struct HeldSegment {
    /// The dataset segmented.
    pub dataset: String,
    /// The whole result, per-customer columns included.
    pub result: SegmentResult,
    /// CLV per customer, when the request had it.
    pub clv: Option<Vec<f64>>,
    /// P(alive) per customer, when the request had it.
    pub p_alive: Option<Vec<f64>>,
}

/// The whole segmentations the worker keeps, by the page's key, newest last; at most
/// [`HeldSegments::CAPACITY`].
#[derive(Debug, Default)]
pub struct HeldSegments {
    held: Vec<(String, HeldSegment)>,
}

impl HeldSegments {
    /// How many are kept: the Segments page's, the default one the other pages read, and one
    /// more (a million customers' whole result is some 50 MB).
    pub const CAPACITY: usize = 3;

    /// Keeps `held` under `key` (replacing an older one), forgetting the oldest beyond
    /// [`Self::CAPACITY`].
    pub fn keep(&mut self, key: &str, held: HeldSegment) {
        self.held.retain(|(k, _)| k != key);
        self.held.push((key.to_string(), held));
        while self.held.len() > Self::CAPACITY {
            self.held.remove(0);
        }
    }

    /// The segmentation kept under `key`.
    ///
    /// # Errors
    /// [`WorkerError::SegmentsGone`] when it is not kept.
    pub fn get(&self, key: &str) -> Result<&HeldSegment, WorkerError> {
        self.held
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, h)| h)
            .ok_or_else(|| WorkerError::SegmentsGone {
                key: key.to_string(),
            })
    }
}

/// Keeps a whole result under `key` and answers its view ([`Output::Segment`]); an empty key
/// keeps nothing and answers the whole result (the native tests).
pub fn hold(
    segments: &mut HeldSegments,
    dataset: &str,
    key: &str,
    mut result: SegmentResult,
    req: &mut SegmentRequest,
) -> Output {
    if key.is_empty() {
        return Output::Segment(Box::new(result));
    }
    let view = result.view(key);
    segments.keep(
        key,
        HeldSegment {
            dataset: dataset.to_string(),
            result,
            clv: req.clv.take(),
            p_alive: req.p_alive.take(),
        },
    );
    Output::Segment(Box::new(view))
}

/// What the page asks about the customers of a held segmentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SegmentQuery {
    /// A page of a segment's customers.
    Customers(CustomerQuery),
    /// The cross-tab of two segmentations (rows, columns).
    CrossTab(Labeling, Labeling),
    /// The survey's recommend answers per segment.
    Answers(Box<SurveyTable>),
}

/// The answer to a [`SegmentQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SegmentAnswer {
    /// A page of a segment's customers.
    Customers(CustomerPage),
    /// The cross-tab (None: one of the two was not computed; an error in words).
    CrossTab(Option<Result<CrossTab, String>>),
    /// The answers per segment (None: the survey has no ids or no recommend question).
    Answers(Option<SegmentAnswers>),
}

/// Answers a question about the customers of the segmentation held under `key`.
///
/// # Errors
/// [`WorkerError::SegmentsGone`] when it is not held; [`WorkerError::NotHeld`] when its
/// dataset is not.
pub fn query(key: &str, q: &SegmentQuery, datasets: &Datasets) -> Result<Output, WorkerError> {
    let held = datasets.segments.get(key)?;
    let customers = || {
        datasets
            .get(&held.dataset)
            .map(|d| d.summary.customers.as_slice())
    };
    let answer = match q {
        SegmentQuery::Customers(q) => {
            SegmentAnswer::Customers(crate::analysis::segment::customers_page(
                &held.result,
                customers()?,
                held.clv.as_deref(),
                held.p_alive.as_deref(),
                q,
            ))
        }
        SegmentQuery::CrossTab(a, b) => {
            SegmentAnswer::CrossTab(crate::analysis::segment::crosstab(&held.result, *a, *b))
        }
        SegmentQuery::Answers(survey) => SegmentAnswer::Answers(
            crate::analysis::segment::nps_by_segment(survey, customers()?, &held.result),
        ),
    };
    Ok(Output::SegmentAnswer(Box::new(answer)))
}

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
        /// The page's key for the result: the worker keeps it there ([`hold`]).
        key: String,
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
    datasets: &mut Datasets,
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
            key,
            mut request,
            part,
        } => {
            let held = datasets.get(&dataset)?;
            let result = crate::analysis::segment::segment_with(
                &held.summary,
                &request,
                Some(*part),
                progress,
            )
            .map_err(WorkerError::Segment)?;
            Ok(hold(
                &mut datasets.segments,
                &dataset,
                &key,
                result,
                &mut request,
            ))
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
    fn send(task: KSearchTask, datasets: &mut Datasets) -> Output {
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
            &mut datasets,
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
                &mut datasets,
            ) else {
                panic!("not a part");
            };
            part.merge(*p);
        }
        let finish = KSearchTask::Finish {
            dataset: dataset.clone(),
            key: String::new(),
            request,
            part: Box::new(part),
        };
        assert_eq!(send(finish, &mut datasets), Output::Segment(Box::new(one)));
        let missing = KSearchTask::Sample {
            dataset: "gone".into(),
            request: Box::new(default_request(summary)),
        };
        assert!(matches!(
            run_search(missing, &mut datasets, &mut |_, _| {}),
            Err(WorkerError::NotHeld { .. })
        ));
    }

    #[test]
    fn a_held_segmentation_answers_views_pages_crosstabs_and_then_is_gone() {
        use super::super::datasets::Held;
        use super::super::tasks::{run_with, Task};
        let summary = sample_summary(200);
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
        req.clv = Some((0..200).map(f64::from).collect());
        let whole = run_on(&summary, &req, &mut |_, _| {}).unwrap();
        let task = |key: &str| Task::Segment {
            dataset: "d".into(),
            key: key.into(),
            request: Box::new(req.clone()),
        };
        let Output::Segment(view) = run_with(task("d/k1"), &mut datasets, &mut |_, _| {}).unwrap()
        else {
            panic!("not a segmentation");
        };
        assert!(view.is_view() && view.segment_of.is_empty());
        assert_eq!((view.held.as_str(), view.len()), ("d/k1", 200));
        assert_eq!(view.table, whole.table);
        let name = whole.table[0].name.clone();
        let ask = |key: &str, q: SegmentQuery, datasets: &mut Datasets| {
            let t = Task::SegmentQuery {
                key: key.into(),
                query: Box::new(q),
            };
            let t = bincode::deserialize(&bincode::serialize(&t).unwrap()).unwrap();
            run_with(t, datasets, &mut |_, _| {})
        };
        let q = SegmentQuery::Customers(CustomerQuery {
            segment: name.clone(),
            limit: 10,
            ..Default::default()
        });
        let Ok(Output::SegmentAnswer(a)) = ask("d/k1", q.clone(), &mut datasets) else {
            panic!("no answer");
        };
        let SegmentAnswer::Customers(page) = *a else {
            panic!("not customers");
        };
        assert_eq!(page.in_segment, whole.table[0].customers);
        assert!(
            page.rows.iter().all(|r| r.clv.is_some()),
            "the request's CLV"
        );
        let x = SegmentQuery::CrossTab(Labeling::Rfm, Labeling::Pyramid);
        let Ok(Output::SegmentAnswer(a)) = ask("d/k1", x, &mut datasets) else {
            panic!("no answer");
        };
        assert!(matches!(*a, SegmentAnswer::CrossTab(Some(Ok(_)))));
        // Three more results push the first out: it is gone, in words the page matches.
        for k in ["d/k2", "d/k3", "d/k4"] {
            run_with(task(k), &mut datasets, &mut |_, _| {}).unwrap();
        }
        assert_eq!(
            ask("d/k1", q, &mut datasets),
            Err(WorkerError::SegmentsGone { key: "d/k1".into() })
        );
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
