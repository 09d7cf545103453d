//! The worker client's typed entry points for the analysis pages' tasks (model comparison,
//! look-ahead lists, BG/BB, ranges, cohorts, the simulator): each wraps its [`Task`] and
//! unpacks its [`Output`], so a page gets its own result type.

use super::{typed, WorkerClient};
use crate::worker::error::WorkerError;
use crate::worker::tasks::{Output, Task};

/// The model comparison and the look-ahead lists (Lifetime value page).
impl WorkerClient {
    /// Compares the three models on the dataset the worker holds (its log gives the holdout).
    pub fn compare(
        &self,
        dataset: &str,
        request: crate::analysis::compare::CompareRequest,
        done: impl FnOnce(Result<crate::analysis::compare::Comparison, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Compare(r) => Some(*r),
            _ => None,
        };
        let task = Task::Compare {
            dataset: dataset.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }

    /// The look-ahead lists for the dataset the worker holds under `model`.
    pub fn ahead(
        &self,
        dataset: &str,
        model: crate::domain::clv::FittedModel,
        horizon: f64,
        lost_below: f64,
        limit: u32,
        done: impl FnOnce(Result<crate::analysis::ahead::AheadLists, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Ahead(r) => Some(*r),
            _ => None,
        };
        let task = Task::Ahead {
            dataset: dataset.to_string(),
            model: Box::new(model),
            horizon,
            lost_below,
            limit,
        };
        self.run(task, typed(unpack, done));
    }

    /// BG/BB on the dataset the worker holds (see [`crate::analysis::discrete`]).
    pub fn discrete(
        &self,
        dataset: &str,
        request: crate::analysis::discrete::DiscreteRequest,
        done: impl FnOnce(Result<crate::analysis::discrete::DiscreteResult, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Discrete(r) => Some(*r),
            _ => None,
        };
        let task = Task::Discrete {
            dataset: dataset.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }
}

/// Ranges on every value figure (Lifetime value page).
impl WorkerClient {
    /// Ranges for the customers of the dataset the worker holds under a fit's `model`, `spend`
    /// and `settings`; cancelled like any computation ([`Self::cancel`]).
    pub fn intervals(
        &self,
        dataset: &str,
        model: crate::domain::clv::FittedModel,
        spend: Option<crate::domain::clv::FittedGammaGamma>,
        settings: crate::domain::clv::ClvSettings,
        request: crate::analysis::clv::IntervalRequest,
        done: impl FnOnce(Result<crate::worker::intervals::ValueRanges, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Intervals(r) => Some(*r),
            _ => None,
        };
        let task = Task::Intervals {
            dataset: dataset.to_string(),
            model: Box::new(model),
            spend: spend.map(Box::new),
            settings: Box::new(settings),
            request,
        };
        self.run(task, typed(unpack, done));
    }
}

/// New customers and cohorts (Value & strategy page).
impl WorkerClient {
    /// The cohort analysis of the dataset the worker holds under a fit (see
    /// [`crate::analysis::cohort`]).
    pub fn cohorts(
        &self,
        dataset: &str,
        request: crate::analysis::cohort::CohortRequest,
        done: impl FnOnce(Result<crate::analysis::cohort::CohortReport, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Cohorts(r) => Some(*r),
            _ => None,
        };
        let task = Task::Cohorts {
            dataset: dataset.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }
}

/// The classroom simulator (Learn page).
impl WorkerClient {
    /// The recovery of `request`'s parameters at growing sizes.
    pub fn recovery(
        &self,
        request: crate::analysis::simulator::SimRequest,
        done: impl FnOnce(Result<crate::analysis::simulator::Recovery, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Recovery(r) => Some(*r),
            _ => None,
        };
        let task = Task::Simulate {
            request: Box::new(request),
            file: false,
        };
        self.run(task, typed(unpack, done));
    }

    /// `request`'s base as a file.
    pub fn simulated_file(
        &self,
        request: crate::analysis::simulator::SimRequest,
        done: impl FnOnce(Result<crate::analysis::simulator::SimFile, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::SimFile(r) => Some(*r),
            _ => None,
        };
        let task = Task::Simulate {
            request: Box::new(request),
            file: true,
        };
        self.run(task, typed(unpack, done));
    }
}

/// Workbooks (report page, BG/NBD lesson): written in the worker, so the XLSX writer is not
/// in the page's download.
impl WorkerClient {
    /// The bytes of the workbook `task` describes.
    pub fn workbook(
        &self,
        task: crate::worker::workbook::WorkbookTask,
        done: impl FnOnce(Result<Vec<u8>, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Workbook(b) => Some(b.0),
            _ => None,
        };
        self.run(Task::Workbook(Box::new(task)), typed(unpack, done));
    }
}

/// The subscription cohort's sBG fit (Lifetime value page): off the page's thread, with its
/// progress shown and cancelled like any computation ([`Self::cancel`]).
impl WorkerClient {
    /// Fits the sBG model on `request`'s survivor counts.
    pub fn sbg(
        &self,
        request: crate::worker::sbg::SbgRequest,
        done: impl FnOnce(Result<crate::domain::clv::sbg::FittedSbg, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Sbg(r) => Some(*r),
            _ => None,
        };
        self.run(Task::Sbg(Box::new(request)), typed(unpack, done));
    }
}

/// The lessons' engine work (BG/NBD lesson, exercises): done in the worker, so the page's
/// download holds no fitting or import code.
impl WorkerClient {
    /// The result of the lesson task `task`.
    pub fn lesson(
        &self,
        task: crate::worker::lesson::LessonTask,
        done: impl FnOnce(Result<crate::worker::lesson::LessonOutput, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Lesson(l) => Some(*l),
            _ => None,
        };
        self.run(Task::Lesson(Box::new(task)), typed(unpack, done));
    }
}

/// A survey's analyses (Satisfaction page, Overview): done in the worker, so the page's
/// download holds none of the survey statistics.
impl WorkerClient {
    /// The answer to `request` (see [`crate::worker::satisfaction`]).
    pub fn satisfaction(
        &self,
        request: crate::worker::satisfaction::SatisfactionRequest,
        done: impl FnOnce(Result<crate::worker::satisfaction::SatisfactionOutput, WorkerError>)
            + 'static,
    ) {
        let unpack = |o| match o {
            Output::Satisfaction(s) => Some(*s),
            _ => None,
        };
        self.run(Task::Satisfaction(Box::new(request)), typed(unpack, done));
    }
}
