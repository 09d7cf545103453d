//! Segmentation: RFM scores (reversed recency, ties, collapsed bins, cut points), the coverage of
//! every preset map, k-means on known blobs, the silhouette by hand, tiers, strategy, cross-tab.

use chrono::NaiveDate;
use crm::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};
use crm::domain::segmentation::cross_tab;
use crm::domain::segmentation::kmeans::{
    choose_k, silhouette, FeatureMatrix, KMeansParams, KSearchParams,
};
use crm::domain::segmentation::maps::{Precedence, SegmentMap};
use crm::domain::segmentation::needs::needs_segments;
use crm::domain::segmentation::rfm::{MonetaryKind, RfmCutPoints, RfmError, RfmParams};
use crm::domain::segmentation::strategy::{suggest, RelationshipLevel, SegmentFigures, Strategy};
use crm::domain::segmentation::tiers::TierScheme;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// A customer whose last purchase is `last`, with `occasions` purchases totalling `spend`.
fn rec(id: &str, last: &str, occasions: u32, spend: f64) -> CustomerRecord {
    let mut r =
        CustomerRecord::from_stats(id, f64::from(occasions.saturating_sub(1)), 0.0, 0.0, 0.0);
    r.first = Some(day("2024-01-01"));
    r.last = Some(day(last));
    r.occasions = occasions;
    r.total_spend = spend;
    r
}

fn summary(customers: Vec<CustomerRecord>) -> CustomerSummary {
    CustomerSummary {
        time_unit: TimeUnit::Day,
        observation_end: None,
        calibration_end: None,
        holdout_length: 0.0,
        customers,
        returns_rows: 0,
        excluded: Vec::new(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn recency_score_is_reversed_and_counts_from_the_day_after_the_last_date() {
    // Last purchases on days 1..=5 of March; analysis date = 2024-03-06 (day after the last).
    // Recency days: 5, 4, 3, 2, 1. With 5 customers and 5 bins the cut points are the values
    // at ranks ceil(j*5/5)-1 = 0,1,2,3 → [1, 2, 3, 4] days; raw bins 5,4,3,2,1 → R = 6 - raw.
    let s = summary(vec![
        rec("a", "2024-03-01", 1, 10.0),
        rec("b", "2024-03-02", 1, 10.0),
        rec("c", "2024-03-03", 1, 10.0),
        rec("d", "2024-03-04", 1, 10.0),
        rec("e", "2024-03-05", 1, 10.0),
    ]);
    let r = RfmParams::default().fit(&s).unwrap();
    assert_eq!(r.analysis_date, Some(day("2024-03-06")));
    let days: Vec<f64> = r.scores.iter().map(|x| x.recency_days).collect();
    assert_eq!(days, vec![5.0, 4.0, 3.0, 2.0, 1.0]);
    assert_eq!(r.cut_points.recency, vec![1.0, 2.0, 3.0, 4.0]);
    let rs: Vec<u8> = r.scores.iter().map(|x| x.r).collect();
    assert_eq!(rs, vec![1, 2, 3, 4, 5]);
}

#[test]
fn equal_values_get_the_same_score_and_collapsed_bins_are_reported() {
    // Frequencies 1,1,1,1,1,1,2,3,4,5 (6 of 10 bought once). Sorted, cut j is at rank
    // ceil(2j)-1 = 1,3,5,7 → values [1,1,1,3]. Score = 1 + #cuts < v:
    // 1 → 1; 2 → 4; 3 → 4; 4 → 5; 5 → 5. Distinct F scores {1,4,5} = 3 of 5 bins.
    let f = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5];
    let cs = f
        .iter()
        .enumerate()
        .map(|(i, &o)| rec(&format!("c{i}"), "2024-03-01", o, 10.0 * (i + 1) as f64))
        .collect();
    let r = RfmParams::default().fit(&summary(cs)).unwrap();
    assert_eq!(r.cut_points.frequency, vec![1.0, 1.0, 1.0, 3.0]);
    let fs: Vec<u8> = r.scores.iter().map(|x| x.f).collect();
    assert_eq!(fs, vec![1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    assert_eq!(r.bins_used[1], 3);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("frequency collapsed to 3 of 5")
            && w.contains("60% of customers bought once")));
    // All share one recency: one R score for everybody, and a warning.
    assert!(r.scores.iter().all(|x| x.r == r.scores[0].r));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.starts_with("recency collapsed")));
}

#[test]
fn a_value_equal_to_a_cut_point_goes_to_the_lower_bin() {
    // Spend 10..=100: cuts at ranks 1,3,5,7 → [20, 40, 60, 80]; 20 → M 1, 30 → M 2, 100 → M 5.
    let cs = (1..=10)
        .map(|i| rec(&i.to_string(), "2024-03-01", 1, 10.0 * f64::from(i)))
        .collect();
    let r = RfmParams::default().fit(&summary(cs)).unwrap();
    assert_eq!(r.cut_points.monetary, vec![20.0, 40.0, 60.0, 80.0]);
    let ms: Vec<u8> = r.scores.iter().map(|x| x.m).collect();
    assert_eq!(ms, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
}

#[test]
fn mean_monetary_divides_total_spend_by_occasions() {
    let s = summary(vec![
        rec("a", "2024-03-01", 4, 100.0),
        rec("b", "2024-03-02", 1, 30.0),
    ]);
    let r = RfmParams {
        monetary: MonetaryKind::Mean,
        bins: 2,
        ..Default::default()
    }
    .fit(&s)
    .unwrap();
    assert!(close(r.scores[0].monetary, 25.0)); // 100 / 4
    assert!(close(r.scores[1].monetary, 30.0));
    assert_eq!((r.scores[0].m, r.scores[1].m), (1, 2));
}

#[test]
fn records_without_dates_use_t_minus_t_x_in_days() {
    // Weeks: T − t_x = 3 − 1 = 2 weeks = 14 days.
    let r0 = CustomerRecord::from_stats("a", 2.0, 1.0, 3.0, 5.0);
    let r1 = CustomerRecord::from_stats("b", 0.0, 0.0, 1.0, 0.0);
    let s = CustomerSummary {
        time_unit: TimeUnit::Week,
        ..summary(vec![r0, r1])
    };
    let r = RfmParams {
        bins: 2,
        ..Default::default()
    }
    .fit(&s)
    .unwrap();
    assert!(close(r.scores[0].recency_days, 14.0));
    assert!(close(r.scores[1].recency_days, 7.0));
    assert_eq!(r.scores[0].frequency, 3);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("no last purchase date")));
}

#[test]
fn user_cut_points_replace_quantiles_and_bad_settings_name_the_parameter() {
    let s = summary(vec![
        rec("a", "2024-03-01", 1, 5.0),
        rec("b", "2024-03-10", 3, 500.0),
    ]);
    let cuts = RfmCutPoints {
        recency: vec![3.0],
        frequency: vec![1.0, 2.0],
        monetary: vec![100.0],
    };
    let r = RfmParams {
        cut_points: Some(cuts),
        ..Default::default()
    }
    .fit(&s)
    .unwrap();
    // a: 10 days > 3 → raw 2 → R = 3 − 2 = 1 (bins = 3 from the longest list); b: 1 day → R 2.
    assert_eq!((r.scores[0].r, r.scores[1].r), (1, 2));
    assert_eq!((r.scores[0].f, r.scores[1].f), (1, 3));
    assert_eq!((r.scores[0].m, r.scores[1].m), (1, 2));
    let e = RfmParams {
        bins: 1,
        ..Default::default()
    }
    .check()
    .unwrap_err();
    assert_eq!(e, RfmError::Bins(1));
    assert!(e.to_string().contains("bins"));
    let bad = RfmParams {
        cut_points: Some(RfmCutPoints {
            recency: vec![5.0, 2.0],
            frequency: vec![1.0],
            monetary: vec![1.0],
        }),
        ..Default::default()
    };
    assert!(bad.check().unwrap_err().to_string().contains("recency"));
}

#[test]
fn scoring_is_deterministic_whatever_the_input_order() {
    let mut cs: Vec<CustomerRecord> = (0..50)
        .map(|i| {
            rec(
                &format!("{i}"),
                if i % 3 == 0 {
                    "2024-02-01"
                } else {
                    "2024-03-01"
                },
                1 + i % 4,
                f64::from(i % 7),
            )
        })
        .collect();
    let a = RfmParams::default().fit(&summary(cs.clone())).unwrap();
    cs.reverse();
    let b = RfmParams::default().fit(&summary(cs)).unwrap();
    assert_eq!(a.cut_points, b.cut_points);
    for s in &a.scores {
        let t = b.scores.iter().find(|x| x.id == s.id).unwrap();
        assert_eq!((s.r, s.f, s.m), (t.r, t.f, t.m));
    }
}

#[test]
fn the_common_and_eleven_segment_maps_partition_every_score_combination() {
    for map in [SegmentMap::rxf(), SegmentMap::r_vs_fm()] {
        let c = map.coverage(5);
        assert_eq!(c.combinations, 125);
        assert!(c.gaps.is_empty(), "{}: gaps {:?}", map.name, c.gaps);
        assert!(
            c.overlaps.is_empty(),
            "{}: overlaps {:?}",
            map.name,
            c.overlaps
        );
        assert!(c.is_partition());
    }
    assert_eq!(SegmentMap::r_vs_fm().segments().len(), 12); // 11 + "Other" fallback
}

#[test]
fn the_common_map_matches_the_domain_table() {
    let m = SegmentMap::rxf();
    let table = [
        (
            5,
            [
                "New Customers",
                "Potential Loyalists",
                "Potential Loyalists",
                "Champions",
                "Champions",
            ],
        ),
        (
            4,
            [
                "Promising",
                "Potential Loyalists",
                "Potential Loyalists",
                "Loyal Customers",
                "Loyal Customers",
            ],
        ),
        (
            3,
            [
                "About to Sleep",
                "About to Sleep",
                "Need Attention",
                "Loyal Customers",
                "Loyal Customers",
            ],
        ),
        (
            2,
            [
                "Hibernating",
                "Hibernating",
                "At Risk",
                "At Risk",
                "Can't Lose Them",
            ],
        ),
        (
            1,
            [
                "Hibernating",
                "Hibernating",
                "At Risk",
                "At Risk",
                "Can't Lose Them",
            ],
        ),
    ];
    for (r, row) in table {
        for (f, name) in (1u8..).zip(row) {
            for mm in 1..=5 {
                assert_eq!(m.assign(r, f, mm), name, "R{r} F{f}");
            }
        }
    }
}

#[test]
fn the_rfm_package_map_has_documented_overlaps_and_gaps_that_fall_to_others() {
    let m = SegmentMap::rfm_package();
    assert_eq!(m.precedence, Precedence::LastMatch);
    let c = m.coverage(5);
    assert!(!c.overlaps.is_empty());
    assert!(!c.gaps.is_empty());
    // Every gap lands in the explicit fallback; every overlap in its last listed segment.
    for g in &c.gaps {
        assert_eq!(m.assign(g.r, g.f, g.m), "Others");
    }
    for o in &c.overlaps {
        assert_eq!(Some(&o.winner), o.segments.last());
    }
    // 1,1,1: Lost (R 1–2, F 1–2, M 1–2) only.
    assert_eq!(m.assign(1, 1, 1), "Lost");
    // 5,1,5: no rule has F 1 with M 5 → Others.
    assert_eq!(m.assign(5, 1, 5), "Others");
}

#[test]
fn maps_are_plain_data_and_survive_a_round_trip() {
    let mut m = SegmentMap::rxf();
    m.rules.retain(|r| r.segment != "Champions");
    // Removing a rule leaves a gap that goes to "Other".
    assert_eq!(m.assign(5, 5, 5), "Other");
    assert_eq!(m.coverage(5).gaps.len(), 2 * 5); // R5 × F4–5 × any M
    let json = serde_json::to_string(&m).unwrap();
    let back: SegmentMap = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    assert!(SegmentMap::preset("fm").is_some());
    assert!(SegmentMap::preset("nope").is_none());
}

fn blobs(seed: u64, per: usize) -> (FeatureMatrix, Vec<usize>) {
    let centers = [[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Vec::new();
    let mut truth = Vec::new();
    for i in 0..per {
        for (c, ctr) in centers.iter().enumerate() {
            let _ = i;
            data.push(ctr[0] + rng.gen_range(-1.0..1.0));
            data.push(ctr[1] + rng.gen_range(-1.0..1.0));
            truth.push(c);
        }
    }
    (
        FeatureMatrix {
            names: vec!["x".into(), "y".into()],
            data,
        },
        truth,
    )
}

#[test]
fn kmeans_recovers_well_separated_blobs() {
    let (x, truth) = blobs(7, 100);
    let m = KMeansParams {
        k: 3,
        seed: 1,
        ..Default::default()
    }
    .fit(&x)
    .unwrap();
    assert_eq!(m.labels.len(), 300);
    assert_eq!(m.sizes, vec![100, 100, 100]);
    // Same truth class ⇔ same label.
    for i in 0..truth.len() {
        for j in (i + 1)..truth.len() {
            assert_eq!(truth[i] == truth[j], m.labels[i] == m.labels[j]);
        }
    }
    assert!(m.converged);
    assert_eq!(m.seed, 1);
    // Centroids in original units sit near the true centres.
    for c in &m.centroids_original {
        let near = [[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
            .iter()
            .any(|t| (c[0] - t[0]).abs() < 0.5 && (c[1] - t[1]).abs() < 0.5);
        assert!(near, "{c:?}");
    }
}

#[test]
fn kmeans_with_the_same_seed_gives_the_same_result() {
    let (x, _) = blobs(3, 200);
    let p = KMeansParams {
        k: 4,
        seed: 99,
        ..Default::default()
    };
    let a = p.fit(&x).unwrap();
    let b = p.fit(&x).unwrap();
    assert_eq!(a, b);
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains("\"seed\":99"));
}

#[test]
fn kmeans_rejects_bad_parameters_naming_them() {
    let (x, _) = blobs(3, 2);
    let e = KMeansParams {
        k: 7,
        ..Default::default()
    }
    .fit(&x)
    .unwrap_err();
    assert!(e.to_string().starts_with("k:"));
    let e = KMeansParams {
        n_init: 0,
        ..Default::default()
    }
    .check()
    .unwrap_err();
    assert!(e.to_string().starts_with("n_init"));
    let bad = FeatureMatrix {
        names: vec!["a".into()],
        data: vec![1.0, f64::NAN],
    };
    let e = KMeansParams {
        k: 1,
        ..Default::default()
    }
    .fit(&bad)
    .unwrap_err();
    assert!(e.to_string().contains("row 1"));
}

#[test]
fn silhouette_matches_a_hand_computed_value() {
    // Points on a line: 0, 1 (cluster 0) and 4, 6 (cluster 1).
    // p=0: a = 1, b = (4+6)/2 = 5, s = 4/5 = 0.8
    // p=1: a = 1, b = (3+5)/2 = 4, s = 3/4 = 0.75
    // p=4: a = 2, b = (4+3)/2 = 3.5, s = 1.5/3.5 = 0.428571…
    // p=6: a = 2, b = (6+5)/2 = 5.5, s = 3.5/5.5 = 0.636363…
    // mean = (0.8 + 0.75 + 0.4285714 + 0.6363636) / 4 = 0.6537338
    let s = silhouette(&[0.0, 1.0, 4.0, 6.0], 1, &[0, 0, 1, 1]).unwrap();
    assert!((s - 0.653_733_8).abs() < 1e-6, "{s}");
    // A singleton cluster scores 0 for its point: 0,1 | 5 → s(0)=(5-1)/5=0.8, s(1)=(4-1)/4=0.75,
    // s(5)=0 → mean 0.5166667.
    let s = silhouette(&[0.0, 1.0, 5.0], 1, &[0, 0, 1]).unwrap();
    assert!((s - 0.516_666_7).abs() < 1e-6);
    assert!(silhouette(&[0.0, 1.0], 1, &[0, 0]).is_none());
}

#[test]
fn choose_k_finds_three_blobs_and_returns_the_curve() {
    let (x, _) = blobs(11, 150);
    let r = choose_k(&x, &KSearchParams::default()).unwrap();
    assert_eq!(r.best_k, 3);
    assert_eq!(r.curve.len(), 9);
    assert_eq!(r.curve[0].k, 2);
    assert!(r.silhouette_exact);
    // On a sample the result is still 3 and the sample size is reported.
    let r = choose_k(
        &x,
        &KSearchParams {
            silhouette_sample: 200,
            k_max: 5,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.best_k, 3);
    assert_eq!(r.silhouette_rows, 200);
    assert!(!r.silhouette_exact);
}

#[test]
fn cluster_profiles_speak_plainly() {
    // Two groups: recent frequent big spenders and lapsed one-off small spenders.
    let mut data = Vec::new();
    for i in 0..50 {
        let j = f64::from(i % 5);
        data.extend([2.0 + j, 10.0 + j, 1000.0 + j]);
        data.extend([300.0 + j, 1.0, 10.0 + j]);
    }
    let x = FeatureMatrix {
        names: vec!["recency".into(), "frequency".into(), "monetary".into()],
        data,
    };
    let m = KMeansParams {
        k: 2,
        seed: 5,
        log1p: true,
        ..Default::default()
    }
    .fit(&x)
    .unwrap();
    let labels: Vec<&str> = m.profiles.iter().map(|p| p.label.as_str()).collect();
    assert!(
        labels.contains(&"recent, frequent, high spend"),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"lapsed, infrequent, low spend"),
        "{labels:?}"
    );
}

#[test]
fn the_pyramid_takes_five_fifteen_thirty_fifty_percent() {
    let v: Vec<(String, f64)> = (1..=100).map(|i| (i.to_string(), f64::from(i))).collect();
    let t = TierScheme::pyramid().assign(&v).unwrap();
    let counts: Vec<u64> = t.summary.iter().map(|s| s.customers).collect();
    assert_eq!(counts, vec![5, 15, 30, 50]);
    // Top 5 values 96..=100 sum to 490 of 5050.
    assert!((t.summary[0].value_share - 490.0 / 5050.0).abs() < 1e-12);
    assert_eq!(t.assignments[99].tier, "Platinum");
    assert_eq!(t.assignments[99].rank, 1);
    let h = TierScheme::heavy_medium_light().assign(&v).unwrap();
    let counts: Vec<u64> = h.summary.iter().map(|s| s.customers).collect();
    assert_eq!(counts, vec![20, 30, 50]);
}

#[test]
fn tied_values_share_a_tier() {
    // 10 customers, 3 share the top value: Heavy takes 20% = 2 by rank, but the third equal
    // value joins them.
    let mut v: Vec<(String, f64)> = (1..=7).map(|i| (i.to_string(), f64::from(i))).collect();
    for id in ["a", "b", "c"] {
        v.push((id.into(), 50.0));
    }
    let t = TierScheme::heavy_medium_light().assign(&v).unwrap();
    let heavy: Vec<&str> = t
        .assignments
        .iter()
        .filter(|a| a.tier == "Heavy")
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(heavy, vec!["a", "b", "c"]);
    let mut bad = TierScheme::pyramid();
    bad.tiers[0].share = 0.5;
    assert!(bad.assign(&v).is_err());
}

#[test]
fn needs_segments_name_the_attributes_each_cluster_values_most() {
    let mut rows = Vec::new();
    for i in 0..20 {
        let e = f64::from(i % 2) * 0.1;
        rows.push(vec![9.0 + e, 2.0, 3.0]); // price-driven
        rows.push(vec![2.0, 9.0 + e, 8.0]); // service-driven
    }
    let x = FeatureMatrix::from_rows(
        vec!["price".into(), "service".into(), "speed".into()],
        &rows,
    )
    .unwrap();
    let r = needs_segments(
        &x,
        &KMeansParams {
            k: 2,
            seed: 3,
            standardize: false,
            ..Default::default()
        },
    )
    .unwrap();
    let labels: Vec<&str> = r.segments.iter().map(|s| s.label.as_str()).collect();
    assert!(labels.contains(&"values price most"), "{labels:?}");
    assert!(labels.contains(&"values service, speed most"), "{labels:?}");
}

#[test]
fn strategy_rules_follow_value_recency_and_p_alive() {
    let seg = |name: &str, c: u64, rev: f64, rec: f64, occ: f64, pa: Option<f64>| SegmentFigures {
        segment: name.into(),
        customers: c,
        revenue: rev,
        mean_recency_days: rec,
        mean_occasions: occ,
        mean_p_alive: pa,
        mean_clv: None,
    };
    // Totals: 100 customers, 1000 revenue; overall mean recency = (10·10+20·20+30·30+40·200)/100 = 94.
    let s = suggest(&[
        seg("Champions", 10, 500.0, 10.0, 8.0, None), // value index 5 → Retain, Partnership
        seg("Loyal", 20, 320.0, 20.0, 4.0, None),     // index 1.6 → Retain, Proactive
        seg("New", 30, 100.0, 30.0, 1.0, None),       // occasions < 1.5 → Convert
        seg("Lost", 40, 80.0, 200.0, 2.0, None),      // 200 > 1.5·94, index .2 → Let go
    ]);
    assert_eq!(
        (s[0].strategy, s[0].level),
        (Strategy::Retain, RelationshipLevel::Partnership)
    );
    assert!((s[0].value_index - 5.0).abs() < 1e-12);
    assert_eq!(
        (s[1].strategy, s[1].level),
        (Strategy::Retain, RelationshipLevel::Proactive)
    );
    assert_eq!(s[2].strategy, Strategy::Convert);
    assert_eq!(
        s[2].strategy.name(),
        "Develop (convert to a second purchase)"
    );
    assert_eq!(
        (s[3].strategy, s[3].level),
        (Strategy::LetGo, RelationshipLevel::Basic)
    );
    assert!(s[3]
        .reasons
        .iter()
        .any(|r| r.contains("mean recency 200 days (all customers 94)")));
    // P(alive) overrides recency when given.
    let s = suggest(&[
        seg("A", 10, 500.0, 10.0, 5.0, Some(0.2)),
        seg("B", 10, 500.0, 10.0, 5.0, Some(0.9)),
    ]);
    assert_eq!(
        (s[0].strategy, s[0].level),
        (Strategy::WinBack, RelationshipLevel::Proactive)
    );
    assert_eq!(
        (s[1].strategy, s[1].level),
        (Strategy::Develop, RelationshipLevel::Accountable)
    );
}

#[test]
fn existing_customers_are_never_acquired() {
    let seg = |name: &str, rev: f64, rec: f64, occ: f64, pa: Option<f64>| SegmentFigures {
        segment: name.into(),
        customers: 10,
        revenue: rev,
        mean_recency_days: rec,
        mean_occasions: occ,
        mean_p_alive: pa,
        mean_clv: None,
    };
    // Every combination of value, recency, occasions and P(alive): a strategy for customers.
    let mut all = Vec::new();
    for (i, rev) in [10.0, 100.0, 1000.0].into_iter().enumerate() {
        for rec in [5.0, 50.0, 500.0] {
            for occ in [1.0, 1.2, 3.0] {
                for pa in [None, Some(0.1), Some(1.0)] {
                    all.push(seg(&format!("s{i}"), rev, rec, occ, pa));
                }
            }
        }
    }
    for s in suggest(&all) {
        let name = s.strategy.name().to_lowercase();
        assert!(!name.contains("acqui"), "{s:?}");
    }
}

#[test]
fn one_time_buyers_with_bgnbd_p_alive_of_one_are_judged_by_recency() {
    let seg = |name: &str, rev: f64, rec: f64, occ: f64, pa: Option<f64>| SegmentFigures {
        segment: name.into(),
        customers: 10,
        revenue: rev,
        mean_recency_days: rec,
        mean_occasions: occ,
        mean_p_alive: pa,
        mean_clv: None,
    };
    // Overall mean recency (10 + 20 + 300) / 3 = 110.
    let s = suggest(&[
        seg("Champions", 800.0, 10.0, 6.0, Some(0.95)),
        seg("New", 150.0, 20.0, 1.0, Some(1.0)),
        // BG/NBD gives one-time buyers P(alive) = 1: long gone all the same.
        seg("Hibernating", 50.0, 300.0, 1.05, Some(1.0)),
    ]);
    assert_eq!(s[1].strategy, Strategy::Convert);
    assert!(!s[1].lapsed);
    assert!(s[2].lapsed, "{:?}", s[2]);
    assert_eq!(s[2].strategy, Strategy::LetGo);
    assert!(
        s[2].reasons.iter().any(|r| r.contains("BG/NBD")),
        "{:?}",
        s[2].reasons
    );
    let f = seg("x", 1.0, 1.0, 1.4, Some(1.0));
    assert!(f.mostly_one_time_buyers());
    assert!(!seg("y", 1.0, 1.0, 1.5, Some(1.0)).mostly_one_time_buyers());
}

#[test]
fn cross_tab_counts_and_row_shares() {
    let a = ["x", "x", "x", "y"];
    let b = ["p", "q", "q", "q"];
    let t = cross_tab(&a, &b).unwrap();
    assert_eq!(t.rows, vec!["x", "y"]);
    assert_eq!(t.cols, vec!["p", "q"]);
    assert_eq!(t.counts, vec![vec![1, 2], vec![0, 1]]);
    assert!((t.row_shares[0][1] - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(t.col_totals, vec![1, 3]);
    assert!(cross_tab(&a, &b[..2]).is_err());
}

/// Labels that point into a few names (as the page passes them) and owned copies of the same
/// text (more distinct addresses than the address memo keeps) give the same table.
#[test]
fn cross_tab_by_address_and_by_text_agree() {
    let names = ["Champions", "Lost", "At risk"];
    let tiers = ["Gold", "Lead"];
    let a: Vec<&str> = (0..500).map(|i| names[(i * 7 + i / 3) % 3]).collect();
    let b: Vec<&str> = (0..500).map(|i| tiers[(i * 5 + i / 7) % 2]).collect();
    let owned_a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
    let owned_b: Vec<String> = b.iter().map(|s| s.to_string()).collect();
    let by_address = cross_tab(&a, &b).unwrap();
    let by_text = cross_tab(&owned_a, &owned_b).unwrap();
    assert_eq!(by_address, by_text);
    assert_eq!(by_address.row_totals.iter().sum::<u64>(), 500);
    // A label of the same text at another address joins the same row.
    let mut mixed = a.clone();
    mixed[3] = owned_a[3].as_str();
    assert_eq!(cross_tab(&mixed, &b).unwrap(), by_text);
}

#[test]
fn segment_figures_sum_revenue_and_average_the_optional_inputs() {
    use crm::domain::segmentation::strategy::segment_figures;
    use std::collections::HashMap;
    let s = summary(vec![
        rec("a", "2024-03-01", 2, 100.0),
        rec("b", "2024-03-05", 4, 300.0),
        rec("c", "2024-01-01", 1, 10.0),
    ]);
    let r = RfmParams {
        bins: 2,
        ..Default::default()
    }
    .fit(&s)
    .unwrap();
    let labels = vec!["X".to_string(), "X".to_string(), "Y".to_string()];
    let pa: HashMap<String, f64> = [("a".to_string(), 0.5), ("b".to_string(), 0.9)].into();
    let f = segment_figures(&r, &labels, Some(&pa), None);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].customers, 2);
    assert!(close(f[0].revenue, 400.0));
    // Analysis date 2024-03-06: recency 5 and 1 days → mean 3; occasions (2 + 4)/2 = 3.
    assert!(close(f[0].mean_recency_days, 3.0));
    assert!(close(f[0].mean_occasions, 3.0));
    assert!(close(f[0].mean_p_alive.unwrap(), 0.7));
    assert_eq!(f[1].mean_p_alive, None);
    assert_eq!(f[1].mean_clv, None);
}

#[test]
fn tiers_from_values_alone_match_the_ranked_assignment_with_ties() {
    // Many ties (most customers spend the same) and a tie across the Heavy boundary.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let v: Vec<(String, f64)> = (0..997)
        .map(|i| {
            let value = if rng.gen_bool(0.6) {
                0.0
            } else {
                f64::from(rng.gen_range(1..40u32))
            };
            (format!("c{i}"), value)
        })
        .collect();
    let values: Vec<f64> = v.iter().map(|p| p.1).collect();
    for scheme in [TierScheme::pyramid(), TierScheme::heavy_medium_light()] {
        let ranked = scheme.assign(&v).unwrap();
        let fast = scheme.assign_values(&values, |i| v[i].0.clone()).unwrap();
        let names: Vec<&str> = fast
            .tier_of
            .iter()
            .map(|&t| scheme.tiers[usize::from(t)].name.as_str())
            .collect();
        let want: Vec<&str> = ranked.assignments.iter().map(|a| a.tier.as_str()).collect();
        assert_eq!(names, want, "{}", scheme.name);
        assert_eq!(fast.summary, ranked.summary, "{}", scheme.name);
    }
    let bad = [1.0, f64::NAN];
    assert!(TierScheme::pyramid()
        .assign_values(&bad, |i| format!("customer {}", i + 1))
        .is_err_and(|e| e.to_string().contains("customer 2")));
}

#[test]
fn choose_k_refines_only_the_chosen_k_and_gives_the_same_model_as_fit() {
    // More rows than the restarts' sample, so the full-data refinement runs.
    let (x, _) = blobs(11, 400);
    let mut kmeans = KMeansParams {
        seed: 3,
        init_sample: 300,
        ..Default::default()
    };
    let r = choose_k(
        &x,
        &KSearchParams {
            k_min: 2,
            k_max: 5,
            kmeans: kmeans.clone(),
            silhouette_sample: 500,
        },
    )
    .unwrap();
    assert_eq!(r.best_k, 3);
    kmeans.k = r.best_k;
    let direct = kmeans.fit(&x).unwrap();
    assert_eq!(r.best, direct);
    // The curve's inertia is over all rows; more clusters never cost more here.
    assert!(r
        .curve
        .windows(2)
        .all(|w| w[1].inertia <= w[0].inertia + 1e-9));
    assert!((r.curve[1].inertia - direct.inertia).abs() / direct.inertia < 0.01);
}

#[test]
fn indexed_segment_figures_match_the_labelled_ones() {
    use crm::domain::segmentation::strategy::{segment_figures, segment_figures_indexed};
    use std::collections::HashMap;
    let s = summary(vec![
        rec("a", "2024-03-01", 2, 100.0),
        rec("b", "2024-03-05", 4, 300.0),
        rec("c", "2024-01-01", 1, 10.0),
    ]);
    let r = RfmParams {
        bins: 2,
        ..Default::default()
    }
    .fit(&s)
    .unwrap();
    let labels = vec!["X".to_string(), "Y".to_string(), "X".to_string()];
    let pa = [0.5, 0.9, 0.1];
    let pa_map: HashMap<String, f64> = ["a", "b", "c"]
        .iter()
        .map(|s| s.to_string())
        .zip(pa)
        .collect();
    let want = segment_figures(&r, &labels, Some(&pa_map), None);
    let names = vec!["X".to_string(), "Y".to_string(), "Unused".to_string()];
    let got = segment_figures_indexed(&r, &[0, 1, 0], &names, Some(&pa), None);
    assert_eq!(got, want);
}
