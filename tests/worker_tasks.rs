//! The worker's tasks natively: the sample task, the datasets the worker holds after an
//! import (keyed by the page's dataset id) and the typed errors it answers when one is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::domain::customers::{SummaryOptions, TxLog};
use crm::worker::clv::{default_request, ClvRequest};
use crm::worker::datasets::{Datasets, Held};
use crm::worker::segment;
use crm::worker::tasks::{
    run, run_with, History, ImportSettings, Imported, Output, SampleFiles, Task, WorkerError,
};

fn import_task(dataset: &str, bytes: &[u8], name: &str) -> Task {
    Task::Import {
        dataset: dataset.into(),
        file_name: name.into(),
        bytes: bytes.to_vec(),
        settings: ImportSettings::default(),
        summary: SummaryOptions::default(),
    }
}

fn whole(bytes: &[u8], name: &str) -> Result<Imported, WorkerError> {
    match run(import_task("", bytes, name), &mut |_, _| {})? {
        Output::Imported(i) => Ok(*i),
        other => panic!("not an import: {other:?}"),
    }
}

fn sample(n_customers: u32, seed: u64) -> SampleFiles {
    match run(Task::Sample { n_customers, seed }, &mut |_, _| {}).unwrap() {
        Output::Sample(s) => s,
        other => panic!("not a sample: {other:?}"),
    }
}

fn not_held(dataset: &str) -> WorkerError {
    WorkerError::NotHeld {
        dataset: dataset.into(),
    }
}

#[test]
fn sample_task_reports_progress_and_returns_three_files() {
    let mut seen = Vec::new();
    let out = run(
        Task::Sample {
            n_customers: 50,
            seed: 1,
        },
        &mut |f, _| seen.push(f),
    )
    .unwrap();
    assert_eq!(seen.last(), Some(&1.0));
    let Output::Sample(s) = out else {
        panic!("not a sample")
    };
    assert!(s.transactions.starts_with(b"customer_id,date,amount"));
    assert!(!s.survey.is_empty() && !s.cohort.is_empty());
}

#[test]
fn an_import_error_is_the_typed_import_error() {
    let err = whole(&[0u8; 100], "x.png").unwrap_err();
    assert!(
        matches!(
            err,
            WorkerError::Import(crm::io::import::ImportError::BinaryFile)
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not text"), "{err}");
}

#[test]
fn the_worker_holds_an_imported_dataset_and_answers_from_it() {
    let log =
        "customer,date,amount\nA,2024-01-05,10\nB,2024-01-06,7\nA,2024-01-02,3\nA,2024-02-01,4.5\n";
    let mut datasets = Datasets::default();
    let Output::Imported(imp) = run_with(
        import_task("d7", log.as_bytes(), "log.csv"),
        &mut datasets,
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not an import")
    };
    // The page gets the count and the summary, not the rows.
    assert!(imp.transactions.is_empty());
    assert_eq!(imp.purchases, 4);
    assert_eq!(datasets.get("d7").map(|h| h.log.len()), Ok(4));
    let history = |datasets: &mut Datasets, dataset: &str, id: &str| {
        run_with(
            Task::History {
                dataset: dataset.into(),
                customer: id.into(),
            },
            datasets,
            &mut |_, _| {},
        )
    };
    use chrono::Datelike;
    let day = |y, m, d| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .num_days_from_ce()
    };
    assert_eq!(
        history(&mut datasets, "d7", "A").unwrap(),
        Output::History(History {
            days: vec![day(2024, 1, 2), day(2024, 1, 5), day(2024, 2, 1)],
            amounts: vec![3.0, 10.0, 4.5],
        })
    );
    assert_eq!(
        history(&mut datasets, "d7", "nobody").unwrap(),
        Output::History(History::default())
    );
    // The held summary is segmented; the request's own (empty) one is not read.
    let header = crm::domain::customers::CustomerSummary {
        customers: Vec::new(),
        ..imp.summary.clone().unwrap()
    };
    let seg = run_with(
        Task::Segment {
            dataset: "d7".into(),
            key: String::new(),
            request: Box::new(segment::default_request(header.clone())),
        },
        &mut datasets,
        &mut |_, _| {},
    );
    assert!(matches!(seg, Ok(Output::Segment(_))), "{seg:?}");
    // Only the newest two datasets are held; a forgotten one is named in the error.
    let held = || Held {
        log: TxLog::default(),
        summary: header.clone(),
    };
    datasets.keep("d8", held());
    datasets.keep("d9", held());
    assert!(!datasets.holds("d7") && datasets.holds("d8") && datasets.holds("d9"));
    assert_eq!(
        history(&mut datasets, "d7", "A").unwrap_err(),
        not_held("d7")
    );
    for task in [
        Task::Clv {
            dataset: "d7".into(),
            request: Box::new(default_request(header.clone())),
        },
        Task::Segment {
            dataset: "d7".into(),
            key: String::new(),
            request: Box::new(segment::default_request(header)),
        },
    ] {
        assert_eq!(
            run_with(task, &mut datasets, &mut |_, _| {}).unwrap_err(),
            not_held("d7")
        );
    }
}

#[test]
fn a_survey_import_holds_nothing_and_an_unnamed_import_keeps_its_log() {
    let files = sample(60, 5);
    let mut datasets = Datasets::default();
    run_with(
        import_task("s1", &files.survey, "survey.csv"),
        &mut datasets,
        &mut |_, _| {},
    )
    .unwrap();
    assert!(!datasets.holds("s1"));
    let imp = whole(&files.transactions, "sample.csv").unwrap();
    assert!(!imp.transactions.is_empty());
}

#[test]
fn validation_reads_the_held_log_as_it_would_the_sent_one() {
    let files = sample(400, 3);
    let imp = whole(&files.transactions, "sample.csv").unwrap();
    let summary = imp.summary.clone().unwrap();
    let mut datasets = Datasets::default();
    datasets.keep(
        "d3",
        Held {
            log: imp.transactions.clone(),
            summary: summary.clone(),
        },
    );
    let sent = ClvRequest {
        transactions: imp.transactions,
        ..default_request(summary.clone())
    };
    let a = crm::worker::clv::run(sent, &mut |_, _| {})
        .unwrap()
        .validation;
    let lean = default_request(crm::domain::customers::CustomerSummary {
        customers: Vec::new(),
        ..summary
    });
    // The fit alone does not validate: the page asks for the validation as a task of its own.
    let fit = run_with(
        Task::Clv {
            dataset: "d3".into(),
            request: Box::new(lean.clone()),
        },
        &mut datasets,
        &mut |_, _| {},
    );
    assert!(matches!(&fit, Ok(Output::Clv(r)) if r.validation.is_none() && r.model.is_some()));
    let b = match run_with(
        Task::ClvValidation {
            dataset: "d3".into(),
            request: Box::new(lean),
        },
        &mut datasets,
        &mut |_, _| {},
    ) {
        Ok(Output::ClvValidation(r)) => {
            assert_eq!(r.note, "");
            r.validation
        }
        other => panic!("{other:?}"),
    };
    assert!(a.is_some());
    // The same figures, to the last bit.
    assert_eq!(a, b);
    // The held summary is lent to the fit and back: a second fit sees it whole.
    assert_eq!(
        datasets.get("d3").map(|h| !h.summary.customers.is_empty()),
        Ok(true)
    );
}

#[test]
fn a_large_summary_travels_in_parts_that_reassemble_it() {
    use crm::domain::customers::CustomerRecord;
    use crm::domain::customers::{CustomerSummary, Records, TimeUnit};
    use crm::worker::datasets::Datasets;
    use crm::worker::outbox::{Outbox, Step};
    use crm::worker::protocol::{Response, CUSTOMERS_PER_PART};
    use crm::worker::tasks::{Imported, Output};
    let n = 2 * CUSTOMERS_PER_PART + 17;
    let customers: Vec<CustomerRecord> = (0..n)
        .map(|i| CustomerRecord::from_stats(format!("C{i}"), (i % 5) as f64, 1.0, 2.0, 3.5))
        .collect();
    let summary = CustomerSummary {
        time_unit: TimeUnit::Week,
        observation_end: None,
        calibration_end: None,
        holdout_length: 0.0,
        customers: customers.clone(),
        returns_rows: 0,
        excluded: Vec::new(),
    };
    let imported = |summary| {
        Output::Imported(Box::new(Imported {
            kind: crm::io::storage::DataKind::Summary,
            detection: Default::default(),
            preview: Default::default(),
            mapping: None,
            layout: String::new(),
            report: None,
            transactions: Default::default(),
            purchases: 0,
            summary: Some(summary),
            survey: None,
            cohort: None,
            rows: 0,
        }))
    };
    let mut outbox = Outbox::owned(imported(summary.clone())).unwrap();
    let held = Datasets::default();
    let mut parts = Vec::new();
    let done = loop {
        match outbox.step(&held) {
            Step::Part(p, total) => {
                assert_eq!(total, n as u64);
                parts.push(p);
            }
            other => break other,
        }
    };
    assert_eq!(
        parts.iter().map(Vec::len).collect::<Vec<_>>(),
        [CUSTOMERS_PER_PART, CUSTOMERS_PER_PART, 17]
    );
    let Step::Done(Output::Imported(rest)) = done else {
        panic!("no result after the parts")
    };
    assert!(rest.summary.unwrap().customers.is_empty());
    // Each part crosses bincode on its own; the page appends them in order.
    let mut back = Vec::new();
    for p in parts {
        let wire = bincode::serialize(&Response::Customers {
            job: 1,
            total: n as u64,
            part: Records(p),
        })
        .unwrap();
        let Response::Customers { part, .. } = bincode::deserialize(&wire).unwrap() else {
            panic!("not a part")
        };
        back.extend(part.0);
    }
    assert_eq!(back, customers);
    // A small summary stays whole.
    let small = CustomerSummary {
        customers: customers[..10].to_vec(),
        ..summary
    };
    assert_eq!(
        Outbox::owned(imported(small.clone())).unwrap_err(),
        imported(small)
    );
}

#[test]
fn the_cohort_task_answers_from_the_held_customers_as_the_analysis_does() {
    use crm::analysis::cohort::{self, CohortInputs, CohortRequest};
    let files = sample(500, 5);
    let imp = whole(&files.transactions, "sample.csv").unwrap();
    let summary = imp.summary.clone().unwrap();
    let fit = crm::worker::clv::run(default_request(summary.clone()), &mut |_, _| {}).unwrap();
    let inputs = CohortInputs {
        acquisition_cost: 25.0,
        margin_rate: 0.4,
        ..Default::default()
    };
    let direct = cohort::analyze(&summary, &fit, &inputs).unwrap();
    let mut datasets = Datasets::default();
    datasets.keep(
        "c1",
        Held {
            log: imp.transactions,
            summary,
        },
    );
    let task = |dataset: &str| Task::Cohorts {
        dataset: dataset.into(),
        request: Box::new(CohortRequest::from_fit(&fit, &inputs).unwrap()),
    };
    let mut stages = Vec::new();
    let via_worker = match run_with(task("c1"), &mut datasets, &mut |_, s| {
        stages.push(s.to_string())
    }) {
        Ok(Output::Cohorts(r)) => *r,
        other => panic!("{other:?}"),
    };
    assert_eq!(via_worker, direct);
    assert!(!direct.cohorts.is_empty());
    assert!(direct.new_customer.interval.is_some());
    assert!(stages.iter().any(|s| s == "Valuing the cohorts"));
    // Through bincode, as it crosses to the page.
    let bytes = bincode::serialize(&Output::Cohorts(Box::new(direct.clone()))).unwrap();
    assert_eq!(
        bincode::deserialize::<Output>(&bytes).unwrap(),
        Output::Cohorts(Box::new(direct))
    );
    assert_eq!(
        run_with(task("gone"), &mut datasets, &mut |_, _| {}),
        Err(not_held("gone"))
    );
}
