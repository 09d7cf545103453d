//! The Satisfaction page's analyses, computed in [`crate::analysis::satisfaction`].

pub use crate::analysis::satisfaction::*;
