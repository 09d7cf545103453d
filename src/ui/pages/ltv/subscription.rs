//! The subscription section: the shifted-beta-geometric (sBG) model on a cohort's survivor
//! counts, fitted in the worker ([`crate::worker::sbg`]) with its progress shown; the charts are
//! drawn here from the fit.

use crate::domain::clv::sbg::FittedSbg;
use crate::io::import::cohort::Cohort;
use crate::ui::charts::{Chart, Kind, Series};
use crate::ui::components::ChartCard;
use crate::ui::components::JobStatus;
use crate::ui::components::Section;
use crate::ui::state::AppContext;
use std::rc::Rc;
use yew::prelude::*;

fn se(v: Option<f64>) -> String {
    v.map_or_else(
        || "–".into(),
        |s| format!("± {}", crate::ui::format::fixed(s, 3)),
    )
}

/// The retention and survival charts of a fit.
type Charts = (Rc<Chart>, Rc<Chart>);

fn charts(c: &Cohort, f: &FittedSbg) -> Charts {
    let n = c.active.len() as u32;
    let observed_ret: Vec<(f64, f64)> = c
        .active
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] > 0.0)
        .map(|(i, w)| ((i + 1) as f64, w[1] / w[0]))
        .collect();
    let fitted_ret: Vec<(f64, f64)> = (1..n)
        .map(|t| (f64::from(t), f.params.retention(t)))
        .collect();
    let retention = Chart {
        title: "Retention rate by period: observed vs sBG".into(),
        x_label: "Period".into(),
        y_label: "Share of last period's customers still active".into(),
        kind: Kind::Lines(vec![
            Series {
                name: "Observed".into(),
                points: observed_ret,
                dashed: false,
            },
            Series {
                name: "sBG".into(),
                points: fitted_ret,
                dashed: true,
            },
        ]),
    };
    let size = c.active.first().copied().unwrap_or(0.0);
    let horizon = (n.saturating_sub(1)) * 2;
    let survival = Chart {
        title: "Customers still active: observed and projected".into(),
        x_label: "Period".into(),
        y_label: "Customers".into(),
        kind: Kind::Lines(vec![
            Series {
                name: "Observed".into(),
                points: c
                    .active
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i as f64, *v))
                    .collect(),
                dashed: false,
            },
            Series {
                name: "sBG (projected)".into(),
                points: (0..=horizon)
                    .map(|t| (f64::from(t), size * f.params.survival(t)))
                    .collect(),
                dashed: true,
            },
        ]),
    };
    (Rc::new(retention), Rc::new(survival))
}

/// The subscription (contractual) section.
#[component]
pub fn Subscription() -> Html {
    let ctx = use_context::<AppContext>();
    let cohort = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.cohort.clone())
        .and_then(|s| s.data.cohort.clone())
        .and_then(|t| t.cohorts.into_iter().next());
    // The fit of the cohort shown: None while it runs (or before there is a cohort).
    let fit = use_state(|| None::<Result<Rc<(FittedSbg, Charts)>, String>>);
    // The newest request: an answer for an older cohort is dropped.
    let generation = use_mut_ref(|| 0u32);
    // Bumped by the "Try again" button: the fit runs again on the same cohort.
    let attempt = use_state(|| 0u32);
    {
        let (ctx, fit, generation) = (ctx.clone(), fit.clone(), generation.clone());
        use_effect_with((cohort.clone(), *attempt), move |(c, _)| {
            fit.set(None);
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            if let (Some(ctx), Some(c)) = (ctx, c.clone()) {
                let request = crate::worker::sbg::SbgRequest {
                    survivors: c.active.clone(),
                    params: Default::default(),
                };
                ctx.ctl.worker.sbg(request, move |r| {
                    if *generation.borrow() == mine {
                        fit.set(Some(
                            r.map(|f| {
                                let ch = charts(&c, &f);
                                Rc::new((f, ch))
                            })
                            .map_err(|e| e.to_string()),
                        ));
                    }
                });
            }
        });
    }
    let body = match (&cohort, &*fit) {
        (Some(c), Some(Ok(done))) => {
            let (f, (ret, surv)) = &**done;
            let alpha = f.params.alpha;
            let beta = f.params.beta;
            let erl = f.params.expected_remaining_lifetime(1);
            html! {
                <>
                <p class="note">{ format!("Cohort \"{}\": {} customers at the start, followed for {} periods. The sBG model says each customer has their own constant chance of cancelling each period, and those chances differ across customers (a Beta distribution). The customers who stay are the ones less likely to leave, so the retention rate rises over time.", c.name, crate::ui::format::count(f.n_customers), f.periods) }</p>
                <table class="data" data-testid="sbg-params">
                    <thead><tr><th>{ "Parameter" }</th><th class="num">{ "Estimate" }</th><th class="num">{ "Standard error" }</th><th>{ "Meaning" }</th></tr></thead>
                    <tbody>
                        <tr><td>{ "alpha" }</td><td class="num" data-testid="sbg-alpha">{ crate::ui::format::fixed(alpha, 3) }</td><td class="num">{ se(f.std_errors[0]) }</td><td>{ "with beta, the spread of cancel chances; mean chance of cancelling = alpha/(alpha+beta)" }</td></tr>
                        <tr><td>{ "beta" }</td><td class="num" data-testid="sbg-beta">{ crate::ui::format::fixed(beta, 3) }</td><td class="num">{ se(f.std_errors[1]) }</td><td>{ "larger beta: lower chances of cancelling" }</td></tr>
                    </tbody>
                </table>
                <div class="grid">
                    <div class="kpi"><span class="label">{ "Mean chance of cancelling in period 1" }</span><span class="value" data-testid="sbg-churn">{ format!("{}%", crate::ui::format::fixed(100.0 * f.params.prob_churn(1), 1)) }</span></div>
                    <div class="kpi"><span class="label">{ "Expected remaining lifetime of a new customer" }</span>
                        <span class="value" data-testid="sbg-lifetime">{ erl.map_or_else(|| "unbounded".into(), |v| format!("{} periods", crate::ui::format::fixed(v, 1))) }</span>
                        <span class="sub">{ "(β + n − 1)/(α − 1) with n = 1; unbounded when α ≤ 1" }</span></div>
                    <div class="kpi"><span class="label">{ "Log-likelihood" }</span><span class="value">{ crate::ui::format::fixed(f.log_likelihood, 2) }</span>
                        <span class="sub">{ format!("{} after {} iterations", if f.convergence.converged { "converged" } else { "did not converge" }, f.convergence.iterations) }</span></div>
                </div>
                { crate::ui::components::explain_figures::sbg(f) }
                <div class="grid wide">
                    <ChartCard chart={ret.clone()} testid="chart-sbg-retention" />
                    <ChartCard chart={surv.clone()} testid="chart-sbg-survival" note={AttrValue::from("Dashed: the fitted model, projected to twice the observed periods.")} />
                </div>
                </>
            }
        }
        (Some(_), Some(Err(e))) => {
            let retry = {
                let attempt = attempt.clone();
                Callback::from(move |_: MouseEvent| attempt.set(attempt.wrapping_add(1)))
            };
            html! {
                <div class="errbox" role="alert" data-testid="sbg-error">
                    <p>{ format!("The sBG model could not be fitted: {e}") }</p>
                    <button onclick={retry} data-testid="sbg-retry">{ "Try again" }</button>
                </div>
            }
        }
        (Some(_), None) => {
            html! { <JobStatus start={crate::worker::sbg::STAGE} /> }
        }
        _ => {
            html! { <p class="note">{ "No subscription cohort loaded. Add a file of customers still active per period on the Data page." }</p> }
        }
    };
    html! {
        <Section id="subscription" title="Subscriptions: how long do customers stay?" testid="subscription">
            { body }
        </Section>
    }
}
