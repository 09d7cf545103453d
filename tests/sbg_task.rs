//! The worker's sBG task (the Lifetime value page's subscription section): the fit travels as
//! a task and comes back as the domain's fit, with its progress reported, and a cohort the
//! model cannot fit is answered with the model's reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crm::domain::clv::sbg::SbgParams;
use crm::worker::error::WorkerError;
use crm::worker::sbg::{SbgRequest, STAGE};
use crm::worker::tasks::{run, Output, Task};

/// Fader & Hardie (2007), the "regular" cohort: α 0.704, β 1.182.
const REGULAR: [f64; 8] = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];

fn task(survivors: &[f64]) -> Task {
    let t = Task::Sbg(Box::new(SbgRequest {
        survivors: survivors.to_vec(),
        params: SbgParams::default(),
    }));
    // The task crosses the worker boundary as bincode: it must come back the same.
    let wire = bincode::serialize(&t).unwrap();
    assert_eq!(bincode::deserialize::<Task>(&wire).unwrap(), t);
    t
}

#[test]
fn sbg_task_fits_the_published_cohort_and_reports_its_progress() {
    let mut seen = Vec::new();
    let out = run(task(&REGULAR), &mut |f, s| seen.push((f, s.to_string()))).unwrap();
    let Output::Sbg(f) = out else {
        panic!("not an sBG fit: {out:?}")
    };
    assert!((f.params.alpha - 0.704).abs() < 5e-4, "{:?}", f.params);
    assert!((f.params.beta - 1.182).abs() < 5e-4, "{:?}", f.params);
    assert_eq!((f.n_customers, f.periods), (1000, 7));
    // The same fit as the domain's, run directly.
    let direct = SbgParams::default().fit(&REGULAR, &mut |_| {}).unwrap();
    assert_eq!(*f, direct);
    assert!(seen.first().is_some_and(|(x, s)| *x == 0.0 && s == STAGE));
    assert!(seen.last().is_some_and(|(x, _)| *x == 1.0));
    assert!(
        seen.windows(2).all(|w| w[1].0 >= w[0].0 - 1e-12),
        "{seen:?}"
    );
}

#[test]
fn sbg_task_answers_a_cohort_nobody_left_with_the_models_reason() {
    let err = run(task(&[100.0, 100.0, 100.0]), &mut |_, _| {}).unwrap_err();
    let WorkerError::Clv(m) = &err else {
        panic!("{err:?}")
    };
    assert!(m.contains("no customer churned"), "{m}");
}
