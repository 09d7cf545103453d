//! Lesson "retention": Reichheld & Sasser's retention economics. The profit a customer brings
//! by year of the relationship (five sources, editable per year), and how a few points of
//! retention move the value of a base of customers.

use super::{formula, lesson_end, num_cell, refused};
use crate::analysis::lessons::retention::{self, BaseInputs, YearProfit};
use crate::ui::charts::{Chart, Kind, Series};
use crate::ui::components::{Cell, ChartCard, DataTable, NumberField};
use std::rc::Rc;
use yew::prelude::*;

const SOURCES: [&str; 5] = [
    "base profit",
    "growth in spending",
    "lower operating cost",
    "referrals",
    "price premium",
];

fn source(y: &YearProfit, k: usize) -> f64 {
    [
        y.base,
        y.growth,
        y.cost_savings,
        y.referrals,
        y.price_premium,
    ]
    .get(k)
    .copied()
    .unwrap_or_default()
}

fn set_source(y: &mut YearProfit, k: usize, v: f64) {
    match k {
        0 => y.base = v,
        1 => y.growth = v,
        2 => y.cost_savings = v,
        3 => y.referrals = v,
        _ => y.price_premium = v,
    }
}

/// The retention economics lesson.
#[component]
pub fn RetentionLesson() -> Html {
    let years = use_state(retention::default_years);
    let inputs = use_state(|| BaseInputs {
        customers: 1000.0,
        retention: 0.8,
        delta: 0.05,
        discount: 0.1,
        horizon: 10,
        acquisition_cost: 80.0,
    });
    let field = |label: &str, id: &str, v: f64, f: fn(&mut BaseInputs, f64)| {
        let inputs = inputs.clone();
        NumberField::new(label, id, format!("{v}"))
            .step("any")
            .width("7rem")
            .view_number(Callback::from(move |x| {
                let mut i = (*inputs).clone();
                f(&mut i, x);
                inputs.set(i);
            }))
    };
    let i = &*inputs;
    let stacked = Rc::new(Chart {
        title: "Profit per customer by year of the relationship".into(),
        x_label: "year of the relationship".into(),
        y_label: "profit per customer (stacked)".into(),
        kind: Kind::Lines(
            (0..5)
                .map(|k| Series {
                    name: format!("+ {}", SOURCES[k]),
                    points: years
                        .iter()
                        .enumerate()
                        .map(|(t, y)| ((t + 1) as f64, (0..=k).map(|j| source(y, j)).sum()))
                        .collect(),
                    dashed: false,
                })
                .collect(),
        ),
    });
    let grid = html! {
        <div class="scroll">
        <table class="data" data-testid="ret-years">
            <thead><tr><th>{ "year" }</th>{ for SOURCES.iter().map(|s| html! { <th class="num">{ *s }</th> }) }<th class="num">{ "profit" }</th></tr></thead>
            <tbody>
            { for years.iter().enumerate().map(|(t, y)| html! {
                <tr>
                    <td>{ t + 1 }</td>
                    { for (0..5).map(|k| {
                        let years = years.clone();
                        let on = Callback::from(move |v: f64| {
                            let mut ys = (*years).clone();
                            if let Some(y) = ys.get_mut(t) { set_source(y, k, v); }
                            years.set(ys);
                        });
                        html! { <td class="num">{ num_cell(format!("year {}: {}", t + 1, SOURCES[k]), format!("ret-{}-{}", t + 1, k), source(y, k), on) }</td> }
                    }) }
                    <td class="num" data-testid={format!("ret-total-{}", t + 1)}>{ format!("{:.2}", y.total()) }</td>
                </tr>
            }) }
            </tbody>
        </table>
        </div>
    };
    let base = match retention::base_value(&years, i) {
        Err(e) => refused(&e),
        Ok(v) => {
            let more = i.retention + i.delta;
            let filled = v
                .years
                .iter()
                .take(2)
                .map(|y| {
                    format!(
                        "year {}: {} · {:.2}^{} · {:.2} / {:.2}^{} = {:.2}",
                        y.year,
                        i.customers,
                        i.retention,
                        y.year - 1,
                        y.profit,
                        1.0 + i.discount,
                        y.year,
                        y.value
                    )
                })
                .collect::<Vec<_>>()
                .join(";  ");
            let headers = Rc::new(
                [
                    "year",
                    "profit per customer",
                    &format!("customers left at r = {:.2}", i.retention),
                    &format!("customers left at r = {more:.2}"),
                    "discounted profit at r",
                    "discounted profit at r + Δ",
                ]
                .map(String::from)
                .to_vec(),
            );
            let rows = Rc::new(
                v.years
                    .iter()
                    .map(|y| {
                        vec![
                            Cell::Num(f64::from(y.year), 0),
                            Cell::Num(y.profit, 2),
                            Cell::Num(y.customers, 1),
                            Cell::Num(y.customers_more, 1),
                            Cell::Num(y.value, 2),
                            Cell::Num(y.value_more, 2),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            let left = Rc::new(Chart {
                title: "Customers left, year by year".into(),
                x_label: "year".into(),
                y_label: "customers".into(),
                kind: Kind::Lines(vec![
                    Series {
                        name: format!("retention {:.2}", i.retention),
                        points: v
                            .years
                            .iter()
                            .map(|y| (f64::from(y.year), y.customers))
                            .collect(),
                        dashed: false,
                    },
                    Series {
                        name: format!("retention {more:.2}"),
                        points: v
                            .years
                            .iter()
                            .map(|y| (f64::from(y.year), y.customers_more))
                            .collect(),
                        dashed: true,
                    },
                ]),
            });
            html! {
                <>
                <div class="row">
                    <div class="kpi"><span class="label">{ format!("Customer equity at r = {:.2}", i.retention) }</span>
                        <span class="value" data-testid="ret-equity">{ format!("{:.2}", v.equity) }</span></div>
                    <div class="kpi"><span class="label">{ format!("Customer equity at r = {more:.2}") }</span>
                        <span class="value" data-testid="ret-equity-more">{ format!("{:.2}", v.equity_more) }</span></div>
                    <div class="kpi"><span class="label">{ format!("Change from {:.0} points of retention", 100.0 * i.delta) }</span>
                        <span class="value" data-testid="ret-change">{ format!("{:+.1}%", v.change_pct) }</span></div>
                </div>
                { formula("CE = Σ_{t=1..H} N · r^(t−1) · profit_t / (1 + d)^t − N · acquisition cost",
                    format!("{filled};  …  − {} · {} = {:.2}", i.customers, i.acquisition_cost, v.equity), "ret-formula") }
                <div class="grid wide">
                    <div class="card"><h3>{ "Year by year" }</h3>
                        <DataTable headers={headers} rows={rows} export_name="retention-economics.csv" testid="ret-table" page_size={25} /></div>
                    <ChartCard chart={left} testid="ret-left-chart" />
                </div>
                </>
            }
        }
    };
    html! {
        <div class="card" data-testid="lesson-retention">
            <h2>{ "Retention economics (Reichheld & Sasser)" }</h2>
            <p>{ "Acquiring a customer costs more than keeping one, and a kept customer is worth more each year: they buy more, cost less to serve, refer others and pay a price premium. Edit the profit each source brings in each year of the relationship (years after the table keep the last year's profit)." }</p>
            { grid }
            <div class="grid wide">
                <ChartCard chart={stacked} testid="ret-stacked-chart" note="Stacked: each line adds one source to the ones below it; the top line is the year's profit per customer." />
            </div>
            <h3>{ "A few points of retention and the value of the base" }</h3>
            <div class="row">
                { field("Customers in the base", "ret-customers", i.customers, |b, x| b.customers = x) }
                { field("Retention r per year", "ret-r", i.retention, |b, x| b.retention = x) }
                { field("Points added Δ (0.05 = 5 points)", "ret-delta", i.delta, |b, x| b.delta = x) }
                { field("Discount rate per year", "ret-discount", i.discount, |b, x| b.discount = x) }
                { field("Years counted", "ret-horizon", f64::from(i.horizon), |b, x| if x.is_finite() && x >= 0.0 { b.horizon = x.round().min(1000.0) as u32 }) }
                { field("Acquisition cost per customer", "ret-acquisition", i.acquisition_cost, |b, x| b.acquisition_cost = x) }
            </div>
            { base }
            { lesson_end("retention") }
        </div>
    }
}
