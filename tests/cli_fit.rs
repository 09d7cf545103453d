//! `crm fit` and `crm predict` end to end, on the reference fixtures.

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::crm;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[test]
fn fit_json_on_a_transaction_log_reports_the_lifetimes_optimum() {
    let file = format!("{FIXTURES}/reference/synth_1e4_transactions.csv");
    let (ok, out, err) = crm(&[
        "fit",
        &file,
        "--model",
        "bgnbd",
        "--json",
        "--end",
        "2020-09-29",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["model"], "bgnbd");
    assert_eq!(v["converged"], true);
    assert_eq!(v["n_customers"], 10000);
    let r = v["params"]["r"].as_f64().unwrap();
    assert!((r - 0.2524166721033525).abs() < 1e-5, "{r}");
    let ll = v["log_likelihood"].as_f64().unwrap();
    assert!((ll - -40891.47032755596).abs() < 1e-3);
    assert!(v["std_errors"]["alpha"].as_f64().unwrap() > 0.0);
}

#[test]
fn fit_text_on_a_summary_file_prints_parameters_and_convergence() {
    let file = format!("{FIXTURES}/cdnow_customers_summary_with_transactions.csv");
    let (ok, out, err) = crm(&["fit", &file, "--model", "pnbd"]);
    assert!(ok, "{err}");
    assert!(out.contains("Pareto/NBD on 2357 customers"), "{out}");
    assert!(out.contains("log-likelihood: -9594.97"), "{out}");
    assert!(out.contains("converged: yes"), "{out}");
}

#[test]
fn fit_gamma_gamma_and_sbg() {
    let file = format!("{FIXTURES}/cdnow_customers_summary_with_transactions.csv");
    let (ok, out, _) = crm(&["fit", &file, "--model", "gg", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["params"]["p"].as_f64().unwrap() - 6.25).abs() < 0.01);
    assert_eq!(v["n_customers"], 946);

    let dir = std::env::temp_dir().join(format!("crm-cli-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cohort = dir.join("cohort.csv");
    std::fs::write(
        &cohort,
        "period,active\n0,1000\n1,869\n2,743\n3,653\n4,593\n5,551\n6,517\n7,491\n",
    )
    .unwrap();
    let (ok, out, err) = crm(&["fit", cohort.to_str().unwrap(), "--model", "sbg", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["params"]["alpha"].as_f64().unwrap() - 0.668).abs() < 1e-3);
    assert!((v["params"]["beta"].as_f64().unwrap() - 3.806).abs() < 5e-3);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn predict_writes_one_row_per_customer_matching_lifetimes() {
    let file = format!("{FIXTURES}/reference/synth_1e4_summary.csv");
    let (ok, out, err) = crm(&[
        "predict",
        &file,
        "--model",
        "bgnbd",
        "--horizon",
        "52",
        "--months",
        "12",
        "--discount",
        "0.01",
        "--margin",
        "1.0",
    ]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 10_000);
    let first = &rows[0];
    assert_eq!(first[0], "0");
    let clv: f64 = first[7].parse().unwrap();
    assert!(
        ((clv - 21.78421260809075) / 21.78421260809075).abs() < 1e-4,
        "{clv}"
    );
    let pa: f64 = first[4].parse().unwrap();
    assert!((pa - 0.3597938578399457).abs() < 1e-4);
}

#[test]
fn unknown_model_and_missing_file_fail_with_a_message() {
    let (ok, _, err) = crm(&["fit", "nope.csv", "--model", "xyz"]);
    assert!(!ok);
    assert!(err.contains("--model"), "{err}");
    let (ok, _, err) = crm(&["fit", "does-not-exist.csv", "--model", "bgnbd"]);
    assert!(!ok);
    assert!(err.contains("does-not-exist.csv"), "{err}");
}

#[test]
fn predict_segment_and_summarize_never_write_a_live_formula() {
    // The reference log with three customers renamed to ids a spreadsheet would run.
    let src = std::fs::read_to_string(format!("{FIXTURES}/reference/synth_1e4_transactions.csv"))
        .unwrap();
    let hostile = [
        "=HYPERLINK(\"http://example.invalid\",\"x\")",
        "+1+cmd|' /C calc'!A0",
        "@SUM(1+1)",
    ];
    let mut text = String::new();
    for (i, line) in src.lines().enumerate() {
        let (id, rest) = line.split_once(',').unwrap();
        let id = match (i, id) {
            (0, _) => id.to_string(),
            (_, "0") => format!("\"{}\"", hostile[0].replace('"', "\"\"")),
            (_, "1") => hostile[1].to_string(),
            (_, "2") => hostile[2].to_string(),
            _ => id.to_string(),
        };
        text.push_str(&format!("{id},{rest}\n"));
    }
    let dir = std::env::temp_dir().join(format!("crm-formulas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("log.csv");
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    for args in [
        vec!["predict", file, "--model", "bgnbd", "--end", "2020-09-29"],
        vec!["summarize", file, "--end", "2020-09-29"],
        vec!["segment", file, "--method", "rfm"],
    ] {
        let (ok, out, err) = crm(&args);
        assert!(ok, "{args:?}: {err}");
        for line in out.lines() {
            let first = line.split(',').next().unwrap_or("").trim_start_matches('"');
            assert!(
                !matches!(first.chars().next(), Some('=' | '+' | '@')),
                "{args:?} wrote a live formula: {line}"
            );
        }
        for h in hostile {
            let quoted = format!("'{}", &h[..4]);
            assert!(
                out.contains(&quoted),
                "{args:?}: {h} is not in the output as text"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn predict_with_an_interval_adds_lower_and_upper_columns_around_each_figure() {
    let file = format!("{FIXTURES}/cdnow_customers_summary_with_transactions.csv");
    let (ok, out, err) = crm(&["predict", &file, "--interval", "0.9", "--draws", "100"]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv,p_alive_lower,p_alive_upper,expected_purchases_lower,expected_purchases_upper,clv_lower,clv_upper")
    );
    let mut inside = 0usize;
    let mut rows = 0usize;
    for l in lines {
        let v: Vec<f64> = l.split(',').skip(1).map(|f| f.parse().unwrap()).collect();
        rows += 1;
        assert!(v[7] <= v[8] && v[9] <= v[10] && v[11] <= v[12], "{l}");
        if (v[7] - 1e-12..=v[8] + 1e-12).contains(&v[3])
            && (v[9]..=v[10]).contains(&v[4])
            && (v[11]..=v[12]).contains(&v[6])
        {
            inside += 1;
        }
    }
    assert_eq!(rows, 2357);
    assert!(inside * 100 >= rows * 95, "{inside} of {rows} inside");
    assert!(err.contains("customer equity"), "{err}");
}

#[test]
fn fit_prints_the_customer_equity_interval() {
    let file = format!("{FIXTURES}/cdnow_customers_summary_with_transactions.csv");
    let (ok, out, err) = crm(&["fit", &file, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = &v["equity"];
    let (lo, est, hi) = (
        e["lower"].as_f64().unwrap(),
        e["estimate"].as_f64().unwrap(),
        e["upper"].as_f64().unwrap(),
    );
    assert!(lo < est && est < hi, "{e}");
}
