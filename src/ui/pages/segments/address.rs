//! The Segments page's choices in the address, so a view can be bookmarked and shared:
//! `#/segments?map=rfm&segment=Champions` (the segment map and the selected segment). A
//! fresh load and back/forward restore them; a choice on the page writes a new history entry;
//! a value the page does not know is ignored with a visible note.

use crate::domain::segmentation::SegmentMap;
use crate::ui::app::Route;
use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

/// The query of a link to this page.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct LinkQuery {
    /// The segment map's key (`rxf`, `rfm`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
    /// The segment to select.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

/// The query of the current address (empty when there is none or it does not read).
#[hook]
pub(super) fn use_query() -> LinkQuery {
    use_location()
        .and_then(|l| l.query::<LinkQuery>().ok())
        .unwrap_or_default()
}

/// A callback that writes a query to the address as a new history entry.
#[hook]
pub(super) fn use_push() -> Callback<LinkQuery> {
    let navigator = use_navigator();
    Callback::from(move |q: LinkQuery| {
        if let Some(n) = &navigator {
            // Writing the address cannot fail in a browser; if it did, the view stays as it is.
            let _ = n.push_with_query(&Route::Segments, &q);
        }
    })
}

/// The map the address names, when it names one the page knows.
pub(super) fn map(q: &LinkQuery) -> Option<SegmentMap> {
    q.map.as_deref().and_then(SegmentMap::preset)
}

/// Notes for values in the address that the page ignored; `segments` are the names of the
/// segments computed (None while they are not known yet).
pub(super) fn notes(q: &LinkQuery, segments: Option<Vec<&str>>) -> Html {
    let bad_map = q.map.as_deref().filter(|_| map(q).is_none());
    let bad_segment = q
        .segment
        .as_deref()
        .filter(|s| segments.is_some_and(|names| !names.contains(s)));
    html! { <>
        if let Some(m) = bad_map {
            <p class="warnbox" data-testid="address-note-map">{ format!(
                "The address names the segment map \"{m}\", which this page does not know; the map chosen below is used.") }</p>
        }
        if let Some(s) = bad_segment {
            <p class="warnbox" data-testid="address-note-segment">{ format!(
                "The address names the segment \"{s}\", which this segment map does not have; no segment is selected.") }</p>
        }
    </> }
}
