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
        let style = self.width.map(|w| format!("width:{w}"));
        let invalid = self
            .error
            .as_ref()
            .map(|e| if e.is_some() { "true" } else { "false" });
        let error = self.error.flatten();
        // With a decimal comma the field is text (a number input takes only a point) and
        // shows its value with the comma; `parse_number` reads it with the chosen format.
        let comma = crate::ui::format::current().decimal == ',';
        let input = html! {
            <Input kind={if comma { "text" } else { "number" }}
                inputmode={comma.then_some("decimal")}
                value={if comma { self.value.replace('.', ",") } else { self.value }}
                step={(!comma).then_some(self.step)} min={self.min.filter(|_| !comma)} max={self.max.filter(|_| !comma)}
                testid={self.testid} invalid={invalid} style={style} on={on} />
        };
        html! {
            <label>{ self.label }
                { input }
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

/// Props of [`Input`].
#[derive(Properties, PartialEq, Default)]
pub struct InputProps {
    /// The input's `type` ("text", "number", "date").
    pub kind: &'static str,
    /// The value the page holds.
    pub value: String,
    /// Gets the text when it changes (the `change` event: on leaving the field or Enter).
    pub on: Callback<String>,
    /// `data-testid`.
    #[prop_or_default]
    pub testid: Option<String>,
    /// `aria-label`, when no `<label>` wraps it.
    #[prop_or_default]
    pub aria_label: Option<String>,
    /// `aria-invalid`.
    #[prop_or_default]
    pub invalid: Option<&'static str>,
    /// `inputmode`.
    #[prop_or_default]
    pub inputmode: Option<&'static str>,
    /// Inline style (a width).
    #[prop_or_default]
    pub style: Option<String>,
    /// `step`, `min`, `max` of a number field.
    #[prop_or_default]
    pub step: Option<String>,
    /// Least value.
    #[prop_or_default]
    pub min: Option<String>,
    /// Largest value.
    #[prop_or_default]
    pub max: Option<String>,
    /// `placeholder`.
    #[prop_or_default]
    pub placeholder: Option<String>,
    /// `size`.
    #[prop_or_default]
    pub size: Option<String>,
}

/// An input that keeps what is being typed in its own state until it is left, so the page
/// rendering again meanwhile (a progress update, data arriving) does not put back the old
/// value and lose the typing (Yew writes an input's `value` on every render); a new value from
/// the page replaces it. Every typed field of the app is one of these.
#[component]
pub fn Input(p: &InputProps) -> Html {
    let text = use_state(|| p.value.clone());
    {
        let text = text.clone();
        use_effect_with(p.value.clone(), move |v| {
            if *text != *v {
                text.set(v.clone());
            }
        });
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                text.set(t.value());
            }
        })
    };
    let onchange = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                on.emit(t.value());
            }
        })
    };
    html! {
        <input type={p.kind} value={(*text).clone()} {oninput} {onchange}
               data-testid={p.testid.clone()} aria-label={p.aria_label.clone()} aria-invalid={p.invalid}
               inputmode={p.inputmode} style={p.style.clone()} step={p.step.clone()} min={p.min.clone()}
               max={p.max.clone()} placeholder={p.placeholder.clone()} size={p.size.clone()} />
    }
}
