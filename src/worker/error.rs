//! Why a worker task failed: one enum, matched by variant, whose text is the plain-words
//! message the user sees. Serde-serializable so it can cross the worker boundary whole.

use crate::io::import::ImportError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The text of [`WorkerError::LogGone`], for the page while the protocol still carries a
/// failure as text (compare a message with it, or better, match the variant).
pub const LOG_GONE: &str = "The purchases of this dataset are no longer in the worker's memory.";

/// Why a task failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerError {
    /// The file could not be imported.
    Import(ImportError),
    /// The sample data could not be generated (the domain's `SampleError`, in words).
    Sample(String),
    /// A lifetime-value fit failed (the message of `worker::clv`).
    Clv(String),
    /// A segmentation failed (the message of `worker::segment`).
    Segment(String),
    /// The task names a transaction log the worker no longer holds (the worker was restarted
    /// after a cancel, or a newer import replaced it): the page reads the dataset again.
    LogGone,
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Import(e) => write!(f, "{e}"),
            WorkerError::Sample(m) | WorkerError::Clv(m) | WorkerError::Segment(m) => {
                f.write_str(m)
            }
            WorkerError::LogGone => f.write_str(LOG_GONE),
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
        assert_eq!(WorkerError::LogGone.to_string(), LOG_GONE);
        let e = WorkerError::Import(ImportError::BinaryFile);
        assert_eq!(e.to_string(), ImportError::BinaryFile.to_string());
        for e in [e, WorkerError::LogGone, WorkerError::Clv("no fit".into())] {
            let wire = bincode::serialize(&e).unwrap();
            assert_eq!(bincode::deserialize::<WorkerError>(&wire).unwrap(), e);
        }
    }
}
