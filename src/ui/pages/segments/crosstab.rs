//! The cross-tab of two segmentations: the worker counts it on the customers it holds
//! ([`crate::analysis::segment::crosstab`]).

use super::select_cb;
use crate::domain::segmentation::CrossTab;
use crate::ui::components::Section;
use crate::ui::state::{AppContext, Source};
use crate::worker::segment::{Labeling, SegmentAnswer, SegmentQuery, SegmentResult};
use std::rc::Rc;
use yew::prelude::*;

/// What the worker answered for the two chosen segmentations.
type Answer = Option<Result<CrossTab, String>>;

#[component]
fn CrossTabView(p: &CrossProps) -> Html {
    let a = use_state(|| "rfm".to_string());
    let b = use_state(|| "hml".to_string());
    // The answer with the pair it is for; None while the worker counts.
    let table = use_state(|| None::<((String, String), Answer)>);
    {
        let (ctx, src, r, table) = (
            p.ctx.clone(),
            p.src.clone(),
            p.result.clone(),
            table.clone(),
        );
        let deps = ((*a).clone(), (*b).clone(), ByPtr(p.result.clone()));
        use_effect_with(deps, move |(a, b, _)| {
            let pair = (a.clone(), b.clone());
            let (Some(x), Some(y)) = (Labeling::from_key(a), Labeling::from_key(b)) else {
                return;
            };
            ctx.ctl
                .segment_query(&src, &r, SegmentQuery::CrossTab(x, y), move |res| {
                    let answer = match res {
                        Ok(SegmentAnswer::CrossTab(t)) => t,
                        Ok(_) => Some(Err(
                            crate::worker::error::WorkerError::Unexpected.to_string()
                        )),
                        Err(crate::worker::error::WorkerError::Resending { .. }) => return,
                        Err(e) => Some(Err(e.to_string())),
                    };
                    table.set(Some((pair, answer)));
                });
        });
    }
    let sel = |h: &UseStateHandle<String>, testid: &str| {
        let h2 = h.clone();
        let cb = select_cb(move |v| h2.set(v));
        let name = if testid.ends_with("-a") {
            "Rows of the cross-tabulation"
        } else {
            "Columns of the cross-tabulation"
        };
        html! { <select onchange={cb} data-testid={testid.to_string()} aria-label={name}>
            { for Labeling::ALL.iter().map(|(_, k, l)| html! { <option value={*k} selected={**h == *k}>{ *l }</option> }) }
        </select> }
    };
    let current = table
        .as_ref()
        .filter(|(pair, _)| pair.0 == *a && pair.1 == *b)
        .map(|(_, t)| t);
    let body = match current {
        None => html! { <p class="note" data-testid="crosstab-loading">{ "Counting…" }</p> },
        Some(Some(Ok(t))) => html! {
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
        Some(Some(Err(e))) => html! { <p class="errbox">{ e.clone() }</p> },
        Some(None) => html! { <p class="note">{ "Run k-means first to compare clusters." }</p> },
    };
    html! {
        <Section id="crosstab" title="Compare two segmentations" testid="crosstab-card">
            <div class="row">{ "Rows: " }{ sel(&a, "crosstab-a") }{ " Columns: " }{ sel(&b, "crosstab-b") }</div>
            <p class="note">{ "Customers in each pair (share of the row)." }</p>
            { body }
        </Section>
    }
}

#[derive(Properties)]
struct CrossProps {
    ctx: AppContext,
    src: Source,
    result: Rc<SegmentResult>,
}

/// A result compared by identity (for memo keys and props).
pub(super) struct ByPtr(pub(super) Rc<SegmentResult>);

impl PartialEq for ByPtr {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for CrossProps {
    /// The same result object.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.result, &other.result) && self.ctx == other.ctx && self.src == other.src
    }
}

pub(super) fn crosstab_view(ctx: &AppContext, src: &Source, r: &Rc<SegmentResult>) -> Html {
    html! { <CrossTabView ctx={ctx.clone()} src={src.clone()} result={r.clone()} /> }
}
