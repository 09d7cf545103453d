//! The Lifetime value page: choose a buy-till-you-die model and the CLV settings, fit in the
//! worker, see the parameters and convergence, spend, validation against a holdout period,
//! heat maps, the CLV distribution, every customer with their CLV worked out, and the
//! subscription (sBG) section.

mod address;
mod ahead;
mod charts;
mod compare;
mod detail;
mod discrete;
mod ranges;
mod rows;
mod subscription;
mod validation;

use crate::domain::clv::{ClvSettings, ModelKind};
use crate::domain::customers::TimeUnit;
use crate::ui::charts::Chart;
use crate::ui::components::status::StatusView;
use crate::ui::components::Section;
use crate::ui::components::{ChartCard, DataTable, JobStatus, LazyRows, NumberField};
use crate::ui::format;
use crate::ui::state::{AppContext, Source};
use crate::worker::clv::{self as wclv, ClvRequest, ClvResult};
use crate::worker::error::WorkerError;
use chrono::NaiveDate;
use std::rc::Rc;
use yew::prelude::*;

/// What the user chose (the fit re-runs when it changes).
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    model: ModelKind,
    gamma_gamma: bool,
    months: u32,
    discount: f64,
    margin: f64,
    calibration_end: Option<NaiveDate>,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            model: ModelKind::BgNbd,
            gamma_gamma: true,
            months: wclv::DEFAULT_MONTHS,
            discount: wclv::DEFAULT_MONTHLY_DISCOUNT,
            margin: wclv::DEFAULT_MARGIN_RATE,
            calibration_end: None,
        }
    }
}

impl Choice {
    fn settings(&self, unit: TimeUnit) -> ClvSettings {
        ClvSettings::monthly(unit, self.months, self.discount, self.margin)
    }
    /// The fit's cache key (the calibration end is the check's, see [`validation`]). The
    /// default settings are the default fit the Overview, Segments, Strategy and Satisfaction
    /// pages read: one result under one key, fitted once whichever page asks first.
    fn key(&self) -> String {
        if self.for_fit() == Choice::default() {
            return wclv::DEFAULT_KEY.to_string();
        }
        format!(
            "clv/page/{}/{}/{}/{}/{}",
            self.model.code(),
            self.gamma_gamma,
            self.months,
            self.discount,
            self.margin,
        )
    }

    /// What the fit depends on: everything but the calibration end.
    fn for_fit(&self) -> Choice {
        Choice {
            calibration_end: None,
            ..self.clone()
        }
    }

    /// What the calibration/holdout check depends on.
    fn for_check(&self) -> validation::ValAsk {
        validation::ValAsk {
            model: self.model,
            calibration_end: self.calibration_end,
        }
    }
}

/// A callback for one lifetime-value setting typed in a field: `apply` reads the text into a
/// copy of the choice (false when it is not a number of the right kind); the domain's
/// `ClvSettings::check` then judges the range. The choice changes only when both agree; the
/// field's error (slot `slot`) says `what` is expected, with the domain's reason.
fn setting_cb(
    choice: &UseStateHandle<Choice>,
    errors: &UseStateHandle<[Option<String>; 3]>,
    slot: usize,
    what: &'static str,
    apply: fn(&mut Choice, &str) -> bool,
) -> Callback<String> {
    let choice = choice.clone();
    let errors = errors.clone();
    Callback::from(move |v: String| {
        let mut c = (*choice).clone();
        // The range rules do not depend on the model's time unit; any unit checks them.
        let error = if apply(&mut c, &v) {
            c.settings(TimeUnit::Week)
                .check()
                .err()
                .map(|e| format!("{what}: {e}"))
        } else {
            Some(what.to_string())
        };
        let mut e = (*errors).clone();
        if let Some(field) = e.get_mut(slot) {
            field.clone_from(&error);
        }
        errors.set(e);
        if error.is_none() {
            choice.set(c);
        }
    })
}

#[derive(Debug, Clone, PartialEq)]
enum FitState {
    Idle,
    Running,
    Done(Rc<ClvResult>),
    Failed(String),
}

fn se(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |s| format!("± {s:.3}"))
}

struct Charts {
    repeat: Rc<Chart>,
    alive: Rc<Chart>,
    expected: Rc<Chart>,
    hist: Rc<Chart>,
}

fn build_charts(r: &ClvResult) -> Charts {
    let unit = r
        .settings
        .as_ref()
        .map_or("week", |s| s.model_time_unit.name());
    Charts {
        repeat: Rc::new(charts::repeat(r)),
        alive: Rc::new(charts::heatmap(&r.grid, true, unit)),
        expected: Rc::new(charts::heatmap(&r.grid, false, unit)),
        hist: Rc::new(charts::histogram(r)),
    }
}

/// The Lifetime value page.
#[component]
pub fn LtvPage() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let Some(src) = ctx.state.workspace.transactions.clone() else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("a transaction log")
        } else {
            super::booting()
        };
    };
    if src.data.summary.is_none() {
        return super::needs_data("a transaction log or a customer summary");
    }
    html! { <LtvBody src={SourceProp(src)} /> }
}

/// The source as a property (`Source` compares its data by identity).
#[derive(Clone, PartialEq)]
struct SourceProp(Source);

#[derive(Properties, PartialEq)]
struct BodyProps {
    src: SourceProp,
}

#[component]
fn LtvBody(p: &BodyProps) -> Html {
    let ctx = use_context::<AppContext>();
    let query = address::use_query();
    let push = address::use_push();
    let choice = use_state(|| Choice {
        model: query.model_or_default(),
        ..Choice::default()
    });
    let fit = use_state(|| FitState::Idle);
    let generation = use_mut_ref(|| 0u32);
    let selected = use_state(|| None::<usize>);
    let src = p.src.0.clone();
    let data_id = src.import_id();
    {
        let (ctx, fit, generation, src, selected) = (
            ctx.clone(),
            fit.clone(),
            generation.clone(),
            src.clone(),
            selected.clone(),
        );
        use_effect_with((choice.for_fit(), data_id), move |(choice, _)| {
            if let Some(ctx) = ctx {
                start_fit(&ctx, &src, choice, &fit, &generation, false);
                selected.set(None);
            }
        });
    }
    // The address is the source of truth for the model and the selected customer (fresh
    // load, back and forward); declared after the fit's effect, which clears the selection.
    let customer_at = src.data.summary.as_ref().map(|s| {
        query
            .customer
            .as_ref()
            .and_then(|id| s.customers.iter().position(|c| c.id == *id))
    });
    {
        let (choice, selected) = (choice.clone(), selected.clone());
        let model = query.model_or_default();
        use_effect_with((model, customer_at, data_id), move |(model, at, _)| {
            if choice.model != *model {
                choice.set(Choice {
                    model: *model,
                    ..(*choice).clone()
                });
            }
            if *selected != at.flatten() {
                selected.set(at.flatten());
            }
        });
    }
    let unit = src
        .data
        .summary
        .as_ref()
        .map_or(TimeUnit::Week, |s| s.time_unit);
    let check = validation::use_check(ctx.clone(), src.clone(), choice.for_check());
    let check_charts = use_memo(((*check.state).clone(), unit), |(s, u)| {
        validation::build_charts(s, u.name())
    });
    let result = match &*fit {
        FitState::Done(r) => Some(r.clone()),
        _ => None,
    };
    let rid = result.as_ref().map(|r| Rc::as_ptr(r) as usize);
    let ranges = ranges::use_ranges(ctx.clone(), src.clone(), result.clone());
    let done_ranges = ranges.done();
    let vid = done_ranges.as_ref().map(|v| Rc::as_ptr(v) as usize);
    let charts = use_memo(rid, {
        let result = result.clone();
        move |_| result.as_ref().map(|r| build_charts(r))
    });
    let table = use_memo((rid, data_id, vid), {
        let (src, result, v) = (src.clone(), result.clone(), done_ranges.clone());
        move |_| {
            let r = result.as_ref()?;
            let rows: Rc<dyn crate::ui::components::RowSource> = Rc::new(rows::ClvRows {
                data: src.data.clone(),
                result: r.clone(),
                ranges: v.clone(),
            });
            Some(LazyRows(rows))
        }
    });
    let headers = use_memo((unit, vid), {
        let v = done_ranges.clone();
        move |(u, _)| {
            let u = u.name();
            let mut h = vec![
                "Customer".to_string(),
                "Repeat purchases x".into(),
                format!("Recency tₓ ({u}s)"),
                format!("Age T ({u}s)"),
                "Mean spend m".into(),
                "P(alive)".into(),
                "Expected purchases".into(),
                "Expected spend".into(),
                "CLV".into(),
            ];
            if let Some(v) = &v {
                h.extend(ranges::headers(v));
            }
            Rc::new(h)
        }
    });
    // The selected customer's purchases, asked of the worker (the page never holds the log).
    let purchases = use_state(|| detail::History::Loading);
    {
        let (ctx, src, purchases) = (ctx.clone(), src.clone(), purchases.clone());
        use_effect_with((*selected, data_id), move |(sel, _)| {
            let id = sel
                .and_then(|i| src.data.summary.as_ref()?.customers.get(i))
                .map(|c| c.id.clone());
            match (id, ctx) {
                (Some(_), _) if src.data.purchases == 0 => purchases.set(detail::History::NoLog),
                (Some(id), Some(ctx)) => {
                    purchases.set(detail::History::Loading);
                    let p = purchases.clone();
                    ctx.ctl.history(&src, &id, move |r| {
                        p.set(match r {
                            Ok(v) => detail::History::Ready(Rc::new(v)),
                            Err(WorkerError::Resending { .. }) => detail::History::Loading,
                            Err(e) => detail::History::Failed(e.to_string()),
                        })
                    });
                }
                _ => {}
            }
        });
    }

    let errors = use_state(|| [None::<String>, None, None]);
    let Some(ctx) = ctx else {
        return html! {};
    };

    // ---- Controls ----
    let on_model = {
        let push = push.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Some(k) = ModelKind::parse(&s.value()) {
                    push.emit(address::LtvQuery {
                        model: Some(k.code().into()),
                        customer: None,
                    });
                }
            }
        })
    };
    let on_gg = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                choice.set(Choice {
                    gamma_gamma: t.checked(),
                    ..(*choice).clone()
                });
            }
        })
    };
    let months_cb = setting_cb(&choice, &errors, 0, "a whole number of months", |c, v| {
        format::parse_whole(v).map(|m| c.months = m).is_some()
    });
    let discount_cb = setting_cb(
        &choice,
        &errors,
        1,
        "a monthly rate (0.01 means 1% a month)",
        |c, v| format::parse_number(v).map(|d| c.discount = d).is_some(),
    );
    let margin_cb = setting_cb(
        &choice,
        &errors,
        2,
        "a share of revenue (0.3 means 30%)",
        |c, v| format::parse_number(v).map(|m| c.margin = m).is_some(),
    );
    let on_cal = {
        let choice = choice.clone();
        Callback::from(move |v: String| {
            let d = v.trim().parse::<NaiveDate>().ok();
            if d.is_some() || v.trim().is_empty() {
                choice.set(Choice {
                    calibration_end: d,
                    ..(*choice).clone()
                });
            }
        })
    };
    let on_refit = {
        let (ctx, src, choice, fit, generation, check) = (
            ctx.clone(),
            src.clone(),
            choice.clone(),
            fit.clone(),
            generation.clone(),
            check.clone(),
        );
        Callback::from(move |_| {
            start_fit(&ctx, &src, &choice, &fit, &generation, true);
            check.start(&ctx, &src, &choice.for_check(), true);
        })
    };
    let on_check_again = {
        let (ctx, src, choice, check) = (ctx.clone(), src.clone(), choice.clone(), check.clone());
        Callback::from(move |_: MouseEvent| check.start(&ctx, &src, &choice.for_check(), true))
    };
    let on_cancel = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.ctl.worker.cancel())
    };
    let on_select = {
        let (push, src, model) = (push.clone(), src.clone(), choice.model.code());
        Callback::from(move |i: usize| {
            let id = src.data.summary.as_ref().and_then(|s| s.customers.get(i));
            push.emit(address::LtvQuery {
                model: Some(model.into()),
                customer: id.map(|c| c.id.to_string()),
            })
        })
    };
    let on_close = {
        let (push, model) = (push.clone(), choice.model.code());
        Callback::from(move |_| {
            push.emit(address::LtvQuery {
                model: Some(model.into()),
                customer: None,
            })
        })
    };
    let c = (*choice).clone();
    let unit_name = unit.name();
    let units_per_month = c.settings(unit).units_per_period;

    let controls = html! {
        <Section id="settings" title="Model and settings" testid="ltv-settings">
            <div class="row">
                <label>{ "Purchase model" }
                    <select onchange={on_model} data-testid="model-select">
                        { for ModelKind::ALL.iter().map(|k| html! {
                            <option value={k.code()} selected={*k == c.model}>{ k.name() }</option>
                        }) }
                    </select>
                </label>
                { NumberField::new("Horizon (months)", "horizon-months", c.months.to_string()).error(errors[0].clone()).view(months_cb) }
                { NumberField::new("Discount rate per month", "discount-rate", c.discount.to_string()).step("0.001").error(errors[1].clone()).view(discount_cb) }
                { NumberField::new("Margin rate (share of revenue kept)", "margin-rate", c.margin.to_string()).step("0.01").error(errors[2].clone()).view(margin_cb) }
                <label>{ "Spend model" }
                    <span><input type="checkbox" checked={c.gamma_gamma} onchange={on_gg} data-testid="gamma-gamma" />{ " Gamma-Gamma" }</span>
                </label>
                <button onclick={on_refit} data-testid="fit">{ "Fit again" }</button>
            </div>
            <p class="note" data-testid="model-description">{ format!("{}: {}", c.model.name(), c.model.description()) }</p>
            <p class="note" data-testid="settings-explained">{ format!(
                "Model time unit: {unit_name} (t and T are in {unit_name}s). CLV adds up {m} months; one month = {u} {unit_name}s; each month's value is divided by (1 + {d})^month (about {y:.1}% a year); margin = {mg:.0}% of revenue{hint}.",
                m = c.months, u = units_per_month, d = c.discount, y = ((1.0 + c.discount).powi(12) - 1.0) * 100.0, mg = c.margin * 100.0,
                hint = if c.margin >= 1.0 { " (CLV in revenue: set your gross margin to see profit)" } else { "" }) }</p>
        </Section>
    };

    let status = match &*fit {
        FitState::Idle | FitState::Running => {
            html! { <JobStatus start="Starting the fit…" on_cancel={Some(on_cancel.clone())} /> }
        }
        FitState::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
        FitState::Done(_) => html! {},
    };

    let body = match (&result, &*charts) {
        (Some(r), Some(ch)) => {
            let sel = (*selected).and_then(|i| {
                src.data
                    .summary
                    .as_ref()
                    .and_then(|s| s.customers.get(i))
                    .map(|c| (i, c.clone()))
            });
            let check_card = validation::card(
                &check.state,
                check_charts.as_ref().as_ref(),
                validation::CardParts {
                    unit: unit_name,
                    chosen_end: c.calibration_end,
                    on_cal,
                    on_cancel: on_cancel.clone(),
                    on_again: on_check_again,
                    repeat: ch.repeat.clone(),
                },
            );
            results(
                r,
                ch,
                unit_name,
                &c,
                check_card,
                ranges::controls(&ctx, &src, r, &ranges),
                html! {
                    <Section id="every-customer" title="Every customer">
                        <p class="note">{ "Click a customer (or press Enter on a row) to see their purchases and their CLV worked out." }</p>
                        <DataTable headers={(*headers).clone()} lazy={(*table).clone()} export_name="lifetime_value.csv"
                                   testid="clv-table" on_select={Some(on_select)} selected={*selected} />
                        if let Some((i, cust)) = sel {
                            { detail::view(r, i, &cust, &purchases, on_close, ranges::detail(done_ranges.as_deref(), r, i, &cust)) }
                        }
                    </Section>
                },
            )
        }
        _ => html! {},
    };

    html! {
        <section class="ltv-page">
            // Page-local layout: charts shrink to their card; grid cells may be narrower than an SVG.
            <style>{ ".ltv-page svg{max-width:100%;height:auto}.ltv-page .grid>*{min-width:0}.ltv-page .scroll{max-width:100%;overflow-x:auto}" }</style>
            <h1>{ "Lifetime value" }</h1>
            <p class="lead">{ format!("{} customers in {}. What is each customer likely to be worth over the coming months, and how sure can we be?",
                crate::ui::format::count(src.data.summary.as_ref().map_or(0, |s| s.customers.len())), src.meta.name) }</p>
            { address::notes(&query, customer_at.map(|a| a.is_some())) }
            { controls }
            { status }
            { body }
            if let Some(m) = result.as_ref().and_then(|r| r.model.clone()) { <ahead::LookAhead source={src.clone()} model={Rc::new(m)} /> }
            <compare::ModelCompare source={src.clone()} />
            <discrete::DiscreteSection source={src.clone()} />
            <subscription::Subscription />
        </section>
    }
}

fn start_fit(
    ctx: &AppContext,
    src: &Source,
    choice: &Choice,
    fit: &UseStateHandle<FitState>,
    generation: &Rc<std::cell::RefCell<u32>>,
    fresh: bool,
) {
    let Some(summary) = src.data.summary.as_ref() else {
        return;
    };
    let settings = choice.settings(summary.time_unit);
    let req = ClvRequest {
        model: choice.model,
        gamma_gamma: choice.gamma_gamma,
        settings,
        transactions: Default::default(),
        summary_options: ctx.state.summary_options.clone(),
        // The calibration/holdout check is asked of its own (see `validation`).
        calibration_end: None,
        // The worker holds the customers.
        summary: crate::ui::pages::segments::summary_header(summary),
    };
    let gen = {
        let mut g = generation.borrow_mut();
        *g = g.wrapping_add(1);
        *g
    };
    fit.set(FitState::Running);
    let (fit, generation) = (fit.clone(), generation.clone());
    let done = move |r: Result<Rc<ClvResult>, WorkerError>| {
        if *generation.borrow() != gen {
            return;
        }
        fit.set(match r {
            Ok(res) => FitState::Done(res),
            // The dataset is being read again: the fit re-runs when it is active.
            Err(WorkerError::Resending { .. }) => FitState::Running,
            Err(e) => FitState::Failed(e.to_string()),
        });
    };
    ctx.ctl.clv(src, &choice.key(), req, fresh, done);
}

fn results(
    r: &ClvResult,
    ch: &Charts,
    unit: &str,
    c: &Choice,
    validation_card: Html,
    ranges: Html,
    table: Html,
) -> Html {
    if let Some(g) = r.gate.as_ref().filter(|g| !g.enough) {
        return html! {
            <div class="errbox" data-testid="not-enough-data" role="alert">
                <strong>{ "Not enough data to fit a purchase model: " }</strong>
                <ul>{ for g.reasons.iter().map(|x| html! { <li>{ x }</li> }) }</ul>
            </div>
        };
    }
    let Some(m) = &r.model else {
        return html! {};
    };
    let conv = &m.convergence;
    let model_card = html! {
        <Section id="model-fit" title={format!("{} fitted on {} customers", m.kind.name(), crate::ui::format::count(m.n_customers))} testid="model-fit" data_model={m.kind.code()}>
            <p class="note">{ format!("{} distinct (x, tₓ, T) groups; times in {unit}s.", m.n_groups) }</p>
            <table class="data" data-testid="params">
                <thead><tr><th>{ "Parameter" }</th><th class="num">{ "Estimate" }</th><th class="num">{ "Standard error" }</th><th>{ "What it means" }</th></tr></thead>
                <tbody>
                { for m.params.iter().map(|p| html! {
                    <tr><td>{ &p.name }</td><td class="num" data-testid={format!("param-{}", p.name)}>{ crate::ui::format::fixed(p.value, 4) }</td>
                        <td class="num">{ se(p.std_error) }</td><td>{ &p.description }</td></tr>
                }) }
                </tbody>
            </table>
            { crate::ui::components::explain_figures::params(m) }
            <div class="grid">
                <div class="kpi"><span class="label">{ "Log-likelihood" }</span><span class="value" data-testid="log-likelihood">{ crate::ui::format::fixed(m.log_likelihood, 2) }</span></div>
                <div class="kpi"><span class="label">{ "Converged" }</span><span class="value" data-testid="converged">{ if conv.converged { "yes" } else { "no" } }</span>
                    <span class="sub" data-testid="convergence-reason">{ format!("{} iterations, gradient norm {:.2e}: {}", conv.iterations, conv.gradient_norm, conv.reason) }</span></div>
                <div class="kpi"><span class="label">{ "Fitted in" }</span><span class="value" data-testid="fit-seconds">{ format!("{:.2} s", r.fit_seconds) }</span>
                    <span class="sub">{ "in this browser, including the standard errors" }</span></div>
            </div>
            if !conv.converged {
                <p class="warnbox">{ "The search did not converge: treat these numbers with care, or try another model." }</p>
            }
        </Section>
    };
    let spend_card = html! {
        <Section id="spend" title="Spend per purchase (Gamma-Gamma)" testid="spend">
            if let Some(g) = &r.spend {
                <p class="note">{ "Each customer's purchases vary around their own mean spend; mean spends differ across customers. A customer with few purchases is pulled towards the average of everyone." }</p>
                <table class="data" data-testid="gg-params">
                    <thead><tr><th>{ "Parameter" }</th><th class="num">{ "Estimate" }</th><th class="num">{ "Standard error" }</th></tr></thead>
                    <tbody>
                        <tr><td>{ "p" }</td><td class="num" data-testid="gg-p">{ crate::ui::format::fixed(g.params.p, 4) }</td><td class="num">{ se(g.std_errors[0]) }</td></tr>
                        <tr><td>{ "q" }</td><td class="num" data-testid="gg-q">{ crate::ui::format::fixed(g.params.q, 4) }</td><td class="num">{ se(g.std_errors[1]) }</td></tr>
                        <tr><td>{ "γ" }</td><td class="num" data-testid="gg-gamma">{ crate::ui::format::fixed(g.params.gamma, 4) }</td><td class="num">{ se(g.std_errors[2]) }</td></tr>
                    </tbody>
                </table>
                { crate::ui::components::explain_figures::spend_params(g) }
                <div class="grid">
                    <div class="kpi"><span class="label">{ "Average spend per purchase" }</span><span class="value">{ crate::ui::format::money(g.population_mean().value) }</span></div>
                    <div class="kpi"><span class="label">{ "Correlation of frequency and spend" }</span><span class="value" data-testid="gg-correlation">{ crate::ui::format::fixed(g.frequency_spend_correlation, 3) }</span>
                        <span class="sub">{ format!("{} repeat customers; {}", crate::ui::format::count(g.n_customers), if g.convergence.converged { "converged" } else { "did not converge" }) }</span></div>
                </div>
                if let Some(f) = g.fallback() { <p class="note" data-testid="gg-fallback">{ f.message() }</p> }
                if g.correlation_warning {
                    <p class="warnbox" data-testid="gg-warning">{ format!("Frequent buyers spend differently from rare ones (correlation {:.2}). Gamma-Gamma assumes they do not, so expected spend may be biased.", g.frequency_spend_correlation) }</p>
                } else {
                    <p class="okbox">{ "Frequency and spend are nearly independent, as Gamma-Gamma assumes." }</p>
                }
            }
            if !r.spend_note.is_empty() { <p class="note">{ &r.spend_note }</p> }
        </Section>
    };
    let equity_card = html! {
        <Section id="equity" title="Customer equity">
            <div class="grid">
                <div class="kpi"><span class="label">{ format!("Customer equity: sum of CLV over {} months", c.months) }</span><span class="value" data-testid="customer-equity">{ format::compact_money(r.equity) }</span></div>
                <div class="kpi"><span class="label">{ "Average CLV" }</span><span class="value">{ crate::ui::format::money(r.totals.average_clv()) }</span></div>
                <div class="kpi"><span class="label">{ "Expected purchases (all customers)" }</span><span class="value">{ crate::ui::format::fixed(r.totals.expected_purchases, 0) }</span>
                    <span class="sub">{ format!("in the next {:.0} {unit}s", r.settings.as_ref().map_or(0.0, |s| s.purchase_horizon)) }</span></div>
                <div class="kpi"><span class="label">{ "Customers likely still active" }</span><span class="value">{ crate::ui::format::fixed(r.totals.expected_active, 0) }</span><span class="sub">{ "sum of P(alive)" }</span></div>
            </div>
            { crate::ui::components::explain_figures::discounting(r.settings.as_ref()) }
            { ranges }
            <ChartCard chart={ch.hist.clone()} testid="chart-clv-hist" note={AttrValue::from("The highest 0.5% are counted in the last bar.")} />
        </Section>
    };
    let heat_card = html! {
        <Section id="alive" title="Who is still a customer?">
            <p class="note">{ "For a customer as old as the oldest in the data: more purchases and a recent last purchase mean a customer is likely still active and will buy more." }</p>
            <div class="grid wide">
                <ChartCard chart={ch.alive.clone()} testid="chart-palive" />
                <ChartCard chart={ch.expected.clone()} testid="chart-expected" />
            </div>
        </Section>
    };
    html! {
        <>
        { model_card }
        { spend_card }
        { equity_card }
        { validation_card }
        { heat_card }
        { table }
        </>
    }
}
