//! Why a worker task failed: one enum, matched by variant, whose text is the plain-words
//! message the user sees. Serde-serializable so it crosses the worker boundary whole; pages
//! match variants, never compare text.

use crate::io::import::ImportError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a task failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerError {
    /// The file could not be imported.
    Import(ImportError),
    /// The sample data could not be generated (the domain's `SampleError` has no serde: its
    /// message).
    Sample(String),
    /// A lifetime-value fit failed (`analysis::clv` answers in words).
    Clv(String),
    /// A segmentation failed (`analysis::segment` answers in words).
    Segment(String),
    /// The user cancelled the job.
    Cancelled,
    /// The task names a dataset the worker no longer holds (the worker was restarted, or newer
    /// imports replaced it): the page sends the dataset again.
    NotHeld {
        /// The dataset's id.
        dataset: String,
    },
    /// The page is sending the dataset again after [`WorkerError::NotHeld`]: the task runs
    /// again once it is back (pages show this as work in progress).
    Resending {
        /// The dataset's file name.
        file_name: String,
    },
    /// The worker lost the dataset and the page cannot send it again (it was not kept in this
    /// browser).
    Lost {
        /// The dataset's file name.
        file_name: String,
    },
    /// The worker stopped (it panicked, or stopped answering); a fresh one is started for the
    /// next job.
    WorkerCrashed(String),
    /// The worker is of another release than the page (the app was updated in another tab).
    WrongRelease {
        /// The worker's release.
        worker: String,
    },
    /// The worker answered with another kind of result than the task asks for (a bug).
    Unexpected,
    /// The browser could not read the file the worker was given (it was moved, changed or
    /// deleted since it was chosen).
    Unreadable {
        /// The file's name.
        file_name: String,
    },
    /// The task names a segmentation the worker no longer holds (see
    /// [`crate::worker::segment::HeldSegments`]): the page asks for it again and repeats the
    /// task.
    SegmentsGone {
        /// The segmentation's key.
        key: String,
    },
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Import(e) => write!(f, "{e}"),
            WorkerError::Sample(m) | WorkerError::Clv(m) | WorkerError::Segment(m) => {
                f.write_str(m)
            }
            WorkerError::Cancelled => f.write_str("Cancelled."),
            WorkerError::NotHeld { .. } => f.write_str(
                "The purchases of this dataset are no longer in the worker's memory.",
            ),
            WorkerError::Resending { file_name } => {
                write!(f, "Reading the purchases again from storage: {file_name}…")
            }
            WorkerError::Lost { file_name } => write!(
                f,
                "The purchases of {file_name} are no longer in memory (the work was cancelled) and the file was not kept in this browser: add it again."
            ),
            WorkerError::WorkerCrashed(why) => write!(
                f,
                "The analysis engine stopped unexpectedly: {why}; it was restarted. Try again."
            ),
            WorkerError::WrongRelease { .. } => {
                f.write_str("The app was updated: reload the page.")
            }
            WorkerError::Unexpected => {
                f.write_str("The analysis engine answered with another kind of result.")
            }
            WorkerError::Unreadable { file_name } => write!(
                f,
                "{file_name}: the browser could not read this file (was it moved or changed?)"
            ),
            WorkerError::SegmentsGone { .. } => f.write_str(
                "The segmentation is no longer in the analysis engine's memory: it is computed again.",
            ),
        }
    }
}

impl std::error::Error for WorkerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkerError::Import(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ImportError> for WorkerError {
    fn from(e: ImportError) -> Self {
        WorkerError::Import(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_the_user_saw_them_and_cross_bincode() {
        assert_eq!(WorkerError::Cancelled.to_string(), "Cancelled.");
        let e = WorkerError::Import(ImportError::BinaryFile);
        assert_eq!(e.to_string(), ImportError::BinaryFile.to_string());
        assert!(WorkerError::WorkerCrashed("out of memory".into())
            .to_string()
            .starts_with("The analysis engine stopped unexpectedly: out of memory;"));
        for e in [
            e,
            WorkerError::NotHeld {
                dataset: "d1".into(),
            },
            WorkerError::Clv("no fit".into()),
            WorkerError::Unreadable {
                file_name: "log.csv".into(),
            },
            WorkerError::SegmentsGone {
                key: "d/segments/default".into(),
            },
            WorkerError::WrongRelease {
                worker: "1 0.1.0".into(),
            },
        ] {
            let wire = bincode::serialize(&e).unwrap();
            assert_eq!(bincode::deserialize::<WorkerError>(&wire).unwrap(), e);
        }
    }
}
