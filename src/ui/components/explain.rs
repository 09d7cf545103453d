//! The explain view: a small "?" button beside a figure that opens an inline panel with the
//! term's definition in plain words, its formula, the formula filled in with the figure's own
//! numbers (computed by the engine, [`crate::analysis::explain`]) and a link to the glossary.

use crate::analysis::explain::Filled;
use crate::analysis::glossary;
use yew::prelude::*;

/// Props of [`Explain`].
#[derive(Properties, PartialEq)]
pub struct ExplainProps {
    /// The filled formula (None: only the definition and the formula are shown).
    #[prop_or_default]
    pub filled: Option<Filled>,
    /// The glossary term, when `filled` is None (otherwise its term is used).
    #[prop_or_default]
    pub term: AttrValue,
    /// What the figure is, for the button's accessible name ("Explain P(alive)").
    pub label: AttrValue,
    /// Test id of the button; the panel gets `<testid>-panel`.
    pub testid: AttrValue,
}

/// The "?" button and its panel.
#[component]
pub fn Explain(p: &ExplainProps) -> Html {
    let open = use_state(|| false);
    let term_id = p
        .filled
        .as_ref()
        .map_or_else(|| p.term.to_string(), |f| f.term.clone());
    let term = glossary::term(&term_id);
    let panel_id = format!("explain-{}", p.testid);
    let toggle = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            e.stop_propagation();
            open.set(!*open);
        })
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *open {
                e.stop_propagation();
                open.set(false);
            }
        })
    };
    html! {
        <span class="explain" {onkeydown}>
            <button type="button" class="explain-btn" aria-expanded={if *open { "true" } else { "false" }}
                aria-controls={panel_id.clone()} aria-label={format!("Explain {}", p.label)}
                title={format!("Explain {}", p.label)} onclick={toggle} data-testid={p.testid.clone()}>{ "?" }</button>
            if *open {
                <div class="explain-panel" id={panel_id} role="region" aria-label={format!("How {} is worked out", p.label)}
                    data-testid={format!("{}-panel", p.testid)}>
                    if let Some(t) = term {
                        <p class="explain-def"><strong>{ t.name }</strong>{ ": " }{ t.definition }</p>
                        if !t.formula.is_empty() { <p class="formula" data-testid={format!("{}-formula", p.testid)}>{ t.formula }</p> }
                    }
                    if let Some(f) = &p.filled {
                        <p class="note">{ "With these numbers:" }</p>
                        <p class="formula" data-testid={format!("{}-filled", p.testid)} data-value={f.value.to_string()}>{ &f.formula_filled }</p>
                    }
                    if term.is_some() {
                        <a href={glossary::href(&term_id)} data-testid={format!("{}-glossary", p.testid)}>{ "In the glossary →" }</a>
                    }
                </div>
            }
        </span>
    }
}

/// The explained figures of one RFM segment: its share of revenue, and the RFM score of its
/// first customer (`first`: id and scores, as the worker lists them) worked out from the cut
/// points.
pub fn segment_figures(
    r: &crate::analysis::segment::SegmentResult,
    name: &str,
    first: Option<(&str, &crate::domain::segmentation::RfmScore)>,
) -> Html {
    let Some(rfm) = r.rfm.as_ref() else {
        return html! {};
    };
    let total: f64 = r.table.iter().map(|t| t.revenue).sum();
    let share = r.table.iter().find(|t| t.name == name).map(|t| {
        crate::analysis::explain::segment_share(
            name,
            t.revenue,
            total,
            t.customers,
            &crate::ui::format::current(),
        )
    });
    html! {
        <div class="explain-row" data-testid="segment-explains">
            if let Some(f) = share {
                <span>{ format!("Share of revenue: {}", crate::ui::format::percent(f.value, 1)) }
                    <Explain filled={f} label={format!("the share of revenue of {name}")} testid="explain-segment-share" /></span>
            }
            if let Some((id, s)) = first {
                <span>{ format!("RFM score of customer {id}: {}", s.code()) }
                    <Explain filled={crate::analysis::explain::rfm_score(s, &rfm.cut_points, &crate::ui::format::current())} label="the RFM score" testid="explain-segment-rfm" /></span>
            }
        </div>
    }
}
