//! Satisfaction analyses: which columns hold which question (detected by name, editable), and
//! every figure the Satisfaction page shows, computed by the domain from the survey, the
//! customer summary and (when they exist) the lifetime-value and segment results. The page and
//! `crm satisfaction` compute their scores here.

use crate::domain::customers::CustomerSummary;
use crate::domain::satisfaction::ces::ces_question;
use crate::domain::satisfaction::cumulative::{
    compare_predictors, cumulative, CustomerSatisfaction, DatedAnswer, PredictorComparison,
};
use crate::domain::satisfaction::disconfirmation::{
    disconfirmation, DisconfirmationResult, ExpectationAnswer,
};
use crate::domain::satisfaction::ipa::{ipa, Crosshair, ImportanceMethod, IpaResult};
use crate::domain::satisfaction::kano::{kano_feature_text, KanoFeature};
use crate::domain::satisfaction::link::{
    link_outcomes, match_respondents, Classing, MatchReport, OutcomeLink,
};
use crate::domain::satisfaction::stats::{mean, MeanInterval};
use crate::domain::satisfaction::trends::{mean_trend, nps_trend, trend, Period, TrendPoint};
use crate::domain::satisfaction::{
    ces, csat, nps, nps_difference, CesScore, CsatScore, NpsDifference, NpsScore, Question,
};
use crate::io::import::survey::{SurveyColumns, SurveyTable};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One attribute: expectation, performance and importance columns (performance is required).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// Attribute name (from the column names).
    pub name: String,
    /// Expectation column.
    pub exp: Option<String>,
    /// Performance column.
    pub perf: String,
    /// Stated importance column.
    pub imp: Option<String>,
}

/// One Kano feature: its functional and dysfunctional answer columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KanoPair {
    /// Feature name.
    pub feature: String,
    /// "How would you feel if the product had it?" column.
    pub functional: String,
    /// "... if it did not have it?" column.
    pub dysfunctional: String,
}

/// Where attribute importance comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportanceChoice {
    /// The mean of the imp_ columns.
    Stated,
    /// Correlation of each attribute's performance with overall satisfaction.
    Correlation,
    /// Standardized regression coefficients of overall satisfaction on the performances.
    Regression,
}

/// The page's choices. Each metric keeps its question (scale and direction) with its column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The survey these choices were made for.
    pub survey_id: String,
    /// NPS column (0–10).
    pub nps: Option<String>,
    /// CSAT column and question.
    pub csat: Option<Question>,
    /// CSAT top boxes counted as satisfied.
    pub top_boxes: u32,
    /// CES column and question (1–7).
    pub ces: Option<Question>,
    /// Overall satisfaction column and question.
    pub overall: Option<Question>,
    /// Attribute triples.
    pub attributes: Vec<Attribute>,
    /// Kano pairs.
    pub kano: Vec<KanoPair>,
    /// Trend period.
    pub period: Period,
    /// Disconfirmation tolerance (scale points).
    pub tolerance: f64,
    /// Weight of the newest answer in cumulative satisfaction.
    pub weight: f64,
    /// Importance source.
    pub importance: ImportanceChoice,
    /// NPS test split date (answers before vs from this date).
    pub split: Option<NaiveDate>,
    /// NPS test: two segments to compare.
    pub seg_a: Option<String>,
    /// Second segment.
    pub seg_b: Option<String>,
}

/// The question of column `name`, its scale detected from the answers (`fallback` when it has
/// none): 0-based when an answer is below 1, top at 5, 7 or 10.
pub fn question(s: &SurveyTable, name: &str, fallback: (i32, i32)) -> Question {
    let (lo, hi) = s
        .items
        .iter()
        .find(|i| i.name == name)
        .map_or(fallback, |i| scale_of(&i.values, fallback));
    Question::new(name, lo, hi)
}

fn scale_of(values: &[Option<f64>], fallback: (i32, i32)) -> (i32, i32) {
    let v: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    let (lo, hi) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        return fallback;
    }
    let min = if lo < 1.0 { 0 } else { 1 };
    let max = [5, 7, 10]
        .into_iter()
        .find(|&m| hi <= f64::from(m))
        .unwrap_or(fallback.1);
    (min, max)
}

/// The NPS question's column, found by the one survey-column rule
/// ([`crate::io::import::survey::role_of`]), as every page and `crm` find it.
pub fn nps_column(s: &SurveyTable) -> Option<String> {
    let names: Vec<&str> = s.items.iter().map(|i| i.name.as_str()).collect();
    SurveyColumns::find(&names)
        .nps
        .and_then(|j| names.get(j).map(|n| n.to_string()))
}

/// Detects the columns by name, with the one survey-column rule
/// ([`crate::io::import::survey::SurveyColumns::find`]).
pub fn detect(s: &SurveyTable, survey_id: &str) -> Settings {
    let names: Vec<&str> = s.items.iter().map(|i| i.name.as_str()).collect();
    let cols = SurveyColumns::find(&names);
    let name = |j: Option<usize>| j.and_then(|j| names.get(j)).map(|n| n.to_string());
    let nps_col = name(cols.nps);
    let overall_col = name(cols.overall);
    let csat_col = name(cols.csat);
    let ces_col = name(cols.ces);
    let q = |c: Option<String>, fb: (i32, i32)| c.map(|c| question(s, &c, fb));
    let attributes = cols
        .attributes
        .iter()
        .filter_map(|a| {
            Some(Attribute {
                name: a.name.clone(),
                exp: name(a.expectation),
                perf: name(Some(a.performance))?,
                imp: name(a.importance),
            })
        })
        .collect();
    let texts: Vec<&str> = s.text_items.iter().map(|t| t.name.as_str()).collect();
    let text = |j: usize| texts.get(j).map(|n| n.to_string());
    let kano = SurveyColumns::find(&texts)
        .kano
        .iter()
        .filter_map(|k| {
            Some(KanoPair {
                feature: k.feature.clone(),
                functional: text(k.functional)?,
                dysfunctional: text(k.dysfunctional)?,
            })
        })
        .collect();
    let split = s.dates.as_ref().and_then(|d| {
        let mut v: Vec<NaiveDate> = d.iter().flatten().copied().collect();
        v.sort();
        v.get(v.len() / 2).copied()
    });
    Settings {
        survey_id: survey_id.to_string(),
        nps: nps_col,
        csat: q(csat_col, (1, 5)),
        top_boxes: 2,
        ces: ces_col.map(|c| Question {
            name: c,
            ..ces_question()
        }),
        overall: q(overall_col, (1, 7)),
        attributes,
        kano,
        period: Period::Month,
        tolerance: 0.0,
        weight: 0.5,
        importance: ImportanceChoice::Correlation,
        split,
        seg_a: None,
        seg_b: None,
    }
}

/// Per-customer outcomes for linking: id → value, in the order P(alive), repeat purchases,
/// spend, CLV (the first and last only when the lifetime-value result exists).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    /// Customer ids of the summary.
    pub customers: Vec<String>,
    /// Named outcome maps.
    pub maps: Vec<(String, HashMap<String, f64>)>,
    /// P(alive) per customer, when the lifetime-value result exists.
    pub p_alive: Option<HashMap<String, f64>>,
    /// Segment per customer, when the segment result exists.
    pub segment: Option<HashMap<String, String>>,
}

impl Outcomes {
    /// Gathers the outcomes.
    pub fn new(
        summary: Option<&CustomerSummary>,
        clv: Option<&crate::analysis::clv::ClvResult>,
        seg: Option<&crate::analysis::segment::SegmentResult>,
    ) -> Self {
        let fit = clv.map(|r| Fit {
            ids: &r.ids,
            p_alive: &r.p_alive,
            clv: &r.clv,
        });
        let segments = seg.map(|r| (r.segment_names.as_slice(), r.segment_of.as_slice()));
        Self::from_parts(summary, fit, segments)
    }

    /// [`Self::new`] from the parts of the results it reads: the fit's per-customer vectors
    /// and the segmentation's names and per-customer segment (in the summary's order), as the
    /// worker receives them.
    pub fn from_parts(
        summary: Option<&CustomerSummary>,
        fit: Option<Fit<'_>>,
        segments: Option<(&[String], &[u16])>,
    ) -> Self {
        let mut o = Outcomes::default();
        if let Some(s) = summary {
            o.customers = s.customers.iter().map(|c| c.id.clone()).collect();
        }
        let p_alive = fit.map(|r| {
            r.ids
                .iter()
                .cloned()
                .zip(r.p_alive.iter().copied())
                .collect::<HashMap<_, _>>()
        });
        if let Some(p) = &p_alive {
            o.maps.push(("P(alive)".into(), p.clone()));
        }
        if let Some(s) = summary {
            o.maps.push((
                format!("Repeat purchase {}s (x)", s.time_unit.name()),
                s.customers.iter().map(|c| (c.id.clone(), c.x)).collect(),
            ));
            o.maps.push((
                "Total spend".into(),
                s.customers
                    .iter()
                    .map(|c| (c.id.clone(), c.total_spend))
                    .collect(),
            ));
        }
        if let Some(r) = fit {
            o.maps.push((
                "CLV".into(),
                r.ids.iter().cloned().zip(r.clv.iter().copied()).collect(),
            ));
        }
        o.p_alive = p_alive;
        // The segment result is in the summary's order and carries no ids.
        o.segment = segments.zip(summary).map(|((names, of), s)| {
            s.customers
                .iter()
                .zip(of)
                .filter_map(|(c, &g)| Some((c.id.clone(), names.get(usize::from(g))?.clone())))
                .collect()
        });
        o
    }
}

/// A lifetime-value fit's per-customer vectors, as [`Outcomes`] reads them.
#[derive(Debug, Clone, Copy)]
pub struct Fit<'a> {
    /// Customer ids.
    pub ids: &'a [String],
    /// P(alive) per customer.
    pub p_alive: &'a [f64],
    /// CLV per customer.
    pub clv: &'a [f64],
}

/// Scores of one group of responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScores {
    /// Group name.
    pub name: String,
    /// Responses.
    pub n: u64,
    /// NPS.
    pub nps: Option<NpsScore>,
    /// CSAT.
    pub csat: Option<CsatScore>,
    /// CES.
    pub ces: Option<CesScore>,
    /// Mean overall satisfaction and its n.
    pub overall: Option<(f64, u64)>,
    /// Mean outcome per outcome name (value, n).
    pub outcomes: Vec<(String, Option<f64>, u64)>,
}

/// A two-group NPS comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsTest {
    /// What was compared, in words.
    pub label: String,
    /// First group name and score.
    pub a: (String, NpsScore),
    /// Second group name and score.
    pub b: (String, NpsScore),
    /// The difference (b − a).
    pub diff: NpsDifference,
}

/// Every figure of the page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Analysis {
    /// Responses.
    pub responses: u64,
    /// NPS (Err: why not).
    pub nps: Option<Result<NpsScore, String>>,
    /// CSAT.
    pub csat: Option<Result<CsatScore, String>>,
    /// CES.
    pub ces: Option<Result<CesScore, String>>,
    /// Overall mean and n.
    pub overall: Option<(f64, u64)>,
    /// NPS before / from the split date.
    pub nps_by_date: Option<Result<NpsTest, String>>,
    /// NPS of two segments.
    pub nps_by_segment: Option<Result<NpsTest, String>>,
    /// Trends: NPS, CSAT share (%), CES mean, overall mean.
    pub trend_nps: Vec<TrendPoint<NpsScore>>,
    /// CSAT share per period.
    pub trend_csat: Vec<TrendPoint<f64>>,
    /// CES mean per period.
    pub trend_ces: Vec<TrendPoint<f64>>,
    /// Overall mean per period.
    pub trend_overall: Vec<TrendPoint<f64>>,
    /// Expectancy disconfirmation.
    pub disconfirmation: Option<DisconfirmationResult>,
    /// Which score cumulative satisfaction is built from.
    pub cumulative_of: Option<String>,
    /// Cumulative satisfaction per customer.
    pub cumulative: Option<Result<Vec<CustomerSatisfaction>, String>>,
    /// Cumulative vs latest against P(alive).
    pub predict_alive: Option<PredictorComparison>,
    /// Cumulative vs latest against repeat purchases.
    pub predict_repeat: Option<PredictorComparison>,
    /// Importance–performance.
    pub ipa: Option<Result<IpaResult, String>>,
    /// Kano features.
    pub kano: Vec<KanoFeature>,
    /// Respondents matched to customers.
    pub matched: Option<MatchReport>,
    /// NPS classes against the outcomes.
    pub link_nps: Vec<OutcomeLink>,
    /// CSAT classes against the outcomes.
    pub link_csat: Vec<OutcomeLink>,
    /// Scores by segment.
    pub by_segment: Vec<GroupScores>,
    /// Segment names (by size).
    pub segments: Vec<String>,
}

fn column<'a>(s: &'a SurveyTable, name: &str) -> Option<&'a [Option<f64>]> {
    s.items
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.values.as_slice())
}

fn text_column<'a>(s: &'a SurveyTable, name: &str) -> Option<&'a [Option<String>]> {
    s.text_items
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.values.as_slice())
}

fn pick(col: Option<&[Option<f64>]>, rows: &[usize]) -> Vec<f64> {
    col.map(|c| {
        rows.iter()
            .filter_map(|&i| c.get(i).copied().flatten())
            .collect()
    })
    .unwrap_or_default()
}

fn dated(s: &SurveyTable, col: Option<&[Option<f64>]>) -> Vec<(NaiveDate, f64)> {
    let (Some(d), Some(c)) = (s.dates.as_ref(), col) else {
        return Vec::new();
    };
    d.iter()
        .zip(c)
        .filter_map(|(d, v)| Some(((*d)?, (*v)?)))
        .collect()
}

fn group_scores(
    s: &SurveyTable,
    st: &Settings,
    name: String,
    rows: &[usize],
    o: &Outcomes,
) -> GroupScores {
    let nps_c = st.nps.as_deref().and_then(|c| column(s, c));
    let ids = s.ids.as_ref();
    let outcomes = o
        .maps
        .iter()
        .map(|(oname, m)| {
            let v: Vec<f64> = rows
                .iter()
                .filter_map(|&i| {
                    ids.and_then(|ids| ids.get(i))
                        .and_then(|id| m.get(id))
                        .copied()
                })
                .filter(|x| x.is_finite())
                .collect();
            (oname.clone(), mean(&v), v.len() as u64)
        })
        .collect();
    let ov = st.overall.as_ref().map(|q| pick(column(s, &q.name), rows));
    GroupScores {
        name,
        n: rows.len() as u64,
        nps: nps_c.and_then(|c| nps(&pick(Some(c), rows)).ok()),
        csat: st
            .csat
            .as_ref()
            .and_then(|q| csat(&pick(column(s, &q.name), rows), q, st.top_boxes).ok()),
        ces: st.ces.as_ref().and_then(|q| {
            ces::ces(&pick(column(s, &q.name), rows), q, MeanInterval::StudentT).ok()
        }),
        overall: ov.and_then(|v| mean(&v).map(|m| (m, v.len() as u64))),
        outcomes,
    }
}

fn nps_test(
    label: String,
    a: (String, Vec<f64>),
    b: (String, Vec<f64>),
) -> Result<NpsTest, String> {
    let sa = nps(&a.1).map_err(|e| format!("{}: {e}", a.0))?;
    let sb = nps(&b.1).map_err(|e| format!("{}: {e}", b.0))?;
    let diff = nps_difference(&sa, &sb);
    Ok(NpsTest {
        label,
        a: (a.0, sa),
        b: (b.0, sb),
        diff,
    })
}

/// The headline scores of a survey: NPS, CSAT and CES of the chosen columns over every
/// response (Err: why a score could not be computed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Headline {
    /// NPS.
    pub nps: Option<Result<NpsScore, String>>,
    /// CSAT.
    pub csat: Option<Result<CsatScore, String>>,
    /// CES.
    pub ces: Option<Result<CesScore, String>>,
}

/// NPS, CSAT (top boxes of its question's scale) and CES (Student-t interval) of the settings'
/// columns over every response: the page's headline and `crm satisfaction`.
pub fn headline(s: &SurveyTable, st: &Settings) -> Headline {
    let n = s.items.first().map_or(0, |i| i.values.len());
    let all: Vec<usize> = (0..n).collect();
    Headline {
        nps: st
            .nps
            .as_deref()
            .and_then(|c| column(s, c))
            .map(|c| nps(&pick(Some(c), &all)).map_err(|e| e.to_string())),
        csat: st.csat.as_ref().map(|q| {
            csat(&pick(column(s, &q.name), &all), q, st.top_boxes).map_err(|e| e.to_string())
        }),
        ces: st.ces.as_ref().map(|q| {
            ces::ces(&pick(column(s, &q.name), &all), q, MeanInterval::StudentT)
                .map_err(|e| e.to_string())
        }),
    }
}

/// Computes everything.
pub fn analyse(s: &SurveyTable, st: &Settings, o: &Outcomes) -> Analysis {
    let n = s.items.first().map_or(0, |i| i.values.len());
    let all: Vec<usize> = (0..n).collect();
    let h = headline(s, st);
    let mut a = Analysis {
        responses: n as u64,
        nps: h.nps,
        csat: h.csat,
        ces: h.ces,
        ..Default::default()
    };
    let nps_c = st.nps.as_deref().and_then(|c| column(s, c));
    if let Some(c) = nps_c {
        a.trend_nps = nps_trend(&dated(s, Some(c)), st.period);
    }
    if let Some(q) = &st.csat {
        let c = column(s, &q.name);
        let (q2, tb) = (q.clone(), st.top_boxes);
        a.trend_csat = trend(&dated(s, c), st.period, move |v| {
            csat(v, &q2, tb).ok().map(|r| 100.0 * r.share)
        });
    }
    if let Some(q) = &st.ces {
        let c = column(s, &q.name);
        a.trend_ces = mean_trend(&dated(s, c), st.period);
    }
    if let Some(q) = &st.overall {
        let c = column(s, &q.name);
        let v = pick(c, &all);
        a.overall = mean(&v).map(|m| (m, v.len() as u64));
        a.trend_overall = mean_trend(&dated(s, c), st.period);
    }
    // NPS test by date.
    if let (Some(c), Some(split), Some(dates)) = (nps_c, st.split, s.dates.as_ref()) {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for (d, v) in dates.iter().zip(c) {
            if let (Some(d), Some(v)) = (d, v) {
                if *d < split {
                    before.push(*v);
                } else {
                    after.push(*v);
                }
            }
        }
        a.nps_by_date = Some(nps_test(
            format!("answers before {split} against answers from {split} on"),
            (format!("before {split}"), before),
            (format!("from {split}"), after),
        ));
    }
    let ids = s.ids.as_ref();
    // Segments.
    let seg_of = |i: usize| -> Option<&String> {
        let id = ids?.get(i)?;
        o.segment.as_ref()?.get(id)
    };
    if o.segment.is_some() {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            if let Some(g) = seg_of(i) {
                groups.entry(g.clone()).or_default().push(i);
            }
        }
        let mut v: Vec<(String, Vec<usize>)> = groups.into_iter().collect();
        v.sort_by(|x, y| y.1.len().cmp(&x.1.len()).then(x.0.cmp(&y.0)));
        a.segments = v.iter().map(|(g, _)| g.clone()).collect();
        a.by_segment = v
            .iter()
            .map(|(g, rows)| group_scores(s, st, g.clone(), rows, o))
            .collect();
        if let Some(c) = nps_c {
            let sa = st.seg_a.clone().or_else(|| a.segments.first().cloned());
            let sb = st.seg_b.clone().or_else(|| a.segments.get(1).cloned());
            if let (Some(sa), Some(sb)) = (sa, sb) {
                let vals = |g: &str| {
                    let rows: Vec<usize> = (0..n)
                        .filter(|&i| seg_of(i).map(String::as_str) == Some(g))
                        .collect();
                    pick(Some(c), &rows)
                };
                a.nps_by_segment = Some(nps_test(
                    format!("segment {sa} against segment {sb}"),
                    (sa.clone(), vals(&sa)),
                    (sb.clone(), vals(&sb)),
                ));
            }
        }
    }
    // Disconfirmation.
    let with_exp: Vec<&Attribute> = st.attributes.iter().filter(|x| x.exp.is_some()).collect();
    if !with_exp.is_empty() {
        let mut answers = Vec::new();
        for at in &with_exp {
            let (Some(e), Some(p)) = (
                at.exp.as_deref().and_then(|c| column(s, c)),
                column(s, &at.perf),
            ) else {
                continue;
            };
            for i in 0..n {
                if let (Some(Some(ev)), Some(Some(pv))) = (e.get(i), p.get(i)) {
                    answers.push(ExpectationAnswer {
                        customer_id: ids
                            .and_then(|v| v.get(i))
                            .cloned()
                            .unwrap_or_else(|| format!("row {}", i + 1)),
                        attribute: at.name.clone(),
                        expectation: *ev,
                        performance: *pv,
                        group: seg_of(i).cloned(),
                    });
                }
            }
        }
        a.disconfirmation = Some(disconfirmation(&answers, st.tolerance));
    }
    // Cumulative satisfaction.
    let cum_q = st
        .overall
        .as_ref()
        .map(|q| q.name.clone())
        .or_else(|| st.csat.as_ref().map(|q| q.name.clone()))
        .or_else(|| st.nps.clone());
    if let (Some(cq), Some(idv), Some(dates)) = (cum_q, ids, s.dates.as_ref()) {
        if let Some(c) = column(s, &cq) {
            let answers: Vec<DatedAnswer> = (0..n)
                .filter_map(|i| {
                    Some(DatedAnswer {
                        customer_id: idv.get(i)?.clone(),
                        date: (*dates.get(i)?)?,
                        score: (*c.get(i)?)?,
                    })
                })
                .collect();
            let cum = cumulative(&answers, st.weight).map_err(|e| e.to_string());
            if let Ok(cs) = &cum {
                a.predict_alive = o.p_alive.as_ref().map(|p| compare_predictors(cs, p));
                a.predict_repeat = o
                    .maps
                    .iter()
                    .find(|(k, _)| k.starts_with("Repeat"))
                    .map(|(_, m)| compare_predictors(cs, m));
            }
            a.cumulative = Some(cum);
            a.cumulative_of = Some(cq);
        }
    }
    // Importance–performance.
    if !st.attributes.is_empty() {
        a.ipa = Some(run_ipa(s, st, n));
    }
    // Kano.
    a.kano = st
        .kano
        .iter()
        .map(|k| {
            let f = text_column(s, &k.functional).unwrap_or(&[]);
            let d = text_column(s, &k.dysfunctional).unwrap_or(&[]);
            let pairs: Vec<(&str, &str)> = f
                .iter()
                .zip(d)
                .filter_map(|(f, d)| Some((f.as_deref()?, d.as_deref()?)))
                .collect();
            kano_feature_text(&k.feature, &pairs)
        })
        .collect();
    // Link to value.
    if let Some(idv) = ids {
        if !o.customers.is_empty() {
            a.matched = Some(match_respondents(idv, &o.customers));
            let latest = |c: &[Option<f64>]| {
                // The latest answer per customer (by date when known, else by row).
                let mut m: HashMap<String, (Option<NaiveDate>, f64)> = HashMap::new();
                for (i, id) in idv.iter().enumerate() {
                    if let Some(Some(v)) = c.get(i) {
                        let d = s.dates.as_ref().and_then(|d| d.get(i).copied().flatten());
                        let e = m.entry(id.clone()).or_insert((d, *v));
                        if d >= e.0 {
                            *e = (d, *v);
                        }
                    }
                }
                m.into_iter()
                    .map(|(k, (_, v))| (k, v))
                    .collect::<HashMap<_, _>>()
            };
            if let Some(c) = nps_c {
                a.link_nps = link_outcomes(&latest(c), &o.maps, &Classing::Nps);
            }
            if let Some(q) = &st.csat {
                if let Some(c) = column(s, &q.name) {
                    a.link_csat =
                        link_outcomes(&latest(c), &o.maps, &Classing::TopBottom(q.clone()));
                }
            }
        }
    }
    a
}

fn run_ipa(s: &SurveyTable, st: &Settings, n: usize) -> Result<IpaResult, String> {
    let names: Vec<String> = st.attributes.iter().map(|x| x.name.clone()).collect();
    let perf: Vec<&[Option<f64>]> = st
        .attributes
        .iter()
        .map(|x| column(s, &x.perf).ok_or_else(|| format!("column {} not found", x.perf)))
        .collect::<Result<_, _>>()?;
    let overall = st.overall.as_ref().and_then(|q| column(s, &q.name));
    let derived = st.importance != ImportanceChoice::Stated;
    if derived && overall.is_none() {
        return Err("derived importance needs an overall satisfaction column; choose one above or use stated importance".into());
    }
    let mut rows = Vec::new();
    let mut ov = Vec::new();
    for i in 0..n {
        let r: Option<Vec<f64>> = perf.iter().map(|c| c.get(i).copied().flatten()).collect();
        let o = overall.and_then(|c| c.get(i).copied().flatten());
        if let Some(r) = r {
            if derived {
                if let Some(o) = o {
                    rows.push(r);
                    ov.push(o);
                }
            } else {
                rows.push(r);
            }
        }
    }
    let method = match st.importance {
        ImportanceChoice::Stated => {
            let means: Option<Vec<f64>> = st
                .attributes
                .iter()
                .map(|x| {
                    x.imp
                        .as_deref()
                        .and_then(|c| column(s, c))
                        .and_then(|c| mean(&c.iter().flatten().copied().collect::<Vec<_>>()))
                })
                .collect();
            ImportanceMethod::Stated(
                means.ok_or("stated importance needs an imp_ column for every attribute")?,
            )
        }
        ImportanceChoice::Correlation => ImportanceMethod::Correlation,
        ImportanceChoice::Regression => ImportanceMethod::Regression,
    };
    ipa(
        &names,
        &rows,
        derived.then_some(ov.as_slice()),
        &method,
        Crosshair::Means,
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::survey::read_survey;
    use crate::io::import::{read_table, ImportOptions};

    fn messy() -> SurveyTable {
        let bytes = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/import/survey_messy.csv"
        ));
        let t = read_table(bytes, "survey_messy.csv", &ImportOptions::default()).unwrap();
        read_survey(&t).unwrap()
    }

    #[test]
    fn columns_are_detected_by_name_with_their_scales() {
        let s = detect(&messy(), "x");
        assert_eq!(s.nps.as_deref(), Some("nps"));
        let csat = s.csat.unwrap();
        assert_eq!((csat.name.as_str(), csat.min, csat.max), ("csat", 1, 5));
        assert_eq!(s.ces.unwrap().name, "ces");
        let overall = s.overall.unwrap();
        assert_eq!((overall.name.as_str(), overall.max), ("overall", 7));
        assert_eq!(s.attributes.len(), 1);
        assert_eq!(s.attributes[0].imp.as_deref(), Some("imp_price"));
        assert_eq!(s.kano.len(), 1);
        assert_eq!(s.kano[0].feature, "live_chat");
    }

    #[test]
    fn messy_survey_scores_match_the_hand_computation() {
        let sv = messy();
        let st = detect(&sv, "x");
        let a = analyse(&sv, &st, &Outcomes::default());
        let nps = a.nps.unwrap().unwrap();
        assert_eq!(
            (nps.n, nps.promoters, nps.passives, nps.detractors),
            (11, 5, 2, 4)
        );
        assert!((nps.nps - 100.0 / 11.0).abs() < 1e-9);
        assert!((a.csat.unwrap().unwrap().share - 0.5).abs() < 1e-12);
        assert!((a.overall.unwrap().0 - 54.5 / 12.0).abs() < 1e-9);
        assert_eq!(a.kano[0].n + a.kano[0].invalid, 11);
        assert!(a.disconfirmation.is_some());
        assert!(a.ipa.unwrap().is_ok());
    }
}
