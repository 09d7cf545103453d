//! `crm compare --period`: BG/BB joins the comparison on the CDNOW sample log, scored on the
//! holdout only (no AIC/BIC: its likelihood is on period data) and not ranked by fit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

const LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/cdnow_sample_transactions.txt"
);

/// `crm compare` on the CDNOW log (published split) with `extra` arguments.
fn compare(extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "compare",
        LOG,
        "--customer",
        "1",
        "--date",
        "3",
        "--amount",
        "5",
        "--calibration-end",
        "1997-09-30",
    ];
    args.extend(extra);
    support::crm(&args)
}

#[test]
fn compare_with_a_period_adds_bgbb_scored_on_the_holdout_only() {
    let (ok, out, err) = compare(&["--period", "month", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let models = v["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["BG/NBD", "MBG/NBD", "Pareto/NBD", "BG/BB"]);
    let bb = &models[3];
    assert!(bb["aic"].is_null() && bb["bic"].is_null());
    assert!(bb["log_likelihood"].as_f64().unwrap() < 0.0);
    let mae = bb["holdout"]["customer_mae"].as_f64().unwrap();
    assert!(mae > 0.0 && mae < 2.0, "{mae}");
    // 39 weeks of holdout after 1997-09-30: October 1997 to June 1998, 9 months.
    let by_x = bb["holdout"]["by_frequency"].as_array().unwrap();
    assert!(!by_x.is_empty());
    assert_ne!(v["recommendation"]["model"], "BG/BB");
    let notes = v["notes"].as_array().unwrap();
    assert!(notes
        .iter()
        .any(|n| n.as_str().unwrap().contains("not on the same data")));
}

#[test]
fn compare_text_marks_the_bgbb_likelihood_as_other_data_and_a_bad_period_is_refused() {
    let (ok, out, err) = compare(&["--period", "quarter"]);
    assert!(ok, "{err}");
    assert!(out.contains("BG/BB*"), "{out}");
    assert!(out.contains("log-likelihood on period data (different data)"));
    // The calibration period lies within 1997: cut into years nobody has a later period, and
    // the comparison says why BG/BB is missing instead of dropping it silently.
    let (ok, out, err) = compare(&["--period", "year"]);
    assert!(ok, "{err}");
    assert!(!out.contains("BG/BB*"), "{out}");
    assert!(
        out.contains("Note: BG/BB was not compared: not enough data"),
        "{out}"
    );
    let (ok, _, err) = compare(&["--period", "fortnight"]);
    assert!(!ok);
    assert!(err.contains("--period fortnight"), "{err}");
}
