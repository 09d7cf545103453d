//! Rows of explain buttons placed under a page's tables and figures (Data counts, model
//! parameters, the model comparison, holdout, discounting, cohorts, clusters, tiers, drivers).
//! Each button's panel shows the explanation the engine built ([`crate::analysis::explain`]);
//! this file only lays them out, with the figure beside its "?".

use super::explain::Explain;
use crate::analysis::explain::{data, groups, model, Filled};
use crate::ui::format;
use yew::prelude::*;

/// One figure: its label, the figure as shown, and its "?" (test id `explain-<id>`).
fn item(label: &str, shown: String, f: Filled, id: &str) -> Html {
    html! {
        <span>{ format!("{label}: ") }<span data-testid={format!("explain-{id}-shown")}>{ shown }</span>
            <Explain filled={f} label={label.to_string()} testid={format!("explain-{id}")} /></span>
    }
}

fn row(testid: &str, items: Vec<Html>) -> Html {
    if items.is_empty() {
        return Html::default();
    }
    html! { <div class="explain-row" data-testid={testid.to_string()}>{ for items }</div> }
}

/// The Data page's counts of a transaction log: rows used, customers, the span in the time
/// unit and the first repeat customer's x, tₓ and T.
pub fn data_figures(d: &crate::io::import::Imported) -> Html {
    // Only a transaction log's card (one per page): a survey's or cohort table's has no summary.
    if d.summary.is_none() {
        return Html::default();
    }
    let nf = format::current();
    let mut items = Vec::new();
    if let Some(r) = &d.report {
        let f = data::rows_used(r, &nf);
        items.push(item(
            "Rows used",
            format::count(r.rows_used),
            f,
            "rows-used",
        ));
    }
    if let Some(s) = &d.summary {
        items.push(item(
            "Customers",
            format::count(s.customers.len()),
            data::customers(s, &nf),
            "customers",
        ));
        if let Some(f) = data::span(s, &nf) {
            let shown = format!("{} {}s", format::fixed(f.value, 2), s.time_unit.name());
            items.push(item("Time covered", shown, f, "span"));
        }
        let repeat = data::repeat_buyers(s, &nf);
        items.push(item(
            "Repeat buyers",
            format::count(repeat.value as u64),
            repeat,
            "repeat",
        ));
        if let Some(c) = s.customers.iter().find(|c| c.x > 0.0) {
            if let Some([x, tx, t]) = data::customer_times(c, s, &nf) {
                items.push(html! { <span>{ format!("Customer {} in the summary:", c.id) }</span> });
                items.push(item("x", format::fixed(c.x, 0), x, "x"));
                items.push(item("tₓ", format::fixed(c.t_x, 2), tx, "tx"));
                items.push(item("T", format::fixed(c.t, 2), t, "t"));
            }
        }
    }
    row("data-explains", items)
}

/// A "?" per parameter of a fitted purchase model (`explain-param-<name>`).
pub fn params(m: &crate::domain::clv::FittedModel) -> Html {
    let nf = format::current();
    let items = m
        .params
        .iter()
        .map(|p| {
            item(
                &p.name,
                format::fixed(p.value, 4),
                model::param(p, &nf),
                &format!("param-{}", p.name),
            )
        })
        .collect();
    row("param-explains", items)
}

/// A "?" per Gamma-Gamma parameter (`explain-gg-p`, `-q`, `-gamma`).
pub fn spend_params(g: &crate::domain::clv::FittedGammaGamma) -> Html {
    let nf = format::current();
    let [p, q, gm] = model::spend_params(g, &nf);
    row(
        "gg-explains",
        vec![
            item("p", format::fixed(p.value, 4), p, "gg-p"),
            item("q", format::fixed(q.value, 4), q, "gg-q"),
            item("γ", format::fixed(gm.value, 4), gm, "gg-gamma"),
        ],
    )
}

/// The comparison's AIC/BIC and holdout error per model (`explain-compare-bic-<i>`,
/// `explain-compare-mae-<i>`).
pub fn compare(c: &crate::analysis::compare::Comparison) -> Html {
    let nf = format::current();
    let mut items = Vec::new();
    for (i, m) in c.models.iter().enumerate() {
        if let Some(f) = model::information_criteria(m, c.n_customers, &nf) {
            let label = format!("BIC of {}", m.name);
            items.push(item(
                &label,
                format::fixed(m.bic, 2),
                f,
                &format!("compare-bic-{i}"),
            ));
        }
        if let Some(f) = model::holdout_mae(m, &nf) {
            let label = format!("holdout error of {}", m.name);
            items.push(item(
                &label,
                format::fixed(f.value, 4),
                f,
                &format!("compare-mae-{i}"),
            ));
        }
    }
    row("compare-explains", items)
}

/// The holdout check's error (`explain-holdout`).
pub fn holdout(v: &crate::analysis::clv::Validation) -> Html {
    let f = model::holdout(v, &format::current());
    let shown = format!("{}%", format::fixed(100.0 * f.value, 1));
    row(
        "holdout-explains",
        vec![item("Holdout error", shown, f, "holdout")],
    )
}

/// The discount rate and margin the CLV used (`explain-discount`).
pub fn discounting(s: Option<&crate::domain::clv::ClvSettings>) -> Html {
    let Some(s) = s else {
        return Html::default();
    };
    let f = model::discounting(s, &format::current());
    let shown = format!("{}% a year", format::fixed(100.0 * f.value, 1));
    row(
        "discount-explains",
        vec![item("Discounting", shown, f, "discount")],
    )
}

/// The first cohort's value per customer (`explain-cohort`).
pub fn cohort(r: &crate::analysis::cohort::CohortReport, cac: f64) -> Html {
    let Some(c) = r.cohorts.first() else {
        return Html::default();
    };
    let f = groups::cohort_value(c, cac, &format::current());
    let label = format!("Value per customer of cohort {}", c.label);
    row(
        "cohort-explains",
        vec![item(
            &label,
            format::fixed(c.value_per_customer, 2),
            f,
            "cohort",
        )],
    )
}

/// Each cluster's share (`explain-cluster-<i>`).
pub fn clusters(m: &crate::domain::segmentation::kmeans::KMeansModel) -> Html {
    let nf = format::current();
    let items = (0..m.profiles.len())
        .filter_map(|i| {
            let f = groups::cluster(m, i, &nf)?;
            let label = format!("Share of cluster {}", i + 1);
            Some(item(
                &label,
                format!("{}%", format::fixed(100.0 * f.value, 1)),
                f,
                &format!("cluster-{i}"),
            ))
        })
        .collect();
    row("cluster-explains", items)
}

/// Each tier's share of value (`explain-<testid>-<i>`).
pub fn tiers(t: &crate::domain::segmentation::TierIndex, testid: &str) -> Html {
    let nf = format::current();
    let items = t
        .summary
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let f = groups::tier(t, i, &nf)?;
            let label = format!("{}: share of value", s.tier);
            Some(item(
                &label,
                format!("{}%", format::fixed(100.0 * f.value, 1)),
                f,
                &format!("{testid}-{i}"),
            ))
        })
        .collect();
    row(&format!("{testid}-explains"), items)
}

/// Each driver's relative weight (`explain-<testid>-<i>`).
pub fn drivers(t: &crate::analysis::drivers::DriverTable, testid: &str) -> Html {
    let nf = format::current();
    let items = (0..t.names.len())
        .filter_map(|i| {
            let f = groups::driver(t, i, &nf)?;
            let label = format!("weight of {}", t.names.get(i).map_or("", String::as_str));
            Some(item(
                &label,
                format::fixed(f.value, 3),
                f,
                &format!("{testid}-{i}"),
            ))
        })
        .collect();
    row(&format!("{testid}-explains"), items)
}

/// The sBG parameters, the first period's chance of cancelling, the second period's retention
/// and a new subscriber's expected lifetime (`explain-sbg-…`).
pub fn sbg(f: &crate::domain::clv::FittedSbg) -> Html {
    let nf = format::current();
    let [a, b] = model::sbg_params(f, &nf);
    let mut items = vec![
        item("α", format::fixed(f.params.alpha, 3), a, "sbg-alpha"),
        item("β", format::fixed(f.params.beta, 3), b, "sbg-beta"),
    ];
    let first = model::sbg_first_churn(&f.params, &nf);
    items.push(item(
        "Chance of cancelling in period 1",
        format!("{}%", format::fixed(first.value, 1)),
        first,
        "sbg-churn",
    ));
    let ret = model::sbg_retention(&f.params, 2, &nf);
    items.push(item(
        "Retention in period 2",
        format!("{}%", format::fixed(ret.value, 1)),
        ret,
        "sbg-retention",
    ));
    if let Some(l) = model::sbg_lifetime(&f.params, &nf) {
        items.push(item(
            "Expected lifetime of a new subscriber",
            format!("{} periods", format::fixed(l.value, 1)),
            l,
            "sbg-lifetime",
        ));
    }
    row("sbg-explains", items)
}

/// The k chosen by the silhouette (`explain-best-k`).
pub fn best_k(s: &crate::domain::segmentation::kmeans::KSearch) -> Html {
    let Some(f) = groups::best_k(s, &format::current()) else {
        return Html::default();
    };
    let shown = format::fixed(f.value, 3);
    row(
        "best-k-explains",
        vec![item(
            &format!("Mean silhouette at k = {}", s.best_k),
            shown,
            f,
            "best-k",
        )],
    )
}

/// The expected gain of the segment given the most of the budget (`explain-budget`).
pub fn budget(
    allocs: &[crate::domain::value::Allocation],
    econ: &[crate::domain::value::SegmentEconomics],
) -> Html {
    let Some((a, e)) = allocs
        .iter()
        .zip(econ)
        .filter(|(a, _)| a.spend > 0.0)
        .max_by(|x, y| x.0.spend.total_cmp(&y.0.spend))
    else {
        return Html::default();
    };
    let f = crate::analysis::explain::value::budget_gain(e, a, &format::current());
    row(
        "budget-explains",
        vec![item(
            &format!("Expected gain in {}", a.name),
            format::fixed(a.expected_gain, 0),
            f,
            "budget",
        )],
    )
}
