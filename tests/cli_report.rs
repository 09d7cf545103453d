//! `crm report` end to end on the built-in sample (2000 customers, seed 42, with its survey):
//! the workbook is read back with calamine and its sheets, tables and methods appendix checked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::PathBuf;
use support::{crm, sample_files};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("crm-cli-report-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        _ => String::new(),
    }
}

#[test]
fn report_writes_every_sheet_with_its_table_and_the_methods_in_plain_words() {
    let files = sample_files(2000, 42);
    let d = dir();
    let (tx, sv, out) = (
        d.join("sample-transactions.csv"),
        d.join("sample-survey.csv"),
        d.join("report.xlsx"),
    );
    std::fs::write(&tx, &files.transactions).unwrap();
    std::fs::write(&sv, &files.survey).unwrap();
    let (ok, _, err) = crm(&[
        "report",
        tx.to_str().unwrap(),
        "--survey",
        sv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("2000 customers"), "{err}");
    let bytes = std::fs::read(&out).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        crm::io::report::SHEETS.map(String::from).to_vec()
    );
    let mut sheet = |name: &str| -> Vec<Vec<String>> {
        wb.worksheet_range(name)
            .unwrap()
            .rows()
            .map(|r| r.iter().map(text).collect())
            .collect()
    };
    let overview = sheet("Overview");
    let row = |rows: &[Vec<String>], label: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r.first().is_some_and(|c| c.starts_with(label)))
            .unwrap_or_else(|| panic!("no row {label}"))
            .clone()
    };
    assert_eq!(row(&overview, "Customers")[1], "2000");
    assert_eq!(row(&overview, "Active customers")[1], "1670");
    let equity: f64 = row(&overview, "Customer equity")[1].parse().unwrap();
    assert!((equity - 58103.46).abs() < 0.5, "{equity}");
    let nps: f64 = row(&overview, "Net Promoter Score")[1].parse().unwrap();
    // The page shows the same: 321 promoters and 98 detractors among 661 answers.
    assert!((nps - 100.0 * (321.0 - 98.0) / 661.0).abs() < 0.01, "{nps}");
    let actions = sheet("Actions");
    assert!((4..=6).contains(&actions.len()), "{actions:?}");
    assert!(actions[1][5].starts_with("#/segments?segment="));
    let customers = sheet("Customers");
    assert_eq!(customers.len(), 2001);
    assert_eq!(customers[0][8], "CLV");
    let segments = sheet("Segments");
    let counted: f64 = segments[1..]
        .iter()
        .map(|r| r[2].parse::<f64>().unwrap())
        .sum();
    assert_eq!(counted, 2000.0);
    assert!(sheet("Model")[0][0].starts_with("BG/NBD fitted on 2,000 customers"));
    assert_eq!(
        row(&sheet("Satisfaction"), "NPS")[1]
            .parse::<f64>()
            .unwrap()
            .round(),
        34.0
    );
    let settings = sheet("Settings");
    assert_eq!(row(&settings, "Purchase model")[1], "BG/NBD");
    assert_eq!(row(&settings, "Discount rate per month")[1], "0.01");
    let quality = sheet("Data quality");
    assert!(row(&quality, "Rows read")[1].parse::<f64>().unwrap() > 2000.0);
    let methods = sheet("Methods");
    assert_eq!(methods[0], ["Topic", "In plain words", "Formula"]);
    assert_eq!(methods.len(), 1 + crm::io::report::METHODS.len());
    let clv = row(&methods, "Customer lifetime value");
    assert!(clv[1].contains("discounted"));
    assert!(clv[2].contains("(1 + d)^m"));
    assert!(row(&methods, "NPS and CSAT")[2].contains("1.96"));
}

#[test]
fn report_without_a_survey_says_why_satisfaction_is_left_out() {
    let files = sample_files(200, 7);
    let d = dir();
    let (tx, out) = (d.join("small.csv"), d.join("small.xlsx"));
    std::fs::write(&tx, &files.transactions).unwrap();
    let (ok, _, err) = crm(&["report", tx.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("No NPS: no survey is loaded"), "{err}");
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(std::fs::read(&out).unwrap())).unwrap();
    let sat = wb.worksheet_range("Satisfaction").unwrap();
    assert!(text(sat.get((0, 0)).unwrap()).starts_with("No survey is loaded"));
}

#[test]
fn report_money_cells_carry_the_chosen_symbol_and_stay_numbers() {
    let files = sample_files(300, 7);
    let d = dir();
    let (tx, out) = (d.join("numfmt-tx.csv"), d.join("numfmt.xlsx"));
    std::fs::write(&tx, &files.transactions).unwrap();
    let (ok, _, err) = crm(&[
        "report",
        tx.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--currency",
        "€",
        "--decimal",
        ",",
        "--thousands",
        ".",
        "--symbol",
        "after-space",
    ]);
    assert!(ok, "{err}");
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(std::fs::read(&out).unwrap())).unwrap();
    let sheet = wb.worksheet_range("Customers").unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(text).collect();
    let col = header.iter().position(|h| h == "Total spend").unwrap() as u32;
    assert!(
        matches!(sheet.get_value((1, col)), Some(Data::Float(_))),
        "an amount stays a number"
    );
    let styles = wb.worksheet_style("Customers").unwrap();
    let code = styles
        .get((1, col))
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.clone());
    assert_eq!(code.as_deref(), Some("#,##0.00\\ \"€\""));
    // The action sentences follow the decimal comma too.
    let actions = wb.worksheet_range("Actions").unwrap();
    let why: Vec<String> = actions.rows().skip(1).map(|r| text(&r[1])).collect();
    assert!(
        why.iter().any(|w| w.contains("\u{a0}€")),
        "an action sentence names an amount in euros: {why:?}"
    );
    // A preset name that does not exist is refused, naming the flag.
    let (ok, _, err) = crm(&[
        "report",
        tx.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--number-format",
        "xx",
    ]);
    assert!(!ok && err.contains("--number-format"), "{err}");
}
