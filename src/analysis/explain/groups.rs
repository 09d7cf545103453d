//! Explanations of group figures: an acquisition cohort's value per customer and CLV/CAC, a
//! k-means cluster's size, share and centre (back from standardised log units), a value tier's
//! share of value with its cut-off, and a satisfaction driver's relative weight with its
//! bootstrap interval. Values are the engine's own figures.

use super::{filled, Filled};
use crate::analysis::cohort::CohortRow;
use crate::analysis::drivers::{DriverTable, LEVEL};
use crate::analysis::numfmt::NumberFormat;
use crate::domain::segmentation::kmeans::KMeansModel;
use crate::domain::segmentation::TierIndex;

/// A cohort's value per customer = realised margin + predicted CLV per customer, and its
/// CLV/CAC against the acquisition cost `cac`.
pub fn cohort_value(c: &CohortRow, cac: f64, nf: &NumberFormat) -> Filled {
    let ratio = c.clv_to_cac.map_or_else(
        || "no acquisition cost given, so no CLV/CAC".to_string(),
        |r| {
            format!(
                "CLV/CAC = {} / {} = {}",
                nf.fixed(c.value_per_customer, 2),
                nf.fixed(cac, 2),
                nf.fixed(r, 2)
            )
        },
    );
    filled(
        "cohort-value",
        "value per customer = realised margin per customer + predicted CLV per customer; CLV/CAC = value per customer / acquisition cost",
        format!(
            "cohort {}: {} customers\nvalue per customer = {} + {} = {}\n{ratio}",
            c.label,
            nf.number(c.customers, 0),
            nf.fixed(c.realised_per_customer, 2),
            nf.fixed(c.predicted_per_customer, 2),
            nf.fixed(c.value_per_customer, 2)
        ),
        c.value_per_customer,
    )
}

/// Cluster `i` (0-based) of a k-means model: its size and share, and its centre on the first
/// feature back in original units (value: the share of customers).
pub fn cluster(m: &KMeansModel, i: usize, nf: &NumberFormat) -> Option<Filled> {
    let p = m.profiles.get(i)?;
    // The page holds the model without its per-customer labels (the worker keeps those), so the
    // share comes from the profiles' sizes, which are counted from the labels in the fit.
    let n: u64 = m.profiles.iter().map(|q| q.size).sum();
    let size = p.size;
    let value = if n > 0 { size as f64 / n as f64 } else { 0.0 };
    let t = &m.transform;
    let centre = match (
        m.feature_names.first(),
        m.centroids.get(i).and_then(|c| c.first()),
        t.means.first(),
        t.sds.first(),
        m.centroids_original.get(i).and_then(|c| c.first()),
    ) {
        (Some(name), Some(&z), Some(&mean), Some(&sd), Some(&orig)) => {
            let u = z * sd + mean;
            let back = if t.log1p {
                format!("e^{} − 1 = {}", nf.fixed(u, 4), nf.fixed(orig, 2))
            } else {
                nf.fixed(orig, 2)
            };
            format!(
                "\ncentre on {name}: z = {} (in standard deviations{}); z × sd + mean = {} × {} + {} = {}; back in {name}: {back}",
                nf.fixed(z, 4),
                if t.log1p { " of ln(1 + value)" } else { "" },
                nf.fixed(z, 4),
                nf.fixed(sd, 4),
                nf.fixed(mean, 4),
                nf.fixed(u, 4)
            )
        }
        _ => String::new(),
    };
    Some(filled(
        "cluster",
        "share = customers in the cluster / all customers; centre = mean of its members' standardised values z = (ln(1 + value) − mean) / sd",
        format!(
            "cluster {}: {} of {} customers = {} ({}%){centre}",
            p.cluster + 1,
            nf.count(size),
            nf.count(n),
            nf.fixed(value, 4),
            nf.fixed(100.0 * value, 1)
        ),
        value,
    ))
}

/// Tier `i` (0-based, top first) of a tier index: its share of all value, with its cut-off
/// (value: the share of value).
pub fn tier(t: &TierIndex, i: usize, nf: &NumberFormat) -> Option<Filled> {
    let s = t.summary.get(i)?;
    let total: f64 = t.summary.iter().map(|x| x.value).sum();
    let customers: u64 = t.summary.iter().map(|x| x.customers).sum();
    let value = if total != 0.0 { s.value / total } else { 0.0 };
    let cut = s.min_value.map_or(String::new(), |v| {
        format!(
            "\ncut-off: the lowest value in {} is {}",
            s.tier,
            nf.fixed(v, 2)
        )
    });
    Some(filled(
        "value-tiers",
        "share of value = value of the tier's customers / value of all customers",
        format!(
            "{}: {} of {} customers ({}%)\nshare of value = {} / {} = {} ({}%){cut}",
            s.tier,
            nf.count(s.customers),
            nf.count(customers),
            nf.fixed(100.0 * s.customer_share, 1),
            nf.fixed(s.value, 2),
            nf.fixed(total, 2),
            nf.fixed(value, 4),
            nf.fixed(100.0 * value, 1)
        ),
        value,
    ))
}

/// Attribute `i` of a driver table: its relative weight, its share of R² and its bootstrap
/// interval (value: the relative weight).
pub fn driver(t: &DriverTable, i: usize, nf: &NumberFormat) -> Option<Filled> {
    let w = &t.weights;
    let name = t.names.get(i)?;
    let x = *w.weights.get(i)?;
    let share = if w.r2 > 0.0 {
        format!(
            "\nshare of R² = {} / {} = {}%",
            nf.fixed(x, 3),
            nf.fixed(w.r2, 3),
            nf.fixed(100.0 * x / w.r2, 1)
        )
    } else {
        String::new()
    };
    let sum: Vec<String> = w.weights.iter().map(|v| nf.fixed(*v, 3)).collect();
    let interval = w.intervals.get(i).map_or(String::new(), |(lo, hi)| {
        format!(
            "\n{}% interval from {} resamples (seed {}): {} to {}",
            nf.fixed(100.0 * LEVEL, 0),
            nf.count(w.resamples.into()),
            w.seed,
            nf.fixed(*lo, 3),
            nf.fixed(*hi, 3)
        )
    });
    Some(filled(
        "relative-weights",
        "weights split R² among the attributes: Σ weights = R²; share = weight / R²",
        format!(
            "{name} for {}: weight = {} of R² = {} = {} ({} answers){share}{interval}",
            t.outcome,
            nf.fixed(x, 3),
            sum.join(" + "),
            nf.fixed(w.r2, 3),
            nf.count(w.n)
        ),
        x,
    ))
}

/// The NPS of two groups compared: the difference, its standard error from the two groups'
/// own, its 95% interval and z (value: the difference, b − a).
pub fn nps_difference(t: &crate::analysis::satisfaction::NpsTest, nf: &NumberFormat) -> Filled {
    let (na, a) = (&t.a.0, &t.a.1);
    let (nb, b) = (&t.b.0, &t.b.1);
    let d = &t.diff;
    let z = d.z.map_or("SE = 0, so no z".to_string(), |z| {
        format!(
            "z = {} / {} = {}",
            nf.fixed(d.difference, 1),
            nf.fixed(d.se, 2),
            nf.fixed(z, 2)
        )
    });
    filled(
        "nps-difference",
        "difference = NPS_b − NPS_a; SE = √(SE_a² + SE_b²); 95% interval = difference ± 1.96 · SE; z = difference / SE",
        format!(
            "difference = {} ({nb}) − {} ({na}) = {}\nSE = √({}² + {}²) = {}\n95% interval = {} ± 1.96 × {} = {} to {}\n{z}",
            nf.fixed(b.nps, 1),
            nf.fixed(a.nps, 1),
            nf.fixed(d.difference, 1),
            nf.fixed(b.se, 2),
            nf.fixed(a.se, 2),
            nf.fixed(d.se, 2),
            nf.fixed(d.difference, 1),
            nf.fixed(d.se, 2),
            nf.fixed(d.ci_low, 1),
            nf.fixed(d.ci_high, 1)
        ),
        d.difference,
    )
}

/// The k chosen by the silhouette: each k's mean silhouette from the search's curve, the
/// highest one winning (the smallest k on ties); the value is the chosen k's silhouette.
pub fn best_k(
    s: &crate::domain::segmentation::kmeans::KSearch,
    nf: &NumberFormat,
) -> Option<Filled> {
    let best = s.curve.iter().find(|p| p.k == s.best_k)?;
    let curve: Vec<String> = s
        .curve
        .iter()
        .map(|p| {
            let mark = if p.k == s.best_k { " ← highest" } else { "" };
            format!("k = {}: {}{mark}", p.k, nf.fixed(p.silhouette, 3))
        })
        .collect();
    let rows = if s.silhouette_exact {
        format!("all {} customers", nf.count(s.silhouette_rows))
    } else {
        format!(
            "a seeded sample of {} customers",
            nf.count(s.silhouette_rows)
        )
    };
    Some(filled(
        "silhouette",
        "silhouette of a customer = (b − a) / max(a, b), a = mean distance to its own cluster, b = to the nearest other cluster; best k = the k with the highest mean",
        format!(
            "mean silhouette on {rows}:\n{}\nbest k = {} (mean silhouette {})",
            curve.join("\n"),
            s.best_k,
            nf.fixed(best.silhouette, 3)
        ),
        best.silhouette,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::segmentation::kmeans::{FeatureMatrix, KMeansParams};

    /// The page gets the model without its per-customer labels (the worker keeps them): the
    /// explained share must not change when they are gone.
    #[test]
    fn a_clusters_share_is_the_same_without_the_labels() {
        let rows: Vec<Vec<f64>> = (0..90)
            .map(|i| vec![(i % 3) as f64 * 10.0 + (i % 7) as f64 * 0.1, (i % 5) as f64])
            .collect();
        let x = FeatureMatrix::from_rows(vec!["a".into(), "b".into()], &rows).unwrap();
        let m = KMeansParams {
            k: 3,
            ..KMeansParams::default()
        }
        .fit(&x)
        .unwrap();
        let nf = NumberFormat::default();
        let mut bare = m.clone();
        bare.labels.clear();
        for i in 0..3 {
            let full = cluster(&m, i, &nf).unwrap();
            let seen = cluster(&bare, i, &nf).unwrap();
            let counted = m.labels.iter().filter(|&&l| l as usize == i).count();
            assert!((full.value - counted as f64 / 90.0).abs() < 1e-12);
            assert_eq!(full.value, seen.value);
            assert_eq!(full.formula_filled, seen.formula_filled);
        }
    }
}
