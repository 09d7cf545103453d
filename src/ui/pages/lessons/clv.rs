//! Lesson "clv": lifetime value from margin, retention and discount; the closed form beside the
//! period-by-period table (survival, discount factor, discounted margin, running sum) and the
//! gap the later periods close.

use super::{formula, lesson_end, refused, Slider};
use crate::analysis::lessons::clv;
use crate::domain::value;
use crate::ui::charts::{Chart, Kind, Series};
use crate::ui::components::{Cell, ChartCard, DataTable, NumberField};
use std::rc::Rc;
use yew::prelude::*;

/// The lifetime value lesson.
#[component]
pub fn ClvLesson() -> Html {
    let margin = use_state(|| 100.0);
    let retention = use_state(|| 0.8);
    let discount = use_state(|| 0.1);
    let periods = use_state(|| 10u32);
    let set = |s: UseStateHandle<f64>| Callback::from(move |v| s.set(v));
    let on_periods = {
        let periods = periods.clone();
        Callback::from(move |v: f64| {
            if v.is_finite() && (1.0..=600.0).contains(&v.round()) {
                periods.set(v.round() as u32);
            }
        })
    };
    let table = clv::table(*margin, *retention, *discount, *periods);
    let curve = value::retention_curve(*margin, *discount, 1.0, 0.5, 0.95, 46).unwrap_or_default();
    let chart = Rc::new(Chart {
        title: "Lifetime value as retention rises".into(),
        x_label: "retention rate per period".into(),
        y_label: "CLV per customer".into(),
        kind: Kind::Lines(vec![Series {
            name: "CLV".into(),
            points: curve.iter().map(|p| (p.retention, p.clv)).collect(),
            dashed: false,
        }]),
    });
    let body = match &table {
        Err(e) => refused(e),
        Ok(t) => {
            let last = t.periods.last().map_or(0.0, |p| p.running_sum);
            let sum_chart = Rc::new(Chart {
                title: "Period-by-period sum approaching the formula".into(),
                x_label: "periods counted".into(),
                y_label: "discounted margin so far".into(),
                kind: Kind::Lines(vec![
                    Series {
                        name: "sum of periods".into(),
                        points: t
                            .periods
                            .iter()
                            .map(|p| (f64::from(p.t), p.running_sum))
                            .collect(),
                        dashed: false,
                    },
                    Series {
                        name: "closed formula".into(),
                        points: vec![(1.0, t.closed_form), (f64::from(*periods), t.closed_form)],
                        dashed: true,
                    },
                ]),
            });
            let headers = Rc::new(
                [
                    "period t",
                    "survival r^t",
                    "discount factor 1/(1+d)^t",
                    "discounted margin",
                    "running sum",
                ]
                .map(String::from)
                .to_vec(),
            );
            let rows = Rc::new(
                t.periods
                    .iter()
                    .map(|p| {
                        vec![
                            Cell::Num(f64::from(p.t), 0),
                            Cell::Num(p.survival, 4),
                            Cell::Num(p.discount_factor, 4),
                            Cell::Num(p.discounted_margin, 2),
                            Cell::Num(p.running_sum, 2),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            html! {
                <>
                <div class="row">
                    <div class="kpi">
                        <span class="label">{ "CLV = m · r / (1 + d − r)" }</span>
                        <span class="value" data-testid="learn-clv">{ format!("{:.2}", t.closed_form) }</span>
                        <span class="sub">{ format!("= {} · {:.2} / (1 + {:.2} − {:.2})", *margin, *retention, *discount, *retention) }</span>
                    </div>
                    <div class="kpi">
                        <span class="label">{ format!("Sum of the first {} periods", *periods) }</span>
                        <span class="value" data-testid="clv-sum">{ format!("{last:.2}") }</span>
                        <span class="sub">{ "Σ m · r^t / (1 + d)^t" }</span>
                    </div>
                    <div class="kpi">
                        <span class="label">{ "Gap: what the later periods add" }</span>
                        <span class="value" data-testid="clv-gap">{ format!("{:.2}", t.gap) }</span>
                        <span class="sub">{ "closed form − sum so far" }</span>
                    </div>
                </div>
                { formula("CLV = Σ_{t=1..∞} m · r^t / (1 + d)^t = m · r / (1 + d − r)",
                    format!("period 1: {} · {:.2} / {:.2} = {:.2};  all periods: {} · {:.2} / {:.2} = {:.2}",
                        *margin, *retention, 1.0 + *discount, t.periods.first().map_or(0.0, |p| p.discounted_margin),
                        *margin, *retention, 1.0 + *discount - *retention, t.closed_form), "clv-formula") }
                <div class="grid wide">
                    <div class="card">
                        <h3>{ "Period by period" }</h3>
                        <DataTable headers={headers} rows={rows} export_name="clv-periods.csv" testid="clv-table" page_size={25} />
                    </div>
                    <ChartCard chart={sum_chart} testid="learn-sum-chart" />
                </div>
                </>
            }
        }
    };
    html! {
        <div class="card" data-testid="lesson-clv">
            <h2>{ "Customer lifetime value, the teaching formula" }</h2>
            <p>{ "A customer brings margin m each period while they stay. They are still there in period t with probability r^t, and money in period t is worth 1/(1 + d)^t today. Add the periods up one by one, and compare with the closed formula: the sum approaches it as periods are added." }</p>
            <div class="row">
                <Slider label="Margin per period" min={10.0} max={500.0} step={10.0} value={*margin} on_change={set(margin.clone())} testid="learn-margin" />
                <Slider label="Retention per period" min={0.0} max={0.98} step={0.01} value={*retention} on_change={set(retention.clone())} testid="learn-retention" />
                <Slider label="Discount rate per period" min={0.0} max={0.5} step={0.01} value={*discount} on_change={set(discount.clone())} testid="learn-discount" />
                { NumberField::new("Periods in the table", "clv-periods", periods.to_string()).min("1").max("600").width("6rem").view_number(on_periods) }
            </div>
            { body }
            <div class="grid wide">
                <ChartCard chart={chart} testid="learn-retention-chart" note="Reichheld and Sasser: a few points more retention raise value a lot, because the gain compounds over the whole lifetime." />
            </div>
            { lesson_end("clv") }
        </div>
    }
}
