//! Relationship level (Kotler: basic, reactive, accountable, proactive, partnership) and a
//! suggested strategy for existing customers (convert to a second purchase, develop, retain,
//! win back, let go: never "acquire", they are customers already) with marketing levers per
//! segment, each with the figures that justify it.
//!
//! # Rules
//! With `value index` = revenue share / customer share (1 = average) and the segment's mean
//! recency against the mean over all customers:
//! 1. **Lapsed** when mean P(alive) < 0.5 (if given), else when mean recency > 1.5 × the
//!    overall mean recency. A segment of mostly one-time buyers (mean occasions < 1.5) is also
//!    lapsed on the recency test when P(alive) is given: BG/NBD counts every one-time buyer as
//!    alive (P(alive) = 1), so its mean P(alive) says nothing about them.
//! 2. Lapsed and value index ≥ 1 → **Win back**, level *Proactive*; levers: relationship
//!    marketing, direct promotions, service quality.
//! 3. Lapsed and value index < 1 → **Let go** (no spend beyond the cheapest reminder), level
//!    *Basic*; lever: direct promotions.
//! 4. Active and mean occasions < 1.5 (mostly one-time buyers) → **Convert**: develop them
//!    into a second purchase, level *Reactive*; levers: direct promotions, service quality,
//!    price.
//! 5. Active and value index ≥ 1.5 → **Retain**; level *Partnership* when the index ≥ 3, else
//!    *Proactive*; levers: relationship marketing, service quality.
//! 6. Active otherwise → **Develop**; level *Accountable* when the index ≥ 0.75, else
//!    *Basic*; levers: direct promotions, relationship marketing, channels (price for the
//!    low-value).
//!
//! Mean CLV, when given, is reported beside the figures; it does not change the rule.

use serde::{Deserialize, Serialize};

/// Kotler's relationship levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelationshipLevel {
    /// Sells and does not follow up.
    Basic,
    /// Sells and invites the customer to call with problems.
    Reactive,
    /// Calls the customer shortly after the sale.
    Accountable,
    /// Contacts the customer regularly with suggestions.
    Proactive,
    /// Works continuously with the customer to deliver value.
    Partnership,
}

impl RelationshipLevel {
    /// The level's plain name ("Basic", …, "Partnership").
    pub fn name(self) -> &'static str {
        match self {
            RelationshipLevel::Basic => "Basic",
            RelationshipLevel::Reactive => "Reactive",
            RelationshipLevel::Accountable => "Accountable",
            RelationshipLevel::Proactive => "Proactive",
            RelationshipLevel::Partnership => "Partnership",
        }
    }
}

/// The lifecycle strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// Develop one-time buyers into a second purchase (was "Acquire": existing customers are
    /// never acquired).
    #[serde(alias = "Acquire")]
    Convert,
    /// Develop (cross-sell, up-sell).
    Develop,
    /// Retain.
    Retain,
    /// Win back.
    WinBack,
    /// Let go: lapsed and of low value; spend nothing beyond the cheapest reminder.
    LetGo,
}

impl Strategy {
    /// Plain name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Convert => "Develop (convert to a second purchase)",
            Strategy::Develop => "Develop",
            Strategy::Retain => "Retain",
            Strategy::WinBack => "Win back",
            Strategy::LetGo => "Let go",
        }
    }
}

/// A marketing lever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lever {
    /// Price.
    Price,
    /// Service quality programmes.
    ServiceQuality,
    /// Direct marketing promotions.
    DirectPromotions,
    /// Relationship marketing.
    RelationshipMarketing,
    /// Advertising.
    Advertising,
    /// Distribution channels.
    Channels,
}

/// Figures of one segment (the inputs of the rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentFigures {
    /// Segment name.
    pub segment: String,
    /// Customers in the segment.
    pub customers: u64,
    /// Revenue (or value) of the segment.
    pub revenue: f64,
    /// Mean days since last purchase.
    pub mean_recency_days: f64,
    /// Mean purchase occasions.
    pub mean_occasions: f64,
    /// Mean P(alive), when a model gave it.
    #[serde(default)]
    pub mean_p_alive: Option<f64>,
    /// Mean CLV, when a model gave it.
    #[serde(default)]
    pub mean_clv: Option<f64>,
}

impl SegmentFigures {
    /// Mostly one-time buyers: mean purchase occasions below 1.5.
    pub fn mostly_one_time_buyers(&self) -> bool {
        self.mean_occasions < 1.5
    }
}

/// The suggestion for one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Segment name.
    pub segment: String,
    /// Relationship level.
    pub level: RelationshipLevel,
    /// Strategy.
    pub strategy: Strategy,
    /// Levers, most important first.
    pub levers: Vec<Lever>,
    /// Share of customers.
    pub customer_share: f64,
    /// Share of revenue.
    pub revenue_share: f64,
    /// Revenue share / customer share.
    pub value_index: f64,
    /// Whether the segment counts as lapsed.
    pub lapsed: bool,
    /// The figures behind the choice, in words.
    pub reasons: Vec<String>,
}

/// Applies the rules (see the module docs) to every segment.
pub fn suggest(segments: &[SegmentFigures]) -> Vec<Suggestion> {
    let total_c: u64 = segments.iter().map(|s| s.customers).sum();
    let total_r: f64 = segments.iter().map(|s| s.revenue).sum();
    let overall_recency = if total_c > 0 {
        segments
            .iter()
            .map(|s| s.mean_recency_days * s.customers as f64)
            .sum::<f64>()
            / total_c as f64
    } else {
        0.0
    };
    segments
        .iter()
        .map(|s| {
            let cs = if total_c > 0 {
                s.customers as f64 / total_c as f64
            } else {
                0.0
            };
            let rs = if total_r != 0.0 {
                s.revenue / total_r
            } else {
                0.0
            };
            let vi = if cs > 0.0 { rs / cs } else { 0.0 };
            let mut reasons = vec![format!(
                "{} customers ({:.1}% of customers), {:.1}% of revenue: value index {:.2}",
                s.customers,
                100.0 * cs,
                100.0 * rs,
                vi
            )];
            reasons.push(format!(
                "mean recency {:.0} days (all customers {:.0}); mean occasions {:.2}",
                s.mean_recency_days, overall_recency, s.mean_occasions
            ));
            let late = s.mean_recency_days > 1.5 * overall_recency;
            let lapsed = match s.mean_p_alive {
                Some(p) if s.mostly_one_time_buyers() => {
                    reasons.push(format!(
                        "mean P(alive) {p:.2}, not used: mostly one-time buyers, whom BG/NBD counts as alive; lapsed when the mean recency is over 1.5 × the overall mean"
                    ));
                    p < 0.5 || late
                }
                Some(p) => {
                    reasons.push(format!("mean P(alive) {p:.2} (lapsed below 0.50)"));
                    p < 0.5
                }
                None => late,
            };
            if let Some(c) = s.mean_clv {
                reasons.push(format!("mean CLV {c:.2}"));
            }
            use Lever::*;
            let (strategy, level, levers) = if lapsed {
                if vi >= 1.0 {
                    (
                        Strategy::WinBack,
                        RelationshipLevel::Proactive,
                        vec![RelationshipMarketing, DirectPromotions, ServiceQuality],
                    )
                } else {
                    (
                        Strategy::LetGo,
                        RelationshipLevel::Basic,
                        vec![DirectPromotions],
                    )
                }
            } else if s.mostly_one_time_buyers() {
                (
                    Strategy::Convert,
                    RelationshipLevel::Reactive,
                    vec![DirectPromotions, ServiceQuality, Price],
                )
            } else if vi >= 1.5 {
                (
                    Strategy::Retain,
                    if vi >= 3.0 {
                        RelationshipLevel::Partnership
                    } else {
                        RelationshipLevel::Proactive
                    },
                    vec![RelationshipMarketing, ServiceQuality],
                )
            } else if vi >= 0.75 {
                (
                    Strategy::Develop,
                    RelationshipLevel::Accountable,
                    vec![DirectPromotions, RelationshipMarketing, Channels],
                )
            } else {
                (
                    Strategy::Develop,
                    RelationshipLevel::Basic,
                    vec![Price, DirectPromotions, Channels],
                )
            };
            Suggestion {
                segment: s.segment.clone(),
                level,
                strategy,
                levers,
                customer_share: cs,
                revenue_share: rs,
                value_index: vi,
                lapsed,
                reasons,
            }
        })
        .collect()
}

/// Builds the figures of every segment from RFM scores and one segment label per score
/// (same order). Revenue is the total spend (monetary × frequency when monetary is the mean).
/// `p_alive` and `clv` (customer id → value) are averaged over the customers found in them.
/// Segments are listed in order of first appearance.
pub fn segment_figures(
    rfm: &super::rfm::RfmResult,
    labels: &[String],
    p_alive: Option<&std::collections::HashMap<String, f64>>,
    clv: Option<&std::collections::HashMap<String, f64>>,
) -> Vec<SegmentFigures> {
    #[derive(Default)]
    struct Acc {
        n: u64,
        revenue: f64,
        recency: f64,
        occasions: f64,
        pa: (u64, f64),
        clv: (u64, f64),
    }
    let mut order: Vec<&str> = Vec::new();
    let mut acc: std::collections::HashMap<&str, Acc> = std::collections::HashMap::new();
    for (s, label) in rfm.scores.iter().zip(labels) {
        if !acc.contains_key(label.as_str()) {
            order.push(label.as_str());
        }
        let a = acc.entry(label.as_str()).or_default();
        a.n += 1;
        a.revenue += match rfm.monetary_kind {
            super::rfm::MonetaryKind::Total => s.monetary,
            super::rfm::MonetaryKind::Mean => s.monetary * f64::from(s.frequency),
        };
        a.recency += s.recency_days;
        a.occasions += f64::from(s.frequency);
        if let Some(v) = p_alive.and_then(|m| m.get(&s.id)) {
            a.pa.0 += 1;
            a.pa.1 += v;
        }
        if let Some(v) = clv.and_then(|m| m.get(&s.id)) {
            a.clv.0 += 1;
            a.clv.1 += v;
        }
    }
    order
        .into_iter()
        .filter_map(|name| {
            let a = acc.get(name)?;
            let n = a.n.max(1) as f64;
            Some(SegmentFigures {
                segment: name.to_string(),
                customers: a.n,
                revenue: a.revenue,
                mean_recency_days: a.recency / n,
                mean_occasions: a.occasions / n,
                mean_p_alive: (a.pa.0 > 0).then(|| a.pa.1 / a.pa.0 as f64),
                mean_clv: (a.clv.0 > 0).then(|| a.clv.1 / a.clv.0 as f64),
            })
        })
        .collect()
}

/// [`segment_figures`] for segments given as an index per score into `names` (same order as
/// the scores), with P(alive) and CLV as vectors aligned with the scores (ignored when their
/// length differs). Segments are listed in the order of `names`; empty ones are left out.
pub fn segment_figures_indexed(
    rfm: &super::rfm::RfmResult,
    segment_of: &[u16],
    names: &[String],
    p_alive: Option<&[f64]>,
    clv: Option<&[f64]>,
) -> Vec<SegmentFigures> {
    let n = rfm.scores.len();
    let p_alive = p_alive.filter(|v| v.len() == n);
    let clv = clv.filter(|v| v.len() == n);
    let k = names.len();
    let (mut count, mut revenue, mut recency, mut occasions) =
        (vec![0u64; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let (mut pa, mut cv) = (vec![0.0; k], vec![0.0; k]);
    for (i, (s, &g)) in rfm.scores.iter().zip(segment_of).enumerate() {
        let g = usize::from(g);
        if g >= k {
            continue;
        }
        count[g] += 1;
        revenue[g] += match rfm.monetary_kind {
            super::rfm::MonetaryKind::Total => s.monetary,
            super::rfm::MonetaryKind::Mean => s.monetary * f64::from(s.frequency),
        };
        recency[g] += s.recency_days;
        occasions[g] += f64::from(s.frequency);
        pa[g] += p_alive.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
        cv[g] += clv.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
    }
    names
        .iter()
        .enumerate()
        .filter(|(g, _)| count[*g] > 0)
        .map(|(g, name)| {
            let c = count[g] as f64;
            SegmentFigures {
                segment: name.clone(),
                customers: count[g],
                revenue: revenue[g],
                mean_recency_days: recency[g] / c,
                mean_occasions: occasions[g] / c,
                mean_p_alive: p_alive.map(|_| pa[g] / c),
                mean_clv: clv.map(|_| cv[g] / c),
            }
        })
        .collect()
}
