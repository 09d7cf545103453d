//! The Learn page: the concepts behind every figure, with formulas, and a live teaching
//! calculator (margin, retention, discount → lifetime value) for the classroom.

use crate::domain::value;
use crate::ui::charts::{Chart, Kind, Series};
use crate::ui::components::ChartCard;
use crate::ui::components::Section;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct SliderProps {
    label: AttrValue,
    min: f64,
    max: f64,
    step: f64,
    value: f64,
    on_change: Callback<f64>,
    testid: AttrValue,
}

#[component]
fn Slider(p: &SliderProps) -> Html {
    let cb = p.on_change.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            if let Ok(v) = i.value().parse::<f64>() {
                cb.emit(v);
            }
        }
    });
    html! {
        <label>{ format!("{}: {}", p.label, p.value) }
            <input type="range" min={p.min.to_string()} max={p.max.to_string()} step={p.step.to_string()}
                value={p.value.to_string()} {oninput} data-testid={p.testid.clone()} aria-label={p.label.clone()} />
        </label>
    }
}

fn section(title: &str, body: Html, formula: &str) -> Html {
    html! {
        <Section id={crate::ui::components::section::slug(title)} title={title.to_string()}>
            { body }
            if !formula.is_empty() { <div class="formula">{ formula }</div> }
        </Section>
    }
}

/// The Learn page.
#[component]
pub fn LearnPage() -> Html {
    let margin = use_state(|| 100.0);
    let retention = use_state(|| 0.8);
    let discount = use_state(|| 0.1);
    let clv = value::simple_clv(*margin, *retention, *discount);
    let periods: Vec<(f64, f64)> = {
        let mut acc = 0.0;
        (1..=20)
            .map(|t| {
                acc += *margin * retention.powi(t) / (1.0 + *discount).powi(t);
                (f64::from(t), acc)
            })
            .collect()
    };
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
    let sum_chart = Rc::new(Chart {
        title: "Period-by-period sum approaching the formula".into(),
        x_label: "periods counted".into(),
        y_label: "discounted margin so far".into(),
        kind: Kind::Lines(vec![
            Series {
                name: "sum of periods".into(),
                points: periods.clone(),
                dashed: false,
            },
            Series {
                name: "closed formula".into(),
                points: vec![
                    (1.0, *clv.as_ref().unwrap_or(&0.0)),
                    (20.0, *clv.as_ref().unwrap_or(&0.0)),
                ],
                dashed: true,
            },
        ]),
    });
    let set = |s: UseStateHandle<f64>| Callback::from(move |v| s.set(v));
    html! {
        <section>
            <h1>{ "Learn: the ideas behind every number" }</h1>
            <p class="lead">{ "Each page of the app turns one of these ideas into figures from your own customers. Move the sliders to see how retention and discounting shape lifetime value." }</p>
            <Section id="clv-formula" title="Customer lifetime value, the teaching formula">
                <div class="row">
                    <Slider label="Margin per period" min={10.0} max={500.0} step={10.0} value={*margin} on_change={set(margin.clone())} testid="learn-margin" />
                    <Slider label="Retention per period" min={0.0} max={0.98} step={0.01} value={*retention} on_change={set(retention.clone())} testid="learn-retention" />
                    <Slider label="Discount rate per period" min={0.0} max={0.5} step={0.01} value={*discount} on_change={set(discount.clone())} testid="learn-discount" />
                </div>
                <div class="kpi">
                    <span class="label">{ "CLV = m · r / (1 + d − r)" }</span>
                    <span class="value" data-testid="learn-clv">{ match &clv { Ok(v) => crate::ui::format::fixed(*v, 2), Err(e) => e.to_string() } }</span>
                    <span class="sub">{ format!("= {:.0} · {:.2} / (1 + {:.2} − {:.2}); the first 20 periods add up to {:.2}", *margin, *retention, *discount, *retention, periods.last().map_or(0.0, |p| p.1)) }</span>
                </div>
            </Section>
            <div class="grid wide">
                <ChartCard chart={chart} testid="learn-retention-chart" note="Reichheld and Sasser: a few points more retention raise value a lot, because the gain compounds over the whole lifetime." />
                <ChartCard chart={sum_chart} testid="learn-sum-chart" />
            </div>
            <super::simulator::SimulatorCard />
            { section("Customer perceived value", html! { <p>{ "Customers choose the offer with the highest perceived value: total customer value (product, service, personnel, image) minus total customer cost (money, time, energy, psychic cost)." }</p> }, "perceived value = total customer value − total customer cost") }
            { section("Satisfaction is performance against expectations", html! { <p>{ "Below expectations the customer is dissatisfied, equal is satisfied, above is delighted. Highly satisfied customers buy more, are less price sensitive, talk favourably and stay longer. Cumulative satisfaction — the running evaluation of all experiences — predicts retention better than the latest answer. Survey figures are estimates: the app shows sample sizes and intervals." }</p> }, "D = performance − expectation;  dissatisfied if D < −tolerance, delighted if D > tolerance") }
            { section("Net Promoter Score", html! { <p>{ "Promoters answer 9–10, passives 7–8, detractors 0–6 to 'How likely are you to recommend us?'." }</p> }, "NPS = 100 · (p − d);  V = p + d − (p − d)²;  SE = 100 · √(V / n);  95% CI = NPS ± 1.96 · SE") }
            { section("RFM segmentation", html! { <p>{ "Recency (days since the last purchase, lower is better, so its score is reversed), Frequency (purchase occasions) and Monetary value (total or mean spend), each scored 1–5 by quintile. A segment map names each R × F cell (Champions, At Risk, …)." }</p> }, "") }
            { section("Buy till you die: BG/NBD and Pareto/NBD", html! { <p>{ "While alive, a customer buys at a steady random rate; after each purchase (BG/NBD) or at a random time (Pareto/NBD) they may leave for good, unseen. The models need only each customer's number of repeat purchases x, the time of the last one t_x and the time observed T. Gamma-Gamma adds spend per purchase." }</p> }, "BG/NBD P(alive) = 1 / (1 + [x > 0] · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x))\nGamma-Gamma E[spend] = p (γ + x · m̄) / (p x + q − 1)\nCLV = Σ_{i=1..H} margin · spend · (E[X(i)] − E[X(i − 1)]) / (1 + d)^i") }
            { section("Contracts: the shifted-beta-geometric model", html! { <p>{ "For subscriptions, each customer has a churn probability per period; the mix of customers makes the retention rate rise over time as the loyal ones remain." }</p> }, "P(T = 1) = α / (α + β);  P(T = t) = (β + t − 2) / (α + β + t − 1) · P(T = t − 1)\nretention in period t = (β + t − 1) / (α + β + t − 1)") }
            { section("Customer equity and return on customer", html! { <p>{ "Customer equity is the sum of all customers' lifetime values; the firm's value also counts the customers it will acquire. Return on customer asks whether a period's cash flow came at the cost of the customer base." }</p> }, "CE = Σ CLV;  ROC = (cash flow + ΔCE) / CE at the start of the period") }
            { section("Relationship levels and strategy", html! { <p>{ "Relationships range from basic (sell and forget) through reactive, accountable and proactive to partnership. Different segments deserve different investment: acquire, develop, retain or win back — using price, service quality, direct promotions, relationship marketing, advertising and channels." }</p> }, "") }
        </section>
    }
}
