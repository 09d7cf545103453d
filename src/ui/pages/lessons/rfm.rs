//! Lesson "rfm": RFM on a small table the student edits cell by cell. The scores, quintile
//! cut points and segment names are the engine's own (see [`crate::analysis::lessons::rfm`]).

use super::table::RowTable;
use super::{formula, lesson_end, num_cell, refused, text_cell};
use crate::analysis::lessons::rfm::{self, RfmRow};
use yew::prelude::*;

fn cuts(v: &[f64]) -> String {
    v.iter()
        .map(|c| format!("{c}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The row "Add a customer" appends after `n` rows.
fn new_row(n: usize) -> RfmRow {
    RfmRow {
        customer: format!("Customer {}", n + 1),
        days_ago: 30,
        purchases: 2,
        spend: 100.0,
    }
}

/// The RFM lesson.
#[component]
pub fn RfmLesson() -> Html {
    let rows = use_state(rfm::default_rows);
    let scored = rfm::score(&rows);
    let table = RowTable::new(&rows, 30);
    let whole = |x: f64| {
        if x.is_finite() {
            x.round().clamp(0.0, 1e6) as u32
        } else {
            0
        }
    };
    let ok = scored.as_ref().ok();
    let grid = html! {
        <div class="scroll">
        <table class="data" data-testid="rfm-lesson-table">
            <thead><tr><th>{ "customer" }</th><th class="num">{ "last purchase, days ago" }</th><th class="num">{ "purchases" }</th><th class="num">{ "spend" }</th>
                <th class="num">{ "R" }</th><th class="num">{ "F" }</th><th class="num">{ "M" }</th><th>{ "segment" }</th></tr></thead>
            <tbody>
            { for rows.iter().enumerate().map(|(i, r)| {
                let s = ok.and_then(|l| l.result.scores.get(i));
                let seg = ok.and_then(|l| l.segments.get(i)).cloned().unwrap_or_default();
                let name_on = table.edit(i, |r: &mut RfmRow, v: String| r.customer = v);
                html! { <tr data-testid={format!("rfm-row-{i}")}>
                    <td>{ text_cell(format!("row {} customer", i + 1), format!("rfm-name-{i}"), r.customer.clone(), name_on) }</td>
                    <td class="num">{ num_cell(format!("{}: days since the last purchase", r.customer), format!("rfm-days-{i}"), f64::from(r.days_ago), table.edit(i, move |r: &mut RfmRow, x: f64| r.days_ago = whole(x))) }</td>
                    <td class="num">{ num_cell(format!("{}: purchases", r.customer), format!("rfm-purchases-{i}"), f64::from(r.purchases), table.edit(i, move |r: &mut RfmRow, x: f64| r.purchases = whole(x).max(1))) }</td>
                    <td class="num">{ num_cell(format!("{}: spend", r.customer), format!("rfm-spend-{i}"), r.spend, table.edit(i, |r: &mut RfmRow, x: f64| r.spend = x)) }</td>
                    <td class="num" data-testid={format!("rfm-r-{i}")}>{ s.map_or("–".into(), |s| s.r.to_string()) }</td>
                    <td class="num" data-testid={format!("rfm-f-{i}")}>{ s.map_or("–".into(), |s| s.f.to_string()) }</td>
                    <td class="num" data-testid={format!("rfm-m-{i}")}>{ s.map_or("–".into(), |s| s.m.to_string()) }</td>
                    <td data-testid={format!("rfm-segment-{i}")}>{ seg }</td>
                </tr> }
            }) }
            </tbody>
        </table>
        </div>
    };
    let details = match &scored {
        Err(e) => refused(e),
        Ok(l) => {
            let c = &l.result.cut_points;
            let n = rows.len();
            html! {
                <>
                <h3>{ "Quintile boundaries (cut points)" }</h3>
                <table class="data" data-testid="rfm-cuts">
                    <thead><tr><th>{ "dimension" }</th><th>{ "cut points, ascending" }</th><th>{ "bins used" }</th></tr></thead>
                    <tbody>
                        <tr><td>{ "recency (days)" }</td><td data-testid="rfm-cuts-r">{ cuts(&c.recency) }</td><td>{ l.result.bins_used[0] }</td></tr>
                        <tr><td>{ "frequency (purchases)" }</td><td data-testid="rfm-cuts-f">{ cuts(&c.frequency) }</td><td>{ l.result.bins_used[1] }</td></tr>
                        <tr><td>{ "monetary (total spend)" }</td><td data-testid="rfm-cuts-m">{ cuts(&c.monetary) }</td><td>{ l.result.bins_used[2] }</td></tr>
                    </tbody>
                </table>
                { for l.result.warnings.iter().map(|w| html! { <p class="warnbox">{ w.clone() }</p> }) }
                { formula("cut point j = the value at rank ceil(j · N / 5) − 1 (from 0) of the sorted values;  score = 1 + number of cut points strictly below the value;  R = 6 − that (fewer days is better)",
                    format!("N = {n}: ranks {};  recency cut points {}", (1..5).map(|j| ((j * n).div_ceil(5)).saturating_sub(1).to_string()).collect::<Vec<_>>().join(", "), cuts(&c.recency)), "rfm-formula") }
                </>
            }
        }
    };
    html! {
        <div class="card" data-testid="lesson-rfm">
            <h2>{ "RFM from a small table" }</h2>
            <p>{ "Recency, frequency and monetary value, each scored 1 to 5 by quintile, and named by the common R × F segment map — the same scoring and map the Segments page uses on your data. Edit any cell (press Enter or leave the cell) and watch the boundaries and scores move." }</p>
            { grid }
            <div class="row">{ table.buttons("rfm", new_row) }</div>
            { details }
            { lesson_end("rfm") }
        </div>
    }
}
