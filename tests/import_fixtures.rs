//! Every import fixture read end to end, with its exact expected result or error.
//! The fixtures and what each checks are listed in tests/fixtures/import/README.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use crm::domain::customers::{summarize, SummaryOptions, Transaction};
use crm::io::import::cohort::read_cohorts;
use crm::io::import::summary_file::{is_summary, load_summary};
use crm::io::import::survey::read_survey;
use crm::io::import::{
    guess_mapping, read_table, transactions, ColumnType, DateFormat, DecimalSep, Delimiter,
    Encoding, ImportError, ImportOptions, IssueKind, ParsedTable, ValidationReport,
};

fn bytes(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn table(name: &str) -> ParsedTable {
    table_with(name, &ImportOptions::default())
}

fn table_with(name: &str, opts: &ImportOptions) -> ParsedTable {
    read_table(&bytes(name), name, opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn txs(name: &str) -> (ParsedTable, Vec<Transaction>, ValidationReport) {
    let t = table(name);
    let m = guess_mapping(&t);
    let (v, r) =
        transactions(&t, &m, &ImportOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    (t, v, r)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Checks delimiter, header, row count, usable transactions and the first one.
#[allow(clippy::too_many_arguments)]
fn expect(
    name: &str,
    delimiter: Option<Delimiter>,
    has_header: bool,
    rows: u64,
    used: u64,
    first: (&str, NaiveDate, f64),
) -> (ParsedTable, Vec<Transaction>, ValidationReport) {
    let (t, v, r) = txs(name);
    assert_eq!(t.detection.delimiter, delimiter, "{name}: delimiter");
    assert_eq!(t.detection.has_header, has_header, "{name}: header");
    assert_eq!(t.row_count(), rows, "{name}: rows");
    assert_eq!(r.rows_used, used, "{name}: used rows\n{}", r.to_text());
    let f = &v[0];
    assert_eq!(f.customer_id, first.0, "{name}: first id");
    assert_eq!(f.date, first.1, "{name}: first date");
    assert!(
        (f.amount - first.2).abs() < 1e-9,
        "{name}: first amount {}",
        f.amount
    );
    (t, v, r)
}

#[test]
fn comma_csv_with_header() {
    let (t, _, _) = expect(
        "comma_header.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("1001", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.detection.date_format, Some(DateFormat::Ymd));
    assert_eq!(t.detection.encoding, Some(Encoding::Utf8));
    let kinds: Vec<ColumnType> = t.detection.columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ColumnType::Integer, ColumnType::Date, ColumnType::Decimal]
    );
}

#[test]
fn german_export_semicolon_decimal_comma_dotted_dates() {
    let (t, v, _) = expect(
        "german_semicolon.csv",
        Some(Delimiter::Semicolon),
        true,
        3,
        3,
        ("4711", d(2024, 3, 5), 1234.56),
    );
    assert_eq!(t.detection.decimal, DecimalSep::Comma);
    assert_eq!(t.detection.date_format, Some(DateFormat::Dmy));
    assert_eq!(v[0].quantity, Some(2.0));
}

#[test]
fn tab_separated() {
    let (_, v, _) = expect(
        "tab.tsv",
        Some(Delimiter::Tab),
        true,
        3,
        3,
        ("A1", d(2024, 3, 5), 12.5),
    );
    assert_eq!(v[1].channel.as_deref(), Some("store"));
}

#[test]
fn pipe_separated() {
    expect(
        "pipe.txt",
        Some(Delimiter::Pipe),
        true,
        2,
        2,
        ("C-1", d(2024, 3, 5), 12.5),
    );
}

#[test]
fn fixed_width_dump_without_header() {
    let (t, _, _) = expect(
        "fixed_width_noheader.txt",
        Some(Delimiter::Whitespace),
        false,
        4,
        4,
        ("1001", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.headers, ["column 1", "column 2", "column 3"]);
    assert!(t.detection.columns.iter().all(|c| c.non_empty == 4));
}

#[test]
fn csv_without_header_maps_by_type() {
    let (t, _, _) = expect(
        "no_header.csv",
        Some(Delimiter::Comma),
        false,
        3,
        3,
        ("1001", d(2024, 3, 5), 12.5),
    );
    let m = guess_mapping(&t);
    assert_eq!((m.customer, m.date, m.amount), (Some(0), Some(1), Some(2)));
    assert!(m.layout.starts_with('n'));
}

#[test]
fn utf8_byte_order_mark_is_stripped() {
    let (t, _, _) = expect(
        "utf8_bom.csv",
        Some(Delimiter::Comma),
        true,
        2,
        2,
        ("1001", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.detection.encoding, Some(Encoding::Utf8Bom));
    assert_eq!(t.headers[0], "customer_id");
}

#[test]
fn windows_1252_names_and_pounds() {
    let (t, v, _) = expect(
        "windows1252.csv",
        Some(Delimiter::Semicolon),
        true,
        2,
        2,
        ("José Müller", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.detection.encoding, Some(Encoding::Windows1252));
    assert_eq!(v[1].customer_id, "Zoë Brontë");
    assert_eq!(t.detection.date_format, Some(DateFormat::Dmy));
}

#[test]
fn quoted_fields_with_delimiters_and_newlines() {
    let (t, v, _) = expect(
        "quoted_multiline.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("1001", d(2024, 3, 5), 12.5),
    );
    assert_eq!(v[0].product.as_deref(), Some("Tea, green"));
    assert_eq!(v[1].product.as_deref(), Some("Mug\nwith \"logo\""));
    // The third row starts on line 5: the second spans lines 3 and 4.
    assert_eq!(t.line(2), Some(5));
}

#[test]
fn crlf_line_ends() {
    let (t, v, _) = expect(
        "crlf.csv",
        Some(Delimiter::Comma),
        true,
        2,
        2,
        ("1001", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.headers[2], "amount");
    assert!((v[1].amount - 7.0).abs() < 1e-12);
}

#[test]
fn us_month_first_dates_and_dollars() {
    let (t, v, _) = expect(
        "us_dates_dollars.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("501", d(2024, 3, 5), 1234.5),
    );
    assert_eq!(t.detection.date_format, Some(DateFormat::Mdy));
    assert_eq!(v[2].date, d(2024, 12, 24));
    assert!((v[2].amount - 2000.0).abs() < 1e-9);
}

#[test]
fn ambiguous_day_first_resolved_by_a_day_above_twelve() {
    let (t, v, _) = expect(
        "day_first_ambiguous.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("1", d(2024, 2, 1), 10.0),
    );
    assert_eq!(t.detection.date_format, Some(DateFormat::Dmy));
    assert_eq!(v[1].date, d(2024, 4, 3));
    assert!(
        t.detection
            .notes
            .iter()
            .any(|n| n.contains("row 3 has \"13/04/2024\"")),
        "{:?}",
        t.detection.notes
    );
}

#[test]
fn compact_yyyymmdd_dates() {
    let (t, _, _) = expect(
        "yyyymmdd.csv",
        Some(Delimiter::Comma),
        true,
        2,
        2,
        ("1", d(2024, 3, 5), 10.0),
    );
    assert_eq!(t.detection.date_format, Some(DateFormat::Compact));
}

#[test]
fn datetimes_keep_the_day() {
    let (t, v, _) = expect(
        "datetimes.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("1", d(2024, 3, 5), 10.0),
    );
    assert_eq!(t.detection.columns[1].kind, ColumnType::DateTime);
    assert_eq!(v[1].date, d(2024, 3, 5));
}

#[test]
fn negatives_in_parentheses_and_trailing_minus() {
    let (_, v, r) = expect(
        "parentheses_negative.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("1", d(2024, 3, 5), 100.0),
    );
    assert!((v[1].amount + 25.0).abs() < 1e-12);
    assert!((v[2].amount + 12.5).abs() < 1e-12);
    assert_eq!(r.negative_amounts, 2);
}

#[test]
fn returns_as_negative_amounts_are_netted() {
    let (_, v, r) = expect(
        "returns_negative.csv",
        Some(Delimiter::Comma),
        true,
        4,
        4,
        ("1", d(2024, 3, 5), 100.0),
    );
    assert_eq!(r.negative_amounts, 1);
    let s = summarize(&v, &SummaryOptions::default()).unwrap();
    let c1 = s.customers.iter().find(|c| c.id == "1").unwrap();
    // The first day is fully returned, so 2024-03-12 is the first occasion.
    assert_eq!(c1.x, 0.0);
    assert_eq!(s.returns_rows, 1);
}

#[test]
fn ids_with_leading_zeros_stay_text() {
    let (t, v, _) = expect(
        "leading_zero_ids.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("007", d(2024, 3, 5), 10.0),
    );
    assert_eq!(t.detection.columns[0].kind, ColumnType::Text);
    assert_eq!(v[1].customer_id, "0042");
}

#[test]
fn currency_codes_before_and_after() {
    let (_, v, _) = expect(
        "currency_codes.csv",
        Some(Delimiter::Comma),
        true,
        3,
        3,
        ("1", d(2024, 3, 5), 12.0),
    );
    assert!((v[1].amount - 15.5).abs() < 1e-12);
    assert!((v[2].amount - 1000.0).abs() < 1e-12);
}

#[test]
fn french_headers() {
    let (t, v, _) = expect(
        "french.csv",
        Some(Delimiter::Semicolon),
        true,
        2,
        2,
        ("C01", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.detection.decimal, DecimalSep::Comma);
    assert!((v[1].amount - 1234.0).abs() < 1e-12);
}

#[test]
fn spanish_headers() {
    expect(
        "spanish.csv",
        Some(Delimiter::Comma),
        true,
        2,
        2,
        ("E1", d(2024, 3, 5), 12.5),
    );
}

#[test]
fn italian_and_dutch_headers() {
    let (_, v, _) = expect(
        "italian_dutch.csv",
        Some(Delimiter::Semicolon),
        true,
        2,
        2,
        ("I1", d(2024, 3, 5), 12.5),
    );
    assert_eq!(v[1].quantity, Some(2.0));
}

#[test]
fn customer_summary_file() {
    let t = table("customer_summary.csv");
    assert!(is_summary(&t));
    let (s, r) = load_summary(&t, crm::domain::customers::TimeUnit::Week, 100).unwrap();
    assert_eq!(r.rows_used, 3);
    assert_eq!(s.customers[0].id, "0");
    assert!((s.customers[0].t - 29.57142857).abs() < 1e-9);
    assert!((s.customers[1].monetary - 21.35).abs() < 1e-12);
}

#[test]
fn wide_survey() {
    let s = read_survey(&table("survey.csv")).unwrap();
    assert_eq!(s.id_column.as_deref(), Some("respondent"));
    assert_eq!(s.date_column.as_deref(), Some("date"));
    let names: Vec<&str> = s.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["nps", "csat", "ces"]);
    assert_eq!(s.items[2].values, [Some(6.0), None, Some(7.0), Some(5.0)]);
    assert_eq!(s.dates.unwrap()[0], Some(d(2024, 3, 5)));
}

#[test]
fn cohorts_as_columns_with_a_period_column() {
    let c = read_cohorts(&table("cohort.csv")).unwrap();
    assert_eq!(c.cohorts.len(), 2);
    assert_eq!(c.cohorts[0].name, "2022");
    assert_eq!(c.cohorts[0].active, [1000.0, 631.0, 468.0, 382.0]);
    assert_eq!(c.cohorts[1].active, [800.0, 520.0, 380.0]);
}

#[test]
fn cohort_as_a_single_column() {
    let t = table("cohort_single_column.csv");
    assert!(!t.detection.has_header);
    let c = read_cohorts(&t).unwrap();
    assert_eq!(c.cohorts[0].active, [1000.0, 869.0, 743.0, 653.0, 593.0]);
}

#[test]
fn xlsx_first_sheet_with_excel_serial_dates() {
    let (t, v, _) = expect(
        "two_sheets.xlsx",
        None,
        true,
        3,
        3,
        ("007", d(2024, 3, 5), 12.5),
    );
    assert_eq!(t.detection.sheets, ["Orders", "Returns"]);
    assert_eq!(t.detection.sheet.as_deref(), Some("Orders"));
    assert_eq!(v[2].date, d(2024, 3, 20));
}

#[test]
fn xlsx_second_sheet_by_name() {
    let opts = ImportOptions {
        sheet: Some("returns".into()),
        ..Default::default()
    };
    let t = table_with("two_sheets.xlsx", &opts);
    let (v, _) = transactions(&t, &guess_mapping(&t), &opts).unwrap();
    assert_eq!(v.len(), 1);
    assert!((v[0].amount + 12.5).abs() < 1e-12);
    let missing = ImportOptions {
        sheet: Some("Nope".into()),
        ..Default::default()
    };
    let e = read_table(&bytes("two_sheets.xlsx"), "two_sheets.xlsx", &missing).unwrap_err();
    assert_eq!(
        e.to_string(),
        "there is no sheet \"Nope\"; the sheets are: Orders, Returns"
    );
}

#[test]
fn ods_sheet() {
    let (t, _, _) = expect("sheet.ods", None, true, 2, 2, ("F1", d(2024, 3, 5), 12.5));
    assert_eq!(t.detection.sheet.as_deref(), Some("Ventes"));
}

#[test]
fn ragged_rows_are_reported_and_short_ones_rejected() {
    let (t, _, r) = expect(
        "ragged.csv",
        Some(Delimiter::Comma),
        true,
        3,
        2,
        ("1", d(2024, 3, 5), 10.0),
    );
    assert_eq!(t.detection.ragged_rows, [2, 3]);
    assert_eq!(r.rejected_rows, [2]);
    let texts: Vec<String> = r.issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "row 2 (line 3), column \"amount\": expected 3 fields, found \"2 fields\" (row kept)",
            "row 2 (line 3), column \"amount\": expected an amount, found \"\"",
            "row 3 (line 4), column \"amount\": expected 3 fields, found \"4 fields\" (row kept)",
        ]
    );
}

#[test]
fn bad_dates_are_located() {
    let (_, _, r) = expect(
        "bad_dates.csv",
        Some(Delimiter::Comma),
        true,
        4,
        2,
        ("1", d(2024, 3, 5), 10.0),
    );
    assert_eq!(r.rejected_rows, [2, 3]);
    assert_eq!(
        r.issues[0].to_string(),
        "row 2 (line 3), column \"date\": expected a date (year-month-day), found \"2024-02-30\""
    );
    assert_eq!(r.issues[1].kind, IssueKind::BadDate);
}

#[test]
fn text_in_amounts_is_located_and_fails_when_asked() {
    let (_, _, r) = expect(
        "text_amounts.csv",
        Some(Delimiter::Comma),
        true,
        4,
        2,
        ("1", d(2024, 3, 5), 10.0),
    );
    assert_eq!(
        r.issues[0].to_string(),
        "row 2 (line 3), column \"amount\": expected a number, found \"n/a\""
    );
    assert_eq!(r.issues[1].kind, IssueKind::Missing);
    assert!(r.check(crm::io::import::BadRows::Skip).is_ok());
    let e = r.check(crm::io::import::BadRows::Fail).unwrap_err();
    assert_eq!(
        e.to_string(),
        "2 of 4 rows could not be used (first: row 2 (line 3), column \"amount\": expected a number, found \"n/a\"); fix them or skip bad rows"
    );
}

#[test]
fn empty_binary_and_header_only_files_are_refused() {
    let err = |n: &str| read_table(&bytes(n), n, &ImportOptions::default()).unwrap_err();
    assert_eq!(err("empty.csv"), ImportError::EmptyFile);
    assert_eq!(err("binary.png"), ImportError::BinaryFile);
    assert_eq!(
        err("header_only.csv").to_string(),
        "the file has a header (customer_id, date, amount) but no data rows"
    );
}

#[test]
fn overrides_win_over_detection() {
    let no_header = ImportOptions {
        has_header: Some(false),
        delimiter: Some(Delimiter::Comma),
        ..Default::default()
    };
    let t = table_with("day_first_ambiguous.csv", &no_header);
    assert_eq!(t.row_count(), 4);
    assert_eq!(t.headers[0], "column 1");
    let month_first = ImportOptions {
        date_format: Some(DateFormat::Mdy),
        ..Default::default()
    };
    let t = table_with("day_first_ambiguous.csv", &month_first);
    assert_eq!(t.detection.date_format, Some(DateFormat::Mdy));
    let (v, r) = transactions(&t, &guess_mapping(&t), &month_first).unwrap();
    assert_eq!(v[0].date, d(2024, 1, 2));
    assert_eq!(
        r.issues[0].to_string(),
        "row 3 (line 4), column \"date\": expected a date (month/day/year), found \"13/04/2024\""
    );
    let decimal_comma = ImportOptions {
        decimal: Some(DecimalSep::Comma),
        ..Default::default()
    };
    let t = table_with("comma_header.csv", &decimal_comma);
    assert_eq!(t.detection.columns[2].kind, ColumnType::Text);
}

#[test]
fn mapping_layout_signature_is_stable_across_files_of_one_layout() {
    let a = guess_mapping(&table("comma_header.csv"));
    let b = guess_mapping(&table("utf8_bom.csv"));
    assert_eq!(a.layout, b.layout);
    assert_ne!(a.layout, guess_mapping(&table("tab.tsv")).layout);
}

// ---------------------------------------------------------------------------------------------
// Reading in slices gives exactly the whole-file result.

type Whole = (
    Vec<Transaction>,
    ValidationReport,
    crm::io::import::Detection,
    crm::io::import::Mapping,
    Vec<String>,
    crm::io::import::Preview,
    u64,
);

fn read_whole(bytes: &[u8], name: &str) -> Result<Whole, ImportError> {
    let opts = ImportOptions::default();
    let t = read_table(bytes, name, &opts)?;
    let m = guess_mapping(&t);
    let (v, r) = transactions(&t, &m, &opts)?;
    Ok((
        v,
        r,
        t.detection.clone(),
        m,
        t.headers.clone(),
        t.preview(20),
        t.row_count(),
    ))
}

fn read_sliced(
    bytes: &[u8],
    name: &str,
    sizes: &mut dyn FnMut() -> usize,
) -> Result<Whole, ImportError> {
    let mut p = crm::io::import::TransactionParser::new(
        name,
        Some(bytes.len() as u64),
        None,
        ImportOptions::default(),
    )
    .detect_bytes(4096);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (a, b) = rest.split_at(sizes().clamp(1, rest.len()));
        p.feed(a)?;
        rest = b;
    }
    let r = p.finish()?;
    Ok((
        r.transactions,
        r.report,
        r.detection,
        r.mapping,
        r.headers,
        r.preview,
        r.rows,
    ))
}

/// The file with its data lines repeated until detection sees only a prefix of it
/// (more than 20,000 rows), so later rows go through the slice-by-slice path.
fn expanded(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if !out.ends_with(b"\n") {
        out.extend_from_slice(if bytes.windows(2).any(|w| w == b"\r\n") {
            b"\r\n"
        } else {
            b"\n"
        });
    }
    let body_start = out.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
    let body = out.get(body_start..).unwrap_or(&[]).to_vec();
    let lines = body.iter().filter(|&&b| b == b'\n').count().max(1);
    for _ in 0..(30_000 / lines + 1) {
        out.extend_from_slice(&body);
    }
    out
}

fn utf16(bytes: &[u8], big_endian: bool) -> Vec<u8> {
    let (text, _) = crm::io::import::decode::decode(bytes, None);
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn every_fixture_read_in_slices_equals_the_whole_file_read() {
    let dir = format!("{}/tests/fixtures/import", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".md") && !n.ends_with(".py"))
        .collect();
    names.sort();
    assert!(names.len() >= 34, "{names:?}");
    let mut seed = 12345u64;
    let mut random = move |max: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % max) as usize + 1
    };
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for n in &names {
        let b = bytes(n);
        cases.push((n.clone(), b.clone()));
        let text = matches!(
            crm::io::import::decode::sniff(&b),
            crm::io::import::decode::Kind::Text
        );
        if text && !b.iter().all(u8::is_ascii_whitespace) {
            cases.push((format!("{n} (expanded)"), expanded(&b)));
        }
    }
    for src in ["windows1252.csv", "utf8_bom.csv", "quoted_multiline.csv"] {
        let b = expanded(&bytes(src));
        cases.push((format!("{src} as UTF-16LE"), utf16(&b, false)));
        cases.push((format!("{src} as UTF-16BE"), utf16(&b, true)));
    }
    // Multi-byte UTF-8 characters everywhere, so slices end inside them.
    let mut multi = String::from("Kundennummer;Datum;Betrag;Straße\r\n");
    for i in 0..22_000 {
        multi.push_str(&format!(
            "K{};{:02}.03.2024;{},50;\"Müß €\r\n{}\"\r\n",
            i % 901,
            i % 28 + 1,
            i % 500,
            "日本"
        ));
    }
    cases.push(("multibyte.csv".into(), multi.into_bytes()));
    let mut checked_beyond_detection = 0;
    for (name, b) in &cases {
        let want = read_whole(b, name.split(' ').next().unwrap_or(name));
        if let Ok(w) = &want {
            if w.6 > 20_000 {
                checked_beyond_detection += 1;
            }
        }
        for (label, max) in [("1..=3", 3u64), ("1..=64", 64), ("1..=70000", 70_000)] {
            if max <= 3 && b.len() > 200_000 {
                continue; // byte by byte on the small files only (it is slow in debug builds)
            }
            let got = read_sliced(b, name.split(' ').next().unwrap_or(name), &mut || {
                random(max)
            });
            assert!(got == want, "{name}, slices of {label}: differs from the whole-file read\nwhole: {:?}\nsliced: {:?}",
                want.as_ref().map(|w| (&w.1, &w.2)).map_err(ToString::to_string),
                got.as_ref().map(|w| (&w.1, &w.2)).map_err(ToString::to_string));
        }
    }
    // Files long enough that detection saw only a prefix and later rows came slice by slice.
    assert!(checked_beyond_detection >= 30, "{checked_beyond_detection}");
}

/// Benchmark (not a test): the worker's slice-by-slice import of /tmp/bench_1000000.csv
/// (made by `node tests/bench/import_chromium.mjs`), in 8 MiB slices, natively.
/// `cargo test --release --test import_fixtures bench_import -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_import_in_slices() {
    use crm::domain::customers::SummaryOptions;
    use crm::io::import::{ImportJob, ImportSettings};
    let path = std::env::var("BENCH_FILE").unwrap_or_else(|_| "/tmp/bench_1000000.csv".into());
    let Ok(data) = std::fs::read(&path) else {
        eprintln!("{path} is missing: run node tests/bench/import_chromium.mjs first");
        return;
    };
    let mut times = Vec::new();
    for _ in 0..3 {
        let t0 = std::time::Instant::now();
        let mut job = ImportJob::new(
            "bench.csv",
            data.len() as u64,
            ImportSettings::default(),
            SummaryOptions::default(),
        );
        for c in data.chunks(8 << 20) {
            job.feed(c).unwrap();
        }
        let t1 = t0.elapsed();
        let imp = job.finish(&mut |_, _| {}).unwrap();
        let t2 = t0.elapsed();
        let (rows, customers) = (
            imp.rows,
            imp.summary.as_ref().map_or(0, |s| s.customers.len()),
        );
        // The result crosses back to the page with bincode (gloo-worker's codec).
        let out = crm::worker::tasks::Output::Imported(Box::new(imp));
        let wire = bincode::serialize(&out).unwrap();
        let back: crm::worker::tasks::Output = bincode::deserialize(&wire).unwrap();
        let t3 = t0.elapsed();
        if times.is_empty() {
            assert_eq!(back, out);
        }
        eprintln!(
            "{rows} rows, {customers} customers: parse + validate {:.3} s, finish + summary {:.3} s, result through bincode ({} bytes) {:.3} s",
            t1.as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            wire.len(),
            (t3 - t2).as_secs_f64()
        );
        times.push(t2.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    eprintln!("median {:.3} s (parse, validate, summarise)", times[1]);
}
