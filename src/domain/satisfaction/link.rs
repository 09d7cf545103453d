//! Survey respondents joined to customers by id, and satisfaction against customer outcomes
//! (P(alive), repeat purchases, spend, CLV): group means by satisfaction class and
//! correlations. Inputs are plain maps, so this does not depend on the CLV models.

use super::caution;
use super::csat::Question;
use super::nps::NpsCategory;
use super::stats::{pearson, spearman};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How respondents matched customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchReport {
    /// Distinct respondent ids.
    pub respondents: u64,
    /// Of those, ids found among the customers.
    pub matched: u64,
    /// matched / respondents.
    pub match_rate: f64,
    /// Up to 20 unmatched ids, for the report.
    pub unmatched_examples: Vec<String>,
}

/// Matches respondent ids to customer ids (exact text match after trimming).
pub fn match_respondents(respondent_ids: &[String], customer_ids: &[String]) -> MatchReport {
    let customers: HashSet<&str> = customer_ids.iter().map(|s| s.trim()).collect();
    let mut seen = HashSet::new();
    let mut matched = 0u64;
    let mut unmatched = Vec::new();
    for r in respondent_ids {
        let r = r.trim();
        if !seen.insert(r) {
            continue;
        }
        if customers.contains(r) {
            matched += 1;
        } else if unmatched.len() < 20 {
            unmatched.push(r.to_string());
        }
    }
    let n = seen.len() as u64;
    MatchReport {
        respondents: n,
        matched,
        match_rate: if n > 0 {
            matched as f64 / n as f64
        } else {
            0.0
        },
        unmatched_examples: unmatched,
    }
}

/// How satisfaction scores are put in classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Classing {
    /// NPS categories (0–10).
    Nps,
    /// Bottom 2 boxes "Dissatisfied", top 2 "Satisfied", the rest "Neutral" on the question's scale.
    TopBottom(Question),
}

impl Classing {
    /// The class of a score (None when off the scale).
    pub fn class(&self, v: f64) -> Option<&'static str> {
        match self {
            Classing::Nps => NpsCategory::of(v).map(NpsCategory::name),
            Classing::TopBottom(q) => {
                if !q.valid(v) {
                    None
                } else if q.in_top(v, 2) {
                    Some("Satisfied")
                } else if q.in_bottom(v, 2) {
                    Some("Dissatisfied")
                } else {
                    Some("Neutral")
                }
            }
        }
    }
}

/// Mean outcome of one satisfaction class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMean {
    /// Class name.
    pub class: String,
    /// Customers.
    pub n: u64,
    /// Mean outcome.
    pub mean: f64,
}

/// Satisfaction against one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeLink {
    /// Outcome name (e.g. "P(alive)").
    pub outcome: String,
    /// Customers with both values.
    pub n: u64,
    /// Means per class (in class order: worst first).
    pub by_class: Vec<ClassMean>,
    /// Pearson r.
    pub pearson: Option<f64>,
    /// Spearman ρ.
    pub spearman: Option<f64>,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// Links satisfaction (id → score) with each named outcome (id → value).
pub fn link_outcomes(
    satisfaction: &HashMap<String, f64>,
    outcomes: &[(String, HashMap<String, f64>)],
    classing: &Classing,
) -> Vec<OutcomeLink> {
    let order: &[&str] = match classing {
        Classing::Nps => &["Detractor", "Passive", "Promoter"],
        Classing::TopBottom(_) => &["Dissatisfied", "Neutral", "Satisfied"],
    };
    let mut ids: Vec<&String> = satisfaction.keys().collect();
    ids.sort();
    outcomes
        .iter()
        .map(|(name, values)| {
            let mut x = Vec::new();
            let mut y = Vec::new();
            let mut groups: HashMap<&str, (u64, f64)> = HashMap::new();
            for id in &ids {
                let (Some(&s), Some(&o)) = (satisfaction.get(*id), values.get(*id)) else {
                    continue;
                };
                if !s.is_finite() || !o.is_finite() {
                    continue;
                }
                x.push(s);
                y.push(o);
                if let Some(c) = classing.class(s) {
                    let e = groups.entry(c).or_insert((0, 0.0));
                    e.0 += 1;
                    e.1 += o;
                }
            }
            let by_class = order
                .iter()
                .filter_map(|c| {
                    groups.get(c).map(|&(n, s)| ClassMean {
                        class: (*c).to_string(),
                        n,
                        mean: s / n as f64,
                    })
                })
                .collect();
            let n = y.len() as u64;
            let (too_few, caution) = caution(n);
            OutcomeLink {
                outcome: name.clone(),
                n,
                by_class,
                pearson: pearson(&x, &y),
                spearman: spearman(&x, &y),
                too_few,
                caution,
            }
        })
        .collect()
}
