//! Exercises that check themselves ([`crate::analysis::exercises`]): each question of a lesson,
//! an answer box, "Check" (right or wrong with the stated tolerance, announced), "Show worked
//! solution"; and the instructor's panel: a new seeded exercise set, and "Save for students"
//! (the set under the setting "exercise-set" with or without solutions, plus its simulated
//! data as a dataset, written out as a project file). A project opened with such a set shows
//! it; saved without solutions, answers are still checked but worked solutions stay hidden.
//! [`ExercisesPage`] mounts the lesson's sheet (BG/NBD) and its exercises at
//! `#/exercises?lesson=…`.

use crate::analysis::bgnbd_sheet;
use crate::analysis::exercises::{self, ExerciseSet, Question, Verdict, EXERCISE_CUSTOMERS};
use crate::io::import::DataKind;
use crate::ui::components::StatusView;
use crate::ui::pages::bgnbd_lesson::BgnbdLesson;
use crate::ui::state::AppContext;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Exercises`].
#[derive(Properties, PartialEq)]
pub struct ExercisesProps {
    /// The lesson key ("clv", "rfm", "bgnbd", …).
    pub lesson: AttrValue,
}

#[derive(Properties, PartialEq)]
struct QuestionProps {
    question: Rc<Question>,
    number: usize,
    solutions: bool,
}

#[component]
fn QuestionCard(p: &QuestionProps) -> Html {
    let typed = use_state(String::new);
    let verdict = use_state(|| None::<Verdict>);
    let shown = use_state(|| false);
    let q = p.question.clone();
    let oninput = {
        let (typed, verdict) = (typed.clone(), verdict.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                typed.set(i.value());
                verdict.set(None);
            }
        })
    };
    let on_check = {
        let (typed, verdict, q) = (typed.clone(), verdict.clone(), q.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            verdict.set(Some(q.check(&typed)));
        })
    };
    let on_show = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(!*shown))
    };
    let (mark, class) = match *verdict {
        None => (String::new(), ""),
        Some(Verdict::Right) => (String::from("Right."), "verdict right"),
        Some(Verdict::Wrong) => (String::from("Not right: try again."), "verdict wrong"),
        Some(Verdict::NotANumber) => (
            String::from("That is not a number: type digits, like 0.42."),
            "verdict wrong",
        ),
    };
    let verdict_attr = match *verdict {
        Some(Verdict::Right) => "right",
        Some(_) => "wrong",
        None => "",
    };
    let input_id = format!("exercise-{}", q.id);
    html! {
        <li class="card exercise" data-testid={format!("exercise-{}", p.number)}>
            <form onsubmit={on_check}>
                <label for={input_id.clone()}>{ q.prompt.clone() }</label>
                <p class="hint">{ q.tolerance_text() }</p>
                <div class="row">
                    <input id={input_id} type="text" inputmode="decimal" value={(*typed).clone()} {oninput}
                           data-testid="exercise-answer" autocomplete="off" />
                    <button class="button" type="submit" data-testid="exercise-check">{ "Check" }</button>
                    if p.solutions {
                        <button class="button" type="button" onclick={on_show} aria-expanded={shown.to_string()}
                                data-testid="exercise-show-solution">
                            { if *shown { "Hide worked solution" } else { "Show worked solution" } }
                        </button>
                    }
                </div>
            </form>
            <p role="status" aria-live="polite" class={class} data-testid="exercise-verdict" data-verdict={verdict_attr}>{ mark }</p>
            if p.solutions && *shown {
                <div class="formula" data-testid="exercise-solution">
                    <p>{ q.solution.clone() }</p>
                    <p>{ format!("Answer: {}", q.answer_text()) }</p>
                </div>
            }
        </li>
    }
}

fn new_seed() -> u64 {
    // A whole number below 2^53 from the browser's random source (a seed, not a secret).
    (js_sys::Math::random() * 9.0e15).floor() as u64
}

/// The exercises of one lesson, with the instructor's panel.
#[component]
pub fn Exercises(p: &ExercisesProps) -> Html {
    let ctx = use_context::<AppContext>();
    let set = use_state(ExerciseSet::default);
    let with_solutions = use_state(|| true);
    let pending = use_state(|| None::<String>);
    let note = use_state(|| None::<String>);
    {
        // A stored set (an opened project's) replaces the default.
        let (set, ctx) = (set.clone(), ctx.clone());
        use_effect_with((), move |_| {
            if let Some(ctx) = ctx {
                ctx.ctl
                    .page_setting::<ExerciseSet>(exercises::SETTING_KEY, move |s| {
                        if let Some(s) = s {
                            set.set(s);
                        }
                    });
            }
        });
    }
    {
        // "Save for students": once the set's data is stored, write the project file.
        let (pending, note, ctx) = (pending.clone(), note.clone(), ctx.clone());
        let names: Vec<String> = ctx
            .as_ref()
            .map(|c| {
                c.state
                    .datasets
                    .iter()
                    .map(|d| d.file_name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let busy = ctx.as_ref().is_some_and(|c| c.state.progress.is_some());
        use_effect_with(
            (names, busy, (*pending).clone()),
            move |(names, busy, want)| {
                if let (Some(want), Some(ctx)) = (want, ctx) {
                    if !*busy && names.iter().any(|n| n == want) {
                        ctx.ctl.export_project();
                        pending.set(None);
                        note.set(Some(String::from(
                            "The project file with this exercise set and its data is downloading.",
                        )));
                    }
                }
            },
        );
    }
    let lesson = p.lesson.to_string();
    let seed = set.seed;
    let result = use_memo((lesson.clone(), seed), |(l, s)| {
        exercises::questions(l, *s).map(|qs| qs.into_iter().map(Rc::new).collect::<Vec<_>>())
    });
    let on_new = {
        let (set, note) = (set.clone(), note.clone());
        Callback::from(move |_: MouseEvent| {
            set.set(ExerciseSet {
                seed: new_seed(),
                include_solutions: true,
            });
            note.set(None);
        })
    };
    let on_solutions = {
        let with_solutions = with_solutions.clone();
        Callback::from(move |_: Event| with_solutions.set(!*with_solutions))
    };
    let on_save = {
        let (ctx, pending, note, with_solutions) = (
            ctx.clone(),
            pending.clone(),
            note.clone(),
            with_solutions.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(ctx) = ctx.clone() else {
                note.set(Some(String::from(
                    "Saving needs the app's storage, which is not available here.",
                )));
                return;
            };
            let stored = ExerciseSet {
                seed,
                include_solutions: *with_solutions,
            };
            match bgnbd_sheet::simulated(EXERCISE_CUSTOMERS, seed) {
                Ok((file, _)) => {
                    ctx.ctl.set_page_setting(exercises::SETTING_KEY, stored);
                    pending.set(Some(file.file_name.clone()));
                    note.set(Some(String::from("Storing the exercise data…")));
                    ctx.ctl
                        .add_file(file.file_name, Some(DataKind::Transactions), file.bytes);
                }
                Err(e) => note.set(Some(format!("The exercise data could not be made: {e}"))),
            }
        })
    };
    let body = match result.as_ref() {
        Ok(qs) => html! {
            <ol class="exercises" data-testid="exercise-list">
                { for qs.iter().enumerate().map(|(i, q)| html! {
                    <QuestionCard key={format!("{seed}-{}", q.id)} question={q.clone()} number={i + 1} solutions={set.include_solutions} />
                }) }
            </ol>
        },
        Err(e) => {
            html! { <StatusView kind="error" message={format!("The exercises could not be made: {e}")} /> }
        }
    };
    html! {
        <section class="card" data-testid="exercises" aria-labelledby="exercises-title">
            <h2 id="exercises-title">{ "Exercises" }</h2>
            <p>{ format!("Exercise set {seed}.") }
               if exercises::needs_data(&lesson) { { format!(" The questions use a simulated base of {EXERCISE_CUSTOMERS} customers made from this seed; the instructor's project file holds it as a dataset, so it can be opened on every page.") } }
               if !set.include_solutions { { " Worked solutions are hidden in this set; your answers are still checked." } }
            </p>
            { body }
            <details class="instructor" data-testid="instructor-mode">
                <summary>{ "Instructor mode" }</summary>
                <p>{ "Make a new set of questions (a new seed), then save it with its data as a project file to hand out. Students who open the file get the same questions." }</p>
                <div class="row">
                    <button class="button" onclick={on_new} data-testid="exercise-new-set">{ "New exercise set" }</button>
                    <label><input type="checkbox" checked={*with_solutions} onchange={on_solutions} data-testid="exercise-include-solutions" />{ " Include worked solutions" }</label>
                    <button class="button" onclick={on_save} disabled={pending.is_some()} data-testid="exercise-save">{ "Save for students" }</button>
                </div>
                <p role="status" aria-live="polite" data-testid="exercise-save-note">{ (*note).clone().unwrap_or_default() }</p>
            </details>
        </section>
    }
}

/// The lesson key in `#/exercises?lesson=…` ("clv" when absent).
fn lesson_from_hash(hash: &str) -> String {
    hash.split_once('?')
        .and_then(|(_, q)| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("lesson="))
                .map(str::to_string)
        })
        .filter(|l| exercises::LESSONS.contains(&l.as_str()))
        .unwrap_or_else(|| String::from("clv"))
}

/// The page at `#/exercises?lesson=…`: the BG/NBD sheet for lesson "bgnbd", then the lesson's
/// exercises.
#[component]
pub fn ExercisesPage() -> Html {
    // Subscribes to location changes, so another lesson key re-renders the page.
    let _location = yew_router::hooks::use_location();
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    let lesson = lesson_from_hash(&hash);
    html! {
        <section data-testid="exercises-page">
            <h1>{ format!("Lesson exercises: {lesson}") }</h1>
            if lesson == "bgnbd" { <BgnbdLesson /> }
            <Exercises key={lesson.clone()} lesson={lesson.clone()} />
        </section>
    }
}
