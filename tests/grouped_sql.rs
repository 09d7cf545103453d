//! The README's summary SQL and the second `GROUP BY x, t_x, T` run on a real engine (DuckDB's
//! Python package, through `tests/grouped_sql.py`) on the reference log, compared with
//! `crm summarize` (every customer) and with the ungrouped fit (the same parameters and
//! log-likelihood from the grouped file as from the log).
//!
//! Python with `duckdb` is found through `CRM_PYTHON` (set by `.ci/dev.sh test`, which installs
//! it into a virtual environment) or as `python3` on PATH. Without it the test says so on stderr
//! and passes, unless `CRM_REQUIRE_DUCKDB` is set (as `.ci/dev.sh` does): then it fails.

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const END: &str = "2020-09-29";

fn python_with_duckdb() -> Option<String> {
    let candidates = std::env::var("CRM_PYTHON")
        .ok()
        .into_iter()
        .chain([String::from("python3")]);
    for py in candidates {
        let ok = Command::new(&py)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py);
        }
    }
    None
}

fn crm(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "crm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn duckdb_summary_and_grouped_summary_match_crm() {
    let Some(py) = python_with_duckdb() else {
        assert!(
            std::env::var_os("CRM_REQUIRE_DUCKDB").is_none(),
            "CRM_REQUIRE_DUCKDB is set but no Python with duckdb was found (CRM_PYTHON, python3)"
        );
        eprintln!("grouped_sql: SKIPPED: no Python with duckdb (set CRM_PYTHON; .ci/dev.sh test installs it)");
        return;
    };
    let log = format!("{ROOT}/tests/fixtures/reference/synth_1e4_transactions.csv");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("grouped_sql");
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(&py)
        .arg(format!("{ROOT}/tests/grouped_sql.py"))
        .arg(format!("{ROOT}/README.md"))
        .arg(&log)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&out.stdout).trim());

    // 1. The DuckDB summary against `crm summarize`, customer by customer.
    let ours = crm(&["summarize", &log, "--time-unit", "week", "--end", END]);
    let ours: HashMap<String, Vec<f64>> = ours
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let v = f[1..5].iter().map(|v| v.parse().unwrap()).collect();
            (f[0].to_string(), v)
        })
        .collect();
    let duck = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut n = 0;
    for l in duck.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let want = ours
            .get(f[0])
            .unwrap_or_else(|| panic!("{} not in crm", f[0]));
        for (i, (a, b)) in f[1..5].iter().zip(want).enumerate() {
            let a: f64 = a.parse().unwrap();
            // crm summarize prints 6 decimals.
            assert!(
                (a - b).abs() < 1e-6 * (1.0 + b.abs()),
                "{} col {i}: {a} vs {b}",
                f[0]
            );
        }
        n += 1;
    }
    assert_eq!(n, 10_000);
    assert_eq!(ours.len(), 10_000);

    // 2. The grouped summary fits exactly like the log.
    let grouped = dir.join("grouped.csv");
    for model in ["bgnbd", "pnbd"] {
        let a: serde_json::Value = serde_json::from_str(&crm(&[
            "fit",
            &log,
            "--model",
            model,
            "--time-unit",
            "week",
            "--end",
            END,
            "--json",
        ]))
        .unwrap();
        let b: serde_json::Value = serde_json::from_str(&crm(&[
            "fit",
            grouped.to_str().unwrap(),
            "--model",
            model,
            "--json",
        ]))
        .unwrap();
        assert_eq!(a["n_customers"], b["n_customers"]);
        assert_eq!(a["n_groups"], b["n_groups"], "{model}");
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
}
