//! The Satisfaction page: NPS, CSAT and CES with their intervals, an NPS test between two
//! groups, trends, expectancy disconfirmation, cumulative satisfaction, importance–performance,
//! Kano, and satisfaction linked to customer value and segments. Survey work is small and runs
//! on the main thread; the lifetime-value and segment results come from the worker cache.

pub mod analysis;

use crate::domain::satisfaction::cumulative::PredictorComparison;
use crate::domain::satisfaction::link::OutcomeLink;
use crate::domain::satisfaction::trends::{Period, TrendPoint};
use crate::domain::satisfaction::Question;
use crate::ui::charts::{Chart, Kind, Point};
use crate::ui::components::{Cell, ChartCard, DataTable};
use crate::ui::state::{AppContext, Source};
use crate::worker::clv::{self, ClvResult};
use crate::worker::segment::{self, SegmentResult};
use crate::worker::tasks::{Output, Task};
use analysis::{analyse, detect, Analysis, ImportanceChoice, Outcomes, Settings};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

type Fetched<T> = Option<Result<Rc<T>, String>>;

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn value_of(e: &Event) -> String {
    let Some(t) = e.target() else {
        return String::new();
    };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        i.value()
    } else if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

/// A callback that edits the settings with the changed control's value.
fn edit(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    f: impl Fn(&mut Settings, String) + 'static,
) -> Callback<Event> {
    let (h, cur) = (h.clone(), cur.clone());
    Callback::from(move |e: Event| {
        let mut s = cur.clone();
        f(&mut s, value_of(&e));
        h.set(Some(s));
    })
}

fn bars(
    title: &str,
    x: &str,
    y: &str,
    cats: Vec<String>,
    series: Vec<(String, Vec<f64>)>,
) -> Rc<Chart> {
    Rc::new(Chart {
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        kind: Kind::Bars {
            categories: cats,
            series,
        },
    })
}

fn caution(c: &Option<String>) -> Html {
    match c {
        Some(m) => html! { <p class="warnbox">{ m }</p> },
        None => html! {},
    }
}

fn p_words(p: Option<f64>) -> String {
    match p {
        None => "no test possible (no spread in the answers)".into(),
        Some(p) if p < 0.01 => format!("p = {p:.3}: very unlikely to be chance alone (below 1%)"),
        Some(p) if p < 0.05 => format!("p = {p:.3}: unlikely to be chance alone (below 5%)"),
        Some(p) => {
            format!("p = {p:.2}: a gap this size could well be chance; do not read much into it")
        }
    }
}

fn fetch<T: Clone + 'static>(
    ctx: &AppContext,
    src: &Source,
    key: &str,
    task: Task,
    unpack: fn(&Output) -> Option<T>,
    h: UseStateHandle<Fetched<T>>,
) {
    let done = move |r: Result<Rc<Output>, String>| {
        h.set(Some(r.and_then(|o| {
            unpack(&o)
                .map(Rc::new)
                .ok_or_else(|| "the worker returned another kind of result".to_string())
        })))
    };
    ctx.ctl.run_cached(src, key, task, done);
}

/// The Satisfaction page.
#[component]
pub fn SatisfactionPage() -> Html {
    let ctx = use_context::<AppContext>();
    let settings = use_state(|| None::<Settings>);
    let clv_res = use_state(|| None::<Result<Rc<ClvResult>, String>>);
    let seg_res = use_state(|| None::<Result<Rc<SegmentResult>, String>>);
    let trend_score = use_state(|| 0usize);
    let tx = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let sv = ctx.as_ref().and_then(|c| c.state.workspace.survey.clone());
    let tx_key = match (&ctx, &tx) {
        (Some(c), Some(t)) => Some(c.ctl.data_key(t)),
        _ => None,
    };
    let sv_key = match (&ctx, &sv) {
        (Some(c), Some(t)) => Some(c.ctl.data_key(t)),
        _ => None,
    };
    {
        let (ctx, tx, clv_res, seg_res) =
            (ctx.clone(), tx.clone(), clv_res.clone(), seg_res.clone());
        use_effect_with(tx_key.clone(), move |_| {
            clv_res.set(None);
            seg_res.set(None);
            if let (Some(ctx), Some(t)) = (ctx, tx) {
                if let Some(sum) = t.data.summary.clone() {
                    fetch(
                        &ctx,
                        &t,
                        clv::DEFAULT_KEY,
                        Task::Clv(Box::new(clv::default_request(sum.clone()))),
                        |o| match o {
                            Output::Clv(r) => Some((**r).clone()),
                            _ => None,
                        },
                        clv_res,
                    );
                    fetch(
                        &ctx,
                        &t,
                        segment::DEFAULT_KEY,
                        Task::Segment(Box::new(segment::default_request(sum))),
                        |o| match o {
                            Output::Segment(r) => Some((**r).clone()),
                            _ => None,
                        },
                        seg_res,
                    );
                }
            }
        });
    }
    let cur: Option<Settings> = match (&sv, &sv_key) {
        (Some(s), Some(k)) => s.data.survey.as_ref().map(|t| match &*settings {
            Some(st) if &st.survey_id == k => st.clone(),
            _ => detect(t, k),
        }),
        _ => None,
    };
    let clv_ok = clv_res.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let seg_ok = seg_res.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let result = {
        let (sv, tx) = (sv.clone(), tx.clone());
        let (clv_ok, seg_ok) = (clv_ok.clone(), seg_ok.clone());
        use_memo(
            (
                cur.clone(),
                tx_key.clone(),
                clv_ok.is_some(),
                seg_ok.is_some(),
            ),
            move |(cur, _, _, _)| {
                let (Some(st), Some(survey)) =
                    (cur, sv.as_ref().and_then(|s| s.data.survey.as_ref()))
                else {
                    return None;
                };
                let summary = tx.as_ref().and_then(|t| t.data.summary.as_ref());
                let o = Outcomes::new(summary, clv_ok.as_deref(), seg_ok.as_deref());
                Some(Rc::new(analyse(survey, st, &o)))
            },
        )
    };
    let Some(ctx) = ctx else {
        return html! {};
    };
    let (Some(src), Some(cur)) = (sv, cur) else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("survey responses")
        } else {
            super::booting()
        };
    };
    let Some(a) = (*result).clone() else {
        return super::booting();
    };
    let survey = src.data.survey.as_ref();
    let numeric: Vec<String> = survey
        .map(|s| s.items.iter().map(|i| i.name.clone()).collect())
        .unwrap_or_default();
    let clv_note = match &*clv_res {
        None if tx.is_some() => Some("The lifetime-value fit is running…".to_string()),
        None => Some("Load a transaction log on the Data page to link satisfaction to customer value.".to_string()),
        Some(Err(e)) => Some(format!("P(alive) and CLV are not available yet: the lifetime-value fit gave no result ({e}). The figures below use what the transaction log gives directly.")),
        Some(Ok(_)) => None,
    };
    let seg_note = match &*seg_res {
        None if tx.is_some() => Some("The segmentation is running…".to_string()),
        None => {
            Some("Load a transaction log on the Data page to see scores by segment.".to_string())
        }
        Some(Err(e)) => Some(format!(
            "Segments are not available yet: the segmentation gave no result ({e})."
        )),
        Some(Ok(_)) => None,
    };
    html! {
        <section class="satisfaction">
            <h1>{ "Satisfaction" }</h1>
            <p class="lead" data-testid="sat-lead">{ format!("{} responses in {}{}", a.responses, src.meta.name,
                tx.as_ref().map(|t| format!("; customers from {}", t.meta.name)).unwrap_or_default()) }</p>
            { columns_card(&settings, &cur, &numeric) }
            { score_cards(&a, &cur) }
            { nps_test_card(&settings, &cur, &a, seg_note.as_deref()) }
            { trends_card(&a, &cur, &settings, &trend_score) }
            { disconfirmation_card(&a, &cur, &settings) }
            { cumulative_card(&a, &cur, &settings, clv_note.as_deref()) }
            { ipa_card(&a, &cur, &settings) }
            { kano_card(&a) }
            { link_card(&a, clv_note.as_deref()) }
            { segment_card(&a, seg_note.as_deref()) }
        </section>
    }
}

fn col_select(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    label: &str,
    testid: &str,
    chosen: Option<&str>,
    names: &[String],
    f: impl Fn(&mut Settings, Option<String>) + 'static,
) -> Html {
    let onchange = edit(h, cur, move |s, v| f(s, (!v.is_empty()).then_some(v)));
    html! {
        <label>{ label }{ " " }
            <select {onchange} data-testid={testid.to_string()}>
                <option value="" selected={chosen.is_none()}>{ "(none)" }</option>
                { for names.iter().map(|n| html! { <option value={n.clone()} selected={chosen == Some(n.as_str())}>{ n }</option> }) }
            </select>
        </label>
    }
}

fn num_input(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    label: &str,
    testid: &str,
    value: String,
    step: &str,
    f: impl Fn(&mut Settings, f64) + 'static,
) -> Html {
    let onchange = edit(h, cur, move |s, v| {
        if let Ok(x) = v.trim().replace(',', ".").parse::<f64>() {
            if x.is_finite() {
                f(s, x);
            }
        }
    });
    html! {
        <label>{ label }{ " " }<input type="number" step={step.to_string()} value={value} {onchange} data-testid={testid.to_string()} style="width:5.5rem" /></label>
    }
}

fn q_text(q: &Option<Question>) -> String {
    q.as_ref()
        .map(|q| format!("{}–{}, higher is better", q.min, q.max))
        .unwrap_or_else(|| "not chosen".into())
}

fn columns_card(h: &UseStateHandle<Option<Settings>>, cur: &Settings, names: &[String]) -> Html {
    let set_q = |q: &mut Option<Question>, v: Option<String>, fb: (i32, i32)| {
        *q = v.map(|n| {
            let (lo, hi) = q.as_ref().map_or(fb, |q| (q.min, q.max));
            Question::new(n, lo, hi)
        });
    };
    let csat = cur.csat.clone();
    html! {
        <details class="card" data-testid="sat-columns">
            <summary><strong>{ "Questions and columns" }</strong>{ format!(
                " — NPS: {}; CSAT: {}; CES: {}; overall: {}; {} attribute(s); {} Kano feature(s) (click to change)",
                cur.nps.as_deref().unwrap_or("none"),
                cur.csat.as_ref().map_or("none".into(), |q| format!("{} ({})", q.name, q_text(&cur.csat))),
                cur.ces.as_ref().map_or("none".into(), |q| format!("{} ({})", q.name, q_text(&cur.ces))),
                cur.overall.as_ref().map_or("none".into(), |q| format!("{} ({})", q.name, q_text(&cur.overall))),
                cur.attributes.len(), cur.kano.len()) }</summary>
            <div class="row">
                { col_select(h, cur, "NPS (0–10)", "col-nps", cur.nps.as_deref(), names, |s, v| s.nps = v) }
                { col_select(h, cur, "CSAT", "col-csat", cur.csat.as_ref().map(|q| q.name.as_str()), names, move |s, v| set_q(&mut s.csat, v, (1, 5))) }
                { col_select(h, cur, "CES (1–7)", "col-ces", cur.ces.as_ref().map(|q| q.name.as_str()), names, move |s, v| set_q(&mut s.ces, v, (1, 7))) }
                { col_select(h, cur, "Overall satisfaction", "col-overall", cur.overall.as_ref().map(|q| q.name.as_str()), names, move |s, v| set_q(&mut s.overall, v, (1, 7))) }
            </div>
            if let Some(q) = csat {
                <div class="row">
                    { num_input(h, cur, "CSAT scale from", "csat-min", q.min.to_string(), "1", |s, x| if let Some(q) = &mut s.csat { q.min = x.round() as i32 }) }
                    { num_input(h, cur, "to", "csat-max", q.max.to_string(), "1", |s, x| if let Some(q) = &mut s.csat { q.max = x.round() as i32 }) }
                    { num_input(h, cur, "top boxes counted as satisfied", "csat-top", cur.top_boxes.to_string(), "1", |s, x| s.top_boxes = x.round().clamp(1.0, 10.0) as u32) }
                </div>
            }
            <p class="note">{ "Attributes (expectation / performance / importance): " }{
                if cur.attributes.is_empty() { "none found (name columns exp_X, perf_X, imp_X)".to_string() } else {
                    cur.attributes.iter().map(|a| format!("{} ({} / {} / {})", a.name, a.exp.as_deref().unwrap_or("–"), a.perf, a.imp.as_deref().unwrap_or("–"))).collect::<Vec<_>>().join("; ")
                } }</p>
            <p class="note">{ "Kano pairs (functional / dysfunctional): " }{
                if cur.kano.is_empty() { "none found (name text columns kano_func_X and kano_dys_X)".to_string() } else {
                    cur.kano.iter().map(|k| format!("{} ({} / {})", k.feature, k.functional, k.dysfunctional)).collect::<Vec<_>>().join("; ")
                } }</p>
        </details>
    }
}

fn score_cards(a: &Analysis, cur: &Settings) -> Html {
    let err = |e: &str| html! { <span class="errbox">{ e }</span> };
    html! {
        <div class="grid" data-testid="score-cards">
            <div class="card kpi" data-testid="nps-card">
                <span class="label">{ "Net Promoter Score (−100 to 100)" }</span>
                { match &a.nps {
                    None => html! { <span class="sub">{ "No NPS column chosen." }</span> },
                    Some(Err(e)) => err(e),
                    Some(Ok(s)) => html! { <>
                        <span class="value" data-testid="nps-value">{ format!("{:.1}", s.nps) }</span>
                        <span class="sub" data-testid="nps-ci">{ format!("95% interval {:.1} to {:.1}", s.ci_low, s.ci_high) }</span>
                        <span class="sub" data-testid="nps-breakdown">{ format!("promoters {} ({}), passives {} ({}), detractors {} ({})",
                            s.promoters, pct(s.p), s.passives, pct(if s.n > 0 { s.passives as f64 / s.n as f64 } else { 0.0 }), s.detractors, pct(s.d)) }</span>
                        <span class="sub" data-testid="nps-n">{ format!("n = {}{}", s.n, if s.invalid > 0 { format!(" ({} answers off the 0–10 scale left out)", s.invalid) } else { String::new() }) }</span>
                        { caution(&s.caution) }
                    </> },
                } }
            </div>
            <div class="card kpi" data-testid="csat-card">
                <span class="label">{ cur.csat.as_ref().map_or("CSAT".to_string(), |q| format!("CSAT: top-{} box on {}–{}", cur.top_boxes, q.min, q.max)) }</span>
                { match &a.csat {
                    None => html! { <span class="sub">{ "No CSAT column chosen." }</span> },
                    Some(Err(e)) => err(e),
                    Some(Ok(s)) => html! { <>
                        <span class="value" data-testid="csat-value">{ pct(s.share) }</span>
                        <span class="sub" data-testid="csat-ci">{ format!("95% interval {} to {} (Wilson)", pct(s.ci_low), pct(s.ci_high)) }</span>
                        <span class="sub">{ format!("{} of {} satisfied; mean {:.2}", s.top, s.n, s.mean) }</span>
                        <span class="sub" data-testid="csat-n">{ format!("n = {}", s.n) }</span>
                        { caution(&s.caution) }
                    </> },
                } }
            </div>
            <div class="card kpi" data-testid="ces-card">
                <span class="label">{ cur.ces.as_ref().map_or("Customer Effort Score".to_string(), |q| format!("Customer Effort Score ({}–{}, agreeing it was easy)", q.min, q.max)) }</span>
                { match &a.ces {
                    None => html! { <span class="sub">{ "No CES column chosen." }</span> },
                    Some(Err(e)) => err(e),
                    Some(Ok(s)) => html! { <>
                        <span class="value" data-testid="ces-value">{ format!("{:.2}", s.mean) }</span>
                        <span class="sub">{ format!("95% interval {:.2} to {:.2}", s.ci_low, s.ci_high) }</span>
                        <span class="sub">{ format!("agree (5–7) {}; net (6–7 minus 1–3) {:+.1} points", pct(s.agree), 100.0 * s.net) }</span>
                        <span class="sub" data-testid="ces-n">{ format!("n = {}", s.n) }</span>
                        { caution(&s.caution) }
                    </> },
                } }
            </div>
            <div class="card kpi" data-testid="overall-card">
                <span class="label">{ cur.overall.as_ref().map_or("Overall satisfaction".to_string(), |q| format!("Overall satisfaction (mean on {}–{})", q.min, q.max)) }</span>
                { match a.overall {
                    None => html! { <span class="sub">{ "No overall satisfaction column chosen." }</span> },
                    Some((m, n)) => html! { <>
                        <span class="value" data-testid="overall-value">{ format!("{m:.2}") }</span>
                        <span class="sub">{ format!("n = {n}") }</span>
                        { caution(&crate::domain::satisfaction::caution(n).1) }
                    </> },
                } }
            </div>
        </div>
    }
}

fn nps_test_view(t: &analysis::NpsTest, testid: &str) -> Html {
    let d = &t.diff;
    html! {
        <div data-testid={testid.to_string()}>
            <p>{ format!("NPS {:.1} ({}, n = {}) against {:.1} ({}, n = {}): difference {:+.1} points, 95% interval {:+.1} to {:+.1}; z = {}.",
                t.a.1.nps, t.a.0, t.a.1.n, t.b.1.nps, t.b.0, t.b.1.n, d.difference, d.ci_low, d.ci_high,
                d.z.map_or("–".into(), |z| format!("{z:.2}"))) }</p>
            <p><strong>{ p_words(d.p_value) }</strong></p>
            if d.too_few { <p class="warnbox">{ "One of the groups has fewer than 30 answers: treat the test as a rough indication." }</p> }
        </div>
    }
}

fn nps_test_card(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    a: &Analysis,
    seg_note: Option<&str>,
) -> Html {
    if a.nps.is_none() {
        return html! {};
    }
    let on_date = edit(h, cur, |s, v| {
        s.split = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()
    });
    let seg_sel = |label: &str,
                   testid: &str,
                   chosen: Option<String>,
                   f: fn(&mut Settings, String)| {
        let onchange = edit(h, cur, f);
        html! { <label>{ label }{ " " }<select {onchange} data-testid={testid.to_string()}>
            { for a.segments.iter().map(|g| html! { <option value={g.clone()} selected={chosen.as_deref() == Some(g.as_str())}>{ g }</option> }) }
        </select></label> }
    };
    let by_seg = a.nps_by_segment.as_ref().map(|t| match t {
        Ok(t) => (t.a.0.clone(), t.b.0.clone()),
        Err(_) => (String::new(), String::new()),
    });
    html! {
        <div class="card" data-testid="nps-test">
            <h2>{ "Is the NPS of two groups really different?" }</h2>
            <p class="note">{ "A z-test on the difference of two NPS values, using each NPS's standard error. The p-value is the chance of a gap at least this large if both groups really had the same NPS." }</p>
            <h3>{ "Two periods" }</h3>
            <label>{ "Split date " }<input type="date" value={cur.split.map(|d| d.to_string()).unwrap_or_default()} onchange={on_date} data-testid="nps-split" /></label>
            { match &a.nps_by_date {
                None => html! { <p class="note">{ "Needs a date column and a split date." }</p> },
                Some(Err(e)) => html! { <p class="warnbox">{ e }</p> },
                Some(Ok(t)) => nps_test_view(t, "nps-test-date"),
            } }
            <h3>{ "Two segments" }</h3>
            if let Some(n) = seg_note { <p class="note">{ n }</p> }
            if a.segments.len() >= 2 {
                <div class="row">
                    { seg_sel("Segment", "nps-seg-a", by_seg.as_ref().map(|x| x.0.clone()), |s, v| s.seg_a = Some(v)) }
                    { seg_sel("against", "nps-seg-b", by_seg.as_ref().map(|x| x.1.clone()), |s, v| s.seg_b = Some(v)) }
                </div>
            }
            { match &a.nps_by_segment {
                None => html! {},
                Some(Err(e)) => html! { <p class="warnbox">{ e }</p> },
                Some(Ok(t)) => nps_test_view(t, "nps-test-segment"),
            } }
        </div>
    }
}

fn trend_chart<T>(title: &str, y: &str, pts: &[TrendPoint<T>], f: impl Fn(&T) -> f64) -> Rc<Chart> {
    let cats = pts
        .iter()
        .map(|p| format!("{} ({})", p.label.get(2..).unwrap_or(p.label.as_str()), p.n))
        .collect();
    let vals = pts
        .iter()
        .map(|p| p.value.as_ref().map_or(f64::NAN, &f))
        .collect();
    bars(
        title,
        "Period (answers)",
        y,
        cats,
        vec![(y.to_string(), vals)],
    )
}

fn trends_card(
    a: &Analysis,
    cur: &Settings,
    h: &UseStateHandle<Option<Settings>>,
    which: &UseStateHandle<usize>,
) -> Html {
    let on_period = edit(h, cur, |s, v| {
        s.period = if v == "quarter" {
            Period::Quarter
        } else {
            Period::Month
        }
    });
    let charts: Vec<(String, Rc<Chart>)> = [
        (!a.trend_nps.is_empty()).then(|| {
            (
                "NPS".to_string(),
                trend_chart("NPS by period", "NPS", &a.trend_nps, |s| s.nps),
            )
        }),
        (!a.trend_csat.is_empty()).then(|| {
            (
                "CSAT".to_string(),
                trend_chart(
                    "CSAT by period",
                    "CSAT top-box share (%)",
                    &a.trend_csat,
                    |v| *v,
                ),
            )
        }),
        (!a.trend_ces.is_empty()).then(|| {
            (
                "CES".to_string(),
                trend_chart("CES by period", "CES mean", &a.trend_ces, |v| *v),
            )
        }),
        (!a.trend_overall.is_empty()).then(|| {
            (
                "Overall".to_string(),
                trend_chart(
                    "Overall satisfaction by period",
                    "Overall mean",
                    &a.trend_overall,
                    |v| *v,
                ),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if charts.is_empty() {
        return html! { <div class="card"><h2>{ "Trends" }</h2><p class="note">{ "Trends need a date column." }</p></div> };
    }
    let idx = (**which).min(charts.len() - 1);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let labels: std::collections::BTreeSet<String> = a
        .trend_nps
        .iter()
        .map(|p| p.label.clone())
        .chain(a.trend_csat.iter().map(|p| p.label.clone()))
        .chain(a.trend_ces.iter().map(|p| p.label.clone()))
        .chain(a.trend_overall.iter().map(|p| p.label.clone()))
        .collect();
    for l in labels {
        let n_of = |v: Option<(u64, f64)>| match v {
            Some((n, x)) => vec![Cell::Num(x, 1), Cell::Num(n as f64, 0)],
            None => vec![Cell::Text("–".into()), Cell::Num(0.0, 0)],
        };
        let mut r = vec![Cell::Text(l.clone())];
        r.extend(n_of(
            a.trend_nps
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.as_ref().map(|s| (p.n, s.nps))),
        ));
        r.extend(n_of(
            a.trend_csat
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.map(|v| (p.n, v))),
        ));
        r.extend(n_of(
            a.trend_ces
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.map(|v| (p.n, v))),
        ));
        r.extend(n_of(
            a.trend_overall
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.map(|v| (p.n, v))),
        ));
        rows.push(r);
    }
    let headers = [
        "Period",
        "NPS",
        "n (NPS)",
        "CSAT %",
        "n (CSAT)",
        "CES mean",
        "n (CES)",
        "Overall mean",
        "n (overall)",
    ]
    .map(String::from)
    .to_vec();
    html! {
        <div class="card" data-testid="trends">
            <h2>{ "Trends" }</h2>
            <div class="row">
                <label>{ "By " }<select onchange={on_period} data-testid="trend-period">
                    <option value="month" selected={cur.period == Period::Month}>{ "month" }</option>
                    <option value="quarter" selected={cur.period == Period::Quarter}>{ "quarter" }</option>
                </select></label>
                <span class="tabs">{ for charts.iter().enumerate().map(|(i, (name, _))| {
                    let w = which.clone();
                    html! { <button class={if i == idx { "" } else { "secondary" }} onclick={Callback::from(move |_| w.set(i))}>{ name }</button> }
                }) }</span>
            </div>
            if let Some((_, c)) = charts.get(idx) {
                <ChartCard chart={c.clone()} testid="trend-chart" note="Each bar's label gives its period (year without the century) and, in brackets, its number of answers; periods with fewer than 30 answers move a lot by chance." />
            }
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="satisfaction-trends.csv" testid="trend-table" page_size={12} />
        </div>
    }
}

fn disconfirmation_card(
    a: &Analysis,
    cur: &Settings,
    h: &UseStateHandle<Option<Settings>>,
) -> Html {
    let Some(d) = &a.disconfirmation else {
        return html! { <div class="card"><h2>{ "Performance against expectations" }</h2><p class="note">{ "Needs expectation and performance columns per attribute (exp_X and perf_X)." }</p></div> };
    };
    let cats: Vec<String> = d
        .by_attribute
        .iter()
        .map(|s| format!("{} (n={})", s.name, s.n))
        .collect();
    let ser = |name: &str,
               f: fn(
        &crate::domain::satisfaction::disconfirmation::DisconfirmationShares,
    ) -> f64| {
        (
            name.to_string(),
            d.by_attribute
                .iter()
                .map(|s| 100.0 * f(s))
                .collect::<Vec<_>>(),
        )
    };
    let chart = bars(
        "Performance against expectations by attribute",
        "Attribute (answers)",
        "Share of answers (%)",
        cats,
        vec![
            ser("Dissatisfied", |s| s.dissatisfied_share),
            ser("Satisfied", |s| s.satisfied_share),
            ser("Delighted", |s| s.delighted_share),
        ],
    );
    let table = |v: &[crate::domain::satisfaction::disconfirmation::DisconfirmationShares],
                 first: &str| {
        let headers = [
            first,
            "n",
            "Mean performance − expectation",
            "Dissatisfied %",
            "Satisfied %",
            "Delighted %",
        ]
        .map(String::from)
        .to_vec();
        let rows = v
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.name.clone()),
                    Cell::Num(s.n as f64, 0),
                    Cell::Num(s.mean_d, 2),
                    Cell::Num(100.0 * s.dissatisfied_share, 1),
                    Cell::Num(100.0 * s.satisfied_share, 1),
                    Cell::Num(100.0 * s.delighted_share, 1),
                ]
            })
            .collect::<Vec<_>>();
        (Rc::new(headers), Rc::new(rows))
    };
    let (h1, r1) = table(&d.by_attribute, "Attribute");
    let (h2, r2) = table(&d.by_group, "Segment");
    let on_tol = edit(h, cur, |s, v| {
        if let Ok(x) = v.replace(',', ".").parse::<f64>() {
            if x.is_finite() && x >= 0.0 {
                s.tolerance = x
            }
        }
    });
    html! {
        <div class="card" data-testid="disconfirmation">
            <h2>{ "Performance against expectations" }</h2>
            <p class="note">{ if cur.tolerance > 0.0 {
                format!("For each answer D = performance − expectation. Dissatisfied when D < −{t}, satisfied when −{t} ≤ D ≤ {t}, delighted when D > {t} (tolerance {t} scale points).", t = cur.tolerance)
            } else {
                "For each answer D = performance − expectation. Dissatisfied when performance falls below expectation (D < 0), satisfied when it meets it exactly (D = 0), delighted when it exceeds it (D > 0). Raise the tolerance to count small gaps as met.".to_string()
            } }</p>
            <label>{ "Tolerance (scale points) " }<input type="number" min="0" step="0.5" value={cur.tolerance.to_string()} onchange={on_tol} data-testid="tolerance" style="width:5rem" /></label>
            <ChartCard chart={chart} testid="disconfirmation-chart" />
            <DataTable headers={h1} rows={r1} export_name="disconfirmation-by-attribute.csv" testid="disconfirmation-table" />
            if !d.by_group.is_empty() {
                <h3>{ "By segment (all attributes together)" }</h3>
                <DataTable headers={h2} rows={r2} export_name="disconfirmation-by-segment.csv" testid="disconfirmation-segments" />
            }
        </div>
    }
}

fn predictor_text(label: &str, c: &PredictorComparison) -> Html {
    let f = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    html! {
        <li>{ format!("Against {label} ({} customers): rank correlation with cumulative satisfaction {}, with the latest answer {}. ",
            c.n, f(c.spearman_cumulative), f(c.spearman_latest)) }
            <strong>{ c.better.clone().map_or("Neither predicts better here.".into(), |b| format!("Better predictor in this data: {b}.")) }</strong>
            { caution(&c.caution) }
        </li>
    }
}

fn cumulative_card(
    a: &Analysis,
    cur: &Settings,
    h: &UseStateHandle<Option<Settings>>,
    clv_note: Option<&str>,
) -> Html {
    let Some(res) = &a.cumulative else {
        return html! { <div class="card"><h2>{ "Cumulative satisfaction" }</h2><p class="note">{ "Needs customer ids, dates and a satisfaction score." }</p></div> };
    };
    let on_w = edit(h, cur, |s, v| {
        if let Ok(x) = v.replace(',', ".").parse::<f64>() {
            if x > 0.0 && x <= 1.0 {
                s.weight = x
            }
        }
    });
    html! {
        <div class="card" data-testid="cumulative">
            <h2>{ "Cumulative satisfaction against the latest answer" }</h2>
            <p class="note">{ format!("Cumulative satisfaction is each customer's running evaluation: an exponentially weighted average of their answers to \"{}\" in date order, the newest answer weighted {}. Which one tells better who stays?", a.cumulative_of.clone().unwrap_or_default(), cur.weight) }</p>
            <label>{ "Weight of the newest answer (0–1) " }<input type="number" min="0.05" max="1" step="0.05" value={cur.weight.to_string()} onchange={on_w} data-testid="ew-weight" style="width:5rem" /></label>
            { match res {
                Err(e) => html! { <p class="errbox">{ e }</p> },
                Ok(cs) => {
                    let repeat = cs.iter().filter(|c| c.answers > 1).count();
                    let headers = Rc::new(["Customer", "Answers", "Cumulative", "Latest", "Latest date"].map(String::from).to_vec());
                    let rows = Rc::new(cs.iter().map(|c| vec![Cell::Text(c.customer_id.clone()), Cell::Num(f64::from(c.answers), 0),
                        Cell::Num(c.cumulative, 2), Cell::Num(c.latest, 2), Cell::Text(c.latest_date.to_string())]).collect::<Vec<_>>());
                    html! { <>
                        <p>{ format!("{} customers, {} of them answered more than once (only they can differ between the two measures).", cs.len(), repeat) }</p>
                        <ul data-testid="predictors">
                            if let Some(c) = &a.predict_alive { { predictor_text("P(alive) from the lifetime-value fit", c) } }
                            if let Some(c) = &a.predict_repeat { { predictor_text("repeat purchases", c) } }
                        </ul>
                        if let Some(n) = clv_note { <p class="note" data-testid="clv-note">{ n }</p> }
                        <DataTable headers={headers} rows={rows} export_name="cumulative-satisfaction.csv" testid="cumulative-table" page_size={10} />
                    </> }
                }
            } }
        </div>
    }
}

fn ipa_card(a: &Analysis, cur: &Settings, h: &UseStateHandle<Option<Settings>>) -> Html {
    let Some(res) = &a.ipa else {
        return html! { <div class="card"><h2>{ "Importance–performance" }</h2><p class="note">{ "Needs performance columns per attribute (perf_X)." }</p></div> };
    };
    let on_m = edit(h, cur, |s, v| {
        s.importance = match v.as_str() {
            "stated" => ImportanceChoice::Stated,
            "regression" => ImportanceChoice::Regression,
            _ => ImportanceChoice::Correlation,
        }
    });
    let body = match res {
        Err(e) => html! { <p class="warnbox">{ e }</p> },
        Ok(r) => {
            let chart = Rc::new(Chart {
                title: "Importance–performance".into(),
                x_label: "Performance (mean answer)".into(),
                y_label: format!("Importance ({})", r.method),
                kind: Kind::Scatter {
                    points: r
                        .points
                        .iter()
                        .map(|p| Point {
                            x: p.performance,
                            y: p.importance,
                            group: 0,
                            label: Some(p.attribute.clone()),
                        })
                        .collect(),
                    groups: vec!["Attribute".into()],
                    crosshair: Some((r.crosshair_performance, r.crosshair_importance)),
                    quadrants: Some([
                        "Concentrate here".into(),
                        "Keep up the good work".into(),
                        "Low priority".into(),
                        "Possible overkill".into(),
                    ]),
                },
            });
            let headers = Rc::new(
                ["Attribute", "Importance", "Performance", "Quadrant"]
                    .map(String::from)
                    .to_vec(),
            );
            let rows = Rc::new(
                r.points
                    .iter()
                    .map(|p| {
                        vec![
                            Cell::Text(p.attribute.clone()),
                            Cell::Num(p.importance, 3),
                            Cell::Num(p.performance, 2),
                            Cell::Text(p.quadrant.name().into()),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            html! { <>
                <ChartCard chart={chart} testid="ipa-chart" note={format!("{} respondents. Lines at the mean importance ({:.3}) and mean performance ({:.2}) over the attributes.", r.n, r.crosshair_importance, r.crosshair_performance)} />
                { caution(&r.caution) }
                <DataTable headers={headers} rows={rows} export_name="importance-performance.csv" testid="ipa-table" />
            </> }
        }
    };
    html! {
        <div class="card" data-testid="ipa">
            <h2>{ "Importance–performance" }</h2>
            <label>{ "Importance from " }<select onchange={on_m} data-testid="ipa-method">
                <option value="stated" selected={cur.importance == ImportanceChoice::Stated}>{ "what customers stated (mean of imp_ columns)" }</option>
                <option value="correlation" selected={cur.importance == ImportanceChoice::Correlation}>{ "correlation with overall satisfaction" }</option>
                <option value="regression" selected={cur.importance == ImportanceChoice::Regression}>{ "regression on overall satisfaction (standardized)" }</option>
            </select></label>
            { body }
        </div>
    }
}

fn kano_card(a: &Analysis) -> Html {
    if a.kano.is_empty() {
        return html! { <div class="card"><h2>{ "Kano" }</h2><p class="note">{ "No Kano pairs found: name the answer columns kano_func_X and kano_dys_X (answers like, expect, neutral, live with, dislike)." }</p></div> };
    }
    let headers = Rc::new(
        [
            "Feature",
            "n",
            "Attractive",
            "One-dimensional",
            "Must-be",
            "Indifferent",
            "Reverse",
            "Questionable",
            "Category",
            "Better",
            "Worse",
            "Questionable %",
        ]
        .map(String::from)
        .to_vec(),
    );
    let rows = Rc::new(
        a.kano
            .iter()
            .map(|k| {
                let cat = match (&k.category, k.tied.len()) {
                    (_, t) if t > 1 => format!(
                        "tie: {}",
                        k.tied
                            .iter()
                            .map(|c| c.name())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    ),
                    (Some(c), _) => c.name().to_string(),
                    (None, _) => "–".into(),
                };
                let c = &k.counts;
                vec![
                    Cell::Text(k.feature.clone()),
                    Cell::Num(k.n as f64, 0),
                    Cell::Num(c.a as f64, 0),
                    Cell::Num(c.o as f64, 0),
                    Cell::Num(c.m as f64, 0),
                    Cell::Num(c.i as f64, 0),
                    Cell::Num(c.r as f64, 0),
                    Cell::Num(c.q as f64, 0),
                    Cell::Text(cat),
                    Cell::Num(k.better.unwrap_or(f64::NAN), 2),
                    Cell::Num(
                        k.worse
                            .map_or(f64::NAN, |w| (w * 100.0).round() / 100.0 + 0.0),
                        2,
                    ),
                    Cell::Num(100.0 * k.questionable_rate, 1),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let chart = Rc::new(Chart {
        title: "Kano Better and Worse".into(),
        x_label: "Worse (|coefficient|): dissatisfaction when missing".into(),
        y_label: "Better: satisfaction when present".into(),
        kind: Kind::Scatter {
            points: a
                .kano
                .iter()
                .filter_map(|k| {
                    Some(Point {
                        x: k.worse?.abs(),
                        y: k.better?,
                        group: 0,
                        label: Some(k.feature.clone()),
                    })
                })
                .collect(),
            groups: vec!["Feature".into()],
            crosshair: Some((0.5, 0.5)),
            quadrants: Some([
                "Attractive".into(),
                "One-dimensional".into(),
                "Indifferent".into(),
                "Must-be".into(),
            ]),
        },
    });
    let cautions: Vec<String> = a
        .kano
        .iter()
        .filter_map(|k| k.caution.as_ref().map(|c| format!("{}: {c}", k.feature)))
        .collect();
    html! {
        <div class="card" data-testid="kano">
            <h2>{ "Kano: what kind of feature is it?" }</h2>
            <p class="note">{ "Each customer answers how they would feel with the feature and without it. Better = (A+O)/(A+O+M+I); Worse = −(O+M)/(A+O+M+I). Questionable answers (liking both, or disliking both) point to a confusing question." }</p>
            <DataTable headers={headers} rows={rows} export_name="kano.csv" testid="kano-table" />
            { for cautions.iter().map(|c| html! { <p class="warnbox">{ c }</p> }) }
            <ChartCard chart={chart} testid="kano-chart" note="Each feature's number of answers is in the table above. Lines at 0.5. Top left: attractive (delights, not missed); top right: one-dimensional; bottom right: must-be; bottom left: indifferent." />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinkViewProps {
    title: AttrValue,
    links: Rc<Vec<OutcomeLink>>,
    testid: AttrValue,
}

/// Satisfaction classes against each outcome: one chart at a time (buttons), all in the table.
#[component]
fn LinkView(p: &LinkViewProps) -> Html {
    let which = use_state(|| 0usize);
    if p.links.is_empty() {
        return html! {};
    }
    let title = p.title.to_string();
    let idx = (*which).min(p.links.len() - 1);
    let chart = p.links.get(idx).map(|l| {
        let cats = l
            .by_class
            .iter()
            .map(|c| format!("{} (n={})", c.class, c.n))
            .collect();
        bars(
            &format!("{} by {title}", l.outcome),
            &title,
            &format!("Mean {}", l.outcome),
            cats,
            vec![(
                l.outcome.clone(),
                l.by_class.iter().map(|c| c.mean).collect(),
            )],
        )
    });
    let headers = Rc::new(
        [
            "Outcome",
            "Class",
            "Customers",
            "Mean",
            "Rank correlation (all answers)",
        ]
        .map(String::from)
        .to_vec(),
    );
    let rows = Rc::new(
        p.links
            .iter()
            .flat_map(|l| {
                l.by_class.iter().map(move |c| {
                    vec![
                        Cell::Text(l.outcome.clone()),
                        Cell::Text(c.class.clone()),
                        Cell::Num(c.n as f64, 0),
                        Cell::Num(c.mean, 3),
                        Cell::Num(l.spearman.unwrap_or(f64::NAN), 3),
                    ]
                })
            })
            .collect::<Vec<_>>(),
    );
    html! { <>
        <h3>{ format!("By {title}") }</h3>
        <span class="tabs">{ for p.links.iter().enumerate().map(|(i, l)| {
            let w = which.clone();
            html! { <button class={if i == idx { "" } else { "secondary" }} onclick={Callback::from(move |_| w.set(i))}>{ &l.outcome }</button> }
        }) }</span>
        if let Some(c) = chart { <ChartCard chart={c} testid={format!("{}-chart", p.testid)} /> }
        <DataTable headers={headers} rows={rows} export_name={format!("{}.csv", p.testid)} testid={p.testid.clone()} />
    </> }
}

fn link_card(a: &Analysis, clv_note: Option<&str>) -> Html {
    let Some(m) = &a.matched else {
        return html! { <div class="card"><h2>{ "Satisfaction and customer value" }</h2><p class="note">{ "Needs customer ids in the survey and a transaction log (Data page) to join them to." }</p></div> };
    };
    html! {
        <div class="card" data-testid="link">
            <h2>{ "Satisfaction and customer value" }</h2>
            <p data-testid="match-rate">{ format!("{} of {} respondents found among the customers ({}).", m.matched, m.respondents, pct(m.match_rate)) }</p>
            if !m.unmatched_examples.is_empty() { <p class="note">{ format!("Not found, for example: {}", m.unmatched_examples.join(", ")) }</p> }
            if let Some(n) = clv_note { <p class="note">{ n }</p> }
            <p class="note">{ "Each customer's latest answer is put in a class and compared with what they did: repeat purchases and spend from the transaction log; P(alive) and CLV from the lifetime-value fit." }</p>
            <LinkView title="NPS category" links={Rc::new(a.link_nps.clone())} testid="link-nps" />
            <LinkView title="CSAT class" links={Rc::new(a.link_csat.clone())} testid="link-csat" />
        </div>
    }
}

fn segment_card(a: &Analysis, seg_note: Option<&str>) -> Html {
    if a.by_segment.is_empty() {
        return html! { <div class="card" data-testid="by-segment"><h2>{ "Scores by segment" }</h2><p class="note">{ seg_note.unwrap_or("No respondent matched a segmented customer.") }</p></div> };
    }
    let out_names: Vec<String> = a
        .by_segment
        .first()
        .map(|g| g.outcomes.iter().map(|o| o.0.clone()).collect())
        .unwrap_or_default();
    let mut headers = [
        "Segment",
        "Responses",
        "NPS",
        "CSAT %",
        "CES mean",
        "Overall mean",
    ]
    .map(String::from)
    .to_vec();
    headers.extend(out_names.iter().map(|o| format!("Mean {o}")));
    let rows = a
        .by_segment
        .iter()
        .map(|g| {
            let mut r = vec![
                Cell::Text(g.name.clone()),
                Cell::Num(g.n as f64, 0),
                Cell::Num(g.nps.as_ref().map_or(f64::NAN, |s| s.nps), 1),
                Cell::Num(g.csat.as_ref().map_or(f64::NAN, |s| 100.0 * s.share), 1),
                Cell::Num(g.ces.as_ref().map_or(f64::NAN, |s| s.mean), 2),
                Cell::Num(g.overall.map_or(f64::NAN, |o| o.0), 2),
            ];
            r.extend(
                g.outcomes
                    .iter()
                    .map(|o| Cell::Num(o.1.unwrap_or(f64::NAN), 2)),
            );
            r
        })
        .collect::<Vec<_>>();
    let chart = bars(
        "NPS by segment",
        "Segment (answers)",
        "NPS",
        a.by_segment
            .iter()
            .map(|g| format!("{} (n={})", g.name, g.n))
            .collect(),
        vec![(
            "NPS".into(),
            a.by_segment
                .iter()
                .map(|g| g.nps.as_ref().map_or(f64::NAN, |s| s.nps))
                .collect(),
        )],
    );
    html! {
        <div class="card" data-testid="by-segment">
            <h2>{ "Scores by segment" }</h2>
            <ChartCard chart={chart} testid="segment-nps-chart" />
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="satisfaction-by-segment.csv" testid="segment-table" />
        </div>
    }
}
