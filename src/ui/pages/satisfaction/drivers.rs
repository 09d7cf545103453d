//! What drives satisfaction: expectancy disconfirmation, cumulative satisfaction,
//! importance–performance and Kano.

use super::analysis::{Analysis, ImportanceChoice, Settings};
use super::{bars, caution, edit, edit_number};
use crate::domain::satisfaction::cumulative::PredictorComparison;
use crate::ui::charts::{Chart, Kind, Point};
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable, NumberField};
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn disconfirmation_card(
    a: &Analysis,
    cur: &Settings,
    h: &UseStateHandle<Option<Settings>>,
) -> Html {
    let Some(d) = &a.disconfirmation else {
        return html! { <Section id="disconfirmation" title="Performance against expectations"><p class="note">{ "Needs expectation and performance columns per attribute (exp_X and perf_X)." }</p></Section> };
    };
    let cats: Vec<String> = d
        .by_attribute
        .iter()
        .map(|s| format!("{} (n={})", s.name, s.n))
        .collect();
    let ser = |name: &str,
               f: fn(
        &crate::domain::satisfaction::disconfirmation::DisconfirmationShares,
    ) -> f64| {
        (
            name.to_string(),
            d.by_attribute
                .iter()
                .map(|s| 100.0 * f(s))
                .collect::<Vec<_>>(),
        )
    };
    let chart = bars(
        "Performance against expectations by attribute",
        "Attribute (answers)",
        "Share of answers (%)",
        cats,
        vec![
            ser("Dissatisfied", |s| s.dissatisfied_share),
            ser("Satisfied", |s| s.satisfied_share),
            ser("Delighted", |s| s.delighted_share),
        ],
    );
    let table = |v: &[crate::domain::satisfaction::disconfirmation::DisconfirmationShares],
                 first: &str| {
        let headers = [
            first,
            "n",
            "Mean performance − expectation",
            "Dissatisfied %",
            "Satisfied %",
            "Delighted %",
        ]
        .map(String::from)
        .to_vec();
        let rows = v
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.name.clone()),
                    Cell::Num(s.n as f64, 0),
                    Cell::Num(s.mean_d, 2),
                    Cell::Num(100.0 * s.dissatisfied_share, 1),
                    Cell::Num(100.0 * s.satisfied_share, 1),
                    Cell::Num(100.0 * s.delighted_share, 1),
                ]
            })
            .collect::<Vec<_>>();
        (Rc::new(headers), Rc::new(rows))
    };
    let (h1, r1) = table(&d.by_attribute, "Attribute");
    let (h2, r2) = table(&d.by_group, "Segment");
    let on_tol = edit_number(h, cur, |s, x| {
        if x >= 0.0 {
            s.tolerance = x
        }
    });
    html! {
        <Section id="disconfirmation" title="Performance against expectations" testid="disconfirmation">
            <p class="note">{ if cur.tolerance > 0.0 {
                format!("For each answer D = performance − expectation. Dissatisfied when D < −{t}, satisfied when −{t} ≤ D ≤ {t}, delighted when D > {t} (tolerance {t} scale points).", t = cur.tolerance)
            } else {
                "For each answer D = performance − expectation. Dissatisfied when performance falls below expectation (D < 0), satisfied when it meets it exactly (D = 0), delighted when it exceeds it (D > 0). Raise the tolerance to count small gaps as met.".to_string()
            } }</p>
            { NumberField::new("Tolerance (scale points) ", "tolerance", cur.tolerance.to_string()).min("0").step("0.5").width("5rem").view_number(on_tol) }
            <ChartCard chart={chart} testid="disconfirmation-chart" />
            <DataTable headers={h1} rows={r1} export_name="disconfirmation-by-attribute.csv" testid="disconfirmation-table" />
            if !d.by_group.is_empty() {
                <h3>{ "By segment (all attributes together)" }</h3>
                <DataTable headers={h2} rows={r2} export_name="disconfirmation-by-segment.csv" testid="disconfirmation-segments" />
            }
        </Section>
    }
}

fn predictor_text(label: &str, c: &PredictorComparison) -> Html {
    let f = |v: Option<f64>| v.map_or("–".into(), |v| crate::ui::format::fixed(v, 3));
    html! {
        <li>{ format!("Against {label} ({} customers): rank correlation with cumulative satisfaction {}, with the latest answer {}. ",
            crate::ui::format::count(c.n), f(c.spearman_cumulative), f(c.spearman_latest)) }
            <strong>{ c.better.clone().map_or("Neither predicts better here.".into(), |b| format!("Better predictor in this data: {b}.")) }</strong>
            { caution(&c.caution) }
        </li>
    }
}

pub(super) fn cumulative_card(
    a: &Analysis,
    cur: &Settings,
    h: &UseStateHandle<Option<Settings>>,
    clv_note: Option<&str>,
) -> Html {
    let Some(res) = &a.cumulative else {
        return html! { <Section id="cumulative" title="Cumulative satisfaction"><p class="note">{ "Needs customer ids, dates and a satisfaction score." }</p></Section> };
    };
    let on_w = edit_number(h, cur, |s, x| {
        if x > 0.0 && x <= 1.0 {
            s.weight = x
        }
    });
    html! {
        <Section id="cumulative" title="Cumulative satisfaction against the latest answer" testid="cumulative">
            <p class="note">{ format!("Cumulative satisfaction is each customer's running evaluation: an exponentially weighted average of their answers to \"{}\" in date order, the newest answer weighted {}. Which one tells better who stays?", a.cumulative_of.clone().unwrap_or_default(), cur.weight) }</p>
            { NumberField::new("Weight of the newest answer (0–1) ", "ew-weight", cur.weight.to_string()).min("0.05").max("1").step("0.05").width("5rem").view_number(on_w) }
            { match res {
                Err(e) => html! { <p class="errbox">{ e }</p> },
                Ok(cs) => {
                    let repeat = cs.iter().filter(|c| c.answers > 1).count();
                    let headers = Rc::new(["Customer", "Answers", "Cumulative", "Latest", "Latest date"].map(String::from).to_vec());
                    let rows = Rc::new(cs.iter().map(|c| vec![Cell::Text(c.customer_id.clone()), Cell::Num(f64::from(c.answers), 0),
                        Cell::Num(c.cumulative, 2), Cell::Num(c.latest, 2), Cell::Text(c.latest_date.to_string())]).collect::<Vec<_>>());
                    html! { <>
                        <p>{ format!("{} customers, {} of them answered more than once (only they can differ between the two measures).", crate::ui::format::count(cs.len()), crate::ui::format::count(repeat)) }</p>
                        <ul data-testid="predictors">
                            if let Some(c) = &a.predict_alive { { predictor_text("P(alive) from the lifetime-value fit", c) } }
                            if let Some(c) = &a.predict_repeat { { predictor_text("repeat purchases", c) } }
                        </ul>
                        if let Some(n) = clv_note { <p class="note" data-testid="clv-note">{ n }</p> }
                        <DataTable headers={headers} rows={rows} export_name="cumulative-satisfaction.csv" testid="cumulative-table" page_size={10} />
                    </> }
                }
            } }
        </Section>
    }
}

pub(super) fn ipa_card(a: &Analysis, cur: &Settings, h: &UseStateHandle<Option<Settings>>) -> Html {
    let Some(res) = &a.ipa else {
        return html! { <Section id="ipa" title="Importance–performance"><p class="note">{ "Needs performance columns per attribute (perf_X)." }</p></Section> };
    };
    let on_m = edit(h, cur, |s, v| {
        s.importance = match v.as_str() {
            "stated" => ImportanceChoice::Stated,
            "regression" => ImportanceChoice::Regression,
            _ => ImportanceChoice::Correlation,
        }
    });
    let body = match res {
        Err(e) => html! { <p class="warnbox">{ e }</p> },
        Ok(r) => {
            let chart = Rc::new(Chart {
                title: "Importance–performance".into(),
                x_label: "Performance (mean answer)".into(),
                y_label: format!("Importance ({})", r.method),
                kind: Kind::Scatter {
                    points: r
                        .points
                        .iter()
                        .map(|p| Point {
                            x: p.performance,
                            y: p.importance,
                            group: 0,
                            label: Some(p.attribute.clone()),
                        })
                        .collect(),
                    groups: vec!["Attribute".into()],
                    crosshair: Some((r.crosshair_performance, r.crosshair_importance)),
                    quadrants: Some([
                        "Concentrate here".into(),
                        "Keep up the good work".into(),
                        "Low priority".into(),
                        "Possible overkill".into(),
                    ]),
                },
            });
            let headers = Rc::new(
                ["Attribute", "Importance", "Performance", "Quadrant"]
                    .map(String::from)
                    .to_vec(),
            );
            let rows = Rc::new(
                r.points
                    .iter()
                    .map(|p| {
                        vec![
                            Cell::Text(p.attribute.clone()),
                            Cell::Num(p.importance, 3),
                            Cell::Num(p.performance, 2),
                            Cell::Text(p.quadrant.name().into()),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            html! { <>
                <ChartCard chart={chart} testid="ipa-chart" note={format!("{} respondents. Lines at the mean importance ({:.3}) and mean performance ({:.2}) over the attributes.", r.n, r.crosshair_importance, r.crosshair_performance)} />
                { caution(&r.caution) }
                <DataTable headers={headers} rows={rows} export_name="importance-performance.csv" testid="ipa-table" />
            </> }
        }
    };
    html! {
        <Section id="ipa" title="Importance–performance" testid="ipa">
            <label>{ "Importance from " }<select onchange={on_m} data-testid="ipa-method">
                <option value="stated" selected={cur.importance == ImportanceChoice::Stated}>{ "what customers stated (mean of imp_ columns)" }</option>
                <option value="correlation" selected={cur.importance == ImportanceChoice::Correlation}>{ "correlation with overall satisfaction" }</option>
                <option value="regression" selected={cur.importance == ImportanceChoice::Regression}>{ "regression on overall satisfaction (standardized)" }</option>
            </select></label>
            { body }
        </Section>
    }
}

pub(super) fn kano_card(a: &Analysis) -> Html {
    if a.kano.is_empty() {
        return html! { <Section id="kano" title="Kano"><p class="note">{ "No Kano pairs found: name the answer columns kano_func_X and kano_dys_X (answers like, expect, neutral, live with, dislike)." }</p></Section> };
    }
    let headers = Rc::new(
        [
            "Feature",
            "n",
            "Attractive",
            "One-dimensional",
            "Must-be",
            "Indifferent",
            "Reverse",
            "Questionable",
            "Category",
            "Better",
            "Worse",
            "Questionable %",
        ]
        .map(String::from)
        .to_vec(),
    );
    let rows = Rc::new(
        a.kano
            .iter()
            .map(|k| {
                let cat = match (&k.category, k.tied.len()) {
                    (_, t) if t > 1 => format!(
                        "tie: {}",
                        k.tied
                            .iter()
                            .map(|c| c.name())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    ),
                    (Some(c), _) => c.name().to_string(),
                    (None, _) => "–".into(),
                };
                let c = &k.counts;
                vec![
                    Cell::Text(k.feature.clone()),
                    Cell::Num(k.n as f64, 0),
                    Cell::Num(c.a as f64, 0),
                    Cell::Num(c.o as f64, 0),
                    Cell::Num(c.m as f64, 0),
                    Cell::Num(c.i as f64, 0),
                    Cell::Num(c.r as f64, 0),
                    Cell::Num(c.q as f64, 0),
                    Cell::Text(cat),
                    Cell::Num(k.better.unwrap_or(f64::NAN), 2),
                    Cell::Num(
                        k.worse
                            .map_or(f64::NAN, |w| (w * 100.0).round() / 100.0 + 0.0),
                        2,
                    ),
                    Cell::Num(100.0 * k.questionable_rate, 1),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let chart = Rc::new(Chart {
        title: "Kano Better and Worse".into(),
        x_label: "Worse (|coefficient|): dissatisfaction when missing".into(),
        y_label: "Better: satisfaction when present".into(),
        kind: Kind::Scatter {
            points: a
                .kano
                .iter()
                .filter_map(|k| {
                    Some(Point {
                        x: k.worse?.abs(),
                        y: k.better?,
                        group: 0,
                        label: Some(k.feature.clone()),
                    })
                })
                .collect(),
            groups: vec!["Feature".into()],
            crosshair: Some((0.5, 0.5)),
            quadrants: Some([
                "Attractive".into(),
                "One-dimensional".into(),
                "Indifferent".into(),
                "Must-be".into(),
            ]),
        },
    });
    let cautions: Vec<String> = a
        .kano
        .iter()
        .filter_map(|k| k.caution.as_ref().map(|c| format!("{}: {c}", k.feature)))
        .collect();
    html! {
        <Section id="kano" title="Kano: what kind of feature is it?" testid="kano">
            <p class="note">{ "Each customer answers how they would feel with the feature and without it. Better = (A+O)/(A+O+M+I); Worse = −(O+M)/(A+O+M+I). Questionable answers (liking both, or disliking both) point to a confusing question." }</p>
            <DataTable headers={headers} rows={rows} export_name="kano.csv" testid="kano-table" />
            { for cautions.iter().map(|c| html! { <p class="warnbox">{ c }</p> }) }
            <ChartCard chart={chart} testid="kano-chart" note="Each feature's number of answers is in the table above. Lines at 0.5. Top left: attractive (delights, not missed); top right: one-dimensional; bottom right: must-be; bottom left: indifferent." />
        </Section>
    }
}
