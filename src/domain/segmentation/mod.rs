//! Segmentation: RFM scores and named maps, k-means clustering, value tiers, needs-based
//! segments and the strategy per segment.
//!
//! Every function here is pure (no I/O, no clock) and every result type is a plain serde
//! struct that can cross the web-worker boundary. Randomized algorithms take a seed and store
//! it in their result.

pub mod crosstab;
pub mod kmeans;
pub mod ksearch;
pub mod maps;
pub mod needs;
pub mod rfm;
pub mod strategy;
pub mod tiers;

pub use crosstab::{cross_tab, CrossTab, CrossTabError};
pub use kmeans::{
    silhouette, FeatureMatrix, KMeansError, KMeansModel, KMeansParams, KSearch, KSearchParams,
};
pub use ksearch::{choose_k, search_part, search_sample, KSearchPart, KSearchSample};
pub use maps::{Coverage, MapAxes, Precedence, Rule, ScoreRange, SegmentMap};
pub use rfm::{MonetaryKind, RfmCutPoints, RfmError, RfmParams, RfmResult, RfmScore};
pub use tiers::{TierError, TierIndex, TierResult, TierScheme};
