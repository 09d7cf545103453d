//! Relative weights (Johnson 2000): each correlated predictor's share of the variance of an
//! outcome explained by all of them together. The predictors are replaced by their closest
//! orthogonal counterparts Z (Λ = R_xx^{1/2}, the correlations of X with Z); the outcome is
//! regressed on Z (β = Λ⁻¹ r_xy) and each predictor gets ε_j = Σ_k λ_jk² β_k². The weights are
//! non-negative and sum to R². Intervals: percentile bootstrap over respondents, seeded.
//! `nalgebra` gives the symmetric eigen-decomposition.

use super::SatisfactionError;
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Relative weights of the predictors for one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelativeWeights {
    /// Raw weight per predictor (share of the outcome's variance); they sum to `r2`.
    pub weights: Vec<f64>,
    /// R² of the outcome on all predictors.
    pub r2: f64,
    /// Rows used.
    pub n: u64,
    /// Percentile bootstrap interval per weight (empty when not asked for).
    pub intervals: Vec<(f64, f64)>,
    /// Interval on R².
    pub r2_interval: Option<(f64, f64)>,
    /// Bootstrap resamples and their seed (0 resamples: no intervals).
    pub resamples: u32,
    /// Seed of the resampling.
    pub seed: u64,
    /// Resamples left out because a predictor did not vary in them.
    pub resamples_failed: u32,
}

/// Weights from a correlation matrix of the predictors and their correlations with the
/// outcome: (weights, R²).
///
/// # Errors
/// [`SatisfactionError::Shape`] when the shapes disagree or the predictors are perfectly
/// collinear (a zero eigenvalue).
pub fn weights_from_correlations(
    rxx: &DMatrix<f64>,
    rxy: &DVector<f64>,
) -> Result<(Vec<f64>, f64), SatisfactionError> {
    let p = rxy.len();
    if rxx.nrows() != p || rxx.ncols() != p || p == 0 {
        return Err(SatisfactionError::Shape(
            "relative weights: the correlation matrix and the outcome correlations do not match"
                .into(),
        ));
    }
    let eig = SymmetricEigen::new(rxx.clone());
    if eig.eigenvalues.iter().any(|&l| l.is_nan() || l <= 1e-10) {
        return Err(SatisfactionError::Shape(
            "relative weights: the attributes are perfectly collinear (one is a combination of the others)"
                .into(),
        ));
    }
    let q = &eig.eigenvectors;
    let sqrt = DMatrix::from_diagonal(&eig.eigenvalues.map(f64::sqrt));
    let inv_sqrt = DMatrix::from_diagonal(&eig.eigenvalues.map(|l| 1.0 / l.sqrt()));
    let lambda = q * sqrt * q.transpose();
    let beta = q * inv_sqrt * q.transpose() * rxy;
    let weights: Vec<f64> = (0..p)
        .map(|j| {
            (0..p)
                .map(|k| lambda[(j, k)].powi(2) * beta[k].powi(2))
                .sum()
        })
        .collect();
    let r2 = weights.iter().sum();
    Ok((weights, r2))
}

fn correlations(
    rows: &[Vec<f64>],
    y: &[f64],
    idx: &[usize],
    names: &[String],
) -> Result<(DMatrix<f64>, DVector<f64>), SatisfactionError> {
    let p = names.len();
    let n = idx.len() as f64;
    let col = |j: usize| idx.iter().map(move |&i| rows[i][j]);
    let mut means = vec![0.0; p + 1];
    for (j, m) in means.iter_mut().enumerate().take(p) {
        *m = col(j).sum::<f64>() / n;
    }
    means[p] = idx.iter().map(|&i| y[i]).sum::<f64>() / n;
    let value = |i: usize, j: usize| if j < p { rows[i][j] } else { y[i] };
    let mut cov = DMatrix::<f64>::zeros(p + 1, p + 1);
    for &i in idx {
        for a in 0..=p {
            let da = value(i, a) - means[a];
            for b in a..=p {
                cov[(a, b)] += da * (value(i, b) - means[b]);
            }
        }
    }
    for a in 0..=p {
        if cov[(a, a)].is_nan() || cov[(a, a)] <= 0.0 {
            let what = names.get(a).map_or("the outcome", String::as_str);
            return Err(SatisfactionError::Shape(format!(
                "relative weights: {what} does not vary"
            )));
        }
    }
    let sd: Vec<f64> = (0..=p).map(|a| cov[(a, a)].sqrt()).collect();
    let mut rxx = DMatrix::<f64>::identity(p, p);
    let mut rxy = DVector::<f64>::zeros(p);
    for a in 0..p {
        for b in (a + 1)..p {
            let r = cov[(a, b)] / (sd[a] * sd[b]);
            rxx[(a, b)] = r;
            rxx[(b, a)] = r;
        }
        rxy[a] = cov[(a, p)] / (sd[a] * sd[p]);
    }
    Ok((rxx, rxy))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let w = pos - lo as f64;
    sorted[lo] * (1.0 - w) + sorted[hi.min(sorted.len() - 1)] * w
}

/// Relative weights of the predictors `rows` (one row per respondent, one value per name) for
/// the outcome `y`, with percentile bootstrap intervals at `level` from `resamples` resamples
/// of the respondents (0: none), drawn with `seed`.
///
/// # Errors
/// [`SatisfactionError::Shape`] for rows of the wrong length, fewer than p + 2 rows, a
/// predictor or outcome that does not vary, or collinear predictors;
/// [`SatisfactionError::Param`] for a level outside (0, 1).
pub fn relative_weights(
    rows: &[Vec<f64>],
    y: &[f64],
    names: &[String],
    resamples: u32,
    seed: u64,
    level: f64,
) -> Result<RelativeWeights, SatisfactionError> {
    let p = names.len();
    if rows.len() != y.len() || rows.iter().any(|r| r.len() != p) {
        return Err(SatisfactionError::Shape(
            "relative weights: every row needs one value per attribute and an outcome".into(),
        ));
    }
    if rows.len() < p + 2 {
        return Err(SatisfactionError::Shape(format!(
            "relative weights: {} complete answers for {p} attributes (at least {} needed)",
            rows.len(),
            p + 2
        )));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(SatisfactionError::Param {
            name: "level",
            message: format!("{level} is not between 0 and 1"),
        });
    }
    let all: Vec<usize> = (0..rows.len()).collect();
    let (rxx, rxy) = correlations(rows, y, &all, names)?;
    let (weights, r2) = weights_from_correlations(&rxx, &rxy)?;
    let mut out = RelativeWeights {
        weights,
        r2,
        n: rows.len() as u64,
        intervals: Vec::new(),
        r2_interval: None,
        resamples,
        seed,
        resamples_failed: 0,
    };
    if resamples == 0 {
        return Ok(out);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::new(); p + 1];
    let mut idx = vec![0usize; rows.len()];
    for _ in 0..resamples {
        for i in idx.iter_mut() {
            *i = crate::domain::draw::index(&mut rng, rows.len());
        }
        let ok =
            correlations(rows, y, &idx, names).and_then(|(a, b)| weights_from_correlations(&a, &b));
        match ok {
            Ok((w, r)) => {
                for (d, v) in draws.iter_mut().zip(w.iter().chain(std::iter::once(&r))) {
                    d.push(*v);
                }
            }
            Err(_) => out.resamples_failed += 1,
        }
    }
    let tail = (1.0 - level) / 2.0;
    let mut ranges: Vec<(f64, f64)> = draws
        .iter_mut()
        .map(|d| {
            d.sort_by(f64::total_cmp);
            (percentile(d, tail), percentile(d, 1.0 - tail))
        })
        .collect();
    out.r2_interval = ranges.pop();
    out.intervals = ranges;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn two_correlated_attributes_match_the_hand_computation() {
        // ρ = 0.5, r_xy = (0.6, 0.4). Λ = [[a, b], [b, a]], a = (√1.5 + √0.5)/2 = 0.965926,
        // b = (√1.5 − √0.5)/2 = 0.258819; β = Λ⁻¹ r_xy = (0.549670, 0.266827);
        // ε₁ = a²β₁² + b²β₂² = 0.286667, ε₂ = b²β₁² + a²β₂² = 0.086667;
        // R² = r_xy' R_xx⁻¹ r_xy = (0.36 + 0.16 − 0.24) / 0.75 = 0.373333.
        let rxx = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.5, 1.0]);
        let rxy = DVector::from_row_slice(&[0.6, 0.4]);
        let (w, r2) = weights_from_correlations(&rxx, &rxy).unwrap();
        assert!((w[0] - 0.286_666_667).abs() < 1e-8, "{w:?}");
        assert!((w[1] - 0.086_666_667).abs() < 1e-8, "{w:?}");
        assert!((r2 - 0.373_333_333).abs() < 1e-8);
    }

    #[test]
    fn uncorrelated_attributes_get_their_squared_correlations() {
        let rxx = DMatrix::identity(3, 3);
        let rxy = DVector::from_row_slice(&[0.5, 0.3, -0.2]);
        let (w, r2) = weights_from_correlations(&rxx, &rxy).unwrap();
        for (g, want) in w.iter().zip([0.25, 0.09, 0.04]) {
            assert!((g - want).abs() < 1e-12);
        }
        assert!((r2 - 0.38).abs() < 1e-12);
    }

    fn data() -> (Vec<Vec<f64>>, Vec<f64>, Vec<String>) {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for _ in 0..300 {
            let a: f64 = rng.gen_range(0.0..1.0);
            let b: f64 = 0.5 * a + rng.gen_range(0.0..1.0);
            let c: f64 = rng.gen_range(0.0..1.0);
            y.push(2.0 * a + b + 0.1 * c + rng.gen_range(0.0..1.0));
            rows.push(vec![a, b, c]);
        }
        (rows, y, vec!["a".into(), "b".into(), "c".into()])
    }

    #[test]
    fn weights_sum_to_the_regressions_r2_and_intervals_cover_them() {
        let (rows, y, names) = data();
        let r = relative_weights(&rows, &y, &names, 200, 42, 0.9).unwrap();
        // R² of the least-squares fit, from the normal equations.
        let x = DMatrix::from_fn(
            rows.len(),
            4,
            |i, j| if j == 0 { 1.0 } else { rows[i][j - 1] },
        );
        let yv = DVector::from_column_slice(&y);
        let beta = (x.transpose() * &x).try_inverse().unwrap() * x.transpose() * &yv;
        let fitted = &x * beta;
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let ss_res: f64 = (&yv - &fitted).iter().map(|e| e * e).sum();
        let ss_tot: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
        let r2 = 1.0 - ss_res / ss_tot;
        assert!((r.r2 - r2).abs() < 1e-9, "{} vs {r2}", r.r2);
        assert!((r.weights.iter().sum::<f64>() - r.r2).abs() < 1e-12);
        assert!(r.weights[0] > r.weights[1] && r.weights[1] > r.weights[2]);
        for (w, (lo, hi)) in r.weights.iter().zip(&r.intervals) {
            assert!(lo <= w && w <= hi, "{lo} {w} {hi}");
        }
        assert_eq!(r.resamples_failed, 0);
        // Seeded: the same seed gives the same intervals.
        let again = relative_weights(&rows, &y, &names, 200, 42, 0.9).unwrap();
        assert_eq!(again.intervals, r.intervals);
    }

    #[test]
    fn a_constant_attribute_is_named() {
        let (mut rows, y, names) = data();
        rows.iter_mut().for_each(|r| r[1] = 3.0);
        let e = relative_weights(&rows, &y, &names, 0, 1, 0.9).unwrap_err();
        assert!(e.to_string().contains("b does not vary"), "{e}");
    }
}
