//! The Satisfaction page's chosen score columns in the address, so a view can be bookmarked
//! and shared: `#/satisfaction?nps=recommend&csat=satisfied` (an empty value: no such column).
//! A fresh load and back/forward restore them; choosing a column on the page writes a new
//! history entry; a column the survey does not have is ignored with a visible note.

use super::analysis::Settings;
use crate::domain::satisfaction::Question;
use crate::ui::app::Route;
use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

/// The page's query.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct SatQuery {
    /// The NPS (0–10) column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nps: Option<String>,
    /// The CSAT column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<String>,
}

impl SatQuery {
    /// The columns chosen in `s`.
    pub fn of(s: &Settings) -> SatQuery {
        SatQuery {
            nps: Some(s.nps.clone().unwrap_or_default()),
            csat: Some(s.csat.as_ref().map(|q| q.name.clone()).unwrap_or_default()),
        }
    }

    /// `base` with the columns the address names that the survey has (`names`).
    pub fn apply(&self, base: &Settings, names: &[String]) -> Settings {
        let known = |v: &Option<String>| {
            v.as_ref()
                .filter(|n| n.is_empty() || names.contains(n))
                .map(|n| (!n.is_empty()).then(|| n.clone()))
        };
        let mut s = base.clone();
        if let Some(n) = known(&self.nps) {
            s.nps = n;
        }
        if let Some(n) = known(&self.csat) {
            let (lo, hi) = s.csat.as_ref().map_or((1, 5), |q| (q.min, q.max));
            s.csat = n.map(|n| Question::new(n, lo, hi));
        }
        s
    }

    /// The settings shown: `base` (the user's edits, or what was found in the survey) with the
    /// score columns of the address; a column the address does not name is the one `found` in
    /// the survey (so going back to the bare address shows the found columns again), keeping
    /// `base`'s scale when it is the same column.
    pub fn resolve(&self, base: &Settings, found: &Settings, names: &[String]) -> Settings {
        let mut s = self.apply(base, names);
        if self.nps.is_none() {
            s.nps = found.nps.clone();
        }
        if self.csat.is_none() {
            let same = base.csat.as_ref().map(|q| &q.name) == found.csat.as_ref().map(|q| &q.name);
            s.csat = if same {
                base.csat.clone()
            } else {
                found.csat.clone()
            };
        }
        s
    }

    /// The columns the address names that the survey does not have.
    pub fn unknown(&self, names: &[String]) -> Vec<String> {
        [&self.nps, &self.csat]
            .into_iter()
            .flatten()
            .filter(|n| !n.is_empty() && !names.contains(n))
            .cloned()
            .collect()
    }
}

/// The query of the current address (empty when there is none or it does not read).
#[hook]
pub(super) fn use_query() -> SatQuery {
    use_location()
        .and_then(|l| l.query::<SatQuery>().ok())
        .unwrap_or_default()
}

/// A callback that writes the columns of a settings to the address (a new history entry).
#[hook]
pub(super) fn use_push() -> Callback<Settings> {
    let navigator = use_navigator();
    Callback::from(move |s: Settings| {
        if let Some(n) = &navigator {
            // Writing the address cannot fail in a browser; if it did, the view stays as it is.
            let _ = n.push_with_query(&Route::Satisfaction, &SatQuery::of(&s));
        }
    })
}

/// A note for the columns in the address that the survey does not have.
pub(super) fn notes(q: &SatQuery, names: &[String]) -> Html {
    let bad = q.unknown(names);
    if bad.is_empty() {
        return html! {};
    }
    html! {
        <p class="warnbox" data-testid="address-note-columns">{ format!(
            "The address names the column(s) {}, which this survey does not have; the columns chosen below are used.",
            bad.iter().map(|b| format!("\"{b}\"")).collect::<Vec<_>>().join(", ")) }</p>
    }
}
