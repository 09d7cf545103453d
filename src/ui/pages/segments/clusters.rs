//! The k-means section: the silhouette curve, cluster profiles and the cluster scatter plot.

use super::{select_cb, Settings, Update};
use crate::domain::segmentation::kmeans::describe;
use crate::ui::charts::{Chart, Kind, Point, Series};
use crate::ui::components::Section;
use crate::ui::components::{Cell, ChartCard, DataTable, Input};
use crate::worker::segment::{ClusterRequest, Feature, SegmentResult};
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn cluster_view(
    r: &SegmentResult,
    st: &Settings,
    update: Update,
    has_clv: bool,
) -> Html {
    let c = st.cluster.clone().unwrap_or_default();
    let feature_box = |f: Feature| {
        let u = update.clone();
        let on = c.features.contains(&f);
        let disabled = matches!(f, Feature::Clv | Feature::PAlive) && !has_clv;
        let onchange = Callback::from(move |_: Event| {
            u(&|s| {
                let mut k = s.cluster.clone().unwrap_or_default();
                if let Some(p) = k.features.iter().position(|x| *x == f) {
                    k.features.remove(p);
                } else {
                    k.features.push(f);
                }
                s.cluster = Some(k);
            })
        });
        html! { <label><input type="checkbox" checked={on} {disabled} {onchange} />{ format!(" {}", f.name()) }</label> }
    };
    let toggle = |label: &str, on: bool, testid: &str, f: fn(&mut ClusterRequest)| {
        let u = update.clone();
        let onchange = Callback::from(move |_: Event| {
            u(&|s| {
                let mut k = s.cluster.clone().unwrap_or_default();
                f(&mut k);
                s.cluster = Some(k);
            })
        });
        html! { <label><input type="checkbox" checked={on} {onchange} data-testid={testid.to_string()} />{ format!(" {label}") }</label> }
    };
    let seed_input = {
        let u = update.clone();
        Callback::from(move |v: String| {
            if let Ok(seed) = v.trim().parse::<u64>() {
                u(&|s| {
                    let mut k = s.cluster.clone().unwrap_or_default();
                    k.seed = seed;
                    s.cluster = Some(k);
                })
            }
        })
    };
    let k_input = {
        let u = update.clone();
        select_cb(move |v| {
            u(&|s| {
                let mut k = s.cluster.clone().unwrap_or_default();
                k.k = v.parse::<u32>().ok();
                s.cluster = Some(k);
            })
        })
    };
    let run = {
        let u = update.clone();
        Callback::from(move |_| {
            u(&|s| {
                let k = s.cluster.clone().unwrap_or_default();
                s.cluster = Some(k);
            })
        })
    };
    let controls = html! {
        <div>
            <div class="row">
                <span>{ "Features:" }</span>
                { for Feature::ALL.iter().map(|f| feature_box(*f)) }
            </div>
            <div class="row">
                { toggle("log(1 + x) first", c.log1p, "km-log", |k| k.log1p = !k.log1p) }
                { toggle("standardise (z-scores)", c.standardize, "km-std", |k| k.standardize = !k.standardize) }
                <label>{ "Seed " }<Input kind="number" value={c.seed.to_string()} on={seed_input} testid="km-seed" style="width:7rem" /></label>
                <label>{ "k " }
                    <select onchange={k_input} data-testid="km-k">
                        <option value="" selected={c.k.is_none()}>{ "best by silhouette" }</option>
                        { for (2..=10u32).map(|k| html! { <option value={k.to_string()} selected={c.k == Some(k)}>{ k }</option> }) }
                    </select>
                </label>
                <button onclick={run} data-testid="run-kmeans">{ "Run k-means" }</button>
            </div>
        </div>
    };
    let Some(cr) = r.cluster.as_ref() else {
        return html! {
            <Section id="kmeans" title="Clusters (k-means)" testid="kmeans-card">
                <p class="note">{ "Groups customers by behaviour. k is chosen by the silhouette (how much closer each customer is to its own cluster than to the next one; higher is better)." }</p>
                { controls }
            </Section>
        };
    };
    let curve = Rc::new(Chart {
        title: "Silhouette by number of clusters".into(),
        x_label: "k (clusters)".into(),
        y_label: "mean silhouette".into(),
        kind: Kind::Lines(vec![Series {
            name: "silhouette".into(),
            points: cr
                .search
                .curve
                .iter()
                .map(|p| (f64::from(p.k), p.silhouette))
                .collect(),
            dashed: false,
        }]),
    });
    let m = &cr.model;
    let groups: Vec<String> = m
        .profiles
        .iter()
        .map(|p| format!("{} ({})", p.cluster + 1, p.size))
        .collect();
    // At most SCATTER_POINTS customers are drawn (every n-th, picked in the worker).
    let stride = r.scatter_stride();
    let points: Vec<Point> = r
        .scatter_points()
        .iter()
        .map(|s| Point {
            x: f64::from(s.frequency).ln_1p(),
            y: s.monetary.max(0.0).ln_1p(),
            group: s.cluster as usize,
            label: None,
        })
        .collect();
    let scatter = Rc::new(Chart {
        title: if stride > 1 {
            format!(
                "Clusters: frequency vs monetary (log scales; every {stride}th of {} customers)",
                crate::ui::format::count(r.len())
            )
        } else {
            "Clusters: frequency vs monetary (log scales)".into()
        },
        x_label: "log(1 + purchase days)".into(),
        y_label: "log(1 + monetary)".into(),
        kind: Kind::Scatter {
            points,
            groups,
            crosshair: None,
            quadrants: None,
        },
    });
    let names: Vec<String> = m.feature_names.clone();
    let mut headers = vec![
        "Cluster".to_string(),
        "Customers".into(),
        "% customers".into(),
        "In plain words".into(),
    ];
    headers.extend(names.iter().map(|n| format!("mean {n}")));
    let rows: Vec<Vec<Cell>> = m
        .profiles
        .iter()
        .map(|p| {
            let mut row = vec![
                Cell::Text(format!("Cluster {}", p.cluster + 1)),
                Cell::Num(p.size as f64, 0),
                Cell::Num(100.0 * p.share, 1),
                Cell::Text(if p.label.is_empty() {
                    describe(&names, &p.z)
                } else {
                    p.label.clone()
                }),
            ];
            if let Some(c) = m.centroids_original.get(p.cluster as usize) {
                row.extend(c.iter().map(|v| Cell::Num(*v, 1)));
            }
            row
        })
        .collect();
    html! {
        <Section id="kmeans" title="Clusters (k-means)" testid="kmeans-card">
            { controls }
            <p data-testid="kmeans-summary">{ format!("{} clusters (best k by silhouette: {}), seed {}, on {} customers; features: {}{}{}. Silhouette computed on {} customers{}. {}",
                m.k, cr.search.best_k, m.seed, crate::ui::format::count(r.len()),
                names.join(", "), if m.transform.log1p { ", log(1 + x)" } else { "" }, if m.transform.standardize { ", standardised" } else { "" },
                crate::ui::format::count(cr.search.silhouette_rows), if cr.search.silhouette_exact { " (all)" } else { " (a sample)" },
                if m.converged { "Converged." } else { "Did not fully converge: try another seed." }) }</p>
            { for cr.warnings.iter().map(|w| html! { <div class="warnbox">{ w }</div> }) }
            <div>
                <div style="min-width:0"><ChartCard chart={curve} testid="silhouette-curve" note={Some(AttrValue::from("Pick the k where the curve peaks; the seed makes the result repeatable."))} /></div>
                <div style="min-width:0"><ChartCard chart={scatter} testid="cluster-scatter" /></div>
            </div>
            <DataTable headers={Rc::new(headers)} rows={Rc::new(rows)} export_name="clusters.csv" testid="cluster-profiles" page_size={10} />
            { crate::ui::components::explain_figures::best_k(&cr.search) }
            { crate::ui::components::explain_figures::clusters(m) }
        </Section>
    }
}
