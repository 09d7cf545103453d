//! The Lifetime value page's calibration/holdout check. It is asked of the worker as a task of
//! its own, after the fit ([`crate::ui::state::Controller::clv_validation`]), so the
//! parameters show before the check is done (on a million-row log the check takes longer
//! than the fit). It is cached under the model and the calibration end only: a new horizon or
//! margin does not check again, and a new calibration end does not fit the whole model again.

use super::charts;
use crate::domain::clv::ModelKind;
use crate::ui::charts::Chart;
use crate::ui::components::status::StatusView;
use crate::ui::components::{ChartCard, Input, JobStatus, Section};
use crate::ui::state::{AppContext, Source};
use crate::worker::clv::{ClvRequest, ValidationOutcome};
use crate::worker::error::WorkerError;
use chrono::NaiveDate;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Where the check stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ValState {
    /// Not asked yet.
    Idle,
    /// Asked of the worker.
    Running,
    /// The check, or why there is none.
    Done(Rc<ValidationOutcome>),
    /// The user cancelled it.
    Cancelled,
    /// It failed.
    Failed(String),
}

/// What the check depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct ValAsk {
    /// The purchase model.
    pub model: ModelKind,
    /// The calibration end (None: two thirds of the observed period).
    pub calibration_end: Option<NaiveDate>,
}

impl ValAsk {
    fn key(&self) -> String {
        format!(
            "clv/validation/{}/{}",
            self.model.code(),
            self.calibration_end
                .map_or_else(|| "auto".into(), |d| d.to_string())
        )
    }
}

/// The check's state and how to ask for it again.
#[derive(Clone)]
pub struct Check {
    /// Where it stands.
    pub state: UseStateHandle<ValState>,
    generation: Rc<RefCell<u32>>,
}

/// The page's check: asked whenever the model, the calibration end or the data change.
#[hook]
pub fn use_check(ctx: Option<AppContext>, src: Source, ask: ValAsk) -> Check {
    let check = Check {
        state: use_state(|| ValState::Idle),
        generation: use_mut_ref(|| 0u32),
    };
    {
        let check = check.clone();
        use_effect_with((ask, src.import_id()), move |(ask, _)| {
            if let Some(ctx) = ctx {
                check.start(&ctx, &src, ask, false);
            }
        });
    }
    check
}

impl Check {
    /// Asks the worker (`fresh`: even when a result is cached, as "Fit again" does).
    pub fn start(&self, ctx: &AppContext, src: &Source, ask: &ValAsk, fresh: bool) {
        let Some(summary) = src.data.summary.as_ref() else {
            return;
        };
        if src.data.purchases == 0 {
            // A customer summary: nothing to hold out (the note says so).
            self.state.set(ValState::Done(Rc::new(ValidationOutcome {
                validation: None,
                note: String::from(
                    "This data is a customer summary without its purchases, so there is no later period to check the model against.",
                ),
            })));
            return;
        }
        let req = ClvRequest {
            model: ask.model,
            calibration_end: ask.calibration_end,
            summary_options: ctx.state.summary_options.clone(),
            // The worker holds the log; only the summary's time unit is read.
            ..crate::worker::clv::default_request(crate::ui::pages::segments::summary_header(
                summary,
            ))
        };
        let gen = {
            let mut g = self.generation.borrow_mut();
            *g = g.wrapping_add(1);
            *g
        };
        self.state.set(ValState::Running);
        let (state, generation) = (self.state.clone(), self.generation.clone());
        ctx.ctl
            .clv_validation(src, &ask.key(), req, fresh, move |r| {
                if *generation.borrow() != gen {
                    return;
                }
                state.set(match r {
                    Ok(v) => ValState::Done(v),
                    // The dataset is being read again: the check re-runs when it is active.
                    Err(WorkerError::Resending { .. }) => ValState::Running,
                    Err(WorkerError::Cancelled) => ValState::Cancelled,
                    Err(e) => ValState::Failed(e.to_string()),
                });
            });
    }
}

/// The check's charts (drawn once per answer).
pub struct ValCharts {
    holdout: Rc<Chart>,
    cumulative: Rc<Chart>,
}

/// The charts of an answer that has a validation.
pub fn build_charts(state: &ValState, unit: &str) -> Option<ValCharts> {
    let ValState::Done(o) = state else {
        return None;
    };
    let v = o.validation.as_ref()?;
    Some(ValCharts {
        holdout: Rc::new(charts::holdout(v, unit)),
        cumulative: Rc::new(charts::cumulative(v, unit)),
    })
}

/// What the section needs besides the check.
pub struct CardParts<'a> {
    /// The model's time unit, in words.
    pub unit: &'a str,
    /// The calibration end the user chose, if any.
    pub chosen_end: Option<NaiveDate>,
    /// A new calibration end typed in.
    pub on_cal: Callback<String>,
    /// Cancel the check.
    pub on_cancel: Callback<()>,
    /// Ask again after a cancel or a failure.
    pub on_again: Callback<MouseEvent>,
    /// The full fit's repeat-purchase chart (shown beside the check's).
    pub repeat: Rc<Chart>,
}

/// The section "Does the model fit?": the calibration end, the check's figures and charts.
pub fn card(state: &ValState, ch: Option<&ValCharts>, p: CardParts<'_>) -> Html {
    let unit = p.unit;
    let outcome = match state {
        ValState::Done(o) => Some(o.clone()),
        _ => None,
    };
    let cal_value = outcome
        .as_ref()
        .and_then(|o| o.validation.as_ref())
        .map(|v| v.calibration_end.to_string())
        .or_else(|| p.chosen_end.map(|d| d.to_string()))
        .unwrap_or_default();
    let again = html! { <button onclick={p.on_again} data-testid="validate-again">{ "Check again" }</button> };
    let status = match state {
        ValState::Idle | ValState::Running => {
            html! { <JobStatus start="Checking the model on the calibration period…" on_cancel={Some(p.on_cancel)} /> }
        }
        ValState::Cancelled => html! {
            <StatusView kind="empty" message="The check was cancelled.">{ again }</StatusView>
        },
        ValState::Failed(m) => html! {
            <StatusView kind="error" message={m.clone()}>{ again }</StatusView>
        },
        ValState::Done(_) => html! {},
    };
    html! {
        <Section id="validation" title="Does the model fit? Calibration and holdout" testid="validation">
            <p class="note">{ "The model is fitted again on the purchases up to the calibration end only, then asked to predict the purchases after it, which we know." }</p>
            <label>{ "Calibration end" }
                <Input kind="date" value={cal_value} on={p.on_cal} testid="calibration-end" />
            </label>
            { status }
            if let Some(v) = outcome.as_ref().and_then(|o| o.validation.as_ref()) {
                <p data-testid="holdout-summary">{ format!(
                    "Calibration {} to {} ({} customers), holdout {:.1} {unit}s to {}: predicted {:.0} purchases, actual {:.0} ({:+.1}%).",
                    v.first_date, v.calibration_end, crate::ui::format::count(v.n_customers), v.holdout_length, v.observation_end,
                    v.holdout_predicted, v.holdout_actual,
                    if v.holdout_actual > 0.0 { (v.holdout_predicted / v.holdout_actual - 1.0) * 100.0 } else { 0.0 }) }</p>
                { crate::ui::components::explain_figures::holdout(v) }
            }
            if let Some(o) = outcome.as_ref().filter(|o| !o.note.is_empty()) {
                <p class="warnbox" data-testid="validation-note">{ &o.note }</p>
            }
            <div class="grid wide">
                if let Some(c) = ch {
                    <ChartCard chart={c.holdout.clone()} testid="chart-holdout" />
                    <ChartCard chart={c.cumulative.clone()} testid="chart-cumulative" note={AttrValue::from("Dashed: the model fitted on purchases up to the calibration end (the vertical line); after the line it is a forecast.")} />
                }
                <ChartCard chart={p.repeat} testid="chart-repeat" note={AttrValue::from("Whole period, full fit: how many customers made 0, 1, 2, … repeat purchases, against what the model expects for customers of the same ages.")} />
            </div>
        </Section>
    }
}
