//! Benchmark (ignored by default): RFM scores and k-means for k = 2..=10 with the silhouette on
//! a 2,000-row sample, on 1,000,000 simulated customers × 3 features.
//!
//! Run natively in release:
//! `cargo test --release --test bench_segment -- --ignored --nocapture`

use chrono::NaiveDate;
use crm::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};
use crm::domain::segmentation::kmeans::{choose_k, FeatureMatrix, KSearchParams};
use crm::domain::segmentation::{RfmParams, SegmentMap};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

#[test]
#[ignore]
fn rfm_and_kmeans_on_a_million_customers() {
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let start = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let customers: Vec<CustomerRecord> = (0..n)
        .map(|i| {
            let occasions: u32 = if rng.gen_bool(0.6) {
                1
            } else {
                rng.gen_range(2..40)
            };
            let last = start + chrono::Days::new(rng.gen_range(0..730));
            let spend = f64::from(occasions) * rng.gen_range(5.0..200.0);
            let mut r =
                CustomerRecord::from_stats(i.to_string(), f64::from(occasions - 1), 0.0, 0.0, 0.0);
            r.first = Some(start);
            r.last = Some(last);
            r.occasions = occasions;
            r.total_spend = spend;
            r
        })
        .collect();
    let summary = CustomerSummary {
        time_unit: TimeUnit::Day,
        observation_end: None,
        calibration_end: None,
        holdout_length: 0.0,
        customers,
        returns_rows: 0,
    };

    let t0 = Instant::now();
    let rfm = RfmParams::default().fit(&summary).unwrap();
    let map = SegmentMap::rxf();
    let segments: usize = rfm
        .scores
        .iter()
        .filter(|s| map.assign_score(s) == "Champions")
        .count();
    let t_rfm = t0.elapsed();

    let t1 = Instant::now();
    let data = rfm
        .scores
        .iter()
        .flat_map(|s| [s.recency_days, f64::from(s.frequency), s.monetary])
        .collect();
    let x = FeatureMatrix {
        names: vec!["recency".into(), "frequency".into(), "monetary".into()],
        data,
    };
    let mut params = KSearchParams::default();
    params.kmeans.log1p = true;
    let search = choose_k(&x, &params).unwrap();
    let t_km = t1.elapsed();

    println!("customers: {n}, champions: {segments}");
    println!("RFM + R×F map: {:.2} s", t_rfm.as_secs_f64());
    println!(
        "k-means k=2..=10 (n_init {}, init sample {}, max_iter {}) + silhouette on {} rows: {:.2} s",
        params.kmeans.n_init,
        params.kmeans.init_sample,
        params.kmeans.max_iter,
        search.silhouette_rows,
        t_km.as_secs_f64()
    );
    for p in &search.curve {
        println!(
            "  k={:<2} silhouette={:.4} inertia={:.0}",
            p.k, p.silhouette, p.inertia
        );
    }
    println!(
        "best k = {} (full-data iterations {}, converged {}), total {:.2} s",
        search.best_k,
        search.best.iterations,
        search.best.converged,
        (t_rfm + t_km).as_secs_f64()
    );
    let t2 = Instant::now();
    let one = crm::domain::segmentation::KMeansParams {
        k: 5,
        log1p: true,
        ..Default::default()
    }
    .fit(&x)
    .unwrap();
    println!(
        "single k-means k=5: {:.2} s (iterations {}, converged {})",
        t2.elapsed().as_secs_f64(),
        one.iterations,
        one.converged
    );
}
