//! Satisfaction linked to customer value (CLV, P(alive)) and to segments.

use super::analysis::Analysis;
use super::bars;
use crate::domain::satisfaction::link::OutcomeLink;
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable};
use crate::ui::format;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct LinkViewProps {
    title: AttrValue,
    links: Rc<Vec<OutcomeLink>>,
    testid: AttrValue,
}

/// Satisfaction classes against each outcome: one chart at a time (buttons), all in the table.
#[component]
fn LinkView(p: &LinkViewProps) -> Html {
    let which = use_state(|| 0usize);
    if p.links.is_empty() {
        return html! {};
    }
    let title = p.title.to_string();
    let idx = (*which).min(p.links.len() - 1);
    let chart = p.links.get(idx).map(|l| {
        let cats = l
            .by_class
            .iter()
            .map(|c| format!("{} (n={})", c.class, c.n))
            .collect();
        bars(
            &format!("{} by {title}", l.outcome),
            &title,
            &format!("Mean {}", l.outcome),
            cats,
            vec![(
                l.outcome.clone(),
                l.by_class.iter().map(|c| c.mean).collect(),
            )],
        )
    });
    let headers = Rc::new(
        [
            "Outcome",
            "Class",
            "Customers",
            "Mean",
            "Rank correlation (all answers)",
        ]
        .map(String::from)
        .to_vec(),
    );
    let rows = Rc::new(
        p.links
            .iter()
            .flat_map(|l| {
                l.by_class.iter().map(move |c| {
                    vec![
                        Cell::Text(l.outcome.clone()),
                        Cell::Text(c.class.clone()),
                        Cell::Num(c.n as f64, 0),
                        Cell::Num(c.mean, 3),
                        Cell::Num(l.spearman.unwrap_or(f64::NAN), 3),
                    ]
                })
            })
            .collect::<Vec<_>>(),
    );
    html! { <>
        <h3>{ format!("By {title}") }</h3>
        <span class="tabs">{ for p.links.iter().enumerate().map(|(i, l)| {
            let w = which.clone();
            html! { <button class={if i == idx { "" } else { "secondary" }} onclick={Callback::from(move |_| w.set(i))}>{ &l.outcome }</button> }
        }) }</span>
        if let Some(c) = chart { <ChartCard chart={c} testid={format!("{}-chart", p.testid)} /> }
        <DataTable headers={headers} rows={rows} export_name={format!("{}.csv", p.testid)} testid={p.testid.clone()} />
    </> }
}

pub(super) fn link_card(a: &Analysis, clv_note: Option<&str>) -> Html {
    let Some(m) = &a.matched else {
        return html! { <Section id="link" title="Satisfaction and customer value"><p class="note">{ "Needs customer ids in the survey and a transaction log (Data page) to join them to." }</p></Section> };
    };
    html! {
        <Section id="link" title="Satisfaction and customer value" testid="link">
            <p data-testid="match-rate">{ format!("{} of {} respondents found among the customers ({}).", format::count(m.matched), format::count(m.respondents), format::percent(m.match_rate, 1)) }</p>
            if !m.unmatched_examples.is_empty() { <p class="note">{ format!("Not found, for example: {}", m.unmatched_examples.join(", ")) }</p> }
            if let Some(n) = clv_note { <p class="note">{ n }</p> }
            <p class="note">{ "Each customer's latest answer is put in a class and compared with what they did: repeat purchases and spend from the transaction log; P(alive) and CLV from the lifetime-value fit." }</p>
            <LinkView title="NPS category" links={Rc::new(a.link_nps.clone())} testid="link-nps" />
            <LinkView title="CSAT class" links={Rc::new(a.link_csat.clone())} testid="link-csat" />
        </Section>
    }
}

pub(super) fn segment_card(a: &Analysis, seg_note: Option<&str>) -> Html {
    if a.by_segment.is_empty() {
        return html! { <Section id="by-segment" title="Scores by segment" testid="by-segment"><p class="note">{ seg_note.unwrap_or("No respondent matched a segmented customer.") }</p></Section> };
    }
    let out_names: Vec<String> = a
        .by_segment
        .first()
        .map(|g| g.outcomes.iter().map(|o| o.0.clone()).collect())
        .unwrap_or_default();
    let mut headers = [
        "Segment",
        "Responses",
        "NPS",
        "CSAT %",
        "CES mean",
        "Overall mean",
    ]
    .map(String::from)
    .to_vec();
    headers.extend(out_names.iter().map(|o| format!("Mean {o}")));
    let rows = a
        .by_segment
        .iter()
        .map(|g| {
            let mut r = vec![
                Cell::Text(g.name.clone()),
                Cell::Num(g.n as f64, 0),
                Cell::Num(g.nps.as_ref().map_or(f64::NAN, |s| s.nps), 1),
                Cell::Num(g.csat.as_ref().map_or(f64::NAN, |s| 100.0 * s.share), 1),
                Cell::Num(g.ces.as_ref().map_or(f64::NAN, |s| s.mean), 2),
                Cell::Num(g.overall.map_or(f64::NAN, |o| o.0), 2),
            ];
            r.extend(
                g.outcomes
                    .iter()
                    .map(|o| Cell::Num(o.1.unwrap_or(f64::NAN), 2)),
            );
            r
        })
        .collect::<Vec<_>>();
    let chart = bars(
        "NPS by segment",
        "Segment (answers)",
        "NPS",
        a.by_segment
            .iter()
            .map(|g| format!("{} (n={})", g.name, g.n))
            .collect(),
        vec![(
            "NPS".into(),
            a.by_segment
                .iter()
                .map(|g| g.nps.as_ref().map_or(f64::NAN, |s| s.nps))
                .collect(),
        )],
    );
    html! {
        <Section id="by-segment" title="Scores by segment" testid="by-segment">
            <ChartCard chart={chart} testid="segment-nps-chart" />
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="satisfaction-by-segment.csv" testid="segment-table" />
        </Section>
    }
}
