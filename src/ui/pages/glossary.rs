//! The Glossary page: every term the app shows, in plain words with its formula, searchable by
//! typing, one anchor per term (`#/glossary?term=p-alive` opens it and scrolls to it). The
//! terms are data ([`crate::analysis::glossary`]).

use crate::analysis::glossary::{self, Term};
use serde::Deserialize;
use yew::prelude::*;

/// The query of a link into the glossary.
#[derive(Deserialize, Default)]
struct GlossaryQuery {
    term: Option<String>,
}

fn entry(t: &Term, current: bool) -> Html {
    html! {
        <article class={classes!("card", "glossary-term", current.then_some("current"))} id={format!("term-{}", t.id)}
            data-testid={format!("term-{}", t.id)} tabindex="-1">
            <h2>{ t.name }</h2>
            <p>{ t.definition }</p>
            if !t.formula.is_empty() { <p class="formula">{ t.formula }</p> }
            if !t.related.is_empty() {
                <p class="note">{ "See also: " }
                    { for t.related.iter().enumerate().map(|(i, r)| {
                        let name = glossary::term(r).map_or(*r, |x| x.name);
                        html! { <>{ if i > 0 { ", " } else { "" } }<a href={glossary::href(r)}>{ name }</a></> }
                    }) }
                </p>
            }
        </article>
    }
}

/// The Glossary page.
#[component]
pub fn GlossaryPage() -> Html {
    let linked = yew_router::hooks::use_location()
        .and_then(|l| l.query::<GlossaryQuery>().ok())
        .and_then(|q| q.term);
    let query = use_state(String::new);
    let hits = glossary::search(&query);
    let shown = linked
        .as_deref()
        .is_some_and(|id| hits.iter().any(|t| t.id == id));
    {
        // Scroll to (and focus) the linked term once it is shown; a search that hides it is
        // cleared first.
        let (linked, query) = (linked.clone(), query.clone());
        let handled = use_mut_ref(|| None::<String>);
        use_effect_with((linked, shown), move |(linked, shown)| {
            let Some(id) = linked else {
                return;
            };
            if handled.borrow().as_ref() == Some(id) {
                return;
            }
            if !*shown {
                query.set(String::new());
                return;
            }
            if let Some(el) = gloo::utils::document().get_element_by_id(&format!("term-{id}")) {
                el.scroll_into_view();
                if let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                    let _ = h.focus();
                }
            }
            *handled.borrow_mut() = Some(id.clone());
        });
    }
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            query.set(v);
        })
    };
    let total = glossary::TERMS.len();
    html! {
        <section class="glossary">
            <h1>{ "Glossary" }</h1>
            <p class="lead">{ "Every term the app shows, in plain words, with its formula. The \"?\" buttons beside the figures open the same definitions filled in with your own numbers." }</p>
            <label for="glossary-search">{ "Search the glossary " }</label>
            <input id="glossary-search" type="search" value={(*query).clone()} {oninput} data-testid="glossary-search"
                placeholder="e.g. P(alive), NPS, retention" />
            <p class="note" role="status" data-testid="glossary-count">{
                if query.trim().is_empty() { format!("{total} terms") } else { format!("{} of {total} terms match \"{}\"", hits.len(), query.trim()) }
            }</p>
            <div class="glossary-list" data-testid="glossary-list">
                { for hits.iter().map(|t| entry(t, linked.as_deref() == Some(t.id))) }
            </div>
        </section>
    }
}
