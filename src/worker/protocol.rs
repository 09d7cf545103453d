//! Requests the page sends to the worker and the responses it gets back.
//!
//! A file is imported in slices: [`Request::ImportBegin`], then one [`Request::ImportChunk`]
//! per slice (the worker answers each with [`Response::Received`], which the page uses to keep
//! at most a few slices in flight), then [`Request::ImportEnd`]; [`Request::Cancel`] drops the
//! job. Slices travel as [`Bytes`], which bincode copies as one block.

use crate::domain::customers::{CustomerRecord, SummaryOptions};
use crate::worker::tasks::ImportSettings;
use serde::{Deserialize, Serialize};

/// A request from the page. `job` ties progress and results to the request that caused them.
// Messages are built once and moved across the worker boundary: boxing would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Health check: the worker answers [`Response::Pong`].
    Ping {
        /// Job id.
        job: u32,
    },
    /// Run a task.
    Run {
        /// Job id.
        job: u32,
        /// What to do.
        task: crate::worker::tasks::Task,
    },
    /// Start importing a file that will arrive in slices.
    ImportBegin {
        /// Job id.
        job: u32,
        /// The page's id of the dataset: the worker holds the imported log and summary under
        /// it (see [`crate::worker::datasets`]).
        dataset: String,
        /// Original file name (used to recognise spreadsheets).
        file_name: String,
        /// Size of the whole file (for progress).
        total_bytes: u64,
        /// Import settings.
        settings: ImportSettings,
        /// Summary options.
        summary: SummaryOptions,
    },
    /// The next slice of the file.
    ImportChunk {
        /// Job id.
        job: u32,
        /// The bytes.
        bytes: Bytes,
    },
    /// No more slices: finish and answer [`Response::Done`] or [`Response::Failed`].
    ImportEnd {
        /// Job id.
        job: u32,
    },
    /// Drop the job (nothing is answered).
    Cancel {
        /// Job id.
        job: u32,
    },
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Answer to [`Request::Ping`].
    Pong {
        /// Job id.
        job: u32,
    },
    /// Progress of a running job, 0..=1, with what it is doing in plain words.
    Progress {
        /// Job id.
        job: u32,
        /// Fraction done.
        fraction: f64,
        /// Stage in plain words ("Reading rows").
        stage: String,
    },
    /// A slice of an import was processed.
    Received {
        /// Job id.
        job: u32,
        /// Bytes of the file processed so far.
        consumed: u64,
        /// Usable rows read so far.
        rows: u64,
    },
    /// Part of a finished import's customer summary, sent ahead of [`Response::Done`] (whose
    /// summary then holds no customers) so the page decodes a large summary in several short
    /// steps instead of one long freeze.
    Customers {
        /// Job id.
        job: u32,
        /// Customers in the whole summary.
        total: u64,
        /// The next customers, in summary order.
        part: crate::domain::customers::Records,
    },
    /// The job finished.
    Done {
        /// Job id.
        job: u32,
        /// Its result.
        output: crate::worker::tasks::Output,
    },
    /// The job failed.
    Failed {
        /// Job id.
        job: u32,
        /// What went wrong (its text is for the user).
        error: crate::worker::error::WorkerError,
    },
}

/// Customers per [`Response::Customers`] part: about 10 MB, decoded on the page in some 40 ms.
pub const CUSTOMERS_PER_PART: usize = 100_000;

/// Splits the customers off a large import's summary into parts of [`CUSTOMERS_PER_PART`], to
/// send ahead of the result; a summary with fewer customers stays whole (no parts).
pub fn customer_parts(output: &mut crate::worker::tasks::Output) -> Vec<Vec<CustomerRecord>> {
    let crate::worker::tasks::Output::Imported(imp) = output else {
        return Vec::new();
    };
    let Some(summary) = imp.summary.as_mut() else {
        return Vec::new();
    };
    if summary.customers.len() <= CUSTOMERS_PER_PART {
        return Vec::new();
    }
    let all = std::mem::take(&mut summary.customers);
    let mut parts = Vec::with_capacity(all.len().div_ceil(CUSTOMERS_PER_PART));
    let mut rest = all.into_iter();
    loop {
        let part: Vec<CustomerRecord> = rest.by_ref().take(CUSTOMERS_PER_PART).collect();
        if part.is_empty() {
            return parts;
        }
        parts.push(part);
    }
}

/// Bytes that serialize as one block (bincode writes the length and copies them), not as a
/// sequence of numbers (`serde_bytes`; a sequence of numbers, as JSON writes, is read too).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bytes(#[serde(with = "serde_bytes")] pub Vec<u8>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_crosses_bincode_as_one_block() {
        let req = Request::ImportChunk {
            job: 7,
            bytes: Bytes(vec![1, 2, 3, 250]),
        };
        let wire = bincode::serialize(&req).unwrap();
        // variant (4) + job (4) + length (8) + the bytes themselves.
        assert_eq!(wire.len(), 4 + 4 + 8 + 4);
        assert_eq!(bincode::deserialize::<Request>(&wire).unwrap(), req);
        let json = serde_json::to_string(&Bytes(vec![9, 8])).unwrap();
        assert_eq!(
            serde_json::from_str::<Bytes>(&json).unwrap(),
            Bytes(vec![9, 8])
        );
    }

    #[test]
    fn a_large_summary_travels_in_parts_that_reassemble_it() {
        use crate::domain::customers::{CustomerSummary, Records, TimeUnit};
        use crate::worker::tasks::{Imported, Output};
        let n = 2 * CUSTOMERS_PER_PART + 17;
        let customers: Vec<CustomerRecord> = (0..n)
            .map(|i| CustomerRecord::from_stats(format!("C{i}"), (i % 5) as f64, 1.0, 2.0, 3.5))
            .collect();
        let summary = CustomerSummary {
            time_unit: TimeUnit::Week,
            observation_end: None,
            calibration_end: None,
            holdout_length: 0.0,
            customers: customers.clone(),
            returns_rows: 0,
        };
        let imported = |summary| {
            Output::Imported(Box::new(Imported {
                kind: crate::io::storage::DataKind::Summary,
                detection: Default::default(),
                preview: Default::default(),
                mapping: None,
                layout: String::new(),
                report: None,
                transactions: Default::default(),
                purchases: 0,
                summary: Some(summary),
                survey: None,
                cohort: None,
                rows: 0,
            }))
        };
        let mut out = imported(summary.clone());
        let parts = customer_parts(&mut out);
        assert_eq!(
            parts.iter().map(Vec::len).collect::<Vec<_>>(),
            [CUSTOMERS_PER_PART, CUSTOMERS_PER_PART, 17]
        );
        // Each part crosses bincode on its own; the page appends them in order.
        let mut back = Vec::new();
        for p in parts {
            let wire = bincode::serialize(&Response::Customers {
                job: 1,
                total: n as u64,
                part: Records(p),
            })
            .unwrap();
            let Response::Customers { part, .. } = bincode::deserialize(&wire).unwrap() else {
                panic!("not a part")
            };
            back.extend(part.0);
        }
        assert_eq!(back, customers);
        // A small summary stays whole.
        let small = CustomerSummary {
            customers: customers[..10].to_vec(),
            ..summary
        };
        let mut out = imported(small.clone());
        assert!(customer_parts(&mut out).is_empty());
        assert_eq!(out, imported(small));
    }
}
