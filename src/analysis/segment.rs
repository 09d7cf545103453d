//! Segmentation analyses on a customer summary: RFM scores and a named map (with the R×F grid
//! and a table per segment), k-means on chosen behaviour features with k chosen by the
//! silhouette, value tiers, needs-based segments from survey importance, the strategy
//! suggestions per segment, and a survey score per segment. The worker's segmentation task,
//! the Segments page and `crm segment` all compute these figures here.
//!
//! The request and result types cross the worker boundary (the worker re-exports them): plain
//! structs and enums (bincode: no tagged, untagged or flattened serde representations).

use crate::domain::customers::CustomerSummary;
use crate::domain::segmentation::kmeans::{choose_k, FeatureMatrix, KMeansModel, KSearch};
use crate::domain::segmentation::kmeans::{KMeansParams, KSearchParams};
use crate::domain::segmentation::ksearch::{finish_search, KSearchPart, KSearchSample};
use crate::domain::segmentation::needs::{needs_segments, NeedsResult};
use crate::domain::segmentation::strategy::{
    segment_figures_indexed, suggest, SegmentFigures, Suggestion,
};
use crate::domain::segmentation::{
    Coverage, RfmParams, RfmResult, SegmentMap, TierIndex, TierScheme,
};
use crate::io::import::survey::SurveyTable;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub mod view;
pub use view::{
    crosstab, customers_page, CustomerPage, CustomerQuery, CustomerRow, Labeling, ScatterPoint,
    SCATTER_POINTS,
};

/// A behaviour feature k-means can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Feature {
    /// Days since the last purchase.
    Recency,
    /// Purchase occasions.
    Frequency,
    /// Monetary value (total or mean spend, as in the RFM settings).
    Monetary,
    /// Lifetime value (needs the CLV vector).
    Clv,
    /// P(alive) (needs the P(alive) vector).
    PAlive,
}

impl Feature {
    /// Plain name.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Recency => "recency (days)",
            Feature::Frequency => "frequency",
            Feature::Monetary => "monetary",
            Feature::Clv => "CLV",
            Feature::PAlive => "P(alive)",
        }
    }

    /// All features, in display order.
    pub const ALL: [Feature; 5] = [
        Feature::Recency,
        Feature::Frequency,
        Feature::Monetary,
        Feature::Clv,
        Feature::PAlive,
    ];
}

/// k-means settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterRequest {
    /// Features (features needing a missing vector are skipped with a warning).
    pub features: Vec<Feature>,
    /// log(1 + x) before standardising.
    pub log1p: bool,
    /// Standardise every feature (z-scores).
    pub standardize: bool,
    /// Seed of k-means++.
    pub seed: u64,
    /// Smallest k tried.
    pub k_min: u32,
    /// Largest k tried.
    pub k_max: u32,
    /// Use this k instead of the silhouette's best.
    pub k: Option<u32>,
}

impl Default for ClusterRequest {
    fn default() -> Self {
        ClusterRequest {
            features: vec![Feature::Recency, Feature::Frequency, Feature::Monetary],
            log1p: true,
            standardize: true,
            seed: 42,
            k_min: 2,
            k_max: 10,
            k: None,
        }
    }
}

/// Importance answers for needs-based segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedsRequest {
    /// Attribute names (importance columns).
    pub attributes: Vec<String>,
    /// Respondent ids (complete rows only).
    pub ids: Vec<String>,
    /// One row of importance per respondent.
    pub rows: Vec<Vec<f64>>,
    /// Number of segments.
    pub k: u32,
    /// Seed.
    pub seed: u64,
}

/// What to segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRequest {
    /// The customer summary (in the worker: the held dataset's, and this one is not read).
    pub summary: CustomerSummary,
    /// RFM settings (bins or cut points, monetary total or mean).
    pub rfm: RfmParams,
    /// The named segment map.
    pub map: SegmentMap,
    /// CLV per customer, summary order (from the default lifetime-value fit), when available.
    #[serde(with = "crate::domain::customers::wire::dense_opt")]
    pub clv: Option<Vec<f64>>,
    /// P(alive) per customer, summary order, when available.
    #[serde(with = "crate::domain::customers::wire::dense_opt")]
    pub p_alive: Option<Vec<f64>>,
    /// k-means, when wanted.
    pub cluster: Option<ClusterRequest>,
    /// Value tiers: by CLV (when given) or by historical spend (see [`tier_values`]).
    pub tiers_by_clv: bool,
    /// Needs-based segments, when a survey with importance columns exists.
    pub needs: Option<NeedsRequest>,
}

/// Cache key of the default segmentation (RFM quintiles, the R×F map): other pages
/// (Satisfaction, Value & strategy) read each customer's segment from it.
pub const DEFAULT_KEY: &str = "segments/default";

/// The default request: RFM quintiles on total spend, the R×F map, no clustering.
pub fn default_request(summary: CustomerSummary) -> SegmentRequest {
    SegmentRequest {
        summary,
        rfm: RfmParams::default(),
        map: SegmentMap::rxf(),
        clv: None,
        p_alive: None,
        cluster: None,
        tiers_by_clv: false,
        needs: None,
    }
}

/// One row of the segment table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    /// Segment name.
    pub name: String,
    /// The map's description of it.
    pub description: String,
    /// Customers.
    pub customers: u64,
    /// Share of customers.
    pub customer_share: f64,
    /// Total spend.
    pub revenue: f64,
    /// Share of total spend.
    pub revenue_share: f64,
    /// Mean days since the last purchase.
    pub mean_recency: f64,
    /// Mean purchase occasions.
    pub mean_frequency: f64,
    /// Mean monetary value (as scored).
    pub mean_monetary: f64,
    /// Mean CLV, when given.
    pub mean_clv: Option<f64>,
    /// Mean P(alive), when given.
    pub mean_p_alive: Option<f64>,
}

/// Counts and spend per (R score, F score) cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RfGrid {
    /// Bins on R (rows, 1..=r_bins).
    pub r_bins: u32,
    /// Bins on F (columns, 1..=f_bins).
    pub f_bins: u32,
    /// counts[r-1][f-1].
    pub counts: Vec<Vec<u64>>,
    /// revenue[r-1][f-1].
    pub revenue: Vec<Vec<f64>>,
    /// The most common segment in each cell.
    pub segment: Vec<Vec<String>>,
}

/// k-means output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterResult {
    /// Features used.
    pub features: Vec<Feature>,
    /// The silhouette search (curve, best k, seed); its best model's labels are left empty
    /// (the labels shown are `model`'s).
    pub search: KSearch,
    /// The model shown (the best k, or the k asked for).
    pub model: KMeansModel,
    /// Features skipped, in plain words.
    pub warnings: Vec<String>,
}

/// Needs-based segments with their respondents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedsOut {
    /// Respondent ids, in the order of the model's labels.
    pub ids: Vec<String>,
    /// The segments.
    pub result: NeedsResult,
}

/// What segmentation produced. Per-customer vectors are in the summary's order and carry no
/// ids (the page has them in the summary): a million customers cross the worker boundary as a
/// few compact vectors, not a million strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SegmentResult {
    /// Named RFM segments, in order of first appearance among the customers.
    pub segment_names: Vec<String>,
    /// Segment of every customer, an index into `segment_names`. (Contract: other pages read
    /// each customer's segment through [`SegmentResult::segment_name`].)
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub segment_of: Vec<u16>,
    /// RFM scores, cut points, bins used and warnings (scores in summary order; their `id` is
    /// left empty: the summary's customer at the same position is the one scored).
    pub rfm: Option<RfmResult>,
    /// The map used.
    pub map: Option<SegmentMap>,
    /// Gaps and overlaps of the map over the score cube.
    pub coverage: Option<Coverage>,
    /// One row per segment, largest first.
    pub table: Vec<SegmentRow>,
    /// The R×F grid.
    pub grid: RfGrid,
    /// k-means, when asked.
    pub cluster: Option<ClusterResult>,
    /// Value the tiers were built on ("CLV" or "historical spend").
    pub tier_value: String,
    /// Pyramid tiers (Platinum 5%, Gold 15%, Iron 30%, Lead 50%): per customer and per tier.
    pub pyramid: Option<TierIndex>,
    /// Heavy / medium / light tiers: per customer and per tier.
    pub hml: Option<TierIndex>,
    /// Needs-based segments, when asked.
    pub needs: Option<NeedsOut>,
    /// Figures per segment behind the strategy rules.
    pub figures: Vec<SegmentFigures>,
    /// Relationship level, strategy and levers per segment.
    pub suggestions: Vec<Suggestion>,
    /// Notes for the user (missing CLV, skipped features...).
    pub warnings: Vec<String>,
    /// Customers segmented (also in a page's view, whose per-customer columns are empty).
    pub customers: u64,
    /// In a page's view ([`SegmentResult::view`]): the key under which the worker holds the
    /// whole result, per-customer columns included; empty in a whole result.
    pub held: String,
    /// In a page's view: the cluster scatter's points (at most [`SCATTER_POINTS`], every n-th
    /// customer); empty in a whole result (its labels and scores are there).
    pub scatter: Vec<ScatterPoint>,
}

impl SegmentResult {
    /// Customers segmented.
    pub fn len(&self) -> usize {
        usize::try_from(self.customers)
            .unwrap_or(usize::MAX)
            .max(self.segment_of.len())
    }

    /// Whether no customer was segmented.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether this is a page's view: its per-customer columns stay in the worker, under
    /// [`SegmentResult::held`].
    pub fn is_view(&self) -> bool {
        !self.held.is_empty()
    }

    /// The named segment of customer `i` (summary order).
    pub fn segment_name(&self, i: usize) -> Option<&str> {
        let g = *self.segment_of.get(i)?;
        self.segment_names.get(usize::from(g)).map(String::as_str)
    }

    /// The index of a segment name in `segment_names`.
    pub fn segment_index(&self, name: &str) -> Option<u16> {
        let i = self.segment_names.iter().position(|n| n == name)?;
        u16::try_from(i).ok()
    }
}

fn aligned(v: &Option<Vec<f64>>, n: usize) -> Option<&[f64]> {
    v.as_deref().filter(|v| v.len() == n)
}

/// Each customer's historical spend (total spend), summary order: what the segment table's
/// revenue and the value tiers (without CLV) count, whatever the RFM monetary option.
pub fn historical_spend(summary: &CustomerSummary) -> Vec<f64> {
    summary.customers.iter().map(|c| c.total_spend).collect()
}

/// Segments a customer summary: everything the Segments page shows. The customers come from
/// `summary` (the request's own `summary` field is not read: the caller resolves it).
///
/// # Errors
/// A message for the user (bad RFM settings, an empty summary, a k-means that cannot run).
pub fn segment(
    summary: &CustomerSummary,
    req: &SegmentRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, String> {
    segment_with(summary, req, None, progress)
}

/// [`segment`] with the k-means search's restarts already run elsewhere: `search` holds the
/// merged fits of every k ([`search_sample`] gave their sample; see
/// [`crate::domain::segmentation::ksearch`]), so only the inertia on every customer and the
/// chosen k's refinement are left. The result is the same as [`segment`]'s.
///
/// # Errors
/// As [`segment`]; also when `search` does not hold each k of the range once.
pub fn segment_with(
    summary: &CustomerSummary,
    req: &SegmentRequest,
    search: Option<KSearchPart>,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, String> {
    progress(0.05, "Scoring recency, frequency and monetary value");
    let mut rfm = req.rfm.fit(summary).map_err(|e| e.to_string())?;
    let spend = historical_spend(summary);
    // The page knows the ids (its summary, same order): do not send a million strings back.
    for s in &mut rfm.scores {
        s.id = String::new();
    }
    let n = rfm.scores.len();
    let mut warnings = Vec::new();
    let clv = aligned(&req.clv, n);
    let p_alive = aligned(&req.p_alive, n);
    if req.clv.is_some() && clv.is_none() {
        warnings.push("The lifetime values do not match these customers; not used.".into());
    }
    progress(0.2, "Naming segments");
    let (segment_names, segment_of) = assign_segments(&req.map, &rfm);
    let bins = u8::try_from(rfm.bins.clamp(1, 10)).unwrap_or(5);
    let coverage = req.map.coverage(bins);
    let table = segment_table(
        &segment_names,
        &segment_of,
        &rfm,
        &spend,
        clv,
        p_alive,
        &|name| req.map.describe(name).to_string(),
    );
    progress(0.3, "Counting the R×F grid");
    let grid = rf_grid(&rfm, &segment_of, &segment_names, &spend, &req.map);
    let figures = segment_figures_indexed(&rfm, &segment_of, &segment_names, p_alive, clv);
    let suggestions = suggest(&figures);

    progress(0.4, "Building value tiers");
    let tiers = tier_values(&spend, clv, req.tiers_by_clv);
    warnings.extend(tiers.warning.clone());
    let pyramid = value_tiers(&TierScheme::pyramid(), &tiers.values).ok();
    let hml = value_tiers(&TierScheme::heavy_medium_light(), &tiers.values).ok();

    let cluster = match &req.cluster {
        Some(c) => {
            progress(0.5, "Clustering (trying each k)");
            Some(cluster_with(&rfm, clv, p_alive, c, search)?)
        }
        None => None,
    };
    let needs = match &req.needs {
        Some(nr) if !nr.rows.is_empty() && !nr.attributes.is_empty() => {
            progress(0.85, "Grouping survey answers by needs");
            Some(needs(nr)?)
        }
        _ => None,
    };
    progress(1.0, "Done");
    Ok(SegmentResult {
        segment_names,
        segment_of,
        map: Some(req.map.clone()),
        coverage: Some(coverage),
        table,
        grid,
        cluster,
        tier_value: tiers.label.to_string(),
        pyramid,
        hml,
        needs,
        figures,
        suggestions,
        warnings,
        customers: n as u64,
        held: String::new(),
        scatter: Vec::new(),
        rfm: Some(rfm),
    })
}

/// One row per segment, largest first (equal sizes: by name). `of[i]` is customer i's index
/// into `names` (summary order, as the RFM scores); `spend` is each customer's historical
/// spend ([`historical_spend`]), the revenue counted; `describe` gives a segment's description.
pub fn segment_table<G: Copy>(
    names: &[String],
    of: &[G],
    rfm: &RfmResult,
    spend: &[f64],
    clv: Option<&[f64]>,
    p_alive: Option<&[f64]>,
    describe: &dyn Fn(&str) -> String,
) -> Vec<SegmentRow>
where
    usize: TryFrom<G>,
{
    #[derive(Default, Clone)]
    struct Acc {
        n: u64,
        rev: f64,
        r: f64,
        f: f64,
        m: f64,
        clv: f64,
        pa: f64,
    }
    let n = rfm.scores.len();
    let total_rev: f64 = spend.iter().sum();
    let mut acc: Vec<Acc> = vec![Acc::default(); names.len()];
    for (i, (s, &g)) in rfm.scores.iter().zip(of).enumerate() {
        let Some(a) = usize::try_from(g).ok().and_then(|g| acc.get_mut(g)) else {
            continue;
        };
        a.n += 1;
        a.rev += spend.get(i).copied().unwrap_or(0.0);
        a.r += s.recency_days;
        a.f += f64::from(s.frequency);
        a.m += s.monetary;
        a.clv += clv.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
        a.pa += p_alive.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
    }
    let nf = (n as f64).max(1.0);
    let mut table: Vec<SegmentRow> = names
        .iter()
        .zip(&acc)
        .map(|(name, a)| {
            let c = (a.n as f64).max(1.0);
            SegmentRow {
                name: name.clone(),
                description: describe(name),
                customers: a.n,
                customer_share: a.n as f64 / nf,
                revenue: a.rev,
                revenue_share: if total_rev > 0.0 {
                    a.rev / total_rev
                } else {
                    0.0
                },
                mean_recency: a.r / c,
                mean_frequency: a.f / c,
                mean_monetary: a.m / c,
                mean_clv: clv.map(|_| a.clv / c),
                mean_p_alive: p_alive.map(|_| a.pa / c),
            }
        })
        .collect();
    table.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.name.cmp(&b.name)));
    table
}

/// The R×F grid: customers and historical spend per (R score, F score) cell, each cell named by
/// its most common segment. Tie rule: on equal counts, the first name in alphabetical order;
/// a cell with no customers is named by what the map says for (R, F, M = F).
pub fn rf_grid(
    rfm: &RfmResult,
    segment_of: &[u16],
    segment_names: &[String],
    spend: &[f64],
    map: &SegmentMap,
) -> RfGrid {
    let k = segment_names.len();
    let rb = rfm.bins_used[0].max(1);
    let fb = rfm.bins_used[1].max(1);
    let (rbu, fbu) = (rb as usize, fb as usize);
    let mut grid = RfGrid {
        r_bins: rb,
        f_bins: fb,
        counts: vec![vec![0; fbu]; rbu],
        revenue: vec![vec![0.0; fbu]; rbu],
        segment: vec![vec![String::new(); fbu]; rbu],
    };
    // Customers per (cell, segment), to name each cell by its most common segment.
    let mut cell_seg = vec![0u64; rbu * fbu * k];
    for (i, (s, &g)) in rfm.scores.iter().zip(segment_of).enumerate() {
        let (r, f) = (usize::from(s.r.max(1)) - 1, usize::from(s.f.max(1)) - 1);
        if let Some(c) = grid.counts.get_mut(r).and_then(|row| row.get_mut(f)) {
            *c += 1;
        }
        if let Some(c) = grid.revenue.get_mut(r).and_then(|row| row.get_mut(f)) {
            *c += spend.get(i).copied().unwrap_or(0.0);
        }
        if r < rbu && f < fbu {
            if let Some(c) = cell_seg.get_mut((r * fbu + f) * k + usize::from(g)) {
                *c += 1;
            }
        }
    }
    for r in 0..rbu {
        for f in 0..fbu {
            let counts = cell_seg.get((r * fbu + f) * k..(r * fbu + f + 1) * k);
            let best = counts
                .into_iter()
                .flatten()
                .zip(segment_names)
                .filter(|(c, _)| **c > 0)
                .max_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(a.1)))
                .map(|x| x.1.clone());
            if let Some(c) = grid.segment.get_mut(r).and_then(|row| row.get_mut(f)) {
                *c = best.unwrap_or_else(|| {
                    let (ru, fu) = (r as u8 + 1, f as u8 + 1);
                    map.assign(ru, fu, fu).to_string()
                });
            }
        }
    }
    grid
}

/// What value tiers are built on.
#[derive(Debug, Clone, PartialEq)]
pub struct TierValues {
    /// "CLV" or "historical spend".
    pub label: &'static str,
    /// One value per customer, summary order.
    pub values: Vec<f64>,
    /// Why CLV was asked for but not used.
    pub warning: Option<String>,
}

/// The one tier-basis rule (the Segments page and `crm segment --method tiers`): tiers rank
/// customers by CLV when asked for and given, otherwise by historical (total) spend. The RFM
/// monetary option (total or mean) changes the M score, never the tiers: the customer pyramid
/// ranks customers by their value.
pub fn tier_values(spend: &[f64], clv: Option<&[f64]>, by_clv: bool) -> TierValues {
    match clv {
        Some(v) if by_clv => TierValues {
            label: "CLV",
            values: v.to_vec(),
            warning: None,
        },
        _ => TierValues {
            label: "historical spend",
            values: spend.to_vec(),
            warning: by_clv.then(|| {
                "No lifetime values yet: tiers are built on historical spend.".to_string()
            }),
        },
    }
}

/// Tiers of `values` (summary order) under `scheme`; a customer is named by its position in an
/// error.
///
/// # Errors
/// The scheme's error (bad shares, no customers, a value that is not finite).
pub fn value_tiers(
    scheme: &TierScheme,
    values: &[f64],
) -> Result<TierIndex, crate::domain::segmentation::TierError> {
    scheme.assign_values(values, |i| format!("customer {}", i + 1))
}

/// Segment names in order of first appearance and each customer's index into them. The map is
/// evaluated once per (R, F, M) combination, not once per customer.
pub fn assign_segments(map: &SegmentMap, rfm: &RfmResult) -> (Vec<String>, Vec<u16>) {
    const SIDE: usize = 11; // scores are 1..=10
    let mut names: Vec<String> = Vec::new();
    let mut cube: Vec<Option<u16>> = vec![None; SIDE * SIDE * SIDE];
    let index_of = |name: &str, names: &mut Vec<String>| -> u16 {
        let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
            names.push(name.to_string());
            names.len() - 1
        });
        u16::try_from(i).unwrap_or(u16::MAX)
    };
    let segment_of = rfm
        .scores
        .iter()
        .map(|s| {
            let (r, f, m) = (usize::from(s.r), usize::from(s.f), usize::from(s.m));
            if r < SIDE && f < SIDE && m < SIDE {
                let slot = &mut cube[(r * SIDE + f) * SIDE + m];
                *slot.get_or_insert_with(|| index_of(map.assign(s.r, s.f, s.m), &mut names))
            } else {
                index_of(map.assign(s.r, s.f, s.m), &mut names)
            }
        })
        .collect();
    (names, segment_of)
}

/// The k-means feature matrix: the features asked for that can be built (CLV and P(alive) need
/// their vectors), each once, one row per customer (summary order), and the skipped ones in
/// plain words. Monetary and CLV are floored at 0 (log1p needs them non-negative).
pub fn feature_matrix(
    rfm: &RfmResult,
    clv: Option<&[f64]>,
    p_alive: Option<&[f64]>,
    features: &[Feature],
) -> (Vec<Feature>, FeatureMatrix, Vec<String>) {
    let mut warnings = Vec::new();
    let mut used = Vec::new();
    for f in features {
        let ok = match f {
            Feature::Clv => clv.is_some(),
            Feature::PAlive => p_alive.is_some(),
            _ => true,
        };
        if ok {
            if !used.contains(f) {
                used.push(*f);
            }
        } else {
            warnings.push(format!(
                "{} skipped: run the lifetime-value fit first.",
                f.name()
            ));
        }
    }
    let mut data = Vec::with_capacity(rfm.scores.len() * used.len());
    for (i, s) in rfm.scores.iter().enumerate() {
        data.extend(used.iter().map(|f| match f {
            Feature::Recency => s.recency_days,
            Feature::Frequency => f64::from(s.frequency),
            Feature::Monetary => s.monetary.max(0.0),
            Feature::Clv => clv.and_then(|v| v.get(i)).copied().unwrap_or(0.0).max(0.0),
            Feature::PAlive => p_alive.and_then(|v| v.get(i)).copied().unwrap_or(0.0),
        }));
    }
    let names = used.iter().map(|f| f.name().to_string()).collect();
    (used, FeatureMatrix { names, data }, warnings)
}

/// k-means on the request's features: the silhouette search over k_min..=k_max, and the model
/// shown (the best k, or the k asked for).
///
/// # Errors
/// A message when no feature can be used or k-means cannot run.
pub fn cluster(
    rfm: &RfmResult,
    clv: Option<&[f64]>,
    p_alive: Option<&[f64]>,
    c: &ClusterRequest,
) -> Result<ClusterResult, String> {
    cluster_with(rfm, clv, p_alive, c, None)
}

/// The k-means settings and the k search's settings of a request.
fn search_params(c: &ClusterRequest) -> (KMeansParams, KSearchParams) {
    let kmeans = KMeansParams {
        seed: c.seed,
        log1p: c.log1p,
        standardize: c.standardize,
        ..Default::default()
    };
    let search = KSearchParams {
        k_min: c.k_min,
        k_max: c.k_max,
        kmeans: kmeans.clone(),
        ..Default::default()
    };
    (kmeans, search)
}

/// [`feature_matrix`], refusing an empty one.
fn cluster_features(
    rfm: &RfmResult,
    clv: Option<&[f64]>,
    p_alive: Option<&[f64]>,
    c: &ClusterRequest,
) -> Result<(Vec<Feature>, FeatureMatrix, Vec<String>), String> {
    let (used, x, warnings) = feature_matrix(rfm, clv, p_alive, &c.features);
    if used.is_empty() {
        return Err("k-means: choose at least one feature.".into());
    }
    Ok((used, x, warnings))
}

/// [`cluster`], with the search's fits from `search` when given (see [`segment_with`]).
fn cluster_with(
    rfm: &RfmResult,
    clv: Option<&[f64]>,
    p_alive: Option<&[f64]>,
    c: &ClusterRequest,
    search: Option<KSearchPart>,
) -> Result<ClusterResult, String> {
    let (used, x, warnings) = cluster_features(rfm, clv, p_alive, c)?;
    let (kmeans, params) = search_params(c);
    let mut search = match search {
        Some(part) => finish_search(&x, &params, part),
        None => choose_k(&x, &params),
    }
    .map_err(|e| format!("k-means: {e}"))?;
    let model = match c.k {
        Some(k) if k != search.best_k => KMeansParams { k, ..kmeans }
            .fit(&x)
            .map_err(|e| format!("k-means: {e}"))?,
        _ => search.best.clone(),
    };
    // The labels are in `model`; do not send them twice.
    search.best.labels = Vec::new();
    Ok(ClusterResult {
        features: used,
        search,
        model,
        warnings,
    })
}

/// Customers from which the k-means search is split across workers (the sample travels to
/// each, the fits back, and the worker holding the customers scores RFM and builds the
/// features a second time to finish). See tests/bench/LIMITS.md, "Session 13 (par2)".
pub const SPLIT_FROM: usize = 50_000;

/// Pool workers (besides the main one) a split needs: on 2 cores (one pool worker) the split
/// never paid in Chromium (1,000,000 customers: 3.0 s with one worker, 3.3 s split, under load
/// 3.5–6.6), because the workers then share one core and each k took about twice as long;
/// from 3 pool workers (4 cores) the fits run side by side (an estimate from the per-job
/// times, not measured on such a machine: LIMITS.md, "Session 13 (par2)").
pub const SPLIT_WORKERS: u32 = 3;

/// Whether a request's k-means search is worth splitting across workers for `customers`
/// customers with `workers` pool workers to spare: a search over at least two values of k,
/// on at least [`SPLIT_FROM`] customers and [`SPLIT_WORKERS`] pool workers.
pub fn split_pays(req: &SegmentRequest, customers: usize, workers: u32) -> bool {
    req.cluster
        .as_ref()
        .is_some_and(|c| c.k_max > c.k_min && customers >= SPLIT_FROM && workers >= SPLIT_WORKERS)
}

/// The k search's sample for `req`'s k-means on `summary` (the first step of a search split
/// across workers; see [`crate::domain::segmentation::ksearch`]), or None when the request
/// has no k-means.
///
/// # Errors
/// As [`segment`]: bad RFM settings, no usable feature, a k-means that cannot run.
pub fn search_sample(
    summary: &CustomerSummary,
    req: &SegmentRequest,
) -> Result<Option<KSearchSample>, String> {
    let Some(c) = &req.cluster else {
        return Ok(None);
    };
    let rfm = req.rfm.fit(summary).map_err(|e| e.to_string())?;
    let n = rfm.scores.len();
    let (_, x, _) = cluster_features(&rfm, aligned(&req.clv, n), aligned(&req.p_alive, n), c)?;
    let (_, params) = search_params(c);
    crate::domain::segmentation::search_sample(&x, &params)
        .map(Some)
        .map_err(|e| format!("k-means: {e}"))
}

/// Needs-based segments of survey importance answers.
///
/// # Errors
/// A message when the answers cannot be clustered.
pub fn needs(nr: &NeedsRequest) -> Result<NeedsOut, String> {
    let x = FeatureMatrix::from_rows(nr.attributes.clone(), &nr.rows)
        .map_err(|e| format!("needs segments: {e}"))?;
    let params = KMeansParams {
        k: nr.k,
        seed: nr.seed,
        standardize: false,
        log1p: false,
        ..Default::default()
    };
    let result = needs_segments(&x, &params).map_err(|e| format!("needs segments: {e}"))?;
    Ok(NeedsOut {
        ids: nr.ids.clone(),
        result,
    })
}

/// Answers of one survey column per segment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SegmentAnswers {
    /// The survey column.
    pub column: String,
    /// Per segment name: (sum of answers, number of answers).
    pub by_segment: HashMap<String, (f64, u32)>,
}

impl SegmentAnswers {
    /// Mean answer of a segment, when it has answers.
    pub fn mean(&self, segment: &str) -> Option<f64> {
        let (s, n) = self.by_segment.get(segment)?;
        (*n > 0).then(|| s / f64::from(*n))
    }
}

/// The NPS question's answers per segment (satisfaction per segment): the survey's NPS column
/// (found as the Satisfaction page finds it, [`crate::analysis::satisfaction::nps_column`]),
/// each answer counted in the segment of the customer with the respondent's id. `customers` are
/// the summary's customers (the order of `result`). None without ids or an NPS column.
pub fn nps_by_segment(
    survey: &SurveyTable,
    customers: &[crate::domain::customers::CustomerRecord],
    result: &SegmentResult,
) -> Option<SegmentAnswers> {
    let ids = survey.ids.as_ref()?;
    let column = crate::analysis::satisfaction::nps_column(survey)?;
    let item = survey.items.iter().find(|i| i.name == column)?;
    let mut per_customer: HashMap<&str, (f64, u32)> = HashMap::new();
    for (id, v) in ids.iter().zip(&item.values) {
        if let Some(v) = v {
            let e = per_customer.entry(id.as_str()).or_default();
            e.0 += v;
            e.1 += 1;
        }
    }
    let mut by_segment: HashMap<String, (f64, u32)> = HashMap::new();
    for (i, c) in customers.iter().enumerate() {
        if let (Some((s, k)), Some(seg)) = (per_customer.get(c.id.as_str()), result.segment_name(i))
        {
            let e = by_segment.entry(seg.to_string()).or_default();
            e.0 += s;
            e.1 += k;
        }
    }
    Some(SegmentAnswers { column, by_segment })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_is_split_only_with_k_to_search_customers_and_workers() {
        let mut req = default_request(sample_summary(10));
        assert!(!split_pays(&req, SPLIT_FROM, SPLIT_WORKERS), "no k-means");
        req.cluster = Some(ClusterRequest {
            k_max: 10,
            ..Default::default()
        });
        assert!(split_pays(&req, SPLIT_FROM, SPLIT_WORKERS));
        assert!(!split_pays(&req, SPLIT_FROM - 1, SPLIT_WORKERS));
        assert!(!split_pays(&req, SPLIT_FROM, SPLIT_WORKERS - 1));
        if let Some(c) = req.cluster.as_mut() {
            c.k_max = c.k_min;
        }
        assert!(!split_pays(&req, SPLIT_FROM, SPLIT_WORKERS), "one k");
    }
    use crate::domain::customers::{summarize, SummaryOptions, Transaction};
    use chrono::NaiveDate;

    fn run(
        req: SegmentRequest,
        progress: &mut dyn FnMut(f64, &str),
    ) -> Result<SegmentResult, String> {
        segment(&req.summary, &req, progress)
    }

    pub(super) fn sample_summary(n: usize) -> CustomerSummary {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut log = Vec::new();
        for c in 0..n {
            let visits = 1 + (c * 7) % 9;
            for v in 0..visits {
                let day = ((c * 13 + v * 29) % 360) as u64;
                log.push(Transaction {
                    customer_id: format!("c{c:04}"),
                    date: start + chrono::Days::new(day),
                    amount: 5.0 + ((c * 31 + v * 17) % 200) as f64,
                    margin: None,
                    quantity: None,
                    channel: None,
                    product: None,
                });
            }
        }
        summarize(&log, &SummaryOptions::default()).unwrap()
    }

    #[test]
    fn default_run_gives_every_customer_exactly_one_segment() {
        let summary = sample_summary(300);
        let ids: Vec<String> = summary.customers.iter().map(|c| c.id.clone()).collect();
        let r = run(default_request(summary.clone()), &mut |_, _| {}).unwrap();
        assert_eq!(r.len(), ids.len());
        assert!((0..r.len()).all(|i| r.segment_name(i).is_some_and(|s| !s.is_empty())));
        // Each customer's segment is what the map says for its scores.
        let rfm = RfmParams::default().fit(&summary).unwrap();
        for (i, s) in rfm.scores.iter().enumerate() {
            assert_eq!(r.segment_name(i), Some(SegmentMap::rxf().assign_score(s)));
        }
        let in_table: u64 = r.table.iter().map(|t| t.customers).sum();
        assert_eq!(in_table, ids.len() as u64);
        let in_grid: u64 = r.grid.counts.iter().flatten().sum();
        assert_eq!(in_grid, ids.len() as u64);
        let shares: f64 = r.table.iter().map(|t| t.revenue_share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        assert!(!r.suggestions.is_empty());
    }

    #[test]
    fn request_and_result_round_trip_through_bincode() {
        let summary = sample_summary(120);
        let n = summary.customers.len();
        let mut req = default_request(summary);
        req.clv = Some((0..n).map(|i| i as f64).collect());
        req.p_alive = Some(vec![0.5; n]);
        req.tiers_by_clv = true;
        req.cluster = Some(ClusterRequest {
            features: vec![Feature::Frequency, Feature::Monetary, Feature::Clv],
            k_max: 4,
            ..Default::default()
        });
        req.needs = Some(NeedsRequest {
            attributes: vec!["imp_price".into(), "imp_quality".into()],
            ids: (0..40).map(|i| format!("r{i}")).collect(),
            rows: (0..40)
                .map(|i| vec![f64::from(i % 5 + 1), f64::from((i * 3) % 5 + 1)])
                .collect(),
            k: 3,
            seed: 7,
        });
        let bytes = bincode::serialize(&req).unwrap();
        let back: SegmentRequest = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, req);
        let res = run(req, &mut |_, _| {}).unwrap();
        assert!(res.cluster.is_some() && res.needs.is_some());
        assert_eq!(res.tier_value, "CLV");
        let bytes = bincode::serialize(&res).unwrap();
        let back: SegmentResult = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, res);
    }

    #[test]
    fn a_search_split_across_workers_segments_as_one_run() {
        use crate::domain::segmentation::search_part;
        let summary = sample_summary(400);
        let n = summary.customers.len();
        let mut req = default_request(summary);
        req.p_alive = Some((0..n).map(|i| (i % 10) as f64 / 10.0).collect());
        req.cluster = Some(ClusterRequest {
            features: vec![Feature::Recency, Feature::Monetary, Feature::PAlive],
            k_max: 6,
            seed: 3,
            ..Default::default()
        });
        let one = run(req.clone(), &mut |_, _| {}).unwrap();
        let sample = search_sample(&req.summary, &req).unwrap().unwrap();
        let mut merged = KSearchPart::default();
        for ks in [5..=6, 2..=2, 3..=4] {
            merged.merge(search_part(&sample, ks, &mut |_| {}).unwrap());
        }
        let split = segment_with(&req.summary, &req, Some(merged), &mut |_, _| {}).unwrap();
        assert!(one.cluster.is_some());
        assert_eq!(split, one);
        req.cluster = None;
        assert_eq!(search_sample(&req.summary, &req).unwrap(), None);
    }

    #[test]
    fn cluster_seed_makes_results_repeat() {
        let summary = sample_summary(200);
        let mut req = default_request(summary);
        req.cluster = Some(ClusterRequest {
            k_max: 4,
            seed: 9,
            ..Default::default()
        });
        let a = run(req.clone(), &mut |_, _| {}).unwrap();
        let b = run(req, &mut |_, _| {}).unwrap();
        let (a, b) = (a.cluster.unwrap(), b.cluster.unwrap());
        assert_eq!(a.model.labels, b.model.labels);
        assert_eq!(a.search.seed, 9);
    }

    #[test]
    fn nps_answers_add_up_per_segment_of_the_respondents_customer() {
        use crate::io::import::survey::SurveyItem;
        let summary = sample_summary(40);
        let r = run(default_request(summary.clone()), &mut |_, _| {}).unwrap();
        let ids: Vec<String> = summary.customers.iter().map(|c| c.id.clone()).collect();
        // Two answers from the first customer, one from the second, one from a stranger;
        // an importance column named like the question is not the question.
        let survey = SurveyTable {
            ids: Some(vec![
                ids[0].clone(),
                ids[0].clone(),
                ids[1].clone(),
                "nobody".into(),
            ]),
            dates: None,
            items: vec![
                SurveyItem {
                    name: "imp_recommend".into(),
                    values: vec![Some(1.0); 4],
                },
                SurveyItem {
                    name: "Likely to recommend".into(),
                    values: vec![Some(10.0), Some(6.0), Some(9.0), Some(0.0)],
                },
            ],
            id_column: None,
            date_column: None,
            text_items: Vec::new(),
        };
        let a = nps_by_segment(&survey, &summary.customers, &r).unwrap();
        assert_eq!(a.column, "Likely to recommend");
        let (s0, s1) = (r.segment_name(0).unwrap(), r.segment_name(1).unwrap());
        let answers: u32 = a.by_segment.values().map(|v| v.1).sum();
        assert_eq!(answers, 3);
        if s0 == s1 {
            assert!((a.mean(s0).unwrap() - 25.0 / 3.0).abs() < 1e-12);
        } else {
            assert!((a.mean(s0).unwrap() - 8.0).abs() < 1e-12);
            assert!((a.mean(s1).unwrap() - 9.0).abs() < 1e-12);
        }
    }
}
