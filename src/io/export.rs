//! Export: tables of text as CSV (RFC 4180 quoting: fields holding the delimiter, a quote or a
//! line break are quoted, quotes doubled), with every text cell neutralised against formula
//! injection ([`neutralize_cell`]) so a spreadsheet never runs a cell as a formula.

use std::borrow::Cow;

/// Neutralises a cell against CSV (formula) injection, following the OWASP guidance: text that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote `'`,
/// so spreadsheet programs show it as text instead of evaluating it. A cell that parses as a
/// number (`-12.5`, `+3`, `1e5`) is left alone, as is every other cell.
pub fn neutralize_cell(cell: &str) -> Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !is_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A plain decimal number (optional sign, digits, a decimal point or comma, exponent); not
/// "inf" or "NaN", which `f64::from_str` would also accept.
fn is_number(cell: &str) -> bool {
    cell.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E' | b','))
        && cell.bytes().any(|b| b.is_ascii_digit())
        && cell.replacen(',', ".", 1).parse::<f64>().is_ok()
}

/// Writes a header and rows as CSV text with `\n` line ends; every cell goes through
/// [`neutralize_cell`].
pub fn write_csv<H: AsRef<str>, S: AsRef<str>, R: AsRef<[S]>>(headers: &[H], rows: &[R]) -> String {
    write_csv_with(headers, rows, b',')
}

/// [`write_csv`] with another delimiter (`;` goes with a decimal comma).
pub fn write_csv_with<H: AsRef<str>, S: AsRef<str>, R: AsRef<[S]>>(
    headers: &[H],
    rows: &[R],
    delimiter: u8,
) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(
        headers
            .iter()
            .map(|h| neutralize_cell(h.as_ref()).into_owned()),
    );
    for r in rows {
        let _ = w.write_record(
            r.as_ref()
                .iter()
                .map(|c| neutralize_cell(c.as_ref()).into_owned()),
        );
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_delimiters_quotes_and_newlines_are_quoted() {
        let out = write_csv(&["id", "note"], &[vec!["007", "a, \"b\"\nc"]]);
        assert_eq!(out, "id,note\n007,\"a, \"\"b\"\"\nc\"\n");
    }

    #[test]
    fn formula_cells_get_a_quote_and_numbers_stay_numbers() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-inf", "'-inf"),
            ("+NaN", "'+NaN"),
            ("-", "'-"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("-1e5", "-1e5"),
            ("12", "12"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralize_cell(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn hostile_ids_are_written_as_text() {
        let out = write_csv(
            &["id", "clv"],
            &[
                vec!["=HYPERLINK(\"http://evil\",\"x\")", "12.5"],
                vec!["+1+cmd|' /C calc'!A0", "-3"],
                vec!["@SUM(1+1)", "+4"],
                vec!["c1", "-0.25"],
            ],
        );
        assert_eq!(
            out,
            "id,clv\n\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",12.5\n'+1+cmd|' /C calc'!A0,-3\n'@SUM(1+1),+4\nc1,-0.25\n"
        );
    }

    #[test]
    fn an_export_reads_back_through_the_importer_to_the_same_cells() {
        use crate::io::import::{read_table, ImportOptions};
        let headers = ["id", "date", "amount", "note"];
        let rows = vec![
            vec!["007", "2024-01-05", "12.5", "plain"],
            vec!["c 2", "2024-02-29", "-3.25", "a, \"quoted\" note"],
            vec!["x3", "2024-03-01", "+4", "two\nlines"],
            vec!["=1+1", "2024-03-02", "0", "@home"],
        ];
        let out = write_csv(&headers, &rows);
        let t = read_table(out.as_bytes(), "export.csv", &ImportOptions::default()).unwrap();
        assert_eq!(t.headers, headers);
        assert_eq!(t.row_count(), 4);
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let want = neutralize_cell(cell);
                assert_eq!(t.cell(i, j), Some(want.as_ref()), "row {i} column {j}");
            }
        }
        // Normal cells are unchanged; only the hostile ones carry the quote.
        assert_eq!(t.cell(1, 2), Some("-3.25"));
        assert_eq!(t.cell(3, 0), Some("'=1+1"));
    }
}
