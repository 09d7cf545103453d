//! Satisfaction drivers and value at risk: Johnson's relative weights of the attribute
//! (performance) scores for overall satisfaction and for staying (P(alive) from the
//! lifetime-value fit, or repeat purchases when there is no fit), with seeded bootstrap
//! intervals; and the CLV held by detractors and by customers dissatisfied on each attribute
//! (performance below expectation by more than the tolerance), overall and by segment. Each
//! customer counts once, with their latest answer (by date when the survey is dated, else the
//! last row).

use crate::analysis::satisfaction::{Outcomes, Settings};
use crate::domain::satisfaction::relweights::{relative_weights, RelativeWeights};
use crate::io::import::survey::SurveyTable;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Bootstrap resamples for the intervals.
pub const RESAMPLES: u32 = 200;
/// Seed of the bootstrap.
pub const SEED: u64 = 2000;
/// Interval level.
pub const LEVEL: f64 = 0.9;

/// Relative weights for one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverTable {
    /// The outcome in words.
    pub outcome: String,
    /// Attribute names, in the weights' order.
    pub names: Vec<String>,
    /// The weights, R² and intervals.
    pub weights: RelativeWeights,
    /// Answers left out because a score or the outcome was missing.
    pub left_out: u64,
}

/// Value at risk of one group of customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRow {
    /// "All customers" or the segment.
    pub group: String,
    /// Respondents matched to a customer with a CLV.
    pub customers: u64,
    /// Their CLV.
    pub clv: f64,
    /// Detractors among them (NPS 0–6) and their CLV.
    pub detractors: (u64, f64),
    /// Per attribute: dissatisfied customers and their CLV.
    pub dissatisfied: Vec<(u64, f64)>,
}

/// The CLV held by unhappy customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueAtRisk {
    /// Attributes with an expectation column (the others are in `skipped`).
    pub attributes: Vec<String>,
    /// Attributes left out, with the reason.
    pub skipped: Vec<String>,
    /// First "All customers", then one row per segment (largest CLV first).
    pub rows: Vec<RiskRow>,
    /// Whether an NPS column was chosen.
    pub has_nps: bool,
    /// Respondents without a customer in the fit (left out).
    pub unmatched: u64,
}

/// Everything the drivers card shows (None: not possible, with the reason in `notes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Drivers {
    /// Weights for overall satisfaction.
    pub overall: Option<Result<DriverTable, String>>,
    /// Weights for staying.
    pub staying: Option<Result<DriverTable, String>>,
    /// CLV at risk.
    pub risk: Option<ValueAtRisk>,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

fn column<'a>(s: &'a SurveyTable, name: &str) -> Option<&'a [Option<f64>]> {
    s.items
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.values.as_slice())
}

fn table(
    s: &SurveyTable,
    st: &Settings,
    outcome: String,
    y: impl Fn(usize) -> Option<f64>,
    n: usize,
) -> Result<DriverTable, String> {
    let cols: Vec<&[Option<f64>]> = st
        .attributes
        .iter()
        .filter_map(|a| column(s, &a.perf))
        .collect();
    let names: Vec<String> = st
        .attributes
        .iter()
        .filter(|a| column(s, &a.perf).is_some())
        .map(|a| a.name.clone())
        .collect();
    let mut rows = Vec::new();
    let mut ys = Vec::new();
    for i in 0..n {
        let row: Option<Vec<f64>> = cols.iter().map(|c| c.get(i).copied().flatten()).collect();
        if let (Some(row), Some(v)) = (row, y(i).filter(|v| v.is_finite())) {
            rows.push(row);
            ys.push(v);
        }
    }
    let weights =
        relative_weights(&rows, &ys, &names, RESAMPLES, SEED, LEVEL).map_err(|e| e.to_string())?;
    Ok(DriverTable {
        outcome,
        names,
        left_out: (n - rows.len()) as u64,
        weights,
    })
}

/// The drivers and the value at risk of the survey `s` with the page's settings and outcomes.
pub fn drivers(s: &SurveyTable, st: &Settings, o: &Outcomes) -> Drivers {
    let n = s.items.first().map_or(0, |i| i.values.len());
    let mut out = Drivers::default();
    if st.attributes.is_empty() {
        out.notes
            .push("Driver analysis needs attribute performance columns (perf_X).".into());
        return out;
    }
    match st.overall.as_ref().and_then(|q| column(s, &q.name)) {
        Some(c) => {
            out.overall = Some(table(
                s,
                st,
                "overall satisfaction".into(),
                |i| c.get(i).copied().flatten(),
                n,
            ));
        }
        None => out
            .notes
            .push("No overall satisfaction column: its drivers are not shown.".into()),
    }
    let ids = s.ids.as_ref();
    let id_of = |i: usize| ids.and_then(|v| v.get(i));
    let staying: Option<(String, &HashMap<String, f64>)> = match &o.p_alive {
        Some(p) => Some(("staying (P(alive))".into(), p)),
        None => o
            .maps
            .iter()
            .find(|(name, _)| name.starts_with("Repeat purchase"))
            .map(|(name, m)| (format!("staying ({name}; no lifetime-value fit yet)"), m)),
    };
    match (ids, staying) {
        (Some(_), Some((label, m))) => {
            out.staying = Some(table(
                s,
                st,
                label,
                |i| id_of(i).and_then(|id| m.get(id)).copied(),
                n,
            ));
        }
        (None, _) => out.notes.push(
            "The survey has no customer id column: staying and value at risk need it.".into(),
        ),
        (_, None) => out
            .notes
            .push("No transaction log: staying and value at risk need one.".into()),
    }
    let clv = o
        .maps
        .iter()
        .find(|(name, _)| name == "CLV")
        .map(|(_, m)| m);
    match (ids, clv) {
        (Some(ids), Some(clv)) => out.risk = Some(value_at_risk(s, st, o, ids, clv)),
        (Some(_), None) => out
            .notes
            .push("Value at risk needs customer lifetime values: fit the default model on the Lifetime value page.".into()),
        _ => {}
    }
    out
}

fn value_at_risk(
    s: &SurveyTable,
    st: &Settings,
    o: &Outcomes,
    ids: &[String],
    clv: &HashMap<String, f64>,
) -> ValueAtRisk {
    // Each customer's latest answer.
    let mut latest: HashMap<&str, usize> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let date = |i: usize| s.dates.as_ref().and_then(|d| d.get(i).copied().flatten());
        latest
            .entry(id.as_str())
            .and_modify(|j| {
                if date(i) >= date(*j) {
                    *j = i;
                }
            })
            .or_insert(i);
    }
    let nps = st.nps.as_deref().and_then(|c| column(s, c));
    let mut attributes = Vec::new();
    let mut skipped = Vec::new();
    let mut pairs = Vec::new();
    for a in &st.attributes {
        match (
            a.exp.as_deref().and_then(|e| column(s, e)),
            column(s, &a.perf),
        ) {
            (Some(e), Some(p)) => {
                attributes.push(a.name.clone());
                pairs.push((e, p));
            }
            _ => skipped.push(format!("{} (no expectation column)", a.name)),
        }
    }
    let blank = |name: String| RiskRow {
        group: name,
        customers: 0,
        clv: 0.0,
        detractors: (0, 0.0),
        dissatisfied: vec![(0, 0.0); pairs.len()],
    };
    let mut all = blank("All customers".into());
    let mut by: BTreeMap<String, RiskRow> = BTreeMap::new();
    let mut unmatched = 0;
    let mut order: Vec<(&&str, &usize)> = latest.iter().collect();
    order.sort();
    for (id, &i) in order {
        let Some(&v) = clv.get(*id) else {
            unmatched += 1;
            continue;
        };
        let seg = o.segment.as_ref().and_then(|m| m.get(*id)).cloned();
        let detractor = nps
            .and_then(|c| c.get(i).copied().flatten())
            .is_some_and(|x| x <= 6.0);
        let unhappy: Vec<bool> = pairs
            .iter()
            .map(
                |(e, p)| match (e.get(i).copied().flatten(), p.get(i).copied().flatten()) {
                    (Some(e), Some(p)) => p - e < -st.tolerance,
                    _ => false,
                },
            )
            .collect();
        let add = |r: &mut RiskRow| {
            r.customers += 1;
            r.clv += v;
            if detractor {
                r.detractors.0 += 1;
                r.detractors.1 += v;
            }
            for (d, &u) in r.dissatisfied.iter_mut().zip(&unhappy) {
                if u {
                    d.0 += 1;
                    d.1 += v;
                }
            }
        };
        add(&mut all);
        if let Some(seg) = seg {
            add(by.entry(seg.clone()).or_insert_with(|| blank(seg)));
        }
    }
    let mut rows = vec![all];
    let mut segs: Vec<RiskRow> = by.into_values().collect();
    segs.sort_by(|a, b| b.clv.total_cmp(&a.clv));
    rows.extend(segs);
    ValueAtRisk {
        attributes,
        skipped,
        rows,
        has_nps: nps.is_some(),
        unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::satisfaction::{detect, Outcomes};
    use crate::io::import::survey::SurveyItem;

    fn survey() -> SurveyTable {
        // Four customers; c1 answers twice (the later, dated answer counts).
        let ids = ["c1", "c2", "c3", "c4", "c1"].map(String::from).to_vec();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let item = |name: &str, v: [f64; 5]| SurveyItem {
            name: name.into(),
            values: v.iter().map(|x| Some(*x)).collect(),
        };
        SurveyTable {
            ids: Some(ids),
            dates: Some(vec![
                d("2024-01-01"),
                d("2024-01-02"),
                d("2024-01-03"),
                d("2024-01-04"),
                d("2024-02-01"),
            ]),
            items: vec![
                item("nps", [9.0, 3.0, 8.0, 6.0, 5.0]),
                item("exp_speed", [5.0, 5.0, 4.0, 3.0, 5.0]),
                item("perf_speed", [5.0, 3.0, 4.0, 4.0, 4.0]),
            ],
            id_column: Some("id".into()),
            date_column: Some("date".into()),
            text_items: Vec::new(),
        }
    }

    #[test]
    fn value_at_risk_sums_the_clv_of_detractors_and_the_dissatisfied_by_hand() {
        let s = survey();
        let st = detect(&s, "t");
        assert_eq!(st.attributes.len(), 1, "{:?}", st.attributes);
        let mut o = Outcomes::default();
        let clv: HashMap<String, f64> = [("c1", 100.0), ("c2", 50.0), ("c3", 20.0), ("c4", 5.0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        o.maps.push(("CLV".into(), clv));
        o.segment = Some(
            [("c1", "A"), ("c2", "B"), ("c3", "A"), ("c4", "B")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let d = drivers(&s, &st, &o);
        let r = d.risk.unwrap();
        let all = &r.rows[0];
        // Latest answers: c1 (nps 5, speed 4 < 5), c2 (3, 3 < 5), c3 (8, 4 = 4), c4 (6, 4 > 3).
        assert_eq!(all.customers, 4);
        assert!((all.clv - 175.0).abs() < 1e-12);
        assert_eq!(all.detractors.0, 3);
        assert!((all.detractors.1 - 155.0).abs() < 1e-12);
        assert_eq!(all.dissatisfied[0].0, 2);
        assert!((all.dissatisfied[0].1 - 150.0).abs() < 1e-12);
        // Segment A (c1, c3): CLV 120, detractor c1 100; segment B (c2, c4): 55.
        assert_eq!(r.rows[1].group, "A");
        assert!((r.rows[1].detractors.1 - 100.0).abs() < 1e-12);
        assert!((r.rows[2].clv - 55.0).abs() < 1e-12);
    }
}
