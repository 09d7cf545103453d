//! Grouped summaries (a count column) and BG/BB through `crm fit` and `crm predict`: a grouped
//! file is read as that many identical customers, exactly (the same fit as the ungrouped file,
//! totals multiplied by the counts), bad rows are refused with their positions, and
//! `--model bgbb` reproduces the published donations fit.

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
mod support;

use support::crm;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fit_json(args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = crm(args);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The reference summary grouped by its text (frequency, recency, T, monetary_value) with a
/// `weights` column, written to a temporary file.
fn grouped_reference_summary() -> (std::path::PathBuf, usize) {
    let text =
        std::fs::read_to_string(format!("{FIXTURES}/reference/synth_1e4_summary.csv")).unwrap();
    let mut groups: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<String> = line.split(',').skip(1).map(str::to_string).collect();
        *groups.entry(f).or_insert(0) += 1;
    }
    let mut out = String::from("frequency,recency,T,monetary_value,weights\n");
    for (k, n) in &groups {
        out.push_str(&format!("{},{n}\n", k.join(",")));
    }
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_grouped");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("synth_grouped.csv");
    std::fs::write(&path, out).unwrap();
    (path, groups.len())
}

#[test]
fn a_grouped_summary_fits_exactly_like_the_ungrouped_one() {
    let (grouped, n_groups) = grouped_reference_summary();
    let plain = format!("{FIXTURES}/reference/synth_1e4_summary.csv");
    for model in ["bgnbd", "pnbd"] {
        let a = fit_json(&["fit", &plain, "--model", model, "--json"]);
        let b = fit_json(&["fit", grouped.to_str().unwrap(), "--model", model, "--json"]);
        assert_eq!(b["n_customers"], 10_000);
        assert_eq!(a["n_groups"], b["n_groups"]);
        let (la, lb) = (
            a["log_likelihood"].as_f64().unwrap(),
            b["log_likelihood"].as_f64().unwrap(),
        );
        assert!((la - lb).abs() < 1e-9 * la.abs(), "{model}: {la} vs {lb}");
        for (name, va) in a["params"].as_object().unwrap() {
            let (va, vb) = (va.as_f64().unwrap(), b["params"][name].as_f64().unwrap());
            assert!(
                (va - vb).abs() < 1e-9 * va.abs(),
                "{model} {name}: {va} vs {vb}"
            );
        }
    }
    assert!(n_groups < 10_000);
}

#[test]
fn predictions_on_a_grouped_summary_keep_counts_and_multiply_totals() {
    let (grouped, n_groups) = grouped_reference_summary();
    let plain = format!("{FIXTURES}/reference/synth_1e4_summary.csv");
    let args = |f: &str| {
        vec![
            "predict".to_string(),
            f.to_string(),
            "--model".into(),
            "bgnbd".into(),
        ]
    };
    let run = |f: &str| {
        let a = args(f);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (ok, out, err) = crm(&a);
        assert!(ok, "{err}");
        (out, err)
    };
    let (plain_out, _) = run(&plain);
    let (out, err) = run(grouped.to_str().unwrap());
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id,x,t_x,T,count,p_alive,expected_purchases,expected_spend,clv")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), n_groups);
    let count: f64 = rows.iter().map(|r| r[3]).sum();
    let equity: f64 = rows.iter().map(|r| r[3] * r[7]).sum();
    let plain_equity: f64 = plain_out
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(count, 10_000.0);
    assert!(
        (equity - plain_equity).abs() < 1e-6 * plain_equity,
        "{equity} vs {plain_equity}"
    );
    assert!(err.contains("10000 customers"), "{err}");
    assert!(
        err.contains(&format!("customer equity {plain_equity:.2}")),
        "{err}"
    );
}

#[test]
fn bad_rows_of_a_grouped_file_are_refused_with_their_position() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_grouped");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad_grouped.csv");
    std::fs::write(&path, "x,t_x,T,count\n1,2,5,4\n1,7,5,2\n2,3,5,-1\n").unwrap();
    let (ok, _, err) = crm(&["fit", path.to_str().unwrap(), "--model", "bgnbd"]);
    assert!(!ok);
    assert!(err.contains("2 of 3 rows could not be used"), "{err}");
    assert!(
        err.contains(
            "row 2 (line 3), column \"t_x\": expected a recency at most T (5), found \"7\""
        ),
        "{err}"
    );
}

#[test]
fn bgbb_on_the_grouped_donations_reproduces_the_published_fit() {
    let file = format!("{FIXTURES}/bgbb/donations.csv");
    let v = fit_json(&["fit", &file, "--model", "bgbb", "--json"]);
    assert_eq!(v["n_customers"], 11_104);
    for (name, want) in [
        ("alpha", 1.204),
        ("beta", 0.750),
        ("gamma", 0.657),
        ("delta", 2.783),
    ] {
        let got = v["params"][name].as_f64().unwrap();
        assert!((got - want).abs() < 6e-4, "{name}: {got}");
    }
    assert!((v["log_likelihood"].as_f64().unwrap() + 33_225.6).abs() < 0.05);
    let (ok, out, err) = crm(&[
        "predict",
        &file,
        "--model",
        "bgbb",
        "--horizon",
        "5",
        "--discount",
        "0.1",
    ]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("x,t_x,n,count,p_alive,expected_transactions,dert")
    );
    assert_eq!(lines.count(), 22);
    assert!(err.contains("totals over 11104 customers"), "{err}");
}

#[test]
fn bgbb_from_a_transaction_log_cuts_it_into_periods() {
    let file = format!("{FIXTURES}/reference/synth_1e4_transactions.csv");
    let v = fit_json(&[
        "fit", &file, "--model", "bgbb", "--period", "month", "--json",
    ]);
    assert_eq!(v["n_customers"], 10_000);
    assert_eq!(v["converged"], true, "{v}");
    assert!(
        v["input"].as_str().unwrap().contains("cut into months"),
        "{v}"
    );
    let (ok, _, err) = crm(&["fit", &file, "--model", "bgbb", "--period", "fortnight"]);
    assert!(!ok && err.contains("--period fortnight"), "{err}");
}
