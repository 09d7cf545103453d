//! `crm simulate` end to end: the same seed gives the same bytes, the log reads back through
//! `crm fit` with parameters near the truth, sBG writes survivor counts, bad arguments are
//! named.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::crm;

const BGNBD: [&str; 8] = [
    "simulate",
    "--model",
    "bgnbd",
    "--customers",
    "3000",
    "--params",
    "r=0.243,alpha=4.414,a=0.793,b=2.426",
    "--seed",
];

#[test]
fn the_same_seed_writes_the_same_bytes_and_the_log_fits_back() {
    let dir = std::env::temp_dir().join(format!("crm-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let (a, b, c) = (file("a.csv"), file("b.csv"), file("c.csv"));
    for (seed, out) in [("7", &a), ("7", &b), ("8", &c)] {
        let mut args = BGNBD.to_vec();
        args.extend([seed, "-o", out.as_str()]);
        let (ok, _, err) = crm(&args);
        assert!(ok, "{err}");
        assert!(err.contains("3000 customers"), "{err}");
    }
    let read = |p: &str| std::fs::read(p).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c));
    assert!(String::from_utf8(read(&a))
        .unwrap()
        .starts_with("customer_id,date,amount\nC00001,2024-"));
    // 39 weeks from 2024-01-01: observation ends 2024-09-29.
    let (ok, out, err) = crm(&[
        "fit",
        &a,
        "--model",
        "bgnbd",
        "--end",
        "2024-09-29",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let param = |n: &str| {
        (
            v["params"][n].as_f64().unwrap(),
            v["std_errors"][n].as_f64().unwrap(),
        )
    };
    for (n, truth) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        let (est, se) = param(n);
        assert!(
            (est - truth).abs() < 3.5 * se,
            "{n}: {est} ± {se} vs {truth}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sbg_writes_survivor_counts_and_bad_arguments_are_named() {
    let (ok, out, err) = crm(&[
        "simulate",
        "--model",
        "sbg",
        "--customers",
        "1000",
        "--params",
        "alpha=0.7,beta=1.2",
        "--periods",
        "8",
        "-o",
        "-",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "period,active");
    assert_eq!(lines[1], "0,1000");
    assert_eq!(lines.len(), 10);
    for (args, want) in [
        (
            vec!["--model", "bgnbd", "--params", "r=0.2,alpha=4,a=1"],
            "b is missing",
        ),
        (vec!["--model", "xyz", "--params", "r=1"], "unknown model"),
        (
            vec![
                "--model",
                "pnbd",
                "--params",
                "r=0.5,alpha=10,s=0.6,beta=11",
                "--spend",
                "p=1,q=2",
            ],
            "needs p, q and gamma",
        ),
        (
            vec![
                "--model",
                "bgnbd",
                "--params",
                "r=0.2,alpha=4,a=1,b=2",
                "--periods",
                "4",
            ],
            "observed for only 4",
        ),
    ] {
        let mut a = vec!["simulate"];
        a.extend(args);
        a.extend(["-o", "-"]);
        let (ok, _, err) = crm(&a);
        assert!(!ok);
        assert!(err.contains(want), "{err}");
    }
}
