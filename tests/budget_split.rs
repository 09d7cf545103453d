//! The Value & strategy page's budget split on the built-in sample (2000 customers, seed 42):
//! each segment's economics come from the engine (`domain::value::segment_economics`) over the
//! default lifetime-value fit and the default segmentation, as the page gets them through the
//! worker, and the split spends the budget with equal marginal returns.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use crm::domain::customers::CustomerSummary;
use crm::domain::value::{allocate_budget, default_saturation_spend, segment_economics};
use crm::worker::datasets::Datasets;
use crm::worker::tasks::{run_with, Output, Task};
use std::collections::HashMap;

/// The sample's segments with their CLV (as the page asks: the default fit, then the
/// segmentation with its CLV and P(alive)), and the fit's customer equity.
fn sample_segments() -> (
    Vec<crm::domain::segmentation::strategy::SegmentFigures>,
    f64,
) {
    let files = support::sample_files(2000, 42);
    let mut ds = Datasets::default();
    let tx = support::import_into(
        &mut ds,
        "tx",
        "sample-transactions.csv",
        &files.transactions,
    );
    let header = CustomerSummary {
        customers: Vec::new(),
        ..tx.summary.unwrap()
    };
    let Ok(Output::Clv(fit)) = run_with(
        Task::Clv {
            dataset: "tx".into(),
            request: Box::new(crm::worker::clv::default_request(header.clone())),
        },
        &mut ds,
        &mut |_, _| {},
    ) else {
        panic!("the default fit")
    };
    let mut req = crm::worker::segment::default_request(header);
    req.clv = Some(fit.clv.clone());
    req.p_alive = Some(fit.p_alive.clone());
    let Ok(Output::Segment(seg)) = run_with(
        Task::Segment {
            dataset: "tx".into(),
            key: String::new(),
            request: Box::new(req),
        },
        &mut ds,
        &mut |_, _| {},
    ) else {
        panic!("the default segmentation")
    };
    (seg.figures.clone(), fit.equity)
}

#[test]
fn budget_split_economics_on_the_sample_put_the_lift_of_the_equity_at_stake() {
    let (figures, equity) = sample_segments();
    assert!(!figures.is_empty() && figures.iter().all(|f| f.mean_clv.is_some()));
    let (budget, lift) = (10_000.0, 10.0);
    let econ = segment_economics(&figures, budget, lift, &HashMap::new());
    assert_eq!(econ.len(), figures.len());
    // Customers × mean CLV summed over the segments is the customer equity; 10% of it is at stake.
    let at_stake: f64 = econ.iter().map(|e| e.value_at_stake).sum();
    let customers: f64 = econ.iter().map(|e| e.customers).sum();
    assert!((customers - 2000.0).abs() < 1e-9, "{customers}");
    assert!(
        (at_stake - 0.1 * equity).abs() < 1e-6 * equity,
        "{at_stake} vs {equity}"
    );
    // Every segment gets the equal share of the budget as its saturation spend.
    let k = default_saturation_spend(budget, figures.len());
    assert!((k - budget / figures.len() as f64).abs() < 1e-12);
    assert!(econ.iter().all(|e| e.saturation_spend == k));
    for (e, f) in econ.iter().zip(&figures) {
        let want = f.customers as f64 * f.mean_clv.unwrap().max(0.0) * lift / 100.0;
        assert!((e.value_at_stake - want).abs() < 1e-9, "{}", e.name);
    }
    // The split spends the whole budget, equalising the marginal returns of funded segments.
    let a = allocate_budget(&econ, budget).unwrap();
    let spent: f64 = a.iter().map(|x| x.spend).sum();
    assert!((spent - budget).abs() < 1e-6, "{spent}");
    let funded: Vec<f64> = a
        .iter()
        .filter(|x| x.spend > 1e-9)
        .map(|x| x.marginal_return)
        .collect();
    assert!(!funded.is_empty());
    assert!(funded
        .iter()
        .all(|m| (m - funded[0]).abs() < 1e-6 * funded[0].max(1e-12)));
    for (x, e) in a.iter().zip(&econ) {
        if x.spend <= 1e-9 {
            assert!(e.value_at_stake / e.saturation_spend <= funded[0] * (1.0 + 1e-6));
        }
    }
    // Pinned figures of the sample (recomputed by hand from the segments' figures above).
    let best = econ
        .iter()
        .max_by(|x, y| x.value_at_stake.total_cmp(&y.value_at_stake))
        .unwrap();
    let best_spend = a.iter().find(|x| x.name == best.name).unwrap().spend;
    assert!((best_spend - 3_718.063).abs() < 0.01, "{best_spend}");
    assert!((funded[0] - 0.108_192).abs() < 1e-5, "{}", funded[0]);
    assert_eq!(econ.len(), 9);
    assert_eq!(best.name, "Champions");
    assert!((at_stake - 5_810.346).abs() < 0.01, "{at_stake}");
    assert!(
        (best.value_at_stake - 3_413.595).abs() < 0.01,
        "{}",
        best.value_at_stake
    );
}

#[test]
fn a_saturation_spend_set_by_the_user_overrides_the_equal_share() {
    let (figures, _) = sample_segments();
    let name = figures[0].segment.clone();
    let set = HashMap::from([(name.clone(), 123.0)]);
    let econ = segment_economics(&figures, 10_000.0, 10.0, &set);
    assert_eq!(econ[0].saturation_spend, 123.0);
    assert!(econ[1..]
        .iter()
        .all(|e| e.saturation_spend == default_saturation_spend(10_000.0, figures.len())));
}

#[test]
fn without_clv_the_value_at_stake_rests_on_historical_revenue_per_customer() {
    use crm::domain::segmentation::strategy::SegmentFigures;
    let f = SegmentFigures {
        segment: "A".into(),
        customers: 4,
        revenue: 400.0,
        mean_recency_days: 10.0,
        mean_occasions: 2.0,
        mean_p_alive: None,
        mean_clv: None,
    };
    let e = segment_economics(&[f], 0.0, 10.0, &HashMap::new());
    // 4 customers × 100 revenue each × 10%; a zero budget still has a positive saturation scale.
    assert!((e[0].value_at_stake - 40.0).abs() < 1e-12);
    assert_eq!(e[0].saturation_spend, 1.0);
}
