//! Ranges on the Lifetime value page: the interval level (Off, 80%, 90%, 95%), the method
//! (parameter draws, or a parametric bootstrap refitting 100, 200 or 500 times), the "Compute
//! ranges" action (run in the worker with progress and Cancel; the bootstrap's refits on a
//! pool of extra workers, [`crate::ui::hooks::pool`]; draws automatic when the data has at
//! most [`AUTO_MAX_GROUPS`] distinct (x, tₓ, T)), and the ranges shown on the summary cards,
//! in the customer table, in the customer's detail and as a band on the CLV-by-month chart.
//! The figures come from [`crate::analysis::clv::value_intervals`] and
//! [`crate::worker::bootstrap`] (in the workers) and
//! [`crate::analysis::clv::cumulative_clv_band`].

use crate::analysis::clv::{cumulative_clv_band, cumulative_clv_band_over, IntervalRequest};
use crate::domain::clv::bootstrap::MAX_SIMULATED;
use crate::domain::clv::intervals::{IntervalMethod, Range};
use crate::domain::customers::CustomerRecord;
use crate::ui::charts::{Chart, Kind, Series};
use crate::ui::components::{Cell, ChartCard, JobStatus, StatusView};
use crate::ui::format;
use crate::ui::hooks::pool::{Pool, PoolProgress};
use crate::ui::state::{AppContext, Source};
use crate::worker::bootstrap::BootstrapColumns;
use crate::worker::clv::ClvResult;
use crate::worker::error::WorkerError;
use crate::worker::intervals::ValueRanges;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Levels offered (0: off).
pub const LEVELS: [(f64, &str); 4] = [(0.0, "Off"), (0.8, "80%"), (0.9, "90%"), (0.95, "95%")];
/// Methods offered: 0 for parameter draws, otherwise the bootstrap's refits.
pub const METHODS: [(u32, &str); 4] = [
    (0, "Parameter draws (fast)"),
    (100, "Bootstrap: refit 100 times"),
    (200, "Bootstrap: refit 200 times"),
    (500, "Bootstrap: refit 500 times"),
];
/// Ranges are computed without asking when the data has at most this many distinct groups.
pub const AUTO_MAX_GROUPS: u64 = 20_000;

/// Where the ranges stand.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Not computed (or the level is Off).
    Idle,
    /// Computing in the worker.
    Running,
    /// Computed.
    Done(Rc<ValueRanges>),
    /// What went wrong, in plain words.
    Failed(String),
}

/// The ranges' level and state, shared by the page's parts.
#[derive(Clone, PartialEq)]
pub struct Ranges {
    /// Chosen level (0: off).
    pub level: UseStateHandle<f64>,
    /// Where the ranges stand.
    pub state: UseStateHandle<State>,
    /// Chosen method: 0 for parameter draws, otherwise the bootstrap's refits.
    pub method: UseStateHandle<u32>,
    /// The bootstrap's refits under way on the pool, with their progress.
    pool_progress: UseStateHandle<Option<PoolProgress>>,
    pool: Rc<RefCell<Option<Pool>>>,
    /// The state before the computation under way (restored when it is cancelled).
    previous: Rc<RefCell<State>>,
    generation: Rc<RefCell<u32>>,
}

impl Ranges {
    /// The computed ranges, when the level is on.
    pub fn done(&self) -> Option<Rc<ValueRanges>> {
        match &*self.state {
            State::Done(r) if *self.level > 0.0 => Some(r.clone()),
            _ => None,
        }
    }
}

fn request(level: f64) -> IntervalRequest {
    IntervalRequest {
        level,
        ..Default::default()
    }
}

/// Stops the bootstrap's pool, if it is running.
fn stop_pool(ranges: &Ranges) {
    let pool = ranges.pool.borrow_mut().take();
    if let Some(p) = pool {
        p.cancel();
    }
    ranges.pool_progress.set(None);
}

/// A function setting the ranges' state from a worker's answer while `gen` is current (a
/// cancel restores the state before the computation).
fn settle(ranges: &Ranges, gen: u32) -> impl Fn(Result<ValueRanges, WorkerError>) + 'static {
    let (state, generation, previous) = (
        ranges.state.clone(),
        ranges.generation.clone(),
        ranges.previous.clone(),
    );
    move |res| {
        if *generation.borrow() != gen {
            return;
        }
        state.set(match res {
            Ok(v) => State::Done(Rc::new(v)),
            Err(WorkerError::Cancelled) => previous.borrow().clone(),
            Err(e) => State::Failed(e.to_string()),
        });
    }
}

/// Starts computing the ranges of fit `r` for `src` at `level` by the chosen method.
fn start(ctx: &AppContext, src: &Source, r: &ClvResult, level: f64, ranges: &Ranges) {
    let (Some(m), Some(s)) = (r.model.clone(), r.settings.clone()) else {
        return;
    };
    stop_pool(ranges);
    let gen = {
        let mut g = ranges.generation.borrow_mut();
        *g = g.wrapping_add(1);
        *g
    };
    if *ranges.state != State::Running {
        *ranges.previous.borrow_mut() = (*ranges.state).clone();
    }
    ranges.state.set(State::Running);
    let refits = *ranges.method;
    if refits > 0 {
        return start_bootstrap(ctx, src, r, level, refits, ranges, gen);
    }
    let settle = settle(ranges, gen);
    ctx.ctl
        .worker
        .intervals(&src.meta.id, m, r.spend.clone(), s, request(level), settle);
}

/// Starts the bootstrap: `refits` refits on the pool, then the ranges in the main worker.
fn start_bootstrap(
    ctx: &AppContext,
    src: &Source,
    r: &ClvResult,
    level: f64,
    refits: u32,
    ranges: &Ranges,
    gen: u32,
) {
    let (Some(m), Some(s)) = (r.model.clone(), r.settings.clone()) else {
        return;
    };
    let settle = settle(ranges, gen);
    let customers = src.data.summary.as_ref().map_or(&[][..], |s| &s.customers);
    let columns = BootstrapColumns::from_customers(customers);
    let simulated = columns.simulated();
    if simulated > MAX_SIMULATED as f64 {
        ranges.state.set(State::Failed(format!(
            "The bootstrap simulates every customer again in each refit; these data stand for {simulated:.0} customers, more than its limit of {MAX_SIMULATED}. Use parameter draws for these data."
        )));
        return;
    }
    let seed = IntervalRequest::default().seed;
    let on_progress = {
        let (progress, generation) = (ranges.pool_progress.clone(), ranges.generation.clone());
        Callback::from(move |p: PoolProgress| {
            if *generation.borrow() == gen {
                progress.set(Some(p));
            }
        })
    };
    let done = {
        let (ctx, id, spend) = (ctx.clone(), src.meta.id.clone(), r.spend.clone());
        let (m, slot, generation) = (m.clone(), ranges.pool.clone(), ranges.generation.clone());
        let progress = ranges.pool_progress.clone();
        move |res: Result<_, WorkerError>| {
            if *generation.borrow() != gen {
                return;
            }
            slot.borrow_mut().take();
            progress.set(None);
            match res {
                Ok(part) => ctx
                    .ctl
                    .worker
                    .bootstrap_intervals(&id, m, spend, s, level, seed, part, settle),
                Err(WorkerError::Cancelled) => settle(Err(WorkerError::Cancelled)),
                Err(e) => settle(Err(WorkerError::Clv(format!("The bootstrap stopped: {e}")))),
            }
        }
    };
    let pool = Pool::bootstrap(m, r.spend.clone(), columns, refits, seed, on_progress, done);
    *ranges.pool.borrow_mut() = Some(pool);
}

/// The ranges' state for fit `result` of `src`: reset when the fit or the level changes, and
/// computed at once when the data is small.
#[hook]
pub fn use_ranges(ctx: Option<AppContext>, src: Source, result: Option<Rc<ClvResult>>) -> Ranges {
    let ranges = Ranges {
        level: use_state(|| crate::domain::clv::intervals::DEFAULT_LEVEL),
        state: use_state(|| State::Idle),
        method: use_state(|| 0u32),
        pool_progress: use_state(|| None),
        pool: use_mut_ref(|| None),
        previous: use_mut_ref(|| State::Idle),
        generation: use_mut_ref(|| 0u32),
    };
    let rid = result.as_ref().map(|r| Rc::as_ptr(r) as usize);
    {
        let ranges = ranges.clone();
        use_effect_with((rid, (*ranges.level).to_bits()), move |_| {
            *ranges.generation.borrow_mut() += 1;
            stop_pool(&ranges);
            ranges.state.set(State::Idle);
            let level = *ranges.level;
            if let (Some(ctx), Some(r)) = (ctx, result) {
                let small = r
                    .model
                    .as_ref()
                    .is_some_and(|m| m.n_groups <= AUTO_MAX_GROUPS && m.log_covariance.is_some());
                if level > 0.0 && small && *ranges.method == 0 {
                    start(&ctx, &src, &r, level, &ranges);
                }
            }
        });
    }
    ranges
}

fn fmt_range(r: Range, digits: usize) -> String {
    if r.lower.is_finite() && r.upper.is_finite() {
        format!("{:.digits$} – {:.digits$}", r.lower, r.upper)
    } else {
        String::from("no range")
    }
}

/// The level choice, the action, progress with Cancel, and the totals with their ranges.
pub fn controls(ctx: &AppContext, src: &Source, r: &Rc<ClvResult>, ranges: &Ranges) -> Html {
    let on_level = {
        let level = ranges.level.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(v) = s.value().parse::<f64>() {
                    level.set(v);
                }
            }
        })
    };
    let on_run = {
        let (ctx, src, r, ranges) = (ctx.clone(), src.clone(), r.clone(), ranges.clone());
        Callback::from(move |_| start(&ctx, &src, &r, *ranges.level, &ranges))
    };
    let on_method = {
        let method = ranges.method.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(v) = s.value().parse::<u32>() {
                    method.set(v);
                }
            }
        })
    };
    let on_cancel = {
        let (ctx, ranges) = (ctx.clone(), ranges.clone());
        Callback::from(move |_| {
            let pool = ranges.pool.borrow().clone();
            match pool {
                Some(p) => p.cancel(),
                None => ctx.ctl.worker.cancel(),
            }
        })
    };
    let method = *ranges.method;
    let level = *ranges.level;
    let groups = r.model.as_ref().map_or(0, |m| m.n_groups);
    let status = match &*ranges.state {
        _ if level <= 0.0 => html! {},
        State::Idle => html! {
            <p class="note">{ format!("{groups} distinct customer histories: computing the ranges may take a while on large data.") }</p>
        },
        State::Running if ranges.pool_progress.is_some() => {
            let p = (*ranges.pool_progress).clone().unwrap_or(PoolProgress {
                done: 0.0,
                total: method,
                workers: 1,
            });
            html! { <StatusView kind="loading" message={p.stage()} fraction={Some(p.fraction())} on_cancel={Some(on_cancel)} /> }
        }
        State::Running => {
            html! { <JobStatus start="Starting…" on_cancel={Some(on_cancel)} /> }
        }
        State::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
        State::Done(v) => totals(v, r),
    };
    html! {
        <div data-testid="ranges">
            <div class="row">
                <label>{ "Ranges" }
                    <select onchange={on_level} data-testid="interval-level">
                        { for LEVELS.iter().map(|(v, l)| html! {
                            <option value={v.to_string()} selected={(*v - level).abs() < 1e-9}>{ *l }</option>
                        }) }
                    </select>
                </label>
                if level > 0.0 {
                    <label>{ "Method" }
                        <select onchange={on_method} data-testid="interval-method"
                                disabled={*ranges.state == State::Running}>
                            { for METHODS.iter().map(|(v, l)| html! {
                                <option value={v.to_string()} selected={*v == method}>{ *l }</option>
                            }) }
                        </select>
                    </label>
                    <button onclick={on_run} data-testid="compute-ranges"
                            disabled={*ranges.state == State::Running}>{ "Compute ranges" }</button>
                }
            </div>
            { status }
        </div>
    }
}

fn totals(v: &ValueRanges, r: &ClvResult) -> Html {
    let label = v.label();
    let unit = r.settings.as_ref().map_or(String::new(), |s| {
        format!("{:.0} {}s", s.purchase_horizon, s.model_time_unit.name())
    });
    html! { <>
        <div class="grid">
            <div class="kpi"><span class="label">{ format!("Customer equity, {label}") }</span>
                <span class="value" data-testid="equity-range"
                      data-lower={v.equity.range.lower.to_string()} data-upper={v.equity.range.upper.to_string()}
                      data-estimate={v.equity.estimate.to_string()}>
                    { format!("{} – {}", format::compact_money(v.equity.range.lower), format::compact_money(v.equity.range.upper)) }</span>
                <span class="sub">{ format!("estimate {}", format::compact_money(v.equity.estimate)) }</span></div>
            <div class="kpi"><span class="label">{ format!("Expected purchases (all customers), {label}") }</span>
                <span class="value" data-testid="purchases-range">{ fmt_range(v.total_purchases.range, 0) }</span>
                <span class="sub">{ format!("estimate {:.0} in the next {unit}", v.total_purchases.estimate) }</span></div>
        </div>
        <p class="note" data-testid="ranges-method" data-method={method_name(v.method)}>{ format!(
            "{}: a {label} holds the figure under {:.0}% of {} plausible parameter sets ({}; seed {}); {} distinct customer histories.",
            method_name(v.method), v.level * 100.0, v.sets, v.method.describe(), v.seed, v.distinct_groups) }</p>
        { for v.notes.iter().map(|n| html! { <p class="note" data-testid="ranges-note">{ n }</p> }) }
    </> }
}

/// The method's name in plain words.
pub fn method_name(m: IntervalMethod) -> &'static str {
    match m {
        IntervalMethod::ParameterDraws => "Parameter draws",
        IntervalMethod::Bootstrap => "Bootstrap",
    }
}

/// Extra table headers for the ranges.
pub fn headers(v: &ValueRanges) -> Vec<String> {
    let l = v.label();
    ["P(alive)", "Expected purchases", "CLV"]
        .iter()
        .flat_map(|f| [format!("{f} {l}: lower"), format!("{f} {l}: upper")])
        .collect()
}

/// Extra table cells for customer `i`.
pub fn cells(v: &ValueRanges, i: usize) -> Vec<Cell> {
    let Some(c) = v.customer(i) else {
        return vec![Cell::Num(f64::NAN, 0); 6];
    };
    vec![
        Cell::Num(c.p_alive.lower, 3),
        Cell::Num(c.p_alive.upper, 3),
        Cell::Num(c.expected_purchases.lower, 3),
        Cell::Num(c.expected_purchases.upper, 3),
        Cell::Num(c.clv.lower, 2),
        Cell::Num(c.clv.upper, 2),
    ]
}

/// The selected customer's ranges and the band chart of their CLV by month.
pub fn detail(v: Option<&ValueRanges>, r: &ClvResult, i: usize, c: &CustomerRecord) -> Html {
    let Some(v) = v else {
        return html! {};
    };
    let Some(cr) = v.customer(i) else {
        return html! {};
    };
    let label = v.label();
    let clv = r.clv.get(i).copied().unwrap_or(f64::NAN);
    let band = match (&r.model, &r.settings) {
        (Some(m), Some(s)) => {
            let spend = r.expected_spend.get(i).copied().unwrap_or(f64::NAN);
            if v.refits.is_empty() {
                cumulative_clv_band(m, c, spend, s, &request(v.level)).ok()
            } else {
                Some(cumulative_clv_band_over(m, c, spend, s, &v.refits, v.level))
            }
        }
        _ => None,
    };
    html! {
        <div data-testid="detail-ranges">
            <div class="grid">
                <div class="kpi"><span class="label">{ format!("P(alive), {label}") }</span><span class="value" data-testid="detail-p-alive-range">{ format!("{}% – {}%", crate::ui::format::fixed(cr.p_alive.lower * 100.0, 1), crate::ui::format::fixed(cr.p_alive.upper * 100.0, 1)) }</span></div>
                <div class="kpi"><span class="label">{ format!("Expected purchases, {label}") }</span><span class="value" data-testid="detail-purchases-range">{ fmt_range(cr.expected_purchases, 2) }</span></div>
                <div class="kpi"><span class="label">{ format!("CLV, {label}") }</span>
                    <span class="value" data-testid="detail-clv-range" data-lower={cr.clv.lower.to_string()}
                          data-upper={cr.clv.upper.to_string()} data-value={clv.to_string()}>{ fmt_range(cr.clv, 2) }</span></div>
            </div>
            if let Some(b) = band {
                { band_view(&b, &label, method_name(v.method)) }
            }
        </div>
    }
}

/// The band chart with its text alternative.
fn band_view(b: &[(u32, f64, Range)], label: &str, method: &str) -> Html {
    let chart = Rc::new(band_chart(b, label));
    html! { <>
        <ChartCard chart={chart} testid="chart-clv-band"
            note={AttrValue::from(format!("Solid: CLV added up to the end of each month under the fitted parameters; dashed: the {label} ({method}; spend per purchase held at its estimate)."))} />
        <details data-testid="clv-band-text"><summary>{ "The same figures as a table" }</summary>
            <table class="data">
                <thead><tr><th class="num">{ "Month" }</th><th class="num">{ "CLV so far" }</th><th class="num">{ format!("{label}: lower") }</th><th class="num">{ format!("{label}: upper") }</th></tr></thead>
                <tbody>{ for b.iter().map(|(m, v, r)| html! {
                    <tr><td class="num">{ m }</td><td class="num">{ crate::ui::format::fixed(*v, 2) }</td><td class="num">{ crate::ui::format::fixed(r.lower, 2) }</td><td class="num">{ crate::ui::format::fixed(r.upper, 2) }</td></tr>
                }) }</tbody>
            </table>
        </details>
    </> }
}

/// CLV by month (cumulative) with its range as a band between two dashed lines.
pub fn band_chart(b: &[(u32, f64, Range)], label: &str) -> Chart {
    let line = |name: String, f: fn(&(u32, f64, Range)) -> f64, dashed| Series {
        name,
        points: b.iter().map(|p| (f64::from(p.0), f(p))).collect(),
        dashed,
    };
    Chart {
        title: "CLV month by month, with its range".into(),
        x_label: "Month".into(),
        y_label: "CLV added up so far".into(),
        kind: Kind::Lines(vec![
            line(format!("{label}: upper"), |p| p.2.upper, true),
            line("Estimate".into(), |p| p.1, false),
            line(format!("{label}: lower"), |p| p.2.lower, true),
        ]),
    }
}
