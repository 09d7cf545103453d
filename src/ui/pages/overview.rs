//! The Overview page: the first page once data exists. Customers and active customers, customer
//! equity with its range, revenue concentration, NPS and CSAT with their intervals, the segments
//! holding the most value and the most value at risk, and three to five recommended actions,
//! each with the figure behind it and a link to the page and customers it names. Every figure
//! links to the page that computed it.
//!
//! The page computes nothing itself: it gathers the results the other pages share (the default
//! lifetime-value fit, its ranges, the default segmentation) and hands them to
//! [`crate::analysis::overview::build`].

use crate::analysis::clv::IntervalRequest;
use crate::analysis::overview::{self, Figure, Inputs, Overview, SegmentValue, SurveyPart, Unit};
use crate::domain::clv::intervals::Total;
use crate::ui::components::explain::Explain;
use crate::ui::components::Section;
use crate::ui::components::{status, Load};
use crate::ui::format;
use crate::ui::state::{AppContext, Source};
use crate::worker::clv::{self, ClvResult};
use crate::worker::error::WorkerError;
use crate::worker::satisfaction::{
    Linked, SatisfactionAsk, SatisfactionOutput, SatisfactionRequest,
};
use crate::worker::segment::{self, SegmentResult};
use std::rc::Rc;
use yew::prelude::*;

/// What the page gathered from the other analyses.
#[derive(Clone, PartialEq)]
pub struct Gathered {
    /// The default lifetime-value fit (Err: why none).
    pub clv: Option<Result<Rc<ClvResult>, String>>,
    /// Customer equity's range (Err: why none).
    pub equity: Option<Result<Total, String>>,
    /// The default segmentation.
    pub segments: Load<Rc<SegmentResult>>,
}

/// Runs (or reads from the results cache) everything the Overview reads for the open
/// transaction log: the default fit, then its ranges and the segmentation with its CLV. Shared
/// with the report page.
#[hook]
pub fn use_gathered(ctx: Option<AppContext>, tx: Option<Source>) -> Gathered {
    let clv_res = use_state(|| None::<Result<Rc<ClvResult>, String>>);
    let equity = use_state(|| None::<Result<Total, String>>);
    let seg =
        use_state(|| Load::<Rc<SegmentResult>>::Empty("Waiting for the lifetime values…".into()));
    // The import as well as the data key: a dataset sent again to a fresh worker is asked again.
    let tx_key = match (&ctx, &tx) {
        (Some(c), Some(t)) => Some((c.ctl.data_key(t), t.import_id())),
        _ => None,
    };
    {
        let (ctx, tx, clv_res, equity, seg) = (
            ctx.clone(),
            tx.clone(),
            clv_res.clone(),
            equity.clone(),
            seg.clone(),
        );
        use_effect_with(tx_key, move |_| {
            clv_res.set(None);
            equity.set(None);
            let (Some(ctx), Some(t)) = (ctx, tx) else {
                return;
            };
            let Some(sum) = t.data.summary.as_ref() else {
                return;
            };
            let header = crate::ui::pages::segments::summary_header(sum);
            let req = clv::default_request(header.clone());
            let (c2, t2) = (ctx.clone(), t.clone());
            ctx.ctl.clv(&t, clv::DEFAULT_KEY, req, false, move |r| {
                let r = match r {
                    Ok(r) => Ok(r),
                    // The dataset is being sent again: the page runs again when it is active.
                    Err(WorkerError::Resending { .. }) => return,
                    Err(e) => Err(e.to_string()),
                };
                // The segmentation, with the fit's CLV and P(alive) when there are some.
                let mut sreq = segment::default_request(header);
                let mut key = segment::DEFAULT_KEY.to_string();
                if let Ok(f) = &r {
                    if !f.clv.is_empty() {
                        sreq.clv = Some(f.clv.clone());
                        sreq.p_alive = Some(f.p_alive.clone());
                        key.push_str("+clv");
                    }
                }
                crate::ui::pages::segments::run_segmentation(&c2, &t2, &key, sreq, &seg);
                // Customer equity's range by parameter draws.
                match r
                    .as_ref()
                    .ok()
                    .and_then(|f| Some((f.model.clone()?, f.settings.clone()?, f.spend.clone())))
                {
                    Some((m, s, spend)) => {
                        let eq = equity.clone();
                        c2.ctl.worker.intervals(
                            &t2.meta.id,
                            m,
                            spend,
                            s,
                            IntervalRequest::default(),
                            move |res| {
                                eq.set(Some(res.map(|v| v.equity).map_err(|e| e.to_string())));
                            },
                        );
                    }
                    None => equity.set(Some(Err(
                        "there is no lifetime-value fit to draw from".into()
                    ))),
                }
                clv_res.set(Some(r));
            });
        });
    }
    Gathered {
        clv: (*clv_res).clone(),
        equity: (*equity).clone(),
        segments: (*seg).clone(),
    }
}

/// The survey's part of the overview for the open survey, computed in the worker
/// ([`crate::worker::satisfaction`]): empty with the reason when no survey is loaded, loading
/// until the worker answers.
#[hook]
pub fn use_survey_part(
    ctx: Option<AppContext>,
    tx: Option<Source>,
    g: &Gathered,
) -> Load<Rc<SurveyPart>> {
    let sv = ctx.as_ref().and_then(|c| c.state.workspace.survey.clone());
    let keys = match &ctx {
        Some(c) => (
            sv.as_ref().map(|s| c.ctl.data_key(s)),
            tx.as_ref().map(|t| (c.ctl.data_key(t), t.import_id())),
        ),
        None => (None, None),
    };
    let clv_ok = g.clv.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let seg_ok = g.segments.ready().cloned();
    let has_survey = sv.as_ref().is_some_and(|s| s.data.survey.is_some())
        && tx.as_ref().is_some_and(|t| t.data.summary.is_some());
    let deps = (keys, clv_ok.is_some(), seg_ok.is_some());
    let part = use_state(|| None::<(SurveyDeps, Result<Rc<SurveyPart>, String>)>);
    {
        let part = part.clone();
        use_effect_with(deps.clone(), move |deps| {
            let survey = sv.as_ref().and_then(|s| s.data.survey.clone());
            let (Some(ctx), Some(survey), Some(tx)) = (ctx, survey, tx) else {
                return;
            };
            if tx.data.summary.is_none() {
                return;
            }
            let req = SatisfactionRequest {
                dataset: None,
                survey,
                linked: Linked::of(clv_ok.as_deref(), seg_ok.as_deref()),
                ask: SatisfactionAsk::Overview,
            };
            let key = deps.clone();
            ctx.ctl.satisfaction(Some(&tx), req, move |r| {
                let r = match r {
                    Ok(SatisfactionOutput::Overview(p)) => Ok(Rc::new(*p)),
                    Ok(_) => Err(WorkerError::Unexpected.to_string()),
                    // The customers are being sent again: the page asks again when they are.
                    Err(WorkerError::Resending { .. }) => return,
                    Err(e) => Err(format!("the survey's figures could not be computed ({e})")),
                };
                part.set(Some((key, r)));
            });
        });
    }
    match &*part {
        _ if !has_survey => Load::Empty(NO_SURVEY.into()),
        Some((k, Ok(p))) if *k == deps => Load::Ready(p.clone()),
        Some((k, Err(e))) if *k == deps => Load::Failed(e.clone()),
        _ => Load::Loading {
            fraction: None,
            stage: "Computing the survey's figures".into(),
        },
    }
}

/// What the survey's part was computed for: the survey's and the log's data keys, and whether
/// the fit and the segmentation had answered.
type SurveyDeps = ((Option<String>, Option<(String, usize)>), bool, bool);

/// Why the overview has no survey part without a survey.
const NO_SURVEY: &str = "no survey is loaded (add one on the Data page)";

/// The overview, once the fit and the segmentation have answered (None: still working).
pub fn assemble(tx: &Source, g: &Gathered, survey: &Load<Rc<SurveyPart>>) -> Option<Overview> {
    let survey: Result<&SurveyPart, &str> = match survey {
        Load::Ready(p) => Ok(p),
        Load::Empty(e) | Load::Failed(e) => Err(e.as_str()),
        Load::Loading { .. } => return None,
    };
    let summary = tx.data.summary.as_ref()?;
    let clv = g.clv.as_ref()?;
    let segments: Result<&SegmentResult, &str> = match &g.segments {
        Load::Ready(s) => Ok(s),
        Load::Failed(e) => Err(e.as_str()),
        _ => return None,
    };
    let ir = IntervalRequest::default();
    Some(overview::build(&Inputs {
        summary,
        clv: clv.as_ref().map(|r| &**r).map_err(String::as_str),
        equity: g
            .equity
            .as_ref()
            .map(|r| r.as_ref().map_err(String::as_str)),
        intervals: &ir,
        segments,
        survey,
        number_format: &format::current(),
    }))
}

/// A figure's value as the page writes it.
pub fn value_text(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Count => format::thousands(v, 0),
        Unit::Money => format::money_with(v, 0),
        Unit::Share => format::percent(v, 1),
        Unit::Score => format::fixed(v, 1),
    }
}

fn range_text(f: &Figure) -> Option<String> {
    let (lo, hi) = f.range?;
    Some(format!(
        "{}: {} to {}",
        f.range_note,
        value_text(f.unit, lo),
        value_text(f.unit, hi)
    ))
}

fn figure_card(f: &Figure) -> Html {
    let href = format!("#{}", f.source.route);
    html! { <div class="figure-wrap">
        <a class="card kpi-card" href={href} data-testid={format!("fig-{}", f.id)} title={format!("Computed on the {} page", f.source.page)}>
            <span class="label">{ &f.label }</span>
            { match f.value {
                Some(v) => html! { <span class="value" data-testid={format!("fig-{}-value", f.id)}>{ value_text(f.unit, v) }</span> },
                None => html! { <span class="value missing">{ "—" }</span> },
            } }
            if let Some(r) = range_text(f) { <span class="sub" data-testid={format!("fig-{}-range", f.id)}>{ r }</span> }
            if !f.missing.is_empty() { <span class="sub" data-testid={format!("fig-{}-missing", f.id)}>{ &f.missing }</span> }
            if !f.how.is_empty() { <span class="sub how" data-testid={format!("fig-{}-how", f.id)}>{ &f.how }</span> }
            <span class="source">{ format!("From: {} →", f.source.page) }</span>
        </a>
        if let Some(e) = &f.explain { <Explain filled={e.clone()} label={f.label.clone()} testid={format!("explain-fig-{}", f.id)} /> }
    </div> }
}

fn segment_list(rows: &[SegmentValue], testid: &str, unit: &str) -> Html {
    html! {
        <ol data-testid={testid.to_string()}>
            { for rows.iter().map(|r| html! {
                <li><a href={format!("#/segments?segment={}", overview::encode(&r.name))}>{ &r.name }</a>
                    { format!(": {}{}{unit}, {} ({} customers)", format::thousands(r.value, 0), if unit.is_empty() { "" } else { " " }, format::percent(r.share, 0), r.customers) }</li>
            }) }
        </ol>
    }
}

/// The overview's body (the report page shows it too).
pub fn overview_view(o: &Overview) -> Html {
    html! { <>
        <Section id="key-figures" title="Key figures" testid="key-figures" class={classes!("key-figures")}>
            <div class="kpis overview-figures" data-testid="overview-figures">
                { for o.figures.iter().map(figure_card) }
            </div>
        </Section>
        <div class="row">
            <Section id="top-value" title="Segments holding the most value" testid="top-value">
                <p class="note">{ format!("By {}; from the Segments page.", o.value_basis) }</p>
                { segment_list(&o.top_value, "top-value-list", "") }
            </Section>
            <Section id="top-risk" title="Segments with the most value at risk" testid="top-risk">
                <p class="note">{ "Lifetime value held by detractors (NPS 0–6); from the Satisfaction page." }</p>
                if o.top_risk.is_empty() { <p data-testid="risk-missing">{ &o.risk_missing }</p> }
                else { { segment_list(&o.top_risk, "top-risk-list", "at risk") } }
            </Section>
        </div>
        <Section id="actions" title="Recommended actions" testid="actions">
            <ol class="actions">
                { for o.actions.iter().enumerate().map(|(i, a)| html! {
                    <li data-testid={format!("action-{i}")} data-action={a.id.clone()} data-segment={a.segment.clone()} data-customers={a.customers.to_string()}>
                        <strong>{ &a.action }</strong>
                        <span class="because">{ format!(" Why: {}", a.because) }</span>
                        <a class="button secondary" href={a.link.href()} data-testid={format!("action-link-{i}")}>
                            { &a.link_text }
                        </a>
                    </li>
                }) }
            </ol>
        </Section>
        if !o.notes.is_empty() {
            <Section id="notes" title="Left out, and why" testid="overview-notes">
                <ul>{ for o.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
            </Section>
        }
    </> }
}

/// The Overview page.
#[component]
pub fn OverviewPage() -> Html {
    let progress = crate::ui::state::use_progress();
    let ctx = use_context::<AppContext>();
    let tx = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let g = use_gathered(ctx.clone(), tx.clone());
    let sp = use_survey_part(ctx.clone(), tx.clone(), &g);
    let failed = use_state(|| None::<String>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(tx) = tx else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("a transaction log")
        } else {
            super::booting()
        };
    };
    let load = match assemble(&tx, &g, &sp) {
        Some(o) => Load::Ready(o),
        None => Load::Loading {
            fraction: progress.as_ref().map(|p| p.fraction),
            stage: progress
                .as_ref()
                .map_or_else(|| "Gathering the analyses".to_string(), |p| p.stage.clone()),
        },
    };
    let report = super::report::download_button(&ctx, &tx, &g, &sp, &failed);
    html! {
        <section class="overview">
            <h1>{ "Overview" }</h1>
            <p class="lead" data-testid="overview-lead">{ format!("The figures that matter most for {}. Every figure links to the page that computed it; your data is on the ", tx.meta.name) }
                <a href="#/" data-testid="to-data">{ "Data page" }</a>{ "." }</p>
            <div class="row no-print">
                { report }
                <a class="button secondary" href="#/report" data-testid="open-report">{ "Print view (save as PDF)" }</a>
            </div>
            { status::view(&load, None, overview_view) }
        </section>
    }
}
