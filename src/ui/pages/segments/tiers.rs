//! Value tiers and needs-based segments.

use crate::ui::charts::{Chart, Kind};
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable};
use crate::worker::segment::SegmentResult;
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn tiers_view(r: &SegmentResult) -> Html {
    let table = |t: &crate::domain::segmentation::TierIndex, testid: &str| {
        let rows: Vec<Vec<Cell>> = t
            .summary
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.tier.clone()),
                    Cell::Num(s.customers as f64, 0),
                    Cell::Num(100.0 * s.customer_share, 1),
                    Cell::Num(s.value, 0),
                    Cell::Num(100.0 * s.value_share, 1),
                    Cell::Num(s.min_value.unwrap_or(f64::NAN), 1),
                ]
            })
            .collect();
        let headers = [
            "Tier",
            "Customers",
            "% customers",
            "Value",
            "% value",
            "Lowest value",
        ];
        html! { <DataTable headers={Rc::new(headers.iter().map(|s| s.to_string()).collect::<Vec<_>>())} rows={Rc::new(rows)}
        export_name={format!("{testid}.csv")} testid={testid.to_string()} page_size={10} /> }
    };
    let chart = r.pyramid.as_ref().map(|p| {
        Rc::new(Chart {
            title: format!("Customer pyramid by {}", r.tier_value),
            x_label: "tier".into(),
            y_label: "% of customers / % of value".into(),
            kind: Kind::Bars {
                categories: p.summary.iter().map(|s| s.tier.clone()).collect(),
                series: vec![
                    (
                        "% customers".into(),
                        p.summary.iter().map(|s| 100.0 * s.customer_share).collect(),
                    ),
                    (
                        "% value".into(),
                        p.summary.iter().map(|s| 100.0 * s.value_share).collect(),
                    ),
                ],
            },
        })
    });
    html! {
        <Section id="tiers" title={format!("Value tiers (by {})", r.tier_value)} testid="tiers-card">
            <div>
                <div>
                    <h3>{ "Pyramid" }</h3>
                    { r.pyramid.as_ref().map(|t| table(t, "tiers-pyramid")).unwrap_or_default() }
                    { r.pyramid.as_ref().map(|t| crate::ui::components::explain_figures::tiers(t, "tiers-pyramid")).unwrap_or_default() }
                    <h3>{ "Heavy / medium / light" }</h3>
                    { r.hml.as_ref().map(|t| table(t, "tiers-hml")).unwrap_or_default() }
                    { r.hml.as_ref().map(|t| crate::ui::components::explain_figures::tiers(t, "tiers-hml")).unwrap_or_default() }
                </div>
                <div style="min-width:0">{ chart.map(|c| html! { <ChartCard chart={c} testid="tiers-chart" /> }).unwrap_or_default() }</div>
            </div>
        </Section>
    }
}

pub(super) fn needs_view(r: &SegmentResult) -> Html {
    let Some(n) = r.needs.as_ref() else {
        return html! {
            <Section id="needs" title="Needs-based segments">
            <p class="note">{ "Load a survey with importance columns (named imp_…) to group respondents by what they value." }</p></Section>
        };
    };
    let res = &n.result;
    let mut headers = vec![
        "Segment".to_string(),
        "Respondents".into(),
        "Values most".into(),
    ];
    headers.extend(res.attributes.iter().map(|a| format!("mean {a}")));
    let rows: Vec<Vec<Cell>> = res
        .segments
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::Text(s.label.replace("imp_", "")),
                Cell::Num(s.size as f64, 0),
                Cell::Text(s.values_most.join(", ").replace("imp_", "")),
            ];
            row.extend(s.mean_importance.iter().map(|v| Cell::Num(*v, 2)));
            row
        })
        .collect();
    html! {
        <Section id="needs" title="Needs-based segments" testid="needs-card">
            <p class="note">{ format!("k-means (k = {}, seed {}) on the importance answers of {} respondents with every importance answered.", res.model.k, res.model.seed, n.ids.len()) }</p>
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="needs-segments.csv" testid="needs-table" page_size={10} />
        </Section>
    }
}
