//! Shared by the integration tests: the built-in sample (2000 customers, seed 42) through the
//! worker's tasks, as the page gets it; the `crm` command run with arguments.

// Each test binary uses some of these helpers, not all.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use crm::domain::customers::{CustomerSummary, SummaryOptions};
use crm::worker::datasets::Datasets;
use crm::worker::tasks::{run, run_with, ImportSettings, Imported, Output, SampleFiles, Task};

/// The sample's transactions and survey imported through the worker's Import task, and the
/// Overview of them as `crm report` computes it ([`crm::analysis::overview::compute`]), with
/// the transactions' customer summary.
pub fn sample_overview() -> (crm::analysis::overview::Overview, CustomerSummary) {
    let files = sample_files(2000, 42);
    let mut ds = Datasets::default();
    let tx = import_into(
        &mut ds,
        "tx",
        "sample-transactions.csv",
        &files.transactions,
    );
    let sv = import_into(&mut ds, "", "sample-survey.csv", &files.survey);
    let survey = sv.survey.expect("the sample survey");
    let summary = tx.summary.unwrap();
    let o = crm::analysis::overview::compute(&summary, Some(&survey), &mut |_, _| {}).overview;
    (o, summary)
}

/// The built-in sample of `n_customers` customers drawn with `seed`, as the worker's Sample
/// task makes it (the app's own is 2000 customers, seed 42).
pub fn sample_files(n_customers: u32, seed: u64) -> SampleFiles {
    let Output::Sample(files) = run(Task::Sample { n_customers, seed }, &mut |_, _| {}).unwrap()
    else {
        panic!("not a sample")
    };
    files
}

/// Imports `bytes` (a file called `name`) through the worker's Import task as dataset `id`,
/// held in `ds` (an empty id holds nothing).
pub fn import_into(ds: &mut Datasets, id: &str, name: &str, bytes: &[u8]) -> Imported {
    match run_with(
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
    }
}

/// Runs the `crm` command with `args`; its exit status and output.
pub fn crm_output(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .output()
        .expect("crm runs")
}

/// Runs the `crm` command with `args`: whether it succeeded, its stdout and its stderr.
pub fn crm(args: &[&str]) -> (bool, String, String) {
    let out = crm_output(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Polls a future that never waits (the in-memory store) to completion.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The sample's transactions and survey as the import task returns them (the Data page's
/// counts, the log the worker holds, for validation and comparison, and the survey table).
pub fn sample_imports() -> (
    crm::io::import::Imported,
    crm::io::import::survey::SurveyTable,
) {
    let files = sample_files(2000, 42);
    let mut ds = Datasets::default();
    let mut tx = import_into(
        &mut ds,
        "tx",
        "sample-transactions.csv",
        &files.transactions,
    );
    let sv = import_into(&mut ds, "", "sample-survey.csv", &files.survey);
    // The worker keeps the log (the page gets the summary): put it back for the analyses.
    tx.transactions = ds.get("tx").unwrap().log.clone();
    (tx, sv.survey.expect("the sample survey"))
}
