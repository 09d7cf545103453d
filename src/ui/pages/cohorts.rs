//! New customers and acquisition cohorts on the Value & strategy page: the value of a customer
//! not yet acquired against the acquisition cost, a table and chart per cohort (month or
//! quarter of first purchase) with CLV/CAC and payback, and firm value. The figures come from
//! `analysis::cohort` on the customer summary and the default lifetime-value fit, run in the
//! worker (which holds the customers); this file only displays them.

use crate::analysis::cohort::{self, CohortInputs, CohortPeriod, CohortReport};
use crate::ui::charts::{fmt_tick, Chart, Kind};
use crate::ui::components::form::select;
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable, NumberField};
use crate::ui::state::AppContext;
use crate::worker::clv;
use crate::worker::error::WorkerError;
use std::rc::Rc;
use yew::prelude::*;

fn num(label: &str, value: f64, step: &str, testid: &str, on: Callback<f64>) -> Html {
    NumberField::new(format!("{label} "), testid, value.to_string())
        .step(step)
        .width("7rem")
        .view_number(on)
}

fn set_input(
    inputs: &UseStateHandle<CohortInputs>,
    f: fn(&mut CohortInputs, f64),
) -> Callback<f64> {
    let inputs = inputs.clone();
    Callback::from(move |v| {
        let mut i = (*inputs).clone();
        f(&mut i, v);
        inputs.set(i);
    })
}

/// The default lifetime-value fit, when there is one, compared by address (the same fit is
/// the same result: never a walk over a million customers' figures).
#[derive(Clone)]
pub struct DefaultFit(pub Option<Rc<clv::ClvResult>>);

impl PartialEq for DefaultFit {
    fn eq(&self, o: &Self) -> bool {
        match (&self.0, &o.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

/// Props of [`CohortsSection`].
#[derive(Properties, PartialEq)]
pub struct CohortsProps {
    /// The default fit: the page reads it, and is drawn again when its button has run it.
    pub fit: DefaultFit,
}

/// The cohorts card: needs the default lifetime-value fit (the page's button runs it).
#[component]
pub fn CohortsSection(p: &CohortsProps) -> Html {
    let ctx = use_context::<AppContext>();
    let inputs = use_state(CohortInputs::default);
    let src = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let fit = p.fit.0.clone();
    let fit_id = fit.as_ref().map_or(0, |f| Rc::as_ptr(f) as usize);
    // The analysis runs in the worker (it holds the customers); a newer request makes the
    // answer of an older one stale.
    let report = use_state(|| None::<Result<Rc<CohortReport>, String>>);
    let generation = use_mut_ref(|| 0u32);
    {
        let (ctx, src, fit, report, generation) = (
            ctx.clone(),
            src.clone(),
            fit.clone(),
            report.clone(),
            generation.clone(),
        );
        use_effect_with(
            (
                (*inputs).clone(),
                fit_id,
                src.as_ref().map(|s| s.meta.id.clone()),
            ),
            move |(inputs, _, _)| {
                let gen = {
                    let mut g = generation.borrow_mut();
                    *g = g.wrapping_add(1);
                    *g
                };
                report.set(None);
                if let (Some(ctx), Some(src), Some(fit)) = (ctx, src, fit) {
                    match cohort::CohortRequest::from_fit(&fit, inputs) {
                        Err(e) => report.set(Some(Err(e))),
                        Ok(req) => {
                            let (report, generation) = (report.clone(), generation.clone());
                            ctx.ctl.cohorts(&src, req, move |r| {
                                if *generation.borrow() == gen {
                                    report.set(match r {
                                        Ok(r) => Some(Ok(Rc::new(r))),
                                        Err(WorkerError::Cancelled) => None,
                                        Err(e) => Some(Err(e.to_string())),
                                    });
                                }
                            });
                        }
                    }
                }
            },
        );
    }
    let controls = html! {
        <div class="row">
            { select("Cohorts by ", "cohort-period", &[("month".into(), "month of first purchase".into()), ("quarter".into(), "quarter of first purchase".into())],
                if inputs.period == CohortPeriod::Quarter { "quarter" } else { "month" },
                { let inputs = inputs.clone(); Callback::from(move |v: String| {
                    let mut i = (*inputs).clone();
                    i.period = if v == "quarter" { CohortPeriod::Quarter } else { CohortPeriod::Month };
                    inputs.set(i);
                }) }) }
            { num("Acquisition cost per customer", inputs.acquisition_cost, "any", "cohort-cac", set_input(&inputs, |i, v| i.acquisition_cost = v)) }
            { num("Margin rate", inputs.margin_rate, "0.05", "cohort-margin", set_input(&inputs, |i, v| i.margin_rate = v)) }
            { num("New customers per month", inputs.new_per_month, "1", "cohort-new", set_input(&inputs, |i, v| i.new_per_month = v)) }
            { num("Months of acquisition", inputs.months as f64, "1", "cohort-months", set_input(&inputs, |i, v| i.months = v.max(0.0).round().min(1200.0) as u32)) }
        </div>
    };
    let body = match (&*report, &fit) {
        (None, Some(_)) => {
            html! { <p class="note" data-testid="cohort-running">{ "Valuing the cohorts…" }</p> }
        }
        (None, None) => {
            html! { <p class="note" data-testid="cohort-no-clv">{ "New-customer value and cohorts need the default lifetime-value fit: use \"Fit lifetime values\" above or the Lifetime value page." }</p> }
        }
        (Some(Err(e)), _) => {
            html! { <p class="errbox" data-testid="cohort-error">{ e.clone() }</p> }
        }
        (Some(Ok(r)), _) => ready(r, inputs.acquisition_cost),
    };
    html! {
        <Section id="cohorts" title="New customers and acquisition cohorts" testid="cohort-card">
            <p class="note">{ "A customer not yet acquired is worth the model's expected repeat purchases of a new customer (the first purchase is not counted) × the expected spend per purchase × the margin rate, discounted month by month over the horizon of the fit. Cohorts group the current customers by the month or quarter of their first purchase: value per customer = realised margin to date + predicted CLV. Payback: months of predicted margin, after what each cohort has realised already, until the acquisition cost is covered." }</p>
            { controls }
            { body }
        </Section>
    }
}

fn ready(r: &CohortReport, cac: f64) -> Html {
    let nc = &r.new_customer;
    let s = &r.settings;
    let payback = nc.payback_months.map_or_else(
        || format!("not within the {}-month horizon", s.periods),
        |m| format!("{m} months"),
    );
    let interval = nc.interval.map_or(String::new(), |i| {
        format!(
            " ({:.0}% range {} to {}, from the parameters' uncertainty)",
            100.0 * i.level,
            fmt_tick(i.lower),
            fmt_tick(i.upper)
        )
    });
    let headers: Vec<String> = [
        "Cohort",
        "Customers",
        "Age (months)",
        "Realised margin per customer",
        "Predicted CLV per customer",
        "Value per customer",
        "CLV / CAC",
        "Payback",
        "Predicted CLV of the cohort",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let rows: Vec<Vec<Cell>> = r
        .cohorts
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.label.clone()),
                Cell::Num(c.customers, 0),
                Cell::Num(c.age_months, 1),
                Cell::Num(c.realised_per_customer, 2),
                Cell::Num(c.predicted_per_customer, 2),
                Cell::Num(c.value_per_customer, 2),
                Cell::Num(c.clv_to_cac.unwrap_or(f64::NAN), 2),
                Cell::Text(c.payback.describe()),
                Cell::Num(c.equity, 0),
            ]
        })
        .collect();
    let chart = Rc::new(Chart {
        title: "Value per customer by acquisition cohort".into(),
        x_label: "cohort (first purchase)".into(),
        y_label: "margin per customer".into(),
        kind: Kind::Bars {
            categories: r.cohorts.iter().map(|c| c.label.clone()).collect(),
            series: vec![
                (
                    "realised to date".into(),
                    r.cohorts.iter().map(|c| c.realised_per_customer).collect(),
                ),
                (
                    "predicted CLV".into(),
                    r.cohorts.iter().map(|c| c.predicted_per_customer).collect(),
                ),
                (
                    "acquisition cost".into(),
                    r.cohorts.iter().map(|_| cac).collect(),
                ),
            ],
        },
    });
    html! { <>
        <p data-testid="new-customer-value">{ format!(
            "A new customer: {:.3} expected repeat purchases in {} months × {:.2} per purchase{} × margin {:.2}, discounted at {:.1}% a month = {}{}. Against an acquisition cost of {}: CLV/CAC {}, payback {}.",
            nc.expected_purchases, s.periods, nc.expected_spend,
            nc.spend_note.as_ref().map_or(String::new(), |n| format!(" ({n})")),
            s.margin_rate, 100.0 * s.discount_rate, fmt_tick(nc.value), interval, fmt_tick(cac),
            nc.clv_to_cac.map_or("–".into(), |v| crate::ui::format::fixed(v, 2)), payback) }</p>
        if let Some(n) = &nc.interval_note {
            <p class="note" data-testid="new-customer-range-note">{ format!("New-customer range: {n}.") }</p>
        }
        <p data-testid="cohort-firm-value">{ format!(
            "Firm value: customer equity {} (margin {:.2}) + future customers {} = {}.",
            fmt_tick(r.firm.current), s.margin_rate, fmt_tick(r.firm.future), fmt_tick(r.firm.total)) }</p>
        if r.without_first_date > 0.0 {
            <p class="note" data-testid="cohort-left-out">{ format!("{:.0} customers are in no cohort: their first purchase date is not known (a summary loaded without dates). They are counted in customer equity.", r.without_first_date) }</p>
        }
        <p class="note">{ if r.realised_from_margin_column { "Realised margin: the log's margin column." } else { "Realised margin: spend to date × the margin rate (the log has no margin column)." } }</p>
        <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="cohorts.csv" testid="cohort-table" page_size={24} />
        { crate::ui::components::explain_figures::cohort(r, cac) }
        <ChartCard chart={chart} testid="cohort-chart" />
    </> }
}
