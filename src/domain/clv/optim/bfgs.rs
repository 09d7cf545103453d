//! BFGS with a backtracking (Armijo) line search: polishes the simplex's point to the gradient
//! tolerance, and reports in words why it stopped.

use super::derivatives::{norm_inf, Objective};
use super::{Convergence, FitOptions, Minimum};

/// BFGS from `start`. `hinv0` is a starting inverse Hessian (e.g. from the coarsened data);
/// without one the search starts from a scaled identity.
#[allow(clippy::too_many_arguments)]
pub(super) fn bfgs(
    obj: &Objective,
    start: &[f64],
    hinv0: Option<Vec<Vec<f64>>>,
    opts: &FitOptions,
    iterations: &mut u32,
    progress: &mut dyn FnMut(f64),
    span: (f64, f64),
) -> Minimum {
    let n = start.len();
    let mut x = start.to_vec();
    let (mut fx, g0) = obj.trial(&x);
    let mut g = g0.unwrap_or_else(|| obj.gradient(&x));
    // A unit step in θ against a gradient of size |f| is huge: the identity is scaled.
    let scale = 1.0 / norm_inf(&g).max(1.0);
    let mut hinv = hinv0.unwrap_or_else(|| scaled_identity(n, scale));
    let tol = |fx: f64| opts.gradient_tolerance * fx.abs().max(1.0);
    let mut reason = String::from("iteration limit reached");
    let mut converged = false;
    for it in 0..opts.max_bfgs_iterations {
        progress(span.0 + (span.1 - span.0) * (it as f64 / opts.max_bfgs_iterations as f64));
        *iterations += 1;
        if !g.iter().all(|v| v.is_finite()) {
            reason = String::from("the gradient is not finite at the current point");
            break;
        }
        if norm_inf(&g) <= tol(fx) {
            converged = true;
            reason = String::from("gradient below tolerance");
            break;
        }
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| hinv[i][j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 || !slope.is_finite() {
            // Not a descent direction: reset to steepest descent.
            hinv = scaled_identity(n, scale);
            d = g.iter().map(|v| -v * scale).collect();
            slope = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let xn: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let (fnew, gnew) = obj.trial(&xn);
            if fnew <= fx + 1e-4 * step * slope {
                accepted = Some((xn, fnew, gnew));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fnew, gnew)) = accepted else {
            // No decrease possible along the quasi-Newton direction: accept when the gradient is
            // at the level of the rounding (or finite-difference) noise.
            if norm_inf(&g) <= 100.0 * tol(fx) {
                converged = true;
                reason = String::from("no further decrease; gradient at rounding noise");
            } else {
                reason = String::from("line search failed to decrease the objective");
            }
            break;
        };
        let gn = gnew.unwrap_or_else(|| obj.gradient(&xn));
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| hinv[i][j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    hinv[i][j] +=
                        (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
        let small_change = (fx - fnew).abs() <= 1e-15 * fx.abs().max(1.0);
        x = xn;
        fx = fnew;
        g = gn;
        if small_change && norm_inf(&g) <= 100.0 * tol(fx) {
            converged = true;
            reason = String::from("objective stationary; gradient at rounding noise");
            break;
        }
    }
    let mut gradient_norm = norm_inf(&g);
    if !gradient_norm.is_finite() {
        // Keep the report serialisable (JSON has no NaN/∞); `reason` says what happened.
        gradient_norm = f64::MAX;
    }
    if converged && !fx.is_finite() {
        converged = false;
        reason = String::from("the log-likelihood is not finite at the optimum");
    }
    Minimum {
        theta: x,
        value: fx,
        gradient: g,
        convergence: Convergence {
            converged,
            iterations: *iterations,
            gradient_norm,
            reason,
        },
    }
}

fn scaled_identity(n: usize, scale: f64) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { scale } else { 0.0 }).collect())
        .collect()
}
