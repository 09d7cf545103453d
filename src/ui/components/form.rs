//! The form kit: a labelled number field (step, optional min/max and width, an error shown
//! beside it) and a labelled select, so every page renders and reads its inputs the same way.
//! Reading a typed number is [`crate::ui::format::parse_number`] (pure, tested natively), with
//! the user's decimal separator: with a decimal comma a number field is a text field;
//! range rules are the domain's (a page calls the domain's `check()` and passes its error here).

use crate::ui::format::parse_number;
use yew::prelude::*;

/// A labelled `<input type="number">`. Build it with [`NumberField::new`], add what it needs,
/// then render it with [`NumberField::view`] (raw text) or [`NumberField::view_number`].
#[derive(Debug, Clone, PartialEq)]
pub struct NumberField {
    label: String,
    testid: String,
    value: String,
    step: String,
    min: Option<String>,
    max: Option<String>,
    width: Option<String>,
    error: Option<Option<String>>,
}

impl NumberField {
    /// A field showing `value`, labelled `label` (its text exactly, spaces included), with
    /// `data-testid` = `testid` on the input and step 1.
    pub fn new(
        label: impl Into<String>,
        testid: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        NumberField {
            label: label.into(),
            testid: testid.into(),
            value: value.into(),
            step: "1".into(),
            min: None,
            max: None,
            width: None,
            error: None,
        }
    }

    /// The step of the arrows ("any" for none).
    pub fn step(mut self, step: &str) -> Self {
        self.step = step.into();
        self
    }

    /// The least value the arrows go to (a hint to the browser; rules are the domain's).
    pub fn min(mut self, min: &str) -> Self {
        self.min = Some(min.into());
        self
    }

    /// The largest value the arrows go to.
    pub fn max(mut self, max: &str) -> Self {
        self.max = Some(max.into());
        self
    }

    /// The input's CSS width (for instance "8rem").
    pub fn width(mut self, width: &str) -> Self {
        self.width = Some(width.into());
        self
    }

    /// Shows `error` beside the input (marked `aria-invalid`) when set; the field then always
    /// carries `aria-invalid`, "false" when there is no error.
    pub fn error(mut self, error: Option<String>) -> Self {
        self.error = Some(error);
        self
    }

    /// Renders the field; `on` gets the text as typed when it changes.
    pub fn view(self, on: Callback<String>) -> Html {
        let onchange = Callback::from(move |e: Event| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                on.emit(t.value());
            }
        });
        let style = self.width.map(|w| format!("width:{w}"));
        let invalid = self
            .error
            .as_ref()
            .map(|e| if e.is_some() { "true" } else { "false" });
        let error = self.error.flatten();
        // With a decimal comma the field is text (a number input takes only a point) and
        // shows its value with the comma; `parse_number` reads it with the chosen format.
        if crate::ui::format::current().decimal == ',' {
            let value = self.value.replace('.', ",");
            return html! {
                <label>{ self.label }
                    <input type="text" inputmode="decimal" {value} {onchange}
                           data-testid={self.testid} aria-invalid={invalid} {style} />
                    if let Some(e) = error { <span class="badge" role="alert">{ e }</span> }
                </label>
            };
        }
        html! {
            <label>{ self.label }
                <input type="number" step={self.step} min={self.min} max={self.max} value={self.value} {onchange}
                       data-testid={self.testid} aria-invalid={invalid} {style} />
                if let Some(e) = error { <span class="badge" role="alert">{ e }</span> }
            </label>
        }
    }

    /// Renders the field; `on` gets the number typed, when it is one (see [`parse_number`]).
    pub fn view_number(self, on: Callback<f64>) -> Html {
        self.view(Callback::from(move |text: String| {
            if let Some(x) = parse_number(&text) {
                on.emit(x);
            }
        }))
    }
}

/// A labelled `<select>`: `options` are (value, text); the one whose value is `selected` is
/// shown; `on` gets the chosen value.
pub fn select(
    label: &str,
    testid: &str,
    options: &[(String, String)],
    selected: &str,
    on: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            on.emit(s.value());
        }
    });
    html! {
        <label>{ label.to_string() }
            <select {onchange} data-testid={testid.to_string()}>
                { for options.iter().map(|(v, t)| html! { <option value={v.clone()} selected={v == selected}>{ t.clone() }</option> }) }
            </select>
        </label>
    }
}
