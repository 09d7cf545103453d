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
//! Why self-written rather than `argmin`: the problems have 2–4 parameters, the objective is a
//! cheap closure over grouped data, and the code must build for wasm32 with no threads and no
//! clock. Some 250 lines keep the dependency tree small and let the convergence report say
//! exactly what happened (`reason`) instead of translating another crate's termination codes.
//!
//! Standard errors: the Hessian of the negative log-likelihood is taken numerically with
//! respect to the log-parameters θ = ln p at the optimum and inverted; the delta method then
//! gives se(p) = p · sqrt([H⁻¹]_θθ). (Equivalent to the Hessian on p itself at the optimum,
//! but better scaled.)

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher (the Fx hash of rustc) for the grouping maps: keys are
/// trusted bit patterns of our own floats, so DoS resistance is not needed and SipHash was a
/// third of the time of a million-customer fit.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

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

/// One group of identical customers (x, t_x, T) and how many customers it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    /// Repeat purchases.
    pub x: f64,
    /// Recency.
    pub t_x: f64,
    /// Age.
    pub t: f64,
    /// Number (or total weight) of customers with these statistics.
    pub weight: f64,
}

/// Groups identical (x, t_x, T) rows (exactly equal bits), summing their weights. Exact: the
/// log-likelihood of a group is weight × the log-likelihood of one member. Groups come out
/// sorted by (x, T, t_x). Sorting, rather than hashing, keeps a million distinct rows cheap.
pub fn group_rows(rows: impl IntoIterator<Item = (f64, f64, f64, f64)>) -> Vec<Group> {
    // Non-negative floats order like their bit patterns; the key only has to be consistent.
    let mut keyed: Vec<([u64; 3], f64)> = rows
        .into_iter()
        .map(|(x, t_x, t, w)| ([x.to_bits(), t.to_bits(), t_x.to_bits()], w))
        .collect();
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let mut groups: Vec<Group> = Vec::new();
    let mut last: Option<[u64; 3]> = None;
    for (k, w) in keyed {
        if last == Some(k) {
            if let Some(g) = groups.last_mut() {
                g.weight += w;
            }
            continue;
        }
        last = Some(k);
        groups.push(Group {
            x: f64::from_bits(k[0]),
            t_x: f64::from_bits(k[2]),
            t: f64::from_bits(k[1]),
            weight: w,
        });
    }
    groups
}

/// Groups rounded onto a grid of `bins` steps over the largest T (t_x and T rounded alike, so
/// t_x ≤ T is kept), merged: a cheap approximation of the data for the starting-point search.
pub fn coarsen(groups: &[Group], bins: u32) -> Vec<Group> {
    let max_t = groups.iter().fold(0.0f64, |m, g| m.max(g.t));
    if max_t <= 0.0 || bins == 0 {
        return groups.to_vec();
    }
    let step = max_t / f64::from(bins);
    let round = |v: f64| (v / step).round() * step;
    group_rows(
        groups
            .iter()
            .map(|g| (g.x, round(g.t_x), round(g.t), g.weight)),
    )
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

fn safe(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> f64 {
    let v = f(x);
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    max_iter: u32,
    iterations: &mut u32,
) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        if let Some(v) = p.get_mut(i) {
            *v += 0.5;
        }
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| safe(f, p)).collect();
    for _ in 0..max_iter {
        *iterations += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (best, worst) = (values[0], values[n]);
        // Coarse: the simplex only has to find the basin; BFGS polishes.
        if best.is_finite() && (worst - best).abs() <= 1e-4 * (1.0 + best.abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|k| simplex[..n].iter().map(|p| p[k]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|k| centroid[k] + t * (simplex[n][k] - centroid[k]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = safe(f, &xr);
        if fr < values[0] {
            let xe = along(-2.0);
            let fe = safe(f, &xe);
            if fe < fr {
                simplex[n] = xe;
                values[n] = fe;
            } else {
                simplex[n] = xr;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            simplex[n] = xr;
            values[n] = fr;
        } else {
            let xc = if fr < values[n] {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = safe(f, &xc);
            if fc < values[n].min(fr) {
                simplex[n] = xc;
                values[n] = fc;
            } else {
                for i in 1..=n {
                    let p: Vec<f64> = (0..n)
                        .map(|k| simplex[0][k] + 0.5 * (simplex[i][k] - simplex[0][k]))
                        .collect();
                    values[i] = safe(f, &p);
                    simplex[i] = p;
                }
            }
        }
    }
    let mut bi = 0;
    for i in 1..=n {
        if values[i] < values[bi] {
            bi = i;
        }
    }
    (simplex[bi].clone(), values[bi])
}

/// Central-difference gradient.
pub(crate) fn gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let h = 1e-5;
    let mut g = vec![0.0; x.len()];
    let mut p = x.to_vec();
    for i in 0..x.len() {
        let xi = x[i];
        p[i] = xi + h;
        let fp = f(&p);
        p[i] = xi - h;
        let fm = f(&p);
        p[i] = xi;
        g[i] = (fp - fm) / (2.0 * h);
    }
    g
}

/// Central-difference Hessian.
pub(crate) fn hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let h = 1e-4;
    let f0 = f(x);
    let mut m = vec![vec![0.0; n]; n];
    let mut p = x.to_vec();
    for i in 0..n {
        for j in i..n {
            let v = if i == j {
                p[i] = x[i] + h;
                let fp = f(&p);
                p[i] = x[i] - h;
                let fm = f(&p);
                p[i] = x[i];
                (fp - 2.0 * f0 + fm) / (h * h)
            } else {
                let mut e = |di: f64, dj: f64| {
                    p[i] = x[i] + di;
                    p[j] = x[j] + dj;
                    let v = f(&p);
                    p[i] = x[i];
                    p[j] = x[j];
                    v
                };
                (e(h, h) - e(h, -h) - e(-h, h) + e(-h, -h)) / (4.0 * h * h)
            };
            m[i][j] = v;
            m[j][i] = v;
        }
    }
    m
}

/// Inverse of a small symmetric matrix by Gauss–Jordan with partial pivoting (`None` when
/// singular or not finite).
pub(crate) fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m.to_vec();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for col in 0..n {
        let mut piv = col;
        for r in col + 1..n {
            if a[r][col].abs() > a[piv][col].abs() {
                piv = r;
            }
        }
        let pv = a[piv][col];
        if !pv.is_finite() || pv.abs() < 1e-300 {
            return None;
        }
        a.swap(col, piv);
        inv.swap(col, piv);
        for k in 0..n {
            a[col][k] /= pv;
            inv[col][k] /= pv;
        }
        for r in 0..n {
            if r != col {
                let fct = a[r][col];
                for k in 0..n {
                    a[r][k] -= fct * a[col][k];
                    inv[r][k] -= fct * inv[col][k];
                }
            }
        }
    }
    inv.iter()
        .all(|row| row.iter().all(|v| v.is_finite()))
        .then_some(inv)
}

fn norm_inf(g: &[f64]) -> f64 {
    g.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// f(θ) and ∇f(θ) in one pass.
pub(crate) type ValueGrad<'a> = dyn Fn(&[f64]) -> (f64, Vec<f64>) + 'a;

/// An objective to minimise: its value and, when the model provides one, its analytic
/// gradient (otherwise gradients are taken by central differences).
#[derive(Clone, Copy)]
pub(crate) struct Objective<'a> {
    /// f(θ).
    pub value: &'a dyn Fn(&[f64]) -> f64,
    /// (f(θ), ∇f(θ)) in one pass.
    pub value_grad: Option<&'a ValueGrad<'a>>,
}

impl<'a> Objective<'a> {
    /// An objective with numerical gradients only.
    pub fn numeric(value: &'a dyn Fn(&[f64]) -> f64) -> Self {
        Objective {
            value,
            value_grad: None,
        }
    }

    fn gradient(&self, x: &[f64]) -> Vec<f64> {
        match self.value_grad {
            Some(vg) => vg(x).1,
            None => gradient(self.value, x),
        }
    }

    /// Value at a trial point, with the gradient when it comes for free (analytic).
    fn trial(&self, x: &[f64]) -> (f64, Option<Vec<f64>>) {
        match self.value_grad {
            Some(vg) => {
                let (v, g) = vg(x);
                (if v.is_nan() { f64::INFINITY } else { v }, Some(g))
            }
            None => (safe(self.value, x), None),
        }
    }

    /// Hessian: differences of the analytic gradient when there is one, else second
    /// differences of the value.
    fn hessian(&self, x: &[f64], g_at_x: Option<&[f64]>) -> Vec<Vec<f64>> {
        let Some(vg) = self.value_grad else {
            return hessian(self.value, x);
        };
        // Forward differences (n gradient passes, n + 1 without the gradient at x),
        // symmetrised: at the optimum the O(h) error is far below the precision standard
        // errors are reported with.
        let n = x.len();
        let h = 1e-5;
        let g0 = match g_at_x {
            Some(g) if g.len() == n => g.to_vec(),
            _ => vg(x).1,
        };
        let mut m = vec![vec![0.0; n]; n];
        let mut p = x.to_vec();
        for (i, row) in m.iter_mut().enumerate() {
            p[i] = x[i] + h;
            let gp = vg(&p).1;
            p[i] = x[i];
            for ((v, a), b) in row.iter_mut().zip(&gp).zip(&g0) {
                *v = (a - b) / h;
            }
        }
        (0..n)
            .map(|i| (0..n).map(|j| 0.5 * (m[i][j] + m[j][i])).collect())
            .collect()
    }
}

fn scaled_identity(n: usize, scale: f64) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { scale } else { 0.0 }).collect())
        .collect()
}

/// BFGS from `start`. `hinv0` is a starting inverse Hessian (e.g. from the coarsened data);
/// without one the search starts from a scaled identity.
fn bfgs(
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
    let h = obj.hessian(theta, gradient);
    match invert(&h) {
        Some(inv) => theta
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let v = inv[i][i];
                let se = t.exp() * v.sqrt();
                (v > 0.0 && se.is_finite()).then_some(se)
            })
            .collect(),
        None => vec![None; theta.len()],
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

/// Grouped data indexed for fast likelihood evaluation: when the data has few distinct values
/// of T and t_x (day-resolution logs), they and the distinct (x, t_x) and (x, T) pairs are
/// listed once, so per-evaluation work that depends on one of them is done once per distinct
/// value rather than once per group. When the values are nearly all distinct (continuous
/// times), the "tables" are simply one entry per group in row order, so the evaluation reads
/// them sequentially instead of hopping through a table as large as the data.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Distinct x values.
    pub xs: Vec<f64>,
    /// Distinct T values.
    pub ts: Vec<f64>,
    /// Distinct t_x values.
    pub txs: Vec<f64>,
    /// Distinct (x index, t_x index) pairs.
    pub x_tx: Vec<(u32, u32)>,
    /// Distinct (x index, T index) pairs.
    pub x_t: Vec<(u32, u32)>,
    /// One row per group.
    pub rows: Vec<PreparedRow>,
    /// Sum of weights (number of customers).
    pub total_weight: f64,
}

/// One group as indices into [`Prepared`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreparedRow {
    /// Index into `xs`.
    pub xi: u32,
    /// Index into `ts`.
    pub ti: u32,
    /// Index into `txs`.
    pub txi: u32,
    /// Index into `x_tx`.
    pub xtx: u32,
    /// Index into `x_t`.
    pub xt: u32,
    /// Weight of the group.
    pub w: f64,
}

impl Prepared {
    /// Indexes the groups.
    pub fn new(groups: &[Group]) -> Prepared {
        // Tables pay off while they are much smaller than the data and fit in cache.
        let cap = (groups.len() / 4).min(1 << 16);
        Prepared::with_table_cap(groups, cap)
    }

    pub(crate) fn with_table_cap(groups: &[Group], cap: usize) -> Prepared {
        fn idx(map: &mut FxMap<u64, u32>, list: &mut Vec<f64>, v: f64) -> u32 {
            *map.entry(v.to_bits()).or_insert_with(|| {
                list.push(v);
                (list.len() - 1) as u32
            })
        }
        fn idx2(
            map: &mut FxMap<(u32, u32), u32>,
            list: &mut Vec<(u32, u32)>,
            k: (u32, u32),
        ) -> u32 {
            *map.entry(k).or_insert_with(|| {
                list.push(k);
                (list.len() - 1) as u32
            })
        }
        let mut p = Prepared::default();
        let mut mx = FxMap::default();
        let xis: Vec<u32> = groups
            .iter()
            .map(|g| idx(&mut mx, &mut p.xs, g.x))
            .collect();
        p.total_weight = groups.iter().map(|g| g.weight).sum();
        // Try the tables; give up as soon as one outgrows the cap.
        let (mut mt, mut mtx) = (FxMap::default(), FxMap::default());
        let (mut mxtx, mut mxt) = (FxMap::default(), FxMap::default());
        let mut rows = Vec::with_capacity(groups.len());
        let mut tabled = true;
        for (g, &xi) in groups.iter().zip(&xis) {
            let ti = idx(&mut mt, &mut p.ts, g.t);
            let txi = idx(&mut mtx, &mut p.txs, g.t_x);
            let xtx = idx2(&mut mxtx, &mut p.x_tx, (xi, txi));
            let xt = idx2(&mut mxt, &mut p.x_t, (xi, ti));
            if p.x_tx.len().max(p.x_t.len()) > cap {
                tabled = false;
                break;
            }
            rows.push(PreparedRow {
                xi,
                ti,
                txi,
                xtx,
                xt,
                w: g.weight,
            });
        }
        if tabled {
            p.rows = rows;
            return p;
        }
        // One entry per run of equal values in row order: sequential reads, and the values
        // repeated by neighbours (groups come sorted by x, T, t_x: every x = 0 group has
        // t_x = 0) are still computed once.
        p.ts.clear();
        p.txs.clear();
        p.x_tx.clear();
        p.x_t.clear();
        let mut rows = Vec::with_capacity(groups.len());
        for (g, &xi) in groups.iter().zip(&xis) {
            let same_x = rows.last().is_some_and(|r: &PreparedRow| r.xi == xi);
            if !(same_x && p.ts.last() == Some(&g.t)) {
                p.ts.push(g.t);
                p.x_t.push((xi, (p.ts.len() - 1) as u32));
            }
            if !(same_x && p.txs.last() == Some(&g.t_x)) {
                p.txs.push(g.t_x);
                p.x_tx.push((xi, (p.txs.len() - 1) as u32));
            }
            let last = |n: usize| (n - 1) as u32;
            rows.push(PreparedRow {
                xi,
                ti: last(p.ts.len()),
                txi: last(p.txs.len()),
                xtx: last(p.x_tx.len()),
                xt: last(p.x_t.len()),
                w: g.weight,
            });
        }
        p.rows = rows;
        p
    }
}
