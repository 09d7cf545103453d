//! `crm segment` and `crm satisfaction` end to end on small files.

mod support;

use std::path::PathBuf;
use support::crm;

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crm-cli-seg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap_or_default();
    p
}

fn log() -> String {
    let mut s = String::from("customer_id,date,amount\n");
    for i in 0..40u32 {
        let visits = 1 + i % 5;
        for v in 0..visits {
            s.push_str(&format!(
                "{:03},2024-{:02}-{:02},{}.50\n",
                i,
                1 + (i + v) % 12,
                1 + v,
                10 + i
            ));
        }
    }
    s
}

#[test]
fn segment_rfm_writes_scores_and_segments_and_a_summary() {
    let f = temp_file("log.csv", &log());
    let (ok, out, err) = crm(&["segment", f.to_str().unwrap(), "--method", "rfm"]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id,recency_days,frequency,monetary,r,f,m,segment")
    );
    assert_eq!(lines.count(), 40);
    assert!(out.contains("\n000,"), "ids keep leading zeros");
    assert!(err.contains("revenue share"));
    assert!(err.contains("map: R x F"));
}

#[test]
fn segment_kmeans_and_tiers_write_csv_to_a_file() {
    let f = temp_file("log2.csv", &log());
    let o = f.with_extension("out.csv");
    let (ok, _, err) = crm(&[
        "segment",
        f.to_str().unwrap(),
        "--method",
        "kmeans",
        "--k",
        "3",
        "--seed",
        "7",
        "--output",
        o.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let csv = std::fs::read_to_string(&o).unwrap();
    assert!(csv.starts_with("id,recency_days,frequency,monetary,r,f,m,cluster,segment\n"));
    assert!(err.contains("seed=7"));
    let (ok, out, err) = crm(&[
        "segment",
        f.to_str().unwrap(),
        "--method",
        "tiers",
        "--monetary",
        "mean",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("Platinum"));
    let (ok, _, err) = crm(&["segment", f.to_str().unwrap(), "--method", "nope"]);
    assert!(!ok);
    assert!(err.contains("--method"));
}

#[test]
fn satisfaction_detects_columns_and_prints_text_or_json() {
    let mut s = String::from("id,likely_to_recommend,satisfaction,effort\n");
    for i in 0..40 {
        s.push_str(&format!("{i},{},{},{}\n", i % 11, 1 + i % 5, 1 + i % 7));
    }
    let f = temp_file("survey.csv", &s);
    let (ok, out, err) = crm(&["satisfaction", f.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("NPS (likely_to_recommend)"), "{out}");
    assert!(out.contains("CSAT (satisfaction"));
    assert!(out.contains("CES (effort"));
    let (ok, out, err) = crm(&[
        "satisfaction",
        f.to_str().unwrap(),
        "--json",
        "--nps",
        "likely_to_recommend",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["nps"][1]["n"], 40);
    assert!(v["csat"][1]["ci_low"].is_number());
}
