//! The Overview: the handful of figures a marketer reads first (customers, active customers,
//! customer equity with its range, revenue concentration, NPS and CSAT with their intervals,
//! the segments holding the most value and the most value at risk) and three to five
//! recommended actions, each with the figure behind it and a link to the page and the customers
//! it names. Every figure names the page that computed it.
//!
//! Nothing is computed twice: the figures are read from the existing analyses (the default
//! lifetime-value fit of [`crate::analysis::clv`], its ranges by parameter draws
//! ([`crate::analysis::clv::value_intervals`]), the default segmentation of
//! [`crate::analysis::segment`], the survey headline of [`crate::analysis::satisfaction`] and
//! the value at risk of [`crate::analysis::drivers`]). [`build`] assembles them (the page calls
//! it on the results it already has); [`compute`] runs them all on a summary (the worker's
//! Overview task and `crm report`).
//!
//! The types cross the worker boundary with bincode: plain structs, no skipped fields.

use crate::analysis::clv::{self as clv_analysis, ClvResult, IntervalRequest};
use crate::analysis::drivers::ValueAtRisk;
use crate::analysis::numfmt::NumberFormat;
use crate::analysis::satisfaction::{self, Headline, Outcomes};
use crate::analysis::segment::{self as segment_analysis, SegmentResult};
use crate::domain::clv::intervals::{IntervalReport, Total};
use crate::domain::customers::CustomerSummary;
use crate::domain::satisfaction::{CsatScore, NpsScore};
use crate::io::import::survey::SurveyTable;
use serde::{Deserialize, Serialize};

/// A customer counts as active when the fitted model gives P(alive) at least this.
pub const ACTIVE_P_ALIVE: f64 = 0.5;
/// The share of customers whose revenue share the concentration figure reports (top 20%).
pub const TOP_SHARE: f64 = 0.2;
/// Most segments listed for value and for value at risk.
pub const TOP_SEGMENTS: usize = 3;
/// Most recommended actions.
pub const MAX_ACTIONS: usize = 5;

/// Plain-words definition of an active customer, shown beside the figure.
pub const ACTIVE_RULE: &str = "A customer is active when the lifetime-value model (BG/NBD) gives a chance of at least 50% that they still buy from you (P(alive) ≥ 0.5).";

/// A page of the app, by its route (`/segments`) and its name in the navigation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The route, as in the address after `#` (`/lifetime-value`).
    pub route: String,
    /// The page's name ("Lifetime value").
    pub page: String,
}

impl Source {
    fn new(route: &str, page: &str) -> Self {
        Source {
            route: route.into(),
            page: page.into(),
        }
    }
}

/// The page routes the figures come from.
pub mod routes {
    /// The Data page.
    pub const DATA: &str = "/";
    /// The Segments page.
    pub const SEGMENTS: &str = "/segments";
    /// The Satisfaction page.
    pub const SATISFACTION: &str = "/satisfaction";
    /// The Lifetime value page.
    pub const LTV: &str = "/lifetime-value";
    /// The Value & strategy page.
    pub const STRATEGY: &str = "/strategy";
}

/// How a figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// A number of customers.
    Count,
    /// An amount of money (the data's currency).
    Money,
    /// A share, 0..=1.
    Share,
    /// A score (NPS, −100..=100).
    Score,
}

/// One headline figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable id (`customers`, `active`, `equity`, `concentration`, `nps`, `csat`).
    pub id: String,
    /// What it is, in plain words.
    pub label: String,
    /// The value (None: left out, `missing` says why).
    pub value: Option<f64>,
    /// Its range or interval (lower, upper), when there is one.
    pub range: Option<(f64, f64)>,
    /// What the range is ("90% range over 1000 parameter draws"), empty without one.
    pub range_note: String,
    /// How it reads.
    pub unit: Unit,
    /// How it was computed, in plain words.
    pub how: String,
    /// The page that computed it.
    pub source: Source,
    /// Why it was left out (empty when it is there).
    pub missing: String,
    /// Its formula filled in with the data's own numbers (None: left out).
    #[serde(default)]
    pub explain: Option<crate::analysis::explain::Filled>,
}

/// A segment with its value (and the value at risk in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentValue {
    /// Segment name.
    pub name: String,
    /// Customers in it (for value at risk: unhappy customers matched to a CLV).
    pub customers: u64,
    /// Its value (expected CLV, or historical revenue without a fit; for value at risk: the
    /// CLV of its detractors).
    pub value: f64,
    /// Its share of the total.
    pub share: f64,
}

/// A link to a page, with a query naming the customers (`segment=Champions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The route (`/segments`).
    pub route: String,
    /// The query, already encoded (`segment=At%20risk`), empty for none.
    pub query: String,
}

impl Link {
    /// The address fragment (`#/segments?segment=Champions`).
    pub fn href(&self) -> String {
        if self.query.is_empty() {
            format!("#{}", self.route)
        } else {
            format!("#{}?{}", self.route, self.query)
        }
    }

    fn segment(name: &str) -> Self {
        Link {
            route: routes::SEGMENTS.into(),
            query: format!("segment={}", encode(name)),
        }
    }
}

/// A recommended action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Stable id (`protect`, `win-back`, `recover`, `develop`, `satisfaction`).
    pub id: String,
    /// What to do, in plain words.
    pub action: String,
    /// The figure that justifies it, in plain words.
    pub because: String,
    /// The figure itself.
    pub value: f64,
    /// How the figure reads.
    pub unit: Unit,
    /// The segment it names (empty: all customers).
    pub segment: String,
    /// Customers it concerns.
    pub customers: u64,
    /// Where to act.
    pub link: Link,
    /// The link's words ("See the 290 customers in Champions").
    pub link_text: String,
}

/// The settings the figures were computed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OverviewSettings {
    /// Time unit of the summary ("week").
    pub time_unit: String,
    /// Observation end (None: the last date in the data).
    pub observation_end: Option<chrono::NaiveDate>,
    /// The purchase model ("BG/NBD"), empty without a fit.
    pub model: String,
    /// Spend model ("Gamma-Gamma", or own mean spend).
    pub spend_model: String,
    /// CLV horizon in discount periods (months).
    pub horizon_periods: u32,
    /// Discount rate per period.
    pub discount_rate: f64,
    /// Margin as a share of spend.
    pub margin_rate: f64,
    /// The segment map used.
    pub segment_map: String,
}

/// Everything the Overview shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Overview {
    /// The headline figures, in the order shown.
    pub figures: Vec<Figure>,
    /// Segments holding the most value, largest first.
    pub top_value: Vec<SegmentValue>,
    /// What `top_value` counts ("expected CLV" or "historical revenue").
    pub value_basis: String,
    /// Segments holding the most value at risk (CLV of detractors), largest first.
    pub top_risk: Vec<SegmentValue>,
    /// Why `top_risk` is empty, when it is.
    pub risk_missing: String,
    /// Recommended actions (three to five when the data allows).
    pub actions: Vec<Action>,
    /// The settings used.
    pub settings: OverviewSettings,
    /// Everything left out, with the reason.
    pub notes: Vec<String>,
}

impl Overview {
    /// The figure with this id.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

/// The survey's part of the overview: its headline scores and the value at risk.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SurveyPart {
    /// NPS, CSAT (and CES) over every response.
    pub headline: Headline,
    /// The CLV held by unhappy customers, by segment.
    pub risk: Option<ValueAtRisk>,
    /// Why parts are missing.
    pub notes: Vec<String>,
}

/// The survey's headline and value at risk, with the columns detected by name (as the
/// Satisfaction page does before the user edits them).
pub fn survey_part(
    survey: &SurveyTable,
    summary: &CustomerSummary,
    clv: Option<&ClvResult>,
    segments: Option<&SegmentResult>,
) -> SurveyPart {
    survey_part_with(survey, &Outcomes::new(Some(summary), clv, segments))
}

/// [`survey_part`] with the outcomes already gathered (the worker's task builds them from the
/// parts of the results it is sent).
pub fn survey_part_with(survey: &SurveyTable, o: &Outcomes) -> SurveyPart {
    let st = satisfaction::detect(survey, "overview");
    let headline = satisfaction::headline(survey, &st);
    let d = crate::analysis::drivers::drivers(survey, &st, o);
    SurveyPart {
        headline,
        risk: d.risk,
        notes: d.notes,
    }
}

/// What [`build`] reads: the results the pages already have.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The customer summary.
    pub summary: &'a CustomerSummary,
    /// The default lifetime-value fit (Err: why there is none).
    pub clv: Result<&'a ClvResult, &'a str>,
    /// Customer equity with its range (Err: why there is no range; None: not computed yet).
    pub equity: Option<Result<&'a Total, &'a str>>,
    /// The interval settings the range used.
    pub intervals: &'a IntervalRequest,
    /// The default segmentation (with the fit's CLV and P(alive) when it exists).
    pub segments: Result<&'a SegmentResult, &'a str>,
    /// The survey's part (Err: why there is none, e.g. no survey loaded).
    pub survey: Result<&'a SurveyPart, &'a str>,
    /// How the action sentences write amounts and percentages.
    pub number_format: &'a NumberFormat,
}

fn figure(id: &str, label: &str, unit: Unit, source: Source) -> Figure {
    Figure {
        id: id.into(),
        label: label.into(),
        value: None,
        range: None,
        range_note: String::new(),
        unit,
        how: String::new(),
        source,
        missing: String::new(),
        explain: None,
    }
}

/// Percent-encodes a query value (everything but ASCII letters, digits and `-_.~`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Share of the total held by the top `share` of the values (at least one value counted):
/// (share, how many were counted). None when there are no values or the total is not positive.
pub fn top_share(values: &[f64], share: f64) -> Option<(f64, u64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let total: f64 = v.iter().sum();
    if v.is_empty() || total <= 0.0 {
        return None;
    }
    crate::domain::order::sort_by(&mut v, |a, b| b.total_cmp(a));
    let k = ((v.len() as f64 * share).ceil() as usize).clamp(1, v.len());
    Some((v.iter().take(k).sum::<f64>() / total, k as u64))
}

/// An amount in a sentence: whole below 10,000, then `12.3k`, then `1.23M`, with the symbol.
fn fmt_money(f: &NumberFormat, v: f64) -> String {
    let body = if v.abs() >= 1e6 {
        format!("{}M", f.fixed(v / 1e6, 2))
    } else if v.abs() >= 1e4 {
        format!("{}k", f.fixed(v / 1e3, 1))
    } else {
        f.number(v, 0)
    };
    f.with_symbol(&body)
}

fn pct(f: &NumberFormat, v: f64) -> String {
    f.percent(v, 0)
}

/// Assembles the overview from the results.
pub fn build(inp: &Inputs) -> Overview {
    let mut o = Overview::default();
    let summary = inp.summary;
    let n = summary.customers.len() as u64;
    let ltv = Source::new(routes::LTV, "Lifetime value");
    let data = Source::new(routes::DATA, "Data");
    let seg_src = Source::new(routes::SEGMENTS, "Segments");
    let sat_src = Source::new(routes::SATISFACTION, "Satisfaction");

    // Settings.
    o.settings.time_unit = summary.time_unit.name().to_string();
    o.settings.observation_end = summary.observation_end;
    if let Ok(r) = inp.clv {
        if let Some(m) = &r.model {
            o.settings.model = m.kind.name().to_string();
        }
        o.settings.spend_model = if r.spend.is_some() {
            "Gamma-Gamma".into()
        } else {
            "each customer's own mean spend".into()
        };
        if let Some(s) = &r.settings {
            o.settings.horizon_periods = s.periods;
            o.settings.discount_rate = s.discount_rate;
            o.settings.margin_rate = s.margin_rate;
        }
    }
    if let Ok(s) = inp.segments {
        if let Some(m) = &s.map {
            o.settings.segment_map = m.name.clone();
        }
    }

    // Customers.
    let mut f = figure("customers", "Customers", Unit::Count, data);
    f.value = Some(n as f64);
    f.how = "Customers in the summary of the transaction log (after the exclusions listed on the Data page).".into();
    o.figures.push(f);

    // Active customers and customer equity.
    let fit = inp.clv.and_then(|r| {
        if !r.p_alive.is_empty() && r.p_alive.len() == summary.customers.len() {
            Ok(r)
        } else {
            Err(r
                .gate
                .as_ref()
                .map_or("the lifetime-value model could not be fitted", |_| {
                    "the data cannot support a lifetime-value model (see the Lifetime value page)"
                }))
        }
    });
    let mut active = figure("active", "Active customers", Unit::Count, ltv.clone());
    active.how = ACTIVE_RULE.into();
    let mut equity = figure(
        "equity",
        "Customer equity (expected value of current customers)",
        Unit::Money,
        ltv.clone(),
    );
    match fit {
        Ok(r) => {
            active.value = Some(r.p_alive.iter().filter(|&&p| p >= ACTIVE_P_ALIVE).count() as f64);
            equity.value = Some(r.equity);
            let months = r.settings.as_ref().map_or(0, |s| s.periods);
            equity.how = format!(
                "Sum of every customer's lifetime value over the next {months} months ({} purchases, {} spend, discounted, margin applied).",
                o.settings.model, o.settings.spend_model
            );
            match inp.equity {
                Some(Ok(t)) => {
                    equity.range = Some((t.range.lower, t.range.upper));
                    equity.range_note = format!(
                        "{:.0}% range over {} parameter draws (seed {})",
                        100.0 * inp.intervals.level,
                        inp.intervals.draws,
                        inp.intervals.seed
                    );
                }
                Some(Err(e)) => {
                    o.notes
                        .push(format!("Customer equity is shown without its range: {e}."));
                }
                None => o
                    .notes
                    .push("Customer equity's range is still being computed.".into()),
            }
        }
        Err(e) => {
            active.missing = format!("No active count: {e}.");
            equity.missing = format!("No customer equity: {e}.");
            o.notes.push(active.missing.clone());
            o.notes.push(equity.missing.clone());
        }
    }
    o.figures.push(active);
    o.figures.push(equity);

    // Revenue concentration.
    let spend = segment_analysis::historical_spend(summary);
    let mut conc = figure(
        "concentration",
        "Share of revenue from the top 20% of customers",
        Unit::Share,
        seg_src.clone(),
    );
    match top_share(&spend, TOP_SHARE) {
        Some((s, k)) => {
            conc.value = Some(s);
            conc.how = format!(
                "The {k} customers who spent the most (the top 20% of {n}) against the revenue of all customers."
            );
        }
        None => {
            conc.missing = "No revenue concentration: the customers have no positive spend.".into();
            o.notes.push(conc.missing.clone());
        }
    }
    o.figures.push(conc);

    // NPS and CSAT.
    let mut nps = figure("nps", "Net Promoter Score", Unit::Score, sat_src.clone());
    let mut csat = figure(
        "csat",
        "Customer satisfaction (CSAT)",
        Unit::Share,
        sat_src.clone(),
    );
    match inp.survey {
        Ok(sv) => {
            match &sv.headline.nps {
                Some(Ok(s)) => nps_figure(&mut nps, s),
                Some(Err(e)) => nps.missing = format!("No NPS: {e}."),
                None => nps.missing = "No NPS: the survey has no recommend (0–10) column.".into(),
            }
            match &sv.headline.csat {
                Some(Ok(s)) => csat_figure(&mut csat, s),
                Some(Err(e)) => csat.missing = format!("No CSAT: {e}."),
                None => csat.missing = "No CSAT: the survey has no satisfaction column.".into(),
            }
        }
        Err(e) => {
            nps.missing = format!("No NPS: {e}.");
            csat.missing = format!("No CSAT: {e}.");
        }
    }
    for f in [&nps, &csat] {
        if !f.missing.is_empty() {
            o.notes.push(f.missing.clone());
        }
    }
    o.figures.push(nps);
    o.figures.push(csat);

    // Segments by value.
    let seg = inp.segments.ok();
    if let Some(s) = seg {
        let with_clv = fit.is_ok() && s.table.iter().all(|r| r.mean_clv.is_some());
        o.value_basis = if with_clv {
            "expected lifetime value (CLV)".into()
        } else {
            "historical revenue".into()
        };
        let mut rows: Vec<SegmentValue> = s
            .table
            .iter()
            .map(|r| SegmentValue {
                name: r.name.clone(),
                customers: r.customers,
                value: if with_clv {
                    r.mean_clv.unwrap_or(0.0) * r.customers as f64
                } else {
                    r.revenue
                },
                share: 0.0,
            })
            .collect();
        let total: f64 = rows.iter().map(|r| r.value).sum();
        for r in &mut rows {
            r.share = if total > 0.0 { r.value / total } else { 0.0 };
        }
        crate::domain::order::sort_by(&mut rows, |a, b| {
            b.value.total_cmp(&a.value).then(a.name.cmp(&b.name))
        });
        rows.truncate(TOP_SEGMENTS);
        o.top_value = rows;
    } else if let Err(e) = inp.segments {
        o.notes.push(format!("No segments: {e}."));
    }

    // Value at risk.
    match inp.survey {
        Ok(sv) => match &sv.risk {
            Some(risk) if risk.has_nps => {
                let all = risk.rows.first().map_or(0.0, |r| r.detractors.1);
                let mut rows: Vec<SegmentValue> = risk
                    .rows
                    .iter()
                    .skip(1)
                    .filter(|r| r.detractors.0 > 0)
                    .map(|r| SegmentValue {
                        name: r.group.clone(),
                        customers: r.detractors.0,
                        value: r.detractors.1,
                        share: if all > 0.0 { r.detractors.1 / all } else { 0.0 },
                    })
                    .collect();
                crate::domain::order::sort_by(&mut rows, |a, b| {
            b.value.total_cmp(&a.value).then(a.name.cmp(&b.name))
        });
                rows.truncate(TOP_SEGMENTS);
                if rows.is_empty() {
                    o.risk_missing =
                        "No value at risk: no detractor (NPS 0–6) was matched to a customer with a lifetime value.".into();
                }
                o.top_risk = rows;
            }
            Some(_) => {
                o.risk_missing =
                    "No value at risk: the survey has no recommend (0–10) column to find unhappy customers.".into()
            }
            None => {
                o.risk_missing = format!(
                    "No value at risk: {}",
                    if sv.notes.is_empty() {
                        "the survey could not be linked to the customers' lifetime values.".to_string()
                    } else {
                        sv.notes.join(" ")
                    }
                )
            }
        },
        Err(e) => {
            o.risk_missing = format!("No value at risk (the lifetime value held by unhappy customers): {e}.")
        }
    }
    if !o.risk_missing.is_empty() {
        o.notes.push(o.risk_missing.clone());
    }

    o.actions = actions(&o, seg, fit.ok(), inp.number_format);
    for f in &mut o.figures {
        f.explain = crate::analysis::explain::overview_figure(&f.id, inp);
    }
    if o.actions.len() < 3 {
        o.notes.push(format!(
            "Only {} recommended action{}: the others need a lifetime-value fit, segments or a survey.",
            o.actions.len(),
            if o.actions.len() == 1 { "" } else { "s" }
        ));
    }
    o
}

fn nps_figure(f: &mut Figure, s: &NpsScore) {
    f.value = Some(s.nps);
    f.range = Some((s.ci_low, s.ci_high));
    f.range_note = "95% interval".into();
    f.how = format!(
        "% promoters (9–10) minus % detractors (0–6) over {} answers: {} promoters, {} passives, {} detractors.",
        s.n, s.promoters, s.passives, s.detractors
    );
}

fn csat_figure(f: &mut Figure, s: &CsatScore) {
    f.value = Some(s.share);
    f.range = Some((s.ci_low, s.ci_high));
    f.range_note = "95% interval (Wilson)".into();
    f.how = format!(
        "Share of {} answers in the top {} boxes of the {}–{} scale.",
        s.n, s.top_boxes, s.question.min, s.question.max
    );
}

/// The recommended actions, each naming a distinct segment where it names one.
fn actions(
    o: &Overview,
    seg: Option<&SegmentResult>,
    fit: Option<&ClvResult>,
    nf: &NumberFormat,
) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    let used = |out: &Vec<Action>, name: &str| out.iter().any(|a| a.segment == name);
    // 1. Protect the segment holding the most value.
    if let Some(top) = o.top_value.first() {
        out.push(Action {
            id: "protect".into(),
            action: format!(
                "Keep {} close: thank them, reward them and ask them for referrals.",
                top.name
            ),
            because: format!(
                "{} customers hold {} of the {} ({}).",
                top.customers,
                pct(nf, top.share),
                o.value_basis,
                fmt_money(nf, top.value)
            ),
            value: top.share,
            unit: Unit::Share,
            segment: top.name.clone(),
            customers: top.customers,
            link: Link::segment(&top.name),
            link_text: format!("See the {} customers in {}", top.customers, top.name),
        });
    }
    // 2. Recover the segment with the most value at risk.
    if let Some(r) = o.top_risk.iter().find(|r| !used(&out, &r.name)) {
        out.push(Action {
            id: "recover".into(),
            action: format!(
                "Call the unhappy customers in {} and fix what they complain about.",
                r.name
            ),
            because: format!(
                "{} detractors (NPS 0–6) in this segment hold {} of expected lifetime value ({} of all value at risk).",
                r.customers,
                fmt_money(nf, r.value),
                pct(nf, r.share)
            ),
            value: r.value,
            unit: Unit::Money,
            segment: r.name.clone(),
            customers: r.customers,
            link: Link::segment(&r.name),
            link_text: format!(
                "See the customers in {} ({} detractors among them)",
                r.name, r.customers
            ),
        });
    }
    if let Some(s) = seg {
        // 3. Win back: the segment that spent the most but is probably leaving.
        let leaving = s
            .table
            .iter()
            .filter(|r| r.mean_p_alive.is_some_and(|p| p < ACTIVE_P_ALIVE))
            .filter(|r| !used(&out, &r.name))
            .max_by(|a, b| a.revenue.total_cmp(&b.revenue));
        if let Some(r) = leaving {
            out.push(Action {
                id: "win-back".into(),
                action: format!(
                    "Win back {}: a personal offer before they are gone.",
                    r.name
                ),
                because: format!(
                    "{} customers spent {} ({} of revenue) but their average chance of still being active is {}.",
                    r.customers,
                    fmt_money(nf, r.revenue),
                    pct(nf, r.revenue_share),
                    pct(nf, r.mean_p_alive.unwrap_or(0.0))
                ),
                value: r.revenue,
                unit: Unit::Money,
                segment: r.name.clone(),
                customers: r.customers,
                link: Link::segment(&r.name),
                link_text: format!("See the {} customers in {}", r.customers, r.name),
            });
        }
        // 4. Develop: active customers whose value is below average.
        if let Some(f) = fit {
            let mean_clv = f.totals.average_clv();
            // BG/NBD takes a customer without a repeat purchase to be active (P(alive) = 1):
            // say so where the action leans on P(alive).
            let bgnbd_note = if f
                .model
                .as_ref()
                .is_some_and(|m| m.kind == crate::domain::clv::ModelKind::BgNbd)
            {
                " (BG/NBD counts customers without a repeat purchase as active: fit MBG/NBD or Pareto/NBD for a stricter view)"
            } else {
                ""
            };
            let develop = s
                .table
                .iter()
                .filter(|r| {
                    r.mean_p_alive.is_some_and(|p| p >= ACTIVE_P_ALIVE)
                        && r.mean_clv.is_some_and(|c| c < mean_clv)
                })
                .filter(|r| !used(&out, &r.name))
                .max_by(|a, b| a.customers.cmp(&b.customers).then(b.name.cmp(&a.name)));
            if let Some(r) = develop {
                out.push(Action {
                    id: "develop".into(),
                    action: format!(
                        "Grow {}: cross-sell and a second-purchase offer.",
                        r.name
                    ),
                    because: format!(
                        "{} customers are probably still active (average P(alive) {}{bgnbd_note}) but worth {} each against {} on average.",
                        r.customers,
                        pct(nf, r.mean_p_alive.unwrap_or(0.0)),
                        fmt_money(nf, r.mean_clv.unwrap_or(0.0)),
                        fmt_money(nf, mean_clv)
                    ),
                    value: r.mean_clv.unwrap_or(0.0),
                    unit: Unit::Money,
                    segment: r.name.clone(),
                    customers: r.customers,
                    link: Link::segment(&r.name),
                    link_text: format!("See the {} customers in {}", r.customers, r.name),
                });
            }
        }
    }
    // 5. Satisfaction: detractors outweigh promoters, or the score is weak.
    if let Some(nps) = o.figure("nps").and_then(|f| f.value) {
        let range = o.figure("nps").and_then(|f| f.range).unwrap_or((nps, nps));
        if nps < 30.0 {
            out.push(Action {
                id: "satisfaction".into(),
                action: "Find out what drives satisfaction and fix the weakest attribute first.".into(),
                because: format!(
                    "NPS is {nps:.0} (95% interval {:.0} to {:.0}); below 30 leaves many customers ready to leave.",
                    range.0, range.1
                ),
                value: nps,
                unit: Unit::Score,
                segment: String::new(),
                customers: 0,
                link: Link {
                    route: routes::SATISFACTION.into(),
                    query: String::new(),
                },
                link_text: "Open the Satisfaction page".into(),
            });
        }
    }
    out.truncate(MAX_ACTIONS);
    out
}

/// Everything [`compute`] ran, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// The overview.
    pub overview: Overview,
    /// The default lifetime-value fit.
    pub clv: Result<ClvResult, String>,
    /// Ranges on the fit's figures.
    pub intervals: Option<Result<IntervalReport, String>>,
    /// The default segmentation (with CLV and P(alive) when the fit exists).
    pub segments: Result<SegmentResult, String>,
    /// The survey's part, when there is a survey.
    pub survey: Option<SurveyPart>,
}

/// Runs every analysis the overview reads on `summary` (the default lifetime-value fit with
/// its ranges by parameter draws, the default segmentation with the fit's CLV and P(alive),
/// the survey's headline and value at risk) and builds the overview.
pub fn compute(
    summary: &CustomerSummary,
    survey: Option<&SurveyTable>,
    progress: &mut dyn FnMut(f64, &str),
) -> Computed {
    compute_with(summary, survey, &NumberFormat::default(), progress)
}

/// [`compute`], with the action sentences written in `number_format`.
pub fn compute_with(
    summary: &CustomerSummary,
    survey: Option<&SurveyTable>,
    number_format: &NumberFormat,
    progress: &mut dyn FnMut(f64, &str),
) -> Computed {
    // No transactions: the calibration/holdout check belongs to the Lifetime value page.
    let req = clv_analysis::default_request(summary.clone());
    let no_clock = || 0.0;
    let clv = clv_analysis::analyze(&req, None, &mut |f, s| progress(0.5 * f, s), &no_clock);
    drop(req);
    let ir = IntervalRequest::default();
    let intervals = clv.as_ref().ok().and_then(|r| {
        let m = r.model.as_ref()?;
        let s = r.settings.as_ref()?;
        progress(0.5, "Ranges on customer equity");
        Some(clv_analysis::value_intervals(
            m,
            r.spend.as_ref(),
            &summary.customers,
            s,
            &ir,
            &mut |f| progress(0.5 + 0.3 * f, "Ranges on customer equity"),
        ))
    });
    let mut sreq = segment_analysis::default_request(CustomerSummary {
        time_unit: summary.time_unit,
        observation_end: summary.observation_end,
        calibration_end: summary.calibration_end,
        holdout_length: summary.holdout_length,
        customers: Vec::new(),
        returns_rows: summary.returns_rows,
        excluded: Vec::new(),
    });
    if let Ok(r) = &clv {
        if !r.clv.is_empty() {
            sreq.clv = Some(r.clv.clone());
            sreq.p_alive = Some(r.p_alive.clone());
        }
    }
    let segments =
        segment_analysis::segment(summary, &sreq, &mut |f, s| progress(0.8 + 0.15 * f, s));
    let survey = survey.map(|t| survey_part(t, summary, clv.as_ref().ok(), segments.as_ref().ok()));
    progress(0.97, "Building the overview");
    let no_survey = "no survey is loaded";
    let equity = intervals.as_ref().map(|r| match r {
        Ok(rep) => Ok(&rep.equity),
        Err(e) => Err(e.as_str()),
    });
    let overview = build(&Inputs {
        summary,
        clv: clv.as_ref().map_err(String::as_str),
        equity,
        intervals: &ir,
        segments: segments.as_ref().map_err(String::as_str),
        survey: survey.as_ref().ok_or(no_survey),
        number_format,
    });
    progress(1.0, "Done");
    Computed {
        overview,
        clv,
        intervals,
        segments,
        survey,
    }
}
