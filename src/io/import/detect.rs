//! Detection and parsing: the delimiter (`,` `;` tab `|` or runs of spaces), whether there is
//! a header, the decimal separator, each column's type (a lattice widened by
//! counter-examples, with a 90% tolerance) and each date column's format. [`read_table`] is the
//! entry point; every detected setting can be forced through [`ImportOptions`].

use super::dates::{excel_serial_to_date, looks_like_date, DateFormat, DateScan};
use super::decode::{self, Kind};
use super::mapping::{role_of_header, Role};
use super::numbers::{decimal_evidence, parse_number, DecimalSep};
use super::{
    sheet, ColumnInfo, ColumnType, Delimiter, Detection, ImportError, ImportOptions, ParsedTable,
    RawRows, SourceKind,
};

/// Rows inspected to infer column types.
pub const INSPECT_ROWS: usize = 20_000;
/// Share of non-empty values that must fit a type for the column to take it.
pub const TOLERANCE: f64 = 0.9;
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;
pub(crate) const MAX_LISTED: usize = 100;

/// Reads a whole file (text or workbook) into a table, detecting what `opts` leaves open.
///
/// # Errors
/// [`ImportError::EmptyFile`], [`ImportError::BinaryFile`], [`ImportError::HeaderOnly`],
/// [`ImportError::UnreadableSpreadsheet`], [`ImportError::NoSuchSheet`] or
/// [`ImportError::TooLarge`].
pub fn read_table(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
) -> Result<ParsedTable, ImportError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::EmptyFile);
    }
    match decode::sniff(bytes) {
        Kind::Binary => Err(ImportError::BinaryFile),
        Kind::Spreadsheet => {
            let _ = file_name;
            let grid = sheet::read_sheet(bytes, opts.sheet.as_deref())?;
            let mut detection = Detection {
                source: SourceKind::Spreadsheet,
                sheet: Some(grid.name),
                sheets: grid.sheets,
                ..Default::default()
            };
            if grid.rows.len() == 0 {
                return Err(ImportError::EmptyFile);
            }
            detection.notes.extend(grid.notes);
            finish_table(grid.rows, detection, opts)
        }
        Kind::Text => {
            let (text, encoding) = decode::decode(bytes, opts.encoding);
            let delimiter = opts
                .delimiter
                .unwrap_or_else(|| detect_delimiter(sample(&text)));
            let mut notes = Vec::new();
            let raw = parse_text(&text, delimiter, 0, &mut notes)?;
            if raw.len() == 0 {
                return Err(ImportError::EmptyFile);
            }
            let detection = Detection {
                source: SourceKind::Text,
                encoding: Some(encoding),
                delimiter: Some(delimiter),
                notes,
                ..Default::default()
            };
            finish_table(raw, detection, opts)
        }
    }
}

/// The start of the text, cut at a line end.
fn sample(text: &str) -> &str {
    if text.len() <= SAMPLE_BYTES {
        return text;
    }
    let mut cut = SAMPLE_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = text.get(..cut).unwrap_or(text);
    head.rfind('\n').and_then(|i| head.get(..i)).unwrap_or(head)
}

fn field_counts(sample: &str, delim: Delimiter) -> Vec<usize> {
    match delim.byte() {
        Some(b) => {
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(b)
                .has_headers(false)
                .flexible(true)
                .from_reader(sample.as_bytes());
            let mut rec = csv::ByteRecord::new();
            let mut out = Vec::new();
            while out.len() < 60 && rdr.read_byte_record(&mut rec).unwrap_or(false) {
                if !(rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty())) {
                    out.push(rec.len());
                }
            }
            out
        }
        None => sample
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(60)
            .map(|l| l.split_whitespace().count())
            .collect(),
    }
}

/// (most common field count, share of records having it)
fn mode(counts: &[usize]) -> (usize, f64) {
    let mut best = (0usize, 0usize);
    for &c in counts {
        let n = counts.iter().filter(|&&x| x == c).count();
        if n > best.1 || (n == best.1 && c > best.0) {
            best = (c, n);
        }
    }
    (best.0, best.1 as f64 / counts.len().max(1) as f64)
}

/// Picks the delimiter that splits the sample's records into the same number (> 1) of fields
/// most consistently, preferring more fields; falls back to runs of spaces, then to a comma
/// (a single-column file).
pub fn detect_delimiter(sample: &str) -> Delimiter {
    let mut best: Option<(Delimiter, usize, f64)> = None;
    for d in [
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Comma,
        Delimiter::Pipe,
    ] {
        let (m, share) = mode(&field_counts(sample, d));
        if m < 2 || share < 0.8 {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, bm, bs)) => share > bs + 0.1 || (share + 0.1 >= bs && m > bm),
        };
        if better {
            best = Some((d, m, share));
        }
    }
    if let Some((d, _, _)) = best {
        return d;
    }
    let (m, share) = mode(&field_counts(sample, Delimiter::Whitespace));
    if m >= 2 && share >= 0.8 {
        Delimiter::Whitespace
    } else {
        Delimiter::Comma
    }
}

/// Parses decoded text into rows with a known delimiter. `line_base` is added to every line
/// number (for slices of a larger file). Blank lines are skipped (and counted in `notes`).
pub(crate) fn parse_text(
    text: &str,
    delimiter: Delimiter,
    line_base: u64,
    notes: &mut Vec<String>,
) -> Result<RawRows, ImportError> {
    let (raw, blank) = parse_text_counted(text, delimiter, line_base)?;
    if blank > 0 {
        notes.push(blank_note(blank));
    }
    Ok(raw)
}

/// The note [`parse_text`] adds when blank rows were skipped.
pub(crate) fn blank_note(blank: u64) -> String {
    format!("{blank} blank rows skipped")
}

/// [`parse_text`] returning the number of blank rows skipped instead of a note.
pub(crate) fn parse_text_counted(
    text: &str,
    delimiter: Delimiter,
    line_base: u64,
) -> Result<(RawRows, u64), ImportError> {
    let mut raw = RawRows::new();
    let mut blank = 0u64;
    match delimiter.byte() {
        Some(b) => {
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(b)
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut rec = csv::ByteRecord::new();
            loop {
                match rdr.read_byte_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(_) => break,
                }
                let line = rec.position().map_or(0, |p| p.line()) + line_base;
                if rec.iter().all(|f| f.trim_ascii().is_empty()) {
                    blank += 1;
                    continue;
                }
                // The input is valid UTF-8 and fields split at ASCII bytes, so each field is too.
                // Fields are trimmed here rather than by the reader, which would copy each record.
                let cells = rec
                    .iter()
                    .map(|f| std::str::from_utf8(f.trim_ascii()).unwrap_or(""));
                if !raw.push(cells, line) {
                    return Err(ImportError::TooLarge);
                }
            }
        }
        None => {
            for (i, l) in text.lines().enumerate() {
                if l.trim().is_empty() {
                    continue;
                }
                if !raw.push(l.split_whitespace(), line_base + i as u64 + 1) {
                    return Err(ImportError::TooLarge);
                }
            }
        }
    }
    Ok((raw, blank))
}

/// The note [`read_table`] adds when rows have a different number of fields.
pub(crate) fn ragged_note(count: u64, expected: usize) -> String {
    format!("{count} rows have a different number of fields than the header ({expected})")
}

fn is_numberish(s: &str) -> bool {
    parse_number(s, DecimalSep::Dot).is_some() || parse_number(s, DecimalSep::Comma).is_some()
}

fn is_typed(s: &str) -> bool {
    is_numberish(s) || looks_like_date(s)
}

/// Whether the first row is a header: some column holds numbers or dates below a text cell in
/// the first row; or, when no cell of the first row is a number or a date, some name is a
/// known role name or every column is text.
pub(crate) fn detect_header(raw: &RawRows) -> bool {
    let Some(first) = raw.row(0) else {
        return false;
    };
    let any_typed = first.iter().any(is_typed);
    let n = raw.len().min(200);
    if n <= 1 {
        return !any_typed;
    }
    let mut evidence = false;
    let mut all_text_below = true;
    for (j, h) in first.iter().enumerate() {
        let (mut typed, mut filled) = (0usize, 0usize);
        for i in 1..n {
            if let Some(v) = raw.row(i).and_then(|r| r.get(j)).filter(|v| !v.is_empty()) {
                filled += 1;
                if is_typed(v) {
                    typed += 1;
                }
            }
        }
        if filled > 0 && typed * 2 > filled {
            all_text_below = false;
            if !h.is_empty() && !is_typed(h) {
                evidence = true;
            }
        }
    }
    let named = first.iter().any(|h| role_of_header(h).is_some());
    evidence || (!any_typed && (named || all_text_below))
}

/// Statistics of one column over the inspected rows.
#[derive(Default)]
struct ColStats {
    non_empty: u64,
    integers: u64,
    leading_zero: u64,
    numbers: u64,
    excel_serials: u64,
    scan: DateScan,
    example: Option<String>,
}

fn plain_integer(s: &str) -> bool {
    let b = s.strip_prefix('-').unwrap_or(s).as_bytes();
    !b.is_empty() && b.len() <= 18 && b.iter().all(u8::is_ascii_digit)
}

fn finish_table(
    raw: RawRows,
    mut detection: Detection,
    opts: &ImportOptions,
) -> Result<ParsedTable, ImportError> {
    let has_header = opts.has_header.unwrap_or_else(|| detect_header(&raw));
    let width = (0..raw.len())
        .filter_map(|i| raw.row(i).map(|r| r.len()))
        .max()
        .unwrap_or(0);
    let (mut headers, rows) = if has_header {
        raw.split_first()
    } else {
        (Vec::new(), raw)
    };
    let header_fields = headers.len();
    if has_header && rows.len() == 0 {
        return Err(ImportError::HeaderOnly { headers });
    }
    let width = if has_header {
        headers.len().max(width)
    } else {
        width
    };
    for (j, h) in headers.iter_mut().enumerate() {
        if h.is_empty() {
            *h = format!("column {}", j + 1);
        }
    }
    while headers.len() < width {
        headers.push(format!("column {}", headers.len() + 1));
    }
    detection.has_header = has_header;

    // Ragged rows.
    let expected = if has_header {
        header_fields
    } else {
        mode(
            &(0..rows.len().min(1000))
                .filter_map(|i| rows.row(i).map(|r| r.len()))
                .collect::<Vec<_>>(),
        )
        .0
    };
    for i in 0..rows.len() {
        if rows.row(i).is_some_and(|r| r.len() != expected) {
            detection.ragged_count += 1;
            if detection.ragged_rows.len() < MAX_LISTED {
                detection.ragged_rows.push(i as u64 + 1);
            }
        }
    }

    // Decimal separator.
    let n = rows.len().min(INSPECT_ROWS);
    let decimal = opts.decimal.unwrap_or_else(|| {
        let (mut dot, mut comma) = (0u64, 0u64);
        for i in 0..n.min(2000) {
            if let Some(r) = rows.row(i) {
                for v in r.iter() {
                    match decimal_evidence(v) {
                        Some(DecimalSep::Dot) => dot += 1,
                        Some(DecimalSep::Comma) => comma += 1,
                        None => {}
                    }
                }
            }
        }
        if comma > dot {
            DecimalSep::Comma
        } else {
            DecimalSep::Dot
        }
    });
    detection.decimal = decimal;

    // Column statistics.
    let mut stats: Vec<ColStats> = (0..width).map(|_| ColStats::default()).collect();
    for i in 0..n {
        let Some(r) = rows.row(i) else { continue };
        for (j, v) in r.iter().enumerate() {
            let Some(s) = stats.get_mut(j) else { continue };
            if v.is_empty() {
                continue;
            }
            s.non_empty += 1;
            if s.example.is_none() {
                s.example = Some(v.to_string());
            }
            if plain_integer(v) {
                s.integers += 1;
                let digits = v.strip_prefix('-').unwrap_or(v);
                if digits.len() > 1 && digits.starts_with('0') {
                    s.leading_zero += 1;
                }
            }
            if let Some(x) = parse_number(v, decimal) {
                s.numbers += 1;
                if x.fract() == 0.0 && (20_000.0..80_000.0).contains(&x) {
                    s.excel_serials += 1;
                }
            }
            s.scan.add(i as u64, v);
        }
    }
    let us_hint = (0..n.min(200))
        .filter_map(|i| rows.row(i))
        .any(|r| r.iter().any(|v| v.starts_with('$') || v.starts_with("-$")));
    let sheet = detection.source == SourceKind::Spreadsheet;
    let mut columns = Vec::with_capacity(width);
    for (j, s) in stats.iter().enumerate() {
        let name = headers.get(j).cloned().unwrap_or_default();
        let need = |k: u64| s.non_empty > 0 && k as f64 >= TOLERANCE * s.non_empty as f64;
        let date_named = has_header && role_of_header(&name) == Some(Role::Date);
        let mut date_format = None;
        let mut note = None;
        let (kind, conforming) = if s.non_empty == 0 {
            (ColumnType::Empty, 0)
        } else if need(s.scan.dates) && (s.scan.compact < s.scan.dates || !has_header || date_named)
        {
            let (f, n) = s.scan.resolve(!us_hint);
            date_format = Some(f);
            note = n;
            let k = if s.scan.with_time * 2 > s.scan.dates {
                ColumnType::DateTime
            } else {
                ColumnType::Date
            };
            (k, s.scan.dates)
        } else if sheet && date_named && need(s.excel_serials) {
            date_format = Some(DateFormat::ExcelSerial);
            note = Some(format!(
                "column \"{name}\" holds Excel serial day numbers, read as dates"
            ));
            (ColumnType::Date, s.excel_serials)
        } else if s.leading_zero > 0 && need(s.integers) {
            (ColumnType::Text, s.non_empty)
        } else if need(s.integers) {
            (ColumnType::Integer, s.integers)
        } else if need(s.numbers) {
            (ColumnType::Decimal, s.numbers)
        } else {
            (ColumnType::Text, s.non_empty)
        };
        if let Some(n) = note {
            detection.notes.push(format!("column \"{name}\": {n}"));
        }
        if date_format.is_none() && s.scan.dates > 0 && !kind.is_numeric() {
            // Some dates but too many counter-examples for a date type: keep the format so a
            // mapping that names this column as the date can still read (and report) it.
            date_format = Some(s.scan.resolve(!us_hint).0);
        }
        columns.push(ColumnInfo {
            name,
            kind,
            non_empty: s.non_empty,
            conforming,
            date_format,
            example: s.example.clone(),
        });
    }
    for o in &opts.column_types {
        if let Some(c) = columns.get_mut(o.column as usize) {
            c.kind = o.kind;
            if o.kind.is_date() && c.date_format.is_none() {
                c.date_format = Some(DateFormat::Ymd);
            }
        }
    }
    if let Some(f) = &opts.date_format {
        for c in columns.iter_mut().filter(|c| c.kind.is_date()) {
            c.date_format = Some(f.clone());
        }
    }
    detection.date_format = columns
        .iter()
        .find(|c| c.kind.is_date() && role_of_header(&c.name) == Some(Role::Date))
        .or_else(|| columns.iter().find(|c| c.kind.is_date()))
        .and_then(|c| c.date_format.clone())
        .or_else(|| opts.date_format.clone());
    detection.columns = columns;
    detection.rows_inspected = n as u64;
    detection.fields = u32::try_from(expected).unwrap_or(u32::MAX);
    if detection.ragged_count > 0 {
        detection
            .notes
            .push(ragged_note(detection.ragged_count, expected));
    }
    let _ = excel_serial_to_date;
    Ok(ParsedTable::from_raw(rows, headers, detection))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_beats_decimal_commas() {
        let s = "Kunde;Datum;Betrag\n1;05.03.2024;12,50\n2;06.03.2024;7,00\n";
        assert_eq!(detect_delimiter(s), Delimiter::Semicolon);
    }

    #[test]
    fn aligned_text_is_whitespace_separated() {
        let s = "1001   2024-03-05   12.50\n1002   2024-03-06    7.00\n";
        assert_eq!(detect_delimiter(s), Delimiter::Whitespace);
    }

    #[test]
    fn one_column_is_read_with_a_comma() {
        assert_eq!(detect_delimiter("1000\n800\n650\n"), Delimiter::Comma);
    }

    #[test]
    fn a_few_counter_examples_do_not_widen_a_numeric_column() {
        let mut text = String::from("id,amount\n");
        for i in 0..19 {
            text.push_str(&format!("{i},{i}.5\n"));
        }
        text.push_str("20,n/a\n");
        let t = read_table(text.as_bytes(), "a.csv", &ImportOptions::default()).unwrap();
        assert_eq!(t.detection.columns[1].kind, ColumnType::Decimal);
        assert_eq!(t.detection.columns[1].conforming, 19);
    }
}
