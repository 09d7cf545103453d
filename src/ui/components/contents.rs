//! A long page's contents bar: the [`Contents`] wrapper collects the page's [`Section`]s
//! (they register through a context), lists them in page order in a bar that follows the
//! scroll and marks the section in view, and remembers which sections are collapsed for the
//! session (per page, in `sessionStorage`).
//!
//! [`Section`]: super::section::Section

use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::request_animation_frame;
use gloo::storage::{SessionStorage, Storage};
use gloo::timers::callback::Timeout;
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The sections registered on the page: (id, title), in registration order.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Registry {
    entries: Vec<(AttrValue, AttrValue)>,
}

/// A change to the [`Registry`].
pub enum RegistryAction {
    /// A section appeared or changed its title.
    Add(AttrValue, AttrValue),
    /// A section left the page.
    Remove(AttrValue),
}

impl Reducible for Registry {
    type Action = RegistryAction;
    fn reduce(self: Rc<Self>, action: RegistryAction) -> Rc<Self> {
        let mut entries = self.entries.clone();
        match action {
            RegistryAction::Add(id, title) => match entries.iter_mut().find(|(i, _)| *i == id) {
                Some(e) if e.1 == title => return self,
                Some(e) => e.1 = title,
                None => entries.push((id, title)),
            },
            RegistryAction::Remove(id) => {
                let before = entries.len();
                entries.retain(|(i, _)| *i != id);
                if entries.len() == before {
                    return self;
                }
            }
        }
        Rc::new(Self { entries })
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

/// The DOM id of a section's element.
pub fn section_dom_id(id: &str) -> String {
    format!("section-{id}")
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

/// The distance from the top of the document to `el`'s top, in CSS px.
fn page_top(el: &web_sys::HtmlElement) -> f64 {
    let mut top = f64::from(el.offset_top());
    let mut parent = el.offset_parent();
    while let Some(p) = parent.and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
        top += f64::from(p.offset_top());
        parent = p.offset_parent();
    }
    top
}

/// The registered sections in the order they appear on the page: document order, which needs
/// no layout (reading positions here, during a render, forced the browser to lay out the whole
/// page in the middle of the render: 67 ms on a page of a million customers).
fn in_page_order(reg: &Registry) -> Vec<(AttrValue, AttrValue)> {
    let mut v: Vec<(web_sys::HtmlElement, (AttrValue, AttrValue))> = reg
        .entries
        .iter()
        .filter_map(|e| Some((element(&section_dom_id(&e.0))?, e.clone())))
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

/// The section in view: the last one whose top is above a third of the window's height.
fn in_view(order: &[(AttrValue, AttrValue)]) -> Option<AttrValue> {
    let w = web_sys::window()?;
    let y = w.scroll_y().unwrap_or(0.0);
    let h = w
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(800.0);
    // At the very bottom of the page the last section is the one being read.
    let doc_h = gloo::utils::document()
        .document_element()
        .map(|d| f64::from(d.scroll_height()))
        .unwrap_or(0.0);
    if y > 0.0 && y + h >= doc_h - 2.0 {
        return order.last().map(|e| e.0.clone());
    }
    let line = y + h / 3.0;
    let mut current = order.first().map(|e| e.0.clone());
    for (id, _) in order {
        if element(&section_dom_id(id)).is_some_and(|el| page_top(&el) <= line) {
            current = Some(id.clone());
        }
    }
    current
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
                <div class="page-body">{ p.children.clone() }</div>
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
    let current = use_state(|| None::<AttrValue>);
    let last = use_mut_ref(|| None::<AttrValue>);
    let open = use_state(|| false);
    {
        let current = current.clone();
        use_effect_with(order.clone(), move |order| {
            let update = {
                let order = order.clone();
                move || {
                    let now = in_view(&order);
                    if *last.borrow() != now {
                        *last.borrow_mut() = now.clone();
                        current.set(now);
                    }
                }
            };
            let update = Rc::new(update);
            // The first look once the browser has laid the page out for its next frame (a
            // timer set in the frame callback runs after that frame): reading positions now,
            // right after the render changed the page, would force a layout of its own.
            let timer = Rc::new(std::cell::RefCell::new(None::<Timeout>));
            let frame = {
                let (update, timer) = (update.clone(), timer.clone());
                request_animation_frame(move |_| {
                    *timer.borrow_mut() = Some(Timeout::new(0, move || update()));
                })
            };
            let listeners: Vec<EventListener> = ["scroll", "resize"]
                .into_iter()
                .map(|ev| {
                    let update = update.clone();
                    EventListener::new_with_options(
                        &gloo::utils::window(),
                        ev,
                        EventListenerOptions::default(),
                        move |_| update(),
                    )
                })
                .collect();
            move || {
                drop(frame);
                timer.borrow_mut().take();
                drop(listeners);
            }
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
                { for order.iter().map(|(id, title)| {
                    let here = current.as_ref() == Some(id);
                    let onclick = {
                        let (id, open) = (id.clone(), open.clone());
                        Callback::from(move |_: MouseEvent| {
                            open.set(false);
                            go_to(&id);
                        })
                    };
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
