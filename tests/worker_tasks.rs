//! The worker's tasks natively: the sample task, the transaction logs the worker keeps after an
//! import and the typed errors it answers when one is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::domain::customers::{SummaryOptions, TxLog};
use crm::worker::clv::{default_request, ClvRequest};
use crm::worker::tasks::{
    run, run_with, ImportSettings, Imported, KeptLogs, Output, Task, WorkerError,
};

fn whole(bytes: &[u8], name: &str) -> Result<Imported, WorkerError> {
    let task = Task::Import {
        file_name: name.into(),
        bytes: bytes.to_vec(),
        settings: ImportSettings::default(),
        summary: SummaryOptions::default(),
    };
    match run(task, &mut |_, _| {})? {
        Output::Imported(i) => Ok(*i),
        other => panic!("not an import: {other:?}"),
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
    let Output::Sample {
        transactions,
        survey,
        cohort,
    } = out
    else {
        panic!("not a sample")
    };
    assert!(transactions.starts_with(b"customer_id,date,amount"));
    assert!(!survey.is_empty() && !cohort.is_empty());
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
fn the_worker_keeps_the_log_and_answers_from_it() {
    let log =
        "customer,date,amount\nA,2024-01-05,10\nB,2024-01-06,7\nA,2024-01-02,3\nA,2024-02-01,4.5\n";
    let mut out = Output::Imported(Box::new(whole(log.as_bytes(), "log.csv").unwrap()));
    let mut logs = KeptLogs::default();
    logs.take_from(7, &mut out);
    let Output::Imported(imp) = &out else {
        panic!("not an import")
    };
    // The page gets the count and a key, not the rows.
    assert!(imp.transactions.is_empty());
    assert_eq!((imp.purchases, imp.log_key), (4, 7));
    assert_eq!(logs.get(7).map(TxLog::len), Some(4));
    let history = |logs: &KeptLogs, key, id: &str| {
        run_with(
            Task::History {
                log_key: key,
                customer: id.into(),
            },
            logs,
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
        history(&logs, 7, "A").unwrap(),
        Output::History {
            days: vec![day(2024, 1, 2), day(2024, 1, 5), day(2024, 2, 1)],
            amounts: vec![3.0, 10.0, 4.5],
        }
    );
    assert_eq!(
        history(&logs, 7, "nobody").unwrap(),
        Output::History {
            days: vec![],
            amounts: vec![]
        }
    );
    // Only the newest two logs are kept; a forgotten one says so in plain words.
    logs.keep(8, TxLog::default());
    logs.keep(9, TxLog::default());
    assert!(logs.get(7).is_none() && logs.get(8).is_some() && logs.get(9).is_some());
    assert_eq!(
        history(&logs, 7, "A").unwrap_err(),
        WorkerError::NotHeld {
            dataset: "7".into()
        }
    );
    let mut clv = default_request(imp.summary.clone().unwrap());
    clv.log_key = 7;
    assert_eq!(
        run_with(Task::Clv(Box::new(clv)), &logs, &mut |_, _| {}).unwrap_err(),
        WorkerError::NotHeld {
            dataset: "7".into()
        }
    );
    // Other outputs pass through untouched.
    let mut sample = Output::History {
        days: vec![1],
        amounts: vec![2.0],
    };
    logs.take_from(10, &mut sample);
    assert!(logs.get(10).is_none());
}

#[test]
fn validation_reads_the_kept_log_as_it_would_the_sent_one() {
    let Output::Sample { transactions, .. } = run(
        Task::Sample {
            n_customers: 400,
            seed: 3,
        },
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a sample")
    };
    let imp = whole(&transactions, "sample.csv").unwrap();
    let mut logs = KeptLogs::default();
    logs.keep(3, imp.transactions.clone());
    let summary = imp.summary.unwrap();
    let sent = ClvRequest {
        transactions: imp.transactions,
        ..default_request(summary.clone())
    };
    let kept = ClvRequest {
        log_key: 3,
        ..default_request(summary)
    };
    let fit = |req| match run_with(Task::Clv(Box::new(req)), &logs, &mut |_, _| {}) {
        Ok(Output::Clv(r)) => r.validation,
        other => panic!("{other:?}"),
    };
    let (a, b) = (fit(sent), fit(kept));
    assert!(a.is_some());
    assert_eq!(
        a.map(|v| (v.holdout, v.n_customers)),
        b.map(|v| (v.holdout, v.n_customers))
    );
}
