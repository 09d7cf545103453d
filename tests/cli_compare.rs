//! `crm compare` end to end: the CDNOW sample log with a holdout, and a summary file by fit.

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::crm;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn cdnow() -> String {
    format!("{FIXTURES}/cdnow_sample_transactions.txt")
}

/// The CDNOW sample: customer in column 1, date in 3, amount in 5; the published split.
const CDNOW: [&str; 8] = [
    "--customer",
    "1",
    "--date",
    "3",
    "--amount",
    "5",
    "--calibration-end",
    "1997-09-30",
];

#[test]
fn compare_json_on_the_cdnow_log_reports_every_model_with_holdout_accuracy() {
    let file = cdnow();
    let mut args = vec!["compare", file.as_str(), "--json"];
    args.extend(CDNOW);
    let (ok, out, err) = crm(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_customers"], 2357);
    assert_eq!(v["calibration_end"], "1997-09-30");
    let models = v["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["BG/NBD", "MBG/NBD", "Pareto/NBD"]);
    for m in models {
        let ll = m["log_likelihood"].as_f64().unwrap();
        let k = m["k"].as_f64().unwrap();
        assert!((m["aic"].as_f64().unwrap() - (2.0 * k - 2.0 * ll)).abs() < 1e-6);
        assert!(m["holdout"]["customer_mae"].as_f64().unwrap() > 0.0);
        assert!(m["holdout"]["tracking_mape"].as_f64().unwrap() >= 0.0);
        assert!(m["lr_vs_nbd"]["p_value"].as_f64().unwrap() < 0.01);
    }
    // The published BG/NBD calibration fit on CDNOW (Fader, Hardie & Lee 2005): LL −9582.4.
    let bg = models[0]["log_likelihood"].as_f64().unwrap();
    assert!((bg - -9582.43).abs() < 0.5, "{bg}");
    assert!(v["recommendation"]["model"].is_string());
    assert!(!v["recommendation"]["headline"].as_str().unwrap().is_empty());
}

#[test]
fn compare_text_prints_the_table_the_frequency_rows_and_the_recommendation() {
    let file = cdnow();
    let mut args = vec!["compare", file.as_str()];
    args.extend(CDNOW);
    let (ok, out, err) = crm(&args);
    assert!(ok, "{err}");
    assert!(out.contains("up to 1997-09-30 (calibration)"), "{out}");
    for name in ["BG/NBD", "MBG/NBD", "Pareto/NBD"] {
        assert!(out.contains(&format!(
            "{name}: holdout purchases by calibration frequency"
        )));
    }
    assert!(out.contains("Recommendation: "), "{out}");
    assert!(out.contains("do not nest"), "{out}");
    println!("{out}");
}

#[test]
fn compare_on_a_summary_file_ranks_by_fit_and_says_there_is_no_holdout() {
    let file = format!("{FIXTURES}/cdnow_customers_summary_with_transactions.csv");
    let (ok, out, err) = crm(&["compare", &file]);
    assert!(ok, "{err}");
    assert!(out.contains("(no holdout)"), "{out}");
    assert!(out.contains("ranked by fit (BIC) only"), "{out}");
    assert!(
        out.contains("-9594.97"),
        "the Pareto/NBD fit of `crm fit`: {out}"
    );
}
