//! Needs-based segments: k-means on survey attribute-importance scores, each cluster named by
//! the attributes its members value most compared with all respondents.

use super::kmeans::{FeatureMatrix, KMeansError, KMeansModel, KMeansParams};
use serde::{Deserialize, Serialize};

/// One needs segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedsSegment {
    /// Cluster index.
    pub cluster: u32,
    /// Respondents in it.
    pub size: u64,
    /// Mean importance per attribute (original scale).
    pub mean_importance: Vec<f64>,
    /// Attributes ranked by (cluster mean − overall mean), most distinctive first (at most 3,
    /// only those above the overall mean).
    pub values_most: Vec<String>,
    /// E.g. "values price, delivery speed most".
    pub label: String,
}

/// Needs-based segmentation result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedsResult {
    /// Attribute names.
    pub attributes: Vec<String>,
    /// Overall mean importance per attribute.
    pub overall_mean: Vec<f64>,
    /// One per cluster.
    pub segments: Vec<NeedsSegment>,
    /// The underlying k-means model (labels per respondent, seed).
    pub model: KMeansModel,
}

/// Clusters respondents on their importance scores (`importance.names` are the attributes).
/// `params.standardize` is usually false here: all attributes share one scale.
///
/// # Errors
/// Any [`KMeansError`] of the fit.
pub fn needs_segments(
    importance: &FeatureMatrix,
    params: &KMeansParams,
) -> Result<NeedsResult, KMeansError> {
    let model = params.fit(importance)?;
    let c = importance.cols();
    let n = importance.rows().max(1) as f64;
    let mut overall = vec![0.0; c];
    for row in importance.data.chunks_exact(c) {
        for (o, v) in overall.iter_mut().zip(row) {
            *o += v / n;
        }
    }
    let mut sums = vec![vec![0.0; c]; model.k as usize];
    for (row, &l) in importance.data.chunks_exact(c).zip(&model.labels) {
        if let Some(s) = sums.get_mut(l as usize) {
            for (a, v) in s.iter_mut().zip(row) {
                *a += v;
            }
        }
    }
    let segments = sums
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let size = model.sizes.get(i).copied().unwrap_or(0);
            let mean: Vec<f64> = s.iter().map(|v| v / size.max(1) as f64).collect();
            let mut diff: Vec<(usize, f64)> = mean
                .iter()
                .zip(&overall)
                .map(|(m, o)| m - o)
                .enumerate()
                .filter(|(_, d)| *d > 0.0)
                .collect();
            diff.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let values_most: Vec<String> = diff
                .iter()
                .take(3)
                .filter_map(|(j, _)| importance.names.get(*j).cloned())
                .collect();
            let label = if values_most.is_empty() {
                "no attribute above average".to_string()
            } else {
                format!("values {} most", values_most.join(", "))
            };
            NeedsSegment {
                cluster: i as u32,
                size,
                mean_importance: mean,
                values_most,
                label,
            }
        })
        .collect();
    Ok(NeedsResult {
        attributes: importance.names.clone(),
        overall_mean: overall,
        segments,
        model,
    })
}
