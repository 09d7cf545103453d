//! The RFM section: scores and cut points, the segment map and its editor, the segment table.

use super::clusters::cluster_view;
use super::crosstab::crosstab_view;
use super::customers::SegmentCustomers;
use super::run::clv_fit;
use super::tiers::{needs_view, tiers_view};
use super::{Settings, Update};
use crate::domain::segmentation::{Precedence, SegmentMap};
use crate::domain::segmentation::{Rule, ScoreRange};
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable};
use crate::ui::format;
use crate::ui::state::{AppContext, Source};
use crate::worker::segment::SegmentResult;
use std::rc::Rc;
use yew::prelude::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn ready_view(
    ctx: &AppContext,
    src: &Source,
    r: &Rc<SegmentResult>,
    st: &Settings,
    update: Update,
    selected: &UseStateHandle<Option<String>>,
    cell: &UseStateHandle<Option<(u8, u8)>>,
    has_clv: bool,
    nps: Option<&crate::analysis::segment::SegmentAnswers>,
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
            v.iter()
                .map(|x| format::compact(*x))
                .collect::<Vec<_>>()
                .join(" · ")
        }
    };
    let cuts = html! {
        <Section id="cut-points" title="Cut points" testid="cut-points">
            <ul>
                <li>{ format!("Recency (days): {} — {} bins", fmt_cuts(&rfm.cut_points.recency), rfm.bins_used[0]) }</li>
                <li>{ format!("Frequency (purchase days): {} — {} bins", fmt_cuts(&rfm.cut_points.frequency), rfm.bins_used[1]) }</li>
                <li>{ format!("Monetary ({}): {} — {} bins", rfm.monetary_kind.name(), fmt_cuts(&rfm.cut_points.monetary), rfm.bins_used[2]) }</li>
            </ul>
            { for rfm.warnings.iter().chain(&r.warnings).map(|w| html! { <div class="warnbox" data-testid="rfm-warning">{ w }</div> }) }
        </Section>
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
                .map(|(c, v)| format!("{c} · {}", format::compact(*v)))
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
    let nps_seg = nps.map(|a| &a.by_segment);
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
                let (s, c) = nps_seg
                    .and_then(|m| m.get(&t.name))
                    .copied()
                    .unwrap_or((0.0, 0));
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
        <Section id="segments" title="Segments">
            <p class="note" data-testid="segment-count">{ format!("{} of {} customers in {} segments (every customer in exactly one; \"{}\" takes cells no rule covers). Click a segment to list its customers.", crate::ui::format::count(counted), crate::ui::format::count(n), r.table.len(), st.map.fallback) }</p>
            if let Some(desc) = selected.as_ref().map(|s| st.map.describe(s).to_string()).filter(|d| !d.is_empty()) {
                <p class="note">{ desc }</p>
            }
            <DataTable headers={Rc::new(headers.iter().map(|s| s.to_string()).collect::<Vec<_>>())} rows={Rc::new(table_rows)}
                export_name="segments.csv" testid="segment-table" {on_select} selected={sel_idx} page_size={20} />
        </Section>
    };

    // Customers of the selected segment: a page at a time from the worker.
    let customers = selected.as_ref().map(|name| {
        html! { <SegmentCustomers ctx={ctx.clone()} src={src.clone()} result={r.clone()}
        segment={name.clone()} has_clv={clv_fit(ctx, src).is_some()} /> }
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
            { crosstab_view(ctx, src, r) }
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
        <Section id="map" title={format!("Map: {}", st.map.name)} testid="map-editor">
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
        </Section>
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
