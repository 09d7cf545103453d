//! The app shell: header, navigation, routes, and the context every page reads.

use crate::ui::components::Contents;
use crate::ui::pages;
use crate::ui::state::{AppContext, AppState, Controller, ProgressContext};
use yew::prelude::*;
use yew_router::prelude::*;

/// The pages, as URL fragments (`#/segments`) so any static host serves deep links and the
/// back button works.
#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    /// Data: import, datasets, storage.
    #[at("/")]
    Data,
    /// Segments.
    #[at("/segments")]
    Segments,
    /// Satisfaction.
    #[at("/satisfaction")]
    Satisfaction,
    /// Lifetime value.
    #[at("/lifetime-value")]
    LifetimeValue,
    /// Value and strategy.
    #[at("/strategy")]
    Strategy,
    /// Learn: concepts and formulas.
    #[at("/learn")]
    Learn,
    /// Overview: the first page once data exists.
    #[at("/overview")]
    Overview,
    /// The report's print view.
    #[at("/report")]
    Report,
    /// Glossary: every term, searchable (`?term=p-alive` opens one).
    #[at("/glossary")]
    Glossary,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
    /// Old links to a lesson's exercises (`#/exercises?lesson=…`): replaced by the lesson.
    #[at("/exercises")]
    Exercises,
}

const NAV: [(Route, &str); 7] = [
    (Route::Overview, "Overview"),
    (Route::Data, "Data"),
    (Route::Segments, "Segments"),
    (Route::Satisfaction, "Satisfaction"),
    (Route::LifetimeValue, "Lifetime value"),
    (Route::Strategy, "Value & strategy"),
    (Route::Learn, "Learn"),
];

/// An analysis page with its contents bar (keyed by page, so each page starts its own list).
fn with_contents(page: &'static str, body: Html) -> Html {
    html! { <Contents key={page} page={page}>{ body }</Contents> }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Data => with_contents("data", html! { <pages::data::DataPage /> }),
        Route::Segments => with_contents("segments", html! { <pages::segments::SegmentsPage /> }),
        Route::Satisfaction => with_contents(
            "satisfaction",
            html! { <pages::satisfaction::SatisfactionPage /> },
        ),
        Route::LifetimeValue => with_contents("lifetime-value", html! { <pages::ltv::LtvPage /> }),
        Route::Strategy => with_contents("strategy", html! { <pages::strategy::StrategyPage /> }),
        Route::Learn => with_contents("learn", html! { <pages::learn::LearnPage /> }),
        Route::Overview => with_contents("overview", html! { <pages::overview::OverviewPage /> }),
        Route::Report => html! { <pages::report::ReportPage /> },
        Route::Glossary => html! { <pages::glossary::GlossaryPage /> },
        Route::NotFound => html! {
            <section><h1>{ "Page not found" }</h1>
            <p>{ "There is no such page. " }<Link<Route> to={Route::Data}>{ "Go to your data" }</Link<Route>></p></section>
        },
        Route::Exercises => html! { <pages::exercises::ExercisesPage /> },
    }
}

#[component]
fn Nav() -> Html {
    let current = use_route::<Route>();
    html! {
        <nav class="main" aria-label="Main">
            { for NAV.iter().map(|(r, label)| {
                let active = current.as_ref() == Some(r);
                html! {
                    <Link<Route> to={r.clone()} classes={classes!(active.then_some("active"))}>
                        <span aria-current={if active { "page" } else { "false" }} data-testid={format!("nav-{}", label.to_lowercase().replace([' ', '&'], "-"))}>{ *label }</span>
                    </Link<Route>>
                }
            }) }
        </nav>
    }
}

#[component]
fn Header() -> Html {
    let ctx = use_context::<AppContext>();
    let name = ctx
        .as_ref()
        .and_then(|c| {
            c.state
                .workspace
                .transactions
                .as_ref()
                .map(|s| s.meta.name.clone())
        })
        .unwrap_or_else(|| "No data loaded".into());
    html! {
        <header class="top">
            <a class="title" href="#/"><img src="icon.svg" alt="" width="28" height="28" />{ "Customer Analytics" }</a>
            <span class="privacy" data-testid="privacy" title="Your data stays in this browser: nothing is uploaded">{ "Your data stays in this browser: nothing is uploaded" }</span>
            <span class="dataset" data-testid="active-dataset" title={format!("Data: {name}")}>{ format!("Data: {name}") }</span>
            <crate::ui::components::settings::ThemePicker />
            <span class="class-tools"><a class="header-btn" href="#/glossary" data-testid="glossary-link">{ "Glossary" }</a><crate::ui::components::tour::Tour /><crate::ui::components::tour::ProjectorToggle /></span>
        </header>
    }
}

/// Whether the app was opened with no address after the page (no `#`): read before the
/// router writes its own `#/`.
fn opened_bare() -> bool {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .is_none_or(|h| h.is_empty())
}

/// Props of [`StartOnOverview`].
#[derive(Properties, PartialEq)]
struct StartProps {
    /// The app was opened with no address after the page.
    bare: bool,
}

/// Opens the Overview instead of the Data page once data is open, when the app was opened at
/// its bare address and the user has not gone to another page yet (a link to `#/`, the Data
/// page, stays there).
#[component]
fn StartOnOverview(p: &StartProps) -> Html {
    let ctx = use_context::<AppContext>();
    let navigator = use_navigator();
    let route = use_route::<Route>();
    let pending = use_mut_ref(|| p.bare);
    let has_data = ctx
        .as_ref()
        .is_some_and(|c| c.state.workspace.transactions.is_some());
    use_effect_with((has_data, route), move |(has_data, route)| {
        if !*pending.borrow() {
            return;
        }
        match route {
            Some(Route::Data) if *has_data => {
                *pending.borrow_mut() = false;
                if let Some(n) = navigator {
                    n.replace(&Route::Overview);
                }
            }
            // The user went elsewhere first.
            Some(r) if *r != Route::Data && *r != Route::NotFound => *pending.borrow_mut() = false,
            _ => {}
        }
    });
    html! {}
}

/// The root component.
#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let progress = use_state(|| None::<crate::ui::hooks::Progress>);
    let bare = *use_state(opened_bare);
    let ctl = use_memo((), {
        let (d, p) = (state.dispatcher(), progress.setter());
        move |_| Controller::new(d, Callback::from(move |v| p.set(v)))
    });
    {
        let ctl = (*ctl).clone();
        use_effect_with((), move |_| {
            ctl.boot();
        });
    }
    // Keyed on the number format: a new format renders every page (and chart) again.
    let format_key = format!("{:?}", state.number_format);
    let ctx = AppContext {
        state,
        ctl: (*ctl).clone(),
    };
    html! {
        <ContextProvider<AppContext> context={ctx}>
        <ContextProvider<ProgressContext> context={ProgressContext((*progress).clone())}>
            <HashRouter>
                <a class="skip" href="#content" onclick={|e: MouseEvent| {
                    e.prevent_default();
                    if let Some(el) = gloo::utils::document().get_element_by_id("content") {
                        let _ = el.set_attribute("tabindex", "-1");
                        if let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) { let _ = h.focus(); }
                    }
                }}>{ "Skip to content" }</a>
                <StartOnOverview {bare} />
                <Header />
                <Nav />
                <main id="content" data-testid="main">
                    <Switch<Route> key={format_key} render={switch} />
                </main>
                <footer>{ "Runs entirely in your browser and works offline. Formulas on the Learn page." }</footer>
            </HashRouter>
        </ContextProvider<ProgressContext>>
        </ContextProvider<AppContext>>
    }
}
