//! The tasks the worker runs: thin functions from a request to domain results. They are plain
//! functions, so the same code runs natively in tests and in the browser's worker. Imports go
//! through the io pipeline ([`crate::io::import::pipeline`]), like the `crm` command's; an
//! imported log and summary stay in the worker's [`Datasets`], and later tasks name the
//! dataset.

use super::datasets::Datasets;
use crate::domain::customers::SummaryOptions;
use crate::io::import::import_bytes;
use serde::{Deserialize, Serialize};

pub use super::error::WorkerError;
pub use super::output::Output;
pub use super::sample::{History, SampleFiles};
/// The import types live in io; these names stay for the protocol and the pages.
pub use crate::io::import::{detect_kind, ImportJob, ImportSettings, Imported, MAX_WHOLE_BYTES};

/// A unit of heavy work.
// Messages are built once and moved across the worker boundary: boxing would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    /// Generate the built-in sample data (transactions, survey, cohort) with this seed.
    Sample {
        /// Number of customers.
        n_customers: u32,
        /// Seed.
        seed: u64,
    },
    /// Import a file's bytes (detecting what the settings leave open); a transaction log or
    /// summary is then held under `dataset` (see [`Datasets`]).
    Import {
        /// The page's id of the dataset (`""`: hold nothing).
        dataset: String,
        /// Original file name (used to recognise spreadsheets).
        file_name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Import settings: format overrides, column mapping, bad-row policy, kind.
        settings: ImportSettings,
        /// Summary options (time unit, observation end, split, returns).
        summary: SummaryOptions,
    },
    /// Fit a lifetime-value model on a held dataset and predict per customer (the request's
    /// own summary is not read: the held one is).
    Clv {
        /// The dataset.
        dataset: String,
        /// The fit's settings.
        request: Box<super::clv::ClvRequest>,
    },
    /// The calibration/holdout check of a fit on a held dataset's log, asked after
    /// [`Task::Clv`] (the request's summary is read for its time unit only).
    ClvValidation {
        /// The dataset.
        dataset: String,
        /// The fit's settings (model, calibration end, summary options).
        request: Box<super::clv::ClvRequest>,
    },
    /// Segment a held dataset's customers (the request's own summary is not read); the worker
    /// keeps the whole result under `key` and answers its view (see [`super::segment`]).
    Segment {
        /// The dataset.
        dataset: String,
        /// The page's key for the result (empty: keep nothing, answer the whole result).
        key: String,
        /// The segmentation's settings.
        request: Box<super::segment::SegmentRequest>,
    },
    /// A question about the customers of the segmentation held under `key`.
    SegmentQuery {
        /// The segmentation's key.
        key: String,
        /// The question.
        query: Box<super::segment::SegmentQuery>,
    },
    /// One customer's purchases from a held dataset's log.
    History {
        /// The dataset.
        dataset: String,
        /// The customer's id.
        customer: String,
    },
    /// Segment movement between two dates on a held dataset's log.
    Movement {
        /// The dataset.
        dataset: String,
        /// The dates and RFM settings.
        request: Box<super::movement::MovementRequest>,
    },
    /// Compare BG/NBD, MBG/NBD and Pareto/NBD on a held dataset (its log gives the holdout;
    /// the request's own summary and transactions are not read).
    Compare {
        /// The dataset.
        dataset: String,
        /// The comparison's settings.
        request: Box<crate::analysis::compare::CompareRequest>,
    },
    /// The look-ahead lists (likely to buy, likely lost) for a held dataset's customers under
    /// a fitted model.
    Ahead {
        /// The dataset.
        dataset: String,
        /// The fitted model (from the Lifetime value fit).
        model: Box<crate::domain::clv::FittedModel>,
        /// Horizon in model time units.
        horizon: f64,
        /// P(alive now) below which a customer is "likely lost".
        lost_below: f64,
        /// Longest list.
        limit: u32,
    },
    /// BG/BB on a held dataset: its log cut into the request's period, or its summary read as
    /// whole periods (see [`crate::analysis::discrete`]).
    Discrete {
        /// The dataset.
        dataset: String,
        /// Period, horizon, discount, margin, spend.
        request: Box<crate::analysis::discrete::DiscreteRequest>,
    },
    /// Ranges on every value figure of a fit, for a held dataset's customers.
    Intervals {
        /// The dataset.
        dataset: String,
        /// The fitted purchase model (from the Lifetime value fit).
        model: Box<crate::domain::clv::FittedModel>,
        /// The fitted spend model, if any.
        spend: Option<Box<crate::domain::clv::FittedGammaGamma>>,
        /// The fit's CLV settings.
        settings: Box<crate::domain::clv::ClvSettings>,
        /// Level, draws and seed.
        request: crate::analysis::clv::IntervalRequest,
    },
    /// New-customer value, acquisition cohorts and firm value for a held dataset's customers.
    Cohorts {
        /// The dataset.
        dataset: String,
        /// The fit's model, spend model, settings and expected spend, and the entered inputs.
        request: Box<crate::analysis::cohort::CohortRequest>,
    },
    /// The classroom simulator: the parameters recovered at growing sizes, or (`file`) the
    /// largest base as a file to open like an upload.
    Simulate {
        /// Model, true parameters, size, seed.
        request: Box<crate::analysis::simulator::SimRequest>,
        /// Generate the file instead of fitting.
        file: bool,
    },
    /// A part of a bootstrap split across workers, or its ranges (see [`super::bootstrap`]).
    Bootstrap(Box<super::bootstrap::BootstrapTask>),
    /// A step of a segmentation whose k-means search is split across workers.
    KSearch(Box<super::segment::KSearchTask>),
    /// An XLSX workbook (the report, the BG/NBD lesson's): answered as its bytes.
    Workbook(Box<super::workbook::WorkbookTask>),
    /// The sBG fit on a subscription cohort's survivor counts.
    Sbg(Box<super::sbg::SbgRequest>),
    /// A lesson's engine work (the BG/NBD lesson's sheet and fit, exercise questions).
    Lesson(Box<super::lesson::LessonTask>),
    /// A survey's analyses (the Satisfaction page, the Overview's survey part).
    Satisfaction(Box<super::satisfaction::SatisfactionRequest>),
}

/// Runs a task with no datasets held (an import holds nothing; a task naming a dataset fails
/// with [`WorkerError::NotHeld`]), reporting progress through `progress(fraction, stage)`.
///
/// # Errors
/// A [`WorkerError`] whose text is for the user when the task cannot be done.
pub fn run(task: Task, progress: &mut dyn FnMut(f64, &str)) -> Result<Output, WorkerError> {
    run_with(task, &mut Datasets::default(), progress)
}

/// [`run`] with the datasets the worker holds: an import is held there (under its dataset id),
/// and a task naming a dataset reads it there.
///
/// # Errors
/// As [`run`]; [`WorkerError::NotHeld`] when a task names a dataset not held.
pub fn run_with(
    task: Task,
    datasets: &mut Datasets,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    match task {
        Task::Sample { n_customers, seed } => {
            super::sample::sample_files(n_customers, seed, progress).map(Output::Sample)
        }
        Task::Import {
            dataset,
            file_name,
            bytes,
            settings,
            summary,
        } => {
            let mut imp = import_bytes(&file_name, &bytes, &settings, &summary, progress)?;
            datasets.take_import(&dataset, &mut imp);
            Ok(Output::Imported(Box::new(imp)))
        }
        Task::Clv { dataset, request } => {
            let held = datasets.get_mut(&dataset)?;
            let mut req = *request;
            // The held summary is lent to the fit and taken back (no copy of the customers).
            std::mem::swap(&mut req.summary, &mut held.summary);
            // No validation here: the page asks for it as a task of its own.
            req.transactions = Default::default();
            let result = super::clv::run_ref(&req, progress);
            std::mem::swap(&mut req.summary, &mut held.summary);
            result.map(|r| Output::Clv(Box::new(r)))
        }
        Task::ClvValidation { dataset, request } => {
            let held = datasets.get(&dataset)?;
            let v = crate::analysis::clv::validation_outcome(&request, &held.log, progress);
            Ok(Output::ClvValidation(Box::new(v)))
        }
        Task::History { dataset, customer } => Ok(Output::History(History::of(
            &datasets.get(&dataset)?.log,
            &customer,
        ))),
        Task::Segment {
            dataset,
            key,
            mut request,
        } => {
            let held = datasets.get(&dataset)?;
            let result = super::segment::run_on(&held.summary, &request, progress)?;
            Ok(super::segment::hold(
                &mut datasets.segments,
                &dataset,
                &key,
                result,
                &mut request,
            ))
        }
        Task::SegmentQuery { key, query } => super::segment::query(&key, &query, datasets),
        Task::Movement { dataset, request } => {
            let held = datasets.get(&dataset)?;
            super::movement::run_on(held, &request, progress).map(|r| Output::Movement(Box::new(r)))
        }
        Task::Compare { dataset, request } => {
            super::clv::compare_on(datasets.get_mut(&dataset)?, *request, progress)
                .map(|c| Output::Compare(Box::new(c)))
        }
        Task::Ahead {
            dataset,
            model,
            horizon,
            lost_below,
            limit,
        } => {
            let held = datasets.get(&dataset)?;
            progress(0.1, "Looking ahead for every customer");
            let lists = crate::analysis::ahead::lists(
                &model,
                &held.summary.customers,
                horizon,
                lost_below,
                limit as usize,
            );
            progress(1.0, "Done");
            Ok(Output::Ahead(Box::new(lists)))
        }
        Task::Discrete { dataset, request } => {
            use crate::analysis::discrete;
            let held = datasets.get(&dataset)?;
            progress(0.01, "Cutting the purchases into periods");
            discrete::histories(&held.log, &held.summary, &request)
                .and_then(|h| discrete::run(&h, &request, progress))
                .map(|r| Output::Discrete(Box::new(r)))
                .map_err(WorkerError::Clv)
        }
        Task::Intervals {
            dataset,
            model,
            spend,
            settings,
            request,
        } => {
            let held = datasets.get(&dataset)?;
            super::intervals::run_on(
                &held.summary.customers,
                &model,
                spend.as_deref(),
                &settings,
                &request,
                progress,
            )
            .map(|r| Output::Intervals(Box::new(r)))
        }
        Task::Cohorts { dataset, request } => {
            super::clv::cohorts_on(datasets.get(&dataset)?, &request, progress)
        }
        Task::Simulate { request, file } => super::clv::simulate(&request, file, progress),
        Task::Bootstrap(t) => super::bootstrap::run(*t, datasets, progress),
        Task::KSearch(t) => super::segment::run_search(*t, datasets, progress),
        Task::Workbook(t) => super::workbook::run(*t, &datasets.segments, progress),
        Task::Sbg(r) => super::sbg::run(&r, progress).map(|f| Output::Sbg(Box::new(f))),
        Task::Lesson(t) => super::lesson::run(*t, progress),
        Task::Satisfaction(r) => super::satisfaction::run(&r, datasets, progress),
    }
}
