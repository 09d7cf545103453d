//! The Segments page: RFM scores with stated definitions and cut points, a named segment map the
//! user can pick and edit, the R×F heat map, a table per segment (size, revenue, recency,
//! frequency, monetary, CLV, P(alive), satisfaction), k-means with the silhouette curve, value
//! tiers, needs-based segments, a cross-tab of two segmentations, and each segment's customers
//! to list and export. All computing runs in the worker (`worker::segment`).

use crate::domain::customers::CustomerSummary;
use crate::domain::segmentation::kmeans::describe;
use crate::domain::segmentation::{cross_tab, MonetaryKind, RfmCutPoints, Rule, ScoreRange};
use crate::domain::segmentation::{Precedence, SegmentMap};
use crate::ui::charts::{Chart, Kind, Point, Series};
use crate::ui::components::{status, Cell, ChartCard, DataTable, Load};
use crate::ui::state::{AppContext, Source};
use crate::worker::clv;
use crate::worker::segment::{self, ClusterRequest, Feature, NeedsRequest, SegmentResult};
use crate::worker::tasks::{Output, Task};
use gloo::storage::Storage as _;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use yew::prelude::*;

/// Key of this page's settings in the app's settings store (IndexedDB, in the project file).
const SETTINGS_KEY: &str = "segments/settings";
/// Where earlier versions kept them (browser local storage): read once, moved, removed.
const LEGACY_KEY: &str = "crm.segments.settings";

/// Most customers drawn in the cluster scatter plot.
const SCATTER_POINTS: usize = 5000;

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

/// The summary without its customers: what a segmentation request carries when the worker
/// already holds the customers (see [`run_segmentation`]).
pub fn summary_header(s: &CustomerSummary) -> CustomerSummary {
    CustomerSummary {
        time_unit: s.time_unit,
        observation_end: s.observation_end,
        calibration_end: s.calibration_end,
        holdout_length: s.holdout_length,
        customers: Vec::new(),
        returns_rows: s.returns_rows,
    }
}

thread_local! {
    /// The data key of the summary the worker was last sent (it keeps it between jobs).
    static WORKER_HOLDS: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs (or reads from the cache) a segmentation in the worker and shows its progress and
/// result through `load`. Shared by the Segments and Value & strategy pages. A request whose
/// summary has no customers gets `src`'s customers, which cross to the worker only when it does
/// not hold them already (a million customers are sent once, not on every change of a setting).
pub fn run_segmentation(
    ctx: &AppContext,
    src: &Source,
    key: &str,
    mut req: segment::SegmentRequest,
    load: &UseStateHandle<Load<Rc<SegmentResult>>>,
) {
    load.set(Load::Loading {
        fraction: None,
        stage: "Segmenting customers".into(),
    });
    req.summary_key = ctx.ctl.data_key(src);
    let held = WORKER_HOLDS.with(|w| *w.borrow() == req.summary_key);
    if req.summary.customers.is_empty() && !held {
        if let Some(s) = &src.data.summary {
            req.summary.customers = s.customers.clone();
        }
    }
    send_segmentation(ctx, src, key, req, load, true);
}

fn send_segmentation(
    ctx: &AppContext,
    src: &Source,
    key: &str,
    req: segment::SegmentRequest,
    load: &UseStateHandle<Load<Rc<SegmentResult>>>,
    retry: bool,
) {
    let full = !req.summary.customers.is_empty();
    let data_key = req.summary_key.clone();
    let header = summary_header(&req.summary);
    // Kept to ask again with the customers if the worker no longer holds them (a fresh worker).
    let again = (!full && retry).then(|| segment::SegmentRequest {
        summary: header,
        ..req.clone()
    });
    let (l, ctx2, src2, key2) = (load.clone(), ctx.clone(), src.clone(), key.to_string());
    ctx.ctl
        .run_cached(src, key, Task::Segment(Box::new(req)), move |r| {
            match r.as_deref() {
                Err(e) if e == segment::NEEDS_SUMMARY => {
                    WORKER_HOLDS.with(|w| w.borrow_mut().clear());
                    if let (Some(mut req), Some(s)) = (again, &src2.data.summary) {
                        req.summary.customers = s.customers.clone();
                        send_segmentation(&ctx2, &src2, &key2, req, &l, false);
                        return;
                    }
                    l.set(Load::Failed(e.clone()));
                }
                Ok(Output::Segment(s)) => {
                    if full {
                        WORKER_HOLDS.with(|w| *w.borrow_mut() = data_key);
                    }
                    l.set(Load::Ready(Rc::new((**s).clone())));
                }
                Ok(_) => l.set(Load::Failed("Unexpected result from the worker".into())),
                Err(e) => l.set(Load::Failed(e.clone())),
            }
        });
}

/// Per-customer CLV and P(alive) from the cached default lifetime-value fit, summary order.
pub fn clv_vectors(ctx: &AppContext, src: &Source) -> Option<(Vec<f64>, Vec<f64>)> {
    match ctx.ctl.cached(src, clv::DEFAULT_KEY).as_deref() {
        Some(Output::Clv(r)) if !r.clv.is_empty() => Some((r.clv.clone(), r.p_alive.clone())),
        _ => None,
    }
}

fn parse_cuts(s: &str) -> Result<Vec<f64>, String> {
    let mut v = Vec::new();
    for part in s.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        v.push(
            part.trim()
                .parse::<f64>()
                .map_err(|_| format!("\"{part}\" is not a number"))?,
        );
    }
    Ok(v)
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Builds the request for these settings; the key names the cached result.
fn request(
    src: &Source,
    st: &Settings,
    clvs: Option<&(Vec<f64>, Vec<f64>)>,
    needs: Option<NeedsRequest>,
) -> Result<(String, segment::SegmentRequest), String> {
    let summary = src
        .data
        .summary
        .as_ref()
        .ok_or("This dataset has no customer summary.")?;
    // The customers are added by `run_segmentation` when the worker does not hold them.
    let mut req = segment::default_request(summary_header(summary));
    req.rfm.bins = st.bins;
    req.rfm.monetary = st.monetary;
    if st.cuts.iter().any(|c| !c.trim().is_empty()) {
        let cuts = RfmCutPoints {
            recency: parse_cuts(&st.cuts[0]).map_err(|e| format!("Recency cut points: {e}"))?,
            frequency: parse_cuts(&st.cuts[1]).map_err(|e| format!("Frequency cut points: {e}"))?,
            monetary: parse_cuts(&st.cuts[2]).map_err(|e| format!("Monetary cut points: {e}"))?,
        };
        req.rfm.cut_points = Some(cuts);
    }
    req.map = st.map.clone();
    req.cluster = st.cluster.clone();
    req.tiers_by_clv = st.tiers_by_clv;
    if let Some((c, p)) = clvs {
        req.clv = Some(c.clone());
        req.p_alive = Some(p.clone());
    }
    req.needs = needs;
    let probe = serde_json::to_string(&(
        &req.rfm,
        &req.map,
        &req.cluster,
        req.tiers_by_clv,
        req.needs
            .as_ref()
            .map(|n| (&n.attributes, n.rows.len(), n.k, n.seed)),
        req.clv.as_ref().map(|v| (v.len(), v.iter().sum::<f64>())),
    ))
    .unwrap_or_default();
    let is_default = req.rfm == crate::domain::segmentation::RfmParams::default()
        && req.map == SegmentMap::rxf()
        && req.cluster.is_none()
        && req.needs.is_none()
        && req.clv.is_none();
    let key = if is_default {
        segment::DEFAULT_KEY.to_string()
    } else {
        format!("segments/{:016x}", fnv(&probe))
    };
    Ok((key, req))
}

/// Importance columns (names starting with imp_ or containing "importance") of the survey.
fn needs_request(ctx: &AppContext, seed: u64) -> Option<NeedsRequest> {
    let survey = ctx.state.workspace.survey.as_ref()?.data.survey.clone()?;
    let cols: Vec<&crate::io::import::survey::SurveyItem> = survey
        .items
        .iter()
        .filter(|i| {
            let n = i.name.to_lowercase();
            n.starts_with("imp_") || n.starts_with("importance")
        })
        .collect();
    if cols.len() < 2 {
        return None;
    }
    let n = cols.first().map_or(0, |c| c.values.len());
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    for i in 0..n {
        let row: Option<Vec<f64>> = cols
            .iter()
            .map(|c| c.values.get(i).copied().flatten())
            .collect();
        if let Some(row) = row {
            ids.push(
                survey
                    .ids
                    .as_ref()
                    .and_then(|v| v.get(i).cloned())
                    .unwrap_or_else(|| format!("response {}", i + 1)),
            );
            rows.push(row);
        }
    }
    (rows.len() >= 10).then(|| NeedsRequest {
        attributes: cols.iter().map(|c| c.name.clone()).collect(),
        ids,
        rows,
        k: 3,
        seed,
    })
}

/// Sum and count of answers per customer id.
type AnswerSums = std::collections::HashMap<String, (f64, u32)>;

/// Mean answer of a survey column named like "nps" per customer id (for satisfaction per segment).
fn nps_by_customer(ctx: &AppContext) -> Option<(String, AnswerSums)> {
    let survey = ctx.state.workspace.survey.as_ref()?.data.survey.clone()?;
    let ids = survey.ids.as_ref()?;
    let item = survey.items.iter().find(|i| {
        let n = i.name.to_lowercase();
        n.contains("nps") || n.contains("recommend")
    })?;
    let mut m: std::collections::HashMap<String, (f64, u32)> = Default::default();
    for (id, v) in ids.iter().zip(&item.values) {
        if let Some(v) = v {
            let e = m.entry(id.clone()).or_default();
            e.0 += v;
            e.1 += 1;
        }
    }
    Some((item.name.clone(), m))
}

/// The settings saved by an earlier version in local storage, removed from there (the caller
/// saves them in the settings store).
fn take_legacy_settings() -> Option<Settings> {
    let old = gloo::storage::LocalStorage::get::<Settings>(LEGACY_KEY).ok();
    gloo::storage::LocalStorage::delete(LEGACY_KEY);
    old
}

fn money(v: f64) -> String {
    crate::ui::charts::fmt_tick(v)
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
    let ctx = use_context::<AppContext>();
    // None until read from the settings store (storage opens during boot, before any dataset).
    let settings = use_state(|| None::<Settings>);
    let load = use_state(|| Load::<Rc<SegmentResult>>::Empty("Segmenting…".into()));
    let selected = use_state(|| None::<String>);
    let cell = use_state(|| None::<(u8, u8)>);
    let src = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let clvs = match (&ctx, &src) {
        (Some(c), Some(s)) => clv_vectors(c, s),
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
    let needs = ctx.as_ref().and_then(|c| {
        let seed = settings.as_ref()?.cluster.as_ref().map_or(42, |k| k.seed);
        needs_request(c, seed)
    });
    {
        let (ctx, load) = (ctx.clone(), load.clone());
        let deps = (
            src.clone(),
            (*settings).clone(),
            clvs.as_ref().map(|c| c.0.len()),
            needs.clone(),
        );
        use_effect_with(deps, move |(src, st, _, needs)| {
            if let (Some(ctx), Some(src), Some(st)) = (ctx, src, st) {
                let clvs = clv_vectors(&ctx, src);
                match request(src, st, clvs.as_ref(), needs.clone()) {
                    Ok((key, req)) => {
                        run_segmentation(&ctx, src, &key, req, &load);
                    }
                    Err(e) => load.set(Load::Failed(e)),
                }
            }
        });
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
        let (settings, ctl) = (settings.clone(), ctx.ctl.clone());
        Rc::new(move |f: &dyn Fn(&mut Settings)| {
            let mut s = (*settings).clone().unwrap_or_default();
            f(&mut s);
            ctl.set_page_setting(SETTINGS_KEY, s.clone());
            settings.set(Some(s));
        })
    };
    let load_view = match (&*load, &ctx.state.progress) {
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
        let cb = select_cb(move |v| u(&|s| s.cuts[i] = v.clone()));
        html! { <label>{ label }
            <input type="text" placeholder={hint.to_string()} value={st.cuts[i].clone()} onchange={cb} data-testid={format!("cuts-{i}")} size="18" />
        </label> }
    };
    let on_map = {
        let u = update.clone();
        select_cb(move |v| {
            if let Some(m) = SegmentMap::preset(&v) {
                u(&|s| {
                    s.map = m.clone();
                    s.edited = false;
                })
            }
        })
    };
    let settings_card = html! {
        <div class="card" data-testid="rfm-settings">
            <h2>{ "RFM scores" }</h2>
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
        </div>
    };

    let body = status::view(&load_view, None, |r| {
        ready_view(
            &ctx,
            &src,
            r,
            &st,
            update.clone(),
            &selected,
            &cell,
            clvs.is_some(),
        )
    });
    html! {
        <section>
            <h1>{ "Segments" }</h1>
            <p class="lead">{ format!("{n_customers} customers in {}", src.meta.name) }</p>
            if clvs.is_none() {
                <p class="note" data-testid="no-clv">{ "No lifetime values yet: CLV and P(alive) columns, CLV tiers and CLV features appear once the Lifetime value page (or the button on Value & strategy) has fitted the default model." }</p>
            }
            { settings_card }
            { body }
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

#[allow(clippy::too_many_arguments)]
fn ready_view(
    ctx: &AppContext,
    src: &Source,
    r: &Rc<SegmentResult>,
    st: &Settings,
    update: Update,
    selected: &UseStateHandle<Option<String>>,
    cell: &UseStateHandle<Option<(u8, u8)>>,
    has_clv: bool,
) -> Html {
    let Some(rfm) = r.rfm.as_ref() else {
        return html! {};
    };
    let n = r.len();
    let counted: u64 = r.table.iter().map(|t| t.customers).sum();
    let fmt_cuts = |v: &[f64]| {
        if v.is_empty() {
            "none (one bin)".to_string()
        } else {
            v.iter().map(|x| money(*x)).collect::<Vec<_>>().join(" · ")
        }
    };
    let cuts = html! {
        <div class="card" data-testid="cut-points">
            <h2>{ "Cut points" }</h2>
            <ul>
                <li>{ format!("Recency (days): {} — {} bins", fmt_cuts(&rfm.cut_points.recency), rfm.bins_used[0]) }</li>
                <li>{ format!("Frequency (purchase days): {} — {} bins", fmt_cuts(&rfm.cut_points.frequency), rfm.bins_used[1]) }</li>
                <li>{ format!("Monetary ({}): {} — {} bins", rfm.monetary_kind.name(), fmt_cuts(&rfm.cut_points.monetary), rfm.bins_used[2]) }</li>
            </ul>
            { for rfm.warnings.iter().chain(&r.warnings).map(|w| html! { <div class="warnbox" data-testid="rfm-warning">{ w }</div> }) }
        </div>
    };

    // Heat map of the R×F grid.
    let g = &r.grid;
    let rows: Vec<String> = (1..=g.r_bins).rev().map(|x| format!("R{x}")).collect();
    let cols: Vec<String> = (1..=g.f_bins).map(|x| format!("F{x}")).collect();
    let values: Vec<Vec<f64>> = g
        .counts
        .iter()
        .rev()
        .map(|r| r.iter().map(|&c| c as f64).collect())
        .collect();
    let text: Vec<Vec<String>> = g
        .counts
        .iter()
        .zip(&g.revenue)
        .rev()
        .map(|(c, v)| {
            c.iter()
                .zip(v)
                .map(|(c, v)| format!("{c} · {}", money(*v)))
                .collect()
        })
        .collect();
    let heat = Rc::new(Chart {
        title: "Customers and revenue per R × F cell".into(),
        x_label: "Frequency score (5 = most purchases)".into(),
        y_label: "Recency score (5 = most recent)".into(),
        kind: Kind::Heatmap {
            rows,
            cols,
            values,
            text,
        },
    });

    // Segment table.
    let nps = nps_by_customer(ctx);
    let ids: &[crate::domain::customers::CustomerRecord] = src
        .data
        .summary
        .as_ref()
        .map_or(&[], |s| s.customers.as_slice());
    let nps_seg: std::collections::HashMap<String, (f64, u32)> = nps
        .as_ref()
        .map(|(_, m)| {
            let mut out: std::collections::HashMap<String, (f64, u32)> = Default::default();
            for (i, c) in ids.iter().enumerate() {
                if let (Some((s, k)), Some(seg)) = (m.get(&c.id), r.segment_name(i)) {
                    let e = out.entry(seg.to_string()).or_default();
                    e.0 += s;
                    e.1 += k;
                }
            }
            out
        })
        .unwrap_or_default();
    let mut headers = vec![
        "Segment",
        "Customers",
        "% customers",
        "% revenue",
        "Revenue",
        "Mean recency (days)",
        "Mean frequency",
        "Mean monetary",
    ];
    if has_clv {
        headers.extend(["Mean CLV", "Mean P(alive)"]);
    }
    if nps.is_some() {
        headers.extend(["Mean recommend answer", "Answers"]);
    }
    let table_rows: Vec<Vec<Cell>> = r
        .table
        .iter()
        .map(|t| {
            let mut row = vec![
                Cell::Text(t.name.clone()),
                Cell::Num(t.customers as f64, 0),
                Cell::Num(100.0 * t.customer_share, 1),
                Cell::Num(100.0 * t.revenue_share, 1),
                Cell::Num(t.revenue, 0),
                Cell::Num(t.mean_recency, 0),
                Cell::Num(t.mean_frequency, 2),
                Cell::Num(t.mean_monetary, 1),
            ];
            if has_clv {
                row.push(Cell::Num(t.mean_clv.unwrap_or(f64::NAN), 1));
                row.push(Cell::Num(t.mean_p_alive.unwrap_or(f64::NAN), 2));
            }
            if nps.is_some() {
                let (s, c) = nps_seg.get(&t.name).copied().unwrap_or((0.0, 0));
                row.push(Cell::Num(
                    if c > 0 { s / f64::from(c) } else { f64::NAN },
                    2,
                ));
                row.push(Cell::Num(f64::from(c), 0));
            }
            row
        })
        .collect();
    let names: Vec<String> = r.table.iter().map(|t| t.name.clone()).collect();
    let on_select = {
        let (selected, names) = (selected.clone(), names.clone());
        Callback::from(move |i: usize| selected.set(names.get(i).cloned()))
    };
    let sel_idx = selected
        .as_ref()
        .and_then(|s| names.iter().position(|n| n == s));
    let seg_table = html! {
        <div class="card">
            <h2>{ "Segments" }</h2>
            <p class="note" data-testid="segment-count">{ format!("{counted} of {n} customers in {} segments (every customer in exactly one; \"{}\" takes cells no rule covers). Click a segment to list its customers.", r.table.len(), st.map.fallback) }</p>
            if let Some(desc) = selected.as_ref().map(|s| st.map.describe(s).to_string()).filter(|d| !d.is_empty()) {
                <p class="note">{ desc }</p>
            }
            <DataTable headers={Rc::new(headers.iter().map(|s| s.to_string()).collect::<Vec<_>>())} rows={Rc::new(table_rows)}
                export_name="segments.csv" testid="segment-table" {on_select} selected={sel_idx} page_size={20} />
        </div>
    };

    // Customers of the selected segment.
    let clv_vec = clv_vectors(ctx, src);
    let customers = selected.as_ref().map(|name| {
        let mut h = vec!["Customer", "Segment", "R", "F", "M", "Recency (days)", "Frequency", "Monetary"];
        if clv_vec.is_some() {
            h.extend(["CLV", "P(alive)"]);
        }
        let g = r.segment_index(name);
        let rows: Vec<Vec<Cell>> = rfm
            .scores
            .iter()
            .enumerate()
            .filter(|(i, _)| g.is_some() && r.segment_of.get(*i).copied() == g)
            .map(|(i, s)| {
                let mut row = vec![
                    Cell::Text(ids.get(i).map(|c| c.id.clone()).unwrap_or_default()),
                    Cell::Text(name.clone()),
                    Cell::Num(f64::from(s.r), 0),
                    Cell::Num(f64::from(s.f), 0),
                    Cell::Num(f64::from(s.m), 0),
                    Cell::Num(s.recency_days, 0),
                    Cell::Num(f64::from(s.frequency), 0),
                    Cell::Num(s.monetary, 2),
                ];
                if let Some((c, p)) = &clv_vec {
                    row.push(Cell::Num(c.get(i).copied().unwrap_or(f64::NAN), 2));
                    row.push(Cell::Num(p.get(i).copied().unwrap_or(f64::NAN), 3));
                }
                row
            })
            .collect();
        let file = format!("segment-{}.csv", name.to_lowercase().replace(|c: char| !c.is_alphanumeric(), "-"));
        html! {
            <div class="card" data-testid="segment-customers-card">
                <h2>{ format!("Customers in \"{name}\" ({})", rows.len()) }</h2>
                <DataTable headers={Rc::new(h.iter().map(|s| s.to_string()).collect::<Vec<_>>())} rows={Rc::new(rows)}
                    export_name={file} testid="segment-customers" page_size={10} />
            </div>
        }
    });

    html! {
        <>
            { cuts }
            <div>
                <div style="min-width:0"><ChartCard chart={heat} testid="rf-heatmap" note={Some(AttrValue::from("Each cell: customers · revenue. Darker = more customers."))} /></div>
                <div style="min-width:0">{ map_editor(r, st, update.clone(), cell) }</div>
            </div>
            { seg_table }
            { customers.unwrap_or_default() }
            { cluster_view(r, st, update, has_clv) }
            { tiers_view(r) }
            { needs_view(r) }
            { crosstab_view(r) }
        </>
    }
}

/// The map as an editable R×F grid: click a cell, give it a segment; rename a segment.
fn map_editor(
    r: &SegmentResult,
    st: &Settings,
    update: Update,
    cell: &UseStateHandle<Option<(u8, u8)>>,
) -> Html {
    let g = &r.grid;
    let segs = st.map.segments();
    let (rename_from, rename_to, assign_to) = ("rename-from", "rename-to", "assign-to");
    let on_rename = {
        let u = update.clone();
        Callback::from(move |_| {
            let (Some(from), Some(to)) = (input_value(rename_from), input_value(rename_to)) else {
                return;
            };
            let to = to.trim().to_string();
            if to.is_empty() {
                return;
            }
            u(&|s| {
                for rule in &mut s.map.rules {
                    if rule.segment == from {
                        rule.segment = to.clone();
                    }
                }
                if s.map.fallback == from {
                    s.map.fallback = to.clone();
                }
                s.map.name = edited_name(&s.map.name);
                s.edited = true;
            })
        })
    };
    let on_assign = {
        let (u, cell) = (update.clone(), cell.clone());
        Callback::from(move |_| {
            let (Some((rs, fs)), Some(to)) = (*cell, input_value(assign_to)) else {
                return;
            };
            let to = to.trim().to_string();
            if to.is_empty() {
                return;
            }
            u(&|s| {
                let rule = Rule {
                    segment: to.clone(),
                    r: ScoreRange::new(f64::from(rs), f64::from(rs)),
                    f: Some(ScoreRange::new(f64::from(fs), f64::from(fs))),
                    m: None,
                    fm: None,
                    description: format!("Cell R{rs} F{fs}, assigned by you."),
                };
                match s.map.precedence {
                    Precedence::FirstMatch => s.map.rules.insert(0, rule),
                    Precedence::LastMatch => s.map.rules.push(rule),
                }
                s.map.name = edited_name(&s.map.name);
                s.edited = true;
            })
        })
    };
    let reset = {
        let u = update.clone();
        Callback::from(move |_| {
            u(&|s| {
                s.map = SegmentMap::rxf();
                s.edited = false;
            })
        })
    };
    html! {
        <div class="card" data-testid="map-editor">
            <h2>{ format!("Map: {}", st.map.name) }</h2>
            <p class="note">{ "Most common segment in each cell (rows: recency score, columns: frequency score). Click a cell to reassign it." }</p>
            <table class="data">
                <thead><tr><th>{ "R \\ F" }</th>{ for (1..=g.f_bins).map(|f| html! { <th>{ f }</th> }) }</tr></thead>
                <tbody>
                { for (1..=g.r_bins).rev().map(|rs| html! {
                    <tr><th>{ rs }</th>
                    { for (1..=g.f_bins).map(|fs| {
                        let name = g.segment.get(rs as usize - 1).and_then(|row| row.get(fs as usize - 1)).cloned().unwrap_or_default();
                        let (r8, f8) = (rs as u8, fs as u8);
                        let sel = **cell == Some((r8, f8));
                        let c = cell.clone();
                        html! { <td class={classes!("clickable", sel.then_some("selected"))} style="font-size:.75rem;cursor:pointer"
                            onclick={move |_| c.set(Some((r8, f8)))} data-testid={format!("map-cell-{rs}-{fs}")}>{ name }</td> }
                    }) }
                    </tr>
                }) }
                </tbody>
            </table>
            <datalist id="segment-names">{ for segs.iter().map(|s| html! { <option value={s.clone()} /> }) }</datalist>
            <div class="row" style="margin-top:.5rem">
                <span>{ match **cell { Some((a, b)) => format!("Cell R{a} F{b} →"), None => "Pick a cell, then →".into() } }</span>
                <input id="assign-to" list="segment-names" placeholder="segment name" size="14" data-testid="assign-to" />
                <button class="secondary" onclick={on_assign} disabled={cell.is_none()} data-testid="assign-cell">{ "Reassign cell" }</button>
            </div>
            <div class="row" style="margin-top:.5rem">
                <label>{ "Rename " }
                    <select id="rename-from" data-testid="rename-from">{ for segs.iter().map(|s| html! { <option value={s.clone()}>{ s }</option> }) }</select>
                </label>
                <input id="rename-to" placeholder="new name" size="14" data-testid="rename-to" />
                <button class="secondary" onclick={on_rename} data-testid="rename-segment">{ "Rename" }</button>
                if st.edited { <button class="secondary" onclick={reset} data-testid="reset-map">{ "Reset to the R × F map" }</button> }
            </div>
            <p class="note">{ "Your map and settings are kept with your data in this browser and go into the project file (Data page)." }</p>
        </div>
    }
}

fn edited_name(name: &str) -> String {
    if name.ends_with("(edited)") {
        name.to_string()
    } else {
        format!("{name} (edited)")
    }
}

fn input_value(id: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let el = gloo::utils::document().get_element_by_id(id)?;
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    el.dyn_ref::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
}

fn cluster_view(r: &SegmentResult, st: &Settings, update: Update, has_clv: bool) -> Html {
    let c = st.cluster.clone().unwrap_or_default();
    let feature_box = |f: Feature| {
        let u = update.clone();
        let on = c.features.contains(&f);
        let disabled = matches!(f, Feature::Clv | Feature::PAlive) && !has_clv;
        let onchange = Callback::from(move |_: Event| {
            u(&|s| {
                let mut k = s.cluster.clone().unwrap_or_default();
                if let Some(p) = k.features.iter().position(|x| *x == f) {
                    k.features.remove(p);
                } else {
                    k.features.push(f);
                }
                s.cluster = Some(k);
            })
        });
        html! { <label><input type="checkbox" checked={on} {disabled} {onchange} />{ format!(" {}", f.name()) }</label> }
    };
    let toggle = |label: &str, on: bool, testid: &str, f: fn(&mut ClusterRequest)| {
        let u = update.clone();
        let onchange = Callback::from(move |_: Event| {
            u(&|s| {
                let mut k = s.cluster.clone().unwrap_or_default();
                f(&mut k);
                s.cluster = Some(k);
            })
        });
        html! { <label><input type="checkbox" checked={on} {onchange} data-testid={testid.to_string()} />{ format!(" {label}") }</label> }
    };
    let seed_input = {
        let u = update.clone();
        select_cb(move |v| {
            if let Ok(seed) = v.trim().parse::<u64>() {
                u(&|s| {
                    let mut k = s.cluster.clone().unwrap_or_default();
                    k.seed = seed;
                    s.cluster = Some(k);
                })
            }
        })
    };
    let k_input = {
        let u = update.clone();
        select_cb(move |v| {
            u(&|s| {
                let mut k = s.cluster.clone().unwrap_or_default();
                k.k = v.parse::<u32>().ok();
                s.cluster = Some(k);
            })
        })
    };
    let run = {
        let u = update.clone();
        Callback::from(move |_| {
            u(&|s| {
                let k = s.cluster.clone().unwrap_or_default();
                s.cluster = Some(k);
            })
        })
    };
    let controls = html! {
        <div>
            <div class="row">
                <span>{ "Features:" }</span>
                { for Feature::ALL.iter().map(|f| feature_box(*f)) }
            </div>
            <div class="row">
                { toggle("log(1 + x) first", c.log1p, "km-log", |k| k.log1p = !k.log1p) }
                { toggle("standardise (z-scores)", c.standardize, "km-std", |k| k.standardize = !k.standardize) }
                <label>{ "Seed " }<input type="number" value={c.seed.to_string()} onchange={seed_input} data-testid="km-seed" style="width:7rem" /></label>
                <label>{ "k " }
                    <select onchange={k_input} data-testid="km-k">
                        <option value="" selected={c.k.is_none()}>{ "best by silhouette" }</option>
                        { for (2..=10u32).map(|k| html! { <option value={k.to_string()} selected={c.k == Some(k)}>{ k }</option> }) }
                    </select>
                </label>
                <button onclick={run} data-testid="run-kmeans">{ "Run k-means" }</button>
            </div>
        </div>
    };
    let Some(cr) = r.cluster.as_ref() else {
        return html! {
            <div class="card" data-testid="kmeans-card">
                <h2>{ "Clusters (k-means)" }</h2>
                <p class="note">{ "Groups customers by behaviour. k is chosen by the silhouette (how much closer each customer is to its own cluster than to the next one; higher is better)." }</p>
                { controls }
            </div>
        };
    };
    let curve = Rc::new(Chart {
        title: "Silhouette by number of clusters".into(),
        x_label: "k (clusters)".into(),
        y_label: "mean silhouette".into(),
        kind: Kind::Lines(vec![Series {
            name: "silhouette".into(),
            points: cr
                .search
                .curve
                .iter()
                .map(|p| (f64::from(p.k), p.silhouette))
                .collect(),
            dashed: false,
        }]),
    });
    let m = &cr.model;
    let rfm = r.rfm.as_ref();
    let groups: Vec<String> = m
        .profiles
        .iter()
        .map(|p| format!("{} ({})", p.cluster + 1, p.size))
        .collect();
    // At most SCATTER_POINTS customers are drawn (every n-th, so the picture is repeatable):
    // a million SVG circles would freeze the page and say no more.
    let stride = m.labels.len().div_ceil(SCATTER_POINTS).max(1);
    let points: Vec<Point> = rfm
        .map(|rfm| {
            rfm.scores
                .iter()
                .zip(&m.labels)
                .step_by(stride)
                .map(|(s, &l)| Point {
                    x: f64::from(s.frequency).ln_1p(),
                    y: s.monetary.max(0.0).ln_1p(),
                    group: l as usize,
                    label: None,
                })
                .collect()
        })
        .unwrap_or_default();
    let scatter = Rc::new(Chart {
        title: if stride > 1 {
            format!(
                "Clusters: frequency vs monetary (log scales; every {stride}th of {} customers)",
                m.labels.len()
            )
        } else {
            "Clusters: frequency vs monetary (log scales)".into()
        },
        x_label: "log(1 + purchase days)".into(),
        y_label: "log(1 + monetary)".into(),
        kind: Kind::Scatter {
            points,
            groups,
            crosshair: None,
            quadrants: None,
        },
    });
    let names: Vec<String> = m.feature_names.clone();
    let mut headers = vec![
        "Cluster".to_string(),
        "Customers".into(),
        "% customers".into(),
        "In plain words".into(),
    ];
    headers.extend(names.iter().map(|n| format!("mean {n}")));
    let rows: Vec<Vec<Cell>> = m
        .profiles
        .iter()
        .map(|p| {
            let mut row = vec![
                Cell::Text(format!("Cluster {}", p.cluster + 1)),
                Cell::Num(p.size as f64, 0),
                Cell::Num(100.0 * p.share, 1),
                Cell::Text(if p.label.is_empty() {
                    describe(&names, &p.z)
                } else {
                    p.label.clone()
                }),
            ];
            if let Some(c) = m.centroids_original.get(p.cluster as usize) {
                row.extend(c.iter().map(|v| Cell::Num(*v, 1)));
            }
            row
        })
        .collect();
    html! {
        <div class="card" data-testid="kmeans-card">
            <h2>{ "Clusters (k-means)" }</h2>
            { controls }
            <p data-testid="kmeans-summary">{ format!("{} clusters (best k by silhouette: {}), seed {}, on {} customers; features: {}{}{}. Silhouette computed on {} customers{}. {}",
                m.k, cr.search.best_k, m.seed, m.labels.len(),
                names.join(", "), if m.transform.log1p { ", log(1 + x)" } else { "" }, if m.transform.standardize { ", standardised" } else { "" },
                cr.search.silhouette_rows, if cr.search.silhouette_exact { " (all)" } else { " (a sample)" },
                if m.converged { "Converged." } else { "Did not fully converge: try another seed." }) }</p>
            { for cr.warnings.iter().map(|w| html! { <div class="warnbox">{ w }</div> }) }
            <div>
                <div style="min-width:0"><ChartCard chart={curve} testid="silhouette-curve" note={Some(AttrValue::from("Pick the k where the curve peaks; the seed makes the result repeatable."))} /></div>
                <div style="min-width:0"><ChartCard chart={scatter} testid="cluster-scatter" /></div>
            </div>
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="clusters.csv" testid="cluster-profiles" page_size={10} />
        </div>
    }
}

fn tiers_view(r: &SegmentResult) -> Html {
    let table = |t: &crate::domain::segmentation::TierIndex, testid: &str| {
        let rows: Vec<Vec<Cell>> = t
            .summary
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.tier.clone()),
                    Cell::Num(s.customers as f64, 0),
                    Cell::Num(100.0 * s.customer_share, 1),
                    Cell::Num(s.value, 0),
                    Cell::Num(100.0 * s.value_share, 1),
                    Cell::Num(s.min_value.unwrap_or(f64::NAN), 1),
                ]
            })
            .collect();
        let headers = [
            "Tier",
            "Customers",
            "% customers",
            "Value",
            "% value",
            "Lowest value",
        ];
        html! { <DataTable headers={Rc::new(headers.iter().map(|s| s.to_string()).collect::<Vec<_>>())} rows={Rc::new(rows)}
        export_name={format!("{testid}.csv")} testid={testid.to_string()} page_size={10} /> }
    };
    let chart = r.pyramid.as_ref().map(|p| {
        Rc::new(Chart {
            title: format!("Customer pyramid by {}", r.tier_value),
            x_label: "tier".into(),
            y_label: "% of customers / % of value".into(),
            kind: Kind::Bars {
                categories: p.summary.iter().map(|s| s.tier.clone()).collect(),
                series: vec![
                    (
                        "% customers".into(),
                        p.summary.iter().map(|s| 100.0 * s.customer_share).collect(),
                    ),
                    (
                        "% value".into(),
                        p.summary.iter().map(|s| 100.0 * s.value_share).collect(),
                    ),
                ],
            },
        })
    });
    html! {
        <div class="card" data-testid="tiers-card">
            <h2>{ format!("Value tiers (by {})", r.tier_value) }</h2>
            <div>
                <div>
                    <h3>{ "Pyramid" }</h3>
                    { r.pyramid.as_ref().map(|t| table(t, "tiers-pyramid")).unwrap_or_default() }
                    <h3>{ "Heavy / medium / light" }</h3>
                    { r.hml.as_ref().map(|t| table(t, "tiers-hml")).unwrap_or_default() }
                </div>
                <div style="min-width:0">{ chart.map(|c| html! { <ChartCard chart={c} testid="tiers-chart" /> }).unwrap_or_default() }</div>
            </div>
        </div>
    }
}

fn needs_view(r: &SegmentResult) -> Html {
    let Some(n) = r.needs.as_ref() else {
        return html! {
            <div class="card"><h2>{ "Needs-based segments" }</h2>
            <p class="note">{ "Load a survey with importance columns (named imp_…) to group respondents by what they value." }</p></div>
        };
    };
    let res = &n.result;
    let mut headers = vec![
        "Segment".to_string(),
        "Respondents".into(),
        "Values most".into(),
    ];
    headers.extend(res.attributes.iter().map(|a| format!("mean {a}")));
    let rows: Vec<Vec<Cell>> = res
        .segments
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::Text(s.label.replace("imp_", "")),
                Cell::Num(s.size as f64, 0),
                Cell::Text(s.values_most.join(", ").replace("imp_", "")),
            ];
            row.extend(s.mean_importance.iter().map(|v| Cell::Num(*v, 2)));
            row
        })
        .collect();
    html! {
        <div class="card" data-testid="needs-card">
            <h2>{ "Needs-based segments" }</h2>
            <p class="note">{ format!("k-means (k = {}, seed {}) on the importance answers of {} respondents with every importance answered.", res.model.k, res.model.seed, n.ids.len()) }</p>
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="needs-segments.csv" testid="needs-table" page_size={10} />
        </div>
    }
}

/// Each customer's label in one segmentation, as references into `names` (built once per
/// segmentation: a million labels are a million pointers, not a million strings).
fn labels_of<'a>(
    r: &'a SegmentResult,
    which: &str,
    cluster_names: &'a [String],
) -> Option<Vec<&'a str>> {
    let tier = |t: &'a crate::domain::segmentation::TierIndex| -> Vec<&'a str> {
        t.tier_of
            .iter()
            .map(|&i| {
                t.summary
                    .get(usize::from(i))
                    .map_or("", |s| s.tier.as_str())
            })
            .collect()
    };
    match which {
        "rfm" => Some(
            (0..r.len())
                .map(|i| r.segment_name(i).unwrap_or(""))
                .collect(),
        ),
        "cluster" => r.cluster.as_ref().map(|c| {
            c.model
                .labels
                .iter()
                .map(|&l| cluster_names.get(l as usize).map_or("", String::as_str))
                .collect()
        }),
        "pyramid" => r.pyramid.as_ref().map(tier),
        "hml" => r.hml.as_ref().map(tier),
        _ => None,
    }
}

#[component]
fn CrossTabView(p: &CrossProps) -> Html {
    let a = use_state(|| "rfm".to_string());
    let b = use_state(|| "hml".to_string());
    let r = &p.result;
    let opts = [
        ("rfm", "RFM segment"),
        ("cluster", "Cluster"),
        ("pyramid", "Pyramid tier"),
        ("hml", "Heavy / medium / light"),
    ];
    let sel = |h: &UseStateHandle<String>, testid: &str| {
        let h2 = h.clone();
        let cb = select_cb(move |v| h2.set(v));
        html! { <select onchange={cb} data-testid={testid.to_string()}>
            { for opts.iter().map(|(k, l)| html! { <option value={*k} selected={**h == *k}>{ *l }</option> }) }
        </select> }
    };
    let table = {
        let (a, b) = ((*a).clone(), (*b).clone());
        use_memo((ByPtr(r.clone()), a, b), move |(r, a, b)| {
            let r = &r.0;
            let cluster_names: Vec<String> = r
                .cluster
                .as_ref()
                .map(|c| (1..=c.model.k).map(|k| format!("Cluster {k}")).collect())
                .unwrap_or_default();
            match (
                labels_of(r, a, &cluster_names),
                labels_of(r, b, &cluster_names),
            ) {
                (Some(x), Some(y)) => Some(cross_tab(&x, &y)),
                _ => None,
            }
        })
    };
    let body = match &*table {
        Some(t) => match t {
            Ok(t) => html! {
                <div class="scroll">
                <table class="data" data-testid="crosstab">
                    <thead><tr><th></th>{ for t.cols.iter().map(|c| html! { <th>{ c }</th> }) }<th>{ "Total" }</th></tr></thead>
                    <tbody>
                    { for t.rows.iter().enumerate().map(|(i, row)| html! {
                        <tr><th>{ row }</th>
                        { for t.counts.get(i).into_iter().flatten().enumerate().map(|(j, c)| {
                            let share = t.row_shares.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0.0);
                            html! { <td class="num">{ format!("{c} ({:.0}%)", 100.0 * share) }</td> }
                        }) }
                        <td class="num">{ t.row_totals.get(i).copied().unwrap_or(0) }</td></tr>
                    }) }
                    </tbody>
                </table>
                </div>
            },
            Err(e) => html! { <p class="errbox">{ e.to_string() }</p> },
        },
        _ => html! { <p class="note">{ "Run k-means first to compare clusters." }</p> },
    };
    html! {
        <div class="card" data-testid="crosstab-card">
            <h2>{ "Compare two segmentations" }</h2>
            <div class="row">{ "Rows: " }{ sel(&a, "crosstab-a") }{ " Columns: " }{ sel(&b, "crosstab-b") }</div>
            <p class="note">{ "Customers in each pair (share of the row)." }</p>
            { body }
        </div>
    }
}

#[derive(Properties)]
struct CrossProps {
    result: Rc<SegmentResult>,
}

/// A result compared by identity (for memo keys and props).
struct ByPtr(Rc<SegmentResult>);

impl PartialEq for ByPtr {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for CrossProps {
    /// The same result object (comparing a million labels on every render would be slow).
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.result, &other.result)
    }
}

fn crosstab_view(r: &Rc<SegmentResult>) -> Html {
    html! { <CrossTabView result={r.clone()} /> }
}
