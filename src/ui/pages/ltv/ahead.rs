//! The "Looking ahead" section of the Lifetime value page: with the fitted model, the customers
//! most likely to buy within a chosen horizon and the valuable customers likely lost
//! ([`crate::analysis::ahead`], computed in the worker), each list exportable as CSV.

use crate::analysis::ahead::{AheadLists, AheadRow, DEFAULT_LOST_BELOW};
use crate::domain::clv::FittedModel;
use crate::ui::components::Section;
use crate::ui::components::{Cell, DataTable, JobStatus, StatusView};
use crate::ui::state::{AppContext, Source};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`LookAhead`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The dataset (held by the worker).
    pub source: Source,
    /// The fitted purchase model.
    pub model: Rc<FittedModel>,
}

/// Horizons offered, in days.
const HORIZONS: [(u32, &str); 4] = [
    (7, "next week"),
    (30, "next month"),
    (91, "next 3 months"),
    (365, "next year"),
];
/// Longest list.
const LIMIT: u32 = 500;

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Running,
    Done(Rc<AheadLists>),
    Failed(String),
}

fn rows(list: &[AheadRow]) -> Rc<Vec<Vec<Cell>>> {
    Rc::new(
        list.iter()
            .map(|r| {
                vec![
                    Cell::Text(r.id.clone()),
                    Cell::Num(r.x, 0),
                    Cell::Num(r.since_last, 1),
                    Cell::Num(r.past_value, 2),
                    Cell::Num(r.p_alive_now, 3),
                    Cell::Num(r.p_alive_then, 3),
                    Cell::Num(r.p_purchase, 3),
                ]
            })
            .collect(),
    )
}

/// The look-ahead section.
#[component]
pub fn LookAhead(p: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let days = use_state(|| 30u32);
    let state = use_state(|| State::Idle);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let unit = p.model.time_unit;
    let on_days = {
        let days = days.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(d) = s.value().parse::<u32>() {
                    days.set(d);
                }
            }
        })
    };
    let on_run = {
        let (ctx, state, src, model, days) = (
            ctx.clone(),
            state.clone(),
            p.source.clone(),
            p.model.clone(),
            *days,
        );
        Callback::from(move |_| {
            state.set(State::Running);
            let st = state.clone();
            let horizon = f64::from(days) / unit.days();
            ctx.ctl.worker.ahead(
                &src.meta.id,
                (*model).clone(),
                horizon,
                DEFAULT_LOST_BELOW,
                LIMIT,
                move |r| {
                    st.set(match r {
                        Ok(l) => State::Done(Rc::new(l)),
                        Err(e) => State::Failed(e.to_string()),
                    })
                },
            );
        })
    };
    let label = HORIZONS.iter().find(|h| h.0 == *days).map_or("", |h| h.1);
    let headers = Rc::new(vec![
        "Customer".to_string(),
        "Repeat purchases".into(),
        format!("{}s since last purchase", unit.name()),
        "Spend to date".into(),
        "P(alive) now".into(),
        format!("P(alive) at the end of the {label}"),
        format!("P(buys in the {label})"),
    ]);
    let body = match &*state {
        State::Idle => html! {},
        State::Running => {
            html! { <JobStatus start="Starting…" /> }
        }
        State::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
        State::Done(l) => html! { <>
            <h3>{ format!("Likely to buy in the {label}") }</h3>
            <p class="note">{ format!("The {} customers (of {}) with the highest chance of at least one purchase.", crate::ui::format::count(l.likely_to_buy.len()), crate::ui::format::count(l.n_customers)) }</p>
            <DataTable headers={headers.clone()} rows={rows(&l.likely_to_buy)} export_name="likely_to_buy.csv" testid="ahead-buy" />
            <h3>{ "Likely lost" }</h3>
            <p class="note">{ format!("P(alive) now below {:.0}%, highest spend to date first: {} customers{}.", 100.0 * l.lost_below, crate::ui::format::count(l.lost_count),
                if l.lost_count > l.likely_lost.len() as u64 { format!(" ({} shown, {} left out of the list)", crate::ui::format::count(l.likely_lost.len()), crate::ui::format::count(l.lost_count - l.likely_lost.len() as u64)) } else { String::new() }) }</p>
            <DataTable headers={headers.clone()} rows={rows(&l.likely_lost)} export_name="likely_lost.csv" testid="ahead-lost" />
        </> },
    };
    html! {
        <Section id="ahead" title="Looking ahead" testid="ahead-section">
            <p class="note">{ format!("With {}: the chance each customer buys at least once within the horizon, and the chance they are still a customer at its end (for BG/NBD and MBG/NBD a customer can only leave right after a purchase; for Pareto/NBD at any time).", p.model.kind.name()) }</p>
            <label>{ "Horizon " }
                <select onchange={on_days} data-testid="ahead-horizon">
                    { for HORIZONS.iter().map(|(d, l)| html! { <option value={d.to_string()} selected={*d == *days}>{ *l }</option> }) }
                </select>
            </label>
            <button onclick={on_run} data-testid="ahead-run" disabled={*state == State::Running}>{ "Make the lists" }</button>
            { body }
        </Section>
    }
}
