//! Satisfaction trends over time.

use super::analysis::{Analysis, Settings};
use super::{bars, edit};
use crate::domain::satisfaction::trends::{Period, TrendPoint};
use crate::ui::charts::Chart;
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable};
use std::rc::Rc;
use yew::prelude::*;

fn trend_chart<T>(title: &str, y: &str, pts: &[TrendPoint<T>], f: impl Fn(&T) -> f64) -> Rc<Chart> {
    let cats = pts
        .iter()
        .map(|p| format!("{} ({})", p.label.get(2..).unwrap_or(p.label.as_str()), p.n))
        .collect();
    let vals = pts
        .iter()
        .map(|p| p.value.as_ref().map_or(f64::NAN, &f))
        .collect();
    bars(
        title,
        "Period (answers)",
        y,
        cats,
        vec![(y.to_string(), vals)],
    )
}

pub(super) fn trends_card(
    a: &Analysis,
    cur: &Settings,
    h: &UseStateHandle<Option<Settings>>,
    which: &UseStateHandle<usize>,
) -> Html {
    let on_period = edit(h, cur, |s, v| {
        s.period = if v == "quarter" {
            Period::Quarter
        } else {
            Period::Month
        }
    });
    let charts: Vec<(String, Rc<Chart>)> = [
        (!a.trend_nps.is_empty()).then(|| {
            (
                "NPS".to_string(),
                trend_chart("NPS by period", "NPS", &a.trend_nps, |s| s.nps),
            )
        }),
        (!a.trend_csat.is_empty()).then(|| {
            (
                "CSAT".to_string(),
                trend_chart(
                    "CSAT by period",
                    "CSAT top-box share (%)",
                    &a.trend_csat,
                    |v| *v,
                ),
            )
        }),
        (!a.trend_ces.is_empty()).then(|| {
            (
                "CES".to_string(),
                trend_chart("CES by period", "CES mean", &a.trend_ces, |v| *v),
            )
        }),
        (!a.trend_overall.is_empty()).then(|| {
            (
                "Overall".to_string(),
                trend_chart(
                    "Overall satisfaction by period",
                    "Overall mean",
                    &a.trend_overall,
                    |v| *v,
                ),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if charts.is_empty() {
        return html! { <Section id="trends" title="Trends"><p class="note">{ "Trends need a date column." }</p></Section> };
    }
    let idx = (**which).min(charts.len() - 1);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    // Every period once, in label order (the one shared sort: a BTreeSet would compile its own).
    let mut labels: Vec<String> = a
        .trend_nps
        .iter()
        .map(|p| p.label.clone())
        .chain(a.trend_csat.iter().map(|p| p.label.clone()))
        .chain(a.trend_ces.iter().map(|p| p.label.clone()))
        .chain(a.trend_overall.iter().map(|p| p.label.clone()))
        .collect();
    crate::domain::order::sort_by(&mut labels, String::cmp);
    labels.dedup();
    for l in labels {
        let n_of = |v: Option<(u64, f64)>| match v {
            Some((n, x)) => vec![Cell::Num(x, 1), Cell::Num(n as f64, 0)],
            None => vec![Cell::Text("–".into()), Cell::Num(0.0, 0)],
        };
        let mut r = vec![Cell::Text(l.clone())];
        r.extend(n_of(
            a.trend_nps
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.as_ref().map(|s| (p.n, s.nps))),
        ));
        r.extend(n_of(
            a.trend_csat
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.map(|v| (p.n, v))),
        ));
        r.extend(n_of(
            a.trend_ces
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.map(|v| (p.n, v))),
        ));
        r.extend(n_of(
            a.trend_overall
                .iter()
                .find(|p| p.label == l)
                .and_then(|p| p.value.map(|v| (p.n, v))),
        ));
        rows.push(r);
    }
    let headers = [
        "Period",
        "NPS",
        "n (NPS)",
        "CSAT %",
        "n (CSAT)",
        "CES mean",
        "n (CES)",
        "Overall mean",
        "n (overall)",
    ]
    .map(String::from)
    .to_vec();
    html! {
        <Section id="trends" title="Trends" testid="trends">
            <div class="row">
                <label>{ "By " }<select onchange={on_period} data-testid="trend-period">
                    <option value="month" selected={cur.period == Period::Month}>{ "month" }</option>
                    <option value="quarter" selected={cur.period == Period::Quarter}>{ "quarter" }</option>
                </select></label>
                <span class="tabs">{ for charts.iter().enumerate().map(|(i, (name, _))| {
                    let w = which.clone();
                    html! { <button class={if i == idx { "" } else { "secondary" }} onclick={Callback::from(move |_| w.set(i))}>{ name }</button> }
                }) }</span>
            </div>
            if let Some((_, c)) = charts.get(idx) {
                <ChartCard chart={c.clone()} testid="trend-chart" note="Each bar's label gives its period (year without the century) and, in brackets, its number of answers; periods with fewer than 30 answers move a lot by chance." />
            }
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="satisfaction-trends.csv" testid="trend-table" page_size={12} />
        </Section>
    }
}
