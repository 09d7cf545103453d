//! Segment movement on the Segments page: the RFM segments at two dates (default: the
//! calibration end, 2/3 of the observed period, and the end of observation), the transition
//! matrix with counts and value as a heat map and a table of cells, and the customers behind a
//! flow (click a cell) to export as CSV. Computed in the worker (`analysis::movement`).

use crate::domain::segmentation::{MonetaryKind, RfmParams, SegmentMap};
use crate::ui::charts::{fmt_tick, Chart, Kind};
use crate::ui::components::Section;
use crate::ui::components::{download, status, ChartCard, Input, Load};
use crate::ui::state::AppContext;
use crate::worker::error::WorkerError;
use crate::worker::movement::{MovementRequest, MovementResult};
use chrono::NaiveDate;
use std::rc::Rc;
use yew::prelude::*;

/// Properties: the Segments page's RFM settings.
#[derive(Properties, PartialEq)]
pub struct MovementProps {
    /// The segment map in use.
    pub map: SegmentMap,
    /// Bins per dimension.
    pub bins: u32,
    /// Total or mean spend.
    pub monetary: MonetaryKind,
}

fn date_input(
    value: Option<NaiveDate>,
    testid: &str,
    set: UseStateHandle<Option<NaiveDate>>,
) -> Html {
    let on = Callback::from(move |v: String| {
        set.set(v.parse::<NaiveDate>().ok());
    });
    html! { <Input kind="date" value={value.map(|d| d.to_string()).unwrap_or_default()} {on} testid={testid.to_string()} /> }
}

/// The segment movement card.
#[component]
pub fn MovementSection(props: &MovementProps) -> Html {
    let ctx = use_context::<AppContext>();
    let from = use_state(|| None::<NaiveDate>);
    let to = use_state(|| None::<NaiveDate>);
    let load = use_state(|| {
        Load::<Rc<MovementResult>>::Empty(
            "Pick two dates (or keep the defaults) and compare.".into(),
        )
    });
    let cell = use_state(|| None::<(u16, u16)>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(src) = ctx.state.workspace.transactions.clone() else {
        return html! {};
    };
    let run = {
        let (ctx, load, cell) = (ctx.clone(), load.clone(), cell.clone());
        let (from, to) = (from.clone(), to.clone());
        let (map, bins, monetary) = (props.map.clone(), props.bins, props.monetary);
        Callback::from(move |_| {
            let clv = super::clv_fit(&ctx, &src).map(|f| f.clv.clone());
            let req = MovementRequest {
                from: *from,
                to: *to,
                rfm: RfmParams {
                    bins,
                    monetary,
                    ..RfmParams::default()
                },
                map: map.clone(),
                clv,
            };
            load.set(Load::Loading {
                fraction: None,
                stage: "Comparing segments at two dates".into(),
            });
            cell.set(None);
            let l = load.clone();
            ctx.ctl.movement(&src, req, move |r| match r {
                Ok(m) => l.set(Load::Ready(Rc::new(m))),
                Err(WorkerError::Resending { .. }) => l.set(Load::Empty(
                    "The dataset is being sent to the worker again: compare again in a moment."
                        .into(),
                )),
                Err(e) => l.set(Load::Failed(e.to_string())),
            });
        })
    };
    let body = status::view(&load, None, |r| ready(r, &cell));
    html! {
        <Section id="movement" title="Segment movement" testid="movement-card">
            <p class="note">{ "Each customer's RFM segment at two dates, scored with the settings above on the purchases up to each date (quantile cut points of each date). Empty dates: the calibration end (2/3 of the observed period) and the last date in the data. Customers who had not bought by the first date start as \"Not yet a customer\". Click a cell to list its customers and export them." }</p>
            <div class="row">
                <label>{ "First date " }{ date_input(*from, "movement-from", from.clone()) }</label>
                <label>{ "Second date " }{ date_input(*to, "movement-to", to.clone()) }</label>
                <button onclick={run} data-testid="movement-run">{ "Compare" }</button>
            </div>
            { body }
        </Section>
    }
}

fn ready(r: &MovementResult, cell: &UseStateHandle<Option<(u16, u16)>>) -> Html {
    let chart = Rc::new(Chart {
        title: format!("Segment movement {} to {}", r.from, r.to),
        x_label: format!("segment on {}", r.to),
        y_label: format!("segment on {}", r.from),
        kind: Kind::Heatmap {
            rows: r.from_segments.clone(),
            cols: r.to_segments.clone(),
            values: r
                .counts
                .iter()
                .map(|row| row.iter().map(|&c| c as f64).collect())
                .collect(),
            text: r
                .counts
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|&c| if c > 0 { c.to_string() } else { String::new() })
                        .collect()
                })
                .collect(),
        },
    });
    let selected = *(*cell);
    let head = html! { <tr><th>{ format!("{} \\ {}", r.from, r.to) }</th>
    { for r.to_segments.iter().map(|s| html! { <th class="num">{ s }</th> }) }</tr> };
    let rows = r.from_segments.iter().enumerate().map(|(i, name)| {
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        let cells = r.to_segments.iter().enumerate().map(|(j, _)| {
            let j = u16::try_from(j).unwrap_or(u16::MAX);
            let n = r.counts.get(usize::from(i)).and_then(|row| row.get(usize::from(j))).copied().unwrap_or(0);
            let v = r.values.get(usize::from(i)).and_then(|row| row.get(usize::from(j))).copied().unwrap_or(0.0);
            let on = selected == Some((i, j));
            let onclick = { let cell = cell.clone(); Callback::from(move |_| cell.set(Some((i, j)))) };
            html! { <td class="num">
                if n > 0 {
                    <button class={if on { "secondary active" } else { "secondary" }} {onclick} data-testid={format!("flow-{i}-{j}")} aria-pressed={on.to_string()}>
                        { format!("{n} · {}", fmt_tick(v)) }
                    </button>
                }
            </td> }
        });
        html! { <tr><th>{ name }</th>{ for cells }</tr> }
    });
    let flow = selected.map(|(i, j)| {
        let members = r.flow(i, j);
        let from = r.from_segments.get(usize::from(i)).cloned().unwrap_or_default();
        let to = r.to_segments.get(usize::from(j)).cloned().unwrap_or_default();
        let total: f64 = members.iter().map(|m| m.1).sum();
        let csv = r.flow_csv(i, j, &crate::ui::format::current());
        let name = format!("movement-{}-to-{}.csv", slug(&from), slug(&to));
        let export = Callback::from(move |_| download::bytes(&name, "text/csv;charset=utf-8", csv.as_bytes()));
        html! { <div data-testid="flow-detail">
            <p>{ format!("{} → {}: {} customers, {} {}.", from, to, crate::ui::format::count(members.len()), r.value_kind, fmt_tick(total)) }</p>
            <button onclick={export} data-testid="flow-export">{ "Export these customers (CSV)" }</button> { crate::ui::components::table::csv_note() }
            <ul class="compact">{ for members.iter().take(20).map(|(id, v)| html! { <li>{ format!("{id}: {}", fmt_tick(*v)) }</li> }) }</ul>
            if members.len() > 20 { <p class="note">{ format!("…and {} more in the export.", members.len() - 20) }</p> }
        </div> }
    });
    html! { <>
        <p data-testid="movement-summary">{ format!(
            "{} customers on {}: {} stayed in their segment, {} moved, {} joined after {}. Cell: customers · {}.",
            crate::ui::format::count(r.ids.len()), r.to, crate::ui::format::count(r.stayed), crate::ui::format::count(r.moved), crate::ui::format::count(r.joined), r.from, r.value_kind) }</p>
        if r.without_value > 0 {
            <p class="note">{ format!("{} customers have no CLV in the fit (counted with value 0).", crate::ui::format::count(r.without_value)) }</p>
        }
        <div class="scroll"><table class="data" data-testid="movement-matrix"><thead>{ head }</thead><tbody>{ for rows }</tbody></table></div>
        { for flow }
        <ChartCard chart={chart} testid="movement-chart" />
    </> }
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
