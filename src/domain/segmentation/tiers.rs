//! Value tiers: the customer pyramid (Zeithaml, Rust & Lemon 2001: Platinum top 5%, Gold next
//! 15%, Iron next 30%, Lead bottom 50%) and Heavy / Medium / Light (top 20% / next 30% /
//! bottom 50%), by CLV or historical value. The shares are data ([`TierScheme`]).
//!
//! Customers are ranked by value, highest first, ties by id ([`natural_id_cmp`]). The customer
//! at 0-based rank `i` of `N` falls in the first tier whose cumulative share reaches
//! `(i + 1) / N`. Customers with equal values all take the tier of the best-ranked of them, so
//! ties never split across tiers.

use crate::domain::customers::natural_id_cmp;
use serde::{Deserialize, Serialize};

/// One tier and its share of customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierShare {
    /// Tier name.
    pub name: String,
    /// Share of customers (0..=1).
    pub share: f64,
}

/// Tiers from the top down; shares must sum to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierScheme {
    /// Scheme name.
    pub name: String,
    /// Tiers, most valuable first.
    pub tiers: Vec<TierShare>,
}

fn tier(name: &str, share: f64) -> TierShare {
    TierShare {
        name: name.into(),
        share,
    }
}

impl TierScheme {
    /// The customer pyramid: Platinum 5%, Gold 15%, Iron 30%, Lead 50%.
    pub fn pyramid() -> Self {
        TierScheme {
            name: "Customer pyramid".into(),
            tiers: vec![
                tier("Platinum", 0.05),
                tier("Gold", 0.15),
                tier("Iron", 0.30),
                tier("Lead", 0.50),
            ],
        }
    }

    /// Heavy 20%, Medium 30%, Light 50%.
    pub fn heavy_medium_light() -> Self {
        TierScheme {
            name: "Heavy / Medium / Light".into(),
            tiers: vec![
                tier("Heavy", 0.20),
                tier("Medium", 0.30),
                tier("Light", 0.50),
            ],
        }
    }

    /// Validates the shares.
    ///
    /// # Errors
    /// [`TierError::Shares`] when there is no tier, a share is not in (0, 1], or they do not
    /// sum to 1 (± 1e-6).
    pub fn check(&self) -> Result<(), TierError> {
        let sum: f64 = self.tiers.iter().map(|t| t.share).sum();
        if self.tiers.is_empty()
            || self
                .tiers
                .iter()
                .any(|t| !(t.share > 0.0 && t.share <= 1.0))
            || (sum - 1.0).abs() > 1e-6
        {
            return Err(TierError::Shares(
                self.tiers.iter().map(|t| t.share).collect(),
            ));
        }
        Ok(())
    }

    /// Assigns tiers to (id, value) pairs.
    ///
    /// # Errors
    /// [`TierError::Shares`], [`TierError::NoCustomers`] or [`TierError::NotFinite`].
    pub fn assign(&self, customers: &[(String, f64)]) -> Result<TierResult, TierError> {
        self.check()?;
        if customers.is_empty() {
            return Err(TierError::NoCustomers);
        }
        if let Some((id, _)) = customers.iter().find(|(_, v)| !v.is_finite()) {
            return Err(TierError::NotFinite(id.clone()));
        }
        let n = customers.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            let (ia, va) = &customers[a];
            let (ib, vb) = &customers[b];
            vb.total_cmp(va).then_with(|| natural_id_cmp(ia, ib))
        });
        let mut cum = Vec::with_capacity(self.tiers.len());
        let mut acc = 0.0;
        for t in &self.tiers {
            acc += t.share;
            cum.push(acc);
        }
        let mut tier_of = vec![0usize; n];
        let mut prev: Option<(f64, usize)> = None;
        for (rank, &i) in order.iter().enumerate() {
            let v = customers[i].1;
            let pos = (rank + 1) as f64 / n as f64;
            let t = match prev {
                Some((pv, pt)) if pv == v => pt,
                _ => cum
                    .iter()
                    .position(|&c| pos <= c + 1e-9)
                    .unwrap_or(self.tiers.len() - 1),
            };
            tier_of[i] = t;
            prev = Some((v, t));
        }
        let mut ranks = vec![0u64; n];
        for (rank, &i) in order.iter().enumerate() {
            ranks[i] = rank as u64 + 1;
        }
        let assignments: Vec<TierAssignment> = customers
            .iter()
            .enumerate()
            .map(|(i, (id, v))| TierAssignment {
                id: id.clone(),
                value: *v,
                rank: ranks[i],
                tier: self.tiers[tier_of[i]].name.clone(),
            })
            .collect();
        let values: Vec<f64> = customers.iter().map(|(_, v)| *v).collect();
        let summary = self.summarize(&values, &tier_of);
        Ok(TierResult {
            scheme: self.clone(),
            assignments,
            summary,
        })
    }

    /// Tier per customer (an index into `tiers`, input order) and the summary per tier, for
    /// values alone: the same tiers as [`TierScheme::assign`] (a tie's tier never depends on
    /// the id order) without ids, ranks or a sort. The tier of a value depends only on how many
    /// values exceed it, so a few order statistics (`select_nth_unstable`) decide every tier.
    /// `id_of` names a customer in an error.
    ///
    /// # Errors
    /// [`TierError::Shares`], [`TierError::NoCustomers`] or [`TierError::NotFinite`].
    pub fn assign_values(
        &self,
        values: &[f64],
        id_of: impl Fn(usize) -> String,
    ) -> Result<TierIndex, TierError> {
        self.check()?;
        if values.is_empty() {
            return Err(TierError::NoCustomers);
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(TierError::NotFinite(id_of(i)));
        }
        let n = values.len();
        // A customer with g values above its own sits at position (g + 1) / n; it is in tier t
        // or better when that position is within the cumulative share of t, i.e. when
        // g <= floor(n · (cum + 1e-9)) − 1, i.e. when its value is at least the value at
        // 0-based rank g of the values sorted in descending order.
        let mut desc = values.to_vec();
        let mut acc = 0.0;
        let mut thresholds: Vec<Option<f64>> = Vec::with_capacity(self.tiers.len());
        for t in &self.tiers {
            acc += t.share;
            let g = (n as f64 * (acc + 1e-9)).floor() as i64 - 1;
            thresholds.push(if g < 0 {
                None // no customer reaches this tier's cumulative share
            } else if g as usize >= n {
                Some(f64::NEG_INFINITY)
            } else {
                let (_, v, _) = desc.select_nth_unstable_by(g as usize, |a, b| b.total_cmp(a));
                Some(*v)
            });
        }
        let last = self.tiers.len() - 1;
        let tier_of: Vec<u8> = values
            .iter()
            .map(|&v| {
                thresholds
                    .iter()
                    .position(|th| th.is_some_and(|th| v >= th))
                    .unwrap_or(last) as u8
            })
            .collect();
        let as_usize: Vec<usize> = tier_of.iter().map(|&t| usize::from(t)).collect();
        Ok(TierIndex {
            summary: self.summarize(values, &as_usize),
            tier_of,
        })
    }

    fn summarize(&self, values: &[f64], tier_of: &[usize]) -> Vec<TierSummary> {
        let n = values.len();
        let total: f64 = values.iter().sum();
        let k = self.tiers.len();
        let mut count = vec![0u64; k];
        let mut sum = vec![0.0; k];
        let mut lo: Vec<Option<f64>> = vec![None; k];
        let mut hi: Vec<Option<f64>> = vec![None; k];
        for (&v, &t) in values.iter().zip(tier_of) {
            if t < k {
                count[t] += 1;
                sum[t] += v;
                lo[t] = Some(lo[t].map_or(v, |x: f64| x.min(v)));
                hi[t] = Some(hi[t].map_or(v, |x: f64| x.max(v)));
            }
        }
        self.tiers
            .iter()
            .enumerate()
            .map(|(t, ts)| TierSummary {
                tier: ts.name.clone(),
                customers: count[t],
                customer_share: count[t] as f64 / n.max(1) as f64,
                value: sum[t],
                value_share: if total != 0.0 { sum[t] / total } else { 0.0 },
                min_value: lo[t],
                max_value: hi[t],
            })
            .collect()
    }
}

/// Tiers per customer without ids (see [`TierScheme::assign_values`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TierIndex {
    /// Tier of each customer (index into the scheme's tiers), input order.
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub tier_of: Vec<u8>,
    /// One per tier, top first.
    pub summary: Vec<TierSummary>,
}

/// Why tiers could not be assigned.
#[derive(Debug, Clone, PartialEq)]
pub enum TierError {
    /// Shares are empty, out of (0, 1], or do not sum to 1.
    Shares(Vec<f64>),
    /// No customers.
    NoCustomers,
    /// A customer's value is not finite (the id).
    NotFinite(String),
}

impl std::fmt::Display for TierError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TierError::Shares(s) => {
                write!(
                    f,
                    "tier shares: expected values in (0, 1] summing to 1, found {s:?}"
                )
            }
            TierError::NoCustomers => write!(f, "there are no customers to tier"),
            TierError::NotFinite(id) => write!(f, "customer {id:?}: value is not a finite number"),
        }
    }
}

impl std::error::Error for TierError {}

/// One customer's tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierAssignment {
    /// Customer id.
    pub id: String,
    /// Value used (CLV or historical).
    pub value: f64,
    /// Rank, 1 = most valuable.
    pub rank: u64,
    /// Tier name.
    pub tier: String,
}

/// Size and value of one tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSummary {
    /// Tier name.
    pub tier: String,
    /// Customers in the tier.
    pub customers: u64,
    /// Share of customers.
    pub customer_share: f64,
    /// Total value.
    pub value: f64,
    /// Share of total value.
    pub value_share: f64,
    /// Lowest value in the tier.
    pub min_value: Option<f64>,
    /// Highest value in the tier.
    pub max_value: Option<f64>,
}

/// Tiers per customer (input order) and per tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierResult {
    /// The scheme used.
    pub scheme: TierScheme,
    /// One per customer, input order.
    pub assignments: Vec<TierAssignment>,
    /// One per tier, top first.
    pub summary: Vec<TierSummary>,
}
