//! Maximum-likelihood machinery shared by every model: grouping identical customers, a
//! derivative-free Nelder–Mead search from several starts followed by BFGS, all on
//! log-parameters (so every parameter stays positive), the convergence report, and standard
//! errors from the Hessian. The buy-till-you-die models supply analytic gradients (one pass
//! over the data gives the log-likelihood and its gradient); the others fall back to central
//! differences.
//!
//! On large data (more than 20,000 distinct groups) the search runs in stages: the multi-start
//! simplex on a roughly coarsened copy of the data (times rounded to 1/12 of the largest T and
//! regrouped: a few hundred groups), BFGS on a finer copy (1/60: a few thousand groups), and
//! BFGS on the exact grouped data, each stage starting from the previous optimum with the
//! previous stage's inverse Hessian. The exact stage then needs two or three passes, and the
//! optimum, log-likelihood and standard errors are those of the exact likelihood.
//!
//! Why self-written rather than `argmin` (which the tests use as an independent check,
//! `tests/optimizer_check.rs`, agreeing to 1e-3 on the CDNOW BG/NBD optimum): the problems have
//! 2–4 parameters and the objective is a cheap closure over grouped data; what makes large fits
//! fast is the *staged* search above (cheap coarsened objectives handing their optimum and
//! inverse Hessian to the next stage), which no optimiser crate offers and would have to be
//! wrapped around one anyway. The code must build for wasm32 with no threads and no clock, and
//! the convergence report says exactly what happened (`reason`) instead of translating another
//! crate's termination codes. The linear algebra (matrix inverse) is `nalgebra`'s.
//!
//! Files: [`nelder_mead`](self) (the basin search), `bfgs` (the polish), `derivatives`
//! (finite differences, the [`Objective`], matrix inverse), `grouping` (the (x, t_x, T)
//! weighting and [`Prepared`]); this file holds the options, the report and the staged driver.
//!
//! Standard errors: the Hessian of the negative log-likelihood is taken numerically with
//! respect to the log-parameters θ = ln p at the optimum and inverted; the delta method then
//! gives se(p) = p · sqrt([H⁻¹]_θθ). (Equivalent to the Hessian on p itself at the optimum,
//! but better scaled.)

mod bfgs;
mod derivatives;
mod grouping;
mod nelder_mead;

#[cfg(test)]
pub(crate) use derivatives::gradient;
pub(crate) use derivatives::{cholesky, invert, Objective};
pub use grouping::{coarsen, group_rows, Group, Prepared, PreparedRow};

use bfgs::bfgs;
use nelder_mead::nelder_mead;
use serde::{Deserialize, Serialize};

/// How the search ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Convergence {
    /// True when the gradient test was met (the optimum is trustworthy).
    pub converged: bool,
    /// Iterations used (Nelder–Mead plus BFGS, over all starts).
    pub iterations: u32,
    /// Largest absolute gradient component of the negative log-likelihood with respect to the
    /// log-parameters, at the returned point (`f64::MAX` when it is not finite).
    pub gradient_norm: f64,
    /// Plain-language reason for stopping.
    pub reason: String,
}

/// Options of the likelihood search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// Maximum Nelder–Mead iterations per start.
    #[serde(default = "default_nm")]
    pub max_simplex_iterations: u32,
    /// Maximum BFGS iterations.
    #[serde(default = "default_bfgs")]
    pub max_bfgs_iterations: u32,
    /// Convergence when max |∂(−LL)/∂ ln p| ≤ `gradient_tolerance` · max(1, |LL|).
    #[serde(default = "default_gtol")]
    pub gradient_tolerance: f64,
    /// Number of starting points (the first is the model's default; the others are spread
    /// deterministically around it).
    #[serde(default = "default_starts")]
    pub starts: u32,
}

fn default_nm() -> u32 {
    150
}
fn default_bfgs() -> u32 {
    200
}
fn default_gtol() -> f64 {
    1e-8
}
fn default_starts() -> u32 {
    3
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_simplex_iterations: default_nm(),
            max_bfgs_iterations: default_bfgs(),
            gradient_tolerance: default_gtol(),
            starts: default_starts(),
        }
    }
}

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub theta: Vec<f64>,
    pub value: f64,
    /// The gradient at `theta` (empty when none was computed).
    pub gradient: Vec<f64>,
    pub convergence: Convergence,
}

/// Minimises `f` over θ from several starts: Nelder–Mead from each, BFGS from the best.
pub(crate) fn minimize(
    f: &dyn Fn(&[f64]) -> f64,
    default_start: &[f64],
    opts: &FitOptions,
    progress: &mut dyn FnMut(f64),
) -> Minimum {
    let obj = Objective::numeric(f);
    minimize_staged(&[&obj], default_start, opts, progress)
}

/// Multi-start Nelder–Mead on `stages[0]`, then BFGS on each stage in turn.
///
/// The stages go from cheap approximations of the objective (the likelihood on coarsened
/// times) to the exact objective, last. Each BFGS run starts from the previous stage's optimum
/// with the inverse of the previous stage's Hessian there, so on large data the exact stage
/// needs only a handful of passes over the data. The result is the optimum of the last stage.
pub(crate) fn minimize_staged(
    stages: &[&Objective],
    default_start: &[f64],
    opts: &FitOptions,
    progress: &mut dyn FnMut(f64),
) -> Minimum {
    let mut iterations = 0u32;
    let n_starts = opts.starts.max(1);
    let mut best: Option<(Vec<f64>, f64)> = None;
    let Some(first) = stages.first() else {
        return empty_minimum(default_start);
    };
    for k in 0..n_starts {
        progress(0.4 * k as f64 / n_starts as f64);
        // Deterministic spread: ±1 in log space on alternating coordinates.
        let start: Vec<f64> = default_start
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if k == 0 {
                    *v
                } else {
                    let sign = if (i + k as usize).is_multiple_of(2) {
                        1.0
                    } else {
                        -1.0
                    };
                    v + sign * (k as f64)
                }
            })
            .collect();
        let (x, fx) = nelder_mead(
            first.value,
            &start,
            opts.max_simplex_iterations,
            &mut iterations,
        );
        if best.as_ref().is_none_or(|(_, b)| fx < *b) {
            best = Some((x, fx));
        }
    }
    let (mut x, _) = best.unwrap_or_else(|| (default_start.to_vec(), f64::INFINITY));
    let mut hinv0 = None;
    let n = stages.len() as f64;
    let mut last = None;
    for (i, stage) in stages.iter().enumerate() {
        let span = (0.4 + 0.6 * i as f64 / n, 0.4 + 0.6 * (i + 1) as f64 / n);
        let m = bfgs(
            stage,
            &x,
            hinv0.take(),
            opts,
            &mut iterations,
            progress,
            span,
        );
        if m.value.is_finite() {
            x.clone_from(&m.theta);
        }
        if i + 1 < stages.len() {
            // This stage's curvature at its optimum, when it is usable, starts the next one.
            hinv0 = invert(&stage.hessian(&x, None)).filter(|h| {
                (0..h.len()).all(|i| h[i][i] > 0.0) && h.iter().flatten().all(|v| v.is_finite())
            });
        }
        last = Some(m);
    }
    progress(1.0);
    let mut m = last.unwrap_or_else(|| empty_minimum(default_start));
    m.convergence.iterations = iterations;
    m
}

fn empty_minimum(start: &[f64]) -> Minimum {
    Minimum {
        theta: start.to_vec(),
        value: f64::NAN,
        gradient: Vec::new(),
        convergence: Convergence {
            converged: false,
            iterations: 0,
            gradient_norm: f64::MAX,
            reason: String::from("nothing to minimise"),
        },
    }
}

/// Standard errors of p = e^θ by the delta method from the Hessian on θ (`None` entries when
/// the Hessian is singular or not positive definite).
pub(crate) fn standard_errors(f: &dyn Fn(&[f64]) -> f64, theta: &[f64]) -> Vec<Option<f64>> {
    standard_errors_of(&Objective::numeric(f), theta, None)
}

/// As [`standard_errors`], using the objective's analytic gradient when it has one (and the
/// gradient at `theta` when the search already computed it).
pub(crate) fn standard_errors_of(
    obj: &Objective,
    theta: &[f64],
    gradient: Option<&[f64]>,
) -> Vec<Option<f64>> {
    uncertainty_of(obj, theta, gradient).std_errors
}

/// Standard errors of p = e^θ and the covariance of θ, from one Hessian.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Uncertainty {
    /// Standard errors of p = e^θ (delta method); `None` where not available.
    pub std_errors: Vec<Option<f64>>,
    /// The inverse Hessian on θ, row-major, when it is a usable covariance (finite,
    /// symmetric, positive definite); otherwise the plain-language reason.
    pub log_covariance: Result<Vec<f64>, String>,
}

/// The standard errors and the covariance of the log-parameters at `theta` (the inverse of
/// the Hessian of the negative log-likelihood on θ = ln p).
pub(crate) fn uncertainty_of(
    obj: &Objective,
    theta: &[f64],
    gradient: Option<&[f64]>,
) -> Uncertainty {
    let h = obj.hessian(theta, gradient);
    let Some(inv) = invert(&h) else {
        return Uncertainty {
            std_errors: vec![None; theta.len()],
            log_covariance: Err(String::from(
                "the curvature of the likelihood could not be inverted (the data do not pin \
                 every parameter down), so there are no standard errors or intervals",
            )),
        };
    };
    let std_errors = theta
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let v = inv[i][i];
            let se = t.exp() * v.sqrt();
            (v > 0.0 && se.is_finite()).then_some(se)
        })
        .collect();
    let n = theta.len();
    let flat: Vec<f64> = (0..n)
        .flat_map(|i| {
            let inv = &inv;
            (0..n).map(move |j| 0.5 * (inv[i][j] + inv[j][i]))
        })
        .collect();
    let log_covariance = if derivatives::cholesky(&flat, n).is_some() {
        Ok(flat)
    } else {
        Err(String::from(
            "the likelihood is not curved like a peak at the estimates (its Hessian is not \
             positive definite), so there are no intervals from the parameters' uncertainty",
        ))
    };
    Uncertainty {
        std_errors,
        log_covariance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_rosenbrock_valley_and_reports_convergence() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimize(&f, &[-1.2, 1.0], &FitOptions::default(), &mut |_| {});
        assert!((m.theta[0] - 1.0).abs() < 1e-4, "{:?}", m);
        assert!((m.theta[1] - 1.0).abs() < 1e-4);
        assert!(m.convergence.converged, "{:?}", m.convergence);
    }

    #[test]
    fn a_nan_objective_is_reported_not_converged() {
        let f = |_: &[f64]| f64::NAN;
        let m = minimize(&f, &[0.0, 0.0], &FitOptions::default(), &mut |_| {});
        assert!(!m.convergence.converged);
        assert!(!m.convergence.reason.is_empty());
    }

    #[test]
    fn grouping_sums_weights_of_identical_rows() {
        let g = group_rows(vec![
            (1.0, 2.0, 3.0, 1.0),
            (0.0, 0.0, 3.0, 1.0),
            (1.0, 2.0, 3.0, 2.0),
        ]);
        assert_eq!(g.len(), 2);
        let g12 = g.iter().find(|g| g.x == 1.0).unwrap();
        assert_eq!((g12.t_x, g12.t, g12.weight), (2.0, 3.0, 3.0));
    }

    #[test]
    fn inverse_of_a_known_matrix() {
        let inv = invert(&[vec![4.0, 1.0], vec![1.0, 3.0]]).unwrap();
        assert!((inv[0][0] - 3.0 / 11.0).abs() < 1e-14);
        assert!((inv[0][1] + 1.0 / 11.0).abs() < 1e-14);
    }
}
