//! The lessons of the Learn page: one file per lesson, each an interactive view whose formulas
//! are filled in with the live numbers. The calculations are in
//! [`crate::analysis::lessons`]; these views only read inputs and render. Shared here: the
//! lesson list (keys kept in the URL, `#/learn?lesson=retention`), the slider and table-cell
//! inputs, the editable tables ([`table`]), each lesson's exercises ([`lesson_end`]) and the BG/NBD step-by-step lesson ([`bgnbd_lesson`]).

pub mod clv;
pub mod perceived;
pub mod relationships;
pub mod retention;
pub mod rfm;
pub mod satisfaction;
pub mod table;
pub mod wallet;

use crate::ui::components::Input;
use crate::ui::format::parse_number;
use yew::prelude::*;

/// The lessons, in teaching order: (key in the URL, title in the list).
pub const LESSONS: [(&str, &str); 9] = [
    ("clv", "Lifetime value"),
    ("retention", "Retention economics"),
    ("satisfaction", "Satisfaction"),
    ("perceived-value", "Perceived value"),
    ("share-of-wallet", "Share of wallet"),
    ("rfm", "RFM"),
    ("relationships", "Relationship levels"),
    ("bgnbd", "BG/NBD step by step"),
    ("simulator", "Simulator"),
];

/// The end of every lesson: its exercises on a seeded data set, checked with a stated tolerance
/// (see [`crate::ui::pages::exercises`]).
pub fn lesson_end(key: &'static str) -> Html {
    html! { <crate::ui::pages::exercises::Exercises lesson={key} /> }
}

/// The BG/NBD step-by-step lesson (see [`crate::ui::pages::bgnbd_lesson`]), with its exercises.
pub fn bgnbd_lesson() -> Html {
    html! {
        <div data-testid="lesson-bgnbd">
            <crate::ui::pages::bgnbd_lesson::BgnbdLesson />
            { lesson_end("bgnbd") }
        </div>
    }
}

/// Renders the lesson of `key`; None for an unknown key.
pub fn lesson(key: &str) -> Option<Html> {
    Some(match key {
        "clv" => html! { <clv::ClvLesson /> },
        "retention" => html! { <retention::RetentionLesson /> },
        "satisfaction" => html! { <satisfaction::SatisfactionLesson /> },
        "perceived-value" => html! { <perceived::PerceivedValueLesson /> },
        "share-of-wallet" => html! { <wallet::WalletLesson /> },
        "rfm" => html! { <rfm::RfmLesson /> },
        "relationships" => html! { <relationships::RelationshipsLesson /> },
        "bgnbd" => bgnbd_lesson(),
        "simulator" => html! { <super::simulator::SimulatorCard /> },
        _ => return None,
    })
}

/// Props of [`Slider`].
#[derive(Properties, PartialEq)]
pub struct SliderProps {
    /// Label (also the accessible name).
    pub label: AttrValue,
    /// Least value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Step.
    pub step: f64,
    /// Current value.
    pub value: f64,
    /// Gets the new value.
    pub on_change: Callback<f64>,
    /// `data-testid` of the input.
    pub testid: AttrValue,
}

/// A labelled range input showing its value.
#[component]
pub fn Slider(p: &SliderProps) -> Html {
    let cb = p.on_change.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            if let Ok(v) = i.value().parse::<f64>() {
                cb.emit(v);
            }
        }
    });
    html! {
        <label>{ format!("{}: {}", p.label, p.value) }
            <input type="range" min={p.min.to_string()} max={p.max.to_string()} step={p.step.to_string()}
                value={p.value.to_string()} {oninput} data-testid={p.testid.clone()} aria-label={p.label.clone()} />
        </label>
    }
}

/// A number input for a table cell: no visible label (the column header is one), `name` is its
/// accessible name; `on` gets the number when the edit is committed (change: Enter or leaving
/// the cell) and is a number.
pub fn num_cell(name: String, testid: String, value: f64, on: Callback<f64>) -> Html {
    let on = Callback::from(move |v: String| {
        if let Some(x) = parse_number(&v) {
            on.emit(x);
        }
    });
    html! {
        <Input kind="number" step="any" value={trim(value)} {on} aria_label={name}
               testid={testid} style="width:6.5rem" />
    }
}

/// A text input for a table cell (see [`num_cell`]).
pub fn text_cell(name: String, testid: String, value: String, on: Callback<String>) -> Html {
    html! {
        <Input kind="text" {value} {on} aria_label={name} testid={testid} style="width:8rem" />
    }
}

/// A number as typed back into an input: no trailing zeros.
pub fn trim(v: f64) -> String {
    format!("{v}")
}

/// The formula box: the general formula, then the same with the live numbers.
pub fn formula(general: &str, filled: String, testid: &'static str) -> Html {
    html! {
        <div class="formula" data-testid={testid}>{ general }{ "\n" }{ filled }</div>
    }
}

/// A plain error line for inputs the calculation refused.
pub fn refused(e: &impl std::fmt::Display) -> Html {
    html! { <p class="errbox" role="alert" data-testid="lesson-error">{ e.to_string() }</p> }
}
