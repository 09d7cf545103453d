//! The tasks the worker runs: thin functions from a request to domain results. They are plain
//! functions, so the same code runs natively in tests and in the browser's worker. Imports go
//! through the io pipeline ([`crate::io::import::pipeline`]), like the `crm` command's.

use crate::domain::customers::{SummaryOptions, TxLog};
use crate::io::import::import_bytes;
use serde::{Deserialize, Serialize};

pub use super::error::WorkerError;
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
    /// Import a file's bytes (detecting what the settings leave open).
    Import {
        /// Original file name (used to recognise spreadsheets).
        file_name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Import settings: format overrides, column mapping, bad-row policy, kind.
        settings: ImportSettings,
        /// Summary options (time unit, observation end, split, returns).
        summary: SummaryOptions,
    },
    /// Fit a lifetime-value model and predict per customer.
    Clv(Box<super::clv::ClvRequest>),
    /// Segment customers.
    Segment(Box<super::segment::SegmentRequest>),
    /// One customer's purchases from a transaction log the worker kept (see [`KeptLogs`]).
    History {
        /// The kept log ([`Imported::log_key`]).
        log_key: u32,
        /// The customer's id.
        customer: String,
    },
}

/// The result of a [`Task`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Output {
    /// The sample files as bytes, ready to import like a user's files.
    Sample {
        /// Transaction log CSV.
        transactions: Vec<u8>,
        /// Survey CSV.
        survey: Vec<u8>,
        /// Cohort CSV.
        cohort: Vec<u8>,
    },
    /// An imported file.
    Imported(Box<Imported>),
    /// A lifetime-value fit.
    Clv(Box<super::clv::ClvResult>),
    /// A segmentation.
    Segment(Box<super::segment::SegmentResult>),
    /// One customer's purchases, in date order.
    History {
        /// Days since 0001-01-01 (chrono's "days from CE").
        days: Vec<i32>,
        /// Amounts.
        amounts: Vec<f64>,
    },
}

/// Transaction logs the worker keeps after importing them, by key (the import's job id), so
/// the page holds only the customer summary: the newest [`KeptLogs::CAPACITY`] are kept.
#[derive(Debug, Default)]
pub struct KeptLogs {
    logs: Vec<(u32, TxLog)>,
}

impl KeptLogs {
    /// How many logs are kept (the active one, and the one it replaced while pages still ask
    /// for it).
    pub const CAPACITY: usize = 2;

    /// Keeps `log` under `key`, forgetting the oldest beyond [`Self::CAPACITY`].
    pub fn keep(&mut self, key: u32, log: TxLog) {
        self.logs.retain(|(k, _)| *k != key);
        self.logs.push((key, log));
        while self.logs.len() > Self::CAPACITY {
            self.logs.remove(0);
        }
    }

    /// The log kept under `key`.
    pub fn get(&self, key: u32) -> Option<&TxLog> {
        self.logs.iter().find(|(k, _)| *k == key).map(|(_, l)| l)
    }

    /// Moves an import's transaction log into the keep under `key`, leaving the import with
    /// its row count and [`Imported::log_key`] only. Outputs other than a transaction log are
    /// left as they are.
    pub fn take_from(&mut self, key: u32, out: &mut Output) {
        if let Output::Imported(imp) = out {
            if !imp.transactions.is_empty() && key != 0 {
                self.keep(key, std::mem::take(&mut imp.transactions));
                imp.log_key = key;
            }
        }
    }
}

/// Runs a task, reporting progress through `progress(fraction, stage)`.
///
/// # Errors
/// A [`WorkerError`] whose text is for the user when the task cannot be done.
pub fn run(task: Task, progress: &mut dyn FnMut(f64, &str)) -> Result<Output, WorkerError> {
    run_with(task, &KeptLogs::default(), progress)
}

/// [`run`] with the transaction logs the worker kept: a task naming one (by `log_key`) reads it
/// there, and fails with [`WorkerError::NotHeld`] when it is not.
///
/// # Errors
/// As [`run`].
pub fn run_with(
    task: Task,
    logs: &KeptLogs,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    match task {
        Task::Sample { n_customers, seed } => {
            use crate::domain::sample;
            progress(0.1, "Simulating customers");
            let params = sample::SampleParams {
                n_customers,
                seed,
                ..Default::default()
            };
            let log =
                sample::transaction_log(&params).map_err(|e| WorkerError::Sample(e.to_string()))?;
            progress(0.6, "Simulating survey answers");
            let survey = sample::survey(&log, &params, 0.25, seed.wrapping_add(1));
            let cohort = sample::cohort(1000, 0.704, 1.182, 12, seed.wrapping_add(2));
            progress(1.0, "Done");
            Ok(Output::Sample {
                transactions: log.csv.into_bytes(),
                survey: survey.into_bytes(),
                cohort: cohort.into_bytes(),
            })
        }
        Task::Import {
            file_name,
            bytes,
            settings,
            summary,
        } => Ok(Output::Imported(Box::new(import_bytes(
            &file_name, &bytes, &settings, &summary, progress,
        )?))),
        Task::Clv(req) => {
            let kept = match req.log_key {
                0 => None,
                key => Some(logs.get(key).ok_or_else(|| not_held(key))?),
            };
            super::clv::run_with_log(*req, kept, progress).map(|r| Output::Clv(Box::new(r)))
        }
        Task::History { log_key, customer } => {
            let log = logs.get(log_key).ok_or_else(|| not_held(log_key))?;
            let mut rows: Vec<(i32, f64)> = log
                .rows_of(&customer)
                .filter_map(|i| Some((*log.day.get(i)?, *log.amount.get(i)?)))
                .collect();
            rows.sort_by_key(|r| r.0);
            Ok(Output::History {
                days: rows.iter().map(|r| r.0).collect(),
                amounts: rows.iter().map(|r| r.1).collect(),
            })
        }
        Task::Segment(req) => {
            super::segment::run(*req, progress).map(|r| Output::Segment(Box::new(r)))
        }
    }
}

fn not_held(key: u32) -> WorkerError {
    WorkerError::NotHeld {
        dataset: key.to_string(),
    }
}
