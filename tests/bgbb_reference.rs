//! BG/BB pinned against the published donations fit (Fader, Hardie & Shang 2010: α 1.204,
//! β 0.750, γ 0.657, δ 2.783, LL −33,225.6 on 11,104 donors, 6 yearly opportunities) and against
//! the Python package lifetimes' `BetaGeoBetaBinomFitter` on the same data.

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::domain::clv::{BgBb, BgBbGroup, BgBbParams};

fn donations() -> Vec<BgBbGroup> {
    let text = include_str!("fixtures/bgbb/donations.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Vec<u64> = l.split(',').map(|f| f.trim().parse().unwrap()).collect();
            BgBbGroup {
                x: v[0] as u32,
                t_x: v[1] as u32,
                n: v[2] as u32,
                count: v[3],
            }
        })
        .collect()
}

/// lifetimes 0.11.3 `BetaGeoBetaBinomFitter().fit(frequency, recency, periods, weights=weights)`
/// on `fixtures/bgbb/donations.csv` (numpy 1.24.4, scipy 1.10.1; see /work/shared/TOOLCHAIN.md
/// for the venv): its `params_` to full precision.
const LIFETIMES_FIT: BgBb = BgBb {
    alpha: 1.2035223936080475,
    beta: 0.7497163581757659,
    gamma: 0.6567181695499289,
    delta: 2.783441982887471,
};

/// lifetimes' standard errors (`standard_errors_`) of alpha, beta, gamma, delta.
const LIFETIMES_SE: [f64; 4] = [
    0.06939136218670135,
    0.029447716220978304,
    0.05100985033285293,
    0.320818939435368,
];

/// At [`LIFETIMES_FIT`]: (x, t_x, n, `conditional_probability_alive(0, ...)`,
/// `conditional_probability_alive(1, ...)`,
/// `conditional_expected_number_of_purchases_up_to_time(5, ...)`), each called with one-element
/// numpy arrays.
const LIFETIMES_PREDICTIONS: [(u32, u32, u32, f64, f64, f64); 5] = [
    (
        0,
        0,
        6,
        0.11621815648475876,
        0.10813327510958085,
        0.07286333894085008,
    ),
    (
        1,
        1,
        6,
        0.07465530769305281,
        0.0694618050168604,
        0.08569570763928516,
    ),
    (
        3,
        4,
        6,
        0.4724613375264694,
        0.43959389250930153,
        1.0345715981270116,
    ),
    (
        6,
        6,
        6,
        0.9999999999999893,
        0.9304335775086972,
        3.7525442466077794,
    ),
    (
        2,
        5,
        6,
        0.864709771366453,
        0.8045550060792247,
        1.4430422340800053,
    ),
];

/// lifetimes' `expected_number_of_transactions_in_first_n_periods(6)` at [`LIFETIMES_FIT`]:
/// the expected number of donors with x = 0..6 donation years (11,104 × P(X(6) = x)).
const LIFETIMES_EXPECTED_BY_X: [f64; 7] = [
    3454.8819794154465,
    1888.6543427566207,
    1348.8823303701429,
    1113.3785332814384,
    1017.9224125512292,
    1027.16604903403,
    1253.1143525910863,
];

#[test]
fn donations_fit_reproduces_the_published_estimates() {
    let data = donations();
    let fit = BgBbParams::default().fit(&data, &mut |_| {}).unwrap();
    assert!(fit.convergence.converged, "{:?}", fit.convergence);
    assert_eq!(fit.n_customers, 11_104);
    assert_eq!(fit.n_groups, 22);
    let published = [1.204, 0.750, 0.657, 2.783];
    for (p, want) in fit.params.iter().zip(published) {
        assert!(
            (p.value - want).abs() < 0.0006,
            "{} = {} vs {want}",
            p.name,
            p.value
        );
    }
    assert!(
        (fit.log_likelihood - (-33_225.6)).abs() < 0.05,
        "{}",
        fit.log_likelihood
    );
    // Same optimum as lifetimes, to its tolerance, and the same standard errors.
    for ((p, want), se) in fit
        .params
        .iter()
        .zip(LIFETIMES_FIT.to_array())
        .zip(LIFETIMES_SE)
    {
        assert!(
            (p.value - want).abs() < 1e-4 * want,
            "{}: {} vs {want}",
            p.name,
            p.value
        );
        let got = p.std_error.unwrap();
        assert!((got - se).abs() < 0.01 * se, "se {}: {got} vs {se}", p.name);
    }
    // lifetimes' own log-likelihood at its optimum is −33,225.58127 (with its 1e-15 guard).
    assert!((fit.log_likelihood - (-33_225.581_274)).abs() < 1e-3);
}

#[test]
fn predictions_match_lifetimes_at_the_same_parameters() {
    let m = LIFETIMES_FIT;
    for (x, t_x, n, pa0, pa1, e5) in LIFETIMES_PREDICTIONS {
        let tol = |v: f64| 1e-10 * (1.0 + v.abs());
        assert!(
            (m.p_alive_at(0, x, t_x, n) - pa0).abs() < tol(pa0),
            "{x},{t_x},{n}"
        );
        assert!(
            (m.p_alive(x, t_x, n) - pa1).abs() < tol(pa1),
            "{x},{t_x},{n}"
        );
        let e = m.conditional_expected_transactions(5, x, t_x, n);
        assert!((e - e5).abs() < tol(e5), "{x},{t_x},{n}: {e} vs {e5}");
    }
    for (x, want) in LIFETIMES_EXPECTED_BY_X.iter().enumerate() {
        let got = 11_104.0 * m.prob_transactions(x as u32, 6);
        assert!((got - want).abs() < 1e-7, "x = {x}: {got} vs {want}");
    }
}

#[test]
fn dert_of_a_donor_is_positive_and_falls_with_the_discount_rate() {
    let m = LIFETIMES_FIT;
    let (x, t_x, n) = (6, 6, 6);
    let low = m.dert(0.05, x, t_x, n);
    let high = m.dert(0.2, x, t_x, n);
    assert!(low > high && high > 0.0, "{low} {high}");
    // Never more than the undiscounted expectation over a long horizon.
    assert!(low < m.conditional_expected_transactions(10_000, x, t_x, n));
}
