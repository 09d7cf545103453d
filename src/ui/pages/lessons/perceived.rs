//! Lesson "perceived-value": compare offers by total customer value (product, service,
//! personnel, image) minus total customer cost (money, time, energy, psychic cost), editable
//! cell by cell; the offer with the largest difference wins.

use super::{formula, lesson_end, num_cell, text_cell};
use crate::analysis::lessons::perceived::{self, Offer};
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::ChartCard;
use std::rc::Rc;
use yew::prelude::*;

const PARTS: [&str; 8] = [
    "product",
    "service",
    "personnel",
    "image",
    "money",
    "time",
    "energy",
    "psychic",
];

fn part(o: &Offer, k: usize) -> f64 {
    [
        o.product,
        o.service,
        o.personnel,
        o.image,
        o.money,
        o.time,
        o.energy,
        o.psychic,
    ]
    .get(k)
    .copied()
    .unwrap_or_default()
}

fn set_part(o: &mut Offer, k: usize, v: f64) {
    let slot = match k {
        0 => &mut o.product,
        1 => &mut o.service,
        2 => &mut o.personnel,
        3 => &mut o.image,
        4 => &mut o.money,
        5 => &mut o.time,
        6 => &mut o.energy,
        _ => &mut o.psychic,
    };
    *slot = v;
}

/// The perceived value lesson.
#[component]
pub fn PerceivedValueLesson() -> Html {
    let offers = use_state(perceived::default_offers);
    let win = perceived::winner(&offers);
    let values: Vec<_> = offers.iter().map(perceived::value_of).collect();
    let add = {
        let offers = offers.clone();
        Callback::from(move |_| {
            let mut os = (*offers).clone();
            if os.len() < 8 {
                let mut o = os
                    .last()
                    .cloned()
                    .unwrap_or_else(|| perceived::default_offers().remove(0));
                o.name = format!("Offer {}", os.len() + 1);
                os.push(o);
            }
            offers.set(os);
        })
    };
    let remove = {
        let offers = offers.clone();
        Callback::from(move |_| {
            let mut os = (*offers).clone();
            if os.len() > 1 {
                os.pop();
            }
            offers.set(os);
        })
    };
    let chart = Rc::new(Chart {
        title: "Total customer value and total customer cost per offer".into(),
        x_label: "offer".into(),
        y_label: "value or cost".into(),
        kind: Kind::Bars {
            categories: offers.iter().map(|o| o.name.clone()).collect(),
            series: vec![
                (
                    "total customer value".into(),
                    values.iter().map(|v| v.total_value).collect(),
                ),
                (
                    "total customer cost".into(),
                    values.iter().map(|v| v.total_cost).collect(),
                ),
                (
                    "perceived value".into(),
                    values.iter().map(|v| v.perceived).collect(),
                ),
            ],
        },
    });
    let filled = win
        .and_then(|w| Some((offers.get(w)?, values.get(w)?)))
        .map(|(o, v)| {
            format!(
                "{}: ({} + {} + {} + {}) − ({} + {} + {} + {}) = {:.2} − {:.2} = {:.2}",
                o.name,
                o.product,
                o.service,
                o.personnel,
                o.image,
                o.money,
                o.time,
                o.energy,
                o.psychic,
                v.total_value,
                v.total_cost,
                v.perceived
            )
        })
        .unwrap_or_else(|| "no offer to compare".into());
    html! {
        <div class="card" data-testid="lesson-perceived-value">
            <h2>{ "Customer perceived value" }</h2>
            <p>{ "Customers choose the offer with the highest perceived value: what they get (product, service, personnel, image) minus what it costs them (money, and also time, energy and the worry — psychic cost). Edit any cell; the winner is the largest difference, not the largest ratio." }</p>
            <div class="scroll">
            <table class="data" data-testid="pv-table">
                <thead><tr><th><span class="sr-only">{ "part" }</span></th>
                    { for offers.iter().enumerate().map(|(i, o)| {
                        let name_on = {
                            let offers = offers.clone();
                            Callback::from(move |s: String| {
                                let mut os = (*offers).clone();
                                if let Some(o) = os.get_mut(i) { o.name = s; }
                                offers.set(os);
                            })
                        };
                        html! { <th class={classes!("num", (win == Some(i)).then_some("selected"))}>
                            { text_cell(format!("offer {} name", i + 1), format!("pv-name-{i}"), o.name.clone(), name_on) }
                            if win == Some(i) { <span class="badge good" data-testid="pv-winner">{ "chosen" }</span> }
                        </th> }
                    }) }
                </tr></thead>
                <tbody>
                { for (0..8).map(|k| html! { <tr>
                    <th scope="row">{ if k < 4 { format!("{} value", PARTS[k]) } else { format!("{} cost", PARTS[k]) } }</th>
                    { for offers.iter().enumerate().map(|(i, o)| {
                        let offers = offers.clone();
                        let on = Callback::from(move |x: f64| {
                            let mut os = (*offers).clone();
                            if let Some(o) = os.get_mut(i) { set_part(o, k, x); }
                            offers.set(os);
                        });
                        html! { <td class="num">{ num_cell(format!("{}: {} {}", o.name, PARTS[k], if k < 4 { "value" } else { "cost" }), format!("pv-{i}-{}", PARTS[k]), part(o, k), on) }</td> }
                    }) }
                </tr> }) }
                <tr><th scope="row">{ "total customer value" }</th>{ for values.iter().enumerate().map(|(i, v)| html! { <td class="num" data-testid={format!("pv-value-{i}")}>{ format!("{:.2}", v.total_value) }</td> }) }</tr>
                <tr><th scope="row">{ "total customer cost" }</th>{ for values.iter().enumerate().map(|(i, v)| html! { <td class="num" data-testid={format!("pv-cost-{i}")}>{ format!("{:.2}", v.total_cost) }</td> }) }</tr>
                <tr><th scope="row">{ "perceived value" }</th>{ for values.iter().enumerate().map(|(i, v)| html! { <td class="num" data-testid={format!("pv-perceived-{i}")}>
                    if win == Some(i) { <strong>{ format!("{:.2}", v.perceived) }</strong> } else { { format!("{:.2}", v.perceived) } }</td> }) }</tr>
                <tr><th scope="row">{ "value / cost" }</th>{ for values.iter().enumerate().map(|(i, v)| html! { <td class="num" data-testid={format!("pv-ratio-{i}")}>{ v.ratio.map_or("–".to_string(), |r| format!("{r:.2}")) }</td> }) }</tr>
                </tbody>
            </table>
            </div>
            <div class="row">
                <button class="secondary" onclick={add} disabled={offers.len() >= 8} data-testid="pv-add">{ "Add an offer" }</button>
                <button class="secondary" onclick={remove} disabled={offers.len() <= 1} data-testid="pv-remove">{ "Remove the last offer" }</button>
                <span data-testid="pv-chosen">{ win.and_then(|w| offers.get(w)).map_or("No offer can be chosen: a figure is not a number".to_string(), |o| format!("The customer chooses {}.", o.name)) }</span>
            </div>
            { formula("perceived value = (product + service + personnel + image) − (money + time + energy + psychic)", filled, "pv-formula") }
            <ChartCard chart={chart} testid="pv-chart" />
            { lesson_end("perceived-value") }
        </div>
    }
}
