//! Tests of the worker's segmentation tasks: held results, queries, the split search.

use super::*;
use crate::domain::customers::{summarize, SummaryOptions, Transaction};
use chrono::NaiveDate;

fn sample_summary(n: usize) -> CustomerSummary {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let log: Vec<Transaction> = (0..n)
        .flat_map(|c| {
            (0..1 + (c * 7) % 9).map(move |v| Transaction {
                customer_id: format!("c{c:04}"),
                date: start + chrono::Days::new(((c * 13 + v * 29) % 360) as u64),
                amount: 5.0 + ((c * 31 + v * 17) % 200) as f64,
                margin: None,
                quantity: None,
                channel: None,
                product: None,
            })
        })
        .collect();
    summarize(&log, &SummaryOptions::default()).unwrap()
}

/// Sends a task through bincode as the page does and runs it.
fn send(task: KSearchTask, datasets: &mut Datasets) -> Output {
    let task = bincode::deserialize(&bincode::serialize(&task).unwrap()).unwrap();
    let out = run_search(task, datasets, &mut |_, _| {}).unwrap();
    bincode::deserialize(&bincode::serialize(&out).unwrap()).unwrap()
}

/// `n` customers held by the worker as dataset "d", and the default request on them (the
/// summary's header only, as the page sends it).
fn held(n: usize) -> (CustomerSummary, Datasets, SegmentRequest) {
    use super::super::datasets::Held;
    let summary = sample_summary(n);
    let mut datasets = Datasets::default();
    datasets.keep(
        "d",
        Held {
            log: Default::default(),
            summary: summary.clone(),
        },
    );
    let req = default_request(crate::domain::customers::CustomerSummary {
        customers: Vec::new(),
        ..summary.clone()
    });
    (summary, datasets, req)
}

#[test]
fn the_split_tasks_give_the_one_worker_segmentation() {
    let (summary, mut datasets, mut req) = held(300);
    req.cluster = Some(ClusterRequest {
        k_max: 5,
        ..Default::default()
    });
    let one = run_on(&summary, &req, &mut |_, _| {}).unwrap();
    let dataset = "d".to_string();
    let request = Box::new(req);
    let Output::KSearchSample(sample) = send(
        KSearchTask::Sample {
            dataset: dataset.clone(),
            request: request.clone(),
        },
        &mut datasets,
    ) else {
        panic!("not a sample");
    };
    let mut part = KSearchPart::default();
    for (first, last) in [(4, 5), (2, 3)] {
        let Output::KSearchPart(p) = send(
            KSearchTask::Part {
                sample: sample.clone(),
                first,
                last,
            },
            &mut datasets,
        ) else {
            panic!("not a part");
        };
        part.merge(*p);
    }
    let finish = KSearchTask::Finish {
        dataset: dataset.clone(),
        key: String::new(),
        request,
        part: Box::new(part),
    };
    assert_eq!(send(finish, &mut datasets), Output::Segment(Box::new(one)));
    let missing = KSearchTask::Sample {
        dataset: "gone".into(),
        request: Box::new(default_request(summary)),
    };
    assert!(matches!(
        run_search(missing, &mut datasets, &mut |_, _| {}),
        Err(WorkerError::NotHeld { .. })
    ));
}

#[test]
fn a_held_segmentation_answers_views_pages_crosstabs_and_then_is_gone() {
    use super::super::tasks::{run_with, Task};
    let (summary, mut datasets, mut req) = held(200);
    req.clv = Some((0..200).map(f64::from).collect());
    let whole = run_on(&summary, &req, &mut |_, _| {}).unwrap();
    let task = |key: &str| Task::Segment {
        dataset: "d".into(),
        key: key.into(),
        request: Box::new(req.clone()),
    };
    let Output::Segment(view) = run_with(task("d/k1"), &mut datasets, &mut |_, _| {}).unwrap()
    else {
        panic!("not a segmentation");
    };
    assert!(view.is_view() && view.segment_of.is_empty());
    assert_eq!((view.held.as_str(), view.len()), ("d/k1", 200));
    assert_eq!(view.table, whole.table);
    let name = whole.table[0].name.clone();
    let ask = |key: &str, q: SegmentQuery, datasets: &mut Datasets| {
        let t = Task::SegmentQuery {
            key: key.into(),
            query: Box::new(q),
        };
        let t = bincode::deserialize(&bincode::serialize(&t).unwrap()).unwrap();
        run_with(t, datasets, &mut |_, _| {})
    };
    let q = SegmentQuery::Customers(CustomerQuery {
        segment: name.clone(),
        limit: 10,
        ..Default::default()
    });
    let Ok(Output::SegmentAnswer(a)) = ask("d/k1", q.clone(), &mut datasets) else {
        panic!("no answer");
    };
    let SegmentAnswer::Customers(page) = *a else {
        panic!("not customers");
    };
    assert_eq!(page.in_segment, whole.table[0].customers);
    assert!(
        page.rows.iter().all(|r| r.clv.is_some()),
        "the request's CLV"
    );
    let x = SegmentQuery::CrossTab(Labeling::Rfm, Labeling::Pyramid);
    let Ok(Output::SegmentAnswer(a)) = ask("d/k1", x, &mut datasets) else {
        panic!("no answer");
    };
    assert!(matches!(*a, SegmentAnswer::CrossTab(Some(Ok(_)))));
    // Three more results push the first out: it is gone, in words the page matches.
    for k in ["d/k2", "d/k3", "d/k4"] {
        run_with(task(k), &mut datasets, &mut |_, _| {}).unwrap();
    }
    assert_eq!(
        ask("d/k1", q, &mut datasets),
        Err(WorkerError::SegmentsGone { key: "d/k1".into() })
    );
}

#[test]
fn segmentation_output_round_trips_through_bincode() {
    let res = run(default_request(sample_summary(60)), &mut |_, _| {}).unwrap();
    let task = crate::worker::tasks::Output::Segment(Box::new(res));
    let bytes = bincode::serialize(&task).unwrap();
    let back: crate::worker::tasks::Output = bincode::deserialize(&bytes).unwrap();
    assert_eq!(back, task);
}
