//! The Satisfaction page: NPS, CSAT and CES with their intervals, an NPS test between two
//! groups, trends, expectancy disconfirmation, cumulative satisfaction, importance–performance,
//! Kano, and satisfaction linked to customer value and segments. Every figure is computed in the
//! worker ([`crate::worker::satisfaction`]), so the survey statistics are not in the page's
//! download; the lifetime-value and segment results come from the worker cache.
//!
//! Cards: [`columns`] (which survey columns hold what), [`scores`] (NPS, CSAT, CES and the
//! NPS test), [`trends`], [`drivers`] (disconfirmation, cumulative, importance–performance,
//! Kano) and [`link`] (satisfaction against value and segments).

mod address;
mod columns;
mod drivers;
mod link;
mod scores;
mod trends;
mod value_risk;

pub mod analysis;

use crate::analysis::drivers::Drivers;
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::Section;
use crate::ui::components::StatusView;
use crate::ui::hooks::asks::use_asks;
use crate::ui::state::AppContext;
use crate::worker::clv::{self, ClvResult};
use crate::worker::error::WorkerError;
use crate::worker::satisfaction::{
    Linked, SatisfactionAsk, SatisfactionOutput, SatisfactionRequest,
};
use crate::worker::segment::{self, SegmentResult};
use analysis::{detect, Analysis, Settings};
use columns::columns_card;
use drivers::{cumulative_card, disconfirmation_card, ipa_card, kano_card};
use link::{link_card, segment_card};
use scores::{nps_test_card, score_cards};
use std::rc::Rc;
use trends::trends_card;
use wasm_bindgen::JsCast;
use yew::prelude::*;

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

/// A callback that edits the settings with a number typed in a form-kit field.
fn edit_number(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    f: impl Fn(&mut Settings, f64) + 'static,
) -> Callback<f64> {
    let (h, cur) = (h.clone(), cur.clone());
    Callback::from(move |x: f64| {
        let mut s = cur.clone();
        f(&mut s, x);
        h.set(Some(s));
    })
}

/// A callback that edits the settings with the changed control's value.
fn edit(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    f: impl Fn(&mut Settings, String) + 'static,
) -> Callback<Event> {
    edit_text(h, cur, f).reform(|e: Event| value_of(&e))
}

/// A callback that edits the settings with a form-kit input's text.
fn edit_text(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    f: impl Fn(&mut Settings, String) + 'static,
) -> Callback<String> {
    let (h, cur) = (h.clone(), cur.clone());
    Callback::from(move |v: String| {
        let mut s = cur.clone();
        f(&mut s, v);
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

/// What the page's answer was computed for: the settings, the customers' data key, and whether
/// the lifetime-value fit and the segmentation had answered.
type Deps = (Option<Settings>, Option<(String, usize)>, bool, bool);

/// The worker's answer: every figure, and the drivers.
type Answer = (Analysis, Drivers);

/// The Satisfaction page.
#[component]
pub fn SatisfactionPage() -> Html {
    let ctx = use_context::<AppContext>();
    let settings = use_state(|| None::<Settings>);
    let clv_res = use_state(|| None::<Result<Rc<ClvResult>, String>>);
    let seg_res = use_state(|| None::<Result<Rc<SegmentResult>, String>>);
    // A new ask on "Compute them again" after a cancel: the fit, the segmentation and the
    // analyses are asked for again (the first two answer from the cache when they had finished);
    // a cancelled ask stays cancelled when the customers are sent again to a fresh worker.
    let asks = use_asks();
    let trend_score = use_state(|| 0usize);
    let tx = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let sv = ctx.as_ref().and_then(|c| c.state.workspace.survey.clone());
    // The import as well as the data key: a dataset sent again to a fresh worker (after a
    // cancel or a crash) is asked again once it is held.
    let tx_key = match (&ctx, &tx) {
        (Some(c), Some(t)) => Some((c.ctl.data_key(t), t.import_id())),
        _ => None,
    };
    let sv_key = match (&ctx, &sv) {
        (Some(c), Some(t)) => Some(c.ctl.data_key(t)),
        _ => None,
    };
    // The score columns come from the address (a bookmark, back and forward), the columns found
    // in the survey when it names none; choosing a column writes them there (columns.rs). They
    // are read at each render, so the view always follows the address.
    let query = address::use_query();
    let push = address::use_push();
    let detected = {
        let sv = sv.clone();
        use_memo(sv_key.clone(), move |key| {
            let (Some(key), Some(t)) = (key, sv.as_ref().and_then(|s| s.data.survey.as_ref()))
            else {
                return None;
            };
            Some(detect(t, key))
        })
    };
    {
        let (ctx, tx, clv_res, seg_res, asks) = (
            ctx.clone(),
            tx.clone(),
            clv_res.clone(),
            seg_res.clone(),
            asks.clone(),
        );
        use_effect_with((tx_key.clone(), asks.current()), move |(_, ask)| {
            if asks.is_cancelled(*ask) {
                return;
            }
            clv_res.set(None);
            seg_res.set(None);
            if let (Some(ctx), Some(t)) = (ctx, tx) {
                if let Some(sum) = t.data.summary.as_ref() {
                    // The worker holds the customers: the requests carry the summary's header.
                    let header = crate::ui::pages::segments::summary_header(sum);
                    let req = clv::default_request(header.clone());
                    // Being sent again to a fresh worker: asked again once it is held.
                    ctx.ctl
                        .clv(&t, clv::DEFAULT_KEY, req, false, move |r| match r {
                            Err(WorkerError::Resending { .. }) => {}
                            r => clv_res.set(Some(r.map_err(|e| e.to_string()))),
                        });
                    let req = segment::default_request(header);
                    ctx.ctl
                        .segment(&t, segment::DEFAULT_KEY, req, move |r| match r {
                            Err(WorkerError::Resending { .. }) => {}
                            r => seg_res.set(Some(r.map_err(|e| e.to_string()))),
                        });
                }
            }
        });
    }
    let cur: Option<Settings> = match (&sv, &sv_key, detected.as_ref()) {
        (Some(s), Some(k), Some(found)) => s.data.survey.as_ref().map(|t| {
            let names: Vec<String> = t.items.iter().map(|i| i.name.clone()).collect();
            let base = match &*settings {
                Some(st) if &st.survey_id == k => st,
                _ => found,
            };
            query.resolve(base, found, &names)
        }),
        _ => None,
    };
    let clv_ok = clv_res.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let seg_ok = seg_res.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    // The analyses run in the worker (the survey statistics are not in the page's download),
    // again whenever the settings, the customers or the linked results change. The latest answer
    // stays on screen while a newer one is computed. `Err(None)`: the job was cancelled (the
    // page says so and offers to compute again, `asks` counts the asks).
    let answer = use_state(|| None::<(Deps, Result<Rc<Answer>, Option<String>>)>);
    let deps: Deps = (
        cur.clone(),
        tx_key.clone(),
        clv_ok.is_some(),
        seg_ok.is_some(),
    );
    {
        let (ctx, sv, tx, answer) = (ctx.clone(), sv.clone(), tx.clone(), answer.clone());
        let (clv_ok, seg_ok, asks) = (clv_ok.clone(), seg_ok.clone(), asks.clone());
        use_effect_with((deps.clone(), asks.current()), move |(deps, ask)| {
            if asks.is_cancelled(*ask) {
                return;
            }
            let (Some(ctx), Some(st), Some(survey)) = (
                ctx,
                deps.0.clone(),
                sv.as_ref().and_then(|s| s.data.survey.clone()),
            ) else {
                return;
            };
            let tx = tx.filter(|t| t.data.summary.is_some());
            let req = SatisfactionRequest {
                dataset: None,
                survey,
                linked: Linked::of(clv_ok.as_deref(), seg_ok.as_deref()),
                ask: SatisfactionAsk::Page(Box::new(st)),
            };
            let key = deps.clone();
            ctx.ctl.satisfaction(tx.as_ref(), req, move |r| {
                let r = match r {
                    Ok(SatisfactionOutput::Page(a, d)) => Ok(Rc::new((*a, *d))),
                    Ok(_) => Err(Some(WorkerError::Unexpected.to_string())),
                    // The customers are being sent again: the page asks again when they are.
                    Err(WorkerError::Resending { .. }) => return,
                    Err(WorkerError::Cancelled) => Err(None),
                    Err(e) => Err(Some(e.to_string())),
                };
                answer.set(Some((key, r)));
            });
        });
    }
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
    let answered = match &*answer {
        // An answer for another survey is not shown while this one's is computed.
        Some((k, r)) if k.0.as_ref().map(|s| &s.survey_id) == Some(&cur.survey_id) => r.clone(),
        _ => {
            return html! {
                <section class="satisfaction">
                    <h1>{ "Satisfaction" }</h1>
                    <StatusView kind="loading" message="Computing the satisfaction scores…" on_cancel={Some(Callback::from({
                        let (ctx, asks) = (ctx.clone(), asks.clone());
                        let (answer, deps) = (answer.clone(), deps.clone());
                        move |()| {
                            asks.cancel(&ctx.ctl.worker);
                            // Said here too: an ask waiting for its customers to be sent again
                            // has no job to fail.
                            answer.set(Some((deps.clone(), Err(None))));
                        }
                    }))} />
                </section>
            };
        }
    };
    let ans = match answered {
        Ok(r) => r,
        Err(Some(e)) => {
            return html! {
                <section class="satisfaction">
                    <h1>{ "Satisfaction" }</h1>
                    <StatusView kind="error" message={format!("The satisfaction scores could not be computed: {e}")} />
                </section>
            }
        }
        Err(None) => {
            let again = {
                let asks = asks.clone();
                Callback::from(move |_: MouseEvent| asks.again())
            };
            return html! {
                <section class="satisfaction">
                    <h1>{ "Satisfaction" }</h1>
                    <StatusView kind="empty" message="The satisfaction scores were cancelled before they were computed.">
                        <button type="button" data-testid="sat-again" onclick={again}>{ "Compute them again" }</button>
                    </StatusView>
                </section>
            };
        }
    };
    let (a, drivers) = (&ans.0, &ans.1);
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
            { address::notes(&query, &numeric) }
            { columns_card(&settings, &cur, &numeric, &push) }
            <Section id="scores" title="Scores" class={classes!()}>{ score_cards(a, &cur) }</Section>
            { nps_test_card(&settings, &cur, a, seg_note.as_deref()) }
            { trends_card(a, &cur, &settings, &trend_score) }
            { disconfirmation_card(a, &cur, &settings) }
            { cumulative_card(a, &cur, &settings, clv_note.as_deref()) }
            { ipa_card(a, &cur, &settings) }
            { kano_card(a) }
            { value_risk::drivers_card(drivers) }
            { link_card(a, clv_note.as_deref()) }
            { segment_card(a, seg_note.as_deref()) }
        </section>
    }
}
