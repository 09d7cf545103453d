//! Satisfaction drivers by relative weights (overall satisfaction and staying, with bootstrap
//! intervals) and the CLV at risk among detractors and dissatisfied customers, by segment.
//! Computed in [`crate::analysis::drivers`]; this file only displays.

use super::bars;
use crate::analysis::drivers::{DriverTable, Drivers, LEVEL};
use crate::ui::charts::fmt_tick;
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable};
use std::rc::Rc;
use yew::prelude::*;

fn weights_view(t: &Result<DriverTable, String>, testid: &str) -> Html {
    let t = match t {
        Ok(t) => t,
        Err(e) => {
            return html! { <p class="warnbox" data-testid={format!("{testid}-error")}>{ e.clone() }</p> }
        }
    };
    let w = &t.weights;
    let headers: Vec<String> = [
        "Attribute",
        "Relative weight",
        &format!("{:.0}% interval low", 100.0 * LEVEL),
        &format!("{:.0}% interval high", 100.0 * LEVEL),
        "Share of R² (%)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<Cell>> = t
        .names
        .iter()
        .zip(&w.weights)
        .enumerate()
        .map(|(i, (name, &x))| {
            let (lo, hi) = w.intervals.get(i).copied().unwrap_or((f64::NAN, f64::NAN));
            vec![
                Cell::Text(name.clone()),
                Cell::Num(x, 3),
                Cell::Num(lo, 3),
                Cell::Num(hi, 3),
                Cell::Num(
                    if w.r2 > 0.0 {
                        100.0 * x / w.r2
                    } else {
                        f64::NAN
                    },
                    1,
                ),
            ]
        })
        .collect();
    let chart = bars(
        &format!("Relative weights for {}", t.outcome),
        "Attribute",
        "Share of explained variance",
        t.names.clone(),
        vec![("weight".into(), w.weights.clone())],
    );
    let r2 = w.r2_interval.map_or(String::new(), |(lo, hi)| {
        format!(" ({:.0}% interval {lo:.3} to {hi:.3})", 100.0 * LEVEL)
    });
    html! { <>
        <p data-testid={format!("{testid}-r2")}>{ format!(
            "{}: R² = {:.3}{r2} from {} answers ({} left out for a missing score or outcome); intervals from {} bootstrap resamples of the respondents, seed {}{}.",
            t.outcome, w.r2, w.n, t.left_out, w.resamples, w.seed,
            if w.resamples_failed > 0 { format!(", {} resamples left out (an attribute did not vary in them)", w.resamples_failed) } else { String::new() }) }</p>
        <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name={format!("{testid}.csv")} testid={testid.to_string()} page_size={20} />
        { crate::ui::components::explain_figures::drivers(t, testid) }
        <ChartCard chart={chart} testid={format!("{testid}-chart")} />
    </> }
}

/// The drivers and value-at-risk card.
pub(super) fn drivers_card(d: &Drivers) -> Html {
    let risk = d.risk.as_ref().map(|r| {
        let mut headers: Vec<String> = ["Group", "Customers", "CLV"].map(String::from).to_vec();
        if r.has_nps {
            headers.push("Detractors".into());
            headers.push("CLV of detractors".into());
            headers.push("% of CLV".into());
        }
        for a in &r.attributes {
            headers.push(format!("Dissatisfied: {a}"));
            headers.push(format!("CLV dissatisfied: {a}"));
        }
        let rows: Vec<Vec<Cell>> = r
            .rows
            .iter()
            .map(|row| {
                let mut v = vec![
                    Cell::Text(row.group.clone()),
                    Cell::Num(row.customers as f64, 0),
                    Cell::Num(row.clv, 0),
                ];
                if r.has_nps {
                    v.push(Cell::Num(row.detractors.0 as f64, 0));
                    v.push(Cell::Num(row.detractors.1, 0));
                    v.push(Cell::Num(if row.clv > 0.0 { 100.0 * row.detractors.1 / row.clv } else { f64::NAN }, 1));
                }
                for (n, c) in &row.dissatisfied {
                    v.push(Cell::Num(*n as f64, 0));
                    v.push(Cell::Num(*c, 0));
                }
                v
            })
            .collect();
        let all = r.rows.first();
        html! { <>
            <h3>{ "Value at risk" }</h3>
            <p class="note">{ "CLV (default fit) of the surveyed customers, each with their latest answer: held by detractors (NPS 0–6) and by customers whose performance score on an attribute is below their expectation by more than the tolerance." }</p>
            if let Some(a) = all {
                <p data-testid="value-at-risk">{ format!("{} surveyed customers hold CLV {}; detractors hold {}.", a.customers, fmt_tick(a.clv), if r.has_nps { fmt_tick(a.detractors.1) } else { "– (no NPS column)".into() }) }</p>
            }
            if !r.skipped.is_empty() { <p class="note">{ format!("Attributes left out: {}.", r.skipped.join(", ")) }</p> }
            if r.unmatched > 0 { <p class="note">{ format!("{} respondents are not customers of the fit (left out).", r.unmatched) }</p> }
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="value-at-risk.csv" testid="value-at-risk-table" page_size={20} />
        </> }
    });
    html! {
        <Section id="drivers" title="Drivers of satisfaction and staying" testid="drivers-card">
            <p class="note">{ "Relative weights (Johnson 2000): each attribute's share of the outcome's variance explained by all attributes together, fair to correlated attributes; the weights add up to R²." }</p>
            { for d.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
            if let Some(t) = &d.overall { { weights_view(t, "drivers-overall") } }
            if let Some(t) = &d.staying { { weights_view(t, "drivers-staying") } }
            { for risk }
        </Section>
    }
}
