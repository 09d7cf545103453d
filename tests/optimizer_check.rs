//! An independent check of our likelihood search (`domain::clv::optim`): BG/NBD is fitted on
//! the CDNOW summary (Fader, Hardie & Lee 2005) with `argmin`'s Nelder–Mead on the same
//! per-customer log-likelihood, written through the public API only, and its optimum must
//! agree with ours (parameters to 1e-3 relative, log-likelihood to 1e-6 relative).
//!
//! `argmin` is a native dev-dependency: this file is empty on wasm32.
#![cfg(not(target_arch = "wasm32"))]
// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use argmin::core::{CostFunction, Error, Executor, State};
use argmin::solver::neldermead::NelderMead;
use crm::domain::clv::{BtydModel, BtydParams, ModelKind};
use crm::domain::customers::{CustomerRecord, TimeUnit};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The CDNOW summary (x, t_x, T, mean spend), loaded as `tests/clv_reference.rs` does.
fn cdnow() -> Vec<CustomerRecord> {
    let text = std::fs::read_to_string(format!(
        "{FIXTURES}/cdnow_customers_summary_with_transactions.csv"
    ))
    .unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            let v = |i: usize| f[i].parse::<f64>().unwrap();
            CustomerRecord::from_stats(f[0], v(1), v(2), v(3), v(4))
        })
        .collect()
}

/// −LL of BG/NBD at e^θ: the plain sum over customers (no grouping, no analytic gradient).
struct NegLogLikelihood(Vec<CustomerRecord>);

impl CostFunction for NegLogLikelihood {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, theta: &Vec<f64>) -> Result<f64, Error> {
        let p = <[f64; 4]>::try_from(theta.as_slice())?.map(f64::exp);
        let m = BtydModel::from_array(ModelKind::BgNbd, p);
        let ll: f64 = self
            .0
            .iter()
            .map(|c| c.weight * m.log_likelihood(c.x, c.t_x, c.t))
            .sum();
        Ok(if ll.is_finite() { -ll } else { f64::INFINITY })
    }
}

/// Nelder–Mead from `start` with an initial simplex of ±0.5 in log space.
fn argmin_nelder_mead(
    problem: NegLogLikelihood,
    start: &[f64],
) -> (Vec<f64>, f64, NegLogLikelihood) {
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut p = start.to_vec();
        p[i] += 0.5;
        simplex.push(p);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-13).unwrap();
    let res = Executor::new(problem, solver)
        .configure(|s| s.max_iters(20_000))
        .run()
        .unwrap();
    let best = res.state().get_best_param().unwrap().clone();
    let cost = res.state().get_best_cost();
    (best, cost, res.problem.problem.unwrap())
}

#[test]
fn argmin_nelder_mead_finds_our_bgnbd_optimum_on_cdnow() {
    let customers = cdnow();
    let ours = BtydParams::new(ModelKind::BgNbd)
        .check()
        .unwrap()
        .fit_records(&customers, TimeUnit::Week, &mut |_| {})
        .unwrap();
    assert!(ours.convergence.converged, "{:?}", ours.convergence);

    // From the origin (all parameters 1), then restarted once from its own optimum with a
    // fresh simplex: Nelder–Mead can stall on a degenerate simplex.
    let (theta, _, problem) = argmin_nelder_mead(NegLogLikelihood(customers), &[0.0; 4]);
    let (theta, nll, _) = argmin_nelder_mead(problem, &theta);
    let theirs = theta.iter().map(|t| t.exp()).collect::<Vec<_>>();

    for (name, (got, want)) in ["r", "alpha", "a", "b"]
        .iter()
        .zip(theirs.iter().zip(ours.model.to_array()))
    {
        assert!(
            ((got - want) / want).abs() < 1e-3,
            "{name}: argmin {got} vs ours {want}"
        );
    }
    let ll = -nll;
    assert!(
        ((ll - ours.log_likelihood) / ours.log_likelihood).abs() < 1e-6,
        "log-likelihood: argmin {ll} vs ours {}",
        ours.log_likelihood
    );
    // Ours is at least as good: the search is not stopping short of argmin's optimum.
    assert!(
        ours.log_likelihood >= ll - 1e-6,
        "{} vs {ll}",
        ours.log_likelihood
    );
}
