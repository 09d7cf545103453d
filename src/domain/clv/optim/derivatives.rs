//! Derivatives by finite differences (central-difference gradient and Hessian, or forward
//! differences of an analytic gradient), the [`Objective`] the searches minimise, and the
//! inverse of a small matrix (`nalgebra`) for BFGS starts and standard errors.

use super::nelder_mead::safe;
use nalgebra::DMatrix;

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

/// Inverse of a small square matrix (LU with partial pivoting, by `nalgebra`); `None` when it
/// is singular or the inverse is not finite.
pub(crate) fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    if m.iter().any(|row| row.len() != n) {
        return None;
    }
    let a = DMatrix::from_fn(n, n, |i, j| m[i][j]);
    let inv = a.try_inverse()?;
    inv.iter().all(|v| v.is_finite()).then(|| {
        (0..n)
            .map(|i| (0..n).map(|j| inv[(i, j)]).collect())
            .collect()
    })
}

/// Lower Cholesky factor L (row-major, L·Lᵀ = `m`) of a symmetric `n`×`n` row-major matrix,
/// by `nalgebra`; `None` when it is not positive definite or not finite.
pub(crate) fn cholesky(m: &[f64], n: usize) -> Option<Vec<f64>> {
    if m.len() != n * n || !m.iter().all(|v| v.is_finite()) {
        return None;
    }
    let a = DMatrix::from_row_slice(n, n, m);
    let l = a.cholesky()?.l();
    let flat: Vec<f64> = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| l[(i, j)])
        .collect();
    flat.iter().all(|v| v.is_finite()).then_some(flat)
}

pub(super) fn norm_inf(g: &[f64]) -> f64 {
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

    pub(super) fn gradient(&self, x: &[f64]) -> Vec<f64> {
        match self.value_grad {
            Some(vg) => vg(x).1,
            None => gradient(self.value, x),
        }
    }

    /// Value at a trial point, with the gradient when it comes for free (analytic).
    pub(super) fn trial(&self, x: &[f64]) -> (f64, Option<Vec<f64>>) {
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
    pub(super) fn hessian(&self, x: &[f64], g_at_x: Option<&[f64]>) -> Vec<Vec<f64>> {
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
