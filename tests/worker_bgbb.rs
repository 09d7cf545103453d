//! BG/BB as a worker task: lifetimes' donations file (`frequency, recency, periods, weights`)
//! imported as the app imports a dropped file, held by the worker, fitted through the
//! `Discrete` task and sent back through the bincode codec; and the app's sample log cut into
//! months.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::analysis::compare::{compare, CompareRequest};
use crm::analysis::discrete::{add_to_comparison, DiscreteRequest, COMPARE_NAME};
use crm::domain::customers::{Period, SummaryOptions};
use crm::io::import::DataKind;
use crm::worker::datasets::Datasets;
use crm::worker::tasks::{run, run_with, ImportSettings, Output, Task};

fn import(datasets: &mut Datasets, name: &str, bytes: Vec<u8>) -> crm::io::import::Imported {
    let Output::Imported(imp) = run_with(
        Task::Import {
            dataset: "d".into(),
            file_name: name.into(),
            bytes,
            settings: ImportSettings::default(),
            summary: SummaryOptions::default(),
        },
        datasets,
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not an import")
    };
    *imp
}

fn discrete(
    datasets: &mut Datasets,
    request: DiscreteRequest,
) -> crm::analysis::discrete::DiscreteResult {
    let out = run_with(
        Task::Discrete {
            dataset: "d".into(),
            request: Box::new(request),
        },
        datasets,
        &mut |_, _| {},
    )
    .unwrap();
    let wire = bincode::serialize(&out).unwrap();
    let Output::Discrete(r) = bincode::deserialize::<Output>(&wire).unwrap() else {
        panic!("not a BG/BB result")
    };
    *r
}

#[test]
fn donations_file_opens_as_a_weighted_summary_and_reproduces_the_published_fit() {
    let bytes = std::fs::read("tests/fixtures/bgbb/donations.csv").unwrap();
    let mut datasets = Datasets::default();
    let imp = import(&mut datasets, "donations.csv", bytes);
    assert_eq!(imp.kind, DataKind::Summary);
    let s = imp.summary.unwrap();
    assert_eq!(s.customers.len(), 22);
    assert!((s.customers.iter().map(|c| c.weight).sum::<f64>() - 11104.0).abs() < 1e-9);
    let r = discrete(&mut datasets, DiscreteRequest::default());
    let want = [
        ("alpha", 1.204),
        ("beta", 0.750),
        ("gamma", 0.657),
        ("delta", 2.783),
    ];
    for (name, v) in want {
        let got = r.fit.param(name).unwrap();
        assert!((got - v).abs() < 0.002, "{name}: {got} vs {v}");
    }
    assert!(
        (r.fit.log_likelihood + 33225.6).abs() < 0.1,
        "{}",
        r.fit.log_likelihood
    );
    assert_eq!(r.fit.n_customers, 11104);
    assert_eq!(r.period_name, "period");
    eprintln!(
        "donations via the worker: alpha {:.4} beta {:.4} gamma {:.4} delta {:.4} LL {:.2}; alive next period {:.1}, expected in 5 {:.1}, DERT {:.1}",
        r.fit.param("alpha").unwrap(),
        r.fit.param("beta").unwrap(),
        r.fit.param("gamma").unwrap(),
        r.fit.param("delta").unwrap(),
        r.fit.log_likelihood,
        r.total_alive,
        r.total_expected,
        r.total_dert
    );
}

#[test]
fn sample_log_cut_into_months_fits_with_spend_from_the_data_and_joins_the_comparison() {
    let Output::Sample(files) = run(
        Task::Sample {
            n_customers: 1000,
            seed: 7,
        },
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a sample")
    };
    let mut datasets = Datasets::default();
    let imp = import(&mut datasets, "sample.csv", files.transactions.clone());
    let r = discrete(
        &mut datasets,
        DiscreteRequest {
            period: Period::Month,
            ..DiscreteRequest::default()
        },
    );
    assert_eq!(r.period_name, "month");
    assert_eq!(r.fit.n_customers, 1000);
    let spend = r.spend.unwrap();
    assert!(spend > 0.0);
    assert!((r.total_value.unwrap() - r.total_dert * spend).abs() < 1e-6 * r.total_dert.max(1.0));

    // The comparison with a period: BG/BB is added, scored on the holdout, not on AIC/BIC.
    let held = datasets.get("d").unwrap();
    let req = CompareRequest {
        summary: imp.summary.unwrap(),
        transactions: held.log.clone(),
        summary_options: SummaryOptions::default(),
        calibration_end: None,
        period: None,
    };
    let mut cmp = compare(&req, &mut |_, _| {}).unwrap();
    let before = cmp.recommendation.clone();
    add_to_comparison(&mut cmp, &req, Period::Month, &mut |_, _| {});
    let row = cmp.models.iter().find(|m| m.name == COMPARE_NAME).unwrap();
    assert!(row.aic.is_nan() && row.bic.is_nan());
    assert!(row.log_likelihood.is_finite());
    let h = row.holdout.as_ref().unwrap();
    assert!(h.customer_mae.is_finite() && h.total_actual > 0.0);
    assert_eq!(cmp.recommendation, before);
    assert!(cmp.notes.iter().any(|n| n.contains("not on the same data")));
}
