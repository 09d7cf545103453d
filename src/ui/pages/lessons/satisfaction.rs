//! Lesson "satisfaction": performance against expectations (sliders → dissatisfied, satisfied,
//! delighted), and a seeded panel of customers showing that cumulative satisfaction predicts
//! staying better than the latest answer.

use super::{formula, lesson_end, refused, Slider};
use crate::analysis::lessons::satisfaction::{self as sat, PanelParams};
use crate::ui::charts::{Chart, Kind};
use crate::ui::components::{ChartCard, NumberField};
use std::rc::Rc;
use yew::prelude::*;

/// The satisfaction lesson.
#[component]
pub fn SatisfactionLesson() -> Html {
    let expectation = use_state(|| 7.0);
    let performance = use_state(|| 8.0);
    let tolerance = use_state(|| 0.5);
    let params = use_state(PanelParams::default);
    let set = |s: UseStateHandle<f64>| Callback::from(move |v| s.set(v));
    let (d, verdict) = sat::disconfirm(*expectation, *performance, *tolerance);
    let field = |label: &str, id: &str, v: String, f: fn(&mut PanelParams, f64)| {
        let params = params.clone();
        NumberField::new(label, id, v)
            .step("any")
            .width("6.5rem")
            .view_number(Callback::from(move |x| {
                let mut p = (*params).clone();
                f(&mut p, x);
                params.set(p);
            }))
    };
    let p = &*params;
    let panel = match sat::simulate(p) {
        Err(e) => refused(&e),
        Ok(panel) => {
            let chart = Rc::new(Chart {
                title: "Share staying by fifth of customers, ranked by each measure".into(),
                x_label: "customers ranked by the measure (lowest fifth first)".into(),
                y_label: "share who stayed".into(),
                kind: Kind::Bars {
                    categories: ["1st", "2nd", "3rd", "4th", "5th"]
                        .map(String::from)
                        .to_vec(),
                    series: vec![
                        ("latest answer".into(), panel.latest.stay_by_fifth.clone()),
                        (
                            "cumulative satisfaction".into(),
                            panel.cumulative.stay_by_fifth.clone(),
                        ),
                    ],
                },
            });
            let better = panel.cumulative.auc > panel.latest.auc;
            let verdict_text = if better {
                format!("Cumulative satisfaction predicts staying better: AUC {:.3} against {:.3} for the latest answer.", panel.cumulative.auc, panel.latest.auc)
            } else {
                format!("With these settings the latest answer does as well or better (AUC {:.3} against {:.3}): try more noise, or a smaller weight of the newest answer.", panel.latest.auc, panel.cumulative.auc)
            };
            let first = panel
                .customers
                .first()
                .map(|c| c.answers.clone())
                .unwrap_or_default();
            let steps = first
                .iter()
                .take(3)
                .fold((Vec::new(), None::<f64>), |(mut v, c), &s| {
                    let next = c.map_or(s, |c| p.weight * s + (1.0 - p.weight) * c);
                    v.push(match c {
                        None => format!("c1 = {s:.2}"),
                        Some(c) => format!(
                            "{:.2} · {s:.2} + {:.2} · {c:.2} = {next:.2}",
                            p.weight,
                            1.0 - p.weight
                        ),
                    });
                    (v, Some(next))
                });
            html! {
                <>
                <div class="row">
                    <div class="kpi"><span class="label">{ "AUC of the latest answer" }</span>
                        <span class="value" data-testid="sat-auc-latest">{ format!("{:.3}", panel.latest.auc) }</span>
                        <span class="sub">{ format!("correlation with staying {:.3}", panel.latest.correlation) }</span></div>
                    <div class="kpi"><span class="label">{ "AUC of cumulative satisfaction" }</span>
                        <span class="value" data-testid="sat-auc-cum">{ format!("{:.3}", panel.cumulative.auc) }</span>
                        <span class="sub">{ format!("correlation with staying {:.3}", panel.cumulative.correlation) }</span></div>
                    <div class="kpi"><span class="label">{ "Stayed" }</span>
                        <span class="value" data-testid="sat-stay">{ format!("{:.1}%", 100.0 * panel.stay_rate) }</span>
                        <span class="sub">{ format!("of {} simulated customers (seed {})", panel.customers.len(), p.seed) }</span></div>
                </div>
                <p class={if better { "okbox" } else { "warnbox" }} data-testid="sat-lesson">{ verdict_text }</p>
                { formula("c1 = s1;  ct = w · st + (1 − w) · c(t−1)   (customer 1, first answers)", steps.0.join(";  "), "sat-cum-formula") }
                <ChartCard chart={chart} testid="sat-chart" note="AUC: the chance that a customer who stayed scores higher than one who left (0.5 is a coin toss). Each answer is noisy; the running evaluation averages the noise away." />
                </>
            }
        }
    };
    html! {
        <div class="card" data-testid="lesson-satisfaction">
            <h2>{ "Satisfaction is performance against expectations" }</h2>
            <div class="row">
                <Slider label="Expectation" min={1.0} max={10.0} step={0.5} value={*expectation} on_change={set(expectation.clone())} testid="sat-expectation" />
                <Slider label="Performance" min={1.0} max={10.0} step={0.5} value={*performance} on_change={set(performance.clone())} testid="sat-performance" />
                <Slider label="Tolerance" min={0.0} max={3.0} step={0.25} value={*tolerance} on_change={set(tolerance.clone())} testid="sat-tolerance" />
                <div class="kpi"><span class="label">{ "The customer is" }</span>
                    <span class="value" data-testid="sat-verdict">{ sat::verdict_name(verdict) }</span>
                    <span class="sub" data-testid="sat-d">{ format!("D = {d:.2}") }</span></div>
            </div>
            { formula("D = performance − expectation;  dissatisfied if D < −tolerance, delighted if D > tolerance, else satisfied",
                format!("D = {} − {} = {d:.2};  tolerance {} → {}", *performance, *expectation, *tolerance, sat::verdict_name(verdict)), "sat-formula") }
            <h3>{ "Why cumulative satisfaction predicts staying better than the latest answer" }</h3>
            <p>{ "A simulated panel: each customer gets a service of their own true level; each period's answer is that level plus noise. Customers decide to stay on their whole experience. Which measure of the answers tells you who stays: the latest answer, or the running (exponentially weighted) evaluation of all of them?" }</p>
            <div class="row">
                { field("Noise of one answer", "sat-noise", format!("{}", p.noise), |p, x| p.noise = x) }
                { field("Weight of the newest answer w", "sat-weight", format!("{}", p.weight), |p, x| p.weight = x) }
                { field("Customers N", "sat-n", p.customers.to_string(), |p, x| if x.is_finite() && x >= 0.0 { p.customers = x.round().min(1e9) as u32 }) }
                { field("Periods", "sat-periods", p.periods.to_string(), |p, x| if x.is_finite() && x >= 0.0 { p.periods = x.round().min(1e9) as u32 }) }
                { field("Seed", "sat-seed", p.seed.to_string(), |p, x| if x.is_finite() && x >= 0.0 { p.seed = x.round() as u64 }) }
            </div>
            { panel }
            { lesson_end("satisfaction") }
        </div>
    }
}
