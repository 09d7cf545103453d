//! The display settings on the Data page: the number format (presets, custom fields and a live
//! preview), the one-click suggestion an import makes ("Use 1.234,56 €", never applied
//! silently), and the colour theme. Choices go through the controller, which keeps them in
//! the settings store (and so in project files) and renders every page again.

use crate::analysis::numfmt::{self, NumberFormat, Preset, NARROW_NBSP};
use crate::ui::components::form::{select, Input};
use crate::ui::state::{AppContext, Theme};
use yew::prelude::*;

/// The thousands separators offered, as (value, text).
fn thousands_options() -> Vec<(String, String)> {
    [
        ("none", "none"),
        (",", "comma ,"),
        (".", "point ."),
        (" ", "space"),
        ("\u{202F}", "narrow no-break space"),
        ("'", "apostrophe '"),
    ]
    .iter()
    .map(|(v, t)| (v.to_string(), t.to_string()))
    .collect()
}

fn thousands_value(t: Option<char>) -> String {
    match t {
        None => "none".into(),
        Some('\u{00A0}') => " ".into(),
        Some(c) => c.to_string(),
    }
}

/// The "Number format" panel.
#[component]
pub fn NumberFormatPanel() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let f = ctx.state.number_format.clone();
    let error = use_state(|| None::<String>);
    let set = {
        let (ctl, error) = (ctx.ctl.clone(), error.clone());
        Callback::from(move |nf: NumberFormat| match nf.check() {
            Ok(()) => {
                error.set(None);
                ctl.set_number_format(nf);
            }
            Err(e) => error.set(Some(format!("Not changed: {e}."))),
        })
    };
    let presets: Vec<(String, String)> = Preset::ALL
        .iter()
        .map(|p| (p.name().to_string(), p.apply(&f).example()))
        .chain(std::iter::once(("custom".into(), "custom".into())))
        .collect();
    let current = f.preset().map_or("custom", Preset::name);
    let on_preset = {
        let (set, f) = (set.clone(), f.clone());
        Callback::from(move |v: String| {
            if let Some(p) = Preset::parse(&v) {
                set.emit(p.apply(&f));
            }
        })
    };
    let field = |apply: fn(&mut NumberFormat, String)| {
        let (set, f) = (set.clone(), f.clone());
        Callback::from(move |v: String| {
            let mut nf = f.clone();
            apply(&mut nf, v);
            set.emit(nf);
        })
    };
    let on_symbol = field(|nf, v| nf.symbol = v.trim().to_string());
    let on_decimals = field(|nf, v| {
        if let Ok(d) = v.trim().parse::<u8>() {
            nf.money_decimals = d;
        }
    });
    let choose = |apply: fn(&mut NumberFormat, &str)| {
        let (set, f) = (set.clone(), f.clone());
        Callback::from(move |v: String| {
            let mut nf = f.clone();
            apply(&mut nf, &v);
            set.emit(nf);
        })
    };
    let on_place = choose(|nf, v| {
        nf.symbol_after = v.starts_with("after");
        nf.symbol_space = v.ends_with("space");
    });
    let on_decimal = choose(|nf, v| {
        nf.decimal = if v == "," { ',' } else { '.' };
        if nf.thousands == Some(nf.decimal) {
            nf.thousands = Some(if nf.decimal == ',' { '.' } else { ',' });
        }
    });
    let on_thousands = choose(|nf, v| {
        nf.thousands = match v {
            "none" => None,
            " " => Some(' '),
            "\u{202F}" => Some(NARROW_NBSP),
            s => s.chars().next(),
        };
    });
    let place = format!(
        "{}{}",
        if f.symbol_after { "after" } else { "before" },
        if f.symbol_space { "-space" } else { "" }
    );
    let places: Vec<(String, String)> = [
        ("before", "before: $12"),
        ("before-space", "before, spaced: CHF 12"),
        ("after", "after: 12€"),
        ("after-space", "after, spaced: 12 €"),
    ]
    .iter()
    .map(|(v, t)| (v.to_string(), t.to_string()))
    .collect();
    let decimals: Vec<(String, String)> = vec![
        (".".into(), "point .".into()),
        (",".into(), "comma ,".into()),
    ];
    html! {
        <div class="card" data-testid="number-format">
            <h2>{ "Number format" }</h2>
            <p class="note">{ "How amounts and numbers are written on every page, chart, table, CSV export and the report." }</p>
            <div class="row">
                { select("Preset", "numfmt-preset", &presets, current, on_preset) }
                <label>{ "Currency symbol" }
                    <Input kind="text" value={f.symbol.clone()} on={on_symbol} testid="numfmt-symbol" style="width:5rem" />
                </label>
                { select("Symbol", "numfmt-place", &places, &place, on_place) }
                { select("Decimal separator", "numfmt-decimal", &decimals, &f.decimal.to_string(), on_decimal) }
                { select("Thousands separator", "numfmt-thousands", &thousands_options(), &thousands_value(f.thousands), on_thousands) }
                <label>{ "Money decimals" }
                    <Input kind="number" min="0" max="4" step="1" value={f.money_decimals.to_string()} on={on_decimals} testid="numfmt-decimals" style="width:4rem" />
                </label>
            </div>
            if let Some(e) = &*error { <p class="badge" role="alert">{ e }</p> }
            <p data-testid="numfmt-preview" aria-live="polite">{ format!("Preview: {} · {} · {} · CSV columns separated by {}",
                f.money(-1_234_567.891), f.number(1234.5, 1), f.percent(0.256, 1),
                if f.csv_delimiter() == b';' { "; (semicolon)" } else { ", (comma)" }) }</p>
        </div>
    }
}

/// Props of [`FormatSuggestion`].
#[derive(Properties, PartialEq)]
pub struct SuggestionProps {
    /// The decimal separator the import found.
    pub decimal: char,
    /// Example values of the imported columns.
    pub examples: Vec<String>,
}

/// Offers the number format an import suggests, when it differs from the current one.
#[component]
pub fn FormatSuggestion(p: &SuggestionProps) -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let Some(s) = numfmt::suggest(p.decimal, p.examples.iter().map(String::as_str)) else {
        return html! {};
    };
    let cur = &ctx.state.number_format;
    if s.decimal == cur.decimal && (s.symbol.is_empty() || s.symbol == cur.symbol) {
        return html! {};
    }
    let label = format!("Use {}", s.example());
    let ctl = ctx.ctl.clone();
    let onclick = Callback::from(move |_| ctl.set_number_format(s.clone()));
    html! {
        <p class="row" data-testid="numfmt-suggestion">
            <span class="note">{ "This file writes amounts differently from the app's number format." }</span>
            <button class="secondary" {onclick} data-testid="numfmt-suggest">{ label }</button>
        </p>
    }
}

/// The colour theme picker (System follows the browser's light or dark setting).
#[component]
pub fn ThemePicker() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let options: Vec<(String, String)> = Theme::ALL
        .iter()
        .map(|t| (t.name().to_string(), t.name().to_string()))
        .collect();
    let ctl = ctx.ctl.clone();
    let on = Callback::from(move |v: String| {
        if let Some(t) = Theme::parse(&v) {
            ctl.set_theme(t);
        }
    });
    html! {
        <span class="theme-picker">{ select("Theme", "theme-select", &options, ctx.state.theme.name(), on) }</span>
    }
}
