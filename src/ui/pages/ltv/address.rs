//! The Lifetime value page's choices in the address, so a view can be bookmarked and shared:
//! `#/lifetime-value?model=pnbd&customer=C0042`. The address is the source of truth: the page
//! reads the model and the selected customer from it (on a fresh load and on back/forward),
//! and a choice on the page writes a new history entry. A value the page does not know is
//! ignored with a visible note.

use crate::domain::clv::ModelKind;
use crate::ui::app::Route;
use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

/// The page's query.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct LtvQuery {
    /// The purchase model's code (`bgnbd`, `pnbd`, `mbgnbd`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The id of the customer whose detail is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
}

impl LtvQuery {
    /// The model the address names; the default when it names none or one the page does not
    /// know.
    pub fn model_or_default(&self) -> ModelKind {
        self.model
            .as_deref()
            .and_then(ModelKind::parse)
            .unwrap_or(ModelKind::BgNbd)
    }
}

/// The query of the current address (empty when there is none or it does not read).
#[hook]
pub(super) fn use_query() -> LtvQuery {
    use_location()
        .and_then(|l| l.query::<LtvQuery>().ok())
        .unwrap_or_default()
}

/// A callback that writes a query to the address as a new history entry.
#[hook]
pub(super) fn use_push() -> Callback<LtvQuery> {
    let navigator = use_navigator();
    Callback::from(move |q: LtvQuery| {
        if let Some(n) = &navigator {
            // Writing the address cannot fail in a browser; if it did, the view stays as it is.
            let _ = n.push_with_query(&Route::LifetimeValue, &q);
        }
    })
}

/// Notes for values in the address that the page ignored. `customer_found` is None while the
/// customers are not known yet.
pub(super) fn notes(q: &LtvQuery, customer_found: Option<bool>) -> Html {
    let bad_model = q.model.as_deref().filter(|m| ModelKind::parse(m).is_none());
    let bad_customer = q
        .customer
        .as_deref()
        .filter(|_| customer_found == Some(false));
    html! { <>
        if let Some(m) = bad_model {
            <p class="warnbox" data-testid="address-note-model">{ format!(
                "The address names the model \"{m}\", which this page does not know; showing {} instead.",
                ModelKind::BgNbd.name()) }</p>
        }
        if let Some(c) = bad_customer {
            <p class="warnbox" data-testid="address-note-customer">{ format!(
                "The address names the customer \"{c}\", who is not in this dataset; no customer is selected.") }</p>
        }
    </> }
}
