//! RFM scores: recency, frequency and monetary value, each scored 1..=n.
//!
//! * **Recency** is the number of days from the analysis date (default: the day after the last
//!   purchase date in the data) to the customer's last purchase. Lower is better, so its score
//!   is reversed: the most recent customers get the highest R score. When a record has no
//!   `last` date, its recency is `(t - t_x)` converted to days with the summary's time unit.
//! * **Frequency** is the number of distinct purchase occasions, first included.
//! * **Monetary** is the total spend, or the mean spend per occasion ([`MonetaryKind`]).
//!
//! # Binning and ties
//! Customers are ranked by value, then by id ([`natural_id_cmp`](crate::domain::customers::natural_id_cmp)), so the ranking is fully
//! deterministic. With `n` quantile bins over `N` customers the cut point `j` (1..n) is the value
//! at rank `ceil(j·N/n) − 1` (0-based) of that ranking. A value is scored
//! `1 + (number of cut points strictly below it)`: a value equal to a cut point goes to the
//! lower bin, so **equal values always get the same score** and ties never split. For recency
//! the bin found on days is reversed (`R = n + 1 − bin`), so a recency equal to a cut point
//! takes the better (higher) R score. When many customers share a value (most customers buying
//! once), several cut points coincide and the dimension uses fewer than `n` bins: this is
//! reported as a warning, and the cut points are always reported.

use crate::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How the monetary dimension is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MonetaryKind {
    /// Total spend over all occasions (first included).
    #[default]
    Total,
    /// Mean spend per occasion (total / occasions).
    Mean,
}

impl MonetaryKind {
    /// Plain name ("total" or "mean").
    pub fn name(self) -> &'static str {
        match self {
            MonetaryKind::Total => "total",
            MonetaryKind::Mean => "mean",
        }
    }
}

/// Cut points per dimension, in the dimension's own unit (days, occasions, money), ascending.
/// `k` cut points make `k + 1` bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RfmCutPoints {
    /// Recency cut points in days.
    pub recency: Vec<f64>,
    /// Frequency cut points in occasions.
    pub frequency: Vec<f64>,
    /// Monetary cut points in money.
    pub monetary: Vec<f64>,
}

/// Settings of an RFM scoring (unchecked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmParams {
    /// Number of quantile bins per dimension (2..=10, default 5 quintiles).
    #[serde(default = "default_bins")]
    pub bins: u32,
    /// Total or mean spend.
    #[serde(default)]
    pub monetary: MonetaryKind,
    /// Analysis date; default the day after the last purchase date in the data.
    #[serde(default)]
    pub analysis_date: Option<NaiveDate>,
    /// User cut points; when given they replace the quantile cut points (and `bins`).
    #[serde(default)]
    pub cut_points: Option<RfmCutPoints>,
}

fn default_bins() -> u32 {
    5
}

impl Default for RfmParams {
    fn default() -> Self {
        RfmParams {
            bins: 5,
            monetary: MonetaryKind::Total,
            analysis_date: None,
            cut_points: None,
        }
    }
}

/// Why RFM scoring could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum RfmError {
    /// `bins` outside 2..=10.
    Bins(u32),
    /// A user cut-point list is not finite and strictly ascending, or makes more than 10 bins.
    CutPoints {
        /// "recency", "frequency" or "monetary".
        dimension: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// There are no customers to score.
    NoCustomers,
    /// A customer's value is not a finite number.
    NotFinite {
        /// The customer id.
        id: String,
        /// "recency", "frequency" or "monetary".
        dimension: &'static str,
    },
}

impl std::fmt::Display for RfmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RfmError::Bins(b) => write!(f, "bins: expected 2 to 10, found {b}"),
            RfmError::CutPoints { dimension, reason } => {
                write!(f, "cut points for {dimension}: {reason}")
            }
            RfmError::NoCustomers => write!(f, "there are no customers to score"),
            RfmError::NotFinite { id, dimension } => {
                write!(f, "customer {id:?}: {dimension} is not a finite number")
            }
        }
    }
}

impl std::error::Error for RfmError {}

/// Checked RFM settings, ready to [`fit`](ValidRfmParams::fit).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRfmParams(RfmParams);

impl RfmParams {
    /// Validates the settings.
    ///
    /// # Errors
    /// [`RfmError::Bins`] or [`RfmError::CutPoints`].
    pub fn check(&self) -> Result<ValidRfmParams, RfmError> {
        if let Some(c) = &self.cut_points {
            for (dimension, v) in [
                ("recency", &c.recency),
                ("frequency", &c.frequency),
                ("monetary", &c.monetary),
            ] {
                if v.is_empty() || v.len() > 9 {
                    return Err(RfmError::CutPoints {
                        dimension,
                        reason: format!("expected 1 to 9 cut points, found {}", v.len()),
                    });
                }
                if v.iter().any(|x| !x.is_finite()) || v.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(RfmError::CutPoints {
                        dimension,
                        reason: format!("expected finite, strictly ascending values, found {v:?}"),
                    });
                }
            }
        } else if !(2..=10).contains(&self.bins) {
            return Err(RfmError::Bins(self.bins));
        }
        Ok(ValidRfmParams(self.clone()))
    }

    /// Checks and scores in one call.
    ///
    /// # Errors
    /// See [`RfmParams::check`] and [`ValidRfmParams::fit`].
    pub fn fit(&self, summary: &CustomerSummary) -> Result<RfmResult, RfmError> {
        self.check()?.fit(summary)
    }
}

/// One customer's RFM values and scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmScore {
    /// Customer id.
    pub id: String,
    /// Days since the last purchase, from the analysis date.
    pub recency_days: f64,
    /// Purchase occasions, first included.
    pub frequency: u32,
    /// Total or mean spend (see [`RfmResult::monetary_kind`]).
    pub monetary: f64,
    /// Recency score (highest = most recent).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
}

impl RfmScore {
    /// (F + M) / 2, the second axis of the R vs FM maps.
    pub fn fm_avg(&self) -> f64 {
        (f64::from(self.f) + f64::from(self.m)) / 2.0
    }

    /// The three digits as one code, e.g. "545".
    pub fn code(&self) -> String {
        format!("{}{}{}", self.r, self.f, self.m)
    }
}

/// The result of RFM scoring: scores per customer, the cut points and any warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmResult {
    /// Number of bins requested per dimension (the top score).
    pub bins: u32,
    /// Whether monetary is the total or the mean spend.
    pub monetary_kind: MonetaryKind,
    /// Analysis date used for recency (None when no record had a last purchase date).
    pub analysis_date: Option<NaiveDate>,
    /// Cut points used (quantiles or the user's).
    pub cut_points: RfmCutPoints,
    /// Distinct scores actually used per dimension: [R, F, M].
    pub bins_used: [u32; 3],
    /// Plain-language warnings (collapsed dimensions, missing dates).
    pub warnings: Vec<String>,
    /// One score per customer, in input order.
    #[serde(with = "score_columns")]
    pub scores: Vec<RfmScore>,
}

/// Scores as a list of objects in human-readable formats (JSON), as packed columns in binary
/// ones (bincode: the worker's wire format and the results cache), so the page decodes a
/// million customers' scores with a few block copies (one by one they blocked it for some
/// 200 ms). Ids travel only when one is not empty (the worker leaves them empty: the summary's
/// customer at the same position is the one scored).
mod score_columns {
    use super::RfmScore;
    use crate::domain::customers::wire::{packed, strings};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize, Default)]
    struct Columns {
        #[serde(with = "strings")]
        ids: Vec<String>,
        #[serde(with = "packed")]
        recency_days: Vec<f64>,
        #[serde(with = "packed")]
        frequency: Vec<u32>,
        #[serde(with = "packed")]
        monetary: Vec<f64>,
        /// R, F and M of each customer in turn.
        #[serde(with = "packed")]
        rfm: Vec<u8>,
    }

    pub fn serialize<S: Serializer>(v: &[RfmScore], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return v.serialize(s);
        }
        let mut c = Columns {
            ids: if v.iter().all(|x| x.id.is_empty()) {
                Vec::new()
            } else {
                v.iter().map(|x| x.id.clone()).collect()
            },
            ..Columns::default()
        };
        c.rfm.reserve(3 * v.len());
        for x in v {
            c.recency_days.push(x.recency_days);
            c.frequency.push(x.frequency);
            c.monetary.push(x.monetary);
            c.rfm.extend([x.r, x.f, x.m]);
        }
        c.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RfmScore>, D::Error> {
        if d.is_human_readable() {
            return Vec::<RfmScore>::deserialize(d);
        }
        let mut c = Columns::deserialize(d)?;
        let n = c.recency_days.len();
        if c.frequency.len() != n
            || c.monetary.len() != n
            || c.rfm.len() != 3 * n
            || !(c.ids.is_empty() || c.ids.len() == n)
        {
            return Err(serde::de::Error::custom(
                "RFM score columns of different lengths",
            ));
        }
        let mut ids = std::mem::take(&mut c.ids).into_iter();
        Ok((0..n)
            .map(|i| RfmScore {
                id: ids.next().unwrap_or_default(),
                recency_days: c.recency_days[i],
                frequency: c.frequency[i],
                monetary: c.monetary[i],
                r: c.rfm[3 * i],
                f: c.rfm[3 * i + 1],
                m: c.rfm[3 * i + 2],
            })
            .collect())
    }
}

impl ValidRfmParams {
    /// Scores every customer of the summary.
    ///
    /// # Errors
    /// [`RfmError::NoCustomers`] or [`RfmError::NotFinite`].
    pub fn fit(&self, summary: &CustomerSummary) -> Result<RfmResult, RfmError> {
        self.fit_records(&summary.customers, summary.time_unit)
    }

    /// Scores records whose `t` and `t_x` are in `time_unit`.
    ///
    /// # Errors
    /// [`RfmError::NoCustomers`] or [`RfmError::NotFinite`].
    pub fn fit_records(
        &self,
        records: &[CustomerRecord],
        time_unit: TimeUnit,
    ) -> Result<RfmResult, RfmError> {
        let p = &self.0;
        if records.is_empty() {
            return Err(RfmError::NoCustomers);
        }
        let mut warnings = Vec::new();
        let analysis_date = p.analysis_date.or_else(|| {
            records
                .iter()
                .filter_map(|r| r.last)
                .max()
                .and_then(|d| d.succ_opt())
        });
        let missing_last = records.iter().filter(|r| r.last.is_none()).count();
        if missing_last > 0 {
            warnings.push(format!(
                "{missing_last} customer(s) have no last purchase date: their recency is T − t_x \
                 converted from {}s to days",
                time_unit.name()
            ));
        }
        let n = records.len();
        let mut rec = Vec::with_capacity(n);
        let mut freq = Vec::with_capacity(n);
        let mut mon = Vec::with_capacity(n);
        for r in records {
            let recency = match (r.last, analysis_date) {
                (Some(last), Some(a)) => (a - last).num_days() as f64,
                _ => (r.t - r.t_x) * time_unit.days(),
            };
            let occasions = if r.occasions > 0 {
                r.occasions
            } else if r.x.is_finite() && r.x >= 0.0 {
                (r.x as u32).saturating_add(1)
            } else {
                1
            };
            let monetary = match p.monetary {
                MonetaryKind::Total => r.total_spend,
                MonetaryKind::Mean => r.total_spend / f64::from(occasions.max(1)),
            };
            if !recency.is_finite() {
                return Err(RfmError::NotFinite {
                    id: r.id.clone(),
                    dimension: "recency",
                });
            }
            if !monetary.is_finite() {
                return Err(RfmError::NotFinite {
                    id: r.id.clone(),
                    dimension: "monetary",
                });
            }
            rec.push(recency);
            freq.push(f64::from(occasions));
            mon.push(monetary);
        }
        let (cuts, bins) = match &p.cut_points {
            Some(c) => {
                let b = (c.recency.len().max(c.frequency.len()).max(c.monetary.len()) + 1) as u32;
                (c.clone(), b)
            }
            None => (
                RfmCutPoints {
                    recency: quantile_cuts(&rec, p.bins),
                    frequency: quantile_cuts(&freq, p.bins),
                    monetary: quantile_cuts(&mon, p.bins),
                },
                p.bins,
            ),
        };
        let rb: Vec<u8> = rec
            .iter()
            .map(|&v| {
                let raw = bin_of(v, &cuts.recency);
                (cuts.recency.len() as u8 + 2).saturating_sub(raw)
            })
            .collect();
        let fb: Vec<u8> = freq.iter().map(|&v| bin_of(v, &cuts.frequency)).collect();
        let mb: Vec<u8> = mon.iter().map(|&v| bin_of(v, &cuts.monetary)).collect();
        let bins_used = [distinct(&rb), distinct(&fb), distinct(&mb)];
        for (name, used, total) in [
            ("recency", bins_used[0], cuts.recency.len() + 1),
            ("frequency", bins_used[1], cuts.frequency.len() + 1),
            ("monetary", bins_used[2], cuts.monetary.len() + 1),
        ] {
            if (used as usize) < total {
                let mode = if name == "frequency" {
                    let once = freq.iter().filter(|&&f| f <= 1.0).count();
                    format!(
                        " ({:.0}% of customers bought once)",
                        100.0 * once as f64 / n as f64
                    )
                } else {
                    String::new()
                };
                warnings.push(format!(
                    "{name} collapsed to {used} of {total} bins: many customers share the same \
                     value{mode}"
                ));
            }
        }
        let scores = records
            .iter()
            .enumerate()
            .map(|(i, r)| RfmScore {
                id: r.id.clone(),
                recency_days: rec.get(i).copied().unwrap_or_default(),
                frequency: freq.get(i).map_or(1, |&f| f as u32),
                monetary: mon.get(i).copied().unwrap_or_default(),
                r: rb.get(i).copied().unwrap_or(1),
                f: fb.get(i).copied().unwrap_or(1),
                m: mb.get(i).copied().unwrap_or(1),
            })
            .collect();
        Ok(RfmResult {
            bins,
            monetary_kind: p.monetary,
            analysis_date,
            cut_points: cuts,
            bins_used,
            warnings,
            scores,
        })
    }
}

/// Quantile cut points: the value at rank `ceil(j·N/n) − 1` (0-based) of the values sorted
/// ascending, for j = 1..n. (The full ranking breaks ties by id, but tied values are equal, so
/// the cut points depend on the values alone and a plain sort of the values gives them.)
pub fn quantile_cuts(values: &[f64], bins: u32) -> Vec<f64> {
    let n = values.len();
    if n == 0 || bins < 2 {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    (1..bins as usize)
        .map(|j| {
            let rank = (j * n).div_ceil(bins as usize).saturating_sub(1);
            sorted.get(rank).copied().unwrap_or_default()
        })
        .collect()
}

/// Bin of a value: `1 + number of cut points strictly below it` (a value equal to a cut point
/// goes to the lower bin).
pub fn bin_of(value: f64, cuts: &[f64]) -> u8 {
    1 + cuts.partition_point(|&c| c < value) as u8
}

fn distinct(scores: &[u8]) -> u32 {
    let mut seen = [false; 256];
    for &s in scores {
        if let Some(x) = seen.get_mut(s as usize) {
            *x = true;
        }
    }
    seen.iter().filter(|&&b| b).count() as u32
}
