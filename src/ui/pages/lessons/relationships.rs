//! Lesson "relationships": Kotler's relationship levels and the customer portfolio grid, which
//! level pays for which segment (editable cost and retention per level), and the app's own
//! strategy rules applied to the same segments (read from the engine, not copied).

use super::{formula, lesson_end, num_cell, refused, text_cell};
use crate::analysis::lessons::relationships::{
    self as rel, LevelEconomics, PortfolioSegment, LEVELS,
};
use crate::ui::components::NumberField;
use yew::prelude::*;

const WHAT: [&str; 5] = [
    "sells and does not follow up",
    "sells and invites the customer to call with problems",
    "calls the customer shortly after the sale",
    "contacts the customer regularly with suggestions",
    "works continuously with the customer to deliver value",
];

/// The relationship levels lesson.
#[component]
pub fn RelationshipsLesson() -> Html {
    let levels = use_state(rel::default_levels);
    let segments = use_state(rel::default_segments);
    let discount = use_state(|| 0.1);
    let level_edit = |i: usize, k: usize| {
        let levels = levels.clone();
        Callback::from(move |x: f64| {
            let mut ls = *levels;
            if let Some(l) = ls.get_mut(i) {
                if k == 0 {
                    l.cost = x
                } else {
                    l.retention = x
                }
            }
            levels.set(ls);
        })
    };
    let seg_edit = |i: usize, k: usize| {
        let segments = segments.clone();
        Callback::from(move |x: f64| {
            let mut ss = (*segments).clone();
            if let Some(s) = ss.get_mut(i) {
                match k {
                    0 => {
                        s.customers = if x.is_finite() {
                            x.round().clamp(0.0, 1e12) as u64
                        } else {
                            0
                        }
                    }
                    1 => s.margin = x,
                    2 => s.mean_recency_days = x,
                    _ => s.mean_occasions = x,
                }
            }
            segments.set(ss);
        })
    };
    let grid = rel::kotler_grid();
    let rules = rel::app_rules();
    let suggestions = rel::app_suggestions(&segments);
    let level_table = html! {
        <table class="data" data-testid="rel-levels">
            <thead><tr><th>{ "level" }</th><th>{ "the firm…" }</th><th class="num">{ "cost per customer per year" }</th><th class="num">{ "retention it earns" }</th></tr></thead>
            <tbody>
            { for levels.iter().enumerate().map(|(i, l): (usize, &LevelEconomics)| html! { <tr>
                <td>{ LEVELS[i].name() }</td><td>{ WHAT[i] }</td>
                <td class="num">{ num_cell(format!("{} level: cost per customer", LEVELS[i].name()), format!("rel-cost-{i}"), l.cost, level_edit(i, 0)) }</td>
                <td class="num">{ num_cell(format!("{} level: retention", LEVELS[i].name()), format!("rel-retention-{i}"), l.retention, level_edit(i, 1)) }</td>
            </tr> }) }
            </tbody>
        </table>
    };
    let seg_rows = segments.iter().enumerate().map(|(i, s): (usize, &PortfolioSegment)| {
        let pay = rel::levels_for(s.margin, &levels, *discount);
        let sug = suggestions.get(i);
        let name_on = {
            let segments = segments.clone();
            Callback::from(move |v: String| {
                let mut ss = (*segments).clone();
                if let Some(s) = ss.get_mut(i) { s.name = v; }
                segments.set(ss);
            })
        };
        html! { <tr>
            <td>{ text_cell(format!("segment {} name", i + 1), format!("rel-name-{i}"), s.name.clone(), name_on) }</td>
            <td class="num">{ num_cell(format!("{}: customers", s.name), format!("rel-customers-{i}"), s.customers as f64, seg_edit(i, 0)) }</td>
            <td class="num">{ num_cell(format!("{}: margin per customer", s.name), format!("rel-margin-{i}"), s.margin, seg_edit(i, 1)) }</td>
            <td class="num">{ num_cell(format!("{}: mean days since last purchase", s.name), format!("rel-recency-{i}"), s.mean_recency_days, seg_edit(i, 2)) }</td>
            <td class="num">{ num_cell(format!("{}: mean purchases", s.name), format!("rel-occasions-{i}"), s.mean_occasions, seg_edit(i, 3)) }</td>
            { match &pay {
                Ok(p) => html! { <>
                    { for p.clv.iter().enumerate().map(|(k, v)| html! { <td class="num" data-testid={format!("rel-clv-{i}-{k}")}>
                        if k == p.best { <strong>{ format!("{v:.2}") }</strong> } else { { format!("{v:.2}") } }</td> }) }
                    <td data-testid={format!("rel-best-{i}")}>{ LEVELS[p.best].name() }</td>
                </> },
                Err(_) => html! { <td colspan="6">{ "–" }</td> },
            } }
            <td data-testid={format!("rel-app-{i}")}>{ sug.map_or(String::new(), |s| format!("{} ({})", s.level.name(), s.strategy.name())) }</td>
        </tr> }
    });
    let error = segments
        .iter()
        .find_map(|s| rel::levels_for(s.margin, &levels, *discount).err());
    let first = segments
        .first()
        .and_then(|s| Some((s, rel::levels_for(s.margin, &levels, *discount).ok()?)));
    let filled = first
        .map(|(s, p)| {
            let l = levels.get(p.best).copied().unwrap_or(LevelEconomics {
                cost: 0.0,
                retention: 0.0,
            });
            format!(
                "{}, {} level: ({} − {}) · {} / (1 + {} − {}) = {:.2}",
                s.name,
                LEVELS[p.best].name(),
                s.margin,
                l.cost,
                l.retention,
                *discount,
                l.retention,
                p.clv[p.best]
            )
        })
        .unwrap_or_default();
    let on_discount = {
        let discount = discount.clone();
        Callback::from(move |x: f64| discount.set(x))
    };
    html! {
        <div class="card" data-testid="lesson-relationships">
            <h2>{ "Relationship levels and the customer portfolio" }</h2>
            <p>{ "A firm can build five levels of relationship with a customer. The higher levels cost more per customer and keep customers longer; which one pays depends on how many customers a segment has and what each brings (Kotler)." }</p>
            <h3>{ "Kotler's grid: the level to aim for" }</h3>
            <div class="scroll">
            <table class="data" data-testid="rel-grid">
                <thead><tr><th>{ "customers \\ margin" }</th><th>{ "high margin" }</th><th>{ "medium margin" }</th><th>{ "low margin" }</th></tr></thead>
                <tbody>
                { for ["many customers", "a medium number", "few customers"].iter().zip(grid.iter()).map(|(r, row)| html! {
                    <tr><th scope="row">{ *r }</th>{ for row.iter().map(|c| html! { <td>{ *c }</td> }) }</tr>
                }) }
                </tbody>
            </table>
            </div>
            <h3>{ "What each level costs and earns (edit)" }</h3>
            <div class="scroll">{ level_table }</div>
            { NumberField::new("Discount rate per year", "rel-discount", format!("{}", *discount)).step("any").width("6rem").view_number(on_discount) }
            <h3>{ "Which level pays for which segment" }</h3>
            <div class="scroll">
            <table class="data" data-testid="rel-segments">
                <thead><tr><th>{ "segment" }</th><th class="num">{ "customers" }</th><th class="num">{ "margin per customer" }</th><th class="num">{ "mean days since last purchase" }</th><th class="num">{ "mean purchases" }</th>
                    { for LEVELS.iter().map(|l| html! { <th class="num">{ format!("CLV {}", l.name().to_lowercase()) }</th> }) }
                    <th>{ "level that pays" }</th><th>{ "the app's rules say" }</th></tr></thead>
                <tbody>{ for seg_rows }</tbody>
            </table>
            </div>
            if let Some(e) = error { { refused(&e) } }
            { formula("CLV at a level = (margin − cost of the level) · r / (1 + d − r), r = the level's retention", filled, "rel-formula") }
            <h3>{ "The app's own strategy rules" }</h3>
            <p class="note">{ "The Value & strategy page applies these rules to your segments; the last column above applies them to the segments here (revenue = customers × margin; no model, so recency decides lapsed)." }</p>
            <div data-testid="rel-rules">
                { for rules.first().map(|r| html! { <p>{ r.clone() }</p> }) }
                <ul>{ for rules.iter().skip(1).map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
            </div>
            { lesson_end("relationships") }
        </div>
    }
}
