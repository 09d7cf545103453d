//! The columns card: which survey columns hold the scores, the groups and the dates.

use super::analysis::Settings;
use super::edit_number;
use crate::domain::satisfaction::Question;
use crate::ui::components::{form, NumberField};
use yew::prelude::*;

fn col_select(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    (label, testid): (&str, &str),
    chosen: Option<&str>,
    names: &[String],
    push: &Callback<Settings>,
    f: impl Fn(&mut Settings, Option<String>) + 'static,
) -> Html {
    let options: Vec<(String, String)> = std::iter::once((String::new(), "(none)".to_string()))
        .chain(names.iter().map(|n| (n.clone(), n.clone())))
        .collect();
    let (h, cur, push) = (h.clone(), cur.clone(), push.clone());
    let on = Callback::from(move |v: String| {
        let mut s = cur.clone();
        f(&mut s, (!v.is_empty()).then_some(v));
        h.set(Some(s.clone()));
        push.emit(s);
    });
    form::select(
        &format!("{label} "),
        testid,
        &options,
        chosen.unwrap_or_default(),
        on,
    )
}

fn num_input(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    label: &str,
    testid: &str,
    value: String,
    step: &str,
    f: impl Fn(&mut Settings, f64) + 'static,
) -> Html {
    NumberField::new(format!("{label} "), testid, value)
        .step(step)
        .width("5.5rem")
        .view_number(edit_number(h, cur, f))
}

fn q_text(q: &Option<Question>) -> String {
    q.as_ref()
        .map(|q| format!("{}–{}, higher is better", q.min, q.max))
        .unwrap_or_else(|| "not chosen".into())
}

pub(super) fn columns_card(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    names: &[String],
    push: &Callback<Settings>,
) -> Html {
    let set_q = |q: &mut Option<Question>, v: Option<String>, fb: (i32, i32)| {
        *q = v.map(|n| {
            let (lo, hi) = q.as_ref().map_or(fb, |q| (q.min, q.max));
            Question::new(n, lo, hi)
        });
    };
    let csat = cur.csat.clone();
    html! {
        <details class="card" data-testid="sat-columns">
            <summary><strong>{ "Questions and columns" }</strong>{ format!(
                " — NPS: {}; CSAT: {}; CES: {}; overall: {}; {} attribute(s); {} Kano feature(s) (click to change)",
                cur.nps.as_deref().unwrap_or("none"),
                cur.csat.as_ref().map_or("none".into(), |q| format!("{} ({})", q.name, q_text(&cur.csat))),
                cur.ces.as_ref().map_or("none".into(), |q| format!("{} ({})", q.name, q_text(&cur.ces))),
                cur.overall.as_ref().map_or("none".into(), |q| format!("{} ({})", q.name, q_text(&cur.overall))),
                cur.attributes.len(), cur.kano.len()) }</summary>
            <div class="row">
                { col_select(h, cur, ("NPS (0–10)", "col-nps"), cur.nps.as_deref(), names, push, |s, v| s.nps = v) }
                { col_select(h, cur, ("CSAT", "col-csat"), cur.csat.as_ref().map(|q| q.name.as_str()), names, push, move |s, v| set_q(&mut s.csat, v, (1, 5))) }
                { col_select(h, cur, ("CES (1–7)", "col-ces"), cur.ces.as_ref().map(|q| q.name.as_str()), names, push, move |s, v| set_q(&mut s.ces, v, (1, 7))) }
                { col_select(h, cur, ("Overall satisfaction", "col-overall"), cur.overall.as_ref().map(|q| q.name.as_str()), names, push, move |s, v| set_q(&mut s.overall, v, (1, 7))) }
            </div>
            if let Some(q) = csat {
                <div class="row">
                    { num_input(h, cur, "CSAT scale from", "csat-min", q.min.to_string(), "1", |s, x| if let Some(q) = &mut s.csat { q.min = x.round() as i32 }) }
                    { num_input(h, cur, "to", "csat-max", q.max.to_string(), "1", |s, x| if let Some(q) = &mut s.csat { q.max = x.round() as i32 }) }
                    { num_input(h, cur, "top boxes counted as satisfied", "csat-top", cur.top_boxes.to_string(), "1", |s, x| s.top_boxes = x.round().clamp(1.0, 10.0) as u32) }
                </div>
            }
            <p class="note">{ "Attributes (expectation / performance / importance): " }{
                if cur.attributes.is_empty() { "none found (name columns exp_X, perf_X, imp_X)".to_string() } else {
                    cur.attributes.iter().map(|a| format!("{} ({} / {} / {})", a.name, a.exp.as_deref().unwrap_or("–"), a.perf, a.imp.as_deref().unwrap_or("–"))).collect::<Vec<_>>().join("; ")
                } }</p>
            <p class="note">{ "Kano pairs (functional / dysfunctional): " }{
                if cur.kano.is_empty() { "none found (name text columns kano_func_X and kano_dys_X)".to_string() } else {
                    cur.kano.iter().map(|k| format!("{} ({} / {})", k.feature, k.functional, k.dysfunctional)).collect::<Vec<_>>().join("; ")
                } }</p>
        </details>
    }
}
