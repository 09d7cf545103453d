//! One customer's lifetime value worked out with the formula and their own figures, beside
//! their purchase history.

use crate::analysis::clv::clv_schedule;
use crate::analysis::explain;
use crate::domain::clv::{BtydModel, ModelKind, SpendFallback};
use crate::domain::customers::CustomerRecord;
use crate::ui::components::explain::Explain;
use crate::worker::clv::ClvResult;
use chrono::NaiveDate;
use std::rc::Rc;
use yew::prelude::*;

/// A customer's purchases, as the worker answers them.
#[derive(Debug, Clone, PartialEq)]
pub enum History {
    /// Asked, not yet answered.
    Loading,
    /// Date and amount of each purchase, in date order.
    Ready(Rc<Vec<(NaiveDate, f64)>>),
    /// The data is a customer summary: there are no purchases to show.
    NoLog,
    /// What went wrong, in plain words.
    Failed(String),
}

/// The detail panel for customer `i` (summary order).
pub fn view(
    res: &ClvResult,
    i: usize,
    c: &CustomerRecord,
    purchases: &History,
    on_close: Callback<()>,
    ranges: Html,
) -> Html {
    let (Some(fm), Some(s)) = (&res.model, &res.settings) else {
        return html! {};
    };
    let unit = s.model_time_unit.name();
    let p_alive = res.p_alive.get(i).copied().unwrap_or(f64::NAN);
    let spend = res.expected_spend.get(i).copied().unwrap_or(f64::NAN);
    let clv = res.clv.get(i).copied().unwrap_or(f64::NAN);
    let schedule = clv_schedule(&fm.model, c.x, c.t_x, c.t, spend, s);
    let (rows, total) = (&schedule.months, schedule.total);
    let alive_formula = match fm.model {
        BtydModel::BgNbd(_) | BtydModel::MbgNbd(_) => {
            let p = fm.model.to_array();
            let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
            if fm.kind == ModelKind::BgNbd {
                if c.x > 0.0 {
                    format!(
                        "P(alive) = 1 / (1 + a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x))\n         = 1 / (1 + {a:.3}/({b:.3} + {x} − 1) · (({alpha:.3} + {t:.2})/({alpha:.3} + {tx:.2}))^({r:.3} + {x}))\n         = {p_alive:.4}",
                        x = c.x,
                        t = c.t,
                        tx = c.t_x,
                    )
                } else {
                    String::from("P(alive) = 1: with BG/NBD a customer who never bought again cannot have dropped out yet (drop-out happens only right after a repeat purchase).")
                }
            } else {
                format!(
                    "MBG/NBD: P(alive) = 1 / (1 + a/(b + x) · ((α + T)/(α + tₓ))^(r + x)) = {p_alive:.4}"
                )
            }
        }
        BtydModel::ParetoNbd(_) => format!(
            "Pareto/NBD: P(alive) from x = {}, tₓ = {:.2}, T = {:.2} with the fitted r, α, s, β (a ratio involving the Gauss hypergeometric function ₂F₁) = {p_alive:.4}",
            c.x, c.t_x, c.t
        ),
    };
    let spend_formula = match &res.spend {
        Some(g) if g.spend_estimate(c.x, c.monetary).fallback.is_some() => {
            let why = g
                .spend_estimate(c.x, c.monetary)
                .fallback
                .map_or("", SpendFallback::message);
            format!("Expected spend per purchase = {spend:.2}: {why}.")
        }
        Some(g) if c.x > 0.0 => format!(
            "Expected spend per purchase (Gamma-Gamma) = p(γ + x·m)/(p·x + q − 1)\n  = {p:.3} × ({gm:.3} + {x} × {m:.2}) / ({p:.3} × {x} + {q:.3} − 1) = {spend:.2}",
            p = g.params.p,
            q = g.params.q,
            gm = g.params.gamma,
            x = c.x,
            m = c.monetary
        ),
        Some(g) => format!(
            "No repeat purchase yet, so the population mean applies: pγ/(q − 1) = {:.3} × {:.3} / ({:.3} − 1) = {spend:.2}",
            g.params.p, g.params.gamma, g.params.q
        ),
        None => format!("Expected spend per purchase = the customer's own mean repeat spend (or the average of repeat buyers when none) = {spend:.2}"),
    };
    html! {
        <div class="card" data-testid="customer-detail" tabindex="-1">
            <div class="row">
                <h3>{ format!("Customer {}", c.id) }</h3>
                <button class="secondary" onclick={move |_| on_close.emit(())} data-testid="close-detail">{ "Close" }</button>
            </div>
            <div class="grid">
                <div class="kpi"><span class="label">{ "Repeat purchases x" }</span><span class="value">{ c.x }</span></div>
                <div class="kpi"><span class="label">{ format!("Recency tₓ ({unit}s)") }</span><span class="value">{ crate::ui::format::fixed(c.t_x, 2) }</span></div>
                <div class="kpi"><span class="label">{ format!("Age T ({unit}s)") }</span><span class="value">{ crate::ui::format::fixed(c.t, 2) }</span></div>
                <div class="kpi"><span class="label">{ "Mean repeat spend m" }</span><span class="value">{ crate::ui::format::money(c.monetary) }</span></div>
                <div class="kpi"><span class="label">{ "P(alive)" }</span><span class="value" data-testid="detail-p-alive">{ format!("{}%", crate::ui::format::fixed(p_alive * 100.0, 1)) }</span>
                    <Explain filled={explain::p_alive(&fm.model, c.x, c.t_x, c.t, &crate::ui::format::current())} label="P(alive)" testid="explain-detail-p-alive" /></div>
                <div class="kpi"><span class="label">{ format!("Expected purchases, next {} {unit}s", s.purchase_horizon) }</span><span class="value" data-testid="detail-expected">{ crate::ui::format::fixed(res.expected_purchases.get(i).copied().unwrap_or(f64::NAN), 2) }</span>
                    <Explain filled={explain::expected_purchases(&fm.model, s.purchase_horizon, c.x, c.t_x, c.t, unit, &crate::ui::format::current())} label="expected purchases" testid="explain-detail-expected" /></div>
                <div class="kpi"><span class="label">{ "Expected spend per purchase" }</span><span class="value" data-testid="detail-spend">{ crate::ui::format::money(spend) }</span>
                    <Explain filled={explain::expected_spend(res.spend.as_ref(), c.x, c.monetary, spend, &crate::ui::format::current())} label="expected spend" testid="explain-detail-spend" /></div>
                <div class="kpi"><span class="label">{ "CLV" }</span><span class="value" data-testid="detail-clv">{ crate::ui::format::money(clv) }</span>
                    <Explain filled={explain::clv(&fm.model, c.x, c.t_x, c.t, spend, s, &crate::ui::format::current())} label="CLV" testid="explain-detail-clv" /></div>
            </div>
            { ranges }
            <h4>{ "How the CLV is worked out" }</h4>
            <p class="formula">{ alive_formula }</p>
            <p class="formula">{ spend_formula }</p>
            <p class="formula">{ format!(
                "CLV = Σ over months i = 1..{n} of margin × spend × (E[X(i)] − E[X(i − 1)]) / (1 + d)^i\n    with margin = {mr}, spend = {spend:.2}, d = {d} per month, one month = {u} {unit}s;\n    E[X(i)] = expected purchases in the next i months given this customer's x, tₓ and T.\n    Total = {total:.2}",
                n = s.periods, mr = s.margin_rate, d = s.discount_rate, u = s.units_per_period) }</p>
            <div class="scroll">
                <table class="data" data-testid="detail-months">
                    <thead><tr>
                        <th class="num">{ "Month i" }</th><th class="num">{ "E[X(i)]" }</th><th class="num">{ "Purchases in month i" }</th>
                        <th class="num">{ "Discount 1/(1+d)^i" }</th><th class="num">{ "Value in month i" }</th>
                    </tr></thead>
                    <tbody>
                    { for rows.iter().map(|m| html! {
                        <tr><td class="num">{ m.month }</td><td class="num">{ crate::ui::format::fixed(m.cumulative, 4) }</td><td class="num">{ crate::ui::format::fixed(m.purchases, 4) }</td>
                            <td class="num">{ crate::ui::format::fixed(m.discount, 4) }</td><td class="num">{ crate::ui::format::money(m.value) }</td></tr>
                    }) }
                    <tr><th colspan="4">{ "Total (CLV)" }</th><th class="num">{ crate::ui::format::money(total) }</th></tr>
                    </tbody>
                </table>
            </div>
            { history(purchases) }
        </div>
    }
}

fn history(purchases: &History) -> Html {
    match purchases {
        History::Loading => html! {
            <p class="note" data-testid="detail-history-loading">{ "Loading the purchase history…" }</p>
        },
        History::NoLog => html! {
            <p class="note">{ "The data is a customer summary, so there is no purchase history to show." }</p>
        },
        History::Failed(e) => html! {
            <p class="errbox" role="alert">{ format!("The purchase history could not be shown: {e}") }</p>
        },
        History::Ready(rows) => html! {
            <>
            <h4>{ format!("Purchase history ({} purchase{})", crate::ui::format::count(rows.len()), if rows.len() == 1 { "" } else { "s" }) }</h4>
            <div class="scroll" style="max-height:16rem">
                <table class="data" data-testid="detail-history">
                    <thead><tr><th>{ "Date" }</th><th class="num">{ "Amount" }</th></tr></thead>
                    <tbody>
                    { for rows.iter().map(|(d, a)| html! { <tr><td>{ d.to_string() }</td><td class="num">{ crate::ui::format::money(*a) }</td></tr> }) }
                    </tbody>
                </table>
            </div>
            </>
        },
    }
}
