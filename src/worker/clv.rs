//! Worker task: a lifetime-value fit. The figures are computed in [`crate::analysis::clv`] (the
//! same functions `crm fit` and `crm predict` call); this task only passes the worker's clock,
//! and the validation task ([`super::tasks::Task::ClvValidation`]) the held transaction log.

use super::error::WorkerError;
pub use crate::analysis::clv::{
    default_calibration_end, default_request, ClvRequest, ClvResult, CumulativePoint,
    FreqRecencyGrid, HistBin, Validation, ValidationOutcome, DEFAULT_KEY, DEFAULT_MARGIN_RATE,
    DEFAULT_MONTHLY_DISCOUNT, DEFAULT_MONTHS,
};

/// Runs the fit (and the validation when the request carries its transactions: the page's
/// requests do not, and ask for it as [`super::tasks::Task::ClvValidation`]).
///
/// # Errors
/// [`WorkerError::Clv`] with a message for the user (bad settings, a summary that cannot be
/// fitted).
pub fn run(req: ClvRequest, progress: &mut dyn FnMut(f64, &str)) -> Result<ClvResult, WorkerError> {
    run_ref(&req, progress)
}

/// [`run`] on a borrowed request (the worker lends it the held summary).
///
/// # Errors
/// As [`run`].
pub fn run_ref(
    req: &ClvRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<ClvResult, WorkerError> {
    // Each stage's start goes to the timing lines (see `super::log`).
    let started = super::now_ms();
    let mut last = String::new();
    let mut timed = |f: f64, stage: &str| {
        // A stage's own counts ("… 3 of 40") are not new stages.
        let name = stage.split([':', '(']).next().unwrap_or(stage);
        if name != last {
            super::log::debug(|| {
                format!(
                    "worker: lifetime value at {:.0} ms: {stage}",
                    super::now_ms() - started
                )
            });
            last = name.to_string();
        }
        progress(f, stage);
    };
    crate::analysis::clv::analyze(req, None, &mut timed, &super::now_ms).map_err(WorkerError::Clv)
}

/// Compares the purchase models on a held dataset: its summary and log are lent to the
/// comparison (no copy) and taken back, whatever the outcome.
///
/// # Errors
/// The comparison's own errors, as [`WorkerError::Clv`].
pub fn compare_on(
    held: &mut super::datasets::Held,
    mut req: crate::analysis::compare::CompareRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<crate::analysis::compare::Comparison, WorkerError> {
    std::mem::swap(&mut req.summary, &mut held.summary);
    std::mem::swap(&mut req.transactions, &mut held.log);
    let result = crate::analysis::compare::compare(&req, progress);
    std::mem::swap(&mut req.summary, &mut held.summary);
    std::mem::swap(&mut req.transactions, &mut held.log);
    result.map_err(WorkerError::Clv)
}

/// New-customer value and cohorts of a held dataset under a fit.
///
/// # Errors
/// The analysis's own errors, as [`WorkerError::Clv`].
pub fn cohorts_on(
    held: &super::datasets::Held,
    request: &crate::analysis::cohort::CohortRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<super::tasks::Output, WorkerError> {
    crate::analysis::cohort::analyze_request(&held.summary, request, progress)
        .map(|r| super::tasks::Output::Cohorts(Box::new(r)))
        .map_err(WorkerError::Clv)
}

/// The classroom simulator: the recovery at growing sizes, or (`file`) the base as a file.
///
/// # Errors
/// A bad request, as [`WorkerError::Clv`].
pub fn simulate(
    request: &crate::analysis::simulator::SimRequest,
    file: bool,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<super::tasks::Output, WorkerError> {
    use super::tasks::Output;
    use crate::analysis::simulator;
    if file {
        progress(0.1, "Simulating customers");
        simulator::generate(request, request.customers).map(|f| Output::SimFile(Box::new(f)))
    } else {
        simulator::recovery(request, progress).map(|r| Output::Recovery(Box::new(r)))
    }
    .map_err(WorkerError::Clv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::tasks::{self, Output, Task};

    #[test]
    fn request_and_result_round_trip_through_bincode() {
        let Ok(Output::Sample(tasks::SampleFiles { transactions, .. })) = tasks::run(
            Task::Sample {
                n_customers: 300,
                seed: 42,
            },
            &mut |_, _| {},
        ) else {
            panic!("not a sample")
        };
        let Ok(Output::Imported(imp)) = tasks::run(
            Task::Import {
                dataset: String::new(),
                file_name: "sample.csv".into(),
                bytes: transactions,
                settings: Default::default(),
                summary: Default::default(),
            },
            &mut |_, _| {},
        ) else {
            panic!("not imported")
        };
        let imp = *imp;
        let req = ClvRequest {
            transactions: imp.transactions,
            calibration_end: chrono::NaiveDate::from_ymd_opt(2024, 6, 1),
            ..default_request(imp.summary.unwrap())
        };
        let bytes = bincode::serialize(&req).unwrap();
        let back: ClvRequest = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, req);
        let res = run(req, &mut |_, _| {}).unwrap();
        let bytes = bincode::serialize(&Output::Clv(Box::new(res.clone()))).unwrap();
        let back: Output = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, Output::Clv(Box::new(res)));
    }
}
