//! Workbooks (.xlsx, .xls, .xlsb, .ods) from bytes through calamine: the sheet list, picking a
//! sheet, and turning cells into text the same detection reads. Date-formatted cells become
//! ISO dates (`2024-03-05`, or `2024-03-05 14:30:00` with a time); numbers print without a
//! spurious `.0`.
//!
//! A sheet's cells are read one by one (.xlsx, .xlsb), never as the full rectangle between
//! its first and last cell: a hostile workbook with cells at A1 and at the last column and row
//! spans 17 billion cells. A sheet spanning more than [`MAX_SHEET_CELLS`] cells or
//! [`MAX_SHEET_COLUMNS`] columns is refused with a message naming it and its size.
//!
//! A damaged or hostile workbook is an error, never a crash: every call into calamine goes
//! through [`guarded`], which turns a panic inside calamine into
//! [`ImportError::UnreadableSpreadsheet`], and an error while reading cells names the last
//! cell read ("after cell B7"). calamine 0.38 (the newest release) parses cell references
//! with unchecked `u32` arithmetic: a reference like `A99999999999` in a damaged sheet is an
//! overflow panic in builds with overflow checks (tests, debug) and wraps silently in release
//! builds, where the size checks below then refuse the sheet or read it as damaged. Release
//! builds abort on panic (`panic = "abort"`), so there `guarded` cannot catch; a worker that
//! dies is then reported by the page as a failed job.

use super::dates::excel_serial_to_date;
use super::{ImportError, RawRows};
use calamine::{open_workbook_auto_from_rs, Cell, Data, DataRef, Reader, Sheets};
use std::io::Cursor;

/// Most cells a sheet may span (its rows × its columns, from its first to its last cell).
pub const MAX_SHEET_CELLS: u64 = 50_000_000;
/// Most columns a sheet may span (Excel's own limit).
pub const MAX_SHEET_COLUMNS: u64 = 16_384;

/// The non-empty cells of a sheet: (row, column, text), 0-based.
type Sparse = Vec<(u32, u32, String)>;

fn unreadable(name: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::UnreadableSpreadsheet {
        reason: format!("sheet \"{name}\": {e}"),
    }
}

/// Refuses a sheet spanning `rows` × `cols` cells when it is over the limits.
fn check_size(name: &str, rows: u64, cols: u64) -> Result<(), ImportError> {
    let cells = rows.saturating_mul(cols);
    if cols > MAX_SHEET_COLUMNS || cells > MAX_SHEET_CELLS {
        return Err(ImportError::UnreadableSpreadsheet {
            reason: format!(
                "sheet \"{name}\" spans {rows} rows × {cols} columns ({cells} cells), more than this app reads ({MAX_SHEET_CELLS} cells, {MAX_SHEET_COLUMNS} columns); copy the data into a new sheet without stray cells far from it"
            ),
        });
    }
    Ok(())
}

/// The text of a panic's payload.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".into())
}

/// Runs a call into calamine; a panic inside it becomes [`ImportError::UnreadableSpreadsheet`]
/// saying `what` was being read (where the build unwinds on panic: tests and debug builds).
fn guarded<T>(
    what: impl FnOnce() -> String,
    f: impl FnOnce() -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        Err(ImportError::UnreadableSpreadsheet {
            reason: format!(
                "{}: the workbook is damaged (the spreadsheet reader stopped: {})",
                what(),
                panic_text(p.as_ref())
            ),
        })
    })
}

/// A cell's name in A1 notation ("B7"), from its 0-based row and column.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// Where in a sheet reading stopped: after the last cell read, or before the first.
fn place(name: &str, last: Option<(u32, u32)>) -> String {
    match last {
        Some((r, c)) => format!("sheet \"{name}\", after cell {}", cell_name(r, c)),
        None => format!("sheet \"{name}\", before its first cell"),
    }
}

/// Collects a sheet's non-empty cells from a cell reader; an error or a panic while reading
/// names the last cell read.
fn collect<'a, E: std::fmt::Display>(
    name: &str,
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, E>,
) -> Result<Sparse, ImportError> {
    let last = std::cell::Cell::new(None);
    guarded(
        || place(name, last.get()),
        || {
            let mut out = Sparse::new();
            while let Some(c) = next().map_err(|e| ImportError::UnreadableSpreadsheet {
                reason: format!("{}: {e}", place(name, last.get())),
            })? {
                let (r, col) = c.get_position();
                last.set(Some((r, col)));
                let text = cell_text(&Data::from(c.get_value().clone()));
                if text.is_empty() {
                    continue;
                }
                if out.len() as u64 >= MAX_SHEET_CELLS {
                    return Err(ImportError::TooLarge);
                }
                out.push((r, col, text));
            }
            Ok(out)
        },
    )
}

/// A sheet's non-empty cells. .xlsx and .xlsb are read cell by cell; the other formats are
/// read whole by calamine (their size is checked once read).
fn sheet_cells(wb: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Result<Sparse, ImportError> {
    guarded(|| place(name, None), || sheet_cells_unguarded(wb, name))
}

/// [`sheet_cells`] without the guard (the cell loops keep their own, which knows the last cell).
fn sheet_cells_unguarded(
    wb: &mut Sheets<Cursor<&[u8]>>,
    name: &str,
) -> Result<Sparse, ImportError> {
    match wb {
        Sheets::Xlsx(x) => {
            let mut r = x
                .worksheet_cells_reader(name)
                .map_err(|e| unreadable(name, e))?;
            collect(name, || r.next_cell())
        }
        Sheets::Xlsb(x) => {
            let mut r = x
                .worksheet_cells_reader(name)
                .map_err(|e| unreadable(name, e))?;
            collect(name, || r.next_cell())
        }
        _ => {
            let range = wb.worksheet_range(name).map_err(|e| unreadable(name, e))?;
            let (h, w) = range.get_size();
            check_size(name, h as u64, w as u64)?;
            Ok(range
                .cells()
                .filter_map(|(r, c, d)| {
                    let text = cell_text(d);
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    (!text.is_empty()).then(|| (r0 + r as u32, c0 + c as u32, text))
                })
                .collect())
        }
    }
}

/// Rows of text from a sheet's non-empty cells, after checking the span they cover. Rows
/// keep their place (`line` is the sheet's row number); columns start at the leftmost cell.
fn rows_of(name: &str, mut cells: Sparse) -> Result<RawRows, ImportError> {
    cells.sort_unstable_by_key(|&(r, c, _)| (r, c));
    let mut rows = RawRows::new();
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
        return Ok(rows);
    };
    let (first_col, last_col) = cells
        .iter()
        .fold((u32::MAX, 0), |(a, b), &(_, c, _)| (a.min(c), b.max(c)));
    check_size(
        name,
        u64::from(last.0 - first.0) + 1,
        u64::from(last_col - first_col) + 1,
    )?;
    let mut line: Vec<&str> = Vec::new();
    let mut at = 0usize;
    while let Some(&(row, _, _)) = cells.get(at) {
        line.clear();
        while let Some((r, c, text)) = cells.get(at) {
            if *r != row {
                break;
            }
            let col = (c - first_col) as usize;
            if line.len() < col {
                line.resize(col, "");
            }
            line.push(text);
            at += 1;
        }
        if !rows.push(line.iter().copied(), u64::from(row) + 1) {
            return Err(ImportError::TooLarge);
        }
    }
    Ok(rows)
}

/// One sheet read into rows.
pub(crate) struct Grid {
    pub(crate) rows: RawRows,
    pub(crate) name: String,
    pub(crate) sheets: Vec<String>,
    pub(crate) notes: Vec<String>,
}

/// The names of the sheets of a workbook, in order.
///
/// # Errors
/// [`ImportError::UnreadableSpreadsheet`] when the bytes are not a workbook calamine reads.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    Ok(open(bytes)?.sheet_names())
}

/// Opens a workbook (its sheet list, shared strings and styles are read here).
fn open(bytes: &[u8]) -> Result<Sheets<Cursor<&[u8]>>, ImportError> {
    guarded(
        || "the workbook's sheet list, shared strings and styles".to_string(),
        || {
            open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
                ImportError::UnreadableSpreadsheet {
                    reason: e.to_string(),
                }
            })
        },
    )
}

/// Text of one cell.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if dt.is_datetime() {
                match excel_serial_to_date(v) {
                    Some(date) => {
                        let secs = ((v - v.floor()) * 86_400.0).round() as u32;
                        if secs == 0 {
                            date.format("%Y-%m-%d").to_string()
                        } else {
                            format!(
                                "{} {:02}:{:02}:{:02}",
                                date.format("%Y-%m-%d"),
                                secs / 3600 % 24,
                                secs / 60 % 60,
                                secs % 60
                            )
                        }
                    }
                    None => format!("{v}"),
                }
            } else {
                format!("{v}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

/// Reads one sheet (by name, case-insensitive; default the first non-empty sheet).
pub(crate) fn read_sheet(bytes: &[u8], wanted: Option<&str>) -> Result<Grid, ImportError> {
    let mut wb = open(bytes)?;
    let sheets = wb.sheet_names();
    let mut notes = Vec::new();
    let candidates: Vec<String> = match wanted {
        Some(w) => {
            let found = sheets
                .iter()
                .find(|s| s.as_str() == w)
                .or_else(|| sheets.iter().find(|s| s.eq_ignore_ascii_case(w)));
            match found {
                Some(s) => vec![s.clone()],
                None => {
                    return Err(ImportError::NoSuchSheet {
                        name: w.to_string(),
                        available: sheets,
                    })
                }
            }
        }
        None => sheets.clone(),
    };
    for name in &candidates {
        let cells = sheet_cells(&mut wb, name)?;
        let rows = rows_of(name, cells)?;
        if rows.len() > 0 || wanted.is_some() {
            if wanted.is_none() && sheets.len() > 1 {
                notes.push(format!(
                    "read sheet \"{name}\" of {}: {}",
                    sheets.len(),
                    sheets.join(", ")
                ));
            }
            return Ok(Grid {
                rows,
                name: name.clone(),
                sheets,
                notes,
            });
        }
    }
    Err(ImportError::EmptyFile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_with_cells_at_a1_and_at_the_last_cell_is_refused_without_allocating_its_range() {
        let bytes = include_bytes!("../../../tests/fixtures/storage/huge_range.xlsx");
        let Err(e) = read_sheet(bytes, None) else {
            panic!("a sheet spanning 17 billion cells was read")
        };
        let text = e.to_string();
        assert!(text.contains("sheet \"Orders\""), "{text}");
        assert!(
            text.contains("1048576 rows × 16384 columns (17179869184 cells)"),
            "{text}"
        );
    }

    #[test]
    fn a_sparse_sheet_keeps_its_columns_and_row_numbers() {
        let bytes = include_bytes!("../../../tests/fixtures/storage/sparse_ok.xlsx");
        let Ok(g) = read_sheet(bytes, Some("orders")) else {
            panic!("the sparse sheet is read")
        };
        assert_eq!(g.name, "Orders");
        assert_eq!(g.rows.len(), 2);
        let cells = |i: usize| -> Vec<String> {
            let r = g.rows.row(i).expect("row");
            (0..r.len())
                .map(|j| r.get(j).unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(cells(0), ["customer", "", "amount"]);
        assert_eq!(cells(1), ["c1", "", "5"]);
        assert_eq!(g.rows.lines, [1, 3]);
    }

    /// CRC-32 (the zip checksum), bit by bit: enough for the few bytes of a test workbook.
    fn crc32(bytes: &[u8]) -> u32 {
        !bytes.iter().fold(!0u32, |mut c, &b| {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            c
        })
    }

    /// A zip archive of `files`, stored without compression.
    fn stored_zip(files: &[(&str, String)]) -> Vec<u8> {
        let (mut out, mut central) = (Vec::new(), Vec::new());
        for (name, text) in files {
            let (crc, len, at) = (crc32(text.as_bytes()), text.len() as u32, out.len() as u32);
            let head = |sig: u32, central: bool| {
                let mut h = sig.to_le_bytes().to_vec();
                if central {
                    h.extend(20u16.to_le_bytes());
                }
                for v in [20u16, 0, 0, 0, 0] {
                    h.extend(v.to_le_bytes());
                }
                for v in [crc, len, len] {
                    h.extend(v.to_le_bytes());
                }
                h.extend((name.len() as u16).to_le_bytes());
                h.extend(0u16.to_le_bytes());
                if central {
                    for v in [0u16, 0, 0] {
                        h.extend(v.to_le_bytes());
                    }
                    h.extend(0u32.to_le_bytes());
                    h.extend(at.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(head(0x0403_4b50, false));
            out.extend(text.as_bytes());
            central.extend(head(0x0201_4b50, true));
        }
        let (start, size, n) = (out.len() as u32, central.len() as u32, files.len() as u16);
        out.extend(central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        for v in [0u16, 0, n, n] {
            out.extend(v.to_le_bytes());
        }
        for v in [size, start] {
            out.extend(v.to_le_bytes());
        }
        out.extend(0u16.to_le_bytes());
        out
    }

    /// An .xlsx workbook with one sheet "Orders" whose `<sheetData>` is `data`.
    fn workbook(data: &str) -> Vec<u8> {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let package = "http://schemas.openxmlformats.org/package/2006/relationships";
        stored_zip(&[
            (
                "_rels/.rels",
                format!(
                    r#"<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<worksheet xmlns="{main}"><sheetData>{data}</sheetData></worksheet>"#),
            ),
        ])
    }

    #[test]
    fn a_hand_made_workbook_is_read() {
        let bytes = workbook(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>customer</t></is></c><c r="B1"><v>5</v></c></row>"#,
        );
        let g = match read_sheet(&bytes, None) {
            Ok(g) => g,
            Err(e) => panic!("the workbook is read: {e}"),
        };
        assert_eq!((g.name.as_str(), g.rows.len()), ("Orders", 1));
    }

    /// Found by the fuzzer (a damaged deflate stream): calamine 0.38 parses cell references
    /// with unchecked arithmetic, so a row or column number past `u32` panics where overflow
    /// is checked. It must be an error that names the sheet and the last cell read.
    #[test]
    fn cell_references_past_u32_are_an_error_naming_the_place_not_a_panic() {
        let first = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>customer</t></is></c></row>"#;
        for bad in [
            r#"<row r="40000000000000000005"><c r="A2"><v>1</v></c></row>"#,
            r#"<row r="2"><c r="AAAAAAAAAAAAAAAAAAAAAA2"><v>1</v></c></row>"#,
            r#"<row r="2"><c r="A99999999999"><v>1</v></c></row>"#,
        ] {
            let bytes = workbook(&format!("{first}{bad}"));
            let r = std::panic::catch_unwind(|| read_sheet(&bytes, None).map(|g| g.rows.len()));
            let Ok(r) = r else {
                panic!("{bad}: a panic escaped the sheet reader")
            };
            // Where overflow is not checked (release) calamine wraps the number instead.
            if cfg!(debug_assertions) {
                let Err(e) = r else {
                    panic!("{bad}: read as a sheet")
                };
                let text = e.to_string();
                assert!(text.contains("sheet \"Orders\", after cell A1"), "{text}");
                assert!(text.contains("damaged"), "{text}");
            }
        }
    }

    #[test]
    fn cells_are_named_in_a1_notation() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 1), "B7");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(u32::MAX, u32::MAX), "MWLQKWV4294967296");
    }

    #[test]
    fn sizes_over_the_limits_are_refused_and_those_within_are_not() {
        assert!(check_size("S", 1_000_000, 50).is_ok());
        assert!(check_size("S", 5_000, 10_000).is_ok());
        assert!(check_size("S", 50_001, 1_000).is_err());
        assert!(check_size("S", 1, 16_385).is_err());
        assert!(check_size("S", u64::MAX, u64::MAX).is_err());
    }
}
