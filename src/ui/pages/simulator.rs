//! The simulator with known truth on the Learn page: choose a model and its true parameters, a
//! number of customers and a seed; the worker generates the base, reads it like an uploaded
//! file, fits the model at growing sizes ([`crate::analysis::simulator::recovery`]) and the
//! page shows the recovered parameters with their standard errors against the truth, and how
//! the error shrinks with more customers. "Open as a dataset" adds the generated file to the
//! datasets, so every page of the app works on it like on an upload.

use crate::analysis::simulator::{Recovery, SimRequest, MAX_CUSTOMERS};
use crate::io::import::DataKind;
use crate::ui::charts::{Chart, Kind, Series};
use crate::ui::components::form::select;
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable, Input, NumberField};
use crate::ui::state::AppContext;
use std::rc::Rc;
use yew::prelude::*;

/// The models offered, with their default true parameters (published CDNOW estimates; the
/// sBG values of Fader & Hardie's "regular" cohort).
const MODELS: [(&str, &str, &str); 4] = [
    ("bgnbd", "BG/NBD", "r=0.243, alpha=4.414, a=0.793, b=2.426"),
    (
        "mbgnbd",
        "MBG/NBD",
        "r=0.525, alpha=6.183, a=0.891, b=1.614",
    ),
    (
        "pnbd",
        "Pareto/NBD",
        "r=0.553, alpha=10.58, s=0.606, beta=11.67",
    ),
    ("sbg", "sBG (subscriptions)", "alpha=0.704, beta=1.182"),
];

#[derive(Clone, PartialEq)]
enum Run {
    Idle,
    Running,
    Done(Rc<Recovery>),
    Failed(String),
}

/// The simulator card.
#[component]
pub fn SimulatorCard() -> Html {
    let ctx = use_context::<AppContext>();
    let model = use_state(|| String::from("bgnbd"));
    let params = use_state(|| String::from(MODELS[0].2));
    let customers = use_state(|| 5_000.0);
    let seed = use_state(|| 42.0);
    let run = use_state(|| Run::Idle);
    let opened = use_state(|| None::<String>);
    let request = SimRequest::from_inputs(&model, &params, *customers, *seed);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let on_model = {
        let (model, params, run) = (model.clone(), params.clone(), run.clone());
        Callback::from(move |v: String| {
            if let Some(m) = MODELS.iter().find(|m| m.0 == v) {
                params.set(m.2.to_string());
            }
            model.set(v);
            run.set(Run::Idle);
        })
    };
    let on_params = {
        let params = params.clone();
        Callback::from(move |v: String| params.set(v))
    };
    let on_fit = {
        let (ctx, run, request) = (ctx.clone(), run.clone(), request.clone());
        Callback::from(move |_| {
            let Ok(req) = request.clone() else { return };
            run.set(Run::Running);
            let run = run.clone();
            ctx.ctl.worker.recovery(req, move |r| {
                run.set(match r {
                    Ok(r) => Run::Done(Rc::new(r)),
                    Err(crate::worker::error::WorkerError::Cancelled) => Run::Idle,
                    Err(e) => Run::Failed(e.to_string()),
                });
            });
        })
    };
    let on_open = {
        let (ctx, request, opened, run) =
            (ctx.clone(), request.clone(), opened.clone(), run.clone());
        Callback::from(move |_| {
            let Ok(req) = request.clone() else { return };
            let (ctl, opened, run) = (ctx.ctl.clone(), opened.clone(), run.clone());
            ctx.ctl.worker.simulated_file(req, move |r| match r {
                Ok(f) => {
                    let kind = match f.kind {
                        DataKind::Cohort => DataKind::Cohort,
                        _ => DataKind::Transactions,
                    };
                    opened.set(Some(f.file_name.clone()));
                    ctl.add_file(f.file_name, Some(kind), f.bytes);
                }
                Err(e) => run.set(Run::Failed(e.to_string())),
            });
        })
    };
    let cancel = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.ctl.worker.cancel())
    };
    let running = *run == Run::Running;
    let options: Vec<(String, String)> = MODELS
        .iter()
        .map(|m| (m.0.to_string(), m.1.to_string()))
        .collect();
    let error = request.as_ref().err().cloned();
    html! {
        <Section id="simulator" title="Simulator with known truth" testid="simulator">
            <p class="note">{ "Choose a model and its true parameters; the app generates a customer base from them, reads it like an uploaded file and fits the model again at growing numbers of customers. With enough customers the estimates land within a few standard errors of the truth; with few, they wander. Purchase models are in weeks: customers arrive over 12 weeks and are watched for 39. Gamma-Gamma spend (p 6.25, q 3.74, γ 15.44) gives the amounts." }</p>
            <div class="row">
                { select("Model ", "sim-model", &options, &model, on_model) }
                <label>{ "True parameters " }
                    <Input kind="text" value={(*params).clone()} on={on_params} testid="sim-params" style="width:22rem" invalid={Some(if error.is_some() { "true" } else { "false" })} />
                </label>
                { NumberField::new("Customers ", "sim-customers", customers.to_string()).min("1").max(&MAX_CUSTOMERS.to_string()).width("7rem")
                    .view_number({ let c = customers.clone(); Callback::from(move |v| c.set(v)) }) }
                { NumberField::new("Seed ", "sim-seed", seed.to_string()).min("0").width("6rem")
                    .view_number({ let s = seed.clone(); Callback::from(move |v| s.set(v)) }) }
            </div>
            if let Some(e) = &error { <p class="errbox" role="alert" data-testid="sim-error">{ e.clone() }</p> }
            <div class="row">
                <button onclick={on_fit} disabled={running || error.is_some()} data-testid="sim-run">{ run_label(*customers) }</button>
                <button onclick={on_open} disabled={running || error.is_some()} data-testid="sim-open">{ "Open as a dataset" }</button>
                if running { <button onclick={cancel} data-testid="sim-cancel">{ "Cancel" }</button> }
            </div>
            if let Some(name) = &*opened {
                <p class="okbox" data-testid="sim-opened">{ format!("{name} is added to your datasets and opened: every page now works on it (see the Data page).") }</p>
            }
            { match &*run {
                Run::Idle => html! {},
                Run::Running => html! { <p class="note" data-testid="sim-running">{ "Simulating and fitting…" }</p> },
                Run::Failed(e) => html! { <p class="errbox" data-testid="sim-failed">{ e.clone() }</p> },
                Run::Done(r) => result(r),
            } }
        </Section>
    }
}

/// The run button's text, naming how many customers it simulates (so a changed field is seen
/// to have been taken before the run starts).
fn run_label(customers: f64) -> String {
    if customers.is_finite() && customers >= 1.0 {
        format!(
            "Simulate and fit {} customers",
            crate::ui::format::thousands(customers.round(), 0)
        )
    } else {
        "Simulate and fit".into()
    }
}

fn result(r: &Recovery) -> Html {
    let Some(last) = r.steps.last() else {
        return html! {};
    };
    let headers: Vec<String> = [
        "Model",
        "Parameter",
        "Truth",
        "Estimate",
        "Standard error",
        "Estimate − truth in standard errors",
        "Within 3 standard errors",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<Cell>> = last
        .params
        .iter()
        .map(|p| {
            let z = p.z();
            vec![
                Cell::Text(p.model.clone()),
                Cell::Text(p.name.clone()),
                Cell::Num(p.truth, 4),
                Cell::Num(p.estimate, 4),
                Cell::Num(p.std_error.unwrap_or(f64::NAN), 4),
                Cell::Num(z.unwrap_or(f64::NAN), 2),
                Cell::Text(match z {
                    Some(z) if z.abs() < 3.0 => "yes".into(),
                    Some(_) => "no".into(),
                    None => "no standard error".into(),
                }),
            ]
        })
        .collect();
    // Estimate ÷ truth per parameter as the base grows: the lines close in on 1.
    let mut series: Vec<Series> = last
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| Series {
            name: format!("{} {}", p.model, p.name),
            points: r
                .steps
                .iter()
                .filter_map(|s| {
                    let q = s.params.get(i)?;
                    Some((f64::from(s.customers), q.estimate / q.truth))
                })
                .collect(),
            dashed: false,
        })
        .collect();
    let xs = (f64::from(r.steps[0].customers), f64::from(last.customers));
    series.push(Series {
        name: "truth".into(),
        points: vec![(xs.0, 1.0), (xs.1, 1.0)],
        dashed: true,
    });
    let chart = Rc::new(Chart {
        title: "Estimate ÷ truth as the number of customers grows".into(),
        x_label: "customers simulated".into(),
        y_label: "estimate ÷ truth".into(),
        kind: Kind::Lines(series),
    });
    let notes: Vec<String> = r
        .steps
        .iter()
        .flat_map(|s| {
            s.notes
                .iter()
                .map(move |n| format!("{} customers: {n}", crate::ui::format::count(s.customers)))
        })
        .collect();
    html! { <>
        <p data-testid="sim-summary">{ format!(
            "{} customers: {} of {} parameters within 3 standard errors of the truth.",
            crate::ui::format::count(last.customers),
            last.params.iter().filter(|p| p.z().is_some_and(|z| z.abs() < 3.0)).count(),
            last.params.len()
        ) }</p>
        <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="simulator-recovery.csv" testid="sim-table" />
        <ChartCard chart={chart} testid="sim-chart" note="Each line is one parameter's estimate divided by its true value, fitted on the first N customers' worth of a base simulated with the same seed. Standard errors shrink about as 1/√N." />
        { for notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
    </> }
}
