//! The parametric bootstrap split across workers, as worker tasks: parts of the replicates'
//! index range computed from what the request carries (fit, spend fit, the customers' ages
//! and weights), sent through the bincode codec the workers use, merged in any order and
//! turned into ranges by the worker holding the customers, give exactly the ranges of one run
//! over all replicates (`crm predict --bootstrap`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::analysis::clv::{value_intervals, IntervalRequest};
use crm::domain::clv::bootstrap::BootstrapPart;
use crm::domain::clv::intervals::IntervalMethod;
use crm::domain::customers::SummaryOptions;
use crm::worker::bootstrap::{BootstrapColumns, BootstrapTask};
use crm::worker::clv::ClvResult;
use crm::worker::datasets::Datasets;
use crm::worker::intervals::ValueRanges;
use crm::worker::tasks::{run, run_with, ImportSettings, Output, Task, WorkerError};

/// The app's sample (400 customers, seed 7) held as "s", fitted (BG/NBD with spend).
fn held_fit() -> (
    Datasets,
    ClvResult,
    Vec<crm::domain::customers::CustomerRecord>,
) {
    let Output::Sample(files) = run(
        Task::Sample {
            n_customers: 400,
            seed: 7,
        },
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a sample")
    };
    let mut datasets = Datasets::default();
    let Output::Imported(imp) = run_with(
        Task::Import {
            dataset: "s".into(),
            file_name: "sample.csv".into(),
            bytes: files.transactions,
            settings: ImportSettings::default(),
            summary: SummaryOptions::default(),
        },
        &mut datasets,
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not an import")
    };
    let summary = imp.summary.unwrap();
    let customers = summary.customers.clone();
    let Output::Clv(fit) = run_with(
        Task::Clv {
            dataset: "s".into(),
            request: Box::new(crm::analysis::clv::default_request(summary)),
        },
        &mut datasets,
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a fit")
    };
    (datasets, *fit, customers)
}

/// Through the codec, as a pool worker would run it.
fn pool_part(fit: &ClvResult, columns: &BootstrapColumns, first: u32, end: u32) -> BootstrapPart {
    let task = Task::Bootstrap(Box::new(BootstrapTask::Part {
        model: Box::new(fit.model.clone().unwrap()),
        spend: fit.spend.clone().map(Box::new),
        columns: columns.clone(),
        first,
        end,
        seed: 5,
    }));
    let task: Task = bincode::deserialize(&bincode::serialize(&task).unwrap()).unwrap();
    let mut fractions = Vec::new();
    let out = run(task, &mut |f, _| fractions.push(f)).unwrap();
    assert_eq!(fractions.last().copied(), Some(1.0));
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]));
    let out: Output = bincode::deserialize(&bincode::serialize(&out).unwrap()).unwrap();
    let Output::BootstrapPart(p) = out else {
        panic!("not a part")
    };
    *p
}

#[test]
fn split_parts_merged_in_any_order_give_the_ranges_of_one_run() {
    let (mut datasets, fit, customers) = held_fit();
    let columns = BootstrapColumns::from_customers(&customers);
    // Three workers' chunks, returned out of order.
    let mut merged = pool_part(&fit, &columns, 6, 10);
    merged.merge(pool_part(&fit, &columns, 0, 3));
    merged.merge(pool_part(&fit, &columns, 3, 6));
    assert_eq!(merged.sets.len() + merged.failures.len(), 10);
    assert!(merged.sets.len() >= 8, "{:?}", merged.failures);

    let out = run_with(
        Task::Bootstrap(Box::new(BootstrapTask::Intervals {
            dataset: "s".into(),
            model: Box::new(fit.model.clone().unwrap()),
            spend: fit.spend.clone().map(Box::new),
            settings: Box::new(fit.settings.clone().unwrap()),
            level: 0.9,
            seed: 5,
            part: Box::new(merged),
        })),
        &mut datasets,
        &mut |_, _| {},
    )
    .unwrap();
    let Output::Intervals(split) = out else {
        panic!("not ranges")
    };
    let whole = value_intervals(
        fit.model.as_ref().unwrap(),
        fit.spend.as_ref(),
        &customers,
        fit.settings.as_ref().unwrap(),
        &IntervalRequest {
            level: 0.9,
            bootstrap: Some(10),
            seed: 5,
            ..Default::default()
        },
        &mut |_| {},
    )
    .unwrap();
    let mut split = *split;
    let refits = std::mem::take(&mut split.refits);
    assert_eq!(split, ValueRanges::from_report(&whole));
    assert_eq!(refits.len() as u32, whole.sets);
    assert_eq!(split.method, IntervalMethod::Bootstrap);
    assert_eq!(split.seed, 5);
    assert_eq!(split.len(), customers.len());
    assert!(split.equity.range.lower <= split.equity.range.upper);
}

#[test]
fn a_part_beyond_the_simulation_limit_is_refused_in_words() {
    let (_, fit, _) = held_fit();
    let columns = BootstrapColumns {
        t: vec![30.0, 40.0],
        weight: vec![1.0, 2.0e7],
    };
    let task = Task::Bootstrap(Box::new(BootstrapTask::Part {
        model: Box::new(fit.model.clone().unwrap()),
        spend: None,
        columns,
        first: 0,
        end: 2,
        seed: 1,
    }));
    let Err(WorkerError::Clv(m)) = run(task, &mut |_, _| {}) else {
        panic!("not refused")
    };
    assert!(
        m.contains("20000001") && m.contains("limit 20000000"),
        "{m}"
    );
}

#[test]
fn ranges_from_refits_need_the_dataset_held() {
    let (_, fit, _) = held_fit();
    let task = Task::Bootstrap(Box::new(BootstrapTask::Intervals {
        dataset: "gone".into(),
        model: Box::new(fit.model.clone().unwrap()),
        spend: None,
        settings: Box::new(fit.settings.clone().unwrap()),
        level: 0.9,
        seed: 5,
        part: Box::default(),
    }));
    assert!(matches!(
        run(task, &mut |_, _| {}),
        Err(WorkerError::NotHeld { .. })
    ));
}
