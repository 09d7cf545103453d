//! The Value & strategy page.

use crate::ui::state::AppContext;
use yew::prelude::*;

/// The Value & strategy page.
#[component]
pub fn StrategyPage() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let Some(src) = ctx.state.workspace.transactions.clone() else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("a transaction log")
        } else {
            super::booting()
        };
    };
    html! {
        <section>
            <h1>{ "Value & strategy" }</h1>
            <p class="lead">{ format!("{} customers in {}", src.data.summary.as_ref().map_or(0, |s| s.customers.len()), src.meta.name) }</p>
        </section>
    }
}
