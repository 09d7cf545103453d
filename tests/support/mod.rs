//! Shared by the integration tests: the built-in sample (2000 customers, seed 42) through the
//! worker's tasks, as the page gets it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::domain::customers::{CustomerSummary, SummaryOptions};
use crm::worker::datasets::Datasets;
use crm::worker::overview::OverviewRequest;
use crm::worker::tasks::{run, run_with, ImportSettings, Output, Task};

/// The sample's transactions and survey imported through the worker's Import task, and the
/// worker's Overview of them, with the transactions' customer summary.
pub fn sample_overview() -> (crm::analysis::overview::Overview, CustomerSummary) {
    let Output::Sample(files) = run(
        Task::Sample {
            n_customers: 2000,
            seed: 42,
        },
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a sample")
    };
    let import = |name: &str, bytes: &[u8], ds: &mut Datasets, id: &str| match run_with(
        Task::Import {
            dataset: id.into(),
            file_name: name.into(),
            bytes: bytes.to_vec(),
            settings: ImportSettings::default(),
            summary: SummaryOptions::default(),
        },
        ds,
        &mut |_, _| {},
    )
    .unwrap()
    {
        Output::Imported(i) => *i,
        other => panic!("not an import: {other:?}"),
    };
    let mut ds = Datasets::default();
    let tx = import(
        "sample-transactions.csv",
        &files.transactions,
        &mut ds,
        "tx",
    );
    let sv = import("sample-survey.csv", &files.survey, &mut ds, "");
    let survey = sv.survey.expect("the sample survey");
    let Output::Overview(o) = run_with(
        Task::Overview(Box::new(OverviewRequest {
            dataset: "tx".into(),
            survey: Some(survey),
        })),
        &mut ds,
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not an overview")
    };
    (*o, tx.summary.unwrap())
}

/// The sample's transactions and survey as the import task returns them (the Data page's
/// counts, the log the worker holds, for validation and comparison, and the survey table).
#[allow(dead_code)]
pub fn sample_imports() -> (
    crm::io::import::Imported,
    crm::io::import::survey::SurveyTable,
) {
    let Output::Sample(files) = run(
        Task::Sample {
            n_customers: 2000,
            seed: 42,
        },
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a sample")
    };
    let mut ds = Datasets::default();
    let mut import = |name: &str, bytes: &[u8], id: &str| match run_with(
        Task::Import {
            dataset: id.into(),
            file_name: name.into(),
            bytes: bytes.to_vec(),
            settings: ImportSettings::default(),
            summary: SummaryOptions::default(),
        },
        &mut ds,
        &mut |_, _| {},
    )
    .unwrap()
    {
        Output::Imported(i) => *i,
        other => panic!("not an import: {other:?}"),
    };
    let mut tx = import("sample-transactions.csv", &files.transactions, "tx");
    let sv = import("sample-survey.csv", &files.survey, "");
    // The worker keeps the log (the page gets the summary): put it back for the analyses.
    tx.transactions = ds.get("tx").unwrap().log.clone();
    (tx, sv.survey.expect("the sample survey"))
}
