//! `crm summarize` end to end: the summary CSV on stdout or in a file, the report on stderr,
//! column overrides by name and position, and plain-words errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Output;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `crm summarize` with `args`.
fn crm(args: &[&str]) -> Output {
    support::crm_output(&[&["summarize"], args].concat())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn writes_the_summary_csv_and_reports_on_stderr() {
    let out = crm(&[&fixture("comma_header.csv"), "--end", "2024-03-26"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "id,x,t_x,T,monetary,occasions,total_spend\n\
         1001,1,2.142857,3,30.25,2,42.75\n\
         1002,0,0,2.857143,0,1,7\n"
    );
    let err = text(&out.stderr);
    assert!(err.contains("comma separated, with a header"), "{err}");
    assert!(err.contains("3 rows read, 3 used, 0 rejected"), "{err}");
}

#[test]
fn calibration_split_adds_holdout_columns() {
    let out = crm(&[
        &fixture("comma_header.csv"),
        "--time-unit",
        "day",
        "--calibration-end",
        "2024-03-10",
        "--end",
        "2024-03-31",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "id,x,t_x,T,monetary,occasions,total_spend,holdout_x,holdout_spend\n\
         1001,0,0,5,0,1,12.5,1,30.25\n\
         1002,0,0,4,0,1,7,0,0\n"
    );
}

#[test]
fn columns_by_position_for_a_headerless_file_and_output_to_a_file() {
    let dir = std::env::temp_dir().join(format!("crm-cli-summarize-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.csv");
    let out = crm(&[
        &fixture("fixed_width_noheader.txt"),
        "--customer",
        "1",
        "--date",
        "2",
        "--amount",
        "3",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let csv = std::fs::read_to_string(&path).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.starts_with("id,x,t_x,T,monetary,occasions,total_spend\n1001,1,"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn german_export_with_named_columns() {
    let out = crm(&[
        &fixture("german_semicolon.csv"),
        "--customer",
        "Kundennummer",
        "--date",
        "datum",
        "--amount",
        "BETRAG",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\n4711,1,2.142857,2.142857,30.25,2,1264.81\n"));
    assert!(text(&out.stderr).contains("semicolon separated"));
}

#[test]
fn precomputed_summary_is_passed_through() {
    let out = crm(&[&fixture("customer_summary.csv")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\n1,1,3.428571,36.428571,21.35,2,42.7\n"));
    assert!(text(&out.stderr).contains("precomputed customer summary"));
}

#[test]
fn bad_rows_are_reported_and_fail_under_strict() {
    let out = crm(&[&fixture("text_amounts.csv")]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("row 2 (line 3), column \"amount\": expected a number, found \"n/a\""),
        "{err}"
    );
    let strict = crm(&[&fixture("text_amounts.csv"), "--strict"]);
    assert!(!strict.status.success());
    assert!(text(&strict.stderr).contains("2 of 4 rows could not be used"));
}

#[test]
fn errors_read_in_plain_words() {
    let out = crm(&[&fixture("binary.png")]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("binary.png: the file is not text and not a spreadsheet"));
    let out = crm(&[&fixture("comma_header.csv"), "--amount", "price"]);
    assert!(text(&out.stderr).contains("column \"price\" not found"));
    let out = crm(&[&fixture("comma_header.csv"), "--returns", "maybe"]);
    assert!(text(&out.stderr).contains("--returns maybe: expected net, drop or keep"));
}

#[test]
fn sheet_is_chosen_by_name() {
    let out = crm(&[
        &fixture("two_sheets.xlsx"),
        "--sheet",
        "Orders",
        "--returns",
        "keep",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\n007,1,2.142857,"));
}

#[test]
fn reading_in_slices_gives_the_same_summary() {
    for f in [
        "german_semicolon.csv",
        "quoted_multiline.csv",
        "text_amounts.csv",
    ] {
        let whole = crm(&[&fixture(f), "--whole"]);
        let sliced = crm(&[&fixture(f), "--chunked"]);
        assert!(sliced.status.success(), "{f}: {}", text(&sliced.stderr));
        assert_eq!(text(&whole.stdout), text(&sliced.stdout), "{f}");
    }
}

/// The customer summary the worker's import task gives for `file` (default settings).
fn worker_summary(file: &str) -> crm::domain::customers::CustomerSummary {
    use crm::worker::tasks::{run, Output, Task};
    let task = Task::Import {
        dataset: String::new(),
        file_name: file.into(),
        bytes: std::fs::read(fixture(file)).unwrap(),
        settings: Default::default(),
        summary: Default::default(),
    };
    match run(task, &mut |_, _| {}).unwrap() {
        Output::Imported(imp) => imp.summary.expect("a summary"),
        other => panic!("not an import: {other:?}"),
    }
}

#[test]
fn crm_and_the_worker_give_the_same_summary_of_the_same_file() {
    for f in [
        "comma_header.csv",
        "german_semicolon.csv",
        "text_amounts.csv",
        "us_dates_dollars.csv",
        "returns_negative.csv",
        "customer_summary.csv",
        "two_sheets.xlsx",
    ] {
        let want = worker_summary(f);
        for chunked in [false, true] {
            let mut args = vec![fixture(f)];
            if chunked {
                args.push("--chunked".into());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = crm(&args);
            assert!(out.status.success(), "{f}: {}", text(&out.stderr));
            let stdout = text(&out.stdout);
            let rows: Vec<Vec<&str>> = stdout
                .lines()
                .skip(1)
                .map(|l| l.split(',').collect())
                .collect();
            assert_eq!(rows.len(), want.customers.len(), "{f} (chunked: {chunked})");
            for (row, c) in rows.iter().zip(&want.customers) {
                let num = |i: usize| row[i].parse::<f64>().unwrap();
                assert_eq!(row[0], c.id, "{f}");
                for (got, want) in [
                    (num(1), c.x),
                    (num(2), c.t_x),
                    (num(3), c.t),
                    (num(4), c.monetary),
                    (num(6), c.total_spend),
                ] {
                    assert!((got - want).abs() < 1e-5, "{f} {}: {got} vs {want}", c.id);
                }
                assert_eq!(row[5], c.occasions.to_string(), "{f}");
            }
        }
    }
}
