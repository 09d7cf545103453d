//! One module per page.

pub mod bgnbd_lesson;
pub mod cohorts;
pub mod data;
pub mod exercises;
pub mod glossary;
pub mod learn;
pub mod ltv;
pub mod overview;
pub mod report;
pub mod satisfaction;
pub mod segments;
pub mod simulator;
pub mod strategy;

use crate::ui::components::StatusView;
use yew::prelude::*;

/// The empty state of a page that needs a kind of data nobody loaded yet.
pub fn needs_data(what: &str) -> Html {
    html! {
        <StatusView kind="empty" message={format!("This page needs {what}. Add it on the Data page, or load the sample data there.")}>
            <a class="button" href="#/">{ "Go to Data" }</a>
        </StatusView>
    }
}

/// The state shown while start-up is still loading data.
pub fn booting() -> Html {
    html! { <StatusView kind="loading" message="Loading your data…" /> }
}
pub mod lessons;
