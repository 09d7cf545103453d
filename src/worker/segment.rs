//! Worker task: segment customers on a customer summary: RFM scores and a named map (with the
//! R×F grid and a table per segment), k-means on chosen behaviour features with k chosen by the
//! silhouette, value tiers, needs-based segments from survey importance, and the strategy
//! suggestions per segment. (Request and result types are owned by the Segments page.)
//!
//! Types crossing the worker are plain structs and enums (bincode: no tagged, untagged or
//! flattened serde representations).

use crate::domain::customers::CustomerSummary;
use crate::domain::segmentation::kmeans::{choose_k, FeatureMatrix, KMeansModel, KSearch};
use crate::domain::segmentation::kmeans::{KMeansParams, KSearchParams};
use crate::domain::segmentation::needs::{needs_segments, NeedsResult};
use crate::domain::segmentation::strategy::{
    segment_figures_indexed, suggest, SegmentFigures, Suggestion,
};
use crate::domain::segmentation::{
    Coverage, MonetaryKind, RfmParams, RfmResult, SegmentMap, TierIndex, TierScheme,
};
use serde::{Deserialize, Serialize};

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
    /// The customer summary. With a `summary_key`, an empty list of customers means "the
    /// summary you were last sent under this key" (see [`NEEDS_SUMMARY`]).
    pub summary: CustomerSummary,
    /// Names the summary (the page's data key) so the worker keeps it between jobs and the page
    /// sends a million customers once, not on every change of a setting. Empty: not kept.
    pub summary_key: String,
    /// RFM settings (bins or cut points, monetary total or mean).
    pub rfm: RfmParams,
    /// The named segment map.
    pub map: SegmentMap,
    /// CLV per customer, summary order (from the default lifetime-value fit), when available.
    pub clv: Option<Vec<f64>>,
    /// P(alive) per customer, summary order, when available.
    pub p_alive: Option<Vec<f64>>,
    /// k-means, when wanted.
    pub cluster: Option<ClusterRequest>,
    /// Value tiers: by CLV (when given) or by historical spend.
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
        summary_key: String::new(),
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
}

impl SegmentResult {
    /// Customers segmented.
    pub fn len(&self) -> usize {
        self.segment_of.len()
    }

    /// Whether no customer was segmented.
    pub fn is_empty(&self) -> bool {
        self.segment_of.is_empty()
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

/// The error of a request naming a summary (by `summary_key`, without its customers) that the
/// worker does not hold (another dataset, or a fresh worker): send it again with the summary.
pub const NEEDS_SUMMARY: &str = "segmentation: the worker does not hold this customer summary";

thread_local! {
    /// The last summary sent with a key (the worker runs one job at a time on one thread).
    static HELD: std::cell::RefCell<Option<(String, std::rc::Rc<CustomerSummary>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The request's summary, or the one held under its key; a summary sent with a key is held.
fn resolve_summary(
    summary: CustomerSummary,
    key: &str,
) -> Result<std::rc::Rc<CustomerSummary>, String> {
    if key.is_empty() {
        return Ok(std::rc::Rc::new(summary));
    }
    if summary.customers.is_empty() {
        return HELD.with(|h| match &*h.borrow() {
            Some((k, s)) if k == key => Ok(s.clone()),
            _ => Err(NEEDS_SUMMARY.to_string()),
        });
    }
    let s = std::rc::Rc::new(summary);
    HELD.with(|h| *h.borrow_mut() = Some((key.to_string(), s.clone())));
    Ok(s)
}

fn aligned(v: &Option<Vec<f64>>, n: usize) -> Option<&Vec<f64>> {
    v.as_ref().filter(|v| v.len() == n)
}

/// Runs the segmentation.
///
/// # Errors
/// A message for the user (bad RFM settings, an empty summary, a k-means that cannot run).
pub fn run(
    req: SegmentRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<SegmentResult, String> {
    progress(0.05, "Scoring recency, frequency and monetary value");
    let summary = resolve_summary(req.summary, &req.summary_key)?;
    let mut rfm = req.rfm.fit(&summary).map_err(|e| e.to_string())?;
    drop(summary);
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
    let k = segment_names.len();
    let bins = u8::try_from(rfm.bins.clamp(1, 10)).unwrap_or(5);
    let coverage = req.map.coverage(bins);

    // Segment table.
    let spend = |s: &crate::domain::segmentation::RfmScore| match rfm.monetary_kind {
        MonetaryKind::Total => s.monetary,
        MonetaryKind::Mean => s.monetary * f64::from(s.frequency),
    };
    let total_rev: f64 = rfm.scores.iter().map(spend).sum();
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
    let mut acc: Vec<Acc> = vec![Acc::default(); k];
    for (i, (s, &g)) in rfm.scores.iter().zip(&segment_of).enumerate() {
        let Some(a) = acc.get_mut(usize::from(g)) else {
            continue;
        };
        a.n += 1;
        a.rev += spend(s);
        a.r += s.recency_days;
        a.f += f64::from(s.frequency);
        a.m += s.monetary;
        a.clv += clv.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
        a.pa += p_alive.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
    }
    let nf = (n as f64).max(1.0);
    let mut table: Vec<SegmentRow> = segment_names
        .iter()
        .zip(&acc)
        .map(|(name, a)| {
            let c = (a.n as f64).max(1.0);
            SegmentRow {
                name: name.clone(),
                description: req.map.describe(name).to_string(),
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

    // R×F grid.
    progress(0.3, "Counting the R×F grid");
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
    for (s, &g) in rfm.scores.iter().zip(&segment_of) {
        let (r, f) = (usize::from(s.r.max(1)) - 1, usize::from(s.f.max(1)) - 1);
        if let Some(c) = grid.counts.get_mut(r).and_then(|row| row.get_mut(f)) {
            *c += 1;
        }
        if let Some(c) = grid.revenue.get_mut(r).and_then(|row| row.get_mut(f)) {
            *c += spend(s);
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
            // The most common segment; on equal counts the first name in alphabetical order.
            let best = counts
                .into_iter()
                .flatten()
                .zip(&segment_names)
                .filter(|(c, _)| **c > 0)
                .max_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(a.1)))
                .map(|x| x.1.clone());
            if let Some(c) = grid.segment.get_mut(r).and_then(|row| row.get_mut(f)) {
                // Cells with no customers: what the map would call them.
                *c = best.unwrap_or_else(|| {
                    let (ru, fu) = (r as u8 + 1, f as u8 + 1);
                    req.map.assign(ru, fu, fu).to_string()
                });
            }
        }
    }

    // Strategy.
    let figures = segment_figures_indexed(
        &rfm,
        &segment_of,
        &segment_names,
        p_alive.map(Vec::as_slice),
        clv.map(Vec::as_slice),
    );
    let suggestions = suggest(&figures);

    // Tiers.
    progress(0.4, "Building value tiers");
    let (tier_value, values): (String, Vec<f64>) = match clv {
        Some(v) if req.tiers_by_clv => ("CLV".into(), v.clone()),
        _ => {
            if req.tiers_by_clv {
                warnings
                    .push("No lifetime values yet: tiers are built on historical spend.".into());
            }
            (
                "historical spend".into(),
                rfm.scores.iter().map(spend).collect(),
            )
        }
    };
    let id_of = |i: usize| format!("customer {}", i + 1);
    let pyramid = TierScheme::pyramid().assign_values(&values, id_of).ok();
    let hml = TierScheme::heavy_medium_light()
        .assign_values(&values, id_of)
        .ok();

    // k-means.
    let cluster = match &req.cluster {
        Some(c) => {
            progress(0.5, "Clustering (trying each k)");
            Some(cluster(&rfm, clv, p_alive, c)?)
        }
        None => None,
    };

    // Needs.
    let needs = match &req.needs {
        Some(nr) if !nr.rows.is_empty() && !nr.attributes.is_empty() => {
            progress(0.85, "Grouping survey answers by needs");
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
            Some(NeedsOut {
                ids: nr.ids.clone(),
                result,
            })
        }
        _ => None,
    };
    progress(1.0, "Done");
    Ok(SegmentResult {
        segment_names,
        segment_of,
        map: Some(req.map),
        coverage: Some(coverage),
        table,
        grid,
        cluster,
        tier_value,
        pyramid,
        hml,
        needs,
        figures,
        suggestions,
        warnings,
        rfm: Some(rfm),
    })
}

/// Segment names in order of first appearance and each customer's index into them. The map is
/// evaluated once per (R, F, M) combination, not once per customer.
fn assign_segments(map: &SegmentMap, rfm: &RfmResult) -> (Vec<String>, Vec<u16>) {
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

fn cluster(
    rfm: &RfmResult,
    clv: Option<&Vec<f64>>,
    p_alive: Option<&Vec<f64>>,
    c: &ClusterRequest,
) -> Result<ClusterResult, String> {
    let mut warnings = Vec::new();
    let mut used = Vec::new();
    for f in &c.features {
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
    if used.is_empty() {
        return Err("k-means: choose at least one feature.".into());
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
    let x = FeatureMatrix { names, data };
    let kmeans = KMeansParams {
        seed: c.seed,
        log1p: c.log1p,
        standardize: c.standardize,
        ..Default::default()
    };
    let search = choose_k(
        &x,
        &KSearchParams {
            k_min: c.k_min,
            k_max: c.k_max,
            kmeans: kmeans.clone(),
            ..Default::default()
        },
    )
    .map_err(|e| format!("k-means: {e}"))?;
    let mut search = search;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::{summarize, SummaryOptions, Transaction};
    use chrono::NaiveDate;

    fn sample_summary(n: usize) -> CustomerSummary {
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
        let task = crate::worker::tasks::Output::Segment(Box::new(res));
        let bytes = bincode::serialize(&task).unwrap();
        let _: crate::worker::tasks::Output = bincode::deserialize(&bytes).unwrap();
    }

    #[test]
    fn a_summary_sent_with_a_key_is_held_for_lean_requests() {
        let summary = sample_summary(50);
        let mut lean = default_request(CustomerSummary {
            customers: Vec::new(),
            ..summary.clone()
        });
        lean.summary_key = "data-1".into();
        assert_eq!(run(lean.clone(), &mut |_, _| {}), Err(NEEDS_SUMMARY.into()));
        let mut full = default_request(summary);
        full.summary_key = "data-1".into();
        let a = run(full, &mut |_, _| {}).unwrap();
        let b = run(lean.clone(), &mut |_, _| {}).unwrap();
        assert_eq!(a, b);
        lean.summary_key = "data-2".into();
        assert_eq!(run(lean, &mut |_, _| {}), Err(NEEDS_SUMMARY.into()));
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
}
