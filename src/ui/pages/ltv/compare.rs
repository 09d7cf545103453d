//! The model comparison section of the Lifetime value page: a "Compare models" button that
//! runs [`crate::analysis::compare`] in the worker (with progress and Cancel; with a
//! transaction log, BG/BB too when a period is chosen, as `crm compare --period`), then the
//! table (LL, k, AIC, BIC, convergence, likelihood-ratio test against the NBD, holdout
//! errors), the recommendation with its reasons and rule, and the holdout-by-frequency chart
//! per model.

use crate::analysis::compare::{CompareRequest, Comparison};
use crate::domain::customers::Period;
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::Section;
use crate::ui::components::{ChartCard, JobStatus, StatusView};
use crate::ui::state::{AppContext, Source};
use crate::worker::error::WorkerError;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`ModelCompare`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The dataset (held by the worker).
    pub source: Source,
}

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Running,
    Done(Rc<Comparison>),
    Failed(String),
}

fn chart(c: &Comparison) -> Option<Chart> {
    let first = c.models.iter().find_map(|m| m.holdout.as_ref())?;
    let categories: Vec<String> = first
        .by_frequency
        .iter()
        .map(|r| {
            if r.calibration_x >= crate::domain::clv::validation::TOP_BIN {
                format!("{}+", r.calibration_x)
            } else {
                r.calibration_x.to_string()
            }
        })
        .collect();
    let mut series = vec![(
        String::from("Actual"),
        first.by_frequency.iter().map(|r| r.actual).collect(),
    )];
    for m in &c.models {
        if let Some(h) = &m.holdout {
            series.push((
                m.name.clone(),
                h.by_frequency.iter().map(|r| r.predicted).collect(),
            ));
        }
    }
    Some(Chart {
        title: "Holdout purchases per customer by calibration purchases: actual and each model"
            .into(),
        x_label: "Repeat purchases in the calibration period".into(),
        y_label: "Mean purchases in the holdout".into(),
        kind: Kind::Bars { categories, series },
    })
}

/// BG/BB periods offered ("" for none).
const PERIODS: [(&str, &str); 5] = [
    ("", "No"),
    ("week", "Yes, by week"),
    ("month", "Yes, by month"),
    ("quarter", "Yes, by quarter"),
    ("year", "Yes, by year"),
];

fn table(c: &Comparison) -> Html {
    let f = |v: Option<f64>, d: usize| v.map_or_else(|| "–".to_string(), |v| format!("{v:.d$}"));
    // A NaN AIC/BIC: the row's likelihood is on other data (BG/BB on periods).
    let ic = |v: f64| {
        if v.is_finite() {
            crate::ui::format::fixed(v, 2)
        } else {
            "–".to_string()
        }
    };
    html! {
        <div class="scroll">
        <table data-testid="compare-table">
            <thead><tr>
                <th>{ "Model" }</th><th>{ "Log-likelihood" }</th><th>{ "k" }</th><th>{ "AIC" }</th>
                <th>{ "BIC" }</th><th>{ "Converged" }</th><th>{ "LR vs no drop-out (p)" }</th>
                <th>{ "Holdout error per customer" }</th><th>{ "Tracking error" }</th>
            </tr></thead>
            <tbody>
            { for c.models.iter().map(|m| {
                let h = m.holdout.as_ref();
                html! { <tr data-testid="compare-row">
                    <td>{ &m.name }</td>
                    <td>{ crate::ui::format::fixed(m.log_likelihood, 2) }</td>
                    <td>{ m.k }</td>
                    <td>{ ic(m.aic) }</td>
                    <td>{ ic(m.bic) }</td>
                    <td>{ if m.converged { "yes" } else { "no" } }</td>
                    <td>{ m.lr_vs_nbd.as_ref().map_or_else(|| "–".to_string(), |t| format!("{} (p = {:.2e})", crate::ui::format::fixed(t.statistic, 1), t.p_value)) }</td>
                    <td>{ f(h.map(|h| h.customer_mae), 4) }</td>
                    <td>{ h.and_then(|h| h.tracking_mape).map_or_else(|| "–".to_string(), |v| format!("{}%", crate::ui::format::fixed(100.0 * v, 1))) }</td>
                </tr> }
            }) }
            </tbody>
        </table>
        { crate::ui::components::explain_figures::compare(c) }
        </div>
    }
}

/// The comparison section.
#[component]
pub fn ModelCompare(p: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_state(|| State::Idle);
    let previous = use_mut_ref(|| State::Idle);
    let period = use_state(|| None::<Period>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let has_log = p.source.data.purchases > 0;
    let on_period = {
        let period = period.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                period.set(Period::parse(&s.value()));
            }
        })
    };
    let on_cancel = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.ctl.worker.cancel())
    };
    let on_run = {
        let (ctx, state, src) = (ctx.clone(), state.clone(), p.source.clone());
        let (previous, period) = (previous.clone(), *period);
        Callback::from(move |_| {
            let Some(summary) = src.data.summary.as_ref() else {
                return;
            };
            let request = CompareRequest {
                // The worker holds the customers and the log.
                summary: crate::ui::pages::segments::summary_header(summary),
                transactions: Default::default(),
                summary_options: ctx.state.summary_options.clone(),
                calibration_end: None,
                period: if has_log { period } else { None },
            };
            if *state != State::Running {
                *previous.borrow_mut() = (*state).clone();
            }
            state.set(State::Running);
            let (st, previous) = (state.clone(), previous.clone());
            ctx.ctl.worker.compare(&src.meta.id, request, move |r| {
                st.set(match r {
                    Ok(c) => State::Done(Rc::new(c)),
                    // Cancelled: back to what was shown before.
                    Err(WorkerError::Cancelled) => previous.borrow().clone(),
                    Err(e) => State::Failed(e.to_string()),
                })
            });
        })
    };
    let body = match &*state {
        State::Idle => {
            html! { <p class="note">{ "Fits BG/NBD, MBG/NBD and Pareto/NBD on the same customers (the calibration period when the purchases are loaded) and checks each against the holdout." }</p> }
        }
        State::Running => {
            html! { <JobStatus start="Starting the comparison…" on_cancel={Some(on_cancel)} /> }
        }
        State::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
        State::Done(c) => {
            let unit = c.time_unit.name();
            let basis = match c.calibration_end {
                Some(d) => format!(
                    "{} customers, fitted up to {d}; holdout {:.1} {unit}s.",
                    crate::ui::format::count(c.n_customers),
                    c.holdout_length
                ),
                None => format!(
                    "{} customers; no holdout.",
                    crate::ui::format::count(c.n_customers)
                ),
            };
            html! { <>
                <p class="note">{ basis }</p>
                { table(c) }
                <p data-testid="compare-recommendation"><strong>{ "Recommendation: " }</strong>{ &c.recommendation.headline }</p>
                <ul>{ for c.recommendation.reasons.iter().map(|r| html! { <li>{ r }</li> }) }</ul>
                <p class="note">{ format!("Rule: {}", c.recommendation.rule) }</p>
                { for c.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
                if let Some(ch) = chart(c) {
                    <ChartCard chart={Rc::new(ch)} />
                }
            </> }
        }
    };
    html! {
        <Section id="compare" title="Which model?" testid="compare-section">
            <div class="row">
                if has_log {
                    <label>{ "BG/BB too (purchases counted per period) " }
                        <select onchange={on_period} data-testid="compare-period"
                                disabled={*state == State::Running}>
                            { for PERIODS.iter().map(|(v, l)| html! {
                                <option value={*v} selected={period.map_or("", |p| p.name()) == *v}>{ *l }</option>
                            }) }
                        </select>
                    </label>
                }
                <button onclick={on_run} data-testid="compare-run" disabled={*state == State::Running}>{ "Compare models" }</button>
            </div>
            { body }
        </Section>
    }
}
