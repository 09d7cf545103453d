//! The Learn page: the index of the classroom lessons (each one interactive, its formulas
//! filled in with live numbers; see [`super::lessons`]), the simulator with known truth, and the
//! concepts behind every figure. The lesson shown is kept in the URL
//! (`#/learn?lesson=retention`); the bare `#/learn` shows the lifetime value lesson, the
//! simulator and the definitions, as the page always did.

use super::lessons::{self, LESSONS};
use serde::Deserialize;
use yew::prelude::*;

/// The query of a link to this page.
#[derive(Debug, Default, Deserialize)]
struct LearnQuery {
    /// The lesson's key.
    #[serde(default)]
    lesson: Option<String>,
}

/// The lesson list: links, so the keyboard, the back button and bookmarks all work.
fn lesson_list(current: Option<&str>) -> Html {
    html! {
        <nav aria-label="Lessons" class="lesson-list" data-testid="lesson-list">
            <ul>
            { for LESSONS.iter().map(|(key, title)| {
                let here = current == Some(*key);
                html! { <li><a href={format!("#/learn?lesson={key}")} class={classes!(here.then_some("active"))}
                    aria-current={here.then_some("page")} data-testid={format!("lesson-link-{key}")}>{ *title }</a></li> }
            }) }
            </ul>
        </nav>
    }
}

fn section(title: &str, body: Html, formula: &str) -> Html {
    html! {
        <div class="card">
            <h2>{ title }</h2>
            { body }
            if !formula.is_empty() { <div class="formula">{ formula }</div> }
        </div>
    }
}

/// The Learn page.
#[component]
pub fn LearnPage() -> Html {
    let chosen = yew_router::hooks::use_location()
        .and_then(|l| l.query::<LearnQuery>().ok())
        .and_then(|q| q.lesson);
    let body = match chosen.as_deref() {
        Some(key) => lessons::lesson(key).unwrap_or_else(|| html! {
            <p class="warnbox" role="alert" data-testid="lesson-unknown">{ format!("There is no lesson called “{key}”. Choose one from the list above.") }</p>
        }),
        None => landing(),
    };
    html! {
        <section>
            <h1>{ "Learn: the ideas behind every number" }</h1>
            <p class="lead">{ "Each page of the app turns one of these ideas into figures from your own customers. Choose a lesson: every one is interactive, with its formula filled in with the numbers you set." }</p>
            { lesson_list(chosen.as_deref()) }
            { body }
        </section>
    }
}

/// The bare page: the lifetime value lesson, the simulator and the definitions.
fn landing() -> Html {
    html! {
        <>
            <lessons::clv::ClvLesson />
            <super::simulator::SimulatorCard />
            { section("Customer perceived value", html! { <p>{ "Customers choose the offer with the highest perceived value: total customer value (product, service, personnel, image) minus total customer cost (money, time, energy, psychic cost)." }</p> }, "perceived value = total customer value − total customer cost") }
            { section("Satisfaction is performance against expectations", html! { <p>{ "Below expectations the customer is dissatisfied, equal is satisfied, above is delighted. Highly satisfied customers buy more, are less price sensitive, talk favourably and stay longer. Cumulative satisfaction — the running evaluation of all experiences — predicts retention better than the latest answer. Survey figures are estimates: the app shows sample sizes and intervals." }</p> }, "D = performance − expectation;  dissatisfied if D < −tolerance, delighted if D > tolerance") }
            { section("Net Promoter Score", html! { <p>{ "Promoters answer 9–10, passives 7–8, detractors 0–6 to 'How likely are you to recommend us?'." }</p> }, "NPS = 100 · (p − d);  V = p + d − (p − d)²;  SE = 100 · √(V / n);  95% CI = NPS ± 1.96 · SE") }
            { section("RFM segmentation", html! { <p>{ "Recency (days since the last purchase, lower is better, so its score is reversed), Frequency (purchase occasions) and Monetary value (total or mean spend), each scored 1–5 by quintile. A segment map names each R × F cell (Champions, At Risk, …)." }</p> }, "") }
            { section("Buy till you die: BG/NBD and Pareto/NBD", html! { <p>{ "While alive, a customer buys at a steady random rate; after each purchase (BG/NBD) or at a random time (Pareto/NBD) they may leave for good, unseen. The models need only each customer's number of repeat purchases x, the time of the last one t_x and the time observed T. Gamma-Gamma adds spend per purchase." }</p> }, "BG/NBD P(alive) = 1 / (1 + [x > 0] · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x))\nGamma-Gamma E[spend] = p (γ + x · m̄) / (p x + q − 1)\nCLV = Σ_{i=1..H} margin · spend · (E[X(i)] − E[X(i − 1)]) / (1 + d)^i") }
            { section("Contracts: the shifted-beta-geometric model", html! { <p>{ "For subscriptions, each customer has a churn probability per period; the mix of customers makes the retention rate rise over time as the loyal ones remain." }</p> }, "P(T = 1) = α / (α + β);  P(T = t) = (β + t − 2) / (α + β + t − 1) · P(T = t − 1)\nretention in period t = (β + t − 1) / (α + β + t − 1)") }
            { section("Customer equity and return on customer", html! { <p>{ "Customer equity is the sum of all customers' lifetime values; the firm's value also counts the customers it will acquire. Return on customer asks whether a period's cash flow came at the cost of the customer base." }</p> }, "CE = Σ CLV;  ROC = (cash flow + ΔCE) / CE at the start of the period") }
            { section("Relationship levels and strategy", html! { <p>{ "Relationships range from basic (sell and forget) through reactive, accountable and proactive to partnership. Different segments deserve different investment: acquire, develop, retain or win back — using price, service quality, direct promotions, relationship marketing, advertising and channels." }</p> }, "") }
        </>
    }
}
