//! Classroom tools in the header: the guided tour a teacher steps through across the pages
//! (Back / Next / Close, → / ← / Esc, focus moved into the tour panel, the element each step
//! explains highlighted) and projector mode (large type, high contrast; a data attribute on
//! `<html>`, remembered in the settings store under "projector"). The steps are data
//! ([`STEPS`]).

use crate::ui::app::Route;
use crate::ui::state::AppContext;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

/// One step of the tour: the page it opens, the element it points at and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The page.
    pub route: Route,
    /// CSS selector of the element explained (the page's heading when it is not there yet).
    pub target: &'static str,
    /// Title.
    pub title: &'static str,
    /// What to show the room, in plain words.
    pub text: &'static str,
}

/// The tour, in order (it runs on the built-in sample data the app opens with).
pub const STEPS: &[Step] = &[
    Step { route: Route::Overview, target: "[data-testid=overview-figures]", title: "The figures that matter most", text: "How many customers there are, how many are still active, what they are worth together (customer equity), how concentrated revenue is, and how satisfied they are. Press the \"?\" beside a figure to see its formula filled in with these numbers." },
    Step { route: Route::Overview, target: "[data-testid=actions]", title: "What to do about it", text: "Each recommended action names a segment and the figure behind it, with a link to its customers." },
    Step { route: Route::Data, target: "[data-testid=summary-kpis]", title: "The data", text: "A transaction log: one row per purchase (customer, date, amount). Everything is computed in this browser; nothing is uploaded." },
    Step { route: Route::Segments, target: "[data-testid=segment-table]", title: "Segments by recency, frequency and money", text: "Each customer gets an R, an F and an M score from 1 to 5; the R and F scores name the segment (Champions, At Risk, …)." },
    Step { route: Route::Satisfaction, target: "[data-testid=score-cards]", title: "Satisfaction", text: "NPS and CSAT with their 95% intervals: a small survey gives a wide interval, so small differences may be noise." },
    Step { route: Route::LifetimeValue, target: "[data-testid=params]", title: "Lifetime value", text: "A buy-till-you-die model (BG/NBD) learns from when and how often customers bought; it gives each customer a probability of still being a customer, expected purchases and a lifetime value." },
    Step { route: Route::Strategy, target: "[data-testid=equity-card]", title: "Value and strategy", text: "Customer equity is the sum of every customer's lifetime value: what the customer base is worth, and where to spend on keeping or winning customers." },
    Step { route: Route::Learn, target: "main h1", title: "Learn", text: "Lessons with sliders and every formula filled in with live numbers, and exercises that check themselves." },
    Step { route: Route::Glossary, target: "[data-testid=glossary-search]", title: "Glossary", text: "Every term the app uses, in plain words with its formula. Type to search; the link is in the header on every page." },
];

/// The attribute that marks the element a step explains (styled in app.css).
const HIGHLIGHT: &str = "data-tour-target";

fn clear_highlight() {
    let doc = gloo::utils::document();
    if let Ok(list) = doc.query_selector_all(&format!("[{HIGHLIGHT}]")) {
        for i in 0..list.length() {
            if let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.remove_attribute(HIGHLIGHT);
            }
        }
    }
}

/// Marks the step's target (or the page heading until it exists); true once the target itself
/// was found.
fn highlight(target: &str, scroll: bool) -> bool {
    let doc = gloo::utils::document();
    let found = doc.query_selector(target).ok().flatten();
    let is_target = found.is_some();
    let el = found.or_else(|| doc.query_selector("main h1").ok().flatten());
    if let Some(el) = el {
        if !el.has_attribute(HIGHLIGHT) {
            clear_highlight();
            let _ = el.set_attribute(HIGHLIGHT, "");
            if scroll {
                el.scroll_into_view();
            }
        }
    }
    is_target
}

fn typing_in(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// The "Tour" button and, while the tour runs, its panel.
#[component]
pub fn Tour() -> Html {
    let step = use_state(|| None::<usize>);
    let navigator = use_navigator();
    let heading = use_node_ref();
    let button = use_node_ref();
    let last = STEPS.len() - 1;
    // Open the step's page, highlight its element, move focus into the panel.
    {
        let heading = heading.clone();
        use_effect_with(*step, move |s| {
            let mut poll = None;
            if let Some(st) = s.and_then(|i| STEPS.get(i)) {
                if let Some(n) = &navigator {
                    n.push(&st.route);
                }
                if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                    let _ = h.focus();
                }
                let target = st.target;
                let mut scrolled = false;
                // The page may still be computing: keep the mark on the element once it shows.
                poll = Some(Interval::new(250, move || {
                    let found = highlight(target, !scrolled);
                    scrolled |= found;
                }));
            } else {
                clear_highlight();
            }
            move || {
                drop(poll);
                clear_highlight();
            }
        });
    }
    // Keys: → next, ← back, Esc close (not while typing in a field).
    {
        let step = step.clone();
        let button = button.clone();
        use_effect_with(*step, move |s| {
            let listener = s.map(|i| {
                let opts = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(
                    &gloo::utils::document(),
                    "keydown",
                    opts,
                    move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        if typing_in(e) {
                            return;
                        }
                        match e.key().as_str() {
                            "ArrowRight" if i < last => step.set(Some(i + 1)),
                            "ArrowLeft" if i > 0 => step.set(Some(i - 1)),
                            "Escape" => {
                                step.set(None);
                                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                                    let _ = b.focus();
                                }
                            }
                            _ => return,
                        }
                        e.prevent_default();
                    },
                )
            });
            move || drop(listener)
        });
    }
    let go = |to: Option<usize>| {
        let (step, button) = (step.clone(), button.clone());
        Callback::from(move |_: MouseEvent| {
            step.set(to);
            if to.is_none() {
                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    let panel = step.and_then(|i| STEPS.get(i).map(|s| (i, s))).map(|(i, s)| {
        html! {
            <div class="tour-panel" role="dialog" aria-modal="false" aria-labelledby="tour-title" aria-describedby="tour-text"
                data-testid="tour-panel" data-step={i.to_string()}>
                <p class="tour-count" data-testid="tour-count">{ format!("{} of {}", i + 1, STEPS.len()) }</p>
                <h2 id="tour-title" tabindex="-1" ref={heading.clone()} data-testid="tour-title">{ s.title }</h2>
                <p id="tour-text">{ s.text }</p>
                <p class="note">{ "Keys: → next, ← back, Esc closes." }</p>
                <div class="row">
                    <button type="button" class="secondary" onclick={go(i.checked_sub(1))} disabled={i == 0} data-testid="tour-back">{ "Back" }</button>
                    if i < last {
                        <button type="button" onclick={go(Some(i + 1))} data-testid="tour-next">{ "Next" }</button>
                    } else {
                        <button type="button" onclick={go(None)} data-testid="tour-finish">{ "Finish" }</button>
                    }
                    <button type="button" class="secondary" onclick={go(None)} data-testid="tour-close">{ "Close" }</button>
                </div>
            </div>
        }
    });
    let start = go(Some(0));
    html! { <>
        <button type="button" class="header-btn" ref={button} onclick={start} aria-expanded={if step.is_some() { "true" } else { "false" }}
            data-testid="tour-start">{ "Tour" }</button>
        { panel.unwrap_or_default() }
    </> }
}

/// The "Projector" switch: large type and high contrast for a room, remembered.
#[component]
pub fn ProjectorToggle() -> Html {
    let ctx = use_context::<AppContext>();
    let on = use_state(|| false);
    let ready = ctx.as_ref().is_some_and(|c| c.state.boot.ready().is_some());
    {
        let on = on.clone();
        let ctl = ctx.as_ref().map(|c| c.ctl.clone());
        use_effect_with(ready, move |ready| {
            if let (true, Some(ctl)) = (*ready, ctl) {
                ctl.page_setting::<bool>("projector", move |v| {
                    if let Some(v) = v {
                        on.set(v);
                    }
                });
            }
        });
    }
    use_effect_with(*on, |on| {
        if let Some(el) = gloo::utils::document().document_element() {
            let _ = if *on {
                el.set_attribute("data-projector", "on")
            } else {
                el.remove_attribute("data-projector")
            };
        }
    });
    let onclick = {
        let on = on.clone();
        let ctl = ctx.as_ref().map(|c| c.ctl.clone());
        Callback::from(move |_: MouseEvent| {
            let v = !*on;
            on.set(v);
            if let Some(ctl) = &ctl {
                ctl.set_page_setting("projector", v);
            }
        })
    };
    html! {
        <button type="button" class="header-btn" aria-pressed={if *on { "true" } else { "false" }} {onclick}
            title="Large type and high contrast for a room" data-testid="projector-toggle">{ "Projector" }</button>
    }
}
