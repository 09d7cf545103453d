//! The search over k ([`choose_k`]) in three steps, so that its costly middle step can be
//! split across workers with the same result as one run:
//!
//! 1. [`search_sample`] (where the whole matrix is): the rows each k's restarts run on (one
//!    seeded sample of at most `init_sample` rows, or all rows when there are fewer) and the
//!    rows the silhouette is scored on (at most `silhouette_sample`). At most a few tens of
//!    thousands of rows, whatever the number of customers.
//! 2. [`search_part`] (anywhere, on the sample alone): for a range of k, the restarts
//!    (k-means++ seeding and Lloyd iterations) and the silhouette of the best restart. Parts
//!    merge in any order ([`KSearchPart::merge`]).
//! 3. [`finish_search`] (where the whole matrix is): each k's inertia on all rows, the best k
//!    by the silhouette, and its refinement on all rows.
//!
//! Step 2 is the search's bulk (k restarts of up to `max_iter` Lloyd passes over the sample
//! for each k, and a silhouette of `silhouette_sample`² distances); steps 1 and 3 are passes
//! over all rows. Each k uses its own generator seeded with `seed` (see
//! [`super::kmeans`]), so a k's fit does not depend on which other k ran before it or where.

use super::kmeans::{
    finish_fit, nearest_flat, sample_fit_on, sample_rows, sample_size, silhouette, validate,
    FeatureMatrix, KCurvePoint, KMeansError, KMeansParams, KSearch, KSearchParams, SampleFit,
    Transform,
};
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What each k's restarts and silhouette need (step 1): small, whatever the number of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KSearchSample {
    /// The search's settings.
    pub params: KSearchParams,
    /// Largest k tried (`k_max`, at most the number of rows).
    pub k_max: u32,
    /// Rows of the whole matrix.
    pub rows: u64,
    /// Feature columns.
    pub cols: u32,
    /// Rows the restarts run on, per sample size (one size unless `init_sample` < k).
    pub fit_rows: Vec<FitRows>,
    /// Rows the silhouette is scored on (row-major, transformed).
    pub silhouette: Vec<f64>,
    /// Whether the silhouette rows are all rows.
    pub silhouette_exact: bool,
}

/// The rows the restarts of a k run on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRows {
    /// Sample size these rows are for (all rows when it is not below the matrix's).
    pub size: u64,
    /// The rows, row-major, transformed.
    pub rows: Vec<f64>,
}

/// One k's restarts (step 2): the best restart's centroids and its silhouette.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KFit {
    /// k.
    pub k: u32,
    /// Centroids of the best restart, flat (k × cols, transformed space).
    pub centroids: Vec<f64>,
    /// Lloyd iterations of the best restart.
    pub iterations: u32,
    /// Whether the best restart converged.
    pub converged: bool,
    /// Mean silhouette of those centroids on the silhouette rows.
    pub silhouette: f64,
}

/// The fits of some values of k.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KSearchPart {
    /// Fits, by k.
    pub fits: Vec<KFit>,
}

impl KSearchPart {
    /// Adds `other`'s fits (in any order: the fits stay sorted by k, so merging parts in any
    /// order gives the same part).
    pub fn merge(&mut self, other: KSearchPart) {
        self.fits.extend(other.fits);
        self.fits.sort_by_key(|f| f.k);
    }
}

struct Prepared {
    transform: Transform,
    z: Vec<f64>,
    sample: KSearchSample,
}

fn prepare(x: &FeatureMatrix, params: &KSearchParams) -> Result<Prepared, KMeansError> {
    if params.k_min < 2 || params.k_min > params.k_max {
        return Err(KMeansError::KRange {
            min: params.k_min,
            max: params.k_max,
        });
    }
    validate(x)?;
    let n = x.rows();
    let c = x.cols();
    if params.k_min as usize > n {
        return Err(KMeansError::K {
            k: params.k_min,
            rows: n as u64,
        });
    }
    let k_max = params.k_max.min(n as u32);
    let base = &params.kmeans;
    KMeansParams {
        k: 2,
        ..base.clone()
    }
    .check()?;
    let transform = Transform::fit(x, base.log1p, base.standardize);
    let z = transform.apply_all(x);
    let s_n = (params.silhouette_sample as usize).max(2);
    let exact = n <= s_n;
    let idx: Vec<usize> = if exact {
        (0..n).collect()
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(base.seed ^ 0x5111_0E77);
        let mut v = sample(&mut rng, n, s_n).into_vec();
        v.sort_unstable();
        v
    };
    let silhouette_rows: Vec<f64> = idx
        .iter()
        .flat_map(|&i| z[i * c..(i + 1) * c].iter().copied())
        .collect();
    let mut fit_rows: Vec<FitRows> = Vec::new();
    for k in params.k_min..=k_max {
        let p = KMeansParams { k, ..base.clone() };
        let size = sample_size(n, &p) as u64;
        if !fit_rows.iter().any(|f| f.size == size) {
            fit_rows.push(FitRows {
                size,
                rows: sample_rows(&z, c, &p),
            });
        }
    }
    let sample = KSearchSample {
        params: params.clone(),
        k_max,
        rows: n as u64,
        cols: c as u32,
        fit_rows,
        silhouette: silhouette_rows,
        silhouette_exact: exact,
    };
    Ok(Prepared {
        transform,
        z,
        sample,
    })
}

/// Step 1: the sample every k's restarts and silhouette need.
///
/// # Errors
/// As [`choose_k`]: an empty k range, bad k-means settings or a bad matrix.
pub fn search_sample(
    x: &FeatureMatrix,
    params: &KSearchParams,
) -> Result<KSearchSample, KMeansError> {
    prepare(x, params).map(|p| p.sample)
}

/// Step 2: the restarts and silhouette of every k in `ks` (within the sample's range), on the
/// sample alone; `progress` hears the share of `ks` done.
///
/// # Errors
/// [`KMeansError::KRange`] when `ks` leaves the sample's k range;
/// [`KMeansError::Shape`] when the sample is damaged (no rows for a k).
pub fn search_part(
    s: &KSearchSample,
    ks: std::ops::RangeInclusive<u32>,
    progress: &mut dyn FnMut(f64),
) -> Result<KSearchPart, KMeansError> {
    if ks.is_empty() || *ks.start() < s.params.k_min || *ks.end() > s.k_max {
        return Err(KMeansError::KRange {
            min: *ks.start(),
            max: *ks.end(),
        });
    }
    let n = usize::try_from(s.rows).unwrap_or(usize::MAX);
    let c = s.cols as usize;
    let total = ks.clone().count().max(1) as f64;
    let mut fits = Vec::new();
    for (done, k) in ks.enumerate() {
        progress(done as f64 / total);
        let p = KMeansParams {
            k,
            ..s.params.kmeans.clone()
        };
        let size = sample_size(n, &p) as u64;
        let Some(data) = s.fit_rows.iter().find(|f| f.size == size) else {
            return Err(KMeansError::Shape(format!(
                "the k search's sample has no rows for k = {k}"
            )));
        };
        if c == 0 || !data.rows.len().is_multiple_of(c) {
            return Err(KMeansError::Shape(format!(
                "the k search's sample for k = {k} does not fill rows of {c} features"
            )));
        }
        let fit = sample_fit_on(&data.rows, n, c, &p);
        let labels: Vec<u32> = s
            .silhouette
            .chunks_exact(c)
            .map(|r| nearest_flat(r, &fit.centroids, c).0 as u32)
            .collect();
        let silhouette = silhouette(&s.silhouette, c, &labels).unwrap_or(0.0);
        fits.push(KFit {
            k,
            centroids: fit.centroids,
            iterations: fit.iterations,
            converged: fit.converged,
            silhouette,
        });
    }
    progress(1.0);
    Ok(KSearchPart { fits })
}

/// Step 3: every k's inertia on all rows, the best k by the silhouette (the smallest on ties)
/// and its refinement on all rows, from the merged fits of every k in the range.
///
/// # Errors
/// As [`search_sample`]; [`KMeansError::Shape`] when `part` does not hold each k of the range
/// exactly once.
pub fn finish_search(
    x: &FeatureMatrix,
    params: &KSearchParams,
    part: KSearchPart,
) -> Result<KSearch, KMeansError> {
    finish_prepared(x, prepare(x, params)?, part)
}

fn finish_prepared(
    x: &FeatureMatrix,
    prep: Prepared,
    part: KSearchPart,
) -> Result<KSearch, KMeansError> {
    let Prepared {
        transform,
        z,
        sample,
    } = prep;
    let c = sample.cols as usize;
    let n = x.rows();
    let ks: Vec<u32> = part.fits.iter().map(|f| f.k).collect();
    let wanted: Vec<u32> = (sample.params.k_min..=sample.k_max).collect();
    if ks != wanted {
        return Err(KMeansError::Shape(format!(
            "the k search's parts hold k = {ks:?}, expected each of {}..={} once",
            sample.params.k_min, sample.k_max
        )));
    }
    let base = &sample.params.kmeans;
    let mut curve = Vec::new();
    let mut best: Option<(f64, KMeansParams, SampleFit)> = None;
    for f in part.fits {
        let p = KMeansParams {
            k: f.k,
            ..base.clone()
        };
        if f.centroids.len() != f.k as usize * c {
            return Err(KMeansError::Shape(format!(
                "the fit for k = {} has {} centroid values, expected {}",
                f.k,
                f.centroids.len(),
                f.k as usize * c
            )));
        }
        // Silhouette and inertia of the sample fit's centroids (before the full-data
        // refinement, which only the chosen k gets).
        let inertia: f64 = z
            .chunks_exact(c)
            .map(|r| nearest_flat(r, &f.centroids, c).1)
            .sum();
        curve.push(KCurvePoint {
            k: f.k,
            silhouette: f.silhouette,
            inertia,
        });
        if best.as_ref().is_none_or(|(b, _, _)| f.silhouette > *b) {
            let refine = n > sample_size(n, &p);
            let fit = SampleFit {
                centroids: f.centroids,
                iterations: f.iterations,
                converged: f.converged,
                refine,
            };
            best = Some((f.silhouette, p, fit));
        }
    }
    let Some((_, p, fit)) = best else {
        return Err(KMeansError::KRange {
            min: sample.params.k_min,
            max: sample.k_max,
        });
    };
    let best = finish_fit(&z, x, transform, &p, fit);
    Ok(KSearch {
        curve,
        best_k: best.k,
        best,
        silhouette_rows: (sample.silhouette.len() / c.max(1)) as u64,
        silhouette_exact: sample.silhouette_exact,
        seed: base.seed,
    })
}

/// Fits k-means for every k in k_min..=k_max and picks k by the silhouette: the three steps
/// above in one place.
///
/// # Errors
/// [`KMeansError::KRange`] for an empty range, or any error of [`KMeansParams::check`] /
/// [`super::kmeans::ValidKMeansParams::fit`].
pub fn choose_k(x: &FeatureMatrix, params: &KSearchParams) -> Result<KSearch, KMeansError> {
    let prep = prepare(x, params)?;
    let part = search_part(
        &prep.sample,
        prep.sample.params.k_min..=prep.sample.k_max,
        &mut |_| {},
    )?;
    finish_prepared(x, prep, part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Three loose blobs of `n` rows × 3 features, seeded.
    fn blobs(n: usize) -> FeatureMatrix {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut data = Vec::with_capacity(n * 3);
        for i in 0..n {
            let centre = [1.0, 20.0, 300.0][i % 3];
            for j in 0..3 {
                data.push(centre * (1.0 + j as f64) + rng.gen_range(0.0..centre));
            }
        }
        FeatureMatrix {
            names: vec!["recency".into(), "frequency".into(), "monetary".into()],
            data,
        }
    }

    fn params(init_sample: u32, silhouette_sample: u32) -> KSearchParams {
        let mut p = KSearchParams {
            k_min: 2,
            k_max: 8,
            silhouette_sample,
            ..Default::default()
        };
        p.kmeans.init_sample = init_sample;
        p.kmeans.log1p = true;
        p.kmeans.seed = 5;
        p
    }

    /// Runs the search split in `pieces` (each a range of k), each part sent through bincode
    /// as between workers, merged in reverse order.
    fn split(x: &FeatureMatrix, p: &KSearchParams, pieces: &[(u32, u32)]) -> KSearch {
        let s = search_sample(x, p).unwrap();
        let s: KSearchSample = bincode::deserialize(&bincode::serialize(&s).unwrap()).unwrap();
        let mut parts: Vec<KSearchPart> = pieces
            .iter()
            .map(|&(a, b)| {
                let part = search_part(&s, a..=b, &mut |_| {}).unwrap();
                bincode::deserialize(&bincode::serialize(&part).unwrap()).unwrap()
            })
            .collect();
        let mut merged = KSearchPart::default();
        while let Some(part) = parts.pop() {
            merged.merge(part);
        }
        finish_search(x, p, merged).unwrap()
    }

    #[test]
    fn split_search_equals_one_run_on_a_sample_and_refined() {
        // 3,000 rows, restarts on a 500-row sample, silhouette on 300 rows.
        let x = blobs(3000);
        let p = params(500, 300);
        let one = choose_k(&x, &p).unwrap();
        assert!(one.best.iterations > 0 && !one.silhouette_exact);
        for pieces in [
            &[(2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8)][..],
            &[(8, 8), (2, 5), (6, 7)][..],
            &[(2, 8)][..],
        ] {
            assert_eq!(split(&x, &p, pieces), one, "pieces {pieces:?}");
        }
    }

    #[test]
    fn split_search_equals_one_run_on_all_rows() {
        // 600 rows: restarts and silhouette on every row (no sample, no refinement).
        let x = blobs(600);
        let p = params(20_000, 2_000);
        let one = choose_k(&x, &p).unwrap();
        assert!(one.silhouette_exact);
        assert_eq!(split(&x, &p, &[(5, 8), (2, 4)]), one);
    }

    #[test]
    fn split_search_equals_one_run_when_the_sample_size_depends_on_k() {
        // init_sample 4 < k for k ≥ 5: each such k draws a sample of its own size.
        let x = blobs(900);
        let p = params(4, 200);
        let s = search_sample(&x, &p).unwrap();
        assert_eq!(s.fit_rows.len(), 5); // sizes 4, 5, 6, 7, 8
        let one = choose_k(&x, &p).unwrap();
        assert_eq!(split(&x, &p, &[(7, 8), (2, 3), (4, 6)]), one);
    }

    #[test]
    fn a_missing_or_repeated_k_is_refused() {
        let x = blobs(600);
        let p = params(20_000, 2_000);
        let s = search_sample(&x, &p).unwrap();
        let mut part = search_part(&s, 2..=7, &mut |_| {}).unwrap();
        let missing = finish_search(&x, &p, part.clone()).unwrap_err();
        assert!(missing.to_string().contains("expected each of 2..=8 once"));
        part.merge(search_part(&s, 7..=8, &mut |_| {}).unwrap());
        assert!(finish_search(&x, &p, part).is_err());
        assert!(search_part(&s, 8..=9, &mut |_| {}).is_err());
    }

    #[test]
    fn the_sample_is_small_whatever_the_rows() {
        let x = blobs(30_000);
        let p = params(1_000, 500);
        let s = search_sample(&x, &p).unwrap();
        let values: usize =
            s.fit_rows.iter().map(|f| f.rows.len()).sum::<usize>() + s.silhouette.len();
        assert_eq!(values, (1_000 + 500) * 3);
    }
}
