//! Segmentation: RFM scores and named maps, k-means clustering, value tiers, needs-based
//! segments and the strategy per segment.
