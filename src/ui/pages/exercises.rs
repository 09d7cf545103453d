//! Exercises that check themselves ([`crate::analysis::exercises`]): each question of a lesson,
//! an answer box, "Check" (right or wrong with the stated tolerance, announced), "Show worked
//! solution"; and the instructor's panel: a new seeded exercise set, and "Save for students".
//!
//! Two copies of a set: the instructor's ("Teacher copy", kept in their browser under the
//! setting "exercise-set", worked solutions always visible to them) and the students' ("Student
//! file"): "Save for students" stores the set's simulated data as a dataset and writes a project
//! file whose "exercise-set" holds only the seed and whether worked solutions may be opened
//! ([`ExerciseSet::student_file`]); the instructor's own copy is left as it is. No copy holds an
//! answer or a worked solution: the app computes them from the seed to mark an answer.
//!
//! The lesson is the one home of its exercises (the end of `#/learn?lesson=…`);
//! [`ExercisesPage`] keeps old `#/exercises?lesson=…` links working by replacing them with the
//! lesson, its exercises focused.

use crate::analysis::exercises::{self, ExerciseSet, Question, Verdict, EXERCISE_CUSTOMERS};
use crate::analysis::simulator::SimRequest;
use crate::io::import::DataKind;
use crate::ui::app::Route;
use crate::ui::components::StatusView;
use crate::ui::state::AppContext;
use crate::worker::lesson::{LessonOutput, LessonTask};
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

/// Properties of [`Exercises`].
#[derive(Properties, PartialEq)]
pub struct ExercisesProps {
    /// The lesson key ("clv", "rfm", "bgnbd", …).
    pub lesson: AttrValue,
}

/// History state of an address reached from an old `#/exercises?lesson=…` link: the lesson's
/// exercises take the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FocusExercises;

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

/// Which copy of a set this browser holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetCopy {
    /// Nothing stored: the app's own practice set.
    Practice,
    /// The instructor's copy.
    Teacher,
    /// A set opened from a student file.
    Student,
}

fn copy_of(set: &ExerciseSet, stored: bool) -> SetCopy {
    match (set.teacher, stored) {
        (true, _) => SetCopy::Teacher,
        (false, true) => SetCopy::Student,
        (false, false) => SetCopy::Practice,
    }
}

/// Questions as shown: the lesson, set and storage flag they were asked with, and the
/// worker's answer.
type Shown = (
    String,
    ExerciseSet,
    bool,
    Result<Rc<Vec<Rc<Question>>>, String>,
);

/// The line above the questions: which copy this is, and what it shows.
fn copy_line(copy: SetCopy, set: &ExerciseSet, lesson: &str) -> Html {
    let seed = set.seed;
    let (label, class, text) = match copy {
        SetCopy::Teacher => (
            "Teacher copy",
            "badge good",
            String::from(" Worked solutions are shown to you whatever the student file allows."),
        ),
        SetCopy::Student if set.include_solutions => (
            "Student file",
            "badge",
            String::from(" Your instructor included the worked solutions."),
        ),
        SetCopy::Student => (
            "Student file",
            "badge",
            String::from(
                " Worked solutions are not part of this set; your answers are still checked.",
            ),
        ),
        SetCopy::Practice => ("Practice set", "badge", String::new()),
    };
    html! {
        <p data-testid="exercise-copy" data-copy={label}>
            <strong class={class}>{ label }</strong>
            { format!(" Exercise set {seed}.") }
            { text }
            if exercises::needs_data(lesson) { { format!(" The questions use a simulated base of {EXERCISE_CUSTOMERS} customers made from this seed; the instructor's project file holds it as a dataset, so it can be opened on every page.") } }
        </p>
    }
}

/// The exercises of one lesson, with the instructor's panel.
#[component]
pub fn Exercises(p: &ExercisesProps) -> Html {
    let progress = crate::ui::state::use_progress();
    let ctx = use_context::<AppContext>();
    let set = use_state(ExerciseSet::default);
    // Whether the set came from storage (this browser's copy or an opened project's).
    let stored = use_state(|| false);
    let with_solutions = use_state(|| true);
    // "Save for students" under way: the data's file name and the students' copy of the set.
    let pending = use_state(|| None::<(String, ExerciseSet)>);
    let note = use_state(|| None::<String>);
    let heading = use_node_ref();
    let focus = use_location()
        .and_then(|l| l.state::<FocusExercises>())
        .is_some();
    {
        let heading = heading.clone();
        use_effect_with(focus, move |focus| {
            if *focus {
                if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                    h.scroll_into_view();
                    // Focusing a heading cannot fail in a browser; if it did, it stays in view.
                    let _ = h.focus();
                }
            }
        });
    }
    {
        // A stored set (the instructor's copy or an opened project's) replaces the default,
        // read once storage is open (after a reload this page may mount before it is).
        let (set, stored, ctx) = (set.clone(), stored.clone(), ctx.clone());
        let ready = ctx.as_ref().is_some_and(|c| c.state.boot.ready().is_some());
        use_effect_with(ready, move |ready| {
            if let (true, Some(ctx)) = (*ready, ctx) {
                ctx.ctl
                    .page_setting::<ExerciseSet>(exercises::SETTING_KEY, move |s| {
                        if let Some(s) = s {
                            set.set(s);
                            stored.set(true);
                        }
                    });
            }
        });
    }
    {
        // "Save for students": once the set's data is stored, write the project file with the
        // students' copy of the set in place of the instructor's.
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
        let busy = progress.is_some();
        use_effect_with(
            (names, busy, (*pending).clone()),
            move |(names, busy, want)| {
                if let (Some((file, student)), Some(ctx)) = (want, ctx) {
                    if !*busy && names.iter().any(|n| n == file) {
                        match serde_json::to_value(student) {
                            Ok(v) => {
                                ctx.ctl.export_project_replacing(vec![(
                                    exercises::SETTING_KEY.to_string(),
                                    v,
                                )]);
                                note.set(Some(String::from(if student.include_solutions {
                                    "The student file (with worked solutions) is downloading. Your teacher copy is unchanged."
                                } else {
                                    "The student file (without worked solutions) is downloading. Your teacher copy still shows them to you."
                                })));
                            }
                            Err(e) => note
                                .set(Some(format!("The student file could not be written: {e}"))),
                        }
                        pending.set(None);
                    }
                }
            },
        );
    }
    let lesson = p.lesson.to_string();
    let seed = set.seed;
    let copy = copy_of(&set, *stored);
    // The questions and their answers are worked out in the worker; an answer for an older
    // lesson or seed is dropped. The lesson, set and storage flag the shown questions were
    // asked with come with them: the line above the questions changes with the questions.
    let result = use_state(|| None::<Shown>);
    let asked = use_mut_ref(|| 0u32);
    {
        let (result, ctx, asked_set, asked_stored) = (result.clone(), ctx.clone(), *set, *stored);
        use_effect_with((lesson.clone(), seed), move |(l, s)| {
            *asked.borrow_mut() += 1;
            let mine = *asked.borrow();
            let lesson = l.clone();
            let shown = move |r| Some((lesson, asked_set, asked_stored, r));
            let Some(ctx) = ctx else {
                result.set(shown(Err(String::from(
                    "the app's worker is not available here",
                ))));
                return;
            };
            let task = LessonTask::Exercises {
                lesson: l.clone(),
                seed: *s,
            };
            ctx.ctl.worker.lesson(task, move |r| {
                if *asked.borrow() != mine {
                    return;
                }
                result.set(shown(match r {
                    Ok(LessonOutput::Exercises(qs)) => {
                        Ok(Rc::new(qs.into_iter().map(Rc::new).collect()))
                    }
                    Ok(_) => Err(String::from("the worker answered with another result")),
                    Err(e) => Err(e.to_string()),
                }));
            });
        });
    }
    let on_new = {
        let (set, stored, note, ctx) = (set.clone(), stored.clone(), note.clone(), ctx.clone());
        Callback::from(move |_: MouseEvent| {
            let fresh = ExerciseSet::teacher_copy(new_seed());
            if let Some(ctx) = &ctx {
                ctx.ctl.set_page_setting(exercises::SETTING_KEY, fresh);
            }
            set.set(fresh);
            stored.set(true);
            note.set(None);
        })
    };
    let on_solutions = {
        let with_solutions = with_solutions.clone();
        Callback::from(move |_: Event| with_solutions.set(!*with_solutions))
    };
    let on_save = {
        let (ctx, pending, note, with_solutions, set, stored) = (
            ctx.clone(),
            pending.clone(),
            note.clone(),
            with_solutions.clone(),
            set.clone(),
            stored.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(ctx) = ctx.clone() else {
                note.set(Some(String::from(
                    "Saving needs the app's storage, which is not available here.",
                )));
                return;
            };
            let request = SimRequest {
                customers: EXERCISE_CUSTOMERS,
                seed,
                ..Default::default()
            };
            let (pending, note, with_solutions, set, stored) = (
                pending.clone(),
                note.clone(),
                with_solutions.clone(),
                set.clone(),
                stored.clone(),
            );
            // The worker simulates the set's data (the simulator is not in the page).
            let client = ctx.ctl.worker.clone();
            client.simulated_file(request, move |r| match r {
                Ok(file) => {
                    // The instructor keeps (or becomes the owner of) the teacher copy.
                    let mine = ExerciseSet::teacher_copy(seed);
                    ctx.ctl.set_page_setting(exercises::SETTING_KEY, mine);
                    set.set(mine);
                    stored.set(true);
                    pending.set(Some((
                        file.file_name.clone(),
                        mine.student_file(*with_solutions),
                    )));
                    // The set's data is stored once: a second save (with or without the
                    // solutions) writes the file from what is stored.
                    if !ctx
                        .state
                        .datasets
                        .iter()
                        .any(|d| d.file_name == file.file_name)
                    {
                        note.set(Some(String::from("Storing the exercise data…")));
                        ctx.ctl
                            .add_file(file.file_name, Some(DataKind::Transactions), file.bytes);
                    }
                }
                Err(e) => note.set(Some(format!("The exercise data could not be made: {e}"))),
            });
        })
    };
    // The shown questions' set: the current one once its questions are in.
    let shown = result.as_ref().filter(|r| r.0 == lesson);
    let (line_set, line_stored) = match shown {
        Some((_, s, st, _)) if s.seed != seed => (*s, *st),
        _ => (*set, *stored),
    };
    let solutions = line_set.shows_solutions();
    let line = match shown {
        Some(_) => copy_line(copy_of(&line_set, line_stored), &line_set, &lesson),
        None => html! {},
    };
    let seed = line_set.seed;
    let body = match shown.map(|r| &r.3) {
        None => html! { <StatusView kind="loading" message="Working out the questions…" /> },
        Some(Ok(qs)) => html! {
            <ol class="exercises" data-testid="exercise-list">
                { for qs.iter().enumerate().map(|(i, q)| html! {
                    <QuestionCard key={format!("{seed}-{}", q.id)} question={q.clone()} number={i + 1} {solutions} />
                }) }
            </ol>
        },
        Some(Err(e)) => {
            html! { <StatusView kind="error" message={format!("The exercises could not be made: {e}")} /> }
        }
    };
    let student = copy == SetCopy::Student;
    html! {
        <section class="card" id="exercises" data-testid="exercises" aria-labelledby="exercises-title">
            <h2 id="exercises-title" tabindex="-1" ref={heading}>{ "Exercises" }</h2>
            { line }
            { body }
            <details class="instructor" data-testid="instructor-mode">
                <summary>{ "Instructor mode" }</summary>
                <p>{ "Make a new set of questions (a new seed), then save it with its data as a project file to hand out. Students who open the file get the same questions on the same data, and their answers are marked." }</p>
                <p data-testid="exercise-file-note">{ "The student file holds the seed and the simulated data: no answers and, unless you include them, no worked solutions. This browser keeps your teacher copy, which always shows them to you. The app works each answer out from the seed and the data in order to mark it, so a student with the app can still compute the answers — which is the point of the exercise." }</p>
                if student {
                    <p class="note" data-testid="exercise-student-note">{ "This set came from a student file: make a new exercise set to hand out your own." }</p>
                }
                <div class="row">
                    <button class="button" onclick={on_new} data-testid="exercise-new-set">{ "New exercise set" }</button>
                    <label><input type="checkbox" checked={*with_solutions} onchange={on_solutions} data-testid="exercise-include-solutions" />{ " Include worked solutions in the student file" }</label>
                    <button class="button" onclick={on_save} disabled={pending.is_some() || student} data-testid="exercise-save">{ "Save for students" }</button>
                </div>
                <p role="status" aria-live="polite" data-testid="exercise-save-note">{ (*note).clone().unwrap_or_default() }</p>
            </details>
        </section>
    }
}

/// The lesson of an old `#/exercises?lesson=…` address: `Ok` with a lesson that has exercises
/// ("clv" when the address names none), `Err` with the unknown key.
fn lesson_from_hash(hash: &str) -> Result<String, String> {
    let named = hash.split_once('?').and_then(|(_, q)| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("lesson="))
            .map(str::to_string)
    });
    match named {
        None => Ok(String::from("clv")),
        Some(l) if exercises::LESSONS.contains(&l.as_str()) => Ok(l),
        Some(l) => Err(l),
    }
}

/// The old address `#/exercises?lesson=…`: replaced (so Back skips it) by the lesson,
/// `#/learn?lesson=…`, its exercises focused; a key with no exercises gets a visible note.
#[component]
pub fn ExercisesPage() -> Html {
    // Subscribes to location changes, so another lesson key re-renders the page.
    let _location = use_location();
    let navigator = use_navigator();
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    let lesson = lesson_from_hash(&hash);
    {
        let lesson = lesson.clone();
        use_effect_with(lesson, move |lesson| {
            if let (Ok(key), Some(n)) = (lesson, navigator) {
                // Writing the address cannot fail in a browser; if it did, the note below stays.
                let _ = n.replace_with_query_and_state(
                    &Route::Learn,
                    [("lesson", key.as_str())],
                    FocusExercises,
                );
            }
        });
    }
    html! {
        <section data-testid="exercises-page">
            <h1>{ "Lesson exercises" }</h1>
            { match lesson {
                Ok(key) => html! { <p role="status">{ "Opening the lesson's exercises: " }<a href={format!("#/learn?lesson={key}")}>{ key }</a></p> },
                Err(key) => html! {
                    <p class="warnbox" role="alert" data-testid="exercises-unknown">
                        { format!("There are no exercises for “{key}”. Each lesson ends with its exercises: ") }
                        <a href="#/learn">{ "choose a lesson" }</a>{ "." }
                    </p>
                },
            } }
        </section>
    }
}
