//! A large customer summary on its way to the page, a few parts at a time.
//!
//! A finished import of more than [`CUSTOMERS_PER_PART`] customers answers them in parts
//! ([`Response::Customers`](super::protocol::Response::Customers)) ahead of its result. Sent
//! all at once, the 79 parts of a 1.6-million-customer summary (some 160 MB encoded) waited as
//! messages in the page's queue while the page decoded them one by one: Chromium's memory rose
//! by 575 MB. Now the worker sends [`PARTS_AHEAD`] parts, then one more each time the page has
//! decoded one and asks for it ([`Request::More`](super::protocol::Request::More)), and the
//! result once the last part is out.

use super::datasets::Datasets;
use super::error::WorkerError;
use super::protocol::{Response, CUSTOMERS_PER_PART};
use super::tasks::Output;
use crate::domain::customers::{CustomerRecord, Records};

/// Parts in flight before the page asks for more: one being decoded, one waiting.
pub const PARTS_AHEAD: usize = 2;

/// Where the parts come from.
#[derive(Debug)]
enum Source {
    /// The records of the dataset the worker holds under this id (an import's summary moved
    /// there, see [`Datasets::hold_import`]).
    Held(String),
    /// Records taken off the result itself (a summary not held).
    Owned(Vec<CustomerRecord>),
}

/// What to send next.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// The next customers, with the whole summary's count.
    Part(Vec<CustomerRecord>, u64),
    /// Every part is out: the job's result (its summary holds no customers).
    Done(Output),
    /// The held dataset was replaced or forgotten before every part was out.
    Lost(WorkerError),
}

impl Step {
    /// The message for job `job`, and whether it ends the job (the result, or the failure).
    pub fn into_response(self, job: u32) -> (Response, bool) {
        match self {
            Step::Part(part, total) => (
                Response::Customers {
                    job,
                    total,
                    part: Records(part),
                },
                false,
            ),
            Step::Done(output) => (Response::Done { job, output }, true),
            Step::Lost(error) => (Response::Failed { job, error }, true),
        }
    }
}

/// One job's customers still to send, and its result.
#[derive(Debug)]
pub struct Outbox {
    source: Source,
    next: usize,
    total: usize,
    result: Option<Output>,
}

impl Outbox {
    /// The outbox of an import whose records were moved into the dataset held under
    /// `dataset`, `total` of them.
    pub fn held(dataset: &str, total: usize, result: Output) -> Self {
        Outbox {
            source: Source::Held(dataset.to_string()),
            next: 0,
            total,
            result: Some(result),
        }
    }

    /// The outbox of a result whose summary has more than [`CUSTOMERS_PER_PART`] customers (they
    /// are taken off it), or `Err` with the result unchanged when it needs none.
    ///
    /// # Errors
    /// The result itself when it has no large summary.
    pub fn owned(mut result: Output) -> Result<Self, Output> {
        let records = match &mut result {
            Output::Imported(imp) => match imp.summary.as_mut() {
                Some(s) if s.customers.len() > CUSTOMERS_PER_PART => {
                    std::mem::take(&mut s.customers)
                }
                _ => return Err(result),
            },
            _ => return Err(result),
        };
        Ok(Outbox {
            total: records.len(),
            source: Source::Owned(records),
            next: 0,
            result: Some(result),
        })
    }

    /// The next message's content: a part, or the result once every part is out.
    pub fn step(&mut self, datasets: &Datasets) -> Step {
        let records = match &self.source {
            Source::Held(d) => datasets.records(d),
            Source::Owned(r) => r.as_slice(),
        };
        if records.len() != self.total {
            return Step::Lost(WorkerError::NotHeld {
                dataset: match &self.source {
                    Source::Held(d) => d.clone(),
                    Source::Owned(_) => String::new(),
                },
            });
        }
        let end = (self.next + CUSTOMERS_PER_PART).min(self.total);
        match records.get(self.next..end) {
            Some(part) if !part.is_empty() => {
                self.next = end;
                Step::Part(part.to_vec(), self.total as u64)
            }
            _ => match self.result.take() {
                Some(r) => Step::Done(r),
                None => Step::Lost(WorkerError::Unexpected),
            },
        }
    }

    /// Whether the result has been handed out (the outbox can go).
    pub fn finished(&self) -> bool {
        self.result.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::SummaryOptions;
    use crate::io::import::{import_bytes, ImportSettings};

    fn import(customers: usize) -> Output {
        let mut log = String::from("customer,date,amount\n");
        for i in 0..customers {
            log.push_str(&format!("C{i},2024-01-{:02},{}\n", i % 28 + 1, i % 9 + 1));
        }
        let imp = import_bytes(
            "log.csv",
            log.as_bytes(),
            &ImportSettings::default(),
            &SummaryOptions::default(),
            &mut |_, _| {},
        )
        .unwrap();
        Output::Imported(Box::new(imp))
    }

    fn drain(outbox: &mut Outbox, datasets: &Datasets) -> (Vec<CustomerRecord>, Vec<usize>, Step) {
        let (mut all, mut sizes) = (Vec::new(), Vec::new());
        loop {
            match outbox.step(datasets) {
                Step::Part(p, total) => {
                    assert_eq!(total as usize, outbox.total);
                    sizes.push(p.len());
                    all.extend(p);
                }
                other => return (all, sizes, other),
            }
        }
    }

    #[test]
    fn a_held_summary_goes_out_in_parts_then_the_result() {
        let n = 2 * CUSTOMERS_PER_PART + 5;
        let mut datasets = Datasets::default();
        let Output::Imported(mut imp) = import(n) else {
            unreachable!()
        };
        let want = imp.summary.clone().unwrap().customers;
        assert!(datasets.hold_import("d1", &mut imp, CUSTOMERS_PER_PART));
        let result = Output::Imported(imp);
        let mut outbox = Outbox::held("d1", n, result.clone());
        assert!(!outbox.finished());
        let (all, sizes, last) = drain(&mut outbox, &datasets);
        assert_eq!(sizes, [CUSTOMERS_PER_PART, CUSTOMERS_PER_PART, 5]);
        assert_eq!(all, want);
        assert_eq!(last, Step::Done(result));
        assert!(outbox.finished());
        // Asked again (a late request): nothing more is sent.
        assert_eq!(outbox.step(&datasets), Step::Lost(WorkerError::Unexpected));
    }

    #[test]
    fn each_step_is_one_message_and_only_the_last_ends_the_job() {
        let result = import(3);
        let (part, last) = Step::Part(Vec::new(), 9).into_response(4);
        assert!(
            !last
                && matches!(
                    part,
                    Response::Customers {
                        job: 4,
                        total: 9,
                        ..
                    }
                )
        );
        let (done, last) = Step::Done(result.clone()).into_response(4);
        assert!(
            last && done
                == Response::Done {
                    job: 4,
                    output: result
                }
        );
        let (failed, last) = Step::Lost(WorkerError::Unexpected).into_response(4);
        assert!(last && matches!(failed, Response::Failed { job: 4, .. }));
    }

    #[test]
    fn a_dataset_replaced_while_its_parts_go_out_fails_the_job() {
        let n = CUSTOMERS_PER_PART + 1;
        let mut datasets = Datasets::default();
        let Output::Imported(mut imp) = import(n) else {
            unreachable!()
        };
        assert!(datasets.hold_import("d1", &mut imp, CUSTOMERS_PER_PART));
        let mut outbox = Outbox::held("d1", n, Output::Imported(imp));
        assert!(
            matches!(outbox.step(&datasets), Step::Part(p, _) if p.len() == CUSTOMERS_PER_PART)
        );
        let Output::Imported(mut other) = import(10) else {
            unreachable!()
        };
        datasets.take_import("d1", &mut other);
        assert_eq!(
            outbox.step(&datasets),
            Step::Lost(WorkerError::NotHeld {
                dataset: "d1".into()
            })
        );
    }

    #[test]
    fn a_result_not_held_sends_its_own_records_and_a_small_one_needs_no_outbox() {
        let n = CUSTOMERS_PER_PART + 3;
        let result = import(n);
        let Output::Imported(imp) = &result else {
            unreachable!()
        };
        let want = imp.summary.clone().unwrap().customers;
        let mut outbox = Outbox::owned(result).unwrap();
        let datasets = Datasets::default();
        let (all, sizes, last) = drain(&mut outbox, &datasets);
        assert_eq!(sizes, [CUSTOMERS_PER_PART, 3]);
        assert_eq!(all, want);
        let Step::Done(Output::Imported(done)) = last else {
            panic!("no result")
        };
        assert!(done.summary.unwrap().customers.is_empty());

        let small = import(10);
        assert_eq!(Outbox::owned(small.clone()).unwrap_err(), small);
    }
}
