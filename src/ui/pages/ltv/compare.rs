//! The model comparison section of the Lifetime value page: a "Compare models" button that
//! runs [`crate::analysis::compare`] in the worker (with progress), then the table (LL, k, AIC,
//! BIC, convergence, likelihood-ratio test against the NBD, holdout errors), the
//! recommendation with its reasons and rule, and the holdout-by-frequency chart per model.

use crate::analysis::compare::{CompareRequest, Comparison};
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::{ChartCard, StatusView};
use crate::ui::state::{AppContext, Source};
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

fn table(c: &Comparison) -> Html {
    let f = |v: Option<f64>, d: usize| v.map_or_else(|| "–".to_string(), |v| format!("{v:.d$}"));
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
                    <td>{ format!("{:.2}", m.log_likelihood) }</td>
                    <td>{ m.k }</td>
                    <td>{ format!("{:.2}", m.aic) }</td>
                    <td>{ format!("{:.2}", m.bic) }</td>
                    <td>{ if m.converged { "yes" } else { "no" } }</td>
                    <td>{ m.lr_vs_nbd.as_ref().map_or_else(|| "–".to_string(), |t| format!("{:.1} (p = {:.2e})", t.statistic, t.p_value)) }</td>
                    <td>{ f(h.map(|h| h.customer_mae), 4) }</td>
                    <td>{ h.and_then(|h| h.tracking_mape).map_or_else(|| "–".to_string(), |v| format!("{:.1}%", 100.0 * v)) }</td>
                </tr> }
            }) }
            </tbody>
        </table>
        </div>
    }
}

/// The comparison section.
#[component]
pub fn ModelCompare(p: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_state(|| State::Idle);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let on_run = {
        let (ctx, state, src) = (ctx.clone(), state.clone(), p.source.clone());
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
            };
            state.set(State::Running);
            let st = state.clone();
            ctx.ctl.worker.compare(&src.meta.id, request, move |r| {
                st.set(match r {
                    Ok(c) => State::Done(Rc::new(c)),
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
            let (fraction, stage) = ctx
                .state
                .progress
                .as_ref()
                .map_or((None, "Starting the comparison…".to_string()), |p| {
                    (Some(p.fraction), p.stage.clone())
                });
            html! { <StatusView kind="loading" message={stage} {fraction} /> }
        }
        State::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
        State::Done(c) => {
            let unit = c.time_unit.name();
            let basis = match c.calibration_end {
                Some(d) => format!(
                    "{} customers, fitted up to {d}; holdout {:.1} {unit}s.",
                    c.n_customers, c.holdout_length
                ),
                None => format!("{} customers; no holdout.", c.n_customers),
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
        <section class="card" data-testid="compare-section">
            <h2>{ "Which model?" }</h2>
            <button onclick={on_run} data-testid="compare-run" disabled={*state == State::Running}>{ "Compare models" }</button>
            { body }
        </section>
    }
}
