//! Small statistics shared by the satisfaction scores: mean, standard deviation, Pearson and
//! Spearman correlation, the Wilson interval and a linear solve (`nalgebra`) for least squares.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// z for a two-sided 95% interval (1.96, as in the published formulas).
pub const Z95: f64 = 1.96;

/// Mean (None when empty).
pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Sample standard deviation (n − 1; None with fewer than 2 values).
pub fn sd(x: &[f64]) -> Option<f64> {
    let m = mean(x)?;
    (x.len() >= 2)
        .then(|| (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt())
}

/// Pearson correlation (None when lengths differ, n < 2 or a variable is constant).
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let mx = mean(x)?;
    let my = mean(y)?;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks 1..=n with ties given their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let idx = crate::domain::order::stable_order(x.len(), &|a, b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman correlation: Pearson on average ranks.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// Wilson score interval for `k` successes out of `n` at 95%: (low, high).
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// Two-sided p-value of a standard normal z.
pub fn normal_p_two_sided(z: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => 2.0 * (1.0 - n.cdf(z.abs())),
        Err(_) => f64::NAN,
    }
}

/// Which distribution an interval of a mean uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MeanInterval {
    /// Student's t with n − 1 degrees of freedom.
    #[default]
    StudentT,
    /// The normal approximation (z = 1.96).
    Normal,
}

/// The 97.5% quantile used for a 95% interval of a mean of `n` values.
pub fn mean_quantile(method: MeanInterval, n: u64) -> f64 {
    match method {
        MeanInterval::Normal => Z95,
        MeanInterval::StudentT => {
            if n < 2 {
                return f64::INFINITY;
            }
            StudentsT::new(0.0, 1.0, (n - 1) as f64)
                .map(|t| t.inverse_cdf(0.975))
                .unwrap_or(Z95)
        }
    }
}

/// Solves `a · x = b` (a is n × n, row-major) by LU decomposition with partial pivoting
/// (`nalgebra`). None when the system is singular: a pivot below 1e-12 (collinear regressors
/// give a tiny pivot rather than an exact zero, and their "solution" would be noise).
pub fn solve(a: Vec<Vec<f64>>, b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    if a.len() != n || a.iter().any(|r| r.len() != n) {
        return None;
    }
    let m = DMatrix::from_row_iterator(n, n, a.into_iter().flatten());
    let lu = m.lu();
    if lu
        .u()
        .diagonal()
        .iter()
        .any(|d| !d.is_finite() || d.abs() < 1e-12)
    {
        return None;
    }
    let x = lu.solve(&DVector::from_vec(b))?;
    x.iter()
        .all(|v| v.is_finite())
        .then(|| x.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_gives_the_exact_solution_of_a_small_system() {
        // y + z = 4, 2x + y = 5, x + 3y = 10 → (1, 3, 1); the zero first pivot needs a row swap.
        let x = solve(
            vec![
                vec![0.0, 1.0, 1.0],
                vec![2.0, 1.0, 0.0],
                vec![1.0, 3.0, 0.0],
            ],
            vec![4.0, 5.0, 10.0],
        )
        .unwrap();
        for (got, want) in x.iter().zip([1.0, 3.0, 1.0]) {
            assert!((got - want).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn solve_refuses_a_singular_or_misshapen_system() {
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
        assert!(solve(vec![vec![1.0, 2.0]], vec![1.0, 2.0]).is_none());
    }
}
