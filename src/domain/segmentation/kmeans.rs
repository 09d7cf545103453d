//! k-means clustering of customers on behaviour (recency, frequency, monetary, CLV,
//! satisfaction...), with k-means++ seeding, restarts, optional log1p and standardisation, the
//! silhouette curve for choosing k, and cluster profiles in plain words.
//!
//! # Algorithm
//! Each restart seeds k-means++ and runs Lloyd iterations on a seeded sample of at most
//! `init_sample` rows; the restart with the lowest sample inertia is then refined by Lloyd
//! iterations on the full data (up to `full_iter`, stopping when no centroid moves more than
//! `tol`; `converged` reports whether they sufficed). For data no larger than `init_sample` this
//! is ordinary k-means with restarts on all rows. All
//! randomness comes from one `ChaCha8Rng` seeded with `seed`, which is stored in the model.
//!
//! The silhouette is exact when n ≤ `silhouette_sample`, and computed on a seeded sample of
//! that many rows otherwise.
//!
//! [`choose_k`] (in [`super::ksearch`], which also splits it in parts for several workers) runs the sample stage (restarts on the `init_sample` rows) for every k, scores
//! each k by the silhouette and the full-data inertia of those centroids, and refines only the
//! chosen k on all rows. The chosen model equals [`KMeansParams::fit`] with that k and seed; for
//! data no larger than `init_sample` the curve is the same as fitting every k in full.

pub use super::ksearch::choose_k;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A dense row-major matrix of features with their names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMatrix {
    /// Feature names, one per column (e.g. "recency", "frequency", "monetary").
    pub names: Vec<String>,
    /// Row-major values: row i is `data[i·cols .. (i+1)·cols]`.
    pub data: Vec<f64>,
}

impl FeatureMatrix {
    /// Builds a matrix from rows.
    ///
    /// # Errors
    /// [`KMeansError::Shape`] when a row's length differs from the number of names.
    pub fn from_rows(names: Vec<String>, rows: &[Vec<f64>]) -> Result<Self, KMeansError> {
        let cols = names.len();
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != cols {
                return Err(KMeansError::Shape(format!(
                    "row {i} has {} values, expected {cols}",
                    r.len()
                )));
            }
            data.extend_from_slice(r);
        }
        Ok(FeatureMatrix { names, data })
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.names.len()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.cols()).unwrap_or(0)
    }

    /// Row `i` (empty when out of range).
    pub fn row(&self, i: usize) -> &[f64] {
        let c = self.cols();
        self.data.get(i * c..(i + 1) * c).unwrap_or(&[])
    }
}

/// Settings of a k-means fit (unchecked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    /// Number of clusters (≥ 1, ≤ rows).
    pub k: u32,
    /// Seed of all random choices.
    #[serde(default)]
    pub seed: u64,
    /// Maximum Lloyd iterations on the full data.
    #[serde(default = "default_max_iter")]
    pub max_iter: u32,
    /// Restarts (different seedings); the lowest inertia is kept.
    #[serde(default = "default_n_init")]
    pub n_init: u32,
    /// Stop when no centroid moves more than this (in transformed units).
    #[serde(default = "default_tol")]
    pub tol: f64,
    /// Apply ln(1 + x) to every feature before clustering (negative values are kept as they
    /// are transformed by −ln(1 − x), keeping the sign).
    #[serde(default)]
    pub log1p: bool,
    /// Standardise each feature (subtract the mean, divide by the standard deviation).
    #[serde(default = "yes")]
    pub standardize: bool,
    /// Rows of the seeded sample the restarts run on before the full-data refinement.
    #[serde(default = "default_init_sample")]
    pub init_sample: u32,
    /// Lloyd iterations on the full data after the sample fit (only when n > `init_sample`;
    /// `converged` says whether they sufficed).
    #[serde(default = "default_full_iter")]
    pub full_iter: u32,
}

fn default_max_iter() -> u32 {
    100
}
fn default_n_init() -> u32 {
    4
}
fn default_tol() -> f64 {
    1e-4
}
fn yes() -> bool {
    true
}
fn default_init_sample() -> u32 {
    20_000
}
fn default_full_iter() -> u32 {
    10
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 4,
            seed: 42,
            max_iter: default_max_iter(),
            n_init: default_n_init(),
            tol: default_tol(),
            log1p: false,
            standardize: true,
            init_sample: default_init_sample(),
            full_iter: default_full_iter(),
        }
    }
}

/// Why k-means could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum KMeansError {
    /// `k` is 0 or larger than the number of rows.
    K {
        /// The requested k.
        k: u32,
        /// Rows available.
        rows: u64,
    },
    /// `max_iter` or `n_init` is 0.
    Iterations(&'static str),
    /// `tol` is negative or not finite.
    Tol(f64),
    /// The matrix has no columns or a row of the wrong length.
    Shape(String),
    /// A value is not finite.
    NotFinite {
        /// Row (0-based).
        row: u64,
        /// Feature name.
        feature: String,
    },
    /// The k range of a search is empty or starts below 2.
    KRange {
        /// Smallest k.
        min: u32,
        /// Largest k.
        max: u32,
    },
}

impl std::fmt::Display for KMeansError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KMeansError::K { k, rows } => {
                write!(f, "k: expected 1 to the number of rows ({rows}), found {k}")
            }
            KMeansError::Iterations(p) => write!(f, "{p}: expected at least 1, found 0"),
            KMeansError::Tol(t) => write!(f, "tol: expected a finite value ≥ 0, found {t}"),
            KMeansError::Shape(s) => write!(f, "feature matrix: {s}"),
            KMeansError::NotFinite { row, feature } => {
                write!(f, "row {row}, feature {feature:?}: not a finite number")
            }
            KMeansError::KRange { min, max } => {
                write!(f, "k range: expected 2 ≤ min ≤ max, found {min}..={max}")
            }
        }
    }
}

impl std::error::Error for KMeansError {}

/// Checked k-means settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidKMeansParams(KMeansParams);

impl KMeansParams {
    /// Validates the settings that do not depend on the data.
    ///
    /// # Errors
    /// [`KMeansError`] naming the bad parameter.
    pub fn check(&self) -> Result<ValidKMeansParams, KMeansError> {
        if self.k == 0 {
            return Err(KMeansError::K { k: 0, rows: 0 });
        }
        if self.max_iter == 0 {
            return Err(KMeansError::Iterations("max_iter"));
        }
        if self.n_init == 0 {
            return Err(KMeansError::Iterations("n_init"));
        }
        if self.full_iter == 0 {
            return Err(KMeansError::Iterations("full_iter"));
        }
        if !self.tol.is_finite() || self.tol < 0.0 {
            return Err(KMeansError::Tol(self.tol));
        }
        Ok(ValidKMeansParams(self.clone()))
    }

    /// Checks and fits in one call.
    ///
    /// # Errors
    /// See [`KMeansParams::check`] and [`ValidKMeansParams::fit`].
    pub fn fit(&self, x: &FeatureMatrix) -> Result<KMeansModel, KMeansError> {
        self.check()?.fit(x)
    }
}

/// The transformation fitted on the data (applied before clustering and in `predict`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transform {
    /// Whether ln(1 + x) was applied.
    pub log1p: bool,
    /// Whether features were standardised.
    pub standardize: bool,
    /// Mean per feature after log1p (0 without standardisation).
    pub means: Vec<f64>,
    /// Standard deviation per feature after log1p (1 without standardisation; 1 for constants).
    pub sds: Vec<f64>,
}

impl Transform {
    pub(super) fn fit(x: &FeatureMatrix, log1p: bool, standardize: bool) -> Transform {
        let c = x.cols();
        let n = x.rows();
        let mut means = vec![0.0; c];
        let mut sds = vec![1.0; c];
        if standardize && n > 0 {
            let mut sum = vec![0.0; c];
            let mut sq = vec![0.0; c];
            for row in x.data.chunks_exact(c) {
                for ((s, q), &v) in sum.iter_mut().zip(sq.iter_mut()).zip(row) {
                    let t = if log1p { signed_log1p(v) } else { v };
                    *s += t;
                    *q += t * t;
                }
            }
            for j in 0..c {
                let m = sum[j] / n as f64;
                let var = (sq[j] / n as f64 - m * m).max(0.0);
                means[j] = m;
                sds[j] = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
            }
        }
        Transform {
            log1p,
            standardize,
            means,
            sds,
        }
    }

    /// Transforms one row of original values.
    pub fn apply(&self, row: &[f64]) -> Vec<f64> {
        row.iter()
            .zip(self.means.iter().zip(&self.sds))
            .map(|(&v, (&m, &s))| {
                let t = if self.log1p { signed_log1p(v) } else { v };
                (t - m) / s
            })
            .collect()
    }

    pub(super) fn apply_all(&self, x: &FeatureMatrix) -> Vec<f64> {
        let mut out = Vec::with_capacity(x.data.len());
        for row in x.data.chunks_exact(x.cols().max(1)) {
            for (&v, (&m, &s)) in row.iter().zip(self.means.iter().zip(&self.sds)) {
                let t = if self.log1p { signed_log1p(v) } else { v };
                out.push((t - m) / s);
            }
        }
        out
    }

    fn invert(&self, row: &[f64]) -> Vec<f64> {
        row.iter()
            .zip(self.means.iter().zip(&self.sds))
            .map(|(&z, (&m, &s))| {
                let t = z * s + m;
                if self.log1p {
                    if t >= 0.0 {
                        t.exp_m1()
                    } else {
                        -(-t).exp_m1()
                    }
                } else {
                    t
                }
            })
            .collect()
    }
}

fn signed_log1p(v: f64) -> f64 {
    if v >= 0.0 {
        v.ln_1p()
    } else {
        -(-v).ln_1p()
    }
}

/// A fitted k-means model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansModel {
    /// Number of clusters.
    pub k: u32,
    /// Seed used (store it to reproduce the result).
    pub seed: u64,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// The fitted transformation.
    pub transform: Transform,
    /// Centroids in the transformed space, one per cluster.
    pub centroids: Vec<Vec<f64>>,
    /// Centroids back in original units (inverse transform of the centroids).
    pub centroids_original: Vec<Vec<f64>>,
    /// Cluster of every row (0-based), in input order.
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub labels: Vec<u32>,
    /// Rows per cluster.
    pub sizes: Vec<u64>,
    /// Sum of squared distances of rows to their centroid (transformed space).
    pub inertia: f64,
    /// Lloyd iterations of the kept fit (the full-data refinement when n > `init_sample`).
    pub iterations: u32,
    /// Whether the centroids stopped moving before `max_iter`.
    pub converged: bool,
    /// A plain-words profile per cluster.
    pub profiles: Vec<ClusterProfile>,
}

/// A cluster described in plain words from its standardized centroid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterProfile {
    /// Cluster index (0-based).
    pub cluster: u32,
    /// Rows in the cluster.
    pub size: u64,
    /// Share of all rows.
    pub share: f64,
    /// Centroid as z-scores of the (log-transformed) features against all rows.
    pub z: Vec<f64>,
    /// E.g. "recent, frequent, high spend".
    pub label: String,
}

impl KMeansModel {
    /// Cluster of a new row in original units (nearest centroid).
    pub fn predict(&self, row: &[f64]) -> u32 {
        nearest(&self.transform.apply(row), &self.centroids).0 as u32
    }
}

impl ValidKMeansParams {
    /// Fits k-means on the matrix.
    ///
    /// # Errors
    /// [`KMeansError::K`] when k exceeds the rows, [`KMeansError::Shape`] or
    /// [`KMeansError::NotFinite`] for bad data.
    pub fn fit(&self, x: &FeatureMatrix) -> Result<KMeansModel, KMeansError> {
        let p = &self.0;
        validate(x)?;
        let n = x.rows();
        if p.k as usize > n {
            return Err(KMeansError::K {
                k: p.k,
                rows: n as u64,
            });
        }
        let transform = Transform::fit(x, p.log1p, p.standardize);
        let z = transform.apply_all(x);
        Ok(fit_transformed(&z, x, transform, p))
    }
}

pub(super) fn validate(x: &FeatureMatrix) -> Result<(), KMeansError> {
    let c = x.cols();
    if c == 0 {
        return Err(KMeansError::Shape("no feature columns".into()));
    }
    if !x.data.len().is_multiple_of(c) {
        return Err(KMeansError::Shape(format!(
            "{} values do not fill rows of {c} features",
            x.data.len()
        )));
    }
    if let Some(i) = x.data.iter().position(|v| !v.is_finite()) {
        return Err(KMeansError::NotFinite {
            row: (i / c) as u64,
            feature: x.names.get(i % c).cloned().unwrap_or_default(),
        });
    }
    Ok(())
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn nearest(p: &[f64], centroids: &[Vec<f64>]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, c) in centroids.iter().enumerate() {
        let d = sq_dist(p, c);
        if d < best.1 {
            best = (j, d);
        }
    }
    best
}

/// The nearest of the flat centroids (`c` values each) to `p`, and its squared distance. The
/// hot loop of every fit: specialised for up to 5 features so the compiler unrolls the distance.
/// (Same summation order as [`sq_dist`], so results do not depend on the specialisation.)
pub(super) fn nearest_flat(p: &[f64], centroids: &[f64], c: usize) -> (usize, f64) {
    match c {
        1 => nearest_n::<1>(p, centroids),
        2 => nearest_n::<2>(p, centroids),
        3 => nearest_n::<3>(p, centroids),
        4 => nearest_n::<4>(p, centroids),
        5 => nearest_n::<5>(p, centroids),
        _ => nearest_dyn(p, centroids, c),
    }
}

fn nearest_n<const N: usize>(p: &[f64], centroids: &[f64]) -> (usize, f64) {
    let Ok(p) = <&[f64; N]>::try_from(p) else {
        return nearest_dyn(p, centroids, N);
    };
    let (chunks, _) = centroids.as_chunks::<N>();
    let mut best = (0, f64::INFINITY);
    for (j, cen) in chunks.iter().enumerate() {
        let mut d = 0.0;
        for i in 0..N {
            let t = p[i] - cen[i];
            d += t * t;
        }
        if d < best.1 {
            best = (j, d);
        }
    }
    best
}

fn nearest_dyn(p: &[f64], centroids: &[f64], c: usize) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, cen) in centroids.chunks_exact(c).enumerate() {
        let d = sq_dist(p, cen);
        if d < best.1 {
            best = (j, d);
        }
    }
    best
}

/// k-means++ seeding on the rows of `z` (row-major, `c` columns); flat centroids.
fn plus_plus(z: &[f64], c: usize, k: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let n = z.len() / c;
    let mut centroids: Vec<f64> = Vec::with_capacity(k * c);
    let first = crate::domain::draw::index(rng, n);
    centroids.extend_from_slice(&z[first * c..(first + 1) * c]);
    let mut d2: Vec<f64> = z
        .chunks_exact(c)
        .map(|r| sq_dist(r, &centroids[..c]))
        .collect();
    while centroids.len() < k * c {
        let total: f64 = d2.iter().sum();
        let idx = if total > 0.0 {
            let mut target = rng.gen::<f64>() * total;
            let mut chosen = n - 1;
            for (i, &d) in d2.iter().enumerate() {
                target -= d;
                if target <= 0.0 && d > 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        } else {
            crate::domain::draw::index(rng, n)
        };
        let cen = &z[idx * c..(idx + 1) * c];
        for (d, r) in d2.iter_mut().zip(z.chunks_exact(c)) {
            let nd = sq_dist(r, cen);
            if nd < *d {
                *d = nd;
            }
        }
        centroids.extend_from_slice(cen);
    }
    centroids
}

/// Lloyd iterations on flat centroids; returns (labels, inertia, iterations, converged).
fn lloyd(
    z: &[f64],
    c: usize,
    centroids: &mut [f64],
    max_iter: u32,
    tol: f64,
) -> (Vec<u32>, f64, u32, bool) {
    let n = z.len() / c;
    let k = centroids.len() / c;
    let mut labels = vec![0u32; n];
    let mut iterations = 0;
    let mut converged = false;
    let mut sums = vec![0.0; k * c];
    let mut counts = vec![0u64; k];
    for _ in 0..max_iter {
        iterations += 1;
        sums.iter_mut().for_each(|s| *s = 0.0);
        counts.iter_mut().for_each(|s| *s = 0);
        for (l, r) in labels.iter_mut().zip(z.chunks_exact(c)) {
            let (j, _) = nearest_flat(r, centroids, c);
            *l = j as u32;
            counts[j] += 1;
            for (s, v) in sums[j * c..(j + 1) * c].iter_mut().zip(r) {
                *s += v;
            }
        }
        let mut shift: f64 = 0.0;
        for j in 0..k {
            if counts[j] == 0 {
                continue; // an empty cluster keeps its centroid
            }
            let inv = 1.0 / counts[j] as f64;
            let mut moved = 0.0;
            for (cv, s) in centroids[j * c..(j + 1) * c]
                .iter_mut()
                .zip(&sums[j * c..(j + 1) * c])
            {
                let new = s * inv;
                moved += (new - *cv) * (new - *cv);
                *cv = new;
            }
            shift = shift.max(moved.sqrt());
        }
        if shift <= tol {
            converged = true;
            break;
        }
    }
    let mut inertia = 0.0;
    for (l, r) in labels.iter_mut().zip(z.chunks_exact(c)) {
        let (j, d) = nearest_flat(r, centroids, c);
        *l = j as u32;
        inertia += d;
    }
    (labels, inertia, iterations, converged)
}

/// The restarts on the seeded sample: the best sample centroids (flat), their iterations and
/// convergence, and whether a full-data refinement is still due (n > sample).
pub(super) struct SampleFit {
    pub(super) centroids: Vec<f64>,
    pub(super) iterations: u32,
    pub(super) converged: bool,
    pub(super) refine: bool,
}

/// Rows the restarts of `p` run on: `sample_size(n, k)` rows of a seeded sample when n exceeds
/// it (`refine` then), else all of `z`.
pub(super) fn sample_size(n: usize, p: &KMeansParams) -> usize {
    let k = p.k as usize;
    (p.init_sample as usize).clamp(k, n.max(k))
}

/// The rows of `z` (`c` columns) the restarts of `p` run on (a copy), as [`sample_fit`] draws
/// them.
pub(super) fn sample_rows(z: &[f64], c: usize, p: &KMeansParams) -> Vec<f64> {
    let n = z.len() / c.max(1);
    let sample_n = sample_size(n, p);
    if n <= sample_n {
        return z.to_vec();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let mut idx = sample(&mut rng, n, sample_n).into_vec();
    idx.sort_unstable();
    idx.iter()
        .flat_map(|&i| z[i * c..(i + 1) * c].iter().copied())
        .collect()
}

fn sample_fit(z: &[f64], c: usize, p: &KMeansParams) -> SampleFit {
    let n = z.len() / c.max(1);
    if n > sample_size(n, p) {
        sample_fit_on(&sample_rows(z, c, p), n, c, p)
    } else {
        sample_fit_on(z, n, c, p)
    }
}

/// The restarts of `p` on `data`: the rows [`sample_rows`] gives for a matrix of `n` rows. The
/// seeded generator first draws the sample again (the rows are not read), so a worker holding
/// only these rows continues the same random sequence as one holding all `n`.
pub(super) fn sample_fit_on(data: &[f64], n: usize, c: usize, p: &KMeansParams) -> SampleFit {
    let k = p.k as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let sample_n = sample_size(n, p);
    let refine = n > sample_n;
    if refine {
        let _ = sample(&mut rng, n, sample_n);
    }
    let mut best: Option<(Vec<f64>, f64, u32, bool)> = None;
    for _ in 0..p.n_init {
        let mut cen = plus_plus(data, c, k, &mut rng);
        let (_, inertia, it, conv) = lloyd(data, c, &mut cen, p.max_iter, p.tol);
        if best.as_ref().is_none_or(|b| inertia < b.1) {
            best = Some((cen, inertia, it, conv));
        }
    }
    let (centroids, _, iterations, converged) = best.unwrap_or_default();
    SampleFit {
        centroids,
        iterations,
        converged,
        refine,
    }
}

fn fit_transformed(
    z: &[f64],
    x: &FeatureMatrix,
    transform: Transform,
    p: &KMeansParams,
) -> KMeansModel {
    let fit = sample_fit(z, x.cols(), p);
    finish_fit(z, x, transform, p, fit)
}

/// The full-data stage: Lloyd refinement (when the restarts ran on a sample), labels,
/// inertia, sizes and profiles.
pub(super) fn finish_fit(
    z: &[f64],
    x: &FeatureMatrix,
    transform: Transform,
    p: &KMeansParams,
    fit: SampleFit,
) -> KMeansModel {
    let c = x.cols();
    let n = x.rows();
    let k = p.k as usize;
    let mut flat = fit.centroids;
    let (labels, inertia, iterations, converged) = if fit.refine {
        lloyd(z, c, &mut flat, p.full_iter, p.tol)
    } else {
        // The restarts ran on the full data: one pass for labels and inertia.
        let (l, i, _, _) = lloyd(z, c, &mut flat, 1, f64::INFINITY);
        (l, i, fit.iterations, fit.converged)
    };
    let centroids: Vec<Vec<f64>> = flat.chunks_exact(c).map(<[f64]>::to_vec).collect();
    let mut sizes = vec![0u64; k];
    for &l in &labels {
        sizes[l as usize] += 1;
    }
    let centroids_original: Vec<Vec<f64>> = centroids.iter().map(|c| transform.invert(c)).collect();
    let profiles = profiles(&centroids, z, c, &x.names, &sizes, n);
    KMeansModel {
        k: p.k,
        seed: p.seed,
        feature_names: x.names.clone(),
        transform,
        centroids,
        centroids_original,
        labels,
        sizes,
        inertia,
        iterations,
        converged,
        profiles,
    }
}

fn profiles(
    centroids: &[Vec<f64>],
    z: &[f64],
    c: usize,
    names: &[String],
    sizes: &[u64],
    n: usize,
) -> Vec<ClusterProfile> {
    // z-scores of centroids against the rows in the clustering space.
    let mut mean = vec![0.0; c];
    let mut sq = vec![0.0; c];
    for r in z.chunks_exact(c) {
        for j in 0..c {
            mean[j] += r[j];
            sq[j] += r[j] * r[j];
        }
    }
    let nf = (n.max(1)) as f64;
    let sd: Vec<f64> = (0..c)
        .map(|j| {
            let m = mean[j] / nf;
            let v = (sq[j] / nf - m * m).max(0.0).sqrt();
            if v > 1e-12 {
                v
            } else {
                1.0
            }
        })
        .collect();
    centroids
        .iter()
        .enumerate()
        .map(|(i, cen)| {
            let zs: Vec<f64> = (0..c).map(|j| (cen[j] - mean[j] / nf) / sd[j]).collect();
            ClusterProfile {
                cluster: i as u32,
                size: sizes.get(i).copied().unwrap_or(0),
                share: sizes.get(i).copied().unwrap_or(0) as f64 / nf,
                label: describe(names, &zs),
                z: zs,
            }
        })
        .collect()
}

/// Plain words for a standardized centroid: |z| < 0.5 is "average"; known feature names get
/// their own words (recency: "recent" / "lapsed"; frequency: "frequent" / "infrequent";
/// monetary or spend: "high spend" / "low spend"), others "high NAME" / "low NAME".
pub fn describe(names: &[String], z: &[f64]) -> String {
    let words: Vec<String> = names
        .iter()
        .zip(z)
        .filter(|(_, &v)| v.abs() >= 0.5)
        .map(|(name, &v)| {
            let high = v > 0.0;
            let strong = if v.abs() >= 1.5 { "very " } else { "" };
            let key = name.to_ascii_lowercase();
            let w = if key.contains("recen") {
                if high { "lapsed" } else { "recent" }.to_string()
            } else if key.contains("freq") {
                if high { "frequent" } else { "infrequent" }.to_string()
            } else if key.contains("monet") || key.contains("spend") {
                if high { "high spend" } else { "low spend" }.to_string()
            } else if high {
                format!("high {name}")
            } else {
                format!("low {name}")
            };
            format!("{strong}{w}")
        })
        .collect();
    if words.is_empty() {
        "average on every feature".into()
    } else {
        words.join(", ")
    }
}

/// Mean silhouette of a clustering: for each row, a = mean distance to the other rows of its
/// cluster, b = the smallest mean distance to the rows of another cluster,
/// s = (b − a) / max(a, b), and s = 0 for a row alone in its cluster. Euclidean distance.
/// Returns None with fewer than 2 clusters in use or fewer than 2 rows.
pub fn silhouette(rows: &[f64], cols: usize, labels: &[u32]) -> Option<f64> {
    let n = labels.len();
    if cols == 0 || rows.len() != n * cols || n < 2 {
        return None;
    }
    let k = labels.iter().copied().max()? as usize + 1;
    let mut counts = vec![0u64; k];
    for &l in labels {
        counts[l as usize] += 1;
    }
    if counts.iter().filter(|&&c| c > 0).count() < 2 {
        return None;
    }
    let mut total = 0.0;
    let mut sums = vec![0.0; k];
    for i in 0..n {
        sums.iter_mut().for_each(|s| *s = 0.0);
        let ri = &rows[i * cols..(i + 1) * cols];
        for j in 0..n {
            if i != j {
                sums[labels[j] as usize] += sq_dist(ri, &rows[j * cols..(j + 1) * cols]).sqrt();
            }
        }
        let li = labels[i] as usize;
        if counts[li] <= 1 {
            continue;
        }
        let a = sums[li] / (counts[li] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != li && counts[c] > 0)
            .map(|c| sums[c] / counts[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        if m > 0.0 {
            total += (b - a) / m;
        }
    }
    Some(total / n as f64)
}

/// Settings of a search over k by silhouette.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KSearchParams {
    /// Smallest k (≥ 2).
    pub k_min: u32,
    /// Largest k.
    pub k_max: u32,
    /// k-means settings (its `k` is ignored).
    pub kmeans: KMeansParams,
    /// Rows on which the silhouette is computed (exact when n ≤ this).
    pub silhouette_sample: u32,
}

impl Default for KSearchParams {
    fn default() -> Self {
        KSearchParams {
            k_min: 2,
            k_max: 10,
            kmeans: KMeansParams::default(),
            silhouette_sample: 2000,
        }
    }
}

/// One point of the silhouette curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KCurvePoint {
    /// k.
    pub k: u32,
    /// Mean silhouette (on the sample when n is large).
    pub silhouette: f64,
    /// Inertia of the fit over all rows.
    pub inertia: f64,
}

/// The result of a k search: the curve, the chosen k and its model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KSearch {
    /// Silhouette and inertia per k (of the sample-stage centroids, before the full-data
    /// refinement that only the best k gets).
    pub curve: Vec<KCurvePoint>,
    /// k with the highest silhouette (the smallest such k on ties).
    pub best_k: u32,
    /// The model fitted with the best k.
    pub best: KMeansModel,
    /// Rows the silhouette was computed on.
    pub silhouette_rows: u64,
    /// Whether the silhouette was exact (all rows) or on a seeded sample.
    pub silhouette_exact: bool,
    /// Seed used (for the fits and the silhouette sample).
    pub seed: u64,
}
