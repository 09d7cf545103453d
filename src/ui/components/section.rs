//! A section of a long page: its heading is a button that collapses and expands it
//! (`aria-expanded`), it registers with the page's [`Contents`](super::contents::Contents)
//! bar, and its collapsed state is remembered for the session. Printing shows every section
//! expanded (static/app.css).

use super::contents::{self, ContentsContext};
use crate::ui::sections::Change;
use yew::prelude::*;

/// A section id made from a title: lower case letters and digits joined by hyphens.
pub fn slug(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// Props of [`Section`].
#[derive(Properties, PartialEq)]
pub struct SectionProps {
    /// Stable id within the page (also the key of the remembered state), e.g. `trends`.
    pub id: AttrValue,
    /// The heading, also the entry in the contents bar.
    pub title: AttrValue,
    /// Test id of the section element.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// A `data-model` attribute on the section element (the lifetime-value model it shows).
    #[prop_or_default]
    pub data_model: Option<AttrValue>,
    /// Classes of the section element (a card unless told otherwise).
    #[prop_or(classes!("card"))]
    pub class: Classes,
    /// The content under the heading.
    #[prop_or_default]
    pub children: Html,
}

/// A collapsible page section with an `<h2>` heading.
#[component]
pub fn Section(p: &SectionProps) -> Html {
    let ctx = use_context::<ContentsContext>();
    let page = ctx.as_ref().map(|c| c.page.clone());
    let collapsed = use_state({
        let (page, id) = (page.clone(), p.id.clone());
        move || page.is_some_and(|pg| contents::collapsed(&pg).contains(id.as_str()))
    });
    {
        let registry = ctx.map(|c| c.registry);
        // This mounting's token: a section replaced by Yew under the same id registers anew.
        let mount = *use_state(contents::next_mount);
        use_effect_with((p.id.clone(), p.title.clone()), move |(id, title)| {
            if let Some(r) = &registry {
                r.dispatch(Change::Add(contents::Entry {
                    id: id.as_str().into(),
                    title: title.as_str().into(),
                    mount,
                }));
            }
            let id: std::rc::Rc<str> = id.as_str().into();
            move || {
                if let Some(r) = registry {
                    r.dispatch(Change::Remove { id, mount });
                }
            }
        });
    }
    let toggle = {
        let (collapsed, id) = (collapsed.clone(), p.id.clone());
        Callback::from(move |_: MouseEvent| {
            let now = !*collapsed;
            if let Some(pg) = &page {
                contents::remember(pg, &id, now);
            }
            collapsed.set(now);
        })
    };
    let body_id = format!("section-{}-body", p.id);
    html! {
        <section class={classes!("page-section", p.class.clone(), (*collapsed).then_some("collapsed"))}
            id={contents::section_dom_id(&p.id)} data-testid={p.testid.clone()} data-model={p.data_model.clone()}>
            <h2 id={contents::heading_dom_id(&p.id)} tabindex="-1">
                <button class="section-toggle" aria-expanded={(!*collapsed).to_string()} aria-controls={body_id.clone()}
                    onclick={toggle} data-testid="section-toggle">{ p.title.clone() }</button>
            </h2>
            <div class="section-body" id={body_id} hidden={*collapsed}>{ p.children.clone() }</div>
        </section>
    }
}
