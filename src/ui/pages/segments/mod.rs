//! The Segments page: RFM scores with stated definitions and cut points, a named segment map the
//! user can pick and edit, the R×F heat map, a table per segment (size, revenue, recency,
//! frequency, monetary, CLV, P(alive), satisfaction), k-means with the silhouette curve, value
//! tiers, needs-based segments, a cross-tab of two segmentations, and each segment's customers
//! to list and export. All computing runs in the worker (`worker::segment`).
//!
//! Sections: [`run`] (requests to the worker), [`rfm`] (scores, map editor, segment table),
//! [`clusters`] (k-means), [`tiers`] (value tiers and needs-based segments), [`crosstab`].

mod address;
mod clusters;
mod crosstab;
mod customers;
mod movement;
mod rfm;
mod run;
mod tiers;

pub use run::{clv_fit, clv_vectors, run_segmentation, summary_header};

use crate::domain::segmentation::MonetaryKind;
use crate::domain::segmentation::SegmentMap;
use crate::ui::components::Section;
use crate::ui::components::{status, Input, Load, StatusView};
use crate::ui::hooks::asks::use_asks;
use crate::ui::state::{AppContext, Source};
use crate::worker::segment::{ClusterRequest, SegmentResult};
use gloo::storage::Storage as _;
use rfm::ready_view;
use run::{needs_request, request};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use yew::prelude::*;

/// Key of this page's settings in the app's settings store (IndexedDB, in the project file).
const SETTINGS_KEY: &str = "segments/settings";
/// Where earlier versions kept them (browser local storage): read once, moved, removed.
const LEGACY_KEY: &str = "crm.segments.settings";

/// What the user chose on this page (kept in the app's settings store under
/// [`SETTINGS_KEY`], so it survives reloads and travels in the project file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Quantile bins per dimension.
    pub bins: u32,
    /// Total or mean spend.
    pub monetary: MonetaryKind,
    /// User cut points per dimension as typed (empty: quantiles).
    pub cuts: [String; 3],
    /// The map (a preset, possibly edited).
    pub map: SegmentMap,
    /// Whether the map was edited.
    pub edited: bool,
    /// k-means settings; `None` until the user runs it.
    pub cluster: Option<ClusterRequest>,
    /// Tiers by CLV when available.
    pub tiers_by_clv: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bins: 5,
            monetary: MonetaryKind::Total,
            cuts: Default::default(),
            map: SegmentMap::rxf(),
            edited: false,
            cluster: None,
            tiers_by_clv: true,
        }
    }
}

/// The settings saved by an earlier version in local storage, removed from there (the caller
/// saves them in the settings store).
fn take_legacy_settings() -> Option<Settings> {
    let old = gloo::storage::LocalStorage::get::<Settings>(LEGACY_KEY).ok();
    gloo::storage::LocalStorage::delete(LEGACY_KEY);
    old
}

fn select_cb(f: impl Fn(String) + 'static) -> Callback<Event> {
    Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            f(s.value());
        } else if let Some(s) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            f(s.value());
        }
    })
}

/// The Segments page.
#[component]
pub fn SegmentsPage() -> Html {
    let progress = crate::ui::state::use_progress();
    let ctx = use_context::<AppContext>();
    // None until read from the settings store (storage opens during boot, before any dataset).
    let settings = use_state(|| None::<Settings>);
    let load = use_state(|| Load::<Rc<SegmentResult>>::Empty("Segmenting…".into()));
    // A click on "Run k-means" or "Compute again" with the same settings (after a cancel or a
    // failure) still asks the worker again; a cancelled ask stays cancelled until the next one.
    let asks = use_asks();
    // A link may name a segment (`#/segments?segment=Champions`): it is selected, its customers
    // listed.
    // The map and the segment in the address win (a bookmark, back and forward); a click
    // on a segment writes it there.
    let query = address::use_query();
    let push = address::use_push();
    let linked = query.segment.clone();
    let selected = use_state(|| linked.clone());
    {
        let selected = selected.clone();
        use_effect_with(linked, move |linked| {
            if *selected != *linked {
                selected.set(linked.clone());
            }
        });
    }
    {
        let (push, query) = (push.clone(), query.clone());
        use_effect_with((*selected).clone(), move |selected| {
            if *selected != query.segment {
                push.emit(address::LinkQuery {
                    segment: selected.clone(),
                    ..query
                });
            }
        });
    }
    let cell = use_state(|| None::<(u8, u8)>);
    // The last result shown, with its dataset: while a new segmentation runs (or when it
    // failed) it stays on screen, dimmed, under the status line, so the page is not torn down
    // and built again around it.
    let shown = use_mut_ref(|| None::<(Source, Rc<SegmentResult>)>);
    let src = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let clvs = match (&ctx, &src) {
        (Some(c), Some(s)) => clv_fit(c, s),
        _ => None,
    };
    {
        let (ctx, settings) = (ctx.clone(), settings.clone());
        use_effect_with(src.is_some(), move |ready| {
            if let (true, Some(ctx), None) = (*ready, ctx, &*settings) {
                let ctl = ctx.ctl.clone();
                ctx.ctl
                    .page_setting::<Settings>(SETTINGS_KEY, move |stored| {
                        let st = stored.unwrap_or_else(|| match take_legacy_settings() {
                            Some(old) => {
                                ctl.set_page_setting(SETTINGS_KEY, old.clone());
                                old
                            }
                            None => Settings::default(),
                        });
                        settings.set(Some(st));
                    });
            }
        });
    }
    {
        let (ctx, settings) = (ctx.clone(), settings.clone());
        let loaded = settings.is_some();
        use_effect_with((address::map(&query), loaded), move |(map, _)| {
            if let (Some(m), Some(st), Some(ctx)) = (map, &*settings, ctx) {
                if st.map.name != m.name {
                    let s = Settings {
                        map: m.clone(),
                        edited: false,
                        ..st.clone()
                    };
                    ctx.ctl.set_page_setting(SETTINGS_KEY, s.clone());
                    settings.set(Some(s));
                }
            }
        });
    }
    let needs = ctx.as_ref().and_then(|c| {
        let seed = settings.as_ref()?.cluster.as_ref().map_or(42, |k| k.seed);
        needs_request(c, seed)
    });
    {
        let (ctx, load, asks) = (ctx.clone(), load.clone(), asks.clone());
        let deps = (
            src.clone(),
            (*settings).clone(),
            clvs.as_ref().map(|c| c.clv.len()),
            needs.clone(),
            asks.current(),
        );
        use_effect_with(deps, move |(src, st, _, needs, ask)| {
            if asks.is_cancelled(*ask) {
                return;
            }
            if let (Some(ctx), Some(src), Some(st)) = (ctx, src, st) {
                let clvs = clv_fit(&ctx, src);
                match request(src, st, clvs.as_deref(), needs.clone()) {
                    Ok((key, req)) => {
                        run_segmentation(&ctx, src, &key, req, &load);
                    }
                    Err(e) => load.set(Load::Failed(e)),
                }
            }
        });
    }
    // The survey's recommend answers per segment: the worker counts them on the customers it
    // holds, once per segmentation and survey.
    // `Err`: the worker could not answer; the page says so instead of leaving the columns out
    // without a word.
    let nps = use_state(|| None::<Result<Rc<crate::analysis::segment::SegmentAnswers>, String>>);
    {
        let result = load.ready().cloned();
        let survey = ctx.as_ref().and_then(|c| c.state.workspace.survey.clone());
        let survey_key = ctx
            .as_ref()
            .zip(survey.as_ref())
            .map(|(c, s)| c.ctl.data_key(s));
        let (ctx, src, nps) = (ctx.clone(), src.clone(), nps.clone());
        use_effect_with(
            (result.clone().map(crosstab::ByPtr), survey_key),
            move |_| {
                nps.set(None);
                let table = survey.and_then(|s| s.data.survey.clone());
                if let (Some(ctx), Some(src), Some(r), Some(table)) = (ctx, src, result, table) {
                    let q = crate::worker::segment::SegmentQuery::Answers(Box::new(table));
                    ctx.ctl.segment_query(&src, &r, q, move |a| {
                        use crate::worker::error::WorkerError;
                        use crate::worker::segment::SegmentAnswer;
                        match a {
                            Ok(SegmentAnswer::Answers(Some(a))) => nps.set(Some(Ok(Rc::new(a)))),
                            // No respondent is a customer of the log: nothing to add.
                            Ok(SegmentAnswer::Answers(None)) => {}
                            Ok(_) => nps.set(Some(Err(WorkerError::Unexpected.to_string()))),
                            // Being sent again: the page asks again once it is held.
                            Err(WorkerError::Resending { .. }) => {}
                            Err(e) => nps.set(Some(Err(e.to_string()))),
                        }
                    });
                }
            },
        );
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(src) = src else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("a transaction log")
        } else {
            super::booting()
        };
    };
    let Some(st) = (*settings).clone() else {
        return super::booting();
    };
    let update = {
        let (settings, ctl, asks) = (settings.clone(), ctx.ctl.clone(), asks.clone());
        Rc::new(move |f: &dyn Fn(&mut Settings)| {
            let mut s = (*settings).clone().unwrap_or_default();
            f(&mut s);
            ctl.set_page_setting(SETTINGS_KEY, s.clone());
            settings.set(Some(s));
            asks.again();
        })
    };
    let load_view = match (&*load, &progress) {
        (Load::Loading { .. }, Some(p)) => Load::Loading {
            fraction: Some(p.fraction),
            stage: p.stage.clone(),
        },
        (l, _) => l.clone(),
    };
    let n_customers = src.data.summary.as_ref().map_or(0, |s| s.customers.len());

    // --- RFM settings ---
    let on_bins = {
        let u = update.clone();
        select_cb(move |v| u(&|s| s.bins = v.parse().unwrap_or(5)))
    };
    let on_monetary = {
        let u = update.clone();
        select_cb(move |v| {
            u(&|s| {
                s.monetary = if v == "mean" {
                    MonetaryKind::Mean
                } else {
                    MonetaryKind::Total
                }
            })
        })
    };
    let cut_input = |i: usize, label: &str, hint: &str| {
        let u = update.clone();
        let cb = Callback::from(move |v: String| u(&|s| s.cuts[i] = v.clone()));
        html! { <label>{ label }
            <Input kind="text" placeholder={hint.to_string()} value={st.cuts[i].clone()} on={cb} testid={format!("cuts-{i}")} size="18" />
        </label> }
    };
    let on_map = {
        let (u, push) = (update.clone(), push.clone());
        select_cb(move |v| {
            if let Some(m) = SegmentMap::preset(&v) {
                u(&|s| {
                    s.map = m.clone();
                    s.edited = false;
                });
                push.emit(address::LinkQuery {
                    map: Some(v.clone()),
                    segment: None,
                });
            }
        })
    };
    let settings_card = html! {
        <Section id="rfm-settings" title="RFM scores" testid="rfm-settings">
            <p class="note">{ "Recency = days from the day after the last purchase in the data to the customer's last purchase (lower is better, so its score is reversed: 5 = most recent). Frequency = number of distinct purchase days, the first included. Monetary = " }
                { if st.monetary == MonetaryKind::Total { "total spend." } else { "mean spend per purchase day." } }
                { " Scores are quantile bins (1 = lowest) unless you type your own cut points." }</p>
            <div class="row">
                <label>{ "Bins per dimension " }
                    <select onchange={on_bins} data-testid="rfm-bins">
                        { for (2..=10u32).map(|b| html! { <option value={b.to_string()} selected={st.bins == b}>{ b }</option> }) }
                    </select>
                </label>
                <label>{ "Monetary " }
                    <select onchange={on_monetary} data-testid="rfm-monetary">
                        <option value="total" selected={st.monetary == MonetaryKind::Total}>{ "total spend" }</option>
                        <option value="mean" selected={st.monetary == MonetaryKind::Mean}>{ "mean spend per purchase" }</option>
                    </select>
                </label>
                <label>{ "Segment map " }
                    <select onchange={on_map} data-testid="map-select">
                        { for SegmentMap::presets().iter().map(|m| {
                            let key = preset_key(&m.name);
                            html! { <option value={key.to_string()} selected={m.name == st.map.name}>{ &m.name }</option> }
                        }) }
                    </select>
                </label>
                if st.edited { <span class="badge">{ "edited" }</span> }
            </div>
            <details>
                <summary>{ "Your own cut points (ascending, comma separated; k cut points make k + 1 bins)" }</summary>
                <div class="row">
                    { cut_input(0, "Recency (days) ", "e.g. 30, 90, 180, 365") }
                    { cut_input(1, "Frequency ", "e.g. 1, 2, 4, 8") }
                    { cut_input(2, "Monetary ", "e.g. 50, 100, 250, 500") }
                    <button class="secondary" onclick={let u = update.clone(); move |_| u(&|s| s.cuts = Default::default())}>{ "Use quantiles" }</button>
                </div>
            </details>
        </Section>
    };

    if let Load::Ready(r) = &*load {
        *shown.borrow_mut() = Some((src.clone(), r.clone()));
    }
    let previous = shown
        .borrow()
        .as_ref()
        .filter(|(s, _)| *s == src)
        .map(|(_, r)| r.clone());
    // The status line (empty when ready) and the result under it: the new one, or the
    // previous one while the new one is under way.
    // Cancel lets the worker go when it is computing; the request is sent again (with the
    // dataset, to a fresh worker) on "Compute again" or the next "Run k-means".
    let on_cancel = {
        let (worker, asks, load) = (ctx.ctl.worker.clone(), asks.clone(), load.clone());
        Callback::from(move |()| {
            asks.cancel(&worker);
            // Said here too: an ask waiting for its dataset to be sent again has no job to fail.
            load.set(Load::Failed(
                crate::worker::error::WorkerError::Cancelled.to_string(),
            ));
        })
    };
    let again = {
        let asks = asks.clone();
        Callback::from(move |_: MouseEvent| asks.again())
    };
    let (status_line, result) = match &load_view {
        Load::Ready(r) => (html! {}, Some(r.clone())),
        Load::Failed(m) => {
            let button = html! {
                <button type="button" class="secondary" data-testid="seg-again" onclick={again}>{ "Compute again" }</button>
            };
            // The user's own cancel is no error: said plainly, with what is still shown.
            let line = if asks.cancelled_now() {
                let message = if previous.is_some() {
                    "The segmentation was cancelled: the results below are the previous ones."
                } else {
                    "The segmentation was cancelled before it was computed."
                };
                html! { <StatusView kind="empty" {message}>{ button }</StatusView> }
            } else {
                html! { <StatusView kind="error" message={m.clone()}>{ button }</StatusView> }
            };
            (line, previous)
        }
        other => (status::view(other, Some(on_cancel), |_| html! {}), previous),
    };
    let stale = !matches!(load_view, Load::Ready(_)) && result.is_some();
    let body = html! { <>
        <div class="segments-status">{ status_line }</div>
        if let Some(r) = result {
            <div class={classes!("segments-result", stale.then_some("stale"))} aria-busy={stale.to_string()}
                data-testid="segments-result" data-stale={stale.to_string()}>
                { ready_view(
                    &ctx,
                    &src,
                    &r,
                    &st,
                    update.clone(),
                    &selected,
                    &cell,
                    clvs.is_some(),
                    (*nps).as_ref().and_then(|r| r.as_deref().ok()),
                ) }
            </div>
        }
    </> };
    html! {
        <section>
            <h1>{ "Segments" }</h1>
            <p class="lead">{ format!("{} customers in {}", crate::ui::format::count(n_customers), src.meta.name) }</p>
            if clvs.is_none() {
                <p class="note" data-testid="no-clv">{ "No lifetime values yet: CLV and P(alive) columns, CLV tiers and CLV features appear once the Lifetime value page (or the button on Value & strategy) has fitted the default model." }</p>
            }
            if let Some(Err(e)) = &*nps {
                <p class="note" role="status" data-testid="answers-failed">{ format!("The survey's answers per segment could not be worked out, so their columns are left out: {e}") }</p>
            }
            { address::notes(&query, load.ready().map(|r| r.table.iter().map(|t| t.name.as_str()).collect())) }
            { settings_card }
            { body }
            <movement::MovementSection map={st.map.clone()} bins={st.bins} monetary={st.monetary} />
        </section>
    }
}

fn preset_key(name: &str) -> &'static str {
    for key in ["rxf", "r_vs_fm", "rfm_package", "fm", "rfm"] {
        if SegmentMap::preset(key).is_some_and(|m| m.name == name) {
            return key;
        }
    }
    "rxf"
}

type Update = Rc<dyn Fn(&dyn Fn(&mut Settings))>;
