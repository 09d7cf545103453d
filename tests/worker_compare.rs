//! The model comparison and the look-ahead lists as worker tasks: on the app's sample data
//! held by the worker, through the bincode codec the worker uses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use crm::analysis::ahead::DEFAULT_LOST_BELOW;
use crm::analysis::compare::{CompareRequest, Verdict};
use crm::domain::clv::ModelKind;
use crm::domain::customers::{SummaryOptions, TxLog};
use crm::worker::datasets::Datasets;
use crm::worker::tasks::{run_with, Output, Task};

/// The app's sample (2,000 customers, seed 42) imported and held as "s"; its summary.
fn held_sample() -> (Datasets, crm::domain::customers::CustomerSummary) {
    let files = support::sample_files(2000, 42);
    let mut datasets = Datasets::default();
    let imp = support::import_into(&mut datasets, "s", "sample.csv", &files.transactions);
    (datasets, imp.summary.unwrap())
}

#[test]
fn comparison_runs_in_the_worker_on_the_held_sample_and_crosses_the_codec() {
    let (mut datasets, summary) = held_sample();
    let mut header = summary.clone();
    header.customers.clear();
    let request = CompareRequest {
        summary: header,
        transactions: TxLog::default(),
        summary_options: SummaryOptions::default(),
        calibration_end: None,
        period: None,
    };
    let mut stages = Vec::new();
    let out = run_with(
        Task::Compare {
            dataset: "s".into(),
            request: Box::new(request),
        },
        &mut datasets,
        &mut |f, s| stages.push((f, s.to_string())),
    )
    .unwrap();
    let bytes = bincode::serialize(&out).unwrap();
    let back: Output = bincode::deserialize(&bytes).unwrap();
    assert_eq!(back, out);
    let Output::Compare(c) = out else {
        panic!("not a comparison")
    };
    assert_eq!(c.models.len(), 3);
    assert!(c.calibration_end.is_some() && c.holdout_length > 0.0);
    assert!(c.models.iter().all(|m| m.converged && m.holdout.is_some()));
    assert_ne!(c.recommendation.verdict, Verdict::None);
    assert!(stages
        .iter()
        .any(|(_, s)| s.starts_with("Fitting Pareto/NBD")));
    // The held dataset is intact afterwards.
    let held = datasets.get("s").unwrap();
    assert_eq!(held.summary.customers.len(), summary.customers.len());
    assert!(!held.log.is_empty());
    println!("{}", c.recommendation.headline);
    for m in &c.models {
        let h = m.holdout.as_ref().unwrap();
        println!(
            "{} LL {:.2} AIC {:.2} BIC {:.2} MAE {:.4} tracking {:.3}",
            m.name,
            m.log_likelihood,
            m.aic,
            m.bic,
            h.customer_mae,
            h.tracking_mape.unwrap_or(f64::NAN)
        );
    }
}

#[test]
fn look_ahead_lists_run_in_the_worker() {
    let (mut datasets, summary) = held_sample();
    let model = crm::analysis::clv::fit_model(ModelKind::ParetoNbd, &summary, &mut |_| {}).unwrap();
    let out = run_with(
        Task::Ahead {
            dataset: "s".into(),
            model: Box::new(model),
            horizon: 4.345,
            lost_below: DEFAULT_LOST_BELOW,
            limit: 50,
        },
        &mut datasets,
        &mut |_, _| {},
    )
    .unwrap();
    let Output::Ahead(l) = out else {
        panic!("not lists")
    };
    assert_eq!(l.likely_to_buy.len(), 50);
    assert!(l
        .likely_to_buy
        .windows(2)
        .all(|w| w[0].p_purchase >= w[1].p_purchase));
    assert!(l
        .likely_lost
        .iter()
        .all(|r| r.p_alive_now < DEFAULT_LOST_BELOW));
    assert_eq!(l.n_customers, summary.customers.len() as u64);
}
