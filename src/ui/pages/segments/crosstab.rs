//! The cross-tab of two segmentations.

use super::select_cb;
use crate::domain::segmentation::cross_tab;
use crate::ui::components::Section;
use crate::worker::segment::SegmentResult;
use std::rc::Rc;
use yew::prelude::*;

/// Each customer's label in one segmentation, as references into `names` (built once per
/// segmentation: a million labels are a million pointers, not a million strings).
fn labels_of<'a>(
    r: &'a SegmentResult,
    which: &str,
    cluster_names: &'a [String],
) -> Option<Vec<&'a str>> {
    let tier = |t: &'a crate::domain::segmentation::TierIndex| -> Vec<&'a str> {
        t.tier_of
            .iter()
            .map(|&i| {
                t.summary
                    .get(usize::from(i))
                    .map_or("", |s| s.tier.as_str())
            })
            .collect()
    };
    match which {
        "rfm" => Some(
            (0..r.len())
                .map(|i| r.segment_name(i).unwrap_or(""))
                .collect(),
        ),
        "cluster" => r.cluster.as_ref().map(|c| {
            c.model
                .labels
                .iter()
                .map(|&l| cluster_names.get(l as usize).map_or("", String::as_str))
                .collect()
        }),
        "pyramid" => r.pyramid.as_ref().map(tier),
        "hml" => r.hml.as_ref().map(tier),
        _ => None,
    }
}

#[component]
fn CrossTabView(p: &CrossProps) -> Html {
    let a = use_state(|| "rfm".to_string());
    let b = use_state(|| "hml".to_string());
    let r = &p.result;
    let opts = [
        ("rfm", "RFM segment"),
        ("cluster", "Cluster"),
        ("pyramid", "Pyramid tier"),
        ("hml", "Heavy / medium / light"),
    ];
    let sel = |h: &UseStateHandle<String>, testid: &str| {
        let h2 = h.clone();
        let cb = select_cb(move |v| h2.set(v));
        let name = if testid.ends_with("-a") {
            "Rows of the cross-tabulation"
        } else {
            "Columns of the cross-tabulation"
        };
        html! { <select onchange={cb} data-testid={testid.to_string()} aria-label={name}>
            { for opts.iter().map(|(k, l)| html! { <option value={*k} selected={**h == *k}>{ *l }</option> }) }
        </select> }
    };
    let table = {
        let (a, b) = ((*a).clone(), (*b).clone());
        use_memo((ByPtr(r.clone()), a, b), move |(r, a, b)| {
            let r = &r.0;
            let cluster_names: Vec<String> = r
                .cluster
                .as_ref()
                .map(|c| (1..=c.model.k).map(|k| format!("Cluster {k}")).collect())
                .unwrap_or_default();
            match (
                labels_of(r, a, &cluster_names),
                labels_of(r, b, &cluster_names),
            ) {
                (Some(x), Some(y)) => Some(cross_tab(&x, &y)),
                _ => None,
            }
        })
    };
    let body = match &*table {
        Some(t) => match t {
            Ok(t) => html! {
                <div class="scroll">
                <table class="data" data-testid="crosstab">
                    <thead><tr><th></th>{ for t.cols.iter().map(|c| html! { <th>{ c }</th> }) }<th>{ "Total" }</th></tr></thead>
                    <tbody>
                    { for t.rows.iter().enumerate().map(|(i, row)| html! {
                        <tr><th>{ row }</th>
                        { for t.counts.get(i).into_iter().flatten().enumerate().map(|(j, c)| {
                            let share = t.row_shares.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0.0);
                            html! { <td class="num">{ format!("{c} ({:.0}%)", 100.0 * share) }</td> }
                        }) }
                        <td class="num">{ t.row_totals.get(i).copied().unwrap_or(0) }</td></tr>
                    }) }
                    </tbody>
                </table>
                </div>
            },
            Err(e) => html! { <p class="errbox">{ e.to_string() }</p> },
        },
        _ => html! { <p class="note">{ "Run k-means first to compare clusters." }</p> },
    };
    html! {
        <Section id="crosstab" title="Compare two segmentations" testid="crosstab-card">
            <div class="row">{ "Rows: " }{ sel(&a, "crosstab-a") }{ " Columns: " }{ sel(&b, "crosstab-b") }</div>
            <p class="note">{ "Customers in each pair (share of the row)." }</p>
            { body }
        </Section>
    }
}

#[derive(Properties)]
struct CrossProps {
    result: Rc<SegmentResult>,
}

/// A result compared by identity (for memo keys and props).
pub(super) struct ByPtr(pub(super) Rc<SegmentResult>);

impl PartialEq for ByPtr {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for CrossProps {
    /// The same result object (comparing a million labels on every render would be slow).
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.result, &other.result)
    }
}

pub(super) fn crosstab_view(r: &Rc<SegmentResult>) -> Html {
    html! { <CrossTabView result={r.clone()} /> }
}
