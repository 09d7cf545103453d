//! Benchmark (ignored by default): RFM scores and k-means for k = 2..=10 with the silhouette on
//! a 2,000-row sample, on 1,000,000 simulated customers × 3 features; and the Segments page's
//! two worker jobs on the file of the Chromium benchmark (`tests/bench/segment_chromium.mjs`).
//!
//! Run natively in release (the profile the wasm is built with):
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
        excluded: Vec::new(),
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

/// The Chromium benchmark's job, natively: the same generated summary CSV
/// (`node tests/bench/segment_chromium.mjs` writes it to the temp folder; `BENCH_SUMMARY=path`
/// overrides) imported by the worker's import task, then the Segments page's two worker jobs:
/// RFM with the R×F map, and RFM with k-means k = 2..=10 (the page's defaults), with the sizes
/// of the messages that cross the worker boundary.
#[test]
#[ignore]
fn segments_page_jobs_on_the_chromium_benchmark_file() {
    use crm::worker::segment::{default_request, ClusterRequest};
    use crm::worker::tasks::{run_with, Output, Task};
    let path = std::env::var("BENCH_SUMMARY").unwrap_or_else(|_| {
        std::env::temp_dir()
            .join("bench_summary_1000000.csv")
            .to_string_lossy()
            .into_owned()
    });
    let Ok(bytes) = std::fs::read(&path) else {
        println!("{path} is missing: run `node tests/bench/segment_chromium.mjs` once first");
        return;
    };
    let t0 = Instant::now();
    // The worker holds the imported summary; segmentation requests name it.
    let mut datasets = crm::worker::datasets::Datasets::default();
    let Ok(Output::Imported(imp)) = run_with(
        Task::Import {
            dataset: "bench".into(),
            file_name: "bench_summary.csv".into(),
            bytes,
            settings: Default::default(),
            summary: Default::default(),
        },
        &mut datasets,
        &mut |_, _| {},
    ) else {
        panic!("import failed");
    };
    let summary = imp.summary.unwrap();
    println!(
        "import of {} customers: {:.2} s",
        summary.customers.len(),
        t0.elapsed().as_secs_f64()
    );
    for (name, cluster) in [
        ("RFM + R×F map", None),
        ("RFM + k-means k=2..=10", Some(ClusterRequest::default())),
    ] {
        let mut req = default_request(crm::domain::customers::CustomerSummary {
            customers: Vec::new(),
            ..summary.clone()
        });
        req.cluster = cluster;
        let task = Task::Segment {
            dataset: "bench".into(),
            key: String::new(),
            request: Box::new(req),
        };
        let t = Instant::now();
        let req_bytes = bincode::serialize(&task).unwrap();
        let t_ser = t.elapsed();
        let mut times = Vec::new();
        let mut out = None;
        for _ in 0..3 {
            let task = task.clone();
            let t = Instant::now();
            out = Some(run_with(task, &mut datasets, &mut |_, _| {}).unwrap());
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let out = out.unwrap();
        let t = Instant::now();
        let res_bytes = bincode::serialize(&out).unwrap();
        let t_res = t.elapsed();
        let t = Instant::now();
        let _: Output = bincode::deserialize(&res_bytes).unwrap();
        let t_back = t.elapsed();
        println!(
            "{name}: {:.2} s (median of 3); request {:.1} MB ({:.2} s to encode), result {:.1} MB \
             ({:.2} s to encode, {:.2} s to decode)",
            times[1],
            req_bytes.len() as f64 / 1e6,
            t_ser.as_secs_f64(),
            res_bytes.len() as f64 / 1e6,
            t_res.as_secs_f64(),
            t_back.as_secs_f64()
        );
        if let Output::Segment(r) = &out {
            if let Some(c) = &r.cluster {
                println!(
                    "  best k {} of {:?}, silhouette on {} rows",
                    c.search.best_k,
                    c.search
                        .curve
                        .iter()
                        .map(|p| (p.k, (p.silhouette * 1e4).round() / 1e4))
                        .collect::<Vec<_>>(),
                    c.search.silhouette_rows
                );
            }
        }
    }
}
