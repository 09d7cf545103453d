//! The "Discrete periods (BG/BB)" section of the Lifetime value page: a period picker, a fit
//! button that runs [`crate::analysis::discrete`] in the worker (with progress), then the
//! parameters with standard errors and the log-likelihood, totals, a table of P(alive),
//! expected transactions, DERT and value per history (exportable as CSV) and a chart of
//! P(alive) and expected transactions by the number of periods with a transaction.

use crate::analysis::discrete::{DiscreteRequest, DiscreteResult};
use crate::domain::customers::Period;
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable, Input, JobStatus, StatusView};
use crate::ui::state::{AppContext, Source};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`DiscreteSection`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The dataset (held by the worker).
    pub source: Source,
}

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Running,
    Done(Rc<DiscreteResult>),
    Failed(String),
}

const PERIODS: [Period; 4] = [Period::Week, Period::Month, Period::Quarter, Period::Year];

/// Mean P(alive) and mean expected transactions per customer by x (periods with a
/// transaction), weighted by the customers of each history.
fn chart(r: &DiscreteResult) -> Option<Chart> {
    let max_x = r.rows.iter().map(|row| row.x).max()?;
    let bins = max_x as usize + 1;
    let (mut n, mut alive, mut exp) = (vec![0.0; bins], vec![0.0; bins], vec![0.0; bins]);
    for row in &r.rows {
        let b = row.x as usize;
        let c = row.count as f64;
        if let (Some(nb), Some(ab), Some(eb)) = (n.get_mut(b), alive.get_mut(b), exp.get_mut(b)) {
            *nb += c;
            *ab += c * row.p_alive;
            *eb += c * row.expected;
        }
    }
    let keep: Vec<usize> = (0..bins).filter(|&b| n[b] > 0.0).collect();
    let per = |v: &[f64]| keep.iter().map(|&b| v[b] / n[b]).collect::<Vec<f64>>();
    Some(Chart {
        title: format!(
            "P(alive) and expected {0}s with a purchase in the next {1} {0}s, by past {0}s with a purchase",
            r.period_name, r.horizon
        ),
        x_label: format!("{}s with a purchase after the first (x)", r.period_name),
        y_label: "Per customer".into(),
        kind: Kind::Bars {
            categories: keep.iter().map(|b| b.to_string()).collect(),
            series: vec![
                (String::from("P(alive)"), per(&alive)),
                (String::from("Expected"), per(&exp)),
            ],
        },
    })
}

fn rows(r: &DiscreteResult) -> Rc<Vec<Vec<Cell>>> {
    Rc::new(
        r.rows
            .iter()
            .map(|row| {
                vec![
                    Cell::Num(f64::from(row.x), 0),
                    Cell::Num(f64::from(row.t_x), 0),
                    Cell::Num(f64::from(row.n), 0),
                    Cell::Num(row.count as f64, 0),
                    Cell::Num(row.p_alive, 3),
                    Cell::Num(row.expected, 3),
                    Cell::Num(row.dert, 3),
                    Cell::Num(row.value.unwrap_or(f64::NAN), 2),
                ]
            })
            .collect(),
    )
}

fn params(r: &DiscreteResult) -> Html {
    html! {
        <table data-testid="bgbb-params">
            <thead><tr><th>{ "Parameter" }</th><th>{ "Estimate" }</th><th>{ "Standard error" }</th><th>{ "Meaning" }</th></tr></thead>
            <tbody>
            { for r.fit.params.iter().map(|p| html! {
                <tr data-testid={format!("bgbb-param-{}", p.name)}>
                    <td>{ &p.name }</td>
                    <td>{ crate::ui::format::fixed(p.value, 3) }</td>
                    <td>{ p.std_error.map_or_else(|| "–".to_string(), |v| crate::ui::format::fixed(v, 3)) }</td>
                    <td>{ &p.description }</td>
                </tr>
            }) }
            </tbody>
        </table>
    }
}

fn result(r: &DiscreteResult) -> Html {
    let p = &r.period_name;
    let c = &r.fit.convergence;
    let headers = Rc::new(
        [
            "x (periods with a purchase)",
            "t_x (last of them)",
            "n (periods observed)",
            "customers",
            "P(alive)",
            "expected",
            "DERT",
            "value",
        ]
        .map(String::from)
        .to_vec(),
    );
    let value = r.total_value.map_or_else(
        || String::from("no spend in the data"),
        |v| crate::ui::format::fixed(v, 2),
    );
    html! { <>
        <p class="note">{ format!("{} ({} distinct histories).", r.source, r.fit.n_groups) }</p>
        { params(r) }
        <p data-testid="bgbb-ll">{ format!(
            "Log-likelihood {:.1}; converged: {} ({}, {} iterations).",
            r.fit.log_likelihood, if c.converged { "yes" } else { "NO" }, c.reason, c.iterations
        ) }</p>
        <p data-testid="bgbb-totals">{ format!(
            "{} customers: {:.1} expected alive next {p}; {:.1} {p}s with a purchase expected in the next {} {p}s; DERT {:.1} at {:.0}% per {p}; value {value} (spend per {p} with a purchase {}, margin {:.0}%).",
            crate::ui::format::count(r.fit.n_customers), r.total_alive, r.total_expected, r.horizon, r.total_dert,
            100.0 * r.discount,
            r.spend.map_or_else(|| "–".to_string(), |s| crate::ui::format::fixed(s, 2)),
            100.0 * r.margin
        ) }</p>
        { for r.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
        <DataTable headers={headers} rows={rows(r)} export_name="bgbb-predictions.csv" testid="bgbb-table" />
        if let Some(ch) = chart(r) {
            <ChartCard chart={Rc::new(ch)} />
        }
    </> }
}

/// The BG/BB section.
#[component]
pub fn DiscreteSection(p: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_state(|| State::Idle);
    // Month by default: it works on short logs (a log inside one year has no later year).
    let period = use_state(|| Period::Month);
    let horizon = use_state(|| 5u32);
    let discount = use_state(|| 0.1f64);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let has_log = p.source.data.purchases > 0;
    let on_period = {
        let period = period.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Some(v) = Period::parse(&s.value()) {
                    period.set(v);
                }
            }
        })
    };
    let on_horizon = {
        let horizon = horizon.clone();
        Callback::from(move |s: String| {
            if let Ok(v) = s.trim().parse::<u32>() {
                horizon.set(v.min(1000));
            }
        })
    };
    let on_discount = {
        let discount = discount.clone();
        Callback::from(move |s: String| {
            if let Ok(v) = s.trim().parse::<f64>() {
                if v > 0.0 && v < 100.0 {
                    discount.set(v / 100.0);
                }
            }
        })
    };
    let on_run = {
        let (ctx, state, src) = (ctx.clone(), state.clone(), p.source.clone());
        let (period, horizon, discount) = (*period, *horizon, *discount);
        Callback::from(move |_| {
            let request = DiscreteRequest {
                period,
                observation_end: ctx.state.summary_options.observation_end,
                horizon,
                discount,
                ..DiscreteRequest::default()
            };
            state.set(State::Running);
            let st = state.clone();
            ctx.ctl.worker.discrete(&src.meta.id, request, move |r| {
                st.set(match r {
                    Ok(c) => State::Done(Rc::new(c)),
                    Err(e) => State::Failed(e.to_string()),
                })
            });
        })
    };
    let body = match &*state {
        State::Idle => html! {},
        State::Running => {
            html! { <JobStatus start="Starting BG/BB…" /> }
        }
        State::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
        State::Done(r) => result(r),
    };
    html! {
        <Section id="bgbb" title="Discrete periods (BG/BB)" testid="bgbb-section">
            <p class="note">{ "Use this when customers can buy at most once per period, or when only whether they bought in a period matters: yearly donations, annual renewals, events attended, a weekly class. BG/BB counts the periods with a purchase, so several purchases in one period count once. For purchases at any time, use the models above." }</p>
            if has_log {
                <label>{ "Period " }
                    <select onchange={on_period} data-testid="bgbb-period">
                        { for PERIODS.iter().map(|v| html! {
                            <option value={v.name()} selected={*v == *period}>{ v.name() }</option>
                        }) }
                    </select>
                </label>
            } else {
                <p class="note">{ "A customer summary is read as whole periods (frequency = periods with a purchase after the first, recency = the last of them, T or periods = periods observed), as in lifetimes' donations file." }</p>
            }
            <label>{ " Horizon (periods) " }
                <Input kind="number" min="0" max="1000" value={horizon.to_string()} on={on_horizon} testid="bgbb-horizon" />
            </label>
            <label>{ " Discount per period (%) " }
                <Input kind="number" min="0.1" max="99" step="0.1" value={format!("{}", 100.0 * *discount)} on={on_discount} testid="bgbb-discount" />
            </label>
            <button onclick={on_run} data-testid="bgbb-fit" disabled={*state == State::Running}>{ "Fit BG/BB" }</button>
            { body }
        </Section>
    }
}
