//! The BG/NBD lesson: the step-by-step sheet ([`crate::analysis::bgnbd_sheet`]) on 20 simulated
//! customers, each cell's value or its spreadsheet formula ("show formulas"), the parameters
//! editable (every cell and the total log-likelihood follow), "Fit" (the engine's own BG/NBD
//! fit: 20 rows) and the download of the same sheet as a workbook whose cells hold
//! live formulas ([`crate::io::workbook`], written in the worker). The sheet and the fit are
//! worked out in the worker too ([`crate::worker::lesson`]): the page holds no engine code.

use crate::analysis::bgnbd_sheet::{self, Sheet, LESSON_HORIZON};
use crate::domain::clv::{BgNbd, FittedModel};
use crate::io::workbook::FILE_NAME;
use crate::ui::components::{download, NumberField, StatusView};
use crate::ui::state::AppContext;
use crate::worker::lesson::{LessonOutput, LessonTask};
use crate::worker::workbook::WorkbookTask;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Starting values: the published CDNOW estimates (Fader, Hardie & Lee 2005).
const START: BgNbd = BgNbd::CDNOW;

fn number(v: f64) -> String {
    if !v.is_finite() {
        return String::from("—");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e6).contains(&a) {
        format!("{v:.4e}")
    } else {
        format!("{v:.4}")
    }
}

/// Why the parameters cannot be used, in words (`None` when they can).
fn check(p: &BgNbd, horizon: f64) -> Option<String> {
    for (name, v) in [("r", p.r), ("α", p.alpha), ("a", p.a), ("b", p.b)] {
        if !(v.is_finite() && v > 0.0) {
            return Some(format!("{name} must be a number above 0 (it is {v})."));
        }
    }
    if !(horizon.is_finite() && horizon >= 0.0) {
        return Some(format!("t must be 0 or more weeks (it is {horizon})."));
    }
    None
}

/// What the page keeps of its requests to the worker: answers to older ones are dropped.
#[derive(Default)]
struct Asked {
    /// The latest request.
    latest: u32,
    /// The parameters and horizon of the sheet asked for or shown.
    key: Option<(BgNbd, f64)>,
}

/// The states a worker's answer updates.
#[derive(Clone)]
struct Handles {
    params: UseStateHandle<BgNbd>,
    fit_note: UseStateHandle<Option<String>>,
    /// The sheet (`None` while the worker works, or when the parameters cannot be used).
    made: UseStateHandle<Option<Result<Rc<Sheet>, String>>>,
    asked: Rc<RefCell<Asked>>,
}

/// The fit's note, in words.
fn fit_note(fit: &Result<FittedModel, String>) -> String {
    match fit {
        Ok(fit) if fit.convergence.converged => format!(
            "Fitted by the app's engine: total LL {:.4} (the largest it can reach on these customers).",
            fit.log_likelihood
        ),
        Ok(fit) => format!("The fit did not converge: {}", fit.convergence.reason),
        Err(e) => format!("The model could not be fitted: {e}"),
    }
}

/// Asks the worker for the sheet under `params` and `horizon` (fitted first with `fit`).
fn ask(ctx: &AppContext, h: &Handles, params: BgNbd, horizon: f64, fit: bool) {
    let mine = {
        let mut a = h.asked.borrow_mut();
        a.latest = a.latest.wrapping_add(1);
        a.key = Some((params, horizon));
        a.latest
    };
    let h = h.clone();
    let task = LessonTask::Bgnbd {
        params,
        horizon,
        fit,
    };
    ctx.ctl.worker.lesson(task, move |r| {
        if h.asked.borrow().latest != mine {
            return;
        }
        match r {
            Ok(LessonOutput::Bgnbd(l)) => {
                if let Some(f) = &l.fit {
                    h.fit_note.set(Some(fit_note(f)));
                }
                h.asked.borrow_mut().key = Some((l.params, horizon));
                h.params.set(l.params);
                h.made.set(
                    check(&l.params, horizon)
                        .is_none()
                        .then(|| Ok(Rc::new(l.sheet))),
                );
            }
            Ok(_) => h.made.set(Some(Err(String::from(
                "the worker answered with another result",
            )))),
            Err(e) => h.made.set(Some(Err(e.to_string()))),
        }
    });
}

/// The BG/NBD lesson.
#[component]
pub fn BgnbdLesson() -> Html {
    let params = use_state(|| START);
    let horizon = use_state(|| LESSON_HORIZON);
    let formulas = use_state(|| false);
    let fit_note = use_state(|| None::<String>);
    let made = use_state(|| None::<Result<Rc<Sheet>, String>>);
    let asked = use_mut_ref(Asked::default);
    let ctx = use_context::<AppContext>();
    let problem = check(&params, *horizon);
    let handles = Handles {
        params: params.clone(),
        fit_note: fit_note.clone(),
        made: made.clone(),
        asked,
    };
    {
        let (h, ctx) = (handles.clone(), ctx.clone());
        use_effect_with((*params, *horizon, problem.is_none()), move |(p, t, ok)| {
            if !*ok {
                let mut a = h.asked.borrow_mut();
                a.latest = a.latest.wrapping_add(1);
                a.key = None;
                h.made.set(None);
            } else if h.asked.borrow().key != Some((*p, *t)) {
                match &ctx {
                    Some(ctx) => ask(ctx, &h, *p, *t, false),
                    None => h.made.set(Some(Err(String::from(
                        "the app's worker is not available here",
                    )))),
                }
            }
        });
    }
    let sheet: Option<Rc<Sheet>> = match made.as_ref() {
        Some(Ok(s)) if problem.is_none() => Some(s.clone()),
        _ => None,
    };
    if let Some(Err(e)) = made.as_ref() {
        return html! { <StatusView kind="error" message={format!("The lesson's customers could not be made: {e}")} /> };
    }
    let set = |f: fn(&mut BgNbd, f64)| {
        let params = params.clone();
        let fit_note = fit_note.clone();
        Callback::from(move |v: f64| {
            let mut p = *params;
            f(&mut p, v);
            params.set(p);
            fit_note.set(None);
        })
    };
    let on_fit = {
        let (h, ctx, horizon) = (handles.clone(), ctx.clone(), horizon.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(ctx) = &ctx {
                ask(ctx, &h, *h.params, *horizon, true);
            }
        })
    };
    let on_toggle = {
        let formulas = formulas.clone();
        Callback::from(move |_: Event| formulas.set(!*formulas))
    };
    let on_download = {
        // The worker writes the workbook (the XLSX writer is not in the page's download).
        let (sheet, ctx) = (sheet.clone(), ctx.clone());
        Callback::from(move |_: MouseEvent| {
            if let (Some(s), Some(ctx)) = (sheet.as_ref(), ctx.as_ref()) {
                let task = WorkbookTask::Bgnbd(Box::new(Sheet::clone(s)));
                ctx.ctl.worker.workbook(task, |r| {
                    if let Ok(bytes) = r {
                        download::bytes(FILE_NAME, XLSX_MIME, &bytes);
                    }
                });
            }
        })
    };
    let show = *formulas;
    let cell = |c: &bgnbd_sheet::Cell| -> Html {
        if show {
            html! { <td class="formula-cell"><code>{ format!("={}", c.formula) }</code></td> }
        } else {
            html! { <td class="num">{ number(c.value) }</td> }
        }
    };
    let p = *params;
    let fields = html! {
        <div class="row" data-testid="bgnbd-params">
            { NumberField::new("r (B1)", "bgnbd-r", p.r.to_string()).step("any").min("0").view_number(set(|p, v| p.r = v)) }
            { NumberField::new("α (B2)", "bgnbd-alpha", p.alpha.to_string()).step("any").min("0").view_number(set(|p, v| p.alpha = v)) }
            { NumberField::new("a (B3)", "bgnbd-a", p.a.to_string()).step("any").min("0").view_number(set(|p, v| p.a = v)) }
            { NumberField::new("b (B4)", "bgnbd-b", p.b.to_string()).step("any").min("0").view_number(set(|p, v| p.b = v)) }
            { NumberField::new("t, weeks ahead (B5)", "bgnbd-horizon", horizon.to_string()).step("any").min("0").view_number({
                let horizon = horizon.clone();
                Callback::from(move |v: f64| horizon.set(v))
            }) }
        </div>
    };
    let table = match sheet.as_ref() {
        None => html! {},
        Some(s) => html! {
            <>
            <p class="big-figure" data-testid="bgnbd-ll" aria-live="polite">
                { "Total log-likelihood (B7): " }
                if show { <code>{ format!("={}", s.total_ll.formula) }</code> } else { <strong>{ number(s.total_ll.value) }</strong> }
            </p>
            if !s.unconverged.is_empty() {
                <p class="badge" role="status">{ format!("The ₂F₁ series did not settle within {} terms for {} customer(s) ({}): their expected purchases are too low.", bgnbd_sheet::MAX_TERMS, s.unconverged.len(), s.unconverged.join(", ")) }</p>
            }
            <div class="table-scroll" tabindex="0" role="region" aria-label="BG/NBD sheet">
            <table class="data" data-testid="bgnbd-table">
                <caption>{ format!("Rows 10–{} of the sheet; columns A–P. The ₂F₁ column sums {} series terms per customer (the Series sheet of the workbook).", 9 + s.rows.len(), s.terms) }</caption>
                <thead><tr>
                    <th scope="col">{ "Row" }</th>
                    { for s.columns.iter().map(|c| html! { <th scope="col" title={c.note.clone()}>{ format!("{} · {}", c.letter, c.header) }</th> }) }
                </tr></thead>
                <tbody>
                { for s.rows.iter().enumerate().map(|(i, r)| html! {
                    <tr>
                        <td class="num">{ (10 + i).to_string() }</td>
                        <th scope="row">{ r.id.clone() }</th>
                        <td class="num">{ number(r.x) }</td>
                        <td class="num">{ number(r.t_x) }</td>
                        <td class="num">{ number(r.t) }</td>
                        { for r.cells.iter().map(cell) }
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
            <details>
                <summary>{ "What each column holds" }</summary>
                <dl>
                { for s.columns.iter().map(|c| html! { <><dt>{ format!("{} · {}", c.letter, c.header) }</dt><dd>{ c.note.clone() }</dd></> }) }
                </dl>
            </details>
            </>
        },
    };
    html! {
        <section class="card" data-testid="bgnbd-lesson">
            <h2>{ "BG/NBD step by step" }</h2>
            <p>{ "Twenty simulated customers, each with their repeat purchases x, the week of their last purchase t_x and the weeks they have been watched T. Each row computes the customer's share of the likelihood as in Fader & Hardie's spreadsheet note; the model's parameters are the ones that make the total log-likelihood as large as possible. Change a parameter and every cell follows; \"Fit\" lets the app's engine find the best ones." }</p>
            { fields }
            if let Some(e) = problem.clone() { <p class="badge" role="alert">{ e }</p> }
            <div class="row">
                <button class="button" onclick={on_fit} data-testid="bgnbd-fit">{ "Fit" }</button>
                <label><input type="checkbox" checked={show} onchange={on_toggle} data-testid="bgnbd-show-formulas" />{ " Show formulas" }</label>
                <button class="button" onclick={on_download} disabled={sheet.is_none()} data-testid="bgnbd-download">{ "BG/NBD workbook (.xlsx)" }</button>
            </div>
            <p role="status" aria-live="polite" data-testid="bgnbd-fit-note">{ (*fit_note).clone().unwrap_or_default() }</p>
            { table }
        </section>
    }
}
