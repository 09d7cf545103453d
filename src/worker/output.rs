//! The result of a worker task ([`super::tasks::Task`]): one variant per kind of answer, sent
//! back to the page as it is.

use super::sample::{History, SampleFiles};
use crate::io::import::Imported;
use serde::{Deserialize, Serialize};

/// The result of a [`Task`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Output {
    /// The sample files as bytes, ready to import like a user's files.
    Sample(SampleFiles),
    /// An imported file.
    Imported(Box<Imported>),
    /// A lifetime-value fit.
    Clv(Box<super::clv::ClvResult>),
    /// A lifetime-value fit's calibration/holdout check.
    ClvValidation(Box<crate::analysis::clv::ValidationOutcome>),
    /// A segmentation (the page gets its view: see [`super::segment`]).
    Segment(Box<super::segment::SegmentResult>),
    /// An answer about the customers of a held segmentation.
    SegmentAnswer(Box<super::segment::SegmentAnswer>),
    /// One customer's purchases, in date order.
    History(History),
    /// Segment movement.
    Movement(Box<super::movement::MovementResult>),
    /// A model comparison.
    Compare(Box<crate::analysis::compare::Comparison>),
    /// The look-ahead lists.
    Ahead(Box<crate::analysis::ahead::AheadLists>),
    /// A BG/BB fit with predictions.
    Discrete(Box<crate::analysis::discrete::DiscreteResult>),
    /// Ranges on every value figure.
    Intervals(Box<super::intervals::ValueRanges>),
    /// New-customer value, cohorts and firm value.
    Cohorts(Box<crate::analysis::cohort::CohortReport>),
    /// The simulator's recovery.
    Recovery(Box<crate::analysis::simulator::Recovery>),
    /// A simulated base as a file.
    SimFile(Box<crate::analysis::simulator::SimFile>),
    /// The refits of a range of bootstrap replicates.
    BootstrapPart(Box<crate::domain::clv::bootstrap::BootstrapPart>),
    /// The sample of a k-means search split across workers.
    KSearchSample(Box<crate::domain::segmentation::KSearchSample>),
    /// The fits of some values of k of a split k-means search.
    KSearchPart(Box<crate::domain::segmentation::KSearchPart>),
    /// A workbook's bytes, to download.
    Workbook(super::protocol::Bytes),
    /// An sBG fit.
    Sbg(Box<crate::domain::clv::sbg::FittedSbg>),
    /// A lesson's result.
    Lesson(Box<super::lesson::LessonOutput>),
    /// A survey's analyses.
    Satisfaction(Box<super::satisfaction::SatisfactionOutput>),
}
