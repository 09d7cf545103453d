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
    /// The whole segmentations of held datasets, by the page's key (the page gets their
    /// views).
    pub segments: super::segment::HeldSegments,
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

    /// Forgets `dataset` (every dataset with `None`) and its segmentations: the page deleted
    /// it, or cleared everything. WebAssembly memory never shrinks, but what is freed here is
    /// reused by the next import instead of a second 500 MB dataset beside the first.
    pub fn forget(&mut self, dataset: Option<&str>) {
        self.held.retain(|(d, _)| dataset.is_some_and(|f| f != d));
        self.segments.forget(dataset);
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

    /// As [`Self::take_import`], but a summary of more than `part` customers is moved, not
    /// copied: the import keeps the summary without its records, and the caller sends them
    /// from the held copy in parts ([`Self::records`]). A copy of 1.56 million records (some
    /// 250 MB) stayed in the worker's memory for good: WebAssembly memory never shrinks.
    /// Returns whether the records were moved.
    pub fn hold_import(&mut self, dataset: &str, imp: &mut Imported, part: usize) -> bool {
        let moved = match imp.summary.as_mut() {
            Some(s) if !dataset.is_empty() && s.customers.len() > part => {
                let customers = std::mem::take(&mut s.customers);
                let mut summary = s.clone();
                summary.customers = customers;
                Some(summary)
            }
            _ => None,
        };
        let Some(summary) = moved else {
            self.take_import(dataset, imp);
            return false;
        };
        let held = Held {
            log: std::mem::take(&mut imp.transactions),
            summary,
        };
        self.keep(dataset, held);
        true
    }

    /// The customer records held under `dataset` (none when it is not held).
    pub fn records(&self, dataset: &str) -> &[crate::domain::customers::CustomerRecord] {
        self.get(dataset).map_or(&[], |h| &h.summary.customers)
    }
}

fn not_held(dataset: &str) -> WorkerError {
    WorkerError::NotHeld {
        dataset: dataset.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::SummaryOptions;
    use crate::io::import::{import_bytes, ImportSettings};

    fn import(customers: usize) -> Imported {
        let mut log = String::from("customer,date,amount\n");
        for i in 0..customers * 2 {
            log.push_str(&format!(
                "C{},2024-01-{:02},{}\n",
                i % customers,
                i % 28 + 1,
                i % 9 + 1
            ));
        }
        let settings = ImportSettings::default();
        import_bytes(
            "log.csv",
            log.as_bytes(),
            &settings,
            &SummaryOptions::default(),
            &mut |_, _| {},
        )
        .unwrap()
    }

    #[test]
    fn a_large_summary_is_moved_into_the_held_dataset_and_a_small_one_copied() {
        let mut datasets = Datasets::default();
        let mut big = import(50);
        let want = big.summary.clone().unwrap();
        assert!(datasets.hold_import("big", &mut big, 40));
        // The import keeps everything but the records, which the held dataset has, unchanged.
        let left = big.summary.as_ref().unwrap();
        assert!(left.customers.is_empty());
        assert_eq!(left.time_unit, want.time_unit);
        assert_eq!(left.observation_end, want.observation_end);
        assert_eq!(datasets.records("big"), want.customers.as_slice());
        assert_eq!(datasets.get("big").unwrap().summary, want);
        assert_eq!(datasets.get("big").unwrap().log.len(), 100);

        let mut small = import(30);
        let want = small.summary.clone().unwrap();
        assert!(!datasets.hold_import("small", &mut small, 40));
        assert_eq!(small.summary.as_ref(), Some(&want));
        assert_eq!(datasets.records("small"), want.customers.as_slice());
        // No dataset id: nothing held, nothing moved.
        let mut anon = import(50);
        assert!(!datasets.hold_import("", &mut anon, 40));
        assert_eq!(anon.summary.map(|s| s.customers.len()), Some(50));
        assert!(datasets.records("nothing").is_empty());

        // Deleting one dataset forgets it alone; clearing everything forgets the rest.
        datasets.forget(Some("big"));
        assert!(!datasets.holds("big") && datasets.holds("small"));
        datasets.forget(Some("never held"));
        assert!(datasets.holds("small"));
        datasets.forget(None);
        assert!(!datasets.holds("small"));
    }
}
