//! A long page's contents bar: the [`Contents`] wrapper collects the page's [`Section`]s
//! (they register through a context), lists them in page order in a bar that follows the
//! scroll and marks the section in view, and remembers which sections are collapsed for the
//! session (per page, in `sessionStorage`).
//!
//! [`Section`]: super::section::Section

use gloo::storage::{SessionStorage, Storage};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::ui::sections::{apply, in_view, Change, Seen};
pub use crate::ui::sections::{next_mount, section_dom_id, Entry};

/// The sections registered on the page, in registration order (see [`crate::ui::sections`]).
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Reducible for Registry {
    type Action = Change;
    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        match apply(&self.entries, change) {
            Some(entries) => Rc::new(Self { entries }),
            None => self,
        }
    }
}

/// What a [`Section`](super::section::Section) finds above it: where to register, and the
/// page's key for the remembered collapsed state.
#[derive(Clone, PartialEq)]
pub struct ContentsContext {
    /// The page's sections.
    pub registry: UseReducerHandle<Registry>,
    /// The page, as a storage key (`segments`).
    pub page: AttrValue,
}

fn storage_key(page: &str) -> String {
    format!("crm.collapsed.{page}")
}

/// The ids of the sections collapsed on `page` in this session.
pub fn collapsed(page: &str) -> BTreeSet<String> {
    SessionStorage::get::<BTreeSet<String>>(storage_key(page)).unwrap_or_default()
}

/// Remembers for the session that section `id` of `page` is collapsed (or not).
pub fn remember(page: &str, id: &str, is_collapsed: bool) {
    let mut set = collapsed(page);
    if is_collapsed {
        set.insert(id.to_string());
    } else {
        set.remove(id);
    }
    // Storage may be full or off (private windows): the state then lasts only while the page
    // is open, which is what the user sees anyway.
    let _ = SessionStorage::set(storage_key(page), &set);
}

/// The DOM id of a section's heading (the focus target of the contents bar).
pub fn heading_dom_id(id: &str) -> String {
    format!("section-{id}-heading")
}

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    gloo::utils::document()
        .get_element_by_id(id)?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// The registered sections in the order they appear on the page: document order, which needs
/// no layout (reading positions here, during a render, forced the browser to lay out the whole
/// page in the middle of the render: 67 ms on a page of a million customers).
fn in_page_order(reg: &Registry) -> Vec<Entry> {
    let mut v: Vec<(web_sys::HtmlElement, Entry)> = reg
        .entries
        .iter()
        .filter_map(|e| Some((element(&section_dom_id(&e.id))?, e.clone())))
        .collect();
    crate::domain::order::sort_by(&mut v, |a, b| {
        if a.0 == b.0 {
            std::cmp::Ordering::Equal
        } else if a.0.compare_document_position(&b.0) & web_sys::Node::DOCUMENT_POSITION_FOLLOWING
            != 0
        {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        }
    });
    v.into_iter().map(|(_, e)| e).collect()
}

/// The DOM ids of the empty markers at the start and the end of the page's body.
const START_ID: &str = "contents-start";
const END_ID: &str = "contents-end";

/// Observers reporting into a [`Seen`]; they stop when dropped.
struct Spies {
    observers: Vec<web_sys::IntersectionObserver>,
    _report: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Spies {
    fn drop(&mut self) {
        for o in &self.observers {
            o.disconnect();
        }
    }
}

/// Watches the sections of `order` and the page's start and end markers; `changed` runs after
/// each report.
fn spy(order: &[Entry], seen: Rc<RefCell<Seen>>, changed: impl Fn() + 'static) -> Option<Spies> {
    let report = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        {
            let mut seen = seen.borrow_mut();
            for e in entries.iter() {
                let Ok(e) = e.dyn_into::<web_sys::IntersectionObserverEntry>() else {
                    continue;
                };
                let (id, on) = (e.target().id(), e.is_intersecting());
                match id.as_str() {
                    START_ID => seen.start = on,
                    END_ID => seen.end = on,
                    _ if on => {
                        seen.inside.insert(id);
                    }
                    _ => {
                        seen.inside.remove(&id);
                    }
                }
            }
        }
        changed();
    });
    let f = report.as_ref().unchecked_ref();
    // The top third of the window for the sections, the whole window for the markers.
    let init = web_sys::IntersectionObserverInit::new();
    init.set_root_margin("0px 0px -66% 0px");
    let sections = web_sys::IntersectionObserver::new_with_options(f, &init).ok()?;
    let edges = web_sys::IntersectionObserver::new(f).ok()?;
    for e in order {
        if let Some(el) = element(&section_dom_id(&e.id)) {
            sections.observe(&el);
        }
    }
    for id in [START_ID, END_ID] {
        if let Some(el) = element(id) {
            edges.observe(&el);
        }
    }
    Some(Spies {
        observers: vec![sections, edges],
        _report: report,
    })
}

/// Scrolls to section `id` and moves the focus to its heading.
pub fn go_to(id: &str) {
    if let Some(h) = element(&heading_dom_id(id)) {
        h.scroll_into_view();
        let _ = h.focus();
    }
}

/// Props of [`Contents`].
#[derive(Properties, PartialEq)]
pub struct ContentsProps {
    /// The page, as a storage key.
    pub page: AttrValue,
    /// The page.
    pub children: Html,
}

/// Wraps a page: a contents bar of its sections beside (on narrow screens: above) the page.
#[component]
pub fn Contents(p: &ContentsProps) -> Html {
    let registry = use_reducer(Registry::default);
    let ctx = ContentsContext {
        registry: registry.clone(),
        page: p.page.clone(),
    };
    let has = !registry.entries.is_empty();
    html! {
        <ContextProvider<ContentsContext> context={ctx}>
            <div class={classes!("with-contents", has.then_some("has-contents"))}>
                if has { <ContentsBar registry={(*registry).clone()} /> }
                <div class="page-body">
                    <div id={START_ID} aria-hidden="true"></div>
                    { p.children.clone() }
                    <div id={END_ID} aria-hidden="true"></div>
                </div>
            </div>
        </ContextProvider<ContentsContext>>
    }
}

#[derive(Properties, PartialEq)]
struct BarProps {
    registry: Registry,
}

/// The bar itself: one button per section, the one in view marked `aria-current`.
#[component]
fn ContentsBar(p: &BarProps) -> Html {
    let order = in_page_order(&p.registry);
    let current = use_state(|| None::<Rc<str>>);
    let last = use_mut_ref(|| None::<Rc<str>>);
    let open = use_state(|| false);
    {
        let (current, last) = (current.clone(), last.clone());
        use_effect_with(order.clone(), move |order| {
            let seen = Rc::new(RefCell::new(Seen::default()));
            let changed = {
                let (order, seen) = (order.clone(), seen.clone());
                move || {
                    let now = in_view(&order, &seen.borrow(), last.borrow().clone());
                    if *last.borrow() != now {
                        *last.borrow_mut() = now.clone();
                        current.set(now);
                    }
                }
            };
            // The browser reports every observed element once at the start, after its next
            // layout, and then whenever one crosses in or out.
            let spies = spy(order, seen, changed);
            move || drop(spies)
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <nav class={classes!("contents-bar", "no-print", (*open).then_some("open"))} aria-label="On this page" data-testid="contents-bar">
            <button class="secondary contents-toggle" aria-expanded={open.to_string()} aria-controls="contents-list" onclick={toggle} data-testid="contents-toggle">
                { format!("On this page ({})", order.len()) }
            </button>
            <p class="contents-title" aria-hidden="true">{ "On this page" }</p>
            <ul id="contents-list">
                { for order.iter().map(|Entry { id, title, .. }| {
                    let here = current.as_ref() == Some(id);
                    // The entry followed is marked at once; the observers take over from the
                    // next scroll (a short last section may never reach the window's top third).
                    let onclick = {
                        let (id, open, current, last) = (id.clone(), open.clone(), current.clone(), last.clone());
                        Callback::from(move |_: MouseEvent| {
                            open.set(false);
                            go_to(&id);
                            *last.borrow_mut() = Some(id.clone());
                            current.set(Some(id.clone()));
                        })
                    };
                    let (id, title) = (AttrValue::from(id.clone()), AttrValue::from(title.clone()));
                    html! {
                        <li>
                            <button class={classes!("contents-link", here.then_some("current"))}
                                aria-current={here.then_some("location")}
                                onclick={onclick} data-testid={format!("contents-{id}")}>{ title.clone() }</button>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
