//! What the page sees of a segmentation, and the answers about its customers. A million
//! customers' per-customer columns (RFM scores, each customer's segment, tiers, cluster labels:
//! about 30 MB) never cross to the page: the worker holds the whole [`SegmentResult`] and sends
//! its view ([`SegmentResult::view`]: the tables, the grid, the models, the scatter's points),
//! then answers what the page draws from the customers: a segment's customers a page at a time
//! ([`customers_page`]), the cross-tab of two segmentations ([`crosstab`]) and the survey's
//! answers per segment ([`super::nps_by_segment`]). The worker and the tests call these
//! functions; they are the only place these figures are computed.

use super::SegmentResult;
use crate::domain::customers::CustomerRecord;
use crate::domain::segmentation::{cross_tab, CrossTab, RfmScore, TierIndex};
use serde::{Deserialize, Serialize};

/// Most customers drawn in the cluster scatter plot (every n-th, so the picture repeats): a
/// million SVG circles would freeze the page and say no more.
pub const SCATTER_POINTS: usize = 5000;

/// One customer of the cluster scatter: purchase occasions, monetary value (as scored) and
/// cluster (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScatterPoint {
    /// Purchase occasions.
    pub frequency: u32,
    /// Monetary value.
    pub monetary: f64,
    /// Cluster, 0-based.
    pub cluster: u32,
}

/// The per-customer columns of a result, lent out while its view is copied.
struct Columns {
    segment_of: Vec<u16>,
    scores: Vec<RfmScore>,
    pyramid: Vec<u8>,
    hml: Vec<u8>,
    labels: Vec<u32>,
}

fn take_tiers(t: &mut Option<TierIndex>) -> Vec<u8> {
    t.as_mut()
        .map(|t| std::mem::take(&mut t.tier_of))
        .unwrap_or_default()
}

fn put_tiers(t: &mut Option<TierIndex>, v: Vec<u8>) {
    if let Some(t) = t.as_mut() {
        t.tier_of = v;
    }
}

impl SegmentResult {
    /// Every `stride`-th customer: the stride that draws at most [`SCATTER_POINTS`].
    pub fn scatter_stride(&self) -> usize {
        self.len().div_ceil(SCATTER_POINTS).max(1)
    }

    /// The cluster scatter's points (every [`Self::scatter_stride`]-th customer), when k-means
    /// ran; a view's are already worked out.
    pub fn scatter_points(&self) -> Vec<ScatterPoint> {
        if self.is_view() {
            return self.scatter.clone();
        }
        let (Some(rfm), Some(c)) = (&self.rfm, &self.cluster) else {
            return Vec::new();
        };
        rfm.scores
            .iter()
            .zip(&c.model.labels)
            .step_by(self.scatter_stride())
            .map(|(s, &l)| ScatterPoint {
                frequency: s.frequency,
                monetary: s.monetary,
                cluster: l,
            })
            .collect()
    }

    fn take_columns(&mut self) -> Columns {
        Columns {
            segment_of: std::mem::take(&mut self.segment_of),
            scores: self
                .rfm
                .as_mut()
                .map(|r| std::mem::take(&mut r.scores))
                .unwrap_or_default(),
            pyramid: take_tiers(&mut self.pyramid),
            hml: take_tiers(&mut self.hml),
            labels: self
                .cluster
                .as_mut()
                .map(|c| std::mem::take(&mut c.model.labels))
                .unwrap_or_default(),
        }
    }

    fn put_columns(&mut self, c: Columns) {
        self.segment_of = c.segment_of;
        if let Some(r) = self.rfm.as_mut() {
            r.scores = c.scores;
        }
        put_tiers(&mut self.pyramid, c.pyramid);
        put_tiers(&mut self.hml, c.hml);
        if let Some(k) = self.cluster.as_mut() {
            k.model.labels = c.labels;
        }
    }

    /// The page's view of this result: everything but the per-customer columns (each
    /// customer's segment, RFM scores, tiers and cluster label, which stay here), with the
    /// number of customers, the scatter's points and `held`, the key under which the worker
    /// keeps this whole result. The columns are lent out while the rest is copied (no copy of
    /// them is made).
    pub fn view(&mut self, held: &str) -> SegmentResult {
        let scatter = self.scatter_points();
        let customers = self.len() as u64;
        let columns = self.take_columns();
        let mut view = self.clone();
        self.put_columns(columns);
        view.customers = customers;
        view.held = held.to_string();
        view.scatter = scatter;
        view
    }
}

/// One of the segmentations a result holds, for the cross-tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Labeling {
    /// The RFM segments.
    Rfm,
    /// The k-means clusters ("Cluster 1"…).
    Cluster,
    /// The pyramid tiers.
    Pyramid,
    /// Heavy / medium / light.
    Hml,
}

impl Labeling {
    /// Every labeling, with its key and name, in display order.
    pub const ALL: [(Labeling, &'static str, &'static str); 4] = [
        (Labeling::Rfm, "rfm", "RFM segment"),
        (Labeling::Cluster, "cluster", "Cluster"),
        (Labeling::Pyramid, "pyramid", "Pyramid tier"),
        (Labeling::Hml, "hml", "Heavy / medium / light"),
    ];

    /// The labeling of a key ("rfm", "cluster", "pyramid", "hml").
    pub fn from_key(key: &str) -> Option<Labeling> {
        Self::ALL.iter().find(|(_, k, _)| *k == key).map(|x| x.0)
    }
}

/// Each customer's label in one segmentation, as references into the result's names (a
/// million labels are a million pointers, not a million strings).
fn labels_of<'a>(
    r: &'a SegmentResult,
    which: Labeling,
    cluster_names: &'a [String],
) -> Option<Vec<&'a str>> {
    let tier = |t: &'a TierIndex| -> Vec<&'a str> {
        t.tier_of
            .iter()
            .map(|&i| {
                t.summary
                    .get(usize::from(i))
                    .map_or("", |s| s.tier.as_str())
            })
            .collect()
    };
    match which {
        Labeling::Rfm => Some(
            r.segment_of
                .iter()
                .map(|&g| {
                    r.segment_names
                        .get(usize::from(g))
                        .map_or("", String::as_str)
                })
                .collect(),
        ),
        Labeling::Cluster => r.cluster.as_ref().map(|c| {
            c.model
                .labels
                .iter()
                .map(|&l| cluster_names.get(l as usize).map_or("", String::as_str))
                .collect()
        }),
        Labeling::Pyramid => r.pyramid.as_ref().map(tier),
        Labeling::Hml => r.hml.as_ref().map(tier),
    }
}

/// The cross-tab of two segmentations of a whole result (rows `a`, columns `b`); None when one
/// of them was not computed (no k-means yet).
///
/// # Errors
/// The cross-tab's error in words (the two do not cover the same customers).
pub fn crosstab(r: &SegmentResult, a: Labeling, b: Labeling) -> Option<Result<CrossTab, String>> {
    let cluster_names: Vec<String> = r
        .cluster
        .as_ref()
        .map(|c| (1..=c.model.k).map(|k| format!("Cluster {k}")).collect())
        .unwrap_or_default();
    let x = labels_of(r, a, &cluster_names)?;
    let y = labels_of(r, b, &cluster_names)?;
    Some(cross_tab(&x, &y).map_err(|e| e.to_string()))
}

/// Which of a segment's customers to list: a search in the ids (or the segment's name), an
/// order, and a page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CustomerQuery {
    /// The segment's name.
    pub segment: String,
    /// Text the id (or the segment's name) contains, any case; empty: every customer.
    pub search: String,
    /// Column to order by and whether ascending ([`CustomerRow::COLUMNS`]); None: summary
    /// order.
    pub sort: Option<(u32, bool)>,
    /// First row of the page (in the matching rows' order).
    pub offset: u32,
    /// Rows in the page.
    pub limit: u32,
}

/// One customer of a segment: id, RFM scores and values, CLV and P(alive) when the
/// segmentation had them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    /// The customer's scores (with the id).
    pub score: RfmScore,
    /// CLV, when given.
    pub clv: Option<f64>,
    /// P(alive), when given.
    pub p_alive: Option<f64>,
}

impl CustomerRow {
    /// The columns a segment's customers are listed with (the last two with CLV only).
    pub const COLUMNS: [&'static str; 10] = [
        "Customer",
        "Segment",
        "R",
        "F",
        "M",
        "Recency (days)",
        "Frequency",
        "Monetary",
        "CLV",
        "P(alive)",
    ];
}

/// A page of a segment's customers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CustomerPage {
    /// The query answered.
    pub query: CustomerQuery,
    /// Customers in the segment.
    pub in_segment: u64,
    /// Customers matching the search.
    pub matched: u64,
    /// The page's rows.
    pub rows: Vec<CustomerRow>,
    /// The segment's first customer in summary order (whatever the search), whose RFM score
    /// the page explains.
    pub first: Option<CustomerRow>,
}

/// A page of the customers of segment `q.segment` in a whole result: `customers` are the
/// summary's (the order of the result), `clv` and `p_alive` the segmentation's vectors when it
/// had them. An unknown segment has no customers.
pub fn customers_page(
    r: &SegmentResult,
    customers: &[CustomerRecord],
    clv: Option<&[f64]>,
    p_alive: Option<&[f64]>,
    q: &CustomerQuery,
) -> CustomerPage {
    let row = |i: usize| -> Option<CustomerRow> {
        let mut score = r.rfm.as_ref()?.scores.get(i)?.clone();
        score.id = customers.get(i).map(|c| c.id.clone()).unwrap_or_default();
        Some(CustomerRow {
            score,
            clv: clv.and_then(|v| v.get(i)).copied(),
            p_alive: p_alive.and_then(|v| v.get(i)).copied(),
        })
    };
    let Some(g) = r.segment_index(&q.segment) else {
        return CustomerPage {
            query: q.clone(),
            ..Default::default()
        };
    };
    let members: Vec<usize> = r
        .segment_of
        .iter()
        .enumerate()
        .filter(|(_, &s)| s == g)
        .map(|(i, _)| i)
        .collect();
    let needle = q.search.trim().to_lowercase();
    let all = needle.is_empty() || q.segment.to_lowercase().contains(&needle);
    let mut idx: Vec<usize> = if all {
        members.clone()
    } else {
        members
            .iter()
            .copied()
            .filter(|&i| {
                customers
                    .get(i)
                    .is_some_and(|c| c.id.to_lowercase().contains(&needle))
            })
            .collect()
    };
    if let Some((col, asc)) = q.sort {
        let scores = r.rfm.as_ref().map_or(&[][..], |x| x.scores.as_slice());
        let id = |i: usize| customers.get(i).map_or("", |c| c.id.as_str());
        let number = |i: usize| -> f64 {
            let s = scores.get(i);
            let v = match col {
                2 => s.map(|s| f64::from(s.r)),
                3 => s.map(|s| f64::from(s.f)),
                4 => s.map(|s| f64::from(s.m)),
                5 => s.map(|s| s.recency_days),
                6 => s.map(|s| f64::from(s.frequency)),
                7 => s.map(|s| s.monetary),
                8 => clv.and_then(|v| v.get(i)).copied(),
                9 => p_alive.and_then(|v| v.get(i)).copied(),
                _ => None,
            };
            v.unwrap_or(f64::NAN)
        };
        crate::domain::order::sort_by(&mut idx, |&a, &b| {
            let o = if col < 2 {
                id(a).cmp(id(b))
            } else {
                number(a).total_cmp(&number(b))
            };
            if asc {
                o
            } else {
                o.reverse()
            }
        });
    }
    let rows = idx
        .iter()
        .skip(q.offset as usize)
        .take(q.limit as usize)
        .filter_map(|&i| row(i))
        .collect();
    CustomerPage {
        query: q.clone(),
        in_segment: members.len() as u64,
        matched: idx.len() as u64,
        rows,
        first: members.first().and_then(|&i| row(i)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample_summary;
    use super::super::{default_request, segment, ClusterRequest};
    use super::*;

    fn whole(n: usize, k: bool) -> (crate::domain::customers::CustomerSummary, SegmentResult) {
        let summary = sample_summary(n);
        let mut req = default_request(summary.clone());
        if k {
            req.cluster = Some(ClusterRequest {
                k_min: 2,
                k_max: 3,
                ..Default::default()
            });
        }
        let r = segment(&summary, &req, &mut |_, _| {}).unwrap();
        (summary, r)
    }

    #[test]
    fn a_view_keeps_the_tables_and_leaves_the_customers_in_the_whole_result() {
        let (_, mut r) = whole(300, true);
        let before = r.clone();
        let v = r.view("data/segments/default");
        assert_eq!(r, before, "the whole result is left as it was");
        assert!(v.is_view() && !r.is_view());
        assert_eq!(v.len(), 300);
        assert_eq!(v.customers, 300);
        assert!(v.segment_of.is_empty());
        assert!(v.rfm.as_ref().unwrap().scores.is_empty());
        assert!(v.pyramid.as_ref().unwrap().tier_of.is_empty());
        assert!(v.cluster.as_ref().unwrap().model.labels.is_empty());
        assert_eq!(v.table, r.table);
        assert_eq!(v.grid, r.grid);
        assert_eq!(v.figures, r.figures);
        assert_eq!(v.scatter.len(), 300, "under SCATTER_POINTS: every customer");
        assert_eq!(v.scatter_points(), r.scatter_points());
        let bytes = bincode::serialize(&v).unwrap();
        assert_eq!(bincode::deserialize::<SegmentResult>(&bytes).unwrap(), v);
    }

    #[test]
    fn the_scatter_draws_at_most_its_limit_every_nth_customer() {
        let (_, mut r) = whole(300, true);
        r.customers = 12_000;
        r.segment_of = vec![0; 12_000];
        let labels = &mut r.cluster.as_mut().unwrap().model.labels;
        *labels = (0..12_000).map(|i| i % 3).collect();
        let scores = &mut r.rfm.as_mut().unwrap().scores;
        let first = scores[0].clone();
        *scores = (0..12_000)
            .map(|i| RfmScore {
                frequency: i,
                ..first.clone()
            })
            .collect();
        assert_eq!(r.scatter_stride(), 3);
        let p = r.scatter_points();
        assert_eq!(p.len(), 4000);
        assert_eq!((p[1].frequency, p[1].cluster), (3, 0));
        assert_eq!((p[2].frequency, p[2].cluster), (6, 0));
    }

    #[test]
    fn a_segments_customers_come_a_page_at_a_time_and_add_up() {
        let (summary, r) = whole(400, false);
        let t = &r.table[0];
        let mut q = CustomerQuery {
            segment: t.name.clone(),
            limit: 7,
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let p = customers_page(&r, &summary.customers, None, None, &q);
            assert_eq!(p.in_segment, t.customers);
            assert_eq!(p.matched, t.customers);
            assert!(p.rows.len() <= 7);
            if p.rows.is_empty() {
                break;
            }
            for row in &p.rows {
                let i = summary
                    .customers
                    .iter()
                    .position(|c| c.id == row.score.id)
                    .unwrap();
                assert_eq!(r.segment_name(i), Some(t.name.as_str()));
                assert_eq!(row.score.r, r.rfm.as_ref().unwrap().scores[i].r);
                seen.push(i);
            }
            q.offset += 7;
        }
        assert_eq!(seen.len() as u64, t.customers, "each customer once");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "summary order");
        let first = customers_page(&r, &summary.customers, None, None, &q).first;
        assert_eq!(
            first.map(|f| f.score.id),
            Some(summary.customers[seen[0]].id.clone())
        );
        let none = CustomerQuery {
            segment: "Nobody".into(),
            limit: 5,
            ..Default::default()
        };
        let p = customers_page(&r, &summary.customers, None, None, &none);
        assert_eq!((p.in_segment, p.rows.len()), (0, 0));
    }

    #[test]
    fn a_segments_customers_are_searched_and_sorted_before_the_page() {
        let (summary, r) = whole(400, false);
        let t = &r.table[0];
        let clv: Vec<f64> = (0..400).map(f64::from).collect();
        let q = CustomerQuery {
            segment: t.name.clone(),
            sort: Some((8, false)),
            limit: 3,
            ..Default::default()
        };
        let p = customers_page(&r, &summary.customers, Some(&clv), None, &q);
        let top: Vec<f64> = p.rows.iter().map(|r| r.clv.unwrap()).collect();
        assert!(top.windows(2).all(|w| w[0] >= w[1]), "{top:?}");
        let best = (0..400)
            .filter(|&i| r.segment_name(i) == Some(t.name.as_str()))
            .map(|i| clv[i])
            .fold(f64::MIN, f64::max);
        assert_eq!(top[0], best);
        let id = p.rows[0].score.id.clone();
        let q = CustomerQuery {
            search: id.to_uppercase(),
            sort: None,
            ..q
        };
        let p = customers_page(&r, &summary.customers, Some(&clv), None, &q);
        assert!(p.matched >= 1 && p.rows.iter().all(|r| r.score.id.contains(&id)));
        assert_eq!(p.in_segment, t.customers);
    }

    #[test]
    fn the_crosstab_of_rfm_and_tiers_counts_every_customer_once() {
        let (_, r) = whole(300, false);
        let t = crosstab(&r, Labeling::Rfm, Labeling::Hml).unwrap().unwrap();
        assert_eq!(t.row_totals.iter().sum::<u64>(), 300);
        assert_eq!(t.rows.len(), r.table.len());
        assert!(
            crosstab(&r, Labeling::Cluster, Labeling::Rfm).is_none(),
            "no k-means"
        );
        assert_eq!(Labeling::from_key("pyramid"), Some(Labeling::Pyramid));
        assert_eq!(Labeling::from_key("x"), None);
    }
}
