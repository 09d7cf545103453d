//! The Value & strategy page: per segment the relationship level, the suggested strategy and
//! levers with the figures behind them (domain::segmentation::strategy); customer equity, firm
//! value and return on customer; a retention what-if; and a budget split across segments with
//! diminishing returns (domain::value::allocate_budget).

use crate::domain::segmentation::strategy::{Lever, Strategy};
use crate::domain::value::{self, FirmValueInputs};
use crate::ui::charts::{fmt_tick, Chart, Kind, Series};
use crate::ui::components::Section;
use crate::ui::components::{status, Cell, ChartCard, DataTable, Input, Load, NumberField};
use crate::ui::state::AppContext;
use crate::worker::clv;
use crate::worker::segment::{self, SegmentResult};
use std::rc::Rc;
use yew::prelude::*;

fn strategy_name(s: Strategy) -> &'static str {
    s.name()
}

fn lever_name(l: Lever) -> &'static str {
    match l {
        Lever::Price => "price",
        Lever::ServiceQuality => "service quality",
        Lever::DirectPromotions => "direct promotions",
        Lever::RelationshipMarketing => "relationship marketing",
        Lever::Advertising => "advertising",
        Lever::Channels => "channels",
    }
}

/// A number input that reports parsed values.
fn num(label: &str, value: f64, step: &str, testid: &str, set: Callback<f64>) -> Html {
    NumberField::new(format!("{label} "), testid, value.to_string())
        .step(step)
        .width("8rem")
        .view_number(set)
}

/// A slider with its value shown.
fn slider(
    label: &str,
    value: f64,
    min: f64,
    max: f64,
    step: f64,
    testid: &str,
    set: Callback<f64>,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            if let Ok(v) = i.value().parse::<f64>() {
                set.emit(v);
            }
        }
    });
    html! { <label>{ format!("{label}: {} ", crate::ui::format::fixed(value, 2)) }
        <input type="range" min={min.to_string()} max={max.to_string()} step={step.to_string()} value={value.to_string()} {oninput} data-testid={testid.to_string()} />
    </label> }
}

fn setter(h: &UseStateHandle<f64>) -> Callback<f64> {
    let h = h.clone();
    Callback::from(move |v| h.set(v))
}

/// The Value & strategy page.
#[component]
pub fn StrategyPage() -> Html {
    let progress = crate::ui::state::use_progress();
    let ctx = use_context::<AppContext>();
    let load = use_state(|| Load::<Rc<SegmentResult>>::Empty("Segmenting…".into()));
    let clv_state = use_state(|| None::<Result<(), String>>);
    let clv_running = use_state(|| false);
    let src = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let clvs = match (&ctx, &src) {
        (Some(c), Some(s)) => super::segments::clv_fit(c, s),
        _ => None,
    };
    {
        let (ctx, load) = (ctx.clone(), load.clone());
        use_effect_with(
            (src.clone(), clvs.as_ref().map(|c| c.clv.len())),
            move |(src, _)| {
                if let (Some(ctx), Some(src)) = (ctx, src) {
                    if let Some(summary) = src.data.summary.as_ref() {
                        let header = super::segments::summary_header(summary);
                        let mut req = segment::default_request(header);
                        let mut key = segment::DEFAULT_KEY.to_string();
                        if let Some((c, p)) = super::segments::clv_vectors(&ctx, src) {
                            req.clv = Some(c);
                            req.p_alive = Some(p);
                            key.push_str("+clv");
                        }
                        super::segments::run_segmentation(&ctx, src, &key, req, &load);
                    } else {
                        load.set(Load::Failed("This dataset has no customer summary.".into()));
                    }
                }
            },
        );
    }
    // Inputs.
    let new_per_period = use_state(|| 100.0);
    let clv_new = use_state(|| f64::NAN);
    let acq_cost = use_state(|| 40.0);
    let discount = use_state(|| 0.1);
    let periods = use_state(|| 5.0);
    let cash_flow = use_state(|| f64::NAN);
    let equity_end = use_state(|| f64::NAN);
    let margin = use_state(|| 100.0);
    let retention = use_state(|| 0.75);
    let wi_discount = use_state(|| 0.1);
    let budget = use_state(|| 10_000.0);
    let lift = use_state(|| 10.0);
    let saturation = use_state(std::collections::HashMap::<String, f64>::new);

    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(src) = src else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("a transaction log")
        } else {
            super::booting()
        };
    };
    let load_view = match (&*load, &progress) {
        (Load::Loading { .. }, Some(p)) => Load::Loading {
            fraction: Some(p.fraction),
            stage: p.stage.clone(),
        },
        (l, _) => l.clone(),
    };

    // --- Customer equity ---
    let fitted = ctx
        .ctl
        .cached_clv(&src, clv::DEFAULT_KEY)
        .filter(|r| !r.clv.is_empty());
    let equity = fitted.as_ref().map(|r| r.equity);
    let n_customers = src.data.summary.as_ref().map_or(0, |s| s.customers.len());
    let run_clv = {
        let (ctx, src, st, running) = (
            ctx.clone(),
            src.clone(),
            clv_state.clone(),
            clv_running.clone(),
        );
        Callback::from(move |_| {
            let Some(summary) = src.data.summary.as_ref() else {
                return;
            };
            running.set(true);
            let (st, running) = (st.clone(), running.clone());
            let req = clv::default_request(super::segments::summary_header(summary));
            ctx.ctl.clv(&src, clv::DEFAULT_KEY, req, false, move |r| {
                running.set(false);
                st.set(Some(r.map(|_| ()).map_err(|e| e.to_string())));
            });
        })
    };
    let equity_card = html! {
        <Section id="equity" title="Customer equity" testid="equity-card">
            { match equity {
                Some(e) => html! { <>
                    <p class="kpi"><span class="label">{ "Sum of the lifetime values of the current customers" }</span>
                        <span class="value" data-testid="customer-equity">{ fmt_tick(e) }</span>
                        if let Some(r) = &fitted { <crate::ui::components::explain::Explain filled={crate::analysis::explain::customer_equity(r, &crate::ui::format::current())} label="customer equity" testid="explain-equity" /> }
                        <span class="sub">{ format!("{n_customers} customers, mean CLV {}", crate::ui::format::money_with(e / (n_customers.max(1) as f64), 1)) }</span></p>
                </> },
                None => html! { <>
                    <p data-testid="no-clv">{ "No lifetime values yet, so customer equity cannot be computed. Fit the default lifetime-value model (BG/NBD with Gamma-Gamma spend) to get each customer's CLV." }</p>
                    <button onclick={run_clv} disabled={*clv_running} data-testid="run-clv">{ if *clv_running { "Fitting…" } else { "Fit lifetime values" } }</button>
                    { match &*clv_state {
                        Some(Err(e)) => html! { <p class="warnbox" data-testid="clv-error">{ format!("The lifetime-value fit is not available: {e}") }</p> },
                        _ => html! {},
                    } }
                </> },
            } }
        </Section>
    };

    // --- Firm value and ROC ---
    let mean_clv = fitted.as_ref().map_or(50.0, |r| r.totals.average_clv());
    let clv_new_v = if clv_new.is_finite() {
        *clv_new
    } else {
        (mean_clv * 100.0).round() / 100.0
    };
    // Absent equity stays absent: it is never put in as 0 (firm value and ROC wait for it).
    let equity_absent = if *clv_running {
        "Customer equity is still being computed (the lifetime values are being fitted)"
    } else {
        "Customer equity is not ready yet: it needs the lifetime values (see the Customer equity card)"
    };
    let eq_start = equity.unwrap_or(f64::NAN);
    let fv_inputs = FirmValueInputs {
        current_equity: eq_start,
        new_per_period: *new_per_period,
        clv_new: clv_new_v,
        acquisition_cost: *acq_cost,
        discount: *discount,
        periods: f64::max(*periods, 0.0).round() as u32,
    };
    let fv = value::firm_value(&fv_inputs);
    let nf = crate::ui::format::current();
    let cash_v = if cash_flow.is_finite() || equity.is_none() {
        *cash_flow
    } else {
        (eq_start * 0.2).round()
    };
    let end_v = if equity_end.is_finite() || equity.is_none() {
        *equity_end
    } else {
        (eq_start * 0.95).round()
    };
    let firm_figure = match (equity, fv) {
        (_, Err(e)) => html! { <p class="errbox">{ e.to_string() }</p> },
        (Some(_), Ok(f)) => {
            html! { <p data-testid="firm-value">{ format!("Current customers {} + future customers {} = firm value {}", fmt_tick(f.current), fmt_tick(f.future), fmt_tick(f.total)) }
            if let Some(e) = crate::analysis::explain::value::firm_value(&fv_inputs, &nf) { <crate::ui::components::explain::Explain filled={e} label="firm value" testid="explain-firm" /> }</p> }
        }
        (None, Ok(f)) => {
            html! { <p data-testid="firm-value-pending" class="note">{ format!("{equity_absent}; firm value will follow. Future customers {} so far.", fmt_tick(f.future)) }
            if let Some(e) = crate::analysis::explain::value::firm_value_without_equity(&fv_inputs, &nf) { <crate::ui::components::explain::Explain filled={e} label="future customers' value" testid="explain-firm-future" /> }</p> }
        }
    };
    let roc_figure = match (equity, value::return_on_customer(cash_v, eq_start, end_v)) {
        (None, _) => {
            html! { <p class="note" data-testid="roc-pending">{ format!("{equity_absent}; return on customer will follow.") }</p> }
        }
        (Some(_), Ok(v)) => {
            html! { <p data-testid="roc">{ format!("Return on customer: {}%", nf.fixed(100.0 * v, 1)) }
            if let Some(f) = crate::analysis::explain::value::return_on_customer(cash_v, eq_start, end_v, &nf) { <crate::ui::components::explain::Explain filled={f} label="return on customer" testid="explain-roc" /> }</p> }
        }
        (Some(_), Err(_)) => {
            html! { <p class="note">{ "Return on customer needs a positive starting customer equity." }</p> }
        }
    };
    let firm_card = html! {
        <Section id="firm" title="Firm value" testid="firm-card">
            <p class="note">{ "Current customer equity plus the customers still to be acquired: new customers × (CLV of a new customer − acquisition cost), discounted per period." }</p>
            <div class="row">
                { num("New customers per period", *new_per_period, "1", "fv-new", setter(&new_per_period)) }
                { num("CLV of a new customer", clv_new_v, "any", "fv-clv", setter(&clv_new)) }
                { num("Acquisition cost", *acq_cost, "any", "fv-cost", setter(&acq_cost)) }
                { num("Discount rate", *discount, "0.01", "fv-discount", setter(&discount)) }
                { num("Periods", *periods, "1", "fv-periods", setter(&periods)) }
            </div>
            { firm_figure }
            <h2>{ "Return on customer" }</h2>
            <p class="note">{ "(cash flow from customers in the period + change in customer equity) / customer equity at the start. Good sales can hide a falling equity." }</p>
            if let Some(e) = equity { <div class="row">
                { num("Cash flow in the period", cash_v, "any", "roc-cash", setter(&cash_flow)) }
                <span data-testid="roc-start">{ format!("Equity at start: {}", fmt_tick(e)) }</span>
                { num("Equity at the end", end_v, "any", "roc-end", setter(&equity_end)) }
            </div> }
            { roc_figure }
        </Section>
    };

    // --- Retention what-if ---
    let base = value::simple_clv(*margin, *retention, *wi_discount);
    let up = value::simple_clv(*margin, (*retention + 0.05).min(0.99), *wi_discount);
    let curve = value::retention_curve(*margin, *wi_discount, n_customers as f64, 0.5, 0.95, 46);
    let whatif = html! {
        <Section id="whatif" title="Retention what-if" testid="whatif-card">
            <p class="note">{ "Simple CLV = m · r / (1 + d − r), margin m per period, retention r, discount d (payments at period ends). Reichheld & Sasser: a few points of retention raise value a lot." }</p>
            <div class="row">
                { slider("Margin per period", *margin, 10.0, 500.0, 10.0, "wi-margin", setter(&margin)) }
                { slider("Retention", *retention, 0.5, 0.95, 0.01, "wi-retention", setter(&retention)) }
                { slider("Discount", *wi_discount, 0.0, 0.3, 0.01, "wi-discount", setter(&wi_discount)) }
            </div>
            { match (base, up) {
                (Ok(b), Ok(u)) => html! { <p data-testid="whatif-result">{ format!("CLV {} at {}% retention; {} at {}% (+{}% value for +5 points of retention).", nf.fixed(b, 0), nf.fixed(100.0 * *retention, 0), nf.fixed(u, 0), nf.fixed(100.0 * (*retention + 0.05).min(0.99), 0), if b > 0.0 { nf.fixed(100.0 * (u / b - 1.0), 0) } else { "–".to_string() }) }
                    if let Some(f) = crate::analysis::explain::value::simple_clv(*margin, *retention, *wi_discount, &crate::ui::format::current()) { <crate::ui::components::explain::Explain filled={f} label="the simple CLV" testid="explain-whatif" /> }</p> },
                (Err(e), _) | (_, Err(e)) => html! { <p class="errbox">{ e.to_string() }</p> },
            } }
            { match curve {
                Ok(pts) => html! { <ChartCard testid="retention-chart" chart={Rc::new(Chart {
                    title: "CLV per customer vs retention".into(),
                    x_label: "retention rate per period".into(),
                    y_label: "CLV".into(),
                    kind: Kind::Lines(vec![Series { name: "CLV".into(), points: pts.iter().map(|p| (p.retention, p.clv)).collect(), dashed: false }]),
                })} /> },
                Err(e) => html! { <p class="errbox">{ e.to_string() }</p> },
            } }
        </Section>
    };

    let seg_view = status::view(&load_view, None, |r| {
        let has_clv = r.figures.iter().any(|f| f.mean_clv.is_some());
        // Suggestions.
        let headers = [
            "Segment",
            "Customers",
            "% customers",
            "% revenue",
            "Value index",
            "Mean recency (days)",
            "Mean P(alive)",
            "Mean CLV",
            "Level",
            "Strategy",
            "Levers",
            "Why",
        ];
        let rows: Vec<Vec<Cell>> = r
            .suggestions
            .iter()
            .map(|s| {
                let f = r.figures.iter().find(|f| f.segment == s.segment);
                vec![
                    Cell::Text(s.segment.clone()),
                    Cell::Num(f.map_or(f64::NAN, |f| f.customers as f64), 0),
                    Cell::Num(100.0 * s.customer_share, 1),
                    Cell::Num(100.0 * s.revenue_share, 1),
                    Cell::Num(s.value_index, 2),
                    Cell::Num(f.map_or(f64::NAN, |f| f.mean_recency_days), 0),
                    Cell::Num(f.and_then(|f| f.mean_p_alive).unwrap_or(f64::NAN), 2),
                    Cell::Num(f.and_then(|f| f.mean_clv).unwrap_or(f64::NAN), 1),
                    Cell::Text(s.level.name().into()),
                    Cell::Text(strategy_name(s.strategy).into()),
                    Cell::Text(
                        s.levers
                            .iter()
                            .map(|l| lever_name(*l))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::Text(s.reasons.join(" ")),
                ]
            })
            .collect();
        // The mean P(alive) shown comes from the default fit (BG/NBD), which gives every
        // one-time buyer P(alive) = 1.
        let one_time: Vec<String> = r
            .figures
            .iter()
            .filter(|f| f.mean_p_alive.is_some() && f.mostly_one_time_buyers())
            .map(|f| f.segment.clone())
            .collect();
        let suggestions = html! {
            <Section id="relationships" title="Relationship level and strategy per segment">
                <p class="note">{ format!("RFM segments (quintiles, R × F map) of {} customers. Value index = share of revenue / share of customers (1 = average).{}", crate::ui::format::count(r.len()), if has_clv { " P(alive) and CLV from the default lifetime-value fit." } else { " Without lifetime values, lapsed means a mean recency over 1.5 × the overall mean." }) }</p>
                <DataTable headers={Rc::new(headers.iter().map(|s| s.to_string()).collect::<Vec<_>>())} rows={Rc::new(rows)} export_name="strategy.csv" testid="strategy-table" page_size={20} />
                if !one_time.is_empty() {
                    <p class="note" data-testid="bgnbd-one-time-note">{ format!("BG/NBD counts every one-time buyer as alive; fit MBG/NBD or Pareto/NBD for P(alive) of one-time buyers. Mostly one-time buyers: {}.", one_time.join(", ")) }</p>
                }
            </Section>
        };
        // Budget.
        let econ = value::segment_economics(&r.figures, *budget, *lift, &saturation);
        let alloc = value::allocate_budget(&econ, *budget);
        let budget_view = match alloc {
            Ok(a) => {
                let total: f64 = a.iter().map(|x| x.spend).sum();
                let gain: f64 = a.iter().map(|x| x.expected_gain).sum();
                let chart = Rc::new(Chart {
                    title: "Budget per segment".into(),
                    x_label: "segment".into(),
                    y_label: "spend".into(),
                    kind: Kind::Bars {
                        categories: a.iter().map(|x| x.name.clone()).collect(),
                        series: vec![
                            ("spend".into(), a.iter().map(|x| x.spend).collect()),
                            (
                                "expected gain".into(),
                                a.iter().map(|x| x.expected_gain).collect(),
                            ),
                        ],
                    },
                });
                html! { <>
                    <div class="scroll">
                    <table class="data" data-testid="budget-table">
                        <thead><tr><th>{ "Segment" }</th><th class="num">{ "Customers" }</th><th class="num">{ "Value at stake" }</th><th class="num">{ "Saturation spend" }</th><th class="num">{ "Spend" }</th><th class="num">{ "Expected gain" }</th><th class="num">{ "Gain per unit at the margin" }</th></tr></thead>
                        <tbody>
                        { for a.iter().zip(&econ).map(|(x, e)| {
                            let sat = saturation.clone();
                            let name = e.name.clone();
                            let on = Callback::from(move |t: String| {
                                if let Ok(v) = t.trim().parse::<f64>() {
                                    if v > 0.0 {
                                        let mut m = (*sat).clone();
                                        m.insert(name.clone(), v);
                                        sat.set(m);
                                    }
                                }
                            });
                            html! { <tr>
                                <td>{ &x.name }</td>
                                <td class="num">{ e.customers }</td>
                                <td class="num">{ crate::ui::format::fixed(e.value_at_stake, 0) }</td>
                                <td class="num"><Input kind="number" value={format!("{:.0}", e.saturation_spend)} {on} style="width:6rem" aria_label={format!("Saturation spend of {}", x.name)} /></td>
                                <td class="num" data-testid="budget-spend">{ crate::ui::format::fixed(x.spend, 2) }</td>
                                <td class="num">{ crate::ui::format::fixed(x.expected_gain, 0) }</td>
                                <td class="num">{ crate::ui::format::fixed(x.marginal_return, 2) }</td>
                            </tr> }
                        }) }
                        <tr><th>{ "Total" }</th><td></td><td></td><td></td><td class="num" data-testid="budget-total">{ crate::ui::format::fixed(total, 2) }</td><td class="num">{ crate::ui::format::fixed(gain, 0) }</td><td></td></tr>
                        </tbody>
                    </table>
                    </div>
                    { crate::ui::components::explain_figures::budget(&a, &econ) }
                    <ChartCard chart={chart} testid="budget-chart" />
                </> }
            }
            Err(e) => html! { <p class="errbox">{ e.to_string() }</p> },
        };
        html! { <>
            { suggestions }
            <Section id="budget" title="Budget across segments" testid="budget-card">
                <p class="note">{ format!("Value at stake = customers × mean {} × achievable lift. Each segment's gain = value at stake × (1 − e^(−spend / saturation spend)): diminishing returns, so the split equalises the gain of the last unit spent.", if has_clv { "CLV" } else { "historical revenue (no CLV yet)" }) }</p>
                <div class="row">
                    { num("Budget", *budget, "100", "budget", setter(&budget)) }
                    { num("Achievable lift (%)", *lift, "1", "lift", setter(&lift)) }
                </div>
                { budget_view }
            </Section>
        </> }
    });

    html! {
        <section>
            <h1>{ "Value & strategy" }</h1>
            <p class="lead">{ format!("{} customers in {}", crate::ui::format::count(n_customers), src.meta.name) }</p>
            { seg_view }
            <div class="grid">
                <div style="min-width:0">{ equity_card }</div>
                <div style="min-width:0">{ firm_card }</div>
            </div>
            <super::cohorts::CohortsSection fit={super::cohorts::DefaultFit(fitted.clone())} />
            { whatif }
        </section>
    }
}
