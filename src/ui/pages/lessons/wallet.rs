//! Lesson "share-of-wallet": our spend against each customer's spend in the category → share
//! of wallet per customer, share of customer over the base, and the value of growing the share
//! by k points. On an editable example: the app's import mapping has no category-spend column.

use super::table::RowTable;
use super::{formula, lesson_end, num_cell, refused, text_cell};
use crate::analysis::lessons::wallet::{self, WalletRow};
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::{ChartCard, NumberField};
use std::rc::Rc;
use yew::prelude::*;

/// The row "Add a customer" appends after `n` rows.
fn new_row(n: usize) -> WalletRow {
    WalletRow {
        customer: format!("C{}", n + 1),
        ours: 100.0,
        category: 500.0,
    }
}

/// The share of wallet lesson.
#[component]
pub fn WalletLesson() -> Html {
    let rows = use_state(wallet::default_rows);
    let points = use_state(|| 10.0);
    let margin = use_state(|| 0.3);
    let set = |s: UseStateHandle<f64>| Callback::from(move |v| s.set(v));
    let result = wallet::shares(&rows, *points, *margin);
    let table = RowTable::new(&rows, 20);
    let shares = result.as_ref().ok();
    let grid = html! {
        <div class="scroll">
        <table class="data" data-testid="sow-table">
            <thead><tr><th>{ "customer" }</th><th class="num">{ "our spend" }</th><th class="num">{ "category spend" }</th>
                <th class="num">{ "share of wallet" }</th><th class="num">{ format!("extra spend at +{} points", *points) }</th></tr></thead>
            <tbody>
            { for rows.iter().enumerate().map(|(i, r)| {
                let s = shares.and_then(|w| w.rows.get(i));
                let name_on = table.edit(i, |r: &mut WalletRow, v: String| r.customer = v);
                html! { <tr>
                    <td>{ text_cell(format!("row {} customer", i + 1), format!("sow-name-{i}"), r.customer.clone(), name_on) }</td>
                    <td class="num">{ num_cell(format!("{}: our spend", r.customer), format!("sow-ours-{i}"), r.ours, table.edit(i, |r: &mut WalletRow, x: f64| r.ours = x)) }</td>
                    <td class="num">{ num_cell(format!("{}: category spend", r.customer), format!("sow-cat-{i}"), r.category, table.edit(i, |r: &mut WalletRow, x: f64| r.category = x)) }</td>
                    <td class="num" data-testid={format!("sow-share-{i}")}>{ s.map_or("–".to_string(), |s| format!("{:.1}%", 100.0 * s.share)) }</td>
                    <td class="num" data-testid={format!("sow-extra-{i}")}>{ s.map_or("–".to_string(), |s| format!("{:.2}", s.extra)) }</td>
                </tr> }
            }) }
            </tbody>
        </table>
        </div>
    };
    let figures = match &result {
        Err(e) => refused(e),
        Ok(w) => {
            let ours: f64 = rows.iter().map(|r| r.ours).sum();
            let cat: f64 = rows.iter().map(|r| r.category).sum();
            let chart = Rc::new(Chart {
                title: "Our spend and the rest of the category, per customer".into(),
                x_label: "customer".into(),
                y_label: "spend".into(),
                kind: Kind::Bars {
                    categories: rows.iter().map(|r| r.customer.clone()).collect(),
                    series: vec![
                        ("our spend".into(), rows.iter().map(|r| r.ours).collect()),
                        (
                            "spent elsewhere".into(),
                            rows.iter().map(|r| r.category - r.ours).collect(),
                        ),
                    ],
                },
            });
            html! {
                <>
                <div class="row">
                    <div class="kpi"><span class="label">{ "Share of customer (spend-weighted)" }</span>
                        <span class="value" data-testid="sow-soc">{ format!("{:.1}%", 100.0 * w.share_of_customer) }</span>
                        <span class="sub">{ format!("mean of the shares {:.1}%", 100.0 * w.mean_share) }</span></div>
                    <div class="kpi"><span class="label">{ format!("Extra spend from +{} points", *points) }</span>
                        <span class="value" data-testid="sow-extra">{ format!("{:.2}", w.extra_spend) }</span></div>
                    <div class="kpi"><span class="label">{ format!("Extra margin at {:.0}%", 100.0 * *margin) }</span>
                        <span class="value" data-testid="sow-extra-margin">{ format!("{:.2}", w.extra_margin) }</span></div>
                </div>
                { formula("share of wallet = our spend / category spend;  share of customer = Σ ours / Σ category;  extra = Σ min(k/100 · category, category − ours) · margin rate",
                    format!("share of customer = {ours:.2} / {cat:.2} = {:.1}%;  extra = {:.2} · {} = {:.2}", 100.0 * w.share_of_customer, w.extra_spend, *margin, w.extra_margin), "sow-formula") }
                <ChartCard chart={chart} testid="sow-chart" />
                </>
            }
        }
    };
    html! {
        <div class="card" data-testid="lesson-share-of-wallet">
            <h2>{ "Share of wallet and share of customer" }</h2>
            <p>{ "Share of wallet is our part of what a customer spends in the category. Growing it with the customers we already have is often cheaper than finding new ones." }</p>
            <p class="note" data-testid="sow-source">{ "An editable example: your data cannot feed this lesson, because the import has no column for a customer's total spend in the category (it reads customer, date, amount, quantity, cost, margin, channel and product). A survey question (“how much do you spend on … in total?”) gives that figure." }</p>
            { grid }
            <div class="row">
                { table.buttons("sow", new_row) }
                { NumberField::new("Points of share gained k", "sow-points", format!("{}", *points)).step("any").width("6rem").view_number(set(points.clone())) }
                { NumberField::new("Margin rate (0 to 1)", "sow-margin", format!("{}", *margin)).step("any").width("6rem").view_number(set(margin.clone())) }
            </div>
            { figures }
            { lesson_end("share-of-wallet") }
        </div>
    }
}
