//! The datasets the worker holds: one registry, keyed by the page's dataset id
//! (`DatasetMeta::id`). An import stores its transaction log and customer summary here; the
//! page then names the dataset in lifetime-value, segmentation and purchase-history requests
//! instead of sending a million customers (or 19 million purchases) again. A request naming a
//! dataset the registry no longer holds fails with [`WorkerError::NotHeld`], and the page sends
//! the dataset again.

use super::error::WorkerError;
use crate::domain::customers::{CustomerSummary, TxLog};
use crate::io::import::Imported;

/// What the worker holds of one dataset.
#[derive(Debug)]
pub struct Held {
    /// The transaction log (empty for an imported customer summary).
    pub log: TxLog,
    /// The customer summary.
    pub summary: CustomerSummary,
}

/// The datasets the worker holds, newest last; at most [`Datasets::CAPACITY`].
#[derive(Debug, Default)]
pub struct Datasets {
    held: Vec<(String, Held)>,
}

impl Datasets {
    /// How many datasets are held (the active one, and the one it replaced while pages still
    /// ask for it).
    pub const CAPACITY: usize = 2;

    /// Holds `held` under `dataset` (replacing an older copy), forgetting the oldest beyond
    /// [`Self::CAPACITY`].
    pub fn keep(&mut self, dataset: &str, held: Held) {
        self.held.retain(|(d, _)| d != dataset);
        self.held.push((dataset.to_string(), held));
        while self.held.len() > Self::CAPACITY {
            self.held.remove(0);
        }
    }

    /// The dataset held under `dataset`.
    ///
    /// # Errors
    /// [`WorkerError::NotHeld`] when the worker does not hold it.
    pub fn get(&self, dataset: &str) -> Result<&Held, WorkerError> {
        self.held
            .iter()
            .find(|(d, _)| d == dataset)
            .map(|(_, h)| h)
            .ok_or_else(|| not_held(dataset))
    }

    /// As [`Self::get`], mutably (a task borrows the summary for the length of a job).
    ///
    /// # Errors
    /// As [`Self::get`].
    pub fn get_mut(&mut self, dataset: &str) -> Result<&mut Held, WorkerError> {
        self.held
            .iter_mut()
            .find(|(d, _)| d == dataset)
            .map(|(_, h)| h)
            .ok_or_else(|| not_held(dataset))
    }

    /// Whether `dataset` is held.
    pub fn holds(&self, dataset: &str) -> bool {
        self.held.iter().any(|(d, _)| d == dataset)
    }

    /// Holds an import's log and summary under `dataset` and leaves the import with its
    /// purchase count only (no log: the page never decodes it). Imports without a customer
    /// summary (surveys, cohorts), and imports with no dataset id (`""`), are left as they are.
    pub fn take_import(&mut self, dataset: &str, imp: &mut Imported) {
        let Some(summary) = imp.summary.as_ref() else {
            return;
        };
        if dataset.is_empty() {
            return;
        }
        let held = Held {
            log: std::mem::take(&mut imp.transactions),
            summary: summary.clone(),
        };
        self.keep(dataset, held);
    }
}

fn not_held(dataset: &str) -> WorkerError {
    WorkerError::NotHeld {
        dataset: dataset.to_string(),
    }
}
