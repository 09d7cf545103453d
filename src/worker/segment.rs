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

    /// Forgets the segmentations of `dataset` (of every dataset with `None`).
    pub fn forget(&mut self, dataset: Option<&str>) {
        self.held
            .retain(|(_, h)| dataset.is_some_and(|d| d != h.dataset));
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
mod tests;
