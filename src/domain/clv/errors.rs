//! The one error enum of the lifetime-value models: messages name the parameter or the record.

use serde::{Deserialize, Serialize};

/// Errors of the lifetime-value models. Messages name the parameter or the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClvError {
    /// A setting or model parameter is out of range.
    InvalidParameter {
        /// Name of the parameter, as in the settings struct.
        name: String,
        /// The rejected value.
        value: f64,
        /// What is required.
        reason: String,
    },
    /// A customer record has impossible statistics.
    InvalidRecord {
        /// 0-based position in the list.
        index: u64,
        /// Customer id.
        id: String,
        /// The offending field (x, t_x, T, monetary, weight).
        field: String,
        /// Its value.
        value: f64,
        /// What is required.
        reason: String,
    },
    /// The data cannot support the model.
    NotEnoughData {
        /// Why, in plain language.
        reason: String,
    },
}

impl ClvError {
    pub(crate) fn invalid(name: &str, value: f64, reason: &str) -> ClvError {
        ClvError::InvalidParameter {
            name: name.to_string(),
            value,
            reason: reason.to_string(),
        }
    }
}

impl std::fmt::Display for ClvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClvError::InvalidParameter {
                name,
                value,
                reason,
            } => {
                write!(f, "parameter `{name}` = {value}: {reason}")
            }
            ClvError::InvalidRecord {
                index,
                id,
                field,
                value,
                reason,
            } => write!(
                f,
                "customer {index} (id \"{id}\"), field {field} = {value}: {reason}"
            ),
            ClvError::NotEnoughData { reason } => write!(f, "not enough data: {reason}"),
        }
    }
}

impl std::error::Error for ClvError {}
