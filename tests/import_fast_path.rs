//! Pins the import's fast path against the general one. A transaction log read in slices
//! ([`TransactionParser`], what `crm summarize` and the web worker use) splits plain slices (no
//! quote, no byte-order mark, CR only before LF) with its own byte scan; anything else, and the
//! whole-file read ([`read_table`] + [`transactions`]), goes through the csv crate. On
//! real-shaped files (quotes, CRLF, a byte-order mark, ragged rows, bad dates, blank and empty
//! lines, duplicate days, negative and zero amounts, slices ending inside a row or a quoted
//! field) both must give the same transactions, the same report (rows left out, with their
//! reasons and line numbers) and the same detection, and the whole pipeline the same summary.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use crm::domain::customers::{SummaryOptions, Transaction};
use crm::io::import::{
    guess_mapping, import_bytes, read_table, transactions, ImportJob, ImportOptions,
    ImportSettings, TransactionParser, ValidationReport,
};

/// What a read gives: transactions, report (rows left out with their reasons and lines),
/// detection and column names.
type Read = (
    Vec<Transaction>,
    ValidationReport,
    crm::io::import::Detection,
    Vec<String>,
);

/// A log of `rows` rows: mostly plain, with every unusual shape sprinkled in at fixed rows.
fn log(rows: u32, eol: &str, quote_some: bool) -> Vec<u8> {
    let mut s = format!("customer_id,date,amount{eol}");
    for i in 0..rows {
        let c = (i * 7919) % 997;
        let day = i % 28 + 1;
        let month = (i / 400) % 12 + 1;
        let amount = match i % 13 {
            0 => "-4.50".to_string(),
            1 => "0".to_string(),
            _ => format!("{}.{:02}", i % 90, i % 100),
        };
        let row = match i % 1009 {
            5 => format!("C{c},2024-02-30,1.00"),           // bad date
            17 => format!("C{c},2024-{month:02}-{day:02}"), // too short
            29 => format!("C{c},2024-{month:02}-{day:02},3,extra"), // too wide, kept
            41 => format!(",2024-{month:02}-{day:02},3"),   // no customer
            53 => format!("C{c},2024-{month:02}-{day:02},n/a"), // bad number
            67 => "   ,  , ".to_string(),                   // blank cells only
            71 => String::new(),                            // empty line
            83 => format!("  C{c} ,\t2024-{month:02}-{day:02} , {amount} "), // padded
            97 if quote_some => format!("\"C{c}\",2024-{month:02}-{day:02},\"{amount}\""),
            101 if quote_some => format!("\"C{c}, Jr\",2024-{month:02}-{day:02},1"),
            103 if quote_some => format!("\"C{c}\nsecond line\",2024-{month:02}-{day:02},2"),
            _ => format!("C{c},2024-{month:02}-{day:02},{amount}"),
        };
        s.push_str(&row);
        s.push_str(eol);
    }
    s.into_bytes()
}

/// The whole-file read: the general reader on every row.
fn whole(bytes: &[u8]) -> Read {
    let opts = ImportOptions::default();
    let table = read_table(bytes, "log.csv", &opts).unwrap();
    let (txs, report) = transactions(&table, &guess_mapping(&table), &opts).unwrap();
    (txs, report, table.detection.clone(), table.headers.clone())
}

/// The sliced read: detection on the first 1,000 bytes, then slices of the given sizes.
fn sliced(bytes: &[u8], sizes: &[usize]) -> Read {
    let opts = ImportOptions::default();
    let mut p =
        TransactionParser::new("log.csv", Some(bytes.len() as u64), None, opts).detect_bytes(1000);
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(i)
            .or(sizes.last())
            .copied()
            .unwrap_or(1)
            .clamp(1, rest.len());
        let (a, b) = rest.split_at(n);
        p.feed(a).unwrap();
        rest = b;
        i += 1;
    }
    let r = p.finish().unwrap();
    (r.transactions, r.report, r.detection, r.headers)
}

const SIZES: [&[usize]; 5] = [
    &[1 << 30],
    &[7001],
    &[4096, 13],
    &[65_537],
    &[1, 2, 3, 50_000],
];

#[test]
fn plain_lf_slices_read_as_the_general_reader_reads_them() {
    let bytes = log(30_000, "\n", false);
    let want = whole(&bytes);
    for sizes in SIZES {
        assert_eq!(sliced(&bytes, sizes), want, "{sizes:?}");
    }
}

#[test]
fn cells_padded_with_one_kind_of_blank_are_trimmed_as_the_general_reader_trims_them() {
    // The plain-slice splitter skips its padding tests on text without a space, a tab or a
    // form feed: each of them alone must still be found (a slice of only tab padding, say).
    for blank in [" ", "\t", "\x0c", "\t\x0c"] {
        for eol in ["\n", "\r\n"] {
            let mut s = format!("customer_id,date,amount{eol}");
            // Past the 20,000 rows detection reads: the rest go through the splitter.
            for i in 0..40_000u32 {
                let (c, day, amount) = ((i * 7919) % 997, i % 28 + 1, i % 90);
                s.push_str(&match i % 5_000 {
                    7 => format!("{blank}C{c}{blank},2024-01-{day:02},{blank}{amount}.5{eol}"),
                    8 => format!("C{c},{blank}2024-01-{day:02},{amount}.5{blank}{eol}"),
                    9 => format!("{blank},{blank},{blank}{eol}"),
                    _ => format!("C{c},2024-01-{day:02},{amount}.5{eol}"),
                });
            }
            let bytes = s.into_bytes();
            let want = whole(&bytes);
            // Padded rows read (trimmed), rows of blank cells skipped.
            assert_eq!(
                (want.0.len(), want.1.rows_rejected),
                (39_992, 0),
                "{blank:?}"
            );
            for sizes in SIZES {
                assert_eq!(sliced(&bytes, sizes), want, "{blank:?} {eol:?} {sizes:?}");
            }
        }
    }
}

#[test]
fn crlf_slices_keep_the_general_readers_line_numbers() {
    // The csv crate counts a CRLF record's line feed with the record after it: the report's
    // lines must be the ones the whole read gives, slice after slice.
    let bytes = log(30_000, "\r\n", false);
    let want = whole(&bytes);
    for sizes in SIZES {
        assert_eq!(sliced(&bytes, sizes), want, "{sizes:?}");
    }
}

#[test]
fn slices_with_quotes_fall_back_and_read_the_same() {
    for eol in ["\n", "\r\n"] {
        let bytes = log(30_000, eol, true);
        let want = whole(&bytes);
        for sizes in SIZES {
            assert_eq!(sliced(&bytes, sizes), want, "{eol:?} {sizes:?}");
        }
    }
}

#[test]
fn odd_line_ends_and_marks_fall_back_and_read_the_same() {
    let mut lone_cr = log(5_000, "\n", false);
    lone_cr.extend_from_slice(b"C1,2024-03-01,5\rC2,2024-03-02,6\n\r\nC3,2024-03-03,7\r");
    let mut mark = b"\xEF\xBB\xBF".to_vec();
    mark.extend_from_slice(&log(5_000, "\r\n", false));
    let mut inner_mark = log(5_000, "\n", false);
    inner_mark.extend_from_slice("\u{feff}C9,2024-03-04,8\n".as_bytes());
    let mut no_final_eol = log(5_000, "\n", false);
    no_final_eol.extend_from_slice(b"C5,2024-03-05,9");
    let mut tabs = log(5_000, "\n", false);
    for b in tabs.iter_mut() {
        if *b == b',' {
            *b = b'\t';
        }
    }
    let mut semis = log(5_000, "\r\n", false);
    for b in semis.iter_mut() {
        if *b == b',' {
            *b = b';';
        }
    }
    for (name, bytes) in [
        ("lone CR", lone_cr),
        ("mark", mark),
        ("inner mark", inner_mark),
        ("no final line end", no_final_eol),
        ("tabs", tabs),
        ("semicolons", semis),
    ] {
        let want = whole(&bytes);
        for sizes in SIZES {
            assert_eq!(sliced(&bytes, sizes), want, "{name} {sizes:?}");
        }
    }
}

#[test]
fn the_sliced_job_gives_the_whole_pipelines_summary_past_the_detection_prefix() {
    // Over one megabyte: the job's later slices take the fast path.
    for (eol, quotes) in [("\n", false), ("\r\n", false), ("\n", true)] {
        let bytes = log(120_000, eol, quotes);
        assert!(bytes.len() > 1 << 21);
        let settings = ImportSettings::default();
        let options = SummaryOptions::default();
        let want = import_bytes("log.csv", &bytes, &settings, &options, &mut |_, _| {}).unwrap();
        for size in [4 << 20, 65_536, 100_003] {
            let mut job = ImportJob::new(
                "log.csv",
                bytes.len() as u64,
                settings.clone(),
                options.clone(),
            );
            for c in bytes.chunks(size) {
                job.feed(c).unwrap();
            }
            let got = job.finish(&mut |_, _| {}).unwrap();
            assert_eq!(got, want, "{eol:?} quotes {quotes} size {size}");
        }
    }
}

#[test]
fn every_text_fixture_reads_the_same_in_small_slices_as_whole() {
    // Small detection prefix and slices: each fixture's rows past its first 1,000 bytes go
    // through the slice reader (the fast path when plain), and must read as the whole file.
    let mut stack = vec![std::path::PathBuf::from("tests/fixtures")];
    let mut compared = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "csv" | "txt" | "tsv") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let opts = ImportOptions::default();
            let Ok(table) = read_table(&bytes, "log.csv", &opts) else {
                continue;
            };
            let Ok((txs, report)) = transactions(&table, &guess_mapping(&table), &opts) else {
                continue;
            };
            let want: Read = (txs, report, table.detection.clone(), table.headers.clone());
            for sizes in [&[7001][..], &[4096, 13], &[1, 2, 3, 50_000]] {
                assert_eq!(sliced(&bytes, sizes), want, "{} {sizes:?}", path.display());
            }
            compared += 1;
        }
    }
    assert!(
        compared >= 10,
        "only {compared} fixtures read as transaction logs"
    );
}
